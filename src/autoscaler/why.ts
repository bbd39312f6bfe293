/**
 * `flotilla autoscaler why <pod>`: why a pending pod did, or did not, trigger a scale-up. The same
 * steps as one `RunOnce` up to the scale-up decision — cluster state, templates, upcoming nodes, the
 * pending-pod filter, {@link planScaleUp} — run on a snapshot of the cluster, then the verdict for
 * one pod per node group: the scheduler predicate failures on the group's template, max size, backoff,
 * resource limits, or the group that would be scaled and by how much.
 *
 * The live autoscaler keeps its backoffs and scale-up requests in memory; what it publishes of them
 * in the status ConfigMap (a group's `ScaleUp: Backoff` / `InProgress`) comes in as
 * {@link StatusHints} ({@link hintsFromStatus}), so a backed-off group is reported as such here too.
 */
import { parse as parseYaml } from 'yaml';
import { EMPTY_REGISTRY_STATE, updateClusterState, type RegistryState } from './cluster-state.js';
import type { PriorityRule } from './expander.js';
import { formatGoDuration } from './go-format.js';
import type { AutoscalerOptions } from './options.js';
import { buildWorld, filterPendingPods, podScaleUpDelay } from './pending-pods.js';
import { isExpendable, isUnschedulable, podKey, timeOf } from './pods.js';
import { planScaleUp, REASON_MAX_TOTAL, type GroupIncrease } from './scale-up.js';
import { buildTemplates, upcomingNodes } from './template.js';
import type { ClusterSnapshot, Pod } from './types.js';

/** What the status ConfigMap says about each group's scale-up state. */
export interface StatusHints {
  /** Groups in `ScaleUp: Backoff`, with the error when the YAML format gives it. */
  readonly backoff: ReadonlyMap<string, { readonly errorCode: string; readonly errorMessage: string }>;
  /** Groups in `ScaleUp: InProgress` (their missing nodes are upcoming). */
  readonly inProgress: ReadonlySet<string>;
}

export const NO_HINTS: StatusHints = { backoff: new Map(), inProgress: new Set() };

