import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../runtime/index.js';
import { SchedulingQueue } from './queue.js';
import { makePod } from './testing.js';

const pod = (name: string, priority?: number) => makePod({ name, priority });

function drain(q: SchedulingQueue): string[] {
  const out: string[] = [];
  for (let qp = q.pop(); qp; qp = q.pop()) out.push(qp.key);
  return out;
}

test('higher priority first, then first in first out', () => {
  const clock = new FakeClock(1000);
  const q = new SchedulingQueue({ clock });
  q.add('a', pod('a'));
  clock.advance(1);
  q.add('b', pod('b', 100));
  clock.advance(1);
  q.add('c', pod('c'));
  clock.advance(1);
  q.add('d', pod('d', 100));
  q.add('e', pod('e', -5));
  assert.deepEqual(drain(q), ['b', 'd', 'a', 'c', 'e']);
});

test('backoff doubles from 1 s to at most 10 s', () => {
  const clock = new FakeClock(0);
  const q = new SchedulingQueue({ clock });
  q.add('a', pod('a'));
  const waits: number[] = [];
  for (let attempt = 1; attempt <= 6; attempt++) {
    const qp = q.pop()!;
    assert.equal(qp.attempts, attempt);
    q.addBackoff('a');
    const from = clock.now();
    // Step 100 ms at a time until the pod is active again.
    while (q.stats().active === 0) clock.advance(100);
    waits.push(clock.now() - from);
  }
  // 1 s, 2 s, 4 s, 8 s, then capped at 10 s.
  assert.deepEqual(waits, [1000, 2000, 4000, 8000, 10000, 10000]);
});

test('unschedulable pods wait for an event, then back off what is left of their backoff', () => {
  const clock = new FakeClock(0);
  const q = new SchedulingQueue({ clock });
  q.add('a', pod('a'));
  q.add('b', pod('b'));
  q.pop();
  q.pop();
  q.addUnschedulable('a', new Set(['NodeResourcesFit']));
  q.addUnschedulable('b', new Set(['InterPodAffinity']));
  clock.advance(5_000);
  assert.deepEqual(q.stats(), { active: 0, backoff: 0, unschedulable: 2, inFlight: 0 });
  // An event that helps only pods rejected by InterPodAffinity.
  q.moveAllToActiveOrBackoff((qp) => qp.unschedulablePlugins.has('InterPodAffinity'));
  // b's 1 s backoff ended long ago: active at once.
  assert.deepEqual(drain(q), ['b']);
  // a moves on the next general event; this time within its backoff.
  q.addUnschedulable('b', new Set(['InterPodAffinity']));
  q.moveAllToActiveOrBackoff();
  assert.deepEqual(q.stats(), { active: 1, backoff: 1, unschedulable: 0, inFlight: 0 });
  assert.deepEqual(drain(q), ['a']); // b (2nd attempt) backs off 2 s from its last attempt
  clock.advance(1_999);
  assert.deepEqual(drain(q), []);
  clock.advance(1);
  assert.deepEqual(drain(q), ['b']);
});

test('an event during an attempt sends the pod to backoff, not to wait for another event', () => {
  const clock = new FakeClock(0);
  const q = new SchedulingQueue({ clock });
  q.add('a', pod('a'));
  q.pop();
  q.moveAllToActiveOrBackoff(); // a node was added while 'a' was being scheduled
  q.addUnschedulable('a', new Set(['NodeResourcesFit']));
  assert.deepEqual(q.stats(), { active: 0, backoff: 1, unschedulable: 0, inFlight: 0 });
  clock.advance(1_000);
  assert.deepEqual(drain(q), ['a']);
});

test('unschedulable pods are retried after 5 minutes anyway', () => {
  const clock = new FakeClock(0);
  const q = new SchedulingQueue({ clock });
  q.add('a', pod('a'));
  q.pop();
  q.addUnschedulable('a', new Set());
  clock.advance(4 * 60_000);
  assert.equal(q.stats().active, 0);
  clock.advance(90_000); // flushed at the first 30 s check after 5 minutes
  assert.deepEqual(drain(q), ['a']);
});

test('a spec change retries an unschedulable pod; deletes leave no trace', () => {
  const clock = new FakeClock(0);
  const q = new SchedulingQueue({ clock });
  q.add('a', pod('a'));
  q.pop();
  q.addUnschedulable('a', new Set(['TaintToleration']));
  clock.advance(2_000);
  const tolerating = makePod({ name: 'a', tolerations: [{ operator: 'Exists' }] });
  q.update('a', tolerating);
  const qp = q.pop();
  assert.equal(qp?.pod, tolerating);
  q.done('a');
  assert.equal(q.has('a'), false);
  q.add('b', pod('b'));
  q.delete('b');
  assert.deepEqual(drain(q), []);
});

test('wait resolves when a pod arrives', async () => {
  const q = new SchedulingQueue({ clock: new FakeClock(0) });
  const ac = new AbortController();
  const waiting = q.wait(ac.signal);
  q.add('a', pod('a'));
  await waiting;
  assert.equal(q.pop()?.key, 'a');
  const again = q.wait(ac.signal);
  ac.abort();
  await again;
});
