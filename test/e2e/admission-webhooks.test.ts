/**
 * Admission webhooks against the real kubectl (issue 7): the API server calls webhook servers
 * that this file starts (HTTPS, with a CA of their own), and kubectl prints what kube-apiserver
 * would make it print. Each test uses its own namespace, and its webhooks select only that
 * namespace, so the tests do not see each other's webhooks.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCa, issueServingCert, type KeyAndCert } from '../../src/admission/certs.js';
import { freePort, sharedCluster } from '../support/cluster.js';

const { skip, run, ok, fails } = await sharedCluster();

type Review = { apiVersion?: string; request: { uid: string; object: any; oldObject: any; operation: string; namespace?: string; name?: string; dryRun?: boolean } };
type Reply = (review: Review, req: IncomingMessage, res: ServerResponse) => unknown;

/** One HTTPS server; each path answers as the test registered it. */
let server: Server;
let ca: KeyAndCert;
let caBundle: string;
let port: number;
const routes = new Map<string, Reply>();
/** Requests held open by the timeout test, answered at the end. */
const held: ServerResponse[] = [];

before(async () => {
  if (skip) return;
  ca = await createCa('admission-e2e-ca');
  caBundle = Buffer.from(ca.certPem).toString('base64');
  const serving = await issueServingCert(ca, ['hooks.webhooks.svc', 'localhost', '127.0.0.1']);
  server = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'https://x').pathname;
      const reply = routes.get(path);
      if (!reply) {
        res.writeHead(404).end();
        return;
      }
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Review;
      const out = reply(review, req, res);
      if (out === undefined) return; // the reply handles the response itself
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

after(async () => {
  for (const res of held) res.destroy();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

function v1Response(review: Review, response: Record<string, unknown>) {
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, ...response } };
}

function jsonPatch(ops: unknown[]): { patch: string; patchType: 'JSONPatch' } {
  return { patch: Buffer.from(JSON.stringify(ops)).toString('base64'), patchType: 'JSONPatch' };
}

async function namespace(name: string, labels: Record<string, string> = { 'admission-test': name }): Promise<void> {
  const meta = Object.entries(labels).map(([k, v]) => `    ${k}: "${v}"`).join('\n');
  await ok(['apply', '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n  labels:\n${meta}\n`);
}

function pod(name: string, ns: string, labels?: Record<string, string>): string {
  const l = labels ? `  labels:\n${Object.entries(labels).map(([k, v]) => `    ${k}: "${v}"`).join('\n')}\n` : '';
  return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n${l}spec:\n  containers:\n  - name: pause\n    image: registry.k8s.io/pause:3.9\n`;
}

/** A v1 webhook configuration for pods (or `resources`) in namespaces labelled `admission-test: <ns>`. */
function configuration(kind: 'Mutating' | 'Validating', name: string, ns: string, hook: Record<string, unknown>, resources = ['pods']): string {
  return JSON.stringify({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: `${kind}WebhookConfiguration`,
    metadata: { name },
    webhooks: [
      {
        name: `${name}.example.com`,
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        namespaceSelector: { matchLabels: { 'admission-test': ns } },
        rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources }],
        ...hook,
      },
    ],
  });
}

test('a denying validating webhook: kubectl prints kube-apiserver’s message, with and without a reason', { skip }, async () => {
  await namespace('adm-deny');
  routes.set('/deny-forbidden', (r) => v1Response(r, { allowed: false, status: { code: 403, reason: 'Forbidden', message: 'pods must not be named evil' } }));
  routes.set('/deny-plain', (r) => v1Response(r, { allowed: false, status: { message: 'no reason given' } }));
  await ok(['apply', '-f', '-'], configuration('Validating', 'deny-forbidden', 'adm-deny', { clientConfig: { url: `https://127.0.0.1:${port}/deny-forbidden`, caBundle } }));
  let stderr = await fails(['create', '-f', '-'], pod('evil', 'adm-deny'));
  assert.equal(stderr, 'Error from server (Forbidden): error when creating "STDIN": admission webhook "deny-forbidden.example.com" denied the request: pods must not be named evil\n');
  await ok(['delete', 'validatingwebhookconfiguration', 'deny-forbidden']);

  await ok(['apply', '-f', '-'], configuration('Validating', 'deny-plain', 'adm-deny', { clientConfig: { url: `https://127.0.0.1:${port}/deny-plain`, caBundle } }));
  stderr = await fails(['create', '-f', '-'], pod('evil', 'adm-deny'));
  assert.equal(stderr, 'Error from server: error when creating "STDIN": admission webhook "deny-plain.example.com" denied the request: no reason given\n');
  await ok(['delete', 'validatingwebhookconfiguration', 'deny-plain']);
  // Nothing was stored, and without the webhook the same pod is admitted.
  await ok(['create', '-f', '-'], pod('evil', 'adm-deny'));
});

test('the seed’s v1beta1 mutating configuration, applied unchanged, calls a service’s ready endpoint; the label shows on the pod', { skip }, async () => {
  await namespace('webhooks', { name: 'webhooks' });
  await namespace('adm-mutate', { 'mwc-example': 'enabled' });
  await namespace('adm-mutate-off', { other: 'x' });
  const versions = new Set<string | undefined>();
  routes.set('/mutating-pods', (r) => {
    versions.add(r.apiVersion);
    const labels = r.request.object.metadata.labels;
    const ops = labels && Object.keys(labels).length > 0 ? [{ op: 'add', path: '/metadata/labels/thisisanewlabel', value: 'hello' }] : [{ op: 'add', path: '/metadata/labels', value: { thisisanewlabel: 'hello' } }];
    // A v1beta1-era reply: `response` only, no apiVersion or kind.
    return { response: { uid: r.request.uid, allowed: true, warnings: ['label injected'], ...jsonPatch(ops) } };
  });
  // The ClusterIP does not route here: the server must use the Endpoints' address and port.
  await ok(['apply', '-f', '-'], `apiVersion: v1
kind: Service
metadata:
  name: hooks
  namespace: webhooks
spec:
  ports:
  - port: 443
    targetPort: 8443
---
apiVersion: v1
kind: Endpoints
metadata:
  name: hooks
  namespace: webhooks
subsets:
- addresses:
  - ip: 127.0.0.1
  ports:
  - port: ${port}
`);
  await ok(['apply', '-f', '-'], `apiVersion: admissionregistration.k8s.io/v1beta1
kind: MutatingWebhookConfiguration
metadata:
  name: mwc-example
webhooks:
  - name: mwc-example.jasonrichardsmith.com
    clientConfig:
      service:
        name: hooks
        namespace: webhooks
        path: "/mutating-pods"
      caBundle: ${caBundle}
    rules:
      - operations: [ "CREATE", "UPDATE" ]
        apiGroups: [""]
        apiVersions: ["v1"]
        resources: ["pods"]
    failurePolicy: Fail
    namespaceSelector:
      matchLabels:
        mwc-example: enabled
`);
  // v1beta1's defaults, read back through v1.
  const stored = JSON.parse(await ok(['get', 'mutatingwebhookconfigurations.v1.admissionregistration.k8s.io', 'mwc-example', '-o', 'json']));
  const hook = stored.webhooks[0];
  assert.deepEqual(
    { matchPolicy: hook.matchPolicy, timeoutSeconds: hook.timeoutSeconds, sideEffects: hook.sideEffects, admissionReviewVersions: hook.admissionReviewVersions, port: hook.clientConfig.service.port },
    { matchPolicy: 'Exact', timeoutSeconds: 30, sideEffects: 'Unknown', admissionReviewVersions: ['v1beta1'], port: 443 },
  );
  try {
    const created = await run(['create', '-f', '-'], pod('labelled', 'adm-mutate', { test: 'label' }));
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stderr, /^Warning: label injected$/m);
    await ok(['create', '-f', '-'], pod('bare', 'adm-mutate'));
    await ok(['create', '-f', '-'], pod('elsewhere', 'adm-mutate-off', { test: 'label' }));
    const labels = (name: string, ns: string) => ok(['get', 'pod', name, '-n', ns, '-o', 'jsonpath={.metadata.labels}']);
    assert.deepEqual(JSON.parse(await labels('labelled', 'adm-mutate')), { test: 'label', thisisanewlabel: 'hello' });
    assert.deepEqual(JSON.parse(await labels('bare', 'adm-mutate')), { thisisanewlabel: 'hello' });
    // namespaceSelector: a namespace without the label is never sent to the webhook.
    assert.deepEqual(JSON.parse(await labels('elsewhere', 'adm-mutate-off')), { test: 'label' });
    // admissionReviewVersions [v1beta1] (the v1beta1 default): the webhook got a v1beta1 review.
    assert.deepEqual([...versions], ['admission.k8s.io/v1beta1']);
    // v1beta1 default sideEffects Unknown: a dry run is refused before any call.
    const stderr = await fails(['create', '--dry-run=server', '-f', '-'], pod('dry', 'adm-mutate'));
    assert.equal(stderr, 'Error from server (BadRequest): error when creating "STDIN": admission webhook "mwc-example.jasonrichardsmith.com" does not support dry run\n');
  } finally {
    await ok(['delete', 'mutatingwebhookconfiguration', 'mwc-example']);
  }
});

test('an unreachable webhook: failurePolicy Fail blocks the create with kube’s message, Ignore lets it through', { skip }, async () => {
  await namespace('adm-unreachable');
  const closed = await freePort();
  const url = `https://127.0.0.1:${closed}/nobody`;
  await ok(['apply', '-f', '-'], configuration('Mutating', 'unreachable', 'adm-unreachable', { clientConfig: { url, caBundle }, failurePolicy: 'Fail' }));
  try {
    const stderr = await fails(['create', '-f', '-'], pod('blocked', 'adm-unreachable'));
    assert.equal(
      stderr,
      `Error from server (InternalError): error when creating "STDIN": Internal error occurred: failed calling webhook "unreachable.example.com": failed to call webhook: Post "https://127.0.0.1:${closed}/nobody?timeout=10s": dial tcp 127.0.0.1:${closed}: connect: connection refused\n`,
    );
    await ok(['apply', '-f', '-'], configuration('Mutating', 'unreachable', 'adm-unreachable', { clientConfig: { url, caBundle }, failurePolicy: 'Ignore' }));
    await ok(['create', '-f', '-'], pod('admitted', 'adm-unreachable'));
    assert.equal(await ok(['get', 'pod', 'admitted', '-n', 'adm-unreachable', '-o', 'name']), 'pod/admitted\n');
  } finally {
    await ok(['delete', 'mutatingwebhookconfiguration', 'unreachable']);
  }
});

test('a webhook slower than timeoutSeconds: context deadline exceeded, or admitted with Ignore', { skip }, async () => {
  await namespace('adm-timeout');
  routes.set('/slow', (_r, _req, res) => {
    held.push(res); // never answered while the API server waits
  });
  const url = `https://127.0.0.1:${port}/slow`;
  await ok(['apply', '-f', '-'], configuration('Validating', 'slow', 'adm-timeout', { clientConfig: { url, caBundle }, timeoutSeconds: 1 }));
  try {
    const stderr = await fails(['create', '-f', '-'], pod('late', 'adm-timeout'));
    assert.equal(
      stderr,
      `Error from server (InternalError): error when creating "STDIN": Internal error occurred: failed calling webhook "slow.example.com": failed to call webhook: Post "https://127.0.0.1:${port}/slow?timeout=1s": context deadline exceeded\n`,
    );
    await ok(['apply', '-f', '-'], configuration('Validating', 'slow', 'adm-timeout', { clientConfig: { url, caBundle }, timeoutSeconds: 1, failurePolicy: 'Ignore' }));
    await ok(['create', '-f', '-'], pod('late', 'adm-timeout'));
  } finally {
    await ok(['delete', 'validatingwebhookconfiguration', 'slow']);
  }
});

test('a webhook whose patch does not apply is an internal error and nothing is stored', { skip }, async () => {
  await namespace('adm-badpatch');
  routes.set('/bad-patch', (r) => v1Response(r, { allowed: true, ...jsonPatch([{ op: 'add', path: '/metadata/labels/x', value: 'y' }]) }));
  await ok(['apply', '-f', '-'], configuration('Mutating', 'bad-patch', 'adm-badpatch', { clientConfig: { url: `https://127.0.0.1:${port}/bad-patch`, caBundle } }));
  try {
    const stderr = await fails(['create', '-f', '-'], pod('unlabelled', 'adm-badpatch'));
    assert.equal(stderr, 'Error from server (InternalError): error when creating "STDIN": Internal error occurred: add operation does not apply: doc is missing path: "/metadata/labels/x": missing value\n');
    const got = await run(['get', 'pod', 'unlabelled', '-n', 'adm-badpatch']);
    assert.equal(got.stderr, 'Error from server (NotFound): pods "unlabelled" not found\n');
  } finally {
    await ok(['delete', 'mutatingwebhookconfiguration', 'bad-patch']);
  }
});

test('an invalid response (uid mismatch) fails the call; a CA that did not sign the server is refused', { skip }, async () => {
  await namespace('adm-invalid');
  routes.set('/wrong-uid', (r) => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'not-the-uid', allowed: true } }));
  await ok(['apply', '-f', '-'], configuration('Validating', 'wrong-uid', 'adm-invalid', { clientConfig: { url: `https://127.0.0.1:${port}/wrong-uid`, caBundle } }));
  try {
    const stderr = await fails(['create', '-f', '-'], pod('p', 'adm-invalid'));
    assert.match(stderr, /^Error from server \(InternalError\): error when creating "STDIN": Internal error occurred: failed calling webhook "wrong-uid\.example\.com": received invalid webhook response: expected response\.uid="[0-9a-f-]{36}", got "not-the-uid"\n$/);
    const otherCa = await createCa('someone-else');
    await ok(['apply', '-f', '-'], configuration('Validating', 'wrong-uid', 'adm-invalid', { clientConfig: { url: `https://127.0.0.1:${port}/wrong-uid`, caBundle: Buffer.from(otherCa.certPem).toString('base64') } }));
    const untrusted = await fails(['create', '-f', '-'], pod('p', 'adm-invalid'));
    assert.equal(
      untrusted,
      `Error from server (InternalError): error when creating "STDIN": Internal error occurred: failed calling webhook "wrong-uid.example.com": failed to call webhook: Post "https://127.0.0.1:${port}/wrong-uid?timeout=10s": tls: failed to verify certificate: x509: certificate signed by unknown authority\n`,
    );
  } finally {
    await ok(['delete', 'validatingwebhookconfiguration', 'wrong-uid']);
  }
});

