/**
 * A `RunOnce` result's reasons in words, for the simulator's decision log: the expander's choice,
 * each node group's rejections (counted over pods), the scale-down cooldown, how long the deleted
 * nodes were unneeded, and why the other nodes could not go.
 */
import { formatGoDuration } from '../go-format.js';
import type { AutoscalerOptions } from '../options.js';
import type { RunOnceResult } from '../run-once.js';

const dur = (ms: number) => formatGoDuration(Math.round(ms / 1000) * 1000);

/** The decision's reasons in words, from what the planners returned. */
export function explain(r: RunOnceResult, options: AutoscalerOptions): string[] {
  const out: string[] = [];
  const d = r.decision;
  if (d.kind === 'clusterUnhealthy') out.push('cluster is unhealthy: too many unready nodes');
  if (d.kind === 'waitForYoungPods') out.push('every pending pod is younger than 2s: waiting an iteration');
  const up = r.scaleUp;
  if (up?.option) {
    const o = up.option;
    out.push(`expander ${options.expander.join(',')} chose ${o.group}: ${o.nodeCount} new node(s) for ${o.pods.length} pod(s)`);
  }
  if (up?.error) out.push(up.error);
  if (up) {
    // Per node group, the distinct reasons its pods could not go there.
    const byGroup = new Map<string, Map<string, number>>();
    for (const perGroup of up.rejected.values()) {
      for (const [g, reasons] of perGroup) {
        const m = byGroup.get(g) ?? new Map<string, number>();
        for (const reason of reasons) m.set(reason, (m.get(reason) ?? 0) + 1);
        byGroup.set(g, m);
      }
    }
    for (const [g, m] of [...byGroup].sort(([a], [b]) => (a < b ? -1 : 1))) {
      out.push(`${g} rejected: ${[...m].map(([reason, n]) => `${reason} (${n} pod${n === 1 ? '' : 's'})`).join('; ')}`);
    }
  }
  const plan = d.kind === 'scaleDown' || d.kind === 'noScaleDown' || d.kind === 'waitForYoungPods' ? d.plan : undefined;
  if (plan) {
    if (plan.cooldown) out.push(`scale-down cooldown: ${plan.cooldown}`);
    const since = plan.state.unneededSince;
    for (const e of plan.empty) out.push(`${e.node} is empty, unneeded for ${dur(r.status.time - (since[e.node] ?? r.status.time))}`);
    if (plan.drain) {
      const n = plan.drain;
      out.push(`${n.node} utilization ${n.utilization.toFixed(2)} ≤ ${options.scaleDownUtilizationThreshold}, unneeded for ${dur(r.status.time - (since[n.node] ?? r.status.time))}; its ${n.pods.length} pod(s) fit elsewhere`);
    }
    const counts = new Map<string, number>();
    for (const u of plan.unremovable.values()) if (u.reason !== 'NotUnderutilized') counts.set(u.reason, (counts.get(u.reason) ?? 0) + 1);
    for (const [reason, n] of counts) out.push(`${n} node(s) not removable: ${reason}`);
  }
  return out;
}
