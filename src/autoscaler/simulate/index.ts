/**
 * @module autoscaler/simulate
 *
 * The what-if tool behind `flotilla autoscaler simulate --trace workload.yaml`: a trace of pod
 * arrivals and departures ({@link parseTrace}) replayed against simulated scale sets with the real
 * planners deciding ({@link simulate}), reported as JSON (the timeline and every decision with its
 * reasons and events), an SVG plot ({@link renderSvg}) and a one-screen summary ({@link formatSummary}).
 *
 * ```ts
 * const trace = parseTrace(readFileSync('trace.yaml', 'utf8'));
 * const report = simulate(trace, { options: parseOptions([...trace.flags, '--scan-interval=10s']) });
 * writeFileSync('report.svg', renderSvg(report));
 * process.stdout.write(formatSummary(report));
 * ```
 *
 * Tips:
 * - Everything here is pure and deterministic (the trace's `seed` drives the expanders' random choice).
 * - The trace format is documented in examples/autoscaler/README.md.
 */
export { parseTrace, readTrace, TraceError } from './trace.js';
export type { Trace, TraceArrival, TraceDeparture, TraceEvent, TraceScaleSet } from './trace.js';
export { seededRandom, simulate, SIM_EPOCH } from './simulate.js';
export { explain } from './reasons.js';
export type { DecisionRecord, Sample, SimulateOptions, SimulationReport, SimulationStats } from './simulate.js';
export { formatSummary, percentile, seconds } from './summary.js';
export { escapeXml, niceStep, renderSvg } from './svg.js';
