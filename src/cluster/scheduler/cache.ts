/**
 * The scheduler's cache (kube's internal cache): a NodeInfo per node with the pods bound to it,
 * plus the pods *assumed* on a node — placed by a decision whose binding has not shown up in the
 * informer yet — so the next decision already sees them. An assumed pod becomes bound when the
 * informer reports it on its node, and is forgotten when its binding fails. Like kube (whose
 * assumed pods no longer expire), a successful binding stays assumed until the informer confirms it.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { NodeInfo, newPodInfo, type PodInfo } from './framework.js';

export const podKey = (pod: V1Pod): string => `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name ?? ''}`;

/** Succeeded and Failed pods no longer hold resources. */
export const isTerminal = (pod: V1Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

interface Assumed {
  readonly node: string;
  readonly pod: PodInfo;
}

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  private list: NodeInfo[] = [];
  /** Pod key → node name, for every bound or assumed pod. */
  private readonly podNode = new Map<string, string>();
  private readonly assumed = new Map<string, Assumed>();
  /** Pods bound to nodes the cache has not seen (yet). */
  private readonly orphans = new Map<string, Map<string, PodInfo>>();

  /** The NodeInfos, in a stable order (the order the nodes arrived in). */
  nodeInfos(): readonly NodeInfo[] {
    return this.list;
  }

  node(name: string): NodeInfo | undefined {
    return this.nodes.get(name);
  }

  get nodeCount(): number {
    return this.nodes.size;
  }

  get assumedCount(): number {
    return this.assumed.size;
  }

  /** Add or update a node; returns true when something a filter looks at changed. */
  setNode(node: V1Node): boolean {
    const name = node.metadata?.name ?? '';
    const existing = this.nodes.get(name);
    if (existing) {
      const before = fingerprint(existing);
      existing.setNode(node);
      return fingerprint(existing) !== before;
    }
    const ni = new NodeInfo(node);
    const orphans = this.orphans.get(name);
    if (orphans) {
      for (const p of orphans.values()) ni.addPod(p);
      this.orphans.delete(name);
    }
    this.nodes.set(name, ni);
    this.list = [...this.list, ni];
    return true;
  }

  deleteNode(name: string): void {
    const ni = this.nodes.get(name);
    if (!ni) return;
    this.nodes.delete(name);
    this.list = this.list.filter((n) => n !== ni);
    // Keep its pods: they stay bound to the name until deleted (a node re-created under the name gets them).
    if (ni.pods.size > 0) this.orphans.set(name, new Map(ni.pods));
  }

  /** Place the pod on `node` before the binding is confirmed. */
  assume(pod: PodInfo, node: string): void {
    this.removePod(pod.key);
    this.assumed.set(pod.key, { node, pod });
    this.place(pod, node);
  }

  isAssumed(key: string): boolean {
    return this.assumed.has(key);
  }

  /** The binding failed: take the pod off its node. */
  forget(key: string): void {
    if (!this.assumed.has(key)) return;
    this.removePod(key);
  }

  /**
   * A pod from the informer. A bound, non-terminal pod is (re)placed on its node — confirming an
   * assumption — and anything else is removed. Returns whether it freed or took resources in a way
   * that may help waiting pods (`'freed'`), or placed a pod (`'placed'`).
   */
  updatePod(pod: V1Pod): 'freed' | 'placed' | 'none' {
    const key = podKey(pod);
    const nodeName = pod.spec?.nodeName;
    if (!nodeName || isTerminal(pod)) {
      const had = this.podNode.has(key) && !this.assumed.has(key);
      if (had) this.removePod(key);
      return had ? 'freed' : 'none';
    }
    const a = this.assumed.get(key);
    if (a && a.node === nodeName) {
      // Confirmed: keep the accounting, refresh the object.
      this.assumed.delete(key);
      this.replace(newPodInfo(pod), nodeName);
      return 'none';
    }
    const was = this.podNode.get(key);
    this.removePod(key);
    this.place(newPodInfo(pod), nodeName);
    return was === undefined ? 'placed' : 'none';
  }

  /** The pod is gone; returns true when it held resources on a node. */
  deletePod(pod: V1Pod): boolean {
    const key = podKey(pod);
    const had = this.podNode.has(key);
    this.removePod(key);
    return had;
  }

  private place(pod: PodInfo, nodeName: string): void {
    this.podNode.set(pod.key, nodeName);
    const ni = this.nodes.get(nodeName);
    if (ni) ni.addPod(pod);
    else {
      let m = this.orphans.get(nodeName);
      if (!m) this.orphans.set(nodeName, (m = new Map()));
      m.set(pod.key, pod);
    }
  }

  private replace(pod: PodInfo, nodeName: string): void {
    const ni = this.nodes.get(nodeName);
    if (ni) ni.addPod(pod); // addPod replaces the same key
    else this.orphans.get(nodeName)?.set(pod.key, pod);
  }

  private removePod(key: string): void {
    this.assumed.delete(key);
    const nodeName = this.podNode.get(key);
    if (nodeName === undefined) return;
    this.podNode.delete(key);
    const ni = this.nodes.get(nodeName);
    if (ni) ni.removePod(key);
    else {
      const m = this.orphans.get(nodeName);
      m?.delete(key);
      if (m?.size === 0) this.orphans.delete(nodeName);
    }
  }
}

/** What the filters read from a node, to tell a relevant node update from a heartbeat. */
function fingerprint(ni: NodeInfo): string {
  return JSON.stringify([ni.labels, ni.taints, ni.allocatable, ni.node.spec?.unschedulable ?? false]);
}
