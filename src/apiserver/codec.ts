/**
 * How objects are kept in storage: JSON without resourceVersion (it is the key's modRevision, as
 * etcd3's store does it), with apiVersion, kind and metadata first. Because `metadata` is the first
 * object-valued field, the resourceVersion can be spliced into the stored text without parsing it,
 * which keeps large lists and watch fan-out cheap.
 */
import type { KubeObject } from '../apimachinery/object.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeForStorage(obj: KubeObject): Uint8Array {
  const { apiVersion, kind, metadata, ...rest } = obj;
  const { resourceVersion: _rv, selfLink: _selfLink, ...meta } = metadata;
  return encoder.encode(JSON.stringify({ apiVersion, kind, metadata: meta, ...rest }));
}

const METADATA_OPEN = '"metadata":{';

/** The stored text with `metadata.resourceVersion` set, without a parse/serialise round trip. */
export function storedTextWithResourceVersion(value: Uint8Array, resourceVersion: number): string {
  const text = decoder.decode(value);
  const at = text.indexOf(METADATA_OPEN);
  if (at < 0) throw new Error('stored object has no metadata');
  const insertAt = at + METADATA_OPEN.length;
  const empty = text[insertAt] === '}';
  return `${text.slice(0, insertAt)}"resourceVersion":"${resourceVersion}"${empty ? '' : ','}${text.slice(insertAt)}`;
}

export function decodeFromStorage(value: Uint8Array, resourceVersion: number): KubeObject {
  const obj = JSON.parse(decoder.decode(value)) as KubeObject;
  obj.metadata.resourceVersion = String(resourceVersion);
  return obj;
}
