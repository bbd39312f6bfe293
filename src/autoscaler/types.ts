/**
 * The plain data the planners read: a snapshot of the cluster (nodes, pods, PDBs), the node groups
 * as the cloud provider reports them, and the clock. Times are epoch milliseconds so that tests and
 * simulations can run on a fake clock.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';

export type { Node, Pod, PodDisruptionBudget };

/** One cloud instance of a node group (`cloudprovider.Instance`). */
export interface Instance {
  /** Equals `node.spec.providerID` of its Node once registered (compared case-insensitively). */
  readonly id: string;
  readonly state?: 'Running' | 'Creating' | 'Deleting';
  /** When the cloud created it, if known; otherwise the registry's first sighting counts. */
  readonly createdAt?: number;
}

/** A template node with the pods every new node of the group starts with (DaemonSet, mirror pods). */
export interface TemplateNodeInfo {
  readonly node: Node;
  readonly pods: readonly Pod[];
}

/** A node group as the cloud provider reports it (`cloudprovider.NodeGroup`). */
export interface NodeGroup {
  readonly id: string;
  readonly minSize: number;
  readonly maxSize: number;
  /** The cloud's target size (e.g. a scale set's `sku.capacity`). */
  readonly targetSize: number;
  readonly instances: readonly Instance[];
  /** `TemplateNodeInfo()`; undefined when the provider cannot build one (`ErrNotImplemented`). */
  readonly template?: TemplateNodeInfo;
}

export interface ClusterSnapshot {
  readonly nodes: readonly Node[];
  /** All pods: scheduled ones (with `spec.nodeName`) and pending ones. */
  readonly pods: readonly Pod[];
  readonly pdbs: readonly PodDisruptionBudget[];
  /** In cloud-provider order (the status ConfigMap lists them in this order). */
  readonly nodeGroups: readonly NodeGroup[];
  readonly now: number;
}

/** An Event the shell records: on the status ConfigMap, a Pod or a Node. */
export interface PlannedEvent {
  readonly object: { readonly kind: 'ConfigMap' | 'Pod' | 'Node'; readonly namespace?: string; readonly name: string };
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** The involved object of "log recorder" events: `kube-system/cluster-autoscaler-status` by default. */
export interface StatusConfigMapRef {
  readonly namespace: string;
  readonly name: string;
}
