/**
 * `flotilla bluegreen` end to end on a real `flotilla up` (controllers, scheduler, process pods,
 * the ingress controller and its proxy): the Codefresh step's seed path, its NOP and failure
 * cases, the Argo Rollouts options (manual promotion with a preview Service, abort, scale-down
 * delay with rollback), and traffic shifted through an IngressRoute. Each test has its own
 * namespace, drives the command as a user would (environment variables or flags), and checks the
 * cluster with kubectl, HTTP requests to the pods' IPs, and requests through the ingress proxy
 * (by Host header, as users reach the app) — which is where the weighted canary is observed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { createClient, type KObject } from '../../src/runtime/index.js';
import { ingressRoutes } from '../../src/rollout/index.js';
import { FLOTILLA_BIN, sharedCluster, waitFor } from '../support/cluster.js';

const e2e = await sharedCluster({ controlPlane: true, dirPrefix: 'flotilla-bluegreen-' });
const { skip, ok, run } = e2e;


interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** A clean environment (no stray SERVICE_NAME etc. from the caller) plus `vars`. */
const envWith = (vars: Record<string, string>): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, ...vars });

function bluegreen(args: string[], vars: Record<string, string> = {}, timeoutMs = 120_000): Promise<Result> {
  return new Promise((done) => {
    execFile(process.execPath, [FLOTILLA_BIN, 'bluegreen', ...args, '--kubeconfig', e2e.cluster().kubeconfig], { env: envWith(vars), timeout: timeoutMs }, (err, stdout, stderr) =>
      done({ code: err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0, stdout, stderr }),
    );
  });
}

