/**
 * The thin shell around {@link runOnce}: every `--scan-interval` (measured from the end of the
 * previous iteration) it refreshes the cloud provider, builds the snapshot from the informers,
 * runs the pure core, carries out its decision — scale-ups through the provider, scale-downs
 * through the {@link ScaleDownActuator} — records the Events, and writes
 * `kube-system/cluster-autoscaler-status`. Outcomes flow back into the core's state objects
 * (`registerScaleUp`, `registerFailedScaleUp`, `recordScaleUp`, `recordScaleDown`), which live here
 * between iterations.
 */
import type { ConfigMap, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { scaleSetKind } from '../../cluster/cloud/index.js';
import { isNotFound, kinds, resourcePath, retryOnConflict, type CacheReader, type Client, type EventRecorder, type KObject, type Logger, type ResourceType } from '../../runtime/index.js';
import { snapshotNodeGroups, type CloudProvider, type NodeGroup as CloudNodeGroup } from '../cloudprovider/index.js';
import { deleteUnregisteredFailedEvent, EMPTY_REGISTRY_STATE, failedScaleUpEvent, registerFailedScaleUp, registerScaleUp, type RegistryState } from '../cluster-state.js';
import { parsePriorityConfig, PRIORITY_CONFIG_MAP_KEY, PRIORITY_CONFIG_MAP_NAME, type PriorityRule } from '../expander.js';
import type { AutoscalerOptions } from '../options.js';
import { isUnschedulable } from '../pods.js';
import { runOnce, type RunOnceResult } from '../run-once.js';
import { initialScaleDownState, recordScaleDown, recordScaleUp, type ScaleDownState } from '../scale-down.js';
import type { GroupIncrease } from '../scale-up.js';
import { initializingStatus, statusConfigMapData, type AutoscalerStatus } from '../status.js';
import type { PlannedEvent, StatusConfigMapRef } from '../types.js';
import { createScaleDownActuator, type ScaleDownActuator } from './actuator.js';
import { createEventSink } from './event-sink.js';
import type { Evictor } from './evictor.js';
import type { AutoscalerMetrics } from './metrics.js';
import { hasToBeDeletedTaint, setDeletionCandidateTaint, setToBeDeletedTaint } from './taints.js';
import { softTaintUpdates } from '../soft-taint.js';

export const podDisruptionBudgetKind = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets' } as const satisfies ResourceType;

/** The kinds the loop reads from informers (start them before the first iteration). */
export const WATCHED_KINDS: readonly ResourceType[] = [kinds.nodes, kinds.pods, podDisruptionBudgetKind, kinds.daemonSets, scaleSetKind];

export interface AutoscalerLoopOptions {
  readonly options: AutoscalerOptions;
  readonly client: Client;
  readonly cache: CacheReader;
  readonly provider: CloudProvider;
  readonly evictor: Evictor;
  readonly events: EventRecorder;
  readonly logger: Logger;
  readonly metrics: AutoscalerMetrics;
  readonly now?: () => number;
  readonly random?: () => number;
  /** Between eviction attempts of one pod (default 10 s). */
  readonly podEvictionRetryMs?: number;
  /** How often a drain looks whether the evicted pods are gone (default 1 s). */
  readonly drainPollMs?: number;
  /** An identical Event on the same object is recorded at most this often (default 5 min, client-go's spam filter steady state). */
  readonly eventRepeatMs?: number;
  /** Whether this process still leads when `run` ends: only a leader deletes the status ConfigMap (default true). */
  readonly isLeader?: () => boolean;
}

export interface AutoscalerLoop {
  /** One iteration; resolves when its decision was carried out (a drain keeps going in the background). */
  runOnce(): Promise<RunOnceResult>;
  /** Write the `Initializing` status (start-up). */
  initialize(): Promise<void>;
  /** Run iterations every scan interval until `signal` aborts, then wait for drains and delete the status ConfigMap. */
  run(signal: AbortSignal): Promise<void>;
  /** For `/healthz`: false after `--max-inactivity` without activity or `--max-failing-time` without success. */
  healthy(): boolean;
  /** Resolves when the drains in flight have finished. */
  drains(): Promise<void>;
  /** Iterations run so far (tests wait on it). */
  readonly iterations: number;
}

const CONTROLLER = 'cluster-autoscaler';
const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function createAutoscalerLoop(o: AutoscalerLoopOptions): AutoscalerLoop {
  const { options, client, cache, provider, metrics } = o;
  const now = o.now ?? Date.now;
  const cmRef: StatusConfigMapRef = { namespace: options.namespace, name: options.statusConfigMapName };
  const cmPath = resourcePath(kinds.configMaps, cmRef.namespace, cmRef.name);
  const log = o.logger.child({ controller: CONTROLLER });
  const events = createEventSink({ recorder: o.events, cache, statusConfigMap: cmRef, now, repeatMs: o.eventRepeatMs ?? 5 * 60_000 });
  const nodeGroup = (id: string): CloudNodeGroup | undefined => provider.nodeGroups().find((g) => g.id() === id);
  const actuator: ScaleDownActuator = createScaleDownActuator({
    options,
    client,
    cache,
    evictor: o.evictor,
    events,
    metrics,
    logger: log,
    nodeGroup,
    now,
    retryMs: o.podEvictionRetryMs ?? 10_000,
    pollMs: o.drainPollMs ?? 1_000,
  });

  const started = now();
  let registry: RegistryState = EMPTY_REGISTRY_STATE;
  let scaleDown: ScaleDownState = initialScaleDownState(started);
  let previousStatus: AutoscalerStatus | undefined;
  let firstRun = true;
  let iterations = 0;
  let lastActivity = started;
  let lastSuccess = started;

  async function writeStatus(status: AutoscalerStatus): Promise<void> {
    if (!options.writeStatusConfigmap) return;
    const { data, annotations } = statusConfigMapData(status, options.statusConfigMapFormat);
    await retryOnConflict(async () => {
      const cur = await client.get<ConfigMap & KObject>(kinds.configMaps, cmRef.namespace, cmRef.name);
      const stored = cur
        ? await client.update<ConfigMap & KObject>(kinds.configMaps, {
            ...cur,
            metadata: { ...cur.metadata, annotations: { ...(cur.metadata?.annotations ?? {}), ...annotations } },
            data: { ...(cur.data ?? {}), ...data },
          })
        : await client.create<ConfigMap & KObject>(kinds.configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { ...cmRef, annotations }, data });
      events.setStatusConfigMap(stored);
    });
  }

  /** First run only: leftover ToBeDeleted taints from a previous process (spec §2 step 1). */
  async function cleanupTaints(): Promise<void> {
    for (const n of cache.list<Node & KObject>(kinds.nodes)) {
      if (!hasToBeDeletedTaint(n)) continue;
      const name = n.metadata?.name ?? '';
      try {
        await setToBeDeletedTaint(client, name, false, now());
        events.onNode(name, 'Normal', 'ClusterAutoscalerCleanup', 'marking the node as schedulable');
      } catch (e) {
        events.onNode(name, 'Warning', 'ClusterAutoscalerCleanup', `failed to clean toBeDeletedTaint: ${errorText(e)}`);
      }
    }
  }

  /** DeletionCandidate taints on the nodes now unneeded, off the others, within the per-iteration budget. */
  async function updateSoftTaints(nodes: readonly Node[], unneeded: ReadonlySet<string>): Promise<void> {
    const { mark, clean } = softTaintUpdates(nodes, unneeded, options.maxBulkSoftTaintCount);
    const deadline = now() + options.maxBulkSoftTaintTime;
    for (const [names, present] of [[clean, false], [mark, true]] as const) {
      for (const name of names) {
        if (now() > deadline) return;
        try {
          await setDeletionCandidateTaint(client, name, present, now());
        } catch (e) {
          log.info({ object: resourcePath(kinds.nodes, '', name), err: errorText(e) }, present ? 'failed to mark the node as a deletion candidate' : 'failed to clean the deletion candidate taint');
        }
      }
    }
  }

  async function increase(increases: readonly GroupIncrease[], successEvents: readonly PlannedEvent[]): Promise<void> {
    for (const inc of increases) {
      const delta = inc.newSize - inc.current;
      const object = resourcePath(scaleSetKind, '', inc.group);
      try {
        const g = nodeGroup(inc.group);
        if (!g) throw new Error(`node group ${inc.group} not found`);
        await g.increaseSize(delta);
        const t = now();
        registry = registerScaleUp(registry, inc.group, delta, t, options);
        scaleDown = recordScaleUp(scaleDown, t);
        metrics.scaledUpNodes.inc(delta);
        metrics.activity('scaleUp', t);
        events.record(successEvents.filter((e) => e.message.includes(` ${inc.group} `)));
        log.info({ object, from: inc.current, to: inc.newSize, max: inc.max }, 'scaled up node group');
      } catch (e) {
        const msg = errorText(e);
        registry = registerFailedScaleUp(registry, inc.group, msg, now(), options);
        metrics.failedScaleUps.inc({ reason: 'cloudProviderError' });
        events.record([failedScaleUpEvent(inc.group, msg, cmRef)]);
        log.info({ object, err: msg }, 'scale-up failed');
      }
    }
  }

  async function readPriorities(): Promise<PriorityRule[] | undefined> {
    if (!options.expander.includes('priority')) return undefined;
    const cm = await client.get<ConfigMap & KObject>(kinds.configMaps, options.namespace, PRIORITY_CONFIG_MAP_NAME);
    const text = cm?.data?.[PRIORITY_CONFIG_MAP_KEY];
    if (text === undefined) return undefined;
    try {
      return parsePriorityConfig(text);
    } catch (e) {
      log.info({ object: resourcePath(kinds.configMaps, options.namespace, PRIORITY_CONFIG_MAP_NAME), err: errorText(e) }, 'priority expander configuration invalid');
      return undefined;
    }
  }

  async function iterate(): Promise<RunOnceResult> {
    const t0 = now();
    metrics.activity('main', t0);
    lastActivity = t0;
    if (firstRun) {
      await cleanupTaints();
      firstRun = false;
    }
    for (const oc of actuator.takeOutcomes()) scaleDown = recordScaleDown(scaleDown, oc.at, oc.outcome);

    await provider.refresh();
    const pods = cache.list<Pod & KObject>(kinds.pods);
    const nodeGroups = snapshotNodeGroups(provider);
    const nodes = cache.list<Node & KObject>(kinds.nodes);
    const r = runOnce({
      snapshot: { nodes, pods, pdbs: cache.list<PodDisruptionBudget & KObject>(podDisruptionBudgetKind), nodeGroups, now: now() },
      registry,
      scaleDown,
      options,
      previousStatus,
      random: o.random,
      priorities: await readPriorities(),
      azure: true,
      deletionsInProgress: actuator.inProgress(),
    });
    registry = r.registry;
    scaleDown = r.scaleDownState;
    const d = r.decision;
    // A node to drain while another drain runs waits for the next iteration: so does its event.
    const drainWaits = d.kind === 'scaleDown' && d.plan.empty.length === 0 && d.plan.drain !== undefined && !actuator.canDrain(d.plan.drain);
    events.record(drainWaits && d.kind === 'scaleDown' ? r.events.filter((e) => !d.plan.events.includes(e)) : r.events);

    for (const rm of r.removeUnregistered) {
      try {
        const g = nodeGroup(rm.group);
        if (!g) throw new Error(`node group ${rm.group} not found`);
        await g.deleteNodes([{ metadata: { name: rm.instanceId }, spec: { providerID: rm.instanceId } }]);
        events.record([rm.event]);
      } catch (e) {
        events.record([deleteUnregisteredFailedEvent(rm.instanceId, errorText(e), cmRef)]);
      }
    }
    for (const rv of r.revertScaleUps) {
      try {
        await nodeGroup(rv.group)?.decreaseTargetSize(rv.delta);
      } catch (e) {
        events.onConfigMap('Warning', 'FailedToRevertScaleUp', `Failed to decrease target size for group ${rv.group} after scale-up timeout: ${errorText(e)}`);
      }
    }

    switch (d.kind) {
      case 'fixNodeGroupSizes':
        for (const fix of d.fixes) {
          try {
            await nodeGroup(fix.group)?.decreaseTargetSize(fix.delta);
          } catch (e) {
            log.info({ object: resourcePath(scaleSetKind, '', fix.group), delta: fix.delta, err: errorText(e) }, 'failed to fix node group size');
          }
        }
        break;
      case 'scaleUp':
        await increase(d.plan.increases, d.plan.successEvents);
        break;
      case 'scaleDown':
        if (d.plan.empty.length) {
          const oc = await actuator.deleteEmpty(r.cluster.readiness, d.plan.empty, d.plan.successEvents);
          scaleDown = recordScaleDown(scaleDown, oc.at, oc.outcome);
        } else if (d.plan.drain) actuator.startDrain(r.cluster.readiness, d.plan.drain);
        if (d.enforceMinSize.length) await increase(d.enforceMinSize, []);
        break;
      case 'noScaleDown':
        if (d.enforceMinSize.length) await increase(d.enforceMinSize, []);
        break;
      case 'clusterUnhealthy':
      case 'waitForYoungPods':
        break;
    }

    // Soft taints follow the unneeded nodes in iterations that delete none, as upstream's.
    if ((d.kind === 'noScaleDown' || d.kind === 'waitForYoungPods') && d.plan) await updateSoftTaints(nodes, new Set(d.plan.unneeded));

    previousStatus = r.status;
    await writeStatus(r.status);

    const scaleDownPlan = d.kind === 'scaleDown' || d.kind === 'noScaleDown' || d.kind === 'waitForYoungPods' ? d.plan : undefined;
    metrics.safeToAutoscale.set(r.cluster.healthy ? 1 : 0);
    metrics.nodes(r.cluster.total);
    metrics.nodeGroupsCount.set({ node_group_type: 'autoscaled' }, nodeGroups.length);
    metrics.unschedulablePodsCount.set(pods.filter(isUnschedulable).length);
    metrics.unneededNodesCount.set(scaleDownPlan?.unneeded.length ?? 0);
    metrics.maxNodesCount.set(options.maxNodesTotal);
    metrics.functionDuration.observe({ function: 'main' }, (now() - t0) / 1000);
    metrics.activity('autoscaling', now());
    log.debug({ object: cmPath, decision: d.kind, pending: r.pending?.pods.length ?? 0 }, 'iteration');
    return r;
  }

  const loop: AutoscalerLoop = {
    get iterations() {
      return iterations;
    },
    async initialize() {
      await writeStatus(initializingStatus(now()));
    },
    async runOnce() {
      try {
        const r = await iterate();
        lastSuccess = now();
        return r;
      } catch (e) {
        metrics.errors.inc({ type: 'internalError' });
        throw e;
      } finally {
        iterations++;
      }
    },
    async run(signal) {
      await loop.initialize().catch((e) => log.info({ object: cmPath, err: errorText(e) }, 'failed to write the status ConfigMap'));
      while (!signal.aborted) {
        try {
          await loop.runOnce();
        } catch (e) {
          log.info({ object: cmPath, err: errorText(e) }, 'iteration failed');
        }
        await sleep(options.scanInterval, signal);
      }
      await actuator.drains();
      if (options.writeStatusConfigmap && (o.isLeader?.() ?? true)) {
        // Deleted on a clean shutdown, as upstream does (not when the lease was lost: the new leader owns it).
        await client.delete(kinds.configMaps, cmRef.namespace, cmRef.name).catch((e) => {
          if (!isNotFound(e)) log.info({ object: cmPath, err: errorText(e) }, 'failed to delete the status ConfigMap');
        });
      }
      await provider.cleanup();
    },
    healthy() {
      const t = now();
      return t - lastActivity < options.maxInactivity + options.scanInterval && t - lastSuccess < options.maxFailingTime + options.scanInterval;
    },
    drains: () => actuator.drains(),
  };
  return loop;
}
