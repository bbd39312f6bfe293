import assert from 'node:assert/strict';
import { test } from 'node:test';
import { niceStep, renderSvg, type SimulationReport } from './index.js';

/** Every tag closed in order, attributes quoted, no stray `<` or `&` in text: well-formed for our subset of XML. */
function assertWellFormed(xml: string): void {
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/y;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    assert.ok(!/&(?!(amp|lt|gt|quot|apos);)/.test(text), `a raw & in text near ${JSON.stringify(text.slice(0, 40))}`);
    if (lt < 0) break;
    tag.lastIndex = lt;
    const m = tag.exec(xml);
    assert.ok(m, `malformed tag at ${lt}: ${JSON.stringify(xml.slice(lt, lt + 60))}`);
    const [, close, name, attrs, selfClose] = m;
    assert.ok(!/&(?!(amp|lt|gt|quot|apos);)/.test(attrs), `a raw & in the attributes of <${name}>`);
    if (close) assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else if (!selfClose) stack.push(name);
    i = tag.lastIndex;
  }
  assert.deepEqual(stack, [], 'unclosed elements');
}

const report: SimulationReport = {
  duration: 30 * 60_000,
  scanInterval: 10_000,
  groups: [
    { name: 'general', min: 1, max: 4, cpu: '4', memory: '16Gi', pods: 30 },
    { name: 'gpu<&>', min: 0, max: 2, cpu: '6', memory: '56Gi', pods: 30 },
  ],
  timeline: [
    { t: 0, nodes: { general: 1, 'gpu<&>': 0 }, target: { general: 1, 'gpu<&>': 0 }, pending: 0, running: 2, cpu: 0.5, memory: 0.25 },
    { t: 60_000, nodes: { general: 1, 'gpu<&>': 0 }, target: { general: 3, 'gpu<&>': 0 }, pending: 6, running: 2, cpu: 0.5, memory: 0.25 },
    { t: 180_000, nodes: { general: 3, 'gpu<&>': 0 }, target: { general: 3, 'gpu<&>': 0 }, pending: 0, running: 8, cpu: 0.9, memory: 0.4 },
    { t: 30 * 60_000, nodes: { general: 1, 'gpu<&>': 0 }, target: { general: 1, 'gpu<&>': 0 }, pending: 0, running: 2, cpu: 0.5, memory: 0.25 },
  ],
  decisions: [
    { t: 60_000, kind: 'scaleUp', actions: ['scale up general 1->3 (max: 4)'], reasons: [], events: [] },
    { t: 20 * 60_000, kind: 'scaleDown', actions: ['delete empty node general-000001 (general)'], reasons: [], events: [] },
    { t: 25 * 60_000, kind: 'noScaleDown', actions: [], reasons: [], events: [{ object: 'Pod/default/x', type: 'Normal', reason: 'NotTriggerScaleUp', message: "pod didn't trigger scale-up: 1 Insufficient cpu" }] },
  ],
  stats: { peakNodes: 3, peakAt: 180_000, peakPerGroup: {}, waits: [], neverScheduled: 0, arrived: 8, departed: 6, scaleUps: 1, nodesAdded: 2, scaleDowns: 1, nodesRemoved: 2, nodeMinutes: 60, iterations: 180 },
};

test('renderSvg: well-formed SVG with a series per group, pending pods, cpu and memory, and a legend', () => {
  const svg = renderSvg(report, 'what if <burst> & co');
  assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
  assertWellFormed(svg);
  const series = [...svg.matchAll(/data-series="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(series, ['nodes:general', 'nodes:gpu&lt;&amp;&gt;', 'pending', 'cpu', 'memory']);
  for (const label of ['nodes general (max 4)', 'nodes gpu&lt;&amp;&gt; (max 2)', 'pending pods', 'cpu', 'memory']) assert.ok(svg.includes(`>${label}</text>`), label);
  assert.ok(svg.includes('<title>what if &lt;burst&gt; &amp; co</title>'));
});

test('renderSvg: steps hold a value until the next sample and run to the end', () => {
  const svg = renderSvg(report);
  // x: 64 + t/30m × 872; the nodes panel is 170 px high for 0…4 nodes, its top at y=56.
  const general = /data-series="nodes:general" d="([^"]*)"/.exec(svg)![1];
  assert.equal(general, 'M64 183.5 H93.1 V183.5 H151.2 V98.5 H936 V183.5 H936');
});

test('renderSvg: one mark per scale-up and scale-down, none for other decisions', () => {
  const svg = renderSvg(report);
  const marks = [...svg.matchAll(/<polygon [^>]*fill="([^"]+)"><title>([^<]*)<\/title>/g)].map((m) => [m[1], m[2]]);
  assert.deepEqual(marks, [
    ['#009e73', '1m: scale up general 1-&gt;3 (max: 4)'],
    ['#d55e00', '20m: delete empty node general-000001 (general)'],
  ]);
});

test('niceStep: 1, 2 or 5 times a power of ten', () => {
  const cases: Array<[number, number, number]> = [
    [10, 5, 2],
    [8, 4, 2],
    [100, 4, 50],
    [90, 8, 20],
    [3, 5, 1],
    [0, 5, 1],
  ];
  for (const [max, target, want] of cases) assert.equal(niceStep(max, target), want, `${max}/${target}`);
});
