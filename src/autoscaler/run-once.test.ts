import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_OPTIONS,
  EMPTY_REGISTRY_STATE,
  initialScaleDownState,
  parseOptions,
  planMinSizeEnforcement,
  recordScaleUp,
  registerScaleUp,
  runOnce,
  type ClusterSnapshot,
} from './index.js';
import { group, MIN, node, pendingPods, pod, snapshot, T0 } from './testing.js';

const POOL = 'k8s-agentpool1-92998111-vmss';
const vm = (i: number, f: Partial<Parameters<typeof node>[0]> = {}) => node({ name: `${POOL}00000${i}`, cpu: '2', memory: '4Gi', labels: { agentpool: 'agentpool1' }, ...f });

test('runOnce: a Deployment too large for the nodes scales the set up, then it comes back down', () => {
  const options = parseOptions(['--nodes=1:5:' + POOL, '--scale-down-unneeded-time=1m', '--scale-down-delay-after-add=0s']);
  const n0 = vm(0);
  // 4 pods of 1.5 cpu, one per 2-cpu node: one fits beside kube-proxy on the node there is, 3 need new nodes.
  const pods = [pod({ name: 'sys', cpu: '100m', nodeName: n0.metadata!.name, owner: { kind: 'DaemonSet', name: 'kube-proxy' } }), ...pendingPods('web', 4, { cpu: '1500m' })];
  const s1: ClusterSnapshot = snapshot({ nodes: [n0], pods, nodeGroups: [group({ id: POOL, nodes: [n0], min: 1, max: 5 })] });
  const r1 = runOnce({ snapshot: s1, registry: EMPTY_REGISTRY_STATE, scaleDown: initialScaleDownState(T0 - 60 * MIN), options, random: () => 0 });
  assert.equal(r1.decision.kind, 'scaleUp');
  assert.deepEqual(r1.decision.kind === 'scaleUp' && r1.decision.plan.increases, [{ group: POOL, current: 1, newSize: 4, max: 5 }]);
  assert.ok(r1.events.some((e) => e.reason === 'TriggeredScaleUp' && e.message === `pod triggered scale-up: [{${POOL} 1->4 (max: 5)}]`));

  // The loop called IncreaseSize(4) and recorded it; the nodes registered.
  const registry = registerScaleUp(r1.registry, POOL, 3, T0, options);
  const scaleDown = recordScaleUp(r1.scaleDownState, T0);
  const all = [0, 1, 2, 3].map((i) => vm(i));
  const s2 = snapshot({ nodes: all, pods: [pods[0]], nodeGroups: [group({ id: POOL, nodes: all, min: 1, max: 5 })], now: T0 + 5 * MIN });
  const r2 = runOnce({ snapshot: s2, registry, scaleDown, options });
  assert.equal(r2.decision.kind, 'noScaleDown', 'unneeded since now, not for 1m yet');
  assert.deepEqual(Object.keys(r2.registry.scaleUpRequests), [], 'the scale-up request is fulfilled');
  assert.match(r2.status.nodeGroups[0].scaleDown.status, /CandidatesPresent/);

  const r3 = runOnce({ snapshot: { ...s2, now: T0 + 7 * MIN }, registry: r2.registry, scaleDown: r2.scaleDownState, options });
  assert.equal(r3.decision.kind, 'scaleDown');
  const removed = r3.decision.kind === 'scaleDown' ? r3.decision.plan.empty.map((e) => e.node) : [];
  assert.equal(removed.length, 3, 'down to min 1');
  assert.ok(r3.events.some((e) => e.reason === 'ScaleDownEmpty' && e.message === `Scale-down: removing empty node ${POOL}000002`));
});

test('runOnce: an unhealthy cluster stops the iteration with ClusterUnhealthy', () => {
  const nodes = [0, 1, 2, 3, 4].map((i) => vm(i, { ready: 'False', readySince: T0 - 30 * MIN }));
  const s = snapshot({ nodes, nodeGroups: [group({ id: POOL, nodes })] });
  const r = runOnce({ snapshot: s, registry: EMPTY_REGISTRY_STATE, scaleDown: initialScaleDownState(T0), options: DEFAULT_OPTIONS });
  assert.equal(r.decision.kind, 'clusterUnhealthy');
  assert.deepEqual(r.events.map((e) => [e.type, e.reason, e.message, e.object.name]), [['Warning', 'ClusterUnhealthy', 'Cluster is unhealthy', 'cluster-autoscaler-status']]);
  assert.equal(r.status.clusterWide.health.status, 'Unhealthy');
});

test('runOnce: pods younger than 2s wait an iteration (no scale-down either)', () => {
  const n0 = vm(0);
  const s = snapshot({ nodes: [n0], pods: pendingPods('web', 1, { cpu: '3', created: T0 - 1000 }), nodeGroups: [group({ id: POOL, nodes: [n0], max: 5 })] });
  assert.equal(runOnce({ snapshot: s, registry: EMPTY_REGISTRY_STATE, scaleDown: initialScaleDownState(T0 - 60 * MIN), options: DEFAULT_OPTIONS }).decision.kind, 'waitForYoungPods');
});

test('planMinSizeEnforcement: groups below min go up to min', () => {
  assert.deepEqual(planMinSizeEnforcement([group({ id: 'a', min: 2, target: 0, max: 5 }), group({ id: 'b', min: 1, target: 1 })]), [{ group: 'a', current: 0, newSize: 2, max: 5 }]);
});

test('runOnce: pending pods that fit on existing nodes forbid deletions this loop (unneeded still tracked)', () => {
  const nodes = [vm(0), vm(1)];
  const s = snapshot({ nodes, pods: pendingPods('web', 1, { cpu: '1' }), nodeGroups: [group({ id: POOL, nodes, max: 5 })] });
  const state = { ...initialScaleDownState(T0 - 60 * MIN), unneededSince: { [nodes[0].metadata!.name!]: T0 - 20 * MIN, [nodes[1].metadata!.name!]: T0 - 20 * MIN } };
  const r = runOnce({ snapshot: s, registry: EMPTY_REGISTRY_STATE, scaleDown: state, options: DEFAULT_OPTIONS });
  assert.equal(r.decision.kind, 'noScaleDown');
  assert.equal(r.decision.kind === 'noScaleDown' && r.decision.plan?.cooldown, 'scaleDownForbidden');
  assert.equal(r.decision.kind === 'noScaleDown' && r.decision.plan?.unneeded.length, 2);
});
