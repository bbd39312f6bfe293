/**
 * The process runtime: the kubelet's container side for pods bound to 'process' nodes. Each
 * container runs as a child process (a built-in image's Node script, Flotilla's CLI for
 * `flotilla/flotilla`, or the container's command) in its working directory (working-dir.ts: the
 * pod's directory under `dataDir` unless `workingDir` says otherwise), with its environment
 * (env.ts), its volumes (volumes.ts, written by volume-files.ts and refreshed every
 * {@link VOLUME_SYNC_MS} by default), its CRI log file (log-file.ts), its probes (prober.ts) and
 * its lifecycle hooks (hooks.ts, run by hook-runner.ts). What to do next and what to report come from the pure core in lifecycle.ts;
 * this shell keeps the facts, starts and kills processes, and asks for a resync when something
 * changes (a process exits, a probe flips).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigMap, Container, LifecycleHandler, Pod, PodStatus, Secret } from 'kubernetes-types/core/v1.js';
import { kinds, type Client, type Logger } from '../../../runtime/index.js';
import type { PodPlacement } from '../pod-status.js';
import { envReferences, expandCommand, resolveEnv } from './env.js';
import { runHook } from './hook-runner.js';
import { hookFailureMessage, MIN_GRACE_S, parseHook, POST_START_FAILED_EVENT, POST_START_KILL_MESSAGE, PRE_STOP_FAILED_EVENT, runsPreStop, stopGraceAfterPreStop, type HookFailure } from './hooks.js';
import { programOf } from './image.js';
import { factsFromStatus, isRunning, nextBackoff, planPod, podRef, podStatusOf, restartAt, type ContainerFacts, type PodPlan } from './lifecycle.js';
import { containerLogPath, ContainerLogFile, legacySymlinkPath, podLogDir } from './log-file.js';
import { forgetGroup, killGroup, killLeftoverGroups, recordGroup } from './orphans.js';
import { startProber } from './prober.js';
import { unhealthyMessage, type ProbeKind } from './probe.js';
import { removeTree, writePayload } from './volume-files.js';
import { containerMounts, failedMountMessage, isProjected, mountEnv, pathRewriter, rewriteContainer, rewriteEnv, volumeDir, volumeKind, volumePayload, volumeReferences, type Mount } from './volumes.js';
import { workingDirOf } from './working-dir.js';
import type { ExecRequest } from '../remote-command.js';
import type { ExecProcess } from '../exec-session.js';
import type { RunningContainer } from './stats-summary.js';
import { memoryLimitBytes, MEMORY_CHECK_MS, OOM_KILLED, overMemoryLimit } from './memory-limit.js';
import { containerUsage, readProcTable } from './proc-stats.js';

const BUILTIN_SCRIPT = fileURLToPath(new URL('./builtin-image.js', import.meta.url));
/** The `flotilla/flotilla` image: a wrapper that runs the CLI and goes when the agent does. */
const CLI_IMAGE_SCRIPT = fileURLToPath(new URL('./cli-image.js', import.meta.url));
/** The CLI this runtime was built with (dist/src/cluster/node/process → dist/src/cli/main.js). */
const CLI_MAIN = fileURLToPath(new URL('../../../cli/main.js', import.meta.url));

/**
 * How often a running pod's Secret, ConfigMap and downward API volumes are refreshed. kubelet
 * does it on its sync period (a minute, plus its cache's TTL); sooner costs a few GETs.
 */
export const VOLUME_SYNC_MS = 10_000;
/** Retrying a volume that could not be set up: 1 s doubling to 16 s (kubelet backs off to 2 min). */
const MOUNT_RETRY_MS = 1000;
const MOUNT_RETRY_MAX_MS = 16_000;

export type EventFn = (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string) => void;

export interface ProcessRuntimeOptions {
  readonly client: Pick<Client, 'get'>;
  readonly dataDir: string;
  readonly logger: Logger;
  /** The API server as pods see it (KUBERNETES_SERVICE_HOST/PORT). */
  readonly apiServer?: { readonly host: string; readonly port: number };
  /** Sync the pod again soon (a process exited, a probe result flipped). */
  readonly resync: (namespace: string, name: string) => void;
  readonly event: EventFn;
  /** Grace for containers stopped because their node is removed or the agent stops (default 2 s). */
  readonly shutdownGraceMs?: number;
  /** How often Secret, ConfigMap and downward API volumes are refreshed (default {@link VOLUME_SYNC_MS}). */
  readonly volumeSyncMs?: number;
  readonly now?: () => number;
}

/** What the agent does after a sync. */
export interface RuntimeSync {
  /** The status kubelet reports now (the agent writes it when it differs). */
  readonly status?: PodStatus;
  /** The pod has ended: its status is final and nothing of it runs. */
  readonly terminal: boolean;
  readonly requeueAfterMs?: number;
}

