/**
 * @module cluster/scheduler
 *
 * Flotilla's scheduler: kube-scheduler's behaviour for the embedded cluster (and any other), as an
 * ordinary client of the API.
 *
 * - **The pure core.** {@link scheduleOne} takes a pod and the {@link NodeInfo}s and returns the
 *   chosen node with every evaluated node's scores, or a {@link FitError} whose `message` is kube
 *   1.32's, e.g. `0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available:
 *   3 No preemption victims found for incoming pod.` The rules are plugins at small extension points
 *   (`framework.ts`), one per file under `plugins/`: NodeUnschedulable, TaintToleration (node
 *   conditions count as their taints, e.g. `node.kubernetes.io/not-ready`), NodeAffinity
 *   (nodeSelector and node affinity), NodePorts, NodeResourcesFit (with LeastAllocated scoring),
 *   NodeResourcesBalancedAllocation, InterPodAffinity, SelectorSpread and DefaultPreemption.
 * - **Shared with the autoscaler.** {@link fits} returns the {@link InsufficientResource}s
 *   (`Insufficient cpu`, `Too many pods`, …) for a pod on a NodeInfo, so simulations and the
 *   scheduler cannot disagree; build NodeInfos with `new NodeInfo(node)` and `addPod(newPodInfo(pod))`.
 * - **The shell.** {@link createScheduler} is a Runnable a manager can run; {@link startScheduler}
 *   starts one from a KubeConfig. Pods with an empty `spec.nodeName` and `schedulerName`
 *   `default-scheduler` (or none) are queued by priority, decided one at a time, assumed on their
 *   node and bound through `pods/binding`; a pod that fits nowhere gets `PodScheduled=False`
 *   (`Unschedulable`, the FitError message) and a `FailedScheduling` Warning Event, and is retried
 *   when nodes or pods change, with 1 s → 10 s backoff.
 *
 * ```ts
 * const s = await startScheduler({ kubeConfig, logger, signal });
 * // … pods get bound …
 * controller.abort(); await s.stopped;
 * ```
 *
 * Tips:
 * - Decisions need every node's NodeInfo; keep plugins' per-node work to a few comparisons and
 *   precompute per pod in PreFilter/PreScore.
 * - Reasons are user-visible and parsed by tools (the autoscaler): spell them exactly as upstream.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import { createClient, createEventRecorder, type Logger } from '../../runtime/index.js';
import { createScheduler, type Scheduler, type SchedulerOptions, type SchedulerStats } from './scheduler.js';

export { createScheduler } from './scheduler.js';
export type { Scheduler, SchedulerOptions, SchedulerStats } from './scheduler.js';
export { scheduleOne, numFeasibleNodesToFind } from './schedule-one.js';
export type { ScheduleOptions, ScheduleResult, FitError, NodeScoreDetail } from './schedule-one.js';
export {
  NodeInfo,
  newPodInfo,
  effectiveTaints,
  fitErrorMessage,
  defaultNormalizeScore,
  unschedulable,
  unresolvable,
  SUCCESS,
  SKIP,
  MAX_NODE_SCORE,
} from './framework.js';
export type {
  Status,
  RejectedStatus,
  PodInfo,
  AffinityTerm,
  WeightedAffinityTerm,
  HostPort,
  CycleState,
  Plugin,
  PreFilterPlugin,
  FilterPlugin,
  PreScorePlugin,
  ScorePlugin,
  PostFilterPlugin,
  PostFilterResult,
  NodeScore,
  Resource,
} from './framework.js';
export { podRequests, milliValue, intValue } from './resources.js';
export { fits } from './plugins/node-resources-fit.js';
export type { InsufficientResource } from './plugins/node-resources-fit.js';
export { defaultProfile, DEFAULT_SCHEDULER_NAME } from './profile.js';
export type { Profile, WeightedScorePlugin } from './profile.js';
export { SchedulingQueue } from './queue.js';
export { SchedulerCache } from './cache.js';

export interface StartSchedulerOptions extends Partial<Omit<SchedulerOptions, 'client'>> {
  readonly kubeConfig: KubeConfig;
  readonly logger?: Logger;
  /** Stops the scheduler when aborted. */
  readonly signal: AbortSignal;
  readonly registry?: Registry;
}

export interface RunningScheduler {
  readonly scheduler: Scheduler;
  /** Resolves once the scheduler has stopped (after `signal` aborts). */
  readonly stopped: Promise<void>;
  stats(): SchedulerStats;
}

/**
 * Start a scheduler for the cluster of `kubeConfig` with its own informers; resolves once they
 * synced and the loop runs.
 */
export async function startScheduler(opts: StartSchedulerOptions): Promise<RunningScheduler> {
  const client = createClient(opts.kubeConfig, { fieldManager: 'default-scheduler' });
  const events = opts.events ?? createEventRecorder(client, { component: 'default-scheduler', logger: opts.logger });
  const scheduler = createScheduler({ ...opts, client, events });
  const stopped = scheduler.start(opts.signal);
  const ready = await Promise.race([scheduler.ready(), stopped.then(() => false)]);
  if (!ready && !opts.signal.aborted) {
    await stopped;
    throw new Error('the scheduler stopped before its informers synced');
  }
  return { scheduler, stopped, stats: () => scheduler.stats() };
}

