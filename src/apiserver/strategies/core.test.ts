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
import { builtinStrategies, ServiceAllocators } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'flotilla-core-strategies-test-'));
const backends: SqliteBackend[] = [];
after(async () => {
  for (const b of backends) await b.close();
  rmSync(dir, { recursive: true, force: true });
});

const registry = new ResourceRegistry(BUILTIN_RESOURCES);
function resource(plural: string): ResourceType {
  const rt = registry.lookup('', 'v1', plural);
  if (!rt) throw new Error(`no resource v1/${plural}`);
  return rt;
}
const NAMESPACES = resource('namespaces');
const PODS = resource('pods');
const SECRETS = resource('secrets');

async function setup(): Promise<Store> {
  const backend = SqliteBackend.open(join(dir, `${backends.length}.db`));
  backends.push(backend);
  const store = new Store(backend, builtinStrategies(new ServiceAllocators()));
  await store.create(NAMESPACES, undefined, { metadata: { name: 'ns' } });
  return store;
}

function pod(name: string, containers: unknown[], spec: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers, ...spec } };
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

const DNS1123_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

test('invalid pods are 422 with the field and message kubectl prints', async () => {
  const store = await setup();
  const cases: Record<string, { pod: KubeObject; message: string }> = {
    'missing image': {
      pod: pod('p', [{ name: 'app' }]),
      message: 'Pod "p" is invalid: spec.containers[0].image: Required value',
    },
    'no containers': {
      pod: pod('p', []),
      message: 'Pod "p" is invalid: spec.containers: Required value',
    },
    'bad container name': {
      pod: pod('p', [{ name: 'Web_1', image: 'nginx:1.27' }]),
      message: `Pod "p" is invalid: spec.containers[0].name: Invalid value: "Web_1": ${DNS1123_LABEL}`,
    },
    'duplicate container names': {
      pod: pod('p', [
        { name: 'app', image: 'nginx:1.27' },
        { name: 'app', image: 'busybox:1.36' },
      ]),
      message: 'Pod "p" is invalid: spec.containers[1].name: Duplicate value: "app"',
    },
    'two problems': {
      pod: pod('p', [{ name: 'app' }], { restartPolicy: 'Sometimes' }),
      message:
        'Pod "p" is invalid: [spec.containers[0].image: Required value, spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"]',
    },
    'bad pod name': {
      pod: pod('Bad_Pod', [{ name: 'app', image: 'nginx:1.27' }]),
      message:
        "Pod \"Bad_Pod\" is invalid: metadata.name: Invalid value: \"Bad_Pod\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    const err = await rejects(store.create(PODS, 'ns', c.pod));
    assert.equal(err.code, 422, name);
    assert.equal(err.reason, 'Invalid', name);
    assert.equal(err.message, c.message, name);
  }
});

test('qosClass is computed as kube does', async () => {
  const store = await setup();
  const resources = (requests?: Record<string, string>, limits?: Record<string, string>) => ({
    ...(requests ? { requests } : {}),
    ...(limits ? { limits } : {}),
  });
  const cases: Record<string, { containers: Array<{ resources?: unknown }>; want: string }> = {
    'no resources': { containers: [{}], want: 'BestEffort' },
    'requests only': { containers: [{ resources: resources({ cpu: '100m' }) }], want: 'Burstable' },
    'limits for cpu and memory (requests default to them)': {
      containers: [{ resources: resources(undefined, { cpu: '1', memory: '1Gi' }) }],
      want: 'Guaranteed',
    },
    'requests equal limits': {
      containers: [{ resources: resources({ cpu: '500m', memory: '256Mi' }, { cpu: '500m', memory: '256Mi' }) }],
      want: 'Guaranteed',
    },
    'requests below limits': {
      containers: [{ resources: resources({ cpu: '250m', memory: '256Mi' }, { cpu: '500m', memory: '256Mi' }) }],
      want: 'Burstable',
    },
    'cpu limit only': { containers: [{ resources: resources(undefined, { cpu: '1' }) }], want: 'Burstable' },
    'one guaranteed container and one without resources': {
      containers: [{ resources: resources(undefined, { cpu: '1', memory: '1Gi' }) }, {}],
      want: 'Burstable',
    },
    // GetPodQOS compares quantities, not their spelling.
    'equal quantities spelled differently': {
      containers: [{ resources: resources({ cpu: '1000m', memory: '1Gi' }, { cpu: '1', memory: '1024Mi' }) }],
      want: 'Guaranteed',
    },
    // Only cpu and memory count towards QoS.
    'ephemeral-storage request only': { containers: [{ resources: resources({ 'ephemeral-storage': '1Gi' }) }], want: 'BestEffort' },
    // Zero quantities are ignored.
    'zero requests': { containers: [{ resources: resources({ cpu: '0', memory: '0' }) }], want: 'BestEffort' },
  };
  const got: Record<string, string> = {};
  const want: Record<string, string> = {};
  let i = 0;
  for (const [name, c] of Object.entries(cases)) {
    const containers = c.containers.map((x, j) => ({ name: `c${j}`, image: 'nginx:1.27', ...x }));
    const created = await store.create(PODS, 'ns', pod(`qos-${i++}`, containers));
    got[name] = created.status?.qosClass;
    want[name] = c.want;
  }
  assert.deepEqual(got, want);
});

test('imagePullPolicy defaults to Always for :latest or no tag, IfNotPresent otherwise', async () => {
  const store = await setup();
  const digest = `sha256:${'a'.repeat(64)}`;
  const cases: Record<string, { image: string; want: string }> = {
    'no tag': { image: 'nginx', want: 'Always' },
    latest: { image: 'nginx:latest', want: 'Always' },
    tagged: { image: 'nginx:1.27', want: 'IfNotPresent' },
    'registry port, no tag': { image: 'localhost:5000/app', want: 'Always' },
    'registry port and tag': { image: 'localhost:5000/app:v1', want: 'IfNotPresent' },
    'digest only': { image: `nginx@${digest}`, want: 'IfNotPresent' },
    // ParseImageName reports the tag even with a digest; "latest" means Always.
    'latest with digest': { image: `nginx:latest@${digest}`, want: 'Always' },
  };
  const got: Record<string, string> = {};
  const want: Record<string, string> = {};
  let i = 0;
  for (const [name, c] of Object.entries(cases)) {
    const created = await store.create(PODS, 'ns', pod(`img-${i++}`, [{ name: 'app', image: c.image }]));
    got[name] = created.spec.containers[0].imagePullPolicy;
    want[name] = c.want;
  }
  assert.deepEqual(got, want);
  const explicit = await store.create(PODS, 'ns', pod('explicit', [{ name: 'app', image: 'nginx', imagePullPolicy: 'Never' }]));
  assert.equal(explicit.spec.containers[0].imagePullPolicy, 'Never');
});

test('a pod gets pod defaults, requests from limits, and Pending status', async () => {
  const store = await setup();
  const p = await store.create(
    PODS,
    'ns',
    pod('p', [{ name: 'app', image: 'nginx:1.27', resources: { limits: { cpu: '1', memory: '1Gi' } } }]),
  );
  assert.deepEqual(p.spec.containers[0].resources, { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } });
  assert.equal(p.spec.restartPolicy, 'Always');
  assert.equal(p.spec.dnsPolicy, 'ClusterFirst');
  assert.equal(p.spec.terminationGracePeriodSeconds, 30);
  assert.equal(p.spec.schedulerName, 'default-scheduler');
  assert.equal(p.spec.serviceAccountName, 'default');
  assert.equal(p.spec.enableServiceLinks, true);
  assert.equal(p.status?.phase, 'Pending');
});

