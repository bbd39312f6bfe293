/**
 * The ingress controller end to end on a real `flotilla up` (controllers, scheduler, process
 * nodes): the controller and its proxy run in this process on free ports against the cluster's
 * kubeconfig; flotilla/echo pods answer `/` with their pod name and log every request line, so
 * each request through the proxy says (or leaves word of) which pod served it. The two seed scenarios are applied verbatim from
 * examples/ingress/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { silentLogger } from '../../src/runtime/index.js';
import { startIngressController, type RunningIngressController } from '../../src/ingress/index.js';
import { tlsSecretFor } from '../../src/ingress/tls-fixture.js';
import { FLOTILLA_BIN, sharedCluster, waitFor } from '../support/cluster.js';

const example = (name: string) => readFileSync(fileURLToPath(new URL(`../../../examples/ingress/${name}`, import.meta.url)), 'utf8');

let ctl: RunningIngressController;
const stop = new AbortController();
// The controller under test runs in this process (its DAG and status are inspected directly), so
// flotilla up's own is left out; local-cluster.test.ts checks up's.
const e2e = await sharedCluster({
  controlPlane: true,
  dirPrefix: 'flotilla-ingress-',
  extraArgs: ['--no-ingress'],
  async setup(cluster) {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(cluster.kubeconfig);
    ctl = await startIngressController({
      kubeConfig, logger: silentLogger(), signal: stop.signal, httpPort: 0, httpsPort: 0, host: '127.0.0.1', metricsPort: 0,
      rootNamespaces: ['default', 'roots'],
    });
    await ctl.ready;
    e2e.onCleanup(async () => {
      stop.abort();
      await ctl.stopped;
    });
  },
});
const { skip, ok } = e2e;

const agent = new Agent({ keepAlive: true, maxSockets: 16 });
interface Reply { status: number; body: string; headers: Record<string, string | string[] | undefined> }
function viaProxy(host: string, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: ctl.httpPort, path, headers: { host }, agent, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${host}${path}`)));
    req.on('error', reject);
    req.end();
  });
}
const echo = (r: Reply): { instance: string; version: string } => JSON.parse(r.body);

/** Which pod answered `host` + `path` through the proxy: flotilla/echo names itself on every path. */
async function whoAnswers(host: string, path: string): Promise<string | undefined> {
  const r = await viaProxy(host, path);
  return r.status === 200 ? echo(r).instance : undefined;
}

/** Waits until `host/path` reaches a pod of Deployment `app` in `ns`; returns the pod's name. */
async function servedBy(host: string, path: string, app: string, ns = 'default', timeoutMs = 90_000): Promise<string> {
  return waitFor(`${host}${path} served by ${ns}/${app}`, async () => {
    const pod = await whoAnswers(host, path);
    return pod?.startsWith(`${app}-`) && pod;
  }, timeoutMs, 200);
}

function irStatus(ns: string, name: string): Promise<string> {
  return ok(['get', 'ir', '-n', ns, name, '-o', 'jsonpath={.status.currentStatus}: {.status.description}']);
}
async function waitStatus(ns: string, name: string, want: string): Promise<void> {
  await waitFor(`${ns}/${name} status "${want}"`, async () => (await irStatus(ns, name)) === want, 30_000);
}

function ingressCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [FLOTILLA_BIN, 'ingress', ...args, '--kubeconfig', e2e.cluster().kubeconfig], { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

test('the CRDs are installed through the API: kubectl knows ir and Contour\'s columns', { skip }, async () => {
  const res = await ok(['api-resources', '--api-group=contour.heptio.com']);
  assert.match(res, /ingressroutes\s+ir\s+contour\.heptio\.com\/v1beta1\s+true\s+IngressRoute/);
  assert.match(res, /tlscertificatedelegations\s+contour\.heptio\.com\/v1beta1\s+true\s+TLSCertificateDelegation/);
});

test('seed 1: root.bar.com delegates /service2 to bar-com-service (s1, s2, /service2/blog)', { skip }, async () => {
  await ok(['apply', '-f', '-'], example('bar-com.yaml'));
  await waitStatus('default', 'bar-com-root', 'valid: valid IngressRoute');
  await waitStatus('default', 'bar-com-service', 'valid: valid IngressRoute');
  const table = await ok(['get', 'ir', 'bar-com-root', 'bar-com-service']);
  const [header, rootRow, childRow] = table.trim().split('\n');
  assert.match(header, /^NAME\s+FQDN\s+TLS SECRET\s+FIRST ROUTE\s+STATUS\s+STATUS DESCRIPTION$/);
  assert.match(rootRow, /^bar-com-root\s+root\.bar\.com\s+\/\s+valid\s+valid IngressRoute$/);
  assert.match(childRow, /^bar-com-service\s+\/service2\s+valid\s+valid IngressRoute$/);

  await servedBy('root.bar.com', '/', 's1');
  await servedBy('root.bar.com', '/service2', 's2');
  await servedBy('root.bar.com', '/service2/blog/post-1', 'blog');
  assert.equal(await whoAnswers('root.bar.com', '/anything').then((p) => p?.startsWith('s1-')), true);
  // Both s1 pods take turns (round robin over the Service's ready endpoints).
  const s1 = new Set<string>();
  for (let i = 0; i < 10; i++) s1.add(echo(await viaProxy('root.bar.com', '/')).instance);
  assert.equal(s1.size, 2, [...s1].join(' '));
  assert.equal(echo(await viaProxy('root.bar.com', '/')).version, '1.0');
  assert.equal((await viaProxy('other.bar.com', '/')).status, 404);

  const explained = await ingressCli(['explain', 'http://root.bar.com/service2/blog/post-1']);
  assert.equal(explained.code, 0, explained.stderr);
  assert.match(explained.stdout, /root: IngressRoute default\/bar-com-root\n/);
  assert.match(explained.stdout, /served by: IngressRoute default\/bar-com-service\n/);
  assert.match(explained.stdout, /delegation: default\/bar-com-root -> default\/bar-com-service\n/);
  assert.match(explained.stdout, /endpoints: 127\.\d+\.\d+\.\d+:8080\n/);
});

test('seed 2: roots delegates /blog on www.example.com to marketing; engineering stays orphaned and the blog keeps serving', { skip }, async () => {
  await ok(['apply', '-f', '-'], example('teams.yaml'));
  await waitStatus('roots', 'www-example-com', 'valid: valid IngressRoute');
  await waitStatus('marketing', 'blog', 'valid: valid IngressRoute');
  await waitStatus('engineering', 'blog', 'orphaned: this IngressRoute is not part of a delegation chain from a root IngressRoute');
  await servedBy('www.example.com', '/', 'www', 'roots');
  await servedBy('www.example.com', '/blog', 'blog', 'marketing');
  await servedBy('www.example.com', '/blog/hello', 'blog', 'marketing');

  const wide = await ok(['get', 'ir', '--all-namespaces']);
  assert.match(wide, /\nengineering\s+blog\s+\/blog\s+orphaned\s+this IngressRoute is not part of a delegation chain from a root IngressRoute\n/);

  // Engineering tries to take the host with a root of its own: refused, and marketing keeps /blog.
  await ok(['apply', '-f', '-'], [
    'apiVersion: contour.heptio.com/v1beta1', 'kind: IngressRoute', 'metadata: {name: www, namespace: engineering}',
    'spec:', '  virtualhost: {fqdn: www.example.com}', '  routes:', '  - match: /', '    services: [{name: eng-blog, port: 80}]',
  ].join('\n'));
  await waitStatus('engineering', 'www', 'invalid: root IngressRoute cannot be defined in this namespace');
  await waitStatus('roots', 'www-example-com', 'valid: valid IngressRoute');
  for (let i = 0; i < 3; i++) assert.match(String(await whoAnswers('www.example.com', '/blog')), /^blog-/);
  assert.match(echo(await viaProxy('www.example.com', '/')).instance, /^www-/);

  const explained = await ingressCli(['explain', 'http://www.example.com/blog/hello', '--ingressroute-root-namespaces', 'default,roots']);
  assert.equal(explained.code, 0, explained.stderr);
  assert.match(explained.stdout, /served by: IngressRoute marketing\/blog\n/);
  assert.match(explained.stdout, /IngressRoute engineering\/blog \(orphaned\): this IngressRoute is not part of a delegation chain from a root IngressRoute\n/);
  assert.match(explained.stdout, /IngressRoute engineering\/www \(invalid\): root IngressRoute cannot be defined in this namespace\n/);
});

test('canary by weights (90/10 over 1,000 requests), then blue/green by switching the weights', { skip }, async () => {
  await ok(['apply', '-f', '-'], example('canary.yaml'));
  await waitStatus('default', 'app', 'valid: valid IngressRoute');
  await servedBy('app.example.com', '/', 'app-v1');
  await servedBy('app.example.com', '/', 'app-v2');
  const n: Record<string, number> = {};
  for (let i = 0; i < 1000; i++) {
    const v = echo(await viaProxy('app.example.com', '/')).version;
    n[v] = (n[v] ?? 0) + 1;
  }
  assert.ok(Math.abs((n['1.0'] ?? 0) - 900) <= 30 && Math.abs((n['2.0'] ?? 0) - 100) <= 30, JSON.stringify(n));

  await ok(['patch', 'ir', 'app', '--type=json', '-p', JSON.stringify([
    { op: 'replace', path: '/spec/routes/0/services/0/weight', value: 0 },
    { op: 'replace', path: '/spec/routes/0/services/1/weight', value: 100 },
  ])]);
  await waitFor('all traffic on v2', async () => {
    for (let i = 0; i < 20; i++) if (echo(await viaProxy('app.example.com', '/')).version !== '2.0') return false;
    return true;
  }, 30_000);
  for (let i = 0; i < 100; i++) assert.equal(echo(await viaProxy('app.example.com', '/')).version, '2.0');
});

test('TLS with a kubernetes.io/tls Secret: 301 on http, served on https by SNI', { skip }, async () => {
  const { secret, certPem } = await tlsSecretFor('default', 'secure-example-com', ['secure.example.com']);
  await ok(['apply', '-f', '-'], JSON.stringify(secret));
  await ok(['apply', '-f', '-'], example('tls.yaml'));
  await waitStatus('default', 'secure', 'valid: valid IngressRoute');
  assert.match(await ok(['get', 'ir', 'secure']), /\nsecure\s+secure\.example\.com\s+secure-example-com\s+\/\s+valid\s+valid IngressRoute\n/);
  const redirect = await waitFor('a 301 to https', async () => {
    const r = await viaProxy('secure.example.com', '/x');
    return r.status === 301 && r.headers.location;
  }, 30_000);
  assert.equal(redirect, 'https://secure.example.com/x');
  assert.match(String(await whoAnswers('secure.example.com', '/.well-known/acme')), /^s1-/, 'permitInsecure stays on http');
  const body = await waitFor('https served', () => new Promise<string | false>((resolve) => {
    const req = httpsRequest({ host: '127.0.0.1', port: ctl.httpsPort, servername: 'secure.example.com', path: '/', headers: { host: 'secure.example.com' }, ca: certPem, agent: false, timeout: 5000 }, (res) => {
      let s = '';
      res.on('data', (d) => (s += d));
      res.on('end', () => resolve(res.statusCode === 200 && s));
    });
    req.on('error', () => resolve(false));
    req.end();
  }), 30_000);
  assert.match(JSON.parse(body).instance, /^s1-/);
});

test('networking.k8s.io/v1 Ingress: routed by host and path; another class is ignored', { skip }, async () => {
  await ok(['apply', '-f', '-'], [
    'apiVersion: networking.k8s.io/v1', 'kind: Ingress', 'metadata: {name: plain, namespace: default}',
    'spec:', '  rules:', '  - host: ingress.example.com', '    http:', '      paths:',
    '      - {path: /, pathType: Prefix, backend: {service: {name: s1, port: {number: 80}}}}',
    '      - {path: /service2, pathType: Prefix, backend: {service: {name: s2, port: {number: 80}}}}',
    '---',
    'apiVersion: networking.k8s.io/v1', 'kind: Ingress', 'metadata: {name: other-class, namespace: default, annotations: {kubernetes.io/ingress.class: nginx}}',
    'spec:', '  rules:', '  - host: nginx.example.com', '    http:', '      paths:',
    '      - {path: /, pathType: Prefix, backend: {service: {name: s1, port: {number: 80}}}}',
  ].join('\n'));
  await servedBy('ingress.example.com', '/', 's1');
  await servedBy('ingress.example.com', '/service2', 's2');
  assert.equal((await viaProxy('nginx.example.com', '/')).status, 404);
  await ok(['delete', 'ingress', 'plain', 'other-class']);
  await waitFor('the Ingress host gone', async () => (await viaProxy('ingress.example.com', '/')).status === 404, 30_000);
});

test('the seed articles\' extensions/v1beta1 Ingress applies verbatim, reads back in v1, and is routed', { skip }, async () => {
  const manifest = [
    'apiVersion: extensions/v1beta1', 'kind: Ingress', 'metadata:', '  name: seed-era', '  namespace: default', '  annotations:', '    kubernetes.io/ingress.class: contour',
    'spec:', '  rules:', '  - host: old.example.com', '    http:', '      paths:', '      - path: /', '        backend:', '          serviceName: s2', '          servicePort: 80',
  ].join('\n');
  assert.equal(await ok(['apply', '-f', '-'], manifest), 'ingress.extensions/seed-era created\n');
  assert.equal(await ok(['get', 'ingress', 'seed-era', '-o', 'jsonpath={.apiVersion} {.spec.rules[0].http.paths[0].backend.service.name}:{.spec.rules[0].http.paths[0].backend.service.port.number} {.spec.rules[0].http.paths[0].pathType}']), 'networking.k8s.io/v1 s2:80 ImplementationSpecific');
  assert.equal(await ok(['get', 'ingresses.v1beta1.extensions', 'seed-era', '-o', 'jsonpath={.apiVersion} {.spec.rules[0].http.paths[0].backend.serviceName}']), 'extensions/v1beta1 s2');
  await servedBy('old.example.com', '/', 's2');
  await ok(['delete', 'ingress', 'seed-era']);
});

test('a delegation loop is reported on the object that closes it', { skip }, async () => {
  await ok(['apply', '-f', '-'], example('loop.yaml'));
  await waitStatus('default', 'loop-b', 'invalid: route creates a delegation cycle: default/loop-root -> default/loop-a -> default/loop-b -> default/loop-a');
  await waitStatus('default', 'loop-a', 'valid: valid IngressRoute');
  await waitStatus('default', 'loop-root', 'valid: valid IngressRoute');
  assert.match(await ok(['get', 'ir', 'loop-b']), /\nloop-b\s+\/loop\s+invalid\s+route creates a delegation cycle: default\/loop-root -> default\/loop-a -> default\/loop-b -> default\/loop-a\n/);
  const described = await waitFor('a Warning event on loop-b', async () => {
    const out = await ok(['describe', 'ir', 'loop-b']);
    return /Warning\s+Invalid\s+.*route creates a delegation cycle/.test(out) && out;
  }, 30_000);
  assert.match(described, /contour/);
  assert.equal((await viaProxy('loop.example.com', '/loop')).status, 404, 'nothing behind the loop is routed');
});

test('endpoints follow the pods: scaling s2 to zero gives 503, scaling back serves again', { skip }, async () => {
  await servedBy('root.bar.com', '/service2', 's2');
  await ok(['scale', 'deployment', 's2', '--replicas=0']);
  await waitFor('503 no healthy upstream', async () => {
    const r = await viaProxy('root.bar.com', '/service2');
    return r.status === 503 && r.body === 'no healthy upstream';
  }, 60_000);
  await ok(['scale', 'deployment', 's2', '--replicas=1']);
  await servedBy('root.bar.com', '/service2', 's2');
});

test('flotilla ingress dag prints the DAG; --dot and /debug/dag give Contour\'s graphviz', { skip }, async () => {
  const text = await ingressCli(['dag', '--ingressroute-root-namespaces', 'default,roots']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^ingress_http \(:80\)\n/);
  assert.match(text.stdout, /\n {2}http:\/\/root\.bar\.com\n/);
  assert.match(text.stdout, /\n {4}prefix \/service2\/blog {2}\(IngressRoute default\/bar-com-root > default\/bar-com-service\)\n/);
  assert.match(text.stdout, /\n {2}engineering\/blog\s+orphaned\s+this IngressRoute is not part of a delegation chain from a root IngressRoute\n/);
  const dot = await ingressCli(['dag', '--dot']);
  assert.match(dot.stdout, /^digraph DAG \{\nrankdir="LR"\n/);
  assert.match(dot.stdout, /label="\{http:\/\/root\.bar\.com\}"/);
  const served = await new Promise<string>((resolve, reject) => {
    request({ host: '127.0.0.1', port: ctl.metricsPort, path: '/debug/dag', agent: false }, (res) => {
      let s = '';
      res.on('data', (d) => (s += d));
      res.on('end', () => resolve(s));
    }).on('error', reject).end();
  });
  assert.match(served, /^digraph DAG \{\n/);
  assert.match(served, /\{prefix\|\/service2\/blog\}/);
  const metrics = await new Promise<string>((resolve, reject) => {
    request({ host: '127.0.0.1', port: ctl.metricsPort, path: '/metrics', agent: false }, (res) => {
      let s = '';
      res.on('data', (d) => (s += d));
      res.on('end', () => resolve(s));
    }).on('error', reject).end();
  });
  assert.match(metrics, /\ncontour_ingressroute_orphaned_total \d+\n/);
  assert.match(metrics, /\nflotilla_ingress_requests_total\{listener="ingress_http",code="2xx"\} \d+\n/);
});

test('with leader election, every replica serves traffic and one holds the Lease for status', { skip }, async () => {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(e2e.cluster().kubeconfig);
  const ac = new AbortController();
  const replicas = await Promise.all([0, 1].map(() => startIngressController({
    kubeConfig, logger: silentLogger(), signal: ac.signal, httpPort: 0, httpsPort: 0, host: '127.0.0.1',
    rootNamespaces: ['default', 'roots'], leaderElection: { name: 'contour-e2e', namespace: 'kube-system' },
  })));
  try {
    await Promise.all(replicas.map((r) => r.ready));
    for (const r of replicas) {
      const reply = await new Promise<Reply>((resolve, reject) => {
        request({ host: '127.0.0.1', port: r.httpPort, path: '/', headers: { host: 'root.bar.com' }, agent: false }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
        }).on('error', reject).end();
      });
      assert.match(echo(reply).instance, /^s1-/);
    }
    const holder = await waitFor('a Lease holder', async () => (await ok(['get', 'lease', '-n', 'kube-system', 'contour-e2e', '-o', 'jsonpath={.spec.holderIdentity}'])) || undefined, 30_000);
    assert.match(holder, /\S/);
  } finally {
    ac.abort();
    await Promise.all(replicas.map((r) => r.stopped));
  }
});
