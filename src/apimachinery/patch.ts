/**
 * The three PATCH bodies the apiserver applies itself: JSON Patch (RFC 6902, as
 * gopkg.in/evanphx/json-patch.v4 applies it), JSON merge patch (RFC 7386, same library) and
 * Kubernetes strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch, server side).
 *
 * Every function is pure: the inputs are never mutated and the result shares nothing with them.
 * Failures are StatusErrors with the code, reason and message the apiserver's patch handler
 * (k8s.io/apiserver/pkg/endpoints/handlers/patch.go) gives for the same failure.
 */
import jsonpatch, { type Operation } from 'fast-json-patch';
import { badRequest, fieldError, invalid, StatusError } from './errors.js';
import { isPlainObject } from './object.js';

type JsonObject = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Errors

/** Upstream caps a JSON Patch at this many operations (`maxJSONPatchOperations`). */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/**
 * 422 from `NewGenericServerResponse(422, …)`: upstream drops the library's message, so the body
 * says only this; the library's error is kept as the cause for logs.
 */
function patchNotApplicable(cause?: unknown): StatusError {
  return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {}, { cause });
}

/** SMP failures upstream returns as plain errors: rendered as 500 with no reason (`Error from server: …`). */
function mergeFailure(message: string): StatusError {
  return new StatusError(500, '', message);
}

/** Decoding the patched document as an object failed (a patch that turned the object into an array or scalar). */
function notAnObject(result: unknown): StatusError {
  return invalid('', '', '', [
    fieldError.invalid(
      'patch',
      JSON.stringify(result),
      `couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonKind(result)} into Go value of type ` +
        'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }',
    ),
  ]);
}

/** The JSON kind encoding/json names in an UnmarshalTypeError. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
    default:
      return 'object';
  }
}

// ---------------------------------------------------------------------------------------------
// JSON Patch

/**
 * Applies an RFC 6902 patch the way kube does (evanphx/json-patch v4):
 * - a body that is not an array is a 400 (`json: cannot unmarshal object into Go value of type jsonpatch.Patch`);
 *   a `null` body is an empty patch;
 * - more than 10000 operations is a 413;
 * - an operation that does not apply (failed `test`, missing path, unknown `op`) is a 422;
 * - v4 quirks kept: `replace` of a missing object member adds it; `test` of a missing member
 *   against `null` passes; a missing `value` is `null`; negative array indices count from the
 *   end; `add`, `remove`, `move` and `copy` cannot target the root; `copy` may add at most 3 MiB
 *   in total (the apiserver's `--json-patch-max-copy-bytes` default).
 */
export function applyJsonPatch(doc: JsonObject, ops: unknown): JsonObject {
  if (ops === null) return structuredClone(doc);
  if (!Array.isArray(ops)) {
    throw badRequest(`json: cannot unmarshal ${jsonKind(ops)} into Go value of type jsonpatch.Patch`);
  }
  for (const op of ops) {
    if (op !== null && !isPlainObject(op)) {
      throw badRequest(`json: cannot unmarshal ${jsonKind(op)} into Go value of type jsonpatch.Operation`);
    }
  }
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(
      413,
      'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`,
    );
  }
  const copied = { bytes: 0 };
  let out: unknown = structuredClone(doc);
  ops.forEach((op: JsonObject | null, index) => {
    out = applyOperation(out, op ?? {}, index, copied);
  });
  if (!isPlainObject(out)) throw notAnObject(out);
  return out;
}

/** The apiserver's `--json-patch-max-copy-bytes` default (v4 `AccumulatedCopySizeLimit`). */
const MAX_JSON_PATCH_COPY_BYTES = 3 * 1024 * 1024;

