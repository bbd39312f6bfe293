/**
 * The node lifecycle controller's rule for one node (kube-controller-manager's
 * tryUpdateNodeHealth, doNoScheduleTaintingPass and processTaintBaseEviction), as a pure function
 * of the Node, its Lease and the time.
 *
 * - **Health.** The node's last sign of life is the later of its Lease's `renewTime` and its Ready
 *   condition's `lastHeartbeatTime` (the node's creation while it has no Ready condition). When
 *   that is older than the grace period (`node-monitor-grace-period`, 50 s since kube 1.32; 60 s
 *   `node-startup-grace-period` before the first Ready), Ready, MemoryPressure, DiskPressure and
 *   PIDPressure become Unknown: reason `NodeStatusUnknown`, message `Kubelet stopped posting node
 *   status.` (`NodeStatusNeverUpdated` / `Kubelet never posted node status.` for a condition the
 *   kubelet never posted).
 * - **NoSchedule taints follow conditions**: Ready False → `node.kubernetes.io/not-ready`, Ready
 *   Unknown → `node.kubernetes.io/unreachable`, MemoryPressure/DiskPressure/PIDPressure/
 *   NetworkUnavailable True → `node.kubernetes.io/<memory|disk|pid>-pressure` /
 *   `network-unavailable`, `spec.unschedulable` → `node.kubernetes.io/unschedulable`.
 * - **NoExecute taints** (taint-based eviction): Ready False → `not-ready:NoExecute`, Unknown →
 *   `unreachable:NoExecute`, True → neither. Swapping one for the other is immediate; adding one
 *   to a node that has neither is rate-limited per zone by the caller (the `gate`), and none are
 *   kept while every zone is fully disrupted.
 *
 * Added taints carry `timeAdded`; taints the controller does not manage are kept, in order.
 */
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition, Taint } from 'kubernetes-types/core/v1.js';

export interface NodeLifecycleConfig {
  /** `--node-monitor-grace-period` (50 s in kube 1.32; it was 40 s before). */
  readonly gracePeriodMs: number;
  /** `--node-startup-grace-period` (60 s): the grace before a node's first Ready condition. */
  readonly startupGracePeriodMs: number;
}

export const DEFAULT_NODE_LIFECYCLE_CONFIG: NodeLifecycleConfig = { gracePeriodMs: 50_000, startupGracePeriodMs: 60_000 };

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** Condition type → status → NoSchedule taint key (nodeConditionToTaintKeyStatusMap). */
const CONDITION_TAINTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
};
const MANAGED_NO_SCHEDULE = new Set([...Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)), TAINT_UNSCHEDULABLE]);
/** The conditions marked Unknown when the kubelet goes silent (NetworkUnavailable is not among them). */
const MONITORED = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

/**
 * Whether NoExecute taints may be added to a node that has none: `allow` (a token of the zone's
 * rate limiter is available), `defer` (not now: the caller retries), `disrupted` (every zone is
 * fully disrupted, the controller suspects its own connectivity: NoExecute taints are removed).
 */
export type NoExecuteGate = 'allow' | 'defer' | 'disrupted';

export interface DecideOptions {
  readonly gate?: NoExecuteGate;
  /**
   * When the controller started watching: heartbeats are never taken as older than this, so a
   * restarted controller gives every node a full grace period (kube keeps its probe times in memory).
   */
  readonly watchingSince?: number;
}

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface NodeDecision {
  /** The node's conditions after the decision. */
  readonly conditions: NodeCondition[];
  readonly conditionsChanged: boolean;
  /** Ready's status after the decision (undefined: no Ready condition yet). */
  readonly ready: ConditionStatus | undefined;
  /** The node's taints after the decision. */
  readonly taints: Taint[];
  readonly taintsChanged: boolean;
  /** A NoExecute taint is wanted on a node that has none (the rate-limited case), whether the gate let it through or not. */
  readonly freshNoExecute: boolean;
  /** This decision turned Ready from True to Unknown (kube records NodeNotReady and marks the pods not ready). */
  readonly becameUnknown: boolean;
  /** When the node's heartbeat goes stale, from `now` (undefined when it already is). */
  readonly recheckAfterMs?: number;
}

const ms = (t: string | undefined | null): number => (t ? Date.parse(t) : NaN);
const rfc3339 = (t: number): string => new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const max = (...xs: number[]): number => Math.max(...xs.filter((x) => !Number.isNaN(x)), -Infinity);
const sameTaint = (a: Taint, key: string, effect: string): boolean => a.key === key && a.effect === effect;

