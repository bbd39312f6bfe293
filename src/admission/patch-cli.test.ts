import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatchFiles } from './index.js';

const file = (name: string, text: string) => ({ name, read: () => text });
const pod = JSON.stringify({ metadata: { name: 'p' } });

test('patches apply in order, with ~1 escaping', () => {
  const out = applyPatchFiles(pod, [
    file('1.json', '[{"op":"add","path":"/metadata/labels","value":{}}]'),
    file('2.json', '[{"op":"add","path":"/metadata/labels/app.kubernetes.io~1name","value":"x"}]'),
  ]);
  assert.deepEqual(out, { ok: true, document: '{"metadata":{"name":"p","labels":{"app.kubernetes.io/name":"x"}}}' });
});

test('the missing-parent error, as the json-patch CLI prints it', () => {
  const out = applyPatchFiles(pod, [file('p.json', '[{"op":"add","path":"/metadata/labels/x","value":"y"}]')]);
  assert.deepEqual(out, { ok: false, message: 'error applying patch: add operation does not apply: doc is missing path: "/metadata/labels/x": missing value' });
});

test('a patch file that is not a patch', () => {
  const out = applyPatchFiles(pod, [file('p.json', '{"op":"add"}')]);
  assert.deepEqual(out, { ok: false, message: 'error decoding patch file: json: cannot unmarshal object into Go value of type jsonpatch.Patch' });
});
