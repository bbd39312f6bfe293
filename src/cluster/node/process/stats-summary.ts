/**
 * kubelet's Summary API (`GET /stats/summary`, stats/v1alpha1), the part metrics-server reads:
 * per pod and container, cumulative CPU (`usageCoreNanoSeconds`) and the memory working set; the
 * node's figures are the sum of its pods (a Flotilla node is a share of one machine, and what it
 * runs is what it uses). Pure: the running containers and a /proc table in, the document out.
 */
import { rfc3339 } from '../node-status.js';
import { containerUsage, type ProcStat, type Usage } from './proc-stats.js';

export interface RunningContainer {
  readonly namespace: string;
  readonly pod: string;
  readonly uid: string;
  readonly podStartedAt: number;
  readonly container: string;
  readonly pid: number;
  /** The container runs in a process group of its own. */
  readonly group: boolean;
  readonly startedAt: number;
}

interface CpuStats { time: string; usageCoreNanoSeconds: number }
interface MemoryStats { time: string; workingSetBytes: number; rssBytes: number }
interface ContainerStats { name: string; startTime: string; cpu: CpuStats; memory: MemoryStats }
interface PodStats { podRef: { name: string; namespace: string; uid: string }; startTime: string; containers: ContainerStats[]; cpu: CpuStats; memory: MemoryStats }
export interface Summary { node: { nodeName: string; startTime: string; cpu: CpuStats; memory: MemoryStats }; pods: PodStats[] }

export function statsSummary(nodeName: string, nodeStartedAt: number, running: readonly RunningContainer[], table: ReadonlyMap<number, ProcStat>, nowMs: number): Summary {
  // Sample times to the millisecond: rates are computed between two of them.
  const time = new Date(nowMs).toISOString();
  const cpu = (u: Usage): CpuStats => ({ time, usageCoreNanoSeconds: Math.round(u.cpuNanos) });
  const memory = (u: Usage): MemoryStats => ({ time, workingSetBytes: u.memoryBytes, rssBytes: u.memoryBytes });
  const pods = new Map<string, PodStats & { total: { cpuNanos: number; memoryBytes: number } }>();
  const node = { cpuNanos: 0, memoryBytes: 0 };
  for (const c of running) {
    const usage = containerUsage(table, c.pid, c.group);
    if (!usage) continue; // exited since the runtime last looked
    let pod = pods.get(c.uid);
    if (!pod) {
      pod = { podRef: { name: c.pod, namespace: c.namespace, uid: c.uid }, startTime: rfc3339(c.podStartedAt), containers: [], cpu: cpu({ cpuNanos: 0, memoryBytes: 0 }), memory: memory({ cpuNanos: 0, memoryBytes: 0 }), total: { cpuNanos: 0, memoryBytes: 0 } };
      pods.set(c.uid, pod);
    }
    pod.containers.push({ name: c.container, startTime: rfc3339(c.startedAt), cpu: cpu(usage), memory: memory(usage) });
    pod.total.cpuNanos += usage.cpuNanos;
    pod.total.memoryBytes += usage.memoryBytes;
    node.cpuNanos += usage.cpuNanos;
    node.memoryBytes += usage.memoryBytes;
  }
  return {
    node: { nodeName, startTime: rfc3339(nodeStartedAt), cpu: cpu(node), memory: memory(node) },
    pods: [...pods.values()].map(({ total, ...p }) => ({ ...p, cpu: cpu(total), memory: memory(total) })),
  };
}
