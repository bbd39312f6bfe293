/**
 * Path elements: one step into an object, as structured-merge-diff names it (fieldpath/element.go,
 * fieldpath/serialize-pe.go). A path element is kept in its serialized FieldsV1 form, which is
 * canonical once decoded, so it can key a Map directly:
 *
 * - `f:<name>`: a field of a map (`f:replicas`);
 * - `k:<json>`: an item of a map-type list, by its key fields, sorted by name
 *   (`k:{"containerPort":80,"protocol":"TCP"}`);
 * - `v:<json>`: an item of a set-type list, by value (`v:"foregroundDeletion"`);
 * - `i:<n>`: an item of a list by index (never produced for Kubernetes types: such lists are atomic).
 *
 * JSON inside keys is written the way Go's encoding/json writes it (HTML-escaped strings, map keys
 * sorted), because kube-apiserver writes it that way and clients compare the strings.
 */

/** A failure to read a FieldsV1 key; the message is structured-merge-diff's. */
export class PathElementError extends Error {
  override readonly name = 'PathElementError';
}

// ---------------------------------------------------------------------------------------------
// Go-compatible JSON

const HTML_UNSAFE = /[<>&\u2028\u2029]/;
/** Characters either JSON or Go's HTML-safe encoding escapes (lone surrogates included). */
const NEEDS_ESCAPE = /["\\\u0000-\u001f<>&\u2028\u2029\ud800-\udfff]/;

/** A JSON string as Go's encoding/json writes it (`<`, `>`, `&`, U+2028 and U+2029 escaped). */
export function goString(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  const json = JSON.stringify(s);
  if (!HTML_UNSAFE.test(json)) return json;
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A JSON value as Go's encoding/json writes a decoded `interface{}` (map keys sorted). */
export function goJson(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return goString(v);
    case 'number':
      return Number.isFinite(v) ? JSON.stringify(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
      const obj = v as Record<string, unknown>;
      const keys = Object.keys(obj).sort(compareStrings);
      return `{${keys.map((k) => `${goString(k)}:${goJson(obj[k])}`).join(',')}}`;
    }
    default:
      return 'null';
  }
}

/** Go's `%q` of a string (strconv.Quote), for messages. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (cp === 7) out += '\\a';
    else if (cp === 8) out += '\\b';
    else if (cp === 12) out += '\\f';
    else if (cp === 10) out += '\\n';
    else if (cp === 13) out += '\\r';
    else if (cp === 9) out += '\\t';
    else if (cp === 11) out += '\\v';
    else if (isGoPrintable(ch)) out += ch;
    else if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isGoPrintable(ch: string): boolean {
  return PRINTABLE.test(ch);
}

/**
 * Orders strings as Go compares them (bytewise UTF-8, i.e. by code point). JavaScript's `<` orders
 * UTF-16 code units, which differs only when a surrogate meets a code unit at or above U+E000.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
      y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
    }
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

/**
 * The total order structured-merge-diff puts on values (value.Compare): numbers (ints and floats
 * compared numerically), then strings, booleans, lists, maps, and null last.
 */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1:
      return compareStrings(a as string, b as string);
    case 2:
      return a === b ? 0 : a ? 1 : -1;
    case 3: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < x.length && i < y.length; i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
    }
    case 4: {
      const x = a as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      const kx = Object.keys(x).sort(compareStrings);
      const ky = Object.keys(y).sort(compareStrings);
      for (let i = 0; i < kx.length && i < ky.length; i++) {
        const c = compareStrings(kx[i], ky[i]) || compareValues(x[kx[i]], y[ky[i]]);
        if (c !== 0) return c;
      }
      return kx.length === ky.length ? 0 : kx.length < ky.length ? -1 : 1;
    }
    default:
      return 0;
  }
}

function rank(v: unknown): number {
  switch (typeof v) {
    case 'number':
      return 0;
    case 'string':
      return 1;
    case 'boolean':
      return 2;
    default:
      if (v === null || v === undefined) return 5;
      return Array.isArray(v) ? 3 : 4;
  }
}

// ---------------------------------------------------------------------------------------------
// Construction

/** `k:{…}` from key fields already sorted by name, each as `[name, value]`. */
export function keyElement(fields: readonly (readonly [string, unknown])[]): string {
  let out = 'k:{';
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) out += ',';
    out += `${goString(fields[i][0])}:${goJson(fields[i][1])}`;
  }
  return `${out}}`;
}

/** `v:<json>`. */
export function valueElement(value: unknown): string {
  return `v:${goJson(value)}`;
}

/** `i:<n>`. */
export function indexElement(index: number): string {
  return `i:${index}`;
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** A path element, decoded. */
export type ParsedElement =
  | { readonly type: 'field'; readonly name: string }
  | { readonly type: 'key'; readonly fields: readonly (readonly [string, unknown])[] }
  | { readonly type: 'value'; readonly value: unknown }
  | { readonly type: 'index'; readonly index: number };

const CACHE_LIMIT = 20000;
/** Raw FieldsV1 key → canonical key (`null`: a type this version does not know, to be skipped). */
const canonicalCache = new Map<string, string | null>();
/** Canonical key → decoded form, for ordering and printing. */
const parsedCache = new Map<string, ParsedElement>();

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, value);
  return value;
}

