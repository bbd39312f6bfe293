import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Container, LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';
import { execExitError, goQuote, hookFailureMessage, hookHeaders, hookURL, parseHook, runsPreStop, stopGraceAfterPreStop, type HookAction, type HookError } from './hooks.js';

const c: Container = { name: 'app', image: 'busybox', ports: [{ name: 'http', containerPort: 8080 }] };
const pod: Pod = { metadata: { name: 'web', namespace: 'default', uid: 'u-1' } };
const UA = { 'User-Agent': 'kube-lifecycle/1.32', Accept: '*/*' };

test('parseHook: exec, httpGet and sleep as kubelet reads them', () => {
  const cases: Record<string, { h: LifecycleHandler; want: HookAction | HookError }> = {
    exec: { h: { exec: { command: ['sh', '-c', 'echo $(X)'] } }, want: { kind: 'exec', command: ['sh', '-c', 'echo $(X)'] } },
    'exec without a command': { h: { exec: {} }, want: { error: 'invalid handler: exec without a command' } },
    'httpGet on a named port, the pod IP, a path without /': {
      h: { httpGet: { port: 'http', path: 'drain' } },
      want: { kind: 'http', url: 'http://127.43.0.2:8080/drain', host: '127.43.0.2', port: 8080, headers: UA },
    },
    'httpGet with host, scheme, query and headers': {
      h: { httpGet: { host: '10.0.0.1', port: 8443, scheme: 'HTTPS', path: '/q?x=1', httpHeaders: [{ name: 'X-Drain', value: 'now' }, { name: 'Accept', value: '' }] } },
      want: { kind: 'http', url: 'https://10.0.0.1:8443/q?x=1', host: '10.0.0.1', port: 8443, headers: { 'User-Agent': 'kube-lifecycle/1.32', 'X-Drain': 'now' } },
    },
    'httpGet with an IPv6 host and a numeric string port, no path': {
      h: { httpGet: { host: '::1', port: '9000' } },
      want: { kind: 'http', url: 'http://[::1]:9000', host: '::1', port: 9000, headers: UA },
    },
    'httpGet with an empty port name is port 80': { h: { httpGet: { port: '' } }, want: { kind: 'http', url: 'http://127.43.0.2:80', host: '127.43.0.2', port: 80, headers: UA } },
    'httpGet with a User-Agent of its own': {
      h: { httpGet: { port: 80, httpHeaders: [{ name: 'user-agent', value: 'me' }] } },
      want: { kind: 'http', url: 'http://127.43.0.2:80', host: '127.43.0.2', port: 80, headers: { Accept: '*/*', 'user-agent': 'me' } },
    },
    'httpGet on an unknown named port': { h: { httpGet: { port: 'admin' } }, want: { error: 'couldn\'t find port: admin in "app"' } },
    'httpGet on port 0': { h: { httpGet: { port: 0 } }, want: { error: 'invalid port number: 0' } },
    sleep: { h: { sleep: { seconds: 3 } }, want: { kind: 'sleep', ms: 3000 } },
    tcpSocket: { h: { tcpSocket: { port: 80 } }, want: { error: 'invalid handler: tcpSocket is deprecated as a lifecycle handler and not supported' } },
    none: { h: {}, want: { error: 'invalid handler: no exec, httpGet or sleep' } },
  };
  for (const [name, { h, want }] of Object.entries(cases)) assert.deepEqual(parseHook(h, c, '127.43.0.2'), want, name);
});

test('hookURL and hookHeaders: kubelet’s formatURL and default headers', () => {
  assert.equal(hookURL('http', 'foo', 8080, 'bar'), 'http://foo:8080/bar');
  assert.equal(hookURL('http', 'foo', 8080, '/bar?a=b'), 'http://foo:8080/bar?a=b');
  assert.deepEqual(hookHeaders(undefined), UA);
  assert.deepEqual(hookHeaders([{ name: 'Host', value: 'svc.local' }]), { ...UA, Host: 'svc.local' });
});

test('hookFailureMessage: kubelet’s handlerRunner wording for each handler', () => {
  const cases: Record<string, { h: LifecycleHandler; error: string; output?: string; want: string }> = {
    exec: {
      h: { exec: { command: ['sh', '-c', 'echo no >&2; exit 3'] } },
      error: execExitError(['sh', '-c', 'echo no >&2; exit 3'], 3, 'no\n'),
      output: 'no\n',
      want: 'Exec lifecycle hook ([sh -c echo no >&2; exit 3]) for Container "app" in Pod "web_default(u-1)" failed - error: command \'sh -c echo no >&2; exit 3\' exited with 3: no\n, message: "no\\n"',
    },
    httpGet: {
      h: { httpGet: { port: 1, path: '/drain' } },
      error: 'Get "http://127.43.0.2:1/drain": dial tcp 127.43.0.2:1: connect: connection refused',
      want: 'HTTP lifecycle hook (/drain) for Container "app" in Pod "web_default(u-1)" failed - error: Get "http://127.43.0.2:1/drain": dial tcp 127.43.0.2:1: connect: connection refused',
    },
    sleep: {
      h: { sleep: { seconds: 5 } },
      error: 'container terminated before sleep hook finished',
      want: 'Sleep lifecycle hook (5) for Container "app" in Pod "web_default(u-1)" failed - error: container terminated before sleep hook finished',
    },
    invalid: { h: {}, error: 'invalid handler: no exec, httpGet or sleep', want: 'Cannot run handler: invalid handler: no exec, httpGet or sleep' },
  };
  for (const [name, { h, error, output, want }] of Object.entries(cases)) assert.equal(hookFailureMessage(h, c, pod, { error, output }), want, name);
  assert.equal(goQuote('a\u0001"b"\t'), '"a\\x01\\"b\\"\\t"');
});

test('stopGraceAfterPreStop: the hook’s whole seconds come off the grace period, never below 2 s', () => {
  const cases: [graceS: number, hookMs: number | undefined, want: number][] = [
    [30, undefined, 30], // no hook
    [0, undefined, 2], // a zero grace period still gets kubelet's minimum
    [30, 999, 30], // under a second: truncated away, as kubelet's int64(Seconds())
    [30, 5_400, 25],
    [10, 9_000, 2], // 1 s left: the minimum
    [10, 10_050, 2], // the hook used it all (abandoned)
  ];
  for (const [g, h, want] of cases) assert.equal(stopGraceAfterPreStop(g, h), want, `${g}s, hook ${h}ms`);
  assert.equal(runsPreStop({ lifecycle: { preStop: { sleep: { seconds: 1 } } } }, 0), false, 'no preStop when the grace period is 0');
  assert.equal(runsPreStop({ lifecycle: { preStop: { sleep: { seconds: 1 } } } }, 1), true);
  assert.equal(runsPreStop({}, 30), false);
});
