/**
 * `TemplateNodeInfo()` for a scale set (azure.md §8.4): the Node a new instance would register —
 * capacity from the SKU, the labels and taints the simulated cloud gives every instance (agent
 * pool, instance type, region, zone, `spec.nodeLabels` / `spec.nodeTaints`) — plus labels and
 * taints from the scale set's tags, as the Azure provider reads them:
 *
 * - `k8s.io_cluster-autoscaler_node-template_label_<key>: <value>`
 * - `k8s.io_cluster-autoscaler_node-template_taint_<key>: <value>:<Effect>`
 *
 * where `_` in `<key>` stands for `/` and `~2` for `_` (Azure tag names cannot hold `/`).
 * A zoned scale set's template carries the zone the next instance would get, so that pods pinned
 * to a zone simulate against the zone they would land in.
 */
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1.js';
import { instanceNode, placeNext, resolveSpec, toSimulatedNodeSpec, type ScaleSet, type ScaleSetInstance } from '../../cluster/cloud/index.js';
import { nodeObject } from '../../cluster/node/index.js';
import type { TemplateNodeInfo } from '../types.js';

export const NODE_TEMPLATE_LABEL_TAG = 'k8s.io_cluster-autoscaler_node-template_label_';
export const NODE_TEMPLATE_TAINT_TAG = 'k8s.io_cluster-autoscaler_node-template_taint_';

const TAINT_VALUE = /^(.*):(NoSchedule|NoExecute|PreferNoSchedule)$/;

function tagKey(rest: string): string {
  return rest.replace(/_/g, '/').replace(/~2/g, '_');
}

/** Labels from `…_node-template_label_<key>` tags. */
export function labelsFromTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags)) {
    const i = k.indexOf(NODE_TEMPLATE_LABEL_TAG);
    if (i < 0) continue;
    const key = tagKey(k.slice(i + NODE_TEMPLATE_LABEL_TAG.length));
    if (key !== '') out[key] = v;
  }
  return out;
}

/** Taints from `…_node-template_taint_<key>: <value>:<Effect>` tags (others ignored), sorted by key. */
export function taintsFromTags(tags: Readonly<Record<string, string>>): Taint[] {
  const out: Taint[] = [];
  for (const [k, v] of Object.entries(tags)) {
    const i = k.indexOf(NODE_TEMPLATE_TAINT_TAG);
    const m = TAINT_VALUE.exec(v);
    if (i < 0 || !m) continue;
    const key = tagKey(k.slice(i + NODE_TEMPLATE_TAINT_TAG.length));
    if (key !== '') out.push({ key, value: m[1], effect: m[2] });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * The template node of `ss` (named `<scale set>-template`), Ready, with no pods of its own: the
 * DaemonSet pods a new node would run are added by the caller, which knows the DaemonSets.
 */
export function scaleSetTemplateNode(ss: Pick<ScaleSet, 'metadata' | 'spec' | 'status'>, now: number): TemplateNodeInfo {
  const spec = resolveSpec(ss.metadata.name, ss.spec);
  const next = ss.status?.nextInstanceId ?? 0;
  const placement = placeNext(spec, ss.status?.instances ?? []);
  const fake: ScaleSetInstance = {
    instanceId: String(next),
    name: `${spec.name}_${next}`,
    computerName: `${spec.name}-template`,
    nodeName: `${spec.name}-template`.toLowerCase(),
    providerID: '',
    provisioningState: 'Creating',
    ...(placement.zone !== undefined ? { zone: placement.zone } : {}),
    faultDomain: placement.faultDomain,
    vmId: '',
    timeCreated: new Date(now).toISOString(),
  };
  const inst = instanceNode(spec, fake);
  const tagTaints = taintsFromTags(spec.tags);
  const taints = [...inst.taints.filter((t) => !tagTaints.some((x) => x.key === t.key && x.effect === t.effect)), ...tagTaints];
  const sim = { ...toSimulatedNodeSpec({ ...inst, labels: { ...inst.labels, ...labelsFromTags(spec.tags) }, taints }), providerID: undefined, runtime: spec.runtime };
  const node = nodeObject(sim, { internalIP: '', podCIDR: '' }, { machineID: '', systemUUID: '', bootID: '' }, now) as Node;
  // A template has no address, CIDR or identity of its own.
  const { podCIDR: _c, podCIDRs: _cs, ...nodeSpec } = node.spec ?? {};
  const { addresses: _a, nodeInfo: _i, daemonEndpoints: _d, ...status } = node.status ?? {};
  return { node: { ...node, spec: nodeSpec, status }, pods: [] as Pod[] };
}
