import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { caRotationNeeded, createCa, issueServingCert, rotationNeeded, serviceNames } from './index.js';

const DAY = 24 * 60 * 60 * 1000;

test('a serving certificate signed by the CA, for the service names, with serverAuth', async () => {
  const ca = await createCa('test-ca');
  const names = serviceNames('mwc-example', 'mwc-example');
  const serving = await issueServingCert(ca, names);
  const cert = new X509Certificate(serving.certPem);
  assert.ok(cert.checkIssued(new X509Certificate(ca.certPem)));
  assert.equal(cert.subjectAltName, 'DNS:mwc-example.mwc-example.svc, DNS:mwc-example, DNS:mwc-example.mwc-example, DNS:mwc-example.mwc-example.svc.cluster.local');
  assert.equal(cert.subject, 'CN=mwc-example.mwc-example.svc');
  assert.deepEqual(rotationNeeded(serving, ca.certPem, names), { rotate: false });
});

test('rotation: missing, foreign CA, missing name, near expiry', async () => {
  const now = Date.now();
  const ca = await createCa('a');
  const other = await createCa('b');
  const names = ['svc.ns.svc'];
  const fresh = await issueServingCert(ca, names, 365, now);
  const ending = await issueServingCert(ca, names, 10, now);
  assert.deepEqual(rotationNeeded(undefined, ca.certPem, names), { rotate: true, why: 'no serving certificate' });
  assert.deepEqual(rotationNeeded(fresh, other.certPem, names), { rotate: true, why: 'serving certificate is not signed by the CA' });
  assert.deepEqual(rotationNeeded(fresh, ca.certPem, [...names, 'extra.ns.svc']), { rotate: true, why: 'serving certificate lacks extra.ns.svc' });
  assert.deepEqual(rotationNeeded(ending, ca.certPem, names, now), { rotate: true, why: 'serving certificate expires in 9 days' });
  assert.deepEqual(rotationNeeded(fresh, ca.certPem, names, now + 340 * DAY), { rotate: true, why: 'serving certificate expires in 24 days' });
  assert.deepEqual(caRotationNeeded(ca, now), { rotate: false });
  assert.deepEqual(caRotationNeeded(ca, now + 3600 * DAY), { rotate: true, why: 'CA near expiry' });
});
