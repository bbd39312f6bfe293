/**
 * Deletion with the real kubectl, as on a v1.32 cluster: finalizers (deletionTimestamp, object
 * kept, `kubectl delete` waiting), the garbage collector's propagation policies (Background,
 * Foreground, Orphan), dangling owner references, delete --all / -l and deletecollection, pod
 * grace periods and --force, and namespace termination. One cluster for the file; each test
 * works in its own namespace.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { apiRequest, sharedCluster, waitFor } from '../support/cluster.js';

const { skip, creds, run, ok, fails, spawn } = await sharedCluster();

async function namespace(name: string): Promise<void> {
  await ok(['apply', '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`);
}

function lines(s: string): string[] {
  return s.split('\n').filter((l) => l.length > 0);
}

interface OwnerRef {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  blockOwnerDeletion?: boolean;
  controller?: boolean;
}

function configMap(name: string, opts: { owners?: OwnerRef[]; finalizers?: string[]; labels?: Record<string, string> } = {}): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels: opts.labels, finalizers: opts.finalizers, ownerReferences: opts.owners },
    data: { k: name },
  });
}

function secret(name: string, opts: { owners?: OwnerRef[]; labels?: Record<string, string> } = {}): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name, labels: opts.labels, ownerReferences: opts.owners }, stringData: { k: name } });
}

/** Create a ConfigMap and return an owner reference to it. */
async function owner(ns: string, name: string, finalizers?: string[]): Promise<OwnerRef> {
  await ok(['create', '-n', ns, '-f', '-'], configMap(name, { finalizers }));
  const uid = await ok(['get', 'cm', name, '-n', ns, '-o', 'jsonpath={.metadata.uid}']);
  assert.match(uid, /^[0-9a-f-]{36}$/);
  return { apiVersion: 'v1', kind: 'ConfigMap', name, uid };
}

/** The object as JSON, or undefined when the server says NotFound. */
async function getJson(ns: string, resource: string, name: string): Promise<any> {
  const r = await run(['get', resource, name, '-n', ns, '-o', 'json']);
  if (r.code !== 0) {
    assert.match(r.stderr, /^Error from server \(NotFound\): /, r.stderr);
    return undefined;
  }
  return JSON.parse(r.stdout);
}

async function gone(ns: string, resource: string, name: string, timeoutMs = 15_000): Promise<void> {
  await waitFor(`${resource}/${name} in ${ns} to be deleted`, async () => (await getJson(ns, resource, name)) === undefined, timeoutMs);
}

/** ConfigMap names in `ns`, without the kube-root-ca.crt that kube's publisher puts in every namespace. */
async function configMapNames(ns: string): Promise<string[]> {
  return lines(await ok(['get', 'cm', '-n', ns, '-o', 'name'])).filter((n) => n !== 'configmap/kube-root-ca.crt');
}

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

// ---- finalizers ---------------------------------------------------------------------------

test('a finalizer keeps a deleted object with a deletionTimestamp until it is removed; kubectl delete waits', { skip }, async () => {
  const ns = 'del-finalizer';
  await namespace(ns);
  await ok(['create', '-n', ns, '-f', '-'], configMap('held', { finalizers: ['example.com/hold'] }));

  assert.equal(await ok(['delete', 'cm', 'held', '-n', ns, '--wait=false']), 'configmap "held" deleted\n');
  const held = await getJson(ns, 'cm', 'held');
  assert.ok(held, 'the object is still there');
  assert.match(held.metadata.deletionTimestamp, TIMESTAMP);
  assert.equal(held.metadata.deletionGracePeriodSeconds, 0);
  assert.deepEqual(held.metadata.finalizers, ['example.com/hold']);
  // Still readable and listable, and it can still be updated.
  assert.deepEqual(await configMapNames(ns), ['configmap/held']);
  assert.equal(await ok(['label', 'cm', 'held', '-n', ns, 'state=terminating']), 'configmap/held labeled\n');
  // Deleting again changes nothing.
  assert.equal(await ok(['delete', 'cm', 'held', '-n', ns, '--wait=false']), 'configmap "held" deleted\n');
  assert.equal((await getJson(ns, 'cm', 'held')).metadata.deletionTimestamp, held.metadata.deletionTimestamp);

  // A waiting `kubectl delete`: -v=6 logs its requests, so the test knows when it is watching.
  const waiting = spawn(['delete', 'cm', 'held', '-n', ns, '--timeout=30s', '-v=6']);
  await waitFor('kubectl delete to watch the object', () => {
    if (waiting.process.exitCode !== null) throw new Error(`kubectl delete exited early (${waiting.process.exitCode}): ${waiting.stdout()} ${waiting.stderr()}`);
    return /watch=true\S* 200 OK/.test(waiting.stderr());
  });
  assert.equal(waiting.process.exitCode, null, 'kubectl delete waits while the finalizer is there');

  assert.equal(await ok(['patch', 'cm', 'held', '-n', ns, '--type=json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']), 'configmap/held patched\n');
  const code = await Promise.race([waiting.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000).unref())]);
  assert.equal(code, 0, `kubectl delete: ${waiting.stdout()}\n${waiting.stderr()}`);
  assert.equal(waiting.stdout(), 'configmap "held" deleted\n');
  assert.equal(await fails(['get', 'cm', 'held', '-n', ns]), 'Error from server (NotFound): configmaps "held" not found\n');
});

