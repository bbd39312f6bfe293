/**
 * The DAG builder. {@link DagBuilder} keeps the objects and, for every root IngressRoute, every
 * delegated subtree and every Ingress, the cached result of processing it plus the objects that
 * processing read. A change drops the cached results that read the changed object, re-walks only
 * their roots (replaying every subtree still cached), re-merges only their hosts and recomputes
 * only the statuses that changed, so one team's edit costs that team's subtree, not the cluster's.
 * {@link buildDag} is the same builder fed from empty, which is what makes "incremental equals
 * full" a property we can test (builder.test.ts, on random edit sequences).
 *
 * Order, where Contour's is random (Go map iteration), is fixed: roots and Ingresses are
 * processed in `namespace/name` order, so "first status wins" and "later route replaces" are
 * deterministic.
 */
import type { Endpoints, Secret as K8sSecret, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import type { Ingress, IngressClass } from 'kubernetes-types/networking/v1.js';
import { matchesIngressClass, DEFAULT_INGRESS_CLASS } from './class-filter.js';
import { CowMap } from './cow-map.js';
import { fromEndpoints, fromEndpointSlices } from './endpoints.js';
import { processIngress, type IngressResult } from './ingress-processor.js';
import { isRoot, processRoot, type RootResult, type SubtreeCache, type SubtreeResult } from './ingressroute-processor.js';
import type { IngressRoute, TLSCertificateDelegation } from './ingressroute-types.js';
import { key, type DagOptions, type Lookup } from './lookup.js';
import * as msg from './messages.js';
import { maxTlsVersion } from './secrets.js';
import type {
  Dag, Listener, ObjectKey, ObjectStatus, Route, SecureVirtualHost, ServiceEndpoints, TcpProxy, TlsVersion, VirtualHost,
} from './types.js';

/** Everything the DAG is built from; each list may be absent. */
export interface IngressSnapshot {
  ingressRoutes?: readonly IngressRoute[];
  tlsCertificateDelegations?: readonly TLSCertificateDelegation[];
  ingresses?: readonly Ingress[];
  /** Accepted for completeness; matching is by class name, as in Contour (see class-filter.ts). */
  ingressClasses?: readonly IngressClass[];
  services?: readonly Service[];
  endpoints?: readonly Endpoints[];
  endpointSlices?: readonly EndpointSlice[];
  secrets?: readonly K8sSecret[];
}

/** An object {@link DagBuilder.upsert} takes; `kind` says which. */
export type IngressObject =
  | IngressRoute | TLSCertificateDelegation | Ingress | IngressClass | Service | Endpoints | EndpointSlice | K8sSecret;

/** The kinds the builder understands. */
export type IngressObjectKind =
  | 'IngressRoute' | 'TLSCertificateDelegation' | 'Ingress' | 'IngressClass' | 'Service' | 'Endpoints' | 'EndpointSlice' | 'Secret';

/** Thrown for an object whose kind the builder does not handle. */
export class UnsupportedKindError extends Error {
  constructor(readonly kind: string | undefined) {
    super(`ingress DAG: unsupported kind ${JSON.stringify(kind)}`);
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type RouteEntry = { route: Route; by?: Route };

interface CachedIngress extends IngressResult { readonly deps: readonly string[]; readonly hosts: ReadonlySet<string> }

function insertSorted(a: string[], s: string): void {
  let lo = 0, hi = a.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (a[mid] < s) lo = mid + 1; else hi = mid; }
  if (a[lo] !== s) a.splice(lo, 0, s);
}
function removeSorted(a: string[], s: string): void {
  let lo = 0, hi = a.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (a[mid] < s) lo = mid + 1; else hi = mid; }
  if (a[lo] === s) a.splice(lo, 1);
}
function addTo<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}
function deleteFrom<K, V>(m: Map<K, Set<V>>, k: K, v: V): void {
  const s = m.get(k);
  if (s && s.delete(v) && s.size === 0) m.delete(k);
}

