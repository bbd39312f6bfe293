/**
 * NodeResourcesBalancedAllocation: prefer nodes whose cpu and memory would be used in equal
 * shares. Score = (1 − std of the used fractions) × 100; with two resources the std is
 * |fraction₁ − fraction₂| / 2. It counts actual requests (no container defaults), each fraction
 * capped at 1.
 */
import { MAX_NODE_SCORE, type CycleState, type NodeInfo, type PodInfo, type ScorePlugin } from '../framework.js';

export const NAME = 'NodeResourcesBalancedAllocation';

/** `balancedResourceScorer` over requested/allocatable pairs (pairs with no allocatable are skipped). */
export function balancedResourceScore(requested: readonly number[], allocatable: readonly number[]): number {
  const fractions: number[] = [];
  let total = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    const f = Math.min(requested[i] / allocatable[i], 1);
    total += f;
    fractions.push(f);
  }
  let std = 0;
  if (fractions.length === 2) std = Math.abs((fractions[0] - fractions[1]) / 2);
  else if (fractions.length > 2) {
    const mean = total / fractions.length;
    let sum = 0;
    for (const f of fractions) sum += (f - mean) * (f - mean);
    std = Math.sqrt(sum / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export const nodeResourcesBalancedAllocation = {
  name: NAME,
  score(_state: CycleState, pod: PodInfo, node: NodeInfo): number {
    return balancedResourceScore(
      [node.requested.milliCPU + pod.requests.milliCPU, node.requested.memory + pod.requests.memory],
      [node.allocatable.milliCPU, node.allocatable.memory],
    );
  },
} satisfies ScorePlugin;
