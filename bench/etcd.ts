/**
 * A single-node etcd for the comparison: found on PATH or installed from Debian's etcd-server
 * package, started on free loopback ports with a temp data dir, and driven over its v3 gRPC API
 * with a minimal hand-written proto (only KV/Put and KV/Txn and the fields they use).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type * as GrpcJs from '@grpc/grpc-js';
import type * as ProtoLoader from '@grpc/proto-loader';
import { freePort } from '../test/support/cluster.js';
import { sleep } from './stats.js';
import { runCommand, tailLines } from './support.js';

/*
 * Field numbers from etcd's api/etcdserverpb/rpc.proto (etcd-io/etcd). Only what Put and a
 * create-shaped Txn (If mod_revision(key) == 0 Then Put, as kube-apiserver creates) need.
 */
const ETCD_KV_PROTO = `
syntax = "proto3";
package etcdserverpb;

service KV {
  rpc Put(PutRequest) returns (PutResponse) {}
  rpc Txn(TxnRequest) returns (TxnResponse) {}
}

message ResponseHeader {
  uint64 cluster_id = 1;
  uint64 member_id = 2;
  int64 revision = 3;
  uint64 raft_term = 4;
}

message PutRequest {
  bytes key = 1;
  bytes value = 2;
  int64 lease = 3;
}

message PutResponse {
  ResponseHeader header = 1;
}

message Compare {
  enum CompareResult {
    EQUAL = 0;
    GREATER = 1;
    LESS = 2;
    NOT_EQUAL = 3;
  }
  enum CompareTarget {
    VERSION = 0;
    CREATE = 1;
    MOD = 2;
    VALUE = 3;
    LEASE = 4;
  }
  CompareResult result = 1;
  CompareTarget target = 2;
  bytes key = 3;
  oneof target_union {
    int64 version = 4;
    int64 create_revision = 5;
    int64 mod_revision = 6;
    bytes value = 7;
    int64 lease = 8;
  }
}

message RequestOp {
  oneof request {
    PutRequest request_put = 2;
  }
}

message ResponseOp {
  oneof response {
    PutResponse response_put = 2;
  }
}

message TxnRequest {
  repeated Compare compare = 1;
  repeated RequestOp success = 2;
  repeated RequestOp failure = 3;
}

message TxnResponse {
  ResponseHeader header = 1;
  bool succeeded = 2;
  repeated ResponseOp responses = 3;
}
`;

export function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    if (existsSync(p)) return p;
  }
  return undefined;
}


/**
 * The etcd binary: from PATH, or installed with `apt-get install -y etcd-server etcd-client`
 * (after `apt-get update` if the first attempt fails). Returns the path or why it is unavailable.
 */
export async function ensureEtcd(log: (line: string) => void): Promise<{ bin: string; installed: boolean } | { error: string }> {
  const found = which('etcd');
  if (found) return { bin: found, installed: false };
  if (!which('apt-get')) return { error: 'etcd is not on PATH and apt-get is not available' };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { error: 'etcd is not on PATH and this user is not root, so apt-get install cannot run' };
  }
  const install = () => runCommand('apt-get', ['install', '-y', '--no-install-recommends', 'etcd-server', 'etcd-client'], 300_000);
  log('etcd not on PATH: apt-get install -y etcd-server etcd-client');
  let r = await install();
  if (r.code !== 0) {
    log('apt-get install failed; running apt-get update and trying again');
    const u = await runCommand('apt-get', ['update'], 300_000);
    if (u.code !== 0) return { error: `apt-get update failed (exit ${u.code}): ${tailLines(u.output)}` };
    r = await install();
  }
  if (r.code !== 0) return { error: `apt-get install etcd-server failed (exit ${r.code}): ${tailLines(r.output)}` };
  const bin = which('etcd') ?? (existsSync('/usr/bin/etcd') ? '/usr/bin/etcd' : undefined);
  if (!bin) return { error: 'etcd-server installed but no etcd binary was found' };
  return { bin, installed: true };
}

export async function etcdVersion(bin: string): Promise<string> {
  const r = await runCommand(bin, ['--version'], 10_000);
  return /etcd Version:\s*(\S+)/.exec(r.output)?.[1] ?? 'unknown';
}

