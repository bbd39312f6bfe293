import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../apimachinery/errors.js';
import { applyWebhookPatch, buildReview, deniedError, reviewVersionFor, verifyResponse } from './index.js';
import type { AdmissionAttributes } from './index.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64');
const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { test: 'label' } }, spec: {} };

describe('verifyResponse', () => {
  const uid = 'u-1';
  const v1 = (response: Record<string, unknown>) => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, ...response } });
  const errors: Record<string, { body: unknown; mutating?: boolean; version?: 'v1' | 'v1beta1'; message: string }> = {
    'no response': { body: {}, message: 'webhook response was absent' },
    'uid mismatch': { body: v1({ uid: 'other', allowed: true }), message: 'expected response.uid="u-1", got "other"' },
    'v1 without apiVersion and kind': {
      body: { response: { uid, allowed: true } },
      message: 'expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got /, Kind=',
    },
    'patch without patchType': { body: v1({ allowed: true, patch: b64([]) }), mutating: true, message: 'webhook returned response.patch but not response.patchType' },
    'patchType without patch': { body: v1({ allowed: true, patchType: 'JSONPatch' }), mutating: true, message: 'webhook returned response.patchType but not response.patch' },
    'validating webhook with a patch': { body: v1({ allowed: true, patch: b64([]), patchType: 'JSONPatch' }), message: 'validating webhook may not return response.patch' },
    'validating webhook with a patchType': { body: v1({ allowed: true, patchType: 'JSONPatch' }), message: 'validating webhook may not return response.patchType' },
  };
  for (const [name, c] of Object.entries(errors)) {
    test(name, () => assert.throws(() => verifyResponse(c.body, uid, c.version ?? 'v1', c.mutating ?? false), { message: c.message }));
  }
  test('v1beta1: a bare `response` (the seed’s reply) is accepted', () => {
    const r = verifyResponse({ response: { uid, allowed: true, patch: b64([{ op: 'add', path: '/a', value: 1 }]), patchType: 'JSONPatch' } }, uid, 'v1beta1', true);
    assert.equal(r.allowed, true);
    assert.equal(r.patch, '[{"op":"add","path":"/a","value":1}]');
  });
  test('allowed missing means denied; warnings kept', () => {
    const r = verifyResponse(v1({ warnings: ['w1'] }), uid, 'v1', false);
    assert.equal(r.allowed, false);
    assert.deepEqual(r.warnings, ['w1']);
  });
});

describe('deniedError (ToStatusErr)', () => {
  const cases: Record<string, { status: Parameters<typeof deniedError>[1]; code: number; reason: string; message: string }> = {
    'message and reason': { status: { code: 403, reason: 'Forbidden', message: 'no' }, code: 403, reason: 'Forbidden', message: 'admission webhook "x.io" denied the request: no' },
    'reason only': { status: { reason: 'Forbidden' }, code: 400, reason: 'Forbidden', message: 'admission webhook "x.io" denied the request: Forbidden' },
    'nothing': { status: undefined, code: 400, reason: '', message: 'admission webhook "x.io" denied the request without explanation' },
    'a success code is raised to 400': { status: { code: 200, message: 'm' }, code: 400, reason: '', message: 'admission webhook "x.io" denied the request: m' },
    'a 422 is kept': { status: { code: 422, message: 'm' }, code: 422, reason: '', message: 'admission webhook "x.io" denied the request: m' },
  };
  for (const [name, c] of Object.entries(cases)) {
    test(name, () => {
      const e = deniedError('x.io', c.status);
      assert.deepEqual([e.code, e.reason, e.message], [c.code, c.reason, c.message]);
    });
  }
});

describe('applyWebhookPatch', () => {
  test('the single-key add of the seed', () => {
    const out = applyWebhookPatch('h', structuredClone(pod), JSON.stringify([{ op: 'add', path: '/metadata/labels/thisisanewlabel', value: 'hello' }]), 'JSONPatch');
    assert.deepEqual(out?.metadata.labels, { test: 'label', thisisanewlabel: 'hello' });
  });
  const failures: Record<string, { doc: any; patch: string; message: string }> = {
    'missing parent path': {
      doc: { ...pod, metadata: { name: 'p' } },
      patch: JSON.stringify([{ op: 'add', path: '/metadata/labels/x', value: 'y' }]),
      message: 'Internal error occurred: add operation does not apply: doc is missing path: "/metadata/labels/x": missing value',
    },
    'not JSON': { doc: pod, patch: 'xyz', message: "Internal error occurred: invalid character 'x' looking for beginning of value" },
    'not a list': { doc: pod, patch: '{}', message: 'Internal error occurred: json: cannot unmarshal object into Go value of type jsonpatch.Patch' },
    'a label value that is not a string': {
      doc: pod,
      patch: JSON.stringify([{ op: 'add', path: '/metadata/labels/n', value: 1 }]),
      message: 'Internal error occurred: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string',
    },
  };
  for (const [name, c] of Object.entries(failures)) {
    test(name, () => {
      assert.throws(() => applyWebhookPatch('h', structuredClone(c.doc), c.patch, 'JSONPatch'), (e: unknown) => {
        assert.ok(e instanceof StatusError);
        assert.equal(e.code, 500);
        assert.equal(e.message, c.message);
        return true;
      });
    });
  }
  test('a patch on DELETE (no object)', () =>
    assert.throws(() => applyWebhookPatch('h.io', undefined, JSON.stringify([{ op: 'remove', path: '/a' }]), 'JSONPatch'), {
      message: 'Internal error occurred: admission webhook "h.io" attempted to modify the object, which is not supported for this operation',
    }));
  test('an empty patch changes nothing', () => assert.equal(applyWebhookPatch('h', pod as never, '[]', 'JSONPatch'), pod));
});

describe('buildReview', () => {
  const attrs: AdmissionAttributes = {
    operation: 'CREATE',
    kind: { group: '', version: 'v1', kind: 'Pod' },
    resource: { group: '', version: 'v1', resource: 'pods' },
    subresource: '',
    namespace: 'ns',
    name: '',
    object: pod as never,
    dryRun: true,
    options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
    userInfo: { username: 'system:admin', groups: ['system:masters'] },
  };
  test('v1 request fields; no name with generateName; oldObject null on create', () => {
    const review = buildReview('u', 'v1', attrs, { kind: attrs.kind, resource: attrs.resource, subresource: '' });
    assert.equal(review.apiVersion, 'admission.k8s.io/v1');
    assert.equal(review.request?.name, undefined);
    assert.equal(review.request?.oldObject, null);
    assert.equal(review.request?.dryRun, true);
    assert.deepEqual(review.request?.requestKind, { group: '', version: 'v1', kind: 'Pod' });
  });
  test('review version: the first the webhook lists that kube speaks', () => {
    assert.equal(reviewVersionFor({ name: 'h', clientConfig: {}, admissionReviewVersions: ['v2', 'v1beta1', 'v1'] }), 'v1beta1');
    assert.equal(reviewVersionFor({ name: 'h', clientConfig: {}, admissionReviewVersions: ['v2'] }), undefined);
  });
});
