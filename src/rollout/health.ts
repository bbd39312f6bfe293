/**
 * The health verdict on the new colour. The Codefresh step summed the RESTARTS column of
 * `kubectl get pods -l version=NEW` and called the colour unhealthy above 2; we keep that rule
 * (compatibility: users tuned HEALTH_SECONDS against it) but read `restartCount`, look only at the
 * new Deployment's own pods, and also fail when a pod is not Ready or fewer pods than desired run —
 * the two ways the original passed a colour that was down.
 */
import type { V1Pod } from '@kubernetes/client-node';

/** The step's threshold: a restart sum above this is unhealthy. */
export const DEFAULT_MAX_RESTARTS = 2;

export interface PodSummary {
  readonly name: string;
  readonly ready: boolean;
  /** `ready/total` containers, as kubectl's READY column. */
  readonly readyContainers: string;
  /** kubectl's STATUS column, approximately: a waiting or terminated reason, else the phase. */
  readonly status: string;
  readonly restarts: number;
  readonly ip?: string;
}

export interface HealthVerdict {
  readonly healthy: boolean;
  readonly restarts: number;
  readonly ready: number;
  readonly desired: number;
  /** Why it is unhealthy, one reason each (empty when healthy). */
  readonly reasons: readonly string[];
}

export function summarizePod(pod: V1Pod): PodSummary {
  const statuses = pod.status?.containerStatuses ?? [];
  const total = pod.spec?.containers?.length ?? statuses.length;
  const readyCount = statuses.filter((s) => s.ready).length;
  const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const reason = statuses.map((s) => s.state?.waiting?.reason ?? s.state?.terminated?.reason).find((r) => r);
  return {
    name: pod.metadata?.name ?? '',
    ready,
    readyContainers: `${readyCount}/${total}`,
    status: pod.metadata?.deletionTimestamp ? 'Terminating' : reason ?? pod.status?.phase ?? 'Unknown',
    restarts: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
    ip: pod.status?.podIP,
  };
}

/** Pods that count: the ones not on their way out. */
export function livePods(pods: readonly V1Pod[]): V1Pod[] {
  return pods.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
}

/** The verdict on the new colour's pods (already scoped to its selector) against its desired replicas. */
export function assessHealth(pods: readonly V1Pod[], desired: number, maxRestarts = DEFAULT_MAX_RESTARTS): HealthVerdict {
  const summaries = livePods(pods).map(summarizePod);
  const restarts = summaries.reduce((n, p) => n + p.restarts, 0);
  const ready = summaries.filter((p) => p.ready).length;
  const reasons: string[] = [];
  if (restarts > maxRestarts) reasons.push(`${restarts} restarts in total, more than ${maxRestarts}`);
  for (const p of summaries) if (!p.ready) reasons.push(`pod ${p.name} is not Ready (${p.status})`);
  if (ready < desired) reasons.push(`${ready} of ${desired} desired pods are Ready`);
  return { healthy: reasons.length === 0, restarts, ready, desired, reasons };
}

/** The pod table the step echoed after `Got`: kubectl's columns without AGE. */
export function podTable(pods: readonly V1Pod[]): string {
  const rows = pods.map(summarizePod).map((p) => [p.name, p.readyContainers, p.status, String(p.restarts)]);
  if (!rows.length) return 'No resources found.';
  const header = ['NAME', 'READY', 'STATUS', 'RESTARTS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i])).join('   ').trimEnd()).join('\n');
}
