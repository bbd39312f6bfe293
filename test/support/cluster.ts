/**
 * Test support: a real `flotilla up` on a free port with its own data directory, and the real
 * kubectl pointed at it. Every server started here is stopped by `stop()`; data directories are
 * removed unless `keepData` is set.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { request as httpsRequest, type Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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
export async function startCluster(opts: { dir?: string; port?: number; extraArgs?: string[] } = {}): Promise<RunningCluster> {
  const dir = opts.dir ?? makeTempDir();
  const kubeconfig = join(dir, 'kube_config_cluster.yml');
  const child = spawn(process.execPath, [FLOTILLA_BIN, 'up', '--port', String(opts.port ?? 0), '--data-dir', join(dir, 'data'), '--kubeconfig', kubeconfig, ...(opts.extraArgs ?? [])], {
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
  }, 30_000);
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
