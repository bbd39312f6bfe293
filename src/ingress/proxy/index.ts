/**
 * @module ingress/proxy
 *
 * The embedded data plane for the ingress DAG: Contour's Envoy listeners (`ingress_http`,
 * `ingress_https`) as a Node reverse proxy. {@link startProxy} listens; `update(dag)` swaps in a
 * new route table atomically. The rules live in small pure modules, each table-tested:
 * route selection ({@link selectRoute}), the weighted split ({@link SmoothWeighted}), endpoint
 * picking by strategy ({@link pickEndpoint}), retry decisions ({@link shouldRetry}), endpoint
 * health ({@link afterCheck}, {@link afterOutcome}) and SNI ({@link readSni}).
 */
export type { IngressProxy, ProxyOptions } from './proxy.js';
export type { RouteTable, ProxyRoute, ProxyVirtualHost, ProxySecureVirtualHost } from './route-table.js';
export type { AttemptOutcome } from './retry.js';
export { startProxy } from './proxy.js';
export { RouteTableCompiler } from './route-table.js';
export { normalizeHost, selectRoute, selectVirtualHost, splitTarget, routeMatches } from './route-match.js';
export { SmoothWeighted, pickByWeight } from './weighted.js';
export { pickEndpoint } from './balancer.js';
export { shouldRetry, retriable, routeTimeoutMs, perTryTimeoutMs, DEFAULT_ROUTE_TIMEOUT_MS } from './retry.js';
export { afterCheck, afterOutcome, ejectionAllowed, DEFAULT_OUTLIER } from './endpoint-health.js';
export { readSni } from './sni.js';
export { LOCAL_REPLIES } from './local-reply.js';
export { accessLogLine, type AccessLogEntry, type AccessLogFormat, type ResponseFlag } from './access-log.js';
