/**
 * Scale-down actuation (spec §5.6–5.7), the I/O half of `planScaleDown`'s decision:
 *
 * - **empty nodes**, per group: taint each, then one `DeleteNodes` for the group; on failure the
 *   taints come off and each node gets `ScaleDownFailed` `failed to delete empty node: <err>`;
 * - **a node to drain**, in the background, at most `--max-drain-parallelism` at once: taint;
 *   evict each pod with grace `min(pod's, --max-graceful-termination-sec)`, retried every
 *   `retryMs` for `--max-pod-eviction-time`; wait up to grace + 30 s for the pods to be gone;
 *   `DeleteNodes`. On failure the taint comes off with `ScaleDownFailed` on the Node (and on a
 *   pod that could not be evicted).
 *
 * Outcomes (`deleted` / `failed`, with their time) are handed back for the cooldowns.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { kinds, resourcePath, type CacheReader, type Client, type KObject, type Logger } from '../../runtime/index.js';
import type { NodeGroup as CloudNodeGroup } from '../cloudprovider/index.js';
import type { NodeReadiness } from '../cluster-state.js';
import type { AutoscalerOptions } from '../options.js';
import { podKey } from '../pods.js';
import { SCALE_DOWN_NODE_MARKED, SCALE_DOWN_NODE_REMOVED, SCALE_DOWN_POD_DELETING, type NodeToDelete } from '../scale-down.js';
import type { PlannedEvent } from '../types.js';
import type { EventSink } from './event-sink.js';
import { EvictionRefusedError, type Evictor } from './evictor.js';
import type { AutoscalerMetrics, ScaleDownReason } from './metrics.js';
import { setToBeDeletedTaint } from './taints.js';

export type Outcome = { readonly at: number; readonly outcome: 'deleted' | 'failed' };

export interface ScaleDownActuatorOptions {
  readonly options: Pick<AutoscalerOptions, 'maxGracefulTerminationSec' | 'maxPodEvictionTime' | 'maxDrainParallelism'>;
  readonly client: Pick<Client, 'get' | 'update'>;
  readonly cache: CacheReader;
  readonly evictor: Evictor;
  readonly events: EventSink;
  readonly metrics: AutoscalerMetrics;
  readonly logger: Logger;
  readonly nodeGroup: (id: string) => CloudNodeGroup | undefined;
  readonly now: () => number;
  readonly retryMs: number;
  readonly pollMs: number;
}

export interface ScaleDownActuator {
  /** Delete empty nodes, per group in one call; resolves with the outcome (for the cooldowns). */
  deleteEmpty(readiness: ReadonlyMap<string, NodeReadiness>, empty: readonly NodeToDelete[], successEvents: readonly PlannedEvent[]): Promise<Outcome>;
  /** Whether a drain of `plan` could start now (parallelism, not already draining). */
  canDrain(plan: NodeToDelete): boolean;
  /** Start draining in the background; its outcome comes out of `takeOutcomes()`. */
  startDrain(readiness: ReadonlyMap<string, NodeReadiness>, plan: NodeToDelete): void;
  /** Drains in flight per group (deletions in progress). */
  inProgress(): Map<string, number>;
  /** Outcomes of finished drains since the last call. */
  takeOutcomes(): Outcome[];
  /** Resolves when every drain in flight has finished. */
  drains(): Promise<void>;
}

