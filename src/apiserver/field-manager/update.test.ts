import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import {
  builtinEmptyObject,
  builtinListMeta,
  listMetaFromSchema,
  recordUpdate,
  type ManagedFieldsEntry,
  type RecordUpdateInput,
} from './index.js';

type Obj = Record<string, unknown>;

const y = (text: string) => parse(text) as Obj;

/** The object with these managedFields. */
function withManaged(obj: Obj, managedFields: unknown): Obj {
  return { ...obj, metadata: { ...(obj.metadata as Obj), managedFields } };
}

function entry(manager: string, operation: 'Apply' | 'Update', apiVersion: string, time: string | undefined, fieldsV1: Obj, subresource?: string): ManagedFieldsEntry {
  return {
    manager,
    operation,
    apiVersion,
    ...(time ? { time } : {}),
    fieldsType: 'FieldsV1',
    fieldsV1,
    ...(subresource ? { subresource } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Creates, compared with what kube recorded for the same objects

/** `kubectl create deployment hello-world --image=…`, as the field manager sees it (decoded and defaulted). */
const HELLO_WORLD = y(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: hello-world, namespace: default, labels: {app: hello-world}, creationTimestamp: "2023-03-31T00:50:27Z", generation: 1, uid: 7f1c}
spec:
  replicas: 1
  selector: {matchLabels: {app: hello-world}}
  strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 25%, maxSurge: 25%}}
  template:
    metadata: {creationTimestamp: null, labels: {app: hello-world}}
    spec:
      containers:
      - {name: hello-app, image: "gcr.io/google-samples/hello-app:1.0", resources: {}, terminationMessagePath: /dev/termination-log, terminationMessagePolicy: File, imagePullPolicy: IfNotPresent}
      restartPolicy: Always
      terminationGracePeriodSeconds: 30
      dnsPolicy: ClusterFirst
      securityContext: {}
      schedulerName: default-scheduler
  revisionHistoryLimit: 10
  progressDeadlineSeconds: 600
status: {}
`);

/** What kube recorded for it. */
const HELLO_WORLD_FIELDS = y(`
f:metadata: {f:labels: {.: {}, f:app: {}}}
f:spec:
  f:progressDeadlineSeconds: {}
  f:replicas: {}
  f:revisionHistoryLimit: {}
  f:selector: {}
  f:strategy: {f:rollingUpdate: {.: {}, f:maxSurge: {}, f:maxUnavailable: {}}, f:type: {}}
  f:template:
    f:metadata: {f:labels: {.: {}, f:app: {}}}
    f:spec:
      f:containers:
        k:{"name":"hello-app"}: {.: {}, f:image: {}, f:imagePullPolicy: {}, f:name: {}, f:resources: {}, f:terminationMessagePath: {}, f:terminationMessagePolicy: {}}
      f:dnsPolicy: {}
      f:restartPolicy: {}
      f:schedulerName: {}
      f:securityContext: {}
      f:terminationGracePeriodSeconds: {}
`);

/** `kubectl create -f pod.yaml` with one port. */
const MYFIRSTPOD = y(`
apiVersion: v1
kind: Pod
metadata: {name: myfirstpod, namespace: default, creationTimestamp: "2020-06-20T14:29:33Z", uid: 5ab7}
spec:
  containers:
  - {image: "aamirpinger/helloworld:latest", imagePullPolicy: Always, name: container1, ports: [{containerPort: 80, protocol: TCP}], resources: {}, terminationMessagePath: /dev/termination-log, terminationMessagePolicy: File}
  dnsPolicy: ClusterFirst
  enableServiceLinks: true
  restartPolicy: Always
  schedulerName: default-scheduler
  securityContext: {}
  terminationGracePeriodSeconds: 30
status: {phase: Pending, qosClass: BestEffort}
`);

const MYFIRSTPOD_FIELDS = y(`
f:spec:
  f:containers:
    k:{"name":"container1"}:
      .: {}
      f:image: {}
      f:imagePullPolicy: {}
      f:name: {}
      f:ports:
        .: {}
        k:{"containerPort":80,"protocol":"TCP"}: {.: {}, f:containerPort: {}, f:protocol: {}}
      f:resources: {}
      f:terminationMessagePath: {}
      f:terminationMessagePolicy: {}
  f:dnsPolicy: {}
  f:enableServiceLinks: {}
  f:restartPolicy: {}
  f:schedulerName: {}
  f:securityContext: {}
  f:terminationGracePeriodSeconds: {}
`);

/** The kubelet's status once the container runs. */
const MYFIRSTPOD_RUNNING = y(`
conditions:
- {lastProbeTime: null, lastTransitionTime: "2020-06-20T14:29:33Z", status: "True", type: Initialized}
- {lastProbeTime: null, lastTransitionTime: "2020-06-20T14:30:44Z", status: "True", type: Ready}
- {lastProbeTime: null, lastTransitionTime: "2020-06-20T14:30:44Z", status: "True", type: ContainersReady}
- {lastProbeTime: null, lastTransitionTime: "2020-06-20T14:29:33Z", status: "True", type: PodScheduled}
containerStatuses:
- {containerID: "docker://4bc0", image: "aamirpinger/helloworld:latest", imageID: "docker-pullable://aamirpinger/helloworld@sha256:32de", lastState: {}, name: container1, ready: true, restartCount: 0, started: true, state: {running: {startedAt: "2020-06-20T14:30:44Z"}}}
hostIP: 192.168.64.3
phase: Running
podIP: 172.17.0.4
podIPs: [{ip: 172.17.0.4}]
qosClass: BestEffort
startTime: "2020-06-20T14:29:33Z"
`);

const KUBELET_FIELDS = y(`
f:status:
  f:conditions:
    k:{"type":"ContainersReady"}: {.: {}, f:lastProbeTime: {}, f:lastTransitionTime: {}, f:status: {}, f:type: {}}
    k:{"type":"Initialized"}: {.: {}, f:lastProbeTime: {}, f:lastTransitionTime: {}, f:status: {}, f:type: {}}
    k:{"type":"Ready"}: {.: {}, f:lastProbeTime: {}, f:lastTransitionTime: {}, f:status: {}, f:type: {}}
  f:containerStatuses: {}
  f:hostIP: {}
  f:phase: {}
  f:podIP: {}
  f:podIPs:
    .: {}
    k:{"ip":"172.17.0.4"}: {.: {}, f:ip: {}}
  f:startTime: {}
`);

test('a create records what kube records', async (t) => {
  const cases: Record<string, { input: RecordUpdateInput; want: ManagedFieldsEntry[] }> = {
    'kubectl create deployment': {
      input: {
        updated: HELLO_WORLD,
        manager: 'kubectl-create',
        apiVersion: 'apps/v1',
        now: '2023-03-31T00:50:27Z',
        listMeta: builtinListMeta('apps', 'Deployment'),
        empty: builtinEmptyObject('apps', 'Deployment'),
        ignoredFields: [['status']],
      },
      want: [entry('kubectl-create', 'Update', 'apps/v1', '2023-03-31T00:50:27Z', HELLO_WORLD_FIELDS)],
    },
    'kubectl create -f pod.yaml (container port keyed with its protocol)': {
      input: {
        updated: MYFIRSTPOD,
        manager: 'kubectl',
        apiVersion: 'v1',
        now: new Date('2020-06-20T14:29:33.123Z'),
        listMeta: builtinListMeta('', 'Pod'),
        empty: builtinEmptyObject('', 'Pod'),
        ignoredFields: [['status']],
      },
      want: [entry('kubectl', 'Update', 'v1', '2020-06-20T14:29:33Z', MYFIRSTPOD_FIELDS)],
    },
    'kubectl create secret generic': {
      input: {
        updated: y('{apiVersion: v1, kind: Secret, metadata: {name: basic-auth, namespace: longhorn-system}, data: {auth: Z2RoYQ==}, type: Opaque}'),
        manager: 'kubectl-create',
        apiVersion: 'v1',
        now: '2021-04-09T15:38:05Z',
        listMeta: builtinListMeta('', 'Secret'),
        empty: builtinEmptyObject('', 'Secret'),
      },
      want: [entry('kubectl-create', 'Update', 'v1', '2021-04-09T15:38:05Z', y('{f:data: {.: {}, f:auth: {}}, f:type: {}}'))],
    },
    'a custom resource is compared with {}: spec is owned as a whole too': {
      input: {
        updated: y('{apiVersion: example.com/v1, kind: Widget, metadata: {name: w, labels: {a: b}}, spec: {size: 3}}'),
        manager: 'kubectl-create',
        apiVersion: 'example.com/v1',
        now: '2024-01-01T00:00:00Z',
        listMeta: listMetaFromSchema({ type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } }),
      },
      want: [entry('kubectl-create', 'Update', 'example.com/v1', '2024-01-01T00:00:00Z', y('{f:metadata: {f:labels: {.: {}, f:a: {}}}, f:spec: {.: {}, f:size: {}}}'))],
    },
  };
  for (const [name, { input, want }] of Object.entries(cases)) await t.test(name, () => assert.deepEqual(recordUpdate(input), want));
});

// ---------------------------------------------------------------------------------------------
// Writes to tracked objects

const DEPLOY = builtinListMeta('apps', 'Deployment');
const POD = builtinListMeta('', 'Pod');
const CM = builtinListMeta('', 'ConfigMap');

/** A ConfigMap with these managedFields. */
function configMap(data: Obj, managed?: unknown[], extra: Obj = {}): Obj {
  const metadata: Obj = { name: 'c', namespace: 'default', ...extra };
  if (managed) metadata.managedFields = managed;
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data };
}

const T0 = '2024-01-01T00:00:00Z';
const T1 = '2024-01-01T00:01:00Z';

test('a write takes the fields it changes', async (t) => {
  const podCreated = withManaged(MYFIRSTPOD, [entry('kubectl', 'Update', 'v1', '2020-06-20T14:29:33Z', MYFIRSTPOD_FIELDS)]);
  const scheduled = {
    ...podCreated,
    spec: { ...(podCreated.spec as Obj), nodeName: 'minikube' },
    status: { ...(podCreated.status as Obj), conditions: [{ lastProbeTime: null, lastTransitionTime: '2020-06-20T14:29:33Z', status: 'True', type: 'PodScheduled' }] },
  };
  const csaDeploy = withManaged(
    { ...HELLO_WORLD, spec: { ...(HELLO_WORLD.spec as Obj), replicas: 3 } },
    [entry('kubectl-client-side-apply', 'Update', 'apps/v1', '2023-12-30T12:42:13Z', HELLO_WORLD_FIELDS)],
  );
  const edited = { ...csaDeploy, spec: { ...(csaDeploy.spec as Obj), replicas: 5 } };
  const { 'f:replicas': _replicas, ...csaSpecWithoutReplicas } = HELLO_WORLD_FIELDS['f:spec'] as Obj;

  const cases: Record<string, { input: RecordUpdateInput; want: ManagedFieldsEntry[] }> = {
    'the kubelet writes pod status (kube recorded this entry)': {
      input: { live: scheduled, updated: { ...scheduled, status: MYFIRSTPOD_RUNNING }, manager: 'kubelet', apiVersion: 'v1', subresource: 'status', now: '2020-06-20T14:30:44Z', listMeta: POD },
      want: [
        entry('kubectl', 'Update', 'v1', '2020-06-20T14:29:33Z', MYFIRSTPOD_FIELDS),
        entry('kubelet', 'Update', 'v1', '2020-06-20T14:30:44Z', KUBELET_FIELDS, 'status'),
      ],
    },
    'kubectl edit takes replicas from client-side apply': {
      input: { live: csaDeploy, updated: edited, manager: 'kubectl-edit', apiVersion: 'apps/v1', now: '2023-12-30T12:48:19Z', listMeta: DEPLOY },
      want: [
        entry('kubectl-client-side-apply', 'Update', 'apps/v1', '2023-12-30T12:42:13Z', { ...HELLO_WORLD_FIELDS, 'f:spec': csaSpecWithoutReplicas }),
        entry('kubectl-edit', 'Update', 'apps/v1', '2023-12-30T12:48:19Z', { 'f:spec': { 'f:replicas': {} } }),
      ],
    },
    'a removed field leaves its owner; an emptied entry goes': {
      input: {
        live: configMap({ a: '1', b: '2' }, [entry('x', 'Update', 'v1', T0, { 'f:data': { '.': {}, 'f:a': {} } }), entry('y', 'Update', 'v1', T0, { 'f:data': { 'f:b': {} } })]),
        updated: configMap({ a: '1' }),
        manager: 'z',
        apiVersion: 'v1',
        now: T1,
        listMeta: CM,
      },
      want: [entry('x', 'Update', 'v1', T0, { 'f:data': { '.': {}, 'f:a': {} } })],
    },
    'the same manager with another version gets its own entry': {
      input: {
        live: configMap({ a: '1' }, [entry('ctl', 'Update', 'v1', T0, { 'f:data': { '.': {}, 'f:a': {} } })]),
        updated: configMap({ a: '1', b: '2' }),
        manager: 'ctl',
        apiVersion: 'v2',
        now: T1,
        listMeta: CM,
      },
      want: [entry('ctl', 'Update', 'v1', T0, { 'f:data': { '.': {}, 'f:a': {} } }), entry('ctl', 'Update', 'v2', T1, { 'f:data': { 'f:b': {} } })],
    },
    'a manager keeps what it had and its time moves': {
      input: {
        live: configMap({ a: '1' }, [entry('ctl', 'Update', 'v1', T0, { 'f:data': { '.': {}, 'f:a': {} } })]),
        updated: configMap({ a: '1', b: '2' }),
        manager: 'ctl',
        apiVersion: 'v1',
        now: T1,
        listMeta: CM,
      },
      want: [entry('ctl', 'Update', 'v1', T1, { 'f:data': { '.': {}, 'f:a': {}, 'f:b': {} } })],
    },
    'a write that changes nothing changes no entry': {
      input: {
        live: configMap({ a: '1' }, [entry('ctl', 'Update', 'v1', T0, { 'f:data': { '.': {}, 'f:a': {} } })]),
        updated: configMap({ a: '1' }),
        manager: 'other',
        apiVersion: 'v1',
        now: T1,
        listMeta: CM,
      },
      want: [entry('ctl', 'Update', 'v1', T0, { 'f:data': { '.': {}, 'f:a': {} } })],
    },
    'server-owned metadata is never tracked': {
      input: {
        live: configMap({}, [entry('ctl', 'Update', 'v1', T0, { 'f:data': {} })]),
        updated: configMap({}, undefined, { resourceVersion: '9', generation: 2, uid: 'u', labels: { l: 'v' } }),
        manager: 'other',
        apiVersion: 'v1',
        now: T1,
        listMeta: CM,
      },
      want: [entry('ctl', 'Update', 'v1', T0, { 'f:data': {} }), entry('other', 'Update', 'v1', T1, { 'f:metadata': { 'f:labels': { '.': {}, 'f:l': {} } } })],
    },
    'a manager without a name is "unknown"': {
      input: { updated: configMap({ a: '1' }), manager: '', apiVersion: 'v1', now: T0, listMeta: CM },
      want: [entry('unknown', 'Update', 'v1', T0, { 'f:data': { '.': {}, 'f:a': {} } })],
    },
    'ignored fields are not taken': {
      input: {
        live: withManaged({ ...HELLO_WORLD, status: {} }, [entry('a', 'Update', 'apps/v1', T0, { 'f:spec': { 'f:paused': {} } })]),
        updated: { ...HELLO_WORLD, status: { replicas: 1 } },
        manager: 'b',
        apiVersion: 'apps/v1',
        now: T1,
        listMeta: DEPLOY,
        ignoredFields: [['status']],
      },
      want: [entry('a', 'Update', 'apps/v1', T0, { 'f:spec': { 'f:paused': {} } })],
    },
  };
  for (const [name, { input, want }] of Object.entries(cases)) await t.test(name, () => assert.deepEqual(recordUpdate(input), want));

  await t.test('untouched entries are returned as they were', () => {
    const kept = entry('ctl', 'Update', 'v1', T0, { 'f:data': { '.': {}, 'f:a': {} } });
    const live = configMap({ a: '1' }, [kept]);
    const [out] = recordUpdate({ live, updated: configMap({ a: '1' }, [kept]), manager: 'x', apiVersion: 'v1', now: T1, listMeta: CM });
    assert.equal(out, kept);
  });
});

test('where tracking starts and stops', async (t) => {
  const tracked = configMap({ a: '1' }, [entry('ctl', 'Update', 'v1', T0, { 'f:data': { '.': {}, 'f:a': {} } })]);
  const base = { apiVersion: 'v1', now: T1, listMeta: CM, manager: 'me' };
  const cases: Record<string, { input: RecordUpdateInput; want: ManagedFieldsEntry[] }> = {
    'an untracked object stays untracked': {
      input: { ...base, live: configMap({ a: '1' }), updated: configMap({ a: '2' }) },
      want: [],
    },
    'an object with an empty managedFields list is untracked too': {
      input: { ...base, live: configMap({ a: '1' }, []), updated: configMap({ a: '2' }) },
      want: [],
    },
    '[] resets tracking': { input: { ...base, live: tracked, updated: configMap({ a: '2' }, []) }, want: [] },
    '[{}] resets tracking': { input: { ...base, live: tracked, updated: configMap({ a: '2' }, [{}]) }, want: [] },
    'managedFields that do not decode are ignored for the live ones': {
      input: { ...base, live: tracked, updated: configMap({ a: '1' }, [{ manager: 'm', operation: 'Replace', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: {} }]) },
      want: [entry('ctl', 'Update', 'v1', T0, { 'f:data': { '.': {}, 'f:a': {} } })],
    },
    'a subresource write cannot set managedFields': {
      input: { ...base, subresource: 'status', live: tracked, updated: configMap({ a: '1' }, [entry('forged', 'Apply', 'v1', T0, { 'f:data': {} })]) },
      want: [entry('ctl', 'Update', 'v1', T0, { 'f:data': { '.': {}, 'f:a': {} } })],
    },
    'written managedFields are taken as they are (times normalised, entries sorted)': {
      input: {
        ...base,
        live: tracked,
        updated: configMap({ a: '1' }, [
          entry('z', 'Update', 'v1', '2024-01-01T01:00:00+01:00', { 'f:data': { 'f:a': {} } }),
          entry('kubectl', 'Apply', 'v1', undefined, { 'f:data': { 'f:a': {} } }),
        ]),
      },
      want: [entry('kubectl', 'Apply', 'v1', undefined, { 'f:data': { 'f:a': {} } }), entry('z', 'Update', 'v1', '2024-01-01T00:00:00Z', { 'f:data': { 'f:a': {} } })],
    },
    'an object the list types do not fit loses its managedFields': {
      input: {
        ...base,
        listMeta: listMetaFromSchema({ type: 'object', properties: { items: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['id'] } } }),
        live: { apiVersion: 'v1', kind: 'X', metadata: { managedFields: [entry('ctl', 'Update', 'v1', T0, { 'f:items': {} })] } },
        updated: { apiVersion: 'v1', kind: 'X', metadata: {}, items: [{ noKey: true }] },
      },
      want: [],
    },
  };
  for (const [name, { input, want }] of Object.entries(cases)) await t.test(name, () => assert.deepEqual(recordUpdate(input), want));
});

/**
 * kubectl's csaupgrade sends a JSON patch that rewrites managedFields; the result must be stored
 * as sent. Objects from k8s.io/client-go util/csaupgrade upgrade_test.go.
 */
test('managedFields rewritten by kubectl csaupgrade are kept', async (t) => {
  const LAST = '{"apiVersion":"v1","data":{"key":"value","legacy":"unused"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"test","namespace":"default"}}\n';
  const cm = (managedFields: unknown): Obj => ({
    apiVersion: 'v1',
    data: {},
    kind: 'ConfigMap',
    metadata: {
      resourceVersion: '1',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': LAST },
      creationTimestamp: '2022-08-22T23:08:23Z',
      managedFields,
      name: 'test',
      namespace: 'default',
    },
  });
  const full = y('{f:data: {.: {}, f:key: {}, f:legacy: {}}, f:metadata: {f:annotations: {.: {}, f:kubectl.kubernetes.io/last-applied-configuration: {}}}}');
  const keyOnly = y('{f:data: {.: {}, f:key: {}}, f:metadata: {f:annotations: {.: {}, f:kubectl.kubernetes.io/last-applied-configuration: {}}}}');
  const cases: Record<string, { before: ManagedFieldsEntry[]; after: ManagedFieldsEntry[] }> = {
    'csa-basic-direct-conversion': {
      before: [entry('kubectl-client-side-apply', 'Update', 'v1', '2022-08-22T23:08:23Z', full)],
      after: [entry('kubectl', 'Apply', 'v1', '2022-08-22T23:08:23Z', full)],
    },
    'csa-combine-with-ssa-additional-keys': {
      before: [entry('kubectl', 'Apply', 'v1', '2022-08-23T23:08:23Z', keyOnly), entry('kubectl-client-side-apply', 'Update', 'v1', '2022-08-22T23:08:23Z', full)],
      after: [entry('kubectl', 'Apply', 'v1', '2022-08-23T23:08:23Z', full)],
    },
  };
  for (const [name, { before, after }] of Object.entries(cases)) {
    await t.test(name, () => {
      const got = recordUpdate({ live: cm(before), updated: cm(after), manager: 'kubectl', apiVersion: 'v1', now: '2024-01-01T00:00:00Z', listMeta: CM });
      assert.deepEqual(got, after);
    });
  }
});

test('Update entries are capped at ten, the oldest merged into ancient-changes', () => {
  const managers = Array.from({ length: 10 }, (_, i) =>
    entry(`m${i}`, 'Update', 'v1', `2024-01-01T00:00:${String(i).padStart(2, '0')}Z`, { 'f:data': { [`f:k${i}`]: {} } }),
  );
  const data = Object.fromEntries(managers.map((_, i) => [`k${i}`, 'v']));
  const got = recordUpdate({
    live: configMap(data, managers),
    updated: configMap({ ...data, k10: 'v' }, managers),
    manager: 'm10',
    apiVersion: 'v1',
    now: '2024-01-01T00:01:00Z',
    listMeta: CM,
  });
  assert.equal(got.length, 10);
  assert.deepEqual(got[0], entry('ancient-changes', 'Update', 'v1', '2024-01-01T00:00:01Z', { 'f:data': { 'f:k0': {}, 'f:k1': {} } }));
  assert.deepEqual(
    got.map((e) => e.manager),
    ['ancient-changes', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9', 'm10'],
  );
});
