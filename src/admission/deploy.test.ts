import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEPLOYABLE, manifestFor, planDeploy } from './deploy.js';

test('every built-in webhook manifest plans: its Service, configuration and Deployment are found', () => {
  const plans = Object.fromEntries(DEPLOYABLE.map((w) => [w, planDeploy(manifestFor(w))]));
  assert.deepEqual(plans['label-injector'].service, { namespace: 'mwc-example', name: 'mwc-example' });
  assert.equal(plans['label-injector'].webhookConfig, 'mwc-example');
  assert.deepEqual(plans['image-allowlist'].service, { namespace: 'flotilla-admission', name: 'image-allowlist' });
  assert.equal(plans['image-allowlist'].webhookConfig, 'image-allowlist');
  for (const [name, plan] of Object.entries(plans)) {
    assert.equal(plan.objects[0].object.kind, 'Namespace', `${name}: the namespace first`);
    assert.ok(plan.objects.some((o) => o.object.kind === 'Deployment'), name);
  }
});

test('a manifest deploy cannot carry out is refused with what is wrong', () => {
  assert.throws(() => planDeploy('apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n'), /has a v1 Pod, which deploy does not write/);
  assert.throws(() => planDeploy('apiVersion: v1\nkind: Namespace\nmetadata: {name: n}\n'), /needs a Service, a Deployment and a webhook configuration/);
});
