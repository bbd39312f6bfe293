/**
 * The ScaleSet custom resource (`flotilla.dev/v1alpha1`, cluster-scoped, short name `vmss`): a
 * simulated Azure virtual machine scale set whose instances are Kubernetes nodes. Its spec is
 * shaped like a VMSS (sku and capacity, location, zones, tags, computer-name prefix); its status
 * lists the instances with Azure's names, providerIDs and provisioning states.
 *
 * Defaults live here, in {@link SCALE_SET_DEFAULTS} and {@link resolveSpec}; the CRD schema
 * repeats the static ones so `kubectl get -o yaml` shows them.
 */
import type { Taint } from 'kubernetes-types/core/v1.js';
import type { ResourceType } from '../../runtime/index.js';
import { MAX_INSTANCE_ID } from './names.js';

export const SCALE_SET_GROUP = 'flotilla.dev';
export const SCALE_SET_VERSION = 'v1alpha1';

/** The ScaleSet kind for the runtime's client and informers. */
export const scaleSetKind = {
  apiVersion: `${SCALE_SET_GROUP}/${SCALE_SET_VERSION}`,
  kind: 'ScaleSet',
  plural: 'scalesets',
  namespaced: false,
} as const satisfies ResourceType;

/** Azure's provisioning states, as the instances of a scale set go through them. */
export type ProvisioningState = 'Creating' | 'Succeeded' | 'Deleting' | 'Failed';

export type NodeRuntime = 'process' | 'simulated';

export interface ScaleSetSku {
  /** The VM size, e.g. `Standard_D2s_v3`: the node's `node.kubernetes.io/instance-type`. */
  readonly name: string;
  /** Per instance, a quantity (`2`, `"3500m"`). */
  readonly cpu: string | number;
  /** Per instance, a quantity (`"8Gi"`). */
  readonly memory: string | number;
  /** Pods per instance (kubelet's maxPods; AKS uses 30 with Azure CNI, 110 with kubenet). */
  readonly pods?: number;
}

export interface ScaleSetSpec {
  /** The number of instances wanted (Azure's `sku.capacity`). */
  readonly capacity: number;
  readonly sku: ScaleSetSku;
  /** Azure region; the nodes' region label. Default `local`. */
  readonly location?: string;
  /** Default `flotilla`. Written lowercased into providerIDs. */
  readonly resourceGroup?: string;
  /** Default an all-zero GUID, so providerIDs are well formed. */
  readonly subscriptionId?: string;
  /** Availability zones (`["1","2","3"]`): new instances go to the zone with the fewest. Empty: regional. */
  readonly zones?: readonly string[];
  /** Fault domains of a regional scale set (default 5): instances spread over 0..n-1. */
  readonly platformFaultDomainCount?: number;
  /** Computer names are this + six base-36 characters (default: the scale set's name). */
  readonly computerNamePrefix?: string;
  /** Added to (and overriding) the labels every instance's node gets. */
  readonly nodeLabels?: Readonly<Record<string, string>>;
  /** Registered with every instance's node. */
  readonly nodeTaints?: readonly Taint[];
  /** `node-role.kubernetes.io/<role>` labels (default `["agent"]`, as aks-engine labels its pools). */
  readonly roles?: readonly string[];
  /** How the node agent runs an instance's pods (default `simulated`). */
  readonly runtime?: NodeRuntime;
  /** How long an instance stays Creating before its node is started (default 2). */
  readonly provisioningDelaySeconds?: number;
  /** Azure tags: the autoscaler discovers scale sets and their `min`/`max` by them. */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Instances to delete, as Azure's DeleteInstances: the controller deletes these first. Whoever
   * adds an id also lowers `capacity` by one in the same write (see {@link requestInstanceDeletion}),
   * otherwise a replacement is created. Ids are never reused, so an id that names no instance is
   * ignored and writers may drop it.
   */
  readonly instancesToDelete?: readonly string[];
}

export interface ScaleSetInstance {
  /** Decimal, never reused within the scale set. */
  readonly instanceId: string;
  /** `<scale set>_<instanceId>`, the VM resource name. */
  readonly name: string;
  /** Prefix + six base-36 characters. */
  readonly computerName: string;
  /** The computer name lowercased. */
  readonly nodeName: string;
  readonly providerID: string;
  readonly provisioningState: ProvisioningState;
  /** The availability zone (`"2"`), absent for a regional scale set. */
  readonly zone?: string;
  readonly faultDomain: number;
  readonly vmId: string;
  /** RFC 3339, when the instance was recorded; the provisioning delay counts from here. */
  readonly timeCreated: string;
  /** Why the last provisioning attempt failed (with `Failed`). */
  readonly message?: string;
}

export interface ScaleSetCondition {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
  readonly observedGeneration?: number;
}

