/**
 * Builds the OpenAPI v3 schemas of the built-in kinds from typed sources, at build time:
 *
 * - `kubernetes-types` (TypeScript interfaces, one per upstream schema, with upstream's
 *   descriptions as JSDoc and upstream's required fields as non-optional properties) gives the
 *   structure, the descriptions, `required` and, from each kind's `apiVersion`/`kind` literal
 *   types, `x-kubernetes-group-version-kind`. It is read with the TypeScript compiler API.
 * - `@kubernetes/client-node`'s generated models (`attributeTypeMap`) give what TypeScript's
 *   `number` loses (`integer` + `int32`/`int64`, or `number` + `double`) and the `byte` format,
 *   plus the fields kubernetes-types lacks (listed in struct-tags.ts): their type from the
 *   attribute map and their description from the model's JSDoc.
 * - struct-tags.ts, extracted from the upstream Go sources, gives the patch strategies, merge
 *   keys, list types, list-map keys and map types.
 *
 * Schemas that upstream special-cases (IntOrString, Quantity, Time, MicroTime, RawExtension,
 * FieldsV1, the apiextensions JSON wrappers) are shaped as upstream's v3 document shapes them.
 * Only the build (scripts/generate-openapi.mjs) and a missing-file fallback run this; the
 * server loads the JSON it writes.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import type * as TS from 'typescript';
import { ENUM_TYPES, FIELD_TAGS, FIELDS_MISSING_FROM_KUBERNETES_TYPES, STRUCT_TAGS_SOURCE, TYPE_TAGS, TYPES_MISSING_FROM_KUBERNETES_TYPES, type FieldTags } from './struct-tags.js';
import { v3Ref, type GroupVersionKind, type Schema } from './schema.js';

/** Bump when the generator's output changes for the same inputs (invalidates generated files). */
export const GENERATOR_VERSION = 4;

export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
export const MICRO_TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';
const APIEXTENSIONS = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';

export interface BuiltinSchemas {
  /** Identifies the inputs; a loaded file whose fingerprint differs is regenerated. */
  readonly fingerprint: string;
  readonly sources: { readonly kubernetesTypes: string; readonly clientNode: string; readonly structTags: string };
  readonly schemas: Record<string, Schema>;
  /** Counts for the build log: numbers typed without a client-node format, fields filled in. */
  readonly stats: { readonly schemas: number; readonly unformattedNumbers: number; readonly filledFields: number; readonly unfilledFields: string[] };
}

interface Packages {
  readonly typesRoot: string;
  readonly typesVersion: string;
  readonly clientNodeRoot: string;
  readonly clientNodeVersion: string;
}

const require = createRequire(import.meta.url);

