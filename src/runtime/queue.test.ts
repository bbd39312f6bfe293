import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FakeClock,
  bucketRateLimiter,
  createWorkQueue,
  defaultControllerRateLimiter,
  exponentialFailureRateLimiter,
  maxOfRateLimiter,
  type RateLimiter,
} from './index.js';

test('rate limiters: delays by case', () => {
  const cases: Record<string, { limiter: (c: FakeClock) => RateLimiter<string>; steps: { advanceMs?: number; item: string; forget?: boolean }[]; want: number[] }> = {
    'exponential doubles from 5 ms per item': {
      limiter: () => exponentialFailureRateLimiter(5, 1_000_000),
      steps: [{ item: 'a' }, { item: 'a' }, { item: 'a' }, { item: 'b' }, { item: 'a' }],
      want: [5, 10, 20, 5, 40],
    },
    'exponential forgets': {
      limiter: () => exponentialFailureRateLimiter(5, 1_000_000),
      steps: [{ item: 'a' }, { item: 'a' }, { item: 'a', forget: true }, { item: 'a' }],
      want: [5, 10, 0, 5],
    },
    'exponential caps at max (1000 s)': {
      limiter: () => exponentialFailureRateLimiter(5, 1_000_000),
      steps: Array.from({ length: 20 }, () => ({ item: 'a' })),
      // 5·2^17 = 655360, 5·2^18 = 1310720 → capped
      want: Array.from({ length: 20 }, (_, i) => Math.min(1_000_000, 5 * 2 ** i)),
    },
    'bucket: burst free, then 1/qps apart': {
      limiter: (c) => bucketRateLimiter(10, 2, c),
      steps: [{ item: 'a' }, { item: 'b' }, { item: 'c' }, { item: 'd' }],
      // tokens 2 → 1, 0, -1 (wait 100 ms), -2 (wait 200 ms)
      want: [0, 0, 100, 200],
    },
    'bucket refills with time': {
      limiter: (c) => bucketRateLimiter(10, 2, c),
      steps: [{ item: 'a' }, { item: 'b' }, { item: 'c', advanceMs: 100 }, { item: 'd' }],
      want: [0, 0, 0, 100],
    },
    'default: max of exponential and bucket': {
      limiter: (c) => defaultControllerRateLimiter(c),
      steps: [{ item: 'a' }, { item: 'a' }, { item: 'a' }],
      want: [5, 10, 20],
    },
    'max of takes the longest': {
      limiter: () => maxOfRateLimiter(exponentialFailureRateLimiter(1, 100), exponentialFailureRateLimiter(3, 10)),
      steps: [{ item: 'a' }, { item: 'a' }, { item: 'a' }, { item: 'a' }],
      want: [3, 6, 10, 10],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    const clock = new FakeClock(1000);
    const limiter = c.limiter(clock);
    const got = c.steps.map((s) => {
      if (s.advanceMs) clock.advance(s.advanceMs);
      if (s.forget) {
        limiter.forget(s.item);
        return 0;
      }
      return limiter.when(s.item);
    });
    assert.deepEqual(got, c.want, name);
  }
});

test('bucket limiter: burst 100 at 10 qps like client-go', () => {
  const clock = new FakeClock();
  const l = bucketRateLimiter<string>(10, 100, clock);
  const delays = Array.from({ length: 102 }, (_, i) => l.when(String(i)));
  assert.deepEqual(delays.slice(0, 100), Array(100).fill(0));
  assert.deepEqual(delays.slice(100), [100, 200]);
});

/** Drain what the queue hands out right now (get() resolves synchronously-ish when items wait). */
async function takeAll(q: ReturnType<typeof createWorkQueue<string>>): Promise<string[]> {
  const out: string[] = [];
  while (q.len() > 0) out.push((await q.get())!);
  return out;
}

test('work queue: de-duplication and re-adds while processing', async () => {
  const cases: Record<string, { run: (q: ReturnType<typeof createWorkQueue<string>>) => Promise<string[]> }> = {
    'duplicates collapse, FIFO order': {
      async run(q) {
        q.add('a');
        q.add('b');
        q.add('a');
        return takeAll(q);
      },
    },
    'added while processing: queued again after done': {
      async run(q) {
        q.add('a');
        const a = (await q.get())!;
        q.add('a');
        const before = q.len();
        q.done(a);
        return [`len-while-processing=${before}`, ...(await takeAll(q))];
      },
    },
    'added twice while processing: processed once after': {
      async run(q) {
        q.add('a');
        const a = (await q.get())!;
        q.add('a');
        q.add('a');
        q.done(a);
        const got = await takeAll(q);
        q.done('a');
        return [...got, `len=${q.len()}`];
      },
    },
    'done without re-add: gone': {
      async run(q) {
        q.add('a');
        q.done((await q.get())!);
        return [`len=${q.len()}`];
      },
    },
  };
  const want: Record<string, string[]> = {
    'duplicates collapse, FIFO order': ['a', 'b'],
    'added while processing: queued again after done': ['len-while-processing=0', 'a'],
    'added twice while processing: processed once after': ['a', 'len=0'],
    'done without re-add: gone': ['len=0'],
  };
  for (const [name, c] of Object.entries(cases)) {
    const q = createWorkQueue<string>({ clock: new FakeClock() });
    assert.deepEqual(await c.run(q), want[name], name);
  }
});

test('work queue: delayed and rate-limited adds follow the clock', async () => {
  const clock = new FakeClock();
  const q = createWorkQueue<string>({ clock });
  q.addAfter('late', 100);
  q.addAfter('early', 50);
  q.addAfter('late', 200); // the earlier pending delay wins
  q.addRateLimited('r'); // 5 ms
  q.addRateLimited('r'); // still pending at 5 ms (10 ms is later)
  assert.equal(q.len(), 0);
  clock.advance(5);
  assert.deepEqual(await takeAll(q), ['r']);
  q.done('r');
  assert.equal(q.numRequeues('r'), 2);
  q.forget('r');
  assert.equal(q.numRequeues('r'), 0);
  clock.advance(45);
  assert.deepEqual(await takeAll(q), ['early']);
  clock.advance(50);
  assert.deepEqual(await takeAll(q), ['late']);
  clock.advance(1000);
  assert.equal(q.len(), 0);
  assert.equal(clock.pending(), 0);
});

test('work queue: metrics hooks count adds, retries and depth', async () => {
  const seen = { adds: 0, retries: 0, depth: [] as number[] };
  const clock = new FakeClock();
  const q = createWorkQueue<string>({
    clock,
    metrics: { add: () => seen.adds++, retry: () => seen.retries++, depth: (n) => seen.depth.push(n), queueLatency() {}, workDuration() {} },
  });
  q.add('a');
  q.add('a');
  q.add('b');
  q.addRateLimited('c');
  clock.advance(10);
  await takeAll(q);
  assert.deepEqual(seen, { adds: 3, retries: 1, depth: [1, 2, 3, 2, 1, 0] });
});

test('work queue: shutdown wakes waiters, ignores adds and drains in-flight items', async () => {
  const q = createWorkQueue<string>({ clock: new FakeClock() });
  const waiting = q.get();
  q.add('a');
  assert.equal(await waiting, 'a');
  q.add('b');
  const idle = q.get(); // gets b
  assert.equal(await idle, 'b');
  const parked = q.get(); // nothing left: parks until shutdown
  let drained = false;
  const stopping = q.shutDown().then(() => (drained = true));
  assert.equal(await parked, undefined);
  assert.equal(q.shuttingDown(), true);
  q.add('c');
  assert.equal(q.len(), 0);
  assert.equal(await q.get(), undefined);
  await Promise.resolve();
  assert.equal(drained, false, 'a and b are still in flight');
  q.done('a');
  await Promise.resolve();
  assert.equal(drained, false);
  q.done('b');
  await stopping;
  assert.equal(drained, true);
});

test('fake clock fires timers in due order', () => {
  const clock = new FakeClock();
  const fired: string[] = [];
  clock.setTimer(30, () => fired.push('30'));
  clock.setTimer(10, () => {
    fired.push('10');
    clock.setTimer(5, () => fired.push('15'));
  });
  const t = clock.setTimer(20, () => fired.push('20'));
  t.cancel();
  clock.advance(100);
  assert.deepEqual(fired, ['10', '15', '30']);
  assert.equal(clock.now(), 100);
});
