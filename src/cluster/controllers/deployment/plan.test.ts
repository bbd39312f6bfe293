/**
 * Table tests for the deployment controller's pure core. Each case names the situation, builds
 * the Deployment and its replica sets with fixture builders, and compares the plan's writes in a
 * compact text form. Comments work out kube's arithmetic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { planDeployment, type DeploymentPlan } from './plan.js';
import { computeHash } from '../shared/hash.js';
import { maxSurge, maxUnavailable, resolveFenceposts } from './util.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const UID = 'd-uid';

function template(image: string) {
  return { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } };
}

interface DeployOpts {
  replicas?: number;
  image?: string;
  maxSurge?: number | string;
  maxUnavailable?: number | string;
  strategy?: 'RollingUpdate' | 'Recreate';
  generation?: number;
  paused?: boolean;
  revisionHistoryLimit?: number;
  status?: Deployment['status'];
  annotations?: Record<string, string>;
}

function deployment(o: DeployOpts = {}): Deployment {
  const strategy =
    o.strategy === 'Recreate'
      ? { type: 'Recreate' }
      : { type: 'RollingUpdate', rollingUpdate: { maxSurge: o.maxSurge ?? '25%', maxUnavailable: o.maxUnavailable ?? '25%' } };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: UID, generation: o.generation ?? 1, annotations: o.annotations },
    spec: {
      replicas: o.replicas ?? 3,
      selector: { matchLabels: { app: 'web' } },
      template: template(o.image ?? 'nginx:1.25'),
      strategy,
      revisionHistoryLimit: o.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: 600,
      paused: o.paused,
    },
    status: o.status ?? {},
  };
}

interface RSOpts {
  image: string;
  revision: number;
  replicas: number;
  /** status.replicas (default: replicas) */
  current?: number;
  available?: number;
  ageSeconds?: number;
  desired?: number;
  max?: number;
  name?: string;
}

