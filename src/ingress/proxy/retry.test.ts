import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RetryPolicy } from '../dag/index.js';
import { perTryTimeoutMs, retriable, retryBackoffMs, routeTimeoutMs, shouldRetry, type AttemptOutcome } from './retry.js';

const policy = (retryOn: string, numRetries = 1): RetryPolicy => ({ retryOn, numRetries, perTryTimeout: { kind: 'unset' } });
const r = (status: number): AttemptOutcome => ({ kind: 'response', status });

test('retriable: what each retry_on condition covers', () => {
  const cases: Array<[string, AttemptOutcome, boolean]> = [
    ['5xx', r(500), true], ['5xx', r(503), true], ['5xx', r(404), false], ['5xx', r(200), false],
    ['5xx', { kind: 'connect-failure' }, true], ['5xx', { kind: 'reset' }, true], ['5xx', { kind: 'per-try-timeout' }, true],
    ['gateway-error', r(500), false], ['gateway-error', r(502), true], ['gateway-error', r(504), true], ['gateway-error', { kind: 'connect-failure' }, true],
    ['connect-failure', { kind: 'connect-failure' }, true], ['connect-failure', r(503), false], ['connect-failure', { kind: 'reset' }, false],
    ['reset', { kind: 'reset' }, true], ['reset', r(500), false],
    ['retriable-4xx', r(409), true], ['retriable-4xx', r(400), false],
    ['connect-failure, 5xx', r(500), true],
    ['', r(500), false],
  ];
  for (const [on, o, want] of cases) assert.equal(retriable(on, o), want, `${on} ${JSON.stringify(o)}`);
});

test('shouldRetry: counts retries, honours the deadline, never retries success', () => {
  assert.equal(shouldRetry(undefined, r(503), 1), false, 'no policy, no retry');
  assert.equal(shouldRetry(policy('5xx', 1), r(503), 1), true);
  assert.equal(shouldRetry(policy('5xx', 1), r(503), 2), false, 'one retry used');
  assert.equal(shouldRetry(policy('5xx', 3), r(503), 3), true);
  assert.equal(shouldRetry(policy('5xx', 3), r(503), 4), false);
  assert.equal(shouldRetry(policy('5xx', 0), r(503), 1), true, 'num_retries unset is Envoy default 1');
  assert.equal(shouldRetry(policy('5xx', 3), r(503), 1, true), false, 'route deadline passed');
  assert.equal(shouldRetry(policy('5xx', 3), r(200), 1), false);
});

test('timeouts: unset is Envoy\'s 15 s, infinite is none, per-try only when set', () => {
  assert.equal(routeTimeoutMs({ kind: 'unset' }), 15_000);
  assert.equal(routeTimeoutMs({ kind: 'infinite' }), undefined);
  assert.equal(routeTimeoutMs({ kind: 'duration', ms: 1500 }), 1500);
  assert.equal(perTryTimeoutMs(undefined), undefined);
  assert.equal(perTryTimeoutMs(policy('5xx')), undefined);
  assert.equal(perTryTimeoutMs({ retryOn: '5xx', numRetries: 1, perTryTimeout: { kind: 'duration', ms: 250 } }), 250);
});

test('back-off is jittered under a doubling cap', () => {
  assert.equal(retryBackoffMs(1, () => 0.999), 24);
  assert.equal(retryBackoffMs(2, () => 0.999), 49);
  assert.equal(retryBackoffMs(10, () => 0.999), 249);
  assert.equal(retryBackoffMs(1, () => 0), 0);
});
