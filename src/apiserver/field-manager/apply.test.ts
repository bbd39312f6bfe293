import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apply, builtinListMeta, LAST_APPLIED_ANNOTATION, recordUpdate, type ApplyInput, type ApplyResult, type ManagedFieldsEntry } from './index.js';

type Obj = Record<string, unknown>;

/** The StatusError fields the API server renders (checked structurally: tests import only the module). */
interface StatusLike {
  name: string;
  code: number;
  reason: string;
  message: string;
  details?: { causes?: { reason: string; message: string; field?: string }[] };
}
const isStatus = (e: unknown): e is StatusLike => e instanceof Error && e.name === 'StatusError';

function assertStatus(fn: () => unknown, want: { code: number; reason: string; message: string; causes?: StatusLike['details'] }): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isStatus(e), `not a StatusError: ${String(e)}`);
    assert.equal(e.code, want.code, e.message);
    assert.equal(e.reason, want.reason);
    assert.equal(e.message, want.message);
    if (want.causes) assert.deepEqual(e.details, want.causes);
    return true;
  });
}

const DEPLOY = builtinListMeta('apps', 'Deployment');
const CM = builtinListMeta('', 'ConfigMap');
const T0 = '2024-01-01T00:00:00Z';
const T1 = '2024-01-01T00:01:00Z';
const T2 = '2024-01-01T00:02:00Z';

function configMap(data: Obj, metadata: Obj = {}): Obj {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', ...metadata }, data };
}

function deployment(spec: { replicas?: number; containers: Obj[] }, metadata: Obj = {}): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', ...metadata },
    spec: {
      ...(spec.replicas !== undefined ? { replicas: spec.replicas } : {}),
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: spec.containers } },
    },
  };
}

const containersOf = (o: Obj) => ((o.spec as Obj).template as { spec: { containers: Obj[] } }).spec.containers;

/** Applies configs in turn, each onto the previous result. */
function applyAll(first: Omit<ApplyInput, 'config'>, configs: Obj[]): ApplyResult {
  let result: ApplyResult | undefined;
  configs.forEach((config, i) => {
    result = apply({ ...first, live: result?.object ?? first.live, config, now: `2024-01-01T00:0${i}:00Z` });
  });
  return result!;
}

function entry(manager: string, operation: 'Apply' | 'Update', apiVersion: string, time: string | undefined, fieldsV1: Obj, subresource?: string): ManagedFieldsEntry {
  return { manager, operation, apiVersion, ...(time ? { time } : {}), fieldsType: 'FieldsV1', fieldsV1, ...(subresource ? { subresource } : {}) };
}

// ---------------------------------------------------------------------------------------------

