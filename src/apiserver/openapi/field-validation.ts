/**
 * Server-side field validation (`fieldValidation=Strict|Warn|Ignore`): the unknown and duplicate
 * fields of a request body, named as kube-apiserver names them.
 *
 * - Built-in kinds are decoded strictly into Go structs (sigs.k8s.io/json): errors come in
 *   document order, unknown and duplicate fields interleaved, each reported once; a key that is
 *   both unknown and repeated is reported as unknown only; duplicate keys are checked in known
 *   struct fields and in maps. Opaque values (RawExtension, FieldsV1, JSON) are not looked into.
 * - Custom resources are decoded into maps (every duplicate key is reported, first, in
 *   document order) and then pruned by their structural schema: unknown `metadata` fields
 *   first, then the other pruned paths sorted, then unknown fields in the metadata of embedded
 *   resources. `x-kubernetes-preserve-unknown-fields` keeps unknown fields at its level.
 *
 * Paths join field names with `.` and list indexes as `[i]`:
 * `spec.template.spec.containers[0].imagee`. Messages: `unknown field "<path>"` and
 * `duplicate field "<path>"`; a Strict failure is a 400 BadRequest whose message is
 * `strict decoding error: ` + the messages joined with `, `; Warn sends each message as a
 * `Warning: 299 - "<message>"` header.
 */
import { refName, type Schema } from './schema.js';
import type { KindSchema } from './documents.js';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** A parsed JSON value that keeps every occurrence of a repeated key, in document order. */
export type JsonNode =
  | { readonly t: 'object'; readonly entries: ReadonlyArray<readonly [string, JsonNode]> }
  | { readonly t: 'array'; readonly items: readonly JsonNode[] }
  | { readonly t: 'scalar' };

const SCALAR: JsonNode = { t: 'scalar' };
const LITERAL = /true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The unknown fields of `obj` (an already decoded body), by path, as Strict reports them. */
export function findUnknownFields(kind: KindSchema, obj: unknown): string[] {
  return unknownFields(kind, toNode(obj));
}

/**
 * Every repeated key in a JSON text, by path (`spec.paused`, `metadata.labels.app`), in document
 * order, each once. Throws SyntaxError for text that is not JSON.
 */
export function findDuplicateFields(jsonText: string): string[] {
  return findDuplicatesIn(parseJsonNodes(jsonText));
}

/**
 * The strict decoding errors of a JSON request body, in kube's order and wording
 * (`unknown field "spec.replica"`, `duplicate field "spec.paused"`). Empty when the body is
 * clean. Throws SyntaxError for text that is not JSON.
 */
export function strictDecodingErrors(kind: KindSchema, jsonText: string): string[] {
  const root = parseJsonNodes(jsonText);
  if (kind.structural) {
    return [...findDuplicatesIn(root).map(duplicateMessage), ...unknownFields(kind, root).map(unknownMessage)];
  }
  return typedErrors(kind, root);
}

/** The message of a Strict failure (HTTP 400, reason BadRequest). */
export function strictDecodingMessage(errors: readonly string[]): string {
  return `strict decoding error: ${errors.join(', ')}`;
}

