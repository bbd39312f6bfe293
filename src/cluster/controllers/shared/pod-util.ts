/**
 * Pod predicates the workload controllers share, as kube's `podutil` and `controller_utils.go`
 * define them: ready, available (ready for minReadySeconds), active (not terminal, not being
 * deleted), and the resolution of a Service port's targetPort on a pod (`FindPort`).
 */
import type { Pod, PodCondition } from 'kubernetes-types/core/v1.js';
import type { LabelSelector as LabelSelectorObject } from 'kubernetes-types/meta/v1.js';
import { labelSelectorFromObject } from '../../../apimachinery/label-selector.js';

/** Milliseconds since the epoch of an RFC 3339 timestamp (undefined when absent or bad). */
export function timeOf(t: string | Date | undefined | null): number | undefined {
  if (t === undefined || t === null || t === '') return undefined;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
}

export function podCondition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

/** The pod's Ready condition is True (podutil.IsPodReady). */
export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

/**
 * Ready for at least `minReadySeconds` at `now` (podutil.IsPodAvailable): with 0 any ready pod
 * counts; otherwise the Ready condition's lastTransitionTime + minReadySeconds must be before now.
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds <= 0) return true;
  const since = timeOf(podCondition(pod, 'Ready')?.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 < now;
}

/** When a ready pod becomes available, for requeueing (undefined when not ready). */
export function availableAt(pod: Pod, minReadySeconds: number): number | undefined {
  if (!isPodReady(pod)) return undefined;
  const since = timeOf(podCondition(pod, 'Ready')?.lastTransitionTime);
  return since === undefined ? undefined : since + minReadySeconds * 1000;
}

/** Not Succeeded or Failed, and not being deleted (controller.IsPodActive). */
export function isPodActive(pod: Pod): boolean {
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

/** Being deleted and not yet terminal (controller.IsPodTerminating). */
export function isPodTerminating(pod: Pod): boolean {
  return !!pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

/** Whether `labels` match a metav1.LabelSelector; an empty or absent selector matches nothing, as kube's controllers treat it. */
export function selectorMatches(selector: LabelSelectorObject | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || (!selector.matchLabels && !selector.matchExpressions)) return false;
  if (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0) return false;
  try {
    return labelSelectorFromObject(selector as Parameters<typeof labelSelectorFromObject>[0]).matches(labels ?? {});
  } catch {
    return false;
  }
}

/** Whether every key=value of `set` is in `labels` (a Service selector, a template's labels). */
export function labelsMatchSet(set: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  return Object.entries(set ?? {}).every(([k, v]) => labels?.[k] === v);
}

export interface ServicePortLike {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
}

/**
 * The container port a Service port reaches on `pod` (podutil.FindPort): a numeric targetPort is
 * itself; a named one is looked up among the pod's containers' ports with that name and protocol;
 * an absent one is the service port. Undefined when the name is not found.
 */
export function findPort(pod: Pod, sp: ServicePortLike): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}
