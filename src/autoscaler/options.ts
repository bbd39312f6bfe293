/**
 * cluster-autoscaler's flags: names, defaults (today's, where they changed since 2018) and the
 * validation errors upstream prints, parsed into one plain options object. Durations are
 * milliseconds; `--memory-total` stays in GiB as on the command line.
 */
import { formatGoDuration, parseGoDuration } from './go-format.js';

export interface MinMax {
  readonly min: number;
  readonly max: number;
}

/** `--nodes=<min>:<max>:<name>`. */
export interface NodeGroupSpec {
  readonly minSize: number;
  readonly maxSize: number;
  readonly name: string;
}

/** `--node-group-auto-discovery=label:<k>=<v>[,…][,min=<N>,max=<M>]`. */
export interface AutoDiscoverySpec {
  readonly selector: Readonly<Record<string, string>>;
  readonly minSize?: number;
  readonly maxSize?: number;
}

export type ExpanderName = 'random' | 'most-pods' | 'least-waste' | 'least-nodes' | 'price' | 'priority';
export const EXPANDERS: readonly ExpanderName[] = ['random', 'most-pods', 'least-waste', 'least-nodes', 'price', 'priority'];

export interface AutoscalerOptions {
  readonly scanInterval: number;
  readonly maxNodesTotal: number;
  readonly coresTotal: MinMax;
  /** GiB. */
  readonly memoryTotal: MinMax;
  readonly maxNodeProvisionTime: number;
  readonly scaleDownEnabled: boolean;
  readonly scaleDownDelayAfterAdd: number;
  readonly scaleDownDelayAfterDelete: number;
  readonly scaleDownDelayAfterFailure: number;
  readonly scaleDownUnneededTime: number;
  readonly scaleDownUnreadyTime: number;
  readonly scaleDownUtilizationThreshold: number;
  readonly scaleDownNonEmptyCandidatesCount: number;
  readonly scaleDownCandidatesPoolRatio: number;
  readonly scaleDownCandidatesPoolMinCount: number;
  readonly scaleDownSimulationTimeout: number;
  readonly unremovableNodeRecheckTimeout: number;
  readonly maxEmptyBulkDelete: number;
  /** Soft taints (DeletionCandidateOfClusterAutoscaler) set or removed per iteration; 0 disables them. */
  readonly maxBulkSoftTaintCount: number;
  readonly maxBulkSoftTaintTime: number;
  readonly maxScaleDownParallelism: number;
  readonly maxDrainParallelism: number;
  readonly maxGracefulTerminationSec: number;
  readonly maxPodEvictionTime: number;
  readonly okTotalUnreadyCount: number;
  readonly maxTotalUnreadyPercentage: number;
  /** The chain, in order (`--expander=priority,least-waste`). */
  readonly expander: readonly ExpanderName[];
  readonly balanceSimilarNodeGroups: boolean;
  readonly balancingIgnoreLabel: readonly string[];
  readonly expendablePodsPriorityCutoff: number;
  readonly newPodScaleUpDelay: number;
  readonly maxNodesPerScaleup: number;
  readonly maxNodegroupBinpackingDuration: number;
  readonly skipNodesWithSystemPods: boolean;
  readonly skipNodesWithLocalStorage: boolean;
  readonly skipNodesWithCustomControllerPods: boolean;
  readonly ignoreDaemonsetsUtilization: boolean;
  readonly ignoreMirrorPodsUtilization: boolean;
  readonly enforceNodeGroupMinSize: boolean;
  readonly forceDeleteUnregisteredNodes: boolean;
  readonly initialNodeGroupBackoffDuration: number;
  readonly maxNodeGroupBackoffDuration: number;
  readonly nodeGroupBackoffResetTimeout: number;
  readonly writeStatusConfigmap: boolean;
  readonly statusConfigMapName: string;
  readonly statusConfigMapFormat: 'text' | 'yaml';
  readonly namespace: string;
  readonly maxInactivity: number;
  readonly maxFailingTime: number;
  readonly leaderElect: boolean;
  readonly nodes: readonly NodeGroupSpec[];
  readonly nodeGroupAutoDiscovery: readonly AutoDiscoverySpec[];
}

