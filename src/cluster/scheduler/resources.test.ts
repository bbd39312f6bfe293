import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intValue, isScalarResourceName, milliValue, podRequests } from './resources.js';
import { container, makePod } from './testing.js';

test('quantities round up as MilliValue() and Value() do', () => {
  const milli: Record<string, number> = { '100m': 100, '0.1': 100, '1': 1000, '1.5': 1500, '2500m': 2500, '1u': 1 };
  for (const [q, want] of Object.entries(milli)) assert.equal(milliValue(q), want, q);
  const ints: Record<string, number> = { '1Ki': 1024, '128Mi': 134217728, '1G': 1e9, '1.5': 2, '500m': 1, '1e3': 1000 };
  for (const [q, want] of Object.entries(ints)) assert.equal(intValue(q), want, q);
  assert.equal(milliValue('not-a-quantity'), 0);
});

test('scalar resource names', () => {
  const cases: Record<string, boolean> = {
    'example.com/gpu': true,
    'nvidia.com/gpu': true,
    'hugepages-2Mi': true,
    'attachable-volumes-aws-ebs': true,
    cpu: false,
    'kubernetes.io/something': false,
    'requests.example.com/gpu': false,
  };
  for (const [name, want] of Object.entries(cases)) assert.equal(isScalarResourceName(name), want, name);
});

test('pod requests: containers summed, init containers as a floor, sidecars, overhead', () => {
  const cases: Record<string, { pod: Parameters<typeof makePod>[0]; want: { milliCPU: number; memory: number }; nonZero?: { milliCPU: number; memory: number } }> = {
    // 2 + 1 = 3 cpu; 1G + 1G = 2G. The init containers run first, one at a time: max(2, 2) cpu, max(1G, 3G) memory.
    // → cpu max(3, 2) = 3, memory max(2G, 3G) = 3G (the example in kube's computePodResourceRequest).
    'kube example': {
      pod: {
        name: 'p',
        containers: [container('c1', { cpu: '2', memory: '1G' }), container('c2', { cpu: '1', memory: '1G' })],
        initContainers: [container('i1', { cpu: '2', memory: '1G' }), container('i2', { cpu: '2', memory: '3G' })],
      },
      want: { milliCPU: 3000, memory: 3e9 },
    },
    // A sidecar (restartPolicy Always) runs beside the containers: 1 + 0.5 = 1.5 cpu. The init container after it
    // needs 2 + 0.5 (the sidecar is already running) = 2.5 cpu > 1.5.
    'sidecar before an init container': {
      pod: {
        name: 'p',
        containers: [container('app', { cpu: '1' })],
        initContainers: [container('sidecar', { cpu: '500m' }, { restartPolicy: 'Always' }), container('migrate', { cpu: '2' })],
      },
      want: { milliCPU: 2500, memory: 0 },
      // nonZero: app 1000m + sidecar 500m = 1500m, migrate 2000m + 500m = 2500m → 2500m; memory defaults
      // 200Mi each: containers 200Mi + sidecar 200Mi = 400Mi; migrate 200Mi + sidecar 200Mi = 400Mi.
      nonZero: { milliCPU: 2500, memory: 400 * 2 ** 20 },
    },
    // 250m + 100m overhead; 64Mi + 32Mi.
    overhead: { pod: { name: 'p', cpu: '250m', memory: '64Mi', overhead: { cpu: '100m', memory: '32Mi' } }, want: { milliCPU: 350, memory: 96 * 2 ** 20 } },
    // No requests: 0 for the fit filter, 100m / 200Mi per container for the scorers.
    'best effort': { pod: { name: 'p' }, want: { milliCPU: 0, memory: 0 }, nonZero: { milliCPU: 100, memory: 200 * 2 ** 20 } },
  };
  for (const [name, c] of Object.entries(cases)) {
    const pod = makePod(c.pod);
    const r = podRequests(pod);
    assert.deepEqual({ milliCPU: r.milliCPU, memory: r.memory }, c.want, name);
    if (c.nonZero) {
      const nz = podRequests(pod, { nonMissing: true });
      assert.deepEqual({ milliCPU: nz.milliCPU, memory: nz.memory }, c.nonZero, name);
    }
  }
});
