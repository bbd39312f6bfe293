/**
 * What runs beside the API server: kube-controller-manager's controllers (workloads, endpoints,
 * node lifecycle) and the scheduler. Each is an
 * ordinary client of the API through a kubeconfig, so the same code runs against any cluster.
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { registerCoreControllers } from '../cluster/controllers/index.js';
import { registerNodeLifecycleController } from '../cluster/node-lifecycle/index.js';
import { startScheduler } from '../cluster/scheduler/index.js';
import { createManager } from '../runtime/index.js';

export interface ControlPlaneOptions {
  kubeconfigPath: string;
  logger: Logger;
  signal: AbortSignal;
  /** Port for the controller manager's /healthz, /readyz and /metrics (0: a free port). */
  metricsPort?: number;
  /** Elect a leader through a Lease, so several copies can run against one cluster. */
  leaderElection?: boolean;
}

export interface RunningControlPlane {
  metricsPort: number;
  controllers: string[];
  stopped: Promise<void>;
}

export function loadKubeConfig(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** The controller manager (core and node lifecycle controllers) and the scheduler. */
export async function startControlPlane(opts: ControlPlaneOptions): Promise<RunningControlPlane> {
  const kubeConfig = loadKubeConfig(opts.kubeconfigPath);
  const manager = createManager({
    kubeConfig,
    name: 'kube-controller-manager',
    logger: opts.logger,
    port: opts.metricsPort ?? 0,
    leaderElection: opts.leaderElection ? { name: 'kube-controller-manager', namespace: 'kube-system' } : undefined,
  });
  const controllers = registerCoreControllers(manager);
  registerNodeLifecycleController(manager, {});
  await manager.start(opts.signal);
  const scheduler = await startScheduler({ kubeConfig, logger: opts.logger, signal: opts.signal });
  return {
    metricsPort: manager.port() ?? 0,
    controllers: [...controllers, 'node-lifecycle', 'scheduler'],
    stopped: Promise.all([manager.done(), scheduler.stopped]).then(() => undefined),
  };
}
