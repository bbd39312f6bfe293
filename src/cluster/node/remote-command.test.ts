import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseProtocol, exitStatus, frame, parseExecRequest, readFrame, readResize, startFailureStatus } from './remote-command.js';

test('exec requests as the kubelet reads them: streams as 1, no stderr with a terminal', () => {
  const q = (s: string) => new URLSearchParams(s);
  assert.deepEqual(parseExecRequest(q('command=sh&command=-c&command=env&output=1&error=1')), { command: ['sh', '-c', 'env'], stdin: false, stdout: true, stderr: true, tty: false });
  assert.deepEqual(parseExecRequest(q('command=sh&input=1&output=1&error=1&tty=1')), { command: ['sh'], stdin: true, stdout: true, stderr: false, tty: true });
  assert.deepEqual(parseExecRequest(q('command=ls&output=true')), { error: 'you must specify at least 1 of stdin, stdout, stderr' }, 'only "1" counts');
  assert.deepEqual(parseExecRequest(q('output=1')), { error: 'you must specify at least 1 command' });
});

test('subprotocols: v5 preferred, v4 accepted, nothing else', () => {
  assert.equal(chooseProtocol('v5.channel.k8s.io'), 'v5.channel.k8s.io');
  assert.equal(chooseProtocol('v4.channel.k8s.io, v5.channel.k8s.io'), 'v5.channel.k8s.io');
  assert.equal(chooseProtocol('v4.channel.k8s.io'), 'v4.channel.k8s.io');
  assert.equal(chooseProtocol('channel.k8s.io'), undefined);
  assert.equal(chooseProtocol(undefined), undefined);
});

test('frames: the stream byte first; v5 close signals; resize messages', () => {
  assert.deepEqual([...frame(1, 'hi')], [1, 104, 105]);
  assert.deepEqual(readFrame(Buffer.from([0, 97, 98]), 'v5.channel.k8s.io'), { kind: 'data', stream: 0, data: Buffer.from('ab') });
  assert.deepEqual(readFrame(Buffer.from([255, 0]), 'v5.channel.k8s.io'), { kind: 'close', stream: 0 });
  assert.deepEqual(readFrame(Buffer.from([255, 0]), 'v4.channel.k8s.io'), { kind: 'data', stream: 255, data: Buffer.from([0]) }, 'no close signal before v5');
  assert.deepEqual(readFrame(Buffer.alloc(0), 'v5.channel.k8s.io'), { kind: 'invalid' });
  assert.deepEqual(readResize(Buffer.from('{"Width":120,"Height":40}')), { width: 120, height: 40 });
  assert.equal(readResize(Buffer.from('nope')), undefined);
});

test('the error stream’s Status: Success, or NonZeroExitCode with the code kubectl exits with', () => {
  assert.equal(exitStatus(['true'], 0, null), '{"metadata":{},"status":"Success"}');
  assert.deepEqual(JSON.parse(exitStatus(['sh', '-c', 'exit 3'], 3, null)), {
    metadata: {},
    status: 'Failure',
    message: 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3',
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: '3' }] },
  });
  assert.equal(JSON.parse(exitStatus(['sleep', '9'], null, 'SIGKILL')).details.causes[0].message, '137', 'killed: 128 + 9');
  assert.deepEqual(JSON.parse(startFailureStatus('exec: "nope": executable file not found in $PATH')), {
    metadata: {},
    status: 'Failure',
    message: 'Internal error occurred: error executing command in container: exec: "nope": executable file not found in $PATH',
    reason: 'InternalError',
    details: { causes: [{ message: 'error executing command in container: exec: "nope": executable file not found in $PATH' }] },
    code: 500,
  });
});
