/**
 * One scheduling decision, as a pure function: a pod and the NodeInfos in, either the chosen node
 * (with every evaluated node's scores) or a FitError (every node's rejection and kube's message,
 * plus what preemption found) out. Like kube-scheduler, it stops filtering once enough feasible
 * nodes are found (`percentageOfNodesToScore`), starting where the previous pod stopped, and breaks
 * score ties at random.
 */
import type { V1Pod } from '@kubernetes/client-node';
import {
  fitErrorMessage,
  isRejected,
  isSuccess,
  newPodInfo,
  NO_NODES_AVAILABLE,
  SUCCESS,
  type CycleState,
  type NodeInfo,
  type NodeScore,
  type PodInfo,
  type RejectedStatus,
  type Status,
} from './framework.js';
import { defaultProfile, type Profile } from './profile.js';

/** kube's minFeasibleNodesToFind and minFeasibleNodesPercentageToFind. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

export interface ScheduleOptions {
  readonly profile?: Profile;
  /** Index of the node to start filtering at (the previous result's `nextStartIndex`). */
  readonly startIndex?: number;
  /** Tie-breaking among the best nodes; `Math.random` by default. */
  readonly random?: () => number;
  /** Return every evaluated node's scores (default true); the scheduler's loop skips them. */
  readonly scoreDetails?: boolean;
}

export interface NodeScoreDetail {
  readonly name: string;
  /** Σ weight × normalized plugin score. */
  readonly total: number;
  /** Normalized (0–100, before weighting) score per plugin that scored. */
  readonly plugins: Readonly<Record<string, number>>;
}

/** Why no node fits (`framework.FitError`). */
export interface FitError {
  readonly numAllNodes: number;
  /** Every node's rejection, by node name. */
  readonly statuses: ReadonlyMap<string, RejectedStatus>;
  /** What preemption said (`preemption: …`), if it failed too. */
  readonly postFilterMessage?: string;
  /** kube's message: `0/3 nodes are available: 3 Insufficient cpu. preemption: …`. */
  readonly message: string;
}

export type ScheduleResult =
  | {
      readonly kind: 'Scheduled';
      readonly node: string;
      /** Evaluated feasible nodes, best first (empty when only one node was feasible — nothing to score — or `scoreDetails` is false). */
      readonly scores: readonly NodeScoreDetail[];
      readonly feasibleNodes: number;
      readonly evaluatedNodes: number;
      readonly nextStartIndex: number;
    }
  | {
      readonly kind: 'Unschedulable';
      readonly fitError: FitError;
      /** Preemption found room on this node by evicting `victims`. */
      readonly nominatedNode?: string;
      readonly victims?: readonly PodInfo[];
      readonly nextStartIndex: number;
    };

