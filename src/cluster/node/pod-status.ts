/**
 * What a simulated kubelet reports for a pod bound to its node, as a pure function of the pod and
 * the time: {@link syncPod} moves the pod one step (start its containers; a container exits;
 * a crash back-off ends; the active deadline passes) and returns the status to write, whether the
 * pod is now terminal, and when to look again. Everything is derived from the pod's current
 * status (start times, restart counts), so a restarted agent carries on where the last one
 * stopped, and running it twice changes nothing.
 *
 * Containers run forever unless the pod has the annotation `flotilla.dev/simulate-exit-code`
 * (an integer 0–255): then every container exits with that code after
 * `flotilla.dev/simulate-run-seconds` (default 0), and kubelet's restart rules apply —
 * `Never` ends the pod (Succeeded when every container exited 0, else Failed), `OnFailure`
 * restarts failed containers and ends the pod on success, `Always` restarts every time, with
 * `CrashLoopBackOff` between runs (10 s doubling to 5 min).
 */
import { createHash } from 'node:crypto';
import type { Container, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1.js';
import { semanticEqual } from '../../runtime/index.js';
import type { Rejection } from './admission.js';
import { CONTAINER_RUNTIME_VERSION, rfc3339 } from './node-status.js';

export const SIMULATE_EXIT_CODE = 'flotilla.dev/simulate-exit-code';
export const SIMULATE_RUN_SECONDS = 'flotilla.dev/simulate-run-seconds';

/** kubelet's crash-loop back-off: 10 s initially, doubling, at most 5 minutes. */
export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;

export interface Simulation {
  readonly exitCode: number;
  readonly runMs: number;
}

/** The pod's simulated program, or undefined when its containers run until deleted (or the annotations are malformed). */
export function simulationOf(pod: Pod): Simulation | undefined {
  const a = pod.metadata?.annotations ?? {};
  const code = a[SIMULATE_EXIT_CODE];
  if (code === undefined || !/^\d{1,3}$/.test(code.trim()) || Number(code) > 255) return undefined;
  const secs = Number(a[SIMULATE_RUN_SECONDS] ?? '0');
  return { exitCode: Number(code), runMs: Number.isFinite(secs) && secs > 0 ? secs * 1000 : 0 };
}

export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

/** Whether this agent (or another kubelet) has started the pod: it has a start time and container statuses. */
export function isStarted(pod: Pod): boolean {
  return Boolean(pod.status?.startTime && pod.status.containerStatuses?.length);
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Docker's reference normalisation, as the runtime reports images: `nginx` → `docker.io/library/nginx:latest`. */
export function normalizeImage(image: string): string {
  let name = image.trim();
  let digest = '';
  const at = name.indexOf('@');
  if (at >= 0) {
    digest = name.slice(at);
    name = name.slice(0, at);
  }
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  let domain = 'docker.io';
  let rest = name;
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    domain = first;
    rest = name.slice(slash + 1);
  }
  if (domain === 'docker.io' && !rest.includes('/')) rest = `library/${rest}`;
  if (!digest && !rest.slice(rest.lastIndexOf('/') + 1).includes(':')) rest += ':latest';
  return `${domain}/${rest}${digest}`;
}

/** The image ID a runtime reports for a normalized reference (a stable digest of the reference). */
export function imageID(normalized: string): string {
  const at = normalized.indexOf('@');
  if (at >= 0) return normalized;
  const colon = normalized.lastIndexOf(':');
  const repo = colon > normalized.lastIndexOf('/') ? normalized.slice(0, colon) : normalized;
  return `${repo}@sha256:${sha256(normalized)}`;
}

const runtimeScheme = CONTAINER_RUNTIME_VERSION.slice(0, CONTAINER_RUNTIME_VERSION.indexOf(':'));
function containerID(pod: Pod, name: string, restartCount: number): string {
  return `${runtimeScheme}://${sha256(`${pod.metadata?.uid ?? ''}/${name}/${restartCount}`)}`;
}

const ms = (t: string | undefined): number => (t ? Date.parse(t) : NaN);

export function backoffMs(restartCount: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_INITIAL_MS * 2 ** Math.min(restartCount, 20));
}

