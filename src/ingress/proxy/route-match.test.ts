import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDag, type Route } from '../dag/index.js';
import { child, delegate, ingress, path, root, svc, to } from '../dag/testing.js';
import { normalizeHost, selectRoute, selectVirtualHost, splitTarget } from './route-match.js';

test('normalizeHost drops the port and case', () => {
  const cases: Record<string, string> = {
    'Example.COM': 'example.com',
    'example.com:8080': 'example.com',
    '[::1]:80': '[::1]',
    '': '',
  };
  for (const [input, want] of Object.entries(cases)) assert.equal(normalizeHost(input), want, input);
  assert.equal(normalizeHost(undefined), '');
});

test('splitTarget keeps the query for the upstream and matches on the path', () => {
  assert.deepEqual(splitTarget('/a/b?x=1&y'), { path: '/a/b', query: '?x=1&y' });
  assert.deepEqual(splitTarget('/'), { path: '/', query: '' });
  assert.deepEqual(splitTarget('?q'), { path: '/', query: '?q' });
  assert.deepEqual(splitTarget(undefined), { path: '/', query: '' });
});

test('selectVirtualHost: exact name, else *', () => {
  const hosts = new Map([['a.com', 'A'], ['*', 'STAR']]);
  assert.equal(selectVirtualHost(hosts, 'a.com'), 'A');
  assert.equal(selectVirtualHost(hosts, 'b.com'), 'STAR');
  assert.equal(selectVirtualHost(new Map([['a.com', 'A']]), 'b.com'), undefined);
});

// The seed's delegation, through the DAG, so the order is the one the builder gives Envoy.
const dag = buildDag({
  ingressRoutes: [
    root('default/bar-com-root', 'root.bar.com', [to('/', 's1'), delegate('/service2', 'bar-com-service')]),
    child('default/bar-com-service', [to('/service2', 's2'), to('/service2/blog', 'blog')]),
  ],
  ingresses: [ingress('default/regex', { rules: [{ host: 'regex.com', http: { paths: [path('/', 's1'), path('/api/v[0-9]+/.*', 's2')] } }] })],
  services: [svc('default/s1'), svc('default/s2'), svc('default/blog')],
});
const routesOf = (host: string): readonly Route[] => dag.listeners[0].virtualHosts.find((v) => v.name === host)!.routes;

test('selectRoute: the longest prefix wins, as plain string prefixes (Envoy order)', () => {
  const cases: Record<string, string | undefined> = {
    '/': 's1',
    '/anything': 's1',
    '/service2': 's2',
    '/service2/': 's2',
    '/service2x': 's2', // Envoy prefixes are strings, not segments
    '/service2/blog': 'blog',
    '/service2/blog/post-1': 'blog',
    '/service2/blogroll': 'blog',
  };
  for (const [p, want] of Object.entries(cases)) assert.equal(selectRoute(routesOf('root.bar.com'), p)?.clusters[0].service.name, want, p);
});

test('selectRoute: regex routes first and matched against the whole path', () => {
  const r = routesOf('regex.com');
  assert.equal(selectRoute(r, '/api/v2/users')?.clusters[0].service.name, 's2');
  assert.equal(selectRoute(r, '/api/vX/users')?.clusters[0].service.name, 's1');
  assert.equal(selectRoute(r, '/x/api/v2/users')?.clusters[0].service.name, 's1');
});

test('selectRoute: nothing matches → undefined (the proxy answers 404)', () => {
  const only = buildDag({ ingressRoutes: [root('default/r', 'r.com', [to('/app', 's1')])], services: [svc('default/s1')] });
  assert.equal(selectRoute(only.listeners[0].virtualHosts[0].routes, '/other'), undefined);
});
