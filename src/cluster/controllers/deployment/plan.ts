/**
 * The deployment controller's rules as one pure function: `planDeployment(deployment,
 * replicaSets, pods, now)` → the writes kube's `syncDeployment` would make, in order.
 *
 * It follows `pkg/controller/deployment/{deployment_controller,sync,rolling,recreate,progress}.go`
 * step by step over in-memory copies (a simulation): each write kube makes becomes an action, and
 * later steps see the earlier ones, as kube's do through the objects it just wrote. The shell
 * performs the actions in order and stops at the first failure; the next reconcile starts again
 * from what the cache then shows (level-triggered, idempotent).
 */
import type { Deployment, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { computeHash, semanticDeepEqual } from '../shared/hash.js';
import { newControllerRef } from '../shared/owner.js';
import { rfc3339, timeOf } from '../shared/pod-util.js';
import {
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  Reason,
  actualReplicas,
  availableReplicas,
  byCreationTimestamp,
  byRevision,
  bySizeNewer,
  bySizeOlder,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  desiredReplicasAnnotation,
  filterActive,
  findActiveOrLatest,
  findNewReplicaSet,
  getCondition,
  hasProgressDeadline,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  newCondition,
  newRSNewReplicas,
  readyReplicas,
  removeCondition,
  replicaSetProportion,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  setCondition,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  specReplicas,
} from './util.js';

export interface KubeEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** One write, with the Event kube records on the Deployment once it succeeds. */
export type DeploymentAction =
  | { readonly type: 'createReplicaSet'; readonly replicaSet: ReplicaSet; readonly event?: KubeEvent }
  /** Update (PUT) the replica set: spec.replicas, minReadySeconds and annotations as given. */
  | { readonly type: 'updateReplicaSet'; readonly replicaSet: ReplicaSet; readonly event?: KubeEvent }
  | { readonly type: 'deleteReplicaSet'; readonly name: string; readonly uid: string }
  /** The Deployment's metadata.annotations (the revision), before its status. */
  | { readonly type: 'updateDeploymentAnnotations'; readonly annotations: Record<string, string> }
  | { readonly type: 'updateDeploymentStatus'; readonly status: DeploymentStatus }
  /** An Event with no write (SelectingAll). */
  | { readonly type: 'event'; readonly event: KubeEvent };

export interface DeploymentPlan {
  readonly actions: DeploymentAction[];
  /** Check again then: the progress deadline of a rollout that has not finished. */
  readonly requeueAfterMs?: number;
}

export interface DeploymentInput {
  readonly deployment: Deployment;
  /** The replica sets the Deployment controls (after adoption). */
  readonly replicaSets: readonly ReplicaSet[];
  /** Pods of those replica sets (Recreate waits for the old ones to go). */
  readonly pods?: readonly Pod[];
  readonly now: number;
}

/** The in-memory world one sync works on. */
class Sim {
  readonly d: Deployment;
  readonly rsList: ReplicaSet[];
  readonly actions: DeploymentAction[] = [];
  private readonly original: Deployment;
  requeueAfterMs: number | undefined;

  constructor(readonly input: DeploymentInput) {
    this.original = input.deployment;
    this.d = structuredClone(input.deployment);
    this.d.status ??= {};
    this.rsList = input.replicaSets.map((rs) => structuredClone(rs));
  }

  get now(): number {
    return this.input.now;
  }

  updateRS(rs: ReplicaSet, event?: KubeEvent): void {
    this.actions.push({ type: 'updateReplicaSet', replicaSet: structuredClone(rs), event });
  }

  deleteRS(rs: ReplicaSet): void {
    this.actions.push({ type: 'deleteReplicaSet', name: rs.metadata!.name!, uid: rs.metadata!.uid ?? '' });
  }

  /** The Deployment writes: annotations first (they need the main resource), then status. */
  finish(): DeploymentPlan {
    const ann = this.d.metadata?.annotations ?? {};
    if (!semanticDeepEqual(ann, this.original.metadata?.annotations ?? {})) this.actions.push({ type: 'updateDeploymentAnnotations', annotations: ann });
    if (!semanticDeepEqual(this.d.status, this.original.status ?? {})) this.actions.push({ type: 'updateDeploymentStatus', status: this.d.status! });
    return { actions: this.actions, requeueAfterMs: this.requeueAfterMs };
  }
}

const scaledEvent = (op: 'up' | 'down', name: string, from: number, to: number): KubeEvent => ({
  type: 'Normal',
  reason: 'ScalingReplicaSet',
  message: `Scaled ${op} replica set ${name} from ${from} to ${to}`,
});

export function planDeployment(input: DeploymentInput): DeploymentPlan {
  const sim = new Sim(input);
  const d = sim.d;
  const sel = d.spec?.selector;
  if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) {
    sim.actions.push({ type: 'event', event: { type: 'Warning', reason: 'SelectingAll', message: 'This deployment is selecting all pods. A non-empty selector is required.' } });
    if ((d.status!.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) d.status!.observedGeneration = d.metadata!.generation;
    return sim.finish();
  }
  if (d.metadata?.deletionTimestamp) {
    syncStatusOnly(sim);
    return sim.finish();
  }
  checkPausedConditions(sim);
  if (d.spec?.paused) {
    sync(sim);
    return sim.finish();
  }
  if (isScalingEvent(sim)) {
    sync(sim);
    return sim.finish();
  }
  if (isRollingUpdate(d)) rolloutRolling(sim);
  else rolloutRecreate(sim);
  return sim.finish();
}

// ---- sync.go ------------------------------------------------------------------------------------

interface Split {
  newRS: ReplicaSet | undefined;
  oldRSs: ReplicaSet[];
}

/** getAllReplicaSetsAndSyncRevision (FindOldReplicaSets + getNewReplicaSet). */
function getAllReplicaSetsAndSyncRevision(sim: Sim, createIfNotExisted: boolean): Split {
  const existing = findNewReplicaSet(sim.d, sim.rsList);
  const oldRSs = sim.rsList.filter((rs) => rs !== existing);
  const newRS = getNewReplicaSet(sim, existing, oldRSs, createIfNotExisted);
  return { newRS, oldRSs };
}

function getNewReplicaSet(sim: Sim, existing: ReplicaSet | undefined, oldRSs: ReplicaSet[], createIfNotExisted: boolean): ReplicaSet | undefined {
  const d = sim.d;
  const newRevision = maxRevision(oldRSs) + 1;
  if (existing) {
    const annotationsUpdated = setNewReplicaSetAnnotations(d, existing, newRevision, true);
    const minReadySecondsNeedsUpdate = (existing.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
    if (annotationsUpdated || minReadySecondsNeedsUpdate) {
      existing.spec!.minReadySeconds = d.spec?.minReadySeconds;
      if (!existing.spec!.minReadySeconds) delete existing.spec!.minReadySeconds;
      sim.updateRS(existing);
      return existing;
    }
    setDeploymentRevision(d, existing.metadata?.annotations?.[REVISION_ANNOTATION] ?? '');
    if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
      setCondition(d.status!, newCondition('Progressing', 'True', Reason.FoundNewRS, `Found new replica set "${existing.metadata?.name}"`, sim.now));
    }
    return existing;
  }
  if (!createIfNotExisted) return undefined;

  const template = structuredClone(d.spec!.template!);
  const hash = computeHash(template, d.status?.collisionCount);
  template.metadata ??= {};
  template.metadata.labels = { ...template.metadata.labels, [POD_TEMPLATE_HASH_LABEL]: hash };
  const selector = structuredClone(d.spec!.selector!);
  selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
  const name = `${d.metadata!.name}-${hash}`;
  const newRS: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: d.metadata!.namespace,
      ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')],
      labels: { ...template.metadata.labels },
    },
    spec: { replicas: 0, selector, template, ...(d.spec?.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}) },
  };
  const count = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
  newRS.spec!.replicas = count;
  setNewReplicaSetAnnotations(d, newRS, newRevision, false);
  sim.actions.push({ type: 'createReplicaSet', replicaSet: structuredClone(newRS), event: count > 0 ? scaledEvent('up', name, 0, count) : undefined });
  // In the simulation it is the newest replica set from now on.
  const created: ReplicaSet = { ...newRS, metadata: { ...newRS.metadata, creationTimestamp: rfc3339(sim.now) } };
  sim.rsList.push(created);
  setDeploymentRevision(d, String(newRevision));
  if (hasProgressDeadline(d)) {
    setCondition(d.status!, newCondition('Progressing', 'True', Reason.NewRS, `Created new replica set "${name}"`, sim.now));
  }
  return created;
}

