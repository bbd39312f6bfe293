import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUILTIN_RESOURCES } from '../builtin-resources.js';
import { ResourceRegistry } from '../registry.js';
import {
  builtinKindSchema,
  findDuplicateFields,
  findUnknownFields,
  OpenApiDocuments,
  strictDecodingErrors,
  strictDecodingMessage,
  warningHeaderValue,
  type KindSchema,
  type Schema,
} from './index.js';

function kind(group: string, version: string, k: string): KindSchema {
  const s = builtinKindSchema(group, version, k);
  assert.ok(s, `${group}/${version} ${k}`);
  return s;
}

const deployment = kind('apps', 'v1', 'Deployment');
const pod = kind('', 'v1', 'Pod');
const configMap = kind('', 'v1', 'ConfigMap');

test('unknown fields of built-in kinds, by path', () => {
  const cases: Record<string, { kind: KindSchema; obj: unknown; want: string[] }> = {
    'clean deployment': {
      kind: deployment,
      obj: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } } } },
      want: [],
    },
    'typo in spec (the issue’s example)': {
      kind: deployment,
      obj: { spec: { replica: 3, template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', imagee: 'y' }] } } } },
      want: ['spec.replica', 'spec.template.spec.containers[1].imagee'],
    },
    'unknown top-level field': { kind: pod, obj: { apiVersion: 'v1', kind: 'Pod', sepc: {} }, want: ['sepc'] },
    'metadata is typed': { kind: pod, obj: { metadata: { name: 'p', labelz: {}, annotations: { 'any.key/x': 'v' } } }, want: ['metadata.labelz'] },
    'map values are not fields': { kind: configMap, obj: { data: { anything: 'x', 'other-key': 'y' }, binaryData: { b: 'AA==' } }, want: [] },
    'maps of structs are checked per value': {
      kind: pod,
      obj: { spec: { containers: [{ name: 'c', resources: { limits: { cpu: '1', 'example.com/gpu': 2 } } }], overhead: { cpu: '1' } } },
      want: [],
    },
    'nested lists of structs': {
      kind: pod,
      obj: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80, protocl: 'TCP' }], env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'k', bogus: 1 } } }] }] } },
      want: ['spec.containers[0].ports[0].protocl', 'spec.containers[0].env[0].valueFrom.secretKeyRef.bogus'],
    },
    'int-or-string and quantities are scalars': {
      kind: deployment,
      obj: { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } } } },
      want: [],
    },
    'opaque values are not looked into (FieldsV1)': {
      kind: configMap,
      obj: { metadata: { managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:data': { 'f:x': {} } }, fieldsType: 'FieldsV1' }] } },
      want: [],
    },
    'status is part of the kind': { kind: pod, obj: { status: { phase: 'Running', podIPs: [{ ip: '10.0.0.1' }], bogus: true } }, want: ['status.bogus'] },
    'wrong value types are not unknown fields': { kind: pod, obj: { spec: 'not an object', metadata: [1, 2] }, want: [] },
  };
  for (const [name, { kind: k, obj, want }] of Object.entries(cases)) {
    assert.deepEqual(findUnknownFields(k, obj), want, name);
  }
});

test('duplicate fields in JSON text, by path', () => {
  const cases: Record<string, { text: string; want: string[] }> = {
    none: { text: '{"a":1,"b":{"c":[{"d":1},{"d":2}]}}', want: [] },
    'top level (the issue’s example)': { text: '{"replicas":1,"replicas":2}', want: ['replicas'] },
    nested: { text: '{"spec":{"paused":true,"paused":false}}', want: ['spec.paused'] },
    'in a list item': { text: '{"spec":{"containers":[{"name":"a"},{"name":"b","image":"x","image":"y"}]}}', want: ['spec.containers[1].image'] },
    'map keys': { text: '{"metadata":{"labels":{"app":"a","app":"b"}}}', want: ['metadata.labels.app'] },
    'reported once however often repeated': { text: '{"a":1,"a":2,"a":3}', want: ['a'] },
    'escaped keys compare decoded': { text: '{"a\\u0062":1,"ab":2}', want: ['ab'] },
    'whitespace and scalars': { text: ' {\n "a" : [ true , false , null , -1.5e3 , "x\\"y" ] ,\t"a": {} } ', want: ['a'] },
  };
  for (const [name, { text, want }] of Object.entries(cases)) {
    assert.deepEqual(findDuplicateFields(text), want, name);
  }
  for (const bad of ['', '{', '{"a":}', '{"a":1,}', '[1 2]', '{"a":1} x', '{"a":tru}']) {
    assert.throws(() => findDuplicateFields(bad), SyntaxError, JSON.stringify(bad));
  }
});

