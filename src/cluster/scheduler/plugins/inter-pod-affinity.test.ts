import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Affinity, V1PodAffinityTerm } from '@kubernetes/client-node';
import { newPodInfo, type NodeInfo, type NodeScore } from '../framework.js';
import { makePod, nodeInfo, type PodFixture } from '../testing.js';
import { interPodAffinity } from './inter-pod-affinity.js';

const HOST = 'kubernetes.io/hostname';
const ZONE = 'topology.kubernetes.io/zone';
const term = (app: string, topologyKey: string): V1PodAffinityTerm => ({ labelSelector: { matchLabels: { app } }, topologyKey });
const antiAffinity = (...terms: V1PodAffinityTerm[]): V1Affinity => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } });
const affinity = (...terms: V1PodAffinityTerm[]): V1Affinity => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } });

/** Three nodes: a and b in zone-1, c in zone-2. */
function cluster(placed: Record<'a' | 'b' | 'c', PodFixture[]>): NodeInfo[] {
  return (['a', 'b', 'c'] as const).map((n) => nodeInfo({ name: n, labels: { [ZONE]: n === 'c' ? 'zone-2' : 'zone-1' } }, ...placed[n].map(makePod)));
}

function filter(nodes: NodeInfo[], pod: PodFixture): Record<string, string> {
  const state = new Map<string, unknown>();
  const p = newPodInfo(makePod(pod));
  interPodAffinity.preFilter(state, p, nodes);
  return Object.fromEntries(nodes.map((n) => {
    const st = interPodAffinity.filter(state, p, n);
    return [n.name, 'reasons' in st ? st.reasons.join() : 'ok'];
  }));
}

test('required pod anti-affinity by hostname and by zone', () => {
  const nodes = cluster({ a: [{ name: 'web-1', labels: { app: 'web' } }], b: [], c: [] });
  assert.deepEqual(filter(nodes, { name: 'web-2', labels: { app: 'web' }, affinity: antiAffinity(term('web', HOST)) }), {
    a: "node(s) didn't match pod anti-affinity rules",
    b: 'ok',
    c: 'ok',
  });
  assert.deepEqual(filter(nodes, { name: 'web-2', labels: { app: 'web' }, affinity: antiAffinity(term('web', ZONE)) }), {
    a: "node(s) didn't match pod anti-affinity rules",
    b: "node(s) didn't match pod anti-affinity rules", // same zone as a
    c: 'ok',
  });
  // Another namespace does not count: the term selects the pod's own namespace.
  assert.deepEqual(filter(nodes, { name: 'web-2', namespace: 'other', affinity: antiAffinity(term('web', HOST)) }), { a: 'ok', b: 'ok', c: 'ok' });
});

test("existing pods' anti-affinity keeps the incoming pod away (symmetry)", () => {
  const nodes = cluster({ a: [], b: [], c: [{ name: 'db-1', labels: { app: 'db' }, affinity: antiAffinity(term('batch', ZONE)) }] });
  assert.deepEqual(filter(nodes, { name: 'job', labels: { app: 'batch' } }), { a: 'ok', b: 'ok', c: "node(s) didn't satisfy existing pods anti-affinity rules" });
  assert.deepEqual(filter(nodes, { name: 'web', labels: { app: 'web' } }), { a: 'ok', b: 'ok', c: 'ok' });
});

test('required pod affinity', () => {
  const nodes = cluster({ a: [], b: [{ name: 'cache-1', labels: { app: 'cache' } }], c: [] });
  assert.deepEqual(filter(nodes, { name: 'web', affinity: affinity(term('cache', ZONE)) }), {
    a: 'ok', // zone-1 has the cache pod (on b)
    b: 'ok',
    c: "node(s) didn't match pod affinity rules",
  });
  assert.deepEqual(filter(nodes, { name: 'web', affinity: affinity(term('cache', HOST)) }), {
    a: "node(s) didn't match pod affinity rules",
    b: 'ok',
    c: "node(s) didn't match pod affinity rules",
  });
  // The first pod of a group with affinity to itself may go anywhere that has the topology label.
  const empty = cluster({ a: [], b: [], c: [] });
  assert.deepEqual(filter(empty, { name: 'cache-1', labels: { app: 'cache' }, affinity: affinity(term('cache', ZONE)) }), { a: 'ok', b: 'ok', c: 'ok' });
  // … but not a pod whose terms select others.
  assert.deepEqual(filter(empty, { name: 'web', labels: { app: 'web' }, affinity: affinity(term('cache', ZONE)) }), {
    a: "node(s) didn't match pod affinity rules",
    b: "node(s) didn't match pod affinity rules",
    c: "node(s) didn't match pod affinity rules",
  });
});

test('preferred terms score topology domains, scaled min–max', () => {
  const nodes = cluster({ a: [{ name: 'cache-1', labels: { app: 'cache' } }], b: [], c: [{ name: 'web-1', labels: { app: 'web' } }] });
  const pod = newPodInfo(
    makePod({
      name: 'web-2',
      labels: { app: 'web' },
      affinity: {
        podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term('cache', ZONE) }] },
        podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: term('web', HOST) }] },
      },
    }),
  );
  const state = new Map<string, unknown>();
  assert.equal(interPodAffinity.preScore(state, pod, nodes, nodes).code, 'Success');
  // zone-1 (a, b) +10 for the cache pod; host c −5 for web-1: a 10, b 10, c −5.
  const scores: NodeScore[] = nodes.map((n) => ({ name: n.name, score: interPodAffinity.score(state, pod, n) }));
  assert.deepEqual(scores.map((s) => s.score), [10, 10, -5]);
  // min −5, max 10: 100 × (s + 5) / 15 → 100, 100, 0.
  interPodAffinity.normalizeScore(state, pod, scores);
  assert.deepEqual(scores.map((s) => s.score), [100, 100, 0]);
  // No preferred terms anywhere: skip.
  assert.equal(interPodAffinity.preScore(new Map(), newPodInfo(makePod({ name: 'x' })), nodes, nodes).code, 'Skip');
});