interface ContainerSlot {
  facts: ContainerFacts;
  proc?: ChildProcess;
  /** The process runs in its own process group (commands: kill the group, so `sh -c` children go too). */
  group: boolean;
  exited?: Promise<void>;
  stopProbes?: () => void;
  env?: Readonly<Record<string, string>>;
  /** The current run's working directory (exec probes and hooks run there too). */
  cwd?: string;
  /** The container as the current run sees it (paths rewritten), for its hooks. */
  spec?: Container;
  /** Its mount paths → the volumes' directories, for commands run in it (`kubectl exec`). */
  rewrite?: (s: string) => string;
  /** `resources.limits.memory` in bytes, watched while it runs (memory-limit.ts). */
  memoryLimit?: number;
  /** The run killed for going over its memory limit. */
  oomKilled?: string;
  /** Aborted when the current run exits: its hooks stop with it. */
  hookAbort?: AbortController;
  /** The run being killed (kubelet's killContainer runs once per run). */
  killing?: string;
  starting?: boolean;
  /** The run whose log file is still being written (until its pipes close). */
  logOpen?: string;
  /** The exited run a BackOff event was recorded for. */
  backoffEvent?: string;
}

interface PodRun {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly node: string;
  pod: Pod;
  placement: PodPlacement;
  readonly startTime: number;
  readonly dir: string;
  readonly containers: Map<string, ContainerSlot>;
  /** SIGTERM sent; SIGKILL at this time. */
  killAt?: number;
  /** Container starts in flight (a shutdown waits for them, then kills what they started). */
  readonly starts: Set<Promise<void>>;
  terminal: boolean;
  finalStatus?: PodStatus;
  readonly volumes: PodVolumes;
}

interface PodVolumes {
  /** The directory of each volume the runtime provides, by volume name. */
  readonly dirs: Map<string, string>;
  /** Every volume was set up once (containers may start; later failures keep the old contents). */
  ready: boolean;
  /** Whether any volume's contents come from the API (and are refreshed). */
  readonly refreshed: boolean;
  syncedAt: number;
  failures: number;
  retryAt: number;
}

/** Exit code of a process ended by a signal, as runtimes report it (128 + signal number). */
const exitCodeOf = (code: number | null, signal: NodeJS.Signals | null): number =>
  code ?? 128 + ((signal && (constants.signals as Record<string, number>)[signal]) || 9);

/** The attempt of a container's current run (its log file must stay). */
const slotAttempt = (run: { containers: Map<string, { facts: ContainerFacts }> }, name: string): number | undefined => run.containers.get(name)?.facts.current?.attempt;

const allContainers = (pod: Pod): Container[] => [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];

const isDir = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/** kubelet's setTerminationGracePeriod for a pod-level kill: the deletion's grace, else the pod's. */
const podGraceS = (pod: Pod): number => pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;

export class ProcessRuntime {
  private readonly pods = new Map<string, PodRun>();
  /** Nodes being removed (or all, once the agent stops): their pods start nothing more. */
  private readonly closed = new Set<string>();
  private closedAll = false;
  private memoryTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly volumeSyncMs: number;

  constructor(private readonly opts: ProcessRuntimeOptions) {
    this.now = opts.now ?? Date.now;
    this.volumeSyncMs = opts.volumeSyncMs ?? VOLUME_SYNC_MS;
    this.log = opts.logger.child({ runtime: 'process' });
  }

  /** The facts of a pod's container (for the log server), if this runtime runs the pod. */
  facts(uid: string, container: string): ContainerFacts | undefined {
    return this.pods.get(uid)?.containers.get(container)?.facts;
  }

  isRunning(uid: string, containerID: string): boolean {
    const run = this.pods.get(uid);
    if (!run) return false;
    for (const s of run.containers.values()) if (s.facts.current?.id === containerID && (isRunning(s.facts) || s.logOpen === containerID)) return true;
    return false;
  }

  /** The containers of `node`'s pods that have a process running now (for the Summary API). */
  runningContainers(node: string): RunningContainer[] {
    const out: RunningContainer[] = [];
    for (const run of this.pods.values()) {
      if (run.node !== node) continue;
      for (const [name, slot] of run.containers) {
        const pid = slot.proc?.pid;
        if (pid === undefined || !isRunning(slot.facts) || !slot.facts.current) continue;
        out.push({ namespace: run.namespace, pod: run.name, uid: run.uid, podStartedAt: run.startTime, container: name, pid, group: slot.group, startedAt: slot.facts.current.startedAt });
      }
    }
    return out;
  }

  /** Whether the pod's container has a process running now. */
  containerRunning(uid: string, container: string): boolean {
    const slot = this.pods.get(uid)?.containers.get(container);
    return Boolean(slot?.proc && isRunning(slot.facts));
  }

