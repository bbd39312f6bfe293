/**
 * The Pod row, as printPod in kubernetes/pkg/printers/internalversion/printers.go (v1.32) computes
 * it: READY counts ready containers (restartable init containers, i.e. sidecars, included); STATUS
 * is the most telling reason among the phase, init containers and containers; RESTARTS carries
 * `(<age> ago)` of the latest restart.
 */
import { humanDuration, parseTimestamp, translateTimestampSince } from './duration.js';
import { AGE_COLUMN, NAME_COLUMN, arr, col, findCondition, int, isDeleting, isSet, nameOf, rec, str } from './format.js';
import type { Cell, Convertor, KubeObject, RowCondition } from './types.js';

const PHASE_SUCCEEDED: RowCondition[] = [
  { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
];
const PHASE_FAILED: RowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

/** `node.NodeUnreachablePodReason`: the node controller's reason for pods on a lost node. */
const NODE_LOST = 'NodeLost';

interface ContainerStatus {
  name: string;
  restartCount: number;
  ready: boolean;
  started?: boolean;
  running: boolean;
  waitingReason?: string;
  terminated?: { reason: string; exitCode: number; signal: number };
  /** lastState.terminated.finishedAt, in epoch ms. */
  lastFinishedAt?: number;
}

function containerStatus(raw: unknown): ContainerStatus {
  const c = rec(raw);
  const state = rec(c.state);
  const terminated = isSet(state.terminated) ? rec(state.terminated) : undefined;
  return {
    name: str(c.name),
    restartCount: int(c.restartCount),
    ready: c.ready === true,
    started: typeof c.started === 'boolean' ? c.started : undefined,
    running: isSet(state.running),
    waitingReason: isSet(state.waiting) ? str(rec(state.waiting).reason) : undefined,
    terminated: terminated && { reason: str(terminated.reason), exitCode: int(terminated.exitCode), signal: int(terminated.signal) },
    lastFinishedAt: parseTimestamp(rec(rec(c.lastState).terminated).finishedAt),
  };
}

/** A sidecar: an init container with `restartPolicy: Always`. */
function isRestartableInitContainer(container: unknown): boolean {
  return container !== undefined && rec(container).restartPolicy === 'Always';
}

/** metav1.Time.Before with the zero time: a missing date never wins. */
function later(current: number | undefined, candidate: number | undefined): number | undefined {
  if (candidate === undefined) return current;
  return current === undefined || current < candidate ? candidate : current;
}

function conditionTrue(conditions: unknown, type: string): boolean {
  return arr(conditions).some((raw) => rec(raw).type === type && rec(raw).status === 'True');
}

export function podCells(pod: KubeObject, now: Date): Cell[] {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const initSpecs = arr(spec.initContainers).map(rec);
  const phase = str(status.phase);

  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = arr(spec.containers).length;
  let readyContainers = 0;
  let lastRestart: number | undefined;
  let lastRestartableInitRestart: number | undefined;

  let reason = str(status.reason) !== '' ? str(status.reason) : phase;
  for (const raw of arr(status.conditions)) {
    const c = rec(raw);
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initByName = new Map<string, Record<string, unknown>>();
  for (const c of initSpecs) {
    initByName.set(str(c.name), c);
    if (isRestartableInitContainer(c)) totalContainers++;
  }

  let initializing = false;
  const initStatuses = arr(status.initContainerStatuses).map(containerStatus);
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i];
    restarts += c.restartCount;
    lastRestart = later(lastRestart, c.lastFinishedAt);
    const restartable = isRestartableInitContainer(initByName.get(c.name));
    if (restartable) {
      restartableInitRestarts += c.restartCount;
      lastRestartableInitRestart = later(lastRestartableInitRestart, c.lastFinishedAt);
    }
    if (c.terminated && c.terminated.exitCode === 0) continue;
    if (restartable && c.started === true) {
      if (c.ready) readyContainers++;
      continue;
    }
    if (c.terminated) {
      // initialization failed
      if (c.terminated.reason === '') {
        reason = c.terminated.signal !== 0 ? `Init:Signal:${c.terminated.signal}` : `Init:ExitCode:${c.terminated.exitCode}`;
      } else {
        reason = `Init:${c.terminated.reason}`;
      }
    } else if (c.waitingReason !== undefined && c.waitingReason !== '' && c.waitingReason !== 'PodInitializing') {
      reason = `Init:${c.waitingReason}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(status.conditions, 'Initialized')) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = arr(status.containerStatuses).map(containerStatus);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i];
      restarts += c.restartCount;
      lastRestart = later(lastRestart, c.lastFinishedAt);
      if (c.waitingReason) {
        reason = c.waitingReason;
      } else if (c.terminated && c.terminated.reason !== '') {
        reason = c.terminated.reason;
      } else if (c.terminated) {
        reason = c.terminated.signal !== 0 ? `Signal:${c.terminated.signal}` : `ExitCode:${c.terminated.exitCode}`;
      } else if (c.ready && c.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A pod whose last container completed but another still runs is shown as running.
    if (reason === 'Completed' && hasRunning) {
      reason = conditionTrue(status.conditions, 'Ready') ? 'Running' : 'NotReady';
    }
  }

  if (isDeleting(pod) && status.reason === NODE_LOST) {
    reason = 'Unknown';
  } else if (isDeleting(pod) && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  const restartsCell =
    restarts !== 0 && lastRestart !== undefined
      ? `${restarts} (${humanDuration(now.getTime() - lastRestart)} ago)`
      : String(restarts);

  return [
    nameOf(pod),
    `${readyContainers}/${totalContainers}`,
    reason,
    restartsCell,
    translateTimestampSince(pod.metadata?.creationTimestamp, now),
    podIP(status) || '<none>',
    str(spec.nodeName) || '<none>',
    str(status.nominatedNodeName) || '<none>',
    readinessGates(spec, status),
  ];
}

/** The internal PodIPs[0]: v1 `podIP` wins over `podIPs` when both are set (v1 conversion). */
function podIP(status: Record<string, unknown>): string {
  return str(status.podIP) || str(rec(arr(status.podIPs)[0]).ip);
}

function readinessGates(spec: Record<string, unknown>, status: Record<string, unknown>): string {
  const gates = arr(spec.readinessGates).map(rec);
  if (gates.length === 0) return '<none>';
  let trueConditions = 0;
  for (const gate of gates) {
    const condition = findCondition(status.conditions, str(gate.conditionType));
    if (condition?.status === 'True') trueConditions++;
  }
  return `${trueConditions}/${gates.length}`;
}

export const pods: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'string', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE_COLUMN,
    col('IP', 'string', 'IP address allocated to the pod.', { wide: true }),
    col('Node', 'string', 'The node the pod is scheduled onto.', { wide: true }),
    col('Nominated Node', 'string', 'The node the scheduler nominated for this pod when it preempted others.', { wide: true }),
    col('Readiness Gates', 'string', 'The readiness gates of the pod that are satisfied.', { wide: true }),
  ],
  cells: podCells,
  conditions(pod) {
    const phase = rec(pod.status).phase;
    if (phase === 'Succeeded') return PHASE_SUCCEEDED;
    if (phase === 'Failed') return PHASE_FAILED;
    return undefined;
  },
};
