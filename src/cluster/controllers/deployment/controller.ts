/**
 * The deployment controller's shell: read the Deployment, its replica sets (adopting orphans that
 * match, releasing those that no longer do) and, for Recreate, their pods from the cache; ask
 * {@link planDeployment}; perform the writes in order, recording kube's Events once each succeeds.
 */
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { isAlreadyExists, kinds, type Request, type Result } from '../../../runtime/index.js';
import { adopt, asK, cached, cachedByOwner, cachedList, release, type ControllerContext, retryStaleWrites } from '../shared/context.js';
import { claimObjects, controllerRefOf, isControlledBy, newControllerRef } from '../shared/owner.js';
import { selectorMatches } from '../shared/pod-util.js';
import { planDeployment } from './plan.js';
import { equalIgnoreHash } from './util.js';

export const DEPLOYMENT_CONTROLLER = 'deployment-controller';

export function registerDeploymentController(ctx: ControllerContext): void {
  const { manager } = ctx;
  const { client } = manager;
  const events = manager.eventRecorder(DEPLOYMENT_CONTROLLER);

  /** Deployments whose selector matches an orphan replica set (getDeploymentsForReplicaSet). */
  const deploymentsFor = (rs: ReplicaSet): Request[] => {
    const ref = controllerRefOf(rs);
    if (ref) return ref.kind === 'Deployment' ? [{ namespace: rs.metadata?.namespace ?? '', name: ref.name }] : [];
    return cachedList<Deployment>(ctx, kinds.deployments, rs.metadata?.namespace)
      .filter((d) => selectorMatches(d.spec?.selector, rs.metadata?.labels))
      .map((d) => ({ namespace: d.metadata!.namespace!, name: d.metadata!.name! }));
  };

  async function reconcile(req: Request): Promise<Result> {
    const d = cached<Deployment>(ctx, kinds.deployments, req.namespace, req.name);
    if (!d) return {};
    const candidates = cachedList<ReplicaSet>(ctx, kinds.replicaSets, req.namespace);
    const claim = claimObjects(d, candidates, (rs) => selectorMatches(d.spec?.selector, rs.metadata?.labels));
    const owned: ReplicaSet[] = claim.owned.filter((rs) => !claim.adopt.includes(rs));
    if (claim.adopt.length) {
      // RecheckDeletionTimestamp: adopt only for the Deployment as it is now.
      const fresh = await client.get(kinds.deployments, req.namespace, req.name);
      if (fresh && fresh.metadata?.uid === d.metadata?.uid && !fresh.metadata?.deletionTimestamp) {
        const ref = newControllerRef(d, 'apps/v1', 'Deployment');
        for (const rs of claim.adopt) owned.push(await adopt(ctx, kinds.replicaSets, rs, ref));
      }
    }
    for (const rs of claim.release) await release(ctx, kinds.replicaSets, rs, d.metadata!.uid!);

    const pods: Pod[] = [];
    if (d.spec?.strategy?.type === 'Recreate') for (const rs of owned) pods.push(...cachedByOwner<Pod>(ctx, kinds.pods, rs.metadata!.uid!));

    const plan = planDeployment({ deployment: d, replicaSets: owned, pods, now: ctx.now() });
    if (plan.actions.length) {
      manager.logger.debug(
        {
          controller: DEPLOYMENT_CONTROLLER,
          object: `/apis/apps/v1/namespaces/${req.namespace}/deployments/${req.name}`,
          generation: d.metadata?.generation,
          resourceVersion: d.metadata?.resourceVersion,
          replicaSets: owned.map((rs) => `${rs.metadata?.name}@${rs.metadata?.resourceVersion}:${rs.spec?.replicas}/${rs.status?.availableReplicas ?? 0}`),
          actions: plan.actions.map((a) => ('replicaSet' in a ? `${a.type} ${a.replicaSet.metadata?.name} ${a.replicaSet.spec?.replicas}` : a.type)),
        },
        'planned',
      );
    }
    const rv = new Map<string, string | undefined>(owned.map((rs) => [rs.metadata!.name!, rs.metadata!.resourceVersion]));
    let deploymentRV = d.metadata?.resourceVersion;
    for (const a of plan.actions) {
      switch (a.type) {
        case 'createReplicaSet': {
          try {
            const created = await client.create(kinds.replicaSets, asK(a.replicaSet));
            rv.set(created.metadata!.name!, created.metadata!.resourceVersion);
          } catch (e) {
            if (!isAlreadyExists(e)) {
              const msg = `Failed to create new replica set "${a.replicaSet.metadata?.name}": ${(e as Error).message}`;
              void events.event(asK(d), 'Warning', 'ReplicaSetCreateError', msg);
              throw e;
            }
            const existing = (await client.get(kinds.replicaSets, req.namespace, a.replicaSet.metadata!.name!)) as unknown as ReplicaSet | undefined;
            if (existing && isControlledBy(existing, d) && equalIgnoreHash(existing.spec?.template, d.spec?.template)) {
              // Ours, only not in the cache yet: look again once it is.
              return { requeueAfterMs: 100 };
            }
            // A hash collision: bump collisionCount so the next name differs.
            await client.updateStatus(kinds.deployments, asK({ ...d, status: { ...d.status, collisionCount: (d.status?.collisionCount ?? 0) + 1 } }));
            throw e;
          }
          if (a.event) void events.event(asK(d), a.event.type, a.event.reason, a.event.message);
          break;
        }
        case 'updateReplicaSet': {
          const name = a.replicaSet.metadata!.name!;
          const updated = await client.update(kinds.replicaSets, asK({ ...a.replicaSet, metadata: { ...a.replicaSet.metadata, resourceVersion: rv.get(name) } }));
          rv.set(name, updated.metadata?.resourceVersion);
          if (a.event) void events.event(asK(d), a.event.type, a.event.reason, a.event.message);
          break;
        }
        case 'deleteReplicaSet':
          await client.delete(kinds.replicaSets, req.namespace, a.name, { preconditions: { uid: a.uid } });
          break;
        case 'updateDeploymentAnnotations': {
          const patch: Record<string, string | null> = { ...a.annotations };
          for (const k of Object.keys(d.metadata?.annotations ?? {})) if (!(k in a.annotations)) patch[k] = null;
          const updated = await client.patch(kinds.deployments, req.namespace, req.name, { metadata: { annotations: patch, resourceVersion: deploymentRV } });
          deploymentRV = updated.metadata?.resourceVersion;
          break;
        }
        case 'updateDeploymentStatus':
          await client.updateStatus(kinds.deployments, asK({ ...d, metadata: { ...d.metadata, resourceVersion: deploymentRV }, status: a.status }));
          break;
        case 'event':
          void events.event(asK(d), a.event.type, a.event.reason, a.event.message);
          break;
      }
    }
    return plan.requeueAfterMs ? { requeueAfterMs: plan.requeueAfterMs } : {};
  }

  manager.addController({
    name: DEPLOYMENT_CONTROLLER,
    for: kinds.deployments,
    workers: ctx.workers,
    reconciler: retryStaleWrites(reconcile),
    watches: [
      { type: kinds.replicaSets, map: (o) => deploymentsFor(o as unknown as ReplicaSet) },
      // Recreate waits for old pods to go: a pod deletion may unblock its Deployment.
      {
        type: kinds.pods,
        predicates: [(e) => e.type === 'delete'],
        map: (o) => {
          const ref = controllerRefOf(o as unknown as Pod);
          const rs = ref?.kind === 'ReplicaSet' ? cached<ReplicaSet>(ctx, kinds.replicaSets, o.metadata?.namespace ?? '', ref.name) : undefined;
          return rs ? deploymentsFor(rs) : [];
        },
      },
    ],
  });
}
