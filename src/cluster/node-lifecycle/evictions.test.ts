import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import { evictions, toleratesTaint } from './index.js';

const T0 = Date.parse('2025-01-01T00:10:00Z');
const at = (s: number): string => new Date(T0 + s * 1000).toISOString().replace('.000Z', 'Z');
const UR = 'node.kubernetes.io/unreachable';
const NR = 'node.kubernetes.io/not-ready';
const pod = (name: string, tolerations: Toleration[] = [], deleting = false): Pod => ({
  metadata: { name, namespace: 'default', ...(deleting ? { deletionTimestamp: at(0) } : {}) },
  spec: { containers: [{ name: 'c' }], tolerations },
});
/** The tolerations the API server adds to every pod. */
const DEFAULTS: Toleration[] = [
  { key: NR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: UR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

test('toleratesTaint: key, operator, value, effect', () => {
  const t: Taint = { key: 'k', value: 'v', effect: 'NoExecute' };
  const cases: Record<string, { tol: Toleration; want: boolean }> = {
    'Equal with value': { tol: { key: 'k', operator: 'Equal', value: 'v' }, want: true },
    'default operator is Equal': { tol: { key: 'k', value: 'v' }, want: true },
    'wrong value': { tol: { key: 'k', value: 'w' }, want: false },
    Exists: { tol: { key: 'k', operator: 'Exists' }, want: true },
    'Exists with no key tolerates everything': { tol: { operator: 'Exists' }, want: true },
    'effect must match when given': { tol: { key: 'k', operator: 'Exists', effect: 'NoSchedule' }, want: false },
    'other key': { tol: { key: 'x', operator: 'Exists' }, want: false },
  };
  for (const [name, c] of Object.entries(cases)) assert.equal(toleratesTaint(c.tol, t), c.want, name);
});

test('evictions: table', () => {
  const unreachable: Taint[] = [{ key: UR, effect: 'NoExecute', timeAdded: at(-1) }];
  const cases: Record<string, { taints: Taint[]; pods: Pod[]; want: [string, number][] }> = {
    'no NoExecute taint: nobody goes': { taints: [{ key: UR, effect: 'NoSchedule' }], pods: [pod('a')], want: [] },
    'no toleration: at once': { taints: unreachable, pods: [pod('a')], want: [['a', 0]] },
    'default 300 s, taint added 1 s ago: after 299 s': { taints: unreachable, pods: [pod('a', DEFAULTS)], want: [['a', 299_000]] },
    'tolerationSeconds 2, added 1 s ago: after 1 s': { taints: unreachable, pods: [pod('a', [{ key: UR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 2 }])], want: [['a', 1000]] },
    'tolerationSeconds 0: at once': { taints: unreachable, pods: [pod('a', [{ key: UR, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0 }])], want: [['a', 0]] },
    'negative seconds count as 0': { taints: unreachable, pods: [pod('a', [{ key: UR, operator: 'Exists', tolerationSeconds: -5 }])], want: [['a', 0]] },
    'time already passed: at once': { taints: [{ key: UR, effect: 'NoExecute', timeAdded: at(-400) }], pods: [pod('a', DEFAULTS)], want: [['a', 0]] },
    'forever: stays': { taints: unreachable, pods: [pod('a', [{ key: UR, operator: 'Exists', effect: 'NoExecute' }])], want: [] },
    'first matching toleration is the one used': {
      taints: unreachable,
      pods: [pod('a', [{ key: UR, operator: 'Exists' }, { key: UR, operator: 'Exists', tolerationSeconds: 1 }])],
      want: [],
    },
    'two taints: untolerated one wins': {
      taints: [...unreachable, { key: 'dedicated', value: 'x', effect: 'NoExecute', timeAdded: at(-1) }],
      pods: [pod('a', DEFAULTS)],
      want: [['a', 0]],
    },
    'two taints: the shortest deadline': {
      taints: [{ key: UR, effect: 'NoExecute', timeAdded: at(-10) }, { key: 'maint', effect: 'NoExecute', timeAdded: at(-1) }],
      pods: [pod('a', [{ key: UR, operator: 'Exists', tolerationSeconds: 60 }, { key: 'maint', operator: 'Exists', tolerationSeconds: 5 }])],
      want: [['a', 4000]],
    },
    'no timeAdded: counts from now': { taints: [{ key: UR, effect: 'NoExecute' }], pods: [pod('a', DEFAULTS)], want: [['a', 300_000]] },
    'pods being deleted are left out; soonest first': {
      taints: unreachable,
      pods: [pod('b', DEFAULTS), pod('gone', [], true), pod('a')],
      want: [['a', 0], ['b', 299_000]],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    assert.deepEqual(evictions(c.taints, c.pods, T0).map((e) => [e.pod.metadata!.name!, e.afterMs]), c.want, name);
  }
});
