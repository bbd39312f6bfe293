/**
 * The cluster autoscaler end to end on a real `flotilla up --runtime simulated --no-demo`: a scale
 * set of its own (`k8s-pool2-12345678-vmss`, min 1 max 4 by tags, 2 CPUs per instance, 1 s to
 * provision) discovered by tags, and the autoscaler started in this process with short intervals.
 * A Deployment that does not fit scales the set up (never past max) and its pods land; scaling it
 * down removes the empty and the underused nodes (drained) down to min; a pod too big for any
 * node gets NotTriggerScaleUp; the status ConfigMap reads as cluster-autoscaler's text format.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { Command } from 'commander';
import type { Deployment } from 'kubernetes-types/apps/v1.js';
import type { ConfigMap, Event, Node, Pod } from 'kubernetes-types/core/v1.js';
import { scaleSetKind, type ScaleSet } from '../../src/cluster/cloud/index.js';
import { createClient, createLogger, kinds, type Client, type KObject } from '../../src/runtime/index.js';
import { parseOptions } from '../../src/autoscaler/index.js';
import { startAutoscaler, type RunningAutoscaler } from '../../src/autoscaler/loop/index.js';
import { registerAutoscalerCommands } from '../../src/autoscaler/cli.js';
import { kubectlSkipReason, removeDir, startCluster, waitFor, type RunningCluster } from '../support/cluster.js';

const skip = await kubectlSkipReason();
const POOL = 'k8s-pool2-12345678-vmss';
const NS = 'default';
let cluster: RunningCluster | undefined;
let client: Client;
let ca: RunningAutoscaler | undefined;

before(async () => {
  if (skip) return;
  cluster = await startCluster({ controlPlane: true, extraArgs: ['--runtime', 'simulated', '--no-demo', '--agents', '1', '--no-autoscaler'] });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(cluster.kubeconfig);
  client = createClient(kubeConfig);
  await client.create(scaleSetKind, {
    apiVersion: scaleSetKind.apiVersion,
    kind: scaleSetKind.kind,
    metadata: { name: POOL },
    spec: {
      capacity: 1,
      sku: { name: 'Standard_D2s_v3', cpu: '2', memory: '8Gi', pods: 110 },
      provisioningDelaySeconds: 1,
      runtime: 'simulated',
      nodeLabels: { workload: 'batch' },
      tags: { 'cluster-autoscaler-enabled': 'true', min: '1', max: '4' },
    },
  } as KObject);
  const options = parseOptions([
    '--node-group-auto-discovery=label:cluster-autoscaler-enabled=true',
    '--scan-interval=1s',
    '--scale-down-unneeded-time=5s',
    '--scale-down-delay-after-add=0s',
    '--scale-down-delay-after-delete=0s',
    '--scale-down-delay-after-failure=5s',
    '--max-node-provision-time=2m',
    '--max-graceful-termination-sec=5',
  ]);
  ca = await startAutoscaler({ kubeConfig, options, logger: createLogger({ level: 'silent' }), metricsPort: 0, podEvictionRetryMs: 1000, sizeRefreshPeriodMs: 5_000 });
});

after(async () => {
  try {
    await ca?.stop();
    await cluster?.stop();
  } finally {
    if (cluster) removeDir(cluster.dir);
  }
});

const poolNodes = async (): Promise<Node[]> =>
  ((await client.list(kinds.nodes)).items as unknown as Node[]).filter((n) => n.metadata?.labels?.workload === 'batch');
const readyCount = (nodes: Node[]) => nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
const capacity = async (): Promise<number> => ((await client.get(scaleSetKind, '', POOL)) as unknown as ScaleSet).spec.capacity;
const events = async (namespace: string): Promise<Event[]> => (await client.list(kinds.events, { namespace })).items as unknown as Event[];
const podsOf = async (app: string): Promise<Pod[]> => ((await client.list(kinds.pods, { namespace: NS, labelSelector: `app=${app}` })).items as unknown as Pod[]).filter((p) => !p.metadata?.deletionTimestamp);
const statusCm = async (): Promise<ConfigMap | undefined> => (await client.get(kinds.configMaps, 'kube-system', 'cluster-autoscaler-status')) as unknown as ConfigMap | undefined;

function deployment(name: string, replicas: number, cpu: string): Deployment {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          nodeSelector: { workload: 'batch' },
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu, memory: '64Mi' } } }],
        },
      },
    },
  };
}

async function setReplicas(name: string, replicas: number): Promise<void> {
  const d = (await client.get(kinds.deployments, NS, name)) as unknown as Deployment & KObject;
  await client.update(kinds.deployments, { ...d, spec: { ...d.spec!, replicas } } as KObject);
}

/** Wait for the autoscaler to finish `n` more iterations (a condition, not a sleep). */
async function iterations(n: number): Promise<void> {
  const target = ca!.loop.iterations + n;
  await waitFor(`${n} more autoscaler iterations`, () => ca!.loop.iterations >= target, 30_000, 100);
}

