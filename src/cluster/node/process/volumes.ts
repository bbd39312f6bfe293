/**
 * Volumes in the process runtime, as pure functions: what kubelet would write into a pod's
 * volumes and where, and how a container that is a plain process sees them.
 *
 * - **Layout.** Each volume is a directory under the pod's, as kubelet lays them out:
 *   `<dataDir>/var/lib/kubelet/pods/<uid>/volumes/kubernetes.io~<plugin>/<volume>` with the
 *   plugins `secret`, `configmap`, `downward-api` and `empty-dir` ({@link volumeDir}). A
 *   `hostPath` volume is its path.
 * - **Contents.** `secret`, `configMap` (`data` and `binaryData`) and `downwardAPI` volumes are a
 *   payload of files ({@link volumePayload}): every key, or the `items` (key → path, per-item
 *   `mode`), `defaultMode` 0644, `optional` (a missing object is an empty volume). The errors are
 *   kubelet's (`secret "y" not found`, `references non-existent secret key: k`, …); a volume that
 *   cannot be set up keeps the pod in ContainerCreating with the `FailedMount` event
 *   {@link failedMountMessage}. The shell writes payloads as kubelet's atomic writer does
 *   (volume-files.ts) and refreshes them while the pod runs.
 * - **Mounting.** A process cannot see a private mount at an absolute path, so the runtime mounts
 *   the honest way it has: (1) `FLOTILLA_MOUNT_<VOLUME>` in every container that mounts the volume
 *   (the volume's directory; the name upper-cased, other characters `_`), and (2) every path in the
 *   container's `command`, `args`, env values, exec probes and exec lifecycle hooks that starts
 *   with a `mountPath` is rewritten to the directory behind it ({@link rewritePaths}), `subPath` /
 *   `subPathExpr` included, so `--cert-dir /etc/webhook/certs` reads the Secret's files. A path is rewritten
 *   where it starts a word (after the start, whitespace, `=`, `:`, `,`, a quote or `(`) and the
 *   mount path ends at `/` or the end of the word; the longest mount path wins; each string is
 *   rewritten once (a rewritten path is never rewritten again). Paths a program builds at run time
 *   from other strings are not seen: use the variables for those. A `subPath` into a Secret or
 *   ConfigMap volume goes through its `..data` link, so unlike kubelet's bind mount it sees
 *   updates.
 * - **readOnly.** Secret, ConfigMap and downward API volumes are read-only whatever the mount says
 *   (kubelet mounts them so); a process cannot be given a read-only view of a directory its user
 *   owns, so the runtime restores their contents instead: a file a container changed is written
 *   back at the next sync (volume-files.ts). An emptyDir is shared by the pod's processes, so a
 *   `readOnly` mount of one cannot be enforced per container; it is kept in the mount table
 *   ({@link Mount}) and not enforced.
 */
import type { ConfigMap, Container, Pod, Secret, Volume } from 'kubernetes-types/core/v1.js';
import { expand, fieldValue, resourceValue } from './env.js';
import { join, posix } from 'node:path';

/** kubelet's default file mode for secret, configMap and downwardAPI volumes (0644). */
export const DEFAULT_MODE = 0o644;

export type VolumeKind = 'secret' | 'configMap' | 'downwardAPI' | 'emptyDir' | 'hostPath';

/** The plugin directory names, `kubernetes.io/<plugin>` escaped as kubelet does (`/` → `~`). */
const PLUGIN: Readonly<Record<Exclude<VolumeKind, 'hostPath'>, string>> = {
  secret: 'kubernetes.io~secret',
  configMap: 'kubernetes.io~configmap',
  downwardAPI: 'kubernetes.io~downward-api',
  emptyDir: 'kubernetes.io~empty-dir',
};

/** The kind of volume the runtime can provide, or undefined (not provided: its mounts are left as written). */
export function volumeKind(v: Volume): VolumeKind | undefined {
  if (v.secret) return 'secret';
  if (v.configMap) return 'configMap';
  if (v.downwardAPI) return 'downwardAPI';
  if (v.emptyDir) return 'emptyDir';
  if (v.hostPath) return 'hostPath';
  return undefined;
}

/** Where the volume's files are: `<podDir>/volumes/kubernetes.io~<plugin>/<name>` (a hostPath volume: its path). */
export function volumeDir(podDir: string, v: Volume): string | undefined {
  const kind = volumeKind(v);
  if (!kind) return undefined;
  if (kind === 'hostPath') return v.hostPath!.path;
  return join(podDir, 'volumes', PLUGIN[kind], v.name);
}

/** Whether the volume's contents come from the API and are kept up to date. */
export const isProjected = (v: Volume): boolean => Boolean(v.secret || v.configMap || v.downwardAPI);

