import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { builtinListMeta, FieldSet, fieldSetOf, FieldsV1Error, fromFieldsV1, listMetaFromSchema, pathToString, toFieldsV1, TypedError } from './index.js';

type Obj = Record<string, unknown>;

/**
 * fieldsV1 as real clusters print them (`kubectl get -o yaml --show-managed-fields`), from
 * published outputs: the entries kube wrote for these objects.
 */
const KUBE_OUTPUT: Record<string, string> = {
  'kubectl create deployment (kubectl-create, 2023)': `
f:metadata:
  f:labels:
    .: {}
    f:app: {}
f:spec:
  f:progressDeadlineSeconds: {}
  f:replicas: {}
  f:revisionHistoryLimit: {}
  f:selector: {}
  f:strategy:
    f:rollingUpdate:
      .: {}
      f:maxSurge: {}
      f:maxUnavailable: {}
    f:type: {}
  f:template:
    f:metadata:
      f:labels:
        .: {}
        f:app: {}
    f:spec:
      f:containers:
        k:{"name":"hello-app"}:
          .: {}
          f:image: {}
          f:imagePullPolicy: {}
          f:name: {}
          f:resources: {}
          f:terminationMessagePath: {}
          f:terminationMessagePolicy: {}
      f:dnsPolicy: {}
      f:restartPolicy: {}
      f:schedulerName: {}
      f:securityContext: {}
      f:terminationGracePeriodSeconds: {}
`,
  'pod created with a port (kubectl)': `
f:spec:
  f:containers:
    k:{"name":"container1"}:
      .: {}
      f:image: {}
      f:imagePullPolicy: {}
      f:name: {}
      f:ports:
        .: {}
        k:{"containerPort":80,"protocol":"TCP"}:
          .: {}
          f:containerPort: {}
          f:protocol: {}
      f:resources: {}
      f:terminationMessagePath: {}
      f:terminationMessagePolicy: {}
  f:dnsPolicy: {}
  f:enableServiceLinks: {}
  f:restartPolicy: {}
  f:schedulerName: {}
  f:securityContext: {}
  f:terminationGracePeriodSeconds: {}
`,
  'pod status (kubelet)': `
f:status:
  f:conditions:
    k:{"type":"ContainersReady"}:
      .: {}
      f:lastProbeTime: {}
      f:lastTransitionTime: {}
      f:status: {}
      f:type: {}
    k:{"type":"Initialized"}:
      .: {}
      f:lastProbeTime: {}
      f:lastTransitionTime: {}
      f:status: {}
      f:type: {}
    k:{"type":"Ready"}:
      .: {}
      f:lastProbeTime: {}
      f:lastTransitionTime: {}
      f:status: {}
      f:type: {}
  f:containerStatuses: {}
  f:hostIP: {}
  f:phase: {}
  f:podIP: {}
  f:podIPs:
    .: {}
    k:{"ip":"172.17.0.4"}:
      .: {}
      f:ip: {}
  f:startTime: {}
`,
  'deployment status (kube-controller-manager)': `
f:metadata:
  f:annotations:
    .: {}
    f:deployment.kubernetes.io/revision: {}
f:status:
  f:conditions:
    .: {}
    k:{"type":"Available"}:
      .: {}
      f:lastTransitionTime: {}
      f:lastUpdateTime: {}
      f:message: {}
      f:reason: {}
      f:status: {}
      f:type: {}
    k:{"type":"Progressing"}:
      .: {}
      f:lastTransitionTime: {}
      f:lastUpdateTime: {}
      f:message: {}
      f:reason: {}
      f:status: {}
      f:type: {}
  f:observedGeneration: {}
  f:replicas: {}
  f:unavailableReplicas: {}
  f:updatedReplicas: {}
`,
  'pod from a replica set (owner reference, generateName)': `
f:metadata:
  f:generateName: {}
  f:labels:
    .: {}
    f:app: {}
    f:pod-template-hash: {}
  f:ownerReferences:
    .: {}
    k:{"uid":"4ecf82fc-0f0a-44e0-9469-cebbb07f7a31"}: {}
f:spec:
  f:containers:
    k:{"name":"mermaid"}:
      .: {}
      f:image: {}
      f:ports:
        .: {}
        k:{"containerPort":8098,"protocol":"TCP"}:
          .: {}
          f:containerPort: {}
          f:name: {}
          f:protocol: {}
      f:securityContext:
        .: {}
        f:capabilities:
          .: {}
          f:add: {}
`,
  'secret (kubectl-create)': `
f:data:
  .: {}
  f:auth: {}
f:type: {}
`,
  'configmap upgraded from client-side apply (kubectl csaupgrade test)': `
f:data:
  .: {}
  f:key: {}
  f:legacy: {}
f:metadata:
  f:annotations:
    .: {}
    f:kubectl.kubernetes.io/last-applied-configuration: {}
`,
};

