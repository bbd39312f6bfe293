import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DAY, HOUR, ago, cells, obj, print } from './fixtures.js';

// networking.k8s.io, discovery.k8s.io

test('ingress: CLASS HOSTS ADDRESS PORTS AGE', () => {
  const ing = obj('shop', {
    spec: {
      ingressClassName: 'contour',
      tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
      rules: [{ host: 'shop.example.com' }, { host: 'api.example.com' }],
    },
    status: { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } },
  });
  assert.deepEqual(print('networking.k8s.io', 'Ingress', ing), {
    headers: ['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE'],
    cells: ['shop', 'contour', 'shop.example.com,api.example.com', '203.0.113.10', '80, 443', '5m'],
  });
});

test('ingress: no class, no hosts, not yet admitted', () => {
  assert.deepEqual(cells('networking.k8s.io', 'Ingress', obj('catch-all', { spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } } })), [
    'catch-all',
    '<none>',
    '*',
    '',
    '80',
    '5m',
  ]);
});

test('ingress: more than three hosts are cut (counting rules)', () => {
  const rules = ['a', 'b', '', 'c', 'd', 'e'].map((h) => ({ host: h === '' ? undefined : `${h}.example.com` }));
  assert.equal(cells('networking.k8s.io', 'Ingress', obj('many', { spec: { rules } }))[2], 'a.example.com,b.example.com,c.example.com + 3 more...');
});

test('ingressclass: CONTROLLER PARAMETERS AGE', () => {
  const ic = obj('contour', { spec: { controller: 'projectcontour.io/contour', parameters: { apiGroup: 'projectcontour.io', kind: 'ContourDeployment', name: 'default' } } });
  assert.deepEqual(print('networking.k8s.io', 'IngressClass', ic), {
    headers: ['NAME', 'CONTROLLER', 'PARAMETERS', 'AGE'],
    cells: ['contour', 'projectcontour.io/contour', 'ContourDeployment.projectcontour.io/default', '5m'],
  });
  assert.deepEqual(cells('networking.k8s.io', 'IngressClass', obj('plain', { spec: { controller: 'k8s.io/ingress-nginx' } })), ['plain', 'k8s.io/ingress-nginx', '<none>', '5m']);
});

test('networkpolicy: POD-SELECTOR, <none> for all pods', () => {
  assert.deepEqual(print('networking.k8s.io', 'NetworkPolicy', obj('deny-all', { spec: { podSelector: {}, policyTypes: ['Ingress'] } })), {
    headers: ['NAME', 'POD-SELECTOR', 'AGE'],
    cells: ['deny-all', '<none>', '5m'],
  });
  assert.equal(cells('networking.k8s.io', 'NetworkPolicy', obj('db', { spec: { podSelector: { matchLabels: { app: 'db' } } } }))[1], 'app=db');
});

test('endpointslice: ADDRESSTYPE PORTS ENDPOINTS AGE', () => {
  const slice = obj('web-abcde', {
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'metrics', port: 9090 }],
    endpoints: [{ addresses: ['10.244.1.5'] }, { addresses: ['10.244.2.9'] }, { addresses: ['10.244.3.1'] }, { addresses: ['10.244.4.4'] }],
  });
  assert.deepEqual(print('discovery.k8s.io', 'EndpointSlice', slice), {
    headers: ['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE'],
    cells: ['web-abcde', 'IPv4', '80,9090', '10.244.1.5,10.244.2.9,10.244.3.1 + 1 more...', '5m'],
  });
  assert.deepEqual(cells('discovery.k8s.io', 'EndpointSlice', obj('empty', { addressType: 'IPv6', ports: [{ name: 'dns' }, {}] })), ['empty', 'IPv6', 'dns,*', '<unset>', '5m']);
});

// coordination, admissionregistration

test('lease: HOLDER AGE', () => {
  assert.deepEqual(print('coordination.k8s.io', 'Lease', obj('kube-controller-manager', { spec: { holderIdentity: 'cp-1_8f2c', leaseDurationSeconds: 15 } }, { creationTimestamp: ago(3 * DAY) })), {
    headers: ['NAME', 'HOLDER', 'AGE'],
    cells: ['kube-controller-manager', 'cp-1_8f2c', '3d'],
  });
  assert.deepEqual(cells('coordination.k8s.io', 'Lease', obj('free', { spec: {} })), ['free', '', '5m']);
});

