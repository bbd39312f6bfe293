import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import type { Node } from 'kubernetes-types/core/v1.js';
import { createFakeClient, createManager, kinds, silentLogger, type FakeClient, type KObject, type Manager } from '../../runtime/index.js';
import { CLOUD_CONTROLLER, registerCloudController, SCALE_SET_FINALIZER } from './controller.js';
import { requestInstanceDeletion } from './delete-instances.js';
import type { InstanceNode, NodeHost } from './instance-node.js';
import { scaleSetKind, type ScaleSet, type ScaleSetSpec } from './scale-set.js';

const SS = 'k8s-agentpool1-92998111-vmss';

async function until<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A node host that registers a Ready Node on ensure (as the agent does) and records every call. */
class FakeHost implements NodeHost {
  readonly calls: string[] = [];
  failNext = 0;
  constructor(private readonly api: FakeClient) {}
  async ensure(n: InstanceNode): Promise<void> {
    this.calls.push(`ensure ${n.nodeName}`);
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('no capacity in this zone');
    }
    if (await this.api.get(kinds.nodes, '', n.nodeName)) return;
    const node: Node = {
      metadata: { name: n.nodeName, labels: n.labels },
      spec: { providerID: n.providerID },
      status: { conditions: [{ type: 'Ready', status: 'True' }] },
    };
    await this.api.create(kinds.nodes, node as unknown as KObject);
  }
  async remove(nodeName: string): Promise<void> {
    this.calls.push(`remove ${nodeName}`);
  }
  ensured = () => this.calls.filter((c) => c.startsWith('ensure ')).map((c) => c.slice(7));
  removed = () => this.calls.filter((c) => c.startsWith('remove ')).map((c) => c.slice(7));
}

interface Harness {
  api: FakeClient;
  host: FakeHost;
  manager: Manager;
  stop(): Promise<void>;
}

async function start(api: FakeClient, host = new FakeHost(api)): Promise<Harness> {
  const manager = createManager({ kubeConfig: new KubeConfig(), client: api, logger: silentLogger(), name: 'flotilla-cloud' });
  registerCloudController(manager, { host, retryFailedMs: 50 });
  await manager.start();
  return { api, host, manager, stop: () => manager.stop() };
}

const spec = (o: Partial<ScaleSetSpec> = {}): ScaleSetSpec => ({
  capacity: 2,
  sku: { name: 'Standard_D2s_v3', cpu: 2, memory: '8Gi', pods: 110 },
  zones: ['1', '2', '3'],
  provisioningDelaySeconds: 0,
  ...o,
});

const get = async (api: FakeClient, name = SS) => (await api.get(scaleSetKind, '', name)) as unknown as ScaleSet | undefined;
const nodeNames = async (api: FakeClient) => (await api.list(kinds.nodes)).items.map((n) => n.metadata!.name!).sort();
const suffixes = (names: string[]) => names.map((n) => n.slice(SS.length));

async function createScaleSet(api: FakeClient, s: ScaleSetSpec, name = SS): Promise<void> {
  await api.create(scaleSetKind, { apiVersion: scaleSetKind.apiVersion, kind: scaleSetKind.kind, metadata: { name }, spec: s } as unknown as KObject);
}

async function setSpec(api: FakeClient, change: (ss: ScaleSet) => ScaleSetSpec, name = SS): Promise<void> {
  const ss = (await get(api, name))!;
  await api.update(scaleSetKind, { ...ss, spec: change(ss) } as unknown as KObject);
}

/** Wait until the status shows exactly these instances, all Succeeded and Ready. */
async function settled(api: FakeClient, ids: string[], name = SS): Promise<ScaleSet> {
  return until(`instances ${ids.join(',')} Succeeded`, async () => {
    const ss = await get(api, name);
    const inst = ss?.status?.instances ?? [];
    const ok =
      inst.map((i) => i.instanceId).join(',') === ids.join(',') &&
      inst.every((i) => i.provisioningState === 'Succeeded') &&
      ss?.status?.readyInstances === ids.length &&
      ss?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    return ok ? ss : undefined;
  });
}

