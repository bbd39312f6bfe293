import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { budgetSelects, budgetStatus, DELETION_TIMEOUT_MS, type ControllerScale } from './budget.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function pod(name: string, opts: { ready?: boolean; deleting?: boolean; labels?: Record<string, string> } = {}): Pod {
  return {
    metadata: { name, namespace: 'ns', labels: opts.labels ?? { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: iso(NOW) } : {}), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

function pdb(spec: PodDisruptionBudget['spec'], status?: PodDisruptionBudget['status']): PodDisruptionBudget {
  return { metadata: { name: 'web', namespace: 'ns', generation: 3 }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec }, status };
}

const scale = (replicas: number) => (): ControllerScale => ({ uid: 'deploy-uid', replicas });
const three = [pod('a'), pod('b'), pod('c')];

test('status from a budget, its pods and their controllers’ scale', () => {
  const cases: Array<{ name: string; spec: PodDisruptionBudget['spec']; pods: Pod[]; replicas?: number; want: { expectedPods: number; desiredHealthy: number; currentHealthy: number; disruptionsAllowed: number; reason: string } }> = [
    { name: 'minAvailable int: expected = matching pods', spec: { minAvailable: 2 }, pods: three, want: { expectedPods: 3, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1, reason: 'SufficientPods' } },
    { name: 'minAvailable equal to healthy: no disruption', spec: { minAvailable: 3 }, pods: three, want: { expectedPods: 3, desiredHealthy: 3, currentHealthy: 3, disruptionsAllowed: 0, reason: 'InsufficientPods' } },
    { name: 'unready and deleting pods are not healthy', spec: { minAvailable: 1 }, pods: [pod('a'), pod('b', { ready: false }), pod('c', { deleting: true })], want: { expectedPods: 3, desiredHealthy: 1, currentHealthy: 1, disruptionsAllowed: 0, reason: 'InsufficientPods' } },
    { name: 'minAvailable percent of the controller scale, rounded up', spec: { minAvailable: '50%' }, pods: three, replicas: 5, want: { expectedPods: 5, desiredHealthy: 3, currentHealthy: 3, disruptionsAllowed: 0, reason: 'InsufficientPods' } },
    { name: 'maxUnavailable int', spec: { maxUnavailable: 1 }, pods: three, replicas: 3, want: { expectedPods: 3, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1, reason: 'SufficientPods' } },
    { name: 'maxUnavailable percent rounds up', spec: { maxUnavailable: '34%' }, pods: three, replicas: 3, want: { expectedPods: 3, desiredHealthy: 1, currentHealthy: 3, disruptionsAllowed: 2, reason: 'SufficientPods' } },
    { name: 'maxUnavailable above the scale: desiredHealthy 0', spec: { maxUnavailable: 10 }, pods: three, replicas: 3, want: { expectedPods: 3, desiredHealthy: 0, currentHealthy: 3, disruptionsAllowed: 3, reason: 'SufficientPods' } },
  ];
  for (const c of cases) {
    const { status } = budgetStatus({ pdb: pdb(c.spec), pods: c.pods, scaleOf: scale(c.replicas ?? 0), now: NOW });
    assert.deepEqual(
      { expectedPods: status.expectedPods, desiredHealthy: status.desiredHealthy, currentHealthy: status.currentHealthy, disruptionsAllowed: status.disruptionsAllowed, reason: status.conditions?.[0].reason },
      c.want,
      c.name,
    );
    assert.equal(status.observedGeneration, 3, c.name);
  }
});

test('a pod without a scalable controller fails a percentage budget with kube’s message', () => {
  const { status } = budgetStatus({ pdb: pdb({ maxUnavailable: '50%' }), pods: three, scaleOf: () => undefined, now: NOW });
  assert.equal(status.disruptionsAllowed, 0);
  assert.deepEqual({ status: status.conditions?.[0].status, reason: status.conditions?.[0].reason, message: status.conditions?.[0].message }, { status: 'False', reason: 'SyncFailed', message: 'found no controllers for pod "a"' });
});

test('granted evictions count as disrupted for two minutes, then free the budget', () => {
  const granted = pdb({ minAvailable: 2 }, { disruptedPods: { a: iso(NOW - 1000) }, disruptionsAllowed: 0, currentHealthy: 2, desiredHealthy: 2, expectedPods: 3 });
  const now = budgetStatus({ pdb: granted, pods: three, scaleOf: scale(0), now: NOW });
  assert.equal(now.status.currentHealthy, 2);
  assert.equal(now.status.disruptionsAllowed, 0);
  assert.deepEqual(now.status.disruptedPods, { a: iso(NOW - 1000) });
  assert.equal(now.requeueAfterMs, DELETION_TIMEOUT_MS - 1000);
  const later = budgetStatus({ pdb: granted, pods: three, scaleOf: scale(0), now: NOW + DELETION_TIMEOUT_MS });
  assert.equal(later.status.currentHealthy, 3);
  assert.equal(later.status.disruptedPods, undefined);
  assert.equal(later.requeueAfterMs, undefined);
  // A disrupted pod seen going is dropped at once.
  const gone = budgetStatus({ pdb: granted, pods: [pod('b'), pod('c')], scaleOf: scale(0), now: NOW });
  assert.equal(gone.status.disruptedPods, undefined);
});

test('the condition keeps its transition time while its status holds', () => {
  const first = budgetStatus({ pdb: pdb({ minAvailable: 1 }), pods: three, scaleOf: scale(0), now: NOW }).status;
  const again = budgetStatus({ pdb: pdb({ minAvailable: 1 }, first), pods: three, scaleOf: scale(0), now: NOW + 60_000 }).status;
  assert.equal(again.conditions?.[0].lastTransitionTime, first.conditions?.[0].lastTransitionTime);
});

test('selectors: an empty one selects the whole namespace, an absent one nothing', () => {
  const p = pod('a');
  assert.equal(budgetSelects(pdb({}), p), true);
  assert.equal(budgetSelects({ ...pdb({}), spec: { selector: {} } }, p), true);
  assert.equal(budgetSelects({ ...pdb({}), spec: {} }, p), false);
  assert.equal(budgetSelects(pdb({ selector: { matchLabels: { app: 'db' } } }), p), false);
  assert.equal(budgetSelects(pdb({}), { ...p, metadata: { ...p.metadata, namespace: 'other' } }), false);
});
