import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { ResourceType } from '../apimachinery/resource-type.js';
import { SqliteBackend } from '../storage/index.js';
import { BUILTIN_RESOURCES } from './builtin-resources.js';
import { ResourceRegistry } from './registry.js';
import { Store, type WatchOutput } from './store.js';
import { builtinStrategies, ServiceAllocators } from './strategies/index.js';

// ---- fixtures ------------------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'flotilla-store-test-'));
const backends: SqliteBackend[] = [];
const watches: AbortController[] = [];
after(async () => {
  for (const w of watches) w.abort();
  for (const b of backends) await b.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh store over its own SQLite file; compaction keeps nothing back, so tests can compact. */
function setup(): { backend: SqliteBackend; store: Store } {
  const backend = SqliteBackend.open(join(dir, `${backends.length}.db`), { compactMinRetain: 0 });
  backends.push(backend);
  return { backend, store: new Store(backend, builtinStrategies(new ServiceAllocators())) };
}

const registry = new ResourceRegistry(BUILTIN_RESOURCES);
function resource(group: string, version: string, plural: string): ResourceType {
  const rt = registry.lookup(group, version, plural);
  if (!rt) throw new Error(`no resource ${group}/${version}/${plural}`);
  return rt;
}
const NAMESPACES = resource('', 'v1', 'namespaces');
const CONFIGMAPS = resource('', 'v1', 'configmaps');
const PODS = resource('', 'v1', 'pods');
const DEPLOYMENTS = resource('apps', 'v1', 'deployments');

function configMap(name: string, opts: { labels?: Record<string, string>; data?: Record<string, string>; finalizers?: string[] } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, ...(opts.labels ? { labels: opts.labels } : {}), ...(opts.finalizers ? { finalizers: opts.finalizers } : {}) },
    data: opts.data ?? { key: 'value' },
  };
}

function deployment(name: string, replicas = 1): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
    },
  };
}

function pod(name: string, labels: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } };
}

async function namespaces(store: Store, ...names: string[]): Promise<void> {
  for (const name of names) await store.create(NAMESPACES, undefined, { metadata: { name } });
}

/** Read-modify-write of the current object (carrying its resourceVersion, as kubectl edit does). */
function edit(
  store: Store,
  rt: ResourceType,
  namespace: string | undefined,
  name: string,
  change: (obj: KubeObject) => void,
  opts: { subresource?: 'status' | 'finalize' } = {},
) {
  return store.update(
    rt,
    namespace,
    name,
    (current) => {
      assert.ok(current, `${name} exists`);
      change(current);
      return current;
    },
    opts,
  );
}

async function rejectsWithStatus(
  promise: Promise<unknown>,
  want: { code: number; reason: string; message?: string | RegExp },
): Promise<StatusError> {
  let caught: unknown;
  try {
    await promise;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof StatusError, `expected a StatusError, got ${String(caught)}`);
  assert.equal(caught.code, want.code, caught.message);
  assert.equal(caught.reason, want.reason, caught.message);
  if (typeof want.message === 'string') assert.equal(caught.message, want.message);
  else if (want.message) assert.match(caught.message, want.message);
  return caught;
}

interface Event {
  type: WatchOutput['type'];
  object: KubeObject & { code?: number; reason?: string; message?: string };
}

function startWatch(store: Store, rt: ResourceType, namespace: string | undefined, opts: Parameters<Store['watch']>[2]) {
  const abort = new AbortController();
  watches.push(abort);
  const iterator = store.watch(rt, namespace, opts, abort.signal)[Symbol.asyncIterator]();
  return { iterator, stop: () => abort.abort() };
}

/** The next `n` events, failing if they do not all arrive within the deadline. */
async function take(iterator: AsyncIterator<WatchOutput>, n: number, deadlineMs = 5000): Promise<Event[]> {
  const out: Event[] = [];
  const deadline = Date.now() + deadlineMs;
  while (out.length < n) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`timed out waiting for watch event ${out.length + 1} of ${n}; got ${JSON.stringify(out.map(summary))}`)),
        Math.max(0, deadline - Date.now()),
      );
    });
    try {
      const r = await Promise.race([iterator.next(), timeout]);
      if (r.done) break;
      out.push({ type: r.value.type, object: JSON.parse(r.value.text) });
    } finally {
      clearTimeout(timer);
    }
  }
  return out;
}

const summary = (e: Event) => `${e.type} ${e.object.metadata?.namespace ?? ''}/${e.object.metadata?.name ?? e.object.message ?? ''}`;

const names = (items: Array<{ object: KubeObject }>) => items.map((i) => `${i.object.metadata.namespace ?? ''}/${i.object.metadata.name}`);

