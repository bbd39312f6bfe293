/**
 * Services and clusters: finding a Service port, reading the Service's Contour annotations, and
 * building a {@link Cluster} with Contour's strategy mapping and health-check defaults.
 */
import type { Service, ServicePort } from 'kubernetes-types/core/v1.js';
import { clusterName } from './hashname.js';
import type { IngressRouteHealthCheck } from './ingressroute-types.js';
import type { Cluster, HealthCheck, HttpService, LbPolicy, UpstreamProtocol } from './types.js';

/** IngressRoute ports match a Service port number, or a port *name* equal to the decimal string (§1.2). */
export function findServicePort(svc: Service | undefined, port: number | string | undefined): ServicePort | undefined {
  if (!svc || port === undefined || port === '') return undefined;
  for (const p of svc.spec?.ports ?? []) {
    if (typeof port === 'number' ? p.port === port || p.name === String(port) : p.name === port || String(p.port) === port) return p;
  }
  return undefined;
}

function annotationInt(a: Record<string, string>, key: string): number | undefined {
  const v = a[key];
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  const n = Number(v.trim());
  return n > 0 ? n : undefined;
}

function protocolOf(a: Record<string, string>, p: ServicePort): UpstreamProtocol {
  for (const proto of ['h2', 'h2c', 'tls'] as const) {
    const list = (a[`contour.heptio.com/upstream-protocol.${proto}`] ?? '').split(',').map((s) => s.trim());
    if ((p.name && list.includes(p.name)) || list.includes(String(p.port))) return proto;
  }
  return '';
}

/** The service vertex for one port of a Service, with its protocol and circuit-breaker limits. */
export function httpService(svc: Service, p: ServicePort): HttpService {
  const a = svc.metadata?.annotations ?? {};
  const out: { -readonly [K in keyof HttpService]: HttpService[K] } = {
    namespace: svc.metadata?.namespace ?? 'default',
    name: svc.metadata?.name ?? '',
    port: p.port,
    portName: p.name ?? '',
    protocol: protocolOf(a, p),
  };
  if (svc.spec?.type === 'ExternalName' && svc.spec.externalName) out.externalName = svc.spec.externalName;
  const limits = [
    ['maxConnections', 'contour.heptio.com/max-connections'],
    ['maxPendingRequests', 'contour.heptio.com/max-pending-requests'],
    ['maxRequests', 'contour.heptio.com/max-requests'],
    ['maxRetries', 'contour.heptio.com/max-retries'],
  ] as const;
  for (const [field, key] of limits) {
    const n = annotationInt(a, key);
    if (n !== undefined) out[field] = n;
  }
  return out;
}

/** §2.1: unknown and empty strategies are round robin. */
export function lbPolicy(strategy: string): LbPolicy {
  switch (strategy) {
    case 'WeightedLeastRequest': return 'LEAST_REQUEST';
    case 'Random': return 'RANDOM';
    case 'Cookie': return 'RING_HASH';
    default: return 'ROUND_ROBIN';
  }
}

/** §2.2: zero or absent fields take Contour's defaults (interval 10 s, as the code has it). */
export function healthCheck(hc: IngressRouteHealthCheck): HealthCheck {
  const pos = (n: number | undefined, d: number) => (n !== undefined && n > 0 ? n : d);
  return {
    path: hc.path ?? '',
    host: hc.host || 'contour-envoy-healthcheck',
    intervalSeconds: pos(hc.intervalSeconds, 10),
    timeoutSeconds: pos(hc.timeoutSeconds, 2),
    unhealthyThresholdCount: pos(hc.unhealthyThresholdCount, 3),
    healthyThresholdCount: pos(hc.healthyThresholdCount, 2),
  };
}

export interface ClusterSpec {
  service: HttpService;
  weight?: number;
  strategy?: string;
  healthCheck?: IngressRouteHealthCheck;
  upstreamValidation?: { caSecret: string; caSecretName: string; caCertificate: string; subjectName: string };
}

export function cluster(s: ClusterSpec): Cluster {
  const strategy = s.strategy ?? '';
  const c: { -readonly [K in keyof Cluster]: Cluster[K] } = {
    name: clusterName(s.service.namespace, s.service.name, s.service.port, {
      strategy,
      healthCheck: s.healthCheck,
      upstreamValidation: s.upstreamValidation,
    }),
    service: s.service,
    weight: s.weight ?? 0,
    strategy,
    lbPolicy: lbPolicy(strategy),
    drainConnectionsOnHostRemoval: s.healthCheck !== undefined,
  };
  if (s.healthCheck) c.healthCheck = healthCheck(s.healthCheck);
  if (s.upstreamValidation) {
    const { caSecret, caCertificate, subjectName } = s.upstreamValidation;
    c.upstreamValidation = { caSecret, caCertificate, subjectName };
  }
  return c;
}

/**
 * What Envoy gets for a route's clusters (§2.5): one cluster → itself, weight ignored; several →
 * weighted clusters sorted by name then weight, all-zero weights becoming 1 each.
 */
export function weightedClusters(clusters: readonly Cluster[]): { clusters: Array<{ cluster: Cluster; weight: number }>; totalWeight: number } {
  if (clusters.length === 1) return { clusters: [{ cluster: clusters[0], weight: clusters[0].weight }], totalWeight: clusters[0].weight };
  const allZero = clusters.every((c) => c.weight === 0);
  const out = clusters.map((c) => ({ cluster: c, weight: allZero ? 1 : c.weight }));
  out.sort((a, b) => (a.cluster.name < b.cluster.name ? -1 : a.cluster.name > b.cluster.name ? 1 : a.weight - b.weight));
  return { clusters: out, totalWeight: out.reduce((n, c) => n + c.weight, 0) };
}
