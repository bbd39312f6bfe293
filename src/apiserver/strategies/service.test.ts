import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatusError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { ResourceType } from '../../apimachinery/resource-type.js';
import { SqliteBackend } from '../../storage/index.js';
import { BUILTIN_RESOURCES } from '../builtin-resources.js';
import { ResourceRegistry } from '../registry.js';
import { Store } from '../store.js';
import { builtinStrategies, DEFAULT_SERVICE_NETWORK, reserveExisting, ServiceAllocators } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'flotilla-service-test-'));
const backends: SqliteBackend[] = [];
after(async () => {
  for (const b of backends) await b.close();
  rmSync(dir, { recursive: true, force: true });
});

const registry = new ResourceRegistry(BUILTIN_RESOURCES);
const SERVICES = registry.lookup('', 'v1', 'services') as ResourceType;
const NAMESPACES = registry.lookup('', 'v1', 'namespaces') as ResourceType;

/** A store with its own SQLite file and allocators, and namespace `ns`. */
async function setup(): Promise<{ store: Store; backend: SqliteBackend; path: string }> {
  const path = join(dir, `${backends.length}.db`);
  const backend = SqliteBackend.open(path);
  backends.push(backend);
  const store = new Store(backend, builtinStrategies(new ServiceAllocators()));
  await store.create(NAMESPACES, undefined, { metadata: { name: 'ns' } });
  return { store, backend, path };
}

function service(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec },
  };
}

const ipToNumber = (ip: string) => ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
function inServiceCidr(ip: string): boolean {
  const n = ipToNumber(ip);
  // 10.43.0.0/16 without its network and broadcast addresses.
  return /^10\.43\.\d+\.\d+$/.test(ip) && n > ipToNumber('10.43.0.0') && n < ipToNumber('10.43.255.255');
}

