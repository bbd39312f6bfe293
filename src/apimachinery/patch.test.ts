import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyJsonPatch,
  applyMergePatch,
  applyStrategicMergePatch,
  builtinPatchMeta,
  type PatchMetaLookup,
} from './patch.js';

/** The StatusError fields the API server renders (checked structurally: tests import only the module). */
interface StatusLike {
  name: string;
  code: number;
  reason: string;
  message: string;
  toStatus(): { details?: unknown };
}
const isStatus = (e: unknown): e is StatusLike => e instanceof Error && e.name === 'StatusError';

type Obj = Record<string, unknown>;

const REJECTED = 'the server rejected our request due to an error in our request';

/** Asserts a StatusError with this code, reason and message (or message start). */
function assertStatus(fn: () => unknown, want: { code: number; reason: string; message?: string; startsWith?: string }, name: string) {
  assert.throws(
    fn,
    (e: unknown) => {
      assert.ok(isStatus(e), `${name}: not a StatusError: ${String(e)}`);
      assert.equal(e.code, want.code, `${name}: code (${e.message})`);
      assert.equal(e.reason, want.reason, `${name}: reason`);
      if (want.message !== undefined) assert.equal(e.message, want.message, `${name}: message`);
      if (want.startsWith !== undefined) assert.ok(e.message.startsWith(want.startsWith), `${name}: ${e.message}`);
      return true;
    },
    name,
  );
}

/** Runs `fn` on deep copies and checks the inputs were left alone and share nothing with the result. */
function pure(fn: (doc: Obj, patch: unknown) => Obj, doc: Obj, patch: unknown): Obj {
  const docBefore = structuredClone(doc);
  const patchBefore = structuredClone(patch);
  const result = fn(doc, patch);
  assert.deepEqual(doc, docBefore, 'document mutated');
  assert.deepEqual(patch, patchBefore, 'patch mutated');
  scribble(result);
  assert.deepEqual(doc, docBefore, 'result aliases the document');
  assert.deepEqual(patch, patchBefore, 'result aliases the patch');
  return fn(doc, patch);
}

function scribble(v: unknown): void {
  if (Array.isArray(v)) {
    v.forEach(scribble);
    v.push('scribbled');
  } else if (typeof v === 'object' && v !== null) {
    for (const child of Object.values(v)) scribble(child);
    (v as Obj).scribbled = true;
  }
}

// ---------------------------------------------------------------------------------------------
// JSON Patch

