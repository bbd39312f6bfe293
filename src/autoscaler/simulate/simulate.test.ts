import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOptions } from '../options.js';
import { formatSummary, percentile, readTrace, simulate, type SimulationReport } from './index.js';

const MIN = 60_000;

/** A trace of one or more pools (2 cpu, 8Gi, 1 to `max` nodes, 2m provisioning) and the given events. */
function run(doc: { scaleSets?: unknown[]; events: unknown[]; duration?: string; options?: Record<string, string> }, max = 5): SimulationReport {
  const trace = readTrace({
    duration: doc.duration ?? '60m',
    options: doc.options ?? { 'scale-down-unneeded-time': '5m', 'scale-down-delay-after-add': '5m' },
    scaleSets: doc.scaleSets ?? [{ name: 'pool', sku: { cpu: 2, memory: '8Gi', pods: 30 }, min: 1, max, initial: 1, provisioningDelay: '2m' }],
    events: doc.events,
  });
  return simulate(trace, { options: parseOptions(trace.flags) });
}

const nodesAt = (r: SimulationReport, t: number, group = 'pool') => [...r.timeline].reverse().find((s) => s.t <= t)!.nodes[group];
const maxTarget = (r: SimulationReport, group = 'pool') => Math.max(...r.timeline.map((s) => s.target[group]));
const allEvents = (r: SimulationReport) => r.decisions.flatMap((d) => d.events);

test('simulate: a burst scales up within max, then back down to min after the unneeded time', () => {
  // 6 pods of 900m: two per 2-cpu node, so 3 nodes; the one node there is takes 2.
  const r = run({ events: [{ at: '1m', arrive: 'web', count: 6, requests: { cpu: '900m', memory: '1Gi' } }, { at: '20m', depart: 'web' }] });
  assert.equal(r.stats.peakNodes, 3);
  assert.equal(r.stats.scaleUps, 1);
  assert.equal(r.stats.nodesAdded, 2);
  const up = r.decisions.find((d) => d.kind === 'scaleUp')!;
  assert.deepEqual(up.actions, ['scale up pool 1->3 (max: 5)']);
  // Pods arrive at 1m; at that scan they are younger than 2s, so the next scan (1m10s) scales up.
  assert.equal(up.t, 70_000);
  assert.ok(up.reasons.includes('expander least-waste chose pool: 2 new node(s) for 4 pod(s)'));
  assert.ok(up.events.some((e) => e.reason === 'TriggeredScaleUp' && e.message === 'pod triggered scale-up: [{pool 1->3 (max: 5)}]'));
  assert.equal(nodesAt(r, 70_000 + 2 * MIN), 3, 'the new nodes register after the 2m provisioning delay');
  assert.equal(r.stats.waits.at(-1), 2 * MIN + 10_000, 'the last pods waited one scan plus the provisioning delay');
  assert.equal(r.stats.neverScheduled, 0);

  // All pods leave at 20m: the nodes are unneeded from the next scan and go 5m later, down to min 1.
  const down = r.decisions.filter((d) => d.kind === 'scaleDown');
  assert.ok(down.length > 0);
  assert.ok(down[0].t >= 25 * MIN, `first deletion at ${down[0].t / 1000}s`);
  assert.equal(nodesAt(r, 26 * MIN), 1);
  assert.equal(r.stats.nodesRemoved, 2);
  assert.ok(allEvents(r).some((e) => e.reason === 'ScaleDownEmpty' && /^Scale-down: removing empty node pool-00000[12]$/.test(e.message)));
  assert.equal(r.timeline.at(-1)!.t, 60 * MIN);
});

test('simulate: max size is respected; the pods left over report it', () => {
  // 20 pods of 1.5 cpu want 20 nodes; the group stops at 3.
  const r = run({ events: [{ at: '0s', arrive: 'big', count: 20, requests: { cpu: '1500m' } }] }, 3);
  assert.equal(maxTarget(r), 3);
  assert.equal(r.stats.peakNodes, 3);
  assert.equal(r.stats.neverScheduled, 17);
  assert.ok(allEvents(r).some((e) => e.reason === 'NotTriggerScaleUp' && e.message === "pod didn't trigger scale-up: 1 max node group size reached"));
});

test('simulate: a pod too big for any node never scales anything', () => {
  const r = run({ events: [{ at: '0s', arrive: 'huge', requests: { cpu: '16' } }] });
  assert.equal(r.stats.scaleUps, 0);
  assert.equal(maxTarget(r), 1);
  assert.equal(r.stats.neverScheduled, 1);
  const not = allEvents(r).filter((e) => e.reason === 'NotTriggerScaleUp');
  assert.equal(not[0].message, "pod didn't trigger scale-up: 1 Insufficient cpu");
  assert.equal(not[0].object, 'Pod/default/huge-0');
  // Repeats are reported at most every 5 minutes, as the live loop's event sink does.
  assert.equal(not.length, 12);
  assert.ok(r.decisions[0].reasons.includes('pool rejected: Insufficient cpu (1 pod)'));
});

test('simulate: a nodeSelector scales only the pool it selects, and the other pool says why not', () => {
  const pools = ['a', 'b'].map((name) => ({ name, sku: { cpu: 2, memory: '8Gi' }, max: 4, labels: { tier: name } }));
  const r = run({ scaleSets: pools, events: [{ at: '0s', arrive: 'web', count: 3, requests: { cpu: '1500m' }, nodeSelector: { tier: 'b' } }] });
  assert.equal(maxTarget(r, 'a'), 0);
  assert.equal(maxTarget(r, 'b'), 3);
  const up = r.decisions.find((d) => d.kind === 'scaleUp')!;
  assert.ok(up.reasons.includes("a rejected: node(s) didn't match Pod's node affinity/selector (3 pods)"), up.reasons.join('\n'));
});

test('simulate: lifetimes end pods, and a replay is deterministic', () => {
  const doc = { events: [{ at: '0s', arrive: 'job', count: 4, requests: { cpu: '1500m' }, lifetime: '10m' }] };
  const a = run(doc);
  assert.equal(a.stats.departed, 4);
  assert.equal(a.timeline.at(-1)!.running, 0);
  assert.deepEqual(run(doc), a);
});

test('percentile: nearest rank', () => {
  const cases: Array<[number[], number, number | undefined]> = [
    [[], 50, undefined],
    [[5], 99, 5],
    [[1, 2, 3, 4], 50, 2],
    [[1, 2, 3, 4], 99, 4],
    [Array.from({ length: 100 }, (_, i) => i + 1), 99, 99],
  ];
  for (const [values, p, want] of cases) assert.equal(percentile(values, p), want, `p${p} of ${values.length}`);
});

test('formatSummary: one screen with peak, waits, scale-ups, scale-downs and node-minutes', () => {
  const r = run({ events: [{ at: '1m', arrive: 'web', count: 6, requests: { cpu: '900m' } }, { at: '20m', depart: 'web' }] });
  const text = formatSummary(r, { json: 'out/report.json', svg: 'out/report.svg' });
  assert.match(text, /^peak nodes {4}3 at 3m10s \(pool 3\/5\)$/m);
  assert.match(text, /^pods waited {3}p50 2m10s {2}p99 2m10s {2}max 2m10s \(6 schedulings\)$/m, "2 pods fit at once, 4 waited for the new nodes");
  assert.match(text, /^scale-ups {5}1 \(\+2 nodes\)$/m);
  assert.match(text, /^scale-downs {3}\d+ \(-2 nodes\)$/m);
  assert.match(text, /^node-minutes {2}\d+\.\d /m);
  assert.ok(text.split('\n').length <= 24);
});
