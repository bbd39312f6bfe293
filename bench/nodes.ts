/**
 * Node agent benchmark, two parts in one run:
 *
 * 1. **Simulated runtime at cluster-autoscaler's test scale.** A real `flotilla up` (API server
 *    alone), and the node agent in a process of its own: it adds 1,000 simulated nodes one by one
 *    (as the cloud controller does for scale-set instances) — time until all are registered —
 *    then 30,000 pods already bound to them (30 per node) are created through the API, and the
 *    run measures the time from the first create to the last pod the agent reported Running,
 *    checked afterwards through the API. Printed: both times, pods/s, the agent's RSS and CPU.
 * 2. **Process runtime pod start latency.** `flotilla up` with its scheduler, controllers and two
 *    process nodes; pods of `flotilla/echo` created one at a time (10 per second); for each, the
 *    time from the create request to Running and to Ready as seen by a watch, and to the pod's
 *    first HTTP answer on its IP (the process listening). Kubernetes' SLO:
 *    stateless pod startup p99 ≤ 5 s (image pulls excluded); our goal ≤ 1 s locally.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/nodes.js [--nodes 1000] [--pods 30000]
 *   [--latency-pods 100] [--concurrency 64]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { readCredentials, removeDir, startCluster, waitFor, type RunningCluster } from '../test/support/cluster.js';
import { startNodeAgent } from '../src/cluster/node/index.js';
import { Client, closedLoop, onCleanup, progress, runCleanups } from './support.js';
import { cpuSeconds, fmtInt, fmtMs, machineBusySeconds, memoryMiB, renderTable, summarize } from './stats.js';

interface Options {
  nodes: number;
  pods: number;
  latencyPods: number;
  concurrency: number;
}

function options(argv: string[]): Options {
  const o: Options = { nodes: 1000, pods: 30_000, latencyPods: 100, concurrency: 64 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => Number(argv[++i]);
    if (a === '--nodes') o.nodes = next();
    else if (a === '--pods') o.pods = next();
    else if (a === '--latency-pods') o.latencyPods = next();
    else if (a === '--concurrency') o.concurrency = next();
    else throw new Error(`unknown option ${a} (known: --nodes N, --pods N, --latency-pods N, --concurrency N)`);
  }
  if (![o.nodes, o.pods, o.latencyPods, o.concurrency].every((n) => Number.isInteger(n) && n > 0)) throw new Error('every option takes a positive whole number');
  return o;
}

const nodeName = (i: number): string => `k8s-bench-${String(i).padStart(4, '0')}`;

// ---- the agent process -------------------------------------------------------------------------

/** Runs in a child process: the node agent with `count` simulated nodes, reporting JSON lines on stdout. */
async function agentChild(kubeconfig: string, count: number): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  // 1,000 /24s need more than a /16: a /12 holds 4,096.
  const agent = await startNodeAgent({ kubeConfig: kc, signal: stop.signal, clusterCIDR: '10.32.0.0/12', recordEvents: false });
  const t0 = performance.now();
  await Promise.all(Array.from({ length: count }, (_, i) => agent.add({ name: nodeName(i), cpu: 4, memory: '16Gi', pods: 110, labels: { 'topology.kubernetes.io/zone': `local-${(i % 3) + 1}` } })));
  process.stdout.write(`${JSON.stringify({ registered: count, ms: performance.now() - t0 })}\n`);
  const timer = setInterval(() => process.stdout.write(`${JSON.stringify({ stats: agent.stats() })}\n`), 250);
  await agent.stopped;
  clearInterval(timer);
}

interface AgentStatsLine {
  registered?: number;
  ms?: number;
  stats?: { podsActive: number; writes: { podStatus: number } };
}

function startAgent(kubeconfig: string, count: number): { child: ChildProcess; lines: AgentStatsLine[]; latest: () => AgentStatsLine['stats'] | undefined } {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child-agent', kubeconfig, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: AgentStatsLine[] = [];
  let latest: AgentStatsLine['stats'];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = JSON.parse(buf.slice(0, nl)) as AgentStatsLine;
      buf = buf.slice(nl + 1);
      if (line.stats) latest = line.stats;
      else lines.push(line);
    }
  });
  return { child, lines, latest: () => latest };
}

// ---- part 1: simulated scale --------------------------------------------------------------------