function replicaSet(o: RSOpts): ReplicaSet {
  const t = template(o.image);
  const hash = computeHash(t);
  const name = o.name ?? `web-${hash}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'default',
      uid: `${name}-uid`,
      generation: 1,
      creationTimestamp: iso(NOW - (o.ageSeconds ?? 100) * 1000),
      labels: { app: 'web', 'pod-template-hash': hash },
      annotations: {
        'deployment.kubernetes.io/revision': String(o.revision),
        ...(o.desired !== undefined ? { 'deployment.kubernetes.io/desired-replicas': String(o.desired) } : {}),
        ...(o.max !== undefined ? { 'deployment.kubernetes.io/max-replicas': String(o.max) } : {}),
      },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: UID, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: { app: 'web', 'pod-template-hash': hash } },
      template: { ...t, metadata: { labels: { ...t.metadata.labels, 'pod-template-hash': hash } } },
    },
    status: { replicas: o.current ?? o.replicas, readyReplicas: o.available ?? 0, availableReplicas: o.available ?? 0, observedGeneration: 1 },
  };
}

/** The plan as lines: one per write, names with their hash replaced by the image tag. */
function summarize(plan: DeploymentPlan, names: Record<string, string> = {}): string[] {
  const n = (s: string) => names[s] ?? s;
  const msg = (m: string) => Object.entries(names).reduce((acc, [k, v]) => acc.split(k).join(v), m);
  return plan.actions.map((a) => {
    switch (a.type) {
      case 'createReplicaSet':
      case 'updateReplicaSet': {
        const ann = a.replicaSet.metadata?.annotations ?? {};
        const verb = a.type === 'createReplicaSet' ? 'create' : 'update';
        const extra = ann['deployment.kubernetes.io/revision-history'] ? ` history=${ann['deployment.kubernetes.io/revision-history']}` : '';
        const event = a.event ? ` [${msg(a.event.message)}]` : '';
        return `${verb} ${n(a.replicaSet.metadata!.name!)} replicas=${a.replicaSet.spec!.replicas} rev=${ann['deployment.kubernetes.io/revision']} desired=${ann['deployment.kubernetes.io/desired-replicas']} max=${ann['deployment.kubernetes.io/max-replicas']}${extra}${event}`;
      }
      case 'deleteReplicaSet':
        return `delete ${n(a.name)}`;
      case 'updateDeploymentAnnotations':
        return `annotate revision=${a.annotations['deployment.kubernetes.io/revision']}`;
      case 'updateDeploymentStatus': {
        const s = a.status;
        const conds = (s.conditions ?? []).map((c) => `${c.type}=${c.status}/${c.reason}`).join(',');
        return `status gen=${s.observedGeneration ?? 0} replicas=${s.replicas ?? 0} updated=${s.updatedReplicas ?? 0} ready=${s.readyReplicas ?? 0} available=${s.availableReplicas ?? 0} unavailable=${s.unavailableReplicas ?? 0} ${conds}`;
      }
      case 'event':
        return `event ${a.event.reason}`;
    }
  });
}

function progressing(reason: string) {
  return { type: 'Progressing', status: 'True', reason, message: 'm', lastUpdateTime: iso(NOW - 10_000), lastTransitionTime: iso(NOW - 10_000) };
}

const A = 'nginx:1.25';
const B = 'nginx:1.26';
const C = 'nginx:1.27';
const nameOf = (image: string) => `web-${computeHash(template(image))}`;
const NAMES = { [nameOf(A)]: 'web-A', [nameOf(B)]: 'web-B', [nameOf(C)]: 'web-C' };

interface Case {
  deployment: Deployment;
  replicaSets?: ReplicaSet[];
  pods?: Pod[];
  want: string[];
  requeue?: number;
}

const cases: Record<string, Case> = {
  'a new Deployment creates its first replica set at full size': {
    // maxSurge 25% of 3 rounds up to 1, so up to 4 pods: the new RS may have min(4 - 0, 3 - 0) = 3.
    // Available: 0 < 3 - floor(0.75) = 3 → MinimumReplicasUnavailable.
    deployment: deployment(),
    want: [
      'create web-A replicas=3 rev=1 desired=3 max=4 [Scaled up replica set web-A from 0 to 3]',
      'annotate revision=1',
      'status gen=1 replicas=0 updated=0 ready=0 available=0 unavailable=3 Progressing=True/NewReplicaSetCreated,Available=False/MinimumReplicasUnavailable',
    ],
    requeue: 601_000,
  },
  'a rolling update surges one and takes one old pod down (maxSurge 1, maxUnavailable 1)': {
    // 4 replicas: at most 4 + 1 = 5 pods, at least 4 - 1 = 3 available.
    // New RS: min(5 - 4, 4 - 0) = 1. Old: all pods 5 - min available 3 - new unavailable 1 = 1 may go;
    // 4 available > 3, so scale the old RS down by 4 - 3 = 1.
    deployment: deployment({ replicas: 4, image: B, maxSurge: 1, maxUnavailable: 1, generation: 2, annotations: { 'deployment.kubernetes.io/revision': '1' }, status: { observedGeneration: 1, replicas: 4, updatedReplicas: 4, readyReplicas: 4, availableReplicas: 4 } }),
    replicaSets: [replicaSet({ image: A, revision: 1, replicas: 4, available: 4, desired: 4, max: 5 })],
    want: [
      'create web-B replicas=1 rev=2 desired=4 max=5 [Scaled up replica set web-B from 0 to 1]',
      'update web-A replicas=3 rev=1 desired=4 max=5 [Scaled down replica set web-A from 4 to 3]',
      'annotate revision=2',
      // unavailable: spec replicas 3 + 1 − available 4 = 0; nothing progressed yet (same counts as before).
      'status gen=2 replicas=4 updated=0 ready=4 available=4 unavailable=0 Progressing=True/NewReplicaSetCreated,Available=True/MinimumReplicasAvailable',
    ],
    requeue: 601_000,
  },
  'mid-rollout, nothing may move until new pods become available (maxUnavailable 0)': {
    // 3 replicas, maxSurge 1, maxUnavailable 0: new RS at 1 (not available), old at 3: 4 pods = max.
    // Old may lose 4 - 3 - 1 = 0 → nothing to do; status only.
    deployment: deployment({ image: B, maxSurge: 1, maxUnavailable: 0, generation: 2, annotations: { 'deployment.kubernetes.io/revision': '2' }, status: { observedGeneration: 2, replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: iso(NOW - 10_000), lastTransitionTime: iso(NOW - 10_000) }, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'x', lastUpdateTime: iso(NOW - 10_000), lastTransitionTime: iso(NOW - 10_000) }] } }),
    replicaSets: [
      replicaSet({ image: A, revision: 1, replicas: 3, available: 3, desired: 3, max: 4, ageSeconds: 100 }),
      replicaSet({ image: B, revision: 2, replicas: 1, available: 0, desired: 3, max: 4, ageSeconds: 10 }),
    ],
    want: [],
    // The Progressing condition was updated 10 s ago: look again after 600 - 10 s (+1 s).
    requeue: 591_000,
  },
  'once a new pod is available, an old one goes (maxUnavailable 0)': {
    // New RS 1 available; old 3: all 4 - min 3 - new unavailable 0 = 1; available 4 > 3 → old down by 1.
    deployment: deployment({ image: B, maxSurge: 1, maxUnavailable: 0, generation: 2, annotations: { 'deployment.kubernetes.io/revision': '2' } }),
    replicaSets: [
      replicaSet({ image: A, revision: 1, replicas: 3, available: 3, desired: 3, max: 4, ageSeconds: 100 }),
      replicaSet({ image: B, revision: 2, replicas: 1, available: 1, desired: 3, max: 4, ageSeconds: 10 }),
    ],
    want: [
      'update web-A replicas=2 rev=1 desired=3 max=4 [Scaled down replica set web-A from 3 to 2]',
      'status gen=2 replicas=4 updated=1 ready=4 available=4 unavailable=0 Available=True/MinimumReplicasAvailable,Progressing=True/ReplicaSetUpdated',
    ],
    requeue: 601_000,
  },
  'unhealthy old replicas are scaled down first': {
    // 4 replicas, 25%/25%: surge 1, unavailable 1. Old RS B (rev 2) has 2 replicas, none available;
    // old A has 2 available; new C has 1 of 1 available. The new RS may not grow: 2 + 2 + 1 = 5 pods
    // is the maximum. All 5 − min 3 − new unavailable 0 = 2 may go: the unhealthy cleanup skips A
    // (oldest, none unhealthy) and takes B: min(2, 2 − 0) = 2 → B to 0. Then available 3 ≤ 3: stop.
    deployment: deployment({ replicas: 4, image: C, generation: 3, annotations: { 'deployment.kubernetes.io/revision': '3' } }),
    replicaSets: [
      replicaSet({ image: A, revision: 1, replicas: 2, available: 2, desired: 4, max: 5, ageSeconds: 300 }),
      replicaSet({ image: B, revision: 2, replicas: 2, available: 0, desired: 4, max: 5, ageSeconds: 200 }),
      replicaSet({ image: C, revision: 3, replicas: 1, available: 1, desired: 4, max: 5, ageSeconds: 10 }),
    ],
    want: [
      'update web-B replicas=0 rev=2 desired=4 max=5 [Scaled down replica set web-B from 2 to 0]',
      'status gen=3 replicas=5 updated=1 ready=3 available=3 unavailable=0 Available=True/MinimumReplicasAvailable,Progressing=True/ReplicaSetUpdated',
    ],
  },
  'rollback: the old replica set becomes new again with the next revision': {
    // kubectl rollout undo copied revision 1's template back. RS A is found as the new RS; old max
    // revision is 2, so A gets revision 3 and keeps "1" in revision-history. Then, in the same sync,
    // it scales up: min(3 + 1 - 3, 3 - 0) = 1, and the Deployment's revision follows.
    deployment: deployment({ image: A, generation: 3, annotations: { 'deployment.kubernetes.io/revision': '2' }, status: { observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, conditions: [progressing('NewReplicaSetAvailable')] } }),
    replicaSets: [
      replicaSet({ image: A, revision: 1, replicas: 0, available: 0, desired: 3, max: 4, ageSeconds: 300 }),
      replicaSet({ image: B, revision: 2, replicas: 3, available: 3, desired: 3, max: 4, ageSeconds: 200 }),
    ],
    want: [
      'update web-A replicas=0 rev=3 desired=3 max=4 history=1',
      'update web-A replicas=1 rev=3 desired=3 max=4 history=1 [Scaled up replica set web-A from 0 to 1]',
      'annotate revision=3',
      // Nothing progressed yet (updated 0, old 3, as before): Progressing keeps its reason.
      'status gen=3 replicas=3 updated=0 ready=3 available=3 unavailable=1 Progressing=True/NewReplicaSetAvailable,Available=True/MinimumReplicasAvailable',
    ],
  },
  'after a rollback the Deployment takes the new revision': {
    deployment: deployment({ image: A, generation: 3, annotations: { 'deployment.kubernetes.io/revision': '2' }, status: { observedGeneration: 3, replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1 } }),
    replicaSets: [
      replicaSet({ image: A, revision: 3, replicas: 1, available: 0, desired: 3, max: 4, ageSeconds: 300 }),
      replicaSet({ image: B, revision: 2, replicas: 3, available: 3, desired: 3, max: 4, ageSeconds: 200 }),
    ],
    want: [
      'annotate revision=3',
      'status gen=3 replicas=4 updated=1 ready=3 available=3 unavailable=1 Progressing=True/FoundNewReplicaSet,Available=True/MinimumReplicasAvailable',
    ],
    requeue: 601_000,
  },
  'a paused Deployment does not roll out a new template': {
    deployment: deployment({ image: B, paused: true, generation: 2, annotations: { 'deployment.kubernetes.io/revision': '1' } }),
    replicaSets: [replicaSet({ image: A, revision: 1, replicas: 3, available: 3, desired: 3, max: 4 })],
    want: ['status gen=2 replicas=3 updated=0 ready=3 available=3 unavailable=0 Progressing=Unknown/DeploymentPaused,Available=True/MinimumReplicasAvailable'],
  },
  'resuming marks the condition DeploymentResumed and rolls out': {
    deployment: deployment({ image: B, generation: 2, annotations: { 'deployment.kubernetes.io/revision': '1' }, status: { observedGeneration: 2, replicas: 3, readyReplicas: 3, availableReplicas: 3, conditions: [{ type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused', message: 'Deployment is paused', lastUpdateTime: iso(NOW - 5000), lastTransitionTime: iso(NOW - 5000) }] } }),
    replicaSets: [replicaSet({ image: A, revision: 1, replicas: 3, available: 3, desired: 3, max: 4 })],
    // Resumed (Unknown → Unknown keeps lastTransitionTime), then the new RS is created with
    // min(4 - 3, 3) = 1 and the Progressing condition becomes NewReplicaSetCreated.
    want: [
      'create web-B replicas=1 rev=2 desired=3 max=4 [Scaled up replica set web-B from 0 to 1]',
      'annotate revision=2',
      'status gen=2 replicas=3 updated=0 ready=3 available=3 unavailable=1 Progressing=True/NewReplicaSetCreated,Available=True/MinimumReplicasAvailable',
    ],
    requeue: 601_000,
  },
  'kubectl scale: the only active replica set follows spec.replicas': {
    deployment: deployment({ replicas: 5, generation: 2, annotations: { 'deployment.kubernetes.io/revision': '1' }, status: { conditions: [progressing('NewReplicaSetAvailable')] } }),
    replicaSets: [replicaSet({ image: A, revision: 1, replicas: 3, available: 3, desired: 3, max: 4 })],
    // maxSurge of 5 is ceil(1.25) = 2, so max-replicas becomes 7. A scaling event takes sync(), which
    // writes no Progressing condition; available 3 < 5 − floor(1.25) = 4 → MinimumReplicasUnavailable.
    want: [
      'update web-A replicas=5 rev=1 desired=5 max=7 [Scaled up replica set web-A from 3 to 5]',
      'status gen=2 replicas=3 updated=3 ready=3 available=3 unavailable=2 Progressing=True/NewReplicaSetAvailable,Available=False/MinimumReplicasUnavailable',
    ],
  },
  'scaling mid-rollout splits the new replicas proportionally': {
    // Was 10 (maxSurge 3 → 13 pods: new 7, old 6); now 20 → 23 allowed, 10 to add.
    // Larger first (new 7): round(7 × 23 / 13) − 7 = round(12.38) − 7 = 5 → 12.
    // Old 6: round(6 × 23 / 13) − 6 = round(10.62) − 6 = 5; min(5, 10 − 5) = 5 → 11. Leftover 0.
    deployment: deployment({ replicas: 20, image: B, maxSurge: 3, maxUnavailable: 0, generation: 3, annotations: { 'deployment.kubernetes.io/revision': '2' }, status: { replicas: 13, conditions: [progressing('ReplicaSetUpdated')] } }),
    replicaSets: [
      replicaSet({ image: A, revision: 1, replicas: 6, available: 6, desired: 10, max: 13, ageSeconds: 100 }),
      replicaSet({ image: B, revision: 2, replicas: 7, available: 4, desired: 10, max: 13, ageSeconds: 10 }),
    ],
    want: [
      'update web-B replicas=12 rev=2 desired=20 max=23 [Scaled up replica set web-B from 7 to 12]',
      'update web-A replicas=11 rev=1 desired=20 max=23 [Scaled up replica set web-A from 6 to 11]',
      'status gen=3 replicas=13 updated=7 ready=10 available=10 unavailable=13 Progressing=True/ReplicaSetUpdated,Available=False/MinimumReplicasUnavailable',
    ],
  },
  'a finished rollout reports NewReplicaSetAvailable and prunes history beyond the limit': {
    // revisionHistoryLimit 1: three old replica sets at 0, so the two lowest revisions go.
    deployment: deployment({ image: C, revisionHistoryLimit: 1, generation: 4, annotations: { 'deployment.kubernetes.io/revision': '4' }, status: { observedGeneration: 4, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 } }),
    replicaSets: [
      replicaSet({ image: 'nginx:1.0', revision: 1, replicas: 0, desired: 3, max: 4, ageSeconds: 400, name: 'web-one' }),
      replicaSet({ image: A, revision: 2, replicas: 0, desired: 3, max: 4, ageSeconds: 300 }),
      replicaSet({ image: B, revision: 3, replicas: 0, desired: 3, max: 4, ageSeconds: 200 }),
      replicaSet({ image: C, revision: 4, replicas: 3, available: 3, desired: 3, max: 4, ageSeconds: 100 }),
    ],
    want: [
      'delete web-one',
      'delete web-A',
      'status gen=4 replicas=3 updated=3 ready=3 available=3 unavailable=0 Available=True/MinimumReplicasAvailable,Progressing=True/NewReplicaSetAvailable',
    ],
  },
  'no progress for longer than progressDeadlineSeconds: ProgressDeadlineExceeded': {
    deployment: deployment({ image: B, generation: 2, annotations: { 'deployment.kubernetes.io/revision': '2' }, maxSurge: 1, maxUnavailable: 0, status: { observedGeneration: 2, replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: iso(NOW - 700_000), lastTransitionTime: iso(NOW - 700_000) }, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'x', lastUpdateTime: iso(NOW - 700_000), lastTransitionTime: iso(NOW - 700_000) }] } }),
    replicaSets: [
      replicaSet({ image: A, revision: 1, replicas: 3, available: 3, desired: 3, max: 4, ageSeconds: 800 }),
      replicaSet({ image: B, revision: 2, replicas: 1, available: 0, desired: 3, max: 4, ageSeconds: 700 }),
    ],
    want: ['status gen=2 replicas=4 updated=1 ready=3 available=3 unavailable=1 Available=True/MinimumReplicasAvailable,Progressing=False/ProgressDeadlineExceeded'],
  },
  'Recreate: old replica sets go to zero before anything new is created': {
    deployment: deployment({ strategy: 'Recreate', image: B, generation: 2, annotations: { 'deployment.kubernetes.io/revision': '1' }, status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 } }),
    replicaSets: [replicaSet({ image: A, revision: 1, replicas: 3, available: 3, desired: 3, max: 3 })],
    want: [
      'update web-A replicas=0 rev=1 desired=3 max=3 [Scaled down replica set web-A from 3 to 0]',
      'status gen=2 replicas=3 updated=0 ready=3 available=3 unavailable=0 Available=True/MinimumReplicasAvailable',
    ],
  },
  'Recreate: waits while old pods are still running': {
    deployment: deployment({ strategy: 'Recreate', image: B, generation: 2, annotations: { 'deployment.kubernetes.io/revision': '1' } }),
    replicaSets: [replicaSet({ image: A, revision: 1, replicas: 0, current: 0, desired: 3, max: 3 })],
    pods: [{ metadata: { name: 'web-A-x', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: nameOf(A), uid: `${nameOf(A)}-uid`, controller: true }] }, status: { phase: 'Running' } }],
    want: ['status gen=2 replicas=0 updated=0 ready=0 available=0 unavailable=0 Available=False/MinimumReplicasUnavailable'],
  },
  'Recreate: once old pods are gone the new replica set is created at full size': {
    deployment: deployment({ strategy: 'Recreate', image: B, generation: 2, annotations: { 'deployment.kubernetes.io/revision': '1' } }),
    replicaSets: [replicaSet({ image: A, revision: 1, replicas: 0, current: 0, desired: 3, max: 3 })],
    pods: [],
    want: [
      'create web-B replicas=3 rev=2 desired=3 max=3 [Scaled up replica set web-B from 0 to 3]',
      'annotate revision=2',
      'status gen=2 replicas=0 updated=0 ready=0 available=0 unavailable=3 Progressing=True/NewReplicaSetCreated,Available=False/MinimumReplicasUnavailable',
    ],
    requeue: 601_000,
  },
  'an empty selector selects nothing and is reported': {
    deployment: { ...deployment(), spec: { ...deployment().spec!, selector: {} } },
    want: ['event SelectingAll', 'status gen=1 replicas=0 updated=0 ready=0 available=0 unavailable=0 '],
  },
  'a settled Deployment needs no writes': {
    deployment: deployment({ generation: 1, annotations: { 'deployment.kubernetes.io/revision': '1' }, status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, conditions: [{ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: iso(NOW - 1000), lastTransitionTime: iso(NOW - 1000) }, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${nameOf(A)}" has successfully progressed.`, lastUpdateTime: iso(NOW - 1000), lastTransitionTime: iso(NOW - 1000) }] } }),
    replicaSets: [replicaSet({ image: A, revision: 1, replicas: 3, available: 3, desired: 3, max: 4 })],
    want: [],
  },
};

