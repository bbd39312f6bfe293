/**
 * `flotilla bluegreen …`: the Codefresh blue/green step's inputs (environment variables, or flags
 * of the same names) and the Argo Rollouts options, parsed and checked here, then handed to the
 * runner. Usage errors print the step's usage text and exit 1; everything else ends with the
 * runner's exit code.
 */
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import type { Command } from 'commander';
import { createClient, type Client } from '../runtime/index.js';
import { DEFAULT_STEP_INTERVAL, DEFAULT_TIMEOUT, resolveRunInputs, resolveTargetInputs, usageText, type Env, type RunFlags, type TargetFlags } from './inputs.js';
import { execute, type Rollout, type RunnerDeps } from './runner.js';

/** The kubeconfig `flotilla up` writes in its working directory. */
const LOCAL_KUBECONFIG = './kube_config_cluster.yml';

export interface BluegreenDeps {
  readonly env?: Env;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  /** Default process.exit. */
  readonly exit?: (code: number) => void;
  /** A client for a kubeconfig path (or the default) and context; default loads the file. */
  readonly client?: (kubeconfig: string | undefined, context: string | undefined) => Client;
  /** Runner overrides (tests): clock, sleep, analysis checks, poll intervals. */
  readonly runner?: Partial<Pick<RunnerDeps, 'now' | 'sleep' | 'check' | 'pollMs' | 'progressEveryMs'>>;
}

/**
 * The kubeconfig as kubectl would find it (--kubeconfig, else $KUBECONFIG, else the one
 * `flotilla up` wrote here, else ~/.kube/config), switched to `context` when one is given.
 */
export function loadKubeConfig(path: string | undefined, context: string | undefined, env: Env = process.env): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (path !== undefined) {
      if (!existsSync(path)) throw new Error(`kubeconfig ${path} does not exist`);
      kc.loadFromFile(path);
    } else if (!env.KUBECONFIG && existsSync(LOCAL_KUBECONFIG)) {
      kc.loadFromFile(LOCAL_KUBECONFIG);
    } else {
      kc.loadFromDefault();
    }
  } catch (e) {
    throw new Error(`cannot load the kubeconfig: ${(e as Error).message}`);
  }
  if (context !== undefined) {
    if (!kc.getContexts().some((c) => c.name === context)) throw new Error(`the kubeconfig has no context "${context}" (KUBE_CONTEXT)`);
    kc.setCurrentContext(context);
  }
  if (!kc.getCurrentCluster()) throw new Error('the kubeconfig has no current cluster: pass --kubeconfig or KUBE_CONTEXT');
  return kc;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Add `bluegreen` (the step) and `bluegreen promote|abort|rollback` to `program`. */
