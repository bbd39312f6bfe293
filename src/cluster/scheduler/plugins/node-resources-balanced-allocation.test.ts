import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPodInfo } from '../framework.js';
import { makePod, nodeInfo } from '../testing.js';
import { balancedResourceScore, nodeResourcesBalancedAllocation } from './node-resources-balanced-allocation.js';

test('balanced allocation: (1 − std of the used fractions) × 100', () => {
  const cases: Record<string, { requested: number[]; allocatable: number[]; want: number }> = {
    // 0.5 and 0.5: std 0 → 100.
    equal: { requested: [2000, 4], allocatable: [4000, 8], want: 100 },
    // 0.75 and 0.25: std |0.75 − 0.25| / 2 = 0.25 → 75.
    skewed: { requested: [3000, 2], allocatable: [4000, 8], want: 75 },
    // 1.5 is capped at 1; 0: std 0.5 → 50.
    'capped at one': { requested: [6000, 0], allocatable: [4000, 8], want: 50 },
    // Only cpu has allocatable: one fraction, std 0 → 100.
    'one resource': { requested: [1000, 5], allocatable: [4000, 0], want: 100 },
    // Three: 0.2, 0.4, 0.9 → mean 0.5, variance (0.09 + 0.01 + 0.16) / 3 = 0.0867, std 0.2944 → 70.55 → 70.
    three: { requested: [2, 4, 9], allocatable: [10, 10, 10], want: 70 },
  };
  for (const [name, c] of Object.entries(cases)) assert.equal(balancedResourceScore(c.requested, c.allocatable), c.want, name);
});

test('balanced allocation counts actual requests, not container defaults', () => {
  // Node 4 cpu / 8Gi with 1 cpu / 1Gi placed; pod 1 cpu / 3Gi: cpu 2/4 = 0.5, memory 4/8 = 0.5 → 100.
  const ni = nodeInfo({ name: 'n' }, makePod({ name: 'a', cpu: '1', memory: '1Gi' }));
  assert.equal(nodeResourcesBalancedAllocation.score(new Map(), newPodInfo(makePod({ name: 'p', cpu: '1', memory: '3Gi' })), ni), 100);
  // A best-effort pod adds 0: cpu 1/4 = 0.25, memory 1/8 = 0.125 → std 0.0625 → 93.75 → 93.
  assert.equal(nodeResourcesBalancedAllocation.score(new Map(), newPodInfo(makePod({ name: 'p' })), ni), 93);
});
