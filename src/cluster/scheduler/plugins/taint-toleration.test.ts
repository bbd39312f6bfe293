import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Taint, V1Toleration } from '@kubernetes/client-node';
import { newPodInfo } from '../framework.js';
import { makePod, nodeInfo, type NodeFixture } from '../testing.js';
import { taintToleration, toleratesTaint } from './taint-toleration.js';

const state = new Map<string, unknown>();

test('toleration matching', () => {
  const taint: V1Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  const cases: Array<[string, V1Toleration, boolean]> = [
    ['equal key, value and effect', { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, true],
    ['operator defaults to Equal', { key: 'dedicated', value: 'gpu' }, true],
    ['other value', { key: 'dedicated', value: 'cpu' }, false],
    ['Exists ignores the value', { key: 'dedicated', operator: 'Exists' }, true],
    ['empty key with Exists tolerates everything', { operator: 'Exists' }, true],
    ['other effect', { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, false],
    ['other key', { key: 'team', operator: 'Exists' }, false],
  ];
  for (const [name, t, want] of cases) assert.equal(toleratesTaint(t, taint), want, name);
});

test('untolerated NoSchedule and NoExecute taints filter; PreferNoSchedule does not', () => {
  const cases: Record<string, { node: NodeFixture; tolerations?: V1Toleration[]; reason?: string }> = {
    'no taints': { node: { name: 'n' } },
    'NoSchedule': { node: { name: 'n', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }, reason: 'node(s) had untolerated taint {dedicated: gpu}' },
    'NoExecute, no value': { node: { name: 'n', taints: [{ key: 'maintenance', effect: 'NoExecute' }] }, reason: 'node(s) had untolerated taint {maintenance: }' },
    tolerated: { node: { name: 'n', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }, tolerations: [{ key: 'dedicated', operator: 'Exists' }] },
    'PreferNoSchedule only scores': { node: { name: 'n', taints: [{ key: 'spot', effect: 'PreferNoSchedule' }] } },
    // Ready=False: the node lifecycle controller's not-ready taint.
    'not ready': { node: { name: 'n', ready: 'False' }, reason: 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }' },
    // The default not-ready toleration (NoExecute, 300s) does not cover the NoSchedule taint.
    'not ready, NoExecute toleration': {
      node: { name: 'n', ready: 'False' },
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      reason: 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }',
    },
    'not ready, tolerated': { node: { name: 'n', ready: 'False' }, tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }] },
  };
  for (const [name, c] of Object.entries(cases)) {
    const st = taintToleration.filter(state, newPodInfo(makePod({ name: 'p', tolerations: c.tolerations })), nodeInfo(c.node));
    assert.deepEqual(st, c.reason ? { code: 'UnschedulableAndUnresolvable', reasons: [c.reason], plugin: 'TaintToleration' } : { code: 'Success' }, name);
  }
});

test('PreferNoSchedule taints score in reverse', () => {
  const prefer = (key: string): V1Taint => ({ key, effect: 'PreferNoSchedule' });
  const nodes = [nodeInfo({ name: 'a' }), nodeInfo({ name: 'b', taints: [prefer('x')] }), nodeInfo({ name: 'c', taints: [prefer('x'), prefer('y')] })];
  // y is tolerated (empty effect covers PreferNoSchedule); a NoSchedule-only toleration of x does not count.
  const pod = newPodInfo(makePod({ name: 'p', tolerations: [{ key: 'y', operator: 'Exists' }, { key: 'x', operator: 'Exists', effect: 'NoSchedule' }] }));
  const scores = nodes.map((n) => ({ name: n.name, score: taintToleration.score(state, pod, n) }));
  assert.deepEqual(scores.map((s) => s.score), [0, 1, 1]); // untolerated PreferNoSchedule taints
  taintToleration.normalizeScore(state, pod, scores);
  // 100 − 100 × count / max(1): a 100, b 0, c 0.
  assert.deepEqual(scores.map((s) => s.score), [100, 0, 0]);
});
