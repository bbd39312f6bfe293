/**
 * What kube-apiserver 1.32 checks in a CRD version's `schema.openAPIV3Schema` when the CRD is
 * created (apiextensions-apiserver pkg/apis/apiextensions/validation/validation.go
 * validateCustomResourceDefinitionValidation and ValidateCustomResourceDefinitionOpenAPISchema, with
 * every `require…` option on; pkg/apiserver/schema/{convert,validation,complete}.go for structural
 * schemas; pkg/apiserver/schema/defaulting/validation.go for defaults).
 */
import type { FieldError } from '../../apimachinery/errors.js';
import { compileGoRegexp } from './go-regexp.js';
import { aggregateString, child, errorString, fe, goStrings, index, key, type Path } from './go-format.js';
import { coerceError, validateEmbeddedResources } from './objectmeta.js';
import { toFieldErrors, toRSchema, validateValue } from './openapi-validate.js';
import { pruneBySchema } from './pruning.js';
import { deepCopy, deepEqual, hasDefault, isMap, type JSONSchemaProps, type JsonMap } from './types.js';

export interface SchemaValidationOptions {
  /** The version serves the /status subresource: the root may then only use some fields. */
  statusSubresource?: boolean;
}

export function validateCRDSchema(raw: unknown, fieldPath: string, opts: SchemaValidationOptions = {}): FieldError[] {
  if (raw === undefined || raw === null) return [fe.required(fieldPath, 'schemas are required')];
  const decodeErrors: FieldError[] = [];
  const s = decode(raw, fieldPath, decodeErrors);
  if (decodeErrors.length > 0) return decodeErrors;

  const errs: FieldError[] = [];
  if (opts.statusSubresource) errs.push(...statusRootErrors(s, fieldPath));
  if (s.nullable) errs.push(fe.forbidden(child(fieldPath, 'nullable'), 'nullable cannot be true at the root'));

  const initError = newStructuralError(s);
  if (!initError) {
    const structural = validateStructural(s, fieldPath);
    errs.push(...(structural.length > 0 ? structural : validateDefaults(s, fieldPath)));
  }
  errs.push(...openAPISchemaErrors(s, fieldPath, { allowDefaults: true, reason: '', insideMeta: false }, true));
  // NewStructural's errors overlap with the ones above, so they only show when nothing else did.
  if (errs.length === 0 && initError) errs.push(fe.invalid(fieldPath, '', initError));
  return errs;
}

// ---- decoding (what json.Unmarshal into v1.JSONSchemaProps accepts) ----

const STRING_FIELDS = ['id', '$schema', '$ref', 'description', 'type', 'format', 'title', 'pattern', 'x-kubernetes-list-type', 'x-kubernetes-map-type'];
const FLOAT_FIELDS = ['maximum', 'minimum', 'multipleOf'];
const INT_FIELDS = ['maxLength', 'minLength', 'maxItems', 'minItems', 'maxProperties', 'minProperties'];
const BOOL_FIELDS = [
  'exclusiveMaximum',
  'exclusiveMinimum',
  'uniqueItems',
  'nullable',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
];
const STRING_LIST_FIELDS = ['required', 'x-kubernetes-list-map-keys'];
const SCHEMA_LIST_FIELDS = ['allOf', 'oneOf', 'anyOf'];
const SCHEMA_MAP_FIELDS = ['properties', 'patternProperties', 'definitions'];

