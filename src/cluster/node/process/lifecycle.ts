/**
 * The kubelet's rules for a pod that really runs, as pure functions of the pod and what the
 * runtime knows about its containers ({@link ContainerFacts}: the current and previous run,
 * a failed start, the crash back-off, probe results):
 *
 * - {@link planPod} — what to do next (kuberuntime computePodActions): start the next init
 *   container once the one before it exited 0, then every container; restart exited ones as
 *   `restartPolicy` says, after the crash back-off (kubelet's flowcontrol.Backoff: the first
 *   restart at once, then 10 s doubling to 5 min, measured from the exit, forgotten once the
 *   last start is 10 min old); end the pod (Succeeded / Failed) when nothing will run again;
 *   fail it when `activeDeadlineSeconds` passed.
 * - {@link podStatusOf} — the status kubelet reports (generateAPIPodStatus / getPhase): container
 *   states (waiting ContainerCreating, PodInitializing, CrashLoopBackOff with kubelet's message,
 *   ErrImagePull / ImagePullBackOff, CreateContainerConfigError, PostStartHookError with kubelet's
 *   hook message; running; terminated Completed / Error), `lastState`, `restartCount`, `ready`, `started`, the phase and the conditions
 *   PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled. While a
 *   container's postStart hook runs, kubelet's start has not returned, so the container is
 *   reported as it was before (ContainerCreating, or its previous run) and is not started.
 */
import type { Container, ContainerState, ContainerStatus, Pod, PodStatus } from 'kubernetes-types/core/v1.js';
import { rfc3339 } from '../node-status.js';
import { assemblePodStatus, BACKOFF_INITIAL_MS, BACKOFF_MAX_MS, backoffMs, imageID, normalizeImage, readinessGates, type PodPlacement, type Want } from '../pod-status.js';

/** One run of a container: a process that started (and maybe ended). */
export interface RunFacts {
  /** `flotilla://<64 hex>` */
  readonly id: string;
  /** The restart count it ran as (its log file is `<attempt>.log`). */
  readonly attempt: number;
  readonly startedAt: number;
  readonly finishedAt?: number;
  readonly exitCode?: number;
  /** Terminated reason when not Completed/Error (StartError, Unknown after a node restart). */
  readonly reason?: string;
  readonly message?: string;
  /** Its postStart hook failed (kubelet's message): waiting PostStartHookError until it restarts. */
  readonly hookError?: string;
}

/** kubelet's per-container back-off entry (flowcontrol.Backoff). */
export interface Backoff {
  readonly delayMs: number;
  /** When the entry was last advanced (the last restart). */
  readonly lastUpdate: number;
}

export interface ContainerFacts {
  readonly current?: RunFacts;
  readonly previous?: RunFacts;
  /** The last try to create the container failed before anything ran. */
  readonly startError?: { readonly reason: 'ErrImagePull' | 'CreateContainerConfigError'; readonly message: string; readonly at: number; readonly count: number };
  readonly backoff?: Backoff;
  /** The startup probe passed (true when there is none). */
  readonly started?: boolean;
  /** The readiness probe's result (true when there is none). */
  readonly ready?: boolean;
  /**
   * The current run's postStart hook is still running: kubelet's start has not returned, so it
   * still reports the container as before the start (ContainerCreating, or the previous run).
   */
  readonly postStartPending?: boolean;
}

export type FactsOf = (name: string) => ContainerFacts | undefined;

const MAX_IDLE_MS = 2 * BACKOFF_MAX_MS;
export const DEADLINE_MESSAGE = 'Pod was active on the node longer than the specified deadline';
/** The waiting reason of a container whose postStart hook failed (kuberuntime ErrPostStartHook). */
export const POST_START_HOOK_ERROR = 'PostStartHookError';

export const isRunning = (f: ContainerFacts | undefined): boolean => Boolean(f?.current && f.current.finishedAt === undefined);
const exited = (f: ContainerFacts | undefined): RunFacts | undefined => (f?.current && f.current.finishedAt !== undefined ? f.current : undefined);
const isSidecar = (c: Container): boolean => c.restartPolicy === 'Always';

/** The back-off entry after a restart at `now` (flowcontrol.Backoff.Next). */
export function nextBackoff(b: Backoff | undefined, now: number): Backoff {
  if (!b || now - b.lastUpdate > MAX_IDLE_MS) return { delayMs: BACKOFF_INITIAL_MS, lastUpdate: now };
  return { delayMs: Math.min(BACKOFF_MAX_MS, b.delayMs * 2), lastUpdate: now };
}

