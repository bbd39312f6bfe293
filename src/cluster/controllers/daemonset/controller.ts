/**
 * The DaemonSet controller's shell: nodes and the DaemonSet's pods from the cache, the template
 * hash and its ControllerRevision, {@link planDaemonSet}, then pod creations (one per node,
 * slow start) and deletions with kube's Events, and status when it changed.
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { kinds, semanticEqual, type Request, type Result } from '../../../runtime/index.js';
import { adopt, asK, cached, cachedList, keyOf, release, type ControllerContext, cachedPodState, retryStaleWrites } from '../shared/context.js';
import { Expectations } from '../shared/expectations.js';
import { computeHash } from '../shared/hash.js';
import { ensureRevision, truncateHistory, revisionName } from '../shared/history.js';
import { claimObjects, controllerRefOf, newControllerRef } from '../shared/owner.js';
import { selectorMatches } from '../shared/pod-util.js';
import { podFromTemplate, slowStartBatches } from '../replicaset/diff.js';
import { CONTROLLER_REVISION_HASH_LABEL, daemonPodTemplate, planDaemonSet } from './plan.js';

export const DAEMONSET_CONTROLLER = 'daemonset-controller';

export function registerDaemonSetController(ctx: ControllerContext): void {
  const { manager } = ctx;
  const { client } = manager;
  const events = manager.eventRecorder(DAEMONSET_CONTROLLER);
  const expectations = new Expectations(ctx.now);
  const podState = cachedPodState(ctx);

  async function reconcile(req: Request): Promise<Result> {
    const key = `${req.namespace}/${req.name}`;
    const ds = cached<DaemonSet>(ctx, kinds.daemonSets, req.namespace, req.name);
    if (!ds) {
      expectations.forget(key);
      return {};
    }
    const nodes = cachedList<Node>(ctx, kinds.nodes);
    const claim = claimObjects(ds, cachedList<Pod>(ctx, kinds.pods, req.namespace), (p) => selectorMatches(ds.spec?.selector, p.metadata?.labels));
    const pods: Pod[] = claim.owned.filter((p) => !claim.adopt.includes(p));
    const ref = newControllerRef(ds, 'apps/v1', 'DaemonSet');
    for (const p of claim.adopt) pods.push(await adopt(ctx, kinds.pods, p, ref));
    for (const p of claim.release) await release(ctx, kinds.pods, p, ds.metadata!.uid!);

    const hash = computeHash(ds.spec?.template, ds.status?.collisionCount);
    const now = ctx.now();
    if (!ds.metadata?.deletionTimestamp) {
      await ensureRevision(ctx, ds, { apiVersion: 'apps/v1', kind: 'DaemonSet' }, hash, { spec: { template: { ...ds.spec?.template, $patch: 'replace' } } }, { ...ds.spec?.template?.metadata?.labels, [CONTROLLER_REVISION_HASH_LABEL]: hash });
    }
    const plan = planDaemonSet(ds, nodes, pods, hash, now);
    if (expectations.satisfied(key, podState) && !ds.metadata?.deletionTimestamp) {
      for (const p of plan.deletePods) {
        expectations.expectDelete(key, keyOf(p));
        await client.delete(kinds.pods, p.metadata!.namespace!, p.metadata!.name!, { preconditions: { uid: p.metadata!.uid } });
        void events.event(asK(ds), 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata!.name}`);
      }
      const queue = [...plan.createOn];
      for (const batch of slowStartBatches(queue.length)) {
        const results = await Promise.allSettled(
          queue.splice(0, batch).map(async (nodeName) => {
            const pod = podFromTemplate(daemonPodTemplate(ds, hash, nodeName), ds.metadata!.name!, ref, req.namespace);
            const created = (await client.create(kinds.pods, asK(pod))) as unknown as Pod;
            expectations.expectCreate(key, keyOf(created));
            void events.event(asK(ds), 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata!.name}`);
          }),
        );
        const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failed) {
          void events.event(asK(ds), 'Warning', 'FailedCreate', `Error creating: ${(failed.reason as Error).message}`);
          throw failed.reason;
        }
      }
      const inUse = new Set([revisionName(ds.metadata!.name!, hash), ...pods.map((p) => revisionName(ds.metadata!.name!, p.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? ''))]);
      await truncateHistory(ctx, ds, ds.spec?.revisionHistoryLimit ?? 10, inUse);
    }
    if (!semanticEqual(plan.status, ds.status ?? {})) await client.updateStatus(kinds.daemonSets, asK({ ...ds, status: plan.status }));
    return plan.createOn.length || plan.deletePods.length ? {} : { requeueAfterMs: (ds.spec?.minReadySeconds ?? 0) > 0 ? ds.spec!.minReadySeconds! * 1000 : undefined };
  }

  const podOwner = (o: unknown): Request[] => {
    const ref = controllerRefOf(o as Pod);
    return ref?.kind === 'DaemonSet' ? [{ namespace: (o as Pod).metadata?.namespace ?? '', name: ref.name }] : [];
  };
  const allDaemonSets = (): Request[] => cachedList<DaemonSet>(ctx, kinds.daemonSets).map((d) => ({ namespace: d.metadata!.namespace!, name: d.metadata!.name! }));

  manager.addController({
    name: DAEMONSET_CONTROLLER,
    for: kinds.daemonSets,
    workers: ctx.workers,
    reconciler: retryStaleWrites(reconcile),
    watches: [
      { type: kinds.pods, map: podOwner },
      // A node's labels, taints or existence change which DaemonSets run there.
      { type: kinds.nodes, map: allDaemonSets, predicates: [(e) => e.type !== 'update' || JSON.stringify([e.oldObject.metadata?.labels, (e.oldObject as { spec?: unknown }).spec]) !== JSON.stringify([e.object.metadata?.labels, (e.object as { spec?: unknown }).spec])] },
    ],
  });
}
