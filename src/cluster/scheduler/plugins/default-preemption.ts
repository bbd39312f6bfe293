/**
 * DefaultPreemption (PostFilter): when no node fits, look for a node where evicting pods of lower
 * priority makes room. Nodes rejected as UnschedulableAndUnresolvable are skipped ("Preemption is
 * not helpful for scheduling"); a node with no lower-priority pod says "No preemption victims found
 * for incoming pod"; otherwise all lower-priority pods are removed in a copy of the node, the filters
 * run again, and as many as possible are put back (highest priority first). Among the candidates
 * the one whose most important victim has the lowest priority wins, then the lowest priority sum,
 * then the fewest victims.
 *
 * The result's message is what kube-scheduler 1.32 appends to the FitError:
 * `preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.`
 * PodDisruptionBudgets and nominated pods are not considered.
 */
import {
  fitErrorMessage,
  isSuccess,
  SUCCESS,
  unresolvable,
  unschedulable,
  type CycleState,
  type NodeInfo,
  type PodInfo,
  type PostFilterPlugin,
  type PostFilterResult,
  type RejectedStatus,
  type Status,
} from '../framework.js';

export const NAME = 'DefaultPreemption';
export const REASON_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const REASON_NO_VICTIMS = 'No preemption victims found for incoming pod';
export const MSG_POLICY_NEVER = 'not eligible due to preemptionPolicy=Never.';
/** `MinCandidateNodesPercentage` and `MinCandidateNodesAbsolute` of DefaultPreemptionArgs. */
export const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
export const MIN_CANDIDATE_NODES_ABSOLUTE = 100;

interface Candidate {
  readonly node: string;
  readonly victims: PodInfo[];
}

function rejected(message: string): PostFilterResult {
  return { status: unschedulable(NAME, `preemption: ${message}`) };
}

/** `SelectVictimsOnNode` on a copy of the node. */
function selectVictims(pod: PodInfo, node: NodeInfo, filter: (pod: PodInfo, node: NodeInfo) => Status): { victims: PodInfo[] } | { status: RejectedStatus } {
  const lower = [...node.pods.values()].filter((p) => p.priority < pod.priority);
  if (lower.length === 0) return { status: unresolvable(NAME, REASON_NO_VICTIMS) };
  const copy = node.clone();
  for (const p of lower) copy.removePod(p.key);
  const st = filter(pod, copy);
  if (!isSuccess(st)) {
    return { status: st.code === 'Unschedulable' || st.code === 'UnschedulableAndUnresolvable' ? st : unschedulable(NAME, 'Error') };
  }
  // Reprieve as many as possible, most important first (higher priority, then started earlier).
  lower.sort((a, b) => b.priority - a.priority || startTime(a) - startTime(b));
  const victims: PodInfo[] = [];
  for (const p of lower) {
    copy.addPod(p);
    if (!isSuccess(filter(pod, copy))) {
      copy.removePod(p.key);
      victims.push(p);
    }
  }
  return { victims };
}

function startTime(p: PodInfo): number {
  const t = p.pod.status?.startTime ?? p.pod.metadata?.creationTimestamp;
  return t ? new Date(t as unknown as string).getTime() : 0;
}

/** `pickOneNodeForPreemption` without PDBs: lowest top victim priority, lowest sum, fewest victims, first. */
export function pickCandidate(candidates: readonly Candidate[]): Candidate {
  const top = (c: Candidate) => Math.max(...c.victims.map((v) => v.priority));
  // kube adds MaxInt32+1 to each priority so that negative priorities still sum sensibly
  const sum = (c: Candidate) => c.victims.reduce((s, v) => s + v.priority + 2 ** 31, 0);
  let best = candidates[0];
  for (const c of candidates.slice(1)) {
    const d = top(c) - top(best) || sum(c) - sum(best) || c.victims.length - best.victims.length;
    if (d < 0) best = c;
  }
  return best;
}

export const defaultPreemption = {
  name: NAME,
  postFilter(
    _state: CycleState,
    pod: PodInfo,
    nodes: readonly NodeInfo[],
    statuses: ReadonlyMap<string, RejectedStatus>,
    filter: (pod: PodInfo, node: NodeInfo) => Status,
  ): PostFilterResult {
    if (pod.pod.spec?.preemptionPolicy === 'Never') return rejected(MSG_POLICY_NEVER);
    const potential = nodes.filter((n) => statuses.get(n.name)?.code === 'Unschedulable');
    const explicit = new Map<string, RejectedStatus>();
    const candidates: Candidate[] = [];
    const wanted = Math.min(nodes.length, Math.max(MIN_CANDIDATE_NODES_ABSOLUTE, Math.trunc((nodes.length * MIN_CANDIDATE_NODES_PERCENTAGE) / 100)));
    for (const node of potential) {
      const r = selectVictims(pod, node, filter);
      if ('victims' in r && r.victims.length > 0) {
        candidates.push({ node: node.name, victims: r.victims });
        if (candidates.length >= wanted) break;
      } else {
        explicit.set(node.name, 'status' in r ? r.status : unschedulable(NAME, `expected at least one victim pod on node "${node.name}"`));
      }
    }
    if (candidates.length === 0) {
      const message = fitErrorMessage(nodes.length, explicit.values(), { absent: { count: nodes.length - explicit.size, reasons: [REASON_NOT_HELPFUL] } });
      return rejected(message);
    }
    const best = pickCandidate(candidates);
    return { status: SUCCESS, nominatedNode: best.node, victims: best.victims };
  },
} satisfies PostFilterPlugin;
