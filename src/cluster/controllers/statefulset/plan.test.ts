import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { planStatefulSet, statefulSetPod } from './plan.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

function sts(o: { replicas?: number; parallel?: boolean; partition?: number } = {}): StatefulSet {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'sts-uid', generation: 1 },
    spec: {
      replicas: o.replicas ?? 3,
      serviceName: 'nginx',
      podManagementPolicy: o.parallel ? 'Parallel' : 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: o.partition ?? 0 } },
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
}

function pod(ordinal: number, state: 'ready' | 'pending' | 'failed' | 'terminating' = 'ready', revision = 'web-new'): Pod {
  return {
    metadata: { name: `web-${ordinal}`, labels: { app: 'web', 'controller-revision-hash': revision }, ...(state === 'terminating' ? { deletionTimestamp: '2024-05-01T11:59:00Z' } : {}) },
    spec: { containers: [] },
    status: { phase: state === 'pending' ? 'Pending' : state === 'failed' ? 'Failed' : 'Running', conditions: [{ type: 'Ready', status: state === 'ready' || state === 'terminating' ? 'True' : 'False' }] },
  };
}

const plan = (set: StatefulSet, pods: Pod[], current = 'web-new') => {
  const p = planStatefulSet({ set, pods, currentRevision: current, updateRevision: 'web-new', now: NOW });
  return { create: p.create.map((c) => c.pod.metadata!.name), delete: p.delete.map((d) => d.metadata!.name), status: p.status };
};

const cases: Record<string, { set: StatefulSet; pods: Pod[]; current?: string; want: { create: string[]; delete: string[] } }> = {
  'OrderedReady: web-0 first': { set: sts(), pods: [], want: { create: ['web-0'], delete: [] } },
  'OrderedReady: web-1 waits for web-0 to be Running and Ready': { set: sts(), pods: [pod(0, 'pending')], want: { create: [], delete: [] } },
  'OrderedReady: then web-1': { set: sts(), pods: [pod(0)], want: { create: ['web-1'], delete: [] } },
  'Parallel: all at once': { set: sts({ parallel: true }), pods: [pod(0, 'pending')], want: { create: ['web-1', 'web-2'], delete: [] } },
  'a failed pod is deleted to be recreated': { set: sts(), pods: [pod(0, 'failed')], want: { create: [], delete: ['web-0'] } },
  'scale down: the highest ordinal first, one at a time': { set: sts({ replicas: 1 }), pods: [pod(0), pod(1), pod(2)], want: { create: [], delete: ['web-2'] } },
  'scale down waits for the terminating one': { set: sts({ replicas: 1 }), pods: [pod(0), pod(1), pod(2, 'terminating')], want: { create: [], delete: [] } },
  'Parallel scale down: all condemned at once': { set: sts({ replicas: 1, parallel: true }), pods: [pod(0), pod(1), pod(2)], want: { create: [], delete: ['web-2', 'web-1'] } },
  'rolling update: from the highest ordinal down': { set: sts(), pods: [pod(0, 'ready', 'web-old'), pod(1, 'ready', 'web-old'), pod(2, 'ready', 'web-old')], current: 'web-old', want: { create: [], delete: ['web-2'] } },
  'rolling update: waits for the updated pod to be ready': { set: sts(), pods: [pod(0, 'ready', 'web-old'), pod(1, 'ready', 'web-old'), pod(2, 'pending')], current: 'web-old', want: { create: [], delete: [] } },
  'rolling update: stops at the partition': { set: sts({ partition: 2 }), pods: [pod(0, 'ready', 'web-old'), pod(1, 'ready', 'web-old'), pod(2)], current: 'web-old', want: { create: [], delete: [] } },
};

for (const [name, c] of Object.entries(cases)) {
  test(`planStatefulSet: ${name}`, () => {
    const got = plan(c.set, c.pods, c.current);
    assert.deepEqual({ create: got.create, delete: got.delete }, c.want);
  });
}

test('planStatefulSet: status counts and the revision moves once every pod is updated and ready', () => {
  assert.deepEqual(plan(sts(), [pod(0, 'ready', 'web-old'), pod(1), pod(2, 'pending')], 'web-old').status, {
    replicas: 3,
    availableReplicas: 2,
    observedGeneration: 1,
    readyReplicas: 2,
    currentReplicas: 1,
    updatedReplicas: 2,
    currentRevision: 'web-old',
    updateRevision: 'web-new',
  });
  assert.equal(plan(sts(), [pod(0), pod(1), pod(2)], 'web-old').status.currentRevision, 'web-new');
});

test('statefulSetPod: stable identity and claims', () => {
  const { pod: p, claims } = statefulSetPod(sts(), sts().spec!.template, 'web-abc', 1);
  assert.equal(p.metadata?.name, 'web-1');
  assert.deepEqual(p.metadata?.labels, { app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-1', 'apps.kubernetes.io/pod-index': '1', 'controller-revision-hash': 'web-abc' });
  assert.deepEqual([p.spec?.hostname, p.spec?.subdomain], ['web-1', 'nginx']);
  assert.deepEqual(p.spec?.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-1' } }]);
  assert.equal(claims[0].metadata?.name, 'www-web-1');
  assert.deepEqual(claims[0].metadata?.labels, { app: 'web' });
});
