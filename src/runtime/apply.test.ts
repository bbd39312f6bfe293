import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createFakeClient,
  createOrUpdate,
  getControllerOf,
  kinds,
  semanticEqual,
  setControllerReference,
  setOwnerReference,
  writeStatus,
  type KObject,
} from './index.js';

test('semanticEqual: JSON semantics', () => {
  const cases: Record<string, { a: unknown; b: unknown; want: boolean }> = {
    'same scalars': { a: 1, b: 1, want: true },
    'different scalars': { a: '1', b: 1, want: false },
    'undefined property equals absent': { a: { x: 1, y: undefined }, b: { x: 1 }, want: true },
    'key order does not matter': { a: { x: 1, y: 2 }, b: { y: 2, x: 1 }, want: true },
    'array order matters': { a: [1, 2], b: [2, 1], want: false },
    'nested difference': { a: { x: { y: [1, { z: 1 }] } }, b: { x: { y: [1, { z: 2 }] } }, want: false },
    'null is not absent': { a: { x: null }, b: {}, want: false },
    'array is not object': { a: [], b: {}, want: false },
  };
  for (const [name, c] of Object.entries(cases)) assert.equal(semanticEqual(c.a, c.b), c.want, name);
});

test('createOrUpdate: created, unchanged, updated; writes only a difference', async () => {
  const api = createFakeClient();
  const mutate = (value: string) => (s: KObject & { data?: Record<string, string> }) => void (s.data = { k: value });
  const obj = (): KObject & { data?: Record<string, string> } => ({ metadata: { namespace: 'ns', name: 's' } });
  const first = obj();
  assert.equal(await createOrUpdate(api, kinds.secrets, first, mutate('a')), 'created');
  assert.match(first.metadata!.uid!, /^[0-9a-f-]{36}$/);
  const rv = first.metadata!.resourceVersion;
  const second = obj();
  assert.equal(await createOrUpdate(api, kinds.secrets, second, mutate('a')), 'unchanged');
  assert.equal(second.metadata!.resourceVersion, rv);
  assert.equal((await api.get(kinds.secrets, 'ns', 's'))!.metadata!.resourceVersion, rv);
  assert.equal(await createOrUpdate(api, kinds.secrets, obj(), mutate('b')), 'updated');
  assert.deepEqual((await api.get<KObject & { data?: object }>(kinds.secrets, 'ns', 's'))!.data, { k: 'b' });
  await assert.rejects(createOrUpdate(api, kinds.secrets, obj(), (s) => void (s.metadata!.name = 'other')), /must not change the namespace or name/);
});

test('owner references: controller reference set once, refused for a second controller', () => {
  const owner: KObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', uid: 'u1' } };
  const other: KObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'e', uid: 'u2' } };
  const dep: KObject = { metadata: { name: 'rs', ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'x', uid: 'ux' }] } };
  setControllerReference(owner, dep);
  setControllerReference(owner, dep);
  assert.deepEqual(dep.metadata!.ownerReferences, [
    { apiVersion: 'v1', kind: 'X', name: 'x', uid: 'ux' },
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'd', uid: 'u1', controller: true, blockOwnerDeletion: true },
  ]);
  assert.equal(getControllerOf(dep)?.uid, 'u1');
  assert.throws(() => setControllerReference(other, dep), /already controlled by Deployment "d"/);
  setOwnerReference(other, dep);
  assert.equal(dep.metadata!.ownerReferences!.length, 3);
  assert.throws(() => setOwnerReference({ metadata: { name: 'n' } }, dep), /an owner needs apiVersion, kind/);
});

test('writeStatus: unchanged without a write; conflicts re-read and retry', async () => {
  type Obj = KObject & { spec?: { n: number }; status?: { n?: number } };
  const api = createFakeClient();
  const created = await api.create<Obj>(kinds.deployments, { metadata: { namespace: 'ns', name: 'd' }, spec: { n: 1 }, status: {} });
  assert.equal(await writeStatus(api, kinds.deployments, created, (o) => void (o.status = {})), 'unchanged');
  assert.equal(await writeStatus(api, kinds.deployments, created, (o) => void (o.status = { n: 1 })), 'updated');
  // `created` is stale now: the first write conflicts, the re-read already has n: 1.
  assert.equal(await writeStatus(api, kinds.deployments, created, (o) => void (o.status = { n: 1 })), 'unchanged');
  assert.equal(await writeStatus(api, kinds.deployments, created, (o) => void (o.status = { n: 2 })), 'updated');
  assert.deepEqual((await api.get<Obj>(kinds.deployments, 'ns', 'd'))!.status, { n: 2 });
});
