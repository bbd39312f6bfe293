import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dueAt, newInstance, planScaleSet, vmIdFor } from './plan.js';
import { nextToRemove, placeNext, failureDomain } from './placement.js';
import { resolveSpec, validateSpec, type ProvisioningState, type ScaleSetInstance, type ScaleSetSpec, type ScaleSetStatus } from './scale-set.js';

const SS = 'k8s-agentpool1-92998111-vmss';
const NOW = Date.parse('2026-01-01T00:00:00Z');
const UID = 'uid-1';

const spec = (o: Partial<ScaleSetSpec> = {}) =>
  resolveSpec(SS, { capacity: 2, sku: { name: 'Standard_D2s_v3', cpu: 2, memory: '8Gi' }, provisioningDelaySeconds: 0, ...o });

/** Instances `ids` in `state`, placed as a fresh scale set of `zones` would place them, created `ageS` seconds ago. */
function instances(ids: number[], o: { zones?: string[]; state?: ProvisioningState; ageS?: number } = {}): ScaleSetInstance[] {
  const s = spec({ zones: o.zones });
  const out: ScaleSetInstance[] = [];
  for (const id of ids) {
    const i = newInstance(s, UID, id, placeNext(s, out), NOW - (o.ageS ?? 60) * 1000);
    out.push({ ...i, provisioningState: o.state ?? 'Succeeded' });
  }
  return out;
}

const status = (list: ScaleSetInstance[], next?: number): ScaleSetStatus => ({
  capacity: list.length,
  readyInstances: 0,
  nextInstanceId: next ?? Math.max(0, ...list.map((i) => Number(i.instanceId) + 1)),
  instances: list,
});

