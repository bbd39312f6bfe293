/**
 * The step's inputs, from flags or the Codefresh image's environment variables (a flag wins), checked
 * once, in one place, as a pure function: what is missing (usage, exit 1, as the step did) and
 * what is malformed (one `error:` line naming the input) never reach the cluster.
 */
import { parseDuration } from './duration.js';
import { DEFAULT_MAX_RESTARTS } from './health.js';
import { parseSteps, parseTrafficTarget } from './traffic.js';

/** The inputs by environment variable, in the step's order, with their flags. */
export const INPUTS = [
  { env: 'SERVICE_NAME', flag: 'serviceName', option: '--service-name', help: 'Name of the Service whose selector is switched' },
  { env: 'DEPLOYMENT_NAME', flag: 'deploymentName', option: '--deployment-name', help: 'Deployment base name: each color is <DEPLOYMENT_NAME>-<version>' },
  { env: 'NEW_VERSION', flag: 'newVersion', option: '--new-version', help: 'The version to roll out: the version label and the image tag' },
  { env: 'HEALTH_SECONDS', flag: 'healthSeconds', option: '--health-seconds', help: 'Seconds to wait after the rollout before the health check' },
  { env: 'NAMESPACE', flag: 'namespace', option: '--namespace', help: 'Namespace of the application' },
] as const;

export const DEFAULT_TIMEOUT = '5m';
export const DEFAULT_STEP_INTERVAL = '30s';

/** Flags as commander hands them over (strings; repeatable ones as arrays). */
export interface RunFlags {
  readonly serviceName?: string;
  readonly deploymentName?: string;
  readonly newVersion?: string;
  readonly healthSeconds?: string;
  readonly namespace?: string;
  readonly kubeContext?: string;
  readonly kubeconfig?: string;
  readonly timeout?: string;
  readonly maxRestarts?: string;
  readonly image?: readonly string[];
  readonly previewService?: string;
  readonly autoPromote?: string | boolean;
  readonly scaleDownDelay?: string;
  readonly analysis?: readonly string[];
  readonly traffic?: string;
  readonly steps?: string;
  readonly stepInterval?: string;
}

export interface RunInputs {
  readonly service: string;
  readonly deployment: string;
  readonly newVersion: string;
  readonly healthSeconds: number;
  readonly namespace: string;
  readonly kubeContext?: string;
  readonly kubeconfig?: string;
  readonly timeoutMs: number;
  readonly maxRestarts: number;
  /** Explicit images for the new colour by container name (`--image web=repo:tag`). */
  readonly images: Readonly<Record<string, string>>;
  readonly previewService?: string;
  readonly autoPromote: boolean;
  /** Undefined: delete the old colour right after the switch, as the step did. */
  readonly scaleDownDelayMs?: number;
  readonly analysis: readonly string[];
  /** The IngressRoute whose weights shift traffic (`--traffic ingressroute/<name>`). */
  readonly traffic?: string;
  /** Percentages of traffic on the new colour, step by step (ending at 100). */
  readonly steps: readonly number[];
  readonly stepIntervalMs: number;
}

export type Resolved<T> = { readonly kind: 'ok'; readonly inputs: T } | { readonly kind: 'missing'; readonly missing: readonly string[] } | { readonly kind: 'invalid'; readonly message: string };