test('FieldsV1 written by kube decodes and encodes back unchanged', async (t) => {
  for (const [name, yaml] of Object.entries(KUBE_OUTPUT)) {
    await t.test(name, () => {
      const fields = parse(yaml) as Obj;
      assert.deepEqual(toFieldsV1(fromFieldsV1(fields)), fields);
    });
  }
});

/** Keys at every level, in order. */
function keyOrder(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  return Object.entries(v).map(([k, c]) => [k, keyOrder(c)]);
}

test('FieldsV1 keys are written in structured-merge-diff order', async (t) => {
  const cases: Record<string, { set: Obj; want: string[] }> = {
    '"." first, then fields, keys, values': {
      set: { 'v:"b"': {}, 'k:{"name":"a"}': {}, 'f:z': {}, 'f:a': { 'f:x': {} } },
      want: ['f:a', 'f:z', 'k:{"name":"a"}', 'v:"b"'],
    },
    'key values compared as values: 80 < 443 < 8080 (not as text)': {
      set: {
        'k:{"containerPort":8080,"protocol":"TCP"}': {},
        'k:{"containerPort":443,"protocol":"TCP"}': {},
        'k:{"containerPort":80,"protocol":"UDP"}': {},
        'k:{"containerPort":80,"protocol":"TCP"}': {},
      },
      want: [
        'k:{"containerPort":80,"protocol":"TCP"}',
        'k:{"containerPort":80,"protocol":"UDP"}',
        'k:{"containerPort":443,"protocol":"TCP"}',
        'k:{"containerPort":8080,"protocol":"TCP"}',
      ],
    },
    'set values: numbers before strings before booleans': {
      set: { 'v:true': {}, 'v:"a"': {}, 'v:10': {}, 'v:9': {} },
      want: ['v:9', 'v:10', 'v:"a"', 'v:true'],
    },
    'field names bytewise': {
      set: { 'f:b': {}, 'f:B': {}, 'f:a.b': {}, 'f:a': {} },
      want: ['f:B', 'f:a', 'f:a.b', 'f:b'],
    },
  };
  for (const [name, { set, want }] of Object.entries(cases)) {
    await t.test(name, () => assert.deepEqual(Object.keys(toFieldsV1(fromFieldsV1(set))), want));
  }
  await t.test('"." comes first in a node', () => {
    const encoded = toFieldsV1(fromFieldsV1({ 'f:labels': { 'f:app': {}, '.': {} } }));
    assert.deepEqual(keyOrder(encoded), [['f:labels', [['.', []], ['f:app', []]]]]);
  });
});

