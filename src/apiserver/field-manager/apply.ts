/**
 * Server-side apply (kube's `FieldManager.Apply` and the managers it wraps, over
 * structured-merge-diff's `Updater.Apply`).
 */
import { badRequest, StatusError, type StatusCause } from '../../apimachinery/errors.js';
import { FieldSet } from './field-set.js';
import { shapeOf, type ListMeta, type Shape } from './list-meta.js';
import {
  capUpdateManagers,
  decodeManaged,
  encodeManaged,
  formatTime,
  managerIdentifier,
  ManagerRecord,
  printManager,
  type Managed,
  type ManagedFieldsEntry,
} from './managed-fields.js';
import { compareStrings, goJson, pathToString } from './path-element.js';
import {
  clone,
  compare,
  deepEqual,
  ensureNamedFieldsAreMembers,
  isObject,
  merge as structuredMerge,
  removeItems,
  toFieldSet,
  TypedError,
  type Comparison,
} from './typed.js';
import { fieldNamesToSet, filterComparison, recordChange, STRIPPED_FIELDS, takeChangedFields, withoutManagedFields } from './update.js';

type Obj = Record<string, unknown>;

/** The annotation client-side apply keeps; server-side apply by `kubectl` keeps it current. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** The manager kubectl's server-side apply uses, which gets the client-side apply upgrade path. */
const KUBECTL = 'kubectl';
/** The Update entry that takes the fields of an untracked object on its first apply. */
const BEFORE_FIRST_APPLY = 'before-first-apply';
/** `TotalAnnotationSizeLimitB`. */
const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export interface ApplyInput {
  /** The stored object; undefined when the apply creates it. */
  readonly live?: Obj;
  /** The applied configuration (the request body, decoded). */
  readonly config: Obj;
  /** The `fieldManager` parameter (see {@link validateApplyRequest}). */
  readonly manager: string;
  /** The request's API version (`apps/v1`): the configuration must use it. */
  readonly apiVersion: string;
  /** The request's kind: when given, the configuration's `kind` must match it. */
  readonly kind?: string;
  /** The subresource applied to (`status`), if any. */
  readonly subresource?: string;
  /** The `force` parameter: take fields from their managers instead of failing on conflicts. */
  readonly force: boolean;
  readonly now: Date | string;
  readonly listMeta: ListMeta;
  /** Fields the strategy resets on this endpoint (see {@link RecordUpdateInput.ignoredFields}). */
  readonly ignoredFields?: readonly (readonly string[])[];
  /**
   * Merges the configuration into the live object. By default the structured merge, driven by
   * the same list types that identify items (what kube does); a strategic merge here would
   * disagree with the field sets wherever patch keys and list keys differ.
   */
  readonly merge?: (live: Obj, config: Obj) => Obj;
  /** The kind's empty object (see {@link RecordUpdateInput.empty}). */
  readonly empty?: Readonly<Obj>;
}

export interface ApplyResult {
  /** The object to store, with `metadata.managedFields` set (absent when empty). */
  readonly object: Obj;
  readonly managedFields: ManagedFieldsEntry[];
  /** Whether the apply changed anything but managedFields. */
  readonly changed: boolean;
}

/**
 * Applies a configuration as kube-apiserver does:
 *
 * - the configuration is merged into the live object (or becomes the new object);
 * - another manager's field whose value this changes is a conflict: a 409 listing every one, or,
 *   with `force`, the field changes hands; two managers setting the same value share it;
 *   `kubectl` upgrading from client-side apply is not in conflict over the fields its
 *   last-applied annotation still holds;
 * - fields this manager applied last time and leaves out now are removed, unless another
 *   manager owns them (an item of a map-type list goes with all its fields);
 * - the manager's Apply entry becomes exactly the applied fields, timed `now` if the object
 *   changed; an untracked object first gets a `before-first-apply` entry for what it holds.
 *
 * Errors: 400 for a configuration of another version or kind, or carrying managedFields; 409
 * Conflict; 500 (no reason) for a configuration that does not fit the list types.
 */