/** When an exited container may start again (undefined: at once). */
export function restartAt(f: ContainerFacts, now: number): number | undefined {
  const run = exited(f);
  const b = f.backoff;
  if (!run || !b || now - b.lastUpdate > MAX_IDLE_MS) return undefined;
  const at = run.finishedAt! + b.delayMs;
  return now < at ? at : undefined;
}

/** When a failed container creation is tried again (the image back-off, 10 s doubling). */
export function retryAt(f: ContainerFacts): number | undefined {
  return f.startError ? f.startError.at + backoffMs(f.startError.count - 1) : undefined;
}

export function shouldRestart(policy: string, exitCode: number): boolean {
  return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
}

export interface PodPlan {
  /** Containers (init or regular) to start now. */
  readonly start: readonly string[];
  /** Running containers to stop because the pod has ended. */
  readonly stop: readonly string[];
  /** The pod has ended (once `stop` have exited). */
  readonly terminal?: { readonly phase: 'Succeeded' | 'Failed'; readonly reason?: string; readonly message?: string };
  /** Whether every init container is done (regular containers may run). */
  readonly initialized: boolean;
  /** Look again then (a back-off or the deadline ends). */
  readonly wakeAt?: number;
}

/** When the pod's active deadline passes (from its start time), if it has one. */
export function deadlineOf(pod: Pod, startTime: number): number | undefined {
  const s = pod.spec?.activeDeadlineSeconds;
  return s === undefined || s === null ? undefined : startTime + s * 1000;
}

/** What to do next (see the module comment). */
export function planPod(pod: Pod, factsOf: FactsOf, startTime: number, now: number): PodPlan {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const wakes: number[] = [];
  const start: string[] = [];
  const allNames = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name);
  const running = allNames.filter((n) => isRunning(factsOf(n)));
  const deadline = deadlineOf(pod, startTime);
  if (deadline !== undefined && now >= deadline) {
    return { start: [], stop: running, terminal: { phase: 'Failed', reason: 'DeadlineExceeded', message: DEADLINE_MESSAGE }, initialized: false };
  }
  if (deadline !== undefined) wakes.push(deadline);
  const done = (): PodPlan => {
    const next = Math.min(...wakes);
    return { start, stop: [], initialized, wakeAt: Number.isFinite(next) ? next : undefined };
  };
  /** Start a container that never ran, or restart one that exited, when its back-off allows. */
  const consider = (name: string, f: ContainerFacts): void => {
    if (f.current) {
      const at = restartAt(f, now);
      if (at === undefined) start.push(name);
      else wakes.push(at);
    } else {
      const at = retryAt(f);
      if (at === undefined || now >= at) start.push(name);
      else wakes.push(at);
    }
  };

  let initialized = true;
  for (const c of pod.spec?.initContainers ?? []) {
    const f = factsOf(c.name) ?? {};
    if (isRunning(f)) {
      if (isSidecar(c) && f.started !== false) continue;
      initialized = false;
      break;
    }
    const run = exited(f);
    if (run && !isSidecar(c) && run.exitCode === 0) continue;
    if (run && !isSidecar(c) && policy === 'Never') {
      return { start: [], stop: running, terminal: { phase: 'Failed' }, initialized: false };
    }
    consider(c.name, f);
    initialized = false;
    break;
  }
  if (!initialized) return done();

  let settled = 0;
  let succeeded = 0;
  const containers = pod.spec?.containers ?? [];
  for (const c of containers) {
    const f = factsOf(c.name) ?? {};
    if (isRunning(f)) continue;
    const run = exited(f);
    if (run && !shouldRestart(policy, run.exitCode ?? 0)) {
      settled++;
      if (run.exitCode === 0) succeeded++;
      continue;
    }
    consider(c.name, f);
  }
  if (containers.length > 0 && settled === containers.length) {
    // Nothing will run again: the pod ends, and its sidecars are stopped.
    return { start: [], stop: running, terminal: { phase: succeeded === settled ? 'Succeeded' : 'Failed' }, initialized };
  }
  return done();
}

