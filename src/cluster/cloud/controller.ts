/**
 * The cloud controller's shell: it plays Azure for every ScaleSet. Each reconcile reads the
 * ScaleSet fresh from the API (the host's side effects must never be planned from a stale cache),
 * plans with {@link planScaleSet}, and then, in this order, so that a crash at any point resumes:
 *
 * 1. records new instances (`Creating`) and marks doomed ones `Deleting` in status;
 * 2. starts due instances' nodes with `host.ensure`, then marks them `Succeeded` (`Failed` on error,
 *    retried later); instances already `Succeeded` that this process has not started yet (after a
 *    restart: the agent is in-process) are ensured again;
 * 3. stops `Deleting` instances' nodes with `host.remove`, deletes their Node objects, and drops
 *    the records;
 * 4. writes the counts and the `Ready` condition, only when something changed.
 *
 * A finalizer makes deleting a ScaleSet delete its instances first, as deleting a VMSS deletes
 * its VMs. Events: `SuccessfulCreate`, `SuccessfulDelete`, `FailedCreate`, `FailedDelete`,
 * `InvalidSpec`.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { isConflict, kinds, semanticEqual, type Controller, type KObject, type Manager, type Request, type Result } from '../../runtime/index.js';
import { instanceNode, type NodeHost } from './instance-node.js';
import { failureDomain } from './placement.js';
import { planScaleSet } from './plan.js';
import { equalFold, parseVmssProviderID } from './provider-id.js';
import { resolveSpec, scaleSetKind, validateSpec, type ResolvedSpec, type ScaleSet, type ScaleSetInstance, type ScaleSetStatus } from './scale-set.js';
import { emptyStatus, finishStatus, recordPlan, updateInstances, withState } from './status.js';

export const CLOUD_CONTROLLER = 'cloud-controller';
/** Held by every ScaleSet until its instances are gone. */
export const SCALE_SET_FINALIZER = 'flotilla.dev/scale-set-instances';

export interface CloudControllerOptions {
  /** Runs the instances' nodes. */
  readonly host: NodeHost;
  /** Default Date.now. */
  readonly now?: () => number;
  /** Concurrent reconciles (different scale sets); default 2. */
  readonly workers?: number;
  /** Retry `Failed` instances after this long (default 5 s). */
  readonly retryFailedMs?: number;
}

