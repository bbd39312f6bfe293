/**
 * The what-if simulator: replays a {@link Trace} over virtual time against simulated scale sets,
 * with the real core deciding — {@link runOnce} every `--scan-interval`, fed back exactly as the
 * live loop feeds it (`registerScaleUp`, `recordScaleUp`, `recordScaleDown`) — and a virtual
 * scheduler placing pending pods first-fit with the same scheduler predicates the planners use.
 * Pure: no clock, no I/O, a seeded random source; the same trace and flags give the same report.
 *
 * Simplifications, on purpose: a new instance's Node registers Ready exactly `provisioningDelay`
 * after `IncreaseSize`; a drain is instantaneous (evicted pods are re-created pending at once, as
 * their ReplicaSet would, and count a new wait); there are no DaemonSets and no PDBs.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { intValue, milliValue } from '../../cluster/scheduler/index.js';
import { EMPTY_REGISTRY_STATE, registerScaleUp, type RegistryState } from '../cluster-state.js';
import type { AutoscalerOptions } from '../options.js';
import { runOnce, type Decision } from '../run-once.js';
import { initialScaleDownState, recordScaleDown, recordScaleUp, type ScaleDownState } from '../scale-down.js';
import type { GroupIncrease } from '../scale-up.js';
import { firstFit, nodeInfo, podInfo } from '../simulator.js';
import type { AutoscalerStatus } from '../status.js';
import type { NodeGroup, PlannedEvent, TemplateNodeInfo } from '../types.js';
import { explain } from './reasons.js';
import type { Trace, TraceArrival, TraceScaleSet } from './trace.js';

/** Virtual time starts here (times in the report are offsets from it). */
export const SIM_EPOCH = Date.UTC(2026, 0, 1, 0, 0, 0);
/** An identical event is reported at most this often (client-go's spam filter, as the live loop). */
const EVENT_REPEAT = 5 * 60_000;
const NAMESPACE = 'default';

/** One point of the timeline, after everything that happened at `t`. */
export interface Sample {
  /** ms since the start. */
  readonly t: number;
  /** Registered (Ready) nodes per scale set. */
  readonly nodes: Readonly<Record<string, number>>;
  /** Instances per scale set (the target size: registered + provisioning). */
  readonly target: Readonly<Record<string, number>>;
  readonly pending: number;
  readonly running: number;
  /** Requested / allocatable over registered nodes, 0…1. */
  readonly cpu: number;
  readonly memory: number;
}

export interface DecisionRecord {
  /** ms since the start. */
  readonly t: number;
  readonly kind: Decision['kind'];
  /** What was done, e.g. `scale up pool-a 1->4 (max: 10)`, `delete empty node pool-a-000003`. */
  readonly actions: readonly string[];
  /** Why, in words: the expander's choice, per-group rejections, cooldowns, utilization. */
  readonly reasons: readonly string[];
  /** The Events cluster-autoscaler would record (repeats within 5 min left out). */
  readonly events: ReadonlyArray<Pick<PlannedEvent, 'type' | 'reason' | 'message'> & { readonly object: string }>;
}

export interface SimulationStats {
  readonly peakNodes: number;
  readonly peakAt: number;
  readonly peakPerGroup: Readonly<Record<string, number>>;
  /** Arrival (or re-creation after eviction) to binding, ms, sorted. */
  readonly waits: readonly number[];
  readonly neverScheduled: number;
  readonly arrived: number;
  readonly departed: number;
  readonly scaleUps: number;
  readonly nodesAdded: number;
  readonly scaleDowns: number;
  readonly nodesRemoved: number;
  /** Instance-minutes: from `IncreaseSize` (billing starts) to deletion or the end. */
  readonly nodeMinutes: number;
  readonly iterations: number;
}

export interface SimulationReport {
  readonly duration: number;
  readonly scanInterval: number;
  readonly groups: ReadonlyArray<{ readonly name: string; readonly min: number; readonly max: number; readonly cpu: string; readonly memory: string; readonly pods: number }>;
  readonly timeline: readonly Sample[];
  readonly decisions: readonly DecisionRecord[];
  readonly stats: SimulationStats;
}

