import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  alreadyExists,
  badRequest,
  conflict,
  expired,
  fieldError,
  forbidden,
  invalid,
  isStatusError,
  notFound,
  OBJECT_MODIFIED,
  qualifiedName,
  routeNotFound,
  StatusError,
  tooOldResourceVersion,
  unsupportedMediaType,
} from './errors.js';

test('errors carry kube-apiserver codes, reasons and messages', () => {
  const cases: Record<string, { err: StatusError; code: number; reason: string; message: string }> = {
    'not found, grouped resource': {
      err: notFound({ group: 'apps', resource: 'deployments' }, 'web'),
      code: 404,
      reason: 'NotFound',
      message: 'deployments.apps "web" not found',
    },
    'not found, core resource': {
      err: notFound({ group: '', resource: 'namespaces' }, 'x'),
      code: 404,
      reason: 'NotFound',
      message: 'namespaces "x" not found',
    },
    'already exists': {
      err: alreadyExists({ group: '', resource: 'pods' }, 'dup'),
      code: 409,
      reason: 'AlreadyExists',
      message: 'pods "dup" already exists',
    },
    'stale update': {
      err: conflict({ group: 'apps', resource: 'deployments' }, 'web', OBJECT_MODIFIED),
      code: 409,
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    },
    'invalid, one cause': {
      err: invalid('Pod', '', 'x', [fieldError.required('spec.containers')]),
      code: 422,
      reason: 'Invalid',
      message: 'Pod "x" is invalid: spec.containers: Required value',
    },
    'invalid, several causes': {
      err: invalid('Pod', '', 'x', [
        fieldError.required('spec.containers'),
        fieldError.invalid('metadata.name', 'X', 'bad name'),
      ]),
      code: 422,
      reason: 'Invalid',
      message: 'Pod "x" is invalid: [spec.containers: Required value, metadata.name: Invalid value: "X": bad name]',
    },
    // field.ErrorList.ToAggregate drops repeated messages; one left means no brackets.
    'invalid, repeated cause': {
      err: invalid('Pod', '', 'x', [fieldError.required('spec.containers'), fieldError.required('spec.containers')]),
      code: 422,
      reason: 'Invalid',
      message: 'Pod "x" is invalid: spec.containers: Required value',
    },
    'invalid, grouped kind': {
      err: invalid('Deployment', 'apps', 'web', [fieldError.required('spec.selector')]),
      code: 422,
      reason: 'Invalid',
      message: 'Deployment.apps "web" is invalid: spec.selector: Required value',
    },
    'too old resource version': {
      err: tooOldResourceVersion(5, 10),
      code: 410,
      reason: 'Expired',
      message: 'too old resource version: 5 (10)',
    },
    expired: { err: expired('gone away'), code: 410, reason: 'Expired', message: 'gone away' },
    'terminating namespace': {
      err: forbidden('unable to create new content in namespace x because it is being terminated'),
      code: 403,
      reason: 'Forbidden',
      message: 'unable to create new content in namespace x because it is being terminated',
    },
    'bad request': { err: badRequest('unrecognized includeObject value'), code: 400, reason: 'BadRequest', message: 'unrecognized includeObject value' },
    'missing route': {
      err: routeNotFound(),
      code: 404,
      reason: 'NotFound',
      message: 'the server could not find the requested resource',
    },
    'unsupported patch type': {
      err: unsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json']),
      code: 415,
      reason: 'UnsupportedMediaType',
      message:
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json',
    },
  };
  // Compared as a whole, so one run shows every case that differs.
  const got: Record<string, unknown> = {};
  const want: Record<string, unknown> = {};
  for (const [name, c] of Object.entries(cases)) {
    assert.ok(isStatusError(c.err), name);
    got[name] = { code: c.err.code, reason: c.err.reason, message: c.err.message };
    want[name] = { code: c.code, reason: c.reason, message: c.message };
  }
  assert.deepEqual(got, want);
});

