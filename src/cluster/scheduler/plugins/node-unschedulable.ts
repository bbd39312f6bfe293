/**
 * NodeUnschedulable: a cordoned node (`spec.unschedulable`) takes only pods that tolerate
 * `node.kubernetes.io/unschedulable:NoSchedule`.
 */
import { SUCCESS, unresolvable, type CycleState, type FilterPlugin, type NodeInfo, type PodInfo, type Status } from '../framework.js';
import { tolerationsTolerateTaint } from './taint-toleration.js';

export const NAME = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';

const UNSCHEDULABLE_TAINT = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' } as const;

export const nodeUnschedulable = {
  name: NAME,
  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    if (!node.node.spec?.unschedulable) return SUCCESS;
    if (tolerationsTolerateTaint(pod.pod.spec?.tolerations, UNSCHEDULABLE_TAINT)) return SUCCESS;
    return unresolvable(NAME, ERR_REASON_UNSCHEDULABLE);
  },
} satisfies FilterPlugin;
