/**
 * Simulated nodes and the node lifecycle controller against a real `flotilla up`, with the real
 * kubectl: three nodes register and show Ready; bound pods go Running with an IP; `kubectl delete
 * pod` completes because the agent confirms the graceful deletion; a node whose agent stops goes
 * NotReady (Unknown) with the unreachable taints and its pods are evicted by their tolerations;
 * a restarted agent brings the node back and confirms the evictions.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import type { Node, Pod, Toleration } from 'kubernetes-types/core/v1.js';
import {
  apiRequest,
  kubectl,
  kubectlSkipReason,
  makeTempDir,
  readCredentials,
  removeDir,
  startCluster,
  waitFor,
  type RunningCluster,
} from '../support/cluster.js';
import { createClient, kinds, silentLogger, type Client, type KObject } from '../../src/runtime/index.js';
import { startSimulatedNodes, type SimulatedNodes, type SimulatedNodeSpec } from '../../src/cluster/node/index.js';
import { startNodeLifecycleController } from '../../src/cluster/node-lifecycle/index.js';

// `flotilla up` runs its own nodes and controllers by default; this file brings its own (agents in
// this process, a lifecycle controller with a 2 s grace period), so it starts the API server alone.
// (sharedCluster() takes no flags yet; this is its before/after, with `--nodes 0 --no-controllers`.)
const skip = await kubectlSkipReason();
let cluster: RunningCluster | undefined;
let dir: string | undefined;
let kc: KubeConfig;
let client: Client;
const cleanups: (() => unknown)[] = [];
before(async () => {
  if (skip) return;
  dir = makeTempDir('flotilla-nodes-');
  cluster = await startCluster({ dir, extraArgs: ['--no-nodes', '--no-controllers'] });
  kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  client = createClient(kc, { fieldManager: 'nodes-e2e' });
});
after(async () => {
  try {
    for (const c of cleanups.reverse()) await c();
    if (cluster) await cluster.stop();
  } finally {
    if (dir) removeDir(dir);
  }
});
const e2e = {
  onCleanup: (fn: () => unknown): void => void cleanups.push(fn),
  creds: () => readCredentials(cluster!),
  async ok(args: string[]): Promise<string> {
    const r = await kubectl(cluster!, args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r.stdout;
  },
};
const logger = silentLogger();
const UR = 'node.kubernetes.io/unreachable';
const small = (name: string): SimulatedNodeSpec => ({ name, cpu: 4, memory: '8Gi', pods: 110 });

/**
 * Start an agent for `nodes`; stopped at the end of the file unless the test stops it first. The
 * lifecycle test shortens the grace period to 2 s, so leases are renewed every 500 ms here
 * (kubelet: every 10 s against kube's 50 s).
 */
async function agent(nodes: SimulatedNodeSpec[]): Promise<{ sim: SimulatedNodes; stop: () => Promise<void> }> {
  const ctl = new AbortController();
  const sim = await startSimulatedNodes({ kubeConfig: kc, nodes, logger, signal: ctl.signal, leaseDurationSeconds: 2, renewIntervalMs: 500 });
  const stop = async (): Promise<void> => {
    ctl.abort();
    await sim.stopped;
  };
  e2e.onCleanup(stop);
  return { sim, stop };
}

const getPod = (name: string): Promise<Pod | undefined> => client.get(kinds.pods, 'default', name) as Promise<Pod | undefined>;
const getNode = (name: string): Promise<Node | undefined> => client.get(kinds.nodes, '', name) as Promise<Node | undefined>;
const readyOf = (n: Node | undefined): string | undefined => n?.status?.conditions?.find((c) => c.type === 'Ready')?.status;

async function createPod(
  name: string,
  o: { nodeName?: string; tolerations?: Toleration[]; cpu?: string; restartPolicy?: string; annotations?: Record<string, string> } = {},
): Promise<void> {
  const pod: Pod = {
    metadata: { name, namespace: 'default', ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      containers: [{ name: 'app', image: 'nginx:1.27', resources: { requests: { cpu: o.cpu ?? '100m', memory: '64Mi' } } }],
      ...(o.restartPolicy ? { restartPolicy: o.restartPolicy } : {}),
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
    },
  };
  await client.create(kinds.pods, pod as unknown as KObject);
}

