/**
 * Ingress data-plane benchmark. It measures:
 * 1. the embedded proxy's throughput and latency over keep-alive connections, against the same
 *    load sent straight to the backend (the ratio is the proxy's cost; wrk is used when installed,
 *    else an in-Node keep-alive load generator in its own process; HAProxy and nginx are compared
 *    when installed — on this machine they are not, so the baseline is the backend itself);
 * 2. propagation on a real API server: with 1,000 and 10,000 IngressRoutes loaded, the time from
 *    one object's write (a new root) to the proxy answering for its host;
 * 3. the RSS of the controller + proxy process (this one; the API server runs as a child) at each
 *    size — Contour's issue #599 reported 880 MiB at 1,000 pairs.
 * Goals (issue 6): propagation p99 ≤ 50 ms; RSS ≤ 400 MiB at 10,000; throughput ≥ 50% of HAProxy's.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/ingress-proxy.js [--seconds 10] [--connections 64] [--sizes 1000,10000] [--probes 50]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, request, Agent } from 'node:http';
import { loadavg, cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { buildDag } from '../src/ingress/dag/index.js';
import { startProxy } from '../src/ingress/proxy/index.js';
import { startIngressController } from '../src/ingress/index.js';
import { createClient, kinds, silentLogger, type Client } from '../src/runtime/index.js';
import { ensureIngressCRDs, ingressRoutes } from '../src/ingress/controller/index.js';
import { startCluster, removeDir, type RunningCluster } from '../test/support/cluster.js';
import { fmtInt, fmtMs, memoryMiB, renderTable, Samples, summarize } from './stats.js';
import { onCleanup, progress, runCleanups } from './support.js';

const SELF = fileURLToPath(import.meta.url);

// ---- child modes: a backend, and a load generator ------------------------------------------------

if (process.argv[2] === '--backend') {
  const body = JSON.stringify({ instance: 'backend', version: '1.0' });
  const srv = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
  srv.keepAliveTimeout = 60_000;
  srv.listen(0, '127.0.0.1', () => process.send!({ port: (srv.address() as { port: number }).port }));
} else if (process.argv[2] === '--load') {
  // argv: --load port host seconds connections
  const [port, host, seconds, connections] = [Number(process.argv[3]), process.argv[4], Number(process.argv[5]), Number(process.argv[6])];
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const lat = new Samples();
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const warm = performance.now() + 1000;
  const one = (): Promise<void> => new Promise((resolve) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host }, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) errors++;
        else if (t0 > warm) lat.push(performance.now() - t0);
        resolve();
      });
    });
    req.on('error', () => {
      errors++;
      resolve();
    });
    req.end();
  });
  const worker = async () => {
    while (performance.now() < end) await one();
  };
  Promise.all(Array.from({ length: connections }, worker)).then(() => {
    const s = lat.summary();
    process.send!({ requests: s.count, seconds: seconds - 1, p50: s.p50, p99: s.p99, errors });
    agent.destroy();
  });
} else {
  main().catch(async (e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    await runCleanups();
    process.exit(1);
  });
}

function forkChild<T>(args: string[]): { child: ChildProcess; first: Promise<T> } {
  const child = spawn(process.execPath, [SELF, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const first = new Promise<T>((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code) => reject(new Error(`child ${args[0]} exited with ${code}`)));
  });
  return { child, first };
}

interface LoadResult { requests: number; seconds: number; p50: number; p99: number; errors: number }

async function load(port: number, host: string, seconds: number, connections: number): Promise<LoadResult & { rps: number; tool: string }> {
  if (spawnSync('which', ['wrk']).status === 0) {
    const r = spawnSync('wrk', ['-t', '2', '-c', String(connections), '-d', `${seconds}s`, '--latency', '-H', `Host: ${host}`, `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
    const unit = (v: string, u: string) => Number(v) * (u === 's' ? 1000 : u === 'us' ? 0.001 : 1);
    const p = (q: string) => { const m = new RegExp(`${q}%\\s+([\\d.]+)(us|ms|s)`).exec(r.stdout); return m ? unit(m[1], m[2]) : NaN; };
    return { requests: Math.round(rps * seconds), seconds, p50: p('50'), p99: p('99'), errors: 0, rps, tool: 'wrk' };
  }
  const { first } = forkChild<LoadResult>(['--load', String(port), host, String(seconds), String(connections)]);
  const r = await first;
  return { ...r, rps: r.requests / r.seconds, tool: 'node keep-alive generator' };
}

function options(argv: string[]) {
  const o = { seconds: 10, connections: 64, sizes: [1000, 10_000], probes: 50 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--seconds') o.seconds = Number(argv[++i]);
    else if (argv[i] === '--connections') o.connections = Number(argv[++i]);
    else if (argv[i] === '--sizes') o.sizes = argv[++i].split(',').map(Number);
    else if (argv[i] === '--probes') o.probes = Number(argv[++i]);
  }
  return o;
}

async function throughput(o: ReturnType<typeof options>): Promise<string[][]> {
  const backend = forkChild<{ port: number }>(['--backend']);
  onCleanup('backend', () => backend.child.kill('SIGKILL'));
  const { port } = await backend.first;
  const proxy = await startProxy({ httpPort: 0, httpsPort: 0, host: '127.0.0.1' });
  onCleanup('proxy', () => proxy.close(100));
  proxy.update(buildDag({
    ingressRoutes: [{ apiVersion: 'contour.heptio.com/v1beta1', kind: 'IngressRoute', metadata: { namespace: 'bench', name: 'app' }, spec: { virtualhost: { fqdn: 'app.example.com' }, routes: [{ match: '/', services: [{ name: 'app', port: 80 }] }] } }],
    services: [{ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'bench', name: 'app' }, spec: { ports: [{ port: 80 }] } }],
    endpoints: [{ apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: 'bench', name: 'app' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port }] }] }],
  }));
  progress(`direct to the backend: ${o.seconds} s, ${o.connections} connections ...`);
  const direct = await load(port, 'app.example.com', o.seconds, o.connections);
  progress(`through the proxy ...`);
  const proxied = await load(proxy.httpPort, 'app.example.com', o.seconds, o.connections);
  await proxy.close(100);
  backend.child.kill('SIGKILL');
  const row = (name: string, r: typeof direct) => [name, fmtInt(r.rps), fmtMs(r.p50), fmtMs(r.p99), fmtInt(r.errors)];
  return [
    ['path', 'req/s', 'p50', 'p99', 'errors'],
    row('client → backend (baseline)', direct),
    row('client → flotilla proxy → backend', proxied),
    ['proxy ÷ baseline', `${((proxied.rps / direct.rps) * 100).toFixed(0)} %`, '', '', ''],
    [`load: ${direct.tool}`, '', '', '', ''],
  ];
}

async function createMany(client: Client, n: number, make: (i: number) => object, type: typeof ingressRoutes | typeof kinds.services): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < n; i = next++) await client.create(type, make(i) as never);
  };
  await Promise.all(Array.from({ length: 64 }, worker));
}

async function propagation(o: ReturnType<typeof options>): Promise<string[][]> {
  const backend = forkChild<{ port: number }>(['--backend']);
  onCleanup('backend', () => backend.child.kill('SIGKILL'));
  const { port } = await backend.first;
  const rows: string[][] = [['IngressRoutes', 'load (API)', 'first sync', 'propagation p50', 'p99', 'max', 'rebuild (last)', 'RSS controller+proxy']];
  for (const size of o.sizes) {
    const cluster: RunningCluster = await startCluster();
    onCleanup('cluster', async () => { await cluster.stop(); removeDir(cluster.dir); });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.kubeconfig);
    const client = createClient(kubeConfig);
    await client.create(kinds.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    await client.create(kinds.services, { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'bench', name: 'app' }, spec: { ports: [{ port: 80, targetPort: port }] } } as never);
    await client.create(kinds.endpoints, { apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: 'bench', name: 'app' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port }] }] } as never);
    // The CRDs first, so the IngressRoutes can be written before the controller starts.
    await ensureIngressCRDs(client);
    const ir = (i: number, fqdn = `app-${i}.example.com`) => ({
      apiVersion: 'contour.heptio.com/v1beta1', kind: 'IngressRoute', metadata: { namespace: 'bench', name: `app-${i}` },
      spec: { virtualhost: { fqdn }, routes: [{ match: '/', services: [{ name: 'app', port: 80 }] }, { match: '/api', services: [{ name: 'app', port: 80 }] }] },
    });
    progress(`${fmtInt(size)} IngressRoutes: writing ...`);
    const t0 = performance.now();
    await createMany(client, size, (i) => ir(i), ingressRoutes);
    const loadMs = performance.now() - t0;

    const stop = new AbortController();
    const t1 = performance.now();
    const ctl = await startIngressController({ kubeConfig, logger: silentLogger(), signal: stop.signal, httpPort: 0, httpsPort: 0, host: '127.0.0.1' });
    await ctl.ready;
    const syncMs = performance.now() - t1;
    progress(`${fmtInt(size)} IngressRoutes: synced in ${fmtMs(syncMs)}; probing ...`);
    await ctl.statusIdle();

    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const status = (host: string) => new Promise<number>((resolve) => {
      const req = request({ host: '127.0.0.1', port: ctl.httpPort, path: '/', headers: { host }, agent }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      req.end();
    });
    const lat = new Samples();
    for (let p = 0; p < o.probes; p++) {
      const host = `probe-${p}.example.com`;
      const tw = performance.now();
      await client.create(ingressRoutes, { ...ir(size + p, host) } as never);
      while ((await status(host)) !== 200) {
        if (performance.now() - tw > 10_000) throw new Error(`${host} not served after 10 s`);
      }
      lat.push(performance.now() - tw);
    }
    const s = summarize(lat.values());
    (globalThis as { gc?: () => void }).gc?.();
    const rss = memoryMiB(process.pid).rss;
    rows.push([fmtInt(size), fmtMs(loadMs), fmtMs(syncMs), fmtMs(s.p50), fmtMs(s.p99), fmtMs(s.max), fmtMs(ctl.stats().lastRebuildMs), `${rss.toFixed(0)} MiB`]);
    agent.destroy();
    stop.abort();
    await ctl.stopped;
    await cluster.stop();
    removeDir(cluster.dir);
  }
  backend.child.kill('SIGKILL');
  return rows;
}

async function main(): Promise<void> {
  setFlagsFromString('--expose-gc');
  (globalThis as { gc?: () => void }).gc = runInNewContext('gc') as () => void;
  const o = options(process.argv.slice(2));
  process.stdout.write(`ingress proxy benchmark — ${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  const t = await throughput(o);
  process.stdout.write(`\n1. Throughput over keep-alive (${o.connections} connections, ${o.seconds} s; one backend; HAProxy/nginx ${spawnSync('which', ['haproxy']).status === 0 ? 'installed' : 'not installed: baseline is the backend itself'})\n${renderTable(t, new Set([1, 2, 3, 4]))}\n`);
  const p = await propagation(o);
  process.stdout.write(`\n2-3. Propagation (write of a new root → the proxy serves its host, measured from outside; ${o.probes} probes) and RSS\n${renderTable(p, new Set([0, 1, 2, 3, 4, 5, 6, 7]))}\n`);
  process.stdout.write(`\nGoals: propagation p99 ≤ 50 ms; RSS ≤ 400 MiB at 10,000 (Contour #599: 880 MiB at 1,000 pairs).\n`);
  await runCleanups();
  process.exit(0);
}
