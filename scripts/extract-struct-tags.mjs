#!/usr/bin/env node
// Regenerates src/apiserver/openapi/struct-tags.ts from the upstream Go type definitions.
//
// The OpenAPI extensions kubectl and the server read for lists and maps
// (x-kubernetes-patch-strategy, x-kubernetes-patch-merge-key, x-kubernetes-list-type,
// x-kubernetes-list-map-keys, x-kubernetes-map-type) are not in the npm type packages, so they
// come from the Go sources the upstream OpenAPI is generated from: the `patchStrategy` and
// `patchMergeKey` struct tags and the `+listType`, `+listMapKey`, `+mapType` and `+structType`
// comment markers. The script also lists the JSON fields of each Go struct that the
// `kubernetes-types` package lacks (fields added after it was cut, and the `x-kubernetes-*`
// fields of JSONSchemaProps); the schema generator fills those in from @kubernetes/client-node.
//
// Usage (checkouts at the tags matching the served version, e.g. v0.32.5):
//   node scripts/extract-struct-tags.mjs --api <k8s.io/api> --apimachinery <k8s.io/apimachinery> \
//     --apiextensions <k8s.io/apiextensions-apiserver> [--out src/apiserver/openapi/struct-tags.ts]
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({
  options: {
    api: { type: 'string' },
    apimachinery: { type: 'string' },
    apiextensions: { type: 'string' },
    tag: { type: 'string', default: 'v0.32.5' },
    out: { type: 'string', default: 'src/apiserver/openapi/struct-tags.ts' },
  },
});
if (!args.api || !args.apimachinery || !args.apiextensions) {
  console.error('usage: extract-struct-tags.mjs --api DIR --apimachinery DIR --apiextensions DIR [--out FILE]');
  process.exit(2);
}

/** Go package directories and the OpenAPI schema-name prefix of their types. */
const packages = [];
for (const group of readdirSync(args.api)) {
  const dir = join(args.api, group);
  if (!statSync(dir).isDirectory()) continue;
  for (const version of readdirSync(dir)) {
    if (!/^v\d/.test(version) || !statSync(join(dir, version)).isDirectory()) continue;
    packages.push({ dir: join(dir, version), prefix: `io.k8s.api.${group}.${version}` });
  }
}
packages.push({ dir: join(args.apimachinery, 'pkg/apis/meta/v1'), prefix: 'io.k8s.apimachinery.pkg.apis.meta.v1' });
packages.push({ dir: join(args.apiextensions, 'pkg/apis/apiextensions/v1'), prefix: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1' });

/** @type {Map<string, {prefix: string, name: string, markers: Record<string,string[]>, fields: Array<{json: string, inline?: string, goType?: string, tags: Record<string,string>, markers: Record<string,string[]>}>}>} */
const structs = new Map();
/** `+enum` string types: schema-style name → value → const (first wins, as kube-openapi). */
const enumTypes = new Map();
const constants = [];

function markersOf(comments) {
  const out = {};
  for (const c of comments) {
    const m = /^\s*\/\/\s*\+([\w.-]+)(?:=(.*))?$/.exec(c);
    if (!m) continue;
    (out[m[1]] ??= []).push((m[2] ?? '').trim());
  }
  return out;
}

function parseTags(raw) {
  const tags = {};
  for (const m of raw.matchAll(/(\w+):"([^"]*)"/g)) tags[m[1]] = m[2];
  return tags;
}

for (const pkg of packages) {
  for (const file of readdirSync(pkg.dir)) {
    if (!file.endsWith('.go') || file.endsWith('_test.go') || file.startsWith('zz_generated') || file.endsWith('.pb.go')) continue;
    const lines = readFileSync(join(pkg.dir, file), 'utf8').split('\n');
    let comments = [];
    let current;
    let depth = 0;
    let inConst = false;
    for (const line of lines) {
      const trimmed = line.trim();
      if (!current) {
        // `// +enum` on `type X string`, and the constants of such types.
        const alias = /^type\s+(\w+)\s+string\s*$/.exec(trimmed);
        if (alias && markersOf(comments).enum) enumTypes.set(`${pkg.prefix}.${alias[1]}`, new Map());
        if (/^const\s*\($/.test(trimmed)) inConst = true;
        else if (inConst && trimmed === ')') inConst = false;
        const constant = /^(?:const\s+)?(\w+)\s+(\w+)\s*=\s*"((?:[^"\\]|\\.)*)"/.exec(trimmed);
        if (constant && (inConst || trimmed.startsWith('const '))) {
          constants.push({ pkg: pkg.prefix, name: constant[1], type: constant[2], value: JSON.parse(`"${constant[3]}"`), comment: comments.map((c) => c.replace(/^\/\/\s?/, '')).join(' ') });
        }
        const t = /^type\s+(\w+)\s+struct\s*\{\s*$/.exec(trimmed);
        if (t) {
          current = { prefix: pkg.prefix, name: t[1], markers: markersOf(comments), fields: [] };
          structs.set(`${pkg.prefix}.${t[1]}`, current);
          depth = 1;
          comments = [];
          continue;
        }
        comments = trimmed.startsWith('//') ? [...comments, trimmed] : [];
        continue;
      }
      if (trimmed.startsWith('//')) {
        comments.push(trimmed);
        continue;
      }
      const opens = (trimmed.match(/\{/g) ?? []).length;
      const closes = (trimmed.match(/\}/g) ?? []).length;
      if (depth === 1 && trimmed === '}') {
        current = undefined;
        comments = [];
        continue;
      }
      if (depth === 1 && trimmed) {
        const tagMatch = /`([^`]*)`/.exec(trimmed);
        const tags = tagMatch ? parseTags(tagMatch[1]) : {};
        const decl = trimmed.replace(/`[^`]*`/, '').trim().split(/\s+/);
        const jsonName = (tags.json ?? '').split(',')[0];
        if (tags.json !== '-') {
          if (decl.length === 1) {
            // Embedded struct: inlined unless it has its own JSON name.
            const type = decl[0].replace(/^\*/, '').replace(/^\w+\./, '');
            if (jsonName) current.fields.push({ json: jsonName, tags, markers: markersOf(comments) });
            else current.fields.push({ json: '', inline: type, tags, markers: {} });
          } else if (jsonName) {
            current.fields.push({ json: jsonName, tags, markers: markersOf(comments), goType: decl[1] });
          }
        }
      }
      depth += opens - closes;
      comments = [];
    }
  }
}

