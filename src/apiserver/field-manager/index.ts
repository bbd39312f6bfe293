/**
 * @module field-manager
 *
 * Field management: `metadata.managedFields`, and server-side apply on top of it, as
 * kube-apiserver 1.32 does them (k8s.io/apimachinery/pkg/util/managedfields over
 * sigs.k8s.io/structured-merge-diff v4.4). Pure: plain JSON objects in, plain JSON out.
 *
 * A tour:
 *
 * - {@link recordUpdate} runs on every write that is not an apply (create, update, patch,
 *   subresources) and returns the managedFields to store: the writer's Update entry gains the
 *   fields whose values it changed, everyone else loses them.
 * - {@link apply} runs a server-side apply patch: merge, conflicts (409, or `force`), removal of
 *   what the applier stopped applying, and the applier's Apply entry.
 * - {@link validateApplyRequest} and {@link managerFromUserAgent} are the request-level rules.
 * - Both need the kind's list types: {@link builtinListMeta} for built-in kinds (kube's own
 *   schema: container ports keyed by port and protocol, atomic selectors…),
 *   {@link listMetaFromSchema} for custom resources, {@link listMetaFromPatchMeta} to derive them
 *   from strategic-merge-patch tags.
 * - {@link fieldSetOf}, {@link toFieldsV1} and {@link fromFieldsV1} are the FieldsV1 format itself:
 *   `f:<field>`, `k:{"name":"nginx"}`, `v:"value"`, and `"."` for an item or field that is owned
 *   as a whole as well as by what is below it.
 *
 * Tips: pass the same ListMeta function for a kind every time (its answers are cached); give
 * `ignoredFields` the strategy's reset fields so `status` is never owned through the main
 * resource.
 */
import type { FieldSet } from './field-set.js';
import { shapeOf, type ListMeta } from './list-meta.js';
import { toFieldSet } from './typed.js';

export type { ApplyInput, ApplyResult } from './apply.js';
export type { Path } from './field-set.js';
export type { FieldType, ListMeta, ListType, MapType } from './list-meta.js';
export type { ManagedFieldsEntry } from './managed-fields.js';
export type { RecordUpdateInput } from './update.js';

export { apply, LAST_APPLIED_ANNOTATION } from './apply.js';
export { FieldSet, FieldsV1Error, fromFieldsV1, toFieldsV1 } from './field-set.js';
export { builtinEmptyObject, builtinListMeta, listMetaFromPatchMeta, listMetaFromSchema } from './list-meta.js';
export { validateManagedFields } from './managed-fields.js';
export { pathToString } from './path-element.js';
export { managerFromUserAgent, validateApplyRequest, validateFieldManager } from './request.js';
export { TypedError } from './typed.js';
export { recordUpdate } from './update.js';

/**
 * The fields an object sets, by its list types: every leaf, every item of a map or set list
 * (`k:`/`v:`), and below them their fields. Throws a TypedError for a list item without its
 * keys. (Repeated keys are allowed, as in stored objects.)
 */
export function fieldSetOf(obj: Record<string, unknown>, listMeta: ListMeta): FieldSet {
  return toFieldSet(obj, shapeOf(listMeta), true);
}
