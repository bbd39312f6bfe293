import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPodInfo } from '../framework.js';
import { makePod, nodeInfo } from '../testing.js';
import { nodeUnschedulable } from './node-unschedulable.js';

test('cordoned nodes take only pods tolerating node.kubernetes.io/unschedulable', () => {
  const cordoned = nodeInfo({ name: 'n', unschedulable: true });
  const state = new Map<string, unknown>();
  assert.deepEqual(nodeUnschedulable.filter(state, newPodInfo(makePod({ name: 'p' })), cordoned), {
    code: 'UnschedulableAndUnresolvable',
    reasons: ['node(s) were unschedulable'],
    plugin: 'NodeUnschedulable',
  });
  const tolerating = makePod({ name: 'ds', tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] });
  assert.deepEqual(nodeUnschedulable.filter(state, newPodInfo(tolerating), cordoned), { code: 'Success' });
  assert.deepEqual(nodeUnschedulable.filter(state, newPodInfo(makePod({ name: 'p' })), nodeInfo({ name: 'm' })), { code: 'Success' });
});
