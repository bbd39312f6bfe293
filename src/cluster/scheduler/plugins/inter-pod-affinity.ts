/**
 * InterPodAffinity: required pod affinity and anti-affinity terms filter nodes by topology domain
 * (a node's value of the term's topology key, e.g. `kubernetes.io/hostname` or
 * `topology.kubernetes.io/zone`), in both directions — the incoming pod's terms against the pods
 * already placed, and the placed pods' anti-affinity terms against the incoming pod. Preferred terms
 * (and placed pods' required affinity, with weight 1) score the domains; scores are scaled min–max
 * to 0–100.
 */
import {
  MAX_NODE_SCORE,
  SKIP,
  SUCCESS,
  termMatches,
  unresolvable,
  unschedulable,
  type AffinityTerm,
  type CycleState,
  type FilterPlugin,
  type NodeInfo,
  type NodeScore,
  type PodInfo,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
  type Status,
  type WeightedAffinityTerm,
} from '../framework.js';

export const NAME = 'InterPodAffinity';
export const ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_REASON_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH = "node(s) didn't match pod anti-affinity rules";
/** `HardPodAffinityWeight`, the default of InterPodAffinityArgs. */
export const HARD_POD_AFFINITY_WEIGHT = 1;

const PRE_SCORE_KEY = `PreScore${NAME}`;

/** Counts of matching pods per topology pair `key\0value`. */
type TopologyCounts = Map<string, number>;

interface PreFilterState {
  readonly existingAntiAffinityCounts: TopologyCounts;
  readonly affinityCounts: TopologyCounts;
  readonly antiAffinityCounts: TopologyCounts;
}

const pair = (key: string, value: string) => `${key}\0${value}`;

function bump(m: TopologyCounts, node: NodeInfo, topologyKey: string, by: number): void {
  const value = node.labels[topologyKey];
  if (value === undefined) return;
  const k = pair(topologyKey, value);
  m.set(k, (m.get(k) ?? 0) + by);
}

function matchesAll(terms: readonly AffinityTerm[], pod: PodInfo): boolean {
  if (terms.length === 0) return false;
  for (const t of terms) if (!termMatches(t, pod)) return false;
  return true;
}

function preFilterState(state: CycleState): PreFilterState | undefined {
  return state.get(NAME) as PreFilterState | undefined;
}

