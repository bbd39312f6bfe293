/**
 * AdmissionReview for webhook authors: decode the request kube sends (admission.k8s.io/v1 or
 * v1beta1) and encode the reply in the same version. Pure.
 */
import type { Operation as PatchOperation } from 'fast-json-patch';

export type ReviewVersion = 'v1' | 'v1beta1';

export interface KubeObjectLike {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; generateName?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

export interface AdmissionRequest {
  uid: string;
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  userInfo?: { username?: string; groups?: string[] };
  object?: KubeObjectLike | null;
  oldObject?: KubeObjectLike | null;
  dryRun?: boolean;
  options?: unknown;
}

/** What a handler decides; build it with `allowed()`, `denied()`, `patched()` or `errored()`. */
export type AdmissionResult =
  | { allowed: true; patch?: PatchOperation[]; warnings?: string[] }
  | { allowed: false; code: number; reason?: string; message: string; warnings?: string[] };

export type DecodedReview = { ok: true; version: ReviewVersion; request: AdmissionRequest } | { ok: false; version: ReviewVersion; uid: string; message: string };

/** Decode a request body; a body kube would never send comes back as `ok: false` with the reason. */
export function decodeReview(body: string): DecodedReview {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (e) {
    return { ok: false, version: 'v1', uid: '', message: `couldn't decode AdmissionReview: ${(e as Error).message}` };
  }
  const review = parsed as { apiVersion?: string; kind?: string; request?: AdmissionRequest };
  const version: ReviewVersion = review?.apiVersion === 'admission.k8s.io/v1beta1' ? 'v1beta1' : 'v1';
  if (!review || typeof review !== 'object' || (review.apiVersion !== 'admission.k8s.io/v1' && review.apiVersion !== 'admission.k8s.io/v1beta1')) {
    return { ok: false, version, uid: '', message: `unsupported AdmissionReview version ${JSON.stringify(review?.apiVersion ?? '')}: expected admission.k8s.io/v1 or admission.k8s.io/v1beta1` };
  }
  if (review.kind !== 'AdmissionReview') return { ok: false, version, uid: '', message: `expected kind AdmissionReview, got ${JSON.stringify(review.kind ?? '')}` };
  const request = review.request;
  if (!request || typeof request !== 'object' || typeof request.uid !== 'string') return { ok: false, version, uid: '', message: 'AdmissionReview has no request' };
  return { ok: true, version, request };
}

/** The reply: same version as the request, `uid` echoed, the patch as base64 with its type. */
export function encodeResponse(version: ReviewVersion, uid: string, result: AdmissionResult): string {
  const response: Record<string, unknown> = { uid, allowed: result.allowed };
  if (result.allowed) {
    if (result.patch && result.patch.length > 0) {
      response.patch = Buffer.from(JSON.stringify(result.patch)).toString('base64');
      response.patchType = 'JSONPatch';
    }
  } else {
    response.status = { status: 'Failure', code: result.code, message: result.message, ...(result.reason ? { reason: result.reason } : {}) };
  }
  if (result.warnings && result.warnings.length > 0) response.warnings = result.warnings;
  return JSON.stringify({ apiVersion: `admission.k8s.io/${version}`, kind: 'AdmissionReview', response });
}