interface Step {
  status: ContainerStatus;
  /** The container has exited for good with this code. */
  exited?: number;
  /** When this container changes next on its own. */
  wakeAt?: number;
}

/** One regular container (or sidecar) moved to `now`. */
function stepContainer(pod: Pod, c: Container, prev: ContainerStatus | undefined, sim: Simulation | undefined, now: number): Step {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  const image = normalizeImage(c.image ?? '');
  const base = { name: c.name, image, imageID: imageID(image) };
  const running = (restartCount: number, startedAt: string, lastState: ContainerStatus['lastState']): Step => ({
    status: {
      ...base,
      containerID: containerID(pod, c.name, restartCount),
      lastState: lastState ?? {},
      ready: true,
      restartCount,
      started: true,
      state: { running: { startedAt } },
    },
    wakeAt: sim ? ms(startedAt) + sim.runMs : undefined,
  });
  const state = prev?.state;
  const restartCount = prev?.restartCount ?? 0;

  if (state?.terminated) return { status: prev!, exited: state.terminated.exitCode };

  if (state?.running) {
    const startedAt = state.running.startedAt ?? rfc3339(now);
    const kept = running(restartCount, startedAt, prev!.lastState);
    if (!sim) return kept;
    const exitAt = ms(startedAt) + sim.runMs;
    if (now < exitAt) return kept;
    const terminated = {
      exitCode: sim.exitCode,
      reason: sim.exitCode === 0 ? 'Completed' : 'Error',
      startedAt,
      finishedAt: rfc3339(exitAt),
      containerID: kept.status.containerID,
    };
    const restarts = policy === 'Always' || (policy === 'OnFailure' && sim.exitCode !== 0);
    if (!restarts) {
      return { status: { ...kept.status, ready: false, started: false, state: { terminated } }, exited: sim.exitCode };
    }
    const wait = backoffMs(restartCount);
    const podRef = `${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;
    return {
      status: {
        ...kept.status,
        ready: false,
        started: false,
        lastState: { terminated },
        state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${wait / 1000}s restarting failed container=${c.name} pod=${podRef}` } },
      },
      wakeAt: exitAt + wait,
    };
  }

  if (state?.waiting?.reason === 'CrashLoopBackOff') {
    const exitedAt = ms(prev!.lastState?.terminated?.finishedAt);
    const until = (Number.isNaN(exitedAt) ? now : exitedAt) + backoffMs(restartCount);
    if (now < until) return { status: prev!, wakeAt: until };
    return running(restartCount + 1, rfc3339(now), prev!.lastState);
  }

  // Not started yet (or in a state some other kubelet left): start it now.
  return running(restartCount, rfc3339(now), prev?.lastState);
}

/** A completed plain init container. */
function completedInit(pod: Pod, c: Container, prev: ContainerStatus | undefined, startedAt: string): ContainerStatus {
  if (prev?.state?.terminated) return prev;
  const image = normalizeImage(c.image ?? '');
  const id = containerID(pod, c.name, 0);
  return {
    name: c.name,
    image,
    imageID: imageID(image),
    containerID: id,
    lastState: {},
    ready: true,
    restartCount: 0,
    started: false,
    state: { terminated: { exitCode: 0, reason: 'Completed', startedAt, finishedAt: startedAt, containerID: id } },
  };
}

/** The conditions kubelet owns, in the order it writes them; other conditions are kept after them. */
export const OWNED_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'] as const;

export interface Want {
  status: 'True' | 'False';
  reason?: string;
  message?: string;
}

export interface PodStatusParts {
  phase: string;
  conditions: Record<(typeof OWNED_CONDITIONS)[number], Want>;
  placement: PodPlacement;
  startTime: string | undefined;
  containerStatuses: unknown[];
  initContainerStatuses: unknown[];
  /** The pod-level reason and message (e.g. `DeadlineExceeded`), or none. */
  reason?: { reason?: string; message?: string };
}

