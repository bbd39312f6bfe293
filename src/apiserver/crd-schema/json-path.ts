/**
 * The simple `.spec.replicas` paths of the scale subresource (specReplicasPath, statusReplicasPath,
 * labelSelectorPath), read and written the way kube does: the leading `.` is dropped and the rest is
 * split on `.` (unstructured.NestedFieldNoCopy / SetNestedField).
 */
import { deepCopy, isMap } from './types.js';

function fields(jsonPath: string): string[] {
  return (jsonPath.startsWith('.') ? jsonPath.slice(1) : jsonPath).split('.');
}

/** The value at the path, or undefined when a field is missing or a step is not an object. */
export function getAtPath(obj: unknown, jsonPath: string): unknown {
  let cur: unknown = obj;
  for (const f of fields(jsonPath)) {
    if (!isMap(cur) || !Object.prototype.hasOwnProperty.call(cur, f)) return undefined;
    cur = cur[f];
  }
  return cur;
}

/**
 * Sets a deep copy of `value` at the path, creating missing objects on the way. Throws (with
 * SetNestedField's message) when a step exists but is not an object.
 */
export function setAtPath(obj: Record<string, unknown>, jsonPath: string, value: unknown): void {
  const fs = fields(jsonPath);
  let m = obj;
  for (let i = 0; i < fs.length - 1; i++) {
    const v = m[fs[i]];
    if (v !== undefined && v !== null) {
      if (!isMap(v)) throw new Error(`value cannot be set because .${fs.slice(0, i + 1).join('.')} is not a map[string]interface{}`);
      m = v;
    } else {
      const next: Record<string, unknown> = {};
      m[fs[i]] = next;
      m = next;
    }
  }
  m[fs[fs.length - 1]] = deepCopy(value);
}
