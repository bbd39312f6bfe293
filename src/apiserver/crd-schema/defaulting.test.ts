import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults, type JSONSchemaProps } from './index.js';

const SCHEMA: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      default: {},
      properties: {
        cronSpec: { type: 'string', default: '5 0 * * *' },
        image: { type: 'string' },
        replicas: { type: 'integer', default: 1, minimum: 1 },
        suspend: { type: 'boolean', nullable: true, default: false },
        ports: {
          type: 'array',
          items: { type: 'object', default: { name: 'http' }, properties: { name: { type: 'string' }, port: { type: 'integer', default: 80 } } },
        },
        labels: { type: 'object', additionalProperties: { type: 'object', properties: { weight: { type: 'integer', default: 10 } } } },
        tags: { type: 'array', items: { type: 'string', default: 'none' } },
      },
    },
  },
};

test('structural defaulting', () => {
  const cases: Record<string, { obj: Record<string, unknown>; want: Record<string, unknown> }> = {
    'a missing object is defaulted, then defaulted inside': {
      obj: {},
      want: { spec: { cronSpec: '5 0 * * *', replicas: 1, suspend: false } },
    },
    'existing values are kept': {
      obj: { spec: { cronSpec: '* * * * *', replicas: 3, suspend: true } },
      want: { spec: { cronSpec: '* * * * *', replicas: 3, suspend: true } },
    },
    'null in a non-nullable field with a default gets the default': {
      obj: { spec: { replicas: null } },
      want: { spec: { cronSpec: '5 0 * * *', replicas: 1, suspend: false } },
    },
    'null in a nullable field stays null': {
      obj: { spec: { suspend: null } },
      want: { spec: { cronSpec: '5 0 * * *', replicas: 1, suspend: null } },
    },
    'null without a default stays (pruning drops it earlier)': {
      obj: { spec: { image: null } },
      want: { spec: { cronSpec: '5 0 * * *', image: null, replicas: 1, suspend: false } },
    },
    'array items, including null items': {
      obj: { spec: { ports: [{ name: 'a' }, null], tags: ['x', null] } },
      want: {
        spec: {
          cronSpec: '5 0 * * *',
          replicas: 1,
          suspend: false,
          ports: [{ name: 'a', port: 80 }, { name: 'http', port: 80 }],
          tags: ['x', 'none'],
        },
      },
    },
    'map values': {
      obj: { spec: { labels: { a: {}, b: { weight: 1 } } } },
      want: { spec: { cronSpec: '5 0 * * *', replicas: 1, suspend: false, labels: { a: { weight: 10 }, b: { weight: 1 } } } },
    },
    'scalars where objects are expected are left alone': {
      obj: { spec: 'oops' },
      want: { spec: 'oops' },
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    applyDefaults(SCHEMA, c.obj);
    assert.deepEqual(c.obj, c.want, name);
  }
});

test('defaults are deep copies', () => {
  const schema: JSONSchemaProps = { type: 'object', properties: { spec: { type: 'object', default: { list: [1] } } } };
  const a: { spec?: { list: number[] } } = {};
  const b: { spec?: { list: number[] } } = {};
  applyDefaults(schema, a);
  applyDefaults(schema, b);
  a.spec!.list.push(2);
  assert.deepEqual(b.spec!.list, [1]);
  assert.deepEqual((schema.properties!.spec.default as { list: number[] }).list, [1]);
});
