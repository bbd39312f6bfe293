/**
 * `pods/exec`: what `kubectl exec` opens. As kube-apiserver does, the API server checks the
 * request (which container, and that the pod has a node), then hands the connection upgrade to
 * the node's kubelet (`/exec/<ns>/<pod>/<container>?command=…&input=1&output=1&error=1&tty=1`)
 * and joins the two sockets; the kubelet speaks the streaming protocol (WebSocket
 * `v5.channel.k8s.io`) with the client through it. Answers that are not an upgrade — the kubelet's
 * refusal, or ours — reach the client as an HTTP response with a `Status`, which kubectl prints
 * as `unable to upgrade connection: <message>`.
 */
import { connect, type Socket } from 'node:net';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import { badRequest, StatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import { containerForLogs, kubeletBase } from './pod-logs.js';

/** `pods/exec` query booleans as kubectl sends them (`stdin=true`) → the kubelet's (`input=1`). */
const STREAM_PARAMS: ReadonlyArray<[string, string]> = [
  ['stdin', 'input'],
  ['stdout', 'output'],
  ['stderr', 'error'],
  ['tty', 'tty'],
];

const truthy = (v: string | null): boolean => v !== null && /^(true|1|t)$/i.test(v);

/** The kubelet URL for this exec: the container kube would pick, with the command and streams. */
export function kubeletExecLocation(pod: KubeObject, node: KubeObject | undefined, query: URLSearchParams): URL {
  const container = containerForLogs(pod, query.get('container'));
  if (!node) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  const url = new URL(`${kubeletBase(pod, node, 'there is nothing to exec into')}/exec/${encodeURIComponent(pod.metadata.namespace ?? '')}/${encodeURIComponent(pod.metadata.name ?? '')}/${encodeURIComponent(container)}`);
  for (const c of query.getAll('command')) url.searchParams.append('command', c);
  for (const [from, to] of STREAM_PARAMS) if (truthy(query.get(from))) url.searchParams.set(to, '1');
  return url;
}

/** An HTTP answer with a Status body, written on a socket that was to be upgraded. */
export function statusResponse(err: StatusError): string {
  const body = JSON.stringify(err.toStatus());
  return `HTTP/1.1 ${err.code} ${STATUS_CODES[err.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** Headers that belong to the client's hop (its credentials among them) and are not passed on. */
const NOT_FORWARDED = new Set(['authorization', 'host', 'proxy-authorization', 'cookie']);

/**
 * Joins the client's socket to the kubelet's: the request goes on with the kubelet's path and the
 * client's upgrade headers, and whatever the kubelet answers (101 and the stream, or an error)
 * flows back as it is. A kubelet that cannot be reached gets kube-apiserver's dial error.
 */
export function proxyUpgrade(req: IncomingMessage, client: Socket, head: Buffer, url: URL): void {
  const kubelet = connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) });
  let connected = false;
  kubelet.setNoDelay(true);
  client.setNoDelay(true);
  kubelet.once('connect', () => {
    connected = true;
    let head0 = `${req.method ?? 'GET'} ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n`;
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (!NOT_FORWARDED.has(req.rawHeaders[i].toLowerCase())) head0 += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
    }
    kubelet.write(`${head0}\r\n`);
    if (head.length) kubelet.write(head);
    client.pipe(kubelet).pipe(client);
  });
  kubelet.once('error', (e: NodeJS.ErrnoException) => {
    if (!connected && client.writable) {
      const why = e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.message;
      client.end(statusResponse(new StatusError(500, 'InternalError', `error dialing backend: dial tcp ${url.host}: ${why}`)));
    } else client.destroy();
  });
  client.once('error', () => kubelet.destroy());
  client.once('close', () => kubelet.destroy());
  kubelet.once('close', () => client.destroy());
}
