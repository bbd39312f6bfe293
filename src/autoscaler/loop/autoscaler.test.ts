import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigMap, Node, Pod } from 'kubernetes-types/core/v1.js';
import { Registry } from 'prom-client';
import { nodeNameOf, scaleSetKind, vmssProviderID, type ScaleSet } from '../../cluster/cloud/index.js';
import { createFakeClient, kinds, silentLogger, type CacheReader, type FakeClient, type KObject, type ResourceType } from '../../runtime/index.js';
import { createScaleSetProvider } from '../cloudprovider/index.js';
import { formatGoTime } from '../go-format.js';
import { parseOptions } from '../options.js';
import { MIN, node, pod, T0 } from '../testing.js';
import { createAutoscalerLoop, podDisruptionBudgetKind } from './autoscaler.js';
import type { Evictor } from './evictor.js';
import { createAutoscalerMetrics } from './metrics.js';

const SUB = '00000000-0000-0000-0000-000000000000';
const SS = 'k8s-pool-12345678-vmss';
const pid = (id: number) => vmssProviderID({ subscriptionId: SUB, resourceGroup: 'flotilla', scaleSet: SS, instanceId: String(id) });
const nodeName = (id: number) => nodeNameOf(SS, id);

interface Recorded {
  kind?: string;
  name?: string;
  type: string;
  reason: string;
  message: string;
}

/** A cache over the fake client, refreshed by `sync()` (what informers would hold). */
function syncedCache(client: FakeClient) {
  const store = new Map<string, KObject[]>();
  const types: ResourceType[] = [kinds.nodes, kinds.pods, podDisruptionBudgetKind, kinds.daemonSets, scaleSetKind];
  const key = (t: ResourceType) => `${t.apiVersion}/${t.plural}`;
  const cache: CacheReader = {
    get: <T extends KObject>(t: ResourceType, ns: string, name: string) => (store.get(key(t)) ?? []).find((o) => o.metadata?.name === name && (o.metadata?.namespace ?? '') === (ns ?? '')) as T | undefined,
    list: <T extends KObject>(t: ResourceType) => (store.get(key(t)) ?? []) as T[],
  };
  return {
    cache,
    async sync() {
      for (const t of types) store.set(key(t), (await client.list(t)).items);
    },
  };
}

async function setup(args: string[], opts: { nodes: Node[]; pods: Pod[]; capacity: number; evictor?: Evictor }) {
  const client = createFakeClient();
  const ss: ScaleSet = {
    metadata: { name: SS },
    spec: { capacity: opts.capacity, sku: { name: 'Standard_D2s_v3', cpu: '4', memory: '8Gi', pods: 110 }, subscriptionId: SUB, resourceGroup: 'flotilla', tags: { ca: 'on', min: '1', max: '5' } },
  };
  const created = await client.create(scaleSetKind, ss as unknown as KObject);
  await client.updateStatus(scaleSetKind, {
    ...created,
    status: {
      capacity: opts.capacity,
      readyInstances: opts.capacity,
      nextInstanceId: opts.capacity,
      instances: Array.from({ length: opts.capacity }, (_, i) => ({
        instanceId: String(i),
        name: `${SS}_${i}`,
        computerName: nodeName(i),
        nodeName: nodeName(i),
        providerID: pid(i),
        provisioningState: 'Succeeded',
        faultDomain: 0,
        vmId: '',
        timeCreated: new Date(T0 - 60 * MIN).toISOString(),
      })),
    },
  } as KObject);
  for (const n of opts.nodes) await client.create(kinds.nodes, n as KObject);
  for (const p of opts.pods) await client.create(kinds.pods, p as KObject);
  const { cache, sync } = syncedCache(client);
  // The fake client stamps creationTimestamp with the wall clock: start the loop's clock an hour later.
  let t = Date.now() + 60 * MIN;
  const events: Recorded[] = [];
  const options = parseOptions(['--node-group-auto-discovery=label:ca=on', ...args]);
  const provider = createScaleSetProvider({ client, autoDiscovery: options.nodeGroupAutoDiscovery, scaleSets: () => cache.list(scaleSetKind) as unknown as ScaleSet[], now: () => t });
  const evicted: string[] = [];
  const evictor: Evictor = opts.evictor ?? {
    async evict(p, grace) {
      evicted.push(`${p.metadata?.name}:${grace}`);
      await client.delete(kinds.pods, p.metadata?.namespace ?? 'default', p.metadata?.name ?? '');
      return 'evicted';
    },
  };
  const loop = createAutoscalerLoop({
    options,
    client,
    cache,
    provider,
    evictor,
    events: { event: async (obj, type, reason, message) => void events.push({ kind: obj.kind, name: obj.metadata?.name, type, reason, message }) },
    logger: silentLogger(),
    metrics: createAutoscalerMetrics(new Registry()),
    now: () => t,
    random: () => 0,
    podEvictionRetryMs: 1,
    drainPollMs: 1,
  });
  const step = async (ms = 0) => {
    t += ms;
    await sync();
    return loop.runOnce();
  };
  const scaleSet = async () => (await client.get(scaleSetKind, '', SS)) as unknown as ScaleSet;
  return { client, loop, events, evicted, step, scaleSet, sync };
}

