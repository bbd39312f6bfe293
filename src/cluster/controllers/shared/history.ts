/**
 * ControllerRevisions, the history DaemonSets and StatefulSets keep (pkg/controller/history):
 * one per distinct template, named `<owner>-<hash>`, numbered by `revision`; the current one is
 * created or, on a rollback to an older template, renumbered to the newest; old ones beyond
 * revisionHistoryLimit that no pod uses are deleted.
 */
import type { ControllerRevision } from 'kubernetes-types/apps/v1.js';
import { isAlreadyExists, type ResourceType } from '../../../runtime/index.js';
import { asK, cachedByOwner, type ControllerContext } from './context.js';
import { newControllerRef, isControlledBy, type Owned } from './owner.js';

export const controllerRevisionsKind: ResourceType = { apiVersion: 'apps/v1', kind: 'ControllerRevision', plural: 'controllerrevisions' };

/** ControllerRevisionName: `<prefix>-<hash>`, the prefix cut to 223 characters. */
export function revisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/** The revisions `owner` controls, oldest revision first. */
export function ownedRevisions(ctx: ControllerContext, owner: Owned): ControllerRevision[] {
  return cachedByOwner<ControllerRevision>(ctx, controllerRevisionsKind, owner.metadata!.uid!)
    .filter((r) => isControlledBy(r, owner))
    .sort((a, b) => a.revision - b.revision);
}

/**
 * Make the revision for `hash` the newest: create it (revision max + 1), or renumber an older one
 * with the same name. Returns its name and number.
 */
export async function ensureRevision(
  ctx: ControllerContext,
  owner: Owned,
  kind: { apiVersion: string; kind: string },
  hash: string,
  data: unknown,
  labels: Record<string, string>,
): Promise<{ name: string; revision: number }> {
  const revisions = ownedRevisions(ctx, owner);
  const name = revisionName(owner.metadata!.name!, hash);
  const max = revisions.reduce((m, r) => Math.max(m, r.revision), 0);
  const existing = revisions.find((r) => r.metadata?.name === name);
  if (existing) {
    if (existing.revision === max) return { name, revision: max };
    await ctx.manager.client.update(controllerRevisionsKind, asK({ ...existing, revision: max + 1 }));
    return { name, revision: max + 1 };
  }
  const cr: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name, namespace: owner.metadata!.namespace, labels, ownerReferences: [newControllerRef(owner, kind.apiVersion, kind.kind)] },
    data: data as ControllerRevision['data'],
    revision: max + 1,
  };
  try {
    await ctx.manager.client.create(controllerRevisionsKind, asK(cr));
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
  return { name, revision: max + 1 };
}

/** Delete the oldest revisions beyond `limit`, except `keep` (current and in use). */
export async function truncateHistory(ctx: ControllerContext, owner: Owned, limit: number, keep: ReadonlySet<string>): Promise<void> {
  const candidates = ownedRevisions(ctx, owner).filter((r) => !keep.has(r.metadata!.name!));
  const extra = candidates.length - limit;
  for (const r of candidates.slice(0, Math.max(0, extra))) await ctx.manager.client.delete(controllerRevisionsKind, r.metadata!.namespace!, r.metadata!.name!);
}
