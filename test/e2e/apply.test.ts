/**
 * Apply, edit and patch with the real kubectl, as against a v1.32 cluster: client-side apply's
 * three-way merge (strategic merge patch for built-ins, JSON merge patch for custom resources),
 * `kubectl edit` driven by an EDITOR script, strategic-merge directives, server-side apply with
 * managedFields and conflicts, and fieldValidation=Strict. One cluster for the file; each test
 * works in its own namespace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { apiRequest, sharedCluster, type KubectlResult } from '../support/cluster.js';

const { skip, cluster, creds, run, ok, fails } = await sharedCluster();

/** kubectl edit with EDITOR (and KUBE_EDITOR, which wins) set to a shell script in the cluster's dir. */
function edit(args: string[], script: string): Promise<KubectlResult> {
  const editor = join(cluster().dir, `editor-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(editor, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      ['--kubeconfig', cluster().kubeconfig, '--cache-dir', join(cluster().dir, 'kube-cache'), 'edit', ...args],
      { timeout: 60_000, env: { ...process.env, KUBECONFIG: cluster().kubeconfig, EDITOR: editor, KUBE_EDITOR: editor } },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code?: unknown }).code as number) : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    ).stdin!.end();
  });
}

async function namespace(name: string): Promise<void> {
  await ok(['apply', '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`);
}

async function getJson(ns: string, resource: string, name: string): Promise<any> {
  return JSON.parse(await ok(['get', resource, name, '-n', ns, '-o', 'json']));
}

function configMap(name: string, data: Record<string, string>, labels?: Record<string, string>): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels }, data });
}

interface Container {
  name: string;
  image: string;
  env?: { name: string; value: string }[];
}

function deployment(name: string, opts: { replicas?: number; containers?: Container[]; labels?: Record<string, string>; strategy?: unknown; extraSpec?: Record<string, unknown> } = {}): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: opts.labels ?? { app: name } },
    spec: {
      ...(opts.replicas === undefined ? {} : { replicas: opts.replicas }),
      selector: { matchLabels: { app: name } },
      ...(opts.strategy === undefined ? {} : { strategy: opts.strategy }),
      template: { metadata: { labels: { app: name } }, spec: { containers: opts.containers ?? [{ name: 'nginx', image: 'nginx:1.25' }] } },
      ...opts.extraSpec,
    },
  });
}

// ---- a CRD for the custom-resource cases -------------------------------------------------

const CRONTAB_CRD = JSON.stringify({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'crontabs.stable.example.com' },
  spec: {
    group: 'stable.example.com',
    scope: 'Namespaced',
    names: { plural: 'crontabs', singular: 'crontab', kind: 'CronTab', shortNames: ['ct'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  cronSpec: { type: 'string' },
                  image: { type: 'string' },
                  replicas: { type: 'integer' },
                  note: { type: 'string' },
                  tags: { type: 'array', items: { type: 'string' } },
                },
              },
            },
          },
        },
      },
    ],
  },
});

let crdInstalled: Promise<void> | undefined;
function cronTabs(): Promise<void> {
  crdInstalled ??= (async () => {
    await ok(['apply', '-f', '-'], CRONTAB_CRD);
    await ok(['wait', '--for=condition=Established', '--timeout=20s', 'crd/crontabs.stable.example.com']);
  })();
  return crdInstalled;
}

function cronTab(name: string, spec: Record<string, unknown>): string {
  return JSON.stringify({ apiVersion: 'stable.example.com/v1', kind: 'CronTab', metadata: { name }, spec });
}

// ---- client-side apply --------------------------------------------------------------------

test('apply reports created, unchanged and configured for each object', { skip }, async () => {
  await namespace('apply-report');
  const apply = (...docs: string[]) => ok(['apply', '-n', 'apply-report', '-f', '-'], docs.join('\n'));
  assert.equal(await apply(configMap('a', { x: '1' }), configMap('b', { x: '1' })), 'configmap/a created\nconfigmap/b created\n');
  assert.equal(
    await apply(configMap('a', { x: '1' }), configMap('b', { x: '2' }), configMap('c', { x: '1' })),
    'configmap/a unchanged\nconfigmap/b configured\nconfigmap/c created\n',
  );
  assert.equal(await ok(['get', 'cm', 'b', '-n', 'apply-report', '-o', 'jsonpath={.data.x}']), '2');
});

