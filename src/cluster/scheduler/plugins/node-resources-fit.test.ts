import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPodInfo } from '../framework.js';
import { makePod, nodeInfo, type NodeFixture, type PodFixture } from '../testing.js';
import { fits, leastAllocatedScore, leastRequestedScore, nodeResourcesFit } from './node-resources-fit.js';

const state = new Map<string, unknown>();

test('fits: allocatable minus what the placed pods request', () => {
  const cases: Record<string, { node: NodeFixture; placed?: PodFixture[]; pod: PodFixture; want: string[] }> = {
    // 4000m − 3500m = 500m free ≥ 500m.
    'exactly fits': { node: { name: 'n', cpu: '4' }, placed: [{ name: 'a', cpu: '3500m' }], pod: { name: 'p', cpu: '500m' }, want: [] },
    // 4000m − 3500m = 500m free < 501m.
    'one millicore short': { node: { name: 'n', cpu: '4' }, placed: [{ name: 'a', cpu: '3500m' }], pod: { name: 'p', cpu: '501m' }, want: ['Insufficient cpu'] },
    // 8Gi − 7Gi = 1Gi < 2Gi; 4 − 1 = 3 cpu ≥ 1.
    memory: { node: { name: 'n' }, placed: [{ name: 'a', cpu: '1', memory: '7Gi' }], pod: { name: 'p', cpu: '1', memory: '2Gi' }, want: ['Insufficient memory'] },
    // 2 pods placed + 1 > 2 allowed, and 1 + 4 > 4 cpu: both reasons, pods first.
    'too many pods and cpu': {
      node: { name: 'n', pods: 2 },
      placed: [{ name: 'a', cpu: '1' }, { name: 'b' }],
      pod: { name: 'p', cpu: '4' },
      want: ['Too many pods', 'Insufficient cpu'],
    },
    // A pod requesting nothing only needs a pod slot.
    'best effort on a full node': { node: { name: 'n', cpu: '1' }, placed: [{ name: 'a', cpu: '1' }], pod: { name: 'p' }, want: [] },
    // 10Gi − 0 < 20Gi.
    'ephemeral storage': { node: { name: 'n', ephemeralStorage: '10Gi' }, pod: { name: 'p', ephemeralStorage: '20Gi' }, want: ['Insufficient ephemeral-storage'] },
    // The node has no example.com/gpu at all: 0 − 0 < 1.
    'extended resource': { node: { name: 'n' }, pod: { name: 'p', extra: { 'example.com/gpu': '1' } }, want: ['Insufficient example.com/gpu'] },
    // 2 gpus − 1 used = 1 ≥ 1.
    'extended resource available': {
      node: { name: 'n', extra: { 'example.com/gpu': '2' } },
      placed: [{ name: 'a', extra: { 'example.com/gpu': '1' } }],
      pod: { name: 'p', extra: { 'example.com/gpu': '1' } },
      want: [],
    },
    // Init container 3 cpu > containers 1 cpu: the pod needs 3 of the 2 free (4 − 2).
    'init container floor': {
      node: { name: 'n' },
      placed: [{ name: 'a', cpu: '2' }],
      pod: { name: 'p', cpu: '1', initContainers: [{ name: 'init', image: 'x', resources: { requests: { cpu: '3' } } }] },
      want: ['Insufficient cpu'],
    },
    // 1.5 + 0.25 overhead + 2.5 placed = 4.25 > 4.
    overhead: { node: { name: 'n' }, placed: [{ name: 'a', cpu: '2500m' }], pod: { name: 'p', cpu: '1500m', overhead: { cpu: '250m' } }, want: ['Insufficient cpu'] },
  };
  for (const [name, c] of Object.entries(cases)) {
    const ni = nodeInfo(c.node, ...(c.placed ?? []).map(makePod));
    assert.deepEqual(fits(makePod(c.pod), ni).map((r) => r.reason), c.want, name);
    const st = nodeResourcesFit.filter(state, newPodInfo(makePod(c.pod)), ni);
    assert.deepEqual(st, c.want.length ? { code: 'Unschedulable', reasons: c.want, plugin: 'NodeResourcesFit' } : { code: 'Success' }, name);
  }
});

test('fits reports requested, used and capacity for the autoscaler', () => {
  const ni = nodeInfo({ name: 'n', cpu: '2' }, makePod({ name: 'a', cpu: '1500m' }));
  assert.deepEqual(fits(makePod({ name: 'p', cpu: '1' }), ni), [
    { resourceName: 'cpu', reason: 'Insufficient cpu', requested: 1000, used: 1500, capacity: 2000 },
  ]);
});

test('LeastAllocated scores free cpu and memory', () => {
  assert.equal(leastRequestedScore(0, 4000), 100);
  assert.equal(leastRequestedScore(3000, 4000), 25); // (4000 − 3000) × 100 / 4000
  assert.equal(leastRequestedScore(5000, 4000), 0);
  const cases: Record<string, { node: NodeFixture; placed?: PodFixture[]; pod: PodFixture; want: number }> = {
    // cpu: (4000 − 1000) × 100 / 4000 = 75; memory: (8Gi − 2Gi) × 100 / 8Gi = 75 → (75 + 75) / 2 = 75.
    'empty node': { node: { name: 'n' }, pod: { name: 'p', cpu: '1', memory: '2Gi' }, want: 75 },
    // cpu: 1000 + 1000 = 2000 of 4000 → 50; memory: 2Gi + 0 of 8Gi → 75 → (50 + 75) / 2 = 62.5 → 62.
    'half the cpu used': { node: { name: 'n' }, placed: [{ name: 'a', cpu: '1', memory: '0' }], pod: { name: 'p', cpu: '1', memory: '2Gi' }, want: 62 },
    // Best-effort pods count 100m and 200Mi: cpu (4000 − 200) × 100 / 4000 = 95; memory (8192Mi − 400Mi) × 100 / 8192Mi = 95.11 → 95.
    'best effort counts defaults': { node: { name: 'n' }, placed: [{ name: 'a' }], pod: { name: 'p' }, want: 95 },
  };
  for (const [name, c] of Object.entries(cases)) {
    const ni = nodeInfo(c.node, ...(c.placed ?? []).map(makePod));
    assert.equal(leastAllocatedScore(newPodInfo(makePod(c.pod)), ni), c.want, name);
  }
});
