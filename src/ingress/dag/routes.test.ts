import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDag, weightedClusters, type Dag, type DagOptions, type IngressSnapshot, type Route, type SecureVirtualHost } from './index.js';
import { child, delegate, ir, root, svc, tlsSecret, to } from './testing.js';

function vhost(dag: Dag, port: 80 | 443, host: string) {
  return dag.listeners.find((l) => l.port === port)?.virtualHosts.find((v) => v.name === host);
}
function route(dag: Dag, port: 80 | 443, host: string, match: string): Route | undefined {
  return vhost(dag, port, host)?.routes.find((r) => r.match === match);
}
const build = (s: IngressSnapshot, o?: DagOptions) => buildDag(s, o);
const one = (services: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}): IngressSnapshot => ({
  ingressRoutes: [root('default/r', 'a.com', [{ match: '/', services: services as never, ...extra }])],
  services: [svc('default/s1'), svc('default/s2'), svc('default/s3')],
});

test('weights: one service is a plain route, its weight ignored', () => {
  const r = route(build(one([{ name: 's1', port: 80, weight: 7 }])), 80, 'a.com', '/')!;
  assert.equal(r.clusters.length, 1);
  assert.deepEqual(weightedClusters(r.clusters).clusters.map((c) => c.weight), [7]);
});

test('weights: all unset or zero → every cluster 1, total = count', () => {
  const r = route(build(one([{ name: 's1', port: 80 }, { name: 's2', port: 80, weight: 0 }])), 80, 'a.com', '/')!;
  const w = weightedClusters(r.clusters);
  assert.deepEqual(w.clusters.map((c) => c.weight), [1, 1]);
  assert.equal(w.totalWeight, 2);
});

test('weights: some set → the unset ones get 0; sorted by cluster name then weight', () => {
  const r = route(build(one([{ name: 's2', port: 80, weight: 90 }, { name: 's1', port: 80 }, { name: 's1', port: 80, weight: 10 }])), 80, 'a.com', '/')!;
  const w = weightedClusters(r.clusters);
  assert.deepEqual(w.clusters.map((c) => [c.cluster.service.name, c.weight]), [['s1', 0], ['s1', 10], ['s2', 90]]);
  assert.equal(w.totalWeight, 100);
});

test('strategies map to Envoy policies; unknown is round robin; Cookie adds the hash policy to the route', () => {
  const cases: Record<string, string> = { '': 'ROUND_ROBIN', RoundRobin: 'ROUND_ROBIN', WeightedLeastRequest: 'LEAST_REQUEST', Random: 'RANDOM', Cookie: 'RING_HASH', Bogus: 'ROUND_ROBIN' };
  for (const [strategy, want] of Object.entries(cases)) {
    const r = route(build(one([{ name: 's1', port: 80, strategy }])), 80, 'a.com', '/')!;
    assert.equal(r.clusters[0].lbPolicy, want, strategy);
    assert.equal(r.hashPolicy !== undefined, strategy === 'Cookie', strategy);
  }
  const mixed = route(build(one([{ name: 's1', port: 80 }, { name: 's2', port: 80, strategy: 'Cookie' }])), 80, 'a.com', '/')!;
  assert.deepEqual(mixed.hashPolicy, { cookie: 'X-Contour-Session-Affinity', ttlSeconds: 0, path: '/' });
});

test('health checks take Contour\'s defaults (interval 10 s, as the code has it) and drain on host removal', () => {
  const r = route(build(one([{ name: 's1', port: 80, healthCheck: { path: '/healthz' } }])), 80, 'a.com', '/')!;
  assert.deepEqual(r.clusters[0].healthCheck, {
    path: '/healthz', host: 'contour-envoy-healthcheck', intervalSeconds: 10, timeoutSeconds: 2, unhealthyThresholdCount: 3, healthyThresholdCount: 2,
  });
  assert.equal(r.clusters[0].drainConnectionsOnHostRemoval, true);
  const set = route(build(one([{ name: 's1', port: 80, healthCheck: { path: '/h', host: 'h', intervalSeconds: 5, timeoutSeconds: 1, unhealthyThresholdCount: 4, healthyThresholdCount: 5 } }])), 80, 'a.com', '/')!;
  assert.deepEqual(set.clusters[0].healthCheck, { path: '/h', host: 'h', intervalSeconds: 5, timeoutSeconds: 1, unhealthyThresholdCount: 4, healthyThresholdCount: 5 });
});

