/**
 * The SQLite Backend: kine's one-table revisioned log (`pkg/drivers/sqlite`, `pkg/logstructured`) on
 * better-sqlite3, with an in-process broadcaster for watches.
 *
 * Every create, update and delete INSERTS a row into `kine`; the row id is the global revision.
 * better-sqlite3 is synchronous, so each verb runs to completion (one IMMEDIATE transaction) inside
 * the call, then notifies the broadcaster before its promise settles. WAL with synchronous=NORMAL
 * means a committed transaction is in the WAL file (the OS page cache) when the call returns: it
 * survives kill -9 of this process, though not a power cut (which can lose the last transactions but
 * not corrupt the file).
 *
 * One process owns a database file. The current revision is kept in memory and watches only see
 * writes made through this object; a second writer process is not supported.
 *
 * Because every write passes through here synchronously, a list cache (LatestCache, per resource
 * bucket) updated in `committed` holds exactly the state at the current revision: lists at that
 * revision, gets and counts read it instead of the database (10,000 pods: ~100 ms of SQLite per
 * list saved). Lists at an older revision (continue tokens after writes) still read the log.
 */

import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { LatestCache } from './latest-cache.js';
import {
  CompactedError,
  ConflictError,
  KeyExistsError,
  KeyNotFoundError,
  type Backend,
  type KeyValue,
  type ListOptions,
  type ListResult,
  type WatchEvent,
} from './backend.js';

export interface SqliteOptions {
  /** Compaction never touches the newest this-many revisions (kine `--compact-min-retain`). Default 1000. */
  readonly compactMinRetain?: number;
  /** Live events buffered per watcher before it is ended with WatchOverflowError. Default 10,000. */
  readonly watchBufferLimit?: number;
  /**
   * Copy the WAL back into the database from a worker thread, so that the copying and its fsyncs
   * mostly leave the writer's thread. Default true (ignored for `:memory:`).
   */
  readonly backgroundCheckpoint?: boolean;
  /**
   * Lists at the current revision are served from memory, per bucket of keys: a key's bucket is
   * its prefix through the (depth + 1)-th `/`, e.g. `/registry/core/pods/` at depth 3 (the API
   * server's layout: one bucket per resource). A bucket is loaded by its first list and then kept
   * in step by every write. Lists whose prefix is shorter than a bucket, and lists at an older
   * revision, read the database. Default 3; 0 turns the cache off.
   */
  readonly listCacheDepth?: number;
}

/** Ends a watch whose consumer fell more than the buffer limit behind; the client should re-watch. */
export class WatchOverflowError extends Error {
  constructor(
    readonly prefix: string,
    readonly limit: number,
    readonly lastRevision: number,
  ) {
    super(`watch on ${JSON.stringify(prefix)} fell more than ${limit} events behind after revision ${lastRevision}`);
    this.name = 'WatchOverflowError';
  }
}

const DEFAULT_COMPACT_MIN_RETAIN = 1000;
const DEFAULT_WATCH_BUFFER_LIMIT = 10_000;
const DEFAULT_LIST_CACHE_DEPTH = 3;
/** Rows per compaction transaction (kine's batch size); the event loop runs between batches. */
const COMPACT_BATCH = 1000;
/** Rows read per history page of a watch (kine's pollBatchSize). */
const HISTORY_PAGE = 500;
const COMPACT_REV_KEY = 'compact_rev_key';
/**
 * WAL pages after which a commit checkpoints on the writer's thread. With the background
 * checkpointer this is only the finisher that lets the WAL restart (the worker has copied most
 * pages by then); without it, SQLite's default.
 */
const WAL_AUTOCHECKPOINT = { background: 4000, foreground: 1000 };

