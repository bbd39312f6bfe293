/**
 * @module autoscaler/loop
 *
 * The shell that makes the pure core act: {@link startAutoscaler} runs cluster-autoscaler against a
 * cluster — informers for nodes, pods, PodDisruptionBudgets, DaemonSets and ScaleSets, the
 * `scaleset` cloud provider, a `RunOnce` every `--scan-interval`, scale-ups through the provider,
 * empty nodes deleted in bulk and others drained one at a time (taint, Eviction API, delete), the
 * Events and the status ConfigMap, leader election on the Lease `cluster-autoscaler`, and
 * `/healthz` + `/metrics` (`cluster_autoscaler_*`).
 *
 * ```ts
 * const options = parseOptions(['--nodes=1:5:k8s-agentpool1-12345678-vmss', '--scan-interval=10s']);
 * const ca = await startAutoscaler({ kubeConfig, options, metricsPort: 8085 });
 * // … await ca.done();  or  await ca.stop();
 * ```
 *
 * Tips:
 * - {@link createAutoscalerLoop} is the loop without the manager: give it a client, a cache, a
 *   provider and an evictor, and call `runOnce()` yourself (tests, simulations, benchmarks).
 * - Evictions fall back to deletes with the pod's grace period when the API server does not serve
 *   `pods/eviction` (logged once).
 */
export { createAutoscalerLoop, podDisruptionBudgetKind, WATCHED_KINDS } from './autoscaler.js';
export { daemonSetPods } from './daemonset-pods.js';
export { createScaleDownActuator } from './actuator.js';
export type { Outcome, ScaleDownActuator, ScaleDownActuatorOptions } from './actuator.js';
export { createEventSink } from './event-sink.js';
export type { EventSink, EventSinkOptions } from './event-sink.js';
export { setToBeDeletedTaint } from './taints.js';
export type { AutoscalerLoop, AutoscalerLoopOptions } from './autoscaler.js';
export { createEvictor, EvictionRefusedError } from './evictor.js';
export type { Evictor, EvictorOptions } from './evictor.js';
export { createAutoscalerMetrics } from './metrics.js';
export type { AutoscalerMetrics, ScaleDownReason } from './metrics.js';
export { startAutoscaler, LEADER_ELECTION_LEASE } from './start.js';
export type { RunningAutoscaler, StartAutoscalerOptions } from './start.js';
export { readCluster } from './read-cluster.js';
export type { ClusterReading } from './read-cluster.js';
