import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterCheck, afterOutcome, ejectionAllowed, isEjected, isGatewayFailure, NEW_ACTIVE_HEALTH, NEW_OUTLIER, type ActiveHealth } from './endpoint-health.js';

const th = { healthy: 2, unhealthy: 3 };
function run(results: boolean[]): boolean[] {
  let h: ActiveHealth = NEW_ACTIVE_HEALTH;
  return results.map((p) => (h = afterCheck(h, p, th)).healthy);
}

test('active checks: first result decides; then Contour\'s thresholds (3 down, 2 up)', () => {
  const cases: Record<string, { checks: boolean[]; want: boolean[] }> = {
    'new endpoint passes': { checks: [true], want: [true] },
    'new endpoint fails': { checks: [false], want: [false] },
    'three failures take it out': { checks: [true, false, false, false], want: [true, true, true, false] },
    'a pass resets the failure streak': { checks: [true, false, false, true, false, false], want: [true, true, true, true, true, true] },
    'two passes bring it back': { checks: [false, true, true], want: [false, false, true] },
    'a failure resets the pass streak': { checks: [false, true, false, true, true], want: [false, false, false, false, true] },
  };
  for (const [name, { checks, want }] of Object.entries(cases)) assert.deepEqual(run(checks), want, name);
  assert.equal(NEW_ACTIVE_HEALTH.healthy, false, 'no traffic before the first check passes');
});

test('passive ejection: 5 gateway failures in a row eject, for longer each time', () => {
  let o = NEW_OUTLIER;
  for (let i = 0; i < 4; i++) o = afterOutcome(o, true, 0, true);
  assert.equal(isEjected(o, 0), false);
  o = afterOutcome(o, true, 1000, true);
  assert.equal(isEjected(o, 1000), true);
  assert.equal(isEjected(o, 1000 + 10_000), false, 'back after the base ejection time');
  for (let i = 0; i < 5; i++) o = afterOutcome(o, true, 20_000, true);
  assert.equal(o.ejectedUntil, 20_000 + 20_000, 'second ejection lasts twice as long');
});

test('passive ejection: a success resets the count; no budget, no ejection', () => {
  let o = NEW_OUTLIER;
  for (let i = 0; i < 4; i++) o = afterOutcome(o, true, 0, true);
  o = afterOutcome(o, false, 0, true);
  assert.equal(o.failures, 0);
  for (let i = 0; i < 10; i++) o = afterOutcome(o, true, 0, false);
  assert.equal(isEjected(o, 0), false);
});

test('ejection budget: at most half the endpoints, at least one', () => {
  assert.equal(ejectionAllowed(0, 1), true);
  assert.equal(ejectionAllowed(1, 1), false);
  assert.equal(ejectionAllowed(0, 2), true);
  assert.equal(ejectionAllowed(1, 2), false);
  assert.equal(ejectionAllowed(1, 4), true);
  assert.equal(ejectionAllowed(2, 4), false);
});

test('gateway failures: no response, 502, 503, 504', () => {
  assert.equal(isGatewayFailure({ kind: 'connect-failure' }), true);
  assert.equal(isGatewayFailure({ kind: 'response', status: 502 }), true);
  assert.equal(isGatewayFailure({ kind: 'response', status: 500 }), false);
  assert.equal(isGatewayFailure({ kind: 'response', status: 200 }), false);
});
