/**
 * TaintToleration: a node's NoSchedule and NoExecute taints keep off every pod that does not
 * tolerate them (Filter); untolerated PreferNoSchedule taints only lower the node's score
 * (Score, normalized in reverse: fewer such taints, higher score).
 */
import type { V1Taint, V1Toleration } from '@kubernetes/client-node';
import {
  defaultNormalizeScore,
  SUCCESS,
  unresolvable,
  type CycleState,
  type FilterPlugin,
  type NodeInfo,
  type NodeScore,
  type PodInfo,
  type ScorePlugin,
  type Status,
} from '../framework.js';

export const NAME = 'TaintToleration';

/** `Toleration.ToleratesTaint`: an empty effect or key matches any; operator Exists ignores the value. */
export function toleratesTaint(t: V1Toleration, taint: V1Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? '') {
    case '':
    case 'Equal':
      return (t.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function tolerationsTolerateTaint(tolerations: readonly V1Toleration[] | undefined, taint: V1Taint): boolean {
  if (!tolerations) return false;
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** `node(s) had untolerated taint {key: value}` — the reason kube-scheduler 1.32 gives. */
export function untoleratedTaintReason(taint: V1Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
}

/** The first NoSchedule/NoExecute taint the pod does not tolerate (`FindMatchingUntoleratedTaint`). */
export function findUntoleratedTaint(taints: readonly V1Taint[], tolerations: readonly V1Toleration[] | undefined): V1Taint | undefined {
  for (const taint of taints) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}

/** Untolerated PreferNoSchedule taints, counting only tolerations whose effect is empty or PreferNoSchedule. */
export function countIntolerablePreferNoSchedule(taints: readonly V1Taint[], tolerations: readonly V1Toleration[] | undefined): number {
  let n = 0;
  const relevant = tolerations?.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
  for (const taint of taints) {
    if (taint.effect !== 'PreferNoSchedule') continue;
    if (!tolerationsTolerateTaint(relevant, taint)) n++;
  }
  return n;
}

export const taintToleration = {
  name: NAME,
  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    if (node.taints.length === 0) return SUCCESS;
    const taint = findUntoleratedTaint(node.taints, pod.pod.spec?.tolerations);
    return taint ? unresolvable(NAME, untoleratedTaintReason(taint)) : SUCCESS;
  },
  score(_state: CycleState, pod: PodInfo, node: NodeInfo): number {
    if (node.taints.length === 0) return 0;
    return countIntolerablePreferNoSchedule(node.taints, pod.pod.spec?.tolerations);
  },
  normalizeScore(_state: CycleState, _pod: PodInfo, scores: NodeScore[]): void {
    defaultNormalizeScore(scores, true);
  },
} satisfies FilterPlugin & ScorePlugin;
