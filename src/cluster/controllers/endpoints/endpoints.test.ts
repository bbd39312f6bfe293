import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service, ServicePort } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { desiredEndpoints, endpointSubsets, planEndpointSlices } from './endpoints.js';

function service(o: { ports?: ServicePort[]; headless?: boolean; publishNotReady?: boolean; labels?: Record<string, string> } = {}): Service {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'svc-uid', labels: o.labels ?? { app: 'web' } },
    spec: {
      selector: { app: 'web' },
      clusterIP: o.headless ? 'None' : '10.96.0.10',
      ports: o.ports ?? [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
      publishNotReadyAddresses: o.publishNotReady,
    },
  };
}

interface PodOpts {
  ip?: string;
  ready?: boolean;
  phase?: string;
  deleting?: boolean;
  containerPorts?: { name?: string; containerPort: number }[];
  labels?: Record<string, string>;
  node?: string;
}

function pod(name: string, o: PodOpts = {}): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: o.labels ?? { app: 'web' }, ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: { nodeName: o.node ?? 'node-1', containers: [{ name: 'c', image: 'nginx', ports: o.containerPorts ?? [{ name: 'http', containerPort: 8080 }] }] },
    status: { phase: o.phase ?? 'Running', podIP: o.ip, conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

/** Subsets as `ready|notReady|ports` lines. */
function show(svc: Service, pods: Pod[]): string[] {
  return endpointSubsets(svc, pods).map(
    (s) => `${(s.addresses ?? []).map((a) => a.ip).join(',')}|${(s.notReadyAddresses ?? []).map((a) => a.ip).join(',')}|${(s.ports ?? []).map((p) => `${p.name ?? ''}:${p.port}/${p.protocol}`).join(',')}`,
  );
}

const cases: Record<string, { svc: Service; pods: Pod[]; want: string[] }> = {
  'ready pods are addresses; a named targetPort resolves to the container port': {
    svc: service(),
    pods: [pod('a', { ip: '10.0.0.2' }), pod('b', { ip: '10.0.0.10' })],
    // sorted numerically by IP: .2 before .10
    want: ['10.0.0.2,10.0.0.10||http:8080/TCP'],
  },
  'not-ready pods are notReadyAddresses': {
    svc: service(),
    pods: [pod('a', { ip: '10.0.0.2' }), pod('b', { ip: '10.0.0.3', ready: false })],
    want: ['10.0.0.2|10.0.0.3|http:8080/TCP'],
  },
  'pods without an IP, terminal pods and terminating pods are left out': {
    svc: service(),
    pods: [pod('noip'), pod('done', { ip: '10.0.0.4', phase: 'Succeeded' }), pod('bye', { ip: '10.0.0.5', deleting: true }), pod('ok', { ip: '10.0.0.6' })],
    want: ['10.0.0.6||http:8080/TCP'],
  },
  'publishNotReadyAddresses lists unready and terminating pods as ready': {
    svc: service({ publishNotReady: true }),
    pods: [pod('a', { ip: '10.0.0.2', ready: false }), pod('b', { ip: '10.0.0.3', deleting: true })],
    want: ['10.0.0.2,10.0.0.3||http:8080/TCP'],
  },
  'a pod lacking the named port is not listed for that port': {
    svc: service({ ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }, { name: 'metrics', port: 9090, targetPort: 9100, protocol: 'TCP' }] }),
    pods: [pod('full', { ip: '10.0.0.2' }), pod('bare', { ip: '10.0.0.3', containerPorts: [] })],
    // 'bare' serves only the numeric metrics port; 'full' both → two subsets (RepackSubsets).
    want: ['10.0.0.2||http:8080/TCP,metrics:9100/TCP', '10.0.0.3||metrics:9100/TCP'],
  },
  'an absent targetPort is the service port': {
    svc: service({ ports: [{ port: 80, protocol: 'TCP' }] }),
    pods: [pod('a', { ip: '10.0.0.2' })],
    want: ['10.0.0.2||:80/TCP'],
  },
  'pods the selector does not match are ignored': {
    svc: service(),
    pods: [pod('other', { ip: '10.0.0.9', labels: { app: 'db' } })],
    want: [],
  },
  'a headless service without ports lists addresses with no ports': {
    svc: service({ headless: true, ports: [] }),
    pods: [pod('a', { ip: '10.0.0.2' })],
    want: ['10.0.0.2||'],
  },
};

for (const [name, c] of Object.entries(cases)) {
  test(`endpointSubsets: ${name}`, () => assert.deepEqual(show(c.svc, c.pods), c.want));
}

test('desiredEndpoints: addresses carry nodeName and a targetRef; labels follow the Service, plus headless', () => {
  const ep = desiredEndpoints(service({ headless: true }), [pod('a', { ip: '10.0.0.2' })]);
  assert.deepEqual(ep.metadata?.labels, { app: 'web', 'service.kubernetes.io/headless': '' });
  assert.deepEqual(ep.subsets?.[0].addresses?.[0], { ip: '10.0.0.2', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' } });
});

test('planEndpointSlices: one slice per port set, conditions, labels, owner', () => {
  const plan = planEndpointSlices(service(), [pod('a', { ip: '10.0.0.2' }), pod('b', { ip: '10.0.0.3', ready: false }), pod('c', { ip: '10.0.0.4', deleting: true })], []);
  assert.equal(plan.create.length, 1);
  const s = plan.create[0];
  assert.equal(s.metadata?.generateName, 'web-');
  assert.deepEqual(s.metadata?.labels, { app: 'web', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
  assert.deepEqual(s.metadata?.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }]);
  assert.equal(s.addressType, 'IPv4');
  assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  // Terminating pods stay in slices (terminating, serving as they were ready, not ready).
  assert.deepEqual(
    s.endpoints.map((e) => [e.addresses[0], e.conditions]),
    [
      ['10.0.0.2', { ready: true, serving: true, terminating: false }],
      ['10.0.0.3', { ready: false, serving: false, terminating: false }],
      ['10.0.0.4', { ready: false, serving: true, terminating: true }],
    ],
  );
});

test('planEndpointSlices: reuses the existing slice, deletes extras, keeps one placeholder when empty', () => {
  const first = planEndpointSlices(service(), [pod('a', { ip: '10.0.0.2' })], []).create[0];
  const existing: EndpointSlice = { ...first, metadata: { ...first.metadata, name: 'web-abcde', resourceVersion: '5' } };
  const extra: EndpointSlice = { ...first, metadata: { ...first.metadata, name: 'web-zzzzz' }, ports: [{ name: 'old', port: 1, protocol: 'TCP' }] };
  const unchanged = planEndpointSlices(service(), [pod('a', { ip: '10.0.0.2' })], [existing, extra]);
  assert.deepEqual([unchanged.create.length, unchanged.update.length, unchanged.delete.map((s) => s.metadata?.name)], [0, 0, ['web-zzzzz']]);
  const emptied = planEndpointSlices(service(), [], [existing]);
  assert.deepEqual([emptied.create.length, emptied.delete.length], [0, 0]);
  assert.equal(emptied.update[0].metadata?.name, 'web-abcde');
  assert.deepEqual([emptied.update[0].endpoints, emptied.update[0].ports], [[], []]);
});

test('planEndpointSlices: more than 100 endpoints spread over slices', () => {
  const pods = Array.from({ length: 250 }, (_, i) => pod(`p${i}`, { ip: `10.1.${Math.floor(i / 200)}.${i % 200}` }));
  const plan = planEndpointSlices(service(), pods, []);
  assert.deepEqual(plan.create.map((s) => s.endpoints.length), [100, 100, 50]);
});
