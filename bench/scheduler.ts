/**
 * Scheduler benchmark: a real `flotilla up`, 1,000 Nodes and 30,000 pending pods created through
 * the API (concurrent keep-alive clients), then the scheduler started in a process of its own; it
 * measures pods bound per second from the scheduler's start (informers listing 30,000 pods
 * included) to the last binding, checks through the API that every pod is bound, and prints the
 * RSS and CPU of the scheduler process and of the server. Goal: ≥ 300 pods/s.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/scheduler.js [--nodes 1000] [--pods 30000]
 *   [--concurrency 64] [--bind-concurrency 64] [--no-scheduled-events]
 *   (BENCH_SCHEDULER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the scheduler process)
 * The pods are 100m / 128Mi, owned by 100 ReplicaSets (so default spreading has work to do); the
 * nodes 4 cpu / 16Gi / 110 pods, in 3 zones.
 */
import { Agent } from 'node:https';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { apiRequest, readCredentials, removeDir, startCluster, type ClusterCredentials } from '../test/support/cluster.js';
import { startScheduler } from '../src/cluster/scheduler/index.js';
import { cpuSeconds, fmtInt, machineBusySeconds, memoryMiB, renderTable } from './stats.js';

interface Options {
  nodes: number;
  pods: number;
  concurrency: number;
  bindConcurrency: number;
  scheduledEvents: boolean;
}

function options(argv: string[]): Options {
  const o: Options = { nodes: 1000, pods: 30_000, concurrency: 64, bindConcurrency: 64, scheduledEvents: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => Number(argv[++i]);
    if (a === '--nodes') o.nodes = next();
    else if (a === '--pods') o.pods = next();
    else if (a === '--concurrency') o.concurrency = next();
    else if (a === '--bind-concurrency') o.bindConcurrency = next();
    else if (a === '--no-scheduled-events') o.scheduledEvents = false;
  }
  return o;
}

// ---- the scheduler process -------------------------------------------------------------------

async function child(kubeconfig: string, expected: number, o: Options): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const ac = new AbortController();
  const t0 = performance.now();
  const s = await startScheduler({ kubeConfig: kc, signal: ac.signal, bindConcurrency: o.bindConcurrency, recordScheduledEvents: o.scheduledEvents });
  const ready = performance.now();
  let last = 0;
  const timer = setInterval(() => {
    const st = s.stats();
    process.stdout.write(`${JSON.stringify({ progress: true, ms: Math.round(performance.now() - t0), ...st })}\n`);
  }, 1000);
  let lastBind = 0;
  await new Promise<void>((resolve) => {
    const check = setInterval(() => {
      const st = s.stats();
      if (st.scheduled !== last) [last, lastBind] = [st.scheduled, performance.now()];
      // Every binding made, and every one seen back through the pod watch.
      if (st.scheduled >= expected && st.assumed === 0) {
        clearInterval(check);
        resolve();
      }
    }, 20);
  });
  const confirmed = performance.now();
  clearInterval(timer);
  process.stdout.write(
    `${JSON.stringify({ done: true, readyMs: ready - t0, totalMs: lastBind - t0, confirmedMs: confirmed - t0, stats: s.stats(), rss: process.memoryUsage().rss / 2 ** 20 })}\n`,
  );
  // Stay up until told to stop, so the parent can read this process's RSS and CPU.
  await new Promise<void>((r) => process.stdin.once('data', () => r()));
  ac.abort();
  await s.stopped;
}

// ---- the driver ------------------------------------------------------------------------------

async function pool<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

async function create(creds: ClusterCredentials, agent: Agent, path: string, body: unknown): Promise<any> {
  for (let attempt = 0; ; attempt++) {
    const r = await apiRequest(creds, 'POST', path, { body: JSON.stringify(body), agent, timeoutMs: 120_000 });
    if (r.status === 201 || r.status === 200) return r.json;
    if (attempt >= 3 || (r.status < 500 && r.status !== 429)) throw new Error(`POST ${path}: ${r.status} ${r.body.slice(0, 300)}`);
  }
}

