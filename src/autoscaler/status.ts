/**
 * The `kube-system/cluster-autoscaler-status` ConfigMap (spec §6): a status object built from the
 * cluster state (carrying each condition's last transition time over while its status holds), and
 * pure formatters for its two formats — the text of CA ≤ 1.29 and the YAML of CA ≥ 1.30.
 */
import type { ClusterState, ReadinessCounts } from './cluster-state.js';
import { formatGoTime, formatRfc3339 } from './go-format.js';
import type { NodeGroup } from './types.js';

export const STATUS_KEY = 'status';
export const LAST_UPDATED_ANNOTATION = 'cluster-autoscaler.kubernetes.io/last-updated';

export interface ConditionTimes {
  /** undefined: Go's zero time. */
  readonly lastProbeTime?: number;
  readonly lastTransitionTime?: number;
}

export interface HealthCondition extends ConditionTimes {
  readonly status: 'Healthy' | 'Unhealthy';
  readonly counts: ReadinessCounts;
}

export interface ScaleUpCondition extends ConditionTimes {
  readonly status: 'InProgress' | 'Unhealthy' | 'Backoff' | 'NoActivity';
  readonly ready: number;
  readonly registered: number;
  readonly backoff?: { readonly errorCode: string; readonly errorMessage: string };
}

export interface ScaleDownCondition extends ConditionTimes {
  readonly status: 'CandidatesPresent' | 'NoCandidates';
  readonly candidates: number;
}

export interface NodeGroupStatus {
  readonly name: string;
  readonly health: HealthCondition & { readonly cloudProviderTarget: number; readonly minSize: number; readonly maxSize: number };
  readonly scaleUp: ScaleUpCondition & { readonly cloudProviderTarget: number };
  readonly scaleDown: ScaleDownCondition;
}

export interface AutoscalerStatus {
  readonly time: number;
  readonly autoscalerStatus: 'Running' | 'Initializing';
  readonly message?: string;
  readonly clusterWide: { readonly health: HealthCondition; readonly scaleUp: ScaleUpCondition; readonly scaleDown: ScaleDownCondition };
  /** In cloud-provider order. */
  readonly nodeGroups: readonly NodeGroupStatus[];
}

function carry<T extends { status: string }>(next: T, prev: (T & ConditionTimes) | undefined, now: number): T & ConditionTimes {
  return { ...next, lastProbeTime: now, lastTransitionTime: prev && prev.status === next.status ? prev.lastTransitionTime : now };
}

/** The status after this iteration; `prev` keeps the transition times of unchanged conditions. */
export function buildStatus(
  cluster: Pick<ClusterState, 'total' | 'healthy' | 'groups' | 'state'>,
  nodeGroups: readonly NodeGroup[],
  candidatesPerGroup: ReadonlyMap<string, number>,
  now: number,
  prev?: AutoscalerStatus,
): AutoscalerStatus {
  const groups: NodeGroupStatus[] = nodeGroups.map((g) => {
    const s = cluster.groups.get(g.id);
    const counts = s?.counts ?? { ready: 0, unready: 0, notStarted: 0, longNotStarted: 0, beingDeleted: 0, registered: 0, unregistered: 0, longUnregistered: 0 };
    const old = prev?.nodeGroups.find((p) => p.name === g.id);
    const b = cluster.state.backoff[g.id];
    const scaleUpStatus: ScaleUpCondition['status'] = s?.scaleUpInProgress ? 'InProgress' : s && !s.healthy ? 'Unhealthy' : s?.backedOff ? 'Backoff' : 'NoActivity';
    const candidates = candidatesPerGroup.get(g.id) ?? 0;
    return {
      name: g.id,
      health: carry({ status: s?.healthy === false ? 'Unhealthy' : 'Healthy', counts, cloudProviderTarget: g.targetSize, minSize: g.minSize, maxSize: g.maxSize }, old?.health, now),
      scaleUp: carry(
        {
          status: scaleUpStatus,
          ready: counts.ready,
          registered: counts.registered,
          cloudProviderTarget: g.targetSize,
          ...(scaleUpStatus === 'Backoff' && b ? { backoff: { errorCode: b.errorCode, errorMessage: b.errorMessage } } : {}),
        },
        old?.scaleUp,
        now,
      ),
      scaleDown: carry({ status: candidates > 0 ? 'CandidatesPresent' : 'NoCandidates', candidates }, old?.scaleDown, now),
    };
  });
  const total = cluster.total;
  const candidates = [...candidatesPerGroup.values()].reduce((a, b) => a + b, 0);
  const pw = prev?.clusterWide;
  return {
    time: now,
    autoscalerStatus: 'Running',
    clusterWide: {
      health: carry<HealthCondition>({ status: cluster.healthy ? 'Healthy' : 'Unhealthy', counts: total }, pw?.health, now),
      scaleUp: carry<ScaleUpCondition>({ status: groups.some((g) => g.scaleUp.status === 'InProgress') ? 'InProgress' : 'NoActivity', ready: total.ready, registered: total.registered }, pw?.scaleUp, now),
      scaleDown: carry<ScaleDownCondition>({ status: candidates > 0 ? 'CandidatesPresent' : 'NoCandidates', candidates }, pw?.scaleDown, now),
    },
    nodeGroups: groups,
  };
}