/** Go's time.Duration.String for whole seconds: `10s`, `1m20s`, `5m0s`. */
export function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${s % 60}s`;
  return `${Math.floor(m / 60)}h${m % 60}m${s % 60}s`;
}

/** kubelet's format.Pod: `name_namespace(uid)`. */
export function podRef(pod: Pod): string {
  return `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}(${pod.metadata?.uid ?? ''})`;
}

function terminatedOf(run: RunFacts): ContainerState {
  const exitCode = run.exitCode ?? 0;
  return {
    terminated: {
      exitCode,
      reason: run.reason ?? (exitCode === 0 ? 'Completed' : 'Error'),
      ...(run.message ? { message: run.message } : {}),
      startedAt: rfc3339(run.startedAt),
      finishedAt: rfc3339(run.finishedAt ?? run.startedAt),
      containerID: run.id,
    },
  };
}

/** One container's status. `beforeStart` is its waiting reason while it has not been created. */
function containerStatusOf(pod: Pod, c: Container, f: ContainerFacts, beforeStart: string, willRestart: boolean, now: number): ContainerStatus {
  const image = normalizeImage(c.image ?? '');
  const base = { name: c.name, image, imageID: imageID(image) };
  const cur = f.current;
  if (!cur) {
    let waiting: { reason: string; message?: string } = { reason: beforeStart };
    const err = f.startError;
    if (err?.reason === 'ErrImagePull') {
      waiting = now >= err.at + 1000 ? { reason: 'ImagePullBackOff', message: `Back-off pulling image ${JSON.stringify(c.image ?? '')}: ErrImagePull: ${err.message}` } : { reason: 'ErrImagePull', message: err.message };
    } else if (err) waiting = { reason: err.reason, message: err.message };
    return { ...base, imageID: '', lastState: {}, ready: false, restartCount: 0, started: false, state: { waiting } };
  }
  if (cur.finishedAt === undefined && f.postStartPending) {
    if (!f.previous) return { ...base, imageID: '', lastState: {}, ready: false, restartCount: 0, started: false, state: { waiting: { reason: beforeStart } } };
    // Earlier runs than the previous one are not kept, so lastState stays empty here.
    return containerStatusOf(pod, c, { current: f.previous, started: false, ready: false }, beforeStart, true, now);
  }
  const lastState: ContainerState = f.previous ? terminatedOf(f.previous) : {};
  if (cur.finishedAt === undefined) {
    const started = f.started !== false;
    return {
      ...base,
      containerID: cur.id,
      lastState,
      ready: started && f.ready !== false,
      restartCount: cur.attempt,
      started,
      state: { running: { startedAt: rfc3339(cur.startedAt) } },
    };
  }
  const backoffUntil = willRestart ? restartAt(f, now) : undefined;
  if (backoffUntil !== undefined) {
    return {
      ...base,
      containerID: cur.id,
      lastState: terminatedOf(cur),
      ready: false,
      restartCount: cur.attempt,
      started: false,
      state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${goDuration(f.backoff!.delayMs)} restarting failed container=${c.name} pod=${podRef(pod)}` } },
    };
  }
  if (willRestart && cur.hookError !== undefined) {
    // kubelet's reason cache: the start failed, so the container waits with the start's error.
    return { ...base, containerID: cur.id, lastState: terminatedOf(cur), ready: false, restartCount: cur.attempt, started: false, state: { waiting: { reason: POST_START_HOOK_ERROR, message: cur.hookError } } };
  }
  return { ...base, containerID: cur.id, lastState, ready: false, restartCount: cur.attempt, started: false, state: terminatedOf(cur) };
}

/**
 * The status to report for the pod now: `plan` is {@link planPod}'s answer for the same facts
 * (its `terminal` is reported once the shell has stopped what it said to stop). `sandboxReady`
 * false: the pod's volumes are not set up yet, so kubelet has not made its sandbox
 * (PodReadyToStartContainers False) and every container waits.
 */