for (const c of constants) {
  const values = enumTypes.get(`${c.pkg}.${c.type}`);
  if (values && !values.has(c.value)) values.set(c.value, c);
}

/** kube-openapi's enum description lines (pkg/generators/enum.go), sorted, and the values. */
function enumOf(key) {
  const values = enumTypes.get(key);
  if (!values || values.size === 0) return undefined;
  const lines = [...values.values()].map((c) => {
    let comment = c.comment.trim();
    if (comment.startsWith(c.name)) comment = comment.slice(c.name.length);
    comment = comment.trim().replace(/\s+/g, ' ');
    return ` - \`${JSON.stringify(c.value)}\` ${comment}`.trimEnd();
  });
  return { values: [...values.keys()].map((v) => JSON.stringify(v)).sort().map((v) => JSON.parse(v)), lines: lines.sort() };
}

/** The enum type a field's Go type names (pointer stripped; a qualified name if one package has it). */
function fieldEnum(prefix, goType) {
  if (!goType) return undefined;
  const t = goType.replace(/^\*/, '');
  const q = /^(\w+)\.(\w+)$/.exec(t);
  if (!q) return enumTypes.has(`${prefix}.${t}`) ? `${prefix}.${t}` : undefined;
  const matches = [...enumTypes.keys()].filter((k) => k.endsWith(`.${q[2]}`) && (k.startsWith('io.k8s.api.core.v1.') || q[1] === 'metav1'));
  return matches.length === 1 ? matches[0] : undefined;
}

/** The fields of a struct with inlined embeds expanded (same package first, then meta/v1). */
function flatFields(key, seen = new Set()) {
  const s = structs.get(key);
  if (!s || seen.has(key)) return [];
  seen.add(key);
  const out = [];
  for (const f of s.fields) {
    if (f.inline) {
      const inner = structs.get(`${s.prefix}.${f.inline}`) ? `${s.prefix}.${f.inline}` : `io.k8s.apimachinery.pkg.apis.meta.v1.${f.inline}`;
      out.push(...flatFields(inner, seen));
    } else out.push({ ...f, prefix: s.prefix });
  }
  return out;
}

const fieldTags = {};
const typeTags = {};
const usedEnums = new Set();
const goFields = {};
for (const [key, s] of [...structs].sort(([a], [b]) => a.localeCompare(b))) {
  const mapType = s.markers.structType?.[0] ?? s.markers.mapType?.[0];
  if (mapType) typeTags[key] = { mapType };
  const fields = flatFields(key);
  goFields[key] = fields.map((f) => f.json);
  for (const f of fields) {
    const t = {};
    const strategy = f.tags.patchStrategy ?? f.markers.patchStrategy?.[0];
    const mergeKey = f.tags.patchMergeKey ?? f.markers.patchMergeKey?.[0];
    if (strategy) t.patchStrategy = strategy;
    if (mergeKey) t.patchMergeKey = mergeKey;
    if (f.markers.listType) t.listType = f.markers.listType[0];
    if (f.markers.listMapKey) t.listMapKeys = f.markers.listMapKey;
    if (f.markers.mapType) t.mapType = f.markers.mapType[0];
    if (f.markers.structType) t.mapType = f.markers.structType[0];
    const enumKey = fieldEnum(f.prefix ?? s.prefix, f.goType);
    if (enumKey && enumOf(enumKey)) {
      t.enum = enumKey;
      usedEnums.add(enumKey);
    }
    if (Object.keys(t).length) fieldTags[`${key}.${f.json}`] = t;
  }
}

