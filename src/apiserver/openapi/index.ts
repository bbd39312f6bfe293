/**
 * @module apiserver/openapi
 *
 * What the server publishes about its kinds, and the checks that use it.
 *
 * - `/openapi/v3` and `/openapi/v3/<gv>` ({@link openApiRoot}, {@link groupVersionDocument}),
 *   `/openapi/v2` as Swagger 2.0 JSON ({@link openApiV2}): real schemas of the built-in kinds,
 *   generated at build time from kubernetes-types and @kubernetes/client-node with upstream's
 *   patch strategies, merge keys and list types (see generate.ts), so `kubectl explain` works and
 *   `kubectl apply` builds strategic merge patches from them. Documents are cached per
 *   registry and rebuilt only when its resources or the custom schemas change.
 * - Custom resources: `openApiFor(registry).setCustomSchema(group, version, kind, schema)`
 *   publishes a CRD version's `openAPIV3Schema`; `removeCustomSchema` withdraws it.
 * - Field validation ({@link strictDecodingErrors}, {@link findUnknownFields},
 *   {@link findDuplicateFields}) with kube's wording, for `fieldValidation=Strict|Warn`.
 */
import { notAcceptable } from '../../apimachinery/errors.js';
import type { MediaRange } from '../negotiation.js';
import { OPENAPI_V2_PROTOBUF } from './v2-protobuf.js';
import { OpenApiDocuments, type OpenApiV3Document, type OpenApiV3Root, type RegistryView, type SwaggerDocument } from './documents.js';

export type { GroupVersionKind, Schema, SchemaMap } from './schema.js';
export type { KindSchema, OpenApiV3Document, OpenApiV3Root, RegistryView, SwaggerDocument } from './documents.js';
export type { JsonNode } from './field-validation.js';
export { OpenApiDocuments, builtinKindSchema, builtinSchemaName, customSchemaName } from './documents.js';
export { builtinSchemas, BUILTIN_SCHEMAS_FILE } from './builtin.js';
export {
  dropUnknownFields,
  duplicateMessage,
  findDuplicateFields,
  findUnknownFields,
  parseJsonNodes,
  strictDecodingErrors,
  strictDecodingErrorsFast,
  strictDecodingMessage,
  unknownMessage,
  warningHeaderValue,
} from './field-validation.js';

export { OPENAPI_V2_PROTOBUF, decodeSwaggerProtobuf } from './v2-protobuf.js';

const documents = new WeakMap<RegistryView, OpenApiDocuments>();

/** The (cached) OpenAPI documents of a registry; one instance per registry object. */
export function openApiFor(registry: RegistryView): OpenApiDocuments {
  let d = documents.get(registry);
  if (!d) {
    d = new OpenApiDocuments(registry);
    documents.set(registry, d);
  }
  return d;
}

/** `GET /openapi/v3`: each served group-version with a URL carrying its document's hash. */
export function openApiRoot(registry: RegistryView): OpenApiV3Root {
  return openApiFor(registry).root();
}

/** `GET /openapi/v3/api/v1`, `/openapi/v3/apis/<group>/<version>`; undefined when not served. */
export function groupVersionDocument(registry: RegistryView, group: string, version: string): OpenApiV3Document | undefined {
  return openApiFor(registry).groupVersion(group, version);
}

/**
 * The names clients ask for gnostic's encoding by. kube-apiserver answers both with the second:
 * the first, which kubectl sends, has an `@` that Go's MIME parser refuses in a Content-Type.
 */
const PROTOBUF_CONTENT_TYPE = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const PROTOBUF_TYPES = new Set([OPENAPI_V2_PROTOBUF, PROTOBUF_CONTENT_TYPE]);

/**
 * `GET /openapi/v2`: the Swagger 2.0 document as JSON, or in gnostic's protobuf encoding (what
 * kubectl asks for), whichever the client lists first; JSON when it states no preference.
 */
export function openApiV2(registry: RegistryView, accept: readonly MediaRange[]): { json: SwaggerDocument } | { protobuf: Buffer; contentType: string } {
  if (accept.length === 0) return { json: openApiFor(registry).swagger() };
  for (const m of accept) {
    if (PROTOBUF_TYPES.has(m.type)) return { protobuf: openApiFor(registry).swaggerProtobuf(), contentType: PROTOBUF_CONTENT_TYPE };
    if (m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*') return { json: openApiFor(registry).swagger() };
  }
  throw notAcceptable(['application/json', OPENAPI_V2_PROTOBUF]);
}
export { schemaPatchMeta } from './patch-meta.js';
