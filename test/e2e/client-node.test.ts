/**
 * @kubernetes/client-node 1.4, unmodified, against `flotilla up`: typed APIs, the four patch types,
 * KubernetesObjectApi (legacy discovery, apply-creates), Watch, and an informer whose cache
 * survives a restart of the server on the same data directory and port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  Watch,
  makeInformer,
  setHeaderOptions,
  type KubernetesObject,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { sharedCluster, waitFor } from '../support/cluster.js';

let kc: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;
const e2e = await sharedCluster({
  // A fixed port, so the informer's KubeConfig still points at the server after the restart.
  fixedPort: true,
  setup(cluster) {
    kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
  },
});
const { skip } = e2e;

async function namespace(name: string): Promise<void> {
  await core.createNamespace({ body: { metadata: { name } } });
}

/** The Status body of a failed call, whatever form client-node left it in. */
async function apiError(p: Promise<unknown>): Promise<{ code: number; status: any }> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiException, `expected an ApiException, got ${e}`);
    const body = (e as ApiException<unknown>).body;
    return { code: (e as ApiException<unknown>).code, status: typeof body === 'string' ? JSON.parse(body) : body };
  }
  assert.fail('the call should have failed');
}

test('CoreV1Api create, read, list and delete', { skip }, async () => {
  await namespace('cn');
  const created = await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'one', labels: { app: 'x' } }, data: { a: '1' } } });
  assert.match(created.metadata!.uid!, /^[0-9a-f-]{36}$/);
  assert.match(created.metadata!.resourceVersion!, /^\d+$/);
  await core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'two', labels: { app: 'y' } } } });

  const read = await core.readNamespacedConfigMap({ name: 'one', namespace: 'cn' });
  assert.equal(read.metadata!.uid, created.metadata!.uid);
  assert.deepEqual(read.data, { a: '1' });

  const all = await core.listNamespacedConfigMap({ namespace: 'cn' });
  assert.deepEqual(all.items.map((i) => i.metadata!.name).sort(), ['one', 'two']);
  assert.match(all.metadata!.resourceVersion!, /^\d+$/);
  const x = await core.listNamespacedConfigMap({ namespace: 'cn', labelSelector: 'app in (x)' });
  assert.deepEqual(x.items.map((i) => i.metadata!.name), ['one']);
  const byField = await core.listConfigMapForAllNamespaces({ fieldSelector: 'metadata.namespace=cn,metadata.name=two' });
  assert.deepEqual(byField.items.map((i) => `${i.metadata!.namespace}/${i.metadata!.name}`), ['cn/two']);

  await core.deleteNamespacedConfigMap({ name: 'two', namespace: 'cn' });
  const missing = await apiError(core.readNamespacedConfigMap({ name: 'two', namespace: 'cn' }));
  assert.equal(missing.code, 404);
  assert.equal(missing.status.reason, 'NotFound');
  assert.equal(missing.status.message, 'configmaps "two" not found');
  const dup = await apiError(core.createNamespacedConfigMap({ namespace: 'cn', body: { metadata: { name: 'one' } } }));
  assert.equal(dup.code, 409);
  assert.equal(dup.status.reason, 'AlreadyExists');
});

