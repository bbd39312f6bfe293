/**
 * The pod-template-hash: kube hashes the pod template with FNV-1a (32 bit), mixes in the
 * Deployment's collisionCount, and spells the decimal digits of the hash with
 * `rand.SafeEncodeString` (an alphabet without vowels, so no words appear). We hash a canonical
 * JSON rendering of the template instead of Go's spew dump, so the values differ from a real
 * cluster's, but the shape is the same: `web-7d9c8b6f5`.
 */

/** FNV-1a, 32 bit, over UTF-8 bytes. */
export function fnv32a(data: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of data) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The alphabet of k8s.io/apimachinery/pkg/util/rand: no vowels, no 0, 1, 3. */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: every character c becomes ALPHANUMS[code(c) % 27]. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += ALPHANUMS[s.charCodeAt(i) % ALPHANUMS.length];
  return out;
}

/** JSON with object keys sorted, and empty objects, empty arrays and nulls dropped. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalize(value)) ?? 'null';
}

function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = normalize((value as Record<string, unknown>)[k]);
      if (v === undefined || v === null) continue;
      if (Array.isArray(v) && v.length === 0) continue;
      if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0) continue;
      out[k] = v;
    }
    return out;
  }
  return value;
}

/**
 * Semantic equality as apimachinery's `equality.Semantic.DeepEqual` treats API objects: nil and
 * empty maps and slices are equal.
 */
export function semanticDeepEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** controller.ComputeHash: the template's hash with the collision count, safely encoded. */
export function computeHash(template: unknown, collisionCount?: number): string {
  const bytes = new TextEncoder().encode(canonicalJson(template));
  let h = fnv32a(bytes);
  if (collisionCount !== undefined && collisionCount !== null) {
    // binary.LittleEndian.PutUint32 into an 8-byte buffer: four bytes of count, four zeros.
    const extra = new Uint8Array(8);
    new DataView(extra.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(extra, h);
  }
  return safeEncodeString(String(h));
}
