/**
 * The scheduling queue (kube-scheduler's PriorityQueue): pending pods wait in
 *
 * - the active queue, highest `spec.priority` first, then first in first out;
 * - the backoff queue after a failed attempt, until `initialBackoff × 2^(attempts−1)` (capped at
 *   `maxBackoff`; 1 s and 10 s as kube's podInitialBackoff and podMaxBackoff) has passed since it;
 * - the unschedulable set, until a cluster event (a node added or changed, a pod deleted, …) that
 *   may make them fit moves them back — or 5 minutes pass (podMaxInUnschedulablePodsDuration).
 *
 * A pod whose attempt overlapped such an event goes to the backoff queue rather than the
 * unschedulable set, so no event is missed (kube's moveRequestCycle).
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { Clock, Timer } from '../../runtime/index.js';
import { Heap } from './heap.js';

export const DEFAULT_INITIAL_BACKOFF_MS = 1_000;
export const DEFAULT_MAX_BACKOFF_MS = 10_000;
export const DEFAULT_MAX_IN_UNSCHEDULABLE_MS = 5 * 60_000;

export interface QueuedPod {
  readonly key: string;
  pod: V1Pod;
  /** Scheduling attempts so far. */
  attempts: number;
  /** When it entered the active queue (FIFO order among equal priorities). */
  timestamp: number;
  /** When the last attempt ended. */
  lastAttempt: number;
  /** Plugins that rejected it in its last attempt (which events can help it). */
  unschedulablePlugins: ReadonlySet<string>;
  where: 'active' | 'backoff' | 'unschedulable' | 'inFlight';
  /** Invalidates stale heap entries. */
  gen: number;
  /** The scheduling cycle of its last attempt. */
  cycle: number;
}

export interface QueueOptions {
  readonly clock: Clock;
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly maxInUnschedulableMs?: number;
}

interface Entry {
  readonly qp: QueuedPod;
  readonly gen: number;
}

const priorityOf = (p: V1Pod) => p.spec?.priority ?? 0;

export class SchedulingQueue {
  private readonly pods = new Map<string, QueuedPod>();
  private readonly active = new Heap<Entry>((a, b) => {
    const pa = priorityOf(a.qp.pod);
    const pb = priorityOf(b.qp.pod);
    return pa !== pb ? pa > pb : a.qp.timestamp < b.qp.timestamp;
  });
  private readonly backoff = new Heap<Entry>((a, b) => this.backoffExpiry(a.qp) < this.backoffExpiry(b.qp));
  private readonly unschedulable = new Set<QueuedPod>();
  private readonly counts = { active: 0, backoff: 0, unschedulable: 0, inFlight: 0 };
  private backoffTimer: { at: number; timer: Timer } | undefined;
  private flushTimer: Timer | undefined;
  private waiters: (() => void)[] = [];
  private cycle = 0;
  private moveRequestCycle = -1;
  private closed = false;
  private readonly clock: Clock;
  private readonly initialBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxInUnschedulableMs: number;

  constructor(opts: QueueOptions) {
    this.clock = opts.clock;
    this.initialBackoffMs = opts.initialBackoffMs ?? DEFAULT_INITIAL_BACKOFF_MS;
    this.maxBackoffMs = opts.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    this.maxInUnschedulableMs = opts.maxInUnschedulableMs ?? DEFAULT_MAX_IN_UNSCHEDULABLE_MS;
  }

  /** Pods waiting in each part of the queue. */
  stats(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return { ...this.counts };
  }

  /** Move a pod between the parts of the queue (undefined: in none, i.e. new or leaving), keeping the counts. */
  private setWhere(qp: QueuedPod, from: QueuedPod['where'] | undefined, to: QueuedPod['where'] | undefined): void {
    if (from) this.counts[from]--;
    if (to) {
      this.counts[to]++;
      qp.where = to;
    }
    qp.gen++;
  }

  has(key: string): boolean {
    return this.pods.has(key);
  }

  get(key: string): QueuedPod | undefined {
    return this.pods.get(key);
  }

