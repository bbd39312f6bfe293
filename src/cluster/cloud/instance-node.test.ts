import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instanceNode, toSimulatedNodeSpec } from './instance-node.js';
import { newInstance } from './plan.js';
import { resolveSpec } from './scale-set.js';

const SS = 'k8s-agentpool1-92998111-vmss';

test('instance-node: labels, capacity and identity of an instance\'s node', () => {
  const spec = resolveSpec(SS, {
    capacity: 1,
    sku: { name: 'Standard_D2s_v3', cpu: '2', memory: '8Gi', pods: 30 },
    location: 'westeurope',
    zones: ['1', '2'],
    nodeLabels: { team: 'a', 'node.kubernetes.io/instance-type': 'custom' },
    nodeTaints: [{ key: 'dedicated', value: 'a', effect: 'NoSchedule' }],
    runtime: 'process',
  });
  const i = newInstance(spec, 'uid', 3, { zone: '2', faultDomain: 0 }, 0);
  const n = instanceNode(spec, i);
  assert.deepEqual(n, {
    nodeName: `${SS}000003`,
    providerID: i.providerID,
    scaleSet: SS,
    instanceId: '3',
    zone: 'westeurope-2',
    region: 'westeurope',
    cpu: '2',
    memory: '8Gi',
    pods: 30,
    labels: {
      agentpool: 'agentpool1',
      'kubernetes.azure.com/agentpool': 'agentpool1',
      'node.kubernetes.io/instance-type': 'custom',
      'beta.kubernetes.io/instance-type': 'Standard_D2s_v3',
      'topology.kubernetes.io/region': 'westeurope',
      'topology.kubernetes.io/zone': 'westeurope-2',
      'failure-domain.beta.kubernetes.io/region': 'westeurope',
      'failure-domain.beta.kubernetes.io/zone': 'westeurope-2',
      team: 'a',
    },
    taints: [{ key: 'dedicated', value: 'a', effect: 'NoSchedule' }],
    roles: ['agent'],
    runtime: 'process',
  });
  assert.deepEqual(toSimulatedNodeSpec(n), { name: n.nodeName, cpu: '2', memory: '8Gi', pods: 30, labels: n.labels, taints: n.taints, roles: ['agent'], providerID: i.providerID });
});

test('instance-node: a regional instance is labelled with its fault domain', () => {
  const spec = resolveSpec('workers', { capacity: 1, sku: { name: 'Standard_B2s', cpu: 2, memory: '4Gi' } });
  const n = instanceNode(spec, newInstance(spec, 'uid', 0, { faultDomain: 4 }, 0));
  assert.equal(n.zone, '4');
  assert.equal(n.labels['topology.kubernetes.io/zone'], '4');
  assert.equal(n.labels['failure-domain.beta.kubernetes.io/zone'], '4');
  assert.equal(n.labels.agentpool, 'workers');
  assert.equal(n.region, 'local');
});
