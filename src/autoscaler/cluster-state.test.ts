import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_OPTIONS,
  EMPTY_REGISTRY_STATE,
  fixNodeGroupSizes,
  isClusterHealthy,
  nodeGroupIndex,
  nodeReadiness,
  planUnregisteredRemoval,
  registerFailedScaleUp,
  registerScaleUp,
  updateClusterState,
  type ReadinessCounts,
} from './index.js';
import { group, MIN, node, snapshot, T0 } from './testing.js';

const counts = (c: Partial<ReadinessCounts>): ReadinessCounts => ({ ready: 0, unready: 0, notStarted: 0, longNotStarted: 0, beingDeleted: 0, registered: 0, unregistered: 0, longUnregistered: 0, ...c });

test('nodeReadiness: buckets in upstream order', () => {
  const cases: Array<[string, ReturnType<typeof node>, string]> = [
    ['ToBeDeleted taint → beingDeleted', node({ name: 'a', taints: [{ key: 'ToBeDeletedByClusterAutoscaler', value: '1', effect: 'NoSchedule' }] }), 'beingDeleted'],
    ['Ready → ready', node({ name: 'a' }), 'ready'],
    ['NotReady long after creation → unready', node({ name: 'a', ready: 'False', created: T0 - 60 * MIN, readySince: T0 - 10 * MIN }), 'unready'],
    ['NotReady set within 2m of creation → notStarted', node({ name: 'a', ready: 'False', created: T0 - 5 * MIN, readySince: T0 - 5 * MIN + 10_000 }), 'notStarted'],
    ['still starting after 15m → longNotStarted', node({ name: 'a', ready: 'False', created: T0 - 20 * MIN, readySince: T0 - 20 * MIN + 10_000 }), 'longNotStarted'],
    ['no Ready condition yet → notStarted', node({ name: 'a', ready: null, created: T0 - MIN }), 'notStarted'],
  ];
  for (const [name, n, want] of cases) assert.equal(nodeReadiness(n, T0), want, name);
});

test('isClusterHealthy: unhealthy only above both 3 unready and 45%', () => {
  const o = DEFAULT_OPTIONS;
  assert.equal(isClusterHealthy(counts({ unready: 3, registered: 4 }), o), true, '3 unready is within ok count');
  assert.equal(isClusterHealthy(counts({ unready: 4, registered: 8 }), o), false, '4 of 8 = 50% > 45%');
  assert.equal(isClusterHealthy(counts({ unready: 4, registered: 9 }), o), true, '4 of 9 = 44% <= 45%');
});

test('updateClusterState: unregistered and long-unregistered instances, upcoming only with an active request', () => {
  const n1 = node({ name: 'n1' });
  const g = group({ id: 'pool', nodes: [n1], unregistered: ['fake://new'], target: 3, max: 5 });
  const s0 = updateClusterState(snapshot({ nodes: [n1], nodeGroups: [g] }), EMPTY_REGISTRY_STATE, DEFAULT_OPTIONS);
  assert.equal(s0.groups.get('pool')!.counts.unregistered, 1);
  assert.equal(s0.groups.get('pool')!.upcoming, 0, 'no request → no upcoming nodes (today)');
  const withReq = registerScaleUp(s0.state, 'pool', 2, T0, DEFAULT_OPTIONS);
  const s1 = updateClusterState(snapshot({ nodes: [n1], nodeGroups: [g], now: T0 + MIN }), withReq, DEFAULT_OPTIONS);
  assert.equal(s1.groups.get('pool')!.upcoming, 2);
  assert.equal(s1.groups.get('pool')!.scaleUpInProgress, true);
  const s2 = updateClusterState(snapshot({ nodes: [n1], nodeGroups: [g], now: T0 + 16 * MIN }), s1.state, DEFAULT_OPTIONS);
  assert.deepEqual(s2.groups.get('pool')!.longUnregistered, ['fake://new']);
});

test('updateClusterState: a scale-up not fulfilled in 15m times out, backs off and reverts', () => {
  const n1 = node({ name: 'n1' });
  const g = group({ id: 'pool', nodes: [n1], target: 3, max: 5 });
  const req = registerScaleUp(EMPTY_REGISTRY_STATE, 'pool', 2, T0, DEFAULT_OPTIONS);
  const s = updateClusterState(snapshot({ nodes: [n1], nodeGroups: [g], now: T0 + 15 * MIN + 30_000 }), req, DEFAULT_OPTIONS);
  assert.deepEqual(s.events.map((e) => [e.reason, e.message]), [['ScaleUpTimedOut', 'Nodes added to group pool failed to register within 15m30s']]);
  assert.equal(s.state.backoff.pool.errorCode, 'timeout');
  assert.equal(s.state.backoff.pool.errorMessage, 'Scale-up timed out for node group pool after 15m30s');
  assert.equal(s.groups.get('pool')!.backedOff, true);
  assert.deepEqual(s.revertScaleUps, [{ group: 'pool', delta: -2 }]);
});