/** The status written at start-up, before the first iteration. */
export function initializingStatus(now: number): AutoscalerStatus {
  const counts = { ready: 0, unready: 0, notStarted: 0, longNotStarted: 0, beingDeleted: 0, registered: 0, unregistered: 0, longUnregistered: 0 };
  return {
    time: now,
    autoscalerStatus: 'Initializing',
    clusterWide: {
      health: { status: 'Healthy', counts },
      scaleUp: { status: 'NoActivity', ready: 0, registered: 0 },
      scaleDown: { status: 'NoCandidates', candidates: 0 },
    },
    nodeGroups: [],
  };
}

// ---- text ---------------------------------------------------------------------------------------

function healthMessage(c: ReadinessCounts): string {
  return `ready=${c.ready} unready=${c.unready} notStarted=${c.notStarted} longNotStarted=${c.longNotStarted} registered=${c.registered} longUnregistered=${c.longUnregistered}`;
}

function condition(prefix: string, type: string, status: string, message: string, times: ConditionTimes): string {
  let s = `${prefix}${`${type}:`.padEnd(12)} ${status}`;
  if (message !== '') s += ` (${message})`;
  s += '\n';
  s += `${prefix}${' '.repeat(13)}LastProbeTime:      ${formatGoTime(times.lastProbeTime)}\n`;
  s += `${prefix}${' '.repeat(13)}LastTransitionTime: ${formatGoTime(times.lastTransitionTime)}\n`;
  return s;
}

/** `data.status` in the text format: `Cluster-autoscaler status at <T>:` and the readable body. */
export function formatTextStatus(status: AutoscalerStatus): string {
  // The writer prefixes every text body, `Initializing` included.
  const head = `Cluster-autoscaler status at ${formatGoTime(status.time)}:\n`;
  if (status.autoscalerStatus === 'Initializing') return `${head}Initializing`;
  const cw = status.clusterWide;
  let s = head + 'Cluster-wide:\n';
  s += condition('  ', 'Health', cw.health.status, healthMessage(cw.health.counts), cw.health);
  s += condition('  ', 'ScaleUp', cw.scaleUp.status, `ready=${cw.scaleUp.ready} registered=${cw.scaleUp.registered}`, cw.scaleUp);
  s += condition('  ', 'ScaleDown', cw.scaleDown.status, `candidates=${cw.scaleDown.candidates}`, cw.scaleDown);
  if (status.nodeGroups.length === 0) return s;
  s += '\nNodeGroups:\n';
  for (const g of status.nodeGroups) {
    s += `  Name:        ${g.name}\n`;
    const h = g.health;
    s += condition('  ', 'Health', h.status, `${healthMessage(h.counts)} cloudProviderTarget=${h.cloudProviderTarget} (minSize=${h.minSize}, maxSize=${h.maxSize})`, h);
    s += condition('  ', 'ScaleUp', g.scaleUp.status, `ready=${g.scaleUp.ready} cloudProviderTarget=${g.scaleUp.cloudProviderTarget}`, g.scaleUp);
    s += condition('  ', 'ScaleDown', g.scaleDown.status, `candidates=${g.scaleDown.candidates}`, g.scaleDown);
    s += '\n';
  }
  return s;
}

// ---- YAML ---------------------------------------------------------------------------------------

type YamlValue = string | number | null | { readonly [k: string]: YamlValue | undefined } | readonly YamlValue[];

/** A scalar as go-yaml writes it: plain when unambiguous, else double-quoted. */
function scalar(v: string | number | null): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return String(v);
  const ambiguous =
    v === '' ||
    /^[\s\-?:,[\]{}#&*!|>'"%@`]/.test(v) ||
    /: |\s#|\s$/.test(v) ||
    /^(true|false|yes|no|on|off|null|~|y|n)$/i.test(v) ||
    /^[-+]?(\d[\d_]*)?\.?\d+([eE][-+]?\d+)?$/.test(v) ||
    /^\d{4}-\d\d?-\d\d?([Tt]|\s+)\d\d?:\d\d:\d\d(\.\d*)?(\s*Z|[-+]\d\d?(:\d\d)?)?$/.test(v);
  return ambiguous ? JSON.stringify(v) : v;
}

