/**
 * Facts about single pods and nodes the planners share: which pods are unschedulable, DaemonSet,
 * mirror or expendable, and the well-known annotations and taints.
 */
import type { Node, Pod } from './types.js';

export const SAFE_TO_EVICT_ANNOTATION = 'cluster-autoscaler.kubernetes.io/safe-to-evict';
export const SAFE_TO_EVICT_LOCAL_VOLUMES_ANNOTATION = 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes';
export const SCALE_DOWN_DISABLED_ANNOTATION = 'cluster-autoscaler.kubernetes.io/scale-down-disabled';
export const POD_SCALE_UP_DELAY_ANNOTATION = 'cluster-autoscaler.kubernetes.io/pod-scale-up-delay';
/** Marks a pod as a DaemonSet pod even without a DaemonSet owner (CA's `pod_util.IsDaemonSetPod`). */
export const DAEMONSET_POD_ANNOTATION = 'cluster-autoscaler.kubernetes.io/daemonset-pod';
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
export const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';
export const DELETION_CANDIDATE_TAINT = 'DeletionCandidateOfClusterAutoscaler';

export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;
}

export function timeOf(ts: string | undefined): number | undefined {
  if (ts === undefined) return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? undefined : t;
}

export function controllerRef(pod: Pod) {
  return pod.metadata?.ownerReferences?.find((r) => r.controller === true);
}

export function isDaemonSetPod(pod: Pod): boolean {
  if (controllerRef(pod)?.kind === 'DaemonSet') return true;
  return pod.metadata?.annotations?.[DAEMONSET_POD_ANNOTATION] === 'true';
}

export function isMirrorPod(pod: Pod): boolean {
  return pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined;
}

/** Pods with no priority are never expendable. */
export function isExpendable(pod: Pod, cutoff: number): boolean {
  const p = pod.spec?.priority;
  return p !== undefined && p !== null && p < cutoff;
}

export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/**
 * `PodScheduled=False` with reason `Unschedulable`, and neither bound nor nominated to a node
 * (a nominated pod waits for preemption victims to leave; a new node would not help it).
 */
export function isUnschedulable(pod: Pod): boolean {
  if (pod.spec?.nodeName) return false;
  if (pod.status?.nominatedNodeName) return false;
  if (isTerminal(pod) || pod.metadata?.deletionTimestamp) return false;
  return (pod.status?.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable');
}

export function hasToBeDeletedTaint(node: Node): boolean {
  return (node.spec?.taints ?? []).some((t) => t.key === TO_BE_DELETED_TAINT);
}

export function nodeName(node: Node): string {
  return node.metadata?.name ?? '';
}

export function readyCondition(node: Node) {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}
