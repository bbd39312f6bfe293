/**
 * The core of `flotilla admission review`: one AdmissionReview (v1) for an object read from a
 * manifest, sent to a webhook URL, and what came back — the response with its patch decoded, and
 * the object with the patch applied — to try a webhook without an API server.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:https';
import jsonpatch from 'fast-json-patch';
import type { KubeObjectLike } from './review.js';

export interface ReviewOptions {
  operation?: 'CREATE' | 'UPDATE' | 'DELETE';
  namespace?: string;
  uid?: string;
}

/** Built-in kinds' resource names (the rest: lower-case plural of the kind). */
function pluralOf(kind: string): string {
  const k = kind.toLowerCase();
  if (k.endsWith('s')) return `${k}es`;
  if (k.endsWith('y')) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

export function reviewFor(obj: KubeObjectLike, opts: ReviewOptions = {}): Record<string, unknown> {
  const [group, version] = (obj.apiVersion ?? 'v1').includes('/') ? (obj.apiVersion as string).split('/', 2) : ['', obj.apiVersion ?? 'v1'];
  const kind = { group, version, kind: obj.kind ?? '' };
  const resource = { group, version, resource: pluralOf(obj.kind ?? '') };
  const operation = opts.operation ?? 'CREATE';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: opts.uid ?? randomUUID(),
      kind,
      resource,
      requestKind: kind,
      requestResource: resource,
      name: obj.metadata?.name,
      namespace: opts.namespace ?? obj.metadata?.namespace ?? 'default',
      operation,
      userInfo: { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] },
      object: operation === 'DELETE' ? null : obj,
      oldObject: operation === 'CREATE' ? null : obj,
      dryRun: false,
      options: { kind: `${operation === 'CREATE' ? 'Create' : operation === 'UPDATE' ? 'Update' : 'Delete'}Options`, apiVersion: 'meta.k8s.io/v1' },
    },
  };
}

export interface ReviewReport {
  response: Record<string, unknown>;
  /** The object after the patch, when there was one. */
  patched?: unknown;
  problem?: string;
}

/** The response with `patch` decoded from base64, and the patched object (or why it would not apply). */
export function explainResponse(obj: KubeObjectLike, body: unknown, uid: string): ReviewReport {
  const response = { ...((body as { response?: Record<string, unknown> })?.response ?? {}) };
  if (response.uid !== uid) return { response, problem: `expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(response.uid ?? '')}` };
  if (typeof response.patch !== 'string') return { response };
  let ops: unknown;
  try {
    ops = JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8'));
    response.patch = ops;
  } catch (e) {
    return { response, problem: `the patch is not JSON: ${(e as Error).message}` };
  }
  try {
    return { response, patched: jsonpatch.applyPatch(structuredClone(obj), ops as jsonpatch.Operation[], true, false).newDocument };
  } catch (e) {
    return { response, problem: `the patch does not apply: ${(e as Error).message}` };
  }
}

export function postJson(url: string, body: string, ca: string | undefined, insecure: boolean, timeoutMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, rejectUnauthorized: !insecure, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if ((res.statusCode ?? 0) >= 300) return reject(new Error(`the webhook answered HTTP ${res.statusCode}: ${text.trim()}`));
        try {
          resolve(JSON.parse(text));
        } catch {
          reject(new Error(`the webhook's answer is not JSON: ${JSON.stringify(text.slice(0, 200))}`));
        }
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs / 1000}s`)));
    req.on('error', reject);
    req.end(body);
  });
}
