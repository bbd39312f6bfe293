/**
 * The cluster-state registry (`clusterstate.ClusterStateRegistry`) as a pure update: node readiness
 * per group and cluster-wide, unregistered instances, upcoming nodes, cluster and group health,
 * scale-up requests with their timeouts and the groups' backoff, node group sizes that need fixing
 * and long-unregistered instances to delete. What must survive between iterations is the plain
 * {@link RegistryState}.
 */
import { backoff, isBackedOff, removeStaleBackoff, type BackoffEntry, type BackoffOptions } from './backoff.js';
import { formatGoDuration } from './go-format.js';
import { hasToBeDeletedTaint, nodeName, readyCondition, timeOf } from './pods.js';
import type { ClusterSnapshot, Node, NodeGroup, PlannedEvent, StatusConfigMapRef } from './types.js';

/** 2018's `MaxNodeStartupTime`: a node still starting after this long is LongNotStarted. */
export const MAX_NODE_STARTUP_TIME = 15 * 60_000;
/** `MaxStatusSettingDelayAfterCreation`: a Ready condition set this soon after creation means "starting". */
export const MAX_STATUS_SETTING_DELAY_AFTER_CREATION = 2 * 60_000;
/** A real node must have been Ready this long to serve as its group's template. */
export const TEMPLATE_NODE_READY_TIME = 60_000;

export interface ScaleUpRequest {
  readonly group: string;
  readonly increase: number;
  readonly time: number;
  readonly expectedAddTime: number;
}

export interface IncorrectSize {
  readonly expected: number;
  readonly current: number;
  readonly firstObserved: number;
}

/** What the registry remembers between iterations. */
export interface RegistryState {
  readonly scaleUpRequests: Readonly<Record<string, ScaleUpRequest>>;
  readonly backoff: Readonly<Record<string, BackoffEntry>>;
  /** Instance id (lower case) → when it was first seen without a Node. */
  readonly unregisteredSince: Readonly<Record<string, number>>;
  readonly incorrectSizes: Readonly<Record<string, IncorrectSize>>;
}

export const EMPTY_REGISTRY_STATE: RegistryState = Object.freeze({ scaleUpRequests: {}, backoff: {}, unregisteredSince: {}, incorrectSizes: {} });

export type NodeReadiness = 'beingDeleted' | 'longNotStarted' | 'notStarted' | 'ready' | 'unready';

export interface ReadinessCounts {
  ready: number;
  unready: number;
  notStarted: number;
  longNotStarted: number;
  beingDeleted: number;
  /** Node objects. */
  registered: number;
  unregistered: number;
  longUnregistered: number;
}

export function emptyCounts(): ReadinessCounts {
  return { ready: 0, unready: 0, notStarted: 0, longNotStarted: 0, beingDeleted: 0, registered: 0, unregistered: 0, longUnregistered: 0 };
}

function isStillStarting(node: Node): boolean {
  const ready = readyCondition(node);
  const created = timeOf(node.metadata?.creationTimestamp);
  // A node without a Ready condition has not reported yet (inferred: starting).
  if (!ready) return true;
  if (ready.status === 'True' || created === undefined) return false;
  const transition = timeOf(ready.lastTransitionTime);
  return transition !== undefined && transition - created < MAX_STATUS_SETTING_DELAY_AFTER_CREATION;
}

/** The node's readiness bucket, tested in cluster-autoscaler's order (spec §3.1). */
export function nodeReadiness(node: Node, now: number): NodeReadiness {
  if (hasToBeDeletedTaint(node)) return 'beingDeleted';
  if (isStillStarting(node)) {
    const created = timeOf(node.metadata?.creationTimestamp);
    return created !== undefined && created + MAX_NODE_STARTUP_TIME < now ? 'longNotStarted' : 'notStarted';
  }
  return readyCondition(node)?.status === 'True' ? 'ready' : 'unready';
}

/** Whether the node has been Ready for at least `forMs` (healthy enough to serve as a template). */
export function readySince(node: Node, now: number, forMs: number): boolean {
  const c = readyCondition(node);
  if (c?.status !== 'True' || hasToBeDeletedTaint(node)) return false;
  const t = timeOf(c.lastTransitionTime);
  return t === undefined || t + forMs <= now;
}

