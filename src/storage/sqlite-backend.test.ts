import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { runBackendContract } from './backend.contract.js';
import { CompactedError, SqliteBackend, WatchOverflowError, startCompactor, type WatchEvent } from './index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flotilla-storage-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let files = 0;
const tempPath = (): string => path.join(dir, `db-${++files}.sqlite`);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (v: Uint8Array | undefined): string | undefined => (v === undefined ? undefined : new TextDecoder().decode(v));

runBackendContract('sqlite', async () => SqliteBackend.open(tempPath(), { compactMinRetain: 0 }));
// The list cache on the contract's own prefixes (/registry/pods/ and /registry/), and off.
runBackendContract('sqlite, list cache at depth 2', async () => SqliteBackend.open(tempPath(), { compactMinRetain: 0, listCacheDepth: 2 }));
runBackendContract('sqlite, list cache at depth 1', async () => SqliteBackend.open(tempPath(), { compactMinRetain: 0, listCacheDepth: 1 }));
runBackendContract('sqlite, no list cache', async () => SqliteBackend.open(tempPath(), { compactMinRetain: 0, listCacheDepth: 0 }));

/** Polls `cond` every few milliseconds until it holds, or fails after `ms`. */
async function waitFor(what: string, cond: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function rowCount(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM kine').pluck().get() as number;
  } finally {
    db.close();
  }
}

test('sqlite: reopening the file gives the same data, revisions and compacted revision', async () => {
  const file = tempPath();
  const b1 = SqliteBackend.open(file, { compactMinRetain: 0 });
  const ra = await b1.create('/registry/pods/ns/a', bytes('a1'));
  const ra2 = await b1.update('/registry/pods/ns/a', bytes('a2'), ra);
  const rb = await b1.create('/registry/pods/ns/b', bytes('b1'));
  const rd = await b1.delete('/registry/pods/ns/b', rb);
  await b1.create('/registry/pods/ns/c', bytes('c1'));
  await b1.compact(ra2);
  const before = await b1.list('/registry/');
  const compacted = await b1.compactedRevision();
  await b1.close();

  const b2 = SqliteBackend.open(file, { compactMinRetain: 0 });
  try {
    assert.deepEqual(await b2.list('/registry/'), before);
    assert.equal(await b2.currentRevision(), before.revision);
    assert.equal(await b2.compactedRevision(), compacted);
    assert.deepEqual(
      { ...(await b2.get('/registry/pods/ns/a'))!, value: undefined },
      { key: '/registry/pods/ns/a', value: undefined, createRevision: ra, modRevision: ra2 },
    );
    // The log survives too: a watch after the compacted revision replays the delete.
    const ac = new AbortController();
    const events: WatchEvent[] = [];
    for await (const ev of b2.watch('/registry/pods/ns/b', compacted, ac.signal)) {
      events.push(ev);
      if (ev.type === 'delete') break;
    }
    assert.equal(events.at(-1)!.kv.modRevision, rd);
    // New writes continue above the old revisions; a deleted key can be created again.
    const next = await b2.create('/registry/pods/ns/b', bytes('b2'));
    assert.equal(next, before.revision + 1);
  } finally {
    await b2.close();
  }
});

test('sqlite: compaction removes superseded rows and tombstones, keeps latest values and the current revision', async () => {
  const file = tempPath();
  const b = SqliteBackend.open(file, { compactMinRetain: 0, backgroundCheckpoint: false });
  let ra = await b.create('/registry/pods/ns/a', bytes('a0'));
  for (let i = 1; i <= 50; i++) ra = await b.update('/registry/pods/ns/a', bytes(`a${i}`), ra);
  const rb = await b.create('/registry/pods/ns/b', bytes('b'));
  await b.delete('/registry/pods/ns/b', rb);
  for (let i = 0; i < 2500; i++) await b.create(`/registry/configmaps/ns/cm${i}`, bytes(`${i}`)); // several batches
  const rc = await b.create('/registry/pods/ns/c', bytes('c'));
  const current = await b.currentRevision();
  const listBefore = await b.list('/registry/');

  await b.compact(current);
  assert.equal(await b.compactedRevision(), current - 1, 'the newest revision is never compacted');
  assert.equal(await b.currentRevision(), current);
  assert.deepEqual(await b.list('/registry/'), listBefore);
  assert.equal(text((await b.get('/registry/pods/ns/a'))?.value), 'a50');
  assert.equal(await b.count('/registry/'), 2502);
  await assert.rejects(b.list('/registry/', { revision: rb }), CompactedError);
  assert.equal(fs.statSync(`${file}-wal`).size, 0, 'the WAL is truncated after compaction');

  // Compacting again, or to an older revision, changes nothing.
  await b.compact(current);
  await b.compact(1);
  assert.equal(await b.compactedRevision(), current - 1);

  // The log keeps working: revisions continue, and the compacted key can be recreated.
  const rb2 = await b.create('/registry/pods/ns/b', bytes('b2'));
  assert.equal(rb2, current + 1);
  assert.equal((await b.get('/registry/pods/ns/c'))?.modRevision, rc);
  await b.close();
  // a, c, 2500 configmaps and the new b: one row each.
  assert.equal(rowCount(file), 2503);
});