// Fields the Go structs have and the kubernetes-types interfaces lack.
const require = createRequire(import.meta.url);
const typesRoot = join(require.resolve('kubernetes-types/package.json'), '..');
const tsFields = new Map();
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.d.ts')) {
      const rel = relative(typesRoot, path).split(sep).join('/').replace(/\.d\.ts$/, '');
      const prefix = tsPrefix(rel);
      if (!prefix) continue;
      let iface;
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        const m = /^export interface (\w+) \{/.exec(line);
        if (m) {
          iface = `${prefix}.${m[1]}`;
          tsFields.set(iface, new Set());
          continue;
        }
        if (line === '}') iface = undefined;
        const p = /^ {4}(?:readonly )?"?([\w$-]+)"?\??:/.exec(line);
        if (iface && p) tsFields.get(iface).add(p[1]);
      }
    }
  }
}
function tsPrefix(rel) {
  if (rel === 'meta/v1') return 'io.k8s.apimachinery.pkg.apis.meta.v1';
  if (rel === 'apiextensions/v1') return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
  const m = /^(\w+)\/(v\w+)$/.exec(rel);
  return m ? `io.k8s.api.${m[1]}.${m[2]}` : undefined;
}
walk(typesRoot);
const missing = {};
const tsPrefixes = new Set([...tsFields.keys()].map((k) => k.slice(0, k.lastIndexOf('.'))));
const missingTypes = Object.keys(goFields).filter((key) => !tsFields.has(key) && tsPrefixes.has(key.slice(0, key.lastIndexOf('.'))) && goFields[key].length > 0);
for (const [key, names] of Object.entries(goFields)) {
  const have = tsFields.get(key);
  if (!have) continue;
  const extra = names.filter((n) => n && !have.has(n));
  if (extra.length) missing[key] = extra;
}

const header = `/**
 * Struct tags and comment markers of the built-in Go types (k8s.io/api, k8s.io/apimachinery
 * meta/v1, k8s.io/apiextensions-apiserver apiextensions/v1 at ${args.tag}): what upstream's
 * OpenAPI carries as x-kubernetes-patch-strategy, x-kubernetes-patch-merge-key,
 * x-kubernetes-list-type, x-kubernetes-list-map-keys and x-kubernetes-map-type.
 *
 * GENERATED by scripts/extract-struct-tags.mjs; do not edit.
 */
`;
const body = `${header}
export interface FieldTags {
  readonly patchStrategy?: string;
  readonly patchMergeKey?: string;
  readonly listType?: string;
  readonly listMapKeys?: readonly string[];
  readonly mapType?: string;
  /** The \`+enum\` type of the field, a key of ENUM_TYPES. */
  readonly enum?: string;
}

export interface EnumType {
  /** The values, sorted as kube-openapi sorts them. */
  readonly values: readonly string[];
  /** The \`Possible enum values:\` lines appended to the field's description. */
  readonly lines: readonly string[];
}

/** Upstream Go module version the tags were read from. */
export const STRUCT_TAGS_SOURCE = ${JSON.stringify(args.tag)};

/** Per field, keyed \`<schema name>.<json field name>\`. */
export const FIELD_TAGS: Readonly<Record<string, FieldTags>> = ${JSON.stringify(fieldTags, null, 1).replace(/\n\s*/g, ' ')};

/** The \`+enum\` string types fields refer to, with their constants. */
export const ENUM_TYPES: Readonly<Record<string, EnumType>> = ${JSON.stringify(Object.fromEntries([...usedEnums].sort().map((k) => [k, enumOf(k)])), null, 1).replace(/\n\s*/g, ' ')};

/** Per schema (\`+structType\` / \`+mapType\` on the type). */
export const TYPE_TAGS: Readonly<Record<string, FieldTags>> = ${JSON.stringify(typeTags, null, 1).replace(/\n\s*/g, ' ')};

/** Go structs (in packages kubernetes-types covers) that kubernetes-types lacks: newer types. */
export const TYPES_MISSING_FROM_KUBERNETES_TYPES: readonly string[] = ${JSON.stringify(missingTypes, null, 1).replace(/\n\s*/g, ' ')};

/** JSON fields of the Go structs that the kubernetes-types interfaces lack, per schema. */
export const FIELDS_MISSING_FROM_KUBERNETES_TYPES: Readonly<Record<string, readonly string[]>> = ${JSON.stringify(missing, null, 1).replace(/\n\s*/g, ' ')};
`;
// One entry per line keeps diffs readable.
writeFileSync(args.out, body.replace(/(\{|\]|\}|"), ("[^"]+": )/g, '$1,\n  $2').replace(/= \{ /g, '= {\n  ').replace(/ \};\n/g, '\n};\n'));
console.log(`${args.out}: ${Object.keys(fieldTags).length} field tags, ${Object.keys(typeTags).length} type tags, ${Object.keys(missing).length} schemas with missing fields, ${missingTypes.length} missing types, ${usedEnums.size} enum types`);