export const DEFAULT_OPTIONS: AutoscalerOptions = Object.freeze({
  scanInterval: 10_000,
  maxNodesTotal: 0,
  coresTotal: { min: 0, max: 320_000 },
  memoryTotal: { min: 0, max: 6_400_000 },
  maxNodeProvisionTime: 15 * 60_000,
  scaleDownEnabled: true,
  scaleDownDelayAfterAdd: 10 * 60_000,
  scaleDownDelayAfterDelete: 0,
  scaleDownDelayAfterFailure: 3 * 60_000,
  scaleDownUnneededTime: 10 * 60_000,
  scaleDownUnreadyTime: 20 * 60_000,
  scaleDownUtilizationThreshold: 0.5,
  scaleDownNonEmptyCandidatesCount: 30,
  scaleDownCandidatesPoolRatio: 0.1,
  scaleDownCandidatesPoolMinCount: 50,
  scaleDownSimulationTimeout: 30_000,
  unremovableNodeRecheckTimeout: 5 * 60_000,
  maxEmptyBulkDelete: 10,
  maxBulkSoftTaintCount: 10,
  maxBulkSoftTaintTime: 3_000,
  maxScaleDownParallelism: 10,
  maxDrainParallelism: 1,
  maxGracefulTerminationSec: 600,
  maxPodEvictionTime: 2 * 60_000,
  okTotalUnreadyCount: 3,
  maxTotalUnreadyPercentage: 45,
  expander: ['least-waste'],
  balanceSimilarNodeGroups: false,
  balancingIgnoreLabel: [],
  expendablePodsPriorityCutoff: -10,
  newPodScaleUpDelay: 0,
  maxNodesPerScaleup: 1000,
  maxNodegroupBinpackingDuration: 10_000,
  skipNodesWithSystemPods: true,
  skipNodesWithLocalStorage: true,
  skipNodesWithCustomControllerPods: true,
  ignoreDaemonsetsUtilization: false,
  ignoreMirrorPodsUtilization: false,
  enforceNodeGroupMinSize: false,
  forceDeleteUnregisteredNodes: false,
  initialNodeGroupBackoffDuration: 5 * 60_000,
  maxNodeGroupBackoffDuration: 30 * 60_000,
  nodeGroupBackoffResetTimeout: 3 * 3_600_000,
  writeStatusConfigmap: true,
  statusConfigMapName: 'cluster-autoscaler-status',
  statusConfigMapFormat: 'text',
  namespace: 'kube-system',
  maxInactivity: 10 * 60_000,
  maxFailingTime: 15 * 60_000,
  leaderElect: true,
  nodes: [],
  nodeGroupAutoDiscovery: [],
} satisfies AutoscalerOptions);

/** A bad flag: names the flag and carries upstream's message. */
export class OptionsError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`invalid value for --${flag}: ${message}`);
    this.name = 'OptionsError';
  }
  /** Upstream's message without the flag prefix. */
  get reason(): string {
    return this.message.slice(`invalid value for --${this.flag}: `.length);
  }
}

type Kind = 'duration' | 'int' | 'float' | 'bool' | 'string' | 'minmax' | 'list' | 'nodes' | 'discovery' | 'expander' | 'format';

