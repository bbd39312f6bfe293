/**
 * The one-screen text summary `simulate` prints: peak nodes, how long pods waited (p50, p99),
 * scale-ups, scale-downs and instance-minutes.
 */
import { formatGoDuration } from '../go-format.js';
import type { SimulationReport } from './simulate.js';

/** Nearest-rank percentile of sorted values (`p` in 0…100); undefined when empty. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Whole seconds, Go style (`2m10s`, `0s`). */
export function seconds(ms: number): string {
  return formatGoDuration(Math.round(ms / 1000) * 1000);
}

export function formatSummary(r: SimulationReport, files: { readonly json?: string; readonly svg?: string } = {}): string {
  const s = r.stats;
  const per = r.groups.map((g) => `${g.name} ${s.peakPerGroup[g.name] ?? 0}/${g.max}`).join(', ');
  const p50 = percentile(s.waits, 50);
  const p99 = percentile(s.waits, 99);
  const waited = p50 === undefined ? 'no pod was scheduled' : `p50 ${seconds(p50)}  p99 ${seconds(p99!)}  max ${seconds(s.waits[s.waits.length - 1])}`;
  const lines = [
    `simulated ${seconds(r.duration)} in ${s.iterations} autoscaler iterations (scan interval ${seconds(r.scanInterval)})`,
    `pods          ${s.arrived} arrived, ${s.departed} departed, ${s.neverScheduled} still pending at the end`,
    `peak nodes    ${s.peakNodes} at ${seconds(s.peakAt)} (${per})`,
    `pods waited   ${waited} (${s.waits.length} schedulings)`,
    `scale-ups     ${s.scaleUps} (+${s.nodesAdded} nodes)`,
    `scale-downs   ${s.scaleDowns} (-${s.nodesRemoved} nodes)`,
    `node-minutes  ${s.nodeMinutes.toFixed(1)} (instances, from IncreaseSize to deletion)`,
    `decisions     ${r.decisions.length} recorded`,
  ];
  if (files.json) lines.push(`report        ${files.json}`);
  if (files.svg) lines.push(`plot          ${files.svg}`);
  return lines.join('\n') + '\n';
}
