import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTrace, TraceError } from './index.js';

const POOL = 'scaleSets:\n  - name: pool\n    sku: { cpu: 2, memory: 4Gi }\n    max: 3\n';

test('parseTrace: defaults (min 0, initial = min, 2m provisioning, 110 pods, seed 1, duration = last event + 30m)', () => {
  const t = parseTrace(`${POOL}events:\n  - { at: 5m, arrive: web, count: 2, requests: { cpu: 500m }, lifetime: 10m }\n  - { at: 1m, depart: web }\n`);
  assert.deepEqual(t.scaleSets, [
    { name: 'pool', sku: { name: 'Standard_D2s_v3', cpu: '2', memory: '4Gi', pods: 110 }, min: 0, max: 3, initial: 0, provisioningDelay: 120_000, labels: {}, taints: [] },
  ]);
  assert.deepEqual(
    t.events.map((e) => [e.kind, e.at]),
    [
      ['depart', 60_000],
      ['arrive', 300_000],
    ],
    'sorted by time',
  );
  assert.equal(t.duration, 45 * 60_000);
  assert.equal(t.seed, 1);
});

test('parseTrace: options become flags in order, lists repeat', () => {
  const t = parseTrace(`options:\n  scan-interval: 30s\n  balancing-ignore-label: [a, b]\n${POOL}`);
  assert.deepEqual(t.flags, ['--scan-interval=30s', '--balancing-ignore-label=a', '--balancing-ignore-label=b']);
});

const bad: Record<string, { yaml: string; message: string }> = {
  'not YAML': { yaml: 'scaleSets: [', message: 'trace: not valid YAML: ' },
  'no scale sets': { yaml: 'events: []\n', message: 'scaleSets: must be a list of at least one scale set' },
  'an unknown top-level field': { yaml: `${POOL}evnets: []\n`, message: 'evnets: unknown field (known: duration, seed, options, scaleSets, events)' },
  'max below min': { yaml: 'scaleSets:\n  - { name: a, sku: { cpu: 2, memory: 4Gi }, min: 3, max: 2 }\n', message: 'scaleSets[0].max: must be at least min (3)' },
  'initial above max': { yaml: 'scaleSets:\n  - { name: a, sku: { cpu: 2, memory: 4Gi }, max: 2, initial: 5 }\n', message: 'scaleSets[0].initial: must be between min (0) and max (2)' },
  'a bad cpu quantity': { yaml: 'scaleSets:\n  - { name: a, sku: { cpu: two, memory: 4Gi }, max: 2 }\n', message: 'scaleSets[0].sku.cpu: must be a quantity such as 500m, 2 or 4Gi' },
  'an upper-case name': { yaml: 'scaleSets:\n  - { name: Pool, sku: { cpu: 2, memory: 4Gi }, max: 2 }\n', message: 'scaleSets[0].name: must be a lower-case name (a-z, 0-9, -), at most 50 characters' },
  'a duplicate scale set': { yaml: `${POOL}  - { name: pool, sku: { cpu: 2, memory: 4Gi }, max: 2 }\n`, message: 'scaleSets[1].name: duplicate scale set pool' },
  'a bad duration': { yaml: `${POOL}events:\n  - { at: 5 minutes, arrive: web }\n`, message: 'events[0].at: time: unknown unit " minutes" in duration "5 minutes"' },
  'a count of zero': { yaml: `${POOL}events:\n  - { at: 1m, arrive: web, count: 0 }\n`, message: 'events[0].count: must be a whole number, 1 or more' },
  'neither arrive nor depart': { yaml: `${POOL}events:\n  - { at: 1m, count: 2 }\n`, message: 'events[0]: needs arrive: <workload> or depart: <workload>' },
  'a bad request': { yaml: `${POOL}events:\n  - { at: 1m, arrive: web, requests: { memory: lots } }\n`, message: 'events[0].requests.memory: must be a quantity such as 500m, 2 or 4Gi' },
  'a bad taint effect': { yaml: 'scaleSets:\n  - { name: a, sku: { cpu: 2, memory: 4Gi }, max: 2, taints: [{ key: k, effect: Never }] }\n', message: 'scaleSets[0].taints[0].effect: must be one of NoSchedule, PreferNoSchedule, NoExecute' },
  'node groups in options': { yaml: `options: { nodes: "1:3:pool" }\n${POOL}`, message: 'options.nodes: node groups come from scaleSets' },
};

for (const [name, c] of Object.entries(bad)) {
  test(`parseTrace refuses ${name}, naming the field`, () => {
    assert.throws(
      () => parseTrace(c.yaml),
      (e: unknown) => e instanceof TraceError && e.message.startsWith(c.message) && !e.message.includes('\n'),
    );
  });
}
