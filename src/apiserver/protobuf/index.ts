/**
 * @module apiserver/protobuf
 *
 * Reads Kubernetes protobuf request bodies (`Content-Type: application/vnd.kubernetes.protobuf`),
 * which kubectl's typed clients send for `kubectl create namespace|configmap|secret|deployment|…`,
 * into the same JSON objects the JSON API takes.
 *
 * The body is the 4-byte magic `k8s\0` followed by a `runtime.Unknown` message: typeMeta (1:
 * {apiVersion 1, kind 2}), raw (2: the object's own message), contentEncoding (3), contentType (4).
 * The object is read with the field tables in ./descriptors.ts and turned into Kubernetes JSON: JSON
 * field names, embedded (`inline`) structs flattened, Time as RFC 3339 seconds, MicroTime with
 * microseconds, Quantity as its string, IntOrString as a number or a string, bytes as base64, maps
 * as objects, int64 as JS numbers, and the zero values of Go value fields tagged `omitempty` left out
 * (gogo-protobuf always writes those, so on the wire zero means unset).
 *
 * Nothing is dropped silently: a field number the tables do not know, a wire type that does not fit
 * the field, or bytes that are not a well-formed message fail with 400 BadRequest naming the kind,
 * the message, the field number and where in the object it was. A kind with no table fails with 415
 * UnsupportedMediaType.
 *
 * Written as a small reader rather than with protobufjs: protobufjs' decoders skip unknown fields
 * without a trace (the brief is to fail on them), and every value needs Kubernetes-specific JSON
 * conversion (inline structs, omitempty zeros, Time/Quantity/IntOrString) after decoding anyway; the
 * wire format subset Kubernetes uses is a varint and a length prefix.
 */
import { StatusError, badRequest } from '../../apimachinery/errors.js';
import { KINDS, MESSAGES } from './descriptors.js';
import { WIRE_LEN, WIRE_VARINT, WireError, WireReader } from './wire.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

/** `k8s\0`, the prefix of every Kubernetes protobuf message. */
const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

export interface DecodedProtobuf {
  apiVersion: string;
  kind: string;
  /** The object in its JSON form, with `apiVersion` and `kind` set. */
  object: Record<string, unknown>;
}

/** True when the bytes start with the Kubernetes protobuf magic prefix. */
export function isKubernetesProtobuf(body: Uint8Array): boolean {
  return body.length >= MAGIC.length && MAGIC.every((b, i) => body[i] === b);
}

/** The `apiVersion kind` pairs whose protobuf bodies can be decoded (`meta Kind` = any group version). */
export function supportedProtobufKinds(): string[] {
  return Object.keys(KINDS);
}

/**
 * Decodes a Kubernetes protobuf request body into its JSON object.
 * @throws StatusError 400 for a malformed body or data the descriptors do not cover, 415 for a kind with no descriptor.
 */