/** The directory of the package `name` whose entry point is `entry`. */
function packageRoot(entry: string, name: string): string {
  const isRoot = (dir: string) => statSafe(join(dir, 'package.json')) && (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === name;
  let dir = dirname(entry);
  while (!isRoot(dir)) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${entry}`);
    dir = up;
  }
  return dir;
}

function statSafe(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

function findPackages(): Packages {
  const typesRoot = dirname(require.resolve('kubernetes-types/package.json'));
  const clientNodeRoot = packageRoot(require.resolve('@kubernetes/client-node'), '@kubernetes/client-node');
  const version = (root: string) => (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  return { typesRoot, typesVersion: version(typesRoot), clientNodeRoot, clientNodeVersion: version(clientNodeRoot) };
}

/** The fingerprint of the current inputs, without generating (cheap: two package.json reads). */
export function currentFingerprint(): string {
  const p = findPackages();
  return fingerprintOf(p);
}

function fingerprintOf(p: Packages): string {
  return createHash('sha256')
    .update(JSON.stringify([GENERATOR_VERSION, p.typesVersion, p.clientNodeVersion, STRUCT_TAGS_SOURCE, FIELD_TAGS, ENUM_TYPES, TYPE_TAGS, FIELDS_MISSING_FROM_KUBERNETES_TYPES, TYPES_MISSING_FROM_KUBERNETES_TYPES]))
    .digest('hex')
    .slice(0, 32);
}

/** kubernetes-types file (relative, no extension) → schema-name prefix. */
function schemaPrefix(rel: string): string | undefined {
  switch (rel) {
    case 'meta/v1':
      return 'io.k8s.apimachinery.pkg.apis.meta.v1';
    case 'apiextensions/v1':
      return APIEXTENSIONS;
    case 'api/resource':
      return 'io.k8s.apimachinery.pkg.api.resource';
    case 'runtime':
      return 'io.k8s.apimachinery.pkg.runtime';
    case 'version':
      return 'io.k8s.apimachinery.pkg.version';
  }
  const m = /^([a-z0-9]+)\/(v\d+(?:(?:alpha|beta)\d+)?)$/.exec(rel);
  return m ? `io.k8s.api.${m[1]}.${m[2]}` : undefined;
}

function listDts(root: string, dir = root, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'node_modules') listDts(root, path, out);
    } else if (name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The text of the JSDoc block right before `node` (`/** … *\/`), as upstream's description. */
function jsDocText(ts: typeof TS, source: TS.SourceFile, node: TS.Node): string | undefined {
  const ranges = ts.getLeadingCommentRanges(source.text, node.getFullStart()) ?? [];
  const last = ranges.filter((r) => source.text.startsWith('/**', r.pos)).at(-1);
  if (!last) return undefined;
  return cleanComment(source.text.slice(last.pos, last.end));
}

function cleanComment(raw: string): string | undefined {
  const body = raw.replace(/^\/\*\*/, '').replace(/\*\/$/, '');
  const lines = body.split('\n').map((l) => l.replace(/^\s*\* ?/, '').replace(/\s+$/, ''));
  while (lines.length && lines[0].trim() === '') lines.shift();
  while (lines.length && lines.at(-1)!.trim() === '') lines.pop();
  const text = lines.join('\n').trim();
  return text || undefined;
}

// ---------------------------------------------------------------------------------------------
// @kubernetes/client-node models: formats, and fields kubernetes-types lacks

interface Attribute {
  name: string;
  baseName: string;
  type: string;
  format: string;
}

interface ClientModel {
  readonly attributes: Map<string, Attribute>;
  /** JSDoc per TypeScript property name. */
  readonly docs: Map<string, string>;
  /** The class's JSDoc. */
  readonly description?: string;
  /** TypeScript property names declared without `?`. */
  readonly required: Set<string>;
}

class ClientModels {
  private readonly cache = new Map<string, ClientModel | null>();
  private readonly dir: string;

  constructor(root: string) {
    this.dir = join(root, 'dist', 'gen', 'models');
  }

  /** The client-node class name of a schema: `CoreV1EndpointPort` where names collide, else `V1Pod`. */
  classNameCandidates(schemaName: string): string[] {
    const m = /^io\.k8s\.(?:api\.([a-z0-9]+)|apimachinery\.pkg\.apis\.(meta)|apiextensions-apiserver\.pkg\.apis\.(apiextensions))\.(v\w+)\.(\w+)$/.exec(schemaName);
    if (!m) return [];
    const group = m[1] ?? m[2] ?? m[3];
    const cap = (s: string) => s[0].toUpperCase() + s.slice(1);
    return [`${cap(group)}${cap(m[4])}${m[5]}`, `${cap(m[4])}${m[5]}`];
  }

  model(schemaName: string): ClientModel | undefined {
    for (const cls of this.classNameCandidates(schemaName)) {
      const m = this.load(cls);
      if (m) return m;
    }
    return undefined;
  }

  private load(cls: string): ClientModel | undefined {
    if (this.cache.has(cls)) return this.cache.get(cls) ?? undefined;
    let model: ClientModel | null = null;
    const js = join(this.dir, `${cls}.js`);
    if (statSafe(js)) {
      const text = readFileSync(js, 'utf8');
      const m = /\.attributeTypeMap = (\[[\s\S]*?\]);/.exec(text);
      const attrs = m ? (JSON.parse(m[1]) as Attribute[]) : [];
      const docs = new Map<string, string>();
      const required = new Set<string>();
      let description: string | undefined;
      const dts = join(this.dir, `${cls}.d.ts`);
      if (statSafe(dts)) {
        const dtsText = readFileSync(dts, 'utf8');
        const re = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*'([\w$]+)'\??:/g;
        for (const d of dtsText.matchAll(re)) {
          const text = cleanComment(`/**${d[1]}*/`);
          if (text) docs.set(d[2], unescapeClientDoc(text));
        }
        for (const r of dtsText.matchAll(/^\s*'([\w$]+)':/gm)) required.add(r[1]);
        const classDoc = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*export declare class/.exec(dtsText);
        const text = classDoc && cleanComment(`/**${classDoc[1]}*/`);
        if (text) description = unescapeClientDoc(text);
      }
      model = { attributes: new Map(attrs.map((a) => [a.baseName, a])), docs, description, required };
    }
    this.cache.set(cls, model);
    return model ?? undefined;
  }
}

/** client-node's generator escapes quotes and breaks up comment terminators (`pods/_*`). */
function unescapeClientDoc(text: string): string {
  return text.replace(/\\'/g, "'").replace(/\/_\*/g, '/*').replace(/\*_\//g, '*/');
}

// ---------------------------------------------------------------------------------------------
// The generator

export function generateBuiltinSchemas(): BuiltinSchemas {
  const ts = require('typescript') as typeof TS;
  const pkgs = findPackages();
  const client = new ClientModels(pkgs.clientNodeRoot);
  const schemas: Record<string, Schema> = {};
  const classToSchema = new Map<string, string>();
  let unformattedNumbers = 0;
  let filledFields = 0;
  const unfilledFields: string[] = [];

  interface Pending {
    name: string;
    source: TS.SourceFile;
    node: TS.InterfaceDeclaration | TS.TypeAliasDeclaration;
    resolve: (id: string) => string | undefined;
  }
  const pending: Pending[] = [];

  for (const path of listDts(pkgs.typesRoot)) {
    const rel = relative(pkgs.typesRoot, path).split(sep).join('/').replace(/\.d\.ts$/, '');
    const prefix = schemaPrefix(rel);
    if (!prefix) continue;
    const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const names = new Map<string, string>();
    for (const st of source.statements) {
      if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
        const target = join(dirname(rel), st.moduleSpecifier.text).split(sep).join('/');
        const targetPrefix = schemaPrefix(target);
        const bindings = st.importClause?.namedBindings;
        if (targetPrefix && bindings && ts.isNamedImports(bindings)) {
          for (const el of bindings.elements) names.set(el.name.text, `${targetPrefix}.${(el.propertyName ?? el.name).text}`);
        }
      } else if ((ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) && st.name) {
        names.set(st.name.text, `${prefix}.${st.name.text}`);
      }
    }
    for (const st of source.statements) {
      if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) {
        const name = `${prefix}.${st.name.text}`;
        pending.push({ name, source, node: st, resolve: (id) => names.get(id) });
        for (const cls of client.classNameCandidates(name)) if (!classToSchema.has(cls)) classToSchema.set(cls, name);
      }
    }
  }

  /** Schema of a TypeScript type; `format` is client-node's for the leaf scalar. */
  const typeSchema = (p: Pending, t: TS.TypeNode, format: string | undefined, where: string): Schema => {
    switch (t.kind) {
      case ts.SyntaxKind.StringKeyword:
        return format === 'byte' ? { type: 'string', format } : { type: 'string' };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: 'boolean' };
      case ts.SyntaxKind.NumberKeyword:
        return numberSchema(format, where);
      case ts.SyntaxKind.AnyKeyword:
      case ts.SyntaxKind.UnknownKeyword:
        return { type: 'object' };
    }
    if (ts.isLiteralTypeNode(t)) {
      if (ts.isStringLiteral(t.literal)) return { type: 'string' };
      if (t.literal.kind === ts.SyntaxKind.TrueKeyword || t.literal.kind === ts.SyntaxKind.FalseKeyword) return { type: 'boolean' };
      return numberSchema(format, where);
    }
    if (ts.isParenthesizedTypeNode(t)) return typeSchema(p, t.type, format, where);
    if (ts.isUnionTypeNode(t)) {
      const kinds = new Set(t.types.map((u) => (ts.isLiteralTypeNode(u) && ts.isStringLiteral(u.literal) ? ts.SyntaxKind.StringKeyword : u.kind)));
      if (kinds.size === 2 && kinds.has(ts.SyntaxKind.NumberKeyword) && kinds.has(ts.SyntaxKind.StringKeyword)) return v3Ref(INT_OR_STRING);
      if (kinds.size === 1) return typeSchema(p, t.types[0], format, where);
      return {};
    }
    if (ts.isArrayTypeNode(t)) return { type: 'array', items: typeSchema(p, t.elementType, format, where) };
    if (ts.isTypeReferenceNode(t) && ts.isIdentifier(t.typeName)) {
      const id = t.typeName.text;
      if ((id === 'Array' || id === 'ReadonlyArray') && t.typeArguments?.length === 1) {
        return { type: 'array', items: typeSchema(p, t.typeArguments[0], format, where) };
      }
      const target = p.resolve(id);
      if (target) return v3Ref(target);
      throw new Error(`${where}: unresolved type ${id}`);
    }
    if (ts.isTypeLiteralNode(t)) {
      const index = t.members.find(ts.isIndexSignatureDeclaration);
      if (index) return { type: 'object', additionalProperties: typeSchema(p, index.type, format, where) };
      return { type: 'object' };
    }
    throw new Error(`${where}: unsupported type syntax ${ts.SyntaxKind[t.kind]}`);
  };

  const numberSchema = (format: string | undefined, where: string): Schema => {
    if (format === 'double' || format === 'float') return { type: 'number', format: 'double' };
    if (format === 'int32' || format === 'int64') return { type: 'integer', format };
    unformattedNumbers++;
    void where;
    return { type: 'integer', format: 'int32' };
  };

  /** Schema of a client-node attribute type string (fields kubernetes-types lacks). */
  const attributeSchema = (type: string, format: string, where: string): Schema => {
    const array = /^Array<(.+)>$/.exec(type);
    if (array) return { type: 'array', items: attributeSchema(array[1], format, where) };
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map) return { type: 'object', additionalProperties: attributeSchema(map[1], format, where) };
    switch (type) {
      case 'string':
        return format === 'byte' ? { type: 'string', format } : { type: 'string' };
      case 'boolean':
        return { type: 'boolean' };
      case 'number':
        return numberSchema(format, where);
      case 'any':
        return { type: 'object' };
      case 'Date':
        return v3Ref(format === 'date-time-micro' ? MICRO_TIME : TIME);
      case 'IntOrString':
        return v3Ref(INT_OR_STRING);
    }
    const target = classToSchema.get(type) ?? missingTypeSchema(type, where);
    if (target) return v3Ref(target);
    throw new Error(`${where}: unsupported client-node type ${type}`);
  };

  /** Types newer than kubernetes-types, built from their client-node model when first referenced. */
  const missingTypes = new Map<string, string[]>();
  for (const name of TYPES_MISSING_FROM_KUBERNETES_TYPES) {
    for (const cls of client.classNameCandidates(name)) missingTypes.set(cls, [...(missingTypes.get(cls) ?? []), name]);
  }
  const missingTypeSchema = (cls: string, where: string): string | undefined => {
    const names = missingTypes.get(cls);
    if (!names) return undefined;
    const pkg = where.slice(0, where.lastIndexOf('.', where.lastIndexOf('.') - 1));
    const name = names.find((n) => n.startsWith(`${pkg}.`)) ?? names[0];
    classToSchema.set(cls, name);
    const model = client.model(name);
    if (!model) return undefined;
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    for (const attr of model.attributes.values()) {
      const fieldWhere = `${name}.${attr.baseName}`;
      properties[attr.baseName] = propertySchema(model.docs.get(attr.name), attributeSchema(attr.type, attr.format, fieldWhere), FIELD_TAGS[fieldWhere]);
      if (model.required.has(attr.name)) required.push(attr.baseName);
    }
    schemas[name] = objectSchema(model.description, properties, required, undefined, name);
    filledFields += model.attributes.size;
    return name;
  };

  for (const p of pending) {
    const description = jsDocText(ts, p.source, p.node);
    const special = specialSchema(p.name, description);
    if (special) {
      schemas[p.name] = special;
      continue;
    }
    if (ts.isTypeAliasDeclaration(p.node)) {
      // Aliases other than the special ones (none in kubernetes-types 1.30) become their target.
      schemas[p.name] = { ...(description ? { description } : {}), ...typeSchema(p, p.node.type, undefined, p.name) };
      continue;
    }
    const model = client.model(p.name);
    const properties: Record<string, Schema> = {};
    const required: string[] = [];
    let apiVersion: string | undefined;
    let kind: string | undefined;
    for (const member of p.node.members) {
      if (!ts.isPropertySignature(member) || !member.type) continue;
      const field = ts.isIdentifier(member.name) || ts.isStringLiteral(member.name) ? member.name.text : member.name.getText(p.source);
      const where = `${p.name}.${field}`;
      if (field === 'apiVersion' && ts.isLiteralTypeNode(member.type) && ts.isStringLiteral(member.type.literal)) apiVersion = member.type.literal.text;
      if (field === 'kind' && ts.isLiteralTypeNode(member.type) && ts.isStringLiteral(member.type.literal)) kind = member.type.literal.text;
      const format = model?.attributes.get(field)?.format || undefined;
      properties[field] = propertySchema(jsDocText(ts, p.source, member), typeSchema(p, member.type, format, where), FIELD_TAGS[where]);
      if (!member.questionToken) required.push(field);
    }
    for (const field of FIELDS_MISSING_FROM_KUBERNETES_TYPES[p.name] ?? []) {
      const attr = model?.attributes.get(field);
      if (!model || !attr) {
        unfilledFields.push(`${p.name}.${field}`);
        continue;
      }
      const where = `${p.name}.${field}`;
      properties[field] = propertySchema(model.docs.get(attr.name), attributeSchema(attr.type, attr.format, where), FIELD_TAGS[where]);
      filledFields++;
    }
    schemas[p.name] = objectSchema(description, properties, required, apiVersion && kind ? gvkOf(apiVersion, kind) : undefined, p.name);
  }

  // Types upstream refers to that kubernetes-types inlines.
  schemas[INT_OR_STRING] = specialSchema(INT_OR_STRING, INT_OR_STRING_DESCRIPTION)!;

  const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return {
    fingerprint: fingerprintOf(pkgs),
    sources: { kubernetesTypes: pkgs.typesVersion, clientNode: pkgs.clientNodeVersion, structTags: STRUCT_TAGS_SOURCE },
    schemas: sorted,
    stats: { schemas: Object.keys(sorted).length, unformattedNumbers, filledFields, unfilledFields },
  };
}