test('cluster names: ns/name/port/sha1(settings)[0:10]', () => {
  assert.equal(route(build(one([{ name: 's1', port: 80 }])), 80, 'a.com', '/')!.clusters[0].name, 'default/s1/80/da39a3ee5e');
  const a = route(build(one([{ name: 's1', port: 80, strategy: 'Random' }])), 80, 'a.com', '/')!.clusters[0].name;
  const b = route(build(one([{ name: 's1', port: 80, healthCheck: { path: '/h' } }])), 80, 'a.com', '/')!.clusters[0].name;
  assert.notEqual(a, 'default/s1/80/da39a3ee5e');
  assert.notEqual(a, b);
  assert.match(a, /^default\/s1\/80\/[0-9a-f]{10}$/);
});

test('timeoutPolicy.request: unset, infinity, garbage (infinite), 0s (unset), durations', () => {
  const cases: Record<string, unknown> = {
    '': { kind: 'unset' }, infinity: { kind: 'infinite' }, peanut: { kind: 'infinite' }, infinite: { kind: 'infinite' },
    '0s': { kind: 'unset' }, '1m30s': { kind: 'duration', ms: 90_000 }, '500ms': { kind: 'duration', ms: 500 },
  };
  for (const [request, want] of Object.entries(cases)) {
    const r = route(build(one([{ name: 's1', port: 80 }], { timeoutPolicy: { request } })), 80, 'a.com', '/')!;
    assert.deepEqual(r.timeout, want, request);
  }
  assert.deepEqual(route(build(one([{ name: 's1', port: 80 }])), 80, 'a.com', '/')!.timeout, { kind: 'unset' });
});

test('retryPolicy: 5xx, max(1, count), a bad perTryTimeout is not set; absent → none', () => {
  const r = (retryPolicy?: unknown) => route(build(one([{ name: 's1', port: 80 }], retryPolicy ? { retryPolicy } : {})), 80, 'a.com', '/')!.retry;
  assert.equal(r(), undefined);
  assert.deepEqual(r({}), { retryOn: '5xx', numRetries: 1, perTryTimeout: { kind: 'unset' } });
  assert.deepEqual(r({ count: 3, perTryTimeout: '150ms' }), { retryOn: '5xx', numRetries: 3, perTryTimeout: { kind: 'duration', ms: 150 } });
  assert.deepEqual(r({ count: 0, perTryTimeout: 'peanut' }), { retryOn: '5xx', numRetries: 1, perTryTimeout: { kind: 'unset' } });
});

test('prefixRewrite and enableWebsockets are carried to the route', () => {
  const r = route(build(one([{ name: 's1', port: 80 }], { prefixRewrite: '/', enableWebsockets: true })), 80, 'a.com', '/')!;
  assert.equal(r.prefixRewrite, '/');
  assert.equal(r.websocket, true);
});

test('match is always a literal prefix for IngressRoute, never a regex (fix of #1287)', () => {
  const dag = build({ ingressRoutes: [root('default/r', 'a.com', [to('/foo.*', 's1')])], services: [svc('default/s1')] });
  assert.equal(route(dag, 80, 'a.com', '/foo.*')!.kind, 'PrefixRoute');
});

const tlsRoot = (routes: Parameters<typeof root>[2], tls: Parameters<typeof root>[3] = { secretName: 'tls' }) => ({
  ingressRoutes: [root('default/r', 'a.com', routes, tls), child('default/c', [to('/c', 's1'), { ...to('/c/open', 's1'), permitInsecure: true }])],
  services: [svc('default/s1')],
  secrets: [tlsSecret('default/tls')],
});

test('TLS: a valid secret enforces TLS — port 80 routes redirect, children inherit it, 443 forwards', () => {
  const dag = build(tlsRoot([to('/', 's1'), delegate('/c', 'c')]));
  assert.equal(route(dag, 80, 'a.com', '/')!.httpsUpgrade, true);
  assert.equal(route(dag, 80, 'a.com', '/c')!.httpsUpgrade, true);
  const s = vhost(dag, 443, 'a.com') as SecureVirtualHost;
  assert.equal(s.secret?.name, 'tls');
  assert.deepEqual(s.routes.map((r) => r.match), ['/c/open', '/c', '/']);
});