/** One operation with v4's semantics; fast-json-patch does the edits once paths are resolved. */
function applyOperation(doc: unknown, op: JsonObject, index: number, copied: { bytes: number }): unknown {
  const kind = typeof op.op === 'string' ? op.op : 'unknown';
  if (!['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(kind)) throw notApplicable(`Unexpected kind: ${kind}`);
  const path = pointerField(op, 'path');
  // v4 reads a missing `value` as null.
  const value = op.value === undefined ? null : structuredClone(op.value);
  switch (kind) {
    case 'add':
      return edit(doc, { op: 'add', path: normalizePointer(doc, path, 'add'), value }, index);
    case 'remove':
      return edit(doc, { op: 'remove', path: normalizePointer(doc, path, 'get') }, index);
    case 'replace': {
      if (path === '') {
        if (!isPlainObject(value) && !Array.isArray(value)) throw notApplicable('replace operation value must be object or array');
        return value;
      }
      const target = normalizePointer(doc, path, 'get');
      // v4 quirk: replacing a missing member of an object adds it.
      const addsMember = missingMember(doc, target);
      return edit(doc, { op: addsMember ? 'add' : 'replace', path: target, value }, index);
    }
    case 'test': {
      const target = path === '' ? '' : normalizePointer(doc, path, 'get');
      // v4 quirk: a missing member of an object equals null.
      if (target !== '' && value === null && missingMember(doc, target)) return doc;
      return edit(doc, { op: 'test', path: target, value }, index);
    }
    case 'move': {
      const from = normalizePointer(doc, pointerField(op, 'from'), 'get');
      const moved = resolve(doc, from)?.value;
      const removed = edit(doc, { op: 'remove', path: from }, index);
      return edit(removed, { op: 'add', path: normalizePointer(removed, path, 'add'), value: moved }, index);
    }
    default: {
      const from = normalizePointer(doc, pointerField(op, 'from'), 'get');
      const source = resolve(doc, from);
      if (!source || (Array.isArray(source.container) && source.value === undefined)) {
        throw notApplicable(`copy operation does not apply: doc is missing from path: ${from}`);
      }
      const copy = source.value === undefined ? null : structuredClone(source.value);
      copied.bytes += JSON.stringify(copy).length;
      if (copied.bytes > MAX_JSON_PATCH_COPY_BYTES) {
        throw notApplicable(
          `Unable to complete the copy, the accumulated size increase of copy is ${copied.bytes}, exceeding the limit ${MAX_JSON_PATCH_COPY_BYTES}`,
        );
      }
      return edit(doc, { op: 'add', path: normalizePointer(doc, path, 'add'), value: copy }, index);
    }
  }
}

function notApplicable(message: string): StatusError {
  return patchNotApplicable(new Error(message));
}

function edit(doc: unknown, op: Operation, index: number): unknown {
  try {
    return jsonpatch.applyOperation(doc, op, true, true, true, index).newDocument;
  } catch (e) {
    throw patchNotApplicable(e);
  }
}

function pointerField(op: JsonObject, field: 'path' | 'from'): string {
  const v = op[field];
  if (typeof v !== 'string') throw notApplicable(`operation missing ${field} field`);
  return v;
}

const unescapeToken = (t: string) => t.replace(/~1/g, '/').replace(/~0/g, '~');

/**
 * The pointer as v4 resolves it, rewritten for fast-json-patch: array indices in Go's Atoi form
 * (`+1`, `01`) and negative ones (counted from the end; for `add`, from one past it) become plain
 * indices; the root and pointers without a `/` are refused as v4 refuses them. What cannot be
 * resolved is left for the edit to reject.
 */
function normalizePointer(doc: unknown, pointer: string, mode: 'add' | 'get'): string {
  const slash = pointer.indexOf('/');
  if (pointer === '' || slash < 0) throw notApplicable(`operation does not apply: doc is missing path: "${pointer}"`);
  // v4 drops whatever precedes the first `/`.
  const tokens = pointer.slice(slash + 1).split('/');
  let node: unknown = doc;
  for (let i = 0; i < tokens.length; i++) {
    const last = i === tokens.length - 1;
    if (Array.isArray(node) && /^[+-]?[0-9]+$/.test(tokens[i])) {
      let idx = Number(tokens[i]);
      const size = last && mode === 'add' ? node.length + 1 : node.length;
      if (idx < 0) idx += size;
      if (idx < 0 || idx >= size) throw notApplicable(`Unable to access invalid index: ${tokens[i]}`);
      tokens[i] = String(idx);
      node = node[idx];
    } else {
      node = isPlainObject(node) && Object.hasOwn(node, unescapeToken(tokens[i])) ? node[unescapeToken(tokens[i])] : undefined;
    }
  }
  return `/${tokens.join('/')}`;
}

/** The container a pointer ends in (when it exists) and the value there (undefined when missing). */
function resolve(doc: unknown, pointer: string): { container: unknown; value: unknown } | undefined {
  const tokens = pointer.slice(1).split('/').map(unescapeToken);
  let container: unknown = doc;
  for (const [i, token] of tokens.entries()) {
    let value: unknown;
    if (isPlainObject(container)) value = Object.hasOwn(container, token) ? container[token] : undefined;
    else if (Array.isArray(container) && /^[0-9]+$/.test(token)) value = container[Number(token)];
    else return undefined;
    if (i === tokens.length - 1) return { container, value };
    container = value;
  }
  return undefined;
}

function missingMember(doc: unknown, pointer: string): boolean {
  const at = resolve(doc, pointer);
  return at !== undefined && isPlainObject(at.container) && at.value === undefined;
}

// ---------------------------------------------------------------------------------------------
// JSON merge patch

/**
 * RFC 7386 merge patch as evanphx/json-patch v4 `MergePatch` applies it: `null` deletes a member,
 * objects merge recursively, anything else (arrays included) replaces; `null` members inside a
 * value that is written fresh are dropped. A `null` or scalar body is a 400 `Invalid JSON Patch`.
 */
export function applyMergePatch(doc: JsonObject, patch: unknown): JsonObject {
  if (Array.isArray(patch)) throw notAnObject(pruneNulls(patch));
  if (!isPlainObject(patch)) throw badRequest('Invalid JSON Patch');
  return mergeInto(structuredClone(doc), patch);
}

/** Merges `patch` into `target`, which the caller owns. */
function mergeInto(target: JsonObject, patch: JsonObject): JsonObject {
  for (const [key, value] of Object.entries(patch)) {
    const current = Object.hasOwn(target, key) ? target[key] : undefined;
    if (value === null) delete target[key];
    else if (!isPlainObject(current)) target[key] = pruneNulls(value);
    else if (isPlainObject(value)) mergeInto(current, value);
    else target[key] = structuredClone(value);
  }
  return target;
}

/** A copy without `null` object members, at any depth (`null` array elements stay). */
function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(pruneNulls);
  if (isPlainObject(v)) {
    const out: JsonObject = {};
    for (const [k, child] of Object.entries(v)) if (child !== null) out[k] = pruneNulls(child);
    return out;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch

/** `x-kubernetes-patch-strategy` / the `patchStrategy` struct tag. */
export type PatchStrategy = 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';

/** `x-kubernetes-patch-merge-key` and `x-kubernetes-patch-strategy` of one field. */
export interface PatchMeta {
  readonly patchStrategy?: PatchStrategy;
  readonly patchMergeKey?: string;
}

/**
 * Patch metadata of the field at `path`: field names from the object's root, list items not
 * counted (`['spec', 'template', 'spec', 'containers', 'ports']`). Undefined means no strategy:
 * lists are replaced and maps merged.
 */
export type PatchMetaLookup = (path: readonly string[]) => PatchMeta | undefined;

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';

/**
 * Applies a strategic merge patch as the apiserver does (`StrategicMergeMapPatch` with
 * `MergeParallelList` and `IgnoreUnmatchedNulls`):
 * - maps merge recursively and `null` deletes a key;
 * - lists whose strategy is `merge` merge by their merge key (lists of maps) or form a union
 *   (lists of scalars); other lists are replaced;
 * - directives: `$patch` (`replace`/`delete` in a map; `replace`/`delete` items in a merged list),
 *   `$setElementOrder/<list>`, `$retainKeys`, `$deleteFromPrimitiveList/<list>`;
 * - merged lists are ordered as upstream orders them: patch items in the patch's (or
 *   `$setElementOrder`'s) order, each live-only item ahead of the patch items that followed it
 *   in the live list; so an item new to the list, with no order given, comes first.
 *
 * Directive keys and `null` members left in values taken from the patch as they are (appended
 * list items, replaced lists and maps) are dropped, as decoding into the typed object drops them
 * upstream. A `null` body changes nothing; a body that is not an object is a 400.
 */
export function applyStrategicMergePatch(doc: JsonObject, patch: unknown, lookup: PatchMetaLookup): JsonObject {
  if (patch === null) return structuredClone(doc);
  if (!isPlainObject(patch)) {
    throw badRequest(`json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`);
  }
  return new StrategicMerge(lookup).mergeMap(structuredClone(doc), structuredClone(patch), []);
}

type Kind = 'map' | 'scalar';

/** One patch application. It mutates its (cloned) inputs freely. */
class StrategicMerge {
  constructor(private readonly lookup: PatchMetaLookup) {}

  mergeMap(original: JsonObject | null, patch: JsonObject, path: readonly string[]): JsonObject {
    if (Object.hasOwn(patch, DIRECTIVE)) {
      const directive = patch[DIRECTIVE];
      if (directive === 'replace') {
        delete patch[DIRECTIVE];
        return sanitize(patch) as JsonObject;
      }
      if (directive === 'delete') return {};
      throw mergeFailure(`unknown patch type: ${goValue(directive)} in map: ${goValue(patch)}`);
    }
    const out = original ?? {};
    applyRetainKeys(out, patch);
    this.mergeOrderedLists(out, patch, path);

    for (const patchKey of Object.keys(patch)) {
      const value = patch[patchKey];
      let key = patchKey;
      let isDeleteList = false;
      if (patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
        key = extractKey(patchKey, DELETE_FROM_PRIMITIVE_LIST);
        isDeleteList = true;
      }
      if (value === null) {
        delete out[key];
        continue;
      }
      if (!Object.hasOwn(out, key) || goKind(out[key]) !== goKind(value)) {
        if (!isDeleteList) {
          const fresh = removeDirectives(pruneNulls(value));
          if (fresh === DROP) delete out[key];
          else out[key] = sanitize(fresh);
        }
        continue;
      }
      const current = out[key];
      const fieldPath = [...path, key];
      if (isPlainObject(current)) {
        const { strategy } = this.meta(fieldPath);
        out[key] = strategy === 'replace' ? sanitize(value) : this.mergeMap(current, value as JsonObject, fieldPath);
      } else if (Array.isArray(current)) {
        const { strategy, mergeKey } = this.meta(fieldPath);
        out[key] = this.mergeList(current, value as unknown[], fieldPath, strategy, mergeKey, isDeleteList).merged;
      } else {
        out[key] = value;
      }
    }
    return out;
  }

  private meta(path: readonly string[]): { strategy: string; mergeKey: string } {
    const meta = this.lookup(path);
    const strategies = (meta?.patchStrategy ?? '').split(',').filter((s) => s !== '' && s !== 'retainKeys');
    return { strategy: strategies[0] ?? '', mergeKey: meta?.patchMergeKey ?? '' };
  }

  /** `mergePatchIntoOriginal`: merges each list that has a `$setElementOrder`, then orders it. */
  private mergeOrderedLists(original: JsonObject, patch: JsonObject, path: readonly string[]): void {
    for (const directiveKey of Object.keys(patch)) {
      if (!directiveKey.startsWith(SET_ELEMENT_ORDER)) continue;
      const order = patch[directiveKey];
      delete patch[directiveKey];
      if (!Array.isArray(order)) throw mergeFailure(badArgType([], order));
      const key = extractKey(directiveKey, SET_ELEMENT_ORDER);
      const hasOriginal = Object.hasOwn(original, key);
      const hasPatch = Object.hasOwn(patch, key);
      const originalList = hasOriginal ? original[key] : [];
      const patchList = hasPatch ? patch[key] : [];
      if (!Array.isArray(originalList)) throw mergeFailure(badArgType([], originalList));
      if (!Array.isArray(patchList)) throw mergeFailure(badArgType([], patchList));
      const fieldPath = [...path, key];
      const { strategy, mergeKey } = this.meta(fieldPath);
      validateOrder(patchList, order, mergeKey);

      let merged: unknown[];
      // Upstream orders against the original list *after* merging edited its Go backing array
      // in place; `seen` is that view (see SharedList).
      let seen: unknown[] = originalList;
      if (hasOriginal && !hasPatch) merged = originalList;
      else if (!hasOriginal && hasPatch) merged = sanitize(removeDirectives(patchList)) as unknown[];
      else if (hasOriginal && hasPatch) {
        ({ merged, seen } = this.mergeList(originalList, patchList, fieldPath, strategy, mergeKey, false));
      } else continue;

      const { inList, notInList } = partition(merged, order, mergeKey);
      const kind = elementKind(originalList, patchList);
      original[key] = normalizeOrder(inList, notInList, order, seen, mergeKey, kind);
      delete patch[key];
    }
  }

  /** `mergeSliceHandler`: the merged list, and the original as upstream sees it afterwards. */
  private mergeList(
    original: unknown[],
    patch: unknown[],
    path: readonly string[],
    strategy: string,
    mergeKey: string,
    isDeleteList: boolean,
  ): { merged: unknown[]; seen: unknown[] } {
    if (strategy !== 'merge' && !isDeleteList) return { merged: sanitize(patch) as unknown[], seen: original };
    if (original.length === 0 && patch.length === 0) return { merged: original, seen: original };
    const kind = elementKind(original, patch);
    if (kind === 'scalar') {
      if (isDeleteList) return { merged: original.filter((v) => !patch.includes(v)), seen: original };
      const merged = [...new Set([...original, ...patch])];
      const { inList, notInList } = partition(merged, patch, mergeKey);
      return { merged: normalizeOrder(inList, notInList, patch, original, mergeKey, kind), seen: original };
    }
    if (mergeKey === '') throw mergeFailure('cannot merge lists without merge key for struct');
    const list = new SharedList(original as JsonObject[]);
    const special = applySpecialElements(list, patch as JsonObject[], mergeKey);
    let base: JsonObject[];
    let patchItems: JsonObject[];
    if (special.replace) {
      base = special.plain.map((item) => sanitize(item) as JsonObject);
      patchItems = [];
    } else {
      base = [...list.items];
      patchItems = special.plain;
      this.mergeByKey(list, patchItems, mergeKey, path);
    }
    const merged = special.replace ? base : list.items;
    const { inList, notInList } = partition(merged, patchItems, mergeKey);
    return { merged: normalizeOrder(inList, notInList, patchItems, base, mergeKey, kind), seen: list.backing };
  }

  /** `mergeSliceWithoutSpecialElements`: merge items with the same key, append the others. */
  private mergeByKey(list: SharedList, patch: JsonObject[], mergeKey: string, path: readonly string[]): void {
    for (const item of patch) {
      if (!Object.hasOwn(item, mergeKey)) throw mergeFailure(noMergeKey(item, mergeKey));
      const i = list.indexOf(mergeKey, item[mergeKey]);
      if (i >= 0) list.set(i, this.mergeMap(list.items[i], item, path));
      else list.push(sanitize(item) as JsonObject);
    }
  }
}

/**
 * A list of maps edited the way upstream edits a Go slice in place. Deleting shifts the later
 * items left over the same backing array and appending reuses the freed slots, so the original
 * slice header (its first n slots) shows the edits: `backing`. Slots past n depend on capacity
 * and are never read, so this is exact whatever the capacity was.
 */
class SharedList {
  readonly backing: JsonObject[];
  readonly items: JsonObject[];

  constructor(original: JsonObject[]) {
    this.backing = [...original];
    this.items = [...original];
  }

  indexOf(mergeKey: string, value: unknown): number {
    return this.items.findIndex((o) => Object.hasOwn(o, mergeKey) && o[mergeKey] === value);
  }

  removeAt(i: number): void {
    this.items.splice(i, 1);
    for (let j = i; j < this.items.length; j++) this.backing[j] = this.items[j];
  }

  set(i: number, item: JsonObject): void {
    this.items[i] = item;
    if (i < this.backing.length) this.backing[i] = item;
  }

  push(item: JsonObject): void {
    this.items.push(item);
    if (this.items.length <= this.backing.length) this.backing[this.items.length - 1] = item;
  }
}

/** `applyRetainKeysDirective`: drop the keys of `original` that `$retainKeys` does not list. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(retain)) throw badRequest('invalid patch format of retainKeys');
  const keep = new Set(retain);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw badRequest('invalid patch format of retainKeys');
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** `<prefix>/<key>` → key; a malformed directive key is a 400. */
function extractKey(directiveKey: string, prefix: string): string {
  const slash = directiveKey.indexOf('/');
  if (slash < 0 || directiveKey.slice(0, slash) !== prefix) {
    throw badRequest(
      prefix === SET_ELEMENT_ORDER ? 'invalid patch format of setElementOrder list' : 'invalid patch format of primitive list',
    );
  }
  return directiveKey.slice(slash + 1);
}

/**
 * `mergeSliceWithSpecialElements`: `$patch: delete` items remove every item with their key;
 * a `$patch: replace` item makes the other patch items the whole list.
 */
function applySpecialElements(
  list: SharedList,
  patch: JsonObject[],
  mergeKey: string,
): { plain: JsonObject[]; replace: boolean } {
  const plain: JsonObject[] = [];
  let replace = false;
  for (const item of patch) {
    if (!Object.hasOwn(item, DIRECTIVE)) {
      plain.push(item);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === 'delete') {
      if (!Object.hasOwn(item, mergeKey)) throw mergeFailure(noMergeKey(item, mergeKey));
      for (let i = list.indexOf(mergeKey, item[mergeKey]); i >= 0; i = list.indexOf(mergeKey, item[mergeKey])) {
        list.removeAt(i);
      }
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw mergeFailure('merging lists cannot yet be specified in the patch');
    } else {
      throw mergeFailure(`unknown patch type: ${goValue(directive)} in map: ${goValue(item)}`);
    }
  }
  return { plain, replace };
}

/**
 * `validatePatchWithSetOrderList`: the patch items (deletions aside) must appear in the
 * `$setElementOrder` list, in the same relative order.
 */
function validateOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey !== '') {
    for (const item of patchList) if (!isPlainObject(item)) throw mergeFailure(badArgType({}, item));
    items = patchList.filter((item) => (item as JsonObject)[DIRECTIVE] !== 'delete');
  }
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    if (isPlainObject(items[p]) && Object.hasOwn(items[p] as JsonObject, DIRECTIVE)) {
      p++;
      continue;
    }
    if (sameItem(items[p], order[o], mergeKey)) p++;
    o++;
  }
  if (p < items.length && o >= order.length) {
    throw mergeFailure(
      `The order in patch list:\n${goValue(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goValue(order)}\n`,
    );
  }
}

