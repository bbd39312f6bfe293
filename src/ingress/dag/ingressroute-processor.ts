/**
 * One root IngressRoute and everything it delegates to (spec §4.2 step 3 to §4.5), as a pure
 * function of a {@link Lookup}. The result is self-contained — the statuses it recorded (first one
 * per object wins), what it adds to its fqdn's virtual hosts, and every object it read — so the
 * builder can cache it per root and merge roots without walking them again.
 *
 * Each delegated subtree is a result of the same shape, a function of (the path that reached it,
 * its prefix, whether TLS is enforced) and the objects it read. Given a {@link SubtreeCache}, a
 * re-walk replays the subtrees nothing changed under, so one team's edit under a root shared by
 * 10,000 teams re-walks that team's subtree, not the other 9,999. Replay is exact: the walk never
 * reads statuses, and "first status wins" inside a subtree then across the parent gives what a
 * live walk gives.
 */
import { parseTimeout, ingressRouteRetry } from './duration.js';
import type { IngressRoute, IngressRouteService } from './ingressroute-types.js';
import { key, type DagOptions, type Lookup } from './lookup.js';
import * as msg from './messages.js';
import { matchesPathPrefix } from './path-prefix.js';
import { caCertificate, delegationPermitted, isValidTlsSecret, splitSecretName, tlsVersion } from './secrets.js';
import { cluster, findServicePort, httpService } from './services.js';
import type { Cluster, ObjectKey, ObjectStatus, Route, Secret, TcpProxy, TlsVersion } from './types.js';

/** What a walk produced: the part of a root's result one delegated subtree contributes. */
export interface SubtreeResult {
  /** In the order recorded; only the first status of an object counts. */
  readonly statuses: ReadonlyMap<ObjectKey, ObjectStatus>;
  /** Routes in walk order; a later route with the same match replaces an earlier one. */
  readonly routes: readonly Route[];
  /**
   * Every object read, as `ir:`, `svc:`, `secret:` or `tlsd:` tags (missing ones included). With a
   * cache, a root's own deps leave out its subtrees' (the cache's owner tracks those).
   */
  readonly deps: ReadonlySet<string>;
}

/** Where a walk keeps subtree results between builds; keys are opaque and begin with the root's key. */
export interface SubtreeCache {
  get(key: string): SubtreeResult | undefined;
  set(key: string, result: SubtreeResult): void;
}

export interface RootResult extends SubtreeResult {
  readonly fqdn: string;
  readonly secure?: { readonly secret: Secret; readonly minTlsVersion: TlsVersion };
  readonly tcpProxy?: TcpProxy;
  /** The subtree cache keys this walk used, so the builder can drop the others. */
  readonly subtrees: readonly string[];
}

type Frame = { statuses: Map<ObjectKey, ObjectStatus>; routes: Route[]; deps: Set<string> };
const newFrame = (): Frame => ({ statuses: new Map(), routes: [], deps: new Set() });

/** Whether an object is a root: it has a `virtualhost`. */
export function isRoot(ir: IngressRoute): boolean {
  return ir.spec?.virtualhost !== undefined && ir.spec.virtualhost !== null;
}

