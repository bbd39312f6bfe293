/**
 * The binpacking estimator (spec §4.3): how many template nodes would the pods need? Pods are taken
 * one equivalence group at a time, in decreasing order of cpu/allocatable + memory/allocatable of
 * the template (first fit decreasing). A group's pods go first onto the nodes added so far, then
 * onto the last added node, a new node being added only when that one already holds a pod and the
 * node limit allows — so a pod that fits no empty node never adds one.
 */
import { podRequests } from '../cluster/scheduler/index.js';
import type { EquivalenceGroup } from './equivalence.js';
import { asV1Pod, filter, firstFit, nodeInfo, podInfo, prepare, type NodeInfo, type PodInfo } from './simulator.js';
import { sanitizeNodeInfo } from './template.js';
import type { Pod, TemplateNodeInfo } from './types.js';

export interface EstimateOptions {
  /** At most this many new nodes (`--max-nodes-per-scaleup`, group headroom, cluster headroom). */
  readonly maxNodes: number;
  /** Nodes whose pods count for inter-pod (anti-)affinity (the cluster snapshot). */
  readonly world?: readonly NodeInfo[];
}

export interface Estimate {
  /** New nodes that received at least one pod. */
  readonly nodeCount: number;
  /** Pods placed on the new nodes, in placement order. */
  readonly pods: readonly Pod[];
  /** Pods left out because the node limit was reached. */
  readonly unplaced: readonly Pod[];
}

/** The sort key: share of the template's cpu plus share of its memory that one pod requests. */
export function binpackingScore(pod: Pod, template: TemplateNodeInfo): number {
  const t = nodeInfo(template.node).allocatable;
  const r = podRequests(asV1Pod(pod));
  return (t.milliCPU > 0 ? r.milliCPU / t.milliCPU : 0) + (t.memory > 0 ? r.memory / t.memory : 0);
}

export function estimate(groups: readonly EquivalenceGroup[], template: TemplateNodeInfo, opts: EstimateOptions): Estimate {
  const scored = groups.map((g, i) => ({ g, i, score: binpackingScore(g.representative, template) }));
  scored.sort((a, b) => b.score - a.score || a.i - b.i);
  // The cluster's pods matter only for inter-pod (anti-)affinity; skip them when they cannot.
  const worldAntiAffinity = (opts.world ?? []).some((n) => n.podsWithRequiredAntiAffinity.size > 0);
  const newNodes: NodeInfo[] = [];
  const withPods = new Set<NodeInfo>();
  const placed: Pod[] = [];
  const unplaced: Pod[] = [];
  const world = opts.world ?? [];
  const all = (pi: PodInfo) =>
    world.length && (worldAntiAffinity || pi.requiredAffinityTerms.length > 0 || pi.requiredAntiAffinityTerms.length > 0) ? [...world, ...newNodes] : newNodes;
  const fitsOn = (pi: PodInfo, node: NodeInfo): boolean => {
    const { state, rejected } = prepare(pi, all(pi));
    return !rejected && filter(state, pi, node).length === 0;
  };
  const place = (p: Pod, pi: PodInfo, node: NodeInfo) => {
    node.addPod(pi);
    withPods.add(node);
    placed.push(p);
  };
  for (const { g } of scored) {
    let i = 0;
    // First onto the nodes added so far, until a pod of the group fits none of them.
    for (; i < g.pods.length; i++) {
      const pi = podInfo(g.pods[i]);
      const target = firstFit(pi, newNodes, all(pi));
      if (!target) break;
      place(g.pods[i], pi, target);
    }
    // Then onto the last added node, adding nodes while the last one got a pod and the limit allows.
    for (; i < g.pods.length; i++) {
      const p = g.pods[i];
      const pi = podInfo(p);
      const last = newNodes[newNodes.length - 1];
      if (last && fitsOn(pi, last)) {
        place(p, pi, last);
        continue;
      }
      // An empty node that did not take the pod means no new node would.
      if (last && !withPods.has(last)) break;
      if (newNodes.length >= opts.maxNodes) break;
      const t = sanitizeNodeInfo(template.node, template.pods, `template-${newNodes.length}`);
      const fresh = nodeInfo(t.node, t.pods);
      newNodes.push(fresh);
      // The empty node stays even when the pod does not fit it (e.g. zonal spreading).
      if (!fitsOn(pi, fresh)) break;
      place(p, pi, fresh);
    }
    for (; i < g.pods.length; i++) unplaced.push(g.pods[i]);
  }
  return { nodeCount: withPods.size, pods: placed, unplaced };
}