/** `mergeKeyValueEqual`. */
function sameItem(left: unknown, right: unknown, mergeKey: string): boolean {
  if (mergeKey === '') return left === right;
  if (!isPlainObject(left)) throw mergeFailure(badArgType({}, left));
  if (!isPlainObject(right)) throw mergeFailure(badArgType({}, right));
  if (!Object.hasOwn(left, mergeKey)) throw mergeFailure(noMergeKey(left, mergeKey));
  if (!Object.hasOwn(right, mergeKey)) throw mergeFailure(noMergeKey(right, mergeKey));
  return left[mergeKey] === right[mergeKey];
}

/** Splits `items` into those present in `list` (by merge key, or by value for scalars) and the rest. */
function partition(items: unknown[], list: unknown[], mergeKey: string): { inList: unknown[]; notInList: unknown[] } {
  const inList: unknown[] = [];
  const notInList: unknown[] = [];
  if (mergeKey === '') {
    const present = new Set(list);
    for (const item of items) (present.has(item) ? inList : notInList).push(item);
    return { inList, notInList };
  }
  for (const item of items) {
    if (!isPlainObject(item)) throw mergeFailure(badArgType({}, item));
    if (!Object.hasOwn(item, mergeKey)) throw mergeFailure(noMergeKey(item, mergeKey));
    const found = list.some((entry, i) => {
      if (!isPlainObject(entry)) throw mergeFailure(`value for key ${i} is not a map`);
      return Object.hasOwn(entry, mergeKey) && entry[mergeKey] === item[mergeKey];
    });
    (found ? inList : notInList).push(item);
  }
  return { inList, notInList };
}