test('no new finalizers can be added to an object being deleted', { skip }, async () => {
  const ns = 'del-no-new-finalizers';
  await namespace(ns);
  await ok(['create', '-n', ns, '-f', '-'], configMap('held', { finalizers: ['example.com/a'] }));
  await ok(['delete', 'cm', 'held', '-n', ns, '--wait=false']);
  assert.equal(
    await fails(['patch', 'cm', 'held', '-n', ns, '--type=merge', '-p', '{"metadata":{"finalizers":["example.com/a","example.com/b"]}}']),
    'The ConfigMap "held" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/b"}\n',
  );
  // Removing the last one completes the deletion.
  await ok(['patch', 'cm', 'held', '-n', ns, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
  assert.equal(await fails(['get', 'cm', 'held', '-n', ns]), 'Error from server (NotFound): configmaps "held" not found\n');
});

// ---- garbage collection -------------------------------------------------------------------

test('Background (the default): dependents of a deleted owner are garbage collected', { skip }, async () => {
  const ns = 'del-background';
  await namespace(ns);
  const ref = await owner(ns, 'owner');
  await ok(['create', '-n', ns, '-f', '-'], configMap('dep-cm', { owners: [ref] }));
  await ok(['create', '-n', ns, '-f', '-'], secret('dep-secret', { owners: [{ ...ref, controller: true, blockOwnerDeletion: true }] }));
  await ok(['create', '-n', ns, '-f', '-'], configMap('bystander'));

  assert.equal(await ok(['delete', 'cm', 'owner', '-n', ns]), 'configmap "owner" deleted\n');
  await gone(ns, 'cm', 'dep-cm');
  await gone(ns, 'secret', 'dep-secret');
  assert.deepEqual(await configMapNames(ns), ['configmap/bystander']);
});

test('a dependent with another live owner is kept and loses only the reference to the deleted owner', { skip }, async () => {
  const ns = 'del-two-owners';
  await namespace(ns);
  const a = await owner(ns, 'owner-a');
  const b = await owner(ns, 'owner-b');
  await ok(['create', '-n', ns, '-f', '-'], configMap('shared', { owners: [a, b] }));
  await ok(['delete', 'cm', 'owner-a', '-n', ns]);
  const refs = await waitFor('the reference to owner-a to be removed', async () => {
    const obj = await getJson(ns, 'cm', 'shared');
    assert.ok(obj, 'shared must not be deleted while owner-b exists');
    return obj.metadata.ownerReferences?.length === 1 ? obj.metadata.ownerReferences : undefined;
  });
  assert.deepEqual(refs, [b]);
});

test('a dependent whose owner does not exist (unknown uid) is collected', { skip }, async () => {
  const ns = 'del-dangling';
  await namespace(ns);
  const ghost: OwnerRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost', uid: '6d6f1c8e-0000-4000-8000-000000000001' };
  await ok(['create', '-n', ns, '-f', '-'], configMap('orphaned', { owners: [ghost] }));
  await gone(ns, 'cm', 'orphaned');
  // An owner of the right name but another uid does not count either.
  await owner(ns, 'impostor');
  await ok(['create', '-n', ns, '-f', '-'], configMap('fooled', { owners: [{ ...ghost, name: 'impostor' }] }));
  await gone(ns, 'cm', 'fooled');
  assert.deepEqual(await configMapNames(ns), ['configmap/impostor']);
});

test('Foreground: the owner gets foregroundDeletion and goes only after its blocking dependents', { skip }, async () => {
  const ns = 'del-foreground';
  await namespace(ns);
  const ref = { ...(await owner(ns, 'fg-owner')), blockOwnerDeletion: true };
  await ok(['create', '-n', ns, '-f', '-'], configMap('fg-held', { owners: [ref], finalizers: ['example.com/hold'] }));
  await ok(['create', '-n', ns, '-f', '-'], configMap('fg-free', { owners: [ref] }));

  assert.equal(await ok(['delete', 'cm', 'fg-owner', '-n', ns, '--cascade=foreground', '--wait=false']), 'configmap "fg-owner" deleted\n');
  const o = await getJson(ns, 'cm', 'fg-owner');
  assert.ok(o, 'the owner stays while dependents exist');
  assert.match(o.metadata.deletionTimestamp, TIMESTAMP);
  assert.ok(o.metadata.finalizers?.includes('foregroundDeletion'), JSON.stringify(o.metadata.finalizers));

  // The collector deletes the dependents: fg-free goes, fg-held is marked and waits on its finalizer.
  await gone(ns, 'cm', 'fg-free');
  await waitFor('fg-held to be marked for deletion', async () => (await getJson(ns, 'cm', 'fg-held'))?.metadata.deletionTimestamp);
  assert.ok(await getJson(ns, 'cm', 'fg-owner'), 'the owner waits for fg-held');

  await ok(['patch', 'cm', 'fg-held', '-n', ns, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
  await gone(ns, 'cm', 'fg-held');
  await gone(ns, 'cm', 'fg-owner');

  // A waiting `kubectl delete --cascade=foreground` returns once the owner is gone, and by then
  // its blocking dependents are gone too.
  const ref2 = { ...(await owner(ns, 'fg-owner2')), blockOwnerDeletion: true };
  await ok(['create', '-n', ns, '-f', '-'], [configMap('fg-dep1', { owners: [ref2] }), configMap('fg-dep2', { owners: [ref2] })].join('\n'));
  assert.equal(await ok(['delete', 'cm', 'fg-owner2', '-n', ns, '--cascade=foreground', '--timeout=20s']), 'configmap "fg-owner2" deleted\n');
  assert.deepEqual(await configMapNames(ns), []);
});

test('Orphan: dependents stay and lose their reference to the owner', { skip }, async () => {
  const ns = 'del-orphan';
  await namespace(ns);
  const ref = await owner(ns, 'o-owner');
  const keeper = await owner(ns, 'keeper');
  await ok(['create', '-n', ns, '-f', '-'], configMap('o-only', { owners: [ref] }));
  await ok(['create', '-n', ns, '-f', '-'], secret('o-both', { owners: [ref, keeper] }));

  assert.equal(await ok(['delete', 'cm', 'o-owner', '-n', ns, '--cascade=orphan', '--timeout=20s']), 'configmap "o-owner" deleted\n');
  assert.equal(await fails(['get', 'cm', 'o-owner', '-n', ns]), 'Error from server (NotFound): configmaps "o-owner" not found\n');
  // The references were removed before the owner went (and kubectl waited for that).
  const only = await getJson(ns, 'cm', 'o-only');
  assert.ok(only, 'o-only is orphaned, not deleted');
  assert.equal(only.metadata.ownerReferences, undefined);
  const both = await getJson(ns, 'secret', 'o-both');
  assert.ok(both);
  assert.deepEqual(both.metadata.ownerReferences, [keeper]);

  // While another finalizer holds the owner, the collector orphans and drops its `orphan` finalizer.
  const held = await owner(ns, 'o-held', ['example.com/hold']);
  await ok(['create', '-n', ns, '-f', '-'], configMap('o-dep', { owners: [held] }));
  assert.equal(await ok(['delete', 'cm', 'o-held', '-n', ns, '--cascade=orphan', '--wait=false']), 'configmap "o-held" deleted\n');
  await waitFor('o-dep to lose its owner reference', async () => (await getJson(ns, 'cm', 'o-dep'))?.metadata.ownerReferences === undefined);
  await waitFor('the collector to remove the orphan finalizer', async () => {
    const f = (await getJson(ns, 'cm', 'o-held'))?.metadata.finalizers;
    return JSON.stringify(f) === '["example.com/hold"]';
  });
  await ok(['patch', 'cm', 'o-held', '-n', ns, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
  await gone(ns, 'cm', 'o-held');
  assert.deepEqual(await configMapNames(ns), ['configmap/keeper', 'configmap/o-dep', 'configmap/o-only']);
});

// ---- collections --------------------------------------------------------------------------

test('kubectl delete -l and --all, and deletecollection with a label selector', { skip }, async () => {
  const ns = 'del-collection';
  await namespace(ns);
  const manifests = [
    secret('a1', { labels: { app: 'a' } }),
    secret('a2', { labels: { app: 'a' } }),
    secret('b1', { labels: { app: 'b' } }),
    secret('b2', { labels: { app: 'b' } }),
    secret('c1', { labels: { app: 'c' } }),
    secret('c2', { labels: { app: 'c' } }),
  ];
  await ok(['create', '-n', ns, '-f', '-'], manifests.join('\n'));

  assert.equal(await ok(['delete', 'secrets', '-n', ns, '-l', 'app=a']), 'secret "a1" deleted\nsecret "a2" deleted\n');
  assert.deepEqual(lines(await ok(['get', 'secrets', '-n', ns, '-o', 'name'])), ['secret/b1', 'secret/b2', 'secret/c1', 'secret/c2']);

  // DELETE on the collection (kubectl itself deletes one by one) answers with the deleted items.
  const res = await apiRequest(creds(), 'DELETE', `/api/v1/namespaces/${ns}/secrets?labelSelector=${encodeURIComponent('app=b')}`);
  assert.equal(res.status, 200, res.body);
  assert.equal(res.json?.kind, 'SecretList');
  assert.equal(res.json?.apiVersion, 'v1');
  assert.deepEqual((res.json.items as any[]).map((i) => i.metadata.name).sort(), ['b1', 'b2']);
  assert.deepEqual(lines(await ok(['get', 'secrets', '-n', ns, '-o', 'name'])), ['secret/c1', 'secret/c2']);

  assert.equal(await ok(['delete', 'secrets', '--all', '-n', ns]), 'secret "c1" deleted\nsecret "c2" deleted\n');
  const none = await run(['get', 'secrets', '-n', ns]);
  assert.equal(none.stderr, `No resources found in ${ns} namespace.\n`);
  // Nothing left to delete is not an error.
  const again = await run(['delete', 'secrets', '--all', '-n', ns]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(again.stdout, 'No resources found\n');
});

// ---- pods ---------------------------------------------------------------------------------

test('a pod bound to a node gets its grace period; --grace-period=0 --force removes it at once', { skip }, async () => {
  const ns = 'del-pods';
  await namespace(ns);
  const pod = (name: string, nodeName?: string) =>
    JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }] } });
  await ok(['create', '-n', ns, '-f', '-'], [pod('bound', 'node-1'), pod('unbound')].join('\n'));

  // Not scheduled: deleted at once.
  assert.equal(await ok(['delete', 'pod', 'unbound', '-n', ns, '--wait=false']), 'pod "unbound" deleted\n');
  assert.equal(await fails(['get', 'pod', 'unbound', '-n', ns]), 'Error from server (NotFound): pods "unbound" not found\n');

  const start = Date.now();
  assert.equal(await ok(['delete', 'pod', 'bound', '-n', ns, '--wait=false']), 'pod "bound" deleted\n');
  let p = await getJson(ns, 'pod', 'bound');
  assert.ok(p, 'a bound pod waits for its node to stop it');
  assert.equal(p.spec.terminationGracePeriodSeconds, 30);
  assert.equal(p.metadata.deletionGracePeriodSeconds, 30);
  const due = Date.parse(p.metadata.deletionTimestamp);
  // RFC 3339 with second precision: due lies within [start + 29 s, now + 30 s].
  assert.ok(due >= start + 29_000 && due <= Date.now() + 30_000, `deletionTimestamp ${p.metadata.deletionTimestamp}`);
  const row = lines(await ok(['get', 'pod', 'bound', '-n', ns]))[1].split(/\s+/);
  assert.deepEqual(row.slice(0, 4), ['bound', '0/1', 'Terminating', '0']);

  // A shorter grace period moves the deadline forward.
  assert.equal(await ok(['delete', 'pod', 'bound', '-n', ns, '--grace-period=10', '--wait=false']), 'pod "bound" deleted\n');
  p = await getJson(ns, 'pod', 'bound');
  assert.equal(p.metadata.deletionGracePeriodSeconds, 10);
  assert.ok(Date.parse(p.metadata.deletionTimestamp) < due, `deletionTimestamp ${p.metadata.deletionTimestamp} before ${new Date(due).toISOString()}`);

  const forced = await run(['delete', 'pod', 'bound', '-n', ns, '--grace-period=0', '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(forced.stdout, 'pod "bound" force deleted\n');
  assert.equal(
    forced.stderr,
    'Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n',
  );
  assert.equal(await fails(['get', 'pod', 'bound', '-n', ns]), 'Error from server (NotFound): pods "bound" not found\n');
});

// ---- namespaces ---------------------------------------------------------------------------

test('a deleted namespace is Terminating, refuses new content, deletes its content and then goes', { skip }, async () => {
  const ns = 'del-terminating';
  await namespace(ns);
  assert.equal(await ok(['get', 'ns', ns, '-o', 'jsonpath={.spec.finalizers}']), '["kubernetes"]');
  await ok(['create', '-n', ns, '-f', '-'], [configMap('held', { finalizers: ['example.com/hold'] }), configMap('plain'), secret('s')].join('\n'));

  assert.equal(await ok(['delete', 'ns', ns, '--wait=false']), `namespace "${ns}" deleted\n`);
  const n = JSON.parse(await ok(['get', 'ns', ns, '-o', 'json']));
  assert.equal(n.status.phase, 'Terminating');
  assert.match(n.metadata.deletionTimestamp, TIMESTAMP);
  const table = lines(await ok(['get', 'ns', ns]));
  assert.deepEqual(table[0].split(/\s+/), ['NAME', 'STATUS', 'AGE']);
  assert.match(table[1], new RegExp(`^${ns}\\s+Terminating\\s+\\d+s$`));

  assert.equal(
    await fails(['create', '-n', ns, '-f', '-'], configMap('new')),
    `Error from server (Forbidden): error when creating "STDIN": configmaps "new" is forbidden: unable to create new content in namespace ${ns} because it is being terminated\n`,
  );
  assert.equal(
    await fails(['apply', '-n', ns, '-f', '-'], secret('new')),
    `Error from server (Forbidden): error when creating "STDIN": secrets "new" is forbidden: unable to create new content in namespace ${ns} because it is being terminated\n`,
  );

  // The content goes; the finalizer holds one object, and that object holds the namespace.
  await gone(ns, 'cm', 'plain');
  await gone(ns, 'secret', 's');
  await waitFor('held to be marked for deletion', async () => (await getJson(ns, 'cm', 'held'))?.metadata.deletionTimestamp);
  assert.equal(await ok(['get', 'ns', ns, '-o', 'jsonpath={.status.phase}']), 'Terminating');

  // Updates are still allowed: removing the finalizer lets everything finish.
  await ok(['patch', 'cm', 'held', '-n', ns, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
  await waitFor(`namespace ${ns} to be gone`, async () => (await run(['get', 'ns', ns])).stderr === `Error from server (NotFound): namespaces "${ns}" not found\n`);
  assert.equal(await ok(['get', 'cm,secrets', '-A', '--field-selector', `metadata.namespace=${ns}`, '-o', 'name']), '');
});

test('kubectl delete ns waits until the namespace is gone', { skip }, async () => {
  const ns = 'del-ns-wait';
  await namespace(ns);
  await ok(['create', '-n', ns, '-f', '-'], [configMap('c'), secret('s')].join('\n'));
  assert.equal(await ok(['delete', 'ns', ns, '--timeout=20s']), `namespace "${ns}" deleted\n`);
  assert.equal(await fails(['get', 'ns', ns]), `Error from server (NotFound): namespaces "${ns}" not found\n`);
});
