/**
 * Field sets: the sets of paths a manager owns, and their FieldsV1 encoding
 * (structured-merge-diff fieldpath/set.go and fieldpath/serialize.go).
 *
 * A set is a trie. At each node, `members` are the path elements that are themselves in the set
 * and `children` the elements below which the set goes on. The set operations are those of
 * structured-merge-diff, which work path by path: removing `.spec` leaves `.spec.replicas` alone.
 *
 * Sets are immutable once built. Operations return a new set, sharing untouched subtrees, and
 * return their left operand itself when they would not change it, so callers can tell "unchanged"
 * by identity.
 */
import { canonicalElement, compareElements, PathElementError } from './path-element.js';

/** A path: serialized path elements from the object's root. */
export type Path = readonly string[];

export class FieldSet {
  /** @internal */
  readonly members: Set<string>;
  /** @internal never holds an empty set */
  readonly children: Map<string, FieldSet>;

  /** @internal use {@link FieldSet.of}, {@link FieldSetBuilder} or {@link fromFieldsV1} */
  constructor(members: Set<string>, children: Map<string, FieldSet>) {
    this.members = members;
    this.children = children;
  }

  static readonly EMPTY: FieldSet = new FieldSet(new Set(), new Map());

  /** The set of these paths. */
  static of(...paths: Path[]): FieldSet {
    const b = new FieldSetBuilder();
    for (const p of paths) b.insert(p);
    return b.build();
  }

  get empty(): boolean {
    return this.members.size === 0 && this.children.size === 0;
  }

  /** How many paths the set holds. */
  get size(): number {
    let n = this.members.size;
    for (const child of this.children.values()) n += child.size;
    return n;
  }

  has(path: Path): boolean {
    if (path.length === 0) return false; // nobody owns the whole object
    let node: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1; i++) {
      node = node.children.get(path[i]);
      if (!node) return false;
    }
    return node.members.has(path[path.length - 1]);
  }

  /** The subset below one path element (empty when there is none). */
  child(pe: string): FieldSet {
    return this.children.get(pe) ?? FieldSet.EMPTY;
  }

  union(other: FieldSet): FieldSet {
    if (other.empty || other === this) return this;
    if (this.empty) return other;
    let members = this.members;
    for (const m of other.members) {
      if (!members.has(m)) {
        if (members === this.members) members = new Set(this.members);
        members.add(m);
      }
    }
    let children = this.children;
    for (const [pe, theirs] of other.children) {
      const mine = this.children.get(pe);
      const merged = mine ? mine.union(theirs) : theirs;
      if (merged !== mine) {
        if (children === this.children) children = new Map(this.children);
        children.set(pe, merged);
      }
    }
    return members === this.members && children === this.children ? this : new FieldSet(members, children);
  }

  intersection(other: FieldSet): FieldSet {
    if (other === this) return this;
    if (this.empty || other.empty) return FieldSet.EMPTY;
    const members = new Set<string>();
    const [small, large] = this.members.size <= other.members.size ? [this.members, other.members] : [other.members, this.members];
    for (const m of small) if (large.has(m)) members.add(m);
    const children = new Map<string, FieldSet>();
    for (const [pe, mine] of this.children) {
      const theirs = other.children.get(pe);
      if (!theirs) continue;
      const common = mine.intersection(theirs);
      if (!common.empty) children.set(pe, common);
    }
    if (members.size === this.members.size && children.size === this.children.size) {
      let same = true;
      for (const [pe, c] of children) if (c !== this.children.get(pe)) same = false;
      if (same) return this;
    }
    return members.size === 0 && children.size === 0 ? FieldSet.EMPTY : new FieldSet(members, children);
  }

  /** Paths in this set and not in `other`, path by path (a member of `other` does not remove children). */
  difference(other: FieldSet): FieldSet {
    return this.subtract(other, false);
  }

  /** Like {@link difference}, but a member of `other` also removes everything below it. */
  recursiveDifference(other: FieldSet): FieldSet {
    return this.subtract(other, true);
  }

  private subtract(other: FieldSet, recursive: boolean): FieldSet {
    if (this.empty || other.empty) return this;
    if (other === this && !recursive) return FieldSet.EMPTY;
    let members = this.members;
    for (const m of other.members) {
      if (members.has(m)) {
        if (members === this.members) members = new Set(this.members);
        members.delete(m);
      }
    }
    let children = this.children;
    for (const [pe, mine] of this.children) {
      let rest: FieldSet | undefined = mine;
      if (recursive && other.members.has(pe)) rest = undefined;
      else {
        const theirs = other.children.get(pe);
        if (theirs) rest = mine.subtract(theirs, recursive);
        if (rest.empty) rest = undefined;
      }
      if (rest !== mine) {
        if (children === this.children) children = new Map(this.children);
        if (rest) children.set(pe, rest);
        else children.delete(pe);
      }
    }
    if (members === this.members && children === this.children) return this;
    return members.size === 0 && children.size === 0 ? FieldSet.EMPTY : new FieldSet(members, children);
  }

  equals(other: FieldSet): boolean {
    if (this === other) return true;
    if (this.members.size !== other.members.size || this.children.size !== other.children.size) return false;
    for (const m of this.members) if (!other.members.has(m)) return false;
    for (const [pe, mine] of this.children) {
      const theirs = other.children.get(pe);
      if (!theirs || !mine.equals(theirs)) return false;
    }
    return true;
  }

  /** Every path, in structured-merge-diff's order: a node's members first, then its children. */
  *paths(prefix: Path = []): Generator<Path> {
    for (const m of sortElements([...this.members])) yield [...prefix, m];
    for (const pe of sortElements([...this.children.keys()])) yield* this.children.get(pe)!.paths([...prefix, pe]);
  }
}