// ---- create -----------------------------------------------------------------------------------

test('create sets uid, creationTimestamp and resourceVersion; generation only where kube tracks it', async () => {
  const { store } = setup();
  await namespaces(store, 'ns');
  const deploy = await store.create(DEPLOYMENTS, 'ns', {
    ...deployment('web'),
    metadata: { name: 'web', uid: 'client-uid', resourceVersion: '12345', generation: 7 },
  });
  assert.match(deploy.metadata.uid ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.notEqual(deploy.metadata.uid, 'client-uid');
  assert.match(String(deploy.metadata.creationTimestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.match(deploy.metadata.resourceVersion ?? '', /^\d+$/);
  assert.notEqual(deploy.metadata.resourceVersion, '12345');
  assert.equal(deploy.metadata.generation, 1);
  assert.equal(deploy.metadata.namespace, 'ns');

  const stored = (await store.get(DEPLOYMENTS, 'ns', 'web')).object;
  assert.equal(stored.metadata.resourceVersion, deploy.metadata.resourceVersion);
  assert.equal(stored.metadata.uid, deploy.metadata.uid);
  assert.equal(stored.apiVersion, 'apps/v1');
  assert.equal(stored.kind, 'Deployment');

  const cm = await store.create(CONFIGMAPS, 'ns', { ...configMap('c'), metadata: { name: 'c', generation: 3 } });
  assert.equal(cm.metadata.generation, undefined);
  assert.equal((await store.get(CONFIGMAPS, 'ns', 'c')).object.metadata.generation, undefined);

  // A body without apiVersion and kind gets the endpoint's.
  const bare = await store.create(CONFIGMAPS, 'ns', { metadata: { name: 'bare' } });
  assert.equal(bare.apiVersion, 'v1');
  assert.equal(bare.kind, 'ConfigMap');
});

test('create into a missing namespace is 404 for the namespace', async () => {
  const { store } = setup();
  await rejectsWithStatus(store.create(CONFIGMAPS, 'x', configMap('c')), {
    code: 404,
    reason: 'NotFound',
    message: 'namespaces "x" not found',
  });
});

test('create of an existing name is 409 AlreadyExists', async () => {
  const { store } = setup();
  await namespaces(store, 'ns');
  await store.create(CONFIGMAPS, 'ns', configMap('dup'));
  await store.create(DEPLOYMENTS, 'ns', deployment('web'));
  await rejectsWithStatus(store.create(CONFIGMAPS, 'ns', configMap('dup')), {
    code: 409,
    reason: 'AlreadyExists',
    message: 'configmaps "dup" already exists',
  });
  await rejectsWithStatus(store.create(DEPLOYMENTS, 'ns', deployment('web')), {
    code: 409,
    reason: 'AlreadyExists',
    message: 'deployments.apps "web" already exists',
  });
  // The same name in another namespace is another object.
  await namespaces(store, 'other');
  await store.create(CONFIGMAPS, 'other', configMap('dup'));
});

test('generateName appends five random characters', async () => {
  const { store } = setup();
  await namespaces(store, 'ns');
  const made = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const cm = await store.create(CONFIGMAPS, 'ns', { metadata: { generateName: 'web-' }, data: {} });
    assert.match(cm.metadata.name ?? '', /^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    made.add(cm.metadata.name!);
    await store.get(CONFIGMAPS, 'ns', cm.metadata.name!);
  }
  assert.equal(made.size, 3);
  // Long prefixes are cut so the name stays within 63 characters.
  const long = await store.create(CONFIGMAPS, 'ns', { metadata: { generateName: 'x'.repeat(70) }, data: {} });
  assert.equal(long.metadata.name?.length, 63);
});

test('dryRun validates and answers but writes nothing', async () => {
  const { store } = setup();
  await namespaces(store, 'ns');
  const before = await store.currentRevision();
  const created = await store.create(CONFIGMAPS, 'ns', configMap('dry'), { dryRun: true });
  assert.equal(created.metadata.name, 'dry');
  assert.ok(created.metadata.uid);
  await rejectsWithStatus(store.get(CONFIGMAPS, 'ns', 'dry'), { code: 404, reason: 'NotFound', message: 'configmaps "dry" not found' });
  assert.equal(await store.currentRevision(), before);
  // Validation still runs.
  await rejectsWithStatus(store.create(CONFIGMAPS, 'ns', configMap('Bad_Name'), { dryRun: true }), { code: 422, reason: 'Invalid' });

  await store.create(CONFIGMAPS, 'ns', configMap('real'));
  const afterCreate = await store.currentRevision();
  const updated = await store.update(CONFIGMAPS, 'ns', 'real', (cur) => ({ ...cur!, data: { key: 'changed' } }), { dryRun: true });
  assert.deepEqual(updated.object.data, { key: 'changed' });
  assert.deepEqual((await store.get(CONFIGMAPS, 'ns', 'real')).object.data, { key: 'value' });
  await store.delete(CONFIGMAPS, 'ns', 'real', { dryRun: true });
  await store.get(CONFIGMAPS, 'ns', 'real');
  assert.equal(await store.currentRevision(), afterCreate);
});

// ---- update -----------------------------------------------------------------------------------

test('update with a stale resourceVersion is 409 Conflict', async () => {
  const { store } = setup();
  await namespaces(store, 'ns');
  const first = await store.create(DEPLOYMENTS, 'ns', deployment('web'));
  await edit(store, DEPLOYMENTS, 'ns', 'web', (d) => (d.spec.replicas = 2));
  const stale = { ...structuredClone(first), spec: { ...first.spec, replicas: 5 } };
  await rejectsWithStatus(store.update(DEPLOYMENTS, 'ns', 'web', () => stale), {
    code: 409,
    reason: 'Conflict',
    message:
      'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
  });
  const cm = await store.create(CONFIGMAPS, 'ns', configMap('c'));
  await edit(store, CONFIGMAPS, 'ns', 'c', (c) => (c.data = { key: 'v2' }));
  await rejectsWithStatus(store.update(CONFIGMAPS, 'ns', 'c', () => ({ ...cm, data: { key: 'v3' } })), {
    code: 409,
    reason: 'Conflict',
    message:
      'Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again',
  });
  assert.equal((await store.get(DEPLOYMENTS, 'ns', 'web')).object.spec.replicas, 2);
});

test('update without a resourceVersion is unconditional', async () => {
  const { store } = setup();
  await namespaces(store, 'ns');
  const created = await store.create(CONFIGMAPS, 'ns', configMap('c'));
  await edit(store, CONFIGMAPS, 'ns', 'c', (c) => (c.data = { key: 'v2' }));
  const body = structuredClone(created);
  delete body.metadata.resourceVersion;
  body.data = { key: 'v3' };
  const { object } = await store.update(CONFIGMAPS, 'ns', 'c', () => body);
  assert.deepEqual(object.data, { key: 'v3' });
  assert.ok(Number(object.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
  assert.equal(object.metadata.uid, created.metadata.uid);
  assert.equal(object.metadata.creationTimestamp, created.metadata.creationTimestamp);
});

test('generation increases on spec changes only', async () => {
  const { store } = setup();
  await namespaces(store, 'ns');
  await store.create(DEPLOYMENTS, 'ns', deployment('web'));
  const steps: Array<[string, (d: KubeObject) => void, number]> = [
    ['label change', (d) => (d.metadata.labels = { ...d.metadata.labels, tier: 'fe' }), 1],
    ['annotation change', (d) => (d.metadata.annotations = { note: 'x' }), 1],
    ['replicas change', (d) => (d.spec.replicas = 3), 2],
    ['image change', (d) => (d.spec.template.spec.containers[0].image = 'nginx:1.28'), 3],
    ['no-op', () => undefined, 3],
  ];
  for (const [name, change, want] of steps) {
    const { object } = await edit(store, DEPLOYMENTS, 'ns', 'web', change);
    assert.equal(object.metadata.generation, want, name);
    assert.equal((await store.get(DEPLOYMENTS, 'ns', 'web')).object.metadata.generation, want, name);
  }
});

test('status is ignored on the main resource and spec on /status', async () => {
  const { store } = setup();
  await namespaces(store, 'ns');
  const created = await store.create(DEPLOYMENTS, 'ns', { ...deployment('web'), status: { replicas: 42 } });
  assert.deepEqual(created.status, {});

  const main = await edit(store, DEPLOYMENTS, 'ns', 'web', (d) => {
    d.spec.replicas = 3;
    d.status = { replicas: 99 };
  });
  assert.equal(main.object.spec.replicas, 3);
  assert.deepEqual(main.object.status, {});
  assert.equal(main.object.metadata.generation, 2);

  const status = await edit(
    store,
    DEPLOYMENTS,
    'ns',
    'web',
    (d) => {
      d.spec.replicas = 9;
      d.metadata.labels = { app: 'changed' };
      d.status = { replicas: 3, observedGeneration: 2 };
    },
    { subresource: 'status' },
  );
  assert.deepEqual(status.object.status, { replicas: 3, observedGeneration: 2 });
  assert.equal(status.object.spec.replicas, 3);
  assert.deepEqual(status.object.metadata.labels, { app: 'web' });
  assert.equal(status.object.metadata.generation, 2);

  const stored = (await store.get(DEPLOYMENTS, 'ns', 'web')).object;
  assert.equal(stored.spec.replicas, 3);
  assert.deepEqual(stored.status, { replicas: 3, observedGeneration: 2 });
});

test('a body whose name differs from the URL is 400', async () => {
  const { store } = setup();
  await namespaces(store, 'ns', 'other');
  await store.create(CONFIGMAPS, 'ns', configMap('a'));
  await rejectsWithStatus(
    store.update(CONFIGMAPS, 'ns', 'a', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, name: 'b' } })),
    { code: 400, reason: 'BadRequest', message: 'the name of the object (b) does not match the name on the URL (a)' },
  );
  await rejectsWithStatus(
    store.update(CONFIGMAPS, 'ns', 'a', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, namespace: 'other' } })),
    { code: 400, reason: 'BadRequest', message: 'the namespace of the provided object does not match the namespace sent on the request' },
  );
  await rejectsWithStatus(store.create(CONFIGMAPS, 'ns', { ...configMap('b'), metadata: { name: 'b', namespace: 'other' } }), {
    code: 400,
    reason: 'BadRequest',
    message: 'the namespace of the provided object does not match the namespace sent on the request',
  });
});

