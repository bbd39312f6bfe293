/**
 * The disruption controller's shell, keyed by PodDisruptionBudget: read the budget, the pods it
 * selects and their controllers' scale from the cache, and write the status {@link budgetStatus}
 * computes when it changed. Pod changes enqueue the budgets that select the pod; scale changes of
 * workloads enqueue their namespace's budgets.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { kinds, writeStatus, type KObject, type Request, type Result } from '../../../runtime/index.js';
import { asK, cached, cachedList, type ControllerContext } from '../shared/context.js';
import { controllerRefOf } from '../shared/owner.js';
import { budgetSelects, budgetStatus, type ControllerScale } from './budget.js';

export const DISRUPTION_CONTROLLER = 'disruption-controller';

export function registerDisruptionController(ctx: ControllerContext): void {
  const { manager } = ctx;

  /** The scale of the pod's controller: a Deployment through its ReplicaSet, a bare ReplicaSet, or a StatefulSet. */
  const scaleOf = (pod: Pod): ControllerScale | undefined => {
    const ns = pod.metadata?.namespace ?? '';
    const ref = controllerRefOf(pod);
    if (!ref) return undefined;
    if (ref.kind === 'ReplicaSet') {
      const rs = cached<ReplicaSet>(ctx, kinds.replicaSets, ns, ref.name);
      if (!rs || rs.metadata?.uid !== ref.uid) return undefined;
      const owner = controllerRefOf(rs);
      if (owner?.kind === 'Deployment') {
        const d = cached<Deployment>(ctx, kinds.deployments, ns, owner.name);
        if (d && d.metadata?.uid === owner.uid) return { uid: owner.uid, replicas: d.spec?.replicas ?? 1 };
      }
      return { uid: ref.uid, replicas: rs.spec?.replicas ?? 1 };
    }
    if (ref.kind === 'StatefulSet') {
      const sts = cached<StatefulSet>(ctx, kinds.statefulSets, ns, ref.name);
      if (sts && sts.metadata?.uid === ref.uid) return { uid: ref.uid, replicas: sts.spec?.replicas ?? 1 };
    }
    return undefined;
  };

  async function reconcile(req: Request): Promise<Result> {
    const pdb = cached<PodDisruptionBudget>(ctx, kinds.podDisruptionBudgets, req.namespace, req.name);
    if (!pdb || pdb.metadata?.deletionTimestamp) return {};
    const pods = cachedList<Pod>(ctx, kinds.pods, req.namespace).filter((p) => budgetSelects(pdb, p));
    const { status, requeueAfterMs } = budgetStatus({ pdb, pods, scaleOf, now: ctx.now() });
    await writeStatus(manager.client, kinds.podDisruptionBudgets, asK(pdb) as KObject & { status?: unknown }, (o) => {
      (o as { status?: unknown }).status = status;
    });
    return requeueAfterMs !== undefined ? { requeueAfterMs } : {};
  }

  const budgetsOfNamespace = (o: KObject): Request[] =>
    cachedList<PodDisruptionBudget>(ctx, kinds.podDisruptionBudgets, o.metadata?.namespace).map((b) => ({ namespace: b.metadata!.namespace!, name: b.metadata!.name! }));

  manager.addController({
    name: DISRUPTION_CONTROLLER,
    for: kinds.podDisruptionBudgets,
    workers: ctx.workers,
    reconciler: reconcile,
    watches: [
      {
        type: kinds.pods,
        map: (o) =>
          cachedList<PodDisruptionBudget>(ctx, kinds.podDisruptionBudgets, o.metadata?.namespace)
            .filter((b) => budgetSelects(b, o as unknown as Pod))
            .map((b) => ({ namespace: b.metadata!.namespace!, name: b.metadata!.name! })),
      },
      { type: kinds.deployments, map: budgetsOfNamespace },
      { type: kinds.replicaSets, map: budgetsOfNamespace },
      { type: kinds.statefulSets, map: budgetsOfNamespace },
    ],
  });
}