test('applyJsonPatch applies operations as evanphx/json-patch v4 does', () => {
  const cases: Record<string, { doc: Obj; ops: unknown; want: Obj }> = {
    'add member': { doc: { a: 1 }, ops: [{ op: 'add', path: '/b', value: { c: 2 } }], want: { a: 1, b: { c: 2 } } },
    'add into array': { doc: { a: [1, 3] }, ops: [{ op: 'add', path: '/a/1', value: 2 }], want: { a: [1, 2, 3] } },
    'append with -': { doc: { a: [1] }, ops: [{ op: 'add', path: '/a/-', value: 2 }], want: { a: [1, 2] } },
    'negative index counts from the end (v4)': {
      doc: { a: ['x', 'y', 'z'] },
      ops: [
        { op: 'remove', path: '/a/-1' },
        { op: 'add', path: '/a/-1', value: 'w' },
      ],
      want: { a: ['x', 'y', 'w'] },
    },
    remove: { doc: { a: 1, b: 2 }, ops: [{ op: 'remove', path: '/a' }], want: { b: 2 } },
    replace: { doc: { a: { b: 1 } }, ops: [{ op: 'replace', path: '/a/b', value: 2 }], want: { a: { b: 2 } } },
    'replace of a missing member adds it (v4)': { doc: { a: {} }, ops: [{ op: 'replace', path: '/a/b', value: 2 }], want: { a: { b: 2 } } },
    'replace the root': { doc: { a: 1 }, ops: [{ op: 'replace', path: '', value: { b: 2 } }], want: { b: 2 } },
    move: { doc: { a: { x: 1 }, b: {} }, ops: [{ op: 'move', from: '/a/x', path: '/b/y' }], want: { a: {}, b: { y: 1 } } },
    copy: { doc: { a: [1] }, ops: [{ op: 'copy', from: '/a', path: '/b' }], want: { a: [1], b: [1] } },
    'escaped tokens': {
      doc: { metadata: { labels: { 'app.kubernetes.io/name': 'x', 'a~b': 'y' } } },
      ops: [
        { op: 'replace', path: '/metadata/labels/app.kubernetes.io~1name', value: 'z' },
        { op: 'remove', path: '/metadata/labels/a~0b' },
      ],
      want: { metadata: { labels: { 'app.kubernetes.io/name': 'z' } } },
    },
    'test passes': { doc: { a: [1, { b: 'c' }] }, ops: [{ op: 'test', path: '/a', value: [1, { b: 'c' }] }], want: { a: [1, { b: 'c' }] } },
    'test of a missing member against null passes (v4)': { doc: { a: 1 }, ops: [{ op: 'test', path: '/b', value: null }], want: { a: 1 } },
    'null body is an empty patch': { doc: { a: 1 }, ops: null, want: { a: 1 } },
    'empty patch': { doc: { a: 1 }, ops: [], want: { a: 1 } },
  };
  for (const [name, c] of Object.entries(cases)) {
    assert.deepEqual(pure(applyJsonPatch, c.doc, c.ops), c.want, name);
  }
});

test('applyJsonPatch failures carry the apiserver status', () => {
  const cases: Record<string, { doc?: Obj; ops: unknown; code: number; reason: string; message?: string; startsWith?: string }> = {
    'body is an object': { ops: { op: 'add', path: '/a', value: 1 }, code: 400, reason: 'BadRequest', message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch' },
    'body is a string': { ops: 'x', code: 400, reason: 'BadRequest', message: 'json: cannot unmarshal string into Go value of type jsonpatch.Patch' },
    'operation is not an object': { ops: [1], code: 400, reason: 'BadRequest', message: 'json: cannot unmarshal number into Go value of type jsonpatch.Operation' },
    'failed test': { ops: [{ op: 'test', path: '/a', value: 2 }], code: 422, reason: 'Invalid', message: REJECTED },
    'remove a missing member': { ops: [{ op: 'remove', path: '/nope' }], code: 422, reason: 'Invalid', message: REJECTED },
    'add under a missing parent': { ops: [{ op: 'add', path: '/x/y', value: 1 }], code: 422, reason: 'Invalid', message: REJECTED },
    'index out of range': { doc: { a: [1] }, ops: [{ op: 'add', path: '/a/5', value: 1 }], code: 422, reason: 'Invalid', message: REJECTED },
    'unknown op': { ops: [{ op: 'merge', path: '/a', value: 1 }], code: 422, reason: 'Invalid', message: REJECTED },
    'missing op': { ops: [{ path: '/a' }], code: 422, reason: 'Invalid', message: REJECTED },
    'missing path': { ops: [{ op: 'remove' }], code: 422, reason: 'Invalid', message: REJECTED },
    'add at the root': { ops: [{ op: 'add', path: '', value: {} }], code: 422, reason: 'Invalid', message: REJECTED },
    'move from a missing member': { ops: [{ op: 'move', from: '/nope', path: '/b' }], code: 422, reason: 'Invalid', message: REJECTED },
    'root replaced by an array': {
      ops: [{ op: 'replace', path: '', value: [1] }],
      code: 422,
      reason: 'Invalid',
      startsWith: ' "" is invalid: patch: Invalid value: "[1]": couldn\'t get version/kind; json parse error: json: cannot unmarshal array',
    },
    'too many operations': {
      ops: Array.from({ length: 10001 }, () => ({ op: 'test', path: '/a', value: 1 })),
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001',
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    assertStatus(() => applyJsonPatch(c.doc ?? { a: 1 }, c.ops), c, name);
  }
  const err = (() => {
    try {
      applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]);
    } catch (e) {
      return e as StatusLike;
    }
  })();
  assert.deepEqual(err?.toStatus().details, {}, 'upstream sends empty details for a 422 patch failure');
});