test('a body of another API version is 400', async () => {
  const { store } = setup();
  await namespaces(store, 'ns');
  await rejectsWithStatus(store.create(DEPLOYMENTS, 'ns', { ...deployment('web'), apiVersion: 'apps/v1beta2' }), {
    code: 400,
    reason: 'BadRequest',
    message: 'the API version in the data (apps/v1beta2) does not match the expected API version (apps/v1)',
  });
  await store.create(DEPLOYMENTS, 'ns', deployment('web'));
  await rejectsWithStatus(
    store.update(DEPLOYMENTS, 'ns', 'web', (cur) => ({ ...cur!, apiVersion: 'apps/v1beta2' })),
    {
      code: 400,
      reason: 'BadRequest',
      message: 'the API version in the data (apps/v1beta2) does not match the expected API version (apps/v1)',
    },
  );
});

// The apiserver decodes the body as the kind it names, fails to convert it to the endpoint's
// kind, and transformDecodeError words the 400 (handlers/rest.go).
test('a body of another kind is 400, worded as transformDecodeError', async () => {
  const { store } = setup();
  await namespaces(store, 'ns');
  const err = await rejectsWithStatus(store.create(DEPLOYMENTS, 'ns', { ...deployment('web'), kind: 'ReplicaSet' }), {
    code: 400,
    reason: 'BadRequest',
  });
  assert.match(err.message, /^ReplicaSet in version "v1" cannot be handled as a Deployment: /);
});