test('permitInsecure keeps a route on plain HTTP, unless disablePermitInsecure', () => {
  const objs = tlsRoot([{ ...to('/', 's1'), permitInsecure: true }, delegate('/c', 'c')]);
  assert.equal(route(build(objs), 80, 'a.com', '/')!.httpsUpgrade, false);
  assert.equal(route(build(objs), 80, 'a.com', '/c/open')!.httpsUpgrade, false, 'a child\'s own permitInsecure applies');
  assert.equal(route(build(objs, { disablePermitInsecure: true }), 80, 'a.com', '/')!.httpsUpgrade, true);
});

test('a missing TLS secret: routes still served on plain HTTP with no redirect, no secure vhost (QUIRK)', () => {
  const objs = tlsRoot([to('/', 's1')], { secretName: 'nope' });
  const dag = build(objs);
  assert.equal(route(dag, 80, 'a.com', '/')!.httpsUpgrade, false);
  assert.equal(vhost(dag, 443, 'a.com'), undefined);
});

test('minimum TLS version: 1.3, 1.2, anything else 1.1; the global minimum is a floor', () => {
  const v = (minimumProtocolVersion: string, o?: DagOptions) =>
    (vhost(build(tlsRoot([to('/', 's1')], { secretName: 'tls', minimumProtocolVersion }), o), 443, 'a.com') as SecureVirtualHost).minTlsVersion;
  assert.equal(v('1.3'), '1.3');
  assert.equal(v('1.2'), '1.2');
  assert.equal(v('1.0'), '1.1');
  assert.equal(v('peanut'), '1.1');
  assert.equal(v('1.1', { minimumTlsVersion: '1.2' }), '1.2');
  assert.equal(v('1.3', { minimumTlsVersion: '1.2' }), '1.3');
});

test('tcpproxy with TLS termination: the secure vhost proxies TCP, routes are ignored, TCP weights are 1', () => {
  const dag = build({
    ingressRoutes: [ir('default/r', {
      virtualhost: { fqdn: 'tcp.a.com', tls: { secretName: 'tls' } },
      tcpproxy: { services: [{ name: 's1', port: 80 }, { name: 's2', port: 80, weight: 20 }] },
      routes: [to('/', 's1')],
    })],
    services: [svc('default/s1'), svc('default/s2')],
    secrets: [tlsSecret('default/tls')],
  });
  const s = vhost(dag, 443, 'tcp.a.com') as SecureVirtualHost;
  assert.deepEqual(s.tcpProxy?.clusters.map((c) => [c.service.name, c.weight]), [['s1', 1], ['s2', 1]]);
  assert.equal(s.routes.length, 0);
  assert.equal(vhost(dag, 80, 'tcp.a.com'), undefined);
});

test('TLS passthrough: a secure vhost with a TCP proxy and no secret', () => {
  const dag = build({
    ingressRoutes: [ir('default/r', { virtualhost: { fqdn: 'pt.a.com', tls: { passthrough: true } }, tcpproxy: { services: [{ name: 's1', port: 443 }] } })],
    services: [svc('default/s1', [443])],
  });
  const s = vhost(dag, 443, 'pt.a.com') as SecureVirtualHost;
  assert.equal(s.secret, undefined);
  assert.equal(s.tcpProxy?.clusters[0].service.port, 443);
});

test('tcpproxy without TLS is not used; the routes are processed instead', () => {
  const dag = build({
    ingressRoutes: [ir('default/r', { virtualhost: { fqdn: 'a.com' }, tcpproxy: { services: [{ name: 's1', port: 80 }] }, routes: [to('/', 's1')] })],
    services: [svc('default/s1')],
  });
  assert.ok(route(dag, 80, 'a.com', '/'));
  assert.equal(vhost(dag, 443, 'a.com'), undefined);
});

test('routes are in Envoy order: prefixes reverse-lexicographic, so longer ones first', () => {
  const dag = build({
    ingressRoutes: [root('default/r', 'a.com', [to('/', 's1'), to('/b', 's1'), to('/a', 's1'), to('/a/x', 's1')])],
    services: [svc('default/s1')],
  });
  assert.deepEqual(vhost(dag, 80, 'a.com')!.routes.map((r) => r.match), ['/b', '/a/x', '/a', '/']);
});

