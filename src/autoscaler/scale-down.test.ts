import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_OPTIONS,
  EMPTY_REGISTRY_STATE,
  initialScaleDownState,
  planScaleDown,
  recordScaleDown,
  updateClusterState,
  type AutoscalerOptions,
  type ClusterSnapshot,
  type ScaleDownState,
} from './index.js';
import { group, MIN, node, pod, snapshot, T0 } from './testing.js';

/** Past the delay after start, and unneeded for 11 minutes. */
function longUnneeded(names: string[]): ScaleDownState {
  return { ...initialScaleDownState(T0 - 60 * MIN), unneededSince: Object.fromEntries(names.map((n) => [n, T0 - 11 * MIN])) };
}

function plan(s: ClusterSnapshot, state: ScaleDownState, opts: Partial<AutoscalerOptions> = {}) {
  const options = { ...DEFAULT_OPTIONS, ...opts };
  const cluster = updateClusterState(s, EMPTY_REGISTRY_STATE, options);
  return planScaleDown({ snapshot: s, cluster, state, options });
}

const names = ['n1', 'n2', 'n3'];
const nodes = names.map((name) => node({ name }));

test('scale-down: an empty node unneeded for 10m is removed, with ScaleDownEmpty', () => {
  const s = snapshot({ nodes, nodeGroups: [group({ id: 'pool', nodes, min: 1 })], pods: [pod({ name: 'busy', cpu: '3', nodeName: 'n1' }), pod({ name: 'b2', cpu: '3', nodeName: 'n2' })] });
  const p = plan(s, longUnneeded(['n3']));
  assert.deepEqual(p.unneeded, ['n3']);
  assert.deepEqual(p.empty.map((e) => e.node), ['n3']);
  assert.deepEqual(p.events.map((e) => [e.reason, e.message]), [['ScaleDownEmpty', 'Scale-down: removing empty node n3']]);
  assert.deepEqual(p.successEvents.map((e) => e.message), ['Scale-down: empty node n3 removed']);
});

test('scale-down: unneeded for less than --scale-down-unneeded-time is kept (and remembered)', () => {
  const s = snapshot({ nodes, nodeGroups: [group({ id: 'pool', nodes })] });
  const p = plan(s, initialScaleDownState(T0 - 60 * MIN));
  assert.deepEqual(p.unneeded, names);
  assert.deepEqual(p.empty, []);
  assert.deepEqual(p.state.unneededSince, { n1: T0, n2: T0, n3: T0 });
  assert.deepEqual(p.candidatesPerGroup.get('pool'), 3);
});

test('scale-down: cooldowns — delay after add, after failure, after delete', () => {
  const s = snapshot({ nodes, nodeGroups: [group({ id: 'pool', nodes })] });
  const base = longUnneeded(names);
  assert.equal(plan(s, { ...base, lastScaleUp: T0 - 5 * MIN }).cooldown, 'delayAfterAdd');
  assert.equal(plan(s, recordScaleDown(base, T0 - MIN, 'failed')).cooldown, 'delayAfterFailure');
  assert.equal(plan(s, recordScaleDown(base, T0 - 5_000, 'deleted'), { scaleDownDelayAfterDelete: 10_000 }).cooldown, 'delayAfterDelete');
  assert.equal(plan(s, recordScaleDown(base, T0 - 5_000, 'deleted')).cooldown, undefined, 'today: no delay after delete');
  assert.equal(plan(s, initialScaleDownState(T0 - 5 * MIN)).cooldown, 'delayAfterAdd', 'nothing deleted in the first 10 minutes');
  assert.equal(plan(s, base, { scaleDownEnabled: false }).cooldown, 'scaleDownDisabled');
});

test('scale-down: empty nodes in bulk, at most --max-empty-bulk-delete, never below min size', () => {
  const many = Array.from({ length: 6 }, (_, i) => node({ name: `e${i}` }));
  const s = snapshot({ nodes: many, nodeGroups: [group({ id: 'pool', nodes: many, min: 2 })] });
  const all = longUnneeded(many.map((n) => n.metadata!.name!));
  assert.equal(plan(s, all).empty.length, 4, 'target 6 − min 2');
  assert.equal(plan(s, all, { maxEmptyBulkDelete: 3 }).empty.length, 3);
});

test('scale-down: a non-empty underutilized node is drained when its pods fit elsewhere', () => {
  const s = snapshot({
    nodes,
    nodeGroups: [group({ id: 'pool', nodes })],
    pods: [pod({ name: 'a', cpu: '3', nodeName: 'n1' }), pod({ name: 'b', cpu: '3', nodeName: 'n2' }), pod({ name: 'small', cpu: '1', nodeName: 'n3' })],
  });
  const p = plan(s, longUnneeded(['n3']));
  assert.equal(p.drain?.node, 'n3');
  assert.deepEqual(p.events.map((e) => e.message), ['Scale-down: removing node n3, utilization: 0.25, pods to reschedule: default/small']);
});

test('scale-down: above the 0.5 threshold is not a candidate; at 0.5 it is', () => {
  const s = snapshot({ nodes, nodeGroups: [group({ id: 'pool', nodes })], pods: [pod({ name: 'a', cpu: '2100m', nodeName: 'n1' }), pod({ name: 'b', cpu: '2', nodeName: 'n2' })] });
  const p = plan(s, longUnneeded([]));
  assert.equal(p.unremovable.get('n1')?.reason, 'NotUnderutilized');
  assert.ok(p.unneeded.includes('n2'));
});