function jsonKind(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

/** A clean copy of a schema node: known fields only, nulls dropped (Go leaves them unset). */
function decode(raw: unknown, p: string, errs: FieldError[]): JSONSchemaProps {
  const out: JsonMap = {};
  const fail = (field: string, v: unknown, goType: string): void => {
    errs.push(
      fe.invalid(child(p, field), v, `json: cannot unmarshal ${jsonKind(v)} into Go struct field JSONSchemaProps.${field} of type ${goType}`),
    );
  };
  if (!isMap(raw)) {
    errs.push(fe.invalid(p, raw, `json: cannot unmarshal ${jsonKind(raw)} into Go value of type v1.JSONSchemaProps`));
    return {};
  }
  for (const [k, v] of Object.entries(raw)) {
    if (v === null || v === undefined) continue;
    if (STRING_FIELDS.includes(k)) {
      if (typeof v === 'string') out[k] = v;
      else fail(k, v, 'string');
    } else if (FLOAT_FIELDS.includes(k)) {
      if (typeof v === 'number') out[k] = v;
      else fail(k, v, 'float64');
    } else if (INT_FIELDS.includes(k)) {
      if (typeof v === 'number' && Number.isInteger(v)) out[k] = v;
      else fail(k, v, 'int64');
    } else if (BOOL_FIELDS.includes(k)) {
      if (typeof v === 'boolean') out[k] = v;
      else fail(k, v, 'bool');
    } else if (STRING_LIST_FIELDS.includes(k)) {
      if (Array.isArray(v) && v.every((x) => typeof x === 'string' || x === null)) out[k] = v.map((x) => x ?? '');
      else fail(k, v, '[]string');
    } else if (k === 'default' || k === 'example') {
      out[k] = v;
    } else if (k === 'enum') {
      if (Array.isArray(v)) out[k] = v;
      else fail(k, v, '[]v1.JSON');
    } else if (k === 'not') {
      out[k] = decode(v, child(p, k), errs);
    } else if (k === 'items') {
      out[k] = Array.isArray(v) ? v.map((x, i) => decode(x, index(child(p, k), i), errs)) : decode(v, child(p, k), errs);
    } else if (k === 'additionalProperties' || k === 'additionalItems') {
      out[k] = typeof v === 'boolean' ? v : decode(v, child(p, k), errs);
    } else if (SCHEMA_LIST_FIELDS.includes(k)) {
      if (Array.isArray(v)) out[k] = v.map((x, i) => decode(x, index(child(p, k), i), errs));
      else fail(k, v, '[]v1.JSONSchemaProps');
    } else if (SCHEMA_MAP_FIELDS.includes(k)) {
      if (isMap(v)) {
        const m: JsonMap = {};
        for (const [name, sub] of Object.entries(v)) m[name] = decode(sub, key(child(p, k), name), errs);
        out[k] = m;
      } else fail(k, v, `map[string]v1.JSONSchemaProps`);
    } else if (k === 'dependencies') {
      if (isMap(v)) {
        const m: JsonMap = {};
        for (const [name, sub] of Object.entries(v)) {
          m[name] = Array.isArray(sub) ? sub : decode(sub, key(child(p, k), name), errs);
        }
        out[k] = m;
      } else fail(k, v, 'v1.JSONSchemaDependencies');
    } else if (k === 'externalDocs') {
      if (isMap(v)) out[k] = v;
      else fail(k, v, 'v1.ExternalDocumentation');
    } else if (k === 'x-kubernetes-validations') {
      if (Array.isArray(v) && v.every((x) => isMap(x))) out[k] = v;
      else fail(k, v, 'v1.ValidationRules');
    }
  }
  return out as JSONSchemaProps;
}

// ---- structural schemas ----

const props = (s: JSONSchemaProps): Record<string, JSONSchemaProps> => (isMap(s.properties) ? s.properties : {});
const propKeys = (s: JSONSchemaProps): string[] => Object.keys(props(s)).sort();
const itemsOf = (s: JSONSchemaProps): JSONSchemaProps | undefined => (isMap(s.items) ? (s.items as JSONSchemaProps) : undefined);
const apSchema = (s: JSONSchemaProps): JSONSchemaProps | undefined =>
  isMap(s.additionalProperties) ? (s.additionalProperties as JSONSchemaProps) : undefined;
const propPath = (p: Path, k: string): string => key(child(p, 'properties'), k);
const nonEmpty = (v: unknown): boolean => (Array.isArray(v) ? v.length > 0 : isMap(v) ? Object.keys(v).length > 0 : false);

/** NewStructural's conversion error (unsupported fields, items arrays, preserve-unknown-fields: false). */
function newStructuralError(s: JSONSchemaProps): string | undefined {
  if (s.id) return "OpenAPIV3Schema 'id' is not supported";
  if (s.$schema) return "OpenAPIV3Schema 'schema' is not supported";
  if (s.$ref) return "OpenAPIV3Schema '$ref' is not supported";
  if (nonEmpty(s.patternProperties)) return "OpenAPIV3Schema 'patternProperties' is not supported";
  if (nonEmpty(s.dependencies)) return "OpenAPIV3Schema 'dependencies' is not supported";
  if (s.additionalItems !== undefined) return "OpenAPIV3Schema 'additionalItems' is not supported";
  if (nonEmpty(s.definitions)) return "OpenAPIV3Schema 'definitions' is not supported";
  for (const sub of [s.not, ...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? [])]) {
    const err = sub && newStructuralError(sub);
    if (err) return err;
  }
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    return "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined";
  }
  if (Array.isArray(s.items) && s.items.length > 0) return "OpenAPIV3Schema 'items' must be a schema, but is an array";
  const items = itemsOf(s);
  const subs = [...(items ? [items] : []), ...propKeys(s).map((k) => props(s)[k]), ...(apSchema(s) ? [apSchema(s)!] : [])];
  for (const sub of subs) {
    const err = newStructuralError(sub);
    if (err) return err;
  }
  return undefined;
}