const running = (name: string) =>
  waitFor(`pod ${name} Running and Ready`, async () => {
    const p = await getPod(name);
    return p?.status?.phase === 'Running' && p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? p : undefined;
  });

let agentC: { sim: SimulatedNodes; stop: () => Promise<void> };

test('three simulated nodes register: kubectl shows them Ready with ROLES and VERSION', { skip }, async () => {
  await agent([small('node-a'), small('node-b')]);
  agentC = await agent([small('node-c')]);
  const out = await e2e.ok(['get', 'nodes']);
  const rows = out.trim().split('\n').map((l) => l.split(/\s+/));
  assert.deepEqual(rows[0], ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION']);
  assert.deepEqual(
    rows.slice(1).map(([name, status, roles, , version]) => [name, status, roles, version]),
    [
      ['node-a', 'Ready', 'worker', 'v1.32.5'],
      ['node-b', 'Ready', 'worker', 'v1.32.5'],
      ['node-c', 'Ready', 'worker', 'v1.32.5'],
    ],
  );
  const wide = await e2e.ok(['get', 'node', 'node-a', '-o', 'wide']);
  assert.match(wide, /INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME/);
  assert.match(wide, /node-a\s+Ready\s+worker\s+\S+\s+v1\.32\.5\s+10\.240\.0\.\d+\s+<none>\s+Flotilla simulated node\s+6\.8\.0-flotilla-sim\s+flotilla-sim:\/\/1\.0/);
  const leases = await e2e.ok(['get', 'leases', '-n', 'kube-node-lease', '-o', 'custom-columns=NAME:.metadata.name,HOLDER:.spec.holderIdentity,DURATION:.spec.leaseDurationSeconds,OWNER:.metadata.ownerReferences[0].kind']);
  assert.match(leases, /node-a\s+node-a\s+2\s+Node/);
  assert.match(leases, /node-c\s+node-c\s+2\s+Node/);
  const described = await e2e.ok(['describe', 'node', 'node-b']);
  assert.match(described, /Ready\s+True\s+.*KubeletReady\s+kubelet is posting ready status/);
  assert.match(described, /PodCIDR:\s+10\.42\.\d+\.0\/24/);
  assert.match(described, /HolderIdentity:\s+node-b/);
});

test('a pod bound through pods/binding goes Running; get -o wide shows its IP and node', { skip }, async () => {
  await createPod('web');
  const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web', namespace: 'default' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-a' } };
  const r = await apiRequest(e2e.creds(), 'POST', '/api/v1/namespaces/default/pods/web/binding', { body: JSON.stringify(binding) });
  assert.equal(r.status, 201, r.body);
  const pod = await running('web');
  const nodeA = await getNode('node-a');
  const cidr = nodeA!.spec!.podCIDR!;
  assert.ok(pod.status!.podIP!.startsWith(cidr.slice(0, cidr.lastIndexOf('.') + 1)), `${pod.status!.podIP} in ${cidr}`);
  assert.equal(pod.status!.hostIP, nodeA!.status!.addresses!.find((a) => a.type === 'InternalIP')!.address);
  assert.match(pod.status!.containerStatuses![0].containerID!, /^flotilla-sim:\/\//);
  const wide = await e2e.ok(['get', 'pod', 'web', '-o', 'wide']);
  const [header, row] = wide.trim().split('\n');
  assert.match(header, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
  const cells = row.split(/\s+/);
  assert.deepEqual([cells[0], cells[1], cells[2], cells[3], cells[5], cells[6]], ['web', '1/1', 'Running', '0', pod.status!.podIP, 'node-a']);

  // spec.nodeName at create (no scheduler involved) works the same way.
  await createPod('direct', { nodeName: 'node-b' });
  const direct = await running('direct');
  assert.notEqual(direct.status!.podIP, pod.status!.podIP);
});

test('simulated exits end pods as Job pods end; kubelet admission rejects what does not fit', { skip }, async () => {
  const exit = (code: number) => ({ 'flotilla.dev/simulate-exit-code': String(code), 'flotilla.dev/simulate-run-seconds': '1' });
  await createPod('job-ok', { nodeName: 'node-b', restartPolicy: 'Never', annotations: exit(0) });
  await createPod('job-fail', { nodeName: 'node-b', restartPolicy: 'Never', annotations: exit(3) });
  const phase = (name: string, want: string) => waitFor(`${name} ${want}`, async () => ((await getPod(name))?.status?.phase === want ? getPod(name) : undefined));
  const ok = await phase('job-ok', 'Succeeded');
  assert.equal(ok!.status!.containerStatuses![0].state!.terminated!.reason, 'Completed');
  const failed = await phase('job-fail', 'Failed');
  assert.equal(failed!.status!.containerStatuses![0].state!.terminated!.exitCode, 3);
  // Ended pods no longer count: node-b runs `direct` (100m) only.
  await createPod('too-big', { nodeName: 'node-b', cpu: '5' });
  const rejected = await phase('too-big', 'Failed');
  assert.equal(rejected!.status!.reason, 'OutOfcpu');
  assert.equal(rejected!.status!.message, "Pod was rejected: Node didn't have enough resource: cpu, requested: 5000, used: 100, capacity: 4000");
  const table = await e2e.ok(['get', 'pods', 'job-ok', 'job-fail', 'too-big']);
  assert.match(table, /job-ok\s+0\/1\s+Completed\s+0/);
  assert.match(table, /job-fail\s+0\/1\s+Error\s+0/);
  assert.match(table, /too-big\s+0\/1\s+OutOfcpu\s+0/);
  for (const name of ['job-ok', 'job-fail', 'too-big']) await client.delete(kinds.pods, 'default', name);
});

test('kubectl delete pod completes: the agent confirms the graceful deletion', { skip }, async () => {
  const t0 = Date.now();
  const out = await e2e.ok(['delete', 'pod', 'web', '--timeout=30s']);
  assert.match(out, /pod "web" deleted/);
  assert.equal(await getPod('web'), undefined);
  assert.ok(Date.now() - t0 < 20_000, 'well before the 30 s grace period');
});

test('a node whose agent stops goes NotReady with the unreachable taints; pods go by their tolerations', { skip }, async () => {
  const ctl = new AbortController();
  const lc = await startNodeLifecycleController({ kubeConfig: kc, signal: ctl.signal, logger, gracePeriodMs: 2000, evictionRateQPS: 100 });
  e2e.onCleanup(async () => {
    ctl.abort();
    await lc.stopped;
  });
  const tol = (seconds?: number): Toleration[] => [{ key: UR, operator: 'Exists', effect: 'NoExecute', ...(seconds !== undefined ? { tolerationSeconds: seconds } : {}) }];
  await createPod('intolerant', { nodeName: 'node-c', tolerations: tol(0) });
  await createPod('two-seconds', { nodeName: 'node-c', tolerations: tol(2) });
  await createPod('forever', { nodeName: 'node-c', tolerations: tol() });
  await createPod('default-300', { nodeName: 'node-c' });
  for (const name of ['intolerant', 'two-seconds', 'forever', 'default-300']) await running(name);
  const defaults = (await getPod('default-300'))!.spec!.tolerations!;
  assert.ok(defaults.some((t) => t.key === UR && t.tolerationSeconds === 300), 'the API server added the default tolerations');
  // Healthy nodes stay Ready while the controller watches them.
  assert.equal(readyOf(await getNode('node-c')), 'True');

  await agentC.stop();
  const stoppedAt = Date.now();
  const node = await waitFor('node-c Ready=Unknown with the unreachable taints', async () => {
    const n = await getNode('node-c');
    const keys = (n?.spec?.taints ?? []).map((t) => `${t.key}:${t.effect}`);
    return readyOf(n) === 'Unknown' && keys.includes(`${UR}:NoExecute`) && keys.includes(`${UR}:NoSchedule`) ? n : undefined;
  });
  const taintedAt = Date.now();
  assert.ok(taintedAt - stoppedAt < 15_000, `tainted ${taintedAt - stoppedAt} ms after the agent stopped`);
  const ready = node.status!.conditions!.find((c) => c.type === 'Ready')!;
  assert.deepEqual([ready.reason, ready.message], ['NodeStatusUnknown', 'Kubelet stopped posting node status.']);
  assert.ok(node.status!.conditions!.every((c) => c.status === 'Unknown'), 'every kubelet condition is Unknown');
  assert.match(await e2e.ok(['get', 'node', 'node-c']), /node-c\s+NotReady\s+worker/);

  const evicted = (name: string) => waitFor(`${name} evicted`, async () => ((await getPod(name))?.metadata?.deletionTimestamp ? Date.now() : undefined));
  await evicted('intolerant');
  const twoAt = await evicted('two-seconds');
  const taintAdded = Date.parse(node.spec!.taints!.find((t) => t.key === UR && t.effect === 'NoExecute')!.timeAdded!);
  assert.ok(twoAt - taintAdded >= 1500, `two-seconds evicted ${twoAt - taintAdded} ms after the taint was added`);
  assert.ok(twoAt - taintedAt < 10_000, `two-seconds evicted ${twoAt - taintedAt} ms after the taint was seen`);
  for (const name of ['forever', 'default-300']) {
    const p = await getPod(name);
    assert.equal(p?.metadata?.deletionTimestamp, undefined, `${name} stays`);
    assert.equal(p?.status?.conditions?.find((c) => c.type === 'Ready')?.status, 'False', `${name} is marked not ready`);
  }
  const target = (await getPod('intolerant'))!.status!.conditions!.find((c) => c.type === 'DisruptionTarget')!;
  assert.deepEqual([target.status, target.reason], ['True', 'DeletionByTaintManager']);
  const events = await e2e.ok(['get', 'events', '--field-selector', 'reason=TaintManagerEviction', '-o', 'custom-columns=OBJ:.involvedObject.name,MSG:.message']);
  assert.match(events, /intolerant\s+Marking for deletion Pod default\/intolerant/);
  assert.match(events, /two-seconds\s+Marking for deletion Pod default\/two-seconds/);
  const nodeEvents = await e2e.ok(['get', 'events', '--field-selector', 'involvedObject.name=node-c,reason=NodeNotReady', '-o', 'custom-columns=MSG:.message']);
  assert.match(nodeEvents, /Node node-c status is now: NodeNotReady/);
  assert.match(await e2e.ok(['describe', 'node', 'node-c']), /Taints:\s+node\.kubernetes\.io\/unreachable:NoExecute\n\s+node\.kubernetes\.io\/unreachable:NoSchedule/);
  // The nodes whose agents run were never touched.
  for (const name of ['node-a', 'node-b']) {
    const n = await getNode(name);
    assert.equal(readyOf(n), 'True', name);
    assert.deepEqual(n?.spec?.taints ?? [], [], name);
  }
  const flaps = await e2e.ok(['get', 'events', '--field-selector', 'reason=NodeNotReady', '-o', 'custom-columns=KIND:.involvedObject.kind,NAME:.involvedObject.name', '--no-headers']);
  assert.doesNotMatch(flaps, /node-a|node-b/);
});

test('restarting the agent: the node is Ready again, its taints go, evictions are confirmed', { skip }, async () => {
  const restarted = await agent([small('node-c')]);
  const before = agentC.sim.network('node-c');
  assert.deepEqual(restarted.sim.network('node-c'), before, 'the node keeps its pod CIDR and address');
  await waitFor('node-c Ready without controller taints', async () => {
    const n = await getNode('node-c');
    return readyOf(n) === 'True' && !(n?.spec?.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/'));
  });
  for (const name of ['intolerant', 'two-seconds']) await waitFor(`${name} gone`, async () => (await getPod(name)) === undefined);
  for (const name of ['forever', 'default-300']) await running(name);
  assert.match(await e2e.ok(['get', 'node', 'node-c']), /node-c\s+Ready\s+worker/);
});
