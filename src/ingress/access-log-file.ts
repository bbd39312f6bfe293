/**
 * Where the proxy's access log goes: a file (created with its folder) or `/dev/stdout`, written
 * through pino's asynchronous destination, which gathers the lines that come while a write is
 * under way into the next one, so a busy proxy does not make a system call per request.
 */
import { dirname } from 'node:path';
import { mkdirSync } from 'node:fs';
import { pino } from 'pino';
import type { AccessLogFormat } from './proxy/index.js';

export interface AccessLogFile {
  readonly format: AccessLogFormat;
  write(line: string): void;
  /** Writes out what is buffered and closes the file. */
  close(): void;
}

export const ACCESS_LOG_FORMATS: readonly AccessLogFormat[] = ['envoy', 'json'];

export function openAccessLog(path: string, format: AccessLogFormat): AccessLogFile {
  const stdout = path === '/dev/stdout' || path === '-';
  if (!stdout) mkdirSync(dirname(path), { recursive: true });
  const dest = pino.destination({ dest: stdout ? 1 : path, sync: false });
  let closed = false;
  return {
    format,
    write: (line) => {
      if (!closed) dest.write(line);
    },
    close: () => {
      if (closed) return;
      closed = true;
      dest.flushSync();
      if (!stdout) dest.end();
    },
  };
}
