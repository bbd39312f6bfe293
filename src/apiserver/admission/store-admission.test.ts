/**
 * The store's admission steps and the configuration cache, over a real SQLite store: the order
 * kube-apiserver runs them in (mutating before validation and name generation, validating after,
 * nothing written when either refuses), and the cache seeing writes at once.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { StatusError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import { SqliteBackend } from '../../storage/index.js';
import { BUILTIN_RESOURCES } from '../builtin-resources.js';
import { ResourceRegistry } from '../registry.js';
import { Store, type AdmissionHook } from '../store.js';
import { builtinStrategies, ServiceAllocators } from '../strategies/index.js';
import { strategyKey } from '../strategy.js';
import { ADMISSION_GROUP, MUTATING_KIND, VALIDATING_KIND, WebhookAdmission, webhookConfigurationStrategy } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'flotilla-admission-store-'));
const backends: SqliteBackend[] = [];
after(async () => {
  for (const b of backends) await b.close();
  rmSync(dir, { recursive: true, force: true });
});

const registry = new ResourceRegistry(BUILTIN_RESOURCES);
const NAMESPACES = registry.lookup('', 'v1', 'namespaces')!;
const CONFIGMAPS = registry.lookup('', 'v1', 'configmaps')!;
const MUTATING = registry.lookup(ADMISSION_GROUP, 'v1', 'mutatingwebhookconfigurations')!;

async function setup(): Promise<Store> {
  const backend = SqliteBackend.open(join(dir, `${backends.length}.db`), { compactMinRetain: 0 });
  backends.push(backend);
  const strategies = new Map(builtinStrategies(new ServiceAllocators()));
  for (const kind of [MUTATING_KIND, VALIDATING_KIND]) strategies.set(strategyKey(ADMISSION_GROUP, kind), webhookConfigurationStrategy);
  const store = new Store(backend, strategies);
  await store.create(NAMESPACES, undefined, { metadata: { name: 'ns' } });
  return store;
}

/** A hook that records what it saw, and mutates or refuses as told. */
function recorder(opts: { mutate?: (o: KubeObject) => KubeObject; refuse?: 'mutate' | 'validate' } = {}) {
  const calls: Array<{ step: string; op: string; name?: string; uid?: string; old?: boolean }> = [];
  const hook: AdmissionHook = {
    async mutate(op, obj, old) {
      calls.push({ step: 'mutate', op, name: obj?.metadata.name, uid: obj?.metadata.uid, old: Boolean(old) });
      if (opts.refuse === 'mutate') throw new StatusError(400, 'BadRequest', 'no');
      return obj && opts.mutate ? opts.mutate(obj) : obj;
    },
    async validate(op, obj, old) {
      calls.push({ step: 'validate', op, name: obj?.metadata.name, uid: obj?.metadata.uid, old: Boolean(old) });
      if (opts.refuse === 'validate') throw new StatusError(403, 'Forbidden', 'no');
    },
  };
  return { hook, calls };
}

test('create: mutating sees no generated name or uid; validating sees the final object; the mutation is stored', async () => {
  const store = await setup();
  const { hook, calls } = recorder({ mutate: (o) => ({ ...o, data: { added: 'yes' } }) });
  const created = await store.create(CONFIGMAPS, 'ns', { metadata: { generateName: 'cm-' } }, { admission: hook });
  assert.equal(calls.length, 2);
  assert.deepEqual(calls[0], { step: 'mutate', op: 'CREATE', name: undefined, uid: undefined, old: false });
  assert.equal(calls[1].step, 'validate');
  assert.match(calls[1].name!, /^cm-[a-z0-9]{5}$/);
  assert.ok(calls[1].uid);
  assert.deepEqual((await store.get(CONFIGMAPS, 'ns', created.metadata.name!)).object.data, { added: 'yes' });
});

test('a mutation that breaks the object is refused by validation (422), and nothing is stored', async () => {
  const store = await setup();
  const { hook } = recorder({ mutate: (o) => ({ ...o, metadata: { ...o.metadata, labels: { 'bad label!': 'x' } } }) });
  await assert.rejects(store.create(CONFIGMAPS, 'ns', { metadata: { name: 'cm' } }, { admission: hook }), (e: unknown) => e instanceof StatusError && e.code === 422);
  assert.equal(await store.tryGet(CONFIGMAPS, 'ns', 'cm'), undefined);
});

test('a validating refusal stores nothing; dry run calls both steps and stores nothing', async () => {
  const store = await setup();
  await assert.rejects(store.create(CONFIGMAPS, 'ns', { metadata: { name: 'cm' } }, { admission: recorder({ refuse: 'validate' }).hook }), { message: 'no' });
  assert.equal(await store.tryGet(CONFIGMAPS, 'ns', 'cm'), undefined);
  const dry = recorder();
  await store.create(CONFIGMAPS, 'ns', { metadata: { name: 'cm' } }, { admission: dry.hook, dryRun: true });
  assert.deepEqual(dry.calls.map((c) => c.step), ['mutate', 'validate']);
  assert.equal(await store.tryGet(CONFIGMAPS, 'ns', 'cm'), undefined);
});

test('update and delete: UPDATE with the old object, DELETE with only the old object', async () => {
  const store = await setup();
  await store.create(CONFIGMAPS, 'ns', { metadata: { name: 'cm' } });
  const { hook, calls } = recorder({ mutate: (o) => ({ ...o, data: { stamped: 'update' } }) });
  await store.update(CONFIGMAPS, 'ns', 'cm', (cur) => ({ ...cur!, data: { a: 'b' } }), { admission: hook });
  assert.deepEqual((await store.get(CONFIGMAPS, 'ns', 'cm')).object.data, { stamped: 'update' });
  assert.deepEqual(calls.map((c) => [c.step, c.op, c.old]), [['mutate', 'UPDATE', true], ['validate', 'UPDATE', true]]);
  const del = recorder({ refuse: 'validate' });
  await assert.rejects(store.delete(CONFIGMAPS, 'ns', 'cm', { admission: del.hook }), { message: 'no' });
  assert.deepEqual(del.calls.map((c) => [c.step, c.op, c.name, c.old]), [['mutate', 'DELETE', undefined, true], ['validate', 'DELETE', undefined, true]]);
  assert.ok(await store.tryGet(CONFIGMAPS, 'ns', 'cm'));
});

test('the configuration cache sees a write at once, and a delete', async () => {
  const store = await setup();
  const admission = new WebhookAdmission(store, registry, pino({ level: 'silent' }));
  await admission.start();
  try {
    const info = { rt: CONFIGMAPS, namespace: 'ns', dryRun: false, warn: () => {} };
    assert.equal(admission.forRequest(info), undefined, 'no configuration: no admission at all');
    await store.create(MUTATING, undefined, {
      metadata: { name: 'm' },
      webhooks: [{ name: 'm.example.com', clientConfig: { url: 'https://127.0.0.1:1/x' }, sideEffects: 'None', admissionReviewVersions: ['v1'], rules: [] }],
    });
    assert.ok(admission.forRequest(info), 'the very next request sees it');
    assert.equal(admission.forRequest({ ...info, rt: MUTATING }), undefined, 'webhook configurations themselves are exempt');
    await store.delete(MUTATING, undefined, 'm');
    assert.equal(admission.forRequest(info), undefined);
  } finally {
    admission.stop();
  }
});
