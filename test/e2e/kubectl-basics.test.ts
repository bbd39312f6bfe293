/**
 * The real kubectl (through the version dispatcher) against `flotilla up`: discovery, CRUD, output
 * formats, selectors, patches, scale, apply (client- and server-side), dry run, watch, wait and
 * namespace deletion. One cluster for the file; each test works in its own namespace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { sharedCluster, waitFor } from '../support/cluster.js';

const { skip, run, ok, spawn } = await sharedCluster();

async function namespace(name: string): Promise<void> {
  await ok(['apply', '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`);
}

function deployment(name: string, opts: { image?: string; ports?: number[]; labels?: Record<string, string> } = {}): string {
  const labels = { app: name, ...opts.labels };
  const ports = opts.ports ?? [80];
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    `  labels: ${JSON.stringify(labels)}`,
    'spec:',
    '  replicas: 1',
    `  selector: {matchLabels: {app: ${name}}}`,
    '  template:',
    `    metadata: {labels: {app: ${name}}}`,
    '    spec:',
    '      containers:',
    '      - name: nginx',
    `        image: ${opts.image ?? 'nginx:1.25'}`,
    ...(ports.length ? ['        ports:', ...ports.map((p) => `        - containerPort: ${p}`)] : []),
    '',
  ].join('\n');
}

function nodePortService(name: string): string {
  return `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  labels: {app: ${name}}\nspec:\n  type: NodePort\n  selector: {app: ${name}}\n  ports:\n  - port: 80\n    targetPort: 80\n`;
}

function pod(name: string, labels: Record<string, string> = {}): string {
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  labels: ${JSON.stringify(labels)}\nspec:\n  containers:\n  - name: c\n    image: busybox\n`;
}

function configMap(name: string, data: Record<string, string> = {}, extra = ''): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}data: ${JSON.stringify(data)}\n`;
}

/** Deployment `web` + NodePort Service `web` in `ns` (idempotent). */
async function applyWeb(ns: string): Promise<string> {
  await namespace(ns);
  return ok(['apply', '-n', ns, '-f', '-'], `${deployment('web')}---\n${nodePortService('web')}`);
}

function lines(s: string): string[] {
  return s.split('\n').filter((l) => l.length > 0);
}

function sortedLines(s: string): string[] {
  return lines(s).sort();
}

/** Split kubectl's concatenated JSON documents (`get -w -o json`) into values. */
function jsonStream(s: string): unknown[] {
  const out: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') {
      if (depth++ === 0) start = i;
    } else if (ch === '}' && --depth === 0) out.push(JSON.parse(s.slice(start, i + 1)));
  }
  return out;
}

test('kubectl version reports a v1.32 server', { skip }, async () => {
  const plain = await ok(['version']);
  assert.match(plain, /^Server Version: v1\.32\.\d+/m);
  const v = JSON.parse(await ok(['version', '-o', 'json'])) as { serverVersion: Record<string, string> };
  assert.equal(v.serverVersion.major, '1');
  assert.equal(v.serverVersion.minor, '32');
  assert.match(v.serverVersion.gitVersion, /^v1\.32\.\d+/);
  for (const field of ['gitCommit', 'gitTreeState', 'buildDate', 'goVersion', 'compiler', 'platform']) {
    assert.equal(typeof v.serverVersion[field], 'string', `serverVersion.${field}`);
  }
});

