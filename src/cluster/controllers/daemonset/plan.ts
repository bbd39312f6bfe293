/**
 * The DaemonSet controller's rules (pkg/controller/daemon), pure: one pod per eligible node (by
 * nodeSelector, required node affinity and taints, with the tolerations kube adds to daemon
 * pods), pinned to its node by node affinity on `metadata.name`; extra, failed and misplaced pods
 * deleted; a RollingUpdate that replaces out-of-date pods within maxUnavailable (rounded up); and
 * the status counters.
 */
import type { DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1.js';
import type { Node, Pod, PodTemplateSpec, Toleration } from 'kubernetes-types/core/v1.js';
import { scaledValue } from '../shared/int-or-percent.js';
import { isPodActive, isPodAvailable, isPodReady, timeOf } from '../shared/pod-util.js';
import { nodeMatchesPod, untoleratedTaints } from '../shared/node-fit.js';

export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
export const POD_TEMPLATE_GENERATION_LABEL = 'pod-template-generation';

/** AddOrUpdateDaemonPodTolerations. */
export function daemonTolerations(spec: PodTemplateSpec['spec']): Toleration[] {
  const add: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec?.hostNetwork) add.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  const out = [...(spec?.tolerations ?? [])];
  for (const t of add) if (!out.some((o) => o.key === t.key && o.effect === t.effect)) out.push(t);
  return out;
}

/** NodeShouldRunDaemonPod: shouldRun (a new pod may go there) and shouldContinueRunning (an existing one may stay). */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const spec = ds.spec?.template?.spec;
  if (!nodeMatchesPod(node, spec)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = daemonTolerations(spec);
  if (untoleratedTaints(node, tolerations, ['NoExecute']).length) return { shouldRun: false, shouldContinueRunning: false };
  if (untoleratedTaints(node, tolerations, ['NoSchedule']).length) return { shouldRun: false, shouldContinueRunning: true };
  return { shouldRun: true, shouldContinueRunning: true };
}

/** The node a daemon pod is for: its nodeName, or the node its affinity pins it to. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const t of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of t.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

/** The pod template for `nodeName`: hash and generation labels, tolerations, node affinity pinning it. */
export function daemonPodTemplate(ds: DaemonSet, hash: string, nodeName: string): PodTemplateSpec {
  const t = structuredClone(ds.spec!.template!);
  t.metadata = { ...t.metadata, labels: { ...t.metadata?.labels, [CONTROLLER_REVISION_HASH_LABEL]: hash, [POD_TEMPLATE_GENERATION_LABEL]: String(ds.metadata?.generation ?? 1) } };
  const spec = t.spec!;
  spec.tolerations = daemonTolerations(spec);
  const term = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
  const na = spec.affinity?.nodeAffinity;
  const terms = na?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  // ReplaceDaemonSetPodNodeNameNodeAffinity: the node-name field requirement replaces any other.
  const newTerms = terms?.length
    ? terms.map((x) => ({ ...x, matchFields: [...(x.matchFields ?? []).filter((f) => f.key !== 'metadata.name'), term.matchFields[0]] }))
    : [term];
  spec.affinity = { ...spec.affinity, nodeAffinity: { ...na, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: newTerms } } };
  return t;
}

export interface DaemonSetPlan {
  /** Nodes that need a daemon pod. */
  readonly createOn: string[];
  readonly deletePods: Pod[];
  readonly status: DaemonSetStatus;
}

const created = (p: Pod) => timeOf(p.metadata?.creationTimestamp) ?? 0;
const isUpdated = (p: Pod, hash: string) => p.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL] === hash;

export function planDaemonSet(ds: DaemonSet, nodes: readonly Node[], pods: readonly Pod[], hash: string, now: number): DaemonSetPlan {
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const byNode = new Map<string, Pod[]>();
  const deletePods: Pod[] = [];
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) continue;
    const n = targetNodeName(p);
    if (n === undefined) continue;
    byNode.set(n, [...(byNode.get(n) ?? []), p]);
  }
  const nodeNames = new Set(nodes.map((n) => n.metadata!.name!));
  // Pods for nodes that no longer exist.
  for (const [n, ps] of byNode) if (!nodeNames.has(n)) deletePods.push(...ps);

  const createOn: string[] = [];
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  const oldOnNode = new Map<string, Pod>();
  const newOnNode = new Map<string, Pod>();
  for (const node of [...nodes].sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1))) {
    const name = node.metadata!.name!;
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
    const onNode = [...(byNode.get(name) ?? [])].sort((a, b) => created(a) - created(b));
    if (shouldRun) {
      desired++;
      if (onNode.length > 0) {
        current++;
        const p = onNode[0];
        if (isPodReady(p)) {
          ready++;
          if (isPodAvailable(p, minReady, now)) available++;
        }
        if (isUpdated(p, hash)) updated++;
      }
    } else if (onNode.length > 0) misscheduled++;

    // podsShouldBeOnNode
    if (shouldRun && onNode.length === 0) createOn.push(name);
    else if (shouldContinueRunning) {
      const failed = onNode.filter((p) => p.status?.phase === 'Failed');
      deletePods.push(...failed);
      const running = onNode.filter((p) => p.status?.phase !== 'Failed' && isPodActive(p));
      // More than one: keep the oldest (of the current revision when there is one).
      if (running.length > 1) {
        const keep = running.find((p) => isUpdated(p, hash)) ?? running[0];
        deletePods.push(...running.filter((p) => p !== keep));
      }
      const kept = running.length ? (running.find((p) => isUpdated(p, hash)) ?? running[0]) : undefined;
      if (kept) (isUpdated(kept, hash) ? newOnNode : oldOnNode).set(name, kept);
    } else deletePods.push(...onNode);
  }

  // rollingUpdate (maxSurge 0): replace old pods, unavailable ones first, within maxUnavailable.
  if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
    const ru = ds.spec?.updateStrategy?.rollingUpdate;
    let maxUnavailable = scaledValue(ru?.maxUnavailable ?? 1, desired, true);
    const maxSurge = scaledValue(ru?.maxSurge ?? 0, desired, true);
    if (maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
    let numUnavailable = 0;
    const allowed: Pod[] = [];
    const candidates: Pod[] = [];
    for (const node of nodes) {
      const name = node.metadata!.name!;
      if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
      const oldPod = oldOnNode.get(name);
      const newPod = newOnNode.get(name);
      if ((!oldPod && !newPod) || (oldPod && newPod)) numUnavailable++;
      else if (newPod) {
        if (!isPodAvailable(newPod, minReady, now)) numUnavailable++;
      } else if (oldPod) {
        if (!isPodAvailable(oldPod, minReady, now)) {
          allowed.push(oldPod);
          numUnavailable++;
        } else if (numUnavailable < maxUnavailable) candidates.push(oldPod);
      }
    }
    const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
    for (const p of [...allowed, ...candidates.slice(0, remaining)]) if (!deletePods.includes(p)) deletePods.push(p);
  }

  const status: DaemonSetStatus = {
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
  };
  if (ds.metadata?.generation) status.observedGeneration = ds.metadata.generation;
  if (updated) status.updatedNumberScheduled = updated;
  if (available) status.numberAvailable = available;
  if (desired - available) status.numberUnavailable = desired - available;
  if (ds.status?.collisionCount !== undefined) status.collisionCount = ds.status.collisionCount;
  if (ds.status?.conditions?.length) status.conditions = ds.status.conditions;
  return { createOn, deletePods, status };
}
