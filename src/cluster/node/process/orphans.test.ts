import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killLeftoverGroups, processStartTime, recordGroup } from './orphans.js';

test('a later agent kills the process groups an earlier one left behind, and nothing else', { skip: process.platform !== 'linux' && 'needs /proc' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-orphans-'));
  const child = spawn('sh', ['-c', 'sleep 30 & wait'], { detached: true, stdio: 'ignore' });
  try {
    await new Promise((r) => child.once('spawn', r));
    recordGroup(dir, 'c', child.pid!);
    assert.ok(processStartTime(child.pid!));
    const exited = new Promise((r) => child.once('exit', r));
    assert.equal(killLeftoverGroups(dir), 1);
    await exited;
    assert.equal(killLeftoverGroups(dir), 0, 'the record is gone');
  } finally {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already dead */
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
