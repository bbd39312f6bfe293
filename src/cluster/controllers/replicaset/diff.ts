/**
 * The ReplicaSet controller's rules (pkg/controller/replicaset/replica_set.go and
 * controller_utils.go), pure: how many pods to create or which to delete, in what batches, which
 * pods go first, and the status to report.
 */
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { availableAt, isPodActive, isPodAvailable, isPodReady, labelsMatchSet, podCondition, rfc3339, timeOf } from '../shared/pod-util.js';

/** kube's burstReplicas: at most this many creations or deletions per sync. */
export const BURST_REPLICAS = 500;
/** controller.SlowStartInitialBatchSize. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;

export type ReplicaSetDiff =
  | { readonly type: 'none' }
  | { readonly type: 'create'; readonly count: number }
  | { readonly type: 'delete'; readonly pods: Pod[] };

/**
 * manageReplicas: `activePods` are the pods the replica set owns that are active; create the
 * missing ones or delete the extra ones (up to BURST_REPLICAS), choosing those to delete by
 * {@link rankForDeletion}. `relatedPods` (pods of sibling replica sets of the same Deployment)
 * count towards "doubled up" on a node.
 */
export function replicaSetDiff(rs: ReplicaSet, activePods: readonly Pod[], now: number, relatedPods: readonly Pod[] = activePods): ReplicaSetDiff {
  const diff = activePods.length - (rs.spec?.replicas ?? 1);
  if (diff < 0) return { type: 'create', count: Math.min(-diff, BURST_REPLICAS) };
  if (diff > 0) return { type: 'delete', pods: podsToDelete(activePods, relatedPods, Math.min(diff, BURST_REPLICAS), now) };
  return { type: 'none' };
}

/** getPodsToDelete: rank (unless all go) and take the first `diff`. */
export function podsToDelete(filteredPods: readonly Pod[], relatedPods: readonly Pod[], diff: number, now: number): Pod[] {
  if (diff >= filteredPods.length) return [...filteredPods];
  return rankForDeletion(filteredPods, relatedPods, now).slice(0, diff);
}

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const phaseOrdinal = (p: Pod): number => PHASE_ORDINAL[p.status?.phase ?? ''] ?? 0;

function readyTime(p: Pod): number | undefined {
  return isPodReady(p) ? timeOf(podCondition(p, 'Ready')?.lastTransitionTime) : undefined;
}