// ---------------------------------------------------------------------------------------------
// JSON merge patch

test('applyMergePatch', () => {
  const cases: Record<string, { doc: Obj; patch: Obj; want: Obj }> = {
    'replace a value': { doc: { a: 1, b: 2 }, patch: { a: 3 }, want: { a: 3, b: 2 } },
    'null deletes': { doc: { a: 1, b: 2 }, patch: { a: null, c: null }, want: { b: 2 } },
    'objects merge recursively': {
      doc: { metadata: { labels: { a: '1', b: '2' } } },
      patch: { metadata: { labels: { b: null, c: '3' } } },
      want: { metadata: { labels: { a: '1', c: '3' } } },
    },
    'arrays replace': { doc: { a: [1, 2, 3] }, patch: { a: [4] }, want: { a: [4] } },
    'an object replaces a scalar, without its nulls': { doc: { a: 1 }, patch: { a: { b: null, c: 1 } }, want: { a: { c: 1 } } },
    'nulls inside a new value are dropped, null array items kept': {
      doc: {},
      patch: { a: { b: null, c: [null, { d: null, e: 1 }] } },
      want: { a: { c: [null, { e: 1 }] } },
    },
    'a scalar replaces an object': { doc: { a: { b: 1 } }, patch: { a: 'x' }, want: { a: 'x' } },
    'empty patch': { doc: { a: 1 }, patch: {}, want: { a: 1 } },
  };
  for (const [name, c] of Object.entries(cases)) {
    assert.deepEqual(pure(applyMergePatch, c.doc, c.patch), c.want, name);
  }
  assertStatus(() => applyMergePatch({}, null), { code: 400, reason: 'BadRequest', message: 'Invalid JSON Patch' }, 'null body');
  assertStatus(() => applyMergePatch({}, 5), { code: 400, reason: 'BadRequest', message: 'Invalid JSON Patch' }, 'scalar body');
  assertStatus(() => applyMergePatch({}, [1]), { code: 422, reason: 'Invalid', startsWith: ' "" is invalid: patch:' }, 'array body');
});

// ---------------------------------------------------------------------------------------------
// Strategic merge patch

const deployment = builtinPatchMeta('apps', 'Deployment');
const pod = builtinPatchMeta('', 'Pod');

/** A Deployment whose pod template has these containers (and optionally more spec). */
function deploymentWith(containers: Obj[], spec: Obj = {}): Obj {
  return { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: { spec: { containers, ...spec } } } };
}

const names = (list: unknown) => (list as Obj[]).map((c) => c.name);

