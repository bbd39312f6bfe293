/**
 * The ScaleSet's status as data: instance records moved through their states, the counts, and
 * the `Ready` condition (its `lastTransitionTime` kept while its status holds). The controller
 * writes the result only when it differs from what is stored.
 */
import type { ProvisioningState, ResolvedSpec, ScaleSetCondition, ScaleSetInstance, ScaleSetStatus } from './scale-set.js';

const byId = (a: ScaleSetInstance, b: ScaleSetInstance): number => Number(a.instanceId) - Number(b.instanceId);

/** `status` with `create` added, `markDeleting` in `Deleting`, and the counter advanced: what is recorded before acting. */
export function recordPlan(
  status: ScaleSetStatus | undefined,
  plan: { readonly create: readonly ScaleSetInstance[]; readonly markDeleting: readonly string[]; readonly nextInstanceId: number },
): ScaleSetStatus {
  const marked = new Set(plan.markDeleting);
  const instances = [...(status?.instances ?? []), ...plan.create]
    .map((i) => (marked.has(i.instanceId) && i.provisioningState !== 'Deleting' ? withState(i, 'Deleting') : i))
    .sort(byId);
  return { ...emptyStatus(), ...status, instances, nextInstanceId: plan.nextInstanceId };
}

/** An instance record in `state` (a message only with `Failed`). */
export function withState(i: ScaleSetInstance, state: ProvisioningState, message?: string): ScaleSetInstance {
  const { message: _old, ...rest } = i;
  return { ...rest, provisioningState: state, ...(state === 'Failed' && message ? { message } : {}) };
}

/** `status` with the instances whose id is in `ids` changed by `change` (undefined drops the record). */
export function updateInstances(status: ScaleSetStatus, ids: ReadonlySet<string>, change: (i: ScaleSetInstance) => ScaleSetInstance | undefined): ScaleSetStatus {
  const instances: ScaleSetInstance[] = [];
  for (const i of status.instances) {
    const next = ids.has(i.instanceId) ? change(i) : i;
    if (next) instances.push(next);
  }
  return { ...status, instances };
}

export function emptyStatus(): ScaleSetStatus {
  return { capacity: 0, readyInstances: 0, nextInstanceId: 0, instances: [] };
}

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * The finished status: counts, `observedGeneration`, and the `Ready` condition — True when the
 * scale set has exactly `capacity` instances, all Succeeded with a Ready node.
 */
export function finishStatus(
  status: ScaleSetStatus,
  opts: { spec?: ResolvedSpec; generation?: number; isNodeReady: (nodeName: string) => boolean; invalid?: readonly string[]; now: number },
): ScaleSetStatus {
  const live = status.instances.filter((i) => i.provisioningState !== 'Deleting');
  const ready = live.filter((i) => i.provisioningState === 'Succeeded' && opts.isNodeReady(i.nodeName)).length;
  const failed = live.filter((i) => i.provisioningState === 'Failed');
  const want = opts.spec?.capacity;
  let cond: Pick<ScaleSetCondition, 'status' | 'reason' | 'message'>;
  if (opts.invalid?.length || want === undefined) {
    cond = { status: 'False', reason: 'InvalidSpec', message: (opts.invalid ?? ['spec: missing']).join('; ') };
  } else if (failed.length) {
    cond = { status: 'False', reason: 'ProvisioningFailed', message: failed.map((i) => `instance ${i.instanceId}: ${i.message ?? 'failed'}`).join('; ') };
  } else if (ready === want && live.length === want && status.instances.length === want) {
    cond = { status: 'True', reason: 'AllInstancesReady', message: `${ready} of ${want} instances ready` };
  } else {
    cond = { status: 'False', reason: 'Scaling', message: `${ready} of ${want} instances ready` };
  }
  const previous = status.conditions?.find((c) => c.type === 'Ready');
  const ready_: ScaleSetCondition = {
    type: 'Ready',
    ...cond,
    lastTransitionTime: previous && previous.status === cond.status ? previous.lastTransitionTime : rfc3339(opts.now),
    ...(opts.generation !== undefined ? { observedGeneration: opts.generation } : {}),
  };
  return {
    ...status,
    capacity: live.length,
    readyInstances: ready,
    ...(opts.generation !== undefined ? { observedGeneration: opts.generation } : {}),
    conditions: [...(status.conditions ?? []).filter((c) => c.type !== 'Ready'), ready_],
  };
}
