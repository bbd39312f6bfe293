import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { normalizeImage, rejectedStatus, syncPod, SIMULATE_EXIT_CODE, SIMULATE_RUN_SECONDS } from './index.js';

const T0 = Date.parse('2025-01-01T00:00:00Z');
const at = (s: number): string => new Date(T0 + s * 1000).toISOString().replace('.000Z', 'Z');
const place = { hostIP: '10.240.0.4', podIP: '10.42.0.2' };

/** A pod as the scheduler leaves it: bound, Pending, PodScheduled True. */
function pod(o: { restartPolicy?: string; exit?: number; run?: number; deadline?: number; gates?: string[]; init?: boolean; containers?: string[] } = {}): Pod {
  const annotations: Record<string, string> = {};
  if (o.exit !== undefined) annotations[SIMULATE_EXIT_CODE] = String(o.exit);
  if (o.run !== undefined) annotations[SIMULATE_RUN_SECONDS] = String(o.run);
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'u-1', annotations },
    spec: {
      nodeName: 'node-1',
      restartPolicy: o.restartPolicy ?? 'Always',
      containers: (o.containers ?? ['app']).map((name) => ({ name, image: 'nginx:1.27' })),
      ...(o.init ? { initContainers: [{ name: 'setup', image: 'busybox' }] } : {}),
      ...(o.deadline !== undefined ? { activeDeadlineSeconds: o.deadline } : {}),
      ...(o.gates ? { readinessGates: o.gates.map((conditionType) => ({ conditionType })) } : {}),
    },
    status: { phase: 'Pending', qosClass: 'BestEffort', conditions: [{ type: 'PodScheduled', status: 'True', lastTransitionTime: at(-1) }] },
  };
}

/** Apply a sync result to the pod, as the API would. */
function run(p: Pod, s: number): { pod: Pod; r: ReturnType<typeof syncPod> } {
  const r = syncPod(p, place, T0 + s * 1000);
  return { pod: r.status ? { ...p, status: r.status } : p, r };
}

const cond = (st: PodStatus | undefined, type: string) => st?.conditions?.find((c) => c.type === type);

