/**
 * The AdmissionReview exchange, pure: the request kube sends (v1 or v1beta1), the checks it makes
 * of the response (`VerifyAdmissionResponse`), and applying a mutating webhook's JSON patch.
 */
import { isPlainObject, type KubeObject } from '../../apimachinery/object.js';
import { applyJsonPatch } from '../../apimachinery/patch.js';
import { StatusError } from '../../apimachinery/errors.js';
import { internalAdmissionError } from './errors.js';
import type { Invocation } from './matching.js';
import type { AdmissionAttributes, AdmissionResponse, AdmissionReview, Webhook } from './types.js';

/** The first AdmissionReview version the webhook accepts that kube speaks, or undefined. */
export function reviewVersionFor(hook: Webhook): 'v1' | 'v1beta1' | undefined {
  for (const v of hook.admissionReviewVersions ?? []) if (v === 'v1' || v === 'v1beta1') return v;
  return undefined;
}

/** An object as the webhook sees it: in the version the rule matched (our versions share one shape). */
function inVersion(obj: KubeObject | undefined, invocation: Invocation): KubeObject | null {
  if (!obj) return null;
  const apiVersion = invocation.kind.group ? `${invocation.kind.group}/${invocation.kind.version}` : invocation.kind.version;
  return obj.apiVersion === apiVersion || !obj.apiVersion ? obj : { ...obj, apiVersion };
}

export function buildReview(uid: string, version: 'v1' | 'v1beta1', attrs: AdmissionAttributes, invocation: Invocation): AdmissionReview {
  return {
    apiVersion: `admission.k8s.io/${version}`,
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: invocation.kind,
      resource: invocation.resource,
      ...(invocation.subresource ? { subResource: invocation.subresource } : {}),
      requestKind: attrs.kind,
      requestResource: attrs.resource,
      ...(attrs.subresource ? { requestSubResource: attrs.subresource } : {}),
      ...(attrs.name ? { name: attrs.name } : {}),
      ...(attrs.namespace ? { namespace: attrs.namespace } : {}),
      operation: attrs.operation,
      userInfo: attrs.userInfo,
      object: inVersion(attrs.object, invocation),
      oldObject: inVersion(attrs.oldObject, invocation),
      dryRun: attrs.dryRun,
      options: attrs.options ?? null,
    },
  };
}

export type VerifiedResponse = Pick<AdmissionResponse, 'allowed' | 'status' | 'warnings' | 'auditAnnotations' | 'patchType'> & { patch?: string };

/**
 * Check a decoded response body; a problem is thrown as an Error whose message kube prefixes with
 * `received invalid webhook response: `. The patch comes back decoded (bytes → JSON).
 */
export function verifyResponse(body: unknown, uid: string, version: 'v1' | 'v1beta1', mutating: boolean): VerifiedResponse {
  if (!isPlainObject(body)) throw new Error('webhook response was absent');
  const review = body as AdmissionReview;
  const response = review.response;
  if (!isPlainObject(response)) throw new Error('webhook response was absent');
  if (response.uid !== uid) throw new Error(`expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(response.uid ?? '')}`);
  // v1 checks the response's type; v1beta1 (the seed era) replied with `response` alone.
  if (version === 'v1' && (review.apiVersion !== 'admission.k8s.io/v1' || review.kind !== 'AdmissionReview')) {
    const got = review.apiVersion ?? '';
    const gv = got.includes('/') ? got : `/${got}`;
    throw new Error(`expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${gv}, Kind=${review.kind ?? ''}`);
  }
  const hasPatch = typeof response.patch === 'string' && response.patch.length > 0;
  const hasPatchType = response.patchType !== undefined && response.patchType !== null;
  let patch: string | undefined;
  if (mutating) {
    if (hasPatch && !hasPatchType) throw new Error('webhook returned response.patch but not response.patchType');
    if (!hasPatch && hasPatchType) throw new Error('webhook returned response.patchType but not response.patch');
    if (hasPatchType && response.patchType === '') throw new Error('webhook returned invalid response.patchType of ""');
    if (hasPatch) patch = decodePatchBytes(response.patch!);
  } else {
    if (hasPatch) throw new Error('validating webhook may not return response.patch');
    if (hasPatchType) throw new Error('validating webhook may not return response.patchType');
  }
  return {
    allowed: response.allowed === true,
    status: isPlainObject(response.status) ? response.status : undefined,
    warnings: Array.isArray(response.warnings) ? response.warnings.filter((w): w is string => typeof w === 'string') : undefined,
    auditAnnotations: response.auditAnnotations,
    patch,
    patchType: response.patchType,
  };
}

