/**
 * @module cluster/node-lifecycle
 *
 * kube-controller-manager's node lifecycle controller and taint eviction controller: what happens
 * to a node whose kubelet stops talking, and to the pods on it.
 *
 * - **The pure core.** {@link decide}(node, lease, now, config) → the node's conditions and taints:
 *   a node whose last heartbeat (Lease `renewTime` or Ready's `lastHeartbeatTime`) is older than
 *   the grace period gets Ready (and MemoryPressure, DiskPressure, PIDPressure) `Unknown`, reason
 *   `NodeStatusUnknown`, message `Kubelet stopped posting node status.`; NoSchedule taints follow
 *   the conditions (`node.kubernetes.io/unreachable`, `not-ready`, `*-pressure`,
 *   `unschedulable`), NoExecute taints follow Ready (`unreachable`/`not-ready`, removed when the
 *   node is Ready again). {@link evictions}(taints, pods, now) → which pods go and after how long:
 *   at once without a matching toleration, else the shortest `tolerationSeconds` counted from the
 *   taint's `timeAdded` (the API server gives every pod 300 s for `not-ready` and `unreachable`),
 *   never for a toleration without seconds. {@link zoneStates} → per-zone disruption and the rate
 *   of new NoExecute taints (0.1/s; none while every zone is fully disrupted).
 * - **The shell.** {@link registerNodeLifecycleController} adds `node-lifecycle-controller`,
 *   `node-lifecycle-pods` and `taint-eviction-controller` to a runtime manager; {@link startNodeLifecycleController} runs
 *   them in a manager of their own. Events as kube records them: `RegisteredNode`, `NodeNotReady`
 *   (on the Node, and "Node is not ready" on its pods), `TaintManagerEviction` ("Marking for
 *   deletion Pod ns/name", "Cancelling deletion of Pod ns/name"). Evicted pods get the
 *   `DisruptionTarget` condition (`DeletionByTaintManager`) and an ordinary (graceful) delete, so
 *   they stay Terminating until their kubelet confirms, as on a real cluster.
 *
 * ```ts
 * const lc = await startNodeLifecycleController({ kubeConfig, signal, gracePeriodMs: 2000 });
 * // … a node's agent stops: ~2 s later it is NotReady with node.kubernetes.io/unreachable …
 * controller.abort(); await lc.stopped;
 * ```
 *
 * Defaults are kube 1.32's: `gracePeriodMs` 50 s (`--node-monitor-grace-period`; 40 s before
 * 1.32), `startupGracePeriodMs` 60 s, `evictionRateQPS` 0.1, `secondaryEvictionRateQPS` 0.01,
 * `largeClusterThreshold` 50, `unhealthyZoneThreshold` 0.55.
 *
 * Tips:
 * - Heartbeats are compared with this process's clock; run it where the agents' clocks agree
 *   (one machine, or NTP). A restarted controller gives every node a fresh grace period.
 * - Pods on an unreachable node stay `Terminating` after eviction until the node comes back (its
 *   agent confirms the deletion) or someone force-deletes them.
 */
export { decide, lastHeartbeat, DEFAULT_NODE_LIFECYCLE_CONFIG, TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE } from './decide.js';
export type { NodeLifecycleConfig, NodeDecision, DecideOptions, NoExecuteGate, ConditionStatus } from './decide.js';
export { evictions, evictionTime, toleratesTaint } from './evictions.js';
export type { Eviction } from './evictions.js';
export { zoneStates, zoneState, zoneOf, taintRate, DEFAULT_EVICTION_RATES } from './zones.js';
export type { ZoneState, ZoneInfo, EvictionRateConfig } from './zones.js';
export {
  registerNodeLifecycleController,
  startNodeLifecycleController,
  NODE_LIFECYCLE_CONTROLLER,
  TAINT_EVICTION_CONTROLLER,
  NODE_LIFECYCLE_PODS_CONTROLLER,
  NODE_NAME_INDEX,
} from './controller.js';
export type { NodeLifecycleOptions, StartNodeLifecycleOptions, RunningNodeLifecycle } from './controller.js';
