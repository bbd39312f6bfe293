/**
 * Durability of `flotilla up`: state (identities, resource versions, Service IP and node port
 * allocations) survives a clean restart; every write the server acknowledged survives SIGKILL in
 * the middle of a burst; SIGTERM stops the server cleanly. One data directory for the file,
 * served by successive `flotilla up` processes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { apiRequest, readCredentials, sharedCluster, spawnKubectl, waitFor } from '../support/cluster.js';

const e2e = await sharedCluster({ dirPrefix: 'flotilla-restart-' });
const { skip, cluster, run, ok } = e2e;

/** Stop the running server (SIGTERM, exit 0 required) and start a new one on the same data dir. */
async function restart(): Promise<void> {
  const code = await e2e.stop();
  assert.equal(code, 0, 'flotilla up exits 0 on SIGTERM');
  await e2e.start();
}

function service(name: string, type: 'ClusterIP' | 'NodePort', ports: number[], extra = ''): string {
  return [
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    `  type: ${type}`,
    `  selector: {app: ${name}}`,
    ...(extra ? [extra] : []),
    '  ports:',
    ...ports.map((p) => `  - {name: p${p}, port: ${p}, targetPort: ${p}}`),
    '',
  ].join('\n');
}

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: nginx:1.25}]
`;

interface Snapshot {
  uid: string;
  resourceVersion: string;
  creationTimestamp: string;
  clusterIPs?: string[];
  nodePorts?: number[];
}

/** Identity of every namespace, configmap, deployment and service in the cluster. */
async function snapshot(): Promise<Map<string, Snapshot>> {
  const list = JSON.parse(await ok(['get', 'namespaces,configmaps,deployments,services', '-A', '-o', 'json']));
  const out = new Map<string, Snapshot>();
  for (const o of list.items) {
    const m = o.metadata;
    const s: Snapshot = { uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp };
    if (o.kind === 'Service') {
      s.clusterIPs = o.spec.clusterIPs;
      s.nodePorts = (o.spec.ports ?? []).map((p: { nodePort?: number }) => p.nodePort).filter((p: unknown) => p !== undefined);
    }
    out.set(`${o.kind}/${m.namespace ?? ''}/${m.name}`, s);
  }
  return out;
}

/** Set by the restart test for the next one. */
let allocatedBeforeRestart: { nodePort: number; clusterIP: string } | undefined;

test('state survives a clean restart, and IPs and node ports are not handed out twice', { skip }, async () => {
  await ok(['apply', '-f', '-'], 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: keep\n');
  await ok(
    ['apply', '-n', 'keep', '-f', '-'],
    [
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: conf\ndata: {a: "1"}\n',
      DEPLOYMENT,
      service('np1', 'NodePort', [80]),
      service('np2', 'NodePort', [80, 443]),
      service('ip1', 'ClusterIP', [8080]),
    ].join('---\n'),
  );
  const before = await snapshot();
  for (const key of ['Namespace//keep', 'ConfigMap/keep/conf', 'Deployment/keep/web', 'Service/keep/np1', 'Service/keep/np2', 'Service/keep/ip1', 'Service/default/kubernetes']) {
    assert.ok(before.has(key), `${key} exists before the restart`);
  }
  const oldIPs = [...before.values()].flatMap((s) => s.clusterIPs ?? []);
  const oldPorts = [...before.values()].flatMap((s) => s.nodePorts ?? []);
  assert.equal(oldPorts.length, 3);
  assert.equal(new Set(oldIPs).size, oldIPs.length, 'cluster IPs are distinct');
  const maxOldRV = Math.max(...[...before.values()].map((s) => Number(s.resourceVersion)));

  await restart();

  const after = await snapshot();
  for (const [key, s] of before) assert.deepEqual(after.get(key), s, `${key} is unchanged across the restart`);
  assert.equal(after.size, before.size, 'nothing appeared from nowhere');

  // New allocations after the restart avoid everything allocated before it.
  await ok(['apply', '-n', 'keep', '-f', '-'], [service('np3', 'NodePort', [80]), service('np4', 'NodePort', [80, 81]), service('ip2', 'ClusterIP', [80])].join('---\n'));
  const fresh = await snapshot();
  const newServices = ['np3', 'np4', 'ip2'].map((n) => fresh.get(`Service/keep/${n}`)!);
  const newPorts = newServices.flatMap((s) => s.nodePorts ?? []);
  const newIPs = newServices.flatMap((s) => s.clusterIPs ?? []);
  assert.equal(newPorts.length, 3);
  for (const p of newPorts) assert.ok(!oldPorts.includes(p), `node port ${p} was already allocated before the restart (old: ${oldPorts.join(', ')})`);
  for (const ip of newIPs) assert.ok(!oldIPs.includes(ip), `cluster IP ${ip} was already allocated before the restart (old: ${oldIPs.join(', ')})`);
  assert.equal(new Set(newPorts).size, newPorts.length);
  assert.equal(new Set(newIPs).size, newIPs.length);
  // Revisions continue where they left off.
  for (const s of newServices) assert.ok(Number(s.resourceVersion) > maxOldRV, `new resourceVersion ${s.resourceVersion} > ${maxOldRV}`);
  allocatedBeforeRestart = { nodePort: oldPorts[0], clusterIP: before.get('Service/keep/ip1')!.clusterIPs![0] };
});

test('asking for a node port or cluster IP allocated before the restart is refused', { skip }, async () => {
  assert.ok(allocatedBeforeRestart, 'the restart test recorded its allocations');
  const { nodePort, clusterIP: oldIP } = allocatedBeforeRestart;
  const takenPort = await run(['create', '-n', 'keep', '-f', '-'], service('want-port', 'NodePort', [80]).replace('targetPort: 80}', `targetPort: 80, nodePort: ${nodePort}}`));
  assert.equal(takenPort.code, 1);
  assert.equal(takenPort.stderr, `The Service "want-port" is invalid: spec.ports[0].nodePort: Invalid value: ${nodePort}: provided port is already allocated\n`);
  const takenIP = await run(['create', '-n', 'keep', '-f', '-'], service('want-ip', 'ClusterIP', [80], `  clusterIP: ${oldIP}`));
  assert.equal(takenIP.code, 1);
  assert.equal(takenIP.stderr, `The Service "want-ip" is invalid: spec.clusterIPs: Invalid value: []string{"${oldIP}"}: failed to allocate IP ${oldIP}: provided IP is already allocated\n`);
});

interface Ack {
  name: string;
  resourceVersion: string;
}

test('every acknowledged create survives SIGKILL in the middle of a burst', { skip }, async (t) => {
  const creds = readCredentials(cluster());
  const ns = await apiRequest(creds, 'POST', '/api/v1/namespaces', { body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'burst' } }) });
  assert.equal(ns.status, 201, ns.body);

  const WORKERS = 16;
  const agent = new Agent({ keepAlive: true, maxSockets: WORKERS });
  const acks: Ack[] = [];
  const unexpected: string[] = [];
  let killed = false;
  let inFlight = 0;
  const worker = async (w: number) => {
    for (let i = 0; !killed; i++) {
      const name = `cm-${w}-${i}`;
      const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { burst: 'yes' } }, data: { worker: String(w), seq: String(i), pad: 'x'.repeat(256) } });
      inFlight++;
      try {
        const res = await apiRequest(creds, 'POST', '/api/v1/namespaces/burst/configmaps', { body, agent, timeoutMs: 20_000 });
        if (res.status === 201) acks.push({ name, resourceVersion: res.json.metadata.resourceVersion });
        else if (!killed) unexpected.push(`${name}: ${res.status} ${res.body}`);
      } catch (e) {
        if (!killed) unexpected.push(`${name}: ${(e as Error).message}`);
        return; // the server is gone
      } finally {
        inFlight--;
      }
    }
  };
  const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
  try {
    await waitFor('1000 acknowledged creates', () => acks.length >= 1000 || unexpected.length > 0, 90_000, 5);
    assert.deepEqual(unexpected, [], 'every create before the kill succeeds');
    const inFlightAtKill = inFlight;
    const acksAtKill = acks.length;
    killed = true;
    const victim = cluster();
    await e2e.kill();
    assert.equal(victim.process.signalCode, 'SIGKILL');
    assert.ok(inFlightAtKill > 0, 'the burst was still running when the server was killed');
    // A 201 that still arrives was sent before the process died: it counts as acknowledged too.
    await Promise.all(workers);
    t.diagnostic(`${acksAtKill} creates acknowledged when SIGKILL was sent, ${acks.length} in all; ${inFlightAtKill} requests in flight`);
  } finally {
    killed = true;
    agent.destroy();
  }
  const ackedRVs = new Set(acks.map((a) => a.resourceVersion));
  assert.equal(ackedRVs.size, acks.length, 'every acknowledged create has its own resourceVersion');

  const creds2 = readCredentials(await e2e.start());
  const list = await apiRequest(creds2, 'GET', '/api/v1/namespaces/burst/configmaps?labelSelector=burst%3Dyes', { timeoutMs: 60_000 });
  assert.equal(list.status, 200);
  const stored = new Map<string, string>(list.json.items.map((i: { metadata: { name: string; resourceVersion: string } }) => [i.metadata.name, i.metadata.resourceVersion]));
  const missing = acks.filter((a) => !stored.has(a.name));
  assert.deepEqual(missing.slice(0, 20), [], `${missing.length} of ${acks.length} acknowledged configmaps are missing after the crash`);
  const changed = acks.filter((a) => stored.get(a.name) !== a.resourceVersion).map((a) => `${a.name}: acked ${a.resourceVersion}, stored ${stored.get(a.name)}`);
  assert.deepEqual(changed.slice(0, 20), [], `${changed.length} acknowledged configmaps have another resourceVersion`);
  // Unacknowledged creates may or may not have landed; either way the store stays writable and
  // its revisions keep increasing.
  const next = await apiRequest(creds2, 'POST', '/api/v1/namespaces/burst/configmaps', { body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-crash' } }) });
  assert.equal(next.status, 201, next.body);
  const maxAcked = Math.max(...acks.map((a) => Number(a.resourceVersion)));
  assert.ok(Number(next.json.metadata.resourceVersion) > maxAcked, `resourceVersion after the crash ${next.json.metadata.resourceVersion} > ${maxAcked}`);
});

test('SIGTERM stops the server cleanly: exit code 0, open watches end, /readyz stops answering', { skip }, async () => {
  const creds = readCredentials(cluster());
  const ready = await apiRequest(creds, 'GET', '/readyz', { token: null });
  assert.equal(ready.status, 200);
  assert.equal(ready.body, 'ok');
  const watch = spawnKubectl(cluster(), ['get', 'configmaps', '-n', 'default', '-w', '-v=6']);
  try {
    await waitFor('kubectl get -w to open its watch', () => /watch=true\S* 200 OK/.test(watch.stderr()));
    const server = cluster();
    const exitCode = await Promise.race([e2e.stop(), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000).unref())]);
    assert.equal(exitCode, 0, `flotilla up exit code after SIGTERM; output:\n${server.output()}`);
    const watchExit = await Promise.race([watch.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000).unref())]);
    assert.notEqual(watchExit, 'timeout', 'kubectl get -w ends when the server stops');
  } finally {
    await watch.stop();
  }
  await assert.rejects(apiRequest(creds, 'GET', '/readyz', { token: null, timeoutMs: 5_000 }), /ECONNREFUSED/);
});
