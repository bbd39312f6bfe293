/**
 * @module cluster/controllers
 *
 * kube-controller-manager's workload controllers for Flotilla's local cluster, as ordinary
 * clients of the API (they run unchanged against any cluster):
 *
 * | controller | reconciles | writes |
 * | --- | --- | --- |
 * | `deployment-controller` | Deployments | ReplicaSets (`<deploy>-<pod-template-hash>`), revisions, rollout status and conditions |
 * | `replicaset-controller` | ReplicaSets | Pods (`<rs>-<5 random>`), in slow-start batches |
 * | `endpoints-controller` | Services | Endpoints |
 * | `endpointslice-controller` | Services | EndpointSlices |
 * | `job-controller` | Jobs | Pods, completions and failures, Complete/Failed |
 * | `cronjob-controller` | CronJobs | Jobs `<cronjob>-<minutes since epoch>` |
 * | `daemonset-controller` | DaemonSets | one Pod per eligible Node |
 * | `statefulset-controller` | StatefulSets | Pods `<sts>-<ordinal>`, in order |
 * | `disruption-controller` | PodDisruptionBudgets | their status (healthy pods, disruptions allowed), which the Eviction API decides by |
 *
 * Each keeps its rules in a pure function of plain objects (table-tested beside it) and a thin
 * reconcile shell on the controller runtime (`src/runtime`):
 * {@link planDeployment}, {@link replicaSetDiff}, {@link endpointSubsets} /
 * {@link planEndpointSlices}, {@link planJob}, {@link planCronJob} with {@link parseSchedule},
 * {@link planDaemonSet}, {@link planStatefulSet}, {@link budgetStatus}.
 *
 * ```ts
 * const manager = createManager({ kubeConfig, name: 'kube-controller-manager' });
 * registerCoreControllers(manager);          // or { controllers: ['deployment', 'replicaset'] }
 * await manager.start();
 * ```
 *
 * Tips: the controllers need no node agent to run, but pods only become Running and Ready when
 * something plays the kubelet; until then Deployments wait, as they would on a real cluster.
 */
import type { Manager } from '../../runtime/index.js';
import type { ControllerContext } from './shared/context.js';
import { registerDeploymentController } from './deployment/controller.js';
import { registerReplicaSetController } from './replicaset/controller.js';
import { registerEndpointSliceController, registerEndpointsController } from './endpoints/controller.js';
import { registerJobController } from './job/controller.js';
import { registerCronJobController } from './cronjob/controller.js';
import { registerDaemonSetController } from './daemonset/controller.js';
import { registerStatefulSetController } from './statefulset/controller.js';
import { registerDisruptionController } from './disruption/controller.js';
import { registerHorizontalPodAutoscalerController } from './hpa/controller.js';

export type CoreControllerName = 'deployment' | 'replicaset' | 'endpoints' | 'endpointslice' | 'job' | 'cronjob' | 'daemonset' | 'statefulset' | 'disruption' | 'horizontalpodautoscaling';

export const CORE_CONTROLLERS: readonly CoreControllerName[] = ['deployment', 'replicaset', 'endpoints', 'endpointslice', 'job', 'cronjob', 'daemonset', 'statefulset', 'disruption', 'horizontalpodautoscaling'];

export interface CoreControllersOptions {
  /** Which controllers to run (default: all of {@link CORE_CONTROLLERS}). */
  readonly controllers?: readonly CoreControllerName[];
  /** Concurrent reconciles per controller (default 5, like kube's --concurrent-*-syncs). */
  readonly workers?: number;
  /** The clock for conditions, deadlines and schedules (default Date.now). */
  readonly now?: () => number;
}

const REGISTER: Record<CoreControllerName, (ctx: ControllerContext) => void> = {
  deployment: registerDeploymentController,
  replicaset: registerReplicaSetController,
  endpoints: registerEndpointsController,
  endpointslice: registerEndpointSliceController,
  job: registerJobController,
  cronjob: registerCronJobController,
  daemonset: registerDaemonSetController,
  statefulset: registerStatefulSetController,
  disruption: registerDisruptionController,
  horizontalpodautoscaling: registerHorizontalPodAutoscalerController,
};

/** Add the core controllers to `manager` (before `manager.start()`). Returns their names. */
export function registerCoreControllers(manager: Manager, opts: CoreControllersOptions = {}): string[] {
  const ctx: ControllerContext = { manager, now: opts.now ?? Date.now, workers: opts.workers ?? 5 };
  const names = opts.controllers ?? CORE_CONTROLLERS;
  for (const n of names) {
    const register = REGISTER[n];
    if (!register) throw new Error(`unknown controller ${JSON.stringify(n)}: expected one of ${CORE_CONTROLLERS.join(', ')}`);
    register(ctx);
  }
  return names.map((n) => `${n}-controller`);
}

export { planDeployment } from './deployment/plan.js';
export type { DeploymentAction, DeploymentInput, DeploymentPlan, KubeEvent } from './deployment/plan.js';
export { maxSurge, maxUnavailable, resolveFenceposts, equalIgnoreHash } from './deployment/util.js';
export { replicaSetDiff, replicaSetStatus, rankForDeletion, slowStartBatches, podFromTemplate } from './replicaset/diff.js';
export type { ReplicaSetDiff } from './replicaset/diff.js';
export { endpointSubsets, desiredEndpoints, planEndpointSlices } from './endpoints/endpoints.js';
export type { SlicePlan } from './endpoints/endpoints.js';
export { planJob } from './job/plan.js';
export type { JobPlan } from './job/plan.js';
export { parseSchedule, nextScheduleTime } from './cronjob/schedule.js';
export type { Schedule } from './cronjob/schedule.js';
export { planCronJob } from './cronjob/plan.js';
export type { CronJobPlan } from './cronjob/plan.js';
export { planDaemonSet } from './daemonset/plan.js';
export type { DaemonSetPlan } from './daemonset/plan.js';
export { planStatefulSet } from './statefulset/plan.js';
export type { StatefulSetPlan } from './statefulset/plan.js';
export { computeHash } from './shared/hash.js';
export { budgetStatus, budgetSelects, DELETION_TIMEOUT_MS } from './disruption/budget.js';
export { cpuRecommendation, normalize as normalizeReplicas } from './hpa/replicas.js';
export type { BudgetInput, BudgetResult, ControllerScale } from './disruption/budget.js';
