import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOptions, type ClusterSnapshot } from './index.js';
import { group, node, pendingPods, pod, snapshot } from './testing.js';
import { explainPod, formatWhy, hintsFromStatus, type StatusHints, type WhyResult } from './why.js';

const A = 'pool-a';
const B = 'pool-b';
const a0 = node({ name: 'pool-a-0', cpu: '2', memory: '8Gi', labels: { tier: 'a' } });
const tplB = node({ name: 'pool-b-template', cpu: '8', memory: '32Gi', labels: { tier: 'b' } });
const groups = (f: { aMax?: number; bTarget?: number } = {}) => [
  group({ id: A, nodes: [a0], min: 1, max: f.aMax ?? 4 }),
  group({ id: B, min: 0, max: 2, target: f.bTarget ?? 0, template: tplB, unregistered: Array.from({ length: f.bTarget ?? 0 }, (_, i) => `fake://b-${i}`) }),
];
const busy = pod({ name: 'busy', cpu: '1500m', nodeName: 'pool-a-0' });

const cases: Record<string, { snapshot: ClusterSnapshot; pod: string; flags?: string[]; hints?: StatusHints; want: (r: WhyResult) => void }> = {
  'a pod that does not exist': {
    snapshot: snapshot({ nodeGroups: groups() }),
    pod: 'nope',
    want: (r) => assert.deepEqual(r, { kind: 'notFound', pod: 'default/nope' }),
  },
  'a running pod is not pending': {
    snapshot: snapshot({ nodes: [a0], pods: [busy], nodeGroups: groups() }),
    pod: 'busy',
    want: (r) => assert.deepEqual(r, { kind: 'notPending', pod: 'default/busy', reason: 'it is bound to node pool-a-0 (phase Running)' }),
  },
  'a pod the scheduler has not tried': {
    snapshot: snapshot({ nodes: [a0], pods: [pod({ name: 'new', cpu: '1' })], nodeGroups: groups() }),
    pod: 'new',
    want: (r) => assert.equal(r.kind === 'notPending' && r.reason, 'the scheduler has not tried it yet (no PodScheduled condition); cluster-autoscaler only looks at pods marked Unschedulable'),
  },
  'an expendable pod': {
    snapshot: snapshot({ nodes: [a0], pods: pendingPods('low', 1, { cpu: '1', priority: -100 }), nodeGroups: groups() }),
    pod: 'low-0',
    want: (r) => assert.equal(r.kind === 'filtered' && r.reason, 'its priority -100 is below --expendable-pods-priority-cutoff=-10: expendable pods never trigger a scale-up'),
  },
  'a pod that fits on an existing node': {
    snapshot: snapshot({ nodes: [a0], pods: pendingPods('small', 1, { cpu: '500m' }), nodeGroups: groups() }),
    pod: 'small-0',
    want: (r) => assert.match(r.kind === 'filtered' ? r.reason : '', /^it fits on the existing node pool-a-0, so it needs no new node/),
  },
  'a pod too big for every group': {
    snapshot: snapshot({ nodes: [a0], pods: [busy, ...pendingPods('huge', 1, { cpu: '16' })], nodeGroups: groups() }),
    pod: 'huge-0',
    want: (r) => {
      assert.equal(r.kind, 'simulated');
      if (r.kind !== 'simulated') return;
      assert.equal(r.triggers, false);
      assert.deepEqual(
        r.groups.map((g) => [g.group, g.verdict, g.reasons]),
        [
          [A, 'rejected', ['Insufficient cpu']],
          [B, 'rejected', ['Insufficient cpu']],
        ],
      );
      assert.equal(r.event, "pod didn't trigger scale-up: 2 Insufficient cpu");
    },
  },
  'the group that would be scaled, and by how much; the other says why not': {
    snapshot: snapshot({ nodes: [a0], pods: [busy, ...pendingPods('web', 3, { cpu: '1500m', nodeSelector: { tier: 'a' } })], nodeGroups: groups() }),
    pod: 'web-1',
    want: (r) => {
      assert.equal(r.kind === 'simulated' && r.triggers, true);
      if (r.kind !== 'simulated') return;
      assert.deepEqual(r.groups[0], { group: A, min: 1, max: 4, target: 1, verdict: 'scaled', reasons: [], nodeCount: 3, podCount: 3, increase: { group: A, current: 1, newSize: 4, max: 4 } });
      assert.deepEqual([r.groups[1].verdict, r.groups[1].reasons], ['rejected', ["node(s) didn't match Pod's node affinity/selector"]]);
      assert.equal(r.event, `pod triggered scale-up: [{${A} 1->4 (max: 4)}]`);
    },
  },
  'max size reached': {
    snapshot: snapshot({ nodes: [a0], pods: [busy, ...pendingPods('web', 1, { cpu: '1500m', nodeSelector: { tier: 'a' } })], nodeGroups: groups({ aMax: 1 }) }),
    pod: 'web-0',
    want: (r) => assert.deepEqual(r.kind === 'simulated' && r.groups[0].reasons, ['max node group size reached']),
  },
  'a backed-off group, from the status ConfigMap': {
    snapshot: snapshot({ nodes: [a0], pods: [busy, ...pendingPods('web', 1, { cpu: '1500m' })], nodeGroups: groups() }),
    pod: 'web-0',
    hints: { backoff: new Map([[A, { errorCode: 'cloudProviderError', errorMessage: 'quota' }]]), inProgress: new Set() },
    want: (r) => {
      if (r.kind !== 'simulated') return assert.fail(r.kind);
      assert.deepEqual(r.groups[0].reasons, ['in backoff after failed scale-up']);
      assert.equal(r.groups[1].verdict, 'scaled');
    },
  },
  'a resource limit': {
    snapshot: snapshot({ nodes: [a0], pods: [busy, ...pendingPods('web', 1, { cpu: '1500m' })], nodeGroups: groups() }),
    pod: 'web-0',
    flags: ['--cores-total=0:4'],
    want: (r) => {
      if (r.kind !== 'simulated') return assert.fail(r.kind);
      assert.deepEqual(r.groups.map((g) => g.reasons), [[], ['exceeded quota: "cluster-wide", resources: cpu']]);
      assert.equal(r.groups[0].verdict, 'scaled');
    },
  },
  'a pod that fits on a node being provisioned': {
    snapshot: snapshot({ nodes: [a0], pods: [busy, ...pendingPods('web', 1, { cpu: '4', nodeSelector: { tier: 'b' } })], nodeGroups: groups({ bTarget: 1 }) }),
    pod: 'web-0',
    hints: { backoff: new Map(), inProgress: new Set([B]) },
    want: (r) => assert.match(r.kind === 'filtered' ? r.reason : '', /^it fits on a node being provisioned \(pool-b\)/),
  },
};

