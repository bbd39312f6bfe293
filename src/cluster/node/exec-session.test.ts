import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket } from 'ws';
import { isExecWebSocket, serveExec } from './exec-session.js';
import { parseExecRequest, STREAM } from './remote-command.js';

let server: Server;
let port: number;
const sessions = new Set<WebSocket>();
const started: ChildProcess[] = [];

before(async () => {
  server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    const q = parseExecRequest(new URL(req.url ?? '/', 'http://x').searchParams);
    if ('error' in q || !isExecWebSocket(req)) return void socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    serveExec(req, socket, head, q, (r) => {
      if (r.command[0] === 'missing') return { error: 'exec: "missing": executable file not found in $PATH' };
      const child = spawn(r.command[0], r.command.slice(1), { stdio: [r.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
      started.push(child);
      return { process: child, stop: () => child.kill('SIGKILL') };
    }, sessions);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => {
  for (const s of sessions) s.terminate();
  server.close();
});

interface Session { out: string; err: string; status: any; protocol: string; closeCode: number }

/** Runs one exec as kubectl does; `input` is sent on stdin, then stdin is closed (v5). */
function exec(query: string, protocol = 'v5.channel.k8s.io', input?: string): Promise<Session> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/exec/ns/pod/c?${query}`, [protocol]);
    const s: Session = { out: '', err: '', status: undefined, protocol: '', closeCode: 0 };
    ws.on('open', () => {
      s.protocol = ws.protocol;
      if (input !== undefined) {
        ws.send(Buffer.concat([Buffer.from([STREAM.stdin]), Buffer.from(input)]));
        ws.send(Buffer.from([255, STREAM.stdin]));
      }
    });
    ws.on('message', (d: Buffer) => {
      const body = d.subarray(1).toString('utf8');
      if (d[0] === STREAM.stdout) s.out += body;
      else if (d[0] === STREAM.stderr) s.err += body;
      else if (d[0] === STREAM.error) s.status = JSON.parse(body);
    });
    ws.on('close', (code) => resolve({ ...s, closeCode: code }));
    ws.on('error', reject);
  });
}

test('stdout and stderr on their streams, then Success and a normal close', async () => {
  const s = await exec('command=sh&command=-c&command=echo%20out%3B%20echo%20err%201%3E%262&output=1&error=1');
  assert.deepEqual(s, { out: 'out\n', err: 'err\n', status: { metadata: {}, status: 'Success' }, protocol: 'v5.channel.k8s.io', closeCode: 1000 });
});

test('a non-zero exit is a NonZeroExitCode Status with the code', async () => {
  const s = await exec('command=sh&command=-c&command=exit%203&output=1&error=1');
  assert.equal(s.status.reason, 'NonZeroExitCode');
  assert.deepEqual(s.status.details.causes, [{ reason: 'ExitCode', message: '3' }]);
});

test('stdin reaches the process, and the v5 close signal ends it', async () => {
  const s = await exec('command=cat&input=1&output=1&error=1', 'v5.channel.k8s.io', 'hello\nworld\n');
  assert.equal(s.out, 'hello\nworld\n');
  assert.equal(s.status.status, 'Success');
});

test('v4 clients are served; a terminal merges stderr into stdout', async () => {
  const s = await exec('command=sh&command=-c&command=echo%20err%201%3E%262&output=1&error=1&tty=1', 'v4.channel.k8s.io');
  assert.equal(s.protocol, 'v4.channel.k8s.io');
  assert.equal(s.out, 'err\n');
  assert.equal(s.err, '');
});

test('a command that cannot start is an InternalError Status', async () => {
  const s = await exec('command=missing&output=1');
  assert.equal(s.status.reason, 'InternalError');
  assert.equal(s.status.message, 'Internal error occurred: error executing command in container: exec: "missing": executable file not found in $PATH');
  const spawnFailure = await exec('command=/nonexistent/binary&output=1');
  assert.equal(spawnFailure.status.message, 'Internal error occurred: error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: "/nonexistent/binary": executable file not found in $PATH: unknown');
});

test('a client that goes away takes the process with it', async () => {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/exec/ns/pod/c?command=sleep&command=30&output=1`, ['v5.channel.k8s.io']);
  await new Promise((r) => ws.once('open', r));
  const deadline = Date.now() + 5000;
  while (sessions.size === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const sleeper = started.at(-1)!;
  assert.deepEqual(sleeper.spawnargs, ['sleep', '30']);
  ws.terminate();
  while ((sessions.size > 0 || sleeper.exitCode === null && sleeper.signalCode === null) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(sessions.size, 0, 'the session ended');
  assert.equal(sleeper.signalCode, 'SIGKILL', 'and its process was killed');
});