test('CoreV1Api patch: JSON patch by default, merge and strategic via setHeaderOptions', { skip }, async () => {
  await namespace('cp');
  await core.createNamespacedConfigMap({ namespace: 'cp', body: { metadata: { name: 'p' }, data: { a: '1' } } });
  // 1.4's patch methods send application/json-patch+json unless told otherwise.
  const jp = await core.patchNamespacedConfigMap({ name: 'p', namespace: 'cp', body: [{ op: 'replace', path: '/data/a', value: '2' }, { op: 'add', path: '/data/j', value: 'x' }] });
  assert.deepEqual(jp.data, { a: '2', j: 'x' });
  const mp = await core.patchNamespacedConfigMap({ name: 'p', namespace: 'cp', body: { data: { b: '3', j: null } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  assert.deepEqual(mp.data, { a: '2', b: '3' });

  await core.createNamespacedPod({ namespace: 'cp', body: { metadata: { name: 'pod' }, spec: { containers: [{ name: 'a', image: 'busybox' }] } } });
  const smp = await core.patchNamespacedPod(
    { name: 'pod', namespace: 'cp', body: { metadata: { labels: { s: '1' } }, spec: { containers: [{ name: 'a', image: 'busybox:1.36' }] } } },
    setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
  );
  assert.equal(smp.metadata!.labels!.s, '1');
  assert.deepEqual(smp.spec!.containers.map((c) => `${c.name}=${c.image}`), ['a=busybox:1.36']);

  // A JSON Patch body that is not an array is a client error, and changes nothing.
  const bad = await apiError(core.patchNamespacedConfigMap({ name: 'p', namespace: 'cp', body: { data: { a: 'nope' } } }));
  assert.ok(bad.code >= 400 && bad.code < 500, `status ${bad.code}`);
  assert.equal((await core.readNamespacedConfigMap({ name: 'p', namespace: 'cp' })).data!.a, '2');
});

test('AppsV1Api createNamespacedDeployment', { skip }, async () => {
  await namespace('ca');
  const d = await apps.createNamespacedDeployment({
    namespace: 'ca',
    body: {
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] } },
      },
    },
  });
  assert.equal(d.kind, 'Deployment');
  assert.equal(d.metadata!.generation, 1);
  assert.equal(d.spec!.strategy!.type, 'RollingUpdate');
  assert.equal(d.spec!.template.spec!.containers[0].ports![0].protocol, 'TCP');
  const read = await apps.readNamespacedDeployment({ name: 'web', namespace: 'ca' });
  assert.equal(read.metadata!.uid, d.metadata!.uid);
  assert.equal(read.spec!.replicas, 2);
  const list = await apps.listDeploymentForAllNamespaces({ labelSelector: 'app=web' });
  assert.ok(list.items.some((i) => i.metadata!.namespace === 'ca' && i.metadata!.name === 'web'));
  const scaled = await apps.patchNamespacedDeploymentScale({ name: 'web', namespace: 'ca', body: { spec: { replicas: 4 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  assert.equal(scaled.spec!.replicas, 4);
  assert.equal((await apps.readNamespacedDeployment({ name: 'web', namespace: 'ca' })).spec!.replicas, 4);
});

test('KubernetesObjectApi create, read, list and patch (server-side apply creates when missing)', { skip }, async () => {
  await namespace('ko');
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const created = await objects.create<V1ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'made', namespace: 'ko' }, data: { a: '1' } });
  assert.equal(created.metadata!.name, 'made');
  const read = await objects.read<V1ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'made', namespace: 'ko' } });
  assert.equal(read.metadata!.uid, created.metadata!.uid);

  const applied = await objects.patch<KubernetesObject & { spec?: any }>(
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'applied', namespace: 'ko' }, spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } } },
    undefined,
    undefined,
    'e2e',
    true,
    PatchStrategy.ServerSideApply,
  );
  assert.match(applied.metadata!.uid!, /^[0-9a-f-]{36}$/);
  const again = await objects.patch<KubernetesObject & { spec?: any }>(
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'applied', namespace: 'ko' }, spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } } },
    undefined,
    undefined,
    'e2e',
    true,
    PatchStrategy.ServerSideApply,
  );
  assert.equal(again.metadata!.uid, applied.metadata!.uid);
  assert.equal(again.spec.template.spec.containers[0].image, 'nginx:1.27');

  const merged = await objects.patch<V1ConfigMap>({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'made', namespace: 'ko' }, data: { b: '2' } }, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch);
  assert.deepEqual(merged.data, { a: '1', b: '2' });

  const list = await objects.list('apps/v1', 'Deployment', 'ko');
  assert.deepEqual(list.items.map((i) => i.metadata!.name), ['applied']);
  await objects.delete({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'made', namespace: 'ko' } });
  assert.equal((await apiError(objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'made', namespace: 'ko' } }))).code, 404);
});

