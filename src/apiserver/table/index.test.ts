import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../apimachinery/errors.js';
import { convertToTable, convertorFor, parseIncludeObject, printedKinds, type Convertor, type KubeObject } from './index.js';
import { NOW, ago, obj } from './fixtures.js';

const cm = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '41', creationTimestamp: ago(60), labels: { app: 'x' }, managedFields: [] } as KubeObject['metadata'],
  data: { k: 'v' },
});

test('a Table: kind, apiVersion, list metadata, columns and rows with PartialObjectMetadata', () => {
  const table = convertToTable('', 'ConfigMap', [cm('a'), cm('b')], {
    now: NOW,
    includeObject: 'Metadata',
    resourceVersion: '42',
    continue: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ',
    remainingItemCount: 3,
  });
  assert.equal(table.kind, 'Table');
  assert.equal(table.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(table.metadata, { resourceVersion: '42', continue: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEifQ', remainingItemCount: 3 });
  assert.deepEqual(
    table.columnDefinitions.map((c) => [c.name, c.type, c.format, c.priority]),
    [
      ['Name', 'string', 'name', 0],
      ['Data', 'string', '', 0],
      ['Age', 'string', '', 0],
    ],
  );
  assert.deepEqual(table.rows[0], {
    cells: ['a', 1, '60s'],
    object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: cm('a').metadata },
  });
});

test('includeObject Object embeds the whole object; None leaves it out', () => {
  const whole = convertToTable('', 'ConfigMap', [cm('a')], { now: NOW, includeObject: 'Object', resourceVersion: '1' });
  assert.deepEqual(whole.rows[0].object, cm('a'));
  const none = convertToTable('', 'ConfigMap', [cm('a')], { now: NOW, includeObject: 'None', resourceVersion: '1' });
  assert.equal('object' in none.rows[0], false);
});

test('list metadata: empty resourceVersion and absent continue are omitted', () => {
  const table = convertToTable('', 'ConfigMap', [], { now: NOW, includeObject: 'None', resourceVersion: '' });
  assert.deepEqual(table.metadata, {});
  assert.deepEqual(table.rows, []);
  assert.equal(table.columnDefinitions.length, 3, 'an empty list still carries the columns');
});

test('watch events after the first leave the column definitions out', () => {
  const table = convertToTable('', 'ConfigMap', [cm('a')], { now: NOW, includeObject: 'Metadata', resourceVersion: '7', withHeaders: false });
  assert.deepEqual(table.columnDefinitions, []);
  assert.deepEqual(table.rows[0].cells, ['a', 1, '60s']);
});

test('the same JSON every time: column definitions carry all five fields', () => {
  const json = JSON.parse(JSON.stringify(convertToTable('apps', 'Deployment', [], { now: NOW, includeObject: 'None', resourceVersion: '1' })));
  for (const column of json.columnDefinitions) {
    assert.deepEqual(Object.keys(column).sort(), ['description', 'format', 'name', 'priority', 'type']);
  }
});

test('kinds without a printer get NAME and CREATED AT (an RFC 3339 date, not an age)', () => {
  const role = obj('pod-reader', { rules: [] }, { creationTimestamp: '2024-05-01T10:00:00Z' });
  for (const [group, kind] of [
    ['rbac.authorization.k8s.io', 'Role'],
    ['rbac.authorization.k8s.io', 'ClusterRole'],
    ['', 'LimitRange'],
    ['apiextensions.k8s.io', 'CustomResourceDefinition'],
  ]) {
    const table = convertToTable(group, kind, [role], { now: NOW, includeObject: 'None', resourceVersion: '1' });
    assert.deepEqual(
      table.columnDefinitions.map((c) => [c.name, c.type, c.format]),
      [
        ['Name', 'string', 'name'],
        ['Created At', 'date', ''],
      ],
      kind,
    );
    assert.deepEqual(table.rows[0].cells, ['pod-reader', '2024-05-01T10:00:00Z'], kind);
  }
  assert.deepEqual(convertorFor('', 'LimitRange').cells(obj('x', {}, { creationTimestamp: undefined }), NOW), ['x', '0001-01-01T00:00:00Z']);
});

test('a convertor can be supplied, e.g. for a custom resource', () => {
  const convertor: Convertor = {
    columns: [{ name: 'Name', type: 'string', format: 'name', description: '', priority: 0 }, { name: 'Ready', type: 'boolean', format: '', description: '', priority: 0 }],
    cells: (o) => [o.metadata.name ?? '', o.status?.ready === true],
  };
  const table = convertToTable('example.com', 'Widget', [obj('w', { status: { ready: true } })], { now: NOW, includeObject: 'None', resourceVersion: '1', convertor });
  assert.deepEqual(table.rows[0].cells, ['w', true]);
});

test('every printer: a name column first (events: a wide one), cells line up with columns, nothing throws on a bare object', () => {
  const bare: KubeObject = { metadata: { name: 'bare' } };
  for (const { group, kind } of printedKinds()) {
    const convertor = convertorFor(group, kind);
    const nameColumns = convertor.columns.filter((c) => c.format === 'name' && c.name === 'Name');
    assert.equal(nameColumns.length, 1, `${group}/${kind}`);
    if (kind !== 'Event') assert.equal(convertor.columns[0].name, 'Name', `${group}/${kind}`);
    const row = convertor.cells(bare, NOW);
    assert.equal(row.length, convertor.columns.length, `${group}/${kind}`);
    assert.ok(row.includes('bare') || row.some((c) => typeof c === 'string' && c.startsWith('bare')), `${group}/${kind}`);
    assert.ok(row.every((c) => c === null || ['string', 'number', 'boolean'].includes(typeof c)), `${group}/${kind}`);
  }
});

test('printedKinds covers the kinds kubectl users list most', () => {
  const keys = new Set(printedKinds().map(({ group, kind }) => `${group}/${kind}`));
  for (const key of [
    '/Pod', '/Namespace', '/Node', '/Service', '/Endpoints', '/ConfigMap', '/Secret', '/ServiceAccount', '/Event',
    '/PersistentVolume', '/PersistentVolumeClaim', 'events.k8s.io/Event', 'apps/Deployment', 'apps/ReplicaSet',
    'apps/DaemonSet', 'apps/StatefulSet', 'batch/Job', 'batch/CronJob', 'discovery.k8s.io/EndpointSlice',
    'networking.k8s.io/Ingress', 'networking.k8s.io/IngressClass', 'coordination.k8s.io/Lease',
    'admissionregistration.k8s.io/MutatingWebhookConfiguration', 'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
    'storage.k8s.io/StorageClass', 'storage.k8s.io/CSIDriver', 'policy/PodDisruptionBudget', 'scheduling.k8s.io/PriorityClass',
    'rbac.authorization.k8s.io/RoleBinding', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  ]) {
    assert.ok(keys.has(key), key);
  }
  assert.equal(keys.has('rbac.authorization.k8s.io/Role'), false, 'Role has no printer upstream');
});

test('parseIncludeObject: empty means Metadata; the three values pass', () => {
  assert.equal(parseIncludeObject(undefined), 'Metadata');
  assert.equal(parseIncludeObject(''), 'Metadata');
  for (const value of ['None', 'Metadata', 'Object'] as const) assert.equal(parseIncludeObject(value), value);
});

test('parseIncludeObject: anything else is a 400 BadRequest with the upstream message', () => {
  const cases: Record<string, string> = {
    object: 'unrecognized includeObject value: "object"',
    'a"b': 'unrecognized includeObject value: "a\\"b"',
    'tab\there': 'unrecognized includeObject value: "tab\\there"',
  };
  for (const [value, message] of Object.entries(cases)) {
    assert.throws(
      () => parseIncludeObject(value),
      (err: unknown) => err instanceof StatusError && err.code === 400 && err.reason === 'BadRequest' && err.message === message,
      value,
    );
  }
});
