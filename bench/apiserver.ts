/**
 * API server benchmark: starts `flotilla up` as a user runs it and measures, in one run,
 *   1. creates/s of realistic pods through the HTTPS API (concurrent keep-alive clients),
 *   2. single-object gets/s,
 *   3. list latency of all pods (JSON, limit=500 pages, Table),
 *   4. watch event delivery latency with many concurrent watchers,
 *   5. single-object write latency at a steady rate (the SLO figure),
 *   6. server RSS with the small and the big pod count,
 *   7. the storage ceiling (better-sqlite3 and SqliteBackend directly) and a single-node etcd
 *      taking the same puts, with the ratios,
 * and prints the goals next to the figures. A missed goal does not fail the process; a real
 * error (a failed request, a server that will not start) does, after cleanup.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/apiserver.js (or `npm run bench`). Options:
 *   --pods 10000 --big 50000 --concurrency 64 --gets 10000 --list-runs 10 --watchers 100
 *   --watch-writes 1000 --rate 100 --slo-writes 1000 --warmup 1000 --idle-ms 12000
 *   --skip-etcd --skip-big --skip-ceiling --server-node-args "--cpu-prof --cpu-prof-dir=/tmp/prof"
 * (the list figures alone: --gets 0 --watchers 0 --slo-writes 0 --idle-ms 0 --skip-big --skip-ceiling --skip-etcd)
 * Every option can also be given as an environment variable: BENCH_PODS, BENCH_SKIP_ETCD, ...
 * A server CPU profile is read with `node dist/bench/cpuprofile-top.js <file> [--under create]`.
 *
 * Reading the figures: the load generator runs in this process on the same 2 cores as the
 * server, so each row notes the CPU the server, this client and any other process used. A row
 * whose "other processes" share is high was measured on a busy machine.
 */
import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { FLOTILLA_BIN, makeTempDir, readCredentials, waitFor, type RunningCluster } from '../test/support/cluster.js';
import { SqliteBackend, SQLITE_SCHEMA } from '../src/storage/index.js';
import { connectKv, ensureEtcd, etcdVersion, startEtcd, waitForEtcd, type EtcdKv, type EtcdServer } from './etcd.js';
import { cpuSeconds, fmtInt, machineBusySeconds, fmtMs, fmtRate, memoryMiB, renderTable, Samples, sleep, type Summary } from './stats.js';
import { Client, closedLoop, interrupted, onCleanup, parseBenchOptions, progress, runCleanups, started, timed, type LoadResult } from './support.js';

// ---- options ----------------------------------------------------------------------------------

interface Options {
  pods: number;
  big: number;
  concurrency: number;
  gets: number;
  listRuns: number;
  watchers: number;
  watchWrites: number;
  rate: number;
  sloWrites: number;
  warmup: number;
  idleMs: number;
  skipEtcd: boolean;
  skipBig: boolean;
  /** Skip the storage ceiling and the transport floor (7a, 7c). */
  skipCeiling: boolean;
  serverNodeArgs: string;
}

const DEFAULTS: Options = {
  pods: 10_000,
  big: 50_000,
  concurrency: 64,
  gets: 10_000,
  listRuns: 10,
  watchers: 100,
  watchWrites: 1000,
  rate: 100,
  sloWrites: 1000,
  warmup: 1000,
  idleMs: 12_000,
  skipEtcd: false,
  skipBig: false,
  skipCeiling: false,
  serverNodeArgs: '',
};

function parseOptions(argv: string[]): Options {
  const opts = parseBenchOptions(DEFAULTS, argv, 'dist/bench/apiserver.js');
  if (opts.pods < 1) throw new Error('--pods must be at least 1');
  if (opts.concurrency < 1) throw new Error('--concurrency must be at least 1');
  if (opts.rate < 1) throw new Error('--rate must be at least 1');
  return opts;
}

// ---- output -----------------------------------------------------------------------------------

const loadAtStart = os.loadavg();
const machineAtStart = machineBusySeconds();
const clientAtStart = process.cpuUsage();
/** Server processes' CPU seconds, added as each one stops, so the whole run's "others" can be told. */
const serverCpu = { seconds: 0 };
function noteServerCpu(pid: number): void {
  const s = cpuSeconds(pid);
  if (Number.isFinite(s)) serverCpu.seconds += s;
}
function othersNote(): string {
  const c = process.cpuUsage(clientAtStart);
  const others = machineBusySeconds() - machineAtStart - (c.user + c.system) / 1e6 - serverCpu.seconds;
  const wall = (performance.now() - started) / 1000;
  return Number.isFinite(others) ? `${((Math.max(0, others) / wall) * 100).toFixed(0)}% of a core on average` : 'unknown';
}

// ---- load shapes ------------------------------------------------------------------------------

/**
 * `n` operations started at a steady `rate` per second whatever the previous ones are doing (an
 * open loop, so a slow response does not hide the queueing behind it). `op` gets the index and
 * returns when the response is complete; the latency is measured from just before it is called.
 */
async function openLoop(n: number, rate: number, op: (i: number) => Promise<void>): Promise<LoadResult & { lateStarts: number }> {
  const lat = new Samples();
  const interval = 1000 / rate;
  const pending: Promise<void>[] = [];
  let lateStarts = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const due = t0 + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    else if (wait < -interval) lateStarts++;
    const s = performance.now();
    pending.push(op(i).then(() => lat.push(performance.now() - s)));
  }
  await Promise.all(pending);
  const elapsedMs = performance.now() - t0;
  return { ops: n, elapsedMs, perSecond: (n / elapsedMs) * 1000, latency: lat.summary(), lateStarts };
}

// ---- payloads ---------------------------------------------------------------------------------

const NS = 'bench';
const SEQ_ANNOTATION = 'bench.flotilla.dev/seq';

function podName(i: number): string {
  return `web-${String(i).padStart(6, '0')}`;
}

const APPS = 40;

function appOf(i: number): { app: string; hash: string; owner: string } {
  const app = `web-${i % APPS}`;
  const hash = (0x5d8f6c7b9 + (i % APPS) * 7919).toString(16).slice(0, 10);
  return { app, hash, owner: `${app}-${hash}` };
}

