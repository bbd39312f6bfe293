import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, Job } from 'kubernetes-types/batch/v1.js';
import { jobName, planCronJob, type CronJobPlan } from './plan.js';

const NOW = Date.parse('2024-05-01T12:00:30Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const MIN = 60_000;

function cronJob(o: { schedule?: string; policy?: string; suspend?: boolean; lastSchedule?: number; active?: Job[]; deadline?: number; createdAgoMin?: number; successLimit?: number; failedLimit?: number; timeZone?: string } = {}): CronJob {
  return {
    metadata: { name: 'hello', namespace: 'default', uid: 'cj-uid', creationTimestamp: iso(NOW - (o.createdAgoMin ?? 10) * MIN) },
    spec: {
      schedule: o.schedule ?? '*/5 * * * *',
      timeZone: o.timeZone ?? 'UTC',
      concurrencyPolicy: o.policy ?? 'Allow',
      suspend: o.suspend ?? false,
      startingDeadlineSeconds: o.deadline,
      successfulJobsHistoryLimit: o.successLimit ?? 3,
      failedJobsHistoryLimit: o.failedLimit ?? 1,
      jobTemplate: { metadata: { labels: { team: 'a' } }, spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } },
    },
    status: {
      ...(o.lastSchedule !== undefined ? { lastScheduleTime: iso(o.lastSchedule) } : {}),
      ...(o.active?.length ? { active: o.active.map((j) => ({ kind: 'Job', apiVersion: 'batch/v1', namespace: 'default', name: j.metadata!.name, uid: j.metadata!.uid })) } : {}),
    },
  };
}

function job(minute: number, state: 'running' | 'Complete' | 'Failed', startedMin = minute): Job {
  const name = `hello-${minute}`;
  return {
    metadata: { name, namespace: 'default', uid: `uid-${minute}` },
    status: {
      startTime: iso(startedMin * MIN),
      ...(state === 'running' ? { active: 1 } : { conditions: [{ type: state, status: 'True' }], ...(state === 'Complete' ? { completionTime: iso(minute * MIN + 30_000) } : {}) }),
    },
  };
}

const m = (ms: number) => Math.floor(ms / MIN);
// 12:00 is the most recent every-5-minutes time before NOW.
const T1200 = Date.parse('2024-05-01T12:00:00Z');

function show(p: CronJobPlan) {
  return {
    create: p.createJob?.metadata?.name,
    delete: p.deleteJobs.map((d) => `${(d.job as Job).metadata?.name ?? (d.job as { name?: string }).name}:${d.reason}`),
    active: (p.status.active ?? []).map((r) => r.name),
    last: p.status.lastScheduleTime,
    events: p.events.map((e) => e.reason),
    requeue: p.requeueAfterMs,
  };
}

