/**
 * The horizontal pod autoscaler's arithmetic for a CPU utilization target, after
 * kube-controller-manager's replica calculator and its normalization with the default behavior:
 *
 * - utilization = the pods' CPU usage ÷ their CPU requests; ratio = utilization ÷ target;
 *   within the tolerance (0.1) of 1 nothing changes; else desired = ⌈ratio × ready pods⌉;
 * - pods being deleted or Failed are ignored; pods without metrics count as using their whole
 *   request when scaling down and nothing when scaling up, unready pods as nothing when scaling up,
 *   and a change these assumptions reverse (or bring within tolerance) is dropped;
 * - scale-down takes the highest recommendation of the last 5 minutes (stabilization), scale-up
 *   is capped at max(2 × current, current + 4) per step, and the result stays in [min, max].
 *
 * Pure: plain data in, a recommendation (or kube's error text) out.
 */
export const TOLERANCE = 0.1;
export const DOWNSCALE_STABILIZATION_MS = 5 * 60_000;
/** kube's default target when an autoscaling/v1 object sets none. */
export const DEFAULT_TARGET_CPU = 80;

export interface PodCpu {
  readonly name: string;
  /** Ready condition True. */
  readonly ready: boolean;
  /** Being deleted, or Failed: left out. */
  readonly ignored: boolean;
  /** Sum of its containers' CPU requests in millicores; undefined when one has none (name of that container). */
  readonly requestMilli: number | { readonly missingIn: string };
  /** Its usage in millicores from metrics.k8s.io, undefined when it has none. */
  readonly usageMilli?: number;
}

export type CpuRecommendation =
  | { readonly kind: 'replicas'; readonly replicas: number; readonly utilization: number }
  | { readonly kind: 'error'; readonly message: string };

export function cpuRecommendation(currentReplicas: number, pods: readonly PodCpu[], targetUtilization: number): CpuRecommendation {
  if (pods.length === 0) return { kind: 'error', message: 'failed to get cpu utilization: no pods returned by selector while calculating replica count' };
  const counted = pods.filter((p) => !p.ignored);
  const withMetrics = counted.filter((p) => p.usageMilli !== undefined);
  if (withMetrics.length === 0) return { kind: 'error', message: 'failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API' };
  for (const p of counted) {
    if (typeof p.requestMilli !== 'number') return { kind: 'error', message: `failed to get cpu utilization: missing request for cpu in container ${p.requestMilli.missingIn} of Pod ${p.name}` };
  }
  const ready = withMetrics.filter((p) => p.ready);
  const unready = withMetrics.filter((p) => !p.ready);
  const missing = counted.filter((p) => p.usageMilli === undefined);
  const req = (p: PodCpu) => p.requestMilli as number;
  const utilizationOf = (usage: Array<[PodCpu, number]>) => {
    const requests = usage.reduce((s, [p]) => s + req(p), 0);
    return requests > 0 ? (usage.reduce((s, [, u]) => s + u, 0) * 100) / requests : 0;
  };

  const readyUsage: Array<[PodCpu, number]> = ready.map((p) => [p, p.usageMilli!]);
  if (readyUsage.length === 0) return { kind: 'error', message: 'failed to get cpu utilization: did not receive metrics for targeted pods (pods might be unready)' };
  const utilization = utilizationOf(readyUsage);
  const ratio = utilization / targetUtilization;
  const current = Math.round(utilization);
  const scaleUpWithUnready = unready.length > 0 && ratio > 1;
  if (!scaleUpWithUnready && missing.length === 0) {
    if (Math.abs(1 - ratio) <= TOLERANCE) return { kind: 'replicas', replicas: currentReplicas, utilization: current };
    return { kind: 'replicas', replicas: Math.ceil(ratio * readyUsage.length), utilization: current };
  }
  // Fill the gaps with what argues least for the change, then check the change still holds.
  const assumed: Array<[PodCpu, number]> = [...readyUsage];
  for (const p of missing) assumed.push([p, ratio < 1 ? req(p) : 0]);
  if (scaleUpWithUnready) for (const p of unready) assumed.push([p, 0]);
  const newRatio = utilizationOf(assumed) / targetUtilization;
  if (Math.abs(1 - newRatio) <= TOLERANCE || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) return { kind: 'replicas', replicas: currentReplicas, utilization: current };
  const replicas = Math.ceil(newRatio * assumed.length);
  if ((newRatio < 1 && replicas > currentReplicas) || (newRatio > 1 && replicas < currentReplicas)) return { kind: 'replicas', replicas: currentReplicas, utilization: current };
  return { kind: 'replicas', replicas, utilization: current };
}

export interface Recommendation {
  readonly at: number;
  readonly replicas: number;
}

/**
 * The replicas to set: the recommendation stabilized (scale-down to the highest of the last 5
 * minutes), rate-limited (scale-up to max(2×, +4) per step) and kept in [min, max]; and the
 * history to keep for next time.
 */
export function normalize(currentReplicas: number, recommended: number, min: number, max: number, history: readonly Recommendation[], now: number): { replicas: number; history: Recommendation[] } {
  const kept = [...history.filter((r) => now - r.at < DOWNSCALE_STABILIZATION_MS), { at: now, replicas: recommended }];
  let replicas = recommended;
  if (replicas < currentReplicas) replicas = Math.min(currentReplicas, Math.max(...kept.map((r) => r.replicas)));
  replicas = Math.min(replicas, Math.max(2 * currentReplicas, currentReplicas + 4));
  replicas = Math.max(min, Math.min(max, replicas));
  return { replicas, history: kept };
}
