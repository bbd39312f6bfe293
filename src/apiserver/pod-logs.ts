/**
 * `pods/log`: what `kubectl logs` reads. As kube-apiserver does, the API server checks the
 * request (which container, the PodLogOptions), finds the pod's node, and streams the answer of
 * that node's kubelet (`GET /containerLogs/<ns>/<pod>/<container>` on the node's InternalIP and
 * `status.daemonEndpoints.kubeletEndpoint.Port`) back to the client.
 *
 * The rules are pure functions ({@link parsePodLogOptions}, {@link containerForLogs},
 * {@link kubeletLogLocation}, {@link kubeletErrorToStatus}); {@link proxyPodLogs} is the shell.
 */
import { request as httpRequest, type IncomingMessage as UpstreamResponse } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, fieldError, invalid, StatusError, type FieldError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';

/** Nodes with this annotation run pods without processes (KWOK-style): they have no logs to serve. */
export const SIMULATED_NODE_ANNOTATION = 'flotilla.dev/simulated';

export interface PodLogOptions {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  limitBytes?: number;
}

const BOOLEAN = /^(true|false|1|0|t|f|True|False|TRUE|FALSE|T|F)$/;

function parseBool(query: URLSearchParams, key: string, errors: FieldError[]): boolean {
  const v = query.get(key);
  if (v === null || v === '') return false;
  if (!BOOLEAN.test(v)) {
    errors.push(fieldError.invalid(key, v, 'must be a boolean'));
    return false;
  }
  return /^(true|1|t)$/i.test(v);
}

function parseInteger(query: URLSearchParams, key: string, errors: FieldError[]): number | undefined {
  const v = query.get(key);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) {
    errors.push(fieldError.invalid(key, v, 'must be an integer'));
    return undefined;
  }
  return n;
}

/**
 * The query of a `pods/log` request as PodLogOptions, validated as kube-apiserver does
 * (a 422 `PodLogOptions "x" is invalid` naming the field).
 */