function emit(v: YamlValue, indent: string, out: string[], key?: string): void {
  const lead = key === undefined ? indent : `${indent}${key}:`;
  if (v === null || typeof v !== 'object') {
    out.push(key === undefined ? `${indent}${scalar(v)}` : `${lead} ${scalar(v)}`);
    return;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) {
      out.push(`${lead} []`);
      return;
    }
    if (key !== undefined) out.push(lead);
    for (const item of v) {
      const lines: string[] = [];
      emit(item, '', lines);
      // go-yaml puts list items at the parent key's indent.
      lines.forEach((l, i) => out.push(`${indent}${i === 0 ? '- ' : '  '}${l}`));
    }
    return;
  }
  const entries = Object.entries(v as Record<string, YamlValue | undefined>)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) {
    out.push(key === undefined ? `${indent}{}` : `${lead} {}`);
    return;
  }
  const inner = key === undefined ? indent : `${indent}  `;
  if (key !== undefined) out.push(lead);
  for (const [k, x] of entries) emit(x as YamlValue, inner, out, k);
}

function yamlTime(t: number | undefined): string | null {
  return t === undefined ? null : formatRfc3339(t);
}

function nodeCounts(c: ReadinessCounts): YamlValue {
  return {
    longUnregistered: c.longUnregistered,
    registered: {
      beingDeleted: c.beingDeleted || undefined,
      notStarted: c.notStarted + c.longNotStarted,
      ready: c.ready,
      total: c.registered,
      unready: { resourceUnready: 0, total: c.unready },
    },
    unregistered: c.unregistered,
  };
}

/** `data.status` in the YAML format (keys sorted, zero times `null`, empty fields omitted). */
export function formatYamlStatus(status: AutoscalerStatus): string {
  // (inferred) Only the two top-level fields while initializing.
  if (status.autoscalerStatus === 'Initializing') return `autoscalerStatus: Initializing\ntime: ${scalar(formatGoTime(status.time))}\n`;
  const cw = status.clusterWide;
  const doc: YamlValue = {
    time: formatGoTime(status.time),
    autoscalerStatus: status.autoscalerStatus,
    message: status.message || undefined,
    clusterWide: {
      health: { status: cw.health.status, nodeCounts: nodeCounts(cw.health.counts), lastProbeTime: yamlTime(cw.health.lastProbeTime), lastTransitionTime: yamlTime(cw.health.lastTransitionTime) },
      scaleUp: { status: cw.scaleUp.status, lastProbeTime: yamlTime(cw.scaleUp.lastProbeTime), lastTransitionTime: yamlTime(cw.scaleUp.lastTransitionTime) },
      scaleDown: {
        status: cw.scaleDown.status,
        candidates: cw.scaleDown.candidates || undefined,
        lastProbeTime: yamlTime(cw.scaleDown.lastProbeTime),
        lastTransitionTime: yamlTime(cw.scaleDown.lastTransitionTime),
      },
    },
    nodeGroups: status.nodeGroups.length
      ? status.nodeGroups.map(
          (g): YamlValue => ({
            name: g.name,
            health: {
              status: g.health.status,
              nodeCounts: nodeCounts(g.health.counts),
              cloudProviderTarget: g.health.cloudProviderTarget,
              minSize: g.health.minSize,
              maxSize: g.health.maxSize,
              lastProbeTime: yamlTime(g.health.lastProbeTime),
              lastTransitionTime: yamlTime(g.health.lastTransitionTime),
            },
            scaleUp: {
              status: g.scaleUp.status,
              backoffInfo: { errorCode: g.scaleUp.backoff?.errorCode || undefined, errorMessage: g.scaleUp.backoff?.errorMessage || undefined },
              lastProbeTime: yamlTime(g.scaleUp.lastProbeTime),
              lastTransitionTime: yamlTime(g.scaleUp.lastTransitionTime),
            },
            scaleDown: {
              status: g.scaleDown.status,
              candidates: g.scaleDown.candidates || undefined,
              lastProbeTime: yamlTime(g.scaleDown.lastProbeTime),
              lastTransitionTime: yamlTime(g.scaleDown.lastTransitionTime),
            },
          }),
        )
      : undefined,
  };
  const out: string[] = [];
  emit(doc, '', out);
  return out.join('\n') + '\n';
}

/** The ConfigMap's `data.status` and `last-updated` annotation for this status and format. */
export function statusConfigMapData(status: AutoscalerStatus, format: 'text' | 'yaml'): { data: { status: string }; annotations: Record<string, string> } {
  return {
    data: { [STATUS_KEY]: format === 'yaml' ? formatYamlStatus(status) : formatTextStatus(status) },
    annotations: { [LAST_UPDATED_ANNOTATION]: formatGoTime(status.time) },
  } as { data: { status: string }; annotations: Record<string, string> };
}
