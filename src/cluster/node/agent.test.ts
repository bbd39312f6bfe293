/**
 * The node agent's API against the in-memory client: nodes added and removed at run time, with
 * one pod informer and one node informer whatever their number.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node } from 'kubernetes-types/core/v1.js';
import { createFakeClient, kinds } from '../../runtime/index.js';
import { startNodeAgent } from './agent.js';

const spec = (name: string) => ({ name, cpu: 4, memory: '16Gi', pods: 110 });

test('add registers Node and Lease, is idempotent, and remove stops heartbeats but keeps the Node', async () => {
  const client = createFakeClient();
  const stop = new AbortController();
  const agent = await startNodeAgent({ kubeConfig: new KubeConfig(), client, signal: stop.signal, nodes: [spec('a')], renewIntervalMs: 50, leaseDurationSeconds: 1 });
  try {
    await Promise.all([agent.add(spec('b')), agent.add(spec('b')), agent.add(spec('c'))]);
    assert.deepEqual(agent.names(), ['a', 'b', 'c']);
    assert.deepEqual(agent.network('b'), { internalIP: '10.240.0.5', podCIDR: '10.42.1.0/24' });
    assert.deepEqual(agent.network('c'), { internalIP: '10.240.0.6', podCIDR: '10.42.2.0/24' });
    assert.equal(client.lists.get('/api/v1/pods'), 1, 'one pod informer');
    assert.equal(client.lists.get('/api/v1/nodes'), 1, 'one node informer');
    const node = (await client.get(kinds.nodes, '', 'b')) as unknown as Node;
    assert.equal(node.metadata!.annotations!['flotilla.dev/simulated'], 'true');

    const renew = async (): Promise<string> => ((await client.get(kinds.leases, 'kube-node-lease', 'b')) as unknown as Lease).spec!.renewTime as unknown as string;
    await agent.remove('b');
    assert.deepEqual(agent.names(), ['a', 'c']);
    assert.equal(agent.network('b'), undefined);
    const frozen = await renew();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await renew(), frozen, 'no more heartbeats');
    assert.ok(await client.get(kinds.nodes, '', 'b'), 'the Node stays for the cloud controller to delete');

    // Back again: the same addresses, from the Node that is still there.
    await agent.add(spec('b'));
    assert.deepEqual(agent.network('b'), { internalIP: '10.240.0.5', podCIDR: '10.42.1.0/24' });
    await agent.remove('nobody');
  } finally {
    stop.abort();
    await agent.stopped;
  }
  await assert.rejects(agent.add(spec('d')), /node agent stopped/);
});

test('bad input is refused with the node and field named', async () => {
  const client = createFakeClient();
  const stop = new AbortController();
  const agent = await startNodeAgent({ kubeConfig: new KubeConfig(), client, signal: stop.signal, clusterCIDR: '10.42.0.0/23' });
  try {
    await assert.rejects(agent.add({ ...spec('p'), runtime: 'process' }), /node "p": a process node needs the agent's dataDir/);
    await assert.rejects(agent.add({ ...spec('x'), cpu: 'lots' }), /node "x": cpu "lots" is not a quantity/);
    await agent.add(spec('n1'));
    await agent.add(spec('n2'));
    await assert.rejects(agent.add(spec('n3')), /no pod CIDR left for node "n3": clusterCIDR 10\.42\.0\.0\/23 holds 2 \/24 node CIDRs/);
    assert.deepEqual(agent.names(), ['n1', 'n2']);
  } finally {
    stop.abort();
    await agent.stopped;
  }
});