// §7.3: regex routes first, then prefixes; within each, reverse-lexicographic by match.
function envoyOrder(a: Route, b: Route): number {
  if (a.kind !== b.kind) return a.kind === 'RegexRoute' ? -1 : 1;
  return a.match < b.match ? 1 : a.match > b.match ? -1 : 0;
}

export class DagBuilder {
  private readonly options: DagOptions;
  private readonly className: string;
  private readonly rootNamespaces: ReadonlySet<string> | undefined;
  private readonly globalMinTls: TlsVersion;

  // The objects.
  private readonly irs = new CowMap<IngressRoute>();
  private readonly ingresses = new Map<ObjectKey, Ingress>();
  private readonly services = new Map<ObjectKey, Service>();
  private readonly secrets = new Map<ObjectKey, K8sSecret>();
  private readonly delegations = new Map<string, Map<string, TLSCertificateDelegation>>();
  private readonly endpointsObjects = new Map<ObjectKey, Endpoints>();
  private readonly slices = new Map<ObjectKey, Map<string, EndpointSlice>>();
  private readonly sliceService = new Map<ObjectKey, ObjectKey>();
  private readonly ingressClasses = new Map<string, IngressClass>();

  // Indexes and cached results.
  private readonly fqdnRoots = new Map<string, Set<ObjectKey>>();
  private readonly rootFqdn = new Map<ObjectKey, string>();
  private readonly rootResults = new Map<ObjectKey, RootResult>();
  /** Delegated subtrees by walk position, and which of them read each object. */
  private readonly subtrees = new Map<string, SubtreeResult>();
  private readonly subtreeDependents = new Map<string, Set<string>>();
  private readonly subtreeRoot = new Map<string, ObjectKey>();
  private walking: ObjectKey = '';
  private readonly subtreeCache: SubtreeCache = {
    get: (k) => this.subtrees.get(k),
    set: (k, r) => {
      this.subtrees.set(k, r);
      this.subtreeRoot.set(k, this.walking);
      for (const d of r.deps) addTo(this.subtreeDependents, d, k);
    },
  };
  private readonly ingressResults = new Map<ObjectKey, CachedIngress>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly visitedBy = new Map<ObjectKey, Set<ObjectKey>>();
  private readonly hostIngresses = new Map<string, Set<ObjectKey>>();

  // The assembled output.
  private readonly http = new Map<string, VirtualHost>();
  private readonly https = new Map<string, SecureVirtualHost>();
  private readonly httpNames: string[] = [];
  private readonly httpsNames: string[] = [];
  private readonly overridden = new CowMap<Array<{ route: Route; by: Route }>>();
  private readonly statuses = new CowMap<ObjectStatus>();
  private readonly endpointsView = new CowMap<ServiceEndpoints>();

  // Pending work.
  private readonly dirtyRoots = new Set<ObjectKey>();
  private readonly dirtyIngresses = new Set<ObjectKey>();
  private readonly dirtyHosts = new Set<string>();
  private readonly dirtyStatuses = new Set<ObjectKey>();
  private changed = { hosts: true, statuses: true, irs: true, endpoints: true, overridden: true };
  private last: Dag | undefined;

  constructor(options: DagOptions = {}) {
    this.options = options;
    this.className = options.ingressClass || DEFAULT_INGRESS_CLASS;
    this.rootNamespaces = options.rootNamespaces && options.rootNamespaces.length > 0 ? new Set(options.rootNamespaces) : undefined;
    this.globalMinTls = options.minimumTlsVersion ?? '1.1';
  }

  /** Loads every object of a snapshot. */
  load(snapshot: IngressSnapshot): this {
    for (const o of snapshot.ingressRoutes ?? []) this.putIngressRoute(o);
    for (const o of snapshot.tlsCertificateDelegations ?? []) this.putDelegation(o);
    for (const o of snapshot.ingresses ?? []) this.putIngress(o);
    for (const o of snapshot.ingressClasses ?? []) this.ingressClasses.set(o.metadata?.name ?? '', o);
    for (const o of snapshot.services ?? []) this.putService(o);
    for (const o of snapshot.endpoints ?? []) this.putEndpoints(o);
    for (const o of snapshot.endpointSlices ?? []) this.putEndpointSlice(o);
    for (const o of snapshot.secrets ?? []) this.putSecret(o);
    return this;
  }

