/**
 * The contract every storage Backend must pass (Hono's `common.case.test.ts` pattern): call
 * `runBackendContract(name, newBackend)` from the implementation's own test file.
 *
 * `newBackend` must return a fresh, empty backend whose `compact(rev)` compacts exactly to `rev`
 * (no retention window), so the compaction cases can see their effect. Each case closes its backend.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CompactedError,
  ConflictError,
  KeyExistsError,
  KeyNotFoundError,
  type Backend,
  type KeyValue,
  type WatchEvent,
} from './index.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string): Uint8Array => enc.encode(s);
const text = (v: Uint8Array | undefined): string | undefined => (v === undefined ? undefined : dec.decode(v));

/** A KeyValue with its value as text, for deepEqual. */
function plain(kv: KeyValue | undefined) {
  return kv && { key: kv.key, value: text(kv.value), createRevision: kv.createRevision, modRevision: kv.modRevision };
}

function plainEvent(ev: WatchEvent) {
  return { type: ev.type, kv: plain(ev.kv), prevKv: plain(ev.prevKv) };
}

/** Pulls events one at a time, failing the test if one does not arrive within `ms`. */
class Reader {
  private readonly it: AsyncIterator<WatchEvent>;
  constructor(events: AsyncIterable<WatchEvent>) {
    this.it = events[Symbol.asyncIterator]();
  }

