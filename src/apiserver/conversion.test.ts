import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../apimachinery/object.js';
import type { ResourceType } from '../apimachinery/resource-type.js';
import { SqliteBackend } from '../storage/index.js';
import { BUILTIN_RESOURCES } from './builtin-resources.js';
import { CONVERSIONS, eventsV1Conversion } from './conversion.js';
import { ResourceRegistry } from './registry.js';
import { Store, type WatchOutput } from './store.js';
import { builtinStrategies, ServiceAllocators } from './strategies/index.js';

const dir = mkdtempSync(join(tmpdir(), 'flotilla-conversion-test-'));
const backends: SqliteBackend[] = [];
after(async () => {
  for (const b of backends) await b.close();
  rmSync(dir, { recursive: true, force: true });
});

async function setup(): Promise<Store> {
  const backend = SqliteBackend.open(join(dir, `${backends.length}.db`));
  backends.push(backend);
  const store = new Store(backend, builtinStrategies(new ServiceAllocators()));
  await store.create(NAMESPACES, undefined, { metadata: { name: 'ns' } });
  return store;
}

const registry = new ResourceRegistry(BUILTIN_RESOURCES);
function resource(group: string, version: string, plural: string): ResourceType {
  const rt = registry.lookup(group, version, plural);
  if (!rt) throw new Error(`no resource ${group}/${version}/${plural}`);
  return rt;
}
const NAMESPACES = resource('', 'v1', 'namespaces');
const CORE_EVENTS = resource('', 'v1', 'events');
const EVENTS_V1 = resource('events.k8s.io', 'v1', 'events');

const regarding = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'ns', name: 'web', uid: 'u-1' };

/** An events.k8s.io/v1 Event as a controller's recorder writes it. */
function eventsV1Event(name: string): KubeObject {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name },
    eventTime: '2025-01-01T00:00:00.000000Z',
    reportingController: 'flotilla/deployment-controller',
    reportingInstance: 'flotilla-1',
    action: 'Scaling',
    reason: 'ScalingReplicaSet',
    regarding,
    note: 'Scaled up replica set web-abc to 1',
    type: 'Normal',
    deprecatedCount: 2,
    deprecatedSource: { component: 'deployment-controller' },
    deprecatedFirstTimestamp: '2025-01-01T00:00:00Z',
    deprecatedLastTimestamp: '2025-01-01T00:01:00Z',
  };
}

test('events.k8s.io/v1 Events are stored as core/v1 Events', () => {
  assert.ok([...CONVERSIONS.values()].includes(eventsV1Conversion));
  assert.deepEqual(eventsV1Conversion.storage, { group: '', plural: 'events', apiVersion: 'v1', kind: 'Event' });
  const stored = eventsV1Conversion.toStorage(eventsV1Event('e'));
  assert.deepEqual(stored, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'e' },
    eventTime: '2025-01-01T00:00:00.000000Z',
    reportingComponent: 'flotilla/deployment-controller',
    reportingInstance: 'flotilla-1',
    action: 'Scaling',
    reason: 'ScalingReplicaSet',
    involvedObject: regarding,
    message: 'Scaled up replica set web-abc to 1',
    type: 'Normal',
    count: 2,
    source: { component: 'deployment-controller' },
    firstTimestamp: '2025-01-01T00:00:00Z',
    lastTimestamp: '2025-01-01T00:01:00Z',
  });
  assert.deepEqual(eventsV1Conversion.fromStorage(stored), eventsV1Event('e'));
});

