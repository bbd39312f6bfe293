import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ingressFromV1, ingressToV1, INGRESS_V1BETA1_CONVERSIONS } from './ingress-v1beta1.js';

const seed = {
  apiVersion: 'extensions/v1beta1',
  kind: 'Ingress',
  metadata: { name: 'old', namespace: 'default' },
  spec: {
    backend: { serviceName: 'default-svc', servicePort: 80 },
    tls: [{ hosts: ['foo.bar.com'], secretName: 'tls' }],
    rules: [{ host: 'foo.bar.com', http: { paths: [{ path: '/', backend: { serviceName: 's1', servicePort: 'http' } }, { path: '/x', pathType: 'Prefix', backend: { resource: { kind: 'Bucket', name: 'b' } } }] } }],
  },
};

test('a v1beta1 Ingress becomes v1 as kube converts it', () => {
  assert.deepEqual(ingressToV1(seed), {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'old', namespace: 'default' },
    spec: {
      defaultBackend: { service: { name: 'default-svc', port: { number: 80 } } },
      tls: [{ hosts: ['foo.bar.com'], secretName: 'tls' }],
      rules: [
        {
          host: 'foo.bar.com',
          http: {
            paths: [
              { path: '/', pathType: 'ImplementationSpecific', backend: { service: { name: 's1', port: { name: 'http' } } } },
              { path: '/x', pathType: 'Prefix', backend: { resource: { kind: 'Bucket', name: 'b' } } },
            ],
          },
        },
      ],
    },
  });
});

test('v1 reads back in v1beta1 with the old field names, and a round trip keeps everything', () => {
  const back = ingressFromV1(ingressToV1(seed), 'extensions/v1beta1');
  assert.equal(back.apiVersion, 'extensions/v1beta1');
  assert.deepEqual(back.spec.backend, { serviceName: 'default-svc', servicePort: 80 });
  assert.deepEqual(back.spec.rules[0].http.paths[0].backend, { serviceName: 's1', servicePort: 'http' });
  assert.equal(back.spec.rules[0].http.paths[0].pathType, 'ImplementationSpecific');
  assert.deepEqual(ingressToV1(back), ingressToV1(seed));
});

test('both old groups are served from the v1 storage', () => {
  assert.deepEqual(INGRESS_V1BETA1_CONVERSIONS.map(([k]) => k), ['extensions/v1beta1/Ingress', 'networking.k8s.io/v1beta1/Ingress']);
  for (const [, c] of INGRESS_V1BETA1_CONVERSIONS) assert.equal(c.storage.apiVersion, 'networking.k8s.io/v1');
});
