/**
 * The scale set's rules as a pure function: from the resolved spec and the recorded instances
 * (and the time), which instances to record, which to delete, which are due to start their node.
 *
 * - Scale-out records new instances in `Creating` with ids from the status counter, which only
 *   grows (Azure's ids increase; reusing one would give a new VM an old VM's node name and
 *   providerID while the old Node may still be known).
 * - Scale-in deletes the ids in `spec.instancesToDelete` first, then follows {@link nextToRemove}.
 * - An instance is due `provisioningDelaySeconds` after `timeCreated`; `Failed` ones are retried.
 */
import { createHash } from 'node:crypto';
import { computerName, instanceResourceName } from './names.js';
import { nextToRemove, placeNext, type Placement } from './placement.js';
import { vmssProviderID } from './provider-id.js';
import type { ResolvedSpec, ScaleSetInstance, ScaleSetStatus } from './scale-set.js';

export interface ScaleSetPlan {
  /** New instance records, in `Creating`. */
  readonly create: readonly ScaleSetInstance[];
  /** Ids of live instances to mark `Deleting`: the listed ones first, then by the scale-in policy. */
  readonly markDeleting: readonly string[];
  /** Ids whose node should be started now: `Creating` past the delay (new ones too when the delay is 0), and `Failed`. */
  readonly provision: readonly string[];
  /** Ids to remove (node stopped, Node deleted, record dropped): already `Deleting`, plus `markDeleting`. */
  readonly remove: readonly string[];
  /** The counter after `create`. */
  readonly nextInstanceId: number;
  /** Milliseconds until the next `Creating` instance comes due, if one is waiting. */
  readonly requeueAfterMs?: number;
}

/** A stable, UUID-shaped VM id for an instance of the scale set with `uid`. */
export function vmIdFor(scaleSetUid: string, instanceId: string): string {
  const h = createHash('sha1').update(`${scaleSetUid}/${instanceId}`).digest('hex');
  // Shape it as a version-5 UUID, as Azure's vmId is a GUID.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A new instance record of `spec` with id `id` at `placement`, created at `now`. */
export function newInstance(spec: ResolvedSpec, scaleSetUid: string, id: number, placement: Placement, now: number): ScaleSetInstance {
  const instanceId = String(id);
  const cn = computerName(spec.computerNamePrefix, id);
  return {
    instanceId,
    name: instanceResourceName(spec.name, instanceId),
    computerName: cn,
    nodeName: cn.toLowerCase(),
    providerID: vmssProviderID({ subscriptionId: spec.subscriptionId, resourceGroup: spec.resourceGroup, scaleSet: spec.name, instanceId }),
    provisioningState: 'Creating',
    ...(placement.zone !== undefined ? { zone: placement.zone } : {}),
    faultDomain: placement.faultDomain,
    vmId: vmIdFor(scaleSetUid, instanceId),
    timeCreated: new Date(now).toISOString(),
  };
}

/** When an instance's node is due to start (ms since the epoch). */
export function dueAt(spec: Pick<ResolvedSpec, 'provisioningDelaySeconds'>, i: Pick<ScaleSetInstance, 'timeCreated'>): number {
  return Date.parse(i.timeCreated) + spec.provisioningDelaySeconds * 1000;
}

export function planScaleSet(spec: ResolvedSpec, status: ScaleSetStatus | undefined, scaleSetUid: string, now: number): ScaleSetPlan {
  const instances = status?.instances ?? [];
  const deleting = instances.filter((i) => i.provisioningState === 'Deleting');
  const live = instances.filter((i) => i.provisioningState !== 'Deleting');

  const listed = new Set(spec.instancesToDelete);
  const markDeleting = live.filter((i) => listed.has(i.instanceId)).map((i) => i.instanceId);
  let kept = live.filter((i) => !listed.has(i.instanceId));
  while (kept.length > spec.capacity) {
    const victim = nextToRemove(kept);
    markDeleting.push(victim.instanceId);
    kept = kept.filter((i) => i !== victim);
  }

  // Never below an id already recorded, even if the counter was lost or edited.
  let next = Math.max(status?.nextInstanceId ?? 0, ...instances.map((i) => Number(i.instanceId) + 1));
  const create: ScaleSetInstance[] = [];
  while (kept.length + create.length < spec.capacity) {
    create.push(newInstance(spec, scaleSetUid, next++, placeNext(spec, [...kept, ...create]), now));
  }

  const provision: string[] = [];
  let requeueAfterMs: number | undefined;
  for (const i of [...kept, ...create]) {
    if (i.provisioningState === 'Failed') provision.push(i.instanceId);
    if (i.provisioningState !== 'Creating') continue;
    const due = dueAt(spec, i);
    if (due <= now) provision.push(i.instanceId);
    else requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, due - now);
  }

  return {
    create,
    markDeleting,
    provision,
    remove: [...deleting.map((i) => i.instanceId), ...markDeleting],
    nextInstanceId: next,
    ...(requeueAfterMs !== undefined ? { requeueAfterMs } : {}),
  };
}
