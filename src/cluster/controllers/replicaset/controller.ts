/**
 * The ReplicaSet controller's shell: claim the active pods (adopt matching orphans, release
 * those no longer selected), create or delete the difference in slow-start batches with kube's
 * Events (`SuccessfulCreate` "Created pod: …", `SuccessfulDelete` "Deleted pod: …"), wait for
 * the cache to show its own writes (expectations), and write status when it changed.
 */
import type { ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isNotFound, kinds, semanticEqual, type Request, type Result } from '../../../runtime/index.js';
import { adopt, asK, cached, cachedByOwner, cachedList, keyOf, release, type ControllerContext, cachedPodState, retryStaleWrites } from '../shared/context.js';
import { Expectations } from '../shared/expectations.js';
import { claimObjects, controllerRefOf, newControllerRef } from '../shared/owner.js';
import { isPodActive, selectorMatches } from '../shared/pod-util.js';
import { nextAvailableAt, podFromTemplate, replicaSetDiff, replicaSetStatus, slowStartBatches } from './diff.js';

export const REPLICASET_CONTROLLER = 'replicaset-controller';

export function registerReplicaSetController(ctx: ControllerContext): void {
  const { manager } = ctx;
  const { client } = manager;
  const events = manager.eventRecorder(REPLICASET_CONTROLLER);
  const expectations = new Expectations(ctx.now);
  const podState = cachedPodState(ctx);

  /** Replica sets whose selector matches an orphan pod (getPodReplicaSets). */
  const replicaSetsFor = (pod: Pod): Request[] => {
    const ref = controllerRefOf(pod);
    if (ref) return ref.kind === 'ReplicaSet' ? [{ namespace: pod.metadata?.namespace ?? '', name: ref.name }] : [];
    return cachedList<ReplicaSet>(ctx, kinds.replicaSets, pod.metadata?.namespace)
      .filter((rs) => selectorMatches(rs.spec?.selector, pod.metadata?.labels))
      .map((rs) => ({ namespace: rs.metadata!.namespace!, name: rs.metadata!.name! }));
  };

  /** Pods of every replica set with the same controller (a Deployment's), for ranking deletions. */
  function relatedPods(rs: ReplicaSet, own: Pod[]): Pod[] {
    const owner = controllerRefOf(rs);
    if (!owner) return own;
    const siblings = cachedByOwner<ReplicaSet>(ctx, kinds.replicaSets, owner.uid);
    return siblings.flatMap((s) => cachedByOwner<Pod>(ctx, kinds.pods, s.metadata!.uid!));
  }

  async function reconcile(req: Request): Promise<Result> {
    const key = `${req.namespace}/${req.name}`;
    const rs = cached<ReplicaSet>(ctx, kinds.replicaSets, req.namespace, req.name);
    if (!rs) {
      expectations.forget(key);
      return {};
    }
    const needsSync = expectations.satisfied(key, podState);
    const active = cachedList<Pod>(ctx, kinds.pods, req.namespace).filter(isPodActive);
    const claim = claimObjects(rs, active, (p) => selectorMatches(rs.spec?.selector, p.metadata?.labels));
    const pods: Pod[] = claim.owned.filter((p) => !claim.adopt.includes(p));
    if (claim.adopt.length) {
      const fresh = (await client.get(kinds.replicaSets, req.namespace, req.name)) as unknown as ReplicaSet | undefined;
      if (fresh && fresh.metadata?.uid === rs.metadata?.uid && !fresh.metadata?.deletionTimestamp) {
        const ref = newControllerRef(rs, 'apps/v1', 'ReplicaSet');
        for (const p of claim.adopt) {
          try {
            pods.push(await adopt(ctx, kinds.pods, p, ref));
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
        }
      }
    }
    for (const p of claim.release) {
      try {
        await release(ctx, kinds.pods, p, rs.metadata!.uid!);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }

    const now = ctx.now();
    let manageError: Error | undefined;
    if (needsSync && !rs.metadata?.deletionTimestamp) {
      const diff = replicaSetDiff(rs, pods, now, relatedPods(rs, pods));
      try {
        if (diff.type === 'create') await createPods(rs, key, diff.count);
        else if (diff.type === 'delete') await deletePods(rs, key, diff.pods);
      } catch (e) {
        manageError = e as Error;
      }
    }

    const status = replicaSetStatus(rs, pods, now, manageError?.message);
    if (!semanticEqual(status, rs.status ?? {})) {
      await client.updateStatus(kinds.replicaSets, asK({ ...rs, status }));
    }
    if (manageError) throw manageError;
    if (!needsSync) return { requeueAfterMs: 1000 };
    const next = nextAvailableAt(rs, pods, now);
    return next !== undefined ? { requeueAfterMs: Math.max(50, next - now + 50) } : {};
  }

  async function createPods(rs: ReplicaSet, key: string, count: number): Promise<void> {
    const ref = newControllerRef(rs, 'apps/v1', 'ReplicaSet');
    const template = podFromTemplate(rs.spec!.template!, rs.metadata!.name!, ref, rs.metadata!.namespace!);
    for (const batch of slowStartBatches(count)) {
      const results = await Promise.allSettled(
        Array.from({ length: batch }, async () => {
          const pod = (await client.create(kinds.pods, asK(template))) as unknown as Pod;
          expectations.expectCreate(key, keyOf(pod));
          void events.event(asK(rs), 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata!.name}`);
        }),
      );
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        const err = failed.reason as Error;
        void events.event(asK(rs), 'Warning', 'FailedCreate', `Error creating: ${err.message}`);
        throw err;
      }
    }
  }

  async function deletePods(rs: ReplicaSet, key: string, pods: Pod[]): Promise<void> {
    const results = await Promise.allSettled(
      pods.map(async (p) => {
        expectations.expectDelete(key, keyOf(p));
        await client.delete(kinds.pods, p.metadata!.namespace!, p.metadata!.name!, { preconditions: { uid: p.metadata!.uid } });
        void events.event(asK(rs), 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata!.name}`);
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      const err = failed.reason as Error;
      void events.event(asK(rs), 'Warning', 'FailedDelete', `Error deleting: ${err.message}`);
      throw err;
    }
  }

  manager.addController({
    name: REPLICASET_CONTROLLER,
    for: kinds.replicaSets,
    workers: ctx.workers,
    reconciler: retryStaleWrites(reconcile),
    watches: [{ type: kinds.pods, map: (o) => replicaSetsFor(o as unknown as Pod) }],
  });
}