/** Read group scale-up states from `data.status` of the status ConfigMap (text or YAML format). */
export function hintsFromStatus(text: string): StatusHints {
  const backoff = new Map<string, { errorCode: string; errorMessage: string }>();
  const inProgress = new Set<string>();
  if (/^\s*Cluster-autoscaler status at /.test(text)) {
    let group: string | undefined;
    for (const line of text.split('\n')) {
      const name = /^\s+Name:\s+(\S+)/.exec(line);
      if (name) group = name[1];
      const up = /^\s+ScaleUp:\s+(\w+)/.exec(line);
      if (up && group !== undefined) {
        if (up[1] === 'Backoff') backoff.set(group, { errorCode: '', errorMessage: '' });
        if (up[1] === 'InProgress') inProgress.add(group);
      }
    }
    return { backoff, inProgress };
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch {
    return { backoff, inProgress };
  }
  const groups = (doc as { nodeGroups?: unknown } | null)?.nodeGroups;
  if (!Array.isArray(groups)) return { backoff, inProgress };
  for (const g of groups as Array<{ name?: string; scaleUp?: { status?: string; backoffInfo?: { errorCode?: string; errorMessage?: string } } }>) {
    if (typeof g?.name !== 'string') continue;
    if (g.scaleUp?.status === 'Backoff') backoff.set(g.name, { errorCode: g.scaleUp.backoffInfo?.errorCode ?? '', errorMessage: g.scaleUp.backoffInfo?.errorMessage ?? '' });
    if (g.scaleUp?.status === 'InProgress') inProgress.add(g.name);
  }
  return { backoff, inProgress };
}

/** A registry carrying the hints: backoffs in force now, scale-up requests for groups in progress. */
export function registryFromHints(hints: StatusHints, snapshot: ClusterSnapshot, opts: Pick<AutoscalerOptions, 'maxNodeProvisionTime'>): RegistryState {
  const now = snapshot.now;
  const backoff: Record<string, RegistryState['backoff'][string]> = {};
  for (const [g, b] of hints.backoff) backoff[g] = { duration: 0, until: now + 1, lastFailed: now, errorCode: b.errorCode, errorMessage: b.errorMessage };
  const scaleUpRequests: Record<string, RegistryState['scaleUpRequests'][string]> = {};
  for (const g of snapshot.nodeGroups) {
    if (!hints.inProgress.has(g.id)) continue;
    scaleUpRequests[g.id] = { group: g.id, increase: g.targetSize, time: now, expectedAddTime: now + opts.maxNodeProvisionTime };
  }
  return { ...EMPTY_REGISTRY_STATE, backoff, scaleUpRequests };
}

export interface GroupVerdict {
  readonly group: string;
  readonly min: number;
  readonly max: number;
  readonly target: number;
  /** `scaled`: this group is the one scaled up for the pod; `fits`: it could take it, another choice was made. */
  readonly verdict: 'scaled' | 'fits' | 'rejected';
  readonly reasons: readonly string[];
  /** For `scaled` and `fits`: new nodes the estimator wants for the pending pods it could place. */
  readonly nodeCount?: number;
  readonly podCount?: number;
  readonly increase?: GroupIncrease;
}

export type WhyResult =
  | { readonly kind: 'notFound'; readonly pod: string }
  /** Not a pod cluster-autoscaler looks at: running, finished, nominated, being deleted, or not yet found unschedulable. */
  | { readonly kind: 'notPending'; readonly pod: string; readonly reason: string }
  /** Unschedulable, but left out before the scale-up simulation. */
  | { readonly kind: 'filtered'; readonly pod: string; readonly reason: string }
  | { readonly kind: 'clusterUnhealthy'; readonly pod: string }
  | {
      readonly kind: 'simulated';
      readonly pod: string;
      /** Whether this iteration would scale up for this pod. */
      readonly triggers: boolean;
      readonly groups: readonly GroupVerdict[];
      /** The `NotTriggerScaleUp` / `TriggeredScaleUp` message cluster-autoscaler would record on the pod. */
      readonly event?: string;
      /** A limit that stopped the chosen option (`max node total count already reached`, …). */
      readonly error?: string;
      readonly expander: string;
    };

export interface WhyInput {
  readonly snapshot: ClusterSnapshot;
  readonly options: AutoscalerOptions;
  readonly namespace: string;
  readonly name: string;
  readonly hints?: StatusHints;
  readonly priorities?: readonly PriorityRule[];
  /** For the `random` expander: the choice among equals (default: the first). */
  readonly random?: () => number;
}

function notPendingReason(p: Pod): string {
  if (p.spec?.nodeName) return `it is bound to node ${p.spec.nodeName} (phase ${p.status?.phase ?? 'unknown'})`;
  if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') return `it has finished (phase ${p.status.phase})`;
  if (p.metadata?.deletionTimestamp) return 'it is being deleted';
  if (p.status?.nominatedNodeName) return `it is nominated to node ${p.status.nominatedNodeName} and waits for preemption victims to leave; a new node would not help it`;
  const c = (p.status?.conditions ?? []).find((x) => x.type === 'PodScheduled');
  if (!c) return 'the scheduler has not tried it yet (no PodScheduled condition); cluster-autoscaler only looks at pods marked Unschedulable';
  return `its PodScheduled condition is ${c.status}${c.reason ? ` (${c.reason})` : ''}, not False/Unschedulable; cluster-autoscaler only looks at pods marked Unschedulable`;
}

/** Why `namespace/name` did or did not trigger a scale-up, on this snapshot. */
export function explainPod(input: WhyInput): WhyResult {
  const { snapshot, options } = input;
  const key = `${input.namespace}/${input.name}`;
  const pod = snapshot.pods.find((p) => podKey(p) === key);
  if (!pod) return { kind: 'notFound', pod: key };
  if (!isUnschedulable(pod)) return { kind: 'notPending', pod: key, reason: notPendingReason(pod) };
  if (isExpendable(pod, options.expendablePodsPriorityCutoff)) {
    return { kind: 'filtered', pod: key, reason: `its priority ${pod.spec?.priority} is below --expendable-pods-priority-cutoff=${options.expendablePodsPriorityCutoff}: expendable pods never trigger a scale-up` };
  }
  const cm = { namespace: options.namespace, name: options.statusConfigMapName };
  const registry = registryFromHints(input.hints ?? NO_HINTS, snapshot, options);
  const cluster = updateClusterState(snapshot, registry, options, cm);
  if (!cluster.healthy) return { kind: 'clusterUnhealthy', pod: key };
  const templates = buildTemplates(snapshot, cluster);
  const upcoming = upcomingNodes(snapshot.nodeGroups, cluster, templates);
  const world = buildWorld(snapshot, options.expendablePodsPriorityCutoff, upcoming);
  const pending = filterPendingPods(snapshot, world, options);
  const fit = pending.fitting.find((f) => podKey(f.pod) === key);
  if (fit) {
    const where = fit.node.startsWith('upcoming-')
      ? `on a node being provisioned (${upcoming.find((u) => u.node.metadata?.name === fit.node)?.group ?? 'a scale-up in progress'})`
      : `on the existing node ${fit.node}`;
    return { kind: 'filtered', pod: key, reason: `it fits ${where}, so it needs no new node: the scheduler should place it there (pods are packed by priority, each taking what it requests)` };
  }
  if (pending.daemonSet.some((p) => podKey(p) === key)) return { kind: 'filtered', pod: key, reason: 'it is a DaemonSet pod: a new node would bring its own copy' };
  if (pending.tooYoung.some((p) => podKey(p) === key)) {
    const created = timeOf(pod.metadata?.creationTimestamp) ?? 0;
    const delay = podScaleUpDelay(pod, options.newPodScaleUpDelay);
    return { kind: 'filtered', pod: key, reason: `it is younger than its scale-up delay (${formatGoDuration(delay)}); it counts from ${formatGoDuration(Math.max(0, created + delay - snapshot.now))} from now` };
  }
  if (pending.waitForYoungPods) return { kind: 'filtered', pod: key, reason: 'every pending pod is younger than 2s (30s with a GPU): cluster-autoscaler waits one iteration before scaling up; ask again in a few seconds' };

  const plan = planScaleUp({
    snapshot,
    cluster,
    templates,
    pods: pending.pods,
    world,
    options,
    random: input.random ?? (() => 0),
    priorities: input.priorities,
    azure: true,
    statusConfigMap: cm,
  });
  const mine = plan.rejected.get(key);
  const event = plan.events.find((e) => e.object.kind === 'Pod' && `${e.object.namespace}/${e.object.name}` === key)?.message;
  const placedBy = (group: string) => plan.options.find((o) => o.group === group);
  const triggers = plan.increases.length > 0 && (plan.option?.pods ?? []).some((p) => podKey(p) === key);
  const scaledGroups = new Set(triggers ? plan.increases.map((i) => i.group) : []);
  const groups: GroupVerdict[] = snapshot.nodeGroups.map((g) => {
    const base = { group: g.id, min: g.minSize, max: g.maxSize, target: g.targetSize };
    const reasons = mine?.get(g.id);
    if (reasons && reasons.length) return { ...base, verdict: 'rejected', reasons };
    const o = placedBy(g.id);
    if (scaledGroups.has(g.id)) {
      const inc = plan.increases.find((i) => i.group === g.id)!;
      return { ...base, verdict: 'scaled', reasons: [], nodeCount: o?.nodeCount, podCount: o?.pods.length, increase: inc };
    }
    if (o && o.pods.some((p) => podKey(p) === key)) {
      const why = plan.increases.length > 0 ? `the expander chose ${plan.increases.map((i) => i.group).join(', ')}` : (plan.error ?? 'no scale-up');
      return { ...base, verdict: 'fits', reasons: [why], nodeCount: o.nodeCount, podCount: o.pods.length };
    }
    if (mine === undefined) {
      // planScaleUp stopped before simulating: registered nodes already reach --max-nodes-total.
      return { ...base, verdict: 'rejected', reasons: [plan.events.some((e) => e.reason === 'MaxNodesTotalReached') ? REASON_MAX_TOTAL : 'not simulated'] };
    }
    // The pod fits the template, but the estimate reached the group's headroom (max size,
    // --max-nodes-per-scaleup) with the pods placed before it.
    return { ...base, verdict: 'rejected', reasons: ['fits a new node, but the group has no room left for it after the other pending pods'], ...(o ? { nodeCount: o.nodeCount, podCount: o.pods.length } : {}) };
  });
  return { kind: 'simulated', pod: key, triggers, groups, ...(event ? { event } : {}), ...(plan.error ? { error: plan.error } : {}), expander: options.expander.join(',') };
}

/** The report `why` prints. */
export function formatWhy(r: WhyResult): string {
  switch (r.kind) {
    case 'notFound':
      return `pod ${r.pod} not found\n`;
    case 'notPending':
      return `pod ${r.pod} is not pending: ${r.reason}.\n`;
    case 'filtered':
      return `pod ${r.pod} is pending but does not take part in scale-up: ${r.reason}.\n`;
    case 'clusterUnhealthy':
      return `pod ${r.pod} is pending, but the cluster is unhealthy (too many unready nodes): cluster-autoscaler does nothing until it recovers.\n`;
    case 'simulated': {
      const lines: string[] = [];
      lines.push(r.triggers ? `pod ${r.pod} is pending and triggers a scale-up:` : `pod ${r.pod} is pending and does not trigger a scale-up:`);
      const width = Math.max(10, ...r.groups.map((g) => g.group.length));
      for (const g of r.groups) {
        const size = `${g.target}/${g.max}`.padEnd(7);
        let text: string;
        if (g.verdict === 'scaled' && g.increase) {
          text = `scale up ${g.increase.current}->${g.increase.newSize} (max: ${g.increase.max}): ${g.nodeCount} new node(s) for ${g.podCount} pending pod(s), chosen by --expander=${r.expander}`;
        } else if (g.verdict === 'fits') {
          text = `would help (${g.nodeCount} new node(s) for ${g.podCount} pod(s)), but ${g.reasons.join('; ')}`;
        } else {
          text = `no: ${g.reasons.join('; ')}`;
        }
        lines.push(`  ${g.group.padEnd(width)}  ${size}  ${text}`);
      }
      if (r.groups.length === 0) lines.push('  (no node groups: give --nodes or --node-group-auto-discovery as for `autoscaler run`)');
      if (r.error) lines.push(`limit: ${r.error}`);
      if (r.event) lines.push(`event: ${r.event}`);
      return lines.join('\n') + '\n';
    }
  }
}
