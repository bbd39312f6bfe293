import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { factsFromStatus, goDuration, nextBackoff, planPod, podStatusOf, restartAt, type ContainerFacts, type RunFacts } from './lifecycle.js';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const s = (n: number): number => T0 + n * 1000;
const placement = { hostIP: '127.240.0.4', podIP: '127.42.0.2' };

function pod(spec: { containers?: string[]; init?: string[]; policy?: 'Always' | 'OnFailure' | 'Never'; deadline?: number; extra?: Partial<Container> }): Pod {
  const mk = (name: string): Container => ({ name, image: 'flotilla/echo', ...spec.extra });
  return {
    metadata: { name: 'p', namespace: 'ns', uid: 'u' },
    spec: {
      restartPolicy: spec.policy ?? 'Always',
      containers: (spec.containers ?? ['a']).map(mk),
      ...(spec.init ? { initContainers: spec.init.map(mk) } : {}),
      ...(spec.deadline !== undefined ? { activeDeadlineSeconds: spec.deadline } : {}),
    },
  };
}
const running = (attempt = 0, at = 0): RunFacts => ({ id: `flotilla://${attempt}`, attempt, startedAt: s(at) });
const exitedRun = (code: number, attempt = 0, at = 0, end = 1): RunFacts => ({ ...running(attempt, at), finishedAt: s(end), exitCode: code });
const F = (facts: Record<string, ContainerFacts>) => (n: string) => facts[n];

test('nextBackoff and restartAt follow flowcontrol.Backoff', () => {
  assert.deepEqual(nextBackoff(undefined, s(0)), { delayMs: 10_000, lastUpdate: s(0) });
  assert.deepEqual(nextBackoff({ delayMs: 10_000, lastUpdate: s(0) }, s(5)), { delayMs: 20_000, lastUpdate: s(5) });
  assert.deepEqual(nextBackoff({ delayMs: 300_000, lastUpdate: s(0) }, s(5)), { delayMs: 300_000, lastUpdate: s(5) });
  // After 10 minutes without a restart the entry is forgotten.
  assert.deepEqual(nextBackoff({ delayMs: 160_000, lastUpdate: s(0) }, s(601)), { delayMs: 10_000, lastUpdate: s(601) });
  const f: ContainerFacts = { current: exitedRun(1, 1, 0, 2), backoff: { delayMs: 10_000, lastUpdate: s(0) } };
  assert.equal(restartAt(f, s(5)), s(12));
  assert.equal(restartAt(f, s(12)), undefined);
  assert.equal(restartAt({ current: exitedRun(1) }, s(1)), undefined, 'the first restart is immediate');
  assert.equal(restartAt({ current: exitedRun(1, 3, 0, 700), backoff: { delayMs: 80_000, lastUpdate: s(0) } }, s(700)), undefined, 'ran 10 min: reset');
  assert.deepEqual([10_000, 20_000, 80_000, 160_000, 300_000, 3_723_000].map(goDuration), ['10s', '20s', '1m20s', '2m40s', '5m0s', '1h2m3s']);
});

