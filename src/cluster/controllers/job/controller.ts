/**
 * The Job controller's shell: claim the Job's pods (adopting orphans with the tracking
 * finalizer), ask {@link planJob}, then delete, create (slow start, the template plus the
 * `batch.kubernetes.io/job-tracking` finalizer), flush status, remove finalizers, write the final
 * status, and record kube's Events. Pods left with the finalizer by a deleted Job are released.
 */
import type { Job } from 'kubernetes-types/batch/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isNotFound, kinds, type Request, type ResourceType, type Result } from '../../../runtime/index.js';
import { adopt, asK, cached, cachedList, keyOf, release, type ControllerContext, cachedPodState, retryStaleWrites } from '../shared/context.js';
import { Expectations } from '../shared/expectations.js';
import { claimObjects, controllerRefOf, newControllerRef } from '../shared/owner.js';
import { selectorMatches } from '../shared/pod-util.js';
import { podFromTemplate, slowStartBatches } from '../replicaset/diff.js';
import { hasTrackingFinalizer, isJobFinished, JOB_TRACKING_FINALIZER, planJob, type BackoffRecord } from './plan.js';

export const JOB_CONTROLLER = 'job-controller';
export const jobsKind: ResourceType = kinds.jobs;

export function registerJobController(ctx: ControllerContext): void {
  const { manager } = ctx;
  const { client } = manager;
  const events = manager.eventRecorder(JOB_CONTROLLER);
  const expectations = new Expectations(ctx.now);
  const backoffs = new Map<string, BackoffRecord>();
  /** uids whose finalizer we removed, until the cache shows it. */
  const removedFinalizers = new Map<string, Set<string>>();
  const podState = cachedPodState(ctx);

  const removeFinalizer = async (p: Pod): Promise<void> => {
    const finalizers = (p.metadata?.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
    try {
      await client.patch(kinds.pods, p.metadata!.namespace!, p.metadata!.name!, { metadata: { finalizers: finalizers.length ? finalizers : null, resourceVersion: p.metadata!.resourceVersion } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  };

  async function reconcile(req: Request): Promise<Result> {
    const key = `${req.namespace}/${req.name}`;
    const job = cached<Job>(ctx, jobsKind, req.namespace, req.name);
    const all = cachedList<Pod>(ctx, kinds.pods, req.namespace);
    if (!job) {
      // syncOrphanPod: the Job is gone; its pods must not keep the tracking finalizer.
      expectations.forget(key);
      backoffs.delete(key);
      removedFinalizers.delete(key);
      for (const p of all) {
        const ref = controllerRefOf(p);
        if (ref?.kind === 'Job' && ref.name === req.name && hasTrackingFinalizer(p)) await removeFinalizer(p);
      }
      return {};
    }
    if (!expectations.satisfied(key, podState)) return { requeueAfterMs: 500 };

    const claim = claimObjects(job, all, (p) => selectorMatches(job.spec?.selector, p.metadata?.labels));
    const pods: Pod[] = claim.owned.filter((p) => !claim.adopt.includes(p));
    if (claim.adopt.length && !isJobFinished(job)) {
      const fresh = (await client.get(jobsKind, req.namespace, req.name)) as unknown as Job | undefined;
      if (fresh && fresh.metadata?.uid === job.metadata?.uid && !fresh.metadata?.deletionTimestamp) {
        const ref = newControllerRef(job, 'batch/v1', 'Job');
        for (const p of claim.adopt) {
          const finalizers = [...new Set([...(p.metadata?.finalizers ?? []), JOB_TRACKING_FINALIZER])];
          pods.push(await adopt(ctx, kinds.pods, p, ref, { finalizers }));
        }
      }
    }
    for (const p of claim.release) await release(ctx, kinds.pods, p, job.metadata!.uid!);

    // Forget finalizer removals the cache now shows.
    const removed = removedFinalizers.get(key) ?? new Set<string>();
    for (const uid of removed) {
      const p = pods.find((x) => x.metadata?.uid === uid);
      if (!p || !hasTrackingFinalizer(p)) removed.delete(uid);
    }

    const now = ctx.now();
    const plan = planJob({ job, pods, now, finalizersRemoved: removed, backoff: backoffs.get(key) });

    const deletes = await Promise.allSettled(
      plan.deletePods.map(async (p) => {
        expectations.expectDelete(key, keyOf(p));
        await client.delete(kinds.pods, p.metadata!.namespace!, p.metadata!.name!, { preconditions: { uid: p.metadata!.uid } });
        void events.event(asK(job), 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata!.name}`);
      }),
    );
    const deleteFailure = deletes.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (deleteFailure) throw deleteFailure.reason;

    if (plan.createPods > 0) {
      const template = structuredClone(job.spec!.template!);
      template.metadata = { ...template.metadata, finalizers: [...new Set([...(template.metadata?.finalizers ?? []), JOB_TRACKING_FINALIZER])] };
      const pod = podFromTemplate(template, job.metadata!.name!, newControllerRef(job, 'batch/v1', 'Job'), req.namespace);
      for (const batch of slowStartBatches(plan.createPods)) {
        const results = await Promise.allSettled(
          Array.from({ length: batch }, async () => {
            const created = (await client.create(kinds.pods, asK(pod))) as unknown as Pod;
            expectations.expectCreate(key, keyOf(created));
            void events.event(asK(job), 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata!.name}`);
          }),
        );
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) {
          void events.event(asK(job), 'Warning', 'FailedCreate', `Error creating: ${(failed.reason as Error).message}`);
          throw failed.reason;
        }
      }
    }

    let rv = job.metadata?.resourceVersion;
    if (plan.flushStatus) {
      const updated = await client.updateStatus(jobsKind, asK({ ...job, metadata: { ...job.metadata, resourceVersion: rv }, status: plan.flushStatus }));
      rv = updated.metadata?.resourceVersion;
    }
    backoffs.set(key, plan.backoff);
    for (const p of plan.removeFinalizers) {
      await removeFinalizer(p);
      removed.add(p.metadata!.uid!);
    }
    if (removed.size) removedFinalizers.set(key, removed);
    if (plan.status) await client.updateStatus(jobsKind, asK({ ...job, metadata: { ...job.metadata, resourceVersion: rv }, status: plan.status }));
    for (const e of [...plan.events, ...(plan.status ? plan.finishEvents : [])]) void events.event(asK(job), e.type, e.reason, e.message);
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: Math.max(50, plan.requeueAfterMs) } : {};
  }

  manager.addController({
    name: JOB_CONTROLLER,
    for: jobsKind,
    workers: ctx.workers,
    reconciler: retryStaleWrites(reconcile),
    watches: [
      {
        type: kinds.pods,
        map: (o) => {
          const ref = controllerRefOf(o as unknown as Pod);
          return ref?.kind === 'Job' ? [{ namespace: o.metadata?.namespace ?? '', name: ref.name }] : [];
        },
      },
    ],
  });
}