  async next(ms = 5000): Promise<IteratorResult<WatchEvent>> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no watch event within ${ms} ms`)), ms);
    });
    try {
      return await Promise.race([this.it.next(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async take(n: number): Promise<WatchEvent[]> {
    const out: WatchEvent[] = [];
    while (out.length < n) {
      const r = await this.next();
      assert.equal(r.done, false, `watch ended after ${out.length} of ${n} events`);
      out.push(r.value as WatchEvent);
    }
    return out;
  }
}

/** Asserts that watching after `after` fails with CompactedError, whether at the call or at the first next(). */
async function assertWatchCompacted(b: Backend, prefix: string, after: number): Promise<void> {
  const ac = new AbortController();
  try {
    await assert.rejects(async () => {
      const it = b.watch(prefix, after, ac.signal)[Symbol.asyncIterator]();
      await it.next();
    }, CompactedError);
  } finally {
    ac.abort();
  }
}

export function runBackendContract(name: string, newBackend: () => Promise<Backend>): void {
  /** Runs `body` against a fresh backend and closes it afterwards. */
  const withBackend = (title: string, body: (b: Backend) => Promise<void>): void => {
    test(`${name}: ${title}`, async () => {
      const b = await newBackend();
      try {
        await body(b);
      } finally {
        await b.close();
      }
    });
  };

  withBackend('create, get, update and delete', async (b) => {
    assert.equal(await b.get('/registry/pods/default/a'), undefined);
    const r1 = await b.create('/registry/pods/default/a', bytes('v1'));
    assert.deepEqual(plain(await b.get('/registry/pods/default/a')), {
      key: '/registry/pods/default/a',
      value: 'v1',
      createRevision: r1,
      modRevision: r1,
    });
    const r2 = await b.update('/registry/pods/default/a', bytes('v2'), r1);
    assert.ok(r2 > r1);
    assert.deepEqual(plain(await b.get('/registry/pods/default/a')), {
      key: '/registry/pods/default/a',
      value: 'v2',
      createRevision: r1,
      modRevision: r2,
    });
    const r3 = await b.delete('/registry/pods/default/a', r2);
    assert.ok(r3 > r2);
    assert.equal(await b.get('/registry/pods/default/a'), undefined);
    assert.equal(await b.currentRevision(), r3);
  });

  withBackend('create of an existing key throws KeyExistsError', async (b) => {
    const r1 = await b.create('/registry/pods/default/a', bytes('v1'));
    await assert.rejects(b.create('/registry/pods/default/a', bytes('v2')), (err: unknown) => {
      assert.ok(err instanceof KeyExistsError);
      assert.equal(err.key, '/registry/pods/default/a');
      return true;
    });
    assert.equal(text((await b.get('/registry/pods/default/a'))?.value), 'v1');
    assert.equal(await b.currentRevision(), r1, 'a refused write spends no revision');
  });

  withBackend('update and delete at a stale revision throw ConflictError', async (b) => {
    const r1 = await b.create('/registry/pods/default/a', bytes('v1'));
    const r2 = await b.update('/registry/pods/default/a', bytes('v2'), r1);
    await assert.rejects(b.update('/registry/pods/default/a', bytes('v3'), r1), (err: unknown) => {
      assert.ok(err instanceof ConflictError);
      assert.equal(err.key, '/registry/pods/default/a');
      assert.equal(err.expectedRevision, r1);
      assert.equal(err.actualRevision, r2);
      return true;
    });
    await assert.rejects(b.delete('/registry/pods/default/a', r1), ConflictError);
    assert.equal(text((await b.get('/registry/pods/default/a'))?.value), 'v2');
    assert.equal(await b.currentRevision(), r2);
  });

  withBackend('update and delete of a missing key throw KeyNotFoundError', async (b) => {
    await assert.rejects(b.update('/registry/pods/default/nope', bytes('v'), 1), KeyNotFoundError);
    await assert.rejects(b.delete('/registry/pods/default/nope'), KeyNotFoundError);
    const r1 = await b.create('/registry/pods/default/a', bytes('v1'));
    await b.delete('/registry/pods/default/a');
    await assert.rejects(b.update('/registry/pods/default/a', bytes('v2'), r1), KeyNotFoundError);
    await assert.rejects(b.delete('/registry/pods/default/a'), KeyNotFoundError);
  });

  withBackend('a deleted key can be created again, with a new createRevision', async (b) => {
    const r1 = await b.create('/registry/pods/default/a', bytes('v1'));
    const r2 = await b.delete('/registry/pods/default/a');
    const r3 = await b.create('/registry/pods/default/a', bytes('v2'));
    assert.ok(r1 < r2 && r2 < r3);
    assert.deepEqual(plain(await b.get('/registry/pods/default/a')), {
      key: '/registry/pods/default/a',
      value: 'v2',
      createRevision: r3,
      modRevision: r3,
    });
    const r4 = await b.update('/registry/pods/default/a', bytes('v3'), r3);
    assert.equal((await b.get('/registry/pods/default/a'))?.createRevision, r3);
    assert.ok(r4 > r3);
  });

  withBackend('revisions strictly increase across creates, updates and deletes', async (b) => {
    const start = await b.currentRevision();
    const revs: number[] = [];
    revs.push(await b.create('/registry/a/1', bytes('x')));
    revs.push(await b.create('/registry/b/1', bytes('x')));
    revs.push(await b.update('/registry/a/1', bytes('y'), revs[0]!));
    revs.push(await b.delete('/registry/b/1'));
    revs.push(await b.create('/registry/b/1', bytes('z')));
    assert.ok(revs[0]! > start);
    for (let i = 1; i < revs.length; i++) assert.ok(revs[i]! > revs[i - 1]!, `revision ${i} did not increase: ${revs}`);
    assert.equal(await b.currentRevision(), revs.at(-1));
  });

  withBackend('list by prefix returns live keys in key order at the current revision', async (b) => {
    await b.create('/registry/pods/ns1/b', bytes('b'));
    await b.create('/registry/pods/ns1/a', bytes('a'));
    await b.create('/registry/pods/ns2/c', bytes('c'));
    const gone = await b.create('/registry/pods/ns1/gone', bytes('gone'));
    await b.delete('/registry/pods/ns1/gone', gone);
    await b.create('/registry/services/ns1/s', bytes('s'));

    const all = await b.list('/registry/pods/');
    assert.equal(all.revision, await b.currentRevision());
    assert.equal(all.more, false);
    assert.deepEqual(
      all.items.map((kv) => [kv.key, text(kv.value)]),
      [
        ['/registry/pods/ns1/a', 'a'],
        ['/registry/pods/ns1/b', 'b'],
        ['/registry/pods/ns2/c', 'c'],
      ],
    );
    assert.deepEqual(
      (await b.list('/registry/pods/ns1/')).items.map((kv) => kv.key),
      ['/registry/pods/ns1/a', '/registry/pods/ns1/b'],
    );
    assert.deepEqual((await b.list('/registry/nothing/')).items, []);
    assert.equal(await b.count('/registry/pods/'), 3);
    assert.equal(await b.count('/registry/pods/ns1/'), 2);
    assert.equal(await b.count('/registry/'), 4);
    assert.equal(await b.count('/registry/nothing/'), 0);
  });

  withBackend('list pages with limit, startKey, more and remaining', async (b) => {
    for (let i = 0; i < 7; i++) await b.create(`/registry/pods/ns/p${i}`, bytes(`v${i}`));
    const page1 = await b.list('/registry/pods/', { limit: 3 });
    assert.deepEqual(
      page1.items.map((kv) => kv.key),
      ['/registry/pods/ns/p0', '/registry/pods/ns/p1', '/registry/pods/ns/p2'],
    );
    assert.equal(page1.more, true);
    assert.equal(page1.remaining, 4);

    // The next page starts after the last key ("\0" is the smallest suffix), at the same revision.
    const page2 = await b.list('/registry/pods/', {
      limit: 3,
      startKey: `${page1.items.at(-1)!.key}\0`,
      revision: page1.revision,
    });
    assert.deepEqual(
      page2.items.map((kv) => kv.key),
      ['/registry/pods/ns/p3', '/registry/pods/ns/p4', '/registry/pods/ns/p5'],
    );
    assert.equal(page2.revision, page1.revision);
    assert.equal(page2.more, true);
    assert.equal(page2.remaining, 1);

    const page3 = await b.list('/registry/pods/', { limit: 3, startKey: '/registry/pods/ns/p6', revision: page1.revision });
    assert.deepEqual(page3.items.map((kv) => kv.key), ['/registry/pods/ns/p6']);
    assert.equal(page3.more, false);

    const exact = await b.list('/registry/pods/', { limit: 7 });
    assert.equal(exact.items.length, 7);
    assert.equal(exact.more, false, 'a limit equal to the number of keys leaves nothing more');
  });

  withBackend('list at an older revision sees the state as of that revision', async (b) => {
    const ra = await b.create('/registry/pods/ns/a', bytes('a1'));
    const rb = await b.create('/registry/pods/ns/b', bytes('b1'));
    const before = await b.currentRevision();
    await b.update('/registry/pods/ns/a', bytes('a2'), ra);
    await b.delete('/registry/pods/ns/b', rb);
    await b.create('/registry/pods/ns/c', bytes('c1'));

    const old = await b.list('/registry/pods/', { revision: before });
    assert.equal(old.revision, before);
    assert.deepEqual(
      old.items.map((kv) => [kv.key, text(kv.value), kv.modRevision]),
      [
        ['/registry/pods/ns/a', 'a1', ra],
        ['/registry/pods/ns/b', 'b1', rb],
      ],
    );
    const oldPage = await b.list('/registry/pods/', { revision: before, limit: 1 });
    assert.deepEqual(oldPage.items.map((kv) => kv.key), ['/registry/pods/ns/a']);
    assert.equal(oldPage.more, true);
    assert.equal(oldPage.remaining, 1);

    const now = await b.list('/registry/pods/');
    assert.deepEqual(
      now.items.map((kv) => [kv.key, text(kv.value)]),
      [
        ['/registry/pods/ns/a', 'a2'],
        ['/registry/pods/ns/c', 'c1'],
      ],
    );
  });

  withBackend('prefixes are isolated: /registry/pods/ does not see /registry/podsecurity/', async (b) => {
    await b.create('/registry/podsecurity/x', bytes('ps'));
    await b.create('/registry/pods/ns/a', bytes('pod'));
    await b.create('/registry/pods', bytes('bare'));
    assert.deepEqual((await b.list('/registry/pods/')).items.map((kv) => kv.key), ['/registry/pods/ns/a']);
    assert.equal(await b.count('/registry/pods/'), 1);

    const ac = new AbortController();
    try {
      const r = new Reader(b.watch('/registry/pods/', 0, ac.signal));
      // History: only the pod, although the other two keys were written around it.
      const [first] = await r.take(1);
      assert.equal(first!.kv.key, '/registry/pods/ns/a');
      // Live: the podsecurity write comes first, yet the next event is the pod's.
      await b.create('/registry/podsecurity/y', bytes('ps'));
      await b.create('/registry/pods/ns/b', bytes('pod'));
      const [second] = await r.take(1);
      assert.equal(second!.kv.key, '/registry/pods/ns/b');
    } finally {
      ac.abort();
    }
  });

  withBackend('watch replays history after a revision, then goes live, in order, without gaps or duplicates', async (b) => {
    const revs: number[] = [];
    for (let i = 0; i < 5; i++) revs.push(await b.create(`/registry/pods/ns/h${i}`, bytes(`h${i}`)));
    const ac = new AbortController();
    try {
      const r = new Reader(b.watch('/registry/pods/', revs[1]!, ac.signal));
      // Written after the watch started but before anything was read.
      revs.push(await b.create('/registry/pods/ns/l0', bytes('l0')));
      const got = await r.take(2);
      // Written while the history is being read.
      revs.push(await b.create('/registry/pods/ns/l1', bytes('l1')));
      got.push(...(await r.take(3)));
      // Written once the watch is live.
      revs.push(await b.update('/registry/pods/ns/h0', bytes('h0b'), revs[0]!));
      got.push(...(await r.take(1)));
      assert.deepEqual(
        got.map((ev) => [ev.type, ev.kv.key, ev.kv.modRevision]),
        [
          ['create', '/registry/pods/ns/h2', revs[2]],
          ['create', '/registry/pods/ns/h3', revs[3]],
          ['create', '/registry/pods/ns/h4', revs[4]],
          ['create', '/registry/pods/ns/l0', revs[5]],
          ['create', '/registry/pods/ns/l1', revs[6]],
          ['update', '/registry/pods/ns/h0', revs[7]],
        ],
      );
      // Nothing was duplicated: the next event is the next write.
      const next = await b.create('/registry/pods/ns/l2', bytes('l2'));
      assert.equal((await r.take(1))[0]!.kv.modRevision, next);
    } finally {
      ac.abort();
    }
  });

  withBackend('watch from the current revision sees only later writes', async (b) => {
    await b.create('/registry/pods/ns/old', bytes('old'));
    const ac = new AbortController();
    try {
      const r = new Reader(b.watch('/registry/pods/', await b.currentRevision(), ac.signal));
      const rev = await b.create('/registry/pods/ns/new', bytes('new'));
      const [ev] = await r.take(1);
      assert.deepEqual([ev!.kv.key, ev!.kv.modRevision], ['/registry/pods/ns/new', rev]);
    } finally {
      ac.abort();
    }
  });

  withBackend('watch events carry prevKv for updates and deletes, in history and live', async (b) => {
    const key = '/registry/configmaps/ns/cm';
    const r1 = await b.create(key, bytes('one'));
    const r2 = await b.update(key, bytes('two'), r1);
    const r3 = await b.delete(key, r2);
    const expected = [
      { type: 'create', kv: { key, value: 'one', createRevision: r1, modRevision: r1 }, prevKv: undefined },
      {
        type: 'update',
        kv: { key, value: 'two', createRevision: r1, modRevision: r2 },
        prevKv: { key, value: 'one', createRevision: r1, modRevision: r1 },
      },
      {
        type: 'delete',
        kv: { key, value: 'two', createRevision: r1, modRevision: r3 },
        prevKv: { key, value: 'two', createRevision: r1, modRevision: r2 },
      },
    ];
    const ac = new AbortController();
    try {
      const history = new Reader(b.watch('/registry/configmaps/', 0, ac.signal));
      assert.deepEqual((await history.take(3)).map(plainEvent), expected);

      const live = new Reader(b.watch('/registry/configmaps/', r3, ac.signal));
      const pending = live.take(3);
      const l1 = await b.create(key, bytes('one'));
      const l2 = await b.update(key, bytes('two'), l1);
      const l3 = await b.delete(key, l2);
      assert.deepEqual((await pending).map(plainEvent), [
        { type: 'create', kv: { key, value: 'one', createRevision: l1, modRevision: l1 }, prevKv: undefined },
        {
          type: 'update',
          kv: { key, value: 'two', createRevision: l1, modRevision: l2 },
          prevKv: { key, value: 'one', createRevision: l1, modRevision: l1 },
        },
        {
          type: 'delete',
          kv: { key, value: 'two', createRevision: l1, modRevision: l3 },
          prevKv: { key, value: 'two', createRevision: l1, modRevision: l2 },
        },
      ]);
    } finally {
      ac.abort();
    }
  });

  withBackend('a live event keeps its value when the writer reuses its buffer', async (b) => {
    const ac = new AbortController();
    try {
      const r = new Reader(b.watch('/registry/', 0, ac.signal));
      const buf = bytes('original');
      const pending = r.take(1);
      await b.create('/registry/x/a', buf);
      buf.fill(0);
      assert.equal(text((await pending)[0]!.kv.value), 'original');
      assert.equal(text((await b.get('/registry/x/a'))!.value), 'original');
    } finally {
      ac.abort();
    }
  });

  withBackend('compaction: old revisions are refused, current state and revision are kept', async (b) => {
    const r1 = await b.create('/registry/pods/ns/a', bytes('a1'));
    const r2 = await b.update('/registry/pods/ns/a', bytes('a2'), r1);
    const r3 = await b.create('/registry/pods/ns/b', bytes('b1'));
    await b.delete('/registry/pods/ns/b', r3);
    const r5 = await b.create('/registry/pods/ns/c', bytes('c1'));
    const current = await b.currentRevision();

    await b.compact(r5 - 1);
    const compacted = await b.compactedRevision();
    assert.ok(compacted >= r3 && compacted <= r5 - 1, `compacted revision ${compacted} not in [${r3}, ${r5 - 1}]`);
    assert.equal(await b.currentRevision(), current);
    assert.deepEqual(
      (await b.list('/registry/pods/')).items.map((kv) => [kv.key, text(kv.value), kv.modRevision]),
      [
        ['/registry/pods/ns/a', 'a2', r2],
        ['/registry/pods/ns/c', 'c1', r5],
      ],
    );
    assert.equal((await b.get('/registry/pods/ns/a'))?.createRevision, r1);

    await assertWatchCompacted(b, '/registry/pods/', 0);
    await assert.rejects(b.list('/registry/pods/', { revision: 1 }), CompactedError);

    // Watching from the compacted revision itself still works.
    const ac = new AbortController();
    try {
      const r = new Reader(b.watch('/registry/pods/', compacted, ac.signal));
      const r6 = await b.update('/registry/pods/ns/c', bytes('c2'), r5);
      const events = await r.take(2); // c1 (r5 > compacted) and c2
      assert.equal(events.at(-1)!.kv.modRevision, r6);
      assert.equal(text(events.at(-1)!.prevKv?.value), 'c1');
    } finally {
      ac.abort();
    }
  });

  withBackend('aborting the signal ends a watch promptly, also while a next() is pending', async (b) => {
    await b.create('/registry/pods/ns/a', bytes('a'));
    const ac = new AbortController();
    const r = new Reader(b.watch('/registry/pods/', 0, ac.signal));
    await r.take(1);
    const pending = r.next(2000);
    ac.abort();
    assert.deepEqual(await pending, { done: true, value: undefined });
    await b.create('/registry/pods/ns/b', bytes('b'));
    assert.equal((await r.next(2000)).done, true);

    const already = new AbortController();
    already.abort();
    const r2 = new Reader(b.watch('/registry/pods/', 0, already.signal));
    assert.equal((await r2.next(2000)).done, true, 'a watch on an aborted signal yields nothing');
  });

  withBackend('breaking out of for-await ends the watch', async (b) => {
    await b.create('/registry/pods/ns/a', bytes('a'));
    await b.create('/registry/pods/ns/b', bytes('b'));
    const ac = new AbortController();
    const seen: string[] = [];
    for await (const ev of b.watch('/registry/pods/', 0, ac.signal)) {
      seen.push(ev.kv.key);
      if (seen.length === 1) break;
    }
    assert.deepEqual(seen, ['/registry/pods/ns/a']);
    // Writes after the consumer left must not be a problem.
    await b.create('/registry/pods/ns/c', bytes('c'));
    ac.abort();
  });

  withBackend('many watchers each see every event once', async (b) => {
    const controllers = Array.from({ length: 20 }, () => new AbortController());
    try {
      const readers = controllers.map((ac) => new Reader(b.watch('/registry/pods/', 0, ac.signal)));
      const pending = readers.map((r) => r.take(10));
      const revs: number[] = [];
      for (let i = 0; i < 10; i++) revs.push(await b.create(`/registry/pods/ns/p${i}`, bytes(`${i}`)));
      for (const events of await Promise.all(pending)) {
        assert.deepEqual(
          events.map((ev) => ev.kv.modRevision),
          revs,
        );
      }
    } finally {
      for (const ac of controllers) ac.abort();
    }
  });
}
