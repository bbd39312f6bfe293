/**
 * The peers of the ingress proxy benchmark (bench/ingress-proxy.ts): wrk as the load generator,
 * HAProxy and nginx as the proxies to compare with, all from Debian's packages (installed with
 * apt-get when missing, as bench/etcd.ts does for etcd). Configs are generated into a temp dir for
 * the same routes and backends the embedded proxy serves; each peer runs in the foreground as a
 * child of the bench, on a free loopback port. Also: wrk's output parsed, and the CPU of this
 * process's whole tree (so a run can tell its own load from other processes').
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { which } from './etcd.js';
import { runCommand, tailLines } from './support.js';

// ---- finding and installing ------------------------------------------------------------------

export interface Tool {
  /** The command's name (wrk, haproxy, nginx). */
  readonly name: string;
  /** The Debian package it comes from. */
  readonly pkg: string;
}

/** Where each tool is, or why it is not there. */
export type Found = Record<string, { bin: string; installed: boolean } | { error: string }>;

function locate(name: string): string | undefined {
  return which(name) ?? ['/usr/sbin', '/usr/bin', '/sbin'].map((d) => join(d, name)).find((p) => existsSync(p));
}


/**
 * Each tool from PATH (or /usr/sbin), else `apt-get install -y --no-install-recommends` of the
 * missing packages together (after `apt-get update` if that fails), then one by one if the
 * joint install still fails, so one package that cannot be had does not cost the others.
 * Debian's service scripts are not run by this: the image's policy-rc.d (when present) keeps the
 * packaged nginx/haproxy services from starting, and the bench starts its own instances anyway.
 */
export async function ensureTools(tools: Tool[], log: (line: string) => void): Promise<Found> {
  const found: Found = {};
  const missing: Tool[] = [];
  for (const t of tools) {
    const bin = locate(t.name);
    if (bin) found[t.name] = { bin, installed: false };
    else missing.push(t);
  }
  if (missing.length === 0) return found;
  const names = missing.map((t) => t.pkg);
  const no = (why: string) => {
    for (const t of missing) found[t.name] = { error: `${t.name} is not on PATH and ${why}` };
    return found;
  };
  if (!which('apt-get')) return no('apt-get is not available');
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return no('this user is not root, so apt-get install cannot run');
  const install = (pkgs: string[]) => runCommand('apt-get', ['install', '-y', '--no-install-recommends', ...pkgs], 300_000);
  log(`not on PATH: ${missing.map((t) => t.name).join(', ')}; apt-get install -y ${names.join(' ')}`);
  let r = await install(names);
  if (r.code !== 0) {
    log('apt-get install failed; running apt-get update and trying again');
    const u = await runCommand('apt-get', ['update'], 300_000);
    if (u.code !== 0) return no(`apt-get update failed (exit ${u.code}): ${tailLines(u.output)}`);
    r = await install(names);
  }
  const errors: Record<string, string> = {};
  if (r.code !== 0) {
    for (const t of missing) {
      const one = await install([t.pkg]);
      if (one.code !== 0) errors[t.name] = `apt-get install ${t.pkg} failed (exit ${one.code}): ${tailLines(one.output)}`;
    }
  }
  for (const t of missing) {
    const bin = locate(t.name);
    found[t.name] = bin ? { bin, installed: true } : { error: errors[t.name] ?? `${t.pkg} installed but no ${t.name} binary was found` };
  }
  return found;
}

/** The first line a command prints about its version (wrk -v, haproxy -v, nginx -v). */
export async function versionOf(bin: string, flag: string): Promise<string> {
  const r = await runCommand(bin, [flag], 10_000);
  const line = r.output.split('\n').find((l) => /\d+\.\d+/.test(l)) ?? '';
  return /(\d+\.\d+(\.\d+)?)/.exec(line)?.[1] ?? 'unknown version';
}

// ---- configs ---------------------------------------------------------------------------------

export interface Backend {
  readonly host: string;
  readonly port: number;
}

/**
 * HAProxy in http mode for one virtual host: keep-alive to clients and to the servers (idle
 * server connections reused by any client, `http-reuse always`), round-robin over the backends,
 * `threads` threads (1 matches the embedded proxy's one event loop). Anything but `fqdn` gets the
 * default 503, as no route.
 */
export function haproxyConfig(listen: Backend, fqdn: string, backends: Backend[], threads: number): string {
  return [
    'global',
    `  nbthread ${threads}`,
    '  maxconn 4096',
    '',
    'defaults',
    '  mode http',
    '  option http-keep-alive',
    '  http-reuse always',
    '  timeout connect 5s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  timeout http-keep-alive 60s',
    '',
    'frontend ingress_http',
    `  bind ${listen.host}:${listen.port}`,
    `  acl app_host hdr(host),field(1,:) -i ${fqdn}`,
    '  use_backend app if app_host',
    '',
    'backend app',
    '  balance roundrobin',
    ...backends.map((b, i) => `  server b${i} ${b.host}:${b.port}`),
    '',
  ].join('\n');
}

/**
 * nginx for one virtual host: an upstream with a pool of idle keep-alive connections, HTTP/1.1 to
 * it with the Connection header cleared (what upstream keep-alive needs), round-robin (nginx's
 * default), `workers` worker processes, no access log, and no limit on requests per client or
 * upstream connection (nginx closes a keep-alive connection after 1,000 requests by default, which
 * HAProxy and the embedded proxy do not). Temp paths are in `dir`, so no root-owned default is used.
 */
