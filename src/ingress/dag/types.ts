/**
 * The DAG's plain types (spec §6): listeners → virtual hosts → routes → clusters → services, and
 * secure virtual hosts → secrets. Everything is readonly data; translators (the embedded proxy,
 * xDS) read it and never write it.
 */
import type { Secret as K8sSecret } from 'kubernetes-types/core/v1.js';
import type { RetryPolicy, Timeout } from './duration.js';
import type { IngressRoute } from './ingressroute-types.js';

/** `namespace/name`. */
export type ObjectKey = string;

export type CurrentStatus = 'valid' | 'invalid' | 'orphaned';

/** What the controller writes to an IngressRoute's `status` (spec §4.8). */
export interface ObjectStatus {
  readonly currentStatus: CurrentStatus;
  readonly description: string;
}

/** The raw strategy (kept for the cluster name) and the Envoy policy it maps to (§2.1). */
export type LbPolicy = 'ROUND_ROBIN' | 'LEAST_REQUEST' | 'RANDOM' | 'RING_HASH';

/** Minimum TLS version of a secure virtual host. */
export type TlsVersion = '1.1' | '1.2' | '1.3';

/** Upstream protocol from the Service's `contour.heptio.com/upstream-protocol.*` annotations. */
export type UpstreamProtocol = '' | 'h2' | 'h2c' | 'tls';

export interface TcpService {
  readonly namespace: string;
  readonly name: string;
  /** The Service port (`spec.ports[].port`). */
  readonly port: number;
  /** The Service port's name ('' when unnamed): EDS names are `ns/name/portName` or `ns/name`. */
  readonly portName: string;
  readonly externalName?: string;
  readonly maxConnections?: number;
  readonly maxPendingRequests?: number;
  readonly maxRequests?: number;
  readonly maxRetries?: number;
}

export interface HttpService extends TcpService {
  readonly protocol: UpstreamProtocol;
}

/** An active HTTP health check with Contour's defaults applied (§2.2). */
export interface HealthCheck {
  readonly path: string;
  readonly host: string;
  readonly intervalSeconds: number;
  readonly timeoutSeconds: number;
  readonly unhealthyThresholdCount: number;
  readonly healthyThresholdCount: number;
}

export interface Cluster {
  /** The Envoy cluster name (§7.4); equal names are one cluster. */
  readonly name: string;
  readonly service: HttpService;
  /** The weight as written (0 when unset); see {@link weightedClusters} for what Envoy gets. */
  readonly weight: number;
  /** The strategy as written ('' when unset). */
  readonly strategy: string;
  readonly lbPolicy: LbPolicy;
  readonly healthCheck?: HealthCheck;
  /** Set with a health check: Envoy drains connections of removed hosts. */
  readonly drainConnectionsOnHostRemoval: boolean;
  readonly upstreamValidation?: { readonly caSecret: ObjectKey; readonly caCertificate: string; readonly subjectName: string };
}

/** Where a route came from: the object that wrote it and, for IngressRoutes, the delegation path. */
export interface RouteSource {
  readonly kind: 'IngressRoute' | 'Ingress';
  readonly namespace: string;
  readonly name: string;
  /** Root first, this object last (`[ns/name]` for an Ingress or a root's own route). */
  readonly chain: readonly ObjectKey[];
}

export interface Route {
  readonly kind: 'PrefixRoute' | 'RegexRoute';
  /** The prefix, or the regex for a RegexRoute. */
  readonly match: string;
  readonly clusters: readonly Cluster[];
  /** On the HTTP listener this route is a 301 to https (§2.6); on 443 it forwards. */
  readonly httpsUpgrade: boolean;
  readonly websocket: boolean;
  readonly prefixRewrite?: string;
  readonly timeout: Timeout;
  readonly retry?: RetryPolicy;
  /** Set when any cluster uses the Cookie strategy (§2.1). */
  readonly hashPolicy?: { readonly cookie: 'X-Contour-Session-Affinity'; readonly ttlSeconds: 0; readonly path: '/' };
  readonly source: RouteSource;
}

export interface TcpProxy {
  readonly clusters: readonly Cluster[];
  readonly source: RouteSource;
}

export interface Secret {
  readonly namespace: string;
  readonly name: string;
  readonly object: K8sSecret;
}

export interface VirtualHost {
  readonly kind: 'VirtualHost';
  readonly name: string;
  /** In Envoy order: regex routes, then prefixes, each reverse-lexicographic (§7.3). */
  readonly routes: readonly Route[];
}

export interface SecureVirtualHost {
  readonly kind: 'SecureVirtualHost';
  readonly name: string;
  readonly routes: readonly Route[];
  /** Absent for TLS passthrough (a TCP proxy with no termination). */
  readonly secret?: Secret;
  /** Effective minimum: max(global, per-vhost), never below 1.1 (§2.7). */
  readonly minTlsVersion: TlsVersion;
  readonly tcpProxy?: TcpProxy;
}

export interface Listener {
  readonly name: 'ingress_http' | 'ingress_https';
  readonly port: 80 | 443;
  /** Sorted by name. */
  readonly virtualHosts: readonly (VirtualHost | SecureVirtualHost)[];
}

/** Ready addresses of a Service, by Service port name ('' for an unnamed port). */
export interface ServiceEndpoints {
  readonly ports: Readonly<Record<string, readonly string[]>>;
}

export interface Dag {
  /** `ingress_http` (port 80) then `ingress_https` (443); a listener with no virtual hosts is left out. */
  readonly listeners: readonly Listener[];
  /** The status the build gives every IngressRoute that passed the class filter. */
  readonly statuses: ReadonlyMap<ObjectKey, ObjectStatus>;
  /** Those IngressRoutes, as given (for status diffs and `explain`). */
  readonly ingressRoutes: ReadonlyMap<ObjectKey, IngressRoute>;
  /** Ready endpoints by Service key, from Endpoints and EndpointSlices. */
  readonly endpoints: ReadonlyMap<ObjectKey, ServiceEndpoints>;
  /** Routes that a later route with the same match replaced on a virtual host (§3.4), by host. */
  readonly overridden: ReadonlyMap<string, readonly { readonly route: Route; readonly by: Route }[]>;
}
