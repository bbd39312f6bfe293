/**
 * An informer: list + watch one kind into an indexed cache, with event handlers, a resync
 * period, a relist when the server says the resourceVersion is gone (410), re-watches with
 * backoff when the stream is lost, and a "has synced" gate.
 */
import { labelSelectorFromObject, parseLabelSelector, type LabelSelector, type LabelSelectorObject } from '../apimachinery/label-selector.js';
import { isGone, type ListerWatcher, type WatchEvent } from './client.js';
import { realClock, type Clock } from './clock.js';
import { silentLogger, type Logger } from './logger.js';
import { objectKey, resourcePath, type KObject, type ResourceType } from './resource.js';

/** The values an object is indexed under. */
export type IndexFunc<T> = (obj: T) => string[];

/** Built-in indexes every informer keeps. */
export const NAMESPACE_INDEX = 'namespace';
/** Values `key=value`, one per label. */
export const LABEL_INDEX = 'label';
/** Values: the uids in `metadata.ownerReferences`. */
export const OWNER_INDEX = 'owner';

export interface StoreListOptions {
  readonly namespace?: string;
  /** A selector string (`app=web,tier!=db`) or a `metav1.LabelSelector` object. */
  readonly labelSelector?: string | LabelSelectorObject;
}

/** The read side of an informer's cache: synchronous, in memory. Never mutate what it returns (clone first). */
export interface Store<T> {
  get(namespace: string, name: string): T | undefined;
  /** By `namespace/name` (or `name` when cluster-scoped). */
  getByKey(key: string): T | undefined;
  /** Sorted by key. */
  list(opts?: StoreListOptions): T[];
  byIndex(index: string, value: string): T[];
}

/** Callbacks on cache changes. A handler added late first sees every cached object as an add. */
export interface EventHandler<T> {
  onAdd?(obj: T, isInInitialList: boolean): void;
  /** Also on resync, with `oldObj === newObj`. */
  onUpdate?(oldObj: T, newObj: T): void;
  /** With the last state the cache knew. */
  onDelete?(obj: T): void;
}

export interface Informer<T extends KObject = KObject> extends Store<T> {
  readonly type: ResourceType;
  /** Returns a function that removes the handler. */
  addEventHandler(handler: EventHandler<T>): () => void;
  /** Add (or replace) a custom index; the cache is re-indexed. */
  addIndexer(name: string, fn: IndexFunc<T>): void;
  hasSynced(): boolean;
  /** Resolves true once the first list is in the cache, false if `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean>;
  /** List and watch until `signal` aborts. */
  run(signal: AbortSignal): Promise<void>;
}

export interface InformerOptions {
  /** Only this namespace ('' = all). */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Replay every cached object to the handlers as an update this often (0 = never). */
  readonly resyncPeriodMs?: number;
  /** Backoff between failed lists/watches: initial (default 200 ms), doubling up to max (default 30 s). */
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number };
  readonly clock?: Clock;
  readonly logger?: Logger;
}

