import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CowMap, changedKeys } from './cow-map.js';

test('CowMap: a snapshot does not see later writes, and shares untouched buckets', () => {
  const m = new CowMap<number>();
  for (let i = 0; i < 1000; i++) m.set(`k${i}`, i);
  const a = m.snapshot();
  m.set('k1', -1);
  m.delete('k2');
  m.set('new', 7);
  assert.equal(a.get('k1'), 1);
  assert.equal(a.get('k2'), 2);
  assert.equal(a.has('new'), false);
  assert.equal(a.size, 1000);
  assert.equal(m.size, 1000);
  assert.equal(m.get('k1'), -1);
  assert.deepEqual(new Map(m.snapshot()).get('new'), 7);
  // Only the buckets of k1, k2 and new were copied.
  assert.deepEqual([...changedKeys(a, m.snapshot())!].filter((k) => ['k1', 'k2', 'new'].includes(k)).sort(), ['k1', 'k2', 'new']);
  assert.ok(changedKeys(a, m.snapshot())!.size < 100);
});

test('CowMap: iteration, forEach and delete of a missing key', () => {
  const m = new CowMap<string>();
  m.set('a', 'x').set('b', 'y');
  assert.equal(m.delete('zzz'), false);
  assert.deepEqual([...m.keys()].sort(), ['a', 'b']);
  const seen: string[] = [];
  m.forEach((v, k) => seen.push(`${k}=${v}`));
  assert.deepEqual(seen.sort(), ['a=x', 'b=y']);
  assert.equal(changedKeys(new Map(), m), undefined, 'plain Maps have no buckets to compare');
});
