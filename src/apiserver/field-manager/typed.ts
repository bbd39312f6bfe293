/**
 * Walks over objects guided by their shape, as structured-merge-diff's typed package does:
 * the field set of an object (typed/tofieldset.go), the comparison of two objects
 * (typed/compare.go), the merge of an applied configuration (typed/merge.go) and the removal of
 * a set of fields (typed/remove.go). Inputs are never mutated.
 *
 * Values are plain JSON. A list is tracked per item when its shape says map or set, else as one
 * value; a map per key unless its shape says atomic. `null` is a value of its own (a leaf), except
 * that it stands for an empty container when compared or merged with a map or list.
 */
import { FieldSet, FieldSetBuilder } from './field-set.js';
import type { AssociativeList, Shape } from './list-meta.js';
import { goJson, goQuote, goString, pathToString } from './path-element.js';

type Obj = Record<string, unknown>;

/** An object that does not fit its schema; the message is structured-merge-diff's. */
export class TypedError extends Error {
  override readonly name = 'TypedError';
}

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------
// List items

/** The path element of a list item, or a message saying why it has none. */
function itemElement(item: unknown, list: AssociativeList): string | { error: string } {
  if (list.type === 'set') {
    if (item === null) return { error: "associative list without keys has an element that's an explicit null" };
    if (Array.isArray(item)) return { error: 'not supported: associative list with lists as elements' };
    if (typeof item === 'object') return { error: "associative list without keys has an element that's a map type" };
    return `v:${goJson(item)}`;
  }
  if (item === null) return { error: 'associative list with keys may not have a null element' };
  if (!isObject(item)) return { error: 'associative list with keys may not have non-map elements' };
  let out = '';
  for (const key of list.keys) {
    let value: unknown;
    if (Object.hasOwn(item, key)) value = item[key];
    else if (list.defaults && Object.hasOwn(list.defaults, key)) value = list.defaults[key];
    else continue;
    out += `${out ? ',' : ''}${goString(key)}:${goJson(value)}`;
  }
  if (!out) {
    return {
      error: `associative list with keys has an element that omits all key fields [${list.keys.map(goQuote).join(' ')}] (and doesn't have default values for any key fields)`,
    };
  }
  return `k:{${out}}`;
}

function itemElementOrThrow(item: unknown, list: AssociativeList, index: number, path: readonly string[]): string {
  const pe = itemElement(item, list);
  if (typeof pe === 'string') return pe;
  throw new TypedError(`${pathToString(path)}: element ${index}: ${pe.error}`);
}

// ---------------------------------------------------------------------------------------------
// Field sets

/**
 * The set of fields an object sets: every leaf (scalar, `null`, atomic list or map, empty map),
 * every item of a map or set list, and every entry of a map of entries. With `allowDuplicates`
 * false (applied configurations), two items with one key are an error.
 */
export function toFieldSet(obj: Obj, shape: Shape, allowDuplicates: boolean): FieldSet {
  const b = new FieldSetBuilder();
  mapFields(obj, shape, b, [], allowDuplicates);
  return b.build();
}

function mapFields(obj: Obj, shape: Shape, b: FieldSetBuilder, path: string[], allowDuplicates: boolean): void {
  for (const key in obj) {
    const v = obj[key];
    const pe = `f:${key}`;
    if (typeof v !== 'object' || v === null) {
      b.member(pe);
      continue;
    }
    const child = shape.child(key);
    if (Array.isArray(v)) {
      if (!child.list) b.member(pe);
      else if (v.length > 0) {
        path.push(pe);
        listFields(v, child, child.list, b.descend(pe), path, allowDuplicates);
        path.pop();
      }
      if (shape.entries) b.member(pe);
      continue;
    }
    if (child.atomicMap || isEmpty(v as Obj)) {
      b.member(pe);
      continue;
    }
    path.push(pe);
    mapFields(v as Obj, child, b.descend(pe), path, allowDuplicates);
    path.pop();
    if (shape.entries) b.member(pe);
  }
}

