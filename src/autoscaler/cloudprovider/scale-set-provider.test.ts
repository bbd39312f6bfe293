import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1.js';
import { nodeNameOf, scaleSetKind, vmssProviderID, type ScaleSet, type ScaleSetInstance } from '../../cluster/cloud/index.js';
import { createFakeClient, type KObject } from '../../runtime/index.js';
import { parseAutoDiscoverySpec } from '../options.js';
import { CloudProviderError, createScaleSetProvider, labelsFromTags, NotImplementedError, snapshotNodeGroups, taintsFromTags } from './index.js';

const SUB = '00000000-0000-0000-0000-000000000000';

function instance(ss: string, id: number): ScaleSetInstance {
  return {
    instanceId: String(id),
    name: `${ss}_${id}`,
    computerName: nodeNameOf(ss, id),
    nodeName: nodeNameOf(ss, id),
    providerID: vmssProviderID({ subscriptionId: SUB, resourceGroup: 'flotilla', scaleSet: ss, instanceId: String(id) }),
    provisioningState: 'Succeeded',
    faultDomain: id % 5,
    vmId: `vm-${id}`,
    timeCreated: '2026-01-01T00:00:00Z',
  };
}

function scaleSet(name: string, capacity: number, tags: Record<string, string> = {}, extra: Partial<ScaleSet['spec']> = {}): ScaleSet {
  return {
    apiVersion: scaleSetKind.apiVersion,
    kind: scaleSetKind.kind,
    metadata: { name },
    spec: { capacity, sku: { name: 'Standard_D4s_v3', cpu: '4', memory: '16Gi', pods: 30 }, subscriptionId: SUB, resourceGroup: 'flotilla', tags, ...extra },
    status: { capacity, readyInstances: capacity, nextInstanceId: capacity, instances: Array.from({ length: capacity }, (_, i) => instance(name, i)) },
  };
}

async function setup(sets: ScaleSet[], opts: Partial<Parameters<typeof createScaleSetProvider>[0]> = {}) {
  const client = createFakeClient();
  for (const s of sets) {
    const created = await client.create(scaleSetKind, s as unknown as KObject);
    await client.updateStatus(scaleSetKind, { ...created, status: s.status } as KObject);
  }
  let t = 1_000_000;
  const provider = createScaleSetProvider({ client, now: () => t, ...opts });
  await provider.refresh();
  return { client, provider, tick: (ms: number) => (t += ms), get: async (n: string) => (await client.get(scaleSetKind, '', n)) as unknown as ScaleSet };
}

const nodeOf = (providerID: string, name = 'n'): Node => ({ metadata: { name }, spec: { providerID } });

test('explicit --nodes groups, in flag order; unknown scale sets are left out', async () => {
  const ignored: string[] = [];
  const { provider } = await setup([scaleSet('b-vmss', 1), scaleSet('a-vmss', 2)], {
    nodes: [
      { minSize: 1, maxSize: 5, name: 'b-vmss' },
      { minSize: 0, maxSize: 3, name: 'missing' },
      { minSize: 0, maxSize: 4, name: 'A-VMSS' },
    ],
    onIgnored: (n, r) => ignored.push(`${n}: ${r}`),
  });
  assert.deepEqual(provider.nodeGroups().map((g) => g.debug()), ['b-vmss target:1 min:1 max:5', 'a-vmss target:2 min:0 max:4']);
  assert.deepEqual(ignored, ['missing: no such scale set']);
});

test('auto-discovery by tags: tag bounds win over the spec, unbounded sets are ignored', async () => {
  const { provider } = await setup(
    [
      scaleSet('pool-c', 1, { autoscale: 'yes', min: '1', max: '7' }),
      scaleSet('pool-a', 1, { autoscale: 'yes' }),
      scaleSet('pool-b', 1, { other: 'x' }),
    ],
    { autoDiscovery: [parseAutoDiscoverySpec('label:autoscale=yes,min=0,max=3')] },
  );
  assert.deepEqual(provider.nodeGroups().map((g) => g.debug()), ['pool-a target:1 min:0 max:3', 'pool-c target:1 min:1 max:7']);
});