  /**
   * Adds or replaces an object (by `kind`, namespace and name). Returns whether the DAG may have
   * changed: false for a Service or Secret nobody refers to, as Contour's cache does, so the
   * shell can skip the rebuild.
   */
  upsert(obj: IngressObject): boolean {
    return this.put(obj, false);
  }

  /** Removes an object; only `kind`, `metadata.namespace` and `metadata.name` are read. */
  remove(obj: { kind?: string; metadata?: { namespace?: string; name?: string } }): boolean {
    return this.put(obj as IngressObject, true);
  }

  private put(obj: IngressObject, removing: boolean): boolean {
    const kind = (obj as { kind?: string }).kind;
    switch (kind) {
      case 'IngressRoute': return this.putIngressRoute(obj as IngressRoute, removing);
      case 'TLSCertificateDelegation': return this.putDelegation(obj as TLSCertificateDelegation, removing);
      case 'Ingress': return this.putIngress(obj as Ingress, removing);
      case 'IngressClass':
        if (removing) this.ingressClasses.delete(obj.metadata?.name ?? '');
        else this.ingressClasses.set(obj.metadata?.name ?? '', obj as IngressClass);
        return false;
      case 'Service': return this.putService(obj as Service, removing);
      case 'Endpoints': return this.putEndpoints(obj as Endpoints, removing);
      case 'EndpointSlice': return this.putEndpointSlice(obj as EndpointSlice, removing);
      case 'Secret': return this.putSecret(obj as K8sSecret, removing);
      default: throw new UnsupportedKindError(kind);
    }
  }

  /** The DAG for the objects now held. Cheap when little changed; the same object when nothing did. */
  dag(): Dag {
    if (this.last && !this.pending()) return this.last;
    this.processRoots();
    this.processIngresses();
    for (const h of this.dirtyHosts) this.mergeHost(h);
    this.dirtyHosts.clear();
    for (const k of this.dirtyStatuses) this.computeStatus(k);
    this.dirtyStatuses.clear();

    const prev = this.last;
    const listeners = !prev || this.changed.hosts ? this.listeners() : prev.listeners;
    this.last = {
      listeners,
      statuses: !prev || this.changed.statuses ? this.statuses.snapshot() : prev.statuses,
      ingressRoutes: !prev || this.changed.irs ? this.irs.snapshot() : prev.ingressRoutes,
      endpoints: !prev || this.changed.endpoints ? this.endpointsView.snapshot() : prev.endpoints,
      overridden: !prev || this.changed.overridden ? this.overridden.snapshot() : prev.overridden,
    };
    this.changed = { hosts: false, statuses: false, irs: false, endpoints: false, overridden: false };
    return this.last;
  }

  private pending(): boolean {
    const c = this.changed;
    return this.dirtyRoots.size + this.dirtyIngresses.size + this.dirtyHosts.size + this.dirtyStatuses.size > 0
      || c.hosts || c.statuses || c.irs || c.endpoints || c.overridden;
  }

  // ---- objects -------------------------------------------------------------------------------

  private allowedRootNamespace(ns: string): boolean {
    return this.rootNamespaces === undefined || this.rootNamespaces.has(ns);
  }

