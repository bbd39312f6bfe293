/**
 * The shells of kube-controller-manager's node lifecycle controller and taint eviction controller,
 * on a runtime manager.
 *
 * - `node-lifecycle-controller` reconciles Nodes (also on their Leases in `kube-node-lease`): asks
 *   {@link decide}, writes the conditions (status subresource, with the cached resourceVersion)
 *   and the taints (a merge patch with a resourceVersion precondition), and records
 *   `RegisteredNode` and `NodeNotReady` Events on the Node. It looks at a node again when its
 *   heartbeat would go stale, so there is no polling of every node. New NoExecute taints are
 *   rate-limited per zone ({@link zoneStates}).
 * - `node-lifecycle-pods` sets the Ready condition of each pod on an Unknown node False (Event
 *   `NodeNotReady`, "Node is not ready", on the pod), one pod per reconcile so a node's
 *   transition never waits on its pods; pods already being deleted are left alone.
 * - `taint-eviction-controller` reconciles Pods bound to nodes with NoExecute taints: asks
 *   {@link evictionTime}; deletes the pod when due (Event `TaintManagerEviction`, "Marking for
 *   deletion Pod ns/name", and the `DisruptionTarget` condition first, as kube 1.31+), or looks
 *   again when it will be; a pending eviction whose taint went away is cancelled ("Cancelling
 *   deletion of Pod ns/name").
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, Pod, PodCondition, Taint } from 'kubernetes-types/core/v1.js';
import {
  createManager,
  isConflict,
  isNotFound,
  kinds,
  silentLogger,
  type Controller,
  type KObject,
  type Logger,
  type Manager,
  type Request,
  type Result,
} from '../../runtime/index.js';
import { decide, DEFAULT_NODE_LIFECYCLE_CONFIG, type NodeLifecycleConfig, type NoExecuteGate } from './decide.js';
import { evictionTime } from './evictions.js';
import { DEFAULT_EVICTION_RATES, zoneOf, zoneStates, type EvictionRateConfig, type ZoneInfo } from './zones.js';

export const NODE_LIFECYCLE_CONTROLLER = 'node-lifecycle-controller';
export const TAINT_EVICTION_CONTROLLER = 'taint-eviction-controller';
/** Marks the pods of Unknown nodes not ready (kube does this inside the node lifecycle controller). */
export const NODE_LIFECYCLE_PODS_CONTROLLER = 'node-lifecycle-pods';
/** The pods informer's index by `spec.nodeName`. */
export const NODE_NAME_INDEX = 'spec.nodeName';

export interface NodeLifecycleOptions extends Partial<NodeLifecycleConfig>, Partial<EvictionRateConfig> {
  /** Where node Leases live (default `kube-node-lease`). */
  readonly leaseNamespace?: string;
  /** Concurrent node reconciles (default 8). */
  readonly workers?: number;
  /** Concurrent pod evictions, and pod readiness writes (default 8 each). */
  readonly evictionWorkers?: number;
  /** Milliseconds since the epoch (default Date.now). */
  readonly now?: () => number;
}