/** Whether the node is in a domain holding a pod that matches each of the incoming pod's required affinity terms. */
function satisfyPodAffinity(s: PreFilterState, pod: PodInfo, node: NodeInfo): boolean {
  let podsExist = true;
  for (const term of pod.requiredAffinityTerms) {
    const value = node.labels[term.topologyKey];
    if (value === undefined) return false; // all topology labels must exist on the node
    if ((s.affinityCounts.get(pair(term.topologyKey, value)) ?? 0) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself: no pod anywhere matches, and it matches its own terms.
  return s.affinityCounts.size === 0 && matchesAll(pod.requiredAffinityTerms, pod);
}

function satisfyPodAntiAffinity(s: PreFilterState, pod: PodInfo, node: NodeInfo): boolean {
  if (s.antiAffinityCounts.size === 0) return true;
  for (const term of pod.requiredAntiAffinityTerms) {
    const value = node.labels[term.topologyKey];
    if (value !== undefined && (s.antiAffinityCounts.get(pair(term.topologyKey, value)) ?? 0) > 0) return false;
  }
  return true;
}

function satisfyExistingPodsAntiAffinity(s: PreFilterState, node: NodeInfo): boolean {
  if (s.existingAntiAffinityCounts.size === 0) return true;
  for (const key in node.labels) {
    if ((s.existingAntiAffinityCounts.get(pair(key, node.labels[key])) ?? 0) > 0) return false;
  }
  return true;
}

type ScoreMap = Map<string, Map<string, number>>;

function processTerm(m: ScoreMap, term: AffinityTerm, weight: number, pod: PodInfo, node: NodeInfo, multiplier: 1 | -1): void {
  if (!termMatches(term, pod)) return;
  const value = node.labels[term.topologyKey];
  if (value === undefined) return;
  let values = m.get(term.topologyKey);
  if (!values) m.set(term.topologyKey, (values = new Map()));
  values.set(value, (values.get(value) ?? 0) + weight * multiplier);
}

function processTerms(m: ScoreMap, terms: readonly WeightedAffinityTerm[], pod: PodInfo, node: NodeInfo, multiplier: 1 | -1): void {
  for (const t of terms) processTerm(m, t, t.weight, pod, node, multiplier);
}

export const interPodAffinity = {
  name: NAME,
  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): Status {
    const s: PreFilterState = { existingAntiAffinityCounts: new Map(), affinityCounts: new Map(), antiAffinityCounts: new Map() };
    // Placed pods whose required anti-affinity the incoming pod matches.
    for (const node of nodes) {
      if (node.podsWithRequiredAntiAffinity.size === 0) continue;
      for (const existing of node.podsWithRequiredAntiAffinity) {
        for (const term of existing.requiredAntiAffinityTerms) if (termMatches(term, pod)) bump(s.existingAntiAffinityCounts, node, term.topologyKey, 1);
      }
    }
    // Placed pods that the incoming pod's required terms select.
    if (pod.requiredAffinityTerms.length > 0 || pod.requiredAntiAffinityTerms.length > 0) {
      for (const node of nodes) {
        for (const existing of node.pods.values()) {
          if (matchesAll(pod.requiredAffinityTerms, existing)) {
            for (const term of pod.requiredAffinityTerms) bump(s.affinityCounts, node, term.topologyKey, 1);
          }
          for (const term of pod.requiredAntiAffinityTerms) if (termMatches(term, existing)) bump(s.antiAffinityCounts, node, term.topologyKey, 1);
        }
      }
    }
    state.set(NAME, s);
    return SUCCESS;
  },
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    const s = preFilterState(state);
    if (!s) return SUCCESS;
    if (!satisfyPodAffinity(s, pod, node)) return unresolvable(NAME, ERR_REASON_AFFINITY_RULES_NOT_MATCH);
    if (!satisfyPodAntiAffinity(s, pod, node)) return unschedulable(NAME, ERR_REASON_ANTI_AFFINITY_RULES_NOT_MATCH);
    if (!satisfyExistingPodsAntiAffinity(s, node)) return unschedulable(NAME, ERR_REASON_EXISTING_ANTI_AFFINITY_RULES_NOT_MATCH);
    return SUCCESS;
  },
  preScore(state: CycleState, pod: PodInfo, feasible: readonly NodeInfo[], all: readonly NodeInfo[]): Status {
    if (feasible.length === 0) return SKIP;
    const hasConstraints = pod.preferredAffinityTerms.length > 0 || pod.preferredAntiAffinityTerms.length > 0;
    const scores: ScoreMap = new Map();
    for (const node of all) {
      // Unless the incoming pod has preferred terms, only pods with affinity can contribute.
      const pods = hasConstraints ? node.pods.values() : node.podsWithAffinity.values();
      if (!hasConstraints && node.podsWithAffinity.size === 0) continue;
      if (Object.keys(node.labels).length === 0) continue;
      for (const existing of pods) {
        processTerms(scores, pod.preferredAffinityTerms, existing, node, 1);
        processTerms(scores, pod.preferredAntiAffinityTerms, existing, node, -1);
        for (const t of existing.requiredAffinityTerms) processTerm(scores, t, HARD_POD_AFFINITY_WEIGHT, pod, node, 1);
        processTerms(scores, existing.preferredAffinityTerms, pod, node, 1);
        processTerms(scores, existing.preferredAntiAffinityTerms, pod, node, -1);
      }
    }
    if (scores.size === 0) return SKIP;
    state.set(PRE_SCORE_KEY, scores);
    return SUCCESS;
  },
  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const scores = state.get(PRE_SCORE_KEY) as ScoreMap | undefined;
    if (!scores) return 0;
    let score = 0;
    for (const [key, values] of scores) {
      const v = node.labels[key];
      if (v !== undefined) score += values.get(v) ?? 0;
    }
    return score;
  },
  normalizeScore(state: CycleState, _pod: PodInfo, scores: NodeScore[]): void {
    if (!state.get(PRE_SCORE_KEY)) return;
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      if (s.score > max) max = s.score;
      if (s.score < min) min = s.score;
    }
    const diff = max - min;
    for (const s of scores) s.score = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((s.score - min) / diff)) : 0; // float64 as kube computes it
  },
} satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;
