import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPodInfo, zoneKey, type NodeInfo, type NodeScore } from '../framework.js';
import { makePod, nodeInfo } from '../testing.js';
import { selectorSpread } from './selector-spread.js';

const ZONE = 'topology.kubernetes.io/zone';

function spread(nodes: NodeInfo[], owner = 'rs1'): number[] {
  const state = new Map<string, unknown>();
  const pod = newPodInfo(makePod({ name: 'new', owner }));
  assert.equal(selectorSpread.preScore(state, pod).code, 'Success');
  const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: selectorSpread.score(state, pod, n) }));
  selectorSpread.normalizeScore(state, pod, scores, nodes);
  return scores.map((s) => s.score);
}

const replicas = (n: number, owner = 'rs1') => Array.from({ length: n }, (_, i) => makePod({ name: `${owner}-${Math.random()}-${i}`, owner }));

test('replicas of one owner spread across nodes', () => {
  // Counts 2, 1, 0; max 2: 100 × (2 − c) / 2 → 0, 50, 100.
  assert.deepEqual(spread([nodeInfo({ name: 'a' }, ...replicas(2)), nodeInfo({ name: 'b' }, ...replicas(1)), nodeInfo({ name: 'c' })]), [0, 50, 100]);
  // Another owner's pods do not count: all 0 → all 100.
  assert.deepEqual(spread([nodeInfo({ name: 'a' }, ...replicas(3, 'rs2')), nodeInfo({ name: 'b' })]), [100, 100]);
});

test('and across zones, weighted 2/3', () => {
  // a (zone-1): 1, b (zone-1): 0, c (zone-2): 0. Node max 1, zone counts zone-1 1, zone-2 0.
  // a: node 100 × 0/1 = 0, zone 0 → 0 × 1/3 + 0 × 2/3 = 0.
  // b: node 100, zone 100 × (1 − 1)/1 = 0 → 100/3 = 33.3 → 33.
  // c: node 100, zone 100 → 100.
  const z = (name: string, zone: string, n: number) => nodeInfo({ name, labels: { [ZONE]: zone } }, ...replicas(n));
  assert.deepEqual(spread([z('a', 'zone-1', 1), z('b', 'zone-1', 0), z('c', 'zone-2', 0)]), [0, 33, 100]);
  assert.equal(zoneKey({ [ZONE]: 'z', 'topology.kubernetes.io/region': 'r' }), 'r:\0:z');
  assert.equal(zoneKey({}), '');
});

test('pods without a controller owner skip spreading', () => {
  assert.equal(selectorSpread.preScore(new Map(), newPodInfo(makePod({ name: 'bare' }))).code, 'Skip');
});