interface SimInstance {
  readonly id: number;
  readonly providerID: string;
  readonly nodeName: string;
  readonly createdAt: number;
  readonly readyAt: number;
  node?: Node;
}

interface SimGroup {
  readonly spec: TraceScaleSet;
  instances: SimInstance[];
  nextId: number;
  readonly template: TemplateNodeInfo;
}

interface SimPod {
  readonly name: string;
  readonly workload: string;
  readonly arrival: TraceArrival;
  createdAt: number;
  readonly seq: number;
  node?: string;
  leaveAt?: number;
}

/** mulberry32: a small seeded generator, so the `random` expander replays the same way. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (t: number) => new Date(SIM_EPOCH + t).toISOString();

function nodeObject(s: TraceScaleSet, name: string, providerID: string, readyAt: number): Node {
  const allocatable = { cpu: s.sku.cpu, memory: s.sku.memory, pods: String(s.sku.pods) };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      creationTimestamp: iso(readyAt),
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': s.sku.name,
        agentpool: s.name,
        ...s.labels,
      },
    },
    spec: { ...(providerID ? { providerID } : {}), ...(s.taints.length ? { taints: [...s.taints] } : {}) },
    status: { allocatable, capacity: allocatable, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(readyAt) }] },
  };
}

// Planners never mutate their input, so a pod's object is reused until it is bound or re-created.
const podObjects = new WeakMap<SimPod, { readonly key: string; readonly pod: Pod }>();

function podObject(p: SimPod): Pod {
  const key = `${p.node ?? ''}\0${p.createdAt}`;
  const cached = podObjects.get(p);
  if (cached?.key === key) return cached.pod;
  const pod = buildPod(p);
  podObjects.set(p, { key, pod });
  return pod;
}

function buildPod(p: SimPod): Pod {
  const a = p.arrival;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace: NAMESPACE,
      uid: `uid-${p.name}`,
      creationTimestamp: iso(p.createdAt),
      labels: { app: p.workload },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: p.workload, uid: `uid-rs-${p.workload}`, controller: true }],
    },
    spec: {
      containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', ...(Object.keys(a.requests).length ? { resources: { requests: { ...a.requests } } } : {}) }],
      ...(p.node ? { nodeName: p.node } : {}),
      ...(a.priority !== undefined ? { priority: a.priority } : {}),
      ...(a.nodeSelector ? { nodeSelector: { ...a.nodeSelector } } : {}),
      ...(a.tolerations ? { tolerations: a.tolerations.map((t) => ({ ...t })) } : {}),
    },
    status: p.node
      ? { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }] }
      : { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
  };
}

export interface SimulateOptions {
  /** Cluster-autoscaler's options (the trace's `options:` and the command line's flags, parsed). */
  readonly options: AutoscalerOptions;
}

