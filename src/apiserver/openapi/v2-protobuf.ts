/**
 * `/openapi/v2` in gnostic's protobuf encoding (`openapi.v2.Document`), the only form kubectl
 * accepts from that path. kubectl falls back to it for client-side validation of what the v3
 * documents cannot vouch for — a `kind: List` or a `ConfigMapList` given to `kubectl apply` — and
 * fails the command when it cannot be had.
 *
 * The Swagger document is the JSON one, carried over field by field: schemas with their
 * `x-kubernetes-*` extensions (as YAML text, gnostic's `Any`), paths with their operations,
 * parameters and responses. Only the messages and fields such a document uses are declared.
 */
import protobuf from 'protobufjs';
import { stringify } from 'yaml';
import type { SwaggerDocument } from './documents.js';
import type { Schema } from './schema.js';

export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

type Fields = Record<string, { id: number; type: string; rule?: 'repeated' }>;
const msg = (fields: Fields, oneofs?: Record<string, string[]>) => ({ fields, ...(oneofs ? { oneofs: Object.fromEntries(Object.entries(oneofs).map(([k, v]) => [k, { oneof: v }])) } : {}) });
const named = (value: string) => msg({ name: { id: 1, type: 'string' }, value: { id: 2, type: value } });
const many = (type: string, id = 1) => ({ id, type, rule: 'repeated' as const });

