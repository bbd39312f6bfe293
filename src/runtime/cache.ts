/**
 * The shared informer cache: one informer per kind, shared by every controller of a manager, and
 * a synchronous reader over all of them (`Cache = CacheReader & Informers`).
 */
import { setMaxListeners } from 'node:events';
import type { ListerWatcher } from './client.js';
import type { Clock } from './clock.js';
import { createInformer, type Informer, type StoreListOptions } from './informer.js';
import type { Logger } from './logger.js';
import { resourcePath, type KObject, type ResourceType } from './resource.js';

/** Synchronous reads from the informers' caches (an informer is created on first use). */
export interface CacheReader {
  get<T extends KObject>(type: ResourceType, namespace: string, name: string): T | undefined;
  list<T extends KObject>(type: ResourceType, opts?: StoreListOptions): T[];
}

export interface Informers {
  /** The one informer for `type`; created on first use, and running at once if the cache is. */
  informerFor<T extends KObject>(type: ResourceType): Informer<T>;
  /** Resolves true once every informer created so far has synced (false if `signal` aborts first). */
  waitForCacheSync(signal?: AbortSignal): Promise<boolean>;
  /** Whether every informer created so far has synced. */
  hasSynced(): boolean;
}

export type Cache = CacheReader &
  Informers & {
    /** Run every informer (present and future) until `signal` aborts; resolves once they stopped. */
    start(signal: AbortSignal): Promise<void>;
  };

export interface CacheOptions {
  /** Watch only this namespace ('' = all). */
  readonly namespace?: string;
  readonly resyncPeriodMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export function createCache(lw: ListerWatcher, opts: CacheOptions = {}): Cache {
  const informers = new Map<string, Informer<KObject>>();
  const running: Promise<void>[] = [];
  let signal: AbortSignal | undefined;

  const run = (inf: Informer<KObject>): void => {
    if (signal && !signal.aborted) running.push(inf.run(signal));
  };
  const informerFor = <T extends KObject>(type: ResourceType): Informer<T> => {
    const key = resourcePath(type);
    let inf = informers.get(key);
    if (!inf) {
      inf = createInformer<KObject>(lw, type, {
        namespace: type.namespaced === false ? undefined : opts.namespace,
        resyncPeriodMs: opts.resyncPeriodMs,
        clock: opts.clock,
        logger: opts.logger,
      });
      informers.set(key, inf);
      run(inf);
    }
    return inf as unknown as Informer<T>;
  };

  return {
    informerFor,
    get: <T extends KObject>(type: ResourceType, namespace: string, name: string) => informerFor<T>(type).get(namespace, name),
    list: <T extends KObject>(type: ResourceType, o?: StoreListOptions) => informerFor<T>(type).list(o),
    async waitForCacheSync(s) {
      const all = await Promise.all([...informers.values()].map((i) => i.waitForSync(s)));
      return !all.includes(false);
    },
    hasSynced: () => [...informers.values()].every((i) => i.hasSynced()),
    async start(s) {
      if (signal) throw new Error('the cache was already started');
      signal = s;
      // Every informer listens on this one signal; there is one per kind, so more than Node's default 10.
      setMaxListeners(0, s);
      for (const inf of informers.values()) run(inf);
      await new Promise<void>((r) => (s.aborted ? r() : s.addEventListener('abort', () => r(), { once: true })));
      await Promise.all(running);
    },
  };
}
