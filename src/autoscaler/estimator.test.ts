import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildEquivalenceGroups, estimate } from './index.js';
import { node, pendingPods, pod } from './testing.js';

const template = { node: node({ name: 'tpl', cpu: '4', memory: '8Gi', pods: 110 }), pods: [] };

test('buildEquivalenceGroups: same controller and spec share a group; bare pods are alone', () => {
  const groups = buildEquivalenceGroups([...pendingPods('web', 3, { cpu: '1' }), pod({ name: 'bare', owner: null }), pod({ name: 'bare2', owner: null })]);
  assert.deepEqual(groups.map((g) => g.pods.length), [3, 1, 1]);
});

test('estimate: 10 pods of 1 cpu on 4-cpu templates need 3 nodes', () => {
  // 4 + 4 + 2: first fit fills each node before adding the next.
  const e = estimate(buildEquivalenceGroups(pendingPods('web', 10, { cpu: '1' })), template, { maxNodes: 1000 });
  assert.equal(e.nodeCount, 3);
  assert.equal(e.pods.length, 10);
});

test('estimate: first-fit decreasing puts big pods first', () => {
  // Arrival order 1,1,1,3,3,3 (cpu) on 4-cpu nodes: first fit would need [1,1,1] [3] [3] [3] = 4 nodes;
  // decreasing order packs [3,1] [3,1] [3,1] = 3.
  const pods = [...pendingPods('small', 3, { cpu: '1' }), ...pendingPods('big', 3, { cpu: '3' })];
  const e = estimate(buildEquivalenceGroups(pods), template, { maxNodes: 1000 });
  assert.equal(e.nodeCount, 3);
  assert.deepEqual(e.pods.slice(0, 3).map((p) => p.metadata!.name), ['big-0', 'big-1', 'big-2']);
});

test('estimate: the node limit caps the estimate and leaves pods unplaced', () => {
  const e = estimate(buildEquivalenceGroups(pendingPods('web', 10, { cpu: '1' })), template, { maxNodes: 2 });
  assert.equal(e.nodeCount, 2);
  assert.equal(e.unplaced.length, 2);
});

test('estimate: a pod that fits no empty node adds no node', () => {
  const e = estimate(buildEquivalenceGroups(pendingPods('huge', 2, { cpu: '8' })), template, { maxNodes: 1000 });
  assert.equal(e.nodeCount, 0);
  assert.equal(e.unplaced.length, 2);
});

test('estimate: the template pods limit counts (Too many pods)', () => {
  const small = { node: node({ name: 'tpl', cpu: '4', pods: 2 }), pods: [] };
  assert.equal(estimate(buildEquivalenceGroups(pendingPods('p', 5, { cpu: '100m' })), small, { maxNodes: 1000 }).nodeCount, 3);
});

test('estimate: host ports conflict, one pod per new node', () => {
  assert.equal(estimate(buildEquivalenceGroups(pendingPods('p', 3, { cpu: '100m', hostPort: 8080 })), template, { maxNodes: 1000 }).nodeCount, 3);
});

test('estimate: DaemonSet pods on the template take their room', () => {
  const withDs = { node: node({ name: 'tpl', cpu: '4' }), pods: [pod({ name: 'ds', cpu: '1', owner: { kind: 'DaemonSet', name: 'ds' }, nodeName: 'tpl' })] };
  // 3 cpu free per node: 1-cpu pods ×6 → 2 nodes.
  assert.equal(estimate(buildEquivalenceGroups(pendingPods('p', 6, { cpu: '1' })), withDs, { maxNodes: 1000 }).nodeCount, 2);
});