export function processRoot(root: IngressRoute, source: Lookup, options: DagOptions, cache?: SubtreeCache): RootResult {
  const rootFrame = newFrame();
  let frame = rootFrame;
  const used: string[] = [];
  const ns = (o: IngressRoute) => o.metadata.namespace ?? 'default';
  const k = (o: IngressRoute) => key(o.metadata.namespace, o.metadata.name);
  const set = (o: IngressRoute, currentStatus: ObjectStatus['currentStatus'], description: string) => {
    if (!frame.statuses.has(k(o))) frame.statuses.set(k(o), { currentStatus, description });
  };
  const invalid = (o: IngressRoute, d: string) => set(o, 'invalid', d);
  // Every read is recorded in the frame being walked.
  const lookup: Lookup = {
    ingressRoute: (n, name) => (frame.deps.add(`ir:${key(n, name)}`), source.ingressRoute(n, name)),
    service: (n, name) => (frame.deps.add(`svc:${key(n, name)}`), source.service(n, name)),
    secret: (n, name) => (frame.deps.add(`secret:${key(n, name)}`), source.secret(n, name)),
    delegations: (n) => (frame.deps.add(`tlsd:${n}`), source.delegations(n)),
  };

  const fqdn = root.spec?.virtualhost?.fqdn ?? '';
  const result = (extra: Partial<RootResult> = {}): RootResult => ({ fqdn, ...rootFrame, subtrees: used, ...extra });
  if (fqdn.trim() === '') {
    invalid(root, msg.FQDN_REQUIRED);
    return result();
  }
  if (fqdn.includes('*')) {
    invalid(root, msg.fqdnWildcard(fqdn));
    return result();
  }

  let enforceTLS = false;
  let passthrough = false;
  let secure: RootResult['secure'];
  const tls = root.spec?.virtualhost?.tls;
  if (tls) {
    const secretName = tls.secretName ?? '';
    passthrough = secretName.trim() === '' && tls.passthrough === true;
    const m = splitSecretName(secretName, ns(root));
    const s = secretName.trim() === '' ? undefined : lookup.secret(m.namespace, m.name);
    if (isValidTlsSecret(s)) {
      if (delegationPermitted(m.namespace, m.name, ns(root), lookup.delegations(m.namespace))) {
        secure = { secret: { namespace: m.namespace, name: m.name, object: s }, minTlsVersion: tlsVersion(tls.minimumProtocolVersion) };
        enforceTLS = true;
      } else {
        // Fix of upstream #1347: say so, and route as for a missing secret.
        invalid(root, msg.tlsDelegationNotPermitted(secretName));
      }
    } else if (!passthrough) {
      // QUIRK (copied): the walk goes on, so the routes are still served over plain HTTP.
      invalid(root, msg.tlsSecretInvalid(secretName));
    }
  }

  const redirect = (permitInsecure: boolean | undefined) => enforceTLS && !(permitInsecure === true && !options.disablePermitInsecure);

  // §4.3: the route walk; `path` holds the objects from the root to `obj`.
  const walkRoutes = (obj: IngressRoute, parentPrefix: string, path: IngressRoute[], pathKey: string): void => {
    const isChild = obj !== root;
    for (const r of obj.spec?.routes ?? []) {
      const match = r.match ?? '';
      const services = r.services ?? [];
      if (services.length > 0 && r.delegate) return invalid(obj, msg.servicesAndDelegate(match));
      if (services.length > 1 && r.enableWebsockets) return invalid(obj, msg.websocketsWithServices(match));
      if (services.length === 0 && !r.delegate) continue;
      // Upstream checks only service routes; we check delegate routes too so a child cannot
      // escape the prefix it was given (§4.9). A root's parent prefix is "" and matches anything.
      if (isChild && !matchesPathPrefix(match, parentPrefix)) return invalid(obj, msg.prefixMismatch(match, parentPrefix));

      if (services.length > 0) {
        const clusters: Cluster[] = [];
        for (const s of services) {
          const c = routeCluster(obj, match, s);
          if (typeof c === 'string') return invalid(obj, c);
          clusters.push(c);
        }
        const route: { -readonly [K in keyof Route]: Route[K] } = {
          kind: 'PrefixRoute',
          match,
          clusters,
          httpsUpgrade: redirect(r.permitInsecure),
          websocket: r.enableWebsockets === true,
          timeout: parseTimeout(r.timeoutPolicy?.request),
          source: { kind: 'IngressRoute', namespace: ns(obj), name: obj.metadata.name ?? '', chain: path.map(k) },
        };
        if (r.prefixRewrite) route.prefixRewrite = r.prefixRewrite;
        const retry = ingressRouteRetry(r.retryPolicy);
        if (retry) route.retry = retry;
        if (clusters.some((c) => c.strategy === 'Cookie')) route.hashPolicy = { cookie: 'X-Contour-Session-Affinity', ttlSeconds: 0, path: '/' };
        frame.routes.push(route);
        continue;
      }

      const d = r.delegate!;
      const targetNs = d.namespace || ns(obj);
      const target = lookup.ingressRoute(targetNs, d.name ?? '');
      const targetKey = key(targetNs, d.name);
      if (!target) {
        // Fix of upstream #510: the route is skipped as before, but the parent says why.
        invalid(obj, msg.delegateNotFound(match, targetKey));
        continue;
      }
      if (isRoot(target)) return invalid(obj, msg.ROOT_TO_ROOT);
      if (path.some((p) => k(p) === targetKey)) return invalid(obj, msg.routeCycle([...path.map(k), targetKey]));
      walkSubtree(target, targetKey, match, [...path, target], `${pathKey}>${targetKey}`);
    }
    set(obj, 'valid', msg.VALID);
  };

  // A delegated subtree: replayed from the cache when nothing it read has changed.
  // A subtree's deps include its descendants' (so a change deep down drops every subtree above
  // it), but not the root's: the cache tells the builder which root a dropped subtree belongs to.
  const walkSubtree = (target: IngressRoute, targetKey: ObjectKey, prefix: string, path: IngressRoute[], pathKey: string): void => {
    const cacheKey = `${pathKey}|${prefix}|${enforceTLS ? 1 : 0}`;
    let sub: SubtreeResult | undefined = cache?.get(cacheKey);
    if (!sub) {
      const parent = frame;
      frame = newFrame();
      frame.deps.add(`ir:${targetKey}`);
      walkRoutes(target, prefix, path, pathKey);
      sub = frame;
      frame = parent;
      cache?.set(cacheKey, sub);
    }
    used.push(cacheKey);
    for (const [o, st] of sub.statuses) if (!frame.statuses.has(o)) frame.statuses.set(o, st);
    for (const r of sub.routes) frame.routes.push(r);
    if (frame !== rootFrame || !cache) for (const d of sub.deps) frame.deps.add(d);
  };

  // §1.2: a route's upstream, or the description of why it cannot be one.
  const routeCluster = (obj: IngressRoute, match: string, s: IngressRouteService): Cluster | string => {
    const name = s.name ?? '';
    const port = s.port ?? 0;
    if (!(port >= 1 && port <= 65535)) return msg.badPort(match, name);
    if ((s.weight ?? 0) < 0) return msg.negativeWeight(match, name);
    const svc = lookup.service(ns(obj), name);
    const sp = findServicePort(svc, port);
    if (!svc || !sp) return msg.serviceMissing(name, port);
    const service = httpService(svc, sp);
    let upstreamValidation;
    if (service.protocol === 'tls' && s.validation) {
      // QUIRK (copied): recorded, but the walk goes on and the cluster has no validation.
      const ca = caCertificate(lookup.secret(ns(obj), s.validation.caSecret ?? ''));
      if (ca === undefined) invalid(obj, msg.caSecretMissing(match, name));
      else if (!s.validation.subjectName) invalid(obj, msg.subjectNameMissing(match, name));
      else {
        upstreamValidation = {
          caSecret: key(ns(obj), s.validation.caSecret),
          caSecretName: s.validation.caSecret ?? '',
          caCertificate: ca,
          subjectName: s.validation.subjectName,
        };
      }
    }
    return cluster({ service, weight: s.weight, strategy: s.strategy, healthCheck: s.healthCheck ?? undefined, upstreamValidation });
  };

  // §4.5: the tcpproxy walk.
  let tcpProxy: TcpProxy | undefined;
  const walkTcp = (obj: IngressRoute, path: IngressRoute[]): void => {
    const tp = obj.spec!.tcpproxy!;
    const services = tp.services ?? [];
    if (services.length > 0 && tp.delegate) return invalid(obj, msg.TCP_SERVICES_AND_DELEGATE);
    if (services.length > 0) {
      const clusters: Cluster[] = [];
      for (const s of services) {
        const svc = lookup.service(ns(obj), s.name ?? '');
        const sp = findServicePort(svc, s.port);
        if (!svc || !sp) return invalid(obj, msg.tcpServiceMissing(ns(obj), s.name ?? '', s.port ?? 0));
        // Weights are not copied to TCP clusters (§2.5): every one gets 1.
        clusters.push(cluster({ service: httpService(svc, sp), weight: 1, strategy: s.strategy }));
      }
      tcpProxy = { clusters, source: { kind: 'IngressRoute', namespace: ns(obj), name: obj.metadata.name ?? '', chain: path.map(k) } };
    } else if (tp.delegate) {
      const d = tp.delegate;
      const targetNs = d.namespace || ns(obj);
      const targetKey = key(targetNs, d.name);
      const target = lookup.ingressRoute(targetNs, d.name ?? '');
      if (!target) return invalid(obj, msg.tcpDelegateNotFound(targetKey));
      if (path.some((p) => k(p) === targetKey)) return invalid(obj, msg.tcpCycle([...path.map(k), targetKey]));
      if (!target.spec?.tcpproxy) return invalid(obj, msg.tcpDelegateHasNoTcpProxy(targetKey));
      walkTcp(target, [...path, target]);
    }
    set(obj, 'valid', msg.VALID);
  };

  if (root.spec?.tcpproxy && (enforceTLS || passthrough)) {
    walkTcp(root, [root]);
  } else if (root.spec?.routes && root.spec.routes.length > 0) {
    walkRoutes(root, '', [root], k(root));
  } else {
    // Upstream writes no status here, so a stale one survives; we say valid (§4.9).
    set(root, 'valid', msg.VALID);
  }
  return result({ secure, tcpProxy });
}
