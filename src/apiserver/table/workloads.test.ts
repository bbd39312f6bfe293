import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from './index.js';
import { DAY, HOUR, MIN, ago, cells, obj, print } from './fixtures.js';

const template = (...containers: Array<[string, string]>) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: containers.map(([name, image]) => ({ name, image })) },
});

function deployment(name: string, replicas: number | undefined, status: Record<string, unknown>): KubeObject {
  return obj(name, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      selector: { matchLabels: { app: 'web', tier: 'front' } },
      template: template(['nginx', 'nginx:1.27'], ['sidecar', 'envoy:v1.31']),
    },
    status,
  });
}

test('deployment 2/3: READY UP-TO-DATE AVAILABLE AGE, wide CONTAINERS IMAGES SELECTOR', () => {
  const d = deployment('web', 3, { replicas: 3, updatedReplicas: 3, readyReplicas: 2, availableReplicas: 2 });
  assert.deepEqual(print('apps', 'Deployment', d), { headers: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE'], cells: ['web', '2/3', 3, 2, '5m'] });
  assert.deepEqual(print('apps', 'Deployment', d, { wide: true }), {
    headers: ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
    cells: ['web', '2/3', 3, 2, '5m', 'nginx,sidecar', 'nginx:1.27,envoy:v1.31', 'app=web,tier=front'],
  });
});

test('deployment: fresh object with no status, replicas defaulted to 1; scaled to zero', () => {
  assert.deepEqual(cells('apps', 'Deployment', deployment('fresh', undefined, {})).slice(0, 4), ['fresh', '0/1', 0, 0]);
  assert.deepEqual(cells('apps', 'Deployment', deployment('idle', 0, {})).slice(0, 4), ['idle', '0/0', 0, 0]);
});

test('deployment: match expressions in the selector', () => {
  const d = deployment('expr', 1, {});
  d.spec.selector = {
    matchLabels: { app: 'web' },
    matchExpressions: [
      { key: 'track', operator: 'In', values: ['stable', 'canary'] },
      { key: 'env', operator: 'NotIn', values: ['dev'] },
      { key: 'zone', operator: 'Exists' },
      { key: 'legacy', operator: 'DoesNotExist' },
    ],
  };
  assert.equal(cells('apps', 'Deployment', d)[7], 'app=web,env notin (dev),!legacy,track in (canary,stable),zone');
});

test('replicaset: DESIRED CURRENT READY AGE', () => {
  const rs = obj('web-7d4b9', {
    spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d4b9' } }, template: template(['nginx', 'nginx:1.27']) },
    status: { replicas: 3, readyReplicas: 2 },
  }, { creationTimestamp: ago(3 * DAY + 4 * HOUR) });
  assert.deepEqual(print('apps', 'ReplicaSet', rs, { wide: true }), {
    headers: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
    cells: ['web-7d4b9', 3, 3, 2, '3d4h', 'nginx', 'nginx:1.27', 'app=web,pod-template-hash=7d4b9'],
  });
});

test('daemonset: counts, NODE SELECTOR and a missing selector', () => {
  const ds = obj('kube-proxy', {
    spec: { template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [{ name: 'kube-proxy', image: 'registry.k8s.io/kube-proxy:v1.32.0' }] } } },
    status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
  });
  assert.deepEqual(print('apps', 'DaemonSet', ds, { wide: true }), {
    headers: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'NODE SELECTOR', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
    cells: ['kube-proxy', 3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '5m', 'kube-proxy', 'registry.k8s.io/kube-proxy:v1.32.0', '<none>'],
  });
});

test('statefulset: READY AGE, wide CONTAINERS IMAGES (no selector)', () => {
  const sts = obj('db', { spec: { replicas: 3, template: template(['postgres', 'postgres:16']) }, status: { readyReplicas: 1 } });
  assert.deepEqual(print('apps', 'StatefulSet', sts, { wide: true }), { headers: ['NAME', 'READY', 'AGE', 'CONTAINERS', 'IMAGES'], cells: ['db', '1/3', '5m', 'postgres', 'postgres:16'] });
});

// ---------------------------------------------------------------------------------------------
// Job

function job(name: string, spec: Record<string, unknown>, status: Record<string, unknown>, meta: Partial<KubeObject['metadata']> = {}): KubeObject {
  return obj(name, {
    spec: { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'c0ffee' } }, template: template(['pi', 'perl:5.34']), ...spec },
    status,
  }, { creationTimestamp: ago(10 * MIN), ...meta });
}