test('field error messages are worded as field.Error.ErrorBody', () => {
  const cases: Record<string, { err: ReturnType<typeof fieldError.required>; type: string; message: string }> = {
    required: { err: fieldError.required('spec.x'), type: 'FieldValueRequired', message: 'Required value' },
    'required with detail': { err: fieldError.required('spec.x', 'must be set'), type: 'FieldValueRequired', message: 'Required value: must be set' },
    'invalid string': { err: fieldError.invalid('spec.x', 'abc', 'bad'), type: 'FieldValueInvalid', message: 'Invalid value: "abc": bad' },
    'invalid number': { err: fieldError.invalid('spec.x', 30080, 'bad'), type: 'FieldValueInvalid', message: 'Invalid value: 30080: bad' },
    'invalid boolean': { err: fieldError.invalid('spec.x', true, 'bad'), type: 'FieldValueInvalid', message: 'Invalid value: true: bad' },
    // Go prints composite values with %#v: that is what kubectl shows for clusterIPs and template labels.
    'invalid string list': {
      err: fieldError.invalid('spec.clusterIPs', ['10.0.0.5'], 'bad'),
      type: 'FieldValueInvalid',
      message: 'Invalid value: []string{"10.0.0.5"}: bad',
    },
    'invalid string map': {
      err: fieldError.invalid('spec.template.metadata.labels', { app: 'web', tier: 'fe' }, 'bad'),
      type: 'FieldValueInvalid',
      message: 'Invalid value: map[string]string{"app":"web", "tier":"fe"}: bad',
    },
    'not supported': {
      err: fieldError.notSupported('spec.type', 'Foo', ['ClusterIP', 'NodePort']),
      type: 'FieldValueNotSupported',
      message: 'Unsupported value: "Foo": supported values: "ClusterIP", "NodePort"',
    },
    duplicate: { err: fieldError.duplicate('spec.x', 'a'), type: 'FieldValueDuplicate', message: 'Duplicate value: "a"' },
    forbidden: { err: fieldError.forbidden('spec.x', 'may not be set'), type: 'FieldValueForbidden', message: 'Forbidden: may not be set' },
    'too long': { err: fieldError.tooLong('metadata.annotations', 262144), type: 'FieldValueTooLong', message: 'Too long: may not be more than 262144 bytes' },
  };
  const got: Record<string, unknown> = {};
  const want: Record<string, unknown> = {};
  for (const [name, c] of Object.entries(cases)) {
    got[name] = { type: c.err.type, message: c.err.message };
    want[name] = { type: c.type, message: c.message };
  }
  assert.deepEqual(got, want);
});

test('qualified resource names', () => {
  assert.equal(qualifiedName({ group: 'apps', resource: 'deployments' }), 'deployments.apps');
  assert.equal(qualifiedName({ group: '', resource: 'pods' }), 'pods');
});

test('Status shape', () => {
  const notFoundStatus = JSON.parse(JSON.stringify(notFound({ group: 'apps', resource: 'deployments' }, 'web').toStatus()));
  assert.deepEqual(notFoundStatus, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'deployments.apps "web" not found',
    reason: 'NotFound',
    details: { name: 'web', group: 'apps', kind: 'deployments' },
    code: 404,
  });

  const invalidStatus = invalid('Pod', '', 'bad-invalid', [
    fieldError.required('spec.containers[0].image'),
    fieldError.invalid('metadata.labels', 'a b', 'bad value'),
  ]).toStatus();
  assert.equal(invalidStatus.kind, 'Status');
  assert.equal(invalidStatus.status, 'Failure');
  assert.equal(invalidStatus.code, 422);
  assert.equal(invalidStatus.reason, 'Invalid');
  // NewInvalid names the kind (not the resource) in details, and one cause per field error.
  assert.deepEqual(invalidStatus.details, {
    name: 'bad-invalid',
    group: '',
    kind: 'Pod',
    causes: [
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: "a b": bad value', field: 'metadata.labels' },
    ],
  });

  // A plain bad request has no details.
  const plain = badRequest('nope');
  assert.ok(plain instanceof Error);
  assert.deepEqual(plain.toStatus(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'nope', reason: 'BadRequest', code: 400 });
});
