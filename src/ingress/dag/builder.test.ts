import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildDag, DagBuilder, statusUpdates, UnsupportedKindError, type DagOptions, type IngressObject, type IngressRoute, type IngressRouteRoute } from './index.js';
import { certDelegation, child, delegate, ingress, ir, path, root, svc, tlsSecret, to } from './testing.js';

// mulberry32: a small seeded generator, so a failure names a seed that reproduces it.
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick };
}

const namespaces = ['roots', 'a', 'b'];
const names = ['x', 'y', 'z', 'w'];
const fqdns = ['one.com', 'two.com', 'three.com', ''];
const prefixes = ['/', '/app', '/app/v1', '/blog', '/apple'];

/** A random object of the small universe; names collide on purpose so edits replace and delegate. */
function randomObject(r: ReturnType<typeof rng>): IngressObject {
  const ns = r.pick(namespaces);
  const name = r.pick(names);
  const k = `${ns}/${name}`;
  const route = (): IngressRouteRoute => {
    const match = r.pick(prefixes);
    const roll = r.int(10);
    if (roll < 4) return { ...to(match, ...Array.from({ length: 1 + r.int(2) }, () => `${r.pick(names)}:${r.pick([80, 80, 8080])}`)), ...(r.int(4) === 0 ? { permitInsecure: true } : {}) };
    if (roll < 8) return delegate(match, r.int(2) ? `${r.pick(namespaces)}/${r.pick(names)}` : r.pick(names));
    if (roll < 9) return { match, services: [{ name: r.pick(names), port: 80, weight: r.int(3) - 1 }] };
    return { match };
  };
  const routes = () => Array.from({ length: r.int(4) }, route);
  switch (r.int(10)) {
    case 9:
      if (r.int(2)) return { apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: ns, name }, subsets: [{ addresses: [{ ip: `10.0.0.${r.int(9)}` }], ports: [{ port: 8080 }] }] };
      return {
        apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
        metadata: { namespace: ns, name: `slice-${r.int(3)}`, labels: { 'kubernetes.io/service-name': r.pick(names) } },
        ports: [{ port: 8080 }], endpoints: [{ addresses: [`10.1.0.${r.int(9)}`], conditions: { ready: r.int(4) > 0 } }],
      };
    case 0: case 1: {
      const tls = r.int(3) === 0 ? { secretName: r.pick(['tls', 'roots/tls', 'missing']) } : undefined;
      if (r.int(6) === 0) {
        return ir(k, { virtualhost: { fqdn: r.pick(fqdns), tls: { secretName: 'tls' } }, tcpproxy: r.int(2) ? { services: [{ name: r.pick(names), port: 80 }] } : { delegate: { name: r.pick(names) } } });
      }
      return root(k, r.pick(fqdns), routes(), tls);
    }
    case 2: case 3:
      if (r.int(5) === 0) return ir(k, { tcpproxy: { services: [{ name: r.pick(names), port: 80 }] } });
      return child(k, routes());
    case 4: return svc(k, r.int(4) === 0 ? [8080] : [80, 8080]);
    case 5: return r.int(3) === 0 ? tlsSecret(k.replace(/\/.*/, '/tls'), { 'tls.crt': 'x' }) : tlsSecret(k.replace(/\/.*/, '/tls'));
    case 6: return certDelegation(`${ns}/d`, 'tls', r.pick([['*'], ['a'], ['a', 'b'], ['*', 'a']]));
    case 7: {
      const annotations = r.int(3) === 0 ? { 'kubernetes.io/ingress.class': r.pick(['contour', 'nginx']) } : undefined;
      return ingress(k, { tls: r.int(2) ? [{ hosts: [r.pick(fqdns)], secretName: 'tls' }] : [], rules: [{ host: r.pick(fqdns), http: { paths: [path(r.pick(prefixes), r.pick(names))] } }] }, annotations);
    }
    default: {
      const o = ir(k, { virtualhost: { fqdn: r.pick(fqdns) }, routes: routes() }, { annotations: { 'contour.heptio.com/ingress.class': r.pick(['contour', 'other']) } });
      return o;
    }
  }
}

/** Maps (and CowMaps) as sorted entry lists, so a DAG can be copied and compared as JSON. */
function plain(x: unknown): string {
  return JSON.stringify(x, (_k, v) => (v instanceof Map || (v && typeof v === 'object' && 'buckets' in v) ? [...(v as Map<string, unknown>).entries()].sort() : v));
}

