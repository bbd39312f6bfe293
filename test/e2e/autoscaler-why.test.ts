/**
 * `flotilla autoscaler why <pod>` end to end on a real `flotilla up --runtime simulated --no-demo`
 * with no autoscaler running: a scale set `min 1 max 2` (2 CPUs per instance), a pod that needs a
 * second node (would scale the set 1->2), a pod too big for any instance (Insufficient cpu), and a
 * running pod (not pending).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { Command } from 'commander';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { scaleSetKind } from '../../src/cluster/cloud/index.js';
import { createClient, kinds, type Client, type KObject } from '../../src/runtime/index.js';
import { registerAutoscalerCommands } from '../../src/autoscaler/cli.js';
import { kubectlSkipReason, removeDir, startCluster, waitFor, type RunningCluster } from '../support/cluster.js';

const skip = await kubectlSkipReason();
const POOL = 'k8s-whypool-12345678-vmss';
const NS = 'default';
let cluster: RunningCluster | undefined;
let client: Client;

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
    spec: { capacity: 1, sku: { name: 'Standard_D2s_v3', cpu: '2', memory: '8Gi', pods: 110 }, provisioningDelaySeconds: 1, runtime: 'simulated', nodeLabels: { workload: 'why' } },
  } as KObject);
});

after(async () => {
  try {
    await cluster?.stop();
  } finally {
    if (cluster) removeDir(cluster.dir);
  }
});

function pod(name: string, cpu: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS },
    spec: { nodeSelector: { workload: 'why' }, terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu, memory: '64Mi' } } }] },
  };
}

async function why(name: string): Promise<{ out: string; err: string; code?: number }> {
  let out = '';
  let err = '';
  let code: number | undefined;
  const program = new Command().exitOverride();
  registerAutoscalerCommands(program, { stdout: (s) => (out += s), stderr: (s) => (err += s), exit: (c) => void (code ??= c) });
  await program.parseAsync(['node', 'flotilla', 'autoscaler', 'why', name, '-n', NS, '--kubeconfig', cluster!.kubeconfig, `--nodes=1:2:${POOL}`]);
  return { out, err, code };
}

const unschedulable = async (name: string) => {
  const p = (await client.get(kinds.pods, NS, name)) as unknown as Pod | undefined;
  return p?.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
};

test('why: a pod that needs a new node, a pod too big for any, and a running pod', { skip }, async () => {
  await waitFor('the pool\'s node Ready', async () => {
    const nodes = (await client.list(kinds.nodes)).items as unknown as Node[];
    return nodes.some((n) => n.metadata?.labels?.workload === 'why' && n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  }, 60_000, 200);
  await client.create(kinds.pods, pod('first', '1500m') as KObject);
  await waitFor('first running', async () => ((await client.get(kinds.pods, NS, 'first')) as unknown as Pod | undefined)?.spec?.nodeName, 30_000, 100);
  await client.create(kinds.pods, pod('second', '1500m') as KObject);
  await client.create(kinds.pods, pod('huge', '64') as KObject);
  await waitFor('second and huge unschedulable', async () => (await unschedulable('second')) && (await unschedulable('huge')), 30_000, 100);
  const young = await why('second');
  assert.match(young.out, /^pod default\/second is pending but does not take part in scale-up: every pending pod is younger than 2s/);
  // cluster-autoscaler waits for pods to be 2 s old; so does why.
  const created = Date.parse(((await client.get(kinds.pods, NS, 'huge')) as unknown as Pod).metadata!.creationTimestamp!);
  await waitFor('the pods 2s old', () => Date.now() > created + 3_000, 10_000, 100);

  const second = await why('second');
  assert.equal(second.code, undefined, second.err);
  assert.match(second.out, /^pod default\/second is pending and triggers a scale-up:\n/);
  assert.match(second.out, new RegExp(`^  ${POOL}  1/2      scale up 1->2 \\(max: 2\\): 1 new node\\(s\\) for 1 pending pod\\(s\\), chosen by --expander=least-waste$`, 'm'));
  assert.match(second.out, new RegExp(`^event: pod triggered scale-up: \\[\\{${POOL} 1->2 \\(max: 2\\)\\}\\]$`, 'm'));

  const huge = await why('huge');
  assert.match(huge.out, /^pod default\/huge is pending and does not trigger a scale-up:\n/);
  assert.match(huge.out, new RegExp(`^  ${POOL}  1/2      no: Insufficient cpu$`, 'm'));
  // This iteration scales up for `second`, and cluster-autoscaler records NotTriggerScaleUp only
  // in iterations without a scale-up: no event line.
  assert.doesNotMatch(huge.out, /^event:/m);

  const first = await why('first');
  assert.match(first.out, /^pod default\/first is not pending: it is bound to node \S+ \(phase (Pending|Running)\)\.\n$/);

  const missing = await why('nope');
  assert.equal(missing.out, 'pod default/nope not found\n');
  assert.equal(missing.code, 1);
});
