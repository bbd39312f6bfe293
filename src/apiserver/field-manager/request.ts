/**
 * The request-level rules around field managers: who the manager of a write is, and which
 * `fieldManager` values the options validation refuses (k8s.io/apiserver handlers/create.go,
 * k8s.io/apimachinery pkg/apis/meta/v1/validation).
 */
import { fieldError, invalid, type FieldError } from '../../apimachinery/errors.js';
import { FIELD_MANAGER_MAX_LENGTH, fieldManagerErrors } from './managed-fields.js';
import { isGoPrintable } from './path-element.js';

/**
 * The manager of a write without a `fieldManager` parameter (`prefixFromUserAgent`): the
 * User-Agent up to its first `/`, without unprintable characters, cut to 128 bytes.
 * `kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9` → `kubectl`.
 */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const prefix = (userAgent ?? '').split('/')[0];
  let out = '';
  let bytes = 0;
  for (const ch of prefix) {
    if (!isGoPrintable(ch)) continue;
    const size = Buffer.byteLength(ch);
    if (bytes + size > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
    bytes += size;
  }
  return out;
}

/**
 * Refuses an apply patch whose `fieldManager` is missing, longer than 128 bytes or unprintable,
 * as kube's `ValidatePatchOptions` does: 422 Invalid on `PatchOptions.meta.k8s.io ""`, e.g.
 * `PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch`.
 */
export function validateApplyRequest(fieldManager: string | undefined): void {
  const errors: FieldError[] = [];
  if (!fieldManager) errors.push(fieldError.required('fieldManager', 'is required for apply patch'));
  errors.push(...fieldManagerErrors(fieldManager ?? '', 'fieldManager'));
  if (errors.length > 0) throw invalid('PatchOptions', 'meta.k8s.io', '', errors);
}

/**
 * Refuses a `fieldManager` longer than 128 bytes or with unprintable characters on a create,
 * update or non-apply patch (422 on `CreateOptions`, `UpdateOptions` or `PatchOptions`); an empty
 * one is fine there (the User-Agent names the manager).
 */
export function validateFieldManager(fieldManager: string | undefined, options: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions'): void {
  const errors = fieldManagerErrors(fieldManager ?? '', 'fieldManager');
  if (errors.length > 0) throw invalid(options, 'meta.k8s.io', '', errors);
}