// ---- delete and finalizers -------------------------------------------------------------------

test('delete without finalizers removes the object', async () => {
  const { store } = setup();
  await namespaces(store, 'ns');
  await store.create(CONFIGMAPS, 'ns', configMap('c'));
  const result = await store.delete(CONFIGMAPS, 'ns', 'c');
  assert.equal(result.deleted, true);
  assert.equal(result.object.metadata.name, 'c');
  await rejectsWithStatus(store.get(CONFIGMAPS, 'ns', 'c'), { code: 404, reason: 'NotFound', message: 'configmaps "c" not found' });
  await rejectsWithStatus(store.delete(CONFIGMAPS, 'ns', 'c'), { code: 404, reason: 'NotFound', message: 'configmaps "c" not found' });
});

test('finalizers hold a deleted object until the last one is removed', async () => {
  const { store } = setup();
  await namespaces(store, 'ns');
  await store.create(CONFIGMAPS, 'ns', configMap('held', { finalizers: ['example.com/one', 'example.com/two'] }));

  const deleted = await store.delete(CONFIGMAPS, 'ns', 'held');
  assert.equal(deleted.deleted, false);
  assert.ok(deleted.object.metadata.deletionTimestamp);
  const stored = (await store.get(CONFIGMAPS, 'ns', 'held')).object;
  assert.equal(stored.metadata.deletionTimestamp, deleted.object.metadata.deletionTimestamp);
  assert.deepEqual(names((await store.list(CONFIGMAPS, 'ns')).items), ['ns/held']);

  // Deleting again changes nothing.
  const again = await store.delete(CONFIGMAPS, 'ns', 'held');
  assert.equal(again.deleted, false);
  assert.equal(again.object.metadata.deletionTimestamp, deleted.object.metadata.deletionTimestamp);

  await edit(store, CONFIGMAPS, 'ns', 'held', (c) => (c.metadata.finalizers = ['example.com/two']));
  const still = (await store.get(CONFIGMAPS, 'ns', 'held')).object;
  assert.deepEqual(still.metadata.finalizers, ['example.com/two']);
  assert.equal(still.metadata.deletionTimestamp, deleted.object.metadata.deletionTimestamp);

  await edit(store, CONFIGMAPS, 'ns', 'held', (c) => delete c.metadata.finalizers);
  await rejectsWithStatus(store.get(CONFIGMAPS, 'ns', 'held'), { code: 404, reason: 'NotFound', message: 'configmaps "held" not found' });
});

