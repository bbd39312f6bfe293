/**
 * What kube-apiserver's apiextensions controllers do for a CRD, in process: serve its versions as
 * soon as it is written (registry, strategy, conversions, table columns, OpenAPI), report the
 * `NamesAccepted` and `Established` conditions, and on deletion remove every custom resource
 * before the `customresourcecleanup` finalizer is released.
 */
import type { Logger } from 'pino';
import { StatusError } from '../../apimachinery/errors.js';
import { nowTimestamp, type KubeObject } from '../../apimachinery/object.js';
import type { ResourceType } from '../../apimachinery/resource-type.js';
import type { Conversion } from '../conversion.js';
import type { ResourceRegistry } from '../registry.js';
import type { Store } from '../store.js';
import { yieldEvery } from '../yield.js';
import { strategyKey, type Strategy } from '../strategy.js';
import type { Convertor } from '../table/index.js';
import { CRD_CLEANUP_FINALIZER } from './crd-strategy.js';
import {
  conversionsOf,
  crdSpec,
  customResourceStrategy,
  printerColumnsConvertor,
  resourceTypesOf,
  storageVersion,
  type CrdSpec,
} from './custom-resources.js';

export interface CrdServingTables {
  registry: ResourceRegistry;
  strategies: Map<string, Strategy>;
  conversions: Map<string, Conversion>;
  convertors: Map<string, Convertor>;
  /** Called when the set of served custom resources changes (OpenAPI documents, discovery caches). */
  onChange?(spec: CrdSpec, served: boolean): void;
}

interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason: string;
  message: string;
}

const RETRY_MS = 1000;