/** A `Warning` header value for one message: `299 - "unknown field \"spec.replica\""`. */
export function warningHeaderValue(message: string): string {
  return `299 - "${message.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function unknownMessage(path: string): string {
  return `unknown field ${JSON.stringify(path)}`;
}

export function duplicateMessage(path: string): string {
  return `duplicate field ${JSON.stringify(path)}`;
}

// ---------------------------------------------------------------------------------------------
// Schema walking

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** A schema with `$ref`s and single-member `allOf`s followed (properties of `allOf` merged). */
function resolved(kind: KindSchema, s: Schema | undefined, depth = 0): Schema | undefined {
  if (!s || depth > 32) return s;
  if (depth === 0 && !kind.structural) {
    // Built-in schemas never change: resolve each node once.
    const hit = resolvedBuiltins.get(s);
    if (hit !== undefined) return hit;
    const r = resolvedUncached(kind, s, depth);
    if (r) resolvedBuiltins.set(s, r);
    return r;
  }
  return resolvedUncached(kind, s, depth);
}

const resolvedBuiltins = new WeakMap<Schema, Schema>();

function resolvedUncached(kind: KindSchema, s: Schema, depth: number): Schema | undefined {
  if (s.$ref) return resolved(kind, kind.resolve(refName(s.$ref)), depth + 1);
  if (s.allOf?.length) {
    let merged: Schema = { ...s, allOf: undefined };
    for (const part of s.allOf) {
      const r = resolved(kind, part, depth + 1);
      if (!r) continue;
      merged = {
        ...r,
        ...merged,
        properties: r.properties || merged.properties ? { ...(r.properties ?? {}), ...(merged.properties ?? {}) } : undefined,
      };
    }
    return merged;
  }
  return s;
}

type Shape =
  | { kind: 'struct'; properties: Record<string, Schema>; extra?: Schema; preserve: boolean; embedded: boolean }
  | { kind: 'map'; values: Schema }
  | { kind: 'list'; items: Schema }
  | { kind: 'open' };

/** Whether a schema refers to a named (built-in, typed) schema. */
function viaRef(s: Schema | undefined): boolean {
  return !!s && (!!s.$ref || !!s.allOf?.some((p) => !!p.$ref));
}

/**
 * How a value is decoded under a schema. `structural` is true inside a custom resource's own
 * schema and false once a `$ref` leads into a built-in type (ObjectMeta).
 */
function shapeOf(kind: KindSchema, schema: Schema | undefined, structural: boolean): Shape {
  const s = resolved(kind, schema);
  if (!s) return { kind: 'open' };
  if (s.items) return { kind: 'list', items: s.items };
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  const extra = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
  if (s.properties || embedded) return { kind: 'struct', properties: s.properties ?? {}, extra, preserve, embedded };
  if (extra) return { kind: 'map', values: extra };
  if (s.additionalProperties === true) return { kind: 'open' };
  // `type: object` with nothing declared: an opaque Go value (RawExtension, FieldsV1) for a
  // built-in kind; for a custom resource, an object whose fields are all pruned.
  if (structural && s.type === 'object' && !preserve) return { kind: 'struct', properties: {}, preserve: false, embedded: false };
  return { kind: 'open' };
}

/** Properties an embedded resource has without declaring them. */
const EMBEDDED_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/** Unknown field paths: document order for built-ins; kube's pruning order for custom kinds. */
function unknownFields(kind: KindSchema, root: JsonNode): string[] {
  const found: Array<{ path: string; group: number }> = [];
  const seen = new Set<string>();
  const walk = (n: JsonNode, schema: Schema | undefined, path: string, group: number, parentStructural = kind.structural): void => {
    const structural = parentStructural && !viaRef(schema);
    const shape = shapeOf(kind, schema, structural);
    if (n.t === 'array') {
      if (shape.kind === 'list') n.items.forEach((item, i) => walk(item, shape.items, `${path}[${i}]`, group, structural));
      return;
    }
    if (n.t !== 'object') return;
    if (shape.kind === 'map') {
      for (const [key, value] of n.entries) walk(value, shape.values, join(path, key), group, structural);
      return;
    }
    if (shape.kind !== 'struct') return;
    for (const [key, value] of n.entries) {
      const p = join(path, key);
      const prop = Object.hasOwn(shape.properties, key) ? shape.properties[key] : undefined;
      if (shape.embedded && EMBEDDED_FIELDS.has(key)) {
        // An embedded resource's metadata is ObjectMeta whatever its schema says; custom
        // resources report its unknown fields after the pruned ones (group 2).
        if (key === 'metadata') walk(value, { $ref: `#/components/schemas/${OBJECT_META}` }, p, kind.structural ? 2 : group, structural);
      } else if (prop) {
        // Custom resources: metadata is checked as ObjectMeta before pruning (group 0).
        const g = kind.structural && key === 'metadata' && path === '' ? 0 : group;
        walk(value, prop, p, g, structural);
      } else if (shape.extra) {
        walk(value, shape.extra, p, group, structural);
      } else if (!shape.preserve && !seen.has(p)) {
        seen.add(p);
        found.push({ path: p, group });
      }
    }
  };
  walk(root, kind.schema, '', 1);
  if (!kind.structural) return found.map((f) => f.path);
  const byGroup = (g: number) => found.filter((f) => f.group === g).map((f) => f.path);
  return [...byGroup(0), ...byGroup(1).sort(), ...byGroup(2)];
}