test('planPod: table', () => {
  const cases: Record<string, { pod: Pod; facts: Record<string, ContainerFacts>; now?: number; want: Partial<ReturnType<typeof planPod>> }> = {
    'new pod: start every container': { pod: pod({ containers: ['a', 'b'] }), facts: {}, want: { start: ['a', 'b'], initialized: true } },
    'init containers first, one at a time': { pod: pod({ init: ['i1', 'i2'] }), facts: {}, want: { start: ['i1'], initialized: false } },
    'second init after the first exited 0': { pod: pod({ init: ['i1', 'i2'] }), facts: { i1: { current: exitedRun(0) } }, want: { start: ['i2'], initialized: false } },
    'a started sidecar lets the containers start': {
      pod: { ...pod({}), spec: { ...pod({}).spec!, initContainers: [{ name: 'side', image: 'pause', restartPolicy: 'Always' }] } },
      facts: { side: { current: running(), started: true } },
      want: { start: ['a'], initialized: true },
    },
    'init running: wait': { pod: pod({ init: ['i1'] }), facts: { i1: { current: running() } }, want: { start: [], initialized: false } },
    'failed init with Never fails the pod': { pod: pod({ init: ['i1'], policy: 'Never' }), facts: { i1: { current: exitedRun(1) } }, want: { terminal: { phase: 'Failed' } } },
    'failed init with Always restarts it (first restart at once)': { pod: pod({ init: ['i1'] }), facts: { i1: { current: exitedRun(1) } }, now: s(1), want: { start: ['i1'], initialized: false } },
    'running: nothing to do': { pod: pod({}), facts: { a: { current: running() } }, want: { start: [], initialized: true, wakeAt: undefined } },
    'Always: exited 0 restarts': { pod: pod({}), facts: { a: { current: exitedRun(0) } }, now: s(1), want: { start: ['a'] } },
    'in back-off: wake when it ends': {
      pod: pod({}),
      facts: { a: { current: exitedRun(1, 1, 0, 2), backoff: { delayMs: 10_000, lastUpdate: s(0) } } },
      now: s(3),
      want: { start: [], wakeAt: s(12) },
    },
    'OnFailure: exit 0 ends the pod Succeeded': { pod: pod({ policy: 'OnFailure' }), facts: { a: { current: exitedRun(0) } }, want: { terminal: { phase: 'Succeeded' } } },
    'OnFailure: exit 1 restarts': { pod: pod({ policy: 'OnFailure' }), facts: { a: { current: exitedRun(1) } }, now: s(1), want: { start: ['a'] } },
    'Never: one failed, one still running': { pod: pod({ containers: ['a', 'b'], policy: 'Never' }), facts: { a: { current: exitedRun(1) }, b: { current: running() } }, want: { start: [] } },
    'Never: all exited, one failed': { pod: pod({ containers: ['a', 'b'], policy: 'Never' }), facts: { a: { current: exitedRun(1) }, b: { current: exitedRun(0) } }, want: { terminal: { phase: 'Failed' } } },
    'deadline passed: stop what runs': {
      pod: pod({ deadline: 5 }),
      facts: { a: { current: running() } },
      now: s(6),
      want: { start: [], stop: ['a'], terminal: { phase: 'Failed', reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' } },
    },
    'deadline ahead: wake then': { pod: pod({ deadline: 5 }), facts: { a: { current: running() } }, now: s(1), want: { wakeAt: s(5) } },
    'image pull failed: retry after its back-off': {
      pod: pod({}),
      facts: { a: { startError: { reason: 'ErrImagePull', message: 'x', at: s(0), count: 2 } } },
      now: s(5),
      want: { start: [], wakeAt: s(20) },
    },
  };
  for (const [name, tc] of Object.entries(cases)) {
    const got = planPod(tc.pod, F(tc.facts), T0, tc.now ?? s(1));
    const picked = Object.fromEntries(Object.keys(tc.want).map((k) => [k, got[k as keyof typeof got]]));
    assert.deepEqual(picked, tc.want, name);
  }
});

test('podStatusOf: container states, phase and conditions', () => {
  const status = (p: Pod, facts: Record<string, ContainerFacts>, now = s(3)) => podStatusOf(p, F(facts), planPod(p, F(facts), T0, now), placement, T0, now);
  const cond = (st: ReturnType<typeof status>, type: string) => {
    const c = st.conditions!.find((x) => x.type === type)!;
    return [c.status, c.reason, c.message].filter((x) => x !== undefined).join(' | ');
  };

  const fresh = status(pod({ containers: ['a', 'b'] }), {});
  assert.equal(fresh.phase, 'Pending');
  assert.deepEqual(fresh.containerStatuses!.map((c) => c.state!.waiting!.reason), ['ContainerCreating', 'ContainerCreating']);
  assert.equal(cond(fresh, 'Ready'), 'False | ContainersNotReady | containers with unready status: [a b]');
  assert.equal(fresh.podIP, '127.42.0.2');
  assert.equal(fresh.startTime, '2024-01-01T00:00:00Z');

  const up = status(pod({}), { a: { current: running(0, 1), started: true, ready: true } });
  assert.equal(up.phase, 'Running');
  assert.deepEqual(up.containerStatuses![0], {
    name: 'a',
    image: 'docker.io/flotilla/echo:latest',
    imageID: up.containerStatuses![0].imageID,
    containerID: 'flotilla://0',
    lastState: {},
    ready: true,
    restartCount: 0,
    started: true,
    state: { running: { startedAt: '2024-01-01T00:00:01Z' } },
  });
  assert.deepEqual(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((t) => cond(up, t)), ['True', 'True', 'True', 'True', 'True']);

  const unready = status(pod({}), { a: { current: running(), started: true, ready: false } });
  assert.equal(cond(unready, 'ContainersReady'), 'False | ContainersNotReady | containers with unready status: [a]');

  const crash = status(pod({}), { a: { current: exitedRun(1, 1, 1, 2), previous: exitedRun(1, 0, 0, 1), backoff: { delayMs: 20_000, lastUpdate: s(1) } } });
  const cs = crash.containerStatuses![0];
  assert.equal(crash.phase, 'Running');
  assert.equal(cs.restartCount, 1);
  assert.deepEqual(cs.state, { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 20s restarting failed container=a pod=p_ns(u)' } });
  assert.deepEqual(cs.lastState, { terminated: { exitCode: 1, reason: 'Error', startedAt: '2024-01-01T00:00:01Z', finishedAt: '2024-01-01T00:00:02Z', containerID: 'flotilla://1' } });

  const init = status(pod({ init: ['i1', 'i2'] }), { i1: { current: exitedRun(0) }, i2: { current: running() } });
  assert.equal(init.phase, 'Pending');
  assert.equal(cond(init, 'Initialized'), 'False | ContainersNotInitialized | containers with incomplete status: [i2]');
  assert.equal(init.initContainerStatuses![0].state!.terminated!.reason, 'Completed');
  assert.equal(init.containerStatuses![0].state!.waiting!.reason, 'PodInitializing');

  const done = status(pod({ policy: 'Never' }), { a: { current: exitedRun(0) } });
  assert.equal(done.phase, 'Succeeded');
  assert.equal(cond(done, 'ContainersReady'), 'False | PodCompleted');
  assert.equal(cond(done, 'PodReadyToStartContainers'), 'False');

  const failed = status(pod({ policy: 'Never' }), { a: { current: exitedRun(2) } });
  assert.equal(failed.phase, 'Failed');
  assert.deepEqual(failed.containerStatuses![0].state!.terminated!.exitCode, 2);

  const pull = (now: number) => status(pod({}), { a: { startError: { reason: 'ErrImagePull', message: 'nope', at: s(1), count: 1 } } }, now).containerStatuses![0].state!.waiting;
  assert.deepEqual(pull(s(1)), { reason: 'ErrImagePull', message: 'nope' });
  assert.deepEqual(pull(s(3)), { reason: 'ImagePullBackOff', message: 'Back-off pulling image "flotilla/echo": ErrImagePull: nope' });
  const cfg = status(pod({}), { a: { startError: { reason: 'CreateContainerConfigError', message: 'configmap "x" not found', at: s(1), count: 1 } } });
  assert.deepEqual(cfg.containerStatuses![0].state!.waiting, { reason: 'CreateContainerConfigError', message: 'configmap "x" not found' });

  const deadline = status(pod({ deadline: 2 }), { a: { current: exitedRun(137, 0, 0, 3) } }, s(3));
  assert.deepEqual([deadline.phase, deadline.reason], ['Failed', 'DeadlineExceeded']);
});

test('factsFromStatus: a restarted agent finds running containers dead and keeps finished runs', () => {
  const now = s(100);
  const r = factsFromStatus({ name: 'a', image: '', imageID: '', ready: true, restartCount: 2, containerID: 'flotilla://x', state: { running: { startedAt: '2024-01-01T00:00:10Z' } } }, now);
  assert.deepEqual(r.current, { id: 'flotilla://x', attempt: 2, startedAt: s(10), finishedAt: now, exitCode: 255, reason: 'Unknown' });
  const p = pod({});
  // Restarted at once, as the first restart after a node reboot.
  assert.deepEqual(planPod(p, () => r, T0, now).start, ['a']);
  const done = factsFromStatus({ name: 'i', image: '', imageID: '', ready: true, restartCount: 0, state: { terminated: { exitCode: 0, containerID: 'flotilla://i', startedAt: '2024-01-01T00:00:01Z', finishedAt: '2024-01-01T00:00:02Z' } } }, now);
  assert.deepEqual(done.current, { id: 'flotilla://i', attempt: 0, startedAt: s(1), finishedAt: s(2), exitCode: 0 });
  assert.deepEqual(factsFromStatus(undefined, now), {});
});

test('podStatusOf: a postStart hook keeps the container as kubelet last reported it; a failed one waits PostStartHookError', () => {
  const status = (p: Pod, facts: Record<string, ContainerFacts>, now = s(3)) => podStatusOf(p, F(facts), planPod(p, F(facts), T0, now), placement, T0, now);
  const hooked = pod({});
  // First run, hook still running: not created yet as far as the status goes.
  const first = status(hooked, { a: { current: running(0, 1), started: false, ready: true, postStartPending: true } });
  assert.equal(first.phase, 'Pending');
  assert.deepEqual([first.containerStatuses![0].state, first.containerStatuses![0].started, first.containerStatuses![0].ready], [{ waiting: { reason: 'ContainerCreating' } }, false, false]);
  assert.deepEqual(planPod(hooked, F({ a: { current: running(0, 1), postStartPending: true } }), T0, s(3)).start, [], 'not started twice');

  // A restart whose hook is running: the previous run is still what is reported.
  const again = status(hooked, { a: { current: running(1, 2), previous: exitedRun(137, 0, 0, 1), postStartPending: true } });
  assert.equal(again.phase, 'Running');
  assert.equal(again.containerStatuses![0].restartCount, 0);
  assert.equal(again.containerStatuses![0].state!.terminated!.exitCode, 137);

  const message = 'Exec lifecycle hook ([false]) for Container "a" in Pod "p_ns(u)" failed - error: command \'false\' exited with 1: , message: ""';
  const failed: RunFacts = { ...exitedRun(143, 0, 1, 2), hookError: message };
  const cs = status(hooked, { a: { current: failed } }).containerStatuses![0];
  assert.deepEqual(cs.state, { waiting: { reason: 'PostStartHookError', message } });
  assert.equal(cs.lastState!.terminated!.exitCode, 143);
  // In back-off it reads CrashLoopBackOff; a run that will not restart stays terminated.
  assert.equal(status(hooked, { a: { current: failed, backoff: { delayMs: 10_000, lastUpdate: s(1) } } }).containerStatuses![0].state!.waiting!.reason, 'CrashLoopBackOff');
  assert.ok(status(pod({ policy: 'Never' }), { a: { current: failed } }).containerStatuses![0].state!.terminated);
});
