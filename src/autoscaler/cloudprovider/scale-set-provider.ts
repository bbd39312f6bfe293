/**
 * The `scaleset` cloud provider: node groups over Flotilla's ScaleSets, as cluster-autoscaler's
 * Azure provider drives VMSS (azure.md §8).
 *
 * - Groups come from `--nodes=<min>:<max>:<name>` (in flag order) and from
 *   `--node-group-auto-discovery=label:…` matched against the scale sets' tags (sorted by name,
 *   after the explicit ones); a scale set named twice keeps its explicit bounds.
 * - `targetSize()` is `spec.capacity`, cached for `sizeRefreshPeriodMs` (60 s, today's Azure
 *   provider; 15 s in 2018) and updated by this provider's own writes.
 * - `increaseSize` and `deleteNodes` are optimistic-concurrency writes (an update carrying the
 *   resourceVersion just read, retried on conflict); deleting names exact instances through
 *   {@link requestInstanceDeletion}, so no other instance goes and none is replaced.
 * - `nodes()` are `status.instances` with their providerIDs; nodes match them case-insensitively.
 */
import type { Node } from 'kubernetes-types/core/v1.js';
import { equalFold, parseVmssProviderID, requestInstanceDeletion, scaleSetKind, type ProvisioningState, type ScaleSet } from '../../cluster/cloud/index.js';
import { retryOnConflict, type Client, type KObject } from '../../runtime/index.js';
import { resolveAutoDiscovery, type AutoDiscoverySpec, type NodeGroupSpec } from '../options.js';
import type { Instance, TemplateNodeInfo } from '../types.js';
import { CloudProviderError, type CloudProvider, type NodeGroup } from './cloud-provider.js';
import { scaleSetTemplateNode } from './template-node.js';

export const SCALE_SET_PROVIDER = 'scaleset';

export interface ScaleSetProviderOptions {
  /** Reads fresh ScaleSets (`get`) and writes them (`update`); `list` when no `scaleSets` source is given. */
  readonly client: Pick<Client, 'get' | 'update' | 'list'>;
  /** `--nodes`. */
  readonly nodes?: readonly NodeGroupSpec[];
  /** `--node-group-auto-discovery`. */
  readonly autoDiscovery?: readonly AutoDiscoverySpec[];
  /** The ScaleSets as an informer holds them; default: list them through the client on every refresh. */
  readonly scaleSets?: () => readonly ScaleSet[];
  /** How long a target size read from the cloud is trusted (default 60 s). */
  readonly sizeRefreshPeriodMs?: number;
  /** Pods every new node of a group starts with (DaemonSet pods), for its template. */
  readonly defaultPods?: (template: TemplateNodeInfo) => TemplateNodeInfo['pods'];
  readonly now?: () => number;
  /** Called with groups that were discovered or named but left out, and why. */
  readonly onIgnored?: (name: string, reason: string) => void;
}

export interface ScaleSetProvider extends CloudProvider {
  /** The group of a scale set, by name (case-insensitive). */
  nodeGroup(id: string): NodeGroup | undefined;
}

const STATE: Record<ProvisioningState, Instance['state']> = { Creating: 'Creating', Succeeded: 'Running', Deleting: 'Deleting', Failed: 'Creating' };

interface Cached {
  size: number;
  at: number;
}

