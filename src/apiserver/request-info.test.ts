import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestPath, type RequestTarget } from './request-info.js';

test('paths map to what they address, as RequestInfoFactory splits them', () => {
  const cases: Record<string, { path: string; want: RequestTarget | undefined }> = {
    'core versions': { path: '/api', want: { type: 'core-versions' } },
    'group list': { path: '/apis', want: { type: 'groups' } },
    'one group': { path: '/apis/apps', want: { type: 'group', group: 'apps' } },
    'core resource list': { path: '/api/v1', want: { type: 'resource-list', group: '', version: 'v1' } },
    'group resource list': { path: '/apis/apps/v1', want: { type: 'resource-list', group: 'apps', version: 'v1' } },
    'namespaced collection': {
      path: '/api/v1/namespaces/ns/pods',
      want: { type: 'resource', group: '', version: 'v1', namespace: 'ns', plural: 'pods', name: undefined, subresource: undefined },
    },
    'namespaced item': {
      path: '/apis/apps/v1/namespaces/ns/deployments/web',
      want: { type: 'resource', group: 'apps', version: 'v1', namespace: 'ns', plural: 'deployments', name: 'web', subresource: undefined },
    },
    'scale subresource': {
      path: '/apis/apps/v1/namespaces/ns/deployments/web/scale',
      want: { type: 'resource', group: 'apps', version: 'v1', namespace: 'ns', plural: 'deployments', name: 'web', subresource: 'scale' },
    },
    'namespace list': {
      path: '/api/v1/namespaces',
      want: { type: 'resource', group: '', version: 'v1', plural: 'namespaces', name: undefined, subresource: undefined },
    },
    'namespace item': {
      path: '/api/v1/namespaces/x',
      want: { type: 'resource', group: '', version: 'v1', plural: 'namespaces', name: 'x' },
    },
    'namespace status': {
      path: '/api/v1/namespaces/x/status',
      want: { type: 'resource', group: '', version: 'v1', plural: 'namespaces', name: 'x', subresource: 'status' },
    },
    'namespace finalize': {
      path: '/api/v1/namespaces/x/finalize',
      want: { type: 'resource', group: '', version: 'v1', plural: 'namespaces', name: 'x', subresource: 'finalize' },
    },
    'cluster-wide list of a namespaced resource': {
      path: '/api/v1/pods',
      want: { type: 'resource', group: '', version: 'v1', plural: 'pods', name: undefined, subresource: undefined },
    },
    'cluster-scoped item subresource': {
      path: '/api/v1/nodes/n1/status',
      want: { type: 'resource', group: '', version: 'v1', plural: 'nodes', name: 'n1', subresource: 'status' },
    },
    'trailing slash is ignored': {
      path: '/apis/apps/v1/deployments/',
      want: { type: 'resource', group: 'apps', version: 'v1', plural: 'deployments', name: undefined, subresource: undefined },
    },
    'root is not an API path': { path: '/', want: undefined },
    'non-API prefix': { path: '/healthz', want: undefined },
    'unknown prefix with API-like rest': { path: '/foo/v1/pods', want: undefined },
    'too deep under a namespace': { path: '/apis/apps/v1/namespaces/ns/deployments/web/scale/extra', want: undefined },
    'too deep without a namespace': { path: '/api/v1/nodes/n1/status/extra', want: undefined },
  };
  for (const [name, { path, want }] of Object.entries(cases)) {
    const got = parseRequestPath(path);
    if (want === undefined) {
      assert.equal(got, undefined, name);
      continue;
    }
    // Compare only the fields that are set, so an absent field and an undefined one agree.
    assert.deepEqual(stripUndefined(got), stripUndefined(want), name);
  }
});

function stripUndefined(v: RequestTarget | undefined): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined));
}