test('webhook configurations: WEBHOOKS AGE', () => {
  const cfg = obj('policy', { webhooks: [{ name: 'a.example.com' }, { name: 'b.example.com' }] });
  for (const kind of ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']) {
    assert.deepEqual(print('admissionregistration.k8s.io', kind, cfg), { headers: ['NAME', 'WEBHOOKS', 'AGE'], cells: ['policy', 2, '5m'] });
  }
});

// storage.k8s.io

test('storageclass: default marker in the name, defaults for unset fields', () => {
  const sc = obj('standard', { provisioner: 'rancher.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer' }, { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } });
  assert.deepEqual(print('storage.k8s.io', 'StorageClass', sc), {
    headers: ['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE'],
    cells: ['standard (default)', 'rancher.io/local-path', 'Delete', 'WaitForFirstConsumer', false, '5m'],
  });
  assert.deepEqual(cells('storage.k8s.io', 'StorageClass', obj('fast', { provisioner: 'csi.example.com', allowVolumeExpansion: true })), ['fast', 'csi.example.com', 'Delete', 'Immediate', true, '5m']);
});

test('csidriver: defaults for unset pointers', () => {
  assert.deepEqual(print('storage.k8s.io', 'CSIDriver', obj('hostpath.csi.k8s.io', { spec: { volumeLifecycleModes: ['Persistent', 'Ephemeral'], podInfoOnMount: true } })), {
    headers: ['NAME', 'ATTACHREQUIRED', 'PODINFOONMOUNT', 'STORAGECAPACITY', 'TOKENREQUESTS', 'REQUIRESREPUBLISH', 'MODES', 'AGE'],
    cells: ['hostpath.csi.k8s.io', true, true, false, '<unset>', false, 'Persistent,Ephemeral', '5m'],
  });
  assert.deepEqual(cells('storage.k8s.io', 'CSIDriver', obj('d', { spec: { attachRequired: false, tokenRequests: [{ audience: 'vault' }, { audience: 'gcp' }] } })).slice(1, 7), [false, false, false, 'vault,gcp', false, '<none>']);
});

test('csinode and volumeattachment', () => {
  assert.deepEqual(print('storage.k8s.io', 'CSINode', obj('node-1', { spec: { drivers: [{ name: 'hostpath.csi.k8s.io' }] } })), { headers: ['NAME', 'DRIVERS', 'AGE'], cells: ['node-1', 1, '5m'] });
  const va = obj('csi-123', { spec: { attacher: 'csi.example.com', nodeName: 'node-1', source: { persistentVolumeName: 'pv-1' } }, status: { attached: true } });
  assert.deepEqual(print('storage.k8s.io', 'VolumeAttachment', va), { headers: ['NAME', 'ATTACHER', 'PV', 'NODE', 'ATTACHED', 'AGE'], cells: ['csi-123', 'csi.example.com', 'pv-1', 'node-1', true, '5m'] });
});

// policy, scheduling, node

test('poddisruptionbudget: MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS AGE', () => {
  assert.deepEqual(print('policy', 'PodDisruptionBudget', obj('web', { spec: { minAvailable: 2 }, status: { disruptionsAllowed: 1 } })), {
    headers: ['NAME', 'MIN AVAILABLE', 'MAX UNAVAILABLE', 'ALLOWED DISRUPTIONS', 'AGE'],
    cells: ['web', '2', 'N/A', 1, '5m'],
  });
  assert.deepEqual(cells('policy', 'PodDisruptionBudget', obj('db', { spec: { maxUnavailable: '25%' } })), ['db', 'N/A', '25%', 0, '5m']);
});

test('priorityclass: VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY (the last one is not wide)', () => {
  assert.deepEqual(print('scheduling.k8s.io', 'PriorityClass', obj('system-node-critical', { value: 2000001000, preemptionPolicy: 'PreemptLowerPriority' }, { creationTimestamp: ago(400 * DAY) })), {
    headers: ['NAME', 'VALUE', 'GLOBAL-DEFAULT', 'AGE', 'PREEMPTIONPOLICY'],
    cells: ['system-node-critical', 2000001000, false, '400d', 'PreemptLowerPriority'],
  });
});

