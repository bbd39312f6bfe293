/**
 * @module autoscaler
 *
 * cluster-autoscaler's pure core: plain data in (a {@link ClusterSnapshot} of nodes, pods, PDBs and
 * node groups, the time, the parsed {@link AutoscalerOptions}, and what the previous iteration left
 * in {@link RegistryState} / {@link ScaleDownState}), decisions and Events out. No I/O: the loop that
 * lists objects, calls the cloud and writes Events and the status ConfigMap wraps these planners.
 *
 * A tour, in the order of one `RunOnce` (cluster-autoscaler.md §2):
 * - **Options** — {@link parseOptions} reads cluster-autoscaler's flags with their defaults and
 *   upstream's error texts; {@link parseNodeGroupSpec} reads `--nodes=<min>:<max>:<name>`;
 *   {@link resolveAutoDiscovery} matches `--node-group-auto-discovery=label:…` specs against scale-set
 *   tags (highest min, lowest max; no bounds → ignored).
 * - **Cluster state** — {@link updateClusterState} buckets nodes (ready, unready, notStarted,
 *   longNotStarted, beingDeleted) and instances (unregistered, longUnregistered), settles scale-up
 *   requests (timeouts back a group off: {@link backoff}, 5 min doubling to 30 min), and works out
 *   upcoming nodes and cluster/group health; {@link planUnregisteredRemoval} and
 *   {@link fixNodeGroupSizes} are steps 4 and 7.
 * - **Pending pods** — {@link buildTemplates} gives each group its template node,
 *   {@link upcomingNodes} the `upcoming-N` copies, {@link buildWorld} the simulation's NodeInfos, and
 *   {@link filterPendingPods} drops expendable pods, pods that fit somewhere already, DaemonSet pods
 *   and pods too young.
 * - **Scale-up** — {@link planScaleUp}: equivalence groups, per-group skip reasons and scheduler
 *   predicates on the template ({@link checkPredicates}, from src/cluster/scheduler), the binpacking
 *   {@link estimate}, the expander chain ({@link expand}: random, most-pods, least-waste, least-nodes,
 *   priority), `--max-nodes-total` and resource limits, balancing ({@link isSimilar},
 *   {@link splitScaleUp}), and the `ScaledUpGroup` / `TriggeredScaleUp` / `NotTriggerScaleUp` events.
 * - **Scale-down** — {@link planScaleDown}: utilization ({@link nodeUtilization}), drainability
 *   ({@link drainNode}), rescheduling onto other nodes, unneeded-since times, cooldowns, min sizes,
 *   empty nodes in bulk or one node to drain, and the `ScaleDownEmpty` / `ScaleDown` events.
 * - **The whole iteration** — {@link runOnce} chains the above in `RunOnce`'s order and returns one
 *   {@link Decision} for the loop to carry out, with the events and the next states.
 * - **Status** — {@link buildStatus}, then {@link formatTextStatus} or {@link formatYamlStatus} for
 *   `kube-system/cluster-autoscaler-status`.
 * - **Why** — {@link explainPod} runs the same steps up to the scale-up plan for one pending pod and
 *   gives each node group's verdict (predicate failures, max size, backoff, limits, or the scale-up);
 *   {@link formatWhy} words it for `flotilla autoscaler why <pod>`.
 *
 * The shell lives beside the core, each folder with its own entry: `./cloudprovider/` (the
 * CloudProvider/NodeGroup contract and the `scaleset` provider), `./loop/` (`startAutoscaler`: the
 * informers, the loop, actuation, Events, the status ConfigMap, leader election, metrics) and
 * `./cli.ts` (`flotilla autoscaler run|status|simulate|why`). `./simulate/` is pure like this module:
 * the what-if simulator, a trace replayed over virtual time with these planners, plotted as SVG.
 * This module stays free of I/O.
 *
 * Tips:
 * - Times are epoch milliseconds; pass the same `now` to every planner of one iteration.
 * - Planners never mutate their input; the state objects they return replace the previous ones.
 * - Event reasons and messages are user-visible and parsed by tools: they are upstream's, verbatim.
 */
export type { ClusterSnapshot, Instance, NodeGroup, PlannedEvent, StatusConfigMapRef, TemplateNodeInfo } from './types.js';

export { formatGoDuration, formatGoTime, formatRfc3339, parseGoDuration } from './go-format.js';

export {
  DEFAULT_OPTIONS,
  EXPANDERS,
  FLAG_NAMES,
  flagDefaultText,
  OptionsError,
  parseAutoDiscoverySpec,
  parseExpanders,
  parseMinMax,
  parseNodeGroupSpec,
  parseOptions,
  resolveAutoDiscovery,
  splitOperands,
} from './options.js';
export type { AutoDiscoverySpec, AutoscalerOptions, DiscoveredGroups, ExpanderName, MinMax, NodeGroupSpec, TaggedScaleSet } from './options.js';

