#!/usr/bin/env node
/**
 * @module The `flotilla` command. Errors a user can fix print as one line (`error: …`) with a
 * non-zero exit; only bugs print a stack.
 */
import { Command, InvalidArgumentError } from 'commander';
import { up, type UpOptions } from './up.js';
import { registerVmssCommands } from './vmss.js';
import { registerBluegreenCommands } from '../rollout/cli.js';
import { registerAdmissionCommands } from '../admission/cli.js';
import { registerAutoscalerCommands } from '../autoscaler/cli.js';
import { registerIngressCommands } from '../ingress/index.js';
import type { Runtime } from './local-cluster.js';
import { startControlPlane } from './control-plane.js';
import { createLogger } from '../runtime/index.js';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535).');
  return n;
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 5000) throw new InvalidArgumentError('must be a whole number from 0 to 5000.');
  return n;
}

/** `up`'s flags as commander parses them: the runtime is checked before it becomes a Runtime. */
type UpFlags = Omit<UpOptions, 'runtime'> & { runtime: string };

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

const program = new Command()
  .name('flotilla')
  .description('A Kubernetes platform in a box: a local cluster with the add-ons production clusters run.')
  .showHelpAfterError();

program
  .command('up')
  .description('Start the local cluster in the foreground (Ctrl-C stops it; state is kept in --data-dir)')
  .option('--port <port>', 'HTTPS port of the API server', port, 6443)
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .option('--data-dir <dir>', 'where the cluster keeps its state and certificates', '.flotilla')
  .option('--kubeconfig <file>', 'where to write the admin kubeconfig', './kube_config_cluster.yml')
  .option('--log-level <level>', 'log level: info or debug', 'info')
  .option('--agents <count>', 'instances of the agent pool scale set when it is first created', count, 2)
  .option('--runtime <runtime>', 'how nodes run pods: process (local processes) or simulated (no process, as KWOK)', 'process')
  .option('--cluster-cidr <cidr>', 'loopback CIDR that process pods take their IPs from (a /24 per node)', '127.42.0.0/16')
  .option('--no-nodes', 'start no nodes (pods stay Pending)')
  .option('--no-demo', 'do not deploy the demo app')
  .option('--no-autoscaler', 'do not run cluster-autoscaler over the agent pool')
  .option('--http-port <port>', 'the ingress proxy\'s HTTP port (0: a free port)', port, 8080)
  .option('--https-port <port>', 'the ingress proxy\'s HTTPS port (0: a free port)', port, 8443)
  .option('--ingressroute-root-namespaces <namespaces>', 'namespaces where root IngressRoutes are allowed, comma-separated (default: all)', (v: string) => v.split(',').map((n) => n.trim()).filter(Boolean), [] as string[])
  .option('--access-log <path>', 'where the ingress proxy logs each request (default: <data-dir>/logs/ingress-access.log; /dev/stdout works)')
  .option('--no-access-log', 'the ingress proxy logs no requests')
  .option('--access-log-format <format>', 'envoy (Envoy\'s default line) or json (Contour\'s JSON fields)', 'envoy')
  .option('--no-ingress', 'do not run the ingress controller and proxy')
  .option('--no-controllers', 'run the API server alone (no scheduler or controllers)')
  .action(async (opts: UpFlags) => {
    if (opts.logLevel !== 'info' && opts.logLevel !== 'debug') fail(`--log-level must be info or debug, not "${opts.logLevel}"`);
    if (opts.runtime !== 'process' && opts.runtime !== 'simulated') fail(`--runtime must be process or simulated, not "${opts.runtime}"`);
    if (opts.accessLogFormat !== 'envoy' && opts.accessLogFormat !== 'json') fail(`--access-log-format must be envoy or json, not "${opts.accessLogFormat}"`);
    if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}\/(8|9|1[0-6])$/.test(opts.clusterCidr)) fail(`--cluster-cidr must be a loopback CIDR of /16 or wider, such as 127.42.0.0/16, not "${opts.clusterCidr}"`);
    let cluster: Awaited<ReturnType<typeof up>>;
    try {
      cluster = await up({ ...opts, runtime: opts.runtime as Runtime, demo: opts.demo && opts.controllers && opts.nodes, autoscaler: opts.autoscaler && opts.controllers, ingress: opts.ingress && opts.controllers });
    } catch (e) {
      fail((e as Error).message);
    }
    const shutdown = (signal: string) => {
      process.stdout.write(`Received ${signal}: stopping (in-flight requests finish, storage closes)\n`);
      cluster
        .stop()
        .then(() => {
          process.stdout.write('Stopped.\n');
          process.exit(0);
        })
        .catch((e: Error) => fail(`while stopping: ${e.message}`));
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });

program
  .command('controllers')
  .description('Run the scheduler and the controllers against any cluster (until Ctrl-C)')
  .requiredOption('--kubeconfig <file>', 'kubeconfig of the cluster to manage')
  .option('--metrics-port <port>', 'port for /healthz, /readyz and /metrics', port, 10257)
  .option('--leader-elect', 'elect a leader through a Lease in kube-system, so several copies can run', false)
  .option('--log-level <level>', 'log level: info or debug', 'info')
  .action(async (opts: { kubeconfig: string; metricsPort: number; leaderElect: boolean; logLevel: string }) => {
    if (opts.logLevel !== 'info' && opts.logLevel !== 'debug') fail(`--log-level must be info or debug, not "${opts.logLevel}"`);
    const signal = new AbortController();
    const logger = createLogger({ level: opts.logLevel as 'info' | 'debug' });
    let plane: Awaited<ReturnType<typeof startControlPlane>>;
    try {
      plane = await startControlPlane({ kubeconfigPath: opts.kubeconfig, logger, signal: signal.signal, metricsPort: opts.metricsPort, leaderElection: opts.leaderElect });
    } catch (e) {
      fail((e as Error).message);
    }
    process.stdout.write(`Running ${plane.controllers.join(', ')}; metrics on 127.0.0.1:${plane.metricsPort}/metrics\n`);
    const shutdown = () => {
      signal.abort();
      plane.stopped.then(() => process.exit(0)).catch((e: Error) => fail(e.message));
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });

registerVmssCommands(program);
registerBluegreenCommands(program);
registerAdmissionCommands(program);
registerAutoscalerCommands(program);
registerIngressCommands(program);

program.parseAsync(process.argv).catch((e: Error) => fail(e.message));
