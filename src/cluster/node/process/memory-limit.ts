/**
 * `resources.limits.memory` for a process container: what the kernel's OOM killer does to a
 * cgroup over its limit, done by watching. Every {@link MEMORY_CHECK_MS} the runtime reads the
 * resident memory of each limited container's processes; one over its limit is killed with
 * SIGKILL and reported as kubelet reports an OOM kill (terminated, reason `OOMKilled`, exit code
 * 137), then restarted by its restartPolicy. Unlike a cgroup, a process can overshoot the limit
 * for up to one interval before it is stopped. CPU limits are not applied. Pure.
 */
import type { Container } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../../apimachinery/quantity.js';

export const MEMORY_CHECK_MS = 1_000;
export const OOM_KILLED = 'OOMKilled';

/** The container's memory limit in bytes, or undefined when it has none. */
export function memoryLimitBytes(c: Pick<Container, 'resources'>): number | undefined {
  const v = c.resources?.limits?.memory;
  if (v === undefined) return undefined;
  try {
    const bytes = parseQuantity(v);
    return bytes > 0 ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a container using `usedBytes` has gone over its limit. */
export const overMemoryLimit = (usedBytes: number, limitBytes: number): boolean => usedBytes > limitBytes;
