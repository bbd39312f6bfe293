/**
 * What the node agent needs to run one instance as a Node: name, providerID, capacity from the
 * SKU, and the labels a cloud provider and aks-engine put on an Azure node (agent pool, instance
 * type, region and zone in both the current and the 2018 label keys), then the spec's own.
 */
import type { Taint } from 'kubernetes-types/core/v1.js';
import type { SimulatedNodeSpec } from '../node/index.js';
import { agentPoolOf } from './names.js';
import { failureDomain } from './placement.js';
import type { NodeRuntime, ResolvedSpec, ScaleSetInstance } from './scale-set.js';

export interface InstanceNode {
  readonly nodeName: string;
  readonly providerID: string;
  readonly scaleSet: string;
  readonly instanceId: string;
  /** The failure domain: `<location>-<zone>`, or the fault-domain number for a regional scale set. */
  readonly zone: string;
  readonly region: string;
  readonly cpu: string | number;
  readonly memory: string | number;
  readonly pods: number;
  readonly labels: Record<string, string>;
  readonly taints: Taint[];
  readonly roles: string[];
  readonly runtime: NodeRuntime;
}

/** Runs the nodes of instances: the cloud controller's only way to make a VM "boot" or "power off". */
export interface NodeHost {
  /** Start (or keep running) the node of `node`; idempotent, so it is called again after a restart. */
  ensure(node: InstanceNode): Promise<void>;
  /** Stop the node named `nodeName` if it runs; idempotent. The controller deletes the Node object itself. */
  remove(nodeName: string): Promise<void>;
}

export const AGENT_POOL_LABEL = 'agentpool';
export const AKS_AGENT_POOL_LABEL = 'kubernetes.azure.com/agentpool';

export function instanceNode(spec: ResolvedSpec, i: ScaleSetInstance): InstanceNode {
  const zone = failureDomain(spec.location, i);
  const pool = agentPoolOf(spec.name);
  const labels: Record<string, string> = {
    [AGENT_POOL_LABEL]: pool,
    [AKS_AGENT_POOL_LABEL]: pool,
    'node.kubernetes.io/instance-type': spec.sku.name,
    'beta.kubernetes.io/instance-type': spec.sku.name,
    'topology.kubernetes.io/region': spec.location,
    'topology.kubernetes.io/zone': zone,
    'failure-domain.beta.kubernetes.io/region': spec.location,
    'failure-domain.beta.kubernetes.io/zone': zone,
    ...spec.nodeLabels,
  };
  return {
    nodeName: i.nodeName,
    providerID: i.providerID,
    scaleSet: spec.name,
    instanceId: i.instanceId,
    zone,
    region: spec.location,
    cpu: spec.sku.cpu,
    memory: spec.sku.memory,
    pods: spec.sku.pods,
    labels,
    taints: spec.nodeTaints.map((t) => ({ ...t })),
    roles: [...spec.roles],
    runtime: spec.runtime,
  };
}

/** The node agent's spec for an instance (`startSimulatedNodes`). */
export function toSimulatedNodeSpec(n: InstanceNode): SimulatedNodeSpec {
  return { name: n.nodeName, cpu: n.cpu, memory: n.memory, pods: n.pods, labels: n.labels, taints: n.taints, roles: n.roles, providerID: n.providerID };
}
