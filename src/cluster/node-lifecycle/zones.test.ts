import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from 'kubernetes-types/core/v1.js';
import { taintRate, zoneOf, zoneState, zoneStates, type ZoneState } from './index.js';

const node = (zone: string, ready: string | undefined, region = 'eastus'): Node => ({
  metadata: { name: `${zone}-${Math.random()}`, labels: { 'topology.kubernetes.io/region': region, 'topology.kubernetes.io/zone': zone } },
  status: { conditions: ready ? [{ type: 'Ready', status: ready }] : [] },
});

test('zoneState: table', () => {
  const cases: Record<string, { ready: (string | undefined)[]; want: ZoneState }> = {
    'all ready': { ready: ['True', 'True', 'True'], want: 'Normal' },
    'one of three not ready': { ready: ['True', 'True', 'Unknown'], want: 'Normal' },
    'none ready': { ready: ['Unknown', 'False'], want: 'FullDisruption' },
    'a lone dead node': { ready: ['Unknown'], want: 'FullDisruption' },
    'no Ready condition counts as not ready': { ready: [undefined, undefined], want: 'FullDisruption' },
    '3 of 5 not ready (60 %)': { ready: ['True', 'True', 'Unknown', 'Unknown', 'False'], want: 'PartialDisruption' },
    '2 of 3 not ready: needs more than 2': { ready: ['True', 'Unknown', 'Unknown'], want: 'Normal' },
    '3 of 6 not ready (50 %)': { ready: ['True', 'True', 'True', 'Unknown', 'Unknown', 'Unknown'], want: 'Normal' },
  };
  for (const [name, c] of Object.entries(cases)) assert.equal(zoneState(c.ready), c.want, name);
});

test('taintRate: 0.1/s normally and in full disruption; partial: 0.01/s in large zones, else 0', () => {
  assert.equal(taintRate('Normal', 3), 0.1);
  assert.equal(taintRate('FullDisruption', 3), 0.1);
  assert.equal(taintRate('PartialDisruption', 50), 0);
  assert.equal(taintRate('PartialDisruption', 51), 0.01);
});

test('zoneStates: per zone, and the all-disrupted switch', () => {
  const a = zoneStates([node('eastus-1', 'True'), node('eastus-1', 'Unknown'), node('eastus-2', 'Unknown')]);
  assert.deepEqual([...a.zones].map(([z, i]) => [z, i.state, i.size, i.rateQPS]), [
    ['eastus:\x00:eastus-1', 'Normal', 2, 0.1],
    ['eastus:\x00:eastus-2', 'FullDisruption', 1, 0.1],
  ]);
  assert.equal(a.allDisrupted, false);
  assert.equal(zoneStates([node('eastus-1', 'Unknown'), node('eastus-2', 'False')]).allDisrupted, true);
  assert.equal(zoneStates([]).allDisrupted, false);
});

test('zoneOf: region and zone labels, the beta ones as a fallback, "" without', () => {
  assert.equal(zoneOf(node('z', 'True', 'r')), 'r:\x00:z');
  assert.equal(zoneOf({ metadata: { labels: { 'failure-domain.beta.kubernetes.io/zone': 'old' } } }), ':\x00:old');
  assert.equal(zoneOf({ metadata: {} }), '');
});
