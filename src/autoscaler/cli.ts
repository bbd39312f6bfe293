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
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { Command } from 'commander';
import type { ConfigMap } from 'kubernetes-types/core/v1.js';
import { createClient, createLogger, kinds, type KObject } from '../runtime/index.js';
import { DEFAULT_OPTIONS, FLAG_NAMES, flagDefaultText, OptionsError, parseOptions } from './options.js';
import { LAST_UPDATED_ANNOTATION } from './status.js';
import { startAutoscaler } from './loop/index.js';

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

/** Add `autoscaler run` and `autoscaler status` to `program`. */
export function registerAutoscalerCommands(program: Command, deps: AutoscalerCliDeps = {}): Command {
  const out = deps.stdout ?? ((s: string) => void process.stdout.write(s));
  const err = deps.stderr ?? ((s: string) => void process.stderr.write(s));
  const exit = deps.exit ?? ((code: number) => process.exit(code));

  const autoscaler = program.command('autoscaler').description("Cluster autoscaler for scale sets (kubernetes/autoscaler's cluster-autoscaler)");

  autoscaler
    .command('run')
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
  return autoscaler;
}
