/**
 * NodePorts: a pod's host ports must be free on the node. Two uses of a protocol/port conflict when
 * either binds 0.0.0.0 or both bind the same IP (`HostPortInfo.CheckConflict`).
 */
import { SUCCESS, unschedulable, type CycleState, type FilterPlugin, type NodeInfo, type PodInfo, type Status } from '../framework.js';

export const NAME = 'NodePorts';
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";

const ANY_IP = '0.0.0.0';

export function fitsPorts(pod: PodInfo, node: NodeInfo): boolean {
  for (const hp of pod.hostPorts) {
    const used = node.usedPorts.get(`${hp.protocol}/${hp.port}`);
    if (!used) continue;
    if (hp.ip === ANY_IP) return false;
    for (const ip of used) if (ip === ANY_IP || ip === hp.ip) return false;
  }
  return true;
}

export const nodePorts = {
  name: NAME,
  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Status {
    if (pod.hostPorts.length === 0 || fitsPorts(pod, node)) return SUCCESS;
    return unschedulable(NAME, ERR_REASON);
  },
} satisfies FilterPlugin;
