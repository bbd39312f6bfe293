import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceType } from '../../apimachinery/resource-type.js';
import { StatusError } from '../../apimachinery/errors.js';
import { BUILTIN_RESOURCES } from '../builtin-resources.js';
import { parseAccept } from '../negotiation.js';
import { ResourceRegistry } from '../registry.js';
import { parse as parseYaml } from 'yaml';
import { v2Schema } from './documents.js';
import { decodeSwaggerProtobuf, groupVersionDocument, OpenApiDocuments, openApiFor, openApiRoot, openApiV2, OPENAPI_V2_PROTOBUF, type Schema } from './index.js';

function crontabs(): ResourceType {
  return {
    group: 'stable.example.com',
    version: 'v1',
    kind: 'CronTab',
    listKind: 'CronTabList',
    plural: 'crontabs',
    singular: 'crontab',
    namespaced: true,
    shortNames: ['ct'],
    categories: [],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    subresources: [],
    generation: true,
  };
}

const CRONTAB_SCHEMA: Schema = {
  type: 'object',
  properties: {
    spec: { type: 'object', description: 'The desired crontab.', properties: { cronSpec: { type: 'string', description: 'When to run.' }, replicas: { type: 'integer' } } },
  },
};

test('the v3 root lists every served group-version with a hash', () => {
  const registry = new ResourceRegistry(BUILTIN_RESOURCES);
  const root = openApiRoot(registry);
  const want = registry.groupVersions().flatMap(({ group, versions }) => versions.map((v) => (group ? `apis/${group}/${v}` : `api/${v}`)));
  assert.deepEqual(Object.keys(root.paths).sort(), want.sort());
  for (const [gv, { serverRelativeURL }] of Object.entries(root.paths)) {
    assert.match(serverRelativeURL, new RegExp(`^/openapi/v3/${gv.replace(/\./g, '\\.')}\\?hash=[0-9A-F]{128}$`), gv);
  }
});

test('documents are cached until the registry or the custom schemas change; hashes follow', () => {
  const registry = new ResourceRegistry(BUILTIN_RESOURCES);
  const docs = openApiFor(registry);
  assert.equal(openApiFor(registry), docs, 'one instance per registry');
  const appsBefore = groupVersionDocument(registry, 'apps', 'v1');
  assert.equal(groupVersionDocument(registry, 'apps', 'v1'), appsBefore, 'same object while nothing changes');
  const hashBefore = openApiRoot(registry).paths['apis/apps/v1'].serverRelativeURL;

  registry.add(crontabs());
  assert.ok(openApiRoot(registry).paths['apis/stable.example.com/v1'], 'a new group-version appears');
  assert.equal(openApiRoot(registry).paths['apis/apps/v1'].serverRelativeURL, hashBefore, 'an unchanged document keeps its hash');
  const crBefore = openApiRoot(registry).paths['apis/stable.example.com/v1'].serverRelativeURL;

  docs.setCustomSchema('stable.example.com', 'v1', 'CronTab', CRONTAB_SCHEMA);
  const crAfter = openApiRoot(registry).paths['apis/stable.example.com/v1'].serverRelativeURL;
  assert.notEqual(crAfter, crBefore, 'the hash changes with the document');

  docs.removeCustomSchema('stable.example.com', 'v1', 'CronTab');
  assert.equal(openApiRoot(registry).paths['apis/stable.example.com/v1'].serverRelativeURL, crBefore);

  registry.remove(crontabs());
  assert.equal(openApiRoot(registry).paths['apis/stable.example.com/v1'], undefined);
  assert.equal(groupVersionDocument(registry, 'stable.example.com', 'v1'), undefined);
});

