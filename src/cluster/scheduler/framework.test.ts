import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitErrorMessage, newPodInfo, unresolvable, unschedulable } from './framework.js';
import { makePod, nodeInfo } from './testing.js';

test('FitError message: reason counts sorted as strings, then the PostFilter message', () => {
  const cpu = unschedulable('NodeResourcesFit', 'Insufficient cpu');
  const both = unschedulable('NodeResourcesFit', 'Insufficient cpu', 'Insufficient memory');
  const taint = unresolvable('TaintToleration', 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }');
  const cases: Record<string, { n: number; statuses: ReturnType<typeof unschedulable>[]; post?: string; want: string }> = {
    'three alike': {
      n: 3,
      statuses: [cpu, cpu, cpu],
      post: 'preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
      want: '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    },
    // cpu: 3 nodes (both, cpu, cpu); memory: 1; taint: 1. The "count reason" strings sort by bytes:
    // "1 Insufficient memory" < "1 node(s)…" ('I' < 'n') < "3 Insufficient cpu".
    'mixed, sorted as strings': {
      n: 4,
      statuses: [both, cpu, cpu, taint],
      want: '0/4 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 3 Insufficient cpu.',
    },
    // "10 …" sorts before "2 …": Go's sort.Strings, not a numeric sort.
    'string order, not numeric': {
      n: 12,
      statuses: [...Array(10).fill(cpu), taint, taint],
      want: '0/12 nodes are available: 10 Insufficient cpu, 2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.',
    },
  };
  for (const [name, c] of Object.entries(cases)) assert.equal(fitErrorMessage(c.n, c.statuses, { postFilterMessage: c.post }), c.want, name);
  // Nodes without an explicit status count under the absent reason: 3 − 1 = 2.
  assert.equal(
    fitErrorMessage(3, [unresolvable('DefaultPreemption', 'No preemption victims found for incoming pod')], {
      absent: { count: 2, reasons: ['Preemption is not helpful for scheduling'] },
    }),
    '0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.',
  );
});

test('NodeInfo keeps running totals as pods come and go', () => {
  const a = makePod({ name: 'a', cpu: '500m', memory: '1Gi', hostPorts: [8080], owner: 'rs1' });
  const b = makePod({ name: 'b' }); // best effort: 0 requested, 100m / 200Mi non-zero
  const ni = nodeInfo({ name: 'n1' }, a, b);
  assert.equal(ni.requested.milliCPU, 500);
  assert.equal(ni.requested.memory, 2 ** 30);
  assert.equal(ni.nonZeroMilliCPU, 600); // 500 + 100
  assert.equal(ni.nonZeroMemory, 2 ** 30 + 200 * 2 ** 20);
  assert.deepEqual([...ni.usedPorts], [['TCP/8080', ['0.0.0.0']]]);
  assert.equal(ni.ownerCounts.get(newPodInfo(a).ownerId), 1);
  ni.removePod('default/a');
  assert.equal(ni.requested.milliCPU, 0);
  assert.equal(ni.nonZeroMilliCPU, 100);
  assert.equal(ni.usedPorts.size, 0);
  assert.equal(ni.ownerCounts.size, 0);
  // Adding the same key twice replaces, never double-counts.
  ni.addPod(newPodInfo(b));
  assert.equal(ni.pods.size, 1);
  assert.equal(ni.nonZeroMilliCPU, 100);
});

test('NodeInfo taints include the ones node conditions imply', () => {
  const keys = (ready: 'True' | 'False' | 'Unknown' | null) => nodeInfo({ name: 'n', ready }).taints.map((t) => `${t.key}:${t.effect}`);
  assert.deepEqual(keys('True'), []);
  assert.deepEqual(keys('False'), ['node.kubernetes.io/not-ready:NoSchedule']);
  assert.deepEqual(keys('Unknown'), ['node.kubernetes.io/unreachable:NoSchedule']);
  assert.deepEqual(keys(null), ['node.kubernetes.io/not-ready:NoSchedule']);
});