test('fields the manager stops applying are removed', async (t) => {
  await t.test('ConfigMap data {a, b} then {a}', () => {
    const r = applyAll({ manager: 'kubectl', apiVersion: 'v1', force: false, now: T0, listMeta: CM }, [configMap({ a: '1', b: '2' }), configMap({ a: '1' })]);
    assert.deepEqual(r.object.data, { a: '1' });
    assert.deepEqual(r.managedFields, [entry('kubectl', 'Apply', 'v1', '2024-01-01T00:01:00Z', { 'f:data': { 'f:a': {} } })]);
  });

  await t.test('containers [nginx], then [nginx, sidecar], then [sidecar]', () => {
    const nginx = { name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }] };
    const sidecar = { name: 'sidecar', image: 'busybox' };
    const base = { manager: 'kubectl', apiVersion: 'apps/v1', force: false, now: T0, listMeta: DEPLOY };
    const one = apply({ ...base, config: deployment({ containers: [nginx] }) });
    const two = apply({ ...base, live: one.object, config: deployment({ containers: [nginx, sidecar] }) });
    // The server defaults fields nobody owns; removing an item must not take them from the items that stay.
    const defaulted = structuredClone(two.object);
    for (const c of containersOf(defaulted)) c.imagePullPolicy = 'IfNotPresent';
    const three = apply({ ...base, live: defaulted, config: deployment({ containers: [sidecar] }) });
    assert.deepEqual(containersOf(three.object), [{ name: 'sidecar', image: 'busybox', imagePullPolicy: 'IfNotPresent' }]);
    const containers = (((three.managedFields[0].fieldsV1['f:spec'] as Obj)['f:template'] as Obj)['f:spec'] as Obj)['f:containers'];
    assert.deepEqual(containers, { 'k:{"name":"sidecar"}': { '.': {}, 'f:image': {}, 'f:name': {} } });
  });

  await t.test('a port re-keyed by protocol replaces the old item', () => {
    const r = applyAll({ manager: 'kubectl', apiVersion: 'apps/v1', force: false, now: T0, listMeta: DEPLOY }, [
      deployment({ containers: [{ name: 'dns', ports: [{ containerPort: 53 }] }] }),
      deployment({ containers: [{ name: 'dns', ports: [{ containerPort: 53, protocol: 'UDP' }] }] }),
    ]);
    assert.deepEqual(containersOf(r.object), [{ name: 'dns', ports: [{ containerPort: 53, protocol: 'UDP' }] }]);
  });

  await t.test('a field another manager changed since stays with it', () => {
    const base = { apiVersion: 'v1', force: false, now: T0, listMeta: CM };
    const applied = apply({ ...base, manager: 'a', config: configMap({ x: '1', y: '1' }) });
    const changed: Obj = { ...applied.object, data: { x: '1', y: '2' } };
    const managedFields = recordUpdate({ live: applied.object, updated: changed, manager: 'editor', apiVersion: 'v1', now: T1, listMeta: CM });
    const r = apply({ ...base, manager: 'a', live: { ...changed, metadata: { ...(changed.metadata as Obj), managedFields } }, config: configMap({ x: '1' }), now: T2 });
    assert.deepEqual(r.object.data, { x: '1', y: '2' });
  });

  await t.test('an item the manager alone put in goes, even with fields another manager changed', () => {
    const base = { apiVersion: 'apps/v1', force: false, listMeta: DEPLOY };
    const applied = apply({ ...base, manager: 'a', now: T0, config: deployment({ containers: [{ name: 'nginx', image: 'nginx:1.0' }, { name: 'log', image: 'busybox' }] }) });
    const edited = structuredClone(applied.object);
    containersOf(edited)[0].image = 'nginx:1.1';
    (edited.metadata as Obj).managedFields = recordUpdate({ live: applied.object, updated: edited, manager: 'kubectl-set', apiVersion: 'apps/v1', now: T1, listMeta: DEPLOY });
    const r = apply({ ...base, manager: 'a', now: T2, live: edited, config: deployment({ containers: [{ name: 'log', image: 'busybox' }] }) });
    assert.deepEqual(containersOf(r.object), [{ name: 'log', image: 'busybox' }]);
    assert.deepEqual(r.managedFields.map((e) => e.manager), ['a']);
  });

  await t.test('an item another applier also applies stays', () => {
    const base = { apiVersion: 'apps/v1', force: false, listMeta: DEPLOY };
    const nginx = { name: 'nginx', image: 'nginx:1.0' };
    const a = apply({ ...base, manager: 'a', now: T0, config: deployment({ containers: [nginx] }) });
    const b = apply({ ...base, manager: 'b', now: T1, live: a.object, config: deployment({ containers: [nginx] }) });
    const r = apply({ ...base, manager: 'a', now: T2, live: b.object, config: deployment({ containers: [] }) });
    assert.deepEqual(containersOf(r.object), [nginx]);
  });

  await t.test('shared fields stay until the last applier drops them', () => {
    const base = { apiVersion: 'v1', force: false, listMeta: CM };
    const a1 = apply({ ...base, manager: 'a', now: T0, config: configMap({ x: '1' }) });
    const b1 = apply({ ...base, manager: 'b', now: T1, live: a1.object, config: configMap({ x: '1' }) });
    // b changed nothing, so its entry has no time and sorts first.
    assert.deepEqual(
      b1.managedFields.map((e) => [e.manager, e.fieldsV1]),
      [
        ['b', { 'f:data': { 'f:x': {} } }],
        ['a', { 'f:data': { 'f:x': {} } }],
      ],
    );
    const a2 = apply({ ...base, manager: 'a', now: T2, live: b1.object, config: configMap({}) });
    assert.deepEqual(a2.object.data, { x: '1' });
    const b2 = apply({ ...base, manager: 'b', now: T2, live: a2.object, config: configMap({}) });
    assert.equal(b2.object.data, undefined);
  });
});

