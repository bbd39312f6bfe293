/**
 * Template nodes per node group (spec §4.2): a sanitised copy of a healthy real node of the group
 * with only its DaemonSet and mirror pods, else the cloud provider's `TemplateNodeInfo()`. Also the
 * upcoming nodes injected into simulations as copies of the template.
 */
import { readySince, TEMPLATE_NODE_READY_TIME, type ClusterState } from './cluster-state.js';
import { DELETION_CANDIDATE_TAINT, isDaemonSetPod, isMirrorPod, nodeName, TO_BE_DELETED_TAINT } from './pods.js';
import type { ClusterSnapshot, Node, Pod, TemplateNodeInfo } from './types.js';

/** A copy of the node named `name` (hostname label too), without autoscaler taints, with `pods` renamed onto it. */
export function sanitizeNodeInfo(node: Node, pods: readonly Pod[], name: string): TemplateNodeInfo {
  const taints = (node.spec?.taints ?? []).filter((t) => t.key !== TO_BE_DELETED_TAINT && t.key !== DELETION_CANDIDATE_TAINT);
  const { providerID: _id, taints: _t, ...spec } = node.spec ?? {};
  // A template stands for a new, healthy node: Ready, whatever the provider filled in.
  const conditions = (node.status?.conditions ?? []).filter((c) => c.type !== 'Ready');
  const copy: Node = structuredClone({
    ...node,
    metadata: { ...node.metadata, name, uid: undefined, resourceVersion: undefined, labels: { ...(node.metadata?.labels ?? {}), 'kubernetes.io/hostname': name } },
    spec: { ...spec, ...(taints.length ? { taints } : {}) },
    status: { ...node.status, conditions: [...conditions, { type: 'Ready', status: 'True' }] },
  });
  const renamed = pods.map((p, i): Pod => structuredClone({ ...p, metadata: { ...p.metadata, name: `${p.metadata?.name ?? 'pod'}-${name}-${i}`, uid: undefined }, spec: { ...p.spec!, nodeName: name } }));
  return { node: copy, pods: renamed };
}

/** Pods that come with every node: DaemonSet and mirror pods. */
export function isDefaultPod(p: Pod): boolean {
  return isDaemonSetPod(p) || isMirrorPod(p);
}

/** Template per group id; groups with neither a healthy node nor a provider template are absent. */
export function buildTemplates(snapshot: ClusterSnapshot, cluster: Pick<ClusterState, 'nodeGroupOf'>): Map<string, TemplateNodeInfo> {
  const podsByNode = new Map<string, Pod[]>();
  for (const p of snapshot.pods) {
    const n = p.spec?.nodeName;
    if (!n || !isDefaultPod(p)) continue;
    const list = podsByNode.get(n);
    if (list) list.push(p);
    else podsByNode.set(n, [p]);
  }
  const out = new Map<string, TemplateNodeInfo>();
  for (const n of snapshot.nodes) {
    const g = cluster.nodeGroupOf.get(nodeName(n));
    if (g === undefined || out.has(g) || !readySince(n, snapshot.now, TEMPLATE_NODE_READY_TIME)) continue;
    out.set(g, sanitizeNodeInfo(n, podsByNode.get(nodeName(n)) ?? [], `template-node-for-${g}`));
  }
  for (const g of snapshot.nodeGroups) {
    if (out.has(g.id) || !g.template) continue;
    out.set(g.id, sanitizeNodeInfo(g.template.node, g.template.pods, `template-node-for-${g.id}`));
  }
  return out;
}

/** Upcoming nodes as template copies named `upcoming-0`, `upcoming-1`, … in group order. */
export function upcomingNodes(
  nodeGroups: ClusterSnapshot['nodeGroups'],
  cluster: Pick<ClusterState, 'groups'>,
  templates: ReadonlyMap<string, TemplateNodeInfo>,
): Array<TemplateNodeInfo & { group: string }> {
  const out: Array<TemplateNodeInfo & { group: string }> = [];
  for (const g of nodeGroups) {
    const t = templates.get(g.id);
    const n = cluster.groups.get(g.id)?.upcoming ?? 0;
    if (!t) continue;
    for (let i = 0; i < n; i++) out.push({ ...sanitizeNodeInfo(t.node, t.pods, `upcoming-${out.length}`), group: g.id });
  }
  return out;
}