export class CrdLifecycle {
  private readonly served = new Map<string, { spec: CrdSpec; types: ResourceType[] }>();
  private readonly cleaning = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly tables: CrdServingTables,
    private readonly log: Logger,
  ) {}

  private get crdType(): ResourceType {
    return this.tables.registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
  }

  /** Serve every stored CRD (at start) and finish deletions a restart interrupted. */
  async resume(): Promise<void> {
    for (const item of (await this.store.list(this.crdType, undefined)).items) this.onWrite(item.object);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
  }

  /** After a CRD is created or updated: serve it now, and bring its status up to date. */
  onWrite(crd: KubeObject): void {
    const name = crd.metadata.name!;
    const spec = crdSpec(crd);
    if (crd.metadata.deletionTimestamp) {
      this.cleanUp(name);
      return;
    }
    const conflict = this.namesConflict(name, spec);
    if (!conflict) this.serve(name, spec);
    this.later(() => this.updateStatus(name, conflict));
  }

  /** After a CRD is gone from storage. */
  onDelete(crd: KubeObject): void {
    this.unserve(crd.metadata.name!);
  }

  private namesConflict(name: string, spec: CrdSpec): string | undefined {
    for (const [other, { spec: o }] of this.served) {
      if (other === name || o.group !== spec.group) continue;
      if (o.names.kind === spec.names.kind) return `"${spec.names.kind}" is already in use`;
      for (const s of spec.names.shortNames ?? []) if ((o.names.shortNames ?? []).includes(s)) return `"${s}" is already in use`;
    }
    for (const v of spec.versions) {
      const existing = this.tables.registry.lookup(spec.group, v.name, spec.names.plural);
      if (existing && !this.served.has(name)) return `"${spec.names.plural}" is already in use`;
    }
    return undefined;
  }

  private serve(name: string, spec: CrdSpec): void {
    this.unserve(name, false);
    const types = resourceTypesOf(spec);
    for (const rt of types) this.tables.registry.add(rt);
    this.tables.strategies.set(strategyKey(spec.group, spec.names.kind), customResourceStrategy(spec));
    for (const [key, conversion] of conversionsOf(spec)) this.tables.conversions.set(key, conversion);
    for (const v of spec.versions) {
      const convertor = printerColumnsConvertor(v);
      if (convertor) this.tables.convertors.set(`${spec.group}/${v.name}/${spec.names.kind}`, convertor);
    }
    this.served.set(name, { spec, types });
    this.tables.onChange?.(spec, true);
  }

  private unserve(name: string, notify = true): void {
    const entry = this.served.get(name);
    if (!entry) return;
    const { spec, types } = entry;
    for (const rt of types) this.tables.registry.remove(rt);
    this.tables.strategies.delete(strategyKey(spec.group, spec.names.kind));
    for (const v of spec.versions) {
      this.tables.conversions.delete(`${spec.group}/${v.name}/${spec.names.kind}`);
      this.tables.convertors.delete(`${spec.group}/${v.name}/${spec.names.kind}`);
    }
    this.served.delete(name);
    if (notify) this.tables.onChange?.(spec, false);
  }

  private async updateStatus(name: string, conflict: string | undefined): Promise<void> {
    await this.store.update(
      this.crdType,
      undefined,
      name,
      (current) => {
        if (!current) throw new StatusError(404, 'NotFound', 'gone');
        const spec = crdSpec(current);
        const status = structuredClone(current.status ?? {});
        const conditions: Condition[] = status.conditions ?? [];
        const set = (c: Condition) => {
          const at = conditions.findIndex((x) => x.type === c.type);
          const previous = at >= 0 ? conditions[at] : undefined;
          const next = { ...c, lastTransitionTime: previous?.status === c.status ? previous.lastTransitionTime : nowTimestamp() };
          if (at >= 0) conditions[at] = next;
          else conditions.push(next);
        };
        if (conflict) {
          set({ type: 'NamesAccepted', status: 'False', reason: 'NameConflict', message: conflict });
          set({ type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' });
        } else {
          set({ type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' });
          set({ type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' });
          status.acceptedNames = { ...spec.names };
          const stored = storageVersion(spec)?.name;
          const versions: string[] = status.storedVersions ?? [];
          if (stored && !versions.includes(stored)) versions.push(stored);
          status.storedVersions = versions;
        }
        status.conditions = conditions;
        return { ...current, status };
      },
      { subresource: 'status' },
    );
  }

  /** Delete every custom resource of a CRD being deleted, then release its finalizer. */
  private cleanUp(name: string): void {
    if (this.cleaning.has(name) || this.stopped) return;
    this.cleaning.add(name);
    void (async () => {
      try {
        const entry = this.served.get(name);
        let remaining = 0;
        if (entry) {
          const rt = entry.types[0];
          const pause = yieldEvery(16);
          for (const item of (await this.store.list(rt, undefined)).items) {
            await pause();
            remaining++;
            if (item.object.metadata.deletionTimestamp) continue;
            try {
              await this.store.delete(rt, item.object.metadata.namespace, item.object.metadata.name!);
            } catch (e) {
              if (!(e instanceof StatusError && e.code === 404)) throw e;
            }
          }
          if (remaining > 0) remaining = (await this.store.list(rt, undefined)).items.length;
        }
        if (remaining === 0) {
          this.unserve(name);
          await this.store.update(this.crdType, undefined, name, (current) => {
            if (!current) throw new StatusError(404, 'NotFound', 'gone');
            return { ...current, metadata: { ...current.metadata, finalizers: (current.metadata.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER) } };
          });
          this.cleaning.delete(name);
          return;
        }
      } catch (e) {
        if (e instanceof StatusError && e.code === 404) {
          this.cleaning.delete(name);
          return;
        }
        this.log.info({ object: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`, err: (e as Error).message }, 'custom resource cleanup failed; retrying');
      }
      this.cleaning.delete(name);
      this.later(() => this.cleanUp(name), RETRY_MS);
    })();
  }

  private later(fn: () => unknown, ms = 0): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      Promise.resolve()
        .then(fn)
        .catch((e: Error) => {
          if (!(e instanceof StatusError && e.code === 404)) this.log.info({ err: e.message }, 'crd status update failed');
        });
    }, ms);
    this.timers.add(timer);
  }
}
