/**
 * The Job controller's rules (pkg/controller/job/job_controller.go, NonIndexed completion), pure:
 * how many pods to start (never more than parallelism or the completions left, after a failure
 * backoff of 10 s doubling up to 10 min), which to delete (suspended, too many, or the Job
 * failed), and the status: active, ready, terminating, succeeded and failed counted through the
 * `batch.kubernetes.io/job-tracking` finalizer and `uncountedTerminatedPods` so no pod is counted
 * twice or lost, startTime, completionTime, and the conditions kube writes
 * (SuccessCriteriaMet → Complete, FailureTarget → Failed with BackoffLimitExceeded or
 * DeadlineExceeded, Suspended).
 */
import type { Job, JobCondition, JobStatus } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isPodActive, isPodReady, rfc3339, timeOf } from '../shared/pod-util.js';
import { canonicalJson } from '../shared/hash.js';
import { rankForDeletion } from '../replicaset/diff.js';
import type { KubeEvent } from '../deployment/plan.js';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;
/** MaxPodCreateDeletePerSync. */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

export interface BackoffRecord {
  readonly failuresAfterLastSuccess: number;
  readonly lastFailureTime?: number;
}

export interface JobInput {
  readonly job: Job;
  /** Every pod the Job controls, terminal ones included. */
  readonly pods: readonly Pod[];
  readonly now: number;
  /** The cache shows the controller's earlier creations and deletions. */
  readonly expectationsSatisfied?: boolean;
  /** Pods whose finalizer was removed though the cache does not show it yet. */
  readonly finalizersRemoved?: ReadonlySet<string>;
  readonly backoff?: BackoffRecord;
}

export interface JobPlan {
  /** Active pods to delete (their finalizers stay until they are counted). */
  readonly deletePods: Pod[];
  readonly createPods: number;
  /** Status to write before removing finalizers (new uncounted pods, interim conditions). */
  readonly flushStatus?: JobStatus;
  /** Pods whose tracking finalizer is to be removed. */
  readonly removeFinalizers: Pod[];
  /** Status once the finalizers are gone (counters moved out of uncounted, final conditions). */
  readonly status?: JobStatus;
  readonly events: KubeEvent[];
  /** Events for when `status` is written. */
  readonly finishEvents: KubeEvent[];
  readonly backoff: BackoffRecord;
  readonly requeueAfterMs?: number;
}

export const hasTrackingFinalizer = (p: Pod): boolean => (p.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);

function condition(job: Job, type: string): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type);
}