/** Node name → its group id, by `spec.providerID` = instance id (case-insensitive). */
export function nodeGroupIndex(snapshot: Pick<ClusterSnapshot, 'nodes' | 'nodeGroups'>): Map<string, string> {
  const byInstance = new Map<string, string>();
  for (const g of snapshot.nodeGroups) for (const i of g.instances) byInstance.set(i.id.toLowerCase(), g.id);
  const out = new Map<string, string>();
  for (const n of snapshot.nodes) {
    const id = n.spec?.providerID?.toLowerCase();
    const g = id === undefined ? undefined : byInstance.get(id);
    if (g !== undefined) out.set(nodeName(n), g);
  }
  return out;
}

export interface AcceptableRange {
  readonly min: number;
  readonly max: number;
  readonly target: number;
}

export interface GroupState {
  readonly id: string;
  readonly counts: ReadinessCounts;
  readonly acceptable: AcceptableRange;
  readonly upcoming: number;
  readonly healthy: boolean;
  readonly backedOff: boolean;
  /** An active scale-up request exists (status ScaleUp `InProgress`). */
  readonly scaleUpInProgress: boolean;
  /** Instance ids with no Node for longer than the max node provision time. */
  readonly longUnregistered: readonly string[];
}

export interface ClusterState {
  readonly total: ReadinessCounts;
  readonly healthy: boolean;
  readonly groups: ReadonlyMap<string, GroupState>;
  readonly readiness: ReadonlyMap<string, NodeReadiness>;
  /** Node name → group id, for nodes that belong to a group. */
  readonly nodeGroupOf: ReadonlyMap<string, string>;
  readonly state: RegistryState;
  /** `ScaleUpTimedOut` Warnings. */
  readonly events: readonly PlannedEvent[];
  /** Target sizes to revert after a timed-out scale-up (negative deltas, `DecreaseTargetSize`). */
  readonly revertScaleUps: ReadonlyArray<{ readonly group: string; readonly delta: number }>;
}

export interface ClusterStateOptions extends BackoffOptions {
  readonly maxNodeProvisionTime: number;
  readonly okTotalUnreadyCount: number;
  readonly maxTotalUnreadyPercentage: number;
}

export const STATUS_CONFIG_MAP: StatusConfigMapRef = { namespace: 'kube-system', name: 'cluster-autoscaler-status' };

function add(into: ReadinessCounts, r: NodeReadiness): void {
  into[r]++;
  into.registered++;
}

/** Spec §3.2: unhealthy iff unready exceeds both the count and the percentage of registered. */
export function isClusterHealthy(total: ReadinessCounts, opts: Pick<ClusterStateOptions, 'okTotalUnreadyCount' | 'maxTotalUnreadyPercentage'>): boolean {
  const unready = total.unready;
  return !(unready > opts.okTotalUnreadyCount && unready > (opts.maxTotalUnreadyPercentage / 100) * total.registered);
}

/** Spec §3.2 (2018 form): too many nodes missing from the acceptable minimum. */
export function isGroupHealthy(counts: ReadinessCounts, acceptable: AcceptableRange, opts: Pick<ClusterStateOptions, 'okTotalUnreadyCount' | 'maxTotalUnreadyPercentage'>): boolean {
  const known = counts.ready + counts.unready + counts.notStarted + counts.longNotStarted;
  if (known === 0 && (acceptable.target === 0 || acceptable.min <= 0)) return true;
  const unjustified = Math.max(0, acceptable.min - counts.ready);
  return !(unjustified > opts.okTotalUnreadyCount && unjustified > (opts.maxTotalUnreadyPercentage / 100) * known);
}

/**
 * One iteration's update of the registry: classify nodes and instances, settle scale-up requests
 * (fulfilled → request dropped and backoff cleared; past `expectedAddTime` → `ScaleUpTimedOut`,
 * backoff `timeout`, target reverted), then health and upcoming nodes.
 */
