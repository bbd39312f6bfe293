import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { TerminalError, createController, createFakeClient, createInformer, enqueueOwner, generationChanged, kinds, type KObject, type Request } from './index.js';

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const cm = (namespace: string, name: string, metadata: KObject['metadata'] = {}): KObject => ({ metadata: { namespace, name, ...metadata } });

test('controller: retries errors with backoff, stops on TerminalError, survives any throw, requeues after', async () => {
  const api = createFakeClient();
  const inf = createInformer(api, kinds.configMaps);
  const calls = new Map<string, number>();
  const lines: Record<string, unknown>[] = [];
  const c = createController({
    name: 'test',
    for: kinds.configMaps,
    workers: 2,
    logger: pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) }),
    async reconciler(req: Request) {
      const n = (calls.get(req.name) ?? 0) + 1;
      calls.set(req.name, n);
      if (req.name === 'flaky' && n < 3) throw new Error('try again');
      if (req.name === 'bad') throw new TerminalError('cannot fix');
      if (req.name === 'weird' && n < 2) throw 'a string';
      if (req.name === 'poll' && n < 3) return { requeueAfterMs: 5 };
      return {};
    },
  });
  c.watch(inf);
  const stop = new AbortController();
  const running = Promise.all([inf.run(stop.signal), c.start(stop.signal)]);
  for (const n of ['ok', 'flaky', 'bad', 'weird', 'poll']) await api.create(kinds.configMaps, cm('ns', n));
  await until('every reconcile', () => calls.get('flaky') === 3 && calls.get('poll') === 3 && calls.get('weird') === 2 && calls.get('bad') === 1 && calls.get('ok') === 1);
  // A retry of 'bad' would come 5 ms after its failure; give it ten times that.
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(calls.get('bad'), 1);
  stop.abort();
  await running;
  const failures = lines.filter((l) => String(l.msg).startsWith('reconciler error'));
  assert.equal(failures.length, 4, JSON.stringify(failures)); // flaky ×2, weird ×1, bad ×1
  for (const l of failures) {
    assert.equal(l.controller, 'test');
    assert.match(String(l.object), /^\/api\/v1\/namespaces\/ns\/configmaps\/\w+$/);
    assert.match(String(l.reconcileID), /^[0-9a-f-]{36}$/);
    assert.equal(l.level, 30);
  }
  assert.equal(failures.filter((l) => l.msg === 'reconciler error (terminal, not retried)').length, 1);
});

test('controller: owner mapping, predicates, and a graceful stop that drains the reconcile in flight', async () => {
  const api = createFakeClient();
  const inf = createInformer(api, kinds.configMaps);
  const got: string[] = [];
  let release!: () => void;
  const blocked = new Promise<void>((r) => (release = r));
  let sawAbort = false;
  const c = createController({
    name: 'owners',
    reconciler: {
      async reconcile(req, signal) {
        got.push(`${req.namespace}/${req.name}`);
        if (req.name === 'slow') {
          await blocked;
          sawAbort = signal.aborted;
        }
        return {};
      },
    },
  });
  c.watch(inf, { map: enqueueOwner({ apiVersion: 'apps/v1', kind: 'Deployment' }), predicates: [generationChanged] });
  const stop = new AbortController();
  const informing = inf.run(stop.signal);
  const controlling = c.start(stop.signal);
  await api.create(kinds.configMaps, cm('ns', 'child', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'slow', uid: 'u', controller: true }] }));
  await api.create(kinds.configMaps, cm('ns', 'other', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'notcontroller', uid: 'v' }] }));
  await until('the owner reconcile', () => got.includes('ns/slow'));
  let stopped = false;
  const stopping = controlling.then(() => (stopped = true));
  stop.abort();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(stopped, false, 'stop waits for the reconcile in flight');
  release();
  await stopping;
  await informing;
  assert.equal(sawAbort, true);
  assert.deepEqual(got, ['ns/slow']);
});

test('controller: enqueue directly, and start only once', async () => {
  const got: string[] = [];
  const c = createController({ name: 'direct', reconciler: async (req) => (got.push(req.name), {}) });
  const stop = new AbortController();
  const running = c.start(stop.signal);
  c.enqueue({ namespace: '', name: 'n1' });
  c.enqueue({ namespace: '', name: 'n2' }, 5);
  await until('both', () => got.length === 2);
  assert.deepEqual(got, ['n1', 'n2']);
  await assert.rejects(c.start(stop.signal), /already started/);
  stop.abort();
  await running;
});
