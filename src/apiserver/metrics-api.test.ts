import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import { goWindow, hasNewContainers, MetricsApi, nodeUsage, podUsages, type Summary } from './metrics-api.js';
import { SIMULATED_NODE_ANNOTATION } from './pod-logs.js';

const T0 = Date.UTC(2026, 10, 27, 0, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();

/** A node's summary at `ms`: each pod's containers with cumulative CPU seconds and memory. */
function summary(ms: number, pods: Array<{ uid: string; name: string; containers: Array<[string, number, number, number?]> }>): Summary {
  const time = iso(ms);
  let cpu = 0;
  let mem = 0;
  const out = pods.map((p) => ({
    podRef: { name: p.name, namespace: 'default', uid: p.uid },
    containers: p.containers.map(([name, cpuSeconds, memBytes, started = 0]) => {
      cpu += cpuSeconds * 1e9;
      mem += memBytes;
      return { name, startTime: iso(T0 - 60_000 + started), cpu: { time, usageCoreNanoSeconds: cpuSeconds * 1e9 }, memory: { time, workingSetBytes: memBytes } };
    }),
  }));
  return { node: { nodeName: 'n1', cpu: { time, usageCoreNanoSeconds: cpu }, memory: { time, workingSetBytes: mem } }, pods: out };
}

test('usage: CPU is the rate between two cumulative readings, memory the latest; a restart in between has none yet', () => {
  const a = summary(T0, [{ uid: 'u1', name: 'web', containers: [['app', 10, 100 << 20], ['side', 1, 1 << 20]] }]);
  const b = summary(T0 + 2000, [{ uid: 'u1', name: 'web', containers: [['app', 11, 120 << 20], ['side', 0.5, 2 << 20, 1000]] }]);
  const pods = podUsages(a, b);
  assert.deepEqual([...pods.get('u1')!.containers.keys()], ['app'], 'side restarted: no rate');
  assert.deepEqual(pods.get('u1')!.containers.get('app'), { cpu: 5e8, memoryBytes: 120 << 20, timestamp: iso(T0 + 2000), windowMs: 2000 });
  assert.equal(nodeUsage(a, b)?.memoryBytes, 122 << 20);
  assert.equal(hasNewContainers(a, b), true, 'the restarted container is new');
  assert.equal(hasNewContainers(b, b), false);
});

test('windows read as Go durations', () => {
  assert.deepEqual([goWindow(1002), goWindow(15000), goWindow(65500), goWindow(999)], ['1.002s', '15s', '1m5.5s', '0.999s']);
});

function cluster() {
  let t = T0;
  const nodes: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { pool: 'a' } }, status: { addresses: [{ type: 'InternalIP', address: '127.240.0.4' }], daemonEndpoints: { kubeletEndpoint: { Port: 1 } } } },
    { apiVersion: 'v1', kind: 'Node', metadata: { name: 'sim', annotations: { [SIMULATED_NODE_ANNOTATION]: 'true' } }, status: { addresses: [{ type: 'InternalIP', address: '127.240.0.5' }], daemonEndpoints: { kubeletEndpoint: { Port: 2 } } } },
  ];
  const pods: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', uid: 'u1', labels: { app: 'web' } }, spec: { nodeName: 'n1' } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db', namespace: 'default', uid: 'u2', labels: { app: 'db' } }, spec: { nodeName: 'n1' } },
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pending', namespace: 'default', uid: 'u3' }, spec: {} },
  ];
  const fetched: string[] = [];
  let cpu = 0;
  const api = new MetricsApi(
    { nodes: async () => nodes, pods: async (ns) => pods.filter((p) => !ns || p.metadata.namespace === ns) },
    async (url) => {
      fetched.push(url);
      cpu += 0.25; // a quarter of a core-second per sample
      return summary(t, [{ uid: 'u1', name: 'web', containers: [['app', cpu, 50 << 20]] }, { uid: 'u2', name: 'db', containers: [['db', 2 * cpu, 200 << 20]] }]);
    },
    () => t,
    async (ms) => void (t += ms),
  );
  return { api, fetched, advance: (ms: number) => (t += ms) };
}

test('the first ask samples twice a second apart; a fresh sample is reused; PodMetrics as metrics-server gives them', async () => {
  const c = cluster();
  const list = (await c.api.serve('GET', 'pods', 'default', undefined, new URLSearchParams())) as any;
  assert.deepEqual(c.fetched, ['http://127.240.0.4:1/stats/summary', 'http://127.240.0.4:1/stats/summary'], 'no sample from the simulated node');
  assert.equal(list.kind, 'PodMetricsList');
  assert.deepEqual(list.items.map((i: any) => [i.metadata.name, i.window, i.containers[0].usage]), [
    ['db', '1s', { cpu: '500000000n', memory: '204800Ki' }],
    ['web', '1s', { cpu: '250000000n', memory: '51200Ki' }],
  ]);
  assert.deepEqual(list.items[1].metadata.labels, { app: 'web' }, 'the pod’s labels, for selectors');
  const web = (await c.api.serve('GET', 'pods', 'default', 'web', new URLSearchParams())) as any;
  assert.equal(web.kind, 'PodMetrics');
  assert.equal(c.fetched.length, 2, 'fresh: no new sample');
  c.advance(10_000);
  const selected = (await c.api.serve('GET', 'pods', 'default', undefined, new URLSearchParams('labelSelector=app=db'))) as any;
  assert.deepEqual(selected.items.map((i: any) => [i.metadata.name, i.window]), [['db', '10s']]);
  assert.equal(c.fetched.length, 3, 'older than 5 s: one new sample, rated against the last');
});

test('NodeMetrics, and kube’s errors', async () => {
  const c = cluster();
  const nodes = (await c.api.serve('GET', 'nodes', undefined, undefined, new URLSearchParams())) as any;
  assert.deepEqual(nodes.items.map((n: any) => [n.metadata.name, n.usage]), [['n1', { cpu: '750000000n', memory: '256000Ki' }]]);
  const status = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (e) {
      assert.ok(e instanceof StatusError);
      return `${e.code} ${e.message}`;
    }
    assert.fail('expected an error');
  };
  assert.equal(await status(() => c.api.serve('GET', 'pods', 'default', 'pending', new URLSearchParams())), '404 podmetrics.metrics.k8s.io "default/pending" not found');
  assert.equal(await status(() => c.api.serve('GET', 'nodes', undefined, 'sim', new URLSearchParams())), '404 nodemetrics.metrics.k8s.io "sim" not found');
  assert.match(await status(() => c.api.serve('POST', 'pods', 'default', undefined, new URLSearchParams())), /^405 /);
  assert.match(await status(() => c.api.serve('GET', 'pods', 'default', undefined, new URLSearchParams('watch=true'))), /^405 /);
});