/** `sliceElementType`: every element of every list has one type, which is not a list. */
function elementKind(...lists: unknown[][]): Kind {
  let first: string | undefined;
  for (const list of lists) {
    for (const item of list) {
      const kind = goKind(item);
      if (first === undefined) {
        if (kind === 'slice') throw patchNotApplicable(new Error('lists of lists are not supported'));
        first = kind;
      } else if (kind !== first) {
        throw mergeFailure(`list element types are not identical: ${goValue(lists)}`);
      }
    }
  }
  if (first === undefined) throw mergeFailure('no elements in any of the given slices');
  return first === 'map' ? 'map' : 'scalar';
}

/**
 * `normalizeElementOrder`: patch items in the patch's order, server-only items in the live
 * order, then the two interleaved so that each server-only item stays ahead of the patch items
 * that followed it in the live list.
 */
function normalizeOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: Kind,
): unknown[] {
  const left = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  const right = sortByOrder(patchItems, patchOrder, mergeKey, kind);
  const indexOf = (item: unknown) => orderIndex(serverOrder, item, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) out.push(left[i++]);
    else if (i >= left.length) out.push(right[j++]);
    else {
      const li = indexOf(left[i]);
      const ri = indexOf(right[j]);
      out.push(li >= 0 && ri >= 0 && li < ri ? left[i++] : right[j++]);
    }
  }
  return out;
}

