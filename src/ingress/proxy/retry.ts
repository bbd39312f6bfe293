/**
 * Retry and timeout decisions for a route (Contour §2.3, §2.4, §5.3), as Envoy's router makes them.
 * Pure: an attempt's outcome in, "retry or not" out.
 */
import type { RetryPolicy, Timeout } from '../dag/index.js';

/** Envoy's default route timeout, when Contour sets none. */
export const DEFAULT_ROUTE_TIMEOUT_MS = 15_000;

/** What one attempt to an upstream came to. */
export type AttemptOutcome =
  | { readonly kind: 'response'; readonly status: number }
  | { readonly kind: 'connect-failure' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'per-try-timeout' };

/** The route timeout in ms; undefined = none (infinite). */
export function routeTimeoutMs(t: Timeout): number | undefined {
  if (t.kind === 'unset') return DEFAULT_ROUTE_TIMEOUT_MS;
  if (t.kind === 'infinite') return undefined;
  return t.ms;
}

/** The per-try timeout in ms; undefined = bounded only by the route timeout. */
export function perTryTimeoutMs(p: RetryPolicy | undefined): number | undefined {
  return p && p.perTryTimeout.kind === 'duration' ? p.perTryTimeout.ms : undefined;
}

/**
 * Whether an outcome is one the policy's `retry_on` names. `5xx` covers any 5xx and every attempt
 * that got no response (connect failure, reset, per-try timeout); `gateway-error` covers 502, 503,
 * 504 and the same no-response cases; `connect-failure`, `reset` and `retriable-4xx` (409) are
 * narrower.
 */
export function retriable(retryOn: string, o: AttemptOutcome): boolean {
  for (const raw of retryOn.split(',')) {
    const cond = raw.trim();
    switch (cond) {
      case '5xx':
        if (o.kind !== 'response' || o.status >= 500) return true;
        break;
      case 'gateway-error':
        if (o.kind !== 'response' || o.status === 502 || o.status === 503 || o.status === 504) return true;
        break;
      case 'connect-failure':
        if (o.kind === 'connect-failure') return true;
        break;
      case 'reset':
        if (o.kind === 'reset' || o.kind === 'per-try-timeout') return true;
        break;
      case 'retriable-4xx':
        if (o.kind === 'response' && o.status === 409) return true;
        break;
      default:
        break;
    }
  }
  return false;
}

/**
 * Retry after attempt number `attempt` (1 = the first try)? Only when the policy names the
 * outcome, retries are left (`numRetries`; 0 means Envoy's default of 1), and the route's
 * deadline has not passed.
 */
export function shouldRetry(p: RetryPolicy | undefined, o: AttemptOutcome, attempt: number, deadlinePassed = false): boolean {
  if (!p || deadlinePassed) return false;
  if (o.kind === 'response' && o.status < 500 && o.status !== 409) return false;
  const retries = p.numRetries > 0 ? p.numRetries : 1;
  return attempt <= retries && retriable(p.retryOn, o);
}

/** Envoy's fully jittered back-off between retries: base 25 ms, doubling, capped at 250 ms. */
export function retryBackoffMs(attempt: number, random: () => number = Math.random): number {
  const cap = Math.min(250, 25 * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * cap);
}