/** The ReplicaSets the pods name as owners (the server's garbage collector deletes orphans). */
function replicaSetManifest(k: number, namespace: string): Buffer {
  const { app, hash, owner } = appOf(k);
  const labels = { app, tier: 'frontend', 'pod-template-hash': hash };
  return Buffer.from(
    JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: owner, namespace, labels },
      spec: {
        replicas: 0,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'registry.example.com/team/web:1.27.3' }] } },
      },
    }),
  );
}

/** Create the owners in a namespace; returns their uids by app index. */
async function createOwners(client: Client, namespace: string): Promise<string[]> {
  const uids: string[] = [];
  for (let k = 0; k < APPS; k++) {
    const res = await client.expect([201], 'POST', `/apis/apps/v1/namespaces/${namespace}/replicasets`, replicaSetManifest(k, namespace));
    uids.push((JSON.parse(res.body.toString('utf8')) as { metadata: { uid: string } }).metadata.uid);
  }
  return uids;
}

/**
 * A pod as a ReplicaSet controller would create it: about 1.5 KB of JSON. `ownerUids` are the
 * owners' real uids (for the API server); without them a placeholder of the same length is used.
 */
function podManifest(name: string, i: number, namespace = NS, ownerUids?: string[]): Buffer {
  const { app, hash, owner } = appOf(i);
  const uid = ownerUids?.[i % APPS];
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: {
        app,
        tier: 'frontend',
        'pod-template-hash': hash,
        'app.kubernetes.io/name': 'web',
        'app.kubernetes.io/instance': app,
      },
      annotations: {
        'prometheus.io/scrape': 'true',
      },
      // Only with real owners: the garbage collector deletes pods whose owner does not exist.
      ...(ownerUids
        ? {
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: owner,
              uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
          }
        : {}),
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.example.com/team/web:1.27.3',
          ports: [
            { name: 'http', containerPort: 8080, protocol: 'TCP' },
          ],
          env: [
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'LOG_LEVEL', value: 'info' },
          ],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, initialDelaySeconds: 5, periodSeconds: 10 },
          volumeMounts: [
            { name: 'config', mountPath: '/etc/web', readOnly: true },
            { name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true },
          ],
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: `${app}-config`, defaultMode: 420 } },
        { name: 'kube-api-access', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }] } },
      ],
      nodeSelector: { 'kubernetes.io/os': 'linux' },
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
  };
  return Buffer.from(JSON.stringify(pod));
}

// ---- the flotilla phases ----------------------------------------------------------------------

interface Row {
  section: string;
  what: string;
  result: string;
  p50?: number;
  p99?: number;
  note?: string;
}

interface Report {
  rows: Row[];
  durations: Array<[string, number]>;
  errors: string[];
  notes: string[];
  createsPerSecond?: number;
  sloP99?: number;
  list10kP50?: number;
  sqliteRawPerSecond?: number;
  sqliteBackendPerSecond?: number;
  etcdPutsPerSecond?: number;
  etcdTxnPerSecond?: number;
  httpsFloorPerSecond?: number;
  etcdUnavailable?: string;
}

interface CpuMark {
  server: number;
  client: NodeJS.CpuUsage;
  machine: number;
}

function cpuMark(pid: number): CpuMark {
  return { server: cpuSeconds(pid), client: process.cpuUsage(), machine: machineBusySeconds() };
}

/** CPU the server (and this load-generating process) used over an interval: share of one core, per operation. */
function cpuNote(pid: number, before: CpuMark, elapsedMs: number, ops: number, who = 'server'): string {
  const used = cpuSeconds(pid) - before.server;
  const c = process.cpuUsage(before.client);
  const client = (c.user + c.system) / 1e6;
  const pct = (sec: number) => `${((sec / (elapsedMs / 1000)) * 100).toFixed(0)}%`;
  const server = Number.isFinite(used) ? `${who} CPU ${pct(used)} of a core, ${((used / ops) * 1e6).toFixed(0)} µs/op; ` : '';
  const others = machineBusySeconds() - before.machine - client - (Number.isFinite(used) ? used : 0);
  return `${server}client ${pct(client)}${Number.isFinite(others) ? `; other processes ${pct(Math.max(0, others))}` : ''}`;
}

