import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { createFakeClient, type FakeClient, type KObject } from '../runtime/index.js';
import { newInstance, resolveSpec, scaleSetKind, type ScaleSet, type ScaleSetSpec } from '../cluster/cloud/index.js';
import { autoTable, azVmss, azVmssVm, formatTable, registerVmssCommands, resourceNotFound, vmssInstancesTable, vmssListTable, type AzVmss, type AzVmssVm } from './vmss.js';

const lines = (...l: string[]) => l.join('\n') + '\n';

test('vmss tables: az vmss list -o table, as az prints it', () => {
  const v = (name: string, rg: string, location: string, zones: string[] | null, capacity: number) =>
    ({ name, resourceGroup: rg, location, zones, sku: { capacity }, overprovision: false, upgradePolicy: { mode: 'Manual' } }) as AzVmss;
  // An aks-engine cluster's pools (regional: the Zones cell is a single blank).
  assert.equal(
    vmssListTable([v('k8s-mxk8s1-25270386-vmss', 'rg-mxinfo-k8s', 'eastus', null, 1), v('k8s-mxk8s2-25270386-vmss', 'rg-mxinfo-k8s', 'eastus', null, 1)]),
    lines(
      'Name                      ResourceGroup    Location    Zones    Capacity    Overprovision    UpgradePolicy',
      '------------------------  ---------------  ----------  -------  ----------  ---------------  ---------------',
      'k8s-mxk8s1-25270386-vmss  rg-mxinfo-k8s    eastus               1           False            Manual',
      'k8s-mxk8s2-25270386-vmss  rg-mxinfo-k8s    eastus               1           False            Manual',
    ),
  );
  assert.equal(
    vmssListTable([v('pool', 'flotilla', 'local', ['1', '2', '3'], 12)]),
    lines(
      'Name    ResourceGroup    Location    Zones    Capacity    Overprovision    UpgradePolicy',
      '------  ---------------  ----------  -------  ----------  ---------------  ---------------',
      'pool    flotilla         local       1 2 3    12          False            Manual',
    ),
  );
  assert.equal(vmssListTable([]), '\n');
});

test('vmss tables: az vmss list-instances -o table, as az prints it', () => {
  const vm = (instanceId: string, name: string, vmId: string) =>
    ({ id: 'x', type: 'y', instanceId, latestModelApplied: true, location: 'eastus', modelDefinitionApplied: 'VirtualMachineScaleSet', name, provisioningState: 'Succeeded', resourceGroup: 'myResourceGroup', vmId, zones: ['1'], osProfile: { computerName: 'c' }, timeCreated: 't' }) as unknown as AzVmssVm;
  assert.equal(
    vmssInstancesTable([vm('1', 'myScaleSet_1', 'a8d57ac2-da22-43ab-bd57-edfef6ce065f'), vm('2', 'myScaleSet_2', 'ff5bc421-f8ea-40bd-8d69-722e1d5bdc37')]),
    lines(
      'InstanceId    LatestModelApplied    Location    ModelDefinitionApplied    Name          ProvisioningState    ResourceGroup    VmId',
      '------------  --------------------  ----------  ------------------------  ------------  -------------------  ---------------  ------------------------------------',
      '1             True                  eastus      VirtualMachineScaleSet    myScaleSet_1  Succeeded            myResourceGroup  a8d57ac2-da22-43ab-bd57-edfef6ce065f',
      '2             True                  eastus      VirtualMachineScaleSet    myScaleSet_2  Succeeded            myResourceGroup  ff5bc421-f8ea-40bd-8d69-722e1d5bdc37',
    ),
  );
});

test('vmss tables: knack\'s automatic columns and tabulate\'s widths', () => {
  assert.equal(autoTable([{ b: 1, a: 'x', id: 'skipped', type: 't', etag: 'e', list: [1], obj: {}, nothing: null }]), lines('A    B', '---  ---', 'x    1'));
  assert.equal(formatTable(['H'], [['a long cell'], [false]]), lines('H', '-----------', 'a long cell', 'False'));
});

const SS = 'k8s-agentpool1-92998111-vmss';
const SPEC: ScaleSetSpec = { capacity: 3, sku: { name: 'Standard_D2s_v3', cpu: 2, memory: '8Gi' }, resourceGroup: 'My-RG', location: 'westeurope', zones: ['1', '2', '3'] };

function scaleSet(name = SS, spec = SPEC): ScaleSet {
  const s = resolveSpec(name, spec);
  const instances = [0, 1, 2].map((id) => ({ ...newInstance(s, 'uid-1', id, { zone: String(id + 1), faultDomain: 0 }, 0), provisioningState: 'Succeeded' as const }));
  return { apiVersion: scaleSetKind.apiVersion, kind: scaleSetKind.kind, metadata: { name, uid: 'uid-1' }, spec, status: { capacity: 3, readyInstances: 3, nextInstanceId: 3, instances } };
}

test('vmss views: shaped as az returns a scale set and its VMs', () => {
  const ss = scaleSet();
  const v = azVmss(ss);
  assert.equal(v.id, `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg/providers/Microsoft.Compute/virtualMachineScaleSets/${SS}`);
  assert.deepEqual([v.resourceGroup, v.location, v.zones, v.sku], ['My-RG', 'westeurope', ['1', '2', '3'], { name: 'Standard_D2s_v3', tier: 'Standard', capacity: 3 }]);
  const vm = azVmssVm(ss, ss.status!.instances[2]);
  assert.deepEqual([vm.instanceId, vm.name, vm.zones, vm.osProfile.computerName, vm.id.endsWith('/virtualMachines/2')], ['2', `${SS}_2`, ['3'], `${SS}000002`, true]);
});