/** A kubelet's pod status from its parts, keeping what others own in `current` and dropping what no longer applies. */
export function assemblePodStatus(current: PodStatus, parts: PodStatusParts, now: number): PodStatus {
  const status: Record<string, unknown> = {
    ...current,
    phase: parts.phase,
    conditions: conditions(current.conditions, parts.conditions, now),
    hostIP: parts.placement.hostIP,
    hostIPs: [{ ip: parts.placement.hostIP }],
    podIP: parts.placement.podIP,
    podIPs: [{ ip: parts.placement.podIP }],
    startTime: parts.startTime,
    containerStatuses: parts.containerStatuses,
  };
  if (parts.initContainerStatuses.length) status.initContainerStatuses = parts.initContainerStatuses;
  else delete status.initContainerStatuses;
  if (parts.reason?.reason) Object.assign(status, { reason: parts.reason.reason, message: parts.reason.message });
  else {
    delete status.reason;
    delete status.message;
  }
  return status as PodStatus;
}

/** The kubelet-owned conditions as wanted, keeping `lastTransitionTime` while a status holds; other conditions follow. */
export function conditions(current: readonly PodCondition[] | undefined, want: Record<(typeof OWNED_CONDITIONS)[number], Want>, now: number): PodCondition[] {
  const out: PodCondition[] = OWNED_CONDITIONS.map((type) => {
    const w = want[type];
    const was = current?.find((c) => c.type === type);
    if (was && was.status === w.status && was.reason === w.reason && was.message === w.message) return was;
    return {
      type,
      status: w.status,
      lastTransitionTime: was?.status === w.status && was.lastTransitionTime ? was.lastTransitionTime : rfc3339(now),
      ...(w.reason ? { reason: w.reason } : {}),
      ...(w.message ? { message: w.message } : {}),
    };
  });
  for (const c of current ?? []) if (!(OWNED_CONDITIONS as readonly string[]).includes(c.type)) out.push(c);
  return out;
}

/** Ready also needs every readiness gate's condition True (status.GenerateReadyCondition). */
export function readinessGates(pod: Pod): Want | undefined {
  for (const g of pod.spec?.readinessGates ?? []) {
    const c = pod.status?.conditions?.find((x) => x.type === g.conditionType);
    if (!c) return { status: 'False', reason: 'ReadinessGatesNotReady', message: `corresponding condition of pod readiness gate "${g.conditionType}" does not exist.` };
    if (c.status !== 'True') return { status: 'False', reason: 'ReadinessGatesNotReady', message: `the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}` };
  }
  return undefined;
}

/** Where the pod runs: the node's address and the pod's own. */
export interface PodPlacement {
  readonly hostIP: string;
  readonly podIP: string;
}

export interface PodSync {
  /** The status to write, or undefined when the current one is already right. */
  readonly status?: PodStatus;
  /** The pod has reached Succeeded or Failed (with this status, or before). */
  readonly terminal: boolean;
  /** Look at the pod again after this long: a container exits, a back-off ends, the deadline passes. */
  readonly requeueAfterMs?: number;
}

