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

const dir = mkdtempSync(join(tmpdir(), 'flotilla-workloads-test-'));
const backends: SqliteBackend[] = [];
after(async () => {
  for (const b of backends) await b.close();
  rmSync(dir, { recursive: true, force: true });
});

const registry = new ResourceRegistry(BUILTIN_RESOURCES);
function resource(group: string, plural: string): ResourceType {
  const rt = registry.lookup(group, 'v1', plural);
  if (!rt) throw new Error(`no resource ${group}/v1/${plural}`);
  return rt;
}
const NAMESPACES = resource('', 'namespaces');
const DEPLOYMENTS = resource('apps', 'deployments');
const STATEFULSETS = resource('apps', 'statefulsets');
const DAEMONSETS = resource('apps', 'daemonsets');
const JOBS = resource('batch', 'jobs');

async function setup(): Promise<Store> {
  const backend = SqliteBackend.open(join(dir, `${backends.length}.db`));
  backends.push(backend);
  const store = new Store(backend, builtinStrategies(new ServiceAllocators()));
  await store.create(NAMESPACES, undefined, { metadata: { name: 'ns' } });
  return store;
}

function template(labels: Record<string, string>, podSpec: Record<string, unknown> = {}) {
  return { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }], ...podSpec } };
}

function deployment(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: { selector: { matchLabels: { app: name } }, template: template({ app: name }), ...spec },
  };
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

test('a deployment gets SetDefaults_Deployment and pod template defaults', async () => {
  const store = await setup();
  const d = await store.create(DEPLOYMENTS, 'ns', deployment('web'));
  assert.equal(d.spec.replicas, 1);
  assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
  const pod = d.spec.template.spec;
  assert.equal(pod.restartPolicy, 'Always');
  assert.equal(pod.terminationGracePeriodSeconds, 30);
  assert.equal(pod.dnsPolicy, 'ClusterFirst');
  assert.deepEqual(pod.securityContext, {});
  assert.equal(pod.schedulerName, 'default-scheduler');
  assert.deepEqual(pod.containers, [
    {
      name: 'web',
      image: 'nginx:1.27',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      resources: {},
    },
  ]);
  // What the user set is kept.
  const custom = await store.create(
    DEPLOYMENTS,
    'ns',
    deployment('custom', { replicas: 0, strategy: { type: 'Recreate' }, revisionHistoryLimit: 2 }),
  );
  assert.equal(custom.spec.replicas, 0);
  assert.deepEqual(custom.spec.strategy, { type: 'Recreate' });
  assert.equal(custom.spec.revisionHistoryLimit, 2);
  const partial = await store.create(DEPLOYMENTS, 'ns', deployment('partial', { strategy: { rollingUpdate: { maxSurge: 1 } } }));
  assert.deepEqual(partial.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: 1 } });
});

// serviceAccountName, enableServiceLinks, priority and preemptionPolicy are set on pods by
// SetDefaults_Pod and admission plugins, never on workload templates: `kubectl get deploy -o yaml`
// on kube does not show them.
test('pod templates get SetDefaults_PodSpec only, not the pod-only defaults', async () => {
  const store = await setup();
  const d = await store.create(DEPLOYMENTS, 'ns', deployment('web'));
  const pod = d.spec.template.spec;
  const podOnly = ['serviceAccountName', 'serviceAccount', 'enableServiceLinks', 'priority', 'preemptionPolicy'];
  assert.deepEqual(
    podOnly.filter((f) => pod[f] !== undefined).map((f) => `spec.template.spec.${f}: ${JSON.stringify(pod[f])}`),
    [],
  );
});

