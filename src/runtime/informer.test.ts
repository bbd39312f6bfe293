import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, LABEL_INDEX, NAMESPACE_INDEX, OWNER_INDEX, createFakeClient, createInformer, kinds, objectKey, silentLogger, type KObject } from './index.js';

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const cm = (namespace: string, name: string, metadata: KObject['metadata'] = {}): KObject => ({ metadata: { namespace, name, ...metadata } });

test('informer: list, watch events, indexes, relist on 410, re-watch after stream loss', async () => {
  const api = createFakeClient();
  await api.create(kinds.configMaps, cm('a', 'one', { labels: { app: 'x' } }));
  await api.create(kinds.configMaps, cm('b', 'two', { labels: { app: 'y' }, ownerReferences: [{ apiVersion: 'v1', kind: 'X', name: 'o', uid: 'owner-1' }] }));
  const inf = createInformer(api, kinds.configMaps, { backoff: { initialMs: 1, maxMs: 5 }, logger: silentLogger() });
  inf.addIndexer('byName', (o) => [o.metadata!.name!]);
  const seen: string[] = [];
  inf.addEventHandler({
    onAdd: (o, initial) => seen.push(`add ${objectKey(o)}${initial ? ' (initial)' : ''}`),
    onUpdate: (o, n) => seen.push(`update ${objectKey(n)}${o === n ? ' (resync)' : ''}`),
    onDelete: (o) => seen.push(`delete ${objectKey(o)}`),
  });
  const stop = new AbortController();
  const running = inf.run(stop.signal);
  assert.equal(await inf.waitForSync(), true);
  assert.equal(inf.hasSynced(), true);
  assert.deepEqual(seen.splice(0), ['add a/one (initial)', 'add b/two (initial)']);
  assert.equal(inf.get('a', 'one')?.kind, 'ConfigMap');

  assert.deepEqual(inf.list({ namespace: 'a' }).map(objectKey), ['a/one']);
  assert.deepEqual(inf.list({ labelSelector: 'app in (x,y),app!=x' }).map(objectKey), ['b/two']);
  assert.deepEqual(inf.list({ labelSelector: { matchLabels: { app: 'x' } } }).map(objectKey), ['a/one']);
  assert.deepEqual(inf.byIndex(NAMESPACE_INDEX, 'b').map(objectKey), ['b/two']);
  assert.deepEqual(inf.byIndex(LABEL_INDEX, 'app=y').map(objectKey), ['b/two']);
  assert.deepEqual(inf.byIndex(OWNER_INDEX, 'owner-1').map(objectKey), ['b/two']);
  assert.deepEqual(inf.byIndex('byName', 'one').map(objectKey), ['a/one']);
  assert.throws(() => inf.byIndex('nope', 'x'), /no index named "nope"/);

  await until('a watch', () => api.watchCount() === 1);
  await api.create(kinds.configMaps, cm('a', 'three'));
  await api.patch(kinds.configMaps, 'a', 'one', { metadata: { labels: { app: 'z' } } });
  await api.delete(kinds.configMaps, 'b', 'two');
  assert.deepEqual(seen.splice(0), ['add a/three', 'update a/one', 'delete b/two']);
  assert.deepEqual(inf.byIndex(LABEL_INDEX, 'app=z').map(objectKey), ['a/one']);
  assert.deepEqual(inf.byIndex(LABEL_INDEX, 'app=x'), []);

  // The stream ends: re-watch from the last resourceVersion, no relist.
  const lists = () => api.lists.get('/api/v1/configmaps');
  assert.equal(lists(), 1);
  api.endWatches();
  await until('a re-watch', () => api.watchCount() === 1);
  assert.equal(lists(), 1);

  // Disconnected while things changed and history was compacted: 410, relist, diff.
  api.endWatches(new Error('connection reset'));
  api.failNextWatch(new Error('connection refused'));
  await api.delete(kinds.configMaps, 'a', 'three');
  await api.create(kinds.configMaps, cm('c', 'four'));
  api.compact();
  await until('a relist and re-watch', () => lists() === 2 && api.watchCount() === 1);
  assert.deepEqual(seen.splice(0).sort(), ['add c/four', 'delete a/three']);

  // A 410 in the middle of a stream (an ERROR event) relists too.
  api.endWatches(new ApiError(410, 'Expired', 'too old resource version'));
  await until('another relist', () => lists() === 3 && api.watchCount() === 1);
  assert.deepEqual(seen, []);
  assert.deepEqual(inf.list().map(objectKey), ['a/one', 'c/four']);

  stop.abort();
  await running;
  assert.equal(api.watchCount(), 0);
});

test('informer: resync replays the cache as updates; late handlers see the cache as adds', async () => {
  const api = createFakeClient();
  await api.create(kinds.configMaps, cm('a', 'one'));
  const inf = createInformer(api, kinds.configMaps, { resyncPeriodMs: 20 });
  const stop = new AbortController();
  const running = inf.run(stop.signal);
  await inf.waitForSync();
  const seen: string[] = [];
  inf.addEventHandler({ onAdd: (o, initial) => seen.push(`add ${objectKey(o)} ${initial}`), onUpdate: (o, n) => seen.push(o === n ? 'resync' : 'update') });
  assert.deepEqual(seen, ['add a/one true']);
  await until('a resync', () => seen.includes('resync'));
  stop.abort();
  await running;
  const again = new AbortController();
  const rerun = inf.run(again.signal);
  await assert.rejects(inf.run(again.signal), /already running/);
  again.abort();
  await rerun;
});

test('informer: waitForSync returns false when its signal aborts first', async () => {
  const inf = createInformer(createFakeClient(), kinds.pods);
  const ac = new AbortController();
  const waiting = inf.waitForSync(ac.signal);
  ac.abort();
  assert.equal(await waiting, false);
});
