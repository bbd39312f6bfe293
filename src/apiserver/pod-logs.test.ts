import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import { containerForLogs, kubeletErrorToStatus, kubeletLogLocation, parsePodLogOptions, proxyPodLogs, SIMULATED_NODE_ANNOTATION } from './pod-logs.js';

const pod = (containers: string[], init: string[] = []): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'team-a' },
  spec: { containers: containers.map((name) => ({ name })), initContainers: init.map((name) => ({ name })), nodeName: 'n1' },
});

const node = (extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n1', ...extra },
  status: { addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '127.240.0.4' }], daemonEndpoints: { kubeletEndpoint: { Port: 41234 } } },
});

function statusOf(fn: () => unknown): { code: number; reason: string; message: string } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, `expected a StatusError, got ${e}`);
    return { code: e.code, reason: e.reason, message: e.message };
  }
  assert.fail('expected an error');
}

test('the only container is chosen when none is named', () => {
  assert.equal(containerForLogs(pod(['web']), null), 'web');
  assert.equal(containerForLogs(pod(['web', 'side']), 'side'), 'side');
  assert.equal(containerForLogs(pod(['web'], ['setup']), 'setup'), 'setup');
});

test('container errors are worded as kube-apiserver words them', () => {
  assert.deepEqual(statusOf(() => containerForLogs(pod(['web', 'side']), null)), {
    code: 400,
    reason: 'BadRequest',
    message: 'a container name must be specified for pod web-1, choose one of: [web side]',
  });
  assert.equal(
    statusOf(() => containerForLogs(pod(['web', 'side'], ['setup']), '')).message,
    'a container name must be specified for pod web-1, choose one of: [web side] or one of the init containers: [setup]',
  );
  assert.equal(statusOf(() => containerForLogs(pod(['web']), 'nope')).message, 'container nope is not valid for pod web-1');
});

test('PodLogOptions are parsed and validated with the field named', () => {
  assert.deepEqual(parsePodLogOptions('p', new URLSearchParams('follow=true&tailLines=10&timestamps=1&limitBytes=5')), {
    follow: true,
    previous: false,
    timestamps: true,
    tailLines: 10,
    sinceSeconds: undefined,
    limitBytes: 5,
  });
  const bad = statusOf(() => parsePodLogOptions('p', new URLSearchParams('tailLines=-1')));
  assert.equal(bad.code, 422);
  assert.match(bad.message, /PodLogOptions "p" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0/);
  assert.match(statusOf(() => parsePodLogOptions('p', new URLSearchParams('sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z'))).message, /at most one of `sinceTime` or `sinceSeconds`/);
  assert.match(statusOf(() => parsePodLogOptions('p', new URLSearchParams('follow=yes'))).message, /follow: Invalid value: "yes"/);
});

test('the kubelet location is the node InternalIP and kubelet port, with the options passed on', () => {
  const url = kubeletLogLocation(pod(['web']), node(), 'web', { follow: true, previous: false, timestamps: false, tailLines: 3 });
  assert.equal(url.href, 'http://127.240.0.4:41234/containerLogs/team-a/web-1/web?follow=true&tailLines=3');
});

test('a simulated node has no logs, and says so', () => {
  const err = statusOf(() => kubeletLogLocation(pod(['web']), node({ annotations: { [SIMULATED_NODE_ANNOTATION]: 'true' } }), 'web', { follow: false, previous: false, timestamps: false }));
  assert.equal(err.code, 400);
  assert.match(err.message, /simulated node n1/);
});

test('kubelet errors pass through as kube-apiserver passes them', () => {
  const e = kubeletErrorToStatus(400, 'container "web" in pod "web-1" is waiting to start: ContainerCreating\n', 'web-1');
  assert.equal(e.code, 400);
  assert.equal(e.message, 'container "web" in pod "web-1" is waiting to start: ContainerCreating');
  assert.equal(kubeletErrorToStatus(404, 'x', 'web-1').message, 'the server could not find the requested resource ( pods/log web-1)');
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

test('the proxy streams the kubelet answer, and ends the upstream when the client goes', async () => {
  let upstreamClosed!: () => void;
  const closed = new Promise<void>((r) => (upstreamClosed = r));
  const kubelet = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write('line 1\n');
    req.socket.once('close', upstreamClosed);
  });
  const kubeletPort = await listen(kubelet);
  const api = createServer((req, res) => {
    void proxyPodLogs(req, res, new URL(`http://127.0.0.1:${kubeletPort}/containerLogs/a/b/c?follow=true`), 'b');
  });
  const apiPort = await listen(api);
  try {
    const first = await new Promise<string>((resolve, reject) => {
      const out = request({ host: '127.0.0.1', port: apiPort, path: '/' }, (res) => {
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['content-type'], 'text/plain');
        res.once('data', (c: Buffer) => {
          resolve(c.toString());
          out.destroy();
        });
      });
      out.once('error', reject);
      out.end();
    });
    assert.equal(first, 'line 1\n');
    await closed;
  } finally {
    api.closeAllConnections();
    kubelet.closeAllConnections();
    await Promise.all([new Promise((r) => api.close(r)), new Promise((r) => kubelet.close(r))]);
  }
});

test('an unreachable kubelet is a 500 naming the address, as kube reports a dial error', async () => {
  const probe = createServer();
  const port = await listen(probe);
  await new Promise((r) => probe.close(r));
  const api = createServer((req, res) => {
    proxyPodLogs(req, res, new URL(`http://127.0.0.1:${port}/containerLogs/a/b/c`), 'b').catch((e: StatusError) => {
      res.writeHead(e.code);
      res.end(e.message);
    });
  });
  const apiPort = await listen(api);
  try {
    const { code, body } = await new Promise<{ code: number; body: string }>((resolve, reject) => {
      const out = request({ host: '127.0.0.1', port: apiPort, path: '/' }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      });
      out.once('error', reject);
      out.end();
    });
    assert.equal(code, 500);
    assert.equal(body, `Get "http://127.0.0.1:${port}/containerLogs/a/b/c": dial tcp 127.0.0.1:${port}: connect: connection refused`);
  } finally {
    await new Promise((r) => api.close(r));
  }
});
