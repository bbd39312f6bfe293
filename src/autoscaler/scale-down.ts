/**
 * The scale-down planner (spec §5): find unneeded nodes (in a group, not being deleted, not
 * annotated `scale-down-disabled`, utilization ≤ threshold, every pod drainable and able to go to
 * another node), keep their unneeded-since times, and — outside the cooldowns — choose what to
 * delete: empty nodes in bulk (at most `--max-empty-bulk-delete`), otherwise one node to drain,
 * never below a group's min size or the cluster's minimum cores and memory.
 */
import { intValue, milliValue } from '../cluster/scheduler/index.js';
import { STATUS_CONFIG_MAP, type ClusterState } from './cluster-state.js';
import { drainNode, type BlockingPod } from './drain.js';
import { goFloat } from '../apimachinery/go-format.js';
import type { AutoscalerOptions } from './options.js';
import { scheduledPodsByNode } from './pending-pods.js';
import { hasToBeDeletedTaint, isDaemonSetPod, isMirrorPod, nodeName, podKey, SCALE_DOWN_DISABLED_ANNOTATION } from './pods.js';
import { firstFit, nodeInfo, podInfo, type NodeInfo } from './simulator.js';
import type { ClusterSnapshot, Node, PlannedEvent, Pod, StatusConfigMapRef } from './types.js';
import { nodeUtilization, type Utilization } from './utilization.js';

export type ScaleDownOptions = Pick<
  AutoscalerOptions,
  | 'scaleDownEnabled'
  | 'scaleDownDelayAfterAdd'
  | 'scaleDownDelayAfterDelete'
  | 'scaleDownDelayAfterFailure'
  | 'scaleDownUnneededTime'
  | 'scaleDownUnreadyTime'
  | 'scaleDownUtilizationThreshold'
  | 'unremovableNodeRecheckTimeout'
  | 'scaleDownNonEmptyCandidatesCount'
  | 'scaleDownCandidatesPoolRatio'
  | 'scaleDownCandidatesPoolMinCount'
  | 'maxEmptyBulkDelete'
  | 'coresTotal'
  | 'memoryTotal'
  | 'skipNodesWithSystemPods'
  | 'skipNodesWithLocalStorage'
  | 'skipNodesWithCustomControllerPods'
  | 'expendablePodsPriorityCutoff'
  | 'ignoreDaemonsetsUtilization'
  | 'ignoreMirrorPodsUtilization'
>;

/** What scale-down remembers between iterations. */
export interface ScaleDownState {
  readonly unneededSince: Readonly<Record<string, number>>;
  /** Node → when to look at it again after it was found unremovable. */
  readonly unremovableUntil: Readonly<Record<string, number>>;
  /** Initialised to the process start, so nothing is deleted in the first 10 minutes. */
  readonly lastScaleUp: number;
  readonly lastScaleDownDelete?: number;
  readonly lastScaleDownFailure?: number;
}

export function initialScaleDownState(start: number): ScaleDownState {
  return { unneededSince: {}, unremovableUntil: {}, lastScaleUp: start };
}

export type UnremovableReason =
  | 'ScaleDownDisabledAnnotation'
  | 'NotAutoscaled'
  | 'BeingDeleted'
  | 'RecentlyUnremovable'
  | 'UnexpectedError'
  | 'NotUnderutilized'
  | 'BlockedByPod'
  | 'NoPlaceToMovePods'
  | 'NodeGroupMinSizeReached'
  | 'MinimalResourceLimitExceeded'
  /** Beyond this iteration's candidate pool (`--scale-down-candidates-pool-*`, `--scale-down-non-empty-candidates-count`). */
  | 'NotEvaluated';

export interface Unremovable {
  readonly reason: UnremovableReason;
  readonly detail?: string;
  readonly blocking?: BlockingPod;
}

export interface NodeToDelete {
  readonly node: string;
  readonly group: string;
  readonly utilization: number;
  /** Pods to evict (must go elsewhere, plus expendable ones). */
  readonly pods: readonly Pod[];
}

/**
 * Why no node may be deleted this iteration. `scaleDownForbidden`: pending pods that fit on existing
 * or upcoming nodes, or pods too new to decide on — unneeded nodes are still tracked.
 */
export type Cooldown = 'scaleDownDisabled' | 'scaleDownForbidden' | 'delayAfterAdd' | 'delayAfterDelete' | 'delayAfterFailure';