/** The ConfigMaps and Secrets the pod's volumes read (for the shell to fetch). */
export function volumeReferences(pod: Pod): { configMaps: string[]; secrets: string[] } {
  const cms = new Set<string>();
  const secrets = new Set<string>();
  for (const v of pod.spec?.volumes ?? []) {
    if (v.configMap?.name) cms.add(v.configMap.name);
    if (v.secret?.secretName) secrets.add(v.secret.secretName);
  }
  return { configMaps: [...cms].sort(), secrets: [...secrets].sort() };
}

/** One file of a volume: its path relative to the volume, its bytes and its mode. */
export interface VolumeFile {
  readonly path: string;
  readonly data: Buffer;
  readonly mode: number;
}

export interface VolumeContext {
  /** ConfigMaps and Secrets of the pod's namespace by name, as fetched (undefined: not found). */
  readonly configMaps: ReadonlyMap<string, ConfigMap | undefined>;
  readonly secrets: ReadonlyMap<string, Secret | undefined>;
  readonly podIP: string;
  readonly hostIP: string;
  readonly nodeAllocatable?: Readonly<Record<string, string>>;
}

export type VolumePayload =
  | { readonly ok: true; readonly files?: readonly VolumeFile[] }
  | { readonly ok: false; readonly message: string };

/** kubelet's event message for a volume that could not be set up. */
export function failedMountMessage(volume: string, message: string): string {
  return `MountVolume.SetUp failed for volume ${JSON.stringify(volume)} : ${message}`;
}

type KeyToPath = { key: string; path: string; mode?: number };

/** Every key as a file, or the items; `missing(key)` is kubelet's error for an item whose key is not there. */
function keyFiles(data: ReadonlyMap<string, Buffer>, items: readonly KeyToPath[] | undefined, defaultMode: number, optional: boolean, missing: (key: string) => string): VolumePayload {
  if (!items || items.length === 0) {
    return { ok: true, files: [...data.keys()].sort().map((k) => ({ path: k, data: data.get(k)!, mode: defaultMode })) };
  }
  const files: VolumeFile[] = [];
  for (const it of items) {
    const v = data.get(it.key);
    if (v === undefined) {
      if (optional) continue;
      return { ok: false, message: missing(it.key) };
    }
    files.push({ path: it.path, data: v, mode: it.mode ?? defaultMode });
  }
  return { ok: true, files };
}

/**
 * The files of a secret, configMap or downwardAPI volume (see the module comment); `{ ok: true }`
 * without files for an emptyDir or hostPath, whose contents are the pod's own.
 */
export function volumePayload(pod: Pod, v: Volume, ctx: VolumeContext): VolumePayload {
  if (v.secret) {
    const s = v.secret;
    const name = s.secretName ?? '';
    const secret = ctx.secrets.get(name);
    const mode = s.defaultMode ?? DEFAULT_MODE;
    if (!secret) return s.optional ? { ok: true, files: [] } : { ok: false, message: `secret ${JSON.stringify(name)} not found` };
    const data = new Map(Object.entries(secret.data ?? {}).map(([k, b64]) => [k, Buffer.from(b64, 'base64')]));
    return keyFiles(data, s.items, mode, Boolean(s.optional), (k) => `references non-existent secret key: ${k}`);
  }
  if (v.configMap) {
    const c = v.configMap;
    const name = c.name ?? '';
    const cm = ctx.configMaps.get(name);
    const mode = c.defaultMode ?? DEFAULT_MODE;
    if (!cm) return c.optional ? { ok: true, files: [] } : { ok: false, message: `configmap ${JSON.stringify(name)} not found` };
    const data = new Map<string, Buffer>([
      ...Object.entries(cm.data ?? {}).map(([k, s]) => [k, Buffer.from(s, 'utf8')] as const),
      ...Object.entries(cm.binaryData ?? {}).map(([k, b64]) => [k, Buffer.from(b64, 'base64')] as const),
    ]);
    return keyFiles(data, c.items, mode, Boolean(c.optional), (k) => `configmap references non-existent config key: ${k}`);
  }
  if (v.downwardAPI) {
    const d = v.downwardAPI;
    const mode = d.defaultMode ?? DEFAULT_MODE;
    const files: VolumeFile[] = [];
    for (const it of d.items ?? []) {
      let value: string;
      try {
        if (it.fieldRef) value = fieldValue(pod, it.fieldRef.fieldPath, ctx);
        else if (it.resourceFieldRef) {
          const ref = it.resourceFieldRef;
          const c = (pod.spec?.containers ?? []).find((x) => x.name === ref.containerName);
          if (!c) return { ok: false, message: `container ${JSON.stringify(ref.containerName ?? '')} not found in pod for resourceFieldRef ${ref.resource}` };
          value = resourceValue(pod, c, ref, ctx);
        } else continue;
      } catch (err) {
        return { ok: false, message: (err as Error).message };
      }
      files.push({ path: it.path, data: Buffer.from(value, 'utf8'), mode: it.mode ?? mode });
    }
    return { ok: true, files };
  }
  return { ok: true };
}

