import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, Toleration } from 'kubernetes-types/core/v1.js';
import { daemonPodTemplate, planDaemonSet } from './plan.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function ds(o: { nodeSelector?: Record<string, string>; tolerations?: Toleration[]; maxUnavailable?: number | string } = {}): DaemonSet {
  return {
    metadata: { name: 'agent', namespace: 'kube-system', uid: 'ds-uid', generation: 2 },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: o.maxUnavailable ?? 1 } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'agent:2' }], nodeSelector: o.nodeSelector, tolerations: o.tolerations } },
    },
  };
}

function node(name: string, o: { labels?: Record<string, string>; taints?: { key: string; effect: string; value?: string }[] } = {}): Node {
  return { metadata: { name, labels: o.labels ?? {} }, spec: { taints: o.taints } };
}

function pod(name: string, nodeName: string, o: { hash?: string; ready?: boolean; phase?: string } = {}): Pod {
  return {
    metadata: { name, uid: `uid-${name}`, creationTimestamp: iso(NOW - 3600_000), labels: { app: 'agent', 'controller-revision-hash': o.hash ?? 'new' } },
    spec: { nodeName, containers: [] },
    status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: iso(NOW - 600_000) }] },
  };
}

const show = (p: ReturnType<typeof planDaemonSet>) => ({ create: p.createOn, delete: p.deletePods.map((x) => x.metadata!.name), status: p.status });

test('planDaemonSet: one pod per node; selector and taints decide eligibility', () => {
  const nodes = [
    node('n1', { labels: { disk: 'ssd' } }),
    node('n2', { labels: { disk: 'ssd' }, taints: [{ key: 'dedicated', effect: 'NoSchedule' }] }),
    node('n3', { labels: { disk: 'hdd' } }),
    // unschedulable is tolerated by every daemon pod (node.kubernetes.io/unschedulable).
    node('n4', { labels: { disk: 'ssd' }, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] }),
  ];
  const p = planDaemonSet(ds({ nodeSelector: { disk: 'ssd' } }), nodes, [pod('a-n1', 'n1')], 'new', NOW);
  assert.deepEqual(show(p), {
    create: ['n4'],
    delete: [],
    status: { currentNumberScheduled: 1, numberMisscheduled: 0, desiredNumberScheduled: 2, numberReady: 1, observedGeneration: 2, updatedNumberScheduled: 1, numberAvailable: 1, numberUnavailable: 1 },
  });
});

test('planDaemonSet: a NoExecute taint evicts, a NoSchedule one only keeps new pods away', () => {
  const nodes = [node('ne', { taints: [{ key: 'gone', effect: 'NoExecute' }] }), node('ns', { taints: [{ key: 'full', effect: 'NoSchedule' }] })];
  const p = planDaemonSet(ds(), nodes, [pod('a-ne', 'ne'), pod('a-ns', 'ns')], 'new', NOW);
  assert.deepEqual([p.createOn, p.deletePods.map((x) => x.metadata!.name), p.status.numberMisscheduled], [[], ['a-ne'], 2]);
  const tolerated = planDaemonSet(ds({ tolerations: [{ key: 'full', operator: 'Exists', effect: 'NoSchedule' }] }), [node('ns', { taints: [{ key: 'full', effect: 'NoSchedule' }] })], [], 'new', NOW);
  assert.deepEqual(tolerated.createOn, ['ns']);
});

test('planDaemonSet: duplicates, failed pods and pods of vanished nodes are deleted', () => {
  const p = planDaemonSet(ds(), [node('n1'), node('n2')], [pod('dup1', 'n1'), pod('dup2', 'n1', { hash: 'old' }), pod('bad', 'n2', { phase: 'Failed' }), pod('ghost', 'n9')], 'new', NOW);
  assert.deepEqual(p.deletePods.map((x) => x.metadata!.name).sort(), ['bad', 'dup2', 'ghost']);
});

test('planDaemonSet: RollingUpdate replaces unavailable old pods freely, available ones within maxUnavailable', () => {
  // 4 nodes, all old. maxUnavailable 1: 'o2' is not ready (replaced regardless, and counts as the
  // one unavailable), so no available old pod may go yet.
  const nodes = [node('n1'), node('n2'), node('n3'), node('n4')];
  const pods = [pod('o1', 'n1', { hash: 'old' }), pod('o2', 'n2', { hash: 'old', ready: false }), pod('o3', 'n3', { hash: 'old' }), pod('o4', 'n4', { hash: 'old' })];
  assert.deepEqual(planDaemonSet(ds(), nodes, pods, 'new', NOW).deletePods.map((x) => x.metadata!.name), ['o2']);
  // All ready, maxUnavailable 50% of 4 = 2: two old pods go.
  const ready = pods.map((p) => pod(p.metadata!.name!, p.spec!.nodeName!, { hash: 'old' }));
  assert.deepEqual(planDaemonSet(ds({ maxUnavailable: '50%' }), nodes, ready, 'new', NOW).deletePods.map((x) => x.metadata!.name), ['o1', 'o2']);
});

test('daemonPodTemplate: pinned to its node by affinity, with the revision hash and daemon tolerations', () => {
  const t = daemonPodTemplate(ds(), 'abc', 'n1');
  assert.deepEqual(t.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms, [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }]);
  assert.deepEqual(t.metadata?.labels, { app: 'agent', 'controller-revision-hash': 'abc', 'pod-template-generation': '2' });
  assert.ok(t.spec?.tolerations?.some((x) => x.key === 'node.kubernetes.io/not-ready' && x.effect === 'NoExecute'));
});