/** scaleReplicaSetAndRecordEvent: true when the size changed. */
function scaleReplicaSetAndRecordEvent(sim: Sim, rs: ReplicaSet, newScale: number): boolean {
  if (replicasOf(rs) === newScale) return false;
  return scaleReplicaSet(sim, rs, newScale, replicasOf(rs) < newScale ? 'up' : 'down');
}

function scaleReplicaSet(sim: Sim, rs: ReplicaSet, newScale: number, op: 'up' | 'down'): boolean {
  const d = sim.d;
  const sizeNeedsUpdate = replicasOf(rs) !== newScale;
  const max = replicasOf(d) + maxSurge(d);
  const annotationsNeedUpdate = replicasAnnotationsNeedUpdate(rs, replicasOf(d), max);
  if (!sizeNeedsUpdate && !annotationsNeedUpdate) return false;
  const oldScale = replicasOf(rs);
  rs.spec!.replicas = newScale;
  setReplicasAnnotations(rs, replicasOf(d), max);
  sim.updateRS(rs, sizeNeedsUpdate ? scaledEvent(op, rs.metadata!.name!, oldScale, newScale) : undefined);
  return sizeNeedsUpdate;
}

/** isScalingEvent: an active replica set's desired-replicas annotation differs from spec.replicas. */
function isScalingEvent(sim: Sim): boolean {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(sim, false);
  if (!newRS) return false;
  for (const rs of filterActive([...oldRSs, newRS])) {
    const desired = desiredReplicasAnnotation(rs);
    if (desired !== undefined && desired !== replicasOf(sim.d)) return true;
  }
  return false;
}