/** A run in the background (it waits out a scale-down delay): its output so far, and its end. */
function bluegreenInBackground(args: string[], vars: Record<string, string>): { output: () => string; exited: Promise<number | null>; stop: () => void } {
  const child = spawn(process.execPath, [FLOTILLA_BIN, 'bluegreen', ...args, '--kubeconfig', e2e.cluster().kubeconfig], { env: envWith(vars), stdio: ['ignore', 'pipe', 'pipe'] });
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

// ---- through the ingress ------------------------------------------------------------------------

/** The proxy's HTTP listener and the ingress controller's /debug/dag port, from flotilla up's startup lines. */
function ingressAddress(): { host: string; port: number; debugPort: number } {
  const out = e2e.cluster().output();
  const m = /ingress \(IngressRoute, Ingress\): http:\/\/([\d.]+):(\d+),.*\/debug\/dag on [\d.]+:(\d+)/.exec(out);
  assert.ok(m, `flotilla up prints the proxy's address and /debug/dag port:\n${out}`);
  return { host: m[1], port: Number(m[2]), debugPort: Number(m[3]) };
}

/** The virtual host of namespace `ns`'s IngressRoute (one per namespace: two roots may not share an fqdn). */
const fqdnOf = (ns: string): string => `shop.${ns}.test`;

/** IngressRoute `ns/shop` (the real CRD, installed by the ingress controller) routing `/` to Service shop:80, once valid. */
async function ingressRoute(ns: string): Promise<void> {
  await ok(['apply', '-n', ns, '-f', '-'], `apiVersion: contour.heptio.com/v1beta1\nkind: IngressRoute\nmetadata: {name: shop}\nspec:\n  virtualhost: {fqdn: ${fqdnOf(ns)}}\n  routes:\n  - match: /\n    services:\n    - {name: shop, port: 80}\n`);
  await waitFor(`IngressRoute ${ns}/shop valid`, async () => (await ok(['get', 'ingressroute', 'shop', '-n', ns, '-o', 'jsonpath={.status.currentStatus}'])) === 'valid', 30_000);
}

/** One answer through the proxy: status 0 with the error for a connection that failed. */
interface Answer {
  status: number;
  version?: string;
  instance?: string;
  error?: string;
}

/** GET / through the ingress proxy with `Host: <fqdn>`; never rejects. */
function viaIngress(fqdn: string, agent: Agent): Promise<Answer> {
  const { host, port } = ingressAddress();
  return new Promise((done) => {
    const req = request({ host, port, path: '/', headers: { Host: fqdn }, agent, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('error', (e) => done({ status: 0, error: e.message }));
      res.on('end', () => {
        if (res.statusCode !== 200) return done({ status: res.statusCode ?? 0, error: body.slice(0, 200) });
        try {
          const j = JSON.parse(body) as { version?: string; instance?: string };
          done({ status: 200, version: j.version, instance: j.instance });
        } catch {
          done({ status: 200, error: `not JSON: ${body.slice(0, 200)}` });
        }
      });
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', (e) => done({ status: 0, error: e.message }));
    req.end();
  });
}

/** A keep-alive client for the proxy, closed in `after`. */
function ingressAgent(sockets: number): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  e2e.onCleanup(() => agent.destroy());
  return agent;
}

/** `n` requests through the proxy, `concurrency` at a time; the answers in the order they came. */
async function ingressBatch(fqdn: string, agent: Agent, n: number, concurrency: number): Promise<Answer[]> {
  const answers: Answer[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      next++;
      answers.push(await viaIngress(fqdn, agent));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return answers;
}

/** Answers by version (`v1`, `v2`, …) and failures (non-200 or connection errors, with the first few reasons). */
interface Tally {
  total: number;
  byVersion: Record<string, number>;
  failures: number;
  reasons: string[];
}

const emptyTally = (): Tally => ({ total: 0, byVersion: {}, failures: 0, reasons: [] });

function count(t: Tally, answers: readonly Answer[]): Tally {
  for (const a of answers) {
    t.total++;
    if (a.status === 200 && a.version !== undefined) t.byVersion[a.version] = (t.byVersion[a.version] ?? 0) + 1;
    else {
      t.failures++;
      if (t.reasons.length < 5) t.reasons.push(`${a.status} ${a.error ?? ''}`);
    }
  }
  return t;
}

/** A steady load through the proxy (`clients` keep-alive loops) until stopped; its tally. */
function ingressLoad(fqdn: string, clients: number): { tally: Tally; stop: () => Promise<Tally> } {
  const agent = ingressAgent(clients);
  const tally = emptyTally();
  let stopped = false;
  const loops = Array.from({ length: clients }, async () => {
    while (!stopped) count(tally, [await viaIngress(fqdn, agent)]);
  });
  const stop = async () => {
    stopped = true;
    await Promise.all(loops);
    return tally;
  };
  e2e.onCleanup(stop);
  return { tally, stop };
}

/**
 * The weights the proxy serves for the IngressRoute of `ns`, e.g. `shop=90 shop-preview=10`, from
 * the ingress controller's /debug/dag: the controller hands each DAG to the proxy in the same
 * synchronous step as it becomes the one /debug/dag shows, so this is what routes requests now.
 */
async function proxyWeights(ns: string): Promise<string> {
  const { debugPort } = ingressAddress();
  const dot = await new Promise<string>((done, reject) => {
    const req = request({ host: '127.0.0.1', port: debugPort, path: '/debug/dag', agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => (res.statusCode === 200 ? done(body) : reject(new Error(`/debug/dag: ${res.statusCode}`))));
    });
    req.once('timeout', () => req.destroy(new Error('/debug/dag timed out')));
    req.once('error', reject);
    req.end();
  });
  const clusters = [...dot.matchAll(new RegExp(`label="\\{cluster\\|\\{${ns}/([a-z0-9-]+)/80/[0-9a-f]+\\|weight (\\d+)\\}\\}"`, 'g'))];
  return clusters.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)).map((m) => `${m[1]}=${m[2]}`).join(' ');
}

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

