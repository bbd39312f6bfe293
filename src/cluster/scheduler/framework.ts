/**
 * The scheduler framework's plain types, as kube-scheduler's framework package has them: a typed
 * `Status` per decision, small extension-point interfaces (PreFilter, Filter, PreScore, Score,
 * PostFilter), and `NodeInfo` — a node with the pods on it and what they request, kept
 * incrementally so each filter is a few comparisons.
 */
import type { V1Node, V1Pod, V1PodAffinityTerm, V1Taint, V1WeightedPodAffinityTerm } from '@kubernetes/client-node';
import { labelSelectorFromObject, type LabelSelector } from '../../apimachinery/label-selector.js';
import { allocatableOf, emptyResource, podRequests, type Resource } from './resources.js';

export type { Resource } from './resources.js';

// ---- Status -------------------------------------------------------------------------------------

/** Why a node cannot take a pod, or that something broke; `Skip` lets a PreScore plugin opt out. */
export type Status =
  | { readonly code: 'Success' }
  | { readonly code: 'Skip' }
  | {
      readonly code: 'Unschedulable' | 'UnschedulableAndUnresolvable' | 'Error';
      readonly reasons: readonly string[];
      readonly plugin?: string;
    };

export type RejectedStatus = Extract<Status, { reasons: readonly string[] }>;

export const SUCCESS: Status = Object.freeze({ code: 'Success' });
export const SKIP: Status = Object.freeze({ code: 'Skip' });

/** A node that cannot take the pod now, but could if pods were removed from it (preemption may help). */
export function unschedulable(plugin: string, ...reasons: string[]): RejectedStatus {
  return { code: 'Unschedulable', reasons, plugin };
}

/** A node that cannot take the pod however many pods are removed from it. */
export function unresolvable(plugin: string, ...reasons: string[]): RejectedStatus {
  return { code: 'UnschedulableAndUnresolvable', reasons, plugin };
}

export function isSuccess(s: Status): boolean {
  return s.code === 'Success';
}

export function isRejected(s: Status): s is RejectedStatus {
  return s.code === 'Unschedulable' || s.code === 'UnschedulableAndUnresolvable';
}

// ---- Pods ---------------------------------------------------------------------------------------

/** `framework.AffinityTerm`: a PodAffinityTerm with its selectors parsed once. */
export interface AffinityTerm {
  readonly namespaces: ReadonlySet<string>;
  /** undefined: only `namespaces` count. */
  readonly namespaceSelector: LabelSelector | undefined;
  readonly selector: LabelSelector;
  readonly topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  readonly weight: number;
}

export interface HostPort {
  readonly ip: string;
  readonly protocol: string;
  readonly port: number;
}

/** A pod with what the plugins need computed once (`framework.PodInfo`). */
export interface PodInfo {
  readonly pod: V1Pod;
  /** `namespace/name`. */
  readonly key: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** `spec.priority`, 0 when unset. */
  readonly priority: number;
  /** Requests as the fit filter counts them. */
  readonly requests: Resource;
  /** cpu and memory with 100m / 200Mi for containers that request none, as the scorers count them. */
  readonly nonZeroMilliCPU: number;
  readonly nonZeroMemory: number;
  readonly hostPorts: readonly HostPort[];
  readonly requiredAffinityTerms: readonly AffinityTerm[];
  readonly requiredAntiAffinityTerms: readonly AffinityTerm[];
  readonly preferredAffinityTerms: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinityTerms: readonly WeightedAffinityTerm[];
  /** `namespace/uid` of the controller owner (ReplicaSet, StatefulSet, …), for default spreading. */
  readonly ownerKey: string | undefined;
  /** `ownerKey` as a small number (0: no owner), so counting per node is a cheap lookup. */
  readonly ownerId: number;
  /** `metadata.deletionTimestamp` is set. */
  readonly terminating: boolean;
}

function affinityTerm(pod: V1Pod, term: V1PodAffinityTerm): AffinityTerm {
  const namespace = pod.metadata?.namespace ?? 'default';
  const namespaces = new Set<string>();
  // getNamespacesFromPodAffinityTerm: no namespaces and no namespaceSelector means the pod's own.
  if (!term.namespaces?.length && !term.namespaceSelector) namespaces.add(namespace);
  else for (const ns of term.namespaces ?? []) namespaces.add(ns);
  return {
    namespaces,
    namespaceSelector: term.namespaceSelector ? safeSelector(term.namespaceSelector) : undefined,
    selector: safeSelector(term.labelSelector),
    topologyKey: term.topologyKey,
  };
}

