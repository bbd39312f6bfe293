/**
 * API server completeness benchmark: starts a fresh `flotilla up` in its own process (the API
 * server alone, see below) and measures, in one run, what the "API server completeness" issue
 * asks for:
 *   1. the real kubectl against a 1,000-object manifest (ConfigMaps, Services and Deployments in
 *      one YAML file, a fresh namespace each time): `kubectl apply -f` three times (creates;
 *      nothing changed, GETs only; every object changed, patches), `kubectl create -f`,
 *      `kubectl apply --server-side -f` (the same three), and beside them the same 1,000 objects
 *      POSTed straight to the HTTPS API by concurrent keep-alive clients, with the ratios;
 *   2. garbage collection of a 10,000-pod owner tree (a ReplicaSet with replicas 0 owning 10,000
 *      pods with controller and blockOwnerDeletion references; no controllers run, so the bench
 *      makes the pods): DELETE of the owner with propagationPolicy Background (until every pod is
 *      gone), Foreground (until the owner is gone) and Orphan (until every pod lost its reference),
 *      timed by watches on the pods and the owner (resumed from the last resourceVersion when the
 *      server closes them), with a small GET every 20 ms meanwhile to show how long other clients
 *      wait while the collector works.
 * Figures are printed, not asserted: a slow figure does not fail the process; a real error (a
 * failed request or kubectl command, a server that will not start, garbage collection that does
 * not finish within --gc-timeout-s) does, after cleanup.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/api-completeness.js. Options:
 *   --objects 1000 --mix mixed|configmaps --concurrency 64 --gc-pods 10000 --warmup 200
 *   --gc-timeout-s 600 --kubectl-timeout-s 900 --skip-kubectl --skip-gc --with-controllers
 *   --server-node-args "--cpu-prof --cpu-prof-dir=/tmp/prof"
 * Every option can also be given as an environment variable: BENCH_OBJECTS, BENCH_SKIP_GC, ...
 *
 * The server runs alone (`flotilla up --no-controllers --nodes 0`, when this `flotilla up` has
 * those flags), so every object and pod is the bench's own and nothing else writes: the figures
 * are the API server's and its garbage collector's. With --with-controllers it is started with
 * its defaults (scheduler, controllers, simulated nodes); the owner of the pod trees is then a
 * ConfigMap (a ReplicaSet controller would scale a ReplicaSet's pods away) and the pods name a
 * scheduler that does not exist, so they stay unbound and are deleted without a grace period.
 * A server CPU profile is read with `node dist/bench/cpuprofile-top.js <file> [--under NAME]`.
 *
 * Reading the figures: kubectl, the load generator (this process) and the server share the
 * machine's cores, so each row notes the CPU the server, kubectl, this process and any other
 * process used. kubectl works through a manifest one object at a time, so its own CPU per object
 * is part of every kubectl figure; the server's share is in the "server" part of the notes and in
 * the time the server itself spent on the requests (from its /metrics).
 */
import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify as toYaml } from 'yaml';
import { FLOTILLA_BIN, makeTempDir, readCredentials, waitFor, type RunningCluster } from '../test/support/cluster.js';
import { cpuSeconds, fmtInt, fmtMs, fmtRate, machineBusySeconds, memoryMiB, renderTable, Samples, sleep, type Summary } from './stats.js';
import { Client, closedLoop, interrupted, onCleanup, parseBenchOptions, progress, runCleanups, started, timed, type LoadResult } from './support.js';

// ---- options ----------------------------------------------------------------------------------

interface Options {
  objects: number;
  mix: string;
  concurrency: number;
  gcPods: number;
  warmup: number;
  gcTimeoutS: number;
  kubectlTimeoutS: number;
  skipKubectl: boolean;
  skipGc: boolean;
  withControllers: boolean;
  serverNodeArgs: string;
}

const DEFAULTS: Options = {
  objects: 1000,
  mix: 'mixed',
  concurrency: 64,
  gcPods: 10_000,
  warmup: 200,
  gcTimeoutS: 600,
  kubectlTimeoutS: 900,
  skipKubectl: false,
  skipGc: false,
  withControllers: false,
  serverNodeArgs: '',
};

function parseOptions(argv: string[]): Options {
  const opts = parseBenchOptions(DEFAULTS, argv, 'dist/bench/api-completeness.js');
  if (opts.objects < 1) throw new Error('--objects must be at least 1');
  if (opts.gcPods < 1) throw new Error('--gc-pods must be at least 1');
  if (opts.concurrency < 1) throw new Error('--concurrency must be at least 1');
  if (opts.gcTimeoutS < 1 || opts.kubectlTimeoutS < 1) throw new Error('timeouts must be at least 1 s');
  if (opts.mix !== 'mixed' && opts.mix !== 'configmaps') throw new Error(`--mix must be "mixed" or "configmaps", got ${JSON.stringify(opts.mix)}`);
  return opts;
}

// ---- process CPU ------------------------------------------------------------------------------

