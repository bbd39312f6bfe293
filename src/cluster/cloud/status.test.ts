import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newInstance } from './plan.js';
import { resolveSpec, type ProvisioningState, type ScaleSetInstance, type ScaleSetStatus } from './scale-set.js';
import { finishStatus, recordPlan, updateInstances, withState } from './status.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const spec = (capacity: number) => resolveSpec('pool', { capacity, sku: { name: 'Standard_D2s_v3', cpu: 2, memory: '8Gi' } });
const inst = (id: number, state: ProvisioningState = 'Succeeded'): ScaleSetInstance => ({ ...newInstance(spec(1), 'uid', id, { faultDomain: 0 }, NOW), provisioningState: state });
const st = (list: ScaleSetInstance[]): ScaleSetStatus => ({ capacity: 0, readyInstances: 0, nextInstanceId: list.length, instances: list });
const allReady = () => true;

test('status: recording a plan adds, marks and counts', () => {
  const s = recordPlan(st([inst(1), inst(0)]), { create: [inst(2, 'Creating')], markDeleting: ['0'], nextInstanceId: 3 });
  assert.deepEqual(s.instances.map((i) => [i.instanceId, i.provisioningState]), [['0', 'Deleting'], ['1', 'Succeeded'], ['2', 'Creating']]);
  assert.equal(s.nextInstanceId, 3);
  assert.deepEqual(recordPlan(undefined, { create: [], markDeleting: [], nextInstanceId: 0 }), { capacity: 0, readyInstances: 0, nextInstanceId: 0, instances: [] });
});

test('status: state changes keep a message only while Failed; updateInstances drops on undefined', () => {
  const failed = withState(inst(0, 'Creating'), 'Failed', 'boom');
  assert.equal(failed.message, 'boom');
  assert.equal(withState(failed, 'Succeeded').message, undefined);
  const s = updateInstances(st([inst(0), inst(1)]), new Set(['0']), () => undefined);
  assert.deepEqual(s.instances.map((i) => i.instanceId), ['1']);
});

test('status: counts and the Ready condition', () => {
  const cases: Record<string, { list: ScaleSetInstance[]; capacity: number; ready?: (n: string) => boolean; invalid?: string[]; want: { capacity: number; readyInstances: number; status: string; reason: string; message: string } }> = {
    'all there and ready': { list: [inst(0), inst(1)], capacity: 2, want: { capacity: 2, readyInstances: 2, status: 'True', reason: 'AllInstancesReady', message: '2 of 2 instances ready' } },
    'one still creating': { list: [inst(0), inst(1, 'Creating')], capacity: 2, want: { capacity: 2, readyInstances: 1, status: 'False', reason: 'Scaling', message: '1 of 2 instances ready' } },
    'a node not Ready yet': { list: [inst(0), inst(1)], capacity: 2, ready: (n) => n.endsWith('0'), want: { capacity: 2, readyInstances: 1, status: 'False', reason: 'Scaling', message: '1 of 2 instances ready' } },
    'deleting ones do not count': { list: [inst(0), inst(1, 'Deleting')], capacity: 1, want: { capacity: 1, readyInstances: 1, status: 'False', reason: 'Scaling', message: '1 of 1 instances ready' } },
    'a failure is named': { list: [{ ...inst(0, 'Failed'), message: 'no room' }], capacity: 1, want: { capacity: 1, readyInstances: 0, status: 'False', reason: 'ProvisioningFailed', message: 'instance 0: no room' } },
    'an invalid spec': { list: [], capacity: 1, invalid: ['spec.sku.name: required'], want: { capacity: 0, readyInstances: 0, status: 'False', reason: 'InvalidSpec', message: 'spec.sku.name: required' } },
  };
  for (const [name, c] of Object.entries(cases)) {
    const s = finishStatus(st(c.list), { spec: spec(c.capacity), generation: 4, isNodeReady: c.ready ?? allReady, invalid: c.invalid, now: NOW });
    const cond = s.conditions!.find((x) => x.type === 'Ready')!;
    assert.deepEqual({ capacity: s.capacity, readyInstances: s.readyInstances, status: cond.status, reason: cond.reason, message: cond.message }, c.want, name);
    assert.equal(s.observedGeneration, 4, name);
    assert.equal(cond.observedGeneration, 4, name);
  }
});

test('status: the transition time holds while the condition status does', () => {
  const first = finishStatus(st([inst(0, 'Creating')]), { spec: spec(1), isNodeReady: allReady, now: NOW });
  const later = finishStatus({ ...first, instances: [inst(0, 'Creating')] }, { spec: spec(1), isNodeReady: allReady, now: NOW + 60_000 });
  assert.equal(later.conditions![0].lastTransitionTime, '2026-01-01T00:00:00Z');
  const flipped = finishStatus({ ...later, instances: [inst(0)] }, { spec: spec(1), isNodeReady: allReady, now: NOW + 120_000 });
  assert.equal(flipped.conditions![0].status, 'True');
  assert.equal(flipped.conditions![0].lastTransitionTime, '2026-01-01T00:02:00Z');
});
