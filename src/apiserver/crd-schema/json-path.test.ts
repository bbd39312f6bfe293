import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getAtPath, setAtPath } from './index.js';

test('reading scale subresource paths', () => {
  const obj = { spec: { replicas: 3 }, status: { replicas: 2, selector: 'app=web' }, list: [1] };
  const cases: Record<string, { path: string; want: unknown }> = {
    specReplicasPath: { path: '.spec.replicas', want: 3 },
    statusReplicasPath: { path: '.status.replicas', want: 2 },
    labelSelectorPath: { path: '.status.selector', want: 'app=web' },
    'without the leading dot': { path: 'spec.replicas', want: 3 },
    'a missing field': { path: '.spec.paused', want: undefined },
    'through a scalar': { path: '.spec.replicas.value', want: undefined },
    'through an array': { path: '.list.0', want: undefined },
    'an object': { path: '.spec', want: { replicas: 3 } },
  };
  for (const [name, c] of Object.entries(cases)) assert.deepEqual(getAtPath(obj, c.path), c.want, name);
});

test('writing scale subresource paths', () => {
  const obj: Record<string, unknown> = { spec: { replicas: 3 }, status: null };
  setAtPath(obj, '.spec.replicas', 5);
  setAtPath(obj, '.status.replicas', 4);
  setAtPath(obj, '.a.b.c', { x: 1 });
  assert.deepEqual(obj, { spec: { replicas: 5 }, status: { replicas: 4 }, a: { b: { c: { x: 1 } } } });

  const target: Record<string, unknown> = {};
  const value = { deep: [1] };
  setAtPath(target, '.copy', value);
  value.deep.push(2);
  assert.deepEqual(target, { copy: { deep: [1] } }, 'the value is deep-copied');

  assert.throws(() => setAtPath({ spec: 'x' }, '.spec.replicas', 1), {
    message: 'value cannot be set because .spec is not a map[string]interface{}',
  });
});
