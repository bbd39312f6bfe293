import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinSchemas, type Schema } from './index.js';

const schemas = builtinSchemas();
const REF = '#/components/schemas/';

function prop(schema: string, field: string): Schema {
  const s = schemas[schema];
  assert.ok(s, `schema ${schema}`);
  const p = s.properties?.[field];
  assert.ok(p, `${schema}.${field}`);
  return p;
}

test('kinds carry their group-version-kind', () => {
  const cases: Record<string, { group: string; version: string; kind: string }> = {
    'io.k8s.api.core.v1.Pod': { group: '', version: 'v1', kind: 'Pod' },
    'io.k8s.api.core.v1.PodList': { group: '', version: 'v1', kind: 'PodList' },
    'io.k8s.api.apps.v1.Deployment': { group: 'apps', version: 'v1', kind: 'Deployment' },
    'io.k8s.api.events.v1.Event': { group: 'events.k8s.io', version: 'v1', kind: 'Event' },
    'io.k8s.api.rbac.v1.ClusterRole': { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole' },
    'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition': { group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' },
  };
  for (const [name, gvk] of Object.entries(cases)) {
    assert.deepEqual(schemas[name]?.['x-kubernetes-group-version-kind'], [gvk], name);
  }
  assert.equal(schemas['io.k8s.api.core.v1.PodSpec']['x-kubernetes-group-version-kind'], undefined, 'non-kinds have none');
});

test('patch strategies, merge keys and list types come from the upstream struct tags', () => {
  const cases: Record<string, Partial<Schema>> = {
    'io.k8s.api.core.v1.PodSpec.containers': {
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
    },
    'io.k8s.api.core.v1.PodSpec.volumes': { 'x-kubernetes-patch-strategy': 'merge,retainKeys', 'x-kubernetes-patch-merge-key': 'name' },
    'io.k8s.api.core.v1.Container.ports': {
      'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-patch-merge-key': 'containerPort',
      'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
    },
    'io.k8s.api.core.v1.Container.env': { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' },
    'io.k8s.api.core.v1.Container.args': { 'x-kubernetes-list-type': 'atomic' },
    'io.k8s.api.core.v1.ServiceSpec.ports': { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'port' },
    'io.k8s.api.apps.v1.DeploymentSpec.strategy': { 'x-kubernetes-patch-strategy': 'retainKeys' },
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta.finalizers': { 'x-kubernetes-patch-strategy': 'merge' },
    'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta.ownerReferences': { 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'uid' },
    'io.k8s.api.core.v1.PodSpec.nodeSelector': { 'x-kubernetes-map-type': 'atomic' },
  };
  for (const [path, want] of Object.entries(cases)) {
    const dot = path.lastIndexOf('.');
    const p = prop(path.slice(0, dot), path.slice(dot + 1));
    for (const [k, v] of Object.entries(want)) assert.deepEqual(p[k], v, `${path} ${k}`);
  }
  assert.equal(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector']['x-kubernetes-map-type'], 'atomic', 'type-level +structType');
});

test('special types are shaped as upstream shapes them', () => {
  const quantity = schemas['io.k8s.apimachinery.pkg.api.resource.Quantity'];
  assert.deepEqual(quantity.oneOf, [{ type: 'string' }, { type: 'number' }], 'Quantity is a string (or number) in v3');
  assert.match(quantity.description ?? '', /^Quantity is a fixed-point representation of a number/);
  const intOrString = schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString'];
  assert.equal(intOrString.format, 'int-or-string');
  assert.deepEqual(intOrString.oneOf, [{ type: 'integer' }, { type: 'string' }]);
  for (const name of ['io.k8s.apimachinery.pkg.apis.meta.v1.Time', 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime']) {
    assert.equal(schemas[name].type, 'string', name);
    assert.equal(schemas[name].format, 'date-time', name);
  }
  assert.equal(schemas['io.k8s.apimachinery.pkg.runtime.RawExtension'].type, 'object');
  assert.equal(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1'].type, 'object');
  assert.deepEqual(prop('io.k8s.api.core.v1.ServicePort', 'targetPort').allOf, [{ $ref: `${REF}io.k8s.apimachinery.pkg.util.intstr.IntOrString` }]);
  assert.deepEqual(prop('io.k8s.api.core.v1.ResourceRequirements', 'limits').additionalProperties, { $ref: `${REF}io.k8s.apimachinery.pkg.api.resource.Quantity` });
});

test('+enum string types carry their values and kube-openapi’s description lines', () => {
  const restart = prop('io.k8s.api.core.v1.PodSpec', 'restartPolicy');
  assert.deepEqual(restart.enum, ['Always', 'Never', 'OnFailure']);
  assert.match(restart.description ?? '', /\n\nPossible enum values:\n - `"Always"`\n - `"Never"`\n - `"OnFailure"`$/);
  const strategy = prop('io.k8s.api.apps.v1.DeploymentStrategy', 'type');
  assert.deepEqual(strategy.enum, ['Recreate', 'RollingUpdate']);
  assert.match(strategy.description ?? '', /\n - `"Recreate"` Kill all existing pods before creating new ones\.\n/);
  assert.deepEqual(prop('io.k8s.api.discovery.v1.EndpointPort', 'protocol').enum, ['SCTP', 'TCP', 'UDP'], 'an enum from another package');
  assert.equal(prop('io.k8s.api.core.v1.Container', 'image').enum, undefined);
});

test('required fields are the non-optional properties', () => {
  assert.deepEqual(schemas['io.k8s.api.core.v1.PodSpec'].required, ['containers']);
  assert.deepEqual(schemas['io.k8s.api.core.v1.Container'].required, ['name']);
  assert.deepEqual(schemas['io.k8s.api.apps.v1.DeploymentSpec'].required, ['selector', 'template']);
  assert.deepEqual(schemas['io.k8s.api.core.v1.ServicePort'].required, ['port']);
  assert.equal(schemas['io.k8s.api.core.v1.Pod'].required, undefined);
});

test('numbers keep their upstream integer formats', () => {
  assert.deepEqual({ ...prop('io.k8s.api.apps.v1.DeploymentSpec', 'replicas'), description: undefined }, { description: undefined, type: 'integer', format: 'int32' });
  assert.equal(prop('io.k8s.api.core.v1.PodSpec', 'activeDeadlineSeconds').format, 'int64');
  assert.equal(prop('io.k8s.api.core.v1.Secret', 'data').additionalProperties && (prop('io.k8s.api.core.v1.Secret', 'data').additionalProperties as Schema).format, 'byte');
});

test('descriptions come from the type definitions; references keep theirs through allOf', () => {
  const containers = prop('io.k8s.api.core.v1.PodSpec', 'containers');
  assert.match(containers.description ?? '', /^List of containers belonging to the pod\./);
  assert.deepEqual(containers.items, { $ref: `${REF}io.k8s.api.core.v1.Container` });
  const strategy = prop('io.k8s.api.apps.v1.DeploymentSpec', 'strategy');
  assert.equal(strategy.description, 'The deployment strategy to use to replace existing pods with new ones.');
  assert.deepEqual(strategy.allOf, [{ $ref: `${REF}io.k8s.api.apps.v1.DeploymentStrategy` }]);
  assert.match(schemas['io.k8s.api.core.v1.Pod'].description ?? '', /^Pod is a collection of containers/);
});

test('fields newer than kubernetes-types (or dropped by it) are filled in from client-node', () => {
  // kubernetes-types 1.30 drops fields whose docs contain "*/" and lacks 1.31-1.32 fields.
  assert.ok(prop('io.k8s.api.admissionregistration.v1.RuleWithOperations', 'resources'));
  assert.ok(prop('io.k8s.api.authorization.v1.ResourceRule', 'verbs'));
  assert.ok(prop('io.k8s.api.core.v1.PodSpec', 'resources'));
  assert.equal(prop('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps', 'x-kubernetes-preserve-unknown-fields').type, 'boolean');
  // ...and the types they reach.
  assert.deepEqual(prop('io.k8s.api.core.v1.Volume', 'image').allOf, [{ $ref: `${REF}io.k8s.api.core.v1.ImageVolumeSource` }]);
  assert.ok(schemas['io.k8s.api.core.v1.ImageVolumeSource'].properties?.reference);
});

test('every reference resolves', () => {
  const missing = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string' && !schemas[x.slice(REF.length)]) missing.add(x);
        else visit(x);
      }
    }
  };
  visit(schemas);
  assert.deepEqual([...missing], []);
});
