/**
 * Fixture builders for scheduler tests (here and in the autoscaler's): terse Nodes and Pods, and
 * NodeInfos with pods already placed.
 */
import type { V1Affinity, V1Container, V1Node, V1Pod, V1Taint, V1Toleration } from '@kubernetes/client-node';
import { NodeInfo, newPodInfo } from './framework.js';

export interface NodeFixture {
  readonly name: string;
  /** Allocatable; cpu and memory as quantities. Defaults: 4 cpu, 8Gi, 110 pods. */
  readonly cpu?: string;
  readonly memory?: string;
  readonly pods?: number;
  readonly ephemeralStorage?: string;
  readonly extra?: Record<string, string>;
  readonly labels?: Record<string, string>;
  readonly taints?: V1Taint[];
  /** Ready condition status; 'True' by default, `null` for no Ready condition at all. */
  readonly ready?: 'True' | 'False' | 'Unknown' | null;
  readonly unschedulable?: boolean;
}

export function makeNode(f: NodeFixture): V1Node {
  const allocatable: Record<string, string> = {
    cpu: f.cpu ?? '4',
    memory: f.memory ?? '8Gi',
    pods: String(f.pods ?? 110),
    ...(f.ephemeralStorage ? { 'ephemeral-storage': f.ephemeralStorage } : {}),
    ...(f.extra ?? {}),
  };
  const ready = f.ready === undefined ? 'True' : f.ready;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: f.name, labels: { 'kubernetes.io/hostname': f.name, ...(f.labels ?? {}) } },
    spec: { ...(f.taints ? { taints: f.taints } : {}), ...(f.unschedulable ? { unschedulable: true } : {}) },
    status: { allocatable, capacity: allocatable, conditions: ready === null ? [] : [{ type: 'Ready', status: ready }] },
  };
}

export interface PodFixture {
  readonly name: string;
  readonly namespace?: string;
  /** Requests of a single container (omit for none). */
  readonly cpu?: string;
  readonly memory?: string;
  readonly ephemeralStorage?: string;
  readonly extra?: Record<string, string>;
  /** Replaces the single container. */
  readonly containers?: V1Container[];
  readonly initContainers?: V1Container[];
  readonly overhead?: Record<string, string>;
  readonly labels?: Record<string, string>;
  readonly nodeSelector?: Record<string, string>;
  readonly affinity?: V1Affinity;
  readonly tolerations?: V1Toleration[];
  readonly hostPorts?: number[];
  readonly priority?: number;
  readonly preemptionPolicy?: 'Never' | 'PreemptLowerPriority';
  /** Controller owner uid (a ReplicaSet, say). */
  readonly owner?: string;
  readonly nodeName?: string;
}

export function container(name: string, requests: Record<string, string> = {}, extra: Partial<V1Container> = {}): V1Container {
  return { name, image: 'registry.k8s.io/pause:3.10', ...(Object.keys(requests).length ? { resources: { requests } } : {}), ...extra };
}

export function makePod(f: PodFixture): V1Pod {
  const requests: Record<string, string> = {
    ...(f.cpu ? { cpu: f.cpu } : {}),
    ...(f.memory ? { memory: f.memory } : {}),
    ...(f.ephemeralStorage ? { 'ephemeral-storage': f.ephemeralStorage } : {}),
    ...(f.extra ?? {}),
  };
  const ports = f.hostPorts?.map((p) => ({ containerPort: p, hostPort: p }));
  const namespace = f.namespace ?? 'default';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: f.name,
      namespace,
      uid: `uid-${namespace}-${f.name}`,
      ...(f.labels ? { labels: f.labels } : {}),
      ...(f.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: f.owner, uid: f.owner, controller: true }] } : {}),
    },
    spec: {
      containers: f.containers ?? [container('app', requests, ports ? { ports } : {})],
      ...(f.initContainers ? { initContainers: f.initContainers } : {}),
      ...(f.overhead ? { overhead: f.overhead } : {}),
      ...(f.nodeSelector ? { nodeSelector: f.nodeSelector } : {}),
      ...(f.affinity ? { affinity: f.affinity } : {}),
      ...(f.tolerations ? { tolerations: f.tolerations } : {}),
      ...(f.priority !== undefined ? { priority: f.priority } : {}),
      ...(f.preemptionPolicy ? { preemptionPolicy: f.preemptionPolicy } : {}),
      ...(f.nodeName ? { nodeName: f.nodeName } : {}),
    },
    status: { phase: 'Pending' },
  };
}

/** A NodeInfo for the node with these pods on it. */
export function nodeInfo(node: V1Node | NodeFixture, ...pods: V1Pod[]): NodeInfo {
  const ni = new NodeInfo('kind' in node ? (node as V1Node) : makeNode(node as NodeFixture));
  for (const p of pods) ni.addPod(newPodInfo(p));
  return ni;
}