/** `normalizeSliceOrder`: stable sort by position in `order`; `$patch: delete` items go last. */
function sortByOrder(items: unknown[], order: unknown[], mergeKey: string, kind: Kind): unknown[] {
  let toSort = items;
  let deletions: unknown[] = [];
  if (kind === 'map') {
    for (const item of [...items, ...order]) {
      if (!isPlainObject(item)) throw mergeFailure(badArgType({}, item));
      if (!Object.hasOwn(item, mergeKey)) throw mergeFailure(noMergeKey(item, mergeKey));
    }
    toSort = items.filter((item) => (item as JsonObject)[DIRECTIVE] !== 'delete');
    deletions = items.filter((item) => (item as JsonObject)[DIRECTIVE] === 'delete');
  }
  const positions = toSort.map((item) => orderIndex(order, item, mergeKey, kind));
  let sorted: unknown[];
  if (positions.every((p) => p >= 0)) {
    sorted = toSort
      .map((item, i) => ({ item, p: positions[i], i }))
      .sort((a, b) => a.p - b.p || a.i - b.i)
      .map((e) => e.item);
  } else {
    // Upstream's comparator calls an item that is missing from the order "less" than anything;
    // this reproduces Go's stable insertion sort under that comparator.
    const entries = toSort.map((item, i) => ({ item, p: positions[i] }));
    for (let a = 1; a < entries.length; a++) {
      for (let b = a; b > 0; b--) {
        const x = entries[b];
        const y = entries[b - 1];
        const less = x.p >= 0 && y.p >= 0 ? x.p < y.p : true;
        if (!less) break;
        entries[b] = y;
        entries[b - 1] = x;
      }
    }
    sorted = entries.map((e) => e.item);
  }
  return [...sorted, ...deletions];
}

