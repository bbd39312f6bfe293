/**
 * Per-kind rules the generic store applies, as kube-apiserver's REST strategies do: defaults,
 * what a create or update may change, validation, and the fields a field selector can use.
 * Every hook is optional; a kind without a strategy gets metadata validation only.
 */
import type { FieldError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import type { ListMeta } from './field-manager/index.js';

export interface Strategy {
  /** Fill defaults (called on create and update, before validation). */
  defaults?(obj: KubeObject): void;
  /** Reset what a create may not set (usually status). */
  prepareForCreate?(obj: KubeObject): void;
  /** Carry over what an update of the main resource may not change. */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  validate?(obj: KubeObject): FieldError[];
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
  /** Extra fields (beyond metadata.name/namespace) a field selector may name. */
  selectableFields?(obj: KubeObject): Record<string, string>;
  /** A PUT to a missing object creates it (endpoints, events). */
  readonly allowCreateOnUpdate?: boolean;
  /** Called after a successful create or update, with the stored object (allocations bookkeeping). */
  afterWrite?(obj: KubeObject, old: KubeObject | undefined): void;
  afterDelete?(obj: KubeObject): void;
  /** Reserve resources the object needs (cluster IPs, node ports) before it is stored. May throw. */
  allocate?(obj: KubeObject, old: KubeObject | undefined): void;
  /** List and map types for managedFields (custom resources: from their schema; built-ins have a table). */
  listMeta?(obj: KubeObject): ListMeta;
  /** Undo allocate() when the write fails. */
  release?(obj: KubeObject, old: KubeObject | undefined): void;
}

export type StrategyTable = ReadonlyMap<string, Strategy>;

export function strategyKey(group: string, kind: string): string {
  return `${group}/${kind}`;
}
