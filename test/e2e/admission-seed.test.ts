/**
 * The seed's walkthrough end to end on `flotilla up` (issue 7, Tests), with nothing served from
 * the test process: `kubectl apply -f deploy/admission/label-injector.yaml` runs the webhook as a
 * pod of the process runtime (`flotilla/flotilla`, `flotilla admission serve --cert-dir
 * /etc/webhook/certs` reading its Secret volume), `flotilla admission certs` issues the
 * certificate the pod waits for, and the API server reaches the pod through the Service's
 * Endpoints (pod IP + targetPort) that the endpoints controller writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FLOTILLA_BIN, sharedCluster, waitFor } from '../support/cluster.js';

const e2e = await sharedCluster({ controlPlane: true, dirPrefix: 'flotilla-admission-seed-' });
const { skip, ok } = e2e;
const deploy = (file: string) => readFileSync(fileURLToPath(new URL(`../../../deploy/admission/${file}`, import.meta.url)), 'utf8');

function flotilla(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [FLOTILLA_BIN, ...args, '--kubeconfig', e2e.cluster().kubeconfig], { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

type Pod = { metadata: { name: string; labels?: Record<string, string> }; status?: { podIP?: string; conditions?: { type: string; status: string }[] } };

test('the seed walkthrough: the webhook runs as a pod, and kubectl apply -f test.yaml gives the pod both labels', { skip }, async () => {
  await ok(['apply', '-f', '-'], deploy('label-injector.yaml'));

  // No certificate yet: the pod waits in ContainerCreating, as kubelet words it.
  const failed = await waitFor('the FailedMount event', async () => {
    const events = JSON.parse(await ok(['get', 'events', '-n', 'mwc-example', '-o', 'json'])).items as { reason: string; message: string }[];
    return events.find((e) => e.reason === 'FailedMount')?.message;
  }, 60_000);
  assert.equal(failed, 'MountVolume.SetUp failed for volume "webhook-certs" : secret "mwc-example" not found');
  const waiting = await ok(['get', 'pods', '-n', 'mwc-example', '-l', 'name=mwc-example', '-o', 'jsonpath={.items[0].status.containerStatuses[0].state.waiting.reason}']);
  assert.equal(waiting, 'ContainerCreating');

  const certs = await flotilla(['admission', 'certs', '--namespace', 'mwc-example', '--service', 'mwc-example', '--webhook-config', 'mwc-example']);
  assert.equal(certs.code, 0, certs.stderr);
  assert.equal(certs.stdout, 'secret/mwc-example created (no CA)\nmutatingwebhookconfiguration.admissionregistration.k8s.io/mwc-example caBundle patched\n');

  // The pod mounts the Secret, serves on its own IP, and its readiness probe (HTTPS /healthz) passes.
  const webhookPod = await waitFor('the webhook pod Ready', async () => {
    const pods = JSON.parse(await ok(['get', 'pods', '-n', 'mwc-example', '-l', 'name=mwc-example', '-o', 'json'])).items as Pod[];
    const p = pods[0];
    return pods.length === 1 && p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? p : undefined;
  }, 60_000);
  const ip = webhookPod.status!.podIP!;
  await waitFor('the Service endpoints at the pod', async () => (await ok(['get', 'endpoints', 'mwc-example', '-n', 'mwc-example', '-o', 'jsonpath={.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port}'])) === `${ip}:8443`, 30_000);

  await ok(['apply', '-f', '-'], deploy('test.yaml'));
  const pods = JSON.parse(await ok(['get', 'pods', '-n', 'mwc-test', '-o', 'json'])).items as Pod[];
  assert.deepEqual(pods[0].metadata.labels, { test: 'label', thisisanewlabel: 'hello' });

  // The webhook pod is what answered: its log has the review of mwc-test/pause.
  const logs = await waitFor('the review in the webhook pod’s log', async () => {
    const out = await ok(['logs', '-n', 'mwc-example', webhookPod.metadata.name]);
    return out.includes('"object":"mwc-test/pause"') ? out : undefined;
  }, 20_000);
  const lines = logs.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  const review = lines.find((l) => l.object === 'mwc-test/pause')!;
  assert.deepEqual([review.msg, review.webhook, review.operation, review.allowed, review.patched], ['admission review', 'label-injector', 'CREATE', true, true]);
  // `serve` bound its pod's IP ($POD_IP), not 0.0.0.0.
  const listening = lines.find((l) => l.msg === 'webhook server listening')!;
  assert.deepEqual([listening.host, listening.port], [ip, 8443]);
});

test('two webhook pods on one machine: each binds its own IP, both serve', { skip }, async () => {
  await ok(['scale', 'deployment', 'mwc-example', '-n', 'mwc-example', '--replicas', '2']);
  const ips = await waitFor('two webhook endpoints', async () => {
    const out = await ok(['get', 'endpoints', 'mwc-example', '-n', 'mwc-example', '-o', 'jsonpath={.subsets[*].addresses[*].ip}']);
    const ips = out.split(' ').filter(Boolean);
    return ips.length === 2 ? ips.sort() : undefined;
  }, 60_000);
  assert.notEqual(ips[0], ips[1]);
  // Every create in mwc-test is patched, whichever pod the API server picks.
  for (let i = 0; i < 6; i++) {
    await ok(['run', `two-${i}`, '-n', 'mwc-test', '--image', 'registry.k8s.io/pause:3.9', '--labels', 'test=two']);
    assert.deepEqual(JSON.parse(await ok(['get', 'pod', `two-${i}`, '-n', 'mwc-test', '-o', 'jsonpath={.metadata.labels}'])), { test: 'two', thisisanewlabel: 'hello' });
  }
});

test('excluded pods and unlabelled namespaces are untouched', { skip }, async () => {
  await ok(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata:
  name: excluded
  namespace: mwc-test
  labels:
    test: label
  annotations:
    mwc-example.jasonrichardsmith.com.exclude: "true"
spec:
  containers:
  - name: pause
    image: registry.k8s.io/pause:3.9
---
apiVersion: v1
kind: Namespace
metadata:
  name: mwc-plain
---
apiVersion: v1
kind: Pod
metadata:
  name: plain
  namespace: mwc-plain
spec:
  containers:
  - name: pause
    image: registry.k8s.io/pause:3.9
`);
  assert.deepEqual(JSON.parse(await ok(['get', 'pod', 'excluded', '-n', 'mwc-test', '-o', 'jsonpath={.metadata.labels}'])), { test: 'label' });
  assert.equal(await ok(['get', 'pod', 'plain', '-n', 'mwc-plain', '-o', 'jsonpath={.metadata.labels}']), '');
  // The pods themselves run (pause, on the process runtime).
  await waitFor('the excluded pod Running', async () => (await ok(['get', 'pod', 'excluded', '-n', 'mwc-test', '-o', 'jsonpath={.status.phase}'])) === 'Running', 30_000);
});

test('flotilla admission deploy image-allowlist: one command to a serving webhook that denies other registries', { skip }, async () => {
  const out = await flotilla(['admission', 'deploy', 'image-allowlist', '--timeout', '90']);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /^namespace\/flotilla-admission created\n/);
  assert.match(out.stdout, /\nsecret\/image-allowlist created/);
  assert.match(out.stdout, /\nvalidatingwebhookconfiguration\/image-allowlist caBundle patched\n/);
  assert.match(out.stdout, /\ndeployment\/image-allowlist available: the webhook is serving\n$/);
  await ok(['create', 'namespace', 'allow-e2e']);
  const denied = await e2e.run(['run', 'bad', '-n', 'allow-e2e', '--image', 'evil.example.com/miner:1']);
  assert.equal(denied.code, 1);
  assert.match(denied.stderr, /admission webhook "[^"]+" denied the request: .*evil\.example\.com/);
  await ok(['run', 'good', '-n', 'allow-e2e', '--image', 'registry.k8s.io/pause:3.9']);
  // Running it again changes nothing it does not have to.
  const again = await flotilla(['admission', 'deploy', 'image-allowlist']);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /\nsecret\/image-allowlist unchanged\n/);
  const unknown = await flotilla(['admission', 'deploy', 'nope']);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stderr, 'error: unknown webhook "nope": expected one of label-injector, image-allowlist, sidecar-injector\n');
});