export function createScaleSetProvider(opts: ScaleSetProviderOptions): ScaleSetProvider {
  const now = opts.now ?? Date.now;
  const period = opts.sizeRefreshPeriodMs ?? 60_000;
  const { client } = opts;
  /** By scale set name, lower case. */
  const sizes = new Map<string, Cached>();
  let byName = new Map<string, ScaleSet>();
  let groups: ScaleSetNodeGroup[] = [];

  async function loadScaleSets(): Promise<readonly ScaleSet[]> {
    if (opts.scaleSets) return opts.scaleSets();
    return (await client.list(scaleSetKind)).items as unknown as ScaleSet[];
  }

  async function fresh(name: string): Promise<ScaleSet> {
    const ss = (await client.get(scaleSetKind, '', name)) as unknown as ScaleSet | undefined;
    if (!ss) throw new CloudProviderError(`scale set ${name} not found`);
    byName.set(name.toLowerCase(), ss);
    return ss;
  }

  /** Write `spec` over `ss` with its resourceVersion; a conflict rethrows (the caller re-reads). */
  async function writeSpec(ss: ScaleSet, spec: ScaleSet['spec']): Promise<ScaleSet> {
    const stored = (await client.update(scaleSetKind, { ...ss, spec } as unknown as KObject)) as unknown as ScaleSet;
    byName.set(ss.metadata.name.toLowerCase(), stored);
    sizes.set(ss.metadata.name.toLowerCase(), { size: stored.spec.capacity, at: now() });
    return stored;
  }

  class ScaleSetNodeGroup implements NodeGroup {
    constructor(
      readonly name: string,
      private readonly min: number,
      private readonly max: number,
    ) {}

    private get scaleSet(): ScaleSet | undefined {
      return byName.get(this.name.toLowerCase());
    }
    id(): string {
      return this.name;
    }
    minSize(): number {
      return this.min;
    }
    maxSize(): number {
      return this.max;
    }
    targetSize(): number {
      return sizes.get(this.name.toLowerCase())?.size ?? this.scaleSet?.spec.capacity ?? 0;
    }
    exist(): boolean {
      return this.scaleSet !== undefined && !this.scaleSet.metadata.deletionTimestamp;
    }
    debug(): string {
      return `${this.name} target:${this.targetSize()} min:${this.min} max:${this.max}`;
    }

    async increaseSize(delta: number): Promise<void> {
      if (delta <= 0) throw new CloudProviderError('size increase must be positive');
      const size = this.targetSize();
      if (size + delta > this.max) throw new CloudProviderError(`size increase too large - desired:${size + delta} max:${this.max}`);
      // Set the absolute size the decision was made on, against the scale set as it is now: a
      // conflicting writer in between makes us read again, never overwrite blindly.
      await retryOnConflict(async () => {
        const ss = await fresh(this.name);
        if (ss.spec.capacity >= size + delta) return;
        await writeSpec(ss, { ...ss.spec, capacity: size + delta });
      });
    }

    async deleteNodes(nodes: readonly Node[]): Promise<void> {
      const size = this.targetSize();
      if (size <= this.min) throw new CloudProviderError('min size reached, nodes will not be deleted');
      const ids: string[] = [];
      for (const n of nodes) {
        const name = n.metadata?.name ?? '';
        const ref = parseVmssProviderID(n.spec?.providerID ?? '');
        if (!ref || !equalFold(ref.scaleSet, this.name)) throw new CloudProviderError(`${name} belongs to a different asg than ${this.name}`);
        ids.push(ref.instanceId);
      }
      await retryOnConflict(async () => {
        const ss = await fresh(this.name);
        let spec: ScaleSet['spec'];
        try {
          spec = requestInstanceDeletion(ss, ids);
        } catch (e) {
          throw new CloudProviderError((e as Error).message, { cause: e });
        }
        if (spec.capacity === ss.spec.capacity && (spec.instancesToDelete ?? []).length === (ss.spec.instancesToDelete ?? []).length) return;
        await writeSpec(ss, spec);
      });
    }

    async decreaseTargetSize(delta: number): Promise<void> {
      if (delta >= 0) throw new CloudProviderError('size decrease size must be negative');
      const size = this.targetSize();
      const existing = this.nodes().length;
      if (size + delta < existing) throw new CloudProviderError(`attempt to delete existing nodes targetSize:${size} delta:${delta} existingNodes: ${existing}`);
      await retryOnConflict(async () => {
        const ss = await fresh(this.name);
        const recorded = ss.status?.instances?.length ?? 0;
        // Checked again on the fresh object: lowering capacity below the recorded instances would delete one.
        if (size + delta < recorded) throw new CloudProviderError(`attempt to delete existing nodes targetSize:${size} delta:${delta} existingNodes: ${recorded}`);
        await writeSpec(ss, { ...ss.spec, capacity: size + delta });
      });
    }

    nodes(): readonly Instance[] {
      return (this.scaleSet?.status?.instances ?? []).map((i) => {
        const t = Date.parse(i.timeCreated);
        return { id: i.providerID, state: STATE[i.provisioningState], ...(Number.isNaN(t) ? {} : { createdAt: t }) };
      });
    }

    templateNodeInfo(): TemplateNodeInfo {
      const ss = this.scaleSet;
      if (!ss) throw new CloudProviderError(`scale set ${this.name} not found`);
      const t = scaleSetTemplateNode(ss, now());
      return opts.defaultPods ? { node: t.node, pods: opts.defaultPods(t) } : t;
    }
  }

  const provider: ScaleSetProvider = {
    name: () => SCALE_SET_PROVIDER,
    nodeGroups: () => groups,
    nodeGroup: (id) => groups.find((g) => equalFold(g.id(), id)),
    nodeGroupForNode(node) {
      const ref = parseVmssProviderID(node.spec?.providerID ?? '');
      if (!ref) return undefined;
      return groups.find((g) => equalFold(g.id(), ref.scaleSet));
    },
    async refresh() {
      const list = await loadScaleSets();
      byName = new Map(list.map((s) => [s.metadata.name.toLowerCase(), s] as const));
      const t = now();
      for (const s of list) {
        const key = s.metadata.name.toLowerCase();
        const c = sizes.get(key);
        if (!c || t - c.at >= period) sizes.set(key, { size: s.spec.capacity, at: t });
      }
      for (const key of [...sizes.keys()]) if (!byName.has(key)) sizes.delete(key);

      const next: ScaleSetNodeGroup[] = [];
      const seen = new Set<string>();
      for (const spec of opts.nodes ?? []) {
        const ss = byName.get(spec.name.toLowerCase());
        if (!ss) {
          opts.onIgnored?.(spec.name, 'no such scale set');
          continue;
        }
        seen.add(ss.metadata.name.toLowerCase());
        next.push(new ScaleSetNodeGroup(ss.metadata.name, spec.minSize, spec.maxSize));
      }
      if (opts.autoDiscovery?.length) {
        const tagged = [...list].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1)).map((s) => ({ name: s.metadata.name, tags: s.spec.tags ?? {} }));
        const found = resolveAutoDiscovery(opts.autoDiscovery, tagged);
        for (const i of found.ignored) opts.onIgnored?.(i.name, i.reason);
        for (const g of found.groups) {
          if (seen.has(g.name.toLowerCase())) continue;
          seen.add(g.name.toLowerCase());
          next.push(new ScaleSetNodeGroup(g.name, g.minSize, g.maxSize));
        }
      }
      // Scale sets being deleted are gone for the autoscaler.
      groups = next.filter((g) => g.exist());
    },
    async cleanup() {
      groups = [];
    },
  };
  return provider;
}