/** Flag name → option key and kind. */
const FLAGS: Readonly<Record<string, { key: keyof AutoscalerOptions; kind: Kind }>> = {
  'scan-interval': { key: 'scanInterval', kind: 'duration' },
  'max-nodes-total': { key: 'maxNodesTotal', kind: 'int' },
  'cores-total': { key: 'coresTotal', kind: 'minmax' },
  'memory-total': { key: 'memoryTotal', kind: 'minmax' },
  'max-node-provision-time': { key: 'maxNodeProvisionTime', kind: 'duration' },
  'scale-down-enabled': { key: 'scaleDownEnabled', kind: 'bool' },
  'scale-down-delay-after-add': { key: 'scaleDownDelayAfterAdd', kind: 'duration' },
  'scale-down-delay-after-delete': { key: 'scaleDownDelayAfterDelete', kind: 'duration' },
  'scale-down-delay-after-failure': { key: 'scaleDownDelayAfterFailure', kind: 'duration' },
  'scale-down-unneeded-time': { key: 'scaleDownUnneededTime', kind: 'duration' },
  'scale-down-unready-time': { key: 'scaleDownUnreadyTime', kind: 'duration' },
  'scale-down-utilization-threshold': { key: 'scaleDownUtilizationThreshold', kind: 'float' },
  'scale-down-non-empty-candidates-count': { key: 'scaleDownNonEmptyCandidatesCount', kind: 'int' },
  'scale-down-candidates-pool-ratio': { key: 'scaleDownCandidatesPoolRatio', kind: 'float' },
  'scale-down-candidates-pool-min-count': { key: 'scaleDownCandidatesPoolMinCount', kind: 'int' },
  'scale-down-simulation-timeout': { key: 'scaleDownSimulationTimeout', kind: 'duration' },
  'unremovable-node-recheck-timeout': { key: 'unremovableNodeRecheckTimeout', kind: 'duration' },
  'max-empty-bulk-delete': { key: 'maxEmptyBulkDelete', kind: 'int' },
  'max-bulk-soft-taint-count': { key: 'maxBulkSoftTaintCount', kind: 'int' },
  'max-bulk-soft-taint-time': { key: 'maxBulkSoftTaintTime', kind: 'duration' },
  'max-scale-down-parallelism': { key: 'maxScaleDownParallelism', kind: 'int' },
  'max-drain-parallelism': { key: 'maxDrainParallelism', kind: 'int' },
  'max-graceful-termination-sec': { key: 'maxGracefulTerminationSec', kind: 'int' },
  'max-pod-eviction-time': { key: 'maxPodEvictionTime', kind: 'duration' },
  'ok-total-unready-count': { key: 'okTotalUnreadyCount', kind: 'int' },
  'max-total-unready-percentage': { key: 'maxTotalUnreadyPercentage', kind: 'float' },
  expander: { key: 'expander', kind: 'expander' },
  'balance-similar-node-groups': { key: 'balanceSimilarNodeGroups', kind: 'bool' },
  'balancing-ignore-label': { key: 'balancingIgnoreLabel', kind: 'list' },
  'expendable-pods-priority-cutoff': { key: 'expendablePodsPriorityCutoff', kind: 'int' },
  'new-pod-scale-up-delay': { key: 'newPodScaleUpDelay', kind: 'duration' },
  'max-nodes-per-scaleup': { key: 'maxNodesPerScaleup', kind: 'int' },
  'max-nodegroup-binpacking-duration': { key: 'maxNodegroupBinpackingDuration', kind: 'duration' },
  'skip-nodes-with-system-pods': { key: 'skipNodesWithSystemPods', kind: 'bool' },
  'skip-nodes-with-local-storage': { key: 'skipNodesWithLocalStorage', kind: 'bool' },
  'skip-nodes-with-custom-controller-pods': { key: 'skipNodesWithCustomControllerPods', kind: 'bool' },
  'ignore-daemonsets-utilization': { key: 'ignoreDaemonsetsUtilization', kind: 'bool' },
  'ignore-mirror-pods-utilization': { key: 'ignoreMirrorPodsUtilization', kind: 'bool' },
  'enforce-node-group-min-size': { key: 'enforceNodeGroupMinSize', kind: 'bool' },
  'force-delete-unregistered-nodes': { key: 'forceDeleteUnregisteredNodes', kind: 'bool' },
  'initial-node-group-backoff-duration': { key: 'initialNodeGroupBackoffDuration', kind: 'duration' },
  'max-node-group-backoff-duration': { key: 'maxNodeGroupBackoffDuration', kind: 'duration' },
  'node-group-backoff-reset-timeout': { key: 'nodeGroupBackoffResetTimeout', kind: 'duration' },
  'write-status-configmap': { key: 'writeStatusConfigmap', kind: 'bool' },
  'status-config-map-name': { key: 'statusConfigMapName', kind: 'string' },
  'status-config-map-format': { key: 'statusConfigMapFormat', kind: 'format' },
  namespace: { key: 'namespace', kind: 'string' },
  'max-inactivity': { key: 'maxInactivity', kind: 'duration' },
  'max-failing-time': { key: 'maxFailingTime', kind: 'duration' },
  'leader-elect': { key: 'leaderElect', kind: 'bool' },
  nodes: { key: 'nodes', kind: 'nodes' },
  'node-group-auto-discovery': { key: 'nodeGroupAutoDiscovery', kind: 'discovery' },
};

