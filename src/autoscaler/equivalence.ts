/**
 * Pod equivalence groups (spec §4.1): pods of one controller with the same spec are simulated once.
 * Pods without a controller are each their own group.
 */
import { controllerRef, podKey } from './pods.js';
import type { Pod } from './types.js';

export interface EquivalenceGroup {
  /** The first pod stands for the group in predicate checks. */
  readonly representative: Pod;
  readonly pods: Pod[];
}

/** The spec as scheduling sees it: without fields set per pod (node name, hostname, service account token volumes). */
function schedulingSpec(pod: Pod): string {
  const { nodeName: _n, hostname: _h, subdomain: _s, ...spec } = pod.spec ?? { containers: [] };
  const volumes = spec.volumes?.filter((v) => !v.name.startsWith('kube-api-access-'));
  return JSON.stringify({ ...spec, volumes });
}

/** Pods with the same key are interchangeable for scheduling. */
export function equivalenceKey(p: Pod): string {
  const owner = controllerRef(p);
  return owner ? `${owner.uid}\0${schedulingSpec(p)}` : `pod\0${podKey(p)}`;
}

export function buildEquivalenceGroups(pods: readonly Pod[]): EquivalenceGroup[] {
  const groups: EquivalenceGroup[] = [];
  const byKey = new Map<string, EquivalenceGroup>();
  for (const p of pods) {
    const key = equivalenceKey(p);
    const g = byKey.get(key);
    if (g) g.pods.push(p);
    else {
      const ng = { representative: p, pods: [p] };
      byKey.set(key, ng);
      groups.push(ng);
    }
  }
  return groups;
}
