/**
 * Azure's DeleteInstances as one spec change: list the ids in `spec.instancesToDelete` and lower
 * `spec.capacity` by the number newly listed, so a single optimistic-concurrency write (an update
 * carrying the resourceVersion that was read) deletes exactly those instances and no replacement
 * is made. The autoscaler's DeleteNodes and `flotilla vmss delete-instances` both use it.
 */
import type { ScaleSet, ScaleSetSpec } from './scale-set.js';

/** Azure's error for an id that names no instance (InvalidParameter). */
export class InstanceNotActiveError extends Error {
  readonly code = 'InvalidParameter';
  constructor(readonly instanceId: string) {
    super(`The provided instanceId ${instanceId} is not an active Virtual Machine Scale Set VM instanceId.`);
    this.name = 'InstanceNotActiveError';
  }
}

/**
 * The spec of `ss` after asking to delete `instanceIds`. Ids of instances already `Deleting` are
 * accepted and change nothing; ids that name no recorded instance throw
 * {@link InstanceNotActiveError}. Listed ids whose instance is gone are dropped, so the list
 * stays short.
 */
export function requestInstanceDeletion(ss: Pick<ScaleSet, 'spec' | 'status'>, instanceIds: readonly string[]): ScaleSetSpec {
  const instances = ss.status?.instances ?? [];
  const state = new Map(instances.map((i) => [i.instanceId, i.provisioningState]));
  const listed = new Set((ss.spec.instancesToDelete ?? []).filter((id) => state.has(id)));
  let removed = 0;
  for (const raw of instanceIds) {
    const id = raw.trim();
    const s = state.get(id);
    if (s === undefined) throw new InstanceNotActiveError(id);
    if (s === 'Deleting' || listed.has(id)) continue;
    listed.add(id);
    removed++;
  }
  return {
    ...ss.spec,
    capacity: Math.max(0, ss.spec.capacity - removed),
    instancesToDelete: [...listed].sort((a, b) => Number(a) - Number(b)),
  };
}