test('reinvocationPolicy IfNeeded: an earlier webhook runs again after a later one changed the object', { skip }, async () => {
  await namespace('adm-reinvoke');
  const calls: string[] = [];
  routes.set('/first', (r) => {
    calls.push('first');
    const labels = r.request.object.metadata.labels ?? {};
    // Copies `second` into `seen-second` when it is there: visible only after a reinvocation.
    if (labels.second && !labels['seen-second']) return v1Response(r, { allowed: true, ...jsonPatch([{ op: 'add', path: '/metadata/labels/seen-second', value: 'yes' }]) });
    return v1Response(r, { allowed: true });
  });
  routes.set('/second', (r) => {
    calls.push('second');
    if (r.request.object.metadata.labels?.second) return v1Response(r, { allowed: true });
    return v1Response(r, { allowed: true, ...jsonPatch([{ op: 'add', path: '/metadata/labels/second', value: 'set' }]) });
  });
  await ok(['apply', '-f', '-'], configuration('Mutating', 'a-first', 'adm-reinvoke', { clientConfig: { url: `https://127.0.0.1:${port}/first`, caBundle }, reinvocationPolicy: 'IfNeeded' }));
  await ok(['apply', '-f', '-'], configuration('Mutating', 'b-second', 'adm-reinvoke', { clientConfig: { url: `https://127.0.0.1:${port}/second`, caBundle } }));
  try {
    await ok(['create', '-f', '-'], pod('p', 'adm-reinvoke', { app: 'x' }));
    assert.deepEqual(calls, ['first', 'second', 'first']);
    const labels = JSON.parse(await ok(['get', 'pod', 'p', '-n', 'adm-reinvoke', '-o', 'jsonpath={.metadata.labels}']));
    assert.deepEqual(labels, { app: 'x', second: 'set', 'seen-second': 'yes' });
  } finally {
    await ok(['delete', 'mutatingwebhookconfiguration', 'a-first', 'b-second']);
  }
});

