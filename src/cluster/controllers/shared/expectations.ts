/**
 * Expectations (controller_utils.go's ControllerExpectations), level-based: after a controller
 * creates or deletes objects it waits until its informer cache shows those writes before it
 * counts again, so a lagging cache never makes it create twice. Instead of counting informer
 * events, it remembers the names it wrote and asks the cache; a record older than the TTL is
 * dropped (kube's ExpectationsTimeout is 5 minutes).
 */
export const EXPECTATIONS_TTL_MS = 5 * 60_000;

interface Record {
  /** namespace/name of objects created, not yet in the cache. */
  creates: Set<string>;
  /** namespace/name of objects deleted, still in the cache without a deletionTimestamp. */
  deletes: Set<string>;
  at: number;
}

export interface CachedState {
  /** Present in the cache at all. */
  exists(key: string): boolean;
  /** Present and not being deleted. */
  live(key: string): boolean;
}

export class Expectations {
  private readonly records = new Map<string, Record>();

  constructor(private readonly now: () => number = Date.now) {}

  private record(controllerKey: string): Record {
    let r = this.records.get(controllerKey);
    if (!r) this.records.set(controllerKey, (r = { creates: new Set(), deletes: new Set(), at: this.now() }));
    r.at = this.now();
    return r;
  }

  expectCreate(controllerKey: string, objectKey: string): void {
    this.record(controllerKey).creates.add(objectKey);
  }

  expectDelete(controllerKey: string, objectKey: string): void {
    this.record(controllerKey).deletes.add(objectKey);
  }

  /** Whether the cache has caught up with every write since the last sync. */
  satisfied(controllerKey: string, cache: CachedState): boolean {
    const r = this.records.get(controllerKey);
    if (!r) return true;
    for (const k of r.creates) if (cache.exists(k)) r.creates.delete(k);
    for (const k of r.deletes) if (!cache.live(k)) r.deletes.delete(k);
    if ((r.creates.size === 0 && r.deletes.size === 0) || this.now() - r.at > EXPECTATIONS_TTL_MS) {
      this.records.delete(controllerKey);
      return true;
    }
    return false;
  }

  forget(controllerKey: string): void {
    this.records.delete(controllerKey);
  }
}
