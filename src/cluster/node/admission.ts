/**
 * Kubelet's resource admission (lifecycle.NewPredicateAdmitHandler → noderesources.Fits): a pod
 * bound to the node whose requests do not fit beside the pods already admitted is rejected with
 * phase Failed and reason `OutOf<resource>` (`OutOfcpu`, `OutOfmemory`, `OutOfpods`,
 * `OutOfephemeral-storage`). The scheduler normally prevents this; it happens when something
 * sets `spec.nodeName` itself.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../apimachinery/quantity.js';

/** Requests in the units kube compares: cpu in millicores, memory and storage in bytes, pods as a count. */
export interface Resources {
  readonly cpu: number;
  readonly memory: number;
  readonly 'ephemeral-storage': number;
  readonly pods: number;
}

export const ZERO: Resources = { cpu: 0, memory: 0, 'ephemeral-storage': 0, pods: 0 };
const NAMES = ['cpu', 'memory', 'ephemeral-storage'] as const;

function value(name: (typeof NAMES)[number], q: string | number | undefined): number {
  if (q === undefined) return 0;
  try {
    const v = parseQuantity(q);
    return name === 'cpu' ? Math.ceil(v * 1000) : Math.ceil(v);
  } catch {
    return 0;
  }
}

function containerRequests(c: Container): Record<(typeof NAMES)[number], number> {
  const r = c.resources?.requests ?? {};
  return { cpu: value('cpu', r.cpu), memory: value('memory', r.memory), 'ephemeral-storage': value('ephemeral-storage', r['ephemeral-storage']) };
}

/**
 * A pod's effective requests (resourcehelper.PodRequests): the sum over containers, at least the
 * largest init container, plus `spec.overhead`; and one pod.
 */
export function podRequests(pod: Pod): Resources {
  const sum = { cpu: 0, memory: 0, 'ephemeral-storage': 0 };
  for (const c of pod.spec?.containers ?? []) {
    const r = containerRequests(c);
    for (const n of NAMES) sum[n] += r[n];
  }
  // Sidecars (restartable init containers) run beside everything after them; plain init containers run alone.
  const sidecars = { cpu: 0, memory: 0, 'ephemeral-storage': 0 };
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c);
    if (c.restartPolicy === 'Always') {
      for (const n of NAMES) {
        sidecars[n] += r[n];
        sum[n] += r[n];
      }
    } else {
      for (const n of NAMES) sum[n] = Math.max(sum[n], r[n] + sidecars[n]);
    }
  }
  const overhead = pod.spec?.overhead ?? {};
  for (const n of NAMES) sum[n] += value(n, overhead[n]);
  return { ...sum, pods: 1 };
}

export function addResources(a: Resources, b: Resources, sign = 1): Resources {
  return {
    cpu: a.cpu + sign * b.cpu,
    memory: a.memory + sign * b.memory,
    'ephemeral-storage': a['ephemeral-storage'] + sign * b['ephemeral-storage'],
    pods: a.pods + sign * b.pods,
  };
}

/** A node's allocatable in the same units. */
export function allocatableOf(alloc: Readonly<Record<string, string>>): Resources {
  return {
    cpu: value('cpu', alloc.cpu),
    memory: value('memory', alloc.memory),
    'ephemeral-storage': value('ephemeral-storage', alloc['ephemeral-storage']),
    pods: Number(alloc.pods ?? 0),
  };
}

export interface Rejection {
  /** `OutOfcpu`, … */
  readonly reason: string;
  /** `Pod was rejected: Node didn't have enough resource: cpu, requested: 2000, used: 3500, capacity: 4000` */
  readonly message: string;
}

/**
 * Whether a pod requesting `requests` fits beside the admitted pods' `used` on a node with
 * `allocatable`; the first resource that does not fit (pods, cpu, memory, ephemeral-storage, in
 * kube's order) rejects it.
 */
export function admit(requests: Resources, used: Resources, allocatable: Resources): Rejection | undefined {
  for (const n of ['pods', 'cpu', 'memory', 'ephemeral-storage'] as const) {
    if (n !== 'pods' && requests[n] === 0) continue;
    if (used[n] + requests[n] > allocatable[n]) {
      return {
        reason: `OutOf${n}`,
        message: `Pod was rejected: Node didn't have enough resource: ${n}, requested: ${requests[n]}, used: ${used[n]}, capacity: ${allocatable[n]}`,
      };
    }
  }
  return undefined;
}
