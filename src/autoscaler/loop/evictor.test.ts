import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { createFakeClient, kinds, type KObject } from '../../runtime/index.js';
import { createEvictor, EvictionRefusedError } from './evictor.js';

/** An API server that answers `pods/<name>/eviction` with the status its name asks for. */
let server: Server;
let kubeConfig: KubeConfig;
const posts: Array<{ path: string; body: { deleteOptions?: { gracePeriodSeconds?: number } } }> = [];

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      posts.push({ path: req.url ?? '', body: JSON.parse(body || '{}') });
      const code = Number(/\/pods\/code-(\d+)/.exec(req.url ?? '')?.[1] ?? 201);
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(code < 300 ? { apiVersion: 'policy/v1', kind: 'Eviction' } : { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason: code === 429 ? 'TooManyRequests' : 'NotFound' }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
});

after(() => new Promise<void>((r) => server.close(() => r())));

const pod = (name: string): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'team' }, spec: { containers: [] } });

test('the Eviction API: accepted, or refused by a budget (429, retried by the caller)', async () => {
  const evictor = createEvictor({ kubeConfig, client: createFakeClient() });
  assert.equal(await evictor.evict(pod('web-1'), 20), 'evicted');
  const last = posts.at(-1)!;
  assert.equal(last.path, '/api/v1/namespaces/team/pods/web-1/eviction');
  assert.equal(last.body.deleteOptions?.gracePeriodSeconds, 20);
  await assert.rejects(evictor.evict(pod('code-429'), 20), (e) => e instanceof EvictionRefusedError && e.code === 429);
});

test('no pods/eviction on the server (404 while the pod exists): delete with the grace period, said once', async () => {
  const client = createFakeClient();
  await client.create(kinds.pods, pod('code-404') as KObject);
  await client.create(kinds.pods, pod('code-404b') as KObject);
  let fallbacks = 0;
  const evictor = createEvictor({ kubeConfig, client, onFallback: () => fallbacks++ });
  assert.equal(await evictor.evict(pod('code-404'), 5), 'deleted');
  const before = posts.length;
  assert.equal(await evictor.evict(pod('code-404b'), 5), 'deleted');
  assert.equal(posts.length, before, 'no eviction tried once the server is known not to serve it');
  assert.equal(fallbacks, 1);
  assert.equal(await client.get(kinds.pods, 'team', 'code-404'), undefined);
});

test('a 404 for a pod that is gone is not a fallback', async () => {
  let fallbacks = 0;
  const evictor = createEvictor({ kubeConfig, client: createFakeClient(), onFallback: () => fallbacks++ });
  assert.equal(await evictor.evict(pod('code-404'), 5), 'gone');
  assert.equal(fallbacks, 0);
});
