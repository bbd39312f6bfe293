/**
 * The garbage collector (kube-controller-manager's, run in the server process until the
 * controller runtime exists): follows ownerReferences so that
 * - a dependent whose owners are all gone is deleted (Background propagation);
 * - an owner deleted with `Foreground` keeps its `foregroundDeletion` finalizer until its
 *   dependents are gone (it deletes them first);
 * - an owner deleted with `Orphan` keeps its `orphan` finalizer until the references to it are
 *   removed from its dependents.
 * It keeps an index of owners and dependents by uid, built from one list at start and kept up to
 * date from the store's write notifications, and works through a queue of uids.
 */
import type { Logger } from 'pino';
import { StatusError } from '../apimachinery/errors.js';
import type { KubeObject, ObjectMeta } from '../apimachinery/object.js';
import type { ResourceType } from '../apimachinery/resource-type.js';
import type { Backend } from '../storage/index.js';
import type { ResourceRegistry } from './registry.js';
import type { Store } from './store.js';
import { yieldEvery } from './yield.js';

interface Node {
  uid: string;
  key: string;
  rt: ResourceType;
  namespace?: string;
  name: string;
  owners: Array<{ uid: string; blockOwnerDeletion: boolean }>;
  finalizers: string[];
  deleting: boolean;
}

const GC_FINALIZERS = ['orphan', 'foregroundDeletion'];
const RETRY_MS = 1000;
/** Storage writes between two turns of the event loop, so requests are served during a collection. */
const YIELD_EVERY = 16;
const STALE_RETRY_MS = 100;
const decoder = new TextDecoder();

