/**
 * Zone disruption (kube's ComputeZoneState and handleDisruption): how fast the node lifecycle
 * controller may add NoExecute taints in each zone, so that a network partition or a dead control
 * plane connection does not evict a whole cluster.
 *
 * - A zone (`topology.kubernetes.io/region` + zone labels) is **FullDisruption** when none of its
 *   nodes is Ready, **PartialDisruption** when more than 2 and at least `unhealthyZoneThreshold`
 *   (55 %) of them are not Ready, else **Normal**.
 * - Rates (tokens per second, burst 1): Normal and FullDisruption `evictionRateQPS` (0.1);
 *   PartialDisruption `secondaryEvictionRateQPS` (0.01) in zones larger than
 *   `largeClusterThreshold` (50 nodes), else 0 (no new NoExecute taints).
 * - When every zone is fully disrupted the controller assumes the fault is its own: it adds no
 *   NoExecute taints and removes those it added.
 */
import type { Node } from 'kubernetes-types/core/v1.js';

export type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

export interface EvictionRateConfig {
  /** `--node-eviction-rate` (0.1). */
  readonly evictionRateQPS: number;
  /** `--secondary-node-eviction-rate` (0.01). */
  readonly secondaryEvictionRateQPS: number;
  /** `--large-cluster-size-threshold` (50). */
  readonly largeClusterThreshold: number;
  /** `--unhealthy-zone-threshold` (0.55). */
  readonly unhealthyZoneThreshold: number;
}

export const DEFAULT_EVICTION_RATES: EvictionRateConfig = {
  evictionRateQPS: 0.1,
  secondaryEvictionRateQPS: 0.01,
  largeClusterThreshold: 50,
  unhealthyZoneThreshold: 0.55,
};

/** kube's GetZoneKey: `region:\0:zone`, or '' when the node has neither label. */
export function zoneOf(node: Node): string {
  const l = node.metadata?.labels ?? {};
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\x00:${zone}`;
}

/** The state of a zone whose nodes' Ready statuses are `ready` (undefined: no Ready condition). */
export function zoneState(ready: readonly (string | undefined)[], unhealthyZoneThreshold = DEFAULT_EVICTION_RATES.unhealthyZoneThreshold): ZoneState {
  const readyNodes = ready.filter((r) => r === 'True').length;
  const notReady = ready.length - readyNodes;
  if (readyNodes === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / ready.length >= unhealthyZoneThreshold) return 'PartialDisruption';
  return 'Normal';
}

export interface ZoneInfo {
  readonly state: ZoneState;
  readonly size: number;
  /** Tokens per second for new NoExecute taints in this zone. */
  readonly rateQPS: number;
}

/** Every zone of `nodes` with its state, size and tainting rate, and whether all are fully disrupted. */
export function zoneStates(nodes: readonly Node[], config: EvictionRateConfig = DEFAULT_EVICTION_RATES): { zones: Map<string, ZoneInfo>; allDisrupted: boolean } {
  const byZone = new Map<string, (string | undefined)[]>();
  for (const n of nodes) {
    const z = zoneOf(n);
    let list = byZone.get(z);
    if (!list) byZone.set(z, (list = []));
    list.push(n.status?.conditions?.find((c) => c.type === 'Ready')?.status);
  }
  const zones = new Map<string, ZoneInfo>();
  for (const [z, ready] of [...byZone].sort(([a], [b]) => a.localeCompare(b))) {
    const state = zoneState(ready, config.unhealthyZoneThreshold);
    zones.set(z, { state, size: ready.length, rateQPS: taintRate(state, ready.length, config) });
  }
  const allDisrupted = zones.size > 0 && [...zones.values()].every((z) => z.state === 'FullDisruption');
  return { zones, allDisrupted };
}

/** Tokens per second for new NoExecute taints in a zone of `size` nodes in `state` (setLimiterInZone). */
export function taintRate(state: ZoneState, size: number, config: EvictionRateConfig = DEFAULT_EVICTION_RATES): number {
  if (state === 'PartialDisruption') return size > config.largeClusterThreshold ? config.secondaryEvictionRateQPS : 0;
  return config.evictionRateQPS;
}