  /**
   * `kubectl exec`: the command in a running container's environment and working directory,
   * mount paths rewritten as in its own command, in a process group of its own that ends with
   * the container's run. undefined when the container is not running.
   */
  exec(uid: string, container: string, request: ExecRequest): ExecProcess | undefined {
    const slot = this.pods.get(uid)?.containers.get(container);
    if (!slot?.proc || !isRunning(slot.facts) || !slot.hookAbort) return undefined;
    const rewrite = slot.rewrite ?? ((x: string) => x);
    const [file, ...args] = request.command.map(rewrite);
    const child = spawn(file, args, { cwd: slot.cwd, env: { ...slot.env }, stdio: [request.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], detached: true });
    const stop = () => void killGroup(child.pid);
    const ended = slot.hookAbort.signal;
    ended.addEventListener('abort', stop, { once: true });
    child.once('close', () => ended.removeEventListener('abort', stop));
    return { process: child, stop };
  }

  runningPods(): number {
    return this.pods.size;
  }

  /** Start, restart and report the pod's containers (see lifecycle.ts). */
  async sync(pod: Pod, node: string, placement: PodPlacement): Promise<RuntimeSync> {
    if (this.closedAll || this.closed.has(node)) return { terminal: false };
    const now = this.now();
    const run = this.podRun(pod, node, placement, now);
    if (run.terminal) return { status: run.finalStatus, terminal: true };
    const factsOf = (n: string): ContainerFacts | undefined => run.containers.get(n)?.facts;
    let plan: PodPlan = planPod(pod, factsOf, run.startTime, now);
    if (plan.terminal) {
      const left = plan.stop.filter((n) => isRunning(factsOf(n)));
      if (left.length) return this.stopping(run, left, now);
      run.terminal = true;
      this.forgetProcesses(run);
      run.finalStatus = podStatusOf(pod, factsOf, plan, placement, run.startTime, now);
      return { status: run.finalStatus, terminal: true };
    }
    await this.syncVolumes(run, now);
    if (!run.volumes.ready) {
      // kubelet makes no sandbox and starts nothing until every volume is mounted.
      const t = this.now();
      const status = podStatusOf(pod, factsOf, { ...plan, start: [] }, placement, run.startTime, t, false);
      return { status, terminal: false, requeueAfterMs: Math.max(1, run.volumes.retryAt - t) };
    }
    for (const name of plan.start) await this.startContainer(run, name);
    if (plan.start.length) plan = planPod(pod, factsOf, run.startTime, this.now());
    const t = this.now();
    for (const [name, slot] of run.containers) {
      const err = slot.facts.startError;
      if (err?.reason === 'ErrImagePull' && t >= err.at + 1000 && slot.backoffEvent !== `pull/${err.count}`) {
        slot.backoffEvent = `pull/${err.count}`;
        const image = allContainers(pod).find((c) => c.name === name)?.image ?? '';
        this.opts.event(pod, 'Normal', 'BackOff', `Back-off pulling image ${JSON.stringify(image)}`);
        this.opts.event(pod, 'Warning', 'Failed', 'Error: ImagePullBackOff');
      }
      const cur = slot.facts.current;
      if (cur?.finishedAt !== undefined && slot.backoffEvent !== cur.id && restartAt(slot.facts, t) !== undefined) {
        slot.backoffEvent = cur.id;
        this.opts.event(pod, 'Warning', 'BackOff', `Back-off restarting failed container ${name} in pod ${podRef(pod)}`);
      }
    }
    const status = podStatusOf(pod, factsOf, plan, placement, run.startTime, t);
    // An image-pull failure reads ErrImagePull first and ImagePullBackOff a second later.
    const wakes = [plan.wakeAt ?? Infinity];
    if (run.volumes.refreshed) wakes.push(run.volumes.syncedAt + this.volumeSyncMs);
    // A start that failed at once (no such executable) is due again right away: the first restart has no back-off.
    if (plan.start.length) wakes.push(t + 100);
    for (const s of run.containers.values()) if (s.facts.startError && t < s.facts.startError.at + 1000) wakes.push(s.facts.startError.at + 1000);
    const next = Math.min(...wakes);
    return { status, terminal: false, requeueAfterMs: Number.isFinite(next) ? Math.max(1, next - t) : undefined };
  }

  /**
   * The pod is being deleted: SIGTERM its containers, SIGKILL them when the grace period is
   * over. Resolves `done` once nothing runs (the agent then confirms the deletion).
   */
  async terminate(pod: Pod): Promise<{ done: boolean; requeueAfterMs?: number }> {
    const run = this.pods.get(pod.metadata?.uid ?? '');
    if (!run) return { done: true };
    run.pod = pod;
    const running = [...run.containers.entries()].filter(([, s]) => isRunning(s.facts)).map(([n]) => n);
    if (!running.length) {
      this.forget(run.uid);
      return { done: true };
    }
    const r = this.stopping(run, running, this.now());
    return { done: false, requeueAfterMs: r.requeueAfterMs };
  }

