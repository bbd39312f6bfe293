/**
 * Content negotiation: what the client accepts (JSON, YAML, Table, aggregated discovery) and how
 * to read the body it sent. Protobuf is never served; requests that also accept JSON get JSON,
 * as kubectl describe expects.
 */
import { parse as parseYaml } from 'yaml';
import { badRequest, unsupportedMediaType } from '../apimachinery/errors.js';
import { decodeKubernetesProtobuf, PROTOBUF_MEDIA_TYPE } from './protobuf/index.js';

export interface MediaRange {
  type: string;
  params: Record<string, string>;
}

export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type, ...rest] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim()] = p.slice(eq + 1).trim();
    }
    return { type: type.toLowerCase(), params };
  });
}

export type ResponseFormat = { kind: 'json' } | { kind: 'yaml' } | { kind: 'table'; version: 'v1' | 'v1beta1' };

/** The first acceptable representation, in the client's order. */
export function chooseFormat(accept: MediaRange[]): ResponseFormat {
  for (const m of accept) {
    if (m.params.as === 'Table' && m.params.g === 'meta.k8s.io' && (m.params.v === 'v1' || m.params.v === 'v1beta1')) {
      return { kind: 'table', version: m.params.v };
    }
    if (m.params.as) continue;
    if (m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*') return { kind: 'json' };
    if (m.type === 'application/yaml') return { kind: 'yaml' };
  }
  return { kind: 'json' };
}

export function acceptsAggregatedDiscovery(accept: MediaRange[]): 'v2' | 'v2beta1' | undefined {
  for (const m of accept) {
    if (m.params.as === 'APIGroupDiscoveryList' && m.params.g === 'apidiscovery.k8s.io') {
      if (m.params.v === 'v2' || m.params.v === 'v2beta1') return m.params.v;
    }
    if (!m.params.as && (m.type === 'application/json' || m.type === '*/*')) return undefined;
  }
  return undefined;
}

export const BODY_MEDIA_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
export const PATCH_MEDIA_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Decode a create/update body. A missing Content-Type is JSON, as kube-apiserver treats it;
 * protobuf is what kubectl's typed commands (create namespace, create deployment, …) send.
 */
export function decodeBody(contentType: string | undefined, raw: Buffer): unknown {
  const type = mediaType(contentType) || 'application/json';
  if (type === PROTOBUF_MEDIA_TYPE) return decodeKubernetesProtobuf(raw).object;
  const text = raw.toString('utf8');
  if (type === 'application/json' || type === 'application/apply-patch+yaml' || type.endsWith('+json')) {
    try {
      return JSON.parse(text);
    } catch (e) {
      if (type === 'application/apply-patch+yaml') return decodeYaml(text);
      throw badRequest(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
    }
  }
  if (type === 'application/yaml') return decodeYaml(text);
  throw unsupportedMediaType(BODY_MEDIA_TYPES);
}

function decodeYaml(text: string): unknown {
  try {
    return parseYaml(text);
  } catch (e) {
    throw badRequest(`error converting YAML to JSON: ${(e as Error).message.split('\n')[0]}`);
  }
}