const GO_TIME = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})? \+0000 UTC`;

test('the status ConfigMap: text format line for line, the last-updated annotation, and flotilla autoscaler status', { skip }, async () => {
  await waitFor('the pool\'s first node Ready', async () => readyCount(await poolNodes()) === 1, 60_000, 200);
  const cm = await waitFor('a status with the node group', async () => {
    const c = await statusCm();
    return c?.data?.status?.includes(`Name:        ${POOL}`) && c.data.status.includes('ready=1 unready=0 notStarted=0 longNotStarted=0 registered=1 longUnregistered=0 cloudProviderTarget=1') && c;
  }, 30_000, 200);
  assert.match(cm.metadata?.annotations?.['cluster-autoscaler.kubernetes.io/last-updated'] ?? '', new RegExp(`^${GO_TIME}$`));
  const lines = cm.data!.status.split('\n');
  const probe = new RegExp(`^ {15}LastProbeTime: {6}${GO_TIME}$`);
  const transition = new RegExp(`^ {15}LastTransitionTime: ${GO_TIME}$`);
  const expected: Array<RegExp> = [
    new RegExp(`^Cluster-autoscaler status at ${GO_TIME}:$`),
    /^Cluster-wide:$/,
    /^ {2}Health: {6}Healthy \(ready=\d+ unready=0 notStarted=0 longNotStarted=0 registered=\d+ longUnregistered=0\)$/,
    probe,
    transition,
    /^ {2}ScaleUp: {5}NoActivity \(ready=\d+ registered=\d+\)$/,
    probe,
    transition,
    // The lone node is empty, hence unneeded (a candidate), and kept only by the group's min size.
    /^ {2}ScaleDown: {3}(NoCandidates \(candidates=0\)|CandidatesPresent \(candidates=1\))$/,
    probe,
    transition,
    /^$/,
    /^NodeGroups:$/,
    new RegExp(`^ {2}Name: {8}${POOL}$`),
    /^ {2}Health: {6}Healthy \(ready=1 unready=0 notStarted=0 longNotStarted=0 registered=1 longUnregistered=0 cloudProviderTarget=1 \(minSize=1, maxSize=4\)\)$/,
    probe,
    transition,
    /^ {2}ScaleUp: {5}NoActivity \(ready=1 cloudProviderTarget=1\)$/,
    probe,
    transition,
    /^ {2}ScaleDown: {3}(NoCandidates \(candidates=0\)|CandidatesPresent \(candidates=1\))$/,
    probe,
    transition,
    /^$/,
    /^$/,
  ];
  assert.equal(lines.length, expected.length, cm.data!.status);
  expected.forEach((re, i) => assert.match(lines[i], re, `line ${i + 1} of:\n${cm.data!.status}`));

  let out = '';
  const program = new Command().exitOverride();
  registerAutoscalerCommands(program, { stdout: (s) => (out += s), stderr: () => undefined, exit: (c) => assert.equal(c, 0) });
  await program.parseAsync(['node', 'flotilla', 'autoscaler', 'status', '--kubeconfig', cluster!.kubeconfig]);
  assert.match(out, /^Cluster-autoscaler status at .*:\nCluster-wide:\n {2}Health: {6}Healthy/);
  assert.match(out, new RegExp(`\\n {2}Name: {8}${POOL}\\n`));

  const lease = (await client.get(kinds.leases, 'kube-system', 'cluster-autoscaler')) as unknown as { spec?: { holderIdentity?: string } };
  assert.ok(lease?.spec?.holderIdentity, 'the autoscaler holds the Lease kube-system/cluster-autoscaler');
});

test('leader election: a second autoscaler waits on the Lease and does nothing, and stopping it leaves the status alone', { skip }, async () => {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(cluster!.kubeconfig);
  const standby = await startAutoscaler({ kubeConfig, options: parseOptions(['--node-group-auto-discovery=label:cluster-autoscaler-enabled=true', '--scan-interval=1s']), logger: createLogger({ level: 'silent' }), metricsPort: 0 });
  try {
    await iterations(3);
    assert.equal(standby.manager.isLeader(), false);
    assert.equal(standby.loop.iterations, 0);
    assert.equal(ca!.manager.isLeader(), true);
    assert.equal((await fetch(`http://127.0.0.1:${standby.port()}/healthz`)).status, 200);
  } finally {
    await standby.stop();
  }
  assert.ok(await statusCm(), 'the standby does not delete the leader\'s status');
});

