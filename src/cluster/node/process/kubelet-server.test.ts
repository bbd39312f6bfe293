import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { WebSocket } from 'ws';
import { startKubeletServer, type KubeletServer } from './kubelet-server.js';

const pod: Pod = { metadata: { name: 'web', namespace: 'ns', uid: 'u1' }, spec: { containers: [{ name: 'app', image: 'x' }, { name: 'stopped', image: 'x' }] } };
let kubelet: KubeletServer;

before(async () => {
  kubelet = await startKubeletServer('127.0.0.1', {
    dataDir: '/nonexistent',
    pod: (ns, name) => (ns === 'ns' && name === 'web' ? pod : undefined),
    isRunning: () => false,
    containerRunning: (uid, c) => uid === 'u1' && c === 'app',
    exec: (_uid, _c, r) => {
      const child = spawn(r.command[0], r.command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
      return { process: child, stop: () => child.kill('SIGKILL') };
    },
  });
});
after(() => kubelet.close());

/** The raw answer to an upgrade request (the first line and the body). */
function upgrade(path: string, headers: Record<string, string>): Promise<{ status: string; body: string }> {
  return new Promise((resolve, reject) => {
    const s = connect(kubelet.port, '127.0.0.1', () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: kubelet\r\nConnection: Upgrade\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
    });
    let raw = '';
    s.on('data', (d) => (raw += d));
    s.on('end', () => resolve({ status: raw.split('\r\n')[0], body: raw.split('\r\n\r\n')[1] ?? '' }));
    s.on('error', reject);
  });
}

const ws = { Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io' };

test('exec refusals, in kubelet’s words, the same whichever protocol asks', async () => {
  assert.deepEqual(await upgrade('/exec/ns/web/stopped?command=ls&output=1', ws), { status: 'HTTP/1.1 500 Internal Server Error', body: 'container not found ("stopped")\n' });
  assert.deepEqual(await upgrade('/exec/ns/web/stopped?command=ls&output=1', { Upgrade: 'SPDY/3.1' }), { status: 'HTTP/1.1 500 Internal Server Error', body: 'container not found ("stopped")\n' });
  assert.deepEqual(await upgrade('/exec/ns/gone/app?command=ls&output=1', ws), { status: 'HTTP/1.1 404 Not Found', body: 'pod "gone" does not exist\n' });
  assert.deepEqual(await upgrade('/exec/ns/web/app?command=ls', ws), { status: 'HTTP/1.1 400 Bad Request', body: 'you must specify at least 1 of stdin, stdout, stderr\n' });
  assert.equal((await upgrade('/exec/ns/web/app?command=ls&output=1', { Upgrade: 'SPDY/3.1' })).status, 'HTTP/1.1 400 Bad Request', 'SPDY is not spoken here');
  assert.equal((await upgrade('/attach/ns/web/app', ws)).status, 'HTTP/1.1 404 Not Found');
});

test('an exec over WebSocket: the command’s output, then its Status', async () => {
  const client = new WebSocket(`ws://127.0.0.1:${kubelet.port}/exec/ns/web/app?command=echo&command=hi&output=1`, ['v5.channel.k8s.io']);
  const frames: string[] = [];
  client.on('message', (d: Buffer) => frames.push(`${d[0]}:${d.subarray(1).toString()}`));
  await new Promise((r) => client.once('close', r));
  assert.deepEqual(frames, ['1:hi\n', '3:{"metadata":{},"status":"Success"}']);
});
