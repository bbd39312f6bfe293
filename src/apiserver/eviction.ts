/**
 * `pods/eviction`: a delete that respects PodDisruptionBudgets, as kube-apiserver's eviction
 * REST does it. The decision ({@link decideEviction}) is a pure function of the pod, the budgets
 * that select it and the clock; {@link evictPod} carries it out against the store — the budget's
 * status is charged first (optimistic concurrency, retried on conflict), then the pod deleted
 * with the Eviction's delete options.
 */
import { badRequest, StatusError } from '../apimachinery/errors.js';
import { labelSelectorFromObject, type LabelSelectorObject } from '../apimachinery/label-selector.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { ResourceType } from '../apimachinery/resource-type.js';
import type { DeleteOptions, Store } from './store.js';

/** Budgets refuse new evictions while this many granted ones are unconfirmed (kube's MaxDisruptedPodSize). */
export const MAX_DISRUPTED_PODS = 2000;

const VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

export type EvictionDecision =
  /** Delete without charging a budget (none applies, or the pod does not count toward one). */
  | { readonly kind: 'delete' }
  /** Write this status to the named budget, then delete. */
  | { readonly kind: 'charge'; readonly budget: KubeObject; readonly status: Record<string, unknown> };

function tooManyRequests(cause: string): StatusError {
  return new StatusError(429, 'TooManyRequests', VIOLATION, { causes: [{ reason: 'DisruptionBudget', message: cause }] });
}

const isReady = (pod: KubeObject): boolean => Boolean((pod.status?.conditions as Array<{ type?: string; status?: string }> | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True'));

/** Whether a policy/v1 budget selects the pod: an empty selector selects the whole namespace, an absent one nothing. */
export function budgetSelectsPod(budget: KubeObject, pod: KubeObject): boolean {
  if (budget.metadata.namespace !== pod.metadata.namespace) return false;
  try {
    return labelSelectorFromObject(budget.spec?.selector as LabelSelectorObject | undefined).matches(pod.metadata.labels ?? {});
  } catch {
    return false;
  }
}

/** What an eviction of `pod` may do, given the budgets that select it; a refusal is thrown as kube words it. */
export function decideEviction(pod: KubeObject, budgets: readonly KubeObject[], now: number): EvictionDecision {
  const phase = pod.status?.phase as string | undefined;
  // Pods that are done, not yet running, or already going do not count toward any budget.
  if (phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || pod.metadata.deletionTimestamp) return { kind: 'delete' };
  if (budgets.length === 0) return { kind: 'delete' };
  if (budgets.length > 1) {
    throw new StatusError(500, 'InternalError', 'Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
  }
  const budget = budgets[0];
  const status = (budget.status ?? {}) as { observedGeneration?: number; disruptionsAllowed?: number; currentHealthy?: number; desiredHealthy?: number; disruptedPods?: Record<string, string> };
  if ((status.observedGeneration ?? 0) < (budget.metadata.generation ?? 0)) {
    throw tooManyRequests(`The disruption budget ${budget.metadata.name} is still being processed by the server.`);
  }
  const allowed = status.disruptionsAllowed ?? 0;
  if (allowed < 0) throw new StatusError(403, 'Forbidden', 'pdb disruptions allowed is negative');
  if (!isReady(pod)) {
    // An unready pod is not counted as healthy: evicting it costs the budget nothing.
    const policy = budget.spec?.unhealthyPodEvictionPolicy as string | undefined;
    if (policy === 'AlwaysAllow' || (status.currentHealthy ?? 0) >= (status.desiredHealthy ?? 0)) return { kind: 'delete' };
  }
  if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) {
    throw new StatusError(403, 'Forbidden', 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  }
  if (allowed === 0) {
    throw tooManyRequests(`The disruption budget ${budget.metadata.name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`);
  }
  const at = new Date(now).toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    kind: 'charge',
    budget,
    status: { ...status, disruptionsAllowed: allowed - 1, disruptedPods: { ...(status.disruptedPods ?? {}), [pod.metadata.name!]: at } },
  };
}

export interface EvictionTypes {
  pods: ResourceType;
  budgets: ResourceType;
}

/** How often a budget charge is retried when another eviction wrote the budget first. */
const CHARGE_ATTEMPTS = 5;

/**
 * Evict `name` as the request body (a policy Eviction) asks: decide, charge the budget, delete
 * the pod. Throws Status errors (404 for a missing pod, 429 when a budget refuses).
 */
export async function evictPod(store: Store, types: EvictionTypes, namespace: string, name: string, eviction: KubeObject, opts: { dryRun?: boolean; now?: () => number } = {}): Promise<void> {
  if (eviction.metadata?.name && eviction.metadata.name !== name) throw badRequest('name in URL does not match name in Eviction object');
  const deleteOptions = (eviction.deleteOptions ?? {}) as { gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string } };
  const now = opts.now ?? Date.now;
  for (let attempt = 1; ; attempt++) {
    const pod = (await store.get(types.pods, namespace, name)).object;
    const budgets = (await store.list(types.budgets, namespace)).items.map((i) => i.object).filter((b) => budgetSelectsPod(b, pod));
    const decision = decideEviction(pod, budgets, now());
    const del: DeleteOptions = { dryRun: opts.dryRun, gracePeriodSeconds: deleteOptions.gracePeriodSeconds, preconditions: deleteOptions.preconditions };
    if (decision.kind === 'charge') {
      const expected = decision.budget.metadata.resourceVersion;
      try {
        await store.update(
          types.budgets,
          namespace,
          decision.budget.metadata.name!,
          (current) => {
            if (!current || current.metadata.resourceVersion !== expected) throw new StatusError(409, 'Conflict', 'the budget changed');
            return { ...current, status: decision.status };
          },
          { subresource: 'status', dryRun: opts.dryRun },
        );
      } catch (e) {
        if (e instanceof StatusError && e.code === 409 && attempt < CHARGE_ATTEMPTS) continue;
        if (e instanceof StatusError && e.code === 409) throw new StatusError(429, 'TooManyRequests', 'Too many requests: please try again later.');
        throw e;
      }
      // The pod we decided on is the pod we delete: a pod recreated or changed meanwhile is not evicted blind.
      del.preconditions = { ...(del.preconditions ?? {}), uid: del.preconditions?.uid ?? pod.metadata.uid };
    }
    await store.delete(types.pods, namespace, name, del);
    return;
  }
}
