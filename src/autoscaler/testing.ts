/**
 * Fixture builders for the autoscaler's tests: terse Nodes, Pods and node groups as plain
 * kubernetes-types objects. Times are epoch milliseconds from a fixed origin.
 */
import type { Container, Taint, Volume } from 'kubernetes-types/core/v1.js';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1.js';
import type { ClusterSnapshot, Node, NodeGroup, Pod } from './types.js';

/** 2018-09-17 12:00:00 UTC. */
export const T0 = Date.UTC(2018, 8, 17, 12, 0, 0);
export const MIN = 60_000;

const iso = (ms: number) => new Date(ms).toISOString();

export interface NodeFixture {
  readonly name: string;
  readonly cpu?: string;
  readonly memory?: string;
  readonly pods?: number;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly taints?: Taint[];
  /** `spec.providerID`; defaults to `fake://<name>`. */
  readonly providerID?: string;
  readonly created?: number;
  readonly ready?: 'True' | 'False' | 'Unknown' | null;
  readonly readySince?: number;
}

export function node(f: NodeFixture): Node {
  const allocatable = { cpu: f.cpu ?? '4', memory: f.memory ?? '8Gi', pods: String(f.pods ?? 110) };
  const created = f.created ?? T0 - 60 * MIN;
  const ready = f.ready === undefined ? 'True' : f.ready;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: f.name,
      creationTimestamp: iso(created),
      labels: { 'kubernetes.io/hostname': f.name, ...(f.labels ?? {}) },
      ...(f.annotations ? { annotations: f.annotations } : {}),
    },
    spec: { providerID: f.providerID ?? `fake://${f.name}`, ...(f.taints ? { taints: f.taints } : {}) },
    status: {
      allocatable,
      capacity: allocatable,
      conditions: ready === null ? [] : [{ type: 'Ready', status: ready, lastTransitionTime: iso(f.readySince ?? created + 30_000) }],
    },
  };
}

export interface PodFixture {
  readonly name: string;
  readonly namespace?: string;
  readonly cpu?: string;
  readonly memory?: string;
  /** Controller owner kind (default ReplicaSet `rs-<name>`); `null` for a bare pod. */
  readonly owner?: { kind: string; name: string } | null;
  readonly nodeName?: string;
  /** PodScheduled=False/Unschedulable. */
  readonly unschedulable?: boolean;
  readonly priority?: number;
  readonly created?: number;
  readonly annotations?: Record<string, string>;
  readonly labels?: Record<string, string>;
  readonly volumes?: Volume[];
  readonly nodeSelector?: Record<string, string>;
  readonly hostPort?: number;
  readonly phase?: string;
  readonly containers?: Container[];
}

export function pod(f: PodFixture): Pod {
  const namespace = f.namespace ?? 'default';
  const requests: Record<string, string> = { ...(f.cpu ? { cpu: f.cpu } : {}), ...(f.memory ? { memory: f.memory } : {}) };
  const owner = f.owner === undefined ? { kind: 'ReplicaSet', name: `rs-${f.name}` } : f.owner;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: f.name,
      namespace,
      uid: `uid-${namespace}-${f.name}`,
      creationTimestamp: iso(f.created ?? T0 - 10 * MIN),
      ...(f.labels ? { labels: f.labels } : {}),
      ...(f.annotations ? { annotations: f.annotations } : {}),
      ...(owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, uid: `uid-${owner.name}`, controller: true }] } : {}),
    },
    spec: {
      containers: f.containers ?? [
        {
          name: 'app',
          image: 'registry.k8s.io/pause:3.10',
          ...(Object.keys(requests).length ? { resources: { requests } } : {}),
          ...(f.hostPort ? { ports: [{ containerPort: f.hostPort, hostPort: f.hostPort }] } : {}),
        },
      ],
      ...(f.nodeName ? { nodeName: f.nodeName } : {}),
      ...(f.priority !== undefined ? { priority: f.priority } : {}),
      ...(f.volumes ? { volumes: f.volumes } : {}),
      ...(f.nodeSelector ? { nodeSelector: f.nodeSelector } : {}),
    },
    status: {
      phase: f.phase ?? (f.nodeName ? 'Running' : 'Pending'),
      ...(f.unschedulable ? { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] } : {}),
    },
  };
}

/** `count` identical pending pods `<prefix>-0…` of one ReplicaSet. */
export function pendingPods(prefix: string, count: number, f: Omit<PodFixture, 'name'> = {}): Pod[] {
  return Array.from({ length: count }, (_, i) => pod({ owner: { kind: 'ReplicaSet', name: `rs-${prefix}` }, unschedulable: true, ...f, name: `${prefix}-${i}` }));
}

export interface GroupFixture {
  readonly id: string;
  readonly min?: number;
  readonly max?: number;
  readonly target?: number;
  /** Registered nodes of the group (their providerIDs become instances). */
  readonly nodes?: readonly Node[];
  /** Extra instance ids with no Node. */
  readonly unregistered?: readonly string[];
  readonly template?: Node;
  readonly templatePods?: readonly Pod[];
}

export function group(f: GroupFixture): NodeGroup {
  const instances = [...(f.nodes ?? []).map((n) => ({ id: n.spec!.providerID! })), ...(f.unregistered ?? []).map((id) => ({ id }))];
  return {
    id: f.id,
    minSize: f.min ?? 0,
    maxSize: f.max ?? 10,
    targetSize: f.target ?? instances.length,
    instances,
    ...(f.template ? { template: { node: f.template, pods: f.templatePods ?? [] } } : {}),
  };
}

export function pdb(name: string, namespace: string, matchLabels: Record<string, string>, disruptionsAllowed: number): PodDisruptionBudget {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace },
    spec: { selector: { matchLabels } },
    status: { disruptionsAllowed, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  };
}

export function snapshot(f: Partial<ClusterSnapshot>): ClusterSnapshot {
  return { nodes: [], pods: [], pdbs: [], nodeGroups: [], now: T0, ...f };
}
