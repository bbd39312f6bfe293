import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, NodeCondition, Taint } from 'kubernetes-types/core/v1.js';
import { decide, type NodeDecision, type NoExecuteGate } from './index.js';

const T0 = Date.parse('2025-01-01T00:10:00Z');
const at = (s: number): string => new Date(T0 + s * 1000).toISOString().replace('.000Z', 'Z');
const config = { gracePeriodMs: 50_000, startupGracePeriodMs: 60_000 };

const KUBELET = [
  ['MemoryPressure', 'False'],
  ['DiskPressure', 'False'],
  ['PIDPressure', 'False'],
] as const;

/** A node whose kubelet last posted `ready` at `heartbeat` seconds (relative to T0). */
function node(o: { ready?: string | null; heartbeat?: number; taints?: Taint[]; unschedulable?: boolean; extra?: NodeCondition[]; created?: number } = {}): Node {
  const hb = at(o.heartbeat ?? -5);
  const conditions: NodeCondition[] =
    o.ready === null
      ? []
      : [
          ...KUBELET.map(([type, status]) => ({ type, status: o.ready === 'Unknown' ? 'Unknown' : status, reason: 'Kubelet', lastHeartbeatTime: hb, lastTransitionTime: at(-600) })),
          { type: 'Ready', status: o.ready ?? 'True', reason: 'KubeletReady', lastHeartbeatTime: hb, lastTransitionTime: at(-600) },
          ...(o.extra ?? []),
        ];
  return {
    metadata: { name: 'node-1', creationTimestamp: at(o.created ?? -600) },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { conditions },
  };
}
const lease = (renewed: number): Lease => ({ metadata: { name: 'node-1', namespace: 'kube-node-lease' }, spec: { renewTime: new Date(T0 + renewed * 1000).toISOString() } });
const taint = (key: string, effect: string, added = -30): Taint => ({ key, effect, timeAdded: at(added) });
const UR = 'node.kubernetes.io/unreachable';
const NR = 'node.kubernetes.io/not-ready';

const summary = (d: NodeDecision) => ({
  ready: d.ready,
  taints: d.taints.map((t) => `${t.key}:${t.effect}`),
  conditionsChanged: d.conditionsChanged,
  taintsChanged: d.taintsChanged,
  becameUnknown: d.becameUnknown,
  freshNoExecute: d.freshNoExecute,
});

