/**
 * The StatefulSet controller's shell: the set's pods and revisions from the cache, the update
 * revision (`<set>-<hash>`) recorded as a ControllerRevision, {@link planStatefulSet}, then claims
 * and pods created and pods deleted with kube's Events ("create Pod web-0 in StatefulSet web
 * successful"), and status when it changed.
 */
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, kinds, semanticEqual, type Request, type Result } from '../../../runtime/index.js';
import { adopt, asK, cached, cachedList, keyOf, release, type ControllerContext, cachedPodState, retryStaleWrites } from '../shared/context.js';
import { Expectations } from '../shared/expectations.js';
import { computeHash } from '../shared/hash.js';
import { ensureRevision, ownedRevisions, revisionName, truncateHistory } from '../shared/history.js';
import { claimObjects, controllerRefOf, newControllerRef } from '../shared/owner.js';
import { selectorMatches } from '../shared/pod-util.js';
import { planStatefulSet, REVISION_LABEL } from './plan.js';

export const STATEFULSET_CONTROLLER = 'statefulset-controller';

export function registerStatefulSetController(ctx: ControllerContext): void {
  const { manager } = ctx;
  const { client } = manager;
  const events = manager.eventRecorder(STATEFULSET_CONTROLLER);
  const expectations = new Expectations(ctx.now);
  const podState = cachedPodState(ctx);

  async function reconcile(req: Request): Promise<Result> {
    const key = `${req.namespace}/${req.name}`;
    const set = cached<StatefulSet>(ctx, kinds.statefulSets, req.namespace, req.name);
    if (!set) {
      expectations.forget(key);
      return {};
    }
    const claim = claimObjects(set, cachedList<Pod>(ctx, kinds.pods, req.namespace), (p) => selectorMatches(set.spec?.selector, p.metadata?.labels));
    const pods: Pod[] = claim.owned.filter((p) => !claim.adopt.includes(p));
    for (const p of claim.adopt) pods.push(await adopt(ctx, kinds.pods, p, newControllerRef(set, 'apps/v1', 'StatefulSet')));
    for (const p of claim.release) await release(ctx, kinds.pods, p, set.metadata!.uid!);

    const hash = computeHash(set.spec?.template, set.status?.collisionCount);
    const updateRevision = revisionName(set.metadata!.name!, hash);
    if (!set.metadata?.deletionTimestamp) {
      await ensureRevision(ctx, set, { apiVersion: 'apps/v1', kind: 'StatefulSet' }, hash, { spec: { template: { ...set.spec?.template, $patch: 'replace' } } }, { ...set.spec?.template?.metadata?.labels, 'controller.kubernetes.io/hash': hash });
    }
    const currentRevision = set.status?.currentRevision || updateRevision;
    const currentCR = ownedRevisions(ctx, set).find((r: ControllerRevision) => r.metadata?.name === currentRevision);
    const currentTemplate = structuredClone((currentCR?.data as { spec?: { template?: PodTemplateSpec & { $patch?: string } } } | undefined)?.spec?.template);
    if (currentTemplate) delete currentTemplate.$patch;

    const plan = planStatefulSet({ set, pods, currentRevision, updateRevision, currentTemplate, now: ctx.now() });
    if (expectations.satisfied(key, podState) && !set.metadata?.deletionTimestamp) {
      for (const { pod, claims } of plan.create) {
        for (const c of claims) {
          try {
            await client.create(kinds.persistentVolumeClaims, asK(c));
            void events.event(asK(set), 'Normal', 'SuccessfulCreate', `create Claim ${c.metadata!.name} Pod ${pod.metadata!.name} in StatefulSet ${set.metadata!.name} success`);
          } catch (e) {
            if (!isAlreadyExists(e)) throw e;
          }
        }
        try {
          await client.create(kinds.pods, asK(pod));
          expectations.expectCreate(key, keyOf(pod));
          void events.event(asK(set), 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata!.name} in StatefulSet ${set.metadata!.name} successful`);
        } catch (e) {
          if (!isAlreadyExists(e)) {
            void events.event(asK(set), 'Warning', 'FailedCreate', `create Pod ${pod.metadata!.name} in StatefulSet ${set.metadata!.name} failed error: ${(e as Error).message}`);
            throw e;
          }
        }
      }
      for (const p of plan.delete) {
        expectations.expectDelete(key, keyOf(p));
        await client.delete(kinds.pods, p.metadata!.namespace!, p.metadata!.name!, { preconditions: { uid: p.metadata!.uid } });
        void events.event(asK(set), 'Normal', 'SuccessfulDelete', `delete Pod ${p.metadata!.name} in StatefulSet ${set.metadata!.name} successful`);
      }
      const inUse = new Set([updateRevision, plan.status.currentRevision ?? '', ...pods.map((p) => p.metadata?.labels?.[REVISION_LABEL] ?? '')]);
      await truncateHistory(ctx, set, set.spec?.revisionHistoryLimit ?? 10, inUse);
    }
    if (!semanticEqual(plan.status, set.status ?? {})) await client.updateStatus(kinds.statefulSets, asK({ ...set, status: plan.status }));
    return {};
  }

  manager.addController({
    name: STATEFULSET_CONTROLLER,
    for: kinds.statefulSets,
    workers: ctx.workers,
    reconciler: retryStaleWrites(reconcile),
    watches: [
      {
        type: kinds.pods,
        map: (o) => {
          const ref = controllerRefOf(o as unknown as Pod);
          return ref?.kind === 'StatefulSet' ? [{ namespace: o.metadata?.namespace ?? '', name: ref.name }] : [];
        },
      },
    ],
  });
}
