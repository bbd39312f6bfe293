/**
 * Test helpers for the table tests: a fixed clock, timestamps relative to it, and a tiny
 * stand-in for kubectl's printer that picks the columns `kubectl get` (or `-o wide`) shows.
 */
import { convertToTable, type Cell, type KubeObject } from './index.js';

export const NOW = new Date('2024-06-01T12:00:00Z');

/** An RFC 3339 timestamp `seconds` before NOW. */
export function ago(seconds: number): string {
  return new Date(NOW.getTime() - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const MIN = 60;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** An object with a name and a creation time (default: 5 minutes ago). */
export function obj(name: string, fields: Partial<KubeObject> = {}, meta: Partial<KubeObject['metadata']> = {}): KubeObject {
  return { ...fields, metadata: { name, namespace: 'default', creationTimestamp: ago(5 * MIN), ...meta } };
}

/** What `kubectl get` prints for one object: upper-cased headers and the row's cells. */
export function print(group: string, kind: string, object: KubeObject, opts: { wide?: boolean } = {}): { headers: string[]; cells: Cell[] } {
  const table = convertToTable(group, kind, [object], { now: NOW, includeObject: 'None', resourceVersion: '1' });
  const shown = table.columnDefinitions.map((c, i) => ({ c, i })).filter(({ c }) => opts.wide || c.priority === 0);
  return {
    headers: shown.map(({ c }) => c.name.toUpperCase()),
    cells: shown.map(({ i }) => table.rows[0].cells[i]),
  };
}

/** Only the cells (wide included) of one object. */
export function cells(group: string, kind: string, object: KubeObject): Cell[] {
  return print(group, kind, object, { wide: true }).cells;
}
