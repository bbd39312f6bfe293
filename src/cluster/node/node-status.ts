/**
 * The Node a simulated kubelet registers and the status it reports, as pure functions: labels
 * (kubelet's well-known ones plus the spec's), capacity and allocatable, addresses, nodeInfo and
 * the four conditions (MemoryPressure, DiskPressure, PIDPressure False; Ready True), with
 * `lastTransitionTime` kept while a condition's status holds. {@link nodeStatusNeedsWrite} is
 * kubelet's rule for when to post: at once when something other than the heartbeat changed (for
 * example the node lifecycle controller set Ready=Unknown), else every `nodeStatusReportFrequency`.
 */
import { release } from 'node:os';
import type { Node, NodeCondition, NodeStatus, Taint } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../apimachinery/quantity.js';

export const KUBELET_VERSION = 'v1.32.5';
export const CONTAINER_RUNTIME_VERSION = 'flotilla-sim://1.0';
/** What process nodes report: their container IDs are `flotilla://…`. */
export const PROCESS_RUNTIME_VERSION = 'flotilla://1.0';
/** Marks a Node (annotation) and its Pods' container IDs as simulated by Flotilla. */
export const SIMULATED_ANNOTATION = 'flotilla.dev/simulated';

/** One simulated node, as given to `startSimulatedNodes`. */
export interface SimulatedNodeSpec {
  readonly name: string;
  /** Capacity, a quantity: `4`, `"4"`, `"3500m"`. */
  readonly cpu: string | number;
  /** Capacity, a quantity: `"16Gi"`. */
  readonly memory: string | number;
  /** Pod capacity (kubelet's maxPods; 110 by default there). */
  readonly pods: number;
  /** Default `"100Gi"`. */
  readonly ephemeralStorage?: string;
  /** Added to (and overriding) the well-known labels, e.g. `topology.kubernetes.io/zone`. */
  readonly labels?: Readonly<Record<string, string>>;
  /** Registered with the node (kubelet's `--register-with-taints`). */
  readonly taints?: readonly Taint[];
  /** `node-role.kubernetes.io/<role>` labels (default `["worker"]`; `[]` for none). */
  readonly roles?: readonly string[];
  /** `spec.providerID`, e.g. an `azure:///subscriptions/…` id (docs: shared/spec/azure.md §2). */
  readonly providerID?: string;
}

/** A node the agent runs: simulated (pods go Running with no process, as KWOK) or process (pods run as local processes). */
export interface NodeSpec extends SimulatedNodeSpec {
  /** Default `'simulated'`. */
  readonly runtime?: 'simulated' | 'process';
}

/** Where a node sits on the (simulated) network. */
export interface NodeNetwork {
  readonly internalIP: string;
  /** The node's pod CIDR (`spec.podCIDR`). */
  readonly podCIDR: string;
  /** The kubelet server's port (`status.daemonEndpoints.kubeletEndpoint.Port`; default 10250). */
  readonly kubeletPort?: number;
}

/** Identity the node reports in `status.nodeInfo`. */
export interface NodeIdentity {
  readonly machineID: string;
  readonly systemUUID: string;
  /** New on every agent start, as on a reboot. */
  readonly bootID: string;
}

export const DEFAULT_ZONE = 'local-1';
export const DEFAULT_REGION = 'local';
export const DEFAULT_INSTANCE_TYPE = 'flotilla-sim';

const rfc3339 = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
export { rfc3339 };

/** Throws an Error naming the node and field when the spec cannot describe a node. */
export function validateNodeSpec(spec: SimulatedNodeSpec): void {
  const where = `node ${JSON.stringify(spec.name)}`;
  if (!spec.name || !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(spec.name) || spec.name.length > 253) {
    throw new Error(`${where}: name must be a DNS subdomain (lower case letters, digits, '-' and '.')`);
  }
  for (const [field, value] of [['cpu', spec.cpu], ['memory', spec.memory], ['ephemeralStorage', spec.ephemeralStorage ?? '1']] as const) {
    let q: number;
    try {
      q = parseQuantity(String(value));
    } catch {
      throw new Error(`${where}: ${field} ${JSON.stringify(value)} is not a quantity`);
    }
    if (!(q > 0)) throw new Error(`${where}: ${field} must be positive`);
  }
  if (!Number.isInteger(spec.pods) || spec.pods < 1) throw new Error(`${where}: pods must be a positive integer`);
}

/** The labels kubelet (and a cloud provider) put on a node, then the spec's. */
export function nodeLabels(spec: SimulatedNodeSpec): Record<string, string> {
  const arch = spec.labels?.['kubernetes.io/arch'] ?? 'amd64';
  const roles = spec.roles ?? ['worker'];
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': arch,
    'kubernetes.io/hostname': spec.name,
    'kubernetes.io/os': 'linux',
    'node.kubernetes.io/instance-type': DEFAULT_INSTANCE_TYPE,
    'topology.kubernetes.io/region': DEFAULT_REGION,
    'topology.kubernetes.io/zone': DEFAULT_ZONE,
  };
  for (const r of roles) labels[`node-role.kubernetes.io/${r}`] = '';
  return { ...labels, ...spec.labels };
}