interface ServerMemory {
  rss: number;
  hwm: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

/** RSS from /proc, and the V8 heap and external memory from the server's own /metrics. */
async function serverMemory(client: Client, pid: number): Promise<ServerMemory> {
  const { rss, hwm } = memoryMiB(pid);
  let text = '';
  try {
    text = (await client.request('GET', '/metrics', undefined, { Accept: 'text/plain' })).body.toString('utf8');
  } catch {
    // figures stay NaN
  }
  const metric = (name: string) => Number(new RegExp(`^${name}\\s+(\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 1024 / 1024;
  return { rss, hwm, heapUsed: metric('nodejs_heap_size_used_bytes'), heapTotal: metric('nodejs_heap_size_total_bytes'), external: metric('nodejs_external_memory_bytes') };
}

/**
 * Let the server sit idle long enough for V8's memory reducer (which starts full collections
 * about 8 s after allocation stops) to collect, then measure. Nothing can force a GC from outside.
 */
async function idleMemory(client: Client, pid: number, idleMs: number): Promise<ServerMemory> {
  await sleep(idleMs);
  return serverMemory(client, pid);
}

function memoryRows(report: Report, count: number, idle: ServerMemory, after: ServerMemory, what: string): void {
  const v8 = (m: ServerMemory) => `V8 heap ${m.heapUsed.toFixed(0)} used / ${m.heapTotal.toFixed(0)} MiB, external ${m.external.toFixed(0)} MiB`;
  report.rows.push({ section: '6 memory', what: `server RSS, ${fmtInt(count)} pods, idle`, result: `${idle.rss.toFixed(0)} MiB`, note: v8(idle) });
  report.rows.push({
    section: '6 memory',
    what: `server RSS, ${fmtInt(count)} pods, after ${what}`,
    result: `${after.rss.toFixed(0)} MiB`,
    note: `peak so far ${after.hwm.toFixed(0)} MiB; ${v8(after)}`,
  });
}

/**
 * `flotilla up --port 0` in a temp dir, spawned exactly as test/support/cluster.ts's startCluster
 * does, plus optional node flags for the server process (e.g. --cpu-prof, which NODE_OPTIONS does
 * not allow and startCluster does not take). Unlike startCluster it kills the child and removes
 * the dir when the ready line never comes.
 */
async function startServer(nodeArgs: string[]): Promise<RunningCluster> {
  const dir = makeTempDir('flotilla-bench-');
  const kubeconfig = join(dir, 'kube_config_cluster.yml');
  const child = spawn(process.execPath, [...nodeArgs, FLOTILLA_BIN, 'up', '--port', '0', '--data-dir', join(dir, 'data'), '--kubeconfig', kubeconfig, '--no-controllers', '--no-nodes'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let url: string;
  try {
    url = await waitFor(
      'flotilla up to print its ready line',
      () => {
        if (child.exitCode !== null) throw new Error(`flotilla up exited with ${child.exitCode}:\n${out}`);
        return /Flotilla is ready at (https:\/\/\S+?)\.\s/.exec(out)?.[1];
      },
      30_000,
    );
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    dir,
    kubeconfig,
    port: Number(new URL(url).port),
    url,
    process: child,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

async function flotillaPhases(opts: Options, report: Report): Promise<void> {
  const nodeArgs = opts.serverNodeArgs.split(/\s+/).filter(Boolean);
  const cluster = await timed(report, 'start flotilla up', () => startServer(nodeArgs));
  const dir = cluster.dir;
  onCleanup('remove flotilla data dir', () => rmSync(dir, { recursive: true, force: true }));
  onCleanup('stop flotilla', async () => {
    if (cluster.process.exitCode !== null || cluster.process.signalCode !== null) return;
    noteServerCpu(cluster.process.pid!);
    const killer = setTimeout(() => void cluster.kill(), 15_000);
    await cluster.stop();
    clearTimeout(killer);
  });
  const pid = cluster.process.pid!;
  const creds = readCredentials(cluster);
  try {
    const tlsDir = join(dir, 'data', 'tls');
    servingTls = {
      certPem: readFileSync(join(tlsDir, 'serving-kube-apiserver.crt'), 'utf8'),
      keyPem: readFileSync(join(tlsDir, 'serving-kube-apiserver.key'), 'utf8'),
      caPem: creds.caPem,
    };
  } catch (e) {
    report.notes.push(`transport floor skipped: could not read the serving certificate (${(e as Error).message})`);
  }
  const client = new Client(creds, opts.concurrency);
  onCleanup('close HTTP client', () => client.close());
  progress(`flotilla up (pid ${pid}) is ready at ${creds.server}`);

  const namespace = (name: string) => Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  await client.expect([201], 'POST', '/api/v1/namespaces', namespace(NS));
  const podsPath = `/api/v1/namespaces/${NS}/pods`;
  const owners = await createOwners(client, NS);
  const sample = podManifest(podName(0), 0, NS, owners);

  // 0. warm-up: the same requests into another namespace, so JIT and caches are warm for both sides.
  if (opts.warmup > 0) {
    await timed(report, `0. warm-up: ${fmtInt(opts.warmup)} creates and gets`, async () => {
      await client.expect([201], 'POST', '/api/v1/namespaces', namespace(`${NS}-warmup`));
      const warmPods = `/api/v1/namespaces/${NS}-warmup/pods`;
      const warmOwners = await createOwners(client, `${NS}-warmup`);
      await closedLoop(opts.warmup, opts.concurrency, async (i) => {
        await client.expect([201], 'POST', warmPods, podManifest(podName(i), i, `${NS}-warmup`, warmOwners));
      });
      await closedLoop(opts.warmup, opts.concurrency, async (i) => {
        await client.expect([200], 'GET', `${warmPods}/${podName(i)}`);
      });
    });
  }

  // 1. creates
  let cpu0 = cpuMark(pid);
  const creates = await timed(report, `1. create ${fmtInt(opts.pods)} pods`, () =>
    closedLoop(opts.pods, opts.concurrency, async (i) => {
      await client.expect([201], 'POST', podsPath, podManifest(podName(i), i, NS, owners));
    }),
  );
  report.createsPerSecond = creates.perSecond;
  report.rows.push({
    section: '1 creates',
    what: `POST pod, ${opts.concurrency} in flight, ${fmtInt(opts.pods)} pods`,
    result: `${fmtRate(creates.perSecond)} creates/s`,
    p50: creates.latency.p50,
    p99: creates.latency.p99,
    note: cpuNote(pid, cpu0, creates.elapsedMs, creates.ops),
  });
  const stored = await client.expect([200], 'GET', `${podsPath}/${podName(0)}`);
  report.notes.push(`pod manifest ${sample.length} B of JSON as POSTed; ${stored.body.length} B as the server returns it (defaults, uid, timestamps)`);

  // 2. gets
  if (opts.gets > 0) {
    cpu0 = cpuMark(pid);
    const gets = await timed(report, `2. ${fmtInt(opts.gets)} gets`, () =>
      closedLoop(opts.gets, opts.concurrency, async (i) => {
        await client.expect([200], 'GET', `${podsPath}/${podName((i * 7919) % opts.pods)}`);
      }),
    );
    report.rows.push({
      section: '2 gets',
      what: `GET pod, ${opts.concurrency} in flight`,
      result: `${fmtRate(gets.perSecond)} gets/s`,
      p50: gets.latency.p50,
      p99: gets.latency.p99,
      note: cpuNote(pid, cpu0, gets.elapsedMs, gets.ops),
    });
  }

  // 6a. memory at the small size, idle (before any big list response was built)
  const idleSmall = await timed(report, `6. idle memory at ${fmtInt(opts.pods)} pods`, () => idleMemory(client, pid, opts.idleMs));

  // 3. lists
  if (opts.listRuns > 0) {
    await timed(report, `3. lists of ${fmtInt(opts.pods)} pods`, () => listPhase(opts, report, client, pid));
    memoryRows(report, opts.pods, idleSmall, await serverMemory(client, pid), `${opts.listRuns * 4} lists`);
  }

  // 4. watch fan-out
  if (opts.watchers > 0 && opts.watchWrites > 0) {
    await timed(report, `4. watch: ${opts.watchers} watchers, ${opts.watchWrites} updates at ${opts.rate}/s`, () => watchPhase(opts, report, client, pid));
  }

  // 5. steady-rate creates: the SLO figure
  if (opts.sloWrites > 0) {
    cpu0 = cpuMark(pid);
    const slo = await timed(report, `5. ${opts.sloWrites} creates at ${opts.rate}/s`, () =>
      openLoop(opts.sloWrites, opts.rate, async (i) => {
        const name = `slo-${String(i).padStart(6, '0')}`;
        await client.expect([201], 'POST', podsPath, podManifest(name, i, NS, owners));
      }),
    );
    report.sloP99 = slo.latency.p99;
    report.rows.push({
      section: '5 SLO',
      what: `POST pod at a steady ${opts.rate}/s (open loop), no watchers`,
      result: `${fmtInt(slo.ops)} creates`,
      p50: slo.latency.p50,
      p99: slo.latency.p99,
      note: `max ${fmtMs(slo.latency.max)}; ${cpuNote(pid, cpu0, slo.elapsedMs, slo.ops)}${slo.lateStarts ? `; ${slo.lateStarts} sends started late` : ''}`,
    });
  }

  // 6b. fill to the big size
  const have = opts.pods + opts.sloWrites;
  if (!opts.skipBig && opts.big > have) {
    const need = opts.big - have;
    cpu0 = cpuMark(pid);
    const fill = await timed(report, `6. fill to ${fmtInt(opts.big)} pods (+${fmtInt(need)})`, () =>
      closedLoop(need, opts.concurrency, async (k) => {
        const i = opts.pods + k;
        await client.expect([201], 'POST', podsPath, podManifest(podName(i), i, NS, owners));
      }),
    );
    report.rows.push({
      section: '1 creates',
      what: `POST pod, ${opts.concurrency} in flight, ${fmtInt(have)} -> ${fmtInt(opts.big)} pods`,
      result: `${fmtRate(fill.perSecond)} creates/s`,
      p50: fill.latency.p50,
      p99: fill.latency.p99,
      note: cpuNote(pid, cpu0, fill.elapsedMs, fill.ops),
    });
    const idleBig = await timed(report, `6. idle memory at ${fmtInt(opts.big)} pods`, () => idleMemory(client, pid, opts.idleMs));
    const runs = Math.min(3, Math.max(1, opts.listRuns));
    const lat = new Samples();
    let bytes = 0;
    await timed(report, `3. ${runs} full lists of ${fmtInt(opts.big)} pods`, async () => {
      for (let r = 0; r < runs; r++) {
        const s = performance.now();
        const res = await client.expect([200], 'GET', podsPath);
        lat.push(performance.now() - s);
        bytes = res.body.length;
      }
    });
    const ls = lat.summary();
    report.rows.push({ section: '3 lists', what: `full list, ${fmtInt(opts.big)} pods, JSON`, result: `${runs} runs`, p50: ls.p50, p99: ls.max, note: `p99 column = max; ${(bytes / 1024 / 1024).toFixed(1)} MiB` });
    memoryRows(report, opts.big, idleBig, await serverMemory(client, pid), `${runs} full lists`);
  }

  client.close();
  await timed(report, 'stop flotilla', async () => {
    noteServerCpu(pid);
    const killer = setTimeout(() => void cluster.kill(), 15_000);
    const code = await cluster.stop();
    clearTimeout(killer);
    if (code !== 0) report.errors.push(`flotilla up exited with ${code} on SIGTERM; output tail: ${cluster.output().slice(-500)}`);
  });
}

async function listPhase(opts: Options, report: Report, client: Client, pid: number): Promise<void> {
  const podsPath = `/api/v1/namespaces/${NS}/pods`;
  const full = new Samples();
  let fullBytes = 0;
  let count = 0;
  let cpu0 = cpuMark(pid);
  let t0 = performance.now();
  for (let r = 0; r < opts.listRuns; r++) {
    const s = performance.now();
    const res = await client.expect([200], 'GET', podsPath);
    full.push(performance.now() - s);
    fullBytes = res.body.length;
    if (r === 0) count = (JSON.parse(res.body.toString('utf8')) as { items: unknown[] }).items.length;
  }
  const fullCpu = cpuNote(pid, cpu0, performance.now() - t0, opts.listRuns);
  if (count !== opts.pods) report.errors.push(`full list returned ${count} pods, expected ${opts.pods}`);
  const fs = full.summary();
  report.list10kP50 = fs.p50;
  report.rows.push({
    section: '3 lists',
    what: `full list, ${fmtInt(opts.pods)} pods, JSON`,
    result: `${opts.listRuns} runs`,
    p50: fs.p50,
    p99: fs.max,
    note: `p99 column = max; ${(fullBytes / 1024 / 1024).toFixed(1)} MiB; ${fullCpu}`,
  });

  const pageLat = new Samples();
  const walk = new Samples();
  let pages = 0;
  let paged = 0;
  for (let r = 0; r < opts.listRuns; r++) {
    const w0 = performance.now();
    let cont = '';
    pages = 0;
    paged = 0;
    do {
      const s = performance.now();
      const res = await client.expect([200], 'GET', `${podsPath}?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      pageLat.push(performance.now() - s);
      const body = JSON.parse(res.body.toString('utf8')) as { metadata: { continue?: string }; items: unknown[] };
      paged += body.items.length;
      pages++;
      cont = body.metadata.continue ?? '';
    } while (cont);
    walk.push(performance.now() - w0);
  }
  if (paged !== opts.pods) report.errors.push(`paged list returned ${paged} pods, expected ${opts.pods}`);
  const ps = pageLat.summary();
  report.rows.push({ section: '3 lists', what: 'one page, limit=500', result: `${ps.count} pages`, p50: ps.p50, p99: ps.p99 });
  const ws = walk.summary();
  report.rows.push({
    section: '3 lists',
    what: `all ${pages} pages of 500 in sequence (client parses each)`,
    result: `${opts.listRuns} runs`,
    p50: ws.p50,
    p99: ws.max,
    note: 'p99 column = max',
  });

  const table = new Samples();
  let tableBytes = 0;
  const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
  cpu0 = cpuMark(pid);
  t0 = performance.now();
  for (let r = 0; r < opts.listRuns; r++) {
    const s = performance.now();
    const res = await client.expect([200], 'GET', podsPath, undefined, { Accept: tableAccept });
    table.push(performance.now() - s);
    tableBytes = res.body.length;
    if (r === 0 && !res.body.subarray(0, 200).toString('utf8').includes('"Table"')) report.errors.push('the Table list did not return a Table');
  }
  const tableCpu = cpuNote(pid, cpu0, performance.now() - t0, opts.listRuns);
  const ts = table.summary();
  report.rows.push({
    section: '3 lists',
    what: `full list as Table (kubectl get), ${fmtInt(opts.pods)} pods`,
    result: `${opts.listRuns} runs`,
    p50: ts.p50,
    p99: ts.max,
    note: `p99 column = max; ${(tableBytes / 1024 / 1024).toFixed(1)} MiB; ${tableCpu}`,
  });
  const pageTable = new Samples();
  for (let r = 0; r < opts.listRuns; r++) {
    const s = performance.now();
    await client.expect([200], 'GET', `${podsPath}?limit=500`, undefined, { Accept: tableAccept });
    pageTable.push(performance.now() - s);
  }
  const pts = pageTable.summary();
  report.rows.push({ section: '3 lists', what: 'first page as Table, limit=500 (kubectl default chunk)', result: `${opts.listRuns} runs`, p50: pts.p50, p99: pts.max, note: 'p99 column = max' });
}

/**
 * 100 HTTPS watch streams from the list's resourceVersion; then updates at a steady rate, each
 * stamped with a sequence number in an annotation. Delivery latency runs from just before the
 * write is sent to the moment each watcher has the event's line.
 */
async function watchPhase(opts: Options, report: Report, client: Client, pid: number): Promise<void> {
  const podsPath = `/api/v1/namespaces/${NS}/pods`;
  const head = await client.expect([200], 'GET', `${podsPath}?limit=1`);
  const listRv = (JSON.parse(head.body.toString('utf8')) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const watchAgent = new Agent({ keepAlive: false, maxSockets: opts.watchers + 8, ca: client.creds.caPem });
  const sentAt = new Float64Array(opts.watchWrites).fill(NaN);
  const delivery = new Samples();
  const perWatcher = new Array<number>(opts.watchers).fill(0);
  const requests: ReturnType<typeof httpsRequest>[] = [];
  const seqRe = new RegExp(`"${SEQ_ANNOTATION.replace(/[./]/g, (c) => `\\${c}`)}":"(\\d+)"`);
  let watchErrors = 0;
  let closing = false;
  let expected = 0;
  let received = 0;
  let allIn: (() => void) | undefined;
  try {
    const opened = Array.from({ length: opts.watchers }, (_, w) =>
      new Promise<void>((resolve, reject) => {
        const req = httpsRequest(
          {
            host: client.url.hostname,
            port: client.url.port,
            path: `${podsPath}?watch=true&resourceVersion=${listRv}&timeoutSeconds=600`,
            method: 'GET',
            headers: { Accept: 'application/json', Authorization: `Bearer ${client.creds.token}` },
            agent: watchAgent,
          },
          (res: IncomingMessage) => {
            if (res.statusCode !== 200) {
              reject(new Error(`watch ${w}: HTTP ${res.statusCode}`));
              res.resume();
              return;
            }
            res.setEncoding('utf8');
            let buf = '';
            res.on('data', (chunk: string) => {
              const now = performance.now();
              buf += chunk;
              let nl: number;
              while ((nl = buf.indexOf('\n')) >= 0) {
                const line = buf.slice(0, nl);
                buf = buf.slice(nl + 1);
                if (line.startsWith('{"type":"ERROR"')) {
                  watchErrors++;
                  continue;
                }
                const m = seqRe.exec(line);
                if (!m) continue;
                const seq = Number(m[1]);
                const t = sentAt[seq];
                if (Number.isNaN(t)) continue;
                delivery.push(now - t);
                perWatcher[w]++;
                received++;
                if (allIn && received >= expected) allIn();
              }
            });
            res.on('error', () => undefined);
            resolve();
          },
        );
        req.on('error', (e) => {
          if (!closing) reject(e);
        });
        req.end();
        requests.push(req);
      }),
    );
    await Promise.all(opened);
    await sleep(200);

    const cpu0 = cpuMark(pid);
    expected = opts.watchWrites * opts.watchers;
    const done = new Promise<void>((r) => (allIn = r));
    const writes = await openLoop(opts.watchWrites, opts.rate, async (seq) => {
      const body = Buffer.from(JSON.stringify({ metadata: { annotations: { [SEQ_ANNOTATION]: String(seq) } } }));
      sentAt[seq] = performance.now();
      await client.expect([200], 'PATCH', `${podsPath}/${podName(seq % opts.pods)}`, body, { 'Content-Type': 'application/merge-patch+json' });
    });
    const cpuNoteText = cpuNote(pid, cpu0, writes.elapsedMs, writes.ops);
    await Promise.race([done, sleep(15_000)]);
    const d = delivery.summary();
    const minPer = Math.min(...perWatcher);
    report.rows.push({
      section: '4 watch',
      what: `event delivery, ${opts.watchers} watchers, updates at ${opts.rate}/s`,
      result: `${fmtInt(received)}/${fmtInt(expected)} events`,
      p50: d.p50,
      p99: d.p99,
      note: `send -> line at watcher; max ${fmtMs(d.max)}; slowest watcher got ${minPer}/${opts.watchWrites}`,
    });
    report.rows.push({
      section: '4 watch',
      what: `PATCH pod (merge patch) at ${opts.rate}/s while ${opts.watchers} watch`,
      result: `${fmtInt(writes.ops)} updates`,
      p50: writes.latency.p50,
      p99: writes.latency.p99,
      note: `max ${fmtMs(writes.latency.max)}; ${cpuNoteText}`,
    });
    if (received < expected) report.errors.push(`watch: ${expected - received} of ${expected} events were not delivered within 15 s`);
    if (watchErrors > 0) report.errors.push(`watch: ${watchErrors} ERROR events`);
  } finally {
    closing = true;
    for (const req of requests) req.destroy();
    watchAgent.destroy();
  }
}

// ---- storage ceiling --------------------------------------------------------------------------

/** kine's own index set (spec §10.1), for comparison. */
const KINE_FULL_INDEXES = `
CREATE INDEX IF NOT EXISTS kine_name_index ON kine (name);
CREATE INDEX IF NOT EXISTS kine_name_id_index ON kine (name, id);
CREATE INDEX IF NOT EXISTS kine_id_deleted_index ON kine (id, deleted);
CREATE INDEX IF NOT EXISTS kine_prev_revision_index ON kine (prev_revision);
`;

function rawSqliteInserts(path: string, payloads: (i: number) => Buffer, n: number, extraDdl = ''): LoadResult {
  const db = new Database(path, { timeout: 30_000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('temp_store = MEMORY');
    db.pragma('cache_size = -32768');
    db.exec(SQLITE_SCHEMA + extraDdl);
    const insert = db.prepare(
      'INSERT INTO kine (name, created, deleted, create_revision, prev_revision, lease, value, old_value) VALUES (?, 1, 0, 0, 0, 0, ?, NULL)',
    );
    const tx = db.transaction((key: string, value: Buffer) => insert.run(key, value));
    const lat = new Samples();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const key = `/registry/core/pods/${NS}/${podName(i)}`;
      const value = payloads(i);
      const s = performance.now();
      tx.immediate(key, value);
      lat.push(performance.now() - s);
    }
    const elapsedMs = performance.now() - t0;
    return { ops: n, elapsedMs, perSecond: (n / elapsedMs) * 1000, latency: lat.summary() };
  } finally {
    db.close();
  }
}

async function backendInserts(path: string, payloads: (i: number) => Buffer, n: number): Promise<LoadResult> {
  const backend = SqliteBackend.open(path);
  try {
    const lat = new Samples();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const key = `/registry/core/pods/${NS}/${podName(i)}`;
      const value = payloads(i);
      const s = performance.now();
      await backend.create(key, value);
      lat.push(performance.now() - s);
    }
    const elapsedMs = performance.now() - t0;
    return { ops: n, elapsedMs, perSecond: (n / elapsedMs) * 1000, latency: lat.summary() };
  } finally {
    await backend.close();
  }
}

/** What one write+fdatasync costs in the temp dir: the price etcd pays per WAL batch. */
function fdatasyncProbe(dir: string, n = 200): Summary {
  const path = join(dir, 'fsync-probe');
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(4096, 1);
  const lat = new Samples();
  try {
    for (let i = 0; i < n; i++) {
      const s = performance.now();
      writeSync(fd, block, 0, block.length, (i % 64) * 4096);
      fdatasyncSync(fd);
      lat.push(performance.now() - s);
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  return lat.summary();
}

async function storagePhase(opts: Options, report: Report): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'flotilla-bench-sqlite-'));
  onCleanup('remove sqlite bench dir', () => rmSync(dir, { recursive: true, force: true }));
  // Payloads are built before the timed loops so only storage is measured.
  const payloads = Array.from({ length: opts.pods }, (_, i) => podManifest(podName(i), i));
  const at = (i: number) => payloads[i];

