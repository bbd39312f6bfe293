/**
 * `--balance-similar-node-groups` (spec §4.6): which node groups are similar (same capacity, memory
 * within 1.5 %, allocatable and free resources within 5 %, same labels but for hostname, zone, region
 * and `--balancing-ignore-label`; on Azure the same `agentpool` label suffices), and how a scale-up
 * is split among them (one node at a time to the smallest group below its max).
 */
import { intValue, milliValue, podRequests } from '../cluster/scheduler/index.js';
import { asV1Pod } from './simulator.js';
import type { TemplateNodeInfo } from './types.js';

export const MAX_CAPACITY_MEMORY_DIFFERENCE_RATIO = 0.015;
export const MAX_ALLOCATABLE_DIFFERENCE_RATIO = 0.05;
export const MAX_FREE_DIFFERENCE_RATIO = 0.05;

/** Labels that differ between otherwise identical groups. */
export const BASIC_IGNORED_LABELS: readonly string[] = [
  'kubernetes.io/hostname',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
];

export const AZURE_AGENTPOOL_LABELS: readonly string[] = ['agentpool', 'kubernetes.azure.com/agentpool'];

export interface SimilarityOptions {
  readonly ignoreLabels?: readonly string[];
  /** Apply the Azure rule: the same `agentpool` label value means similar. */
  readonly azure?: boolean;
}

type Amounts = Record<string, number>;

function amounts(list: Record<string, unknown> | undefined): Amounts {
  const out: Amounts = {};
  for (const [k, v] of Object.entries(list ?? {})) out[k] = k === 'cpu' ? milliValue(v as string) : intValue(v as string);
  return out;
}

function within(a: number, b: number, ratio: number): boolean {
  const larger = Math.max(a, b);
  if (larger === 0) return true;
  return (larger - Math.min(a, b)) / larger <= ratio;
}

function free(t: TemplateNodeInfo): Amounts {
  const alloc = amounts(t.node.status?.allocatable);
  let cpu = 0;
  let mem = 0;
  for (const p of t.pods) {
    const r = podRequests(asV1Pod(p));
    cpu += r.milliCPU;
    mem += r.memory;
  }
  return { cpu: (alloc.cpu ?? 0) - cpu, memory: (alloc.memory ?? 0) - mem };
}

export function isSimilar(a: TemplateNodeInfo, b: TemplateNodeInfo, opts: SimilarityOptions = {}): boolean {
  const la = a.node.metadata?.labels ?? {};
  const lb = b.node.metadata?.labels ?? {};
  if (opts.azure) {
    for (const k of AZURE_AGENTPOOL_LABELS) if (la[k] !== undefined && la[k] === lb[k]) return true;
  }
  const capA = amounts(a.node.status?.capacity);
  const capB = amounts(b.node.status?.capacity);
  for (const k of new Set([...Object.keys(capA), ...Object.keys(capB)])) {
    if (capA[k] === undefined || capB[k] === undefined) return false;
    if (k === 'memory' ? !within(capA[k], capB[k], MAX_CAPACITY_MEMORY_DIFFERENCE_RATIO) : capA[k] !== capB[k]) return false;
  }
  const allocA = amounts(a.node.status?.allocatable);
  const allocB = amounts(b.node.status?.allocatable);
  for (const k of ['cpu', 'memory']) if (!within(allocA[k] ?? 0, allocB[k] ?? 0, MAX_ALLOCATABLE_DIFFERENCE_RATIO)) return false;
  const freeA = free(a);
  const freeB = free(b);
  for (const k of ['cpu', 'memory']) if (!within(freeA[k], freeB[k], MAX_FREE_DIFFERENCE_RATIO)) return false;
  const ignored = new Set([...BASIC_IGNORED_LABELS, ...(opts.ignoreLabels ?? []), ...(opts.azure ? AZURE_AGENTPOOL_LABELS : [])]);
  for (const k of new Set([...Object.keys(la), ...Object.keys(lb)])) {
    if (ignored.has(k)) continue;
    if (la[k] !== lb[k]) return false;
  }
  return true;
}

export interface BalanceTarget {
  readonly group: string;
  readonly current: number;
  readonly max: number;
}

/**
 * Split `total` new nodes among similar groups: one at a time to the group with the smallest
 * current + assigned size still below its max (ties: list order); the total is capped at the
 * groups' headroom. Returns the positive deltas, in list order.
 */
export function splitScaleUp(groups: readonly BalanceTarget[], total: number): Array<{ group: string; delta: number }> {
  const assigned = groups.map(() => 0);
  const headroom = groups.reduce((s, g) => s + Math.max(0, g.max - g.current), 0);
  let left = Math.min(total, headroom);
  while (left > 0) {
    let best = -1;
    for (let i = 0; i < groups.length; i++) {
      const size = groups[i].current + assigned[i];
      if (size >= groups[i].max) continue;
      if (best < 0 || size < groups[best].current + assigned[best]) best = i;
    }
    if (best < 0) break;
    assigned[best]++;
    left--;
  }
  return groups.map((g, i) => ({ group: g.group, delta: assigned[i] })).filter((d) => d.delta > 0);
}
