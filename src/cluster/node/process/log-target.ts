/**
 * Which container's log `GET /containerLogs/{ns}/{pod}/{container}` reads, as kubelet decides it
 * from the pod's status (kubelet_pods.go validateContainerLogStatus), and the query parameters
 * it accepts (PodLogOptions), as pure functions.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { LogQuery } from './cri-log.js';

export type LogTarget = { readonly containerID: string } | { readonly error: string };

/** The container ID whose log to read, or kubelet's error (HTTP 400). */
export function logTarget(pod: Pod, container: string, previous: boolean): LogTarget {
  const podName = pod.metadata?.name ?? '';
  const statuses = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
  const s = statuses.find((x) => x.name === container);
  if (!s) return { error: `container ${JSON.stringify(container)} in pod ${JSON.stringify(podName)} is not available` };
  const last = s.lastState?.terminated;
  if (previous) {
    if (!last?.containerID) return { error: `previous terminated container ${JSON.stringify(container)} in pod ${JSON.stringify(podName)} not found` };
    return { containerID: last.containerID };
  }
  if (s.state?.running && s.containerID) return { containerID: s.containerID };
  if (s.state?.terminated?.containerID) return { containerID: s.state.terminated.containerID };
  if (last?.containerID) return { containerID: last.containerID };
  const w = s.state?.waiting;
  if (w) {
    if (w.reason === 'ErrImagePull' || w.reason === 'ImagePullBackOff') {
      return { error: `container ${JSON.stringify(container)} in pod ${JSON.stringify(podName)} is waiting to start: image can't be pulled` };
    }
    return { error: `container ${JSON.stringify(container)} in pod ${JSON.stringify(podName)} is waiting to start: ${w.reason ?? ''}` };
  }
  return { error: `container ${JSON.stringify(container)} in pod ${JSON.stringify(podName)} is waiting to start - no logs yet` };
}

export interface ParsedLogQuery extends LogQuery {
  readonly follow: boolean;
  readonly previous: boolean;
}

/** Go's strconv.ParseBool, as kubelet's query decoding uses it. */
const bool = (v: string | null): boolean | string => {
  if (v === null || v === '' || /^(0|f|F|false|FALSE|False)$/.test(v)) return false;
  if (/^(1|t|T|true|TRUE|True)$/.test(v)) return true;
  return `invalid boolean value ${JSON.stringify(v)}`;
};

/** PodLogOptions from the query, or the validation error (kubelet answers 400). */
export function parseLogQuery(q: URLSearchParams, now: number): ParsedLogQuery | { error: string } {
  const out: { follow?: boolean; previous?: boolean; timestamps?: boolean; tailLines?: number; limitBytes?: number; sinceMs?: number } = {};
  for (const k of ['follow', 'previous', 'timestamps'] as const) {
    const b = bool(q.get(k));
    if (typeof b === 'string') return { error: `${k}: ${b}` };
    out[k] = b;
  }
  const int = (k: string): number | undefined | { error: string } => {
    const v = q.get(k);
    if (v === null || v === '') return undefined;
    if (!/^-?\d+$/.test(v)) return { error: `${k}: invalid integer ${JSON.stringify(v)}` };
    return Number(v);
  };
  const tail = int('tailLines');
  if (typeof tail === 'object') return tail;
  if (tail !== undefined && tail < 0) return { error: `tailLines: Invalid value: ${tail}: must be greater than or equal to 0` };
  const limit = int('limitBytes');
  if (typeof limit === 'object') return limit;
  if (limit !== undefined && limit < 1) return { error: `limitBytes: Invalid value: ${limit}: must be greater than 0` };
  const sinceSeconds = int('sinceSeconds');
  if (typeof sinceSeconds === 'object') return sinceSeconds;
  const sinceTime = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime) return { error: 'at most one of `sinceTime` or `sinceSeconds` may be specified' };
  if (sinceSeconds !== undefined) {
    if (sinceSeconds < 1) return { error: `sinceSeconds: Invalid value: ${sinceSeconds}: must be greater than 0` };
    out.sinceMs = now - sinceSeconds * 1000;
  } else if (sinceTime) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) return { error: `sinceTime: invalid time ${JSON.stringify(sinceTime)}` };
    out.sinceMs = t;
  }
  if (tail !== undefined) out.tailLines = tail;
  if (limit !== undefined) out.limitBytes = limit;
  return { follow: out.follow!, previous: out.previous!, timestamps: out.timestamps!, ...out };
}
