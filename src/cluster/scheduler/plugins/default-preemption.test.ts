import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSuccess, newPodInfo, type NodeInfo, type PodInfo, type RejectedStatus } from '../framework.js';
import { defaultProfile } from '../profile.js';
import { makePod, nodeInfo, type PodFixture } from '../testing.js';
import { defaultPreemption } from './default-preemption.js';

function runFilters(pod: PodInfo, node: NodeInfo) {
  const state = new Map<string, unknown>();
  for (const p of defaultProfile.preFilter) p.preFilter(state, pod, [node]);
  for (const f of defaultProfile.filter) {
    const st = f.filter(state, pod, node);
    if (!isSuccess(st)) return st;
  }
  return { code: 'Success' } as const;
}

function preempt(nodes: NodeInfo[], pod: PodFixture) {
  const p = newPodInfo(makePod(pod));
  const statuses = new Map<string, RejectedStatus>();
  for (const n of nodes) {
    const st = runFilters(p, n);
    if ('reasons' in st) statuses.set(n.name, st as RejectedStatus);
  }
  return defaultPreemption.postFilter(new Map(), p, nodes, statuses, runFilters);
}

const message = (r: ReturnType<typeof preempt>) => ('reasons' in r.status ? r.status.reasons.join(', ') : r.status.code);

test('no lower-priority pods anywhere: no victims', () => {
  const nodes = ['a', 'b', 'c'].map((n) => nodeInfo({ name: n, cpu: '2' }, makePod({ name: `${n}-1`, cpu: '1' })));
  assert.equal(message(preempt(nodes, { name: 'big', cpu: '8' })), 'preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.');
});

test('unresolvable nodes are not worth preempting on', () => {
  const nodes = [nodeInfo({ name: 'a', ready: 'False' }), nodeInfo({ name: 'b', cpu: '1' })];
  assert.equal(
    message(preempt(nodes, { name: 'p', cpu: '2' })),
    'preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.',
  );
});

test('evicting lower-priority pods that free enough room', () => {
  // a: 4 cpu with low (1 cpu, priority 0) and mid (2 cpu, priority 10); the pod (priority 100) needs 2 cpu, 1 free.
  // Removing both frees 3 + 1 = 4; putting mid back (more important) leaves 4 − 2 = 2 ≥ 2, so only low goes.
  const a = nodeInfo({ name: 'a' }, makePod({ name: 'low', cpu: '1', priority: 0 }), makePod({ name: 'mid', cpu: '2', priority: 10 }));
  // b: 4 cpu, one priority-50 pod of 3 cpu: evicting it works too, but its priority is higher than low's.
  const b = nodeInfo({ name: 'b' }, makePod({ name: 'other', cpu: '3', priority: 50 }));
  const r = preempt([a, b], { name: 'p', cpu: '2', priority: 100 });
  assert.equal(r.status.code, 'Success');
  assert.equal(r.nominatedNode, 'a');
  assert.deepEqual(r.victims?.map((v) => v.key), ['default/low']);
  // Equal priority is not lower: nothing to evict.
  assert.equal(message(preempt([b], { name: 'p', cpu: '2', priority: 50 })), 'preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
  // Still too big with every lower-priority pod gone: the filter's reason.
  assert.equal(message(preempt([a], { name: 'p', cpu: '5', priority: 100 })), 'preemption: 0/1 nodes are available: 1 Insufficient cpu.');
});

test('preemptionPolicy Never', () => {
  assert.equal(message(preempt([nodeInfo({ name: 'a', cpu: '1' })], { name: 'p', cpu: '2', preemptionPolicy: 'Never' })), 'preemption: not eligible due to preemptionPolicy=Never.');
});
