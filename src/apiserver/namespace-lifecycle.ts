/**
 * What happens to a namespace after `kubectl delete namespace`: it is Terminating, its contents
 * are deleted (honouring their finalizers), and once it is empty its `kubernetes` finalizer is
 * removed through /finalize, which removes the namespace itself. kube-controller-manager's
 * namespace controller does this on a real cluster; the embedded server does it in process until
 * the core controllers exist.
 */
import type { Logger } from 'pino';
import { StatusError } from '../apimachinery/errors.js';
import type { ResourceRegistry } from './registry.js';
import type { Store } from './store.js';
import { yieldEvery } from './yield.js';

const RETRY_MS = 1000;

export class NamespaceLifecycle {
  private readonly active = new Set<string>();
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly store: Store,
    private readonly registry: ResourceRegistry,
    private readonly log: Logger,
  ) {}

  /** Finish deleting every namespace already marked Terminating (after a restart). */
  async resume(): Promise<void> {
    const namespaces = this.registry.lookup('', 'v1', 'namespaces')!;
    const page = await this.store.list(namespaces, undefined);
    for (const item of page.items) if (item.object.metadata.deletionTimestamp) this.terminate(item.object.metadata.name!);
  }

  terminate(name: string): void {
    if (this.active.has(name) || this.stopped) return;
    this.active.add(name);
    void this.run(name);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
  }

  private async run(name: string): Promise<void> {
    try {
      const remaining = await this.deleteContents(name);
      if (remaining === 0) {
        const namespaces = this.registry.lookup('', 'v1', 'namespaces')!;
        await this.store.update(namespaces, undefined, name, (current) => {
          if (!current) throw new StatusError(404, 'NotFound', 'gone');
          return { ...current, spec: { ...current.spec, finalizers: [] } };
        }, { subresource: 'finalize' });
        this.active.delete(name);
        this.log.info({ object: `/api/v1/namespaces/${name}` }, 'namespace finalized');
        return;
      }
    } catch (e) {
      if (e instanceof StatusError && e.code === 404) {
        this.active.delete(name);
        return;
      }
      this.log.info({ object: `/api/v1/namespaces/${name}`, err: (e as Error).message }, 'namespace cleanup failed; retrying');
    }
    if (this.stopped) return;
    this.active.delete(name);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.terminate(name);
    }, RETRY_MS);
    this.timers.add(timer);
  }

  /** Delete what is in the namespace; returns how many objects remain (finalizers pending). */
  private async deleteContents(namespace: string): Promise<number> {
    const types = this.registry.all().filter((rt) => rt.namespaced);
    const pause = yieldEvery(16);
    for (const rt of types) {
      for (const item of (await this.store.list(rt, namespace)).items) {
        await pause();
        if (item.object.metadata.deletionTimestamp) continue;
        try {
          await this.store.delete(rt, namespace, item.object.metadata.name!, { propagationPolicy: 'Background' });
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 404)) throw e;
        }
      }
    }
    let remaining = 0;
    for (const rt of types) remaining += (await this.store.list(rt, namespace)).items.length;
    return remaining;
  }
}
