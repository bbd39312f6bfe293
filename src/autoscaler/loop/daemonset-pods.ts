/**
 * The DaemonSet pods a new node of a group would start with, for templates built from the cloud
 * (`TemplateNodeInfo()` knows no DaemonSets): each DaemonSet's pod template, bound to the template
 * node, kept when the scheduler's predicates let it run there (taints, selectors, resources).
 */
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { checkPredicates, nodeInfo, podInfo } from '../simulator.js';
import type { TemplateNodeInfo } from '../types.js';

function daemonSetPodFor(ds: DaemonSet, template: TemplateNodeInfo): Pod | undefined {
  const tpl = ds.spec?.template;
  if (!tpl?.spec) return undefined;
  const name = template.node.metadata?.name ?? 'template';
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `${ds.metadata?.name}-${name}`,
      namespace: ds.metadata?.namespace,
      labels: tpl.metadata?.labels,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata?.name ?? '', uid: ds.metadata?.uid ?? '', controller: true }],
    },
    spec: { ...tpl.spec, nodeName: name },
    status: { phase: 'Running' },
  };
  const ni = nodeInfo(template.node, template.pods);
  return checkPredicates(podInfo(pod), ni, [ni]).length === 0 ? pod : undefined;
}

/** The template's pods plus the DaemonSet pods that would run on its node, in DaemonSet order. */
export function daemonSetPods(daemonSets: readonly DaemonSet[], template: TemplateNodeInfo): Pod[] {
  const out: Pod[] = [...template.pods];
  for (const ds of daemonSets) {
    const p = daemonSetPodFor(ds, { node: template.node, pods: out });
    if (p) out.push(p);
  }
  return out;
}
