import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildTemplates,
  buildWorld,
  DEFAULT_OPTIONS,
  EMPTY_REGISTRY_STATE,
  notTriggerScaleUpMessage,
  planScaleUp,
  registerFailedScaleUp,
  updateClusterState,
  type AutoscalerOptions,
  type ClusterSnapshot,
  type RegistryState,
} from './index.js';
import { group, node, pendingPods, snapshot, T0 } from './testing.js';

function plan(s: ClusterSnapshot, opts: Partial<AutoscalerOptions> = {}, state: RegistryState = EMPTY_REGISTRY_STATE, extra: { azure?: boolean } = {}) {
  const options = { ...DEFAULT_OPTIONS, ...opts };
  const cluster = updateClusterState(s, state, options);
  const templates = buildTemplates(s, cluster);
  const pods = s.pods.filter((p) => !p.spec?.nodeName);
  return planScaleUp({ snapshot: s, cluster, templates, pods, world: buildWorld(s, -10), options, random: () => 0, ...extra });
}

const tpl = (name: string, cpu = '4', labels: Record<string, string> = {}) => node({ name, cpu, memory: '8Gi', labels });

test('scale-up: pods that fit a template scale its group by the estimate', () => {
  const s = snapshot({ nodeGroups: [group({ id: 'pool', target: 1, max: 5, template: tpl('t') })], pods: pendingPods('web', 6, { cpu: '1' }) });
  const p = plan(s);
  assert.deepEqual(p.increases, [{ group: 'pool', current: 1, newSize: 3, max: 5 }]);
  const msgs = p.events.map((e) => `${e.reason}: ${e.message}`);
  assert.equal(msgs[0], 'ScaledUpGroup: Scale-up: setting group pool size to 3 instead of 1 (max: 5)');
  assert.equal(msgs[1], 'TriggeredScaleUp: pod triggered scale-up: [{pool 1->3 (max: 5)}]');
  assert.equal(p.events.filter((e) => e.reason === 'TriggeredScaleUp').length, 6);
  assert.deepEqual(p.successEvents.map((e) => e.message), ['Scale-up: group pool size set to 3 instead of 1 (max: 5)']);
});

test('scale-up: per-group max caps the delta', () => {
  const s = snapshot({ nodeGroups: [group({ id: 'pool', target: 1, max: 2, template: tpl('t') })], pods: pendingPods('web', 12, { cpu: '1' }) });
  assert.deepEqual(plan(s).increases, [{ group: 'pool', current: 1, newSize: 2, max: 2 }]);
});

test('scale-up: NotTriggerScaleUp counts each reason by node group, sorted', () => {
  const s = snapshot({
    nodeGroups: [
      group({ id: 'full', target: 3, max: 3, template: tpl('a') }),
      group({ id: 'small', target: 0, max: 3, template: tpl('b', '1') }),
      group({ id: 'small2', target: 0, max: 3, template: tpl('c', '1') }),
    ],
    pods: pendingPods('web', 1, { cpu: '2' }),
  });
  const p = plan(s);
  assert.deepEqual(p.increases, []);
  assert.deepEqual(
    p.events.map((e) => [e.reason, e.object.name, e.message]),
    [['NotTriggerScaleUp', 'web-0', "pod didn't trigger scale-up: 2 Insufficient cpu, 1 max node group size reached"]],
  );
});

test('scale-up: node selector mismatch reason from the scheduler predicates', () => {
  const s = snapshot({ nodeGroups: [group({ id: 'pool', target: 0, max: 3, template: tpl('t') })], pods: pendingPods('web', 1, { cpu: '1', nodeSelector: { disk: 'ssd' } }) });
  assert.equal(plan(s).events[0].message, "pod didn't trigger scale-up: 1 node(s) didn't match Pod's node affinity/selector");
});

test('scale-up: backed-off groups are skipped with their reason', () => {
  const s = snapshot({ nodeGroups: [group({ id: 'pool', target: 0, max: 3, template: tpl('t') })], pods: pendingPods('web', 1, { cpu: '1' }) });
  const state = registerFailedScaleUp(EMPTY_REGISTRY_STATE, 'pool', 'quota', T0 - 60_000, DEFAULT_OPTIONS);
  assert.equal(plan(s, {}, state).events[0].message, "pod didn't trigger scale-up: 1 in backoff after failed scale-up");
});

