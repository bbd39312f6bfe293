/**
 * The ScaleSet CustomResourceDefinition as a plain object, and {@link ensureScaleSetCRD}, which
 * creates or updates it through the API and waits until the server serves it (Established).
 */
import { ensureCRD, type Client } from '../../runtime/index.js';
import { SCALE_SET_DEFAULTS, SCALE_SET_GROUP, SCALE_SET_VERSION, scaleSetKind } from './scale-set.js';

const str = (description: string, extra: Record<string, unknown> = {}) => ({ type: 'string', description, ...extra });
const intOrString = (description: string) => ({ 'x-kubernetes-int-or-string': true, description, anyOf: [{ type: 'integer' }, { type: 'string' }] });
const stringMap = (description: string) => ({ type: 'object', description, additionalProperties: { type: 'string' } });

const instanceSchema = {
  type: 'object',
  required: ['instanceId', 'name', 'computerName', 'nodeName', 'providerID', 'provisioningState', 'faultDomain', 'vmId', 'timeCreated'],
  properties: {
    instanceId: str('Decimal instance id, never reused within the scale set.'),
    name: str('The VM resource name, <scale set>_<instanceId>.'),
    computerName: str('The computer-name prefix and the id in six base-36 characters.'),
    nodeName: str('The Kubernetes node name: the computer name lowercased.'),
    providerID: str('azure:///subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachineScaleSets/<name>/virtualMachines/<id>'),
    provisioningState: str('Creating, Succeeded, Deleting or Failed.', { enum: ['Creating', 'Succeeded', 'Deleting', 'Failed'] }),
    zone: str('The availability zone; absent in a regional scale set.'),
    faultDomain: { type: 'integer', description: 'The platform fault domain.' },
    vmId: str('The VM GUID.'),
    timeCreated: str('When the instance was recorded (RFC 3339).', { format: 'date-time' }),
    message: str('Why provisioning failed.'),
  },
};

const specSchema = {
  type: 'object',
  required: ['capacity', 'sku'],
  properties: {
    capacity: { type: 'integer', minimum: 0, description: 'The number of instances wanted (sku.capacity).' },
    sku: {
      type: 'object',
      required: ['name', 'cpu', 'memory'],
      description: 'The VM size and what one instance offers.',
      properties: {
        name: str('The VM size, e.g. Standard_D2s_v3 (the node.kubernetes.io/instance-type label).', { minLength: 1 }),
        cpu: intOrString('CPU per instance, a quantity.'),
        memory: intOrString('Memory per instance, a quantity.'),
        pods: { type: 'integer', minimum: 1, default: SCALE_SET_DEFAULTS.pods, description: 'Pods per instance (maxPods).' },
      },
    },
    location: str('The Azure region (the nodes\' region label).', { default: SCALE_SET_DEFAULTS.location, minLength: 1 }),
    resourceGroup: str('The resource group (lowercased in providerIDs).', { default: SCALE_SET_DEFAULTS.resourceGroup, minLength: 1 }),
    subscriptionId: str('The subscription in providerIDs.', { default: SCALE_SET_DEFAULTS.subscriptionId, minLength: 1 }),
    zones: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'Availability zones; new instances go to the one with the fewest.' },
    platformFaultDomainCount: { type: 'integer', minimum: 1, default: SCALE_SET_DEFAULTS.platformFaultDomainCount, description: 'Fault domains of a regional scale set.' },
    computerNamePrefix: str('Computer names are this and six base-36 characters (default: the scale set name).', { maxLength: 247 }),
    nodeLabels: stringMap('Labels added to every instance\'s node.'),
    nodeTaints: {
      type: 'array',
      description: 'Taints every instance\'s node registers with.',
      items: {
        type: 'object',
        required: ['key', 'effect'],
        properties: { key: { type: 'string', minLength: 1 }, value: { type: 'string' }, effect: { type: 'string', enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] } },
      },
    },
    roles: { type: 'array', items: { type: 'string' }, description: 'node-role.kubernetes.io/<role> labels (default ["agent"]).' },
    runtime: str('How the node agent runs pods: simulated or process.', { enum: ['process', 'simulated'], default: SCALE_SET_DEFAULTS.runtime }),
    provisioningDelaySeconds: { type: 'integer', minimum: 0, default: SCALE_SET_DEFAULTS.provisioningDelaySeconds, description: 'Seconds an instance stays Creating before its node starts.' },
    tags: stringMap('Azure tags (the autoscaler discovers scale sets and min/max by them).'),
    instancesToDelete: {
      type: 'array',
      items: { type: 'string', pattern: '^[0-9]+$' },
      description: 'Instance ids to delete first (DeleteInstances); lower capacity in the same write.',
    },
  },
};

const statusSchema = {
  type: 'object',
  properties: {
    capacity: { type: 'integer', description: 'Instances that exist and are not being deleted.' },
    readyInstances: { type: 'integer', description: 'Succeeded instances whose Node is Ready.' },
    nextInstanceId: { type: 'integer', description: 'The id the next instance gets.' },
    observedGeneration: { type: 'integer', format: 'int64' },
    instances: { type: 'array', items: instanceSchema },
    conditions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['type', 'status'],
        properties: {
          type: { type: 'string' },
          status: { type: 'string' },
          reason: { type: 'string' },
          message: { type: 'string' },
          lastTransitionTime: { type: 'string', format: 'date-time' },
          observedGeneration: { type: 'integer', format: 'int64' },
        },
      },
    },
  },
};

/** The CustomResourceDefinition of ScaleSet (`scalesets.flotilla.dev`). */
export const SCALE_SET_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${scaleSetKind.plural}.${SCALE_SET_GROUP}` },
  spec: {
    group: SCALE_SET_GROUP,
    scope: 'Cluster',
    names: { plural: scaleSetKind.plural, singular: 'scaleset', kind: scaleSetKind.kind, listKind: 'ScaleSetList', shortNames: ['vmss'] },
    versions: [
      {
        name: SCALE_SET_VERSION,
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description: 'A simulated Azure virtual machine scale set whose instances are Kubernetes nodes.',
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: specSchema,
              status: statusSchema,
            },
          },
        },
        subresources: {
          status: {},
          scale: { specReplicasPath: '.spec.capacity', statusReplicasPath: '.status.capacity' },
        },
        additionalPrinterColumns: [
          { name: 'Capacity', type: 'integer', description: 'Instances wanted', jsonPath: '.spec.capacity' },
          { name: 'Ready', type: 'integer', description: 'Instances with a Ready node', jsonPath: '.status.readyInstances' },
          { name: 'SKU', type: 'string', description: 'VM size', jsonPath: '.spec.sku.name' },
          { name: 'Location', type: 'string', description: 'Azure region', jsonPath: '.spec.location' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
      },
    ],
  },
} as const;

/**
 * Create or update the ScaleSet CRD and wait until it is Established (default 30 s). Throws when
 * the names are not accepted (another CRD holds them) or the deadline passes.
 */
export async function ensureScaleSetCRD(client: Pick<Client, 'get' | 'create' | 'update'>, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<void> {
  await ensureCRD(client, SCALE_SET_CRD, opts);
}