// ---- list -------------------------------------------------------------------------------------

/** Writes and compacts until `revision` is older than what storage keeps. */
async function compactPast(backend: SqliteBackend, store: Store, revision: number): Promise<void> {
  for (let i = 0; i < 3; i++) await edit(store, CONFIGMAPS, 'alpha', 'a', (c) => (c.data = { key: `v${i}` }));
  await backend.compact(await backend.currentRevision());
  assert.ok((await backend.compactedRevision()) > revision, `storage compacted past ${revision}`);
}

/** alpha/…, beta/…, gamma/…: nine configmaps in three namespaces. */
async function nineConfigMaps(store: Store): Promise<string[]> {
  await namespaces(store, 'gamma', 'alpha', 'beta');
  const all: string[] = [];
  for (const ns of ['beta', 'gamma', 'alpha']) {
    for (const name of ['c', 'a', 'b']) {
      await store.create(CONFIGMAPS, ns, configMap(name, { labels: { pick: name === 'b' ? 'no' : 'yes' } }));
      all.push(`${ns}/${name}`);
    }
  }
  return all.sort();
}

test('limit and continue page through every object once, in key order, across namespaces', async () => {
  const { store } = setup();
  const all = await nineConfigMaps(store);
  for (const limit of [1, 2, 4, 9, 10]) {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    let listRv: string | undefined;
    do {
      const page = await store.list(CONFIGMAPS, undefined, { limit, continue: token });
      assert.ok(page.items.length <= limit, `limit ${limit}: page size ${page.items.length}`);
      listRv ??= page.resourceVersion;
      assert.equal(page.resourceVersion, listRv, `limit ${limit}: every page reports the first page's resourceVersion`);
      if (page.continue) assert.equal(page.items.length, limit, `limit ${limit}: only the last page is short`);
      seen.push(...names(page.items));
      token = page.continue;
      pages++;
      assert.ok(pages <= all.length + 1, 'paging terminates');
    } while (token);
    assert.deepEqual(seen, all, `limit ${limit}`);
  }
  const first = await store.list(CONFIGMAPS, undefined, { limit: 4 });
  assert.equal(first.remainingItemCount, 5);
  const unpaged = await store.list(CONFIGMAPS, undefined, {});
  assert.deepEqual(names(unpaged.items), all);
  assert.equal(unpaged.continue, undefined);
});

test('continued pages show the list as of the first page', async () => {
  const { store } = setup();
  await nineConfigMaps(store);
  const first = await store.list(CONFIGMAPS, undefined, { limit: 3 });
  assert.deepEqual(names(first.items), ['alpha/a', 'alpha/b', 'alpha/c']);
  await store.create(CONFIGMAPS, 'gamma', configMap('z'));
  await store.delete(CONFIGMAPS, 'gamma', 'c');
  await edit(store, CONFIGMAPS, 'beta', 'a', (c) => (c.data = { key: 'later' }));
  const rest: KubeObject[] = [];
  let token = first.continue;
  while (token) {
    const page = await store.list(CONFIGMAPS, undefined, { limit: 3, continue: token });
    rest.push(...page.items.map((i) => i.object));
    token = page.continue;
  }
  assert.deepEqual(
    rest.map((o) => `${o.metadata.namespace}/${o.metadata.name}`),
    ['beta/a', 'beta/b', 'beta/c', 'gamma/a', 'gamma/b', 'gamma/c'],
  );
  assert.deepEqual(rest[0].data, { key: 'value' });
});

test('limit with a label selector fills pages with matches only', async () => {
  const { store } = setup();
  const all = await nineConfigMaps(store);
  const want = all.filter((n) => !n.endsWith('/b'));
  const seen: string[] = [];
  let token: string | undefined;
  do {
    const page = await store.list(CONFIGMAPS, undefined, { limit: 2, labelSelector: 'pick=yes', continue: token });
    assert.ok(page.items.length <= 2);
    seen.push(...names(page.items));
    token = page.continue;
  } while (token);
  assert.deepEqual(seen, want);
});