test('nodes(): instances by providerID; nodeGroupForNode matches case-insensitively and ignores other nodes', async () => {
  const { provider } = await setup([scaleSet('k8s-pool-1-vmss', 2)], { nodes: [{ minSize: 0, maxSize: 5, name: 'k8s-pool-1-vmss' }] });
  const g = provider.nodeGroups()[0];
  assert.deepEqual(g.nodes().map((i) => [i.id.replace(SUB, 'SUB'), i.state]), [
    ['azure:///subscriptions/SUB/resourceGroups/flotilla/providers/Microsoft.Compute/virtualMachineScaleSets/k8s-pool-1-vmss/virtualMachines/0', 'Running'],
    ['azure:///subscriptions/SUB/resourceGroups/flotilla/providers/Microsoft.Compute/virtualMachineScaleSets/k8s-pool-1-vmss/virtualMachines/1', 'Running'],
  ]);
  const upper = g.nodes()[1].id.replace('resourceGroups/flotilla', 'resourceGroups/FLOTILLA').replace('k8s-pool-1-vmss', 'K8S-POOL-1-VMSS');
  assert.equal(provider.nodeGroupForNode(nodeOf(upper))?.id(), 'k8s-pool-1-vmss');
  assert.equal(provider.nodeGroupForNode(nodeOf(`azure:///subscriptions/${SUB}/resourceGroups/flotilla/providers/Microsoft.Compute/virtualMachines/master-0`)), undefined);
  assert.equal(provider.nodeGroupForNode(nodeOf('kind://x')), undefined);
});

test('IncreaseSize: positive, at most max, writes capacity and updates the cached target', async () => {
  const { provider, get } = await setup([scaleSet('pool', 2)], { nodes: [{ minSize: 1, maxSize: 4, name: 'pool' }] });
  const g = provider.nodeGroups()[0];
  await assert.rejects(g.increaseSize(0), new CloudProviderError('size increase must be positive'));
  await assert.rejects(g.increaseSize(3), new CloudProviderError('size increase too large - desired:5 max:4'));
  await g.increaseSize(2);
  assert.equal((await get('pool')).spec.capacity, 4);
  assert.equal(g.targetSize(), 4);
});

test('TargetSize is cached for the refresh period; writes by others show after it', async () => {
  const { provider, client, get, tick } = await setup([scaleSet('pool', 2)], { nodes: [{ minSize: 1, maxSize: 9, name: 'pool' }], sizeRefreshPeriodMs: 60_000 });
  const ss = await get('pool');
  await client.update(scaleSetKind, { ...ss, spec: { ...ss.spec, capacity: 5 } } as unknown as KObject);
  await provider.refresh();
  assert.equal(provider.nodeGroups()[0].targetSize(), 2);
  tick(60_000);
  await provider.refresh();
  assert.equal(provider.nodeGroups()[0].targetSize(), 5);
});

test('DeleteNodes: exact instances through instancesToDelete, not below min, only its own nodes', async () => {
  const { provider, get } = await setup([scaleSet('pool', 3), scaleSet('other', 1)], {
    nodes: [
      { minSize: 1, maxSize: 5, name: 'pool' },
      { minSize: 0, maxSize: 5, name: 'other' },
    ],
  });
  const [g, other] = provider.nodeGroups();
  const ids = g.nodes().map((i) => i.id);
  await assert.rejects(g.deleteNodes([nodeOf(other.nodes()[0].id, 'other000000')]), new CloudProviderError('other000000 belongs to a different asg than pool'));
  await g.deleteNodes([nodeOf(ids[1], 'pool000001')]);
  const after = await get('pool');
  assert.equal(after.spec.capacity, 2);
  assert.deepEqual(after.spec.instancesToDelete, ['1']);
  assert.equal(g.targetSize(), 2);
  await g.deleteNodes([nodeOf(ids[0], 'pool000000')]);
  assert.equal(g.targetSize(), 1);
  await assert.rejects(g.deleteNodes([nodeOf(ids[2], 'pool000002')]), new CloudProviderError('min size reached, nodes will not be deleted'));
});

