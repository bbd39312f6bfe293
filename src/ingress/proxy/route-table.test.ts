import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import { DagBuilder, type IngressObject } from '../dag/index.js';
import { child, delegate, root, svc, to } from '../dag/testing.js';
import { RouteTableCompiler, type RouteTable } from './route-table.js';

const ep = (k: string, ips: string[]): Endpoints => {
  const [namespace, name] = k.split('/');
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace, name }, subsets: ips.length ? [{ addresses: ips.map((ip) => ({ ip })), ports: [{ port: 8080 }] }] : [] };
};

/** The table as plain data: hosts → route matches → cluster names; clusters → endpoints. */
function shape(t: RouteTable) {
  const hosts = (m: RouteTable['http']) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([h, v]) => [h, v.routes.map((r) => `${r.route.match}→${r.route.clusters.map((c) => c.name).join('+')}`)]));
  return {
    http: hosts(t.http),
    https: hosts(t.https),
    clusters: Object.fromEntries([...t.clusters].sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, e]) => [n, [...e.endpoints]])),
  };
}

test('applying DAGs one after another gives the table a fresh compile gives', () => {
  let seed = 7;
  const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const objects = (i: number): IngressObject[] => [
    root(`t${i}/r`, `h${i % 4}.com`, [to('/', 'a'), delegate('/d', 'c')]),
    child(`t${i}/c`, [to('/d', 'b'), to('/d/x', 'a')]),
    root(`t${i}/r`, `h${i % 4}.com`, [to('/', 'b')]),
    svc(`t${i}/a`), svc(`t${i}/b`),
    ep(`t${i}/a`, [`127.0.0.${i + 1}`]), ep(`t${i}/a`, []), ep(`t${i}/b`, [`127.0.1.${i + 1}`, `127.0.2.${i + 1}`]),
  ];
  const b = new DagBuilder();
  const live = new RouteTableCompiler();
  for (let step = 0; step < 400; step++) {
    const set = objects(rand(6));
    const o = set[rand(set.length)];
    if (rand(5) === 0) b.remove(o);
    else b.upsert(o);
    const dag = b.dag();
    const changes = live.compile(dag);
    const fresh = new RouteTableCompiler();
    fresh.compile(dag);
    assert.deepEqual(shape(live.table), shape(fresh.table), `step ${step}`);
    for (const n of changes.added) assert.ok(live.table.clusters.has(n));
    for (const n of changes.removed) assert.ok(!live.table.clusters.has(n));
  }
});

test('one host changing touches only its clusters; endpoints refresh only their cluster', () => {
  const b = new DagBuilder().load({
    ingressRoutes: [root('t1/r', 'one.com', [to('/', 'a')]), root('t2/r', 'two.com', [to('/', 'a')])],
    services: [svc('t1/a'), svc('t2/a')],
    endpoints: [ep('t1/a', ['127.0.0.1']), ep('t2/a', ['127.0.0.2'])],
  });
  const c = new RouteTableCompiler();
  assert.deepEqual([...c.compile(b.dag()).added].sort(), ['t1/a/80/da39a3ee5e', 't2/a/80/da39a3ee5e']);
  const two = c.table.http.get('two.com');
  b.upsert(root('t1/r', 'one.com', [to('/', 'a'), to('/x', 'a')]));
  assert.deepEqual(c.compile(b.dag()), { added: [], removed: [], touched: ['t1/a/80/da39a3ee5e'] });
  assert.equal(c.table.http.get('two.com'), two, 'the other host is the very same object');
  b.upsert(ep('t2/a', ['127.0.0.3']));
  assert.deepEqual(c.compile(b.dag()), { added: [], removed: [], touched: ['t2/a/80/da39a3ee5e'] });
  assert.deepEqual(c.table.clusters.get('t2/a/80/da39a3ee5e')?.endpoints, ['127.0.0.3:8080']);
  b.remove({ kind: 'IngressRoute', metadata: { namespace: 't2', name: 'r' } });
  assert.deepEqual(c.compile(b.dag()), { added: [], removed: ['t2/a/80/da39a3ee5e'], touched: [] });
});
