import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDag, type Dag, type SecureVirtualHost } from './index.js';
import { ingress, path, root, svc, tlsSecret, to, certDelegation } from './testing.js';

function vhost(dag: Dag, port: 80 | 443, host: string) {
  return dag.listeners.find((l) => l.port === port)?.virtualHosts.find((v) => v.name === host);
}
const services = [svc('default/s1', [80, { port: 8080, name: 'web' }])];

test('rules: blank host is *, blank path is /, the default backend is */ after the rules', () => {
  const dag = buildDag({
    ingresses: [ingress('default/i', { defaultBackend: { service: { name: 's1', port: { number: 80 } } }, rules: [{ http: { paths: [{ ...path('', 's1'), path: undefined }] } }] })],
    services,
  });
  assert.deepEqual(vhost(dag, 80, '*')!.routes.map((r) => r.match), ['/']);
});

test('a rule with no http section is skipped; a missing Service or port drops the path silently', () => {
  const dag = buildDag({
    ingresses: [ingress('default/i', { rules: [{ host: 'a.com' }, { host: 'b.com', http: { paths: [path('/x', 'nope'), path('/y', 's1', 81), path('/z', 's1', 'web')] } }] })],
    services,
  });
  assert.equal(vhost(dag, 80, 'a.com'), undefined);
  assert.deepEqual(vhost(dag, 80, 'b.com')!.routes.map((r) => [r.match, r.clusters[0].service.port]), [['/z', 8080]]);
});

test('paths with ^ + * [ ] % are regex routes, listed before prefixes; others are string prefixes', () => {
  const dag = buildDag({ ingresses: [ingress('default/i', { rules: [{ host: 'a.com', http: { paths: [path('/', 's1'), path('/api/.*', 's1'), path('/v[12]', 's1')] } }] })], services });
  assert.deepEqual(vhost(dag, 80, 'a.com')!.routes.map((r) => [r.kind, r.match]), [['RegexRoute', '/v[12]'], ['RegexRoute', '/api/.*'], ['PrefixRoute', '/']]);
});