export function updateClusterState(
  snapshot: ClusterSnapshot,
  prev: RegistryState,
  opts: ClusterStateOptions,
  statusConfigMap: StatusConfigMapRef = STATUS_CONFIG_MAP,
): ClusterState {
  const now = snapshot.now;
  const nodeGroupOf = nodeGroupIndex(snapshot);
  const readiness = new Map<string, NodeReadiness>();
  const total = emptyCounts();
  const perGroup = new Map<string, ReadinessCounts>();
  for (const g of snapshot.nodeGroups) perGroup.set(g.id, emptyCounts());
  const providerIds = new Set<string>();
  for (const n of snapshot.nodes) {
    const r = nodeReadiness(n, now);
    readiness.set(nodeName(n), r);
    add(total, r);
    const g = nodeGroupOf.get(nodeName(n));
    if (g !== undefined) add(perGroup.get(g)!, r);
    if (n.spec?.providerID) providerIds.add(n.spec.providerID.toLowerCase());
  }

  // Unregistered instances, remembered from their first sighting.
  const unregisteredSince: Record<string, number> = {};
  const longUnregistered = new Map<string, string[]>();
  for (const g of snapshot.nodeGroups) {
    const list: string[] = [];
    for (const inst of g.instances) {
      const id = inst.id.toLowerCase();
      if (providerIds.has(id)) continue;
      const since = inst.createdAt ?? prev.unregisteredSince[id] ?? now;
      unregisteredSince[id] = since;
      const c = perGroup.get(g.id)!;
      if (since + opts.maxNodeProvisionTime < now) {
        c.longUnregistered++;
        total.longUnregistered++;
        list.push(inst.id);
      } else {
        c.unregistered++;
        total.unregistered++;
      }
    }
    longUnregistered.set(g.id, list);
  }

  // Scale-up requests: fulfilled, timed out, or still pending.
  const requests: Record<string, ScaleUpRequest> = {};
  let backoffs: Record<string, BackoffEntry> = removeStaleBackoff(prev.backoff, now, opts);
  const events: PlannedEvent[] = [];
  const revertScaleUps: Array<{ group: string; delta: number }> = [];
  const groups = new Map(snapshot.nodeGroups.map((g) => [g.id, g] as const));
  for (const req of Object.values(prev.scaleUpRequests)) {
    const g = groups.get(req.group);
    if (!g) continue;
    const missing = g.targetSize - provisioned(perGroup.get(g.id)!);
    if (missing <= 0) {
      delete backoffs[g.id];
      continue;
    }
    if (req.expectedAddTime < now) {
      const waited = formatGoDuration(now - req.time);
      events.push({
        object: { kind: 'ConfigMap', ...statusConfigMap },
        type: 'Warning',
        reason: 'ScaleUpTimedOut',
        message: `Nodes added to group ${g.id} failed to register within ${waited}`,
      });
      backoffs = { ...backoffs, [g.id]: backoff(backoffs[g.id], now, opts, { code: 'timeout', message: `Scale-up timed out for node group ${g.id} after ${waited}` }) };
      revertScaleUps.push({ group: g.id, delta: -Math.min(req.increase, missing) });
      continue;
    }
    requests[g.id] = req;
  }

  const groupStates = new Map<string, GroupState>();
  const incorrectSizes: Record<string, IncorrectSize> = {};
  for (const g of snapshot.nodeGroups) {
    const counts = perGroup.get(g.id)!;
    const req = requests[g.id];
    const acceptable: AcceptableRange = {
      min: g.targetSize - counts.longUnregistered - (req?.increase ?? 0),
      max: g.targetSize + counts.beingDeleted,
      target: g.targetSize,
    };
    const backedOff = isBackedOff(backoffs[g.id], now);
    // Today's rule: upcoming nodes exist only while a scale-up request is active and not backed off.
    const upcoming = req && !backedOff ? Math.max(0, g.targetSize - provisioned(counts)) : 0;
    groupStates.set(g.id, {
      id: g.id,
      counts,
      acceptable,
      upcoming,
      healthy: isGroupHealthy(counts, acceptable, opts),
      backedOff,
      scaleUpInProgress: req !== undefined,
      longUnregistered: longUnregistered.get(g.id) ?? [],
    });
    // Registered nodes that do not add up to the target once instances still registering are
    // counted (above it, or below it minus the unregistered ones), remembered from first sight.
    if (counts.registered > g.targetSize || counts.registered < g.targetSize - counts.unregistered - counts.longUnregistered) {
      const old = prev.incorrectSizes[g.id];
      incorrectSizes[g.id] =
        old && old.expected === g.targetSize && old.current === counts.registered
          ? old
          : { expected: g.targetSize, current: counts.registered, firstObserved: now };
    }
  }

  return {
    total,
    healthy: isClusterHealthy(total, opts),
    groups: groupStates,
    readiness,
    nodeGroupOf,
    state: { scaleUpRequests: requests, backoff: backoffs, unregisteredSince, incorrectSizes },
    events,
    revertScaleUps,
  };
}

/** Nodes the group already has or will not get: ready + unready + longNotStarted + longUnregistered. */
function provisioned(c: ReadinessCounts): number {
  return c.ready + c.unready + c.longNotStarted + c.longUnregistered;
}

