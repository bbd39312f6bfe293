import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, createEventRecorder, createFakeClient, kinds, type KObject } from './index.js';

type Ev = KObject & { count: number; reason: string; type: string; firstTimestamp: string; lastTimestamp: string; involvedObject: Record<string, string>; source: { component: string; host: string } };

test('events: repeats within the window aggregate; after it, a new Event', async () => {
  const api = createFakeClient();
  const clock = new FakeClock(Date.parse('2024-05-01T10:00:00Z'));
  const rec = createEventRecorder(api, { component: 'demo-controller', instance: 'host-1', aggregateWindowMs: 60_000, clock });
  const pod: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'ns', name: 'p', uid: 'uid-p', resourceVersion: '7' } };
  await rec.event(pod, 'Warning', 'BackOff', 'restarting');
  clock.advance(5_000);
  await Promise.all([rec.event(pod, 'Warning', 'BackOff', 'restarting'), rec.event(pod, 'Warning', 'BackOff', 'restarting')]);
  await rec.event(pod, 'Normal', 'Started', 'started');
  let events = (await api.list<Ev>(kinds.events, { namespace: 'ns' })).items;
  const backoff = events.find((e) => e.reason === 'BackOff')!;
  assert.equal(events.length, 2);
  assert.equal(backoff.count, 3);
  assert.equal(backoff.type, 'Warning');
  assert.equal(backoff.firstTimestamp, '2024-05-01T10:00:00Z');
  assert.equal(backoff.lastTimestamp, '2024-05-01T10:00:05Z');
  assert.deepEqual(backoff.involvedObject, { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'ns', uid: 'uid-p', resourceVersion: '7' });
  assert.deepEqual(backoff.source, { component: 'demo-controller', host: 'host-1' });
  assert.match(backoff.metadata!.name!, /^p\.[0-9a-f]+$/);

  clock.advance(120_000);
  await rec.event(pod, 'Warning', 'BackOff', 'restarting');
  events = (await api.list<Ev>(kinds.events, { namespace: 'ns' })).items;
  assert.deepEqual(events.map((e) => `${e.reason} ${e.count}`).sort(), ['BackOff 1', 'BackOff 3', 'Started 1']);
});

test('events: a deleted Event is recreated; cluster-scoped objects record in default; failures never reject', async () => {
  const api = createFakeClient();
  const rec = createEventRecorder(api, { component: 'c' });
  const node: KObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'u' } };
  await rec.event(node, 'Normal', 'Ready', 'ok');
  const [first] = (await api.list<Ev>(kinds.events, { namespace: 'default' })).items;
  await api.delete(kinds.events, 'default', first.metadata!.name!);
  await rec.event(node, 'Normal', 'Ready', 'ok');
  const after = (await api.list<Ev>(kinds.events, { namespace: 'default' })).items;
  assert.deepEqual(after.map((e) => e.count), [1]);
  const failing = createEventRecorder({ create: () => Promise.reject(new Error('down')), patch: () => Promise.reject(new Error('down')) }, { component: 'c' });
  await failing.event(node, 'Normal', 'Ready', 'ok');
});