test('scale-up: --max-nodes-total reached by ready nodes → MaxNodesTotalReached', () => {
  const n1 = node({ name: 'n1', cpu: '1' });
  const s = snapshot({ nodes: [n1], nodeGroups: [group({ id: 'pool', nodes: [n1], max: 3, template: tpl('t') })], pods: pendingPods('web', 1, { cpu: '2' }) });
  const p = plan(s, { maxNodesTotal: 1 });
  assert.deepEqual(
    p.events.map((e) => [e.type, e.reason, e.message]),
    [
      ['Warning', 'MaxNodesTotalReached', 'Max total nodes in cluster reached: 1'],
      ['Normal', 'NotTriggerScaleUp', "pod didn't trigger scale-up: max total nodes in cluster reached"],
    ],
  );
});

test('scale-up: --max-nodes-total caps the node count', () => {
  const n1 = node({ name: 'n1', cpu: '1' });
  const s = snapshot({ nodes: [n1], nodeGroups: [group({ id: 'pool', nodes: [n1], max: 10, template: tpl('t') })], pods: pendingPods('web', 12, { cpu: '1' }) });
  assert.deepEqual(plan(s, { maxNodesTotal: 3 }).increases, [{ group: 'pool', current: 1, newSize: 3, max: 10 }]);
});

test('scale-up: --cores-total max blocks a group whose next node would exceed it', () => {
  const s = snapshot({ nodeGroups: [group({ id: 'pool', target: 0, max: 10, template: tpl('t') })], pods: pendingPods('web', 1, { cpu: '1' }) });
  assert.equal(plan(s, { coresTotal: { min: 0, max: 3 } }).events[0].message, 'pod didn\'t trigger scale-up: 1 exceeded quota: "cluster-wide", resources: cpu');
});

test('scale-up: --cores-total max caps how many nodes are added', () => {
  const s = snapshot({ nodeGroups: [group({ id: 'pool', target: 0, max: 10, template: tpl('t') })], pods: pendingPods('web', 12, { cpu: '1' }) });
  assert.deepEqual(plan(s, { coresTotal: { min: 0, max: 8 } }).increases, [{ group: 'pool', current: 0, newSize: 2, max: 10 }]);
});

test('scale-up: the expander picks among groups (least-waste)', () => {
  const s = snapshot({
    nodeGroups: [group({ id: 'big', target: 0, max: 5, template: tpl('b', '16') }), group({ id: 'fit', target: 0, max: 5, template: tpl('f', '2') })],
    pods: pendingPods('web', 2, { cpu: '1', memory: '1Gi' }),
  });
  assert.equal(plan(s, { expander: ['least-waste'] }).increases[0].group, 'fit');
  assert.equal(plan(s, { expander: ['least-nodes'] }).increases[0].group, 'big');
});

test('scale-up: --balance-similar-node-groups splits among similar groups', () => {
  const s = snapshot({
    nodeGroups: [
      group({ id: 'a', target: 1, max: 10, template: tpl('a', '4', { 'topology.kubernetes.io/zone': '1' }) }),
      group({ id: 'b', target: 0, max: 10, template: tpl('b', '4', { 'topology.kubernetes.io/zone': '2' }) }),
    ],
    pods: pendingPods('web', 12, { cpu: '1' }),
  });
  const p = plan(s, { balanceSimilarNodeGroups: true });
  // 3 nodes: b→1, a→2 (tie: list order), b→2.
  assert.deepEqual(p.increases, [
    { group: 'a', current: 1, newSize: 2, max: 10 },
    { group: 'b', current: 0, newSize: 2, max: 10 },
  ]);
  assert.equal(p.events.find((e) => e.reason === 'TriggeredScaleUp')!.message, 'pod triggered scale-up: [{a 1->2 (max: 10)} {b 0->2 (max: 10)}]');
});

test('notTriggerScaleUpMessage: one count per node group and reason', () => {
  assert.equal(notTriggerScaleUpMessage([['Insufficient cpu', 'Insufficient memory'], ['Insufficient cpu']]), "pod didn't trigger scale-up: 2 Insufficient cpu, 1 Insufficient memory");
});
