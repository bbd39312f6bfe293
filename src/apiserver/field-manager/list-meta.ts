/**
 * What the field manager needs to know about a kind's schema: which lists are maps (and by which
 * keys), sets or atomic, and which maps are atomic. structured-merge-diff reads this from the
 * OpenAPI schema (`x-kubernetes-list-type`, `x-kubernetes-list-map-keys`,
 * `x-kubernetes-map-type`); here it comes from a lookup by field names.
 *
 * Unlisted lists are atomic and unlisted maps granular, as in structured-merge-diff.
 */
import type { PatchMetaLookup } from '../../apimachinery/patch.js';
import { EMPTY, KINDS, TYPES, type Entry } from './builtin-schema.js';
import { compareStrings } from './path-element.js';

/** How a list field is merged and tracked. */
export type ListType =
  | {
      readonly listType: 'map';
      /** The key fields that identify an item. */
      readonly keys: readonly string[];
      /** Defaults of key fields, used when an item omits them (kube: `protocol: TCP` for ports). */
      readonly keyDefaults?: Readonly<Record<string, unknown>>;
    }
  | { readonly listType: 'set' }
  | { readonly listType: 'atomic' };

/**
 * How a map (object) field is tracked: `atomic` as one value; `granular` per key, which is the
 * default. `additionalProperties: true` says the keys are entries of a map (a Go map, an
 * `additionalProperties` schema) rather than declared fields: each entry is then owned as a
 * whole as well as by its fields.
 */
export type MapType = { readonly mapType: 'atomic' } | { readonly mapType: 'granular'; readonly additionalProperties?: boolean };

export type FieldType = ListType | MapType;

/**
 * The type of the field at `fieldNames` (field names from the root, list items not counted:
 * `['spec', 'template', 'spec', 'containers']`), or undefined for the defaults. It must be pure:
 * results are cached for as long as the function lives.
 */
export type ListMeta = (fieldNames: readonly string[]) => FieldType | undefined;

// ---------------------------------------------------------------------------------------------
// Shapes: the cursor the walkers use

/** A map-type or set-type list, ready for use (keys sorted as structured-merge-diff sorts them). */
export interface AssociativeList {
  readonly type: 'map' | 'set';
  readonly keys: readonly string[];
  readonly defaults: Readonly<Record<string, unknown>> | undefined;
}

/** @internal The schema at one field: how its value is tracked, and the fields below it. */
export interface Shape {
  /** For a list value: map or set; undefined means atomic. */
  readonly list: AssociativeList | undefined;
  /** For a map value: tracked as one value. */
  readonly atomicMap: boolean;
  /** For a map value: its keys are map entries rather than declared fields. */
  readonly entries: boolean;
  /** The field `name` of this map, or of this list's items. */
  child(name: string): Shape;
}

const SHAPE = Symbol('field-manager.shape');

type WithShape = ListMeta & { [SHAPE]?: Shape };

/** A shape that only has defaults, at any depth. */
const DEFAULT_SHAPE: Shape = { list: undefined, atomicMap: false, entries: false, child: () => DEFAULT_SHAPE };
/** An untyped subtree (`x-kubernetes-preserve-unknown-fields`): maps of entries, atomic lists. */
const DEDUCED_SHAPE: Shape = { list: undefined, atomicMap: false, entries: true, child: () => DEDUCED_SHAPE };
const ATOMIC_SHAPE: Shape = { list: undefined, atomicMap: true, entries: false, child: () => DEFAULT_SHAPE };

function associative(type: FieldType | undefined): AssociativeList | undefined {
  if (!type || !('listType' in type)) return undefined;
  if (type.listType === 'set') return { type: 'set', keys: [], defaults: undefined };
  if (type.listType !== 'map') return undefined;
  const keys = [...type.keys].sort(compareStrings);
  return { type: 'map', keys, defaults: type.keyDefaults };
}

/** The cursor for a lookup: its own when it carries one, else one that calls it by path and caches. */
export function shapeOf(meta: ListMeta): Shape {
  const own = (meta as WithShape)[SHAPE];
  if (own) return own;
  let root = pathShapes.get(meta);
  if (!root) {
    root = new PathShape(meta, [], undefined);
    pathShapes.set(meta, root);
  }
  return root;
}

const pathShapes = new WeakMap<ListMeta, PathShape>();
/** Children remembered per node: enough for any schema, bounded for maps with arbitrary keys. */
const MAX_CACHED_CHILDREN = 512;