test('DELETE and UPDATE reach webhooks: a denied delete, a mutation on kubectl label, objectSelector on old and new labels', { skip }, async () => {
  await namespace('adm-ops');
  const seen: Array<{ op: string; name?: string; old?: boolean; object?: boolean }> = [];
  routes.set('/guard', (r) => {
    seen.push({ op: r.request.operation, name: r.request.name, old: Boolean(r.request.oldObject), object: Boolean(r.request.object) });
    if (r.request.operation === 'DELETE') return v1Response(r, { allowed: false, status: { code: 403, reason: 'Forbidden', message: 'protected configmaps stay' } });
    return v1Response(r, { allowed: true });
  });
  routes.set('/stamp', (r) => v1Response(r, { allowed: true, ...jsonPatch([{ op: 'add', path: '/metadata/annotations', value: { stamped: r.request.operation } }]) }));
  const guard = JSON.parse(configuration('Validating', 'guard', 'adm-ops', { clientConfig: { url: `https://127.0.0.1:${port}/guard`, caBundle }, objectSelector: { matchLabels: { protected: 'yes' } } }, ['configmaps']));
  guard.webhooks[0].rules[0].operations = ['DELETE', 'UPDATE'];
  await ok(['apply', '-f', '-'], JSON.stringify(guard));
  await ok(['apply', '-f', '-'], configuration('Mutating', 'stamp', 'adm-ops', { clientConfig: { url: `https://127.0.0.1:${port}/stamp`, caBundle } }, ['configmaps']));
  try {
    await ok(['create', 'configmap', 'keep', '-n', 'adm-ops']);
    assert.equal(await ok(['get', 'configmap', 'keep', '-n', 'adm-ops', '-o', 'jsonpath={.metadata.annotations.stamped}']), 'CREATE');
    // kubectl label is a merge PATCH: an UPDATE to admission, with the old object.
    await ok(['label', 'configmap', 'keep', '-n', 'adm-ops', 'protected=yes']);
    assert.equal(await ok(['get', 'configmap', 'keep', '-n', 'adm-ops', '-o', 'jsonpath={.metadata.annotations.stamped}']), 'UPDATE');
    assert.deepEqual(seen, [{ op: 'UPDATE', name: 'keep', old: true, object: true }]);
    const stderr = await fails(['delete', 'configmap', 'keep', '-n', 'adm-ops']);
    assert.equal(stderr, 'Error from server (Forbidden): admission webhook "guard.example.com" denied the request: protected configmaps stay\n');
    assert.deepEqual(seen.at(-1), { op: 'DELETE', name: 'keep', old: true, object: false });
    // objectSelector matches the old object too: removing the label is still seen by the webhook.
    await ok(['label', 'configmap', 'keep', '-n', 'adm-ops', 'protected-']);
    assert.equal(seen.at(-1)?.op, 'UPDATE');
    const before = seen.length;
    await ok(['delete', 'configmap', 'keep', '-n', 'adm-ops']);
    assert.equal(seen.length, before, 'an object without the label is not sent');
  } finally {
    await ok(['delete', 'validatingwebhookconfiguration', 'guard']);
    await ok(['delete', 'mutatingwebhookconfiguration', 'stamp']);
  }
});

