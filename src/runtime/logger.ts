/**
 * One way to log: pino JSON lines with a constant message and varying fields (`controller`,
 * `object`, `reconcileID`, `err`), at info or debug. On a TTY the lines are rendered for humans by
 * a small in-house formatter (pino-pretty is not a dependency).
 */
import { Writable } from 'node:stream';
import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

export type Logger = PinoLogger;
/** The values of `--log-level` (info is the default). */
export const LOG_LEVELS = ['info', 'debug'] as const;
/** `--log-level`: info (default) or debug; silent for tests. */
export type LogLevel = (typeof LOG_LEVELS)[number] | 'silent';

export interface LoggerOptions {
  readonly level?: LogLevel;
  /** Human-readable lines instead of JSON; default: whether stdout is a TTY. */
  readonly pretty?: boolean;
  /** Where lines go (default stdout). */
  readonly destination?: DestinationStream | NodeJS.WritableStream;
  /** Name field on every line (e.g. the component). */
  readonly name?: string;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const OMIT = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name']);

/** One JSON log line → `12:00:01.123 INFO  [name] message key=value …` (errors keep their stack). */
export function formatLogLine(line: string): string {
  let rec: Record<string, unknown>;
  try {
    rec = JSON.parse(line);
  } catch {
    return line;
  }
  const time = new Date(typeof rec.time === 'number' ? rec.time : Date.now()).toISOString().slice(11, 23);
  const level = (LEVEL_NAMES[rec.level as number] ?? String(rec.level)).padEnd(5);
  const name = rec.name ? ` [${rec.name}]` : '';
  const fields: string[] = [];
  let stack = '';
  for (const [k, v] of Object.entries(rec)) {
    if (OMIT.has(k)) continue;
    if (k === 'err' && v && typeof v === 'object') {
      const e = v as { message?: string; stack?: string };
      fields.push(`err=${JSON.stringify(e.message ?? '')}`);
      if (e.stack) stack = '\n    ' + e.stack.split('\n').slice(1).join('\n    ').trim();
      continue;
    }
    const s = typeof v === 'string' ? (/[\s"=]/.test(v) || v === '' ? JSON.stringify(v) : v) : JSON.stringify(v);
    fields.push(`${k}=${s}`);
  }
  return `${time} ${level}${name} ${rec.msg ?? ''}${fields.length ? ' ' + fields.join(' ') : ''}${stack}`;
}

/** A stream that turns pino's JSON lines into {@link formatLogLine} lines on `out`. */
export function prettyStream(out: NodeJS.WritableStream = process.stdout): Writable {
  let buf = '';
  return new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      buf += chunk.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        out.write(formatLogLine(buf.slice(0, i)) + '\n');
        buf = buf.slice(i + 1);
      }
      cb();
    },
  });
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const pretty = opts.pretty ?? Boolean(process.stdout.isTTY);
  const out = opts.destination ?? process.stdout;
  const dest = pretty ? prettyStream(out as NodeJS.WritableStream) : out;
  return pino({ level: opts.level ?? 'info', name: opts.name, base: undefined }, dest as DestinationStream);
}

/** A logger that writes nothing (the default of every component given none). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
