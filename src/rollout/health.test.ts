import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { assessHealth, podTable } from './health.js';

function pod(name: string, o: { ready?: boolean; restarts?: number[]; waiting?: string; deleting?: boolean; phase?: string } = {}): V1Pod {
  const restarts = o.restarts ?? [0];
  return {
    metadata: { name, ...(o.deleting ? { deletionTimestamp: new Date() } : {}) },
    spec: { containers: restarts.map((_, i) => ({ name: `c${i}` })) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }],
      containerStatuses: restarts.map((n, i) => ({
        name: `c${i}`,
        image: 'x',
        imageID: '',
        ready: o.ready !== false,
        restartCount: n,
        ...(o.waiting ? { state: { waiting: { reason: o.waiting } } } : {}),
      })),
    },
  };
}

test('assessHealth by case', () => {
  const cases: Record<string, { pods: V1Pod[]; desired: number; max?: number; healthy: boolean; reasons?: string[] }> = {
    'all Ready, no restarts': { pods: [pod('a'), pod('b')], desired: 2, healthy: true },
    'restart sum of exactly 2 passes (the step compared with -gt 2)': { pods: [pod('a', { restarts: [1] }), pod('b', { restarts: [1] })], desired: 2, healthy: true },
    'three pods with one restart each fail (sum 3 > 2)': {
      pods: [pod('a', { restarts: [1] }), pod('b', { restarts: [1] }), pod('c', { restarts: [1] })],
      desired: 3,
      healthy: false,
      reasons: ['3 restarts in total, more than 2'],
    },
    'restarts of every container count': { pods: [pod('a', { restarts: [2, 1] })], desired: 1, healthy: false, reasons: ['3 restarts in total, more than 2'] },
    'a threshold set by flag': { pods: [pod('a', { restarts: [3] })], desired: 1, max: 5, healthy: true },
    'a pod that is not Ready fails, whatever its restarts': {
      pods: [pod('a'), pod('b', { ready: false, waiting: 'CrashLoopBackOff', restarts: [1] })],
      desired: 2,
      healthy: false,
      reasons: ['pod b is not Ready (CrashLoopBackOff)', '1 of 2 desired pods are Ready'],
    },
    'fewer pods than desired fail (the original passed an empty list)': { pods: [], desired: 2, healthy: false, reasons: ['0 of 2 desired pods are Ready'] },
    'terminating pods do not count': { pods: [pod('a'), pod('b', { deleting: true, ready: false })], desired: 1, healthy: true },
  };
  for (const [name, c] of Object.entries(cases)) {
    const v = assessHealth(c.pods, c.desired, c.max);
    assert.equal(v.healthy, c.healthy, name);
    if (c.reasons) assert.deepEqual(v.reasons, c.reasons, name);
  }
});

test('podTable: kubectl get pods columns', () => {
  assert.equal(
    podTable([pod('shop-2-abc', { restarts: [0] }), pod('shop-2-defgh', { ready: false, waiting: 'CrashLoopBackOff', restarts: [4] })]),
    ['NAME           READY   STATUS             RESTARTS', 'shop-2-abc     1/1     Running            0', 'shop-2-defgh   0/1     CrashLoopBackOff   4'].join('\n'),
  );
  assert.equal(podTable([]), 'No resources found.');
});