/*
 * Schema. `kine` is the log. `id` is the revision. It is a plain INTEGER PRIMARY KEY, not
 * AUTOINCREMENT as in kine: AUTOINCREMENT rewrites the sqlite_sequence page in every commit (a third
 * more WAL per create, ~15% of its cost). Without it SQLite assigns MAX(id) + 1, which is just as
 * monotonic as long as the newest row is never deleted, and nothing deletes it: only compaction
 * deletes rows, it never goes past `current - 1`, and the newest row supersedes nothing newer.
 * The current revision at open is therefore MAX(id).
 *
 * Of the spec's kine indexes we keep only what our queries use, because
 * on a file every index that a write touches at a random place costs far more than its B-tree
 * insert: the dirty page goes through the WAL and is copied back (with fsyncs) at each checkpoint.
 * Measured on the dev VM, a second random-order B-tree per write (kine's (name, id) index, or a
 * `current` name -> id table) took a create from ~45 µs to ~80 µs.
 *  - UNIQUE (name, prev_revision) is the compare-and-swap. Its entries also carry the rowid, so it
 *    is a covering index for "newest id per name" (MAX(id) ... GROUP BY name, optionally as of a
 *    revision): lists scan it in name order and fetch only the winning rows by id.
 *  - kine_tombstone_index (partial: deleted = 1) lets count() subtract deleted keys without
 *    reading rows; only deletes pay for it.
 *  - id scans (watch history, compaction) use the rowid itself.
 * `meta` holds the compact revision (kine keeps it in a `compact_rev_key` row; a separate table
 * keeps it out of lists and watches, and does not spend a revision).
 */