/** Replay `trace`; see the file comment for what is modelled. */
export function simulate(trace: Trace, { options }: SimulateOptions): SimulationReport {
  const random = seededRandom(trace.seed);
  const groups: SimGroup[] = trace.scaleSets.map((s) => ({
    spec: s,
    instances: [],
    nextId: 0,
    template: { node: nodeObject(s, `${s.name}-template`, '', 0), pods: [] },
  }));
  const byName = new Map(groups.map((g) => [g.spec.name, g] as const));
  const pods: SimPod[] = [];
  const seqs = new Map<string, number>();
  const waits: number[] = [];
  const decisions: DecisionRecord[] = [];
  const timeline: Sample[] = [];
  const lastEventAt = new Map<string, number>();
  let arrived = 0;
  let departed = 0;
  let scaleUps = 0;
  let nodesAdded = 0;
  let scaleDowns = 0;
  let nodesRemoved = 0;
  let instanceMs = 0;
  let iterations = 0;
  let peak = { nodes: -1, at: 0 };
  const peakPerGroup: Record<string, number> = {};

  const addInstances = (g: SimGroup, n: number, t: number, immediate: boolean) => {
    for (let i = 0; i < n; i++) {
      const id = g.nextId++;
      const nodeName = `${g.spec.name}-${String(id).padStart(6, '0')}`;
      const readyAt = immediate ? t : t + g.spec.provisioningDelay;
      g.instances.push({ id, providerID: `sim://${g.spec.name}/${id}`, nodeName, createdAt: t, readyAt });
    }
  };
  const removeInstance = (g: SimGroup, inst: SimInstance, t: number) => {
    g.instances = g.instances.filter((i) => i !== inst);
    instanceMs += t - inst.createdAt;
    // Pods on a deleted node are re-created pending by their ReplicaSet.
    for (const p of pods) if (p.node === inst.nodeName) evict(p, t);
  };
  /** Newest instances that have not registered yet, `n` of them (a target decrease). */
  const dropUnregistered = (g: SimGroup, n: number, t: number) => {
    const unregistered = g.instances.filter((i) => i.readyAt > t).reverse();
    for (const inst of unregistered.slice(0, n)) removeInstance(g, inst, t);
  };
  const evict = (p: SimPod, t: number) => {
    p.node = undefined;
    p.createdAt = t;
  };
  const registered = (g: SimGroup, t: number) => g.instances.filter((i) => i.readyAt <= t);
  const nodeOf = (g: SimGroup, inst: SimInstance): Node => (inst.node ??= nodeObject(g.spec, inst.nodeName, inst.providerID, inst.readyAt));

  for (const g of groups) addInstances(g, g.spec.initial, 0, true);

  const depart = (p: SimPod) => {
    const i = pods.indexOf(p);
    if (i >= 0) pods.splice(i, 1);
    departed++;
  };

  const applyEvent = (t: number, e: Trace['events'][number]) => {
    if (e.kind === 'arrive') {
      for (let i = 0; i < e.count; i++) {
        const seq = seqs.get(e.workload) ?? 0;
        seqs.set(e.workload, seq + 1);
        pods.push({ name: `${e.workload}-${seq}`, workload: e.workload, arrival: e, createdAt: t, seq, ...(e.lifetime !== undefined ? { leaveAt: t + e.lifetime } : {}) });
        arrived++;
      }
      return;
    }
    // Pending pods first, as a ReplicaSet scaling down deletes unscheduled pods first; then the newest.
    const mine = pods.filter((p) => p.workload === e.workload).sort((a, b) => (a.node ? 1 : 0) - (b.node ? 1 : 0) || b.seq - a.seq);
    for (const p of mine.slice(0, e.count ?? mine.length)) depart(p);
  };

  /** The virtual scheduler: pending pods, highest priority then oldest first, onto the first node they fit. */
  const schedule = (t: number) => {
    const nodes = groups.flatMap((g) => registered(g, t).map((i) => nodeOf(g, i)));
    const onNode = new Map<string, Pod[]>();
    for (const p of pods) if (p.node) onNode.set(p.node, [...(onNode.get(p.node) ?? []), podObject(p)]);
    const world = nodes.map((n) => nodeInfo(n, onNode.get(n.metadata!.name!) ?? []));
    const pending = pods.filter((p) => !p.node).sort((a, b) => (b.arrival.priority ?? 0) - (a.arrival.priority ?? 0) || a.createdAt - b.createdAt || a.seq - b.seq);
    // Pods of one arrival are interchangeable: once one fits nowhere, the rest will not either.
    const noFit = new Set<TraceArrival>();
    for (const p of pending) {
      if (noFit.has(p.arrival)) continue;
      const pi = podInfo(podObject(p));
      const target = firstFit(pi, world, world);
      if (!target) {
        noFit.add(p.arrival);
        continue;
      }
      target.addPod(pi);
      p.node = target.name;
      waits.push(t - p.createdAt);
    }
  };

  const snapshotGroups = (t: number): NodeGroup[] =>
    groups.map((g) => ({
      id: g.spec.name,
      minSize: g.spec.min,
      maxSize: g.spec.max,
      targetSize: g.instances.length,
      instances: g.instances.map((i) => ({ id: i.providerID, state: i.readyAt <= t ? 'Running' : 'Creating', createdAt: SIM_EPOCH + i.createdAt })),
      template: g.template,
    }));

  let registry: RegistryState = EMPTY_REGISTRY_STATE;
  let scaleDown: ScaleDownState = initialScaleDownState(SIM_EPOCH);
  let previousStatus: AutoscalerStatus | undefined;

  const increase = (incs: readonly GroupIncrease[], t: number, actions: string[]) => {
    for (const inc of incs) {
      const g = byName.get(inc.group);
      const delta = inc.newSize - inc.current;
      if (!g || delta <= 0) continue;
      addInstances(g, delta, t, false);
      registry = registerScaleUp(registry, inc.group, delta, SIM_EPOCH + t, options);
      scaleDown = recordScaleUp(scaleDown, SIM_EPOCH + t);
      scaleUps++;
      nodesAdded += delta;
      actions.push(`scale up ${inc.group} ${inc.current}->${inc.newSize} (max: ${inc.max})`);
    }
  };

  const deleteNodes = (names: readonly string[], t: number) => {
    for (const name of names) {
      for (const g of groups) {
        const inst = g.instances.find((i) => i.nodeName === name);
        if (inst) removeInstance(g, inst, t);
      }
    }
  };

  const iterate = (t: number) => {
    iterations++;
    const now = SIM_EPOCH + t;
    const nodes = groups.flatMap((g) => registered(g, t).map((i) => nodeOf(g, i)));
    const r = runOnce({
      snapshot: { nodes, pods: pods.map(podObject), pdbs: [], nodeGroups: snapshotGroups(t), now },
      registry,
      scaleDown,
      options,
      previousStatus,
      random,
    });
    registry = r.registry;
    scaleDown = r.scaleDownState;
    previousStatus = r.status;
    const actions: string[] = [];
    const events: PlannedEvent[] = [...r.events];

    for (const rm of r.removeUnregistered) {
      const g = byName.get(rm.group);
      const inst = g?.instances.find((i) => i.providerID === rm.instanceId);
      if (g && inst) removeInstance(g, inst, t);
      actions.push(`delete unregistered instance ${rm.instanceId}`);
      events.push(rm.event);
    }
    for (const rv of r.revertScaleUps) {
      const g = byName.get(rv.group);
      if (g) dropUnregistered(g, -rv.delta, t);
      actions.push(`revert timed-out scale-up of ${rv.group} by ${rv.delta}`);
    }
    const d = r.decision;
    switch (d.kind) {
      case 'fixNodeGroupSizes':
        for (const fix of d.fixes) {
          const g = byName.get(fix.group);
          if (g) dropUnregistered(g, -fix.delta, t);
          actions.push(`decrease target of ${fix.group} by ${-fix.delta}`);
        }
        break;
      case 'scaleUp':
        increase(d.plan.increases, t, actions);
        events.push(...d.plan.successEvents);
        break;
      case 'scaleDown':
        if (d.plan.empty.length) {
          deleteNodes(d.plan.empty.map((e) => e.node), t);
          for (const e of d.plan.empty) actions.push(`delete empty node ${e.node} (${e.group})`);
          events.push(...d.plan.successEvents);
          scaleDowns++;
          nodesRemoved += d.plan.empty.length;
        } else if (d.plan.drain) {
          deleteNodes([d.plan.drain.node], t);
          actions.push(`drain and delete node ${d.plan.drain.node} (${d.plan.drain.group}), moving ${d.plan.drain.pods.length} pod(s)`);
          scaleDowns++;
          nodesRemoved++;
        }
        scaleDown = recordScaleDown(scaleDown, now, 'deleted');
        increase(d.enforceMinSize, t, actions);
        break;
      case 'noScaleDown':
        increase(d.enforceMinSize, t, actions);
        break;
      case 'clusterUnhealthy':
      case 'waitForYoungPods':
        break;
    }

    // Events repeated within 5 minutes are dropped, as the live loop's event sink drops them.
    const fresh = events.filter((e) => {
      const key = `${e.object.kind}/${e.object.namespace ?? ''}/${e.object.name}\0${e.reason}\0${e.message}`;
      const last = lastEventAt.get(key);
      if (last !== undefined && t - last < EVENT_REPEAT) return false;
      lastEventAt.set(key, t);
      return true;
    });
    if (actions.length > 0 || fresh.length > 0) {
      decisions.push({
        t,
        kind: d.kind,
        actions,
        reasons: explain(r, options),
        events: fresh.map((e) => ({ object: `${e.object.kind}/${e.object.namespace ? `${e.object.namespace}/` : ''}${e.object.name}`, type: e.type, reason: e.reason, message: e.message })),
      });
    }
  };

  const sample = (t: number) => {
    const nodes: Record<string, number> = {};
    const target: Record<string, number> = {};
    let alloc = { cpu: 0, memory: 0 };
    let total = 0;
    for (const g of groups) {
      const reg = registered(g, t);
      nodes[g.spec.name] = reg.length;
      target[g.spec.name] = g.instances.length;
      total += reg.length;
      peakPerGroup[g.spec.name] = Math.max(peakPerGroup[g.spec.name] ?? 0, reg.length);
      alloc = { cpu: alloc.cpu + reg.length * milliValue(g.spec.sku.cpu), memory: alloc.memory + reg.length * intValue(g.spec.sku.memory) };
    }
    if (total > peak.nodes) peak = { nodes: total, at: t };
    let cpu = 0;
    let memory = 0;
    let running = 0;
    for (const p of pods) {
      if (!p.node) continue;
      running++;
      cpu += milliValue(p.arrival.requests.cpu);
      memory += intValue(p.arrival.requests.memory);
    }
    const s: Sample = {
      t,
      nodes,
      target,
      pending: pods.length - running,
      running,
      cpu: alloc.cpu > 0 ? cpu / alloc.cpu : 0,
      memory: alloc.memory > 0 ? memory / alloc.memory : 0,
    };
    // Consecutive identical samples add nothing to the plot: keep the first and the last of a run.
    const prev = timeline[timeline.length - 1];
    const prev2 = timeline[timeline.length - 2];
    if (prev && prev2 && sameValues(prev, s) && sameValues(prev2, s)) timeline[timeline.length - 1] = s;
    else timeline.push(s);
  };

  // The event loop: the next of a scan, a trace event, a pod's end of life, or a node registering.
  let nextScan = 0;
  let ei = 0;
  let lastT = -1;
  const events = trace.events;
  for (;;) {
    let next = Math.min(nextScan, ei < events.length ? events[ei].at : Infinity);
    for (const p of pods) if (p.leaveAt !== undefined && p.leaveAt < next) next = p.leaveAt;
    for (const g of groups) for (const i of g.instances) if (i.readyAt > lastT && i.readyAt < next) next = i.readyAt;
    if (next > trace.duration) break;
    const t = next;
    while (ei < events.length && events[ei].at <= t) applyEvent(t, events[ei++]);
    for (const p of pods.filter((x) => x.leaveAt !== undefined && x.leaveAt <= t)) depart(p);
    schedule(t);
    if (t >= nextScan) {
      iterate(t);
      schedule(t);
      nextScan = t + options.scanInterval;
    }
    sample(t);
    lastT = t;
  }
  sample(trace.duration);

  for (const g of groups) for (const i of g.instances) instanceMs += trace.duration - i.createdAt;
  const neverScheduled = pods.filter((p) => !p.node).length;
  return {
    duration: trace.duration,
    scanInterval: options.scanInterval,
    groups: trace.scaleSets.map((s) => ({ name: s.name, min: s.min, max: s.max, cpu: s.sku.cpu, memory: s.sku.memory, pods: s.sku.pods })),
    timeline,
    decisions,
    stats: {
      peakNodes: Math.max(0, peak.nodes),
      peakAt: peak.at,
      peakPerGroup,
      waits: [...waits].sort((a, b) => a - b),
      neverScheduled,
      arrived,
      departed,
      scaleUps,
      nodesAdded,
      scaleDowns,
      nodesRemoved,
      nodeMinutes: instanceMs / 60_000,
      iterations,
    },
  };
}

function sameValues(a: Sample, b: Sample): boolean {
  return a.pending === b.pending && a.running === b.running && a.cpu === b.cpu && a.memory === b.memory && JSON.stringify(a.nodes) === JSON.stringify(b.nodes) && JSON.stringify(a.target) === JSON.stringify(b.target);
}
