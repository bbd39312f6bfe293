/**
 * A process node's kubelet HTTP server: `GET /containerLogs/{namespace}/{pod}/{container}`
 * (kubelet's query parameters; plain text; `follow` streams until the container's log ends, the
 * client goes away or the server closes), `/exec/{namespace}/{pod}/{container}` (a WebSocket
 * upgrade speaking `v5.channel.k8s.io`, see exec-session.ts), `/stats/summary` (the Summary
 * API's CPU and memory figures, which the API server's metrics.k8s.io reads) and `/healthz`. Bound to the node's InternalIP on an
 * ephemeral port, advertised in `status.daemonEndpoints.kubeletEndpoint.Port`; the API server
 * proxies `kubectl logs` here.
 */
import { open, readFile, realpath } from 'node:fs/promises';
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { isExecWebSocket, serveExec, type ExecProcess } from '../exec-session.js';
import { parseExecRequest, type ExecRequest } from '../remote-command.js';
import type { Summary } from './stats-summary.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { limitBytes, parseCriLine, renderEntry, selectLog } from './cri-log.js';
import { legacySymlinkPath } from './log-file.js';
import { logTarget, parseLogQuery } from './log-target.js';

export interface LogSource {
  readonly dataDir: string;
  /** The pod, when it is bound to this node. */
  pod(namespace: string, name: string): Pod | undefined;
  /** Whether the container with this ID is still running (a follower waits for more). */
  isRunning(podUID: string, containerID: string): boolean;
  /** The Summary API document (`/stats/summary`) of this node now. */
  summary?(): Promise<Summary>;
  /** Whether the pod's container is running (something to exec into). */
  containerRunning?(podUID: string, container: string): boolean;
  /** Start a command in the pod's running container; undefined when it is not running. */
  exec?(podUID: string, container: string, request: ExecRequest): ExecProcess | undefined;
}

export interface KubeletServer {
  readonly port: number;
  close(): Promise<void>;
}

const POLL_MS = 100;

export async function startKubeletServer(host: string, source: LogSource): Promise<KubeletServer> {
  const closing = new AbortController();
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      if (!res.headersSent) text(res, 500, `${err.message}\n`);
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const sessions = new Set<WebSocket>();
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const refuse = (code: number, body: string) => socket.end(`HTTP/1.1 ${code} ${STATUS_CODES[code]}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    const url = new URL(req.url ?? '/', 'http://kubelet');
    const m = /^\/exec\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (!m || !source.exec) return refuse(404, '404 page not found\n');
    const [ns, podName, container] = m.slice(1).map(decodeURIComponent);
    const request = parseExecRequest(url.searchParams);
    if ('error' in request) return refuse(400, `${request.error}\n`);
    const pod = source.pod(ns, podName);
    if (!pod) return refuse(404, `pod ${JSON.stringify(podName)} does not exist\n`);
    const uid = pod.metadata?.uid ?? '';
    // The same checks for every protocol: kubectl falls back from WebSocket to SPDY and shows the last error.
    if (!source.containerRunning?.(uid, container)) return refuse(500, `container not found (${JSON.stringify(container)})\n`);
    if (!isExecWebSocket(req)) return refuse(400, 'this kubelet streams exec over WebSocket only (v5.channel.k8s.io, v4.channel.k8s.io): SPDY is not supported\n');
    serveExec(req, socket, head, request, (r) => source.exec!(uid, container, r) ?? { error: `container not found (${JSON.stringify(container)})` }, sessions);
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    if (url.pathname === '/healthz') return text(res, 200, 'ok');
    if (url.pathname === '/stats/summary' && source.summary) {
      const body = JSON.stringify(await source.summary());
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      return void res.end(body);
    }
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]*)$/.exec(url.pathname);
    if (!m) return text(res, 404, '404 page not found\n');
    if (req.method !== 'GET') return text(res, 405, 'method not allowed\n');
    const [ns, podName, container] = m.slice(1).map(decodeURIComponent);
    if (!container) return text(res, 400, 'containerName is required\n');
    const q = parseLogQuery(url.searchParams, Date.now());
    if ('error' in q) return text(res, 400, `${q.error}\n`);
    const pod = source.pod(ns, podName);
    if (!pod) return text(res, 404, `pod ${JSON.stringify(podName)} does not exist\n`);
    const spec = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].some((c) => c.name === container);
    if (!spec) return text(res, 404, `container ${JSON.stringify(container)} not found in pod ${JSON.stringify(podName)}\n`);
    const target = logTarget(pod, container, q.previous);
    if ('error' in target) return text(res, 400, `${target.error}\n`);
    let path: string;
    try {
      path = await realpath(legacySymlinkPath(source.dataDir, ns, podName, container, target.containerID));
    } catch {
      return text(res, 404, `failed to get container logs: log file for container ${JSON.stringify(target.containerID)} not found\n`);
    }
    res.writeHead(200, { 'Content-Type': 'text/plain', ...(q.follow ? { 'Transfer-Encoding': 'chunked' } : {}) });
    const whole = await readFile(path, 'utf8');
    const complete = whole.slice(0, whole.lastIndexOf('\n') + 1);
    const first = selectLog(complete, q);
    if (first.out) res.write(first.out);
    if (!q.follow || (first.remaining !== undefined && first.remaining <= 0)) return void res.end();

    // Follow: read what is appended until the container has exited and its log is drained.
    let offset = Buffer.byteLength(complete);
    let remaining = first.remaining;
    const uid = pod.metadata?.uid ?? '';
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const fh = await open(path, 'r');
    try {
      for (;;) {
        if (gone.signal.aborted || closing.signal.aborted) break;
        const running = source.isRunning(uid, target.containerID);
        const { size } = await fh.stat();
        if (size > offset) {
          const buf = Buffer.alloc(size - offset);
          await fh.read(buf, 0, buf.length, offset);
          const chunk = buf.toString('utf8');
          const end = chunk.lastIndexOf('\n');
          if (end >= 0) {
            offset += Buffer.byteLength(chunk.slice(0, end + 1));
            let out = '';
            for (const line of chunk.slice(0, end).split('\n')) {
              const e = parseCriLine(line);
              if (!e || (q.sinceMs !== undefined && e.ms < q.sinceMs)) continue;
              out += renderEntry(e, q.timestamps ?? false);
            }
            if (remaining !== undefined) {
              out = limitBytes(out, remaining);
              remaining -= Buffer.byteLength(out);
            }
            if (out) res.write(out);
            if (remaining !== undefined && remaining <= 0) break;
            continue;
          }
        }
        if (!running) break;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
    } finally {
      await fh.close();
    }
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    async close() {
      closing.abort();
      for (const ws of sessions) ws.terminate();
      await new Promise<void>((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

function text(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
