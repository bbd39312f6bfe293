/**
 * client-go's work queue, pure over an injectable {@link Clock}: de-duplicating (an item added
 * while it is being processed is processed again after `done`), delayed adds, rate-limited adds
 * (per-item exponential backoff and an overall token bucket), and a shutdown that drains the
 * items in flight.
 */
import { realClock, type Clock, type Timer } from './clock.js';

/** How long to wait before an item may be retried. */
export interface RateLimiter<T> {
  /** The delay for the next retry of `item` (and count the failure). */
  when(item: T): number;
  /** Stop tracking `item` (it succeeded). */
  forget(item: T): void;
  /** How many failures are being counted for `item`. */
  numRequeues(item: T): number;
}

/** Per-item exponential backoff: base·2^failures, capped at max (client-go: 5 ms → 1000 s). */
export function exponentialFailureRateLimiter<T>(baseMs = 5, maxMs = 1_000_000, key: (item: T) => string = String): RateLimiter<T> {
  const failures = new Map<string, number>();
  return {
    when(item) {
      const k = key(item);
      const n = failures.get(k) ?? 0;
      failures.set(k, n + 1);
      return Math.min(maxMs, baseMs * 2 ** n);
    },
    forget: (item) => void failures.delete(key(item)),
    numRequeues: (item) => failures.get(key(item)) ?? 0,
  };
}

/** An overall token bucket shared by all items (client-go: 10 qps, burst 100). */
export function bucketRateLimiter<T>(qps = 10, burst = 100, clock: Clock = realClock): RateLimiter<T> {
  let tokens = burst;
  let last = clock.now();
  return {
    when() {
      const now = clock.now();
      tokens = Math.min(burst, tokens + ((now - last) * qps) / 1000);
      last = now;
      tokens -= 1;
      return tokens >= 0 ? 0 : (-tokens * 1000) / qps;
    },
    forget() {},
    numRequeues: () => 0,
  };
}

/** The longest delay of several limiters. */
export function maxOfRateLimiter<T>(...limiters: RateLimiter<T>[]): RateLimiter<T> {
  return {
    when: (item) => Math.max(0, ...limiters.map((l) => l.when(item))),
    forget: (item) => limiters.forEach((l) => l.forget(item)),
    numRequeues: (item) => Math.max(0, ...limiters.map((l) => l.numRequeues(item))),
  };
}

/** client-go's DefaultControllerRateLimiter: max(exponential 5 ms → 1000 s, bucket 10 qps / burst 100). */
export function defaultControllerRateLimiter<T>(clock: Clock = realClock, key: (item: T) => string = String): RateLimiter<T> {
  return maxOfRateLimiter(exponentialFailureRateLimiter<T>(5, 1_000_000, key), bucketRateLimiter<T>(10, 100, clock));
}

/** Hooks for queue metrics (the manager supplies Prometheus ones). */
export interface QueueMetrics {
  add(): void;
  depth(n: number): void;
  retry(): void;
  /** Seconds between add and get. */
  queueLatency(seconds: number): void;
  /** Seconds between get and done. */
  workDuration(seconds: number): void;
}

export interface WorkQueueOptions<T> {
  readonly clock?: Clock;
  readonly rateLimiter?: RateLimiter<T>;
  /** Identity of an item (default `String(item)`); equal keys are one item. */
  readonly key?: (item: T) => string;
  readonly metrics?: QueueMetrics;
}

export interface WorkQueue<T> {
  add(item: T): void;
  /** Add after `delayMs` (the earliest pending delay wins). */
  addAfter(item: T, delayMs: number): void;
  /** Add after the rate limiter's delay for `item`. */
  addRateLimited(item: T): void;
  /** Reset the rate limiter's failure count for `item`. */
  forget(item: T): void;
  numRequeues(item: T): number;
  /** The next item, or undefined once the queue is shut down. Call `done(item)` when finished. */
  get(): Promise<T | undefined>;
  /** Finish processing `item`; if it was re-added meanwhile, it is queued again. */
  done(item: T): void;
  /** Items waiting (not in flight, not delayed). */
  len(): number;
  /** Stop handing out items and ignore adds; resolves once every item in flight is done. */
  shutDown(): Promise<void>;
  shuttingDown(): boolean;
}

export function createWorkQueue<T>(opts: WorkQueueOptions<T> = {}): WorkQueue<T> {
  const clock = opts.clock ?? realClock;
  const key = opts.key ?? ((item: T) => String(item));
  const limiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>(clock, key);
  const m = opts.metrics;
  const queue: string[] = [];
  const items = new Map<string, T>();
  const dirty = new Set<string>();
  const processing = new Map<string, number>();
  const addedAt = new Map<string, number>();
  const waiting = new Map<string, { at: number; timer: Timer }>();
  const getters: ((item: T | undefined) => void)[] = [];
  let stopping = false;
  let drained: (() => void) | undefined;
  let drainedPromise: Promise<void> | undefined;

  const hand = (): void => {
    while (getters.length > 0 && queue.length > 0) {
      const k = queue.shift()!;
      dirty.delete(k);
      processing.set(k, clock.now());
      const t = addedAt.get(k);
      addedAt.delete(k);
      if (t !== undefined) m?.queueLatency((clock.now() - t) / 1000);
      m?.depth(queue.length);
      getters.shift()!(items.get(k));
    }
  };

  const add = (item: T): void => {
    if (stopping) return;
    const k = key(item);
    if (dirty.has(k)) return;
    m?.add();
    items.set(k, item);
    dirty.add(k);
    if (processing.has(k)) return;
    queue.push(k);
    addedAt.set(k, clock.now());
    m?.depth(queue.length);
    hand();
  };

  const addAfter = (item: T, delayMs: number): void => {
    if (stopping) return;
    if (delayMs <= 0) return add(item);
    const k = key(item);
    const at = clock.now() + delayMs;
    const existing = waiting.get(k);
    if (existing && existing.at <= at) return;
    existing?.timer.cancel();
    const timer = clock.setTimer(delayMs, () => {
      waiting.delete(k);
      add(item);
    });
    waiting.set(k, { at, timer });
  };

  return {
    add,
    addAfter,
    addRateLimited(item) {
      if (stopping) return;
      m?.retry();
      addAfter(item, limiter.when(item));
    },
    forget: (item) => limiter.forget(item),
    numRequeues: (item) => limiter.numRequeues(item),
    get() {
      if (stopping) return Promise.resolve(undefined);
      return new Promise<T | undefined>((resolve) => {
        getters.push(resolve);
        hand();
      });
    },
    done(item) {
      const k = key(item);
      const started = processing.get(k);
      if (started === undefined) return;
      processing.delete(k);
      m?.workDuration((clock.now() - started) / 1000);
      if (dirty.has(k) && !stopping) {
        queue.push(k);
        addedAt.set(k, clock.now());
        m?.depth(queue.length);
        hand();
      } else if (!dirty.has(k)) items.delete(k);
      if (stopping && processing.size === 0) drained?.();
    },
    len: () => queue.length,
    shutDown() {
      if (!stopping) {
        stopping = true;
        for (const w of waiting.values()) w.timer.cancel();
        waiting.clear();
        for (const g of getters.splice(0)) g(undefined);
        drainedPromise = processing.size === 0 ? Promise.resolve() : new Promise<void>((r) => (drained = r));
      }
      return drainedPromise!;
    },
    shuttingDown: () => stopping,
  };
}
