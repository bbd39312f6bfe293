/**
 * Structural defaulting (apiextensions-apiserver pkg/apiserver/schema/defaulting/algorithm.go):
 * missing fields, and nulls in non-nullable fields, get a deep copy of their schema's default; then
 * defaulting recurses into properties, additionalProperties values and array items.
 */
import { additionalPropertiesSchema, deepCopy, hasDefault, isMap, itemsSchema, property, type JSONSchemaProps } from './types.js';

const isNonNullableNull = (x: unknown, s: JSONSchemaProps | undefined): boolean =>
  x === null && s !== undefined && s.nullable !== true;

export function applyDefaultsInPlace(s: JSONSchemaProps | undefined, x: unknown): void {
  if (!s) return;
  if (isMap(x)) {
    const props = isMap(s.properties) ? s.properties : {};
    for (const k of Object.keys(props).sort()) {
      const prop = props[k];
      if (!hasDefault(prop)) continue;
      if (!(k in x) || isNonNullableNull(x[k], prop)) x[k] = deepCopy(prop.default);
    }
    const ap = additionalPropertiesSchema(s);
    for (const k of Object.keys(x)) {
      const prop = property(s, k);
      if (prop) applyDefaultsInPlace(prop, x[k]);
      else if (s.additionalProperties !== undefined && s.additionalProperties !== null) {
        if (isNonNullableNull(x[k], ap) && hasDefault(ap)) x[k] = deepCopy(ap!.default);
        applyDefaultsInPlace(ap, x[k]);
      }
    }
  } else if (Array.isArray(x)) {
    const items = itemsSchema(s);
    for (let i = 0; i < x.length; i++) {
      if (isNonNullableNull(x[i], items) && hasDefault(items)) x[i] = deepCopy(items!.default);
      applyDefaultsInPlace(items, x[i]);
    }
  }
}
