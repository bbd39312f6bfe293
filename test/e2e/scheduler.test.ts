/**
 * The scheduler against a real `flotilla up`: Node objects created through the API, the scheduler
 * running in this process on the cluster's kubeconfig, pods bound within allocatable and by
 * nodeSelector, taints and node conditions, and a pod too big for every node left Pending with
 * kube 1.32's FailedScheduling message, as `kubectl describe` shows it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig, type V1Node, type V1Pod, type V1Taint } from '@kubernetes/client-node';
import { createClient, kinds, type Client } from '../../src/runtime/index.js';
import { startScheduler, type RunningScheduler } from '../../src/cluster/scheduler/index.js';
import { kubectl, kubectlSkipReason, removeDir, startCluster, waitFor, type RunningCluster } from '../support/cluster.js';

const NS = 'sched-e2e';
let client: Client;
let scheduler: RunningScheduler;
const stop = new AbortController();

// `flotilla up` without its own scheduler, controllers and simulated nodes (sharedCluster() takes
// no server flags), so the scheduler under test is the only one and these the only nodes.
const skip = await kubectlSkipReason();
let cluster: RunningCluster | undefined;

before(async () => {
  if (skip) return;
  cluster = await startCluster({ extraArgs: ['--no-controllers', '--no-nodes'] });
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  client = createClient(kc);
  await client.create(kinds.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
  for (const name of ['n1', 'n2', 'n3']) await client.create(kinds.nodes, node(name));
  scheduler = await startScheduler({ kubeConfig: kc, signal: stop.signal });
});

after(async () => {
  stop.abort();
  await scheduler?.stopped;
  if (cluster) {
    await cluster.stop();
    removeDir(cluster.dir);
  }
});

async function describePod(name: string): Promise<string> {
  const r = await kubectl(cluster!, ['describe', 'pod', name, '-n', NS]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

function node(name: string, o: { cpu?: string; labels?: Record<string, string>; taints?: V1Taint[]; ready?: 'True' | 'False' } = {}): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: o.taints ? { taints: o.taints } : {},
    status: {
      allocatable: { cpu: o.cpu ?? '2', memory: '4Gi', pods: '20' },
      capacity: { cpu: o.cpu ?? '2', memory: '4Gi', pods: '20' },
      conditions: [{ type: 'Ready', status: o.ready ?? 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
    },
  };
}

function pod(name: string, o: { cpu?: string; spec?: Partial<NonNullable<V1Pod['spec']>> } = {}): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS },
    spec: {
      containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: o.cpu ?? '100m', memory: '64Mi' } } }],
      ...(o.spec ?? {}),
    },
  };
}

const getPod = (name: string) => client.get<V1Pod>(kinds.pods, NS, name);

/** Waits for `spec.nodeName` and `PodScheduled=True` (which the server's pods/binding sets). */
async function boundNode(name: string): Promise<string> {
  return waitFor(`pod ${name} to be bound`, async () => {
    const p = await getPod(name);
    const scheduled = p?.status?.conditions?.find((c) => c.type === 'PodScheduled');
    return p?.spec?.nodeName && scheduled?.status === 'True' ? p.spec.nodeName : undefined;
  });
}

async function unschedulableMessage(name: string, want: string): Promise<void> {
  await waitFor(`pod ${name} to be marked Unschedulable: ${want}`, async () => {
    const c = (await getPod(name))?.status?.conditions?.find((x) => x.type === 'PodScheduled');
    if (c?.status === 'False' && c.reason === 'Unschedulable' && c.message === want) return true;
    throw new Error(`PodScheduled is ${JSON.stringify(c)}`);
  });
}