function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = clock.setTimer(ms, done);
    function done(): void {
      t.cancel();
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

function compileSelector(s: string | LabelSelectorObject): LabelSelector {
  return typeof s === 'string' ? parseLabelSelector(s) : labelSelectorFromObject(s);
}

export function createInformer<T extends KObject = KObject>(lw: ListerWatcher, type: ResourceType, opts: InformerOptions = {}): Informer<T> {
  const clock = opts.clock ?? realClock;
  const log = (opts.logger ?? silentLogger()).child({ informer: resourcePath(type, opts.namespace) });
  const initialBackoff = opts.backoff?.initialMs ?? 200;
  const maxBackoff = opts.backoff?.maxMs ?? 30_000;
  const items = new Map<string, T>();
  const indexers = new Map<string, IndexFunc<T>>([
    [NAMESPACE_INDEX, (o) => [o.metadata?.namespace ?? '']],
    [LABEL_INDEX, (o) => Object.entries(o.metadata?.labels ?? {}).map(([k, v]) => `${k}=${v}`)],
    [OWNER_INDEX, (o) => (o.metadata?.ownerReferences ?? []).map((r) => r.uid)],
  ]);
  const indices = new Map<string, Map<string, Set<string>>>();
  const handlers = new Set<EventHandler<T>>();
  let synced = false;
  const syncWaiters = new Set<() => void>();

  const indexAdd = (key: string, obj: T): void => {
    for (const [name, fn] of indexers) {
      let idx = indices.get(name);
      if (!idx) indices.set(name, (idx = new Map()));
      for (const v of fn(obj)) {
        let set = idx.get(v);
        if (!set) idx.set(v, (set = new Set()));
        set.add(key);
      }
    }
  };
  const indexRemove = (key: string, obj: T): void => {
    for (const [name, fn] of indexers) {
      const idx = indices.get(name);
      for (const v of fn(obj)) {
        const set = idx?.get(v);
        set?.delete(key);
        if (set && set.size === 0) idx!.delete(v);
      }
    }
  };
  const put = (obj: T): T | undefined => {
    const key = objectKey(obj);
    const old = items.get(key);
    if (old) indexRemove(key, old);
    items.set(key, obj);
    indexAdd(key, obj);
    return old;
  };
  const remove = (key: string): T | undefined => {
    const old = items.get(key);
    if (old) {
      indexRemove(key, old);
      items.delete(key);
    }
    return old;
  };

  const notify = (fn: (h: EventHandler<T>) => void): void => {
    for (const h of handlers) {
      try {
        fn(h);
      } catch (err) {
        log.info({ err }, 'event handler failed');
      }
    }
  };

  const sorted = (keys: Iterable<string>): T[] => [...keys].sort().map((k) => items.get(k)!).filter(Boolean);

  /** Replace the cache with a fresh list; tell the handlers what changed. */
  const replace = (list: T[]): void => {
    const first = !synced;
    const seen = new Set<string>();
    for (const obj of list) {
      const key = objectKey(obj);
      seen.add(key);
      const old = put(obj);
      if (!old) notify((h) => h.onAdd?.(obj, first));
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) notify((h) => h.onUpdate?.(old, obj));
    }
    for (const key of [...items.keys()]) {
      if (seen.has(key)) continue;
      const old = remove(key)!;
      notify((h) => h.onDelete?.(old));
    }
    if (first) {
      synced = true;
      for (const w of syncWaiters) w();
      syncWaiters.clear();
    }
  };

  const apply = (e: WatchEvent<T>): void => {
    if (e.type === 'BOOKMARK') return;
    if (e.type === 'DELETED') {
      const old = remove(objectKey(e.object));
      notify((h) => h.onDelete?.(e.object ?? old));
      return;
    }
    const old = put(e.object);
    if (old) notify((h) => h.onUpdate?.(old, e.object));
    else notify((h) => h.onAdd?.(e.object, false));
  };

  async function resyncLoop(signal: AbortSignal): Promise<void> {
    const period = opts.resyncPeriodMs ?? 0;
    if (period <= 0) return;
    while (!signal.aborted) {
      await sleep(clock, period, signal);
      if (signal.aborted || !synced) continue;
      log.debug({ objects: items.size }, 'resync');
      for (const obj of sorted(items.keys())) notify((h) => h.onUpdate?.(obj, obj));
    }
  }

  async function listAndWatch(signal: AbortSignal): Promise<void> {
    let backoff = initialBackoff;
    let resourceVersion: string | undefined;
    const base = { namespace: opts.namespace, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector };
    while (!signal.aborted) {
      if (resourceVersion === undefined) {
        try {
          const list = await lw.list<T>(type, base);
          if (signal.aborted) return;
          replace(list.items);
          resourceVersion = list.resourceVersion;
          log.debug({ objects: list.items.length, resourceVersion }, 'listed');
          backoff = initialBackoff;
        } catch (err) {
          log.info({ err, backoffMs: backoff }, 'list failed');
          await sleep(clock, backoff, signal);
          backoff = Math.min(maxBackoff, backoff * 2);
          continue;
        }
      }
      const startedAt = clock.now();
      let events = 0;
      try {
        await lw.watch<T>(
          type,
          { ...base, resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 + Math.floor(Math.random() * 300) },
          (e) => {
            events++;
            const rv = e.object?.metadata?.resourceVersion;
            if (rv) resourceVersion = rv;
            apply(e);
          },
          signal,
        );
        if (signal.aborted) return;
        // The stream ended. A healthy one that lasted or carried events re-watches at once.
        if (events > 0 || clock.now() - startedAt > 1000) backoff = initialBackoff;
        else {
          log.debug({ backoffMs: backoff }, 'watch closed early');
          await sleep(clock, backoff, signal);
          backoff = Math.min(maxBackoff, backoff * 2);
        }
      } catch (err) {
        if (isGone(err)) {
          log.info({ resourceVersion }, 'relisting: resource version gone');
          resourceVersion = undefined;
          continue;
        }
        log.info({ err, backoffMs: backoff }, 'watch failed');
        await sleep(clock, backoff, signal);
        backoff = Math.min(maxBackoff, backoff * 2);
      }
    }
  }

  let running = false;
  return {
    type,
    get: (namespace, name) => items.get(namespace ? `${namespace}/${name}` : name),
    getByKey: (key) => items.get(key),
    list(o = {}) {
      const keys = o.namespace ? (indices.get(NAMESPACE_INDEX)?.get(o.namespace) ?? []) : items.keys();
      const all = sorted(keys);
      if (o.labelSelector === undefined) return all;
      const sel = compileSelector(o.labelSelector);
      return all.filter((obj) => sel.matches(obj.metadata?.labels));
    },
    byIndex(index, value) {
      if (!indexers.has(index)) throw new Error(`informer ${resourcePath(type)} has no index named ${JSON.stringify(index)}`);
      return sorted(indices.get(index)?.get(value) ?? []);
    },
    addEventHandler(h) {
      handlers.add(h);
      for (const obj of sorted(items.keys())) {
        try {
          h.onAdd?.(obj, true);
        } catch (err) {
          log.info({ err }, 'event handler failed');
        }
      }
      return () => void handlers.delete(h);
    },
    addIndexer(name, fn) {
      indexers.set(name, fn);
      indices.clear();
      for (const [k, obj] of items) indexAdd(k, obj);
    },
    hasSynced: () => synced,
    waitForSync(signal) {
      if (synced) return Promise.resolve(true);
      if (signal?.aborted) return Promise.resolve(false);
      return new Promise<boolean>((resolve) => {
        const onSync = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve(true);
        };
        const onAbort = (): void => {
          syncWaiters.delete(onSync);
          resolve(false);
        };
        syncWaiters.add(onSync);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    async run(signal) {
      if (running) throw new Error(`informer ${resourcePath(type, opts.namespace)} is already running`);
      running = true;
      try {
        await Promise.all([listAndWatch(signal), resyncLoop(signal)]);
      } finally {
        running = false;
      }
    },
  };
}