/** sync: scale (proportionally while rolling), clean up when paused, write status. */
function sync(sim: Sim): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(sim, false);
  scale(sim, newRS, oldRSs);
  if (sim.d.spec?.paused) cleanupDeployment(sim, oldRSs);
  syncDeploymentStatus(sim, [...oldRSs, newRS], newRS);
}

function syncStatusOnly(sim: Sim): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(sim, false);
  syncDeploymentStatus(sim, [...oldRSs, newRS], newRS);
}

function scale(sim: Sim, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): void {
  const d = sim.d;
  const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
  if (activeOrLatest) {
    if (replicasOf(activeOrLatest) !== replicasOf(d)) scaleReplicaSetAndRecordEvent(sim, activeOrLatest, replicasOf(d));
    return;
  }
  if (isSaturated(d, newRS)) {
    for (const old of filterActive(oldRSs)) scaleReplicaSetAndRecordEvent(sim, old, 0);
    return;
  }
  if (!isRollingUpdate(d)) return;
  const allRSs = filterActive([...oldRSs, newRS]);
  const allRSsReplicas = specReplicas(allRSs);
  const allowedSize = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowedSize - allRSsReplicas;
  let op: 'up' | 'down' = 'up';
  if (toAdd > 0) allRSs.sort(bySizeNewer);
  else if (toAdd < 0) {
    allRSs.sort(bySizeOlder);
    op = 'down';
  }
  let added = 0;
  const nameToSize = new Map<string, number>();
  for (const rs of allRSs) {
    if (toAdd !== 0) {
      const proportion = replicaSetProportion(rs, d, toAdd, added);
      nameToSize.set(rs.metadata!.name!, replicasOf(rs) + proportion);
      added += proportion;
    } else nameToSize.set(rs.metadata!.name!, replicasOf(rs));
  }
  allRSs.forEach((rs, i) => {
    const name = rs.metadata!.name!;
    if (i === 0 && toAdd !== 0) nameToSize.set(name, Math.max(0, nameToSize.get(name)! + toAdd - added));
    scaleReplicaSet(sim, rs, nameToSize.get(name)!, op);
  });
}

