/**
 * @module storage
 *
 * Flotilla's storage layer: a kine-style revisioned key-value log with watch.
 *
 * - `Backend` is the contract the API server programs against (get, list, count, create, update,
 *   delete, watch, compact). Every write gets a new global revision, and a key's `modRevision` is the
 *   object's resourceVersion.
 * - `SqliteBackend.open(path)` is the default implementation: one SQLite file in WAL mode, where
 *   every write inserts a row whose id is the revision. Acknowledged writes survive kill -9.
 * - `startCompactor(backend, { intervalMs, retain })` drops superseded history periodically.
 * - Lists at the current revision, gets and counts are served from memory once a resource (a
 *   `/registry/<group>/<resource>/` bucket, `listCacheDepth`) has been listed: `LatestCache`, kept
 *   in step by every write (kube-apiserver's watch cache). Older revisions read the log.
 *
 * Errors are typed: `KeyExistsError` (create), `KeyNotFoundError` and `ConflictError` (update and
 * delete), `CompactedError` (list or watch at a revision older than compaction), and
 * `WatchOverflowError` (a watch whose consumer fell too far behind; re-watch from the last revision
 * seen).
 *
 * Tips: read `modRevision` as the resourceVersion; continue tokens carry the list's `revision` and
 * the next `startKey`; a watch after a list uses the list's `revision` as `afterRevision`.
 * Every backend must pass `runBackendContract` in `backend.contract.ts`.
 */

export type { Backend, KeyValue, ListOptions, ListResult, WatchEvent } from './backend.js';
export { CompactedError, ConflictError, KeyExistsError, KeyNotFoundError } from './backend.js';
export type { CompactorOptions, SqliteOptions } from './sqlite-backend.js';
export { SqliteBackend, SQLITE_SCHEMA, WatchOverflowError, startCompactor } from './sqlite-backend.js';