export function apply(input: ApplyInput): ApplyResult {
  const { config } = input;
  checkConfig(input);
  let managed: Managed;
  try {
    managed = decodeManaged(isObject(input.live?.metadata) ? input.live.metadata.managedFields : undefined, true, false);
  } catch (e) {
    throw new StatusError(500, '', `failed to decode managed fields: ${(e as Error).message}`);
  }
  const shape = shapeOf(input.listMeta);
  const run = (force: boolean) => applyOnce(input, copyManaged(managed), shape, force);

  let outcome = run(input.force);
  if ('conflicts' in outcome && input.manager === KUBECTL) {
    // kubectl upgrading from client-side apply owns what its last-applied annotation still says.
    const allowed = input.live ? allowedByLastApplied(input.live, input.apiVersion, shape) : undefined;
    if (allowed) {
      const remaining = new Map<string, FieldSet>();
      for (const [id, set] of outcome.conflicts) {
        const rest = set.difference(allowed);
        if (!rest.empty) remaining.set(id, rest);
      }
      outcome = remaining.size === 0 ? run(true) : { conflicts: remaining, managed: outcome.managed };
    }
  }
  if ('conflicts' in outcome) throw conflictError(outcome.conflicts, outcome.managed);

  const object = outcome.object;
  if (input.manager === KUBECTL) updateLastApplied(object, config);
  const managedFields = encodeManaged(outcome.managed);
  const metadata = isObject(object.metadata) ? object.metadata : (object.metadata = {});
  if (managedFields.length > 0) metadata.managedFields = managedFields;
  else delete metadata.managedFields;
  return { object, managedFields, changed: outcome.changed };
}

type Outcome = { object: Obj; managed: Managed; changed: boolean } | { conflicts: Map<string, FieldSet>; managed: Managed };

function applyOnce(input: ApplyInput, managed: Managed, shape: Shape, force: boolean): Outcome {
  const subresource = input.subresource ?? '';
  const time = formatTime(input.now);
  const ignored = fieldNamesToSet(input.ignoredFields);
  const live = input.live ? withoutManagedFields(input.live) : {};

  // An untracked object: what it holds so far belongs to `before-first-apply`.
  if (managed.size === 0 && input.live) {
    try {
      recordChange(managed, (input.empty ?? {}) as Obj, live, shape, { manager: BEFORE_FIRST_APPLY, apiVersion: input.apiVersion, subresource }, ignored, time);
    } catch (e) {
      throw typedFailure('failed to create manager for existing fields', e);
    }
    capUpdateManagers(managed);
  }

  let applied: FieldSet;
  try {
    applied = toFieldSet(input.config, shape, false);
  } catch (e) {
    throw typedFailure(`failed to create typed patch object (${objectRef(input.config)})`, e);
  }
  if (ignored) applied = applied.recursiveDifference(ignored);

  let merged: Obj;
  let cmp: Comparison;
  const id = managerIdentifier(input.manager, 'Apply', input.apiVersion, subresource);
  const last = managed.get(id);
  managed.set(id, new ManagerRecord(input.manager, 'Apply', subresource, input.apiVersion, last?.time, applied));
  try {
    merged = input.merge ? clone(input.merge(clone(live), clone(input.config))) : structuredMerge(live, input.config, shape);
    if (last && !last.set.empty) merged = prune(merged, managed, last.set, shape);
    cmp = filterComparison(compare(live, merged, shape), ignored);
  } catch (e) {
    throw typedFailure(`failed to create typed live object (${objectRef(input.live ?? input.config)})`, e);
  }
  const conflicts = takeChangedFields(managed, cmp, id, force);
  if (conflicts.size > 0) return { conflicts, managed };
  for (const [key, record] of managed) if (record.empty) managed.delete(key);

  const mine = managed.get(id);
  if (mine) {
    mine.set = mine.set.difference(STRIPPED_FIELDS);
    if (mine.set.empty) managed.delete(id);
  }
  const changed = !deepEqual(live, merged);
  if (changed && mine) mine.time = time;
  return { object: changed ? merged : clone(live), managed, changed };
}

/**
 * Removes what the manager applied last time and no longer applies, unless someone owns it now
 * (structured-merge-diff's `prune`, `addBackOwnedItems` and `addBackDanglingItems`).
 */
function prune(merged: Obj, managed: Managed, lastSet: FieldSet, shape: Shape): Obj {
  const ensure = (s: FieldSet) => ensureNamedFieldsAreMembers(s, shape);
  const fieldsOf = (o: Obj) => ensure(toFieldSet(o, shape, true));
  const last = ensure(lastSet);
  const mergedSet = fieldsOf(merged);
  let owned = FieldSet.EMPTY;
  for (const record of managed.values()) owned = owned.union(record.set);
  // Everything the last apply had, gone; then back what someone owns, and what was not the manager's.
  const withoutLast = removeItems(merged, last, shape);
  const ownedBack = removeItems(merged, mergedSet.difference(fieldsOf(withoutLast).union(ensure(owned))), shape);
  return removeItems(merged, mergedSet.difference(fieldsOf(ownedBack)).intersection(last), shape);
}

