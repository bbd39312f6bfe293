/**
 * @module cluster/node
 *
 * The node agent: the kubelet's side of the API for many nodes from one process, so the
 * scheduler, the workload controllers, the node lifecycle controller and the autoscaler see
 * Nodes that register, heartbeat and run pods. {@link startNodeAgent} starts it; nodes are
 * added and removed at run time (`agent.add(spec)`, `agent.remove(name)`), each with a runtime:
 *
 * - `simulated` (the default): no containers, as KWOK does — described below;
 * - `process`: every container a local process (see `process/index.ts`): the built-in images
 *   `flotilla/echo`, `flotilla/crashloop` and `pause`, Flotilla's own CLI (`flotilla/flotilla`),
 *   or the container's `command`; each pod on its own loopback IP (127.42.n.x out of
 *   `loopbackCIDR`), with kubelet's environment, secret / configMap / downwardAPI / emptyDir
 *   volumes (files under the pod's directory, mount paths rewritten), restart rules and crash
 *   back-off, probes, init containers, graceful termination, Events, CRI log files under
 *   `<dataDir>/var/log/pods` and a kubelet server for `kubectl logs`.
 *
 * - **Registration.** {@link startSimulatedNodes} creates each Node with kubelet's labels
 *   (`kubernetes.io/hostname|os|arch`, `node.kubernetes.io/instance-type`,
 *   `topology.kubernetes.io/region|zone`, `node-role.kubernetes.io/<role>`), capacity =
 *   allocatable (cpu, memory, pods, ephemeral-storage), addresses (InternalIP, Hostname), nodeInfo
 *   (kubelet v1.32.5, runtime `flotilla-sim://1.0`) and the conditions MemoryPressure,
 *   DiskPressure, PIDPressure False and Ready True.
 * - **Addresses.** Node n (the lowest free slot) gets the pod CIDR `10.42.n.0/24` out of
 *   `clusterCIDR` 10.42.0.0/16 (k3s's defaults; `spec.podCIDR`) and the InternalIP
 *   `10.240.0.(4+n)` out of `nodeNetwork` 10.240.0.0/16 (an Azure VNet's first usable address is
 *   .4). A Node that exists keeps its pod CIDR and address. 256 /24s fit in a /16: for more nodes
 *   pass a wider `clusterCIDR` (e.g. `10.32.0.0/12`). Pods get `.2`, `.3`, … of their node's
 *   CIDR (`.1` is the bridge), handed out sequentially like CNI host-local.
 * - **Heartbeats.** A Lease per node in `kube-node-lease` (`leaseDurationSeconds` 40, renewed
 *   every 10 s, the renewals spread evenly over the period); node status is posted when something
 *   other than the heartbeat changed (e.g. the node lifecycle controller set Ready=Unknown) and
 *   otherwise every 5 minutes, as kubelet's nodeStatusReportFrequency.
 * - **Pods.** One pod informer for the whole cluster, dispatched by `spec.nodeName`. A pod bound to
 *   a simulated node is admitted (a pod whose requests do not fit beside the admitted ones fails
 *   with `OutOfcpu`, `OutOfmemory`, `OutOfpods`), gets an IP and goes Running with
 *   PodReadyToStartContainers, Initialized, Ready, ContainersReady and PodScheduled True and
 *   running, ready container statuses (`flotilla-sim://…` container IDs); pods with
 *   `flotilla.dev/simulate-exit-code` (and `flotilla.dev/simulate-run-seconds`) exit and follow
 *   kubelet's restart rules (see {@link syncPod}); `activeDeadlineSeconds` fails a pod with
 *   `DeadlineExceeded`; a pod being deleted is removed with a delete of grace period 0.
 * - **Throughput.** Every write goes through one limiter (`maxInFlight`, 32; Lease and node status
 *   writes jump the queue and are stamped when sent, so a pod storm cannot make a node look dead).
 *   Pod status writes are merge patches of the status subresource with a resourceVersion
 *   precondition. One process runs 1,000 nodes and 30,000 pods; the API server's write rate is
 *   the limit, not the agent.
 *
 * ```ts
 * const stop = new AbortController();
 * const sim = await startSimulatedNodes({
 *   kubeConfig, logger, signal: stop.signal,
 *   nodes: [{ name: 'node-1', cpu: 4, memory: '16Gi', pods: 110 }],
 * });
 * // … pods bound to node-1 go Running …
 * stop.abort(); await sim.stopped;           // heartbeats stop; the Node stays, as when a kubelet dies
 * ```
 *
 * Tips:
 * - Stopping and starting an agent for the same names is a kubelet restart: Nodes, pod CIDRs,
 *   running pods and their IPs are picked up again.
 * - Node names are free-form DNS names; Azure scale-set names (`<prefix><6 base-36 chars>`,
 *   shared/spec/azure.md §1) and `providerID`s fit.
 */
export { startNodeAgent, startSimulatedNodes } from './agent.js';
export type { NodeAgent, NodeAgentOptions, NodeAgentStats, SimulatedNodes, SimulatedNodesOptions, SimulatedNodesStats } from './agent.js';
export {
  nodeObject,
  nodeStatus,
  nodeLabels,
  nodeStatusNeedsWrite,
  validateNodeSpec,
  KUBELET_VERSION,
  CONTAINER_RUNTIME_VERSION,
  PROCESS_RUNTIME_VERSION,
  SIMULATED_ANNOTATION,
  DEFAULT_REGION,
  DEFAULT_ZONE,
  DEFAULT_INSTANCE_TYPE,
} from './node-status.js';
export type { NodeSpec, SimulatedNodeSpec, NodeNetwork, NodeIdentity } from './node-status.js';
export {
  syncPod,
  rejectedStatus,
  simulationOf,
  normalizeImage,
  backoffMs,
  isStarted,
  isTerminal,
  SIMULATE_EXIT_CODE,
  SIMULATE_RUN_SECONDS,
} from './pod-status.js';
export type { PodSync, PodPlacement, Simulation } from './pod-status.js';
export { admit, podRequests } from './admission.js';
export type { Resources, Rejection } from './admission.js';
export { parseCidr, formatCidr, subnet, PodIPAllocator } from './ipam.js';
export * from './process/index.js';
export type { Cidr } from './ipam.js';