test('api-resources lists pods and deployments.apps with their short names', { skip }, async () => {
  const rows = lines(await ok(['api-resources'])).map((l) => l.split(/\s+/));
  assert.deepEqual(rows[0], ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
  assert.deepEqual(
    rows.find((r) => r[0] === 'pods'),
    ['pods', 'po', 'v1', 'true', 'Pod'],
  );
  assert.deepEqual(
    rows.find((r) => r[0] === 'deployments'),
    ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment'],
  );
  const names = lines(await ok(['api-resources', '-o', 'name']));
  assert.ok(names.includes('pods'));
  assert.ok(names.includes('deployments.apps'));
  // The short names resolve.
  await applyWeb('shortnames');
  assert.equal(await ok(['get', 'deploy', '-n', 'shortnames', '-o', 'name']), 'deployment.apps/web\n');
  assert.equal((await run(['get', 'po', '-n', 'shortnames'])).code, 0);
});

test('apply of a Deployment and a Service from stdin creates them, and again leaves them unchanged', { skip }, async () => {
  assert.equal(await applyWeb('basics'), 'deployment.apps/web created\nservice/web created\n');
  assert.equal(await applyWeb('basics'), 'deployment.apps/web unchanged\nservice/web unchanged\n');
});

test('get prints the Deployment and Service tables', { skip }, async () => {
  await applyWeb('tables');
  const deploy = lines(await ok(['get', 'deployments', '-n', 'tables']));
  assert.equal(deploy[0], 'NAME   READY   UP-TO-DATE   AVAILABLE   AGE');
  assert.equal(deploy.length, 2);
  assert.match(deploy[1], /^web    \d+\/1     \d+            \d+           \d+[smhd]/);

  const svc = lines(await ok(['get', 'services', '-n', 'tables']));
  assert.deepEqual(svc[0].split(/\s{2,}/), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
  assert.match(svc[0], /^NAME   TYPE       CLUSTER-IP +EXTERNAL-IP   PORT\(S\)        AGE$/);
  const m = /^web\s+NodePort\s+(10\.43\.\d+\.\d+)\s+<none>\s+80:(3\d{4})\/TCP\s+\d+[smhd]$/.exec(svc[1]);
  assert.ok(m, `service row: ${svc[1]}`);
  const nodePort = Number(m[2]);
  assert.ok(nodePort >= 30000 && nodePort <= 32767, `node port ${nodePort} in the default range`);

  const kubernetes = lines(await ok(['get', 'svc', 'kubernetes', '-n', 'default']));
  assert.match(kubernetes[1], /^kubernetes\s+ClusterIP\s+10\.43\.0\.1\s+<none>\s+443\/TCP\s+\d+[smhd]$/);
});

test('get -o wide adds the wide columns', { skip }, async () => {
  await applyWeb('wide');
  const deploy = lines(await ok(['get', 'deploy', '-n', 'wide', '-o', 'wide']));
  assert.deepEqual(deploy[0].split(/\s{2,}/), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR']);
  assert.deepEqual(deploy[1].split(/\s+/).slice(-3), ['nginx', 'nginx:1.25', 'app=web']);
  const svc = lines(await ok(['get', 'svc', '-n', 'wide', '-o', 'wide']));
  assert.deepEqual(svc[0].split(/\s{2,}/), ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
  assert.equal(svc[1].split(/\s+/).at(-1), 'app=web');
});

test('get -o yaml, -o json, -o jsonpath and -o name', { skip }, async () => {
  await applyWeb('formats');
  const y = parseYaml(await ok(['get', 'deploy', 'web', '-n', 'formats', '-o', 'yaml'])) as any;
  assert.equal(y.apiVersion, 'apps/v1');
  assert.equal(y.kind, 'Deployment');
  assert.equal(y.metadata.name, 'web');
  assert.equal(y.metadata.namespace, 'formats');
  assert.match(y.metadata.uid, /^[0-9a-f-]{36}$/);
  assert.match(y.metadata.resourceVersion, /^\d+$/);
  assert.match(y.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(y.spec.template.spec.containers[0].image, 'nginx:1.25');

  const j = JSON.parse(await ok(['get', 'deploy', 'web', '-n', 'formats', '-o', 'json']));
  assert.equal(j.metadata.uid, y.metadata.uid);
  assert.equal(j.spec.replicas, 1);
  const list = JSON.parse(await ok(['get', 'deploy,svc', '-n', 'formats', '-o', 'json']));
  assert.equal(list.kind, 'List');
  assert.deepEqual(list.items.map((i: any) => `${i.kind}/${i.metadata.name}`), ['Deployment/web', 'Service/web']);

  assert.equal(await ok(['get', 'deploy', 'web', '-n', 'formats', '-o', 'jsonpath={.spec.replicas}']), '1');
  assert.equal(await ok(['get', 'svc', '-n', 'formats', '-o', 'jsonpath={range .items[*]}{.metadata.name}:{.spec.type}{"\\n"}{end}']), 'web:NodePort\n');
  assert.equal(await ok(['get', 'deploy,svc', '-n', 'formats', '-o', 'name']), 'deployment.apps/web\nservice/web\n');
});

test('label selectors (set-based) and field selectors filter lists', { skip }, async () => {
  await namespace('sel');
  const pods = [pod('a', { app: 'web' }), pod('b', { app: 'api' }), pod('c', { app: 'db' }), pod('d', { app: 'web', canary: 'true' }), pod('e')];
  await ok(['apply', '-n', 'sel', '-f', '-'], pods.join('---\n'));
  const sel = async (...args: string[]) => sortedLines(await ok(['get', 'pods', '-n', 'sel', '-o', 'name', ...args]));
  assert.deepEqual(await sel('-l', 'app in (web,api),!canary'), ['pod/a', 'pod/b']);
  assert.deepEqual(await sel('-l', 'app notin (web)'), ['pod/b', 'pod/c', 'pod/e']);
  assert.deepEqual(await sel('-l', 'app'), ['pod/a', 'pod/b', 'pod/c', 'pod/d']);
  assert.deepEqual(await sel('-l', '!app'), ['pod/e']);
  assert.deepEqual(await sel('-l', 'app!=web'), ['pod/b', 'pod/c', 'pod/e']);
  assert.deepEqual(await sel('-l', 'app==web,canary=true'), ['pod/d']);
  assert.deepEqual(await sel('--field-selector', 'metadata.name=c'), ['pod/c']);
  assert.deepEqual(await sel('--field-selector', 'metadata.name!=c', '-l', 'app'), ['pod/a', 'pod/b', 'pod/d']);
  assert.deepEqual(await sel('--field-selector', 'metadata.namespace=sel,metadata.name=e'), ['pod/e']);
  const none = await run(['get', 'pods', '-n', 'sel', '-l', 'app=nothing']);
  assert.equal(none.code, 0);
  assert.equal(none.stdout, '');
  assert.equal(none.stderr, 'No resources found in sel namespace.\n');
});

test('get -A lists across namespaces with a NAMESPACE column', { skip }, async () => {
  await namespace('all-a');
  await namespace('all-b');
  await ok(['apply', '-n', 'all-a', '-f', '-'], configMap('shared', { k: 'a' }));
  await ok(['apply', '-n', 'all-b', '-f', '-'], configMap('shared', { k: 'b' }));
  const table = lines(await ok(['get', 'configmaps', '-A', '--field-selector', 'metadata.name=shared']));
  assert.deepEqual(table[0].split(/\s+/), ['NAMESPACE', 'NAME', 'DATA', 'AGE']);
  assert.deepEqual(
    table.slice(1).map((l) => l.split(/\s+/).slice(0, 3)),
    [
      ['all-a', 'shared', '1'],
      ['all-b', 'shared', '1'],
    ],
  );
  const both = await ok(['get', 'cm', '--all-namespaces', '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}={.data.k}{"\\n"}{end}']);
  assert.ok(lines(both).includes('all-a/shared=a'));
  assert.ok(lines(both).includes('all-b/shared=b'));
});

test('describe shows the name and labels', { skip }, async () => {
  await applyWeb('describe');
  const d = await ok(['describe', 'deployment', 'web', '-n', 'describe']);
  assert.match(d, /^Name:\s+web$/m);
  assert.match(d, /^Namespace:\s+describe$/m);
  assert.match(d, /^Labels:\s+app=web$/m);
  assert.match(d, /^Selector:\s+app=web$/m);
  assert.match(d, /Image:\s+nginx:1\.25/);
  const s = await ok(['describe', 'svc', 'web', '-n', 'describe']);
  assert.match(s, /^Name:\s+web$/m);
  assert.match(s, /^Labels:\s+app=web$/m);
  assert.match(s, /^Type:\s+NodePort$/m);
  assert.match(s, /^IP:\s+10\.43\.\d+\.\d+$/m);
  await ok(['apply', '-n', 'describe', '-f', '-'], pod('p', { app: 'web', tier: 'fe' }));
  const p = await ok(['describe', 'pod', 'p', '-n', 'describe']);
  assert.match(p, /^Name:\s+p$/m);
  assert.match(p, /^Labels:\s+app=web\n\s+tier=fe$/m);
});

test('label and annotate', { skip }, async () => {
  await applyWeb('labels');
  const labels = () => ok(['get', 'deploy', 'web', '-n', 'labels', '-o', 'jsonpath={.metadata.labels}']).then((s) => JSON.parse(s));
  assert.equal(await ok(['label', 'deploy', 'web', '-n', 'labels', 'tier=fe']), 'deployment.apps/web labeled\n');
  assert.deepEqual(await labels(), { app: 'web', tier: 'fe' });
  const clash = await run(['label', 'deploy', 'web', '-n', 'labels', 'tier=be']);
  assert.equal(clash.code, 1);
  assert.equal(clash.stderr, "error: 'tier' already has a value (fe), and --overwrite is false\n");
  assert.equal(await ok(['label', 'deploy', 'web', '-n', 'labels', 'tier=be', '--overwrite']), 'deployment.apps/web labeled\n');
  assert.deepEqual(await labels(), { app: 'web', tier: 'be' });
  assert.equal(await ok(['label', 'deploy', 'web', '-n', 'labels', 'tier-']), 'deployment.apps/web unlabeled\n');
  assert.deepEqual(await labels(), { app: 'web' });

  assert.equal(await ok(['annotate', 'deploy', 'web', '-n', 'labels', 'note=hello world']), 'deployment.apps/web annotated\n');
  assert.equal(await ok(['get', 'deploy', 'web', '-n', 'labels', '-o', 'jsonpath={.metadata.annotations.note}']), 'hello world');
  assert.equal(await ok(['annotate', 'deploy', 'web', '-n', 'labels', 'note-']), 'deployment.apps/web annotated\n');
  assert.equal(await ok(['get', 'deploy', 'web', '-n', 'labels', '-o', 'jsonpath={.metadata.annotations.note}']), '');
});

test('patch: --type=json, --type=merge and the default strategic merge', { skip }, async () => {
  await namespace('patch');
  await ok(['apply', '-n', 'patch', '-f', '-'], deployment('pt', { ports: [80, 443] }));
  const get = async () => JSON.parse(await ok(['get', 'deploy', 'pt', '-n', 'patch', '-o', 'json']));

  assert.equal(await ok(['patch', 'deploy', 'pt', '-n', 'patch', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":2},{"op":"add","path":"/metadata/labels/j","value":"1"}]']), 'deployment.apps/pt patched\n');
  let d = await get();
  assert.equal(d.spec.replicas, 2);
  assert.equal(d.metadata.labels.j, '1');

  // Strategic merge (the default): containers merge by name, so a new container is added and
  // nginx keeps its ports.
  assert.equal(await ok(['patch', 'deploy', 'pt', '-n', 'patch', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox"}]}}}}']), 'deployment.apps/pt patched\n');
  d = await get();
  assert.deepEqual(d.spec.template.spec.containers.map((c: any) => c.name).sort(), ['nginx', 'sidecar']);
  const nginx = d.spec.template.spec.containers.find((c: any) => c.name === 'nginx');
  assert.deepEqual(nginx.ports.map((p: any) => p.containerPort), [80, 443]);
  // ... and `$patch: delete` removes one element by its merge key.
  await ok(['patch', 'deploy', 'pt', '-n', 'patch', '--type=strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}']);
  d = await get();
  assert.deepEqual(d.spec.template.spec.containers.map((c: any) => c.name), ['nginx']);

  // Merge patch: maps merge, lists are replaced wholesale, null deletes.
  assert.equal(await ok(['patch', 'deploy', 'pt', '-n', 'patch', '--type=merge', '-p', '{"metadata":{"labels":{"m":"1","j":null}},"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}}']), 'deployment.apps/pt patched\n');
  d = await get();
  assert.deepEqual(d.metadata.labels, { app: 'pt', m: '1' });
  assert.equal(d.spec.template.spec.containers.length, 1);
  assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.26');
  assert.equal(d.spec.template.spec.containers[0].ports, undefined);
});

test('scale, with and without --current-replicas', { skip }, async () => {
  await namespace('scale');
  await ok(['apply', '-n', 'scale', '-f', '-'], deployment('web'));
  const replicas = () => ok(['get', 'deploy', 'web', '-n', 'scale', '-o', 'jsonpath={.spec.replicas}']);
  assert.equal(await ok(['scale', 'deploy/web', '-n', 'scale', '--replicas=3']), 'deployment.apps/web scaled\n');
  assert.equal(await replicas(), '3');
  assert.equal(await ok(['scale', 'deploy/web', '-n', 'scale', '--current-replicas=3', '--replicas=4']), 'deployment.apps/web scaled\n');
  assert.equal(await replicas(), '4');
  const stale = await run(['scale', 'deploy/web', '-n', 'scale', '--current-replicas=2', '--replicas=5']);
  assert.equal(stale.code, 1);
  assert.equal(stale.stderr, 'error: Expected replicas to be 2, was 4\n');
  assert.equal(await replicas(), '4');
  const scale = JSON.parse(await ok(['get', '--raw', '/apis/apps/v1/namespaces/scale/deployments/web/scale']));
  assert.equal(scale.kind, 'Scale');
  assert.equal(scale.apiVersion, 'autoscaling/v1');
  assert.equal(scale.spec.replicas, 4);
  assert.equal(scale.status.selector, 'app=web');
});

test('delete, after which get prints NotFound', { skip }, async () => {
  await applyWeb('del');
  assert.equal(await ok(['delete', 'deploy', 'web', '-n', 'del']), 'deployment.apps "web" deleted\n');
  const gone = await run(['get', 'deploy', 'web', '-n', 'del']);
  assert.equal(gone.code, 1);
  assert.equal(gone.stderr, 'Error from server (NotFound): deployments.apps "web" not found\n');
  assert.equal(await ok(['delete', '-n', 'del', '-f', '-'], nodePortService('web')), 'service "web" deleted\n');
  const svc = await run(['get', 'svc', 'web', '-n', 'del']);
  assert.equal(svc.stderr, 'Error from server (NotFound): services "web" not found\n');
  assert.equal(await ok(['delete', 'deploy', 'web', '-n', 'del', '--ignore-not-found']), '');
});

test('re-apply of a changed manifest: image changed, container ports removed and added', { skip }, async () => {
  await namespace('reapply');
  const apply = (manifest: string) => ok(['apply', '-n', 'reapply', '-f', '-'], manifest);
  const container = async () => JSON.parse(await ok(['get', 'deploy', 'web', '-n', 'reapply', '-o', 'jsonpath={.spec.template.spec.containers[0]}']));
  assert.equal(await apply(deployment('web', { image: 'nginx:1.25', ports: [80, 443], labels: { tier: 'fe' } })), 'deployment.apps/web created\n');
  // A label set out of band survives re-apply (three-way merge).
  await ok(['label', 'deploy', 'web', '-n', 'reapply', 'owner=ops']);

  assert.equal(await apply(deployment('web', { image: 'nginx:1.27', ports: [8080, 443] })), 'deployment.apps/web configured\n');
  let c = await container();
  assert.equal(c.image, 'nginx:1.27');
  assert.deepEqual(c.ports, [
    { containerPort: 8080, protocol: 'TCP' },
    { containerPort: 443, protocol: 'TCP' },
  ]);
  const labels = JSON.parse(await ok(['get', 'deploy', 'web', '-n', 'reapply', '-o', 'jsonpath={.metadata.labels}']));
  assert.deepEqual(labels, { app: 'web', owner: 'ops' }, 'tier (dropped from the manifest) is removed; owner (set by kubectl label) stays');

  assert.equal(await apply(deployment('web', { image: 'nginx:1.27', ports: [80, 8080] })), 'deployment.apps/web configured\n');
  c = await container();
  assert.deepEqual(c.ports, [
    { containerPort: 80, protocol: 'TCP' },
    { containerPort: 8080, protocol: 'TCP' },
  ]);

  assert.equal(await apply(deployment('web', { image: 'nginx:1.27', ports: [] })), 'deployment.apps/web configured\n');
  c = await container();
  assert.equal(c.ports, undefined);
  const lastApplied = JSON.parse(await ok(['get', 'deploy', 'web', '-n', 'reapply', '-o', 'jsonpath={.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}']));
  assert.equal(lastApplied.spec.template.spec.containers[0].ports, undefined);
  assert.equal(await apply(deployment('web', { image: 'nginx:1.27', ports: [] })), 'deployment.apps/web unchanged\n');
});

test('apply --server-side creates and updates', { skip }, async () => {
  await namespace('ssa');
  assert.equal(await ok(['apply', '--server-side', '-n', 'ssa', '-f', '-'], configMap('conf', { a: '1', b: '2' })), 'configmap/conf serverside-applied\n');
  assert.deepEqual(JSON.parse(await ok(['get', 'cm', 'conf', '-n', 'ssa', '-o', 'jsonpath={.data}'])), { a: '1', b: '2' });
  assert.equal(await ok(['apply', '--server-side', '-n', 'ssa', '-f', '-'], configMap('conf', { a: '10', b: '2' })), 'configmap/conf serverside-applied\n');
  assert.deepEqual(JSON.parse(await ok(['get', 'cm', 'conf', '-n', 'ssa', '-o', 'jsonpath={.data}'])), { a: '10', b: '2' });
  assert.equal(await ok(['apply', '--server-side', '-n', 'ssa', '-f', '-'], deployment('web', { ports: [80] })), 'deployment.apps/web serverside-applied\n');
  assert.equal(await ok(['apply', '--server-side', '-n', 'ssa', '-f', '-'], deployment('web', { image: 'nginx:1.27', ports: [80] })), 'deployment.apps/web serverside-applied\n');
  assert.equal(await ok(['get', 'deploy', 'web', '-n', 'ssa', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx:1.27');
});

test('apply --server-side removes a field its manager stopped applying', { skip }, async () => {
  await namespace('ssa-prune');
  await ok(['apply', '--server-side', '-n', 'ssa-prune', '-f', '-'], configMap('conf', { a: '1', b: '2' }));
  await ok(['apply', '--server-side', '-n', 'ssa-prune', '-f', '-'], configMap('conf', { a: '1' }));
  assert.deepEqual(JSON.parse(await ok(['get', 'cm', 'conf', '-n', 'ssa-prune', '-o', 'jsonpath={.data}'])), { a: '1' });
});

test('create -f with generateName prints the generated name', { skip }, async () => {
  await namespace('gen');
  const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: gen-\ndata: {k: v}\n';
  const first = await ok(['create', '-n', 'gen', '-f', '-'], manifest);
  const m = /^configmap\/(gen-[bcdfghjklmnpqrstvwxz2456789]{5}) created\n$/.exec(first);
  assert.ok(m, `kubectl create printed: ${first}`);
  const second = /^configmap\/(gen-\S+) created\n$/.exec(await ok(['create', '-n', 'gen', '-f', '-'], manifest));
  assert.ok(second);
  assert.notEqual(second[1], m[1]);
  assert.deepEqual(sortedLines(await ok(['get', 'cm', '-n', 'gen', '-o', 'name'])), [`configmap/${m[1]}`, `configmap/${second[1]}`].sort());
});

test('kubectl create configmap and namespace (built-in generators)', { skip }, async () => {
  assert.equal(await ok(['create', 'namespace', 'generated']), 'namespace/generated created\n');
  assert.equal(await ok(['create', 'configmap', 'lit', '-n', 'generated', '--from-literal=a=b']), 'configmap/lit created\n');
  assert.equal(await ok(['get', 'cm', 'lit', '-n', 'generated', '-o', 'jsonpath={.data.a}']), 'b');
});

test('--dry-run=server validates but stores nothing', { skip }, async () => {
  await namespace('dry');
  assert.equal(await ok(['apply', '--dry-run=server', '-n', 'dry', '-f', '-'], configMap('dry', { a: '1' })), 'configmap/dry created (server dry run)\n');
  assert.equal(await ok(['create', '--dry-run=server', '-n', 'dry', '-f', '-'], configMap('dry', { a: '1' })), 'configmap/dry created (server dry run)\n');
  const none = await run(['get', 'cm', 'dry', '-n', 'dry']);
  assert.equal(none.stderr, 'Error from server (NotFound): configmaps "dry" not found\n');

  await ok(['apply', '-n', 'dry', '-f', '-'], configMap('kept', { a: '1' }));
  const rv = await ok(['get', 'cm', 'kept', '-n', 'dry', '-o', 'jsonpath={.metadata.resourceVersion}']);
  assert.equal(await ok(['label', 'cm', 'kept', '-n', 'dry', 'x=y', '--dry-run=server']), 'configmap/kept labeled (server dry run)\n');
  assert.equal(await ok(['delete', 'cm', 'kept', '-n', 'dry', '--dry-run=server']), 'configmap "kept" deleted (server dry run)\n');
  assert.equal(await ok(['get', 'cm', 'kept', '-n', 'dry', '-o', 'jsonpath={.metadata.resourceVersion}/{.metadata.labels}']), `${rv}/`);
  // Server-side validation still runs under dry run.
  const invalid = await run(['create', '--dry-run=server', '-n', 'dry', '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\nspec:\n  containers:\n  - name: c\n');
  assert.equal(invalid.code, 1);
  assert.equal(invalid.stderr, 'The Pod "bad" is invalid: spec.containers[0].image: Required value\n');
});

test('get pods -w --output-watch-events sees ADDED, MODIFIED and DELETED', { skip }, async () => {
  await namespace('watch');
  await ok(['apply', '-n', 'watch', '-f', '-'], pod('w1', { app: 'w' }));
  const json = spawn(['get', 'pods', '-n', 'watch', '-w', '--output-watch-events', '-o', 'json']);
  const table = spawn(['get', 'pods', '-n', 'watch', '-w', '--output-watch-events']);
  const events = () => (jsonStream(json.stdout()) as { type: string; object: { metadata: { name: string; labels?: Record<string, string> } } }[]).map((e) => ({ type: e.type, name: e.object.metadata.name, labels: e.object.metadata.labels }));
  // The initial list arrives as ADDED events.
  await json.waitForOutput('the initial ADDED w1', () => events().some((e) => e.type === 'ADDED' && e.name === 'w1'));
  await table.waitForOutput('the initial ADDED w1 row', /^ADDED\s+w1\s/m);

  await ok(['apply', '-n', 'watch', '-f', '-'], pod('w2', { app: 'w' }));
  await ok(['label', 'pod', 'w2', '-n', 'watch', 'step=labeled']);
  await ok(['delete', 'pod', 'w2', '-n', 'watch', '--wait=false']);

  await json.waitForOutput('DELETED w2', () => events().some((e) => e.type === 'DELETED' && e.name === 'w2'));
  const w2 = events().filter((e) => e.name === 'w2');
  assert.equal(w2[0].type, 'ADDED');
  assert.equal(w2.at(-1)!.type, 'DELETED');
  assert.ok(w2.some((e) => e.type === 'MODIFIED' && e.labels?.step === 'labeled'), `w2 events: ${JSON.stringify(w2)}`);
  assert.deepEqual(
    events().filter((e) => e.name === 'w1').map((e) => e.type),
    ['ADDED'],
  );

  await table.waitForOutput('a DELETED w2 row', /^DELETED\s+w2\s/m);
  const rows = lines(table.stdout());
  assert.deepEqual(rows[0].split(/\s+/), ['EVENT', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
  const w2rows = rows.filter((r) => /^\S+\s+w2\s/.test(r)).map((r) => r.split(/\s+/)[0]);
  assert.equal(w2rows[0], 'ADDED');
  assert.ok(w2rows.includes('MODIFIED'));
  assert.equal(w2rows.at(-1), 'DELETED');
  assert.equal(json.process.exitCode, null, 'kubectl get -w is still watching');
  await Promise.all([json.stop(), table.stop()]);
});

test("kubectl wait --for=jsonpath completes after the label changes", { skip }, async () => {
  await namespace('wait');
  await ok(['apply', '-n', 'wait', '-f', '-'], pod('x'));
  // -v=6 logs each request, so the test knows when wait has started watching.
  const wait = spawn(['wait', '-n', 'wait', "--for=jsonpath={.metadata.labels.ready}=yes", 'pod/x', '--timeout=60s', '-v=6']);
  await waitFor('kubectl wait to open its watch', () => {
    if (wait.process.exitCode !== null) throw new Error(`kubectl wait exited early (${wait.process.exitCode}): ${wait.stdout()} ${wait.stderr()}`);
    return /watch=true\S* 200 OK/.test(wait.stderr());
  });
  await ok(['label', 'pod', 'x', '-n', 'wait', 'ready=yes']);
  const code = await Promise.race([wait.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 30_000).unref())]);
  assert.equal(code, 0, `kubectl wait: ${wait.stdout()}\n${wait.stderr()}`);
  assert.equal(wait.stdout(), 'pod/x condition met\n');
});

test('delete ns removes the namespace and everything in it', { skip }, async () => {
  await namespace('doomed');
  await ok(['apply', '-n', 'doomed', '-f', '-'], [deployment('web'), nodePortService('web'), pod('p'), configMap('c', { a: '1' })].join('---\n'));
  assert.equal(await ok(['delete', 'ns', 'doomed']), 'namespace "doomed" deleted\n');
  await waitFor('namespace doomed to be gone', async () => (await run(['get', 'ns', 'doomed'])).stderr === 'Error from server (NotFound): namespaces "doomed" not found\n');
  const leftovers = await run(['get', 'deploy,svc,pods,cm', '-A', '--field-selector', 'metadata.namespace=doomed', '-o', 'name']);
  assert.equal(leftovers.code, 0, leftovers.stderr);
  assert.equal(leftovers.stdout, '');
  // A namespace of the same name starts empty.
  await namespace('doomed');
  const fresh = await run(['get', 'deploy,svc,pods', '-n', 'doomed', '-o', 'name']);
  assert.equal(fresh.stdout, '');
  assert.equal((await run(['get', 'cm', 'c', '-n', 'doomed'])).stderr, 'Error from server (NotFound): configmaps "c" not found\n');
});
