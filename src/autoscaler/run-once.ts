/**
 * One `RunOnce` as a pure decision (spec §2): the registry update, then the first of — remove
 * long-unregistered instances (the iteration goes on), stop on an unhealthy cluster, fix node group
 * sizes, scale up, wait for young pods, scale down (then, with `--enforce-node-group-min-size`, raise
 * groups below their min). Scale-down deletes nothing while pending pods fit on existing or upcoming
 * nodes (they are about to be scheduled) or are all too new. The loop carries out `decision`, records the events, feeds outcomes back
 * with `registerScaleUp` / `registerFailedScaleUp` / `recordScaleUp` / `recordScaleDown`, and writes
 * `status` to the status ConfigMap whatever the decision was.
 */
import {
  clusterUnhealthyEvent,
  fixNodeGroupSizes,
  planUnregisteredRemoval,
  updateClusterState,
  type ClusterState,
  type RegistryState,
  type UnregisteredRemoval,
} from './cluster-state.js';
import type { PriorityRule } from './expander.js';
import type { AutoscalerOptions } from './options.js';
import { buildWorld, filterPendingPods, type PendingPods } from './pending-pods.js';
import { planScaleDown, type ScaleDownPlan, type ScaleDownState } from './scale-down.js';
import { planScaleUp, type GroupIncrease, type ScaleUpPlan } from './scale-up.js';
import { buildStatus, type AutoscalerStatus } from './status.js';
import { buildTemplates, upcomingNodes } from './template.js';
import type { ClusterSnapshot, NodeGroup, PlannedEvent, StatusConfigMapRef } from './types.js';

export interface RunOnceInput {
  readonly snapshot: ClusterSnapshot;
  readonly registry: RegistryState;
  readonly scaleDown: ScaleDownState;
  readonly options: AutoscalerOptions;
  readonly previousStatus?: AutoscalerStatus;
  readonly random?: () => number;
  readonly priorities?: readonly PriorityRule[];
  readonly azure?: boolean;
  readonly deletionsInProgress?: ReadonlyMap<string, number>;
}

export type Decision =
  | { readonly kind: 'clusterUnhealthy' }
  | { readonly kind: 'fixNodeGroupSizes'; readonly fixes: ReadonlyArray<{ readonly group: string; readonly delta: number }> }
  | { readonly kind: 'scaleUp'; readonly plan: ScaleUpPlan }
  /** All pending pods are younger than 2 s: no scale-up, and scale-down only tracks unneeded nodes. */
  | { readonly kind: 'waitForYoungPods'; readonly plan?: ScaleDownPlan }
  | { readonly kind: 'scaleDown'; readonly plan: ScaleDownPlan; readonly enforceMinSize: readonly GroupIncrease[] }
  | { readonly kind: 'noScaleDown'; readonly plan?: ScaleDownPlan; readonly enforceMinSize: readonly GroupIncrease[] };

export interface RunOnceResult {
  readonly cluster: ClusterState;
  /** Long-unregistered instances to delete first (each with its `DeleteUnregistered` event). */
  readonly removeUnregistered: readonly UnregisteredRemoval[];
  /** Timed-out scale-ups whose target to revert (`DecreaseTargetSize`). */
  readonly revertScaleUps: ReadonlyArray<{ readonly group: string; readonly delta: number }>;
  readonly pending?: PendingPods;
  /** The scale-up simulation, also when it decided nothing (its `NotTriggerScaleUp` events, `rejected`). */
  readonly scaleUp?: ScaleUpPlan;
  readonly decision: Decision;
  /** Events to record now (timeouts, unhealthy cluster, the chosen plan's). */
  readonly events: readonly PlannedEvent[];
  readonly registry: RegistryState;
  readonly scaleDownState: ScaleDownState;
  readonly status: AutoscalerStatus;
}

/** Groups below their min size, raised to it (`--enforce-node-group-min-size`). */
export function planMinSizeEnforcement(nodeGroups: readonly NodeGroup[]): GroupIncrease[] {
  return nodeGroups.filter((g) => g.targetSize < g.minSize).map((g) => ({ group: g.id, current: g.targetSize, newSize: g.minSize, max: g.maxSize }));
}