test('an Event created through events.k8s.io reads back the same, and through core/v1 renamed', async () => {
  const store = await setup();
  const created = await store.create(EVENTS_V1, 'ns', eventsV1Event('web.1'));
  assert.equal(created.apiVersion, 'events.k8s.io/v1');
  assert.equal(created.note, 'Scaled up replica set web-abc to 1');

  const viaEvents = (await store.get(EVENTS_V1, 'ns', 'web.1')).object;
  const { metadata, ...body } = viaEvents;
  const { metadata: _m, ...wantBody } = eventsV1Event('web.1');
  assert.deepEqual(body, wantBody);
  assert.equal(metadata.namespace, 'ns');
  assert.equal(metadata.resourceVersion, created.metadata.resourceVersion);

  const viaCore = (await store.get(CORE_EVENTS, 'ns', 'web.1')).object;
  assert.equal(viaCore.apiVersion, 'v1');
  assert.equal(viaCore.kind, 'Event');
  assert.deepEqual(viaCore.involvedObject, regarding);
  assert.equal(viaCore.message, 'Scaled up replica set web-abc to 1');
  assert.equal(viaCore.reportingComponent, 'flotilla/deployment-controller');
  assert.equal(viaCore.count, 2);
  assert.equal(viaCore.regarding, undefined);
  assert.equal(viaCore.note, undefined);
  assert.equal(viaCore.metadata.uid, created.metadata.uid);
});

test('core/v1 lists show events recorded through events.k8s.io, and the other way round', async () => {
  const store = await setup();
  await store.create(EVENTS_V1, 'ns', eventsV1Event('from-events-api'));
  await store.create(CORE_EVENTS, 'ns', {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'from-core-api' },
    involvedObject: { kind: 'Pod', namespace: 'ns', name: 'p' },
    reason: 'Pulled',
    message: 'Container image "nginx:1.27" already present on machine',
    type: 'Normal',
    source: { component: 'kubelet' },
  });

  const core = await store.list(CORE_EVENTS, 'ns');
  const coreByName = new Map(core.items.map((i) => [i.object.metadata.name, JSON.parse(i.text) as KubeObject]));
  assert.deepEqual([...coreByName.keys()], ['from-core-api', 'from-events-api']);
  const fromEvents = coreByName.get('from-events-api')!;
  assert.equal(fromEvents.apiVersion, 'v1');
  assert.deepEqual(fromEvents.involvedObject, regarding);
  assert.equal(fromEvents.message, 'Scaled up replica set web-abc to 1');
  assert.equal(fromEvents.regarding, undefined);

  const v1 = await store.list(EVENTS_V1, 'ns');
  const v1ByName = new Map(v1.items.map((i) => [i.object.metadata.name, JSON.parse(i.text) as KubeObject]));
  const fromCore = v1ByName.get('from-core-api')!;
  assert.equal(fromCore.apiVersion, 'events.k8s.io/v1');
  assert.deepEqual(fromCore.regarding, { kind: 'Pod', namespace: 'ns', name: 'p' });
  assert.equal(fromCore.note, 'Container image "nginx:1.27" already present on machine');
  assert.deepEqual(fromCore.deprecatedSource, { component: 'kubelet' });
  assert.equal(fromCore.involvedObject, undefined);
  assert.equal(fromCore.message, undefined);

  // Field selectors on core/v1 see the converted fields.
  const selected = await store.list(CORE_EVENTS, 'ns', { fieldSelector: 'involvedObject.kind=Deployment' });
  assert.deepEqual(
    selected.items.map((i) => i.object.metadata.name),
    ['from-events-api'],
  );
});

test('an events.k8s.io watch shows core/v1 events in its own shape', async () => {
  const store = await setup();
  const abort = new AbortController();
  try {
    const from = String(await store.currentRevision());
    const iterator = store.watch(EVENTS_V1, 'ns', { resourceVersion: from }, abort.signal)[Symbol.asyncIterator]();
    await store.create(CORE_EVENTS, 'ns', {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e' },
      involvedObject: { kind: 'Pod', namespace: 'ns', name: 'p' },
      message: 'hello',
      type: 'Normal',
    });
    const next = await withDeadline(iterator.next(), 5000);
    assert.ok(!next.done);
    assert.equal(next.value.type, 'ADDED');
    const obj = JSON.parse(next.value.text) as KubeObject;
    assert.equal(obj.apiVersion, 'events.k8s.io/v1');
    assert.equal(obj.note, 'hello');
    assert.deepEqual(obj.regarding, { kind: 'Pod', namespace: 'ns', name: 'p' });
  } finally {
    abort.abort();
  }
});

async function withDeadline<T extends IteratorResult<WatchOutput>>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no watch event within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
