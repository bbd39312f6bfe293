/**
 * Field tracking for every write that is not an apply: create, update, patch, and writes to
 * subresources (kube's `FieldManager.UpdateNoErrors` and the managers it wraps).
 */
import { FieldSet, type Path } from './field-set.js';
import { shapeOf, type ListMeta, type Shape } from './list-meta.js';
import {
  capUpdateManagers,
  decodeManaged,
  encodeManaged,
  formatTime,
  isResetManagedFields,
  managerIdentifier,
  ManagerRecord,
  sameManagedFields,
  type Managed,
  type ManagedFieldsEntry,
} from './managed-fields.js';
import { compare, isObject, type Comparison } from './typed.js';

type Obj = Record<string, unknown>;

/**
 * Fields never tracked (`NewStripMetaManager`): type meta, and the metadata the server owns.
 * Removed path by path, so `.metadata.labels` stays while `.metadata` itself goes.
 */
export const STRIPPED_FIELDS: FieldSet = FieldSet.of(
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map(
    (f): Path => ['f:metadata', `f:${f}`],
  ),
);

/** The field set of paths given as field names (`[['status']]`). */
export function fieldNamesToSet(paths: readonly (readonly string[])[] | undefined): FieldSet | undefined {
  if (!paths || paths.length === 0) return undefined;
  return FieldSet.of(...paths.map((p) => p.map((name) => `f:${name}`)));
}

/** @internal The comparison without the ignored fields and everything below them. */
export function filterComparison(cmp: Comparison, ignored: FieldSet | undefined): Comparison {
  if (!ignored) return cmp;
  return {
    modified: cmp.modified.recursiveDifference(ignored),
    added: cmp.added.recursiveDifference(ignored),
    removed: cmp.removed.recursiveDifference(ignored),
  };
}

/** @internal The object without `metadata.managedFields` (shallow: shares everything else). */
export function withoutManagedFields(obj: Obj): Obj {
  const metadata = obj.metadata;
  if (!isObject(metadata) || !Object.hasOwn(metadata, 'managedFields')) return obj;
  const { managedFields: _dropped, ...rest } = metadata;
  return { ...obj, metadata: rest };
}

/**
 * @internal Takes the changed fields away from every manager but `skip` (structured-merge-diff's
 * `Updater.update`). Without `force`, returns the fields each manager would lose to a change
 * of value (its conflicts) and changes nothing when there are any.
 */
export function takeChangedFields(managed: Managed, cmp: Comparison, skip: string | undefined, force: boolean): Map<string, FieldSet> {
  const changed = cmp.modified.union(cmp.added);
  const conflicts = new Map<string, FieldSet>();
  if (!force) {
    for (const [id, record] of managed) {
      if (id === skip || !record.ownsAny(changed)) continue;
      conflicts.set(id, record.set.intersection(changed));
    }
    if (conflicts.size > 0) return conflicts;
  }
  const gone = changed.union(cmp.removed);
  for (const [id, record] of managed) {
    if (id === skip || !record.ownsAny(gone)) continue;
    record.set = record.set.difference(gone);
  }
  for (const [id, record] of managed) if (record.empty) managed.delete(id);
  return conflicts;
}

/** @internal What one non-apply write does to the managers (`managedFieldsUpdater` and below). */
export function recordChange(
  managed: Managed,
  before: Obj,
  after: Obj,
  shape: Shape,
  id: { manager: string; apiVersion: string; subresource: string },
  ignored: FieldSet | undefined,
  time: string,
): void {
  const cmp = filterComparison(compare(before, after, shape), ignored);
  takeChangedFields(managed, cmp, undefined, true);
  const taken = cmp.modified.union(cmp.added).difference(STRIPPED_FIELDS);
  if (taken.empty) return;
  const key = managerIdentifier(id.manager, 'Update', id.apiVersion, id.subresource);
  const previous = managed.get(key);
  managed.set(key, new ManagerRecord(id.manager, 'Update', id.subresource, id.apiVersion, time, previous ? taken.union(previous.set) : taken));
}

