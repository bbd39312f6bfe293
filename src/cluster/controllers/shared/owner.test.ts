import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { claimObjects, newControllerRef, withControllerRef, withoutOwner } from './owner.js';
import { selectorMatches } from './pod-util.js';

const owner = { metadata: { name: 'web-1', namespace: 'default', uid: 'rs-1' } };
const ref = (uid: string) => [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid, controller: true }];
const pod = (name: string, labels: Record<string, string>, o: { owner?: string; deleting?: boolean; namespace?: string } = {}): Pod => ({
  metadata: { name, namespace: o.namespace ?? 'default', uid: name, labels, ...(o.owner ? { ownerReferences: ref(o.owner) } : {}), ...(o.deleting ? { deletionTimestamp: 'x' } : {}) },
});
const selected = (p: Pod) => selectorMatches({ matchLabels: { app: 'web' } }, p.metadata?.labels);
const names = (ps: Pod[]) => ps.map((p) => p.metadata!.name);

test('claimObjects: keeps its own, adopts matching orphans, releases what no longer matches, ignores others', () => {
  const pods = [
    pod('mine', { app: 'web' }, { owner: 'rs-1' }),
    pod('relabelled', { app: 'db' }, { owner: 'rs-1' }),
    pod('orphan', { app: 'web' }),
    pod('orphan-deleting', { app: 'web' }, { deleting: true }),
    pod('orphan-other-ns', { app: 'web' }, { namespace: 'other' }),
    pod('theirs', { app: 'web' }, { owner: 'rs-2' }),
  ];
  const c = claimObjects(owner, pods, selected);
  assert.deepEqual([names(c.owned), names(c.adopt), names(c.release)], [['mine', 'orphan'], ['orphan'], ['relabelled']]);
});

test('claimObjects: an owner being deleted neither adopts nor releases', () => {
  const c = claimObjects({ metadata: { ...owner.metadata, deletionTimestamp: 'x' } }, [pod('orphan', { app: 'web' }), pod('relabelled', { app: 'db' }, { owner: 'rs-1' })], selected);
  assert.deepEqual([c.owned, c.adopt, c.release], [[], [], []]);
});

test('controller references: new, added and removed', () => {
  const r = newControllerRef(owner, 'apps/v1', 'ReplicaSet');
  assert.deepEqual(r, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'rs-1', controller: true, blockOwnerDeletion: true });
  const p = pod('p', {}, { owner: 'rs-9' });
  assert.deepEqual(withControllerRef(p, r).map((x) => x.uid), ['rs-9', 'rs-1']);
  assert.deepEqual(withoutOwner(p, 'rs-9'), []);
});
