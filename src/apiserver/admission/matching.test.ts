import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { matchRules, namespaceSelectorMatches, objectSelectorMatches, ruleMatches, shouldCall, type Equivalent } from './index.js';
import type { AdmissionAttributes, RuleWithOperations, Webhook } from './index.js';

type Over = Partial<Omit<AdmissionAttributes, 'resource'>> & { group?: string; version?: string; resource?: string };

function attrs(over: Over = {}): AdmissionAttributes {
  const { group = '', version = 'v1', resource = 'pods', ...rest } = over;
  return {
    operation: 'CREATE',
    kind: { group, version, kind: 'Pod' },
    resource: { group, version, resource },
    subresource: '',
    namespace: 'team-a',
    name: 'p',
    object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'web' } } },
    dryRun: false,
    userInfo: { username: 'system:admin', groups: [] },
    ...rest,
  };
}

const podsRule: RuleWithOperations = { operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: '*' };

describe('ruleMatches', () => {
  const cases: Record<string, { rule: RuleWithOperations; attrs: AdmissionAttributes; want: boolean }> = {
    'exact resource': { rule: podsRule, attrs: attrs(), want: true },
    'other operation': { rule: podsRule, attrs: attrs({ operation: 'UPDATE' }), want: false },
    'operation *': { rule: { ...podsRule, operations: ['*'] }, attrs: attrs({ operation: 'DELETE' }), want: true },
    'other group': { rule: podsRule, attrs: attrs({ group: 'apps', resource: 'pods' }), want: false },
    'other version': { rule: podsRule, attrs: attrs({ version: 'v2' }), want: false },
    'pods does not cover pods/status': { rule: podsRule, attrs: attrs({ subresource: 'status' }), want: false },
    'pods/status covers the status subresource': { rule: { ...podsRule, resources: ['pods/status'] }, attrs: attrs({ subresource: 'status' }), want: true },
    '* covers every resource': { rule: { ...podsRule, resources: ['*'] }, attrs: attrs({ resource: 'configmaps' }), want: true },
    '* does not cover subresources': { rule: { ...podsRule, resources: ['*'] }, attrs: attrs({ subresource: 'status' }), want: false },
    '*/scale covers scale of anything': { rule: { ...podsRule, apiGroups: ['*'], resources: ['*/scale'] }, attrs: attrs({ group: 'apps', resource: 'deployments', subresource: 'scale' }), want: true },
    '*/scale does not cover status': { rule: { ...podsRule, resources: ['*/scale'] }, attrs: attrs({ subresource: 'status' }), want: false },
    '*/* covers everything': { rule: { ...podsRule, resources: ['*/*'] }, attrs: attrs({ subresource: 'status' }), want: true },
    'pods/* covers pods and its subresources': { rule: { ...podsRule, resources: ['pods/*'] }, attrs: attrs({ subresource: 'log' }), want: true },
    'Namespaced scope: namespaced object': { rule: { ...podsRule, scope: 'Namespaced' }, attrs: attrs(), want: true },
    'Cluster scope: namespaced object': { rule: { ...podsRule, scope: 'Cluster' }, attrs: attrs(), want: false },
    'Cluster scope: a Namespace (its own name as namespace)': {
      rule: { operations: ['*'], apiGroups: [''], apiVersions: ['v1'], resources: ['namespaces'], scope: 'Cluster' },
      attrs: attrs({ resource: 'namespaces', namespace: 'team-a' }),
      want: true,
    },
    'Namespaced scope: a Namespace is cluster-scoped': {
      rule: { operations: ['*'], apiGroups: [''], apiVersions: ['v1'], resources: ['namespaces'], scope: 'Namespaced' },
      attrs: attrs({ resource: 'namespaces', namespace: 'team-a' }),
      want: false,
    },
    'Cluster scope: a cluster-scoped object': { rule: { ...podsRule, resources: ['nodes'], scope: 'Cluster' }, attrs: attrs({ resource: 'nodes', namespace: '' }), want: true },
  };
  for (const [name, c] of Object.entries(cases)) test(name, () => assert.equal(ruleMatches(c.rule, c.attrs, c.attrs.resource), c.want));
});

