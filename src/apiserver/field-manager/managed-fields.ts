/**
 * `metadata.managedFields` entries and the managers they record, as
 * k8s.io/apimachinery/pkg/util/managedfields/internal reads and writes them (managedfields.go,
 * capmanagers.go, fieldmanager.go).
 *
 * A manager is identified by its name, operation and subresource, and for `Update` also by its
 * API version: an applier has one entry whatever version it applies with; an updater one per
 * version. The identifier is the JSON kube builds for it, which also orders managers in messages.
 */
import { fieldError, type FieldError } from '../../apimachinery/errors.js';
import { FieldSet, fromFieldsV1, toFieldsV1 } from './field-set.js';
import { compareStrings, goQuote, goString, isGoPrintable } from './path-element.js';
import { deepEqual, isObject } from './typed.js';

/** One `metadata.managedFields` entry (metav1.ManagedFieldsEntry). */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  /** RFC 3339, seconds, UTC. Absent on an entry that has never changed the object. */
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/**
 * @internal One manager's fields. Read from a stored entry, the fields stay encoded until a write
 * touches them: most writes change fields only one or two managers own, and every entry they do
 * not touch is written back as it was.
 */
export class ManagerRecord {
  private fields: FieldSet | undefined;
  private modified = false;

  constructor(
    readonly manager: string,
    readonly operation: 'Apply' | 'Update',
    readonly subresource: string,
    public apiVersion: string,
    public time: string | undefined,
    fields: FieldSet | undefined,
    /** The entry this record was read from, reused when nothing changed; its fieldsV1 canonical when `fields` is undefined. */
    private readonly source?: ManagedFieldsEntry,
  ) {
    this.fields = fields;
  }

  get set(): FieldSet {
    if (this.fields === undefined) {
      try {
        this.fields = fromFieldsV1(this.source?.fieldsV1);
      } catch {
        // Stored fields that no longer decode: the entry owns nothing.
        this.fields = FieldSet.EMPTY;
        this.modified = true;
      }
    }
    return this.fields;
  }

  set set(fields: FieldSet) {
    if (fields !== this.fields) this.modified = true;
    this.fields = fields;
  }

  /** Whether the manager owns any of `paths` (read from the encoded entry when still encoded). */
  ownsAny(paths: FieldSet): boolean {
    if (this.fields === undefined && this.source) return rawIntersects(this.source.fieldsV1, paths);
    return !this.set.intersection(paths).empty;
  }

  get empty(): boolean {
    if (this.fields === undefined && this.source) return isEmptyObject(this.source.fieldsV1);
    return this.set.empty;
  }

  /** The entry to store: the one read, when nothing about it changed. */
  entry(): ManagedFieldsEntry {
    const s = this.source;
    if (s && !this.modified && s.apiVersion === this.apiVersion && s.time === this.time) return s;
    const entry = { manager: this.manager, operation: this.operation, apiVersion: this.apiVersion } as ManagedFieldsEntry;
    if (this.time !== undefined) entry.time = this.time;
    entry.fieldsType = 'FieldsV1';
    entry.fieldsV1 = toFieldsV1(this.set);
    if (this.subresource) entry.subresource = this.subresource;
    return entry;
  }

  clone(): ManagerRecord {
    const copy = new ManagerRecord(this.manager, this.operation, this.subresource, this.apiVersion, this.time, this.fields, this.source);
    copy.modified = this.modified;
    return copy;
  }
}

/** Whether canonical FieldsV1 holds any of `paths`. */
function rawIntersects(raw: Record<string, unknown>, paths: FieldSet): boolean {
  for (const pe of paths.members) {
    const node = raw[pe];
    if (node === null || (typeof node === 'object' && node !== undefined && (Object.hasOwn(node, '.') || isEmptyObject(node as Record<string, unknown>)))) return true;
  }
  for (const [pe, below] of paths.children) {
    const node = raw[pe];
    if (typeof node === 'object' && node !== null && rawIntersects(node as Record<string, unknown>, below)) return true;
  }
  return false;
}

function isEmptyObject(obj: Record<string, unknown> | null | undefined): boolean {
  if (!obj) return true;
  for (const _ in obj) return false;
  return true;
}

/** @internal Managers by identifier. */
export type Managed = Map<string, ManagerRecord>;

/** kube's `BuildManagerIdentifier`: the entry's JSON without fields, time, and (for appliers) version. */
export function managerIdentifier(manager: string, operation: 'Apply' | 'Update', apiVersion: string, subresource: string): string {
  let id = '{';
  const parts: string[] = [];
  if (manager) parts.push(`"manager":${goString(manager)}`);
  parts.push(`"operation":"${operation}"`);
  if (operation === 'Update' && apiVersion) parts.push(`"apiVersion":${goString(apiVersion)}`);
  if (subresource) parts.push(`"subresource":${goString(subresource)}`);
  id += parts.join(',');
  return `${id}}`;
}

