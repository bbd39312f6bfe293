/**
 * Custom resource value validation as kube-apiserver 1.32 runs it: kube-openapi's
 * pkg/validation/validate SchemaValidator (type, schema-props, string, format, number, slice, common,
 * object validators in that order; anyOf/oneOf keep the failures of the branch with the highest
 * match count; messages from pkg/validation/errors), then apiextensions-apiserver's
 * kubeOpenAPIResultToFieldErrors (pkg/apiserver/validation/validation.go), and CRD validation
 * ratcheting (pkg/apiserver/validation/ratcheting.go, on by default since 1.30).
 */
import type { FieldError } from '../../apimachinery/errors.js';
import { isSupportedFormat, validatesFormat } from './formats.js';
import { compileGoRegexp } from './go-regexp.js';
import { child, fe, goFloat, goNumber, goQuote, isInt64, type Path } from './go-format.js';
import { deepEqual, isMap, type JSONSchemaProps } from './types.js';

/** A schema node as go-openapi sees it after apiextensions converted it. */
export interface RSchema {
  type: string[];
  nullable: boolean;
  format: string;
  maximum?: number;
  exclusiveMaximum: boolean;
  minimum?: number;
  exclusiveMinimum: boolean;
  maxLength?: number;
  minLength?: number;
  pattern: string;
  maxItems?: number;
  minItems?: number;
  uniqueItems: boolean;
  multipleOf?: number;
  enum?: unknown[];
  maxProperties?: number;
  minProperties?: number;
  required: string[];
  items?: RSchema;
  itemsArray?: RSchema[];
  allOf: RSchema[];
  oneOf: RSchema[];
  anyOf: RSchema[];
  not?: RSchema;
  properties: Map<string, RSchema>;
  additionalProperties?: { allows: boolean; schema?: RSchema };
  listType?: string;
  listMapKeys: string[];
}

/**
 * `runtime`: ConvertJSONSchemaProps + StripUnsupportedFormatsPostProcess (custom resources).
 * `structural`: Structural.ToKubeOpenAPI (CRD default values): no int-or-string typing, formats kept.
 */
export type SchemaMode = 'runtime' | 'structural';

const caches: Record<SchemaMode, WeakMap<object, RSchema>> = { runtime: new WeakMap(), structural: new WeakMap() };

export function toRSchema(s: JSONSchemaProps, mode: SchemaMode, nested = false): RSchema {
  const cache = caches[mode];
  const hit = nested ? undefined : cache.get(s);
  if (hit) return hit;
  const conv = (x: unknown, n = nested): RSchema | undefined =>
    isMap(x) ? toRSchema(x as JSONSchemaProps, mode, n) : undefined;
  const list = (x: unknown, n = nested): RSchema[] => (Array.isArray(x) ? x.filter(isMap).map((y) => conv(y, n)!) : []);
  const num = (x: unknown): number | undefined => (typeof x === 'number' ? x : undefined);
  let type = typeof s.type === 'string' && s.type !== '' ? [s.type] : [];
  if (mode === 'runtime' && s['x-kubernetes-int-or-string'] === true) type = ['integer', 'string'];
  const format = typeof s.format === 'string' ? s.format : '';
  const r: RSchema = {
    type,
    nullable: s.nullable === true,
    format: mode === 'runtime' && !isSupportedFormat(format) ? '' : format,
    maximum: num(s.maximum),
    exclusiveMaximum: s.exclusiveMaximum === true,
    minimum: num(s.minimum),
    exclusiveMinimum: s.exclusiveMinimum === true,
    maxLength: num(s.maxLength),
    minLength: num(s.minLength),
    pattern: typeof s.pattern === 'string' ? s.pattern : '',
    maxItems: num(s.maxItems),
    minItems: num(s.minItems),
    uniqueItems: s.uniqueItems === true,
    multipleOf: num(s.multipleOf),
    enum: Array.isArray(s.enum) && s.enum.length > 0 ? s.enum : undefined,
    maxProperties: num(s.maxProperties),
    minProperties: num(s.minProperties),
    required: Array.isArray(s.required) ? s.required.filter((x): x is string => typeof x === 'string') : [],
    allOf: list(s.allOf, mode === 'structural' || nested),
    oneOf: list(s.oneOf, mode === 'structural' || nested),
    anyOf: list(s.anyOf, mode === 'structural' || nested),
    not: conv(s.not, mode === 'structural' || nested),
    properties: new Map(),
    listType: typeof s['x-kubernetes-list-type'] === 'string' ? s['x-kubernetes-list-type'] : undefined,
    listMapKeys: Array.isArray(s['x-kubernetes-list-map-keys']) ? s['x-kubernetes-list-map-keys'] : [],
  };
  if (Array.isArray(s.items)) r.itemsArray = list(s.items);
  else r.items = conv(s.items);
  if (isMap(s.properties)) {
    for (const k of Object.keys(s.properties).sort()) {
      const p = conv(s.properties[k]);
      if (p) r.properties.set(k, p);
    }
  }
  // A structural schema's value validations (allOf, anyOf, …) carry no additionalProperties.
  if (!(mode === 'structural' && nested)) {
    if (typeof s.additionalProperties === 'boolean') r.additionalProperties = { allows: s.additionalProperties };
    else if (isMap(s.additionalProperties)) r.additionalProperties = { allows: true, schema: conv(s.additionalProperties) };
  }
  if (!nested) cache.set(s, r);
  return r;
}

