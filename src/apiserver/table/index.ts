/**
 * @module apiserver/table
 *
 * Server-side Table output (`Accept: application/json;as=Table;g=meta.k8s.io;v=v1`): the rows
 * and columns `kubectl get` prints, computed on the server exactly as kube-apiserver v1.32's
 * printers (kubernetes/pkg/printers/internalversion/printers.go) compute them.
 *
 * - `convertToTable(group, kind, objects, opts)` builds a `meta.k8s.io/v1` Table. Columns of
 *   priority 1 are always included; `kubectl get -o wide` is what shows them.
 * - Each row's `object` follows `includeObject` (apiserver `response.go`): a
 *   `PartialObjectMetadata` by default, the whole object for `Object`, nothing for `None`.
 *   `parseIncludeObject` validates the query parameter.
 * - Kinds without a printer get the generic convertor (NAME, CREATED AT), as kube-apiserver's
 *   `rest.NewDefaultTableConvertor` does. Custom resources need their own convertor
 *   (additionalPrinterColumns), passed as `opts.convertor`; this module does not evaluate JSONPath.
 * - For watch streams, only the first event carries column definitions: pass
 *   `withHeaders: false` for the rest (apiserver `watchEmbeddedEncoder`).
 *
 * AGE and similar cells are computed from `opts.now`, so a table is a pure function of its inputs.
 */
import { badRequest } from '../../apimachinery/errors.js';
import { convertorFor } from './columns.js';
import type { Convertor, IncludeObject, KubeObject, Table, TableListMeta, TableRow } from './types.js';

export type {
  Cell,
  ColumnDefinition,
  Convertor,
  IncludeObject,
  KubeObject,
  KubeObjectMeta,
  RowCondition,
  Table,
  TableListMeta,
  TableRow,
} from './types.js';
export { convertorFor, defaultConvertor, printedKinds, printerFor } from './columns.js';
export { humanDuration, shortHumanDuration, translateTimestampSince } from './duration.js';

export interface ConvertOptions {
  /** The request time; every age is measured from it. */
  now: Date;
  includeObject: IncludeObject;
  /** The list's (or the single object's) resourceVersion. */
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
  /** False for every watch event after the first: the columns are then left out. Default true. */
  withHeaders?: boolean;
  /** Overrides the kind's printer, e.g. a custom resource's additionalPrinterColumns convertor. */
  convertor?: Convertor;
}

export function convertToTable(group: string, kind: string, objects: readonly KubeObject[], opts: ConvertOptions): Table {
  const convertor = opts.convertor ?? convertorFor(group, kind);
  const rows = objects.map((obj): TableRow => {
    const row: TableRow = { cells: convertor.cells(obj, opts.now) };
    const conditions = convertor.conditions?.(obj);
    if (conditions) row.conditions = conditions;
    if (opts.includeObject === 'Object') row.object = obj;
    else if (opts.includeObject === 'Metadata') row.object = partialObjectMetadata(obj);
    return row;
  });

  const metadata: TableListMeta = {};
  if (opts.resourceVersion !== '') metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  if (opts.remainingItemCount !== undefined) metadata.remainingItemCount = opts.remainingItemCount;

  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    columnDefinitions: opts.withHeaders === false ? [] : convertor.columns.map((c) => ({ ...c })),
    rows,
  };
}

/** meta.AsPartialObjectMetadata: the object's whole metadata under a PartialObjectMetadata kind. */
function partialObjectMetadata(obj: KubeObject): { kind: 'PartialObjectMetadata'; apiVersion: 'meta.k8s.io/v1'; metadata: KubeObject['metadata'] } {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

/**
 * The `includeObject` query parameter: empty means `Metadata`; anything but `None`, `Metadata`
 * and `Object` is a 400 `unrecognized includeObject value: "<value>"`.
 */
export function parseIncludeObject(value: string | undefined): IncludeObject {
  if (value === undefined || value === '') return 'Metadata';
  if (value === 'None' || value === 'Metadata' || value === 'Object') return value;
  throw badRequest(`unrecognized includeObject value: ${goQuote(value)}`);
}

/** Go's %q for a string: double-quoted, with Go escapes for quotes, backslashes and control bytes. */
function goQuote(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
