import { test } from 'node:test';
import assert from 'node:assert/strict';
import jsonpatch from 'fast-json-patch';
import { allowed, decodeReview, denied, encodeResponse, errored, patched } from './index.js';

test('patched() on a pod without labels adds the whole map (no missing-parent trap)', () => {
  const pod = { metadata: { name: 'p' } };
  const r = patched(pod, { metadata: { name: 'p', labels: { 'app.kubernetes.io/name': 'x' } } });
  assert.ok(r.allowed);
  assert.deepEqual(r.patch, [{ op: 'add', path: '/metadata/labels', value: { 'app.kubernetes.io/name': 'x' } }]);
  assert.deepEqual(jsonpatch.applyPatch(structuredClone(pod), r.patch!, true, false).newDocument, { metadata: { name: 'p', labels: { 'app.kubernetes.io/name': 'x' } } });
});

test('patched() escapes ~ and / in keys', () => {
  const r = patched({ metadata: { labels: { a: 'b' } } }, { metadata: { labels: { a: 'b', 'x/y~z': 'v' } } });
  assert.ok(r.allowed);
  assert.deepEqual(r.patch, [{ op: 'add', path: '/metadata/labels/x~1y~0z', value: 'v' }]);
});

test('patched() with no change is a plain allow', () => assert.deepEqual(patched({ a: 1 } as never, { a: 1 } as never), { allowed: true }));

test('denied() is a 403 Forbidden by default; errored() a 500', () => {
  assert.deepEqual(denied('no'), { allowed: false, code: 403, reason: 'Forbidden', message: 'no' });
  assert.deepEqual(denied('bad', 422), { allowed: false, code: 422, message: 'bad' });
  assert.deepEqual(errored(new Error('boom')), { allowed: false, code: 500, message: 'boom' });
});

test('encodeResponse: v1 with apiVersion and kind, base64 patch and its type, warnings', () => {
  const body = JSON.parse(encodeResponse('v1', 'u', { allowed: true, patch: [{ op: 'remove', path: '/a' }], warnings: ['w'] }));
  assert.equal(body.apiVersion, 'admission.k8s.io/v1');
  assert.equal(body.kind, 'AdmissionReview');
  assert.deepEqual(JSON.parse(Buffer.from(body.response.patch, 'base64').toString()), [{ op: 'remove', path: '/a' }]);
  assert.equal(body.response.patchType, 'JSONPatch');
  assert.deepEqual(body.response.warnings, ['w']);
});

test('encodeResponse: a denial carries status code, reason and message', () => {
  const body = JSON.parse(encodeResponse('v1beta1', 'u', denied('no')));
  assert.deepEqual(body.response, { uid: 'u', allowed: false, status: { status: 'Failure', code: 403, message: 'no', reason: 'Forbidden' } });
  assert.deepEqual(allowed('w'), { allowed: true, warnings: ['w'] });
});

test('decodeReview: v1 and v1beta1 accepted, anything else explained', () => {
  const req = { uid: 'u', operation: 'CREATE' };
  assert.deepEqual(decodeReview(JSON.stringify({ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: req })), { ok: true, version: 'v1beta1', request: req });
  const bad = decodeReview('{"apiVersion":"admission.k8s.io/v2","kind":"AdmissionReview"}');
  assert.equal(bad.ok, false);
  assert.equal(!bad.ok && bad.message, 'unsupported AdmissionReview version "admission.k8s.io/v2": expected admission.k8s.io/v1 or admission.k8s.io/v1beta1');
  assert.equal(decodeReview('nope').ok, false);
});
