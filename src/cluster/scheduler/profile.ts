/**
 * The default profile: which plugins run at which extension point, in kube-scheduler 1.32's order,
 * and the score weights (TaintToleration 3, NodeAffinity 2, NodeResourcesFit 1, default spreading 2,
 * InterPodAffinity 2, NodeResourcesBalancedAllocation 1).
 */
import type { FilterPlugin, PostFilterPlugin, PreFilterPlugin, PreScorePlugin, ScorePlugin } from './framework.js';
import { defaultPreemption } from './plugins/default-preemption.js';
import { interPodAffinity } from './plugins/inter-pod-affinity.js';
import { nodeAffinity } from './plugins/node-affinity.js';
import { nodePorts } from './plugins/node-ports.js';
import { nodeResourcesBalancedAllocation } from './plugins/node-resources-balanced-allocation.js';
import { nodeResourcesFit } from './plugins/node-resources-fit.js';
import { nodeUnschedulable } from './plugins/node-unschedulable.js';
import { selectorSpread } from './plugins/selector-spread.js';
import { taintToleration } from './plugins/taint-toleration.js';

export interface WeightedScorePlugin {
  readonly plugin: ScorePlugin & Partial<PreScorePlugin>;
  readonly weight: number;
}

export interface Profile {
  /** `schedulerName` the profile answers to. */
  readonly schedulerName: string;
  readonly preFilter: readonly PreFilterPlugin[];
  /** Run in order; the first rejection decides. */
  readonly filter: readonly FilterPlugin[];
  readonly score: readonly WeightedScorePlugin[];
  readonly postFilter: readonly PostFilterPlugin[];
  /** Share of nodes to find feasible before scoring; 0 is kube's adaptive default (50% − nodes/125, at least 5%). */
  readonly percentageOfNodesToScore: number;
}

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export const defaultProfile: Profile = {
  schedulerName: DEFAULT_SCHEDULER_NAME,
  preFilter: [nodeAffinity, interPodAffinity],
  filter: [nodeUnschedulable, taintToleration, nodeAffinity, nodePorts, nodeResourcesFit, interPodAffinity],
  score: [
    { plugin: taintToleration, weight: 3 },
    { plugin: nodeAffinity, weight: 2 },
    { plugin: nodeResourcesFit, weight: 1 },
    { plugin: selectorSpread, weight: 2 },
    { plugin: interPodAffinity, weight: 2 },
    { plugin: nodeResourcesBalancedAllocation, weight: 1 },
  ],
  postFilter: [defaultPreemption],
  percentageOfNodesToScore: 0,
};
