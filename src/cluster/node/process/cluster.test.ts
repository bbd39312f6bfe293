/**
 * The process runtime behind a real API server (`flotilla up` with the API server alone) and the
 * real kubectl: an echo pod bound to a process node goes Ready, `kubectl logs` reaches its
 * kubelet server through the API server, and `kubectl delete` is a graceful termination that
 * the agent confirms.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { kubectl, kubectlSkipReason, removeDir, startCluster, waitFor, type RunningCluster } from '../../../../test/support/cluster.js';
import { startNodeAgent, type NodeAgent } from '../agent.js';

let cluster: RunningCluster;
let agent: NodeAgent;
const stop = new AbortController();
const skip = await kubectlSkipReason();

before(async () => {
  if (skip) return;
  cluster = await startCluster();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(cluster.kubeconfig);
  agent = await startNodeAgent({ kubeConfig, signal: stop.signal, dataDir: `${cluster.dir}/agent`, loopbackCIDR: '127.44.0.0/16', shutdownGraceMs: 1000 });
  await agent.add({ name: 'proc-a', cpu: 2, memory: '4Gi', pods: 20, runtime: 'process' });
});

after(async () => {
  stop.abort();
  await agent?.stopped;
  await cluster?.stop();
  if (cluster) removeDir(cluster.dir);
});

const POD = `
apiVersion: v1
kind: Pod
metadata: { name: echo, namespace: default }
spec:
  nodeName: proc-a
  containers:
  - name: echo
    image: flotilla/echo:1.5
    ports: [{ containerPort: 8080 }]
    readinessProbe: { httpGet: { path: /ping, port: 8080 }, periodSeconds: 1 }
`;

test('echo pod: Ready, kubectl logs through the kubelet server, graceful kubectl delete', { skip }, async () => {
  const applied = await kubectl(cluster, ['apply', '-f', '-'], POD);
  assert.equal(applied.code, 0, applied.stderr);
  await waitFor('echo Ready', async () => {
    const r = await kubectl(cluster, ['get', 'pod', 'echo', '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    return r.stdout === 'True' || undefined;
  });
  const ip = (await kubectl(cluster, ['get', 'pod', 'echo', '-o', 'jsonpath={.status.podIP}'])).stdout;
  assert.equal(ip, '127.44.0.2');
  const res = await fetch(`http://${ip}:8080/`);
  assert.deepEqual(await res.json(), { instance: 'echo', version: '1.5' });

  const logs = await kubectl(cluster, ['logs', 'echo']);
  assert.equal(logs.code, 0, logs.stderr);
  assert.match(logs.stdout, /^echo 1\.5 \(instance echo\) listening on 127\.44\.0\.2:8080\n/);
  assert.match(logs.stdout, /"GET \/ HTTP\/1\.1" 200/);
  const previous = await kubectl(cluster, ['logs', 'echo', '--previous']);
  assert.notEqual(previous.code, 0);
  assert.match(previous.stderr, /previous terminated container "echo" in pod "echo" not found/);

  const t0 = Date.now();
  const deleted = await kubectl(cluster, ['delete', 'pod', 'echo', '--wait=true', '--timeout=20s']);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.ok(Date.now() - t0 < 10_000, 'the echo server exits on SIGTERM, well before the 30 s grace period');
  await assert.rejects(fetch(`http://${ip}:8080/`));
});
