/**
 * TypeMeta and ObjectMeta inside custom resources (apiextensions-apiserver
 * pkg/apiserver/schema/objectmeta): embedded resources (`x-kubernetes-embedded-resource: true`) must
 * carry apiVersion and kind, their metadata must decode as metav1.ObjectMeta and validate as such,
 * and metadata is pruned to ObjectMeta's fields.
 */
import type { FieldError } from '../../apimachinery/errors.js';
import { nameProblems, validateObjectMeta } from '../../apimachinery/validation.js';
import type { ObjectMeta } from '../../apimachinery/object.js';
import { child, fe, index, key, type Path } from './go-format.js';
import {
  additionalPropertiesSchema,
  isEmbeddedResource,
  isMap,
  itemsSchema,
  property,
  type JSONSchemaProps,
  type JsonMap,
} from './types.js';

type FieldType = 'string' | 'int64' | 'time' | 'bool' | 'map[string]string' | '[]string' | 'raw';

const OWNER_REFERENCE: Record<string, FieldType> = {
  apiVersion: 'string',
  kind: 'string',
  name: 'string',
  uid: 'string',
  controller: 'bool',
  blockOwnerDeletion: 'bool',
};

const MANAGED_FIELDS_ENTRY: Record<string, FieldType> = {
  manager: 'string',
  operation: 'string',
  apiVersion: 'string',
  time: 'time',
  fieldsType: 'string',
  fieldsV1: 'raw',
  subresource: 'string',
};

const OBJECT_META: Record<string, FieldType | { list: Record<string, FieldType>; type: string }> = {
  name: 'string',
  generateName: 'string',
  namespace: 'string',
  selfLink: 'string',
  uid: 'string',
  resourceVersion: 'string',
  generation: 'int64',
  creationTimestamp: 'time',
  deletionTimestamp: 'time',
  deletionGracePeriodSeconds: 'int64',
  labels: 'map[string]string',
  annotations: 'map[string]string',
  ownerReferences: { list: OWNER_REFERENCE, type: '[]v1.OwnerReference' },
  finalizers: '[]string',
  managedFields: { list: MANAGED_FIELDS_ENTRY, type: '[]v1.ManagedFieldsEntry' },
};