  /** Stop tracking a pod (its processes are gone or are being killed) and remove its directory. */
  forget(uid: string): void {
    const run = this.pods.get(uid);
    if (!run) return;
    this.pods.delete(uid);
    for (const s of run.containers.values()) {
      s.stopProbes?.();
      if (s.proc && isRunning(s.facts)) this.signal(s, 'SIGKILL');
    }
    removeTree(run.dir);
  }

  /** Kill every container of the node's pods (SIGTERM, a short grace, SIGKILL) and wait until they have exited. */
  async stopNode(node: string): Promise<void> {
    this.closed.add(node);
    await Promise.all([...this.pods.values()].filter((r) => r.node === node).map((r) => this.shutdown(r)));
  }

  async stopAll(): Promise<void> {
    this.closedAll = true;
    await Promise.all([...this.pods.values()].map((r) => this.shutdown(r)));
  }

  // ---------------------------------------------------------------------------------------

  private podRun(pod: Pod, node: string, placement: PodPlacement, now: number): PodRun {
    const uid = pod.metadata!.uid!;
    let run = this.pods.get(uid);
    if (run) {
      run.pod = pod;
      run.placement = placement;
      return run;
    }
    const started = pod.status?.startTime ? Date.parse(pod.status.startTime) : NaN;
    const dir = join(this.opts.dataDir, 'var', 'lib', 'kubelet', 'pods', uid);
    const dirs = new Map<string, string>();
    for (const v of pod.spec?.volumes ?? []) {
      const d = volumeDir(dir, v);
      if (d !== undefined) dirs.set(v.name, d);
    }
    run = {
      uid,
      namespace: pod.metadata!.namespace!,
      name: pod.metadata!.name!,
      node,
      pod,
      placement,
      startTime: Number.isNaN(started) ? now : started,
      dir,
      containers: new Map(),
      starts: new Set(),
      terminal: false,
      volumes: { dirs, ready: false, refreshed: (pod.spec?.volumes ?? []).some(isProjected), syncedAt: 0, failures: 0, retryAt: 0 },
    };
    mkdirSync(run.dir, { recursive: true });
    const killed = killLeftoverGroups(run.dir);
    if (killed) this.log.info({ pod: `${run.namespace}/${run.name}`, processes: killed }, 'killed containers an earlier agent left running');
    // A pod an earlier agent ran: its containers died with that agent (see factsFromStatus).
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const c of allContainers(pod)) {
      run.containers.set(c.name, { facts: factsFromStatus(statuses.find((s) => s.name === c.name), now), group: false });
    }
    this.pods.set(uid, run);
    return run;
  }

  private stopping(run: PodRun, names: string[], now: number): RuntimeSync {
    const graceS = podGraceS(run.pod);
    if (run.killAt === undefined) {
      // killContainer keeps the time itself (preStop, SIGTERM, SIGKILL); this is only a backstop
      // a second after the longest it can take (the grace period, then the 2 s minimum).
      run.killAt = now + (graceS + MIN_GRACE_S + 1) * 1000;
      for (const n of names) void this.killContainer(run, n, '', graceS);
    } else if (now >= run.killAt) {
      for (const n of names) this.signal(run.containers.get(n)!, 'SIGKILL');
      return { terminal: false, requeueAfterMs: 1000 };
    }
    return { terminal: false, requeueAfterMs: Math.max(1, run.killAt - now) };
  }

  /** Start running pods of `node` again (it was removed and is added back). */
  reopen(node: string): void {
    this.closed.delete(node);
  }

  private async shutdown(run: PodRun): Promise<void> {
    await Promise.allSettled([...run.starts]);
    const grace = this.opts.shutdownGraceMs ?? 2000;
    const waits: Promise<void>[] = [];
    for (const s of run.containers.values()) {
      s.stopProbes?.();
      if (!s.proc || !isRunning(s.facts)) continue;
      this.signal(s, 'SIGTERM');
      const timer = setTimeout(() => this.signal(s, 'SIGKILL'), grace);
      waits.push(s.exited!.finally(() => clearTimeout(timer)));
    }
    await Promise.all(waits);
    this.pods.delete(run.uid);
  }

  private forgetProcesses(run: PodRun): void {
    for (const s of run.containers.values()) s.stopProbes?.();
  }

  /** Start the memory watch if it is not running; it stops itself when no limited container runs. */
  private watchMemory(): void {
    if (this.memoryTimer) return;
    this.memoryTimer = setInterval(() => void this.checkMemory(), MEMORY_CHECK_MS);
    this.memoryTimer.unref();
  }

  /** Kill, as the OOM killer would, every running container over its memory limit. */
  private async checkMemory(): Promise<void> {
    const limited: Array<[PodRun, ContainerSlot]> = [];
    for (const run of this.pods.values()) for (const s of run.containers.values()) if (s.memoryLimit !== undefined && s.proc?.pid && isRunning(s.facts)) limited.push([run, s]);
    if (!limited.length) {
      clearInterval(this.memoryTimer);
      this.memoryTimer = undefined;
      return;
    }
    const table = await readProcTable();
    for (const [run, s] of limited) {
      const id = s.facts.current?.id;
      const used = containerUsage(table, s.proc!.pid!, s.group)?.memoryBytes;
      if (!id || used === undefined || s.oomKilled === id || !overMemoryLimit(used, s.memoryLimit!)) continue;
      s.oomKilled = id;
      this.log.info({ pod: `${run.namespace}/${run.name}`, usedBytes: used, limitBytes: s.memoryLimit }, 'container over its memory limit: killed');
      this.signal(s, 'SIGKILL');
    }
  }

  private signal(s: ContainerSlot, sig: NodeJS.Signals): void {
    const pid = s.proc?.pid;
    if (!pid || s.proc!.exitCode !== null || s.proc!.signalCode !== null) return;
    try {
      if (s.group) process.kill(-pid, sig);
      else s.proc!.kill(sig);
    } catch {
      /* already gone */
    }
  }

  private async fetchRefs(pod: Pod, c: Container): Promise<{ configMaps: Map<string, ConfigMap | undefined>; secrets: Map<string, Secret | undefined> }> {
    const ns = pod.metadata!.namespace!;
    const refs = envReferences(c);
    const configMaps = new Map<string, ConfigMap | undefined>();
    const secrets = new Map<string, Secret | undefined>();
    await Promise.all([
      ...refs.configMaps.map(async (n) => configMaps.set(n, (await this.opts.client.get(kinds.configMaps, ns, n)) as unknown as ConfigMap | undefined)),
      ...refs.secrets.map(async (n) => secrets.set(n, (await this.opts.client.get(kinds.secrets, ns, n)) as unknown as Secret | undefined)),
    ]);
    return { configMaps, secrets };
  }

  /**
   * Set up the pod's volumes (until they all are), then refresh them every VOLUME_SYNC_MS. A
   * volume that cannot be set up at first is a FailedMount event and a retry with back-off;
   * once set up, a failed refresh keeps what was written (as kubelet does).
   */
  private async syncVolumes(run: PodRun, now: number): Promise<void> {
    const v = run.volumes;
    if (v.ready ? !v.refreshed || now < v.syncedAt + this.volumeSyncMs : now < v.retryAt) return;
    const pod = run.pod;
    const ns = run.namespace;
    const refs = volumeReferences(pod);
    const configMaps = new Map<string, ConfigMap | undefined>();
    const secrets = new Map<string, Secret | undefined>();
    try {
      await Promise.all([
        ...refs.configMaps.map(async (n) => configMaps.set(n, (await this.opts.client.get(kinds.configMaps, ns, n)) as unknown as ConfigMap | undefined)),
        ...refs.secrets.map(async (n) => secrets.set(n, (await this.opts.client.get(kinds.secrets, ns, n)) as unknown as Secret | undefined)),
      ]);
    } catch (err) {
      if (!v.ready) throw err;
      this.log.info({ pod: `${ns}/${run.name}`, err: (err as Error).message }, 'volume refresh failed; keeping the contents');
      v.syncedAt = now;
      return;
    }
    const ctx = { configMaps, secrets, podIP: run.placement.podIP, hostIP: run.placement.hostIP };
    let failed = false;
    for (const vol of pod.spec?.volumes ?? []) {
      const dir = v.dirs.get(vol.name);
      if (dir === undefined) continue;
      const kind = volumeKind(vol);
      if (kind === 'emptyDir') {
        if (!v.ready) mkdirSync(dir, { recursive: true });
        continue;
      }
      if (kind === 'hostPath') continue;
      const payload = volumePayload(pod, vol, ctx);
      if (!payload.ok) {
        if (v.ready) {
          this.log.info({ pod: `${ns}/${run.name}`, volume: vol.name, err: payload.message }, 'volume refresh failed; keeping the contents');
        } else {
          failed = true;
          this.opts.event(pod, 'Warning', 'FailedMount', failedMountMessage(vol.name, payload.message));
        }
        continue;
      }
      if (writePayload(dir, payload.files ?? []) && v.ready) this.log.debug({ pod: `${ns}/${run.name}`, volume: vol.name }, 'volume updated');
    }
    if (failed) {
      v.failures++;
      v.retryAt = now + Math.min(MOUNT_RETRY_MAX_MS, MOUNT_RETRY_MS * 2 ** (v.failures - 1));
      return;
    }
    v.ready = true;
    v.syncedAt = now;
  }

  private async startContainer(run: PodRun, name: string): Promise<void> {
    const c = allContainers(run.pod).find((x) => x.name === name);
    const slot = run.containers.get(name);
    if (!c || !slot || slot.starting || isRunning(slot.facts)) return;
    slot.starting = true;
    const p = this.startSlot(run, c, slot);
    run.starts.add(p);
    try {
      await p;
    } finally {
      run.starts.delete(p);
      slot.starting = false;
    }
  }

  private async startSlot(run: PodRun, c: Container, slot: ContainerSlot): Promise<void> {
    const pod = run.pod;
    const ev = this.opts.event;
    const failStart = (reason: 'ErrImagePull' | 'CreateContainerConfigError', message: string): void => {
      const prev = slot.facts.startError;
      slot.facts = { ...slot.facts, startError: { reason, message, at: this.now(), count: prev?.reason === reason ? prev.count + 1 : 1 } };
    };

    const refs = await this.fetchRefs(pod, c);
    let env = resolveEnv(pod, c, {
      ...refs,
      podIP: run.placement.podIP,
      hostIP: run.placement.hostIP,
      apiServer: this.opts.apiServer,
      path: process.env.PATH,
    });
    // The process runtime's way of mounting (volumes.ts): the volumes' directories in
    // FLOTILLA_MOUNT_<VOLUME>, and mount paths in command, args, env, exec probes and exec hooks rewritten.
    let cc = c;
    let mountList: readonly Mount[] = [];
    let rewrite = (path: string) => path;
    if (env.ok) {
      const mounts = containerMounts(c, run.volumes.dirs, env.env);
      if (!mounts.ok) env = { ok: false, reason: 'CreateContainerConfigError', message: mounts.message };
      else {
        mountList = mounts.mounts;
        rewrite = pathRewriter(mounts.mounts);
        cc = rewriteContainer(c, rewrite);
        env = { ok: true, env: { ...mountEnv(c, run.volumes.dirs), ...rewriteEnv(env.env, rewrite) } };
      }
    }
    const program = env.ok ? programOf(expandCommand(cc, env.env)) : undefined;
    if (program?.kind === 'unknown') {
      ev(pod, 'Warning', 'Failed', `Failed to pull image ${JSON.stringify(c.image ?? '')}: ${program.message}`);
      ev(pod, 'Warning', 'Failed', 'Error: ErrImagePull');
      return failStart('ErrImagePull', program.message);
    }
    ev(pod, 'Normal', 'Pulled', `Container image ${JSON.stringify(c.image ?? '')} already present on machine`);
    if (!env.ok) {
      ev(pod, 'Warning', 'Failed', `Error: ${env.message}`);
      return failStart('CreateContainerConfigError', env.message);
    }

    const prev = slot.facts.current;
    const attempt = prev ? prev.attempt + 1 : 0;
    // kubelet keeps one dead container per container (MaxPerPodContainer): the run before the previous one goes, with its log.
    const dropped = prev ? slot.facts.previous : undefined;
    if (dropped && dropped.id !== prev?.id) this.removeLog(run, c.name, dropped.id, dropped.attempt);
    const id = `flotilla://${randomBytes(32).toString('hex')}`;
    const logFile = new ContainerLogFile(
      containerLogPath(this.opts.dataDir, run.namespace, run.name, run.uid, c.name, attempt),
      legacySymlinkPath(this.opts.dataDir, run.namespace, run.name, c.name, id),
    );
    const prog = program!;
    const builtin = prog.kind === 'builtin' ? prog : undefined;
    const port = c.ports?.[0]?.containerPort;
    let file: string;
    let args: string[];
    let childEnv: Record<string, string> = { ...env.env };
    if (prog.kind === 'builtin') [file, args] = [process.execPath, [BUILTIN_SCRIPT, prog.image, prog.tag, run.placement.podIP, port ? String(port) : '']];
    else if (prog.kind === 'flotilla') {
      [file, args] = [process.execPath, [CLI_IMAGE_SCRIPT, CLI_MAIN, ...prog.args]];
      // A server in the pod binds its own IP (flotilla admission serve defaults --host to it).
      childEnv = { POD_IP: run.placement.podIP, ...childEnv };
    } else [file, args] = [(prog as { file: string }).file, [...(prog as { args: readonly string[] }).args]];
    // Built-ins and the CLI wrapper exit when their stdin pipe closes, i.e. when the agent dies.
    const watchesStdin = prog.kind === 'builtin' || prog.kind === 'flotilla';
    // Commands and the CLI (wrapper + CLI) run in their own process group, signalled as one.
    const group = !builtin;
    const wd = workingDirOf(c.workingDir, c.name, mountList, run.dir, isDir);
    // Like runc, make a working directory that is not there yet (a volume's or the scratch one);
    // if that fails the spawn fails, and the StartError says so in runc's words.
    let cwdError: string | undefined;
    try {
      if (wd.kind === 'volume' || wd.kind === 'scratch') mkdirSync(wd.path, { recursive: true });
    } catch (err) {
      cwdError = `chdir to cwd (${JSON.stringify(c.workingDir)}) set in config.json failed: ${(err as Error).message}`;
    }
    const child = spawn(file, args, {
      cwd: wd.path,
      env: childEnv,
      stdio: [watchesStdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      detached: group,
    });
    const spawned = await new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (err) => resolve(err));
    });
    const startedAt = this.now();
    const backoff = prev ? nextBackoff(slot.facts.backoff, startedAt) : slot.facts.backoff;
    ev(pod, 'Normal', 'Created', `Created container: ${c.name}`);
    if (spawned) {
      logFile.attach(child.stdout!, 'stdout');
      logFile.attach(child.stderr!, 'stderr');
      const message = cwdError ?? ((spawned as NodeJS.ErrnoException).code === 'ENOENT' ? `exec: ${JSON.stringify(file)}: executable file not found in $PATH` : spawned.message);
      ev(pod, 'Warning', 'Failed', `Error: failed to create containerd task: failed to create shim task: OCI runtime create failed: ${message}: unknown`);
      slot.facts = {
        current: { id, attempt, startedAt, finishedAt: startedAt, exitCode: 128, reason: 'StartError', message: `failed to create containerd task: ${message}` },
        previous: prev,
        backoff,
        started: false,
        ready: false,
      };
      return;
    }
    logFile.attach(child.stdout!, 'stdout');
    logFile.attach(child.stderr!, 'stderr');
    slot.proc = child;
    slot.logOpen = id;
    if (group) recordGroup(run.dir, c.name, child.pid!);
    slot.group = group;
    slot.env = childEnv;
    slot.cwd = wd.path;
    slot.rewrite = rewrite;
    slot.memoryLimit = memoryLimitBytes(c);
    if (slot.memoryLimit !== undefined) this.watchMemory();
    slot.spec = cc;
    const hookAbort = new AbortController();
    slot.hookAbort = hookAbort;
    const postStart = cc.lifecycle?.postStart;
    // Until its postStart hook has run, the container is neither started nor reported Running.
    slot.facts = { current: { id, attempt, startedAt }, previous: prev, backoff, started: !postStart && !c.startupProbe, ready: !c.readinessProbe, ...(postStart ? { postStartPending: true } : {}) };
    this.log.debug({ pod: `${run.namespace}/${run.name}`, container: c.name, pid: child.pid, attempt }, 'container started');
    ev(pod, 'Normal', 'Started', `Started container ${c.name}`);
    slot.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        if (group) {
          // The container's first process is gone: like a runtime tearing down the container's
          // cgroup, take the rest of its group (background children holding the pipes) with it.
          killGroup(child.pid);
          forgetGroup(run.dir, c.name);
        }
        slot.stopProbes?.();
        slot.stopProbes = undefined;
        hookAbort.abort();
        if (slot.facts.current?.id === id) {
          const oom = slot.oomKilled === id;
          slot.facts = { ...slot.facts, current: { ...slot.facts.current, finishedAt: this.now(), exitCode: exitCodeOf(code, signal), ...(oom ? { reason: OOM_KILLED } : {}) }, ready: false, started: false, postStartPending: false };
        }
        void logFile.done().then(() => {
          if (slot.logOpen === id) slot.logOpen = undefined;
          resolve();
          if (this.pods.get(run.uid) === run) this.opts.resync(run.namespace, run.name);
        });
      });
    });
    if (postStart) void this.postStart(run, cc, slot, id, postStart);
    else if (c.startupProbe || c.livenessProbe || c.readinessProbe) this.probe(run, cc, slot, id);
  }

  /** Run a hook of the container's current run in its environment and working directory. */
  private async runHandler(run: PodRun, c: Container, slot: ContainerSlot, h: LifecycleHandler, signal: AbortSignal): Promise<HookFailure | undefined> {
    const action = parseHook(h, c, run.placement.podIP);
    if ('error' in action) return { error: action.error };
    return runHook(action, { env: slot.env ?? {}, cwd: slot.cwd ?? run.dir }, signal);
  }

  /**
   * kubelet's startContainer after the process started: run the postStart hook; once it passes,
   * the container is started (its probes begin). If it fails: the FailedPostStartHook event, and
   * the container is killed (preStop included, as killContainer does), to restart by its policy.
   */
  private async postStart(run: PodRun, c: Container, slot: ContainerSlot, id: string, h: LifecycleHandler): Promise<void> {
    const failure = await this.runHandler(run, c, slot, h, slot.hookAbort!.signal);
    // Exited meanwhile (or the pod is gone): the exit is what gets reported.
    if (slot.facts.current?.id !== id || !isRunning(slot.facts) || this.pods.get(run.uid) !== run) return;
    if (!failure) {
      slot.facts = { ...slot.facts, postStartPending: false, started: !c.startupProbe };
      if (c.startupProbe || c.livenessProbe || c.readinessProbe) this.probe(run, c, slot, id);
    } else {
      const message = hookFailureMessage(h, c, run.pod, failure);
      this.log.info({ pod: `${run.namespace}/${run.name}`, container: c.name, err: message }, 'postStart hook failed');
      this.opts.event(run.pod, 'Warning', 'FailedPostStartHook', POST_START_FAILED_EVENT);
      slot.facts = { ...slot.facts, current: { ...slot.facts.current, hookError: message } };
      void this.killContainer(run, c.name, POST_START_KILL_MESSAGE, podGraceS(run.pod));
    }
    this.opts.resync(run.namespace, run.name);
  }

  /**
   * kubelet's killContainer: the Killing event, the preStop hook (when the grace period is not
   * zero; it may take all of it, and is abandoned then), SIGTERM, and SIGKILL after what is left
   * of the grace period (never less than 2 s).
   */
  private async killContainer(run: PodRun, name: string, message: string, graceS: number): Promise<void> {
    const slot = run.containers.get(name);
    const id = slot?.facts.current?.id;
    if (!slot?.proc || !id || !isRunning(slot.facts) || slot.killing === id) return;
    slot.killing = id;
    const exited = slot.exited;
    this.opts.event(run.pod, 'Normal', 'Killing', message || `Stopping container ${name}`);
    const c = slot.spec;
    let hookMs: number | undefined;
    if (c && runsPreStop(c, graceS)) {
      const t0 = this.now();
      const stop = new AbortController();
      const timer = setTimeout(() => stop.abort(), graceS * 1000);
      const onExit = (): void => stop.abort();
      slot.hookAbort?.signal.addEventListener('abort', onExit, { once: true });
      const failure = await this.runHandler(run, c, slot, c.lifecycle!.preStop!, stop.signal);
      clearTimeout(timer);
      slot.hookAbort?.signal.removeEventListener('abort', onExit);
      if (failure) {
        this.log.info({ pod: `${run.namespace}/${run.name}`, container: name, err: hookFailureMessage(c.lifecycle!.preStop!, c, run.pod, failure) }, 'preStop hook failed');
        this.opts.event(run.pod, 'Warning', 'FailedPreStopHook', PRE_STOP_FAILED_EVENT);
      }
      hookMs = this.now() - t0;
    }
    if (slot.facts.current?.id !== id || !isRunning(slot.facts)) return;
    this.signal(slot, 'SIGTERM');
    const kill = setTimeout(() => {
      if (slot.facts.current?.id === id) this.signal(slot, 'SIGKILL');
    }, stopGraceAfterPreStop(graceS, hookMs) * 1000);
    void exited?.finally(() => clearTimeout(kill));
  }

  private probe(run: PodRun, c: Container, slot: ContainerSlot, id: string): void {
    const mine = (): boolean => slot.facts.current?.id === id && isRunning(slot.facts);
    const graceS = (kind: ProbeKind): number => {
      const p = kind === 'liveness' ? c.livenessProbe : c.startupProbe;
      return p?.terminationGracePeriodSeconds ?? run.pod.spec?.terminationGracePeriodSeconds ?? 30;
    };
    slot.stopProbes = startProber(c, run.placement.podIP, { env: slot.env ?? {}, cwd: slot.cwd ?? run.dir }, {
      onFailure: (kind, output) => {
        if (mine()) this.opts.event(run.pod, 'Warning', 'Unhealthy', unhealthyMessage(kind, output));
      },
      onInvalid: (kind, error) => this.log.info({ pod: `${run.namespace}/${run.name}`, container: c.name, probe: kind, error }, 'probe cannot run'),
      onResult: (kind, result) => {
        if (!mine()) return;
        if (kind === 'readiness') slot.facts = { ...slot.facts, ready: result === 'Success' };
        else if (kind === 'startup' && result === 'Success') slot.facts = { ...slot.facts, started: true };
        if ((kind === 'liveness' || kind === 'startup') && result === 'Failure') {
          void this.killContainer(run, c.name, `Container ${c.name} failed ${kind} probe, will be restarted`, graceS(kind));
        }
        this.opts.resync(run.namespace, run.name);
      },
    });
  }

  private removeLog(run: PodRun, container: string, id: string, attempt: number): void {
    rmSync(legacySymlinkPath(this.opts.dataDir, run.namespace, run.name, container, id), { force: true });
    if (attempt !== slotAttempt(run, container)) rmSync(containerLogPath(this.opts.dataDir, run.namespace, run.name, run.uid, container, attempt), { force: true });
  }

  /** The pod's log directory (removed by the agent once the pod is gone). */
  podLogDir(pod: Pod): string {
    return podLogDir(this.opts.dataDir, pod.metadata!.namespace!, pod.metadata!.name!, pod.metadata!.uid!);
  }
}

export { podRef };
