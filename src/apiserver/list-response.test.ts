/**
 * JSON list responses over real HTTPS: a list large enough to go out in several chunks (each
 * written after the previous one drained) is byte for byte the items a get returns, in key order;
 * paging, selectors and a client that hangs up mid-list leave the server answering.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { SqliteBackend } from '../storage/index.js';
import { ApiServer, defaultServingNames, ensureAdminToken, ensureServingMaterial } from './index.js';

let dir: string;
let server: ApiServer;
let backend: SqliteBackend;
let port: number;
let token: string;
let ca: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'flotilla-list-'));
  backend = SqliteBackend.open(join(dir, 'state.db'));
  const tls = await ensureServingMaterial(dir, defaultServingNames(['127.0.0.1']));
  ca = tls.caCertPem;
  token = ensureAdminToken(dir);
  server = new ApiServer({ backend, tls, adminToken: token, host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }) });
  port = await server.start();
});

after(async () => {
  await server?.close();
  await backend?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  body: Buffer;
}

function call(method: string, path: string, body?: unknown, onResponse?: (res: import('node:http').IncomingMessage) => void): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method,
        ca,
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(data ? { 'Content-Type': 'application/json' } : {}) },
      },
      (res) => {
        onResponse?.(res);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const COUNT = 300;
const name = (i: number) => `cm-${String(i).padStart(4, '0')}`;

test('a list of several chunks is exactly the objects a get returns, in order', async () => {
  assert.equal((await call('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'big' } })).status, 201);
  // About 3 KB each and 0.9 MB in all: several of the handler's chunks. Created out of key order,
  // and a multi-byte character that must not shift the spliced resourceVersion.
  for (let k = 0; k < COUNT; k++) {
    const i = (k * 7) % COUNT;
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: name(i), labels: { parity: i % 2 ? 'odd' : 'even' } }, data: { text: `é${'x'.repeat(3000)}${i}` } };
    assert.equal((await call('POST', '/api/v1/namespaces/big/configmaps', cm)).status, 201);
  }
  // An update, so items carry different resourceVersions than their creation's.
  const patched = await new Promise<Reply>((resolve, reject) => {
    const data = Buffer.from(JSON.stringify({ data: { extra: 'y' } }));
    const req = request(
      { host: '127.0.0.1', port, path: `/api/v1/namespaces/big/configmaps/${name(5)}`, method: 'PATCH', ca, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/merge-patch+json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
  assert.equal(patched.status, 200);

  const list = await call('GET', '/api/v1/namespaces/big/configmaps');
  assert.equal(list.status, 200);
  // Later lists reuse the chunk buffers of earlier ones, also when several are in flight.
  const again = await Promise.all([1, 2, 3].map(() => call('GET', '/api/v1/namespaces/big/configmaps')));
  for (const r of again) assert.ok(r.body.equals(list.body), 'a later list is byte for byte the same');
  assert.ok(list.body.length > 3 * 256 * 1024, `the list is ${list.body.length} bytes, meant to span several chunks`);
  const parsed = JSON.parse(list.body.toString('utf8')) as { kind: string; metadata: { resourceVersion: string }; items: Array<{ metadata: { name: string; resourceVersion: string } }> };
  assert.equal(parsed.kind, 'ConfigMapList');
  assert.deepEqual(parsed.items.map((i) => i.metadata.name), Array.from({ length: COUNT }, (_, i) => name(i)));
  for (const i of [0, 5, 137, COUNT - 1]) {
    const got = await call('GET', `/api/v1/namespaces/big/configmaps/${name(i)}`);
    assert.deepEqual(parsed.items[i], JSON.parse(got.body.toString('utf8')));
  }
  assert.equal(parsed.items[5]!.metadata.resourceVersion, (JSON.parse(patched.body.toString('utf8')) as { metadata: { resourceVersion: string } }).metadata.resourceVersion);
  assert.ok(parsed.items.every((i) => Number(i.metadata.resourceVersion) <= Number(parsed.metadata.resourceVersion)));

  // Pages of 7 at the list's revision walk the same items; a selector keeps its half.
  const paged: unknown[] = [];
  let cont = '';
  do {
    const page = JSON.parse((await call('GET', `/api/v1/namespaces/big/configmaps?limit=7${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`)).body.toString('utf8')) as {
      metadata: { continue?: string; resourceVersion: string };
      items: unknown[];
    };
    assert.equal(page.metadata.resourceVersion, parsed.metadata.resourceVersion);
    paged.push(...page.items);
    cont = page.metadata.continue ?? '';
  } while (cont);
  assert.deepEqual(paged, parsed.items);
  const odd = JSON.parse((await call('GET', '/api/v1/namespaces/big/configmaps?labelSelector=parity%3Dodd')).body.toString('utf8')) as { items: unknown[] };
  assert.deepEqual(odd.items, parsed.items.filter((_, i) => i % 2 === 1));
});

test('a client that hangs up in the middle of a list leaves the server serving', async () => {
  await assert.rejects(
    call('GET', '/api/v1/namespaces/big/configmaps', undefined, (res) => {
      res.once('data', () => res.destroy(new Error('client went away')));
    }),
    /client went away/,
  );
  const again = await call('GET', '/api/v1/namespaces/big/configmaps?limit=1');
  assert.equal(again.status, 200);
  assert.equal((JSON.parse(again.body.toString('utf8')) as { items: unknown[] }).items.length, 1);
});