test('the seed: v1 → v2 switches the Service, removes the old colour, and the new pods answer version 2, directly and through the ingress', { skip }, async () => {
  const ns = 'bg-seed';
  await blue(ns);
  await ingressRoute(ns);
  const v1 = await readyPods(ns, '1');
  await endpointsBecome(ns, 'shop', v1.map((p) => p.ip));
  const agent = ingressAgent(2);
  const seenV1 = new Set<string>();
  await waitFor('both v1 pods answering through the ingress', async () => {
    const a = await viaIngress(fqdnOf(ns), agent);
    if (a.status === 200 && a.version === '1') seenV1.add(a.instance!);
    return v1.every((p) => seenV1.has(p.name));
  }, 30_000, 20);

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
  // Through the ingress (the IngressRoute routes to the Service, untouched by the rollout): the
  // proxy follows the Service's endpoints, so once both v2 pods answered, every answer is v2.
  const seenV2 = new Set<string>();
  await waitFor('both v2 pods answering through the ingress', async () => {
    const a = await viaIngress(fqdnOf(ns), agent);
    if (a.status === 200 && a.version === '2') seenV2.add(a.instance!);
    return v2.every((p) => seenV2.has(p.name));
  }, 30_000, 20);
  const after = count(emptyTally(), await ingressBatch(fqdnOf(ns), agent, 50, 2));
  assert.deepEqual(after, { total: 50, byVersion: { '2': 50 }, failures: 0, reasons: [] });
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
  await ingressRoute(ns);
  // Every state of the Service's endpoints while the run goes on: traffic must only ever see v1.
  const watch = e2e.spawn(['get', 'endpoints', 'shop', '-n', ns, '--watch', '-o', 'jsonpath={.subsets[*].addresses[*].ip}{"\\n"}']);
  await watch.waitForOutput('the first endpoints line', /\n/);
  // And what users see: a steady load through the ingress for the whole run, every answer counted.
  const probe = ingressAgent(1);
  await waitFor('the ingress routing to v1', async () => (await viaIngress(fqdnOf(ns), probe)).version === '1', 30_000, 20);
  const load = ingressLoad(fqdnOf(ns), 2);

  // crashloop exits 2 s after each start: restarted at once, then CrashLoopBackOff for 10 s — not
  // Ready when the health check runs HEALTH_SECONDS=8 after the rollout.
  const r = await bluegreen(['--image', 'shop=flotilla/crashloop:2', '--timeout', '60s'], seedEnv(ns, '2', '8'));
  const seenAtIngress = await load.stop();
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  // The run lasts 10 s at least (the rollout, then HEALTH_SECONDS=8): plenty of answers, all v1.
  assert.ok(seenAtIngress.total >= 100, JSON.stringify(seenAtIngress));
  assert.deepEqual(seenAtIngress, { total: seenAtIngress.total, byVersion: { '1': seenAtIngress.total }, failures: 0, reasons: [] }, 'traffic through the ingress never saw v2');
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

test('--traffic ingressroute/shop --steps 10,50,100: observed at the proxy, each step\'s share of v2 answers is its weight; then the Service switches', { skip }, async (t) => {
  const ns = 'bg-traffic';
  await blue(ns);
  await ingressRoute(ns);
  const watch = recordWeights(ns);
  await waitFor('the IngressRoute as it was', () => watch.seen.length === 1);
  const fqdn = fqdnOf(ns);
  const agent = ingressAgent(4);
  await waitFor('the ingress routing to v1', async () => (await viaIngress(fqdn, agent)).version === '1', 30_000, 20);
  assert.equal(await proxyWeights(ns), 'shop=0');

  const bg = bluegreenInBackground(['--traffic', 'ingressroute/shop', '--steps', '10,50,100', '--step-interval', '4s', '--analysis', '/ping'], seedEnv(ns, '2'));
  let exit: number | null | undefined;
  void bg.exited.then((c) => (exit = c));
  // Batches of 100 requests (4 at a time), each between two looks at the weights the proxy serves:
  // a batch that began and ended under the same weights ran wholly under them, and as no one else
  // sends requests to this route, the batches of one step are consecutive picks of its weighted
  // split — smooth weighted round-robin, exact to within 1 over any run of picks (1 more if the
  // route were recompiled mid-step). Every answer also counts towards the phase it fell in.
  const byWeights = new Map<string, Tally>();
  const whole = emptyTally();
  const before = emptyTally(); // until the proxy served any share on v2
  const after = emptyTally(); // from the proxy serving 100% on v2: through the switch and the settling
  const phases: string[] = [];
  let phase: 'before' | 'shifting' | 'after' = 'before';
  const deadline = Date.now() + 120_000;
  while (exit === undefined) {
    assert.ok(Date.now() < deadline, `the rollout did not end in 120 s:\n${bg.output()}`);
    const w0 = await proxyWeights(ns);
    if (phases.at(-1) !== w0) phases.push(w0);
    if (phase === 'before' && /shop-preview=[1-9]/.test(w0)) phase = 'shifting';
    // Settled (the preview's share back at 0) after a shift counts as after, in case 100% was too brief to see.
    if (phase === 'shifting' && (w0 === 'shop=0 shop-preview=100' || w0 === 'shop=100 shop-preview=0')) phase = 'after';
    const answers = await ingressBatch(fqdn, agent, 100, 4);
    const w1 = await proxyWeights(ns);
    count(whole, answers);
    if (phase === 'before' && w1 === w0) count(before, answers);
    if (phase === 'after') count(after, answers);
    if (w1 === w0) count(byWeights.get(w0) ?? byWeights.set(w0, emptyTally()).get(w0)!, answers);
  }
  assert.equal(exit, 0, bg.output());
  count(after, await ingressBatch(fqdn, agent, 100, 4));
  const report = JSON.stringify({ phases, byWeights: Object.fromEntries(byWeights), before, after }, null, 1);

  assert.deepEqual(deployLines(bg.output()).filter((l) => l.startsWith('[DEPLOY TRAFFIC]')), [
    '[DEPLOY TRAFFIC] Shifting traffic to new color through ingressroute/shop',
    '[DEPLOY TRAFFIC] 10% of traffic on new color (service shop-preview), 90% on service shop',
    '[DEPLOY TRAFFIC] 50% of traffic on new color (service shop-preview), 50% on service shop',
    '[DEPLOY TRAFFIC] 100% of traffic on new color (service shop-preview), 0% on service shop',
    '[DEPLOY TRAFFIC] Routing ingress traffic through service shop only',
  ]);
  // At the proxy: the steps in order, each one's share of v2 answers its weight.
  const i10 = phases.indexOf('shop=90 shop-preview=10');
  const i50 = phases.indexOf('shop=50 shop-preview=50');
  assert.ok(i10 >= 0 && i50 > i10, report);
  for (const w of [10, 50]) {
    const step = byWeights.get(`shop=${100 - w} shop-preview=${w}`)!;
    assert.ok(step.total >= 300, `a few hundred requests at ${w}%: ${report}`);
    assert.equal(step.failures, 0, report);
    assert.equal((step.byVersion['1'] ?? 0) + (step.byVersion['2'] ?? 0), step.total, report);
    const v2 = step.byVersion['2'] ?? 0;
    assert.ok(Math.abs(v2 - (step.total * w) / 100) <= 1, `${v2} of ${step.total} answers from v2 at ${w}%: ${report}`);
  }
  const full = byWeights.get('shop=0 shop-preview=100');
  if (full) assert.deepEqual(full.byVersion, { '2': full.total }, report);
  // Before the shift only v1; from 100% on only v2 (no flapping back to v1 when the weights return
  // to the switched Service); and no request failed at any point.
  assert.ok(before.total >= 100, report);
  assert.deepEqual(before.byVersion, { '1': before.total }, report);
  assert.ok(after.total >= 100, report);
  assert.deepEqual(after.byVersion, { '2': after.total }, report);
  assert.equal(whole.failures, 0, `${whole.reasons.join('; ')}\n${report}`);
  for (const [w, tally] of byWeights) t.diagnostic(`at the proxy, ${w}: ${tally.byVersion['2'] ?? 0} of ${tally.total} answers from v2`);
  t.diagnostic(`before the shift ${before.total} answers (all v1), from 100% on ${after.total} (all v2), ${whole.total} in all, ${whole.failures} failed`);

  assert.equal(await selectorVersion(ns), '2');
  assert.equal(await selectorVersion(ns, 'shop-preview'), '2');
  assert.ok(await gone(ns, 'deployment', 'shop-1'));
  await waitFor('the weights settled', () => watch.seen.at(-1) === 'shop=100 shop-preview=0' && watch.seen.length >= 6);
  watch.stop();
  assert.deepEqual(watch.seen, ['shop=', 'shop=100 shop-preview=0', 'shop=90 shop-preview=10', 'shop=50 shop-preview=50', 'shop=0 shop-preview=100', 'shop=100 shop-preview=0']);
  assert.equal(await proxyWeights(ns), 'shop=100 shop-preview=0');
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
  // The proxy is back on the old weights: every answer through the ingress is v1.
  await waitFor('the proxy back on shop alone', async () => (await proxyWeights(ns)) === 'shop=100 shop-preview=0');
  const answers = count(emptyTally(), await ingressBatch(fqdnOf(ns), ingressAgent(2), 50, 2));
  assert.deepEqual(answers, { total: 50, byVersion: { '1': 50 }, failures: 0, reasons: [] });
});
