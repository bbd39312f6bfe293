/**
 * One `kubectl exec` session on a node: the WebSocket the API server handed over, joined to the
 * command's process. stdout and stderr go out as frames on their streams (both on stdout with a
 * terminal, which has no stderr of its own); stdin frames feed the process until the client
 * closes that stream; when the process has ended and its output is drained, the exit Status goes
 * out on the error stream and the socket closes normally. A client that goes away takes the
 * process with it.
 */
import type { ChildProcess } from 'node:child_process';
import { WebSocketServer, type WebSocket } from 'ws';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { chooseProtocol, exitStatus, frame, readFrame, startFailureStatus, STREAM, type ExecRequest } from './remote-command.js';

/** A started command, and how to end it with everything it started. */
export interface ExecProcess {
  readonly process: ChildProcess;
  stop(): void;
}

/** Starts the command (in the container's environment), or says why it cannot. */
export type StartExec = (request: ExecRequest) => ExecProcess | { error: string };

const upgrader = new WebSocketServer({ noServer: true, handleProtocols: (offered) => chooseProtocol([...offered].join(',')) ?? false });

/** Whether this upgrade speaks a protocol served here (WebSocket with a channel.k8s.io version). */
export function isExecWebSocket(req: IncomingMessage): boolean {
  return String(req.headers.upgrade ?? '').toLowerCase() === 'websocket' && chooseProtocol(req.headers['sec-websocket-protocol']) !== undefined;
}

export function serveExec(req: IncomingMessage, socket: Duplex, head: Buffer, request: ExecRequest, start: StartExec, sessions: Set<WebSocket>): void {
  upgrader.handleUpgrade(req, socket, head, (ws) => {
    sessions.add(ws);
    ws.once('close', () => sessions.delete(ws));
    const send = (stream: number, data: Buffer | string) => {
      if (ws.readyState === ws.OPEN) ws.send(frame(stream, data));
    };
    const finish = (status: string) => {
      send(STREAM.error, status);
      if (ws.readyState === ws.OPEN) ws.close(1000);
    };
    const started = start(request);
    if ('error' in started) return finish(startFailureStatus(started.error));
    const child = started.process;

    let ended = false;
    const pump = (from: NodeJS.ReadableStream | null, stream: number) => from?.on('data', (chunk: Buffer) => send(stream, chunk));
    pump(child.stdout, STREAM.stdout);
    pump(child.stderr, request.tty ? STREAM.stdout : STREAM.stderr);
    child.once('error', (e) => {
      // Only a process that never started ends here without a 'close' to follow.
      if (child.pid !== undefined || ended) return;
      ended = true;
      const code = (e as NodeJS.ErrnoException).code;
      // What containerd and runc say of a command that is not there.
      finish(startFailureStatus(code === 'ENOENT' ? `failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: ${JSON.stringify(request.command[0])}: executable file not found in $PATH: unknown` : e.message));
    });
    // 'close' comes once the process has exited and its output streams are drained.
    child.once('close', (code, signal) => {
      if (ended) return;
      ended = true;
      finish(exitStatus(request.command, code, signal));
    });
    child.stdin?.on('error', () => undefined); // a command that does not read its stdin
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return;
      const f = readFrame(data, ws.protocol);
      if (f.kind === 'close' && f.stream === STREAM.stdin) child.stdin?.end();
      else if (f.kind === 'data' && f.stream === STREAM.stdin && request.stdin) child.stdin?.write(f.data);
      // Resize frames: a process has no terminal to resize.
    });
    ws.once('close', () => {
      if (!ended) started.stop();
    });
  });
}
