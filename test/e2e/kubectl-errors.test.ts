/**
 * Errors, as the real kubectl prints them against a real cluster: every expected string here is
 * kubectl v1.32's rendering of the upstream apiserver's Status (or kubectl's own client-side
 * message), byte for byte.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiRequest, sharedCluster } from '../support/cluster.js';

const { skip, cluster, creds, run, ok, fails } = await sharedCluster();

/** Write a manifest into the cluster's temp dir (so kubectl names the file in its errors). */
function manifestFile(name: string, content: string): string {
  const path = join(cluster().dir, name);
  writeFileSync(path, content);
  return path;
}

test('NotFound for a core and a grouped resource', { skip }, async () => {
  assert.equal(await fails(['get', 'pods', 'nope']), 'Error from server (NotFound): pods "nope" not found\n');
  assert.equal(await fails(['get', 'deployments', 'nope']), 'Error from server (NotFound): deployments.apps "nope" not found\n');
  assert.equal(await fails(['delete', 'deploy', 'nope']), 'Error from server (NotFound): deployments.apps "nope" not found\n');
  assert.equal(await fails(['label', 'cm', 'nope', 'a=b']), 'Error from server (NotFound): configmaps "nope" not found\n');
  assert.equal(await fails(['get', 'ns', 'nope']), 'Error from server (NotFound): namespaces "nope" not found\n');
});