export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS kine (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  lease INTEGER NOT NULL DEFAULT 0,
  value BLOB,
  old_value BLOB
);
CREATE UNIQUE INDEX IF NOT EXISTS kine_name_prev_revision_uindex ON kine (name, prev_revision);
CREATE INDEX IF NOT EXISTS kine_tombstone_index ON kine (name, id) WHERE deleted = 1;
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
`;

/** A create row stores create_revision 0 (its id is not known before the insert), as kine does. */
const KV_COLUMNS = 'k.id, k.name, k.deleted, CASE WHEN k.created THEN k.id ELSE k.create_revision END AS cr, k.value';
const EVENT_COLUMNS =
  'id, name, created, deleted, CASE WHEN created THEN id ELSE create_revision END AS cr, prev_revision, value, old_value';

interface KvRow {
  id: number;
  name: string;
  deleted: number;
  cr: number;
  value: Buffer;
}

interface EventRow {
  id: number;
  name: string;
  created: number;
  deleted: number;
  cr: number;
  prev_revision: number;
  value: Uint8Array;
  old_value: Uint8Array | null;
}

type Stmt<P extends unknown[], R = unknown> = Database.Statement<P, R>;

/** A statement in two shapes: with an upper key bound, and without one (the empty prefix). */
interface Ranged<PB extends unknown[], PO extends unknown[], R> {
  readonly bounded: Stmt<PB, R>;
  readonly open: Stmt<PO, R>;
}

export class SqliteBackend implements Backend {
  private readonly db: Database.Database;
  private readonly compactMinRetain: number;
  private readonly watchBufferLimit: number;
  private readonly broadcaster = new Broadcaster();
  private rev: number;
  private compactRev: number;
  private closed = false;
  private compacting: Promise<void> = Promise.resolve();
  private readonly checkpointer: Worker | undefined;
  private readonly cacheDepth: number;
  /** Loaded list-cache buckets by bucket prefix; each holds the state at `rev`. */
  private readonly caches = new Map<string, LatestCache>();

  private readonly s: ReturnType<typeof prepare>;
  private readonly txCreate: Database.Transaction<(key: string, value: Uint8Array) => EventRow>;
  private readonly txUpdate: Database.Transaction<(key: string, value: Uint8Array, expected: number) => EventRow>;
  private readonly txDelete: Database.Transaction<(key: string, expected: number | undefined) => EventRow>;
  private readonly txCompactBatch: Database.Transaction<(from: number, to: number) => void>;

  static open(path: string, opts: SqliteOptions = {}): SqliteBackend {
    const db = new Database(path, { timeout: 30_000 });
    try {
      return new SqliteBackend(db, opts);
    } catch (err) {
      db.close();
      throw err;
    }
  }

  private constructor(db: Database.Database, opts: SqliteOptions) {
    this.db = db;
    this.compactMinRetain = nonNegativeInt('compactMinRetain', opts.compactMinRetain ?? DEFAULT_COMPACT_MIN_RETAIN);
    this.watchBufferLimit = nonNegativeInt('watchBufferLimit', opts.watchBufferLimit ?? DEFAULT_WATCH_BUFFER_LIMIT);
    if (this.watchBufferLimit === 0) throw new Error('watchBufferLimit must be at least 1');
    this.cacheDepth = nonNegativeInt('listCacheDepth', opts.listCacheDepth ?? DEFAULT_LIST_CACHE_DEPTH);

    const background = (opts.backgroundCheckpoint ?? true) && !db.memory;
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('temp_store = MEMORY');
    db.pragma('cache_size = -32768'); // 32 MiB of page cache
    db.pragma(`wal_autocheckpoint = ${background ? WAL_AUTOCHECKPOINT.background : WAL_AUTOCHECKPOINT.foreground}`);

    db.transaction(() => db.exec(SQLITE_SCHEMA)).immediate();

    this.s = prepare(db);
    this.rev = (db.prepare('SELECT MAX(id) FROM kine').pluck().get() as number | null) ?? 0;
    this.compactRev = (this.s.getMeta.get(COMPACT_REV_KEY) as number | undefined) ?? 0;

    const s = this.s;
    this.txCreate = db.transaction((key: string, value: Uint8Array): EventRow => {
      const latest = s.latestState.get(key);
      if (latest !== undefined && latest.deleted === 0) throw new KeyExistsError(key);
      // A key whose newest row is a tombstone gets a create row that supersedes the tombstone, so
      // UNIQUE(name, prev_revision) guards creates as it guards updates.
      const prev = latest?.id ?? 0;
      const id = Number(s.insert.run(key, 1, 0, 0, prev, value, null).lastInsertRowid);
      return { id, name: key, created: 1, deleted: 0, cr: id, prev_revision: prev, value, old_value: null };
    });
    this.txUpdate = db.transaction((key: string, value: Uint8Array, expected: number): EventRow => {
      const cur = s.latest.get(key);
      if (cur === undefined || cur.deleted) throw new KeyNotFoundError(key);
      if (cur.id !== expected) throw new ConflictError(key, expected, cur.id);
      const id = Number(s.insert.run(key, 0, 0, cur.cr, cur.id, value, cur.value).lastInsertRowid);
      return { id, name: key, created: 0, deleted: 0, cr: cur.cr, prev_revision: cur.id, value, old_value: cur.value };
    });
    this.txDelete = db.transaction((key: string, expected: number | undefined): EventRow => {
      const cur = s.latest.get(key);
      if (cur === undefined || cur.deleted) throw new KeyNotFoundError(key);
      if (expected !== undefined && cur.id !== expected) throw new ConflictError(key, expected, cur.id);
      const id = Number(s.insert.run(key, 0, 1, cur.cr, cur.id, cur.value, cur.value).lastInsertRowid);
      return { id, name: key, created: 0, deleted: 1, cr: cur.cr, prev_revision: cur.id, value: cur.value, old_value: cur.value };
    });
    this.txCompactBatch = db.transaction((from: number, to: number): void => {
      // Superseded rows first: their superseding rows (in this batch) name them in prev_revision.
      s.deleteSuperseded.run(from, to);
      s.deleteTombstones.run(from, to);
      s.setMeta.run(COMPACT_REV_KEY, to);
    });
    this.checkpointer = background ? startCheckpointer(db.name) : undefined;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.assertOpen();
    const cache = this.loadedCache(key);
    if (cache) return cache.get(key);
    const row = this.s.latest.get(key);
    return row === undefined || row.deleted ? undefined : toKv(row);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    return this.listSync(prefix, opts);
  }

  async count(prefix: string): Promise<number> {
    this.assertOpen();
    const [lo, hi] = keyRange(prefix);
    const cache = this.loadedCache(prefix);
    if (cache) return cache.count(lo, hi);
    return this.countAt(lo, hi, this.rev);
  }

  async create(key: string, value: Uint8Array): Promise<number> {
    this.assertWritable(key);
    const row = this.txCreate.immediate(key, value);
    return this.committed(row);
  }

  async update(key: string, value: Uint8Array, expectedRevision: number): Promise<number> {
    this.assertWritable(key);
    const row = this.txUpdate.immediate(key, value, expectedRevision);
    return this.committed(row);
  }

  async delete(key: string, expectedRevision?: number): Promise<number> {
    this.assertWritable(key);
    const row = this.txDelete.immediate(key, expectedRevision);
    return this.committed(row);
  }

  /**
   * Subscribes at once (so no later write is missed), then serves rows with id in
   * (afterRevision, revision-at-subscription] page by page, then the live events. A compacted
   * `afterRevision` is detected here, at the call, and reported as the first next()'s rejection, so
   * consumers can handle it where they handle every other watch failure.
   */
  watch(prefix: string, afterRevision: number, signal: AbortSignal): AsyncIterable<WatchEvent> {
    this.assertOpen();
    if (afterRevision < this.compactRev) return failedWatch(new CompactedError(afterRevision, this.compactRev));
    return new WatchStream(
      prefix,
      Math.max(0, afterRevision),
      this.rev,
      this.watchBufferLimit,
      this.broadcaster,
      (after, upTo) => this.history(prefix, after, upTo),
      signal,
    );
  }

  async currentRevision(): Promise<number> {
    this.assertOpen();
    return this.rev;
  }

  async compactedRevision(): Promise<number> {
    this.assertOpen();
    return this.compactRev;
  }

  /**
   * Compacts to min(revision, current - compactMinRetain) in batches of 1000 revisions, yielding to
   * the event loop between batches, then truncates the WAL. Concurrent calls run one after another.
   */
  compact(revision: number): Promise<void> {
    if (this.closed) return Promise.reject(new Error('storage backend is closed'));
    const run = this.compacting.then(() => this.compactNow(revision));
    this.compacting = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.broadcaster.closeAll();
    this.caches.clear();
    await this.compacting;
    if (this.checkpointer) await stopCheckpointer(this.checkpointer);
    this.db.close();
  }

  private committed(row: EventRow): number {
    this.rev = row.id;
    const cache = this.caches.size > 0 ? this.loadedCache(row.name) : undefined;
    if (cache === undefined && this.broadcaster.size === 0) return row.id;
    // The caller may reuse its buffer after the promise settles; watchers and the cache keep their
    // own copy (one KeyValue for both, so what is rendered for one serves the other).
    const event = toEvent({ ...row, value: row.deleted ? row.value : Buffer.from(row.value) });
    if (cache) {
      if (row.deleted) cache.delete(row.name);
      else cache.put(event.kv);
    }
    if (this.broadcaster.size > 0) this.broadcaster.publish(event);
    return row.id;
  }

  /** The loaded cache bucket that holds `keyOrPrefix`, if any. */
  private loadedCache(keyOrPrefix: string): LatestCache | undefined {
    const bucket = bucketOf(keyOrPrefix, this.cacheDepth);
    return bucket === undefined ? undefined : this.caches.get(bucket);
  }

  /** The cache bucket for a list prefix, loaded from the database at the current revision if it was not yet. */
  private cacheFor(prefix: string): LatestCache | undefined {
    const bucket = bucketOf(prefix, this.cacheDepth);
    if (bucket === undefined) return undefined;
    let cache = this.caches.get(bucket);
    if (cache === undefined) {
      cache = new LatestCache(bucket);
      const [lo, hi] = keyRange(bucket);
      const rows = hi === undefined ? this.s.list.open.all(lo, this.rev, -1) : this.s.list.bounded.all(lo, hi, this.rev, -1);
      cache.load(rows.map(([id, key, cr, value]) => ({ key, value, createRevision: cr, modRevision: id })));
      this.caches.set(bucket, cache);
    }
    return cache;
  }

  private listSync(prefix: string, opts: ListOptions): ListResult {
    this.assertOpen();
    const limit = opts.limit ?? 0;
    if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`list limit must be a non-negative integer, got ${limit}`);
    const rev = opts.revision === undefined || opts.revision === 0 ? this.rev : opts.revision;
    if (!Number.isSafeInteger(rev) || rev < 0) throw new RangeError(`list revision must be a non-negative integer, got ${rev}`);
    if (rev < this.compactRev) throw new CompactedError(rev, this.compactRev);
    if (rev > this.rev) throw new Error(`required revision ${rev} is a future revision (current ${this.rev})`);

    const [prefixLo, hi] = keyRange(prefix);
    const lo = opts.startKey !== undefined && opts.startKey > prefixLo ? opts.startKey : prefixLo;
    if (hi !== undefined && lo >= hi) return { revision: rev, items: [], more: false };
    if (rev === this.rev) {
      const cache = this.cacheFor(prefix);
      if (cache) {
        const { items, more, total } = cache.range(lo, hi, limit);
        return more ? { revision: rev, items, more, remaining: total - limit } : { revision: rev, items, more };
      }
    }
    const fetch = limit === 0 ? -1 : limit + 1;

    const rows = hi === undefined ? this.s.list.open.all(lo, rev, fetch) : this.s.list.bounded.all(lo, hi, rev, fetch);
    const more = limit !== 0 && rows.length > limit;
    if (more) rows.length = limit;
    const items = new Array<KeyValue>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const [id, key, cr, value] = rows[i]!;
      items[i] = { key, value, createRevision: cr, modRevision: id };
    }
    return more
      ? { revision: rev, items, more, remaining: this.countAt(lo, hi, rev) - limit }
      : { revision: rev, items, more };
  }

  /** Live keys in [lo, hi) as of `rev`: names with a row at or below it, minus those whose newest such row is a tombstone. */
  private countAt(lo: string, hi: string | undefined, rev: number): number {
    return hi === undefined
      ? this.s.names.open.get(lo, rev)! - this.s.deadNames.open.get(lo, rev, rev)!
      : this.s.names.bounded.get(lo, hi, rev)! - this.s.deadNames.bounded.get(lo, hi, rev, rev)!;
  }

  /** One page of watch history; refuses if compaction has removed part of what is left to read. */
  private history(prefix: string, after: number, upTo: number): WatchEvent[] {
    this.assertOpen();
    if (after < this.compactRev) throw new CompactedError(after, this.compactRev);
    const [lo, hi] = keyRange(prefix);
    const rows = (
      hi === undefined
        ? this.s.history.open.all(after, upTo, lo, HISTORY_PAGE)
        : this.s.history.bounded.all(after, upTo, lo, hi, HISTORY_PAGE)
    ) as EventRow[];
    return rows.map(toEvent);
  }

  private async compactNow(revision: number): Promise<void> {
    // Never the newest row: its id is what the next insert counts from (see the schema comment).
    const target = Math.min(revision, this.rev - Math.max(1, this.compactMinRetain));
    if (this.closed || target <= this.compactRev) return;
    let from = this.compactRev;
    while (from < target && !this.closed) {
      const to = Math.min(from + COMPACT_BATCH, target);
      this.txCompactBatch.immediate(from, to);
      this.compactRev = to;
      from = to;
      if (from < target) await nextTurn();
    }
    if (!this.closed) this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('storage backend is closed');
  }

  private assertWritable(key: string): void {
    this.assertOpen();
    if (typeof key !== 'string' || key.length === 0) throw new TypeError('storage key must be a non-empty string');
  }
}

function prepare(db: Database.Database) {
  const ranged = <PB extends unknown[], PO extends unknown[], R = unknown>(
    sql: (upper: string) => string,
    mode?: 'pluck' | 'raw',
  ): Ranged<PB, PO, R> => {
    const make = <P extends unknown[]>(text: string): Stmt<P, R> => {
      const stmt = db.prepare<P, R>(text);
      return mode === 'pluck' ? stmt.pluck() : mode === 'raw' ? stmt.raw() : stmt;
    };
    return { bounded: make<PB>(sql('AND name < ?')), open: make<PO>(sql('')) };
  };
  return {
    /** The newest row of a key, which may be a tombstone. */
    latest: db.prepare<[string], KvRow>(
      `SELECT ${KV_COLUMNS} FROM kine k WHERE k.id = (SELECT MAX(id) FROM kine WHERE name = ?)`,
    ),
    latestState: db.prepare<[string], { id: number; deleted: number }>(
      'SELECT id, deleted FROM kine WHERE id = (SELECT MAX(id) FROM kine WHERE name = ?)',
    ),
    insert: db.prepare<[string, number, number, number, number, Uint8Array, Uint8Array | null]>(
      `INSERT INTO kine (name, created, deleted, create_revision, prev_revision, lease, value, old_value)
       VALUES (?, ?, ?, ?, ?, 0, ?, ?)`,
    ),
    // A list walks the covering index in name order (a co-routine, so LIMIT stops it early), keeps
    // the newest id per name at or below the revision, and fetches those rows unless tombstones.
    // Raw rows (arrays): at 10k rows, building named-column objects is a sixth of the cost.
    list: ranged<[string, string, number, number], [string, number, number], [number, string, number, Buffer]>(
      (upper) => `SELECT k.id, m.name, CASE WHEN k.created THEN k.id ELSE k.create_revision END, k.value FROM (
          SELECT name, MAX(id) AS id FROM kine WHERE name >= ? ${upper} AND id <= ? GROUP BY name ORDER BY name
        ) m CROSS JOIN kine k ON k.id = m.id
        WHERE k.deleted = 0 ORDER BY m.name LIMIT ?`,
      'raw',
    ),
    names: ranged<[string, string, number], [string, number], number>(
      (upper) => `SELECT count(DISTINCT name) FROM kine WHERE name >= ? ${upper} AND id <= ?`,
      'pluck',
    ),
    deadNames: ranged<[string, string, number, number], [string, number, number], number>(
      (upper) => `SELECT count(*) FROM kine t WHERE t.deleted = 1 AND t.name >= ? ${upper.replace('name', 't.name')}
        AND t.id <= ? AND t.id = (SELECT MAX(id) FROM kine WHERE name = t.name AND id <= ?)`,
      'pluck',
    ),
    // Watch history walks the id range: it is bounded by the compaction window, and a name-index
    // plan would have to sort a whole prefix's history.
    history: ranged<[number, number, string, string, number], [number, number, string, number], EventRow>(
      (upper) => `SELECT ${EVENT_COLUMNS} FROM kine NOT INDEXED
        WHERE id > ? AND id <= ? AND name >= ? ${upper} ORDER BY id LIMIT ?`,
    ),
    deleteSuperseded: db.prepare<[number, number]>(
      'DELETE FROM kine WHERE id IN (SELECT prev_revision FROM kine WHERE id > ? AND id <= ? AND prev_revision > 0)',
    ),
    deleteTombstones: db.prepare<[number, number]>('DELETE FROM kine WHERE id > ? AND id <= ? AND deleted = 1'),
    getMeta: db.prepare<[string], number>('SELECT value FROM meta WHERE key = ?').pluck(),
    setMeta: db.prepare<[string, number]>(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
  };
}

function toKv(row: KvRow): KeyValue {
  return { key: row.name, value: row.value, createRevision: row.cr, modRevision: row.id };
}

function toEvent(row: EventRow): WatchEvent {
  const kv: KeyValue = { key: row.name, value: row.value, createRevision: row.cr, modRevision: row.id };
  if (row.created) return { type: 'create', kv };
  const prevKv: KeyValue | undefined =
    row.old_value === null
      ? undefined
      : { key: row.name, value: row.old_value, createRevision: row.cr, modRevision: row.prev_revision };
  return { type: row.deleted ? 'delete' : 'update', kv, prevKv };
}

/**
 * [lo, hi) covering every key that starts with `prefix`, in SQLite's BINARY (UTF-8 byte, i.e. code
 * point) order; hi is undefined for the empty prefix. hi is the prefix with its last code point
 * incremented, which is exactly what `key.startsWith(prefix)` accepts.
 */
function keyRange(prefix: string): [string, string | undefined] {
  const last = prefix.charCodeAt(prefix.length - 1); // NaN for ''
  if (last < 0xd7ff || (last >= 0xe000 && last < 0xffff)) {
    return [prefix, prefix.slice(0, -1) + String.fromCharCode(last + 1)];
  }
  const points = Array.from(prefix);
  while (points.length > 0) {
    const cp = points.pop()!.codePointAt(0)!;
    if (cp < 0x10ffff) return [prefix, points.join('') + String.fromCodePoint(cp === 0xd7ff ? 0xe000 : cp + 1)];
  }
  return [prefix, undefined];
}

/**
 * The cache bucket of a key or list prefix: its prefix through the (depth + 1)-th `/`, or undefined
 * when it has fewer (or depth is 0). Every key that starts with a bucket has that bucket.
 */
function bucketOf(key: string, depth: number): string | undefined {
  if (depth === 0) return undefined;
  let at = -1;
  for (let n = 0; n <= depth; n++) {
    at = key.indexOf('/', at + 1);
    if (at < 0) return undefined;
  }
  return key.slice(0, at + 1);
}

function nonNegativeInt(name: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a non-negative integer, got ${n}`);
  return n;
}

