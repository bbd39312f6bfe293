/**
 * Human-readable durations, as k8s.io/apimachinery/pkg/util/duration prints them, and the
 * printers' `translateTimestampSince` built on top (the AGE column and friends).
 *
 * Both functions take milliseconds. Like Go's `int(d.Seconds())`, fractions are truncated toward
 * zero, and up to one second of clock skew into the future still reads as `0s`.
 */

/** `time.Time{}` as Go marshals it: `0001-01-01T00:00:00Z`. */
const GO_ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** `HumanDuration`: ~2–3 significant figures (`90s`, `3m10s`, `70m`, `5h`, `2d3h`, `45d`, `2y30d`, `9y`). */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;

  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;

  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    const days = Math.trunc(hours / 24);
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.trunc(hours / 24);
    const years = Math.trunc(days / 365);
    const dy = days % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** `ShortHumanDuration`: one unit only (`59s`, `1m`, `23h`, `364d`, `2y`). */
export function shortHumanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.trunc(hours / 24)}d`;
  return `${Math.trunc(ms / HOUR / 24 / 365)}y`;
}

/**
 * Parses an RFC 3339 timestamp (`metav1.Time` or `metav1.MicroTime`) into epoch milliseconds.
 * Absent, unparsable and Go's zero time (`0001-01-01T00:00:00Z`) all count as zero: `undefined`.
 */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || ms === GO_ZERO_TIME) return undefined;
  return ms;
}

/** The printers' `translateTimestampSince`: `<unknown>` for a zero time, else the age. */
export function translateTimestampSince(value: unknown, now: Date): string {
  const ms = parseTimestamp(value);
  if (ms === undefined) return '<unknown>';
  return humanDuration(now.getTime() - ms);
}