function safeSelector(sel: Parameters<typeof labelSelectorFromObject>[0]): LabelSelector {
  try {
    return labelSelectorFromObject(sel);
  } catch {
    return labelSelectorFromObject(undefined); // an invalid selector selects nothing
  }
}

function weighted(pod: V1Pod, terms: readonly V1WeightedPodAffinityTerm[] | undefined): WeightedAffinityTerm[] {
  return (terms ?? []).map((t) => ({ ...affinityTerm(pod, t.podAffinityTerm), weight: t.weight }));
}

/** `AffinityTerm.Matches`: the pod is in one of the term's namespaces and its labels match. */
export function termMatches(term: AffinityTerm, pod: PodInfo, namespaceLabels?: Readonly<Record<string, string>>): boolean {
  if (term.namespaces.has(pod.namespace) || (term.namespaceSelector !== undefined && term.namespaceSelector.matches(namespaceLabels))) {
    return term.selector.matches(pod.labels);
  }
  return false;
}

const NO_TERMS: readonly never[] = Object.freeze([]);

/** Owner keys → ids. Grows by one small entry per distinct owner seen. */
const ownerIds = new Map<string, number>();
function ownerIdOf(key: string | undefined): number {
  if (key === undefined) return 0;
  let id = ownerIds.get(key);
  if (id === undefined) ownerIds.set(key, (id = ownerIds.size + 1));
  return id;
}

export function newPodInfo(pod: V1Pod): PodInfo {
  const namespace = pod.metadata?.namespace ?? 'default';
  const nonZero = podRequests(pod, { nonMissing: true });
  const hostPorts: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.hostPort && p.hostPort > 0) hostPorts.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  const affinity = pod.spec?.affinity;
  const owner = pod.metadata?.ownerReferences?.find((r) => r.controller);
  const ownerKey = owner ? `${namespace}/${owner.uid}` : undefined;
  return {
    pod,
    key: `${namespace}/${pod.metadata?.name ?? ''}`,
    namespace,
    labels: pod.metadata?.labels ?? {},
    priority: pod.spec?.priority ?? 0,
    requests: podRequests(pod),
    nonZeroMilliCPU: nonZero.milliCPU,
    nonZeroMemory: nonZero.memory,
    hostPorts,
    requiredAffinityTerms: affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.map((t) => affinityTerm(pod, t)) ?? NO_TERMS,
    requiredAntiAffinityTerms: affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.map((t) => affinityTerm(pod, t)) ?? NO_TERMS,
    preferredAffinityTerms: affinity?.podAffinity ? weighted(pod, affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution) : NO_TERMS,
    preferredAntiAffinityTerms: affinity?.podAntiAffinity ? weighted(pod, affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution) : NO_TERMS,
    ownerKey,
    ownerId: ownerIdOf(ownerKey),
    terminating: pod.metadata?.deletionTimestamp != null,
  };
}

/** Whether the pod has any pod affinity or anti-affinity (`podWithAffinity`). */
export function hasPodAffinity(p: PodInfo): boolean {
  const a = p.pod.spec?.affinity;
  return a?.podAffinity != null || a?.podAntiAffinity != null;
}

// ---- Nodes --------------------------------------------------------------------------------------

/** `utilnode.GetZoneKey`: region and zone (GA labels, else the beta failure-domain ones), or ''. */
export function zoneKey(labels: Readonly<Record<string, string>>): string {
  const zone = labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? '';
  const region = labels['topology.kubernetes.io/region'] ?? labels['failure-domain.beta.kubernetes.io/region'] ?? '';
  if (region === '' && zone === '') return '';
  // The NUL guards against a region or zone containing a colon.
  return `${region}:\0:${zone}`;
}

/** Condition → taint, as the node lifecycle controller taints nodes by condition (TaintNodesByCondition). */
const CONDITION_TAINTS: ReadonlyArray<{ type: string; status: string; key: string }> = [
  { type: 'Ready', status: 'False', key: 'node.kubernetes.io/not-ready' },
  { type: 'Ready', status: 'Unknown', key: 'node.kubernetes.io/unreachable' },
  { type: 'MemoryPressure', status: 'True', key: 'node.kubernetes.io/memory-pressure' },
  { type: 'DiskPressure', status: 'True', key: 'node.kubernetes.io/disk-pressure' },
  { type: 'NetworkUnavailable', status: 'True', key: 'node.kubernetes.io/network-unavailable' },
  { type: 'PIDPressure', status: 'True', key: 'node.kubernetes.io/pid-pressure' },
];