export interface ScaleDownPlan {
  /** Unneeded nodes this iteration (names, node order) — the status' candidates. */
  readonly unneeded: readonly string[];
  /** Per group, how many of its nodes are unneeded. */
  readonly candidatesPerGroup: ReadonlyMap<string, number>;
  readonly utilization: ReadonlyMap<string, Utilization>;
  readonly unremovable: ReadonlyMap<string, Unremovable>;
  /** Why nothing may be deleted now, if so. */
  readonly cooldown?: Cooldown;
  /** Empty nodes to delete together. */
  readonly empty: readonly NodeToDelete[];
  /** One node to taint, drain and delete (only when no empty node is deleted). */
  readonly drain?: NodeToDelete;
  /** `ScaleDownEmpty` / `ScaleDown` on the status ConfigMap, before acting. */
  readonly events: readonly PlannedEvent[];
  /** `ScaleDownEmpty` "removed" per empty node, after a successful deletion. */
  readonly successEvents: readonly PlannedEvent[];
  readonly state: ScaleDownState;
}

/** Messages on Nodes and Pods during actuation (spec §5.7, today's wording). */
export const SCALE_DOWN_NODE_MARKED = 'marked the node as toBeDeleted/unschedulable';
export const SCALE_DOWN_NODE_REMOVED = 'nodes removed by cluster autoscaler';
export const SCALE_DOWN_POD_DELETING = 'deleting pod for node scale down';

function inCooldown(s: ScaleDownState, now: number, o: ScaleDownOptions, forbidden: boolean): Cooldown | undefined {
  if (!o.scaleDownEnabled) return 'scaleDownDisabled';
  if (forbidden) return 'scaleDownForbidden';
  if (s.lastScaleUp + o.scaleDownDelayAfterAdd > now) return 'delayAfterAdd';
  if (s.lastScaleDownFailure !== undefined && s.lastScaleDownFailure + o.scaleDownDelayAfterFailure > now) return 'delayAfterFailure';
  if (s.lastScaleDownDelete !== undefined && s.lastScaleDownDelete + o.scaleDownDelayAfterDelete > now) return 'delayAfterDelete';
  return undefined;
}

function resources(n: Node): { cores: number; memoryGiB: number } {
  const cap = n.status?.capacity ?? {};
  return { cores: Math.ceil(milliValue(cap.cpu as string | undefined) / 1000), memoryGiB: intValue(cap.memory as string | undefined) / 1024 ** 3 };
}

export interface ScaleDownInput {
  readonly snapshot: ClusterSnapshot;
  readonly cluster: Pick<ClusterState, 'nodeGroupOf' | 'readiness'>;
  readonly state: ScaleDownState;
  readonly options: ScaleDownOptions;
  /** Deletions already in progress per group (taken off the target before the min-size check). */
  readonly deletionsInProgress?: ReadonlyMap<string, number>;
  readonly statusConfigMap?: StatusConfigMapRef;
  /** Track unneeded nodes but delete none (schedulable pending pods present, or all pods too new). */
  readonly forbidden?: boolean;
}