test('only a few pod spec fields may change after creation', async () => {
  const store = await setup();
  await store.create(PODS, 'ns', pod('p', [{ name: 'app', image: 'nginx:1.27' }]));
  const { object } = await store.update(PODS, 'ns', 'p', (cur) => {
    cur!.spec.containers[0].image = 'nginx:1.28';
    return cur!;
  });
  assert.equal(object.spec.containers[0].image, 'nginx:1.28');
  const err = await rejects(
    store.update(PODS, 'ns', 'p', (cur) => {
      cur!.spec.containers[0].command = ['sh'];
      return cur!;
    }),
  );
  assert.equal(err.code, 422);
  assert.deepEqual(err.details?.causes?.map((c) => c.field), ['spec']);
  assert.match(err.message, /^Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`/);
});

test('secret stringData is merged into data as base64 and not stored', async () => {
  const store = await setup();
  const created = await store.create(SECRETS, 'ns', {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 's' },
    data: { kept: Buffer.from('old').toString('base64'), overridden: Buffer.from('old').toString('base64') },
    stringData: { overridden: 'new', password: 'hunter2 ünïcode' },
  });
  assert.equal(created.type, 'Opaque');
  assert.equal(created.stringData, undefined);
  assert.deepEqual(created.data, {
    kept: Buffer.from('old').toString('base64'),
    overridden: Buffer.from('new').toString('base64'),
    password: Buffer.from('hunter2 ünïcode', 'utf8').toString('base64'),
  });
  const stored = (await store.get(SECRETS, 'ns', 's')).object;
  assert.equal(stored.stringData, undefined);
  assert.deepEqual(stored.data, created.data);

  // On update too (kubectl apply of a manifest with stringData).
  const { object } = await store.update(SECRETS, 'ns', 's', (cur) => ({ ...cur!, stringData: { extra: 'x' } }));
  assert.equal(object.stringData, undefined);
  assert.equal((object.data as Record<string, string>).extra, Buffer.from('x').toString('base64'));

  const tls = await rejects(
    store.create(SECRETS, 'ns', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 't' }, type: 'kubernetes.io/tls', data: {} }),
  );
  assert.equal(tls.code, 422);
  assert.deepEqual(tls.details?.causes?.map((c) => c.field), ['data[tls.crt]', 'data[tls.key]']);
});

test('a namespace is Active, labelled with its name, and has the kubernetes finalizer', async () => {
  const store = await setup();
  const ns = await store.create(NAMESPACES, undefined, { metadata: { name: 'team-a', labels: { env: 'dev' } } });
  assert.deepEqual(ns.metadata.labels, { env: 'dev', 'kubernetes.io/metadata.name': 'team-a' });
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(ns.status, { phase: 'Active' });
  const bad = await rejects(store.create(NAMESPACES, undefined, { metadata: { name: 'team.a' } }));
  assert.equal(bad.code, 422);
  assert.equal(
    bad.message,
    `Namespace "team.a" is invalid: metadata.name: Invalid value: "team.a": ${DNS1123_LABEL}`,
  );
});
