/**
 * NodeAffinity: `spec.nodeSelector` and the required node affinity terms filter nodes (terms are
 * ORed; a term's matchExpressions and matchFields are ANDed; an empty term matches nothing), and the
 * preferred terms score them: the sum of the weights of the terms a node matches, scaled so the best
 * node gets 100.
 */
import type { V1NodeSelectorRequirement, V1NodeSelectorTerm, V1Pod } from '@kubernetes/client-node';
import {
  defaultNormalizeScore,
  SKIP,
  SUCCESS,
  unresolvable,
  type CycleState,
  type FilterPlugin,
  type NodeInfo,
  type NodeScore,
  type PodInfo,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
  type Status,
} from '../framework.js';

export const NAME = 'NodeAffinity';
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";

/** Whether one node selector requirement matches a label (or field) set. */
export function requirementMatches(req: V1NodeSelectorRequirement, values: Readonly<Record<string, string>>): boolean {
  const has = Object.prototype.hasOwnProperty.call(values, req.key);
  const v = has ? values[req.key] : undefined;
  switch (req.operator) {
    case 'In':
      return has && (req.values ?? []).includes(v!);
    case 'NotIn':
      return !has || !(req.values ?? []).includes(v!);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || req.values?.length !== 1) return false;
      const INT = /^[+-]?\d+$/;
      if (!INT.test(v!) || !INT.test(req.values[0])) return false;
      const label = BigInt(v!);
      const bound = BigInt(req.values[0]);
      return req.operator === 'Gt' ? label > bound : label < bound;
    }
    default:
      return false;
  }
}

/** `nodeSelectorTerm.match`: every expression against the labels, every field (only `metadata.name`) against the node. */
export function termMatches(term: V1NodeSelectorTerm, node: NodeInfo): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) if (!requirementMatches(r, node.labels)) return false;
  for (const f of fields) {
    if (f.key !== 'metadata.name' || (f.operator !== 'In' && f.operator !== 'NotIn')) return false;
    if (!requirementMatches(f, { 'metadata.name': node.name })) return false;
  }
  return true;
}

/** `RequiredNodeAffinity.Match`: the nodeSelector labels, then any one of the required terms. */
export function requiredNodeAffinityMatches(pod: V1Pod, node: NodeInfo): boolean {
  const selector = pod.spec?.nodeSelector;
  if (selector) {
    for (const k in selector) if (node.labels[k] !== selector[k]) return false;
  }
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) {
    for (const term of required.nodeSelectorTerms ?? []) if (termMatches(term, node)) return true;
    return false;
  }
  return true;
}

/** Sum of the weights of the preferred terms the node matches. */
export function preferredScore(pod: V1Pod, node: NodeInfo): number {
  let score = 0;
  for (const t of pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (t.weight !== 0 && termMatches(t.preference, node)) score += t.weight;
  }
  return score;
}

export const nodeAffinity = {
  name: NAME,
  preFilter(state: CycleState, pod: PodInfo): Status {
    const spec = pod.pod.spec;
    state.set(NAME, spec?.nodeSelector !== undefined || spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined);
    return SUCCESS;
  },
  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    if (state.get(NAME) === false) return SUCCESS;
    return requiredNodeAffinityMatches(pod.pod, node) ? SUCCESS : unresolvable(NAME, ERR_REASON_POD);
  },
  preScore(_state: CycleState, pod: PodInfo): Status {
    return pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ? SUCCESS : SKIP;
  },
  score(_state: CycleState, pod: PodInfo, node: NodeInfo): number {
    return preferredScore(pod.pod, node);
  },
  normalizeScore(_state: CycleState, _pod: PodInfo, scores: NodeScore[]): void {
    defaultNormalizeScore(scores, false);
  },
} satisfies PreFilterPlugin & FilterPlugin & PreScorePlugin & ScorePlugin;
