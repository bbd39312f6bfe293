/**
 * Container logs in the CRI format that containerd and CRI-O write and kubelet reads
 * (`2016-10-06T00:17:09.669794202Z stdout F line`; `P` marks a partial line, cut because it was
 * longer than the runtime's buffer), and kubelet's selection for `GET /containerLogs`
 * (tailLines, sinceTime, limitBytes, timestamps), as pure functions. The shells write files with
 * {@link splitLines} + {@link formatCriLine} and serve them with {@link selectLog}.
 */

export type LogStream = 'stdout' | 'stderr';

export interface CriEntry {
  /** As written: RFC3339 with nine fractional digits. */
  readonly time: string;
  /** Milliseconds since the epoch (for sinceTime). */
  readonly ms: number;
  readonly stream: LogStream;
  readonly partial: boolean;
  /** The text, without the newline. */
  readonly content: string;
}

/** containerd's maximum line: longer lines are cut into partial entries. */
export const MAX_LINE_BYTES = 16 * 1024;

/** `2016-10-06T00:17:09.669794202Z` from nanoseconds since the epoch (always nine digits, as containerd writes). */
export function criTimestamp(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}

/** Go's RFC3339Nano (trailing zeros of the fraction dropped), as kubelet prints `--timestamps`. */
export function rfc3339Nano(time: string): string {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(time);
  if (!m) return time;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  return frac ? `${m[1]}.${frac}Z` : `${m[1]}Z`;
}

export function formatCriLine(time: string, stream: LogStream, partial: boolean, content: string): string {
  return `${time} ${stream} ${partial ? 'P' : 'F'} ${content}\n`;
}

/** One line of a CRI log file (without its newline), or undefined when it is not one. */
export function parseCriLine(line: string): CriEntry | undefined {
  const a = line.indexOf(' ');
  const b = a < 0 ? -1 : line.indexOf(' ', a + 1);
  const c = b < 0 ? -1 : line.indexOf(' ', b + 1);
  if (c < 0) return undefined;
  const time = line.slice(0, a);
  const stream = line.slice(a + 1, b);
  const tag = line.slice(b + 1, c);
  if ((stream !== 'stdout' && stream !== 'stderr') || (tag !== 'P' && tag !== 'F')) return undefined;
  const ms = Date.parse(time.replace(/(\.\d{3})\d*Z$/, '$1Z'));
  if (Number.isNaN(ms)) return undefined;
  return { time, ms, stream, partial: tag === 'P', content: line.slice(c + 1) };
}

/**
 * Cut a stream's output into log lines: `pending` (text carried from the last chunk) plus
 * `chunk`. Complete lines come out full; a line longer than `maxBytes` comes out in partial
 * pieces; the unfinished rest is carried. At the end of the stream (`end`), the rest comes out
 * as a full line.
 */
export function splitLines(pending: string, chunk: string, end = false, maxBytes = MAX_LINE_BYTES): { lines: { partial: boolean; content: string }[]; pending: string } {
  const lines: { partial: boolean; content: string }[] = [];
  let text = pending + chunk;
  for (;;) {
    const nl = text.indexOf('\n');
    if (nl < 0) break;
    let line = text.slice(0, nl);
    text = text.slice(nl + 1);
    while (Buffer.byteLength(line) > maxBytes) {
      const cut = cutAt(line, maxBytes);
      lines.push({ partial: true, content: line.slice(0, cut) });
      line = line.slice(cut);
    }
    lines.push({ partial: false, content: line });
  }
  while (Buffer.byteLength(text) > maxBytes) {
    const cut = cutAt(text, maxBytes);
    lines.push({ partial: true, content: text.slice(0, cut) });
    text = text.slice(cut);
  }
  if (end && text) {
    lines.push({ partial: false, content: text });
    text = '';
  }
  return { lines, pending: text };
}

/** The longest prefix of `s` (in UTF-16 units) within `maxBytes` UTF-8 bytes. */
function cutAt(s: string, maxBytes: number): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const code = s.codePointAt(i)!;
    const n = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes + n > maxBytes) return Math.max(1, i);
    bytes += n;
    if (code >= 0x10000) i++;
  }
  return s.length;
}

/** kubelet's PodLogOptions, as the log server parses them. */
export interface LogQuery {
  readonly tailLines?: number;
  /** Entries before this (ms since the epoch) are skipped (sinceTime, or now − sinceSeconds). */
  readonly sinceMs?: number;
  readonly limitBytes?: number;
  readonly timestamps?: boolean;
}

/** What one entry prints as: its text (a full line ends with a newline), after its timestamp when asked. */
export function renderEntry(e: CriEntry, timestamps: boolean): string {
  return `${timestamps ? `${rfc3339Nano(e.time)} ` : ''}${e.content}${e.partial ? '' : '\n'}`;
}

/**
 * The index of the first of the last `n` lines of `lines` (kubelet's tail.FindTailLineStartIndex
 * counts the file's lines, partial ones included).
 */
export function tailStart(lineCount: number, n: number | undefined): number {
  if (n === undefined || n < 0) return 0;
  return Math.max(0, lineCount - n);
}

/**
 * Select and render a whole CRI log text for a query: tail first, then since, then the byte
 * limit (a partial last entry is cut, as kubelet's LimitWriter does). Returns the text and the
 * bytes left of the limit (for a follower to carry on).
 */
export function selectLog(text: string, q: LogQuery): { out: string; remaining?: number } {
  const raw = text.split('\n');
  if (raw[raw.length - 1] === '') raw.pop();
  let out = '';
  let remaining = q.limitBytes;
  for (let i = tailStart(raw.length, q.tailLines); i < raw.length; i++) {
    const e = parseCriLine(raw[i]);
    if (!e) continue;
    if (q.sinceMs !== undefined && e.ms < q.sinceMs) continue;
    const r = renderEntry(e, q.timestamps ?? false);
    if (remaining !== undefined) {
      const piece = limitBytes(r, remaining);
      out += piece;
      remaining -= Buffer.byteLength(piece);
      if (remaining <= 0) break;
    } else out += r;
  }
  return { out, remaining };
}

/** The first `n` bytes of `s` (whole characters only). */
export function limitBytes(s: string, n: number): string {
  if (Buffer.byteLength(s) <= n) return s;
  return Buffer.from(s).subarray(0, n).toString('utf8').replace(/\uFFFD$/, '');
}
