/**
 * cluster-autoscaler's soft taint (spec §5.7): nodes found unneeded get
 * `DeletionCandidateOfClusterAutoscaler=<unix seconds>:PreferNoSchedule`, so the scheduler puts
 * new pods elsewhere while they wait out --scale-down-unneeded-time, and lose it when they are
 * needed again. Taints are first removed, then added, within one budget per iteration
 * (--max-bulk-soft-taint-count; 0 turns them off); nodes being deleted are left alone. Pure.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { DELETION_CANDIDATE_TAINT, TO_BE_DELETED_TAINT } from './pods.js';

export interface SoftTaintUpdates {
  /** Nodes to give the soft taint. */
  readonly mark: readonly string[];
  /** Nodes to take it from. */
  readonly clean: readonly string[];
}

const has = (node: Node, key: string): boolean => (node.spec?.taints ?? []).some((t) => t.key === key);

export function softTaintUpdates(nodes: readonly Node[], unneeded: ReadonlySet<string>, budget: number): SoftTaintUpdates {
  const clean: string[] = [];
  const mark: string[] = [];
  if (budget <= 0) return { mark, clean };
  for (const n of nodes) {
    const name = n.metadata?.name ?? '';
    if (clean.length >= budget) break;
    if (!unneeded.has(name) && has(n, DELETION_CANDIDATE_TAINT) && !has(n, TO_BE_DELETED_TAINT)) clean.push(name);
  }
  for (const n of nodes) {
    const name = n.metadata?.name ?? '';
    if (clean.length + mark.length >= budget) break;
    if (unneeded.has(name) && !has(n, DELETION_CANDIDATE_TAINT) && !has(n, TO_BE_DELETED_TAINT)) mark.push(name);
  }
  return { mark, clean };
}
