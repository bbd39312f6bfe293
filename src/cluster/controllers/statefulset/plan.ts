/**
 * The StatefulSet controller's rules (pkg/controller/statefulset/stateful_set_control.go),
 * compactly and pure: pods `<set>-<ordinal>` with a stable identity (hostname, subdomain, the
 * pod-name and pod-index labels) and claims `<template>-<set>-<ordinal>`; with OrderedReady,
 * created one at a time in order, each waiting for the ones before it to be Running and Ready,
 * and removed from the highest ordinal down; with Parallel, all at once; RollingUpdate replaces
 * pods not at the update revision from the highest ordinal down to the partition, one at a time;
 * status counts replicas, ready, available, current and updated, and the revisions.
 */
import type { StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1.js';
import type { PersistentVolumeClaim, Pod, PodTemplateSpec } from 'kubernetes-types/core/v1.js';
import { isPodAvailable, isPodReady } from '../shared/pod-util.js';
import { newControllerRef } from '../shared/owner.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const REVISION_LABEL = 'controller-revision-hash';

export interface StatefulSetInput {
  readonly set: StatefulSet;
  /** Pods the set controls. */
  readonly pods: readonly Pod[];
  readonly currentRevision: string;
  readonly updateRevision: string;
  /** The template of the current revision (pods below the partition are made from it). */
  readonly currentTemplate?: PodTemplateSpec;
  readonly now: number;
}

export interface StatefulSetPlan {
  /** Pods to create (with their claims), in order. */
  readonly create: { readonly pod: Pod; readonly claims: PersistentVolumeClaim[] }[];
  readonly delete: Pod[];
  readonly status: StatefulSetStatus;
}

const NAME_RE = /^(.*)-(\d+)$/;

/** The ordinal in a pod's name, or -1 (getParentNameAndOrdinal). */
export function ordinalOf(set: StatefulSet, pod: Pod): number {
  const m = NAME_RE.exec(pod.metadata?.name ?? '');
  return m && m[1] === set.metadata?.name ? Number(m[2]) : -1;
}

const isCreated = (p: Pod) => !!p.status?.phase;
const isTerminating = (p: Pod) => !!p.metadata?.deletionTimestamp;
const isRunningAndReady = (p: Pod) => p.status?.phase === 'Running' && isPodReady(p);
const isFailed = (p: Pod) => p.status?.phase === 'Failed';
const isSucceeded = (p: Pod) => p.status?.phase === 'Succeeded';
const isHealthy = (p: Pod) => isRunningAndReady(p) && !isTerminating(p);
const revisionOf = (p: Pod) => p.metadata?.labels?.[REVISION_LABEL];

/** newVersionedStatefulSetPod: identity, storage, revision label. */
export function statefulSetPod(set: StatefulSet, template: PodTemplateSpec, revision: string, ordinal: number): { pod: Pod; claims: PersistentVolumeClaim[] } {
  const name = `${set.metadata!.name}-${ordinal}`;
  const spec = structuredClone(template.spec!);
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  const claims: PersistentVolumeClaim[] = [];
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const claimName = `${t.metadata?.name}-${name}`;
    claims.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: claimName, namespace: set.metadata?.namespace, labels: { ...t.metadata?.labels, ...set.spec?.selector?.matchLabels }, ...(t.metadata?.annotations ? { annotations: t.metadata.annotations } : {}) },
      spec: structuredClone(t.spec ?? {}),
    });
    spec.volumes = [...(spec.volumes ?? []).filter((v) => v.name !== t.metadata?.name), { name: t.metadata!.name!, persistentVolumeClaim: { claimName } }];
  }
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata?.namespace,
      labels: { ...template.metadata?.labels, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [REVISION_LABEL]: revision },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(set, 'apps/v1', 'StatefulSet')],
    },
    spec,
  };
  return { pod, claims };
}

export function planStatefulSet(input: StatefulSetInput): StatefulSetPlan {
  const { set, now } = input;
  const replicaCount = set.spec?.replicas ?? 1;
  const start = set.spec?.ordinals?.start ?? 0;
  const monotonic = (set.spec?.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';
  const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  const minReady = set.spec?.minReadySeconds ?? 0;

  const status: StatefulSetStatus = { replicas: 0, availableReplicas: 0 };
  let ready = 0;
  let current = 0;
  let updated = 0;
  for (const p of input.pods) {
    if (isCreated(p)) status.replicas++;
    if (isRunningAndReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) status.availableReplicas!++;
    }
    if (isCreated(p) && !isTerminating(p)) {
      if (revisionOf(p) === input.currentRevision) current++;
      if (revisionOf(p) === input.updateRevision) updated++;
    }
  }
  if (set.metadata?.generation) status.observedGeneration = set.metadata.generation;
  if (ready) status.readyReplicas = ready;
  if (current) status.currentReplicas = current;
  if (updated) status.updatedReplicas = updated;
  status.currentRevision = input.currentRevision;
  status.updateRevision = input.updateRevision;
  if (set.status?.collisionCount !== undefined) status.collisionCount = set.status.collisionCount;
  if (rolling && (status.updatedReplicas ?? 0) === status.replicas && (status.readyReplicas ?? 0) === status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
    if (!status.currentReplicas) delete status.currentReplicas;
  }

  const byOrdinal = new Map<number, Pod>();
  const condemned: Pod[] = [];
  for (const p of input.pods) {
    const o = ordinalOf(set, p);
    if (o >= start && o < start + replicaCount) byOrdinal.set(o, p);
    else if (o >= 0) condemned.push(p);
  }
  condemned.sort((a, b) => ordinalOf(set, b) - ordinalOf(set, a));

  const create: StatefulSetPlan['create'] = [];
  const del: Pod[] = [];
  const templateFor = (ordinal: number) =>
    rolling && ordinal - start < partition && input.currentTemplate
      ? { template: input.currentTemplate, revision: input.currentRevision }
      : { template: set.spec!.template!, revision: input.updateRevision };
  const done = () => ({ create, delete: del, status });

  for (let o = start; o < start + replicaCount; o++) {
    const p = byOrdinal.get(o);
    if (!p) {
      const { template, revision } = templateFor(o);
      create.push(statefulSetPod(set, template, revision, o));
      if (monotonic) return done();
      continue;
    }
    if (isFailed(p) || isSucceeded(p)) {
      if (!isTerminating(p)) del.push(p);
      if (monotonic) return done();
      continue;
    }
    if (!monotonic) continue;
    if (!isCreated(p) || isTerminating(p) || !isRunningAndReady(p)) return done();
  }
  const allHealthy = [...byOrdinal.values()].every(isHealthy) && byOrdinal.size === replicaCount;
  for (const p of condemned) {
    if (isTerminating(p)) {
      if (monotonic) return done();
      continue;
    }
    if (monotonic && !allHealthy) return done();
    del.push(p);
    if (monotonic) return done();
  }
  if (!rolling || del.length || create.length) return done();
  // Rolling update: highest ordinal first, down to the partition, one at a time.
  for (let o = start + replicaCount - 1; o >= start + partition; o--) {
    const p = byOrdinal.get(o);
    if (!p) continue;
    if (revisionOf(p) !== input.updateRevision && !isTerminating(p)) {
      del.push(p);
      return done();
    }
    if (!isHealthy(p)) return done();
  }
  return done();
}