export interface ScaleSetStatus {
  /** Instances that exist and are not being deleted (what Azure's capacity shows after a DeleteInstances). */
  readonly capacity: number;
  /** Instances that Succeeded and whose Node is Ready. */
  readonly readyInstances: number;
  /** The id the next instance gets: ids only grow, as Azure's do. */
  readonly nextInstanceId: number;
  readonly instances: readonly ScaleSetInstance[];
  readonly observedGeneration?: number;
  readonly conditions?: readonly ScaleSetCondition[];
}

export interface ScaleSet {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    finalizers?: string[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: ScaleSetSpec;
  status?: ScaleSetStatus;
}

export const SCALE_SET_DEFAULTS = {
  location: 'local',
  resourceGroup: 'flotilla',
  subscriptionId: '00000000-0000-0000-0000-000000000000',
  platformFaultDomainCount: 5,
  pods: 110,
  roles: ['agent'] as readonly string[],
  runtime: 'simulated' as NodeRuntime,
  provisioningDelaySeconds: 2,
};

/** A spec with every default applied. */
export interface ResolvedSpec {
  readonly name: string;
  readonly capacity: number;
  readonly sku: Required<ScaleSetSku>;
  readonly location: string;
  readonly resourceGroup: string;
  readonly subscriptionId: string;
  readonly zones: readonly string[];
  readonly platformFaultDomainCount: number;
  readonly computerNamePrefix: string;
  readonly nodeLabels: Readonly<Record<string, string>>;
  readonly nodeTaints: readonly Taint[];
  readonly roles: readonly string[];
  readonly runtime: NodeRuntime;
  readonly provisioningDelaySeconds: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly instancesToDelete: readonly string[];
}

/** The spec of the scale set `name` with the defaults filled in. */
export function resolveSpec(name: string, spec: ScaleSetSpec): ResolvedSpec {
  const d = SCALE_SET_DEFAULTS;
  return {
    name,
    capacity: spec.capacity,
    sku: { name: spec.sku?.name, cpu: spec.sku?.cpu, memory: spec.sku?.memory, pods: spec.sku?.pods ?? d.pods },
    location: spec.location || d.location,
    resourceGroup: spec.resourceGroup || d.resourceGroup,
    subscriptionId: spec.subscriptionId || d.subscriptionId,
    zones: spec.zones ?? [],
    platformFaultDomainCount: spec.platformFaultDomainCount ?? d.platformFaultDomainCount,
    computerNamePrefix: spec.computerNamePrefix || name,
    nodeLabels: spec.nodeLabels ?? {},
    nodeTaints: spec.nodeTaints ?? [],
    roles: spec.roles ?? d.roles,
    runtime: spec.runtime ?? d.runtime,
    provisioningDelaySeconds: spec.provisioningDelaySeconds ?? d.provisioningDelaySeconds,
    tags: spec.tags ?? {},
    instancesToDelete: spec.instancesToDelete ?? [],
  };
}

/**
 * What is wrong with a resolved spec, as `field: reason` lines (empty when valid). The CRD schema
 * refuses most of this at the API; this catches what a schema cannot say (names that would not
 * make node names) and objects written where the schema is missing or older.
 */
export function validateSpec(s: ResolvedSpec): string[] {
  const errs: string[] = [];
  if (!Number.isInteger(s.capacity) || s.capacity < 0) errs.push('spec.capacity: must be a whole number, 0 or more');
  if (!s.sku.name) errs.push('spec.sku.name: required');
  if (s.sku.cpu === undefined || s.sku.cpu === '') errs.push('spec.sku.cpu: required');
  if (s.sku.memory === undefined || s.sku.memory === '') errs.push('spec.sku.memory: required');
  if (!Number.isInteger(s.sku.pods) || s.sku.pods < 1) errs.push('spec.sku.pods: must be a whole number, 1 or more');
  // Node names are DNS subdomains of at most 253 characters; the six id characters are [0-9a-z].
  const prefix = s.computerNamePrefix.toLowerCase();
  if (!/^[a-z0-9]([-a-z0-9.]*[-a-z0-9])?$/.test(prefix) || prefix.length + 6 > 253) {
    errs.push(`spec.computerNamePrefix: ${JSON.stringify(s.computerNamePrefix)} must be letters, digits, '-' and '.', starting with a letter or digit, so that node names are DNS names`);
  }
  if (!Number.isInteger(s.platformFaultDomainCount) || s.platformFaultDomainCount < 1) errs.push('spec.platformFaultDomainCount: must be a whole number, 1 or more');
  if (new Set(s.zones).size !== s.zones.length) errs.push('spec.zones: must not repeat a zone');
  if (!(s.provisioningDelaySeconds >= 0)) errs.push('spec.provisioningDelaySeconds: must be 0 or more');
  if (s.capacity > MAX_INSTANCE_ID) errs.push(`spec.capacity: at most ${MAX_INSTANCE_ID}`);
  return errs;
}