test('a continue token older than compaction is 410 Expired', async () => {
  const { backend, store } = setup();
  await nineConfigMaps(store);
  const first = await store.list(CONFIGMAPS, undefined, { limit: 2 });
  assert.ok(first.continue);
  await compactPast(backend, store, Number(first.resourceVersion));
  await rejectsWithStatus(store.list(CONFIGMAPS, undefined, { limit: 2, continue: first.continue }), {
    code: 410,
    reason: 'Expired',
    message: /^The provided continue parameter is too old to display a consistent list result\./,
  });
});

// etcd3's handleCompactedErrorForPaging puts a fresh token (at the latest revision) in the 410's
// metadata.continue, which the message tells the client to use.
test('the 410 for an expired continue token carries a token for the remainder', async () => {
  const { backend, store } = setup();
  await nineConfigMaps(store);
  const first = await store.list(CONFIGMAPS, undefined, { limit: 2 });
  await compactPast(backend, store, Number(first.resourceVersion));
  const err = await rejectsWithStatus(store.list(CONFIGMAPS, undefined, { limit: 2, continue: first.continue }), {
    code: 410,
    reason: 'Expired',
  });
  const status = err.toStatus() as unknown as { metadata: { continue?: string } };
  assert.equal(typeof status.metadata.continue, 'string', 'Status.metadata.continue is set');
  const rest = await store.list(CONFIGMAPS, undefined, { continue: status.metadata.continue });
  assert.deepEqual(names(rest.items), ['alpha/c', 'beta/a', 'beta/b', 'beta/c', 'gamma/a', 'gamma/b', 'gamma/c']);
});

test('label and field selectors filter lists', async () => {
  const { store } = setup();
  await namespaces(store, 'ns1', 'ns2');
  await store.create(PODS, 'ns1', pod('p1', { app: 'a' }));
  await store.create(PODS, 'ns1', pod('p2', { app: 'b', canary: 'true' }));
  await store.create(PODS, 'ns1', pod('p3', { app: 'c' }));
  await store.create(PODS, 'ns2', pod('p4', { app: 'a' }));
  const cases: Record<string, { namespace?: string; labelSelector?: string; fieldSelector?: string; want: string[] }> = {
    'set-based with a does-not-exist term': { namespace: 'ns1', labelSelector: 'app in (a,b),!canary', want: ['ns1/p1'] },
    exists: { namespace: 'ns1', labelSelector: 'app', want: ['ns1/p1', 'ns1/p2', 'ns1/p3'] },
    'not equal': { namespace: 'ns1', labelSelector: 'app!=a', want: ['ns1/p2', 'ns1/p3'] },
    'label across namespaces': { labelSelector: 'app=a', want: ['ns1/p1', 'ns2/p4'] },
    'field metadata.namespace': { fieldSelector: 'metadata.namespace=ns2', want: ['ns2/p4'] },
    'field metadata.name !=': { namespace: 'ns1', fieldSelector: 'metadata.name!=p1', want: ['ns1/p2', 'ns1/p3'] },
    'pod field status.phase': { fieldSelector: 'status.phase=Pending,metadata.name=p4', want: ['ns2/p4'] },
    'unscheduled pods (spec.nodeName=)': { fieldSelector: 'spec.nodeName=', want: ['ns1/p1', 'ns1/p2', 'ns1/p3', 'ns2/p4'] },
    'label and field together': { labelSelector: 'app=a', fieldSelector: 'metadata.namespace=ns1', want: ['ns1/p1'] },
    'nothing matches': { labelSelector: 'app=zzz', want: [] },
  };
  for (const [name, c] of Object.entries(cases)) {
    const page = await store.list(PODS, c.namespace, { labelSelector: c.labelSelector, fieldSelector: c.fieldSelector });
    assert.deepEqual(names(page.items), c.want, name);
  }
});

test('an unsupported field selector is 400', async () => {
  const { store } = setup();
  await namespaces(store, 'ns');
  await rejectsWithStatus(store.list(PODS, 'ns', { fieldSelector: 'spec.foo=x' }), {
    code: 400,
    reason: 'BadRequest',
    message: 'field label not supported: spec.foo',
  });
  await rejectsWithStatus(store.list(DEPLOYMENTS, 'ns', { fieldSelector: 'spec.replicas=1' }), {
    code: 400,
    reason: 'BadRequest',
    message: '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"',
  });
  // A watch refuses it before any event, so the handler can answer with the 400.
  assert.throws(() => store.watch(PODS, 'ns', { fieldSelector: 'spec.foo=x' }, new AbortController().signal), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 400);
    return true;
  });
});

// ---- watch ------------------------------------------------------------------------------------