/** `index`: position of `item` in `list`, by merge key for maps and by value otherwise. */
function orderIndex(list: unknown[], item: unknown, mergeKey: string, kind: Kind): number {
  if (kind !== 'map') return list.indexOf(item);
  const keyOf = (v: unknown) => (isPlainObject(v) ? v[mergeKey] : undefined);
  const wanted = keyOf(item);
  return list.findIndex((v) => keyOf(v) === wanted);
}

/** Marker for a value `removeDirectives` says to drop. */
const DROP = Symbol('drop');

/** `removeDirectives`: maps carrying `$patch` are dropped, wherever they are. */
function removeDirectives(v: unknown): unknown {
  if (isPlainObject(v)) {
    if (Object.hasOwn(v, DIRECTIVE)) return DROP;
    const out: JsonObject = {};
    for (const [k, child] of Object.entries(v)) {
      const kept = removeDirectives(child);
      if (kept !== DROP) out[k] = kept;
    }
    return out;
  }
  if (Array.isArray(v)) return v.map(removeDirectives).filter((x) => x !== DROP);
  return v;
}

/** What decoding into the typed object drops: directive keys and `null` members, at any depth. */
function sanitize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sanitize);
  if (!isPlainObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, child] of Object.entries(v)) {
    if (child === null || isDirectiveKey(k)) continue;
    out[k] = sanitize(child);
  }
  return out;
}

