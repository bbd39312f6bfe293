import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Container, Pod, Secret } from 'kubernetes-types/core/v1.js';
import { envReferences, expand, expandCommand, resolveEnv, type EnvContext } from './env.js';

const pod: Pod = {
  metadata: { name: 'web-1', namespace: 'shop', uid: 'u-1', labels: { app: 'web', tier: 'front' }, annotations: { team: 'a' } },
  spec: { nodeName: 'node-1', serviceAccountName: 'sa', containers: [] },
};
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const cm: ConfigMap = { metadata: { name: 'cfg' }, data: { COLOR: 'blue', 'bad key': 'x', size: 'L' } };
const secret: Secret = { metadata: { name: 'creds' }, data: { password: b64('s3cret') } };
const ctx = (over: Partial<EnvContext> = {}): EnvContext => ({
  configMaps: new Map([['cfg', cm], ['missing', undefined]]),
  secrets: new Map([['creds', secret], ['nosecret', undefined]]),
  podIP: '127.42.0.2',
  hostIP: '127.240.0.4',
  apiServer: { host: '127.0.0.1', port: 6443 },
  ...over,
});
const c = (over: Partial<Container>): Container => ({ name: 'app', image: 'flotilla/echo', ...over });

test('expand follows kubelet: defined, undefined, escaped, unterminated', () => {
  const vars: Record<string, string> = { A: 'a', B: 'b' };
  const cases: Record<string, string> = {
    '$(A)-$(B)': 'a-b',
    '$(C)': '$(C)',
    '$$(A)': '$(A)',
    '$$': '$',
    '$A': '$A',
    'x$(A': 'x$(A',
    '$()': '$()',
    'trailing $': 'trailing $',
  };
  for (const [input, want] of Object.entries(cases)) assert.equal(expand(input, (n) => vars[n]), want, input);
});

test('resolveEnv: table', () => {
  const cases: Record<string, { c: Container; want: Record<string, string> | string; ctx?: Partial<EnvContext> }> = {
    'plain values, later ones see earlier ones': {
      c: c({ env: [{ name: 'A', value: 'x' }, { name: 'B', value: '$(A)-$(KUBERNETES_SERVICE_HOST)-$(NOPE)' }] }),
      want: { A: 'x', B: 'x-127.0.0.1-$(NOPE)' },
    },
    'envFrom with prefix, invalid keys skipped, env overrides': {
      c: c({ envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CM_' }, { secretRef: { name: 'creds' } }], env: [{ name: 'CM_COLOR', value: 'red' }] }),
      want: { CM_COLOR: 'red', CM_size: 'L', password: 's3cret' },
    },
    'key refs': {
      c: c({ env: [{ name: 'COLOR', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'COLOR' } } }, { name: 'PW', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } }] }),
      want: { COLOR: 'blue', PW: 's3cret' },
    },
    'optional refs that are missing are skipped': {
      c: c({
        envFrom: [{ configMapRef: { name: 'missing', optional: true } }],
        env: [
          { name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'nope', optional: true } } },
          { name: 'Y', valueFrom: { secretKeyRef: { name: 'nosecret', key: 'k', optional: true } } },
        ],
      }),
      want: {},
    },
    'missing configmap': { c: c({ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'missing', key: 'k' } } }] }), want: 'configmap "missing" not found' },
    'missing key': { c: c({ env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] }), want: "couldn't find key k in ConfigMap shop/cfg" },
    'missing secret key': { c: c({ env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'creds', key: 'user' } } }] }), want: "couldn't find key user in Secret shop/creds" },
    'missing envFrom secret': { c: c({ envFrom: [{ secretRef: { name: 'nosecret' } }] }), want: 'secret "nosecret" not found' },
    'field refs': {
      c: c({
        env: [
          ['N', 'metadata.name'],
          ['NS', 'metadata.namespace'],
          ['UID', 'metadata.uid'],
          ['APP', "metadata.labels['app']"],
          ['TEAM', "metadata.annotations['team']"],
          ['NODE', 'spec.nodeName'],
          ['SA', 'spec.serviceAccountName'],
          ['IP', 'status.podIP'],
          ['HOST', 'status.hostIP'],
        ].map(([name, fieldPath]) => ({ name, valueFrom: { fieldRef: { fieldPath } } })),
      }),
      want: { N: 'web-1', NS: 'shop', UID: 'u-1', APP: 'web', TEAM: 'a', NODE: 'node-1', SA: 'sa', IP: '127.42.0.2', HOST: '127.240.0.4' },
    },
    'resource field refs: limits, requests, node allocatable, divisor': {
      c: c({
        resources: { limits: { memory: '128Mi' }, requests: { cpu: '250m' } },
        env: [
          { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
          { name: 'CPU_REQ', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
          { name: 'CPU_LIM', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        ],
      }),
      ctx: { nodeAllocatable: { cpu: '4', memory: '8Gi' } },
      want: { MEM: '128', CPU_REQ: '250', CPU_LIM: '4' },
    },
    'HOSTNAME and service variables can be overridden': {
      c: c({ env: [{ name: 'HOSTNAME', value: 'mine' }, { name: 'KUBERNETES_SERVICE_PORT', value: '1' }] }),
      want: { HOSTNAME: 'mine', KUBERNETES_SERVICE_PORT: '1' },
    },
  };
  const base = { HOSTNAME: 'web-1', KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '6443', KUBERNETES_SERVICE_PORT_HTTPS: '6443', KUBERNETES_PORT: 'tcp://127.0.0.1:6443' };
  for (const [name, tc] of Object.entries(cases)) {
    const got = resolveEnv(pod, tc.c, ctx(tc.ctx));
    if (typeof tc.want === 'string') assert.deepEqual(got, { ok: false, reason: 'CreateContainerConfigError', message: tc.want }, name);
    else assert.deepEqual(got, { ok: true, env: { ...base, ...tc.want } }, name);
  }
});

test('envReferences lists what to fetch; expandCommand expands command and args', () => {
  const cont = c({
    envFrom: [{ configMapRef: { name: 'b' } }, { secretRef: { name: 's1' } }],
    env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'a', key: 'k' } } }, { name: 'Y', valueFrom: { secretKeyRef: { name: 's1', key: 'k' } } }],
    command: ['echo', '$(X)'],
    args: ['$(Y)', '$$(Y)'],
  });
  assert.deepEqual(envReferences(cont), { configMaps: ['a', 'b'], secrets: ['s1'] });
  assert.deepEqual(expandCommand(cont, { X: '1', Y: '2' }), { image: 'flotilla/echo', command: ['echo', '1'], args: ['2', '$(Y)'] });
});
