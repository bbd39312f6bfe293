import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareCodePoints } from './latest-cache.js';
import { SqliteBackend, type Backend, type KeyValue } from './index.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const plain = (kv: KeyValue | undefined) =>
  kv && { key: kv.key, value: Buffer.from(kv.value).toString('utf8'), createRevision: kv.createRevision, modRevision: kv.modRevision };

/** A small deterministic PRNG (mulberry32), so a failure replays. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('compareCodePoints orders as SQLite does (UTF-8 bytes)', () => {
  const words = ['a', 'b', 'ab', '', '\u{1F600}', '\uE000', '\uFFFF', '\uD7FF', 'a\u{10000}', 'a\uFFFD', 'a\u00e9', 'z'];
  for (const x of words) {
    for (const y of words) {
      assert.equal(Math.sign(compareCodePoints(x, y)), Math.sign(Buffer.compare(Buffer.from(x), Buffer.from(y))), `${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
    }
  }
});

/*
 * The cache against the database it stands in for: the same random writes go to a backend with
 * the list cache and one without; after each, lists (whole, paged, from a start key), counts and
 * gets must agree exactly, and so must lists at older revisions (which the cache never serves).
 */
for (const seed of [1, 2, 3]) {
  test(`the list cache answers as the database does (random writes, seed ${seed})`, async () => {
    const rnd = random(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const cached = SqliteBackend.open(':memory:', { compactMinRetain: 0 });
    const plainDb = SqliteBackend.open(':memory:', { compactMinRetain: 0, listCacheDepth: 0 });
    const names = ['a', 'b', 'c', 'web-1', 'web-10', 'web-2', 'x\u{1F600}', 'x\uE000', 'x\uFFFF', 'xy'];
    const dirs = ['/registry/core/pods/ns1/', '/registry/core/pods/ns2/', '/registry/core/pods/', '/registry/core/podsx/ns1/', '/registry/apps/deployments/ns1/'];
    const keys = dirs.flatMap((d) => names.map((n) => d + n));
    const prefixes = [...dirs, '/registry/core/pods/ns', '/registry/core/', '/registry/', '/registry/core/pods/ns1/x'];
    const revisions: number[] = [];
    try {
      for (let step = 0; step < 600; step++) {
        const key = pick(keys);
        const op = rnd();
        const outcome = async (b: Backend): Promise<string> => {
          try {
            if (op < 0.45) return `created ${await b.create(key, bytes(`${key}@${step}`))}`;
            const cur = await b.get(key);
            if (op > 0.9) return `re-created ${await b.delete(key)} ${await b.create(key, bytes(`${key}@${step}`))}`;
            if (op < 0.8) return `updated ${await b.update(key, bytes(`${key}@${step}`), cur?.modRevision ?? 1)}`;
            return `deleted ${await b.delete(key, rnd() < 0.5 ? cur?.modRevision : undefined)}`;
          } catch (e) {
            return (e as Error).name;
          }
        };
        assert.equal(await outcome(cached), await outcome(plainDb), `step ${step}: ${key}`);
        revisions.push(await plainDb.currentRevision());
        // Reads at some steps only, so several writes (and a delete and re-create) fall between two.
        if (rnd() < 0.6) continue;
        for (const prefix of prefixes) {
          const limit = pick([0, 1, 2, 5]);
          const startKey = rnd() < 0.5 ? pick(keys) : undefined;
          const at = rnd() < 0.2 ? pick(revisions) : undefined;
          const a = await cached.list(prefix, { limit, startKey, revision: at });
          const b = await plainDb.list(prefix, { limit, startKey, revision: at });
          assert.deepEqual(
            { ...a, items: a.items.map(plain) },
            { ...b, items: b.items.map(plain) },
            `step ${step}: list ${prefix} limit ${limit} from ${startKey} at ${at}`,
          );
          assert.equal(await cached.count(prefix), await plainDb.count(prefix), `step ${step}: count ${prefix}`);
        }
        const probe = pick(keys);
        assert.deepEqual(plain(await cached.get(probe)), plain(await plainDb.get(probe)), `step ${step}: get ${probe}`);
      }
    } finally {
      await cached.close();
      await plainDb.close();
    }
  });
}

test('a cached list hands out the KeyValue its watch event carried, and keeps its own copy of the value', async () => {
  const b = SqliteBackend.open(':memory:');
  try {
    await b.list('/registry/core/configmaps/');
    const value = bytes('one');
    const events = b.watch('/registry/core/configmaps/', await b.currentRevision(), new AbortController().signal)[Symbol.asyncIterator]();
    await b.create('/registry/core/configmaps/ns/a', value);
    value.set(bytes('two'));
    const ev = await events.next();
    const [item] = (await b.list('/registry/core/configmaps/ns/')).items;
    assert.equal(item, ev.value.kv);
    assert.equal(Buffer.from(item!.value).toString(), 'one');
    await events.return?.();
  } finally {
    await b.close();
  }
});
