import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Deployment } from '@kubernetes/client-node';
import { colorName, nextColor, replaceImageTag } from './next-color.js';

/** The old colour as `kubectl get deployment -o yaml` shows it, server fields and all. */
function served(version: string, over: { image?: string; sidecar?: string; env?: string; replicas?: number } = {}): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: `shop-${version}`,
      namespace: 'prod',
      uid: '1f1d2c3b-0000-4000-8000-000000000001',
      resourceVersion: '4711',
      generation: 3,
      creationTimestamp: new Date('2026-01-01T00:00:00Z'),
      managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update' }],
      labels: { app: 'shop', version, team: 'a' },
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': `{"metadata":{"name":"shop-${version}"}}`,
        'deployment.kubernetes.io/revision': '3',
        'team.example/owner': `build ${version}`,
      },
    },
    spec: {
      replicas: over.replicas ?? 3,
      selector: { matchLabels: { app: 'shop', version } },
      template: {
        metadata: { labels: { app: 'shop', version } },
        spec: {
          containers: [
            { name: 'shop', image: over.image ?? `registry.example:5000/shop:${version}`, env: [{ name: 'FLAG', value: over.env ?? version }] },
            ...(over.sidecar ? [{ name: 'proxy', image: over.sidecar }] : []),
          ],
        },
      },
    },
    status: { replicas: 3, readyReplicas: 3, observedGeneration: 3 },
  };
}

test('colorName is <DEPLOYMENT_NAME>-<version>', () => {
  assert.equal(colorName('shop', 'c39f076'), 'shop-c39f076');
});

test('replaceImageTag: only a tag equal to the current version', () => {
  const cases: Array<[string, string, string, string]> = [
    ['shop:1', '1', '2', 'shop:2'],
    ['registry.example:5000/team/shop:1', '1', '2', 'registry.example:5000/team/shop:2'],
    // a registry port equal to the version is not a tag
    ['localhost:1/shop', '1', '2', 'localhost:1/shop'],
    ['shop:11', '1', '2', 'shop:11'],
    ['shop', '1', '2', 'shop'],
    ['shop1:latest', '1', '2', 'shop1:latest'],
    ['shop:1@sha256:abc', '1', '2', 'shop:2'],
  ];
  for (const [image, from, to, want] of cases) assert.equal(replaceImageTag(image, from, to), want, image);
});

test('nextColor: a structural copy with only the name, version labels and matching tags changed', () => {
  const cur = served('1', { sidecar: 'envoy:1.11', env: '1' });
  const before = structuredClone(cur);
  const next = nextColor(cur, { deploymentName: 'shop', currentVersion: '1', newVersion: '2' });
  assert.deepEqual(cur, before, 'the input is not mutated');
  assert.deepEqual(next, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'shop-2',
      namespace: 'prod',
      labels: { app: 'shop', version: '2', team: 'a' },
      // a "1" in an unrelated annotation survives, where sed rewrote it
      annotations: { 'team.example/owner': 'build 1' },
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'shop', version: '2' } },
      template: {
        metadata: { labels: { app: 'shop', version: '2' } },
        spec: {
          containers: [
            { name: 'shop', image: 'registry.example:5000/shop:2', env: [{ name: 'FLAG', value: '1' }] },
            { name: 'proxy', image: 'envoy:1.11' },
          ],
        },
      },
    },
  });
});

test('nextColor: a selector without version gets one, so the colours never share pods', () => {
  const cur = served('a1');
  delete cur.spec!.selector.matchLabels!.version;
  const next = nextColor(cur, { deploymentName: 'shop', currentVersion: 'a1', newVersion: 'b2' });
  assert.deepEqual(next.spec!.selector.matchLabels, { app: 'shop', version: 'b2' });
});

test('nextColor: --image overrides a container by name', () => {
  const next = nextColor(served('1'), { deploymentName: 'shop', currentVersion: '1', newVersion: '2', images: { shop: 'flotilla/crashloop:2' } });
  assert.equal(next.spec!.template.spec!.containers[0].image, 'flotilla/crashloop:2');
});

test('nextColor: no server field survives', () => {
  const next = nextColor(served('1'), { deploymentName: 'shop', currentVersion: '1', newVersion: '2' });
  const text = JSON.stringify(next);
  for (const field of ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'status', 'last-applied', 'revision']) {
    assert.ok(!text.includes(`"${field}`) && !text.includes(field + '"'), field);
  }
});