test('plan: scale out, scale in, and what is due', () => {
  const cases: Record<string, { spec: ScaleSetSpec | Partial<ScaleSetSpec>; status?: ScaleSetStatus; want: { create?: string[]; markDeleting?: string[]; provision?: string[]; remove?: string[]; next: number; requeueAfterMs?: number } }> = {
    'new scale set: two instances from id 0, due at once with no delay': {
      spec: { capacity: 2 },
      want: { create: ['0', '1'], provision: ['0', '1'], next: 2 },
    },
    '2 → 4 adds 2 and 3': {
      spec: { capacity: 4 },
      status: status(instances([0, 1])),
      want: { create: ['2', '3'], provision: ['2', '3'], next: 4 },
    },
    '4 → 2 removes the newest, 3 then 2': {
      spec: { capacity: 2 },
      status: status(instances([0, 1, 2, 3])),
      want: { markDeleting: ['3', '2'], remove: ['3', '2'], next: 4 },
    },
    'ids are never reused: after 0..3 then 2 and 3 deleted, the next is 4': {
      spec: { capacity: 3 },
      status: status(instances([0, 1]), 4),
      want: { create: ['4'], provision: ['4'], next: 5 },
    },
    'a counter behind the recorded ids is moved past them': {
      spec: { capacity: 3 },
      status: status(instances([0, 7]), 2),
      want: { create: ['8'], provision: ['8'], next: 9 },
    },
    'listed instances go first, and capacity lowered with them deletes nothing else': {
      spec: { capacity: 2, instancesToDelete: ['1'] },
      status: status(instances([0, 1, 2])),
      want: { markDeleting: ['1'], remove: ['1'], next: 3 },
    },
    'a listed instance with capacity unchanged is replaced': {
      spec: { capacity: 3, instancesToDelete: ['1'] },
      status: status(instances([0, 1, 2])),
      want: { create: ['3'], markDeleting: ['1'], provision: ['3'], remove: ['1'], next: 4 },
    },
    'stale listed ids (gone, never reused) are ignored': {
      spec: { capacity: 2, instancesToDelete: ['5', '6'] },
      status: status(instances([0, 1]), 7),
      want: { next: 7 },
    },
    'deleting instances are finished and do not count': {
      spec: { capacity: 2 },
      status: status([...instances([0, 1]), ...instances([2], { state: 'Deleting' }).map((i) => ({ ...i, instanceId: '2' }))]),
      want: { remove: ['2'], next: 3 },
    },
    'creating within the delay: wait for the rest of it': {
      spec: { capacity: 1, provisioningDelaySeconds: 5 },
      status: status(instances([0], { state: 'Creating', ageS: 2 })),
      want: { next: 1, requeueAfterMs: 3000 },
    },
    'creating past the delay is due': {
      spec: { capacity: 1, provisioningDelaySeconds: 5 },
      status: status(instances([0], { state: 'Creating', ageS: 5 })),
      want: { provision: ['0'], next: 1 },
    },
    'new instances with a delay wait for it': {
      spec: { capacity: 1, provisioningDelaySeconds: 2 },
      want: { create: ['0'], next: 1, requeueAfterMs: 2000 },
    },
    'failed instances are retried': {
      spec: { capacity: 1 },
      status: status(instances([0], { state: 'Failed' })),
      want: { provision: ['0'], next: 1 },
    },
    'scale to zero': {
      spec: { capacity: 0 },
      status: status(instances([0, 1, 2])),
      want: { markDeleting: ['2', '1', '0'], remove: ['2', '1', '0'], next: 3 },
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    const p = planScaleSet(spec(c.spec), c.status, UID, NOW);
    assert.deepEqual(
      { create: p.create.map((i) => i.instanceId), markDeleting: p.markDeleting, provision: p.provision, remove: p.remove, next: p.nextInstanceId, requeueAfterMs: p.requeueAfterMs },
      { create: [], markDeleting: [], provision: [], remove: [], requeueAfterMs: undefined, ...c.want },
      name,
    );
  }
});

test('plan: a new instance record, named as Azure names it', () => {
  const s = spec({ resourceGroup: 'My-RG', subscriptionId: 'sub-1', zones: ['1', '2', '3'] });
  const [i] = planScaleSet({ ...s, capacity: 37 }, status([], 36), UID, NOW).create;
  assert.deepEqual(i, {
    instanceId: '36',
    name: `${SS}_36`,
    computerName: `${SS}000010`,
    nodeName: `${SS}000010`,
    providerID: `azure:///subscriptions/sub-1/resourceGroups/my-rg/providers/Microsoft.Compute/virtualMachineScaleSets/${SS}/virtualMachines/36`,
    provisioningState: 'Creating',
    zone: '1',
    faultDomain: 0,
    vmId: vmIdFor(UID, '36'),
    timeCreated: '2026-01-01T00:00:00.000Z',
  });
  assert.match(i.vmId, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(vmIdFor(UID, '1'), vmIdFor(UID, '2'));
  assert.equal(dueAt({ provisioningDelaySeconds: 3 }, i), NOW + 3000);
});

test('plan: the computer-name prefix, kept in case in the computer name and lowercased in the node name', () => {
  const [i] = planScaleSet(spec({ computerNamePrefix: 'AgentPool', capacity: 1 }), undefined, UID, NOW).create;
  assert.equal(i.computerName, 'AgentPool000000');
  assert.equal(i.nodeName, 'agentpool000000');
});

test('placement: zones round-robin and stay balanced; regional sets spread over fault domains', () => {
  const zoned = planScaleSet(spec({ capacity: 5, zones: ['1', '2', '3'] }), undefined, UID, NOW).create;
  assert.deepEqual(zoned.map((i) => i.zone), ['1', '2', '3', '1', '2']);
  const regional = planScaleSet(spec({ capacity: 7 }), undefined, UID, NOW).create;
  assert.deepEqual(regional.map((i) => [i.zone, i.faultDomain]), [0, 1, 2, 3, 4, 0, 1].map((fd) => [undefined, fd]));
  const three = planScaleSet(spec({ capacity: 3, platformFaultDomainCount: 2 }), undefined, UID, NOW).create;
  assert.deepEqual(three.map((i) => i.faultDomain), [0, 1, 0]);
  // After zone 2's instance is deleted, the next one refills zone 2.
  const left = instances([0, 1, 2], { zones: ['1', '2', '3'] }).filter((i) => i.zone !== '2');
  assert.deepEqual(placeNext(spec({ zones: ['1', '2', '3'] }), left), { zone: '2', faultDomain: 0 });
});

test('placement: scale-in takes from the fullest zone, then the highest id', () => {
  const z = (instanceId: string, zone: string) => ({ instanceId, zone, faultDomain: 0 });
  const cases: Record<string, { list: ReturnType<typeof z>[]; want: string }> = {
    'balanced: the newest': { list: [z('0', '1'), z('1', '2'), z('2', '3')], want: '2' },
    'the fullest zone first, even if older': { list: [z('0', '1'), z('3', '1'), z('1', '2'), z('9', '3')], want: '3' },
    'one instance': { list: [z('4', '2')], want: '4' },
  };
  for (const [name, c] of Object.entries(cases)) assert.equal(nextToRemove(c.list).instanceId, c.want, name);
  assert.equal(nextToRemove([{ instanceId: '10', faultDomain: 0 }, { instanceId: '9', faultDomain: 0 }, { instanceId: '11', faultDomain: 1 }]).instanceId, '10');
});

test('placement: the zone label', () => {
  assert.equal(failureDomain('CentralUS', { zone: '1', faultDomain: 0 }), 'centralus-1');
  assert.equal(failureDomain('eastus', { faultDomain: 3 }), '3');
});

test('spec: defaults and validation', () => {
  const s = resolveSpec('pool', { capacity: 1, sku: { name: 'Standard_D2s_v3', cpu: 2, memory: '8Gi' } });
  assert.equal(s.location, 'local');
  assert.equal(s.resourceGroup, 'flotilla');
  assert.equal(s.subscriptionId, '00000000-0000-0000-0000-000000000000');
  assert.equal(s.computerNamePrefix, 'pool');
  assert.equal(s.sku.pods, 110);
  assert.equal(s.runtime, 'simulated');
  assert.deepEqual(s.roles, ['agent']);
  assert.deepEqual(validateSpec(s), []);
  const bad = resolveSpec('pool', { capacity: -1, sku: { name: '', cpu: 2, memory: '8Gi', pods: 0 }, computerNamePrefix: 'bad_prefix', zones: ['1', '1'] });
  assert.deepEqual(validateSpec(bad).map((e) => e.split(':')[0]), ['spec.capacity', 'spec.sku.name', 'spec.sku.pods', 'spec.computerNamePrefix', 'spec.zones']);
});