/** Run `flotilla vmss …args` against `api`; returns stdout, stderr and the exit code. */
async function cli(api: FakeClient, args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  let code = 0;
  const program = new Command().exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  registerVmssCommands(program, {
    client: () => api,
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    exit: (c) => {
      code = c;
      throw new Error('exit');
    },
  });
  try {
    await program.parseAsync(['node', 'flotilla', 'vmss', ...args]);
  } catch (e) {
    if ((e as Error).message !== 'exit') {
      code = (e as { exitCode?: number }).exitCode ?? 1;
    }
  }
  return { out, err, code };
}

async function fixture(): Promise<FakeClient> {
  const api = createFakeClient();
  const ss = scaleSet();
  const created = await api.create(scaleSetKind, { ...ss, status: undefined } as unknown as KObject);
  await api.updateStatus(scaleSetKind, { ...created, status: ss.status } as unknown as KObject);
  await api.create(scaleSetKind, { ...scaleSet('other', { ...SPEC, resourceGroup: 'elsewhere', zones: [] }), status: undefined } as unknown as KObject);
  return api;
}

test('vmss cli: list, filtered by resource group case-insensitively', async () => {
  const api = await fixture();
  const all = await cli(api, ['list']);
  assert.equal(all.code, 0, all.err);
  assert.deepEqual(all.out.split('\n').slice(2, 4).map((l) => l.split(/\s+/)[0]), [SS, 'other']);
  const mine = await cli(api, ['list', '-g', 'my-rg']);
  assert.equal(mine.out.trimEnd().split('\n').length, 3);
  assert.match(mine.out, new RegExp(`^${SS}\\s+My-RG\\s+westeurope\\s+1 2 3\\s+3\\s+False\\s+Manual$`, 'm'));
});

test('vmss cli: list-instances and json output', async () => {
  const api = await fixture();
  const r = await cli(api, ['list-instances', '-n', SS]);
  assert.equal(r.code, 0, r.err);
  const rows = r.out.trimEnd().split('\n');
  assert.equal(rows[0], 'InstanceId    LatestModelApplied    Location    ModelDefinitionApplied    Name                            ProvisioningState    ResourceGroup    VmId');
  assert.match(rows[2], new RegExp(`^0\\s+True\\s+westeurope\\s+VirtualMachineScaleSet\\s+${SS}_0\\s+Succeeded\\s+My-RG\\s+[0-9a-f-]{36}$`));
  const json = JSON.parse((await cli(api, ['list-instances', '-n', SS, '-o', 'json'])).out) as AzVmssVm[];
  assert.deepEqual(json.map((v) => v.instanceId), ['0', '1', '2']);
});

test('vmss cli: a missing scale set is az\'s ResourceNotFound, one line, exit 1', async () => {
  const api = await fixture();
  const r = await cli(api, ['list-instances', '-n', 'nope', '-g', 'rg1']);
  assert.deepEqual(r, { out: '', err: `error: ${resourceNotFound('nope', 'rg1')}\n`, code: 1 });
  assert.equal(resourceNotFound('nope', 'rg1'), "(ResourceNotFound) The Resource 'Microsoft.Compute/virtualMachineScaleSets/nope' under resource group 'rg1' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix");
  const wrongGroup = await cli(api, ['scale', '-n', SS, '-g', 'elsewhere', '--new-capacity', '1']);
  assert.equal(wrongGroup.code, 1);
  assert.match(wrongGroup.err, /^error: \(ResourceNotFound\) .* under resource group 'elsewhere' was not found/);
});

test('vmss cli: scale sets the capacity', async () => {
  const api = await fixture();
  const r = await cli(api, ['scale', '-n', SS, '--new-capacity', '5']);
  assert.equal(r.code, 0, r.err);
  assert.equal(((await api.get(scaleSetKind, '', SS)) as unknown as ScaleSet).spec.capacity, 5);
  assert.match(r.out, /\s5\s+False\s+Manual\n$/);
  const bad = await cli(api, ['scale', '-n', SS, '--new-capacity', 'many']);
  assert.deepEqual(bad, { out: '', err: "error: argument --new-capacity: invalid int value: 'many'\n", code: 1 });
});

test('vmss cli: delete-instances lists the ids and lowers capacity in one write', async () => {
  const api = await fixture();
  const r = await cli(api, ['delete-instances', '-n', SS, '--instance-ids', '0', '2']);
  assert.deepEqual(r, { out: '', err: '', code: 0 });
  const ss = (await api.get(scaleSetKind, '', SS)) as unknown as ScaleSet;
  assert.deepEqual([ss.spec.capacity, ss.spec.instancesToDelete], [1, ['0', '2']]);
  const bad = await cli(api, ['delete-instances', '-n', SS, '--instance-ids', '7']);
  assert.deepEqual(bad, { out: '', err: 'error: (InvalidParameter) The provided instanceId 7 is not an active Virtual Machine Scale Set VM instanceId.\n', code: 1 });
  const all = await cli(api, ['delete-instances', '-n', SS, '--instance-ids', '*']);
  assert.equal(all.code, 0, all.err);
  const after = (await api.get(scaleSetKind, '', SS)) as unknown as ScaleSet;
  assert.deepEqual([after.spec.capacity, after.spec.instancesToDelete], [0, ['0', '1', '2']]);
});

test('vmss cli: a missing required flag is commander\'s one-line error', async () => {
  const api = await fixture();
  const r = await cli(api, ['scale', '-n', SS]);
  assert.equal(r.code, 1);
  assert.equal(r.err, "error: required option '--new-capacity <count>' not specified\n");
});
