import { test } from 'node:test';
import assert from 'node:assert/strict';
import { affinityCookie, downstreamResponseHeaders, requestStart, upstreamRequestHeaders } from './headers.js';

test('x-request-start is t=<seconds>.<millis>, appended', () => {
  assert.equal(requestStart(1_700_000_000_123), 't=1700000000.123');
  assert.equal(requestStart(1_700_000_000_004), 't=1700000000.004');
  const h = upstreamRequestHeaders({ 'x-request-start': 't=1.000' }, { proto: 'http', startMs: 2_000 });
  assert.deepEqual(h['x-request-start'], ['t=1.000', 't=2.000']);
});

test('hop-by-hop headers stay on their hop; forwarding headers are added', () => {
  const h = upstreamRequestHeaders(
    { host: 'a.com', connection: 'keep-alive, x-secret', 'keep-alive': 'timeout=5', 'x-secret': '1', te: 'trailers', 'x-forwarded-for': '1.2.3.4', accept: '*/*' },
    { proto: 'https', startMs: 0, remoteAddress: '127.0.0.1' },
  );
  assert.deepEqual(Object.keys(h).sort(), ['accept', 'host', 'x-forwarded-for', 'x-forwarded-proto', 'x-request-start']);
  assert.equal(h['x-forwarded-for'], '1.2.3.4, 127.0.0.1');
  assert.equal(h['x-forwarded-proto'], 'https');
  const ws = upstreamRequestHeaders({ connection: 'Upgrade', upgrade: 'websocket' }, { proto: 'http', startMs: 0, keepUpgrade: true });
  assert.equal(ws.upgrade, 'websocket');
  assert.deepEqual(downstreamResponseHeaders({ 'content-type': 'a', connection: 'close', 'transfer-encoding': 'chunked' }), { 'content-type': 'a' });
});

test('the session-affinity cookie is read from the Cookie header', () => {
  assert.equal(affinityCookie({ cookie: 'a=1; X-Contour-Session-Affinity="abc"; b=2' }), 'abc');
  assert.equal(affinityCookie({ cookie: 'X-Contour-Session-Affinity=def' }), 'def');
  assert.equal(affinityCookie({ cookie: 'a=1' }), undefined);
  assert.equal(affinityCookie({}), undefined);
});
