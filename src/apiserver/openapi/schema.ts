/**
 * The shape of the OpenAPI v3 schemas Flotilla serves and validates against: the subset of JSON
 * Schema Kubernetes uses, plus its `x-kubernetes-*` extensions. Schema names are upstream's
 * (`io.k8s.api.core.v1.Pod`); references are `#/components/schemas/<name>`.
 */

export interface GroupVersionKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

export interface Schema {
  description?: string;
  type?: string;
  format?: string;
  $ref?: string;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  [extension: string]: unknown;
}

/** Named schemas, as in `components.schemas`. */
export type SchemaMap = Readonly<Record<string, Schema>>;

export const V3_REF_PREFIX = '#/components/schemas/';
export const V2_REF_PREFIX = '#/definitions/';

/** The schema name a v3 (or v2) `$ref` points at. */
export function refName(ref: string): string {
  if (ref.startsWith(V3_REF_PREFIX)) return ref.slice(V3_REF_PREFIX.length);
  if (ref.startsWith(V2_REF_PREFIX)) return ref.slice(V2_REF_PREFIX.length);
  return ref;
}

export function v3Ref(name: string): Schema {
  return { $ref: `${V3_REF_PREFIX}${name}` };
}