/** Record a successful `IncreaseSize` (`RegisterOrUpdateScaleUp`). */
export function registerScaleUp(state: RegistryState, group: string, delta: number, now: number, opts: Pick<ClusterStateOptions, 'maxNodeProvisionTime'>): RegistryState {
  const old = state.scaleUpRequests[group];
  const req: ScaleUpRequest = old
    ? { ...old, increase: old.increase + delta, expectedAddTime: delta > 0 ? now + opts.maxNodeProvisionTime : old.expectedAddTime }
    : { group, increase: delta, time: now, expectedAddTime: now + opts.maxNodeProvisionTime };
  return { ...state, scaleUpRequests: { ...state.scaleUpRequests, [group]: req } };
}

/** Record a failed `IncreaseSize`: the group is backed off (error code `cloudProviderError`). */
export function registerFailedScaleUp(state: RegistryState, group: string, message: string, now: number, opts: BackoffOptions, code = 'cloudProviderError'): RegistryState {
  const { [group]: _dropped, ...rest } = state.scaleUpRequests;
  return { ...state, scaleUpRequests: rest, backoff: { ...state.backoff, [group]: backoff(state.backoff[group], now, opts, { code, message }) } };
}

/** `FailedToScaleUpGroup` Warning for a cloud error on `IncreaseSize`. */
export function failedScaleUpEvent(group: string, err: string, statusConfigMap: StatusConfigMapRef = STATUS_CONFIG_MAP): PlannedEvent {
  return { object: { kind: 'ConfigMap', ...statusConfigMap }, type: 'Warning', reason: 'FailedToScaleUpGroup', message: `Scale-up failed for group ${group}: ${err}` };
}

/**
 * Groups whose registered node count has been below target for longer than the max node provision
 * time: `DecreaseTargetSize(registered − target)` (spec step 7).
 */
export function fixNodeGroupSizes(state: RegistryState, now: number, opts: Pick<ClusterStateOptions, 'maxNodeProvisionTime'>): Array<{ group: string; delta: number }> {
  const out: Array<{ group: string; delta: number }> = [];
  for (const [group, s] of Object.entries(state.incorrectSizes)) {
    if (s.firstObserved + opts.maxNodeProvisionTime < now && s.current < s.expected) out.push({ group, delta: s.current - s.expected });
  }
  return out.sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

export interface UnregisteredRemoval {
  readonly group: string;
  readonly instanceId: string;
  /** `DeleteUnregistered` to record once the deletion succeeded. */
  readonly event: PlannedEvent;
}

/**
 * Long-unregistered instances to delete (spec step 4), never taking a group below its min size
 * unless `forceDeleteUnregisteredNodes`.
 */
export function planUnregisteredRemoval(
  cluster: Pick<ClusterState, 'groups'>,
  nodeGroups: readonly NodeGroup[],
  opts: { readonly forceDeleteUnregisteredNodes: boolean },
  statusConfigMap: StatusConfigMapRef = STATUS_CONFIG_MAP,
): { removals: UnregisteredRemoval[]; skipped: Array<{ group: string; instanceId: string; reason: string }> } {
  const removals: UnregisteredRemoval[] = [];
  const skipped: Array<{ group: string; instanceId: string; reason: string }> = [];
  for (const g of nodeGroups) {
    let size = g.targetSize;
    for (const id of cluster.groups.get(g.id)?.longUnregistered ?? []) {
      if (!opts.forceDeleteUnregisteredNodes && size <= g.minSize) {
        skipped.push({ group: g.id, instanceId: id, reason: `min size reached (target ${size}, min ${g.minSize})` });
        continue;
      }
      size--;
      removals.push({
        group: g.id,
        instanceId: id,
        event: { object: { kind: 'ConfigMap', ...statusConfigMap }, type: 'Normal', reason: 'DeleteUnregistered', message: `Removed unregistered node ${id}` },
      });
    }
  }
  return { removals, skipped };
}

/** `DeleteUnregisteredFailed` Warning. */
export function deleteUnregisteredFailedEvent(id: string, err: string, statusConfigMap: StatusConfigMapRef = STATUS_CONFIG_MAP): PlannedEvent {
  return { object: { kind: 'ConfigMap', ...statusConfigMap }, type: 'Warning', reason: 'DeleteUnregisteredFailed', message: `Failed to remove node ${id}: ${err}` };
}

/** `ClusterUnhealthy` Warning (spec step 5). */
export function clusterUnhealthyEvent(statusConfigMap: StatusConfigMapRef = STATUS_CONFIG_MAP): PlannedEvent {
  return { object: { kind: 'ConfigMap', ...statusConfigMap }, type: 'Warning', reason: 'ClusterUnhealthy', message: 'Cluster is unhealthy' };
}
