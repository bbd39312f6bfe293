import { test } from 'node:test';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import assert from 'node:assert/strict';
import { buildDag, explain } from './index.js';
import { child, delegate, ingress, path, root, svc, tlsSecret, to } from './testing.js';

const endpoints: Endpoints = {
  apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: 'team', name: 's1' },
  subsets: [{ addresses: [{ ip: '10.0.0.2' }, { ip: '10.0.0.1' }], ports: [{ port: 8080 }] }],
};

test('explain: root, delegate, cluster and ready endpoints of the serving route', () => {
  const dag = buildDag({
    ingressRoutes: [root('default/r', 'a.com', [delegate('/app', 'team/app')]), child('team/app', [to('/app', 's1')])],
    services: [svc('team/s1')],
    endpoints: [endpoints],
  });
  assert.deepEqual(explain(dag, 'http://a.com:8080/app/x'), {
    host: 'a.com', path: '/app/x', listener: 'ingress_http',
    servedBy: {
      virtualHost: 'a.com', kind: 'route', match: '/app',
      source: { kind: 'IngressRoute', object: 'team/app' }, root: 'default/r', chain: ['default/r', 'team/app'],
      redirectToHttps: false,
      clusters: [{ name: 'team/s1/80/da39a3ee5e', service: 'team/s1:80', weight: 0, endpoints: ['10.0.0.1:8080', '10.0.0.2:8080'] }],
    },
    lost: [],
  });
});

test('explain: endpoints from EndpointSlices, not-ready ones left out', () => {
  const dag = buildDag({
    ingressRoutes: [root('team/r', 'a.com', [to('/', 's1')])],
    services: [svc('team/s1', [{ port: 80, name: 'http' }])],
    endpointSlices: [{
      metadata: { namespace: 'team', name: 's1-abc', labels: { 'kubernetes.io/service-name': 's1' } }, addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080 }],
      endpoints: [{ addresses: ['10.0.0.3'] }, { addresses: ['10.0.0.4'], conditions: { ready: false } }],
    }],
  });
  assert.deepEqual(explain(dag, 'http://a.com/').servedBy?.clusters[0].endpoints, ['10.0.0.3:8080']);
});

test('explain: conflicting roots and invalid children are listed as losers with their reasons', () => {
  const dag = buildDag({
    ingressRoutes: [root('a/r1', 'a.com', [to('/', 's1')]), root('b/r2', 'a.com', [to('/', 's1')]), child('c/x', [to('/', 'nope')])],
    services: [svc('a/s1'), svc('b/s1')],
  });
  const e = explain(dag, 'http://a.com/');
  assert.equal(e.servedBy, undefined);
  assert.deepEqual(e.lost.map((l) => [l.object, l.reason]), [
    ['a/r1', 'fqdn "a.com" is used in multiple IngressRoutes: a/r1, b/r2'],
    ['b/r2', 'fqdn "a.com" is used in multiple IngressRoutes: a/r1, b/r2'],
    ['c/x', 'this IngressRoute is not part of a delegation chain from a root IngressRoute'],
  ]);
});

test('explain: an Ingress route replaced by an IngressRoute route with the same prefix', () => {
  const dag = buildDag({
    ingresses: [ingress('default/i', { rules: [{ host: 'a.com', http: { paths: [path('/', 's1')] } }] })],
    ingressRoutes: [root('default/r', 'a.com', [to('/', 's2')])],
    services: [svc('default/s1'), svc('default/s2')],
  });
  const e = explain(dag, 'http://a.com/x');
  assert.equal(e.servedBy?.source.object, 'default/r');
  assert.deepEqual(e.lost, [{ kind: 'Ingress', object: 'default/i', reason: 'route "/" replaced by the later IngressRoute default/r with the same match' }]);
});

test('explain: https with TLS enforced is served on 443, http redirects', () => {
  const dag = buildDag({
    ingressRoutes: [root('default/r', 'a.com', [to('/', 's1')], { secretName: 'tls' })],
    services: [svc('default/s1')],
    secrets: [tlsSecret('default/tls')],
  });
  assert.equal(explain(dag, 'http://a.com/').servedBy?.redirectToHttps, true);
  const s = explain(dag, 'https://a.com/');
  assert.equal(s.listener, 'ingress_https');
  assert.equal(s.servedBy?.redirectToHttps, false);
});

test('explain: the * vhost serves unknown hosts on http', () => {
  const dag = buildDag({ ingresses: [ingress('default/i', { defaultBackend: { service: { name: 's1', port: { number: 80 } } } })], services: [svc('default/s1')] });
  assert.equal(explain(dag, 'http://whatever.example/').servedBy?.virtualHost, '*');
  assert.equal(explain(dag, 'whatever.example/x').path, '/x', 'no scheme means http');
});

test('explain: a TLS passthrough host is served by its tcpproxy', () => {
  const dag = buildDag({
    ingressRoutes: [{ apiVersion: 'contour.heptio.com/v1beta1', kind: 'IngressRoute', metadata: { namespace: 'default', name: 'r' },
      spec: { virtualhost: { fqdn: 'pt.a.com', tls: { passthrough: true } }, tcpproxy: { services: [{ name: 's1', port: 443 }] } } }],
    services: [svc('default/s1', [443])],
  });
  const e = explain(dag, 'https://pt.a.com/');
  assert.equal(e.servedBy?.kind, 'tcpproxy');
  assert.equal(e.servedBy?.clusters[0].service, 'default/s1:443');
});