for (const [name, c] of Object.entries(cases)) {
  test(`planDeployment: ${name}`, () => {
    const plan = planDeployment({ deployment: c.deployment, replicaSets: c.replicaSets ?? [], pods: c.pods, now: NOW });
    assert.deepEqual(summarize(plan, NAMES), c.want);
    if ('requeue' in c) assert.equal(plan.requeueAfterMs, c.requeue);
  });
}

test('planDeployment: a stale old replica set status (more available than replicas) never scales it up', () => {
  // Old A: spec 1, but its status still reports 2 available. cleanupUnhealthyReplicas would compute
  // min(2, 1 − 2) = −1 → 1 − (−1) = 2: kube refuses with an error rather than scale up.
  const d = deployment({ replicas: 5, image: B, generation: 2, annotations: { 'deployment.kubernetes.io/revision': '2' } });
  const rss = [
    replicaSet({ image: A, revision: 1, replicas: 1, current: 2, available: 2, desired: 5, max: 7, ageSeconds: 100 }),
    replicaSet({ image: B, revision: 2, replicas: 5, available: 5, desired: 5, max: 7, ageSeconds: 10 }),
  ];
  assert.throws(() => planDeployment({ deployment: d, replicaSets: rss, now: NOW }), /invalid request to scale down default\/web-\w+ 1 -> 2/);
});

