/**
 * Picking an endpoint of a cluster by its load-balancing policy (Contour §2.1):
 * ROUND_ROBIN in turn; RANDOM uniformly; LEAST_REQUEST as Envoy does for equal weights — the less
 * busy of two random choices ("power of two choices"); RING_HASH by the session-affinity cookie,
 * so one client keeps one endpoint while the set is stable. Envoy hashes onto a ring; we use
 * rendezvous hashing, which gives the same guarantee (only the keys of a removed endpoint move)
 * without building a ring per change.
 */
import { createHash } from 'node:crypto';
import type { LbPolicy } from '../dag/index.js';

export interface BalancerState {
  /** Round-robin position. */
  rr: number;
}

export interface PickContext {
  /** In-flight requests per endpoint (LEAST_REQUEST). */
  readonly active?: (endpoint: string) => number;
  /** The hash key (RING_HASH): the session-affinity cookie's value. */
  readonly hashKey?: string;
  readonly random?: () => number;
}

function score(key: string, endpoint: string): bigint {
  return createHash('sha256').update(key).update('\0').update(endpoint).digest().readBigUInt64BE(0);
}

/** The endpoint to send a request to, of `healthy` (never empty: the caller answers 503 first). */
export function pickEndpoint(policy: LbPolicy, healthy: readonly string[], state: BalancerState, ctx: PickContext = {}): string {
  const n = healthy.length;
  if (n === 1) return healthy[0];
  const random = ctx.random ?? Math.random;
  switch (policy) {
    case 'RANDOM':
      return healthy[Math.floor(random() * n)];
    case 'LEAST_REQUEST': {
      const a = healthy[Math.floor(random() * n)];
      let b = healthy[Math.floor(random() * (n - 1))];
      if (b === a) b = healthy[n - 1];
      const active = ctx.active ?? (() => 0);
      return active(b) < active(a) ? b : a;
    }
    case 'RING_HASH': {
      if (ctx.hashKey === undefined) break; // no key: Envoy picks at random; round-robin is as good
      let best = healthy[0];
      let bestScore = score(ctx.hashKey, best);
      for (let i = 1; i < n; i++) {
        const s = score(ctx.hashKey, healthy[i]);
        if (s > bestScore) {
          best = healthy[i];
          bestScore = s;
        }
      }
      return best;
    }
    default:
      break;
  }
  const e = healthy[state.rr % n];
  state.rr = (state.rr + 1) % 1_000_000_007;
  return e;
}
