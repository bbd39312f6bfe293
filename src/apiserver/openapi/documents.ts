/**
 * The OpenAPI documents the server publishes, built from the registry's resources and the
 * schemas of their kinds (generated built-ins, plus CRD schemas added at run time):
 *
 * - `/openapi/v3`: an index of group-version documents, each URL carrying a hash of its document;
 * - `/openapi/v3/<api|apis/group>/<version>`: the paths of that group-version (list, item,
 *   status and scale operations, each with `x-kubernetes-group-version-kind`; PATCH lists every
 *   patch type and POST/PUT/PATCH the `fieldValidation` parameter, which tells kubectl the server
 *   validates fields itself) and every schema those paths reach;
 * - `/openapi/v2`: the same as one Swagger 2.0 document (`definitions`, `#/definitions/` refs).
 *
 * Documents are built once per change of the registry or of the custom schemas, never per request.
 */
import { encodeSwaggerProtobuf } from './v2-protobuf.js';
import { createHash } from 'node:crypto';
import type { ResourceType } from '../../apimachinery/resource-type.js';
import { builtinSchemas } from './builtin.js';
import { INT_OR_STRING, QUANTITY } from './generate.js';
import { refName, V2_REF_PREFIX, V3_REF_PREFIX, v3Ref, type GroupVersionKind, type Schema, type SchemaMap } from './schema.js';

/** What the documents need from the resource registry (ResourceRegistry satisfies it). */
export interface RegistryView {
  groupVersions(): Array<{ group: string; versions: string[] }>;
  resourcesIn(group: string, version: string): ResourceType[];
  all(): ResourceType[];
  /** When present, bumped on every change; otherwise the resource list is compared. */
  readonly generation?: number;
}

/** A kind's schema for field validation: its root, a resolver for its `$ref`s, its flavour. */
export interface KindSchema {
  readonly name: string;
  readonly schema: Schema;
  resolve(name: string): Schema | undefined;
  /**
   * True for custom resources: unknown fields are pruned by a structural schema (reported
   * after duplicates, sorted); false for built-in kinds, decoded strictly into typed structs.
   */
  readonly structural: boolean;
}

export interface OpenApiV3Document {
  openapi: '3.0.0';
  info: { title: string; version: string };
  paths: Record<string, unknown>;
  components: { schemas: Record<string, Schema>; securitySchemes?: Record<string, unknown> };
  security?: unknown[];
}

export interface OpenApiV3Root {
  paths: Record<string, { serverRelativeURL: string }>;
}

export interface SwaggerDocument {
  swagger: '2.0';
  info: { title: string; version: string };
  paths: Record<string, unknown>;
  definitions: Record<string, Schema>;
  securityDefinitions: Record<string, unknown>;
  security: unknown[];
}

const INFO = { title: 'Kubernetes', version: 'v1.32.5' };
const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const LIST_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';
const STATUS = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
const DELETE_OPTIONS = 'io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions';
const PATCH = 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch';
const SCALE = 'io.k8s.api.autoscaling.v1.Scale';

const API_VERSION_DESCRIPTION =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DESCRIPTION =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const METADATA_DESCRIPTION =
  "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const LIST_METADATA_DESCRIPTION = 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

const PATCH_TYPES = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
/** Custom resources take no strategic merge patch; kubectl then sends a JSON merge patch. */
const CUSTOM_PATCH_TYPES = PATCH_TYPES.filter((t) => t !== 'application/strategic-merge-patch+json');

