import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { imageAllowed, normalizeImage, validateImages, type AdmissionRequest } from '../index.js';

describe('normalizeImage', () => {
  const cases: Record<string, string> = {
    nginx: 'docker.io/library/nginx',
    'nginx:1.27': 'docker.io/library/nginx:1.27',
    'bitnami/redis': 'docker.io/bitnami/redis',
    'gcr.io/google-containers/pause:3.1': 'gcr.io/google-containers/pause:3.1',
    'localhost:5000/app': 'localhost:5000/app',
    'localhost/app': 'localhost/app',
    'registry.k8s.io/pause@sha256:abc': 'registry.k8s.io/pause@sha256:abc',
  };
  for (const [image, want] of Object.entries(cases)) test(image, () => assert.equal(normalizeImage(image), want));
});

describe('imageAllowed', () => {
  const allow = ['registry.k8s.io', 'ghcr.io/acme/', 'docker.io/library'];
  const cases: Record<string, boolean> = {
    'registry.k8s.io/pause:3.9': true,
    'ghcr.io/acme/app:1': true,
    'ghcr.io/other/app:1': false,
    'ghcr.io/acmecorp/app': false,
    nginx: true,
    'bitnami/redis': false,
    'registry.k8s.io.evil.com/pause': false,
  };
  for (const [image, want] of Object.entries(cases)) test(`${image} → ${want}`, () => assert.equal(imageAllowed(image, allow), want));
});

describe('validateImages', () => {
  const req = (object: Record<string, unknown>, operation: AdmissionRequest['operation'] = 'CREATE'): AdmissionRequest => ({
    uid: 'u',
    kind: { group: '', version: 'v1', kind: String(object.kind) },
    resource: { group: '', version: 'v1', resource: 'pods' },
    operation,
    object,
  });
  test('a pod with an init container from elsewhere is denied, naming it', () => {
    const r = validateImages(req({ kind: 'Pod', spec: { initContainers: [{ name: 'init', image: 'quay.io/x/init' }], containers: [{ name: 'app', image: 'registry.k8s.io/pause' }] } }), ['registry.k8s.io']);
    assert.deepEqual(r, { allowed: false, code: 403, reason: 'Forbidden', message: 'image "quay.io/x/init" of init container "init" is not from an allowed registry (allowed: registry.k8s.io)' });
  });
  test('a Deployment’s template is checked', () => {
    const r = validateImages(req({ kind: 'Deployment', spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx' }] } } } }), ['gcr.io']);
    assert.equal(r.allowed, false);
  });
  test('a CronJob’s job template is checked', () => {
    const r = validateImages(req({ kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'gcr.io/a/b' }] } } } } } }), ['gcr.io']);
    assert.equal(r.allowed, true);
  });
  test('DELETE is always allowed', () => assert.equal(validateImages(req({ kind: 'Pod' }, 'DELETE'), ['gcr.io']).allowed, true));
});