test('cloud controller: scales 2 → 4 → 2 with Azure names, Nodes and status', async () => {
  const api = createFakeClient();
  const h = await start(api);
  try {
    await createScaleSet(api, spec());
    let ss = await settled(api, ['0', '1']);
    assert.deepEqual(suffixes(await nodeNames(api)), ['000000', '000001']);
    assert.deepEqual(ss.metadata.finalizers, [SCALE_SET_FINALIZER]);
    assert.equal(ss.status!.capacity, 2);
    assert.equal(ss.status!.nextInstanceId, 2);
    const first = ss.status!.instances[0];
    assert.equal(first.name, `${SS}_0`);
    assert.equal(first.computerName, `${SS}000000`);
    assert.equal(first.providerID, `azure:///subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/flotilla/providers/Microsoft.Compute/virtualMachineScaleSets/${SS}/virtualMachines/0`);
    assert.deepEqual(ss.status!.instances.map((i) => i.zone), ['1', '2']);
    const node0 = (await api.get(kinds.nodes, '', `${SS}000000`)) as unknown as Node;
    assert.equal(node0.metadata!.labels!['topology.kubernetes.io/zone'], 'local-1');
    assert.equal(node0.metadata!.labels!.agentpool, 'agentpool1');

    await setSpec(api, (s) => ({ ...s.spec, capacity: 4 }));
    ss = await settled(api, ['0', '1', '2', '3']);
    assert.deepEqual(suffixes(await nodeNames(api)), ['000000', '000001', '000002', '000003']);
    assert.deepEqual(ss.status!.instances.map((i) => i.zone), ['1', '2', '3', '1']);

    await setSpec(api, (s) => ({ ...s.spec, capacity: 2 }));
    await settled(api, ['0', '1']);
    assert.deepEqual(suffixes(await nodeNames(api)), ['000000', '000001']);
    assert.deepEqual(suffixes(h.host.removed()).sort(), ['000002', '000003']);

    const events = (await api.list(kinds.events, { namespace: 'default' })).items as unknown as { reason: string; message: string; source: { component: string } }[];
    const reasons = events.map((e) => e.reason);
    assert.equal(reasons.filter((r) => r === 'SuccessfulCreate').length, 4);
    assert.equal(reasons.filter((r) => r === 'SuccessfulDelete').length, 2);
    assert.ok(events.some((e) => e.message === `Created instance 2: node ${SS}000002 in local-3`), JSON.stringify(events.map((e) => e.message)));
    assert.ok(events.some((e) => e.message === `Deleted instance 3: node ${SS}000003`));
    assert.ok(events.every((e) => e.source.component === CLOUD_CONTROLLER));
  } finally {
    await h.stop();
  }
});

test('cloud controller: ids keep growing; instance 36 is …vmss000010', async () => {
  const api = createFakeClient();
  await createScaleSet(api, spec({ capacity: 1 }));
  const ss = (await get(api))!;
  // As if 36 instances had come and gone.
  await api.updateStatus(scaleSetKind, { ...ss, status: { capacity: 0, readyInstances: 0, nextInstanceId: 36, instances: [] } } as unknown as KObject);
  const h = await start(api);
  try {
    await settled(api, ['36']);
    assert.deepEqual(await nodeNames(api), [`${SS}000010`]);
  } finally {
    await h.stop();
  }
});

test('cloud controller: DeleteInstances removes exactly the listed instance, with no replacement', async () => {
  const api = createFakeClient();
  const h = await start(api);
  try {
    await createScaleSet(api, spec({ capacity: 3 }));
    await settled(api, ['0', '1', '2']);
    await setSpec(api, (s) => requestInstanceDeletion(s, ['0']));
    await settled(api, ['1', '2']);
    assert.deepEqual(h.host.removed(), [`${SS}000000`]);
    // The next instance gets a new id, never 0 again.
    await setSpec(api, (s) => ({ ...s.spec, capacity: 3 }));
    await settled(api, ['1', '2', '3']);
  } finally {
    await h.stop();
  }
});

