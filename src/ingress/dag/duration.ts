/**
 * Go durations and Contour's readings of them (spec §2.3, §2.4, §5.3). The quirks are kept on
 * purpose: a typo in a request timeout means "no timeout", and `0s` means "unset".
 */

/** What a route's timeout (or per-try timeout) is. `unset` leaves Envoy's default (15 s). */
export type Timeout = { kind: 'unset' } | { kind: 'infinite' } | { kind: 'duration'; ms: number };

const unitMs: Record<string, number> = {
  ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000,
};

/** `time.ParseDuration`, in milliseconds; undefined when Go would return an error. */
export function parseGoDuration(s: string): number | undefined {
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest[0] === '-') sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  const element = /^(\d*)(?:\.(\d*))?([^\d.]+)/;
  while (rest !== '') {
    const m = element.exec(rest);
    if (!m) return undefined;
    const [all, whole, frac, unit] = m;
    if (whole === '' && (frac === undefined || frac === '')) return undefined;
    // Go reads the whole run of non-digits as the unit, so "5sec" is an error.
    const u = unitMs[unit];
    if (u === undefined) return undefined;
    total += Number(`${whole || '0'}.${frac ?? ''}0`) * u;
    rest = rest.slice(all.length);
  }
  return sign * total;
}

/** Go's `time.Duration.String()` for a whole number of seconds (health-check fields). */
export function formatGoSeconds(seconds: number): string {
  if (seconds === 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/**
 * Contour's `parseTimeout`: blank → unset, `infinity` → infinite, unparseable → infinite (QUIRK),
 * zero → unset (QUIRK). A negative duration cannot be sent to Envoy; we read it as infinite
 * *(inferred)*.
 */
export function parseTimeout(s: string | undefined): Timeout {
  if (s === undefined || s === '') return { kind: 'unset' };
  if (s === 'infinity') return { kind: 'infinite' };
  const ms = parseGoDuration(s);
  if (ms === undefined || ms < 0) return { kind: 'infinite' };
  if (ms === 0) return { kind: 'unset' };
  return { kind: 'duration', ms };
}

/** Envoy's retry policy as the DAG holds it. `numRetries` 0 and `perTryTimeout` unset are left out of xDS. */
export interface RetryPolicy {
  retryOn: string;
  numRetries: number;
  perTryTimeout: Timeout;
}

/** IngressRoute `retryPolicy`: always `5xx`, at least one retry, a bad perTryTimeout is dropped. */
export function ingressRouteRetry(rp: { count?: number; perTryTimeout?: string } | undefined): RetryPolicy | undefined {
  if (rp === undefined || rp === null) return undefined;
  const ms = rp.perTryTimeout ? parseGoDuration(rp.perTryTimeout) : undefined;
  return {
    retryOn: '5xx',
    numRetries: Math.max(1, Math.trunc(rp.count ?? 0)),
    perTryTimeout: ms !== undefined && ms > 0 ? { kind: 'duration', ms } : { kind: 'unset' },
  };
}

/**
 * Ingress retry annotations. Unlike IngressRoute, an unparseable count is 0 (not sent) and an
 * unparseable per-try timeout is infinite (QUIRK, §5.3).
 */
export function ingressRetry(annotations: Record<string, string>): RetryPolicy | undefined {
  const retryOn = annotations['contour.heptio.com/retry-on'] ?? '';
  if (retryOn === '') return undefined;
  const n = annotations['contour.heptio.com/num-retries'] ?? '';
  const parsed = /^[+-]?\d+$/.test(n) ? Number(n) : 0;
  return {
    retryOn,
    numRetries: parsed > 0 && parsed <= 0xffffffff ? parsed : 0,
    perTryTimeout: parseTimeout(annotations['contour.heptio.com/per-try-timeout']),
  };
}