export function decodeKubernetesProtobuf(body: Buffer | Uint8Array): DecodedProtobuf {
  if (!isKubernetesProtobuf(body)) {
    throw badRequest('the request body is not a Kubernetes protobuf message: it does not start with the "k8s\\x00" prefix');
  }
  const envelope = decodeEnvelope(body);
  const { apiVersion, kind } = envelope;
  if (!kind) throw badRequest('the protobuf request body does not name the kind of its object (runtime.Unknown typeMeta.kind is empty)');
  if (envelope.contentEncoding) {
    throw badRequest(`the protobuf request body for ${apiVersion} ${kind} uses contentEncoding "${envelope.contentEncoding}", which this server does not support`);
  }
  if (envelope.contentType && envelope.contentType !== PROTOBUF_MEDIA_TYPE) {
    throw badRequest(`the protobuf request body for ${apiVersion} ${kind} wraps content of type "${envelope.contentType}", which this server does not support`);
  }
  const message = KINDS[`${apiVersion} ${kind}`] ?? KINDS[`meta ${kind}`];
  if (!message) {
    throw new StatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - this server cannot decode ${PROTOBUF_MEDIA_TYPE} for apiVersion "${apiVersion}", kind "${kind}"; send it as application/json`,
      { kind, causes: [{ reason: 'UnsupportedMediaType', message: PROTOBUF_MEDIA_TYPE }] },
    );
  }
  const ctx: Context = { what: `${apiVersion} ${kind}` };
  const fields = decodeMessage(message, envelope.raw, '', ctx, 0);
  return { apiVersion, kind, object: { apiVersion, kind, ...fields } };
}

// ---------------------------------------------------------------------------------------------
// The runtime.Unknown envelope.

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

const utf8 = new TextDecoder('utf-8');

function decodeEnvelope(body: Uint8Array): Envelope {
  const out: Envelope = { apiVersion: '', kind: '', raw: new Uint8Array(0), contentEncoding: '', contentType: '' };
  const where = 'the protobuf request body (runtime.Unknown)';
  try {
    const r = new WireReader(body, MAGIC.length);
    while (!r.done) {
      const { field, wireType } = r.tag();
      if (wireType !== WIRE_LEN || field > 4) {
        throw badRequest(`${where} has field number ${field} with wire type ${wireType}, which runtime.Unknown does not define`);
      }
      const bytes = r.bytes();
      if (field === 1) {
        const t = new WireReader(bytes);
        while (!t.done) {
          const tm = t.tag();
          if (tm.wireType !== WIRE_LEN || tm.field > 2) {
            throw badRequest(`${where} has field number ${tm.field} with wire type ${tm.wireType} in typeMeta, which runtime.TypeMeta does not define`);
          }
          const s = utf8.decode(t.bytes());
          if (tm.field === 1) out.apiVersion = s;
          else out.kind = s;
        }
      } else if (field === 2) out.raw = bytes;
      else if (field === 3) out.contentEncoding = utf8.decode(bytes);
      else out.contentType = utf8.decode(bytes);
    }
  } catch (e) {
    if (e instanceof WireError) throw badRequest(`${where} is malformed: ${e.message}`);
    throw e;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Field tables, compiled once from ./descriptors.ts.

type Scalar = 'string' | 'bytes' | 'bool' | 'int32' | 'int64';
const SCALARS: ReadonlySet<string> = new Set<Scalar>(['string', 'bytes', 'bool', 'int32', 'int64']);

interface FieldSpec {
  /** The JSON name, or null for an inline (embedded) struct whose fields go into the parent. */
  json: string | null;
  type: string;
  scalar: boolean;
  repeated: boolean;
  map: boolean;
  /** A Go value field tagged omitempty: its zero value means unset. */
  omitZero: boolean;
}

const FIELD_SPEC = /^(\.\.\.|[A-Za-z][A-Za-z0-9]*): (\[\]|\{\})?([A-Za-z][A-Za-z0-9]*)(\?)?$/;

function compile(): Map<string, Map<number, FieldSpec>> {
  const out = new Map<string, Map<number, FieldSpec>>();
  for (const [name, fields] of Object.entries(MESSAGES)) {
    const m = new Map<number, FieldSpec>();
    for (const [num, text] of Object.entries(fields)) {
      const match = FIELD_SPEC.exec(text);
      if (!match) throw new Error(`protobuf descriptors: ${name} field ${num}: cannot parse ${JSON.stringify(text)}`);
      const [, json, shape, type, zero] = match;
      const spec: FieldSpec = {
        json: json === '...' ? null : json,
        type,
        scalar: SCALARS.has(type),
        repeated: shape === '[]',
        map: shape === '{}',
        omitZero: zero === '?',
      };
      if (!spec.scalar && !(type in MESSAGES)) throw new Error(`protobuf descriptors: ${name} field ${num}: unknown type ${type}`);
      if (spec.json === null && (spec.scalar || shape)) throw new Error(`protobuf descriptors: ${name} field ${num}: only a single message can be inline`);
      m.set(Number(num), spec);
    }
    out.set(name, m);
  }
  for (const [kind, message] of Object.entries(KINDS)) {
    if (!out.has(message)) throw new Error(`protobuf descriptors: ${kind} names unknown message ${message}`);
  }
  return out;
}

const TABLES = compile();

// ---------------------------------------------------------------------------------------------
// Message decoding.

interface Context {
  /** `apps/v1 Deployment`, for error messages. */
  what: string;
}

/** Go's protobuf decoder has the same nesting limit. */
const MAX_DEPTH = 100;

function fail(ctx: Context, path: string, message: string): StatusError {
  return badRequest(`unable to decode the protobuf request body as ${ctx.what}: at ${path || 'the top level'}: ${message}`);
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

type JsonObject = Record<string, unknown>;

function isPlainObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads one message into `into` (a fresh object unless merging a repeated occurrence or an inline struct). */
function decodeMessage(type: string, bytes: Uint8Array, path: string, ctx: Context, depth: number, into: JsonObject = {}): JsonObject {
  if (depth > MAX_DEPTH) throw fail(ctx, path, `messages nested more than ${MAX_DEPTH} deep`);
  const fields = TABLES.get(type)!;
  const r = new WireReader(bytes);
  try {
    while (!r.done) {
      const { field, wireType } = r.tag();
      const spec = fields.get(field);
      if (!spec) {
        throw fail(ctx, path, `field number ${field} (wire type ${wireType}) of message ${type} is not known to this server`);
      }
      const name = spec.json;
      if (name === null) {
        expectWire(ctx, path, type, field, spec, wireType, WIRE_LEN);
        decodeMessage(spec.type, r.bytes(), path, ctx, depth + 1, into);
        continue;
      }
      const fieldPath = join(path, name);
      if (spec.map) {
        expectWire(ctx, path, type, field, spec, wireType, WIRE_LEN);
        const [key, value] = decodeMapEntry(spec, r.bytes(), fieldPath, ctx, depth + 1);
        const map = isPlainObject(into[name]) ? (into[name] as JsonObject) : (into[name] = {});
        map[key] = value;
      } else if (spec.repeated) {
        const list = Array.isArray(into[name]) ? (into[name] as unknown[]) : (into[name] = []);
        if (spec.scalar && spec.type !== 'string' && spec.type !== 'bytes' && wireType === WIRE_LEN) {
          // A packed run of varints.
          const packed = new WireReader(r.bytes());
          while (!packed.done) list.push(fromVarint(spec.type as Scalar, packed.varint()));
        } else {
          list.push(readValue(spec, wireType, r, `${fieldPath}[${list.length}]`, ctx, depth, type, field));
        }
      } else if (!spec.scalar && !(spec.type in WELL_KNOWN) && isPlainObject(into[name])) {
        // A message field seen twice is merged, as protobuf does.
        expectWire(ctx, path, type, field, spec, wireType, WIRE_LEN);
        decodeMessage(spec.type, r.bytes(), fieldPath, ctx, depth + 1, into[name] as JsonObject);
      } else {
        const value = readValue(spec, wireType, r, fieldPath, ctx, depth, type, field);
        if (value === undefined || (spec.omitZero && isZero(spec.type, value))) delete into[name];
        else into[name] = value;
      }
    }
  } catch (e) {
    if (e instanceof WireError) throw fail(ctx, path, `malformed ${type} message: ${e.message}`);
    throw e;
  }
  return into;
}

function expectWire(ctx: Context, path: string, type: string, field: number, spec: FieldSpec, got: number, want: number): void {
  if (got !== want) {
    throw fail(ctx, path, `field number ${field} (${spec.json ?? 'inline'}) of message ${type} has wire type ${got}, expected ${want}`);
  }
}

function readValue(
  spec: Pick<FieldSpec, 'type' | 'scalar' | 'json'>,
  wireType: number,
  r: WireReader,
  path: string,
  ctx: Context,
  depth: number,
  parent: string,
  field: number,
): unknown {
  const fs = spec as FieldSpec;
  if (!spec.scalar) {
    expectWire(ctx, path, parent, field, fs, wireType, WIRE_LEN);
    return messageValue(spec.type, r.bytes(), path, ctx, depth + 1);
  }
  switch (spec.type as Scalar) {
    case 'string':
      expectWire(ctx, path, parent, field, fs, wireType, WIRE_LEN);
      return utf8.decode(r.bytes());
    case 'bytes':
      expectWire(ctx, path, parent, field, fs, wireType, WIRE_LEN);
      return Buffer.from(r.bytes()).toString('base64');
    default:
      expectWire(ctx, path, parent, field, fs, wireType, WIRE_VARINT);
      return fromVarint(spec.type as Scalar, r.varint());
  }
}

function fromVarint(type: Scalar, v: bigint): number | boolean {
  switch (type) {
    case 'bool':
      return v !== 0n;
    case 'int32':
      return Number(BigInt.asIntN(32, v));
    default:
      // int64: JSON numbers, as the JSON API has them (exact up to 2^53).
      return Number(BigInt.asIntN(64, v));
  }
}

/** A message's JSON value: an object, or the converted form of a well-known type (undefined = null/unset). */
function messageValue(type: string, bytes: Uint8Array, path: string, ctx: Context, depth: number): unknown {
  const fields = decodeMessage(type, bytes, path, ctx, depth);
  const convert = WELL_KNOWN[type];
  return convert ? convert(fields, (message) => fail(ctx, path, message)) : fields;
}

function decodeMapEntry(spec: FieldSpec, bytes: Uint8Array, path: string, ctx: Context, depth: number): [string, unknown] {
  let key = '';
  let value: unknown;
  const valueSpec = { type: spec.type, scalar: spec.scalar, json: spec.json };
  const r = new WireReader(bytes);
  try {
    while (!r.done) {
      const { field, wireType } = r.tag();
      if (field === 1) {
        if (wireType !== WIRE_LEN) throw fail(ctx, path, `map key has wire type ${wireType}, expected ${WIRE_LEN}`);
        key = utf8.decode(r.bytes());
      } else if (field === 2) {
        value = readValue(valueSpec, wireType, r, `${path}[${JSON.stringify(key)}]`, ctx, depth, `map entry of ${spec.json}`, 2);
      } else {
        throw fail(ctx, path, `field number ${field} (wire type ${wireType}) of a map entry is not known to this server`);
      }
    }
  } catch (e) {
    if (e instanceof WireError) throw fail(ctx, path, `malformed map entry: ${e.message}`);
    throw e;
  }
  if (value === undefined) value = zeroValue(spec, `${path}[${JSON.stringify(key)}]`, ctx, depth);
  return [key, value];
}

/** The value of a map entry written without one (protobuf's default for the value type). */
function zeroValue(spec: FieldSpec, path: string, ctx: Context, depth: number): unknown {
  if (!spec.scalar) return messageValue(spec.type, new Uint8Array(0), path, ctx, depth + 1) ?? null;
  switch (spec.type as Scalar) {
    case 'string':
    case 'bytes':
      return '';
    case 'bool':
      return false;
    default:
      return 0;
  }
}

function isZero(type: string, value: unknown): boolean {
  if (value === '' || value === 0 || value === false) return true;
  return type === 'Quantity' && value === '0';
}

// ---------------------------------------------------------------------------------------------
// apimachinery's value types, whose JSON form is not their message's fields.

type Convert = (fields: JsonObject, fail: (message: string) => StatusError) => unknown;

const WELL_KNOWN: Readonly<Record<string, Convert>> = {
  // metav1.Time: whole seconds (its protobuf form drops nanoseconds, as its JSON form does); the
  // zero Time is written as an empty message and is null in JSON.
  Time(f, fail) {
    if (f.seconds === undefined && f.nanos === undefined) return undefined;
    return rfc3339(Number(f.seconds ?? 0), fail);
  },
  // metav1.MicroTime: RFC 3339 with exactly six fractional digits.
  MicroTime(f, fail) {
    if (f.seconds === undefined && f.nanos === undefined) return undefined;
    const nanos = Number(f.nanos ?? 0);
    if (nanos < 0 || nanos >= 1e9) throw fail(`MicroTime nanos ${nanos} out of range`);
    const micros = String(Math.floor(nanos / 1000)).padStart(6, '0');
    return `${rfc3339(Number(f.seconds ?? 0), fail).slice(0, -1)}.${micros}Z`;
  },
  // resource.Quantity: its canonical string; the zero Quantity is "0".
  Quantity(f) {
    return typeof f.string === 'string' && f.string !== '' ? f.string : '0';
  },
  // intstr.IntOrString: type 0 = Int (intVal), 1 = String (strVal).
  IntOrString(f, fail) {
    const type = Number(f.type ?? 0);
    if (type === 0) return Number(f.intVal ?? 0);
    if (type === 1) return typeof f.strVal === 'string' ? f.strVal : '';
    throw fail(`IntOrString type ${type} is neither 0 (Int) nor 1 (String)`);
  },
  // metav1.FieldsV1: Raw holds the JSON of the field set.
  FieldsV1(f, fail) {
    if (typeof f.Raw !== 'string') return undefined;
    const text = Buffer.from(f.Raw, 'base64').toString('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw fail('FieldsV1 Raw is not JSON');
    }
  },
  // authentication/authorization ExtraValue and AttestationValue: a list of strings.
  ExtraValue: (f) => f.items ?? [],
  AttestationValue: (f) => f.items ?? [],
};

function rfc3339(seconds: number, fail: (message: string) => StatusError): string {
  const d = new Date(seconds * 1000);
  const year = d.getUTCFullYear();
  if (!Number.isFinite(d.getTime()) || year < 0 || year > 9999) throw fail(`time ${seconds}s since the epoch is out of range`);
  return `${d.toISOString().slice(0, 19)}Z`;
}
