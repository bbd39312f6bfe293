/**
 * Where instances go and which go first on scale-in, as Azure's default scale-in policy does:
 * a new instance goes to the zone (or, in a regional scale set, the fault domain) with the fewest
 * instances; scale-in takes from the zone with the most, and within it the highest instance id.
 */
import type { ResolvedSpec, ScaleSetInstance } from './scale-set.js';

/** A placement: a zone, or a fault domain for a regional scale set. */
export interface Placement {
  readonly zone?: string;
  readonly faultDomain: number;
}

type Placed = Pick<ScaleSetInstance, 'instanceId' | 'zone' | 'faultDomain'>;

const groupOf = (i: Placed): string => (i.zone !== undefined ? `z:${i.zone}` : `fd:${i.faultDomain}`);

/** The candidate placements of a spec, in preference order for ties. */
function placements(spec: Pick<ResolvedSpec, 'zones' | 'platformFaultDomainCount'>): Placement[] {
  if (spec.zones.length) return spec.zones.map((zone) => ({ zone, faultDomain: 0 }));
  return Array.from({ length: spec.platformFaultDomainCount }, (_, faultDomain) => ({ faultDomain }));
}

/** Where the next instance goes beside `existing`: the least-used placement, the first on ties. */
export function placeNext(spec: Pick<ResolvedSpec, 'zones' | 'platformFaultDomainCount'>, existing: readonly Placed[]): Placement {
  const counts = new Map<string, number>();
  for (const i of existing) counts.set(groupOf(i), (counts.get(groupOf(i)) ?? 0) + 1);
  let best: Placement | undefined;
  let bestCount = Infinity;
  for (const p of placements(spec)) {
    const n = counts.get(groupOf({ instanceId: '', ...p })) ?? 0;
    if (n < bestCount) [best, bestCount] = [p, n];
  }
  return best!;
}

/**
 * The instance to remove next from `instances` (non-empty): from the most populated zone or
 * fault domain, the highest id; between equally populated groups, the one holding the highest id
 * (so a balanced set loses its newest instance).
 */
export function nextToRemove<T extends Placed>(instances: readonly T[]): T {
  const groups = new Map<string, T[]>();
  for (const i of instances) {
    const g = groups.get(groupOf(i));
    if (g) g.push(i);
    else groups.set(groupOf(i), [i]);
  }
  const highest = (g: T[]): T => g.reduce((a, b) => (Number(b.instanceId) > Number(a.instanceId) ? b : a));
  let pick: T | undefined;
  let size = -1;
  for (const g of groups.values()) {
    const h = highest(g);
    if (g.length > size || (g.length === size && Number(h.instanceId) > Number(pick!.instanceId))) [pick, size] = [h, g.length];
  }
  return pick!;
}

/** The zone label value of an instance (spec §4.2): `<location>-<zone>`, or the fault domain. */
export function failureDomain(location: string, p: Placement): string {
  return p.zone !== undefined && p.zone !== '' ? `${location.toLowerCase()}-${p.zone}` : String(p.faultDomain);
}