export function registerBluegreenCommands(program: Command, deps: BluegreenDeps = {}): Command {
  const env = deps.env ?? process.env;
  const stdout = deps.stdout ?? ((s: string) => void process.stdout.write(s));
  const stderr = deps.stderr ?? ((s: string) => void process.stderr.write(s));
  const exit = deps.exit ?? ((code: number) => process.exit(code));
  const clientFor = deps.client ?? ((path, context) => createClient(loadKubeConfig(path, context, env), { fieldManager: 'flotilla-bluegreen' }));
  const runnerDeps = (kubeconfig: string | undefined, context: string | undefined, signal?: AbortSignal): RunnerDeps => ({
    connect: () => clientFor(kubeconfig, context),
    out: (line) => stdout(`${line}\n`),
    err: (line) => stderr(`${line}\n`),
    signal,
    ...deps.runner,
  });
  /**
   * Run `command`, turning the first SIGINT/SIGTERM into an orderly stop (the runner undoes what
   * an unfinished rollout left: an unswitched colour, shifted weights) and a second into exit 130.
   */
  const executeInterruptibly = async (command: 'run' | 'promote' | 'abort' | 'rollback', rollout: Rollout, kubeconfig: string | undefined, context: string | undefined): Promise<number> => {
    const stop = new AbortController();
    const onSignal = (sig: NodeJS.Signals) => {
      if (stop.signal.aborted) return exit(130);
      stderr(`${sig}: stopping; undoing what this run left unfinished (again to exit at once)\n`);
      stop.abort(sig);
    };
    // Only a real process (one that exits through process.exit) owns its signals; tests do not.
    if (deps.exit === undefined) {
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    }
    try {
      return await execute(command, rollout, runnerDeps(kubeconfig, context, stop.signal));
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  };

  const bg = program
    .command('bluegreen')
    .description('Blue/green deployment of <DEPLOYMENT_NAME>-<version> behind a Service selecting on "version" (the Codefresh step, with Argo Rollouts\' options)')
    // promote/abort/rollback read --namespace, --kube-context, --kubeconfig and --timeout from
    // here (optsWithGlobals): commander gives an option to the parent when both define it.
    .configureHelp({ showGlobalOptions: true })
    .option('--service-name <name>', 'Service whose selector is switched (env SERVICE_NAME)')
    .option('--deployment-name <name>', 'Deployment base name; colors are <name>-<version> (env DEPLOYMENT_NAME)')
    .option('--new-version <version>', 'version to roll out: the version label and the image tag (env NEW_VERSION)')
    .option('--health-seconds <seconds>', 'seconds to wait after the rollout before the health check (env HEALTH_SECONDS)')
    .option('-n, --namespace <namespace>', 'namespace of the Service and Deployments (env NAMESPACE)')
    .option('--kube-context <context>', 'kubeconfig context to use (env KUBE_CONTEXT; default: the current context)')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, ./kube_config_cluster.yml, ~/.kube/config)')
    .option('--timeout <duration>', `how long the new color may take to roll out (default ${DEFAULT_TIMEOUT})`)
    .option('--max-restarts <count>', 'unhealthy when the new pods restarted more than this in total (default 2)')
    .option('--image <container=image>', 'the new color runs this image in that container instead of the retagged one (repeatable)', collect, [])
    .option('--preview-service <name>', 'route this Service (created if missing) to the new color before promotion')
    .option('--auto-promote [bool]', 'switch traffic as soon as the new color is verified; false pauses for "bluegreen promote" (default true)')
    .option('--scale-down-delay <duration>', 'keep the old color up this long after the switch (for "bluegreen rollback"), then scale it to zero instead of deleting it')
    .option('--analysis <url>', 'HTTP check of the new color, before and after the switch: http(s) URL ($(POD_IP) per pod), /path or :port/path on each pod (repeatable)', collect, [])
    .option('--traffic <ingressroute/name>', 'shift traffic through this IngressRoute\'s weights (active Service → preview Service) before the switch')
    .option('--steps <percentages>', 'with --traffic: the new color\'s share step by step, e.g. 10,50,100 (default 100)')
    .option('--step-interval <duration>', `with --traffic: how long each step lasts before it is verified (default ${DEFAULT_STEP_INTERVAL})`)
    .action(async (flags: RunFlags) => {
      const resolved = resolveRunInputs(flags, env);
      if (resolved.kind === 'missing') {
        stdout(usageText(resolved.missing));
        return exit(1);
      }
      if (resolved.kind === 'invalid') {
        stderr(`error: ${resolved.message}\n`);
        return exit(1);
      }
      const i = resolved.inputs;
      const rollout: Rollout = {
        service: i.service,
        namespace: i.namespace,
        deployment: i.deployment,
        newVersion: i.newVersion,
        healthSeconds: i.healthSeconds,
        timeoutMs: i.timeoutMs,
        maxRestarts: i.maxRestarts,
        images: i.images,
        previewService: i.previewService,
        autoPromote: i.autoPromote,
        scaleDownDelayMs: i.scaleDownDelayMs,
        analysis: i.analysis,
        traffic: i.traffic,
        steps: i.steps,
        stepIntervalMs: i.stepIntervalMs,
        kubeContext: i.kubeContext,
      };
      exit(await executeInterruptibly('run', rollout, i.kubeconfig, i.kubeContext));
    });

  const target = (name: 'promote' | 'abort' | 'rollback', description: string) =>
    bg
      .command(`${name} [service]`)
      .description(`${description}. Takes --namespace (default "default"), --kube-context, --kubeconfig and --timeout`)
      .action(async (service: string | undefined, _opts: unknown, cmd: Command) => {
        const flags = cmd.optsWithGlobals<TargetFlags>();
        const resolved = resolveTargetInputs(service, flags, env);
        if (resolved.kind === 'missing') {
          stderr(`error: name the Service: flotilla bluegreen ${name} SERVICE_NAME (or set SERVICE_NAME)\n`);
          return exit(1);
        }
        if (resolved.kind === 'invalid') {
          stderr(`error: ${resolved.message}\n`);
          return exit(1);
        }
        const i = resolved.inputs;
        // The rest (deployment, versions, options) comes from the rollout's record on the Service.
        const rollout: Rollout = {
          service: i.service,
          namespace: i.namespace,
          deployment: '',
          newVersion: '',
          healthSeconds: 0,
          timeoutMs: i.timeoutMs,
          maxRestarts: 0,
          images: {},
          autoPromote: true,
          analysis: [],
          kubeContext: i.kubeContext,
        };
        exit(await executeInterruptibly(name, rollout, i.kubeconfig, i.kubeContext));
      });

  target('promote', 'Switch traffic to the paused new color (after --auto-promote=false), re-checking its health first');
  target('abort', 'Remove the paused new color; the Service keeps the previous version');
  target('rollback', 'Switch traffic back to the previous color kept by --scale-down-delay (scaling it back up if needed), and remove the new one');
  return bg;
}