/** base64 → the patch text, kept as text: decoding it as JSON is the applier's job (and its error). */
function decodePatchBytes(b64: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new Error('illegal base64 data at input byte 0');
  return Buffer.from(b64, 'base64').toString('utf8');
}

/** The error text evanphx/json-patch v4 gives for an operation that does not apply. */
function patchFailure(op: Record<string, unknown> | null, cause: unknown): string {
  const kind = typeof op?.op === 'string' ? op.op : 'unknown';
  const path = typeof op?.path === 'string' ? op.path : '';
  const inner = cause instanceof StatusError && cause.cause instanceof Error ? cause.cause.message : cause instanceof Error ? cause.message : String(cause);
  if (/does not apply|Unexpected kind|invalid index|missing (path|from) field|must be object or array/.test(inner)) return inner;
  if (kind === 'test') return `testing value ${path} failed: test failed`;
  return `${kind} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`;
}

/**
 * Apply a mutating webhook's patch (`patchType: JSONPatch`) to the object. Any failure is a 500
 * (kube's `NewInternalError`), never subject to failurePolicy: the webhook answered, wrongly.
 * The patched document must still be an object of the same kind.
 */
export function applyWebhookPatch(hook: string, obj: KubeObject | undefined, patchText: string, patchType: string | undefined): KubeObject | undefined {
  if (patchType !== 'JSONPatch') throw internalAdmissionError(`unsupported patch type "${patchType ?? ''}"`);
  let ops: unknown;
  try {
    ops = JSON.parse(patchText);
  } catch (e) {
    throw internalAdmissionError(goJsonError(e as Error));
  }
  if (!Array.isArray(ops)) throw internalAdmissionError(`json: cannot unmarshal ${jsonKind(ops)} into Go value of type jsonpatch.Patch`);
  if (ops.length === 0) return obj;
  if (!obj) throw internalAdmissionError(`admission webhook "${hook}" attempted to modify the object, which is not supported for this operation`);
  let patched: KubeObject = obj;
  for (const op of ops) {
    try {
      patched = applyJsonPatch(patched, [op]) as KubeObject;
    } catch (e) {
      throw internalAdmissionError(patchFailure(isPlainObject(op) ? op : null, e));
    }
  }
  const problem = decodeProblem(patched, obj);
  if (problem) throw internalAdmissionError(problem);
  return patched;
}

/** What decoding the patched JSON back into the kind would reject (a patch that broke the object). */
function decodeProblem(patched: unknown, original: KubeObject): string | undefined {
  if (!isPlainObject(patched)) return `json: cannot unmarshal ${jsonKind(patched)} into Go value of type struct`;
  if (patched.metadata !== undefined && !isPlainObject(patched.metadata)) {
    return `json: cannot unmarshal ${jsonKind(patched.metadata)} into Go struct field .metadata of type v1.ObjectMeta`;
  }
  for (const field of ['labels', 'annotations'] as const) {
    const v = patched.metadata?.[field];
    if (v === undefined || v === null) continue;
    if (!isPlainObject(v)) return `json: cannot unmarshal ${jsonKind(v)} into Go struct field ObjectMeta.metadata.${field} of type map[string]string`;
    for (const item of Object.values(v)) {
      if (typeof item !== 'string') return `json: cannot unmarshal ${jsonKind(item)} into Go struct field ObjectMeta.metadata.${field} of type string`;
    }
  }
  if (patched.kind !== original.kind || patched.apiVersion !== original.apiVersion) {
    return `the patched object has kind ${String(patched.apiVersion)}/${String(patched.kind)}, expected ${String(original.apiVersion)}/${String(original.kind)}`;
  }
  return undefined;
}

function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

/** encoding/json's syntax error wording, roughly: the common case is invalid leading text. */
function goJsonError(e: Error): string {
  const m = /Unexpected token '?(.)'?/.exec(e.message);
  if (m) return `invalid character '${m[1]}' looking for beginning of value`;
  return 'unexpected end of JSON input';
}