/** Field numbers of gnostic's OpenAPIv2.proto (package openapi.v2). */
const ROOT = protobuf.Root.fromJSON({
  nested: {
    openapi: {
      nested: {
        v2: {
          nested: {
            Any: msg({ yaml: { id: 2, type: 'string' } }),
            NamedAny: named('Any'),
            Info: msg({ title: { id: 1, type: 'string' }, version: { id: 2, type: 'string' }, description: { id: 3, type: 'string' } }),
            TypeItem: msg({ value: many('string') }),
            ItemsItem: msg({ schema: many('Schema') }),
            Properties: msg({ additionalProperties: many('NamedSchema') }),
            NamedSchema: named('Schema'),
            AdditionalPropertiesItem: msg({ schema: { id: 1, type: 'Schema' }, boolean: { id: 2, type: 'bool' } }, { oneof: ['schema', 'boolean'] }),
            Schema: msg({
              ref: { id: 1, type: 'string' },
              format: { id: 2, type: 'string' },
              title: { id: 3, type: 'string' },
              description: { id: 4, type: 'string' },
              default: { id: 5, type: 'Any' },
              multipleOf: { id: 6, type: 'double' },
              maximum: { id: 7, type: 'double' },
              exclusiveMaximum: { id: 8, type: 'bool' },
              minimum: { id: 9, type: 'double' },
              exclusiveMinimum: { id: 10, type: 'bool' },
              maxLength: { id: 11, type: 'int64' },
              minLength: { id: 12, type: 'int64' },
              pattern: { id: 13, type: 'string' },
              maxItems: { id: 14, type: 'int64' },
              minItems: { id: 15, type: 'int64' },
              uniqueItems: { id: 16, type: 'bool' },
              maxProperties: { id: 17, type: 'int64' },
              minProperties: { id: 18, type: 'int64' },
              required: many('string', 19),
              enum: many('Any', 20),
              additionalProperties: { id: 21, type: 'AdditionalPropertiesItem' },
              type: { id: 22, type: 'TypeItem' },
              items: { id: 23, type: 'ItemsItem' },
              allOf: many('Schema', 24),
              properties: { id: 25, type: 'Properties' },
              readOnly: { id: 27, type: 'bool' },
              example: { id: 30, type: 'Any' },
              vendorExtension: many('NamedAny', 31),
            }),
            Definitions: msg({ additionalProperties: many('NamedSchema') }),
            BodyParameter: msg({ description: { id: 1, type: 'string' }, name: { id: 2, type: 'string' }, in: { id: 3, type: 'string' }, required: { id: 4, type: 'bool' }, schema: { id: 5, type: 'Schema' } }),
            // Query parameters number their fields one further than path and header ones (allow_empty_value is 5).
            QueryParameterSubSchema: msg({ required: { id: 1, type: 'bool' }, in: { id: 2, type: 'string' }, description: { id: 3, type: 'string' }, name: { id: 4, type: 'string' }, type: { id: 6, type: 'string' }, uniqueItems: { id: 20, type: 'bool' } }),
            PathParameterSubSchema: msg({ required: { id: 1, type: 'bool' }, in: { id: 2, type: 'string' }, description: { id: 3, type: 'string' }, name: { id: 4, type: 'string' }, type: { id: 5, type: 'string' }, uniqueItems: { id: 19, type: 'bool' } }),
            HeaderParameterSubSchema: msg({ required: { id: 1, type: 'bool' }, in: { id: 2, type: 'string' }, description: { id: 3, type: 'string' }, name: { id: 4, type: 'string' }, type: { id: 5, type: 'string' }, uniqueItems: { id: 19, type: 'bool' } }),
            NonBodyParameter: msg(
              { headerParameterSubSchema: { id: 1, type: 'HeaderParameterSubSchema' }, queryParameterSubSchema: { id: 3, type: 'QueryParameterSubSchema' }, pathParameterSubSchema: { id: 4, type: 'PathParameterSubSchema' } },
              { oneof: ['headerParameterSubSchema', 'queryParameterSubSchema', 'pathParameterSubSchema'] },
            ),
            Parameter: msg({ bodyParameter: { id: 1, type: 'BodyParameter' }, nonBodyParameter: { id: 2, type: 'NonBodyParameter' } }, { oneof: ['bodyParameter', 'nonBodyParameter'] }),
            ParametersItem: msg({ parameter: { id: 1, type: 'Parameter' } }),
            SchemaItem: msg({ schema: { id: 1, type: 'Schema' } }),
            Response: msg({ description: { id: 1, type: 'string' }, schema: { id: 2, type: 'SchemaItem' } }),
            ResponseValue: msg({ response: { id: 1, type: 'Response' } }),
            NamedResponseValue: named('ResponseValue'),
            Responses: msg({ responseCode: many('NamedResponseValue') }),
            Operation: msg({
              tags: many('string', 1),
              description: { id: 3, type: 'string' },
              operationId: { id: 5, type: 'string' },
              produces: many('string', 6),
              consumes: many('string', 7),
              parameters: many('ParametersItem', 8),
              responses: { id: 9, type: 'Responses' },
              schemes: many('string', 10),
              vendorExtension: many('NamedAny', 13),
            }),
            PathItem: msg({
              get: { id: 2, type: 'Operation' },
              put: { id: 3, type: 'Operation' },
              post: { id: 4, type: 'Operation' },
              delete: { id: 5, type: 'Operation' },
              head: { id: 7, type: 'Operation' },
              patch: { id: 8, type: 'Operation' },
              parameters: many('ParametersItem', 9),
            }),
            NamedPathItem: named('PathItem'),
            Paths: msg({ path: many('NamedPathItem', 2) }),
            ApiKeySecurity: msg({ type: { id: 1, type: 'string' }, name: { id: 2, type: 'string' }, in: { id: 3, type: 'string' }, description: { id: 4, type: 'string' } }),
            SecurityDefinitionsItem: msg({ apiKeySecurity: { id: 2, type: 'ApiKeySecurity' } }),
            NamedSecurityDefinitionsItem: named('SecurityDefinitionsItem'),
            SecurityDefinitions: msg({ additionalProperties: many('NamedSecurityDefinitionsItem') }),
            StringArray: msg({ value: many('string') }),
            NamedStringArray: named('StringArray'),
            SecurityRequirement: msg({ additionalProperties: many('NamedStringArray') }),
            Document: msg({
              swagger: { id: 1, type: 'string' },
              info: { id: 2, type: 'Info' },
              paths: { id: 8, type: 'Paths' },
              definitions: { id: 9, type: 'Definitions' },
              security: many('SecurityRequirement', 12),
              securityDefinitions: { id: 13, type: 'SecurityDefinitions' },
            }),
          },
        },
      },
    },
  },
});
const DOCUMENT = ROOT.lookupType('openapi.v2.Document');

type Json = Record<string, unknown>;

/** gnostic keeps free-form values (defaults, enums, extensions) as YAML text. */
const anyOf = (value: unknown) => ({ yaml: `${stringify(value).trimEnd()}\n` });

function extensions(o: Json): Array<{ name: string; value: { yaml: string } }> {
  return Object.entries(o)
    .filter(([k, v]) => k.startsWith('x-') && v !== undefined)
    .map(([name, v]) => ({ name, value: anyOf(v) }));
}

const SCALARS = ['format', 'title', 'description', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'maxProperties', 'minProperties', 'readOnly'] as const;

