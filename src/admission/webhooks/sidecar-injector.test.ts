import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import jsonpatch from 'fast-json-patch';
import { DEFAULT_SIDECAR_TEMPLATE, injectionRequired, sidecarAdmission, type AdmissionRequest } from '../index.js';

describe('injectionRequired (Istio 1.0’s policy table)', () => {
  const pod = (annotations?: Record<string, string>, hostNetwork = false) => ({ metadata: { annotations }, spec: { hostNetwork } });
  const cases: Record<string, { pod: ReturnType<typeof pod>; ns?: string; policy: 'enabled' | 'disabled'; want: boolean }> = {
    'enabled, no annotation: inject': { pod: pod(), policy: 'enabled', want: true },
    'enabled, "true": inject': { pod: pod({ 'sidecar.istio.io/inject': 'true' }), policy: 'enabled', want: true },
    'enabled, "false": skip': { pod: pod({ 'sidecar.istio.io/inject': 'false' }), policy: 'enabled', want: false },
    'disabled, no annotation: skip': { pod: pod(), policy: 'disabled', want: false },
    'disabled, "true": inject': { pod: pod({ 'sidecar.istio.io/inject': 'true' }), policy: 'disabled', want: true },
    'disabled, "yes": inject': { pod: pod({ 'sidecar.istio.io/inject': 'yes' }), policy: 'disabled', want: true },
    'disabled, "false": skip': { pod: pod({ 'sidecar.istio.io/inject': 'false' }), policy: 'disabled', want: false },
    'kube-system never': { pod: pod({ 'sidecar.istio.io/inject': 'true' }), ns: 'kube-system', policy: 'enabled', want: false },
    'kube-public never': { pod: pod(), ns: 'kube-public', policy: 'enabled', want: false },
    'hostNetwork never': { pod: pod(undefined, true), policy: 'enabled', want: false },
    'already injected': { pod: pod({ 'sidecar.istio.io/status': '{}' }), policy: 'enabled', want: false },
  };
  for (const [name, c] of Object.entries(cases)) test(name, () => assert.equal(injectionRequired(c.pod, c.ns ?? 'default', c.policy), c.want));
});

test('the patch, applied, gives the pod its init container, proxy, volumes and status annotation', () => {
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'nginx' }] } };
  const request: AdmissionRequest = { uid: 'u', kind: { group: '', version: 'v1', kind: 'Pod' }, resource: { group: '', version: 'v1', resource: 'pods' }, operation: 'CREATE', namespace: 'shop', object: pod };
  const result = sidecarAdmission(request, { policy: 'enabled', template: DEFAULT_SIDECAR_TEMPLATE });
  assert.ok(result.allowed && result.patch);
  // A pod with no annotations and no initContainers: the patch must add whole members, not paths under missing parents.
  const out = jsonpatch.applyPatch(structuredClone(pod), result.patch, true, false).newDocument as any;
  assert.deepEqual(out.spec.containers.map((c: { name: string }) => c.name), ['app', 'istio-proxy']);
  assert.deepEqual(out.spec.initContainers.map((c: { name: string }) => c.name), ['istio-init']);
  assert.deepEqual(out.spec.volumes.map((v: { name: string }) => v.name), ['istio-envoy', 'istio-certs']);
  assert.deepEqual(JSON.parse(out.metadata.annotations['sidecar.istio.io/status']).containers, ['istio-proxy']);
});
