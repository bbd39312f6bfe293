/**
 * The Eviction API and PodDisruptionBudgets, driven by the real `kubectl drain` on the local
 * cluster (simulated agents, so pods are Ready at once): the disruption controller keeps the
 * budget's status, evictions that would break it are refused with kube's message, allowed ones
 * go through and the pods come back on the other agent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedCluster, waitFor } from '../support/cluster.js';

const { skip, run, ok } = await sharedCluster({ controlPlane: true, dirPrefix: 'flotilla-evict-', extraArgs: ['--runtime', 'simulated', '--no-demo'] });

const agents = async (): Promise<string[]> => (await ok(['get', 'nodes', '-l', 'kubernetes.io/role=agent', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').filter(Boolean);

test('kubectl drain respects a PodDisruptionBudget, then evicts once the budget allows', { skip }, async () => {
  const nodes = await waitFor('two agents', async () => {
    const n = await agents();
    return n.length === 2 && n;
  }, 60_000);
  await ok(['create', 'deployment', 'web', '--image=flotilla/echo', '--replicas=2']);
  await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
  await ok(['create', 'poddisruptionbudget', 'web', '--selector=app=web', '--min-available=2']);
  const status = await waitFor('the budget status', async () => {
    const out = await ok(['get', 'pdb', 'web', '-o', 'jsonpath={.status.currentHealthy}/{.status.desiredHealthy}/{.status.disruptionsAllowed}/{.status.expectedPods}']);
    return out === '2/2/0/2' && out;
  });
  assert.equal(status, '2/2/0/2');
  assert.match(await ok(['get', 'pdb', 'web']), /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\nweb\s+2\s+N\/A\s+0\s+/);

  const target = (await ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].spec.nodeName}'])).trim();
  assert.ok(nodes.includes(target));
  const refused = await run(['drain', target, '--ignore-daemonsets', '--timeout=3s']);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /Cannot evict pod as it would violate the pod's disruption budget\./);
  // The node is cordoned; the pod is still there.
  assert.match(await ok(['get', 'node', target]), /SchedulingDisabled/);
  assert.equal((await ok(['get', 'pods', '-l', 'app=web', '--field-selector', `spec.nodeName=${target}`, '-o', 'name'])).trim().split('\n').filter(Boolean).length >= 1, true);

  await ok(['patch', 'pdb', 'web', '--type=merge', '-p', '{"spec":{"minAvailable":1}}']);
  await waitFor('one disruption allowed', async () => (await ok(['get', 'pdb', 'web', '-o', 'jsonpath={.status.disruptionsAllowed}'])) === '1');
  const drained = await ok(['drain', target, '--ignore-daemonsets', '--timeout=60s']);
  assert.match(drained, /evicted\n/);
  assert.match(drained, new RegExp(`node/${target} drained`));
  await waitFor('both pods Running on the other agent', async () => {
    const out = await ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.spec.nodeName} {.status.phase}{"\\n"}{end}']);
    const lines = out.trim().split('\n').filter(Boolean);
    return lines.length === 2 && lines.every((l) => !l.startsWith(`${target} `) && l.endsWith(' Running'));
  }, 60_000);
  await ok(['uncordon', target]);
});
