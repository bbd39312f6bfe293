import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject } from '../apimachinery/object.js';
import { kubeletExecLocation, statusResponse } from './pod-exec.js';
import { SIMULATED_NODE_ANNOTATION } from './pod-logs.js';

const pod = (containers: string[]): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'team-a' }, spec: { containers: containers.map((name) => ({ name })), nodeName: 'n1' } });
const node = (annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'n1', annotations },
  status: { addresses: [{ type: 'InternalIP', address: '127.240.0.4' }], daemonEndpoints: { kubeletEndpoint: { Port: 41234 } } },
});

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError);
    return `${e.code} ${e.message}`;
  }
  assert.fail('expected an error');
}

test('kubectl exec’s query becomes the kubelet’s /exec location (streams as input/output/error/tty=1)', () => {
  const q = new URLSearchParams('command=sh&command=-c&command=echo%20hi&container=web&stdin=true&stdout=true&stderr=true&tty=false');
  assert.equal(kubeletExecLocation(pod(['web', 'side']), node(), q).href, 'http://127.240.0.4:41234/exec/team-a/web-1/web?command=sh&command=-c&command=echo+hi&input=1&output=1&error=1');
  assert.equal(kubeletExecLocation(pod(['web']), node(), new URLSearchParams('command=ls&stdout=true&tty=true')).pathname, '/exec/team-a/web-1/web', 'the only container');
});

test('exec errors as kube-apiserver words them', () => {
  assert.equal(messageOf(() => kubeletExecLocation(pod(['web', 'side']), node(), new URLSearchParams('command=ls'))), '400 a container name must be specified for pod web-1, choose one of: [web side]');
  assert.equal(messageOf(() => kubeletExecLocation(pod(['web']), node(), new URLSearchParams('command=ls&container=db'))), '400 container db is not valid for pod web-1');
  assert.equal(messageOf(() => kubeletExecLocation(pod(['web']), undefined, new URLSearchParams('command=ls'))), '400 pod web-1 does not have a host assigned');
  assert.match(messageOf(() => kubeletExecLocation(pod(['web']), node({ [SIMULATED_NODE_ANNOTATION]: 'true' }), new URLSearchParams('command=ls'))), /simulated node n1, whose containers run no processes: there is nothing to exec into$/);
});

test('a refused upgrade is an HTTP answer with the Status, then the connection closes', () => {
  const raw = statusResponse(new StatusError(400, 'BadRequest', 'pod web-1 does not have a host assigned'));
  const [head, body] = raw.split('\r\n\r\n');
  assert.match(head, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.match(head, /\r\nConnection: close$/);
  assert.equal(JSON.parse(body).message, 'pod web-1 does not have a host assigned');
  assert.match(head, new RegExp(`Content-Length: ${Buffer.byteLength(body)}`));
});
