/**
 * Writing a volume's payload as kubelet's atomic writer does (pkg/volume/util/atomic_writer.go),
 * so a reader never sees half an update:
 *
 * ```
 * <volume>/..2026_11_26_21_50_02.123456789/<files>   the payload, in a new directory each time
 * <volume>/..data -> ..2026_11_26_21_50_02.123456789  swapped with one rename
 * <volume>/<top> -> ..data/<top>                      one link per top-level name of the payload
 * ```
 *
 * An unchanged payload writes nothing; a payload a container changed is written again (so what
 * a container writes into these read-only volumes is undone at the next sync). The directories
 * stay writable by their owner (kubelet's are read-only mounts, which a process cannot have):
 * a read-only directory would only trap an `rm -rf` of the data directory.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { VolumeFile } from './volumes.js';

const DATA = '..data';

/** The prefix of a payload directory's name: `..` and the UTC time as `2006_01_02_15_04_05.` (a random suffix follows). */
export function payloadDirPrefix(at: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `..${at.getUTCFullYear()}_${p(at.getUTCMonth() + 1)}_${p(at.getUTCDate())}_${p(at.getUTCHours())}_${p(at.getUTCMinutes())}_${p(at.getUTCSeconds())}.`;
}

/** The top-level names of a payload (each gets a `<name> -> ..data/<name>` link), sorted. */
export function topLevelNames(files: readonly VolumeFile[]): string[] {
  return [...new Set(files.map((f) => f.path.split('/')[0]!).filter(Boolean))].sort();
}

/** Whether the payload directory `dir` holds exactly `files` (same paths, bytes and modes). */
function samePayload(dir: string, files: readonly VolumeFile[]): boolean {
  const seen: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else seen.push(r);
    }
  };
  try {
    walk('');
  } catch {
    return false;
  }
  if (seen.length !== files.length) return false;
  for (const f of files) {
    try {
      const p = join(dir, f.path);
      if ((statSync(p).mode & 0o7777) !== f.mode || !readFileSync(p).equals(f.data)) return false;
    } catch {
      return false;
    }
  }
  return true;
}

/** Remove a tree whose directories may be read-only. */
export function removeTree(path: string): void {
  const open = (p: string): void => {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      return;
    }
    if (!st.isDirectory()) return;
    try {
      chmodSync(p, 0o755);
    } catch {
      /* not ours */
    }
    for (const e of readdirSync(p)) open(join(p, e));
  };
  open(path);
  rmSync(path, { recursive: true, force: true });
}

/** Write `files` into the volume directory `target` atomically; returns whether anything changed. */
export function writePayload(target: string, files: readonly VolumeFile[], now = new Date()): boolean {
  mkdirSync(target, { recursive: true });
  const dataLink = join(target, DATA);
  let old: string | undefined;
  try {
    old = readlinkSync(dataLink);
  } catch {
    old = undefined;
  }
  if (old !== undefined && samePayload(join(target, old), files)) return false;

  const tsDir = mkdtempSync(join(target, payloadDirPrefix(now)));
  for (const f of files) {
    const p = join(tsDir, f.path);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.data);
    chmodSync(p, f.mode);
  }
  const tsName = tsDir.slice(target.length + 1);
  const tmpLink = join(target, '..data_tmp');
  rmSync(tmpLink, { force: true });
  symlinkSync(tsName, tmpLink);
  renameSync(tmpLink, dataLink);

  const tops = new Set(topLevelNames(files));
  for (const name of tops) {
    const link = join(target, name);
    if (!existsSync(link)) {
      try {
        lstatSync(link);
        rmSync(link, { force: true });
      } catch {
        /* nothing there */
      }
      symlinkSync(join(DATA, name), link);
    }
  }
  for (const e of readdirSync(target)) {
    if (e.startsWith('..')) continue;
    if (!tops.has(e)) rmSync(join(target, e), { force: true });
  }
  if (old !== undefined && old !== tsName) removeTree(join(target, old));
  return true;
}
