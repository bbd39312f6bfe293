/**
 * The shell around `scheduleOne`: informers for pods and nodes feed the cache (NodeInfos) and the
 * scheduling queue; one loop pops the most important pending pod, decides synchronously, assumes
 * the pod on the chosen node (so the next decision sees it) and binds it in the background
 * (`POST …/pods/<name>/binding`), many bindings in flight at once. A pod that fits nowhere gets
 * `PodScheduled=False` (reason `Unschedulable`, the FitError message) and a `FailedScheduling`
 * Warning Event, and waits for a cluster event that may help it, with backoff.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import {
  createEventRecorder,
  createInformer,
  isConflict,
  isNotFound,
  kinds,
  realClock,
  silentLogger,
  type Client,
  type Clock,
  type EventRecorder,
  type Informer,
  type Logger,
  type ResourceType,
  type Runnable,
} from '../../runtime/index.js';
import { isTerminal, podKey, SchedulerCache } from './cache.js';
import { newPodInfo, type PodInfo } from './framework.js';
import { DEFAULT_SCHEDULER_NAME, defaultProfile, type Profile } from './profile.js';
import { SchedulingQueue, type QueuedPod } from './queue.js';
import { scheduleOne } from './schedule-one.js';

export interface SchedulerOptions {
  readonly client: Client;
  readonly logger?: Logger;
  /** Default: core/v1 Events from `default-scheduler`. */
  readonly events?: EventRecorder;
  readonly clock?: Clock;
  readonly profile?: Profile;
  /** Informers to share (a manager's); by default the scheduler runs its own. */
  readonly informers?: { readonly pods: Informer<V1Pod>; readonly nodes: Informer<V1Node> };
  /** Bindings in flight at once (default 64). */
  readonly bindConcurrency?: number;
  /** kube's podInitialBackoff and podMaxBackoff (1 s, 10 s). */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Record a `Scheduled` Normal Event per bound pod, as kube does (default true). */
  readonly recordScheduledEvents?: boolean;
  /** Register the scheduler's Prometheus metrics here. */
  readonly registry?: Registry;
}

export interface SchedulerStats {
  readonly scheduled: number;
  readonly unschedulable: number;
  readonly bindErrors: number;
  readonly pending: { readonly active: number; readonly backoff: number; readonly unschedulable: number };
  readonly bindsInFlight: number;
  /** Pods placed whose binding the informer has not reported yet. */
  readonly assumed: number;
  readonly nodes: number;
}

/** A scheduler a manager can run (`mgr.add(scheduler)`); `start` resolves once it stopped. */
export interface Scheduler extends Runnable {
  start(signal: AbortSignal): Promise<void>;
  /** Resolves once the informers have synced and the loop runs (false if stopped first). */
  ready(): Promise<boolean>;
  stats(): SchedulerStats;
}

/** Most writes (status, events) in flight; more wait. Events beyond `maxPending` are dropped, as kube's broadcaster drops them. */
class Lane {
  private running = 0;
  private readonly waiting: (() => Promise<unknown>)[] = [];
  constructor(
    private readonly concurrency: number,
    private readonly maxPending = Infinity,
  ) {}

  run(task: () => Promise<unknown>): boolean {
    if (this.waiting.length >= this.maxPending) return false;
    this.waiting.push(task);
    this.next();
    return true;
  }

  private next(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const task = this.waiting.shift()!;
      this.running++;
      task()
        .catch(() => undefined)
        .finally(() => {
          this.running--;
          this.next();
        });
    }
  }
}

const POD_SCHEDULED = 'PodScheduled';
const BINDING: (pod: V1Pod) => ResourceType = (pod) => ({
  apiVersion: 'v1',
  kind: 'Binding',
  plural: `pods/${encodeURIComponent(pod.metadata?.name ?? '')}/binding`,
});
const selfLink = (pod: V1Pod) => `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}`;