export class GarbageCollector {
  private readonly nodes = new Map<string, Node>();
  private readonly byKey = new Map<string, string>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly queue = new Set<string>();
  private readonly abort = new AbortController();
  private working = false;
  private readonly retryTimers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly backend: Backend,
    private readonly store: Store,
    private readonly registry: ResourceRegistry,
    private readonly log: Logger,
  ) {}

  /** Build the index from storage, then follow the storage watch. */
  /** Build the index from storage, then follow the store's writes as they happen. */
  async start(): Promise<void> {
    const list = await this.backend.list('/registry/');
    for (const kv of list.items) {
      const where = this.typeOfKey(kv.key);
      const meta = where && metadataOf(decoder.decode(kv.value));
      if (where && meta) this.index(kv.key, where, meta);
    }
    for (const uid of this.nodes.keys()) this.queue.add(uid);
    this.store.observe({
      written: (rt, obj) => {
        this.index(this.store.key(rt, obj.metadata.namespace, obj.metadata.name!), { rt, namespace: obj.metadata.namespace, name: obj.metadata.name! }, obj.metadata);
        this.kick();
      },
      deleted: (rt, obj) => {
        this.forget(this.store.key(rt, obj.metadata.namespace, obj.metadata.name!));
        this.kick();
      },
    });
    this.kick();
  }

  stop(): void {
    this.abort.abort();
    for (const t of this.retryTimers) clearTimeout(t);
  }

  private retryLater(uid: string, ms: number): void {
    if (this.abort.signal.aborted) return;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      this.queue.add(uid);
      this.kick();
    }, ms);
    this.retryTimers.add(timer);
  }

  /** The resource type a storage key belongs to (any served version will do). */
  private typeOfKey(key: string): { rt: ResourceType; namespace?: string; name: string } | undefined {
    const parts = key.split('/');
    // ['', 'registry', group|core, plural, ns?, name]
    const rt = this.registry.byGroupResource(parts[2] === 'core' ? '' : parts[2], parts[3]);
    if (!rt) return undefined;
    return rt.namespaced ? { rt, namespace: parts[4], name: parts[5] } : { rt, name: parts[4] };
  }

  private index(key: string, where: { rt: ResourceType; namespace?: string; name: string }, meta: ObjectMeta): void {
    const uid = meta.uid;
    if (!uid) return;
    this.forget(key, false);
    const node: Node = {
      uid,
      key,
      ...where,
      owners: (meta.ownerReferences ?? []).map((r) => ({ uid: r.uid, blockOwnerDeletion: Boolean(r.blockOwnerDeletion) })),
      finalizers: [...(meta.finalizers ?? [])],
      deleting: Boolean(meta.deletionTimestamp),
    };
    this.nodes.set(uid, node);
    this.byKey.set(key, uid);
    for (const owner of node.owners) {
      if (!this.dependents.has(owner.uid)) this.dependents.set(owner.uid, new Set());
      this.dependents.get(owner.uid)!.add(uid);
    }
    // Only objects with owners (to check) or deletion finalizers of ours (to carry out) need work.
    if (node.owners.length > 0 || (node.deleting && GC_FINALIZERS.some((f) => node.finalizers.includes(f)))) this.queue.add(uid);
  }

  private forget(key: string, enqueue = true): void {
    const uid = this.byKey.get(key);
    if (!uid) return;
    const node = this.nodes.get(uid)!;
    this.nodes.delete(uid);
    this.byKey.delete(key);
    for (const owner of node.owners) {
      this.dependents.get(owner.uid)?.delete(uid);
      if (this.dependents.get(owner.uid)?.size === 0) this.dependents.delete(owner.uid);
      // An owner in foreground deletion waits for its dependents to go.
      if (enqueue && this.nodes.get(owner.uid)?.deleting) this.queue.add(owner.uid);
    }
    // A gone owner's dependents may now be orphans.
    if (enqueue && this.dependents.has(uid)) this.queue.add(uid);
  }

  private kick(): void {
    if (this.working || this.abort.signal.aborted) return;
    this.working = true;
    void this.drain().finally(() => {
      this.working = false;
      if (this.queue.size > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    const pause = yieldEvery(YIELD_EVERY);
    while (this.queue.size > 0 && !this.abort.signal.aborted) {
      await pause();
      const uid = this.queue.values().next().value as string;
      this.queue.delete(uid);
      try {
        await this.process(uid);
      } catch (e) {
        // A 404 or 409 means the index is behind the store: the watch will catch up; try again soon.
        const stale = e instanceof StatusError && (e.code === 404 || e.code === 409);
        if (!stale) this.log.info({ uid, err: (e as Error).message }, 'garbage collection failed; retrying');
        this.retryLater(uid, stale ? STALE_RETRY_MS : RETRY_MS);
      }
    }
  }

  /** Decide for one uid: as an owner being deleted, and as a dependent whose owners may be gone. */
  private async process(uid: string): Promise<void> {
    const node = this.nodes.get(uid);
    const dependents = [...(this.dependents.get(uid) ?? [])].map((d) => this.nodes.get(d)).filter((n): n is Node => n !== undefined);
    if (!node) {
      // The owner is gone: dependents without any remaining owner go too.
      const pause = yieldEvery(YIELD_EVERY);
      for (const dep of dependents) {
        await this.collectIfOrphaned(dep);
        await pause();
      }
      return;
    }
    if (node.deleting && node.finalizers.includes('orphan')) {
      const pause = yieldEvery(YIELD_EVERY);
      for (const dep of dependents) {
        await this.removeOwnerReference(dep, uid);
        await pause();
      }
      await this.removeFinalizer(node, 'orphan');
      return;
    }
    if (node.deleting && node.finalizers.includes('foregroundDeletion')) {
      const pause = yieldEvery(YIELD_EVERY);
      for (const dep of dependents) {
        if (!dep.deleting) await this.deleteNode(dep, 'Foreground');
        await pause();
      }
      if (!dependents.some((d) => d.owners.some((o) => o.uid === uid && o.blockOwnerDeletion))) {
        await this.removeFinalizer(node, 'foregroundDeletion');
      }
      return;
    }
    if (node.owners.length > 0) await this.collectIfOrphaned(node);
  }

  private async collectIfOrphaned(node: Node): Promise<void> {
    const live = node.owners.filter((o) => this.nodes.has(o.uid));
    if (live.length === node.owners.length || node.deleting) return;
    if (live.length === 0) await this.deleteNode(node, 'Background');
    else for (const gone of node.owners.filter((o) => !this.nodes.has(o.uid))) await this.removeOwnerReference(node, gone.uid);
  }

  private async deleteNode(node: Node, propagationPolicy: 'Background' | 'Foreground'): Promise<void> {
    try {
      await this.store.delete(node.rt, node.namespace, node.name, { propagationPolicy, preconditions: { uid: node.uid } });
      this.log.debug({ object: selfLink(node) }, 'garbage collected');
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
  }

  private async removeOwnerReference(node: Node, ownerUid: string): Promise<void> {
    await this.store.update(node.rt, node.namespace, node.name, (current) => {
      if (!current || current.metadata.uid !== node.uid) throw new StatusError(404, 'NotFound', 'gone');
      const next: KubeObject = { ...current, metadata: { ...current.metadata } };
      const refs = (current.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
      if (refs.length === 0) delete next.metadata.ownerReferences;
      else next.metadata.ownerReferences = refs;
      return next;
    });
  }

  private async removeFinalizer(node: Node, finalizer: string): Promise<void> {
    await this.store.update(node.rt, node.namespace, node.name, (current) => {
      if (!current || current.metadata.uid !== node.uid) throw new StatusError(404, 'NotFound', 'gone');
      const next: KubeObject = { ...current, metadata: { ...current.metadata } };
      const finalizers = (current.metadata.finalizers ?? []).filter((f) => f !== finalizer);
      if (finalizers.length === 0) delete next.metadata.finalizers;
      else next.metadata.finalizers = finalizers;
      return next;
    });
  }
}

/**
 * The metadata of a stored object without parsing the whole object: stored JSON has
 * apiVersion, kind and then metadata, so the metadata object is cut out and parsed alone.
 */
function metadataOf(text: string): ObjectMeta | undefined {
  const open = text.indexOf('"metadata":{');
  if (open < 0) return undefined;
  const start = open + '"metadata":'.length;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */) depth++;
    else if (c === 125 /* } */ && --depth === 0) return JSON.parse(text.slice(start, i + 1)) as ObjectMeta;
  }
  return undefined;
}

function selfLink(node: Node): string {
  const base = node.rt.group ? `/apis/${node.rt.group}/${node.rt.version}` : `/api/${node.rt.version}`;
  return node.namespace ? `${base}/namespaces/${node.namespace}/${node.rt.plural}/${node.name}` : `${base}/${node.rt.plural}/${node.name}`;
}
