/**
 * `flotilla ingress …`: `run` (the controller and its proxy against any cluster, as Contour's
 * `contour serve` with Envoy built in), `dag` (the DAG built from the cluster's objects, as text or
 * Contour's graphviz) and `explain <url>` (what serves a URL and who lost it).
 */
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { Command, InvalidArgumentError } from 'commander';
import { createClient, createLogger } from '../runtime/index.js';
import { startIngressController, loadSnapshot } from './controller/index.js';
import { buildDag, explain, toDot, type DagOptions } from './dag/index.js';
import { describeDag, describeExplanation } from './describe.js';
import { ACCESS_LOG_FORMATS, openAccessLog } from './access-log-file.js';
import type { AccessLogFormat } from './proxy/index.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535).');
  return n;
}

function namespaces(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

function loadKubeConfig(path: string): KubeConfig {
  if (!existsSync(path)) fail(`--kubeconfig: no such file: ${path}`);
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(path);
  } catch (e) {
    fail(`--kubeconfig ${path}: ${(e as Error).message}`);
  }
  return kc;
}

interface DagFlags {
  kubeconfig: string;
  ingressrouteRootNamespaces?: string[];
  ingressClassName?: string;
}

function dagOptions(f: DagFlags): DagOptions {
  return { rootNamespaces: f.ingressrouteRootNamespaces, ingressClass: f.ingressClassName };
}

export function registerIngressCommands(program: Command): void {
  const ingress = program.command('ingress').description('The ingress controller (Contour\'s IngressRoute, with an embedded proxy)');

  ingress
    .command('run')
    .description('Run the ingress controller and its HTTP(S) proxy against a cluster (until Ctrl-C)')
    .requiredOption('--kubeconfig <file>', 'kubeconfig of the cluster')
    .option('--http-port <port>', 'port of the HTTP listener (ingress_http)', port, 8080)
    .option('--https-port <port>', 'port of the HTTPS listener (ingress_https)', port, 8443)
    .option('--address <address>', 'address the proxy listens on', '0.0.0.0')
    .option('--ingressroute-root-namespaces <a,b>', 'namespaces where root IngressRoutes are allowed (default: all)', namespaces)
    .option('--ingress-class-name <class>', 'ingress class to serve', 'contour')
    .option('--metrics-port <port>', 'port of /healthz, /readyz, /metrics and /debug/dag (on 127.0.0.1)', port, 8000)
    .option('--leader-elect', 'write status only while holding the contour Lease in kube-system, so several copies can run', false)
    .option('--log-level <level>', 'log level: info or debug', 'info')
    .option('--access-log <path>', 'where the proxy logs each request, as Contour\'s Envoy does', '/dev/stdout')
    .option('--no-access-log', 'log no requests')
    .option('--access-log-format <format>', 'envoy (Envoy\'s default line) or json (Contour\'s JSON fields)', 'envoy')
    .action(async (o: DagFlags & { httpPort: number; httpsPort: number; address: string; metricsPort: number; leaderElect: boolean; logLevel: string; accessLog: string | false; accessLogFormat: string }) => {
      if (o.logLevel !== 'info' && o.logLevel !== 'debug') fail(`--log-level must be info or debug, not "${o.logLevel}"`);
      if (!(ACCESS_LOG_FORMATS as readonly string[]).includes(o.accessLogFormat)) fail(`--access-log-format must be envoy or json, not "${o.accessLogFormat}"`);
      const accessLog = o.accessLog === false ? undefined : openAccessLog(o.accessLog, o.accessLogFormat as AccessLogFormat);
      const kubeConfig = loadKubeConfig(o.kubeconfig);
      const ac = new AbortController();
      const logger = createLogger({ level: o.logLevel as 'info' | 'debug', name: 'ingress' });
      let ctl: Awaited<ReturnType<typeof startIngressController>>;
      try {
        ctl = await startIngressController({
          kubeConfig, logger, signal: ac.signal, httpPort: o.httpPort, httpsPort: o.httpsPort, host: o.address,
          rootNamespaces: o.ingressrouteRootNamespaces, ingressClass: o.ingressClassName, metricsPort: o.metricsPort, leaderElection: o.leaderElect, accessLog,
        });
      } catch (e) {
        fail((e as Error).message);
      }
      process.stdout.write(`Ingress proxy on :${ctl.httpPort} (http) and :${ctl.httpsPort} (https); metrics and /debug/dag on 127.0.0.1:${ctl.metricsPort}\n`);
      const shutdown = () => {
        ac.abort();
        ctl.stopped.then(() => {
          accessLog?.close();
          process.exit(0);
        }, (e: Error) => fail(e.message));
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });

  ingress
    .command('dag')
    .description('Print the DAG built from the cluster\'s objects (--dot: graphviz, as Contour\'s /debug/dag)')
    .requiredOption('--kubeconfig <file>', 'kubeconfig of the cluster')
    .option('--dot', 'graphviz output: flotilla ingress dag --dot | dot -Tpng > dag.png', false)
    .option('--ingressroute-root-namespaces <a,b>', 'namespaces where root IngressRoutes are allowed (default: all)', namespaces)
    .option('--ingress-class-name <class>', 'ingress class to serve', 'contour')
    .action(async (o: DagFlags & { dot: boolean }) => {
      const client = createClient(loadKubeConfig(o.kubeconfig));
      const dag = buildDag(await loadSnapshot(client), dagOptions(o));
      process.stdout.write(o.dot ? toDot(dag) : describeDag(dag));
    });

  ingress
    .command('explain')
    .description('Which root and delegated IngressRoute serve a URL, to which endpoints, and who tried to claim it and lost')
    .argument('<url>', 'e.g. http://www.example.com/blog')
    .requiredOption('--kubeconfig <file>', 'kubeconfig of the cluster')
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--ingressroute-root-namespaces <a,b>', 'namespaces where root IngressRoutes are allowed (default: all)', namespaces)
    .option('--ingress-class-name <class>', 'ingress class to serve', 'contour')
    .action(async (url: string, o: DagFlags & { output: string }) => {
      if (o.output !== 'text' && o.output !== 'json') fail(`--output must be text or json, not "${o.output}"`);
      try {
        new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `http://${url}`);
      } catch {
        fail(`not a URL: ${url}`);
      }
      const client = createClient(loadKubeConfig(o.kubeconfig));
      const e = explain(buildDag(await loadSnapshot(client), dagOptions(o)), url);
      process.stdout.write(o.output === 'json' ? `${JSON.stringify(e, null, 2)}\n` : describeExplanation(e));
    });
}
