/**
 * CustomResourceDefinitions with the real kubectl: the CronTab example from the Kubernetes docs
 * (stable.example.com, v1 storage + v1beta1 served) and two smaller CRDs. Every expected string
 * is what kubectl v1.32 prints against a real v1.32 cluster (apiextensions-apiserver's messages,
 * kube-openapi's validation errors). One cluster for the file; each test uses its own namespace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { makeTempDir, removeDir, sharedCluster, type KubectlResult } from '../support/cluster.js';

const { skip, run, ok, fails } = await sharedCluster();

/** kubectl with a discovery cache of its own, empty for each call (what a new shell would see). */
async function coldCache(args: string[]): Promise<KubectlResult> {
  const dir = makeTempDir('flotilla-kube-cache-');
  try {
    return await run(['--cache-dir', join(dir, 'cache'), ...args]);
  } finally {
    removeDir(dir);
  }
}

async function namespace(name: string): Promise<void> {
  await ok(['apply', '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`);
}

function lines(s: string): string[] {
  return s.split('\n').filter((l) => l.length > 0);
}

// ---- the CRDs -----------------------------------------------------------------------------

const CRON_PATTERN = '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$';

const cronTabSchema = {
  openAPIV3Schema: {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        required: ['cronSpec'],
        properties: {
          cronSpec: { type: 'string', pattern: CRON_PATTERN },
          image: { type: 'string' },
          replicas: { type: 'integer', minimum: 1, maximum: 10, default: 1 },
          concurrencyPolicy: { type: 'string', enum: ['Allow', 'Forbid', 'Replace'] },
        },
      },
      status: {
        type: 'object',
        properties: {
          replicas: { type: 'integer' },
          labelSelector: { type: 'string' },
        },
      },
    },
  },
};

const cronTabVersion = (name: string, storage: boolean) => ({
  name,
  served: true,
  storage,
  schema: cronTabSchema,
  subresources: {
    status: {},
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.labelSelector' },
  },
  additionalPrinterColumns: [
    { name: 'Spec', type: 'string', description: 'The cron spec defining the interval a CronJob is run', jsonPath: '.spec.cronSpec' },
    { name: 'Replicas', type: 'integer', description: 'The number of jobs launched by the CronJob', jsonPath: '.spec.replicas' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ],
});

/** The docs' CronTab, v1beta1 listed first (as in the docs) and v1 the storage version. */
const CRONTAB_CRD = JSON.stringify({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'crontabs.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    versions: [cronTabVersion('v1beta1', false), cronTabVersion('v1', true)],
    scope: 'Namespaced',
    names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'], categories: ['all'] },
  },
});

/** Cluster-scoped, no printer columns, spec keeps unknown fields. */
const WIDGET_CRD = JSON.stringify({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.demo.example.com' },
  spec: {
    group: 'demo.example.com',
    scope: 'Cluster',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } },
      },
    ],
  },
});

/** A CRD of its own for the deletion test. */
const GADGET_CRD = JSON.stringify({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gadgets.toys.example.com' },
  spec: {
    group: 'toys.example.com',
    scope: 'Namespaced',
    names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', shortNames: ['gd'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } },
      },
    ],
  },
});

async function installCrd(manifest: string, name: string): Promise<string> {
  const out = await ok(['apply', '-f', '-'], manifest);
  assert.equal(
    await ok(['wait', '--for=condition=Established', '--timeout=20s', `crd/${name}`]),
    `customresourcedefinition.apiextensions.k8s.io/${name} condition met\n`,
  );
  return out;
}

let cronTabsInstalled: Promise<string> | undefined;
/** Install the CronTab CRD once (any test may be run alone); returns what the first apply printed. */
function cronTabs(): Promise<string> {
  cronTabsInstalled ??= installCrd(CRONTAB_CRD, 'crontabs.stable.example.com');
  return cronTabsInstalled;
}

function cronTab(name: string, spec: Record<string, unknown>, opts: { apiVersion?: string; extra?: Record<string, unknown> } = {}): string {
  return JSON.stringify({ apiVersion: opts.apiVersion ?? 'stable.example.com/v1', kind: 'CronTab', metadata: { name }, spec, ...opts.extra });
}

