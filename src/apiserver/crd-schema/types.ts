/**
 * The apiextensions.k8s.io/v1 `JSONSchemaProps` shape (an `openAPIV3Schema` node), spelled as its
 * JSON fields are. `default: null` and `enum` entries of `null` decode to "unset" in Go, and are
 * treated that way here.
 */

export interface ValidationRule {
  rule?: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

export interface ExternalDocumentation {
  description?: string;
  url?: string;
}

export interface JSONSchemaProps {
  id?: string;
  $schema?: string;
  $ref?: string;
  description?: string;
  type?: string;
  format?: string;
  title?: string;
  default?: unknown;
  maximum?: number;
  exclusiveMaximum?: boolean;
  minimum?: number;
  exclusiveMinimum?: boolean;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  uniqueItems?: boolean;
  multipleOf?: number;
  enum?: unknown[];
  maxProperties?: number;
  minProperties?: number;
  required?: string[];
  items?: JSONSchemaProps | JSONSchemaProps[];
  allOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  patternProperties?: Record<string, JSONSchemaProps>;
  dependencies?: Record<string, JSONSchemaProps | string[]>;
  additionalItems?: JSONSchemaProps | boolean;
  definitions?: Record<string, JSONSchemaProps>;
  externalDocs?: ExternalDocumentation;
  example?: unknown;
  nullable?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-validations'?: ValidationRule[];
}

export type JsonMap = Record<string, unknown>;

export function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function hasDefault(s: JSONSchemaProps | undefined): boolean {
  return s !== undefined && s.default !== undefined && s.default !== null;
}

/** The single `items` schema (structural schemas never use the array form). */
export function itemsSchema(s: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
  const items = s?.items;
  return items !== undefined && !Array.isArray(items) && isMap(items) ? items : undefined;
}

/** The `additionalProperties` schema, if it is one (not a boolean). */
export function additionalPropertiesSchema(s: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
  const ap = s?.additionalProperties;
  return isMap(ap) ? (ap as JSONSchemaProps) : undefined;
}

export function property(s: JSONSchemaProps | undefined, name: string): JSONSchemaProps | undefined {
  const props = s?.properties;
  if (!isMap(props) || !Object.prototype.hasOwnProperty.call(props, name)) return undefined;
  return props[name];
}

export const preservesUnknownFields = (s: JSONSchemaProps | undefined): boolean =>
  s?.['x-kubernetes-preserve-unknown-fields'] === true;
export const isEmbeddedResource = (s: JSONSchemaProps | undefined): boolean =>
  s?.['x-kubernetes-embedded-resource'] === true;

export function deepCopy<T>(v: T): T {
  return v === undefined ? v : (structuredClone(v) as T);
}

/** Go's reflect.DeepEqual over decoded JSON values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isMap(a)) {
    if (!isMap(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
