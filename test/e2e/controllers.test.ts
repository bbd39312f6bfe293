/**
 * kube-controller-manager's workload controllers (src/cluster/controllers) against `flotilla up`,
 * driven and checked with the real kubectl: `rollout status`, `scale`, a rolling update watched
 * pod by pod, `rollout undo` and `rollout history`, `get rs`, Endpoints and EndpointSlices, a Job,
 * a DaemonSet and a StatefulSet.
 *
 * There is no node agent yet, so this file plays the kubelet itself, as KWOK does: a small
 * controller in the test process binds unscheduled pods to the Nodes it created (pods/binding),
 * reports them Running and Ready with an IP, completes Job pods (Succeeded), and finishes the
 * graceful deletion of pods being deleted; pods of an image tagged `broken` stay Pending
 * (ErrImagePull). The controllers run in the test process too, on the cluster's kubeconfig; the
 * CronJob controller runs in a second manager whose clock the CronJob test sets (half a minute
 * past the next minute), so a schedule falls due without waiting. Set
 * FLOTILLA_TEST_LOG=/path/to/file for the controllers' debug log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import {
  createClient,
  createController,
  createInformer,
  createLogger,
  createManager,
  isConflict,
  isNotFound,
  kinds,
  type Client,
  type Informer,
  type KObject,
  type Manager,
  type ResourceType,
} from '../../src/runtime/index.js';
import { registerCoreControllers } from '../../src/cluster/controllers/index.js';
import { sharedCluster, waitFor } from '../support/cluster.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const NODES = ['kwok-node-0', 'kwok-node-1'];

let manager: Manager | undefined;
let cronManager: Manager | undefined;
/** The CronJob controller's clock, when a test sets it (else the real one). */
let cronClock: number | undefined;
let kubelet: FakeKubelet | undefined;
let client: Client;
let pods: Informer<KObject>;
let log: WriteStream | undefined;
const stopWatching = new AbortController();

const e2e = await sharedCluster({
  dirPrefix: 'flotilla-controllers-',
  async setup(cluster) {
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfig);
    log = createWriteStream(process.env.FLOTILLA_TEST_LOG || join(cluster.dir, 'controllers.log'));
    const logger = createLogger({ destination: log, level: process.env.FLOTILLA_TEST_LOG ? 'debug' : 'info', pretty: false });
    manager = createManager({ kubeConfig: kc, name: 'kube-controller-manager', logger, port: 0 });
    registerCoreControllers(manager, { controllers: ['deployment', 'replicaset', 'endpoints', 'endpointslice', 'job', 'daemonset', 'statefulset'] });
    await manager.start();
    cronManager = createManager({ kubeConfig: kc, name: 'kube-controller-manager-cron', logger });
    registerCoreControllers(cronManager, { controllers: ['cronjob'], now: () => cronClock ?? Date.now() });
    await cronManager.start();
    client = createClient(kc, { fieldManager: 'controllers-e2e' });
    kubelet = await startFakeKubelet(client, NODES);
    pods = createInformer<KObject>(client, kinds.pods);
    void pods.run(stopWatching.signal);
    await pods.waitForSync();
  },
});
const { skip, ok, run, onCleanup } = e2e;

onCleanup(async () => {
  stopWatching.abort();
  await kubelet?.stop();
  await cronManager?.stop();
  await manager?.stop();
  await new Promise((r) => (log ? log.end(r) : r(undefined)));
});

// ---- the fake kubelet ---------------------------------------------------------------------------

interface FakeKubelet {
  stop(): Promise<void>;
}

