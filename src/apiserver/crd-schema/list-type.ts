/**
 * `x-kubernetes-list-type: set` and `map` uniqueness (apiextensions-apiserver
 * pkg/apiserver/schema/listtype/validation.go): the second and later copies of an element (set) or
 * of a key (map) are reported once each as `Duplicate value`.
 */
import type { FieldError } from '../../apimachinery/errors.js';
import { child, fe, index, key, type Path } from './go-format.js';
import { goJSON } from './openapi-validate.js';
import { additionalPropertiesSchema, isMap, itemsSchema, property, type JSONSchemaProps, type JsonMap } from './types.js';

export function validateListSetsAndMaps(pth: Path, s: JSONSchemaProps | undefined, obj: unknown): FieldError[] {
  if (!s || !isMap(obj)) return [];
  const errs: FieldError[] = [];
  const ap = additionalPropertiesSchema(s);
  const keys = Object.keys(obj).sort();
  if (ap) for (const k of keys) errs.push(...validateValue(key(pth, k), ap, obj[k]));
  for (const k of keys) {
    const sub = property(s, k);
    if (sub) errs.push(...validateValue(child(pth, k), sub, obj[k]));
  }
  return errs;
}

function validateValue(pth: Path, s: JSONSchemaProps, v: unknown): FieldError[] {
  if (Array.isArray(v)) return validateArray(pth, s, v);
  if (isMap(v)) return validateListSetsAndMaps(pth, s, v);
  return [];
}

function validateArray(pth: Path, s: JSONSchemaProps, list: unknown[]): FieldError[] {
  const errs: FieldError[] = [];
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'set') {
    for (const i of nonUnique(list)) errs.push(fe.duplicate(index(pth, i), list[i]));
  } else if (listType === 'map') {
    errs.push(...validateListMap(pth, s, list));
  }
  const items = itemsSchema(s);
  if (items) list.forEach((x, i) => errs.push(...validateValue(index(pth, i), items, x)));
  return errs;
}

const UNSPECIFIED = Symbol('unspecified key');

/** Indices of the first repeated appearance of each non-unique element. */
function nonUnique(list: unknown[]): number[] {
  if (list.length <= 1) return [];
  const seen = new Map<unknown, number>();
  const out: number[] = [];
  list.forEach((x, i) => {
    const id = isMap(x) || Array.isArray(x) ? `json:${goJSON(x)}` : typeof x === 'string' ? `s:${x}` : x;
    const times = seen.get(id) ?? 0;
    seen.set(id, times + 1);
    if (times === 1) out.push(i);
  });
  return out;
}

function validateListMap(pth: Path, s: JSONSchemaProps, list: unknown[]): FieldError[] {
  for (let i = 0; i < list.length; i++) {
    const x = list[i];
    if (x !== null && !isMap(x)) return [fe.invalid(index(pth, i), x, 'must be an object for an array of list-type map')];
  }
  if (list.length <= 1) return [];
  const keyFields = s['x-kubernetes-list-map-keys'] ?? [];
  if (keyFields.length === 1) {
    const keyField = keyFields[0];
    const keys = list.map((x) => (x === null || !(keyField in (x as JsonMap)) ? UNSPECIFIED : (x as JsonMap)[keyField]));
    return nonUnique(keys).map((i) =>
      fe.duplicate(index(pth, i), keys[i] === UNSPECIFIED ? {} : { [keyField]: keys[i] }),
    );
  }
  const keys = list.map((x) => {
    const k: JsonMap = {};
    if (isMap(x)) for (const f of keyFields) if (f in x) k[f] = x[f];
    return k;
  });
  return nonUnique(keys).map((i) => fe.duplicate(index(pth, i), keys[i]));
}