class PathShape implements Shape {
  readonly list: AssociativeList | undefined;
  readonly atomicMap: boolean;
  readonly entries: boolean;
  private readonly kids = new Map<string, PathShape>();

  constructor(
    private readonly meta: ListMeta,
    private readonly path: readonly string[],
    type: FieldType | undefined,
  ) {
    this.list = associative(type);
    this.atomicMap = type !== undefined && 'mapType' in type && type.mapType === 'atomic';
    this.entries = type !== undefined && 'mapType' in type && type.mapType === 'granular' && type.additionalProperties === true;
  }

  child(name: string): Shape {
    const known = this.kids.get(name);
    if (known) return known;
    const path = [...this.path, name];
    const shape = new PathShape(this.meta, path, this.meta(path));
    if (this.kids.size < MAX_CACHED_CHILDREN) this.kids.set(name, shape);
    return shape;
  }
}

/** A ListMeta that answers by walking `root`, and hands `root` itself to the walkers. */
function fromShape(root: Shape, describe: (shape: Shape) => FieldType | undefined): ListMeta {
  const meta: WithShape = (names) => {
    let shape = root;
    for (const name of names) shape = shape.child(name);
    return describe(shape);
  };
  meta[SHAPE] = root;
  return meta;
}

function describeShape(shape: Shape): FieldType | undefined {
  if (shape.list?.type === 'map') return { listType: 'map', keys: shape.list.keys, ...(shape.list.defaults ? { keyDefaults: shape.list.defaults } : {}) };
  if (shape.list?.type === 'set') return { listType: 'set' };
  if (shape.atomicMap) return { mapType: 'atomic' };
  if (shape.entries) return { mapType: 'granular', additionalProperties: true };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Built-in kinds

const typeShapes = new Map<string, Shape>();
const entryShapes = new WeakMap<Entry, Shape>();

function typeShape(name: string | undefined): Shape {
  if (name === undefined) return DEFAULT_SHAPE;
  let shape = typeShapes.get(name);
  if (!shape) {
    const fields = TYPES[name] ?? {};
    const kids = new Map<string, Shape>();
    for (const [field, entry] of Object.entries(fields)) kids.set(field, entryShape(entry));
    shape = { list: undefined, atomicMap: false, entries: false, child: (n) => kids.get(n) ?? DEFAULT_SHAPE };
    typeShapes.set(name, shape);
  }
  return shape;
}

function entryShape(entry: Entry): Shape {
  let shape = entryShapes.get(entry);
  if (shape) return shape;
  if (entry.a) shape = ATOMIC_SHAPE;
  else {
    const list: AssociativeList | undefined = entry.k
      ? { type: 'map', keys: [...entry.k].sort(compareStrings), defaults: entry.d }
      : entry.s
        ? { type: 'set', keys: [], defaults: undefined }
        : undefined;
    const name = entry.t;
    shape = { list, atomicMap: false, entries: false, child: (n) => typeShape(name).child(n) };
  }
  entryShapes.set(entry, shape);
  return shape;
}

const builtinMetas = new Map<string, ListMeta>();

/**
 * The list and map types of a built-in kind, from kube 1.32's OpenAPI models: container `ports`
 * keyed by `containerPort` and `protocol` (default `TCP`), `spec.selector` of workloads atomic,
 * `metadata.finalizers` a set, and so on. Kinds it does not know get the `metadata` types only.
 */
export function builtinListMeta(group: string, kind: string): ListMeta {
  const id = `${group}/${kind}`;
  let meta = builtinMetas.get(id);
  if (!meta) {
    const root = KINDS[id] ? typeShape(KINDS[id]) : OBJECT_META_ONLY;
    meta = fromShape(root, describeShape);
    builtinMetas.set(id, meta);
  }
  return meta;
}

/**
 * A built-in kind's empty object as kube serialises it (`{metadata: {creationTimestamp: null},
 * spec: {containers: null}, status: {}}` for a Pod), for the `empty` input of a create; `{}`
 * for kinds it does not know, which is what kube uses for custom resources.
 */
export function builtinEmptyObject(group: string, kind: string): Readonly<Record<string, unknown>> {
  return EMPTY[`${group}/${kind}`] ?? NO_FIELDS;
}

const NO_FIELDS: Readonly<Record<string, unknown>> = Object.freeze({});

const OBJECT_META_ONLY: Shape = {
  list: undefined,
  atomicMap: false,
  entries: false,
  child: (n) => (n === 'metadata' ? typeShape('meta.ObjectMeta') : DEFAULT_SHAPE),
};

// ---------------------------------------------------------------------------------------------
// Adapters

/**
 * List types from strategic-merge-patch metadata, the way kube-openapi's schema conversion falls
 * back to it: `merge` with a merge key is a map keyed by it, `merge` without one a set, anything
 * else atomic. (Built-in kinds are better served by {@link builtinListMeta}, which knows the
 * multi-key lists and atomic maps that patch tags do not say.)
 */
export function listMetaFromPatchMeta(lookup: PatchMetaLookup): ListMeta {
  return (names) => {
    const meta = lookup(names);
    if (!meta?.patchStrategy) return undefined;
    if (!meta.patchStrategy.split(',').includes('merge')) return undefined;
    return meta.patchMergeKey ? { listType: 'map', keys: [meta.patchMergeKey] } : { listType: 'set' };
  };
}

/** The part of a structural schema the field manager reads. */
interface JsonSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: JsonSchema | boolean;
  readonly items?: JsonSchema;
  readonly default?: unknown;
  readonly 'x-kubernetes-list-type'?: string;
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  readonly 'x-kubernetes-map-type'?: string;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
}

