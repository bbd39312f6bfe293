import { test } from 'node:test';
import assert from 'node:assert/strict';
import { managerFromUserAgent, validateApplyRequest, validateFieldManager, validateManagedFields } from './index.js';

interface StatusLike {
  code: number;
  reason: string;
  message: string;
  details?: unknown;
}

function caught(fn: () => unknown): StatusLike | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    assert.ok(e instanceof Error && e.name === 'StatusError', String(e));
    return e as unknown as StatusLike;
  }
}

test('managerFromUserAgent takes what precedes the first slash', async (t) => {
  const cases: Record<string, { ua: string | undefined; want: string }> = {
    'kubectl': { ua: 'kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9', want: 'kubectl' },
    'a controller': { ua: 'kube-controller-manager/v1.32.0 (linux/amd64) kubernetes/70d3cc9/system:serviceaccount:kube-system:deployment-controller', want: 'kube-controller-manager' },
    'no slash': { ua: 'curl 8.0', want: 'curl 8.0' },
    'unprintable characters are dropped': { ua: 'my\u0007tool\u00a0x/1', want: 'mytoolx' },
    'cut to 128 bytes': { ua: `${'a'.repeat(127)}é/1`, want: 'a'.repeat(127) },
    'none': { ua: undefined, want: '' },
  };
  for (const [name, { ua, want }] of Object.entries(cases)) await t.test(name, () => assert.equal(managerFromUserAgent(ua), want));
});

test('validateApplyRequest refuses what kube refuses', async (t) => {
  const cases: Record<string, { fieldManager: string | undefined; want: StatusLike | undefined }> = {
    'missing': {
      fieldManager: undefined,
      want: {
        code: 422,
        reason: 'Invalid',
        message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
        details: {
          name: '',
          group: 'meta.k8s.io',
          kind: 'PatchOptions',
          causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
        },
      },
    },
    'empty': {
      fieldManager: '',
      want: {
        code: 422,
        reason: 'Invalid',
        message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      },
    },
    'too long': {
      fieldManager: 'm'.repeat(129),
      want: { code: 422, reason: 'Invalid', message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes' },
    },
    'unprintable': {
      fieldManager: 'ab\u0007',
      want: { code: 422, reason: 'Invalid', message: 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "ab\\a": invalid character U+0007 (at position 2)' },
    },
    'kubectl': { fieldManager: 'kubectl', want: undefined },
  };
  for (const [name, { fieldManager, want }] of Object.entries(cases)) {
    await t.test(name, () => {
      const got = caught(() => validateApplyRequest(fieldManager));
      if (!want) return assert.equal(got, undefined);
      assert.ok(got);
      assert.equal(got.code, want.code);
      assert.equal(got.reason, want.reason);
      assert.equal(got.message, want.message);
      if (want.details) assert.deepEqual((got as unknown as { toStatus(): { details: unknown } }).toStatus().details, want.details);
    });
  }
});

test('validateFieldManager allows an empty manager outside apply', async (t) => {
  await t.test('empty', () => assert.equal(caught(() => validateFieldManager('', 'UpdateOptions')), undefined));
  await t.test('too long', () =>
    assert.equal(caught(() => validateFieldManager('x'.repeat(200), 'CreateOptions'))?.message, 'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes'),
  );
});

test('validateManagedFields reports what object-meta validation reports', () => {
  assert.deepEqual(
    validateManagedFields([
      { manager: 'ok', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} },
      { manager: 'x', operation: 'Replace', fieldsType: 'FieldsV2' },
      { manager: 'y'.repeat(129), operation: 'Apply', subresource: 's'.repeat(257) },
    ]),
    [
      { type: 'FieldValueInvalid', field: 'metadata.managedFields[1].operation', message: 'Invalid value: "Replace": must be `Apply` or `Update`' },
      { type: 'FieldValueInvalid', field: 'metadata.managedFields[1].fieldsType', message: 'Invalid value: "FieldsV2": must be `FieldsV1`' },
      { type: 'FieldValueTooLong', field: 'metadata.managedFields[2].manager', message: 'Too long: may not be more than 128 bytes' },
      { type: 'FieldValueTooLong', field: 'metadata.managedFields[2].subresource', message: 'Too long: may not be more than 256 bytes' },
    ],
  );
});
