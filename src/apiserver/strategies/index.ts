/** @module The per-kind REST strategies, keyed by group/kind. */
import { strategyKey, type Strategy, type StrategyTable } from '../strategy.js';
import {
  configMapStrategy,
  endpointsStrategy,
  eventStrategy,
  namespaceStrategy,
  nodeStrategy,
  persistentVolumeClaimStrategy,
  persistentVolumeStrategy,
  podStrategy,
  secretStrategy,
} from './core.js';
import { serviceStrategy, type ServiceAllocators } from './service.js';
import {
  cronJobStrategy,
  daemonSetStrategy,
  horizontalPodAutoscalerStrategy,
  deploymentStrategy,
  jobStrategy,
  replicaSetStrategy,
  statefulSetStrategy,
} from './workloads.js';

export { ServiceAllocators, reserveExisting, DEFAULT_SERVICE_NETWORK, type ServiceNetwork } from './service.js';

export function builtinStrategies(alloc: ServiceAllocators): StrategyTable {
  const entries: Array<[string, string, Strategy]> = [
    ['', 'Pod', podStrategy],
    ['', 'Namespace', namespaceStrategy],
    ['', 'Node', nodeStrategy],
    ['', 'Event', eventStrategy],
    ['', 'Secret', secretStrategy],
    ['', 'ConfigMap', configMapStrategy],
    ['', 'Service', serviceStrategy(alloc)],
    ['', 'Endpoints', endpointsStrategy],
    ['', 'PersistentVolumeClaim', persistentVolumeClaimStrategy],
    ['', 'PersistentVolume', persistentVolumeStrategy],
    ['apps', 'Deployment', deploymentStrategy],
    ['apps', 'ReplicaSet', replicaSetStrategy],
    ['apps', 'DaemonSet', daemonSetStrategy],
    ['apps', 'StatefulSet', statefulSetStrategy],
    ['batch', 'Job', jobStrategy],
    ['batch', 'CronJob', cronJobStrategy],
    ['autoscaling', 'HorizontalPodAutoscaler', horizontalPodAutoscalerStrategy],
  ];
  return new Map(entries.map(([group, kind, s]) => [strategyKey(group, kind), s]));
}
