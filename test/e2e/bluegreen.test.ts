/**
 * `flotilla bluegreen` end to end on a real `flotilla up` (controllers, scheduler, process pods):
 * the Codefresh step's seed path, its NOP and failure cases, and the Argo Rollouts options
 * (manual promotion with a preview Service, abort, scale-down delay with rollback). Each test has
 * its own namespace, drives the command as a user would (environment variables or flags), and
 * checks the cluster with kubectl and HTTP requests to the pods' IPs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { createClient, type KObject } from '../../src/runtime/index.js';
import { ingressRoutes } from '../../src/rollout/index.js';
import { sharedCluster, waitFor } from '../support/cluster.js';

const e2e = await sharedCluster({ controlPlane: true, dirPrefix: 'flotilla-bluegreen-' });
const { skip, ok, run } = e2e;

/** dist/test/e2e → dist/src/rollout/main.js: the commands on their own, without src/cli/main.ts. */
const BLUEGREEN_BIN = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../src/rollout/main.js');

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** A clean environment (no stray SERVICE_NAME etc. from the caller) plus `vars`. */
const envWith = (vars: Record<string, string>): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, ...vars });

function bluegreen(args: string[], vars: Record<string, string> = {}, timeoutMs = 120_000): Promise<Result> {
  return new Promise((done) => {
    execFile(process.execPath, [BLUEGREEN_BIN, 'bluegreen', ...args, '--kubeconfig', e2e.cluster().kubeconfig], { env: envWith(vars), timeout: timeoutMs }, (err, stdout, stderr) =>
      done({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr }),
    );
  });
}

