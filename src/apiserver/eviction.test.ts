import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import { budgetSelectsPod, decideEviction } from './eviction.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');

function pod(opts: { phase?: string; ready?: boolean; deleting?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'ns', uid: 'u1', labels: { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: '2026-11-26T11:59:00Z' } : {}) },
    status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

function budget(status: Record<string, unknown>, extra: { generation?: number; policy?: string } = {}): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name: 'web-pdb', namespace: 'ns', generation: extra.generation ?? 1 },
    spec: { selector: { matchLabels: { app: 'web' } }, ...(extra.policy ? { unhealthyPodEvictionPolicy: extra.policy } : {}) },
    status: { observedGeneration: 1, ...status },
  };
}

function refusal(fn: () => unknown): { code: number; reason: string; message: string; cause?: string } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError);
    return { code: e.code, reason: e.reason, message: e.message, cause: e.details?.causes?.[0]?.message };
  }
  assert.fail('expected a refusal');
}

test('evictions that need no budget: none applies, or the pod does not count', () => {
  assert.deepEqual(decideEviction(pod(), [], NOW), { kind: 'delete' });
  for (const p of [pod({ phase: 'Succeeded' }), pod({ phase: 'Failed' }), pod({ phase: 'Pending' }), pod({ deleting: true })]) {
    assert.deepEqual(decideEviction(p, [budget({ disruptionsAllowed: 0 })], NOW), { kind: 'delete' });
  }
  // An unready pod costs nothing while the budget is met, or always with AlwaysAllow.
  assert.deepEqual(decideEviction(pod({ ready: false }), [budget({ disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 })], NOW), { kind: 'delete' });
  assert.deepEqual(decideEviction(pod({ ready: false }), [budget({ disruptionsAllowed: 0, currentHealthy: 1, desiredHealthy: 2 }, { policy: 'AlwaysAllow' })], NOW), { kind: 'delete' });
});

test('an allowed eviction charges the budget and records the pod', () => {
  const d = decideEviction(pod(), [budget({ disruptionsAllowed: 2, currentHealthy: 3, desiredHealthy: 1 })], NOW);
  assert.equal(d.kind, 'charge');
  assert.equal(d.kind === 'charge' && d.status.disruptionsAllowed, 1);
  assert.deepEqual(d.kind === 'charge' && d.status.disruptedPods, { 'web-1': '2026-11-26T12:00:00Z' });
});

test('refusals are worded as kube-apiserver words them', () => {
  assert.deepEqual(refusal(() => decideEviction(pod(), [budget({ disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2 })], NOW)), {
    code: 429,
    reason: 'TooManyRequests',
    message: "Cannot evict pod as it would violate the pod's disruption budget.",
    cause: 'The disruption budget web-pdb needs 2 healthy pods and has 2 currently',
  });
  assert.equal(refusal(() => decideEviction(pod(), [budget({ disruptionsAllowed: 1 }, { generation: 2 })], NOW)).cause, 'The disruption budget web-pdb is still being processed by the server.');
  assert.deepEqual(refusal(() => decideEviction(pod(), [budget({ disruptionsAllowed: 1 }), budget({ disruptionsAllowed: 1 })], NOW)), {
    code: 500,
    reason: 'InternalError',
    message: 'Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    cause: undefined,
  });
  assert.equal(refusal(() => decideEviction(pod(), [budget({ disruptionsAllowed: -1 })], NOW)).message, 'pdb disruptions allowed is negative');
});

test('budget selection: same namespace, label selector, empty selects all', () => {
  assert.equal(budgetSelectsPod(budget({}), pod()), true);
  assert.equal(budgetSelectsPod({ ...budget({}), spec: { selector: {} } }, pod()), true);
  assert.equal(budgetSelectsPod({ ...budget({}), spec: {} }, pod()), false);
  assert.equal(budgetSelectsPod({ ...budget({}), metadata: { name: 'x', namespace: 'other' } }, pod()), false);
});
