import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container } from 'kubernetes-types/core/v1.js';
import { initialProbeState, nextProbeResult, parseProbe, unhealthyMessage, type ProbeState } from './probe.js';

const c: Container = { name: 'web', image: 'flotilla/echo', ports: [{ name: 'http', containerPort: 8080 }] };

test('parseProbe applies kubelet defaults and resolves named ports', () => {
  assert.deepEqual(parseProbe({ httpGet: { port: 'http', path: 'healthz' } }, c, '127.42.0.2'), {
    action: { kind: 'http', scheme: 'HTTP', host: '127.42.0.2', port: 8080, path: '/healthz', headers: [] },
    initialDelayMs: 0,
    periodMs: 10_000,
    timeoutMs: 1000,
    successThreshold: 1,
    failureThreshold: 3,
  });
  assert.deepEqual(parseProbe({ tcpSocket: { port: 9000 }, initialDelaySeconds: 2, periodSeconds: 1, timeoutSeconds: 3, successThreshold: 2, failureThreshold: 1 }, c, '127.42.0.2'), {
    action: { kind: 'tcp', host: '127.42.0.2', port: 9000 },
    initialDelayMs: 2000,
    periodMs: 1000,
    timeoutMs: 3000,
    successThreshold: 2,
    failureThreshold: 1,
  });
  assert.deepEqual((parseProbe({ exec: { command: ['cat', '/tmp/ok'] } }, c, 'x') as { action: unknown }).action, { kind: 'exec', command: ['cat', '/tmp/ok'] });
  assert.deepEqual(parseProbe({ httpGet: { port: 'metrics' } }, c, 'x'), { error: 'couldn\'t find port: metrics in "web"' });
  assert.deepEqual(parseProbe({}, c, 'x'), { error: 'missing probe handler' });
});

test('nextProbeResult flips only after the thresholds', () => {
  const spec = { successThreshold: 2, failureThreshold: 3 };
  const run = (kind: 'readiness' | 'liveness', outcomes: ('Success' | 'Failure')[]): string[] => {
    let s: ProbeState = initialProbeState(kind);
    return outcomes.map((o) => (s = nextProbeResult(s, o, spec)).result);
  };
  assert.deepEqual(run('readiness', ['Success', 'Success', 'Failure', 'Failure', 'Success', 'Failure', 'Failure', 'Failure']), [
    'Failure', 'Success', 'Success', 'Success', 'Success', 'Success', 'Success', 'Failure',
  ]);
  assert.deepEqual(run('liveness', ['Failure', 'Failure', 'Failure']), ['Success', 'Success', 'Failure']);
  assert.equal(initialProbeState('startup').result, 'Unknown');
  assert.equal(unhealthyMessage('liveness', 'HTTP probe failed with statuscode: 500'), 'Liveness probe failed: HTTP probe failed with statuscode: 500');
});