test('applyStrategicMergePatch', () => {
  const cases: Record<string, { doc: Obj; patch: unknown; lookup?: PatchMetaLookup; want: Obj }> = {
    'kubectl client-side apply: change image, replace a port (spec §6.3)': {
      doc: deploymentWith([{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }]),
      patch: JSON.parse(
        '{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],"containers":[{"$setElementOrder/ports":[{"containerPort":8080}],"image":"nginx:1.27","name":"nginx","ports":[{"containerPort":8080},{"$patch":"delete","containerPort":80}]}]}}}}',
      ),
      want: deploymentWith([{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 8080 }] }]),
    },
    'maps merge and null deletes': {
      doc: { metadata: { labels: { a: '1', b: '2' }, annotations: { x: 'y' } } },
      patch: { metadata: { labels: { b: null, c: '3' }, annotations: null } },
      want: { metadata: { labels: { a: '1', c: '3' } } },
    },
    'merge by key: update one item, append a new one': {
      doc: deploymentWith([{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:1' }]),
      patch: { spec: { template: { spec: { containers: [{ name: 'b', image: 'b:2' }, { name: 'c', image: 'c:1' }] } } } },
      want: deploymentWith([{ name: 'a', image: 'a:1' }, { name: 'b', image: 'b:2' }, { name: 'c', image: 'c:1' }]),
    },
    'nested merge lists: env by name inside containers by name': {
      doc: deploymentWith([{ name: 'a', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] }]),
      patch: { spec: { template: { spec: { containers: [{ name: 'a', env: [{ name: 'Y', value: '3' }, { name: 'X', $patch: 'delete' }] }] } } } },
      want: deploymentWith([{ name: 'a', env: [{ name: 'Y', value: '3' }] }]),
    },
    '$patch: replace as a list item replaces the list': {
      doc: deploymentWith([{ name: 'a' }, { name: 'b' }]),
      patch: { spec: { template: { spec: { containers: [{ name: 'c' }, { $patch: 'replace' }] } } } },
      want: deploymentWith([{ name: 'c' }]),
    },
    '$patch: replace in a map replaces the map': {
      doc: { metadata: { labels: { a: '1', b: '2' } } },
      patch: { metadata: { labels: { $patch: 'replace', c: '3' } } },
      want: { metadata: { labels: { c: '3' } } },
    },
    '$patch: delete in a map empties it': {
      doc: { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } }, replicas: 2 } },
      patch: { spec: { strategy: { $patch: 'delete' } } },
      lookup: deployment,
      want: { spec: { strategy: {}, replicas: 2 } },
    },
    '$patch: delete on a field the object lacks adds nothing': {
      doc: { spec: { replicas: 2 } },
      patch: { spec: { strategy: { $patch: 'delete' } } },
      lookup: deployment,
      want: { spec: { replicas: 2 } },
    },
    'lists of scalars with merge strategy form a union': {
      doc: { metadata: { finalizers: ['a', 'b'] } },
      patch: { metadata: { finalizers: ['b', 'c'] } },
      want: { metadata: { finalizers: ['a', 'b', 'c'] } },
    },
    '$deleteFromPrimitiveList': {
      doc: { metadata: { finalizers: ['a', 'b', 'c'] } },
      patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'x'] } },
      want: { metadata: { finalizers: ['a', 'c'] } },
    },
    '$setElementOrder on scalars with an addition and a deletion (kubectl three-way form)': {
      doc: { metadata: { finalizers: ['a', 'b'] } },
      patch: { metadata: { '$setElementOrder/finalizers': ['c', 'a'], '$deleteFromPrimitiveList/finalizers': ['b'], finalizers: ['c'] } },
      want: { metadata: { finalizers: ['c', 'a'] } },
    },
    'ownerReferences merge by uid; an item new to the list comes first, as upstream puts it': {
      doc: { metadata: { ownerReferences: [{ uid: '1', name: 'x' }] } },
      patch: { metadata: { ownerReferences: [{ uid: '2', name: 'y' }] } },
      want: { metadata: { ownerReferences: [{ uid: '2', name: 'y' }, { uid: '1', name: 'x' }] } },
    },
    'lists without a strategy are replaced (tolerations, envFrom), nulls and directives dropped': {
      doc: deploymentWith([{ name: 'a', envFrom: [{ configMapRef: { name: 'x' } }] }], { tolerations: [{ key: 'a' }, { key: 'b' }] }),
      patch: {
        spec: {
          template: {
            spec: {
              tolerations: [{ key: 'c', value: null, $patch: 'x' }],
              containers: [{ name: 'a', envFrom: [{ secretRef: { name: 'y' } }] }],
            },
          },
        },
      },
      want: deploymentWith([{ name: 'a', envFrom: [{ secretRef: { name: 'y' } }] }], { tolerations: [{ key: 'c' }] }),
    },
    'appended items lose directives and nulls, as decoding into the typed object drops them': {
      doc: deploymentWith([{ name: 'a' }]),
      patch: { spec: { template: { spec: { containers: [{ name: 'b', '$setElementOrder/ports': [{ containerPort: 1 }], ports: [{ containerPort: 1 }], image: null }] } } } },
      want: deploymentWith([{ name: 'b', ports: [{ containerPort: 1 }] }, { name: 'a' }]),
    },
    'a new field with directives inside: directive maps removed': {
      doc: { spec: {} },
      patch: { spec: { template: { spec: { containers: [{ name: 'a' }, { name: 'b', $patch: 'delete' }] } } } },
      lookup: deployment,
      want: { spec: { template: { spec: { containers: [{ name: 'a' }] } } } },
    },
    'replace strategy on a map (PodDisruptionBudget selector)': {
      doc: { spec: { selector: { matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'Exists' }] } } },
      patch: { spec: { selector: { matchLabels: { c: '2' } } } },
      lookup: builtinPatchMeta('policy', 'PodDisruptionBudget'),
      want: { spec: { selector: { matchLabels: { c: '2' } } } },
    },
    '$retainKeys drops the old volume source': {
      doc: { spec: { volumes: [{ name: 'v', emptyDir: {} }, { name: 'w', emptyDir: {} }] } },
      patch: { spec: { volumes: [{ name: 'v', $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' } }] } },
      lookup: pod,
      want: { spec: { volumes: [{ name: 'v', configMap: { name: 'cm' } }, { name: 'w', emptyDir: {} }] } },
    },
    'unknown kinds still merge metadata.finalizers; other lists are replaced': {
      doc: { metadata: { finalizers: ['a'] }, spec: { items: [{ name: 'a' }] } },
      patch: { metadata: { finalizers: ['b'] }, spec: { items: [{ name: 'b' }] } },
      lookup: builtinPatchMeta('example.com', 'Widget'),
      want: { metadata: { finalizers: ['b', 'a'] }, spec: { items: [{ name: 'b' }] } },
    },
    'CronJob pod template is two levels down': {
      doc: { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b' }] } } } } } },
      patch: { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: '2' }] } } } } } },
      lookup: builtinPatchMeta('batch', 'CronJob'),
      want: { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: '2' }, { name: 'b' }] } } } } } },
    },
    'status conditions merge by type': {
      doc: { status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'PodScheduled', status: 'True' }] } },
      patch: { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      lookup: pod,
      want: { status: { conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }] } },
    },
    'a type change replaces the value': {
      doc: { spec: { replicas: { a: 1 } } },
      patch: { spec: { replicas: 3 } },
      lookup: deployment,
      want: { spec: { replicas: 3 } },
    },
    'null patch changes nothing': { doc: { a: 1 }, patch: null, want: { a: 1 } },
    'top-level $patch: replace': { doc: { a: 1, b: 2 }, patch: { $patch: 'replace', c: 3 }, want: { c: 3 } },
  };
  for (const [name, c] of Object.entries(cases)) {
    const got = pure((d, p) => applyStrategicMergePatch(d, p, c.lookup ?? deployment), c.doc, c.patch);
    assert.deepEqual(got, c.want, name);
  }
});