test('scale-down: pods with nowhere to go keep the node', () => {
  const two = [node({ name: 'n1' }), node({ name: 'n2' })];
  const s = snapshot({ nodes: two, nodeGroups: [group({ id: 'pool', nodes: two })], pods: [pod({ name: 'a', cpu: '2', nodeName: 'n1' }), pod({ name: 'b', cpu: '2', memory: '5Gi', nodeName: 'n2' })] });
  // n1 (util 0.5) moves to n2? n2 has 2 cpu free: yes. Then n2 cannot move anywhere (n1 is being removed).
  const p = plan(s, longUnneeded(['n1', 'n2']));
  assert.deepEqual(p.unneeded, ['n1']);
  assert.equal(p.unremovable.get('n2')?.reason, 'NotUnderutilized');
  const s2 = snapshot({ nodes: two, nodeGroups: [group({ id: 'pool', nodes: two })], pods: [pod({ name: 'a', cpu: '2', nodeName: 'n1' }), pod({ name: 'b', cpu: '3', memory: '1Gi', nodeName: 'n2' })] });
  const p2 = plan(s2, longUnneeded(['n1']));
  assert.equal(p2.unremovable.get('n1')?.reason, 'NoPlaceToMovePods');
  assert.ok((p2.state.unremovableUntil.n1 ?? 0) > T0, 'rechecked after --unremovable-node-recheck-timeout');
});

test('scale-down: blocking pods and the scale-down-disabled annotation keep the node', () => {
  const ns = [node({ name: 'n1' }), node({ name: 'n2', annotations: { 'cluster-autoscaler.kubernetes.io/scale-down-disabled': 'true' } }), node({ name: 'n3' })];
  const s = snapshot({ nodes: ns, nodeGroups: [group({ id: 'pool', nodes: ns })], pods: [pod({ name: 'bare', owner: null, nodeName: 'n1' })] });
  const p = plan(s, longUnneeded(['n1', 'n2', 'n3']));
  assert.equal(p.unremovable.get('n1')?.detail, 'default/bare is not replicated');
  assert.equal(p.unremovable.get('n2')?.reason, 'ScaleDownDisabledAnnotation');
  assert.deepEqual(p.empty.map((e) => e.node), ['n3']);
});

test('scale-down: nodes in no node group and nodes being deleted are skipped', () => {
  const ns = [node({ name: 'n1' }), node({ name: 'n2', taints: [{ key: 'ToBeDeletedByClusterAutoscaler', value: '1', effect: 'NoSchedule' }] })];
  const s = snapshot({ nodes: ns, nodeGroups: [group({ id: 'pool', nodes: [ns[1]] })] });
  const p = plan(s, longUnneeded(['n1', 'n2']));
  assert.equal(p.unremovable.get('n1')?.reason, 'NotAutoscaled');
  assert.equal(p.unremovable.get('n2')?.reason, 'BeingDeleted');
});

test('scale-down: an unready node waits --scale-down-unready-time (20m)', () => {
  const ns = [node({ name: 'n1', ready: 'False', readySince: T0 - 30 * MIN }), node({ name: 'n2' })];
  const s = snapshot({ nodes: ns, nodeGroups: [group({ id: 'pool', nodes: ns })] });
  const p = plan(s, longUnneeded(['n1']));
  assert.deepEqual(p.empty, []);
  const p2 = plan(s, { ...longUnneeded([]), unneededSince: { n1: T0 - 21 * MIN } });
  assert.deepEqual(p2.empty.map((e) => e.node), ['n1']);
});

test('scale-down: --cores-total min keeps nodes', () => {
  const s = snapshot({ nodes, nodeGroups: [group({ id: 'pool', nodes })] });
  const p = plan(s, longUnneeded(names), { coresTotal: { min: 8, max: 100 } });
  assert.equal(p.empty.length, 1, '12 cores, min 8: one 4-core node may go');
  assert.equal([...p.unremovable.values()].filter((u) => u.reason === 'MinimalResourceLimitExceeded').length, 2);
});

test('scale-down: at most --scale-down-non-empty-candidates-count new non-empty candidates per iteration', () => {
  const four = ['a', 'b', 'c', 'd'].map((name) => node({ name, cpu: '4' }));
  const pods = four.map((n) => pod({ name: `p-${n.metadata!.name}`, cpu: '500m', nodeName: n.metadata!.name }));
  const s = snapshot({ nodes: four, nodeGroups: [group({ id: 'pool', nodes: four })], pods });
  const p = plan(s, initialScaleDownState(T0 - 60 * MIN), { scaleDownNonEmptyCandidatesCount: 1 });
  assert.deepEqual(p.unneeded, ['a']);
  assert.equal(p.unremovable.get('b')?.reason, 'NotEvaluated');
  // Next iteration: 'a' is re-simulated first, and one more is found.
  const p2 = plan(s, p.state, { scaleDownNonEmptyCandidatesCount: 2 });
  assert.deepEqual(p2.unneeded, ['a', 'b']);
});