/** When the node last showed life (see the module comment); -Infinity when never. */
export function lastHeartbeat(node: Node, lease: Lease | undefined, watchingSince?: number): number {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  return max(ms(lease?.spec?.renewTime), ready ? ms(ready.lastHeartbeatTime) : ms(node.metadata?.creationTimestamp), watchingSince ?? NaN);
}

function markUnknown(node: Node, conditions: readonly NodeCondition[], now: number): NodeCondition[] {
  const out = conditions.map((c) =>
    (MONITORED as readonly string[]).includes(c.type) && c.status !== 'Unknown'
      ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: rfc3339(now) }
      : c,
  );
  for (const type of MONITORED) {
    if (conditions.some((c) => c.type === type)) continue;
    out.push({
      type,
      status: 'Unknown',
      reason: 'NodeStatusNeverUpdated',
      message: 'Kubelet never posted node status.',
      lastHeartbeatTime: node.metadata?.creationTimestamp,
      lastTransitionTime: rfc3339(now),
    });
  }
  return out;
}

/** Decide the node's conditions and taints at `now` (see the module comment). */
export function decide(node: Node, lease: Lease | undefined, now: number, config: NodeLifecycleConfig = DEFAULT_NODE_LIFECYCLE_CONFIG, opts: DecideOptions = {}): NodeDecision {
  const gate = opts.gate ?? 'allow';
  const before = node.status?.conditions ?? [];
  const readyBefore = before.find((c) => c.type === 'Ready');
  const grace = readyBefore ? config.gracePeriodMs : config.startupGracePeriodMs;
  const probe = lastHeartbeat(node, lease, opts.watchingSince);
  const stale = now > probe + grace;
  const conditions = stale ? markUnknown(node, before, now) : [...before];
  const conditionsChanged = JSON.stringify(conditions) !== JSON.stringify(before);
  const ready = conditions.find((c) => c.type === 'Ready')?.status as ConditionStatus | undefined;

  // NoSchedule: one taint per condition that calls for it, plus unschedulable.
  const wantNoSchedule = new Set<string>();
  for (const c of conditions) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key) wantNoSchedule.add(key);
  }
  if (node.spec?.unschedulable) wantNoSchedule.add(TAINT_UNSCHEDULABLE);

  // NoExecute: not-ready or unreachable, by Ready's status.
  const existing = node.spec?.taints ?? [];
  const has = (key: string): boolean => existing.some((t) => sameTaint(t, key, 'NoExecute'));
  const wantNoExecute = new Set<string>();
  let freshNoExecute = false;
  if (gate !== 'disrupted') {
    if (ready === 'False' || ready === 'Unknown') {
      const want = ready === 'False' ? TAINT_NOT_READY : TAINT_UNREACHABLE;
      const other = ready === 'False' ? TAINT_UNREACHABLE : TAINT_NOT_READY;
      if (has(want) || has(other)) wantNoExecute.add(want);
      else {
        freshNoExecute = true;
        if (gate === 'allow') wantNoExecute.add(want);
      }
    } else if (ready === undefined) {
      // No Ready condition yet: leave NoExecute taints as they are.
      for (const k of [TAINT_NOT_READY, TAINT_UNREACHABLE]) if (has(k)) wantNoExecute.add(k);
    }
  }

  const taints: Taint[] = existing.filter((t) => {
    if (t.effect === 'NoSchedule' && MANAGED_NO_SCHEDULE.has(t.key)) return wantNoSchedule.has(t.key);
    if (t.effect === 'NoExecute' && (t.key === TAINT_NOT_READY || t.key === TAINT_UNREACHABLE)) return wantNoExecute.has(t.key);
    return true;
  });
  const add = (key: string, effect: 'NoSchedule' | 'NoExecute'): void => {
    if (!taints.some((t) => sameTaint(t, key, effect))) taints.push({ key, effect, timeAdded: rfc3339(now) });
  };
  for (const k of [...wantNoSchedule].sort()) add(k, 'NoSchedule');
  for (const k of [...wantNoExecute].sort()) add(k, 'NoExecute');

  return {
    conditions,
    conditionsChanged,
    ready,
    taints,
    taintsChanged: JSON.stringify(taints) !== JSON.stringify(existing),
    freshNoExecute,
    becameUnknown: readyBefore?.status === 'True' && ready === 'Unknown',
    recheckAfterMs: stale ? undefined : Math.max(1, probe + grace - now + 1),
  };
}
