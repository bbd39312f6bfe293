import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../apimachinery/errors.js';
import { decodeKubernetesProtobuf, isKubernetesProtobuf, supportedProtobufKinds, PROTOBUF_MEDIA_TYPE } from './index.js';
import { DEBUG_COPY_SOURCE_POD, KUBECTL_BODIES } from './kubectl-bodies.test-data.js';

// ---------------------------------------------------------------------------------------------
// A minimal protobuf writer for hand-made bodies. Field numbers below are written out from the
// k8s.io/api and apimachinery generated.proto files, independently of ./descriptors.ts.

type Bytes = number[];

function varint(n: number | bigint): Bytes {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: Bytes = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

const pb = {
  int: (field: number, n: number | bigint): Bytes => [...varint(field * 8), ...varint(n)],
  bool: (field: number, b: boolean): Bytes => pb.int(field, b ? 1 : 0),
  raw: (field: number, bytes: Uint8Array | Bytes): Bytes => [...varint(field * 8 + 2), ...varint(bytes.length), ...bytes],
  str: (field: number, s: string): Bytes => pb.raw(field, [...Buffer.from(s, 'utf8')]),
  msg: (field: number, ...fields: Bytes[]): Bytes => pb.raw(field, fields.flat()),
  /** A map<string, T> entry: key = 1, value = 2. */
  entry: (field: number, key: string, value?: Bytes): Bytes => pb.msg(field, pb.str(1, key), ...(value ? [value] : [])),
};

/** `k8s\0` + runtime.Unknown{typeMeta = 1 {apiVersion = 1, kind = 2}, raw = 2, contentEncoding = 3, contentType = 4}. */
function body(apiVersion: string, kind: string, ...fields: Bytes[]): Buffer {
  return Buffer.from([
    0x6b, 0x38, 0x73, 0x00,
    ...pb.msg(1, pb.str(1, apiVersion), pb.str(2, kind)),
    ...pb.raw(2, fields.flat()),
    ...pb.str(3, ''),
    ...pb.str(4, ''),
  ]);
}

const T = Date.UTC(2026, 0, 2, 3, 4, 5) / 1000; // 2026-01-02T03:04:05Z

/** Go's JSON prints a zero Time and nil slices/pointers as null; the decoder leaves them out. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== null).map(([k, x]) => [k, withoutNulls(x)]));
  }
  return v;
}

function assertStatus(fn: () => unknown, code: number, ...fragments: string[]): StatusError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof StatusError, `expected a StatusError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  for (const f of fragments) assert.ok(caught.message.includes(f), `${JSON.stringify(caught.message)} should mention ${JSON.stringify(f)}`);
  return caught;
}

// ---------------------------------------------------------------------------------------------
// Bodies captured from kubectl.

test('kubectl typed generators send protobuf bodies', () => {
  for (const c of KUBECTL_BODIES) {
    assert.equal(c.contentType, PROTOBUF_MEDIA_TYPE, c.name);
    assert.ok(isKubernetesProtobuf(Buffer.from(c.body, 'base64')), c.name);
  }
  assert.ok(KUBECTL_BODIES.length >= 30);
});

for (const c of KUBECTL_BODIES.filter((c) => c.expected)) {
  test(`kubectl body decodes to kubectl's JSON: ${c.name} (${c.command})`, () => {
    const decoded = decodeKubernetesProtobuf(Buffer.from(c.body, 'base64'));
    const expected = withoutNulls(c.expected) as Record<string, unknown>;
    assert.equal(decoded.apiVersion, expected.apiVersion);
    assert.equal(decoded.kind, expected.kind);
    assert.deepEqual(decoded.object, expected);
  });
}

test('kubectl debug --copy-to: the copied pod spec is the source pod spec', () => {
  const c = KUBECTL_BODIES.find((b) => b.name === 'debug-copy')!;
  const { object } = decodeKubernetesProtobuf(Buffer.from(c.body, 'base64'));
  assert.deepEqual(object.metadata, { name: 'rich-copy', namespace: 'default', annotations: DEBUG_COPY_SOURCE_POD.metadata.annotations });

  // What kubectl debug changes: the debug container, and shareProcessNamespace from --share-processes=false.
  const spec = structuredClone(DEBUG_COPY_SOURCE_POD.spec) as Record<string, any>;
  spec.containers.push({
    name: 'debugger',
    image: 'busybox',
    command: ['sleep', '1'],
    resources: {},
    terminationMessagePolicy: 'File',
  });
  spec.shareProcessNamespace = false;
  // Go omitempty value fields: JSON prints their zero value, protobuf cannot tell it from unset.
  assert.equal(spec.containers[0].env[1].value, '');
  delete spec.containers[0].env[1].value;
  assert.equal(spec.hostNetwork, false);
  delete spec.hostNetwork;

  assert.deepEqual(object.spec, spec);
  assert.deepEqual(object.status, {});
  // The pod exercises the inline structs (Volume.volumeSource, Probe.handler), IntOrString as a
  // name and a number, Quantity in maps and fields, and every probe kind.
  const main = (object.spec as any).containers[0];
  assert.deepEqual(main.livenessProbe.httpGet.port, 'http');
  assert.deepEqual(main.readinessProbe.tcpSocket.port, 80);
  assert.deepEqual((object.spec as any).volumes[0], { name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } });
});

test('a kind with no descriptor is 415 UnsupportedMediaType naming it', () => {
  const c = KUBECTL_BODIES.find((b) => b.name === 'whoami-v1beta1')!;
  const err = assertStatus(() => decodeKubernetesProtobuf(Buffer.from(c.body, 'base64')), 415, 'authentication.k8s.io/v1beta1', 'SelfSubjectReview');
  assert.equal(err.reason, 'UnsupportedMediaType');
  assertStatus(() => decodeKubernetesProtobuf(body('example.com/v1', 'Widget', pb.msg(1, pb.str(1, 'w')))), 415, '"Widget"', 'example.com/v1');
});

// ---------------------------------------------------------------------------------------------
// Hand-made bodies for what kubectl's captures do not reach.

test('full ObjectMeta: times, int64s, maps, owner references, finalizers, managed fields', () => {
  // ObjectMeta: name 1, generateName 2, namespace 3, selfLink 4, uid 5, resourceVersion 6,
  // generation 7, creationTimestamp 8, deletionTimestamp 9, deletionGracePeriodSeconds 10,
  // labels 11, annotations 12, ownerReferences 13, finalizers 14, managedFields 17.
  const meta = pb.msg(
    1,
    pb.str(1, 'cm'),
    pb.str(2, 'cm-'),
    pb.str(3, 'team-a'),
    pb.str(4, '/api/v1/namespaces/team-a/configmaps/cm'),
    pb.str(5, '0b9f8a6e-1111-2222-3333-444455556666'),
    pb.str(6, '1234'),
    pb.int(7, 7),
    pb.msg(8, pb.int(1, T), pb.int(2, 0)),
    pb.msg(9, pb.int(1, T + 60), pb.int(2, 0)),
    pb.int(10, 30),
    pb.entry(11, 'app', pb.str(2, 'web')),
    pb.entry(11, 'tier', pb.str(2, '')),
    pb.entry(12, 'note', pb.str(2, 'hi')),
    // OwnerReference: kind 1, name 3, uid 4, apiVersion 5, controller 6, blockOwnerDeletion 7.
    pb.msg(13, pb.str(1, 'Deployment'), pb.str(3, 'web'), pb.str(4, 'uid-1'), pb.str(5, 'apps/v1'), pb.bool(6, true), pb.bool(7, false)),
    pb.str(14, 'example.com/a'),
    pb.str(14, 'example.com/b'),
    // ManagedFieldsEntry: manager 1, operation 2, apiVersion 3, time 4, fieldsType 6, fieldsV1 7 {Raw 1}, subresource 8.
    pb.msg(17, pb.str(1, 'kubectl-client-side-apply'), pb.str(2, 'Update'), pb.str(3, 'v1'), pb.msg(4, pb.int(1, T)), pb.str(6, 'FieldsV1'),
      pb.msg(7, pb.str(1, '{"f:data":{"f:a":{}}}')), pb.str(8, '')),
  );
  // ConfigMap: metadata 1, data 2, binaryData 3, immutable 4.
  const { object } = decodeKubernetesProtobuf(
    body('v1', 'ConfigMap', meta, pb.entry(2, 'a', pb.str(2, 'b')), pb.entry(3, 'bin', pb.raw(2, [0, 1, 2, 250])), pb.entry(3, 'empty'), pb.bool(4, true)),
  );
  assert.deepEqual(object, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'cm',
      generateName: 'cm-',
      namespace: 'team-a',
      selfLink: '/api/v1/namespaces/team-a/configmaps/cm',
      uid: '0b9f8a6e-1111-2222-3333-444455556666',
      resourceVersion: '1234',
      generation: 7,
      creationTimestamp: '2026-01-02T03:04:05Z',
      deletionTimestamp: '2026-01-02T03:05:05Z',
      deletionGracePeriodSeconds: 30,
      labels: { app: 'web', tier: '' },
      annotations: { note: 'hi' },
      ownerReferences: [{ kind: 'Deployment', name: 'web', uid: 'uid-1', apiVersion: 'apps/v1', controller: true, blockOwnerDeletion: false }],
      finalizers: ['example.com/a', 'example.com/b'],
      managedFields: [
        {
          manager: 'kubectl-client-side-apply',
          operation: 'Update',
          apiVersion: 'v1',
          time: '2026-01-02T03:04:05Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:data': { 'f:a': {} } },
        },
      ],
    },
    data: { a: 'b' },
    binaryData: { bin: Buffer.from([0, 1, 2, 250]).toString('base64'), empty: '' },
    immutable: true,
  });
});

test('zero Time (an empty message) is left out; MicroTime keeps microseconds', () => {
  // Lease: metadata 1, spec 2; LeaseSpec: holderIdentity 1, leaseDurationSeconds 2, acquireTime 3, renewTime 4, leaseTransitions 5.
  const { object } = decodeKubernetesProtobuf(
    body(
      'coordination.k8s.io/v1',
      'Lease',
      pb.msg(1, pb.str(1, 'leader'), pb.msg(8)),
      pb.msg(2, pb.str(1, 'node-a'), pb.int(2, 15), pb.msg(3, pb.int(1, T), pb.int(2, 123_456_789)), pb.msg(4, pb.int(1, T), pb.int(2, 0)), pb.int(5, 0)),
    ),
  );
  assert.deepEqual(object, {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'leader' },
    spec: {
      holderIdentity: 'node-a',
      leaseDurationSeconds: 15,
      acquireTime: '2026-01-02T03:04:05.123456Z',
      renewTime: '2026-01-02T03:04:05.000000Z',
      leaseTransitions: 0,
    },
  });
});

test('scalars: negative and 64-bit varints, packed and unpacked repeated int64, omitempty zeros', () => {
  // Pod: metadata 1, spec 2. PodSpec: containers 2, terminationGracePeriodSeconds 4, hostNetwork 11,
  // securityContext 14, automountServiceAccountToken 21, tolerations 22, priority 25.
  // PodSecurityContext: runAsUser 2, supplementalGroups 4 (repeated int64), fsGroup 5.
  // Container: name 1, image 2, stdin 16. Toleration: key 1, operator 2, effect 4, tolerationSeconds 5.
  const packed = pb.raw(4, [...varint(100), ...varint(1000)]);
  const { object } = decodeKubernetesProtobuf(
    body(
      'v1',
      'Pod',
      pb.msg(1, pb.str(1, 'p'), pb.str(3, '')),
      pb.msg(
        2,
        pb.msg(2, pb.str(1, ''), pb.str(2, 'busybox'), pb.bool(16, false)),
        pb.int(4, 2n ** 40n),
        pb.bool(11, false),
        pb.msg(14, pb.int(2, 0), pb.int(4, 7), packed, pb.int(4, -1), pb.int(5, -2)),
        pb.bool(21, false),
        pb.msg(22, pb.str(1, 'k'), pb.str(2, 'Exists'), pb.str(4, 'NoExecute'), pb.int(5, -300)),
        pb.int(25, -5),
      ),
    ),
  );
  assert.deepEqual(object.metadata, { name: 'p' });
  assert.deepEqual(object.spec, {
    // Container.name has no omitempty; image and stdin do.
    containers: [{ name: '', image: 'busybox' }],
    terminationGracePeriodSeconds: 2 ** 40,
    // runAsUser is a pointer: 0 arrived, 0 is kept.
    securityContext: { runAsUser: 0, supplementalGroups: [7, 100, 1000, -1], fsGroup: -2 },
    automountServiceAccountToken: false,
    tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: -300 }],
    priority: -5,
  });
});

test('IntOrString: a string, a number, and an omitempty zero left out; Quantity as its string', () => {
  // ServiceSpec: ports 1, type 4. ServicePort: name 1, protocol 2, port 3, targetPort 4, nodePort 5.
  // IntOrString: type 1 (0 Int, 1 String), intVal 2, strVal 3.
  const port = (name: string, p: number, target: Bytes[]) => pb.msg(1, pb.str(1, name), pb.str(2, 'TCP'), pb.int(3, p), pb.msg(4, ...target), pb.int(5, 0));
  const svc = decodeKubernetesProtobuf(
    body(
      'v1',
      'Service',
      pb.msg(1, pb.str(1, 's')),
      pb.msg(2, port('a', 80, [pb.int(1, 1), pb.int(2, 0), pb.str(3, 'http')]), port('b', 81, [pb.int(1, 0), pb.int(2, 8081), pb.str(3, '')]), port('c', 82, [pb.int(1, 0), pb.int(2, 0), pb.str(3, '')]), pb.str(4, 'ClusterIP')),
      pb.msg(3, pb.msg(1)),
    ),
  ).object;
  assert.deepEqual(svc.spec, {
    ports: [
      { name: 'a', protocol: 'TCP', port: 80, targetPort: 'http' },
      { name: 'b', protocol: 'TCP', port: 81, targetPort: 8081 },
      { name: 'c', protocol: 'TCP', port: 82 },
    ],
    type: 'ClusterIP',
  });
  assert.deepEqual(svc.status, { loadBalancer: {} });

  // PodDisruptionBudgetSpec: minAvailable 1 (a pointer: 0 is kept), selector 2.
  const pdb = decodeKubernetesProtobuf(body('policy/v1', 'PodDisruptionBudget', pb.msg(2, pb.msg(1, pb.int(1, 0), pb.int(2, 0))))).object;
  assert.deepEqual(pdb.spec, { minAvailable: 0 });

  // ResourceQuota: spec 2 {hard 1 map<string, Quantity{string 1}>}; an entry without a value is the zero Quantity.
  const quota = decodeKubernetesProtobuf(body('v1', 'ResourceQuota', pb.msg(2, pb.entry(1, 'cpu', pb.msg(2, pb.str(1, '500m'))), pb.entry(1, 'pods')))).object;
  assert.deepEqual(quota.spec, { hard: { cpu: '500m', pods: '0' } });
});

test('DeleteOptions decode under any group version; Eviction carries them', () => {
  // DeleteOptions: gracePeriodSeconds 1, preconditions 2 {uid 1, resourceVersion 2}, orphanDependents 3, propagationPolicy 4, dryRun 5.
  const opts = [pb.int(1, 0), pb.msg(2, pb.str(1, 'u-1')), pb.str(4, 'Foreground'), pb.str(5, 'All')];
  for (const apiVersion of ['v1', 'meta.k8s.io/v1', 'apps/v1']) {
    const d = decodeKubernetesProtobuf(body(apiVersion, 'DeleteOptions', ...opts));
    assert.deepEqual(d.object, {
      apiVersion,
      kind: 'DeleteOptions',
      gracePeriodSeconds: 0,
      preconditions: { uid: 'u-1' },
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
    });
  }
  // Eviction: metadata 1, deleteOptions 2.
  const ev = decodeKubernetesProtobuf(body('policy/v1', 'Eviction', pb.msg(1, pb.str(1, 'web-1'), pb.str(3, 'default')), pb.msg(2, pb.int(1, 30))));
  assert.deepEqual(ev.object, {
    apiVersion: 'policy/v1',
    kind: 'Eviction',
    metadata: { name: 'web-1', namespace: 'default' },
    deleteOptions: { gracePeriodSeconds: 30 },
  });
});

test('a message field written twice is merged, as protobuf does', () => {
  const { object } = decodeKubernetesProtobuf(body('v1', 'Namespace', pb.msg(1, pb.str(1, 'ns')), pb.msg(1, pb.entry(11, 'a', pb.str(2, 'b')))));
  assert.deepEqual(object.metadata, { name: 'ns', labels: { a: 'b' } });
});

test('unknown field numbers fail with 400, naming the kind, the message, the field number and where', () => {
  const deep = body('apps/v1', 'Deployment', pb.msg(2, pb.msg(3, pb.msg(2, pb.int(99, 1)))));
  const err = assertStatus(() => decodeKubernetesProtobuf(deep), 400, 'apps/v1 Deployment', 'field number 99', 'PodSpec', 'spec.template.spec');
  assert.equal(err.reason, 'BadRequest');
  assertStatus(() => decodeKubernetesProtobuf(body('v1', 'Pod', pb.str(9, 'x'))), 400, 'v1 Pod', 'field number 9', 'message Pod', 'the top level');
  assertStatus(() => decodeKubernetesProtobuf(body('v1', 'ConfigMap', pb.msg(2, pb.str(1, 'k'), pb.str(3, 'x')))), 400, 'v1 ConfigMap', 'field number 3', 'map entry', 'data');
  // Containers[1] of a deployment's pod template: the index is part of the path.
  const inList = body('apps/v1', 'Deployment', pb.msg(2, pb.msg(3, pb.msg(2, pb.msg(2, pb.str(1, 'a')), pb.msg(2, pb.str(1, 'b'), pb.int(77, 1))))));
  assertStatus(() => decodeKubernetesProtobuf(inList), 400, 'field number 77', 'message Container', 'spec.template.spec.containers[1]');
});

test('malformed bodies fail with 400', () => {
  assertStatus(() => decodeKubernetesProtobuf(Buffer.from('{"kind":"Pod"}')), 400, 'k8s');
  assertStatus(() => decodeKubernetesProtobuf(Buffer.from([0x6b, 0x38, 0x73])), 400, 'k8s');
  // Only the prefix: no kind.
  assertStatus(() => decodeKubernetesProtobuf(Buffer.from([0x6b, 0x38, 0x73, 0x00])), 400, 'kind');
  // A field of the wrong wire type: Pod.spec written as a varint.
  assertStatus(() => decodeKubernetesProtobuf(body('v1', 'Pod', pb.int(2, 1))), 400, 'v1 Pod', 'field number 2', 'wire type 0');
  // Truncated: cut the last bytes off a captured kubectl body.
  const ns = Buffer.from(KUBECTL_BODIES.find((b) => b.name === 'deployment')!.body, 'base64');
  assertStatus(() => decodeKubernetesProtobuf(ns.subarray(0, ns.length - 40)), 400);
  // A length running past the end of a nested message.
  assertStatus(() => decodeKubernetesProtobuf(body('v1', 'Namespace', [0x0a, 0x03, 0x0a, 0x09, 0x61])), 400, 'v1 Namespace', 'at metadata', 'truncated');
  // runtime.Unknown with a field it does not have, and with a content encoding.
  assertStatus(() => decodeKubernetesProtobuf(Buffer.concat([body('v1', 'Namespace'), Buffer.from(pb.str(7, 'x'))])), 400, 'field number 7', 'runtime.Unknown');
  const gz = Buffer.from([0x6b, 0x38, 0x73, 0x00, ...pb.msg(1, pb.str(1, 'v1'), pb.str(2, 'Namespace')), ...pb.raw(2, []), ...pb.str(3, 'gzip')]);
  assertStatus(() => decodeKubernetesProtobuf(gz), 400, 'gzip');
  // A value out of range: a MicroTime with nanos past a second.
  assertStatus(() => decodeKubernetesProtobuf(body('coordination.k8s.io/v1', 'Lease', pb.msg(2, pb.msg(3, pb.int(1, T), pb.int(2, 2e9))))), 400, 'spec.acquireTime');
});

test('the kinds the brief names all have descriptors', () => {
  const kinds = new Set(supportedProtobufKinds());
  for (const k of [
    'v1 Namespace', 'v1 ConfigMap', 'v1 Secret', 'v1 Service', 'v1 ServiceAccount', 'v1 ResourceQuota', 'v1 Pod',
    'apps/v1 Deployment', 'batch/v1 Job', 'batch/v1 CronJob',
    'rbac.authorization.k8s.io/v1 Role', 'rbac.authorization.k8s.io/v1 ClusterRole',
    'rbac.authorization.k8s.io/v1 RoleBinding', 'rbac.authorization.k8s.io/v1 ClusterRoleBinding',
    'scheduling.k8s.io/v1 PriorityClass', 'policy/v1 PodDisruptionBudget', 'policy/v1 Eviction',
    'networking.k8s.io/v1 Ingress', 'authentication.k8s.io/v1 TokenRequest', 'meta DeleteOptions',
  ]) {
    assert.ok(kinds.has(k), k);
  }
});
