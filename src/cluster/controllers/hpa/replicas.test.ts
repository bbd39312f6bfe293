import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuRecommendation, normalize, type PodCpu } from './replicas.js';

const pod = (name: string, usageMilli: number | undefined, extra: Partial<PodCpu> = {}): PodCpu => ({ name, ready: true, ignored: false, requestMilli: 100, usageMilli, ...extra });

test('the ratio of utilization to target, rounded up over the ready pods; within 10 % nothing changes', () => {
  const cases: Array<[string, number, PodCpu[], number, number, number]> = [
    // [what, current, pods, target, replicas, utilization]
    ['double the target: double the pods', 2, [pod('a', 100), pod('b', 100)], 50, 4, 100],
    ['a third of the target', 3, [pod('a', 20), pod('b', 20), pod('c', 20)], 60, 1, 20],
    ['within tolerance', 2, [pod('a', 54), pod('b', 54)], 50, 2, 54],
    ['just past tolerance', 2, [pod('a', 56), pod('b', 56)], 50, 3, 56],
    ['ignored pods (terminating, failed) do not count', 2, [pod('a', 100), pod('b', 900, { ignored: true })], 50, 2, 100],
  ];
  for (const [what, current, pods, target, replicas, utilization] of cases) assert.deepEqual(cpuRecommendation(current, pods, target), { kind: 'replicas', replicas, utilization }, what);
});

test('missing metrics and unready pods argue against the change', () => {
  // Scaling up: a pod without metrics counts as using nothing.
  assert.deepEqual(cpuRecommendation(2, [pod('a', 200), pod('b', undefined)], 50), { kind: 'replicas', replicas: 4, utilization: 200 });
  // Scaling down: it counts as using its whole request, which here reverses the change.
  assert.deepEqual(cpuRecommendation(2, [pod('a', 10), pod('b', undefined)], 50), { kind: 'replicas', replicas: 2, utilization: 10 });
  // Scaling up with an unready pod: it counts as using nothing.
  assert.deepEqual(cpuRecommendation(2, [pod('a', 60), pod('b', 60, { ready: false })], 50), { kind: 'replicas', replicas: 2, utilization: 60 });
});

test('kube’s errors: no pods, no metrics, a container without a request', () => {
  assert.deepEqual(cpuRecommendation(1, [], 50), { kind: 'error', message: 'failed to get cpu utilization: no pods returned by selector while calculating replica count' });
  assert.deepEqual(cpuRecommendation(1, [pod('a', undefined)], 50), { kind: 'error', message: 'failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API' });
  assert.deepEqual(cpuRecommendation(1, [pod('a', 10, { requestMilli: { missingIn: 'app' } })], 50), { kind: 'error', message: 'failed to get cpu utilization: missing request for cpu in container app of Pod a' });
});

test('normalization: scale-up at most max(2×, +4) a step; scale-down to the highest recommendation of 5 minutes; within [min, max]', () => {
  assert.equal(normalize(1, 20, 1, 50, [], 0).replicas, 5, '+4 beats 2× from 1');
  assert.equal(normalize(10, 40, 1, 50, [], 0).replicas, 20, '2× beats +4 from 10');
  assert.equal(normalize(3, 9, 1, 5, [], 0).replicas, 5, 'max');
  assert.equal(normalize(3, 0, 2, 5, [], 0).replicas, 2, 'min');
  let h = normalize(6, 6, 1, 10, [], 0).history;
  const down = normalize(6, 2, 1, 10, h, 60_000);
  assert.equal(down.replicas, 6, 'a minute after recommending 6, still 6');
  h = down.history;
  assert.equal(normalize(6, 2, 1, 10, h, 5 * 60_000 + 1).replicas, 2, 'once the 6 is older than 5 minutes');
});