const bindingOf = (name: string): ResourceType => ({ apiVersion: 'v1', kind: 'Binding', plural: `pods/${encodeURIComponent(name)}/binding` });
const nodeIP = (node: string) => `10.0.0.${NODES.indexOf(node) + 1}`;
const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/** Create the Nodes (Ready) and start a controller that plays their kubelet. */
async function startFakeKubelet(c: Client, nodes: string[]): Promise<FakeKubelet> {
  for (const name of nodes) {
    let node: Json;
    try {
      node = await c.create(kinds.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, type: 'kwok' } } } as KObject);
    } catch (e) {
      node = await c.get(kinds.nodes, '', name);
    }
    node.status = {
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now(), lastTransitionTime: now() }],
      addresses: [{ type: 'InternalIP', address: nodeIP(name) }, { type: 'Hostname', address: name }],
      capacity: { cpu: '32', memory: '256Gi', pods: '110' },
      allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
      nodeInfo: { kubeletVersion: 'v1.32.0-kwok', architecture: 'amd64', operatingSystem: 'linux' },
    };
    await c.updateStatus(kinds.nodes, node);
  }
  const informer = createInformer<KObject>(c, kinds.pods);
  let nextIP = 2;
  let rr = 0;
  const ips = new Map<string, string>();
  const controller = createController({
    name: 'fake-kubelet',
    workers: 4,
    reconciler: async (req) => {
      const pod = informer.get(req.namespace, req.name) as Json;
      if (!pod) return {};
      try {
        if (pod.metadata.deletionTimestamp) {
          // The containers stopped: finish the graceful deletion, as the kubelet does.
          if (pod.spec.nodeName) await c.delete(kinds.pods, req.namespace, req.name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
          return {};
        }
        if (!pod.spec.nodeName) {
          const pinned = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.find((f: Json) => f.key === 'metadata.name')?.values?.[0];
          const target = pinned ?? nodes[rr++ % nodes.length];
          await c.create(bindingOf(req.name), { apiVersion: 'v1', kind: 'Binding', metadata: { name: req.name, namespace: req.namespace }, target: { apiVersion: 'v1', kind: 'Node', name: target } } as KObject);
          return {};
        }
        if (!nodes.includes(pod.spec.nodeName)) return {};
        const phase = pod.status?.phase;
        if (phase === 'Pending' && pod.spec.containers.some((ct: Json) => /:broken$/.test(ct.image))) {
          if (pod.status.containerStatuses) return {};
          const containerStatuses = pod.spec.containers.map((ct: Json) => ({ name: ct.name, image: ct.image, imageID: '', ready: false, started: false, restartCount: 0, state: { waiting: { reason: 'ErrImagePull', message: `failed to pull image "${ct.image}"` } } }));
          await c.updateStatus(kinds.pods, { ...pod, status: { ...pod.status, hostIP: nodeIP(pod.spec.nodeName), containerStatuses } });
          return {};
        }
        if (phase === 'Pending') {
          const uid = pod.metadata.uid;
          if (!ips.has(uid)) ips.set(uid, `10.244.${Math.floor(nextIP / 250)}.${(nextIP++ % 250) + 1}`);
          const ip = ips.get(uid)!;
          const t = now();
          const status = {
            ...pod.status,
            phase: 'Running',
            hostIP: nodeIP(pod.spec.nodeName),
            hostIPs: [{ ip: nodeIP(pod.spec.nodeName) }],
            podIP: ip,
            podIPs: [{ ip }],
            startTime: t,
            conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: t })),
            containerStatuses: pod.spec.containers.map((ct: Json) => ({
              name: ct.name,
              image: ct.image,
              imageID: `docker.io/library/${ct.image}@sha256:${'0'.repeat(64)}`,
              containerID: `containerd://${uid.replace(/-/g, '')}`,
              ready: true,
              started: true,
              restartCount: 0,
              state: { running: { startedAt: t } },
            })),
          };
          await c.updateStatus(kinds.pods, { ...pod, status });
          return {};
        }
        if (phase === 'Running' && pod.metadata.labels?.['batch.kubernetes.io/job-name']) {
          // A Job's container runs to completion.
          const t = now();
          const status = {
            ...pod.status,
            phase: 'Succeeded',
            conditions: pod.status.conditions.map((cd: Json) => (cd.type === 'Ready' || cd.type === 'ContainersReady' ? { ...cd, status: 'False', reason: 'PodCompleted', lastTransitionTime: t } : cd)),
            containerStatuses: pod.status.containerStatuses.map((cs: Json) => ({
              ...cs,
              ready: false,
              started: false,
              state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: cs.state?.running?.startedAt ?? t, finishedAt: t, containerID: cs.containerID } },
            })),
          };
          await c.updateStatus(kinds.pods, { ...pod, status });
        }
        return {};
      } catch (e) {
        if (isConflict(e) || isNotFound(e)) return { requeueAfterMs: 20 };
        throw e;
      }
    },
  });
  controller.watch(informer);
  const stop = new AbortController();
  const running = Promise.all([informer.run(stop.signal), controller.start(stop.signal)]);
  await informer.waitForSync();
  return {
    async stop() {
      stop.abort();
      await running;
    },
  };
}

// ---- helpers ------------------------------------------------------------------------------------

