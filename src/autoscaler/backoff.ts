/**
 * Exponential backoff of node groups whose scale-up failed (`backoff.exponentialBackoff`): 5 min at
 * first, doubled on each failure after the previous backoff expired, capped at 30 min, forgotten
 * after 3 h without failures.
 */

export interface BackoffOptions {
  readonly initialNodeGroupBackoffDuration: number;
  readonly maxNodeGroupBackoffDuration: number;
  readonly nodeGroupBackoffResetTimeout: number;
}

export interface BackoffEntry {
  readonly duration: number;
  readonly until: number;
  readonly lastFailed: number;
  /** `cloudProviderError`, `timeout`, … (the status ConfigMap's `backoffInfo.errorCode`). */
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** The entry after one more failure at `now`. */
export function backoff(prev: BackoffEntry | undefined, now: number, opts: BackoffOptions, error: { code: string; message: string }): BackoffEntry {
  let duration = opts.initialNodeGroupBackoffDuration;
  if (prev && prev.lastFailed + opts.nodeGroupBackoffResetTimeout >= now) {
    // Failures of concurrent scale-ups during one backoff must not lengthen it.
    duration = prev.until <= now ? Math.min(2 * prev.duration, opts.maxNodeGroupBackoffDuration) : prev.duration;
  }
  return { duration, until: now + duration, lastFailed: now, errorCode: error.code, errorMessage: error.message };
}

export function isBackedOff(entry: BackoffEntry | undefined, now: number): boolean {
  return entry !== undefined && entry.until > now;
}

/** Drop entries whose last failure is older than the reset timeout. */
export function removeStaleBackoff(entries: Readonly<Record<string, BackoffEntry>>, now: number, opts: BackoffOptions): Record<string, BackoffEntry> {
  const out: Record<string, BackoffEntry> = {};
  for (const [k, e] of Object.entries(entries)) if (e.lastFailed + opts.nodeGroupBackoffResetTimeout >= now) out[k] = e;
  return out;
}