test('FieldsV1 decoding', async (t) => {
  const cases: Record<string, { input: unknown; want: Obj }> = {
    'key fields are sorted by name': {
      input: { 'k:{"protocol":"TCP","containerPort":80}': {} },
      want: { 'k:{"containerPort":80,"protocol":"TCP"}': {} },
    },
    'JSON spacing is dropped': { input: { 'k:{ "name" : "a b" }': {}, 'v: "x"': {} }, want: { 'k:{"name":"a b"}': {}, 'v:"x"': {} } },
    'HTML characters are escaped as Go escapes them': { input: { 'v:"<a&b>"': {} }, want: { 'v:"\\u003ca\\u0026b\\u003e"': {} } },
    'keys of an unknown type are dropped': { input: { 'x:whatever': {}, 'f:a': {} }, want: { 'f:a': {} } },
    'a node holding only unknown keys is a member': { input: { 'f:a': { 'x:y': {} } }, want: { 'f:a': {} } },
    'null is a member': { input: { 'f:a': null }, want: { 'f:a': {} } },
    'a node without "." is not a member': { input: { 'f:a': { 'f:b': {} } }, want: { 'f:a': { 'f:b': {} } } },
    'indices': { input: { 'i:+01': {} }, want: { 'i:1': {} } },
    'null document': { input: null, want: {} },
  };
  for (const [name, { input, want }] of Object.entries(cases)) {
    await t.test(name, () => assert.deepEqual(keyOrder(toFieldsV1(fromFieldsV1(input))), keyOrder(want)));
  }
  const bad: Record<string, unknown> = {
    'an array': [],
    'a key too short': { f: {} },
    'a key without its colon': { 'fx': {} },
    'a key that is not JSON': { 'k:{name}': {} },
    'a key that is not an object': { 'k:["a"]': {} },
    'a value that is not an object': { 'f:a': 1 },
  };
  for (const [name, input] of Object.entries(bad)) {
    await t.test(`refuses ${name}`, () => assert.throws(() => fromFieldsV1(input), FieldsV1Error));
  }
});

test('set operations work path by path', async (t) => {
  const set = (fields: Obj) => fromFieldsV1(fields);
  const A = set({ 'f:spec': { '.': {}, 'f:replicas': {}, 'f:paused': {} }, 'f:data': { 'f:a': {} } });
  const cases: Record<string, { got: () => FieldSet; want: Obj }> = {
    'union': {
      got: () => A.union(set({ 'f:spec': { 'f:selector': {} }, 'f:kind': {} })),
      want: { 'f:data': { 'f:a': {} }, 'f:kind': {}, 'f:spec': { '.': {}, 'f:paused': {}, 'f:replicas': {}, 'f:selector': {} } },
    },
    'intersection': {
      got: () => A.intersection(set({ 'f:spec': { 'f:replicas': {} }, 'f:data': {} })),
      want: { 'f:spec': { 'f:replicas': {} } },
    },
    'difference keeps the children of a removed member': {
      got: () => A.difference(set({ 'f:spec': {}, 'f:data': { 'f:a': {} } })),
      want: { 'f:spec': { 'f:paused': {}, 'f:replicas': {} } },
    },
    'recursive difference removes them': {
      got: () => A.recursiveDifference(set({ 'f:spec': {} })),
      want: { 'f:data': { 'f:a': {} } },
    },
  };
  for (const [name, { got, want }] of Object.entries(cases)) {
    await t.test(name, () => assert.deepEqual(toFieldsV1(got()), want));
  }
  await t.test('an operation that changes nothing returns its operand', () => {
    assert.equal(A.difference(set({ 'f:kind': {} })), A);
    assert.equal(A.union(set({ 'f:data': { 'f:a': {} } })), A);
    assert.equal(A.intersection(A), A);
  });
  await t.test('has, size, empty', () => {
    assert.ok(A.has(['f:spec']));
    assert.ok(A.has(['f:data', 'f:a']));
    assert.ok(!A.has(['f:data']));
    assert.equal(A.size, 4);
    assert.ok(FieldSet.EMPTY.empty && !A.empty);
  });
});

