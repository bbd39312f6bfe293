import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import { softTaintUpdates } from './soft-taint.js';

const node = (name: string, ...keys: string[]): Node => ({ metadata: { name }, spec: { taints: keys.map((key): Taint => ({ key, effect: key.startsWith('Deletion') ? 'PreferNoSchedule' : 'NoSchedule', value: '1' })) } });
const candidate = 'DeletionCandidateOfClusterAutoscaler';
const deleting = 'ToBeDeletedByClusterAutoscaler';

test('unneeded nodes are marked, needed ones cleaned; nodes being deleted are left alone', () => {
  const nodes = [node('a'), node('b', candidate), node('c', candidate), node('d', deleting), node('e', candidate, deleting)];
  assert.deepEqual(softTaintUpdates(nodes, new Set(['a', 'b', 'd']), 10), { clean: ['c'], mark: ['a'] });
  assert.deepEqual(softTaintUpdates(nodes, new Set(), 10), { clean: ['b', 'c'], mark: [] }, 'nothing unneeded: every soft taint goes');
});

test('one budget per iteration, cleaning first; 0 turns soft taints off', () => {
  const nodes = [node('a'), node('b'), node('c', candidate), node('d', candidate)];
  assert.deepEqual(softTaintUpdates(nodes, new Set(['a', 'b']), 3), { clean: ['c', 'd'], mark: ['a'] });
  assert.deepEqual(softTaintUpdates(nodes, new Set(['a', 'b']), 1), { clean: ['c'], mark: [] });
  assert.deepEqual(softTaintUpdates(nodes, new Set(['a', 'b']), 0), { clean: [], mark: [] });
});
