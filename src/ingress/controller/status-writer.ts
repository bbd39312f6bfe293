/**
 * Writing IngressRoute status off the hot path (Contour #2857: status writes are what is slow at
 * scale). The build names the objects whose status changed; this queues their keys and, when it
 * gets to one, writes what the *latest* DAG says (not what it said when queued — a queue that
 * waited for leadership must not write stale verdicts) as a JSON merge patch of `status` (spec
 * §4.1), a few writes in flight, skipping what the object already says, retrying failures with
 * back-off.
 */
import { isNotFound, selfLink, type Client, type Logger } from '../../runtime/index.js';
import type { IngressRoute, ObjectStatus } from '../dag/index.js';
import { ingressRoutes } from './kinds.js';

export interface StatusWriter {
  /** Queue `namespace/name` for a status check and write. */
  want(namespace: string, name: string): void;
  /** Write until `signal` aborts (only while leading, with leader election). */
  run(signal: AbortSignal): Promise<void>;
  /** Resolves when nothing is waiting to be written. */
  idle(): Promise<void>;
  readonly writes: number;
}

export function createStatusWriter(opts: {
  client: Pick<Client, 'patchStatus'>;
  logger: Logger;
  /** The object as the cache has it now (to skip writes that would change nothing). */
  current: (namespace: string, name: string) => IngressRoute | undefined;
  /** The status the latest DAG gives the object (undefined: none, e.g. another ingress class). */
  desired: (namespace: string, name: string) => ObjectStatus | undefined;
  /**
   * Called after a write that made an object invalid, for a Warning Event (`kubectl describe ir`).
   * Only invalid verdicts: valid and orphaned are the everyday states of 10,000 objects, and an
   * Event each would double the writes at start-up.
   */
  onInvalid?: (obj: IngressRoute, status: ObjectStatus) => void;
  concurrency?: number;
}): StatusWriter {
  const pending = new Map<string, { namespace: string; name: string; attempts: number }>();
  let wake: (() => void) | undefined;
  const idleWaiters = new Set<() => void>();
  let inFlight = 0;
  let writes = 0;
  const concurrency = opts.concurrency ?? 8;

  const settleIdle = () => {
    if (pending.size === 0 && inFlight === 0) for (const w of idleWaiters) w();
    if (pending.size === 0 && inFlight === 0) idleWaiters.clear();
  };

  async function write(key: string, item: { namespace: string; name: string; attempts: number }): Promise<void> {
    const cur = opts.current(item.namespace, item.name);
    const status = opts.desired(item.namespace, item.name);
    if (!cur || !status) return; // deleted meanwhile, or no longer ours
    if (cur.status?.currentStatus === status.currentStatus && cur.status?.description === status.description) return;
    const object = selfLink(ingressRoutes, { namespace: item.namespace, name: item.name });
    try {
      await opts.client.patchStatus(ingressRoutes, item.namespace, item.name, { status: { currentStatus: status.currentStatus, description: status.description } }, 'merge');
      writes++;
      if (status.currentStatus === 'invalid') opts.onInvalid?.(cur, status);
      opts.logger.debug({ controller: 'contour', object, currentStatus: status.currentStatus, description: status.description }, 'status written');
    } catch (err) {
      if (isNotFound(err)) return;
      opts.logger.info({ controller: 'contour', object, err }, 'status write failed');
      if (!pending.has(key)) {
        const attempts = item.attempts + 1;
        await new Promise((r) => setTimeout(r, Math.min(30_000, 100 * 2 ** attempts)));
        if (!pending.has(key)) pending.set(key, { ...item, attempts });
      }
    }
  }

  return {
    get writes() {
      return writes;
    },
    want(namespace, name) {
      pending.set(`${namespace}/${name}`, { namespace, name, attempts: 0 });
      wake?.();
    },
    async run(signal) {
      const tasks = new Set<Promise<void>>();
      signal.addEventListener('abort', () => wake?.(), { once: true });
      while (!signal.aborted) {
        if (pending.size === 0 || inFlight >= concurrency) {
          settleIdle();
          await new Promise<void>((r) => (wake = r));
          wake = undefined;
          continue;
        }
        const [key, item] = pending.entries().next().value!;
        pending.delete(key);
        inFlight++;
        const t = write(key, item).finally(() => {
          inFlight--;
          tasks.delete(t);
          wake?.();
          settleIdle();
        });
        tasks.add(t);
      }
      await Promise.all(tasks);
    },
    idle() {
      if (pending.size === 0 && inFlight === 0) return Promise.resolve();
      return new Promise((r) => idleWaiters.add(r));
    },
  };
}
