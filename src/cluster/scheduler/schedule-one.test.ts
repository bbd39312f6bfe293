import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPodInfo, type NodeInfo } from './framework.js';
import { numFeasibleNodesToFind, scheduleOne, type ScheduleResult } from './schedule-one.js';
import { makePod, nodeInfo, type PodFixture } from './testing.js';

const first = () => 0.999; // never replace the first best node on a tie

function scheduled(r: ScheduleResult): string {
  assert.equal(r.kind, 'Scheduled', r.kind === 'Unschedulable' ? r.fitError.message : '');
  return (r as Extract<ScheduleResult, { kind: 'Scheduled' }>).node;
}

function unschedulable(r: ScheduleResult): string {
  assert.equal(r.kind, 'Unschedulable');
  return (r as Extract<ScheduleResult, { kind: 'Unschedulable' }>).fitError.message;
}

test('too big for every node: kube 1.32 FitError with the preemption suffix', () => {
  const nodes = ['n1', 'n2', 'n3'].map((name) => nodeInfo({ name, cpu: '2' }));
  assert.equal(
    unschedulable(scheduleOne(makePod({ name: 'big', cpu: '3' }), nodes)),
    '0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
  );
});

test('mixed reasons, each node counted once per reason', () => {
  const nodes: NodeInfo[] = [
    nodeInfo({ name: 'full', cpu: '1', labels: { disk: 'ssd' } }, makePod({ name: 'x', cpu: '1' })), // Insufficient cpu
    nodeInfo({ name: 'notready', ready: 'False' }), // not-ready taint
    nodeInfo({ name: 'cordoned', unschedulable: true }), // cordoned
    nodeInfo({ name: 'hdd', labels: { disk: 'hdd' } }), // nodeSelector
  ];
  // Filters run in kube's order and the first rejection decides. Only `full` is worth a preemption
  // attempt (Insufficient cpu is Unschedulable, the others UnschedulableAndUnresolvable), and its one
  // pod has the same priority (0), so it has no victims.
  assert.equal(
    unschedulable(scheduleOne(makePod({ name: 'p', cpu: '500m', nodeSelector: { disk: 'ssd' } }), nodes)),
    "0/4 nodes are available: 1 Insufficient cpu, 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) were unschedulable." +
      " preemption: 0/4 nodes are available: 1 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.",
  );
});

test('no nodes at all', () => {
  assert.equal(unschedulable(scheduleOne(makePod({ name: 'p' }), [])), 'no nodes available to schedule pods');
});

