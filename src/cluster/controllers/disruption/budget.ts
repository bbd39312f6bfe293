/**
 * The disruption controller's rules (kube-controller-manager's `disruption` controller): from a
 * PodDisruptionBudget, the pods its selector picks and the scale of their controllers, the
 * status the Eviction API decides by — expectedPods, desiredHealthy, currentHealthy,
 * disruptionsAllowed, the `DisruptionAllowed` condition, and `disruptedPods` (evictions already
 * granted but not yet seen, which count as unhealthy for two minutes).
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1.js';
import type { Condition } from 'kubernetes-types/meta/v1.js';
import { scaledValue } from '../shared/int-or-percent.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../../../apimachinery/label-selector.js';
import { isPodReady, rfc3339, timeOf } from '../shared/pod-util.js';

/** How long a granted eviction counts against the budget before the pod must be seen going (kube's DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

/** A pod's controller and how many replicas it wants, or undefined when the pod has none we can scale. */
export interface ControllerScale {
  readonly uid: string;
  readonly replicas: number;
}

export interface BudgetInput {
  readonly pdb: PodDisruptionBudget;
  /** The pods of the PDB's namespace that its selector matches. */
  readonly pods: readonly Pod[];
  readonly scaleOf: (pod: Pod) => ControllerScale | undefined;
  readonly now: number;
}

export interface BudgetResult {
  readonly status: PodDisruptionBudgetStatus;
  /** When the oldest still-counted disrupted pod expires (so the budget frees up). */
  readonly requeueAfterMs?: number;
}

/** The pods' controllers' total scale, or an error naming the first pod without one (kube's wording). */
function expectedScale(pods: readonly Pod[], scaleOf: BudgetInput['scaleOf']): number | Error {
  const seen = new Map<string, number>();
  for (const pod of pods) {
    const scale = scaleOf(pod);
    if (!scale) return new Error(`found no controllers for pod "${pod.metadata?.name}"`);
    seen.set(scale.uid, scale.replicas);
  }
  let total = 0;
  for (const n of seen.values()) total += n;
  return total;
}

function condition(current: readonly Condition[] | undefined, generation: number | undefined, status: 'True' | 'False', reason: string, message: string, now: number): Condition[] {
  const was = current?.find((c) => c.type === 'DisruptionAllowed');
  const lastTransitionTime = was && was.status === status ? was.lastTransitionTime : rfc3339(now);
  return [{ type: 'DisruptionAllowed', status, reason, message, observedGeneration: generation, lastTransitionTime }];
}

export function budgetStatus(input: BudgetInput): BudgetResult {
  const { pdb, pods, now } = input;
  const spec = pdb.spec ?? {};
  const generation = pdb.metadata?.generation;
  const current = pdb.status;

  // Granted evictions count as disrupted until the pod is seen going, or two minutes pass.
  const disruptedPods: Record<string, string> = {};
  let nextExpiry = Infinity;
  const byName = new Map(pods.map((p) => [p.metadata?.name ?? '', p]));
  for (const [name, at] of Object.entries(current?.disruptedPods ?? {})) {
    const t = timeOf(at);
    const pod = byName.get(name);
    if (t === undefined || !pod || pod.metadata?.deletionTimestamp) continue;
    const expires = t + DELETION_TIMEOUT_MS;
    if (expires <= now) continue;
    disruptedPods[name] = at;
    nextExpiry = Math.min(nextExpiry, expires);
  }

  let expectedPods: number;
  let desiredHealthy: number;
  let failure: string | undefined;
  const usesScale = spec.maxUnavailable !== undefined || typeof spec.minAvailable === 'string';
  if (usesScale) {
    const scale = expectedScale(pods, input.scaleOf);
    if (scale instanceof Error) {
      failure = scale.message;
      expectedPods = 0;
      desiredHealthy = 0;
    } else {
      expectedPods = scale;
      try {
        desiredHealthy =
          spec.maxUnavailable !== undefined
            ? Math.max(0, expectedPods - scaledValue(spec.maxUnavailable, expectedPods, true))
            : scaledValue(spec.minAvailable, expectedPods, true);
      } catch (e) {
        failure = (e as Error).message;
        desiredHealthy = 0;
      }
    }
  } else {
    expectedPods = pods.length;
    desiredHealthy = typeof spec.minAvailable === 'number' ? spec.minAvailable : 0;
  }

  const currentHealthy = pods.filter((p) => !p.metadata?.deletionTimestamp && !(p.metadata?.name! in disruptedPods) && isPodReady(p)).length;
  const disruptionsAllowed = failure ? 0 : Math.max(0, currentHealthy - desiredHealthy);
  const conditions = failure
    ? condition(current?.conditions, generation, 'False', 'SyncFailed', failure, now)
    : disruptionsAllowed > 0
      ? condition(current?.conditions, generation, 'True', 'SufficientPods', '', now)
      : condition(current?.conditions, generation, 'False', 'InsufficientPods', '', now);
  const status: PodDisruptionBudgetStatus = {
    observedGeneration: generation,
    ...(Object.keys(disruptedPods).length ? { disruptedPods } : {}),
    disruptionsAllowed,
    currentHealthy,
    desiredHealthy,
    expectedPods,
    conditions,
  };
  return { status, ...(Number.isFinite(nextExpiry) ? { requeueAfterMs: Math.max(1, nextExpiry - now) } : {}) };
}

/** Whether a policy/v1 budget selects the pod: an empty selector selects every pod of the namespace, an absent one none. */
export function budgetSelects(pdb: PodDisruptionBudget, pod: Pod): boolean {
  if (pod.metadata?.namespace !== pdb.metadata?.namespace) return false;
  try {
    return labelSelectorFromObject(pdb.spec?.selector as LabelSelectorObject | undefined).matches(pod.metadata?.labels ?? {});
  } catch {
    return false;
  }
}
