/**
 * What a handler returns (as controller-runtime's `Allowed`, `Denied`, `Patched`, `Errored`):
 * a handler never throws to say no. `patched()` takes the object as the author wants it and
 * computes the JSON patch from the original, so nobody writes patch paths by hand (and nobody
 * adds `/metadata/labels/x` to a pod without labels: the diff adds the whole map).
 */
import jsonpatch from 'fast-json-patch';
import type { AdmissionResult, KubeObjectLike } from './review.js';

export function allowed(...warnings: string[]): AdmissionResult {
  return warnings.length > 0 ? { allowed: true, warnings } : { allowed: true };
}

/** A refusal. 403 Forbidden by default, as controller-runtime's `Denied`. */
export function denied(message: string, code = 403, reason: string = code === 403 ? 'Forbidden' : ''): AdmissionResult {
  return { allowed: false, code, message, ...(reason ? { reason } : {}) };
}

/** The webhook could not decide (bad input, a bug): a refusal with the error, 500 unless told. */
export function errored(error: unknown, code = 500): AdmissionResult {
  return { allowed: false, code, message: error instanceof Error ? error.message : String(error) };
}

/** Admit with the changes that turn `original` into `desired` (none: a plain allow). */
export function patched(original: KubeObjectLike, desired: KubeObjectLike, ...warnings: string[]): AdmissionResult {
  const patch = jsonpatch.compare(original, desired);
  return patch.length > 0 ? { allowed: true, patch, ...(warnings.length > 0 ? { warnings } : {}) } : allowed(...warnings);
}