  private putIngressRoute(o: IngressRoute, removing = false): boolean {
    const k = key(o.metadata?.namespace, o.metadata?.name);
    const next = removing || !matchesIngressClass(o, this.className) ? undefined : o;
    const before = this.irs.get(k);
    if (!before && !next) return false;
    if (next) this.irs.set(k, next);
    else this.irs.delete(k);
    this.changed.irs = true;
    // Our own status writes come back as updates; they change what is carried, not what is built
    // (Contour #854). Keep the new object for status diffs, and rebuild nothing.
    if (before && next && JSON.stringify(before.spec) === JSON.stringify(next.spec)) return false;

    // A root outside the root namespaces takes no part in fqdn conflicts (§4.9).
    const oldFqdn = this.rootFqdn.get(k);
    const newFqdn = next && isRoot(next) && this.allowedRootNamespace(next.metadata.namespace ?? 'default')
      ? next.spec!.virtualhost!.fqdn ?? '' : undefined;
    if (oldFqdn !== newFqdn) {
      if (oldFqdn !== undefined) {
        this.rootFqdn.delete(k);
        deleteFrom(this.fqdnRoots, oldFqdn, k);
        for (const m of this.fqdnRoots.get(oldFqdn) ?? []) this.dirtyRoots.add(m);
        this.dirtyHosts.add(oldFqdn);
      }
      if (newFqdn !== undefined) {
        this.rootFqdn.set(k, newFqdn);
        addTo(this.fqdnRoots, newFqdn, k);
        for (const m of this.fqdnRoots.get(newFqdn)!) this.dirtyRoots.add(m);
        this.dirtyHosts.add(newFqdn);
      }
    }
    this.dirtyRoots.add(k);
    this.dirtyStatuses.add(k);
    this.touch(`ir:${k}`);
    return true;
  }

  private putIngress(o: Ingress, removing = false): boolean {
    const k = key(o.metadata?.namespace, o.metadata?.name);
    const next = removing || !matchesIngressClass(o, this.className) ? undefined : o;
    if (!this.ingresses.has(k) && !next) return false;
    if (next) this.ingresses.set(k, next);
    else this.ingresses.delete(k);
    this.dirtyIngresses.add(k);
    return true;
  }

  private putService(o: Service, removing = false): boolean {
    const k = key(o.metadata?.namespace, o.metadata?.name);
    if (removing) this.services.delete(k);
    else this.services.set(k, o);
    return this.touch(`svc:${k}`);
  }

  private putSecret(o: K8sSecret, removing = false): boolean {
    const k = key(o.metadata?.namespace, o.metadata?.name);
    if (removing) this.secrets.delete(k);
    else this.secrets.set(k, o);
    return this.touch(`secret:${k}`);
  }

  private putDelegation(o: TLSCertificateDelegation, removing = false): boolean {
    const ns = o.metadata?.namespace ?? 'default';
    const name = o.metadata?.name ?? '';
    if (removing) {
      this.delegations.get(ns)?.delete(name);
      if (this.delegations.get(ns)?.size === 0) this.delegations.delete(ns);
    } else {
      let m = this.delegations.get(ns);
      if (!m) this.delegations.set(ns, (m = new Map()));
      m.set(name, o);
    }
    return this.touch(`tlsd:${ns}`);
  }

  private putEndpoints(o: Endpoints, removing = false): boolean {
    const k = key(o.metadata?.namespace, o.metadata?.name);
    if (removing) this.endpointsObjects.delete(k);
    else this.endpointsObjects.set(k, o);
    this.refreshEndpoints(k);
    return true;
  }

  private putEndpointSlice(o: EndpointSlice, removing = false): boolean {
    const ns = o.metadata?.namespace ?? 'default';
    const sliceKey = key(ns, o.metadata?.name);
    const oldSvc = this.sliceService.get(sliceKey);
    if (oldSvc !== undefined) {
      this.slices.get(oldSvc)?.delete(sliceKey);
      if (this.slices.get(oldSvc)?.size === 0) this.slices.delete(oldSvc);
      this.sliceService.delete(sliceKey);
      this.refreshEndpoints(oldSvc);
    }
    const svcName = o.metadata?.labels?.['kubernetes.io/service-name'];
    if (!removing && svcName) {
      const svc = key(ns, svcName);
      let m = this.slices.get(svc);
      if (!m) this.slices.set(svc, (m = new Map()));
      m.set(sliceKey, o);
      this.sliceService.set(sliceKey, svc);
      this.refreshEndpoints(svc);
    }
    return true;
  }