test('webhook configurations are validated as kube-apiserver validates them', { skip }, async () => {
  const stderr = await fails(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: 'bad' },
    webhooks: [{ name: 'bad.example.com', clientConfig: { url: 'http://127.0.0.1/x' }, sideEffects: 'Some', admissionReviewVersions: ['v1'] }],
  }));
  assert.match(stderr, /^The ValidatingWebhookConfiguration "bad" is invalid: \n/);
  assert.match(stderr, /\* webhooks\[0\]\.clientConfig\.url: Invalid value: "http:\/\/127\.0\.0\.1\/x": 'https' is the only allowed URL scheme\n/);
  assert.match(stderr, /\* webhooks\[0\]\.sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"\n/);
});

test('validating webhooks run in parallel: each answers only once the other has been called', { skip }, async () => {
  await namespace('adm-parallel');
  const waiting: Array<() => void> = [];
  const meet = (r: Review, _req: IncomingMessage, res: ServerResponse) => {
    const answer = () => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(v1Response(r, { allowed: true })));
    waiting.push(answer);
    // Called in series, the first would wait for a second call that never comes (and time out).
    if (waiting.length === 2) for (const a of waiting.splice(0)) a();
    return undefined;
  };
  routes.set('/meet-a', meet);
  routes.set('/meet-b', meet);
  await ok(['apply', '-f', '-'], configuration('Validating', 'meet-a', 'adm-parallel', { clientConfig: { url: `https://127.0.0.1:${port}/meet-a`, caBundle }, timeoutSeconds: 5 }));
  await ok(['apply', '-f', '-'], configuration('Validating', 'meet-b', 'adm-parallel', { clientConfig: { url: `https://127.0.0.1:${port}/meet-b`, caBundle }, timeoutSeconds: 5 }));
  try {
    await ok(['create', '-f', '-'], pod('both', 'adm-parallel'));
  } finally {
    await ok(['delete', 'validatingwebhookconfiguration', 'meet-a', 'meet-b']);
  }
});

