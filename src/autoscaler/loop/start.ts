/**
 * Wiring: a manager (client, informers for the kinds the loop reads, Lease leader election as
 * `kube-system/cluster-autoscaler`, `/healthz` and `/metrics`), the `scaleset` provider, the
 * evictor and the loop, as cluster-autoscaler's `main.go` puts them together.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { DaemonSet } from 'kubernetes-types/apps/v1.js';
import type { ScaleSet } from '../../cluster/cloud/index.js';
import { scaleSetKind } from '../../cluster/cloud/index.js';
import { createLogger, createManager, kinds, type KObject, type Logger, type Manager, type StopReason } from '../../runtime/index.js';
import { createScaleSetProvider, type CloudProvider } from '../cloudprovider/index.js';
import type { AutoscalerOptions } from '../options.js';
import { createAutoscalerLoop, WATCHED_KINDS, type AutoscalerLoop } from './autoscaler.js';
import { daemonSetPods } from './daemonset-pods.js';
import { createEvictor } from './evictor.js';
import { createAutoscalerMetrics } from './metrics.js';

/** The Lease cluster-autoscaler elects its leader with (in `--namespace`). */
export const LEADER_ELECTION_LEASE = 'cluster-autoscaler';

export interface StartAutoscalerOptions {
  readonly kubeConfig: KubeConfig;
  readonly options: AutoscalerOptions;
  readonly logger?: Logger;
  /** `/healthz`, `/readyz`, `/metrics` (upstream serves on `:8085`); 0 = a free port, undefined = no server. */
  readonly metricsPort?: number;
  readonly host?: string;
  readonly signal?: AbortSignal;
  /** Default: the `scaleset` provider over the cluster's ScaleSets. */
  readonly provider?: CloudProvider;
  /** The provider's target-size cache (default 60 s). */
  readonly sizeRefreshPeriodMs?: number;
  readonly podEvictionRetryMs?: number;
  /** Leader election timings (default 15 s / 10 s / 2 s). */
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly identity?: string;
}

export interface RunningAutoscaler {
  readonly manager: Manager;
  readonly loop: AutoscalerLoop;
  /** The metrics server's port, when one was asked for. */
  port(): number | undefined;
  /** Resolves when stopped: by `stop()`, the signal, or a lost lease (`leadership lost`). */
  done(): Promise<StopReason>;
  stop(): Promise<void>;
}

/** Start the autoscaler against the cluster of `kubeConfig`; resolves once the manager is running. */
export async function startAutoscaler(o: StartAutoscalerOptions): Promise<RunningAutoscaler> {
  const { options } = o;
  const logger = o.logger ?? createLogger();
  const manager = createManager({
    kubeConfig: o.kubeConfig,
    name: 'cluster-autoscaler',
    logger,
    port: o.metricsPort,
    host: o.host,
    leaderElection: options.leaderElect
      ? { name: LEADER_ELECTION_LEASE, namespace: options.namespace, identity: o.identity, leaseDurationMs: o.leaseDurationMs, renewDeadlineMs: o.renewDeadlineMs, retryPeriodMs: o.retryPeriodMs }
      : undefined,
  });
  for (const k of WATCHED_KINDS) manager.cache.informerFor(k);
  const provider =
    o.provider ??
    createScaleSetProvider({
      client: manager.client,
      nodes: options.nodes,
      autoDiscovery: options.nodeGroupAutoDiscovery,
      scaleSets: () => manager.cache.list<KObject>(scaleSetKind) as unknown as ScaleSet[],
      sizeRefreshPeriodMs: o.sizeRefreshPeriodMs,
      defaultPods: (t) => daemonSetPods(manager.cache.list<KObject>(kinds.daemonSets) as unknown as DaemonSet[], t),
      onIgnored: (name, reason) => logger.debug({ object: `/apis/${scaleSetKind.apiVersion}/${scaleSetKind.plural}/${name}`, reason }, 'scale set not autoscaled'),
    });
  const metrics = createAutoscalerMetrics(manager.metrics.registry);
  const loop = createAutoscalerLoop({
    options,
    client: manager.client,
    cache: manager.cache,
    provider,
    evictor: createEvictor({
      kubeConfig: o.kubeConfig,
      client: manager.client,
      onFallback: () => logger.info({ controller: 'cluster-autoscaler' }, 'the API server does not serve pods/eviction: deleting pods with their grace period instead'),
    }),
    events: manager.eventRecorder('cluster-autoscaler'),
    logger,
    metrics,
    podEvictionRetryMs: o.podEvictionRetryMs,
    isLeader: () => manager.isLeader(),
  });
  manager.addHealthCheck('cluster-autoscaler', () => !manager.isLeader() || loop.healthy());
  manager.add({
    needsLeaderElection: true,
    start: async (signal) => {
      if (!(await manager.cache.waitForCacheSync(signal))) return;
      await loop.run(signal);
    },
  });
  await manager.start(o.signal);
  return { manager, loop, port: () => manager.port(), done: () => manager.done(), stop: () => manager.stop() };
}