test('decide: table', () => {
  const cases: Record<string, { node: Node; lease?: Lease; gate?: NoExecuteGate; since?: number; want: Partial<ReturnType<typeof summary>> & { recheck?: number } }> = {
    'healthy: lease renewed 5 s ago': {
      node: node({ heartbeat: -200 }),
      lease: lease(-5),
      want: { ready: 'True', taints: [], conditionsChanged: false, taintsChanged: false, recheck: 45_001 },
    },
    'status heartbeat alone keeps it healthy (no lease)': {
      node: node({ heartbeat: -10 }),
      want: { ready: 'True', conditionsChanged: false, recheck: 40_001 },
    },
    'exactly at the grace period: not yet': {
      node: node({ heartbeat: -200 }),
      lease: lease(-50),
      want: { ready: 'True', conditionsChanged: false, recheck: 1 },
    },
    'lease 51 s old: Unknown, unreachable NoSchedule and NoExecute': {
      node: node({ heartbeat: -200 }),
      lease: lease(-51),
      want: { ready: 'Unknown', taints: [`${UR}:NoSchedule`, `${UR}:NoExecute`], conditionsChanged: true, taintsChanged: true, becameUnknown: true, freshNoExecute: true, recheck: undefined },
    },
    'already Unknown and tainted: nothing to do': {
      node: node({ ready: 'Unknown', heartbeat: -200, taints: [taint(UR, 'NoSchedule'), taint(UR, 'NoExecute')] }),
      lease: lease(-120),
      want: { ready: 'Unknown', conditionsChanged: false, taintsChanged: false, becameUnknown: false, freshNoExecute: false },
    },
    'Unknown, kubelet back (fresh lease) but status not yet posted: stays Unknown': {
      node: node({ ready: 'Unknown', heartbeat: -200, taints: [taint(UR, 'NoSchedule'), taint(UR, 'NoExecute')] }),
      lease: lease(-1),
      want: { ready: 'Unknown', conditionsChanged: false, taintsChanged: false },
    },
    'Ready again: the taints go': {
      node: node({ ready: 'True', heartbeat: -1, taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }, taint(UR, 'NoSchedule'), taint(UR, 'NoExecute')] }),
      lease: lease(-1),
      want: { ready: 'True', taints: ['dedicated:NoSchedule'], taintsChanged: true, conditionsChanged: false },
    },
    'kubelet reports Ready=False: not-ready taints': {
      node: node({ ready: 'False', heartbeat: -1 }),
      lease: lease(-1),
      want: { ready: 'False', taints: [`${NR}:NoSchedule`, `${NR}:NoExecute`], freshNoExecute: true, conditionsChanged: false },
    },
    'unreachable → not-ready is a swap, not rate-limited': {
      node: node({ ready: 'False', heartbeat: -1, taints: [taint(UR, 'NoSchedule'), taint(UR, 'NoExecute')] }),
      lease: lease(-1),
      gate: 'defer',
      want: { taints: [`${NR}:NoSchedule`, `${NR}:NoExecute`], freshNoExecute: false },
    },
    'gate defer: NoSchedule now, NoExecute later': {
      node: node({ heartbeat: -200 }),
      lease: lease(-60),
      gate: 'defer',
      want: { ready: 'Unknown', taints: [`${UR}:NoSchedule`], freshNoExecute: true },
    },
    'gate disrupted: NoExecute taints removed, none added': {
      node: node({ ready: 'Unknown', heartbeat: -200, taints: [taint(UR, 'NoSchedule'), taint(UR, 'NoExecute')] }),
      lease: lease(-120),
      gate: 'disrupted',
      want: { taints: [`${UR}:NoSchedule`], taintsChanged: true, freshNoExecute: false },
    },
    'never posted status: startup grace from creation, then NodeStatusNeverUpdated': {
      node: node({ ready: null, created: -61 }),
      want: { ready: 'Unknown', taints: [`${UR}:NoSchedule`, `${UR}:NoExecute`], conditionsChanged: true, becameUnknown: false },
    },
    'never posted status, within startup grace': {
      node: node({ ready: null, created: -30 }),
      want: { ready: undefined, taints: [], conditionsChanged: false, recheck: 30_001 },
    },
    'pressure and unschedulable taints follow conditions and spec': {
      node: node({ heartbeat: -1, unschedulable: true, extra: [{ type: 'NetworkUnavailable', status: 'True' }] }),
      lease: lease(-1),
      want: { taints: ['node.kubernetes.io/network-unavailable:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule'] },
    },
    'a restarted controller gives a full grace period': {
      node: node({ heartbeat: -300 }),
      lease: lease(-300),
      since: T0 - 10_000,
      want: { ready: 'True', conditionsChanged: false, recheck: 40_001 },
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    const d = decide(c.node, c.lease, T0, config, { gate: c.gate, watchingSince: c.since });
    const { recheck, ...want } = c.want;
    const got = summary(d);
    for (const [k, v] of Object.entries(want)) assert.deepEqual(got[k as keyof typeof got], v, `${name}: ${k}`);
    if ('recheck' in c.want) assert.equal(d.recheckAfterMs, recheck, `${name}: recheckAfterMs`);
  }
});

test('decide: Unknown conditions carry kube’s reason, message and times', () => {
  const d = decide(node({ heartbeat: -200 }), lease(-60), T0, config);
  const ready = d.conditions.find((c) => c.type === 'Ready')!;
  assert.deepEqual(ready, {
    type: 'Ready',
    status: 'Unknown',
    reason: 'NodeStatusUnknown',
    message: 'Kubelet stopped posting node status.',
    lastHeartbeatTime: at(-200),
    lastTransitionTime: at(0),
  });
  assert.deepEqual(d.conditions.map((c) => `${c.type}=${c.status}`), ['MemoryPressure=Unknown', 'DiskPressure=Unknown', 'PIDPressure=Unknown', 'Ready=Unknown']);
  assert.deepEqual(d.taints.map((t) => t.timeAdded), [at(0), at(0)]);
  const never = decide(node({ ready: null, created: -61 }), undefined, T0, config).conditions.find((c) => c.type === 'Ready')!;
  assert.deepEqual([never.reason, never.message, never.lastHeartbeatTime], ['NodeStatusNeverUpdated', 'Kubelet never posted node status.', at(-61)]);
});

test('decide: taints kept keep their timeAdded; others’ taints keep their place', () => {
  const t = [{ key: 'a', effect: 'NoExecute' }, taint(UR, 'NoSchedule', -100), { key: 'b', effect: 'PreferNoSchedule' }];
  const d = decide(node({ ready: 'Unknown', heartbeat: -200, taints: t }), lease(-120), T0, config);
  assert.deepEqual(d.taints, [...t, { key: UR, effect: 'NoExecute', timeAdded: at(0) }]);
});