test('strategic merge patch list order', () => {
  // Orders worked out by hand from upstream's rule: patch items take the patch's (or
  // $setElementOrder's) order; a server-only item stays ahead of the patch items that came
  // after it in the live list.
  const cases: Record<string, { live: string[]; patch: unknown; want: string[] }> = {
    'merge without an order keeps the live order for existing items': {
      live: ['a', 'b', 'c'],
      patch: { containers: [{ name: 'c', image: 'x' }, { name: 'a', image: 'x' }] },
      // patch items [c, a]; server-only b sits before c in the live list → b, c, a
      want: ['b', 'c', 'a'],
    },
    'a new item without an order comes first': {
      live: ['a', 'b'],
      patch: { containers: [{ name: 'new' }] },
      // new is not in the live list, so it is taken before the server-only items
      want: ['new', 'a', 'b'],
    },
    '$setElementOrder alone reorders': {
      live: ['a', 'b', 'c'],
      patch: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }] },
      want: ['c', 'a', 'b'],
    },
    '$setElementOrder with an item added elsewhere (an injected sidecar) keeps it after': {
      live: ['app', 'sidecar'],
      patch: { '$setElementOrder/containers': [{ name: 'app' }, { name: 'new' }], containers: [{ name: 'new', image: 'x' }] },
      // ordered items [app, new]; sidecar (live index 1) vs app (0) → app; vs new (not live) → new; then sidecar
      want: ['app', 'new', 'sidecar'],
    },
    '$setElementOrder with a server-only item between listed ones': {
      live: ['a', 'x', 'b'],
      patch: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] },
      // ordered [b, a]; x (live 1) vs b (live 2) → x first; then b, a
      want: ['x', 'b', 'a'],
    },
    'deletion plus addition under $setElementOrder (upstream "add map and delete map from merging list")': {
      live: ['1', '2', '4'],
      patch: {
        '$setElementOrder/containers': [{ name: '2' }, { name: '3' }],
        containers: [{ name: '3' }, { name: '1', $patch: 'delete' }],
      },
      // Upstream compares against the live list after its in-place edits: [2, 4, 3].
      want: ['2', '4', '3'],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    const doc = { spec: { containers: c.live.map((n) => ({ name: n })) } };
    const got = applyStrategicMergePatch(doc, { spec: c.patch }, pod);
    assert.deepEqual(names((got.spec as Obj).containers), c.want, name);
  }
});