test('a bound pod goes Running: IPs, start time, conditions, ready container statuses', () => {
  const { r } = run(pod(), 0);
  const st = r.status!;
  assert.equal(st.phase, 'Running');
  assert.equal(st.podIP, '10.42.0.2');
  assert.deepEqual(st.podIPs, [{ ip: '10.42.0.2' }]);
  assert.equal(st.hostIP, '10.240.0.4');
  assert.equal(st.startTime, at(0));
  assert.equal(st.qosClass, 'BestEffort');
  assert.deepEqual(st.conditions?.map((c) => [c.type, c.status]), [
    ['PodReadyToStartContainers', 'True'],
    ['Initialized', 'True'],
    ['Ready', 'True'],
    ['ContainersReady', 'True'],
    ['PodScheduled', 'True'],
  ]);
  assert.equal(cond(st, 'PodScheduled')?.lastTransitionTime, at(-1), 'the scheduler’s condition is kept');
  const c = st.containerStatuses![0];
  assert.equal(c.ready, true);
  assert.equal(c.started, true);
  assert.equal(c.restartCount, 0);
  assert.equal(c.image, 'docker.io/library/nginx:1.27');
  assert.match(c.imageID!, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
  assert.match(c.containerID!, /^flotilla-sim:\/\/[0-9a-f]{64}$/);
  assert.deepEqual(c.state, { running: { startedAt: at(0) } });
  assert.equal(r.terminal, false);
  assert.equal(r.requeueAfterMs, undefined, 'runs until deleted');
});

test('syncing a running pod again changes nothing', () => {
  const { pod: p } = run(pod(), 0);
  const again = syncPod(p, place, T0 + 3_600_000);
  assert.deepEqual(again, { status: undefined, terminal: false, requeueAfterMs: undefined });
});

test('conditions of other owners are kept after kubelet’s', () => {
  const p = pod();
  const withTarget: Pod = { ...p, status: { ...p.status, conditions: [...p.status!.conditions!, { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager' }] } };
  const st = run(withTarget, 0).r.status!;
  assert.deepEqual(st.conditions!.map((c) => c.type), ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled', 'DisruptionTarget']);
});

test('restart policies: exit code and run time from the annotations', () => {
  const cases: Record<string, { pod: Pod; steps: { at: number; phase?: string; state?: string; restarts?: number; ready?: string; requeue?: number; terminal?: boolean }[] }> = {
    'Never, exit 0 after 5 s: Succeeded': {
      pod: pod({ restartPolicy: 'Never', exit: 0, run: 5 }),
      steps: [
        { at: 0, phase: 'Running', state: 'running', requeue: 5000 },
        { at: 3, phase: 'Running', state: 'running', requeue: 2000 },
        { at: 5, phase: 'Succeeded', state: 'terminated:Completed:0', ready: 'False:PodCompleted', terminal: true },
      ],
    },
    'Never, exit 1: Failed': {
      pod: pod({ restartPolicy: 'Never', exit: 1, run: 2 }),
      steps: [
        { at: 0, phase: 'Running', requeue: 2000 },
        { at: 2, phase: 'Failed', state: 'terminated:Error:1', terminal: true },
      ],
    },
    'OnFailure, exit 0: Succeeded': {
      pod: pod({ restartPolicy: 'OnFailure', exit: 0, run: 1 }),
      steps: [
        { at: 0, phase: 'Running' },
        { at: 1, phase: 'Succeeded', terminal: true },
      ],
    },
    'OnFailure, exit 1: crash loop with 10 s, 20 s back-off': {
      pod: pod({ restartPolicy: 'OnFailure', exit: 1, run: 1 }),
      steps: [
        { at: 0, phase: 'Running', state: 'running', restarts: 0, requeue: 1000 },
        { at: 1, phase: 'Running', state: 'waiting:CrashLoopBackOff', restarts: 0, ready: 'False:ContainersNotReady', requeue: 10_000 },
        { at: 11, phase: 'Running', state: 'running', restarts: 1, ready: 'True:', requeue: 1000 },
        { at: 12, state: 'waiting:CrashLoopBackOff', restarts: 1, requeue: 20_000 },
        { at: 32, state: 'running', restarts: 2 },
      ],
    },
    'Always, exit 0: restarts too': {
      pod: pod({ restartPolicy: 'Always', exit: 0, run: 0 }),
      steps: [
        { at: 0, phase: 'Running', state: 'running' },
        { at: 0.5, phase: 'Running', state: 'waiting:CrashLoopBackOff', requeue: 9500 },
      ],
    },
    'activeDeadlineSeconds: Failed, DeadlineExceeded': {
      pod: pod({ deadline: 30 }),
      steps: [
        { at: 0, phase: 'Running', requeue: 30_000 },
        { at: 30, phase: 'Failed', state: 'terminated:Error:137', terminal: true },
      ],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    let p = c.pod;
    for (const s of c.steps) {
      const out = run(p, s.at);
      p = out.pod;
      const st = p.status!;
      const cs = st.containerStatuses![0];
      const where = `${name} @${s.at}s`;
      if (s.phase) assert.equal(st.phase, s.phase, `${where}: phase`);
      if (s.state) {
        const [kind] = Object.keys(cs.state!).filter((k) => (cs.state as Record<string, unknown>)[k]);
        const detail = cs.state!.terminated ? `:${cs.state!.terminated.reason}:${cs.state!.terminated.exitCode}` : cs.state!.waiting ? `:${cs.state!.waiting.reason}` : '';
        assert.equal(`${kind}${detail}`, s.state, `${where}: state`);
      }
      if (s.restarts !== undefined) assert.equal(cs.restartCount, s.restarts, `${where}: restarts`);
      if (s.ready) assert.equal(`${cond(st, 'Ready')!.status}:${cond(st, 'Ready')!.reason ?? ''}`, s.ready, `${where}: Ready`);
      if (s.requeue !== undefined) assert.equal(out.r.requeueAfterMs, s.requeue, `${where}: requeue`);
      assert.equal(out.r.terminal, s.terminal ?? false, `${where}: terminal`);
    }
  }
});

test('a terminal pod is left alone', () => {
  const p = pod();
  assert.deepEqual(syncPod({ ...p, status: { ...p.status, phase: 'Succeeded' } }, place, T0), { terminal: true });
});

test('the back-off message names the container and the pod', () => {
  let p = run(pod({ restartPolicy: 'OnFailure', exit: 2, run: 1 }), 0).pod;
  p = run(p, 1).pod;
  assert.equal(p.status!.containerStatuses![0].state!.waiting!.message, 'back-off 10s restarting failed container=app pod=web_default(u-1)');
  assert.equal(p.status!.containerStatuses![0].lastState!.terminated!.exitCode, 2);
  assert.equal(cond(p.status, 'ContainersReady')!.message, 'containers with unready status: [app]');
});

test('readiness gates hold Ready back until their condition is True', () => {
  const st = run(pod({ gates: ['example.com/lb'] }), 0).r.status!;
  assert.equal(cond(st, 'ContainersReady')!.status, 'True');
  assert.deepEqual([cond(st, 'Ready')!.status, cond(st, 'Ready')!.reason, cond(st, 'Ready')!.message], [
    'False',
    'ReadinessGatesNotReady',
    'corresponding condition of pod readiness gate "example.com/lb" does not exist.',
  ]);
  const gated = { ...pod({ gates: ['example.com/lb'] }), status: { ...st, conditions: [...st.conditions!, { type: 'example.com/lb', status: 'True' }] } };
  assert.equal(cond(syncPod(gated, place, T0).status, 'Ready')!.status, 'True');
});

test('init containers are reported Completed', () => {
  const st = run(pod({ init: true }), 0).r.status!;
  assert.deepEqual(st.initContainerStatuses!.map((s) => [s.name, s.state?.terminated?.reason, s.ready]), [['setup', 'Completed', true]]);
});

test('rejectedStatus: Failed with kubelet’s reason and message', () => {
  const st = rejectedStatus(pod(), { reason: 'OutOfcpu', message: 'Pod was rejected: …' }, T0);
  assert.equal(st.phase, 'Failed');
  assert.equal(st.reason, 'OutOfcpu');
  assert.equal(st.conditions![0].type, 'PodScheduled');
});

test('normalizeImage: docker reference normalisation', () => {
  const cases: Record<string, string> = {
    nginx: 'docker.io/library/nginx:latest',
    'nginx:1.27': 'docker.io/library/nginx:1.27',
    'bitnami/redis': 'docker.io/bitnami/redis:latest',
    'registry.k8s.io/pause:3.10': 'registry.k8s.io/pause:3.10',
    'localhost:5000/app': 'localhost:5000/app:latest',
    'nginx@sha256:abc': 'docker.io/library/nginx@sha256:abc',
  };
  for (const [image, want] of Object.entries(cases)) assert.equal(normalizeImage(image), want, image);
});
