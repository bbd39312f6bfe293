import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultWebhookConfiguration, validateWebhookConfiguration } from './index.js';

const base = (apiVersion: string, kind = 'MutatingWebhookConfiguration') => ({
  apiVersion,
  kind,
  metadata: { name: 'c' },
  webhooks: [{ name: 'h.example.com', clientConfig: { service: { namespace: 'n', name: 's' } }, rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }] }] as any[],
});

describe('defaults by version', () => {
  test('v1', () => {
    const obj = base('admissionregistration.k8s.io/v1');
    defaultWebhookConfiguration(obj);
    const h = obj.webhooks[0];
    assert.deepEqual(
      [h.failurePolicy, h.matchPolicy, h.timeoutSeconds, h.sideEffects, h.admissionReviewVersions, h.reinvocationPolicy, h.rules[0].scope, h.clientConfig.service.port, h.namespaceSelector, h.objectSelector],
      ['Fail', 'Equivalent', 10, undefined, undefined, 'Never', '*', 443, {}, {}],
    );
  });
  test('v1beta1 (the seed era)', () => {
    const obj = base('admissionregistration.k8s.io/v1beta1');
    defaultWebhookConfiguration(obj);
    const h = obj.webhooks[0];
    assert.deepEqual([h.failurePolicy, h.matchPolicy, h.timeoutSeconds, h.sideEffects, h.admissionReviewVersions], ['Ignore', 'Exact', 30, 'Unknown', ['v1beta1']]);
  });
  test('validating configurations get no reinvocationPolicy', () => {
    const obj = base('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration');
    defaultWebhookConfiguration(obj);
    assert.equal(obj.webhooks[0].reinvocationPolicy, undefined);
  });
});

describe('validation', () => {
  const v1 = (hook: Record<string, unknown>) => {
    const obj = base('admissionregistration.k8s.io/v1');
    Object.assign(obj.webhooks[0], { sideEffects: 'None', admissionReviewVersions: ['v1'] }, hook);
    return validateWebhookConfiguration(obj).map((e) => `${e.field}: ${e.message}`);
  };
  test('a complete v1 webhook is valid', () => assert.deepEqual(v1({}), []));
  test('v1 requires sideEffects None or NoneOnDryRun', () =>
    assert.deepEqual(v1({ sideEffects: 'Some' }), ['webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"']));
  test('v1 requires admissionReviewVersions', () =>
    assert.deepEqual(v1({ admissionReviewVersions: undefined }), ['webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1']));
  test('a URL must be https without a query', () =>
    assert.deepEqual(v1({ clientConfig: { url: 'http://x.example.com/a?b=c' } }), [
      "webhooks[0].clientConfig.url: Invalid value: \"http://x.example.com/a?b=c\": 'https' is the only allowed URL scheme",
      'webhooks[0].clientConfig.url: Invalid value: "http://x.example.com/a?b=c": query parameters are not permitted in the URL',
    ]));
  test('timeoutSeconds between 1 and 30', () =>
    assert.deepEqual(v1({ timeoutSeconds: 31 }), ['webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds']));
  test('matchConditions are refused, not ignored', () =>
    assert.deepEqual(v1({ matchConditions: [{ name: 'c', expression: 'true' }] }), [
      'webhooks[0].matchConditions: Forbidden: matchConditions (CEL expressions) are not supported by this server',
    ]));
  test('v1beta1 accepts sideEffects Unknown', () => {
    const obj = base('admissionregistration.k8s.io/v1beta1');
    defaultWebhookConfiguration(obj);
    assert.deepEqual(validateWebhookConfiguration(obj), []);
  });
});