test('paths print as structured-merge-diff prints them', async (t) => {
  const cases: Record<string, { path: string[]; want: string }> = {
    'fields': { path: ['f:spec', 'f:replicas'], want: '.spec.replicas' },
    'a keyed item': {
      path: ['f:spec', 'f:template', 'f:spec', 'f:containers', 'k:{"name":"nginx"}', 'f:image'],
      want: '.spec.template.spec.containers[name="nginx"].image',
    },
    'several keys': { path: ['f:ports', 'k:{"containerPort":80,"protocol":"TCP"}'], want: '.ports[containerPort=80,protocol="TCP"]' },
    'a set item': { path: ['f:metadata', 'f:finalizers', 'v:"foregroundDeletion"'], want: '.metadata.finalizers[="foregroundDeletion"]' },
    'an index': { path: ['f:args', 'i:2'], want: '.args[2]' },
  };
  for (const [name, { path, want }] of Object.entries(cases)) await t.test(name, () => assert.equal(pathToString(path), want));
  await t.test('paths() lists members first, in order', () => {
    const s = fromFieldsV1({ 'f:spec': { 'f:b': {}, 'f:a': { 'f:x': {} } }, 'f:kind': {} });
    assert.deepEqual([...s.paths()].map(pathToString), ['.kind', '.spec.b', '.spec.a.x']);
  });
});

test('fieldSetOf lists what an object sets', async (t) => {
  const pod = builtinListMeta('', 'Pod');
  const cases: Record<string, { obj: Obj; want: Obj }> = {
    'leaves, empty maps and nulls are members; maps with fields are not': {
      obj: { spec: { nodeName: 'n', securityContext: {}, hostname: null, affinity: { nodeAffinity: {} } } },
      want: { 'f:spec': { 'f:affinity': { 'f:nodeAffinity': {} }, 'f:hostname': {}, 'f:nodeName': {}, 'f:securityContext': {} } },
    },
    'map-type list items are members, keyed with defaults': {
      obj: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80 }, { containerPort: 53, protocol: 'UDP' }] }] } },
      want: {
        'f:spec': {
          'f:containers': {
            'k:{"name":"a"}': {
              '.': {},
              'f:name': {},
              'f:ports': {
                'k:{"containerPort":53,"protocol":"UDP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} },
                'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} },
              },
            },
          },
        },
      },
    },
    'atomic lists and maps are one member': {
      obj: { spec: { tolerations: [{ key: 'k' }], nodeSelector: { disk: 'ssd' }, containers: [{ name: 'a', args: ['x'] }] } },
      want: { 'f:spec': { 'f:containers': { 'k:{"name":"a"}': { '.': {}, 'f:args': {}, 'f:name': {} } }, 'f:nodeSelector': {}, 'f:tolerations': {} } },
    },
    'set items by value': {
      obj: { metadata: { finalizers: ['b', 'a'] } },
      want: { 'f:metadata': { 'f:finalizers': { 'v:"a"': {}, 'v:"b"': {} } } },
    },
    'an empty map-type list sets nothing': { obj: { spec: { containers: [] } }, want: {} },
    'repeated keys: the item once, not its fields': {
      obj: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] } },
      want: { 'f:spec': { 'f:containers': { 'k:{"name":"a"}': {} } } },
    },
  };
  for (const [name, { obj, want }] of Object.entries(cases)) {
    await t.test(name, () => assert.deepEqual(toFieldsV1(fieldSetOf(obj, pod)), want));
  }
  await t.test('an item without its keys (and no defaults) is an error', () => {
    const meta = listMetaFromSchema({
      type: 'object',
      properties: { items: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['id'], items: { type: 'object' } } },
    });
    assert.throws(
      () => fieldSetOf({ items: [{ x: 1 }] }, meta),
      (e: unknown) =>
        e instanceof TypedError &&
        e.message === '.items: element 0: associative list with keys has an element that omits all key fields ["id"] (and doesn\'t have default values for any key fields)',
    );
  });
});