test('extensions/v1beta1-style backends are accepted', () => {
  const dag = buildDag({
    ingresses: [ingress('default/i', { rules: [{ host: 'a.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { serviceName: 's1', servicePort: 80 } as never }] } }] })],
    services,
  });
  assert.equal(vhost(dag, 80, 'a.com')!.routes[0].clusters[0].name, 'default/s1/80/da39a3ee5e');
});

const tlsIngress = (annotations?: Record<string, string>, secretName = 'tls') =>
  ingress('default/i', { tls: [{ hosts: ['a.com'], secretName }], rules: [{ host: 'a.com', http: { paths: [path('/', 's1')] } }] }, annotations);

test('spec.tls gives the host a secure vhost with its routes on 443; port 80 stays unless allow-http is false', () => {
  const dag = buildDag({ ingresses: [tlsIngress()], services, secrets: [tlsSecret('default/tls')] });
  assert.equal((vhost(dag, 443, 'a.com') as SecureVirtualHost).secret?.name, 'tls');
  assert.equal(vhost(dag, 443, 'a.com')!.routes.length, 1);
  assert.equal(vhost(dag, 80, 'a.com')!.routes[0].httpsUpgrade, false);
  const noHttp = buildDag({ ingresses: [tlsIngress({ 'kubernetes.io/ingress.allow-http': 'false' })], services, secrets: [tlsSecret('default/tls')] });
  assert.equal(vhost(noHttp, 80, 'a.com'), undefined);
  assert.ok(vhost(noHttp, 443, 'a.com'));
});

test('force-ssl-redirect makes the port-80 routes 301s, even with allow-http false', () => {
  const dag = buildDag({
    ingresses: [tlsIngress({ 'ingress.kubernetes.io/force-ssl-redirect': 'true', 'kubernetes.io/ingress.allow-http': 'false' })],
    services, secrets: [tlsSecret('default/tls')],
  });
  assert.equal(vhost(dag, 80, 'a.com')!.routes[0].httpsUpgrade, true);
});

test('allow-http false and no TLS produces nothing', () => {
  const dag = buildDag({ ingresses: [ingress('default/i', { rules: [{ host: 'a.com', http: { paths: [path('/', 's1')] } }] }, { 'kubernetes.io/ingress.allow-http': 'false' })], services });
  assert.deepEqual(dag.listeners, []);
});

test('a secure vhost from one Ingress takes the routes of another Ingress for the host', () => {
  const dag = buildDag({
    ingresses: [
      ingress('default/a', { tls: [{ hosts: ['a.com'], secretName: 'tls' }] }),
      ingress('default/b', { rules: [{ host: 'a.com', http: { paths: [path('/b', 's1')] } }] }),
    ],
    services, secrets: [tlsSecret('default/tls')],
  });
  assert.deepEqual(vhost(dag, 443, 'a.com')!.routes.map((r) => r.match), ['/b']);
});

test('Ingress TLS secrets in another namespace need a TLSCertificateDelegation', () => {
  const objs = { ingresses: [tlsIngress(undefined, 'certs/wild')], services, secrets: [tlsSecret('certs/wild')] };
  assert.equal(vhost(buildDag(objs), 443, 'a.com'), undefined);
  assert.ok(vhost(buildDag({ ...objs, tlsCertificateDelegations: [certDelegation('certs/d', 'wild', ['default'])] }), 443, 'a.com'));
});

test('tls-minimum-protocol-version annotation', () => {
  const dag = buildDag({ ingresses: [tlsIngress({ 'contour.heptio.com/tls-minimum-protocol-version': '1.3' })], services, secrets: [tlsSecret('default/tls')] });
  assert.equal((vhost(dag, 443, 'a.com') as SecureVirtualHost).minTlsVersion, '1.3');
});

test('request-timeout, retry-on, num-retries, per-try-timeout, websocket-routes annotations', () => {
  const dag = buildDag({
    ingresses: [ingress('default/i', { rules: [{ host: 'a.com', http: { paths: [path('/', 's1'), path('/ws', 's1')] } }] }, {
      'contour.heptio.com/request-timeout': '1m30s',
      'contour.heptio.com/retry-on': 'gateway-error',
      'contour.heptio.com/num-retries': 'x',
      'contour.heptio.com/per-try-timeout': 'peanut',
      'contour.heptio.com/websocket-routes': ' /ws , /other',
    })],
    services,
  });
  const [ws, slash] = vhost(dag, 80, 'a.com')!.routes;
  assert.deepEqual(slash.timeout, { kind: 'duration', ms: 90_000 });
  assert.deepEqual(slash.retry, { retryOn: 'gateway-error', numRetries: 0, perTryTimeout: { kind: 'infinite' } });
  assert.equal(ws.websocket, true);
  assert.equal(slash.websocket, false);
});

test('no retry-on → no retry policy, whatever num-retries says', () => {
  const dag = buildDag({ ingresses: [ingress('default/i', { rules: [{ host: 'a.com', http: { paths: [path('/', 's1')] } }] }, { 'contour.heptio.com/num-retries': '3' })], services });
  assert.equal(vhost(dag, 80, 'a.com')!.routes[0].retry, undefined);
});

test('ingress class: annotation, then spec.ingressClassName, nothing → ours', () => {
  const rule = { rules: [{ host: 'a.com', http: { paths: [path('/', 's1')] } }] };
  const hosts = (i: ReturnType<typeof ingress>, ingressClass?: string) => buildDag({ ingresses: [i], services }, { ingressClass }).listeners.length;
  assert.equal(hosts(ingress('default/i', rule)), 1);
  assert.equal(hosts(ingress('default/i', rule, { 'kubernetes.io/ingress.class': 'nginx' })), 0);
  assert.equal(hosts(ingress('default/i', { ...rule, ingressClassName: 'nginx' })), 0);
  assert.equal(hosts(ingress('default/i', { ...rule, ingressClassName: 'nginx' }, { 'kubernetes.io/ingress.class': 'contour' })), 1);
  assert.equal(hosts(ingress('default/i', { ...rule, ingressClassName: 'internal' }), 'internal'), 1);
});

test('an IngressRoute route replaces an Ingress route with the same host and prefix', () => {
  const dag = buildDag({
    ingresses: [ingress('default/i', { rules: [{ host: 'a.com', http: { paths: [path('/', 's1')] } }] })],
    ingressRoutes: [root('default/r', 'a.com', [to('/', 's2')])],
    services: [...services, svc('default/s2')],
  });
  assert.equal(vhost(dag, 80, 'a.com')!.routes[0].source.kind, 'IngressRoute');
  assert.equal(dag.overridden.get('a.com')?.[0].route.source.kind, 'Ingress');
});