test('a watch from a resourceVersion gets only later events, then live ones', async () => {
  const { store } = setup();
  await namespaces(store, 'ns');
  const a = await store.create(CONFIGMAPS, 'ns', configMap('a'));
  const b = await store.create(CONFIGMAPS, 'ns', configMap('b'));
  const a2 = await edit(store, CONFIGMAPS, 'ns', 'a', (c) => (c.data = { key: 'v2' }));
  const w = startWatch(store, CONFIGMAPS, 'ns', { resourceVersion: a.metadata.resourceVersion });
  const history = await take(w.iterator, 2);
  assert.deepEqual(history.map(summary), ['ADDED ns/b', 'MODIFIED ns/a']);
  assert.equal(history[0].object.metadata.resourceVersion, b.metadata.resourceVersion);
  assert.equal(history[1].object.metadata.resourceVersion, a2.object.metadata.resourceVersion);
  assert.deepEqual(history[1].object.data, { key: 'v2' });

  await store.create(CONFIGMAPS, 'ns', configMap('c'));
  await store.delete(CONFIGMAPS, 'ns', 'b');
  const live = await take(w.iterator, 2);
  assert.deepEqual(live.map(summary), ['ADDED ns/c', 'DELETED ns/b']);
  w.stop();
});

test('a watch from resourceVersion 0 starts with ADDED for what exists', async () => {
  const { store } = setup();
  await namespaces(store, 'ns', 'other');
  await store.create(CONFIGMAPS, 'ns', configMap('b'));
  await store.create(CONFIGMAPS, 'ns', configMap('a'));
  await store.create(CONFIGMAPS, 'other', configMap('x'));
  await edit(store, CONFIGMAPS, 'ns', 'b', (c) => (c.data = { key: 'v2' }));
  const w = startWatch(store, CONFIGMAPS, 'ns', { resourceVersion: '0' });
  const initial = await take(w.iterator, 2);
  assert.deepEqual(initial.map(summary), ['ADDED ns/a', 'ADDED ns/b']);
  assert.deepEqual(initial[1].object.data, { key: 'v2' });
  await store.create(CONFIGMAPS, 'ns', configMap('c'));
  await edit(store, CONFIGMAPS, 'ns', 'a', (c) => (c.data = { key: 'v3' }));
  assert.deepEqual((await take(w.iterator, 2)).map(summary), ['ADDED ns/c', 'MODIFIED ns/a']);
  w.stop();
});

test('a watch with a label selector sees objects enter and leave the selection', async () => {
  const { store } = setup();
  await namespaces(store, 'ns');
  await store.create(CONFIGMAPS, 'ns', configMap('x', { labels: { app: 'web' } }));
  await store.create(CONFIGMAPS, 'ns', configMap('y', { labels: { app: 'db' } }));
  const from = String(await store.currentRevision());
  const w = startWatch(store, CONFIGMAPS, 'ns', { labelSelector: 'app=web', resourceVersion: from });

  await edit(store, CONFIGMAPS, 'ns', 'x', (c) => (c.metadata.labels = { app: 'other' })); // leaves
  await edit(store, CONFIGMAPS, 'ns', 'y', (c) => (c.metadata.labels = { app: 'web' })); // enters
  await edit(store, CONFIGMAPS, 'ns', 'y', (c) => (c.data = { key: 'v2' })); // changes inside
  await store.create(CONFIGMAPS, 'ns', configMap('z', { labels: { app: 'db' } })); // never selected
  await edit(store, CONFIGMAPS, 'ns', 'x', (c) => (c.data = { key: 'v2' })); // changes outside
  await store.delete(CONFIGMAPS, 'ns', 'y'); // deleted while selected
  await store.create(CONFIGMAPS, 'ns', configMap('w', { labels: { app: 'web' } }));

  const events = await take(w.iterator, 5);
  assert.deepEqual(events.map(summary), ['DELETED ns/x', 'ADDED ns/y', 'MODIFIED ns/y', 'DELETED ns/y', 'ADDED ns/w']);
  w.stop();
});

// cacheWatcher.convertToWatchEvent: an object that stops matching is sent as DELETED with its
// previous (matching) content, at the event's resourceVersion.
test('the DELETED event for an object leaving the selection carries its last matching state', async () => {
  const { store } = setup();
  await namespaces(store, 'ns');
  await store.create(CONFIGMAPS, 'ns', configMap('x', { labels: { app: 'web' } }));
  const from = String(await store.currentRevision());
  const w = startWatch(store, CONFIGMAPS, 'ns', { labelSelector: 'app=web', resourceVersion: from });
  const left = await edit(store, CONFIGMAPS, 'ns', 'x', (c) => (c.metadata.labels = { app: 'other' }));
  const [event] = await take(w.iterator, 1);
  assert.equal(event.type, 'DELETED');
  assert.deepEqual(event.object.metadata.labels, { app: 'web' });
  assert.equal(event.object.metadata.resourceVersion, left.object.metadata.resourceVersion);
  w.stop();
});