test('a service is resolved through its EndpointSlices to a ready endpoint and the targetPort', { skip }, async () => {
  await namespace('adm-slices');
  const dead = await freePort();
  routes.set('/sliced', (r) => v1Response(r, { allowed: false, status: { message: 'reached through the slice' } }));
  await ok(['apply', '-f', '-'], `apiVersion: v1
kind: Service
metadata:
  name: sliced
  namespace: adm-slices
spec:
  ports:
  - name: https
    port: 8443
    targetPort: webhook
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: sliced-abc
  namespace: adm-slices
  labels:
    kubernetes.io/service-name: sliced
addressType: IPv4
ports:
- name: https
  port: ${port}
endpoints:
- addresses: ["127.0.0.1"]
  conditions:
    ready: true
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: sliced-def
  namespace: adm-slices
  labels:
    kubernetes.io/service-name: sliced
addressType: IPv4
ports:
- name: https
  port: ${dead}
endpoints:
- addresses: ["127.0.0.1"]
  conditions:
    ready: false
`);
  await ok(['apply', '-f', '-'], configuration('Validating', 'sliced', 'adm-slices', { clientConfig: { service: { namespace: 'adm-slices', name: 'sliced', port: 8443, path: '/sliced' }, caBundle } }));
  try {
    // The certificate must name the service (<name>.<namespace>.svc), not the endpoint's address.
    const mismatch = await fails(['create', '-f', '-'], pod('p', 'adm-slices'));
    assert.equal(
      mismatch,
      'Error from server (InternalError): error when creating "STDIN": Internal error occurred: failed calling webhook "sliced.example.com": failed to call webhook: Post "https://sliced.adm-slices.svc:8443/sliced?timeout=10s": tls: failed to verify certificate: x509: certificate is valid for hooks.webhooks.svc, localhost, not sliced.adm-slices.svc\n',
    );
    const renamed = await issueServingCert(ca, ['hooks.webhooks.svc', 'sliced.adm-slices.svc', 'localhost', '127.0.0.1']);
    server.setSecureContext({ cert: renamed.certPem, key: renamed.keyPem });
    server.closeIdleConnections();
    // The not-ready endpoint (a closed port) is never picked: every call reaches the webhook.
    for (let i = 0; i < 5; i++) {
      const stderr = await fails(['create', '-f', '-'], pod(`p${i}`, 'adm-slices'));
      assert.equal(stderr, 'Error from server: error when creating "STDIN": admission webhook "sliced.example.com" denied the request: reached through the slice\n');
    }
    // A service port the configuration does not name: kube's resolver error, after the Post.
    await ok(['apply', '-f', '-'], configuration('Validating', 'sliced', 'adm-slices', { clientConfig: { service: { namespace: 'adm-slices', name: 'sliced', path: '/sliced' }, caBundle } }));
    const stderr = await fails(['create', '-f', '-'], pod('p', 'adm-slices'));
    assert.equal(
      stderr,
      'Error from server (InternalError): error when creating "STDIN": Internal error occurred: failed calling webhook "sliced.example.com": failed to call webhook: Post "https://sliced.adm-slices.svc:443/sliced?timeout=10s": no service port 443 found for service "sliced"\n',
    );
  } finally {
    await ok(['delete', 'validatingwebhookconfiguration', 'sliced']);
  }
});