async function namespace(name: string): Promise<void> {
  await ok(['apply', '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${name}\n`);
}

function deployment(o: { image?: string; replicas?: number; maxSurge?: number | string; maxUnavailable?: number | string; strategy?: string } = {}): string {
  const strategy =
    o.strategy === 'Recreate'
      ? '  strategy: {type: Recreate}'
      : `  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: ${JSON.stringify(o.maxSurge ?? '25%')}, maxUnavailable: ${JSON.stringify(o.maxUnavailable ?? '25%')}}}`;
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    '  labels: {app: web}',
    'spec:',
    `  replicas: ${o.replicas ?? 3}`,
    '  selector: {matchLabels: {app: web}}',
    strategy,
    '  template:',
    '    metadata: {labels: {app: web}}',
    '    spec:',
    '      containers:',
    '      - name: nginx',
    `        image: ${o.image ?? 'nginx:1.25'}`,
    '        ports: [{name: http, containerPort: 8080}]',
    '',
  ].join('\n');
}

const lines = (s: string): string[] => s.split('\n').filter((l) => l.trim().length > 0);
const cells = (line: string): string[] => line.trim().split(/\s{2,}/);

async function getJson(args: string[]): Promise<Json> {
  return JSON.parse(await ok([...args, '-o', 'json']));
}

function rolloutStatus(ns: string, what: string): Promise<string> {
  return ok(['rollout', 'status', what, '-n', ns, '--timeout=60s']);
}

// ---- Deployments --------------------------------------------------------------------------------

const NS = 'rollouts';

test('kubectl apply a Deployment, then `rollout status` completes', { skip }, async () => {
  await namespace(NS);
  await ok(['apply', '-n', NS, '-f', '-'], deployment());
  const out = await rolloutStatus(NS, 'deployment/web');
  assert.match(out, /deployment "web" successfully rolled out\n$/);
  const d = await getJson(['get', 'deployment', 'web', '-n', NS]);
  assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '1');
  assert.equal(d.status.observedGeneration, d.metadata.generation);
  assert.deepEqual(
    [d.status.replicas, d.status.updatedReplicas, d.status.readyReplicas, d.status.availableReplicas, d.status.unavailableReplicas],
    [3, 3, 3, 3, undefined],
  );
  const conditions = Object.fromEntries(d.status.conditions.map((c: Json) => [c.type, `${c.status}/${c.reason}`]));
  assert.deepEqual(conditions, { Available: 'True/MinimumReplicasAvailable', Progressing: 'True/NewReplicaSetAvailable' });

  const getDeploy = lines(await ok(['get', 'deploy', '-n', NS]));
  assert.deepEqual(cells(getDeploy[0]), ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
  assert.deepEqual(cells(getDeploy[1]).slice(0, 4), ['web', '3/3', '3', '3']);
});

test('kubectl get rs: `<deploy>-<pod-template-hash>` with DESIRED, CURRENT, READY; pods `<rs>-<5 random>`', { skip }, async () => {
  const rs = lines(await ok(['get', 'rs', '-n', NS]));
  assert.deepEqual(cells(rs[0]), ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
  assert.equal(rs.length, 2, rs.join('\n'));
  const [name, desired, current, ready] = cells(rs[1]);
  assert.match(name, /^web-[456789bcdf]{6,10}$/);
  assert.deepEqual([desired, current, ready], ['3', '3', '3']);
  const rsJson = await getJson(['get', 'rs', name, '-n', NS]);
  const hash = rsJson.metadata.labels['pod-template-hash'];
  assert.equal(name, `web-${hash}`);
  assert.deepEqual(rsJson.spec.selector.matchLabels, { app: 'web', 'pod-template-hash': hash });
  assert.deepEqual(rsJson.metadata.ownerReferences.map((r: Json) => [r.kind, r.name, r.controller, r.blockOwnerDeletion]), [['Deployment', 'web', true, true]]);
  assert.equal(rsJson.metadata.annotations['deployment.kubernetes.io/desired-replicas'], '3');
  assert.equal(rsJson.metadata.annotations['deployment.kubernetes.io/max-replicas'], '4');

  const podList = await getJson(['get', 'pods', '-n', NS, '-l', 'app=web']);
  assert.equal(podList.items.length, 3);
  for (const p of podList.items) {
    assert.match(p.metadata.name, new RegExp(`^${name}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
    assert.deepEqual(p.metadata.ownerReferences.map((r: Json) => [r.kind, r.name, r.controller, r.blockOwnerDeletion]), [['ReplicaSet', name, true, true]]);
  }
  const events = await ok(['get', 'events', '-n', NS, '--field-selector', 'involvedObject.kind=Deployment', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
  assert.match(events, new RegExp(`ScalingReplicaSet: Scaled up replica set ${name} from 0 to 3`));
});

test('kubectl scale: the Deployment and its replica set follow', { skip }, async () => {
  assert.match(await ok(['scale', 'deployment/web', '-n', NS, '--replicas=5']), /deployment.apps\/web scaled/);
  await rolloutStatus(NS, 'deployment/web');
  const d = lines(await ok(['get', 'deploy', 'web', '-n', NS, '--no-headers']));
  assert.deepEqual(cells(d[0]).slice(0, 4), ['web', '5/5', '5', '5']);
  const rs = await getJson(['get', 'rs', '-n', NS]);
  assert.equal(rs.items.length, 1);
  assert.deepEqual([rs.items[0].spec.replicas, rs.items[0].status.readyReplicas], [5, 5]);
});

test('a rolling update keeps availability ≥ replicas − maxUnavailable and pods ≤ replicas + maxSurge', { skip }, async () => {
  // 5 replicas, maxSurge 25% → ceil(1.25) = 2, maxUnavailable 25% → floor(1.25) = 1:
  // at most 7 pods, at least 4 available at every moment.
  const replicas = 5;
  const maxPods = replicas + 2;
  const minAvailable = replicas - 1;
  const observations: string[] = [];
  let maxSeen = 0;
  let minAvailableSeen = Infinity;
  let maxSpecSum = 0;
  const check = () => {
    const live = pods.list({ namespace: NS }).filter((p: Json) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    const available = live.filter((p: Json) => p.status?.conditions?.some((c: Json) => c.type === 'Ready' && c.status === 'True'));
    maxSeen = Math.max(maxSeen, live.length);
    minAvailableSeen = Math.min(minAvailableSeen, available.length);
    observations.push(`${live.length} live, ${available.length} available`);
  };
  const rsInformer = createInformer<KObject>(client, kinds.replicaSets, { namespace: NS });
  const watchStop = new AbortController();
  void rsInformer.run(watchStop.signal);
  await rsInformer.waitForSync();
  const checkRS = () => {
    const sum = rsInformer.list().reduce((n, rs: Json) => n + (rs.spec?.replicas ?? 0), 0);
    maxSpecSum = Math.max(maxSpecSum, sum);
  };
  const removePods = pods.addEventHandler({ onAdd: check, onUpdate: check, onDelete: check });
  const removeRS = rsInformer.addEventHandler({ onAdd: checkRS, onUpdate: checkRS, onDelete: checkRS });
  try {
    await ok(['set', 'image', 'deployment/web', '-n', NS, 'nginx=nginx:1.26']);
    const out = await rolloutStatus(NS, 'deployment/web');
    assert.match(out, /deployment "web" successfully rolled out/);
  } finally {
    removePods();
    removeRS();
    watchStop.abort();
  }
  const diagnose = async () => {
    const ev = await ok(['get', 'events', '-n', NS, '--sort-by=.metadata.creationTimestamp', '-o', 'jsonpath={range .items[*]}{.involvedObject.kind}/{.involvedObject.name} {.reason}: {.message}{"\\n"}{end}']);
    return `observed: ${observations.join('; ')}\nevents:\n${ev}`;
  };
  assert.ok(observations.length > 10, `the rollout was watched: ${observations.join('; ')}`);
  if (maxSeen > maxPods) assert.fail(`at most ${maxPods} pods, saw ${maxSeen}\n${await diagnose()}`);
  if (minAvailableSeen < minAvailable) assert.fail(`at least ${minAvailable} available, saw ${minAvailableSeen}\n${await diagnose()}`);
  assert.ok(maxSpecSum <= maxPods, `replica sets' replicas summed to ${maxSpecSum} > ${maxPods}`);


  const d = await getJson(['get', 'deployment', 'web', '-n', NS]);
  assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '2');
  const rs = lines(await ok(['get', 'rs', '-n', NS, '--no-headers', '-o', 'custom-columns=NAME:.metadata.name,DESIRED:.spec.replicas,REV:.metadata.annotations.deployment\\.kubernetes\\.io/revision,IMAGE:.spec.template.spec.containers[0].image', '--sort-by=.metadata.annotations.deployment\\.kubernetes\\.io/revision']));
  assert.equal(rs.length, 2);
  assert.deepEqual(cells(rs[0]).slice(1), ['0', '1', 'nginx:1.25']);
  assert.deepEqual(cells(rs[1]).slice(1), ['5', '2', 'nginx:1.26']);
  await waitFor('only new pods', async () => {
    const items = (await getJson(['get', 'pods', '-n', NS])).items;
    return items.length === 5 && items.every((p: Json) => p.spec.containers[0].image === 'nginx:1.26');
  });
});

test('kubectl rollout history lists the revisions', { skip }, async () => {
  const out = lines(await ok(['rollout', 'history', 'deployment/web', '-n', NS]));
  assert.equal(out[0], 'deployment.apps/web ');
  assert.deepEqual(cells(out[1]), ['REVISION', 'CHANGE-CAUSE']);
  assert.deepEqual(out.slice(2).map(cells), [['1', '<none>'], ['2', '<none>']]);
  const rev1 = await ok(['rollout', 'history', 'deployment/web', '-n', NS, '--revision=1']);
  assert.match(rev1, /Image:\s+nginx:1\.25/);
});

test('kubectl rollout undo: the old replica set comes back with a new revision', { skip }, async () => {
  const rsBefore = await getJson(['get', 'rs', '-n', NS]);
  const oldRS = rsBefore.items.find((r: Json) => r.spec.template.spec.containers[0].image === 'nginx:1.25');
  assert.match(await ok(['rollout', 'undo', 'deployment/web', '-n', NS]), /deployment.apps\/web rolled back/);
  await rolloutStatus(NS, 'deployment/web');
  const d = await getJson(['get', 'deployment', 'web', '-n', NS]);
  assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.25');
  await waitFor('the Deployment at revision 3', async () => (await getJson(['get', 'deployment', 'web', '-n', NS])).metadata.annotations['deployment.kubernetes.io/revision'] === '3');
  const rs = await getJson(['get', 'rs', oldRS.metadata.name, '-n', NS]);
  assert.equal(rs.metadata.uid, oldRS.metadata.uid, 'the same replica set is reused');
  assert.equal(rs.metadata.annotations['deployment.kubernetes.io/revision'], '3');
  assert.equal(rs.metadata.annotations['deployment.kubernetes.io/revision-history'], '1');
  assert.equal(rs.spec.replicas, 5);
  const history = lines(await ok(['rollout', 'history', 'deployment/web', '-n', NS]));
  assert.deepEqual(history.slice(2).map(cells), [['2', '<none>'], ['3', '<none>']]);
});

test('pause and resume: no rollout while paused', { skip }, async () => {
  await ok(['rollout', 'pause', 'deployment/web', '-n', NS]);
  await ok(['set', 'image', 'deployment/web', '-n', NS, 'nginx=nginx:1.27']);
  await waitFor('the Progressing condition to say DeploymentPaused', async () => {
    const d = await getJson(['get', 'deployment', 'web', '-n', NS]);
    return d.status.observedGeneration === d.metadata.generation && d.status.conditions.some((c: Json) => c.type === 'Progressing' && c.reason === 'DeploymentPaused');
  });
  assert.equal((await getJson(['get', 'rs', '-n', NS])).items.length, 2, 'no new replica set while paused');
  await ok(['rollout', 'resume', 'deployment/web', '-n', NS]);
  await rolloutStatus(NS, 'deployment/web');
  const d = await getJson(['get', 'deployment', 'web', '-n', NS]);
  assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '4');
});

// ---- Endpoints ----------------------------------------------------------------------------------

test('Endpoints and EndpointSlices list the ready pods by IP, with the named target port', { skip }, async () => {
  await ok(['apply', '-n', NS, '-f', '-'], 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports:\n  - {name: http, port: 80, targetPort: http}\n');
  const expected = async () =>
    (await getJson(['get', 'pods', '-n', NS, '-l', 'app=web'])).items
      .filter((p: Json) => !p.metadata.deletionTimestamp && p.status.conditions?.some((c: Json) => c.type === 'Ready' && c.status === 'True'))
      .map((p: Json) => p.status.podIP)
      .sort();
  const ips = await waitFor('the endpoints to list the 5 ready pods', async () => {
    const want = await expected();
    const ep = await getJson(['get', 'endpoints', 'web', '-n', NS]);
    const got = (ep.subsets ?? []).flatMap((s: Json) => (s.addresses ?? []).map((a: Json) => a.ip)).sort();
    return want.length === 5 && JSON.stringify(got) === JSON.stringify(want) ? got : undefined;
  });
  const ep = await getJson(['get', 'endpoints', 'web', '-n', NS]);
  assert.deepEqual(ep.subsets[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.ok(ep.subsets[0].addresses.every((a: Json) => a.targetRef.kind === 'Pod' && NODES.includes(a.nodeName)));
  const table = lines(await ok(['get', 'endpoints', 'web', '-n', NS]));
  assert.deepEqual(cells(table[0]), ['NAME', 'ENDPOINTS', 'AGE']);
  assert.match(cells(table[1])[1], /^10\.244\.\d+\.\d+:8080,10\.244\.\d+\.\d+:8080,10\.244\.\d+\.\d+:8080 \+ 2 more\.\.\.$/);

  const slices = await waitFor('one EndpointSlice with the 5 pods', async () => {
    const list = await getJson(['get', 'endpointslices', '-n', NS, '-l', 'kubernetes.io/service-name=web']);
    const s = list.items[0];
    return list.items.length === 1 && s.endpoints?.length === 5 ? list.items : undefined;
  });
  assert.match(slices[0].metadata.name, /^web-[a-z0-9]{5}$/);
  assert.equal(slices[0].metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  assert.deepEqual(slices[0].endpoints.map((e: Json) => e.addresses[0]).sort(), ips);
  assert.ok(slices[0].endpoints.every((e: Json) => e.conditions.ready === true));

  // A Service selecting nothing: empty Endpoints and one placeholder slice, as kube keeps.
  await ok(['apply', '-n', NS, '-f', '-'], 'apiVersion: v1\nkind: Service\nmetadata:\n  name: nobody\nspec:\n  selector: {app: nobody}\n  ports:\n  - {port: 80}\n');
  await waitFor('the placeholder slice', async () => {
    const list = await getJson(['get', 'endpointslices', '-n', NS, '-l', 'kubernetes.io/service-name=nobody']);
    return list.items.length === 1 && (list.items[0].endpoints ?? []).length === 0;
  });
  assert.equal((await getJson(['get', 'endpoints', 'nobody', '-n', NS])).subsets, undefined);

  // Scale down: the endpoints follow.
  await ok(['scale', 'deployment/web', '-n', NS, '--replicas=2']);
  await waitFor('the endpoints to shrink to 2', async () => {
    const e = await getJson(['get', 'endpoints', 'web', '-n', NS]);
    return (e.subsets ?? []).flatMap((s: Json) => s.addresses ?? []).length === 2;
  });
});

// ---- Recreate -----------------------------------------------------------------------------------

test('Recreate: old pods are gone before new ones start', { skip }, async () => {
  const ns = 'recreate';
  await namespace(ns);
  await ok(['apply', '-n', ns, '-f', '-'], deployment({ strategy: 'Recreate', replicas: 2 }));
  await rolloutStatus(ns, 'deployment/web');
  let overlap = false;
  const seen = () => {
    const live = pods.list({ namespace: ns }).filter((p: Json) => !p.metadata.deletionTimestamp);
    const images = new Set(live.map((p: Json) => p.spec.containers[0].image));
    if (images.size > 1) overlap = true;
  };
  const remove = pods.addEventHandler({ onAdd: seen, onUpdate: seen, onDelete: seen });
  try {
    await ok(['set', 'image', 'deployment/web', '-n', ns, 'nginx=nginx:1.26']);
    await rolloutStatus(ns, 'deployment/web');
  } finally {
    remove();
  }
  assert.equal(overlap, false, 'old and new pods never ran together');
});

test('a rollout that makes no progress fails `rollout status` with ProgressDeadlineExceeded', { skip }, async () => {
  const ns = 'stuck';
  await namespace(ns);
  const manifest = deployment({ image: 'nginx:broken', replicas: 2 }).replace('  replicas: 2', '  replicas: 2\n  progressDeadlineSeconds: 2');
  await ok(['apply', '-n', ns, '-f', '-'], manifest);
  const r = await run(['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=60s']);
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /error: deployment "web" exceeded its progress deadline/);
  const d = await getJson(['get', 'deployment', 'web', '-n', ns]);
  const progressing = d.status.conditions.find((c: Json) => c.type === 'Progressing');
  assert.deepEqual([progressing.status, progressing.reason], ['False', 'ProgressDeadlineExceeded']);
  assert.match(progressing.message, /^ReplicaSet "web-\w+" has timed out progressing\.$/);
  assert.equal(d.status.unavailableReplicas, 2);
});

test('a ReplicaSet adopts a matching orphan pod and makes up the rest', { skip }, async () => {
  const ns = 'adopt';
  await namespace(ns);
  await ok(['apply', '-n', ns, '-f', '-'], 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: stray\n  labels: {app: cache}\nspec:\n  containers:\n  - {name: c, image: "redis:7"}\n');
  await ok(
    ['apply', '-n', ns, '-f', '-'],
    'apiVersion: apps/v1\nkind: ReplicaSet\nmetadata:\n  name: cache\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: cache}}\n  template:\n    metadata: {labels: {app: cache}}\n    spec:\n      containers:\n      - {name: c, image: "redis:7"}\n',
  );
  await waitFor('3 ready replicas', async () => (await getJson(['get', 'rs', 'cache', '-n', ns])).status?.readyReplicas === 3);
  const list = await getJson(['get', 'pods', '-n', ns]);
  assert.equal(list.items.length, 3);
  const stray = list.items.find((p: Json) => p.metadata.name === 'stray');
  assert.deepEqual(stray.metadata.ownerReferences.map((r: Json) => [r.kind, r.name, r.controller]), [['ReplicaSet', 'cache', true]]);
  const rs = await getJson(['get', 'rs', 'cache', '-n', ns]);
  assert.deepEqual([rs.status.replicas, rs.status.fullyLabeledReplicas, rs.status.availableReplicas, rs.status.observedGeneration], [3, 3, 3, 1]);
  // Scale down: three pods, one goes.
  await ok(['scale', 'rs/cache', '-n', ns, '--replicas=2']);
  await waitFor('2 pods', async () => (await getJson(['get', 'pods', '-n', ns])).items.filter((p: Json) => !p.metadata.deletionTimestamp).length === 2);
});

// ---- Jobs ---------------------------------------------------------------------------------------

test('a Job completes when its pods succeed', { skip }, async () => {
  const ns = 'batch';
  await namespace(ns);
  await ok(
    ['apply', '-n', ns, '-f', '-'],
    'apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: pi\nspec:\n  completions: 3\n  parallelism: 2\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - {name: pi, image: perl:5.34, command: [perl, -e, "print 1"]}\n',
  );
  assert.match(await ok(['wait', '--for=condition=complete', 'job/pi', '-n', ns, '--timeout=60s']), /job.batch\/pi condition met/);
  const job = await getJson(['get', 'job', 'pi', '-n', ns]);
  assert.equal(job.status.succeeded, 3);
  assert.equal(job.status.active, undefined);
  assert.ok(job.status.startTime && job.status.completionTime);
  assert.deepEqual(job.status.conditions.map((c: Json) => `${c.type}=${c.status}`), ['SuccessCriteriaMet=True', 'Complete=True']);
  assert.deepEqual(job.status.uncountedTerminatedPods, {});
  const table = lines(await ok(['get', 'jobs', '-n', ns]));
  assert.deepEqual(cells(table[1]).slice(0, 3), ['pi', 'Complete', '3/3']);
  const jobPods = await getJson(['get', 'pods', '-n', ns, '-l', 'batch.kubernetes.io/job-name=pi']);
  assert.equal(jobPods.items.length, 3);
  for (const p of jobPods.items) {
    assert.match(p.metadata.name, /^pi-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal(p.metadata.finalizers, undefined, 'the tracking finalizer is removed once counted');
  }
});

test('a CronJob starts `<cronjob>-<minutes>` Jobs on schedule and follows them to completion', { skip }, async () => {
  const ns = 'cron';
  await namespace(ns);
  // The controller's clock stops half a minute after the next whole minute B (at least 5 s away):
  // B is the one scheduled time between the CronJob's creation and "now", so exactly one Job starts.
  const B = Math.ceil((Date.now() + 5000) / 60_000) * 60_000;
  cronClock = B + 30_000;
  onCleanup(() => (cronClock = undefined));
  await ok(
    ['apply', '-n', ns, '-f', '-'],
    'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: tick\nspec:\n  schedule: "* * * * *"\n  concurrencyPolicy: Forbid\n  successfulJobsHistoryLimit: 1\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n          - {name: c, image: busybox, command: [date]}\n',
  );
  const job = await waitFor('the first Job', async () => (await getJson(['get', 'jobs', '-n', ns])).items[0]);
  const cj = await getJson(['get', 'cronjob', 'tick', '-n', ns]);
  assert.equal(Date.parse(cj.status.lastScheduleTime), B);
  assert.equal(job.metadata.name, `tick-${B / 60_000}`);
  assert.equal(job.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'], cj.status.lastScheduleTime);
  assert.deepEqual(job.metadata.ownerReferences.map((r: Json) => [r.kind, r.name, r.controller]), [['CronJob', 'tick', true]]);
  await ok(['wait', '--for=condition=complete', `job/${job.metadata.name}`, '-n', ns, '--timeout=60s']);
  const done = await waitFor('the CronJob to see its Job complete', async () => {
    const c = await getJson(['get', 'cronjob', 'tick', '-n', ns]);
    return !c.status.active && c.status.lastSuccessfulTime ? c : undefined;
  });
  assert.equal(done.status.lastScheduleTime, cj.status.lastScheduleTime);
  const table = lines(await ok(['get', 'cronjobs', '-n', ns]));
  assert.deepEqual(cells(table[0]).slice(0, 6), ['NAME', 'SCHEDULE', 'TIMEZONE', 'SUSPEND', 'ACTIVE', 'LAST SCHEDULE']);
  assert.deepEqual(cells(table[1]).slice(0, 5), ['tick', '* * * * *', '<none>', 'False', '0']);
  assert.equal((await getJson(['get', 'jobs', '-n', ns])).items.length, 1);
  const events = await ok(['get', 'events', '-n', ns, '--field-selector', 'involvedObject.kind=CronJob', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
  assert.match(events, new RegExp(`SuccessfulCreate: Created job ${job.metadata.name}`));
  assert.match(events, new RegExp(`SawCompletedJob: Saw completed job: ${job.metadata.name}, condition: Complete`));
});

// ---- DaemonSets and StatefulSets ----------------------------------------------------------------

test('a DaemonSet runs one pod per node', { skip }, async () => {
  const ns = 'daemons';
  await namespace(ns);
  await ok(
    ['apply', '-n', ns, '-f', '-'],
    'apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\nspec:\n  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n    spec:\n      nodeSelector: {type: kwok}\n      containers:\n      - {name: agent, image: "agent:1"}\n',
  );
  assert.match(await rolloutStatus(ns, 'daemonset/agent'), /daemon set "agent" successfully rolled out/);
  const list = await getJson(['get', 'pods', '-n', ns]);
  assert.deepEqual(list.items.map((p: Json) => p.spec.nodeName).sort(), NODES);
  const ds = await getJson(['get', 'ds', 'agent', '-n', ns]);
  assert.deepEqual([ds.status.desiredNumberScheduled, ds.status.currentNumberScheduled, ds.status.numberReady, ds.status.updatedNumberScheduled, ds.status.numberAvailable], [2, 2, 2, 2, 2]);
  await ok(['set', 'image', 'daemonset/agent', '-n', ns, 'agent=agent:2']);
  await rolloutStatus(ns, 'daemonset/agent');
  const history = lines(await ok(['rollout', 'history', 'daemonset/agent', '-n', ns]));
  assert.deepEqual(history.slice(2).map((l) => cells(l)[0]), ['1', '2']);
  await waitFor('the pods at agent:2', async () => (await getJson(['get', 'pods', '-n', ns])).items.filter((p: Json) => !p.metadata.deletionTimestamp).every((p: Json) => p.spec.containers[0].image === 'agent:2'));
});

test('a StatefulSet creates web-0, web-1 in order and scales down in reverse', { skip }, async () => {
  const ns = 'stateful';
  await namespace(ns);
  await ok(
    ['apply', '-n', ns, '-f', '-'],
    'apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: web\nspec:\n  serviceName: web\n  replicas: 3\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec:\n      containers:\n      - {name: db, image: "db:1"}\n',
  );
  const order: string[] = [];
  const added = (p: Json) => {
    if (p.metadata.namespace === ns && !order.includes(p.metadata.name)) order.push(p.metadata.name);
  };
  const remove = pods.addEventHandler({ onAdd: added });
  try {
    assert.match(await rolloutStatus(ns, 'statefulset/web'), /partitioned roll out complete: 3 new pods have been updated/);
  } finally {
    remove();
  }
  assert.deepEqual(order, ['web-0', 'web-1', 'web-2']);
  const p0 = await getJson(['get', 'pod', 'web-0', '-n', ns]);
  assert.deepEqual([p0.spec.hostname, p0.spec.subdomain, p0.metadata.labels['statefulset.kubernetes.io/pod-name']], ['web-0', 'web', 'web-0']);
  const sts = await getJson(['get', 'sts', 'web', '-n', ns]);
  assert.equal(sts.status.currentRevision, sts.status.updateRevision);
  assert.deepEqual([sts.status.replicas, sts.status.readyReplicas, sts.status.currentReplicas], [3, 3, 3]);
  // A rolling update replaces web-2, web-1, web-0 in turn and moves currentRevision.
  await ok(['set', 'image', 'statefulset/web', '-n', ns, 'db=db:2']);
  // apps/v1 defaults rollingUpdate.partition to 0, so kubectl reports a partitioned roll out.
  assert.match(await rolloutStatus(ns, 'statefulset/web'), /partitioned roll out complete: 3 new pods have been updated/);
  const updated = await waitFor('currentRevision to follow', async () => {
    const u = await getJson(['get', 'sts', 'web', '-n', ns]);
    return u.status.currentRevision === u.status.updateRevision ? u : undefined;
  });
  assert.notEqual(updated.status.updateRevision, sts.status.updateRevision);
  const images = (await getJson(['get', 'pods', '-n', ns])).items.map((p: Json) => `${p.metadata.name}=${p.spec.containers[0].image}`).sort();
  assert.deepEqual(images, ['web-0=db:2', 'web-1=db:2', 'web-2=db:2']);
  const history = lines(await ok(['rollout', 'history', 'statefulset/web', '-n', ns]));
  assert.deepEqual(history.slice(2).map((l) => cells(l)[0]), ['1', '2']);

  await ok(['scale', 'statefulset/web', '-n', ns, '--replicas=1']);
  await waitFor('only web-0 left', async () => {
    const names = (await getJson(['get', 'pods', '-n', ns])).items.map((p: Json) => p.metadata.name);
    return names.length === 1 && names[0] === 'web-0';
  });
});

test('the controller manager serves /metrics with the controllers', { skip }, async () => {
  const res = await fetch(`http://127.0.0.1:${manager!.port()}/metrics`);
  const text = await res.text();
  for (const name of ['deployment-controller', 'replicaset-controller', 'endpoints-controller', 'job-controller']) assert.match(text, new RegExp(`controller="${name}"`));
});
