/**
 * Test support: a real `flotilla up` on a free port with its own data directory, and the real
 * kubectl pointed at it. `sharedCluster()` gives a test file one cluster, stopped and removed in
 * its `after` hook.
 */
import assert from 'node:assert/strict';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { request as httpsRequest, type Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const here = fileURLToPath(new URL('.', import.meta.url));
/** dist/test/support → dist/src/cli/main.js */
export const FLOTILLA_BIN = resolve(here, '../../src/cli/main.js');

export interface RunningCluster {
  readonly dir: string;
  readonly kubeconfig: string;
  readonly port: number;
  readonly url: string;
  readonly process: ChildProcess;
  readonly output: () => string;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
}

export function makeTempDir(prefix = 'flotilla-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Wait for `check` to return a value other than undefined/false, or fail after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000, intervalMs = 50): Promise<Exclude<T, false | undefined>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as Exclude<T, false | undefined>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** A TCP port that was free a moment ago (for restarting a server on the same port). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolvePort(port));
    });
  });
}

/**
 * Start `flotilla up` in `dir` (a new temp dir by default) and wait for its ready line. The port is
 * `opts.port`, or 0 (any free port) by default.
 */
/**
 * By default the API server alone (`--no-controllers --no-nodes`), so a test sees only what it
 * does itself; `controlPlane: true` runs the whole local cluster (controllers, scheduler, nodes,
 * demo) on a random loopback /16 for its pods.
 */
