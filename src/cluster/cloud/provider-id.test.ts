import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vmProviderID, equalFold, instanceResourceId, parseVmssProviderID, resourceGroupOf, scaleSetNameOf, vmssProviderID } from './provider-id.js';

const SUB = '12345678-aaaa-bbbb-cccc-1234567890ab';

test('provider-id: building lowercases only the resource group', () => {
  const cases: Record<string, { rg: string; ss: string; id: string; want: string }> = {
    'lower case group': {
      rg: 'flotilla', ss: 'k8s-agentpool1-92998111-vmss', id: '0',
      want: `azure:///subscriptions/${SUB}/resourceGroups/flotilla/providers/Microsoft.Compute/virtualMachineScaleSets/k8s-agentpool1-92998111-vmss/virtualMachines/0`,
    },
    'mixed case group (kubernetes#71994)': {
      rg: 'K8S1-EUW-sandbox-RG', ss: 'Pool-VMSS', id: '36',
      want: `azure:///subscriptions/${SUB}/resourceGroups/k8s1-euw-sandbox-rg/providers/Microsoft.Compute/virtualMachineScaleSets/Pool-VMSS/virtualMachines/36`,
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    const ref = { subscriptionId: SUB, resourceGroup: c.rg, scaleSet: c.ss, instanceId: c.id };
    assert.equal(vmssProviderID(ref), c.want, name);
    assert.equal(instanceResourceId(ref), c.want.slice('azure://'.length), name);
  }
});

test('provider-id: parsing', () => {
  const cases: Record<string, { id: string; want: ReturnType<typeof parseVmssProviderID> }> = {
    'a vmss instance': {
      id: `azure:///subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/ss/virtualMachines/12`,
      want: { subscriptionId: SUB, resourceGroup: 'rg', scaleSet: 'ss', instanceId: '12' },
    },
    'fixed words in another case; ids keep theirs': {
      id: `azure:///subscriptions/${SUB}/RESOURCEGROUPS/My-RG/providers/microsoft.compute/virtualmachinescalesets/SS/virtualmachines/3`,
      want: { subscriptionId: SUB, resourceGroup: 'My-RG', scaleSet: 'SS', instanceId: '3' },
    },
    'an availability-set VM is not one': { id: `azure:///subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/k8s-master-0`, want: undefined },
    'two slashes is not one': { id: `azure://subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/ss/virtualMachines/1`, want: undefined },
    'a non-numeric instance id is not one': { id: `azure:///subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/ss/virtualMachines/ss_1`, want: undefined },
    'another scheme': { id: 'kind://docker/node', want: undefined },
  };
  for (const [name, c] of Object.entries(cases)) assert.deepEqual(parseVmssProviderID(c.id), c.want, name);
});

test('provider-id: segment extraction and case-insensitive comparison', () => {
  const id = `azure:///subscriptions/${SUB}/resourceGroups/K8S1-EUW-SANDBOX-RG/providers/Microsoft.Compute/virtualMachineScaleSets/agents/virtualMachines/1`;
  assert.equal(resourceGroupOf(id), 'K8S1-EUW-SANDBOX-RG');
  assert.equal(scaleSetNameOf(id), 'agents');
  assert.equal(resourceGroupOf('azure:///subscriptions/x'), undefined);
  assert.equal(equalFold('K8S1-EUW-SANDBOX-RG', 'k8s1-EUW-sandbox-RG'), true);
  assert.equal(equalFold('abc', 'abd'), false);
  assert.equal(equalFold('abc', 'abcd'), false);
  assert.equal(equalFold(id, id.toLowerCase()), true);
});

test('provider-id: an availability-set VM', () => {
  assert.equal(vmProviderID(SUB, 'My-RG', 'k8s-master-12345678-0'), `azure:///subscriptions/${SUB}/resourceGroups/my-rg/providers/Microsoft.Compute/virtualMachines/k8s-master-12345678-0`);
  assert.equal(parseVmssProviderID(vmProviderID(SUB, 'rg', 'vm')), undefined);
});
