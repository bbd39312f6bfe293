/**
 * An in-memory {@link Client} for unit tests of informers, controllers and reconcilers: one
 * revision counter, uids, AlreadyExists and Conflict errors, merge patches, label and
 * metadata field selectors, and watches that replay from a resourceVersion. It can end or fail
 * watch streams to exercise reconnects and relists. Not a server: no defaulting, validation,
 * finalizers or garbage collection.
 */
import { randomUUID } from 'node:crypto';
import { parseLabelSelector } from '../apimachinery/label-selector.js';
import { ApiError, type Client, type ListOptions, type WatchEvent } from './client.js';
import { resourcePath, type KObject, type ResourceType } from './resource.js';

export interface FakeClient extends Client {
  /** Calls of `list`, by collection path (e.g. `/api/v1/configmaps`). */
  readonly lists: Map<string, number>;
  /** Open watch streams. */
  watchCount(): number;
  /** End every open watch stream, normally or with `err` (e.g. `new ApiError(410, 'Expired', …)`). */
  endWatches(err?: unknown): void;
  /** Make the next `watch` call fail with `err`. */
  failNextWatch(err: unknown): void;
  /** Forget history up to now: watches from older resourceVersions get a 410 (like compaction). */
  compact(): void;
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export function createFakeClient(): FakeClient {
  let rv = 0;
  let compactedAt = 0;
  const store = new Map<string, Map<string, KObject>>(); // collection path → key → object
  const history: { path: string; rv: number; event: WatchEvent<KObject> }[] = [];
  const watchers = new Set<{ path: string; ns?: string; emit: (e: WatchEvent<KObject>) => void; end: (err?: unknown) => void }>();
  const lists = new Map<string, number>();
  let nextWatchError: unknown;

  const col = (type: ResourceType): Map<string, KObject> => {
    const p = resourcePath(type);
    let m = store.get(p);
    if (!m) store.set(p, (m = new Map()));
    return m;
  };
  const keyOf = (ns: string | undefined, name: string): string => (ns ? `${ns}/${name}` : name);
  const notFound = (type: ResourceType, name: string): ApiError => new ApiError(404, 'NotFound', `${type.plural} "${name}" not found`);
  const emit = (type: ResourceType, e: WatchEvent<KObject>): void => {
    const path = resourcePath(type);
    const ev = { type: e.type, object: structuredClone(e.object) };
    history.push({ path, rv, event: ev });
    for (const w of watchers) if (w.path === path && (!w.ns || w.ns === e.object.metadata?.namespace)) w.emit(structuredClone(ev));
  };
  const stamp = <T extends KObject>(type: ResourceType, obj: T): T => ({ ...structuredClone(obj), apiVersion: type.apiVersion, kind: type.kind });
  const matches = (o: KObject, opts: ListOptions): boolean => {
    if (opts.namespace && o.metadata?.namespace !== opts.namespace) return false;
    if (opts.labelSelector && !parseLabelSelector(opts.labelSelector).matches(o.metadata?.labels)) return false;
    for (const req of (opts.fieldSelector ?? '').split(',').filter(Boolean)) {
      const [f, v] = req.split('=');
      const actual = f === 'metadata.name' ? o.metadata?.name : f === 'metadata.namespace' ? o.metadata?.namespace : undefined;
      if (actual !== v) return false;
    }
    return true;
  };

  function write<T extends KObject>(type: ResourceType, obj: T, mode: 'create' | 'update' | 'status'): T {
    const c = col(type);
    const md = obj.metadata ?? {};
    const name = md.name ?? (md.generateName ? md.generateName + randomUUID().slice(0, 5) : '');
    const key = keyOf(md.namespace, name);
    const old = c.get(key);
    if (mode === 'create' && old) throw new ApiError(409, 'AlreadyExists', `${type.plural} "${name}" already exists`);
    if (mode !== 'create' && !old) throw notFound(type, name);
    if (mode !== 'create' && md.resourceVersion && md.resourceVersion !== old!.metadata!.resourceVersion) {
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${type.plural} "${name}": the object has been modified; please apply your changes to the latest version and try again`);
    }
    let next = stamp(type, obj) as KObject & { status?: unknown };
    if (mode === 'status') next = { ...(stamp(type, old!) as typeof next), status: (obj as typeof next).status };
    else if (mode === 'update' && old && 'status' in old) next.status = (old as typeof next).status;
    next.metadata = {
      ...next.metadata,
      name,
      uid: old?.metadata?.uid ?? randomUUID(),
      creationTimestamp: old?.metadata?.creationTimestamp ?? new Date(),
      resourceVersion: String(++rv),
    };
    c.set(key, next);
    emit(type, { type: old ? 'MODIFIED' : 'ADDED', object: next });
    return structuredClone(next) as T;
  }

  return {
    lists,
    watchCount: () => watchers.size,
    endWatches(err) {
      for (const w of [...watchers]) w.end(err);
    },
    failNextWatch(err) {
      nextWatchError = err;
    },
    compact() {
      compactedAt = rv;
      history.length = 0;
    },
    async get<T extends KObject>(type: ResourceType, namespace: string, name: string) {
      const o = col(type).get(keyOf(namespace, name));
      return o ? (structuredClone(o) as T) : undefined;
    },
    async list<T extends KObject>(type: ResourceType, opts: ListOptions = {}) {
      const p = resourcePath(type);
      lists.set(p, (lists.get(p) ?? 0) + 1);
      const items = [...col(type).values()].filter((o) => matches(o, opts)).map((o) => structuredClone(o) as T);
      return { items, resourceVersion: String(rv) };
    },
    create: async (type, obj) => write(type, obj, 'create'),
    update: async (type, obj) => write(type, obj, 'update'),
    updateStatus: async (type, obj) => write(type, obj, 'status'),
    async patch<T extends KObject>(type: ResourceType, namespace: string, name: string, patch: unknown) {
      const old = col(type).get(keyOf(namespace, name));
      if (!old) throw notFound(type, name);
      const next = mergePatch(old, patch) as T;
      next.metadata = { ...next.metadata, resourceVersion: undefined };
      return write(type, next, 'update');
    },
    async patchStatus<T extends KObject>(type: ResourceType, namespace: string, name: string, patch: unknown) {
      const old = col(type).get(keyOf(namespace, name));
      if (!old) throw notFound(type, name);
      const next = mergePatch(old, patch) as T;
      next.metadata = { ...next.metadata, resourceVersion: undefined };
      return write(type, next, 'status');
    },
    async delete(type, namespace, name) {
      const c = col(type);
      const key = keyOf(namespace, name);
      const old = c.get(key);
      if (!old) return false;
      c.delete(key);
      ++rv;
      emit(type, { type: 'DELETED', object: { ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } } });
      return true;
    },
    watch<T extends KObject>(type: ResourceType, opts: { namespace?: string; resourceVersion?: string }, onEvent: (e: WatchEvent<T>) => void, signal: AbortSignal) {
      if (nextWatchError !== undefined) {
        const e = nextWatchError;
        nextWatchError = undefined;
        return Promise.reject(e);
      }
      const from = Number(opts.resourceVersion ?? rv);
      if (from < compactedAt) return Promise.reject(new ApiError(410, 'Expired', `too old resource version: ${from} (${compactedAt})`));
      return new Promise<void>((resolve, reject) => {
        const path = resourcePath(type);
        const w = {
          path,
          ns: opts.namespace,
          emit: onEvent as (e: WatchEvent<KObject>) => void,
          end(err?: unknown) {
            watchers.delete(w);
            if (err === undefined) resolve();
            else reject(err);
          },
        };
        watchers.add(w);
        signal.addEventListener('abort', () => w.end(), { once: true });
        for (const h of history) if (h.path === path && h.rv > from && (!w.ns || w.ns === h.event.object.metadata?.namespace)) w.emit(structuredClone(h.event));
      });
    },
  };
}
