import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteBackend } from './index.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flotilla-crash-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
const writer = fileURLToPath(new URL('./crash-writer.js', import.meta.url));

test('sqlite: every acknowledged create survives kill -9 of the writing process', async () => {
  const file = path.join(dir, 'crash.sqlite');
  // Kill somewhere in the burst after at least 2000 acknowledgements.
  const killAfter = 2000 + Math.floor(Math.random() * 2000);
  const child = spawn(process.execPath, [writer, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));

  const acked = new Map<string, number>();
  let partial = '';
  const record = (line: string): void => {
    const [rev, key] = line.split(' ');
    assert.ok(rev && key, `malformed line from the writer: ${JSON.stringify(line)}`);
    acked.set(key, Number(rev));
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    for (const line of lines) record(line);
    if (acked.size >= killAfter && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  // Wait for the kill (stdout drained, process gone), with a deadline instead of a fixed sleep.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`writer did not reach ${killAfter} acknowledged writes in 60 s (got ${acked.size}); stderr: ${stderr}`));
    }, 60_000);
  });
  const { code, signal } = await Promise.race([exited, deadline]).finally(() => clearTimeout(timer));
  assert.equal(signal, 'SIGKILL', `writer exited on its own (code ${code}); stderr: ${stderr}`);
  assert.ok(acked.size >= killAfter, `only ${acked.size} acknowledged writes`);
  // A line cut off by the kill was never fully acknowledged; it is simply not counted.

  // The file is consistent after the crash.
  const raw = new Database(file);
  assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
  raw.close();

  const b = SqliteBackend.open(file);
  try {
    const maxAcked = Math.max(...acked.values());
    const current = await b.currentRevision();
    assert.ok(current >= maxAcked, `current revision ${current} is below the last acknowledged ${maxAcked}`);
    const missing: string[] = [];
    for (const [key, rev] of acked) {
      const kv = await b.get(key);
      if (kv?.modRevision !== rev || kv.createRevision !== rev) missing.push(`${key}@${rev} -> ${kv?.modRevision}`);
    }
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} acknowledged writes lost`);
    // Nothing beyond the acknowledged writes except, at most, writes that committed before their line was printed.
    const stored = await b.count('/registry/configmaps/crash/');
    assert.ok(stored >= acked.size && stored <= acked.size + 1, `stored ${stored}, acknowledged ${acked.size}`);
    // The log carries on from where it stopped.
    assert.equal(await b.create('/registry/configmaps/crash/after', new Uint8Array([1])), current + 1);
  } finally {
    await b.close();
  }
});
