/**
 * Small formatting helpers shared by the convertors. Each mirrors one upstream helper
 * (named in its comment) so that cells read exactly as kube-apiserver writes them.
 */
import type { ColumnDefinition, KubeObject } from './types.js';

// ---------------------------------------------------------------------------------------------
// Column definitions

/** metav1.ObjectMeta{}.SwaggerDoc()["name"], the description upstream puts on every Name column. */
export const NAME_DESCRIPTION =
  'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names';

/** metav1.ObjectMeta{}.SwaggerDoc()["creationTimestamp"], the description of every Age column. */
export const AGE_DESCRIPTION =
  'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';

/** A column; `wide` columns get priority 1 and show only with `kubectl get -o wide`. */
export function col(
  name: string,
  type: ColumnDefinition['type'],
  description: string,
  opts: { wide?: boolean; format?: string } = {},
): ColumnDefinition {
  return { name, type, format: opts.format ?? '', description, priority: opts.wide ? 1 : 0 };
}

export const NAME_COLUMN: ColumnDefinition = col('Name', 'string', NAME_DESCRIPTION, { format: 'name' });
export const AGE_COLUMN: ColumnDefinition = col('Age', 'string', AGE_DESCRIPTION);
export const CONTAINERS_COLUMN: ColumnDefinition = col('Containers', 'string', 'Names of each container in the template.', { wide: true });
export const IMAGES_COLUMN: ColumnDefinition = col('Images', 'string', 'Images referenced by each container in the template.', { wide: true });

// ---------------------------------------------------------------------------------------------
// Loose field access

/** A plain object, or an empty one for anything else (so that chained reads never throw). */
export function rec(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Go's zero value for a string field. */
export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Go's zero value for an integer field (JSON numbers; numeric strings are tolerated). */
export function int(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return 0;
}

/** Whether a pointer field is set (present and not null). */
export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

export function nameOf(obj: KubeObject): string {
  return str(obj.metadata?.name);
}

export function isDeleting(obj: KubeObject): boolean {
  return isSet(obj.metadata?.deletionTimestamp);
}

/** Upstream `<none>` for an empty value. */
export function orNone(value: string): string {
  return value === '' ? '<none>' : value;
}

// ---------------------------------------------------------------------------------------------
// Labels and selectors (k8s.io/apimachinery/pkg/labels, meta/v1 helpers)

/** labels.FormatLabels: `k=v` pairs sorted, comma-joined; `<none>` when empty. */
export function formatLabels(labels: unknown): string {
  const pairs = Object.entries(rec(labels)).map(([k, v]) => `${k}=${str(v)}`);
  pairs.sort(byteOrder);
  return orNone(pairs.join(','));
}

interface Requirement {
  key: string;
  op: 'Equals' | 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

/**
 * metav1.LabelSelectorAsSelector(...).String(): `""` for a nil selector (`labels.Nothing()`) and for
 * an empty one (`labels.Everything()`); `null` when an operator is not valid (conversion error).
 */
function labelSelectorString(selector: unknown): string | null {
  if (!isSet(selector)) return '';
  const sel = rec(selector);
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(rec(sel.matchLabels))) reqs.push({ key, op: 'Equals', values: [str(value)] });
  for (const raw of arr(sel.matchExpressions)) {
    const expr = rec(raw);
    const op = str(expr.operator);
    if (op !== 'In' && op !== 'NotIn' && op !== 'Exists' && op !== 'DoesNotExist') return null;
    reqs.push({ key: str(expr.key), op, values: arr(expr.values).map(str) });
  }
  reqs.sort((a, b) => byteOrder(a.key, b.key));
  return reqs.map(requirementString).join(',');
}

function requirementString(r: Requirement): string {
  switch (r.op) {
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
    case 'Equals':
      return `${r.key}=${r.values.join(',')}`;
    case 'In':
    case 'NotIn': {
      const values = r.values.length > 1 ? [...r.values].sort(byteOrder) : r.values;
      return `${r.key} ${r.op === 'In' ? 'in' : 'notin'} (${values.join(',')})`;
    }
  }
}

/** metav1.FormatLabelSelector: `<none>` for nil or empty selectors, `<error>` for invalid ones. */
export function formatLabelSelector(selector: unknown): string {
  const s = labelSelectorString(selector);
  if (s === null) return '<error>';
  return orNone(s);
}

/** LabelSelectorAsSelector(...).String() as printDeployment uses it: empty, not `<none>`; `<invalid>` on error. */
export function selectorString(selector: unknown): string {
  const s = labelSelectorString(selector);
  return s === null ? '<invalid>' : s;
}

/** Go's sort.Strings order (bytewise; identical to UTF-16 order for the ASCII label syntax). */
export function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Containers, quantities, misc.

/** layoutContainerCells: container names and images, each comma-joined. */
export function layoutContainerCells(containers: unknown): [string, string] {
  const list = arr(containers).map(rec);
  return [list.map((c) => str(c.name)).join(','), list.map((c) => str(c.image)).join(',')];
}

/** The pod template's containers of a workload (`spec.template.spec.containers`). */
export function templateContainers(spec: unknown): unknown {
  return rec(rec(rec(spec).template).spec).containers;
}

/**
 * resource.Quantity.String(). Stored quantities are already canonical on a real cluster, so the
 * stored string is printed as is; a missing quantity is the zero Quantity, `0`.
 */
export function quantity(value: unknown): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '0';
}

/** intstr.IntOrString.String(). */
export function intOrString(value: unknown): string {
  if (typeof value === 'number') return String(Math.trunc(value));
  return str(value);
}

/** printBoolPtr: `True`, `False`, or `<unset>` for a nil pointer. */
export function boolPtr(value: unknown): string {
  if (typeof value !== 'boolean') return '<unset>';
  return value ? 'True' : 'False';
}

/** The apiVersion's group: `apps/v1` → `apps`, `v1` → ``. */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Values of conditions by type, with the first match winning (`hasJobCondition`, `getCondition`). */
export function findCondition(conditions: unknown, type: string): Record<string, unknown> | undefined {
  for (const raw of arr(conditions)) {
    const c = rec(raw);
    if (c.type === type) return c;
  }
  return undefined;
}

/** net.JoinHostPort. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Upstream lists cut to 3 entries: `a,b,c + 2 more...`; `<unset>` when empty (listWithMoreString). */
export function listWithMore(list: string[], more: boolean, count: number, max: number): string {
  const joined = list.join(',');
  if (more) return `${joined} + ${count - max} more...`;
  return joined === '' ? '<unset>' : joined;
}

/** The load balancer ingress points, IP preferred over hostname, de-duplicated and sorted. */
export function loadBalancerIngress(loadBalancer: unknown): string {
  const seen = new Set<string>();
  for (const raw of arr(rec(loadBalancer).ingress)) {
    const ing = rec(raw);
    const ip = str(ing.ip);
    const hostname = str(ing.hostname);
    if (ip !== '') seen.add(ip);
    else if (hostname !== '') seen.add(hostname);
  }
  return [...seen].sort(byteOrder).join(',');
}