const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const nodePath = (name: string): string => resourcePath(kinds.nodes, '', name);
const podPath = (p: Pod): string => resourcePath(kinds.pods, p.metadata?.namespace, p.metadata?.name ?? '');

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function createScaleDownActuator(o: ScaleDownActuatorOptions): ScaleDownActuator {
  const { options, client, cache, evictor, events, metrics, now } = o;
  const log = o.logger;
  const outcomes: Outcome[] = [];
  const draining = new Map<string, { group: string; done: Promise<void> }>();

  const taint = (name: string, present: boolean) => setToBeDeletedTaint(client, name, present, now());
  const reasonOf = (readiness: ReadonlyMap<string, NodeReadiness>, node: string, empty: boolean): ScaleDownReason =>
    readiness.get(node) !== 'ready' ? 'Unready' : empty ? 'Empty' : 'Underutilized';
  const group = (id: string): CloudNodeGroup => {
    const g = o.nodeGroup(id);
    if (!g) throw new Error(`node group ${id} not found`);
    return g;
  };
  const grace = (p: Pod): number => Math.min(p.spec?.terminationGracePeriodSeconds ?? 30, options.maxGracefulTerminationSec);

  async function evictAll(pods: readonly Pod[], deadline: number): Promise<void> {
    await Promise.all(
      pods.map(async (p) => {
        for (;;) {
          try {
            const how = await evictor.evict(p, grace(p));
            if (how !== 'gone') {
              metrics.evictedPods.inc();
              events.onPod(p, 'Normal', 'ScaleDown', SCALE_DOWN_POD_DELETING);
            }
            return;
          } catch (e) {
            if (now() + o.retryMs > deadline) {
              events.onPod(p, 'Warning', 'ScaleDownFailed', 'failed to delete pod for ScaleDown');
              throw e;
            }
            if (!(e instanceof EvictionRefusedError)) log.debug({ object: podPath(p), err: errorText(e) }, 'eviction failed, retrying');
            await sleep(o.retryMs);
          }
        }
      }),
    );
  }

  async function waitForPodsGone(node: string, pods: readonly Pod[]): Promise<void> {
    const deadline = now() + (Math.max(0, ...pods.map(grace)) + 30) * 1000;
    const uids = new Set(pods.map((p) => p.metadata?.uid));
    for (;;) {
      const left = cache.list<Pod & KObject>(kinds.pods).filter((p) => p.spec?.nodeName === node && uids.has(p.metadata?.uid));
      if (left.length === 0) return;
      if (now() > deadline) throw new Error(`pods still on the node: ${left.map(podKey).join(',')}`);
      await sleep(o.pollMs);
    }
  }

  async function drain(readiness: ReadonlyMap<string, NodeReadiness>, plan: NodeToDelete): Promise<void> {
    const object = nodePath(plan.node);
    let outcome: Outcome['outcome'] = 'failed';
    let step: 'taint' | 'drain' | 'delete' = 'taint';
    try {
      const node = await taint(plan.node, true);
      if (!node) throw new Error(`node ${plan.node} not found`);
      events.onNode(plan.node, 'Normal', 'ScaleDown', SCALE_DOWN_NODE_MARKED);
      step = 'drain';
      await evictAll(plan.pods, now() + options.maxPodEvictionTime);
      await waitForPodsGone(plan.node, plan.pods);
      step = 'delete';
      await group(plan.group).deleteNodes([node]);
      outcome = 'deleted';
      metrics.scaledDownNodes.inc({ reason: reasonOf(readiness, plan.node, false) });
      events.onNode(plan.node, 'Normal', 'ScaleDown', SCALE_DOWN_NODE_REMOVED);
      events.onConfigMap('Normal', 'ScaleDown', `Scale-down: node ${plan.node} removed with drain`);
      log.info({ object, group: plan.group, pods: plan.pods.length }, 'removed node with drain');
    } catch (e) {
      const msg = errorText(e);
      if (step !== 'taint') await taint(plan.node, false).catch(() => undefined);
      const text =
        step === 'taint' ? `failed to mark the node as toBeDeleted/unschedulable: ${msg}` : step === 'drain' ? 'failed to drain the node, aborting ScaleDown' : 'failed to delete the node';
      events.onNode(plan.node, 'Warning', 'ScaleDownFailed', text);
      log.info({ object, group: plan.group, step, err: msg }, 'scale-down failed');
    } finally {
      outcomes.push({ at: now(), outcome });
      metrics.activity('scaleDown', now());
    }
  }

  const actuator: ScaleDownActuator = {
    async deleteEmpty(readiness, empty, successEvents) {
      const byGroup = new Map<string, NodeToDelete[]>();
      for (const n of empty) byGroup.set(n.group, [...(byGroup.get(n.group) ?? []), n]);
      let outcome: Outcome['outcome'] = 'deleted';
      for (const [id, list] of byGroup) {
        const tainted: Node[] = [];
        try {
          for (const n of list) {
            const node = await taint(n.node, true);
            if (!node) throw new Error(`node ${n.node} not found`);
            tainted.push(node);
            events.onNode(n.node, 'Normal', 'ScaleDown', SCALE_DOWN_NODE_MARKED);
          }
          await group(id).deleteNodes(tainted);
          metrics.activity('scaleDown', now());
          for (const n of list) {
            metrics.scaledDownNodes.inc({ reason: reasonOf(readiness, n.node, true) });
            events.onNode(n.node, 'Normal', 'ScaleDown', SCALE_DOWN_NODE_REMOVED);
            events.record(successEvents.filter((e) => e.message === `Scale-down: empty node ${n.node} removed`));
            log.info({ object: nodePath(n.node), group: id }, 'removed empty node');
          }
        } catch (e) {
          const msg = errorText(e);
          outcome = 'failed';
          for (const n of list) {
            await taint(n.node, false).catch(() => undefined);
            events.onNode(n.node, 'Warning', 'ScaleDownFailed', `failed to delete empty node: ${msg}`);
            log.info({ object: nodePath(n.node), group: id, err: msg }, 'empty node deletion failed');
          }
        }
      }
      return { at: now(), outcome };
    },
    canDrain: (plan) => draining.size < Math.max(1, options.maxDrainParallelism) && !draining.has(plan.node),
    startDrain(readiness, plan) {
      if (!actuator.canDrain(plan)) return;
      const done = drain(readiness, plan).finally(() => draining.delete(plan.node));
      draining.set(plan.node, { group: plan.group, done });
    },
    inProgress() {
      const m = new Map<string, number>();
      for (const d of draining.values()) m.set(d.group, (m.get(d.group) ?? 0) + 1);
      return m;
    },
    takeOutcomes: () => outcomes.splice(0),
    async drains() {
      await Promise.all([...draining.values()].map((d) => d.done));
    },
  };
  return actuator;
}
