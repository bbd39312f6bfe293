/**
 * How a drained node's pods leave: the Eviction API (`POST pods/<name>/eviction`, policy/v1), so
 * PodDisruptionBudgets are honoured by the API server, as cluster-autoscaler does. An API server
 * that does not serve the subresource (a 404 while the pod still exists, as Flotilla's embedded
 * server before it implemented eviction) gets a delete with the same grace period instead — the
 * PDB check the autoscaler made when it chose the node is then the only one.
 */
import { ApiException, CoreV1Api, type KubeConfig, type V1Eviction } from '@kubernetes/client-node';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { kinds, type Client } from '../../runtime/index.js';

/** The API server refused the eviction (429: a PodDisruptionBudget allows none now); retry later. */
export class EvictionRefusedError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'EvictionRefusedError';
  }
}

export interface Evictor {
  /** Evict (or, without the Eviction API, delete) `pod` with this grace period; resolves when the API accepted it or the pod is gone. */
  evict(pod: Pod, gracePeriodSeconds: number): Promise<'evicted' | 'deleted' | 'gone'>;
}

export interface EvictorOptions {
  readonly kubeConfig?: KubeConfig;
  readonly client: Pick<Client, 'get' | 'delete'>;
  /** Called once, the first time the API server turns out not to serve `pods/eviction`. */
  readonly onFallback?: () => void;
}

export function createEvictor(opts: EvictorOptions): Evictor {
  const api = opts.kubeConfig?.makeApiClient(CoreV1Api);
  let unsupported = !api;
  let warned = false;

  async function deletePod(pod: Pod, grace: number): Promise<'deleted' | 'gone'> {
    const md = pod.metadata ?? {};
    const ok = await opts.client.delete(kinds.pods, md.namespace ?? 'default', md.name ?? '', { gracePeriodSeconds: grace, ...(md.uid ? { preconditions: { uid: md.uid } } : {}) });
    return ok ? 'deleted' : 'gone';
  }

  return {
    async evict(pod, grace) {
      const md = pod.metadata ?? {};
      const namespace = md.namespace ?? 'default';
      const name = md.name ?? '';
      if (!unsupported && api) {
        const body: V1Eviction = { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace }, deleteOptions: { gracePeriodSeconds: grace } };
        try {
          await api.createNamespacedPodEviction({ name, namespace, body });
          return 'evicted';
        } catch (e) {
          const code = e instanceof ApiException ? e.code : undefined;
          if (code === 404) {
            // The pod gone, or the subresource not served: only the pod's existence tells them apart.
            if (!(await opts.client.get(kinds.pods, namespace, name))) return 'gone';
            unsupported = true;
          } else if (code === 429 || code === 500 || code === 409) {
            throw new EvictionRefusedError(code, `eviction of ${namespace}/${name} refused (HTTP ${code})`);
          } else throw e;
        }
      }
      if (!warned) {
        warned = true;
        opts.onFallback?.();
      }
      return deletePod(pod, grace);
    },
  };
}
