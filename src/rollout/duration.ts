/**
 * Durations as flags take them: Go's `time.ParseDuration` units (`500ms`, `30s`, `5m`, `1h`,
 * `1m30s`), which is what kubectl's `--timeout` and Argo Rollouts users type, or a bare number of
 * seconds (what HEALTH_SECONDS has always been).
 */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds, or undefined when `text` is not a non-negative duration. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(t)) return undefined;
  let ms = 0;
  for (const m of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) ms += Number(m[1]) * UNIT_MS[m[2]];
  return Math.round(ms);
}

/** Go's `Duration.String()` shape for whole and tenth seconds: `0s`, `2.5s`, `1m30s`, `5m0s`, `1h0m0s`. */
export function formatDuration(ms: number): string {
  const tenths = Math.round(Math.max(0, ms) / 100);
  const h = Math.floor(tenths / 36_000);
  const m = Math.floor((tenths % 36_000) / 600);
  const s = (tenths % 600) / 10;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(1)}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}