const clockTicks = (() => {
  const n = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/**
 * CPU seconds of this process's children that have exited and been waited for (cutime + cstime
 * of /proc/self/stat): each kubectl run once it has exited, and the server once it has stopped.
 */
function reapedChildrenCpuSeconds(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3; cutime is field 16, cstime field 17.
    return (Number(rest[13]) + Number(rest[14])) / clockTicks;
  } catch {
    return NaN;
  }
}

// ---- output -----------------------------------------------------------------------------------

const loadAtStart = os.loadavg();
const machineAtStart = machineBusySeconds();
const clientAtStart = process.cpuUsage();
const childrenAtStart = reapedChildrenCpuSeconds();

/** CPU used by everything other than this process and its children (kubectl, the server), as a share of one core. */
function othersNote(): string {
  const c = process.cpuUsage(clientAtStart);
  const others = machineBusySeconds() - machineAtStart - (c.user + c.system) / 1e6 - (reapedChildrenCpuSeconds() - childrenAtStart);
  const wall = (performance.now() - started) / 1000;
  return Number.isFinite(others) ? `${((Math.max(0, others) / wall) * 100).toFixed(0)}% of a core on average` : 'unknown';
}

// ---- report -----------------------------------------------------------------------------------

interface Row {
  section: string;
  what: string;
  wallMs?: number;
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
  /** Wall times of the 1,000-object runs, by name, for the ratios. */
  wall: Map<string, number>;
  /** Server CPU seconds of the same runs. */
  serverCpu: Map<string, number>;
  kubectlVersion?: string;
  upArgs?: string[];
}

interface CpuMark {
  server: number;
  client: NodeJS.CpuUsage;
  children: number;
  machine: number;
  at: number;
}

function cpuMark(pid: number): CpuMark {
  return { server: cpuSeconds(pid), client: process.cpuUsage(), children: reapedChildrenCpuSeconds(), machine: machineBusySeconds(), at: performance.now() };
}

interface CpuUse {
  wallS: number;
  server: number;
  client: number;
  kubectl: number;
  others: number;
}

function cpuUse(pid: number, before: CpuMark): CpuUse {
  const server = cpuSeconds(pid) - before.server;
  const c = process.cpuUsage(before.client);
  const client = (c.user + c.system) / 1e6;
  const kubectl = reapedChildrenCpuSeconds() - before.children;
  const others = machineBusySeconds() - before.machine - client - (Number.isFinite(server) ? server : 0) - (Number.isFinite(kubectl) ? kubectl : 0);
  return { wallS: (performance.now() - before.at) / 1000, server, client, kubectl, others };
}

/** CPU the server, kubectl, this process and other processes used over an interval. */
function cpuNote(use: CpuUse, ops: number, opName = 'op'): string {
  const pct = (sec: number) => `${((sec / use.wallS) * 100).toFixed(0)}%`;
  const parts: string[] = [];
  if (Number.isFinite(use.server)) parts.push(`server CPU ${use.server.toFixed(2)} s (${pct(use.server)} of a core, ${((use.server / ops) * 1e6).toFixed(0)} µs/${opName})`);
  if (Number.isFinite(use.kubectl) && use.kubectl > 0.005) parts.push(`kubectl CPU ${use.kubectl.toFixed(2)} s (${pct(use.kubectl)})`);
  parts.push(`bench ${pct(use.client)}`);
  if (Number.isFinite(use.others)) parts.push(`other processes ${pct(Math.max(0, use.others))}`);
  return parts.join('; ');
}

// ---- the server's request metrics -------------------------------------------------------------

interface MetricsSnapshot {
  /** `verb|resource|code` → count */
  requests: Map<string, number>;
  /** `verb|resource` → seconds */
  seconds: Map<string, number>;
}

function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) out[m[1]] = m[2];
  return out;
}

async function metricsSnapshot(client: Client): Promise<MetricsSnapshot> {
  const text = (await client.expect([200], 'GET', '/metrics', undefined, { Accept: 'text/plain' })).body.toString('utf8');
  const requests = new Map<string, number>();
  const seconds = new Map<string, number>();
  for (const line of text.split('\n')) {
    let m = /^apiserver_request_total\{([^}]*)\}\s+(\S+)/.exec(line);
    if (m) {
      const l = parseLabels(m[1]);
      requests.set(`${l.verb}|${l.resource}|${l.code}`, Number(m[2]));
      continue;
    }
    m = /^apiserver_request_duration_seconds_sum\{([^}]*)\}\s+(\S+)/.exec(line);
    if (m) {
      const l = parseLabels(m[1]);
      seconds.set(`${l.verb}|${l.resource}`, Number(m[2]));
    }
  }
  return { requests, seconds };
}

interface RequestDiff {
  /** Requests on resources (not discovery, OpenAPI or /metrics). */
  resourceRequests: number;
  /** Discovery and OpenAPI requests (this bench's own /metrics read excluded). */
  otherRequests: number;
  /** Time the server spent on the resource requests (sum of request durations). */
  serverSeconds: number;
  /** e.g. `get 1,000 (404), create 1,000 (201)` */
  text: string;
}

const MANIFEST_RESOURCES = new Set(['configmaps', 'services', 'deployments', 'pods', 'replicasets']);

function diffRequests(a: MetricsSnapshot, b: MetricsSnapshot): RequestDiff {
  const byVerb = new Map<string, Map<string, number>>();
  let resourceRequests = 0;
  let otherRequests = 0;
  for (const [key, n] of b.requests) {
    const d = n - (a.requests.get(key) ?? 0);
    if (d <= 0) continue;
    const [verb, resource, code] = key.split('|');
    if (resource === '') {
      otherRequests += d;
      continue;
    }
    resourceRequests += d;
    // The manifest's kinds by verb alone; anything else (kubectl's namespace GETs) by name.
    const k = MANIFEST_RESOURCES.has(resource) ? verb : `${verb} ${resource}`;
    if (!byVerb.has(k)) byVerb.set(k, new Map());
    byVerb.get(k)!.set(code, (byVerb.get(k)!.get(code) ?? 0) + d);
  }
  // The snapshot `a` was read with a GET /metrics that is counted after its own response.
  otherRequests = Math.max(0, otherRequests - 1);
  let serverSeconds = 0;
  for (const [key, s] of b.seconds) {
    if (key.endsWith('|')) continue;
    serverSeconds += s - (a.seconds.get(key) ?? 0);
  }
  const text = [...byVerb]
    .map(([verb, codes]) => {
      const total = [...codes.values()].reduce((x, y) => x + y, 0);
      return `${verb} ${fmtInt(total)} (${[...codes].map(([c, n]) => (codes.size === 1 ? c : `${c}×${fmtInt(n)}`)).join(', ')})`;
    })
    .join(', ');
  return { resourceRequests, otherRequests, serverSeconds, text };
}

function requestNote(d: RequestDiff): string {
  const per = d.resourceRequests > 0 ? ` = ${((d.serverSeconds / d.resourceRequests) * 1000).toFixed(2)} ms/request` : '';
  return `${fmtInt(d.resourceRequests)} requests: ${d.text || 'none'}${d.otherRequests ? ` + ${d.otherRequests} discovery/OpenAPI` : ''}; server time in them ${d.serverSeconds.toFixed(2)} s${per}`;
}

// ---- the server -------------------------------------------------------------------------------

/**
 * `flotilla up --port 0` in a temp dir, spawned as test/support/cluster.ts's startCluster does,
 * plus optional node flags for the server process (e.g. --cpu-prof). Unlike startCluster it kills
 * the child and removes the dir when the ready line never comes.
 */
/**
 * The `flotilla up` flags that keep the server alone (no controllers, scheduler or simulated
 * nodes), as far as this build of `flotilla up` has them (older builds run nothing beside it).
 */
function bareServerArgs(): string[] {
  const help = spawnSync(process.execPath, [FLOTILLA_BIN, 'up', '--help'], { encoding: 'utf8', timeout: 30_000 });
  const text = `${help.stdout ?? ''}${help.stderr ?? ''}`;
  const args: string[] = [];
  if (text.includes('--no-controllers')) args.push('--no-controllers');
  if (text.includes('--no-nodes')) args.push('--no-nodes');
  else if (/--nodes\b/.test(text)) args.push('--nodes', '0');
  return args;
}

