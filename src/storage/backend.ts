/**
 * The storage contract, modelled on kine's Backend: a revisioned key-value log with watch.
 * Every write gets a new global revision; a key's `modRevision` is the object's resourceVersion.
 * Implementations: SQLite (default). An etcd backend implements the same interface.
 */

export interface KeyValue {
  readonly key: string;
  readonly value: Uint8Array;
  /** Revision of the write that created the key (etcd create_revision). */
  readonly createRevision: number;
  /** Revision of the latest write to the key (etcd mod_revision): the object's resourceVersion. */
  readonly modRevision: number;
}

export interface WatchEvent {
  readonly type: 'create' | 'update' | 'delete';
  /** For deletes, the value as it was just before the delete, with modRevision = the delete's revision. */
  readonly kv: KeyValue;
  readonly prevKv?: KeyValue;
}

export interface ListOptions {
  /** Start listing at this key (inclusive); used for continue tokens. */
  readonly startKey?: string;
  /** At most this many items; `more` tells whether some were left out. */
  readonly limit?: number;
  /** Read as of this revision (must not be compacted). Defaults to the current revision. */
  readonly revision?: number;
}

export interface ListResult {
  /** The revision the list reflects (the store's current revision when none was asked for). */
  readonly revision: number;
  readonly items: KeyValue[];
  readonly more: boolean;
  /** Items left after this page (only when `limit` cut the list). */
  readonly remaining?: number;
}

export interface Backend {
  get(key: string): Promise<KeyValue | undefined>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  /** Number of live keys under a prefix. */
  count(prefix: string): Promise<number>;
  /** Create a key; throws KeyExistsError when it exists. Returns the new revision. */
  create(key: string, value: Uint8Array): Promise<number>;
  /** Replace a key's value if its modRevision is `expectedRevision`; throws ConflictError otherwise, KeyNotFoundError if absent. */
  update(key: string, value: Uint8Array, expectedRevision: number): Promise<number>;
  /** Delete a key (if `expectedRevision` is given, only at that revision). Returns the delete's revision. */
  delete(key: string, expectedRevision?: number): Promise<number>;
  /**
   * Events for keys under `prefix` with revision > `afterRevision`, in revision order, then live
   * events until `signal` aborts. Throws CompactedError at once when `afterRevision` is older than
   * the compacted revision.
   */
  watch(prefix: string, afterRevision: number, signal: AbortSignal): AsyncIterable<WatchEvent>;
  currentRevision(): Promise<number>;
  /** The oldest revision a watch can still start after. */
  compactedRevision(): Promise<number>;
  /** Drop superseded rows at or below `revision`. */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

export class KeyExistsError extends Error {
  constructor(readonly key: string) {
    super(`key exists: ${key}`);
    this.name = 'KeyExistsError';
  }
}

export class KeyNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`key not found: ${key}`);
    this.name = 'KeyNotFoundError';
  }
}

export class ConflictError extends Error {
  constructor(
    readonly key: string,
    readonly expectedRevision: number,
    readonly actualRevision: number,
  ) {
    super(`revision conflict on ${key}: expected ${expectedRevision}, found ${actualRevision}`);
    this.name = 'ConflictError';
  }
}

export class CompactedError extends Error {
  constructor(
    readonly requestedRevision: number,
    readonly compactedRevision: number,
  ) {
    super(`required revision ${requestedRevision} has been compacted (compacted at ${compactedRevision})`);
    this.name = 'CompactedError';
  }
}