test('subresources: */scale webhooks see an autoscaling/v1 Scale, and a patched Scale changes the Deployment', { skip }, async () => {
  await namespace('adm-scale');
  const seen: Array<{ kind: unknown; requestKind: unknown; subResource?: string; replicas?: number; objectKind?: string }> = [];
  routes.set('/cap', (r) => {
    const req = r.request as Review['request'] & { kind: unknown; requestKind: unknown; subResource?: string };
    seen.push({ kind: req.kind, requestKind: req.requestKind, subResource: req.subResource, replicas: req.object?.spec?.replicas, objectKind: req.object?.kind });
    return req.object.spec.replicas > 3 ? v1Response(r, { allowed: true, warnings: ['capped at 3 replicas'], ...jsonPatch([{ op: 'replace', path: '/spec/replicas', value: 3 }]) }) : v1Response(r, { allowed: true });
  });
  const cap = JSON.parse(configuration('Mutating', 'cap', 'adm-scale', { clientConfig: { url: `https://127.0.0.1:${port}/cap`, caBundle } }, ['*/scale']));
  cap.webhooks[0].rules[0].apiGroups = ['apps'];
  await ok(['apply', '-f', '-'], JSON.stringify(cap));
  try {
    await ok(['create', 'deployment', 'web', '-n', 'adm-scale', '--image', 'registry.k8s.io/pause:3.9']);
    assert.equal(seen.length, 0, 'creating the Deployment is not a scale request');
    const scaled = await run(['scale', 'deployment', 'web', '-n', 'adm-scale', '--replicas', '10']);
    assert.equal(scaled.code, 0, scaled.stderr);
    assert.match(scaled.stderr, /^Warning: capped at 3 replicas$/m);
    assert.equal(await ok(['get', 'deployment', 'web', '-n', 'adm-scale', '-o', 'jsonpath={.spec.replicas}']), '3');
    assert.deepEqual(seen, [
      {
        kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
        requestKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
        subResource: 'scale',
        replicas: 10,
        objectKind: 'Scale',
      },
    ]);
  } finally {
    await ok(['delete', 'mutatingwebhookconfiguration', 'cap']);
  }
});

