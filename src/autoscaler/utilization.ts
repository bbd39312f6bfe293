/**
 * Node utilization for scale-down (spec §5.2): the larger of the cpu and memory request shares of
 * allocatable. DaemonSet (and, with its flag, mirror) pods can be left out of both sides; pods stuck
 * terminating past their grace period are ignored.
 */
import { podRequests } from '../cluster/scheduler/index.js';
import { isDaemonSetPod, isMirrorPod, timeOf } from './pods.js';
import { asV1Pod, nodeInfo } from './simulator.js';
import type { Node, Pod } from './types.js';

export interface UtilizationOptions {
  readonly ignoreDaemonsetsUtilization: boolean;
  readonly ignoreMirrorPodsUtilization: boolean;
}

export interface Utilization {
  readonly cpu: number;
  readonly memory: number;
  /** max(cpu, memory). */
  readonly utilization: number;
  readonly resourceName: 'cpu' | 'memory';
}

/** Default grace period when a pod sets none. */
const DEFAULT_GRACE_SECONDS = 30;

/** Deleted longer ago than its grace period (+ 30 s of slack, as drain uses). */
export function isLongTerminating(pod: Pod, now: number, slackMs = 0): boolean {
  const deleted = timeOf(pod.metadata?.deletionTimestamp);
  if (deleted === undefined) return false;
  const grace = (pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS) * 1000;
  return deleted + grace + slackMs < now;
}

/** Utilization, or an error when allocatable has no cpu or memory (the node is then unremovable). */
export function nodeUtilization(node: Node, pods: readonly Pod[], now: number, opts: UtilizationOptions): Utilization | { error: string } {
  const alloc = nodeInfo(node).allocatable;
  let allocCpu = alloc.milliCPU;
  let allocMem = alloc.memory;
  let cpu = 0;
  let mem = 0;
  for (const p of pods) {
    if (isLongTerminating(p, now)) continue;
    const r = podRequests(asV1Pod(p));
    if ((opts.ignoreDaemonsetsUtilization && isDaemonSetPod(p)) || (opts.ignoreMirrorPodsUtilization && isMirrorPod(p))) {
      allocCpu -= r.milliCPU;
      allocMem -= r.memory;
      continue;
    }
    cpu += r.milliCPU;
    mem += r.memory;
  }
  if (allocCpu <= 0) return { error: 'cpu is missing or zero in the node allocatable' };
  if (allocMem <= 0) return { error: 'memory is missing or zero in the node allocatable' };
  const c = cpu / allocCpu;
  const m = mem / allocMem;
  return { cpu: c, memory: m, utilization: Math.max(c, m), resourceName: m > c ? 'memory' : 'cpu' };
}
