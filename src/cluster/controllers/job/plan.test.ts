import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { backoffRemaining, JOB_TRACKING_FINALIZER, planJob, type JobPlan } from './plan.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function job(o: { completions?: number | null; parallelism?: number; backoffLimit?: number; suspend?: boolean; status?: Job['status']; restartPolicy?: string; activeDeadlineSeconds?: number } = {}): Job {
  return {
    metadata: { name: 'pi', namespace: 'default', uid: 'job-uid', generation: 1 },
    spec: {
      completions: o.completions === null ? undefined : (o.completions ?? 1),
      parallelism: o.parallelism ?? 1,
      backoffLimit: o.backoffLimit ?? 6,
      suspend: o.suspend,
      activeDeadlineSeconds: o.activeDeadlineSeconds,
      template: { spec: { restartPolicy: o.restartPolicy ?? 'Never', containers: [{ name: 'c', image: 'perl' }] } },
    },
    status: o.status ?? {},
  };
}

function pod(name: string, phase: string, o: { finalizer?: boolean; ready?: boolean; finishedAgo?: number; deleting?: boolean; restarts?: number } = {}): Pod {
  const finished = o.finishedAgo !== undefined ? iso(NOW - o.finishedAgo * 1000) : undefined;
  return {
    metadata: { name, uid: `uid-${name}`, creationTimestamp: iso(NOW - 600_000), finalizers: o.finalizer === false ? [] : [JOB_TRACKING_FINALIZER], ...(o.deleting ? { deletionTimestamp: iso(NOW) } : {}) },
    spec: { containers: [], nodeName: 'node-1' },
    status: {
      phase,
      conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }],
      containerStatuses: [{ name: 'c', image: 'perl', imageID: '', ready: !!o.ready, restartCount: o.restarts ?? 0, ...(finished ? { state: { terminated: { exitCode: phase === 'Succeeded' ? 0 : 1, finishedAt: finished } } } : {}) }],
    },
  };
}

/** The plan in words. */
function show(p: JobPlan): Record<string, unknown> {
  const s = p.status ?? p.flushStatus;
  return {
    create: p.createPods,
    delete: p.deletePods.map((x) => x.metadata!.name),
    unfinalize: p.removeFinalizers.map((x) => x.metadata!.name),
    flush: p.flushStatus ? summary(p.flushStatus) : undefined,
    status: p.status ? summary(p.status) : undefined,
    events: [...p.events, ...p.finishEvents].map((e) => e.reason),
    ...(s === undefined ? {} : {}),
  };
}