async function rejects(promise: Promise<unknown>): Promise<StatusError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof StatusError, `expected a StatusError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the request to fail');
}

test('a service gets kube defaults', async () => {
  const { store } = await setup();
  const svc = await store.create(SERVICES, 'ns', service('web', { ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443, targetPort: 8443 }] }));
  assert.equal(svc.spec.type, 'ClusterIP');
  assert.equal(svc.spec.sessionAffinity, 'None');
  assert.deepEqual(svc.spec.ipFamilies, ['IPv4']);
  assert.equal(svc.spec.ipFamilyPolicy, 'SingleStack');
  assert.equal(svc.spec.internalTrafficPolicy, 'Cluster');
  assert.deepEqual(svc.spec.ports, [
    { name: 'http', port: 80, protocol: 'TCP', targetPort: 80 },
    { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 },
  ]);
  assert.deepEqual(svc.status, { loadBalancer: {} });
  const nodePort = await store.create(SERVICES, 'ns', service('np', { type: 'NodePort' }));
  assert.equal(nodePort.spec.externalTrafficPolicy, 'Cluster');
});

test('cluster IPs come from 10.43.0.0/16 and are unique', async () => {
  const { store } = await setup();
  const ips = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const svc = await store.create(SERVICES, 'ns', service(`s${i}`));
    assert.ok(inServiceCidr(svc.spec.clusterIP), `${svc.spec.clusterIP} is in 10.43.0.0/16`);
    assert.deepEqual(svc.spec.clusterIPs, [svc.spec.clusterIP]);
    ips.add(svc.spec.clusterIP);
  }
  assert.equal(ips.size, 20);
  assert.equal(new ServiceAllocators(DEFAULT_SERVICE_NETWORK).apiServerIp, '10.43.0.1');

  const chosen = await store.create(SERVICES, 'ns', service('chosen', { clusterIP: '10.43.200.7' }));
  assert.equal(chosen.spec.clusterIP, '10.43.200.7');
  assert.deepEqual(chosen.spec.clusterIPs, ['10.43.200.7']);

  const headless = await store.create(SERVICES, 'ns', service('headless', { clusterIP: 'None' }));
  assert.equal(headless.spec.clusterIP, 'None');
});

test('a requested cluster IP outside the range or in use is 422 on spec.clusterIPs', async () => {
  const { store } = await setup();
  const outside = await rejects(store.create(SERVICES, 'ns', service('out', { clusterIP: '10.0.0.5' })));
  assert.equal(outside.code, 422);
  assert.equal(outside.reason, 'Invalid');
  assert.deepEqual(outside.details?.causes?.map((c) => c.field), ['spec.clusterIPs']);
  assert.match(
    outside.message,
    /^Service "out" is invalid: spec\.clusterIPs: Invalid value: .*: failed to allocate IP 10\.0\.0\.5: the provided IP \(10\.0\.0\.5\) is not in the valid range\. The range of valid IPs is 10\.43\.0\.0\/16$/,
  );

  await store.create(SERVICES, 'ns', service('first', { clusterIP: '10.43.1.1' }));
  const taken = await rejects(store.create(SERVICES, 'ns', service('second', { clusterIP: '10.43.1.1' })));
  assert.equal(taken.code, 422);
  assert.deepEqual(taken.details?.causes?.map((c) => c.field), ['spec.clusterIPs']);
  assert.match(taken.message, /failed to allocate IP 10\.43\.1\.1: provided IP is already allocated$/);
  await assert.rejects(store.get(SERVICES, 'ns', 'second'));
});

test('NodePort services get a port in 30000-32767 for each service port', async () => {
  const { store } = await setup();
  const svc = await store.create(
    SERVICES,
    'ns',
    service('np', { type: 'NodePort', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] }),
  );
  const ports: number[] = svc.spec.ports.map((p: { nodePort: number }) => p.nodePort);
  for (const p of ports) assert.ok(Number.isInteger(p) && p >= 30000 && p <= 32767, `nodePort ${p}`);
  assert.equal(new Set(ports).size, 2);
  const lb = await store.create(SERVICES, 'ns', service('lb', { type: 'LoadBalancer' }));
  assert.ok(lb.spec.ports[0].nodePort >= 30000 && lb.spec.ports[0].nodePort <= 32767);
  assert.ok(!ports.includes(lb.spec.ports[0].nodePort));
  const plain = await store.create(SERVICES, 'ns', service('plain'));
  assert.equal(plain.spec.ports[0].nodePort, undefined);
});

test('a nodePort already in use is 422 "provided port is already allocated"', async () => {
  const { store } = await setup();
  await store.create(SERVICES, 'ns', service('a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
  const err = await rejects(store.create(SERVICES, 'ns', service('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })));
  assert.equal(err.code, 422);
  assert.equal(err.reason, 'Invalid');
  assert.equal(err.message, 'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
  await assert.rejects(store.get(SERVICES, 'ns', 'b'));
  const outOfRange = await rejects(store.create(SERVICES, 'ns', service('c', { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] })));
  assert.equal(outOfRange.code, 422);
  assert.equal(
    outOfRange.message,
    'Service "c" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
  );
});

test('clusterIP may not change, and is kept when an update leaves it out', async () => {
  const { store } = await setup();
  const svc = await store.create(SERVICES, 'ns', service('web', { type: 'NodePort' }));
  const err = await rejects(
    store.update(SERVICES, 'ns', 'web', (cur) => ({ ...cur!, spec: { ...cur!.spec, clusterIP: '10.43.99.99' } })),
  );
  assert.equal(err.code, 422);
  assert.equal(err.reason, 'Invalid');
  assert.deepEqual(err.details?.causes?.map((c) => c.field), ['spec.clusterIPs[0]']);
  assert.match(err.message, /may not change once set$/);

  // A replace built from the manifest (no clusterIP, no nodePort) keeps what was allocated.
  const { object } = await store.update(SERVICES, 'ns', 'web', () => service('web', { type: 'NodePort', selector: { app: 'other' } }));
  assert.equal(object.spec.clusterIP, svc.spec.clusterIP);
  assert.deepEqual(object.spec.clusterIPs, svc.spec.clusterIPs);
  assert.equal(object.spec.ports[0].nodePort, svc.spec.ports[0].nodePort);
  assert.deepEqual(object.spec.selector, { app: 'other' });
});

test('deleting a service frees its cluster IP and node ports', async () => {
  const { store } = await setup();
  await store.create(SERVICES, 'ns', service('a', { type: 'NodePort', clusterIP: '10.43.5.5', ports: [{ port: 80, nodePort: 30080 }] }));
  await store.delete(SERVICES, 'ns', 'a');
  const b = await store.create(SERVICES, 'ns', service('b', { type: 'NodePort', clusterIP: '10.43.5.5', ports: [{ port: 80, nodePort: 30080 }] }));
  assert.equal(b.spec.clusterIP, '10.43.5.5');
  assert.equal(b.spec.ports[0].nodePort, 30080);
});

test('a failed create frees what it allocated', async () => {
  const { store } = await setup();
  await store.create(SERVICES, 'ns', service('dup', { type: 'NodePort' }));
  // AlreadyExists comes from storage, after allocation: the port and IP must be given back.
  await rejects(store.create(SERVICES, 'ns', service('dup', { type: 'NodePort', clusterIP: '10.43.7.7', ports: [{ port: 80, nodePort: 30777 }] })));
  const again = await store.create(
    SERVICES,
    'ns',
    service('other', { type: 'NodePort', clusterIP: '10.43.7.7', ports: [{ port: 80, nodePort: 30777 }] }),
  );
  assert.equal(again.spec.clusterIP, '10.43.7.7');
  // A dry run reserves nothing either.
  await store.create(SERVICES, 'ns', service('dry', { type: 'NodePort', clusterIP: '10.43.8.8', ports: [{ port: 80, nodePort: 30888 }] }), {
    dryRun: true,
  });
  await store.create(SERVICES, 'ns', service('real', { type: 'NodePort', clusterIP: '10.43.8.8', ports: [{ port: 80, nodePort: 30888 }] }));
});

test('after a restart, reserveExisting keeps stored IPs and ports from being handed out again', async () => {
  const { store, backend: before, path } = await setup();
  const first = await store.create(SERVICES, 'ns', service('a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
  await before.close();

  // A restarted server: new allocators over the same data.
  const backend = SqliteBackend.open(path);
  backends.push(backend);
  const alloc = new ServiceAllocators();
  const restarted = new Store(backend, builtinStrategies(alloc));
  reserveExisting(alloc, (await restarted.list(SERVICES, undefined)).items.map((i) => i.object));

  const dupPort = await rejects(restarted.create(SERVICES, 'ns', service('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })));
  assert.equal(dupPort.code, 422);
  assert.match(dupPort.message, /provided port is already allocated$/);
  const dupIp = await rejects(restarted.create(SERVICES, 'ns', service('c', { clusterIP: first.spec.clusterIP })));
  assert.equal(dupIp.code, 422);
  assert.match(dupIp.message, /provided IP is already allocated$/);
  const fresh = await restarted.create(SERVICES, 'ns', service('d', { type: 'NodePort' }));
  assert.notEqual(fresh.spec.clusterIP, first.spec.clusterIP);
  assert.notEqual(fresh.spec.ports[0].nodePort, 30080);
});