test('a group-version document has the operations kubectl looks for and the schemas they reach', () => {
  const registry = new ResourceRegistry(BUILTIN_RESOURCES);
  const doc = groupVersionDocument(registry, '', 'v1')!;
  assert.equal(doc.openapi, '3.0.0');
  const item = doc.paths['/api/v1/namespaces/{namespace}/pods/{name}'] as Record<string, any>;
  const patch = item.patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: '', version: 'v1', kind: 'Pod' });
  assert.ok(patch.parameters.some((p: { name: string; in: string }) => p.name === 'fieldValidation' && p.in === 'query'));
  assert.deepEqual(Object.keys(patch.requestBody.content).sort(), [
    'application/apply-patch+yaml',
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/strategic-merge-patch+json',
  ]);
  assert.ok((doc.paths['/api/v1/namespaces/{namespace}/pods'] as Record<string, any>).post.parameters.some((p: { name: string }) => p.name === 'fieldValidation'));
  assert.ok(doc.paths['/api/v1/nodes/{name}'], 'cluster-scoped item path');
  assert.ok(doc.paths['/api/v1/pods'], 'list across namespaces');
  assert.ok(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/status']);
  for (const name of ['io.k8s.api.core.v1.Pod', 'io.k8s.api.core.v1.PodList', 'io.k8s.api.core.v1.Container', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch']) {
    assert.ok(doc.components.schemas[name], name);
  }
  assert.equal(doc.components.schemas['io.k8s.api.apps.v1.Deployment'], undefined, 'other group-versions stay out');

  const apps = groupVersionDocument(registry, 'apps', 'v1')!;
  const scale = (apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'] as Record<string, any>).patch;
  assert.deepEqual(scale['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  assert.ok(apps.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  assert.equal(groupVersionDocument(registry, 'apps', 'v2'), undefined);
});

test('a custom schema is published with apiVersion, kind, metadata and its GVK', () => {
  const registry = new ResourceRegistry([...BUILTIN_RESOURCES, crontabs()]);
  const docs = new OpenApiDocuments(registry);
  docs.setCustomSchema('stable.example.com', 'v1', 'CronTab', CRONTAB_SCHEMA);
  const doc = docs.groupVersion('stable.example.com', 'v1')!;
  const schema = doc.components.schemas['com.example.stable.v1.CronTab'];
  assert.deepEqual(schema['x-kubernetes-group-version-kind'], [{ group: 'stable.example.com', kind: 'CronTab', version: 'v1' }]);
  assert.deepEqual(Object.keys(schema.properties!).sort(), ['apiVersion', 'kind', 'metadata', 'spec']);
  assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'], 'metadata resolves');
  assert.ok(doc.components.schemas['com.example.stable.v1.CronTabList']);
  const patch = (doc.paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}'] as Record<string, any>).patch;
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'stable.example.com', version: 'v1', kind: 'CronTab' });
  assert.deepEqual(Object.keys(patch.requestBody.content).sort(), ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'], 'no strategic merge patch for custom resources');
  assert.equal(docs.kindSchema('stable.example.com', 'v1', 'CronTab')?.structural, true);
  assert.equal(docs.kindSchema('apps', 'v1', 'Deployment')?.structural, false);
  assert.equal(docs.kindSchema('apps', 'v1', 'Nope'), undefined);
  assert.equal(CRONTAB_SCHEMA.properties!.metadata, undefined, 'the caller’s schema is not modified');

  docs.removeCustomSchema('stable.example.com', 'v1', 'CronTab');
  const open = docs.groupVersion('stable.example.com', 'v1')!.components.schemas['com.example.stable.v1.CronTab'];
  assert.equal(open['x-kubernetes-preserve-unknown-fields'], true, 'without a schema: an open object, still with its GVK');
  assert.deepEqual(open['x-kubernetes-group-version-kind'], [{ group: 'stable.example.com', kind: 'CronTab', version: 'v1' }]);
  assert.equal(docs.kindSchema('stable.example.com', 'v1', 'CronTab'), undefined, 'nothing to validate against');
});

test('/openapi/v2 is Swagger 2.0 as JSON, or in gnostic’s protobuf for kubectl; 406 for anything else', () => {
  const registry = new ResourceRegistry(BUILTIN_RESOURCES);
  const v2 = openApiV2(registry, parseAccept('application/json'));
  assert.ok('json' in v2);
  const doc = v2.json;
  assert.equal(doc.swagger, '2.0');
  const pod = doc.definitions['io.k8s.api.core.v1.Pod'];
  assert.deepEqual(pod['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  assert.equal(pod.properties!.spec.$ref, '#/definitions/io.k8s.api.core.v1.PodSpec');
  assert.equal(doc.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].type, 'string');
  assert.equal(doc.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].format, 'int-or-string');
  assert.equal(doc.definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'].type, 'string');
  assert.ok(!JSON.stringify(doc).includes('#/components/schemas/'), 'only #/definitions/ refs');
  const patch = (doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'] as Record<string, any>).patch;
  assert.ok(patch.consumes.includes('application/strategic-merge-patch+json'));
  assert.deepEqual(patch.parameters[0], { name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' } });
  const again = openApiV2(registry, []);
  assert.ok('json' in again && again.json === doc, 'no Accept: JSON, cached');

  const pb = openApiV2(registry, parseAccept(OPENAPI_V2_PROTOBUF));
  assert.ok('protobuf' in pb);
  assert.equal(pb.contentType, 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf', 'a Content-Type Go can parse');
  const decoded = decodeSwaggerProtobuf(pb.protobuf) as any;
  assert.equal(decoded.swagger, '2.0');
  const named = new Map<string, any>(decoded.definitions.additionalProperties.map((d: any) => [d.name, d.value]));
  assert.equal(named.size, Object.keys(doc.definitions).length, 'every definition');
  const podPb = named.get('io.k8s.api.core.v1.Pod');
  const spec = podPb.properties.additionalProperties.find((p: any) => p.name === 'spec');
  assert.equal(spec.value.ref, '#/definitions/io.k8s.api.core.v1.PodSpec');
  const gvk = podPb.vendorExtension.find((e: any) => e.name === 'x-kubernetes-group-version-kind');
  assert.deepEqual(parseYaml(gvk.value.yaml), [{ group: '', kind: 'Pod', version: 'v1' }], 'extensions as YAML, as gnostic keeps them');
  assert.deepEqual(named.get('io.k8s.api.core.v1.PodSpec').required, ['containers']);
  const deployment = decoded.paths.path.find((p: any) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}').value;
  const queryParams = deployment.patch.parameters.map((p: any) => p.parameter.nonBodyParameter?.queryParameterSubSchema?.name).filter(Boolean);
  assert.ok(queryParams.includes('fieldValidation'), 'kubectl’s v2 check for fieldValidation support finds it');
  const pbAgain = openApiV2(registry, parseAccept(OPENAPI_V2_PROTOBUF));
  assert.ok('protobuf' in pbAgain && pbAgain.protobuf === pb.protobuf, 'encoded once per registry generation');

  assert.throws(
    () => openApiV2(registry, parseAccept('application/xml')),
    (e: unknown) => e instanceof StatusError && e.code === 406 && e.reason === 'NotAcceptable',
  );
});

test('v2 schemas of custom resources are what kubectl can validate against, as kube publishes them', () => {
  const cases: Array<[string, Schema, Schema]> = [
    ['nullable: untyped, no items or properties', { type: 'object', nullable: true, properties: { a: { type: 'string' } } } as Schema, {}],
    ['preserve-unknown-fields: no properties', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } } as Schema, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } as Schema],
    ['an array left without items is untyped', { type: 'array', 'x-kubernetes-preserve-unknown-fields': true, items: { type: 'string' } } as Schema, { 'x-kubernetes-preserve-unknown-fields': true } as Schema],
    ['int-or-string: anyOf dropped', { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } as Schema, { 'x-kubernetes-int-or-string': true } as Schema],
    [
      'a nullable property is not required',
      { type: 'object', required: ['size', 'note'], properties: { size: { type: 'integer' }, note: { type: 'string', nullable: true } } } as Schema,
      { type: 'object', required: ['size'], properties: { size: { type: 'integer' }, note: {} } } as Schema,
    ],
    ['nothing to change', { type: 'object', properties: { a: { type: 'array', items: { type: 'string' } } } } as Schema, { type: 'object', properties: { a: { type: 'array', items: { type: 'string' } } } } as Schema],
  ];
  for (const [what, v3, v2] of cases) assert.deepEqual(v2Schema(undefined, v3), v2, what);
});
