/** Small helpers for reading requests and writing responses, shared by every endpoint. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { stringify as toYaml } from 'yaml';
import { requestEntityTooLarge, StatusError } from '../apimachinery/errors.js';
import type { ResponseFormat } from './negotiation.js';

/** kube-apiserver's limit on a request body. */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) {
    req.resume();
    throw requestEntityTooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      req.resume();
      throw requestEntityTooLarge(limit);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function sendText(res: ServerResponse, code: number, contentType: string, body: string): void {
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Send a JSON document already serialised (lists are assembled from stored text). */
export function sendJsonText(res: ServerResponse, code: number, json: string, format: ResponseFormat = { kind: 'json' }): void {
  if (format.kind === 'yaml') sendText(res, code, 'application/yaml', toYaml(JSON.parse(json)));
  else sendText(res, code, 'application/json', json);
}

export function sendObject(res: ServerResponse, code: number, obj: unknown, format: ResponseFormat = { kind: 'json' }, json?: string): void {
  if (format.kind === 'yaml') sendText(res, code, 'application/yaml', toYaml(obj));
  else sendText(res, code, 'application/json', json ?? JSON.stringify(obj));
}

export function sendStatusError(res: ServerResponse, err: StatusError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendText(res, err.code, 'application/json', JSON.stringify(err.toStatus()));
}
