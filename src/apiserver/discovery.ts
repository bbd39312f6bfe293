/**
 * Discovery documents: aggregated (apidiscovery.k8s.io/v2, which kubectl 1.32 prefers and only
 * accepts with its exact content type) and the legacy APIVersions / APIGroupList / APIResourceList
 * that client-node's KubernetesObjectApi reads.
 */
import { apiVersionOf, type ResourceType } from '../apimachinery/resource-type.js';
import type { ResourceRegistry } from './registry.js';

export const AGGREGATED_DISCOVERY_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const AGGREGATED_DISCOVERY_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

function resourceDiscovery(rt: ResourceType) {
  const entry: Record<string, unknown> = {
    resource: rt.plural,
    responseKind: { group: rt.group, version: rt.version, kind: rt.kind },
    scope: rt.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: rt.singular,
    verbs: [...rt.verbs],
  };
  if (rt.shortNames.length) entry.shortNames = [...rt.shortNames];
  if (rt.categories.length) entry.categories = [...rt.categories];
  if (rt.subresources.length) {
    entry.subresources = rt.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group, version: s.version, kind: s.kind },
      verbs: [...s.verbs],
    }));
  }
  return entry;
}

/** The aggregated document for `/api` (core only) or `/apis` (every named group). */
export function aggregatedDiscovery(registry: ResourceRegistry, scope: 'core' | 'groups', apiVersion = 'apidiscovery.k8s.io/v2') {
  const items = registry
    .groupVersions()
    .filter(({ group }) => (scope === 'core' ? group === '' : group !== ''))
    .map(({ group, versions }) => ({
      metadata: group ? { name: group } : { creationTimestamp: null },
      versions: versions.map((version) => ({
        version,
        resources: registry.resourcesIn(group, version).map(resourceDiscovery),
        freshness: 'Current',
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion, metadata: {}, items };
}

export function apiVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function apiGroup(group: string, versions: string[]) {
  const gvs = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: gvs, preferredVersion: gvs[0] };
}

export function apiGroupList(registry: ResourceRegistry) {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: registry
      .groupVersions()
      .filter(({ group }) => group !== '')
      .map(({ group, versions }) => apiGroup(group, versions)),
  };
}

export function apiGroupDocument(registry: ResourceRegistry, group: string) {
  const found = registry.groupVersions().find((g) => g.group === group);
  return found ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(group, found.versions) } : undefined;
}

export function apiResourceList(registry: ResourceRegistry, group: string, version: string) {
  const resources = registry.resourcesIn(group, version);
  if (resources.length === 0) return undefined;
  const entries: Record<string, unknown>[] = [];
  for (const rt of resources) {
    const main: Record<string, unknown> = {
      name: rt.plural,
      singularName: rt.singular,
      namespaced: rt.namespaced,
      kind: rt.kind,
      verbs: [...rt.verbs],
    };
    if (rt.shortNames.length) main.shortNames = [...rt.shortNames];
    if (rt.categories.length) main.categories = [...rt.categories];
    entries.push(main);
    for (const s of rt.subresources) {
      const sub: Record<string, unknown> = { name: `${rt.plural}/${s.name}`, singularName: '', namespaced: rt.namespaced, kind: s.kind, verbs: [...s.verbs] };
      if (s.group !== rt.group || s.version !== rt.version) {
        sub.group = s.group;
        sub.version = s.version;
      }
      entries.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources: entries };
}