function maxRestarts(p: Pod): number {
  return Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

/** logarithmicRankDiff: compare ages on a log2 scale of nanoseconds, so similar ages tie. */
function logRank(t: number, now: number): number {
  const d = (now - t) * 1e6;
  return d > 0 ? Math.floor(Math.log2(d)) : -1;
}

function deletionCost(p: Pod): number {
  const v = p.metadata?.annotations?.['controller.kubernetes.io/pod-deletion-cost'];
  const n = v === undefined ? 0 : Number(v);
  return Number.isInteger(n) ? n : 0;
}

/**
 * ActivePodsWithRanks.Less, most deletable first: unassigned < assigned; Pending < Unknown <
 * Running; not ready < ready; lower pod-deletion-cost; more pods of the same owner on its node;
 * ready more recently (log scale); more restarts; created more recently (log scale); uid.
 */
export function rankForDeletion(pods: readonly Pod[], relatedPods: readonly Pod[], now: number): Pod[] {
  const onNode = new Map<string, number>();
  for (const p of relatedPods) if (isPodActive(p)) onNode.set(p.spec?.nodeName ?? '', (onNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  const rank = (p: Pod) => onNode.get(p.spec?.nodeName ?? '') ?? 0;
  const cmp = (a: Pod, b: Pod): number => {
    const na = a.spec?.nodeName ?? '';
    const nb = b.spec?.nodeName ?? '';
    if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
    if (phaseOrdinal(a) !== phaseOrdinal(b)) return phaseOrdinal(a) - phaseOrdinal(b);
    if (isPodReady(a) !== isPodReady(b)) return isPodReady(a) ? 1 : -1;
    if (deletionCost(a) !== deletionCost(b)) return deletionCost(a) - deletionCost(b);
    if (rank(a) !== rank(b)) return rank(b) - rank(a);
    if (isPodReady(a) && isPodReady(b)) {
      const ra = readyTime(a);
      const rb = readyTime(b);
      if (ra !== rb) {
        if (ra === undefined || rb === undefined) return ra === undefined ? -1 : 1;
        const d = logRank(ra, now) - logRank(rb, now);
        if (d !== 0) return d;
        const u = uidCmp(a, b);
        if (u !== 0) return u;
      }
    }
    if (maxRestarts(a) !== maxRestarts(b)) return maxRestarts(b) - maxRestarts(a);
    const ca = timeOf(a.metadata?.creationTimestamp);
    const cb = timeOf(b.metadata?.creationTimestamp);
    if (ca !== cb) {
      if (ca === undefined || cb === undefined) return ca === undefined ? -1 : 1;
      const d = logRank(ca, now) - logRank(cb, now);
      if (d !== 0) return d;
      return uidCmp(a, b);
    }
    return 0;
  };
  return [...pods].sort(cmp);
}

function uidCmp(a: Pod, b: Pod): number {
  const ua = a.metadata?.uid ?? '';
  const ub = b.metadata?.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/** slowStartBatch: 1, 2, 4, … up to `count` in total. */
export function slowStartBatches(count: number, initial = SLOW_START_INITIAL_BATCH_SIZE): number[] {
  const out: number[] = [];
  let remaining = count;
  for (let size = Math.min(remaining, initial); size > 0; size = Math.min(2 * size, remaining)) {
    out.push(size);
    remaining -= size;
  }
  return out;
}

/** getPodsPrefix: `<name>-`, as long as that is a valid generateName. */
export function podsPrefix(controllerName: string): string {
  const prefix = `${controllerName}-`;
  return prefix.length <= 253 && /^[a-z0-9]([-a-z0-9.]*)?$/.test(prefix) ? prefix : controllerName;
}

/** GetPodFromTemplate: labels, annotations and finalizers of the template, generateName, controllerRef. */
export function podFromTemplate(template: PodTemplateSpec, controllerName: string, controllerRef: OwnerReference, namespace: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: podsPrefix(controllerName),
      namespace,
      labels: { ...template.metadata?.labels },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ...(template.metadata?.finalizers ? { finalizers: [...template.metadata.finalizers] } : {}),
      ownerReferences: [controllerRef],
    },
    spec: structuredClone(template.spec!),
  };
}

/**
 * calculateStatus: replicas (active pods), fullyLabeled (carrying every template label), ready,
 * available (ready for minReadySeconds), observedGeneration; a ReplicaFailure condition while
 * creating or deleting fails.
 */
export function replicaSetStatus(rs: ReplicaSet, activePods: readonly Pod[], now: number, manageError?: string): ReplicaSetStatus {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of activePods) {
    if (labelsMatchSet(rs.spec?.template?.metadata?.labels, p.metadata?.labels)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  let conditions: ReplicaSetCondition[] = structuredClone(rs.status?.conditions ?? []);
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageError !== undefined && !failure) {
    const diff = activePods.length - (rs.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions.push({ type: 'ReplicaFailure', status: 'True', lastTransitionTime: rfc3339(now), reason, message: manageError });
  } else if (manageError === undefined && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  const status: ReplicaSetStatus = { replicas: activePods.length };
  if (fullyLabeled) status.fullyLabeledReplicas = fullyLabeled;
  if (ready) status.readyReplicas = ready;
  if (available) status.availableReplicas = available;
  if (rs.metadata?.generation) status.observedGeneration = rs.metadata.generation;
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** When the next ready-but-not-yet-available pod becomes available (for a requeue), if any. */
export function nextAvailableAt(rs: ReplicaSet, activePods: readonly Pod[], now: number): number | undefined {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  if (minReady <= 0) return undefined;
  let next: number | undefined;
  for (const p of activePods) {
    if (isPodAvailable(p, minReady, now)) continue;
    const at = availableAt(p, minReady);
    if (at !== undefined && (next === undefined || at < next)) next = at;
  }
  return next;
}