export interface RecordUpdateInput {
  /** The stored object; undefined for a create. */
  readonly live?: Obj;
  /** The object about to be stored (after the patch, for a patch). */
  readonly updated: Obj;
  /** The `fieldManager` parameter, or {@link managerFromUserAgent} of the request; empty means `unknown`. */
  readonly manager: string;
  /** The request's API version (`apps/v1`). */
  readonly apiVersion: string;
  /** The subresource written (`status`, `scale`); its requests cannot set managedFields. */
  readonly subresource?: string;
  readonly now: Date | string;
  readonly listMeta: ListMeta;
  /**
   * Fields the strategy resets on this endpoint (`GetResetFields`: `[['status']]` for the main
   * resource of most kinds, `[['spec'], ['metadata']]` for `/status`): never tracked here.
   */
  readonly ignoredFields?: readonly (readonly string[])[];
  /**
   * What a create compares against: the kind's empty object as kube serialises it
   * (`{metadata: {creationTimestamp: null}, spec: {containers: null}, status: {}}` for a Pod).
   * It decides only where `"."` appears in the creator's entry. Default `{}` (what kube uses for
   * custom resources); {@link builtinEmptyObject} has the built-in kinds'.
   */
  readonly empty?: Readonly<Obj>;
}

/**
 * The managedFields to store after a create, update or patch (kube's `FieldManager.Update`):
 *
 * - the request's own `metadata.managedFields` are the starting point when they decode and are
 *   not empty (a subresource write always starts from the live ones); `[]` or `[{}]` resets
 *   tracking; anything that does not decode is ignored in favour of the live ones, as kube does;
 * - an object that is not tracked (no managedFields) stays untracked until it is applied to,
 *   unless this is its create;
 * - the manager's Update entry (one per manager, version and subresource) gains every field whose
 *   value this write changed or added, and its time becomes `now`; every other entry loses those
 *   fields and the removed ones; empty entries go, and Update entries beyond ten are merged into
 *   `ancient-changes`.
 *
 * Returns the list to store (empty: store none). An object the list types do not fit (an item
 * without its keys) gets no managedFields, as kube clears them when tracking fails.
 */
export function recordUpdate(input: RecordUpdateInput): ManagedFieldsEntry[] {
  const { live, updated } = input;
  const subresource = input.subresource ?? '';
  const liveEntries = isObject(live?.metadata) ? live.metadata.managedFields : undefined;
  const requested = isObject(updated.metadata) ? updated.metadata.managedFields : undefined;

  let managed: Managed;
  if (subresource || requested === undefined || requested === null || sameManagedFields(requested, liveEntries)) {
    managed = decodeOrEmpty(liveEntries, true);
  } else if (isResetManagedFields(requested)) {
    managed = new Map();
  } else {
    managed = decodeOrEmpty(requested, false);
    if (managed.size === 0) managed = decodeOrEmpty(liveEntries, true);
  }
  // Untracked objects stay untracked until their first apply; creates are tracked.
  if (managed.size === 0 && live !== undefined) return [];

  try {
    recordChange(
      managed,
      withoutManagedFields(live ?? ((input.empty ?? {}) as Obj)),
      withoutManagedFields(updated),
      shapeOf(input.listMeta),
      { manager: input.manager || 'unknown', apiVersion: input.apiVersion, subresource },
      fieldNamesToSet(input.ignoredFields),
      formatTime(input.now),
    );
  } catch (e) {
    if (e instanceof Error && e.name === 'TypedError') return [];
    throw e;
  }
  capUpdateManagers(managed);
  return encodeManaged(managed);
}

function decodeOrEmpty(entries: unknown, trusted: boolean): Managed {
  try {
    return decodeManaged(entries, trusted);
  } catch {
    return new Map();
  }
}