test('strategic merge patch failures carry the apiserver status', () => {
  const doc = deploymentWith([{ name: 'a' }], { volumes: [{ name: 'v' }] });
  const cases: Record<string, { patch: unknown; code: number; reason: string; message?: string; startsWith?: string }> = {
    'body is an array': { patch: [], code: 400, reason: 'BadRequest', message: 'json: cannot unmarshal array into Go value of type map[string]interface {}' },
    'missing merge key': {
      patch: { spec: { template: { spec: { containers: [{ image: 'nginx', ports: [{ containerPort: 80 }] }] } } } },
      code: 500,
      reason: '',
      message: 'map: map[image:nginx ports:[map[containerPort:80]]] does not contain declared merge key: name',
    },
    '$patch: merge in a list': {
      patch: { spec: { template: { spec: { containers: [{ name: 'a', $patch: 'merge' }] } } } },
      code: 500,
      reason: '',
      message: 'merging lists cannot yet be specified in the patch',
    },
    'unknown $patch in a map': {
      patch: { spec: { template: { $patch: 'foo', a: 1 } } },
      code: 500,
      reason: '',
      message: 'unknown patch type: foo in map: map[$patch:foo a:1]',
    },
    '$retainKeys is not a list': {
      patch: { spec: { template: { spec: { $retainKeys: 'x' } } } },
      code: 400,
      reason: 'BadRequest',
      message: 'invalid patch format of retainKeys',
    },
    'a patched key missing from $retainKeys': {
      patch: { spec: { template: { spec: { volumes: [{ name: 'v', $retainKeys: ['name'], secret: {} }] } } } },
      code: 400,
      reason: 'BadRequest',
      message: 'invalid patch format of retainKeys',
    },
    'malformed $setElementOrder key': {
      patch: { spec: { template: { spec: { $setElementOrderContainers: [] } } } },
      code: 400,
      reason: 'BadRequest',
      message: 'invalid patch format of setElementOrder list',
    },
    'malformed $deleteFromPrimitiveList key': {
      patch: { $deleteFromPrimitiveListFinalizers: ['a'] },
      code: 400,
      reason: 'BadRequest',
      message: 'invalid patch format of primitive list',
    },
    '$setElementOrder disagrees with the patch list': {
      patch: {
        spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'b' }, { name: 'a' }] } } },
      },
      code: 500,
      reason: '',
      message: "The order in patch list:\n[map[name:b] map[name:a]]\n doesn't match $setElementOrder list:\n[map[name:a] map[name:b]]\n",
    },
    'list of lists': {
      patch: { metadata: { finalizers: [['a']] } },
      code: 422,
      reason: 'Invalid',
      message: REJECTED,
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    const input = name === 'list of lists' ? { metadata: { finalizers: [['b']] } } : doc;
    assertStatus(() => applyStrategicMergePatch(input, c.patch, deployment), c, name);
  }
});

