import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_OPTIONS, drainNode, nodeUtilization } from './index.js';
import { MIN, node, pdb, pod, T0 } from './testing.js';
import type { Pod } from 'kubernetes-types/core/v1.js';

const opts = DEFAULT_OPTIONS;
const drain = (pods: Pod[], pdbs = [] as ReturnType<typeof pdb>[]) => drainNode(pods, pdbs, T0, opts);

test('nodeUtilization: max of cpu and memory request shares of allocatable', () => {
  const n = node({ name: 'n', cpu: '4', memory: '8Gi' });
  const u = nodeUtilization(n, [pod({ name: 'a', cpu: '1', memory: '4Gi', nodeName: 'n' })], T0, opts);
  assert.deepEqual(u, { cpu: 0.25, memory: 0.5, utilization: 0.5, resourceName: 'memory' });
});

test('nodeUtilization: --ignore-daemonsets-utilization takes DaemonSet pods off both sides', () => {
  const n = node({ name: 'n', cpu: '4', memory: '8Gi' });
  const pods = [pod({ name: 'ds', cpu: '2', owner: { kind: 'DaemonSet', name: 'ds' }, nodeName: 'n' }), pod({ name: 'a', cpu: '1', nodeName: 'n' })];
  assert.equal((nodeUtilization(n, pods, T0, opts) as { cpu: number }).cpu, 0.75);
  assert.equal((nodeUtilization(n, pods, T0, { ...opts, ignoreDaemonsetsUtilization: true }) as { cpu: number }).cpu, 0.5);
});

test('nodeUtilization: pods terminating past their grace period are ignored', () => {
  const n = node({ name: 'n', cpu: '4' });
  const p = pod({ name: 'a', cpu: '4', nodeName: 'n' });
  const stuck = { ...p, metadata: { ...p.metadata, deletionTimestamp: new Date(T0 - MIN).toISOString() } };
  assert.equal((nodeUtilization(n, [stuck], T0, opts) as { cpu: number }).cpu, 0);
});

test('nodeUtilization: no cpu in allocatable is an error (node unremovable)', () => {
  const n = node({ name: 'n', cpu: '0' });
  assert.ok('error' in nodeUtilization(n, [], T0, opts));
});

test('drain: pods that block removal, with upstream messages', () => {
  const cases: Array<[string, Pod, string]> = [
    ['no controller', pod({ name: 'bare', owner: null }), 'default/bare is not replicated'],
    ['custom controller', pod({ name: 'c', owner: { kind: 'MyController', name: 'x' } }), 'default/c is not replicated'],
    ['kube-system without PDB', pod({ name: 'dns', namespace: 'kube-system' }), 'non-daemonset, non-mirrored, non-pdb-assigned kube-system pod present: dns'],
    ['hostPath volume', pod({ name: 'h', volumes: [{ name: 'v', hostPath: { path: '/x' } }] }), 'pod with local storage present: h'],
    ['emptyDir on disk', pod({ name: 'e', volumes: [{ name: 'v', emptyDir: {} }] }), 'pod with local storage present: e'],
    ['safe-to-evict false', pod({ name: 's', annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' } }), 'pod annotated as not safe to evict present: s'],
  ];
  for (const [name, p, msg] of cases) assert.equal(drain([p]).blocking?.message, msg, name);
});

test('drain: a PDB without budget blocks; a budget of 1 lets one pod go', () => {
  const a = pod({ name: 'a', labels: { app: 'x' } });
  const b = pod({ name: 'b', labels: { app: 'x' } });
  assert.equal(drain([a], [pdb('p', 'default', { app: 'x' }, 0)]).blocking?.message, 'not enough pod disruption budget to move default/a');
  assert.equal(drain([a], [pdb('p', 'default', { app: 'x' }, 1)]).blocking, undefined);
  assert.equal(drain([a, b], [pdb('p', 'default', { app: 'x' }, 1)]).blocking?.reason, 'NotEnoughPdb');
});

test('drain: a kube-system pod with a PDB does not block', () => {
  const p = pod({ name: 'dns', namespace: 'kube-system', labels: { k8s: 'dns' } });
  assert.equal(drain([p], [pdb('dns', 'kube-system', { k8s: 'dns' }, 1)]).blocking, undefined);
});

test('drain: pods that never block', () => {
  const mirror = pod({ name: 'm', owner: null, annotations: { 'kubernetes.io/config.mirror': 'x' } });
  const ds = pod({ name: 'ds', owner: { kind: 'DaemonSet', name: 'ds' }, volumes: [{ name: 'v', hostPath: { path: '/' } }] });
  const safe = pod({ name: 's', owner: null, namespace: 'kube-system', annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true' } });
  const done = pod({ name: 'd', owner: null, phase: 'Succeeded' });
  const expendable = pod({ name: 'x', owner: null, priority: -100 });
  const memDir = pod({ name: 'md', volumes: [{ name: 'v', emptyDir: { medium: 'Memory' } }] });
  const exempt = pod({ name: 'ex', volumes: [{ name: 'cache', emptyDir: {} }], annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes': 'cache' } });
  const r = drain([mirror, ds, safe, done, expendable, memDir, exempt]);
  assert.equal(r.blocking, undefined);
  assert.deepEqual(r.toMove.map((p) => p.metadata!.name), ['s', 'md', 'ex']);
  assert.deepEqual(r.daemonSet.map((p) => p.metadata!.name), ['ds']);
  assert.deepEqual(r.evictOnly.map((p) => p.metadata!.name), ['x']);
});

test('drain: --skip-nodes-with-system-pods=false and --skip-nodes-with-local-storage=false', () => {
  const o = { ...opts, skipNodesWithSystemPods: false, skipNodesWithLocalStorage: false };
  const r = drainNode([pod({ name: 'dns', namespace: 'kube-system' }), pod({ name: 'h', volumes: [{ name: 'v', hostPath: { path: '/' } }] })], [], T0, o);
  assert.equal(r.blocking, undefined);
});