test('conflicts', async (t) => {
  // kubectl create, then the status of kubectl-client-side-apply: it owns .spec.replicas (3).
  const csaCreated = (annotations?: Obj) => {
    const obj = deployment({ replicas: 3, containers: [{ name: 'nginx', image: 'nginx:1.0' }] }, annotations ? { annotations } : {});
    const managedFields = recordUpdate({ updated: obj, manager: 'kubectl-client-side-apply', apiVersion: 'apps/v1', now: T0, listMeta: DEPLOY });
    return { ...obj, metadata: { ...(obj.metadata as Obj), managedFields } };
  };
  const base = { apiVersion: 'apps/v1', now: T1, listMeta: DEPLOY };

  await t.test('a changed value owned by an updater is a 409 naming it', () => {
    assertStatus(() => apply({ ...base, manager: 'my-app', force: false, live: csaCreated(), config: deployment({ replicas: 5, containers: [{ name: 'nginx', image: 'nginx:1.0' }] }) }), {
      code: 409,
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
      causes: {
        causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' }],
      },
    });
  });

  await t.test('several conflicts are listed by manager, keyed paths included', () => {
    const live = csaCreated();
    const edited = structuredClone(live);
    containersOf(edited)[0].image = 'nginx:1.1';
    (edited.metadata as Obj).managedFields = recordUpdate({ live, updated: edited, manager: 'kubectl-edit', apiVersion: 'apps/v1', now: T1, listMeta: DEPLOY });
    assertStatus(() => apply({ ...base, manager: 'my-app', force: false, live: edited, config: deployment({ replicas: 5, containers: [{ name: 'nginx', image: 'nginx:1.2' }] }) }), {
      code: 409,
      reason: 'Conflict',
      message:
        'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.replicas\n' +
        'conflicts with "kubectl-edit" using apps/v1:\n- .spec.template.spec.containers[name="nginx"].image',
    });
  });

  await t.test('an applier is named without version; a subresource is named', () => {
    const a = apply({ ...base, manager: 'a', force: false, config: configMap({ x: '1' }), apiVersion: 'v1', listMeta: CM });
    assertStatus(() => apply({ ...base, manager: 'b', force: false, live: a.object, config: configMap({ x: '2' }), apiVersion: 'v1', listMeta: CM }), {
      code: 409,
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "a": .data.x',
    });
    const scaled = structuredClone(a.object);
    (scaled.data as Obj).x = '3';
    (scaled.metadata as Obj).managedFields = recordUpdate({ live: a.object, updated: scaled, manager: 'kubectl', apiVersion: 'v1', subresource: 'scale', now: T1, listMeta: CM });
    assertStatus(() => apply({ ...base, manager: 'a', force: false, live: scaled, config: configMap({ x: '1' }), apiVersion: 'v1', listMeta: CM }), {
      code: 409,
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using v1: .data.x',
    });
  });

  await t.test('force takes the field', () => {
    const r = apply({ ...base, manager: 'my-app', force: true, live: csaCreated(), config: deployment({ replicas: 5, containers: [{ name: 'nginx', image: 'nginx:1.0' }] }) });
    assert.equal((r.object.spec as Obj).replicas, 5);
    const owners = (path: string) => r.managedFields.filter((e) => (e.fieldsV1['f:spec'] as Obj | undefined)?.[path]).map((e) => e.manager);
    assert.deepEqual(owners('f:replicas'), ['my-app']);
  });

  await t.test('the same value is no conflict: ownership is shared', () => {
    const r = apply({ ...base, manager: 'my-app', force: false, live: csaCreated(), config: deployment({ replicas: 3, containers: [{ name: 'nginx', image: 'nginx:1.0' }] }) });
    assert.deepEqual(r.managedFields.map((e) => [e.manager, Object.hasOwn(e.fieldsV1['f:spec'] as Obj, 'f:replicas')]), [
      ['my-app', true],
      ['kubectl-client-side-apply', true],
    ]);
    assert.equal(r.changed, false);
  });

  await t.test('kubectl upgrading from client-side apply takes what its last-applied annotation still holds', () => {
    const last = JSON.stringify(deployment({ replicas: 3, containers: [{ name: 'nginx', image: 'nginx:1.0' }] }));
    const config = deployment({ replicas: 5, containers: [{ name: 'nginx', image: 'nginx:1.0' }] });
    const r = apply({ ...base, manager: 'kubectl', force: false, live: csaCreated({ [LAST_APPLIED_ANNOTATION]: last }), config });
    assert.equal((r.object.spec as Obj).replicas, 5);
    // The annotation follows what kubectl applies (Go's JSON: keys sorted, trailing newline).
    const annotations = (r.object.metadata as Obj).annotations as Obj;
    assert.equal(
      annotations[LAST_APPLIED_ANNOTATION],
      '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},"spec":{"replicas":5,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx:1.0","name":"nginx"}]}}}}\n',
    );
  });

  await t.test('…but not what changed since', () => {
    const last = JSON.stringify(deployment({ replicas: 3, containers: [{ name: 'nginx', image: 'nginx:1.0' }] }));
    const live = csaCreated({ [LAST_APPLIED_ANNOTATION]: last });
    const edited = structuredClone(live);
    containersOf(edited)[0].image = 'nginx:1.1';
    (edited.metadata as Obj).managedFields = recordUpdate({ live, updated: edited, manager: 'kubectl-edit', apiVersion: 'apps/v1', now: T1, listMeta: DEPLOY });
    assertStatus(() => apply({ ...base, manager: 'kubectl', force: false, live: edited, config: deployment({ replicas: 5, containers: [{ name: 'nginx', image: 'nginx:1.2' }] }) }), {
      code: 409,
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.template.spec.containers[name="nginx"].image',
    });
  });

  await t.test('an untracked object: its fields belong to before-first-apply', () => {
    const untracked = deployment({ replicas: 3, containers: [{ name: 'nginx', image: 'nginx:1.0' }] });
    assertStatus(() => apply({ ...base, manager: 'my-app', force: false, live: untracked, config: deployment({ replicas: 5, containers: [] }) }), {
      code: 409,
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas',
    });
  });
});

