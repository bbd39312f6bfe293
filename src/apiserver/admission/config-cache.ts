/**
 * The webhook configurations, kept in memory (kube's configuration manager, an informer): listed
 * once at start, then kept current by a storage watch (writes from any API server sharing the
 * storage) and by the store's own write notifications (so a configuration applied a moment ago
 * is seen by the very next request of this server).
 */
import type { Logger } from 'pino';
import type { KubeObject } from '../../apimachinery/object.js';
import type { ResourceType } from '../../apimachinery/resource-type.js';
import type { Store } from '../store.js';
import { ADMISSION_GROUP, MUTATING_KIND, VALIDATING_KIND } from './configuration.js';
import type { WebhookConfiguration } from './types.js';

type Kind = typeof MUTATING_KIND | typeof VALIDATING_KIND;

export class ConfigurationCache {
  private readonly byKind = new Map<Kind, Map<string, WebhookConfiguration>>([
    [MUTATING_KIND, new Map()],
    [VALIDATING_KIND, new Map()],
  ]);
  /** Sorted snapshots, rebuilt on change, so requests never sort. */
  private readonly sorted = new Map<Kind, WebhookConfiguration[]>([
    [MUTATING_KIND, []],
    [VALIDATING_KIND, []],
  ]);
  private readonly abort = new AbortController();

  constructor(
    private readonly store: Store,
    private readonly resources: { mutating: ResourceType; validating: ResourceType },
    private readonly log?: Logger,
  ) {
    store.observe({
      written: (rt, obj) => this.onEvent(rt, obj, false),
      deleted: (rt, obj) => this.onEvent(rt, obj, true),
    });
  }

  /** Configurations of a kind, sorted by name (the order kube calls them in). */
  configurations(kind: Kind): readonly WebhookConfiguration[] {
    return this.sorted.get(kind)!;
  }

  async start(): Promise<void> {
    for (const rt of [this.resources.mutating, this.resources.validating]) {
      const page = await this.store.list(rt, undefined);
      for (const item of page.items) this.put(rt.kind as Kind, item.object as WebhookConfiguration);
      void this.follow(rt, page.resourceVersion);
    }
  }

  stop(): void {
    this.abort.abort();
  }

  private onEvent(rt: ResourceType, obj: KubeObject, deleted: boolean): void {
    if (rt.group !== ADMISSION_GROUP || (rt.kind !== MUTATING_KIND && rt.kind !== VALIDATING_KIND)) return;
    if (deleted) this.remove(rt.kind, obj.metadata.name!, Number(obj.metadata.resourceVersion ?? 0));
    else this.put(rt.kind, obj as WebhookConfiguration);
  }

  /** Watch from `resourceVersion`; on a break, list again and carry on (as an informer relists). */
  private async follow(rt: ResourceType, resourceVersion: string): Promise<void> {
    let from = resourceVersion;
    while (!this.abort.signal.aborted) {
      try {
        for await (const ev of this.store.watch(rt, undefined, { resourceVersion: from }, this.abort.signal)) {
          if (ev.type === 'ERROR') throw new Error(ev.text);
          const obj = ev.object ?? (JSON.parse(ev.text) as KubeObject);
          from = obj.metadata.resourceVersion ?? from;
          if (ev.type === 'DELETED') this.remove(rt.kind as Kind, obj.metadata.name!, Number(obj.metadata.resourceVersion ?? 0));
          else this.put(rt.kind as Kind, obj as WebhookConfiguration);
        }
      } catch (e) {
        if (this.abort.signal.aborted) return;
        this.log?.info({ err: e, resource: rt.plural }, 'webhook configuration watch restarted');
        await new Promise((r) => setTimeout(r, 1000));
        try {
          const page = await this.store.list(rt, undefined);
          const seen = new Set<string>();
          for (const item of page.items) {
            seen.add(item.object.metadata.name!);
            this.put(rt.kind as Kind, item.object as WebhookConfiguration);
          }
          for (const name of [...this.byKind.get(rt.kind as Kind)!.keys()]) if (!seen.has(name)) this.remove(rt.kind as Kind, name, Infinity);
          from = page.resourceVersion;
        } catch {
          /* try again on the next round */
        }
      }
    }
  }

  private put(kind: Kind, obj: WebhookConfiguration): void {
    const map = this.byKind.get(kind)!;
    const name = obj.metadata.name!;
    const existing = map.get(name);
    // Both feeds report the same writes; keep the newest.
    if (existing && Number(existing.metadata.resourceVersion ?? 0) > Number(obj.metadata.resourceVersion ?? 0)) return;
    map.set(name, obj);
    this.resort(kind);
  }

  /** Remove unless what is cached is newer than the deletion (a late watch event after a re-create). */
  private remove(kind: Kind, name: string, resourceVersion: number): void {
    const map = this.byKind.get(kind)!;
    const existing = map.get(name);
    if (!existing || Number(existing.metadata.resourceVersion ?? 0) > resourceVersion) return;
    map.delete(name);
    this.resort(kind);
  }

  private resort(kind: Kind): void {
    this.sorted.set(kind, [...this.byKind.get(kind)!.values()].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0)));
  }
}
