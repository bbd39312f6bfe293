/**
 * A DAG compiled for the embedded proxy: virtual hosts by name for each listener, each route with
 * its weighted-cluster picker, TLS contexts for the secure virtual hosts. Compiling is incremental
 * by identity — the DAG builder hands back the very same VirtualHost and Route objects for what
 * did not change — so a swap after one team's edit costs that team's host, and a route's weighted
 * split carries on where it was.
 */
import { createSecureContext, type SecureContext } from 'node:tls';
import { changedKeys, weightedClusters, type Cluster, type Dag, type Route, type Secret, type SecureVirtualHost, type TcpProxy, type TlsVersion, type VirtualHost } from '../dag/index.js';
import { SmoothWeighted } from './weighted.js';

export interface ProxyRoute {
  readonly route: Route;
  /** Picks the cluster of a request: weighted when the route has several. */
  readonly picker: SmoothWeighted<Cluster>;
}

export interface ProxyVirtualHost {
  readonly name: string;
  readonly routes: readonly ProxyRoute[];
}

export interface ProxySecureVirtualHost extends ProxyVirtualHost {
  /** Absent for TLS passthrough. */
  readonly secureContext?: SecureContext;
  readonly tcpProxy?: TcpProxy & { readonly picker: SmoothWeighted<Cluster> };
}

export interface RouteTable {
  readonly http: ReadonlyMap<string, ProxyVirtualHost>;
  readonly https: ReadonlyMap<string, ProxySecureVirtualHost>;
  /** Every cluster any route or TCP proxy names, by cluster name, with its ready endpoints. */
  readonly clusters: ReadonlyMap<string, { readonly cluster: Cluster; readonly endpoints: readonly string[] }>;
}


const TLS_MIN: Record<TlsVersion, 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'> = { '1.1': 'TLSv1.1', '1.2': 'TLSv1.2', '1.3': 'TLSv1.3' };

function secretData(s: Secret, key: string): Buffer | undefined {
  const d = s.object.data?.[key];
  if (d) return Buffer.from(d, 'base64');
  const sd = s.object.stringData?.[key];
  return sd ? Buffer.from(sd, 'utf8') : undefined;
}

/** What a compile changed, for the proxy's cluster runtimes. */
export interface TableChanges {
  /** Clusters now named by some route that no route named before. */
  readonly added: readonly string[];
  /** Clusters no route names any more. */
  readonly removed: readonly string[];
  /** Clusters (old or new) whose endpoints or settings may differ: refresh them. */
  readonly touched: readonly string[];
}

type Listed = VirtualHost | SecureVirtualHost;
type ClusterEntry = { cluster: Cluster; endpoints: readonly string[]; refs: number };

/**
 * A compiler that keeps one live table and applies each new DAG to it as a difference: virtual
 * hosts are matched by name against the previous DAG's (both lists are sorted) and only those that
 * are different objects are recompiled; endpoints are refreshed only for the Services whose
 * endpoints changed. A one-host edit at 10,000 hosts costs a pointer walk, not a rebuild.
 * `compile` mutates the maps it returned before, synchronously, so no request sees half a change.
 */
export class RouteTableCompiler {
  private routes = new WeakMap<Route, ProxyRoute>();
  private vhosts = new WeakMap<Listed, ProxyVirtualHost | ProxySecureVirtualHost>();
  private contexts = new WeakMap<Secret, Map<TlsVersion, SecureContext>>();
  private readonly emptyEndpoints: readonly string[] = [];
  private prev: Dag | undefined;
  private readonly http = new Map<string, ProxyVirtualHost>();
  private readonly https = new Map<string, ProxySecureVirtualHost>();
  private readonly clusters = new Map<string, ClusterEntry>();
  private readonly byService = new Map<string, Set<string>>();
  private tcpProxies = 0;
  /** Why a secure vhost got no context (bad PEM), by host; for logs. */
  readonly tlsErrors = new Map<string, string>();

  /** The live table (the same maps across compiles). */
  readonly table: RouteTable = { http: this.http, https: this.https, clusters: this.clusters };

  /** Whether some secure virtual host is a TCP proxy (the HTTPS listener must read SNI first). */
  hasTcpProxies(): boolean {
    return this.tcpProxies > 0;
  }

