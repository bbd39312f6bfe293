import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResourceType } from '../apimachinery/resource-type.js';
import { BUILTIN_RESOURCES } from './builtin-resources.js';
import { compareKubeVersions, ResourceRegistry } from './registry.js';

function customResource(group: string, version: string, kind: string, plural: string): ResourceType {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    namespaced: true,
    shortNames: [],
    categories: [],
    verbs: ['get', 'list'],
    subresources: [],
    generation: true,
  };
}

test('lookup by group, version and plural', () => {
  const registry = new ResourceRegistry(BUILTIN_RESOURCES);
  const cases: Record<string, { at: [string, string, string]; want?: { kind: string; namespaced: boolean } }> = {
    'core pods': { at: ['', 'v1', 'pods'], want: { kind: 'Pod', namespaced: true } },
    'core namespaces are cluster-scoped': { at: ['', 'v1', 'namespaces'], want: { kind: 'Namespace', namespaced: false } },
    'apps deployments': { at: ['apps', 'v1', 'deployments'], want: { kind: 'Deployment', namespaced: true } },
    'events.k8s.io events': { at: ['events.k8s.io', 'v1', 'events'], want: { kind: 'Event', namespaced: true } },
    'pods are not in apps': { at: ['apps', 'v1', 'pods'] },
    'deployments are not in core': { at: ['', 'v1', 'deployments'] },
    'unserved version': { at: ['apps', 'v1beta1', 'deployments'] },
    'kind is not a plural': { at: ['', 'v1', 'Pod'] },
  };
  for (const [name, { at, want }] of Object.entries(cases)) {
    const rt = registry.lookup(...at);
    if (!want) {
      assert.equal(rt, undefined, name);
      continue;
    }
    assert.ok(rt, name);
    assert.deepEqual({ kind: rt.kind, namespaced: rt.namespaced }, want, name);
  }
  assert.equal(registry.byKind('apps', 'v1', 'Deployment')?.plural, 'deployments');
  assert.equal(registry.byKind('', 'v1', 'Deployment'), undefined);
});

test('built-in resources advertise what kube-apiserver advertises', () => {
  const registry = new ResourceRegistry(BUILTIN_RESOURCES);
  const deployments = registry.lookup('apps', 'v1', 'deployments')!;
  assert.deepEqual(deployments.shortNames, ['deploy']);
  assert.deepEqual(deployments.categories, ['all']);
  assert.deepEqual(
    deployments.subresources.map((s) => [s.name, s.group, s.version, s.kind]),
    [
      ['status', 'apps', 'v1', 'Deployment'],
      ['scale', 'autoscaling', 'v1', 'Scale'],
    ],
  );
  assert.deepEqual(registry.lookup('', 'v1', 'pods')!.shortNames, ['po']);
  assert.deepEqual(registry.lookup('', 'v1', 'services')!.shortNames, ['svc']);
  // Namespaces cannot be deleted as a collection.
  assert.ok(!registry.lookup('', 'v1', 'namespaces')!.verbs.includes('deletecollection'));
  assert.ok(registry.lookup('', 'v1', 'configmaps')!.verbs.includes('deletecollection'));
});

/**
 * kube-apiserver's discovery order (kube-aggregator apiVersionPriorities: highest group priority
 * first, ties by name). Built-in groups must keep this relative order, whichever of them we serve.
 */
const KUBE_GROUP_ORDER = [
  '',
  'apps',
  'events.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'autoscaling',
  'batch',
  'certificates.k8s.io',
  'networking.k8s.io',
  'policy',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'admissionregistration.k8s.io',
  'apiextensions.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'node.k8s.io',
  'discovery.k8s.io',
  'flowcontrol.apiserver.k8s.io',
];

test('discovery lists core first, then groups in kube-apiserver order, custom groups last by name', () => {
  const registry = new ResourceRegistry(BUILTIN_RESOURCES);
  registry.add(customResource('zeta.example.com', 'v1', 'Zeta', 'zetas'));
  registry.add(customResource('acme.io', 'v1', 'Widget', 'widgets'));
  const groups = registry.groupVersions().map((g) => g.group);
  const builtin = groups.filter((g) => KUBE_GROUP_ORDER.includes(g));
  const served = new Set(BUILTIN_RESOURCES.map((r) => r.group));
  assert.deepEqual(builtin, KUBE_GROUP_ORDER.filter((g) => served.has(g)));
  assert.deepEqual(groups.slice(0, 3), ['', 'apps', 'events.k8s.io']);
  assert.deepEqual(groups.slice(builtin.length), ['acme.io', 'zeta.example.com', 'metrics.k8s.io'], 'metrics-server’s group after custom ones, as its APIService ranks');
});

test('versions of a group are listed preferred first', () => {
  const registry = new ResourceRegistry([]);
  for (const v of ['v1alpha1', 'v1', 'v1beta1', 'v2beta1']) registry.add(customResource('acme.io', v, 'Widget', 'widgets'));
  assert.deepEqual(registry.groupVersions(), [{ group: 'acme.io', versions: ['v1', 'v2beta1', 'v1beta1', 'v1alpha1'] }]);
});

test('resources in a group-version, sorted by plural; removal', () => {
  const registry = new ResourceRegistry(BUILTIN_RESOURCES);
  assert.deepEqual(
    registry.resourcesIn('batch', 'v1').map((r) => r.plural),
    ['cronjobs', 'jobs'],
  );
  const widgets = customResource('acme.io', 'v1', 'Widget', 'widgets');
  registry.add(widgets);
  assert.equal(registry.lookup('acme.io', 'v1', 'widgets')?.kind, 'Widget');
  registry.remove(widgets);
  assert.equal(registry.lookup('acme.io', 'v1', 'widgets'), undefined);
  assert.ok(!registry.groupVersions().some((g) => g.group === 'acme.io'));
});

test('compareKubeVersions orders as CompareKubeAwareVersionStrings', () => {
  const pairs: Record<string, [string, string]> = {
    'GA before beta': ['v1', 'v1beta2'],
    'higher beta first': ['v1beta2', 'v1beta1'],
    'beta before alpha': ['v1beta1', 'v1alpha1'],
    'alpha before non-kube versions': ['v1alpha1', 'foo'],
    'higher GA first': ['v2', 'v1'],
    'numeric, not lexical': ['v10', 'v2'],
    'any GA before any beta': ['v1', 'v11beta2'],
    'non-kube versions by name': ['foo1', 'foo10'],
  };
  for (const [name, [first, second]] of Object.entries(pairs)) {
    assert.ok(compareKubeVersions(first, second) < 0, `${name}: ${first} sorts before ${second}`);
    assert.ok(compareKubeVersions(second, first) > 0, `${name}: ${second} sorts after ${first}`);
  }
  assert.equal(compareKubeVersions('v1', 'v1'), 0);
  // The example in apimachinery's version.CompareKubeAwareVersionStrings doc comment.
  const upstream = ['v10', 'v2', 'v1', 'v11beta2', 'v10beta3', 'v3beta1', 'v12alpha1', 'v11alpha2', 'foo1', 'foo10'];
  const shuffled = [...upstream].reverse();
  assert.deepEqual(shuffled.sort(compareKubeVersions), upstream);
});