const poolNode = (id: number, extra: Partial<Parameters<typeof node>[0]> = {}) => node({ name: nodeName(id), providerID: pid(id), cpu: '4', memory: '8Gi', ...extra });

test('scale-up: pending pods raise the capacity, with TriggeredScaleUp on the pods, ScaledUpGroup and a text status', async () => {
  const pending = [0, 1, 2].map((i) => pod({ name: `web-${i}`, cpu: '3', unschedulable: true, owner: { kind: 'ReplicaSet', name: 'web' }, created: T0 - MIN }));
  const s = await setup(['--scale-down-enabled=false'], { nodes: [poolNode(0)], pods: pending, capacity: 1 });
  const r = await s.step();
  assert.equal(r.decision.kind, 'scaleUp', JSON.stringify({ pending: r.pending, events: r.events, groups: [...r.cluster.groups.values()] }, null, 1).slice(0, 3000));
  // One pod fits the empty node that exists; the other two need two new nodes.
  assert.equal((await s.scaleSet()).spec.capacity, 3);
  const triggered = s.events.filter((e) => e.reason === 'TriggeredScaleUp');
  assert.deepEqual(triggered.map((e) => [e.kind, e.name, e.message]), pending.slice(1).map((p) => ['Pod', p.metadata?.name, `pod triggered scale-up: [{${SS} 1->3 (max: 5)}]`]));
  assert.deepEqual(
    s.events.filter((e) => e.reason === 'ScaledUpGroup').map((e) => [e.kind, e.message]),
    [
      ['ConfigMap', `Scale-up: setting group ${SS} size to 3 instead of 1 (max: 5)`],
      ['ConfigMap', `Scale-up: group ${SS} size set to 3 instead of 1 (max: 5)`],
    ],
  );
  const cm = (await s.client.get(kinds.configMaps, 'kube-system', 'cluster-autoscaler-status')) as unknown as ConfigMap;
  const at = formatGoTime(r.status.time);
  assert.ok(cm.data!.status.startsWith(`Cluster-autoscaler status at ${at}:\nCluster-wide:\n  Health:      Healthy`), cm.data!.status);
  assert.equal(cm.metadata?.annotations?.['cluster-autoscaler.kubernetes.io/last-updated'], at);
  // The next iteration sees the request in progress (upcoming nodes take the pods): no second scale-up.
  const again = await s.step(1000);
  assert.notEqual(again.decision.kind, 'scaleUp');
  assert.equal((await s.scaleSet()).spec.capacity, 3);
});

