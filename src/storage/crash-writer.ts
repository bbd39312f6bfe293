/**
 * Helper process for crash.test.ts: opens the SQLite backend at argv[2] and creates keys in a loop
 * until it is killed, printing "<revision> <key>" on stdout once each create has been acknowledged
 * (its promise resolved). Lines go straight to fd 1 with a blocking write: process.stdout would queue
 * them in memory when the pipe is full, and this loop never yields to drain that queue.
 */

import { writeSync } from 'node:fs';
import { SqliteBackend } from './index.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: crash-writer <db-path>\n');
  process.exit(2);
}

const backend = SqliteBackend.open(file);
const value = new TextEncoder().encode(JSON.stringify({ kind: 'ConfigMap', data: { payload: 'x'.repeat(400) } }));
/** Write all of a line to fd 1; the pipe may be non-blocking (EAGAIN when the reader lags). */
function writeLine(line: string): void {
  let buf = Buffer.from(line);
  while (buf.length > 0) {
    try {
      buf = buf.subarray(writeSync(1, buf));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

for (let i = 0; ; i++) {
  const key = `/registry/configmaps/crash/cm-${i}`;
  const rev = await backend.create(key, value);
  writeLine(`${rev} ${key}\n`);
}