export interface EtcdServer {
  readonly pid: number;
  readonly endpoint: string;
  readonly dataDir: string;
  readonly process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Start a single-member etcd on free loopback ports; resolves once it serves gRPC. */
export async function startEtcd(bin: string): Promise<EtcdServer> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-etcd-'));
  const clientPort = await freePort();
  let peerPort = await freePort();
  while (peerPort === clientPort) peerPort = await freePort();
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  // ETCD_* variables would configure the server behind our back.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD_')));
  const child = spawn(
    bin,
    [
      '--name', 'bench',
      '--data-dir', join(dir, 'data'),
      '--listen-client-urls', client,
      '--advertise-client-urls', client,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `bench=${peer}`,
      '--initial-cluster-state', 'new',
      '--logger', 'zap',
      '--log-outputs', 'stderr',
      '--log-level', 'warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-20_000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-20_000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const server: EtcdServer = {
    pid: child.pid ?? -1,
    endpoint: `127.0.0.1:${clientPort}`,
    dataDir: dir,
    process: child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const killed = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(killed);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

export interface EtcdKv {
  put(key: Buffer, value: Buffer): Promise<number>;
  /** kube-apiserver's create: Txn(If mod_revision(key) == 0 Then Put). Resolves whether it succeeded. */
  createTxn(key: Buffer, value: Buffer): Promise<boolean>;
  close(): void;
}

/** A gRPC client for etcd's KV service over one HTTP/2 connection. */
export function connectKv(endpoint: string, protoDir: string): EtcdKv {
  const require = createRequire(import.meta.url);
  const grpc = require('@grpc/grpc-js') as typeof GrpcJs;
  const loader = require('@grpc/proto-loader') as typeof ProtoLoader;
  const protoPath = join(protoDir, 'etcd-kv-min.proto');
  writeFileSync(protoPath, ETCD_KV_PROTO);
  const def = loader.loadSync(protoPath, { keepCase: true, longs: String, enums: String, defaults: false, oneofs: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    etcdserverpb: { KV: new (address: string, creds: GrpcJs.ChannelCredentials, options?: object) => GrpcJs.Client };
  };
  const client = new pkg.etcdserverpb.KV(endpoint, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
  }) as GrpcJs.Client & {
    Put(req: object, opts: GrpcJs.CallOptions, cb: (err: GrpcJs.ServiceError | null, res: { header?: { revision?: string } }) => void): void;
    Txn(req: object, opts: GrpcJs.CallOptions, cb: (err: GrpcJs.ServiceError | null, res: { succeeded?: boolean }) => void): void;
  };
  const deadline = () => ({ deadline: Date.now() + 30_000 });
  return {
    put: (key, value) =>
      new Promise((resolve, reject) =>
        client.Put({ key, value }, deadline(), (err, res) => (err ? reject(err) : resolve(Number(res.header?.revision ?? 0)))),
      ),
    createTxn: (key, value) =>
      new Promise((resolve, reject) =>
        client.Txn(
          {
            compare: [{ result: 'EQUAL', target: 'MOD', key, mod_revision: '0' }],
            success: [{ request_put: { key, value } }],
            failure: [],
          },
          deadline(),
          (err, res) => (err ? reject(err) : resolve(res.succeeded === true)),
        ),
      ),
    close: () => client.close(),
  };
}

/** Wait until etcd accepts a Put (or fail with its output). */
export async function waitForEtcd(server: EtcdServer, kv: EtcdKv, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (server.process.exitCode !== null || server.process.signalCode !== null) {
      throw new Error(`etcd exited (${server.process.exitCode ?? server.process.signalCode}): ${tailLines(server.output(), 6)}`);
    }
    try {
      await Promise.race([kv.put(Buffer.from('/bench/health'), Buffer.from('ok')), sleep(2000).then(() => Promise.reject(new Error('put timed out')))]);
      return;
    } catch (e) {
      last = e;
      await sleep(200);
    }
  }
  throw new Error(`etcd did not become ready in ${timeoutMs} ms: ${(last as Error)?.message}; ${tailLines(server.output(), 6)}`);
}
