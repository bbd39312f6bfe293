/**
 * `flotilla up`: the local control plane in the foreground. Prints a progress line per step,
 * writes the kubeconfig, and on Ctrl-C / SIGTERM stops accepting requests, lets in-flight ones
 * finish, closes storage and exits 0.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger } from '../runtime/index.js';
import { ApiServer, defaultServingNames, ensureAdminToken, ensureServingMaterial } from '../apiserver/index.js';
import { SqliteBackend, startCompactor } from '../storage/index.js';
import { writeKubeconfig } from './kubeconfig.js';
import { loadKubeConfig, startControlPlane } from './control-plane.js';
import { openAccessLog, startIngressController } from '../ingress/index.js';
import type { AccessLogFormat } from '../ingress/proxy/index.js';
import { DEMO_NAME, startLocalCluster, type Runtime } from './local-cluster.js';

export interface UpOptions {
  port: number;
  host: string;
  dataDir: string;
  kubeconfig: string;
  logLevel: string;
  /** Run the default nodes (a control-plane node and the agent pool scale set) and their node agent. */
  nodes: boolean;
  /** Instances of the agent pool scale set when it is first created. */
  agents: number;
  /** How the nodes run pods: as local processes, or simulated (no process, as KWOK). */
  runtime: Runtime;
  /** Loopback CIDR that process pods take their IPs from. */
  clusterCidr: string;
  /** Deploy the demo app (two flotilla/echo pods behind a Service). */
  demo: boolean;
  /** Run cluster-autoscaler over the agent pool. */
  autoscaler: boolean;
  /** Run the ingress controller and its proxy (Contour's job). */
  ingress: boolean;
  httpPort: number;
  httpsPort: number;
  /** `--ingressroute-root-namespaces` (empty: roots anywhere). */
  ingressrouteRootNamespaces: string[];
  /** The proxy's access log: a path (default `<data-dir>/logs/ingress-access.log`), or false for none. */
  accessLog?: string | false;
  accessLogFormat?: AccessLogFormat;
  /** Run the controller manager and scheduler (false: the API server alone). */
  controllers: boolean;
}

/** How many revisions the store keeps for watches to resume from, and how often it compacts. */
const COMPACT_INTERVAL_MS = 5 * 60 * 1000;
const COMPACT_RETAIN_REVISIONS = 10_000;

export async function up(opts: UpOptions, progress: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<{ stop: () => Promise<void>; port: number }> {
  const dataDir = resolve(opts.dataDir);
  progress(`[1/7] Preparing data directory ${dataDir}`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const dbPath = join(dataDir, 'state.db');
  progress(`[2/7] Opening storage (SQLite, WAL) ${dbPath}`);
  const backend = SqliteBackend.open(dbPath);
  const stopCompactor = startCompactor(backend, { intervalMs: COMPACT_INTERVAL_MS, retain: COMPACT_RETAIN_REVISIONS });
  progress('[3/7] Loading the cluster CA and serving certificate');
  const tls = await ensureServingMaterial(dataDir, defaultServingNames(opts.host === '0.0.0.0' ? [] : [opts.host]));
  const token = ensureAdminToken(dataDir);
  // Logs go to stderr (progress lines to stdout): JSON lines, readable when stderr is a terminal.
  const logger = createLogger({ level: opts.logLevel as 'info' | 'debug', destination: process.stderr, pretty: Boolean(process.stderr.isTTY) });
  const server = new ApiServer({ backend, tls, adminToken: token, host: opts.host, port: opts.port, logger });
  progress(`[4/7] Starting the API server on ${opts.host}:${opts.port}`);
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
  progress(`[5/7] Wrote kubeconfig ${kubeconfig}`);
  const background = new AbortController();
  const nextSteps = [`kubectl --kubeconfig ${opts.kubeconfig} get nodes`];
  const running: Array<Promise<void>> = [];
  try {
    if (opts.controllers) {
      const plane = await startControlPlane({ kubeconfigPath: kubeconfig, logger, signal: background.signal });
      running.push(plane.stopped);
      progress(`[6/7] Started the scheduler and controllers (${plane.controllers.join(', ')}); metrics on 127.0.0.1:${plane.metricsPort}/metrics`);
      if (opts.ingress) {
        // The proxy binds the clients' address, never all interfaces: a wildcard listener on 8080
        // would take that port from every process pod's own loopback IP.
        const accessLogPath = opts.accessLog ?? join(dataDir, 'logs', 'ingress-access.log');
        const accessLog = accessLogPath === false ? undefined : openAccessLog(accessLogPath, opts.accessLogFormat ?? 'envoy');
        const ingress = await startIngressController({
          kubeConfig: loadKubeConfig(kubeconfig),
          logger,
          signal: background.signal,
          host: hostForClients,
          httpPort: opts.httpPort,
          httpsPort: opts.httpsPort,
          rootNamespaces: opts.ingressrouteRootNamespaces,
          metricsPort: 0,
          accessLog,
        }).catch((e: NodeJS.ErrnoException) => {
          accessLog?.close();
          if (e.code !== 'EADDRINUSE') throw e;
          throw new Error(`the ingress proxy's port on ${hostForClients} is already in use (pick others with --http-port and --https-port, or leave the proxy out with --no-ingress)`);
        });
        running.push(ingress.stopped.finally(() => accessLog?.close()));
        progress(`      ingress (IngressRoute, Ingress): http://${hostForClients}:${ingress.httpPort}, https://${hostForClients}:${ingress.httpsPort}; /debug/dag on 127.0.0.1:${ingress.metricsPort}${accessLogPath ? `; access log ${accessLogPath}` : ''}`);
      }
    } else progress('[6/7] Controllers and scheduler not started (--no-controllers)');
    if (opts.nodes) {
      progress(`[7/7] Starting the nodes: a control-plane node and a scale set of ${opts.agents} agent(s), ${opts.runtime} runtime`);
      const local = await startLocalCluster({
        kubeconfigPath: kubeconfig,
        dataDir,
        logger,
        signal: background.signal,
        agents: opts.agents,
        runtime: opts.runtime,
        clusterCIDR: opts.clusterCidr,
        demo: opts.demo,
        autoscaler: opts.autoscaler,
        progress,
      });
      running.push(local.stopped);
      progress(`      nodes: ${local.master} and the scale set ${local.scaleSet} (flotilla vmss list-instances -n ${local.scaleSet})`);
      if (local.autoscaler) progress(`      cluster-autoscaler: ${local.scaleSet} between ${local.autoscaler.min} and ${local.autoscaler.max} nodes; metrics on 127.0.0.1:${local.autoscaler.metricsPort}/metrics (flotilla autoscaler status)`);
      if (local.demoEndpoints.length) {
        progress(`      demo: deployment/${DEMO_NAME} and service/${DEMO_NAME} in namespace default, pods at ${local.demoEndpoints.join(', ')}`);
        if (opts.runtime === 'process') nextSteps.push(`curl http://${local.demoEndpoints[0]}/`, `kubectl logs deployment/${DEMO_NAME}`);
      }
    } else progress('[7/7] No nodes (--no-nodes): pods stay Pending');
  } catch (e) {
    background.abort();
    await server.close();
    stopCompactor();
    await backend.close();
    throw e;
  }
  progress(`Flotilla is ready at ${server_url}. Try: ${nextSteps.join(' ; ')}`);
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      background.abort();
      await Promise.all(running);
      await server.close();
      stopCompactor();
      await backend.close();
    })());
  return { stop, port };
}
