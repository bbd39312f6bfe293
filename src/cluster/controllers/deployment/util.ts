/**
 * The arithmetic of kube's `pkg/controller/deployment/util/deployment_util.go`: fenceposts
 * (maxSurge rounds up, maxUnavailable rounds down, both 0 means 1 unavailable), revisions and
 * their annotations, replica counts over replica sets, the orderings the controller sorts by, and
 * the Deployment conditions with kube's reasons.
 */
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import { scaledValue } from '../shared/int-or-percent.js';
import { semanticDeepEqual } from '../shared/hash.js';
import { rfc3339, timeOf } from '../shared/pod-util.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const DEPRECATED_ROLLBACK_TO = 'deprecated.deployment.rollback.to';
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';
/** How long `revision-history` may grow (deployment_controller.go's maxRevHistoryLengthInChars). */
export const MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000;

/** Condition reasons, spelled as upstream. */
export const Reason = {
  NewRSAvailable: 'NewReplicaSetAvailable',
  TimedOut: 'ProgressDeadlineExceeded',
  RSUpdated: 'ReplicaSetUpdated',
  FailedRSCreate: 'ReplicaSetCreateError',
  NewRS: 'NewReplicaSetCreated',
  FoundNewRS: 'FoundNewReplicaSet',
  PausedDeploy: 'DeploymentPaused',
  ResumedDeploy: 'DeploymentResumed',
  MinimumReplicasAvailable: 'MinimumReplicasAvailable',
  MinimumReplicasUnavailable: 'MinimumReplicasUnavailable',
} as const;

/** Annotations a Deployment never copies to its replica sets (annotationsToSkip). */
const ANNOTATIONS_TO_SKIP = new Set([LAST_APPLIED_ANNOTATION, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, DEPRECATED_ROLLBACK_TO]);

export const replicasOf = (x: { spec?: { replicas?: number } } | undefined): number => x?.spec?.replicas ?? 0;

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** ResolveFenceposts: surge rounds up, unavailable rounds down; if both are 0, unavailable is 1. */
export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicasOf(d)).surge;
}

export function maxUnavailable(d: Deployment): number {
  if (!isRollingUpdate(d) || replicasOf(d) === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  const { unavailable } = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicasOf(d));
  return Math.min(unavailable, replicasOf(d));
}

export function revisionOf(rs: { metadata?: { annotations?: Record<string, string> } }): number {
  const v = rs.metadata?.annotations?.[REVISION_ANNOTATION];
  const n = v === undefined ? 0 : Number.parseInt(v, 10);
  return Number.isFinite(n) ? n : 0;
}

export function maxRevision(rss: readonly ReplicaSet[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

/** Templates equal once the pod-template-hash label is removed from both (EqualIgnoreHash). */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  const strip = (t: unknown) => {
    const c = structuredClone(t ?? {}) as { metadata?: { labels?: Record<string, string> } };
    if (c.metadata?.labels) delete c.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    return c;
  };
  return semanticDeepEqual(strip(a), strip(b));
}

const created = (rs: ReplicaSet): number => timeOf(rs.metadata?.creationTimestamp) ?? 0;

/** ReplicaSetsByCreationTimestamp: older first, then by name. */
export function byCreationTimestamp(a: ReplicaSet, b: ReplicaSet): number {
  const d = created(a) - created(b);
  if (d !== 0) return d;
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : (a.metadata?.name ?? '') > (b.metadata?.name ?? '') ? 1 : 0;
}

/** ReplicaSetsBySizeOlder: larger first; same size, older first. */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return replicasOf(a) === replicasOf(b) ? byCreationTimestamp(a, b) : replicasOf(b) - replicasOf(a);
}

/** ReplicaSetsBySizeNewer: larger first; same size, newer first. */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return replicasOf(a) === replicasOf(b) ? byCreationTimestamp(b, a) : replicasOf(b) - replicasOf(a);
}

