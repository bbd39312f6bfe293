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

/**
 * Splicing the resourceVersion into stored bytes without decoding them: what long lists are made
 * of. `metadataOpenEnd` finds where it goes (once per object), `splicedByteLength` says how long
 * the result is, and `copySpliced` writes it into a buffer the caller assembles the list in.
 */

/** The offset just after `"metadata":{` in stored bytes. */
export function metadataOpenEnd(value: Uint8Array): number {
  // A plain loop: the match is a few dozen bytes in (apiVersion and kind come first), where a
  // native indexOf costs more to call than the scan itself.
  const last = value.length - METADATA_OPEN_CODES.length;
  outer: for (let i = 0; i <= last; i++) {
    if (value[i] !== 0x22) continue; // '"'
    for (let j = 1; j < METADATA_OPEN_CODES.length; j++) if (value[i + j] !== METADATA_OPEN_CODES[j]) continue outer;
    return i + METADATA_OPEN_CODES.length;
  }
  throw new Error('stored object has no metadata');
}

const METADATA_OPEN_CODES = Array.from(METADATA_OPEN, (c) => c.charCodeAt(0));
const RV_FIELD = '"resourceVersion":"';

/** Length of the stored bytes with the resourceVersion spliced in at `at` (from metadataOpenEnd). */
export function splicedByteLength(value: Uint8Array, at: number, resourceVersion: number): number {
  const empty = value[at] === 0x7d; // '}'
  return value.length + RV_FIELD.length + String(resourceVersion).length + (empty ? 1 : 2);
}

/** Writes the stored bytes with the resourceVersion spliced in at `at` into `target`; returns the offset after them. */
export function copySpliced(value: Uint8Array, at: number, resourceVersion: number, target: Buffer, offset: number): number {
  const empty = value[at] === 0x7d;
  target.set(value.subarray(0, at), offset);
  offset += at;
  offset += target.write(`${RV_FIELD}${resourceVersion}"${empty ? '' : ','}`, offset, 'latin1');
  target.set(value.subarray(at), offset);
  return offset + value.length - at;
}
