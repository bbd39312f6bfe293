import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accessLogLine, type AccessLogEntry } from './access-log.js';

const served: AccessLogEntry = {
  startMs: Date.UTC(2016, 3, 15, 20, 17, 0, 310),
  method: 'POST',
  path: '/api/v1/locations?x=1',
  protocol: 'HTTP/1.1',
  status: 204,
  flags: [],
  bytesReceived: 154,
  bytesSent: 0,
  durationMs: 226,
  upstreamServiceTimeMs: 100,
  forwardedFor: '10.0.35.28',
  userAgent: 'nsq2http',
  requestId: 'cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2',
  authority: 'locations',
  upstreamHost: '10.0.2.1:80',
  upstreamCluster: 'default/locations/80',
  downstreamRemoteAddress: '10.0.35.28',
};

test('Envoy’s default format: every field in its place, - for what is not set', () => {
  assert.equal(
    accessLogLine(served, 'envoy'),
    '[2016-04-15T20:17:00.310Z] "POST /api/v1/locations?x=1 HTTP/1.1" 204 - 154 0 226 100 "10.0.35.28" "nsq2http" "cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2" "locations" "10.0.2.1:80"\n',
  );
  const noRoute: AccessLogEntry = { startMs: served.startMs, method: 'GET', path: '/', protocol: 'HTTP/1.1', status: 404, flags: ['NR'], bytesReceived: 0, bytesSent: 0, durationMs: 0, authority: 'nope.com' };
  assert.equal(accessLogLine(noRoute, 'envoy'), '[2016-04-15T20:17:00.310Z] "GET / HTTP/1.1" 404 NR 0 0 0 - "-" "-" "-" "nope.com" "-"\n');
});

test('flags print in Envoy’s order, comma-separated', () => {
  assert.match(accessLogLine({ ...served, status: 503, flags: ['URX', 'UF'] }, 'envoy'), /" 503 UF,URX 154 /);
  assert.match(accessLogLine({ ...served, status: 0, flags: ['DC'] }, 'envoy'), /" 0 DC 154 /);
});

test('Contour’s JSON format: its field names, unset fields left out', () => {
  assert.deepEqual(JSON.parse(accessLogLine(served, 'json')), {
    '@timestamp': '2016-04-15T20:17:00.310Z',
    authority: 'locations',
    bytes_received: 154,
    bytes_sent: 0,
    downstream_remote_address: '10.0.35.28',
    duration: 226,
    method: 'POST',
    path: '/api/v1/locations?x=1',
    protocol: 'HTTP/1.1',
    request_id: 'cc21d9b0-cf5c-432b-8c7e-98aeb7988cd2',
    response_code: 204,
    response_flags: '-',
    upstream_cluster: 'default/locations/80',
    upstream_host: '10.0.2.1:80',
    upstream_service_time: 100,
    user_agent: 'nsq2http',
    x_forwarded_for: '10.0.35.28',
  });
  assert.ok(accessLogLine(served, 'json').endsWith('}\n'), 'one line each');
});
