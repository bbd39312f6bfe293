import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeObject, nodeStatus, nodeStatusNeedsWrite, validateNodeSpec, type SimulatedNodeSpec } from './index.js';

const spec: SimulatedNodeSpec = { name: 'node-1', cpu: 4, memory: '16Gi', pods: 110 };
const net = { internalIP: '10.240.0.4', podCIDR: '10.42.0.0/24' };
const id = { machineID: 'm', systemUUID: 's', bootID: 'b' };
const T0 = Date.parse('2025-01-01T00:00:00Z');

test('nodeObject: kubelet labels, capacity = allocatable, addresses, nodeInfo, podCIDR, taints', () => {
  const n = nodeObject({ ...spec, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }], labels: { 'topology.kubernetes.io/zone': 'eastus-2' }, providerID: 'azure:///x' }, net, id, T0);
  assert.deepEqual(n.metadata?.labels, {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': 'node-1',
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': 'flotilla-sim',
    'topology.kubernetes.io/region': 'local',
    'topology.kubernetes.io/zone': 'eastus-2',
    'node-role.kubernetes.io/worker': '',
  });
  assert.deepEqual(n.spec, { podCIDR: '10.42.0.0/24', podCIDRs: ['10.42.0.0/24'], providerID: 'azure:///x', taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] });
  assert.deepEqual(n.status?.capacity, { cpu: '4', 'ephemeral-storage': '100Gi', memory: '16Gi', pods: '110' });
  assert.deepEqual(n.status?.allocatable, n.status?.capacity);
  assert.deepEqual(n.status?.addresses, [{ type: 'InternalIP', address: '10.240.0.4' }, { type: 'Hostname', address: 'node-1' }]);
  assert.equal(n.status?.nodeInfo?.kubeletVersion, 'v1.32.5');
  assert.equal(n.status?.nodeInfo?.containerRuntimeVersion, 'flotilla-sim://1.0');
  assert.deepEqual(
    n.status?.conditions?.map((c) => [c.type, c.status, c.reason, c.lastHeartbeatTime]),
    [
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', '2025-01-01T00:00:00Z'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', '2025-01-01T00:00:00Z'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID', '2025-01-01T00:00:00Z'],
      ['Ready', 'True', 'KubeletReady', '2025-01-01T00:00:00Z'],
    ],
  );
});

test('nodeObject: roles [] gives no role label; roles and arch from the spec', () => {
  assert.equal(Object.keys(nodeObject({ ...spec, roles: [] }, net, id, T0).metadata!.labels!).some((k) => k.startsWith('node-role')), false);
  const n = nodeObject({ ...spec, roles: ['control-plane'], labels: { 'kubernetes.io/arch': 'arm64' } }, net, id, T0);
  assert.equal(n.metadata!.labels!['node-role.kubernetes.io/control-plane'], '');
  assert.equal(n.status!.nodeInfo!.architecture, 'arm64');
  assert.equal(n.metadata!.labels!['beta.kubernetes.io/arch'], 'arm64');
});

test('nodeStatus keeps lastTransitionTime while a status holds; resets it when it changes', () => {
  const first = nodeStatus(spec, net, id, undefined, T0);
  const later = nodeStatus(spec, net, id, first, T0 + 60_000);
  const ready = later.conditions!.find((c) => c.type === 'Ready')!;
  assert.equal(ready.lastTransitionTime, '2025-01-01T00:00:00Z');
  assert.equal(ready.lastHeartbeatTime, '2025-01-01T00:01:00Z');
  const unknown = { ...first, conditions: first.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown' } : c)) };
  const back = nodeStatus(spec, net, id, unknown, T0 + 120_000).conditions!.find((c) => c.type === 'Ready')!;
  assert.equal(back.lastTransitionTime, '2025-01-01T00:02:00Z');
});

test('nodeStatusNeedsWrite: on any change but the heartbeat at once, else every report period', () => {
  const report = 5 * 60_000;
  const posted = nodeStatus(spec, net, id, undefined, T0);
  const cases: Record<string, { current: typeof posted | undefined; at: number; want: boolean }> = {
    'nothing posted yet': { current: undefined, at: T0, want: true },
    'unchanged, 10 s later': { current: posted, at: T0 + 10_000, want: false },
    'unchanged, 5 min later': { current: posted, at: T0 + report, want: true },
    'Ready set Unknown by the controller': {
      current: { ...posted, conditions: posted.conditions!.map((c) => (c.type === 'Ready' ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown' } : c)) },
      at: T0 + 10_000,
      want: true,
    },
    'capacity changed': { current: { ...posted, capacity: { ...posted.capacity, cpu: '2' } }, at: T0 + 10_000, want: true },
  };
  for (const [name, c] of Object.entries(cases)) {
    assert.equal(nodeStatusNeedsWrite(c.current, nodeStatus(spec, net, id, c.current, c.at), c.at, report), c.want, name);
  }
});

test('validateNodeSpec names the node and the field', () => {
  assert.throws(() => validateNodeSpec({ ...spec, name: 'Node_1' }), /node "Node_1": name must be a DNS subdomain/);
  assert.throws(() => validateNodeSpec({ ...spec, cpu: 'lots' }), /node "node-1": cpu "lots" is not a quantity/);
  assert.throws(() => validateNodeSpec({ ...spec, memory: '0' }), /node "node-1": memory must be positive/);
  assert.throws(() => validateNodeSpec({ ...spec, pods: 0 }), /node "node-1": pods must be a positive integer/);
  validateNodeSpec(spec);
});