/** IsJobFinished: a Complete or Failed condition that is True. */
export function isJobFinished(job: Job): boolean {
  return (job.status?.conditions ?? []).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

const suspended = (job: Job): boolean => job.spec?.suspend === true;
const onlyReplaceFailed = (job: Job): boolean => job.spec?.podReplacementPolicy === 'Failed';

/** isPodFailed: Failed, or (unless only failed pods are replaced) deleted before succeeding. */
export function isPodFailed(p: Pod, job: Job): boolean {
  if (p.status?.phase === 'Failed') return true;
  if (onlyReplaceFailed(job)) return false;
  return !!p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded';
}

/** getFinishedTime: the last container to finish, else the deletion time, else creation. */
export function finishedTime(p: Pod): number {
  let t: number | undefined;
  for (const c of p.status?.containerStatuses ?? []) {
    const f = timeOf(c.state?.terminated?.finishedAt);
    if (f !== undefined && (t === undefined || f > t)) t = f;
  }
  if (t === undefined) {
    const ready = p.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False');
    if (ready && (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed')) t = timeOf(ready.lastTransitionTime);
  }
  return t ?? timeOf(p.metadata?.deletionTimestamp) ?? timeOf(p.metadata?.creationTimestamp) ?? 0;
}

/** newBackoffRecord: failures since the last success, and when the last one happened. */
export function nextBackoff(old: BackoffRecord, newSucceeded: Pod[], newFailed: Pod[]): BackoffRecord {
  const failedTimes = newFailed.map(finishedTime).sort((a, b) => a - b);
  if (newSucceeded.length === 0) {
    if (failedTimes.length === 0) return old;
    return { failuresAfterLastSuccess: old.failuresAfterLastSuccess + failedTimes.length, lastFailureTime: failedTimes[failedTimes.length - 1] };
  }
  const lastSuccess = Math.max(...newSucceeded.map(finishedTime));
  const after = failedTimes.filter((t) => t > lastSuccess);
  return after.length ? { failuresAfterLastSuccess: after.length, lastFailureTime: after[after.length - 1] } : { failuresAfterLastSuccess: 0 };
}

/** getRemainingTime: 10 s after the first failure, doubling per failure, at most 10 min. */
export function backoffRemaining(b: BackoffRecord, now: number, base = DEFAULT_POD_FAILURE_BACKOFF_MS, max = MAX_POD_FAILURE_BACKOFF_MS): number {
  if (b.failuresAfterLastSuccess === 0 || b.lastFailureTime === undefined) return 0;
  let d = base;
  for (let i = 1; i < b.failuresAfterLastSuccess; i++) {
    d *= 2;
    if (d >= max) {
      d = max;
      break;
    }
  }
  const elapsed = now - b.lastFailureTime;
  return d < elapsed ? 0 : d - elapsed;
}

/** pastBackoffLimitOnFailure: with restartPolicy OnFailure, container restarts count as failures. */
function pastBackoffLimitOnFailure(job: Job, pods: readonly Pod[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const c of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += c.restartCount ?? 0;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

function newCondition(type: string, status: string, reason: string, message: string, now: number): JobCondition {
  return { type, status, lastProbeTime: rfc3339(now), lastTransitionTime: rfc3339(now), reason, message };
}

/** ensureJobConditionStatus: returns whether the list changed. */
function ensureCondition(status: JobStatus, c: JobCondition): boolean {
  const list = (status.conditions ??= []);
  const i = list.findIndex((x) => x.type === c.type);
  if (i >= 0) {
    const cur = list[i];
    if (cur.status !== c.status || cur.reason !== c.reason || cur.message !== c.message) {
      list[i] = c;
      return true;
    }
    return false;
  }
  if (c.status !== 'False') {
    list.push(c);
    return true;
  }
  if (list.length === 0) delete status.conditions;
  return false;
}

export function planJob(input: JobInput): JobPlan {
  const { job, now } = input;
  const removed = input.finalizersRemoved ?? new Set<string>();
  const backoffIn = input.backoff ?? { failuresAfterLastSuccess: 0 };
  const empty: JobPlan = { deletePods: [], createPods: 0, removeFinalizers: [], events: [], finishEvents: [], backoff: backoffIn };
  const withFinalizer = (p: Pod) => hasTrackingFinalizer(p) && !removed.has(p.metadata?.uid ?? '');

  // A finished Job keeps nothing: release any finalizers left (syncOrphanPod).
  if (isJobFinished(job)) return { ...empty, removeFinalizers: input.pods.filter(withFinalizer), backoff: { failuresAfterLastSuccess: 0 } };

  const status: JobStatus = structuredClone(job.status ?? {});
  const uncounted = { succeeded: [...(status.uncountedTerminatedPods?.succeeded ?? [])], failed: [...(status.uncountedTerminatedPods?.failed ?? [])] };
  const pods = input.pods;
  const activePods = pods.filter(isPodActive);
  let ready = activePods.filter(isPodReady).length;
  let terminating = pods.filter((p) => !!p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
  let active = activePods.length;
  const fresh = (p: Pod, set: string[]) => withFinalizer(p) && !set.includes(p.metadata?.uid ?? '');
  const newSucceeded = pods.filter((p) => fresh(p, uncounted.succeeded) && p.status?.phase === 'Succeeded');
  const newFailed = pods.filter((p) => fresh(p, uncounted.failed) && isPodFailed(p, job));
  const succeeded = (status.succeeded ?? 0) + newSucceeded.length + uncounted.succeeded.length;
  const failed = (status.failed ?? 0) + newFailed.length + uncounted.failed.length;
  const events: KubeEvent[] = [];
  let requeueAfterMs: number | undefined;
  const requeue = (ms: number) => (requeueAfterMs = requeueAfterMs === undefined ? ms : Math.min(requeueAfterMs, ms));

  if (!status.startTime && !suspended(job)) status.startTime = rfc3339(now);
  const backoff = nextBackoff(backoffIn, newSucceeded, newFailed);
  const backoffLimit = job.spec?.backoffLimit ?? 6;
  const parallelism = job.spec?.parallelism ?? 1;
  const completions = job.spec?.completions ?? undefined;

  let finished: JobCondition | undefined;
  const successMet = condition(job, 'SuccessCriteriaMet');
  const failureTarget = condition(job, 'FailureTarget');
  if (successMet?.status === 'True') finished = successMet;
  else if (failureTarget?.status === 'True') finished = newCondition('Failed', 'True', failureTarget.reason ?? '', failureTarget.message ?? '', now);
  else if (failed > backoffLimit || pastBackoffLimitOnFailure(job, pods)) {
    finished = newCondition('FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
  } else if (job.spec?.activeDeadlineSeconds !== undefined && status.startTime && !suspended(job)) {
    const deadline = (timeOf(status.startTime) ?? now) + job.spec.activeDeadlineSeconds * 1000;
    if (now >= deadline) finished = newCondition('FailureTarget', 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline', now);
    else requeue(deadline - now);
  }

  let deletePods: Pod[] = [];
  let createPods = 0;
  const satisfied = input.expectationsSatisfied ?? true;
  if (finished) {
    deletePods = activePods.filter((p) => !p.metadata?.deletionTimestamp);
    if (!satisfied) finished = undefined;
    ready -= deletePods.filter(isPodReady).length;
    terminating += deletePods.length;
    active -= deletePods.length;
  } else {
    let manageCalled = false;
    if (satisfied && !job.metadata?.deletionTimestamp) {
      manageCalled = true;
      if (suspended(job)) {
        deletePods = rankForDeletion(activePods, [], now);
      } else {
        let wantActive: number;
        if (completions === undefined || completions === null) wantActive = succeeded > 0 ? active : parallelism;
        else wantActive = Math.max(0, Math.min(completions - succeeded, parallelism));
        const rmAtLeast = Math.max(0, active - wantActive);
        deletePods = rankForDeletion(activePods, [], now).slice(0, Math.min(rmAtLeast, MAX_POD_CREATE_DELETE_PER_SYNC));
        if (deletePods.length === 0) {
          const diff = wantActive - (onlyReplaceFailed(job) ? terminating : 0) - active;
          if (diff > 0) {
            const remaining = backoffRemaining(backoff, now);
            if (remaining > 0) requeue(remaining);
            else createPods = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
          }
        }
      }
      ready -= deletePods.filter(isPodReady).length;
      terminating += deletePods.length;
      active += createPods - deletePods.length;
    }
    const complete = completions === undefined || completions === null ? succeeded > 0 && active === 0 : succeeded >= completions && active === 0;
    if (complete) finished = newCondition('SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', now);
    else if (manageCalled) {
      if (suspended(job)) {
        if (ensureCondition(status, newCondition('Suspended', 'True', 'JobSuspended', 'Job suspended', now))) events.push({ type: 'Normal', reason: 'Suspended', message: 'Job suspended' });
      } else if (ensureCondition(status, newCondition('Suspended', 'False', 'JobResumed', 'Job resumed', now))) {
        events.push({ type: 'Normal', reason: 'Resumed', message: 'Job resumed' });
        status.startTime = rfc3339(now);
      }
    }
  }

  status.active = active;
  status.ready = ready;
  status.terminating = terminating;

  // trackJobStatusAndRemoveFinalizers
  const uidsWithFinalizer = new Set(pods.filter(withFinalizer).map((p) => p.metadata!.uid!));
  const cleanUncounted = (keep: Set<string>) => {
    const s = uncounted.succeeded.filter((u) => keep.has(u));
    const f = uncounted.failed.filter((u) => keep.has(u));
    status.succeeded = (status.succeeded ?? 0) + uncounted.succeeded.length - s.length;
    status.failed = (status.failed ?? 0) + uncounted.failed.length - f.length;
    uncounted.succeeded = s;
    uncounted.failed = f;
  };
  cleanUncounted(uidsWithFinalizer);
  const removeFinalizers: Pod[] = [];
  for (const p of pods) {
    if (!withFinalizer(p)) continue;
    const uid = p.metadata!.uid!;
    const considerFailed = isPodFailed(p, job);
    const canRemove = !!job.metadata?.deletionTimestamp || !!finished || p.status?.phase === 'Succeeded' || considerFailed;
    if (!canRemove) continue;
    removeFinalizers.push(p);
    if (p.status?.phase === 'Succeeded' && !uncounted.failed.includes(uid)) {
      if (!uncounted.succeeded.includes(uid)) uncounted.succeeded.push(uid);
    } else if (considerFailed || (finished && finished.type !== 'SuccessCriteriaMet' && finished.type !== 'Complete')) {
      if (!uncounted.failed.includes(uid)) uncounted.failed.push(uid);
    }
  }
  if (finished?.type === 'FailureTarget') {
    ensureCondition(status, finished);
    finished = newCondition('Failed', 'True', finished.reason ?? '', finished.message ?? '', now);
  }
  if (finished?.type === 'SuccessCriteriaMet') {
    if (!condition({ status } as Job, 'SuccessCriteriaMet')) ensureCondition(status, finished);
    finished = newCondition('Complete', 'True', finished.reason ?? '', finished.message ?? '', now);
  }
  status.uncountedTerminatedPods = { ...(uncounted.succeeded.length ? { succeeded: [...uncounted.succeeded] } : {}), ...(uncounted.failed.length ? { failed: [...uncounted.failed] } : {}) };
  normalize(status);
  const flushStatus = structuredClone(status);

  // After the finalizers are gone: move the counted pods out of uncounted.
  for (const p of removeFinalizers) uidsWithFinalizer.delete(p.metadata!.uid!);
  cleanUncounted(uidsWithFinalizer);
  status.uncountedTerminatedPods = { ...(uncounted.succeeded.length ? { succeeded: uncounted.succeeded } : {}), ...(uncounted.failed.length ? { failed: uncounted.failed } : {}) };
  const finishEvents: KubeEvent[] = [];
  if (finished && uncounted.succeeded.length + uncounted.failed.length === 0 && terminating === 0) {
    ensureCondition(status, finished);
    if (finished.type === 'Complete') {
      status.completionTime = finished.lastTransitionTime;
      if (completions !== undefined && completions !== null && (status.succeeded ?? 0) > completions) {
        finishEvents.push({ type: 'Warning', reason: 'TooManySucceededPods', message: 'Too many succeeded pods running after completion count reached' });
      }
      finishEvents.push({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
    } else finishEvents.push({ type: 'Warning', reason: finished.reason ?? '', message: finished.message ?? '' });
  } else if (finished && terminating > 0) requeue(1000);
  normalize(status);

  const original = normalized(job.status ?? {});
  // canonicalJson drops empty objects, so also compare whether uncountedTerminatedPods is present.
  const same = (a: JobStatus, b: JobStatus) => canonicalJson(a) === canonicalJson(b) && !!a.uncountedTerminatedPods === !!b.uncountedTerminatedPods;
  const flushChanged = !same(flushStatus, original);
  const finalChanged = !same(status, flushStatus);
  return {
    deletePods,
    createPods,
    flushStatus: flushChanged && removeFinalizers.length > 0 ? flushStatus : undefined,
    removeFinalizers,
    status: finalChanged || (flushChanged && removeFinalizers.length === 0) ? status : undefined,
    events,
    finishEvents,
    backoff,
    requeueAfterMs,
  };
}

/** Go's omitempty for the counters; ready, terminating and uncountedTerminatedPods are pointers (kept). */
function normalize(s: JobStatus): void {
  for (const k of ['active', 'succeeded', 'failed'] as const) if (!s[k]) delete s[k];
  if (s.conditions && s.conditions.length === 0) delete s.conditions;
}

function normalized(s: JobStatus): JobStatus {
  const c = structuredClone(s);
  normalize(c);
  return c;
}
