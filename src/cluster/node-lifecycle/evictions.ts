/**
 * Taint-based eviction (kube's taint eviction controller, formerly the NoExecuteTaintManager), as a
 * pure function: which pods on a node with NoExecute taints are deleted, and when.
 *
 * For each NoExecute taint, the pod's first toleration that tolerates it is the one used
 * (GetMatchingTolerations). A taint no toleration tolerates evicts the pod at once. Otherwise the
 * pod goes when the shortest of the used `tolerationSeconds` has passed since its taint's
 * `timeAdded` (no `tolerationSeconds` = tolerated forever; ≤ 0 = at once). kube counts from when
 * its controller first saw the taint; counting from `timeAdded` gives the same answer and
 * survives a controller restart.
 */
import type { Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';

/** Whether `t` tolerates `taint` (v1.Toleration.ToleratesTaint). */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
    case '':
      return (t.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

export interface Eviction {
  readonly pod: Pod;
  /** 0: delete now; otherwise delete once this long has passed. */
  readonly afterMs: number;
}

const ms = (t: string | undefined): number => (t ? Date.parse(t) : NaN);

/**
 * When `pod` must go from a node with `taints` (epoch ms; `now` or earlier = at once), or
 * undefined when it may stay. A taint without `timeAdded` counts from `now`.
 */
export function evictionTime(taints: readonly Taint[], pod: Pod, now: number): number | undefined {
  let at = Infinity;
  const tolerations = pod.spec?.tolerations ?? [];
  for (const taint of taints) {
    if (taint.effect !== 'NoExecute') continue;
    const used = tolerations.find((t) => toleratesTaint(t, taint));
    if (!used) return now;
    const secs = used.tolerationSeconds;
    if (secs === undefined || secs === null) continue;
    const since = ms(taint.timeAdded);
    at = Math.min(at, (Number.isNaN(since) ? now : since) + Math.max(0, secs) * 1000);
  }
  return Number.isFinite(at) ? at : undefined;
}

/**
 * The pods to evict from a node with `taints`, soonest first (then by namespace/name). Pods
 * already being deleted are left out.
 */
export function evictions(taints: readonly Taint[], pods: readonly Pod[], now: number): Eviction[] {
  if (!taints.some((t) => t.effect === 'NoExecute')) return [];
  const out: Eviction[] = [];
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const at = evictionTime(taints, pod, now);
    if (at !== undefined) out.push({ pod, afterMs: Math.max(0, at - now) });
  }
  const key = (p: Pod): string => `${p.metadata?.namespace ?? ''}/${p.metadata?.name ?? ''}`;
  return out.sort((a, b) => a.afterMs - b.afterMs || key(a.pod).localeCompare(key(b.pod)));
}