test('what an apply records', async (t) => {
  const base = { apiVersion: 'v1', force: false, listMeta: CM };

  await t.test('a create: the configuration, owned by the Apply entry', () => {
    const r = apply({ ...base, manager: 'kubectl', now: T0, config: configMap({ a: '1' }, { labels: { app: 'x' } }) });
    assert.deepEqual(r.object, {
      ...configMap({ a: '1' }, { labels: { app: 'x' } }),
      metadata: {
        name: 'c',
        namespace: 'default',
        labels: { app: 'x' },
        managedFields: [entry('kubectl', 'Apply', 'v1', T0, { 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:app': {} } } })],
      },
    });
    assert.equal(r.changed, true);
  });

  await t.test('applying again changes nothing, not even the time', () => {
    const first = apply({ ...base, manager: 'kubectl', now: T0, config: configMap({ a: '1' }) });
    const again = apply({ ...base, manager: 'kubectl', now: T1, live: first.object, config: configMap({ a: '1' }) });
    assert.equal(again.changed, false);
    assert.deepEqual(again.object, first.object);
  });

  await t.test('a newcomer applying values already there gets an entry without time', () => {
    const first = apply({ ...base, manager: 'a', now: T0, config: configMap({ a: '1' }) });
    const r = apply({ ...base, manager: 'b', now: T1, live: first.object, config: configMap({ a: '1' }) });
    assert.deepEqual(r.managedFields[0], entry('b', 'Apply', 'v1', undefined, { 'f:data': { 'f:a': {} } }));
  });

  await t.test('items keep their place: live-only items stay where they were', () => {
    const deploy = { manager: 'kubectl', apiVersion: 'apps/v1', force: false, listMeta: DEPLOY };
    const first = apply({ ...deploy, now: T0, config: deployment({ containers: [{ name: 'a' }, { name: 'b' }] }) });
    const added = structuredClone(first.object);
    containersOf(added).push({ name: 'c' });
    (added.metadata as Obj).managedFields = recordUpdate({ live: first.object, updated: added, manager: 'other', apiVersion: 'apps/v1', now: T1, listMeta: DEPLOY });
    const r = apply({ ...deploy, now: T2, live: added, config: deployment({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'd' }] }) });
    assert.deepEqual(containersOf(r.object).map((c) => c.name), ['a', 'b', 'c', 'd']);
  });

  await t.test('ignored fields are merged but not owned', () => {
    const r = apply({ ...base, manager: 'kubectl', now: T0, config: { ...configMap({ a: '1' }), status: { x: 1 } }, ignoredFields: [['status']] });
    assert.deepEqual(r.object.status, { x: 1 });
    assert.deepEqual(r.managedFields[0].fieldsV1, { 'f:data': { 'f:a': {} } });
  });

  await t.test('a caller-provided merge is used', () => {
    const r = apply({ ...base, manager: 'kubectl', now: T0, live: configMap({ a: '1' }), config: configMap({ b: '2' }), merge: (_live, config) => ({ ...config, merged: true }) });
    assert.equal(r.object.merged, true);
  });

  await t.test('the last-applied annotation is left alone for other managers', () => {
    const live = configMap({ a: '1' }, { annotations: { [LAST_APPLIED_ANNOTATION]: '{}' } });
    const r = apply({ ...base, manager: 'my-app', now: T0, live, config: configMap({ a: '2' }), force: true });
    assert.deepEqual((r.object.metadata as Obj).annotations, { [LAST_APPLIED_ANNOTATION]: '{}' });
  });
});

test('refused configurations', async (t) => {
  const base = { manager: 'kubectl', force: false, now: T0, listMeta: DEPLOY };
  const cases: Record<string, { input: ApplyInput; code: number; reason: string; message: string }> = {
    'another version': {
      input: { ...base, apiVersion: 'apps/v1', config: { ...deployment({ containers: [] }), apiVersion: 'apps/v1beta1' } },
      code: 400,
      reason: 'BadRequest',
      message: 'Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1',
    },
    'another kind': {
      input: { ...base, apiVersion: 'apps/v1', kind: 'Deployment', config: { ...deployment({ containers: [] }), kind: 'StatefulSet' } },
      code: 400,
      reason: 'BadRequest',
      message: 'invalid object type: apps/v1, Kind=StatefulSet',
    },
    'managedFields in the configuration': {
      input: { ...base, apiVersion: 'apps/v1', config: deployment({ containers: [] }, { managedFields: [] }) },
      code: 400,
      reason: 'BadRequest',
      message: 'metadata.managedFields must be nil',
    },
    'two items with one key': {
      input: { ...base, apiVersion: 'apps/v1', config: deployment({ containers: [{ name: 'a' }, { name: 'a' }] }) },
      code: 500,
      reason: '',
      message:
        'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="a"]',
    },
    'live managedFields that do not decode': {
      input: { ...base, apiVersion: 'apps/v1', live: deployment({ containers: [] }, { managedFields: [{ operation: 'Apply' }] }), config: deployment({ containers: [] }) },
      code: 500,
      reason: '',
      message: 'failed to decode managed fields: apiVersion must not be empty',
    },
  };
  for (const [name, { input, ...want }] of Object.entries(cases)) await t.test(name, () => assertStatus(() => apply(input), want));
});
