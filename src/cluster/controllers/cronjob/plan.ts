/**
 * The CronJob controller's rules (pkg/controller/cronjob/cronjob_controllerv2.go), pure: keep the
 * active list true to the Jobs that exist and run, note the last success, decide whether the most
 * recent scheduled time is due (not too late for startingDeadlineSeconds, not yet started,
 * allowed by concurrencyPolicy Allow / Forbid / Replace, not suspended), the Job to create —
 * named `<cronjob>-<scheduled time in minutes since the epoch>` — the finished Jobs beyond the
 * history limits to delete, and when to look again.
 */
import type { CronJob, CronJobStatus, Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import { newControllerRef } from '../shared/owner.js';
import { canonicalJson } from '../shared/hash.js';
import { rfc3339, timeOf } from '../shared/pod-util.js';
import type { KubeEvent } from '../deployment/plan.js';
import { isValidTimeZone, parseSchedule, type Schedule } from './schedule.js';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** nextScheduleDelta: wake a little after the scheduled time. */
export const NEXT_SCHEDULE_DELTA_MS = 100;

export interface CronJobInput {
  readonly cronJob: CronJob;
  /** Jobs the CronJob controls. */
  readonly jobs: readonly Job[];
  readonly now: number;
  /** uids of active references the API confirmed gone (the cache alone may lag). */
  readonly missingJobs?: ReadonlySet<string>;
}

export interface CronJobPlan {
  /** Jobs to delete (Background propagation), with why. */
  readonly deleteJobs: { readonly job: Job | ObjectReference; readonly reason: 'replace' | 'history' }[];
  readonly createJob?: Job;
  /** The status (without the reference to `createJob`, which the shell adds once it has a uid). */
  readonly status: CronJobStatus;
  readonly statusChanged: boolean;
  readonly events: KubeEvent[];
  readonly requeueAfterMs?: number;
}

const finishedCondition = (j: Job): 'Complete' | 'Failed' | undefined => {
  const c = (j.status?.conditions ?? []).find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  return c?.type as 'Complete' | 'Failed' | undefined;
};

/** getJobName: `<cronjob>-<unix minutes>`. */
export function jobName(cronJobName: string, scheduledTime: number): string {
  return `${cronJobName}-${Math.floor(scheduledTime / 60_000)}`;
}

/** RFC 3339 in `timeZone` (UTC when unset), as time.Format(time.RFC3339) after In(location). */
function rfc3339In(ms: number, timeZone: string | undefined): string {
  if (!timeZone || timeZone === 'UTC' || timeZone === 'Etc/UTC') return rfc3339(ms);
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const p = Object.fromEntries(fmt.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  const local = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour) % 24, Number(p.minute), Number(p.second));
  const offset = Math.round((local - Math.floor(ms / 1000) * 1000) / 60_000);
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  const off = offset === 0 ? 'Z' : `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${p.year}-${p.month}-${p.day}T${String(Number(p.hour) % 24).padStart(2, '0')}:${p.minute}:${p.second}${off}`;
}

/** getJobFromTemplate2: the template's labels and annotations, the scheduled-timestamp annotation, the owner. */
export function jobFromTemplate(cj: CronJob, scheduledTime: number): Job {
  const tmpl = cj.spec?.jobTemplate;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobName(cj.metadata!.name!, scheduledTime),
      namespace: cj.metadata?.namespace,
      labels: { ...tmpl?.metadata?.labels },
      annotations: { ...tmpl?.metadata?.annotations, [SCHEDULED_TIMESTAMP_ANNOTATION]: rfc3339In(scheduledTime, cj.spec?.timeZone) },
      ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
    },
    spec: structuredClone(tmpl?.spec ?? { template: { spec: { containers: [] } } }),
  };
}

/**
 * mostRecentScheduleTime: the latest scheduled time in (earliest, now], where earliest is the last
 * schedule time (or creation), raised to now − startingDeadlineSeconds. Also counts the misses.
 */
export function mostRecentScheduleTime(cj: CronJob, now: number, sched: Schedule, includeStartingDeadline: boolean): { earliest: number; mostRecent?: number; missed: number } {
  let earliest = timeOf(cj.status?.lastScheduleTime) ?? timeOf(cj.metadata?.creationTimestamp) ?? now;
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadline && deadline !== undefined && deadline !== null) earliest = Math.max(earliest, now - deadline * 1000);
  let t = sched.next(earliest);
  if (t > now) return { earliest, missed: 0 };
  let mostRecent = t;
  let missed = 0;
  // At most a year of minutes; kube estimates the count arithmetically beyond that.
  for (let i = 0; i < 600_000; i++) {
    const n = sched.next(t);
    if (n > now) break;
    mostRecent = n;
    t = n;
    missed++;
  }
  return { earliest, mostRecent, missed };
}

const byStartTime = (a: Job, b: Job): number => {
  const sa = timeOf(a.status?.startTime);
  const sb = timeOf(b.status?.startTime);
  if (sa === undefined || sb === undefined) {
    if (sa !== sb) return sa === undefined ? 1 : -1;
  } else if (sa !== sb) return sa - sb;
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
};