function node(i: number) {
  const name = `node-${String(i).padStart(4, '0')}`;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': `zone-${i % 3}`, 'topology.kubernetes.io/region': 'bench' } },
    spec: {},
    status: {
      allocatable: { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' },
      capacity: { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
    },
  };
}

const REPLICA_SETS = 100;

/** The owners of the pods (real objects: the garbage collector deletes pods whose owner is missing). */
function replicaSet(i: number, replicas: number) {
  const name = `web-${i}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'bench' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }] } },
    },
  };
}

function pod(i: number, owners: readonly string[]) {
  const rs = `web-${i % REPLICA_SETS}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${rs}-${i}`,
      namespace: 'bench',
      labels: { app: rs },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: owners[i % REPLICA_SETS], controller: true }],
    },
    spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
  };
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  // The API server alone: no built-in scheduler, controllers or simulated nodes.
  const cluster = await startCluster({ extraArgs: ['--no-controllers', '--no-nodes'] });
  const agent = new Agent({ keepAlive: true, maxSockets: o.concurrency });
  let sched: ReturnType<typeof spawn> | undefined;
  try {
    const creds = readCredentials(cluster);
    await create(creds, agent, '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    let t = performance.now();
    await pool(
      Array.from({ length: o.nodes }, (_, i) => i),
      o.concurrency,
      (i) => create(creds, agent, '/api/v1/nodes', node(i)),
    );
    const nodesS = (performance.now() - t) / 1000;
    const owners: string[] = [];
    for (let i = 0; i < REPLICA_SETS; i++) {
      owners.push((await create(creds, agent, '/apis/apps/v1/namespaces/bench/replicasets', replicaSet(i, Math.ceil(o.pods / REPLICA_SETS)))).metadata.uid);
    }
    t = performance.now();
    await pool(
      Array.from({ length: o.pods }, (_, i) => i),
      o.concurrency,
      (i) => create(creds, agent, '/api/v1/namespaces/bench/pods', pod(i, owners)),
    );
    const podsS = (performance.now() - t) / 1000;
    process.stdout.write(`created ${fmtInt(o.nodes)} nodes in ${nodesS.toFixed(1)} s, ${fmtInt(o.pods)} pods in ${podsS.toFixed(1)} s (${fmtInt(o.pods / podsS)}/s)\n`);
    const serverBefore = { cpu: cpuSeconds(cluster.process.pid!), mem: memoryMiB(cluster.process.pid!) };
    const machineBefore = machineBusySeconds();
    const selfBefore = cpuSeconds(process.pid);

    // The scheduler, in its own process.
    const self = fileURLToPath(import.meta.url);
    const args = [self, '--child', cluster.kubeconfig, String(o.pods), ...process.argv.slice(2)];
    const nodeArgs = (process.env.BENCH_SCHEDULER_NODE_ARGS ?? '').split(' ').filter(Boolean); // e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
    sched = spawn(process.execPath, [...nodeArgs, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    let peakSched = 0;
    let peakServer = 0;
    const sample = setInterval(() => {
      peakSched = Math.max(peakSched, memoryMiB(sched!.pid!).rss || 0);
      peakServer = Math.max(peakServer, memoryMiB(cluster.process.pid!).rss || 0);
    }, 250);
    let lastScheduled = -1;
    let lastProgressMs = 0;
    const done = await new Promise<{ readyMs: number; totalMs: number; confirmedMs: number; stats: unknown; rss: number }>((resolve, reject) => {
      sched!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        let nl: number;
        while ((nl = out.indexOf('\n')) >= 0) {
          const line = out.slice(0, nl);
          out = out.slice(nl + 1);
          const msg = JSON.parse(line);
          if (msg.progress) {
            process.stdout.write(
              `  ${(msg.ms / 1000).toFixed(0)} s: ${fmtInt(msg.scheduled)} bound (${fmtInt(msg.assumed)} not yet in the watch), ${msg.bindsInFlight} binding, ${msg.unschedulable} unschedulable attempts, ` +
                `queue ${msg.pending.active} active / ${msg.pending.backoff} backoff / ${msg.pending.unschedulable} unschedulable\n`,
            );
            if (msg.scheduled === lastScheduled && msg.ms - lastProgressMs > 60_000) reject(new Error('no pod bound for 60 s'));
            if (msg.scheduled !== lastScheduled) [lastScheduled, lastProgressMs] = [msg.scheduled, msg.ms];
          }
          if (msg.done) resolve(msg);
        }
      });
      sched!.once('exit', (code) => reject(new Error(`the scheduler process exited with ${code}`)));
    });
    clearInterval(sample);
    const schedCpu = cpuSeconds(sched.pid!);
    const schedMem = memoryMiB(sched.pid!);
    const serverCpu = cpuSeconds(cluster.process.pid!) - serverBefore.cpu;
    const serverMem = memoryMiB(cluster.process.pid!);
    // Busy CPU of every other process on the machine while the scheduler ran (a busy machine slows both).
    const others = machineBusySeconds() - machineBefore - schedCpu - serverCpu - (cpuSeconds(process.pid) - selfBefore);

    // The scheduler saw every binding come back through its watch; spot-check some pods directly.
    let remaining = 0;
    for (let k = 0; k < 50; k++) {
      const i = Math.floor(Math.random() * o.pods);
      const r = await apiRequest(creds, 'GET', `/api/v1/namespaces/bench/pods/web-${i % REPLICA_SETS}-${i}`, { agent, timeoutMs: 120_000 });
      if (!r.json?.spec?.nodeName) remaining++;
    }

    const rate = o.pods / (done.totalMs / 1000);
    const loopRate = o.pods / ((done.totalMs - done.readyMs) / 1000);
    process.stdout.write(
      `\n${renderTable(
        [
          ['figure', 'value', 'goal'],
          ['pods bound/s, scheduler start → last bind', fmtInt(rate), '≥ 300'],
          ['pods bound/s, informers synced → last bind', fmtInt(loopRate), ''],
          ['scheduler start → informers synced', `${(done.readyMs / 1000).toFixed(1)} s`, ''],
          ['scheduler start → last bind', `${(done.totalMs / 1000).toFixed(1)} s`, ''],
          ['scheduler start → every binding seen in the watch', `${(done.confirmedMs / 1000).toFixed(1)} s`, ''],
          ['unbound among 50 pods read back (API)', String(remaining), '0'],
          ['scheduler RSS at the end / peak', `${schedMem.rss.toFixed(0)} / ${Math.max(peakSched, schedMem.hwm).toFixed(0)} MiB`, ''],
          ['server RSS at the end / peak', `${serverMem.rss.toFixed(0)} / ${Math.max(peakServer, serverMem.hwm).toFixed(0)} MiB`, ''],
          ['scheduler CPU during the run', `${schedCpu.toFixed(1)} s`, ''],
          ['server CPU during the run', `${serverCpu.toFixed(1)} s`, ''],
          ['other processes CPU during the run', `${others.toFixed(1)} s`, ''],
        ],
        new Set([1]),
      )}\n`,
    );
    process.stdout.write(`${fmtInt(o.nodes)} nodes, ${fmtInt(o.pods)} pods, bind concurrency ${o.bindConcurrency}, Scheduled events ${o.scheduledEvents ? 'on' : 'off'}; goal ${rate >= 300 ? 'met' : 'MISSED'}\n`);
    if (remaining !== 0) process.exitCode = 1;
  } finally {
    if (sched && sched.exitCode === null) {
      sched.stdin!.end('stop\n');
      await new Promise((r) => sched!.once('exit', r));
    }
    agent.destroy();
    await cluster.stop();
    removeDir(cluster.dir);
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], Number(process.argv[4]), options(process.argv.slice(5)));
} else {
  await main();
}