/** ReplicaSetsByRevision: lower revision first, then older. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  return revisionOf(a) === revisionOf(b) ? byCreationTimestamp(a, b) : revisionOf(a) - revisionOf(b);
}

/** FindNewReplicaSet: the oldest replica set whose template equals the Deployment's. */
export function findNewReplicaSet(d: Deployment, rss: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

export const filterActive = (rss: readonly (ReplicaSet | undefined)[]): ReplicaSet[] => rss.filter((rs): rs is ReplicaSet => !!rs && replicasOf(rs) > 0);

const sum = (rss: readonly (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number | undefined): number => rss.reduce((n, rs) => n + (rs ? (f(rs) ?? 0) : 0), 0);
/** GetReplicaCountForReplicaSets: the sum of spec.replicas. */
export const specReplicas = (rss: readonly (ReplicaSet | undefined)[]): number => sum(rss, (rs) => rs.spec?.replicas);
/** GetActualReplicaCountForReplicaSets: the sum of status.replicas. */
export const actualReplicas = (rss: readonly (ReplicaSet | undefined)[]): number => sum(rss, (rs) => rs.status?.replicas);
export const readyReplicas = (rss: readonly (ReplicaSet | undefined)[]): number => sum(rss, (rs) => rs.status?.readyReplicas);
export const availableReplicas = (rss: readonly (ReplicaSet | undefined)[]): number => sum(rss, (rs) => rs.status?.availableReplicas);

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

export const desiredReplicasAnnotation = (rs: ReplicaSet): number | undefined => intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
export const maxReplicasAnnotation = (rs: ReplicaSet): number | undefined => intAnnotation(rs, MAX_REPLICAS_ANNOTATION);

/** SetReplicasAnnotations: returns whether anything changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const meta = (rs.metadata ??= {});
  const ann = (meta.annotations ??= {});
  let changed = false;
  if (ann[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    ann[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (ann[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    ann[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const ann = rs.metadata?.annotations ?? {};
  return ann[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || ann[MAX_REPLICAS_ANNOTATION] !== String(max);
}

/**
 * SetNewReplicaSetAnnotations: copy the Deployment's annotations (but the skipped ones), raise the
 * revision when it is lower than `newRevision` (keeping the old one in revision-history: a
 * rollback), and on creation set desired/max replicas. Returns whether anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  const meta = (rs.metadata ??= {});
  const ann = (meta.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  const oldRevision = ann[REVISION_ANNOTATION];
  const had = oldRevision !== undefined;
  let oldRevisionInt = 0;
  if (had && oldRevision !== '') {
    if (!/^-?\d+$/.test(oldRevision)) return false;
    oldRevisionInt = Number(oldRevision);
  }
  if (oldRevisionInt < newRevision) {
    ann[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
  }
  if (had && oldRevisionInt < newRevision) {
    const history = ann[REVISION_HISTORY_ANNOTATION] ?? '';
    const oldRevisions = history.split(',');
    if (oldRevisions[0].length === 0) ann[REVISION_HISTORY_ANNOTATION] = oldRevision;
    else {
      let totalLen = history.length + oldRevision.length + 1;
      let start = 0;
      while (totalLen > MAX_REV_HISTORY_LENGTH_IN_CHARS && start < oldRevisions.length) {
        totalLen = totalLen - oldRevisions[start].length - 1;
        start++;
      }
      if (totalLen <= MAX_REV_HISTORY_LENGTH_IN_CHARS) ann[REVISION_HISTORY_ANNOTATION] = [...oldRevisions.slice(start), oldRevision].join(',');
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** SetDeploymentRevision: returns whether it changed. */
export function setDeploymentRevision(d: Deployment, revision: string): boolean {
  const meta = (d.metadata ??= {});
  const ann = (meta.annotations ??= {});
  if (ann[REVISION_ANNOTATION] === revision) return false;
  ann[REVISION_ANNOTATION] = revision;
  return true;
}

/** NewRSNewReplicas: how large the new replica set may be now. */
export function newRSNewReplicas(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const surge = scaledValue(d.spec?.strategy?.rollingUpdate?.maxSurge ?? 0, replicasOf(d), true);
  const currentPodCount = specReplicas(allRSs);
  const maxTotalPods = replicasOf(d) + surge;
  if (currentPodCount >= maxTotalPods) return replicasOf(newRS);
  const scaleUpCount = Math.min(maxTotalPods - currentPodCount, replicasOf(d) - replicasOf(newRS));
  return replicasOf(newRS) + scaleUpCount;
}

/** IsSaturated: the new replica set has all the replicas and all of them are available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  return replicasOf(rs) === replicasOf(d) && desired === replicasOf(d) && (rs.status?.availableReplicas ?? 0) === replicasOf(d);
}

/** FindActiveOrLatest: the one active replica set, or the newest when none is active, else undefined. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const newestFirst = [...oldRSs].sort((a, b) => byCreationTimestamp(b, a));
  const active = filterActive([...newestFirst, newRS]);
  if (active.length === 0) return newRS ?? newestFirst[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** getReplicaSetFraction: this replica set's share of a resize, rounded half away from zero. */
function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (replicasOf(d) === 0) return -replicasOf(rs);
  const deploymentMaxReplicas = replicasOf(d) + maxSurge(d);
  let before = maxReplicasAnnotation(rs);
  if (before === undefined || before === 0) {
    before = d.status?.replicas ?? 0;
    if (before === 0) return 0;
  }
  const newSize = (replicasOf(rs) * deploymentMaxReplicas) / before;
  return roundHalfAwayFromZero(newSize) - replicasOf(rs);
}

export function roundHalfAwayFromZero(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** GetReplicaSetProportion. */
export function replicaSetProportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

// ---- conditions ---------------------------------------------------------------------------------

export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec?.progressDeadlineSeconds;
  return s !== undefined && s !== null && s !== 2147483647;
}

export function getCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

export function newCondition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string, now: number): DeploymentCondition {
  const t = rfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/** SetDeploymentCondition: same status and reason is a no-op; same status keeps lastTransitionTime. */
export function setCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  if (current && current.status === condition.status) condition.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), condition];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  if (!status.conditions) return;
  status.conditions = status.conditions.filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

/** DeploymentComplete: every replica updated, present and available, and the spec observed. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus | undefined): boolean {
  const n = replicasOf(d);
  return (s?.updatedReplicas ?? 0) === n && (s?.replicas ?? 0) === n && (s?.availableReplicas ?? 0) === n && (s?.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

/** DeploymentProgressing: more updated, fewer old, more ready or more available than before. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** DeploymentTimedOut: the Progressing condition was last updated longer ago than the deadline. */
export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(s, 'Progressing');
  if (!c) return false;
  if (c.reason === Reason.NewRSAvailable) return false;
  if (c.reason === Reason.TimedOut) return true;
  const from = timeOf(c.lastUpdateTime) ?? 0;
  return from + (d.spec!.progressDeadlineSeconds as number) * 1000 < now;
}