export type Env = Readonly<Record<string, string | undefined>>;

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** An analysis target: a full http(s) URL (`$(POD_IP)` expanded per pod), or `/path` / `:port/path` against every new pod. */
export function validAnalysisTarget(t: string): boolean {
  if (/^(:\d{1,5})?\/\S*$/.test(t)) return true;
  try {
    const u = new URL(t.replaceAll('$(POD_IP)', '127.0.0.1'));
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

const nonEmpty = (v: string | undefined): string | undefined => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** The run's inputs: flags over environment, defaults applied, everything checked. */
export function resolveRunInputs(flags: RunFlags, env: Env): Resolved<RunInputs> {
  const value = (i: (typeof INPUTS)[number]): string | undefined => nonEmpty(flags[i.flag]) ?? nonEmpty(env[i.env]);
  const missing = INPUTS.filter((i) => value(i) === undefined).map((i) => i.env);
  if (missing.length) return { kind: 'missing', missing };
  const [service, deployment, newVersion, health, namespace] = INPUTS.map((i) => value(i)!);
  const invalid = (message: string): Resolved<RunInputs> => ({ kind: 'invalid', message });

  if (!DNS_LABEL.test(service)) return invalid(`SERVICE_NAME "${service}" is not a valid Service name`);
  if (!DNS_SUBDOMAIN.test(namespace) || namespace.length > 63) return invalid(`NAMESPACE "${namespace}" is not a valid namespace name`);
  if (newVersion.length > 63 || !LABEL_VALUE.test(newVersion)) return invalid(`NEW_VERSION "${newVersion}" is not a valid label value (63 characters at most: letters, digits, "-", "_", ".", starting and ending with a letter or digit)`);
  const colour = `${deployment}-${newVersion}`;
  if (colour.length > 253 || !DNS_SUBDOMAIN.test(colour)) return invalid(`"${colour}" (DEPLOYMENT_NAME-NEW_VERSION) is not a valid Deployment name: use lower-case letters, digits, "-" and "."`);
  if (!/^\d+$/.test(health)) return invalid(`HEALTH_SECONDS must be a whole number of seconds, not "${health}"`);

  const timeoutMs = parseDuration(flags.timeout ?? DEFAULT_TIMEOUT);
  if (timeoutMs === undefined || timeoutMs <= 0) return invalid(`--timeout must be a positive duration such as 90s or 5m, not "${flags.timeout}"`);
  const maxRestarts = flags.maxRestarts === undefined ? DEFAULT_MAX_RESTARTS : /^\d+$/.test(flags.maxRestarts) ? Number(flags.maxRestarts) : undefined;
  if (maxRestarts === undefined) return invalid(`--max-restarts must be a whole number, not "${flags.maxRestarts}"`);

  const images: Record<string, string> = {};
  for (const spec of flags.image ?? []) {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) return invalid(`--image must be CONTAINER=IMAGE, not "${spec}"`);
    images[spec.slice(0, eq)] = spec.slice(eq + 1);
  }

  let traffic: string | undefined;
  if (nonEmpty(flags.traffic) !== undefined) {
    traffic = parseTrafficTarget(flags.traffic!);
    if (traffic === undefined) return invalid(`--traffic must be ingressroute/<name>, not "${flags.traffic}"`);
  } else if (flags.steps !== undefined || flags.stepInterval !== undefined) {
    return invalid('--steps and --step-interval need --traffic ingressroute/<name>');
  }
  const steps = flags.steps === undefined ? [100] : parseSteps(flags.steps);
  if (steps === undefined) return invalid(`--steps must be increasing percentages such as 10,50,100, not "${flags.steps}"`);
  const stepIntervalMs = parseDuration(flags.stepInterval ?? DEFAULT_STEP_INTERVAL);
  if (stepIntervalMs === undefined) return invalid(`--step-interval must be a duration such as 30s, not "${flags.stepInterval}"`);

  // With --traffic the IngressRoute sends the new colour's share to the preview Service.
  const previewService = nonEmpty(flags.previewService) ?? (traffic !== undefined ? `${service}-preview` : undefined);
  if (previewService !== undefined && !DNS_LABEL.test(previewService)) return invalid(`--preview-service "${previewService}" is not a valid Service name`);
  if (previewService === service) return invalid('--preview-service must name another Service than SERVICE_NAME');

  let autoPromote = true;
  if (flags.autoPromote !== undefined && flags.autoPromote !== true) {
    if (flags.autoPromote === 'false' || flags.autoPromote === false) autoPromote = false;
    else if (flags.autoPromote !== 'true') return invalid(`--auto-promote must be true or false, not "${flags.autoPromote}"`);
  }

  let scaleDownDelayMs: number | undefined;
  if (flags.scaleDownDelay !== undefined) {
    scaleDownDelayMs = parseDuration(flags.scaleDownDelay);
    if (scaleDownDelayMs === undefined) return invalid(`--scale-down-delay must be a duration such as 30s, not "${flags.scaleDownDelay}"`);
  }

  for (const a of flags.analysis ?? []) {
    if (!validAnalysisTarget(a)) return invalid(`--analysis must be an http(s) URL, /path or :port/path, not "${a}"`);
  }

  return {
    kind: 'ok',
    inputs: {
      service,
      deployment,
      newVersion,
      healthSeconds: Number(health),
      namespace,
      kubeContext: nonEmpty(flags.kubeContext) ?? nonEmpty(env.KUBE_CONTEXT),
      kubeconfig: nonEmpty(flags.kubeconfig),
      timeoutMs,
      maxRestarts,
      images,
      previewService,
      autoPromote,
      scaleDownDelayMs,
      analysis: [...(flags.analysis ?? [])],
      traffic,
      steps,
      stepIntervalMs,
    },
  };
}

/**
 * The step's usage text, for this command: the original's shape (`USAGE`, then one
 * `[ARG] - description` line per input; its `\n` and `\t` were printed literally by `echo`,
 * a bug we do not copy), and which inputs were missing.
 */
export function usageText(missing: readonly string[]): string {
  const lines = [
    'USAGE',
    ` flotilla bluegreen ${INPUTS.map((i) => `${i.option} ${i.env}`).join(' ')} [options]`,
    ...INPUTS.map((i) => `\t [${i.env}] - ${i.help}`),
    '\t [KUBE_CONTEXT] - kubeconfig context to use (optional: the current context)',
    `Each input is an environment variable or the flag of the same name (SERVICE_NAME or --service-name). Missing: ${missing.join(', ')}`,
    `Run "flotilla bluegreen --help" for the other options (--timeout ${DEFAULT_TIMEOUT} by default, --preview-service, --auto-promote, --scale-down-delay, --analysis).`,
  ];
  return lines.join('\n') + '\n';
}

/** Inputs of promote, abort and rollback: the Service holding the rollout's record. */
export interface TargetFlags {
  readonly namespace?: string;
  readonly kubeContext?: string;
  readonly kubeconfig?: string;
  readonly timeout?: string;
}

export interface TargetInputs {
  readonly service: string;
  readonly namespace: string;
  readonly kubeContext?: string;
  readonly kubeconfig?: string;
  readonly timeoutMs: number;
}

export function resolveTargetInputs(service: string | undefined, flags: TargetFlags, env: Env): Resolved<TargetInputs> {
  const svc = nonEmpty(service) ?? nonEmpty(env.SERVICE_NAME);
  if (svc === undefined) return { kind: 'missing', missing: ['SERVICE_NAME'] };
  if (!DNS_LABEL.test(svc)) return { kind: 'invalid', message: `SERVICE_NAME "${svc}" is not a valid Service name` };
  const namespace = nonEmpty(flags.namespace) ?? nonEmpty(env.NAMESPACE) ?? 'default';
  const timeoutMs = parseDuration(flags.timeout ?? DEFAULT_TIMEOUT);
  if (timeoutMs === undefined || timeoutMs <= 0) return { kind: 'invalid', message: `--timeout must be a positive duration such as 90s or 5m, not "${flags.timeout}"` };
  return { kind: 'ok', inputs: { service: svc, namespace, kubeContext: nonEmpty(flags.kubeContext) ?? nonEmpty(env.KUBE_CONTEXT), kubeconfig: nonEmpty(flags.kubeconfig), timeoutMs } };
}
