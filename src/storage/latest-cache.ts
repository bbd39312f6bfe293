/**
 * The newest live KeyValue of every key under one prefix, held in memory and kept in step with the
 * log by the backend that owns it (kube-apiserver's watch cache, for a store whose writes all pass
 * through this process). Lists at the current revision are served from it in key order without
 * reading the database, and they hand out the very KeyValue objects that watch events carry, so
 * whatever a caller caches per KeyValue (rendered JSON) is shared between watches, gets and lists.
 *
 * Keys are kept in an array sorted lazily: a create appends, a delete only drops the map entry,
 * and the array is put back in order (and pruned) at the next read. Appends in key order, the usual
 * case (generated and sequential names under one namespace), keep it sorted for free.
 */

import type { KeyValue } from './backend.js';

export class LatestCache {
  private readonly byKey = new Map<string, KeyValue>();
  /** Every live key, plus keys deleted since the last prune (in `gone`); sorted unless `unsorted`. */
  private keys: string[] = [];
  private unsorted = false;
  private readonly gone = new Set<string>();
  /** Some key has a code unit >= U+D800, where UTF-16 order differs from SQLite's code point order. */
  private exotic = false;

  constructor(readonly prefix: string) {}

  get size(): number {
    return this.byKey.size;
  }

  /** Fill from a list of the whole prefix, in key order (the cache must be empty). */
  load(items: readonly KeyValue[]): void {
    for (const kv of items) {
      this.byKey.set(kv.key, kv);
      this.keys.push(kv.key);
      if (!this.exotic && isExotic(kv.key)) this.exotic = true;
    }
  }

  get(key: string): KeyValue | undefined {
    return this.byKey.get(key);
  }

  /** A create or an update of `kv.key`. */
  put(kv: KeyValue): void {
    const key = kv.key;
    const known = this.byKey.has(key);
    this.byKey.set(key, kv);
    if (known) return;
    // Deleted and created again before a read: its slot in `keys` is still there.
    if (this.gone.delete(key)) return;
    if (!this.exotic && isExotic(key)) this.exotic = true;
    const last = this.keys[this.keys.length - 1];
    if (last !== undefined && !this.unsorted && this.compare(key, last) < 0) this.unsorted = true;
    this.keys.push(key);
  }

  delete(key: string): void {
    if (this.byKey.delete(key)) this.gone.add(key);
  }

  /** Live items with lo <= key < hi (hi undefined: to the end), from the start of that range. */
  range(lo: string, hi: string | undefined, limit: number): { items: KeyValue[]; more: boolean; total: number } {
    const keys = this.sortedKeys();
    const from = this.lowerBound(keys, lo);
    const to = hi === undefined ? keys.length : this.lowerBound(keys, hi);
    const total = Math.max(0, to - from);
    const n = limit > 0 ? Math.min(limit, total) : total;
    const items = new Array<KeyValue>(n);
    for (let i = 0; i < n; i++) items[i] = this.byKey.get(keys[from + i]!)!;
    return { items, more: n < total, total };
  }

  /** Number of live keys with lo <= key < hi. */
  count(lo: string, hi: string | undefined): number {
    const keys = this.sortedKeys();
    return (hi === undefined ? keys.length : this.lowerBound(keys, hi)) - this.lowerBound(keys, lo);
  }

  private sortedKeys(): string[] {
    if (this.gone.size > 0) {
      this.keys = this.keys.filter((k) => this.byKey.has(k));
      this.gone.clear();
    }
    if (this.unsorted) {
      if (this.exotic) this.keys.sort((a, b) => this.compare(a, b));
      else this.keys.sort();
      this.unsorted = false;
    }
    return this.keys;
  }

  /** The first index whose key is >= `key`. */
  private lowerBound(keys: readonly string[], key: string): number {
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(keys[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** UTF-16 order is code point order unless both strings hold units >= U+D800, so `<` does until a key does. */
  private compare(a: string, b: string): number {
    if (this.exotic) return compareCodePoints(a, b);
    return a < b ? -1 : a > b ? 1 : 0;
  }
}

function isExotic(s: string): boolean {
  return /[\ud800-\uffff]/.test(s);
}

/**
 * Order by Unicode code point, which is SQLite's BINARY order on UTF-8 text. JavaScript's `<`
 * compares UTF-16 code units, which puts a surrogate pair (U+10000 and up) before U+E000–U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

/** Surrogates (0xD800–0xDFFF) move above 0xE000–0xFFFF; comparing at the first differing unit is then exact. */
function rank(unit: number): number {
  return unit < 0xd800 ? unit : unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}