async function startServer(nodeArgs: string[], upArgs: string[]): Promise<RunningCluster> {
  const dir = makeTempDir('flotilla-bench-completeness-');
  const kubeconfig = join(dir, 'kube_config_cluster.yml');
  const child = spawn(process.execPath, [...nodeArgs, FLOTILLA_BIN, 'up', '--port', '0', '--data-dir', join(dir, 'data'), '--kubeconfig', kubeconfig, ...upArgs], {
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
    await exited;
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
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

// ---- kubectl ----------------------------------------------------------------------------------

interface KubectlRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The real kubectl from PATH against the cluster, with a private discovery cache. */
function runKubectl(cluster: RunningCluster, args: string[], timeoutMs: number): Promise<KubectlRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    // In its own process group, so that stopping it also stops the kubectl a version dispatcher
    // (such as the Google Cloud SDK's) starts as its child.
    const child = spawn('kubectl', ['--kubeconfig', cluster.kubeconfig, '--cache-dir', join(cluster.dir, 'kube-cache'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: cluster.kubeconfig },
      detached: true,
    });
    const kill = () => {
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(kill, timeoutMs);
    onCleanup(`stop kubectl ${args[0]}`, kill);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`kubectl could not be started: ${e.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

/** kubectl must exit 0 and report `verb` (created, unchanged, configured, serverside-applied) for every object. */
function checkKubectl(report: Report, what: string, run: KubectlRun, expectVerb: string, expectCount: number): boolean {
  const lines = run.stdout.split('\n').filter(Boolean);
  const matching = lines.filter((l) => l.endsWith(` ${expectVerb}`)).length;
  if (run.code !== 0 || matching !== expectCount) {
    const others = lines.filter((l) => !l.endsWith(` ${expectVerb}`)).slice(0, 3);
    report.errors.push(
      `${what}: exit ${run.code ?? run.signal}, ${matching}/${expectCount} objects "${expectVerb}"${others.length ? `; other lines: ${others.join(' | ')}` : ''}${run.stderr ? `; stderr: ${run.stderr.trim().split('\n').slice(0, 3).join(' | ').slice(0, 400)}` : ''}`,
    );
    return false;
  }
  return true;
}

// ---- the manifest -----------------------------------------------------------------------------

type Kind = 'ConfigMap' | 'Service' | 'Deployment';

interface ManifestObject {
  apiVersion: string;
  kind: Kind;
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** 70% ConfigMaps, 15% Services, 15% Deployments (or only ConfigMaps with --mix configmaps). */
function kindOf(i: number, mix: string): Kind {
  if (mix === 'configmaps') return 'ConfigMap';
  const k = i % 20;
  return k < 14 ? 'ConfigMap' : k < 17 ? 'Service' : 'Deployment';
}

/**
 * Object `i` of the manifest in `namespace`. `rev` 2 changes every object: a label on all, and a
 * data key (ConfigMap), a port's targetPort (Service) or the image tag and replicas (Deployment).
 */
function manifestObject(i: number, namespace: string, rev: 1 | 2, mix: string): ManifestObject {
  const kind = kindOf(i, mix);
  const app = `app-${String(i % 50).padStart(2, '0')}`;
  const labels = { app, 'app.kubernetes.io/part-of': 'bench', 'app.kubernetes.io/managed-by': 'kubectl', 'bench.flotilla.dev/rev': String(rev) };
  const n = String(i).padStart(4, '0');
  switch (kind) {
    case 'ConfigMap':
      return {
        apiVersion: 'v1',
        kind,
        metadata: { name: `config-${n}`, namespace, labels },
        data: {
          LOG_LEVEL: rev === 1 ? 'info' : 'debug',
          FEATURE_FLAGS: 'checkout-v2,search-suggest,dark-mode',
          'app.properties': `server.port=8080\nserver.shutdown=graceful\ncache.ttl=300\ndb.pool.max=${10 + (i % 7)}\ndb.url=jdbc:postgresql://db-${i % 3}.internal:5432/app\n`,
        },
      };
    case 'Service':
      return {
        apiVersion: 'v1',
        kind,
        metadata: { name: `svc-${n}`, namespace, labels },
        spec: {
          type: 'ClusterIP',
          selector: { app },
          ports: [
            { name: 'http', port: 80, targetPort: rev === 1 ? 8080 : 8081, protocol: 'TCP' },
            { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' },
          ],
        },
      };
    case 'Deployment': {
      const podLabels = { app: `web-${n}`, 'app.kubernetes.io/part-of': 'bench' };
      return {
        apiVersion: 'apps/v1',
        kind,
        metadata: { name: `web-${n}`, namespace, labels },
        spec: {
          replicas: rev === 1 ? 1 : 2,
          selector: { matchLabels: { app: `web-${n}` } },
          template: {
            metadata: { labels: podLabels },
            spec: {
              containers: [
                {
                  name: 'web',
                  image: `registry.example.com/team/web:1.27.${rev}`,
                  ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
                  env: [
                    { name: 'LOG_LEVEL', valueFrom: { configMapKeyRef: { name: `config-${n}`, key: 'LOG_LEVEL', optional: true } } },
                    { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                  ],
                  resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
                  readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 10 },
                },
              ],
            },
          },
        },
      };
    }
  }
}

function collectionPath(obj: ManifestObject): string {
  const ns = obj.metadata.namespace;
  switch (obj.kind) {
    case 'ConfigMap':
      return `/api/v1/namespaces/${ns}/configmaps`;
    case 'Service':
      return `/api/v1/namespaces/${ns}/services`;
    case 'Deployment':
      return `/apis/apps/v1/namespaces/${ns}/deployments`;
  }
}

function manifestObjects(count: number, namespace: string, rev: 1 | 2, mix: string): ManifestObject[] {
  return Array.from({ length: count }, (_, i) => manifestObject(i, namespace, rev, mix));
}

/** The objects as one multi-document YAML file; returns its path. */
function writeManifest(dir: string, name: string, objects: ManifestObject[]): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, objects.map((o) => toYaml(o)).join('---\n'));
  return path;
}