const INT_OR_STRING_DESCRIPTION =
  'IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.  This allows you to have, for example, a JSON field that can accept a name or number.';

function gvkOf(apiVersion: string, kind: string): GroupVersionKind {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', kind, version: apiVersion } : { group: apiVersion.slice(0, slash), kind, version: apiVersion.slice(slash + 1) };
}

function objectSchema(description: string | undefined, properties: Record<string, Schema>, required: string[], gvk: GroupVersionKind | undefined, name: string): Schema {
  const schema: Schema = {};
  if (description) schema.description = description;
  schema.type = 'object';
  if (Object.keys(properties).length) schema.properties = Object.fromEntries(Object.entries(properties).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  if (required.length) schema.required = required.sort();
  if (gvk) schema['x-kubernetes-group-version-kind'] = [gvk];
  const typeTags = TYPE_TAGS[name];
  if (typeTags?.mapType) schema['x-kubernetes-map-type'] = typeTags.mapType;
  return schema;
}

/** A property: its description, its type (a `$ref` wrapped in `allOf` as upstream's v3 does), its tags. */
function propertySchema(description: string | undefined, type: Schema, tags: FieldTags | undefined): Schema {
  const s: Schema = {};
  const enumType = tags?.enum && type.type === 'string' ? ENUM_TYPES[tags.enum] : undefined;
  // kube-openapi appends the enum's constants to the description (pkg/generators/enum.go).
  const text = enumType ? [description ?? '', '', 'Possible enum values:', ...enumType.lines].join('\n').trimStart() : description;
  if (text) s.description = text;
  if (type.$ref) s.allOf = [type];
  else Object.assign(s, type);
  if (enumType) s.enum = [...enumType.values];
  if (tags?.patchMergeKey) s['x-kubernetes-patch-merge-key'] = tags.patchMergeKey;
  if (tags?.patchStrategy) s['x-kubernetes-patch-strategy'] = tags.patchStrategy;
  if (tags?.listType) s['x-kubernetes-list-type'] = tags.listType;
  if (tags?.listMapKeys) s['x-kubernetes-list-map-keys'] = [...tags.listMapKeys];
  if (tags?.mapType) s['x-kubernetes-map-type'] = tags.mapType;
  return s;
}

/** The schemas upstream shapes by hand (custom OpenAPI types in apimachinery and apiextensions). */
function specialSchema(name: string, description: string | undefined): Schema | undefined {
  const d = description ? { description } : {};
  switch (name) {
    case INT_OR_STRING:
      return { ...d, format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] };
    case QUANTITY:
      return { ...d, oneOf: [{ type: 'string' }, { type: 'number' }] };
    case TIME:
    case MICRO_TIME:
      return { ...d, type: 'string', format: 'date-time' };
    case 'io.k8s.apimachinery.pkg.runtime.RawExtension':
    case 'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1':
    case 'io.k8s.apimachinery.pkg.apis.meta.v1.Patch':
      return { ...d, type: 'object' };
    case `${APIEXTENSIONS}.JSON`:
    case `${APIEXTENSIONS}.JSONSchemaPropsOrArray`:
    case `${APIEXTENSIONS}.JSONSchemaPropsOrBool`:
    case `${APIEXTENSIONS}.JSONSchemaPropsOrStringArray`:
      return { ...d };
  }
  return undefined;
}
