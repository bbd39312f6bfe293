import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { admit, podRequests, type Resources } from './index.js';

const pod = (containers: Record<string, string>[], init: { req: Record<string, string>; sidecar?: boolean }[] = [], overhead?: Record<string, string>): Pod => ({
  metadata: { name: 'p', namespace: 'default' },
  spec: {
    containers: containers.map((requests, i) => ({ name: `c${i}`, image: 'nginx', resources: { requests } })),
    initContainers: init.map((c, i) => ({ name: `i${i}`, image: 'busybox', resources: { requests: c.req }, ...(c.sidecar ? { restartPolicy: 'Always' } : {}) })),
    ...(overhead ? { overhead } : {}),
  },
});

test('podRequests: containers summed, init containers as a floor, sidecars added, overhead added', () => {
  const cases: Record<string, { pod: Pod; want: Partial<Resources> }> = {
    'one container': { pod: pod([{ cpu: '500m', memory: '128Mi' }]), want: { cpu: 500, memory: 128 * 2 ** 20, pods: 1 } },
    'two containers add up': { pod: pod([{ cpu: '250m' }, { cpu: '1' }]), want: { cpu: 1250 } },
    'a larger init container wins': { pod: pod([{ cpu: '100m' }], [{ req: { cpu: '2' } }]), want: { cpu: 2000 } },
    'a sidecar adds to the containers': { pod: pod([{ cpu: '100m' }], [{ req: { cpu: '200m' }, sidecar: true }]), want: { cpu: 300 } },
    'overhead is added': { pod: pod([{ cpu: '100m' }], [], { cpu: '250m' }), want: { cpu: 350 } },
    'no requests': { pod: pod([{}]), want: { cpu: 0, memory: 0, pods: 1 } },
  };
  for (const [name, c] of Object.entries(cases)) {
    const got = podRequests(c.pod);
    for (const [k, v] of Object.entries(c.want)) assert.equal(got[k as keyof Resources], v, `${name}: ${k}`);
  }
});

test('admit: kubelet rejects with OutOf<resource> and its message', () => {
  const alloc: Resources = { cpu: 4000, memory: 8 * 2 ** 30, 'ephemeral-storage': 10 * 2 ** 30, pods: 3 };
  const r = (cpu: number, memory = 0): Resources => ({ cpu, memory, 'ephemeral-storage': 0, pods: 1 });
  const cases: Record<string, { req: Resources; used: Resources; want?: { reason: string; message: string } }> = {
    fits: { req: r(1000), used: { ...r(3000), pods: 2 } },
    'cpu over': {
      req: r(2000),
      used: { ...r(3500), pods: 1 },
      want: { reason: 'OutOfcpu', message: "Pod was rejected: Node didn't have enough resource: cpu, requested: 2000, used: 3500, capacity: 4000" },
    },
    'pods over first': {
      req: r(9000),
      used: { ...r(0), pods: 3 },
      want: { reason: 'OutOfpods', message: "Pod was rejected: Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3" },
    },
    'memory over': { req: r(0, 9 * 2 ** 30), used: { ...r(0), pods: 0 }, want: { reason: 'OutOfmemory', message: `Pod was rejected: Node didn't have enough resource: memory, requested: ${9 * 2 ** 30}, used: 0, capacity: ${8 * 2 ** 30}` } },
  };
  for (const [name, c] of Object.entries(cases)) assert.deepEqual(admit(c.req, c.used, alloc), c.want, name);
});