function mixText(count: number, mix: string): string {
  const counts = new Map<Kind, number>();
  for (let i = 0; i < count; i++) counts.set(kindOf(i, mix), (counts.get(kindOf(i, mix)) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${fmtInt(n)} ${k}s`).join(', ');
}

async function createNamespace(client: Client, name: string): Promise<void> {
  await client.expect([201], 'POST', '/api/v1/namespaces', Buffer.from(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
}

// ---- 1. kubectl against a 1,000-object manifest -----------------------------------------------

interface Ctx {
  opts: Options;
  report: Report;
  cluster: RunningCluster;
  client: Client;
  pid: number;
}

/** One kubectl command over a manifest, with the CPU and the server's requests it caused. */
async function kubectlRow(
  ctx: Ctx,
  key: string,
  what: string,
  args: string[],
  expectVerb: string,
  expectCount: number,
): Promise<KubectlRun> {
  const { report, cluster, client, pid, opts } = ctx;
  const m0 = await metricsSnapshot(client);
  const cpu0 = cpuMark(pid);
  const run = await timed(report, `1. ${key}`, () => runKubectl(cluster, args, opts.kubectlTimeoutS * 1000));
  const use = cpuUse(pid, cpu0);
  const m1 = await metricsSnapshot(client);
  const ok = checkKubectl(report, `kubectl ${args.join(' ')}`, run, expectVerb, expectCount);
  report.wall.set(key, run.ms);
  if (Number.isFinite(use.server)) report.serverCpu.set(key, use.server);
  report.rows.push({
    section: '1 manifest',
    what,
    wallMs: run.ms,
    result: !ok ? `FAILED (exit ${run.code ?? run.signal})` : expectCount === 1 ? '1 object' : `${fmtRate((expectCount / run.ms) * 1000)} objects/s`,
    note: `${cpuNote(use, expectCount, 'object')}; ${requestNote(diffRequests(m0, m1))}`,
  });
  return run;
}

async function kubectlPhase(ctx: Ctx): Promise<void> {
  const { opts, report, cluster, client, pid } = ctx;
  const n = opts.objects;
  const dir = cluster.dir;
  const version = await runKubectl(cluster, ['version', '--client', '-o', 'json'], 60_000);
  try {
    const v = JSON.parse(version.stdout) as { clientVersion?: { gitVersion?: string; goVersion?: string } };
    report.kubectlVersion = `${v.clientVersion?.gitVersion ?? 'unknown'} (${v.clientVersion?.goVersion ?? '?'})`;
  } catch {
    report.kubectlVersion = `unknown (kubectl version exited ${version.code}: ${version.stderr.slice(0, 200)})`;
  }

  // Warm-up: discovery cache, OpenAPI, and the server's create, get and patch paths.
  if (opts.warmup > 0) {
    await timed(report, `1. warm-up: kubectl apply ×3 and ${fmtInt(opts.warmup)} API creates`, async () => {
      await createNamespace(client, 'warmup-kubectl');
      const file1 = writeManifest(dir, 'warmup-1', manifestObjects(opts.warmup, 'warmup-kubectl', 1, opts.mix));
      const file2 = writeManifest(dir, 'warmup-2', manifestObjects(opts.warmup, 'warmup-kubectl', 2, opts.mix));
      for (const [file, verb] of [[file1, 'created'], [file1, 'unchanged'], [file2, 'configured']] as const) {
        const run = await runKubectl(cluster, ['apply', '-f', file], opts.kubectlTimeoutS * 1000);
        checkKubectl(report, `warm-up kubectl apply -f ${file}`, run, verb, opts.warmup);
      }
      await createNamespace(client, 'warmup-api');
      const objs = manifestObjects(opts.warmup, 'warmup-api', 1, opts.mix);
      await closedLoop(objs.length, opts.concurrency, async (i) => {
        await client.expect([201], 'POST', collectionPath(objs[i]), Buffer.from(JSON.stringify(objs[i])));
      });
    });
  }

  // The fixed cost of one kubectl apply: process start, OpenAPI fetch and parse, one object.
  await createNamespace(client, 'bench-one');
  const one = writeManifest(dir, 'one', manifestObjects(1, 'bench-one', 1, 'configmaps'));
  await kubectlRow(ctx, 'apply-one', 'kubectl apply -f, 1 ConfigMap (fixed cost per command)', ['apply', '-f', one], 'created', 1);

  // Client-side apply: creates, nothing changed, everything changed.
  await createNamespace(client, 'bench-apply');
  const apply1 = writeManifest(dir, 'apply-1', manifestObjects(n, 'bench-apply', 1, opts.mix));
  const apply2 = writeManifest(dir, 'apply-2', manifestObjects(n, 'bench-apply', 2, opts.mix));
  progress(`manifest: ${fmtInt(n)} objects (${mixText(n, opts.mix)}), ${(readFileSync(apply1).length / 1024).toFixed(0)} KiB of YAML`);
  report.notes.push(`manifest: ${fmtInt(n)} objects (${mixText(n, opts.mix)}) in one YAML file, ${(readFileSync(apply1).length / 1024).toFixed(0)} KiB; each run in a fresh namespace`);
  await kubectlRow(ctx, 'apply-create', `kubectl apply -f, ${fmtInt(n)} objects, first time (creates)`, ['apply', '-f', apply1], 'created', n);
  await kubectlRow(ctx, 'apply-unchanged', 'kubectl apply -f, same manifest again (nothing changed: GETs only)', ['apply', '-f', apply1], 'unchanged', n);
  await kubectlRow(ctx, 'apply-patch', 'kubectl apply -f, every object changed (strategic merge patches)', ['apply', '-f', apply2], 'configured', n);
  await spotCheck(ctx, 'bench-apply', 2);

  // The same objects straight through the API: the server's own pace for plain creates; the same
  // creates one at a time (kubectl's pattern without kubectl's CPU); and with the query kubectl
  // create sends (strict field validation). Each API_REPEATS times into fresh namespaces, the
  // median reported: a run takes a second or two, so a burst from another process moves it.
  for (const variant of [
    { key: 'api-create', concurrency: opts.concurrency, query: '', what: `HTTPS API POST, same ${fmtInt(n)} objects, ${opts.concurrency} keep-alive clients (plain creates)` },
    { key: 'api-serial', concurrency: 1, query: '', what: `HTTPS API POST, same ${fmtInt(n)} objects, 1 client, one at a time` },
    {
      key: 'api-strict',
      concurrency: opts.concurrency,
      query: '?fieldManager=kubectl-create&fieldValidation=Strict',
      what: `HTTPS API POST ?fieldValidation=Strict (as kubectl create), ${opts.concurrency} in flight`,
    },
  ]) {
    const runs: Array<{ r: LoadResult; use: CpuUse; requests: RequestDiff }> = [];
    await timed(report, `1. ${fmtInt(n)} API creates ×${API_REPEATS}, ${variant.key}`, async () => {
      for (let rep = 0; rep < API_REPEATS; rep++) {
        const ns = `bench-${variant.key}-${rep}`;
        await createNamespace(client, ns);
        const objs = manifestObjects(n, ns, 1, opts.mix);
        const bodies = objs.map((o) => Buffer.from(JSON.stringify(o)));
        const m0 = await metricsSnapshot(client);
        const cpu0 = cpuMark(pid);
        const r = await closedLoop(n, variant.concurrency, async (i) => {
          await client.expect([201], 'POST', `${collectionPath(objs[i])}${variant.query}`, bodies[i]);
        });
        const use = cpuUse(pid, cpu0);
        runs.push({ r, use, requests: diffRequests(m0, await metricsSnapshot(client)) });
      }
    });
    const byTime = [...runs].sort((a, b) => a.r.elapsedMs - b.r.elapsedMs);
    const { r, use, requests } = byTime[Math.floor(byTime.length / 2)];
    report.wall.set(variant.key, r.elapsedMs);
    if (Number.isFinite(use.server)) report.serverCpu.set(variant.key, use.server);
    report.rows.push({
      section: '1 manifest',
      what: variant.what,
      wallMs: r.elapsedMs,
      result: `${fmtRate(r.perSecond)} creates/s`,
      p50: r.latency.p50,
      p99: r.latency.p99,
      note: `median of ${runs.length} runs (${runs.map((x) => fmtMs(x.r.elapsedMs)).join(', ')}); ${cpuNote(use, n, 'object')}; ${requestNote(requests)}`,
    });
  }

  // kubectl create -f
  await createNamespace(client, 'bench-create');
  const create = writeManifest(dir, 'create', manifestObjects(n, 'bench-create', 1, opts.mix));
  await kubectlRow(ctx, 'create', `kubectl create -f, ${fmtInt(n)} objects`, ['create', '-f', create], 'created', n);

  // Server-side apply: creates, nothing changed, everything changed.
  await createNamespace(client, 'bench-ssa');
  const ssa1 = writeManifest(dir, 'ssa-1', manifestObjects(n, 'bench-ssa', 1, opts.mix));
  const ssa2 = writeManifest(dir, 'ssa-2', manifestObjects(n, 'bench-ssa', 2, opts.mix));
  await kubectlRow(ctx, 'ssa-create', `kubectl apply --server-side -f, ${fmtInt(n)} objects, first time (creates)`, ['apply', '--server-side', '-f', ssa1], 'serverside-applied', n);
  await kubectlRow(ctx, 'ssa-unchanged', 'kubectl apply --server-side -f, same manifest again', ['apply', '--server-side', '-f', ssa1], 'serverside-applied', n);
  await kubectlRow(ctx, 'ssa-patch', 'kubectl apply --server-side -f, every object changed', ['apply', '--server-side', '-f', ssa2], 'serverside-applied', n);
  await spotCheck(ctx, 'bench-ssa', 2);
}

/** The last apply took: one object of each kind shows the rev-2 content. */
async function spotCheck(ctx: Ctx, namespace: string, rev: 1 | 2): Promise<void> {
  const seen = new Set<Kind>();
  for (let i = 0; i < ctx.opts.objects && seen.size < 3; i++) {
    const want = manifestObject(i, namespace, rev, ctx.opts.mix);
    if (seen.has(want.kind)) continue;
    seen.add(want.kind);
    const got = await ctx.client.json<ManifestObject & { data?: Record<string, string>; spec?: { ports?: Array<{ targetPort: number }>; replicas?: number } }>(
      [200],
      'GET',
      `${collectionPath(want)}/${want.metadata.name}`,
    );
    const wantSpec = want.spec as { ports?: Array<{ targetPort: number }>; replicas?: number } | undefined;
    const ok =
      got.metadata.labels?.['bench.flotilla.dev/rev'] === String(rev) &&
      (want.kind !== 'ConfigMap' || got.data?.LOG_LEVEL === (want.data as Record<string, string>).LOG_LEVEL) &&
      (want.kind !== 'Service' || got.spec?.ports?.[0]?.targetPort === wantSpec?.ports?.[0]?.targetPort) &&
      (want.kind !== 'Deployment' || got.spec?.replicas === wantSpec?.replicas);
    if (!ok) ctx.report.errors.push(`${namespace}: ${want.kind} ${want.metadata.name} does not show the changed manifest: ${JSON.stringify(got).slice(0, 300)}`);
  }
}

// ---- 2. garbage collection of an owner tree ---------------------------------------------------

type Policy = 'Background' | 'Foreground' | 'Orphan';

interface WatchEvent {
  type: string;
  object: { metadata?: { name?: string; resourceVersion?: string; ownerReferences?: Array<{ uid: string }> } };
}

interface WatchHandle {
  close(): void;
  /** ERROR events received. */
  errors(): number;
  /** Times the server ended the stream and it was opened again from the last resourceVersion seen. */
  reconnects(): number;
  /** Why the stream could not be opened again, if it could not. */
  failure(): string | undefined;
}

/**
 * An HTTPS watch stream from `rv`; `onEvent` gets every event with the time its line arrived. When
 * the server ends the stream (as it does to a watcher that fell too far behind), it is opened
 * again from the last resourceVersion seen, as an informer would.
 */
async function openWatch(client: Client, agent: Agent, path: string, rv: string, onEvent: (e: WatchEvent, at: number) => void): Promise<WatchHandle> {
  let errors = 0;
  let reconnects = 0;
  let failure: string | undefined;
  let closing = false;
  let lastRv = rv;
  let current: ReturnType<typeof httpsRequest> | undefined;
  const connect = () =>
    new Promise<void>((resolve, reject) => {
      const sep = path.includes('?') ? '&' : '?';
      const r = httpsRequest(
        {
          host: client.url.hostname,
          port: client.url.port,
          path: `${path}${sep}watch=true&resourceVersion=${lastRv}&timeoutSeconds=3600`,
          method: 'GET',
          agent,
          headers: { Accept: 'application/json', Authorization: `Bearer ${client.creds.token}` },
        },
        (res: IncomingMessage) => {
          if (res.statusCode !== 200) {
            res.resume();
            reject(new Error(`watch ${path} from ${lastRv}: HTTP ${res.statusCode}`));
            return;
          }
          res.setEncoding('utf8');
          let buf = '';
          res.on('data', (chunk: string) => {
            const at = performance.now();
            buf += chunk;
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl);
              buf = buf.slice(nl + 1);
              if (!line) continue;
              const e = JSON.parse(line) as WatchEvent;
              if (e.type === 'ERROR') {
                errors++;
                continue;
              }
              lastRv = e.object.metadata?.resourceVersion ?? lastRv;
              onEvent(e, at);
            }
          });
          res.on('error', () => undefined);
          res.on('close', () => {
            if (closing || failure) return;
            reconnects++;
            connect().catch((e: Error) => (failure = e.message));
          });
          resolve();
        },
      );
      r.on('error', (e) => {
        if (!closing) reject(e);
      });
      r.end();
      current = r;
    });
  await connect();
  return {
    close() {
      closing = true;
      current?.destroy();
    },
    errors: () => errors,
    reconnects: () => reconnects,
    failure: () => failure,
  };
}

interface Owner {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  /** The owner's collection, e.g. /apis/apps/v1/namespaces/gc-background/replicasets */
  collection: string;
}

/** A pod as a ReplicaSet controller would create it (about 1 KB of JSON), owned by `owner`. */
function ownedPod(name: string, namespace: string, owner: Owner, unscheduled: boolean): Buffer {
  return Buffer.from(
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        namespace,
        labels: { app: 'gc-tree', 'pod-template-hash': '5d8f6c7b9' },
        ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec: {
        ...(unscheduled ? { schedulerName: 'flotilla-bench-no-such-scheduler' } : {}),
        containers: [
          {
            name: 'web',
            image: 'registry.example.com/team/web:1.27.3',
            ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
            env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
            resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          },
        ],
        tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      },
    }),
  );
}

function gcPodName(i: number): string {
  return `pod-${String(i).padStart(6, '0')}`;
}

interface Tree {
  namespace: string;
  owner: Owner;
  creates: LoadResult;
  createCpu: CpuUse;
}

/**
 * A namespace with an owner and `n` pods it owns, created `concurrency` at a time. The owner is a
 * ReplicaSet with replicas 0, or a ConfigMap when controllers run (see the file's comment).
 */
async function buildTree(ctx: Ctx, namespace: string, n: number): Promise<Tree> {
  const { client, opts, pid } = ctx;
  await createNamespace(client, namespace);
  const labels = { app: 'gc-tree', 'pod-template-hash': '5d8f6c7b9' };
  const ownerObject = opts.withControllers
    ? { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner', namespace, labels }, data: { role: 'owner of the bench pods' } }
    : {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: 'owner', namespace, labels },
        spec: { replicas: 0, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'registry.example.com/team/web:1.27.3' }] } } },
      };
  const collection = opts.withControllers ? `/api/v1/namespaces/${namespace}/configmaps` : `/apis/apps/v1/namespaces/${namespace}/replicasets`;
  const created = await client.json<{ metadata: { name: string; uid: string } }>([201], 'POST', collection, ownerObject);
  const owner: Owner = { apiVersion: ownerObject.apiVersion, kind: ownerObject.kind, name: created.metadata.name, uid: created.metadata.uid, collection };
  const path = `/api/v1/namespaces/${namespace}/pods`;
  const cpu0 = cpuMark(pid);
  const creates = await closedLoop(n, opts.concurrency, async (i) => {
    await client.expect([201], 'POST', path, ownedPod(gcPodName(i), namespace, owner, opts.withControllers));
  });
  return { namespace, owner, creates, createCpu: cpuUse(pid, cpu0) };
}

interface Collection {
  policy: Policy;
  n: number;
  /** DELETE sent → response. */
  deleteMs: number;
  /** DELETE sent → the last pod's DELETED event (Background, Foreground). */
  podsGoneMs: number;
  /** DELETE sent → the first pod's DELETED event or lost reference. */
  firstMs: number;
  /** DELETE sent → the owner's DELETED event. */
  ownerGoneMs: number;
  /** DELETE sent → the last pod's reference removal (Orphan). */
  releasedMs: number;
  done: number;
  finished: boolean;
  /** DELETE sent → the figure the policy is timed by. */
  totalMs: number;
  cpu: CpuUse;
  /** Latency of a small GET sent every PROBE_INTERVAL_MS while the collection ran. */
  probe: Summary;
  /** Times the server closed the pod watch (a watcher too far behind) and it was resumed. */
  podWatchReconnects: number;
}

const PROBE_INTERVAL_MS = 20;
/** Runs of each 1,000-object API create variant; the median is reported. */
const API_REPEATS = 3;

/**
 * A small GET (the default namespace) one at a time, PROBE_INTERVAL_MS apart, until stopped: how
 * long any client waits for the server while something else keeps it busy.
 */
function startProbe(client: Client): { stop(): Promise<Summary> } {
  const lat = new Samples();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const s = performance.now();
      await client.expect([200], 'GET', '/api/v1/namespaces/default');
      lat.push(performance.now() - s);
      await sleep(PROBE_INTERVAL_MS);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return lat.summary();
    },
  };
}

/** DELETE the tree's owner with `policy` and follow watches on its pods and on it until the policy's work is done. */
async function collect(ctx: Ctx, tree: Tree, policy: Policy, n: number): Promise<Collection> {
  const { client, opts, pid } = ctx;
  const { namespace, owner } = tree;
  const podsPath = `/api/v1/namespaces/${namespace}/pods`;
  const ownerPath = owner.collection;
  const podsRv = (await client.json<{ metadata: { resourceVersion: string } }>([200], 'GET', `${podsPath}?limit=1`)).metadata.resourceVersion;
  const ownerRv = (await client.json<{ metadata: { resourceVersion: string } }>([200], 'GET', ownerPath)).metadata.resourceVersion;
  const agent = new Agent({ keepAlive: false, maxSockets: 4, ca: client.creds.caPem });
  const gone = new Set<string>();
  const released = new Set<string>();
  let t0 = NaN;
  let lastGone = NaN;
  let lastReleased = NaN;
  let first = NaN;
  let ownerGone = NaN;
  const watches: WatchHandle[] = [];
  try {
    watches.push(
      await openWatch(client, agent, podsPath, podsRv, (e, at) => {
        const name = e.object.metadata?.name;
        if (!name) return;
        if (e.type === 'DELETED' && !gone.has(name)) {
          gone.add(name);
          lastGone = at;
          if (Number.isNaN(first)) first = at;
        } else if (e.type === 'MODIFIED' && !released.has(name) && !(e.object.metadata?.ownerReferences ?? []).some((r) => r.uid === owner.uid)) {
          released.add(name);
          lastReleased = at;
          if (Number.isNaN(first) && policy === 'Orphan') first = at;
        }
      }),
    );
    watches.push(
      await openWatch(client, agent, ownerPath, ownerRv, (e, at) => {
        if (e.type === 'DELETED' && e.object.metadata?.name === owner.name) ownerGone = at;
      }),
    );
    await sleep(200);
    const done = () => (policy === 'Background' ? gone.size : policy === 'Foreground' ? (Number.isNaN(ownerGone) ? 0 : n) : released.size);
    const finished = () => (policy === 'Orphan' ? released.size >= n && !Number.isNaN(ownerGone) : done() >= n);

    const cpu0 = cpuMark(pid);
    const probe = startProbe(client);
    t0 = performance.now();
    await client.expect([200, 202], 'DELETE', `${ownerPath}/${owner.name}`, Buffer.from(JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: policy })));
    const deleteMs = performance.now() - t0;
    const deadline = t0 + opts.gcTimeoutS * 1000;
    let nextLog = t0 + 10_000;
    while (!finished() && performance.now() < deadline && !interrupted) {
      await sleep(20);
      if (performance.now() > nextLog) {
        nextLog += 10_000;
        progress(`   ${policy}: ${fmtInt(gone.size)} pods gone, ${fmtInt(released.size)} released, owner ${Number.isNaN(ownerGone) ? 'present' : 'gone'}`);
      }
    }
    // A Background owner goes at once; wait briefly for its event so the row can show it.
    if (policy === 'Background' && Number.isNaN(ownerGone)) await waitFor('the owner DELETED event', () => !Number.isNaN(ownerGone), 5_000).catch(() => undefined);
    const cpu = cpuUse(pid, cpu0);
    const probed = await probe.stop();
    const ok = finished();
    // The pod stream may still be delivering (Foreground: the owner's event comes on the other
    // stream): wait for it, for the notes, without counting the wait.
    if (ok) {
      const podsDone = () => (policy === 'Orphan' ? released.size >= n : gone.size >= n);
      await waitFor('the pod watch to deliver every event', podsDone, 30_000).catch(() => undefined);
    }
    const end = policy === 'Background' ? lastGone : policy === 'Foreground' ? ownerGone : Math.max(lastReleased, ownerGone);
    for (const w of watches) {
      if (w.errors() > 0) ctx.report.errors.push(`${namespace}: ${w.errors()} watch ERROR events`);
      if (w.failure()) ctx.report.errors.push(`${namespace}: a watch could not be resumed: ${w.failure()}`);
    }
    return {
      policy,
      n,
      deleteMs,
      podsGoneMs: lastGone - t0,
      firstMs: first - t0,
      ownerGoneMs: ownerGone - t0,
      releasedMs: lastReleased - t0,
      done: done(),
      finished: ok,
      totalMs: ok ? end - t0 : performance.now() - t0,
      cpu,
      probe: probed,
      podWatchReconnects: watches[0].reconnects(),
    };
  } finally {
    for (const w of watches) w.close();
    agent.destroy();
  }
}

/** After the policy is done, the state the policy promises, read with lists. */
async function verifyCollection(ctx: Ctx, tree: Tree, policy: Policy, n: number): Promise<void> {
  const { client, report } = ctx;
  const { namespace, owner } = tree;
  const podsPath = `/api/v1/namespaces/${namespace}/pods`;
  const ownerRes = await client.request('GET', `${owner.collection}/${owner.name}`);
  if (ownerRes.status !== 404) report.errors.push(`${policy}: the owner is still there (HTTP ${ownerRes.status})`);
  if (policy === 'Orphan') {
    const list = await client.json<{ items: Array<{ metadata: { ownerReferences?: Array<{ uid: string }> } }> }>([200], 'GET', podsPath);
    const stillOwned = list.items.filter((p) => (p.metadata.ownerReferences ?? []).some((r) => r.uid === owner.uid)).length;
    if (list.items.length !== n) report.errors.push(`Orphan: ${list.items.length} pods left, expected all ${n}`);
    if (stillOwned > 0) report.errors.push(`Orphan: ${stillOwned} pods still reference the deleted owner`);
  } else {
    const list = await client.json<{ items: unknown[]; metadata: { remainingItemCount?: number } }>([200], 'GET', `${podsPath}?limit=1`);
    const left = list.items.length + (list.metadata.remainingItemCount ?? 0);
    if (left > 0) report.errors.push(`${policy}: ${left} pods left after the owner was deleted`);
  }
}

function collectionRow(ctx: Ctx, c: Collection): void {
  const n = c.n;
  const what: Record<Policy, string> = {
    Background: `DELETE owner, Background: until all ${fmtInt(n)} pods are gone`,
    Foreground: `DELETE owner, Foreground: until the owner is gone (after its ${fmtInt(n)} pods)`,
    Orphan: `DELETE owner, Orphan: until all ${fmtInt(n)} pods lost their ownerReference`,
  };
  const notes: string[] = [`DELETE answered in ${fmtMs(c.deleteMs)}`, `first pod after ${fmtMs(c.firstMs)}`];
  if (c.policy === 'Background') notes.push(`owner gone after ${fmtMs(c.ownerGoneMs)}`);
  if (c.policy === 'Foreground') notes.push(`last pod's DELETED event after ${fmtMs(c.podsGoneMs)}`);
  if (c.policy === 'Orphan') notes.push(`last pod released after ${fmtMs(c.releasedMs)}, owner gone after ${fmtMs(c.ownerGoneMs)}`);
  if (c.podWatchReconnects > 0) notes.push(`the server closed the pod watch ${c.podWatchReconnects}× (too far behind), resumed from the last resourceVersion`);
  notes.push(`p50/p99 columns: a GET of one small object every ${PROBE_INTERVAL_MS} ms meanwhile (${fmtInt(c.probe.count)} GETs, max ${fmtMs(c.probe.max)})`);
  notes.push(cpuNote(c.cpu, n, 'pod'));
  ctx.report.rows.push({
    section: '2 GC',
    what: what[c.policy],
    wallMs: c.totalMs,
    result: c.finished ? `${fmtRate((n / c.totalMs) * 1000)} pods/s` : `NOT DONE: ${fmtInt(c.done)}/${fmtInt(n)} in ${fmtMs(c.totalMs)}`,
    p50: c.probe.p50,
    p99: c.probe.p99,
    note: notes.join('; '),
  });
  if (!c.finished) ctx.report.errors.push(`${c.policy} garbage collection did not finish within --gc-timeout-s ${ctx.opts.gcTimeoutS}: ${c.done}/${n}`);
}

async function gcPhase(ctx: Ctx): Promise<void> {
  const { opts, report, pid } = ctx;
  const n = opts.gcPods;
  if (opts.warmup > 0) {
    await timed(report, `2. warm-up: three trees of ${fmtInt(opts.warmup)} pods, each policy`, async () => {
      for (const policy of ['Background', 'Foreground', 'Orphan'] as const) {
        const tree = await buildTree(ctx, `gc-warmup-${policy.toLowerCase()}`, opts.warmup);
        const c = await collect(ctx, tree, policy, opts.warmup);
        if (!c.finished) report.errors.push(`warm-up: ${policy} garbage collection of ${opts.warmup} pods did not finish`);
      }
    });
  }
  const createRates: string[] = [];
  for (const policy of ['Background', 'Foreground', 'Orphan'] as const) {
    if (interrupted) return;
    const ns = `gc-${policy.toLowerCase()}`;
    const tree = await timed(report, `2. ${policy}: create owner and ${fmtInt(n)} pods`, () => buildTree(ctx, ns, n));
    createRates.push(`${policy} tree ${fmtRate(tree.creates.perSecond)}/s`);
    if (policy === 'Background') {
      report.rows.push({
        section: '2 GC',
        what: `POST pod with ownerReference, ${opts.concurrency} in flight, ${fmtInt(n)} pods (tree for Background)`,
        wallMs: tree.creates.elapsedMs,
        result: `${fmtRate(tree.creates.perSecond)} creates/s`,
        p50: tree.creates.latency.p50,
        p99: tree.creates.latency.p99,
        note: cpuNote(tree.createCpu, n, 'pod'),
      });
    }
    // Let the garbage collector's index catch up with the creates before the clock starts.
    await sleep(1000);
    const c = await timed(report, `2. ${policy}: DELETE owner and wait`, () => collect(ctx, tree, policy, n));
    collectionRow(ctx, c);
    if (c.finished) await verifyCollection(ctx, tree, policy, n);
    else return;
  }
  report.notes.push(`pod creates for the three ${fmtInt(n)}-pod trees: ${createRates.join(', ')}`);
  const mem = memoryMiB(pid);
  report.notes.push(`server RSS after the GC runs: ${mem.rss.toFixed(0)} MiB (peak ${mem.hwm.toFixed(0)} MiB)`);
}

// ---- report -----------------------------------------------------------------------------------

function printReport(opts: Options, report: Report, totalMs: number): void {
  const cpus = os.cpus();
  const out: string[] = [];
  out.push('');
  out.push('Flotilla API server completeness benchmark');
  out.push(
    `machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}; Node ${process.version}; kubectl ${report.kubectlVersion ?? 'not run'}`,
  );
  out.push(
    `options: --objects ${opts.objects} --mix ${opts.mix} --concurrency ${opts.concurrency} --gc-pods ${opts.gcPods} --warmup ${opts.warmup} --gc-timeout-s ${opts.gcTimeoutS}${opts.skipKubectl ? ' --skip-kubectl' : ''}${opts.skipGc ? ' --skip-gc' : ''}${opts.withControllers ? ' --with-controllers' : ''}${opts.serverNodeArgs ? ` --server-node-args "${opts.serverNodeArgs}"` : ''}`,
  );
  out.push(
    `server: flotilla up --port 0 --data-dir <temp> --kubeconfig <temp>${report.upArgs?.length ? ` ${report.upArgs.join(' ')}` : ''} (${opts.withControllers ? 'with its scheduler, controllers and nodes' : report.upArgs?.length ? 'the API server alone' : 'this build has no --no-controllers flag and runs the API server alone'})`,
  );
  out.push(`load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}, at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; machine CPU used by processes other than the bench, kubectl and the server during the run: ${othersNote()}`);
  out.push('kubectl, the load generator (this process) and the server share the machine. "other processes" in the notes is CPU used by anything else.');
  out.push('');
  const rows: string[][] = [['#', 'measurement', 'wall', 'result', 'p50', 'p99', 'notes']];
  for (const r of report.rows) rows.push([r.section, r.what, fmtMs(r.wallMs ?? NaN), r.result, fmtMs(r.p50 ?? NaN), fmtMs(r.p99 ?? NaN), r.note ?? '']);
  out.push(renderTable(rows, new Set([2, 3, 4, 5])));
  out.push('');

  const ratios: string[][] = [['ratio (wall time, or server CPU where said)', 'value']];
  const ratio = (a: string, b: string, map = report.wall) => {
    const x = map.get(a);
    const y = map.get(b);
    return x !== undefined && y !== undefined && y > 0 ? `${(x / y).toFixed(1)}×` : 'n/a';
  };
  ratios.push([`kubectl apply -f (creates) ÷ API plain creates (${opts.concurrency} in flight)`, ratio('apply-create', 'api-create')]);
  ratios.push(['kubectl apply -f (unchanged) ÷ API plain creates', ratio('apply-unchanged', 'api-create')]);
  ratios.push(['kubectl apply -f (patches) ÷ API plain creates', ratio('apply-patch', 'api-create')]);
  ratios.push(['kubectl create -f ÷ API plain creates', ratio('create', 'api-create')]);
  ratios.push(['kubectl create -f ÷ API creates one at a time', ratio('create', 'api-serial')]);
  ratios.push(['kubectl apply -f (creates) ÷ API creates one at a time', ratio('apply-create', 'api-serial')]);
  ratios.push(['kubectl apply --server-side -f (creates) ÷ API plain creates', ratio('ssa-create', 'api-create')]);
  ratios.push(['kubectl apply -f (creates) ÷ kubectl create -f', ratio('apply-create', 'create')]);
  ratios.push(['kubectl apply --server-side -f (creates) ÷ kubectl apply -f (creates)', ratio('ssa-create', 'apply-create')]);
  ratios.push(['server CPU: kubectl apply -f (creates) ÷ API plain creates', ratio('apply-create', 'api-create', report.serverCpu)]);
  ratios.push(['server CPU: kubectl apply -f (patches) ÷ API plain creates', ratio('apply-patch', 'api-create', report.serverCpu)]);
  ratios.push(['server CPU: kubectl apply --server-side -f (creates) ÷ API plain creates', ratio('ssa-create', 'api-create', report.serverCpu)]);
  ratios.push(['server CPU: kubectl create -f ÷ API creates with ?fieldValidation=Strict', ratio('create', 'api-strict', report.serverCpu)]);
  ratios.push(['server CPU: API creates with ?fieldValidation=Strict ÷ without', ratio('api-strict', 'api-create', report.serverCpu)]);
  out.push(renderTable(ratios));
  out.push('');
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

async function run(opts: Options, report: Report): Promise<void> {
  const nodeArgs = opts.serverNodeArgs.split(/\s+/).filter(Boolean);
  const upArgs = opts.withControllers ? [] : bareServerArgs();
  report.upArgs = upArgs;
  const cluster = await timed(report, 'start flotilla up', () => startServer(nodeArgs, upArgs));
  const dir = cluster.dir;
  onCleanup('remove flotilla temp dir', () => rmSync(dir, { recursive: true, force: true }));
  onCleanup('stop flotilla', async () => {
    if (cluster.process.exitCode !== null || cluster.process.signalCode !== null) return;
    const killer = setTimeout(() => void cluster.kill(), 15_000);
    await cluster.stop();
    clearTimeout(killer);
  });
  const pid = cluster.process.pid!;
  const creds = readCredentials(cluster);
  const client = new Client(creds, opts.concurrency);
  onCleanup('close HTTP client', () => client.close());
  progress(`flotilla up (pid ${pid}) is ready at ${creds.server}`);
  const ctx: Ctx = { opts, report, cluster, client, pid };

  if (!opts.skipKubectl) await timed(report, '1. kubectl and API creates', () => kubectlPhase(ctx));
  if (!opts.skipGc && !interrupted) await timed(report, '2. garbage collection', () => gcPhase(ctx));

  client.close();
  await timed(report, 'stop flotilla', async () => {
    const killer = setTimeout(() => void cluster.kill(), 15_000);
    const code = await cluster.stop();
    clearTimeout(killer);
    if (code !== 0) report.errors.push(`flotilla up exited with ${code} on SIGTERM; output tail: ${cluster.output().slice(-500)}`);
  });
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  const report: Report = { rows: [], durations: [], errors: [], notes: [], wall: new Map(), serverCpu: new Map() };
  let failed: unknown;
  try {
    await run(opts, report);
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