/** A run in the background (it waits out a scale-down delay): its output so far, and its end. */
function bluegreenInBackground(args: string[], vars: Record<string, string>): { output: () => string; exited: Promise<number | null>; stop: () => void } {
  const child = spawn(process.execPath, [BLUEGREEN_BIN, 'bluegreen', ...args, '--kubeconfig', e2e.cluster().kubeconfig], { env: envWith(vars), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  e2e.onCleanup(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  });
  return { output: () => out, exited, stop: () => child.kill('SIGTERM') };
}

/** The seed's inputs, as the Codefresh image receives them. */
const seedEnv = (ns: string, version: string, healthSeconds = '1') => ({ SERVICE_NAME: 'shop', DEPLOYMENT_NAME: 'shop', NEW_VERSION: version, HEALTH_SECONDS: healthSeconds, NAMESPACE: ns });

/** The step's lines only (`[DEPLOY …]`), without kubectl-like output and progress. */
const deployLines = (stdout: string): string[] => stdout.split('\n').filter((l) => l.startsWith('[DEPLOY'));

/** GET http://ip:port/ → the parsed JSON body. */
function httpJson(ip: string, port = 8080): Promise<{ instance: string; version: string }> {
  return new Promise((done, reject) => {
    const req = request({ host: ip, port, path: '/', timeout: 5000, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => {
        try {
          done(JSON.parse(body));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.once('timeout', () => req.destroy(new Error(`timeout on ${ip}:${port}`)));
    req.once('error', reject);
    req.end();
  });
}

/** Namespace `ns` with the blue colour `shop-<version>` (flotilla/echo:<version>) and the Service `shop` selecting it. */
async function blue(ns: string, version = '1'): Promise<void> {
  await ok(['create', 'namespace', ns]);
  const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-${version}
  namespace: ${ns}
  labels: {app: shop, version: '${version}'}
spec:
  replicas: 2
  selector:
    matchLabels: {app: shop, version: '${version}'}
  template:
    metadata:
      labels: {app: shop, version: '${version}'}
    spec:
      containers:
      - name: shop
        image: flotilla/echo:${version}
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: shop
  namespace: ${ns}
spec:
  selector: {app: shop, version: '${version}'}
  ports:
  - port: 80
    targetPort: 8080
`;
  await ok(['apply', '-f', '-'], manifest);
  await ok(['rollout', 'status', `deployment/shop-${version}`, '-n', ns, '--timeout=90s']);
}

const selectorVersion = async (ns: string, service = 'shop'): Promise<string> => ok(['get', 'service', service, '-n', ns, '-o', 'jsonpath={.spec.selector.version}']);

/** Ready pods of `version` in `ns`: name and IP. */
async function readyPods(ns: string, version: string, count = 2): Promise<Array<{ name: string; ip: string }>> {
  return waitFor(`${count} Ready pods of version ${version} in ${ns}`, async () => {
    const out = await ok(['get', 'pods', '-n', ns, '-l', `app=shop,version=${version}`, '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.podIP} {.status.conditions[?(@.type=="Ready")].status} {.metadata.deletionTimestamp}{"\\n"}{end}']);
    const pods = out.trim().split('\n').filter(Boolean).map((l) => l.split(' '));
    const ready = pods.filter((p) => p[2] === 'True' && !p[3]);
    return pods.length === count && ready.length === count && ready.map(([name, ip]) => ({ name, ip }));
  }, 60_000);
}

/** The Endpoints of a Service as a sorted list of IPs, once they equal `want`. */
async function endpointsBecome(ns: string, service: string, want: string[]): Promise<void> {
  const sorted = [...want].sort().join(' ');
  await waitFor(`endpoints ${ns}/${service} = ${sorted}`, async () => {
    const out = await ok(['get', 'endpoints', service, '-n', ns, '-o', 'jsonpath={.subsets[*].addresses[*].ip}']);
    return out.split(' ').filter(Boolean).sort().join(' ') === sorted;
  }, 30_000);
}

const gone = async (ns: string, kind: string, name: string): Promise<boolean> => {
  const r = await run(['get', kind, name, '-n', ns]);
  return r.code !== 0 && /NotFound|not found/.test(r.stderr);
};

test('missing inputs: the usage text and exit 1, nothing touched', { skip }, async () => {
  const r = await bluegreen([], { SERVICE_NAME: 'shop', DEPLOYMENT_NAME: 'shop', HEALTH_SECONDS: '5' });
  assert.equal(r.code, 1);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'USAGE');
  assert.match(lines[1], /^ flotilla bluegreen --service-name SERVICE_NAME .* --namespace NAMESPACE \[options\]$/);
  assert.ok(lines.includes('\t [NEW_VERSION] - The version to roll out: the version label and the image tag'), r.stdout);
  assert.match(r.stdout, /Missing: NEW_VERSION, NAMESPACE\n/);
  assert.doesNotMatch(r.stdout, /\[DEPLOY /);

  const bad = await bluegreen([], { ...seedEnv('default', '2'), HEALTH_SECONDS: 'soon' });
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, 'error: HEALTH_SECONDS must be a whole number of seconds, not "soon"\n');
});

test('the seed: v1 → v2 switches the Service, removes the old colour, and the new pods answer version 2', { skip }, async () => {
  const ns = 'bg-seed';
  await blue(ns);
  const v1 = await readyPods(ns, '1');
  await endpointsBecome(ns, 'shop', v1.map((p) => p.ip));

  const r = await bluegreen([], seedEnv(ns, '2'));
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.deepEqual(deployLines(r.stdout), [
    '[DEPLOY INFO] Selecting Kubernetes cluster',
    '[DEPLOY INFO] Locating current version',
    '[DEPLOY NEW COLOR] Creating next version',
    '[DEPLOY INFO] Waiting for new color to come up',
    '[DEPLOY INFO] Waiting for 1 seconds before healthcheck',
    '[DEPLOY INFO] Starting Heathcheck',
    '[DEPLOY HEALTH] New color is healthy.',
    '[DEPLOY SWITCH] Routing traffic to new color',
    '[DEPLOY CLEANUP] Removing previous color',
  ]);
  assert.match(r.stdout, /\ndeployment "shop-2" successfully rolled out\n/);
  assert.match(r.stdout, /\nBlue\/green deployment summary\n {2}result: +switched\n {2}service: +bg-seed\/shop selects version 2 \(rollout 1 → 2\)\n/);
  assert.match(r.stdout, /\n {2}old color: shop-1: deleted\n/);

  assert.equal(await selectorVersion(ns), '2');
  assert.ok(await gone(ns, 'deployment', 'shop-1'), 'the old colour is deleted');
  // The structural copy: only the version label/selector and the image tag changed, no server fields.
  const d = JSON.parse(await ok(['get', 'deployment', 'shop-2', '-n', ns, '-o', 'json']));
  assert.deepEqual(d.metadata.labels, { app: 'shop', version: '2' });
  assert.deepEqual(d.spec.selector.matchLabels, { app: 'shop', version: '2' });
  assert.deepEqual(d.spec.template.metadata.labels, { app: 'shop', version: '2' });
  assert.equal(d.spec.template.spec.containers[0].image, 'flotilla/echo:2');
  assert.equal(d.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'], undefined);

  const v2 = await readyPods(ns, '2');
  await endpointsBecome(ns, 'shop', v2.map((p) => p.ip));
  for (const p of v2) assert.deepEqual(await httpJson(p.ip), { instance: p.name, version: '2' });
});

test('NOP: the Service already selects NEW_VERSION — exit 0, nothing created', { skip }, async () => {
  const ns = 'bg-nop';
  await blue(ns);
  const r = await bluegreen(['--new-version', '1'], { ...seedEnv(ns, '9') });
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.deepEqual(deployLines(r.stdout), [
    '[DEPLOY INFO] Selecting Kubernetes cluster',
    '[DEPLOY INFO] Locating current version',
    '[DEPLOY NOP] NEW_VERSION is same as CURRENT_VERSION. Both are at 1',
  ]);
  assert.equal(await ok(['get', 'deployments', '-n', ns, '-o', 'jsonpath={.items[*].metadata.name}']), 'shop-1');
});

test('an unhealthy new colour (flotilla/crashloop): removed, exit 1, the Service never selected it', { skip }, async () => {
  const ns = 'bg-crash';
  await blue(ns);
  const v1 = (await readyPods(ns, '1')).map((p) => p.ip).sort().join(' ');
  await endpointsBecome(ns, 'shop', v1.split(' '));
  // Every state of the Service's endpoints while the run goes on: traffic must only ever see v1.
  const watch = e2e.spawn(['get', 'endpoints', 'shop', '-n', ns, '--watch', '-o', 'jsonpath={.subsets[*].addresses[*].ip}{"\\n"}']);
  await watch.waitForOutput('the first endpoints line', /\n/);

  // crashloop exits 2 s after each start: restarted at once, then CrashLoopBackOff for 10 s — not
  // Ready when the health check runs HEALTH_SECONDS=8 after the rollout.
  const r = await bluegreen(['--image', 'shop=flotilla/crashloop:2', '--timeout', '60s'], seedEnv(ns, '2', '8'));
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  const lines = deployLines(r.stdout);
  assert.deepEqual(lines.slice(0, 4), ['[DEPLOY INFO] Selecting Kubernetes cluster', '[DEPLOY INFO] Locating current version', '[DEPLOY NEW COLOR] Creating next version', '[DEPLOY INFO] Waiting for new color to come up']);
  assert.deepEqual(lines.slice(-2), ['[DEPLOY HEALTH] New color is unhealthy', '[DEPLOY FAILED] Removing new color']);
  assert.ok(!lines.includes('[DEPLOY SWITCH] Routing traffic to new color'), r.stdout);
  assert.match(r.stdout, /\n {2}result: +FAILED: /);

  assert.equal(await selectorVersion(ns), '1');
  assert.ok(await gone(ns, 'deployment', 'shop-2'), 'the new colour is removed');
  await watch.stop();
  const seen = watch.stdout().split('\n').filter(Boolean).map((l) => l.split(' ').sort().join(' '));
  assert.ok(seen.length >= 1);
  for (const s of seen) assert.equal(s, v1, `the Service's endpoints only ever held the v1 pods: ${JSON.stringify(seen)}`);
});

test('SIGTERM (a cancelled CI job) during the health window: the new colour is removed, the Service untouched', { skip }, async () => {
  const ns = 'bg-cancel';
  await blue(ns);
  const bg = bluegreenInBackground([], seedEnv(ns, '2', '600'));
  await waitFor('the health window', () => {
    if (bg.output().includes('result:')) throw new Error(`the run ended early:\n${bg.output()}`);
    return bg.output().includes('[DEPLOY INFO] Waiting for 600 seconds before healthcheck\n');
  }, 90_000);
  assert.ok(!(await gone(ns, 'deployment', 'shop-2')));
  bg.stop();
  assert.equal(await bg.exited, 1);
  assert.match(bg.output(), /SIGTERM: stopping; undoing what this run left unfinished/);
  assert.match(bg.output(), /\[DEPLOY FAILED\] Removing new color\n/);
  assert.match(bg.output(), /\n {2}result: +FAILED: interrupted \(SIGTERM\)\n/);
  assert.ok(await gone(ns, 'deployment', 'shop-2'));
  assert.equal(await selectorVersion(ns), '1');
});

test('manual promotion: --auto-promote=false with a preview Service, then promote; abort of the next one', { skip }, async () => {
  const ns = 'bg-manual';
  await blue(ns);
  const v1 = await readyPods(ns, '1');

  const paused = await bluegreen(['--auto-promote=false', '--preview-service', 'shop-preview', '--analysis', '/ping'], seedEnv(ns, '2'));
  assert.equal(paused.code, 0, `${paused.stdout}\n${paused.stderr}`);
  const lines = deployLines(paused.stdout);
  assert.ok(lines.includes('[DEPLOY PREVIEW] Routing preview service shop-preview to new color'), paused.stdout);
  assert.ok(lines.includes('[DEPLOY ANALYSIS] Pre-promotion analysis passed'), paused.stdout);
  assert.equal(lines.at(-1), `[DEPLOY PAUSED] New color is healthy; waiting for promotion: "flotilla bluegreen promote shop --namespace ${ns}" switches traffic, "flotilla bluegreen abort shop --namespace ${ns}" removes it`);
  assert.ok(!lines.includes('[DEPLOY SWITCH] Routing traffic to new color'));

  // Before promotion: the preview Service reaches v2, the active one still v1.
  assert.equal(await selectorVersion(ns), '1');
  assert.equal(await selectorVersion(ns, 'shop-preview'), '2');
  const v2 = await readyPods(ns, '2');
  await endpointsBecome(ns, 'shop-preview', v2.map((p) => p.ip));
  await endpointsBecome(ns, 'shop', v1.map((p) => p.ip));
  for (const p of v2) assert.equal((await httpJson(p.ip)).version, '2');
  // The pause is recorded on the Service (no local state), and a new run is refused meanwhile.
  const record = JSON.parse(await ok(['get', 'service', 'shop', '-n', ns, '-o', 'jsonpath={.metadata.annotations.bluegreen\\.flotilla\\.dev/rollout}']));
  assert.equal(record.phase, 'Paused');
  const refused = await bluegreen([], seedEnv(ns, '3'));
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^error: a rollout of service shop to version 2 is paused: /m);
  assert.ok(await gone(ns, 'deployment', 'shop-3'));

  const promoted = await bluegreen(['promote', 'shop', '-n', ns]);
  assert.equal(promoted.code, 0, `${promoted.stdout}\n${promoted.stderr}`);
  assert.deepEqual(deployLines(promoted.stdout), [
    '[DEPLOY PROMOTE] Promoting version 2 (previous: 1)',
    '[DEPLOY INFO] Starting Heathcheck',
    '[DEPLOY HEALTH] New color is healthy.',
    '[DEPLOY ANALYSIS] Running pre-promotion analysis',
    '[DEPLOY ANALYSIS] Pre-promotion analysis passed',
    '[DEPLOY SWITCH] Routing traffic to new color',
    '[DEPLOY ANALYSIS] Running post-promotion analysis',
    '[DEPLOY ANALYSIS] Post-promotion analysis passed',
    '[DEPLOY CLEANUP] Removing previous color',
  ]);
  assert.equal(await selectorVersion(ns), '2');
  assert.ok(await gone(ns, 'deployment', 'shop-1'));
  await endpointsBecome(ns, 'shop', v2.map((p) => p.ip));

  // The next version, paused, then aborted: removed, the preview back on the live version.
  const next = await bluegreen(['--auto-promote=false', '--preview-service', 'shop-preview'], seedEnv(ns, '3'));
  assert.equal(next.code, 0, `${next.stdout}\n${next.stderr}`);
  assert.equal(await selectorVersion(ns, 'shop-preview'), '3');
  const aborted = await bluegreen(['abort', 'shop'], { NAMESPACE: ns });
  assert.equal(aborted.code, 0, `${aborted.stdout}\n${aborted.stderr}`);
  assert.deepEqual(deployLines(aborted.stdout), ['[DEPLOY ABORT] Aborting the rollout to version 3 (keeping 2)', '[DEPLOY ABORT] Removing new color']);
  assert.ok(await gone(ns, 'deployment', 'shop-3'));
  assert.equal(await selectorVersion(ns), '2');
  assert.equal(await selectorVersion(ns, 'shop-preview'), '2');
  const again = await bluegreen(['promote', 'shop', '-n', ns]);
  assert.equal(again.code, 1);
  assert.equal(again.stderr, 'error: no rollout of service shop is paused (the last one, to version 3, is Aborted)\n');
});

test('--scale-down-delay: rollback during the delay is instant; afterwards the old colour is scaled to zero and rollback brings it back', { skip }, async () => {
  const ns = 'bg-delay';
  await blue(ns);
  const v1 = await readyPods(ns, '1');

  const bg = bluegreenInBackground(['--scale-down-delay', '10m'], seedEnv(ns, '2'));
  await waitFor('the switch, with the old colour kept', async () => {
    if (bg.output().includes('result:')) throw new Error(`the run ended early:\n${bg.output()}`);
    return bg.output().includes('[DEPLOY INFO] Keeping previous color for 10m0s before scaling it down');
  }, 90_000);
  assert.equal(await selectorVersion(ns), '2');
  assert.equal(await ok(['get', 'deployment', 'shop-1', '-n', ns, '-o', 'jsonpath={.spec.replicas}']), '2');

  const rolledBack = await bluegreen(['rollback', 'shop', '--namespace', ns]);
  assert.equal(rolledBack.code, 0, `${rolledBack.stdout}\n${rolledBack.stderr}`);
  assert.deepEqual(deployLines(rolledBack.stdout), [
    '[DEPLOY ROLLBACK] Rolling back from version 2 to 1',
    '[DEPLOY ROLLBACK] Bringing previous color back',
    '[DEPLOY ROLLBACK] Routing traffic back to previous color',
    '[DEPLOY ROLLBACK] Removing new color',
  ]);
  assert.equal(await selectorVersion(ns), '1');
  await endpointsBecome(ns, 'shop', v1.map((p) => p.ip));
  assert.ok(await gone(ns, 'deployment', 'shop-2'));
  // The run that was waiting out its delay sees the rollback and fails.
  assert.equal(await bg.exited, 1);
  assert.match(bg.output(), /\[DEPLOY ROLLBACK\] Traffic was switched back to previous color by "flotilla bluegreen rollback"\n/);

  // A short delay runs out: the old colour is scaled to zero, not deleted…
  const r = await bluegreen(['--scale-down-delay', '1s'], seedEnv(ns, '3'));
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.deepEqual(deployLines(r.stdout).slice(-2), ['[DEPLOY INFO] Keeping previous color for 1s before scaling it down: "flotilla bluegreen rollback shop --namespace bg-delay" switches back', '[DEPLOY CLEANUP] Scaling previous color to zero']);
  assert.equal(await selectorVersion(ns), '3');
  assert.equal(await ok(['get', 'deployment', 'shop-1', '-n', ns, '-o', 'jsonpath={.spec.replicas}']), '0');
  await waitFor('no v1 pods left', async () => (await ok(['get', 'pods', '-n', ns, '-l', 'version=1', '-o', 'name'])) === '', 30_000);

  // …and rollback scales it back up before switching to it.
  const back = await bluegreen(['rollback', 'shop', '-n', ns]);
  assert.equal(back.code, 0, `${back.stdout}\n${back.stderr}`);
  assert.equal(await selectorVersion(ns), '1');
  const v1again = await readyPods(ns, '1');
  await endpointsBecome(ns, 'shop', v1again.map((p) => p.ip));
  for (const p of v1again) assert.deepEqual(await httpJson(p.ip), { instance: p.name, version: '1' });
  assert.ok(await gone(ns, 'deployment', 'shop-3'));
});

/** IngressRoute as the ingress controller will serve it; here only its stored weights are observed. */
const INGRESSROUTE_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ingressroutes.contour.heptio.com
spec:
  group: contour.heptio.com
  scope: Namespaced
  names: {plural: ingressroutes, singular: ingressroute, kind: IngressRoute, listKind: IngressRouteList}
  versions:
  - name: v1beta1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
          status: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;

async function ingressRoute(ns: string): Promise<void> {
  // The ingress controller may install the CRD itself one day: keep the one that is there.
  const created = await run(['create', '-f', '-'], INGRESSROUTE_CRD);
  assert.ok(created.code === 0 || /AlreadyExists|already exists/.test(created.stderr), created.stderr);
  await waitFor('the IngressRoute kind to be served', async () => (await run(['get', 'ingressroutes', '-n', ns])).code === 0);
  await ok(['apply', '-n', ns, '-f', '-'], 'apiVersion: contour.heptio.com/v1beta1\nkind: IngressRoute\nmetadata: {name: shop}\nspec:\n  virtualhost: {fqdn: shop.example.com}\n  routes:\n  - match: /\n    services:\n    - {name: shop, port: 80}\n');
}

/** `shop=<w> shop-preview=<w> ` of the IngressRoute's first route. */
const WEIGHTS_JSONPATH = 'jsonpath={range .spec.routes[0].services[*]}{.name}={.weight} {end}{"\\n"}';

type Weighted = KObject & { spec?: { routes?: Array<{ services?: Array<{ name?: string; weight?: number }> }> } };

/**
 * Every stored version of IngressRoute `ns/shop`, as `shop=<w> shop-preview=<w>`: a watch that
 * resumes from its last resourceVersion whenever the server ends it (it does when the CRD's
 * handler is rebuilt), so no write is missed.
 */
function recordWeights(ns: string): { seen: string[]; stop: () => void } {
  const kc = new KubeConfig();
  kc.loadFromFile(e2e.cluster().kubeconfig);
  const client = createClient(kc);
  const seen: string[] = [];
  const stopper = new AbortController();
  e2e.onCleanup(() => stopper.abort());
  const line = (ir: Weighted) => (ir.spec?.routes?.[0]?.services ?? []).map((x) => `${x.name}=${x.weight ?? ''}`).join(' ');
  void (async () => {
    const first = await client.get<Weighted>(ingressRoutes, ns, 'shop');
    let rv = first?.metadata?.resourceVersion ?? '';
    seen.push(line(first!));
    while (!stopper.signal.aborted) {
      await client
        .watch<Weighted>(ingressRoutes, { namespace: ns, resourceVersion: rv }, (e) => {
          rv = e.object.metadata?.resourceVersion ?? rv;
          if (e.type === 'MODIFIED' && e.object.metadata?.name === 'shop') seen.push(line(e.object));
        }, stopper.signal)
        .catch(() => new Promise((done) => setTimeout(done, 100)));
    }
  })();
  return { seen, stop: () => stopper.abort() };
}

test('--traffic ingressroute/shop --steps 10,50: the weights shift step by step, then the Service switches', { skip }, async () => {
  const ns = 'bg-traffic';
  await blue(ns);
  await ingressRoute(ns);
  const watch = recordWeights(ns);
  await waitFor('the IngressRoute as it was', () => watch.seen.length === 1);

  const r = await bluegreen(['--traffic', 'ingressroute/shop', '--steps', '10,50', '--step-interval', '1s', '--analysis', '/ping'], seedEnv(ns, '2'));
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const traffic = deployLines(r.stdout).filter((l) => l.startsWith('[DEPLOY TRAFFIC]'));
  assert.deepEqual(traffic, [
    '[DEPLOY TRAFFIC] Shifting traffic to new color through ingressroute/shop',
    '[DEPLOY TRAFFIC] 10% of traffic on new color (service shop-preview), 90% on service shop',
    '[DEPLOY TRAFFIC] 50% of traffic on new color (service shop-preview), 50% on service shop',
    '[DEPLOY TRAFFIC] 100% of traffic on new color (service shop-preview), 0% on service shop',
    '[DEPLOY TRAFFIC] Routing ingress traffic through service shop only',
  ]);
  assert.equal(await selectorVersion(ns), '2');
  assert.equal(await selectorVersion(ns, 'shop-preview'), '2');
  assert.ok(await gone(ns, 'deployment', 'shop-1'));
  await waitFor('the weights settled', () => watch.seen.at(-1) === 'shop=100 shop-preview=0' && watch.seen.length >= 6);
  watch.stop();
  assert.deepEqual(watch.seen, ['shop=', 'shop=100 shop-preview=0', 'shop=90 shop-preview=10', 'shop=50 shop-preview=50', 'shop=0 shop-preview=100', 'shop=100 shop-preview=0']);
});

test('--traffic: analysis failing at a step puts the weights back and removes the new colour', { skip }, async () => {
  const ns = 'bg-traffic-fail';
  await blue(ns);
  await ingressRoute(ns);
  // An external check that passes once (pre-promotion) and then fails (at the 10% step).
  let requests = 0;
  const srv = createServer((_req, res) => {
    res.writeHead(++requests === 1 ? 200 : 500);
    res.end();
  });
  await new Promise<void>((done) => srv.listen(0, '127.0.0.1', done));
  e2e.onCleanup(() => new Promise((done) => srv.close(done)));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/check`;

  const r = await bluegreen(['--traffic', 'ingressroute/shop', '--steps', '10,50', '--step-interval', '1s', '--analysis', url], seedEnv(ns, '2'));
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  assert.deepEqual(deployLines(r.stdout).slice(-3), [
    '[DEPLOY TRAFFIC] 10% of traffic on new color (service shop-preview), 90% on service shop',
    '[DEPLOY ROLLBACK] Routing ingress traffic back to previous color',
    '[DEPLOY FAILED] Removing new color',
  ]);
  assert.match(r.stdout, new RegExp(`  GET ${url.replace(/[.]/g, '\\.')}: 500 Internal Server Error\n`));
  assert.equal((await ok(['get', 'ingressroute', 'shop', '-n', ns, '-o', WEIGHTS_JSONPATH])).trim(), 'shop=100 shop-preview=0');
  assert.equal(await selectorVersion(ns), '1');
  assert.ok(await gone(ns, 'deployment', 'shop-2'));
  assert.equal(requests, 2);
});
