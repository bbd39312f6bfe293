import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildWorld, DEFAULT_OPTIONS, filterPendingPods, isUnschedulable, podScaleUpDelay } from './index.js';
import { MIN, node, pod, snapshot, T0 } from './testing.js';
import type { Pod } from 'kubernetes-types/core/v1.js';

const names = (pods: readonly Pod[]) => pods.map((p) => p.metadata!.name);

test('isUnschedulable: PodScheduled=False reason Unschedulable, not bound, not nominated', () => {
  assert.equal(isUnschedulable(pod({ name: 'a', unschedulable: true })), true);
  assert.equal(isUnschedulable(pod({ name: 'a' })), false, 'no condition yet');
  assert.equal(isUnschedulable(pod({ name: 'a', unschedulable: true, nodeName: 'n1' })), false, 'bound');
  const nominated = pod({ name: 'a', unschedulable: true });
  nominated.status!.nominatedNodeName = 'n1';
  assert.equal(isUnschedulable(nominated), false, 'nominated');
});

test('filterPendingPods: expendable pods (priority below -10) never trigger scale-up', () => {
  const s = snapshot({ pods: [pod({ name: 'low', unschedulable: true, priority: -11 }), pod({ name: 'cutoff', unschedulable: true, priority: -10 }), pod({ name: 'none', unschedulable: true })] });
  const r = filterPendingPods(s, buildWorld(s, -10), DEFAULT_OPTIONS);
  assert.deepEqual(names(r.expendable), ['low']);
  assert.deepEqual(names(r.pods), ['cutoff', 'none']);
});

test('filterPendingPods: pods that fit on existing nodes, higher priority first, occupying room', () => {
  const n1 = node({ name: 'n1', cpu: '2' });
  const s = snapshot({
    nodes: [n1],
    pods: [pod({ name: 'used', cpu: '500m', nodeName: 'n1' }), pod({ name: 'lo', cpu: '1', unschedulable: true, priority: 1 }), pod({ name: 'hi', cpu: '1', unschedulable: true, priority: 100 })],
  });
  const r = filterPendingPods(s, buildWorld(s, -10), DEFAULT_OPTIONS);
  assert.deepEqual(r.fitting.map((f) => [f.pod.metadata!.name, f.node]), [['hi', 'n1']]);
  assert.deepEqual(names(r.pods), ['lo']);
});

test('filterPendingPods: pods that fit on an upcoming node are not scaled for again', () => {
  const tpl = node({ name: 'tpl', cpu: '2' });
  const s = snapshot({ pods: [pod({ name: 'p', cpu: '1', unschedulable: true })] });
  const r = filterPendingPods(s, buildWorld(s, -10, [{ node: { ...tpl, metadata: { ...tpl.metadata, name: 'upcoming-0' } }, pods: [] }]), DEFAULT_OPTIONS);
  assert.deepEqual(r.fitting.map((f) => f.node), ['upcoming-0']);
});

test('filterPendingPods: DaemonSet pods are dropped', () => {
  const s = snapshot({ pods: [pod({ name: 'ds', unschedulable: true, owner: { kind: 'DaemonSet', name: 'fluentd' } })] });
  const r = filterPendingPods(s, buildWorld(s, -10), DEFAULT_OPTIONS);
  assert.deepEqual(names(r.daemonSet), ['ds']);
  assert.deepEqual(r.pods, []);
});

test('filterPendingPods: too young for --new-pod-scale-up-delay, annotation only lengthens it', () => {
  const s = snapshot({
    pods: [
      pod({ name: 'young', unschedulable: true, created: T0 - 30_000 }),
      pod({ name: 'old', unschedulable: true, created: T0 - 2 * MIN }),
      pod({ name: 'annotated', unschedulable: true, created: T0 - 2 * MIN, annotations: { 'cluster-autoscaler.kubernetes.io/pod-scale-up-delay': '5m' } }),
    ],
  });
  const r = filterPendingPods(s, buildWorld(s, -10), { ...DEFAULT_OPTIONS, newPodScaleUpDelay: MIN });
  assert.deepEqual(names(r.tooYoung), ['young', 'annotated']);
  assert.deepEqual(names(r.pods), ['old']);
  assert.equal(podScaleUpDelay(pod({ name: 'x', annotations: { 'cluster-autoscaler.kubernetes.io/pod-scale-up-delay': '10s' } }), MIN), MIN);
});

test('filterPendingPods: all pods younger than 2s → wait one iteration', () => {
  const s = snapshot({ pods: [pod({ name: 'new', unschedulable: true, created: T0 - 1_000 })] });
  assert.equal(filterPendingPods(s, buildWorld(s, -10), DEFAULT_OPTIONS).waitForYoungPods, true);
  const s2 = snapshot({ pods: [pod({ name: 'new', unschedulable: true, created: T0 - 3_000 })] });
  assert.equal(filterPendingPods(s2, buildWorld(s2, -10), DEFAULT_OPTIONS).waitForYoungPods, false);
});