test('AlreadyExists when the same manifest is created twice', { skip }, async () => {
  const file = manifestFile('dup.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\ndata: {a: "1"}\n');
  assert.equal(await ok(['create', '-f', file]), 'configmap/dup created\n');
  assert.equal(await fails(['create', '-f', file]), `Error from server (AlreadyExists): error when creating "${file}": configmaps "dup" already exists\n`);
  assert.equal(await fails(['create', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\n'), 'Error from server (AlreadyExists): error when creating "STDIN": configmaps "dup" already exists\n');
});

test('Invalid: one cause on one line, several causes as a list', { skip }, async () => {
  const one = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\nspec:\n  containers:\n  - name: c\n';
  assert.equal(await fails(['create', '-f', '-'], one), 'The Pod "bad" is invalid: spec.containers[0].image: Required value\n');
  const two = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: bad\nspec:\n  containers:\n  - name: c\n  - image: busybox\n';
  assert.equal(await fails(['apply', '-f', '-'], two), 'The Pod "bad" is invalid: \n* spec.containers[0].image: Required value\n* spec.containers[1].name: Required value\n');
  assert.equal(await fails(['get', 'pod', 'bad']), 'Error from server (NotFound): pods "bad" not found\n');
});

test('Conflict on a stale kubectl replace', { skip }, async () => {
  await ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata: {a: "1"}\n');
  const stale = manifestFile('c-stale.yaml', await ok(['get', 'cm', 'c', '-o', 'yaml']));
  await ok(['patch', 'cm', 'c', '--type=merge', '-p', '{"data":{"a":"2"}}']);
  assert.equal(
    await fails(['replace', '-f', stale]),
    `Error from server (Conflict): error when replacing "${stale}": Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again\n`,
  );
  assert.equal(await ok(['get', 'cm', 'c', '-o', 'jsonpath={.data.a}']), '2');

  await ok(['apply', '-f', '-'], 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c, image: nginx}]\n');
  const staleDeploy = manifestFile('web-stale.yaml', await ok(['get', 'deploy', 'web', '-o', 'yaml']));
  await ok(['scale', 'deploy/web', '--replicas=2']);
  assert.equal(
    await fails(['replace', '-f', staleDeploy]),
    `Error from server (Conflict): error when replacing "${staleDeploy}": Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again\n`,
  );
});

test('an unsupported field selector is a BadRequest', { skip }, async () => {
  assert.equal(
    await fails(['get', 'pods', '--field-selector', 'spec.foo=bar']),
    'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "", field selector "spec.foo=bar": field label not supported: spec.foo\n',
  );
  // Fields pods do support are accepted.
  const supported = await run(['get', 'pods', '--field-selector', 'status.phase=Running,spec.nodeName=n1']);
  assert.equal(supported.code, 0, supported.stderr);
});

test('a malformed label selector is a BadRequest', { skip }, async () => {
  assert.equal(
    await fails(['get', 'pods', '-l', 'app in (a']),
    `Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "app in (a", field selector "": unable to parse requirement: found '', expected: ',' or ')'\n`,
  );
});

test('an unknown resource type', { skip }, async () => {
  assert.equal(await fails(['get', 'foos']), 'error: the server doesn\'t have a resource type "foos"\n');
});

test('creating in a namespace that does not exist', { skip }, async () => {
  assert.equal(
    await fails(['create', '-n', 'nope', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n'),
    'Error from server (NotFound): error when creating "STDIN": namespaces "nope" not found\n',
  );
  // Listing in it is not an error: the list is just empty.
  const list = await run(['get', 'cm', '-n', 'nope']);
  assert.equal(list.code, 0);
  assert.equal(list.stderr, 'No resources found in nope namespace.\n');
});

test('requests without valid credentials get 401 Unauthorized', { skip }, async () => {
  for (const token of [null, 'not-the-token']) {
    const res = await apiRequest(creds(), 'GET', '/api/v1/namespaces/default/configmaps', { token });
    assert.equal(res.status, 401, `token ${token}`);
    assert.match(String(res.headers['content-type']), /^application\/json/);
    assert.deepEqual(res.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  }
  // Writes are refused too, and nothing is stored.
  const post = await apiRequest(creds(), 'POST', '/api/v1/namespaces/default/configmaps', { token: null, body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'anon' } }) });
  assert.equal(post.status, 401);
  assert.equal((await apiRequest(creds(), 'GET', '/api/v1/namespaces/default/configmaps/anon')).status, 404);
  // kubectl with a wrong token. With a warm discovery cache the list request's Status is decoded:
  await ok(['get', 'pods']);
  assert.equal(await fails(['--token', 'not-the-token', 'get', 'pods']), 'error: You must be logged in to the server (Unauthorized)\n');
  // with a cold cache, discovery fails first and client-go reports the bare 401 (after its
  // memcache.go retry lines, which carry timestamps).
  const cold = await fails(['--token', 'not-the-token', '--cache-dir', join(cluster().dir, 'cold-cache'), 'get', 'pods']);
  assert.match(cold, /memcache\.go:\d+\] "Unhandled Error" err="couldn't get current server API group list: the server has asked for the client to provide credentials"\n/);
  assert.ok(cold.endsWith('\nerror: You must be logged in to the server (the server has asked for the client to provide credentials)\n'), cold);
});

test('a body over 3 MiB is refused with 413 and nothing is stored', { skip }, async () => {
  const big = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  k: ' + 'a'.repeat(4 * 1024 * 1024) + '\n';
  const file = manifestFile('big.yaml', big);
  const tooLarge = (verb: string) => `Error from server (RequestEntityTooLarge): error when ${verb} "${file}": Request entity too large: limit is 3145728\n`;
  assert.equal(await fails(['create', '-f', file]), tooLarge('creating'));
  assert.equal(await fails(['apply', '-f', file]), tooLarge('creating'));
  assert.equal(await fails(['get', 'cm', 'big']), 'Error from server (NotFound): configmaps "big" not found\n');

  const res = await apiRequest(creds(), 'POST', '/api/v1/namespaces/default/configmaps', {
    body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { k: 'a'.repeat(4 * 1024 * 1024) } }),
  });
  assert.equal(res.status, 413);
  assert.equal(res.json?.kind, 'Status');
  assert.equal(res.json?.reason, 'RequestEntityTooLarge');
  assert.equal(res.json?.code, 413);
  assert.equal(res.json?.message, 'Request entity too large: limit is 3145728');
  assert.equal((await apiRequest(creds(), 'GET', '/api/v1/namespaces/default/configmaps/big')).status, 404);

  // An update over the limit is refused the same way and leaves the stored object alone.
  await ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: grows\ndata: {k: small}\n');
  const grown = manifestFile('grows.yaml', big.replace('name: big', 'name: grows'));
  assert.equal(await fails(['replace', '-f', grown]), `Error from server (RequestEntityTooLarge): error when replacing "${grown}": Request entity too large: limit is 3145728\n`);
  assert.equal(await ok(['get', 'cm', 'grows', '-o', 'jsonpath={.data.k}']), 'small');
});