const asK = <T>(o: T): KObject => o as unknown as KObject;
const rfc3339 = (t: number): string => new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const noExecute = (n: Node | undefined): Taint[] => (n?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
const readyOf = (n: Node | undefined): string | undefined => n?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
const podReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** A token bucket of burst 1 (kube's zone NoExecute tainter). */
class TokenBucket {
  private tokens = 1;
  private last: number;
  constructor(
    private qps: number,
    now: number,
  ) {
    this.last = now;
  }
  setRate(qps: number, now: number): void {
    this.refill(now);
    this.qps = qps;
  }
  /** 0 when a token was taken; else how long until one is due (Infinity at rate 0). */
  take(now: number): number {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return this.qps > 0 ? Math.ceil(((1 - this.tokens) * 1000) / this.qps) : Infinity;
  }
  private refill(now: number): void {
    if (this.qps > 0) this.tokens = Math.min(1, this.tokens + ((now - this.last) * this.qps) / 1000);
    this.last = now;
  }
}

/** Add the node lifecycle and taint eviction controllers to `manager` (before `manager.start()`). */
export function registerNodeLifecycleController(manager: Manager, opts: NodeLifecycleOptions = {}): { nodes: Controller; pods: Controller; evictions: Controller } {
  const config: NodeLifecycleConfig = {
    gracePeriodMs: opts.gracePeriodMs ?? DEFAULT_NODE_LIFECYCLE_CONFIG.gracePeriodMs,
    startupGracePeriodMs: opts.startupGracePeriodMs ?? DEFAULT_NODE_LIFECYCLE_CONFIG.startupGracePeriodMs,
  };
  const rates: EvictionRateConfig = {
    evictionRateQPS: opts.evictionRateQPS ?? DEFAULT_EVICTION_RATES.evictionRateQPS,
    secondaryEvictionRateQPS: opts.secondaryEvictionRateQPS ?? DEFAULT_EVICTION_RATES.secondaryEvictionRateQPS,
    largeClusterThreshold: opts.largeClusterThreshold ?? DEFAULT_EVICTION_RATES.largeClusterThreshold,
    unhealthyZoneThreshold: opts.unhealthyZoneThreshold ?? DEFAULT_EVICTION_RATES.unhealthyZoneThreshold,
  };
  const leaseNamespace = opts.leaseNamespace ?? 'kube-node-lease';
  const now = opts.now ?? Date.now;
  const { client, cache } = manager;
  const log = manager.logger.child({ controller: NODE_LIFECYCLE_CONTROLLER });
  const nodeEvents = manager.eventRecorder('node-controller');
  const evictionEvents = manager.eventRecorder(TAINT_EVICTION_CONTROLLER);
  const nodesInf = cache.informerFor<KObject>(kinds.nodes);
  const leasesInf = cache.informerFor<KObject>(kinds.leases);
  const podsInf = cache.informerFor<KObject>(kinds.pods);
  podsInf.addIndexer(NODE_NAME_INDEX, (p) => {
    const n = (p as unknown as Pod).spec?.nodeName;
    return n ? [n] : [];
  });
  const getNode = (name: string): Node | undefined => nodesInf.get('', name) as unknown as Node | undefined;
  const podsOn = (name: string): Pod[] => podsInf.byIndex(NODE_NAME_INDEX, name) as unknown as Pod[];

  // ---- zones: recomputed when a node's Ready status or zone changes --------------------------
  let view: { zones: Map<string, ZoneInfo>; allDisrupted: boolean } | undefined;
  let dirty = true;
  const buckets = new Map<string, TokenBucket>();
  let watchingSince: number | undefined;
  nodesInf.addEventHandler({
    onAdd: () => void (dirty = true),
    onUpdate: (o, n) => {
      if (readyOf(o as unknown as Node) !== readyOf(n as unknown as Node) || zoneOf(o as unknown as Node) !== zoneOf(n as unknown as Node)) dirty = true;
    },
    onDelete: () => void (dirty = true),
  });
  function zones(t: number): { zones: Map<string, ZoneInfo>; allDisrupted: boolean } {
    if (view && !dirty) return view;
    dirty = false;
    const prev = view;
    const all = nodesInf.list() as unknown as Node[];
    view = zoneStates(all, rates);
    const changed = new Set<string>();
    for (const [z, info] of view.zones) {
      const was = prev?.zones.get(z);
      let b = buckets.get(z);
      if (!b) buckets.set(z, (b = new TokenBucket(info.rateQPS, t)));
      else b.setRate(info.rateQPS, t);
      if (was && was.state !== info.state) {
        changed.add(z);
        log.info({ zone: z.replace('\x00', ''), from: was.state, to: info.state }, 'zone state changed');
      }
    }
    if (prev && prev.allDisrupted !== view.allDisrupted) {
      log.info({}, view.allDisrupted ? 'all nodes are not ready: entering master disruption mode' : 'leaving master disruption mode');
      for (const n of all) nodesCtl.enqueue({ namespace: '', name: n.metadata!.name! });
    } else if (changed.size) {
      for (const n of all) if (changed.has(zoneOf(n))) nodesCtl.enqueue({ namespace: '', name: n.metadata!.name! });
    }
    return view;
  }

  // ---- node lifecycle -----------------------------------------------------------------------
  const known = new Set<string>();

  async function reconcileNode(req: Request): Promise<Result> {
    const t = now();
    watchingSince ??= t;
    const node = getNode(req.name);
    if (!node) {
      known.delete(req.name);
      return {};
    }
    if (!known.has(req.name)) {
      known.add(req.name);
      void nodeEvents.event(asK({ ...node, apiVersion: 'v1', kind: 'Node' }), 'Normal', 'RegisteredNode', `Node ${req.name} event: Registered Node ${req.name} in Controller`);
    }
    const lease = leasesInf.get(leaseNamespace, req.name) as unknown as Lease | undefined;
    const z = zones(t);
    let gate: NoExecuteGate = z.allDisrupted ? 'disrupted' : 'allow';
    let d = decide(node, lease, t, config, { gate, watchingSince });
    let requeue = d.recheckAfterMs;
    if (d.freshNoExecute && gate === 'allow') {
      const zone = zoneOf(node);
      let b = buckets.get(zone);
      if (!b) buckets.set(zone, (b = new TokenBucket(z.zones.get(zone)?.rateQPS ?? rates.evictionRateQPS, t)));
      const wait = b.take(t);
      if (wait > 0) {
        gate = 'defer';
        d = decide(node, lease, t, config, { gate, watchingSince });
        // At rate 0 the zone's state change enqueues the node again.
        if (Number.isFinite(wait)) requeue = Math.min(requeue ?? Infinity, wait);
        log.debug({ node: req.name, waitMs: wait }, 'NoExecute taint deferred by the zone rate limit');
      }
    }
    let resourceVersion = node.metadata?.resourceVersion;
    if (d.conditionsChanged) {
      const updated = await client.updateStatus(kinds.nodes, asK({ ...node, status: { ...node.status, conditions: d.conditions } }));
      resourceVersion = updated.metadata?.resourceVersion;
      if (d.becameUnknown) {
        log.info({ node: req.name }, 'node stopped posting status: Ready=Unknown');
        void nodeEvents.event(asK({ ...node, apiVersion: 'v1', kind: 'Node' }), 'Normal', 'NodeNotReady', `Node ${req.name} status is now: NodeNotReady`);
      }
    }
    if (d.taintsChanged) {
      await client.patch(kinds.nodes, '', req.name, { metadata: { resourceVersion }, spec: { taints: d.taints.length ? d.taints : null } });
    }
    return requeue !== undefined && Number.isFinite(requeue) ? { requeueAfterMs: requeue } : {};
  }

  const nodesCtl = manager.addController({
    name: NODE_LIFECYCLE_CONTROLLER,
    for: kinds.nodes,
    reconciler: reconcileNode,
    workers: opts.workers ?? 8,
    watches: [
      {
        type: kinds.leases,
        map: (l) => (l.metadata?.namespace === leaseNamespace && l.metadata?.name ? [{ namespace: '', name: l.metadata.name }] : []),
      },
    ],
  });

  // ---- pods on Unknown nodes: Ready=False (MarkPodsNotReady), per pod so node transitions never wait on them ----
  const needsMarking = (pod: Pod): boolean => {
    const n = pod.spec?.nodeName;
    // A pod being deleted is past readiness (kube marks it too; we spare the write).
    return Boolean(n && podReady(pod) && !pod.metadata?.deletionTimestamp && readyOf(getNode(n)) === 'Unknown');
  };
  async function markPodNotReady(req: Request): Promise<Result> {
    const pod = podsInf.get(req.namespace, req.name) as unknown as Pod | undefined;
    if (!pod || !needsMarking(pod)) return {};
    const t = now();
    const conditions: PodCondition[] = (pod.status?.conditions ?? []).map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: rfc3339(t) } : c));
    try {
      await client.patchStatus(kinds.pods, req.namespace, req.name, { metadata: { resourceVersion: pod.metadata?.resourceVersion }, status: { conditions } });
    } catch (e) {
      // A newer version comes through the informer and is looked at again.
      if (isConflict(e) || isNotFound(e)) return {};
      throw e;
    }
    void nodeEvents.event(asK({ ...pod, apiVersion: 'v1', kind: 'Pod' }), 'Warning', 'NodeNotReady', 'Node is not ready');
    return {};
  }
  const podsCtl = manager.addController({
    name: NODE_LIFECYCLE_PODS_CONTROLLER,
    for: kinds.pods,
    reconciler: markPodNotReady,
    workers: opts.evictionWorkers ?? 8,
    watchFor: false,
    watches: [
      { type: kinds.pods, map: (p) => (needsMarking(p as unknown as Pod) ? [{ namespace: p.metadata?.namespace ?? '', name: p.metadata?.name ?? '' }] : []) },
      {
        type: kinds.nodes,
        map: (n) => (readyOf(n as unknown as Node) === 'Unknown' ? podsOn(n.metadata?.name ?? '').filter(needsMarking).map((p) => ({ namespace: p.metadata?.namespace ?? '', name: p.metadata?.name ?? '' })) : []),
      },
    ],
  });

  // ---- taint eviction -------------------------------------------------------------------------
  /** When this process first saw each NoExecute taint (by node), to refine `timeAdded`'s whole seconds. */
  const firstSeen = new Map<string, Map<string, number>>();
  const taintKey = (t: Taint): string => `${t.key}\x00${t.value ?? ''}\x00${t.timeAdded ?? ''}`;
  const noteTaints = (n: Node): void => {
    const name = n.metadata?.name ?? '';
    const prev = firstSeen.get(name);
    const next = new Map<string, number>();
    for (const t of noExecute(n)) next.set(taintKey(t), prev?.get(taintKey(t)) ?? now());
    if (next.size) firstSeen.set(name, next);
    else firstSeen.delete(name);
  };
  nodesInf.addEventHandler({
    onAdd: (n) => noteTaints(n as unknown as Node),
    onUpdate: (_o, n) => noteTaints(n as unknown as Node),
    onDelete: (n) => void firstSeen.delete(n.metadata?.name ?? ''),
  });
  /** The node's NoExecute taints, `timeAdded` made precise (or supplied) from when they were first seen. */
  const taintsOf = (n: Node): Taint[] => {
    const seen = firstSeen.get(n.metadata?.name ?? '');
    return noExecute(n).map((t) => {
      const s = seen?.get(taintKey(t));
      if (s === undefined) return t;
      const added = t.timeAdded ? Date.parse(t.timeAdded) : NaN;
      if (Number.isNaN(added) || (s >= added && s < added + 1000)) return { ...t, timeAdded: new Date(s).toISOString() };
      return t;
    });
  };

  const scheduled = new Map<string, number>();

  async function reconcilePod(req: Request): Promise<Result> {
    const key = `${req.namespace}/${req.name}`;
    const pod = podsInf.get(req.namespace, req.name) as unknown as Pod | undefined;
    const node = pod?.spec?.nodeName ? getNode(pod.spec.nodeName) : undefined;
    const t = now();
    const at = pod && node && !pod.metadata?.deletionTimestamp ? evictionTime(taintsOf(node), pod, t) : undefined;
    if (at === undefined) {
      if (scheduled.delete(key) && pod && !pod.metadata?.deletionTimestamp) {
        void evictionEvents.event(asK({ ...pod, apiVersion: 'v1', kind: 'Pod' }), 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
      }
      return {};
    }
    if (at > t) {
      scheduled.set(key, at);
      return { requeueAfterMs: at - t };
    }
    scheduled.delete(key);
    await evictionEvents.event(asK({ ...pod!, apiVersion: 'v1', kind: 'Pod' }), 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    const target: PodCondition = {
      type: 'DisruptionTarget',
      status: 'True',
      reason: 'DeletionByTaintManager',
      message: 'Taint manager: deleting due to NoExecute taint',
      lastTransitionTime: rfc3339(t),
    };
    const conditions = [...(pod!.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionTarget'), target];
    try {
      await client.patchStatus(kinds.pods, req.namespace, req.name, { metadata: { resourceVersion: pod!.metadata?.resourceVersion }, status: { conditions } });
      await client.delete(kinds.pods, req.namespace, req.name, { preconditions: { uid: pod!.metadata?.uid } });
    } catch (e) {
      if (isNotFound(e)) return {};
      if (isConflict(e)) return { requeueAfterMs: 10 };
      throw e;
    }
    log.info({ pod: key, node: pod!.spec?.nodeName }, 'evicted pod from tainted node');
    return {};
  }

  const evictionsCtl = manager.addController({
    name: TAINT_EVICTION_CONTROLLER,
    for: kinds.pods,
    reconciler: reconcilePod,
    workers: opts.evictionWorkers ?? 8,
    watchFor: false,
    watches: [
      {
        type: kinds.pods,
        map: (p) => {
          const pod = p as unknown as Pod;
          const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
          const n = pod.spec?.nodeName;
          return scheduled.has(key) || (n && noExecute(getNode(n)).length) ? [{ namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '' }] : [];
        },
      },
      {
        type: kinds.nodes,
        map: (n) => podsOn(n.metadata?.name ?? '').map((p) => ({ namespace: p.metadata?.namespace ?? '', name: p.metadata?.name ?? '' })),
        predicates: [
          (e) => e.type !== 'update' || JSON.stringify(noExecute(e.oldObject as unknown as Node)) !== JSON.stringify(noExecute(e.object as unknown as Node)),
        ],
      },
    ],
  });

  return { nodes: nodesCtl, pods: podsCtl, evictions: evictionsCtl };
}

export interface StartNodeLifecycleOptions extends NodeLifecycleOptions {
  readonly kubeConfig: KubeConfig;
  /** Stops the controllers when aborted. */
  readonly signal: AbortSignal;
  readonly logger?: Logger;
  /** Port of the manager's `/healthz`, `/readyz`, `/metrics` (default: no server). */
  readonly port?: number;
}

export interface RunningNodeLifecycle {
  readonly manager: Manager;
  /** Resolves once the controllers have stopped (after `signal` aborts). */
  readonly stopped: Promise<void>;
}

/**
 * Start the node lifecycle and taint eviction controllers in a manager of their own; resolves once
 * its informers have synced.
 */
export async function startNodeLifecycleController(opts: StartNodeLifecycleOptions): Promise<RunningNodeLifecycle> {
  const manager = createManager({ kubeConfig: opts.kubeConfig, name: NODE_LIFECYCLE_CONTROLLER, logger: opts.logger ?? silentLogger(), port: opts.port });
  registerNodeLifecycleController(manager, opts);
  await manager.start(opts.signal);
  await manager.cache.waitForCacheSync(opts.signal);
  return { manager, stopped: manager.done().then(() => undefined) };
}