/**
 * The canonical form of a FieldsV1 key, or `null` for a key of an unknown type (which
 * structured-merge-diff drops). Throws a PathElementError for a malformed key.
 */
export function canonicalElement(raw: string): string | null {
  if (raw.length > 2 && raw.charCodeAt(0) === 0x66 /* f */ && raw.charCodeAt(1) === 0x3a) return raw;
  const cached = canonicalCache.get(raw);
  if (cached !== undefined) return cached;
  return remember(canonicalCache, raw, canonicalize(raw));
}

function canonicalize(raw: string): string | null {
  if (raw.length < 2) throw new PathElementError('key must be 2 characters long:');
  if (raw[1] !== ':') throw new PathElementError(`missing colon: ${raw}`);
  const body = raw.slice(2);
  switch (raw[0]) {
    case 'f':
      return raw;
    case 'v':
      return valueElement(parseJson(body));
    case 'k': {
      const obj = parseJson(body);
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
        throw new PathElementError(`ReadObjectCB: expect { or n, but found ${body.trim()[0] ?? 'EOF'}`);
      }
      const fields = Object.entries(obj as Record<string, unknown>).sort((x, y) => compareStrings(x[0], y[0]));
      return keyElement(fields);
    }
    case 'i': {
      if (!/^[+-]?[0-9]+$/.test(body)) throw new PathElementError(`strconv.Atoi: parsing ${goQuote(body)}: invalid syntax`);
      return indexElement(Number(body));
    }
    default:
      return null;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new PathElementError((e as Error).message);
  }
}

/** Decodes a canonical path element. */
export function parseElement(pe: string): ParsedElement {
  if (pe.charCodeAt(0) === 0x66) return { type: 'field', name: pe.slice(2) };
  const cached = parsedCache.get(pe);
  if (cached) return cached;
  const body = pe.slice(2);
  let parsed: ParsedElement;
  switch (pe[0]) {
    case 'k':
      parsed = { type: 'key', fields: Object.entries(JSON.parse(body) as Record<string, unknown>) };
      break;
    case 'v':
      parsed = { type: 'value', value: JSON.parse(body) };
      break;
    case 'i':
      parsed = { type: 'index', index: Number(body) };
      break;
    default:
      throw new PathElementError(`unknown path element: ${pe}`);
  }
  return remember(parsedCache, pe, parsed);
}

// ---------------------------------------------------------------------------------------------
// Ordering and printing

const TYPE_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** structured-merge-diff's order of path elements: fields, then keys, values, indices. */
export function compareElements(a: string, b: string): number {
  if (a === b) return 0;
  const ta = a.charCodeAt(0);
  const tb = b.charCodeAt(0);
  if (ta === 0x66 && tb === 0x66) return compareStrings(a, b); // same `f:` prefix: compare names
  if (ta !== tb) return TYPE_ORDER[a[0]] < TYPE_ORDER[b[0]] ? -1 : 1;
  const pa = parseElement(a);
  const pb = parseElement(b);
  if (pa.type === 'key' && pb.type === 'key') {
    for (let i = 0; i < pa.fields.length && i < pb.fields.length; i++) {
      const c = compareStrings(pa.fields[i][0], pb.fields[i][0]) || compareValues(pa.fields[i][1], pb.fields[i][1]);
      if (c !== 0) return c;
    }
    return pa.fields.length === pb.fields.length ? 0 : pa.fields.length < pb.fields.length ? -1 : 1;
  }
  if (pa.type === 'value' && pb.type === 'value') return compareValues(pa.value, pb.value);
  if (pa.type === 'index' && pb.type === 'index') return pa.index < pb.index ? -1 : pa.index > pb.index ? 1 : 0;
  return 0;
}

/** Go's `value.ToString`: `"x"` for strings, `%v` otherwise, `k=v` pairs for maps. */
function valueToString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goQuote(v);
  if (Array.isArray(v)) return `[${v.map(valueToString).join(',')}]`;
  if (typeof v === 'object') {
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${k}=${valueToString(x)}`)
      .join('');
  }
  return String(v);
}

/**
 * A path element as structured-merge-diff prints it: `.name`, `[name="nginx"]`,
 * `[containerPort=80,protocol="TCP"]`, `[="value"]`, `[0]`.
 */
export function elementToString(pe: string): string {
  const parsed = parseElement(pe);
  switch (parsed.type) {
    case 'field':
      return `.${parsed.name}`;
    case 'key':
      return `[${parsed.fields.map(([k, v]) => `${k}=${valueToString(v)}`).join(',')}]`;
    case 'value':
      return `[=${valueToString(parsed.value)}]`;
    default:
      return `[${parsed.index}]`;
  }
}

/** A path as structured-merge-diff prints it: `.spec.template.spec.containers[name="nginx"].image`. */
export function pathToString(path: readonly string[]): string {
  let out = '';
  for (const pe of path) out += elementToString(pe);
  return out;
}
