import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agentPoolOf, computerName, instanceIdOf, instanceResourceName, MAX_INSTANCE_ID, nodeNameOf, NOT_A_VMSS_INSTANCE } from './names.js';

const SS = 'k8s-agentpool1-92998111-vmss';

test('names: instance id → computer name (spec §1 examples)', () => {
  const cases: Record<string, { id: string | number; want: string }> = {
    'zero': { id: '0', want: `${SS}000000` },
    'ten is a': { id: 10, want: `${SS}00000a` },
    '36 carries': { id: '36', want: `${SS}000010` },
    '1295 = zz': { id: 1295, want: `${SS}0000zz` },
    'the largest': { id: MAX_INSTANCE_ID, want: `${SS}zzzzzz` },
  };
  for (const [name, c] of Object.entries(cases)) assert.equal(computerName(SS, c.id), c.want, name);
});

test('names: the node name is the computer name lowercased; the prefix keeps its case in the computer name', () => {
  assert.equal(computerName('K8S-Pool-vmss', 11), 'K8S-Pool-vmss00000b');
  assert.equal(nodeNameOf('K8S-Pool-vmss', 11), 'k8s-pool-vmss00000b');
});

test('names: ids that cannot be named are refused', () => {
  for (const bad of ['-1', '1.5', 'x', '', String(MAX_INSTANCE_ID + 1)]) {
    assert.throws(() => computerName(SS, bad), /must be a whole number/, bad);
  }
});

test('names: node name → instance id', () => {
  const cases: Record<string, { name: string; want: string }> = {
    '000000': { name: `${SS}000000`, want: '0' },
    '00000a': { name: `${SS}00000a`, want: '10' },
    '000010': { name: `${SS}000010`, want: '36' },
    'upper case parses': { name: `${SS}00000A`, want: '10' },
    'any prefix parses': { name: 'whatever000011', want: '37' },
    'exactly six characters': { name: 'zzzzzz', want: String(MAX_INSTANCE_ID) },
  };
  for (const [name, c] of Object.entries(cases)) assert.equal(instanceIdOf(c.name), c.want, name);
});

test('names: names that are not vmss instances', () => {
  const cases: Record<string, string> = {
    'shorter than six': 'node1',
    'empty': '',
    'a dash in the tail': 'flotilla-node-0',
    'a dot in the tail': 'host.ample',
  };
  for (const [name, nodeName] of Object.entries(cases)) {
    assert.throws(() => instanceIdOf(nodeName), (e: Error) => e.message === NOT_A_VMSS_INSTANCE, name);
  }
});

test('names: resource name and agent pool', () => {
  assert.equal(instanceResourceName(SS, '3'), `${SS}_3`);
  const pools: Record<string, string> = {
    [SS]: 'agentpool1',
    'aks-nodepool1-10719468-vmss': 'nodepool1',
    'k8s-linux-pool-2-1234-vmss': 'linux-pool-2',
    'workers': 'workers',
    'k8s-agentpool1-vmss': 'k8s-agentpool1-vmss',
  };
  for (const [ss, want] of Object.entries(pools)) assert.equal(agentPoolOf(ss), want, ss);
});