const cases: Record<string, { cj: CronJob; jobs?: Job[]; want: ReturnType<typeof show> }> = {
  'due: creates the Job named after the scheduled minute and wakes for the next one': {
    cj: cronJob(),
    want: { create: `hello-${m(T1200)}`, delete: [], active: [], last: iso(T1200), events: [], requeue: 5 * MIN - 30_000 + 100 },
  },
  'already started for this time: nothing': {
    cj: cronJob({ lastSchedule: T1200 }),
    want: { create: undefined, delete: [], active: [], last: iso(T1200), events: [], requeue: 5 * MIN - 30_000 + 100 },
  },
  'suspended: nothing': {
    cj: cronJob({ suspend: true }),
    want: { create: undefined, delete: [], active: [], last: undefined, events: [], requeue: undefined },
  },
  'Forbid while one runs: skipped with JobAlreadyActive': {
    cj: cronJob({ policy: 'Forbid', lastSchedule: T1200 - 5 * MIN, active: [job(m(T1200) - 5, 'running')] }),
    jobs: [job(m(T1200) - 5, 'running')],
    want: { create: undefined, delete: [], active: [`hello-${m(T1200) - 5}`], last: iso(T1200 - 5 * MIN), events: ['JobAlreadyActive'], requeue: 5 * MIN - 30_000 + 100 },
  },
  'Replace: the running Job is deleted and a new one created': {
    cj: cronJob({ policy: 'Replace', lastSchedule: T1200 - 5 * MIN, active: [job(m(T1200) - 5, 'running')] }),
    jobs: [job(m(T1200) - 5, 'running')],
    want: { create: `hello-${m(T1200)}`, delete: [`hello-${m(T1200) - 5}:replace`], active: [], last: iso(T1200), events: [], requeue: 5 * MIN - 30_000 + 100 },
  },
  'Allow: runs alongside': {
    cj: cronJob({ lastSchedule: T1200 - 5 * MIN, active: [job(m(T1200) - 5, 'running')] }),
    jobs: [job(m(T1200) - 5, 'running')],
    want: { create: `hello-${m(T1200)}`, delete: [], active: [`hello-${m(T1200) - 5}`], last: iso(T1200), events: [], requeue: 5 * MIN - 30_000 + 100 },
  },
  'a finished active Job leaves the active list': {
    cj: cronJob({ lastSchedule: T1200, active: [job(m(T1200), 'Complete')] }),
    jobs: [job(m(T1200), 'Complete')],
    want: { create: undefined, delete: [], active: [], last: iso(T1200), events: ['SawCompletedJob'], requeue: 5 * MIN - 30_000 + 100 },
  },
  'missed by more than startingDeadlineSeconds: not started': {
    // Scheduled 12:00, deadline 10 s, now 12:00:30: times before 12:00:20 are not considered.
    cj: cronJob({ deadline: 10, lastSchedule: T1200 - 5 * MIN }),
    want: { create: undefined, delete: [], active: [], last: iso(T1200 - 5 * MIN), events: [], requeue: 5 * MIN - 30_000 + 100 },
  },
  'history limits: oldest finished Jobs beyond the limits go': {
    // 3 successes kept of 4; 1 failure kept of 2.
    cj: cronJob({ lastSchedule: T1200 }),
    jobs: [job(100, 'Complete'), job(200, 'Complete'), job(300, 'Complete'), job(400, 'Complete'), job(150, 'Failed'), job(250, 'Failed')],
    want: { create: undefined, delete: ['hello-100:history', 'hello-150:history'], active: [], last: iso(T1200), events: [], requeue: 5 * MIN - 30_000 + 100 },
  },
  'not yet due after creation: wake at the first time': {
    cj: cronJob({ schedule: '0 13 * * *', createdAgoMin: 1 }),
    want: { create: undefined, delete: [], active: [], last: undefined, events: [], requeue: Date.parse('2024-05-01T13:00:00Z') - NOW + 100 },
  },
  'a bad schedule is reported': {
    cj: cronJob({ schedule: '61 * * * *' }),
    want: { create: undefined, delete: [], active: [], last: undefined, events: ['UnparseableSchedule'], requeue: undefined },
  },
};

for (const [name, c] of Object.entries(cases)) {
  test(`planCronJob: ${name}`, () => assert.deepEqual(show(planCronJob({ cronJob: c.cj, jobs: c.jobs ?? [], now: NOW })), c.want));
}

test('planCronJob: the Job carries the template, the scheduled-timestamp annotation and the owner', () => {
  const j = planCronJob({ cronJob: cronJob(), jobs: [], now: NOW }).createJob!;
  assert.equal(j.metadata?.name, jobName('hello', T1200));
  assert.equal(j.metadata?.name, 'hello-28576080');
  assert.deepEqual(j.metadata?.labels, { team: 'a' });
  assert.equal(j.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2024-05-01T12:00:00Z');
  assert.deepEqual(j.metadata?.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'hello', uid: 'cj-uid', controller: true, blockOwnerDeletion: true }]);
  assert.equal(j.spec?.template.spec?.restartPolicy, 'OnFailure');
  const ny = planCronJob({ cronJob: cronJob({ timeZone: 'America/New_York' }), jobs: [], now: NOW }).createJob!;
  assert.equal(ny.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2024-05-01T08:00:00-04:00');
});

test('planCronJob: an active Job the API says is gone is dropped with MissingJob', () => {
  const gone = job(m(T1200), 'running');
  const p = planCronJob({ cronJob: cronJob({ lastSchedule: T1200, active: [gone] }), jobs: [], now: NOW, missingJobs: new Set([gone.metadata!.uid!]) });
  assert.deepEqual([p.status.active, p.events.map((e) => e.reason)], [undefined, ['MissingJob']]);
});