/** Upstream's schema name of a built-in kind: `io.k8s.api.<group's first label>.<version>.<Kind>`. */
export function builtinSchemaName(group: string, version: string, kind: string): string {
  if (group === 'apiextensions.k8s.io') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${version}.${kind}`;
  if (group === 'apiregistration.k8s.io') return `io.k8s.kube-aggregator.pkg.apis.apiregistration.${version}.${kind}`;
  if (group === 'internal.apiserver.k8s.io') return `io.k8s.api.apiserverinternal.${version}.${kind}`;
  return `io.k8s.api.${group === '' ? 'core' : group.split('.')[0]}.${version}.${kind}`;
}

/** Upstream's schema name of a custom kind: the group reversed (`com.example.stable.v1.CronTab`). */
export function customSchemaName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

interface CustomKind {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  readonly name: string;
  readonly listName: string;
  readonly schema: Schema;
  readonly listSchema: Schema;
}

interface Built {
  readonly key: string;
  readonly docs: Map<string, OpenApiV3Document | undefined>;
  root?: OpenApiV3Root;
  swagger?: SwaggerDocument;
  swaggerProtobuf?: Buffer;
}

/**
 * The published OpenAPI of one registry. Cheap to query: documents are built lazily and kept
 * until the registry or the custom schemas change.
 */
export class OpenApiDocuments {
  private readonly custom = new Map<string, CustomKind>();
  private customGeneration = 0;
  private built: Built | undefined;

  constructor(
    private readonly registry: RegistryView,
    private readonly builtins: () => SchemaMap = builtinSchemas,
  ) {}

  /**
   * Publish (or replace) the schema of a custom kind: a CRD version's `openAPIV3Schema`. The
   * published schema adds `apiVersion`, `kind`, `metadata` (ObjectMeta) and the GVK, as
   * kube-apiserver does; a missing schema publishes an object that preserves unknown fields.
   */
  setCustomSchema(group: string, version: string, kind: string, openAPIV3Schema: Schema | undefined, listKind = `${kind}List`): void {
    const name = customSchemaName(group, version, kind);
    const listName = customSchemaName(group, version, listKind);
    const base: Schema = openAPIV3Schema ? structuredClone(openAPIV3Schema) : { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    const schema: Schema = {
      ...base,
      type: 'object',
      properties: {
        ...(base.properties ?? {}),
        apiVersion: { description: API_VERSION_DESCRIPTION, type: 'string' },
        kind: { description: KIND_DESCRIPTION, type: 'string' },
        metadata: { description: METADATA_DESCRIPTION, allOf: [v3Ref(OBJECT_META)] },
      },
      'x-kubernetes-group-version-kind': [{ group, kind, version }],
    };
    const listSchema: Schema = {
      description: `${listKind} is a list of ${kind}`,
      type: 'object',
      properties: {
        apiVersion: { description: API_VERSION_DESCRIPTION, type: 'string' },
        items: { description: `List of ${kind.toLowerCase()}s. More info: https://git.k8s.io/community/contributors/devel/api-conventions.md`, type: 'array', items: v3Ref(name) },
        kind: { description: KIND_DESCRIPTION, type: 'string' },
        metadata: { description: LIST_METADATA_DESCRIPTION, allOf: [v3Ref(LIST_META)] },
      },
      required: ['items'],
      'x-kubernetes-group-version-kind': [{ group, kind: listKind, version }],
    };
    this.custom.set(gvkKey(group, version, kind), { group, version, kind, listKind, name, listName, schema, listSchema });
    this.customGeneration++;
  }

  /** Stop publishing a custom kind's schema (its CRD version was removed). */
  removeCustomSchema(group: string, version: string, kind: string): void {
    if (this.custom.delete(gvkKey(group, version, kind))) this.customGeneration++;
  }

  /** The schema of a kind for field validation: a custom schema first, then the built-in one. */
  kindSchema(group: string, version: string, kind: string): KindSchema | undefined {
    const custom = this.custom.get(gvkKey(group, version, kind));
    if (custom) {
      const builtins = this.builtins();
      return { name: custom.name, schema: custom.schema, resolve: (n) => (n === custom.name ? custom.schema : builtins[n]), structural: true };
    }
    return builtinKindSchema(group, version, kind, this.builtins());
  }

  /** `/openapi/v3`. */
  root(): OpenApiV3Root {
    const b = this.current();
    if (!b.root) {
      const paths: Record<string, { serverRelativeURL: string }> = {};
      for (const { group, versions } of this.registry.groupVersions()) {
        for (const version of versions) {
          const doc = this.groupVersionIn(b, group, version);
          if (!doc) continue;
          const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
          const path = gvPath(group, version);
          paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
        }
      }
      b.root = { paths };
    }
    return b.root;
  }

  /** `/openapi/v3/api/<version>` or `/openapi/v3/apis/<group>/<version>`; undefined when not served. */
  groupVersion(group: string, version: string): OpenApiV3Document | undefined {
    return this.groupVersionIn(this.current(), group, version);
  }

  /** `/openapi/v2` as JSON. */
  swagger(): SwaggerDocument {
    const b = this.current();
    if (!b.swagger) {
      const paths: Record<string, unknown> = {};
      const definitions: Record<string, Schema> = {};
      for (const { group, versions } of this.registry.groupVersions()) {
        for (const version of versions) {
          const doc = this.groupVersionIn(b, group, version);
          if (!doc) continue;
          for (const [path, item] of Object.entries(doc.paths)) paths[path] = v2PathItem(item as PathItem);
          for (const [name, schema] of Object.entries(doc.components.schemas)) definitions[name] ??= v2Schema(name, schema);
        }
      }
      b.swagger = {
        swagger: '2.0',
        info: INFO,
        paths: sortKeys(paths),
        definitions: sortKeys(definitions),
        securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
        security: [{ BearerToken: [] }],
      };
    }
    return b.swagger;
  }

  /** `/openapi/v2` in gnostic's protobuf encoding. */
  swaggerProtobuf(): Buffer {
    const b = this.current();
    b.swaggerProtobuf ??= encodeSwaggerProtobuf(this.swagger());
    return b.swaggerProtobuf;
  }

  private current(): Built {
    const key = `${this.registry.generation ?? registryKey(this.registry)}#${this.customGeneration}`;
    if (this.built?.key !== key) this.built = { key, docs: new Map() };
    return this.built;
  }

  private groupVersionIn(b: Built, group: string, version: string): OpenApiV3Document | undefined {
    const key = `${group}/${version}`;
    if (!b.docs.has(key)) b.docs.set(key, this.buildGroupVersion(group, version));
    return b.docs.get(key);
  }

  private buildGroupVersion(group: string, version: string): OpenApiV3Document | undefined {
    const resources = this.registry.resourcesIn(group, version);
    if (resources.length === 0) return undefined;
    const builtins = this.builtins();
    const extra: Record<string, Schema> = {};
    const paths: Record<string, unknown> = {};
    for (const rt of resources) {
      const custom = this.custom.get(gvkKey(rt.group, rt.version, rt.kind));
      let kindName: string;
      let listName: string | undefined;
      let builtin = false;
      if (custom) {
        kindName = custom.name;
        listName = custom.listName;
        extra[kindName] = custom.schema;
        extra[listName] = custom.listSchema;
      } else {
        kindName = builtinSchemaName(rt.group, rt.version, rt.kind);
        listName = builtinSchemaName(rt.group, rt.version, rt.listKind);
        if (!builtins[kindName]) {
          // A kind without a schema (a custom resource whose schema is not set): publish an open
          // object with its GVK, so kubectl still finds the PATCH operation and explain names it.
          kindName = customSchemaName(rt.group, rt.version, rt.kind);
          extra[kindName] = {
            description: `${rt.kind} has no published schema.`,
            type: 'object',
            'x-kubernetes-preserve-unknown-fields': true,
            properties: {
              apiVersion: { description: API_VERSION_DESCRIPTION, type: 'string' },
              kind: { description: KIND_DESCRIPTION, type: 'string' },
              metadata: { description: METADATA_DESCRIPTION, allOf: [v3Ref(OBJECT_META)] },
            },
            'x-kubernetes-group-version-kind': [{ group: rt.group, kind: rt.kind, version: rt.version }],
          };
        }
        if (!builtins[listName]) listName = undefined;
        builtin = !!builtins[builtinSchemaName(rt.group, rt.version, rt.kind)];
      }
      Object.assign(paths, resourcePaths(rt, kindName, listName, builtin ? PATCH_TYPES : CUSTOM_PATCH_TYPES));
    }
    const lookup = (n: string) => extra[n] ?? builtins[n];
    return {
      openapi: '3.0.0',
      info: INFO,
      paths: sortKeys(paths),
      components: {
        schemas: reachableSchemas(paths, lookup),
        securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
      },
      security: [{ BearerToken: [] }],
    };
  }
}