  // EndpointSlices are the newer source; Endpoints are used for a Service that has none.
  private refreshEndpoints(svc: ObjectKey): void {
    const slices = this.slices.get(svc);
    const ep = this.endpointsObjects.get(svc);
    if (slices && slices.size > 0) this.endpointsView.set(svc, fromEndpointSlices(slices.values()));
    else if (ep) this.endpointsView.set(svc, fromEndpoints(ep));
    else this.endpointsView.delete(svc);
    this.changed.endpoints = true;
  }

  // ---- dependencies --------------------------------------------------------------------------

  /** Marks everything that read `tag` for re-processing; says whether anything had. */
  private touch(tag: string): boolean {
    const subtrees = this.subtreeDependents.get(tag);
    if (subtrees) {
      for (const k of [...subtrees]) {
        this.dirtyRoots.add(this.subtreeRoot.get(k)!);
        this.dropSubtree(k);
      }
    }
    const owners = this.dependents.get(tag);
    for (const o of owners ?? []) {
      if (o.startsWith('r:')) this.dirtyRoots.add(o.slice(2));
      else this.dirtyIngresses.add(o.slice(2));
    }
    return subtrees !== undefined || owners !== undefined;
  }

  private dropSubtree(k: string): void {
    const r = this.subtrees.get(k);
    if (!r) return;
    this.subtrees.delete(k);
    this.subtreeRoot.delete(k);
    for (const d of r.deps) deleteFrom(this.subtreeDependents, d, k);
  }

  /** Plain reads of the store; processRoot records its own dependencies. */
  private readonly store: Lookup = {
    ingressRoute: (ns, name) => this.irs.get(key(ns, name)),
    service: (ns, name) => this.services.get(key(ns, name)),
    secret: (ns, name) => this.secrets.get(key(ns, name)),
    delegations: (ns) => this.delegations.get(ns)?.values() ?? [],
  };

  private tracking(deps: Set<string>): Lookup {
    return {
      ingressRoute: (ns, name) => {
        const k = key(ns, name);
        deps.add(`ir:${k}`);
        return this.irs.get(k);
      },
      service: (ns, name) => {
        const k = key(ns, name);
        deps.add(`svc:${k}`);
        return this.services.get(k);
      },
      secret: (ns, name) => {
        const k = key(ns, name);
        deps.add(`secret:${k}`);
        return this.secrets.get(k);
      },
      delegations: (ns) => {
        deps.add(`tlsd:${ns}`);
        return this.delegations.get(ns)?.values() ?? [];
      },
    };
  }

  private register(owner: string, deps: Iterable<string>): void {
    for (const d of deps) addTo(this.dependents, d, owner);
  }
  private unregister(owner: string, deps: Iterable<string>): void {
    for (const d of deps) deleteFrom(this.dependents, d, owner);
  }

  // ---- processing ----------------------------------------------------------------------------

