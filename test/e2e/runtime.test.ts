/**
 * The controller runtime against a real `flotilla up`: an informer through a server restart, a
 * controller (ConfigMap → Secret, with the garbage collector cleaning up), leader election between
 * two managers, aggregated Events in `kubectl describe`, and the manager's HTTP endpoints.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { KubeConfig, type V1ConfigMap, type V1Secret } from '@kubernetes/client-node';
import { sharedCluster, waitFor } from '../support/cluster.js';
import {
  createClient,
  createInformer,
  createManager,
  createOrUpdate,
  kinds,
  setControllerReference,
  silentLogger,
  writeStatus,
  type Client,
  type KObject,
  type Manager,
  type Request,
} from '../../src/runtime/index.js';

let kc: KubeConfig;
let client: Client;
const e2e = await sharedCluster({
  fixedPort: true,
  setup(cluster) {
    kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    client = createClient(kc, { fieldManager: 'runtime-e2e' });
  },
});
const { skip } = e2e;
const logger = silentLogger();

async function namespace(name: string): Promise<void> {
  await client.create(kinds.namespaces, { metadata: { name } });
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

/** Start a manager and make sure it is stopped when the file ends. */
async function started(mgr: Manager): Promise<Manager> {
  e2e.onCleanup(() => mgr.stop());
  await mgr.start();
  return mgr;
}

test('informer: ADDED, MODIFIED, DELETED, and the cache survives a server restart', { skip }, async () => {
  await namespace('inf');
  await client.create(kinds.configMaps, { metadata: { namespace: 'inf', name: 'before', labels: { app: 'a' } } });
  const inf = createInformer<V1ConfigMap>(client, kinds.configMaps, { namespace: 'inf', logger, backoff: { initialMs: 50, maxMs: 500 } });
  const seen: string[] = [];
  inf.addEventHandler({
    onAdd: (o) => seen.push(`ADDED ${o.metadata!.name}`),
    onUpdate: (o, n) => o !== n && seen.push(`MODIFIED ${n.metadata!.name}`),
    onDelete: (o) => seen.push(`DELETED ${o.metadata!.name}`),
  });
  const stop = new AbortController();
  const running = inf.run(stop.signal);
  e2e.onCleanup(() => {
    stop.abort();
    return running;
  });
  assert.equal(await inf.waitForSync(), true);
  assert.equal(inf.get('inf', 'before')?.kind, 'ConfigMap');
  assert.deepEqual(inf.list({ labelSelector: 'app=a' }).map((c) => c.metadata!.name), ['before']);

  await client.create(kinds.configMaps, { metadata: { namespace: 'inf', name: 'x' }, data: { a: '1' } });
  await client.patch(kinds.configMaps, 'inf', 'x', { data: { a: '2' } });
  await client.delete(kinds.configMaps, 'inf', 'x');
  await waitFor('the three events', () => seen.includes('DELETED x'));
  assert.deepEqual(seen, ['ADDED before', 'ADDED x', 'MODIFIED x', 'DELETED x']);
  assert.equal(inf.get('inf', 'x'), undefined);

  await e2e.stop();
  await e2e.start();
  await client.create(kinds.configMaps, { metadata: { namespace: 'inf', name: 'after' } });
  await client.delete(kinds.configMaps, 'inf', 'before');
  await waitFor('the informer to catch up after the restart', () => inf.get('inf', 'after') && !inf.get('inf', 'before'), 30_000);
  assert.deepEqual(inf.list().map((c) => c.metadata!.name), ['after']);
});

