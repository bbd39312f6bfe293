/**
 * `flotilla up`: the local control plane in the foreground. Prints a progress line per step,
 * writes the kubeconfig, and on Ctrl-C / SIGTERM stops accepting requests, lets in-flight ones
 * finish, closes storage and exits 0.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { ApiServer, defaultServingNames, ensureAdminToken, ensureServingMaterial } from '../apiserver/index.js';
import { SqliteBackend, startCompactor } from '../storage/index.js';
import { writeKubeconfig } from './kubeconfig.js';

export interface UpOptions {
  port: number;
  host: string;
  dataDir: string;
  kubeconfig: string;
  logLevel: string;
}

/** How many revisions the store keeps for watches to resume from, and how often it compacts. */
const COMPACT_INTERVAL_MS = 5 * 60 * 1000;
const COMPACT_RETAIN_REVISIONS = 10_000;

export async function up(opts: UpOptions, progress: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<{ stop: () => Promise<void>; port: number }> {
  const dataDir = resolve(opts.dataDir);
  progress(`[1/5] Preparing data directory ${dataDir}`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const dbPath = join(dataDir, 'state.db');
  progress(`[2/5] Opening storage (SQLite, WAL) ${dbPath}`);
  const backend = SqliteBackend.open(dbPath);
  const stopCompactor = startCompactor(backend, { intervalMs: COMPACT_INTERVAL_MS, retain: COMPACT_RETAIN_REVISIONS });
  progress('[3/5] Loading the cluster CA and serving certificate');
  const tls = await ensureServingMaterial(dataDir, defaultServingNames(opts.host === '0.0.0.0' ? [] : [opts.host]));
  const token = ensureAdminToken(dataDir);
  const logger = pino({ level: opts.logLevel }, pino.destination(2));
  const server = new ApiServer({ backend, tls, adminToken: token, host: opts.host, port: opts.port, logger });
  progress(`[4/5] Starting the API server on ${opts.host}:${opts.port}`);
  let port: number;
  try {
    port = await server.start();
  } catch (e) {
    stopCompactor();
    await backend.close();
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new Error(`port ${opts.port} on ${opts.host} is already in use (pick another with --port)`);
    if (err.code === 'EACCES') throw new Error(`not allowed to listen on ${opts.host}:${opts.port} (pick a port above 1023 with --port)`);
    throw e;
  }
  const hostForClients = opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host;
  const server_url = `https://${hostForClients.includes(':') ? `[${hostForClients}]` : hostForClients}:${port}`;
  const kubeconfig = resolve(opts.kubeconfig);
  writeKubeconfig(kubeconfig, { server: server_url, caCertPem: tls.caCertPem, token });
  progress(`[5/5] Wrote kubeconfig ${kubeconfig}`);
  progress(`Flotilla is ready at ${server_url}. Try: kubectl --kubeconfig ${opts.kubeconfig} get namespaces`);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await server.close();
      stopCompactor();
      await backend.close();
    })());
  return { stop, port };
}