const jobCases: Record<string, { job: KubeObject; want: unknown[] }> = {
  'complete, duration from start to completion': {
    job: job('pi', { completions: 1, parallelism: 1 }, { succeeded: 1, startTime: ago(10 * MIN), completionTime: ago(10 * MIN - 45), conditions: [{ type: 'Complete', status: 'True' }] }),
    want: ['pi', 'Complete', '1/1', '45s', '10m'],
  },
  'running, duration up to now': {
    job: job('batch', { completions: 5, parallelism: 2 }, { succeeded: 2, active: 2, startTime: ago(3 * MIN + 10) }),
    want: ['batch', 'Running', '2/5', '3m10s', '10m'],
  },
  'work queue: no completions, parallelism 3': {
    job: job('queue', { parallelism: 3 }, { startTime: ago(60) }),
    want: ['queue', 'Running', '0/1 of 3', '60s', '10m'],
  },
  'not started yet: empty duration': {
    job: job('later', { completions: 1 }, {}),
    want: ['later', 'Running', '0/1', '', '10m'],
  },
  'failed': {
    job: job('bad', { completions: 1 }, { failed: 7, startTime: ago(9 * MIN), conditions: [{ type: 'FailureTarget', status: 'True' }, { type: 'Failed', status: 'True' }] }),
    want: ['bad', 'Failed', '0/1', '9m', '10m'],
  },
  'suspended': {
    job: job('held', { completions: 1, suspend: true }, { conditions: [{ type: 'Suspended', status: 'True' }] }),
    want: ['held', 'Suspended', '0/1', '', '10m'],
  },
  'terminating beats suspended': {
    job: job('bye', { completions: 1 }, { conditions: [{ type: 'Suspended', status: 'True' }] }, { deletionTimestamp: ago(2) }),
    want: ['bye', 'Terminating', '0/1', '', '10m'],
  },
  'failure target': {
    job: job('tgt', { completions: 1 }, { startTime: ago(30), conditions: [{ type: 'FailureTarget', status: 'True' }] }),
    want: ['tgt', 'FailureTarget', '0/1', '30s', '10m'],
  },
};

for (const [name, { job: j, want }] of Object.entries(jobCases)) {
  test(`job: ${name}`, () => assert.deepEqual(print('batch', 'Job', j).cells, want));
}

test('job: v1.32 headers', () => {
  assert.deepEqual(print('batch', 'Job', jobCases.failed.job, { wide: true }), {
    headers: ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
    cells: ['bad', 'Failed', '0/1', '9m', '10m', 'pi', 'perl:5.34', 'batch.kubernetes.io/controller-uid=c0ffee'],
  });
});

test('cronjob: SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE', () => {
  const cj = obj('nightly', {
    spec: { schedule: '0 3 * * *', suspend: false, jobTemplate: { spec: { template: template(['backup', 'restic:0.17']) } } },
    status: { active: [{ name: 'nightly-28620180' }], lastScheduleTime: ago(9 * HOUR) },
  }, { creationTimestamp: ago(40 * DAY) });
  assert.deepEqual(print('batch', 'CronJob', cj, { wide: true }), {
    headers: ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
    cells: ['nightly', '0 3 * * *', '<none>', 'False', 1, '9h', '40d', 'backup', 'restic:0.17', '<none>'],
  });
  const never = obj('tz', { spec: { schedule: '@hourly', timeZone: 'Europe/Paris', jobTemplate: { spec: { template: template() } } } });
  assert.deepEqual(cells('batch', 'CronJob', never).slice(1, 6), ['@hourly', 'Europe/Paris', '<unset>', 0, '<none>']);
});

// ---------------------------------------------------------------------------------------------
// ControllerRevision, HorizontalPodAutoscaler

test('controllerrevision: CONTROLLER is kind.group/name of the controlling owner', () => {
  const cr = obj('kube-proxy-6b8f', { revision: 2 }, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'kube-proxy', uid: 'u1', controller: true }] });
  assert.deepEqual(print('apps', 'ControllerRevision', cr), { headers: ['NAME', 'CONTROLLER', 'REVISION', 'AGE'], cells: ['kube-proxy-6b8f', 'daemonset.apps/kube-proxy', 2, '5m'] });
  assert.deepEqual(cells('apps', 'ControllerRevision', obj('orphan', { revision: 1 })), ['orphan', '<none>', 1, '5m']);
});

test('horizontalpodautoscaler: v2 metrics', () => {
  const hpa = obj('web', {
    apiVersion: 'autoscaling/v2',
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      minReplicas: 2,
      maxReplicas: 10,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '512Mi' } } },
        { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '100' } } },
      ],
    },
    status: { currentReplicas: 3, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 45 } } }] },
  });
  assert.deepEqual(print('autoscaling', 'HorizontalPodAutoscaler', hpa), {
    headers: ['NAME', 'REFERENCE', 'TARGETS', 'MINPODS', 'MAXPODS', 'REPLICAS', 'AGE'],
    cells: ['web', 'Deployment/web', 'cpu: 45%/80%, memory: <unknown>/512Mi + 1 more...', '2', 10, 3, '5m'],
  });
});

test('horizontalpodautoscaler: autoscaling/v1 CPU target, and no metrics', () => {
  const v1 = obj('api', { apiVersion: 'autoscaling/v1', spec: { scaleTargetRef: { kind: 'Deployment', name: 'api' }, maxReplicas: 5, targetCPUUtilizationPercentage: 70 }, status: { currentReplicas: 1 } });
  assert.deepEqual(cells('autoscaling', 'HorizontalPodAutoscaler', v1).slice(1, 6), ['Deployment/api', 'cpu: <unknown>/70%', '<unset>', 5, 1]);
  const none = obj('idle', { spec: { scaleTargetRef: { kind: 'StatefulSet', name: 'db' }, minReplicas: 1, maxReplicas: 2, metrics: [] } });
  assert.equal(cells('autoscaling', 'HorizontalPodAutoscaler', none)[2], '<none>');
});