// ---- results ----

type Code =
  | 'InvalidType'
  | 'Required'
  | 'TooLong'
  | 'TooShort'
  | 'Pattern'
  | 'Enum'
  | 'MultipleOf'
  | 'Max'
  | 'Min'
  | 'Unique'
  | 'MaxItems'
  | 'MinItems'
  | 'TooFewProperties'
  | 'TooManyProperties'
  | 'UnallowedProperty'
  | 'MultipleOfMustBePositive';

interface VError {
  /** Absent for go-openapi's plain (composite) errors, e.g. anyOf failures. */
  code?: Code;
  name: string;
  value?: unknown;
  valid?: number;
  values?: unknown[];
  message: string;
}

class Result {
  errors: VError[] = [];
  matchCount = 0;

  static of(e: VError): Result {
    const r = new Result();
    r.errors.push(e);
    return r;
  }

  get valid(): boolean {
    return this.errors.length === 0;
  }

  add(...errors: VError[]): void {
    for (const e of errors) if (!this.errors.some((x) => x.message === e.message)) this.errors.push(e);
  }

  merge(...others: (Result | undefined)[]): this {
    for (const o of others) {
      if (!o) continue;
      this.add(...o.errors);
      this.matchCount += o.matchCount;
    }
    return this;
  }

  inc(): void {
    this.matchCount++;
  }
}

// ---- correlation of old and new values (k8s.io/apiserver/pkg/cel/common/equality.go) ----

export class Correlation {
  private readonly children = new Map<string | number, Correlation | undefined>();
  private equal?: boolean;
  private mapList?: Map<string, unknown>;
  private unkeyed?: unknown[];

  constructor(
    readonly value: unknown,
    readonly old: unknown,
    readonly schema: RSchema,
  ) {}

  key(field: string): Correlation | undefined {
    if (this.children.has(field)) return this.children.get(field);
    let res: Correlation | undefined;
    if (isMap(this.value) && isMap(this.old) && field in this.value && field in this.old) {
      const sub = this.schema.properties.get(field) ?? this.schema.additionalProperties?.schema;
      if (sub) res = new Correlation(this.value[field], this.old[field], sub);
    }
    this.children.set(field, res);
    return res;
  }

  index(i: number): Correlation | undefined {
    if (this.children.has(i)) return this.children.get(i);
    let res: Correlation | undefined;
    if (Array.isArray(this.value) && i < this.value.length && Array.isArray(this.old) && this.schema.listType === 'map') {
      const old = this.lookupMapListItem(this.value[i]);
      if (old !== undefined && old !== null && this.schema.items) res = new Correlation(this.value[i], old, this.schema.items);
    }
    this.children.set(i, res);
    return res;
  }