function isDirectiveKey(k: string): boolean {
  return (
    k === DIRECTIVE ||
    k === RETAIN_KEYS ||
    k.startsWith(`${SET_ELEMENT_ORDER}/`) ||
    k.startsWith(`${DELETE_FROM_PRIMITIVE_LIST}/`)
  );
}

// ---------------------------------------------------------------------------------------------
// Go formatting for upstream's error messages

/** Go's reflect kind of a decoded JSON value, coarse enough for SMP's type comparisons. */
function goKind(v: unknown): 'map' | 'slice' | 'nil' | 'string' | 'int64' | 'float64' | 'bool' {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  if (isPlainObject(v)) return 'map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

/** Go's `%s` of `reflect.TypeOf(v)`. */
function goType(v: unknown): string {
  switch (goKind(v)) {
    case 'map':
      return 'map[string]interface {}';
    case 'slice':
      return '[]interface {}';
    case 'nil':
      return '%!s(<nil>)';
    default:
      return goKind(v);
  }
}

/** `mergepatch.ErrBadArgType`. */
function badArgType(expected: unknown, actual: unknown): string {
  return `expected a ${goType(expected)}, but received a ${goType(actual)}`;
}

/** `mergepatch.ErrNoMergeKey`. */
function noMergeKey(item: JsonObject, mergeKey: string): string {
  return `map: ${goValue(item)} does not contain declared merge key: ${mergeKey}`;
}

/** Go's `%v` of a decoded JSON value: `map[a:1 b:[x y]]`, keys sorted. */
function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (isPlainObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goValue(v[k])}`).join(' ')}]`;
  }
  if (typeof v === 'number' && !Number.isInteger(v)) return String(v).replace(/e([+-])(\d)$/, 'e$10$2');
  return String(v);
}

// ---------------------------------------------------------------------------------------------
// Patch metadata of the built-in kinds

/** A field in the built-in patch-meta table: its strategy, merge key and (for nesting) its type. */
interface FieldMeta extends PatchMeta {
  readonly type?: string;
}

const MERGE_BY = (patchMergeKey: string, type?: string): FieldMeta => ({ patchStrategy: 'merge', patchMergeKey, type });
const CONDITIONS: FieldMeta = MERGE_BY('type');

/**
 * The `patchStrategy`/`patchMergeKey` struct tags of the built-in types (k8s.io/api v0.32,
 * k8s.io/apimachinery meta/v1), keyed by Go type name. Only types on a path to a tagged field appear.
 */
const TYPES: Record<string, Record<string, FieldMeta>> = {
  ObjectMeta: {
    finalizers: { patchStrategy: 'merge' },
    ownerReferences: MERGE_BY('uid'),
  },
  PodTemplateSpec: { metadata: { type: 'ObjectMeta' }, spec: { type: 'PodSpec' } },
  PodSpec: {
    volumes: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' },
    initContainers: MERGE_BY('name', 'Container'),
    containers: MERGE_BY('name', 'Container'),
    // EphemeralContainerCommon inlines the same tagged fields as Container.
    ephemeralContainers: MERGE_BY('name', 'Container'),
    imagePullSecrets: MERGE_BY('name'),
    hostAliases: MERGE_BY('ip'),
    topologySpreadConstraints: MERGE_BY('topologyKey'),
    schedulingGates: MERGE_BY('name'),
    resourceClaims: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' },
  },
  Container: {
    ports: MERGE_BY('containerPort'),
    env: MERGE_BY('name'),
    volumeMounts: MERGE_BY('mountPath'),
    volumeDevices: MERGE_BY('devicePath'),
  },
  PodStatus: {
    conditions: CONDITIONS,
    hostIPs: MERGE_BY('ip'),
    podIPs: MERGE_BY('ip'),
    resourceClaimStatuses: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' },
    initContainerStatuses: { type: 'ContainerStatus' },
    containerStatuses: { type: 'ContainerStatus' },
    ephemeralContainerStatuses: { type: 'ContainerStatus' },
  },
  ContainerStatus: {
    volumeMounts: MERGE_BY('mountPath'),
    allocatedResourcesStatus: MERGE_BY('name'),
  },
  ConditionsStatus: { conditions: CONDITIONS },
  PersistentVolumeClaim: { metadata: { type: 'ObjectMeta' }, status: { type: 'ConditionsStatus' } },
  JobTemplateSpec: { metadata: { type: 'ObjectMeta' }, spec: { type: 'TemplateSpec' } },
  TemplateSpec: { template: { type: 'PodTemplateSpec' } },
  DeploymentSpec: { template: { type: 'PodTemplateSpec' }, strategy: { patchStrategy: 'retainKeys' } },
  StatefulSetSpec: {
    template: { type: 'PodTemplateSpec' },
    volumeClaimTemplates: { type: 'PersistentVolumeClaim' },
  },
  CronJobSpec: { jobTemplate: { type: 'JobTemplateSpec' } },
  ServiceSpec: { ports: MERGE_BY('port') },
  NodeSpec: { podCIDRs: { patchStrategy: 'merge' } },
  NodeStatus: { conditions: CONDITIONS, addresses: MERGE_BY('type') },
  PodDisruptionBudgetSpec: { selector: { patchStrategy: 'replace' } },
  Webhook: { matchConditions: MERGE_BY('name') },
  ValidatingAdmissionPolicySpec: { matchConditions: MERGE_BY('name'), variables: MERGE_BY('name') },
  CSINodeSpec: { drivers: MERGE_BY('name') },
};