function schemaMessage(s: Schema): Json {
  const src = s as Json;
  const out: Json = {};
  if (typeof src.$ref === 'string') out.ref = src.$ref;
  for (const k of SCALARS) if (src[k] !== undefined) out[k] = src[k];
  if (src.default !== undefined) out.default = anyOf(src.default);
  if (src.example !== undefined) out.example = anyOf(src.example);
  if (Array.isArray(src.required) && src.required.length) out.required = src.required;
  if (Array.isArray(src.enum)) out.enum = src.enum.map(anyOf);
  if (typeof src.type === 'string') out.type = { value: [src.type] };
  if (src.items && typeof src.items === 'object') out.items = { schema: [schemaMessage(src.items as Schema)] };
  if (src.additionalProperties === true || src.additionalProperties === false) out.additionalProperties = { boolean: src.additionalProperties };
  else if (src.additionalProperties && typeof src.additionalProperties === 'object') out.additionalProperties = { schema: schemaMessage(src.additionalProperties as Schema) };
  if (Array.isArray(src.allOf)) out.allOf = src.allOf.map((x) => schemaMessage(x as Schema));
  if (src.properties && typeof src.properties === 'object') {
    out.properties = { additionalProperties: Object.entries(src.properties as Record<string, Schema>).map(([name, value]) => ({ name, value: schemaMessage(value) })) };
  }
  const ext = extensions(src);
  if (ext.length) out.vendorExtension = ext;
  return out;
}

function parameterMessage(p: Json): Json {
  if (p.in === 'body') return { parameter: { bodyParameter: { description: p.description, name: p.name, in: 'body', required: Boolean(p.required), schema: p.schema ? schemaMessage(p.schema as Schema) : undefined } } };
  const sub = { required: Boolean(p.required), in: p.in, description: p.description, name: p.name, type: p.type, uniqueItems: Boolean(p.uniqueItems) };
  const which = p.in === 'query' ? 'queryParameterSubSchema' : p.in === 'header' ? 'headerParameterSubSchema' : 'pathParameterSubSchema';
  return { parameter: { nonBodyParameter: { [which]: sub } } };
}

function operationMessage(op: Json): Json {
  const responses = Object.entries((op.responses ?? {}) as Record<string, Json>).map(([name, r]) => ({
    name,
    value: { response: { description: r.description ?? '', ...(r.schema ? { schema: { schema: schemaMessage(r.schema as Schema) } } : {}) } },
  }));
  return {
    tags: op.tags,
    description: op.description,
    operationId: op.operationId,
    produces: op.produces,
    consumes: op.consumes,
    parameters: ((op.parameters ?? []) as Json[]).map(parameterMessage),
    responses: { responseCode: responses },
    schemes: op.schemes,
    vendorExtension: extensions(op),
  };
}

const METHODS = ['get', 'put', 'post', 'delete', 'head', 'patch'] as const;

function pathItemMessage(item: Json): Json {
  const out: Json = {};
  for (const m of METHODS) if (item[m]) out[m] = operationMessage(item[m] as Json);
  if (Array.isArray(item.parameters)) out.parameters = (item.parameters as Json[]).map(parameterMessage);
  return out;
}

/** The Swagger document as gnostic's `openapi.v2.Document` bytes. */
export function encodeSwaggerProtobuf(doc: SwaggerDocument): Buffer {
  const message = {
    swagger: doc.swagger,
    info: doc.info,
    paths: { path: Object.entries(doc.paths).map(([name, item]) => ({ name, value: pathItemMessage(item as Json) })) },
    definitions: { additionalProperties: Object.entries(doc.definitions).map(([name, s]) => ({ name, value: schemaMessage(s) })) },
    security: (doc.security as Array<Record<string, string[]>>).map((req) => ({ additionalProperties: Object.entries(req).map(([name, value]) => ({ name, value: { value } })) })),
    securityDefinitions: {
      additionalProperties: Object.entries(doc.securityDefinitions as Record<string, Json>).map(([name, d]) => ({ name, value: { apiKeySecurity: { type: d.type, name: d.name, in: d.in, description: d.description } } })),
    },
  };
  return Buffer.from(DOCUMENT.encode(DOCUMENT.fromObject(message)).finish());
}

/** Such bytes back to plain data, field names as declared above (for tests). */
export function decodeSwaggerProtobuf(bytes: Uint8Array): Record<string, unknown> {
  return DOCUMENT.toObject(DOCUMENT.decode(bytes), { defaults: false, arrays: true, oneofs: false }) as Record<string, unknown>;
}