test('cloud controller: after a restart every Succeeded instance is ensured again, and nothing new is made', async () => {
  const api = createFakeClient();
  const first = await start(api);
  await createScaleSet(api, spec({ capacity: 3 }));
  await settled(api, ['0', '1', '2']);
  await first.stop();

  const second = await start(api);
  try {
    await until('the three nodes ensured again', () => second.host.ensured().length === 3);
    assert.deepEqual(suffixes(second.host.ensured()).sort(), ['000000', '000001', '000002']);
    const ss = await settled(api, ['0', '1', '2']);
    assert.equal(ss.status!.nextInstanceId, 3);
  } finally {
    await second.stop();
  }
});

test('cloud controller: instances wait out the provisioning delay in Creating', async () => {
  const api = createFakeClient();
  const h = await start(api);
  try {
    const t0 = Date.now();
    await createScaleSet(api, spec({ capacity: 1, provisioningDelaySeconds: 1 }));
    const creating = await until('a Creating instance', async () => (await get(api))?.status?.instances?.find((i) => i.provisioningState === 'Creating'));
    assert.equal(creating.instanceId, '0');
    assert.deepEqual(h.host.calls, []);
    await settled(api, ['0']);
    assert.ok(Date.now() - t0 >= 1000, 'not before the delay');
  } finally {
    await h.stop();
  }
});

test('cloud controller: a failed start is Failed with a Warning, then retried', async () => {
  const api = createFakeClient();
  const host = new FakeHost(api);
  host.failNext = 1;
  const h = await start(api, host);
  try {
    await createScaleSet(api, spec({ capacity: 1 }));
    const failed = await until('a Failed instance', async () => (await get(api))?.status?.instances?.find((i) => i.provisioningState === 'Failed'));
    assert.equal(failed.message, 'no capacity in this zone');
    await settled(api, ['0']);
    const events = (await api.list(kinds.events, { namespace: 'default' })).items as unknown as { reason: string; type: string; message: string }[];
    assert.ok(events.some((e) => e.type === 'Warning' && e.reason === 'FailedCreate' && e.message === `Instance 0: starting node ${SS}000000 failed: no capacity in this zone`));
  } finally {
    await h.stop();
  }
});

test('cloud controller: deleting a ScaleSet deletes its instances, then lets it go', async () => {
  const api = createFakeClient();
  const h = await start(api);
  try {
    await createScaleSet(api, spec({ capacity: 2 }));
    await settled(api, ['0', '1']);
    // What the API server does on DELETE of an object with a finalizer.
    const ss = (await get(api))!;
    await api.update(scaleSetKind, { ...ss, metadata: { ...ss.metadata, deletionTimestamp: new Date().toISOString() } } as unknown as KObject);
    await until('the finalizer removed', async () => (await get(api))?.metadata.finalizers?.length === 0);
    assert.deepEqual(await nodeNames(api), []);
    assert.deepEqual(suffixes(h.host.removed()).sort(), ['000000', '000001']);
    assert.deepEqual((await get(api))!.status!.instances, []);
  } finally {
    await h.stop();
  }
});

test('cloud controller: an invalid spec is reported, and nothing is made', async () => {
  const api = createFakeClient();
  const h = await start(api);
  try {
    await createScaleSet(api, spec({ computerNamePrefix: 'Bad_Prefix' }));
    const cond = await until('the InvalidSpec condition', async () => (await get(api))?.status?.conditions?.find((c) => c.reason === 'InvalidSpec'));
    assert.match(cond.message, /^spec\.computerNamePrefix: "Bad_Prefix" must be/);
    assert.deepEqual(h.host.calls, []);
  } finally {
    await h.stop();
  }
});