test('pending pods are bound within the nodes allocatable', { skip }, async () => {
  // 3 nodes × 2 cpu; 9 pods × 500m = 4.5 cpu: every pod fits, no node holds more than 4 of them.
  const names = Array.from({ length: 9 }, (_, i) => `web-${i}`);
  await Promise.all(names.map((n) => client.create(kinds.pods, pod(n, { cpu: '500m' }))));
  const placed = await Promise.all(names.map(boundNode));
  const perNode = new Map<string, number>();
  for (const n of placed) perNode.set(n, (perNode.get(n) ?? 0) + 1);
  assert.deepEqual([...perNode.keys()].sort(), ['n1', 'n2', 'n3'], `spread: ${JSON.stringify([...perNode])}`);
  for (const [n, count] of perNode) assert.ok(count * 500 <= 2000, `${n} got ${count} pods of 500m`);
  // A Scheduled event, as kube records it.
  await waitFor('a Scheduled event', async () => {
    const { items } = await client.list<{ reason?: string; message?: string } & { metadata?: object }>(kinds.events, { namespace: NS, fieldSelector: 'involvedObject.name=web-0' });
    return items.some((e) => e.reason === 'Scheduled' && /^Successfully assigned sched-e2e\/web-0 to n[123]$/.test(e.message ?? ''));
  });
  await Promise.all(names.map((n) => client.delete(kinds.pods, NS, n, { gracePeriodSeconds: 0 })));
});

test('a pod too big for every node stays Pending with FailedScheduling', { skip }, async () => {
  const message =
    '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';
  await client.create(kinds.pods, pod('huge', { cpu: '3' }));
  await unschedulableMessage('huge', message);
  const p = await getPod('huge');
  assert.equal(p?.spec?.nodeName, undefined);
  const out = await describePod('huge');
  assert.match(out, /Status:\s+Pending/);
  const row = out.split('\n').find((l) => l.includes('FailedScheduling'));
  assert.ok(row, out);
  assert.match(row, /^\s+Warning {2}FailedScheduling\s+\S+\s+default-scheduler\s+/);
  assert.ok(row.trimEnd().endsWith(message), row);
  await client.delete(kinds.pods, NS, 'huge', { gracePeriodSeconds: 0 });
});

test('nodeSelector, taints and node conditions', { skip }, async () => {
  await client.create(kinds.nodes, node('ssd', { labels: { disk: 'ssd' } }));
  await client.create(kinds.nodes, node('gpu', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }));
  await client.create(kinds.nodes, node('down', { ready: 'False' }));

  await client.create(kinds.pods, pod('wants-ssd', { spec: { nodeSelector: { disk: 'ssd' } } }));
  await client.create(
    kinds.pods,
    pod('gpu-job', {
      spec: {
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['gpu'] }] }] } } },
      },
    }),
  );
  const plain = Array.from({ length: 6 }, (_, i) => `plain-${i}`);
  await Promise.all(plain.map((n) => client.create(kinds.pods, pod(n))));
  assert.equal(await boundNode('wants-ssd'), 'ssd');
  assert.equal(await boundNode('gpu-job'), 'gpu');
  for (const n of plain) assert.ok(!['gpu', 'down'].includes(await boundNode(n)), `${n} must avoid the tainted and the not-ready node`);

  // Only the not-ready node matches: its condition shows as kube's not-ready taint. The taint
  // filter runs before node affinity, so the gpu node reports its taint too.
  await client.create(kinds.pods, pod('on-down', { spec: { nodeSelector: { 'kubernetes.io/hostname': 'down' } } }));
  await unschedulableMessage(
    'on-down',
    '0/6 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, ' +
      "4 node(s) didn't match Pod's node affinity/selector. preemption: 0/6 nodes are available: 6 Preemption is not helpful for scheduling.",
  );
  // The node becomes Ready: the waiting pod is retried and bound.
  await client.patchStatus(kinds.nodes, '', 'down', { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready' }] } }, 'strategic');
  assert.equal(await boundNode('on-down'), 'down');
});

test('pods for another scheduler are left alone', { skip }, async () => {
  await client.create(kinds.pods, pod('not-mine', { spec: { schedulerName: 'other-scheduler' } }));
  await client.create(kinds.pods, pod('mine'));
  await boundNode('mine'); // the scheduler has seen both by now
  const p = await getPod('not-mine');
  assert.equal(p?.spec?.nodeName, undefined);
  assert.equal(p?.status?.conditions?.find((c) => c.type === 'PodScheduled'), undefined);
  assert.ok(scheduler.stats().scheduled >= 1);
});