test('a later route with the same prefix replaces the earlier one (delegate overrides root), and is recorded', () => {
  const dag = build({
    ingressRoutes: [root('default/r', 'a.com', [to('/', 's1'), delegate('/', 'c')]), child('default/c', [to('/', 's2')])],
    services: [svc('default/s1'), svc('default/s2')],
  });
  assert.equal(route(dag, 80, 'a.com', '/')!.clusters[0].service.name, 's2');
  assert.equal(dag.overridden.get('a.com')?.[0].route.clusters[0].service.name, 's1');
});

test('the route records where it came from: the delegation chain, root first', () => {
  const dag = build({
    ingressRoutes: [root('default/r', 'a.com', [delegate('/a', 'team/c')]), child('team/c', [delegate('/a/b', 'g')]), child('team/g', [to('/a/b', 's1')])],
    services: [svc('team/s1')],
  });
  assert.deepEqual(route(dag, 80, 'a.com', '/a/b')!.source, { kind: 'IngressRoute', namespace: 'team', name: 'g', chain: ['default/r', 'team/c', 'team/g'] });
});

test('Service annotations: upstream protocol, circuit breakers, ExternalName', () => {
  const s = svc('default/s1', [{ port: 443, name: 'https' }, { port: 80, name: 'http' }], {
    'contour.heptio.com/upstream-protocol.h2': 'https',
    'contour.heptio.com/max-connections': '100',
    'contour.heptio.com/max-retries': 'x',
  });
  s.spec!.type = 'ExternalName';
  s.spec!.externalName = 'ext.example.com';
  const dag = build({ ingressRoutes: [root('default/r', 'a.com', [to('/', 's1:443'), to('/plain', 's1:80')])], services: [s] });
  const svc443 = route(dag, 80, 'a.com', '/')!.clusters[0].service;
  assert.deepEqual(svc443, { namespace: 'default', name: 's1', port: 443, portName: 'https', protocol: 'h2', externalName: 'ext.example.com', maxConnections: 100 });
  assert.equal(route(dag, 80, 'a.com', '/plain')!.clusters[0].service.protocol, '');
});

test('upstream validation on a TLS service with a CA and subject name', () => {
  const dag = build({
    ingressRoutes: [root('default/r', 'a.com', [{ match: '/', services: [{ name: 's1', port: 443, validation: { caSecret: 'ca', subjectName: 'backend' } }] }])],
    services: [svc('default/s1', [443], { 'contour.heptio.com/upstream-protocol.tls': '443' })],
    secrets: [{ metadata: { namespace: 'default', name: 'ca' }, data: { 'ca.crt': 'Y2E=' } }],
  });
  assert.deepEqual(route(dag, 80, 'a.com', '/')!.clusters[0].upstreamValidation, { caSecret: 'default/ca', caCertificate: 'Y2E=', subjectName: 'backend' });
});

test('empty listeners are pruned; an invalid root contributes nothing', () => {
  assert.deepEqual(build({ ingressRoutes: [root('default/r', 'a.com', [to('/', 'nope')])] }).listeners, []);
});

test('an IngressRoute without TLS on a host whose TLS comes from an Ingress is served on 443 too', () => {
  const dag = build({
    ingresses: [{ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { namespace: 'default', name: 'i' }, spec: { tls: [{ hosts: ['a.com'], secretName: 'tls' }] } }],
    ingressRoutes: [root('default/r', 'a.com', [to('/', 's1')])],
    services: [svc('default/s1')],
    secrets: [tlsSecret('default/tls')],
  });
  assert.equal(route(dag, 443, 'a.com', '/')?.source.name, 'r');
  assert.equal(route(dag, 80, 'a.com', '/')!.httpsUpgrade, false, 'TLS is enforced only by the root\'s own secret');
});

test('the walk stops at the first error: routes before it stay, routes after it are not added', () => {
  const dag = build({ ingressRoutes: [root('default/r', 'a.com', [to('/a', 's1'), to('/b', 'nope'), to('/c', 's1')])], services: [svc('default/s1')] });
  assert.deepEqual(vhost(dag, 80, 'a.com')!.routes.map((r) => r.match), ['/a']);
});