  const raw = rawSqliteInserts(join(dir, 'raw.db'), at, opts.pods);
  report.sqliteRawPerSecond = raw.perSecond;
  report.rows.push({
    section: '7a storage',
    what: 'better-sqlite3 INSERT, own IMMEDIATE txn each, flotilla schema',
    result: `${fmtRate(raw.perSecond)} inserts/s`,
    p50: raw.latency.p50,
    p99: raw.latency.p99,
    note: 'WAL, synchronous=NORMAL, one row per txn',
  });
  const kine = rawSqliteInserts(join(dir, 'kine.db'), at, opts.pods, KINE_FULL_INDEXES);
  report.rows.push({
    section: '7a storage',
    what: "same, with kine's full index set (spec 10.1)",
    result: `${fmtRate(kine.perSecond)} inserts/s`,
    p50: kine.latency.p50,
    p99: kine.latency.p99,
  });
  const be = await backendInserts(join(dir, 'backend.db'), at, opts.pods);
  report.sqliteBackendPerSecond = be.perSecond;
  report.rows.push({
    section: '7a storage',
    what: 'SqliteBackend.create() (check + insert + revision)',
    result: `${fmtRate(be.perSecond)} creates/s`,
    p50: be.latency.p50,
    p99: be.latency.p99,
  });
  const fsync = fdatasyncProbe(dir);
  report.notes.push(`write+fdatasync of 4 KiB in ${os.tmpdir()}: p50 ${fmtMs(fsync.p50)}, p99 ${fmtMs(fsync.p99)} (etcd pays this per WAL batch; SQLite with synchronous=NORMAL in WAL mode does not per commit)`);
}

