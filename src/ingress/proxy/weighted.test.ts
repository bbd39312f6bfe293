import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickByWeight, SmoothWeighted } from './weighted.js';

function counts(weights: number[], n: number): number[] {
  const w = new SmoothWeighted(weights.map((weight, i) => ({ item: i, weight })));
  const c = weights.map(() => 0);
  for (let i = 0; i < n; i++) c[w.next()!]++;
  return c;
}

test('smooth weighted round-robin splits exactly over 10,000 requests', () => {
  const cases: Record<string, { weights: number[]; want: number[] }> = {
    'blue/green 100/0': { weights: [100, 0], want: [10_000, 0] },
    'canary 90/10': { weights: [90, 10], want: [9_000, 1_000] },
    'even 1/1': { weights: [1, 1], want: [5_000, 5_000] },
    'three ways 5/3/2': { weights: [5, 3, 2], want: [5_000, 3_000, 2_000] },
    'odd 1/2 (within one request)': { weights: [1, 2], want: [3_334, 6_666] },
  };
  for (const [name, { weights, want }] of Object.entries(cases)) {
    const got = counts(weights, 10_000);
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1, `${name}: ${got} vs ${want}`);
  }
});

test('the split is spread out: a 10% canary never gets two in a row', () => {
  const w = new SmoothWeighted([{ item: 'stable', weight: 9 }, { item: 'canary', weight: 1 }]);
  const seq = Array.from({ length: 100 }, () => w.next());
  for (let i = 1; i < seq.length; i++) assert.ok(!(seq[i] === 'canary' && seq[i - 1] === 'canary'));
});

test('degenerate cases: none, one, all zero', () => {
  assert.equal(new SmoothWeighted<number>([]).next(), undefined);
  assert.equal(new SmoothWeighted([{ item: 'a', weight: 0 }]).next(), 'a');
  assert.equal(new SmoothWeighted([{ item: 'a', weight: 0 }, { item: 'b', weight: 0 }]).next(), 'a');
});

test('random by weight holds within a few percent over 10,000 draws (seeded)', () => {
  let s = 42;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const c = { a: 0, b: 0 };
  for (let i = 0; i < 10_000; i++) c[pickByWeight([{ item: 'a' as const, weight: 80 }, { item: 'b' as const, weight: 20 }], rand)!]++;
  assert.ok(Math.abs(c.a - 8_000) < 300, JSON.stringify(c));
  assert.equal(pickByWeight([{ item: 'x', weight: 0 }], rand), 'x');
});