async function simulatedScale(o: Options): Promise<string[][]> {
  progress('starting flotilla up (API server alone)');
  const cluster = await startCluster({});
  onCleanup('flotilla up', async () => {
    await cluster.stop();
    removeDir(cluster.dir);
  });
  const client = new Client(readCredentials(cluster), o.concurrency);
  onCleanup('http client', () => client.close());
  progress(`adding ${fmtInt(o.nodes)} simulated nodes in the agent process`);
  const agent = startAgent(cluster.kubeconfig, o.nodes);
  onCleanup('agent', () => {
    agent.child.kill('SIGKILL');
  });
  const registered = await waitFor('the nodes to register', () => {
    if (agent.child.exitCode !== null) throw new Error(`the agent exited with ${agent.child.exitCode}`);
    return agent.lines.find((l) => l.registered !== undefined);
  }, 600_000, 100);
  progress(`${fmtInt(o.nodes)} nodes registered in ${fmtMs(registered.ms!)}`);
  const ready = await client.json<{ items: unknown[] }>([200], 'GET', '/api/v1/nodes');
  if (ready.items.length < o.nodes) throw new Error(`only ${ready.items.length} Nodes exist after registration`);

  progress(`creating ${fmtInt(o.pods)} pods bound to them (${o.concurrency} clients)`);
  const t0 = performance.now();
  const cpu0 = cpuSeconds(agent.child.pid!);
  const load = await closedLoop(o.pods, o.concurrency, async (i) => {
    const body = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `p-${i}`, namespace: 'default', labels: { app: 'bench' } },
      spec: { nodeName: nodeName(i % o.nodes), containers: [{ name: 'c', image: 'flotilla/echo', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
    };
    await client.json([201], 'POST', '/api/v1/namespaces/default/pods', body);
  });
  progress(`created at ${fmtInt(load.perSecond)}/s; waiting for the agent to report them Running`);
  await waitFor('every pod Running', () => (agent.latest()?.writes.podStatus ?? 0) >= o.pods && (agent.latest()?.podsActive ?? 0) >= o.pods, 900_000, 100);
  const runningMs = performance.now() - t0;
  const cpu = cpuSeconds(agent.child.pid!) - cpu0;
  const mem = memoryMiB(agent.child.pid!);
  const total = (await client.json<{ items: unknown[] }>([200], 'GET', '/api/v1/pods?fieldSelector=status.phase%3DRunning')).items.length;
  progress(`API: ${fmtInt(total)} pods Running`);
  await runCleanups();
  return [
    [`register ${fmtInt(o.nodes)} nodes (one add() each)`, fmtMs(registered.ms!), `${fmtInt((o.nodes * 1000) / registered.ms!)} nodes/s`],
    [`${fmtInt(o.pods)} pods: first create → last Running`, fmtMs(runningMs), `${fmtInt((o.pods * 1000) / runningMs)} pods/s (creates ${fmtInt(load.perSecond)}/s)`],
    ['pods Running, per the API', fmtInt(total), total >= o.pods ? 'all' : 'MISSING SOME'],
    ['agent RSS / high-water mark', `${fmtInt(mem.rss)} MiB`, `${fmtInt(mem.hwm)} MiB`],
    ['agent CPU while pods started', `${cpu.toFixed(1)} s`, `${((cpu * 1e6) / o.pods).toFixed(0)} µs per pod`],
  ];
}

// ---- part 2: process runtime latency ------------------------------------------------------------

async function processLatency(o: Options): Promise<string[][]> {
  progress('starting flotilla up (controllers, scheduler, a control-plane node and 2 process agents)');
  const cluster: RunningCluster = await startCluster({ controlPlane: true, extraArgs: ['--no-demo', '--no-autoscaler'] });
  onCleanup('flotilla up', async () => {
    await cluster.stop();
    removeDir(cluster.dir);
  });
  const creds = readCredentials(cluster);
  const client = new Client(creds, 4);
  onCleanup('http client', () => client.close());
  await waitFor('3 Ready nodes', async () => {
    const nodes = await client.json<{ items: Array<{ status?: { conditions?: Array<{ type: string; status: string }> } }> }>([200], 'GET', '/api/v1/nodes');
    return nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length >= 3;
  }, 60_000);

  const created = new Map<string, number>();
  const running = new Map<string, number>();
  const ready = new Map<string, number>();
  const answered = new Map<string, number>();
  // Running means the process started; what a user waits for is its first HTTP answer.
  const firstAnswer = async (name: string, ip: string): Promise<void> => {
    for (let tries = 0; tries < 2000; tries++) {
      const ok = await new Promise<boolean>((resolve) => {
        const req = httpRequest({ host: ip, port: 8080, path: '/ping', agent: false, timeout: 1000 }, (res) => {
          res.resume();
          res.once('end', () => resolve(res.statusCode === 200));
        });
        req.once('error', () => resolve(false));
        req.once('timeout', () => req.destroy());
        req.end();
      });
      if (ok) {
        answered.set(name, performance.now());
        return;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  // One watch sees every transition as it happens.
  const url = new URL(creds.server);
  const watch = httpsRequest({ host: url.hostname, port: url.port, path: '/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Dlatency', headers: { Authorization: `Bearer ${creds.token}` }, ca: creds.caPem });
  watch.on('response', (res) => {
    let buf = '';
    res.on('data', (d: Buffer) => {
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const ev = JSON.parse(buf.slice(0, nl)) as { object: { metadata: { name: string }; status?: { phase?: string; podIP?: string; conditions?: Array<{ type: string; status: string }> } } };
        buf = buf.slice(nl + 1);
        const t = performance.now();
        const name = ev.object.metadata.name;
        if (ev.object.status?.phase === 'Running' && !running.has(name)) {
          running.set(name, t);
          if (ev.object.status.podIP) void firstAnswer(name, ev.object.status.podIP);
        }
        if (ev.object.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && !ready.has(name)) ready.set(name, t);
      }
    });
  });
  watch.on('error', () => undefined);
  watch.end();
  onCleanup('watch', () => watch.destroy());

  progress(`creating ${o.latencyPods} flotilla/echo pods, 10 per second`);
  for (let i = 0; i < o.latencyPods; i++) {
    const name = `lat-${i}`;
    const body = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'default', labels: { app: 'latency' } },
      spec: { containers: [{ name: 'echo', image: 'flotilla/echo:1.0', ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
    };
    created.set(name, performance.now());
    await client.json([201], 'POST', '/api/v1/namespaces/default/pods', body);
    await new Promise((r) => setTimeout(r, 100));
  }
  await waitFor('every pod Ready and answering', () => ready.size >= o.latencyPods && answered.size >= o.latencyPods, 120_000, 100);
  const toRunning = summarize([...running].map(([n, t]) => t - created.get(n)!));
  const toReady = summarize([...ready].map(([n, t]) => t - created.get(n)!));
  const toAnswer = summarize([...answered].map(([n, t]) => t - created.get(n)!));
  const flotillaMem = memoryMiB(cluster.process.pid!);
  progress('deleting the pods');
  await client.expect([200], 'DELETE', '/api/v1/namespaces/default/pods?labelSelector=app%3Dlatency');
  await runCleanups();
  return [
    ['process pod: create → Running, p50 / p99', `${fmtMs(toRunning.p50)} / ${fmtMs(toRunning.p99)}`, 'goal p99 ≤ 1 s (SLO 5 s)'],
    ['process pod: create → Ready, p50 / p99', `${fmtMs(toReady.p50)} / ${fmtMs(toReady.p99)}`, `max ${fmtMs(toReady.max)}`],
    ['process pod: create → first HTTP answer, p50 / p99', `${fmtMs(toAnswer.p50)} / ${fmtMs(toAnswer.p99)}`, `max ${fmtMs(toAnswer.max)} (the echo server listening)`],
    [`flotilla up RSS with ${o.latencyPods} echo pods`, `${fmtInt(flotillaMem.rss)} MiB`, 'the pods are processes of their own'],
  ];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child-agent') return agentChild(argv[1], Number(argv[2]));
  const o = options(argv);
  const busy0 = machineBusySeconds();
  const t0 = performance.now();
  const rows = [['figure', 'measured', 'note'], ...(await simulatedScale(o)), ...(await processLatency(o))];
  const busy = (machineBusySeconds() - busy0) / ((performance.now() - t0) / 1000);
  process.stdout.write(`\nNode agent benchmark (${fmtInt(o.nodes)} nodes, ${fmtInt(o.pods)} pods; machine busy ${busy.toFixed(2)} cores on average)\n\n`);
  process.stdout.write(`${renderTable(rows)}\n`);
}

main().catch(async (e: Error) => {
  process.stderr.write(`bench failed: ${e.stack ?? e.message}\n`);
  await runCleanups();
  process.exit(1);
});
