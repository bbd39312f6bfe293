import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from './index.js';
import { DAY, HOUR, MIN, ago, cells, obj, print } from './fixtures.js';

// ---------------------------------------------------------------------------------------------
// Node

function node(name: string, n: { labels?: Record<string, string>; ready?: 'True' | 'False' | 'Unknown'; unschedulable?: boolean; addresses?: Array<[string, string]> } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, creationTimestamp: ago(12 * DAY), labels: { 'kubernetes.io/hostname': name, ...n.labels } },
    spec: n.unschedulable ? { unschedulable: true } : {},
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False' },
        ...(n.ready ? [{ type: 'Ready', status: n.ready, reason: 'KubeletReady' }] : []),
      ],
      addresses: (n.addresses ?? [['InternalIP', '172.18.0.2'], ['Hostname', name]]).map(([type, address]) => ({ type, address })),
      nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.8.0-45-generic', containerRuntimeVersion: 'containerd://1.7.24' },
    },
  };
}

test('node: NotReady, cordoned control plane', () => {
  const n = node('cp-1', { labels: { 'node-role.kubernetes.io/control-plane': '' }, ready: 'False', unschedulable: true });
  assert.deepEqual(print('', 'Node', n), { headers: ['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION'], cells: ['cp-1', 'NotReady,SchedulingDisabled', 'control-plane', '12d', 'v1.32.0'] });
  assert.deepEqual(print('', 'Node', n, { wide: true }).headers.slice(5), ['INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
  assert.deepEqual(cells('', 'Node', n).slice(5), ['172.18.0.2', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.8.0-45-generic', 'containerd://1.7.24']);
});

const nodeCases: Record<string, { node: KubeObject; status: string; roles: string }> = {
  'ready worker without roles': { node: node('w-1', { ready: 'True' }), status: 'Ready', roles: '<none>' },
  'no Ready condition yet': { node: node('w-2'), status: 'Unknown', roles: '<none>' },
  'Ready unknown reads NotReady': { node: node('w-3', { ready: 'Unknown' }), status: 'NotReady', roles: '<none>' },
  'roles are sorted and merged with kubernetes.io/role': {
    node: node('w-4', { ready: 'True', labels: { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/ingress': 'true', 'kubernetes.io/role': 'edge', 'node-role.kubernetes.io/': '' } }),
    status: 'Ready',
    roles: 'edge,ingress,worker',
  },
};

for (const [name, { node: n, status, roles }] of Object.entries(nodeCases)) {
  test(`node: ${name}`, () => assert.deepEqual(cells('', 'Node', n).slice(1, 3), [status, roles]));
}

test('node: empty node info shows <unknown>, external IP when present', () => {
  const n = node('w-5', { ready: 'True', addresses: [['ExternalIP', '203.0.113.9'], ['InternalIP', '10.0.0.5']] });
  n.status.nodeInfo = {};
  assert.deepEqual(cells('', 'Node', n).slice(4), ['', '10.0.0.5', '203.0.113.9', '<unknown>', '<unknown>', '<unknown>']);
});

// ---------------------------------------------------------------------------------------------
// Service

function service(name: string, spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject {
  return obj(name, { apiVersion: 'v1', kind: 'Service', spec, status });
}

const serviceCases: Record<string, { svc: KubeObject; want: unknown[] }> = {
  'ClusterIP with two ports': {
    svc: service('api', { type: 'ClusterIP', clusterIP: '10.96.12.4', clusterIPs: ['10.96.12.4'], ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { tier: 'api', app: 'shop' } }),
    want: ['api', 'ClusterIP', '10.96.12.4', '<none>', '80/TCP,53/UDP', '5m', 'app=shop,tier=api'],
  },
  'NodePort': {
    svc: service('web', { type: 'NodePort', clusterIP: '10.96.0.20', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }], selector: { app: 'web' } }),
    want: ['web', 'NodePort', '10.96.0.20', '<none>', '80:30080/TCP', '5m', 'app=web'],
  },
  'LoadBalancer still pending': {
    svc: service('lb', { type: 'LoadBalancer', clusterIP: '10.96.0.30', ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }], selector: { app: 'lb' } }, { loadBalancer: {} }),
    want: ['lb', 'LoadBalancer', '10.96.0.30', '<pending>', '443:31443/TCP', '5m', 'app=lb'],
  },
  'LoadBalancer with ingress points (sorted, IP over hostname)': {
    svc: service('lb2', { type: 'LoadBalancer', clusterIP: '10.96.0.31', ports: [{ port: 80, nodePort: 32000 }] }, {
      loadBalancer: { ingress: [{ ip: '198.51.100.7', hostname: 'ignored.example.com' }, { hostname: 'a.example.com' }, { ip: '198.51.100.7' }] },
    }),
    want: ['lb2', 'LoadBalancer', '10.96.0.31', '198.51.100.7,a.example.com', '80:32000/TCP', '5m', '<none>'],
  },
  'LoadBalancer with external IPs too': {
    svc: service('lb3', { type: 'LoadBalancer', clusterIP: '10.96.0.32', externalIPs: ['192.0.2.1'], ports: [] }, { loadBalancer: { ingress: [{ ip: '198.51.100.8' }] } }),
    want: ['lb3', 'LoadBalancer', '10.96.0.32', '198.51.100.8,192.0.2.1', '<none>', '5m', '<none>'],
  },
  'headless': {
    svc: service('db', { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 5432, protocol: 'TCP' }], selector: { app: 'db' } }),
    want: ['db', 'ClusterIP', 'None', '<none>', '5432/TCP', '5m', 'app=db'],
  },
  'ExternalName': {
    svc: service('ext', { type: 'ExternalName', externalName: 'db.example.com' }),
    want: ['ext', 'ExternalName', '<none>', 'db.example.com', '<none>', '5m', '<none>'],
  },
  'ClusterIP with external IPs': {
    svc: service('ext-ip', { type: 'ClusterIP', clusterIP: '10.96.0.40', externalIPs: ['192.0.2.10', '192.0.2.11'], ports: [{ port: 8080, protocol: 'TCP' }] }),
    want: ['ext-ip', 'ClusterIP', '10.96.0.40', '192.0.2.10,192.0.2.11', '8080/TCP', '5m', '<none>'],
  },
};

for (const [name, { svc, want }] of Object.entries(serviceCases)) {
  test(`service: ${name}`, () => assert.deepEqual(cells('', 'Service', svc), want));
}

test('service: headers, SELECTOR only with -o wide', () => {
  assert.deepEqual(print('', 'Service', serviceCases.NodePort.svc).headers, ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
  assert.deepEqual(print('', 'Service', serviceCases.NodePort.svc, { wide: true }).headers.at(-1), 'SELECTOR');
});

// ---------------------------------------------------------------------------------------------
// Endpoints

const addresses = (...ips: string[]) => ips.map((ip) => ({ ip }));

const endpointsCases: Record<string, { ep: KubeObject; want: string }> = {
  'no subsets': { ep: obj('empty'), want: '<none>' },
  'two addresses, one port': { ep: obj('web', { subsets: [{ addresses: addresses('10.244.1.5', '10.244.2.9'), ports: [{ port: 8080, protocol: 'TCP' }] }] }), want: '10.244.1.5:8080,10.244.2.9:8080' },
  'cut after three, counting every address and port': {
    ep: obj('big', {
      subsets: [
        { addresses: addresses('10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'), ports: [{ name: 'http', port: 80 }] },
        { addresses: addresses('10.0.1.1'), ports: [{ name: 'http', port: 80 }] },
      ],
    }),
    want: '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...',
  },
  'headless without ports': { ep: obj('hl', { subsets: [{ addresses: addresses('10.0.0.7') }] }), want: '10.0.0.7' },
  'IPv6 is bracketed': { ep: obj('v6', { subsets: [{ addresses: addresses('fd00::1'), ports: [{ port: 443 }] }] }), want: '[fd00::1]:443' },
  'not-ready addresses are not listed': { ep: obj('nr', { subsets: [{ notReadyAddresses: addresses('10.0.0.8'), ports: [{ port: 80 }] }] }), want: '' },
};

for (const [name, { ep, want }] of Object.entries(endpointsCases)) {
  test(`endpoints: ${name}`, () => assert.deepEqual(cells('', 'Endpoints', ep), [ep.metadata.name, want, '5m']));
}

// ---------------------------------------------------------------------------------------------
// Namespace, ConfigMap, Secret, ServiceAccount

test('namespace: STATUS AGE', () => {
  assert.deepEqual(print('', 'Namespace', obj('team-a', { status: { phase: 'Active' } }, { creationTimestamp: ago(45 * DAY) })), {
    headers: ['NAME', 'STATUS', 'AGE'],
    cells: ['team-a', 'Active', '45d'],
  });
  assert.deepEqual(cells('', 'Namespace', obj('old', { status: { phase: 'Terminating' } })), ['old', 'Terminating', '5m']);
});

test('configmap: DATA counts data and binaryData keys', () => {
  assert.deepEqual(print('', 'ConfigMap', obj('settings', { data: { a: '1', b: '2' }, binaryData: { logo: 'iVBO' } })), { headers: ['NAME', 'DATA', 'AGE'], cells: ['settings', 3, '5m'] });
  assert.deepEqual(cells('', 'ConfigMap', obj('empty')), ['empty', 0, '5m']);
});

test('secret: TYPE DATA AGE', () => {
  assert.deepEqual(print('', 'Secret', obj('tls', { type: 'kubernetes.io/tls', data: { 'tls.crt': 'Y3J0', 'tls.key': 'a2V5' } })), {
    headers: ['NAME', 'TYPE', 'DATA', 'AGE'],
    cells: ['tls', 'kubernetes.io/tls', 2, '5m'],
  });
  assert.deepEqual(cells('', 'Secret', obj('plain')), ['plain', 'Opaque', 0, '5m']);
});

test('serviceaccount: SECRETS is still printed in v1.32', () => {
  assert.deepEqual(print('', 'ServiceAccount', obj('default')), { headers: ['NAME', 'SECRETS', 'AGE'], cells: ['default', 0, '5m'] });
  assert.deepEqual(cells('', 'ServiceAccount', obj('builder', { secrets: [{ name: 'builder-token' }] })), ['builder', 1, '5m']);
});

// ---------------------------------------------------------------------------------------------
// Event

test('event (core/v1): columns and wide cells', () => {
  const ev = obj('web-7d4b9.17e0a', {
    type: 'Warning',
    reason: 'BackOff',
    message: 'Back-off restarting failed container app in pod web-7d4b9\n',
    involvedObject: { kind: 'Pod', name: 'web-7d4b9', namespace: 'default', fieldPath: 'spec.containers{app}' },
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: ago(2 * HOUR),
    lastTimestamp: ago(30),
    count: 27,
  });
  assert.deepEqual(print('', 'Event', ev), {
    headers: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
    cells: ['30s', 'Warning', 'BackOff', 'pod/web-7d4b9', 'Back-off restarting failed container app in pod web-7d4b9'],
  });
  assert.deepEqual(print('', 'Event', ev, { wide: true }), {
    headers: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'SUBOBJECT', 'SOURCE', 'MESSAGE', 'FIRST SEEN', 'COUNT', 'NAME'],
    cells: ['30s', 'Warning', 'BackOff', 'pod/web-7d4b9', 'spec.containers{app}', 'kubelet, node-1', 'Back-off restarting failed container app in pod web-7d4b9', '120m', 27, 'web-7d4b9.17e0a'],
  });
});

test('event: new-style singleton uses eventTime and count 1; reporting controller as source', () => {
  const ev = obj('x.1', {
    type: 'Normal',
    reason: 'Scheduled',
    message: 'Successfully assigned default/x to node-1',
    involvedObject: { kind: 'Pod', name: 'x' },
    eventTime: '2024-06-01T11:57:59.500000Z',
    reportingComponent: 'default-scheduler',
    reportingInstance: 'default-scheduler-cp-1',
  });
  assert.deepEqual(cells('', 'Event', ev), ['2m', 'Normal', 'Scheduled', 'pod/x', '', 'default-scheduler, default-scheduler-cp-1', 'Successfully assigned default/x to node-1', '2m', 1, 'x.1']);
});

test('event (events.k8s.io/v1): same columns, fields mapped from the new API; series wins', () => {
  const ev = obj('y.2', {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    type: 'Normal',
    reason: 'Pulled',
    note: 'Container image "nginx" already present on machine',
    regarding: { kind: 'Node', name: '' },
    reportingController: 'kubelet',
    reportingInstance: '',
    eventTime: ago(10 * MIN),
    series: { count: 4, lastObservedTime: ago(20) },
  });
  assert.deepEqual(cells('events.k8s.io', 'Event', ev), ['20s', 'Normal', 'Pulled', 'node', '', 'kubelet', 'Container image "nginx" already present on machine', '10m', 4, 'y.2']);
});

// ---------------------------------------------------------------------------------------------
// PersistentVolume, PersistentVolumeClaim

test('persistentvolume: bound, and terminating', () => {
  const pv = obj('pv-001', {
    spec: { capacity: { storage: '10Gi' }, accessModes: ['ReadWriteOnce', 'ReadWriteOncePod', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'db', name: 'data-db-0' }, storageClassName: 'fast', volumeMode: 'Filesystem' },
    status: { phase: 'Bound' },
  });
  assert.deepEqual(print('', 'PersistentVolume', pv, { wide: true }), {
    headers: ['NAME', 'CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE', 'VOLUMEMODE'],
    cells: ['pv-001', '10Gi', 'RWO,RWOP', 'Retain', 'Bound', 'db/data-db-0', 'fast', '<unset>', '', '5m', 'Filesystem'],
  });
  const gone = obj('pv-002', { spec: { accessModes: ['ReadWriteMany', 'ReadOnlyMany'] }, status: { phase: 'Released' } }, { deletionTimestamp: ago(1), annotations: { 'volume.beta.kubernetes.io/storage-class': 'legacy' } });
  assert.deepEqual(cells('', 'PersistentVolume', gone), ['pv-002', '0', 'ROX,RWX', '', 'Terminating', '', 'legacy', '<unset>', '', '5m', '<unset>']);
});

test('persistentvolumeclaim: pending shows no capacity, bound shows the volume\'s', () => {
  const pending = obj('data', { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard' }, status: { phase: 'Pending' } });
  assert.deepEqual(print('', 'PersistentVolumeClaim', pending), {
    headers: ['NAME', 'STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE'],
    cells: ['data', 'Pending', '', '', '', 'standard', '<unset>', '5m'],
  });
  const bound = obj('data', {
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'standard', volumeName: 'pvc-0b1c', volumeMode: 'Filesystem' },
    status: { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '2Gi' } },
  });
  assert.deepEqual(cells('', 'PersistentVolumeClaim', bound), ['data', 'Bound', 'pvc-0b1c', '2Gi', 'RWO', 'standard', '<unset>', '5m', 'Filesystem']);
});

// ---------------------------------------------------------------------------------------------
// ResourceQuota, ReplicationController

test('resourcequota: v1.32 order NAME AGE REQUEST LIMIT', () => {
  const rq = obj('compute', {
    status: {
      hard: { pods: '10', 'requests.cpu': '4', 'limits.memory': '8Gi', 'limits.cpu': '8', 'requests.memory': '4Gi' },
      used: { pods: '3', 'requests.cpu': '500m', 'limits.cpu': '1' },
    },
  });
  assert.deepEqual(print('', 'ResourceQuota', rq), {
    headers: ['NAME', 'AGE', 'REQUEST', 'LIMIT'],
    cells: ['compute', '5m', 'pods: 3/10, requests.cpu: 500m/4, requests.memory: 0/4Gi', 'limits.cpu: 1/8, limits.memory: 0/8Gi'],
  });
});

test('replicationcontroller: DESIRED CURRENT READY AGE, wide CONTAINERS IMAGES SELECTOR', () => {
  const rc = obj('legacy', {
    spec: { replicas: 2, selector: { app: 'legacy' }, template: { spec: { containers: [{ name: 'app', image: 'busybox:1.36' }] } } },
    status: { replicas: 2, readyReplicas: 1 },
  });
  assert.deepEqual(print('', 'ReplicationController', rc, { wide: true }), {
    headers: ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE', 'CONTAINERS', 'IMAGES', 'SELECTOR'],
    cells: ['legacy', 2, 2, 1, '5m', 'app', 'busybox:1.36', 'app=legacy'],
  });
});
