/**
 * The scheduler's predicates, run the way cluster-autoscaler's simulations run them: does this pod
 * fit on this real, upcoming or template node, given every other node's pods? The rules (resources,
 * taints and tolerations, node affinity and selectors, pod (anti-)affinity, host ports) and their
 * reason texts come from src/cluster/scheduler, so a simulation and the scheduler cannot disagree.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { defaultProfile, NodeInfo, newPodInfo, type CycleState, type PodInfo, type Status } from '../cluster/scheduler/index.js';
import type { Node, Pod } from './types.js';

export { NodeInfo };
export type { PodInfo };

// kubernetes-types and @kubernetes/client-node describe the same JSON; only their timestamp types
// differ (string vs Date), and the scheduler reads timestamps only for presence.
export function asV1Pod(pod: Pod): V1Pod {
  return pod as unknown as V1Pod;
}
export function asV1Node(node: Node): V1Node {
  return node as unknown as V1Node;
}

export function podInfo(pod: Pod): PodInfo {
  return newPodInfo(asV1Pod(pod));
}

export function nodeInfo(node: Node, pods: Iterable<Pod> = []): NodeInfo {
  const ni = new NodeInfo(asV1Node(node));
  for (const p of pods) ni.addPod(podInfo(p));
  return ni;
}

/** Why the pod cannot go on the node: the rejecting plugin's reasons; empty when it fits. */
export type FitReasons = readonly string[];

/**
 * The scheduler's PreFilter extension points for this pod against `all` nodes (inter-pod affinity
 * counts placed pods across every node). Returns the cycle state to filter with, or the reasons
 * that apply to every node.
 */
export function prepare(pod: PodInfo, all: readonly NodeInfo[]): { state: CycleState; rejected?: FitReasons } {
  const state: CycleState = new Map();
  for (const plugin of defaultProfile.preFilter) {
    const st = plugin.preFilter(state, pod, all);
    if (st.code !== 'Success' && st.code !== 'Skip') return { state, rejected: st.reasons };
  }
  return { state };
}

/** The scheduler's Filter plugins in order; the first rejection's reasons. */
export function filter(state: CycleState, pod: PodInfo, node: NodeInfo): FitReasons {
  for (const plugin of defaultProfile.filter) {
    const st: Status = plugin.filter(state, pod, node);
    if (st.code === 'Success' || st.code === 'Skip') continue;
    return st.reasons;
  }
  return [];
}

/**
 * Whether the other nodes' pods can matter to this pod: it has required (anti-)affinity terms, or
 * some node holds a pod with required anti-affinity. When neither, predicates need only the
 * candidate node, which keeps simulations over thousands of nodes cheap.
 */
export function needsWorld(pod: PodInfo, world: readonly NodeInfo[]): boolean {
  if (pod.requiredAffinityTerms.length > 0 || pod.requiredAntiAffinityTerms.length > 0) return true;
  for (const n of world) if (n.podsWithRequiredAntiAffinity.size > 0) return true;
  return false;
}

/** Whether the pod fits on `node`, with `all` the nodes whose pods count for affinity. */
export function checkPredicates(pod: PodInfo, node: NodeInfo, all: readonly NodeInfo[]): FitReasons {
  const { state, rejected } = prepare(pod, all);
  if (rejected) return rejected;
  return filter(state, pod, node);
}

/** The first of `candidates` the pod fits on (CA's `FitsAnyNode`), skipping names in `exclude`. */
export function firstFit(pod: PodInfo, candidates: readonly NodeInfo[], all: readonly NodeInfo[], exclude?: ReadonlySet<string>): NodeInfo | undefined {
  const { state, rejected } = prepare(pod, all);
  if (rejected) return undefined;
  for (const node of candidates) {
    if (exclude?.has(node.name)) continue;
    if (filter(state, pod, node).length === 0) return node;
  }
  return undefined;
}
