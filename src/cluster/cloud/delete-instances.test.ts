import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InstanceNotActiveError, requestInstanceDeletion } from './delete-instances.js';
import { newInstance } from './plan.js';
import { resolveSpec, type ProvisioningState, type ScaleSetSpec } from './scale-set.js';

const base: ScaleSetSpec = { capacity: 4, sku: { name: 'Standard_D2s_v3', cpu: 2, memory: '8Gi' } };
const inst = (id: number, state: ProvisioningState = 'Succeeded') => ({ ...newInstance(resolveSpec('pool', base), 'uid', id, { faultDomain: 0 }, 0), provisioningState: state });
const ss = (spec: Partial<ScaleSetSpec>, states: ProvisioningState[] = ['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded']) => ({
  spec: { ...base, ...spec },
  status: { capacity: states.length, readyInstances: 0, nextInstanceId: states.length, instances: states.map((s, id) => inst(id, s)) },
});

test('delete-instances: one spec change lists the ids and lowers capacity', () => {
  const cases: Record<string, { ss: ReturnType<typeof ss>; ids: string[]; want: { capacity: number; instancesToDelete: string[] } }> = {
    'two ids': { ss: ss({}), ids: ['2', '3'], want: { capacity: 2, instancesToDelete: ['2', '3'] } },
    'sorted numerically, repeats count once': { ss: ss({}), ids: ['3', '1', '3'], want: { capacity: 2, instancesToDelete: ['1', '3'] } },
    'already listed: no second decrement': { ss: ss({ capacity: 3, instancesToDelete: ['1'] }), ids: ['1', '2'], want: { capacity: 2, instancesToDelete: ['1', '2'] } },
    'already deleting: accepted, no change': { ss: ss({ capacity: 3 }, ['Succeeded', 'Succeeded', 'Succeeded', 'Deleting']), ids: ['3'], want: { capacity: 3, instancesToDelete: [] } },
    'listed ids that are gone are dropped': { ss: ss({ instancesToDelete: ['7', '8'] }), ids: ['0'], want: { capacity: 3, instancesToDelete: ['0'] } },
    'creating instances can be deleted': { ss: ss({}, ['Succeeded', 'Creating']), ids: ['1'], want: { capacity: 3, instancesToDelete: ['1'] } },
  };
  for (const [name, c] of Object.entries(cases)) {
    const spec = requestInstanceDeletion(c.ss, c.ids);
    assert.deepEqual({ capacity: spec.capacity, instancesToDelete: spec.instancesToDelete }, c.want, name);
    assert.equal(spec.sku, c.ss.spec.sku, name);
  }
});

test('delete-instances: an id that names no instance is refused with Azure\'s message', () => {
  assert.throws(
    () => requestInstanceDeletion(ss({}), ['1', '9']),
    (e: unknown) => e instanceof InstanceNotActiveError && e.code === 'InvalidParameter' && e.message === 'The provided instanceId 9 is not an active Virtual Machine Scale Set VM instanceId.',
  );
});
