/**
 * Envoy resource names as Contour makes them (spec §7.4, §7.5). The names are user-visible in
 * Envoy's stats and admin pages, so they must match upstream character for character.
 */
import { createHash } from 'node:crypto';
import { formatGoSeconds } from './duration.js';
import type { IngressRouteHealthCheck } from './ingressroute-types.js';

/** `truncate(l, s, suffix)` from Contour's hashname. */
export function truncate(l: number, s: string, suffix: string): string {
  if (l >= s.length) return s;
  if (l <= suffix.length) return suffix.slice(0, l);
  return `${s.slice(0, l - suffix.length - 1)}-${suffix}`;
}

/** Joins `parts` with `/`, shortening them (then hashing) until the result is under `limit`. */
export function hashname(limit: number, ...parts: string[]): string {
  const joined = parts.join('/');
  if (joined.length < limit) return joined;
  const hash = createHash('sha256').update(joined).digest('hex');
  const work = [...parts];
  for (let i = work.length - 1; i >= 0; i--) {
    work[i] = truncate(Math.floor(limit / work.length), work[i], hash.slice(0, 6));
    const r = work.join('/');
    if (r.length < limit) return r;
  }
  return hash.slice(0, limit);
}

/** What goes into a cluster's settings hash: the raw spec values, before defaults. */
export interface ClusterSettings {
  strategy: string;
  healthCheck?: IngressRouteHealthCheck;
  upstreamValidation?: { caSecretName: string; subjectName: string };
}

/**
 * The cluster name: `hashname(60, ns, service, port, sha1(settings)[0:10])`, so the same Service
 * with different settings gets different clusters (upstream #581).
 */
export function clusterName(namespace: string, service: string, port: number, s: ClusterSettings): string {
  let buf = s.strategy;
  const hc = s.healthCheck;
  if (hc) {
    if ((hc.timeoutSeconds ?? 0) > 0) buf += formatGoSeconds(hc.timeoutSeconds!);
    if ((hc.intervalSeconds ?? 0) > 0) buf += formatGoSeconds(hc.intervalSeconds!);
    if ((hc.unhealthyThresholdCount ?? 0) > 0) buf += String(hc.unhealthyThresholdCount);
    if ((hc.healthyThresholdCount ?? 0) > 0) buf += String(hc.healthyThresholdCount);
    buf += hc.path ?? '';
  }
  if (s.upstreamValidation) buf += s.upstreamValidation.caSecretName + s.upstreamValidation.subjectName;
  const h = createHash('sha1').update(buf).digest('hex').slice(0, 10);
  return hashname(60, namespace, service, String(port), h);
}
