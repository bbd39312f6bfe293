/**
 * Answers the proxy gives itself, with Envoy's codes and bodies, so clients and runbooks written
 * for Contour read them the same way.
 */
import type { ServerResponse } from 'node:http';

export const LOCAL_REPLIES = {
  noRoute: { status: 404, body: '' },
  noHealthyUpstream: { status: 503, body: 'no healthy upstream' },
  connectFailure: { status: 503, body: 'upstream connect error or disconnect/reset before headers. reset reason: connection failure' },
  reset: { status: 503, body: 'upstream connect error or disconnect/reset before headers. reset reason: connection termination' },
  timeout: { status: 504, body: 'upstream request timeout' },
  upgradeRefused: { status: 403, body: 'upgrade not allowed on this route' },
} as const;

export type LocalReply = (typeof LOCAL_REPLIES)[keyof typeof LOCAL_REPLIES];

export function sendLocalReply(res: ServerResponse, r: LocalReply, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(r.status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(r.body), ...extraHeaders });
  res.end(r.body);
}

/** `301` to https, as Envoy's `https_redirect`: same host (without the port) and path. */
export function sendHttpsRedirect(res: ServerResponse, host: string, url: string): void {
  res.writeHead(301, { location: `https://${host}${url}`, 'content-length': 0 });
  res.end();
}

/** The same answers on a raw socket (an upgrade request has no ServerResponse). */
export function rawReply(status: number, reason: string, body = '', headers: Record<string, string> = {}): string {
  const h = Object.entries({ 'content-type': 'text/plain', 'content-length': String(Buffer.byteLength(body)), connection: 'close', ...headers })
    .map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return `HTTP/1.1 ${status} ${reason}\r\n${h}\r\n${body}`;
}