test('runtimeclass: HANDLER AGE', () => {
  assert.deepEqual(print('node.k8s.io', 'RuntimeClass', obj('gvisor', { handler: 'runsc' })), { headers: ['NAME', 'HANDLER', 'AGE'], cells: ['gvisor', 'runsc', '5m'] });
});

// rbac.authorization.k8s.io

test('rolebinding: ROLE AGE, wide USERS GROUPS SERVICEACCOUNTS', () => {
  const rb = obj('team-a-edit', {
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
    subjects: [
      { kind: 'User', name: 'alice' },
      { kind: 'Group', name: 'team-a' },
      { kind: 'ServiceAccount', name: 'deployer', namespace: 'ci' },
      { kind: 'User', name: 'bob' },
    ],
  }, { creationTimestamp: ago(2 * HOUR) });
  assert.deepEqual(print('rbac.authorization.k8s.io', 'RoleBinding', rb), { headers: ['NAME', 'ROLE', 'AGE'], cells: ['team-a-edit', 'ClusterRole/edit', '120m'] });
  assert.deepEqual(print('rbac.authorization.k8s.io', 'RoleBinding', rb, { wide: true }), {
    headers: ['NAME', 'ROLE', 'AGE', 'USERS', 'GROUPS', 'SERVICEACCOUNTS'],
    cells: ['team-a-edit', 'ClusterRole/edit', '120m', 'alice, bob', 'team-a', 'ci/deployer'],
  });
  assert.deepEqual(cells('rbac.authorization.k8s.io', 'ClusterRoleBinding', obj('empty', { roleRef: { kind: 'ClusterRole', name: 'view' } })), ['empty', 'ClusterRole/view', '5m', '', '', '']);
});

// certificates.k8s.io, apiregistration.k8s.io

test('certificatesigningrequest: AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION', () => {
  const csr = obj('node-csr-x', {
    spec: { signerName: 'kubernetes.io/kube-apiserver-client-kubelet', username: 'system:node:node-1', expirationSeconds: 86400 },
    status: { conditions: [{ type: 'Approved', status: 'True' }], certificate: 'LS0tLS1CRUdJTi' },
  });
  assert.deepEqual(print('certificates.k8s.io', 'CertificateSigningRequest', csr), {
    headers: ['NAME', 'AGE', 'SIGNERNAME', 'REQUESTOR', 'REQUESTEDDURATION', 'CONDITION'],
    cells: ['node-csr-x', '5m', 'kubernetes.io/kube-apiserver-client-kubelet', 'system:node:node-1', '24h', 'Approved,Issued'],
  });
  assert.deepEqual(cells('certificates.k8s.io', 'CertificateSigningRequest', obj('pending', { spec: {} })).slice(2), ['<none>', '', '<none>', 'Pending']);
});

test('apiservice: SERVICE AVAILABLE AGE', () => {
  const local = obj('v1.apps', { spec: { group: 'apps', version: 'v1' }, status: { conditions: [{ type: 'Available', status: 'True', reason: 'Local' }] } });
  assert.deepEqual(print('apiregistration.k8s.io', 'APIService', local), { headers: ['NAME', 'SERVICE', 'AVAILABLE', 'AGE'], cells: ['v1.apps', 'Local', 'True', '5m'] });
  const broken = obj('v1beta1.metrics.k8s.io', { spec: { service: { namespace: 'kube-system', name: 'metrics-server' } }, status: { conditions: [{ type: 'Available', status: 'False', reason: 'MissingEndpoints' }] } });
  assert.deepEqual(cells('apiregistration.k8s.io', 'APIService', broken), ['v1beta1.metrics.k8s.io', 'kube-system/metrics-server', 'False (MissingEndpoints)', '5m']);
  assert.equal(cells('apiregistration.k8s.io', 'APIService', obj('new', { spec: {} }))[2], 'Unknown');
});
