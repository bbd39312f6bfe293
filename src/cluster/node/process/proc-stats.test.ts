import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerUsage, parseProcStat, readProcTable, type ProcStat } from './proc-stats.js';
import { statsSummary } from './stats-summary.js';

// A real /proc/<pid>/stat line, with a command name that has a space and a parenthesis in it.
const LINE = '4242 (my (odd) cmd) S 1 4240 4240 0 -1 4194560 900 0 0 0 150 50 10 5 20 0 3 0 1941237 3133440 2560 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0';

test('a /proc stat line: pid, process group, CPU in nanoseconds (with reaped children), RSS in bytes', () => {
  assert.deepEqual(parseProcStat(LINE), { pid: 4242, pgrp: 4240, cpuNanos: 2.15e9, rssBytes: 2560 * 4096 });
  assert.equal(parseProcStat('garbage'), undefined);
  assert.equal(parseProcStat('12 (x) S'), undefined, 'cut short');
});

test('a container’s use: its process group, or its one process', () => {
  const p = (pid: number, pgrp: number, cpuNanos: number, rssBytes: number): [number, ProcStat] => [pid, { pid, pgrp, cpuNanos, rssBytes }];
  const table = new Map([p(10, 10, 1e9, 100), p(11, 10, 2e9, 200), p(12, 12, 5e9, 500), p(13, 1, 7e9, 700)]);
  assert.deepEqual(containerUsage(table, 10, true), { cpuNanos: 3e9, memoryBytes: 300 });
  assert.deepEqual(containerUsage(table, 12, false), { cpuNanos: 5e9, memoryBytes: 500 });
  assert.equal(containerUsage(table, 99, true), undefined, 'gone');
});

test('the Summary API: containers, their pods, and the node as the sum of its pods', () => {
  const table = new Map<number, ProcStat>([[10, { pid: 10, pgrp: 10, cpuNanos: 3e9, rssBytes: 3 << 20 }], [20, { pid: 20, pgrp: 1, cpuNanos: 1e9, rssBytes: 1 << 20 }]]);
  const t = Date.UTC(2026, 10, 27, 0, 0, 1, 250);
  const s = statsSummary('n1', t - 60_000, [
    { namespace: 'ns', pod: 'web', uid: 'u1', podStartedAt: t - 30_000, container: 'app', pid: 10, group: true, startedAt: t - 20_000 },
    { namespace: 'ns', pod: 'web', uid: 'u1', podStartedAt: t - 30_000, container: 'side', pid: 20, group: false, startedAt: t - 20_000 },
    { namespace: 'ns', pod: 'gone', uid: 'u2', podStartedAt: t, container: 'x', pid: 30, group: false, startedAt: t },
  ], table, t);
  const time = '2026-11-27T00:00:01.250Z';
  assert.deepEqual(s.node, { nodeName: 'n1', startTime: '2026-11-26T23:59:01Z', cpu: { time, usageCoreNanoSeconds: 4e9 }, memory: { time, workingSetBytes: 4 << 20, rssBytes: 4 << 20 } });
  assert.equal(s.pods.length, 1, 'a container that has exited is left out');
  assert.deepEqual(s.pods[0].podRef, { name: 'web', namespace: 'ns', uid: 'u1' });
  assert.deepEqual(s.pods[0].containers.map((c) => [c.name, c.cpu.usageCoreNanoSeconds, c.memory.workingSetBytes]), [['app', 3e9, 3 << 20], ['side', 1e9, 1 << 20]]);
  assert.equal(s.pods[0].cpu.usageCoreNanoSeconds, 4e9);
});

test('this process, read from the real /proc', async () => {
  const table = await readProcTable();
  const me = table.get(process.pid);
  assert.ok(me && me.rssBytes > 1 << 20 && me.cpuNanos > 0, 'its own memory and CPU');
});
