import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeHash, fnv32a, safeEncodeString, semanticDeepEqual } from './hash.js';

test('fnv32a matches the published FNV-1a test vectors', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  assert.equal(fnv32a(enc('')), 0x811c9dc5);
  assert.equal(fnv32a(enc('a')), 0xe40c292c);
  assert.equal(fnv32a(enc('foobar')), 0xbf9cf968);
});

test('safeEncodeString maps digits as rand.SafeEncodeString does', () => {
  // '0' is byte 48, 48 % 27 = 21 → '4'; '6' is 54, 54 % 27 = 0 → 'b'; '9' is 57 % 27 = 3 → 'f'.
  assert.equal(safeEncodeString('0123456789'), '456789bcdf');
});

test('computeHash: stable, template-sensitive, collision-count-sensitive, kube-shaped', () => {
  const t = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } };
  const h = computeHash(t);
  assert.match(h, /^[456789bcdf]{1,10}$/);
  assert.equal(computeHash(structuredClone(t)), h);
  assert.equal(computeHash({ spec: t.spec, metadata: t.metadata }), h, 'key order does not matter');
  assert.notEqual(computeHash({ ...t, spec: { containers: [{ name: 'c', image: 'nginx:1.26' }] } }), h);
  assert.notEqual(computeHash(t, 1), h);
  assert.notEqual(computeHash(t, 0), h, 'a collisionCount of 0 is still mixed in, as in kube');
});

test('semanticDeepEqual: empty and absent maps and lists are equal', () => {
  assert.ok(semanticDeepEqual({ a: {}, b: [], c: null }, {}));
  assert.ok(!semanticDeepEqual({ a: 0 }, {}));
  assert.ok(semanticDeepEqual({ x: 1, y: { z: 2 } }, { y: { z: 2 }, x: 1 }));
});