test('updateClusterState: a fulfilled request is dropped and clears the backoff', () => {
  const nodes = [node({ name: 'n1' }), node({ name: 'n2' })];
  const g = group({ id: 'pool', nodes, target: 2 });
  let st = registerFailedScaleUp(EMPTY_REGISTRY_STATE, 'pool', 'quota', T0 - 10 * MIN, DEFAULT_OPTIONS);
  st = registerScaleUp(st, 'pool', 1, T0 - MIN, DEFAULT_OPTIONS);
  const s = updateClusterState(snapshot({ nodes, nodeGroups: [g] }), st, DEFAULT_OPTIONS);
  assert.deepEqual(Object.keys(s.state.scaleUpRequests), []);
  assert.equal(s.state.backoff.pool, undefined);
});

test('group health: too many missing ready nodes makes a group unhealthy', () => {
  const nodes = Array.from({ length: 5 }, (_, i) => node({ name: `u${i}`, ready: 'False', readySince: T0 - 30 * MIN }));
  const g = group({ id: 'pool', nodes, target: 5 });
  const s = updateClusterState(snapshot({ nodes, nodeGroups: [g] }), EMPTY_REGISTRY_STATE, DEFAULT_OPTIONS);
  assert.equal(s.groups.get('pool')!.healthy, false);
  assert.equal(s.healthy, false);
});

test('fixNodeGroupSizes: registered below target for longer than the provision time', () => {
  const n1 = node({ name: 'n1' });
  const g = group({ id: 'pool', nodes: [n1], target: 3 });
  const s0 = updateClusterState(snapshot({ nodes: [n1], nodeGroups: [g] }), EMPTY_REGISTRY_STATE, DEFAULT_OPTIONS);
  assert.deepEqual(fixNodeGroupSizes(s0.state, T0 + 15 * MIN, DEFAULT_OPTIONS), []);
  const s1 = updateClusterState(snapshot({ nodes: [n1], nodeGroups: [g], now: T0 + 16 * MIN }), s0.state, DEFAULT_OPTIONS);
  assert.deepEqual(fixNodeGroupSizes(s1.state, T0 + 16 * MIN, DEFAULT_OPTIONS), [{ group: 'pool', delta: -2 }]);
});

test('planUnregisteredRemoval: respects min size unless forced', () => {
  const g = group({ id: 'pool', unregistered: ['fake://a', 'fake://b'], target: 2, min: 1 });
  const s = updateClusterState(snapshot({ nodeGroups: [g], now: T0 }), { ...EMPTY_REGISTRY_STATE, unregisteredSince: { 'fake://a': T0 - 20 * MIN, 'fake://b': T0 - 20 * MIN } }, DEFAULT_OPTIONS);
  const plan = planUnregisteredRemoval(s, [g], { forceDeleteUnregisteredNodes: false });
  assert.deepEqual(plan.removals.map((r) => r.instanceId), ['fake://a']);
  assert.equal(plan.removals[0].event.message, 'Removed unregistered node fake://a');
  assert.equal(plan.skipped.length, 1);
  assert.equal(planUnregisteredRemoval(s, [g], { forceDeleteUnregisteredNodes: true }).removals.length, 2);
});

test('fixNodeGroupSizes: instances still registering are not an incorrect size', () => {
  const n1 = node({ name: 'n1' });
  const g = group({ id: 'pool', nodes: [n1], unregistered: ['fake://a', 'fake://b'], target: 3 });
  const s0 = updateClusterState(snapshot({ nodes: [n1], nodeGroups: [g] }), EMPTY_REGISTRY_STATE, DEFAULT_OPTIONS);
  assert.deepEqual(s0.state.incorrectSizes, {});
});

test('nodeGroupIndex: instance ids match node providerIDs case-insensitively (Azure)', () => {
  const n = node({ name: 'vm0', providerID: 'azure:///subscriptions/S/resourceGroups/RG/providers/Microsoft.Compute/virtualMachineScaleSets/pool/virtualMachines/0' });
  const g = { ...group({ id: 'pool' }), instances: [{ id: 'azure:///subscriptions/s/resourcegroups/rg/providers/microsoft.compute/virtualmachinescalesets/pool/virtualmachines/0' }] };
  assert.deepEqual([...nodeGroupIndex({ nodes: [n], nodeGroups: [g] })], [['vm0', 'pool']]);
});