/** calculateStatus. */
function calculateStatus(d: Deployment, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined, now: number): DeploymentStatus {
  const available = availableReplicas(allRSs);
  const unavailable = Math.max(0, specReplicas(allRSs) - available);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata?.generation,
    replicas: actualReplicas(allRSs),
    updatedReplicas: actualReplicas([newRS]),
    readyReplicas: readyReplicas(allRSs),
    availableReplicas: available,
    unavailableReplicas: unavailable,
    collisionCount: d.status?.collisionCount,
    conditions: structuredClone(d.status?.conditions ?? []),
  };
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', Reason.MinimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(status, newCondition('Available', 'False', Reason.MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return status;
}

/** Go's omitempty: zero counts and empty lists are not on the wire. */
function omitEmpty(s: DeploymentStatus): DeploymentStatus {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (v === undefined || v === null || v === 0 || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  if (s.collisionCount !== undefined && s.collisionCount !== null) out.collisionCount = s.collisionCount;
  return out as DeploymentStatus;
}

function syncDeploymentStatus(sim: Sim, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): void {
  const status = calculateStatus(sim.d, allRSs, newRS, sim.now);
  sim.d.status = omitEmpty(status);
}

/** cleanupDeployment: delete the oldest unused replica sets beyond revisionHistoryLimit. */
function cleanupDeployment(sim: Sim, oldRSs: ReplicaSet[]): void {
  const limit = sim.d.spec?.revisionHistoryLimit;
  if (limit === undefined || limit === null) return;
  const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp).sort(byRevision);
  const diff = cleanable.length - limit;
  for (let i = 0; i < diff; i++) {
    const rs = cleanable[i];
    if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
    sim.deleteRS(rs);
  }
}

/** checkPausedConditions: Progressing Unknown with DeploymentPaused / DeploymentResumed. */
function checkPausedConditions(sim: Sim): void {
  const d = sim.d;
  if (!hasProgressDeadline(d)) return;
  const cond = getCondition(d.status, 'Progressing');
  if (cond?.reason === Reason.TimedOut) return;
  const pausedCondExists = cond?.reason === Reason.PausedDeploy;
  if (d.spec?.paused && !pausedCondExists) {
    setCondition(d.status!, newCondition('Progressing', 'Unknown', Reason.PausedDeploy, 'Deployment is paused', sim.now));
  } else if (!d.spec?.paused && pausedCondExists) {
    setCondition(d.status!, newCondition('Progressing', 'Unknown', Reason.ResumedDeploy, 'Deployment is resumed', sim.now));
  }
}

// ---- rolling.go ---------------------------------------------------------------------------------

