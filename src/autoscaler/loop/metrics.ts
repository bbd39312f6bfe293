/**
 * cluster-autoscaler's Prometheus metrics (its `metrics.go` names, the ones that mean something
 * here), registered in the manager's registry so they are served on `/metrics` beside the runtime's.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ReadinessCounts } from '../cluster-state.js';

export type ScaleDownReason = 'Empty' | 'Underutilized' | 'Unready';

export interface AutoscalerMetrics {
  readonly safeToAutoscale: Gauge;
  readonly nodesCount: Gauge<'state'>;
  readonly nodeGroupsCount: Gauge<'node_group_type'>;
  readonly unschedulablePodsCount: Gauge;
  readonly unneededNodesCount: Gauge;
  readonly maxNodesCount: Gauge;
  readonly lastActivity: Gauge<'activity'>;
  readonly functionDuration: Histogram<'function'>;
  readonly scaledUpNodes: Counter;
  readonly scaledDownNodes: Counter<'reason'>;
  readonly failedScaleUps: Counter<'reason'>;
  readonly errors: Counter<'type'>;
  readonly evictedPods: Counter;
  /** Set the node gauges from one iteration's counts. */
  nodes(total: ReadinessCounts): void;
  /** `last_activity{activity}` = now, in Unix seconds. */
  activity(activity: 'main' | 'autoscaling' | 'scaleUp' | 'scaleDown', nowMs: number): void;
}

const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];

export function createAutoscalerMetrics(registry: Registry): AutoscalerMetrics {
  const registers = [registry];
  const p = 'cluster_autoscaler_';
  const m = {
    safeToAutoscale: new Gauge({ name: `${p}cluster_safe_to_autoscale`, help: 'Whether or not cluster is healthy enough for autoscaling. 1 if it is, 0 otherwise.', registers }),
    nodesCount: new Gauge({ name: `${p}nodes_count`, help: 'Number of nodes in cluster.', labelNames: ['state'] as const, registers }),
    nodeGroupsCount: new Gauge({ name: `${p}node_groups_count`, help: 'Number of node groups managed by CA.', labelNames: ['node_group_type'] as const, registers }),
    unschedulablePodsCount: new Gauge({ name: `${p}unschedulable_pods_count`, help: 'Number of unschedulable pods in the cluster.', registers }),
    unneededNodesCount: new Gauge({ name: `${p}unneeded_nodes_count`, help: 'Number of nodes currently considered unneeded by CA.', registers }),
    maxNodesCount: new Gauge({ name: `${p}max_nodes_count`, help: 'Maximum number of nodes in all node groups', registers }),
    lastActivity: new Gauge({ name: `${p}last_activity`, help: 'Last time certain part of CA logic executed.', labelNames: ['activity'] as const, registers }),
    functionDuration: new Histogram({ name: `${p}function_duration_seconds`, help: 'Time taken by various parts of CA main loop.', labelNames: ['function'] as const, buckets: DURATION_BUCKETS, registers }),
    scaledUpNodes: new Counter({ name: `${p}scaled_up_nodes_total`, help: 'Number of nodes added by CA.', registers }),
    scaledDownNodes: new Counter({ name: `${p}scaled_down_nodes_total`, help: 'Number of nodes removed by CA.', labelNames: ['reason'] as const, registers }),
    failedScaleUps: new Counter({ name: `${p}failed_scale_ups_total`, help: 'Number of times scale-up operation has failed.', labelNames: ['reason'] as const, registers }),
    errors: new Counter({ name: `${p}errors_total`, help: 'The number of CA loops failed due to an error.', labelNames: ['type'] as const, registers }),
    evictedPods: new Counter({ name: `${p}evicted_pods_total`, help: 'Number of pods evicted by CA', registers }),
  };
  m.scaledUpNodes.inc(0);
  for (const r of ['Empty', 'Underutilized', 'Unready'] as const) m.scaledDownNodes.inc({ reason: r }, 0);
  m.evictedPods.inc(0);
  return {
    ...m,
    nodes(total) {
      m.nodesCount.set({ state: 'ready' }, total.ready);
      m.nodesCount.set({ state: 'unready' }, total.unready);
      m.nodesCount.set({ state: 'notStarted' }, total.notStarted + total.longNotStarted);
      m.nodesCount.set({ state: 'longUnregistered' }, total.longUnregistered);
      m.nodesCount.set({ state: 'unregistered' }, total.unregistered);
    },
    activity(activity, nowMs) {
      m.lastActivity.set({ activity }, Math.floor(nowMs / 1000));
    },
  };
}