describe('matchPolicy', () => {
  const eq: Equivalent[] = [{ resource: { group: 'admissionregistration.k8s.io', version: 'v1beta1', resource: 'mutatingwebhookconfigurations' }, kind: { group: 'admissionregistration.k8s.io', version: 'v1beta1', kind: 'MutatingWebhookConfiguration' } }];
  const request = attrs({ group: 'admissionregistration.k8s.io', version: 'v1', resource: 'mutatingwebhookconfigurations', namespace: '' });
  const hook = (matchPolicy: string): Webhook => ({
    name: 'h.example.com',
    clientConfig: {},
    matchPolicy,
    rules: [{ operations: ['*'], apiGroups: ['admissionregistration.k8s.io'], apiVersions: ['v1beta1'], resources: ['mutatingwebhookconfigurations'] }],
  });
  test('Exact: a rule for another version does not match', () => assert.equal(matchRules(hook('Exact'), request, eq), undefined));
  test('Equivalent: called with the version the rule names', () => {
    const inv = matchRules(hook('Equivalent'), request, eq);
    assert.deepEqual(inv?.resource, eq[0].resource);
    assert.deepEqual(inv?.kind, eq[0].kind);
  });
});

describe('namespaceSelector', () => {
  const hook: Webhook = { name: 'h.example.com', clientConfig: {}, namespaceSelector: { matchLabels: { 'mwc-example': 'enabled' } } };
  const cases: Record<string, { attrs: AdmissionAttributes; nsLabels?: Record<string, string>; want: boolean }> = {
    'namespace labelled': { attrs: attrs(), nsLabels: { 'mwc-example': 'enabled' }, want: true },
    'namespace not labelled': { attrs: attrs(), nsLabels: { other: 'x' }, want: false },
    'cluster-scoped object always matches': { attrs: attrs({ resource: 'nodes', namespace: '' }), want: true },
    'a Namespace being created: its own labels': {
      attrs: attrs({ resource: 'namespaces', namespace: 'n', object: { metadata: { name: 'n', labels: { 'mwc-example': 'enabled' } } } }),
      want: true,
    },
    'a Namespace being created without the label': { attrs: attrs({ resource: 'namespaces', namespace: 'n', object: { metadata: { name: 'n' } } }), want: false },
    'a Namespace being deleted: its stored labels': { attrs: attrs({ resource: 'namespaces', namespace: 'n', operation: 'DELETE', object: undefined }), nsLabels: { 'mwc-example': 'enabled' }, want: true },
  };
  for (const [name, c] of Object.entries(cases)) test(name, () => assert.equal(namespaceSelectorMatches(hook, c.attrs, c.nsLabels), c.want));
  test('an empty selector matches everything', () => assert.equal(namespaceSelectorMatches({ ...hook, namespaceSelector: {} }, attrs(), {}), true));
  test('matchExpressions NotIn (Istio’s default-on form)', () => {
    const istio: Webhook = { ...hook, namespaceSelector: { matchExpressions: [{ key: 'istio-injection', operator: 'NotIn', values: ['disabled'] }] } };
    assert.equal(namespaceSelectorMatches(istio, attrs(), {}), true);
    assert.equal(namespaceSelectorMatches(istio, attrs(), { 'istio-injection': 'disabled' }), false);
  });
});

describe('objectSelector', () => {
  const hook: Webhook = { name: 'h.example.com', clientConfig: {}, objectSelector: { matchLabels: { app: 'web' } } };
  test('the new object matches', () => assert.equal(objectSelectorMatches(hook, attrs()), true));
  test('only the old object matches (an update removing the label)', () =>
    assert.equal(objectSelectorMatches(hook, { object: { metadata: {} }, oldObject: { metadata: { labels: { app: 'web' } } } }), true));
  test('neither matches', () => assert.equal(objectSelectorMatches(hook, { object: { metadata: { labels: { app: 'db' } } } }), false));
  test('DELETE: the old object decides', () => assert.equal(objectSelectorMatches(hook, { object: undefined, oldObject: { metadata: { labels: { app: 'web' } } } }), true));
});

describe('shouldCall', () => {
  const hook: Webhook = { name: 'h.example.com', clientConfig: {}, rules: [podsRule], namespaceSelector: { matchLabels: { on: 'yes' } }, objectSelector: {} };
  test('selectors and rules all match', () => assert.ok(shouldCall(hook, attrs(), { on: 'yes' })));
  test('namespace selector fails first', () => assert.equal(shouldCall(hook, attrs(), {}), undefined));
  test('rules fail', () => assert.equal(shouldCall(hook, attrs({ operation: 'DELETE' }), { on: 'yes' }), undefined));
});