function rolloutRolling(sim: Sim): void {
  const { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(sim, true);
  const allRSs = [...oldRSs, newRS!];
  if (reconcileNewReplicaSet(sim, allRSs, newRS!)) return syncRolloutStatus(sim, allRSs, newRS);
  if (reconcileOldReplicaSets(sim, allRSs, filterActive(oldRSs), newRS!)) return syncRolloutStatus(sim, allRSs, newRS);
  if (deploymentComplete(sim.d, sim.d.status)) cleanupDeployment(sim, oldRSs);
  syncRolloutStatus(sim, allRSs, newRS);
}

function reconcileNewReplicaSet(sim: Sim, allRSs: ReplicaSet[], newRS: ReplicaSet): boolean {
  const d = sim.d;
  if (replicasOf(newRS) === replicasOf(d)) return false;
  if (replicasOf(newRS) > replicasOf(d)) return scaleReplicaSetAndRecordEvent(sim, newRS, replicasOf(d));
  return scaleReplicaSetAndRecordEvent(sim, newRS, newRSNewReplicas(d, allRSs, newRS));
}

function reconcileOldReplicaSets(sim: Sim, allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet): boolean {
  const d = sim.d;
  const oldPodsCount = specReplicas(oldRSs);
  if (oldPodsCount === 0) return false;
  const allPodsCount = specReplicas(allRSs);
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newRSUnavailablePodCount = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  const maxScaledDown = allPodsCount - minAvailable - newRSUnavailablePodCount;
  if (maxScaledDown <= 0) return false;
  const cleanupCount = cleanupUnhealthyReplicas(sim, oldRSs, maxScaledDown);
  const scaledDownCount = scaleDownOldReplicaSetsForRollingUpdate(sim, [...oldRSs, newRS], oldRSs);
  return cleanupCount + scaledDownCount > 0;
}

/** Scale down old replica sets' unavailable replicas first, oldest first, up to maxCleanupCount. */
function cleanupUnhealthyReplicas(sim: Sim, oldRSs: ReplicaSet[], maxCleanupCount: number): number {
  oldRSs.sort(byCreationTimestamp);
  let total = 0;
  for (const rs of oldRSs) {
    if (total >= maxCleanupCount) break;
    if (replicasOf(rs) === 0) continue;
    const available = rs.status?.availableReplicas ?? 0;
    if (replicasOf(rs) === available) continue;
    const scaledDownCount = Math.min(maxCleanupCount - total, replicasOf(rs) - available);
    const newReplicasCount = replicasOf(rs) - scaledDownCount;
    // The replica set's status may still count pods it has since been told to remove.
    if (newReplicasCount > replicasOf(rs)) {
      throw new Error(`when cleaning up unhealthy replicas, got invalid request to scale down ${rs.metadata?.namespace}/${rs.metadata?.name} ${replicasOf(rs)} -> ${newReplicasCount}`);
    }
    scaleReplicaSetAndRecordEvent(sim, rs, newReplicasCount);
    total += scaledDownCount;
  }
  return total;
}

/** Scale down old replica sets, oldest first, while availability stays above the minimum. */
function scaleDownOldReplicaSetsForRollingUpdate(sim: Sim, allRSs: ReplicaSet[], oldRSs: ReplicaSet[]): number {
  const d = sim.d;
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const availablePodCount = availableReplicas(allRSs);
  if (availablePodCount <= minAvailable) return 0;
  oldRSs.sort(byCreationTimestamp);
  const totalScaleDownCount = availablePodCount - minAvailable;
  let total = 0;
  for (const rs of oldRSs) {
    if (total >= totalScaleDownCount) break;
    if (replicasOf(rs) === 0) continue;
    const scaleDownCount = Math.min(replicasOf(rs), totalScaleDownCount - total);
    scaleReplicaSetAndRecordEvent(sim, rs, replicasOf(rs) - scaleDownCount);
    total += scaleDownCount;
  }
  return total;
}

// ---- recreate.go --------------------------------------------------------------------------------

function rolloutRecreate(sim: Sim): void {
  let { newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(sim, false);
  let allRSs: (ReplicaSet | undefined)[] = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of filterActive(oldRSs)) {
    if (replicasOf(rs) === 0) continue;
    scaleReplicaSetAndRecordEvent(sim, rs, 0);
    scaledDown = true;
  }
  if (scaledDown) return syncRolloutStatus(sim, allRSs, newRS);
  if (oldPodsRunning(newRS, oldRSs, sim.input.pods ?? [])) return syncRolloutStatus(sim, allRSs, newRS);
  if (!newRS) {
    ({ newRS, oldRSs } = getAllReplicaSetsAndSyncRevision(sim, true));
    allRSs = [...oldRSs, newRS];
  }
  scaleReplicaSetAndRecordEvent(sim, newRS!, replicasOf(sim.d));
  if (deploymentComplete(sim.d, sim.d.status)) cleanupDeployment(sim, oldRSs);
  syncRolloutStatus(sim, allRSs, newRS);
}

/** Old replica sets still report pods, or pods of theirs are not yet terminal. */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], pods: readonly Pod[]): boolean {
  if (actualReplicas(oldRSs) > 0) return true;
  const oldUids = new Set(oldRSs.map((rs) => rs.metadata?.uid));
  for (const pod of pods) {
    const owner = pod.metadata?.ownerReferences?.find((r) => r.controller);
    if (!owner || (newRS && owner.uid === newRS.metadata?.uid) || !oldUids.has(owner.uid)) continue;
    if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') continue;
    return true;
  }
  return false;
}

