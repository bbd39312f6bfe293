/**
 * The CronJob controller's shell: read the CronJob and the Jobs it controls from the cache,
 * confirm with the API that active Jobs missing from the cache are really gone, ask
 * {@link planCronJob}, delete (Background) and create Jobs with kube's Events, and write status
 * (the new Job's reference in `active`, lastScheduleTime) when it changed. It requeues itself for
 * the next scheduled time.
 */
import type { CronJob, CronJobStatus, Job } from 'kubernetes-types/batch/v1.js';
import type { ObjectReference } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, kinds, type Request, type ResourceType, type Result } from '../../../runtime/index.js';
import { asK, cached, cachedByOwner, type ControllerContext, retryStaleWrites } from '../shared/context.js';
import { controllerRefOf, isControlledBy } from '../shared/owner.js';
import { planCronJob } from './plan.js';

export const CRONJOB_CONTROLLER = 'cronjob-controller';
export const cronJobsKind: ResourceType = { apiVersion: 'batch/v1', kind: 'CronJob', plural: 'cronjobs' };

const refTo = (j: Job): ObjectReference => ({
  kind: 'Job',
  namespace: j.metadata?.namespace,
  name: j.metadata?.name,
  uid: j.metadata?.uid,
  apiVersion: 'batch/v1',
  resourceVersion: j.metadata?.resourceVersion,
});

export function registerCronJobController(ctx: ControllerContext): void {
  const { manager } = ctx;
  const { client } = manager;
  const events = manager.eventRecorder(CRONJOB_CONTROLLER);

  async function reconcile(req: Request): Promise<Result> {
    const cj = cached<CronJob>(ctx, cronJobsKind, req.namespace, req.name);
    if (!cj) return {};
    const jobs = cachedByOwner<Job>(ctx, kinds.jobs, cj.metadata!.uid!).filter((j) => isControlledBy(j, cj));
    const missing = new Set<string>();
    for (const ref of cj.status?.active ?? []) {
      if (jobs.some((j) => j.metadata?.uid === ref.uid)) continue;
      const live = (await client.get(kinds.jobs, ref.namespace ?? req.namespace, ref.name ?? '')) as unknown as Job | undefined;
      if (!live || live.metadata?.uid !== ref.uid) missing.add(ref.uid ?? '');
    }
    const plan = planCronJob({ cronJob: cj, jobs, now: ctx.now(), missingJobs: missing });
    const status: CronJobStatus = structuredClone(plan.status);
    let changed = plan.statusChanged;

    for (const d of plan.deleteJobs) {
      const name = (d.job as Job).metadata?.name ?? (d.job as ObjectReference).name ?? '';
      await client.delete(kinds.jobs, req.namespace, name, { propagationPolicy: 'Background' });
      void events.event(asK(cj), 'Normal', 'SuccessfulDelete', `Deleted job ${name}`);
    }
    if (plan.createJob) {
      let created: Job | undefined;
      try {
        created = (await client.create(kinds.jobs, asK(plan.createJob))) as unknown as Job;
        void events.event(asK(cj), 'Normal', 'SuccessfulCreate', `Created job ${created.metadata?.name}`);
      } catch (e) {
        if (!isAlreadyExists(e)) {
          void events.event(asK(cj), 'Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`);
          throw e;
        }
        // Created before, but the status update was lost: record it if it is ours.
        const existing = (await client.get(kinds.jobs, req.namespace, plan.createJob.metadata!.name!)) as unknown as Job | undefined;
        if (existing && isControlledBy(existing, cj) && !(status.active ?? []).some((r) => r.uid === existing.metadata?.uid)) created = existing;
      }
      if (created) {
        status.active = [...(status.active ?? []), refTo(created)];
        changed = true;
      }
    }
    if (changed) await client.updateStatus(cronJobsKind, asK({ ...cj, status }));
    for (const e of plan.events) void events.event(asK(cj), e.type, e.reason, e.message);
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: Math.max(100, plan.requeueAfterMs) } : {};
  }

  manager.addController({
    name: CRONJOB_CONTROLLER,
    for: cronJobsKind,
    workers: ctx.workers,
    reconciler: retryStaleWrites(reconcile),
    watches: [
      {
        type: kinds.jobs,
        map: (o) => {
          const ref = controllerRefOf(o as unknown as Job);
          return ref?.kind === 'CronJob' ? [{ namespace: o.metadata?.namespace ?? '', name: ref.name }] : [];
        },
      },
    ],
  });
}
