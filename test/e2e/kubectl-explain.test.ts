/**
 * OpenAPI as the real kubectl reads it: `kubectl explain` renders the published v3 schemas as it
 * does against kube-apiserver v1.32, `kubectl apply` builds its strategic merge patches from them
 * (so it never falls back to /openapi/v2), and create/apply send `fieldValidation=Strict`, which
 * the server must enforce with kube's message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiRequest, sharedCluster } from '../support/cluster.js';

const { skip, cluster, creds, run, okResult: ok } = await sharedCluster();

function manifestFile(name: string, content: string): string {
  const path = join(cluster().dir, name);
  writeFileSync(path, content);
  return path;
}

function deployment(name: string, spec: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
${spec}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.26
        ports: [{containerPort: 80}]
      - name: sidecar
        image: busybox
`;
}

test('kubectl explain pods.spec.containers prints the field, its type and descriptions', { skip }, async () => {
  const { stdout } = await ok(['explain', 'pods.spec.containers']);
  assert.ok(stdout.startsWith('KIND:       Pod\nVERSION:    v1\n\nFIELD: containers <[]Container>\n'), stdout);
  assert.match(stdout, /\nDESCRIPTION:\n {4}List of containers belonging to the pod\. Containers cannot currently be\n {4}added or removed\./);
  assert.match(stdout, /\n {4}A single application container that you want to run within a pod\.\n/);
  assert.match(stdout, /\nFIELDS:\n {2}args\t<\[\]string>\n/);
  assert.match(stdout, /\n {2}name\t<string> -required-\n {4}Name of the container specified as a DNS_LABEL\./);
  assert.match(stdout, /\n {2}ports\t<\[\]ContainerPort>\n/);
  assert.match(stdout, /\n {2}resources\t<ResourceRequirements>\n/);
});

test('kubectl explain deployments.spec.strategy shows the field and type descriptions and enums', { skip }, async () => {
  const { stdout } = await ok(['explain', 'deployments.spec.strategy']);
  assert.equal(
    stdout,
    [
      'GROUP:      apps',
      'KIND:       Deployment',
      'VERSION:    v1',
      '',
      'FIELD: strategy <DeploymentStrategy>',
      '',
      '',
      'DESCRIPTION:',
      '    The deployment strategy to use to replace existing pods with new ones.',
      '    DeploymentStrategy describes how to replace existing pods with new ones.',
      '    ',
      'FIELDS:',
      '  rollingUpdate\t<RollingUpdateDeployment>',
      '    Rolling update config params. Present only if DeploymentStrategyType =',
      '    RollingUpdate.',
      '',
      '  type\t<string>',
      '  enum: Recreate, RollingUpdate',
      '    Type of deployment. Can be "Recreate" or "RollingUpdate". Default is',
      '    RollingUpdate.',
      '    ',
      '    Possible enum values:',
      '     - `"Recreate"` Kill all existing pods before creating new ones.',
      '     - `"RollingUpdate"` Replace the old ReplicaSets by new one using rolling',
      '    update i.e gradually scale down the old ReplicaSets and scale up the new',
      '    one.',
      '',
      '',
      '',
    ].join('\n'),
  );
});

test('kubectl explain of an enum field lists its values', { skip }, async () => {
  const { stdout } = await ok(['explain', 'pod.spec.restartPolicy']);
  assert.ok(stdout.startsWith('KIND:       Pod\nVERSION:    v1\n\nFIELD: restartPolicy <string>\nENUM:\n    Always\n    Never\n    OnFailure\n\nDESCRIPTION:\n'), stdout);
  assert.match(stdout, /\n {4}Possible enum values:\n {5}- `"Always"`\n {5}- `"Never"`\n {5}- `"OnFailure"`\n/);
});

test('kubectl explain deployment.spec --recursive walks the schema tree', { skip }, async () => {
  const { stdout } = await ok(['explain', 'deployment.spec', '--recursive']);
  assert.ok(stdout.startsWith('GROUP:      apps\nKIND:       Deployment\nVERSION:    v1\n\nFIELD: spec <DeploymentSpec>\n'), stdout);
  for (const line of [
    '  replicas\t<integer>',
    '  selector\t<LabelSelector> -required-',
    '    matchLabels\t<map[string]string>',
    '  strategy\t<DeploymentStrategy>',
    '      maxSurge\t<IntOrString>',
    '  template\t<PodTemplateSpec> -required-',
    '      containers\t<[]Container> -required-',
    '        name\t<string> -required-',
    '          limits\t<map[string]Quantity>',
  ]) {
    assert.ok(stdout.includes(`\n${line}\n`), `missing line ${JSON.stringify(line)}`);
  }
});

test('kubectl explain svc --recursive, and a field that does not exist', { skip }, async () => {
  const { stdout } = await ok(['explain', 'svc', '--recursive']);
  assert.ok(stdout.startsWith('KIND:       Service\nVERSION:    v1\n\nDESCRIPTION:\n    Service is a named abstraction of software service'), stdout);
  for (const line of ['  metadata\t<ObjectMeta>', '  spec\t<ServiceSpec>', '    ports\t<[]ServicePort>', '      targetPort\t<IntOrString>', '  status\t<ServiceStatus>']) {
    assert.ok(stdout.includes(`\n${line}\n`), `missing line ${JSON.stringify(line)}`);
  }
  const r = await run(['explain', 'pods.spec.nope']);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, 'error: field "nope" does not exist\n');
});

test('kubectl apply builds its strategic merge patch from the v3 schema', { skip }, async () => {
  const file = manifestFile('web-smp.yaml', deployment('web-smp', '  replicas: 1'));
  await ok(['apply', '-f', file]);
  writeFileSync(file, deployment('web-smp', '  replicas: 1').replace('nginx:1.26', 'nginx:1.27').replace('containerPort: 80', 'containerPort: 8080'));
  const { stderr } = await ok(['apply', '-f', file, '-v=6']);
  assert.match(stderr, /PATCH https:\/\/\S+\/apis\/apps\/v1\/namespaces\/default\/deployments\/web-smp\?fieldManager=kubectl-client-side-apply&fieldValidation=Strict 200/);
  assert.ok(!stderr.includes('/openapi/v2'), 'kubectl found the schema in v3 and did not fall back to /openapi/v2');
  const { stdout } = await ok(['get', 'deploy', 'web-smp', '-o', 'jsonpath={range .spec.template.spec.containers[*]}{.name}={.image}:{.ports[*].containerPort};{end}']);
  assert.equal(stdout, 'nginx=nginx:1.27:8080;sidecar=busybox:;');
});

test('/openapi/v2 serves Swagger 2.0 JSON (and protobuf, below)', { skip }, async () => {
  const r = await apiRequest(creds(), 'GET', '/openapi/v2');
  assert.equal(r.status, 200);
  assert.equal(r.json.swagger, '2.0');
  assert.deepEqual(r.json.definitions['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind'], [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
});

test('kubectl apply of a kind: List validates on the client from /openapi/v2 (protobuf), as against kube', { skip }, async () => {
  // A List is what `kubectl get -o yaml` writes; kubectl validates it against the v2 document,
  // which it asks for in gnostic's protobuf encoding only.
  const good = manifestFile('list.yaml', `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: listed-a, namespace: default}
  data: {a: "1"}
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: listed-b, namespace: default}
`);
  const created = await ok(['apply', '-f', good]);
  assert.equal(created.stdout, 'configmap/listed-a created\nconfigmap/listed-b created\n');
  const roundTrip = manifestFile('round-trip.yaml', (await ok(['get', 'configmap', 'listed-a', 'listed-b', '-o', 'yaml'])).stdout);
  assert.match((await ok(['apply', '-f', roundTrip])).stdout, /^configmap\/listed-a \w+\nconfigmap\/listed-b \w+\n$/, 'get -o yaml, then apply it');

  const bad = manifestFile('bad-list.yaml', `apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ConfigMap
  metadata: {name: listed-c, namespace: default}
  dta: {b: "2"}
- ${deployment('listed', '  replicas: "three"').replace(/\n/g, '\n  ').trimEnd()}
`);
  const r = await run(['apply', '-f', bad]);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    `error: error validating "${bad}": error validating data: [ValidationError(ConfigMap): unknown field "dta" in io.k8s.api.core.v1.ConfigMap, ` +
      'ValidationError(Deployment.spec.replicas): invalid type for io.k8s.api.apps.v1.DeploymentSpec.replicas: got "string", expected "integer"]; ' +
      'if you choose to ignore these errors, turn validation off with --validate=false\n',
  );
  assert.equal((await run(['get', 'configmap', 'listed-c'])).code, 1, 'nothing was created');
});

// Passes once the request path enforces fieldValidation=Strict (the server's side of it).
test('kubectl apply of a manifest with an unknown field fails with a strict decoding error', { skip }, async () => {
  const file = manifestFile('typo.yaml', deployment('typo', '  replica: 3'));
  const r = await run(['apply', '-f', file]);
  assert.equal(r.code, 1, `apply should fail\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  assert.equal(
    r.stderr,
    `Error from server (BadRequest): error when creating "${file}": Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"\n`,
  );
});