export function planCronJob(input: CronJobInput): CronJobPlan {
  const { now } = input;
  const cj = input.cronJob;
  const status: CronJobStatus = structuredClone(cj.status ?? {});
  const active: ObjectReference[] = [...(status.active ?? [])];
  const events: KubeEvent[] = [];
  const deleteJobs: CronJobPlan['deleteJobs'] = [];
  let requeueAfterMs: number | undefined;
  const jobs = input.jobs;
  const uids = new Set(jobs.map((j) => j.metadata?.uid));
  const inActive = (uid?: string) => active.some((r) => r.uid === uid);
  const removeActive = (uid?: string) => {
    const i = active.findIndex((r) => r.uid === uid);
    if (i >= 0) active.splice(i, 1);
  };

  for (const j of jobs) {
    const finished = finishedCondition(j);
    const found = inActive(j.metadata?.uid);
    if (found && finished) {
      removeActive(j.metadata?.uid);
      events.push({ type: 'Normal', reason: 'SawCompletedJob', message: `Saw completed job: ${j.metadata?.name}, condition: ${finished}` });
    }
    if (finished === 'Complete' && j.status?.completionTime) {
      const last = timeOf(status.lastSuccessfulTime);
      if (last === undefined || (timeOf(j.status.completionTime) ?? 0) > last) status.lastSuccessfulTime = j.status.completionTime;
    }
  }
  for (const ref of [...active]) {
    if (uids.has(ref.uid) || !input.missingJobs?.has(ref.uid ?? '')) continue;
    events.push({ type: 'Normal', reason: 'MissingJob', message: `Active job went missing: ${ref.name}` });
    removeActive(ref.uid);
  }

  let createJob: Job | undefined;
  const schedule = (): void => {
    if (cj.metadata?.deletionTimestamp) return;
    const tz = cj.spec?.timeZone ?? undefined;
    if (tz !== undefined && !isValidTimeZone(tz)) {
      events.push({ type: 'Warning', reason: 'UnknownTimeZone', message: `invalid timeZone: "${tz}": unknown time zone ${tz}` });
      return;
    }
    if (cj.spec?.suspend) return;
    let sched: Schedule;
    try {
      sched = parseSchedule(cj.spec?.schedule ?? '', tz);
    } catch (e) {
      events.push({ type: 'Warning', reason: 'UnparseableSchedule', message: `unparseable schedule: "${cj.spec?.schedule}" : ${(e as Error).message}` });
      return;
    }
    const nextDelay = () => {
      const { earliest, mostRecent } = mostRecentScheduleTime({ ...cj, status: { ...status, active } }, now, sched, false);
      requeueAfterMs = sched.next(mostRecent ?? earliest) + NEXT_SCHEDULE_DELTA_MS - now;
    };
    const { mostRecent, missed } = mostRecentScheduleTime(cj, now, sched, true);
    if (missed > 100) events.push({ type: 'Warning', reason: 'TooManyMissedTimes', message: 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew' });
    if (mostRecent === undefined) return nextDelay();
    const deadline = cj.spec?.startingDeadlineSeconds;
    if (deadline !== undefined && deadline !== null && mostRecent + deadline * 1000 < now) {
      events.push({ type: 'Warning', reason: 'MissSchedule', message: `Missed scheduled time to start a job: ${new Date(mostRecent).toUTCString().replace('GMT', '+0000')}` });
      return nextDelay();
    }
    const name = jobName(cj.metadata!.name!, mostRecent);
    if (active.some((r) => r.name === name) || timeOf(status.lastScheduleTime) === mostRecent) return nextDelay();
    const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && active.length > 0) {
      events.push({ type: 'Normal', reason: 'JobAlreadyActive', message: 'Not starting job because prior execution is running and concurrency policy is Forbid' });
      return nextDelay();
    }
    if (policy === 'Replace') {
      for (const ref of [...active]) {
        deleteJobs.push({ job: ref, reason: 'replace' });
        removeActive(ref.uid);
      }
    }
    createJob = jobFromTemplate(cj, mostRecent);
    status.lastScheduleTime = rfc3339(mostRecent);
    nextDelay();
  };
  schedule();

  // cleanupFinishedJobs: keep the newest successful / failed Jobs up to their limits.
  const successful = jobs.filter((j) => finishedCondition(j) === 'Complete');
  const failed = jobs.filter((j) => finishedCondition(j) === 'Failed');
  const prune = (list: Job[], limit: number | undefined) => {
    if (limit === undefined || limit === null) return;
    const extra = list.length - limit;
    if (extra <= 0) return;
    for (const j of [...list].sort(byStartTime).slice(0, extra)) {
      deleteJobs.push({ job: j, reason: 'history' });
      removeActive(j.metadata?.uid);
    }
  };
  prune(successful, cj.spec?.successfulJobsHistoryLimit);
  prune(failed, cj.spec?.failedJobsHistoryLimit);

  if (active.length) status.active = active;
  else delete status.active;
  const statusChanged = canonicalJson(status) !== canonicalJson(cj.status ?? {});
  return { deleteJobs, createJob, status, statusChanged, events, requeueAfterMs };
}
