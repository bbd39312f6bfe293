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

const METADATA_OPEN_BYTES = Buffer.from(METADATA_OPEN);

/**
 * The stored bytes with `metadata.resourceVersion` spliced in, as buffers to write one after the
 * other: no decoding to a string, no copy of the object (what long lists are made of).
 */
export function storedBytesWithResourceVersion(value: Uint8Array, resourceVersion: number): Buffer[] {
  const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const at = bytes.indexOf(METADATA_OPEN_BYTES);
  if (at < 0) throw new Error('stored object has no metadata');
  const insertAt = at + METADATA_OPEN_BYTES.length;
  const empty = bytes[insertAt] === 0x7d; // '}'
  return [bytes.subarray(0, insertAt), Buffer.from(`"resourceVersion":"${resourceVersion}"${empty ? '' : ','}`), bytes.subarray(insertAt)];
}
