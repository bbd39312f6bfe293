/**
 * OpenAPI v3 documents: the root index and one document per group-version. kubectl reads the
 * PATCH operation of each kind to learn that the server validates fields itself (the
 * `fieldValidation` parameter) and which patch types it accepts. Real schemas for `kubectl
 * explain` and schema-driven strategic merge come with the API-completeness issue.
 */
import { createHash } from 'node:crypto';
import type { ResourceType } from '../apimachinery/resource-type.js';
import type { ResourceRegistry } from './registry.js';

const PATCH_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function itemPath(rt: ResourceType): string {
  const base = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
  return rt.namespaced ? `${base}/namespaces/{namespace}/${rt.plural}/{name}` : `${base}/${rt.plural}/{name}`;
}

function queryParam(name: string, description: string) {
  return { name, in: 'query', description, schema: { type: 'string', uniqueItems: true } };
}

function operations(rt: ResourceType) {
  const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
  const ref = { $ref: `#/components/schemas/${schemaName(rt)}` };
  const responses = { '200': { description: 'OK', content: { 'application/json': { schema: ref } } }, '401': { description: 'Unauthorized' } };
  const common = [
    queryParam('dryRun', 'When present, indicates that modifications should not be persisted.'),
    queryParam('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.'),
    queryParam('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields: Ignore, Warn or Strict.'),
  ];
  return {
    get: { operationId: `read${rt.kind}`, responses, 'x-kubernetes-action': 'get', 'x-kubernetes-group-version-kind': gvk },
    put: {
      operationId: `replace${rt.kind}`,
      parameters: common,
      requestBody: { content: { '*/*': { schema: ref } }, required: true },
      responses,
      'x-kubernetes-action': 'put',
      'x-kubernetes-group-version-kind': gvk,
    },
    patch: {
      operationId: `patch${rt.kind}`,
      parameters: [...common, { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } }],
      requestBody: {
        content: Object.fromEntries(PATCH_TYPES.map((t) => [t, { schema: { type: 'object' } }])),
        required: true,
      },
      responses,
      'x-kubernetes-action': 'patch',
      'x-kubernetes-group-version-kind': gvk,
    },
    delete: { operationId: `delete${rt.kind}`, responses, 'x-kubernetes-action': 'delete', 'x-kubernetes-group-version-kind': gvk },
    parameters: [
      { name: 'name', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } },
      ...(rt.namespaced ? [{ name: 'namespace', in: 'path', required: true, schema: { type: 'string', uniqueItems: true } }] : []),
    ],
  };
}

function schemaName(rt: ResourceType): string {
  const group = rt.group === '' ? 'core' : rt.group.split('.')[0];
  return `io.k8s.api.${group}.${rt.version}.${rt.kind}`;
}

export function groupVersionDocument(registry: ResourceRegistry, group: string, version: string) {
  const resources = registry.resourcesIn(group, version);
  if (resources.length === 0) return undefined;
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.5' },
    paths: Object.fromEntries(resources.map((rt) => [itemPath(rt), operations(rt)])),
    components: { schemas: {} },
  };
}

/** Index of group-version documents, each URL carrying a content hash (clients cache by it). */
export function openApiRoot(registry: ResourceRegistry) {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const { group, versions } of registry.groupVersions()) {
    for (const version of versions) {
      const doc = groupVersionDocument(registry, group, version);
      const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').slice(0, 128).toUpperCase();
      const path = gvPath(group, version);
      paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
    }
  }
  return { paths };
}
