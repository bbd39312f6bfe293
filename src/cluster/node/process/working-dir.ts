/**
 * Where a container's process starts (`workingDir`), as a pure rule. A process has no private
 * root filesystem, so the directory the container asks for is found the honest way it can be:
 *
 * 1. at or under one of the container's `mountPath`s: the same path inside the volume's
 *    directory (the mapping command and args get, volumes.ts; the longest mount path wins; `/`
 *    is never a mount for this);
 * 2. else, when the directory exists on the host: that directory (the host is the image);
 * 3. else a scratch directory of the container's own, `<pod dir>/workdirs/<container>/<workingDir>`,
 *    so relative paths work and two containers asking for the same path do not share it
 *    (each would have its own filesystem under kubelet).
 *
 * Without `workingDir` the process starts in the pod's directory. Like runc, the shell creates a
 * volume or scratch directory that is not there yet.
 */
import { join, posix } from 'node:path';
import type { Mount } from './volumes.js';

export type WorkingDir =
  | { readonly kind: 'pod'; readonly path: string }
  | { readonly kind: 'volume'; readonly path: string; readonly volume: string }
  | { readonly kind: 'host'; readonly path: string }
  | { readonly kind: 'scratch'; readonly path: string };

/** `exists(path)`: whether the host has that directory (the shell's look). */
export function workingDirOf(workingDir: string | undefined, container: string, mounts: readonly Mount[], podDir: string, exists: (path: string) => boolean): WorkingDir {
  if (!workingDir) return { kind: 'pod', path: podDir };
  // A relative workingDir is relative to the root, as container runtimes take it.
  const wd = posix.resolve('/', workingDir);
  let best: Mount | undefined;
  for (const m of mounts) {
    if (m.mountPath === '/' || !m.mountPath.startsWith('/')) continue;
    if (wd !== m.mountPath && !wd.startsWith(`${m.mountPath}/`)) continue;
    if (!best || m.mountPath.length > best.mountPath.length) best = m;
  }
  if (best) return { kind: 'volume', path: join(best.hostPath, wd.slice(best.mountPath.length)), volume: best.volume };
  if (exists(wd)) return { kind: 'host', path: wd };
  return { kind: 'scratch', path: join(podDir, 'workdirs', container, wd) };
}