function identity(o: IngressObject): string {
  return `${(o as { kind?: string }).kind}:${o.metadata?.namespace}/${o.metadata?.name}`;
}

function snapshotOf(objects: Map<string, IngressObject>) {
  const by = (kind: string) => [...objects.values()].filter((o) => (o as { kind?: string }).kind === kind) as never[];
  return {
    ingressRoutes: by('IngressRoute'), services: by('Service'), secrets: by('Secret'),
    tlsCertificateDelegations: by('TLSCertificateDelegation'), ingresses: by('Ingress'),
    endpoints: by('Endpoints'), endpointSlices: by('EndpointSlice'),
  };
}

for (const [label, options] of [['all namespaces', {}], ['root namespaces roots,a', { rootNamespaces: ['roots', 'a'] }]] as Array<[string, DagOptions]>) {
  test(`incremental equals full: 200 random edit sequences (${label})`, () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = rng(seed);
      const b = new DagBuilder(options);
      const objects = new Map<string, IngressObject>();
      for (let step = 0; step < 60; step++) {
        if (objects.size > 0 && r.int(4) === 0) {
          const id = r.pick([...objects.keys()]);
          b.remove(objects.get(id)!);
          objects.delete(id);
        } else {
          const o = randomObject(r);
          b.upsert(o);
          objects.set(identity(o), o);
        }
        if (r.int(3) === 0 || step === 59) {
          assert.deepStrictEqual(b.dag(), buildDag(snapshotOf(objects), options), `seed ${seed}, step ${step}`);
        }
      }
    }
  });
}

test('dag() returns the same object when nothing changed, and earlier DAGs are not mutated', () => {
  const b = new DagBuilder().load({ ingressRoutes: [root('default/r', 'a.com', [to('/', 's1')])], services: [svc('default/s1')] });
  const first = b.dag();
  const copy = plain(first);
  assert.equal(b.dag(), first);
  b.upsert(root('default/r', 'a.com', [to('/', 's1'), to('/x', 's1')]));
  const second = b.dag();
  assert.notEqual(second, first);
  assert.deepStrictEqual(plain(first), copy);
});

test('upsert says whether the DAG may change: an unreferenced Service or Secret does not', () => {
  const b = new DagBuilder().load({ ingressRoutes: [root('default/r', 'a.com', [to('/', 's1')])] });
  b.dag();
  assert.equal(b.upsert(svc('default/unrelated')), false);
  assert.equal(b.upsert(tlsSecret('default/unrelated')), false);
  assert.equal(b.upsert(svc('default/s1')), true);
  assert.equal(b.dag().statuses.get('default/r')?.currentStatus, 'valid');
});

test('an edit re-walks only the roots that read the changed object', () => {
  const roots: IngressRoute[] = [];
  for (let i = 0; i < 100; i++) roots.push(root(`t${i}/r`, `h${i}.com`, [to('/', 's')]));
  const b = new DagBuilder().load({ ingressRoutes: roots, services: roots.map((r) => svc(`${r.metadata.namespace}/s`)) });
  const before = b.dag();
  b.upsert(svc('t7/s', [8080]));
  const after = b.dag();
  assert.equal(after.statuses.get('t7/r')?.description, 'Service [s:80] is invalid or missing');
  // Untouched hosts are the very same objects: nothing else was rebuilt.
  const same = after.listeners[0].virtualHosts.filter((v) => before.listeners[0].virtualHosts.includes(v));
  assert.equal(same.length, 99);
});

test('a status-only update rebuilds nothing but is what statusUpdates compares with', () => {
  const r = root('default/r', 'a.com', [to('/', 's1')]);
  const b = new DagBuilder().load({ ingressRoutes: [r], services: [svc('default/s1')] });
  const first = b.dag();
  assert.equal(b.upsert({ ...r, status: { currentStatus: 'valid', description: 'valid IngressRoute' } }), false);
  const second = b.dag();
  assert.equal(second.listeners, first.listeners);
  assert.equal(second.statuses, first.statuses);
  assert.deepEqual(statusUpdates(second), []);
});

test('unsupported kinds are refused by name', () => {
  assert.throws(() => new DagBuilder().upsert({ kind: 'ConfigMap', metadata: { name: 'x' } } as never), UnsupportedKindError);
});