export function podStatusOf(pod: Pod, factsOf: FactsOf, plan: PodPlan, placement: PodPlacement, startTime: number, now: number, sandboxReady = true): PodStatus {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const current = pod.status ?? {};
  const terminal = plan.terminal;
  const initStatuses: ContainerStatus[] = [];
  const incomplete: string[] = [];
  for (const c of pod.spec?.initContainers ?? []) {
    const f = factsOf(c.name) ?? {};
    const run = exited(f);
    const sidecar = isSidecar(c);
    const willRestart = !terminal && (sidecar || (run !== undefined && run.exitCode !== 0 && policy !== 'Never'));
    initStatuses.push(containerStatusOf(pod, c, f, 'PodInitializing', willRestart, now));
    const doneHere = sidecar ? isRunning(f) && f.started !== false : run?.exitCode === 0;
    if (!doneHere) {
      incomplete.push(c.name);
    }
  }
  const containerStatuses: ContainerStatus[] = [];
  let runningN = 0;
  let waitingN = 0;
  let stoppedN = 0;
  let succeededN = 0;
  for (const c of pod.spec?.containers ?? []) {
    const f = factsOf(c.name) ?? {};
    const run = exited(f);
    const willRestart = !terminal && run !== undefined && shouldRestart(policy, run.exitCode ?? 0);
    containerStatuses.push(containerStatusOf(pod, c, f, plan.initialized ? 'ContainerCreating' : 'PodInitializing', willRestart, now));
    const counted = f.postStartPending ? f.previous : undefined;
    if (isRunning(f) && f.postStartPending) {
      // Counted as kubelet last saw it: not created yet, or its previous run.
      if (!counted) waitingN++;
      else {
        stoppedN++;
        if (counted.exitCode === 0) succeededN++;
      }
    } else if (isRunning(f)) runningN++;
    else if (run) {
      stoppedN++;
      if (run.exitCode === 0) succeededN++;
    } else waitingN++;
  }

  // kubelet's getPhase.
  let phase: string;
  if (terminal) phase = terminal.phase;
  else if (!plan.initialized) phase = 'Pending';
  else if (waitingN > 0) phase = 'Pending';
  else if (runningN > 0) phase = 'Running';
  else if (stoppedN > 0) phase = policy === 'Always' ? 'Running' : stoppedN === succeededN ? 'Succeeded' : policy === 'Never' ? 'Failed' : 'Running';
  else phase = 'Pending';

  const ended = phase === 'Succeeded' || phase === 'Failed';
  const unready = [...initStatuses.filter((s, i) => isSidecar(pod.spec!.initContainers![i]) && !s.ready), ...containerStatuses.filter((s) => !s.ready)].map((s) => s.name);
  const containersReady: Want =
    phase === 'Succeeded'
      ? { status: 'False', reason: 'PodCompleted' }
      : unready.length
        ? { status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` }
        : { status: 'True' };
  const ready = containersReady.status === 'True' ? (readinessGates(pod) ?? containersReady) : containersReady;
  const initialized: Want = incomplete.length && !(ended && plan.initialized)
    ? { status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${incomplete.join(' ')}]` }
    : { status: 'True' };

  return assemblePodStatus(current, {
    phase,
    conditions: {
      PodReadyToStartContainers: { status: ended || !sandboxReady ? 'False' : 'True' },
      Initialized: initialized,
      Ready: ready,
      ContainersReady: containersReady,
      PodScheduled: { status: 'True' },
    },
    placement,
    startTime: rfc3339(startTime),
    containerStatuses,
    initContainerStatuses: initStatuses,
    reason: terminal,
  }, now);
}

/**
 * What a new agent knows of a pod an earlier agent ran (a node restart): every container that
 * was running has died with it (exit code 255, reason Unknown, as containerd reports after a
 * reboot) and is restarted per policy with its restart count bumped; runs that had ended are
 * kept, so finished init containers are not run again.
 */
export function factsFromStatus(status: ContainerStatus | undefined, now: number): ContainerFacts {
  if (!status) return {};
  const t = (s: string | undefined, d: number): number => (s ? Date.parse(s) : d);
  const lastT = status.lastState?.terminated;
  const previous: RunFacts | undefined = lastT
    ? { id: lastT.containerID ?? '', attempt: Math.max(0, (status.restartCount ?? 0) - (status.state?.waiting ? 0 : 1)), startedAt: t(lastT.startedAt, now), finishedAt: t(lastT.finishedAt, now), exitCode: lastT.exitCode, ...(lastT.reason && lastT.reason !== 'Completed' && lastT.reason !== 'Error' ? { reason: lastT.reason } : {}) }
    : undefined;
  const s = status.state ?? {};
  const id = status.containerID ?? '';
  const attempt = status.restartCount ?? 0;
  if (s.running) return { current: { id, attempt, startedAt: t(s.running.startedAt, now), finishedAt: now, exitCode: 255, reason: 'Unknown' }, previous, started: false, ready: false };
  if (s.terminated) {
    const x = s.terminated;
    const reason = x.reason && x.reason !== 'Completed' && x.reason !== 'Error' ? { reason: x.reason } : {};
    return { current: { id: x.containerID ?? id, attempt, startedAt: t(x.startedAt, now), finishedAt: t(x.finishedAt, now), exitCode: x.exitCode, ...reason }, previous, started: false, ready: false };
  }
  // Waiting after an exit (CrashLoopBackOff): the last run is the one in lastState.
  if (previous) return { current: { ...previous, attempt }, started: false, ready: false };
  return {};
}
