/**
 * The local cluster as `flotilla up` starts it for a user — the README's quick start, driven only
 * with kubectl, curl-like requests to pod IPs and the `flotilla vmss` commands: a control-plane
 * node and a scale set of two agents whose pods run as real processes, and the demo app.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FLOTILLA_BIN, sharedCluster, waitFor } from '../support/cluster.js';

const e2e = await sharedCluster({ controlPlane: true, dirPrefix: 'flotilla-local-' });
const { skip, run, ok } = e2e;

const example = (name: string) => readFileSync(fileURLToPath(new URL(`../../../examples/${name}`, import.meta.url)), 'utf8');

/** GET http://<ip>:<port><path> → status and body (rejects when nothing listens). */
function httpGet(hostPort: string, path = '/'): Promise<{ status: number; body: string }> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), path, timeout: 5_000, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('timeout', () => req.destroy(new Error(`timeout on ${hostPort}`)));
    req.once('error', reject);
    req.end();
  });
}

function flotilla(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [FLOTILLA_BIN, ...args, '--kubeconfig', e2e.cluster().kubeconfig], { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const clusterId = (): string => {
  const m = /nodes: k8s-master-(\d{8})-0 and the scale set/.exec(e2e.cluster().output());
  assert.ok(m, `flotilla up names its nodes:\n${e2e.cluster().output()}`);
  return m[1];
};

async function readyPods(selector: string, count: number): Promise<Array<{ name: string; ip: string; node: string }>> {
  return waitFor(`${count} Ready pods ${selector}`, async () => {
    const out = await ok(['get', 'pods', '-l', selector, '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.podIP} {.spec.nodeName} {.status.conditions[?(@.type=="Ready")].status} {.metadata.deletionTimestamp}{"\\n"}{end}']);
    const pods = out.trim().split('\n').filter(Boolean).map((l) => l.split(' '));
    const ready = pods.filter((p) => p[3] === 'True' && !p[4]);
    return pods.length === count && ready.length === count && ready.map(([name, ip, node]) => ({ name, ip, node }));
  }, 60_000);
}

test('kubectl get nodes: a control-plane node and two scale-set agents, Ready, with roles and zones', { skip }, async () => {
  const id = clusterId();
  const nodes = await waitFor('three Ready nodes', async () => {
    const out = await ok(['get', 'nodes', '-L', 'topology.kubernetes.io/zone']);
    return (out.match(/\sReady\s/g) ?? []).length === 3 && out;
  });
  const lines = nodes.trim().split('\n');
  assert.match(lines[0], /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+ZONE$/);
  assert.match(lines[1], new RegExp(`^k8s-agentpool1-${id}-vmss000000\\s+Ready\\s+agent\\s+\\S+\\s+v1\\.32\\.5\\s+local-1$`));
  assert.match(lines[2], new RegExp(`^k8s-agentpool1-${id}-vmss000001\\s+Ready\\s+agent\\s+\\S+\\s+v1\\.32\\.5\\s+local-2$`));
  assert.match(lines[3], new RegExp(`^k8s-master-${id}-0\\s+Ready\\s+master\\s+\\S+\\s+v1\\.32\\.5\\s+0$`));
  const providerID = await ok(['get', 'node', `k8s-agentpool1-${id}-vmss000001`, '-o', 'jsonpath={.spec.providerID}']);
  assert.match(providerID, new RegExp(`^azure:///subscriptions/[0-9a-f-]{36}/resourceGroups/flotilla-${id}/providers/Microsoft\\.Compute/virtualMachineScaleSets/k8s-agentpool1-${id}-vmss/virtualMachines/1$`));
});

test('the demo: two flotilla/echo pods that answer HTTP on their own IPs, and their logs', { skip }, async () => {
  const pods = await readyPods('app=echo', 2);
  for (const p of pods) {
    assert.match(p.ip, /^127\.\d+\.\d+\.\d+$/);
    const r = await httpGet(`${p.ip}:8080`, '/');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { instance: p.name, version: '1.0' });
    assert.deepEqual(JSON.parse((await httpGet(`${p.ip}:8080`, '/ping')).body), { instance: p.name, version: '1.0' });
    assert.match(p.node, /-vmss00000[01]$/);
  }
  const logs = await waitFor('a request line in kubectl logs', async () => {
    const out = await ok(['logs', pods[0].name]);
    return out.includes('GET /ping') && out;
  });
  assert.ok(logs.split('\n').length >= 2, logs);
  assert.match(await ok(['logs', pods[0].name, '--tail=1']), /^[^\n]*\n$/);
  assert.match(await ok(['logs', pods[0].name, '--timestamps', '--tail=1']), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d+Z /);
  const describe = await ok(['describe', 'pod', pods[0].name]);
  assert.match(describe, /Container ID:\s+flotilla:\/\/[0-9a-f]{64}\n/);
  assert.match(describe, /Started\s+.*kubelet\s+Started container echo/);
});

test('examples/web.yaml rolls out on real processes; set image changes what the pods answer', { skip }, async () => {
  assert.equal(await ok(['apply', '-f', '-'], example('web.yaml')), 'deployment.apps/web created\nservice/web created\n');
  assert.match(await ok(['rollout', 'status', 'deployment/web', '--timeout=90s']), /deployment "web" successfully rolled out\n$/);
  const pods = await readyPods('app=web', 2);
  for (const p of pods) assert.equal(JSON.parse((await httpGet(`${p.ip}:8080`)).body).version, '1.0');
  const endpoints = await waitFor('two endpoints', async () => {
    const out = await ok(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}']);
    return out.split(' ').filter(Boolean).length === 2 && out;
  });
  assert.deepEqual(endpoints.split(' ').sort(), pods.map((p) => p.ip).sort());

  await ok(['set', 'image', 'deployment/web', 'web=flotilla/echo:2.0']);
  await ok(['rollout', 'status', 'deployment/web', '--timeout=90s']);
  const updated = await readyPods('app=web', 2);
  for (const p of updated) assert.equal(JSON.parse((await httpGet(`${p.ip}:8080`)).body).version, '2.0');
  // The old pods' processes are gone with them: nothing answers on their IPs any more.
  for (const p of pods) await waitFor(`${p.ip} to stop answering`, async () => httpGet(`${p.ip}:8080`).then(() => false, () => true));
  await ok(['delete', 'deployment', 'web']);
});

test('a flotilla/crashloop pod restarts with back-off and shows CrashLoopBackOff', { skip }, async () => {
  await ok(['run', 'crash', '--image=flotilla/crashloop', '--env=CRASH_AFTER_SECONDS=0.2']);
  const seen = await waitFor('CrashLoopBackOff', async () => {
    const out = await ok(['get', 'pod', 'crash', '--no-headers']);
    return /\sCrashLoopBackOff\s/.test(out) && out;
  }, 30_000);
  assert.match(seen, /^crash\s+0\/1\s+CrashLoopBackOff\s+\d+/);
  await waitFor('restartCount ≥ 1', async () => Number(await ok(['get', 'pod', 'crash', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'])) >= 1, 40_000);
  const last = JSON.parse(await ok(['get', 'pod', 'crash', '-o', 'jsonpath={.status.containerStatuses[0].lastState.terminated}']));
  assert.equal(last.exitCode, 1);
  assert.equal(last.reason, 'Error');
  assert.match(await ok(['logs', 'crash', '--previous']), /\S/);
  const events = await ok(['get', 'events', '--field-selector', 'involvedObject.name=crash', '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}']);
  assert.match(events, /BackOff/);
  await ok(['delete', 'pod', 'crash', '--wait=true']);
});

test('a pod that fits no node stays Pending with the scheduler reason', { skip }, async () => {
  await ok(['run', 'huge', '--image=flotilla/echo', '--overrides={"spec":{"containers":[{"name":"huge","image":"flotilla/echo","resources":{"requests":{"cpu":"64"}}}]}}']);
  const describe = await waitFor('a FailedScheduling event', async () => {
    const out = (await run(['describe', 'pod', 'huge'])).stdout;
    return out.includes('FailedScheduling') && out;
  });
  assert.match(describe, /Status:\s+Pending\n/);
  assert.match(describe, /0\/3 nodes are available: 1 node\(s\) had untolerated taint \{node-role\.kubernetes\.io\/master: true\}, 2 Insufficient cpu\./);
  await ok(['delete', 'pod', 'huge']);
});

test('flotilla vmss: scaling the scale set from 2 to 4 adds vmss000002 and vmss000003; back to 2 removes them', { skip }, async () => {
  const id = clusterId();
  const ss = `k8s-agentpool1-${id}-vmss`;
  const list = await flotilla(['vmss', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(`^Name\\s+ResourceGroup\\s+Location`));
  assert.match(list.stdout, new RegExp(`\\n${ss}\\s+flotilla-${id}\\s+local\\s`));
  const scaled = await flotilla(['vmss', 'scale', '-n', ss, '--new-capacity', '4']);
  assert.equal(scaled.code, 0, scaled.stderr);
  await waitFor('four agents Ready', async () => {
    const out = await ok(['get', 'nodes', '--no-headers']);
    return [2, 3].every((i) => new RegExp(`^${ss}00000${i}\\s+Ready\\s`, 'm').test(out));
  }, 60_000);
  const instances = await flotilla(['vmss', 'list-instances', '-n', ss]);
  assert.equal(instances.code, 0, instances.stderr);
  assert.match(instances.stdout, /^InstanceId\s/);
  assert.equal((instances.stdout.match(/\sSucceeded\s/g) ?? []).length, 4, instances.stdout);
  const back = await flotilla(['vmss', 'scale', '-n', ss, '--new-capacity', '2']);
  assert.equal(back.code, 0, back.stderr);
  await waitFor('vmss000002 and vmss000003 to go', async () => {
    const out = await ok(['get', 'nodes', '-o', 'name']);
    return !out.includes(`${ss}000002`) && !out.includes(`${ss}000003`) && out.includes(`${ss}000001`);
  }, 60_000);
  const missing = await flotilla(['vmss', 'list-instances', '-n', 'no-such-vmss']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: .*no-such-vmss.*\n$/);
});

test('deleting a pod stops its process; restarting flotilla up brings running pods back', { skip }, async () => {
  const before = await readyPods('app=echo', 2);
  await ok(['delete', 'pod', before[0].name]);
  await waitFor(`${before[0].ip} to stop answering`, async () => httpGet(`${before[0].ip}:8080`).then(() => false, () => true));
  const pods = await readyPods('app=echo', 2);
  assert.equal(await e2e.stop(), 0);
  for (const p of pods) await assert.rejects(httpGet(`${p.ip}:8080`), `${p.ip} is down while flotilla is stopped`);
  await e2e.start();
  for (const p of pods) {
    const r = await waitFor(`${p.name} to answer again`, () => httpGet(`${p.ip}:8080`).catch(() => undefined), 60_000);
    assert.equal(JSON.parse(r.body).instance, p.name);
  }
});

test('flotilla up runs cluster-autoscaler over the agent pool, found by its tags', { skip }, async () => {
  const id = clusterId();
  const status = await waitFor('the autoscaler status ConfigMap', async () => {
    const r = await run(['get', 'configmap', 'cluster-autoscaler-status', '-n', 'kube-system', '-o', 'jsonpath={.data.status}']);
    return r.code === 0 && r.stdout.includes(`k8s-agentpool1-${id}-vmss`) && r.stdout;
  }, 60_000);
  assert.match(status, /^Cluster-autoscaler status at /);
  assert.match(status, new RegExp(`Name:\\s+k8s-agentpool1-${id}-vmss`));
  assert.match(status, /minSize=2, maxSize=5/);
});

test('flotilla up serves IngressRoutes: the demo through the ingress proxy by Host header', { skip }, async () => {
  const m = /ingress \(IngressRoute, Ingress\): http:\/\/([\d.]+):(\d+),/.exec(e2e.cluster().output());
  assert.ok(m, `flotilla up prints the proxy's address:\n${e2e.cluster().output()}`);
  await ok(['apply', '-f', '-'], JSON.stringify({
    apiVersion: 'contour.heptio.com/v1beta1',
    kind: 'IngressRoute',
    metadata: { name: 'echo', namespace: 'default' },
    spec: { virtualhost: { fqdn: 'echo.local' }, routes: [{ match: '/', services: [{ name: 'echo', port: 80 }] }] },
  }));
  await waitFor('the IngressRoute valid', async () => (await ok(['get', 'ir', 'echo', '-o', 'jsonpath={.status.currentStatus}'])) === 'valid');
  const pods = (await readyPods('app=echo', 2)).map((p) => p.name);
  const seen = new Set<string>();
  await waitFor('both demo pods answering through the proxy', async () => {
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: m[1], port: Number(m[2]), path: '/', headers: { Host: 'echo.local' }, agent: false, timeout: 5_000 }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.once('error', reject);
      req.end();
    });
    if (r.status === 200) seen.add(JSON.parse(r.body).instance);
    return pods.every((p) => seen.has(p));
  }, 30_000, 20);
  // Each request is in the access log, in Envoy's format, with the pod that served it.
  const logFile = join(e2e.cluster().dir, 'data', 'logs', 'ingress-access.log');
  assert.match(e2e.cluster().output(), new RegExp(`access log ${logFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  await waitFor('the access log to name both pods’ endpoints', () => {
    const served = readFileSync(logFile, 'utf8').split('\n').filter((l) => / "GET \/ HTTP\/1\.1" 200 - 0 \d+ \d+ \d+ "[^"]+" "-" "[0-9a-f-]{36}" "echo\.local" "127\.\d+\.\d+\.\d+:8080"$/.test(l));
    return new Set(served.map((l) => l.split('"').at(-2))).size === 2;
  }, 10_000, 50);
  await ok(['delete', 'ir', 'echo']);
});

test('kubectl exec runs commands in a pod’s container: output, stderr, stdin, exit codes and kube’s errors', { skip }, async () => {
  const [pod] = await readyPods('app=echo', 2);
  const r = await run(['exec', pod.name, '--', 'sh', '-c', 'echo "hello from $HOSTNAME"; echo oops >&2']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, `hello from ${pod.name}\n`, 'oops\n'], 'the pod’s environment, stdout and stderr apart');
  const piped = await run(['exec', '-i', pod.name, '--', 'sh', '-c', 'tr a-z A-Z'], 'through stdin\n');
  assert.deepEqual([piped.code, piped.stdout], [0, 'THROUGH STDIN\n'], 'stdin, closed at its end (v5 close signal)');
  const failed = await run(['exec', pod.name, '--', 'sh', '-c', 'exit 3']);
  assert.deepEqual([failed.code, failed.stderr], [3, 'command terminated with exit code 3\n'], 'kubectl exits with the command’s code');
  const missing = await run(['exec', pod.name, '--', 'no-such-command']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: Internal error occurred: error executing command in container: .*exec: "no-such-command": executable file not found in \$PATH: unknown\n$/);
  const wrong = await run(['exec', pod.name, '-c', 'nope', '--', 'true']);
  assert.deepEqual([wrong.code, wrong.stderr], [1, `Error from server (BadRequest): container nope is not valid for pod ${pod.name}\n`]);
});

test('kubectl top: pods and nodes from the kubelets (metrics.k8s.io), a busy pod near a core', { skip }, async () => {
  const pods = await readyPods('app=echo', 2);
  const top = await ok(['top', 'pods', '-l', 'app=echo']);
  const lines = top.trim().split('\n');
  assert.match(lines[0], /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*$/);
  for (const p of pods) assert.match(top, new RegExp(`^${p.name}\\s+\\d+m\\s+[1-9]\\d*Mi\\s*$`, 'm'), 'each demo pod, with its memory');
  await ok(['run', 'burn', '--image=busybox', '--command', '--', 'sh', '-c', 'while :; do :; done']);
  try {
    const burning = await waitFor('the busy pod near a core', async () => {
      const r = await run(['top', 'pod', 'burn', '--no-headers']);
      const m = /^burn\s+(\d+)m\s/.exec(r.stdout);
      return m && Number(m[1]) >= 200 ? Number(m[1]) : undefined;
    }, 60_000, 500);
    assert.ok(burning <= 1100, `a single-threaded loop uses at most a core, not ${burning}m`);
    const nodes = await ok(['top', 'nodes', '--no-headers']);
    assert.equal(nodes.trim().split('\n').length, 3, 'every node, the master with nothing on it too');
    assert.match(nodes, /-vmss00000\d\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/);
  } finally {
    await ok(['delete', 'pod', 'burn', '--grace-period=0', '--force']);
  }
});

test('kubectl autoscale: the horizontal pod autoscaler scales a busy Deployment on its CPU, as kube’s does', { skip }, async () => {
  await ok(['create', 'deployment', 'spin', '--image=busybox', '--', 'sh', '-c', 'while :; do sleep 0.01; done']);
  try {
    await ok(['set', 'resources', 'deployment', 'spin', '--requests=cpu=5m']);
    assert.equal(await ok(['autoscale', 'deployment', 'spin', '--cpu-percent=50', '--min=1', '--max=3']), 'horizontalpodautoscaler.autoscaling/spin autoscaled\n');
    await waitFor('the Deployment scaled to 3', async () => (await ok(['get', 'deployment', 'spin', '-o', 'jsonpath={.spec.replicas}'])) === '3', 90_000, 500);
    const row = await waitFor('the HPA reporting its utilization', async () => {
      const out = await ok(['get', 'hpa', 'spin', '--no-headers']);
      return /cpu: \d+%\/50%/.test(out) && out;
    }, 60_000, 500);
    assert.match(row, /^spin\s+Deployment\/spin\s+cpu: \d+%\/50%\s+1\s+3\s+\d\s+\S+\s*$/);
    const events = await ok(['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,involvedObject.name=spin', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    assert.match(events, /^SuccessfulRescale: New size: [23]; reason: cpu resource utilization \(percentage of request\) above target$/m);
    const bad = await run(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'bad' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'spin' }, minReplicas: 0, maxReplicas: 3 } }));
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'The HorizontalPodAutoscaler "bad" is invalid: spec.minReplicas: Invalid value: 0: must be greater than or equal to 1\n');
  } finally {
    await run(['delete', 'hpa', 'spin']);
    await ok(['delete', 'deployment', 'spin']);
  }
});