/** A manager as conflict messages name it: `"kubectl-client-side-apply" using apps/v1`. */
export function printManager(record: ManagerRecord): string {
  let out = goQuote(record.manager);
  if (record.subresource) out += ` with subresource ${goQuote(record.subresource)}`;
  if (record.operation === 'Update') out += ` using ${record.apiVersion}`;
  return out;
}

/** A managedFields list that does not decode; the message is kube's. */
export class ManagedFieldsError extends Error {
  override readonly name = 'ManagedFieldsError';
}

/**
 * Decodes managedFields (`DecodeManagedFields`). `trusted` marks entries this module wrote (the
 * stored ones): their encoding is reused when unchanged and, when `lazy`, their fields are decoded
 * only when needed. Anything else is decoded, and checked, at once.
 */
export function decodeManaged(entries: unknown, trusted: boolean, lazy = true): Managed {
  const managed: Managed = new Map();
  if (entries === undefined || entries === null) return managed;
  if (!Array.isArray(entries)) throw new ManagedFieldsError('managedFields must be a list');
  entries.forEach((raw, i) => {
    if (!isObject(raw)) throw new ManagedFieldsError(`managed fields entry ${i} is not an object`);
    const str = (field: string): string => {
      const v = raw[field];
      if (v === undefined || v === null) return '';
      if (typeof v !== 'string') throw new ManagedFieldsError(`managed fields entry ${i}: ${field} must be a string`);
      return v;
    };
    const operation = str('operation');
    if (operation !== 'Apply' && operation !== 'Update') throw new ManagedFieldsError('operation must be `Apply` or `Update`');
    const apiVersion = str('apiVersion');
    if (!apiVersion) throw new ManagedFieldsError('apiVersion must not be empty');
    const fieldsType = str('fieldsType');
    if (fieldsType === '') throw new ManagedFieldsError(`missing fieldsType in managed fields entry ${i}`);
    if (fieldsType !== 'FieldsV1') throw new ManagedFieldsError(`invalid fieldsType ${goQuote(fieldsType)} in managed fields entry ${i}`);
    const manager = str('manager');
    const subresource = str('subresource');
    const time = normalizeTime(raw.time, i);
    const fieldsV1 = raw.fieldsV1;
    const reusable = trusted && isObject(fieldsV1) && time === raw.time;
    let set: FieldSet | undefined;
    if (!reusable || !lazy) {
      try {
        set = fromFieldsV1(fieldsV1);
      } catch (e) {
        throw new ManagedFieldsError(`error decoding versioned set from managed fields entry ${i}: error decoding set: ${(e as Error).message}`);
      }
    }
    const id = managerIdentifier(manager, operation, apiVersion, subresource);
    managed.set(id, new ManagerRecord(manager, operation, subresource, apiVersion, time, set, reusable ? (raw as unknown as ManagedFieldsEntry) : undefined));
  });
  return managed;
}

/** metav1.Time as it reads and writes JSON: RFC 3339, written back in UTC to the second. */
function normalizeTime(v: unknown, i: number): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new ManagedFieldsError(`managed fields entry ${i}: time must be a string`);
  if (CANONICAL_TIME.test(v)) return v;
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(v)) {
    throw new ManagedFieldsError(`managed fields entry ${i}: parsing time ${goQuote(v)} as RFC 3339`);
  }
  return formatTime(new Date(v));
}

const CANONICAL_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