/** A container's view of one volumeMount: where the container thinks it is, where it really is. */
export interface Mount {
  readonly volume: string;
  readonly mountPath: string;
  readonly hostPath: string;
  readonly readOnly: boolean;
}

export type MountsResult = { readonly ok: true; readonly mounts: readonly Mount[] } | { readonly ok: false; readonly message: string };

/** `/a/b/` → `/a/b`; `a/./b` → `a/b`. */
const clean = (p: string): string => {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
};

/**
 * The container's mounts: each volumeMount's directory (with `subPath`, or `subPathExpr`
 * expanded over the container's environment as kubelet does). `dirs` are the pod's volume
 * directories by volume name; a mount of a volume the runtime does not provide is left out.
 */
export function containerMounts(c: Pick<Container, 'volumeMounts'>, dirs: ReadonlyMap<string, string>, env: Readonly<Record<string, string>> = {}): MountsResult {
  const mounts: Mount[] = [];
  for (const m of c.volumeMounts ?? []) {
    const dir = dirs.get(m.name);
    if (dir === undefined) continue;
    const sub = m.subPathExpr !== undefined ? expand(m.subPathExpr, (n) => env[n]) : (m.subPath ?? '');
    if (sub && (posix.isAbsolute(sub) || sub.split('/').includes('..'))) {
      return { ok: false, message: `failed to prepare subPath for volumeMount ${JSON.stringify(m.name)} of container: subPath ${JSON.stringify(sub)} must be a relative path without ".."` };
    }
    mounts.push({ volume: m.name, mountPath: clean(m.mountPath), hostPath: sub ? join(dir, sub) : dir, readOnly: Boolean(m.readOnly) });
  }
  return { ok: true, mounts };
}

/** `FLOTILLA_MOUNT_<VOLUME>` → the volume's directory, for every volume the container mounts. */
export function mountEnv(c: Pick<Container, 'volumeMounts'>, dirs: ReadonlyMap<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of c.volumeMounts ?? []) {
    const dir = dirs.get(m.name);
    if (dir !== undefined) out[mountEnvName(m.name)] = dir;
  }
  return out;
}

export const mountEnvName = (volume: string): string => `FLOTILLA_MOUNT_${volume.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A function rewriting, in one string, every path under a mount's `mountPath` to the directory
 * behind it (see the module comment). `/` as a mount path is never rewritten (it would be every
 * path).
 */
export function pathRewriter(mounts: readonly Mount[]): (s: string) => string {
  const usable = mounts.filter((m) => m.mountPath !== '/' && m.mountPath.startsWith('/'));
  if (usable.length === 0) return (s) => s;
  const byPath = new Map<string, string>();
  for (const m of usable) if (!byPath.has(m.mountPath)) byPath.set(m.mountPath, m.hostPath);
  const alternatives = [...byPath.keys()].sort((a, b) => b.length - a.length).map(escapeRe).join('|');
  const re = new RegExp(`(?<=^|[\\s=:,"'(])(${alternatives})(?=$|[/\\s:,;"')])`, 'g');
  return (s) => s.replace(re, (p) => byPath.get(p)!);
}

/** {@link pathRewriter} applied to one string. */
export function rewritePaths(s: string, mounts: readonly Mount[]): string {
  return pathRewriter(mounts)(s);
}

/** The container with its command, args, exec probes and exec hooks rewritten (env values are rewritten by the shell after resolving). */
export function rewriteContainer(c: Container, rewrite: (s: string) => string): Container {
  const probe = <P extends Container['livenessProbe']>(p: P): P =>
    p?.exec?.command ? ({ ...p, exec: { ...p.exec, command: p.exec.command.map(rewrite) } } as P) : p;
  const hook = <H extends NonNullable<Container['lifecycle']>['postStart']>(h: H): H =>
    h?.exec?.command ? ({ ...h, exec: { ...h.exec, command: h.exec.command.map(rewrite) } } as H) : h;
  const lc = c.lifecycle;
  return {
    ...c,
    ...(c.command ? { command: c.command.map(rewrite) } : {}),
    ...(lc ? { lifecycle: { ...lc, ...(lc.postStart ? { postStart: hook(lc.postStart) } : {}), ...(lc.preStop ? { preStop: hook(lc.preStop) } : {}) } } : {}),
    ...(c.args ? { args: c.args.map(rewrite) } : {}),
    ...(c.livenessProbe ? { livenessProbe: probe(c.livenessProbe) } : {}),
    ...(c.readinessProbe ? { readinessProbe: probe(c.readinessProbe) } : {}),
    ...(c.startupProbe ? { startupProbe: probe(c.startupProbe) } : {}),
  };
}

/** Every env value rewritten. */
export function rewriteEnv(env: Readonly<Record<string, string>>, rewrite: (s: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, rewrite(v)]));
}