/** The flag names this parser knows, sorted. */
export const FLAG_NAMES: readonly string[] = Object.keys(FLAGS).sort();

const INT = /^[+-]?\d+$/;

/** Go's `strconv.Atoi`-style failure text. */
function parseIntError(fn: string, v: string): string {
  return `strconv.${fn}: parsing ${JSON.stringify(v)}: invalid syntax`;
}

/**
 * `--nodes=<min>:<max>:<name>` as `dynamic.SpecFromString` reads it, with scale-to-zero allowed
 * (as the Azure provider does).
 */
export function parseNodeGroupSpec(value: string): NodeGroupSpec {
  const tokens = splitN(value, ':', 3);
  if (tokens.length !== 3) throw new OptionsError('nodes', `wrong nodes configuration: ${value}`);
  if (!INT.test(tokens[0])) throw new OptionsError('nodes', `failed to set min size: ${tokens[0]}, expected integer`);
  if (!INT.test(tokens[1])) throw new OptionsError('nodes', `failed to set max size: ${tokens[1]}, expected integer`);
  const minSize = Number(tokens[0]);
  const maxSize = Number(tokens[1]);
  const name = tokens[2];
  if (minSize < 0) throw new OptionsError('nodes', 'invalid node group spec: min size must be >= 0');
  if (maxSize < minSize) throw new OptionsError('nodes', 'invalid node group spec: max size must be greater or equal to min size');
  if (name === '') throw new OptionsError('nodes', 'invalid node group spec: name must not be blank');
  return { minSize, maxSize, name };
}

