/**
 * Which pending pods can trigger a scale-up (spec §2 step 8): unschedulable ones, minus expendable
 * pods, pods that fit on existing or upcoming nodes (placed in descending priority, each occupying
 * what it requests), DaemonSet pods, and pods younger than `--new-pod-scale-up-delay` (or their
 * longer `pod-scale-up-delay` annotation).
 */
import { equivalenceKey } from './equivalence.js';
import { parseGoDuration } from './go-format.js';
import { isDaemonSetPod, isExpendable, isTerminal, isUnschedulable, nodeName, POD_SCALE_UP_DELAY_ANNOTATION, podKey, timeOf } from './pods.js';
import { firstFit, nodeInfo, podInfo, type NodeInfo } from './simulator.js';
import type { ClusterSnapshot, Pod, TemplateNodeInfo } from './types.js';

/** All remaining pods younger than this → wait one iteration (30 s if any requests a GPU). */
export const UNSCHEDULABLE_POD_TIME_BUFFER = 2_000;
export const UNSCHEDULABLE_POD_WITH_GPU_TIME_BUFFER = 30_000;

export interface PendingPodOptions {
  readonly expendablePodsPriorityCutoff: number;
  readonly newPodScaleUpDelay: number;
}

export interface PendingPods {
  /** Pods left to drive the scale-up, in their original order. */
  readonly pods: readonly Pod[];
  readonly expendable: readonly Pod[];
  /** Pods that fit after all, with the node they would go to. */
  readonly fitting: ReadonlyArray<{ readonly pod: Pod; readonly node: string }>;
  readonly daemonSet: readonly Pod[];
  readonly tooYoung: readonly Pod[];
  /** Every remaining pod is younger than 2 s (30 s with a GPU): wait, and skip scale-down too. */
  readonly waitForYoungPods: boolean;
}

/** The scheduled, non-terminal, non-expendable pods of each node (what the simulation places). */
export function scheduledPodsByNode(pods: readonly Pod[], cutoff: number): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const p of pods) {
    const n = p.spec?.nodeName;
    if (!n || isTerminal(p) || isExpendable(p, cutoff)) continue;
    const list = out.get(n);
    if (list) list.push(p);
    else out.set(n, [p]);
  }
  return out;
}

/** NodeInfos of every node with its scheduled pods, plus the upcoming nodes. */
export function buildWorld(snapshot: ClusterSnapshot, cutoff: number, upcoming: readonly TemplateNodeInfo[] = []): NodeInfo[] {
  const byNode = scheduledPodsByNode(snapshot.pods, cutoff);
  const world = snapshot.nodes.map((n) => nodeInfo(n, byNode.get(nodeName(n)) ?? []));
  for (const u of upcoming) world.push(nodeInfo(u.node, u.pods));
  return world;
}

function requestsGpu(pod: Pod): boolean {
  return (pod.spec?.containers ?? []).some((c) => Object.keys(c.resources?.requests ?? {}).some((k) => k.endsWith('/gpu')));
}

/** The pod's scale-up delay: the flag, or its annotation when that is longer. */
export function podScaleUpDelay(pod: Pod, flag: number): number {
  const a = pod.metadata?.annotations?.[POD_SCALE_UP_DELAY_ANNOTATION];
  if (a === undefined) return flag;
  try {
    return Math.max(flag, parseGoDuration(a));
  } catch {
    return flag;
  }
}

export function filterPendingPods(snapshot: ClusterSnapshot, world: NodeInfo[], opts: PendingPodOptions): PendingPods {
  const now = snapshot.now;
  const expendable: Pod[] = [];
  const candidates: Pod[] = [];
  for (const p of snapshot.pods) {
    if (!isUnschedulable(p)) continue;
    if (isExpendable(p, opts.expendablePodsPriorityCutoff)) expendable.push(p);
    else candidates.push(p);
  }
  // Higher priority first, so they claim room first (stable for equal priority).
  const order = candidates.map((p, i) => ({ p, i })).sort((a, b) => (b.p.spec?.priority ?? 0) - (a.p.spec?.priority ?? 0) || a.i - b.i);
  const fitting: Array<{ pod: Pod; node: string }> = [];
  const fitKeys = new Set<string>();
  // Room only shrinks as pods are placed: once a pod fits nowhere, its equivalents will not either.
  const noFit = new Set<string>();
  for (const { p } of order) {
    const eq = equivalenceKey(p);
    if (noFit.has(eq)) continue;
    const pi = podInfo(p);
    const target = firstFit(pi, world, world);
    if (!target) {
      noFit.add(eq);
      continue;
    }
    target.addPod(pi);
    fitting.push({ pod: p, node: target.name });
    fitKeys.add(podKey(p));
  }
  const daemonSet: Pod[] = [];
  const tooYoung: Pod[] = [];
  const pods: Pod[] = [];
  for (const p of candidates) {
    if (fitKeys.has(podKey(p))) continue;
    if (isDaemonSetPod(p)) {
      daemonSet.push(p);
      continue;
    }
    const created = timeOf(p.metadata?.creationTimestamp) ?? 0;
    if (created + podScaleUpDelay(p, opts.newPodScaleUpDelay) > now) {
      tooYoung.push(p);
      continue;
    }
    pods.push(p);
  }
  const waitForYoungPods =
    pods.length > 0 &&
    pods.every((p) => {
      const created = timeOf(p.metadata?.creationTimestamp) ?? 0;
      const buffer = pods.some(requestsGpu) ? UNSCHEDULABLE_POD_WITH_GPU_TIME_BUFFER : UNSCHEDULABLE_POD_TIME_BUFFER;
      return created + buffer > now;
    });
  return { pods, expendable, fitting, daemonSet, tooYoung, waitForYoungPods };
}