function resources(spec: SimulatedNodeSpec): Record<string, string> {
  return {
    cpu: String(spec.cpu),
    'ephemeral-storage': spec.ephemeralStorage ?? '100Gi',
    memory: String(spec.memory),
    pods: String(spec.pods),
  };
}

const KUBELET_CONDITIONS: readonly { type: string; status: 'True' | 'False'; reason: string; message: string }[] = [
  { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
  { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
  { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
  { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
];

/**
 * The status the kubelet posts at `now`: conditions carry `lastHeartbeatTime = now` and keep the
 * current `lastTransitionTime` when their status is unchanged.
 */
export function nodeStatus(spec: NodeSpec, net: NodeNetwork, id: NodeIdentity, current: NodeStatus | undefined, now: number): NodeStatus {
  const arch = nodeLabels(spec)['kubernetes.io/arch'];
  const res = resources(spec);
  const conditions: NodeCondition[] = KUBELET_CONDITIONS.map((c) => {
    const was = current?.conditions?.find((x) => x.type === c.type);
    return {
      type: c.type,
      status: c.status,
      lastHeartbeatTime: rfc3339(now),
      lastTransitionTime: was?.status === c.status && was.lastTransitionTime ? was.lastTransitionTime : rfc3339(now),
      reason: c.reason,
      message: c.message,
    };
  });
  return {
    capacity: res,
    allocatable: { ...res },
    conditions,
    addresses: [
      { type: 'InternalIP', address: net.internalIP },
      { type: 'Hostname', address: spec.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: net.kubeletPort ?? 10250 } },
    nodeInfo: {
      machineID: id.machineID,
      systemUUID: id.systemUUID,
      bootID: id.bootID,
      kernelVersion: spec.runtime === 'process' ? release() : '6.8.0-flotilla-sim',
      osImage: spec.runtime === 'process' ? 'Flotilla process node' : 'Flotilla simulated node',
      containerRuntimeVersion: spec.runtime === 'process' ? PROCESS_RUNTIME_VERSION : CONTAINER_RUNTIME_VERSION,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: arch,
    },
  };
}

/** The Node object kubelet registers (with its status, as kubelet's initial node does). */
export function nodeObject(spec: NodeSpec, net: NodeNetwork, id: NodeIdentity, now: number): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      labels: nodeLabels(spec),
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        ...(spec.runtime === 'process' ? {} : { [SIMULATED_ANNOTATION]: 'true' }),
      },
    },
    spec: {
      podCIDR: net.podCIDR,
      podCIDRs: [net.podCIDR],
      ...(spec.providerID ? { providerID: spec.providerID } : {}),
      ...(spec.taints?.length ? { taints: spec.taints.map((t) => ({ ...t })) } : {}),
    },
    status: nodeStatus(spec, net, id, undefined, now),
  };
}

const ms = (t: string | undefined): number => (t ? Date.parse(t) : NaN);

/** Status without the heartbeat times, to see whether anything but the heartbeat changed. */
function withoutHeartbeats(s: NodeStatus | undefined): unknown {
  return {
    capacity: s?.capacity,
    allocatable: s?.allocatable,
    addresses: s?.addresses,
    daemonEndpoints: s?.daemonEndpoints,
    nodeInfo: s?.nodeInfo,
    conditions: (s?.conditions ?? [])
      .filter((c) => KUBELET_CONDITIONS.some((k) => k.type === c.type))
      .map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message, lastTransitionTime: c.lastTransitionTime }))
      .sort((a, b) => a.type.localeCompare(b.type)),
  };
}

/**
 * Whether kubelet posts `desired` over `current`: when anything other than the heartbeat times
 * differs, or when Ready's last heartbeat is `reportFrequencyMs` old.
 */
export function nodeStatusNeedsWrite(current: NodeStatus | undefined, desired: NodeStatus, now: number, reportFrequencyMs: number): boolean {
  if (JSON.stringify(withoutHeartbeats(current)) !== JSON.stringify(withoutHeartbeats(desired))) return true;
  const beat = ms(current?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime);
  return !(now - beat < reportFrequencyMs);
}

/** The labels of `spec` that the node lacks or carries with another value (re-registration adds them). */
export function missingLabels(node: Node, spec: SimulatedNodeSpec): Record<string, string> {
  const want = nodeLabels(spec);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(want)) if (node.metadata?.labels?.[k] !== v) out[k] = v;
  return out;
}

/** Status of the Ready condition ('True', 'False', 'Unknown'), or undefined when there is none. */
export function readyStatus(node: Node | undefined): string | undefined {
  return node?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}
