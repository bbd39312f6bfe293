/**
 * Go's text forms that cluster-autoscaler's users read and parse: durations (`time.ParseDuration`,
 * `Duration.String()`), `time.Time.String()` and `%v` of a float64. Durations are milliseconds.
 */

const UNITS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Which of Go's three messages `time.ParseDuration` gives for an invalid `s`. */
function durationError(s: string, text: string): string {
  let rest = s.replace(/^[+-]/, '');
  while (rest !== '') {
    const num = /^(\d+(?:\.\d*)?|\.\d+)/.exec(rest);
    if (!num) break;
    rest = rest.slice(num[0].length);
    const unit = /^[^\d.]*/.exec(rest)![0];
    if (unit === '') return `time: missing unit in duration "${text}"`;
    if (!(unit in UNITS)) return `time: unknown unit "${unit}" in duration "${text}"`;
    rest = rest.slice(unit.length);
  }
  return `time: invalid duration "${text}"`;
}

/** `time.ParseDuration`: `10m`, `1h30m`, `0`, `-1.5h`, `300ms`; throws on anything else. */
export function parseGoDuration(text: string): number {
  const s = text.trim();
  if (s === '0' || s === '+0' || s === '-0') return 0;
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(s);
  if (!m || s === '') throw new Error(durationError(s, text));
  let total = 0;
  for (const part of s.replace(/^[+-]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * UNITS[part[2]];
  }
  return m[1] === '-' ? -total : total;
}

/** `Duration.String()` for whole milliseconds: `3m0s`, `15m30s`, `1h0m0s`, `500ms`, `0s`. */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(Math.round(ms));
  if (rest < 1000) return `${sign}${rest}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const sec = rest / 1000;
  // Go prints seconds with the fraction trimmed: 1.5s, 2s.
  const secText = `${Number.isInteger(sec) ? sec : String(sec)}s`;
  if (h > 0) return `${sign}${h}h${m}m${secText}`;
  if (m > 0) return `${sign}${m}m${secText}`;
  return `${sign}${secText}`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/**
 * `time.Time.String()` of a UTC time without the monotonic reading:
 * `2018-09-17 12:00:00.1234 +0000 UTC` (fraction trimmed of trailing zeros, none when whole);
 * `undefined` (Go's zero time) prints `0001-01-01 00:00:00 +0000 UTC`.
 */
export function formatGoTime(ms: number | undefined): string {
  if (ms === undefined) return '0001-01-01 00:00:00 +0000 UTC';
  const d = new Date(ms);
  const frac = d.getUTCMilliseconds();
  const fracText = frac === 0 ? '' : `.${pad(frac, 3).replace(/0+$/, '')}`;
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${fracText} +0000 UTC`
  );
}

/** RFC 3339 in UTC with second precision (`metav1.Time` in JSON): `2023-11-24T04:28:19Z`. */
export function formatRfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