test('three-way merge: keys dropped from the manifest are removed, keys set by others stay', { skip }, async () => {
  const ns = 'apply-3way';
  await namespace(ns);
  const apply = (manifest: string) => ok(['apply', '-n', ns, '-f', '-'], manifest);
  assert.equal(await apply(configMap('conf', { a: '1', b: '2' }, { team: 'x', env: 'dev' })), 'configmap/conf created\n');
  await ok(['patch', 'cm', 'conf', '-n', ns, '--type=merge', '-p', '{"data":{"c":"3"}}']);
  await ok(['label', 'cm', 'conf', '-n', ns, 'owner=ops']);

  assert.equal(await apply(configMap('conf', { a: '10' }, { team: 'x' })), 'configmap/conf configured\n');
  const cm = await getJson(ns, 'cm', 'conf');
  assert.deepEqual(cm.data, { a: '10', c: '3' });
  assert.deepEqual(cm.metadata.labels, { team: 'x', owner: 'ops' });
  const lastApplied: string = cm.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration'];
  assert.ok(lastApplied.endsWith('}\n'), JSON.stringify(lastApplied));
  assert.deepEqual(JSON.parse(lastApplied), {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    data: { a: '10' },
    metadata: { annotations: {}, labels: { team: 'x' }, name: 'conf', namespace: ns },
  });
  assert.equal(await apply(configMap('conf', { a: '10' }, { team: 'x' })), 'configmap/conf unchanged\n');
});