export function nginxConfig(dir: string, listen: Backend, fqdn: string, backends: Backend[], workers: number, keepalive: number): string {
  return [
    'daemon off;',
    'master_process on;',
    `worker_processes ${workers};`,
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'nginx-error.log')} warn;`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${join(dir, 'client_body')};`,
    `  proxy_temp_path ${join(dir, 'proxy')};`,
    `  fastcgi_temp_path ${join(dir, 'fastcgi')};`,
    `  uwsgi_temp_path ${join(dir, 'uwsgi')};`,
    `  scgi_temp_path ${join(dir, 'scgi')};`,
    '  keepalive_timeout 60s;',
    '  keepalive_requests 100000000;',
    '  upstream app {',
    ...backends.map((b) => `    server ${b.host}:${b.port};`),
    `    keepalive ${keepalive};`,
    '    keepalive_requests 100000000;',
    '    keepalive_timeout 60s;',
    '  }',
    '  server {',
    `    listen ${listen.host}:${listen.port} default_server;`,
    '    return 404;',
    '  }',
    '  server {',
    `    listen ${listen.host}:${listen.port};`,
    `    server_name ${fqdn};`,
    '    location / {',
    '      proxy_pass http://app;',
    '      proxy_http_version 1.1;',
    '      proxy_set_header Connection "";',
    '      proxy_set_header Host $host;',
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
}

// ---- running a peer --------------------------------------------------------------------------

export interface Peer {
  readonly name: string;
  readonly pid: number;
  readonly port: number;
  output(): string;
  stop(): Promise<void>;
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Start `bin args…` in the foreground (its own config in `dir`), and wait until `port` accepts
 * connections; rejects with the peer's output if it exits first or takes over `timeoutMs`.
 */
export async function startPeer(name: string, bin: string, args: string[], listen: Backend, timeoutMs = 15_000): Promise<Peer> {
  const child: ChildProcess = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-8000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-8000)));
  let exited: number | null | undefined;
  const gone = new Promise<void>((resolve) => child.once('exit', (code, sig) => {
    exited = code ?? (sig ? -1 : null);
    resolve();
  }));
  child.once('error', (e) => (out += `\n${e.message}`));
  const stop = async () => {
    if (exited !== undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== undefined) throw new Error(`${name} exited (${exited}) before listening: ${tailLines(out, 5)}`);
    if (await canConnect(listen.host, listen.port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} not listening on ${listen.host}:${listen.port} after ${timeoutMs} ms: ${tailLines(out, 5)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { name, pid: child.pid!, port: listen.port, output: () => out, stop };
}

export function writeConfig(path: string, text: string): string {
  writeFileSync(path, text);
  return path;
}

// ---- wrk ---------------------------------------------------------------------------------------

export interface WrkResult {
  rps: number;
  requests: number;
  p50: number;
  p99: number;
  /** Non-2xx/3xx responses plus socket errors (connect, read, write, timeout). */
  errors: number;
  raw: string;
}

/** wrk's duration in ms: "512.00us", "1.23ms", "2.00s", "1.00m". */
function durationMs(v: string, unit: string): number {
  const n = Number(v);
  return unit === 'us' ? n / 1000 : unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : NaN;
}

export function parseWrk(out: string): Omit<WrkResult, 'raw'> {
  const pct = (q: string) => {
    const m = new RegExp(`^\\s*${q}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(out);
    return m ? durationMs(m[1], m[2]) : NaN;
  };
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN),
    requests: Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN),
    p50: pct('50'),
    p99: pct('99'),
    errors: non2xx + (sock ? sock.slice(1).reduce((a, b) => a + Number(b), 0) : 0),
  };
}

/**
 * `wrk -t<threads> -c<connections> -d<seconds>s --latency -H 'Host: <host>' <url>`, run without
 * blocking this process's event loop (the embedded proxy serves from it). `track` gets the child
 * so a cleanup can end it on SIGINT.
 */
export function runWrk(bin: string, url: string, host: string, threads: number, connections: number, seconds: number, track?: (c: ChildProcess | undefined) => void): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', '-H', `Host: ${host}`, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    track?.(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      track?.(undefined);
      const r = parseWrk(out);
      if (code !== 0 || !Number.isFinite(r.rps)) reject(new Error(`wrk exited ${code}: ${tailLines(out, 5)}`));
      else resolve({ ...r, raw: out });
    });
  });
}

// ---- CPU of this process tree ----------------------------------------------------------------

let ticks: number | undefined;
function ticksPerSecond(): number {
  if (ticks === undefined) {
    const n = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim());
    ticks = Number.isFinite(n) && n > 0 ? n : 100;
  }
  return ticks;
}

/**
 * CPU seconds used by this process and all its descendants, live or already reaped (a reaped
 * child's time is in its parent's cutime/cstime): utime+stime+cutime+cstime over the tree. The
 * difference of two readings is what the bench itself (wrk, the peers, the backends, the proxy)
 * used between them; a child that is still running but no longer in the tree cannot happen here.
 */
export function treeCpuSeconds(root = process.pid): number {
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // rest[0] is field 3 (state); ppid is field 4; utime..cstime are fields 14..17.
      parent.set(pid, Number(rest[1]));
      cpu.set(pid, Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]));
    } catch {
      // gone between readdir and read
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 64; p = parent.get(p), hops++) if (p === root) return true;
    return false;
  };
  let total = 0;
  for (const [pid, t] of cpu) if (inTree(pid)) total += t;
  return total / ticksPerSecond();
}
