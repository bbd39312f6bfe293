/**
 * A string-keyed map whose snapshots cost O(buckets), not O(entries). Each DAG must be immutable
 * once returned, but copying a 10,000-entry Map per edit costs ~2 ms — more than the edit itself.
 * So entries live in fixed hash buckets; a snapshot shares them all, and the next write to a
 * bucket copies only that bucket.
 */
const BUCKETS = 256;

function bucketOf(k: string): number {
  // FNV-1a; any stable spread will do.
  let h = 0x811c9dc5;
  for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k.charCodeAt(i), 0x01000193);
  return (h >>> 0) % BUCKETS;
}

export class CowMap<V> implements ReadonlyMap<string, V> {
  /** Enumerable so that `assert.deepStrictEqual` compares contents (Map order is not compared). */
  readonly buckets: Array<Map<string, V>>;
  #owned: boolean[];
  #size = 0;

  constructor(buckets?: Array<Map<string, V>>, size = 0) {
    this.buckets = buckets ?? Array.from({ length: BUCKETS }, () => new Map<string, V>());
    this.#owned = new Array<boolean>(BUCKETS).fill(buckets === undefined);
    this.#size = size;
  }

  get size(): number {
    return this.#size;
  }
  get(k: string): V | undefined {
    return this.buckets[bucketOf(k)].get(k);
  }
  has(k: string): boolean {
    return this.buckets[bucketOf(k)].has(k);
  }
  set(k: string, v: V): this {
    const b = this.#own(bucketOf(k));
    if (!b.has(k)) this.#size++;
    b.set(k, v);
    return this;
  }
  delete(k: string): boolean {
    const i = bucketOf(k);
    if (!this.buckets[i].has(k)) return false;
    this.#own(i).delete(k);
    this.#size--;
    return true;
  }

  /** A read-only copy that later writes to this map do not affect. */
  snapshot(): ReadonlyMap<string, V> {
    this.#owned.fill(false);
    return new CowMap<V>([...this.buckets], this.#size);
  }

  #own(i: number): Map<string, V> {
    if (!this.#owned[i]) {
      this.buckets[i] = new Map(this.buckets[i]);
      this.#owned[i] = true;
    }
    return this.buckets[i];
  }

  *entries(): MapIterator<[string, V]> {
    for (const b of this.buckets) yield* b.entries();
  }
  *keys(): MapIterator<string> {
    for (const b of this.buckets) yield* b.keys();
  }
  *values(): MapIterator<V> {
    for (const b of this.buckets) yield* b.values();
  }
  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }
  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    for (const [k, v] of this.entries()) fn(v, k, this);
  }
}

/**
 * The keys of the buckets that differ between two snapshots of one CowMap lineage (a superset of
 * the keys whose values changed), or undefined when either is not a CowMap.
 */
export function changedKeys<V>(before: ReadonlyMap<string, V>, after: ReadonlyMap<string, V>): Set<string> | undefined {
  if (!(before instanceof CowMap) || !(after instanceof CowMap)) return undefined;
  const out = new Set<string>();
  for (let i = 0; i < after.buckets.length; i++) {
    if (before.buckets[i] === after.buckets[i]) continue;
    for (const k of before.buckets[i].keys()) out.add(k);
    for (const k of after.buckets[i].keys()) out.add(k);
  }
  return out;
}
