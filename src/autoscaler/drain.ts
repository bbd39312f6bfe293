/**
 * Which pods of a node block its removal, and which must be rescheduled (spec §5.4). Pods that never
 * block: mirror, DaemonSet, terminal, long terminating, expendable, `safe-to-evict: "true"`. Pods that
 * do: a matching PDB without budget, no (known) controller, kube-system without a PDB, local storage,
 * `safe-to-evict: "false"`. The messages are cluster-autoscaler's.
 */
import { isMatch } from './label-match.js';
import { controllerRef, isDaemonSetPod, isExpendable, isMirrorPod, isTerminal, SAFE_TO_EVICT_ANNOTATION, SAFE_TO_EVICT_LOCAL_VOLUMES_ANNOTATION } from './pods.js';
import type { Pod, PodDisruptionBudget } from './types.js';
import { isLongTerminating } from './utilization.js';

export interface DrainOptions {
  readonly skipNodesWithSystemPods: boolean;
  readonly skipNodesWithLocalStorage: boolean;
  readonly skipNodesWithCustomControllerPods: boolean;
  readonly expendablePodsPriorityCutoff: number;
}

/** `drain.BlockingPodReason`. */
export type BlockingReason = 'NotReplicated' | 'UnmovableKubeSystemPod' | 'LocalStorageRequested' | 'NotSafeToEvictAnnotation' | 'NotEnoughPdb';

export interface BlockingPod {
  readonly pod: Pod;
  readonly reason: BlockingReason;
  readonly message: string;
}

export interface NodeDrain {
  /** Pods to evict that must fit elsewhere. */
  readonly toMove: readonly Pod[];
  /** Pods evicted without needing a new place (expendable). */
  readonly evictOnly: readonly Pod[];
  readonly daemonSet: readonly Pod[];
  readonly blocking?: BlockingPod;
}

const REPLICATED_KINDS = new Set(['ReplicationController', 'ReplicaSet', 'Job', 'StatefulSet', 'DaemonSet']);

/** `hostPath`, or `emptyDir` not backed by memory, unless listed in the safe-to-evict-local-volumes annotation. */
export function hasBlockingLocalStorage(pod: Pod): boolean {
  const exempt = new Set((pod.metadata?.annotations?.[SAFE_TO_EVICT_LOCAL_VOLUMES_ANNOTATION] ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  return (pod.spec?.volumes ?? []).some((v) => !exempt.has(v.name) && (v.hostPath !== undefined || (v.emptyDir !== undefined && v.emptyDir.medium !== 'Memory')));
}

export function matchingPdbs(pod: Pod, pdbs: readonly PodDisruptionBudget[]): PodDisruptionBudget[] {
  const ns = pod.metadata?.namespace ?? 'default';
  return pdbs.filter((b) => (b.metadata?.namespace ?? 'default') === ns && b.spec?.selector !== undefined && isMatch(b.spec.selector, pod.metadata?.labels ?? {}));
}

/**
 * Classify a node's pods. `budgets` (PDB `namespace/name` → disruptions left) is consumed as pods
 * are planned to move, so two pods of one budget-1 PDB block.
 */
export function drainNode(pods: readonly Pod[], pdbs: readonly PodDisruptionBudget[], now: number, opts: DrainOptions, budgets: Map<string, number> = new Map()): NodeDrain {
  const toMove: Pod[] = [];
  const evictOnly: Pod[] = [];
  const daemonSet: Pod[] = [];
  const local = new Map(budgets);
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    const key = `${pod.metadata?.namespace ?? 'default'}/${name}`;
    if (isMirrorPod(pod) || isTerminal(pod) || isLongTerminating(pod, now, 30_000)) continue;
    if (isDaemonSetPod(pod)) {
      daemonSet.push(pod);
      continue;
    }
    if (isExpendable(pod, opts.expendablePodsPriorityCutoff)) {
      evictOnly.push(pod);
      continue;
    }
    const block = (reason: BlockingReason, message: string): NodeDrain => ({ toMove, evictOnly, daemonSet, blocking: { pod, reason, message } });
    const matching = matchingPdbs(pod, pdbs);
    for (const b of matching) {
      const k = `${b.metadata?.namespace ?? 'default'}/${b.metadata?.name ?? ''}`;
      const left = local.get(k) ?? b.status?.disruptionsAllowed ?? 0;
      if (left < 1) return block('NotEnoughPdb', `not enough pod disruption budget to move ${key}`);
      local.set(k, left - 1);
    }
    const annotation = pod.metadata?.annotations?.[SAFE_TO_EVICT_ANNOTATION];
    if (annotation !== 'true') {
      const owner = controllerRef(pod);
      if (!owner || (opts.skipNodesWithCustomControllerPods && !REPLICATED_KINDS.has(owner.kind))) return block('NotReplicated', `${key} is not replicated`);
      if (pod.metadata?.namespace === 'kube-system' && opts.skipNodesWithSystemPods && matching.length === 0) {
        return block('UnmovableKubeSystemPod', `non-daemonset, non-mirrored, non-pdb-assigned kube-system pod present: ${name}`);
      }
      if (opts.skipNodesWithLocalStorage && hasBlockingLocalStorage(pod)) return block('LocalStorageRequested', `pod with local storage present: ${name}`);
      if (annotation === 'false') return block('NotSafeToEvictAnnotation', `pod annotated as not safe to evict present: ${name}`);
    }
    toMove.push(pod);
  }
  for (const [k, v] of local) budgets.set(k, v);
  return { toMove, evictOnly, daemonSet };
}