  compile(dag: Dag): TableChanges {
    const prev = this.prev;
    this.prev = dag;
    const added: string[] = [];
    const removed: string[] = [];
    const touched = new Set<string>();
    const endpointsOf = (c: Cluster): readonly string[] => {
      const s = c.service;
      if (s.externalName) return [`${s.externalName}:${s.port}`];
      return dag.endpoints.get(`${s.namespace}/${s.name}`)?.ports[s.portName] ?? this.emptyEndpoints;
    };
    const ref = (c: Cluster) => {
      const e = this.clusters.get(c.name);
      if (e) {
        e.refs++;
        if (e.cluster !== c) {
          e.cluster = c;
          touched.add(c.name);
        }
        return;
      }
      this.clusters.set(c.name, { cluster: c, endpoints: endpointsOf(c), refs: 1 });
      const sk = `${c.service.namespace}/${c.service.name}`;
      let set = this.byService.get(sk);
      if (!set) this.byService.set(sk, (set = new Set()));
      set.add(c.name);
      added.push(c.name);
      touched.add(c.name);
    };
    const unref = (c: Cluster) => {
      const e = this.clusters.get(c.name)!;
      if (--e.refs > 0) return;
      this.clusters.delete(c.name);
      const sk = `${c.service.namespace}/${c.service.name}`;
      const set = this.byService.get(sk)!;
      set.delete(c.name);
      if (set.size === 0) this.byService.delete(sk);
      removed.push(c.name);
    };
    const clustersOf = (v: Listed): Cluster[] => [
      ...v.routes.flatMap((r) => r.clusters),
      ...(v.kind === 'SecureVirtualHost' ? v.tcpProxy?.clusters ?? [] : []),
    ];
    const addHost = (v: Listed) => {
      const pv = this.vhost(v);
      for (const c of clustersOf(v)) ref(c);
      if (v.kind === 'SecureVirtualHost') {
        this.https.set(v.name, pv as ProxySecureVirtualHost);
        if (v.tcpProxy) this.tcpProxies++;
      } else this.http.set(v.name, pv);
    };
    const removeHost = (v: Listed) => {
      for (const c of clustersOf(v)) unref(c);
      if (v.kind === 'SecureVirtualHost') {
        if (this.https.get(v.name) === this.vhosts.get(v)) this.https.delete(v.name);
        if (v.tcpProxy) this.tcpProxies--;
      } else if (this.http.get(v.name) === this.vhosts.get(v)) this.http.delete(v.name);
    };
    const list = (d: Dag | undefined, port: 80 | 443): readonly Listed[] => d?.listeners.find((l) => l.port === port)?.virtualHosts ?? [];
    for (const port of [80, 443] as const) {
      const before = list(prev, port);
      const after = list(dag, port);
      if (before === after) continue;
      // Both sorted by name: walk them together, touching only what differs.
      let i = 0;
      let j = 0;
      while (i < before.length || j < after.length) {
        const a = before[i];
        const b = after[j];
        if (a && b && a === b) { i++; j++; continue; }
        if (b === undefined || (a !== undefined && a.name < b.name)) { removeHost(a); i++; continue; }
        if (a === undefined || b.name < a.name) { addHost(b); j++; continue; }
        // Same name, new object: add first so shared clusters keep their runtime.
        addHost(b);
        removeHost(a);
        i++;
        j++;
      }
    }
    if (!prev || prev.endpoints !== dag.endpoints) {
      const changed = prev ? changedKeys(prev.endpoints, dag.endpoints) : undefined;
      const services = changed ?? this.byService.keys();
      for (const sk of services) {
        for (const name of this.byService.get(sk) ?? []) {
          const e = this.clusters.get(name)!;
          const eps = endpointsOf(e.cluster);
          if (eps !== e.endpoints) {
            e.endpoints = eps;
            touched.add(name);
          }
        }
      }
    }
    // A cluster can leave with one host and come back with another in the same compile: only
    // the net change counts, so its runtime (pool, health) survives.
    const gone = new Set(removed);
    return {
      added: added.filter((n) => !gone.has(n)),
      removed: removed.filter((n) => !this.clusters.has(n)),
      touched: [...touched].filter((n) => this.clusters.has(n)),
    };
  }

  private route(r: Route): ProxyRoute {
    let pr = this.routes.get(r);
    if (!pr) {
      const w = weightedClusters(r.clusters);
      pr = { route: r, picker: new SmoothWeighted(w.clusters.map((c) => ({ item: c.cluster, weight: r.clusters.length === 1 ? 1 : c.weight }))) };
      this.routes.set(r, pr);
    }
    return pr;
  }

  private vhost(v: VirtualHost | SecureVirtualHost): ProxyVirtualHost | ProxySecureVirtualHost {
    let pv = this.vhosts.get(v);
    if (pv) return pv;
    const routes = v.routes.map((r) => this.route(r));
    if (v.kind === 'VirtualHost') {
      pv = { name: v.name, routes };
    } else {
      const out: { -readonly [K in keyof ProxySecureVirtualHost]: ProxySecureVirtualHost[K] } = { name: v.name, routes };
      if (v.secret) {
        const ctx = this.context(v.secret, v.minTlsVersion, v.name);
        if (ctx) out.secureContext = ctx;
      }
      if (v.tcpProxy) {
        // TCP proxy clusters all weigh 1 (§2.5).
        out.tcpProxy = { ...v.tcpProxy, picker: new SmoothWeighted(v.tcpProxy.clusters.map((c) => ({ item: c, weight: 1 }))) };
      }
      pv = out;
    }
    this.vhosts.set(v, pv);
    return pv;
  }

  private context(secret: Secret, min: TlsVersion, host: string): SecureContext | undefined {
    let byVersion = this.contexts.get(secret);
    if (!byVersion) this.contexts.set(secret, (byVersion = new Map()));
    let ctx = byVersion.get(min);
    if (ctx) return ctx;
    try {
      ctx = createSecureContext({
        cert: secretData(secret, 'tls.crt'),
        key: secretData(secret, 'tls.key'),
        // OpenSSL 3's default security level refuses TLS 1.1 anyway; we do not lower it for
        // Contour's 1.1 default, so in practice the floor is 1.2.
        minVersion: TLS_MIN[min],
      });
      this.tlsErrors.delete(host);
      byVersion.set(min, ctx);
      return ctx;
    } catch (e) {
      this.tlsErrors.set(host, (e as Error).message);
      return undefined;
    }
  }
}
