/**
 * An Event recorder (core/v1 Events, as `kubectl describe` lists them): repeats of the same
 * object + type + reason + message within a window bump `count` and `lastTimestamp` of the
 * existing Event (a PATCH) instead of creating a new one.
 */
import { isNotFound, type Client } from './client.js';
import { realClock, type Clock } from './clock.js';
import { silentLogger, type Logger } from './logger.js';
import { kinds, type KObject } from './resource.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  /**
   * Record an event about `obj` (it needs `apiVersion`, `kind` and `metadata.name`; objects from
   * the runtime's client and informers carry them). Never rejects: a failed write is logged at
   * debug. Await it only when you need the Event written (tests).
   */
  event(obj: KObject, type: EventType, reason: string, message: string): Promise<void>;
}

export interface EventRecorderOptions {
  /** `source.component` and `reportingComponent`, e.g. `deployment-controller`. */
  readonly component: string;
  /** `reportingInstance` and `source.host` (default: the host name). */
  readonly instance?: string;
  /** Repeats within this window are aggregated (default 10 minutes). */
  readonly aggregateWindowMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  last: number;
  /** Serialises writes for one key. */
  chain: Promise<void>;
}

const MAX_KEYS = 4096;
const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

export function createEventRecorder(client: Pick<Client, 'create' | 'patch'>, opts: EventRecorderOptions): EventRecorder {
  const clock = opts.clock ?? realClock;
  const window = opts.aggregateWindowMs ?? 10 * 60_000;
  const instance = opts.instance ?? (process.env.HOSTNAME || 'localhost');
  const log = (opts.logger ?? silentLogger()).child({ component: opts.component });
  const seen = new Map<string, Seen>();
  let seq = 0;

  async function write(obj: KObject, type: EventType, reason: string, message: string, s: Seen): Promise<void> {
    const now = clock.now();
    if (s.count > 0 && now - s.last < window) {
      try {
        await client.patch(kinds.events, s.namespace, s.name, { count: s.count + 1, lastTimestamp: rfc3339(now) });
        s.count++;
        s.last = now;
        return;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    const md = obj.metadata ?? {};
    const namespace = md.namespace || 'default';
    const name = `${md.name}.${(BigInt(now) * 1_000_000n + BigInt(seq++ % 1_000_000)).toString(16)}`;
    await client.create(kinds.events, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: md.name, namespace: md.namespace, uid: md.uid, resourceVersion: md.resourceVersion },
      reason,
      message,
      type,
      source: { component: opts.component, host: instance },
      reportingComponent: opts.component,
      reportingInstance: instance,
      firstTimestamp: rfc3339(now),
      lastTimestamp: rfc3339(now),
      count: 1,
    } as KObject);
    Object.assign(s, { name, namespace, count: 1, last: now });
  }

  return {
    event(obj, type, reason, message) {
      const md = obj.metadata ?? {};
      const key = JSON.stringify([obj.apiVersion, obj.kind, md.namespace, md.name, md.uid, type, reason, message]);
      let s = seen.get(key);
      if (!s) {
        if (seen.size >= MAX_KEYS) seen.delete(seen.keys().next().value!);
        s = { name: '', namespace: '', count: 0, last: 0, chain: Promise.resolve() };
        seen.set(key, s);
      }
      const entry = s;
      const p = entry.chain.then(() =>
        write(obj, type, reason, message, entry).catch((err) => log.debug({ err, reason, object: `${md.namespace ?? ''}/${md.name}` }, 'failed to record event')),
      );
      entry.chain = p;
      return p;
    },
  };
}