/** Go's `strings.SplitN`: at most n parts, the last one keeping the separators. */
function splitN(s: string, sep: string, n: number): string[] {
  const parts = s.split(sep);
  if (parts.length <= n) return parts;
  return [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

/** `--cores-total` / `--memory-total` as `parseMinMaxFlag` reads them. */
export function parseMinMax(flag: string, value: string): MinMax {
  const tokens = splitN(value, ':', 2);
  if (tokens.length !== 2) throw new OptionsError(flag, `wrong nodes configuration: ${value}`);
  if (!INT.test(tokens[0])) throw new OptionsError(flag, `failed to set min size: ${tokens[0]}, expected integer, err: ${parseIntError('ParseInt', tokens[0])}`);
  if (!INT.test(tokens[1])) throw new OptionsError(flag, `failed to set max size: ${tokens[1]}, expected integer, err: ${parseIntError('ParseInt', tokens[1])}`);
  const min = Number(tokens[0]);
  const max = Number(tokens[1]);
  // Upstream's message has the two spaces.
  if (min < 0) throw new OptionsError(flag, 'min size must be greater or equal to  0');
  if (max < min) throw new OptionsError(flag, 'max size must be greater or equal to min size');
  return { min, max };
}

/** `--node-group-auto-discovery=label:k=v,…,min=N,max=M` as the Azure provider reads it. */
export function parseAutoDiscoverySpec(value: string): AutoDiscoverySpec {
  const flag = 'node-group-auto-discovery';
  const tokens = value.split(':');
  if (tokens.length !== 2) throw new OptionsError(flag, `spec "${value}" should be discoverer:key=value,key=value`);
  if (tokens[0] !== 'label') throw new OptionsError(flag, `unsupported discoverer specified: ${tokens[0]}`);
  const selector: Record<string, string> = {};
  let minSize: number | undefined;
  let maxSize: number | undefined;
  for (const arg of tokens[1].split(',')) {
    const kv = arg.split('=');
    // Go prints the []string as `[a b c]`.
    if (kv.length !== 2) throw new OptionsError(flag, `invalid key=value pair [${kv.join(' ')}]`);
    const [k, v] = kv;
    if (k === '' || v === '') throw new OptionsError(flag, 'empty value not allowed in key=value tag pairs');
    if (k === 'min') {
      if (!INT.test(v) || Number(v) < 0) throw new OptionsError(flag, `invalid minimum nodes: ${v}`);
      minSize = Number(v);
    } else if (k === 'max') {
      if (!INT.test(v) || Number(v) < 0) throw new OptionsError(flag, `invalid maximum nodes: ${v}`);
      maxSize = Number(v);
    } else {
      selector[k] = v;
    }
  }
  if (minSize !== undefined && maxSize !== undefined && maxSize < minSize) {
    throw new OptionsError(flag, `maximum size ${maxSize} must be greater than or equal to minimum size ${minSize}`);
  }
  return { selector, ...(minSize !== undefined ? { minSize } : {}), ...(maxSize !== undefined ? { maxSize } : {}) };
}

/** `--expander=a,b`: each a known expander, none twice (upstream's messages). */
export function parseExpanders(value: string): ExpanderName[] {
  const out: ExpanderName[] = [];
  for (const name of value.split(',')) {
    if (!(EXPANDERS as readonly string[]).includes(name)) throw new OptionsError('expander', `Expander ${name} not supported`);
    if (out.includes(name as ExpanderName)) {
      throw new OptionsError('expander', `Expander ${name} was specified multiple times, each expander must not be specified more than once`);
    }
    out.push(name as ExpanderName);
  }
  return out;
}

function parseBool(flag: string, v: string): boolean {
  // Go's strconv.ParseBool.
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  throw new OptionsError(flag, `strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
}

function convert(flag: string, kind: Kind, v: string): unknown {
  switch (kind) {
    case 'duration':
      try {
        return parseGoDuration(v);
      } catch (e) {
        throw new OptionsError(flag, (e as Error).message);
      }
    case 'int':
      if (!INT.test(v)) throw new OptionsError(flag, parseIntError('ParseInt', v));
      return Number(v);
    case 'float': {
      const f = Number(v);
      if (v.trim() === '' || Number.isNaN(f)) throw new OptionsError(flag, `strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
      return f;
    }
    case 'bool':
      return parseBool(flag, v);
    case 'string':
      return v;
    case 'minmax':
      return parseMinMax(flag, v);
    case 'expander':
      return parseExpanders(v);
    case 'format':
      if (v !== 'text' && v !== 'yaml') throw new OptionsError(flag, `unknown status config map format ${JSON.stringify(v)} (want text or yaml)`);
      return v;
    case 'list':
    case 'nodes':
    case 'discovery':
      return v; // repeatable; handled by the caller
  }
}

/**
 * Separate cluster-autoscaler's flags from the operands among them (`why <pod> --expander x`):
 * a flag written `--name value` takes the next word unless it is a bool. Unknown flags stay with the
 * flags, for {@link parseOptions} to refuse by name.
 */
export function splitOperands(args: readonly string[]): { flags: string[]; operands: string[] } {
  const flags: string[] = [];
  const operands: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const m = /^--?([a-z0-9-]+)(=.*)?$/s.exec(arg);
    if (!m) {
      operands.push(arg);
      continue;
    }
    flags.push(arg);
    const def = FLAGS[m[1]];
    if (m[2] === undefined && def && def.kind !== 'bool' && i + 1 < args.length) flags.push(args[++i]);
  }
  return { flags, operands };
}

/**
 * Parse command-line flags (`--name=value`, `--name value`, `--bool`, `--bool=false`) over the
 * defaults. `--nodes`, `--node-group-auto-discovery` and `--balancing-ignore-label` repeat.
 * Throws an {@link OptionsError} naming the flag.
 */
