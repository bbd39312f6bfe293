import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, silentLogger } from '../../runtime/index.js';
import type { IngressRoute, ObjectStatus } from '../dag/index.js';
import { createStatusWriter } from './status-writer.js';

function setup(objects: Record<string, IngressRoute>, fail: (key: string, n: number) => ApiError | undefined = () => undefined) {
  const desired = new Map<string, ObjectStatus>();
  const patches: Array<{ key: string; patch: unknown; type: string | undefined }> = [];
  const calls = new Map<string, number>();
  const client = {
    async patchStatus(_t: unknown, ns: string, name: string, patch: unknown, type?: string) {
      const key = `${ns}/${name}`;
      const n = (calls.get(key) ?? 0) + 1;
      calls.set(key, n);
      const err = fail(key, n);
      if (err) throw err;
      patches.push({ key, patch, type });
      objects[key] = { ...objects[key], status: (patch as { status: IngressRoute['status'] }).status };
      return objects[key] as never;
    },
  };
  const writer = createStatusWriter({ client: client as never, logger: silentLogger(), current: (ns, name) => objects[`${ns}/${name}`], desired: (ns, name) => desired.get(`${ns}/${name}`) });
  const want = (ns: string, name: string, status: ObjectStatus) => {
    desired.set(`${ns}/${name}`, status);
    writer.want(ns, name);
  };
  return { writer, patches, want };
}
const ir = (ns: string, name: string, status?: IngressRoute['status']): IngressRoute => ({ metadata: { namespace: ns, name }, ...(status ? { status } : {}) });
const valid = { currentStatus: 'valid', description: 'valid IngressRoute' } as const;
const orphaned = { currentStatus: 'orphaned', description: 'this IngressRoute is not part of a delegation chain from a root IngressRoute' } as const;

test('writes a merge patch of status, only where it changes something, what the latest DAG says', async () => {
  const { writer, patches, want } = setup({ 'a/x': ir('a', 'x'), 'a/y': ir('a', 'y', valid) });
  const ac = new AbortController();
  const running = writer.run(ac.signal);
  want('a', 'x', orphaned);
  want('a', 'x', valid); // the DAG changed again before the write: the latest verdict is written
  want('a', 'y', valid); // already says so: no write
  want('a', 'gone', valid); // deleted: no write
  await writer.idle();
  ac.abort();
  await running;
  assert.deepEqual(patches, [{ key: 'a/x', patch: { status: valid }, type: 'merge' }]);
  assert.equal(writer.writes, 1);
});

test('a failed write is retried; a 404 is dropped', async () => {
  const { writer, patches, want } = setup(
    { 'a/x': ir('a', 'x'), 'a/z': ir('a', 'z') },
    (key, n) => (key === 'a/x' && n === 1 ? new ApiError(500, 'InternalError', 'boom') : key === 'a/z' ? new ApiError(404, 'NotFound', 'gone') : undefined),
  );
  const ac = new AbortController();
  const running = writer.run(ac.signal);
  want('a', 'x', valid);
  want('a', 'z', valid);
  await writer.idle();
  ac.abort();
  await running;
  assert.deepEqual(patches.map((p) => p.key), ['a/x']);
});
