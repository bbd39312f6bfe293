/**
 * Strategic-merge metadata read from a kind's published schema (`x-kubernetes-patch-strategy`,
 * `x-kubernetes-patch-merge-key`), in the shape src/apimachinery/patch.ts consumes: the same
 * source kubectl builds its patches from.
 */
import type { PatchMeta, PatchMetaLookup, PatchStrategy } from '../../apimachinery/patch.js';
import type { KindSchema } from './documents.js';
import { refName, type Schema } from './schema.js';

/**
 * The patch metadata of the field at `path` (field names from the object's root, list items not
 * counted, as PatchMetaLookup defines it), or undefined for fields without a strategy.
 */
export function schemaPatchMeta(kind: KindSchema): PatchMetaLookup {
  const deref = (s: Schema | undefined): Schema | undefined => {
    for (let i = 0; s && i < 32; i++) {
      if (s.$ref) s = kind.resolve(refName(s.$ref));
      else if (s.allOf?.length === 1 && !s.properties) s = s.allOf[0];
      else break;
    }
    return s;
  };
  return (path) => {
    let field: Schema | undefined;
    let current = deref(kind.schema);
    for (const name of path) {
      if (current?.items) current = deref(current.items);
      field = current?.properties && Object.hasOwn(current.properties, name) ? current.properties[name] : typeof current?.additionalProperties === 'object' ? current.additionalProperties : undefined;
      if (!field) return undefined;
      current = deref(field);
    }
    if (!field) return undefined;
    const strategy = field['x-kubernetes-patch-strategy'];
    const mergeKey = field['x-kubernetes-patch-merge-key'];
    if (!strategy && !mergeKey) return undefined;
    const meta: { patchStrategy?: PatchStrategy; patchMergeKey?: string } = {};
    if (strategy) meta.patchStrategy = strategy as PatchStrategy;
    if (mergeKey) meta.patchMergeKey = mergeKey;
    return meta satisfies PatchMeta;
  };
}
