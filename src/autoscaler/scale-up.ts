/**
 * The scale-up planner (spec §4): for the pods left by the pending-pod filter, find which node groups
 * could help (skipping backed-off, unhealthy and full groups, groups whose next node would break
 * `--cores-total` / `--memory-total`, and groups whose template the pods do not fit), estimate each
 * group's node count, choose with the expander chain, apply `--max-nodes-total` and the resource
 * limits, balance among similar groups, and word the events as cluster-autoscaler does.
 */
import { intValue, milliValue } from '../cluster/scheduler/index.js';
import { isSimilar, splitScaleUp } from './balance.js';
import { STATUS_CONFIG_MAP, type ClusterState } from './cluster-state.js';
import { buildEquivalenceGroups, type EquivalenceGroup } from './equivalence.js';
import { estimate } from './estimator.js';
import { expand, type ExpansionOption, type PriorityRule } from './expander.js';
import type { AutoscalerOptions } from './options.js';
import { podKey } from './pods.js';
import { checkPredicates, nodeInfo, podInfo, type NodeInfo } from './simulator.js';
import type { ClusterSnapshot, NodeGroup, PlannedEvent, Pod, StatusConfigMapRef, TemplateNodeInfo } from './types.js';

export const REASON_BACKOFF = 'in backoff after failed scale-up';
export const REASON_NOT_READY = 'not ready for scale-up';
export const REASON_MAX_SIZE = 'max node group size reached';
export const REASON_MAX_TOTAL = 'max total nodes in cluster reached';
/** No healthy node and no provider template to simulate with (inferred wording). */
export const REASON_NO_TEMPLATE = 'no node template';

export type ScaleUpOptions = Pick<
  AutoscalerOptions,
  'maxNodesTotal' | 'coresTotal' | 'memoryTotal' | 'maxNodesPerScaleup' | 'expander' | 'balanceSimilarNodeGroups' | 'balancingIgnoreLabel'
>;

export interface ScaleUpInput {
  readonly snapshot: ClusterSnapshot;
  readonly cluster: Pick<ClusterState, 'groups' | 'total'>;
  readonly templates: ReadonlyMap<string, TemplateNodeInfo>;
  /** Pods that need new nodes (`filterPendingPods(...).pods`). */
  readonly pods: readonly Pod[];
  /** The simulation's nodes (existing and upcoming, with placed pods), for inter-pod affinity. */
  readonly world?: readonly NodeInfo[];
  readonly options: ScaleUpOptions;
  readonly random?: () => number;
  readonly priorities?: readonly PriorityRule[];
  /** Apply Azure's `agentpool` similarity rule. */
  readonly azure?: boolean;
  readonly statusConfigMap?: StatusConfigMapRef;
}

export interface GroupIncrease {
  readonly group: string;
  readonly current: number;
  readonly newSize: number;
  readonly max: number;
}

export interface ScaleUpPlan {
  /** `IncreaseSize(newSize − current)` per group; empty when nothing scales. */
  readonly increases: readonly GroupIncrease[];
  readonly option?: ExpansionOption;
  /** Every group that could take some of the pods, with its estimate (what the expander chose from). */
  readonly options: readonly ExpansionOption[];
  /** Events to record before calling the cloud (`ScaledUpGroup` "setting", `TriggeredScaleUp`, or `NotTriggerScaleUp`, `MaxNodesTotalReached`). */
  readonly events: readonly PlannedEvent[];
  /** `ScaledUpGroup` "size set" per group, to record after a successful `IncreaseSize`. */
  readonly successEvents: readonly PlannedEvent[];
  /** Per node group, why it could not help (group id → reasons), for `why <pod>`. */
  readonly rejected: ReadonlyMap<string, ReadonlyMap<string, readonly string[]>>;
  /** An internal error such as `max node total count already reached`. */
  readonly error?: string;
}

interface Totals {
  nodes: number;
  cores: number;
  memoryGiB: number;
}

const GIB = 1024 ** 3;

function nodeResources(t: TemplateNodeInfo['node']): { cores: number; memoryGiB: number } {
  const cap = t.status?.capacity ?? {};
  return { cores: Math.ceil(milliValue(cap.cpu as string | undefined) / 1000), memoryGiB: intValue(cap.memory as string | undefined) / GIB };
}

function clusterTotals(input: ScaleUpInput): Totals {
  const t: Totals = { nodes: input.snapshot.nodes.length, cores: 0, memoryGiB: 0 };
  for (const n of input.snapshot.nodes) {
    const r = nodeResources(n);
    t.cores += r.cores;
    t.memoryGiB += r.memoryGiB;
  }
  for (const g of input.snapshot.nodeGroups) {
    const up = input.cluster.groups.get(g.id)?.upcoming ?? 0;
    const tpl = input.templates.get(g.id);
    if (!up || !tpl) continue;
    const r = nodeResources(tpl.node);
    t.nodes += up;
    t.cores += up * r.cores;
    t.memoryGiB += up * r.memoryGiB;
  }
  return t;
}