/** All repeated keys of a decoded-into-maps body (custom resources), in document order. */
function findDuplicatesIn(root: JsonNode): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (n: JsonNode, path: string): void => {
    if (n.t === 'array') n.items.forEach((item, i) => walk(item, `${path}[${i}]`));
    if (n.t !== 'object') return;
    const keys = new Set<string>();
    for (const [key, value] of n.entries) {
      const p = join(path, key);
      if (keys.has(key) && !seen.has(p)) {
        seen.add(p);
        out.push(p);
      }
      keys.add(key);
      walk(value, p);
    }
  };
  walk(root, '');
  return out;
}

/** Strict decoding into typed structs: unknown and duplicate fields interleaved, in order. */
function typedErrors(kind: KindSchema, root: JsonNode): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const save = (message: string) => {
    if (!seen.has(message)) {
      seen.add(message);
      out.push(message);
    }
  };
  const walk = (n: JsonNode, schema: Schema | undefined, path: string): void => {
    const shape = shapeOf(kind, schema, false);
    if (n.t === 'array') {
      if (shape.kind === 'list') n.items.forEach((item, i) => walk(item, shape.items, `${path}[${i}]`));
      return;
    }
    if (n.t !== 'object') return;
    if (shape.kind === 'map') {
      const keys = new Set<string>();
      for (const [key, value] of n.entries) {
        if (keys.has(key)) save(duplicateMessage(join(path, key)));
        keys.add(key);
        walk(value, shape.values, join(path, key));
      }
      return;
    }
    if (shape.kind !== 'struct') return;
    const keys = new Set<string>();
    for (const [key, value] of n.entries) {
      const p = join(path, key);
      const prop = Object.hasOwn(shape.properties, key) ? shape.properties[key] : undefined;
      if (prop) {
        if (keys.has(key)) save(duplicateMessage(p));
        keys.add(key);
        walk(value, prop, p);
      } else if (shape.extra) {
        walk(value, shape.extra, p);
      } else if (!shape.preserve) {
        save(unknownMessage(p));
      }
    }
  };
  walk(root, kind.schema, '');
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON

function toNode(v: unknown): JsonNode {
  if (Array.isArray(v)) return { t: 'array', items: v.map(toNode) };
  if (v !== null && typeof v === 'object') return { t: 'object', entries: Object.entries(v).map(([k, x]) => [k, toNode(x)] as const) };
  return SCALAR;
}

/**
 * Parses JSON into nodes that keep repeated keys (JSON.parse keeps only the last). Only the
 * structure is kept; scalars are validated and dropped. Throws SyntaxError on malformed text.
 */
