import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCidr, parseCidr, PodIPAllocator, subnet } from './index.js';

test('parseCidr: networks, and errors that name the input', () => {
  assert.equal(formatCidr(parseCidr('10.42.0.0/16')), '10.42.0.0/16');
  assert.throws(() => parseCidr('10.42.0.1/16'), /invalid CIDR "10.42.0.1\/16": host bits are set \(the network is 10.42.0.0\/16\)/);
  assert.throws(() => parseCidr('10.42.0.0'), /invalid CIDR "10.42.0.0": expected an IPv4 network/);
  assert.throws(() => parseCidr('300.0.0.0/8'), /invalid CIDR/);
});

test('subnet: node slot n of the cluster CIDR', () => {
  const cases: Record<string, { cluster: string; mask: number; index: number; want: string | RegExp }> = {
    'first /24 of 10.42.0.0/16': { cluster: '10.42.0.0/16', mask: 24, index: 0, want: '10.42.0.0/24' },
    'slot 7': { cluster: '10.42.0.0/16', mask: 24, index: 7, want: '10.42.7.0/24' },
    'last of 256': { cluster: '10.42.0.0/16', mask: 24, index: 255, want: '10.42.255.0/24' },
    'past the end': { cluster: '10.42.0.0/16', mask: 24, index: 256, want: /10.42.0.0\/16 holds 256 \/24 node CIDRs/ },
    'a /12 holds 4096': { cluster: '10.32.0.0/12', mask: 24, index: 999, want: '10.35.231.0/24' },
  };
  for (const [name, c] of Object.entries(cases)) {
    if (typeof c.want === 'string') assert.equal(formatCidr(subnet(parseCidr(c.cluster), c.mask, c.index)), c.want, name);
    else assert.throws(() => subnet(parseCidr(c.cluster), c.mask, c.index), c.want, name);
  }
});

test('PodIPAllocator: .2 onwards, one per owner, next-fit, reserve after restart', () => {
  const a = new PodIPAllocator(parseCidr('10.42.3.0/24'));
  assert.equal(a.allocate('p1'), '10.42.3.2');
  assert.equal(a.allocate('p2'), '10.42.3.3');
  assert.equal(a.allocate('p1'), '10.42.3.2', 'the same owner keeps its address');
  a.release('p1');
  assert.equal(a.allocate('p3'), '10.42.3.4', 'a freed address is not reused at once');
  assert.equal(a.reserve('p9', '10.42.3.3'), false, 'taken');
  assert.equal(a.reserve('p9', '10.42.4.9'), false, 'outside the node CIDR');
  assert.equal(a.reserve('p9', '10.42.3.200'), true);
  assert.equal(a.inUse, 3);
});

test('PodIPAllocator: a full range gives undefined, then wraps to what was freed', () => {
  const a = new PodIPAllocator(parseCidr('10.42.0.0/29')); // .2 … .6
  const got = ['a', 'b', 'c', 'd', 'e'].map((o) => a.allocate(o));
  assert.deepEqual(got, ['10.42.0.2', '10.42.0.3', '10.42.0.4', '10.42.0.5', '10.42.0.6']);
  assert.equal(a.allocate('f'), undefined);
  a.release('b');
  assert.equal(a.allocate('f'), '10.42.0.3');
});
