import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newPodInfo } from './framework.js';
import { SchedulerCache } from './cache.js';
import { makeNode, makePod } from './testing.js';

const bound = (name: string, node: string, cpu = '1') => makePod({ name, cpu, nodeName: node });

test('assume, then confirm from the informer without counting twice', () => {
  const c = new SchedulerCache();
  c.setNode(makeNode({ name: 'n1' }));
  const p = makePod({ name: 'p', cpu: '1' });
  c.assume(newPodInfo(p), 'n1');
  assert.equal(c.node('n1')!.requested.milliCPU, 1000);
  assert.equal(c.updatePod(bound('p', 'n1')), 'none');
  assert.equal(c.isAssumed('default/p'), false);
  assert.equal(c.node('n1')!.requested.milliCPU, 1000);
  assert.equal(c.node('n1')!.pods.size, 1);
});

test('a failed binding is forgotten', () => {
  const c = new SchedulerCache();
  c.setNode(makeNode({ name: 'n1' }));
  c.assume(newPodInfo(makePod({ name: 'a', cpu: '1' })), 'n1');
  c.assume(newPodInfo(makePod({ name: 'b', cpu: '1' })), 'n1');
  c.forget('default/a');
  assert.equal(c.node('n1')!.requested.milliCPU, 1000);
  // The pending pod's own updates (a status patch) do not drop the assumption.
  assert.equal(c.updatePod(makePod({ name: 'b', cpu: '1' })), 'none');
  assert.equal(c.isAssumed('default/b'), true);
  assert.equal(c.node('n1')!.pods.size, 1);
});

test('pods on unknown nodes wait for the node; deletes and terminal pods free resources', () => {
  const c = new SchedulerCache();
  assert.equal(c.updatePod(bound('early', 'n2')), 'placed');
  c.setNode(makeNode({ name: 'n2' }));
  assert.equal(c.node('n2')!.requested.milliCPU, 1000);
  const done = bound('early', 'n2');
  done.status = { phase: 'Succeeded' };
  assert.equal(c.updatePod(done), 'freed');
  assert.equal(c.node('n2')!.requested.milliCPU, 0);
  c.updatePod(bound('x', 'n2'));
  assert.equal(c.deletePod(bound('x', 'n2')), true);
  assert.equal(c.node('n2')!.pods.size, 0);
});

test('node updates: only what the filters read counts as a change', () => {
  const c = new SchedulerCache();
  const n = makeNode({ name: 'n1' });
  assert.equal(c.setNode(n), true);
  const heartbeat = structuredClone(n);
  heartbeat.status!.conditions![0].lastHeartbeatTime = new Date();
  assert.equal(c.setNode(heartbeat), false);
  assert.equal(c.setNode(makeNode({ name: 'n1', ready: 'False' })), true); // not-ready taint
  assert.equal(c.setNode(makeNode({ name: 'n1', ready: 'False', cpu: '8' })), true);
  c.deleteNode('n1');
  assert.equal(c.nodeInfos().length, 0);
});
