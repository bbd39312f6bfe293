import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeResponse, injectLabel, type AdmissionRequest } from '../index.js';

function request(metadata: Record<string, unknown>): AdmissionRequest {
  return {
    uid: 'u',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    operation: 'CREATE',
    namespace: 'mwc-test',
    object: { apiVersion: 'v1', kind: 'Pod', metadata },
  };
}

const cases: Record<string, { metadata: Record<string, unknown>; patch: unknown }> = {
  'a labelled pod: the single-key add': { metadata: { labels: { test: 'label' } }, patch: [{ op: 'add', path: '/metadata/labels/thisisanewlabel', value: 'hello' }] },
  'no labels: the whole map': { metadata: {}, patch: [{ op: 'add', path: '/metadata/labels', value: { thisisanewlabel: 'hello' } }] },
  'an empty map: the whole map too': { metadata: { labels: {} }, patch: [{ op: 'add', path: '/metadata/labels', value: { thisisanewlabel: 'hello' } }] },
  'an existing thisisanewlabel is overwritten by the add': { metadata: { labels: { thisisanewlabel: 'old' } }, patch: [{ op: 'add', path: '/metadata/labels/thisisanewlabel', value: 'hello' }] },
  'excluded by annotation "true"': { metadata: { labels: { a: 'b' }, annotations: { 'mwc-example.jasonrichardsmith.com.exclude': 'true' } }, patch: undefined },
  'annotation "false" does not exclude': {
    metadata: { labels: { a: 'b' }, annotations: { 'mwc-example.jasonrichardsmith.com.exclude': 'false' } },
    patch: [{ op: 'add', path: '/metadata/labels/thisisanewlabel', value: 'hello' }],
  },
};
for (const [name, c] of Object.entries(cases)) {
  test(name, () => {
    const result = injectLabel(request(c.metadata));
    assert.equal(result.allowed, true);
    assert.deepEqual(result.allowed && result.patch, c.patch ?? undefined);
  });
}

test('on the wire: the base64 of the seed’s example response', () => {
  const body = JSON.parse(encodeResponse('v1beta1', 'u', injectLabel(request({ labels: { test: 'label' } }))));
  assert.equal(body.response.patch, 'W3sib3AiOiJhZGQiLCJwYXRoIjoiL21ldGFkYXRhL2xhYmVscy90aGlzaXNhbmV3bGFiZWwiLCJ2YWx1ZSI6ImhlbGxvIn1d');
  assert.equal(body.response.patchType, 'JSONPatch');
  assert.equal(body.response.uid, 'u');
});

test('excluded: no patch and no patchType on the wire', () => {
  const body = JSON.parse(encodeResponse('v1', 'u', injectLabel(request({ annotations: { 'mwc-example.jasonrichardsmith.com.exclude': 'true' } }))));
  assert.deepEqual(body.response, { uid: 'u', allowed: true });
});
