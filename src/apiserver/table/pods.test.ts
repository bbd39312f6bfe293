import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertToTable, type KubeObject } from './index.js';
import { HOUR, MIN, NOW, ago, cells, print } from './fixtures.js';

// ---------------------------------------------------------------------------------------------
// Fixture builders

type Status = Record<string, unknown>;

function pod(name: string, p: { spec?: Record<string, unknown>; status?: Status; deletionTimestamp?: string; age?: number } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      creationTimestamp: ago(p.age ?? 10 * MIN),
      ...(p.deletionTimestamp ? { deletionTimestamp: p.deletionTimestamp } : {}),
    },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27' }], ...p.spec },
    status: { phase: 'Pending', ...p.status },
  };
}

const running = (extra: Status = {}) => ({ name: 'app', ready: true, restartCount: 0, started: true, state: { running: { startedAt: ago(9 * MIN) } }, ...extra });
const waiting = (reason: string, extra: Status = {}) => ({ name: 'app', ready: false, restartCount: 0, state: { waiting: { reason } }, ...extra });
const terminated = (t: Status, extra: Status = {}) => ({ name: 'app', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, ...t } }, ...extra });
const ready = (status: 'True' | 'False') => [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status }, { type: 'PodScheduled', status: 'True' }];
const scheduled = { nodeName: 'node-1' };
const ips = { podIP: '10.244.0.7', podIPs: [{ ip: '10.244.0.7' }] };

// ---------------------------------------------------------------------------------------------

