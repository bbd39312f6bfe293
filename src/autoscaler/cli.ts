/**
 * `flotilla autoscaler …`: cluster-autoscaler as its own process against any cluster, as it runs as
 * its own Deployment upstream.
 *
 * - `flotilla autoscaler run --kubeconfig F [--metrics-port 8085] [--log-level info] [CA flags]`
 *   takes cluster-autoscaler's own flags with their names and defaults (`--nodes`,
 *   `--node-group-auto-discovery`, `--scan-interval`, `--expander`, `--scale-down-*`,
 *   `--max-nodes-total`, `--cores-total`, `--memory-total`, `--balance-similar-node-groups`,
 *   `--status-config-map-format`, `--leader-elect`, …; `flotilla autoscaler run --help` lists them).
 *   A lost lease ends the process with exit code 1, as upstream's does.
 * - `flotilla autoscaler status --kubeconfig F` prints `data.status` of the status ConfigMap.
 * - `flotilla autoscaler simulate --trace workload.yaml [--out DIR] [CA flags]` replays a trace
 *   against simulated scale sets (./simulate/) and writes `report.json` and `report.svg`, with a
 *   summary on stdout.
 * - `flotilla autoscaler why <pod> [-n ns] --kubeconfig F [CA flags]` says why a pending pod did
 *   or did not trigger a scale-up, per node group (./why.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Command } from 'commander';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { createClient, createLogger, kinds, type KObject } from '../runtime/index.js';
import { DEFAULT_OPTIONS, FLAG_NAMES, flagDefaultText, OptionsError, parseOptions, splitOperands } from './options.js';
import { LAST_UPDATED_ANNOTATION } from './status.js';
import { readCluster, startAutoscaler } from './loop/index.js';
import { formatSummary, parseTrace, renderSvg, simulate, TraceError, type Trace } from './simulate/index.js';
import { explainPod, formatWhy, hintsFromStatus } from './why.js';

export const DEFAULT_KUBECONFIG = './kube_config_cluster.yml';

export interface AutoscalerCliDeps {
  readonly stdout?: (s: string) => void;
  readonly stderr?: (s: string) => void;
  readonly exit?: (code: number) => void;
}

/** The kubeconfig file, or (an empty path) the pod's service account, as in-cluster clients do. */
function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  if (path === '') {
    if (!process.env.KUBERNETES_SERVICE_HOST) throw new Error('--kubeconfig is empty but this is not a pod (KUBERNETES_SERVICE_HOST is unset): give a kubeconfig file');
    kc.loadFromCluster();
  }
  else kc.loadFromFile(path);
  return kc;
}

function flagHelp(): string {
  const lines = FLAG_NAMES.map((name) => {
    const d = flagDefaultText(name);
    return `  --${name}${d === undefined ? '  (repeatable)' : ` (default ${d})`}`;
  });
  return `\ncluster-autoscaler flags (durations as Go durations, e.g. 10s, 10m; bools as --flag or --flag=false):\n${lines.join('\n')}\n`;
}

/** The trace's flags, then the command line's; a bad flag in the trace names its `options.` field. */
export function simulationOptions(trace: Trace, args: readonly string[]) {
  try {
    parseOptions(trace.flags);
  } catch (e) {
    if (e instanceof OptionsError) throw new TraceError(`options.${e.flag}`, e.reason);
    throw e;
  }
  return parseOptions([...trace.flags, ...args]);
}

