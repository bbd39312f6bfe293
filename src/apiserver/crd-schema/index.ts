/**
 * @module crd-schema
 *
 * The pure core of CustomResourceDefinition schemas (apiextensions.k8s.io/v1 `openAPIV3Schema`),
 * behaving as kube-apiserver 1.32's apiextensions-apiserver does, with its exact messages:
 *
 * - {@link validateSchema}: the checks a CRD version's schema must pass on create (structural
 *   schema rules, defaults that validate and are pruned, list/map types, unsupported keywords).
 * - {@link validateObject}: custom resource validation (kube-openapi's validator converted to field
 *   errors, embedded resources' TypeMeta/ObjectMeta, list-type set/map uniqueness), with kube's
 *   ratcheting when the old object is given.
 * - {@link prune}, {@link dropNonNullableNulls}, {@link applyDefaults}: the decode-time steps.
 * - {@link getAtPath}, {@link setAtPath}: scale subresource paths such as `.spec.replicas`.
 *
 * kube's order on a write: decode → `prune` (+ warnings `unknown field "<path>"`) →
 * `dropNonNullableNulls` → `applyDefaults` → admission → `validateObject`. Defaults are also
 * applied when reading from storage. Root `metadata`, `apiVersion`/`kind` and the scale replicas
 * checks belong to the resource strategy, not to this module. CEL (`x-kubernetes-validations`
 * rules) is not evaluated or compiled; only its static checks are made.
 */
import type { FieldError } from '../../apimachinery/errors.js';
import { applyDefaultsInPlace } from './defaulting.js';
import { validateListSetsAndMaps } from './list-type.js';
import { pruneEmbeddedMetadata, pruneObjectMeta, validateEmbeddedResources } from './objectmeta.js';
import { Correlation, toFieldErrors, toRSchema, validateValue } from './openapi-validate.js';
import { dropNonNullableNulls as dropNulls, pruneBySchema } from './pruning.js';
import { validateCRDSchema, type SchemaValidationOptions } from './schema-validation.js';
import { isMap, type JSONSchemaProps } from './types.js';

export type { ExternalDocumentation, JSONSchemaProps, ValidationRule } from './types.js';
export type { SchemaValidationOptions } from './schema-validation.js';
export { getAtPath, setAtPath } from './json-path.js';

/**
 * Validates a CRD version's `openAPIV3Schema` (unknown JSON) as kube does on create; `fieldPath`
 * is where it sits, e.g. `spec.versions[0].schema.openAPIV3Schema`.
 */
export function validateSchema(schema: unknown, fieldPath: string, opts: SchemaValidationOptions = {}): FieldError[] {
  return validateCRDSchema(schema, fieldPath, opts);
}

export interface ValidateObjectOptions {
  /** On update: the stored object. Unchanged parts that were already invalid are not reported (ratcheting). */
  oldObject?: unknown;
  /**
   * Where `obj` sits when it is not the whole object, e.g. `status` with the status property's
   * schema (kube validates /status updates that way). Absent: the whole object.
   */
  fieldPath?: string;
}

/** Custom resource validation against a structural schema (one FieldError per failing check, as kube reports). */
export function validateObject(schema: JSONSchemaProps, obj: unknown, opts: ValidateObjectOptions = {}): FieldError[] {
  const r = toRSchema(schema, 'runtime');
  const base = opts.fieldPath;
  const updating = opts.oldObject !== undefined;
  const corr = updating ? new Correlation(obj, opts.oldObject, r) : undefined;
  const errs = toFieldErrors(base, validateValue(r, obj, '', corr));
  errs.push(...validateEmbeddedResources(base, obj, schema, false));
  if (!updating || validateListSetsAndMaps(base, schema, opts.oldObject).length === 0) {
    errs.push(...validateListSetsAndMaps(base, schema, obj));
  }
  return errs;
}

/** Structural defaulting, in place. */
export function applyDefaults(schema: JSONSchemaProps, obj: unknown): void {
  applyDefaultsInPlace(schema, obj);
}

/**
 * Removes fields the schema does not specify, in place, and returns their paths (root metadata
 * first, then the schema's pruning, then embedded resources' metadata; each sorted), for kube's
 * `unknown field "<path>"` warnings. `apiVersion`, `kind` and `metadata` stay at the resource root
 * (when `isResourceRoot`) and in embedded resources; metadata keeps only ObjectMeta's fields.
 */
export function prune(schema: JSONSchemaProps, obj: unknown, opts: { isResourceRoot: boolean }): string[] {
  const paths: string[] = [];
  if (opts.isResourceRoot && isMap(obj)) paths.push(...pruneObjectMeta(obj.metadata, 'metadata').sort());
  paths.push(...pruneBySchema(obj, schema, opts.isResourceRoot));
  paths.push(...pruneEmbeddedMetadata(undefined, obj, schema));
  return paths;
}

/** Drops `null`s in fields that are neither nullable nor defaulted (kube does this right after pruning). In place. */
export function dropNonNullableNulls(schema: JSONSchemaProps, obj: unknown): void {
  dropNulls(schema, obj);
}

/** The warning kube sends for a pruned field path. */
export function unknownFieldWarning(path: string): string {
  return `unknown field "${path}"`;
}