// ---- progress.go --------------------------------------------------------------------------------

function syncRolloutStatus(sim: Sim, allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined): void {
  const d = sim.d;
  const newStatus = calculateStatus(d, allRSs, newRS, sim.now);
  if (!hasProgressDeadline(d)) removeCondition(newStatus, 'Progressing');
  const currentCond = getCondition(d.status, 'Progressing');
  const isCompleteDeployment = newStatus.replicas === newStatus.updatedReplicas && currentCond?.reason === Reason.NewRSAvailable;
  if (hasProgressDeadline(d) && !isCompleteDeployment) {
    if (deploymentComplete(d, newStatus)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata?.name}" has successfully progressed.` : `Deployment "${d.metadata?.name}" has successfully progressed.`;
      setCondition(newStatus, newCondition('Progressing', 'True', Reason.NewRSAvailable, msg, sim.now));
    } else if (deploymentProgressing(d, newStatus)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata?.name}" is progressing.` : `Deployment "${d.metadata?.name}" is progressing.`;
      const condition = newCondition('Progressing', 'True', Reason.RSUpdated, msg, sim.now);
      if (currentCond) {
        if (currentCond.status === 'True') condition.lastTransitionTime = currentCond.lastTransitionTime;
        removeCondition(newStatus, 'Progressing');
      }
      setCondition(newStatus, condition);
    } else if (deploymentTimedOut(d, newStatus, sim.now)) {
      const msg = newRS ? `ReplicaSet "${newRS.metadata?.name}" has timed out progressing.` : `Deployment "${d.metadata?.name}" has timed out progressing.`;
      setCondition(newStatus, newCondition('Progressing', 'False', Reason.TimedOut, msg, sim.now));
    }
  }
  // ReplicaFailure: the new (or an old) replica set's ReplicaFailure condition, copied over.
  const failure = replicaFailure(allRSs, newRS);
  if (failure) setCondition(newStatus, { type: 'ReplicaFailure', status: failure.status, reason: failure.reason, message: failure.message, lastUpdateTime: failure.lastTransitionTime, lastTransitionTime: failure.lastTransitionTime });
  else removeCondition(newStatus, 'ReplicaFailure');
  sim.requeueAfterMs = requeueStuckDeployment(d, newStatus, sim.now);
  d.status = omitEmpty(newStatus);
}

/** getReplicaFailures: the new replica set's ReplicaFailure condition, else an old one's. */
function replicaFailure(allRSs: (ReplicaSet | undefined)[], newRS: ReplicaSet | undefined) {
  const find = (rs: ReplicaSet | undefined) => rs?.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
  for (const rs of [newRS, ...allRSs]) {
    const c = find(rs);
    if (c) return c;
  }
  return undefined;
}

/** requeueStuckDeployment: when to look again for the progress deadline (undefined: no need). */
function requeueStuckDeployment(d: Deployment, newStatus: DeploymentStatus, now: number): number | undefined {
  const cond = getCondition(newStatus, 'Progressing');
  if (!hasProgressDeadline(d) || !cond) return undefined;
  if (deploymentComplete(d, newStatus) || cond.reason === Reason.TimedOut || cond.reason === Reason.NewRSAvailable) return undefined;
  const after = (timeOf(cond.lastUpdateTime) ?? now) + d.spec!.progressDeadlineSeconds! * 1000 - now;
  return after < 1000 ? 1000 : after + 1000;
}
