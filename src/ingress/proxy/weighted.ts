/**
 * Splitting a route's traffic between its weighted clusters (Contour §2.5: `weighted_clusters`).
 * Envoy draws a random number per request; we use smooth weighted round-robin (as nginx does), so
 * the split is exact over every `totalWeight` requests and spread evenly inside them — a canary at
 * 10 % gets 1 request in 10, not 10 in a burst — and tests need no tolerance for luck.
 */

export class SmoothWeighted<T> {
  private readonly current: number[];
  private readonly total: number;

  constructor(readonly items: ReadonlyArray<{ readonly item: T; readonly weight: number }>) {
    this.current = items.map(() => 0);
    this.total = items.reduce((n, i) => n + Math.max(0, i.weight), 0);
  }

  /** The next item; undefined when there are none. With every weight 0, the first. */
  next(): T | undefined {
    const n = this.items.length;
    if (n === 0) return undefined;
    if (n === 1 || this.total === 0) return this.items[0].item;
    let best = -1;
    for (let i = 0; i < n; i++) {
      const w = Math.max(0, this.items[i].weight);
      if (w === 0) continue;
      this.current[i] += w;
      if (best < 0 || this.current[i] > this.current[best]) best = i;
    }
    this.current[best] -= this.total;
    return this.items[best].item;
  }
}

/** Random by weight, for callers that want Envoy's draw; `random()` in [0, 1). */
export function pickByWeight<T>(items: ReadonlyArray<{ readonly item: T; readonly weight: number }>, random: () => number = Math.random): T | undefined {
  const total = items.reduce((n, i) => n + Math.max(0, i.weight), 0);
  if (items.length === 0) return undefined;
  if (total === 0) return items[0].item;
  let x = random() * total;
  for (const i of items) {
    const w = Math.max(0, i.weight);
    if (x < w) return i.item;
    x -= w;
  }
  return items[items.length - 1].item;
}
