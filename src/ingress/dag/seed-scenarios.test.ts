// The two scenarios of issue 6, as the seed articles write them, through the DAG.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDag, explain, statusUpdates } from './index.js';
import { child, delegate, root, svc, to } from './testing.js';

test('seed 1: root.bar.com delegates /service2 to bar-com-service (s1, s2, /service2/blog)', () => {
  const dag = buildDag({
    ingressRoutes: [
      root('default/bar-com-root', 'root.bar.com', [to('/', 's1'), delegate('/service2', 'bar-com-service')]),
      child('default/bar-com-service', [to('/service2', 's2'), to('/service2/blog', 'blog')]),
    ],
    services: [svc('default/s1'), svc('default/s2'), svc('default/blog')],
  });
  assert.deepEqual(Object.fromEntries(dag.statuses), {
    'default/bar-com-root': { currentStatus: 'valid', description: 'valid IngressRoute' },
    'default/bar-com-service': { currentStatus: 'valid', description: 'valid IngressRoute' },
  });
  const [http] = dag.listeners;
  assert.equal(http.name, 'ingress_http');
  assert.deepEqual(http.virtualHosts.map((v) => v.name), ['root.bar.com']);
  assert.deepEqual(
    http.virtualHosts[0].routes.map((r) => [r.match, r.clusters.map((c) => c.name), r.source.chain]),
    [
      ['/service2/blog', ['default/blog/80/da39a3ee5e'], ['default/bar-com-root', 'default/bar-com-service']],
      ['/service2', ['default/s2/80/da39a3ee5e'], ['default/bar-com-root', 'default/bar-com-service']],
      ['/', ['default/s1/80/da39a3ee5e'], ['default/bar-com-root']],
    ],
  );
  assert.equal(explain(dag, 'http://root.bar.com/service2/blog/post-1').servedBy?.source.object, 'default/bar-com-service');
  // Segments matter for what a delegate may claim; the data plane (Envoy) matches plain string
  // prefixes, so /service2x goes to /service2 as it does under Contour.
  assert.equal(explain(dag, 'http://root.bar.com/service2x').servedBy?.source.object, 'default/bar-com-service');
  assert.equal(explain(dag, 'http://root.bar.com/other').servedBy?.source.object, 'default/bar-com-root');
});

test('seed 2: roots delegates /blog on www.example.com to marketing; engineering\'s /blog stays orphaned', () => {
  const snapshot = {
    ingressRoutes: [
      root('roots/www-example-com', 'www.example.com', [to('/', 'www'), delegate('/blog', 'marketing/blog')]),
      child('marketing/blog', [to('/blog', 'blog')]),
      child('engineering/blog', [to('/blog', 'eng-blog')]),
    ],
    services: [svc('roots/www'), svc('marketing/blog'), svc('engineering/eng-blog')],
  };
  const dag = buildDag(snapshot, { rootNamespaces: ['roots'] });
  assert.deepEqual(Object.fromEntries(dag.statuses), {
    'roots/www-example-com': { currentStatus: 'valid', description: 'valid IngressRoute' },
    'marketing/blog': { currentStatus: 'valid', description: 'valid IngressRoute' },
    'engineering/blog': { currentStatus: 'orphaned', description: 'this IngressRoute is not part of a delegation chain from a root IngressRoute' },
  });
  const blog = dag.listeners[0].virtualHosts[0].routes.find((r) => r.match === '/blog')!;
  assert.deepEqual([blog.clusters[0].service.namespace, blog.clusters[0].service.name], ['marketing', 'blog']);

  const e = explain(dag, 'http://www.example.com/blog/hello');
  assert.equal(e.servedBy?.root, 'roots/www-example-com');
  assert.equal(e.servedBy?.source.object, 'marketing/blog');
  assert.deepEqual(e.lost.map((l) => [l.object, l.status?.currentStatus]), [['engineering/blog', 'orphaned']]);

  // Engineering tries a root of its own for the host: invalid, and the blog keeps serving.
  const attack = buildDag({ ...snapshot, ingressRoutes: [...snapshot.ingressRoutes, root('engineering/www', 'www.example.com', [to('/', 'eng-blog')])] }, { rootNamespaces: ['roots'] });
  assert.equal(attack.statuses.get('roots/www-example-com')?.currentStatus, 'valid');
  assert.equal(attack.statuses.get('engineering/www')?.description, 'root IngressRoute cannot be defined in this namespace');
  assert.equal(explain(attack, 'http://www.example.com/blog').servedBy?.source.object, 'marketing/blog');
  assert.deepEqual(explain(attack, 'http://www.example.com/blog').lost.map((l) => l.object), ['engineering/blog', 'engineering/www']);
  // Only objects whose status changes are written.
  assert.deepEqual(statusUpdates(attack).map((u) => `${u.namespace}/${u.name}`), ['engineering/blog', 'engineering/www', 'marketing/blog', 'roots/www-example-com']);
});