test('manager: a controller syncs ConfigMaps into owned Secrets; the garbage collector cleans up; /metrics, /healthz, /readyz', { skip }, async () => {
  await namespace('sync');
  const mgr = createManager({ kubeConfig: kc, name: 'secret-sync', logger, port: 0 });
  const events = mgr.eventRecorder();
  const results: string[] = [];
  mgr.addController({
    name: 'cm-to-secret',
    for: kinds.configMaps,
    owns: [kinds.secrets],
    workers: 2,
    async reconciler(req: Request) {
      const cm = mgr.cache.get<V1ConfigMap>(kinds.configMaps, req.namespace, req.name);
      if (!cm || req.namespace !== 'sync') return {};
      const secret: V1Secret = { metadata: { namespace: req.namespace, name: req.name } };
      const r = await createOrUpdate(mgr.client, kinds.secrets, secret, (s) => {
        s.data = Object.fromEntries(Object.entries(cm.data ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
        setControllerReference(cm, s);
      });
      results.push(`${req.name} ${r}`);
      if (r !== 'unchanged') await events.event(cm, 'Normal', 'Synced', `Secret ${r}`);
      return {};
    },
  });
  assert.throws(() => mgr.addController({ name: 'cm-to-secret', reconciler: async () => ({}) }), /controller names must be unique/);
  await started(mgr);
  const port = mgr.port()!;
  assert.equal((await httpGet(port, '/healthz')).status, 200);
  await waitFor('readyz', async () => (await httpGet(port, '/readyz')).status === 200);

  await client.create(kinds.configMaps, { metadata: { namespace: 'sync', name: 'app' }, data: { k: 'v1' } });
  const secret = await waitFor('the secret', () => client.get<V1Secret>(kinds.secrets, 'sync', 'app'));
  assert.equal(Buffer.from(secret.data!.k, 'base64').toString(), 'v1');
  const owner = secret.metadata!.ownerReferences!;
  assert.equal(owner.length, 1);
  assert.equal(owner[0].kind, 'ConfigMap');
  assert.equal(owner[0].controller, true);

  await client.patch(kinds.configMaps, 'sync', 'app', { data: { k: 'v2' } });
  await waitFor('the update', async () => {
    const s = await client.get<V1Secret>(kinds.secrets, 'sync', 'app');
    return Buffer.from(s?.data?.k ?? '', 'base64').toString() === 'v2';
  });
  // An edit to the owned Secret is reverted (the owner is enqueued).
  await client.patch(kinds.secrets, 'sync', 'app', { data: { k: Buffer.from('tampered').toString('base64') } });
  await waitFor('the revert', async () => {
    const s = await client.get<V1Secret>(kinds.secrets, 'sync', 'app');
    return Buffer.from(s?.data?.k ?? '', 'base64').toString() === 'v2';
  });
  assert.deepEqual(results.filter((r) => r !== 'app unchanged'), ['app created', 'app updated', 'app updated']);

  const metrics = (await httpGet(port, '/metrics')).body;
  assert.match(metrics, /controller_runtime_reconcile_total\{controller="cm-to-secret",result="success"\} [1-9]/);
  assert.match(metrics, /controller_runtime_reconcile_errors_total\{controller="cm-to-secret"\} 0/);
  assert.match(metrics, /controller_runtime_reconcile_time_seconds_count\{controller="cm-to-secret"\} [1-9]/);
  assert.match(metrics, /workqueue_adds_total\{name="cm-to-secret",controller="cm-to-secret"\} [1-9]/);
  assert.match(metrics, /workqueue_depth\{name="cm-to-secret",controller="cm-to-secret"\} 0/);
  assert.match(metrics, /workqueue_retries_total\{name="cm-to-secret",controller="cm-to-secret"\} 0/);

  await client.delete(kinds.configMaps, 'sync', 'app');
  await waitFor('the garbage collector to delete the secret', async () => (await client.get(kinds.secrets, 'sync', 'app')) === undefined);
  await mgr.stop();
  assert.equal(await mgr.done(), 'stopped');
});

test('events: repeats aggregate into one Event with count 2, shown by kubectl describe', { skip }, async () => {
  await namespace('ev');
  const cm = await client.create<V1ConfigMap>(kinds.configMaps, { metadata: { namespace: 'ev', name: 'subject' } });
  const mgr = createManager({ kubeConfig: kc, name: 'ev-test', logger });
  const rec = mgr.eventRecorder('ev-component');
  await rec.event(cm, 'Warning', 'Broken', 'it broke');
  await rec.event(cm, 'Warning', 'Broken', 'it broke');
  await rec.event(cm, 'Normal', 'Fixed', 'it is fixed');
  const list = await client.list<KObject & { reason: string; count: number; involvedObject: { uid: string }; source: { component: string }; reportingComponent: string }>(kinds.events, {
    namespace: 'ev',
    fieldSelector: `involvedObject.name=subject,involvedObject.namespace=ev,involvedObject.uid=${cm.metadata!.uid}`,
  });
  const byReason = Object.fromEntries(list.items.map((e) => [e.reason, e]));
  assert.equal(list.items.length, 2);
  assert.equal(byReason.Broken.count, 2);
  assert.equal(byReason.Fixed.count, 1);
  assert.equal(byReason.Broken.source.component, 'ev-component');
  assert.equal(byReason.Broken.reportingComponent, 'ev-component');
  const described = await e2e.ok(['describe', 'configmap', 'subject', '-n', 'ev']);
  assert.match(described, /Warning\s+Broken\s+.*ev-component\s+it broke/);
  assert.match(described, /x2 over/);
  assert.match(described, /Normal\s+Fixed\s+.*it is fixed/);
});

test('leader election: only the leader reconciles; a clean stop hands over; a lost lease stops the manager', { skip }, async () => {
  await namespace('le');
  const le = { name: 'le-test', namespace: 'le', leaseDurationMs: 3000, renewDeadlineMs: 2000, retryPeriodMs: 300 };
  const reconciledBy: string[] = [];
  const make = (id: string): Manager => {
    const mgr = createManager({ kubeConfig: kc, name: id, logger, leaderElection: { ...le, identity: id } });
    mgr.addController({
      name: 'le-ctrl',
      for: kinds.configMaps,
      async reconciler(req) {
        if (req.namespace === 'le') reconciledBy.push(`${id} ${req.name}`);
        return {};
      },
    });
    return mgr;
  };
  const one = await started(make('one'));
  await waitFor('one to lead', () => one.isLeader());
  const two = await started(make('two'));
  await client.create(kinds.configMaps, { metadata: { namespace: 'le', name: 'first' } });
  await waitFor('one to reconcile', () => reconciledBy.includes('one first'));
  assert.equal(two.isLeader(), false);

  const stoppedAt = Date.now();
  await one.stop();
  await waitFor('two to take over', () => two.isLeader(), 10_000);
  assert.ok(Date.now() - stoppedAt < le.leaseDurationMs, 'a released lease is taken without waiting for it to expire');
  await waitFor('two to reconcile', () => reconciledBy.includes('two first'));
  assert.ok(!reconciledBy.includes('two first') || reconciledBy.indexOf('two first') > reconciledBy.indexOf('one first'));
  const lease = await client.get<KObject & { spec: { holderIdentity: string; leaseTransitions: number } }>(kinds.leases, 'le', 'le-test');
  assert.equal(lease!.spec.holderIdentity, 'two');
  assert.equal(lease!.spec.leaseTransitions, 1);

  // Someone else takes the lease: two cannot renew, stops its controllers and the manager.
  await client.update(kinds.leases, { ...lease!, spec: { ...lease!.spec, holderIdentity: 'usurper', leaseDurationSeconds: 3600 } });
  assert.equal(await two.done(), 'leadership lost');
  assert.equal(two.isLeader(), false);
});

test('writeStatus writes the status subresource only when it changed', { skip }, async () => {
  await namespace('st');
  const ns = await client.get<KObject & { status?: { phase?: string; conditions?: unknown[] } }>(kinds.namespaces, '', 'st');
  const cond = { type: 'Example', status: 'True', reason: 'Test', message: 'set by the e2e test', lastTransitionTime: '2024-01-01T00:00:00Z' };
  assert.equal(await writeStatus(client, kinds.namespaces, ns!, (n) => void (n.status = { ...n.status, conditions: [cond] })), 'updated');
  const after = await client.get<typeof ns & {}>(kinds.namespaces, '', 'st');
  assert.deepEqual(after!.status!.conditions, [cond]);
  assert.equal(await writeStatus(client, kinds.namespaces, after!, (n) => void (n.status = { ...n.status, conditions: [cond] })), 'unchanged');
  // A stale copy conflicts, is re-read and compared again.
  assert.equal(await writeStatus(client, kinds.namespaces, ns!, (n) => void (n.status = { ...n.status, conditions: [cond] })), 'unchanged');
  const rv = (await client.get(kinds.namespaces, '', 'st'))!.metadata!.resourceVersion;
  assert.equal(rv, after!.metadata!.resourceVersion);
});
