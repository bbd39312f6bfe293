import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickEndpoint } from './balancer.js';

const eps = ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80'];

test('ROUND_ROBIN takes each endpoint in turn', () => {
  const state = { rr: 0 };
  assert.deepEqual(Array.from({ length: 6 }, () => pickEndpoint('ROUND_ROBIN', eps, state)), [...eps, ...eps]);
});

test('RANDOM uses the random source', () => {
  assert.equal(pickEndpoint('RANDOM', eps, { rr: 0 }, { random: () => 0.99 }), eps[2]);
  assert.equal(pickEndpoint('RANDOM', eps, { rr: 0 }, { random: () => 0 }), eps[0]);
});

test('LEAST_REQUEST: of two choices, the one with fewer requests in flight', () => {
  const active = (e: string) => ({ '10.0.0.1:80': 5, '10.0.0.2:80': 1, '10.0.0.3:80': 0 })[e] ?? 0;
  // random 0 → first choice eps[0]; second choice eps[0] too → replaced by the last (eps[2]).
  assert.equal(pickEndpoint('LEAST_REQUEST', eps, { rr: 0 }, { active, random: () => 0 }), eps[2]);
  let i = 0;
  const seq = [0.5, 0]; // eps[1], then eps[0]
  assert.equal(pickEndpoint('LEAST_REQUEST', eps, { rr: 0 }, { active, random: () => seq[i++] }), eps[1]);
});

test('RING_HASH: one key keeps one endpoint; removing another endpoint does not move it', () => {
  const keys = Array.from({ length: 200 }, (_, i) => `client-${i}`);
  const before = keys.map((k) => pickEndpoint('RING_HASH', eps, { rr: 0 }, { hashKey: k }));
  assert.deepEqual(keys.map((k) => pickEndpoint('RING_HASH', eps, { rr: 0 }, { hashKey: k })), before);
  const without3 = eps.slice(0, 2);
  keys.forEach((k, i) => {
    if (before[i] !== eps[2]) assert.equal(pickEndpoint('RING_HASH', without3, { rr: 0 }, { hashKey: k }), before[i]);
  });
  // Spread: every endpoint gets some keys.
  for (const e of eps) assert.ok(before.includes(e));
});

test('RING_HASH without a key falls back to round robin', () => {
  const state = { rr: 0 };
  assert.deepEqual([0, 1, 2].map(() => pickEndpoint('RING_HASH', eps, state)), eps);
});