export { backoff, isBackedOff, removeStaleBackoff } from './backoff.js';
export type { BackoffEntry, BackoffOptions } from './backoff.js';

export {
  EMPTY_REGISTRY_STATE,
  MAX_NODE_STARTUP_TIME,
  STATUS_CONFIG_MAP,
  clusterUnhealthyEvent,
  deleteUnregisteredFailedEvent,
  failedScaleUpEvent,
  fixNodeGroupSizes,
  isClusterHealthy,
  isGroupHealthy,
  nodeGroupIndex,
  nodeReadiness,
  planUnregisteredRemoval,
  registerFailedScaleUp,
  registerScaleUp,
  updateClusterState,
} from './cluster-state.js';
export type {
  AcceptableRange,
  ClusterState,
  ClusterStateOptions,
  GroupState,
  IncorrectSize,
  NodeReadiness,
  ReadinessCounts,
  RegistryState,
  ScaleUpRequest,
  UnregisteredRemoval,
} from './cluster-state.js';

export {
  DAEMONSET_POD_ANNOTATION,
  POD_SCALE_UP_DELAY_ANNOTATION,
  SAFE_TO_EVICT_ANNOTATION,
  SAFE_TO_EVICT_LOCAL_VOLUMES_ANNOTATION,
  SCALE_DOWN_DISABLED_ANNOTATION,
  TO_BE_DELETED_TAINT,
  DELETION_CANDIDATE_TAINT,
  isDaemonSetPod,
  isExpendable,
  isMirrorPod,
  isUnschedulable,
} from './pods.js';

export { checkPredicates, firstFit, nodeInfo, podInfo } from './simulator.js';
export type { FitReasons } from './simulator.js';

export { buildTemplates, sanitizeNodeInfo, upcomingNodes } from './template.js';
export { buildWorld, filterPendingPods, podScaleUpDelay } from './pending-pods.js';
export type { PendingPodOptions, PendingPods } from './pending-pods.js';

export { buildEquivalenceGroups } from './equivalence.js';
export type { EquivalenceGroup } from './equivalence.js';
export { binpackingScore, estimate } from './estimator.js';
export type { Estimate, EstimateOptions } from './estimator.js';
export { expand, leastNodes, leastWaste, mostPods, parsePriorityConfig, priorityFilter, wasteScore, PRIORITY_CONFIG_MAP_KEY, PRIORITY_CONFIG_MAP_NAME } from './expander.js';
export type { ExpanderContext, ExpanderResult, ExpansionOption, PriorityRule } from './expander.js';
export { BASIC_IGNORED_LABELS, isSimilar, splitScaleUp } from './balance.js';
export type { BalanceTarget, SimilarityOptions } from './balance.js';
export { notTriggerScaleUpMessage, planScaleUp, REASON_BACKOFF, REASON_MAX_SIZE, REASON_MAX_TOTAL, REASON_NOT_READY } from './scale-up.js';
export type { GroupIncrease, ScaleUpInput, ScaleUpOptions, ScaleUpPlan } from './scale-up.js';

export { nodeUtilization } from './utilization.js';
export type { Utilization, UtilizationOptions } from './utilization.js';
export { drainNode, hasBlockingLocalStorage } from './drain.js';
export type { BlockingPod, BlockingReason, DrainOptions, NodeDrain } from './drain.js';
export {
  initialScaleDownState,
  planScaleDown,
  recordScaleDown,
  recordScaleUp,
  SCALE_DOWN_NODE_MARKED,
  SCALE_DOWN_NODE_REMOVED,
  SCALE_DOWN_POD_DELETING,
} from './scale-down.js';
export type { Cooldown, NodeToDelete, ScaleDownInput, ScaleDownOptions, ScaleDownPlan, ScaleDownState, Unremovable, UnremovableReason } from './scale-down.js';

export { planMinSizeEnforcement, runOnce } from './run-once.js';
export type { Decision, RunOnceInput, RunOnceResult } from './run-once.js';

export { buildStatus, initializingStatus, formatTextStatus, formatYamlStatus, statusConfigMapData, LAST_UPDATED_ANNOTATION } from './status.js';
export type { AutoscalerStatus, HealthCondition, NodeGroupStatus, ScaleDownCondition, ScaleUpCondition } from './status.js';

export { explainPod, formatWhy, hintsFromStatus, registryFromHints, NO_HINTS } from './why.js';
export type { GroupVerdict, StatusHints, WhyInput, WhyResult } from './why.js';