test('Watch on configmaps sees ADDED, MODIFIED and DELETED', { skip }, async () => {
  await namespace('cw');
  const events: { type: string; name: string; data?: Record<string, string> }[] = [];
  let doneErr: unknown = 'not done';
  const controller = await new Watch(kc).watch(
    '/api/v1/namespaces/cw/configmaps',
    {},
    (type, obj: V1ConfigMap) => events.push({ type, name: obj.metadata!.name!, data: obj.data }),
    (err) => (doneErr = err),
  );
  e2e.onCleanup(() => controller.abort());
  await core.createNamespacedConfigMap({ namespace: 'cw', body: { metadata: { name: 'w' }, data: { v: '1' } } });
  await core.patchNamespacedConfigMap({ name: 'w', namespace: 'cw', body: { data: { v: '2' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  await core.deleteNamespacedConfigMap({ name: 'w', namespace: 'cw' });
  await waitFor('the DELETED event', () => events.some((e) => e.type === 'DELETED'));
  assert.deepEqual(events, [
    { type: 'ADDED', name: 'w', data: { v: '1' } },
    { type: 'MODIFIED', name: 'w', data: { v: '2' } },
    { type: 'DELETED', name: 'w', data: { v: '2' } },
  ]);
  assert.equal(doneErr, 'not done', 'the watch is still open');
  controller.abort();
});

interface Identity {
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
}

/** uid, resourceVersion and creationTimestamp of every namespace, configmap, pod and deployment. */
async function identities(): Promise<Map<string, Identity>> {
  const out = new Map<string, Identity>();
  const add = (kind: string, items: { metadata?: { namespace?: string; name?: string; uid?: string; resourceVersion?: string; creationTimestamp?: Date | string } }[]) => {
    for (const i of items) {
      const m = i.metadata!;
      out.set(`${kind}/${m.namespace ?? ''}/${m.name}`, { uid: m.uid!, resourceVersion: m.resourceVersion!, creationTimestamp: new Date(m.creationTimestamp!).toISOString() });
    }
  };
  add('Namespace', (await core.listNamespace()).items);
  add('ConfigMap', (await core.listConfigMapForAllNamespaces()).items);
  add('Pod', (await core.listPodForAllNamespaces()).items);
  add('Deployment', (await apps.listDeploymentForAllNamespaces()).items);
  return out;
}

test('an informer cache survives a server restart on the same data dir', { skip }, async () => {
  await namespace('inf');
  for (const name of ['a', 'b']) await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name }, data: { v: '0' } } });

  const informer = makeInformer<V1ConfigMap>(kc, '/api/v1/namespaces/inf/configmaps', () => core.listNamespacedConfigMap({ namespace: 'inf' }));
  let finished = false;
  let errors = 0;
  // The documented client-node pattern: an informer stops on a connection error; restart it.
  informer.on('error', () => {
    errors++;
    if (!finished) setTimeout(() => void informer.start().catch(() => undefined), 100);
  });
  e2e.onCleanup(async () => {
    finished = true;
    await informer.stop();
  });
  const cached = () =>
    informer
      .list('inf')
      .map((o) => `${o.metadata!.name}=${o.data?.v}`)
      .sort()
      .join(',');
  await informer.start();
  await waitFor('the informer to list a and b', () => cached() === 'a=0,b=0');

  await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'c' }, data: { v: '0' } } });
  await core.patchNamespacedConfigMap({ name: 'a', namespace: 'inf', body: { data: { v: '1' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  await waitFor('the informer to see c and a=1', () => cached() === 'a=1,b=0,c=0');

  const before = await identities();
  assert.ok(before.size >= 10, `${before.size} objects recorded`);
  assert.equal(await e2e.stop(), 0, 'flotilla up exits 0 on SIGTERM');
  const restarted = await e2e.start();
  assert.equal(restarted.port, e2e.fixedPort());

  const after = await identities();
  for (const [key, id] of before) assert.deepEqual(after.get(key), id, `${key} unchanged across the restart`);

  // The informer reconnects (and relists or resumes its watch) and sees what happens next.
  await core.createNamespacedConfigMap({ namespace: 'inf', body: { metadata: { name: 'd' }, data: { v: '0' } } });
  await core.patchNamespacedConfigMap({ name: 'b', namespace: 'inf', body: { data: { v: '1' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  await core.deleteNamespacedConfigMap({ name: 'c', namespace: 'inf' });
  await waitFor('the informer to catch up after the restart', () => cached() === 'a=1,b=1,d=0', 30_000);
  assert.ok(errors >= 1, 'the informer noticed the server going away');

  const live = await core.listNamespacedConfigMap({ namespace: 'inf' });
  for (const item of live.items) {
    const inCache = informer.get(item.metadata!.name!, 'inf');
    assert.equal(inCache?.metadata!.uid, item.metadata!.uid);
    assert.equal(inCache?.metadata!.resourceVersion, item.metadata!.resourceVersion);
  }
  finished = true;
  await informer.stop();
});