function listFields(list: unknown[], shape: Shape, assoc: AssociativeList, b: FieldSetBuilder, path: string[], allowDuplicates: boolean): void {
  const pes = list.map((item, i) => itemElementOrThrow(item, assoc, i, path));
  let duplicates: Set<string> | undefined;
  if (pes.length > 1) {
    const seen = new Set<string>();
    for (const pe of pes) {
      if (!seen.has(pe)) seen.add(pe);
      else {
        if (!allowDuplicates) throw new TypedError(`${pathToString(path)}: duplicate entries for key ${pathToString([pe])}`);
        (duplicates ??= new Set()).add(pe);
      }
    }
  }
  for (let i = 0; i < list.length; i++) {
    const pe = pes[i];
    b.member(pe);
    if (duplicates?.has(pe)) continue;
    const item = list[i];
    if (isObject(item) && !shape.atomicMap && !isEmpty(item)) {
      path.push(pe);
      mapFields(item, shape, b.descend(pe), path, allowDuplicates);
      path.pop();
    }
  }
}

function isEmpty(obj: Obj): boolean {
  for (const _ in obj) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// Comparison

/** How `rhs` differs from `lhs`. No path is in more than one set. */
export interface Comparison {
  readonly modified: FieldSet;
  readonly added: FieldSet;
  readonly removed: FieldSet;
}

class Collector {
  readonly modified = new FieldSetBuilder();
  readonly added = new FieldSetBuilder();
  readonly removed = new FieldSetBuilder();
  readonly path: string[] = [];
  any = false;

  note(b: FieldSetBuilder): void {
    this.any = true;
    b.insert(this.path);
  }
}

/**
 * Compares two objects: leaves that differ are modified; leaves, items and containers only on one
 * side are added or removed. (`lhs` may be `{}`, for a create.)
 */
export function compare(lhs: Obj, rhs: Obj, shape: Shape): Comparison {
  const c = new Collector();
  compareMaps(lhs, rhs, shape, c);
  if (!c.any) return { modified: FieldSet.EMPTY, added: FieldSet.EMPTY, removed: FieldSet.EMPTY };
  return { modified: c.modified.build(), added: c.added.build(), removed: c.removed.build() };
}

type Kind = 'map' | 'list' | 'scalar';

function kindOf(v: unknown): Kind | 'null' {
  if (v === null) return 'null';
  if (typeof v !== 'object') return 'scalar';
  return Array.isArray(v) ? 'list' : 'map';
}

/** Compares the values at `c.path` (either may be undefined: absent). `shape` is theirs. */
function compareValues(l: unknown, r: unknown, shape: Shape, c: Collector): void {
  let lk = l === undefined ? undefined : kindOf(l);
  let rk = r === undefined ? undefined : kindOf(r);
  if (lk === 'null') lk = rk === 'map' || rk === 'list' ? rk : 'scalar';
  if (rk === 'null') rk = lk === 'map' || lk === 'list' ? lk : 'scalar';
  const kind = lk ?? rk!;
  if (lk === undefined || rk === undefined) {
    // One side only: everything below is added (or removed), the value itself too.
    const v = lk === undefined ? r : l;
    const b = lk === undefined ? c.added : c.removed;
    c.note(b);
    if (kind !== 'scalar' && v !== null) markAll(v, shape, nodeAt(b, c.path));
    return;
  }
  if (lk !== rk) {
    // A different kind of value: the path is modified, what was below it removed, what is below it added.
    c.note(c.modified);
    if (lk !== 'scalar') descendOneSide(l, shape, c, 'lhs');
    if (rk !== 'scalar') descendOneSide(r, shape, c, 'rhs');
    return;
  }
  if (kind === 'map') {
    const lo = (l ?? null) as Obj | null;
    const ro = (r ?? null) as Obj | null;
    if (shape.atomicMap || ((lo === null || isEmpty(lo)) && (ro === null || isEmpty(ro)))) return leaf(l, r, c);
    compareMaps(lo ?? EMPTY_OBJ, ro ?? EMPTY_OBJ, shape, c);
  } else if (kind === 'list') {
    const ll = (l ?? null) as unknown[] | null;
    const rl = (r ?? null) as unknown[] | null;
    if (!shape.list || ((ll === null || ll.length === 0) && (rl === null || rl.length === 0))) return leaf(l, r, c);
    compareLists(ll ?? EMPTY_LIST, rl ?? EMPTY_LIST, shape, shape.list, c);
  } else return leaf(l, r, c);
  if (l === undefined) c.note(c.added);
  else if (r === undefined) c.note(c.removed);
}

/** The builder's node at `path`. */
function nodeAt(b: FieldSetBuilder, path: readonly string[]): FieldSetBuilder {
  let node = b;
  for (const pe of path) node = node.descend(pe);
  return node;
}

/**
 * Marks every field below `v` (a map or list present on one side only), as comparing it with
 * nothing would: leaves, items, and the granular containers between them.
 */
function markAll(v: unknown, shape: Shape, node: FieldSetBuilder): void {
  if (Array.isArray(v)) {
    if (!shape.list || v.length === 0) return;
    const byPe = indexItems(v, shape.list, EMPTY_PATH);
    for (const [pe, items] of byPe) {
      node.member(pe);
      const item = items[0];
      if (items.length === 1 && isObject(item) && !shape.atomicMap && !isEmpty(item)) markAll(item, shape, node.descend(pe));
    }
    return;
  }
  if (!isObject(v) || shape.atomicMap) return;
  for (const key in v) {
    const child = v[key];
    const pe = `f:${key}`;
    node.member(pe);
    if (typeof child === 'object' && child !== null) {
      const childShape = shape.child(key);
      const granular = Array.isArray(child) ? childShape.list !== undefined && child.length > 0 : !childShape.atomicMap && !isEmpty(child as Obj);
      if (granular) markAll(child, childShape, node.descend(pe));
    }
  }
}

const EMPTY_PATH: readonly string[] = [];

const EMPTY_OBJ: Obj = Object.freeze({}) as Obj;
const EMPTY_LIST: unknown[] = Object.freeze([]) as unknown as unknown[];

function descendOneSide(v: unknown, shape: Shape, c: Collector, side: 'lhs' | 'rhs'): void {
  if (Array.isArray(v)) {
    if (!shape.list || v.length === 0) return;
    if (side === 'lhs') compareLists(v, EMPTY_LIST, shape, shape.list, c);
    else compareLists(EMPTY_LIST, v, shape, shape.list, c);
  } else if (isObject(v)) {
    if (shape.atomicMap) return;
    if (side === 'lhs') compareMaps(v, EMPTY_OBJ, shape, c);
    else compareMaps(EMPTY_OBJ, v, shape, c);
  }
}

function leaf(l: unknown, r: unknown, c: Collector): void {
  if (l === undefined) c.note(c.added);
  else if (r === undefined) c.note(c.removed);
  else if (!deepEqual(l, r)) c.note(c.modified);
}

function compareMaps(lo: Obj, ro: Obj, shape: Shape, c: Collector): void {
  for (const key in lo) {
    const l = lo[key];
    const r = Object.hasOwn(ro, key) ? ro[key] : undefined;
    // Fast path: equal scalars, shared subtrees, and equal subtrees (most of an object, most of
    // the time) need no walk.
    if (l === r || (typeof l === 'object' && l !== null && deepEqual(l, r))) continue;
    c.path.push(`f:${key}`);
    compareValues(l, r, typeof l === 'object' || typeof r === 'object' ? shape.child(key) : shape, c);
    c.path.pop();
  }
  for (const key in ro) {
    if (Object.hasOwn(lo, key)) continue;
    const r = ro[key];
    c.path.push(`f:${key}`);
    compareValues(undefined, r, typeof r === 'object' ? shape.child(key) : shape, c);
    c.path.pop();
  }
}

const NO_ITEMS: unknown[] = [];

/** Items by path element, in first-seen order; repeated keys collect several items. */
function indexItems(list: unknown[], assoc: AssociativeList, path: readonly string[]): Map<string, unknown[]> {
  const byPe = new Map<string, unknown[]>();
  for (let i = 0; i < list.length; i++) {
    const pe = itemElementOrThrow(list[i], assoc, i, path);
    const items = byPe.get(pe);
    if (items) items.push(list[i]);
    else byPe.set(pe, [list[i]]);
  }
  return byPe;
}

function compareLists(ll: unknown[], rl: unknown[], shape: Shape, assoc: AssociativeList, c: Collector): void {
  const left = indexItems(ll, assoc, c.path);
  const right = indexItems(rl, assoc, c.path);
  const visit = (pe: string, lItems: unknown[], rItems: unknown[]) => {
    if (lItems.length === 1 && rItems.length === 1 && deepEqual(lItems[0], rItems[0])) return;
    c.path.push(pe);
    if (lItems.length <= 1 && rItems.length <= 1) compareValues(lItems[0], rItems[0], shape, c);
    else if (lItems.length >= 2 && rItems.length >= 2) {
      // Repeated keys on both sides: the items are compared as one value.
      if (!deepEqual(lItems, rItems)) c.note(c.modified);
    } else if (lItems.length >= 2) {
      if (rItems.length) compareValues(undefined, rItems[0], shape, c);
      c.note(c.removed);
    } else {
      if (lItems.length) compareValues(lItems[0], undefined, shape, c);
      c.note(c.added);
    }
    c.path.pop();
  };
  for (const [pe, lItems] of left) visit(pe, lItems, right.get(pe) ?? NO_ITEMS);
  for (const [pe, rItems] of right) if (!left.has(pe)) visit(pe, NO_ITEMS, rItems);
}

// ---------------------------------------------------------------------------------------------
// Merge

/**
 * Merges an applied configuration into a live object (structured-merge-diff's `Merge`): the
 * configuration wins for every leaf; granular maps merge by key; map and set lists merge by item,
 * in the configuration's order with live-only items kept near their neighbours; atomic values are
 * replaced. A `null` in the configuration leaves a non-empty granular map or list as it is.
 * Shares nothing with its inputs.
 */
export function merge(lhs: Obj, rhs: Obj, shape: Shape): Obj {
  return mergeMaps(lhs, rhs, shape, []);
}

function mergeValues(l: unknown, r: unknown, shape: Shape, path: string[]): unknown {
  if (r === undefined) return clone(l);
  if (l === undefined) return clone(r);
  const lk = kindOf(l);
  const rk = kindOf(r);
  if (rk === 'null') {
    if (lk === 'map' && !shape.atomicMap && !isEmpty(l as Obj)) return clone(l);
    if (lk === 'list' && shape.list && (l as unknown[]).length > 0) return clone(l);
    return null;
  }
  if (lk !== rk) return clone(r);
  if (rk === 'map') {
    if (shape.atomicMap || (isEmpty(l as Obj) && isEmpty(r as Obj))) return clone(r);
    return mergeMaps(l as Obj, r as Obj, shape, path);
  }
  if (rk === 'list') {
    const ll = l as unknown[];
    const rl = r as unknown[];
    if (!shape.list || (ll.length === 0 && rl.length === 0)) return clone(r);
    return mergeLists(ll, rl, shape, shape.list, path);
  }
  return r;
}

function mergeMaps(lo: Obj, ro: Obj, shape: Shape, path: string[]): Obj {
  const out: Obj = {};
  for (const key in lo) {
    if (Object.hasOwn(ro, key)) {
      const r = ro[key];
      const l = lo[key];
      const container = typeof r === 'object' || typeof l === 'object';
      if (container) path.push(`f:${key}`);
      out[key] = mergeValues(l, r, container ? shape.child(key) : shape, path);
      if (container) path.pop();
    } else out[key] = clone(lo[key]);
  }
  for (const key in ro) if (!Object.hasOwn(lo, key)) out[key] = clone(ro[key]);
  return out;
}

const REPEATED = Symbol('repeated');

/**
 * Merges two map or set lists. The configuration's items come in its order; a live-only item
 * stays where it was relative to the shared items around it; items whose key the live list
 * repeats are replaced by the configuration's one.
 */
function mergeLists(ll: unknown[], rl: unknown[], shape: Shape, assoc: AssociativeList, path: string[]): unknown[] {
  const lpes = ll.map((item, i) => itemElementOrThrow(item, assoc, i, path));
  const rpes = rl.map((item, i) => itemElementOrThrow(item, assoc, i, path));
  const lhsByPe = new Map<string, unknown>();
  for (let i = 0; i < ll.length; i++) lhsByPe.set(lpes[i], lhsByPe.has(lpes[i]) ? REPEATED : ll[i]);
  const rhsByPe = new Map<string, unknown>();
  for (let i = 0; i < rl.length; i++) {
    if (rhsByPe.has(rpes[i])) throw new TypedError(`${pathToString(path)}: duplicate entries for key ${pathToString([rpes[i]])}`);
    rhsByPe.set(rpes[i], rl[i]);
  }
  // The shared items, in the configuration's order: the next one to place.
  const shared = rpes.filter((pe) => lhsByPe.has(pe));
  let nextShared = 0;
  const placed = new Set<string>();
  const out: unknown[] = [];
  const mergeItem = (pe: string, r: unknown) => {
    const l = lhsByPe.get(pe);
    path.push(pe);
    out.push(l === undefined || l === REPEATED ? clone(r) : mergeValues(l, r, shape, path));
    path.pop();
    placed.add(pe);
  };
  let li = 0;
  let ri = 0;
  while (li < ll.length || ri < rl.length) {
    if (li < ll.length && ri < rl.length) {
      const pe = lpes[li];
      if (pe === rpes[ri]) {
        mergeItem(pe, rl[ri]);
        li++;
        ri++;
        nextShared++;
        continue;
      }
      // A shared item that is not the next one in the configuration's order: placed later.
      if (rhsByPe.has(pe) && nextShared < shared.length && shared[nextShared] !== pe) {
        li++;
        continue;
      }
    }
    if (li < ll.length) {
      const pe = lpes[li];
      if (!rhsByPe.has(pe)) {
        out.push(clone(ll[li]));
        li++;
        continue;
      }
      if (placed.has(pe)) li++;
    }
    if (ri < rl.length) {
      const pe = rpes[ri];
      mergeItem(pe, rl[ri]);
      ri++;
      if (nextShared < shared.length && shared[nextShared] === pe) nextShared++;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Removal

/**
 * The object without the fields, items and entries in `set` (structured-merge-diff's
 * `RemoveItems`). A map or list emptied by the removal goes too. Shares untouched subtrees with
 * `obj`.
 */
export function removeItems(obj: Obj, set: FieldSet, shape: Shape): Obj {
  if (set.empty) return obj;
  return (removeFromMap(obj, set, shape) as Obj | null) ?? {};
}

function removeFrom(v: unknown, set: FieldSet, shape: Shape): unknown {
  if (Array.isArray(v)) return removeFromList(v, set, shape);
  if (isObject(v)) return removeFromMap(v, set, shape);
  return v;
}

function removeFromMap(obj: Obj, set: FieldSet, shape: Shape): Obj | null {
  if (shape.atomicMap || isEmpty(obj)) return null;
  const out: Obj = {};
  let kept = false;
  for (const key in obj) {
    const pe = `f:${key}`;
    if (set.members.has(pe)) continue;
    const below = set.children.get(pe);
    const v = obj[key];
    if (below && v !== null && typeof v === 'object') {
      const rest = removeFrom(v, below, shape.child(key));
      if (rest === null) continue;
      out[key] = rest;
    } else out[key] = v;
    kept = true;
  }
  return kept ? out : null;
}

function removeFromList(list: unknown[], set: FieldSet, shape: Shape): unknown[] | null {
  if (!shape.list || list.length === 0) return null;
  const out: unknown[] = [];
  for (const item of list) {
    const pe = itemElement(item, shape.list);
    if (typeof pe !== 'string') {
      out.push(item);
      continue;
    }
    if (set.members.has(pe)) continue;
    const below = set.children.get(pe);
    out.push(below ? removeFrom(item, below, shape) : item);
  }
  return out.length > 0 ? out : null;
}

// ---------------------------------------------------------------------------------------------
// Sets and shapes

/**
 * Makes every declared field with fields below it a member too (structured-merge-diff's
 * `EnsureNamedFieldsAreMembers`), so removing it removes the whole field.
 */
export function ensureNamedFieldsAreMembers(set: FieldSet, shape: Shape): FieldSet {
  if (set.children.size === 0) return set;
  let members = set.members;
  const children = new Map<string, FieldSet>();
  let changed = false;
  for (const [pe, below] of set.children) {
    const isField = pe.charCodeAt(0) === 0x66; // f:
    if (isField && !shape.entries && !members.has(pe)) {
      if (members === set.members) members = new Set(set.members);
      members.add(pe);
    }
    const ensured = ensureNamedFieldsAreMembers(below, isField ? shape.child(pe.slice(2)) : shape);
    if (ensured !== below) changed = true;
    children.set(pe, ensured);
  }
  if (!changed && members === set.members) return set;
  return new FieldSet(members, changed ? children : set.children);
}

// ---------------------------------------------------------------------------------------------
// Values

/** Deep equality of JSON values (map key order does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  let n = 0;
  for (const k in a) {
    if (!Object.hasOwn(b, k) || !deepEqual((a as Obj)[k], (b as Obj)[k])) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

/** A deep copy of a JSON value. */
export function clone<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(clone) as T;
  const out: Obj = {};
  for (const k in v) out[k] = clone((v as Obj)[k]);
  return out as T;
}