for (const [name, c] of Object.entries(cases)) {
  test(`explainPod: ${name}`, () => {
    const options = parseOptions(['--nodes=1:4:' + A, ...(c.flags ?? [])]);
    c.want(explainPod({ snapshot: c.snapshot, options, namespace: 'default', name: c.pod, hints: c.hints }));
  });
}

const formats: Record<string, { result: WhyResult; text: string }> = {
  'not pending': { result: { kind: 'notPending', pod: 'default/busy', reason: 'it is bound to node n1 (phase Running)' }, text: 'pod default/busy is not pending: it is bound to node n1 (phase Running).\n' },
  'not found': { result: { kind: 'notFound', pod: 'team/x' }, text: 'pod team/x not found\n' },
  'filtered': { result: { kind: 'filtered', pod: 'default/d', reason: 'it is a DaemonSet pod: a new node would bring its own copy' }, text: 'pod default/d is pending but does not take part in scale-up: it is a DaemonSet pod: a new node would bring its own copy.\n' },
  'a scale-up and a rejection': {
    result: {
      kind: 'simulated',
      pod: 'default/web-1',
      triggers: true,
      expander: 'least-waste',
      event: 'pod triggered scale-up: [{pool-a 1->4 (max: 4)}]',
      groups: [
        { group: 'pool-a', min: 1, max: 4, target: 1, verdict: 'scaled', reasons: [], nodeCount: 3, podCount: 3, increase: { group: 'pool-a', current: 1, newSize: 4, max: 4 } },
        { group: 'pool-b', min: 0, max: 2, target: 2, verdict: 'rejected', reasons: ['max node group size reached'] },
        { group: 'pool-c', min: 0, max: 5, target: 0, verdict: 'fits', reasons: ['the expander chose pool-a'], nodeCount: 1, podCount: 3 },
      ],
    },
    text: [
      'pod default/web-1 is pending and triggers a scale-up:',
      '  pool-a      1/4      scale up 1->4 (max: 4): 3 new node(s) for 3 pending pod(s), chosen by --expander=least-waste',
      '  pool-b      2/2      no: max node group size reached',
      '  pool-c      0/5      would help (1 new node(s) for 3 pod(s)), but the expander chose pool-a',
      'event: pod triggered scale-up: [{pool-a 1->4 (max: 4)}]',
      '',
    ].join('\n'),
  },
  'no scale-up, with a limit': {
    result: { kind: 'simulated', pod: 'default/h', triggers: false, expander: 'random', error: 'max node total count already reached', groups: [{ group: 'p', min: 0, max: 3, target: 1, verdict: 'rejected', reasons: ['Insufficient cpu', 'Insufficient memory'] }] },
    text: 'pod default/h is pending and does not trigger a scale-up:\n  p           1/3      no: Insufficient cpu; Insufficient memory\nlimit: max node total count already reached\n',
  },
};

for (const [name, c] of Object.entries(formats)) {
  test(`formatWhy: ${name}`, () => assert.equal(formatWhy(c.result), c.text));
}

test('hintsFromStatus: backoff and in-progress groups from the text and the YAML formats', () => {
  const text = [
    'Cluster-autoscaler status at 2018-09-17 12:00:00.000000000 +0000 UTC:',
    'Cluster-wide:',
    '  ScaleUp:     InProgress (ready=3 registered=3)',
    '',
    'NodeGroups:',
    '  Name:        pool-a',
    '  Health:      Healthy (ready=1 unready=0 notStarted=0 longNotStarted=0 registered=1 longUnregistered=0 cloudProviderTarget=1 (minSize=1, maxSize=4))',
    '  ScaleUp:     Backoff (ready=1 cloudProviderTarget=1)',
    '  Name:        pool-b',
    '  ScaleUp:     InProgress (ready=1 cloudProviderTarget=3)',
  ].join('\n');
  const t = hintsFromStatus(text);
  assert.deepEqual([...t.backoff.keys()], ['pool-a']);
  assert.deepEqual([...t.inProgress], ['pool-b']);
  const yaml = 'autoscalerStatus: Running\nnodeGroups:\n- name: pool-a\n  scaleUp:\n    status: Backoff\n    backoffInfo:\n      errorCode: timeout\n      errorMessage: Scale-up timed out\n- name: pool-b\n  scaleUp:\n    status: NoActivity\n';
  const y = hintsFromStatus(yaml);
  assert.deepEqual([...y.backoff], [['pool-a', { errorCode: 'timeout', errorMessage: 'Scale-up timed out' }]]);
  assert.equal(y.inProgress.size, 0);
  assert.equal(hintsFromStatus(': not yaml [').backoff.size, 0);
});