/** RFC 3339 with second precision, UTC, as metav1.Time writes it. */
export function formatTime(t: Date | string): string {
  if (typeof t === 'string' && CANONICAL_TIME.test(t)) return t;
  const d = typeof t === 'string' ? new Date(t) : t;
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function unixSeconds(time: string | undefined): number {
  return time === undefined ? 0 : Math.floor(Date.parse(time) / 1000);
}

/**
 * Encodes managers as managedFields, sorted as kube sorts them: by operation (Apply first), time,
 * manager, API version, subresource. Entries whose fields, version and time did not change are
 * reused as they were read.
 */
export function encodeManaged(managed: Managed): ManagedFieldsEntry[] {
  const keyed = [...managed.values()].map((r) => ({ entry: r.entry(), seconds: unixSeconds(r.time) }));
  keyed.sort(compareEntries);
  return keyed.map((k) => k.entry);
}

function compareEntries(a: { entry: ManagedFieldsEntry; seconds: number }, b: { entry: ManagedFieldsEntry; seconds: number }): number {
  const p = a.entry;
  const q = b.entry;
  if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
  if (a.seconds !== b.seconds) return a.seconds < b.seconds ? -1 : 1;
  return (
    compareStrings(p.manager ?? '', q.manager ?? '') ||
    compareStrings(p.apiVersion, q.apiVersion) ||
    compareStrings(p.subresource ?? '', q.subresource ?? '')
  );
}

/** kube's `DefaultMaxUpdateManagers`. */
export const MAX_UPDATE_MANAGERS = 10;

/**
 * Keeps at most {@link MAX_UPDATE_MANAGERS} Update entries by merging the oldest ones, per API
 * version, into an `ancient-changes` entry (`capManagersManager`).
 */
export function capUpdateManagers(managed: Managed): void {
  const updaters = [...managed.keys()].filter((id) => managed.get(id)!.operation === 'Update');
  if (updaters.length <= MAX_UPDATE_MANAGERS) return;
  updaters.sort((a, b) => {
    const ta = unixSeconds(managed.get(a)!.time);
    const tb = unixSeconds(managed.get(b)!.time);
    return ta !== tb ? (ta < tb ? -1 : 1) : compareStrings(a, b);
  });
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > MAX_UPDATE_MANAGERS; i++) {
    const id = updaters[i];
    const record = managed.get(id)!;
    const version = record.apiVersion;
    const bucket = managerIdentifier('ancient-changes', 'Update', version, '');
    const first = firstByVersion.get(version);
    if (first === undefined) {
      firstByVersion.set(version, id);
      continue;
    }
    let bucketRecord = managed.get(bucket);
    if (!bucketRecord) {
      const firstRecord = managed.get(first)!;
      managed.delete(first);
      bucketRecord = new ManagerRecord('ancient-changes', 'Update', '', version, firstRecord.time, firstRecord.set);
      managed.set(bucket, bucketRecord);
    }
    bucketRecord.set = record.set.union(bucketRecord.set);
    bucketRecord.apiVersion = record.apiVersion;
    bucketRecord.time = record.time;
    managed.delete(id);
    length--;
  }
}

/**
 * Whether a request's managedFields ask to reset tracking (`isResetManagedFields`): an empty
 * list, or a list of one empty entry.
 */
export function isResetManagedFields(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  if (entries.length !== 1 || !isObject(entries[0])) return false;
  return Object.values(entries[0]).every((v) => v === undefined || v === null || v === '');
}

/** Whether two managedFields lists are the same (so the request kept the live ones). */
export function sameManagedFields(a: unknown, b: unknown): boolean {
  return a === b || deepEqual(a, b);
}

/** Subresource names are at most this long (`MaxSubresourceNameLength`). */
const MAX_SUBRESOURCE_LENGTH = 256;
/** `FieldManagerMaxLength`. */
export const FIELD_MANAGER_MAX_LENGTH = 128;

/**
 * The checks object-meta validation makes on managedFields (`ValidateManagedFields`), with
 * field paths under `fieldPath`: operation, fieldsType, manager name and subresource length.
 */
export function validateManagedFields(entries: readonly unknown[], fieldPath = 'metadata.managedFields'): FieldError[] {
  const errors: FieldError[] = [];
  entries.forEach((raw, i) => {
    const at = `${fieldPath}[${i}]`;
    const entry = isObject(raw) ? raw : {};
    const operation = entry.operation;
    if (operation !== 'Apply' && operation !== 'Update') {
      errors.push(invalidValue(`${at}.operation`, operation, 'must be `Apply` or `Update`'));
    }
    const fieldsType = entry.fieldsType;
    if (typeof fieldsType === 'string' && fieldsType !== '' && fieldsType !== 'FieldsV1') {
      errors.push(invalidValue(`${at}.fieldsType`, fieldsType, 'must be `FieldsV1`'));
    }
    errors.push(...fieldManagerErrors(typeof entry.manager === 'string' ? entry.manager : '', `${at}.manager`));
    if (typeof entry.subresource === 'string' && Buffer.byteLength(entry.subresource) > MAX_SUBRESOURCE_LENGTH) {
      errors.push(fieldError.tooLong(`${at}.subresource`, MAX_SUBRESOURCE_LENGTH));
    }
  });
  return errors;
}

/** `ValidateFieldManager`: at most 128 bytes, printable characters only. */
export function fieldManagerErrors(fieldManager: string, field: string): FieldError[] {
  const errors: FieldError[] = [];
  if (Buffer.byteLength(fieldManager) > FIELD_MANAGER_MAX_LENGTH) errors.push(fieldError.tooLong(field, FIELD_MANAGER_MAX_LENGTH));
  let position = 0;
  for (const ch of fieldManager) {
    if (!isGoPrintable(ch)) {
      const cp = ch.codePointAt(0)!;
      errors.push(
        invalidValue(field, fieldManager, `invalid character U+${cp.toString(16).toUpperCase().padStart(4, '0')} (at position ${position})`),
      );
    }
    position += Buffer.byteLength(ch);
  }
  return errors;
}

/** `field.Invalid` with the value printed as Go prints it (`%q` for strings). */
function invalidValue(field: string, value: unknown, detail: string): FieldError {
  const shown = typeof value === 'string' ? goQuote(value) : value === undefined || value === null ? '""' : JSON.stringify(value);
  return { type: 'FieldValueInvalid', field, message: `Invalid value: ${shown}: ${detail}` };
}
