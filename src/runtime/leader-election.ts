/**
 * Leader election on a coordination.k8s.io/v1 Lease, like client-go's leaderelection: acquire
 * when the lease is free or expired, renew every retry period, give up leadership when renewals
 * fail for the renew deadline, and release the lease on a clean stop so a successor takes over
 * at once.
 */
import { isConflict, isAlreadyExists, type Client } from './client.js';
import { realClock, type Clock } from './clock.js';
import { silentLogger, type Logger } from './logger.js';
import { kinds } from './resource.js';

export interface LeaderElectionOptions {
  readonly client: Pick<Client, 'get' | 'create' | 'update'>;
  /** Where the Lease lives. */
  readonly namespace: string;
  readonly name: string;
  /** This candidate's holder identity (unique per process). */
  readonly identity: string;
  /** Default 15 s. */
  readonly leaseDurationMs?: number;
  /** Default 10 s. */
  readonly renewDeadlineMs?: number;
  /** Default 2 s. */
  readonly retryPeriodMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /**
   * Called on becoming leader; `signal` aborts when leadership ends. A returned promise is awaited
   * (the leader's work winding down) before the lease is released.
   */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  onStoppedLeading?(): void;
  /** Called when the observed holder changes (including to this candidate). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElector {
  /** Campaign, lead, and resolve when leadership is lost or `signal` aborts (releasing the lease). */
  run(signal: AbortSignal): Promise<void>;
  isLeader(): boolean;
  /** The last observed holder, if any. */
  leader(): string | undefined;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}
interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

/** `metav1.MicroTime`: RFC 3339 with microseconds. */
const microTime = (ms: number): string => new Date(ms).toISOString().replace(/Z$/, '000Z');

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

export function createLeaderElector(opts: LeaderElectionOptions): LeaderElector {
  const clock = opts.clock ?? realClock;
  const leaseDuration = opts.leaseDurationMs ?? 15_000;
  const renewDeadline = opts.renewDeadlineMs ?? 10_000;
  const retryPeriod = opts.retryPeriodMs ?? 2_000;
  if (leaseDuration <= renewDeadline) throw new Error('leaseDurationMs must be greater than renewDeadlineMs');
  if (renewDeadline <= retryPeriod * 1.2) throw new Error('renewDeadlineMs must be greater than retryPeriodMs × 1.2');
  const log = (opts.logger ?? silentLogger()).child({ lease: `${opts.namespace}/${opts.name}`, identity: opts.identity });
  const { client, identity } = opts;
  let observed: { spec: string; at: number; holder?: string } | undefined;
  let leading = false;

  const observe = (spec: LeaseSpec | undefined): void => {
    const s = JSON.stringify(spec ?? {});
    if (observed?.spec === s) return;
    const holder = spec?.holderIdentity || undefined;
    if (holder && holder !== observed?.holder) opts.onNewLeader?.(holder);
    observed = { spec: s, at: clock.now(), holder };
  };

  /** One attempt to acquire or renew; true when this candidate holds the lease afterwards. */
  async function tryAcquireOrRenew(): Promise<boolean> {
    const now = clock.now();
    const fresh = (prev?: LeaseSpec): LeaseSpec => ({
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDuration / 1000),
      acquireTime: prev?.holderIdentity === identity && prev.acquireTime ? prev.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: prev ? (prev.holderIdentity === identity ? prev.leaseTransitions ?? 0 : (prev.leaseTransitions ?? 0) + 1) : 0,
    });
    const lease = await client.get<Lease>(kinds.leases, opts.namespace, opts.name);
    if (!lease) {
      try {
        const created = await client.create<Lease>(kinds.leases, { metadata: { name: opts.name, namespace: opts.namespace }, spec: fresh() });
        observe(created.spec);
        return true;
      } catch (e) {
        if (isAlreadyExists(e)) return false;
        throw e;
      }
    }
    observe(lease.spec);
    const holder = lease.spec?.holderIdentity;
    const durationMs = (lease.spec?.leaseDurationSeconds ?? Math.ceil(leaseDuration / 1000)) * 1000;
    if (holder && holder !== identity && observed!.at + durationMs > now) return false;
    try {
      const updated = await client.update<Lease>(kinds.leases, { ...lease, spec: fresh(lease.spec) });
      observe(updated.spec);
      return true;
    } catch (e) {
      if (isConflict(e)) return false;
      throw e;
    }
  }

  async function attempt(): Promise<boolean> {
    try {
      return await tryAcquireOrRenew();
    } catch (err) {
      log.debug({ err }, 'lease request failed');
      return false;
    }
  }

  async function release(): Promise<void> {
    try {
      const lease = await client.get<Lease>(kinds.leases, opts.namespace, opts.name);
      if (!lease || lease.spec?.holderIdentity !== identity) return;
      const now = microTime(clock.now());
      await client.update<Lease>(kinds.leases, {
        ...lease,
        spec: { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: lease.spec?.leaseTransitions ?? 0 },
      });
      log.info({}, 'released lease');
    } catch (err) {
      log.info({ err }, 'failed to release lease');
    }
  }

  return {
    isLeader: () => leading,
    leader: () => observed?.holder,
    async run(signal) {
      log.info({}, 'attempting to acquire leader lease');
      while (!signal.aborted) {
        if (await attempt()) break;
        await sleep(clock, retryPeriod * (1 + Math.random() * 1.2), signal);
      }
      if (signal.aborted) return;
      leading = true;
      log.info({}, 'successfully acquired lease');
      const lead = new AbortController();
      const work = Promise.resolve()
        .then(() => opts.onStartedLeading(lead.signal))
        .catch((err) => log.info({ err }, 'onStartedLeading failed'));
      let lastRenew = clock.now();
      while (!signal.aborted) {
        await sleep(clock, retryPeriod, signal);
        if (signal.aborted) break;
        const left = renewDeadline - (clock.now() - lastRenew);
        const timeout = new AbortController();
        const ok = await Promise.race([attempt(), sleep(clock, Math.max(0, left), timeout.signal).then(() => false)]);
        timeout.abort();
        if (ok) lastRenew = clock.now();
        else if (clock.now() - lastRenew >= renewDeadline) {
          log.info({}, 'failed to renew lease: leadership lost');
          break;
        }
      }
      leading = false;
      lead.abort(new Error('leadership lost'));
      await work;
      if (signal.aborted) await release();
      opts.onStoppedLeading?.();
    },
  };
}
