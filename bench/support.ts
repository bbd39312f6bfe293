/**
 * Pieces shared by the benchmark entry points (apiserver.ts, api-completeness.ts): the run's
 * start time and progress lines on stderr, the cleanup registry with its SIGINT/SIGTERM
 * handlers, and a keep-alive HTTPS client for the cluster's API.
 */
import { spawn } from 'node:child_process';
import { Agent, request as httpsRequest } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ClusterCredentials } from '../test/support/cluster.js';
import { fmtMs, Samples, type Summary } from './stats.js';

// ---- output -----------------------------------------------------------------------------------

/** When the run started (this module's first evaluation). */
export const started = performance.now();

export function progress(line: string): void {
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
}

/** Runs one phase between two progress lines and records its wall time in `report.durations`. */
export async function timed<T>(report: { durations: Array<[string, number]> }, name: string, fn: () => Promise<T>): Promise<T> {
  progress(`${name} ...`);
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    const ms = performance.now() - t0;
    report.durations.push([name, ms]);
    progress(`${name}: ${fmtMs(ms)}`);
  }
}

// ---- cleanup ----------------------------------------------------------------------------------

const cleanups: Array<{ what: string; fn: () => unknown }> = [];
export function onCleanup(what: string, fn: () => unknown): void {
  cleanups.push({ what, fn });
}
export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const { what, fn } = cleanups.pop()!;
    try {
      await fn();
    } catch (e) {
      process.stderr.write(`cleanup (${what}) failed: ${(e as Error).message}\n`);
    }
  }
}
/** Set once SIGINT or SIGTERM has arrived (a live binding for importers). */
export let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    interrupted = true;
    process.stderr.write(`\n${sig}: cleaning up\n`);
    void runCleanups().finally(() => process.exit(130));
  });
}

// ---- HTTP client ------------------------------------------------------------------------------

export interface Response {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export class Client {
  readonly agent: Agent;
  private readonly auth: string;
  readonly url: URL;
  constructor(
    readonly creds: ClusterCredentials,
    maxSockets: number,
  ) {
    this.url = new URL(creds.server);
    this.auth = `Bearer ${creds.token}`;
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, ca: creds.caPem, scheduling: 'fifo' });
  }

  request(method: string, path: string, body?: Buffer, headers: Record<string, string> = {}): Promise<Response> {
    return new Promise((resolve, reject) => {
      const h: Record<string, string | number> = { Accept: 'application/json', Authorization: this.auth, ...headers };
      if (body !== undefined) {
        h['Content-Type'] ??= 'application/json';
        h['Content-Length'] = body.length;
      }
      const req = httpsRequest(
        { host: this.url.hostname, port: this.url.port, path, method, headers: h, agent: this.agent, timeout: 120_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  /** A request that must answer with one of `ok`; anything else is a real error. */
  async expect(ok: number[], method: string, path: string, body?: Buffer, headers?: Record<string, string>): Promise<Response> {
    const res = await this.request(method, path, body, headers);
    if (!ok.includes(res.status)) {
      throw new Error(`${method} ${path}: HTTP ${res.status} (wanted ${ok.join('/')}): ${res.body.toString('utf8').slice(0, 300)}`);
    }
    return res;
  }

  async json<T>(ok: number[], method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.expect(ok, method, path, body === undefined ? undefined : Buffer.from(JSON.stringify(body)));
    return JSON.parse(res.body.toString('utf8')) as T;
  }

  close(): void {
    this.agent.destroy();
  }
}

// ---- load shapes ------------------------------------------------------------------------------

export interface LoadResult {
  ops: number;
  elapsedMs: number;
  perSecond: number;
  latency: Summary;
}

/** `n` operations from `concurrency` workers, each starting its next one when the last returns. */
export async function closedLoop(n: number, concurrency: number, op: (i: number) => Promise<void>): Promise<LoadResult> {
  const lat = new Samples();
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      const s = performance.now();
      await op(i);
      lat.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  const elapsedMs = performance.now() - t0;
  return { ops: n, elapsedMs, perSecond: (n / elapsedMs) * 1000, latency: lat.summary() };
}

// ---- commands ---------------------------------------------------------------------------------

export interface CommandResult {
  code: number | null;
  output: string;
}

/** Run a command (apt-get, a peer's binary) to its end or `timeoutMs`, stdout and stderr together. */
export function runCommand(cmd: string, args: string[], timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, output: `${output}\n${e.message}` });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The last lines of a command's output, on one line. */
export function tailLines(text: string, lines = 3): string {
  return text.trim().split('\n').slice(-lines).join(' | ');
}

// ---- options ----------------------------------------------------------------------------------

/**
 * A bench's options from `BENCH_<NAME>` environment variables, then `--kebab-name V` flags, each
 * typed by its default (booleans are switches, numbers non-negative integers); `--help` prints
 * the usage line and exits.
 */
export function parseBenchOptions<T extends { [K in keyof T]: string | number | boolean }>(defaults: T, argv: string[], script: string): T {
  const defs = defaults as Record<string, string | number | boolean>;
  const opts: Record<string, unknown> = { ...defs };
  const keys = Object.keys(defs);
  const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const envName = (k: string) => `BENCH_${kebab(k).replace(/-/g, '_').toUpperCase()}`;
  const set = (key: string, raw: string | undefined, source: string) => {
    const def = defs[key];
    if (typeof def === 'boolean') opts[key] = raw === undefined || raw === '' || raw === 'true' || raw === '1';
    else if (typeof def === 'number') {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0) throw new Error(`${source}: expected a non-negative integer, got ${JSON.stringify(raw)}`);
      opts[key] = n;
    } else opts[key] = raw ?? '';
  };
  for (const key of keys) {
    const v = process.env[envName(key)];
    if (v !== undefined) set(key, v, envName(key));
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`usage: node ${script} ${keys.map((k) => `[--${kebab(k)}${typeof defs[k] === 'boolean' ? '' : ' V'}]`).join(' ')}\n`);
      process.exit(0);
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const key = m ? keys.find((k) => kebab(k) === m[1]) : undefined;
    if (!m || !key) throw new Error(`unknown argument ${arg} (try --help)`);
    if (typeof defs[key] === 'boolean') set(key, m[2], arg);
    else set(key, m[2] ?? argv[++i], arg);
  }
  return opts as T;
}
