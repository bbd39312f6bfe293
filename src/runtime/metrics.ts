/**
 * Prometheus metrics with controller-runtime's and client-go's names, in a prom-client Registry.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueMetrics } from './queue.js';

export type ReconcileResult = 'success' | 'error' | 'requeue_after';

export interface ControllerMetrics {
  reconciled(result: ReconcileResult, seconds: number): void;
  /** A retried error (`terminal: false`) or a TerminalError. */
  failed(terminal: boolean): void;
  activeWorkers(delta: number): void;
  maxWorkers(n: number): void;
}

export interface RuntimeMetrics {
  readonly registry: Registry;
  controller(name: string): ControllerMetrics;
  queue(name: string): QueueMetrics;
  leader(name: string, isLeader: boolean): void;
}

const RECONCILE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60];
const QUEUE_BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10, 100, 1000];

/** Runtime metrics registered in `registry` (a new one by default). */
export function createRuntimeMetrics(registry: Registry = new Registry()): RuntimeMetrics {
  const registers = [registry];
  const total = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller', labelNames: ['controller', 'result'], registers });
  const errors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller', labelNames: ['controller'], registers });
  const terminal = new Counter({ name: 'controller_runtime_terminal_reconcile_errors_total', help: 'Total number of terminal reconciliation errors per controller', labelNames: ['controller'], registers });
  const time = new Histogram({ name: 'controller_runtime_reconcile_time_seconds', help: 'Length of time per reconciliation per controller', labelNames: ['controller'], buckets: RECONCILE_BUCKETS, registers });
  const active = new Gauge({ name: 'controller_runtime_active_workers', help: 'Number of currently used workers per controller', labelNames: ['controller'], registers });
  const max = new Gauge({ name: 'controller_runtime_max_concurrent_reconciles', help: 'Maximum number of concurrent reconciles per controller', labelNames: ['controller'], registers });
  const depth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name', 'controller'], registers });
  const adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name', 'controller'], registers });
  const retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name', 'controller'], registers });
  const latency = new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested', labelNames: ['name', 'controller'], buckets: QUEUE_BUCKETS, registers });
  const work = new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes', labelNames: ['name', 'controller'], buckets: QUEUE_BUCKETS, registers });
  const leader = new Gauge({ name: 'leader_election_master_status', help: 'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master', labelNames: ['name'], registers });

  return {
    registry,
    controller(controller) {
      for (const result of ['success', 'error', 'requeue_after'] as const) total.inc({ controller, result }, 0);
      errors.inc({ controller }, 0);
      terminal.inc({ controller }, 0);
      return {
        reconciled(result, seconds) {
          total.inc({ controller, result });
          time.observe({ controller }, seconds);
        },
        failed(isTerminal) {
          if (isTerminal) terminal.inc({ controller });
          else errors.inc({ controller });
        },
        activeWorkers: (d) => active.inc({ controller }, d),
        maxWorkers: (n) => max.set({ controller }, n),
      };
    },
    queue(name) {
      const labels = { name, controller: name };
      depth.set(labels, 0);
      adds.inc(labels, 0);
      retries.inc(labels, 0);
      return {
        add: () => adds.inc(labels),
        depth: (n) => depth.set(labels, n),
        retry: () => retries.inc(labels),
        queueLatency: (s) => latency.observe(labels, s),
        workDuration: (s) => work.observe(labels, s),
      };
    },
    leader: (name, isLeader) => leader.set({ name }, isLeader ? 1 : 0),
  };
}