/** `numFeasibleNodesToFind`: all nodes below 100; otherwise the percentage (adaptive when 0), at least 100. */
export function numFeasibleNodesToFind(numAllNodes: number, percentageOfNodesToScore = 0): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let percentage = percentageOfNodesToScore;
  if (percentage <= 0) {
    percentage = 50 - Math.trunc(numAllNodes / 125);
    if (percentage < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) percentage = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  if (percentage >= 100) return numAllNodes;
  const n = Math.trunc((numAllNodes * percentage) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

function runFilters(profile: Profile, state: CycleState, pod: PodInfo, node: NodeInfo): Status {
  for (const plugin of profile.filter) {
    const st = plugin.filter(state, pod, node);
    if (!isSuccess(st)) return st;
  }
  return SUCCESS;
}

export function scheduleOne(input: V1Pod | PodInfo, nodes: readonly NodeInfo[], opts: ScheduleOptions = {}): ScheduleResult {
  const profile = opts.profile ?? defaultProfile;
  const pod: PodInfo = 'requests' in input && 'key' in input ? (input as PodInfo) : newPodInfo(input as V1Pod);
  const n = nodes.length;
  if (n === 0) {
    return { kind: 'Unschedulable', fitError: { numAllNodes: 0, statuses: new Map(), message: NO_NODES_AVAILABLE }, nextStartIndex: 0 };
  }
  const state: CycleState = new Map();
  const statuses = new Map<string, RejectedStatus>();

  for (const plugin of profile.preFilter) {
    const st = plugin.preFilter(state, pod, nodes);
    if (isRejected(st)) {
      // A PreFilter rejection applies to every node.
      for (const node of nodes) statuses.set(node.name, st);
      return unschedulableResult(profile, state, pod, nodes, statuses, opts.startIndex ?? 0);
    }
  }

  // Filter, from startIndex, until enough feasible nodes are found.
  const start = ((opts.startIndex ?? 0) % n + n) % n;
  const want = numFeasibleNodesToFind(n, profile.percentageOfNodesToScore);
  const feasible: NodeInfo[] = [];
  let processed = 0;
  for (; processed < n && feasible.length < want; processed++) {
    const node = nodes[(start + processed) % n];
    const st = runFilters(profile, state, pod, node);
    if (isSuccess(st)) feasible.push(node);
    else statuses.set(node.name, isRejected(st) ? st : { code: 'Error', reasons: ['Error'] });
  }
  const nextStartIndex = (start + processed) % n;

  if (feasible.length === 0) return unschedulableResult(profile, state, pod, nodes, statuses, nextStartIndex);
  if (feasible.length === 1) {
    return { kind: 'Scheduled', node: feasible[0].name, scores: [], feasibleNodes: 1, evaluatedNodes: processed, nextStartIndex };
  }

  // Score.
  const withDetails = opts.scoreDetails ?? true;
  const totals = new Array<number>(feasible.length).fill(0);
  const plugins: Record<string, number>[] | undefined = withDetails ? feasible.map(() => ({})) : undefined;
  const scores: NodeScore[] = feasible.map((node) => ({ name: node.name, score: 0 }));
  for (const { plugin, weight } of profile.score) {
    if (plugin.preScore && plugin.preScore(state, pod, feasible, nodes).code === 'Skip') continue;
    for (let i = 0; i < feasible.length; i++) scores[i].score = plugin.score(state, pod, feasible[i]);
    plugin.normalizeScore?.(state, pod, scores, feasible);
    for (let i = 0; i < scores.length; i++) {
      if (plugins) plugins[i][plugin.name] = scores[i].score;
      totals[i] += scores[i].score * weight;
    }
  }

  // selectHost: the highest total, ties broken by reservoir sampling.
  const random = opts.random ?? Math.random;
  let best = 0;
  let ties = 1;
  for (let i = 1; i < totals.length; i++) {
    if (totals[i] > totals[best]) {
      best = i;
      ties = 1;
    } else if (totals[i] === totals[best]) {
      ties++;
      if (Math.floor(random() * ties) === 0) best = i;
    }
  }
  const chosen = feasible[best].name;
  const details: NodeScoreDetail[] = plugins ? feasible.map((node, i) => ({ name: node.name, total: totals[i], plugins: plugins[i] })) : [];
  details.sort((a, b) => b.total - a.total || (a.name === chosen ? -1 : b.name === chosen ? 1 : 0));
  return { kind: 'Scheduled', node: chosen, scores: details, feasibleNodes: feasible.length, evaluatedNodes: processed, nextStartIndex };
}

function unschedulableResult(
  profile: Profile,
  state: CycleState,
  pod: PodInfo,
  nodes: readonly NodeInfo[],
  statuses: Map<string, RejectedStatus>,
  nextStartIndex: number,
): ScheduleResult {
  let postFilterMessage: string | undefined;
  let nominatedNode: string | undefined;
  let victims: readonly PodInfo[] | undefined;
  for (const plugin of profile.postFilter) {
    const r = plugin.postFilter(state, pod, nodes, statuses, (p, node) => runFilters(profile, state, p, node));
    if (isSuccess(r.status)) {
      nominatedNode = r.nominatedNode;
      victims = r.victims;
      postFilterMessage = undefined;
      break;
    }
    if (isRejected(r.status)) postFilterMessage = r.status.reasons.join(', ');
  }
  const message = fitErrorMessage(nodes.length, statuses.values(), { postFilterMessage });
  return {
    kind: 'Unschedulable',
    fitError: { numAllNodes: nodes.length, statuses, postFilterMessage, message },
    ...(nominatedNode ? { nominatedNode, victims } : {}),
    nextStartIndex,
  };
}
