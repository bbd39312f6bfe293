import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainResponse, reviewFor } from './index.js';

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', labels: { test: 'label' } } };

test('reviewFor: a v1 CREATE review of the object', () => {
  const review = reviewFor(pod, { uid: 'u' }) as { request: Record<string, any> };
  assert.deepEqual(review.request.resource, { group: '', version: 'v1', resource: 'pods' });
  assert.equal(review.request.namespace, 'ns');
  assert.equal(review.request.oldObject, null);
  assert.deepEqual((reviewFor({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' }) as { request: Record<string, any> }).request.resource, { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses' });
});

test('explainResponse: the patch decoded and applied', () => {
  const patch = Buffer.from('[{"op":"add","path":"/metadata/labels/thisisanewlabel","value":"hello"}]').toString('base64');
  const report = explainResponse(pod, { response: { uid: 'u', allowed: true, patch, patchType: 'JSONPatch' } }, 'u');
  assert.deepEqual(report.response.patch, [{ op: 'add', path: '/metadata/labels/thisisanewlabel', value: 'hello' }]);
  assert.deepEqual((report.patched as typeof pod).metadata.labels, { test: 'label', thisisanewlabel: 'hello' });
});

test('explainResponse: a patch that does not apply, and a wrong uid', () => {
  const patch = Buffer.from('[{"op":"add","path":"/spec/x/y","value":1}]').toString('base64');
  assert.match(explainResponse(pod, { response: { uid: 'u', allowed: true, patch, patchType: 'JSONPatch' } }, 'u').problem ?? '', /^the patch does not apply: /);
  assert.equal(explainResponse(pod, { response: { uid: 'x', allowed: true } }, 'u').problem, 'expected response.uid="u", got "x"');
});
