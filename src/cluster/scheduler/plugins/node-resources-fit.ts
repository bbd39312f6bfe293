/**
 * NodeResourcesFit: the pod's requests must fit in the node's allocatable minus what the pods
 * already on it request (Filter, through `fits()`, which the cluster autoscaler imports too), and
 * the LeastAllocated strategy scores nodes by how much cpu and memory would stay free (Score).
 */
import type { V1Pod } from '@kubernetes/client-node';
import {
  MAX_NODE_SCORE,
  newPodInfo,
  SUCCESS,
  unschedulable,
  type CycleState,
  type FilterPlugin,
  type NodeInfo,
  type PodInfo,
  type ScorePlugin,
  type Status,
} from '../framework.js';

export const NAME = 'NodeResourcesFit';

/**
 * What kind of resource limit is hit and caused the pod not to fit the node. The reason is a
 * constant for the common resources, not formatted per call, because cluster-autoscaler
 * simulations call `fits()` very often.
 */
export interface InsufficientResource {
  /** `cpu`, `memory`, `ephemeral-storage`, `pods`, or an extended resource name. */
  readonly resourceName: string;
  /** `Insufficient cpu`, `Too many pods`, … exactly as kube-scheduler words it. */
  readonly reason: string;
  /** cpu in millicores, memory and storage in bytes, pods as a count. */
  readonly requested: number;
  readonly used: number;
  readonly capacity: number;
}

export const REASON_TOO_MANY_PODS = 'Too many pods';
export const REASON_INSUFFICIENT_CPU = 'Insufficient cpu';
export const REASON_INSUFFICIENT_MEMORY = 'Insufficient memory';
export const REASON_INSUFFICIENT_EPHEMERAL_STORAGE = 'Insufficient ephemeral-storage';

function isPodInfo(p: V1Pod | PodInfo): p is PodInfo {
  return (p as PodInfo).requests !== undefined && (p as PodInfo).key !== undefined;
}

/**
 * `noderesources.Fits`: every resource the pod cannot get on the node, in kube's order (pods, cpu,
 * memory, ephemeral-storage, then extended resources by name). Empty means it fits.
 */
export function fits(pod: V1Pod | PodInfo, node: NodeInfo): InsufficientResource[] {
  const req = (isPodInfo(pod) ? pod : newPodInfo(pod)).requests;
  const out: InsufficientResource[] = [];
  const alloc = node.allocatable;
  const used = node.requested;
  if (node.pods.size + 1 > alloc.allowedPodNumber) {
    out.push({ resourceName: 'pods', reason: REASON_TOO_MANY_PODS, requested: 1, used: node.pods.size, capacity: alloc.allowedPodNumber });
  }
  const scalarNames = Object.keys(req.scalar);
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && scalarNames.length === 0) return out;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) {
    out.push({ resourceName: 'cpu', reason: REASON_INSUFFICIENT_CPU, requested: req.milliCPU, used: used.milliCPU, capacity: alloc.milliCPU });
  }
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) {
    out.push({ resourceName: 'memory', reason: REASON_INSUFFICIENT_MEMORY, requested: req.memory, used: used.memory, capacity: alloc.memory });
  }
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) {
    out.push({
      resourceName: 'ephemeral-storage',
      reason: REASON_INSUFFICIENT_EPHEMERAL_STORAGE,
      requested: req.ephemeralStorage,
      used: used.ephemeralStorage,
      capacity: alloc.ephemeralStorage,
    });
  }
  if (scalarNames.length > 1) scalarNames.sort();
  for (const name of scalarNames) {
    const q = req.scalar[name];
    if (q === 0) continue;
    const capacity = alloc.scalar[name] ?? 0;
    const u = used.scalar[name] ?? 0;
    if (q > capacity - u) out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: q, used: u, capacity });
  }
  return out;
}

/** `leastRequestedScore`: the free share of one resource, 0–100, in integer arithmetic. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/**
 * LeastAllocated over cpu and memory (weight 1 each): requested counts the node's pods and this
 * pod with container defaults (100m, 200Mi) for missing requests; resources the node has none of
 * are left out.
 */
export function leastAllocatedScore(pod: PodInfo, node: NodeInfo): number {
  let score = 0;
  let weights = 0;
  if (node.allocatable.milliCPU > 0) {
    score += leastRequestedScore(node.nonZeroMilliCPU + pod.nonZeroMilliCPU, node.allocatable.milliCPU);
    weights++;
  }
  if (node.allocatable.memory > 0) {
    score += leastRequestedScore(node.nonZeroMemory + pod.nonZeroMemory, node.allocatable.memory);
    weights++;
  }
  return weights === 0 ? 0 : Math.trunc(score / weights);
}

/** Whether `fits()` would find nothing missing, without building its list (the filter's hot path). */
function fitsAll(pod: PodInfo, node: NodeInfo): boolean {
  const req = pod.requests;
  const alloc = node.allocatable;
  const used = node.requested;
  if (node.pods.size + 1 > alloc.allowedPodNumber) return false;
  if (req.milliCPU > 0 && req.milliCPU > alloc.milliCPU - used.milliCPU) return false;
  if (req.memory > 0 && req.memory > alloc.memory - used.memory) return false;
  if (req.ephemeralStorage > 0 && req.ephemeralStorage > alloc.ephemeralStorage - used.ephemeralStorage) return false;
  for (const name in req.scalar) {
    const q = req.scalar[name];
    if (q > 0 && q > (alloc.scalar[name] ?? 0) - (used.scalar[name] ?? 0)) return false;
  }
  return true;
}

export const nodeResourcesFit = {
  name: NAME,
  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    if (fitsAll(pod, node)) return SUCCESS;
    const insufficient = fits(pod, node);
    if (insufficient.length === 0) return SUCCESS;
    return unschedulable(NAME, ...insufficient.map((r) => r.reason));
  },
  score(_state: CycleState, pod: PodInfo, node: NodeInfo): number {
    return leastAllocatedScore(pod, node);
  },
} satisfies FilterPlugin & ScorePlugin;
