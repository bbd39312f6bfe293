/**
 * Structural pruning (apiextensions-apiserver pkg/apiserver/schema/pruning/algorithm.go) and the
 * removal of nulls nobody may hold (pkg/apiserver/schema/defaulting/prunenulls.go).
 */
import {
  additionalPropertiesSchema,
  hasDefault,
  isEmbeddedResource,
  isMap,
  itemsSchema,
  preservesUnknownFields,
  property,
  type JSONSchemaProps,
} from './types.js';

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

const appendKey = (parent: string, k: string): string => (parent === '' ? k : `${parent}.${k}`);

/**
 * Removes fields of `x` the schema does not specify, in place, and returns their paths, sorted
 * (`spec.foo`, `spec.items[0].bar`). TypeMeta and ObjectMeta are kept where `isResourceRoot` or
 * `x-kubernetes-embedded-resource` says a resource starts.
 */
export function pruneBySchema(x: unknown, s: JSONSchemaProps | undefined, isResourceRoot: boolean): string[] {
  const out: string[] = [];
  prune(x, isResourceRoot ? (s ?? {}) : s, isResourceRoot, '', out);
  return out.sort();
}

function prune(x: unknown, s: JSONSchemaProps | undefined, embeddedRoot: boolean, parent: string, out: string[]): void {
  if (s && preservesUnknownFields(s)) {
    skipPrune(x, s, embeddedRoot, parent, out);
    return;
  }
  if (isMap(x)) {
    if (!s) {
      for (const k of Object.keys(x)) {
        out.push(appendKey(parent, k));
        delete x[k];
      }
      return;
    }
    const embedded = embeddedRoot || isEmbeddedResource(s);
    for (const k of Object.keys(x)) {
      if (embedded && META_FIELDS.has(k)) continue;
      const prop = property(s, k);
      if (prop) prune(x[k], prop, false, appendKey(parent, k), out);
      else if (s.additionalProperties !== undefined && s.additionalProperties !== null) {
        prune(x[k], additionalPropertiesSchema(s), false, appendKey(parent, k), out);
      } else {
        if (!META_FIELDS.has(k) || parent !== '') out.push(appendKey(parent, k));
        delete x[k];
      }
    }
  } else if (Array.isArray(x)) {
    const items = s ? itemsSchema(s) : undefined;
    x.forEach((v, i) => prune(v, items, false, `${parent}[${i}]`, out));
  }
}

function skipPrune(x: unknown, s: JSONSchemaProps | undefined, embeddedRoot: boolean, parent: string, out: string[]): void {
  if (!s) return;
  if (isMap(x)) {
    const embedded = embeddedRoot || isEmbeddedResource(s);
    for (const k of Object.keys(x)) {
      if (embedded && META_FIELDS.has(k)) continue;
      const prop = property(s, k);
      if (prop) prune(x[k], prop, false, appendKey(parent, k), out);
      else if (s.additionalProperties !== undefined && s.additionalProperties !== null) {
        prune(x[k], additionalPropertiesSchema(s), false, appendKey(parent, k), out);
      }
    }
  } else if (Array.isArray(x)) {
    const items = itemsSchema(s);
    x.forEach((v, i) => skipPrune(v, items, false, `${parent}[${i}]`, out));
  }
}

/**
 * PruneNonNullableNullsWithoutDefaults: drops `null` map values whose schema is neither nullable nor
 * defaulted (those with a default are defaulted later). In place.
 */
export function dropNonNullableNulls(schema: JSONSchemaProps | undefined, x: unknown): void {
  if (isMap(x)) {
    for (const k of Object.keys(x)) {
      const sub = property(schema, k) ?? additionalPropertiesSchema(schema);
      if (x[k] === null && sub && sub.nullable !== true && !hasDefault(sub)) delete x[k];
      else dropNonNullableNulls(sub, x[k]);
    }
  } else if (Array.isArray(x)) {
    const items = itemsSchema(schema);
    for (const v of x) dropNonNullableNulls(items, v);
  }
}
