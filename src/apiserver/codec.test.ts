import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../apimachinery/object.js';
import { copySpliced, decodeFromStorage, encodeForStorage, metadataOpenEnd, splicedByteLength, storedTextWithResourceVersion } from './codec.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** The object as the API returns it: resourceVersion first in metadata, as the splice puts it. */
function withResourceVersion(obj: KubeObject, rv: number): KubeObject {
  const { apiVersion, kind, metadata, ...rest } = obj;
  const { resourceVersion: _rv, selfLink: _sl, ...meta } = metadata;
  return { apiVersion, kind, metadata: { resourceVersion: String(rv), ...meta }, ...rest };
}

const objects: Record<string, KubeObject> = {
  'configmap with data': {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'c', namespace: 'ns', uid: 'u-1', resourceVersion: '99', labels: { app: 'web' } },
    data: { key: 'value' },
  },
  'fields out of order': {
    spec: { replicas: 2 },
    metadata: { name: 'web', namespace: 'ns' },
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    status: {},
  },
  'empty metadata': { apiVersion: 'v1', kind: 'Namespace', metadata: {} },
  'metadata-like text in values': {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'tricky',
      namespace: 'ns',
      annotations: { note: '"metadata":{"resourceVersion":"1"}', other: '{"metadata":{}}' },
    },
    data: { 'x.json': '{"metadata":{"name":"inner"}}' },
  },
  'metadata-like text in kind': {
    apiVersion: 'example.com/v1',
    kind: 'Weird","metadata":{',
    metadata: { name: 'w' },
  },
  'nested template metadata': {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'ns' },
    spec: { template: { metadata: { labels: { app: 'web' } }, spec: { containers: [] } } },
  },
  'selfLink is dropped': {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', selfLink: '/api/v1/namespaces/ns/pods/p' },
  },
};

test('stored text has no resourceVersion and starts with apiVersion, kind, metadata', () => {
  for (const [name, obj] of Object.entries(objects)) {
    const stored = JSON.parse(text(encodeForStorage(obj))) as KubeObject;
    assert.equal(stored.metadata.resourceVersion, undefined, name);
    assert.equal(stored.metadata.selfLink, undefined, name);
    assert.deepEqual(Object.keys(stored).slice(0, 3), ['apiVersion', 'kind', 'metadata'], name);
  }
  // The caller's object is left alone.
  assert.equal(objects['configmap with data'].metadata.resourceVersion, '99');
});

test('splicing the resourceVersion gives the JSON of the object with it', () => {
  for (const [name, obj] of Object.entries(objects)) {
    const spliced = storedTextWithResourceVersion(encodeForStorage(obj), 42);
    const want = withResourceVersion(obj, 42);
    assert.equal(spliced, JSON.stringify(want), name);
    assert.deepEqual(JSON.parse(spliced), want, name);
  }
});

test('splicing into a list buffer writes exactly the spliced text, at an offset', () => {
  const all: Record<string, KubeObject> = {
    ...objects,
    'multi-byte text': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'é', annotations: { n: '日本\u{1F600}' } }, data: { k: 'ü' } },
  };
  for (const [name, obj] of Object.entries(all)) {
    for (const rv of [7, 42, 1234567890123]) {
      const stored = encodeForStorage(obj);
      const at = metadataOpenEnd(stored);
      const want = Buffer.from(storedTextWithResourceVersion(stored, rv));
      assert.equal(splicedByteLength(stored, at, rv), want.length, name);
      const target = Buffer.alloc(want.length + 5, 0x2a);
      assert.equal(copySpliced(stored, at, rv, target, 3), 3 + want.length, name);
      assert.deepEqual(target.subarray(3, 3 + want.length), want, name);
      assert.equal(target.subarray(0, 3).toString(), '***', name);
      assert.equal(target.subarray(3 + want.length).toString(), '**', name);
    }
  }
  assert.throws(() => metadataOpenEnd(new TextEncoder().encode('{"kind":"X"}')), /no metadata/);
});

test('empty metadata gets only the resourceVersion', () => {
  const spliced = storedTextWithResourceVersion(encodeForStorage({ apiVersion: 'v1', kind: 'Namespace', metadata: {} }), 7);
  assert.equal(spliced, '{"apiVersion":"v1","kind":"Namespace","metadata":{"resourceVersion":"7"}}');
});

test('values that look like metadata are not touched', () => {
  const obj = objects['metadata-like text in values'];
  const parsed = JSON.parse(storedTextWithResourceVersion(encodeForStorage(obj), 5)) as KubeObject;
  assert.equal(parsed.metadata.resourceVersion, '5');
  assert.deepEqual(parsed.metadata.annotations, obj.metadata.annotations);
  assert.deepEqual(parsed.data, obj.data);
  const weird = JSON.parse(storedTextWithResourceVersion(encodeForStorage(objects['metadata-like text in kind']), 6)) as KubeObject;
  assert.equal(weird.kind, 'Weird","metadata":{');
  assert.deepEqual(weird.metadata, { resourceVersion: '6', name: 'w' });
});

test('decoding sets the resourceVersion from the revision', () => {
  for (const [name, obj] of Object.entries(objects)) {
    const decoded = decodeFromStorage(encodeForStorage(obj), 1234);
    assert.deepEqual(decoded, withResourceVersion(obj, 1234), name);
  }
});
