/**
 * What every controller shell gets: the manager (client, cache, events), the clock, and how many
 * workers to run. Also the small write helpers the shells share (adopt and release by patching
 * ownerReferences with the object's resourceVersion, so a stale cache fails with a conflict).
 */
import { isConflict, isNotFound, kinds, OWNER_INDEX, type Manager, type ResourceType, type KObject, type Request, type Result } from '../../../runtime/index.js';
import type { CachedState } from './expectations.js';
import type { OwnerReference } from 'kubernetes-types/meta/v1.js';
import { withControllerRef, withoutOwner, type Owned } from './owner.js';

export interface ControllerContext {
  readonly manager: Manager;
  readonly now: () => number;
  readonly workers: number;
}

/** Adopt `obj` (patch in the controller reference); returns the patched object. */
export async function adopt<T extends Owned>(ctx: ControllerContext, type: ResourceType, obj: T, ref: OwnerReference, extra: Record<string, unknown> = {}): Promise<T> {
  return (await ctx.manager.client.patch(type, obj.metadata!.namespace ?? '', obj.metadata!.name!, {
    metadata: { ownerReferences: withControllerRef(obj, ref), resourceVersion: obj.metadata!.resourceVersion, ...extra },
  })) as unknown as T;
}

/** Release `obj` from the owner `uid` (patch out its reference). */
export async function release<T extends Owned>(ctx: ControllerContext, type: ResourceType, obj: T, uid: string): Promise<void> {
  const refs = withoutOwner(obj, uid);
  await ctx.manager.client.patch(type, obj.metadata!.namespace ?? '', obj.metadata!.name!, {
    metadata: { ownerReferences: refs.length ? refs : null, resourceVersion: obj.metadata!.resourceVersion },
  });
}

/** `namespace/name`. */
export const keyOf = (o: { metadata?: { namespace?: string; name?: string } }): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

// The runtime types objects as client-node's KubernetesObject (timestamps as Date); on the wire
// and in the cache they are JSON, which kubernetes-types describes (timestamps as strings). These
// helpers convert the static type only.

/** A kubernetes-types object as the runtime's KObject. */
export const asK = <T>(o: T): KObject => o as unknown as KObject;

export function cached<T>(ctx: ControllerContext, type: ResourceType, namespace: string, name: string): T | undefined {
  return ctx.manager.cache.get(type, namespace, name) as unknown as T | undefined;
}

export function cachedList<T>(ctx: ControllerContext, type: ResourceType, namespace?: string): T[] {
  return ctx.manager.cache.list(type, { namespace }) as unknown as T[];
}

/** Cached objects that name `uid` among their ownerReferences. */
export function cachedByOwner<T>(ctx: ControllerContext, type: ResourceType, uid: string): T[] {
  return ctx.manager.cache.informerFor(type).byIndex(OWNER_INDEX, uid) as unknown as T[];
}

/** What the informer cache says of a pod, by `namespace/name`: for Expectations. */
export function cachedPodState(ctx: ControllerContext): CachedState {
  const pod = (key: string) => {
    const slash = key.indexOf('/');
    return cached<{ metadata?: { deletionTimestamp?: unknown } }>(ctx, kinds.pods, key.slice(0, slash), key.slice(slash + 1));
  };
  return {
    exists: (key) => !!pod(key),
    live: (key) => {
      const p = pod(key);
      return !!p && !p.metadata?.deletionTimestamp;
    },
  };
}

/**
 * Wrap a reconcile so a write that lost a race (409, or 404 where `alsoNotFound`) is retried
 * shortly from fresher cache state instead of counting as a failure with backoff.
 */
export function retryStaleWrites(reconcile: (req: Request) => Promise<Result>, alsoNotFound = false): (req: Request) => Promise<Result> {
  return async (req) => {
    try {
      return await reconcile(req);
    } catch (e) {
      if (isConflict(e) || (alsoNotFound && isNotFound(e))) return { requeueAfterMs: 50 };
      throw e;
    }
  };
}
