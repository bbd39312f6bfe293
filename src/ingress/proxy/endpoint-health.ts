/**
 * Whether an endpoint may take traffic: active HTTP health checks (Contour §2.2, Envoy's
 * thresholds) and passive ejection of endpoints that keep failing (Envoy's outlier detection).
 * Pure state machines; the clock is a parameter so the tests are tables.
 *
 * Active: a new endpoint of a health-checked cluster takes no traffic until its first check passes
 * (Envoy's default); then `unhealthyThreshold` consecutive failures take it out and
 * `healthyThreshold` consecutive passes put it back.
 *
 * Passive (our defaults, stated since Contour v0.15 sets no outlier detection): `consecutive`
 * gateway failures in a row (connect failure, reset, 502/503/504) eject an endpoint for
 * `baseEjectionMs` × times ejected (capped), and at most half of a cluster's endpoints (at least
 * one) are ejected at once, so a bad deploy cannot eject a healthy cluster to zero.
 */

export interface ActiveHealth {
  readonly healthy: boolean;
  /** Consecutive results in the current direction. */
  readonly streak: number;
  /** True until the first check completes. */
  readonly pending: boolean;
}

export const NEW_ACTIVE_HEALTH: ActiveHealth = { healthy: false, streak: 0, pending: true };

export function afterCheck(h: ActiveHealth, passed: boolean, thresholds: { healthy: number; unhealthy: number }): ActiveHealth {
  if (h.pending) return { healthy: passed, streak: 0, pending: false };
  if (h.healthy) {
    if (passed) return { healthy: true, streak: 0, pending: false };
    const streak = h.streak + 1;
    return streak >= thresholds.unhealthy ? { healthy: false, streak: 0, pending: false } : { healthy: true, streak, pending: false };
  }
  if (!passed) return { healthy: false, streak: 0, pending: false };
  const streak = h.streak + 1;
  return streak >= thresholds.healthy ? { healthy: true, streak: 0, pending: false } : { healthy: false, streak, pending: false };
}

export interface OutlierSettings {
  readonly consecutive: number;
  readonly baseEjectionMs: number;
  readonly maxEjectionMs: number;
}

export const DEFAULT_OUTLIER: OutlierSettings = { consecutive: 5, baseEjectionMs: 10_000, maxEjectionMs: 300_000 };

export interface Outlier {
  readonly failures: number;
  readonly ejectedUntil: number;
  readonly ejections: number;
}

export const NEW_OUTLIER: Outlier = { failures: 0, ejectedUntil: 0, ejections: 0 };

/** A gateway failure is what says "this endpoint is broken", as opposed to "this request is". */
export function isGatewayFailure(o: { kind: string; status?: number }): boolean {
  return o.kind !== 'response' || o.status === 502 || o.status === 503 || o.status === 504;
}

/**
 * The state after one request's outcome. `mayEject` says whether the cluster's ejection budget
 * allows one more ejected endpoint now.
 */
export function afterOutcome(o: Outlier, failed: boolean, now: number, mayEject: boolean, s: OutlierSettings = DEFAULT_OUTLIER): Outlier {
  if (!failed) return o.failures === 0 ? o : { ...o, failures: 0 };
  const failures = o.failures + 1;
  if (failures < s.consecutive || now < o.ejectedUntil || !mayEject) return { ...o, failures };
  const ejections = o.ejections + 1;
  return { failures: 0, ejections, ejectedUntil: now + Math.min(s.maxEjectionMs, s.baseEjectionMs * ejections) };
}

export function isEjected(o: Outlier, now: number): boolean {
  return now < o.ejectedUntil;
}

/** May one more of `total` endpoints be ejected while `ejected` are? At most half, at least one. */
export function ejectionAllowed(ejected: number, total: number): boolean {
  return ejected < Math.max(1, Math.floor(total / 2));
}