test('a pod too big for any node of any group gets NotTriggerScaleUp, and nothing scales', { skip }, async () => {
  await client.create(kinds.pods, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'huge', namespace: NS },
    spec: { nodeSelector: { workload: 'batch' }, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '3' } } }] },
  } as KObject);
  const ev = await waitFor('NotTriggerScaleUp on the pod', async () =>
    (await events(NS)).find((e) => e.involvedObject?.kind === 'Pod' && e.involvedObject.name === 'huge' && e.reason === 'NotTriggerScaleUp'),
  30_000, 200);
  assert.equal(ev.type, 'Normal');
  assert.equal(ev.message, "pod didn't trigger scale-up: 1 Insufficient cpu");
  assert.equal(ev.source?.component, 'cluster-autoscaler');
  assert.equal(await capacity(), 1);
  await client.delete(kinds.pods, NS, 'huge', { gracePeriodSeconds: 0 });
});

test('a Deployment that does not fit scales the set up to its max, the pods land, the rest get NotTriggerScaleUp', { skip }, async () => {
  // 900m pods, two per 2-CPU node: 10 pods want 5 nodes, the group stops at 4.
  await client.create(kinds.deployments, deployment('batch', 10, '900m') as KObject);
  const triggered = await waitFor('TriggeredScaleUp', async () => (await events(NS)).find((e) => e.reason === 'TriggeredScaleUp'), 30_000, 200);
  assert.equal(triggered.involvedObject?.kind, 'Pod');
  assert.equal(triggered.message, `pod triggered scale-up: [{${POOL} 1->4 (max: 4)}]`);
  await waitFor('capacity 4', async () => (await capacity()) === 4, 10_000, 200);
  const cmEvents = await events('kube-system');
  assert.ok(cmEvents.some((e) => e.involvedObject?.name === 'cluster-autoscaler-status' && e.reason === 'ScaledUpGroup' && e.message === `Scale-up: setting group ${POOL} size to 4 instead of 1 (max: 4)`));
  await waitFor('four Ready pool nodes', async () => readyCount(await poolNodes()) === 4, 60_000, 200);
  await waitFor('eight pods Running', async () => (await podsOf('batch')).filter((p) => p.status?.phase === 'Running').length === 8, 60_000, 200);
  const pending = (await podsOf('batch')).filter((p) => !p.spec?.nodeName);
  assert.equal(pending.length, 2);
  await waitFor('NotTriggerScaleUp: max node group size reached', async () =>
    (await events(NS)).some((e) => e.reason === 'NotTriggerScaleUp' && e.involvedObject?.name === pending[0].metadata?.name && e.message === "pod didn't trigger scale-up: 1 max node group size reached"),
  30_000, 200);
  await iterations(3);
  assert.equal(await capacity(), 4, 'never past max');
  const status = (await statusCm())!.data!.status;
  assert.match(status, /ScaleUp: {5}NoActivity \(ready=4 cloudProviderTarget=4\)/);
});