/**
 * Builds a set by inserting paths; `build()` hands over the result, which must not change after.
 * A node is created only when a member is added below it, so no empty set is left behind.
 */
export class FieldSetBuilder {
  private node: FieldSet | undefined;

  constructor(
    private readonly parent?: FieldSetBuilder,
    private readonly pe?: string,
  ) {
    this.node = parent ? parent.node?.children.get(pe!) : new FieldSet(new Set(), new Map());
  }

  private ensure(): FieldSet {
    return (this.node ??= child(this.parent!.ensure(), this.pe!));
  }

  /** Inserts one path (the empty path, the whole object, is never tracked). */
  insert(path: Path): this {
    if (path.length === 0) return this;
    let node = this.ensure();
    for (let i = 0; i < path.length - 1; i++) node = child(node, path[i]);
    node.members.add(path[path.length - 1]);
    return this;
  }

  /** Marks one element at this node as a member. */
  member(pe: string): this {
    this.ensure().members.add(pe);
    return this;
  }

  /** The builder for the subtree below `pe`. */
  descend(pe: string): FieldSetBuilder {
    return new FieldSetBuilder(this, pe);
  }

  build(): FieldSet {
    const node = this.ensure();
    return node.empty ? FieldSet.EMPTY : node;
  }
}

function child(node: FieldSet, pe: string): FieldSet {
  let below = node.children.get(pe);
  if (!below) {
    below = new FieldSet(new Set(), new Map());
    node.children.set(pe, below);
  }
  return below;
}

/** Code units at which JavaScript's string order stops being Go's (UTF-8 bytes). */
const BEYOND_NATIVE_ORDER = /[\ud800-\uffff]/;

/**
 * Sorts path elements in structured-merge-diff's order, in place. Field names alone (the common
 * case) sort natively: for them code-unit order is byte order, short of surrogates and U+E000+.
 */
function sortElements(keys: string[]): string[] {
  let sorted = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (k.charCodeAt(0) !== 0x66 || BEYOND_NATIVE_ORDER.test(k)) return keys.sort(compareElements);
    if (i > 0 && keys[i - 1] > k) sorted = false;
  }
  return sorted ? keys : keys.sort();
}

// ---------------------------------------------------------------------------------------------
// FieldsV1

/** The FieldsV1 JSON of a set: keys in structured-merge-diff's order, `"."` marking a member that also has children. */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  writeFieldsV1(set, out);
  return out;
}

function writeFieldsV1(set: FieldSet, out: Record<string, unknown>): void {
  const keys: string[] = [];
  for (const pe of set.children.keys()) keys.push(pe);
  for (const m of set.members) if (!set.children.has(m)) keys.push(m);
  if (keys.length > 1) sortElements(keys);
  for (const pe of keys) {
    const child = set.children.get(pe);
    if (!child) {
      out[pe] = {};
      continue;
    }
    const node: Record<string, unknown> = {};
    if (set.members.has(pe)) node['.'] = {};
    writeFieldsV1(child, node);
    out[pe] = node;
  }
}

/** A FieldsV1 document that does not decode. */
export class FieldsV1Error extends Error {
  override readonly name = 'FieldsV1Error';
}

/**
 * Decodes FieldsV1 JSON (an object; `null` is the empty set). Keys are brought to their canonical
 * form, keys of unknown types are dropped, and a node with no known keys is a member, as
 * structured-merge-diff reads it. Throws a FieldsV1Error for anything else.
 */
export function fromFieldsV1(json: unknown): FieldSet {
  if (json === null || json === undefined) return FieldSet.EMPTY;
  if (typeof json !== 'object' || Array.isArray(json)) throw new FieldsV1Error(`expected an object, got ${describe(json)}`);
  return readNode(json as Record<string, unknown>).children ?? FieldSet.EMPTY;
}

function readNode(node: Record<string, unknown>): { children: FieldSet | undefined; member: boolean } {
  let members: Set<string> | undefined;
  let children: Map<string, FieldSet> | undefined;
  let member = false;
  for (const raw in node) {
    const value = node[raw];
    if (raw === '.') {
      member = true;
      continue;
    }
    let pe: string | null;
    try {
      pe = canonicalElement(raw);
    } catch (e) {
      throw new FieldsV1Error(`parsing key as path element: ${(e as PathElementError).message}`);
    }
    if (pe === null) continue;
    let grand: FieldSet | undefined;
    let isMember = true;
    if (value !== null) {
      if (typeof value !== 'object' || Array.isArray(value)) throw new FieldsV1Error(`expected an object at ${raw}, got ${describe(value)}`);
      ({ children: grand, member: isMember } = readNode(value as Record<string, unknown>));
    }
    if (isMember) (members ??= new Set()).add(pe);
    if (grand) {
      children ??= new Map();
      const existing = children.get(pe);
      children.set(pe, existing ? existing.union(grand) : grand);
    }
  }
  if (!members && !children) return { children: undefined, member: true };
  const set = new FieldSet(members ?? new Set(), children ?? new Map());
  return { children: set.empty ? undefined : set, member };
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  return v === null ? 'null' : `a ${typeof v}`;
}
