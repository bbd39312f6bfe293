import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Affinity } from '@kubernetes/client-node';
import { newPodInfo, type Status } from '../framework.js';
import { makePod, nodeInfo } from '../testing.js';
import { nodeAffinity, requirementMatches } from './node-affinity.js';

const REJECT: Status = { code: 'UnschedulableAndUnresolvable', reasons: ["node(s) didn't match Pod's node affinity/selector"], plugin: 'NodeAffinity' };

test('node selector requirement operators', () => {
  const labels = { zone: 'a', cores: '16', name: 'x' };
  const cases: Array<[string, string[] | undefined, boolean]> = [
    ['In', ['a', 'b'], true],
    ['In', ['b'], false],
    ['NotIn', ['b'], true],
    ['NotIn', ['a'], false],
    ['Exists', undefined, true],
    ['DoesNotExist', undefined, false],
    ['Gt', ['8'], true], // 16 > 8
    ['Gt', ['16'], false],
    ['Lt', ['32'], true],
    ['Lt', ['x'], false], // not an integer
  ];
  for (const [operator, values, want] of cases) {
    const key = operator === 'Gt' || operator === 'Lt' ? 'cores' : 'zone';
    assert.equal(requirementMatches({ key, operator, values }, labels), want, `${key} ${operator} ${values}`);
  }
  // A missing label: NotIn and DoesNotExist match, the others do not.
  assert.equal(requirementMatches({ key: 'gpu', operator: 'NotIn', values: ['x'] }, labels), true);
  assert.equal(requirementMatches({ key: 'gpu', operator: 'DoesNotExist' }, labels), true);
  assert.equal(requirementMatches({ key: 'gpu', operator: 'Gt', values: ['1'] }, labels), false);
});

test('nodeSelector and required node affinity', () => {
  const node = nodeInfo({ name: 'n1', labels: { 'topology.kubernetes.io/zone': 'zone-a', disk: 'ssd' } });
  const required = (terms: NonNullable<V1Affinity['nodeAffinity']>['requiredDuringSchedulingIgnoredDuringExecution']): V1Affinity => ({
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms },
  });
  const cases: Record<string, { pod: Parameters<typeof makePod>[0]; ok: boolean }> = {
    'no constraints': { pod: { name: 'p' }, ok: true },
    'nodeSelector matches': { pod: { name: 'p', nodeSelector: { disk: 'ssd' } }, ok: true },
    'nodeSelector value differs': { pod: { name: 'p', nodeSelector: { disk: 'hdd' } }, ok: false },
    'nodeSelector label missing': { pod: { name: 'p', nodeSelector: { gpu: 'true' } }, ok: false },
    'terms are ORed': {
      pod: {
        name: 'p',
        affinity: required({
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'disk', operator: 'In', values: ['hdd'] }] },
            { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: ['zone-a'] }] },
          ],
        }),
      },
      ok: true,
    },
    'expressions are ANDed': {
      pod: {
        name: 'p',
        affinity: required({
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'Exists' }, { key: 'topology.kubernetes.io/zone', operator: 'NotIn', values: ['zone-a'] }] }],
        }),
      },
      ok: false,
    },
    'an empty term matches nothing': { pod: { name: 'p', affinity: required({ nodeSelectorTerms: [{}] }) }, ok: false },
    'matchFields metadata.name': {
      pod: { name: 'p', affinity: required({ nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] }) },
      ok: true,
    },
    'matchFields other name': {
      pod: { name: 'p', affinity: required({ nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['n1'] }] }] }) },
      ok: false,
    },
    'nodeSelector and affinity must both match': {
      pod: { name: 'p', nodeSelector: { disk: 'hdd' }, affinity: required({ nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'Exists' }] }] }) },
      ok: false,
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    const state = new Map<string, unknown>();
    const pod = newPodInfo(makePod(c.pod));
    nodeAffinity.preFilter(state, pod);
    assert.deepEqual(nodeAffinity.filter(state, pod, node), c.ok ? { code: 'Success' } : REJECT, name);
  }
});

test('preferred node affinity: matched weights, scaled to the best node', () => {
  const a = nodeInfo({ name: 'a', labels: { zone: 'z1', disk: 'ssd' } });
  const b = nodeInfo({ name: 'b', labels: { zone: 'z1' } });
  const c = nodeInfo({ name: 'c', labels: { zone: 'z2' } });
  const pod = newPodInfo(
    makePod({
      name: 'p',
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 20, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] } },
            { weight: 60, preference: { matchExpressions: [{ key: 'disk', operator: 'In', values: ['ssd'] }] } },
          ],
        },
      },
    }),
  );
  const state = new Map<string, unknown>();
  // a: 20 + 60 = 80, b: 20, c: 0 → ×100/80: 100, 25, 0.
  const scores = [a, b, c].map((n) => ({ name: n.name, score: nodeAffinity.score(state, pod, n) }));
  assert.deepEqual(scores.map((s) => s.score), [80, 20, 0]);
  nodeAffinity.normalizeScore(state, pod, scores);
  assert.deepEqual(scores.map((s) => s.score), [100, 25, 0]);
  assert.equal(nodeAffinity.preScore(state, newPodInfo(makePod({ name: 'plain' }))).code, 'Skip');
});