/**
 * List and map types from a CRD version's `openAPIV3Schema`: `x-kubernetes-list-type` (`map` with
 * `x-kubernetes-list-map-keys` and the keys' defaults, `set`, `atomic`, or atomic when absent),
 * `x-kubernetes-map-type: atomic`, and `additionalProperties` maps. Fields the schema does not
 * declare under `x-kubernetes-preserve-unknown-fields` are tracked as untyped: granular maps of
 * entries, atomic lists. `metadata` is always ObjectMeta.
 */
export function listMetaFromSchema(openAPIV3Schema: unknown): ListMeta {
  const schema = isSchema(openAPIV3Schema) ? openAPIV3Schema : {};
  const root = schemaShape(schema);
  const withMeta: Shape = { ...root, child: (n) => (n === 'metadata' ? typeShape('meta.ObjectMeta') : root.child(n)) };
  return fromShape(withMeta, describeShape);
}

function isSchema(v: unknown): v is JsonSchema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const schemaShapes = new WeakMap<JsonSchema, Shape>();

function schemaShape(schema: JsonSchema): Shape {
  const known = schemaShapes.get(schema);
  if (known) return known;
  // A list's shape describes its items' fields.
  let fields: JsonSchema = schema;
  while (isSchema(fields.items)) fields = fields.items;
  let list: AssociativeList | undefined;
  if (schema.type === 'array' || isSchema(schema.items)) {
    const listType = schema['x-kubernetes-list-type'];
    if (listType === 'set') list = { type: 'set', keys: [], defaults: undefined };
    else if (listType === 'map') {
      const keys = [...(schema['x-kubernetes-list-map-keys'] ?? [])];
      const defaults: Record<string, unknown> = {};
      for (const k of keys) {
        const d = fields.properties?.[k]?.default;
        if (d !== undefined) defaults[k] = d;
      }
      list = { type: 'map', keys: keys.sort(compareStrings), defaults: Object.keys(defaults).length ? defaults : undefined };
    }
  }
  const declared = fields.properties;
  const additional = fields.additionalProperties;
  const untyped = fields['x-kubernetes-preserve-unknown-fields'] === true;
  const entries = !declared && (isSchema(additional) || additional === true || untyped);
  const kids = new Map<string, Shape>();
  const shape: Shape = {
    list,
    atomicMap: fields['x-kubernetes-map-type'] === 'atomic',
    entries,
    child(name) {
      let kid = kids.get(name);
      if (kid) return kid;
      if (declared && Object.hasOwn(declared, name) && isSchema(declared[name])) kid = schemaShape(declared[name]);
      else if (isSchema(additional)) kid = schemaShape(additional);
      else if (untyped || additional === true) kid = DEDUCED_SHAPE;
      else kid = DEFAULT_SHAPE;
      if (kids.size < MAX_CACHED_CHILDREN) kids.set(name, kid);
      return kid;
    },
  };
  schemaShapes.set(schema, shape);
  return shape;
}
