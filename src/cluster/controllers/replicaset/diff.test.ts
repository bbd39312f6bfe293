import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { podFromTemplate, rankForDeletion, replicaSetDiff, replicaSetStatus, slowStartBatches, nextAvailableAt } from './diff.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function rs(replicas: number, minReadySeconds = 0): ReplicaSet {
  return {
    metadata: { name: 'web-6b9f8c7d4', namespace: 'default', uid: 'rs-uid', generation: 2 },
    spec: { replicas, minReadySeconds, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  };
}

interface PodOpts {
  node?: string;
  phase?: string;
  /** seconds ago the pod became ready; undefined = not ready */
  readyFor?: number;
  ageSeconds?: number;
  restarts?: number;
  labels?: Record<string, string>;
  cost?: number;
}

function pod(name: string, o: PodOpts = {}): Pod {
  return {
    metadata: {
      name,
      uid: `uid-${name}`,
      creationTimestamp: iso(NOW - (o.ageSeconds ?? 3600) * 1000),
      labels: o.labels ?? { app: 'web', tier: 'fe' },
      ...(o.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': String(o.cost) } } : {}),
    },
    spec: { containers: [], nodeName: o.node },
    status: {
      phase: o.phase ?? (o.node ? 'Running' : 'Pending'),
      conditions: o.readyFor !== undefined ? [{ type: 'Ready', status: 'True', lastTransitionTime: iso(NOW - o.readyFor * 1000) }] : [{ type: 'Ready', status: 'False' }],
      containerStatuses: [{ name: 'c', image: 'nginx', imageID: '', ready: o.readyFor !== undefined, restartCount: o.restarts ?? 0 }],
    },
  };
}

const names = (pods: Pod[]) => pods.map((p) => p.metadata!.name);

const diffCases: Record<string, { replicas: number; pods: Pod[]; want: string }> = {
  'too few pods: create the difference': { replicas: 5, pods: [pod('a', { node: 'n1', readyFor: 60 })], want: 'create 4' },
  'as many pods as replicas: nothing': { replicas: 1, pods: [pod('a')], want: 'none' },
  'more than the burst: capped at 500 per sync': { replicas: 1000, pods: [], want: 'create 500' },
  'scale to zero: every pod goes, unranked': { replicas: 0, pods: [pod('a', { node: 'n1', readyFor: 60 }), pod('b')], want: 'delete a,b' },
  'unscheduled goes before scheduled': { replicas: 1, pods: [pod('sched', { node: 'n1', readyFor: 60 }), pod('unsched')], want: 'delete unsched' },
  'pending goes before running': { replicas: 1, pods: [pod('running', { node: 'n1', readyFor: 60 }), pod('pending', { node: 'n2', phase: 'Pending' })], want: 'delete pending' },
  'not ready goes before ready': { replicas: 1, pods: [pod('ready', { node: 'n1', readyFor: 60 }), pod('notready', { node: 'n2' })], want: 'delete notready' },
  'lower pod-deletion-cost goes first': { replicas: 1, pods: [pod('dear', { node: 'n1', readyFor: 60, cost: 10 }), pod('cheap', { node: 'n2', readyFor: 60, cost: -5 })], want: 'delete cheap' },
  'doubled up on a node goes first': {
    replicas: 2,
    pods: [pod('alone', { node: 'n1', readyFor: 60 }), pod('pair1', { node: 'n2', readyFor: 60, ageSeconds: 7200 }), pod('pair2', { node: 'n2', readyFor: 60, ageSeconds: 7200 })],
    want: 'delete pair1',
  },
  // 30 s ready is 2^34.8 ns, 3000 s is 2^41.4: different log ranks, so the more recently ready goes.
  'ready more recently goes first': { replicas: 1, pods: [pod('old', { node: 'n1', readyFor: 3000 }), pod('young', { node: 'n2', readyFor: 30 })], want: 'delete young' },
  'more restarts goes first': { replicas: 1, pods: [pod('stable', { node: 'n1', readyFor: 60 }), pod('flappy', { node: 'n2', readyFor: 60, restarts: 4 })], want: 'delete flappy' },
  'newer goes first': { replicas: 1, pods: [pod('elder', { node: 'n1', readyFor: 60, ageSeconds: 86400 }), pod('newer', { node: 'n2', readyFor: 60, ageSeconds: 60 })], want: 'delete newer' },
};

for (const [name, c] of Object.entries(diffCases)) {
  test(`replicaSetDiff: ${name}`, () => {
    const d = replicaSetDiff(rs(c.replicas), c.pods, NOW);
    const got = d.type === 'none' ? 'none' : d.type === 'create' ? `create ${d.count}` : `delete ${names(d.pods).join(',')}`;
    assert.equal(got, c.want);
  });
}

test('rankForDeletion: a full ordering as kube ranks it', () => {
  const pods = [pod('ready-old', { node: 'n1', readyFor: 5000 }), pod('unscheduled'), pod('notready', { node: 'n2' }), pod('pending', { node: 'n3', phase: 'Pending' })];
  assert.deepEqual(names(rankForDeletion(pods, pods, NOW)), ['unscheduled', 'pending', 'notready', 'ready-old']);
});

test('slowStartBatches: 1, 2, 4, … as slowStartBatch', () => {
  assert.deepEqual(slowStartBatches(0), []);
  assert.deepEqual(slowStartBatches(1), [1]);
  assert.deepEqual(slowStartBatches(10), [1, 2, 4, 3]);
  assert.deepEqual(slowStartBatches(15), [1, 2, 4, 8]);
});

test('podFromTemplate: generateName, template labels, controller reference', () => {
  const r = rs(1);
  const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: r.metadata!.name!, uid: 'rs-uid', controller: true, blockOwnerDeletion: true };
  const p = podFromTemplate(r.spec!.template!, r.metadata!.name!, ref, 'default');
  assert.equal(p.metadata!.generateName, 'web-6b9f8c7d4-');
  assert.deepEqual(p.metadata!.labels, { app: 'web', tier: 'fe' });
  assert.deepEqual(p.metadata!.ownerReferences, [ref]);
  assert.equal(p.spec!.containers[0].image, 'nginx');
});

test('replicaSetStatus: counts replicas, fully labeled, ready and available (minReadySeconds)', () => {
  // minReadySeconds 10: 'settled' has been ready 60 s (available), 'fresh' 5 s (ready, not yet),
  // 'starting' is not ready; 'partial' lacks the tier label so it is not fully labeled.
  const pods = [pod('settled', { node: 'n', readyFor: 60 }), pod('fresh', { node: 'n', readyFor: 5 }), pod('starting', { node: 'n' }), pod('partial', { node: 'n', readyFor: 60, labels: { app: 'web' } })];
  const s = replicaSetStatus(rs(4, 10), pods, NOW);
  assert.deepEqual(s, { replicas: 4, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 2, observedGeneration: 2 });
  // 'fresh' becomes available 10 − 5 = 5 s from now.
  assert.equal(nextAvailableAt(rs(4, 10), pods, NOW), NOW + 5000);
});

test('replicaSetStatus: ReplicaFailure while creation fails, removed once it works', () => {
  const failing = replicaSetStatus(rs(2), [], NOW, 'pods "web-" is forbidden: exceeded quota');
  assert.equal(failing.conditions?.[0].reason, 'FailedCreate');
  assert.equal(failing.replicas, 0);
  const healed = replicaSetStatus({ ...rs(2), status: failing }, [pod('a'), pod('b')], NOW);
  assert.equal(healed.conditions, undefined);
});
