/**
 * What a container's processes use, read from Linux's /proc as cAdvisor reads a cgroup: CPU time
 * (user + system, with the children already reaped) and resident memory, summed over the
 * container's processes — its whole process group for a command container (which runs in a
 * group of its own), the one process for a built-in image. Parsing is pure; `readProcTable` is
 * the I/O.
 */
import { readdir, readFile } from 'node:fs/promises';

/** Linux's USER_HZ and page size on the machines Flotilla runs on (x86_64 and arm64 Linux). */
const CLOCK_TICKS_PER_SECOND = 100;
const PAGE_BYTES = 4096;

export interface ProcStat {
  readonly pid: number;
  readonly pgrp: number;
  /** utime + stime + cutime + cstime, in nanoseconds. */
  readonly cpuNanos: number;
  readonly rssBytes: number;
}

/** One `/proc/<pid>/stat` line; undefined when it does not read (the process went away mid-read). */
export function parseProcStat(line: string): ProcStat | undefined {
  // The command name is in parentheses and may hold spaces or parentheses itself.
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  const pid = Number(line.slice(0, line.indexOf(' ')));
  // Fields from the state (field 3) on.
  const f = line.slice(close + 2).split(' ');
  const num = (field: number) => Number(f[field - 3]);
  const ticks = num(14) + num(15) + num(16) + num(17);
  const stat = { pid, pgrp: num(5), cpuNanos: (ticks * 1e9) / CLOCK_TICKS_PER_SECOND, rssBytes: num(24) * PAGE_BYTES };
  return Object.values(stat).every(Number.isFinite) ? stat : undefined;
}

export interface Usage {
  readonly cpuNanos: number;
  readonly memoryBytes: number;
}

/** A container's use: its process group's (`group`), or its one process's. */
export function containerUsage(table: ReadonlyMap<number, ProcStat>, pid: number, group: boolean): Usage | undefined {
  if (!group) {
    const p = table.get(pid);
    return p && { cpuNanos: p.cpuNanos, memoryBytes: p.rssBytes };
  }
  let cpuNanos = 0;
  let memoryBytes = 0;
  let any = false;
  for (const p of table.values()) {
    if (p.pgrp !== pid) continue;
    any = true;
    cpuNanos += p.cpuNanos;
    memoryBytes += p.rssBytes;
  }
  return any ? { cpuNanos, memoryBytes } : undefined;
}

/** Every process's stat now. */
export async function readProcTable(): Promise<Map<number, ProcStat>> {
  const table = new Map<number, ProcStat>();
  const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d));
  await Promise.all(
    pids.map(async (pid) => {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8').then(parseProcStat, () => undefined);
      if (stat) table.set(stat.pid, stat);
    }),
  );
  return table;
}
