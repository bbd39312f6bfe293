/**
 * Timing of the field manager on a pod-sized object (not a test): every write goes through
 * recordUpdate. Run: `node dist/src/apiserver/field-manager/bench.js`.
 */
import { apply, builtinEmptyObject, builtinListMeta, recordUpdate } from './index.js';

type Obj = Record<string, unknown>;

const POD = builtinListMeta('', 'Pod');

function pod(): Obj {
  const container = (name: string, port: number) => ({
    name,
    image: `registry.example.com/${name}:1.2.3`,
    imagePullPolicy: 'IfNotPresent',
    args: ['--port', String(port), '--verbose'],
    env: [
      { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      { name: 'MODE', value: 'production' },
      { name: 'LEVEL', value: 'info' },
    ],
    ports: [{ containerPort: port, name: 'http', protocol: 'TCP' }],
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    readinessProbe: { httpGet: { path: '/healthz', port, scheme: 'HTTP' }, periodSeconds: 10, timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3 },
    volumeMounts: [{ name: 'config', mountPath: '/etc/app' }, { name: 'kube-api-access', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true }],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  });
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-7f9c6d5b8-x2x9q',
      generateName: 'web-7f9c6d5b8-',
      namespace: 'default',
      uid: '6e1a2c1e-8d0b-4a51-9d4a-3f0f2b1b9f3a',
      resourceVersion: '12345',
      creationTimestamp: '2024-01-01T00:00:00Z',
      labels: { app: 'web', 'pod-template-hash': '7f9c6d5b8', tier: 'frontend' },
      annotations: { 'prometheus.io/scrape': 'true' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-7f9c6d5b8', uid: 'c0ffee00-1111-2222-3333-444455556666', controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      containers: [container('web', 8080), container('sidecar', 9090)],
      volumes: [{ name: 'config', configMap: { name: 'web-config', defaultMode: 420 } }, { name: 'kube-api-access', projected: { defaultMode: 420, sources: [{ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } }] } }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      serviceAccount: 'default',
      nodeName: 'node-1',
      securityContext: {},
      schedulerName: 'default-scheduler',
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
    },
    status: { phase: 'Pending', qosClass: 'Burstable' },
  };
}

function running(p: Obj, restarts: number): Obj {
  const cond = (type: string) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: '2024-01-01T00:00:05Z' });
  return {
    ...p,
    status: {
      phase: 'Running',
      qosClass: 'Burstable',
      conditions: ['Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(cond),
      hostIP: '10.0.0.1',
      hostIPs: [{ ip: '10.0.0.1' }],
      podIP: '10.244.1.7',
      podIPs: [{ ip: '10.244.1.7' }],
      startTime: '2024-01-01T00:00:01Z',
      containerStatuses: ['web', 'sidecar'].map((name) => ({
        name,
        ready: true,
        restartCount: restarts,
        started: true,
        image: `registry.example.com/${name}:1.2.3`,
        imageID: `registry.example.com/${name}@sha256:abc`,
        containerID: `containerd://${name}`,
        state: { running: { startedAt: '2024-01-01T00:00:04Z' } },
        lastState: {},
      })),
    },
  };
}

function withManaged(obj: Obj, managedFields: unknown): Obj {
  return { ...obj, metadata: { ...(obj.metadata as Obj), managedFields } };
}

/**
 * Times `fn` on fresh inputs, as a store hands them out (parsed from JSON), made in batches before
 * the clock starts; reports the median batch after a warm-up. The machine's load shows: compare
 * runs, not single numbers.
 */
function time<T>(name: string, iterations: number, make: () => T, fn: (input: T) => unknown): void {
  const batch = 100;
  const samples: number[] = [];
  for (let i = 0; i < iterations / 4; i++) fn(make()); // warm-up
  for (let round = 0; round < iterations / batch; round++) {
    const inputs = Array.from({ length: batch }, make);
    const start = process.hrtime.bigint();
    for (const input of inputs) fn(input);
    samples.push(Number(process.hrtime.bigint() - start) / 1000 / batch);
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  console.log(`${name.padEnd(52)} ${median.toFixed(1).padStart(7)} µs/op`);
}

const created = pod();
const createdManaged = recordUpdate({ updated: created, manager: 'kube-controller-manager', apiVersion: 'v1', now: '2024-01-01T00:00:00Z', listMeta: POD, empty: builtinEmptyObject('', 'Pod'), ignoredFields: [['status']] });
const live1 = withManaged(created, createdManaged);
const run1 = running(live1, 0);
const statusManaged = recordUpdate({ live: live1, updated: run1, manager: 'kubelet', apiVersion: 'v1', subresource: 'status', now: '2024-01-01T00:00:05Z', listMeta: POD });
const live = withManaged(run1, statusManaged);
const fromStore = () => JSON.parse(JSON.stringify(live)) as Obj;

console.log(`pod: ${JSON.stringify(live).length} bytes of JSON, ${statusManaged.length} managedFields entries`);
const base = { apiVersion: 'v1', now: '2024-01-01T00:02:00Z', listMeta: POD };
time('create (compared with the empty Pod)', 5000, () => JSON.parse(JSON.stringify(created)) as Obj, (updated) =>
  recordUpdate({ ...base, updated, manager: 'kube-controller-manager', empty: builtinEmptyObject('', 'Pod') }),
);
time('status update: a restart count', 5000, () => {
  const before = fromStore();
  return { before, after: running(fromStore(), 1) };
}, ({ before, after }) => recordUpdate({ ...base, live: before, updated: after, manager: 'kubelet', subresource: 'status' }));
time('label patch (managedFields copied by the patch)', 5000, () => {
  const after = fromStore();
  ((after.metadata as Obj).labels as Obj).release = 'canary';
  return { before: fromStore(), after };
}, ({ before, after }) => recordUpdate({ ...base, live: before, updated: after, manager: 'kubectl-label' }));
time('update without managedFields in the body', 5000, () => {
  const after = fromStore();
  delete (after.metadata as Obj).managedFields;
  (after.spec as Obj).activeDeadlineSeconds = 60;
  return { before: fromStore(), after };
}, ({ before, after }) => recordUpdate({ ...base, live: before, updated: after, manager: 'kubectl-replace' }));
time('update that changes nothing', 5000, () => ({ before: fromStore(), after: fromStore() }), ({ before, after }) =>
  recordUpdate({ ...base, live: before, updated: after, manager: 'x' }),
);
const config: Obj = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-7f9c6d5b8-x2x9q', namespace: 'default', labels: { team: 'a' } } };
time('server-side apply of one label', 2000, fromStore, (before) =>
  apply({ ...base, live: before, config, manager: 'kubectl', force: false }),
);