// ---- tests --------------------------------------------------------------------------------

test('a CRD is created, accepted and established; kubectl get crd lists it', { skip }, async () => {
  assert.equal(await cronTabs(), 'customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created\n');
  assert.equal(await ok(['apply', '-f', '-'], CRONTAB_CRD), 'customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com unchanged\n');

  const crd = JSON.parse(await ok(['get', 'crd', 'crontabs.stable.example.com', '-o', 'json']));
  assert.equal(crd.apiVersion, 'apiextensions.k8s.io/v1');
  assert.equal(crd.kind, 'CustomResourceDefinition');
  const conditions = Object.fromEntries((crd.status.conditions as any[]).map((c) => [c.type, c]));
  assert.equal(conditions.NamesAccepted?.status, 'True', JSON.stringify(crd.status.conditions));
  assert.equal(conditions.NamesAccepted?.reason, 'NoConflicts');
  assert.equal(conditions.Established?.status, 'True', JSON.stringify(crd.status.conditions));
  assert.equal(conditions.Established?.reason, 'InitialNamesAccepted');
  assert.deepEqual(crd.status.acceptedNames, { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', listKind: 'CronTabList', shortNames: ['ct'], categories: ['all'] });
  assert.deepEqual(crd.status.storedVersions, ['v1']);
  // Defaulted by the CRD strategy.
  assert.equal(crd.spec.conversion?.strategy, 'None');
  assert.equal(crd.spec.names.listKind, 'CronTabList');

  const table = lines(await ok(['get', 'crd', 'crontabs.stable.example.com']));
  assert.deepEqual(table[0].split(/\s{2,}/), ['NAME', 'CREATED AT']);
  assert.match(table[1], /^crontabs\.stable\.example\.com\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('an invalid CRD is refused with the apiextensions message', { skip }, async () => {
  const wrongName = JSON.parse(GADGET_CRD);
  wrongName.metadata.name = 'wrong.toys.example.com';
  assert.equal(
    await fails(['create', '-f', '-'], JSON.stringify(wrongName)),
    'The CustomResourceDefinition "wrong.toys.example.com" is invalid: metadata.name: Invalid value: "wrong.toys.example.com": must be spec.names.plural+"."+spec.group\n',
  );
  assert.equal(await fails(['get', 'crd', 'wrong.toys.example.com']), 'Error from server (NotFound): customresourcedefinitions.apiextensions.k8s.io "wrong.toys.example.com" not found\n');
});

test('the custom resource is in discovery: api-resources, api-versions, group and resource lists', { skip }, async () => {
  await cronTabs();
  const rows = lines(await ok(['api-resources', '--api-group=stable.example.com'])).map((l) => l.split(/\s+/));
  assert.deepEqual(rows, [
    ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND'],
    ['crontabs', 'ct', 'stable.example.com/v1', 'true', 'CronTab'],
  ]);
  const versions = lines(await ok(['api-versions']));
  assert.ok(versions.includes('stable.example.com/v1'), versions.join(' '));
  assert.ok(versions.includes('stable.example.com/v1beta1'), versions.join(' '));

  // The preferred version is v1 by version priority, not by its place in spec.versions.
  const group = JSON.parse(await ok(['get', '--raw', '/apis/stable.example.com']));
  assert.equal(group.kind, 'APIGroup');
  assert.equal(group.name, 'stable.example.com');
  assert.deepEqual(group.versions, [
    { groupVersion: 'stable.example.com/v1', version: 'v1' },
    { groupVersion: 'stable.example.com/v1beta1', version: 'v1beta1' },
  ]);
  assert.deepEqual(group.preferredVersion, { groupVersion: 'stable.example.com/v1', version: 'v1' });
  const groups = JSON.parse(await ok(['get', '--raw', '/apis']));
  assert.deepEqual(
    (groups.groups as any[]).find((g) => g.name === 'stable.example.com')?.preferredVersion,
    { groupVersion: 'stable.example.com/v1', version: 'v1' },
  );

  for (const version of ['v1', 'v1beta1']) {
    const list = JSON.parse(await ok(['get', '--raw', `/apis/stable.example.com/${version}`]));
    assert.equal(list.kind, 'APIResourceList');
    assert.equal(list.groupVersion, `stable.example.com/${version}`);
    const byName = Object.fromEntries((list.resources as any[]).map((r) => [r.name, r]));
    assert.deepEqual(Object.keys(byName).sort(), ['crontabs', 'crontabs/scale', 'crontabs/status']);
    assert.equal(byName.crontabs.singularName, 'crontab');
    assert.equal(byName.crontabs.namespaced, true);
    assert.equal(byName.crontabs.kind, 'CronTab');
    assert.deepEqual(byName.crontabs.shortNames, ['ct']);
    assert.deepEqual(byName.crontabs.categories, ['all']);
    assert.deepEqual([...byName.crontabs.verbs].sort(), ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    assert.equal(byName['crontabs/status'].kind, 'CronTab');
    assert.deepEqual([...byName['crontabs/status'].verbs].sort(), ['get', 'patch', 'update']);
    assert.equal(byName['crontabs/scale'].kind, 'Scale');
    assert.equal(byName['crontabs/scale'].group, 'autoscaling');
    assert.equal(byName['crontabs/scale'].version, 'v1');
    assert.deepEqual([...byName['crontabs/scale'].verbs].sort(), ['get', 'patch', 'update']);
  }
});

test('custom objects: create, printer columns, short name, category all, both versions', { skip }, async () => {
  await cronTabs();
  await namespace('crd-crud');
  const ns = ['-n', 'crd-crud'];
  assert.equal(
    await ok(['apply', ...ns, '-f', '-'], cronTab('my-new-cron-object', { cronSpec: '* * * * */5', image: 'my-awesome-cron-image', replicas: 2 })),
    'crontab.stable.example.com/my-new-cron-object created\n',
  );
  assert.equal(
    await ok(['apply', ...ns, '-f', '-'], cronTab('my-new-cron-object', { cronSpec: '* * * * */5', image: 'my-awesome-cron-image', replicas: 2 })),
    'crontab.stable.example.com/my-new-cron-object unchanged\n',
  );

  const table = lines(await ok(['get', 'crontab', ...ns]));
  assert.deepEqual(table[0].split(/\s{2,}/), ['NAME', 'SPEC', 'REPLICAS', 'AGE']);
  assert.equal(table.length, 2);
  assert.match(table[1], /^my-new-cron-object   \* \* \* \* \*\/5   2          \d+s$/);
  // The short name, the plural, the qualified and the version-qualified names all resolve.
  for (const name of ['ct', 'crontabs', 'crontabs.stable.example.com', 'crontabs.v1.stable.example.com', 'crontabs.v1beta1.stable.example.com']) {
    assert.equal(await ok(['get', name, ...ns, '-o', 'name']), 'crontab.stable.example.com/my-new-cron-object\n', name);
  }
  // In the `all` category.
  assert.ok(lines(await ok(['get', 'all', ...ns, '-o', 'name'])).includes('crontab.stable.example.com/my-new-cron-object'));

  const obj = JSON.parse(await ok(['get', 'ct', 'my-new-cron-object', ...ns, '-o', 'json']));
  assert.equal(obj.apiVersion, 'stable.example.com/v1');
  assert.equal(obj.kind, 'CronTab');
  assert.equal(obj.metadata.namespace, 'crd-crud');
  assert.match(obj.metadata.uid, /^[0-9a-f-]{36}$/);
  assert.match(obj.metadata.resourceVersion, /^\d+$/);
  assert.equal(obj.metadata.generation, 1);
  assert.deepEqual(obj.spec, { cronSpec: '* * * * */5', image: 'my-awesome-cron-image', replicas: 2 });

  // Conversion None: the same object read through v1beta1 differs only in apiVersion.
  const beta = JSON.parse(await ok(['get', 'crontabs.v1beta1.stable.example.com', 'my-new-cron-object', ...ns, '-o', 'json']));
  assert.equal(beta.apiVersion, 'stable.example.com/v1beta1');
  assert.deepEqual({ ...beta, apiVersion: obj.apiVersion }, obj);

  // Written through v1beta1, read (by default) through v1.
  assert.equal(
    await ok(['apply', ...ns, '-f', '-'], cronTab('beta-cron', { cronSpec: '0 * * * *', image: 'beta-image' }, { apiVersion: 'stable.example.com/v1beta1' })),
    'crontab.stable.example.com/beta-cron created\n',
  );
  assert.equal(await ok(['get', 'ct', 'beta-cron', ...ns, '-o', 'jsonpath={.apiVersion} {.spec.image}']), 'stable.example.com/v1 beta-image');
  assert.deepEqual(lines(await ok(['get', 'ct', ...ns, '-o', 'name'])), ['crontab.stable.example.com/beta-cron', 'crontab.stable.example.com/my-new-cron-object']);
  assert.deepEqual(
    JSON.parse(await ok(['get', '--raw', '/apis/stable.example.com/v1beta1/namespaces/crd-crud/crontabs'])).items.map((i: any) => `${i.apiVersion} ${i.metadata.name}`),
    ['stable.example.com/v1beta1 beta-cron', 'stable.example.com/v1beta1 my-new-cron-object'],
  );

  // Cluster-wide list with a NAMESPACE column, label selection, delete.
  const all = lines(await ok(['get', 'ct', '-A']));
  assert.deepEqual(all[0].split(/\s{2,}/), ['NAMESPACE', 'NAME', 'SPEC', 'REPLICAS', 'AGE']);
  assert.ok(all.some((l) => /^crd-crud\s+my-new-cron-object\s/.test(l)));
  await ok(['label', 'ct', 'beta-cron', ...ns, 'tier=batch']);
  assert.equal(await ok(['get', 'ct', ...ns, '-l', 'tier=batch', '-o', 'name']), 'crontab.stable.example.com/beta-cron\n');
  assert.equal(await ok(['delete', 'ct', 'beta-cron', ...ns]), 'crontab.stable.example.com "beta-cron" deleted\n');
  assert.equal(await fails(['get', 'ct', 'beta-cron', ...ns]), 'Error from server (NotFound): crontabs.stable.example.com "beta-cron" not found\n');
});

test('a cluster-scoped CRD without printer columns shows NAME and AGE and keeps unknown fields where the schema says so', { skip }, async () => {
  await installCrd(WIDGET_CRD, 'widgets.demo.example.com');
  const rows = lines(await ok(['api-resources', '--api-group=demo.example.com'])).map((l) => l.split(/\s+/));
  assert.deepEqual(rows[1], ['widgets', 'demo.example.com/v1', 'false', 'Widget']);
  const manifest = JSON.stringify({ apiVersion: 'demo.example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { color: 'blue', nested: { size: 3, tags: ['a', 'b'] } } });
  assert.equal(await ok(['apply', '-f', '-'], manifest), 'widget.demo.example.com/w1 created\n');
  const table = lines(await ok(['get', 'widgets']));
  assert.deepEqual(table[0].split(/\s+/), ['NAME', 'AGE']);
  assert.match(table[1], /^w1\s+\d+s$/);
  const w = JSON.parse(await ok(['get', 'widget', 'w1', '-o', 'json']));
  assert.equal(w.metadata.namespace, undefined);
  assert.deepEqual(w.spec, { color: 'blue', nested: { size: 3, tags: ['a', 'b'] } });
  assert.equal((await run(['get', '--raw', '/apis/demo.example.com/v1/widgets/w1'])).code, 0);
});

test('schema validation: type, required, enum, pattern, minimum and maximum, as kube words them', { skip }, async () => {
  await cronTabs();
  await namespace('crd-valid');
  const create = (name: string, spec: Record<string, unknown>) => fails(['create', '-n', 'crd-valid', '-f', '-'], cronTab(name, spec));
  const invalid = (name: string, cause: string) => `The CronTab "${name}" is invalid: ${cause}\n`;

  assert.equal(
    await create('c-type', { cronSpec: '* * * * *', replicas: 'three' }),
    invalid('c-type', 'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"'),
  );
  assert.equal(await create('c-required', { image: 'x' }), invalid('c-required', 'spec.cronSpec: Required value'));
  assert.equal(
    await create('c-enum', { cronSpec: '* * * * *', concurrencyPolicy: 'Never' }),
    invalid('c-enum', 'spec.concurrencyPolicy: Unsupported value: "Never": supported values: "Allow", "Forbid", "Replace"'),
  );
  assert.equal(
    await create('c-pattern', { cronSpec: 'every minute' }),
    invalid('c-pattern', `spec.cronSpec: Invalid value: "every minute": spec.cronSpec in body should match '${CRON_PATTERN}'`),
  );
  assert.equal(
    await create('c-min', { cronSpec: '* * * * *', replicas: 0 }),
    invalid('c-min', 'spec.replicas: Invalid value: 0: spec.replicas in body should be greater than or equal to 1'),
  );
  assert.equal(
    await create('c-max', { cronSpec: '* * * * *', replicas: 11 }),
    invalid('c-max', 'spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10'),
  );
  assert.equal(
    await create('c-image', { cronSpec: '* * * * *', image: 42 }),
    invalid('c-image', 'spec.image: Invalid value: "integer": spec.image in body must be of type string: "integer"'),
  );

  // Several causes: one line each (the order is the validator's, so compare them as a set).
  const several = await create('c-many', { replicas: 20, concurrencyPolicy: 'Sometimes' });
  assert.ok(several.startsWith('The CronTab "c-many" is invalid: \n* '), several);
  assert.deepEqual(
    several.slice('The CronTab "c-many" is invalid: \n'.length).split('\n').filter(Boolean).sort(),
    [
      '* spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
      '* spec.cronSpec: Required value',
      '* spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10',
    ],
  );
  assert.equal(await ok(['get', 'ct', '-n', 'crd-valid', '-o', 'name']), '');

  // Updates are validated too.
  await ok(['create', '-n', 'crd-valid', '-f', '-'], cronTab('good', { cronSpec: '* * * * *' }));
  assert.equal(
    await fails(['patch', 'ct', 'good', '-n', 'crd-valid', '--type=merge', '-p', '{"spec":{"replicas":11}}']),
    invalid('good', 'spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10'),
  );
  assert.equal(await ok(['get', 'ct', 'good', '-n', 'crd-valid', '-o', 'jsonpath={.spec.replicas}']), '1');
});

test('defaulting, and unknown fields: rejected under Strict, pruned under --validate=false', { skip }, async () => {
  await cronTabs();
  await namespace('crd-prune');
  const ns = ['-n', 'crd-prune'];
  // replicas defaults to 1.
  await ok(['create', ...ns, '-f', '-'], cronTab('defaulted', { cronSpec: '* * * * *' }));
  assert.deepEqual(JSON.parse(await ok(['get', 'ct', 'defaulted', ...ns, '-o', 'jsonpath={.spec}'])), { cronSpec: '* * * * *', replicas: 1 });

  const withUnknown = cronTab('pruned', { cronSpec: '* * * * *', image: 'i', someRandomField: 42 }, { extra: { topLevel: 'x' } });
  // The pruned paths come sorted (pruning.PruneWithOptions).
  assert.equal(
    await fails(['apply', ...ns, '-f', '-'], withUnknown),
    'Error from server (BadRequest): error when creating "STDIN": CronTab in version "v1" cannot be handled as a CronTab: strict decoding error: unknown field "spec.someRandomField", unknown field "topLevel"\n',
  );
  assert.equal(await fails(['get', 'ct', 'pruned', ...ns]), 'Error from server (NotFound): crontabs.stable.example.com "pruned" not found\n');

  assert.equal(await ok(['apply', '--validate=false', ...ns, '-f', '-'], withUnknown), 'crontab.stable.example.com/pruned created\n');
  const stored = JSON.parse(await ok(['get', 'ct', 'pruned', ...ns, '-o', 'json']));
  assert.deepEqual(stored.spec, { cronSpec: '* * * * *', image: 'i', replicas: 1 });
  assert.equal(stored.topLevel, undefined);
});

test('status subresource: main-resource writes ignore status, /status writes ignore spec', { skip }, async () => {
  await cronTabs();
  await namespace('crd-status');
  const ns = ['-n', 'crd-status'];
  // status in the manifest is dropped on create.
  await ok(['apply', ...ns, '-f', '-'], cronTab('st', { cronSpec: '* * * * *', replicas: 2 }, { extra: { status: { replicas: 5 } } }));
  const get = async () => JSON.parse(await ok(['get', 'ct', 'st', ...ns, '-o', 'json']));
  let obj = await get();
  assert.equal(obj.status, undefined);
  assert.equal(obj.metadata.generation, 1);

  assert.equal(
    await ok(['patch', 'ct', 'st', ...ns, '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":2,"labelSelector":"app=cron"},"spec":{"replicas":7}}']),
    'crontab.stable.example.com/st patched\n',
  );
  obj = await get();
  assert.deepEqual(obj.status, { replicas: 2, labelSelector: 'app=cron' });
  assert.equal(obj.spec.replicas, 2, 'spec is ignored on /status');
  assert.equal(obj.metadata.generation, 1, 'a status write does not bump generation');
  const rv = obj.metadata.resourceVersion;

  assert.equal(
    await ok(['patch', 'ct', 'st', ...ns, '--type=merge', '-p', '{"status":{"replicas":9}}']),
    'crontab.stable.example.com/st patched (no change)\n',
  );
  obj = await get();
  assert.equal(obj.status.replicas, 2);
  assert.equal(obj.metadata.resourceVersion, rv);

  await ok(['patch', 'ct', 'st', ...ns, '--type=merge', '-p', '{"spec":{"replicas":3}}']);
  obj = await get();
  assert.equal(obj.spec.replicas, 3);
  assert.equal(obj.metadata.generation, 2);
  assert.deepEqual(obj.status, { replicas: 2, labelSelector: 'app=cron' });

  const status = JSON.parse(await ok(['get', '--raw', '/apis/stable.example.com/v1/namespaces/crd-status/crontabs/st/status']));
  assert.equal(status.kind, 'CronTab');
  assert.deepEqual(status.status, { replicas: 2, labelSelector: 'app=cron' });
});

test('scale subresource: kubectl scale on a custom resource, printer columns follow', { skip }, async () => {
  await cronTabs();
  await namespace('crd-scale');
  const ns = ['-n', 'crd-scale'];
  await ok(['apply', ...ns, '-f', '-'], cronTab('sc', { cronSpec: '*/5 * * * *', replicas: 1 }));
  await ok(['patch', 'ct', 'sc', ...ns, '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":1,"labelSelector":"app=sc"}}']);

  assert.equal(await ok(['scale', 'ct', 'sc', ...ns, '--replicas=3']), 'crontab.stable.example.com/sc scaled\n');
  assert.equal(await ok(['get', 'ct', 'sc', ...ns, '-o', 'jsonpath={.spec.replicas}']), '3');
  const scale = JSON.parse(await ok(['get', '--raw', '/apis/stable.example.com/v1/namespaces/crd-scale/crontabs/sc/scale']));
  assert.equal(scale.kind, 'Scale');
  assert.equal(scale.apiVersion, 'autoscaling/v1');
  assert.equal(scale.metadata.name, 'sc');
  assert.equal(scale.metadata.namespace, 'crd-scale');
  assert.deepEqual(scale.spec, { replicas: 3 });
  assert.deepEqual(scale.status, { replicas: 1, selector: 'app=sc' });

  assert.equal(await ok(['scale', 'ct', 'sc', ...ns, '--current-replicas=3', '--replicas=4']), 'crontab.stable.example.com/sc scaled\n');
  assert.equal(await fails(['scale', 'ct', 'sc', ...ns, '--current-replicas=2', '--replicas=5']), 'error: Expected replicas to be 2, was 4\n');
  const row = lines(await ok(['get', 'ct', 'sc', ...ns]))[1];
  assert.match(row, /^sc     \*\/5 \* \* \* \*   4          \d+s$/);

  // The schema still applies to writes through /scale.
  const tooMany = await run(['scale', 'ct', 'sc', ...ns, '--replicas=20']);
  assert.equal(tooMany.code, 1, tooMany.stdout);
  assert.match(tooMany.stderr, /spec\.replicas: Invalid value: 20: spec\.replicas in body should be less than or equal to 10/);
  assert.equal(await ok(['get', 'ct', 'sc', ...ns, '-o', 'jsonpath={.spec.replicas}']), '4');
});

test('kubectl explain describes a custom resource from its schema', { skip }, async () => {
  await cronTabs();
  const out = await ok(['explain', 'crontabs.spec']);
  assert.match(out, /^GROUP:\s+stable\.example\.com$/m);
  assert.match(out, /^KIND:\s+CronTab$/m);
  assert.match(out, /^VERSION:\s+v1$/m);
  assert.match(out, /^FIELD:\s+spec <Object>$/m);
  assert.match(out, /^FIELDS:$/m);
  assert.match(out, /^  cronSpec\t<string> -required-$/m);
  assert.match(out, /^  image\t<string>$/m);
  assert.match(out, /^  replicas\t<integer>$/m);
  assert.match(out, /^  concurrencyPolicy\t<string>\n  enum: Allow, Forbid, Replace\n    <no description>$/m);
  assert.match(out, /^DESCRIPTION:\n    <empty>\nFIELDS:$/m);
  const top = await ok(['explain', 'ct']);
  assert.match(top, /^KIND:\s+CronTab$/m);
  assert.match(top, /^  spec\t<Object>$/m);
  assert.match(top, /^  status\t<Object>$/m);
  assert.match(top, /^  metadata\t<ObjectMeta>$/m);
});

test('deleting a CRD deletes its objects and removes the resource from discovery', { skip }, async () => {
  await installCrd(GADGET_CRD, 'gadgets.toys.example.com');
  await namespace('crd-del-a');
  await namespace('crd-del-b');
  const gadget = (name: string) => JSON.stringify({ apiVersion: 'toys.example.com/v1', kind: 'Gadget', metadata: { name }, spec: { size: 1 } });
  await ok(['apply', '-n', 'crd-del-a', '-f', '-'], gadget('g1'));
  await ok(['apply', '-n', 'crd-del-b', '-f', '-'], gadget('g2'));
  assert.deepEqual(lines(await ok(['get', 'gd', '-A', '-o', 'name'])), ['gadget.toys.example.com/g1', 'gadget.toys.example.com/g2']);

  // kubectl waits while the cleanup finalizer deletes the objects.
  assert.equal(
    await ok(['delete', 'crd', 'gadgets.toys.example.com', '--timeout=20s']),
    'customresourcedefinition.apiextensions.k8s.io "gadgets.toys.example.com" deleted\n',
  );
  assert.equal(await fails(['get', 'crd', 'gadgets.toys.example.com']), 'Error from server (NotFound): customresourcedefinitions.apiextensions.k8s.io "gadgets.toys.example.com" not found\n');
  const gone = await coldCache(['get', 'gadgets', '-A']);
  assert.equal(gone.code, 1);
  assert.equal(gone.stderr, 'error: the server doesn\'t have a resource type "gadgets"\n');
  assert.equal((await run(['get', '--raw', '/apis/toys.example.com/v1'])).stderr, 'Error from server (NotFound): the server could not find the requested resource\n');
  assert.ok(!(JSON.parse(await ok(['get', '--raw', '/apis'])).groups as any[]).some((g) => g.name === 'toys.example.com'));
  assert.ok(!lines(await ok(['api-resources'])).some((l) => l.startsWith('gadgets ')));

  // Created again, the resource starts empty.
  await installCrd(GADGET_CRD, 'gadgets.toys.example.com');
  const empty = await coldCache(['get', 'gadgets', '-A']);
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal(empty.stdout, '');
  assert.equal(empty.stderr, 'No resources found\n');
});

test('kubectl get crd -o yaml returns the stored schema, subresources and columns', { skip }, async () => {
  await cronTabs();
  const crd = parseYaml(await ok(['get', 'crd', 'crontabs.stable.example.com', '-o', 'yaml'])) as any;
  const v1 = (crd.spec.versions as any[]).find((v) => v.name === 'v1');
  assert.equal(v1.storage, true);
  assert.equal(v1.served, true);
  assert.equal(v1.schema.openAPIV3Schema.properties.spec.properties.cronSpec.pattern, CRON_PATTERN);
  assert.deepEqual(v1.subresources.scale, { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.labelSelector' });
  assert.deepEqual(v1.additionalPrinterColumns.map((c: any) => c.name), ['Spec', 'Replicas', 'Age']);
});