/** The fields the last-applied annotation holds that still have its values (`allowedConflictsFromLastApplied`). */
function allowedByLastApplied(live: Obj, apiVersion: string, shape: Shape): FieldSet | undefined {
  const annotations = isObject(live.metadata) && isObject(live.metadata.annotations) ? live.metadata.annotations : undefined;
  const text = annotations?.[LAST_APPLIED_ANNOTATION];
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    const lastApplied: unknown = JSON.parse(text);
    if (!isObject(lastApplied) || lastApplied.apiVersion !== apiVersion) return undefined;
    const set = toFieldSet(lastApplied, shape, false);
    const cmp = compare(lastApplied, live, shape);
    return set.difference(cmp.modified).difference(cmp.added).difference(cmp.removed);
  } catch {
    return undefined;
  }
}

/** Keeps an existing last-applied annotation in step with what kubectl applies (`lastAppliedUpdater`). */
function updateLastApplied(object: Obj, config: Obj): void {
  const metadata = isObject(object.metadata) ? object.metadata : undefined;
  const annotations = metadata && isObject(metadata.annotations) ? (metadata.annotations as Record<string, string>) : undefined;
  if (!annotations || typeof annotations[LAST_APPLIED_ANNOTATION] !== 'string' || annotations[LAST_APPLIED_ANNOTATION] === '') return;
  const copy = clone(config);
  const copyAnnotations = isObject(copy.metadata) && isObject(copy.metadata.annotations) ? copy.metadata.annotations : undefined;
  if (copyAnnotations) delete copyAnnotations[LAST_APPLIED_ANNOTATION];
  annotations[LAST_APPLIED_ANNOTATION] = `${goJson(copy)}\n`;
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) size += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) delete annotations[LAST_APPLIED_ANNOTATION];
}

function checkConfig(input: ApplyInput): void {
  const { config } = input;
  const configVersion = typeof config.apiVersion === 'string' ? config.apiVersion : '';
  if (input.kind !== undefined) {
    const configKind = typeof config.kind === 'string' ? config.kind : '';
    if (configVersion !== input.apiVersion || configKind !== input.kind) {
      throw badRequest(`invalid object type: ${gvkString(configVersion, configKind)}`);
    }
  }
  if (configVersion !== input.apiVersion) {
    throw badRequest(`Incorrect version specified in apply patch. Specified patch version: ${configVersion}, expected: ${input.apiVersion}`);
  }
  const metadata = config.metadata;
  if (isObject(metadata) && metadata.managedFields !== undefined && metadata.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
}

/** Go's `GroupVersionKind.String()`: `apps/v1, Kind=Deployment`, `/v1, Kind=Pod`. */
function gvkString(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  const group = slash >= 0 ? apiVersion.slice(0, slash) : '';
  const version = slash >= 0 ? apiVersion.slice(slash + 1) : apiVersion;
  return `${group}/${version}, Kind=${kind}`;
}

/** `namespace/name; gvk`, as kube names the object in these errors (`objectGVKNN`). */
function objectRef(obj: Obj): string {
  const metadata = isObject(obj.metadata) ? obj.metadata : {};
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : '';
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  return `${namespace}/${name}; ${gvkString(apiVersion, kind)}`;
}

/** A failure the apiserver returns as a plain error: 500 with no reason (`Error from server: …`). */
function typedFailure(prefix: string, e: unknown): unknown {
  if (!(e instanceof TypedError)) return e;
  return new StatusError(500, '', `${prefix}: ${e.message}`);
}

/**
 * The 409 kube returns for apply conflicts (`NewConflictError`): one cause per field, reason
 * `FieldManagerConflict`, and a message kubectl prints as it is.
 */
function conflictError(conflicts: Map<string, FieldSet>, managed: Managed): StatusError {
  const ids = [...conflicts.keys()].sort(compareStrings);
  const causes: StatusCause[] = [];
  const lines: string[] = [];
  let count = 0;
  let single = '';
  for (const id of ids) {
    const who = printManager(managed.get(id)!);
    lines.push(`conflicts with ${who}:`);
    for (const path of conflicts.get(id)!.paths()) {
      const field = pathToString(path);
      causes.push({ reason: 'FieldManagerConflict', message: `conflict with ${who}`, field });
      lines.push(`- ${field}`);
      single = `conflict with ${who}: ${field}`;
      count++;
    }
  }
  const message = count === 1 ? `Apply failed with 1 conflict: ${single}` : `Apply failed with ${count} conflicts: ${lines.join('\n')}`;
  return new StatusError(409, 'Conflict', message, { causes });
}

function copyManaged(managed: Managed): Managed {
  const copy: Managed = new Map();
  for (const [id, record] of managed) copy.set(id, record.clone());
  return copy;
}
