/**
 * Command containers (and `flotilla/flotilla`: its wrapper and the CLI) run in their own process
 * group (so a `sh -c` and its children stop together), which also means they can outlive an
 * agent that is SIGKILLed. Each one's pid and
 * kernel start time are recorded in the pod's directory; a later agent that takes the pod over
 * kills the groups still alive (the start time guards against a reused pid). Built-in images
 * need none of this: they exit when the agent's end of their stdin closes.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Signal a whole process group (a container's, an exec's, a hook's); false when it is gone. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): boolean {
  if (!pid) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), or undefined off Linux or when gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

const dirOf = (podDir: string): string => join(podDir, '.pids');

export function recordGroup(podDir: string, container: string, pid: number): void {
  const start = processStartTime(pid);
  if (start === undefined) return;
  mkdirSync(dirOf(podDir), { recursive: true });
  writeFileSync(join(dirOf(podDir), container), `${pid} ${start}\n`);
}

export function forgetGroup(podDir: string, container: string): void {
  rmSync(join(dirOf(podDir), container), { force: true });
}

/** Kill the process groups an earlier agent left running for this pod; returns how many. */
export function killLeftoverGroups(podDir: string): number {
  let n = 0;
  let files: string[];
  try {
    files = readdirSync(dirOf(podDir));
  } catch {
    return 0;
  }
  for (const f of files) {
    const [pid, start] = readFileSync(join(dirOf(podDir), f), 'utf8').trim().split(' ');
    if (pid && start && processStartTime(Number(pid)) === start && killGroup(Number(pid))) n++;
    rmSync(join(dirOf(podDir), f), { force: true });
  }
  return n;
}