/** The built-in schema of a kind, for field validation; undefined for kinds without one. */
export function builtinKindSchema(group: string, version: string, kind: string, schemas: SchemaMap = builtinSchemas()): KindSchema | undefined {
  const name = builtinSchemaName(group, version, kind);
  const schema = schemas[name];
  if (!schema) return undefined;
  return { name, schema, resolve: (n) => schemas[n], structural: false };
}

function gvkKey(group: string, version: string, kind: string): string {
  return `${group}/${version}/${kind}`;
}

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function registryKey(registry: RegistryView): string {
  return registry
    .all()
    .map((rt) => `${rt.group}/${rt.version}/${rt.plural}/${rt.kind}/${rt.listKind}/${rt.namespaced}/${rt.verbs.join(',')}/${rt.subresources.map((s) => s.name).join(',')}`)
    .sort()
    .join('|');
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Every schema the document's `$ref`s reach, transitively. */
function reachableSchemas(root: unknown, lookup: (name: string) => Schema | undefined): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const queue: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string') queue.push(refName(x));
        else visit(x);
      }
    }
  };
  visit(root);
  while (queue.length) {
    const name = queue.pop()!;
    if (out[name]) continue;
    const schema = lookup(name);
    if (!schema) continue;
    out[name] = schema;
    visit(schema);
  }
  return sortKeys(out);
}