  /** A new pending pod: to the active queue. A pod already queued is updated instead. */
  add(key: string, pod: V1Pod): void {
    const existing = this.pods.get(key);
    if (existing) return this.update(key, pod);
    const qp: QueuedPod = { key, pod, attempts: 0, timestamp: this.clock.now(), lastAttempt: 0, unschedulablePlugins: new Set(), where: 'active', gen: 0, cycle: 0 };
    this.pods.set(key, qp);
    this.toActive(qp, undefined);
  }

  /**
   * The pod object changed. An unschedulable pod whose spec changed (tolerations added, say) gets
   * another try at once, or after its backoff.
   */
  update(key: string, pod: V1Pod): void {
    const qp = this.pods.get(key);
    if (!qp) return this.add(key, pod);
    const specChanged = qp.pod.spec !== pod.spec && JSON.stringify(qp.pod.spec) !== JSON.stringify(pod.spec);
    const labelsChanged = JSON.stringify(qp.pod.metadata?.labels ?? {}) !== JSON.stringify(pod.metadata?.labels ?? {});
    const priorityChanged = priorityOf(qp.pod) !== priorityOf(pod);
    qp.pod = pod;
    if (qp.where === 'unschedulable' && (specChanged || labelsChanged)) {
      this.unschedulable.delete(qp);
      if (this.isBackingOff(qp)) this.toBackoff(qp, 'unschedulable');
      else this.toActive(qp, 'unschedulable');
    } else if (qp.where === 'active' && priorityChanged) {
      this.toActive(qp, 'active'); // re-sort (the old heap entry goes stale)
    }
  }

  delete(key: string): void {
    const qp = this.pods.get(key);
    if (!qp) return;
    this.pods.delete(key);
    if (qp.where === 'unschedulable') this.unschedulable.delete(qp);
    this.setWhere(qp, qp.where, undefined);
  }

  /** The next pod to schedule (highest priority, then oldest), now in flight; undefined when none is active. */
  pop(): QueuedPod | undefined {
    for (;;) {
      const e = this.active.pop();
      if (!e) return undefined;
      if (e.gen !== e.qp.gen || e.qp.where !== 'active' || this.pods.get(e.qp.key) !== e.qp) continue;
      this.setWhere(e.qp, 'active', 'inFlight');
      e.qp.attempts++;
      e.qp.cycle = ++this.cycle;
      return e.qp;
    }
  }

  /** Resolves when a pod is active, or the signal aborts, or the queue closes. */
  wait(signal: AbortSignal): Promise<void> {
    if (this.counts.active > 0 || signal.aborted || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** The attempt placed the pod (assumed): it leaves the queue. */
  done(key: string): void {
    const qp = this.pods.get(key);
    if (qp?.where !== 'inFlight') return;
    this.pods.delete(key);
    this.setWhere(qp, 'inFlight', undefined);
  }

  /**
   * The attempt found no node. If a move request came in during the attempt, back off and retry;
   * otherwise wait in the unschedulable set for an event.
   */
  addUnschedulable(key: string, plugins: ReadonlySet<string>): void {
    const qp = this.pods.get(key);
    if (!qp || qp.where !== 'inFlight') return;
    qp.unschedulablePlugins = plugins;
    qp.lastAttempt = this.clock.now();
    if (this.moveRequestCycle >= qp.cycle) this.toBackoff(qp, 'inFlight');
    else {
      this.setWhere(qp, 'inFlight', 'unschedulable');
      this.unschedulable.add(qp);
      this.scheduleFlush();
    }
  }

  /** The attempt failed with an error (a failed bind, say): retry after the backoff. */
  addBackoff(key: string): void {
    const qp = this.pods.get(key);
    if (!qp || qp.where !== 'inFlight') return;
    qp.lastAttempt = this.clock.now();
    this.toBackoff(qp, 'inFlight');
  }

  /** A pod that was placed but must be scheduled again (its bind failed): back to the queue with backoff. */
  requeue(key: string, pod: V1Pod, attempts: number): void {
    if (this.pods.has(key)) return;
    const qp: QueuedPod = { key, pod, attempts, timestamp: this.clock.now(), lastAttempt: this.clock.now(), unschedulablePlugins: new Set(), where: 'inFlight', gen: 0, cycle: 0 };
    this.pods.set(key, qp);
    this.toBackoff(qp, undefined);
  }

  /**
   * A cluster event: move the unschedulable pods it may help (all, unless `helps` says otherwise)
   * to the active queue, or to the backoff queue while they are still backing off.
   */
  moveAllToActiveOrBackoff(helps?: (qp: QueuedPod) => boolean): void {
    this.moveRequestCycle = this.cycle;
    for (const qp of [...this.unschedulable]) {
      if (helps && !helps(qp)) continue;
      this.unschedulable.delete(qp);
      if (this.isBackingOff(qp)) this.toBackoff(qp, 'unschedulable');
      else this.toActive(qp, 'unschedulable');
    }
  }

  close(): void {
    this.closed = true;
    this.backoffTimer?.timer.cancel();
    this.flushTimer?.cancel();
    this.wake();
  }

  backoffDuration(qp: QueuedPod): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < qp.attempts; i++) {
      if (d > this.maxBackoffMs - d) return this.maxBackoffMs;
      d += d;
    }
    return d;
  }