test('builtinPatchMeta follows the Go struct tags', () => {
  const cases: { group: string; kind: string; path: string; want: object | undefined }[] = [
    { group: '', kind: 'Pod', path: 'spec.containers', want: { patchStrategy: 'merge', patchMergeKey: 'name' } },
    { group: '', kind: 'Pod', path: 'spec.initContainers.ports', want: { patchStrategy: 'merge', patchMergeKey: 'containerPort' } },
    { group: '', kind: 'Pod', path: 'spec.ephemeralContainers.env', want: { patchStrategy: 'merge', patchMergeKey: 'name' } },
    { group: '', kind: 'Pod', path: 'spec.containers.volumeMounts', want: { patchStrategy: 'merge', patchMergeKey: 'mountPath' } },
    { group: '', kind: 'Pod', path: 'spec.containers.volumeDevices', want: { patchStrategy: 'merge', patchMergeKey: 'devicePath' } },
    { group: '', kind: 'Pod', path: 'spec.containers.envFrom', want: undefined },
    { group: '', kind: 'Pod', path: 'spec.tolerations', want: undefined },
    { group: '', kind: 'Pod', path: 'spec.volumes', want: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' } },
    { group: '', kind: 'Pod', path: 'spec.hostAliases', want: { patchStrategy: 'merge', patchMergeKey: 'ip' } },
    { group: '', kind: 'Pod', path: 'status.conditions', want: { patchStrategy: 'merge', patchMergeKey: 'type' } },
    { group: '', kind: 'Pod', path: 'metadata.finalizers', want: { patchStrategy: 'merge', patchMergeKey: undefined } },
    { group: '', kind: 'Service', path: 'spec.ports', want: { patchStrategy: 'merge', patchMergeKey: 'port' } },
    { group: '', kind: 'Node', path: 'status.addresses', want: { patchStrategy: 'merge', patchMergeKey: 'type' } },
    { group: 'apps', kind: 'Deployment', path: 'spec.template.spec.imagePullSecrets', want: { patchStrategy: 'merge', patchMergeKey: 'name' } },
    { group: 'apps', kind: 'Deployment', path: 'spec.strategy', want: { patchStrategy: 'retainKeys', patchMergeKey: undefined } },
    { group: 'apps', kind: 'StatefulSet', path: 'spec.template.spec.containers.ports', want: { patchStrategy: 'merge', patchMergeKey: 'containerPort' } },
    { group: 'apps', kind: 'DaemonSet', path: 'spec.template.metadata.ownerReferences', want: { patchStrategy: 'merge', patchMergeKey: 'uid' } },
    { group: 'batch', kind: 'Job', path: 'spec.template.spec.containers', want: { patchStrategy: 'merge', patchMergeKey: 'name' } },
    { group: 'batch', kind: 'CronJob', path: 'spec.jobTemplate.spec.template.spec.volumes', want: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' } },
    { group: 'apps', kind: 'Deployment', path: 'spec.containers', want: undefined },
    { group: 'example.com', kind: 'Widget', path: 'metadata.ownerReferences', want: { patchStrategy: 'merge', patchMergeKey: 'uid' } },
    { group: 'example.com', kind: 'Widget', path: 'spec.template.spec.containers', want: undefined },
  ];
  for (const c of cases) {
    assert.deepEqual(builtinPatchMeta(c.group, c.kind)(c.path.split('.')), c.want, `${c.group}/${c.kind} ${c.path}`);
  }
});
