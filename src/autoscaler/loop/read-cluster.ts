/**
 * One snapshot of a cluster as the loop would build it for an iteration — nodes, pods, PDBs, the
 * node groups of the `scaleset` provider (`--nodes` / `--node-group-auto-discovery`, templates
 * with the DaemonSet pods) and the priority expander's ConfigMap — read once through the client,
 * without informers. For one-shot commands such as `flotilla autoscaler why`.
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { ConfigMap, Node, Pod } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import { scaleSetKind, type ScaleSet } from '../../cluster/cloud/index.js';
import { kinds, type Client, type KObject } from '../../runtime/index.js';
import { createScaleSetProvider, snapshotNodeGroups } from '../cloudprovider/index.js';
import { parsePriorityConfig, PRIORITY_CONFIG_MAP_KEY, PRIORITY_CONFIG_MAP_NAME, type PriorityRule } from '../expander.js';
import type { AutoscalerOptions } from '../options.js';
import { STATUS_KEY } from '../status.js';
import type { ClusterSnapshot } from '../types.js';
import { podDisruptionBudgetKind } from './autoscaler.js';
import { daemonSetPods } from './daemonset-pods.js';

export interface ClusterReading {
  readonly snapshot: ClusterSnapshot;
  /** `data.status` of the status ConfigMap, when the autoscaler wrote one. */
  readonly status?: string;
  readonly priorities?: readonly PriorityRule[];
  /** Scale sets named or discovered but left out, with why. */
  readonly ignored: ReadonlyArray<{ readonly name: string; readonly reason: string }>;
}

export async function readCluster(client: Client, options: AutoscalerOptions, now: number): Promise<ClusterReading> {
  const [nodes, pods, pdbs, daemonSets, scaleSets] = await Promise.all([
    client.list<Node & KObject>(kinds.nodes),
    client.list<Pod & KObject>(kinds.pods),
    client.list<PodDisruptionBudget & KObject>(podDisruptionBudgetKind),
    client.list<KObject>(kinds.daemonSets),
    client.list<KObject>(scaleSetKind),
  ]);
  const ignored: Array<{ name: string; reason: string }> = [];
  const provider = createScaleSetProvider({
    client,
    nodes: options.nodes,
    autoDiscovery: options.nodeGroupAutoDiscovery,
    scaleSets: () => scaleSets.items as unknown as ScaleSet[],
    defaultPods: (t) => daemonSetPods(daemonSets.items as unknown as DaemonSet[], t),
    now: () => now,
    onIgnored: (name, reason) => ignored.push({ name, reason }),
  });
  await provider.refresh();
  const cm = await client.get<ConfigMap & KObject>(kinds.configMaps, options.namespace, options.statusConfigMapName);
  let priorities: PriorityRule[] | undefined;
  if (options.expander.includes('priority')) {
    const p = await client.get<ConfigMap & KObject>(kinds.configMaps, options.namespace, PRIORITY_CONFIG_MAP_NAME);
    const text = p?.data?.[PRIORITY_CONFIG_MAP_KEY];
    if (text !== undefined) priorities = parsePriorityConfig(text);
  }
  return {
    snapshot: { nodes: nodes.items, pods: pods.items, pdbs: pdbs.items, nodeGroups: snapshotNodeGroups(provider), now },
    ...(cm?.data?.[STATUS_KEY] !== undefined ? { status: cm.data[STATUS_KEY] } : {}),
    ...(priorities ? { priorities } : {}),
    ignored,
  };
}