test('sqlite: compaction keeps the newest compactMinRetain revisions', async () => {
  const b = SqliteBackend.open(tempPath(), { compactMinRetain: 5 });
  try {
    let rev = await b.create('/registry/a', bytes('0'));
    for (let i = 1; i < 20; i++) rev = await b.update('/registry/a', bytes(`${i}`), rev);
    await b.compact(rev);
    assert.equal(await b.compactedRevision(), rev - 5);
    const old = await b.list('/registry/', { revision: rev - 5 });
    assert.equal(text(old.items[0]?.value), '14');
    await assert.rejects(b.list('/registry/', { revision: rev - 6 }), CompactedError);
  } finally {
    await b.close();
  }
});

test('sqlite: with the default retention, a small log is not compacted', async () => {
  const b = SqliteBackend.open(tempPath());
  try {
    let rev = await b.create('/registry/a', bytes('0'));
    for (let i = 1; i < 10; i++) rev = await b.update('/registry/a', bytes(`${i}`), rev);
    await b.compact(rev);
    assert.equal(await b.compactedRevision(), 0);
  } finally {
    await b.close();
  }
});

test('sqlite: compaction while a watch reads its history ends that watch with CompactedError', async () => {
  const b = SqliteBackend.open(tempPath(), { compactMinRetain: 0 });
  try {
    let rev = await b.create('/registry/a', bytes('0'));
    for (let i = 1; i < 1200; i++) rev = await b.update('/registry/a', bytes(`${i}`), rev);
    const ac = new AbortController();
    const it = b.watch('/registry/', 0, ac.signal)[Symbol.asyncIterator]();
    assert.equal((await it.next()).value?.kv.modRevision, 1); // reads the first page of history
    await b.compact(rev);
    await assert.rejects(async () => {
      for (;;) if ((await it.next()).done) break;
    }, CompactedError);
    ac.abort();
  } finally {
    await b.close();
  }
});

test('sqlite: a watcher that falls behind its buffer ends with WatchOverflowError, others continue', async () => {
  const b = SqliteBackend.open(tempPath(), { watchBufferLimit: 10 });
  try {
    const ac = new AbortController();
    const slow = b.watch('/registry/', 0, ac.signal)[Symbol.asyncIterator]();
    const fast = b.watch('/registry/', 0, ac.signal)[Symbol.asyncIterator]();
    const fastSeen: number[] = [];
    for (let i = 0; i < 25; i++) {
      await b.create(`/registry/k${i}`, bytes(`${i}`)); // the writer is never blocked
      fastSeen.push((await fast.next()).value!.kv.modRevision);
    }
    await assert.rejects(slow.next(), (err: unknown) => {
      assert.ok(err instanceof WatchOverflowError);
      assert.equal(err.limit, 10);
      return true;
    });
    assert.equal((await slow.next()).done, true, 'after the error the watch is over');
    assert.equal(fastSeen.length, 25);
    assert.deepEqual(fastSeen, Array.from({ length: 25 }, (_, i) => i + 1));
    ac.abort();
  } finally {
    await b.close();
  }
});

test('sqlite: the empty prefix lists, counts and watches every key', async () => {
  const b = SqliteBackend.open(tempPath());
  try {
    await b.create('/registry/a', bytes('a'));
    await b.create('/zzz', bytes('z'));
    await b.create('\u{10ffff}', bytes('max'));
    assert.deepEqual((await b.list('')).items.map((kv) => kv.key), ['/registry/a', '/zzz', '\u{10ffff}']);
    assert.equal(await b.count(''), 3);
    const page = await b.list('', { limit: 1, startKey: '/s' });
    assert.deepEqual([page.items.map((kv) => kv.key), page.more, page.remaining], [['/zzz'], true, 1]);
    const ac = new AbortController();
    const it = b.watch('', 0, ac.signal)[Symbol.asyncIterator]();
    const keys: string[] = [];
    for (let i = 0; i < 3; i++) keys.push((await it.next()).value!.kv.key);
    assert.deepEqual(keys, ['/registry/a', '/zzz', '\u{10ffff}']);
    ac.abort();
  } finally {
    await b.close();
  }
});

test('sqlite: refuses what it does not support, naming it', async () => {
  assert.throws(() => SqliteBackend.open(tempPath(), { compactMinRetain: -1 }), /compactMinRetain/);
  const b = SqliteBackend.open(tempPath());
  try {
    await b.create('/registry/a', bytes('a'));
    await assert.rejects(b.list('/registry/', { revision: 99 }), /future revision/);
    await assert.rejects(b.list('/registry/', { limit: -1 }), /limit/);
    await assert.rejects(b.create('', bytes('x')), /non-empty/);
  } finally {
    await b.close();
  }
  await assert.rejects(b.get('/registry/a'), /closed/);
});

test('sqlite: startCompactor compacts to current - retain until stopped', async () => {
  const b = SqliteBackend.open(tempPath(), { compactMinRetain: 0 });
  const errors: unknown[] = [];
  const stop = startCompactor(b, { intervalMs: 10, retain: 3, onError: (err) => errors.push(err) });
  try {
    let rev = await b.create('/registry/a', bytes('0'));
    for (let i = 1; i < 20; i++) rev = await b.update('/registry/a', bytes(`${i}`), rev);
    await waitFor('compaction to current - 3', async () => (await b.compactedRevision()) === rev - 3);
    stop();
    rev = await b.update('/registry/a', bytes('more'), rev);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(await b.compactedRevision(), rev - 4, 'no compaction after stop');
    assert.deepEqual(errors, []);
  } finally {
    stop();
    await b.close();
  }
});
