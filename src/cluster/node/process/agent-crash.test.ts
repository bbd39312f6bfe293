/**
 * A crashed agent leaves no containers behind: the built-in images exit when the agent's end of
 * their stdin closes, and a later agent kills the command containers' process groups.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killLeftoverGroups } from './orphans.js';

const here = new URL('.', import.meta.url).href;

/** A child process running an agent (in-memory client) with an echo pod and a command pod; prints their pids. */
const SCRIPT = `
import { KubeConfig } from '@kubernetes/client-node';
import { readdirSync, readFileSync } from 'node:fs';
const { createFakeClient, kinds } = await import(new URL('../../../runtime/index.js', ${JSON.stringify(here)}));
const { startNodeAgent } = await import(new URL('../agent.js', ${JSON.stringify(here)}));
const client = createFakeClient();
const agent = await startNodeAgent({ kubeConfig: new KubeConfig(), client, signal: new AbortController().signal, dataDir: process.argv[1], loopbackCIDR: '127.45.0.0/16' });
await agent.add({ name: 'crashy', cpu: 2, memory: '4Gi', pods: 10, runtime: 'process' });
const pod = (name, c) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { nodeName: 'crashy', containers: [c] } });
await client.create(kinds.pods, pod('echo', { name: 'e', image: 'flotilla/echo', ports: [{ containerPort: 8090 }] }));
await client.create(kinds.pods, pod('cmd', { name: 'c', image: 'busybox', command: ['sh', '-c', 'sleep 317 & wait'] }));
for (;;) {
  const pods = await Promise.all(['echo', 'cmd'].map((n) => client.get(kinds.pods, 'default', n)));
  if (pods.every((p) => p?.status?.containerStatuses?.[0]?.state?.running)) break;
  await new Promise((r) => setTimeout(r, 50));
}
// Only this agent's descendants: other tests (and other clusters) may run look-alike processes.
const parentOf = (d) => { try { const st = readFileSync('/proc/' + d + '/stat', 'utf8'); return st.slice(st.lastIndexOf(')') + 2).split(' ')[1]; } catch { return undefined; } };
const mine = (d) => { for (let p = parentOf(d), hops = 0; p && p !== '0' && hops < 10; p = parentOf(p), hops++) if (p === String(process.pid)) return true; return false; };
const pids = readdirSync('/proc').filter((d) => /^\\d+$/.test(d) && d !== String(process.pid) && mine(d)).filter((d) => {
  try { const c = readFileSync('/proc/' + d + '/cmdline', 'utf8'); return c.includes('127.45.0.2') || c.startsWith('sleep\\u0000317'); } catch { return false; }
});
console.log('PIDS ' + pids.join(','));
`;

/** Running (not gone, not a zombie waiting to be reaped). */
const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

async function until(what: string, fn: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('SIGKILL of the agent: built-in containers exit by themselves, command containers are killed by the next agent', { skip: process.platform !== 'linux' && 'needs /proc and loopback /8' }, async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flotilla-crash-'));
  const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT, dataDir], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  let pids: number[] = [];
  try {
    await until('the pods to run', () => /PIDS (\S+)/.test(out) || child.exitCode !== null, 15_000);
    pids = /PIDS (\S+)/.exec(out)![1].split(',').map(Number);
    assert.equal(pids.length, 2, out);
    const sleep = pids.find(isSleep)!;
    const echo = pids.find((p) => p !== sleep)!;
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await until('the echo container to exit with its agent', () => !alive(echo));
    assert.ok(alive(sleep), 'a command container outlives a SIGKILLed agent…');
    // …until an agent takes the pod over: the shell's records are in the pod's directory.
    const podsDir = join(dataDir, 'var/lib/kubelet/pods');
    let killed = 0;
    for (const uid of readdirSync(podsDir)) killed += killLeftoverGroups(join(podsDir, uid));
    assert.equal(killed, 1);
    await until('the command container to be killed', () => !alive(sleep));
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    for (const p of pids) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
});

function isSleep(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep\u0000317');
  } catch {
    return false;
  }
}