test('strict decoding errors of a built-in kind match kube-apiserver (field_validation_test.go)', () => {
  const body = `{
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "dupename", "name": "web", "unknownMeta": "metaVal", "labels": {"app": "nginx"}},
    "spec": {
      "unknown1": "val1",
      "unknownDupe": "valDupe",
      "unknownDupe": "valDupe2",
      "paused": true,
      "paused": false,
      "selector": {"matchLabels": {"app": "nginx"}},
      "template": {
        "metadata": {"labels": {"app": "nginx"}},
        "spec": {"containers": [{"name": "nginx", "image": "nginx:latest", "unknownNested": "val1", "imagePullPolicy": "Always", "imagePullPolicy": "Never"}]}
      }
    }
  }`;
  assert.equal(
    strictDecodingMessage(strictDecodingErrors(deployment, body)),
    'strict decoding error: duplicate field "metadata.name", unknown field "metadata.unknownMeta", unknown field "spec.unknown1", unknown field "spec.unknownDupe", duplicate field "spec.paused", unknown field "spec.template.spec.containers[0].unknownNested", duplicate field "spec.template.spec.containers[0].imagePullPolicy"',
  );
  assert.deepEqual(strictDecodingErrors(deployment, '{"spec":{"replica":3}}'), ['unknown field "spec.replica"']);
  assert.deepEqual(strictDecodingErrors(deployment, '{"spec":{"replicas":1,"replicas":2}}'), ['duplicate field "spec.replicas"']);
  assert.deepEqual(strictDecodingErrors(deployment, '{"metadata":{"labels":{"a":"1","a":"2"}}}'), ['duplicate field "metadata.labels.a"']);
  assert.deepEqual(strictDecodingErrors(deployment, '{"spec":{"replicas":1}}'), []);
});

test('strict decoding errors of a custom resource match kube-apiserver (field_validation_test.go)', () => {
  const registry = new ResourceRegistry(BUILTIN_RESOURCES);
  const docs = new OpenApiDocuments(registry);
  const ports: Schema = {
    type: 'array',
    'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
    'x-kubernetes-list-type': 'map',
    items: {
      type: 'object',
      required: ['containerPort', 'protocol'],
      properties: { containerPort: { type: 'integer', format: 'int32' }, hostIP: { type: 'string' }, hostPort: { type: 'integer', format: 'int32' }, name: { type: 'string' }, protocol: { type: 'string' } },
    },
  };
  docs.setCustomSchema('schema.example.com', 'v1', 'Schema', {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          cronSpec: { type: 'string' },
          knownField1: { type: 'string' },
          embeddedObj: { 'x-kubernetes-embedded-resource': true, type: 'object', properties: { apiversion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } } },
          ports,
        },
      },
    },
  });
  const crd = docs.kindSchema('schema.example.com', 'v1', 'Schema')!;
  const body = `{
    "apiVersion": "schema.example.com/v1",
    "kind": "Schema",
    "metadata": {"name": "dupename", "name": "x", "unknownMeta": "metaVal", "resourceVersion": "1"},
    "spec": {
      "unknown1": "val1",
      "unknownDupe": "valDupe",
      "unknownDupe": "valDupe2",
      "knownField1": "val1",
      "knownField1": "val2",
      "ports": [{"name": "portName", "containerPort": 8080, "protocol": "TCP", "hostPort": 8081, "hostPort": 8082, "unknownNested": "val"}],
      "embeddedObj": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "my-cm", "namespace": "my-ns", "unknownEmbeddedMeta": "foo"}}
    }
  }`;
  assert.equal(
    strictDecodingMessage(strictDecodingErrors(crd, body)),
    'strict decoding error: duplicate field "metadata.name", duplicate field "spec.unknownDupe", duplicate field "spec.knownField1", duplicate field "spec.ports[0].hostPort", unknown field "metadata.unknownMeta", unknown field "spec.ports[0].unknownNested", unknown field "spec.unknown1", unknown field "spec.unknownDupe", unknown field "spec.embeddedObj.metadata.unknownEmbeddedMeta"',
  );
});

test('x-kubernetes-preserve-unknown-fields keeps unknown fields at its level only', () => {
  const registry = new ResourceRegistry(BUILTIN_RESOURCES);
  const docs = new OpenApiDocuments(registry);
  docs.setCustomSchema('example.com', 'v1', 'Open', {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        'x-kubernetes-preserve-unknown-fields': true,
        properties: { known: { type: 'object', properties: { a: { type: 'string' } } } },
      },
      closed: { type: 'object' },
      any: { 'x-kubernetes-int-or-string': true },
      tags: { type: 'object', additionalProperties: { type: 'object', properties: { v: { type: 'string' } } } },
    },
  });
  docs.setCustomSchema('example.com', 'v1', 'Schemaless', undefined);
  const open = docs.kindSchema('example.com', 'v1', 'Open')!;
  assert.deepEqual(
    findUnknownFields(open, {
      metadata: { name: 'x', managedFields: [{ fieldsV1: { 'f:spec': {} } }] },
      spec: { whatever: { deep: 1 }, known: { a: 'x', b: 'y' } },
      closed: { pruned: 1 },
      any: 3,
      tags: { t1: { v: 'x', w: 'y' } },
    }),
    ['closed.pruned', 'spec.known.b', 'tags.t1.w'],
  );
  const schemaless = docs.kindSchema('example.com', 'v1', 'Schemaless')!;
  assert.deepEqual(findUnknownFields(schemaless, { spec: { anything: { at: ['all'] } }, metadata: { nme: 'x' } }), ['metadata.nme']);
});

test('warning header values quote and escape the message', () => {
  assert.equal(warningHeaderValue('unknown field "spec.replica"'), '299 - "unknown field \\"spec.replica\\""');
});
