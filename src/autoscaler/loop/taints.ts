/**
 * cluster-autoscaler's taints on Nodes, `<key>=<unix seconds>:<effect>`:
 * `ToBeDeletedByClusterAutoscaler` (NoSchedule), set before a node is deleted or drained and
 * removed when that fails (or, at start-up, when a previous process left it), and
 * `DeletionCandidateOfClusterAutoscaler` (PreferNoSchedule) on unneeded nodes. Each change is a
 * read-modify-write of the Node with its resourceVersion, retried on conflict.
 */
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import { kinds, retryOnConflict, type Client, type KObject } from '../../runtime/index.js';
import { DELETION_CANDIDATE_TAINT, TO_BE_DELETED_TAINT } from '../pods.js';

/** Set or remove a taint; returns the Node as stored (undefined when it is gone). */
async function setTaint(client: Pick<Client, 'get' | 'update'>, name: string, key: string, effect: Taint['effect'], present: boolean, nowMs: number): Promise<Node | undefined> {
  return retryOnConflict(async () => {
    const node = await client.get<Node & KObject>(kinds.nodes, '', name);
    if (!node) return undefined;
    const had = (node.spec?.taints ?? []).some((t) => t.key === key);
    if (had === present) return node;
    const taints = (node.spec?.taints ?? []).filter((t) => t.key !== key);
    if (present) taints.push({ key, value: String(Math.floor(nowMs / 1000)), effect } satisfies Taint);
    return client.update<Node & KObject>(kinds.nodes, { ...node, spec: { ...node.spec, taints } });
  });
}

export function setToBeDeletedTaint(client: Pick<Client, 'get' | 'update'>, name: string, present: boolean, nowMs: number): Promise<Node | undefined> {
  return setTaint(client, name, TO_BE_DELETED_TAINT, 'NoSchedule', present, nowMs);
}

export function setDeletionCandidateTaint(client: Pick<Client, 'get' | 'update'>, name: string, present: boolean, nowMs: number): Promise<Node | undefined> {
  return setTaint(client, name, DELETION_CANDIDATE_TAINT, 'PreferNoSchedule', present, nowMs);
}

export function hasToBeDeletedTaint(node: Node): boolean {
  return (node.spec?.taints ?? []).some((t) => t.key === TO_BE_DELETED_TAINT);
}