export function parseOptions(args: readonly string[]): AutoscalerOptions {
  const out: Record<string, unknown> = { ...DEFAULT_OPTIONS };
  const nodes: NodeGroupSpec[] = [];
  const discovery: AutoDiscoverySpec[] = [];
  const ignore: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const m = /^--?([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) throw new OptionsError(arg, 'not a flag');
    const name = m[1];
    const def = FLAGS[name];
    if (!def) throw new OptionsError(name, 'unknown flag');
    let value = m[2];
    if (value === undefined) {
      if (def.kind === 'bool') value = 'true';
      else {
        if (i + 1 >= args.length) throw new OptionsError(name, 'flag needs an argument');
        value = args[++i];
      }
    }
    if (def.kind === 'nodes') nodes.push(parseNodeGroupSpec(value));
    else if (def.kind === 'discovery') discovery.push(parseAutoDiscoverySpec(value));
    else if (def.kind === 'list') ignore.push(value);
    else out[def.key] = convert(name, def.kind, value);
  }
  if (nodes.length) out.nodes = nodes;
  if (discovery.length) out.nodeGroupAutoDiscovery = discovery;
  if (ignore.length) out.balancingIgnoreLabel = ignore;
  const t = out.scaleDownUtilizationThreshold as number;
  if (t < 0 || t > 1) throw new OptionsError('scale-down-utilization-threshold', `must be between 0 and 1, got ${t}`);
  return out as unknown as AutoscalerOptions;
}

/** A scale set as auto-discovery sees it: its name and its cloud tags. */
export interface TaggedScaleSet {
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface DiscoveredGroups {
  readonly groups: readonly NodeGroupSpec[];
  /** Matching scale sets left out, with why. */
  readonly ignored: ReadonlyArray<{ readonly name: string; readonly reason: string }>;
}

function tagInt(tags: Readonly<Record<string, string>>, key: string): number | undefined {
  const v = tags[key];
  return v !== undefined && INT.test(v.trim()) && Number(v) >= 0 ? Number(v) : undefined;
}

/**
 * Resolve auto-discovery specs against scale sets (azure.md §8.2): a scale set is a candidate of a
 * spec when it carries every `k=v` tag; its bounds are its `min`/`max` tags, else the spec's; across
 * several matching specs the highest min and the lowest max win; no bound from either source → ignored.
 */
export function resolveAutoDiscovery(specs: readonly AutoDiscoverySpec[], scaleSets: readonly TaggedScaleSet[]): DiscoveredGroups {
  const groups: NodeGroupSpec[] = [];
  const ignored: Array<{ name: string; reason: string }> = [];
  for (const ss of scaleSets) {
    const matching = specs.filter((s) => Object.keys(s.selector).length > 0 && Object.entries(s.selector).every(([k, v]) => ss.tags[k] === v));
    if (matching.length === 0) continue;
    let min: number | undefined;
    let max: number | undefined;
    for (const spec of matching) {
      const lo = tagInt(ss.tags, 'min') ?? spec.minSize;
      const hi = tagInt(ss.tags, 'max') ?? spec.maxSize;
      if (lo !== undefined && (min === undefined || lo > min)) min = lo;
      if (hi !== undefined && (max === undefined || hi < max)) max = hi;
    }
    if (min === undefined || max === undefined) {
      ignored.push({ name: ss.name, reason: 'no min/max size from its tags or the auto-discovery spec' });
      continue;
    }
    if (max < min) {
      ignored.push({ name: ss.name, reason: `maximum size ${max} must be greater than or equal to minimum size ${min}` });
      continue;
    }
    groups.push({ minSize: min, maxSize: max, name: ss.name });
  }
  return { groups, ignored };
}

/** A flag's default as it would be written on the command line (`10s`, `0:320000`, `true`), for help texts. */
export function flagDefaultText(name: string): string | undefined {
  const def = FLAGS[name];
  if (!def) return undefined;
  const v = DEFAULT_OPTIONS[def.key];
  switch (def.kind) {
    case 'duration':
      return formatGoDuration(v as number);
    case 'minmax':
      return `${(v as MinMax).min}:${(v as MinMax).max}`;
    case 'expander':
      return (v as readonly string[]).join(',');
    case 'list':
    case 'nodes':
    case 'discovery':
      return undefined;
    default:
      return String(v);
  }
}