const asK = (o: unknown): KObject => o as KObject;
const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function nodeReady(node: Node | undefined): boolean {
  return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** The ScaleSet a Node belongs to, by its providerID. */
function scaleSetOfNode(node: KObject): Request[] {
  const ref = parseVmssProviderID((node as Node).spec?.providerID ?? '');
  return ref ? [{ namespace: '', name: ref.scaleSet }] : [];
}

export function registerCloudController(manager: Manager, opts: CloudControllerOptions): Controller {
  const { client } = manager;
  const { host } = opts;
  const now = opts.now ?? Date.now;
  const retryFailedMs = opts.retryFailedMs ?? 5000;
  const events = manager.eventRecorder(CLOUD_CONTROLLER);
  /** Nodes this process has ensured: the rest of the Succeeded instances need an ensure after a restart. */
  const ensured = new Set<string>();
  /** When a node last failed to start, by node name: Failed instances are retried `retryFailedMs` later, not on every event. */
  const failedAt = new Map<string, number>();

  const cachedNode = (name: string): Node | undefined => manager.cache.get(kinds.nodes, '', name) as unknown as Node | undefined;

  /** Write `status` when it differs; returns the stored object. A stale resourceVersion throws a conflict. */
  async function writeStatus(ss: ScaleSet, status: ScaleSetStatus): Promise<ScaleSet> {
    if (semanticEqual(ss.status, status)) return ss;
    return (await client.updateStatus(scaleSetKind, asK({ ...ss, status }))) as unknown as ScaleSet;
  }

  async function setFinalizer(ss: ScaleSet, present: boolean): Promise<ScaleSet> {
    const current = ss.metadata.finalizers ?? [];
    if (current.includes(SCALE_SET_FINALIZER) === present) return ss;
    const finalizers = present ? [...current, SCALE_SET_FINALIZER] : current.filter((f) => f !== SCALE_SET_FINALIZER);
    return (await client.update(scaleSetKind, asK({ ...ss, metadata: { ...ss.metadata, finalizers } }))) as unknown as ScaleSet;
  }

  /** Stop and delete the instances `ids` (already `Deleting`); returns the status without the ones removed. */
  async function removeInstances(ss: ScaleSet, status: ScaleSetStatus, ids: ReadonlySet<string>): Promise<{ status: ScaleSetStatus; error?: unknown }> {
    const targets = status.instances.filter((i) => ids.has(i.instanceId));
    const results = await Promise.allSettled(
      targets.map(async (i) => {
        await host.remove(i.nodeName);
        ensured.delete(i.nodeName);
        failedAt.delete(i.nodeName);
        // Delete the Node only if it is this instance's (a Node of the same name elsewhere is not ours).
        const node = cachedNode(i.nodeName);
        const theirs = node?.spec?.providerID && !equalFold(node.spec.providerID, i.providerID);
        if (!theirs) await client.delete(kinds.nodes, '', i.nodeName);
        return i;
      }),
    );
    const removed = new Set<string>();
    let error: unknown;
    results.forEach((r, k) => {
      const i = targets[k];
      if (r.status === 'fulfilled') {
        removed.add(i.instanceId);
        void events.event(asK(ss), 'Normal', 'SuccessfulDelete', `Deleted instance ${i.instanceId}: node ${i.nodeName}`);
      } else {
        error ??= r.reason;
        void events.event(asK(ss), 'Warning', 'FailedDelete', `Instance ${i.instanceId}: removing node ${i.nodeName} failed: ${errorMessage(r.reason)}`);
      }
    });
    return { status: updateInstances(status, removed, () => undefined), error };
  }

  /** Start the nodes of `targets`; returns the status with them Succeeded or Failed. */
  async function ensureInstances(ss: ScaleSet, spec: ResolvedSpec, status: ScaleSetStatus, targets: readonly ScaleSetInstance[]): Promise<ScaleSetStatus> {
    const results = await Promise.allSettled(targets.map((i) => host.ensure(instanceNode(spec, i))));
    const outcome = new Map<string, ScaleSetInstance>();
    results.forEach((r, k) => {
      const i = targets[k];
      if (r.status === 'fulfilled') {
        ensured.add(i.nodeName);
        failedAt.delete(i.nodeName);
        outcome.set(i.instanceId, withState(i, 'Succeeded'));
        if (i.provisioningState !== 'Succeeded') {
          void events.event(asK(ss), 'Normal', 'SuccessfulCreate', `Created instance ${i.instanceId}: node ${i.nodeName} in ${failureDomain(spec.location, i)}`);
        }
      } else {
        const message = errorMessage(r.reason);
        failedAt.set(i.nodeName, now());
        outcome.set(i.instanceId, withState(i, 'Failed', message));
        void events.event(asK(ss), 'Warning', 'FailedCreate', `Instance ${i.instanceId}: starting node ${i.nodeName} failed: ${message}`);
      }
    });
    return updateInstances(status, new Set(outcome.keys()), (i) => outcome.get(i.instanceId));
  }

  async function finalize(ss: ScaleSet): Promise<Result> {
    const all = ss.status?.instances ?? [];
    if (all.length) {
      const status = recordPlan(ss.status, { create: [], markDeleting: all.map((i) => i.instanceId), nextInstanceId: ss.status?.nextInstanceId ?? 0 });
      ss = await writeStatus(ss, status);
      const r = await removeInstances(ss, status, new Set(all.map((i) => i.instanceId)));
      ss = await writeStatus(ss, r.status);
      if (r.error) throw r.error;
    }
    await setFinalizer(ss, false);
    return {};
  }

  async function reconcile(req: Request): Promise<Result> {
    let ss = (await client.get(scaleSetKind, '', req.name)) as unknown as ScaleSet | undefined;
    if (!ss) return {};
    if (ss.metadata.deletionTimestamp) return finalize(ss);
    if (!(ss.metadata.finalizers ?? []).includes(SCALE_SET_FINALIZER)) ss = await setFinalizer(ss, true);

    const spec = resolveSpec(ss.metadata.name, ss.spec ?? ({} as ScaleSet['spec']));
    const generation = ss.metadata.generation;
    const isNodeReady = (name: string): boolean => nodeReady(cachedNode(name));
    const invalid = validateSpec(spec);
    if (invalid.length) {
      const status = finishStatus(ss.status ?? emptyStatus(), { generation, isNodeReady, invalid, now: now() });
      if (!semanticEqual(ss.status, status)) void events.event(asK(ss), 'Warning', 'InvalidSpec', invalid.join('; '));
      await writeStatus(ss, status);
      return {};
    }

    // 1. Record before acting.
    const plan = planScaleSet(spec, ss.status, ss.metadata.uid ?? '', now());
    let status = recordPlan(ss.status, plan);
    ss = await writeStatus(ss, status);

    // 2. Start due instances, and Succeeded ones this process has not started.
    const t = now();
    const backingOff = (i: ScaleSetInstance): boolean => i.provisioningState === 'Failed' && t - (failedAt.get(i.nodeName) ?? -Infinity) < retryFailedMs;
    const due = new Set(plan.provision);
    const toEnsure = status.instances.filter(
      (i) => (due.has(i.instanceId) && !backingOff(i)) || (i.provisioningState === 'Succeeded' && !ensured.has(i.nodeName)),
    );
    if (toEnsure.length) status = await ensureInstances(ss, spec, status, toEnsure);

    // 3. Remove Deleting instances.
    let removeError: unknown;
    if (plan.remove.length) ({ status, error: removeError } = await removeInstances(ss, status, new Set(plan.remove)));

    // 4. Counts and condition.
    status = finishStatus(status, { spec, generation, isNodeReady, now: now() });
    await writeStatus(ss, status);
    if (removeError) throw removeError;

    const retries = status.instances
      .filter((i) => i.provisioningState === 'Failed')
      .map((i) => (failedAt.get(i.nodeName) ?? now()) + retryFailedMs - now());
    const waits = [plan.requeueAfterMs, ...retries].filter((w): w is number => w !== undefined);
    return waits.length ? { requeueAfterMs: Math.max(10, Math.min(...waits)) } : {};
  }

  return manager.addController({
    name: CLOUD_CONTROLLER,
    for: scaleSetKind,
    workers: opts.workers ?? 2,
    // A write that lost a race (409) is retried shortly from fresh state, not counted as a failure.
    reconciler: async (req) => {
      try {
        return await reconcile(req);
      } catch (e) {
        if (isConflict(e)) return { requeueAfterMs: 50 };
        throw e;
      }
    },
    watches: [
      {
        type: kinds.nodes,
        map: scaleSetOfNode,
        // Heartbeats do not change readiness: only adds, deletes and Ready flips matter.
        predicates: [(e) => e.type !== 'update' || nodeReady(e.object as unknown as Node) !== nodeReady(e.oldObject as unknown as Node)],
      },
    ],
  });
}