export function createScheduler(opts: SchedulerOptions): Scheduler {
  const client = opts.client;
  const clock = opts.clock ?? realClock;
  const log = (opts.logger ?? silentLogger()).child({ controller: 'scheduler' });
  const profile = opts.profile ?? defaultProfile;
  const events = opts.events ?? createEventRecorder(client, { component: profile.schedulerName, logger: opts.logger });
  const bindConcurrency = opts.bindConcurrency ?? 64;
  const recordScheduled = opts.recordScheduledEvents ?? true;
  const cache = new SchedulerCache();
  const queue = new SchedulingQueue({ clock, initialBackoffMs: opts.initialBackoffMs, maxBackoffMs: opts.maxBackoffMs });
  const statusLane = new Lane(16);
  const eventLane = new Lane(16, 1000);
  let nextStartIndex = 0;
  let bindsInFlight = 0;
  let bindSlot: (() => void) | undefined;
  const counts = { scheduled: 0, unschedulable: 0, bindErrors: 0 };
  let readyResolve: (ok: boolean) => void = () => undefined;
  const readyPromise = new Promise<boolean>((r) => (readyResolve = r));

  const metrics = opts.registry ? registerMetrics(opts.registry, () => queue.stats()) : undefined;

  const responsible = (pod: V1Pod): boolean => (pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME) === profile.schedulerName;

  // ---- informer events --------------------------------------------------------------------------

  function onPod(pod: V1Pod): void {
    const key = podKey(pod);
    if (pod.spec?.nodeName) {
      queue.delete(key);
      const r = cache.updatePod(pod);
      if (r === 'freed') queue.moveAllToActiveOrBackoff();
      // A placed pod can satisfy pod affinity (or another pod's spreading); nothing else improves.
      else if (r === 'placed') queue.moveAllToActiveOrBackoff((qp) => qp.unschedulablePlugins.has('InterPodAffinity'));
      return;
    }
    if (cache.isAssumed(key)) return; // binding in flight; this is its own status update
    if (!responsible(pod) || pod.metadata?.deletionTimestamp || isTerminal(pod)) {
      queue.delete(key);
      return;
    }
    queue.add(key, pod);
  }

  function onPodDelete(pod: V1Pod): void {
    const key = podKey(pod);
    queue.delete(key);
    if (cache.deletePod(pod)) queue.moveAllToActiveOrBackoff();
  }

  function onNode(node: V1Node): void {
    if (cache.setNode(node)) queue.moveAllToActiveOrBackoff();
  }

  // ---- one attempt ------------------------------------------------------------------------------

  function attempt(qp: QueuedPod): void {
    const pod = qp.pod;
    const info = newPodInfo(pod);
    const started = performance.now();
    const result = scheduleOne(info, cache.nodeInfos(), { profile, startIndex: nextStartIndex, scoreDetails: false });
    nextStartIndex = result.nextStartIndex;
    metrics?.duration.observe((performance.now() - started) / 1000);
    if (result.kind === 'Scheduled') {
      cache.assume(info, result.node);
      queue.done(qp.key);
      bind(info, result.node, qp.attempts);
      return;
    }
    counts.unschedulable++;
    metrics?.attempts.inc({ result: 'unschedulable' });
    const plugins = new Set<string>();
    for (const st of result.fitError.statuses.values()) if (st.plugin) plugins.add(st.plugin);
    queue.addUnschedulable(qp.key, plugins);
    log.debug({ object: selfLink(pod), message: result.fitError.message }, 'unable to schedule pod');
    if (result.nominatedNode && result.victims) preempt(pod, result.nominatedNode, result.victims);
    reportUnschedulable(pod, result.fitError.message, result.nominatedNode);
  }

  function bind(info: PodInfo, node: string, attempts: number): void {
    const pod = info.pod;
    bindsInFlight++;
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: pod.metadata?.name, namespace: pod.metadata?.namespace, uid: pod.metadata?.uid },
      target: { apiVersion: 'v1', kind: 'Node', name: node },
    };
    client
      .create(BINDING(pod), binding)
      .then(() => {
        counts.scheduled++;
        metrics?.attempts.inc({ result: 'scheduled' });
        if (recordScheduled) {
          eventLane.run(() => events.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${info.key} to ${node}`));
        }
      })
      .catch((err: unknown) => {
        counts.bindErrors++;
        metrics?.attempts.inc({ result: 'error' });
        cache.forget(info.key);
        queue.moveAllToActiveOrBackoff(); // its resources are free again
        // Already bound elsewhere, or deleted: the informer tells the rest.
        if (isConflict(err) || isNotFound(err)) return;
        log.info({ object: selfLink(pod), node, err }, 'binding failed');
        const current = informers.pods.get(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '') ?? pod;
        if (!current.spec?.nodeName) queue.requeue(info.key, current, attempts);
      })
      .finally(() => {
        bindsInFlight--;
        const s = bindSlot;
        bindSlot = undefined;
        s?.();
      });
  }

  /** PodScheduled=False with kube's reason and message (written only when it changed), and a FailedScheduling Event. */
  function reportUnschedulable(pod: V1Pod, message: string, nominatedNode: string | undefined): void {
    eventLane.run(() => events.event(pod, 'Warning', 'FailedScheduling', message));
    const old = pod.status?.conditions?.find((c) => c.type === POD_SCHEDULED);
    const same = old?.status === 'False' && old.reason === 'Unschedulable' && old.message === message;
    const nominatedChanged = nominatedNode !== undefined && pod.status?.nominatedNodeName !== nominatedNode;
    if (same && !nominatedChanged) return;
    const condition = {
      type: POD_SCHEDULED,
      status: 'False',
      reason: 'Unschedulable',
      message,
      lastProbeTime: null,
      lastTransitionTime: old?.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    const patch = { status: { conditions: [condition], ...(nominatedChanged ? { nominatedNodeName: nominatedNode } : {}) } };
    statusLane.run(async () => {
      try {
        await client.patchStatus(kinds.pods, pod.metadata?.namespace ?? '', pod.metadata?.name ?? '', patch, 'strategic');
      } catch (err) {
        if (!isNotFound(err)) log.info({ object: selfLink(pod), err }, 'updating pod condition failed');
      }
    });
  }

  /** Evict the victims preemption chose (the preemptor retries when they are gone). */
  function preempt(preemptor: V1Pod, node: string, victims: readonly PodInfo[]): void {
    for (const v of victims) {
      const p = v.pod;
      statusLane.run(async () => {
        try {
          await client.delete(kinds.pods, p.metadata?.namespace ?? '', p.metadata?.name ?? '', { preconditions: { uid: p.metadata?.uid } });
          eventLane.run(() => events.event(p, 'Normal', 'Preempted', `Preempted by pod ${preemptor.metadata?.uid} on node ${node}`));
        } catch (err) {
          if (!isNotFound(err)) log.info({ object: selfLink(p), err }, 'preempting pod failed');
        }
      });
    }
  }

  // ---- the loop ---------------------------------------------------------------------------------

  async function loop(signal: AbortSignal): Promise<void> {
    let sinceYield = 0;
    while (!signal.aborted) {
      if (bindsInFlight >= bindConcurrency) {
        await new Promise<void>((r) => (bindSlot = r));
        continue;
      }
      const qp = queue.pop();
      if (!qp) {
        await queue.wait(signal);
        continue;
      }
      // The queue may hold an older object than the informer; decide on the newest.
      const latest = informers.pods.get(qp.pod.metadata?.namespace ?? '', qp.pod.metadata?.name ?? '');
      if (!latest || latest.spec?.nodeName || latest.metadata?.deletionTimestamp) {
        queue.delete(qp.key);
        continue;
      }
      qp.pod = latest;
      try {
        attempt(qp);
      } catch (err) {
        log.info({ object: selfLink(qp.pod), err }, 'scheduling attempt failed');
        queue.addBackoff(qp.key);
      }
      // Let informer events and binding responses in between decisions.
      if (++sinceYield >= 4) {
        sinceYield = 0;
        await new Promise<void>((r) => setImmediate(r));
      }
    }
  }

  let informers: { pods: Informer<V1Pod>; nodes: Informer<V1Node> };

  return {
    needsLeaderElection: true,
    ready: () => readyPromise,
    stats: () => {
      const q = queue.stats();
      return {
        ...counts,
        pending: { active: q.active, backoff: q.backoff, unschedulable: q.unschedulable },
        bindsInFlight,
        assumed: cache.assumedCount,
        nodes: cache.nodeCount,
      };
    },
    async start(signal: AbortSignal): Promise<void> {
      const own = !opts.informers;
      informers = opts.informers ?? {
        pods: createInformer<V1Pod>(client, kinds.pods, { logger: opts.logger }),
        nodes: createInformer<V1Node>(client, kinds.nodes, { logger: opts.logger }),
      };
      const running: Promise<void>[] = [];
      if (own) running.push(informers.pods.run(signal), informers.nodes.run(signal));
      const offNodes = informers.nodes.addEventHandler({ onAdd: onNode, onUpdate: (_o, n) => onNode(n), onDelete: (n) => cache.deleteNode(n.metadata?.name ?? '') });
      const offPods = informers.pods.addEventHandler({ onAdd: onPod, onUpdate: (_o, p) => onPod(p), onDelete: onPodDelete });
      try {
        const synced = (await informers.nodes.waitForSync(signal)) && (await informers.pods.waitForSync(signal));
        readyResolve(synced && !signal.aborted);
        if (synced) {
          log.info({ nodes: cache.nodeCount, pending: queue.stats().active }, 'scheduler started');
          await loop(signal);
        }
      } finally {
        readyResolve(false);
        offNodes();
        offPods();
        queue.close();
        bindSlot?.();
        await Promise.all(running);
        log.info(counts, 'scheduler stopped');
      }
    },
  };
}

function registerMetrics(registry: Registry, pending: () => { active: number; backoff: number; unschedulable: number }) {
  const registers = [registry];
  const attempts = new Counter({
    name: 'scheduler_schedule_attempts_total',
    help: 'Number of attempts to schedule pods, by the result.',
    labelNames: ['result'],
    registers,
  });
  const duration = new Histogram({
    name: 'scheduler_scheduling_algorithm_duration_seconds',
    help: 'Scheduling algorithm latency in seconds',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers,
  });
  new Gauge({
    name: 'scheduler_pending_pods',
    help: 'Number of pending pods, by the queue type.',
    labelNames: ['queue'],
    registers,
    collect() {
      const p = pending();
      this.set({ queue: 'active' }, p.active);
      this.set({ queue: 'backoff' }, p.backoff);
      this.set({ queue: 'unschedulable' }, p.unschedulable);
    },
  });
  return { attempts, duration };
}