/**
 * The node's taints plus the NoSchedule taints its conditions imply, as a cluster with the node
 * lifecycle controller would show them: a node that is not Ready carries
 * `node.kubernetes.io/not-ready:NoSchedule` (a node with no Ready condition yet, too — the kubelet
 * registers nodes with that taint), so the TaintToleration filter keeps pods off it.
 */
export function effectiveTaints(node: V1Node): V1Taint[] {
  const taints = [...(node.spec?.taints ?? [])];
  const conditions = node.status?.conditions ?? [];
  const has = (key: string) => taints.some((t) => t.key === key && t.effect === 'NoSchedule');
  if (!conditions.some((c) => c.type === 'Ready') && !has('node.kubernetes.io/not-ready')) {
    taints.push({ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' });
  }
  for (const m of CONDITION_TAINTS) {
    if (conditions.some((c) => c.type === m.type && c.status === m.status) && !has(m.key)) {
      taints.push({ key: m.key, effect: 'NoSchedule' });
    }
  }
  return taints;
}

/**
 * A node and the pods on it (bound or assumed), with running totals (`framework.NodeInfo`).
 * Mutated only through `addPod`/`removePod`; `generation` counts changes.
 */
export class NodeInfo {
  node: V1Node;
  readonly name: string;
  labels: Readonly<Record<string, string>>;
  /** Region and zone (`utilnode.GetZoneKey`), '' when the node has neither label. */
  zone: string;
  taints: readonly V1Taint[];
  allocatable: Resource;
  /** Sum of the pods' requests. */
  readonly requested: Resource = emptyResource();
  /** Sum of the pods' cpu and memory with container defaults (for the scorers). */
  nonZeroMilliCPU = 0;
  nonZeroMemory = 0;
  readonly pods = new Map<string, PodInfo>();
  /** Pods with pod affinity or anti-affinity of any kind. */
  readonly podsWithAffinity = new Set<PodInfo>();
  /** Pods with required anti-affinity terms. */
  readonly podsWithRequiredAntiAffinity = new Set<PodInfo>();
  /** `protocol/port` → host IPs in use. */
  readonly usedPorts = new Map<string, string[]>();
  /** Pods per controller owner (`PodInfo.ownerId`), not counting terminating ones, for default spreading. */
  readonly ownerCounts = new Map<number, number>();
  generation = 0;

  constructor(node: V1Node) {
    this.node = node;
    this.name = node.metadata?.name ?? '';
    this.labels = node.metadata?.labels ?? {};
    this.zone = zoneKey(this.labels);
    this.taints = effectiveTaints(node);
    this.allocatable = allocatableOf(node.status?.allocatable);
  }

  /** Replace the Node object (labels, taints, allocatable), keeping the pods. */
  setNode(node: V1Node): void {
    this.node = node;
    this.labels = node.metadata?.labels ?? {};
    this.zone = zoneKey(this.labels);
    this.taints = effectiveTaints(node);
    this.allocatable = allocatableOf(node.status?.allocatable);
    this.generation++;
  }

  addPod(p: PodInfo): void {
    if (this.pods.has(p.key)) this.removePod(p.key);
    this.pods.set(p.key, p);
    this.update(p, 1);
    if (hasPodAffinity(p)) this.podsWithAffinity.add(p);
    if (p.requiredAntiAffinityTerms.length > 0) this.podsWithRequiredAntiAffinity.add(p);
    for (const hp of p.hostPorts) {
      const k = `${hp.protocol}/${hp.port}`;
      const ips = this.usedPorts.get(k);
      if (ips) ips.push(hp.ip);
      else this.usedPorts.set(k, [hp.ip]);
    }
    if (p.ownerId && !p.terminating) this.ownerCounts.set(p.ownerId, (this.ownerCounts.get(p.ownerId) ?? 0) + 1);
  }

  /** Remove the pod with this key; returns it, or undefined when it was not here. */
  removePod(key: string): PodInfo | undefined {
    const p = this.pods.get(key);
    if (!p) return undefined;
    this.pods.delete(key);
    this.update(p, -1);
    this.podsWithAffinity.delete(p);
    this.podsWithRequiredAntiAffinity.delete(p);
    for (const hp of p.hostPorts) {
      const k = `${hp.protocol}/${hp.port}`;
      const ips = this.usedPorts.get(k);
      if (!ips) continue;
      const i = ips.indexOf(hp.ip);
      if (i >= 0) ips.splice(i, 1);
      if (ips.length === 0) this.usedPorts.delete(k);
    }
    if (p.ownerId && !p.terminating) {
      const n = (this.ownerCounts.get(p.ownerId) ?? 0) - 1;
      if (n > 0) this.ownerCounts.set(p.ownerId, n);
      else this.ownerCounts.delete(p.ownerId);
    }
    return p;
  }

  /** A copy with the same node and pods, for what-if simulations (preemption). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.node);
    for (const p of this.pods.values()) c.addPod(p);
    return c;
  }

  private update(p: PodInfo, sign: 1 | -1): void {
    const r = this.requested;
    r.milliCPU += sign * p.requests.milliCPU;
    r.memory += sign * p.requests.memory;
    r.ephemeralStorage += sign * p.requests.ephemeralStorage;
    for (const k in p.requests.scalar) r.scalar[k] = (r.scalar[k] ?? 0) + sign * p.requests.scalar[k];
    this.nonZeroMilliCPU += sign * p.nonZeroMilliCPU;
    this.nonZeroMemory += sign * p.nonZeroMemory;
    this.generation++;
  }
}

// ---- Extension points ---------------------------------------------------------------------------

/** Data a scheduling cycle's plugins share (`framework.CycleState`), keyed by plugin. */
export type CycleState = Map<string, unknown>;

export interface Plugin {
  readonly name: string;
}

/** Runs once per pod before the filters, with every node (to precompute, or to reject early). */
export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status;
}

/** Can this node take the pod? Called for node after node; must be cheap. */
export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status;
}

/** Runs once per pod before scoring, with the nodes that passed the filters. `Skip` opts out of Score. */
export interface PreScorePlugin extends Plugin {
  preScore(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], all: readonly NodeInfo[]): Status;
}