test('pod columns are NAME READY STATUS RESTARTS AGE, and wide adds IP NODE NOMINATED NODE READINESS GATES', () => {
  const p = pod('web', { spec: scheduled, status: { phase: 'Running', ...ips, conditions: ready('True'), containerStatuses: [running()] } });
  assert.deepEqual(print('', 'Pod', p), { headers: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'], cells: ['web', '1/1', 'Running', '0', '10m'] });
  assert.deepEqual(print('', 'Pod', p, { wide: true }), {
    headers: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES'],
    cells: ['web', '1/1', 'Running', '0', '10m', '10.244.0.7', 'node-1', '<none>', '<none>'],
  });
});

test('the Restarts column is a string column since it carries the "(5m ago)" suffix', () => {
  const table = convertToTable('', 'Pod', [], { now: NOW, includeObject: 'None', resourceVersion: '1' });
  const restarts = table.columnDefinitions.find((c) => c.name === 'Restarts');
  assert.equal(restarts?.type, 'string');
  assert.deepEqual(table.columnDefinitions[0], { ...table.columnDefinitions[0], name: 'Name', type: 'string', format: 'name', priority: 0 });
});

const cases: Record<string, { pod: KubeObject; want: string[] }> = {
  'pending, not yet scheduled': {
    pod: pod('new', { age: 3 }),
    want: ['new', '0/1', 'Pending', '0', '3s', '<none>', '<none>', '<none>', '<none>'],
  },
  'container creating': {
    pod: pod('creating', { spec: scheduled, status: { containerStatuses: [waiting('ContainerCreating')] } }),
    want: ['creating', '0/1', 'ContainerCreating', '0', '10m', '<none>', 'node-1', '<none>', '<none>'],
  },
  'CrashLoopBackOff, with the age of the last restart': {
    pod: pod('crashy', {
      spec: scheduled,
      status: {
        phase: 'Running',
        ...ips,
        conditions: ready('False'),
        containerStatuses: [
          waiting('CrashLoopBackOff', {
            restartCount: 5,
            lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: ago(6 * MIN), finishedAt: ago(5 * MIN) } },
          }),
        ],
      },
      age: 2 * HOUR,
    }),
    want: ['crashy', '0/1', 'CrashLoopBackOff', '5 (5m ago)', '120m', '10.244.0.7', 'node-1', '<none>', '<none>'],
  },
  'restarts add up over containers; the latest restart wins': {
    pod: pod('two', {
      spec: { ...scheduled, containers: [{ name: 'a' }, { name: 'b' }] },
      status: {
        phase: 'Running',
        conditions: ready('True'),
        containerStatuses: [
          running({ name: 'a', restartCount: 2, lastState: { terminated: { exitCode: 1, finishedAt: ago(3 * HOUR) } } }),
          running({ name: 'b', restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(90) } } }),
        ],
      },
      age: 5 * HOUR,
    }),
    want: ['two', '2/2', 'Running', '3 (90s ago)', '5h', '<none>', 'node-1', '<none>', '<none>'],
  },
  'terminating': {
    pod: pod('going', {
      spec: scheduled,
      status: { phase: 'Running', conditions: ready('True'), containerStatuses: [running()] },
      deletionTimestamp: ago(10),
    }),
    want: ['going', '1/1', 'Terminating', '0', '10m', '<none>', 'node-1', '<none>', '<none>'],
  },
  'deleted after it succeeded keeps Completed': {
    pod: pod('done', {
      spec: scheduled,
      status: { phase: 'Succeeded', containerStatuses: [terminated({ reason: 'Completed' })] },
      deletionTimestamp: ago(10),
    }),
    want: ['done', '0/1', 'Completed', '0', '10m', '<none>', 'node-1', '<none>', '<none>'],
  },
  'deleted on a lost node is Unknown': {
    pod: pod('lost', { spec: scheduled, status: { phase: 'Running', reason: 'NodeLost', containerStatuses: [running()] }, deletionTimestamp: ago(10) }),
    want: ['lost', '1/1', 'Unknown', '0', '10m', '<none>', 'node-1', '<none>', '<none>'],
  },
  'init containers: second of two still running': {
    pod: pod('init', {
      spec: { ...scheduled, initContainers: [{ name: 'migrate' }, { name: 'seed' }] },
      status: {
        conditions: [{ type: 'Initialized', status: 'False' }],
        initContainerStatuses: [terminated({ reason: 'Completed' }, { name: 'migrate' }), running({ name: 'seed', ready: false })],
        containerStatuses: [waiting('PodInitializing')],
      },
    }),
    want: ['init', '0/1', 'Init:1/2', '0', '10m', '<none>', 'node-1', '<none>', '<none>'],
  },
  'init container image pull failing': {
    pod: pod('init-pull', {
      spec: { ...scheduled, initContainers: [{ name: 'migrate' }] },
      status: { initContainerStatuses: [waiting('ImagePullBackOff', { name: 'migrate' })], containerStatuses: [waiting('PodInitializing')] },
    }),
    want: ['init-pull', '0/1', 'Init:ImagePullBackOff', '0', '10m', '<none>', 'node-1', '<none>', '<none>'],
  },
  'init container failed without a reason shows its exit code; its restarts count': {
    pod: pod('init-fail', {
      spec: { ...scheduled, initContainers: [{ name: 'migrate' }] },
      status: {
        initContainerStatuses: [terminated({ exitCode: 3 }, { name: 'migrate', restartCount: 2, lastState: { terminated: { exitCode: 3, finishedAt: ago(40) } } })],
        containerStatuses: [waiting('PodInitializing')],
      },
    }),
    want: ['init-fail', '0/1', 'Init:ExitCode:3', '2 (40s ago)', '10m', '<none>', 'node-1', '<none>', '<none>'],
  },
  'init container failed with a reason': {
    pod: pod('init-err', {
      spec: { ...scheduled, initContainers: [{ name: 'migrate' }] },
      status: { initContainerStatuses: [terminated({ exitCode: 1, reason: 'Error' }, { name: 'migrate' })] },
    }),
    want: ['init-err', '0/1', 'Init:Error', '0', '10m', '<none>', 'node-1', '<none>', '<none>'],
  },
  'sidecar (restartable init container) counts in READY': {
    pod: pod('sidecar', {
      spec: { ...scheduled, initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] },
      status: {
        phase: 'Running',
        conditions: ready('True'),
        initContainerStatuses: [running({ name: 'proxy', restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * HOUR) } } })],
        containerStatuses: [running()],
      },
      age: 3 * HOUR,
    }),
    want: ['sidecar', '2/2', 'Running', '1 (120m ago)', '3h', '<none>', 'node-1', '<none>', '<none>'],
  },
  'succeeded': {
    pod: pod('job-x', { spec: scheduled, status: { phase: 'Succeeded', containerStatuses: [terminated({ reason: 'Completed' })] } }),
    want: ['job-x', '0/1', 'Completed', '0', '10m', '<none>', 'node-1', '<none>', '<none>'],
  },
  'failed with a reason': {
    pod: pod('job-y', { spec: scheduled, status: { phase: 'Failed', containerStatuses: [terminated({ exitCode: 1, reason: 'Error' })] } }),
    want: ['job-y', '0/1', 'Error', '0', '10m', '<none>', 'node-1', '<none>', '<none>'],
  },
  'killed by a signal, no reason': {
    pod: pod('sig', { spec: scheduled, status: { phase: 'Failed', containerStatuses: [terminated({ exitCode: 137, signal: 9 })] } }),
    want: ['sig', '0/1', 'Signal:9', '0', '10m', '<none>', 'node-1', '<none>', '<none>'],
  },
  'exited without a reason': {
    pod: pod('exit', { spec: scheduled, status: { phase: 'Failed', containerStatuses: [terminated({ exitCode: 137 })] } }),
    want: ['exit', '0/1', 'ExitCode:137', '0', '10m', '<none>', 'node-1', '<none>', '<none>'],
  },
  'evicted: the pod reason replaces the phase': {
    pod: pod('evicted', { spec: scheduled, status: { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' } }),
    want: ['evicted', '0/1', 'Evicted', '0', '10m', '<none>', 'node-1', '<none>', '<none>'],
  },
  'one container completed while another still runs: Running when Ready': {
    pod: pod('mixed', {
      spec: { ...scheduled, containers: [{ name: 'a' }, { name: 'b' }] },
      status: { phase: 'Running', conditions: ready('True'), containerStatuses: [terminated({ reason: 'Completed' }, { name: 'a' }), running({ name: 'b' })] },
    }),
    want: ['mixed', '1/2', 'Running', '0', '10m', '<none>', 'node-1', '<none>', '<none>'],
  },
  '… and NotReady otherwise': {
    pod: pod('mixed2', {
      spec: { ...scheduled, containers: [{ name: 'a' }, { name: 'b' }] },
      status: { phase: 'Running', conditions: ready('False'), containerStatuses: [terminated({ reason: 'Completed' }, { name: 'a' }), running({ name: 'b' })] },
    }),
    want: ['mixed2', '1/2', 'NotReady', '0', '10m', '<none>', 'node-1', '<none>', '<none>'],
  },
  'scheduling gated': {
    pod: pod('gated', { status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] } }),
    want: ['gated', '0/1', 'SchedulingGated', '0', '10m', '<none>', '<none>', '<none>', '<none>'],
  },
  'nominated node and readiness gates': {
    pod: pod('gates', {
      spec: { readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] },
      status: {
        nominatedNodeName: 'node-2',
        podIPs: [{ ip: 'fd00::7' }],
        conditions: [{ type: 'example.com/lb', status: 'True' }, { type: 'example.com/dns', status: 'False' }],
      },
    }),
    want: ['gates', '0/1', 'Pending', '0', '10m', 'fd00::7', '<none>', 'node-2', '1/2'],
  },
};

for (const [name, { pod: p, want }] of Object.entries(cases)) {
  test(`pod: ${name}`, () => assert.deepEqual(cells('', 'Pod', p), want));
}

test('finished pods carry a Completed row condition', () => {
  const table = convertToTable('', 'Pod', [cases.succeeded.pod, cases['failed with a reason'].pod, cases.terminating.pod], {
    now: NOW,
    includeObject: 'None',
    resourceVersion: '9',
  });
  assert.deepEqual(table.rows[0].conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
  assert.deepEqual(table.rows[1].conditions, [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]);
  assert.equal(table.rows[2].conditions, undefined);
});

test('a pod with nothing but a name still converts', () => {
  assert.deepEqual(cells('', 'Pod', { metadata: { name: 'bare' } }), ['bare', '0/0', '', '0', '<unknown>', '<none>', '<none>', '<none>', '<none>']);
});