export async function startCluster(opts: { dir?: string; port?: number; extraArgs?: string[]; controlPlane?: boolean } = {}): Promise<RunningCluster> {
  const dir = opts.dir ?? makeTempDir();
  const kubeconfig = join(dir, 'kube_config_cluster.yml');
  // Process pods bind loopback IPs: each data dir takes its own /16 (the same one on every restart), so
  // concurrent test clusters do not collide.
  const plane = opts.controlPlane
    ? ['--cluster-cidr', `127.${100 + (createHash('sha256').update(dir).digest()[0] % 150)}.0.0/16`, '--http-port', '0', '--https-port', '0']
    : ['--no-controllers', '--no-nodes'];
  const child = spawn(process.execPath, [FLOTILLA_BIN, 'up', '--port', String(opts.port ?? 0), '--data-dir', join(dir, 'data'), '--kubeconfig', kubeconfig, ...plane, ...(opts.extraArgs ?? [])], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = await waitFor('flotilla up to print its ready line', () => {
    if (child.exitCode !== null) throw new Error(`flotilla up exited with ${child.exitCode}:\n${out}`);
    return /Flotilla is ready at (https:\/\/\S+?)\.\s/.exec(out)?.[1];
  }, opts.controlPlane ? 90_000 : 30_000);
  const port = Number(new URL(url).port);
  return {
    dir,
    kubeconfig,
    port,
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

export function removeDir(dir: string): void {
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

let kubectlAvailable: boolean | undefined;

/**
 * Whether kubectl can be used. Under CI (CI=true) a missing kubectl is a failure, not a skip.
 * Returns a skip reason when tests should be skipped locally.
 */
export async function kubectlSkipReason(): Promise<string | undefined> {
  if (kubectlAvailable === undefined) {
    kubectlAvailable = await new Promise<boolean>((r) => execFile('kubectl', ['version', '--client'], (err) => r(!err)));
  }
  if (kubectlAvailable) return undefined;
  if (process.env.CI === 'true') throw new Error('kubectl is required when CI=true but was not found on PATH');
  return 'kubectl is not installed (set CI=true to make this a failure)';
}

/** Run the real kubectl against a cluster, with a private discovery cache. */
export function kubectl(cluster: Pick<RunningCluster, 'kubeconfig' | 'dir'>, args: string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolvePromise) => {
    const child = execFile(
      'kubectl',
      ['--kubeconfig', cluster.kubeconfig, '--cache-dir', join(cluster.dir, 'kube-cache'), ...args],
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, KUBECONFIG: cluster.kubeconfig } },
      (err, stdout, stderr) => {
        const code = err ? ((err as NodeJS.ErrnoException & { code?: number }).code as unknown as number) ?? 1 : 0;
        resolvePromise({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin!.end(input);
  });
}

/** What a client needs from the kubeconfig `flotilla up` wrote: server URL, cluster CA and token. */
export interface ClusterCredentials {
  server: string;
  caPem: string;
  token: string;
}

export function readCredentials(cluster: Pick<RunningCluster, 'kubeconfig'>): ClusterCredentials {
  const cfg = parseYaml(readFileSync(cluster.kubeconfig, 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    users: { user: { token: string } }[];
  };
  const c = cfg.clusters[0].cluster;
  return { server: c.server, caPem: Buffer.from(c['certificate-authority-data'], 'base64').toString('utf8'), token: cfg.users[0].user.token };
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

/**
 * One HTTPS request to the API server, trusting only the cluster CA. `token: null` sends no
 * Authorization header; by default the admin token from the kubeconfig is sent.
 */
export function apiRequest(
  creds: ClusterCredentials,
  method: string,
  path: string,
  opts: { body?: string | Buffer; contentType?: string; token?: string | null; agent?: Agent; timeoutMs?: number } = {},
): Promise<ApiResponse> {
  const url = new URL(path, creds.server);
  const token = opts.token === undefined ? creds.token : opts.token;
  const headers: Record<string, string | number> = { Accept: 'application/json' };
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  if (opts.body !== undefined) {
    headers['Content-Type'] = opts.contentType ?? 'application/json';
    headers['Content-Length'] = Buffer.byteLength(opts.body);
  }
  return new Promise((resolveResponse, reject) => {
    const req = httpsRequest(url, { method, headers, ca: creds.caPem, agent: opts.agent, timeout: opts.timeoutMs ?? 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        resolveResponse({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A long-running kubectl (e.g. `get -w`) whose output accumulates until it is stopped. */
export interface KubectlProcess {
  readonly process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Wait until stdout matches `pattern` (or `check` returns true). */
  waitForOutput(what: string, check: RegExp | ((stdout: string) => boolean), timeoutMs?: number): Promise<void>;
  /** SIGTERM (if still running) and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** Resolves with the exit code once it exits on its own. */
  readonly exited: Promise<number | null>;
}

export function spawnKubectl(cluster: Pick<RunningCluster, 'kubeconfig' | 'dir'>, args: string[]): KubectlProcess {
  const child = spawn('kubectl', ['--kubeconfig', cluster.kubeconfig, '--cache-dir', join(cluster.dir, 'kube-cache'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUBECONFIG: cluster.kubeconfig },
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    process: child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitForOutput(what, check, timeoutMs = 20_000) {
      await waitFor(
        what,
        () => {
          const ok = typeof check === 'function' ? check(out) : check.test(out);
          if (!ok && child.exitCode !== null) throw new Error(`kubectl exited with ${child.exitCode}; stdout:\n${out}\nstderr:\n${err}`);
          return ok;
        },
        timeoutMs,
      );
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export interface SharedClusterOptions {
  /** Prefix of the file's temp directory (`flotilla-test-` by default). */
  dirPrefix?: string;
  /** Pick one free port in `before` and serve every server of the file on it (so clients configured once keep working across restarts). */
  fixedPort?: boolean;
  /**
   * The file's own setup once the first server is up (clients, credentials), run inside the
   * helper's `before`. Use this rather than another top-level `before()`: a top-level hook runs as
   * soon as it is registered, concurrently with this helper's.
   */
  setup?: (cluster: RunningCluster) => unknown;
  /** Run the whole local cluster (controllers, scheduler, nodes, demo), not the API server alone. */
  controlPlane?: boolean;
  /** More `flotilla up` flags, for every server the file starts (e.g. `--runtime simulated`). */
  extraArgs?: string[];
}

/**
 * One `flotilla up` for a whole test file, with the file's kubectl helpers. Every server the file
 * starts (`before`, then `start()` after a `stop()` or `kill()`) uses the same data directory, and
 * the same port with `fixedPort`.
 */
export interface SharedCluster {
  /** The reason to skip the file's tests (kubectl missing), or undefined. Pass it as `{ skip }`. */
  readonly skip: string | undefined;
  /** The running server; throws when none is (skipped, or stopped and not started again). */
  cluster(): RunningCluster;
  /** The credentials in the running server's kubeconfig (read once per server). */
  creds(): ClusterCredentials;
  /** The port chosen in `before` (only with `fixedPort`). */
  fixedPort(): number;
  /** Run the real kubectl against the running server. */
  run(args: string[], input?: string): Promise<KubectlResult>;
  /** Run kubectl and require exit code 0; returns the whole result. */
  okResult(args: string[], input?: string): Promise<KubectlResult>;
  /** Run kubectl and require exit code 0; returns stdout. */
  ok(args: string[], input?: string): Promise<string>;
  /** Run kubectl, require exit code 1 and nothing on stdout; returns stderr. */
  fails(args: string[], input?: string): Promise<string>;
  /** A long-running kubectl, stopped in `after` if the test has not stopped it. */
  spawn(args: string[]): KubectlProcess;
  /** Something to undo in `after`, before the server stops (last registered, first run). */
  onCleanup(fn: () => unknown): void;
  /** SIGTERM the running server and wait for it to exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL the running server and wait for it to exit. */
  kill(): Promise<void>;
  /** Start a new server on the file's data directory (after `stop()` or `kill()`). */
  start(): Promise<RunningCluster>;
}

/**
 * Register node:test `before`/`after` hooks for the calling test file: `before` starts one
 * `flotilla up` in a new temp directory (unless kubectl is missing, see `kubectlSkipReason`);
 * `after` runs the file's cleanups, stops the kubectl processes from `spawn`, stops the server
 * and removes the directory. Call it once, at the top level of the file.
 */
export async function sharedCluster(opts: SharedClusterOptions = {}): Promise<SharedCluster> {
  const skip = await kubectlSkipReason();
  let dir: string | undefined;
  let port: number | undefined;
  let current: RunningCluster | undefined;
  let credsOf: { cluster: RunningCluster; creds: ClusterCredentials } | undefined;
  const cleanups: (() => unknown)[] = [];
  const spawned: KubectlProcess[] = [];

  const cluster = (): RunningCluster => {
    if (!current) throw new Error(skip ? `the cluster was not started: ${skip}` : 'no flotilla server is running');
    return current;
  };
  const start = async (): Promise<RunningCluster> => {
    if (current) throw new Error('a flotilla server is already running: stop() or kill() it first');
    if (!dir) throw new Error('start() is for tests, after before() has run');
    current = await startCluster({ dir, port, controlPlane: opts.controlPlane, extraArgs: opts.extraArgs });
    return current;
  };
  const run = (args: string[], input?: string): Promise<KubectlResult> => kubectl(cluster(), args, input);
  const okResult = async (args: string[], input?: string): Promise<KubectlResult> => {
    const r = await run(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r;
  };

  before(async () => {
    if (skip) return;
    dir = makeTempDir(opts.dirPrefix);
    if (opts.fixedPort) port = await freePort();
    const first = await start();
    await opts.setup?.(first);
  });

  after(async () => {
    try {
      for (const c of cleanups.reverse()) await c();
      await Promise.all(spawned.map((p) => p.stop()));
      if (current) await current.stop();
    } finally {
      if (dir) removeDir(dir);
    }
  });

  return {
    skip,
    cluster,
    creds() {
      const c = cluster();
      if (credsOf?.cluster !== c) credsOf = { cluster: c, creds: readCredentials(c) };
      return credsOf.creds;
    },
    fixedPort() {
      if (port === undefined) throw new Error('no fixed port: pass { fixedPort: true } (and wait for before())');
      return port;
    },
    run,
    okResult,
    async ok(args, input) {
      return (await okResult(args, input)).stdout;
    },
    async fails(args, input) {
      const r = await run(args, input);
      assert.equal(r.code, 1, `kubectl ${args.join(' ')} should fail\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
      assert.equal(r.stdout, '');
      return r.stderr;
    },
    spawn(args) {
      const p = spawnKubectl(cluster(), args);
      spawned.push(p);
      return p;
    },
    onCleanup(fn) {
      cleanups.push(fn);
    },
    async stop() {
      const c = cluster();
      const code = await c.stop();
      if (current === c) current = undefined;
      return code;
    },
    async kill() {
      const c = cluster();
      await c.kill();
      if (current === c) current = undefined;
    },
    start,
  };
}