  /**
   * Re-walks the dirty roots. Only what differs from the previous walk is re-indexed: with
   * replayed subtrees, unchanged statuses are the very same objects, so a root shared by 10,000
   * teams costs the edited team's subtree plus a pass over references.
   */
  private processRoots(): void {
    for (const k of this.dirtyRoots) {
      const old = this.rootResults.get(k);
      const ir = this.irs.get(k);
      const fqdn = this.rootFqdn.get(k);
      let next: RootResult | undefined;
      // Roots sharing an fqdn are all invalid and walk nothing (§4.2 step 1).
      if (ir && fqdn !== undefined && this.fqdnRoots.get(fqdn)!.size === 1) {
        this.walking = k;
        next = processRoot(ir, this.store, this.options, this.subtreeCache);
        this.rootResults.set(k, next);
        this.dirtyHosts.add(fqdn);
      } else {
        this.rootResults.delete(k);
      }
      if (old) this.dirtyHosts.add(old.fqdn);

      const owner = `r:${k}`;
      const oldDeps = old?.deps ?? new Set<string>();
      const newDeps = next?.deps ?? new Set<string>();
      for (const d of oldDeps) if (!newDeps.has(d)) deleteFrom(this.dependents, d, owner);
      for (const d of newDeps) if (!oldDeps.has(d)) addTo(this.dependents, d, owner);

      const oldStatuses = old?.statuses ?? new Map<ObjectKey, ObjectStatus>();
      const newStatuses = next?.statuses ?? new Map<ObjectKey, ObjectStatus>();
      for (const [s, st] of oldStatuses) {
        if (newStatuses.get(s) === st) continue;
        this.dirtyStatuses.add(s);
        if (!newStatuses.has(s)) deleteFrom(this.visitedBy, s, k);
      }
      for (const [s, st] of newStatuses) {
        if (oldStatuses.get(s) === st) continue;
        this.dirtyStatuses.add(s);
        addTo(this.visitedBy, s, k);
      }

      // Subtrees this root no longer reaches would otherwise stay cached for ever.
      const kept = new Set(next?.subtrees ?? []);
      for (const sk of old?.subtrees ?? []) if (!kept.has(sk)) this.dropSubtree(sk);
      this.dirtyStatuses.add(k);
    }
    this.dirtyRoots.clear();
  }

  private processIngresses(): void {
    for (const k of this.dirtyIngresses) {
      const old = this.ingressResults.get(k);
      if (old) {
        this.unregister(`i:${k}`, old.deps);
        for (const h of old.hosts) {
          deleteFrom(this.hostIngresses, h, k);
          this.dirtyHosts.add(h);
        }
        this.ingressResults.delete(k);
      }
      const ing = this.ingresses.get(k);
      if (ing) {
        const deps = new Set<string>();
        const res = processIngress(ing, this.tracking(deps));
        const hosts = new Set<string>([...res.tls.map((t) => t.host), ...res.routes.map((r) => r.host)]);
        this.ingressResults.set(k, { ...res, deps: [...deps], hosts });
        this.register(`i:${k}`, deps);
        for (const h of hosts) {
          addTo(this.hostIngresses, h, k);
          this.dirtyHosts.add(h);
        }
      }
    }
    this.dirtyIngresses.clear();
  }