test('scale-down: empty nodes are tainted and deleted together through instancesToDelete', async () => {
  const nodes = [poolNode(0), poolNode(1), poolNode(2)];
  const pods = [pod({ name: 'a', cpu: '3', nodeName: nodeName(0) })];
  const s = await setup(['--scale-down-unneeded-time=1m', '--scale-down-delay-after-add=0s'], { nodes, pods, capacity: 3 });
  assert.equal((await s.step()).decision.kind, 'noScaleDown');
  // While they wait out the unneeded time, the empty nodes carry the soft taint.
  const taintsOf = async (i: number) => ((await s.client.get(kinds.nodes, '', nodeName(i))) as unknown as Node).spec?.taints ?? [];
  assert.deepEqual(await taintsOf(0), []);
  for (const i of [1, 2]) assert.deepEqual((await taintsOf(i)).map((t) => `${t.key}:${t.effect}`), ['DeletionCandidateOfClusterAutoscaler:PreferNoSchedule']);
  const r = await s.step(MIN);
  assert.equal(r.decision.kind, 'scaleDown');
  const ss = await s.scaleSet();
  assert.equal(ss.spec.capacity, 1);
  assert.deepEqual(ss.spec.instancesToDelete, ['1', '2']);
  assert.deepEqual(
    s.events.filter((e) => e.reason === 'ScaleDownEmpty').map((e) => e.message),
    [`Scale-down: removing empty node ${nodeName(1)}`, `Scale-down: removing empty node ${nodeName(2)}`, `Scale-down: empty node ${nodeName(1)} removed`, `Scale-down: empty node ${nodeName(2)} removed`],
  );
  const tainted = (await s.client.get(kinds.nodes, '', nodeName(1))) as unknown as Node;
  assert.equal(tainted.spec?.taints?.find((t) => t.key === 'ToBeDeletedByClusterAutoscaler')?.effect, 'NoSchedule');
  assert.ok(s.events.some((e) => e.kind === 'Node' && e.name === nodeName(2) && e.reason === 'ScaleDown' && e.message === 'nodes removed by cluster autoscaler'));
});

test('soft taints: a node needed again loses DeletionCandidateOfClusterAutoscaler; --max-bulk-soft-taint-count=0 sets none', async () => {
  const nodes = [poolNode(0), poolNode(1)];
  const s = await setup(['--scale-down-unneeded-time=10m', '--scale-down-delay-after-add=0s'], { nodes, pods: [pod({ name: 'a', cpu: '3', nodeName: nodeName(0) })], capacity: 2 });
  await s.step();
  const taints = async () => (((await s.client.get(kinds.nodes, '', nodeName(1))) as unknown as Node).spec?.taints ?? []).map((t) => t.key);
  assert.deepEqual(await taints(), ['DeletionCandidateOfClusterAutoscaler']);
  await s.client.create(kinds.pods, pod({ name: 'b', cpu: '3', nodeName: nodeName(1) }) as KObject);
  await s.step(MIN);
  assert.deepEqual(await taints(), [], 'needed again: the soft taint goes');

  const off = await setup(['--scale-down-unneeded-time=10m', '--max-bulk-soft-taint-count=0'], { nodes: [poolNode(0), poolNode(1)], pods: [pod({ name: 'a', cpu: '3', nodeName: nodeName(0) })], capacity: 2 });
  await off.step();
  assert.deepEqual(((await off.client.get(kinds.nodes, '', nodeName(1))) as unknown as Node).spec?.taints ?? [], []);
});