test('DeleteNodes: an instance the scale set does not have is an error, and nothing is written', async () => {
  const { provider, get } = await setup([scaleSet('pool', 2)], { nodes: [{ minSize: 0, maxSize: 5, name: 'pool' }] });
  const g = provider.nodeGroups()[0];
  const ghost = g.nodes()[0].id.replace(/\/0$/, '/9');
  await assert.rejects(g.deleteNodes([nodeOf(ghost)]), /The provided instanceId 9 is not an active Virtual Machine Scale Set VM instanceId\./);
  assert.equal((await get('pool')).spec.capacity, 2);
});

test('DecreaseTargetSize: negative only, never below the existing instances', async () => {
  const ss = scaleSet('pool', 2);
  const { provider, client, get } = await setup([ss], { nodes: [{ minSize: 0, maxSize: 5, name: 'pool' }] });
  const g = provider.nodeGroups()[0];
  await assert.rejects(g.decreaseTargetSize(1), new CloudProviderError('size decrease size must be negative'));
  await assert.rejects(g.decreaseTargetSize(-1), new CloudProviderError('attempt to delete existing nodes targetSize:2 delta:-1 existingNodes: 2'));
  // Capacity raised to 4 with only 2 instances recorded: 2 can be taken back.
  await g.increaseSize(2);
  await g.decreaseTargetSize(-2);
  assert.equal((await get('pool')).spec.capacity, 2);
  void client;
});

test('TemplateNodeInfo: SKU capacity, the cloud\'s labels, and labels and taints from tags', async () => {
  const tags = {
    'k8s.io_cluster-autoscaler_node-template_label_workload': 'batch',
    'k8s.io_cluster-autoscaler_node-template_label_example.com_tier': 'gold',
    'k8s.io_cluster-autoscaler_node-template_label_a~2b': 'x',
    'k8s.io_cluster-autoscaler_node-template_taint_dedicated': 'batch:NoSchedule',
    'k8s.io_cluster-autoscaler_node-template_taint_bad': 'no-effect',
  };
  assert.deepEqual(labelsFromTags(tags), { workload: 'batch', 'example.com/tier': 'gold', a_b: 'x' });
  assert.deepEqual(taintsFromTags(tags), [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }]);
  const { provider } = await setup([scaleSet('k8s-batch-12345678-vmss', 0, tags, { zones: ['1', '2'], location: 'westeurope', nodeLabels: { team: 'a' } })], {
    nodes: [{ minSize: 0, maxSize: 5, name: 'k8s-batch-12345678-vmss' }],
  });
  const [snap] = snapshotNodeGroups(provider);
  const node = snap.template!.node;
  assert.equal(node.metadata?.name, 'k8s-batch-12345678-vmss-template');
  assert.deepEqual(node.status?.allocatable, { cpu: '4', memory: '16Gi', pods: '30', 'ephemeral-storage': node.status?.allocatable?.['ephemeral-storage'] });
  assert.equal(node.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'True');
  const labels = node.metadata?.labels ?? {};
  assert.equal(labels.agentpool, 'batch');
  assert.equal(labels['node.kubernetes.io/instance-type'], 'Standard_D4s_v3');
  assert.equal(labels['topology.kubernetes.io/zone'], 'westeurope-1');
  assert.equal(labels.team, 'a');
  assert.equal(labels.workload, 'batch');
  assert.equal(labels['example.com/tier'], 'gold');
  assert.deepEqual(node.spec?.taints, [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }]);
  assert.equal(node.spec?.providerID, undefined);
  assert.equal(snap.targetSize, 0);
  assert.ok(new NotImplementedError().message === 'Not implemented');
});