test('a selector that does not match the template labels is 422', async () => {
  const store = await setup();
  const err = await rejects(
    store.create(DEPLOYMENTS, 'ns', deployment('web', { template: template({ app: 'other' }) })),
  );
  assert.equal(err.code, 422);
  assert.equal(err.reason, 'Invalid');
  assert.deepEqual(err.details?.causes?.map((c) => c.field), ['spec.template.metadata.labels']);
  assert.match(err.message, /^Deployment\.apps "web" is invalid: spec\.template\.metadata\.labels: Invalid value: .*: `selector` does not match template `labels`$/);
  assert.equal(err.details?.kind, 'Deployment');
  assert.equal(err.details?.group, 'apps');

  const noSelector = await rejects(store.create(DEPLOYMENTS, 'ns', deployment('web', { selector: undefined })));
  assert.equal(noSelector.code, 422);
  assert.ok(noSelector.details?.causes?.some((c) => c.field === 'spec.selector' && c.message === 'Required value'));
});

// ValidatePodTemplateSpecForReplicaSet passes template.Labels (a Go map) to field.Invalid, which
// prints it with %#v: this is the line `kubectl apply` shows.
test('the selector mismatch prints the labels as kube-apiserver does', async () => {
  const store = await setup();
  const err = await rejects(store.create(DEPLOYMENTS, 'ns', deployment('web', { template: template({ app: 'other' }) })));
  assert.equal(
    err.message,
    'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`',
  );
});

test('a deployment selector is immutable', async () => {
  const store = await setup();
  await store.create(DEPLOYMENTS, 'ns', deployment('web'));
  const err = await rejects(
    store.update(DEPLOYMENTS, 'ns', 'web', (cur) => ({
      ...cur!,
      spec: { ...cur!.spec, selector: { matchLabels: { app: 'web', tier: 'fe' } }, template: template({ app: 'web', tier: 'fe' }) },
    })),
  );
  assert.equal(err.code, 422);
  assert.deepEqual(err.details?.causes?.map((c) => c.field), ['spec.selector']);
  assert.match(err.message, /field is immutable$/);
});

test('statefulsets and daemonsets get their defaults', async () => {
  const store = await setup();
  const sts = await store.create(STATEFULSETS, 'ns', {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db' },
    spec: { serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: template({ app: 'db' }) },
  });
  assert.equal(sts.spec.replicas, 1);
  assert.equal(sts.spec.podManagementPolicy, 'OrderedReady');
  assert.deepEqual(sts.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
  assert.equal(sts.spec.revisionHistoryLimit, 10);
  assert.deepEqual(sts.spec.persistentVolumeClaimRetentionPolicy, { whenDeleted: 'Retain', whenScaled: 'Retain' });
  assert.equal(sts.metadata.generation, 1);

  const ds = await store.create(DAEMONSETS, 'ns', {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent' },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: template({ app: 'agent' }) },
  });
  assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  assert.equal(ds.spec.revisionHistoryLimit, 10);
});

test("a job's selector and pod labels come from its uid", async () => {
  const store = await setup();
  const job = await store.create(JOBS, 'ns', {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi' },
    spec: { template: { metadata: { labels: { team: 'math' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl:5.34' }] } } },
  });
  const uid = job.metadata.uid!;
  assert.ok(uid);
  assert.deepEqual(job.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
  assert.deepEqual(job.spec.template.metadata.labels, {
    team: 'math',
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': 'pi',
    'controller-uid': uid,
    'job-name': 'pi',
  });
  assert.equal(job.spec.parallelism, 1);
  assert.equal(job.spec.completions, 1);
  assert.equal(job.spec.backoffLimit, 6);
  assert.equal(job.spec.completionMode, 'NonIndexed');
  assert.equal(job.spec.suspend, false);

  // Stored as returned.
  const stored = (await store.get(JOBS, 'ns', 'pi')).object;
  assert.deepEqual(stored.spec.selector, job.spec.selector);

  const bad = await rejects(
    store.create(JOBS, 'ns', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'bad' },
      spec: { template: { spec: { restartPolicy: 'Always', containers: [{ name: 'pi', image: 'perl:5.34' }] } } },
    }),
  );
  assert.equal(bad.code, 422);
  assert.ok(
    bad.details?.causes?.some(
      (c) => c.field === 'spec.template.spec.restartPolicy' && c.message === 'Unsupported value: "Always": supported values: "OnFailure", "Never"',
    ),
    bad.message,
  );
});