/** Fans committed events out to every open watch whose prefix matches; one pass per write. */
class Broadcaster {
  private readonly streams = new Set<WatchStream>();

  get size(): number {
    return this.streams.size;
  }

  add(stream: WatchStream): void {
    this.streams.add(stream);
  }

  remove(stream: WatchStream): void {
    this.streams.delete(stream);
  }

  publish(event: WatchEvent): void {
    const key = event.kv.key;
    for (const stream of this.streams) {
      if (key.startsWith(stream.prefix)) stream.push(event);
    }
  }

  closeAll(): void {
    for (const stream of this.streams) stream.end();
  }
}

type Waiter = { resolve: (r: IteratorResult<WatchEvent>) => void; reject: (err: unknown) => void };

/**
 * One watch: history pages read on demand, then a bounded queue of live events. The queue never
 * holds more than `limit` events; past that the stream fails with WatchOverflowError and lets go of
 * its buffer, so a stalled consumer costs at most `limit` events of memory and never blocks writers.
 */
class WatchStream implements AsyncIterableIterator<WatchEvent> {
  private page: WatchEvent[] = [];
  private pageAt = 0;
  private historyDone: boolean;
  private queue: WatchEvent[] = [];
  private head = 0;
  private waiter: Waiter | undefined;
  private state: 'open' | 'failed' | 'done' = 'open';
  private failure: unknown;
  /** Revision of the last event handed out (or the watch's start). */
  private last: number;
  private readonly onAbort = (): void => this.end();

