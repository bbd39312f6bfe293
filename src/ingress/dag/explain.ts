/**
 * `flotilla ingress explain <url>`: what serves a URL, and who tried to and lost. Matching is the
 * data plane's (Envoy's): regex routes in full, prefixes as plain string prefixes, in the order the
 * virtual host lists them.
 */
import { isRoot } from './ingressroute-processor.js';
import { matchesPathPrefix } from './path-prefix.js';
import type { Cluster, Dag, ObjectKey, ObjectStatus, Route, SecureVirtualHost, VirtualHost } from './types.js';

export interface ExplainedCluster {
  readonly name: string;
  /** `namespace/name:port`. */
  readonly service: string;
  /** The weight Envoy uses (§2.5). */
  readonly weight: number;
  /** Ready `ip:port`s; empty means the proxy answers 503. */
  readonly endpoints: readonly string[];
}

export interface Claimant {
  readonly kind: 'IngressRoute' | 'Ingress';
  readonly object: ObjectKey;
  readonly status?: ObjectStatus;
  readonly reason: string;
}

export interface Explanation {
  readonly host: string;
  readonly path: string;
  readonly listener: 'ingress_http' | 'ingress_https';
  /** Absent when nothing serves the URL. */
  readonly servedBy?: {
    readonly virtualHost: string;
    readonly kind: 'route' | 'tcpproxy';
    readonly match?: string;
    readonly source: { readonly kind: 'IngressRoute' | 'Ingress'; readonly object: ObjectKey };
    /** The root IngressRoute, when an IngressRoute serves. */
    readonly root?: ObjectKey;
    /** Root first, serving object last. */
    readonly chain: readonly ObjectKey[];
    /** On http with TLS enforced: a 301 to https instead of the clusters. */
    readonly redirectToHttps: boolean;
    readonly clusters: readonly ExplainedCluster[];
  };
  readonly lost: readonly Claimant[];
}

function routeMatches(r: Route, path: string): boolean {
  if (r.kind === 'RegexRoute') {
    try {
      return new RegExp(`^(?:${r.match})$`).test(path);
    } catch {
      return false;
    }
  }
  return path.startsWith(r.match);
}

function explainClusters(dag: Dag, clusters: readonly Cluster[]): ExplainedCluster[] {
  const allZero = clusters.length > 1 && clusters.every((c) => c.weight === 0);
  return clusters.map((c) => ({
    name: c.name,
    service: `${c.service.namespace}/${c.service.name}:${c.service.port}`,
    weight: allZero ? 1 : c.weight,
    endpoints: dag.endpoints.get(`${c.service.namespace}/${c.service.name}`)?.ports[c.service.portName] ?? [],
  }));
}

/** `url` may leave out the scheme (`www.example.com/blog` means http). */
export function explain(dag: Dag, url: string): Explanation {
  const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`);
  const host = u.hostname;
  const path = u.pathname || '/';
  const secure = u.protocol === 'https:';
  const listener = dag.listeners.find((l) => l.port === (secure ? 443 : 80));
  const vhosts = listener?.virtualHosts ?? [];
  const vhost: VirtualHost | SecureVirtualHost | undefined =
    vhosts.find((v) => v.name === host) ?? (secure ? undefined : vhosts.find((v) => v.name === '*'));

  let servedBy: Explanation['servedBy'];
  let served: Route | undefined;
  if (vhost?.kind === 'SecureVirtualHost' && vhost.tcpProxy) {
    const t = vhost.tcpProxy;
    servedBy = {
      virtualHost: vhost.name, kind: 'tcpproxy',
      source: { kind: t.source.kind, object: `${t.source.namespace}/${t.source.name}` },
      root: t.source.chain[0], chain: t.source.chain, redirectToHttps: false, clusters: explainClusters(dag, t.clusters),
    };
  } else if (vhost) {
    served = vhost.routes.find((r) => routeMatches(r, path));
    if (served) {
      const s = served.source;
      servedBy = {
        virtualHost: vhost.name, kind: 'route', match: served.match,
        source: { kind: s.kind, object: `${s.namespace}/${s.name}` },
        ...(s.kind === 'IngressRoute' ? { root: s.chain[0] } : {}),
        chain: s.chain,
        redirectToHttps: !secure && served.httpsUpgrade,
        clusters: explainClusters(dag, served.clusters),
      };
    }
  }

  const lost: Claimant[] = [];
  const chain = new Set(servedBy?.chain ?? []);
  for (const [k, ir] of dag.ingressRoutes) {
    if (chain.has(k)) continue;
    const status = dag.statuses.get(k);
    if (isRoot(ir)) {
      // Every other root naming this host lost it (conflict, namespace, TLS, …).
      if (ir.spec?.virtualhost?.fqdn !== host) continue;
      lost.push({ kind: 'IngressRoute', object: k, status, reason: status?.description ?? 'not processed' });
      continue;
    }
    if (status?.currentStatus === 'valid') continue;
    // A delegate has no host of its own: one that is not serving and has a route for this path
    // (its prefix or a delegation of it) tried to claim it.
    const claims = (ir.spec?.routes ?? []).some((r) => r.match !== undefined && matchesPathPrefix(path, r.match));
    if (claims) lost.push({ kind: 'IngressRoute', object: k, status, reason: status?.description ?? 'not processed' });
  }
  for (const o of dag.overridden.get(vhost?.name ?? '') ?? []) {
    if (!routeMatches(o.route, path) || o.route.match !== served?.match) continue;
    const by = `${o.by.source.namespace}/${o.by.source.name}`;
    lost.push({
      kind: o.route.source.kind,
      object: `${o.route.source.namespace}/${o.route.source.name}`,
      reason: `route "${o.route.match}" replaced by the later ${o.by.source.kind} ${by} with the same match`,
    });
  }
  lost.sort((a, b) => (a.object < b.object ? -1 : a.object > b.object ? 1 : 0));
  return { host, path, listener: secure ? 'ingress_https' : 'ingress_http', ...(servedBy ? { servedBy } : {}), lost };
}