/** Resources that one more node of this template would push past their max. */
function exceededResources(tpl: TemplateNodeInfo, totals: Totals, opts: ScaleUpOptions): string[] {
  const r = nodeResources(tpl.node);
  const out: string[] = [];
  if (totals.cores + r.cores > opts.coresTotal.max) out.push('cpu');
  if (totals.memoryGiB + r.memoryGiB > opts.memoryTotal.max) out.push('memory');
  return out;
}

/** How many nodes of this template the resource limits still allow, and the resource that binds. */
function resourceHeadroom(tpl: TemplateNodeInfo, totals: Totals, opts: ScaleUpOptions): { n: number; resource?: string } {
  const r = nodeResources(tpl.node);
  let n = Infinity;
  let resource: string | undefined;
  if (r.cores > 0) {
    n = Math.floor((opts.coresTotal.max - totals.cores) / r.cores);
    resource = 'cpu';
  }
  if (r.memoryGiB > 0) {
    const m = Math.floor((opts.memoryTotal.max - totals.memoryGiB) / r.memoryGiB + 1e-9);
    if (m < n) {
      n = m;
      resource = 'memory';
    }
  }
  return { n: Math.max(0, n), resource };
}

/** `{<group> <cur>-><new> (max: <max>)}`. */
function info(i: GroupIncrease): string {
  return `{${i.group} ${i.current}->${i.newSize} (max: ${i.max})}`;
}

/** `pod didn't trigger scale-up: <count> <reason>, …`, reasons sorted. */
export function notTriggerScaleUpMessage(reasonsByGroup: Iterable<readonly string[]>): string {
  const counts = new Map<string, number>();
  for (const reasons of reasonsByGroup) for (const r of new Set(reasons)) counts.set(r, (counts.get(r) ?? 0) + 1);
  const parts = [...counts.keys()].sort().map((r) => `${counts.get(r)} ${r}`);
  return `pod didn't trigger scale-up: ${parts.join(', ')}`;
}

function podRef(p: Pod): PlannedEvent['object'] {
  return { kind: 'Pod', namespace: p.metadata?.namespace ?? 'default', name: p.metadata?.name ?? '' };
}

