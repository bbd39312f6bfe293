/**
 * Kinds by API path: one description (`apiVersion`, `kind`, `plural`) serves built-ins and
 * custom resources alike.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Request } from './reconcile.js';

/** A kind the runtime can list, watch and write, e.g. `{ apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments' }`. */
export interface ResourceType {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  /** False for cluster-scoped kinds (Namespace, Node); true by default. */
  readonly namespaced?: boolean;
}

/** An object as the runtime handles it: metadata is always present on what the API returns. */
export type KObject = KubernetesObject;

/** `/api/v1` or `/apis/<group>/<version>`. */
export function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/**
 * The API path of a collection (`name` undefined) or an object, in `namespace` ('' or undefined
 * = all namespaces, or a cluster-scoped kind), optionally of a subresource.
 */
export function resourcePath(type: ResourceType, namespace?: string, name?: string, subresource?: string): string {
  let p = groupVersionPath(type.apiVersion);
  if (namespace && type.namespaced !== false) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${type.plural}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

/** The self-link of an object, as logged in the `object` field. */
export function selfLink(type: ResourceType, obj: KObject | Request): string {
  const r: Request = 'metadata' in obj || 'kind' in obj ? requestOf(obj as KObject) : (obj as Request);
  return resourcePath(type, r.namespace, r.name);
}

/** The Request naming `obj`. */
export function requestOf(obj: KObject): Request {
  return { namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' };
}

/** `namespace/name` of an object, or `name` when cluster-scoped (the informer's cache key). */
export function objectKey(obj: KObject): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name ?? ''}` : obj.metadata?.name ?? '';
}

/** The built-in kinds Flotilla's controllers use most. */
export const kinds = {
  namespaces: { apiVersion: 'v1', kind: 'Namespace', plural: 'namespaces', namespaced: false },
  nodes: { apiVersion: 'v1', kind: 'Node', plural: 'nodes', namespaced: false },
  pods: { apiVersion: 'v1', kind: 'Pod', plural: 'pods' },
  services: { apiVersion: 'v1', kind: 'Service', plural: 'services' },
  endpoints: { apiVersion: 'v1', kind: 'Endpoints', plural: 'endpoints' },
  configMaps: { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps' },
  secrets: { apiVersion: 'v1', kind: 'Secret', plural: 'secrets' },
  events: { apiVersion: 'v1', kind: 'Event', plural: 'events' },
  persistentVolumes: { apiVersion: 'v1', kind: 'PersistentVolume', plural: 'persistentvolumes', namespaced: false },
  persistentVolumeClaims: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims' },
  deployments: { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments' },
  replicaSets: { apiVersion: 'apps/v1', kind: 'ReplicaSet', plural: 'replicasets' },
  daemonSets: { apiVersion: 'apps/v1', kind: 'DaemonSet', plural: 'daemonsets' },
  statefulSets: { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets' },
  jobs: { apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs' },
  podDisruptionBudgets: { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets' },
  ingresses: { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', plural: 'ingresses' },
  leases: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', plural: 'leases' },
  customResourceDefinitions: { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false },
} as const satisfies Record<string, ResourceType>;
