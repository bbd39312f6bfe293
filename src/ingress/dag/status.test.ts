import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDag, DagBuilder, statusCounts, statusUpdates } from './index.js';
import { child, ir, root, svc, to } from './testing.js';

test('statusUpdates: only objects whose status differs from the one they carry', () => {
  const dag = buildDag({
    ingressRoutes: [
      ir('default/same', { virtualhost: { fqdn: 'a.com' }, routes: [to('/', 's1')] }, { status: { currentStatus: 'valid', description: 'valid IngressRoute' } }),
      ir('default/stale', { virtualhost: { fqdn: 'b.com' }, routes: [to('/', 'nope')] }, { status: { currentStatus: 'valid', description: 'valid IngressRoute' } }),
      child('default/new', [to('/', 's1')]),
    ],
    services: [svc('default/s1')],
  });
  assert.deepEqual(statusUpdates(dag), [
    { namespace: 'default', name: 'new', status: { currentStatus: 'orphaned', description: 'this IngressRoute is not part of a delegation chain from a root IngressRoute' } },
    { namespace: 'default', name: 'stale', status: { currentStatus: 'invalid', description: 'Service [nope:80] is invalid or missing' } },
  ]);
});

test('statusUpdates since the previous DAG looks only at what changed, with the same answer', () => {
  const roots = Array.from({ length: 300 }, (_, i) => root(`t${i}/r`, `h${i}.com`, [to('/', 's')]));
  const b = new DagBuilder().load({ ingressRoutes: roots, services: roots.map((r) => svc(`${r.metadata.namespace}/s`)) });
  const first = b.dag();
  // The shell writes the statuses back; the objects now carry them.
  for (const u of statusUpdates(first)) {
    const o = roots.find((r) => r.metadata.namespace === u.namespace)!;
    b.upsert({ ...o, status: u.status });
  }
  const written = b.dag();
  assert.deepEqual(statusUpdates(written, first), []);
  b.remove(svc('t42/s'));
  const next = b.dag();
  const want = [{ namespace: 't42', name: 'r', status: { currentStatus: 'invalid', description: 'Service [s:80] is invalid or missing' } }];
  assert.deepEqual(statusUpdates(next, written), want);
  assert.deepEqual(statusUpdates(next), want);
});

test('statusCounts: the contour_ingressroute_*_total gauges', () => {
  const dag = buildDag({ ingressRoutes: [root('default/r', 'a.com', [to('/', 's1')]), child('default/c', [])], services: [svc('default/s1')] });
  assert.deepEqual(statusCounts(dag), { total: 2, roots: 1, valid: 1, invalid: 0, orphaned: 1 });
});