// ---- transport floor ---------------------------------------------------------------------------

/** The server's certificate and key, kept for the transport-floor server. */
let servingTls: { certPem: string; keyPem: string; caPem: string } | undefined;

/**
 * A trivial Node HTTPS server in its own process, with flotilla's certificate: it reads the POSTed
 * pod, parses it, and answers 201 with it serialised again plus a few hundred bytes (the size the
 * API server returns). No storage, validation or routing: what HTTPS + JSON alone cost per create
 * on this machine with this client.
 */
const ECHO_SERVER = `
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';
const [cert, key] = [readFileSync(process.argv[2], 'utf8'), readFileSync(process.argv[3], 'utf8')];
const pad = 'x'.repeat(600);
const server = createServer({ cert, key, keepAliveTimeout: 65000 }, (req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const obj = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    obj.metadata.uid = '00000000-0000-0000-0000-000000000000';
    obj.metadata.pad = pad;
    const body = JSON.stringify(obj);
    res.writeHead(201, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write('PORT ' + server.address().port + '\\n'));
process.on('SIGTERM', () => process.exit(0));
`;

async function transportFloorPhase(opts: Options, report: Report): Promise<void> {
  if (!servingTls) return;
  const dir = mkdtempSync(join(os.tmpdir(), 'flotilla-bench-echo-'));
  onCleanup('remove echo dir', () => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'echo.mjs'), ECHO_SERVER);
  writeFileSync(join(dir, 'tls.crt'), servingTls.certPem);
  writeFileSync(join(dir, 'tls.key'), servingTls.keyPem, { mode: 0o600 });
  const child = spawn(process.execPath, [join(dir, 'echo.mjs'), join(dir, 'tls.crt'), join(dir, 'tls.key')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  onCleanup('stop echo server', async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    noteServerCpu(child.pid!);
    child.kill('SIGTERM');
    await exited;
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const port = await waitFor('the echo server to listen', () => {
    if (child.exitCode !== null) throw new Error(`echo server exited: ${out}`);
    return /PORT (\d+)/.exec(out)?.[1];
  }, 10_000);
  const client = new Client({ server: `https://127.0.0.1:${port}`, caPem: servingTls.caPem, token: 'unused' }, opts.concurrency);
  try {
    const payloads = (i: number) => podManifest(podName(i), i);
    await closedLoop(Math.max(opts.warmup, 500), opts.concurrency, async (i) => {
      await client.expect([201], 'POST', '/echo', payloads(i));
    });
    const cpu0 = cpuMark(child.pid!);
    const r = await closedLoop(opts.pods, opts.concurrency, async (i) => {
      await client.expect([201], 'POST', '/echo', payloads(i));
    });
    report.httpsFloorPerSecond = r.perSecond;
    report.rows.push({
      section: '7c transport',
      what: `Node HTTPS echo server (parse + stringify, no storage), ${opts.concurrency} in flight`,
      result: `${fmtRate(r.perSecond)} req/s`,
      p50: r.latency.p50,
      p99: r.latency.p99,
      note: cpuNote(child.pid!, cpu0, r.elapsedMs, r.ops),
    });
  } finally {
    client.close();
  }
}

// ---- etcd -------------------------------------------------------------------------------------

async function etcdPhase(opts: Options, report: Report): Promise<void> {
  const busy0 = machineBusySeconds();
  const found = await timed(report, 'etcd: find or install', () => ensureEtcd(progress));
  // apt-get's CPU is the bench's own doing, not interference from other processes.
  if ('installed' in found && found.installed) serverCpu.seconds += machineBusySeconds() - busy0;
  if ('error' in found) {
    report.etcdUnavailable = found.error;
    return;
  }
  const version = await etcdVersion(found.bin);
  const protoDir = mkdtempSync(join(os.tmpdir(), 'flotilla-bench-proto-'));
  onCleanup('remove proto dir', () => rmSync(protoDir, { recursive: true, force: true }));
  let server: EtcdServer;
  try {
    server = await startEtcd(found.bin);
  } catch (e) {
    report.etcdUnavailable = `etcd ${version} failed to start: ${(e as Error).message}`;
    return;
  }
  onCleanup('stop etcd', () => {
    noteServerCpu(server.pid);
    return server.stop();
  });
  let kv: EtcdKv;
  try {
    kv = connectKv(server.endpoint, protoDir);
  } catch (e) {
    report.etcdUnavailable = `gRPC client for etcd could not be set up: ${(e as Error).message}`;
    return;
  }
  onCleanup('close etcd client', () => kv.close());
  try {
    await waitForEtcd(server, kv);
  } catch (e) {
    report.etcdUnavailable = (e as Error).message;
    return;
  }
  progress(`etcd ${version} (pid ${server.pid}) is serving on ${server.endpoint}${found.installed ? ' (installed from Debian)' : ''}`);
  const payloads = Array.from({ length: opts.pods }, (_, i) => podManifest(podName(i), i));
  if (opts.warmup > 0) {
    await timed(report, `etcd: warm-up, ${fmtInt(opts.warmup)} puts and create txns`, async () => {
      await closedLoop(opts.warmup, opts.concurrency, async (i) => {
        await kv.put(Buffer.from(`/registry/pods/${NS}-warmup/${podName(i)}`), payloads[i % payloads.length]);
      });
      await closedLoop(opts.warmup, opts.concurrency, async (i) => {
        await kv.createTxn(Buffer.from(`/registry/pods/${NS}-warmup-txn/${podName(i)}`), payloads[i % payloads.length]);
      });
    });
  }

  let cpu0 = cpuMark(server.pid);
  const puts = await timed(report, `etcd: ${fmtInt(opts.pods)} puts`, () =>
    closedLoop(opts.pods, opts.concurrency, async (i) => {
      await kv.put(Buffer.from(`/registry/pods/${NS}/${podName(i)}`), payloads[i]);
    }),
  );
  report.etcdPutsPerSecond = puts.perSecond;
  report.rows.push({
    section: '7b etcd',
    what: `etcd ${version} KV/Put, ${opts.concurrency} in flight, 1 gRPC channel`,
    result: `${fmtRate(puts.perSecond)} puts/s`,
    p50: puts.latency.p50,
    p99: puts.latency.p99,
    note: cpuNote(server.pid, cpu0, puts.elapsedMs, puts.ops, 'etcd'),
  });

  cpu0 = cpuMark(server.pid);
  let failedTxn = 0;
  const txns = await timed(report, `etcd: ${fmtInt(opts.pods)} create txns`, () =>
    closedLoop(opts.pods, opts.concurrency, async (i) => {
      if (!(await kv.createTxn(Buffer.from(`/registry/pods/txn/${podName(i)}`), payloads[i]))) failedTxn++;
    }),
  );
  // The compare must fail for a key that exists, or the txn is not the create it claims to be.
  if (await kv.createTxn(Buffer.from(`/registry/pods/txn/${podName(0)}`), payloads[0])) report.errors.push('etcd create txn succeeded on an existing key');
  if (failedTxn > 0) report.errors.push(`etcd: ${failedTxn} create txns failed their compare`);
  report.etcdTxnPerSecond = txns.perSecond;
  report.rows.push({
    section: '7b etcd',
    what: 'etcd KV/Txn create (If mod_revision==0 Then Put), as kube creates',
    result: `${fmtRate(txns.perSecond)} txns/s`,
    p50: txns.latency.p50,
    p99: txns.latency.p99,
    note: cpuNote(server.pid, cpu0, txns.elapsedMs, txns.ops, 'etcd'),
  });
  const mem = memoryMiB(server.pid);
  report.notes.push(`etcd RSS after ${fmtInt(2 * opts.pods)} keys: ${mem.rss.toFixed(0)} MiB (peak ${mem.hwm.toFixed(0)} MiB)`);
}

// ---- report -----------------------------------------------------------------------------------

function printReport(opts: Options, report: Report, totalMs: number): void {
  const cpus = os.cpus();
  const out: string[] = [];
  out.push('');
  out.push('Flotilla API server benchmark');
  out.push(
    `machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}; Node ${process.version}`,
  );
  out.push(
    `options: --pods ${opts.pods} --big ${opts.skipBig ? 'skipped' : opts.big} --concurrency ${opts.concurrency} --gets ${opts.gets} --list-runs ${opts.listRuns} --watchers ${opts.watchers} --watch-writes ${opts.watchWrites} --rate ${opts.rate} --slo-writes ${opts.sloWrites} --warmup ${opts.warmup} --idle-ms ${opts.idleMs}${opts.skipEtcd ? ' --skip-etcd' : ''}${opts.skipCeiling ? ' --skip-ceiling' : ''}`,
  );
  out.push(`load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}, at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; machine CPU used by processes other than the bench and its servers during the run: ${othersNote()}`);
  out.push('client and server share the machine: the load generator (this process) takes CPU from the server. "other processes" in the notes is CPU used by anything else.');
  out.push('');
  const rows: string[][] = [['#', 'measurement', 'result', 'p50', 'p99', 'notes']];
  const ordered = report.rows.map((r, i) => ({ r, i })).sort((a, b) => a.r.section.localeCompare(b.r.section) || a.i - b.i).map((x) => x.r);
  for (const r of ordered) rows.push([r.section, r.what, r.result, fmtMs(r.p50 ?? NaN), fmtMs(r.p99 ?? NaN), r.note ?? '']);
  out.push(renderTable(rows, new Set([2, 3, 4])));
  out.push('');

  const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined && b > 0 ? a / b : undefined);
  const etcdRatio = ratio(report.createsPerSecond, report.etcdPutsPerSecond);
  const ratios: string[][] = [['ratio', 'value']];
  ratios.push(['flotilla creates/s ÷ etcd puts/s', etcdRatio !== undefined ? etcdRatio.toFixed(2) : `n/a${report.etcdUnavailable ? ` (${report.etcdUnavailable})` : opts.skipEtcd ? ' (--skip-etcd)' : ''}`]);
  const txnRatio = ratio(report.createsPerSecond, report.etcdTxnPerSecond);
  ratios.push(['flotilla creates/s ÷ etcd create txns/s', txnRatio !== undefined ? txnRatio.toFixed(2) : 'n/a']);
  const raw = ratio(report.createsPerSecond, report.sqliteRawPerSecond);
  ratios.push(['flotilla creates/s ÷ SQLite raw insert ceiling', raw !== undefined ? `${raw.toFixed(3)} (${(raw * 100).toFixed(1)}%)` : 'n/a']);
  const be = ratio(report.createsPerSecond, report.sqliteBackendPerSecond);
  ratios.push(['flotilla creates/s ÷ SqliteBackend.create ceiling', be !== undefined ? `${be.toFixed(3)} (${(be * 100).toFixed(1)}%)` : 'n/a']);
  const floor = ratio(report.createsPerSecond, report.httpsFloorPerSecond);
  ratios.push(['flotilla creates/s ÷ bare Node HTTPS echo req/s', floor !== undefined ? `${floor.toFixed(3)} (${(floor * 100).toFixed(1)}%)` : 'n/a']);
  const floorVsEtcd = ratio(report.httpsFloorPerSecond, report.etcdPutsPerSecond);
  ratios.push(['bare Node HTTPS echo req/s ÷ etcd puts/s (upper bound for the goal ratio)', floorVsEtcd !== undefined ? floorVsEtcd.toFixed(2) : 'n/a']);
  out.push(renderTable(ratios));
  out.push('');

  const goals: string[][] = [['goal', 'target', 'measured', 'met?']];
  if (etcdRatio !== undefined) {
    goals.push(['creates/s vs single-node etcd puts/s', `≥ 1.3× (${fmtRate(1.3 * report.etcdPutsPerSecond!)}/s)`, `${fmtRate(report.createsPerSecond!)}/s = ${etcdRatio.toFixed(2)}×`, etcdRatio >= 1.3 ? 'MET' : 'NOT MET']);
  } else {
    goals.push(['creates/s vs single-node etcd puts/s', '≥ 1.3×', `${fmtRate(report.createsPerSecond ?? NaN)}/s; etcd n/a`, 'UNKNOWN']);
  }
  if (report.sloP99 !== undefined) {
    goals.push([`single-object write p99 at ${opts.rate} writes/s`, '≤ 20 ms', fmtMs(report.sloP99), report.sloP99 <= 20 ? 'MET' : 'NOT MET']);
  }
  if (report.list10kP50 !== undefined) {
    goals.push([`${fmtInt(opts.pods)}-pod list (JSON, p50)`, '≤ 300 ms', fmtMs(report.list10kP50), report.list10kP50 <= 300 ? 'MET' : 'NOT MET']);
  }
  out.push(renderTable(goals));
  out.push('');
  if (report.etcdUnavailable) out.push(`etcd unavailable: ${report.etcdUnavailable}`);
  for (const n of report.notes) out.push(`note: ${n}`);
  out.push('');
  out.push(`durations: ${report.durations.map(([n, ms]) => `${n} ${fmtMs(ms)}`).join('; ')}`);
  out.push(`total ${fmtMs(totalMs)}`);
  if (report.errors.length > 0) {
    out.push('');
    out.push(`ERRORS (${report.errors.length}):`);
    for (const e of report.errors) out.push(`  ${e}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

// ---- main -------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const report: Report = { rows: [], durations: [], errors: [], notes: [] };
  let failed: unknown;
  try {
    await flotillaPhases(opts, report);
    await runCleanups();
    if (!interrupted && !opts.skipCeiling) await timed(report, '7a. storage ceiling', () => storagePhase(opts, report));
    if (!interrupted && !opts.skipCeiling) await timed(report, '7c. transport floor', () => transportFloorPhase(opts, report));
    await runCleanups();
    if (!interrupted && !opts.skipEtcd) await etcdPhase(opts, report);
  } catch (e) {
    failed = e;
  } finally {
    await runCleanups();
  }
  if (interrupted) return 130;
  printReport(opts, report, performance.now() - started);
  if (failed) {
    process.stderr.write(`\nbenchmark failed: ${(failed as Error).stack ?? String(failed)}\n`);
    return 1;
  }
  return report.errors.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`benchmark failed: ${(e as Error).stack ?? String(e)}\n`);
    void runCleanups().finally(() => process.exit(1));
  },
);