  /** Rebuilds both virtual hosts of one host name (§3.4 order), then prunes them (§6). */
  private mergeHost(host: string): void {
    let secure: { secret: SecureVirtualHost['secret']; minTlsVersion: TlsVersion } | undefined;
    const httpRoutes = new Map<string, RouteEntry>();
    const httpsRoutes = new Map<string, RouteEntry>();
    const overridden: Array<{ route: Route; by: Route }> = [];
    const add = (m: Map<string, RouteEntry>, r: Route, record: boolean) => {
      const prev = m.get(r.match);
      if (prev && record) overridden.push({ route: prev.route, by: r });
      m.set(r.match, { route: r });
    };

    const ingressKeys = [...(this.hostIngresses.get(host) ?? [])].sort();
    // 1. Secure vhosts from every Ingress's spec.tls; a later one replaces the secret.
    for (const ik of ingressKeys) {
      for (const t of this.ingressResults.get(ik)!.tls) if (t.host === host) secure = { secret: t.secret, minTlsVersion: t.minTlsVersion };
    }
    // 2. Ingress routes; port 443 only where step 1 made a secure vhost.
    const ingressTls = secure !== undefined && host !== '*';
    for (const ik of ingressKeys) {
      for (const r of this.ingressResults.get(ik)!.routes) {
        if (r.host !== host) continue;
        if (r.http) add(httpRoutes, r.route, true);
        if (ingressTls) add(httpsRoutes, r.route, !r.http);
      }
    }
    // 3. The root IngressRoute for this fqdn, if one stands alone and was processed.
    let tcpProxy: TcpProxy | undefined;
    const roots = this.fqdnRoots.get(host);
    if (roots && roots.size === 1) {
      const res = this.rootResults.get(roots.values().next().value!);
      if (res) {
        if (res.secure) secure = res.secure;
        for (const r of res.routes) {
          add(httpRoutes, r, true);
          add(httpsRoutes, r, false);
        }
        tcpProxy = res.tcpProxy;
      }
    }

    const sorted = (m: Map<string, RouteEntry>) => [...m.values()].map((e) => e.route).sort(envoyOrder);
    const hadHttp = this.http.has(host);
    const hadHttps = this.https.has(host);
    if (httpRoutes.size > 0) {
      this.http.set(host, { kind: 'VirtualHost', name: host, routes: sorted(httpRoutes) });
      if (!hadHttp) insertSorted(this.httpNames, host);
    } else if (hadHttp) {
      this.http.delete(host);
      removeSorted(this.httpNames, host);
    }
    // A secure vhost needs a secret, or a TCP proxy (TLS passthrough).
    if (secure?.secret || tcpProxy) {
      const v: Mutable<SecureVirtualHost> = {
        kind: 'SecureVirtualHost',
        name: host,
        routes: sorted(httpsRoutes),
        minTlsVersion: maxTlsVersion(this.globalMinTls, secure?.minTlsVersion ?? '1.1'),
      };
      if (secure?.secret) v.secret = secure.secret;
      if (tcpProxy) v.tcpProxy = tcpProxy;
      this.https.set(host, v);
      if (!hadHttps) insertSorted(this.httpsNames, host);
    } else if (hadHttps) {
      this.https.delete(host);
      removeSorted(this.httpsNames, host);
    }
    if (overridden.length > 0) {
      this.overridden.set(host, overridden);
      this.changed.overridden = true;
    } else if (this.overridden.delete(host)) {
      this.changed.overridden = true;
    }
    this.changed.hosts = true;
  }

  /**
   * One IngressRoute's status. Namespace and fqdn-conflict verdicts come first (they are recorded
   * before any walk); then the first root, in order, whose walk recorded one; else orphaned.
   */
  private computeStatus(k: ObjectKey): void {
    const before = this.statuses.get(k);
    const ir = this.irs.get(k);
    let next: ObjectStatus | undefined;
    if (ir) {
      if (isRoot(ir) && !this.allowedRootNamespace(ir.metadata.namespace ?? 'default')) {
        next = { currentStatus: 'invalid', description: msg.ROOT_NAMESPACE };
      } else if (isRoot(ir) && this.fqdnRoots.get(this.rootFqdn.get(k)!)!.size > 1) {
        const fqdn = this.rootFqdn.get(k)!;
        next = { currentStatus: 'invalid', description: msg.fqdnConflict(fqdn, [...this.fqdnRoots.get(fqdn)!]) };
      } else {
        let first: ObjectKey | undefined;
        for (const r of this.visitedBy.get(k) ?? []) if (first === undefined || r < first) first = r;
        next = first !== undefined
          ? this.rootResults.get(first)!.statuses.get(k)
          : { currentStatus: 'orphaned', description: msg.ORPHANED };
      }
    }
    if (next === undefined) {
      if (before !== undefined) {
        this.statuses.delete(k);
        this.changed.statuses = true;
      }
    } else if (!before || before.currentStatus !== next.currentStatus || before.description !== next.description) {
      this.statuses.set(k, next);
      this.changed.statuses = true;
    }
  }

  private listeners(): Listener[] {
    const out: Listener[] = [];
    if (this.httpNames.length > 0) {
      out.push({ name: 'ingress_http', port: 80, virtualHosts: this.httpNames.map((n) => this.http.get(n)!) });
    }
    if (this.httpsNames.length > 0) {
      out.push({ name: 'ingress_https', port: 443, virtualHosts: this.httpsNames.map((n) => this.https.get(n)!) });
    }
    return out;
  }
}

/** The DAG of a snapshot, built in full. */
export function buildDag(snapshot: IngressSnapshot, options: DagOptions = {}): Dag {
  return new DagBuilder(options).load(snapshot).dag();
}
