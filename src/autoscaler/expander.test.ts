import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expand, leastWaste, mostPods, parsePriorityConfig, priorityFilter, wasteScore, type ExpansionOption } from './index.js';
import { node, pendingPods } from './testing.js';

function option(group: string, nodeCount: number, pods: number, tpl = { cpu: '4', memory: '8Gi' }, podCpu = '1', podMem = '1Gi'): ExpansionOption {
  return { group, nodeCount, pods: pendingPods(group, pods, { cpu: podCpu, memory: podMem }), template: { node: node({ name: `t-${group}`, ...tpl }), pods: [] } };
}
const cm = { namespace: 'kube-system', name: 'cluster-autoscaler-status' };

test('most-pods: keeps the options scheduling the most pods', () => {
  assert.deepEqual(mostPods([option('a', 1, 3), option('b', 2, 5), option('c', 3, 5)]).map((o) => o.group), ['b', 'c']);
});

test('least-waste: score = idle cpu share + idle memory share over capacity × n', () => {
  // a: 1 node 4cpu/8Gi, 2 pods of 1cpu/1Gi → (4-2)/4 + (8-2)/8 = 0.5 + 0.75 = 1.25
  // b: 1 node 2cpu/4Gi, same pods → (2-2)/2 + (4-2)/4 = 0 + 0.5 = 0.5
  const a = option('a', 1, 2);
  const b = option('b', 1, 2, { cpu: '2', memory: '4Gi' });
  assert.equal(wasteScore(a), 1.25);
  assert.equal(wasteScore(b), 0.5);
  assert.deepEqual(leastWaste([a, b]).options.map((o) => o.group), ['b']);
});

test('least-waste: ties are kept for the random pick', () => {
  assert.deepEqual(leastWaste([option('a', 1, 2), option('b', 1, 2)]).options.map((o) => o.group), ['a', 'b']);
});

test('parsePriorityConfig: integer keys to regex lists, highest first', () => {
  const rules = parsePriorityConfig('10:\n  - .*t2\\.large.*\n  - .*t3\\.large.*\n50:\n  - .*m4\\.4xlarge.*\n');
  assert.deepEqual(rules.map((r) => r.priority), [50, 10]);
  assert.equal(rules[1].patterns.length, 2);
  assert.throws(() => parsePriorityConfig('high:\n  - x\n'), /not an integer/);
  assert.throws(() => parsePriorityConfig('  '), /configmap is empty/);
  assert.throws(() => parsePriorityConfig('1:\n  - "("\n'), /Can't compile regexp rule for priority 1 and rule \(/);
});

test('priority: highest matching priority wins; unmatched groups dropped with a warning', () => {
  const rules = parsePriorityConfig('10:\n  - ^pool-.*\n20:\n  - gpu\n');
  const r = priorityFilter([option('pool-a', 1, 1), option('pool-gpu', 1, 1), option('other', 1, 1)], rules, cm);
  assert.deepEqual(r.options.map((o) => o.group), ['pool-gpu']);
  assert.deepEqual(
    r.events.map((e) => [e.type, e.reason, e.object.name, e.message]),
    [['Warning', 'PriorityConfigMapNotMatchedGroup', 'cluster-autoscaler-priority-expander', "Priority expander: node group other not found in priority expander configuration. The group won't be used."]],
  );
});

test('priority: nothing matches → all options returned', () => {
  const rules = parsePriorityConfig('10:\n  - ^nomatch$\n');
  const r = priorityFilter([option('a', 1, 1), option('b', 1, 1)], rules, cm);
  assert.equal(r.options.length, 2);
  assert.equal(r.events.at(-1)?.reason, 'PriorityConfigMapNoGroupMatched');
});

test('expand: chain priority,least-waste then a random pick among ties', () => {
  const rules = parsePriorityConfig('10:\n  - ^pool-\n');
  const opts = [option('pool-big', 1, 2), option('pool-small', 1, 2, { cpu: '2', memory: '4Gi' }), option('other', 1, 2, { cpu: '2', memory: '4Gi' })];
  const r = expand(['priority', 'least-waste'], opts, { random: () => 0.99, priorities: rules });
  assert.equal(r.best?.group, 'pool-small');
  const tie = expand(['random'], [option('a', 1, 1), option('b', 1, 1)], { random: () => 0.99 });
  assert.equal(tie.best?.group, 'b');
  assert.equal(expand(['random'], [option('a', 1, 1), option('b', 1, 1)], { random: () => 0 }).best?.group, 'a');
});