test('a watch from a compacted resourceVersion gets a 410 ERROR event', async () => {
  const { backend, store } = setup();
  await namespaces(store, 'ns');
  const a = await store.create(CONFIGMAPS, 'ns', configMap('a'));
  for (let i = 0; i < 3; i++) await edit(store, CONFIGMAPS, 'ns', 'a', (c) => (c.data = { key: `v${i}` }));
  await backend.compact(await backend.currentRevision());
  const requested = Number(a.metadata.resourceVersion);
  assert.ok((await backend.compactedRevision()) > requested, `storage compacted past ${requested}`);

  const w = startWatch(store, CONFIGMAPS, 'ns', { resourceVersion: String(requested) });
  const [event] = await take(w.iterator, 1);
  assert.equal(event.type, 'ERROR');
  assert.equal(event.object.kind, 'Status');
  assert.equal(event.object.code, 410);
  assert.equal(event.object.reason, 'Expired');
  const m = /^too old resource version: (\d+) \((\d+)\)$/.exec(event.object.message ?? '');
  assert.ok(m, `message: ${event.object.message}`);
  assert.equal(Number(m[1]), requested);
  w.stop();

  // Y in "(Y)" is the oldest resourceVersion a watch can still start from (watch_cache.go's
  // oldest-1): a watch from Y works, one from Y-1 does not.
  const oldest = Number(m[2]);
  const before = startWatch(store, CONFIGMAPS, 'ns', { resourceVersion: String(oldest - 1) });
  await store.create(CONFIGMAPS, 'ns', configMap('b0'));
  assert.equal((await take(before.iterator, 1))[0].type, 'ERROR', `a watch from ${oldest - 1} is refused`);
  before.stop();
  const at = startWatch(store, CONFIGMAPS, 'ns', { resourceVersion: String(oldest) });
  await store.create(CONFIGMAPS, 'ns', configMap('b'));
  const [first] = await take(at.iterator, 1);
  assert.notEqual(first.type, 'ERROR', `a watch from ${oldest} is served`);
  at.stop();
});

// ---- namespaces -------------------------------------------------------------------------------

test('deleting a namespace makes it Terminating; creates in it are 403 until it is finalized', async () => {
  const { store } = setup();
  await namespaces(store, 'doomed');
  const ns = (await store.get(NAMESPACES, undefined, 'doomed')).object;
  assert.equal(ns.status?.phase, 'Active');
  assert.deepEqual(ns.spec?.finalizers, ['kubernetes']);

  const deleted = await store.delete(NAMESPACES, undefined, 'doomed');
  assert.equal(deleted.deleted, false);
  assert.equal(deleted.object.status?.phase, 'Terminating');
  assert.ok(deleted.object.metadata.deletionTimestamp);
  const terminating = (await store.get(NAMESPACES, undefined, 'doomed')).object;
  assert.equal(terminating.status?.phase, 'Terminating');

  const err = await rejectsWithStatus(store.create(CONFIGMAPS, 'doomed', configMap('c')), {
    code: 403,
    reason: 'Forbidden',
    message: /unable to create new content in namespace doomed because it is being terminated$/,
  });
  assert.deepEqual(err.details?.causes, [
    { reason: 'NamespaceTerminating', message: 'namespace doomed is being terminated', field: 'metadata.namespace' },
  ]);

  // /finalize clears spec.finalizers; with none left the namespace goes.
  await edit(store, NAMESPACES, undefined, 'doomed', (n) => (n.spec = { finalizers: [] }), { subresource: 'finalize' });
  await rejectsWithStatus(store.get(NAMESPACES, undefined, 'doomed'), { code: 404, reason: 'NotFound', message: 'namespaces "doomed" not found' });
  await rejectsWithStatus(store.create(CONFIGMAPS, 'doomed', configMap('c')), {
    code: 404,
    reason: 'NotFound',
    message: 'namespaces "doomed" not found',
  });
});

// namespace/lifecycle/admission.go rejects with admission.NewForbidden, i.e. apierrors.NewForbidden
// for the object being created: `<resource> "<name>" is forbidden: <reason>`.
test('the terminating-namespace 403 names the object being created', async () => {
  const { store } = setup();
  await namespaces(store, 'doomed');
  await store.delete(NAMESPACES, undefined, 'doomed');
  const err = await rejectsWithStatus(store.create(CONFIGMAPS, 'doomed', configMap('c')), { code: 403, reason: 'Forbidden' });
  assert.equal(err.message, 'configmaps "c" is forbidden: unable to create new content in namespace doomed because it is being terminated');
  assert.equal(err.details?.name, 'c');
  assert.equal(err.details?.kind, 'configmaps');
});
