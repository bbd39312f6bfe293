/**
 * The reconcile loop: informer events → requests in a rate-limited work queue → N workers
 * calling the reconciler. The loop owns the cross-cutting work: it catches every exception,
 * retries errors with backoff, records TerminalErrors without retrying, requeues on
 * `requeueAfterMs`, times and counts outcomes, and writes one log line per failure carrying
 * `controller`, `object` and `reconcileID`.
 */
import { randomUUID } from 'node:crypto';
import { realClock, type Clock } from './clock.js';
import { enqueueObject, type HandlerEvent, type MapFunc, type Predicate } from './handler.js';
import type { Informer } from './informer.js';
import { silentLogger, type Logger } from './logger.js';
import type { ControllerMetrics, ReconcileResult } from './metrics.js';
import { createWorkQueue, defaultControllerRateLimiter, type QueueMetrics, type RateLimiter, type WorkQueue } from './queue.js';
import { requestKey, TerminalError, type Reconciler, type Request, type Result } from './reconcile.js';
import { selfLink, type KObject, type ResourceType } from './resource.js';

export interface ControllerOptions {
  /** Unique within a manager: the key of its metrics and logs. */
  readonly name: string;
  /** The kind reconciled: gives the `object` self-link in logs. */
  readonly for?: ResourceType;
  /** An object with `reconcile`, or the function itself. */
  readonly reconciler: Reconciler | Reconciler['reconcile'];
  /** Concurrent reconciles (default 1); one request is never reconciled twice at once. */
  readonly workers?: number;
  /** Default: client-go's controller rate limiter (5 ms → 1000 s per item, 10 qps burst 100). */
  readonly rateLimiter?: RateLimiter<Request>;
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly metrics?: { readonly controller: ControllerMetrics; readonly queue: QueueMetrics };
}

export interface WatchOptions<T> {
  /** Which requests an object's events enqueue (default: the object itself). */
  readonly map?: MapFunc<T>;
  /** All must pass for an event to enqueue. */
  readonly predicates?: readonly Predicate<T>[];
}

export interface Controller {
  readonly name: string;
  /** Enqueue what `informer`'s events map to, from `start` on. Call before `start`. */
  watch<T extends KObject>(informer: Informer<T>, opts?: WatchOptions<T>): void;
  /** Enqueue a request directly (e.g. from a timer or another source). */
  enqueue(req: Request, afterMs?: number): void;
  /**
   * Wait for the watched informers to sync, then reconcile until `signal` aborts; then stop
   * taking work, abort the reconciles' signal, and resolve once the ones in flight have finished.
   */
  start(signal: AbortSignal): Promise<void>;
}

export function createController(opts: ControllerOptions): Controller {
  const name = opts.name;
  const clock = opts.clock ?? realClock;
  const log = (opts.logger ?? silentLogger()).child({ controller: name });
  const reconcile = typeof opts.reconciler === 'function' ? opts.reconciler : opts.reconciler.reconcile.bind(opts.reconciler);
  const workers = Math.max(1, opts.workers ?? 1);
  const queue: WorkQueue<Request> = createWorkQueue<Request>({
    clock,
    key: requestKey,
    rateLimiter: opts.rateLimiter ?? defaultControllerRateLimiter<Request>(clock, requestKey),
    metrics: opts.metrics?.queue,
  });
  const m = opts.metrics?.controller;
  const sources: { informer: Informer<KObject>; opts: WatchOptions<KObject> }[] = [];
  let started = false;
  const objectOf = (req: Request): string => (opts.for ? selfLink(opts.for, req) : requestKey(req));

  async function processOne(req: Request, signal: AbortSignal): Promise<void> {
    const reconcileID = randomUUID();
    const object = objectOf(req);
    const t0 = clock.now();
    let result: ReconcileResult = 'success';
    m?.activeWorkers(1);
    try {
      const res: Result | undefined = await Promise.resolve().then(() => reconcile(req, signal));
      const after = res?.requeueAfterMs ?? 0;
      queue.forget(req);
      if (after > 0) {
        result = 'requeue_after';
        queue.addAfter(req, after);
      }
      log.debug({ object, reconcileID, requeueAfterMs: after || undefined }, 'reconciled');
    } catch (err) {
      result = 'error';
      if (err instanceof TerminalError) {
        queue.forget(req);
        m?.failed(true);
        log.info({ object, reconcileID, err }, 'reconciler error (terminal, not retried)');
      } else {
        queue.addRateLimited(req);
        m?.failed(false);
        log.info({ object, reconcileID, err, retries: queue.numRequeues(req) }, 'reconciler error');
      }
    } finally {
      m?.activeWorkers(-1);
      m?.reconciled(result, (clock.now() - t0) / 1000);
      queue.done(req);
    }
  }

  async function worker(signal: AbortSignal): Promise<void> {
    for (;;) {
      const req = await queue.get();
      if (req === undefined) return;
      await processOne(req, signal);
    }
  }

  return {
    name,
    watch<T extends KObject>(informer: Informer<T>, o: WatchOptions<T> = {}) {
      if (started) throw new Error(`controller ${name}: watch() after start()`);
      sources.push({ informer: informer as unknown as Informer<KObject>, opts: o as unknown as WatchOptions<KObject> });
    },
    enqueue(req, afterMs = 0) {
      queue.addAfter(req, afterMs);
    },
    async start(signal) {
      if (started) throw new Error(`controller ${name} was already started`);
      started = true;
      const removers: (() => void)[] = [];
      const work = new AbortController();
      try {
        for (const s of sources) {
          const map = s.opts.map ?? enqueueObject();
          const preds = s.opts.predicates ?? [];
          const handle = (e: HandlerEvent<KObject>): void => {
            if (!preds.every((p) => p(e))) return;
            for (const req of map(e.object)) queue.add(req);
          };
          removers.push(
            s.informer.addEventHandler({
              onAdd: (object) => handle({ type: 'add', object }),
              onUpdate: (oldObject, object) => handle({ type: 'update', object, oldObject }),
              onDelete: (object) => handle({ type: 'delete', object }),
            }),
          );
        }
        const synced = await Promise.all(sources.map((s) => s.informer.waitForSync(signal)));
        if (signal.aborted || synced.includes(false)) return;
        log.info({ workers }, 'starting workers');
        m?.maxWorkers(workers);
        const running = Array.from({ length: workers }, () => worker(work.signal));
        await new Promise<void>((r) => (signal.aborted ? r() : signal.addEventListener('abort', () => r(), { once: true })));
        log.info({}, 'stopping workers');
        work.abort(signal.reason);
        await queue.shutDown();
        await Promise.all(running);
      } finally {
        for (const r of removers) r();
        void queue.shutDown();
        work.abort();
      }
    },
  };
}