export function planScaleUp(input: ScaleUpInput): ScaleUpPlan {
  const opts = input.options;
  const cm = input.statusConfigMap ?? STATUS_CONFIG_MAP;
  const empty: ScaleUpPlan = { increases: [], options: [], events: [], successEvents: [], rejected: new Map() };
  if (input.pods.length === 0) return empty;

  if (opts.maxNodesTotal > 0 && input.cluster.total.ready >= opts.maxNodesTotal) {
    return {
      ...empty,
      events: [
        { object: { kind: 'ConfigMap', ...cm }, type: 'Warning', reason: 'MaxNodesTotalReached', message: `Max total nodes in cluster reached: ${opts.maxNodesTotal}` },
        ...input.pods.map((p): PlannedEvent => ({ object: podRef(p), type: 'Normal', reason: 'NotTriggerScaleUp', message: `pod didn't trigger scale-up: ${REASON_MAX_TOTAL}` })),
      ],
    };
  }

  const eqGroups = buildEquivalenceGroups(input.pods);
  const totals = clusterTotals(input);
  const world = input.world ?? [];
  // eq group index → node group id → reasons it cannot help.
  const rejections = eqGroups.map(() => new Map<string, readonly string[]>());
  const fitsGroup = new Map<string, Set<number>>();
  const options: ExpansionOption[] = [];
  const valid: NodeGroup[] = [];

  for (const g of input.snapshot.nodeGroups) {
    const state = input.cluster.groups.get(g.id);
    const tpl = input.templates.get(g.id);
    let groupReason: string | undefined;
    if (state?.backedOff) groupReason = REASON_BACKOFF;
    else if (state && !state.healthy) groupReason = REASON_NOT_READY;
    else if (g.targetSize >= g.maxSize) groupReason = REASON_MAX_SIZE;
    else if (!tpl) groupReason = REASON_NO_TEMPLATE;
    else {
      const exceeded = exceededResources(tpl, totals, opts);
      if (exceeded.length) groupReason = `exceeded quota: "cluster-wide", resources: ${exceeded.join(', ')}`;
    }
    if (groupReason !== undefined || !tpl) {
      for (const r of rejections) r.set(g.id, [groupReason ?? REASON_NO_TEMPLATE]);
      continue;
    }
    valid.push(g);
    const emptyNode = nodeInfo(tpl.node, tpl.pods);
    const all = [...world, emptyNode];
    const fitting: EquivalenceGroup[] = [];
    const fitIdx = new Set<number>();
    eqGroups.forEach((eg, i) => {
      const reasons = checkPredicates(podInfo(eg.representative), emptyNode, all);
      if (reasons.length) rejections[i].set(g.id, reasons);
      else {
        fitting.push(eg);
        fitIdx.add(i);
      }
    });
    fitsGroup.set(g.id, fitIdx);
    if (fitting.length === 0) continue;
    let maxNodes = Math.min(opts.maxNodesPerScaleup, g.maxSize - g.targetSize);
    if (opts.maxNodesTotal > 0) maxNodes = Math.min(maxNodes, opts.maxNodesTotal - totals.nodes);
    if (maxNodes <= 0) {
      // Registered and upcoming nodes already reach --max-nodes-total.
      for (const i of fitIdx) rejections[i].set(g.id, [REASON_MAX_TOTAL]);
      continue;
    }
    const est = estimate(fitting, tpl, { maxNodes, world });
    if (est.nodeCount > 0) options.push({ group: g.id, nodeCount: est.nodeCount, pods: est.pods, template: tpl });
  }

  const rejected = new Map<string, ReadonlyMap<string, readonly string[]>>();
  eqGroups.forEach((eg, i) => {
    for (const p of eg.pods) rejected.set(podKey(p), rejections[i]);
  });

  const notTriggered = (): PlannedEvent[] =>
    eqGroups.flatMap((eg, i) =>
      eg.pods.map((p): PlannedEvent => ({ object: podRef(p), type: 'Normal', reason: 'NotTriggerScaleUp', message: notTriggerScaleUpMessage(rejections[i].values()) })),
    );

  if (options.length === 0) return { ...empty, events: notTriggered(), rejected };
  const considered = { ...empty, options, rejected };

  const chosen = expand(opts.expander, options, { random: input.random ?? Math.random, priorities: input.priorities, statusConfigMap: cm });
  const best = chosen.best!;
  let n = best.nodeCount;
  if (opts.maxNodesTotal > 0) {
    n = Math.min(n, opts.maxNodesTotal - totals.nodes);
    if (n < 1) return { ...considered, events: [...chosen.events, ...notTriggered()], error: 'max node total count already reached' };
  }
  const headroom = resourceHeadroom(best.template, totals, opts);
  n = Math.min(n, headroom.n);
  if (n < 1) {
    return { ...considered, events: [...chosen.events, ...notTriggered()], error: `cannot create any node; max limit for resource ${headroom.resource} reached` };
  }

  // Balancing among similar groups that can take the same pods.
  const targets = [best.group];
  if (opts.balanceSimilarNodeGroups) {
    const bestFits = fitsGroup.get(best.group) ?? new Set<number>();
    for (const g of valid) {
      if (g.id === best.group) continue;
      const tpl = input.templates.get(g.id)!;
      const fits = fitsGroup.get(g.id) ?? new Set<number>();
      if (![...bestFits].every((i) => fits.has(i))) continue;
      if (isSimilar(best.template, tpl, { ignoreLabels: opts.balancingIgnoreLabel, azure: input.azure })) targets.push(g.id);
    }
  }
  const groupsById = new Map(input.snapshot.nodeGroups.map((g) => [g.id, g] as const));
  let deltas: Array<{ group: string; delta: number }>;
  if (targets.length > 1) {
    deltas = splitScaleUp(
      targets.map((id) => ({ group: id, current: groupsById.get(id)!.targetSize, max: groupsById.get(id)!.maxSize })),
      n,
    );
  } else {
    const g = groupsById.get(best.group)!;
    deltas = [{ group: g.id, delta: Math.min(n, g.maxSize - g.targetSize) }];
  }
  const increases: GroupIncrease[] = deltas.map((d) => {
    const g = groupsById.get(d.group)!;
    return { group: g.id, current: g.targetSize, newSize: g.targetSize + d.delta, max: g.maxSize };
  });

  const cmRef = { kind: 'ConfigMap' as const, ...cm };
  const events: PlannedEvent[] = [...chosen.events];
  for (const i of increases) {
    events.push({ object: cmRef, type: 'Normal', reason: 'ScaledUpGroup', message: `Scale-up: setting group ${i.group} size to ${i.newSize} instead of ${i.current} (max: ${i.max})` });
  }
  const triggered = `pod triggered scale-up: [${increases.map(info).join(' ')}]`;
  for (const p of best.pods) events.push({ object: podRef(p), type: 'Normal', reason: 'TriggeredScaleUp', message: triggered });
  const successEvents = increases.map(
    (i): PlannedEvent => ({ object: cmRef, type: 'Normal', reason: 'ScaledUpGroup', message: `Scale-up: group ${i.group} size set to ${i.newSize} instead of ${i.current} (max: ${i.max})` }),
  );
  return { increases, option: best, options, events, successEvents, rejected };
}