export function runOnce(input: RunOnceInput): RunOnceResult {
  const { snapshot, options } = input;
  const cm: StatusConfigMapRef = { namespace: options.namespace, name: options.statusConfigMapName };
  const cluster = updateClusterState(snapshot, input.registry, options, cm);
  const events: PlannedEvent[] = [...cluster.events];
  const { removals } = planUnregisteredRemoval(cluster, snapshot.nodeGroups, options, cm);
  const status = (candidates: ReadonlyMap<string, number>) => buildStatus(cluster, snapshot.nodeGroups, candidates, snapshot.now, input.previousStatus);
  const common = { cluster, removeUnregistered: removals, revertScaleUps: cluster.revertScaleUps, registry: cluster.state };
  const lastCandidates = () => {
    const m = new Map<string, number>();
    for (const name of Object.keys(input.scaleDown.unneededSince)) {
      const g = cluster.nodeGroupOf.get(name);
      if (g !== undefined) m.set(g, (m.get(g) ?? 0) + 1);
    }
    return m;
  };

  if (!cluster.healthy) {
    events.push(clusterUnhealthyEvent(cm));
    return { ...common, decision: { kind: 'clusterUnhealthy' }, events, scaleDownState: input.scaleDown, status: status(lastCandidates()) };
  }
  const fixes = fixNodeGroupSizes(cluster.state, snapshot.now, options);
  if (fixes.length > 0) {
    return { ...common, decision: { kind: 'fixNodeGroupSizes', fixes }, events, scaleDownState: input.scaleDown, status: status(lastCandidates()) };
  }

  const templates = buildTemplates(snapshot, cluster);
  const upcoming = upcomingNodes(snapshot.nodeGroups, cluster, templates);
  const world = buildWorld(snapshot, options.expendablePodsPriorityCutoff, upcoming);
  const pending = filterPendingPods(snapshot, world, options);
  let scaleUp: ScaleUpPlan | undefined;
  if (pending.pods.length > 0 && !pending.waitForYoungPods) {
    scaleUp = planScaleUp({ snapshot, cluster, templates, pods: pending.pods, world, options, random: input.random, priorities: input.priorities, azure: input.azure, statusConfigMap: cm });
    events.push(...scaleUp.events);
    if (scaleUp.increases.length > 0) {
      return { ...common, pending, scaleUp, decision: { kind: 'scaleUp', plan: scaleUp }, events, scaleDownState: input.scaleDown, status: status(lastCandidates()) };
    }
  }
  const enforceMinSize = options.enforceNodeGroupMinSize && !pending.waitForYoungPods ? planMinSizeEnforcement(snapshot.nodeGroups) : [];
  if (!options.scaleDownEnabled) {
    const decision: Decision = pending.waitForYoungPods ? { kind: 'waitForYoungPods' } : { kind: 'noScaleDown', enforceMinSize };
    return { ...common, pending, scaleUp, decision, events, scaleDownState: input.scaleDown, status: status(new Map()) };
  }
  // Unneeded nodes are tracked in any case; deleting waits while pending pods are about to be
  // scheduled on existing or upcoming nodes, or are too new to judge.
  const forbidden = pending.fitting.length > 0 || pending.waitForYoungPods;
  const plan = planScaleDown({ snapshot, cluster, state: input.scaleDown, options, deletionsInProgress: input.deletionsInProgress, statusConfigMap: cm, forbidden });
  events.push(...plan.events);
  const acts = plan.empty.length > 0 || plan.drain !== undefined;
  const decision: Decision = pending.waitForYoungPods
    ? { kind: 'waitForYoungPods', plan }
    : acts
      ? { kind: 'scaleDown', plan, enforceMinSize }
      : { kind: 'noScaleDown', plan, enforceMinSize };
  return {
    ...common,
    pending,
    scaleUp,
    decision,
    events,
    scaleDownState: plan.state,
    status: status(plan.candidatesPerGroup),
  };
}
