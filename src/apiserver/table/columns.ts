/**
 * Which convertor prints which kind: the registry of kube-apiserver's table printers, keyed by
 * API group and kind, and the generic fallback that kube-apiserver uses for kinds without one.
 */
import {
  apiServices,
  certificateSigningRequests,
  clusterRoleBindings,
  csiDrivers,
  csiNodes,
  leases,
  mutatingWebhookConfigurations,
  podDisruptionBudgets,
  priorityClasses,
  roleBindings,
  runtimeClasses,
  storageClasses,
  validatingWebhookConfigurations,
  volumeAttachments,
} from './cluster.js';
import {
  configMaps,
  endpoints,
  events,
  eventsV1,
  namespaces,
  nodes,
  persistentVolumeClaims,
  persistentVolumes,
  podTemplates,
  replicationControllers,
  resourceQuotas,
  secrets,
  serviceAccounts,
  services,
} from './core.js';
import { parseTimestamp } from './duration.js';
import { AGE_DESCRIPTION, NAME_COLUMN, col, nameOf } from './format.js';
import { endpointSlices, ingressClasses, ingresses, networkPolicies } from './networking.js';
import { pods } from './pods.js';
import type { Convertor } from './types.js';
import {
  controllerRevisions,
  cronJobs,
  daemonSets,
  deployments,
  horizontalPodAutoscalers,
  jobs,
  replicaSets,
  statefulSets,
} from './workloads.js';

/**
 * k8s.io/apiserver's `defaultTableConvertor`, which serves every kind without a printer (Role,
 * ClusterRole, LimitRange, CustomResourceDefinition, …): NAME and CREATED AT, the latter an
 * RFC 3339 UTC timestamp (`kubectl get clusterroles` shows `2024-05-01T10:00:00Z`, not an age).
 */
export const defaultConvertor: Convertor = {
  columns: [
    NAME_COLUMN,
    col('Created At', 'date', AGE_DESCRIPTION),
  ],
  cells(obj) {
    // Go formats the zero time too: metav1.Time{}.UTC().Format(time.RFC3339).
    const ms = parseTimestamp(obj.metadata?.creationTimestamp);
    return [nameOf(obj), ms === undefined ? '0001-01-01T00:00:00Z' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')];
  },
};

const PRINTERS: ReadonlyMap<string, Convertor> = new Map<string, Convertor>([
  ['/Pod', pods],
  ['/PodTemplate', podTemplates],
  ['/Namespace', namespaces],
  ['/Node', nodes],
  ['/Service', services],
  ['/Endpoints', endpoints],
  ['/ConfigMap', configMaps],
  ['/Secret', secrets],
  ['/ServiceAccount', serviceAccounts],
  ['/Event', events],
  ['/PersistentVolume', persistentVolumes],
  ['/PersistentVolumeClaim', persistentVolumeClaims],
  ['/ReplicationController', replicationControllers],
  ['/ResourceQuota', resourceQuotas],
  ['events.k8s.io/Event', eventsV1],
  ['apps/Deployment', deployments],
  ['apps/ReplicaSet', replicaSets],
  ['apps/DaemonSet', daemonSets],
  ['apps/StatefulSet', statefulSets],
  ['apps/ControllerRevision', controllerRevisions],
  ['batch/Job', jobs],
  ['batch/CronJob', cronJobs],
  ['autoscaling/HorizontalPodAutoscaler', horizontalPodAutoscalers],
  ['discovery.k8s.io/EndpointSlice', endpointSlices],
  ['networking.k8s.io/Ingress', ingresses],
  ['networking.k8s.io/IngressClass', ingressClasses],
  ['networking.k8s.io/NetworkPolicy', networkPolicies],
  ['coordination.k8s.io/Lease', leases],
  ['admissionregistration.k8s.io/MutatingWebhookConfiguration', mutatingWebhookConfigurations],
  ['admissionregistration.k8s.io/ValidatingWebhookConfiguration', validatingWebhookConfigurations],
  ['storage.k8s.io/StorageClass', storageClasses],
  ['storage.k8s.io/CSIDriver', csiDrivers],
  ['storage.k8s.io/CSINode', csiNodes],
  ['storage.k8s.io/VolumeAttachment', volumeAttachments],
  ['policy/PodDisruptionBudget', podDisruptionBudgets],
  ['scheduling.k8s.io/PriorityClass', priorityClasses],
  ['node.k8s.io/RuntimeClass', runtimeClasses],
  ['rbac.authorization.k8s.io/RoleBinding', roleBindings],
  ['rbac.authorization.k8s.io/ClusterRoleBinding', clusterRoleBindings],
  ['certificates.k8s.io/CertificateSigningRequest', certificateSigningRequests],
  ['apiregistration.k8s.io/APIService', apiServices],
]);

/** The printer kube-apiserver v1.32 uses for a built-in kind, if it has one. */
export function printerFor(group: string, kind: string): Convertor | undefined {
  return PRINTERS.get(`${group}/${kind}`);
}

/** The convertor for a kind: its printer, else the default NAME / CREATED AT convertor. */
export function convertorFor(group: string, kind: string): Convertor {
  return printerFor(group, kind) ?? defaultConvertor;
}

/** Every group and kind that has a printer, in registration order. */
export function printedKinds(): Array<{ group: string; kind: string }> {
  return [...PRINTERS.keys()].map((key) => {
    const slash = key.lastIndexOf('/');
    return { group: key.slice(0, slash), kind: key.slice(slash + 1) };
  });
}
