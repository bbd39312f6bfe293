// The small pure rules the builder leans on, one table each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPrefixRewrite, hashname, matchesPathPrefix } from './index.js';
import { formatGoSeconds, parseGoDuration } from './duration.js';
import { goQuote } from '../../apimachinery/go-format.js';
import { clusterName, truncate } from './hashname.js';
import { delegationPermitted, splitSecretName } from './secrets.js';
import { certDelegation } from './testing.js';

test('matchesPathPrefix: by whole path segment (§4.4)', () => {
  const cases: Array<[string, string, boolean]> = [
    ['/foo', '', true], ['', '/foo', false], ['/foo', '/foo', true], ['/foo/bar', '/foo', true], ['/foobar', '/foo', false],
    ['/foo/', '/foo', true], ['/foo', '/foo/', true], ['/', '/', true], ['/anything', '/', true], ['/fo', '/foo', false],
  ];
  for (const [p, prefix, want] of cases) assert.equal(matchesPathPrefix(p, prefix), want, `${p} under ${prefix}`);
});

test('Go durations parse as time.ParseDuration does', () => {
  const cases: Record<string, number | undefined> = {
    '0': 0, '1s': 1000, '1m30s': 90_000, '1h15m': 4_500_000, '1.5s': 1500, '.5s': 500, '500ms': 500, '10us': 0.01, '10µs': 0.01,
    '-1s': -1000, '': undefined, s: undefined, '5': undefined, '5sec': undefined, '1d': undefined, '.s': undefined, peanut: undefined,
  };
  for (const [s, want] of Object.entries(cases)) assert.equal(parseGoDuration(s), want, s);
});

test('Go duration strings for whole seconds', () => {
  const cases: Record<number, string> = { 2: '2s', 60: '1m0s', 90: '1m30s', 3600: '1h0m0s', 3661: '1h1m1s' };
  for (const [s, want] of Object.entries(cases)) assert.equal(formatGoSeconds(Number(s)), want);
});

test('goQuote escapes as strconv.Quote', () => {
  const cases: Record<string, string> = { '/foo': '"/foo"', 'a"b': '"a\\"b"', 'a\\b': '"a\\\\b"', 'a\nb': '"a\\nb"', '\x01': '"\\x01"', 'é': '"é"', '\u200b': '"\\u200b"' };
  for (const [s, want] of Object.entries(cases)) assert.equal(goQuote(s), want, JSON.stringify(s));
});

test('hashname: short names joined, long ones truncated with a hash suffix, then hashed', () => {
  assert.equal(hashname(60, 'default', 'kuard', '8080', 'da39a3ee5e'), 'default/kuard/8080/da39a3ee5e');
  const long = hashname(60, 'a'.repeat(40), 'b'.repeat(40), '80', 'da39a3ee5e');
  assert.ok(long.length < 60, long);
  assert.match(long, /^a+-[0-9a-f]{6}\/b+-[0-9a-f]{6}\/80\/da39a3ee5e$/);
  // A single part of 60+ characters is the first 60 hex characters of its SHA-256.
  assert.match(hashname(60, 'x'.repeat(60)), /^[0-9a-f]{60}$/);
  assert.equal(truncate(10, 'short', 'abcdef'), 'short');
  assert.equal(truncate(4, 'longer-than-four', 'abcdef'), 'abcd');
  assert.equal(truncate(10, 'longer-than-ten', 'abcdef'), 'lon-abcdef');
});

// Vectors from Contour's own tests of hashname, truncate and Clustername.
test('hashname and truncate agree with upstream vectors', () => {
  const h: Array<[number, string[], string]> = [
    [99, [], ''], [99, ['alpha'], 'alpha'], [12, ['gammagammagamma'], '0d350ea5c204'], [4, ['alpha'], '8ed3'],
    [19, ['gammagamma', 'betabeta'], 'ga-edf159/betabeta'], [99, ['alpha', 'beta', 'gamma'], 'alpha/beta/gamma'],
    [60, ['default', 'my-service-name', 'my-very-very-long-service-host-name.my.domainname'], 'default/my-service-name/my-very-very--c4d2d4'],
  ];
  for (const [l, parts, want] of h) assert.equal(hashname(l, ...parts), want, parts.join('/'));
  const t: Array<[number, string, string, string]> = [
    [10, 'quijibo', 'a8c5e6', 'quijibo'], [7, 'quijibo', 'a8c5e6', 'quijibo'], [6, 'quijibo', 'a8c5', 'q-a8c5'], [4, 'quijibo', 'a8c5', 'a8c5'],
    [3, 'quijibo', 'a8c5', 'a8c'], [9, 'gammagamma', '0d350e', 'ga-0d350e'], [12, 'gammagammagamma', '0d350e', 'gamma-0d350e'],
    [20, 'my-very-very-long-service-host-name.my.domainname', 'a8c5e6', 'my-very-very--a8c5e6'],
  ];
  for (const [l, str, suffix, want] of t) assert.equal(truncate(l, str, suffix), want, `${l} ${str}`);
});

test('cluster names agree with upstream vectors', () => {
  assert.equal(
    clusterName('it-is-a-truth-universally-acknowledged-that-a-single-man-in-possession-of-a-good-fortune', 'must-be-in-want-of-a-wife', 9999, { strategy: '' }),
    'it-is-a--dea8b0/must-be--dea8b0/9999/da39a3ee5e',
  );
  assert.equal(
    clusterName('default', 'backend', 80, { strategy: 'Random', healthCheck: { path: '/healthz', intervalSeconds: 5, timeoutSeconds: 30, unhealthyThresholdCount: 3, healthyThresholdCount: 1 } }),
    'default/backend/80/5c26077e1d',
  );
  assert.equal(
    clusterName('default', 'backend', 80, { strategy: 'Random', upstreamValidation: { caSecretName: 'secret', subjectName: 'foo.com' } }),
    'default/backend/80/6bf46b7b3a',
  );
});

test('secret names: name, ns/name, /name', () => {
  assert.deepEqual(splitSecretName('tls', 'team'), { namespace: 'team', name: 'tls' });
  assert.deepEqual(splitSecretName('certs/tls', 'team'), { namespace: 'certs', name: 'tls' });
  assert.deepEqual(splitSecretName('/tls', 'team'), { namespace: 'team', name: 'tls' });
});

test('certificate delegation: own namespace, named target, exactly ["*"]', () => {
  const d = [certDelegation('certs/d', 'wild', ['team-a']), certDelegation('certs/e', 'open', ['*'])];
  assert.equal(delegationPermitted('team', 'x', 'team', []), true);
  assert.equal(delegationPermitted('certs', 'wild', 'team-a', d), true);
  assert.equal(delegationPermitted('certs', 'wild', 'team-b', d), false);
  assert.equal(delegationPermitted('certs', 'open', 'anyone', d), true);
});

test('prefixRewrite never produces // at the join point (fix of #899)', () => {
  assert.equal(applyPrefixRewrite('/service2/x', '/service2', '/'), '/x');
  assert.equal(applyPrefixRewrite('/service2', '/service2', '/'), '/');
  assert.equal(applyPrefixRewrite('/api/v1', '/api', '/backend'), '/backend/v1');
  assert.equal(applyPrefixRewrite('/other', '/api', '/'), '/other');
});
