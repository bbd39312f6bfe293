import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoff, DEFAULT_OPTIONS, isBackedOff, removeStaleBackoff } from './index.js';

const MIN = 60_000;
const err = { code: 'cloudProviderError', message: 'boom' };

test('backoff: the first failure backs off for 5m', () => {
  const e = backoff(undefined, 0, DEFAULT_OPTIONS, err);
  assert.equal(e.duration, 5 * MIN);
  assert.equal(isBackedOff(e, 5 * MIN - 1), true);
  assert.equal(isBackedOff(e, 5 * MIN), false);
});

test('backoff: doubles on a failure after the backoff expired, capped at 30m', () => {
  let e = backoff(undefined, 0, DEFAULT_OPTIONS, err);
  const durations = [e.duration];
  for (let i = 0; i < 5; i++) {
    e = backoff(e, e.until + 1, DEFAULT_OPTIONS, err);
    durations.push(e.duration);
  }
  assert.deepEqual(durations.map((d) => d / MIN), [5, 10, 20, 30, 30, 30]);
});

test('backoff: a failure during the backoff keeps the duration', () => {
  const e = backoff(undefined, 0, DEFAULT_OPTIONS, err);
  const again = backoff(e, MIN, DEFAULT_OPTIONS, err);
  assert.equal(again.duration, 5 * MIN);
  assert.equal(again.until, 6 * MIN);
});

test('backoff: resets to 5m after 3h without failures', () => {
  let e = backoff(undefined, 0, DEFAULT_OPTIONS, err);
  e = backoff(e, e.until + 1, DEFAULT_OPTIONS, err); // 10m
  const later = backoff(e, e.lastFailed + 3 * 60 * MIN + 1, DEFAULT_OPTIONS, err);
  assert.equal(later.duration, 5 * MIN);
});

test('removeStaleBackoff: forgets groups after the reset timeout', () => {
  const e = backoff(undefined, 0, DEFAULT_OPTIONS, err);
  assert.deepEqual(Object.keys(removeStaleBackoff({ a: e }, 3 * 60 * MIN, DEFAULT_OPTIONS)), ['a']);
  assert.deepEqual(Object.keys(removeStaleBackoff({ a: e }, 3 * 60 * MIN + 1, DEFAULT_OPTIONS)), []);
});