test('apply merges lists by key: containers and env items removed, kept, reordered ($setElementOrder)', { skip }, async () => {
  const ns = 'apply-lists';
  await namespace(ns);
  const apply = (containers: Container[]) => ok(['apply', '-n', ns, '-f', '-'], deployment('web', { containers }));
  assert.equal(
    await apply([
      { name: 'nginx', image: 'nginx:1.25', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
      { name: 'log', image: 'busybox' },
    ]),
    'deployment.apps/web created\n',
  );
  // A container added by someone else (strategic merge: containers merge by name).
  await ok(['patch', 'deploy', 'web', '-n', ns, '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"injected","image":"envoy"}]}}}}']);

  assert.equal(
    await apply([
      { name: 'log', image: 'busybox' },
      { name: 'nginx', image: 'nginx:1.25', env: [{ name: 'B', value: '2' }, { name: 'C', value: '3' }] },
    ]),
    'deployment.apps/web configured\n',
  );
  const containers = (await getJson(ns, 'deploy', 'web')).spec.template.spec.containers as any[];
  const names = containers.map((c) => c.name);
  assert.ok(names.includes('injected'), `the container kubectl apply never managed stays: ${names}`);
  assert.deepEqual(names.filter((n) => n !== 'injected'), ['log', 'nginx'], 'the manifest order wins');
  assert.deepEqual(containers.find((c) => c.name === 'nginx').env, [
    { name: 'B', value: '2' },
    { name: 'C', value: '3' },
  ]);

  // Dropping a container from the manifest deletes it.
  assert.equal(await apply([{ name: 'nginx', image: 'nginx:1.25', env: [{ name: 'C', value: '3' }] }]), 'deployment.apps/web configured\n');
  const after = (await getJson(ns, 'deploy', 'web')).spec.template.spec.containers as any[];
  assert.deepEqual(after.map((c) => c.name).sort(), ['injected', 'nginx']);
  assert.deepEqual(after.find((c) => c.name === 'nginx').env, [{ name: 'C', value: '3' }]);
});

test('apply switches a Deployment from RollingUpdate to Recreate ($retainKeys clears rollingUpdate)', { skip }, async () => {
  const ns = 'apply-retainkeys';
  await namespace(ns);
  const apply = (strategy: unknown) => ok(['apply', '-n', ns, '-f', '-'], deployment('web', { strategy }));
  assert.equal(await apply({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }), 'deployment.apps/web created\n');
  assert.deepEqual((await getJson(ns, 'deploy', 'web')).spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  assert.equal(await apply({ type: 'Recreate' }), 'deployment.apps/web configured\n');
  assert.deepEqual((await getJson(ns, 'deploy', 'web')).spec.strategy, { type: 'Recreate' });
});

// ---- strategic merge patch directives -----------------------------------------------------

test('strategic merge patch on built-ins: merged primitive lists, $deleteFromPrimitiveList, $patch: replace', { skip }, async () => {
  const ns = 'apply-smp';
  await namespace(ns);
  await ok(['create', '-n', ns, '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm', finalizers: ['example.com/a', 'example.com/b'] }, data: { x: '1', y: '2' } }));
  const get = () => getJson(ns, 'cm', 'm');

  // metadata.finalizers has patchStrategy merge: a strategic patch adds to the list. The new item
  // comes first (mergeSortedSlice puts patch items that the server order does not know in front).
  assert.equal(await ok(['patch', 'cm', 'm', '-n', ns, '-p', '{"metadata":{"finalizers":["example.com/c"]}}']), 'configmap/m patched\n');
  assert.deepEqual((await get()).metadata.finalizers, ['example.com/c', 'example.com/a', 'example.com/b']);
  await ok(['patch', 'cm', 'm', '-n', ns, '-p', '{"metadata":{"$deleteFromPrimitiveList/finalizers":["example.com/a","example.com/c"]}}']);
  assert.deepEqual((await get()).metadata.finalizers, ['example.com/b']);
  // A merge patch replaces the list.
  await ok(['patch', 'cm', 'm', '-n', ns, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
  assert.equal((await get()).metadata.finalizers, undefined);

  await ok(['patch', 'cm', 'm', '-n', ns, '-p', '{"data":{"$patch":"replace","only":"1"}}']);
  assert.deepEqual((await get()).data, { only: '1' });
});

// ---- kubectl edit -------------------------------------------------------------------------

test('kubectl edit through an EDITOR script: a Deployment, a custom resource, and no change', { skip }, async () => {
  const ns = 'apply-edit';
  await namespace(ns);
  await cronTabs();
  await ok(['apply', '-n', ns, '-f', '-'], deployment('web', { replicas: 1 }));

  const edited = await edit(['deploy/web', '-n', ns], `exec sed -i -e '/^spec:/,/^status:/ s/^  replicas: 1$/  replicas: 3/' -e 's/image: nginx:1.25$/image: nginx:1.27/' "$1"`);
  assert.equal(edited.code, 0, edited.stderr);
  assert.equal(edited.stdout, 'deployment.apps/web edited\n');
  const d = await getJson(ns, 'deploy', 'web');
  assert.equal(d.spec.replicas, 3);
  assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.27');
  assert.equal(d.metadata.generation, 2);

  const unchanged = await edit(['deploy/web', '-n', ns], 'exit 0');
  assert.equal(unchanged.code, 0, unchanged.stderr);
  assert.equal(unchanged.stdout, '');
  assert.equal(unchanged.stderr, 'Edit cancelled, no changes made.\n');

  // Custom resources are edited with a JSON merge patch.
  await ok(['apply', '-n', ns, '-f', '-'], cronTab('ct1', { cronSpec: '* * * * *', replicas: 1, tags: ['a'] }));
  const cr = await edit(['ct/ct1', '-n', ns], `exec sed -i -e 's/^  replicas: 1$/  replicas: 2/' -e 's/^  - a$/  - b/' "$1"`);
  assert.equal(cr.code, 0, cr.stderr);
  assert.equal(cr.stdout, 'crontab.stable.example.com/ct1 edited\n');
  assert.deepEqual((await getJson(ns, 'ct', 'ct1')).spec, { cronSpec: '* * * * *', replicas: 2, tags: ['b'] });
});

// ---- custom resources ---------------------------------------------------------------------

test('custom resources refuse strategic merge patch with 415; merge and JSON patches work', { skip }, async () => {
  const ns = 'apply-cr-patch';
  await namespace(ns);
  await cronTabs();
  await ok(['apply', '-n', ns, '-f', '-'], cronTab('ct1', { cronSpec: '* * * * *', replicas: 1 }));
  // kubectl wraps the 415 in its own message (patch.go: "%s is not supported by %s").
  const accepted = 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml';
  assert.equal(
    await fails(['patch', 'ct', 'ct1', '-n', ns, '-p', '{"spec":{"replicas":2}}']),
    `error: application/strategic-merge-patch+json is not supported by stable.example.com/v1, Kind=CronTab: ${accepted}\n`,
  );
  const raw = await apiRequest(creds(), 'PATCH', `/apis/stable.example.com/v1/namespaces/${ns}/crontabs/ct1`, {
    body: '{"spec":{"replicas":2}}',
    contentType: 'application/strategic-merge-patch+json',
  });
  assert.equal(raw.status, 415);
  assert.deepEqual(raw.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: accepted, reason: 'UnsupportedMediaType', code: 415 });
  assert.equal(await ok(['patch', 'ct', 'ct1', '-n', ns, '--type=merge', '-p', '{"spec":{"replicas":2}}']), 'crontab.stable.example.com/ct1 patched\n');
  assert.equal(await ok(['patch', 'ct', 'ct1', '-n', ns, '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":3}]']), 'crontab.stable.example.com/ct1 patched\n');
  assert.equal((await getJson(ns, 'ct', 'ct1')).spec.replicas, 3);
});

test('client-side apply of a custom resource: a three-way JSON merge patch', { skip }, async () => {
  const ns = 'apply-cr';
  await namespace(ns);
  await cronTabs();
  const apply = (spec: Record<string, unknown>) => ok(['apply', '-n', ns, '-f', '-'], cronTab('nightly', spec));
  assert.equal(await apply({ cronSpec: '0 0 * * *', image: 'backup:1', replicas: 2, tags: ['a', 'b'] }), 'crontab.stable.example.com/nightly created\n');
  await ok(['patch', 'ct', 'nightly', '-n', ns, '--type=merge', '-p', '{"spec":{"note":"set by hand"}}']);

  assert.equal(await apply({ cronSpec: '0 0 * * *', image: 'backup:2', tags: ['b'] }), 'crontab.stable.example.com/nightly configured\n');
  const obj = await getJson(ns, 'ct', 'nightly');
  // replicas (dropped from the manifest) is removed, note (never applied) stays, lists are replaced.
  assert.deepEqual(obj.spec, { cronSpec: '0 0 * * *', image: 'backup:2', tags: ['b'], note: 'set by hand' });
  assert.deepEqual(JSON.parse(obj.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).spec, { cronSpec: '0 0 * * *', image: 'backup:2', tags: ['b'] });
  assert.equal(await apply({ cronSpec: '0 0 * * *', image: 'backup:2', tags: ['b'] }), 'crontab.stable.example.com/nightly unchanged\n');
});

// ---- server-side apply --------------------------------------------------------------------

/** What kubectl apply --server-side appends to a conflict (apply.go). */
const CONFLICT_HELP = `Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts
`;

test('managedFields: kubectl apply --server-side records an Apply entry for manager kubectl', { skip }, async () => {
  const ns = 'apply-managed';
  await namespace(ns);
  assert.equal(await ok(['apply', '--server-side', '-n', ns, '-f', '-'], deployment('web', { replicas: 1 })), 'deployment.apps/web serverside-applied\n');

  const hidden = parseYaml(await ok(['get', 'deploy', 'web', '-n', ns, '-o', 'yaml'])) as any;
  assert.equal(hidden.metadata.managedFields, undefined, 'get -o yaml hides managedFields by default');

  const shown = parseYaml(await ok(['get', 'deploy', 'web', '-n', ns, '-o', 'yaml', '--show-managed-fields'])) as any;
  const entries = shown.metadata.managedFields as any[];
  assert.ok(Array.isArray(entries), 'managedFields is present');
  const apply = entries.find((e) => e.manager === 'kubectl' && e.operation === 'Apply');
  assert.ok(apply, JSON.stringify(entries));
  assert.equal(apply.apiVersion, 'apps/v1');
  assert.equal(apply.fieldsType, 'FieldsV1');
  assert.match(apply.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(apply.fieldsV1['f:spec']['f:replicas'], {});
  assert.deepEqual(apply.fieldsV1['f:metadata']['f:labels']['f:app'], {});
  assert.ok(apply.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}'], JSON.stringify(apply.fieldsV1));
  assert.equal(apply.fieldsV1['f:status'], undefined);

  // Client-side apply is recorded as an Update by kubectl-client-side-apply.
  await ok(['apply', '-n', ns, '-f', '-'], configMap('csa', { a: '1' }));
  const csa = JSON.parse(await ok(['get', 'cm', 'csa', '-n', ns, '-o', 'json', '--show-managed-fields']));
  const update = (csa.metadata.managedFields as any[]).find((e) => e.manager === 'kubectl-client-side-apply');
  assert.ok(update, JSON.stringify(csa.metadata.managedFields));
  assert.equal(update.operation, 'Update');
  assert.deepEqual(update.fieldsV1['f:data']['f:a'], {});
});

test('server-side apply conflicts with kubectl scale and with another applier; --force-conflicts takes over', { skip }, async () => {
  const ns = 'apply-conflict';
  await namespace(ns);
  const ssa = (replicas: number, ...extra: string[]) => run(['apply', '--server-side', ...extra, '-n', ns, '-f', '-'], deployment('web', { replicas }));
  const first = await ssa(1);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, 'deployment.apps/web serverside-applied\n');
  assert.equal(await ok(['scale', 'deploy/web', '-n', ns, '--replicas=2']), 'deployment.apps/web scaled\n');

  const conflict = await ssa(3);
  assert.equal(conflict.code, 1, conflict.stdout);
  assert.equal(conflict.stdout, '');
  // kubectl scale sends no fieldManager: the server names the manager after the user agent
  // (`kubectl`, or `kubectl.1.32` through the version dispatcher).
  const scaleManager = /^error: Apply failed with 1 conflict: conflict with "(kubectl(\.\d+\.\d+)?)" with subresource "scale" using apps\/v1: \.spec\.replicas\n/.exec(conflict.stderr);
  assert.ok(scaleManager, conflict.stderr);
  assert.equal(conflict.stderr, `error: Apply failed with 1 conflict: conflict with "${scaleManager[1]}" with subresource "scale" using apps/v1: .spec.replicas\n${CONFLICT_HELP}`);
  assert.equal(await ok(['get', 'deploy', 'web', '-n', ns, '-o', 'jsonpath={.spec.replicas}']), '2');

  const forced = await ssa(3, '--force-conflicts');
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(forced.stdout, 'deployment.apps/web serverside-applied\n');
  assert.equal(await ok(['get', 'deploy', 'web', '-n', ns, '-o', 'jsonpath={.spec.replicas}']), '3');

  // Now kubectl (Apply) owns replicas: another field manager conflicts with it.
  const other = await ssa(4, '--field-manager=team-b');
  assert.equal(other.code, 1, other.stdout);
  assert.equal(other.stderr, `error: Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas\n${CONFLICT_HELP}`);
  // Applying the same value is no conflict: the field becomes shared.
  const shared = await ssa(3, '--field-manager=team-b');
  assert.equal(shared.code, 0, shared.stderr);
  const managers = (JSON.parse(await ok(['get', 'deploy', 'web', '-n', ns, '-o', 'json', '--show-managed-fields'])).metadata.managedFields as any[])
    .filter((e) => e.operation === 'Apply' && e.fieldsV1?.['f:spec']?.['f:replicas'])
    .map((e) => e.manager)
    .sort();
  assert.deepEqual(managers, ['kubectl', 'team-b']);
});

test('server-side apply removes fields its manager stopped applying and keeps fields others own', { skip }, async () => {
  const ns = 'apply-ssa-remove';
  await namespace(ns);
  const ssa = (labels: Record<string, string>, containers: Container[]) =>
    ok(['apply', '--server-side', '-n', ns, '-f', '-'], deployment('web', { labels, containers }));
  await ssa({ app: 'web', tier: 'fe' }, [{ name: 'nginx', image: 'nginx:1.25', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }]);
  await ok(['label', 'deploy', 'web', '-n', ns, 'owner=ops']);

  await ssa({ app: 'web' }, [{ name: 'nginx', image: 'nginx:1.25', env: [{ name: 'B', value: '2' }] }]);
  const d = await getJson(ns, 'deploy', 'web');
  assert.deepEqual(d.metadata.labels, { app: 'web', owner: 'ops' });
  assert.deepEqual(d.spec.template.spec.containers[0].env, [{ name: 'B', value: '2' }]);
});

// ---- field validation ---------------------------------------------------------------------

test('fieldValidation=Strict: a typo fails apply; --validate=false ignores it; --validate=warn warns', { skip }, async () => {
  const ns = 'apply-strict';
  await namespace(ns);
  const typo = (name: string) => deployment(name, { extraSpec: { replica: 3 } });

  assert.equal(
    await fails(['apply', '-n', ns, '-f', '-'], typo('typo')),
    'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"\n',
  );
  assert.equal(
    await fails(['create', '-n', ns, '-f', '-'], typo('typo')),
    'Error from server (BadRequest): error when creating "STDIN": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"\n',
  );
  assert.equal(await fails(['get', 'deploy', 'typo', '-n', ns]), 'Error from server (NotFound): deployments.apps "typo" not found\n');

  const warned = await run(['apply', '--validate=warn', '-n', ns, '-f', '-'], typo('warned'));
  assert.equal(warned.code, 0, warned.stderr);
  assert.equal(warned.stdout, 'deployment.apps/warned created\n');
  assert.equal(warned.stderr, 'Warning: unknown field "spec.replica"\n');

  assert.equal(await ok(['apply', '--validate=false', '-n', ns, '-f', '-'], typo('ignored')), 'deployment.apps/ignored created\n');
  const d = await getJson(ns, 'deploy', 'ignored');
  assert.equal(d.spec.replica, undefined);
  assert.equal(d.spec.replicas, 1);

  // On an existing object the patch is checked the same way.
  assert.equal(await ok(['apply', '-n', ns, '-f', '-'], deployment('clean')), 'deployment.apps/clean created\n');
  const patched = await fails(['apply', '-n', ns, '-f', '-'], typo('clean'));
  assert.match(patched, /strict decoding error: unknown field "spec\.replica"/);
  assert.match(patched, /^Error from server \(BadRequest\): /);
});
