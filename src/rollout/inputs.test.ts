import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveRunInputs, resolveTargetInputs, usageText } from './inputs.js';

const env = { SERVICE_NAME: 'shop', DEPLOYMENT_NAME: 'shop', NEW_VERSION: '2', HEALTH_SECONDS: '10', NAMESPACE: 'prod', KUBE_CONTEXT: 'ctx' };

test('the Codefresh environment alone is enough, with the defaults', () => {
  const r = resolveRunInputs({}, env);
  assert.deepEqual(r, {
    kind: 'ok',
    inputs: {
      service: 'shop',
      deployment: 'shop',
      newVersion: '2',
      healthSeconds: 10,
      namespace: 'prod',
      kubeContext: 'ctx',
      kubeconfig: undefined,
      timeoutMs: 300_000,
      maxRestarts: 2,
      images: {},
      previewService: undefined,
      autoPromote: true,
      scaleDownDelayMs: undefined,
      analysis: [],
      traffic: undefined,
      steps: [100],
      stepIntervalMs: 30_000,
    },
  });
});

test('a flag wins over its environment variable', () => {
  const r = resolveRunInputs({ newVersion: '3', namespace: 'dev', kubeContext: 'other' }, env);
  assert.equal(r.kind, 'ok');
  if (r.kind !== 'ok') return;
  assert.equal(r.inputs.newVersion, '3');
  assert.equal(r.inputs.namespace, 'dev');
  assert.equal(r.inputs.kubeContext, 'other');
});

test('missing (or empty) inputs are named, in the step\'s order', () => {
  assert.deepEqual(resolveRunInputs({}, {}), { kind: 'missing', missing: ['SERVICE_NAME', 'DEPLOYMENT_NAME', 'NEW_VERSION', 'HEALTH_SECONDS', 'NAMESPACE'] });
  assert.deepEqual(resolveRunInputs({ serviceName: 'shop' }, { ...env, SERVICE_NAME: undefined, NEW_VERSION: ' ', HEALTH_SECONDS: '' }), { kind: 'missing', missing: ['NEW_VERSION', 'HEALTH_SECONDS'] });
  // KUBE_CONTEXT is optional: the image never checked it (only the step-type copy did).
  assert.equal(resolveRunInputs({}, { ...env, KUBE_CONTEXT: undefined }).kind, 'ok');
});

test('malformed inputs: one message naming the input', () => {
  const cases: Record<string, [object, object, RegExp]> = {
    'health seconds': [{}, { HEALTH_SECONDS: 'ten' }, /^HEALTH_SECONDS must be a whole number of seconds, not "ten"$/],
    'version not a label value': [{}, { NEW_VERSION: 'v2!' }, /^NEW_VERSION "v2!" is not a valid label value/],
    'colour not a Deployment name': [{}, { NEW_VERSION: 'V2' }, /^"shop-V2" \(DEPLOYMENT_NAME-NEW_VERSION\) is not a valid Deployment name/],
    timeout: [{ timeout: 'soon' }, {}, /^--timeout must be a positive duration such as 90s or 5m, not "soon"$/],
    'max restarts': [{ maxRestarts: '-1' }, {}, /^--max-restarts must be a whole number/],
    image: [{ image: ['crashloop'] }, {}, /^--image must be CONTAINER=IMAGE, not "crashloop"$/],
    'auto-promote': [{ autoPromote: 'maybe' }, {}, /^--auto-promote must be true or false/],
    'scale-down delay': [{ scaleDownDelay: 'later' }, {}, /^--scale-down-delay must be a duration/],
    analysis: [{ analysis: ['ftp://x/'] }, {}, /^--analysis must be an http\(s\) URL/],
    'preview = active': [{ previewService: 'shop' }, {}, /^--preview-service must name another Service/],
    traffic: [{ traffic: 'ingress/shop' }, {}, /^--traffic must be ingressroute\/<name>, not "ingress\/shop"$/],
    steps: [{ traffic: 'ingressroute/shop', steps: '50,10' }, {}, /^--steps must be increasing percentages/],
    'steps without traffic': [{ steps: '10,100' }, {}, /^--steps and --step-interval need --traffic/],
  };
  for (const [name, [flags, over, want]] of Object.entries(cases)) {
    const r = resolveRunInputs(flags, { ...env, ...over });
    assert.equal(r.kind, 'invalid', name);
    if (r.kind === 'invalid') assert.match(r.message, want, name);
  }
});

test('the Argo options', () => {
  const r = resolveRunInputs(
    { previewService: 'shop-preview', autoPromote: 'false', scaleDownDelay: '30s', analysis: ['/ping', ':8080/healthz', 'http://$(POD_IP):8080/'], image: ['shop=flotilla/crashloop:2'], timeout: '90s', maxRestarts: '0' },
    env,
  );
  assert.equal(r.kind, 'ok');
  if (r.kind !== 'ok') return;
  assert.equal(r.inputs.previewService, 'shop-preview');
  assert.equal(r.inputs.autoPromote, false);
  assert.equal(r.inputs.scaleDownDelayMs, 30_000);
  assert.deepEqual(r.inputs.analysis, ['/ping', ':8080/healthz', 'http://$(POD_IP):8080/']);
  assert.deepEqual(r.inputs.images, { shop: 'flotilla/crashloop:2' });
  assert.equal(r.inputs.timeoutMs, 90_000);
  assert.equal(r.inputs.maxRestarts, 0);
  const bare = resolveRunInputs({ autoPromote: true }, env);
  assert.ok(bare.kind === 'ok' && bare.inputs.autoPromote);
});

test('--traffic: steps, interval, and the preview Service defaulted', () => {
  const r = resolveRunInputs({ traffic: 'ingressroute/shop-web', steps: '10,50', stepInterval: '5s' }, env);
  assert.ok(r.kind === 'ok');
  if (r.kind !== 'ok') return;
  assert.equal(r.inputs.traffic, 'shop-web');
  assert.deepEqual(r.inputs.steps, [10, 50, 100]);
  assert.equal(r.inputs.stepIntervalMs, 5000);
  assert.equal(r.inputs.previewService, 'shop-preview');
});

test('usage: the step\'s shape, and what was missing', () => {
  const u = usageText(['SERVICE_NAME', 'NAMESPACE']);
  const lines = u.split('\n');
  assert.equal(lines[0], 'USAGE');
  assert.equal(lines[1], ' flotilla bluegreen --service-name SERVICE_NAME --deployment-name DEPLOYMENT_NAME --new-version NEW_VERSION --health-seconds HEALTH_SECONDS --namespace NAMESPACE [options]');
  assert.equal(lines[2], '\t [SERVICE_NAME] - Name of the Service whose selector is switched');
  assert.match(u, /Missing: SERVICE_NAME, NAMESPACE\n/);
});

test('promote/abort/rollback: the Service as argument or SERVICE_NAME, namespace default', () => {
  assert.deepEqual(resolveTargetInputs('shop', {}, {}), { kind: 'ok', inputs: { service: 'shop', namespace: 'default', kubeContext: undefined, kubeconfig: undefined, timeoutMs: 300_000 } });
  const r = resolveTargetInputs(undefined, { namespace: 'dev' }, env);
  assert.ok(r.kind === 'ok' && r.inputs.service === 'shop' && r.inputs.namespace === 'dev');
  assert.deepEqual(resolveTargetInputs(undefined, {}, {}), { kind: 'missing', missing: ['SERVICE_NAME'] });
});