/** Add `autoscaler run`, `status`, `simulate` and `why` to `program`. */
export function registerAutoscalerCommands(program: Command, deps: AutoscalerCliDeps = {}): Command {
  const out = deps.stdout ?? ((s: string) => void process.stdout.write(s));
  const err = deps.stderr ?? ((s: string) => void process.stderr.write(s));
  const exit = deps.exit ?? ((code: number) => process.exit(code));

  const autoscaler = program.command('autoscaler').description("Cluster autoscaler for scale sets (kubernetes/autoscaler's cluster-autoscaler)");

  autoscaler
    .command('run', { isDefault: true })
    .description('Run the cluster autoscaler against a cluster (until Ctrl-C), with cluster-autoscaler\'s flags')
    .option('--kubeconfig <file>', 'kubeconfig of the cluster (empty: in-cluster, the pod\'s service account)', DEFAULT_KUBECONFIG)
    .option('--metrics-port <port>', 'port of /healthz, /readyz and /metrics (cluster-autoscaler serves :8085)', '8085')
    .option('--log-level <level>', 'log level: info or debug', 'info')
    .allowUnknownOption()
    .allowExcessArguments(true)
    .addHelpText('after', flagHelp())
    .action(async (o: { kubeconfig: string; metricsPort: string; logLevel: string }, cmd: Command) => {
      const port = Number(o.metricsPort);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        err(`error: --metrics-port must be a port number (0-65535), not "${o.metricsPort}"\n`);
        return exit(1);
      }
      if (o.logLevel !== 'info' && o.logLevel !== 'debug') {
        err(`error: --log-level must be info or debug, not "${o.logLevel}"\n`);
        return exit(1);
      }
      let options;
      try {
        options = parseOptions(cmd.args);
      } catch (e) {
        err(`error: ${e instanceof OptionsError ? e.message : (e as Error).message}\n`);
        return exit(1);
      }
      if (options.nodes.length === 0 && options.nodeGroupAutoDiscovery.length === 0) {
        err('error: no node groups: give --nodes=<min>:<max>:<scale set> or --node-group-auto-discovery=label:<tag>=<value>[,min=N,max=M]\n');
        return exit(1);
      }
      const stop = new AbortController();
      let ca;
      try {
        const kubeConfig = loadKubeConfig(o.kubeconfig);
        ca = await startAutoscaler({ kubeConfig, options, logger: createLogger({ level: o.logLevel as 'info' | 'debug' }), metricsPort: port, signal: stop.signal });
      } catch (e) {
        err(`error: ${(e as Error).message}\n`);
        return exit(1);
      }
      out(`cluster-autoscaler running (scan interval ${options.scanInterval / 1000}s, status in ${options.namespace}/${options.statusConfigMapName}); metrics on :${ca.port()}/metrics\n`);
      const shutdown = (): void => stop.abort();
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
      const reason = await ca.done();
      if (reason === 'leadership lost') {
        err('error: leaderelection lost\n');
        return exit(1);
      }
      exit(0);
    });

  autoscaler
    .command('status')
    .description('Print the autoscaler\'s status ConfigMap (kube-system/cluster-autoscaler-status)')
    .option('--kubeconfig <file>', 'kubeconfig of the cluster', DEFAULT_KUBECONFIG)
    .option('--namespace <ns>', 'the autoscaler\'s namespace', DEFAULT_OPTIONS.namespace)
    .option('--status-config-map-name <name>', 'the status ConfigMap', DEFAULT_OPTIONS.statusConfigMapName)
    .action(async (o: { kubeconfig: string; namespace: string; statusConfigMapName: string }) => {
      try {
        const client = createClient(loadKubeConfig(o.kubeconfig));
        const cm = await client.get<ConfigMap & KObject>(kinds.configMaps, o.namespace, o.statusConfigMapName);
        if (!cm) {
          err(`error: configmap ${o.namespace}/${o.statusConfigMapName} not found: is the cluster autoscaler running?\n`);
          return exit(1);
        }
        const text = cm.data?.status ?? '';
        const updated = cm.metadata?.annotations?.[LAST_UPDATED_ANNOTATION];
        out(text.endsWith('\n') ? text : `${text}\n`);
        if (updated === undefined) err('warning: the status has no last-updated annotation\n');
      } catch (e) {
        err(`error: ${(e as Error).message}\n`);
        exit(1);
      }
    });

  autoscaler
    .command('simulate')
    .description('Replay a workload trace (pod arrivals and departures) against simulated scale sets; write report.json and report.svg')
    .requiredOption('--trace <file>', 'the trace, YAML (see examples/autoscaler/README.md)')
    .option('--out <dir>', 'where to write report.json and report.svg', '.')
    .allowUnknownOption()
    .allowExcessArguments(true)
    .addHelpText('after', `\nFlags after the options are cluster-autoscaler's (they override the trace's options:), e.g. --scale-down-unneeded-time=5m.\n${flagHelp()}`)
    .action((o: { trace: string; out: string }, cmd: Command) => {
      let text: string;
      try {
        text = readFileSync(o.trace, 'utf8');
      } catch (e) {
        err(`error: cannot read the trace: ${(e as Error).message}\n`);
        return exit(1);
      }
      let trace: Trace;
      let options;
      try {
        trace = parseTrace(text);
        options = simulationOptions(trace, cmd.args);
      } catch (e) {
        if (e instanceof TraceError) err(`error: ${o.trace}: ${e.message}\n`);
        else err(`error: ${(e as Error).message}\n`);
        return exit(1);
      }
      const report = simulate(trace, { options });
      const json = join(o.out, 'report.json');
      const svg = join(o.out, 'report.svg');
      try {
        mkdirSync(o.out, { recursive: true });
        writeFileSync(json, JSON.stringify({ trace: o.trace, flags: [...trace.flags, ...cmd.args], ...report }, null, 2) + '\n');
        writeFileSync(svg, renderSvg(report, `flotilla autoscaler simulate --trace ${o.trace}`));
      } catch (e) {
        err(`error: cannot write the report: ${(e as Error).message}\n`);
        return exit(1);
      }
      out(formatSummary(report, { json, svg }));
    });

  autoscaler
    .command('why')
    .argument('[pod]', 'the pending pod (name, or namespace/name)')
    .description('Say why a pending pod did or did not trigger a scale-up, per node group (node groups as for `autoscaler run`)')
    .option('-n, --pod-namespace <ns>', 'the pod\'s namespace', 'default')
    .option('--kubeconfig <file>', 'kubeconfig of the cluster', DEFAULT_KUBECONFIG)
    .allowUnknownOption()
    .allowExcessArguments(true)
    .addHelpText('after', flagHelp())
    .action(async (_pod: string | undefined, o: { podNamespace: string; kubeconfig: string }, cmd: Command) => {
      // Commander takes the first unknown word as the pod, even a flag: split the words ourselves.
      const { flags, operands } = splitOperands(cmd.args);
      if (operands.length !== 1) {
        err(`error: give one pod, as <name> or <namespace>/<name>${operands.length ? ` (got ${operands.join(' ')})` : ''}\n`);
        return exit(1);
      }
      const podArg = operands[0];
      const [namespace, name] = podArg.includes('/') ? (podArg.split('/', 2) as [string, string]) : [o.podNamespace, podArg];
      let options;
      try {
        options = parseOptions(flags);
      } catch (e) {
        err(`error: ${(e as Error).message}\n`);
        return exit(1);
      }
      if (options.nodes.length === 0 && options.nodeGroupAutoDiscovery.length === 0) {
        err('error: no node groups: give --nodes=<min>:<max>:<scale set> or --node-group-auto-discovery=label:<tag>=<value>[,min=N,max=M], as for autoscaler run\n');
        return exit(1);
      }
      try {
        const client = createClient(loadKubeConfig(o.kubeconfig));
        const reading = await readCluster(client, options, Date.now());
        const result = explainPod({
          snapshot: reading.snapshot,
          options,
          namespace,
          name,
          hints: reading.status === undefined ? undefined : hintsFromStatus(reading.status),
          priorities: reading.priorities,
        });
        out(formatWhy(result));
        for (const i of reading.ignored) err(`warning: scale set ${i.name} is not autoscaled: ${i.reason}\n`);
        if (result.kind === 'notFound') exit(1);
      } catch (e) {
        err(`error: ${(e as Error).message}\n`);
        exit(1);
      }
    });
  return autoscaler;
}