test('planDeployment: the new replica set carries the hash in its name, labels, selector and template', () => {
  const plan = planDeployment({ deployment: deployment(), replicaSets: [], now: NOW });
  const create = plan.actions[0];
  assert.equal(create.type, 'createReplicaSet');
  if (create.type !== 'createReplicaSet') return;
  const rs = create.replicaSet;
  const hash = computeHash(template(A));
  assert.match(rs.metadata!.name!, /^web-[456789bcdf]{1,10}$/);
  assert.equal(rs.metadata!.name, `web-${hash}`);
  assert.deepEqual(rs.metadata!.labels, { app: 'web', 'pod-template-hash': hash });
  assert.deepEqual(rs.spec!.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
  assert.deepEqual(rs.spec!.template!.metadata!.labels, { app: 'web', 'pod-template-hash': hash });
  assert.deepEqual(rs.metadata!.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: UID, controller: true, blockOwnerDeletion: true }]);
});

test('planDeployment: a collisionCount changes the hash, and so the name', () => {
  const plan = planDeployment({ deployment: deployment({ status: { collisionCount: 1 } }), replicaSets: [], now: NOW });
  const create = plan.actions[0];
  assert.ok(create.type === 'createReplicaSet' && create.replicaSet.metadata!.name === `web-${computeHash(template(A), 1)}`);
});

test('fenceposts: surge rounds up, unavailable rounds down, both zero means one unavailable', () => {
  // 10 × 25% = 2.5: surge ceil → 3, unavailable floor → 2.
  assert.deepEqual(resolveFenceposts('25%', '25%', 10), { surge: 3, unavailable: 2 });
  // 3 × 25% = 0.75: surge 1, unavailable 0.
  assert.deepEqual(resolveFenceposts('25%', '25%', 3), { surge: 1, unavailable: 0 });
  assert.deepEqual(resolveFenceposts(0, 0, 5), { surge: 0, unavailable: 1 });
  assert.deepEqual(resolveFenceposts(2, '50%', 5), { surge: 2, unavailable: 2 });
  // maxUnavailable never exceeds replicas; Recreate has neither.
  assert.equal(maxUnavailable(deployment({ replicas: 2, maxUnavailable: 5, maxSurge: 0 })), 2);
  assert.equal(maxSurge(deployment({ strategy: 'Recreate' })), 0);
  assert.throws(() => resolveFenceposts('abc', 1, 3), /not a percentage/);
});