  private compositeKey(x: unknown): string | undefined {
    if (!isMap(x)) return undefined;
    const parts: unknown[] = [];
    for (const k of this.schema.listMapKeys) {
      const v = x[k];
      if (!(k in x) || (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')) return undefined;
      parts.push(v);
    }
    return JSON.stringify(parts);
  }

  private lookupMapListItem(item: unknown): unknown {
    if (!this.mapList) {
      this.mapList = new Map();
      this.unkeyed = [...(this.old as unknown[])];
    }
    const key = this.compositeKey(item);
    if (key === undefined) return undefined;
    if (this.mapList.has(key)) return this.mapList.get(key);
    while (this.unkeyed!.length > 0) {
      const candidate = this.unkeyed!.shift();
      const k = this.compositeKey(candidate);
      if (k === undefined) continue;
      if (!this.mapList.has(k)) this.mapList.set(k, candidate);
      if (k === key) return candidate;
    }
    return undefined;
  }

  deepEqual(): boolean {
    if (this.equal === undefined) this.equal = this.computeEqual();
    return this.equal;
  }

  private computeEqual(): boolean {
    const { value, old } = this;
    if ((value === null || value === undefined) && (old === null || old === undefined)) return true;
    if (value === null || value === undefined || old === null || old === undefined) return false;
    if (Array.isArray(old) !== Array.isArray(value) || isMap(old) !== isMap(value)) return false;
    if (Array.isArray(old) && Array.isArray(value)) {
      if (old.length !== value.length) return false;
      for (let i = 0; i < value.length; i++) {
        const c = this.index(i);
        if (!c) return this.mapList === undefined ? deepEqual(old, value) : false;
        if (!c.deepEqual()) return false;
      }
      return true;
    }
    if (isMap(old) && isMap(value)) {
      if (Object.keys(old).length !== Object.keys(value).length) return false;
      for (const k of Object.keys(value)) {
        const c = this.key(k);
        if (!c || !c.deepEqual()) return false;
      }
      return true;
    }
    return deepEqual(old, value);
  }
}

// ---- the validator ----

type Kind = 'map' | 'slice' | 'string' | 'bool' | 'int' | 'float' | 'other';

function kindOf(v: unknown): Kind {
  if (Array.isArray(v)) return 'slice';
  if (isMap(v)) return 'map';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return isInt64(v) ? 'int' : 'float';
  return 'other';
}

/** swag.IsFloat64AJSONInteger (go-openapi/swag v0.23). */
function isJSONInteger(f: number): boolean {
  const max = 2 ** 53 - 1;
  if (!Number.isFinite(f) || f < -max || f > max) return false;
  const g = f >= 0 ? Math.trunc(f) : 0;
  if (f === g || Number.isInteger(f)) return true;
  const diff = Math.abs(f - g);
  if (f === 0 || g === 0 || diff < Number.MIN_VALUE) return diff < 1e-9 * Number.MIN_VALUE;
  return diff / Math.min(Math.abs(f) + Math.abs(g), Number.MAX_VALUE) < 1e-9;
}

/** Validates a value (whole object or a sub-tree) against a schema node at `path` ("" is the root). */
export function validateValue(s: RSchema, data: unknown, path: string, corr?: Correlation): Result {
  if (!corr) return plain(s, data, path, undefined);
  const res = plain(s, data, path, corr);
  if (res.valid || !corr.deepEqual()) return res;
  const ratcheted = new Result();
  ratcheted.matchCount = res.matchCount;
  return ratcheted;
}

function childValidator(s: RSchema, data: unknown, path: string, parentPath: string, field: string, corr?: Correlation): Result {
  const c = corr && !(parentPath === '' && (field === 'kind' || field === 'apiVersion')) ? corr.key(field) : undefined;
  return validateValue(s, data, path, c);
}

function plain(s: RSchema, data: unknown, path: string, corr: Correlation | undefined): Result {
  const res = new Result();
  if (data === null || data === undefined) {
    res.merge(typeValidator(s, null, path));
    res.merge(commonValidator(s, null, path));
    return res;
  }
  const kind = kindOf(data);
  const run = (r: Result | undefined): void => {
    res.merge(r);
    res.inc();
  };
  if (s.type.length > 0 || s.format !== '') run(typeValidator(s, data, path));
  run(schemaPropsValidator(s, data, path, corr));
  if (kind === 'string') run(stringValidator(s, data as string, path));
  if (kind === 'string' && isSupportedFormat(s.format)) run(formatValidator(s, data as string, path));
  if (kind === 'int' || kind === 'float') run(numberValidator(s, data as number, path));
  if (kind === 'slice') run(sliceValidator(s, data as unknown[], path, corr));
  run(commonValidator(s, data, path));
  if (kind === 'map') run(objectValidator(s, data as Record<string, unknown>, path, corr));
  res.inc();
  return res;
}

function invalidType(name: string, typeName: string, value: string): VError {
  return { code: 'InvalidType', name, value, message: `${name} in body must be of type ${typeName}: ${goQuote(value)}` };
}

function typeValidator(s: RSchema, data: unknown, path: string): Result {
  const ok = new Result();
  ok.inc();
  if (data === null) {
    if (s.type.length > 0 && !s.type.includes('null') && !s.nullable) {
      return Result.of(invalidType(path, s.type.join(','), 'null'));
    }
    return ok;
  }
  const kind = kindOf(data);
  const [schType, format] = {
    map: ['object', ''],
    slice: ['array', ''],
    string: ['string', ''],
    bool: ['boolean', ''],
    int: ['integer', 'int64'],
    float: ['number', 'float64'],
    other: ['', ''],
  }[kind];
  const isFloatInt = schType === 'number' && isJSONInteger(data as number) && s.type.includes('integer');
  const isIntFloat = schType === 'integer' && s.type.includes('number');
  if (kind !== 'string' && kind !== 'slice' && s.format !== '' && !(s.type.includes(schType) || format === s.format || isFloatInt || isIntFloat)) {
    return Result.of(invalidType(path, s.format, format));
  }
  if (!(s.type.includes('number') || s.type.includes('integer')) && s.format !== '' && (kind === 'string' || kind === 'slice')) {
    return ok;
  }
  if (!(s.type.includes(schType) || isFloatInt || isIntFloat)) return Result.of(invalidType(path, s.type.join(','), schType));
  return ok;
}

function schemaPropsValidator(s: RSchema, data: unknown, path: string, corr: Correlation | undefined): Result {
  const main = new Result();
  const quoted = goQuote(path);
  if (s.anyOf.length > 0) {
    let best: Result | undefined;
    let firstSuccess: Result | undefined;
    let succeeded = false;
    for (const sub of s.anyOf) {
      const r = plain(sub, data, path, corr);
      if (r.valid) {
        best = undefined;
        succeeded = true;
        firstSuccess ??= r;
        break;
      }
      if (!best || r.matchCount > best.matchCount) best = r;
    }
    if (!succeeded) main.add({ name: path, message: `${quoted} must validate at least one schema (anyOf)` });
    if (best) main.merge(best);
    else if (firstSuccess) main.merge(firstSuccess);
  }
  if (s.oneOf.length > 0) {
    let best: Result | undefined;
    let firstSuccess: Result | undefined;
    let validated = 0;
    for (const sub of s.oneOf) {
      const r = plain(sub, data, path, corr);
      if (r.valid) {
        validated++;
        best = undefined;
        firstSuccess ??= r;
        continue;
      }
      if (validated === 0 && (!best || r.matchCount > best.matchCount)) best = r;
    }
    if (validated !== 1) {
      const more = validated === 0 ? 'Found none valid' : `Found ${validated} valid alternatives`;
      main.add({ name: path, message: `${quoted} must validate one and only one schema (oneOf). ${more}` });
      if (best) main.merge(best);
    } else if (firstSuccess) main.merge(firstSuccess);
  }
  if (s.allOf.length > 0) {
    let validated = 0;
    for (const sub of s.allOf) {
      const r = plain(sub, data, path, corr);
      if (r.valid) validated++;
      main.merge(r);
    }
    if (validated !== s.allOf.length) {
      const more = validated === 0 ? '. None validated' : '';
      main.add({ name: path, message: `${quoted} must validate all the schemas (allOf)${more}` });
    }
  }
  if (s.not && plain(s.not, data, path, corr).valid) {
    main.add({ name: path, message: `${quoted} must not validate the schema (not)` });
  }
  main.inc();
  return main;
}

function stringValidator(s: RSchema, data: string, path: string): Result | undefined {
  const length = Array.from(data).length;
  if (s.maxLength !== undefined && length > s.maxLength) {
    return Result.of({
      code: 'TooLong',
      name: path,
      value: data,
      valid: s.maxLength,
      message: `${path} in body should be at most ${s.maxLength} chars long`,
    });
  }
  if (s.minLength !== undefined && length < s.minLength) {
    return Result.of({
      code: 'TooShort',
      name: path,
      value: data,
      valid: s.minLength,
      message: `${path} in body should be at least ${s.minLength} chars long`,
    });
  }
  if (s.pattern !== '') {
    const re = compileGoRegexp(s.pattern);
    const shown = re.ok ? s.pattern : `${s.pattern}, but pattern is invalid: ${re.error}`;
    if (!re.ok || !re.re.test(data)) {
      return Result.of({ code: 'Pattern', name: path, value: data, message: `${path} in body should match '${shown}'` });
    }
  }
  return undefined;
}

function formatValidator(s: RSchema, data: string, path: string): Result | undefined {
  return validatesFormat(s.format, data) ? undefined : Result.of(invalidType(path, s.format, data));
}

function numberValidator(s: RSchema, data: number, path: string): Result {
  const res = new Result();
  const multiple = new Result();
  const minimum = new Result();
  const maximum = new Result();
  const int = isInt64(data);
  const show = (n: number): string => (int ? goNumber(Math.trunc(n)) : goFloat(n));
  if (s.multipleOf !== undefined) {
    const factor = int ? Math.trunc(s.multipleOf) : s.multipleOf;
    if (factor <= 0) {
      multiple.add({
        code: 'MultipleOfMustBePositive',
        name: path,
        value: factor,
        message: `factor MultipleOf declared for ${path} must be positive: ${show(factor)}`,
      });
    } else {
      const ok = int ? data % factor === 0 : isJSONInteger(factor < 1 ? (1 / factor) * data : data / factor);
      if (!ok) {
        multiple.add({ code: 'MultipleOf', name: path, value: data, message: `${path} in body should be a multiple of ${show(factor)}` });
      }
    }
  }
  if (s.maximum !== undefined) {
    const max = int ? Math.trunc(s.maximum) : s.maximum;
    if ((!s.exclusiveMaximum && data > max) || (s.exclusiveMaximum && data >= max)) {
      const how = s.exclusiveMaximum ? 'less than' : 'less than or equal to';
      maximum.add({ code: 'Max', name: path, value: data, message: `${path} in body should be ${how} ${show(max)}` });
    }
  }
  if (s.minimum !== undefined) {
    const min = int ? Math.trunc(s.minimum) : s.minimum;
    if ((!s.exclusiveMinimum && data < min) || (s.exclusiveMinimum && data <= min)) {
      const how = s.exclusiveMinimum ? 'greater than' : 'greater than or equal to';
      minimum.add({ code: 'Min', name: path, value: data, message: `${path} in body should be ${how} ${show(min)}` });
    }
  }
  res.merge(multiple, minimum, maximum);
  res.inc();
  return res;
}

function sliceValidator(s: RSchema, data: unknown[], path: string, corr: Correlation | undefined): Result {
  const res = new Result();
  if (s.items) {
    data.forEach((v, i) => {
      const c = corr?.index(i);
      res.merge(validateValue(s.items!, v, `${path}[${i}]`, c));
    });
  }
  if (s.itemsArray) {
    s.itemsArray.forEach((sub, i) => {
      if (i < data.length) res.merge(validateValue(sub, data[i], `${path}[${i}]`, corr?.index(i)));
    });
  }
  const size = data.length;
  if (s.minItems !== undefined && size < s.minItems) {
    res.add({ code: 'MinItems', name: path, value: size, valid: s.minItems, message: `${path} in body should have at least ${s.minItems} items` });
  }
  if (s.maxItems !== undefined && size > s.maxItems) {
    res.add({ code: 'MaxItems', name: path, value: size, valid: s.maxItems, message: `${path} in body should have at most ${s.maxItems} items` });
  }
  if (s.uniqueItems && data.some((v, i) => data.slice(0, i).some((u) => deepEqual(u, v)))) {
    res.add({ code: 'Unique', name: path, message: `${path} in body shouldn't contain duplicates` });
  }
  res.inc();
  return res;
}

/** reflect ConvertibleTo + DeepEqual, as go-openapi compares a value with an enum entry. */
function enumMatches(data: unknown, e: unknown): boolean {
  if (data === null || data === undefined || e === null || e === undefined) return false;
  if (typeof e === 'number') {
    if (typeof data !== 'number') return false;
    return isInt64(e) ? Math.trunc(data) === e : data === e;
  }
  if (typeof e === 'string') {
    if (typeof data === 'string') return data === e;
    if (typeof data === 'number' && isInt64(data)) {
      const valid = data >= 0 && data <= 0x10ffff && !(data >= 0xd800 && data <= 0xdfff);
      return (valid ? String.fromCodePoint(data) : '\ufffd') === e;
    }
    return false;
  }
  if (typeof e === 'boolean') return data === e;
  if (Array.isArray(e)) return Array.isArray(data) && deepEqual(data, e);
  return isMap(e) && isMap(data) && deepEqual(data, e);
}

function commonValidator(s: RSchema, data: unknown, path: string): Result | undefined {
  if (!s.enum) return undefined;
  if (s.enum.some((e) => enumMatches(data, e))) return undefined;
  return Result.of({
    code: 'Enum',
    name: path,
    value: data,
    values: s.enum,
    message: `${path} in body should be one of ${goSprint(s.enum)}`,
  });
}

function objectValidator(s: RSchema, data: Record<string, unknown>, path: string, corr: Correlation | undefined): Result {
  const res = new Result();
  const keys = Object.keys(data);
  const n = keys.length;
  if (s.minProperties !== undefined && n < s.minProperties) {
    res.add({
      code: 'TooFewProperties',
      name: path,
      value: n,
      valid: s.minProperties,
      message: `${path} in body should have at least ${s.minProperties} properties`,
    });
  }
  if (s.maxProperties !== undefined && n > s.maxProperties) {
    res.add({
      code: 'TooManyProperties',
      name: path,
      value: n,
      valid: s.maxProperties,
      message: `${path} in body should have at most ${s.maxProperties} properties`,
    });
  }
  const ap = s.additionalProperties;
  if (ap && !ap.allows) {
    for (const k of keys) {
      if (!s.properties.has(k)) {
        res.add({ code: 'UnallowedProperty', name: path, value: k, message: `${path}.${k} in body is a forbidden property` });
      }
    }
  } else if (ap?.schema) {
    for (const k of keys) {
      if (!s.properties.has(k)) res.merge(childValidator(ap.schema, data[k], `${path}.${k}`, path, k, corr));
    }
  }
  for (const [name, sub] of s.properties) {
    if (Object.prototype.hasOwnProperty.call(data, name)) {
      res.merge(childValidator(sub, data[name], path === '' ? name : `${path}.${name}`, path, name, corr));
    }
  }
  for (const k of s.required) {
    if (!Object.prototype.hasOwnProperty.call(data, k)) {
      res.add({ code: 'Required', name: `${path}.${k}`, message: `${path}.${k} in body is required` });
    }
  }
  return res;
}

/** Go's `%v` of a decoded JSON value (only used where messages are compared, never shown by kube). */
function goSprint(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'number') return goNumber(v);
  if (Array.isArray(v)) return `[${v.map(goSprint).join(' ')}]`;
  if (isMap(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goSprint(v[k])}`).join(' ')}]`;
  return String(v);
}

/** encoding/json's Marshal of a decoded JSON value. */
export function goJSON(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number') {
    if (isInt64(v)) return BigInt(v).toString();
    const abs = Math.abs(v);
    if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) return v.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
    return String(v);
  }
  if (typeof v === 'string') {
    return JSON.stringify(v)
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026')
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029');
  }
  if (Array.isArray(v)) return `[${v.map(goJSON).join(',')}]`;
  if (isMap(v)) return `{${Object.keys(v).sort().map((k) => `${goJSON(k)}:${goJSON(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** kubeOpenAPIResultToFieldErrors: go-openapi errors as kube field errors under `base`. */
export function toFieldErrors(base: Path, res: Result): FieldError[] {
  return res.errors.map((e) => {
    if (e.code === undefined) return fe.invalid(base, '', e.message);
    const p = e.name !== '' && e.name !== '.' ? child(base, e.name.startsWith('.') ? e.name.slice(1) : e.name) : base;
    switch (e.code) {
      case 'Required':
        return fe.required(p);
      case 'Enum':
        return fe.notSupported(p, e.value, (e.values ?? []).map((v) => (typeof v === 'string' ? v : goJSON(v))));
      case 'TooLong':
        return fe.tooLong(p, e.valid ?? -1);
      case 'MaxItems':
      case 'TooManyProperties':
        return fe.tooMany(p, (e.value as number) ?? -1, e.valid ?? -1);
      case 'InvalidType':
        return fe.typeInvalid(p, e.value ?? '', e.message);
      default:
        return fe.invalid(p, e.value ?? '', e.message);
    }
  });
}