  constructor(
    readonly prefix: string,
    after: number,
    private readonly historyEnd: number,
    private readonly limit: number,
    private readonly broadcaster: Broadcaster,
    private readonly readHistory: (after: number, upTo: number) => WatchEvent[],
    private readonly signal: AbortSignal,
  ) {
    this.last = after;
    this.historyDone = after >= historyEnd;
    if (signal.aborted) {
      this.state = 'done';
      return;
    }
    broadcaster.add(this);
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<WatchEvent> {
    return this;
  }

  next(): Promise<IteratorResult<WatchEvent>> {
    if (this.waiter) return Promise.reject(new Error('watch: next() called while a previous next() is pending'));
    if (this.state === 'failed') {
      this.state = 'done';
      return Promise.reject(this.failure);
    }
    if (this.state === 'done') return Promise.resolve({ done: true, value: undefined });
    try {
      const event = this.historyDone ? undefined : this.nextHistory();
      if (event) return Promise.resolve({ done: false, value: event });
    } catch (err) {
      this.detach();
      this.state = 'done';
      return Promise.reject(err);
    }
    while (this.head < this.queue.length) {
      const event = this.queue[this.head++]!;
      if (this.head === this.queue.length) {
        this.queue = [];
        this.head = 0;
      }
      if (event.kv.modRevision > this.last) {
        this.last = event.kv.modRevision;
        return Promise.resolve({ done: false, value: event });
      }
    }
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<WatchEvent>> {
    this.end();
    return Promise.resolve({ done: true, value: undefined });
  }

  /** Called by the broadcaster, synchronously after a commit. */
  push(event: WatchEvent): void {
    if (this.state !== 'open') return;
    const waiter = this.waiter;
    if (waiter && this.historyDone && event.kv.modRevision > this.last) {
      this.waiter = undefined;
      this.last = event.kv.modRevision;
      waiter.resolve({ done: false, value: event });
      return;
    }
    this.queue.push(event);
    if (this.queue.length - this.head > this.limit) {
      this.fail(new WatchOverflowError(this.prefix, this.limit, this.last));
    }
  }

  /** Ends the stream: a pending next() resolves done, and buffered events are dropped. */
  end(): void {
    if (this.state === 'done') return;
    this.state = 'done';
    this.detach();
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve({ done: true, value: undefined });
  }

  private fail(err: unknown): void {
    this.detach();
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) {
      this.state = 'done';
      waiter.reject(err);
    } else {
      this.state = 'failed';
      this.failure = err;
    }
  }

  private detach(): void {
    this.broadcaster.remove(this);
    this.signal.removeEventListener('abort', this.onAbort);
    this.queue = [];
    this.head = 0;
    this.page = [];
    this.pageAt = 0;
  }

  private nextHistory(): WatchEvent | undefined {
    if (this.pageAt === this.page.length) {
      this.page = this.readHistory(this.last, this.historyEnd);
      this.pageAt = 0;
      if (this.page.length === 0) {
        this.historyDone = true;
        return undefined;
      }
    }
    const event = this.page[this.pageAt++]!;
    this.last = event.kv.modRevision;
    if (this.last >= this.historyEnd && this.pageAt === this.page.length) this.historyDone = true;
    return event;
  }
}

/*
 * The background checkpointer: a worker thread with its own connection that runs PASSIVE
 * checkpoints (which never block the writer) every few milliseconds while the WAL has pages left to
 * copy. It is only an optimisation: if it fails, the writer's own auto-checkpoint still runs.
 */
const CHECKPOINTER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { timeout: 30000 });
db.pragma('wal_autocheckpoint = 0');
let timer;
const tick = () => {
  const [r] = db.pragma('wal_checkpoint(PASSIVE)');
  timer = setTimeout(tick, r.log > r.checkpointed ? 1 : 20);
};
tick();
parentPort.once('message', () => {
  clearTimeout(timer);
  db.close();
  parentPort.close();
});
`;

function startCheckpointer(path: string): Worker {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(CHECKPOINTER_SOURCE, { eval: true, workerData: { driver, path } });
  worker.on('error', () => undefined); // the writer's auto-checkpoint takes over
  worker.unref();
  return worker;
}

async function stopCheckpointer(worker: Worker): Promise<void> {
  if (worker.threadId === -1) return; // already exited
  worker.ref();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage('stop');
  await exited;
}

/** An iterator whose first next() rejects with `err`, and which is done afterwards. */
function failedWatch(err: Error): AsyncIterableIterator<WatchEvent> {
  let failed = false;
  const it: AsyncIterableIterator<WatchEvent> = {
    [Symbol.asyncIterator]: () => it,
    next: () => {
      if (failed) return Promise.resolve({ done: true, value: undefined });
      failed = true;
      return Promise.reject(err);
    },
    return: () => {
      failed = true;
      return Promise.resolve({ done: true, value: undefined });
    },
  };
  return it;
}

export interface CompactorOptions {
  /** How often to compact. Default 5 minutes, like kube-apiserver's `--etcd-compaction-interval`. */
  readonly intervalMs?: number;
  /** Revisions kept behind the current one. Default 10,000. */
  readonly retain?: number;
  /** Told about a failed run; the next tick tries again. */
  readonly onError?: (err: unknown) => void;
}

/**
 * Compacts `backend` to `current - retain` every `intervalMs` (runs never overlap). Returns a stop
 * function. The timer is unref'd, so it never keeps the process alive.
 */
export function startCompactor(backend: Backend, opts: CompactorOptions = {}): () => void {
  const intervalMs = opts.intervalMs ?? 5 * 60_000;
  const retain = nonNegativeInt('retain', opts.retain ?? 10_000);
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be positive, got ${intervalMs}`);
  let running = false;
  let stopped = false;
  const tick = async (): Promise<void> => {
    if (running || stopped) return;
    running = true;
    try {
      const target = (await backend.currentRevision()) - retain;
      if (target > (await backend.compactedRevision())) await backend.compact(target);
    } catch (err) {
      if (!stopped) opts.onError?.(err);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