/** Root fields per `group/kind` (core group: empty). `metadata` is added to every kind. */
const KINDS: Record<string, Record<string, FieldMeta>> = {
  '/Pod': { spec: { type: 'PodSpec' }, status: { type: 'PodStatus' } },
  '/PodTemplate': { template: { type: 'PodTemplateSpec' } },
  '/ReplicationController': { spec: { type: 'TemplateSpec' }, status: { type: 'ConditionsStatus' } },
  '/Service': { spec: { type: 'ServiceSpec' }, status: { type: 'ConditionsStatus' } },
  '/ServiceAccount': { secrets: MERGE_BY('name') },
  '/Node': { spec: { type: 'NodeSpec' }, status: { type: 'NodeStatus' } },
  '/Namespace': { status: { type: 'ConditionsStatus' } },
  '/PersistentVolumeClaim': { status: { type: 'ConditionsStatus' } },
  '/ComponentStatus': { conditions: CONDITIONS },
  'apps/Deployment': { spec: { type: 'DeploymentSpec' }, status: { type: 'ConditionsStatus' } },
  'apps/ReplicaSet': { spec: { type: 'TemplateSpec' }, status: { type: 'ConditionsStatus' } },
  'apps/DaemonSet': { spec: { type: 'TemplateSpec' }, status: { type: 'ConditionsStatus' } },
  'apps/StatefulSet': { spec: { type: 'StatefulSetSpec' }, status: { type: 'ConditionsStatus' } },
  'batch/Job': { spec: { type: 'TemplateSpec' }, status: { type: 'ConditionsStatus' } },
  'batch/CronJob': { spec: { type: 'CronJobSpec' } },
  'autoscaling/HorizontalPodAutoscaler': { status: { type: 'ConditionsStatus' } },
  'policy/PodDisruptionBudget': { spec: { type: 'PodDisruptionBudgetSpec' }, status: { type: 'ConditionsStatus' } },
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': { webhooks: MERGE_BY('name', 'Webhook') },
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': { webhooks: MERGE_BY('name', 'Webhook') },
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': { spec: { type: 'ValidatingAdmissionPolicySpec' } },
  'flowcontrol.apiserver.k8s.io/FlowSchema': { status: { type: 'ConditionsStatus' } },
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration': { status: { type: 'ConditionsStatus' } },
  'storage.k8s.io/CSINode': { spec: { type: 'CSINodeSpec' } },
};

/**
 * The patch metadata of a built-in kind, from its Go struct tags. Unknown kinds still know
 * `metadata.finalizers` and `metadata.ownerReferences`.
 */
export function builtinPatchMeta(group: string, kind: string): PatchMetaLookup {
  const root: Record<string, FieldMeta> = { metadata: { type: 'ObjectMeta' }, ...KINDS[`${group}/${kind}`] };
  return (path) => {
    let fields: Record<string, FieldMeta> | undefined = root;
    let meta: FieldMeta | undefined;
    for (const name of path) {
      meta = fields && Object.hasOwn(fields, name) ? fields[name] : undefined;
      if (!meta) return undefined;
      fields = meta.type ? TYPES[meta.type] : undefined;
    }
    return meta && { patchStrategy: meta.patchStrategy, patchMergeKey: meta.patchMergeKey };
  };
}