export interface NodeScore {
  readonly name: string;
  score: number;
}

/** 0–100 per node after `normalizeScore` (kube's MaxNodeScore is 100). */
export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: PodInfo, node: NodeInfo): number;
  /** Scale the raw scores of all feasible nodes into 0–100, in place. */
  normalizeScore?(state: CycleState, pod: PodInfo, scores: NodeScore[], nodes: readonly NodeInfo[]): void;
}

/** What a PostFilter plugin (preemption) found when no node fit. */
export interface PostFilterResult {
  readonly status: Status;
  /** The node on which evicting `victims` makes room (status Success). */
  readonly nominatedNode?: string;
  readonly victims?: readonly PodInfo[];
}

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[], statuses: ReadonlyMap<string, RejectedStatus>, filter: (pod: PodInfo, node: NodeInfo) => Status): PostFilterResult;
}

export const MAX_NODE_SCORE = 100;

/** helper.DefaultNormalizeScore: scale to 0–100 by the maximum (and flip for `reverse`). */
export function defaultNormalizeScore(scores: NodeScore[], reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s.score > max) max = s.score;
  if (max === 0) {
    if (reverse) for (const s of scores) s.score = MAX_NODE_SCORE;
    return;
  }
  for (const s of scores) {
    let v = Math.trunc((MAX_NODE_SCORE * s.score) / max);
    if (reverse) v = MAX_NODE_SCORE - v;
    s.score = v;
  }
}

// ---- FitError -----------------------------------------------------------------------------------

/** `framework.NoNodeAvailableMsg`. */
export const NO_NODE_AVAILABLE_MSG = (n: number) => `0/${n} nodes are available`;
/** `ErrNoNodesAvailable`. */
export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

/**
 * `FitError.Error()` of kube-scheduler 1.32: `0/N nodes are available: <count reason, …>.` with the
 * reason counts sorted as strings, nodes absent from `statuses` counted under `absentReasons`, then
 * the PostFilter (preemption) message.
 */
export function fitErrorMessage(
  numAllNodes: number,
  statuses: Iterable<RejectedStatus>,
  opts: { absent?: { count: number; reasons: readonly string[] }; postFilterMessage?: string } = {},
): string {
  const counts = new Map<string, number>();
  for (const s of statuses) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  if (opts.absent && opts.absent.count > 0) for (const r of opts.absent.reasons) counts.set(r, (counts.get(r) ?? 0) + opts.absent.count);
  const histogram = [...counts].map(([reason, n]) => `${n} ${reason}`).sort();
  let msg = `${NO_NODE_AVAILABLE_MSG(numAllNodes)}:`;
  if (histogram.length > 0) msg += ` ${histogram.join(', ')}.`;
  if (opts.postFilterMessage) msg += ` ${opts.postFilterMessage}`;
  return msg;
}