type Level = 'root' | 'item' | 'field';

/** ValidateStructural: invariants and completeness, sorted by message as kube sorts them. */
function validateStructural(s: JSONSchemaProps, p: string): FieldError[] {
  const errs = [...structuralInvariants(s, 'root', p), ...completeness(s, s, p, p)];
  return errs.sort((a, b) => (errorString(a) < errorString(b) ? -1 : errorString(a) > errorString(b) ? 1 : 0));
}

function isExactly(n: JSONSchemaProps | undefined, type: string): boolean {
  if (!n || n.type !== type) return false;
  return Object.keys(n).every((k) => k === 'type' || k === 'example' || k === 'externalDocs');
}

const isIntOrStringAnyOf = (s: JSONSchemaProps): boolean =>
  s.anyOf?.length === 2 && isExactly(s.anyOf[0], 'integer') && isExactly(s.anyOf[1], 'string');

function structuralInvariants(s: JSONSchemaProps, lvl: Level, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const items = itemsOf(s);
  if (s.type === 'array' && !items) errs.push(fe.required(child(p, 'items'), 'must be specified'));
  if (items) errs.push(...structuralInvariants(items, 'item', child(p, 'items')));
  for (const k of propKeys(s)) errs.push(...structuralInvariants(props(s)[k], 'field', propPath(p, k)));
  if (s.additionalProperties !== undefined) {
    if (lvl === 'root') errs.push(fe.forbidden(child(p, 'additionalProperties'), 'must not be used at the root'));
    const ap = apSchema(s);
    if (ap) errs.push(...structuralInvariants(ap, 'field', child(p, 'additionalProperties')));
  }

  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  if (intOrString && preserve) {
    errs.push(fe.invalid(child(p, 'x-kubernetes-preserve-unknown-fields'), true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  if (intOrString && embedded) {
    errs.push(fe.invalid(child(p, 'x-kubernetes-embedded-resource'), true, 'must be false if x-kubernetes-int-or-string is true'));
  }

  const skipAnyOf = isIntOrStringAnyOf(s);
  const skipFirstAllOfAnyOf = (s.allOf?.length ?? 0) >= 1 && isIntOrStringAnyOf(s.allOf![0]);
  errs.push(...valueValidation(s, skipAnyOf, skipFirstAllOfAnyOf, lvl, p));

  const checkMetadata = lvl === 'root' || embedded;
  const type = s.type ?? '';
  if (embedded && type !== 'object') {
    const detail = 'must be object if x-kubernetes-embedded-resource is true';
    errs.push(type === '' ? fe.required(child(p, 'type'), detail) : fe.invalid(child(p, 'type'), type, detail));
  } else if (type === '' && !intOrString && !preserve) {
    const detail = {
      root: 'must not be empty at the root',
      item: 'must not be empty for specified array items',
      field: 'must not be empty for specified object fields',
    }[lvl];
    errs.push(fe.required(child(p, 'type'), detail));
  }
  if (embedded && s.additionalProperties !== undefined) {
    errs.push(fe.forbidden(child(p, 'additionalProperties'), 'must not be used if x-kubernetes-embedded-resource is set'));
  }
  if (lvl === 'root' && type !== '' && type !== 'object') errs.push(fe.invalid(child(p, 'type'), type, 'must be object at the root'));

  for (const meta of ['kind', 'apiVersion']) {
    const m = props(s)[meta];
    if (m && checkMetadata && m.type !== 'string') errs.push(fe.invalid(child(propPath(p, meta), 'type'), m.type ?? '', 'must be string'));
  }
  const metadata = props(s).metadata;
  if (metadata) errs.push(...metadataInvariants(metadata, checkMetadata, lvl, propPath(p, 'metadata')));

  if (embedded && !preserve && propKeys(s).length === 0) {
    errs.push(
      fe.required(child(p, 'properties'), 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'),
    );
  }
  return errs;
}

/** The schema fields a structural schema keeps, besides type and default (which metadata may carry). */
const METADATA_FORBIDDEN: (keyof JSONSchemaProps)[] = [
  'description',
  'title',
  'nullable',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
  'format',
  'maximum',
  'exclusiveMaximum',
  'minimum',
  'exclusiveMinimum',
  'maxLength',
  'minLength',
  'pattern',
  'maxItems',
  'minItems',
  'uniqueItems',
  'multipleOf',
  'maxProperties',
  'minProperties',
  'required',
  'not',
  'additionalProperties',
];

function metadataInvariants(m: JSONSchemaProps, checkMetadata: boolean, lvl: Level, p: string): FieldError[] {
  const errs: FieldError[] = [];
  if (checkMetadata && m.type !== 'object') errs.push(fe.invalid(child(p, 'type'), m.type ?? '', 'must be object'));
  if (lvl === 'root') {
    const names = propKeys(m);
    const onlyNames =
      names.length === 0 ||
      (names.length === 2 && names.includes('name') && names.includes('generateName')) ||
      (names.length === 1 && (names[0] === 'name' || names[0] === 'generateName'));
    const set = (k: keyof JSONSchemaProps): boolean => {
      const v = m[k];
      if (v === undefined || v === false || v === '') return false;
      if (k === 'x-kubernetes-list-map-keys' || k === 'required' || k === 'x-kubernetes-validations') return true;
      return !Array.isArray(v) || v.length > 0;
    };
    const other =
      !onlyNames ||
      itemsOf(m) !== undefined ||
      METADATA_FORBIDDEN.some(set) ||
      nonEmpty(m.enum) ||
      nonEmpty(m.allOf) ||
      nonEmpty(m.anyOf) ||
      nonEmpty(m.oneOf);
    if (other) {
      errs.push(fe.forbidden(p, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
    }
  }
  return errs;
}

function valueValidation(s: JSONSchemaProps, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, lvl: Level, p: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!skipAnyOf) (s.anyOf ?? []).forEach((x, i) => errs.push(...nestedValueValidation(x, false, lvl, index(child(p, 'anyOf'), i))));
  (s.allOf ?? []).forEach((x, i) =>
    errs.push(...nestedValueValidation(x, skipFirstAllOfAnyOf && i === 0, lvl, index(child(p, 'allOf'), i))),
  );
  (s.oneOf ?? []).forEach((x, i) => errs.push(...nestedValueValidation(x, false, lvl, index(child(p, 'oneOf'), i))));
  if (s.not) errs.push(...nestedValueValidation(s.not, false, lvl, child(p, 'not')));
  if (s.pattern) {
    const re = compileGoRegexp(s.pattern);
    if (!re.ok) errs.push(fe.invalid(child(p, 'pattern'), s.pattern, `must be a valid regular expression, but isn't: ${re.error}`));
  }
  return errs;
}

function nestedValueValidation(v: JSONSchemaProps, skipAnyOf: boolean, lvl: Level, p: string): FieldError[] {
  const errs = valueValidation(v, skipAnyOf, false, lvl, p);
  const items = itemsOf(v);
  if (items) errs.push(...nestedValueValidation(items, false, lvl, child(p, 'items')));
  for (const k of propKeys(v)) errs.push(...nestedValueValidation(props(v)[k], false, 'field', propPath(p, k)));
  const forbid = (field: string, detail: string): void => void errs.push(fe.forbidden(child(p, field), detail));
  if (v.type) forbid('type', 'must be empty to be structural');
  if (apSchema(v) || v.additionalProperties === true) forbid('additionalProperties', 'must be undefined to be structural');
  if (hasDefault(v)) forbid('default', 'must be undefined to be structural');
  if (v.title) forbid('title', 'must be empty to be structural');
  if (v.description) forbid('description', 'must be empty to be structural');
  if (v.nullable) forbid('nullable', 'must be false to be structural');
  if (v['x-kubernetes-preserve-unknown-fields']) forbid('x-kubernetes-preserve-unknown-fields', 'must be false to be structural');
  if (v['x-kubernetes-embedded-resource']) forbid('x-kubernetes-embedded-resource', 'must be false to be structural');
  if (v['x-kubernetes-int-or-string']) forbid('x-kubernetes-int-or-string', 'must be false to be structural');
  if (nonEmpty(v['x-kubernetes-list-map-keys'])) forbid('x-kubernetes-list-map-keys', 'must be empty to be structural');
  if (v['x-kubernetes-list-type'] !== undefined) forbid('x-kubernetes-list-type', 'must be undefined to be structural');
  if (v['x-kubernetes-map-type'] !== undefined) forbid('x-kubernetes-map-type', 'must be undefined to be structural');
  if (nonEmpty(v['x-kubernetes-validations'])) forbid('x-kubernetes-validations', 'must be empty to be structural');
  if (props(v).metadata) errs.push(fe.forbidden(propPath(p, 'metadata'), 'must not be specified in a nested context'));
  return errs;
}

/** validateStructuralCompleteness: value validations may only talk about specified fields (root junctors). */
function completeness(v: JSONSchemaProps, s: JSONSchemaProps, sPath: string, vPath: string): FieldError[] {
  const errs: FieldError[] = [];
  if (v.not) errs.push(...nestedCompleteness(v.not, s, sPath, child(vPath, 'not')));
  (['allOf', 'anyOf', 'oneOf'] as const).forEach((j) =>
    (v[j] ?? []).forEach((x, i) => errs.push(...nestedCompleteness(x, s, sPath, index(child(vPath, j), i)))),
  );
  return errs;
}

function nestedCompleteness(v: JSONSchemaProps, s: JSONSchemaProps | undefined, sPath: string, vPath: string): FieldError[] {
  if (!s) return [fe.required(sPath, `because it is defined in ${vPath}`)];
  const errs = completeness(v, s, sPath, vPath);
  const vItems = itemsOf(v);
  if (vItems) errs.push(...nestedCompleteness(vItems, itemsOf(s), child(sPath, 'items'), child(vPath, 'items')));
  for (const k of propKeys(v)) {
    const sFld = props(s)[k];
    if (!sFld) errs.push(fe.required(propPath(sPath, k), `because it is defined in ${propPath(vPath, k)}`));
    else errs.push(...nestedCompleteness(props(v)[k], sFld, propPath(sPath, k), propPath(vPath, k)));
  }
  return errs;
}

// ---- defaults (ValidateDefaults) ----

const META = new Set(['metadata', 'kind', 'apiVersion']);
type Step = { child: string } | { index: true };

function validateDefaults(root: JSONSchemaProps, p: string): FieldError[] {
  const clone = { ...root, 'x-kubernetes-embedded-resource': true };
  return defaultsWalk(p, clone, clone, [], false);
}

function surround(x: unknown, steps: Step[]): unknown {
  let obj = deepCopy(x);
  for (let i = steps.length - 1; i >= 0; i--) {
    const st = steps[i];
    obj = 'child' in st ? { [st.child]: obj } : [obj];
  }
  return obj;
}

function defaultsWalk(p: string, s: JSONSchemaProps, rootSchema: JSONSchemaProps, steps: Step[], insideMeta: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (s['x-kubernetes-embedded-resource'] === true) {
    insideMeta = false;
    steps = [];
    rootSchema = s;
  }
  if (hasDefault(s)) {
    const dp = child(p, 'default');
    const validate = (): FieldError[] => toFieldErrors(dp, validateValue(toRSchema(s, 'structural'), s.default, ''));
    if (insideMeta) {
      const obj = surround(s.default, steps);
      if (isMap(obj)) {
        if (!('kind' in obj)) obj.kind = 'Validation';
        if (!('apiVersion' in obj)) obj.apiVersion = 'validation/v1';
        const cerr = coerceError(undefined, obj, rootSchema, true);
        const verrs = cerr ? [] : validateEmbeddedResources(undefined, obj, rootSchema, true);
        if (cerr) errs.push(fe.invalid(dp, s.default, `must result in valid metadata: ${errorString(cerr)}`));
        else if (verrs.length > 0) errs.push(fe.invalid(dp, s.default, `must result in valid metadata: ${aggregateString(verrs)}`));
        else errs.push(...validate());
      }
    } else {
      const pruned = deepCopy(s.default);
      pruneBySchema(pruned, s, s['x-kubernetes-embedded-resource'] === true);
      if (!deepEqual(pruned, s.default)) errs.push(fe.invalid(dp, s.default, 'must not have unknown fields'));
      const embedded = s['x-kubernetes-embedded-resource'] === true;
      const cerr = coerceError(dp, s.default, s, embedded);
      const verrs = cerr ? [] : validateEmbeddedResources(dp, s.default, s, embedded);
      if (cerr) errs.push(cerr);
      else if (verrs.length > 0) errs.push(...verrs);
      else errs.push(...validate());
    }
  }
  const items = itemsOf(s);
  if (items) errs.push(...defaultsWalk(child(p, 'items'), items, rootSchema, [...steps, { index: true }], insideMeta));
  for (const k of propKeys(s)) {
    const subInsideMeta = insideMeta || (s['x-kubernetes-embedded-resource'] === true && META.has(k));
    errs.push(...defaultsWalk(propPath(p, k), props(s)[k], rootSchema, [...steps, { child: k }], subInsideMeta));
  }
  return errs;
}

// ---- OpenAPI schema checks (ValidateCustomResourceDefinitionOpenAPISchema) ----

interface StandardValidator {
  allowDefaults: boolean;
  reason: string;
  insideMeta: boolean;
}

const forbidDefaults = (v: StandardValidator, reason: string): StandardValidator => ({ ...v, allowDefaults: false, reason });

const V3_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const VALIDATION_REASONS = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];

function standardErrors(s: JSONSchemaProps, p: string, v: StandardValidator): FieldError[] {
  const errs: FieldError[] = [];
  const forbid = (field: string, detail: string): void => void errs.push(fe.forbidden(child(p, field), detail));
  if (s.type && !V3_TYPES.includes(s.type)) errs.push(fe.notSupported(child(p, 'type'), s.type, V3_TYPES));
  if (hasDefault(s) && !v.allowDefaults) forbid('default', `must not be set${v.reason ? ` ${v.reason}` : ''}`);
  if (s.id) forbid('id', 'id is not supported');
  if (s.additionalItems !== undefined) forbid('additionalItems', 'additionalItems is not supported');
  if (nonEmpty(s.patternProperties)) forbid('patternProperties', 'patternProperties is not supported');
  if (nonEmpty(s.definitions)) forbid('definitions', 'definitions is not supported');
  if (s.dependencies !== undefined) forbid('dependencies', 'dependencies is not supported');
  if (s.$ref !== undefined) forbid('$ref', '$ref is not supported');
  if (s.type === 'null') forbid('type', 'type cannot be set to null, use nullable as an alternative');
  if (Array.isArray(s.items) && s.items.length > 0) forbid('items', 'items must be a schema object and not an array');
  if (v.insideMeta && s['x-kubernetes-embedded-resource']) forbid('x-kubernetes-embedded-resource', 'must not be used inside of resource meta');
  return errs;
}

function openAPISchemaErrors(s: JSONSchemaProps, p: string, v: StandardValidator, isRoot: boolean): FieldError[] {
  const errs = standardErrors(s, p, v);
  const recurse = (sub: JSONSchemaProps | undefined, sp: string, sv = v): void => {
    if (sub) errs.push(...openAPISchemaErrors(sub, sp, sv, false));
  };
  if (s.uniqueItems) {
    errs.push(fe.forbidden(child(p, 'uniqueItems'), 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  }
  if (s.additionalProperties !== undefined) {
    if (propKeys(s).length > 0 && (s.additionalProperties === false || apSchema(s))) {
      errs.push(fe.forbidden(child(p, 'additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
    }
    const sub = v.insideMeta ? forbidDefaults(v, 'inside additionalProperties applying to object metadata') : v;
    recurse(apSchema(s), child(p, 'additionalProperties'), sub);
  }
  for (const k of propKeys(s)) {
    let sub = v;
    if ((isRoot || s['x-kubernetes-embedded-resource']) && META.has(k)) {
      sub = { ...sub, insideMeta: true };
      if (isRoot) sub = forbidDefaults(sub, `in top-level ${k}`);
    }
    recurse(props(s)[k], propPath(p, k), sub);
  }
  recurse(s.not, child(p, 'not'));
  (['allOf', 'oneOf', 'anyOf'] as const).forEach((j) => (s[j] ?? []).forEach((x, i) => recurse(x, index(child(p, j), i))));
  if (isMap(s.definitions)) for (const k of Object.keys(s.definitions).sort()) recurse(s.definitions[k], key(child(p, 'definitions'), k));
  if (Array.isArray(s.items)) s.items.forEach((x, i) => recurse(x, index(child(p, 'items'), i)));
  else recurse(itemsOf(s), child(p, 'items'));
  if (isMap(s.dependencies)) {
    for (const k of Object.keys(s.dependencies).sort()) {
      const d = s.dependencies[k];
      if (isMap(d)) recurse(d as JSONSchemaProps, key(child(p, 'dependencies'), k));
    }
  }
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    errs.push(fe.invalid(child(p, 'x-kubernetes-preserve-unknown-fields'), false, 'must be true or undefined'));
  }
  errs.push(...mapAndListTypeErrors(s, p));
  errs.push(...validationRuleErrors(s, p));
  return errs;
}

function mapAndListTypeErrors(s: JSONSchemaProps, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = s.type ?? '';
  const mapType = s['x-kubernetes-map-type'];
  const listType = s['x-kubernetes-list-type'];
  const mapKeys = s['x-kubernetes-list-map-keys'];
  const items = itemsOf(s);
  const typeErr = (detail: string): FieldError =>
    type === '' ? fe.required(child(p, 'type'), detail) : fe.invalid(child(p, 'type'), type, detail);

  if (mapType !== undefined && type !== 'object') errs.push(typeErr('must be object if x-kubernetes-map-type is specified'));
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular') {
    errs.push(fe.notSupported(child(p, 'x-kubernetes-map-type'), mapType, ['atomic', 'granular']));
  }
  if (listType !== undefined && type !== 'array') {
    errs.push(typeErr('must be array if x-kubernetes-list-type is specified'));
  } else if (listType === 'set' && items) {
    const detail = 'must be atomic as item of a list with x-kubernetes-list-type=set';
    const itemsPath = child(p, 'items');
    if (items.type === 'array' && items['x-kubernetes-list-type'] !== undefined && items['x-kubernetes-list-type'] !== 'atomic') {
      errs.push(fe.invalid(child(itemsPath, 'x-kubernetes-list-type'), items['x-kubernetes-list-type'], detail));
    } else if (items.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic') {
      // kube reports the items' x-kubernetes-list-type here (usually unset, so `null`).
      errs.push(fe.invalid(child(itemsPath, 'x-kubernetes-map-type'), items['x-kubernetes-list-type'] ?? null, detail));
    }
  }
  if (listType !== undefined && listType !== 'atomic' && listType !== 'set' && listType !== 'map') {
    errs.push(fe.notSupported(child(p, 'x-kubernetes-list-type'), listType, ['atomic', 'set', 'map']));
  }
  if (mapKeys !== undefined && mapKeys.length > 0) {
    const detail = 'must be map if x-kubernetes-list-map-keys is non-empty';
    if (listType === undefined) errs.push(fe.required(child(p, 'x-kubernetes-list-type'), detail));
    else if (listType !== 'map') errs.push(fe.invalid(child(p, 'x-kubernetes-list-type'), listType, detail));
  }
  if (listType === 'map') {
    if (!mapKeys || mapKeys.length === 0) {
      errs.push(fe.required(child(p, 'x-kubernetes-list-map-keys'), 'must not be empty if x-kubernetes-list-type is map'));
    }
    if (s.items === undefined) errs.push(fe.required(child(p, 'items'), 'must have a schema if x-kubernetes-list-type is map'));
    if (Array.isArray(s.items)) {
      errs.push(fe.invalid(child(p, 'items'), s.items, 'must only have a single schema if x-kubernetes-list-type is map'));
    }
    if (items && items.type !== 'object') {
      errs.push(fe.invalid(child(child(p, 'items'), 'type'), items.type ?? '', "must be object if parent array's x-kubernetes-list-type is map"));
    }
    if (items && items.type === 'object') {
      const seen = new Set<string>();
      for (const k of mapKeys ?? []) {
        const sub = props(items)[k];
        if (sub) {
          if (sub.type === 'array' || sub.type === 'object') {
            errs.push(
              fe.invalid(child(propPath(child(p, 'items'), k), 'type'), items.type, "must be a scalar type if parent array's x-kubernetes-list-type is map"),
            );
          }
        } else {
          errs.push(fe.invalid(child(p, 'x-kubernetes-list-map-keys'), goStrings(mapKeys ?? []), 'entries must all be names of item properties'));
        }
        if (seen.has(k)) {
          errs.push(fe.invalid(child(p, 'x-kubernetes-list-map-keys'), goStrings(mapKeys ?? []), 'must not contain duplicate entries'));
        }
        seen.add(k);
      }
    }
  }
  // validateMapListKeysMapSet
  if (items && (listType === 'set' || listType === 'map')) {
    const itemsPath = child(p, 'items');
    if (items.nullable) errs.push(fe.forbidden(child(itemsPath, 'nullable'), `cannot be nullable when x-kubernetes-list-type is ${listType}`));
    if (listType === 'map') {
      const required = new Set(items.required ?? []);
      for (const k of mapKeys ?? []) {
        const sub = props(items)[k];
        if (!sub) continue;
        if (!required.has(k) && !hasDefault(sub)) {
          errs.push(
            fe.required(
              child(propPath(itemsPath, k), 'default'),
              'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property',
            ),
          );
        }
        if (sub.nullable) {
          errs.push(fe.forbidden(child(propPath(itemsPath, k), 'nullable'), 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable'));
        }
      }
    }
  }
  return errs;
}

/** The static checks of x-kubernetes-validations (the CEL compilation itself is not done here). */
function validationRuleErrors(s: JSONSchemaProps, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const rules = s['x-kubernetes-validations'] ?? [];
  const newline = /[\n\r]+/;
  rules.forEach((r, i) => {
    const rp = index(child(p, 'x-kubernetes-validations'), i);
    const rule = (r.rule ?? '').trim();
    const message = r.message ?? '';
    const msg = message.trim();
    if (rule === '') errs.push(fe.required(child(rp, 'rule'), 'rule is not specified'));
    else if (message.length > 0 && msg === '') errs.push(fe.invalid(child(rp, 'message'), message, 'message must be non-empty if specified'));
    else if (newline.test(msg)) errs.push(fe.invalid(child(rp, 'message'), message, 'message must not contain line breaks'));
    else if (newline.test(rule) && msg === '') {
      errs.push(fe.required(child(rp, 'message'), 'message must be specified if rule contains line breaks'));
    }
    if ((r.messageExpression ?? '').length > 0 && r.messageExpression!.trim() === '') {
      errs.push(fe.required(child(rp, 'messageExpression'), 'messageExpression must be non-empty if specified'));
    }
    if (r.reason !== undefined && !VALIDATION_REASONS.includes(r.reason)) {
      errs.push(fe.notSupported(child(rp, 'reason'), r.reason, VALIDATION_REASONS));
    }
    const fieldPath = r.fieldPath ?? '';
    if (fieldPath.length > 0 && fieldPath.trim() === '') errs.push(fe.invalid(child(rp, 'fieldPath'), fieldPath, 'fieldPath must be non-empty if specified'));
    if (newline.test(fieldPath)) errs.push(fe.invalid(child(rp, 'fieldPath'), fieldPath, 'fieldPath must not contain line breaks'));
  });
  return errs;
}

// ---- /status: what the root may use ----

const GO_FIELD_ORDER: [keyof JSONSchemaProps, string][] = [
  ['id', 'ID'],
  ['$schema', 'Schema'],
  ['$ref', 'Ref'],
  ['description', 'Description'],
  ['type', 'Type'],
  ['nullable', 'Nullable'],
  ['format', 'Format'],
  ['title', 'Title'],
  ['default', 'Default'],
  ['maximum', 'Maximum'],
  ['exclusiveMaximum', 'ExclusiveMaximum'],
  ['minimum', 'Minimum'],
  ['exclusiveMinimum', 'ExclusiveMinimum'],
  ['maxLength', 'MaxLength'],
  ['minLength', 'MinLength'],
  ['pattern', 'Pattern'],
  ['maxItems', 'MaxItems'],
  ['minItems', 'MinItems'],
  ['uniqueItems', 'UniqueItems'],
  ['multipleOf', 'MultipleOf'],
  ['enum', 'Enum'],
  ['maxProperties', 'MaxProperties'],
  ['minProperties', 'MinProperties'],
  ['required', 'Required'],
  ['items', 'Items'],
  ['allOf', 'AllOf'],
  ['oneOf', 'OneOf'],
  ['anyOf', 'AnyOf'],
  ['not', 'Not'],
  ['properties', 'Properties'],
  ['additionalProperties', 'AdditionalProperties'],
  ['patternProperties', 'PatternProperties'],
  ['dependencies', 'Dependencies'],
  ['additionalItems', 'AdditionalItems'],
  ['definitions', 'Definitions'],
  ['externalDocs', 'ExternalDocs'],
  ['example', 'Example'],
  ['x-kubernetes-preserve-unknown-fields', 'XPreserveUnknownFields'],
  ['x-kubernetes-embedded-resource', 'XEmbeddedResource'],
  ['x-kubernetes-int-or-string', 'XIntOrString'],
  ['x-kubernetes-list-map-keys', 'XListMapKeys'],
  ['x-kubernetes-list-type', 'XListType'],
  ['x-kubernetes-map-type', 'XMapType'],
  ['x-kubernetes-validations', 'XValidations'],
];

const ALLOWED_AT_ROOT = [
  'Description',
  'Type',
  'Format',
  'Title',
  'Maximum',
  'ExclusiveMaximum',
  'Minimum',
  'ExclusiveMinimum',
  'MaxLength',
  'MinLength',
  'Pattern',
  'MaxItems',
  'MinItems',
  'UniqueItems',
  'MultipleOf',
  'Required',
  'Items',
  'Properties',
  'ExternalDocs',
  'Example',
  'XPreserveUnknownFields',
  'XValidations',
];

function statusRootErrors(s: JSONSchemaProps, p: string): FieldError[] {
  for (const [json, goName] of GO_FIELD_ORDER) {
    const v = s[json];
    if (v === undefined || v === false || v === '' || (json === 'default' && !hasDefault(s))) continue;
    if (goName === 'Type') {
      if (s.type !== 'object') {
        return [fe.invalid(child(p, 'type'), s.type, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled')];
      }
      continue;
    }
    if (!ALLOWED_AT_ROOT.includes(goName)) {
      return [
        fe.invalid(
          p,
          s,
          `only [${ALLOWED_AT_ROOT.join(' ')}] fields are allowed at the root of the schema if the status subresource is enabled`,
        ),
      ];
    }
  }
  return [];
}