/** Move a pod bound to this node one step at `now` (see the module comment). */
export function syncPod(pod: Pod, placement: PodPlacement, now: number): PodSync {
  if (isTerminal(pod)) return { terminal: true };
  const current: PodStatus = pod.status ?? {};
  const sim = simulationOf(pod);
  const startTime = current.startTime ?? rfc3339(now);
  const startMs = ms(startTime);
  const wakes: number[] = [];

  const deadlineSecs = pod.spec?.activeDeadlineSeconds;
  const deadline = deadlineSecs !== undefined && deadlineSecs !== null ? startMs + deadlineSecs * 1000 : undefined;
  const deadlinePassed = deadline !== undefined && now >= deadline;
  if (deadline !== undefined && !deadlinePassed) wakes.push(deadline);

  const prevOf = (list: readonly ContainerStatus[] | undefined, name: string) => list?.find((s) => s.name === name);
  const initStatuses: ContainerStatus[] = [];
  const steps: Step[] = [];
  for (const c of pod.spec?.initContainers ?? []) {
    const prev = prevOf(current.initContainerStatuses, c.name);
    if (c.restartPolicy === 'Always') {
      const s = stepContainer(pod, c, prev, undefined, now);
      steps.push(s);
      initStatuses.push(s.status);
    } else initStatuses.push(completedInit(pod, c, prev, startTime));
  }
  const containerStatuses: ContainerStatus[] = [];
  for (const c of pod.spec?.containers ?? []) {
    const s = stepContainer(pod, c, prevOf(current.containerStatuses, c.name), sim, now);
    steps.push(s);
    containerStatuses.push(s.status);
  }

  const main = steps.slice(steps.length - containerStatuses.length);
  const allExited = main.length > 0 && main.every((s) => s.exited !== undefined);
  let phase: 'Running' | 'Succeeded' | 'Failed' = 'Running';
  let reason: string | undefined;
  let message: string | undefined;
  if (deadlinePassed) {
    phase = 'Failed';
    reason = 'DeadlineExceeded';
    message = 'Pod was active on the node longer than the specified deadline';
    const kill = (s: ContainerStatus): ContainerStatus => {
      if (s.state?.terminated) return s;
      const startedAt = s.state?.running?.startedAt ?? startTime;
      return { ...s, ready: false, started: false, state: { terminated: { exitCode: 137, reason: 'Error', startedAt, finishedAt: rfc3339(now), containerID: s.containerID } } };
    };
    containerStatuses.splice(0, containerStatuses.length, ...containerStatuses.map(kill));
    initStatuses.splice(0, initStatuses.length, ...initStatuses.map((s) => (s.started || s.state?.running ? kill(s) : s)));
  } else if (allExited) {
    phase = main.every((s) => s.exited === 0) ? 'Succeeded' : 'Failed';
  } else {
    for (const s of steps) if (s.wakeAt !== undefined) wakes.push(s.wakeAt);
  }

  const terminal = phase !== 'Running';
  const unready = [...initStatuses.filter((s) => s.started !== false || s.state?.running), ...containerStatuses].filter((s) => !s.ready).map((s) => s.name);
  const containersReady: Want = terminal
    ? { status: 'False', reason: 'PodCompleted' }
    : unready.length
      ? { status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` }
      : { status: 'True' };
  const ready = containersReady.status === 'True' ? (readinessGates(pod) ?? containersReady) : containersReady;

  const status = assemblePodStatus(current, {
    phase,
    conditions: {
      PodReadyToStartContainers: { status: terminal ? 'False' : 'True' },
      Initialized: { status: 'True' },
      Ready: ready,
      ContainersReady: containersReady,
      PodScheduled: { status: 'True' },
    },
    placement,
    startTime,
    containerStatuses,
    initContainerStatuses: initStatuses,
    reason: reason ? { reason, message } : undefined,
  }, now);
  const next = Math.min(...wakes);
  const requeueAfterMs = Number.isFinite(next) ? Math.max(1, next - now) : undefined;
  return { status: semanticEqual(current, status) ? undefined : (status as PodStatus), terminal, requeueAfterMs };
}

/** The status of a pod kubelet's admission rejected (phase Failed, reason `OutOfcpu`, …). */
export function rejectedStatus(pod: Pod, rejection: Rejection, now: number): PodStatus {
  const current = pod.status ?? {};
  return {
    ...(current.qosClass ? { qosClass: current.qosClass } : {}),
    ...(current.conditions ? { conditions: current.conditions } : {}),
    phase: 'Failed',
    reason: rejection.reason,
    message: rejection.message,
    startTime: current.startTime ?? rfc3339(now),
  };
}

/**
 * A JSON merge patch turning `current` into `desired` at the top level of a status: changed keys
 * with their new value (arrays and objects whole), removed keys as null.
 */
export function statusMergePatch(current: object | undefined, desired: object): Record<string, unknown> {
  const cur = (current ?? {}) as Record<string, unknown>;
  const want = desired as Record<string, unknown>;
  const patch: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(want)) if (v !== undefined && !semanticEqual(cur[k], v)) patch[k] = v;
  for (const k of Object.keys(cur)) if (cur[k] !== undefined && want[k] === undefined) patch[k] = null;
  return patch;
}
