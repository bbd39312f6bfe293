import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropNonNullableNulls, prune, unknownFieldWarning, type JSONSchemaProps } from './index.js';

const EMBEDDED: JSONSchemaProps = {
  type: 'object',
  'x-kubernetes-embedded-resource': true,
  properties: { spec: { type: 'object', properties: { x: { type: 'string' } } } },
};

const SCHEMA: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        cronSpec: { type: 'string' },
        items: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
        labels: { type: 'object', additionalProperties: { type: 'object', properties: { weight: { type: 'integer' } } } },
        extra: {
          type: 'object',
          'x-kubernetes-preserve-unknown-fields': true,
          properties: { known: { type: 'object', properties: { a: { type: 'string' } } } },
        },
        template: EMBEDDED,
        closed: { type: 'object', additionalProperties: false },
      },
    },
  },
};

test('pruning unknown fields', () => {
  const cases: Record<string, { obj: Record<string, unknown>; isResourceRoot?: boolean; want: Record<string, unknown>; paths: string[] }> = {
    'the resource root keeps apiVersion, kind and ObjectMeta fields': {
      obj: { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'x', foo: 1, ownerReferences: [{ name: 'o', bar: 2 }] }, extra: 1 },
      want: { apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name: 'x', ownerReferences: [{ name: 'o' }] } },
      paths: ['metadata.foo', 'metadata.ownerReferences[0].bar', 'extra'],
    },
    'unknown fields at every depth': {
      obj: { spec: { cronSpec: 'x', bogus: 1, items: [{ name: 'a', junk: true }], labels: { l: { weight: 1, heavy: true } } } },
      want: { spec: { cronSpec: 'x', items: [{ name: 'a' }], labels: { l: { weight: 1 } } } },
      paths: ['spec.bogus', 'spec.items[0].junk', 'spec.labels.l.heavy'],
    },
    'preserve-unknown-fields keeps unknown fields but prunes specified ones': {
      obj: { spec: { extra: { anything: { deep: 1 }, known: { a: 'x', b: 'y' } } } },
      want: { spec: { extra: { anything: { deep: 1 }, known: { a: 'x' } } } },
      paths: ['spec.extra.known.b'],
    },
    'embedded resources keep TypeMeta and prune their metadata': {
      obj: {
        spec: {
          template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', creationTimestamp: null, junk: 1 }, spec: { x: 'a', y: 'b' }, status: {} },
        },
      },
      want: { spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { x: 'a' } } } },
      paths: ['spec.template.spec.y', 'spec.template.status', 'spec.template.metadata.junk'],
    },
    // kube keeps the keys of an additionalProperties: false map (validation then forbids them) and
    // prunes their values as unspecified.
    'additionalProperties: false keeps keys': {
      obj: { spec: { closed: { k: { z: 1 } } } },
      want: { spec: { closed: { k: {} } } },
      paths: ['spec.closed.k.z'],
    },
    'below the root, TypeMeta is pruned too (silently at the top)': {
      obj: { apiVersion: 'v1', spec: { cronSpec: 'x' } },
      isResourceRoot: false,
      want: { spec: { cronSpec: 'x' } },
      paths: [],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    const paths = prune(SCHEMA, c.obj, { isResourceRoot: c.isResourceRoot ?? true });
    assert.deepEqual(c.obj, c.want, name);
    assert.deepEqual(paths, c.paths, `${name}: paths`);
  }
  assert.equal(unknownFieldWarning('spec.bogus'), 'unknown field "spec.bogus"');
});

test('dropping nulls nobody may hold', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          plain: { type: 'string' },
          nullable: { type: 'string', nullable: true },
          defaulted: { type: 'string', default: 'x' },
          list: { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } } } },
        },
      },
    },
  };
  const obj = { spec: { plain: null, nullable: null, defaulted: null, list: [{ a: null }], unknown: null } };
  dropNonNullableNulls(schema, obj);
  assert.deepEqual(obj, { spec: { nullable: null, defaulted: null, list: [{}], unknown: null } });
});
