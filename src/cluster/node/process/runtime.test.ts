/**
 * The process runtime end to end against the in-memory client: real child processes on
 * loopback IPs, their statuses, restarts, graceful deletion, logs through the kubelet server,
 * and nodes added and removed at run time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { createFakeClient, kinds, type KObject } from '../../../runtime/index.js';
import { startNodeAgent, type NodeAgent } from '../agent.js';

const LOOPBACK = '127.43.0.0/16';

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function get(url: string): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

function pod(name: string, node: string, spec: Partial<NonNullable<Pod['spec']>>): KObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName: node, terminationGracePeriodSeconds: 5, containers: [], ...spec },
  } as unknown as KObject;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function withAgent(fn: (agent: NodeAgent, client: ReturnType<typeof createFakeClient>, dataDir: string) => Promise<void>, opts: { volumeSyncMs?: number } = {}): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flotilla-node-'));
  const client = createFakeClient();
  const stop = new AbortController();
  const agent = await startNodeAgent({ kubeConfig: new KubeConfig(), client, signal: stop.signal, dataDir, loopbackCIDR: LOOPBACK, recordEvents: true, shutdownGraceMs: 1000, ...opts });
  try {
    await fn(agent, client, dataDir);
  } finally {
    stop.abort();
    await agent.stopped;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const getPod = async (client: ReturnType<typeof createFakeClient>, name: string): Promise<Pod | undefined> =>
  (await client.get(kinds.pods, 'default', name)) as unknown as Pod | undefined;

test('an echo pod answers on its own loopback IP, logs through the kubelet server, and is deleted gracefully', async () => {
  await withAgent(async (agent, client, dataDir) => {
    await agent.add({ name: 'proc-1', cpu: 2, memory: '4Gi', pods: 10, runtime: 'process' });
    const net = agent.network('proc-1')!;
    assert.equal(net.podCIDR, '127.43.0.0/24');
    assert.match(net.internalIP, /^127\.240\.0\.\d+$/);
    assert.ok(net.kubeletPort! > 0);
    const node = (await client.get(kinds.nodes, '', 'proc-1')) as unknown as { status: { daemonEndpoints: { kubeletEndpoint: { Port: number } } } };
    assert.equal(node.status.daemonEndpoints.kubeletEndpoint.Port, net.kubeletPort);

    await client.create(kinds.pods, pod('web', 'proc-1', { containers: [{ name: 'echo', image: 'docker.io/flotilla/echo:2.0', ports: [{ containerPort: 8080 }] }] }));
    const running = await until('web Ready', async () => {
      const p = await getPod(client, 'web');
      return p?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True' ? p : undefined;
    });
    assert.equal(running.status!.phase, 'Running');
    assert.equal(running.status!.podIP, '127.43.0.2');
    assert.equal(running.status!.hostIP, net.internalIP);
    assert.match(running.status!.containerStatuses![0].containerID!, /^flotilla:\/\/[0-9a-f]{64}$/);

    const res = await until('echo answers', () => get('http://127.43.0.2:8080/ping'));
    assert.deepEqual(JSON.parse(res.body), { instance: 'web', version: '2.0' });

    const base = `http://${net.internalIP}:${net.kubeletPort}`;
    const logs = await until('request logged', async () => {
      const r = await get(`${base}/containerLogs/default/web/echo`);
      return r.body.includes('GET /ping') ? r : undefined;
    });
    assert.equal(logs.code, 200);
    assert.match(logs.body, /^echo 2\.0 \(instance web\) listening on 127\.43\.0\.2:8080\n/);
    const tail = await get(`${base}/containerLogs/default/web/echo?tailLines=1&timestamps=true`);
    assert.match(tail.body, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z .*GET \/ping/);
    assert.equal(tail.body.trim().split('\n').length, 1);
    const prev = await get(`${base}/containerLogs/default/web/echo?previous=true`);
    assert.equal(prev.code, 400);
    assert.equal(prev.body, 'previous terminated container "echo" in pod "web" not found\n');
    assert.equal((await get(`${base}/containerLogs/default/nope/echo`)).code, 404);
    assert.equal((await get(`${base}/healthz`)).body, 'ok');

    const uid = running.metadata!.uid!;
    const file = readFileSync(join(dataDir, 'var/log/pods', `default_web_${uid}`, 'echo', '0.log'), 'utf8');
    assert.match(file.split('\n')[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F echo 2\.0/);
    const links = readdirSync(join(dataDir, 'var/log/containers'));
    assert.deepEqual(links, [`web_default_echo-${running.status!.containerStatuses![0].containerID!.slice('flotilla://'.length)}.log`]);

    // A follower sees new lines as they come.
    const follow = get(`${base}/containerLogs/default/web/echo?follow=true&tailLines=0`).then((r) => r.body);
    await new Promise((r) => setTimeout(r, 200));
    await get('http://127.43.0.2:8080/');

    // Graceful deletion: SIGTERM, the echo server exits 0, then the agent confirms the deletion.
    await client.patch(kinds.pods, 'default', 'web', { metadata: { deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 5 } });
    await until('web deleted', async () => ((await getPod(client, 'web')) ? undefined : true));
    const followed = await follow;
    assert.match(followed, /"GET \/ HTTP\/1\.1" 200/);
    assert.match(followed, /SIGTERM, shutting down/);
    await until('echo port closed', () => get('http://127.43.0.2:8080/').then(() => undefined, () => true));
    await until('logs removed', () => readdirSync(join(dataDir, 'var/log/containers')).length === 0 || undefined);
  });
});

test('a crashloop pod restarts with CrashLoopBackOff, and its previous log is served', async () => {
  await withAgent(async (agent, client) => {
    await agent.add({ name: 'proc-1', cpu: 2, memory: '4Gi', pods: 10, runtime: 'process' });
    await client.create(kinds.pods, pod('crash', 'proc-1', { containers: [{ name: 'c', image: 'flotilla/crashloop', env: [{ name: 'CRASH_AFTER_SECONDS', value: '0.2' }, { name: 'EXIT_CODE', value: '3' }] }] }));
    const backoff = await until('CrashLoopBackOff', async () => {
      const p = await getPod(client, 'crash');
      const s = p?.status?.containerStatuses?.[0];
      return s?.state?.waiting?.reason === 'CrashLoopBackOff' ? p : undefined;
    });
    const s = backoff.status!.containerStatuses![0];
    assert.equal(s.restartCount, 1);
    assert.equal(s.lastState!.terminated!.exitCode, 3);
    assert.equal(s.lastState!.terminated!.reason, 'Error');
    assert.equal(s.state!.waiting!.message, `back-off 10s restarting failed container=c pod=crash_default(${backoff.metadata!.uid})`);
    assert.equal(backoff.status!.phase, 'Running');
    const ready = backoff.status!.conditions!.find((c) => c.type === 'Ready')!;
    assert.deepEqual([ready.status, ready.reason, ready.message], ['False', 'ContainersNotReady', 'containers with unready status: [c]']);
    const net = agent.network('proc-1')!;
    const prev = await get(`http://${net.internalIP}:${net.kubeletPort}/containerLogs/default/crash/c?previous=true`);
    assert.equal(prev.code, 200);
    assert.equal(prev.body, 'crashloop (instance crash): exiting with code 3 in 0.2s\ncrashloop: exit 3\n');
  });
});

test('restartPolicy Never: a command container that exits 0 makes the pod Succeeded; an unknown image is ErrImagePull', async () => {
  await withAgent(async (agent, client) => {
    await agent.add({ name: 'proc-1', cpu: 2, memory: '4Gi', pods: 10, runtime: 'process' });
    await client.create(kinds.configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { greeting: 'hello' } } as KObject);
    await client.create(
      kinds.pods,
      pod('job', 'proc-1', {
        restartPolicy: 'Never',
        initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'echo init-ran'] }],
        containers: [
          {
            name: 'main',
            image: 'busybox',
            command: ['sh', '-c'],
            args: ['echo "$(GREETING) from $POD_NAME on $NODE"'],
            env: [
              { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'greeting' } } },
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
            ],
          },
        ],
      }),
    );
    const done = await until('job Succeeded', async () => {
      const p = await getPod(client, 'job');
      return p?.status?.phase === 'Succeeded' ? p : undefined;
    });
    assert.equal(done.status!.initContainerStatuses![0].state!.terminated!.reason, 'Completed');
    assert.equal(done.status!.containerStatuses![0].state!.terminated!.exitCode, 0);
    const net = agent.network('proc-1')!;
    const logs = await get(`http://${net.internalIP}:${net.kubeletPort}/containerLogs/default/job/main`);
    assert.equal(logs.body, 'hello from job on proc-1\n');

    await client.create(kinds.pods, pod('mystery', 'proc-1', { containers: [{ name: 'm', image: 'nginx:1.27' }] }));
    const waiting = await until('ImagePullBackOff', async () => {
      const p = await getPod(client, 'mystery');
      return p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff' ? p : undefined;
    });
    assert.match(waiting.status!.containerStatuses![0].state!.waiting!.message!, /the process runtime runs flotilla\/echo, flotilla\/crashloop, pause, flotilla\/flotilla, or a container with a command/);
    assert.equal(waiting.status!.phase, 'Pending');
  });
});

test('remove(name) kills the node\'s containers and waits for them; add is idempotent and nodes come back', async () => {
  await withAgent(async (agent, client) => {
    await Promise.all([agent.add({ name: 'proc-1', cpu: 2, memory: '4Gi', pods: 10, runtime: 'process' }), agent.add({ name: 'proc-1', cpu: 2, memory: '4Gi', pods: 10, runtime: 'process' })]);
    await agent.add({ name: 'sim-1', cpu: 2, memory: '4Gi', pods: 10 });
    assert.deepEqual(agent.names(), ['proc-1', 'sim-1']);
    await client.create(kinds.pods, pod('sleeper', 'proc-1', { containers: [{ name: 's', image: 'busybox', command: ['sleep', '313'] }] }));
    await client.create(kinds.pods, pod('paused', 'proc-1', { containers: [{ name: 'p', image: 'registry.k8s.io/pause:3.10' }] }));
    await until('both running', async () => {
      const ps = await Promise.all(['sleeper', 'paused'].map((n) => getPod(client, n)));
      return ps.every((p) => p?.status?.phase === 'Running') || undefined;
    });
    const pids = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .filter((d) => {
        try {
          const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8');
          return cmd.startsWith('sleep\u0000313') || (cmd.includes('builtin-image.js') && cmd.includes('pause') && cmd.includes('127.43.'));
        } catch {
          return false;
        }
      })
      .map(Number);
    assert.equal(pids.length, 2);
    const t0 = Date.now();
    await agent.remove('proc-1');
    assert.ok(Date.now() - t0 < 5000);
    assert.deepEqual(pids.filter(alive), []);
    assert.deepEqual(agent.names(), ['sim-1']);
    assert.ok(await client.get(kinds.nodes, '', 'proc-1'), 'the Node object stays');
    await agent.add({ name: 'proc-1', cpu: 2, memory: '4Gi', pods: 10, runtime: 'process' });
    assert.equal(agent.network('proc-1')!.podCIDR, '127.43.0.0/24');
  });
});

test('a new agent over the same data dir restarts the pods it finds Running, keeping their IPs', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flotilla-node-'));
  const client = createFakeClient();
  const spec = { name: 'proc-1', cpu: 2, memory: '4Gi', pods: 10, runtime: 'process' as const };
  try {
    const stop1 = new AbortController();
    const a1 = await startNodeAgent({ kubeConfig: new KubeConfig(), client, signal: stop1.signal, dataDir, loopbackCIDR: LOOPBACK, nodes: [spec], shutdownGraceMs: 1000 });
    await client.create(kinds.pods, pod('web', 'proc-1', { containers: [{ name: 'echo', image: 'flotilla/echo', ports: [{ containerPort: 8081 }] }] }));
    const before = await until('web Running', async () => {
      const p = await getPod(client, 'web');
      return p?.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.state?.running ? p : undefined;
    });
    await until('echo answers', () => get(`http://${before.status!.podIP}:8081/`));
    stop1.abort();
    await a1.stopped;
    await assert.rejects(get(`http://${before.status!.podIP}:8081/`), 'the agent took its containers down with it');

    const stop2 = new AbortController();
    const a2 = await startNodeAgent({ kubeConfig: new KubeConfig(), client, signal: stop2.signal, dataDir, loopbackCIDR: LOOPBACK, shutdownGraceMs: 1000 });
    try {
      await a2.add(spec);
      const after = await until('web restarted', async () => {
        const p = await getPod(client, 'web');
        const s = p?.status?.containerStatuses?.[0];
        return s?.restartCount === 1 && s.state?.running ? p : undefined;
      });
      assert.equal(after.status!.podIP, before.status!.podIP);
      assert.deepEqual(
        { exitCode: after.status!.containerStatuses![0].lastState!.terminated!.exitCode, reason: after.status!.containerStatuses![0].lastState!.terminated!.reason },
        { exitCode: 255, reason: 'Unknown' },
      );
      const res = await until('echo answers again', () => get(`http://${before.status!.podIP}:8081/`));
      assert.equal(JSON.parse(res.body).instance, 'web');
    } finally {
      stop2.abort();
      await a2.stopped;
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('probes: readiness gates Ready, a failing liveness probe restarts the container, events are recorded', async () => {
  await withAgent(async (agent, client) => {
    await agent.add({ name: 'proc-1', cpu: 2, memory: '4Gi', pods: 10, runtime: 'process' });
    await client.create(
      kinds.pods,
      pod('probed', 'proc-1', {
        containers: [
          {
            name: 'web',
            image: 'flotilla/echo',
            ports: [{ name: 'http', containerPort: 8082 }],
            readinessProbe: { httpGet: { path: '/ping', port: 'http' }, periodSeconds: 1 },
            startupProbe: { tcpSocket: { port: 8082 }, periodSeconds: 1 },
          },
          { name: 'sick', image: 'pause', livenessProbe: { exec: { command: ['sh', '-c', 'echo not well; exit 1'] }, periodSeconds: 1, failureThreshold: 1 } },
        ],
      }),
    );
    const p = await until('sick restarted by its liveness probe', async () => {
      const x = await getPod(client, 'probed');
      const sick = x?.status?.containerStatuses?.find((c) => c.name === 'sick');
      return sick && sick.restartCount >= 1 ? x : undefined;
    }, 15_000);
    const sick = p.status!.containerStatuses!.find((c) => c.name === 'sick')!;
    // pause exits 0 on SIGTERM, or 143 when the signal beats its handler (the probe fires at once).
    assert.ok([0, 143].includes(sick.lastState!.terminated!.exitCode), String(sick.lastState!.terminated!.exitCode));
    const web = await until('web started and ready', async () => {
      const w = (await getPod(client, 'probed'))?.status?.containerStatuses?.find((c) => c.name === 'web');
      return w?.started && w.ready ? w : undefined;
    });
    assert.equal(web.restartCount, 0);
    const events = (await client.list(kinds.events, { namespace: 'default' })).items as unknown as { reason: string; message: string; type: string; source: { component: string } }[];
    const has = (reason: string, message: string | RegExp) => events.some((e) => e.reason === reason && (typeof message === 'string' ? e.message === message : message.test(e.message)));
    assert.ok(has('Pulled', 'Container image "flotilla/echo" already present on machine'));
    assert.ok(has('Created', 'Created container: web'));
    assert.ok(has('Started', 'Started container sick'));
    assert.ok(has('Unhealthy', 'Liveness probe failed: not well\n') || has('Unhealthy', /^Liveness probe failed: not well/));
    assert.ok(has('Killing', 'Container sick failed liveness probe, will be restarted'));
    assert.ok(events.every((e) => e.source.component === 'kubelet'));
  });
});

test('activeDeadlineSeconds stops the containers and fails the pod with DeadlineExceeded', async () => {
  await withAgent(async (agent, client) => {
    await agent.add({ name: 'proc-1', cpu: 2, memory: '4Gi', pods: 10, runtime: 'process' });
    await client.create(kinds.pods, pod('deadline', 'proc-1', { activeDeadlineSeconds: 1, containers: [{ name: 'p', image: 'pause' }] }));
    const failed = await until('deadline Failed', async () => {
      const p = await getPod(client, 'deadline');
      return p?.status?.phase === 'Failed' ? p : undefined;
    });
    assert.deepEqual([failed.status!.reason, failed.status!.message], ['DeadlineExceeded', 'Pod was active on the node longer than the specified deadline']);
    assert.ok(failed.status!.containerStatuses![0].state!.terminated, 'the container was stopped');
    assert.equal(agent.stats().processPods, 0);
  });
});

test('a command that does not exist is a StartError, restarted with back-off', async () => {
  await withAgent(async (agent, client) => {
    await agent.add({ name: 'proc-1', cpu: 2, memory: '4Gi', pods: 10, runtime: 'process' });
    await client.create(kinds.pods, pod('typo', 'proc-1', { containers: [{ name: 't', image: 'busybox', command: ['no-such-binary-flotilla'] }] }));
    const p = await until('CrashLoopBackOff', async () => {
      const x = await getPod(client, 'typo');
      return x?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff' ? x : undefined;
    });
    const t = p.status!.containerStatuses![0].lastState!.terminated!;
    assert.deepEqual([t.exitCode, t.reason], [128, 'StartError']);
    assert.match(t.message!, /exec: "no-such-binary-flotilla": executable file not found in \$PATH/);
  });
});

test('volumes: a missing Secret is FailedMount in ContainerCreating; then files, rewritten paths, FLOTILLA_MOUNT_*, updates', async () => {
  await withAgent(async (agent, client, dataDir) => {
    await agent.add({ name: 'proc-1', cpu: 2, memory: '4Gi', pods: 10, runtime: 'process' });
    await client.create(kinds.configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { 'app.conf': 'mode=fast' } } as KObject);
    const created = await client.create(
      kinds.pods,
      pod('vols', 'proc-1', {
        containers: [
          {
            name: 'main',
            image: 'busybox',
            command: ['sh', '-c'],
            args: ['cat /etc/secret/token; echo; cat $CONF_FILE; echo; echo "mount=$FLOTILLA_MOUNT_SECRET"; echo ok > /scratch/out; cat /scratch/out; while true; do sleep 0.1; if [ "$(cat /etc/secret/token)" = two ]; then echo updated; exit 0; fi; done'],
            env: [{ name: 'CONF_FILE', value: '/etc/config/app.conf' }],
            volumeMounts: [
              { name: 'secret', mountPath: '/etc/secret', readOnly: true },
              { name: 'config', mountPath: '/etc/config' },
              { name: 'scratch', mountPath: '/scratch' },
            ],
          },
        ],
        restartPolicy: 'Never',
        volumes: [
          { name: 'secret', secret: { secretName: 'token', defaultMode: 0o400 } },
          { name: 'config', configMap: { name: 'cfg' } },
          { name: 'scratch', emptyDir: {} },
        ],
      }),
    );
    const uid = (created.metadata as { uid: string }).uid;
    const stuck = await until('ContainerCreating with FailedMount', async () => {
      const p = await getPod(client, 'vols');
      const events = (await client.list(kinds.events, { namespace: 'default' })).items as unknown as { reason: string; message: string; type: string }[];
      const failed = events.find((e) => e.reason === 'FailedMount');
      return p?.status?.containerStatuses?.[0]?.state?.waiting && failed ? { p, failed } : undefined;
    });
    assert.deepEqual([stuck.failed.type, stuck.failed.message], ['Warning', 'MountVolume.SetUp failed for volume "secret" : secret "token" not found']);
    assert.equal(stuck.p.status!.phase, 'Pending');
    assert.equal(stuck.p.status!.containerStatuses![0].state!.waiting!.reason, 'ContainerCreating');
    assert.equal(stuck.p.status!.conditions!.find((c) => c.type === 'PodReadyToStartContainers')!.status, 'False');

    await client.create(kinds.secrets, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'token', namespace: 'default' }, data: { token: Buffer.from('one').toString('base64') } } as KObject);
    const secretDir = join(dataDir, 'var', 'lib', 'kubelet', 'pods', uid, 'volumes', 'kubernetes.io~secret', 'secret');
    const net = agent.network('proc-1')!;
    const logs = async () => (await get(`http://${net.internalIP}:${net.kubeletPort}/containerLogs/default/vols/main`)).body;
    await until('the container read its volumes', async () => ((await logs()).includes('ok\n') ? true : undefined));
    assert.equal(await logs(), `one\nmode=fast\nmount=${secretDir}\nok\n`);
    assert.equal(readFileSync(join(secretDir, 'token'), 'utf8'), 'one');
    assert.ok(readdirSync(secretDir).includes('..data'));

    const secret = (await client.get(kinds.secrets, 'default', 'token'))!;
    await client.update(kinds.secrets, { ...secret, data: { token: Buffer.from('two').toString('base64') } } as KObject);
    await until('the update reached the running container', async () => ((await getPod(client, 'vols'))?.status?.phase === 'Succeeded' ? true : undefined));
    assert.equal(await logs(), `one\nmode=fast\nmount=${secretDir}\nok\nupdated\n`);
  }, { volumeSyncMs: 300 });
});

test('flotilla/flotilla runs the CLI with the container’s args, and goes when the agent’s end of its stdin closes', async () => {
  await withAgent(async (agent, client) => {
    await agent.add({ name: 'proc-1', cpu: 2, memory: '4Gi', pods: 10, runtime: 'process' });
    await client.create(kinds.configMaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'manifests', namespace: 'default' }, data: { 'pod.yaml': 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n' } } as KObject);
    // `flotilla admission review` reads the manifest at the mounted path, then finds no webhook on port 1 of the pod's IP.
    await client.create(
      kinds.pods,
      pod('cli', 'proc-1', {
        restartPolicy: 'Never',
        containers: [{ name: 'cli', image: 'flotilla/flotilla:0.1.0', args: ['admission', 'review', '-f', '/manifests/pod.yaml', '--webhook', 'https://$(POD_IP):1/x'], env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }], volumeMounts: [{ name: 'manifests', mountPath: '/manifests' }] }],
        volumes: [{ name: 'manifests', configMap: { name: 'manifests' } }],
      }),
    );
    const done = await until('the CLI pod ended', async () => {
      const p = await getPod(client, 'cli');
      return p?.status?.phase === 'Failed' || p?.status?.phase === 'Succeeded' ? p : undefined;
    }, 20_000);
    const net = agent.network('proc-1')!;
    const logs = (await get(`http://${net.internalIP}:${net.kubeletPort}/containerLogs/default/cli/cli`)).body;
    assert.equal(done.status!.containerStatuses![0].state!.terminated!.exitCode, 1, logs);
    assert.equal(logs, `error: connect ECONNREFUSED ${done.status!.podIP}:1\n`);
  });
  // The wrapper alone: its CLI (here a script that sleeps) is killed when its stdin closes.
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-cli-image-'));
  try {
    const main = join(dir, 'main.js');
    writeFileSync(main, 'process.stdout.write(`pid ${process.pid}\\n`); setInterval(() => {}, 1000);');
    const wrapper = fileURLToPath(new URL('./cli-image.js', import.meta.url));
    const child = spawn(process.execPath, [wrapper, main], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const cliPid = await until('the CLI printed its pid', () => Number(/pid (\d+)/.exec(out)?.[1]) || undefined);
    assert.ok(alive(cliPid));
    const exited = new Promise((r) => child.once('exit', r));
    child.stdin!.end();
    await exited;
    await until('the CLI is gone', () => !alive(cliPid) || undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const PROC_1 = { name: 'proc-1', cpu: 2, memory: '4Gi', pods: 10, runtime: 'process' } as const;
type EventRow = { reason: string; message: string; type: string };
const eventsOf = async (client: ReturnType<typeof createFakeClient>): Promise<EventRow[]> => (await client.list(kinds.events, { namespace: 'default' })).items as unknown as EventRow[];

test('postStart: the container is ContainerCreating until its hook ran; workingDir in a volume, on the host, or a scratch directory', async () => {
  await withAgent(async (agent, client, dataDir) => {
    await agent.add(PROC_1);
    const created = await client.create(
      kinds.pods,
      pod('hooked', 'proc-1', {
        containers: [
          {
            name: 'app',
            image: 'busybox',
            workingDir: '/work',
            // `ready` is relative: found in the working directory, i.e. the volume.
            command: ['sh', '-c', 'while [ ! -f ready ]; do sleep 0.05; done; cat ready; pwd; sleep 300'],
            lifecycle: { postStart: { exec: { command: ['sh', '-c', 'sleep 1; echo "hooked in $(pwd)" > /work/ready'] } } },
            volumeMounts: [{ name: 'work', mountPath: '/work' }],
          },
          { name: 'host', image: 'busybox', workingDir: '/tmp', command: ['sh', '-c', 'pwd; sleep 300'] },
          { name: 'scratch', image: 'busybox', workingDir: '/srv/flotilla-nowhere', command: ['sh', '-c', 'echo x > rel; cat rel; pwd; sleep 300'] },
        ],
        volumes: [{ name: 'work', emptyDir: {} }],
      }),
    );
    const uid = (created.metadata as { uid: string }).uid;
    const podDir = join(dataDir, 'var', 'lib', 'kubelet', 'pods', uid);
    const workDir = join(podDir, 'volumes', 'kubernetes.io~empty-dir', 'work');
    // Started (the process runs) while the status still says ContainerCreating: the hook is running.
    const during = await until('Started while ContainerCreating', async () => {
      const p = await getPod(client, 'hooked');
      const app = p?.status?.containerStatuses?.find((c) => c.name === 'app');
      const started = (await eventsOf(client)).some((e) => e.reason === 'Started' && e.message === 'Started container app');
      return started && app?.state?.waiting?.reason === 'ContainerCreating' ? p : undefined;
    });
    assert.equal(during.status!.phase, 'Pending');
    const up = await until('app Running after its hook', async () => {
      const p = await getPod(client, 'hooked');
      return p?.status?.containerStatuses?.find((c) => c.name === 'app')?.state?.running && p.status.phase === 'Running' ? p : undefined;
    });
    assert.ok(up.status!.containerStatuses!.every((c) => c.ready && c.started));
    const net = agent.network('proc-1')!;
    const logs = (c: string) => get(`http://${net.internalIP}:${net.kubeletPort}/containerLogs/default/hooked/${c}`).then((r) => r.body);
    await until('app read the hook’s file', async () => ((await logs('app')).split('\n').length >= 3 ? true : undefined));
    assert.equal(await logs('app'), `hooked in ${workDir}\n${workDir}\n`);
    assert.equal(await until('host printed', async () => (await logs('host')) || undefined), '/tmp\n');
    assert.equal(await until('scratch printed', async () => ((await logs('scratch')).includes('/') ? logs('scratch') : undefined)), `x\n${join(podDir, 'workdirs', 'scratch', 'srv', 'flotilla-nowhere')}\n`);
    assert.ok(!(await eventsOf(client)).some((e) => e.reason === 'FailedPostStartHook'));
  });
});

test('a failing postStart hook: FailedPostStartHook, the container killed and restarted, PostStartHookError with kubelet’s message', async () => {
  await withAgent(async (agent, client) => {
    await agent.add(PROC_1);
    const script = 'sleep 1; echo broken >&2; exit 3';
    const created = await client.create(kinds.pods, pod('hookfail', 'proc-1', { containers: [{ name: 'app', image: 'pause', lifecycle: { postStart: { exec: { command: ['sh', '-c', script] } } } }] }));
    const uid = (created.metadata as { uid: string }).uid;
    // While the restarted container's hook runs, kubelet still reports the failed start.
    const waiting = await until('PostStartHookError', async () => {
      const s = (await getPod(client, 'hookfail'))?.status?.containerStatuses?.[0];
      return s?.state?.waiting?.reason === 'PostStartHookError' ? s : undefined;
    }, 15_000);
    assert.equal(
      waiting.state!.waiting!.message,
      `Exec lifecycle hook ([sh -c ${script}]) for Container "app" in Pod "hookfail_default(${uid})" failed - error: command 'sh -c ${script}' exited with 3: broken\n, message: "broken\\n"`,
    );
    assert.ok(waiting.lastState!.terminated, 'the killed run is the last state');
    assert.equal(waiting.restartCount, 0);
    const events = await eventsOf(client);
    assert.ok(events.some((e) => e.type === 'Warning' && e.reason === 'FailedPostStartHook' && e.message === 'PostStartHook failed'));
    assert.ok(events.some((e) => e.type === 'Normal' && e.reason === 'Killing' && e.message === 'FailedPostStartHook'));
    // Its second start fails too: CrashLoopBackOff, as restartPolicy Always says.
    await until('CrashLoopBackOff', async () => ((await getPod(client, 'hookfail'))?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff' ? true : undefined), 15_000);
  });
});

test('preStop: an httpGet hook reaches the container before SIGTERM; a sleep hook delays termination; a failed hook is FailedPreStopHook', async () => {
  await withAgent(async (agent, client) => {
    await agent.add(PROC_1);
    await client.create(
      kinds.pods,
      pod('drain', 'proc-1', {
        containers: [
          { name: 'web', image: 'flotilla/echo', ports: [{ name: 'http', containerPort: 8093 }], lifecycle: { preStop: { httpGet: { port: 'http', path: '/drain?now=1' } } } },
          { name: 'slow', image: 'pause', lifecycle: { preStop: { sleep: { seconds: 2 } } } },
          { name: 'bad', image: 'pause', lifecycle: { preStop: { exec: { command: ['sh', '-c', 'exit 1'] } } } },
        ],
      }),
    );
    const running = await until('drain Running', async () => {
      const p = await getPod(client, 'drain');
      return p?.status?.containerStatuses?.every((c) => c.state?.running) ? p : undefined;
    });
    const podIP = running.status!.podIP!;
    await until('echo answers', () => get(`http://${podIP}:8093/`));
    const net = agent.network('proc-1')!;
    // From the log's start, so nothing is missed however late the follower attaches; it ends with the container.
    const follow = get(`http://${net.internalIP}:${net.kubeletPort}/containerLogs/default/drain/web?follow=true`).then((r) => r.body);
    const t0 = Date.now();
    await client.patch(kinds.pods, 'default', 'drain', { metadata: { deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 5 } });
    await until('drain deleted', async () => ((await getPod(client, 'drain')) ? undefined : true));
    const took = Date.now() - t0;
    assert.ok(took >= 2000 && took < 5000, `the sleep hook held the deletion ${took} ms`);
    const followed = await follow;
    const hookAt = followed.indexOf('"GET /drain?now=1 HTTP/1.1" 200');
    assert.ok(hookAt >= 0, followed);
    assert.ok(hookAt < followed.indexOf('SIGTERM, shutting down'), 'the hook came before SIGTERM');
    const events = await eventsOf(client);
    assert.deepEqual(events.filter((e) => e.reason === 'FailedPreStopHook').map((e) => [e.type, e.message]), [['Warning', 'PreStopHook failed']]);
    assert.deepEqual(events.filter((e) => e.reason === 'Killing').map((e) => e.message).sort(), ['Stopping container bad', 'Stopping container slow', 'Stopping container web']);
  });
});

test('preStop runs before a liveness kill too; a hung preStop hook is abandoned when the grace period is over', async () => {
  await withAgent(async (agent, client, dataDir) => {
    await agent.add(PROC_1);
    const created = await client.create(
      kinds.pods,
      pod('stops', 'proc-1', {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'sick',
            image: 'pause',
            livenessProbe: { exec: { command: ['sh', '-c', 'exit 1'] }, periodSeconds: 1, failureThreshold: 1 },
            lifecycle: { preStop: { exec: { command: ['sh', '-c', 'echo stopped >> /state/log'] } } },
            volumeMounts: [{ name: 'state', mountPath: '/state' }],
          },
          { name: 'hung', image: 'pause', lifecycle: { preStop: { exec: { command: ['sh', '-c', 'sleep 61.5'] } } } },
        ],
        volumes: [{ name: 'state', emptyDir: {} }],
      }),
    );
    const uid = (created.metadata as { uid: string }).uid;
    const log = join(dataDir, 'var', 'lib', 'kubelet', 'pods', uid, 'volumes', 'kubernetes.io~empty-dir', 'state', 'log');
    await until('sick restarted after its preStop hook', async () => {
      const s = (await getPod(client, 'stops'))?.status?.containerStatuses?.find((c) => c.name === 'sick');
      return s && s.restartCount >= 1 ? true : undefined;
    }, 15_000);
    assert.match(readFileSync(log, 'utf8'), /^stopped\n/);
    await until('hung running', async () => ((await getPod(client, 'stops'))?.status?.containerStatuses?.find((c) => c.name === 'hung')?.state?.running ? true : undefined));
    const t0 = Date.now();
    await client.patch(kinds.pods, 'default', 'stops', { metadata: { deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 1 } });
    await until('stops deleted', async () => ((await getPod(client, 'stops')) ? undefined : true));
    // 1 s of grace spent on the hook, then the 2 s minimum at most; pause goes at SIGTERM.
    assert.ok(Date.now() - t0 < 4000, `deleted after ${Date.now() - t0} ms`);
    const hooks = readdirSync('/proc').filter((d) => /^\d+$/.test(d) && (() => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').includes('sleep 61.5');
      } catch {
        return false;
      }
    })());
    assert.deepEqual(hooks, [], 'the abandoned hook was killed');
  });
});

test('resources.limits.memory: a container over its limit is OOMKilled (137) and restarted; one under it keeps running', async () => {
  await withAgent(async (agent, client) => {
    await agent.add(PROC_1);
    const hog = ['sh', '-c', `exec "${process.execPath}" -e "const b = Buffer.alloc(200 * 1024 * 1024, 1); setInterval(() => b[0]++, 100)"`];
    await client.create(kinds.pods, pod('hog', 'proc-1', { containers: [{ name: 'hog', image: 'busybox', command: hog, resources: { limits: { memory: '64Mi' } } }] }));
    await client.create(kinds.pods, pod('roomy', 'proc-1', { containers: [{ name: 'roomy', image: 'busybox', command: hog, resources: { limits: { memory: '1Gi' } } }] }));
    const p = await until('the hog OOMKilled', async () => {
      const x = await getPod(client, 'hog');
      return x?.status?.containerStatuses?.[0]?.lastState?.terminated?.reason === 'OOMKilled' ? x : undefined;
    }, 20_000);
    const t = p.status!.containerStatuses![0].lastState!.terminated!;
    assert.equal(t.exitCode, 137);
    assert.ok((p.status!.containerStatuses![0].restartCount ?? 0) >= 1, 'restarted by its restartPolicy');
    const roomy = await getPod(client, 'roomy');
    assert.equal(roomy?.status?.containerStatuses?.[0]?.restartCount, 0, 'under its limit: left alone');
    assert.ok(roomy?.status?.containerStatuses?.[0]?.state?.running);
  });
});
