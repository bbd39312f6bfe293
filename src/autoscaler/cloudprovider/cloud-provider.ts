/**
 * cluster-autoscaler's `CloudProvider` / `NodeGroup` contract (spec §9), as small TypeScript
 * interfaces, with upstream's error texts. The loop only ever sees these: the `scaleset` provider
 * implements them over Flotilla's ScaleSets, and an Azure VMSS provider (a later issue) will
 * implement them over ARM. Reads are synchronous over what the last `refresh()` loaded; writes are
 * async and keep the provider's cache in step with what they wrote.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import type { Instance, NodeGroup as NodeGroupSnapshot, TemplateNodeInfo } from '../types.js';

/** Upstream's `cloudprovider.ErrNotImplemented`. */
export class NotImplementedError extends Error {
  constructor() {
    super('Not implemented');
    this.name = 'NotImplementedError';
  }
}

/** A contract violation or cloud failure, with upstream's message (e.g. `size increase must be positive`). */
export class CloudProviderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CloudProviderError';
  }
}

export interface NodeGroup {
  /** Unique within the provider: the scale set name. */
  id(): string;
  minSize(): number;
  maxSize(): number;
  /** The cloud's target size (a scale set's capacity), cached as the provider documents. */
  targetSize(): number;
  /** Raise the target by `delta` (> 0, and at most to `maxSize()`). */
  increaseSize(delta: number): Promise<void>;
  /** Delete these nodes' instances (matched by `spec.providerID`); the target drops by their number. */
  deleteNodes(nodes: readonly Node[]): Promise<void>;
  /** Lower the target by `-delta` (< 0) without touching instances that exist. */
  decreaseTargetSize(delta: number): Promise<void>;
  /** The group's instances; ids equal the nodes' `spec.providerID` (compare case-insensitively). */
  nodes(): readonly Instance[];
  /** A node as a new instance of the group would register, with its default pods; throws {@link NotImplementedError} if unsupported. */
  templateNodeInfo(): TemplateNodeInfo;
  /** Whether the group still exists in the cloud. */
  exist(): boolean;
  /** `<id> target:%d min:%d max:%d`, as upstream's test provider prints it. */
  debug(): string;
}

export interface CloudProvider {
  name(): string;
  /** In the provider's order (the status ConfigMap lists them so). */
  nodeGroups(): readonly NodeGroup[];
  /** The group of `node`, or undefined for a node that is not autoscaled (not an error). */
  nodeGroupForNode(node: Node): NodeGroup | undefined;
  /** Called first in every iteration: reload groups, sizes and instances. */
  refresh(): Promise<void>;
  cleanup(): Promise<void>;
}

/** The plain data the pure core reads, from a provider's groups (templates left out where unsupported). */
export function snapshotNodeGroups(provider: Pick<CloudProvider, 'nodeGroups'>): NodeGroupSnapshot[] {
  return provider.nodeGroups().map((g) => {
    let template: TemplateNodeInfo | undefined;
    try {
      template = g.templateNodeInfo();
    } catch (e) {
      if (!(e instanceof NotImplementedError)) throw e;
    }
    return { id: g.id(), minSize: g.minSize(), maxSize: g.maxSize(), targetSize: g.targetSize(), instances: g.nodes(), ...(template ? { template } : {}) };
  });
}
