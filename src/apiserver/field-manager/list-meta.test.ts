import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinPatchMeta } from '../../apimachinery/patch.js';
import { builtinEmptyObject, builtinListMeta, listMetaFromPatchMeta, listMetaFromSchema, type FieldType, type ListMeta } from './index.js';

test('builtinListMeta knows kube 1.32 list and map types', async (t) => {
  const cases: Record<string, { meta: ListMeta; path: string[]; want: FieldType | undefined }> = {
    'pod containers: map by name': {
      meta: builtinListMeta('', 'Pod'),
      path: ['spec', 'containers'],
      want: { listType: 'map', keys: ['name'], keyDefaults: { name: '' } },
    },
    'container ports: map by containerPort and protocol (default TCP)': {
      meta: builtinListMeta('apps', 'Deployment'),
      path: ['spec', 'template', 'spec', 'containers', 'ports'],
      want: { listType: 'map', keys: ['containerPort', 'protocol'], keyDefaults: { containerPort: 0, protocol: 'TCP' } },
    },
    'service ports: map by port and protocol': {
      meta: builtinListMeta('', 'Service'),
      path: ['spec', 'ports'],
      want: { listType: 'map', keys: ['port', 'protocol'], keyDefaults: { port: 0, protocol: 'TCP' } },
    },
    'topology spread constraints: two keys': {
      meta: builtinListMeta('', 'Pod'),
      path: ['spec', 'topologySpreadConstraints'],
      want: { listType: 'map', keys: ['topologyKey', 'whenUnsatisfiable'], keyDefaults: { topologyKey: '', whenUnsatisfiable: '' } },
    },
    'workload selector: atomic': { meta: builtinListMeta('apps', 'Deployment'), path: ['spec', 'selector'], want: { mapType: 'atomic' } },
    'service selector: atomic map': { meta: builtinListMeta('', 'Service'), path: ['spec', 'selector'], want: { mapType: 'atomic' } },
    'finalizers: set': { meta: builtinListMeta('', 'ConfigMap'), path: ['metadata', 'finalizers'], want: { listType: 'set' } },
    'owner references: map by uid': {
      meta: builtinListMeta('batch', 'Job'),
      path: ['metadata', 'ownerReferences'],
      want: { listType: 'map', keys: ['uid'], keyDefaults: { uid: '' } },
    },
    'tolerations: atomic (the default)': { meta: builtinListMeta('', 'Pod'), path: ['spec', 'tolerations'], want: undefined },
    'labels: granular (the default)': { meta: builtinListMeta('', 'Pod'), path: ['metadata', 'labels'], want: undefined },
    'an unknown kind still knows metadata': {
      meta: builtinListMeta('example.com', 'Widget'),
      path: ['metadata', 'finalizers'],
      want: { listType: 'set' },
    },
  };
  for (const [name, { meta, path, want }] of Object.entries(cases)) await t.test(name, () => assert.deepEqual(meta(path), want));
});

test('listMetaFromPatchMeta reads patch tags as kube-openapi falls back to them', async (t) => {
  const meta = listMetaFromPatchMeta(builtinPatchMeta('apps', 'Deployment'));
  const cases: Record<string, { path: string[]; want: FieldType | undefined }> = {
    'merge with a key: map': { path: ['spec', 'template', 'spec', 'containers'], want: { listType: 'map', keys: ['name'] } },
    'merge,retainKeys with a key: map': { path: ['spec', 'template', 'spec', 'volumes'], want: { listType: 'map', keys: ['name'] } },
    'merge without a key: set': { path: ['metadata', 'finalizers'], want: { listType: 'set' } },
    'retainKeys only: default': { path: ['spec', 'strategy'], want: undefined },
    'untagged: default': { path: ['spec', 'template', 'spec', 'containers', 'args'], want: undefined },
  };
  for (const [name, { path, want }] of Object.entries(cases)) await t.test(name, () => assert.deepEqual(meta(path), want));
});

test('listMetaFromSchema reads a CRD schema', async (t) => {
  const schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          rules: {
            type: 'array',
            'x-kubernetes-list-type': 'map',
            'x-kubernetes-list-map-keys': ['port', 'name'],
            items: {
              type: 'object',
              properties: { name: { type: 'string' }, port: { type: 'integer', default: 80 }, hosts: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } } },
            },
          },
          args: { type: 'array', items: { type: 'string' } },
          selector: { type: 'object', 'x-kubernetes-map-type': 'atomic', properties: { app: { type: 'string' } } },
          params: { type: 'object', additionalProperties: { type: 'object', properties: { tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } } } } },
          raw: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
      },
    },
  };
  const meta = listMetaFromSchema(schema);
  const cases: Record<string, { path: string[]; want: FieldType | undefined }> = {
    'map list: keys sorted, with their defaults': { path: ['spec', 'rules'], want: { listType: 'map', keys: ['name', 'port'], keyDefaults: { port: 80 } } },
    'set inside list items': { path: ['spec', 'rules', 'hosts'], want: { listType: 'set' } },
    'no list type: atomic': { path: ['spec', 'args'], want: undefined },
    'atomic map': { path: ['spec', 'selector'], want: { mapType: 'atomic' } },
    'additionalProperties: a map of entries': { path: ['spec', 'params'], want: { mapType: 'granular', additionalProperties: true } },
    'inside an entry': { path: ['spec', 'params', 'anyKey', 'tags'], want: { listType: 'set' } },
    'preserve-unknown-fields: entries all the way down': { path: ['spec', 'raw', 'x', 'y'], want: { mapType: 'granular', additionalProperties: true } },
    'metadata is ObjectMeta': { path: ['metadata', 'ownerReferences'], want: { listType: 'map', keys: ['uid'], keyDefaults: { uid: '' } } },
    'undeclared field: default': { path: ['spec', 'nope'], want: undefined },
  };
  for (const [name, { path, want }] of Object.entries(cases)) await t.test(name, () => assert.deepEqual(meta(path), want));
});

test('builtinEmptyObject is the kind serialised from its zero value', async (t) => {
  const cases: Record<string, { group: string; kind: string; want: unknown }> = {
    'Pod': { group: '', kind: 'Pod', want: { metadata: { creationTimestamp: null }, spec: { containers: null }, status: {} } },
    'Deployment': {
      group: 'apps',
      kind: 'Deployment',
      want: {
        metadata: { creationTimestamp: null },
        spec: { selector: null, template: { metadata: { creationTimestamp: null }, spec: { containers: null } }, strategy: {} },
        status: {},
      },
    },
    'Secret': { group: '', kind: 'Secret', want: { metadata: { creationTimestamp: null } } },
    'a custom resource: {}': { group: 'example.com', kind: 'Widget', want: {} },
  };
  for (const [name, { group, kind, want }] of Object.entries(cases)) await t.test(name, () => assert.deepEqual(builtinEmptyObject(group, kind), want));
});
