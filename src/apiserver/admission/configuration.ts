/**
 * MutatingWebhookConfiguration and ValidatingWebhookConfiguration as kube-apiserver serves them:
 * the defaults of each version (v1, and the v1beta1 of 2018-era manifests, whose defaults differ),
 * the validation a create or update must pass, and the v1beta1 resources, served from v1 storage.
 */
import { badRequest, fieldError, type FieldError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { ResourceType } from '../../apimachinery/resource-type.js';
import { ALL_VERBS } from '../../apimachinery/resource-type.js';
import { apiVersionRewrite, type Conversion } from '../conversion.js';
import type { Strategy } from '../strategy.js';

export const ADMISSION_GROUP = 'admissionregistration.k8s.io';
export const MUTATING_KIND = 'MutatingWebhookConfiguration';
export const VALIDATING_KIND = 'ValidatingWebhookConfiguration';

/** Per-version defaults (admissionregistration v1 and v1beta1 `SetDefaults_*`). */
const VERSION_DEFAULTS = {
  v1: { failurePolicy: 'Fail', matchPolicy: 'Equivalent', timeoutSeconds: 10 },
  v1beta1: { failurePolicy: 'Ignore', matchPolicy: 'Exact', timeoutSeconds: 30, sideEffects: 'Unknown', admissionReviewVersions: ['v1beta1'] },
} as const;

/** Fill a configuration's defaults in place, by the version it is written in. */
export function defaultWebhookConfiguration(obj: KubeObject): void {
  const version = obj.apiVersion === `${ADMISSION_GROUP}/v1beta1` ? 'v1beta1' : 'v1';
  const d = VERSION_DEFAULTS[version];
  const mutating = obj.kind === MUTATING_KIND;
  if (!Array.isArray(obj.webhooks)) return;
  for (const hook of obj.webhooks as Array<Record<string, any>>) {
    if (!hook || typeof hook !== 'object') continue;
    hook.failurePolicy ??= d.failurePolicy;
    hook.matchPolicy ??= d.matchPolicy;
    hook.namespaceSelector ??= {};
    hook.objectSelector ??= {};
    hook.timeoutSeconds ??= d.timeoutSeconds;
    if ('sideEffects' in d) hook.sideEffects ??= d.sideEffects;
    if ('admissionReviewVersions' in d && (!Array.isArray(hook.admissionReviewVersions) || hook.admissionReviewVersions.length === 0)) {
      hook.admissionReviewVersions = [...d.admissionReviewVersions];
    }
    if (mutating) hook.reinvocationPolicy ??= 'Never';
    for (const rule of Array.isArray(hook.rules) ? hook.rules : []) if (rule && typeof rule === 'object') rule.scope ??= '*';
    const service = hook.clientConfig?.service;
    if (service && typeof service === 'object') service.port ??= 443;
  }
}

const OPERATIONS = ['*', 'CREATE', 'UPDATE', 'DELETE', 'CONNECT'];
const SCOPES = ['*', 'Cluster', 'Namespaced'];

/**
 * The checks of kube's ValidateMutatingWebhookConfiguration / ValidateValidatingWebhookConfiguration
 * that decide whether a webhook can be called at all (field paths and wording as upstream).
 */
export function validateWebhookConfiguration(obj: KubeObject): FieldError[] {
  const v1 = obj.apiVersion !== `${ADMISSION_GROUP}/v1beta1`;
  const errors: FieldError[] = [];
  const hooks = obj.webhooks;
  if (hooks === undefined || hooks === null) return errors;
  if (!Array.isArray(hooks)) return [fieldError.invalid('webhooks', hooks, 'must be a list')];
  const seen = new Set<string>();
  hooks.forEach((hook: Record<string, any>, i: number) => {
    const at = `webhooks[${i}]`;
    if (!hook || typeof hook !== 'object') {
      errors.push(fieldError.invalid(at, hook, 'must be an object'));
      return;
    }
    if (!hook.name) errors.push(fieldError.required(`${at}.name`));
    else {
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(hook.name)) {
        errors.push(fieldError.invalid(`${at}.name`, hook.name, 'should be a domain with at least three segments separated by dots'));
      }
      if (v1 && seen.has(hook.name)) errors.push(fieldError.duplicate(`${at}.name`, hook.name));
      seen.add(hook.name);
    }
    errors.push(...validateClientConfig(hook.clientConfig, `${at}.clientConfig`));
    (Array.isArray(hook.rules) ? hook.rules : []).forEach((rule: Record<string, any>, j: number) => {
      const rat = `${at}.rules[${j}]`;
      if (!Array.isArray(rule?.operations) || rule.operations.length === 0) errors.push(fieldError.required(`${rat}.operations`));
      else for (const [k, op] of rule.operations.entries()) if (!OPERATIONS.includes(op)) errors.push(fieldError.notSupported(`${rat}.operations[${k}]`, op, OPERATIONS));
      if (!Array.isArray(rule?.apiGroups) || rule.apiGroups.length === 0) errors.push(fieldError.required(`${rat}.apiGroups`));
      if (!Array.isArray(rule?.apiVersions) || rule.apiVersions.length === 0) errors.push(fieldError.required(`${rat}.apiVersions`));
      if (!Array.isArray(rule?.resources) || rule.resources.length === 0) errors.push(fieldError.required(`${rat}.resources`));
      if (rule?.scope !== undefined && !SCOPES.includes(rule.scope)) errors.push(fieldError.notSupported(`${rat}.scope`, rule.scope, SCOPES));
    });
    if (hook.failurePolicy !== undefined && !['Fail', 'Ignore'].includes(hook.failurePolicy)) {
      errors.push(fieldError.notSupported(`${at}.failurePolicy`, hook.failurePolicy, ['Fail', 'Ignore']));
    }
    if (hook.matchPolicy !== undefined && !['Equivalent', 'Exact'].includes(hook.matchPolicy)) {
      errors.push(fieldError.notSupported(`${at}.matchPolicy`, hook.matchPolicy, ['Equivalent', 'Exact']));
    }
    const sideEffects = v1 ? ['None', 'NoneOnDryRun'] : ['None', 'NoneOnDryRun', 'Some', 'Unknown'];
    if (hook.sideEffects === undefined) {
      if (v1) errors.push(fieldError.notSupported(`${at}.sideEffects`, '', sideEffects));
    } else if (!sideEffects.includes(hook.sideEffects)) errors.push(fieldError.notSupported(`${at}.sideEffects`, hook.sideEffects, sideEffects));
    if (hook.timeoutSeconds !== undefined && (!Number.isInteger(hook.timeoutSeconds) || hook.timeoutSeconds < 1 || hook.timeoutSeconds > 30)) {
      errors.push(fieldError.invalid(`${at}.timeoutSeconds`, hook.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'));
    }
    const versions = hook.admissionReviewVersions;
    if (v1 && (!Array.isArray(versions) || versions.length === 0)) {
      errors.push(fieldError.required(`${at}.admissionReviewVersions`, 'must specify one of v1, v1beta1'));
    } else if (Array.isArray(versions) && !versions.some((v: string) => v === 'v1' || v === 'v1beta1')) {
      errors.push(fieldError.invalid(`${at}.admissionReviewVersions`, versions, 'must include at least one of v1, v1beta1'));
    }
    // Refused loudly rather than ignored: a webhook would otherwise be called for requests its conditions exclude.
    if (Array.isArray(hook.matchConditions) && hook.matchConditions.length > 0) {
      errors.push(fieldError.forbidden(`${at}.matchConditions`, 'matchConditions (CEL expressions) are not supported by this server'));
    }
    if (hook.reinvocationPolicy !== undefined && obj.kind === MUTATING_KIND && !['Never', 'IfNeeded'].includes(hook.reinvocationPolicy)) {
      errors.push(fieldError.notSupported(`${at}.reinvocationPolicy`, hook.reinvocationPolicy, ['Never', 'IfNeeded']));
    }
  });
  return errors;
}

function validateClientConfig(cc: Record<string, any> | undefined, at: string): FieldError[] {
  if (!cc || typeof cc !== 'object' || (cc.url === undefined && cc.service === undefined)) {
    return [fieldError.required(at, 'exactly one of url or service is required')];
  }
  if (cc.url !== undefined && cc.service !== undefined) return [fieldError.required(at, 'exactly one of url or service is required')];
  const errors: FieldError[] = [];
  if (cc.url !== undefined) {
    let u: URL | undefined;
    try {
      u = new URL(String(cc.url));
    } catch {
      errors.push(fieldError.invalid(`${at}.url`, cc.url, 'host must be specified'));
    }
    if (u) {
      if (u.protocol !== 'https:') errors.push(fieldError.invalid(`${at}.url`, cc.url, "'https' is the only allowed URL scheme"));
      if (u.username || u.password) errors.push(fieldError.invalid(`${at}.url`, cc.url, 'user information is not permitted in the URL'));
      if (u.hash) errors.push(fieldError.invalid(`${at}.url`, cc.url, 'fragments are not permitted in the URL'));
      if (u.search) errors.push(fieldError.invalid(`${at}.url`, cc.url, 'query parameters are not permitted in the URL'));
    }
  } else {
    const s = cc.service;
    if (!s?.name) errors.push(fieldError.required(`${at}.service.name`, 'service name is required'));
    if (!s?.namespace) errors.push(fieldError.required(`${at}.service.namespace`, 'service namespace is required'));
    if (s?.path !== undefined && !String(s.path).startsWith('/')) errors.push(fieldError.invalid(`${at}.service.path`, s.path, "must start with a '/'"));
    if (s?.port !== undefined && (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535)) {
      errors.push(fieldError.invalid(`${at}.service.port`, s.port, 'port is not valid: must be between 1 and 65535, inclusive'));
    }
  }
  if (cc.caBundle !== undefined && (typeof cc.caBundle !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(cc.caBundle))) {
    errors.push(fieldError.invalid(`${at}.caBundle`, '<redacted>', 'illegal base64 data'));
  }
  return errors;
}

/**
 * caBundle is bytes (base64 in JSON): text that is not base64, such as the seed's unsubstituted
 * `${CA_BUNDLE}`, fails decoding before anything else, as kube's JSON decoder fails it.
 */
export function checkCaBundles(obj: KubeObject): void {
  for (const hook of Array.isArray(obj.webhooks) ? obj.webhooks : []) {
    const bundle = hook?.clientConfig?.caBundle;
    if (typeof bundle !== 'string') continue;
    const bad = bundle.search(/[^A-Za-z0-9+/=]/);
    if (bad >= 0) {
      const version = String(obj.apiVersion ?? '').split('/')[1] ?? '';
      throw badRequest(`${obj.kind} in version "${version}" cannot be handled as a ${obj.kind}: illegal base64 data at input byte ${bad}`);
    }
  }
}

/** The strategy both configuration kinds share (the version is read from the object). */
export const webhookConfigurationStrategy: Strategy = {
  defaults(obj) {
    checkCaBundles(obj);
    defaultWebhookConfiguration(obj);
  },
  validate: validateWebhookConfiguration,
};

function v1beta1(kind: string, plural: string): ResourceType {
  return {
    group: ADMISSION_GROUP,
    version: 'v1beta1',
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced: false,
    shortNames: [],
    categories: ['api-extensions'],
    verbs: ALL_VERBS,
    subresources: [],
    generation: true,
  };
}

/**
 * admissionregistration.k8s.io/v1beta1 (removed from kube in 1.22, served here so the seed's
 * manifests apply unchanged). Its objects live in v1 storage, with the defaults of v1beta1.
 */
export const ADMISSION_V1BETA1_RESOURCES: readonly ResourceType[] = [
  v1beta1(MUTATING_KIND, 'mutatingwebhookconfigurations'),
  v1beta1(VALIDATING_KIND, 'validatingwebhookconfigurations'),
];

export const ADMISSION_V1BETA1_CONVERSIONS: ReadonlyArray<[string, Conversion]> = ADMISSION_V1BETA1_RESOURCES.map((rt) => [
  `${rt.group}/${rt.version}/${rt.kind}`,
  apiVersionRewrite({ group: ADMISSION_GROUP, plural: rt.plural, apiVersion: `${ADMISSION_GROUP}/v1`, kind: rt.kind }, `${ADMISSION_GROUP}/v1beta1`),
]);