test('scale-down with drain: taint, evict with the capped grace period, wait for the pods, delete the instance', async () => {
  const nodes = [poolNode(0), poolNode(1)];
  const pods = [
    pod({ name: 'big', cpu: '2500m', nodeName: nodeName(0) }),
    { ...pod({ name: 'small', cpu: '500m', nodeName: nodeName(1) }), spec: { ...pod({ name: 'small', cpu: '500m', nodeName: nodeName(1) }).spec!, terminationGracePeriodSeconds: 900 } },
  ];
  const s = await setup(['--scale-down-unneeded-time=0s', '--scale-down-delay-after-add=0s', '--max-graceful-termination-sec=20'], { nodes, pods, capacity: 2 });
  const r = await s.step();
  assert.equal(r.decision.kind, 'scaleDown');
  // The drain runs in the background: the cache must see the pod gone before the instance goes.
  await waitForEvicted(s.evicted);
  await s.sync();
  await s.loop.drains();
  assert.deepEqual(s.evicted, ['small:20']);
  const ss = await s.scaleSet();
  assert.deepEqual([ss.spec.capacity, ss.spec.instancesToDelete], [1, ['1']]);
  const messages = s.events.map((e) => `${e.kind} ${e.reason}: ${e.message}`);
  assert.ok(messages.includes(`ConfigMap ScaleDown: Scale-down: removing node ${nodeName(1)}, utilization: 0.125, pods to reschedule: default/small`), messages.join('\n'));
  assert.ok(messages.includes('Node ScaleDown: marked the node as toBeDeleted/unschedulable'));
  assert.ok(messages.includes('Pod ScaleDown: deleting pod for node scale down'));
  assert.ok(messages.includes(`ConfigMap ScaleDown: Scale-down: node ${nodeName(1)} removed with drain`));
});

async function waitForEvicted(evicted: string[]): Promise<void> {
  const deadline = Date.now() + 5000;
  while (evicted.length === 0) {
    if (Date.now() > deadline) throw new Error('nothing evicted');
    await new Promise((r) => setImmediate(r));
  }
}

test('a failed drain removes the taint and reports ScaleDownFailed', async () => {
  const nodes = [poolNode(0), poolNode(1)];
  const pods = [pod({ name: 'big', cpu: '2500m', nodeName: nodeName(0) }), pod({ name: 'small', cpu: '500m', nodeName: nodeName(1) })];
  const s = await setup(['--scale-down-unneeded-time=0s', '--scale-down-delay-after-add=0s', '--max-pod-eviction-time=0s'], {
    nodes,
    pods,
    capacity: 2,
    evictor: { evict: async () => Promise.reject(new Error('refused')) },
  });
  await s.step();
  await s.loop.drains();
  const node1 = (await s.client.get(kinds.nodes, '', nodeName(1))) as unknown as Node;
  assert.deepEqual(node1.spec?.taints ?? [], []);
  assert.equal((await s.scaleSet()).spec.capacity, 2);
  assert.ok(s.events.some((e) => e.kind === 'Pod' && e.reason === 'ScaleDownFailed' && e.message === 'failed to delete pod for ScaleDown'));
  assert.ok(s.events.some((e) => e.kind === 'Node' && e.reason === 'ScaleDownFailed' && e.message === 'failed to drain the node, aborting ScaleDown'));
});

test('first run: leftover ToBeDeleted taints are removed (ClusterAutoscalerCleanup)', async () => {
  const stale = poolNode(0, { taints: [{ key: 'ToBeDeletedByClusterAutoscaler', value: '1', effect: 'NoSchedule' }] });
  const s = await setup(['--scale-down-enabled=false'], { nodes: [stale], pods: [], capacity: 1 });
  await s.step();
  assert.deepEqual(((await s.client.get(kinds.nodes, '', nodeName(0))) as unknown as Node).spec?.taints ?? [], []);
  assert.deepEqual(s.events.filter((e) => e.reason === 'ClusterAutoscalerCleanup').map((e) => [e.kind, e.type, e.message]), [['Node', 'Normal', 'marking the node as schedulable']]);
});

test('--status-config-map-format=yaml writes the YAML status with the same annotation', async () => {
  const s = await setup(['--status-config-map-format=yaml', '--scale-down-enabled=false'], { nodes: [poolNode(0)], pods: [], capacity: 1 });
  const r = await s.step();
  const cm = (await s.client.get(kinds.configMaps, 'kube-system', 'cluster-autoscaler-status')) as unknown as ConfigMap;
  assert.equal(cm.metadata?.annotations?.['cluster-autoscaler.kubernetes.io/last-updated'], formatGoTime(r.status.time));
  assert.match(cm.data!.status, /^autoscalerStatus: Running\nclusterWide:\n  health:\n/);
  assert.match(cm.data!.status, new RegExp(`\\nnodeGroups:\\n- health:\\n[\\s\\S]*  name: ${SS}\\n`));
});