export function parsePodLogOptions(podName: string, query: URLSearchParams): PodLogOptions {
  const errors: FieldError[] = [];
  const options: PodLogOptions = {
    follow: parseBool(query, 'follow', errors),
    previous: parseBool(query, 'previous', errors),
    timestamps: parseBool(query, 'timestamps', errors),
    tailLines: parseInteger(query, 'tailLines', errors),
    sinceSeconds: parseInteger(query, 'sinceSeconds', errors),
    limitBytes: parseInteger(query, 'limitBytes', errors),
  };
  const sinceTime = query.get('sinceTime');
  if (sinceTime) {
    if (Number.isNaN(Date.parse(sinceTime)) || !/^\d{4}-\d{2}-\d{2}T/.test(sinceTime)) errors.push(fieldError.invalid('sinceTime', sinceTime, 'must be an RFC3339 time'));
    else options.sinceTime = sinceTime;
  }
  if (options.tailLines !== undefined && options.tailLines < 0) errors.push(fieldError.invalid('tailLines', options.tailLines, 'must be greater than or equal to 0'));
  if (options.limitBytes !== undefined && options.limitBytes < 1) errors.push(fieldError.invalid('limitBytes', options.limitBytes, 'must be greater than 0'));
  if (options.sinceSeconds !== undefined && options.sinceSeconds < 1) errors.push(fieldError.invalid('sinceSeconds', options.sinceSeconds, 'must be greater than 0'));
  if (options.sinceSeconds !== undefined && options.sinceTime !== undefined) errors.push(fieldError.forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  if (errors.length) throw invalid('PodLogOptions', '', podName, errors);
  return options;
}

interface ContainerLike {
  name?: string;
}

function containersOf(pod: KubeObject): { main: string[]; init: string[]; ephemeral: string[] } {
  const names = (list: unknown): string[] => (Array.isArray(list) ? (list as ContainerLike[]).map((c) => c.name ?? '') : []);
  return { main: names(pod.spec?.containers), init: names(pod.spec?.initContainers), ephemeral: names(pod.spec?.ephemeralContainers) };
}

const goList = (names: string[]): string => `[${names.join(' ')}]`;

/** The container whose log is asked for: the only one when none is named, else the named one (kube's wording when neither works). */
export function containerForLogs(pod: KubeObject, requested: string | null): string {
  const podName = pod.metadata.name ?? '';
  const { main, init, ephemeral } = containersOf(pod);
  if (!requested) {
    if (main.length === 1) return main[0];
    if (main.length === 0) throw badRequest(`pod ${podName} does not have a container`);
    let message = `a container name must be specified for pod ${podName}, choose one of: ${goList(main)}`;
    if (init.length) message += ` or one of the init containers: ${goList(init)}`;
    if (ephemeral.length) message += ` or one of the ephemeral containers: ${goList(ephemeral)}`;
    throw badRequest(message);
  }
  if (![...main, ...init, ...ephemeral].includes(requested)) throw badRequest(`container ${requested} is not valid for pod ${podName}`);
  return requested;
}

/**
 * `http://<address>:<port>` of a node's kubelet (kube-apiserver's --kubelet-preferred-address-types,
 * minus Hostname: a node name need not resolve here); undefined for a simulated node (it runs no
 * processes) or one that reports no address.
 */
export function kubeletUrl(node: KubeObject): string | undefined {
  if (node.metadata.annotations?.[SIMULATED_NODE_ANNOTATION] !== undefined) return undefined;
  const addresses = (node.status?.addresses ?? []) as Array<{ type?: string; address?: string }>;
  const address = ['InternalIP', 'InternalDNS', 'ExternalIP', 'ExternalDNS'].map((t) => addresses.find((a) => a.type === t)?.address).find(Boolean);
  const port = (node.status?.daemonEndpoints?.kubeletEndpoint?.Port as number | undefined) ?? 0;
  return address && port ? `http://${address.includes(':') ? `[${address}]` : address}:${port}` : undefined;
}

/** {@link kubeletUrl}, or a 400 saying why there is none; `nothing` ends the message for a simulated node. */
export function kubeletBase(pod: KubeObject, node: KubeObject, nothing: string): string {
  if (node.metadata.annotations?.[SIMULATED_NODE_ANNOTATION] !== undefined) {
    throw badRequest(`pod ${pod.metadata.name} runs on simulated node ${node.metadata.name}, whose containers run no processes: ${nothing}`);
  }
  const url = kubeletUrl(node);
  if (!url) throw badRequest(`node ${node.metadata.name} does not report a kubelet address (status.addresses, status.daemonEndpoints)`);
  return url;
}

/** Where the pod's kubelet serves this container's log, or why there is none. */
export function kubeletLogLocation(pod: KubeObject, node: KubeObject, container: string, options: PodLogOptions): URL {
  const url = new URL(`${kubeletBase(pod, node, 'there are no logs to show')}/containerLogs/${encodeURIComponent(pod.metadata.namespace ?? '')}/${encodeURIComponent(pod.metadata.name ?? '')}/${encodeURIComponent(container)}`);
  if (options.follow) url.searchParams.set('follow', 'true');
  if (options.previous) url.searchParams.set('previous', 'true');
  if (options.timestamps) url.searchParams.set('timestamps', 'true');
  if (options.tailLines !== undefined) url.searchParams.set('tailLines', String(options.tailLines));
  if (options.sinceSeconds !== undefined) url.searchParams.set('sinceSeconds', String(options.sinceSeconds));
  if (options.sinceTime !== undefined) url.searchParams.set('sinceTime', options.sinceTime);
  if (options.limitBytes !== undefined) url.searchParams.set('limitBytes', String(options.limitBytes));
  return url;
}

/**
 * A kubelet error answer as kube-apiserver passes it on (its generic HTTP response checker):
 * the kubelet's text becomes the message of a 400; other codes get the generic wording.
 */
export function kubeletErrorToStatus(code: number, body: string, podName: string): StatusError {
  const text = body.trim();
  switch (code) {
    case 400:
      return new StatusError(400, 'BadRequest', text);
    case 404:
      return new StatusError(404, 'NotFound', `the server could not find the requested resource ( pods/log ${podName})`, { name: podName, kind: 'pods/log' });
    case 403:
      return new StatusError(403, 'Forbidden', text || `pods/log "${podName}" is forbidden`);
    default:
      return new StatusError(code >= 500 ? code : 500, 'InternalError', `an error on the server ("${text}") has prevented the request from succeeding (get pods/log ${podName})`);
  }
}

/** How long to wait for a kubelet to accept the connection and answer. */
const KUBELET_CONNECT_TIMEOUT_MS = 5_000;
const MAX_ERROR_BODY = 64 * 1024;

/** Stream the kubelet's answer to the client; errors before the first byte become Status errors. */
export async function proxyPodLogs(req: IncomingMessage, res: ServerResponse, url: URL, podName: string): Promise<void> {
  const upstreamAbort = new AbortController();
  const onClientGone = (): void => upstreamAbort.abort();
  res.once('close', onClientGone);
  let upstream: UpstreamResponse;
  try {
    upstream = await new Promise<UpstreamResponse>((resolve, reject) => {
      const out = httpRequest(url, { method: 'GET', signal: upstreamAbort.signal, timeout: KUBELET_CONNECT_TIMEOUT_MS }, resolve);
      out.once('timeout', () => out.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })));
      out.once('error', reject);
      out.end();
    });
  } catch (e) {
    res.off('close', onClientGone);
    if (upstreamAbort.signal.aborted) return;
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.code === 'ETIMEDOUT' ? 'i/o timeout' : err.message;
    throw new StatusError(500, 'InternalError', `Get "${url.href}": dial tcp ${url.host}: ${why}`);
  }
  if ((upstream.statusCode ?? 500) >= 300) {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of upstream) {
      if (size < MAX_ERROR_BODY) chunks.push(c as Buffer);
      size += (c as Buffer).length;
    }
    res.off('close', onClientGone);
    throw kubeletErrorToStatus(upstream.statusCode ?? 500, Buffer.concat(chunks).toString('utf8'), podName);
  }
  // The socket stays open while following: no request timeout, flush every chunk.
  req.socket.setTimeout(0);
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'X-Content-Type-Options': 'nosniff' });
  res.flushHeaders();
  await new Promise<void>((resolve) => {
    upstream.on('data', (chunk: Buffer) => {
      if (!res.write(chunk)) {
        upstream.pause();
        res.once('drain', () => upstream.resume());
      }
    });
    const finish = (): void => {
      res.off('close', onClientGone);
      if (!res.writableEnded) res.end();
      resolve();
    };
    upstream.once('end', finish);
    upstream.once('error', finish);
    upstream.once('aborted', finish);
    res.once('close', () => {
      upstream.destroy();
      resolve();
    });
  });
}
