/**
 * The shapes of server-side Table output (k8s.io/apimachinery meta/v1 `Table`) and of the
 * per-kind convertors that fill it. Objects are kept loose on purpose: a convertor reads a few
 * well-known fields and must never throw on a partially filled object.
 */

/** The minimum a convertor needs from an object; everything else is read defensively. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: KubeObjectMeta;
  spec?: any;
  status?: any;
  [key: string]: unknown;
}

/** The metadata fields the convertors read (no index signature, so any ObjectMeta type fits). */
export interface KubeObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string | null;
  deletionTimestamp?: string | null;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean }>;
}

/** meta/v1 `TableColumnDefinition`. Every field is always encoded, as upstream does. */
export interface ColumnDefinition {
  name: string;
  /** OpenAPI type: `string`, `integer`, `number`, `boolean` or `date`. */
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  /** `name` for the column that holds the object name; otherwise empty. */
  format: string;
  description: string;
  /** 0 = always shown; 1 = only with `-o wide`. */
  priority: number;
}

/** meta/v1 `TableRowCondition` (only pods use it: `Completed` for finished pods). */
export interface RowCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export type Cell = string | number | boolean | null;

export interface TableRow {
  cells: Cell[];
  conditions?: RowCondition[];
  /** A PartialObjectMetadata, the full object, or absent, depending on `includeObject`. */
  object?: unknown;
}

export interface TableListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: TableListMeta;
  columnDefinitions: ColumnDefinition[];
  rows: TableRow[];
}

/** Turns objects of one kind into rows; `cells` lines up with `columns`, wide ones included. */
export interface Convertor {
  readonly columns: readonly ColumnDefinition[];
  cells(obj: KubeObject, now: Date): Cell[];
  conditions?(obj: KubeObject): RowCondition[] | undefined;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';
