/**
 * Status is an output of the build; the shell writes it. This picks the IngressRoutes whose
 * built status differs from the one they carry, so nothing is written that would not change
 * (Contour #854: status writes feeding back into rebuilds).
 */
import { changedKeys } from './cow-map.js';
import type { Dag, ObjectKey, ObjectStatus } from './types.js';

export interface StatusUpdate {
  readonly namespace: string;
  readonly name: string;
  /** The `status` to merge-patch onto the object. */
  readonly status: ObjectStatus;
}

/**
 * The status writes a build calls for, sorted by namespace/name. Given the previous DAG from the
 * same builder, only the IngressRoutes and statuses that may have changed since are looked at,
 * so a one-object edit does not cost a pass over 10,000 objects.
 */
export function statusUpdates(dag: Dag, since?: Dag): StatusUpdate[] {
  let keys: Iterable<ObjectKey> = dag.statuses.keys();
  if (since) {
    const a = changedKeys(since.statuses, dag.statuses);
    const b = changedKeys(since.ingressRoutes, dag.ingressRoutes);
    if (a && b) keys = new Set([...a, ...b]);
  }
  const out: Array<StatusUpdate & { key: ObjectKey }> = [];
  for (const k of keys) {
    const status = dag.statuses.get(k);
    const ir = dag.ingressRoutes.get(k);
    if (!status || !ir) continue;
    const cur = ir.status;
    if (cur?.currentStatus === status.currentStatus && cur?.description === status.description) continue;
    out.push({ key: k, namespace: ir.metadata.namespace ?? 'default', name: ir.metadata.name ?? '', status });
  }
  out.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  return out.map(({ namespace, name, status }) => ({ namespace, name, status }));
}

/** Counts by status, as Contour's `contour_ingressroute_*_total` gauges report them. */
export function statusCounts(dag: Dag): { total: number; roots: number; valid: number; invalid: number; orphaned: number } {
  const c = { total: 0, roots: 0, valid: 0, invalid: 0, orphaned: 0 };
  for (const [k, s] of dag.statuses) {
    c.total++;
    c[s.currentStatus]++;
    if (dag.ingressRoutes.get(k)?.spec?.virtualhost) c.roots++;
  }
  return c;
}