export function planScaleDown(input: ScaleDownInput): ScaleDownPlan {
  const { snapshot, cluster, options: o } = input;
  const now = snapshot.now;
  const cm = input.statusConfigMap ?? STATUS_CONFIG_MAP;
  const podsByNode = scheduledPodsByNode(snapshot.pods, o.expendablePodsPriorityCutoff);
  // All pods on nodes (expendable too), for drain decisions.
  const allPodsByNode = new Map<string, Pod[]>();
  for (const p of snapshot.pods) {
    const n = p.spec?.nodeName;
    if (!n) continue;
    const l = allPodsByNode.get(n);
    if (l) l.push(p);
    else allPodsByNode.set(n, [p]);
  }
  const world: NodeInfo[] = snapshot.nodes.map((n) => nodeInfo(n, podsByNode.get(nodeName(n)) ?? []));
  const worldByName = new Map(world.map((w) => [w.name, w] as const));

  const unremovable = new Map<string, Unremovable>();
  const utilization = new Map<string, Utilization>();
  const unremovableUntil: Record<string, number> = {};
  for (const [k, t] of Object.entries(input.state.unremovableUntil)) if (t > now) unremovableUntil[k] = t;

  const unneeded: string[] = [];
  const plans = new Map<string, NodeToDelete & { empty: boolean }>();
  const removed = new Set<string>();
  const budgets = new Map<string, number>();

  // Nodes unneeded last time are simulated first and all; of the others, only a pool of
  // max(⌈ratio × nodes⌉, pool min count) non-empty nodes, stopping once enough removable ones are
  // found (`--scale-down-non-empty-candidates-count` minus those already found).
  const wasUnneeded = (n: Node) => input.state.unneededSince[nodeName(n)] !== undefined;
  const ordered = [...snapshot.nodes.filter(wasUnneeded), ...snapshot.nodes.filter((n) => !wasUnneeded(n))];
  const poolSize = Math.max(Math.ceil(snapshot.nodes.length * o.scaleDownCandidatesPoolRatio), o.scaleDownCandidatesPoolMinCount);
  let foundNonEmpty = 0;
  let foundAdditional = 0;
  let examinedAdditional = 0;

  for (const n of ordered) {
    const name = nodeName(n);
    const group = cluster.nodeGroupOf.get(name);
    if (hasToBeDeletedTaint(n)) {
      unremovable.set(name, { reason: 'BeingDeleted' });
      continue;
    }
    if (n.metadata?.annotations?.[SCALE_DOWN_DISABLED_ANNOTATION] === 'true') {
      unremovable.set(name, { reason: 'ScaleDownDisabledAnnotation' });
      continue;
    }
    if (group === undefined) {
      unremovable.set(name, { reason: 'NotAutoscaled' });
      continue;
    }
    if (unremovableUntil[name] !== undefined) {
      unremovable.set(name, { reason: 'RecentlyUnremovable' });
      continue;
    }
    const pods = allPodsByNode.get(name) ?? [];
    const util = nodeUtilization(n, pods, now, o);
    if ('error' in util) {
      unremovable.set(name, { reason: 'UnexpectedError', detail: util.error });
      continue;
    }
    utilization.set(name, util);
    if (util.utilization > o.scaleDownUtilizationThreshold) {
      unremovable.set(name, { reason: 'NotUnderutilized' });
      continue;
    }
    const additional = !wasUnneeded(n);
    const needsMoves = pods.some((p) => !isDaemonSetPod(p) && !isMirrorPod(p));
    if (additional && needsMoves) {
      if (examinedAdditional >= poolSize || foundAdditional >= o.scaleDownNonEmptyCandidatesCount - (foundNonEmpty - foundAdditional)) {
        unremovable.set(name, { reason: 'NotEvaluated' });
        continue;
      }
      examinedAdditional++;
    }
    const drain = drainNode(pods, snapshot.pdbs, now, o, budgets);
    if (drain.blocking) {
      unremovable.set(name, { reason: 'BlockedByPod', detail: drain.blocking.message, blocking: drain.blocking });
      unremovableUntil[name] = now + o.unremovableNodeRecheckTimeout;
      continue;
    }
    // Reschedule the pods on other nodes; nodes already chosen for removal take none.
    const self = worldByName.get(name)!;
    const exclude = new Set([...removed, name]);
    const placed: Array<{ node: NodeInfo; key: string }> = [];
    let failed: Pod | undefined;
    for (const p of drain.toMove) {
      self.removePod(podKey(p));
      const pi = podInfo(p);
      const target = firstFit(pi, world, world, exclude);
      if (!target) {
        failed = p;
        break;
      }
      target.addPod(pi);
      placed.push({ node: target, key: pi.key });
    }
    if (failed) {
      // Undo this node's tentative placements.
      for (const { node, key } of placed) node.removePod(key);
      for (const p of drain.toMove) self.addPod(podInfo(p));
      unremovable.set(name, { reason: 'NoPlaceToMovePods', detail: `can reschedule only ${placed.length} out of ${drain.toMove.length} pods` });
      unremovableUntil[name] = now + o.unremovableNodeRecheckTimeout;
      continue;
    }
    removed.add(name);
    unneeded.push(name);
    if (needsMoves) {
      foundNonEmpty++;
      if (additional) foundAdditional++;
    }
    plans.set(name, { node: name, group, utilization: util.utilization, pods: [...drain.toMove, ...drain.evictOnly], empty: drain.toMove.length === 0 && drain.evictOnly.length === 0 });
  }

  const unneededSince: Record<string, number> = {};
  for (const name of unneeded) unneededSince[name] = input.state.unneededSince[name] ?? now;
  const candidatesPerGroup = new Map<string, number>();
  for (const name of unneeded) {
    const g = cluster.nodeGroupOf.get(name)!;
    candidatesPerGroup.set(g, (candidatesPerGroup.get(g) ?? 0) + 1);
  }
  const state: ScaleDownState = { ...input.state, unneededSince, unremovableUntil };
  const base = { unneeded, candidatesPerGroup, utilization, unremovable, state };

  const cooldown = inCooldown(input.state, now, o, input.forbidden ?? false);
  if (cooldown) return { ...base, cooldown, empty: [], events: [], successEvents: [] };

  // Eligible: unneeded for long enough; then group min sizes and cluster minimum resources.
  const groups = new Map(snapshot.nodeGroups.map((g) => [g.id, g] as const));
  const sizeLeft = new Map<string, number>();
  for (const g of snapshot.nodeGroups) sizeLeft.set(g.id, g.targetSize - (input.deletionsInProgress?.get(g.id) ?? 0));
  let cores = 0;
  let memoryGiB = 0;
  for (const n of snapshot.nodes) {
    const r = resources(n);
    cores += r.cores;
    memoryGiB += r.memoryGiB;
  }
  const nodesByName = new Map(snapshot.nodes.map((n) => [nodeName(n), n] as const));
  const eligible: Array<NodeToDelete & { empty: boolean }> = [];
  for (const name of unneeded) {
    const plan = plans.get(name)!;
    const unready = cluster.readiness.get(name) !== 'ready';
    const wait = unready ? o.scaleDownUnreadyTime : o.scaleDownUnneededTime;
    if (unneededSince[name] + wait > now) continue;
    eligible.push(plan);
  }
  // Empty nodes first (inferred ordering).
  const take = (plan: NodeToDelete): boolean => {
    const g = groups.get(plan.group);
    const left = sizeLeft.get(plan.group) ?? 0;
    if (!g || left <= g.minSize) {
      unremovable.set(plan.node, { reason: 'NodeGroupMinSizeReached' });
      return false;
    }
    const r = resources(nodesByName.get(plan.node)!);
    if (cores - r.cores < o.coresTotal.min || memoryGiB - r.memoryGiB < o.memoryTotal.min) {
      unremovable.set(plan.node, { reason: 'MinimalResourceLimitExceeded' });
      return false;
    }
    sizeLeft.set(plan.group, left - 1);
    cores -= r.cores;
    memoryGiB -= r.memoryGiB;
    return true;
  };
  const cmRef = { kind: 'ConfigMap' as const, ...cm };
  const empty: NodeToDelete[] = [];
  for (const plan of eligible) {
    if (!plan.empty || empty.length >= o.maxEmptyBulkDelete) continue;
    if (take(plan)) empty.push(strip(plan));
  }
  if (empty.length > 0) {
    return {
      ...base,
      empty,
      events: empty.map((e): PlannedEvent => ({ object: cmRef, type: 'Normal', reason: 'ScaleDownEmpty', message: `Scale-down: removing empty node ${e.node}` })),
      successEvents: empty.map((e): PlannedEvent => ({ object: cmRef, type: 'Normal', reason: 'ScaleDownEmpty', message: `Scale-down: empty node ${e.node} removed` })),
    };
  }
  for (const plan of eligible) {
    if (plan.empty || !take(plan)) continue;
    const drain = strip(plan);
    const podsText = drain.pods.map(podKey).join(',');
    return {
      ...base,
      empty: [],
      drain,
      events: [{ object: cmRef, type: 'Normal', reason: 'ScaleDown', message: `Scale-down: removing node ${drain.node}, utilization: ${goFloat(drain.utilization)}, pods to reschedule: ${podsText}` }],
      successEvents: [],
    };
  }
  return { ...base, empty: [], events: [], successEvents: [] };
}

function strip(p: NodeToDelete & { empty: boolean }): NodeToDelete {
  return { node: p.node, group: p.group, utilization: p.utilization, pods: p.pods };
}

/** Record the outcome of the actuation in the state (cooldowns). */
export function recordScaleDown(state: ScaleDownState, now: number, outcome: 'deleted' | 'failed'): ScaleDownState {
  return outcome === 'deleted' ? { ...state, lastScaleDownDelete: now } : { ...state, lastScaleDownFailure: now };
}

/** Record a successful scale-up (starts the delay-after-add cooldown). */
export function recordScaleUp(state: ScaleDownState, now: number): ScaleDownState {
  return { ...state, lastScaleUp: now };
}