  private backoffExpiry(qp: QueuedPod): number {
    return qp.lastAttempt + this.backoffDuration(qp);
  }

  private isBackingOff(qp: QueuedPod): boolean {
    return this.backoffExpiry(qp) > this.clock.now();
  }

  private toActive(qp: QueuedPod, from: QueuedPod['where'] | undefined): void {
    this.setWhere(qp, from, 'active');
    if (qp.attempts > 0) qp.timestamp = this.clock.now();
    this.active.push({ qp, gen: qp.gen });
    this.wake();
  }

  private toBackoff(qp: QueuedPod, from: QueuedPod['where'] | undefined): void {
    this.setWhere(qp, from, 'backoff');
    this.backoff.push({ qp, gen: qp.gen });
    this.armBackoffTimer();
  }

  /** Move pods whose backoff has ended to the active queue; re-arm for the next one. */
  private flushBackoff(): void {
    const now = this.clock.now();
    for (;;) {
      const e = this.backoff.peek();
      if (!e) break;
      if (e.gen !== e.qp.gen || e.qp.where !== 'backoff' || this.pods.get(e.qp.key) !== e.qp) {
        this.backoff.pop();
        continue;
      }
      if (this.backoffExpiry(e.qp) > now) break;
      this.backoff.pop();
      this.toActive(e.qp, 'backoff');
    }
    this.armBackoffTimer();
  }

  private armBackoffTimer(): void {
    if (this.closed) return;
    let e = this.backoff.peek();
    while (e && (e.gen !== e.qp.gen || e.qp.where !== 'backoff')) {
      this.backoff.pop();
      e = this.backoff.peek();
    }
    if (!e) {
      this.backoffTimer?.timer.cancel();
      this.backoffTimer = undefined;
      return;
    }
    const at = this.backoffExpiry(e.qp);
    if (this.backoffTimer && this.backoffTimer.at <= at) return;
    this.backoffTimer?.timer.cancel();
    this.backoffTimer = {
      at,
      timer: this.clock.setTimer(at - this.clock.now(), () => {
        this.backoffTimer = undefined;
        this.flushBackoff();
      }),
    };
  }

  /** Pods unschedulable for longer than the maximum get another try (kube flushes every 30 s). */
  private scheduleFlush(): void {
    if (this.flushTimer || this.closed) return;
    this.flushTimer = this.clock.setTimer(30_000, () => {
      this.flushTimer = undefined;
      const now = this.clock.now();
      for (const qp of [...this.unschedulable]) {
        if (now - qp.lastAttempt < this.maxInUnschedulableMs) continue;
        this.unschedulable.delete(qp);
        if (this.isBackingOff(qp)) this.toBackoff(qp, 'unschedulable');
        else this.toActive(qp, 'unschedulable');
      }
      if (this.unschedulable.size > 0) this.scheduleFlush();
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const fn of w) fn();
  }
}
