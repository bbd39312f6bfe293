/**
 * Which webhooks a request calls, as kube's webhook dispatcher decides (`rules.Matcher`,
 * `namespace.Matcher`, `object.Matcher`, `ShouldCallHook`): pure functions of plain data.
 */
import { labelSelectorFromObject, type LabelSelectorObject } from '../../apimachinery/label-selector.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { AdmissionAttributes, GroupVersionKind, GroupVersionResource, RuleWithOperations, Webhook } from './types.js';

/** `pods` → [`pods`, ``]; `pods/status` → [`pods`, `status`]; `*\/*` → [`*`, `*`]. */
function splitResource(r: string): [string, string] {
  const slash = r.indexOf('/');
  return slash < 0 ? [r, ''] : [r.slice(0, slash), r.slice(slash + 1)];
}

function has(list: readonly string[] | undefined, value: string): boolean {
  return (list ?? []).some((v) => v === '*' || v === value);
}

/** Whether one rule covers the request, for the resource as named in `gvr`. */
export function ruleMatches(rule: RuleWithOperations, attrs: Pick<AdmissionAttributes, 'operation' | 'subresource' | 'namespace'>, gvr: GroupVersionResource): boolean {
  if (!has(rule.operations, attrs.operation)) return false;
  if (!has(rule.apiGroups, gvr.group)) return false;
  if (!has(rule.apiVersions, gvr.version)) return false;
  const resourceMatch = (rule.resources ?? []).some((r) => {
    const [res, sub] = splitResource(r);
    return (res === '*' || res === gvr.resource) && (sub === '*' || sub === attrs.subresource);
  });
  if (!resourceMatch) return false;
  return scopeMatches(rule.scope, attrs, gvr);
}

function scopeMatches(scope: string | undefined, attrs: Pick<AdmissionAttributes, 'namespace'>, gvr: GroupVersionResource): boolean {
  if (scope === undefined || scope === '*') return true;
  // A Namespace is cluster-scoped even though its requests carry its own name as the namespace.
  const isNamespace = gvr.group === '' && gvr.resource === 'namespaces';
  if (scope === 'Namespaced') return !isNamespace && attrs.namespace !== '';
  if (scope === 'Cluster') return isNamespace || attrs.namespace === '';
  return false;
}

/** The resource and kind a webhook is called with: the request's own, or an equivalent under matchPolicy Equivalent. */
export interface Invocation {
  resource: GroupVersionResource;
  kind: GroupVersionKind;
  subresource: string;
}

/** Another version (or group) serving the same objects, for matchPolicy Equivalent. */
export interface Equivalent {
  resource: GroupVersionResource;
  kind: GroupVersionKind;
}

/** Rules only (no selectors): the invocation, or undefined when no rule matches. */
export function matchRules(hook: Webhook, attrs: AdmissionAttributes, equivalents: readonly Equivalent[] | (() => readonly Equivalent[]) = []): Invocation | undefined {
  const rules = hook.rules ?? [];
  if (rules.some((r) => ruleMatches(r, attrs, attrs.resource))) {
    return { resource: attrs.resource, kind: attrs.kind, subresource: attrs.subresource };
  }
  if (hook.matchPolicy !== 'Equivalent') return undefined;
  // Looked up only now: most requests match (or not) on their own resource.
  for (const eq of typeof equivalents === 'function' ? equivalents() : equivalents) {
    if (rules.some((r) => ruleMatches(r, attrs, eq.resource))) return { resource: eq.resource, kind: eq.kind, subresource: attrs.subresource };
  }
  return undefined;
}

function isEmptySelector(sel: LabelSelectorObject | undefined): boolean {
  return !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
}

/** Whether the webhook needs the namespace's labels to decide (so the caller reads them only then). */
export function needsNamespaceLabels(hook: Webhook, attrs: AdmissionAttributes): boolean {
  if (isEmptySelector(hook.namespaceSelector)) return false;
  if (attrs.namespace === '' && !isNamespaceRequest(attrs)) return false;
  return !(isNamespaceRequest(attrs) && (attrs.operation === 'CREATE' || attrs.operation === 'UPDATE'));
}

function isNamespaceRequest(attrs: AdmissionAttributes): boolean {
  return attrs.resource.group === '' && attrs.resource.resource === 'namespaces' && attrs.subresource === '';
}

/**
 * namespaceSelector: cluster-scoped objects (other than Namespaces) always match; a Namespace
 * being created or updated is judged by its own new labels; anything else by the labels of its
 * namespace (`namespaceLabels`, read by the caller when `needsNamespaceLabels`).
 */
export function namespaceSelectorMatches(hook: Webhook, attrs: AdmissionAttributes, namespaceLabels: Record<string, string> | undefined): boolean {
  if (isEmptySelector(hook.namespaceSelector)) return true;
  if (attrs.namespace === '' && !isNamespaceRequest(attrs)) return true;
  const selector = labelSelectorFromObject(hook.namespaceSelector);
  if (isNamespaceRequest(attrs) && (attrs.operation === 'CREATE' || attrs.operation === 'UPDATE')) {
    return selector.matches(attrs.object?.metadata?.labels ?? {});
  }
  return selector.matches(namespaceLabels ?? {});
}

/** objectSelector: matches when the new object or the old object has matching labels. */
export function objectSelectorMatches(hook: Webhook, attrs: Pick<AdmissionAttributes, 'object' | 'oldObject'>): boolean {
  if (isEmptySelector(hook.objectSelector)) return true;
  const selector = labelSelectorFromObject(hook.objectSelector);
  const matches = (o: KubeObject | undefined) => o !== undefined && selector.matches(o.metadata?.labels ?? {});
  return matches(attrs.object) || matches(attrs.oldObject);
}

/** The whole decision (ShouldCallHook): selectors, then rules. Undefined means "do not call". */
export function shouldCall(
  hook: Webhook,
  attrs: AdmissionAttributes,
  namespaceLabels: Record<string, string> | undefined,
  equivalents: readonly Equivalent[] | (() => readonly Equivalent[]) = [],
): Invocation | undefined {
  if (!namespaceSelectorMatches(hook, attrs, namespaceLabels)) return undefined;
  if (!objectSelectorMatches(hook, attrs)) return undefined;
  return matchRules(hook, attrs, equivalents);
}