// ---------------------------------------------------------------------------------------------
// Paths

interface Parameter {
  name: string;
  in: 'query' | 'path';
  description: string;
  required?: boolean;
  schema: { type: string; uniqueItems: true };
}

interface Operation {
  tags: string[];
  description: string;
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }>; required: true };
  responses: Record<string, { description: string; content?: Record<string, { schema: Schema }> }>;
  'x-kubernetes-action': string;
  'x-kubernetes-group-version-kind': GroupVersionKind;
}

type PathItem = Partial<Record<'get' | 'put' | 'post' | 'patch' | 'delete', Operation>> & { parameters?: Parameter[] };

function query(name: string, description: string, type = 'string'): Parameter {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

const P = {
  pretty: query('pretty', "If 'true', then the output is pretty printed. Defaults to 'false' unless the user-agent indicates a browser or command-line HTTP tool (curl and wget)."),
  dryRun: query(
    'dryRun',
    'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed',
  ),
  fieldManager: query(
    'fieldManager',
    'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.',
  ),
  fieldValidation: query(
    'fieldValidation',
    'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.',
  ),
  force: query('force', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.', 'boolean'),
  gracePeriodSeconds: query('gracePeriodSeconds', 'The duration in seconds before the object should be deleted. Value must be non-negative integer. The value zero indicates delete immediately.', 'integer'),
  propagationPolicy: query('propagationPolicy', "Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background' and 'Foreground'."),
  allowWatchBookmarks: query('allowWatchBookmarks', 'allowWatchBookmarks requests watch events with type "BOOKMARK".', 'boolean'),
  continue: query('continue', 'The continue option should be set when retrieving more results from the server.'),
  fieldSelector: query('fieldSelector', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  labelSelector: query('labelSelector', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  limit: query('limit', 'limit is a maximum number of responses to return for a list call.', 'integer'),
  resourceVersion: query('resourceVersion', 'resourceVersion sets a constraint on what resource versions a request may be served from.'),
  resourceVersionMatch: query('resourceVersionMatch', 'resourceVersionMatch determines how resourceVersion is applied to list calls.'),
  timeoutSeconds: query('timeoutSeconds', 'Timeout for the list/watch call.', 'integer'),
  watch: query('watch', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.', 'boolean'),
};
const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit, P.resourceVersion, P.resourceVersionMatch, P.timeoutSeconds, P.watch];

function json(schema: Schema): Record<string, { schema: Schema }> {
  return { 'application/json': { schema }, 'application/yaml': { schema } };
}

function operationGroup(group: string, version: string): { id: string; tag: string } {
  const parts = (group === '' ? 'core' : group.replace(/\.k8s\.io$/, '')).split('.');
  const id = parts.map((p) => p[0].toUpperCase() + p.slice(1)).join('') + version[0].toUpperCase() + version.slice(1);
  const tag = parts.map((p, i) => (i === 0 ? p : p[0].toUpperCase() + p.slice(1))).join('') + `_${version}`;
  return { id, tag };
}

function resourcePaths(rt: ResourceType, kindName: string, listName: string | undefined, patchTypes: readonly string[]): Record<string, PathItem> {
  const { id, tag } = operationGroup(rt.group, rt.version);
  const ns = rt.namespaced ? 'Namespaced' : '';
  const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
  const can = (v: string) => rt.verbs.includes(v as never);
  const kindRef = v3Ref(kindName);
  const ok = (schema: Schema, codes = ['200']) => Object.fromEntries([...codes.map((c) => [c, { description: c === '201' ? 'Created' : c === '202' ? 'Accepted' : 'OK', content: json(schema) }]), ['401', { description: 'Unauthorized' }]]);
  const base = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
  const collection = rt.namespaced ? `${base}/namespaces/{namespace}/${rt.plural}` : `${base}/${rt.plural}`;
  const nsParam: Parameter[] = rt.namespaced
    ? [{ name: 'namespace', in: 'path', description: 'object name and auth scope, such as for teams and projects', required: true, schema: { type: 'string', uniqueItems: true } }]
    : [];
  const nameParam = (what: string): Parameter => ({ name: 'name', in: 'path', description: `name of the ${what}`, required: true, schema: { type: 'string', uniqueItems: true } });
  const op = (verb: string, action: string, description: string, rest: Partial<Operation> & Pick<Operation, 'responses'>, kind: GroupVersionKind = gvk): Operation => ({
    tags: [tag],
    description,
    ...rest,
    operationId: rest.operationId ?? `${verb}${id}${ns}${rt.kind}`,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': kind,
  });
  const write = (schema: Schema) => ({ content: { '*/*': { schema } }, required: true as const });
  const patchBody = { content: Object.fromEntries(patchTypes.map((t) => [t, { schema: v3Ref(PATCH) }])), required: true as const };
  const lower = rt.kind;
  const paths: Record<string, PathItem> = {};

  const list: PathItem = { parameters: [...nsParam, P.pretty] };
  if (can('list') && listName) list.get = op('list', 'list', `list or watch objects of kind ${lower}`, { parameters: LIST_PARAMS, responses: ok(v3Ref(listName)) });
  if (can('create')) list.post = op('create', 'post', `create ${article(lower)}`, { parameters: [P.dryRun, P.fieldManager, P.fieldValidation], requestBody: write(kindRef), responses: ok(kindRef, ['200', '201', '202']) });
  if (can('deletecollection')) {
    list.delete = op('delete', 'deletecollection', `delete collection of ${lower}`, {
      operationId: `delete${id}Collection${ns}${rt.kind}`,
      parameters: [...LIST_PARAMS.filter((p) => p !== P.watch && p !== P.allowWatchBookmarks), P.dryRun, P.gracePeriodSeconds, P.propagationPolicy],
      requestBody: write(v3Ref(DELETE_OPTIONS)),
      responses: ok(v3Ref(STATUS)),
    });
  }
  if (list.get || list.post || list.delete) paths[collection] = list;

  const item: PathItem = { parameters: [nameParam(rt.kind), ...nsParam, P.pretty] };
  if (can('get')) item.get = op('read', 'get', `read the specified ${rt.kind}`, { responses: ok(kindRef) });
  if (can('update')) item.put = op('replace', 'put', `replace the specified ${rt.kind}`, { parameters: [P.dryRun, P.fieldManager, P.fieldValidation], requestBody: write(kindRef), responses: ok(kindRef, ['200', '201']) });
  if (can('patch')) item.patch = op('patch', 'patch', `partially update the specified ${rt.kind}`, { parameters: [P.dryRun, P.fieldManager, P.fieldValidation, P.force], requestBody: patchBody, responses: ok(kindRef, ['200', '201']) });
  if (can('delete')) item.delete = op('delete', 'delete', `delete ${article(lower)}`, { parameters: [P.dryRun, P.gracePeriodSeconds, P.propagationPolicy], requestBody: write(v3Ref(DELETE_OPTIONS)), responses: ok(v3Ref(STATUS), ['200', '202']) });
  paths[`${collection}/{name}`] = item;

  if (rt.namespaced && can('list') && listName) {
    paths[`${base}/${rt.plural}`] = {
      parameters: [...LIST_PARAMS, P.pretty],
      get: op('list', 'list', `list or watch objects of kind ${lower}`, { operationId: `list${id}${rt.kind}ForAllNamespaces`, responses: ok(v3Ref(listName)) }),
    };
  }

  for (const sub of rt.subresources) {
    if (sub.name !== 'status' && sub.name !== 'scale') continue;
    const subGvk = { group: sub.group, version: sub.version, kind: sub.kind };
    const ref = sub.name === 'scale' ? v3Ref(SCALE) : kindRef;
    const suffix = sub.name === 'scale' ? 'Scale' : 'Status';
    const subItem: PathItem = { parameters: [nameParam(sub.name === 'scale' ? 'Scale' : rt.kind), ...nsParam, P.pretty] };
    const subId = (verb: string) => `${verb}${id}${ns}${rt.kind}${suffix}`;
    subItem.get = op('read', 'get', `read ${sub.name} of the specified ${rt.kind}`, { operationId: subId('read'), responses: ok(ref) }, subGvk);
    subItem.put = op(
      'replace',
      'put',
      `replace ${sub.name} of the specified ${rt.kind}`,
      { operationId: subId('replace'), parameters: [P.dryRun, P.fieldManager, P.fieldValidation], requestBody: write(ref), responses: ok(ref, ['200', '201']) },
      subGvk,
    );
    subItem.patch = op(
      'patch',
      'patch',
      `partially update ${sub.name} of the specified ${rt.kind}`,
      { operationId: subId('patch'), parameters: [P.dryRun, P.fieldManager, P.fieldValidation, P.force], requestBody: patchBody, responses: ok(ref, ['200', '201']) },
      subGvk,
    );
    paths[`${collection}/{name}/${sub.name}`] = subItem;
  }
  return paths;
}

function article(kind: string): string {
  return /^[AEIOU]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

// ---------------------------------------------------------------------------------------------
// Swagger 2.0

function v2Ref(ref: string): string {
  return ref.startsWith(V3_REF_PREFIX) ? `${V2_REF_PREFIX}${ref.slice(V3_REF_PREFIX.length)}` : ref;
}

/** A v3 schema in Swagger 2.0 form: `#/definitions/` refs, `$ref` with siblings instead of `allOf`. */
export function v2Schema(name: string | undefined, s: Schema): Schema {
  if (name === INT_OR_STRING) return { description: s.description, type: 'string', format: 'int-or-string' };
  if (name === QUANTITY) return { description: s.description, type: 'string' };
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$ref' && typeof v === 'string') out.$ref = v2Ref(v);
    else if (k === 'allOf' && Array.isArray(v) && v.length === 1 && (v[0] as Schema).$ref && Object.keys(v[0] as Schema).length === 1) out.$ref = v2Ref((v[0] as Schema).$ref!);
    else if (k === 'properties' && v && typeof v === 'object') out.properties = Object.fromEntries(Object.entries(v as Record<string, Schema>).map(([p, ps]) => [p, v2Schema(undefined, ps)]));
    else if ((k === 'items' || k === 'additionalProperties') && v && typeof v === 'object') out[k] = v2Schema(undefined, v as Schema);
    else if (V3_ONLY.has(k)) continue;
    else out[k] = v;
  }
  return kubectlReadable(s, out);
}

/** Keywords with no place in Swagger 2.0 (a one-`$ref` allOf is kept, as a plain `$ref`, above). */
const V3_ONLY = new Set(['allOf', 'oneOf', 'anyOf', 'not', 'nullable']);

/**
 * What kube-apiserver does to custom resources' schemas when it publishes them in v2, so that
 * kubectl's client-side validation reads them: a nullable value, or one that keeps unknown
 * fields, loses what would make kubectl reject what it allows (its type, or its items and
 * properties); an array left without items loses its type; a nullable property is not required.
 */
function kubectlReadable(v3: Schema, out: Schema): Schema {
  const src = v3 as Record<string, unknown>;
  const o = out as Record<string, unknown>;
  if (src.nullable === true) {
    delete o.type;
    delete o.items;
    delete o.properties;
  }
  if (src['x-kubernetes-preserve-unknown-fields'] === true) {
    delete o.items;
    delete o.properties;
  }
  if (o.type === 'array' && o.items === undefined) delete o.type;
  const props = src.properties as Record<string, Record<string, unknown>> | undefined;
  if (Array.isArray(o.required) && props) {
    const required = (o.required as string[]).filter((f) => props[f]?.nullable !== true);
    if (required.length) o.required = required;
    else delete o.required;
  }
  return out;
}

function v2PathItem(item: PathItem): unknown {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) {
    if (k === 'parameters') out.parameters = (v as Parameter[]).map(v2Parameter);
    else out[k] = v2Operation(v as Operation);
  }
  return out;
}

function v2Parameter(p: Parameter): unknown {
  return { name: p.name, in: p.in, description: p.description, ...(p.required ? { required: true } : {}), type: p.schema.type, uniqueItems: true };
}

function v2Operation(op: Operation): unknown {
  const parameters: unknown[] = (op.parameters ?? []).map(v2Parameter);
  let consumes = ['*/*'];
  if (op.requestBody) {
    const types = Object.keys(op.requestBody.content);
    if (types[0] !== '*/*') consumes = types;
    const schema = Object.values(op.requestBody.content)[0].schema;
    parameters.unshift({ name: 'body', in: 'body', required: true, schema: v2Schema(undefined, schema) });
  }
  const responses: Record<string, unknown> = {};
  for (const [code, r] of Object.entries(op.responses)) {
    const schema = r.content && Object.values(r.content)[0].schema;
    responses[code] = schema ? { description: r.description, schema: v2Schema(undefined, schema) } : { description: r.description };
  }
  return {
    description: op.description,
    consumes,
    produces: ['application/json', 'application/yaml'],
    schemes: ['https'],
    tags: op.tags,
    operationId: op.operationId,
    ...(parameters.length ? { parameters } : {}),
    responses,
    'x-kubernetes-action': op['x-kubernetes-action'],
    'x-kubernetes-group-version-kind': op['x-kubernetes-group-version-kind'],
  };
}