test('scaling the Deployment down: empty nodes removed in bulk (ScaleDownEmpty) down to min, and not below', { skip }, async () => {
  await setReplicas('batch', 1);
  const empty = await waitFor('ScaleDownEmpty', async () => (await events('kube-system')).find((e) => e.reason === 'ScaleDownEmpty' && e.message?.startsWith('Scale-down: removing empty node ')), 60_000, 200);
  assert.match(empty.message!, new RegExp(`^Scale-down: removing empty node ${POOL}00000[0-3]$`));
  assert.equal(empty.involvedObject?.kind, 'ConfigMap');
  await waitFor('one pool node left', async () => (await poolNodes()).length === 1 && (await capacity()) === 1, 90_000, 200);
  await waitFor('the pod Running again', async () => (await podsOf('batch')).filter((p) => p.status?.phase === 'Running').length === 1, 60_000, 200);
  await setReplicas('batch', 0);
  await iterations(10);
  assert.equal(await capacity(), 1, 'min size respected');
  assert.equal((await poolNodes()).length, 1);

  const metrics = await (await fetch(`http://127.0.0.1:${ca!.port()}/metrics`)).text();
  assert.match(metrics, /^cluster_autoscaler_scaled_up_nodes_total 3$/m);
  assert.match(metrics, /^cluster_autoscaler_scaled_down_nodes_total\{reason="(Empty|Underutilized)"\} [1-3]$/m);
  assert.match(metrics, /^cluster_autoscaler_nodes_count\{state="ready"\} \d+$/m);
  assert.match(metrics, /^cluster_autoscaler_last_activity\{activity="main"\} \d{10}$/m);
  assert.match(metrics, /^cluster_autoscaler_unschedulable_pods_count 0$/m);
  assert.match(metrics, /^cluster_autoscaler_cluster_safe_to_autoscale 1$/m);
  assert.equal((await fetch(`http://127.0.0.1:${ca!.port()}/healthz`)).status, 200);
});

test('an underused node is drained: tainted, its pod evicted and rescheduled on the other node, then removed', { skip }, async () => {
  // a (900m) and b-1 share the first node; b-2 needs a second one. Once a is gone, each node
  // holds one 900m pod (utilization 0.45 ≤ 0.5) that fits beside the other: one node is drained.
  await client.create(kinds.deployments, deployment('a', 1, '900m') as KObject);
  await waitFor('a Running', async () => (await podsOf('a')).some((p) => p.status?.phase === 'Running'), 120_000, 200);
  await client.create(kinds.deployments, deployment('b', 2, '900m') as KObject);
  await waitFor('two Ready pool nodes and b Running on both', async () => {
    const b = (await podsOf('b')).filter((p) => p.status?.phase === 'Running');
    return readyCount(await poolNodes()) === 2 && b.length === 2 && new Set(b.map((p) => p.spec?.nodeName)).size === 2;
  }, 120_000, 200);
  await client.delete(kinds.deployments, NS, 'a', { propagationPolicy: 'Foreground' });
  const scaleDown = await waitFor('ScaleDown with drain', async () =>
    (await events('kube-system')).find((e) => e.reason === 'ScaleDown' && e.message?.startsWith('Scale-down: removing node ')),
  120_000, 200);
  const m = new RegExp(`^Scale-down: removing node (${POOL}\\w{6}), utilization: 0\\.45, pods to reschedule: default/(b-[\\w-]+)$`).exec(scaleDown.message!);
  assert.ok(m, scaleDown.message);
  const [, drained, evicted] = m;
  await waitFor('the drained node removed', async () => !(await poolNodes()).some((n) => n.metadata?.name === drained) && (await capacity()) === 1, 120_000, 200);
  await waitFor('b Running twice on the node left', async () => {
    const b = (await podsOf('b')).filter((p) => p.status?.phase === 'Running');
    return b.length === 2 && b.every((p) => p.spec?.nodeName !== drained);
  }, 120_000, 200);
  const all = [...(await events(NS)), ...(await events('default'))];
  assert.ok(all.some((e) => e.involvedObject?.kind === 'Pod' && e.involvedObject.name === evicted && e.reason === 'ScaleDown' && e.message === 'deleting pod for node scale down'));
  const nodeEvents = (await events('default')).filter((e) => e.involvedObject?.kind === 'Node' && e.involvedObject.name === drained).map((e) => `${e.reason}: ${e.message}`);
  assert.ok(nodeEvents.includes('ScaleDown: marked the node as toBeDeleted/unschedulable'), nodeEvents.join('\n'));
  assert.ok(nodeEvents.includes('ScaleDown: nodes removed by cluster autoscaler'), nodeEvents.join('\n'));
  assert.ok((await events('kube-system')).some((e) => e.reason === 'ScaleDown' && e.message === `Scale-down: node ${drained} removed with drain`));
});