function summary(s: NonNullable<Job['status']>): string {
  const u = s.uncountedTerminatedPods ?? {};
  const conds = (s.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`).join(',');
  return `active=${s.active ?? 0} ready=${s.ready} terminating=${s.terminating} succeeded=${s.succeeded ?? 0} failed=${s.failed ?? 0} uncounted=${(u.succeeded ?? []).length}/${(u.failed ?? []).length}${conds ? ` ${conds}` : ''}${s.completionTime ? ' completed' : ''}`;
}

const started = { startTime: iso(NOW - 60_000), active: 1, ready: 0, terminating: 0, uncountedTerminatedPods: {} };

const cases: Record<string, { job: Job; pods: Pod[]; want: Record<string, unknown> }> = {
  'a new Job starts min(parallelism, completions) pods': {
    // completions 5, parallelism 2 → 2 at a time.
    job: job({ completions: 5, parallelism: 2 }),
    pods: [],
    want: { create: 2, delete: [], unfinalize: [], flush: undefined, status: 'active=2 ready=0 terminating=0 succeeded=0 failed=0 uncounted=0/0', events: [] },
  },
  'never more than the completions left': {
    // 5 completions, 4 succeeded (counted), 1 running: wantActive = min(5 − 4, 3) = 1 → nothing.
    job: job({ completions: 5, parallelism: 3, status: { ...started, succeeded: 4 } }),
    pods: [pod('r', 'Running', { ready: true })],
    want: { create: 0, delete: [], unfinalize: [], flush: undefined, status: 'active=1 ready=1 terminating=0 succeeded=4 failed=0 uncounted=0/0', events: [] },
  },
  'a succeeded pod is counted through uncounted, then the Job completes': {
    job: job({ status: started }),
    pods: [pod('p', 'Succeeded', { finishedAgo: 1 })],
    want: {
      create: 0,
      delete: [],
      unfinalize: ['p'],
      // First the uid goes to uncounted with the interim SuccessCriteriaMet condition …
      flush: 'active=0 ready=0 terminating=0 succeeded=0 failed=0 uncounted=1/0 SuccessCriteriaMet=True/CompletionsReached',
      // … then, finalizer removed: succeeded 1, Complete, completionTime.
      status: 'active=0 ready=0 terminating=0 succeeded=1 failed=0 uncounted=0/0 SuccessCriteriaMet=True/CompletionsReached,Complete=True/CompletionsReached completed',
      events: ['Completed'],
    },
  },
  'a failed pod is replaced after the backoff': {
    // 1 failure just now: backoff 10 s, so no replacement yet (requeued).
    job: job({ status: started }),
    pods: [pod('f', 'Failed', { finishedAgo: 0 })],
    want: {
      create: 0,
      delete: [],
      unfinalize: ['f'],
      flush: 'active=0 ready=0 terminating=0 succeeded=0 failed=0 uncounted=0/1',
      status: 'active=0 ready=0 terminating=0 succeeded=0 failed=1 uncounted=0/0',
      events: [],
    },
  },
  'failures beyond backoffLimit fail the Job': {
    // backoffLimit 1: 1 counted + 1 new failure = 2 > 1 → FailureTarget, then Failed.
    job: job({ backoffLimit: 1, status: { ...started, active: 0, failed: 1 } }),
    pods: [pod('f2', 'Failed', { finishedAgo: 0 })],
    want: {
      create: 0,
      delete: [],
      unfinalize: ['f2'],
      flush: 'active=0 ready=0 terminating=0 succeeded=0 failed=1 uncounted=0/1 FailureTarget=True/BackoffLimitExceeded',
      status: 'active=0 ready=0 terminating=0 succeeded=0 failed=2 uncounted=0/0 FailureTarget=True/BackoffLimitExceeded,Failed=True/BackoffLimitExceeded',
      events: ['BackoffLimitExceeded'],
    },
  },
  'a failing Job deletes its active pods and waits for them to terminate': {
    job: job({ backoffLimit: 0, parallelism: 2, completions: 2, status: { ...started, active: 2 } }),
    pods: [pod('f', 'Failed', { finishedAgo: 0 }), pod('r', 'Running', { ready: true })],
    want: {
      create: 0,
      delete: ['r'],
      // Both are counted as failed once the Job is failing.
      unfinalize: ['f', 'r'],
      flush: 'active=0 ready=0 terminating=1 succeeded=0 failed=0 uncounted=0/2 FailureTarget=True/BackoffLimitExceeded',
      status: 'active=0 ready=0 terminating=1 succeeded=0 failed=2 uncounted=0/0 FailureTarget=True/BackoffLimitExceeded',
      events: [],
    },
  },
  'suspending deletes the active pods': {
    job: job({ suspend: true, status: started }),
    pods: [pod('r', 'Running', { ready: true })],
    want: { create: 0, delete: ['r'], unfinalize: [], flush: undefined, status: 'active=0 ready=0 terminating=1 succeeded=0 failed=0 uncounted=0/0 Suspended=True/JobSuspended', events: ['Suspended'] },
  },
  'without completions, the first success finishes the Job once the others are done': {
    job: job({ completions: null, parallelism: 2, status: { ...started, active: 2 } }),
    pods: [pod('ok', 'Succeeded', { finishedAgo: 1 }), pod('r', 'Running', { ready: true })],
    // wantActive = active (1) after a success: nothing created; not complete while r runs.
    want: { create: 0, delete: [], unfinalize: ['ok'], flush: 'active=1 ready=1 terminating=0 succeeded=0 failed=0 uncounted=1/0', status: 'active=1 ready=1 terminating=0 succeeded=1 failed=0 uncounted=0/0', events: [] },
  },
  'restartPolicy OnFailure: container restarts count against backoffLimit': {
    job: job({ backoffLimit: 2, restartPolicy: 'OnFailure', status: started }),
    pods: [pod('r', 'Running', { restarts: 2 })],
    want: {
      create: 0,
      delete: ['r'],
      unfinalize: ['r'],
      flush: 'active=0 ready=0 terminating=1 succeeded=0 failed=0 uncounted=0/1 FailureTarget=True/BackoffLimitExceeded',
      status: 'active=0 ready=0 terminating=1 succeeded=0 failed=1 uncounted=0/0 FailureTarget=True/BackoffLimitExceeded',
      events: [],
    },
  },
  'activeDeadlineSeconds passed: DeadlineExceeded': {
    job: job({ activeDeadlineSeconds: 30, status: { ...started, active: 0 } }),
    pods: [],
    want: {
      create: 0,
      delete: [],
      unfinalize: [],
      flush: undefined,
      status: 'active=0 ready=0 terminating=0 succeeded=0 failed=0 uncounted=0/0 FailureTarget=True/DeadlineExceeded,Failed=True/DeadlineExceeded',
      events: ['DeadlineExceeded'],
    },
  },
  'a finished Job only releases leftover finalizers': {
    job: job({ status: { ...started, active: 0, succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] } }),
    pods: [pod('p', 'Succeeded')],
    want: { create: 0, delete: [], unfinalize: ['p'], flush: undefined, status: undefined, events: [] },
  },
};

for (const [name, c] of Object.entries(cases)) {
  test(`planJob: ${name}`, () => assert.deepEqual(show(planJob({ job: c.job, pods: c.pods, now: NOW })), c.want));
}

test('planJob: the failure backoff doubles per failure since the last success, capped at 10 min', () => {
  // 3 failures: 10 s × 2 × 2 = 40 s; the last one 15 s ago → 25 s left.
  assert.equal(backoffRemaining({ failuresAfterLastSuccess: 3, lastFailureTime: NOW - 15_000 }, NOW), 25_000);
  assert.equal(backoffRemaining({ failuresAfterLastSuccess: 20, lastFailureTime: NOW }, NOW), 600_000);
  assert.equal(backoffRemaining({ failuresAfterLastSuccess: 1, lastFailureTime: NOW - 11_000 }, NOW), 0);
  const p = planJob({ job: job({ status: { ...started, active: 0, failed: 1 } }), pods: [], now: NOW, backoff: { failuresAfterLastSuccess: 1, lastFailureTime: NOW - 4000 } });
  assert.equal(p.createPods, 0);
  assert.equal(p.requeueAfterMs, 6000);
});