function jsonKind(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** encoding/json's error for one field, or undefined; `struct.field` names the Go field. */
function fieldTypeError(v: unknown, t: FieldType, struct: string, field: string): string | undefined {
  if (v === null || t === 'raw') return undefined;
  const fail = (goType: string, what = jsonKind(v)): string =>
    `json: cannot unmarshal ${what} into Go struct field ${struct}.${field} of type ${goType}`;
  switch (t) {
    case 'string':
      return typeof v === 'string' ? undefined : fail('string');
    case 'bool':
      return typeof v === 'boolean' ? undefined : fail('bool');
    case 'int64':
      if (typeof v !== 'number') return fail('int64');
      return Number.isInteger(v) ? undefined : fail('int64', `number ${v}`);
    case 'time':
      if (typeof v !== 'string') return `json: cannot unmarshal ${jsonKind(v)} into Go value of type string`;
      return RFC3339.test(v) ? undefined : `parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(v)} as "2006"`;
    case 'map[string]string':
      if (!isMap(v)) return fail('map[string]string');
      for (const x of Object.values(v)) if (x !== null && typeof x !== 'string') return fail('string');
      return undefined;
    case '[]string':
      if (!Array.isArray(v)) return fail('[]string');
      for (const x of v) if (x !== null && typeof x !== 'string') return fail('string');
      return undefined;
  }
}

/** The error of decoding `metadata` into metav1.ObjectMeta (json.Unmarshal), if any. */
export function objectMetaDecodeError(metadata: unknown): string | undefined {
  if (metadata === null) return undefined;
  if (!isMap(metadata)) return `json: cannot unmarshal ${jsonKind(metadata)} into Go value of type v1.ObjectMeta`;
  for (const [k, v] of Object.entries(metadata)) {
    const t = OBJECT_META[k];
    if (t === undefined) continue;
    if (typeof t === 'string') {
      const err = fieldTypeError(v, t, 'ObjectMeta', k);
      if (err) return err;
      continue;
    }
    if (v === null) continue;
    if (!Array.isArray(v)) return `json: cannot unmarshal ${jsonKind(v)} into Go struct field ObjectMeta.${k} of type ${t.type}`;
    const struct = t.type.replace('[]v1.', '');
    for (const item of v) {
      if (item === null) continue;
      if (!isMap(item)) return `json: cannot unmarshal ${jsonKind(item)} into Go struct field ObjectMeta.${k} of type v1.${struct}`;
      for (const [ik, iv] of Object.entries(item)) {
        const it = t.list[ik];
        const err = it && fieldTypeError(iv, it, struct, `${k}.${ik}`);
        if (err) return err;
      }
    }
  }
  return undefined;
}

/** Drops fields metav1.ObjectMeta does not have; returns their paths under `prefix` (kjson's strict errors). */
export function pruneObjectMeta(metadata: unknown, prefix: string): string[] {
  if (!isMap(metadata)) return [];
  const unknown: string[] = [];
  for (const k of Object.keys(metadata)) {
    const t = OBJECT_META[k];
    if (t === undefined) {
      unknown.push(`${prefix}.${k}`);
      delete metadata[k];
      continue;
    }
    const items = metadata[k];
    if (typeof t !== 'string' && Array.isArray(items)) {
      items.forEach((item, i) => {
        if (!isMap(item)) return;
        for (const ik of Object.keys(item)) {
          if (!(ik in t.list)) {
            unknown.push(`${prefix}.${k}[${i}].${ik}`);
            delete item[ik];
          }
        }
      });
    }
  }
  return unknown;
}

function embedded(s: JSONSchemaProps | undefined, isResourceRoot: boolean): boolean {
  return isResourceRoot || isEmbeddedResource(s);
}

/** The schema of a map entry: the property, else additionalProperties' schema. */
function fieldSchema(s: JSONSchemaProps | undefined, k: string): { schema: JSONSchemaProps | undefined; isProperty: boolean } | undefined {
  const p = property(s, k);
  if (p) return { schema: p, isProperty: true };
  if (s?.additionalProperties !== undefined && s.additionalProperties !== null) {
    return { schema: additionalPropertiesSchema(s), isProperty: false };
  }
  return undefined;
}

/** objectmeta.Validate: embedded TypeMeta/ObjectMeta checks (also at `pth` itself if isResourceRoot). */
export function validateEmbeddedResources(pth: Path, x: unknown, s: JSONSchemaProps | undefined, isResourceRoot: boolean): FieldError[] {
  if (!s && !isResourceRoot) return [];
  const errs: FieldError[] = [];
  if (isMap(x)) {
    if (embedded(s, isResourceRoot)) errs.push(...validateEmbeddedResource(pth, x));
    for (const k of Object.keys(x).sort()) {
      const f = fieldSchema(s, k);
      if (f?.schema) errs.push(...validateEmbeddedResources(f.isProperty ? child(pth, k) : key(pth, k), x[k], f.schema, false));
    }
  } else if (Array.isArray(x)) {
    const items = itemsSchema(s);
    if (items) x.forEach((v, i) => errs.push(...validateEmbeddedResources(index(pth, i), v, items, false)));
  }
  return errs;
}

function validateEmbeddedResource(pth: Path, x: JsonMap): FieldError[] {
  const errs: FieldError[] = [];
  if (!('apiVersion' in x)) errs.push(fe.required(child(pth, 'apiVersion'), 'must not be empty'));
  if (!('kind' in x)) errs.push(fe.required(child(pth, 'kind'), 'must not be empty'));
  if ('apiVersion' in x) {
    const v = x.apiVersion;
    const p = child(pth, 'apiVersion');
    if (typeof v !== 'string') errs.push(fe.invalid(p, v, 'must be a string'));
    else if (v === '') errs.push(fe.invalid(p, v, 'must not be empty'));
    else if (v !== '/' && v.split('/').length > 2) errs.push(fe.invalid(p, v, `unexpected GroupVersion string: ${v}`));
  }
  if ('kind' in x) {
    const v = x.kind;
    const p = child(pth, 'kind');
    if (typeof v !== 'string') errs.push(fe.invalid(p, v, 'must be a string'));
    else if (v === '') errs.push(fe.invalid(p, v, 'must not be empty'));
    else {
      const problems = nameProblems(v.toLowerCase(), 'dns1035-label');
      if (problems.length > 0) errs.push(fe.invalid(p, v, `may have mixed case, but should otherwise match: ${problems.join(',')}`));
    }
  }
  if ('metadata' in x) {
    const v = x.metadata;
    const p = child(pth, 'metadata');
    const err = objectMetaDecodeError(v);
    if (err) errs.push(fe.invalid(p, v, err));
    else {
      const meta = { ...(isMap(v) ? v : {}) } as ObjectMeta;
      if (!meta.name) meta.name = 'fakename';
      for (const e of validateObjectMeta(meta, { namespaced: Boolean(meta.namespace), nameRule: 'path-segment' })) {
        errs.push({ ...e, field: e.field.replace(/^metadata/, p) });
      }
    }
  }
  return errs;
}

/** objectmeta.Coerce (without dropping): the first wrongly typed TypeMeta/ObjectMeta of an embedded resource. */
export function coerceError(pth: Path, x: unknown, s: JSONSchemaProps | undefined, isResourceRoot: boolean): FieldError | undefined {
  if (!s && !isResourceRoot) return undefined;
  if (isMap(x)) {
    for (const k of Object.keys(x).sort()) {
      const v = x[k];
      if (embedded(s, isResourceRoot)) {
        if ((k === 'apiVersion' || k === 'kind') && typeof v !== 'string') return fe.invalid(child(pth, k), v, 'must be a string');
        if (k === 'metadata') {
          const err = objectMetaDecodeError(v);
          if (err) return fe.invalid(child(pth, 'metadata'), v, err);
        }
      }
      const f = fieldSchema(s, k);
      if (f?.schema) {
        const err = coerceError(f.isProperty ? child(pth, k) : key(pth, k), v, f.schema, false);
        if (err) return err;
      }
    }
  } else if (Array.isArray(x)) {
    const items = itemsSchema(s);
    if (items) {
      for (let i = 0; i < x.length; i++) {
        const err = coerceError(index(pth, i), x[i], items, false);
        if (err) return err;
      }
    }
  }
  return undefined;
}

/**
 * The metadata round-trip objectmeta.Coerce does for embedded resources below the root: unknown
 * ObjectMeta fields are dropped (their paths returned) and a zero creationTimestamp is removed.
 */
export function pruneEmbeddedMetadata(pth: Path, x: unknown, s: JSONSchemaProps | undefined): string[] {
  if (!s) return [];
  const paths: string[] = [];
  if (isMap(x)) {
    for (const k of Object.keys(x)) {
      if (isEmbeddedResource(s) && k === 'metadata' && isMap(x.metadata) && objectMetaDecodeError(x.metadata) === undefined) {
        paths.push(...pruneObjectMeta(x.metadata, child(pth, 'metadata')));
        if (x.metadata.creationTimestamp === null) delete x.metadata.creationTimestamp;
      }
      const f = fieldSchema(s, k);
      if (f?.schema) paths.push(...pruneEmbeddedMetadata(f.isProperty ? child(pth, k) : key(pth, k), x[k], f.schema));
    }
  } else if (Array.isArray(x)) {
    const items = itemsSchema(s);
    if (items) x.forEach((v, i) => paths.push(...pruneEmbeddedMetadata(index(pth, i), v, items)));
  }
  return paths.sort();
}
