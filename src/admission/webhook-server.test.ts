import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { pino } from 'pino';
import { createCa, denied, issueServingCert, labelInjector, WebhookServer } from './index.js';

let server: WebhookServer;
let port: number;
let caPem: string;

before(async () => {
  const ca = await createCa('t');
  caPem = ca.certPem;
  const serving = await issueServingCert(ca, ['localhost', '127.0.0.1']);
  server = new WebhookServer({
    ...serving,
    logger: pino({ level: 'silent' }),
    routes: [
      labelInjector(),
      { name: 'deny-all', path: '/deny', handler: () => denied('never') },
      {
        name: 'broken',
        path: '/broken',
        handler: () => {
          throw new Error('handler bug');
        },
      },
    ],
  });
  port = await server.listen(0, '127.0.0.1');
});
after(() => server.close());

function post(path: string, body: string, contentType = 'application/json', method = 'POST'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, ca: caPem, headers: { 'Content-Type': contentType } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const review = (apiVersion: string, object: unknown) =>
  JSON.stringify({ apiVersion, kind: 'AdmissionReview', request: { uid: 'abc', kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' }, operation: 'CREATE', object } });

test('a v1beta1 review is answered in v1beta1 with the seed’s patch', async () => {
  const res = await post('/mutating-pods', review('admission.k8s.io/v1beta1', { metadata: { labels: { test: 'label' } } }));
  assert.equal(res.status, 200);
  const body = JSON.parse(res.body);
  assert.equal(body.apiVersion, 'admission.k8s.io/v1beta1');
  assert.equal(body.response.uid, 'abc');
  assert.equal(Buffer.from(body.response.patch, 'base64').toString(), '[{"op":"add","path":"/metadata/labels/thisisanewlabel","value":"hello"}]');
});

test('a v1 denial', async () => {
  const body = JSON.parse((await post('/deny', review('admission.k8s.io/v1', {}))).body);
  assert.deepEqual(body, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'abc', allowed: false, status: { status: 'Failure', code: 403, message: 'never', reason: 'Forbidden' } } });
});

test('a handler that throws is an errored() answer, not a crash', async () => {
  const body = JSON.parse((await post('/broken', review('admission.k8s.io/v1', {}))).body);
  assert.deepEqual(body.response, { uid: 'abc', allowed: false, status: { status: 'Failure', code: 500, message: 'handler bug' } });
});

test('as the seed: a Content-Type other than application/json gets an empty 200', async () => {
  const res = await post('/mutating-pods', review('admission.k8s.io/v1', {}), 'text/plain');
  assert.deepEqual(res, { status: 200, body: '' });
});

test('a body that does not decode is refused in the response, not by crashing', async () => {
  const body = JSON.parse((await post('/mutating-pods', '{not json')).body);
  assert.equal(body.response.allowed, false);
  assert.match(body.response.status.message, /^couldn't decode AdmissionReview: /);
});

test('/healthz, /metrics and unknown paths', async () => {
  assert.deepEqual(await post('/healthz', '', 'text/plain', 'GET'), { status: 200, body: 'ok' });
  const metrics = await post('/metrics', '', 'text/plain', 'GET');
  assert.match(metrics.body, /controller_runtime_webhook_requests_total\{webhook="label-injector",code="200"\} \d+/);
  assert.match(metrics.body, /controller_runtime_webhook_latency_seconds_bucket/);
  assert.equal((await post('/nowhere', '{}')).status, 404);
});
