/**
 * The `ToBeDeletedByClusterAutoscaler=<unix seconds>:NoSchedule` taint, set before a node is
 * deleted or drained and removed when that fails (or, at start-up, when a previous process left
 * it): a read-modify-write of the Node with its resourceVersion, retried on conflict.
 */
import type { Node, Taint } from 'kubernetes-types/core/v1.js';
import { kinds, retryOnConflict, type Client, type KObject } from '../../runtime/index.js';
import { TO_BE_DELETED_TAINT } from '../pods.js';

/** Set or remove the taint; returns the Node as stored (undefined when it is gone). */
export async function setToBeDeletedTaint(client: Pick<Client, 'get' | 'update'>, name: string, present: boolean, nowMs: number): Promise<Node | undefined> {
  return retryOnConflict(async () => {
    const node = await client.get<Node & KObject>(kinds.nodes, '', name);
    if (!node) return undefined;
    const had = (node.spec?.taints ?? []).some((t) => t.key === TO_BE_DELETED_TAINT);
    if (!had && !present) return node;
    const taints = (node.spec?.taints ?? []).filter((t) => t.key !== TO_BE_DELETED_TAINT);
    if (present) taints.push({ key: TO_BE_DELETED_TAINT, value: String(Math.floor(nowMs / 1000)), effect: 'NoSchedule' } satisfies Taint);
    return client.update<Node & KObject>(kinds.nodes, { ...node, spec: { ...node.spec, taints } });
  });
}

export function hasToBeDeletedTaint(node: Node): boolean {
  return (node.spec?.taints ?? []).some((t) => t.key === TO_BE_DELETED_TAINT);
}