export function parseJsonNodes(text: string): JsonNode {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${i}`);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const string = (): string => {
    // i is at the opening quote.
    const start = ++i;
    let simple = true;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        const raw = text.slice(start, i++);
        return simple ? raw : (JSON.parse(`"${raw}"`) as string);
      }
      if (c === 0x5c) {
        simple = false;
        i += 2;
      } else if (c < 0x20) fail('control character in string');
      else i++;
    }
    return fail('unterminated string');
  };
  const value = (depth: number): JsonNode => {
    if (depth > 10_000) fail('nesting too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: Array<readonly [string, JsonNode]> = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { t: 'object', entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected object key');
        const key = string();
        ws();
        if (text[i++] !== ':') fail("expected ':'");
        entries.push([key, value(depth + 1)]);
        ws();
        const d = text[i++];
        if (d === '}') return { t: 'object', entries };
        if (d !== ',') fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { t: 'array', items };
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        const d = text[i++];
        if (d === ']') return { t: 'array', items };
        if (d !== ',') fail("expected ',' or ']'");
      }
    }
    if (c === '"') {
      string();
      return SCALAR;
    }
    LITERAL.lastIndex = i;
    const m = LITERAL.exec(text);
    if (!m) return fail('unexpected token');
    i += m[0].length;
    return SCALAR;
  };
  const root = value(0);
  ws();
  if (i !== text.length) fail('unexpected data after JSON value');
  return root;
}

/**
 * Remove, in place, the fields a built-in kind's Go types would not decode (what kube does with
 * unknown fields under `fieldValidation=Ignore` or `Warn`). Custom resources are pruned by their
 * structural schema instead; this leaves them alone.
 */
export function dropUnknownFields(kind: KindSchema, obj: unknown): void {
  if (kind.structural) return;
  const walk = (value: unknown, schema: Schema | undefined): void => {
    const shape = shapeOf(kind, schema, false);
    if (Array.isArray(value)) {
      if (shape.kind === 'list') for (const item of value) walk(item, shape.items);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (shape.kind === 'map') {
      for (const v of Object.values(record)) walk(v, shape.values);
      return;
    }
    if (shape.kind !== 'struct') return;
    for (const [key, v] of Object.entries(record)) {
      const prop = Object.hasOwn(shape.properties, key) ? shape.properties[key] : undefined;
      if (prop) walk(v, prop);
      else if (shape.extra) walk(v, shape.extra);
      else if (!shape.preserve) delete record[key];
    }
  };
  walk(obj, kind.schema);
}

/**
 * The strict decoding errors of a JSON body that has already been parsed, with a fast path for
 * the common clean body: count the keys in the text and in the parsed value (a repeated key
 * makes them differ) and look for unknown fields on the parsed value; only a body that fails
 * either check is walked again, token by token, for kube's exact messages and order.
 */
export function strictDecodingErrorsFast(kind: KindSchema, jsonText: string, parsed: unknown): string[] {
  if (countKeysInText(jsonText) === countKeysInValue(parsed) && !hasUnknownFields(kind, parsed)) return [];
  return strictDecodingErrors(kind, jsonText);
}

function countKeysInValue(v: unknown): number {
  if (Array.isArray(v)) {
    let n = 0;
    for (const item of v) n += countKeysInValue(item);
    return n;
  }
  if (v === null || typeof v !== 'object') return 0;
  let n = 0;
  for (const value of Object.values(v)) n += 1 + countKeysInValue(value);
  return n;
}

/** Object keys in JSON text: strings followed by a colon (outside strings). */
function countKeysInText(text: string): number {
  let n = 0;
  let inString = false;
  let stringEnded = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) {
        inString = false;
        stringEnded = true;
      }
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 58 && stringEnded) n++;
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 34) stringEnded = false;
  }
  return n;
}

function hasUnknownFields(kind: KindSchema, obj: unknown): boolean {
  const walk = (value: unknown, schema: Schema | undefined, parentStructural: boolean): boolean => {
    const structural = parentStructural && !viaRef(schema);
    const shape = shapeOf(kind, schema, structural);
    if (Array.isArray(value)) return shape.kind === 'list' && value.some((item) => walk(item, shape.items, structural));
    if (value === null || typeof value !== 'object') return false;
    const record = value as Record<string, unknown>;
    if (shape.kind === 'map') return Object.values(record).some((v) => walk(v, shape.values, structural));
    if (shape.kind !== 'struct') return false;
    for (const [key, v] of Object.entries(record)) {
      if (shape.embedded && EMBEDDED_FIELDS.has(key)) {
        if (key === 'metadata' && walk(v, { $ref: `#/components/schemas/${OBJECT_META}` }, structural)) return true;
        continue;
      }
      const prop = Object.hasOwn(shape.properties, key) ? shape.properties[key] : undefined;
      if (prop ? walk(v, prop, structural) : shape.extra ? walk(v, shape.extra, structural) : !shape.preserve) return true;
    }
    return false;
  };
  return walk(obj, kind.schema, kind.structural);
}