test('pods/binding and pods/eviction reach webhooks as a Binding and an Eviction: a mutated target, a denied eviction', { skip }, async () => {
  await namespace('adm-subres');
  const seen: Array<{ kind: unknown; subResource?: string; operation: string; objectKind?: string }> = [];
  const record = (r: Review) => {
    const req = r.request as Review['request'] & { kind: unknown; subResource?: string };
    seen.push({ kind: req.kind, subResource: req.subResource, operation: req.operation, objectKind: req.object?.kind });
  };
  routes.set('/retarget', (r) => {
    record(r);
    return v1Response(r, { allowed: true, ...jsonPatch([{ op: 'replace', path: '/target/name', value: 'node-b' }]) });
  });
  routes.set('/no-evict', (r) => {
    record(r);
    return v1Response(r, { allowed: false, status: { code: 403, message: 'evictions are paused' } });
  });
  const retarget = JSON.parse(configuration('Mutating', 'retarget', 'adm-subres', { clientConfig: { url: `https://127.0.0.1:${port}/retarget`, caBundle } }, ['pods/binding']));
  retarget.webhooks[0].rules[0].operations = ['CREATE'];
  const noEvict = JSON.parse(configuration('Validating', 'no-evict', 'adm-subres', { clientConfig: { url: `https://127.0.0.1:${port}/no-evict`, caBundle } }, ['pods/eviction']));
  noEvict.webhooks[0].rules[0].operations = ['CREATE'];
  await ok(['apply', '-f', '-'], JSON.stringify(retarget));
  await ok(['apply', '-f', '-'], JSON.stringify(noEvict));
  try {
    await ok(['apply', '-f', '-'], pod('p', 'adm-subres'));
    assert.equal(seen.length, 0, 'creating the pod is not a binding or an eviction');
    const base = '/api/v1/namespaces/adm-subres/pods/p';
    await ok(['create', '--raw', `${base}/binding`, '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p', namespace: 'adm-subres' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-a' } }));
    assert.equal(await ok(['get', 'pod', 'p', '-n', 'adm-subres', '-o', 'jsonpath={.spec.nodeName}']), 'node-b', 'the webhook’s target');
    const evicted = await run(['create', '--raw', `${base}/eviction`, '-f', '-'], JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p', namespace: 'adm-subres' } }));
    assert.notEqual(evicted.code, 0);
    assert.match(evicted.stderr, /admission webhook "no-evict\.example\.com" denied the request: evictions are paused/);
    assert.equal(await ok(['get', 'pod', 'p', '-n', 'adm-subres', '-o', 'jsonpath={.metadata.name}']), 'p', 'the pod stays');
    assert.deepEqual(seen, [
      { kind: { group: '', version: 'v1', kind: 'Binding' }, subResource: 'binding', operation: 'CREATE', objectKind: 'Binding' },
      { kind: { group: 'policy', version: 'v1', kind: 'Eviction' }, subResource: 'eviction', operation: 'CREATE', objectKind: 'Eviction' },
    ]);
  } finally {
    await ok(['delete', 'mutatingwebhookconfiguration', 'retarget']);
    await ok(['delete', 'validatingwebhookconfiguration', 'no-evict']);
  }
});

test('the seed’s manifest without envsubst: caBundle "${CA_BUNDLE}" fails decoding as kube fails it', { skip }, async () => {
  const { readFileSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const manifest = readFileSync(fileURLToPath(new URL('../../../deploy/admission/seed-v1beta1.yaml', import.meta.url)), 'utf8');
  const stderr = await fails(['apply', '-f', '-'], manifest);
  assert.equal(
    stderr,
    'Error from server (BadRequest): error when creating "STDIN": MutatingWebhookConfiguration in version "v1beta1" cannot be handled as a MutatingWebhookConfiguration: illegal base64 data at input byte 0\n',
  );
  // Substituted (what envsubst does), it applies unchanged.
  await ok(['apply', '-f', '-'], manifest.replace('${CA_BUNDLE}', caBundle));
  await ok(['delete', 'mutatingwebhookconfiguration', 'mwc-example']);
});
