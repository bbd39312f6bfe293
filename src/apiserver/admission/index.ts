/**
 * @module Admission webhooks, API server side: MutatingWebhookConfiguration and
 * ValidatingWebhookConfiguration (v1, and v1beta1 served from v1 storage with its own defaults),
 * matching (rules, scope, matchPolicy, namespace and object selectors), calling (URL or service
 * endpoint over HTTPS, caBundle, timeouts, failurePolicy, dry run, review versions, reinvocation)
 * and kube-apiserver's error wording. `WebhookAdmission.forRequest()` gives the store its two
 * admission steps for one request.
 */
export { WebhookAdmission, ADMIN_USER, viewedAs, type AdmissionRequestInfo } from './dispatcher.js';
export {
  ADMISSION_V1BETA1_CONVERSIONS,
  ADMISSION_V1BETA1_RESOURCES,
  ADMISSION_GROUP,
  MUTATING_KIND,
  VALIDATING_KIND,
  defaultWebhookConfiguration,
  validateWebhookConfiguration,
  webhookConfigurationStrategy,
} from './configuration.js';
export { matchRules, namespaceSelectorMatches, objectSelectorMatches, ruleMatches, shouldCall, type Equivalent, type Invocation } from './matching.js';
export { applyWebhookPatch, buildReview, reviewVersionFor, verifyResponse } from './review.js';
export { CallingWebhookError, deniedError, dryRunUnsupported } from './errors.js';
export type * from './types.js';
