/**
 * @module ingress/dag
 *
 * The ingress DAG, as Heptio Contour builds it from IngressRoute (`contour.heptio.com/v1beta1`),
 * TLSCertificateDelegation, Ingress, Service, Endpoints/EndpointSlice and Secret objects:
 * listeners → virtual hosts (and secure virtual hosts → secrets) → routes → clusters → services.
 * Pure: no client, no I/O. The reference for every rule and status string is
 * `shared/spec/contour-ingressroute.md`; where it marks a Contour behaviour as a bug, the fix is
 * here and says so.
 *
 * - {@link buildDag} builds a snapshot in full; {@link DagBuilder} keeps the objects and rebuilds
 *   only what an `upsert`/`remove` touched (a root's subtree, its host, its statuses), with the
 *   same result as a full build.
 * - `dag.statuses` holds each IngressRoute's `currentStatus`/`description`; {@link statusUpdates}
 *   lists only those that differ from what the objects carry, for the shell to write.
 * - {@link toDot} prints Contour's graphviz; {@link explain} says what serves a URL and who lost it.
 * - {@link weightedClusters} and {@link applyPrefixRewrite} are for translators.
 *
 * ```ts
 * const b = new DagBuilder({ rootNamespaces: ['roots'] }).load(snapshot);
 * let dag = b.dag();
 * b.upsert(changedIngressRoute);      // one team's edit
 * dag = b.dag();                      // re-walks that team's root only
 * for (const u of statusUpdates(dag)) await patchStatus(u);
 * ```
 */
export type { Dag, Listener, VirtualHost, SecureVirtualHost, Route, RouteSource, Cluster, HealthCheck, HttpService, TcpService,
  TcpProxy, Secret, ServiceEndpoints, ObjectKey, ObjectStatus, CurrentStatus, LbPolicy, TlsVersion, UpstreamProtocol } from './types.js';
export type { IngressRoute, IngressRouteRoute, IngressRouteService, IngressRouteHealthCheck, IngressRouteDelegate,
  IngressRouteTcpProxy, IngressRouteStatus, TLSCertificateDelegation } from './ingressroute-types.js';
export type { DagOptions } from './lookup.js';
export type { Timeout, RetryPolicy } from './duration.js';
export type { IngressSnapshot, IngressObject, IngressObjectKind } from './builder.js';
export type { StatusUpdate } from './status.js';
export type { Explanation, ExplainedCluster, Claimant } from './explain.js';

export { buildDag, DagBuilder, UnsupportedKindError } from './builder.js';
export { statusUpdates, statusCounts } from './status.js';
export { toDot } from './dot.js';
export { explain } from './explain.js';
export { weightedClusters } from './services.js';
export { applyPrefixRewrite } from './prefix-rewrite.js';
export { matchesPathPrefix } from './path-prefix.js';
export { matchesIngressClass, DEFAULT_INGRESS_CLASS } from './class-filter.js';
export { hashname } from './hashname.js';
export { parseTimeout } from './duration.js';
export * as messages from './messages.js';
export { changedKeys } from './cow-map.js';