test('filters pick the only node that fits', () => {
  const nodes = [
    nodeInfo({ name: 'small', cpu: '1' }),
    nodeInfo({ name: 'tainted', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
    nodeInfo({ name: 'ok' }),
  ];
  const r = scheduleOne(makePod({ name: 'p', cpu: '2' }), nodes);
  assert.equal(scheduled(r), 'ok');
  assert.equal(r.kind === 'Scheduled' && r.scores.length, 0); // one feasible node: nothing to score
});

test('scores: least allocated beats a busier node', () => {
  // a: 4 cpu / 8Gi with 2 cpu / 4Gi requested; b: empty. Pod 1 cpu / 1Gi.
  // NodeResourcesFit (×1): a cpu (4000−3000)×100/4000 = 25, mem (8−5)/8 = 37.5 → 37 → (25+37)/2 = 31; b 75 and 87 → 81.
  // Balanced (×1): a 3/4 vs 5/8 → std 0.0625 → 93; b 1/4 vs 1/8 → 93.
  // TaintToleration (×3): no PreferNoSchedule taints → 100 each. Others skip.
  // a = 31 + 93 + 300 = 424, b = 81 + 93 + 300 = 474.
  const a = nodeInfo({ name: 'a' }, makePod({ name: 'x', cpu: '2', memory: '4Gi' }));
  const b = nodeInfo({ name: 'b' });
  const r = scheduleOne(makePod({ name: 'p', cpu: '1', memory: '1Gi' }), [a, b], { random: first });
  assert.equal(scheduled(r), 'b');
  assert.deepEqual(
    r.kind === 'Scheduled' && r.scores,
    [
      { name: 'b', total: 474, plugins: { TaintToleration: 100, NodeResourcesFit: 81, NodeResourcesBalancedAllocation: 93 } },
      { name: 'a', total: 424, plugins: { TaintToleration: 100, NodeResourcesFit: 31, NodeResourcesBalancedAllocation: 93 } },
    ],
  );
});

test('scores: a PreferNoSchedule taint outweighs free resources', () => {
  // spot: empty but tainted PreferNoSchedule → TaintToleration 0 (×3); busy: 100 × 3 = 300, which no resource score can make up.
  const spot = nodeInfo({ name: 'spot', taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] });
  const busy = nodeInfo({ name: 'busy' }, makePod({ name: 'x', cpu: '3' }));
  assert.equal(scheduled(scheduleOne(makePod({ name: 'p', cpu: '100m' }), [spot, busy])), 'busy');
});

test('replicas of one owner spread over nodes and zones', () => {
  const ZONE = 'topology.kubernetes.io/zone';
  const nodes = [
    nodeInfo({ name: 'a1', labels: { [ZONE]: 'a' } }),
    nodeInfo({ name: 'a2', labels: { [ZONE]: 'a' } }),
    nodeInfo({ name: 'b1', labels: { [ZONE]: 'b' } }),
  ];
  const placed: Record<string, number> = { a1: 0, a2: 0, b1: 0 };
  const zones: Record<string, number> = { a: 0, b: 0 };
  for (let i = 0; i < 6; i++) {
    const pod = makePod({ name: `web-${i}`, owner: 'rs-web', cpu: '100m', memory: '100Mi' });
    const node = scheduled(scheduleOne(pod, nodes, { random: first }));
    const ni = nodes.find((n) => n.name === node)!;
    ni.addPod(newPodInfo(pod));
    placed[node]++;
    zones[node === 'b1' ? 'b' : 'a']++;
  }
  // Zone b gets half of the replicas although it has a third of the nodes.
  assert.deepEqual(zones, { a: 3, b: 3 });
  assert.ok(Math.max(...Object.values(placed)) - Math.min(...Object.values(placed)) <= 2, JSON.stringify(placed));
});

test('required anti-affinity: one replica per host, then a FitError', () => {
  const nodes = ['n1', 'n2'].map((name) => nodeInfo({ name }));
  const replica = (i: number): PodFixture => ({
    name: `db-${i}`,
    labels: { app: 'db' },
    affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' }] } },
  });
  for (const i of [1, 2]) {
    const pod = makePod(replica(i));
    const node = scheduled(scheduleOne(pod, nodes));
    nodes.find((n) => n.name === node)!.addPod(newPodInfo(pod));
  }
  assert.equal(
    unschedulable(scheduleOne(makePod(replica(3)), nodes)),
    "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
  );
});

test('preemption nominates a node when lower-priority pods can go', () => {
  const nodes = [nodeInfo({ name: 'n1', cpu: '2' }, makePod({ name: 'batch', cpu: '2', priority: -10 }))];
  const r = scheduleOne(makePod({ name: 'urgent', cpu: '1', priority: 1000 }), nodes);
  assert.equal(r.kind, 'Unschedulable');
  if (r.kind !== 'Unschedulable') return;
  // Preemption succeeded, so kube adds no `preemption:` part.
  assert.equal(r.fitError.message, '0/1 nodes are available: 1 Insufficient cpu.');
  assert.equal(r.nominatedNode, 'n1');
  assert.deepEqual(r.victims?.map((v) => v.key), ['default/batch']);
});

test('how many feasible nodes to find before scoring', () => {
  const cases: Array<[number, number, number]> = [
    [50, 0, 50], // under 100 nodes: all
    [100, 0, 100], // 50 − 100/125 = 50% of 100 = 50 → at least 100
    [1000, 0, 420], // 50 − 1000/125 = 42% → 420
    [5000, 0, 500], // 50 − 40 = 10% → 500
    [10000, 0, 500], // 50 − 80 < 5 → 5% → 500
    [1000, 20, 200], // configured 20%
  ];
  for (const [nodes, pct, want] of cases) assert.equal(numFeasibleNodesToFind(nodes, pct), want, `${nodes} nodes at ${pct}%`);
});

test('the scan starts where the previous pod stopped', () => {
  const nodes = Array.from({ length: 200 }, (_, i) => nodeInfo({ name: `n${i}` }));
  // 200 nodes: 50 − 1 = 49% → 98 → at least 100 feasible nodes; all fit, so 100 are processed.
  const r1 = scheduleOne(makePod({ name: 'p1' }), nodes, { startIndex: 0 });
  assert.equal(r1.nextStartIndex, 100);
  assert.equal(r1.kind === 'Scheduled' && r1.evaluatedNodes, 100);
  const r2 = scheduleOne(makePod({ name: 'p2' }), nodes, { startIndex: 150 });
  assert.equal(r2.nextStartIndex, 50); // 150 + 100 wraps to 50
});
