/**
 * @module A framework for admission webhooks, and Flotilla's built-in ones. A `WebhookServer`
 * serves routes over HTTPS; a route's handler gets the AdmissionRequest and returns `allowed()`,
 * `denied()`, `errored()` or `patched(original, desired)` (the JSON patch is computed, never
 * hand-written). `createCa`/`issueServingCert`/`rotationNeeded` and `ensureWebhookCertificates`
 * manage certificates; `registerAdmissionCommands` adds `flotilla admission serve|certs|patch`.
 */
export { WebhookServer, type AdmissionHandler, type Route, type WebhookServerOptions } from './webhook-server.js';
export { allowed, denied, errored, patched } from './response.js';
export { decodeReview, encodeResponse, type AdmissionRequest, type AdmissionResult, type KubeObjectLike, type ReviewVersion } from './review.js';
export { caRotationNeeded, createCa, issueServingCert, rotationNeeded, serviceNames, type KeyAndCert, type RotationDecision } from './certs.js';
export { ensureWebhookCertificates, type CertsOptions, type CertsOutcome } from './cert-secret.js';
export { applyPatchFiles, type PatchOutcome } from './patch-cli.js';
export { explainResponse, reviewFor, type ReviewReport } from './review-cli.js';
export { labelInjector, injectLabel, EXCLUDE_ANNOTATION } from './webhooks/label-injector.js';
export { imageAllowlist, imageAllowed, normalizeImage, disallowedImages, validateImages } from './webhooks/image-allowlist.js';
export { sidecarInjector, sidecarAdmission, injectionRequired, injectSidecar, DEFAULT_SIDECAR_TEMPLATE, type SidecarOptions, type SidecarTemplate } from './webhooks/sidecar-injector.js';
export { registerAdmissionCommands } from './cli.js';
