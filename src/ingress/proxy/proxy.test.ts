// The embedded proxy on free ports, in front of real local HTTP servers, driven by DAGs built
// from fixtures: routing, redirects, 503s, weights, rewrites, retries, timeouts, websockets,
// TLS by SNI, passive ejection, active health checks, and swaps under load.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, Agent, type Server, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect, createServer as createTcpServer } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import type { Endpoints, Secret } from 'kubernetes-types/core/v1.js';
import { buildDag, type IngressSnapshot } from '../dag/index.js';
import { child, delegate, ir, root, svc, to } from '../dag/testing.js';
import { tlsSecretFor } from '../tls-fixture.js';
import { startProxy, type IngressProxy } from './index.js';

interface Upstream { name: string; port: number; server: Server; hits: number; mode: 'ok' | 'fail' | 'slow' | 'unhealthy'; lastHeaders?: IncomingHttpHeaders; lastUrl?: string }

function upstream(name: string): Promise<Upstream> {
  const u: Upstream = { name, port: 0, server: undefined as never, hits: 0, mode: 'ok' };
  u.server = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(u.mode === 'unhealthy' ? 500 : 200).end();
      return;
    }
    u.hits++;
    u.lastHeaders = req.headers;
    u.lastUrl = req.url;
    if (req.method === 'POST') {
      let n = 0;
      req.on('data', (c: Buffer) => (n += c.length));
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ instance: name, received: n })));
      return;
    }
    if (u.mode === 'fail') return void res.writeHead(503).end('down');
    const body = JSON.stringify({ instance: name, url: req.url });
    if (u.mode === 'slow') return void setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(body), 300);
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  u.server.on('upgrade', (req, socket) => {
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nx-instance: ${name}\r\n\r\n`);
    socket.on('data', (d) => socket.write(`${name}:${d}`));
  });
  return new Promise((r) => u.server.listen(0, '127.0.0.1', () => r(Object.assign(u, { port: (u.server.address() as { port: number }).port }))));
}

function endpoints(ns: string, name: string, ups: Upstream[]): Endpoints {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: ns, name }, subsets: ups.map((u) => ({ addresses: [{ ip: '127.0.0.1' }], ports: [{ port: u.port }] })) };
}

const agent = new Agent({ keepAlive: true });
function get(port: number, host: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host, ...headers }, agent }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}
const instance = (r: { body: string }) => JSON.parse(r.body).instance as string;

let proxy: IngressProxy;
let a: Upstream, b: Upstream, c: Upstream, dead: Upstream;
let secret: Secret;
let certPem: string;

before(async () => {
  [a, b, c, dead] = await Promise.all([upstream('a'), upstream('b'), upstream('c'), upstream('dead')]);
  await new Promise<void>((r) => dead.server.close(() => r())); // its port now refuses connections
  ({ secret, certPem } = await tlsSecretFor('default', 'tls', ['secure.com']) as { secret: Secret; certPem: string });
  proxy = await startProxy({ httpPort: 0, httpsPort: 0, host: '127.0.0.1' });
});
after(async () => {
  await proxy.close(100);
  agent.destroy();
  for (const u of [a, b, c]) u.server.close();
});

function serve(s: IngressSnapshot): void {
  proxy.update(buildDag(s));
}

const base = (): IngressSnapshot => ({
  ingressRoutes: [
    root('default/bar-com-root', 'root.bar.com', [to('/', 'sa'), delegate('/service2', 'bar-com-service')]),
    child('default/bar-com-service', [to('/service2', 'sb'), to('/service2/blog', 'sc')]),
  ],
  services: [svc('default/sa'), svc('default/sb'), svc('default/sc'), svc('default/empty')],
  endpoints: [endpoints('default', 'sa', [a]), endpoints('default', 'sb', [b]), endpoints('default', 'sc', [c])],
});

test('routes by Host and longest prefix through a delegation; unknown host or path is 404', async () => {
  serve(base());
  assert.equal(instance(await get(proxy.httpPort, 'root.bar.com', '/')), 'a');
  assert.equal(instance(await get(proxy.httpPort, 'root.bar.com:80', '/service2')), 'b');
  assert.equal(instance(await get(proxy.httpPort, 'ROOT.bar.com', '/service2/blog/x?q=1')), 'c');
  assert.equal(c.lastUrl, '/service2/blog/x?q=1');
  assert.match(String(c.lastHeaders?.['x-request-start']), /^t=\d{10}\.\d{3}$/);
  assert.equal(c.lastHeaders?.['x-forwarded-proto'], 'http');
  assert.equal(c.lastHeaders?.host, 'ROOT.bar.com');
  const miss = await get(proxy.httpPort, 'other.com', '/');
  assert.equal(miss.status, 404);
});

test('a route whose Service has no ready endpoint answers 503 "no healthy upstream"', async () => {
  serve({ ...base(), ingressRoutes: [root('default/r', 'empty.com', [to('/', 'empty')])] });
  const r = await get(proxy.httpPort, 'empty.com', '/');
  assert.deepEqual([r.status, r.body], [503, 'no healthy upstream']);
});

test('weights: 90/10 over 1,000 requests, and blue/green 0/100', async () => {
  const split = (wa: number, wb: number) => root('default/w', 'w.com', [{ match: '/', services: [{ name: 'sa', port: 80, weight: wa }, { name: 'sb', port: 80, weight: wb }] }]);
  serve({ ...base(), ingressRoutes: [split(90, 10)] });
  const n = { a: 0, b: 0 } as Record<string, number>;
  for (let i = 0; i < 1000; i++) n[instance(await get(proxy.httpPort, 'w.com', '/'))]++;
  assert.ok(Math.abs(n.a - 900) <= 10, JSON.stringify(n));
  serve({ ...base(), ingressRoutes: [split(0, 100)] });
  for (let i = 0; i < 20; i++) assert.equal(instance(await get(proxy.httpPort, 'w.com', '/')), 'b');
});

test('prefixRewrite replaces the matched prefix without a doubled slash', async () => {
  serve({ ...base(), ingressRoutes: [root('default/rw', 'rw.com', [{ match: '/api', prefixRewrite: '/', services: [{ name: 'sa', port: 80 }] }])] });
  await get(proxy.httpPort, 'rw.com', '/api/users?x=1');
  assert.equal(a.lastUrl, '/users?x=1');
});

test('TLS enforced: 301 to https on the http listener; served over https by SNI with the Secret\'s certificate', async () => {
  serve({ ...base(), ingressRoutes: [
    root('default/s', 'secure.com', [to('/', 'sa'), { match: '/open', permitInsecure: true, services: [{ name: 'sb', port: 80 }] }], { secretName: 'tls' }),
  ], secrets: [secret] });
  const r = await get(proxy.httpPort, 'secure.com', '/x?y=1');
  assert.deepEqual([r.status, r.headers.location], [301, 'https://secure.com/x?y=1']);
  assert.equal(instance(await get(proxy.httpPort, 'secure.com', '/open')), 'b', 'permitInsecure serves over http');
  const body = await new Promise<string>((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: proxy.httpsPort, servername: 'secure.com', path: '/', headers: { host: 'secure.com' }, ca: certPem, agent: false }, (res) => {
      let s = '';
      res.on('data', (d) => (s += d));
      res.on('end', () => resolve(s));
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(JSON.parse(body).instance, 'a');
  assert.equal(a.lastHeaders?.['x-forwarded-proto'], 'https');
  // An unknown server name gets no certificate: the handshake fails.
  await assert.rejects(new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: proxy.httpsPort, servername: 'nope.com', path: '/', rejectUnauthorized: false, agent: false }, resolve);
    req.on('error', reject);
    req.end();
  }));
});

test('retries: a 5xx is retried on another endpoint when the route has a retryPolicy', async () => {
  const route = (retry: boolean) => root('default/rt', 'retry.com', [{ match: '/', ...(retry ? { retryPolicy: { count: 2 } } : {}), services: [{ name: 'sab', port: 80 }] }]);
  b.mode = 'fail';
  try {
    serve({ ...base(), ingressRoutes: [route(true)], services: [svc('default/sab')], endpoints: [endpoints('default', 'sab', [a, b])] });
    for (let i = 0; i < 6; i++) assert.equal((await get(proxy.httpPort, 'retry.com', '/')).status, 200);
    serve({ ...base(), ingressRoutes: [route(false)], services: [svc('default/sab')], endpoints: [endpoints('default', 'sab', [a, b])] });
    const codes = new Set<number>();
    for (let i = 0; i < 4; i++) codes.add((await get(proxy.httpPort, 'retry.com', '/')).status);
    assert.deepEqual([...codes].sort(), [200, 503]);
  } finally {
    b.mode = 'ok';
  }
});

test('timeoutPolicy.request: a slow upstream gets 504 "upstream request timeout"', async () => {
  a.mode = 'slow';
  try {
    serve({ ...base(), ingressRoutes: [root('default/t', 't.com', [{ match: '/', timeoutPolicy: { request: '100ms' }, services: [{ name: 'sa', port: 80 }] }])] });
    const r = await get(proxy.httpPort, 't.com', '/');
    assert.deepEqual([r.status, r.body], [504, 'upstream request timeout']);
  } finally {
    a.mode = 'ok';
  }
});

test('passive ejection: an endpoint that refuses connections is taken out after 5 failures', async () => {
  serve({ ...base(), ingressRoutes: [root('default/p', 'p.com', [to('/', 'sad')])], services: [svc('default/sad')], endpoints: [endpoints('default', 'sad', [a, dead])] });
  const codes: number[] = [];
  for (let i = 0; i < 30; i++) codes.push((await get(proxy.httpPort, 'p.com', '/')).status);
  assert.equal(codes.filter((s) => s === 503).length, 5, codes.join(','));
  assert.deepEqual(codes.slice(-10), Array(10).fill(200));
});

test('active health checks: an endpoint failing its check gets no traffic', async () => {
  c.mode = 'unhealthy';
  try {
    serve({ ...base(), ingressRoutes: [root('default/h', 'h.com', [{ match: '/', services: [{ name: 'sbc', port: 80, healthCheck: { path: '/healthz', intervalSeconds: 1 } }] }])], services: [svc('default/sbc')], endpoints: [endpoints('default', 'sbc', [b, c])] });
    // The first check decides; wait until it did (b healthy) rather than sleeping.
    const deadline = Date.now() + 5000;
    while ((await get(proxy.httpPort, 'h.com', '/')).status !== 200) assert.ok(Date.now() < deadline, 'b never became healthy');
    for (let i = 0; i < 10; i++) assert.equal(instance(await get(proxy.httpPort, 'h.com', '/')), 'b');
  } finally {
    c.mode = 'ok';
  }
});

test('websockets: upgraded on routes that enable them, 403 elsewhere', async () => {
  serve({ ...base(), ingressRoutes: [root('default/ws', 'ws.com', [{ match: '/ws', enableWebsockets: true, services: [{ name: 'sa', port: 80 }] }, to('/', 'sb')])] });
  const talk = (path: string) => new Promise<string>((resolve, reject) => {
    const s = connect(proxy.httpPort, '127.0.0.1', () => s.write(`GET ${path} HTTP/1.1\r\nHost: ws.com\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`));
    let got = '';
    s.on('data', (d) => {
      got += d;
      if (got.includes('\r\n\r\n') && got.startsWith('HTTP/1.1 101') && !got.includes('a:ping')) s.write('ping');
      if (got.includes('a:ping') || (got.includes('\r\n\r\n') && !got.startsWith('HTTP/1.1 101'))) {
        s.destroy();
        resolve(got);
      }
    });
    s.on('error', reject);
  });
  const ok = await talk('/ws/chat');
  assert.match(ok, /^HTTP\/1\.1 101/);
  assert.match(ok, /a:ping$/);
  assert.match(await talk('/other'), /^HTTP\/1\.1 403/);
});

test('config swaps do not drop requests in flight or kept-alive connections', async () => {
  a.mode = 'slow';
  try {
    serve(base());
    const hits = a.hits;
    const inFlight = get(proxy.httpPort, 'root.bar.com', '/');
    const deadline = Date.now() + 5000;
    while (a.hits === hits) {
      assert.ok(Date.now() < deadline, 'the request never reached the upstream');
      await new Promise((r) => setTimeout(r, 2));
    }
    // Swap to a table without root.bar.com at all while the request waits on the upstream.
    serve({ ...base(), ingressRoutes: [root('default/x', 'x.com', [to('/', 'sb')])] });
    const r = await inFlight;
    assert.deepEqual([r.status, instance(r)], [200, 'a']);
    assert.equal((await get(proxy.httpPort, 'root.bar.com', '/')).status, 404);
  } finally {
    a.mode = 'ok';
  }
  // Under load: 200 requests on keep-alive connections while the table flips 20 times.
  serve(base());
  let failures = 0;
  const load = Promise.all(Array.from({ length: 200 }, () => get(proxy.httpPort, 'root.bar.com', '/service2').then((r) => { if (r.status !== 200) failures++; })));
  for (let i = 0; i < 20; i++) {
    serve({ ...base(), ingressRoutes: [...base().ingressRoutes!, ir(`default/extra-${i}`, { virtualhost: { fqdn: `e${i}.com` }, routes: [to('/', 'sa')] })] });
    await new Promise((r) => setImmediate(r));
  }
  await load;
  assert.equal(failures, 0);
});

test('TLS passthrough and a terminated tcpproxy route connections by SNI', async () => {
  // Passthrough: the upstream terminates TLS with its own certificate.
  const own = await tlsSecretFor('default', 'own', ['pass.com']) as { secret: Secret; certPem: string };
  const key = Buffer.from(own.secret.data!['tls.key'], 'base64');
  const tlsUp = createTlsServer({ cert: own.certPem, key }, (s) => s.end('from tls upstream'));
  const tcpUp = createTcpServer((s) => s.once('data', (d) => s.end(`tcp upstream got ${d}`)));
  const port = async (srv: { listen: (p: number, h: string, cb: () => void) => unknown; address: () => unknown }) => {
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    return (srv.address() as { port: number }).port;
  };
  const [tlsPort, tcpPort] = [await port(tlsUp), await port(tcpUp)];
  const ep = (name: string, p: number): Endpoints => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: 'default', name }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port: p }] }] });
  try {
    serve({
      ingressRoutes: [
        ir('default/pass', { virtualhost: { fqdn: 'pass.com', tls: { passthrough: true } }, tcpproxy: { services: [{ name: 'tlsup', port: 443 }] } }),
        ir('default/term', { virtualhost: { fqdn: 'secure.com', tls: { secretName: 'tls' } }, tcpproxy: { services: [{ name: 'tcpup', port: 80 }] } }),
        root('default/plain', 'root.bar.com', [to('/', 'sa')]),
      ],
      services: [svc('default/tlsup', [443]), svc('default/tcpup'), svc('default/sa')],
      endpoints: [ep('tlsup', tlsPort), ep('tcpup', tcpPort), endpoints('default', 'sa', [a])],
      secrets: [secret],
    });
    const read = (servername: string, ca: string, send?: string) => new Promise<string>((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port: proxy.httpsPort, servername, ca }, () => { if (send) s.write(send); });
      let got = '';
      s.on('data', (d) => (got += d));
      s.on('end', () => resolve(got));
      s.on('error', reject);
    });
    assert.equal(await read('pass.com', own.certPem), 'from tls upstream');
    assert.equal(await read('secure.com', certPem, 'hello'), 'tcp upstream got hello');
    // Plain http still routes while the https listener reads SNI first.
    assert.equal(instance(await get(proxy.httpPort, 'root.bar.com', '/')), 'a');
  } finally {
    tlsUp.close();
    tcpUp.close();
  }
});

test('Cookie strategy: a new client gets X-Contour-Session-Affinity and keeps its endpoint', async () => {
  serve({ ...base(), ingressRoutes: [root('default/ck', 'ck.com', [{ match: '/', services: [{ name: 'sabc', port: 80, strategy: 'Cookie' }] }])], services: [svc('default/sabc')], endpoints: [endpoints('default', 'sabc', [a, b, c])] });
  const seen = new Set<string>();
  for (let client = 0; client < 12; client++) {
    const first = await get(proxy.httpPort, 'ck.com', '/');
    const setCookie = String(first.headers['set-cookie']);
    assert.match(setCookie, /^X-Contour-Session-Affinity="[0-9a-f]{16}"; Path=\/; HttpOnly$/);
    const cookie = setCookie.split(';')[0];
    for (let i = 0; i < 5; i++) {
      const again = await get(proxy.httpPort, 'ck.com', '/', { cookie });
      assert.equal(instance(again), instance(first));
      assert.equal(again.headers['set-cookie'], undefined);
    }
    seen.add(instance(first));
  }
  assert.ok(seen.size >= 2, 'clients are spread over the endpoints');
});

test('TLS upstreams: upstream-protocol.tls with validation checks the CA and the subject name', async () => {
  const up = await tlsSecretFor('default', 'up', ['up.internal']) as { secret: Secret; certPem: string };
  const server = (await import('node:https')).createServer({ cert: up.certPem, key: Buffer.from(up.secret.data!['tls.key'], 'base64') }, (_req, res) => res.end(JSON.stringify({ instance: 'tls-upstream' })));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const ca: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { namespace: 'default', name: 'ca' }, data: { 'ca.crt': Buffer.from(up.certPem).toString('base64') } };
  const route = (subjectName: string) => root('default/tu', 'tu.com', [{ match: '/', services: [{ name: 'tlsup', port: 443, validation: { caSecret: 'ca', subjectName } }] }]);
  const snapshot = (subjectName: string): IngressSnapshot => ({
    ingressRoutes: [route(subjectName)],
    services: [svc('default/tlsup', [443], { 'contour.heptio.com/upstream-protocol.tls': '443' })],
    endpoints: [{ apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: 'default', name: 'tlsup' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port }] }] }],
    secrets: [ca],
  });
  try {
    serve(snapshot('up.internal'));
    assert.equal(instance(await get(proxy.httpPort, 'tu.com', '/')), 'tls-upstream');
    serve(snapshot('someone-else.internal'));
    assert.equal((await get(proxy.httpPort, 'tu.com', '/')).status, 503);
  } finally {
    server.close();
  }
});

test('request bodies: streamed when the route has no retries, buffered (and sent again) when it has', async () => {
  const post = (host: string, body: Buffer | string[], headers: Record<string, string> = {}) => new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: proxy.httpPort, method: 'POST', path: '/', headers: { host, ...headers }, agent }, (res) => {
      let s = '';
      res.on('data', (c) => (s += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: s }));
    });
    req.on('error', reject);
    if (Array.isArray(body)) { for (const c of body) req.write(c); req.end(); } else req.end(body);
  });
  serve({ ...base(), ingressRoutes: [
    root('default/st', 'stream.com', [to('/', 'sa')]),
    root('default/rb', 'retry-body.com', [{ match: '/', retryPolicy: { count: 1 }, services: [{ name: 'sa', port: 80 }] }]),
  ] });
  const big = Buffer.alloc(3 << 20, 7);
  assert.equal(JSON.parse((await post('stream.com', big)).body).received, big.length);
  assert.equal(JSON.parse((await post('stream.com', ['a'.repeat(1000), 'b'.repeat(500)])).body).received, 1500, 'chunked');
  assert.equal(JSON.parse((await post('retry-body.com', ['x'.repeat(2000)])).body).received, 2000, 'chunked, buffered for retries');
  assert.equal(JSON.parse((await post('retry-body.com', big)).body).received, big.length, 'too big to buffer: streamed, not retried');
  const chunks = Array.from({ length: 40 }, () => 'z'.repeat(64 * 1024)); // 2.5 MiB, chunked: outgrows the buffer mid-stream
  assert.equal(JSON.parse((await post('retry-body.com', chunks)).body).received, 40 * 64 * 1024);
});

test('answers arrive whole: small, large (streamed) and chunked; Expect: 100-continue is answered by the proxy', async () => {
  // Bodies of a repeating pattern, so a lost, doubled or reordered chunk changes the checksum.
  const pattern = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + (i >> 10)) & 0xff));
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const body = pattern(Number(u.searchParams.get('n')));
    if (u.searchParams.has('chunked')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (let i = 0; i < body.length; i += 10_000) res.write(body.subarray(i, i + 10_000));
      res.end();
    } else res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as { port: number }).port;
    serve({
      ingressRoutes: [root('default/files', 'files.com', [to('/', 'files')])],
      services: [svc('default/files')],
      endpoints: [{ apiVersion: 'v1', kind: 'Endpoints', metadata: { namespace: 'default', name: 'files' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port }] }] }],
    });
    const fetchBytes = (path: string) => new Promise<{ status: number; body: Buffer; headers: IncomingHttpHeaders }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: proxy.httpPort, path, headers: { host: 'files.com' }, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
      });
      req.on('error', reject);
      req.end();
    });
    for (const [path, n] of [['/?n=0', 0], ['/?n=300', 300], ['/?n=65536', 65536], ['/?n=3000000', 3_000_000], ['/?n=250000&chunked', 250_000]] as const) {
      const r = await fetchBytes(path);
      assert.equal(r.status, 200, path);
      assert.equal(r.body.length, n, path);
      assert.ok(r.body.equals(pattern(n)), `${path}: the bytes as the upstream sent them`);
      if (!path.includes('chunked')) assert.equal(r.headers['content-length'], String(n), path);
    }
    // A client that waits for 100 Continue before its body.
    serve(base());
    const answer = await new Promise<{ status: number; body: string; continued: boolean }>((resolve, reject) => {
      let continued = false;
      const req = request({ host: '127.0.0.1', port: proxy.httpPort, method: 'POST', path: '/', headers: { host: 'root.bar.com', expect: '100-continue', 'content-length': 5 }, agent });
      req.on('continue', () => {
        continued = true;
        req.end('hello');
      });
      req.on('response', (res) => {
        let s = '';
        res.on('data', (c) => (s += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: s, continued }));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.equal(answer.status, 200);
    assert.equal(answer.continued, true);
    assert.deepEqual(JSON.parse(answer.body), { instance: 'a', received: 5 });
  } finally {
    server.close();
  }
});

test('access log: a line per request in Envoy’s format, with x-request-id and x-envoy-upstream-service-time as Envoy sets them', async () => {
  const lines: string[] = [];
  const logged = await startProxy({ httpPort: 0, httpsPort: 0, host: '127.0.0.1', accessLog: { format: 'envoy', write: (l) => lines.push(l) } });
  try {
    logged.update(buildDag(base()));
    const ok = await get(logged.httpPort, 'root.bar.com', '/service2?q=1', { 'user-agent': 'e2e' });
    assert.equal(ok.status, 200);
    assert.match(String(ok.headers['x-envoy-upstream-service-time']), /^\d+$/);
    assert.match(String(b.lastHeaders?.['x-request-id']), /^[0-9a-f-]{36}$/, 'a request id for the upstream');
    const generated = String(b.lastHeaders?.['x-request-id']);
    await get(logged.httpPort, 'root.bar.com', '/service2', { 'x-request-id': 'from-the-client' });
    assert.equal(b.lastHeaders?.['x-request-id'], 'from-the-client', 'a client’s own id is kept');
    assert.equal((await get(logged.httpPort, 'nope.com', '/')).status, 404);
    logged.update(buildDag({ ...base(), endpoints: [] }));
    assert.equal((await get(logged.httpPort, 'root.bar.com', '/')).status, 503);
    await waitFor(() => lines.length === 4);
    const line = (i: number) => lines[i].replace(/^\[[^\]]+\] /, '[T] ').replace(/ (\d+) (\d+|-) "/, ' <ms> <svc> "');
    assert.match(lines[0], /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] /);
    assert.equal(line(0), `[T] "GET /service2?q=1 HTTP/1.1" 200 - 0 ${ok.body.length} <ms> <svc> "127.0.0.1" "e2e" "${generated}" "root.bar.com" "127.0.0.1:${b.port}"\n`);
    assert.match(lines[1], / "from-the-client" "root.bar.com" /);
    assert.equal(line(2), '[T] "GET / HTTP/1.1" 404 NR 0 0 <ms> <svc> "-" "-" "-" "nope.com" "-"\n');
    assert.match(line(3), /^\[T\] "GET \/ HTTP\/1\.1" 503 UH 0 19 <ms> <svc> "127\.0\.0\.1" "-" "[0-9a-f-]{36}" "root\.bar\.com" "-"\n$/, '19 bytes: "no healthy upstream"');
  } finally {
    await logged.close(100);
  }
});

async function waitFor(ok: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
