import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildTemplates, DEFAULT_OPTIONS, EMPTY_REGISTRY_STATE, registerScaleUp, updateClusterState, upcomingNodes } from './index.js';
import { group, MIN, node, pod, snapshot, T0 } from './testing.js';

test('buildTemplates: a healthy real node, sanitised, with only its DaemonSet and mirror pods', () => {
  const n1 = node({ name: 'n1', taints: [{ key: 'DeletionCandidateOfClusterAutoscaler', value: '1', effect: 'PreferNoSchedule' }, { key: 'gpu', value: 'yes', effect: 'NoSchedule' }] });
  const s = snapshot({
    nodes: [n1],
    nodeGroups: [group({ id: 'pool', nodes: [n1], template: node({ name: 'provider', cpu: '64' }) })],
    pods: [
      pod({ name: 'ds', nodeName: 'n1', owner: { kind: 'DaemonSet', name: 'proxy' } }),
      pod({ name: 'static', nodeName: 'n1', owner: null, annotations: { 'kubernetes.io/config.mirror': 'x' } }),
      pod({ name: 'app', nodeName: 'n1' }),
    ],
  });
  const t = buildTemplates(s, updateClusterState(s, EMPTY_REGISTRY_STATE, DEFAULT_OPTIONS)).get('pool')!;
  assert.equal(t.node.metadata!.name, 'template-node-for-pool');
  assert.equal(t.node.metadata!.labels!['kubernetes.io/hostname'], 'template-node-for-pool');
  assert.equal(t.node.status!.allocatable!.cpu, '4', 'from the real node, not the provider template');
  assert.deepEqual(t.node.spec!.taints!.map((x) => x.key), ['gpu']);
  assert.equal(t.node.spec!.providerID, undefined);
  assert.equal(t.pods.length, 2);
  assert.ok(t.pods.every((p) => p.spec!.nodeName === 'template-node-for-pool'));
});

test('buildTemplates: a node Ready for less than a minute is not used; the provider template is', () => {
  const fresh = node({ name: 'n1', readySince: T0 - 30_000 });
  const s = snapshot({ nodes: [fresh], nodeGroups: [group({ id: 'pool', nodes: [fresh], template: node({ name: 'provider', cpu: '64', ready: null }) })] });
  const t = buildTemplates(s, updateClusterState(s, EMPTY_REGISTRY_STATE, DEFAULT_OPTIONS)).get('pool')!;
  assert.equal(t.node.status!.allocatable!.cpu, '64');
  assert.deepEqual(t.node.status!.conditions, [{ type: 'Ready', status: 'True' }], 'a template is a Ready node');
});

test('buildTemplates: no healthy node and no provider template → no template', () => {
  const s = snapshot({ nodeGroups: [group({ id: 'pool', target: 0 })] });
  assert.equal(buildTemplates(s, updateClusterState(s, EMPTY_REGISTRY_STATE, DEFAULT_OPTIONS)).has('pool'), false);
});

test('upcomingNodes: template copies named upcoming-0, upcoming-1, …', () => {
  const s = snapshot({ nodeGroups: [group({ id: 'a', target: 2, template: node({ name: 't' }) }), group({ id: 'b', target: 1, template: node({ name: 'u' }) })] });
  let st = registerScaleUp(EMPTY_REGISTRY_STATE, 'a', 2, T0 - MIN, DEFAULT_OPTIONS);
  st = registerScaleUp(st, 'b', 1, T0 - MIN, DEFAULT_OPTIONS);
  const cluster = updateClusterState(s, st, DEFAULT_OPTIONS);
  const up = upcomingNodes(s.nodeGroups, cluster, buildTemplates(s, cluster));
  assert.deepEqual(up.map((u) => [u.group, u.node.metadata!.name]), [
    ['a', 'upcoming-0'],
    ['a', 'upcoming-1'],
    ['b', 'upcoming-2'],
  ]);
});
