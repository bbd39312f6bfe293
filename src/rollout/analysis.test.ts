import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { analysisChecks, httpCheck } from './analysis.js';

const pods = [
  { name: 'shop-2-a', ip: '10.0.0.1', port: 8080 },
  { name: 'shop-2-b', ip: '10.0.0.2' },
];

test('analysisChecks: per pod for paths and $(POD_IP), once for a plain URL', () => {
  assert.deepEqual(analysisChecks(['/ping', ':9090/metrics', 'http://$(POD_IP):8080/healthz?x=1', 'https://shop.example/healthz'], pods), [
    { url: 'http://10.0.0.1:8080/ping', pod: 'shop-2-a' },
    { url: 'http://10.0.0.2:80/ping', pod: 'shop-2-b' },
    { url: 'http://10.0.0.1:9090/metrics', pod: 'shop-2-a' },
    { url: 'http://10.0.0.2:9090/metrics', pod: 'shop-2-b' },
    { url: 'http://10.0.0.1:8080/healthz?x=1', pod: 'shop-2-a' },
    { url: 'http://10.0.0.2:8080/healthz?x=1', pod: 'shop-2-b' },
    { url: 'https://shop.example/healthz' },
  ]);
  assert.deepEqual(analysisChecks(['/ping'], []), []);
});

test('httpCheck: 2xx passes; other codes and refused connections fail', async () => {
  const srv = createServer((req, res) => {
    res.writeHead(req.url === '/ok' ? 200 : 503);
    res.end();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as AddressInfo;
  try {
    const ok = await httpCheck({ url: `http://127.0.0.1:${port}/ok` });
    assert.equal(ok.ok, true);
    assert.equal(ok.detail, '200 OK');
    const bad = await httpCheck({ url: `http://127.0.0.1:${port}/bad`, pod: 'p' });
    assert.deepEqual(bad, { url: `http://127.0.0.1:${port}/bad`, pod: 'p', ok: false, detail: '503 Service Unavailable' });
  } finally {
    await new Promise((r) => srv.close(r));
  }
  const refused = await httpCheck({ url: `http://127.0.0.1:${port}/ok` });
  assert.equal(refused.ok, false);
  assert.match(refused.detail, /ECONNREFUSED/);
});
