/**
 * The horizontal pod autoscaler's shell (autoscaling/v1, what `kubectl autoscale` writes),
 * keyed by HorizontalPodAutoscaler and resynced every 15 s as kube-controller-manager's
 * (--horizontal-pod-autoscaler-sync-period): read the target (a Deployment, ReplicaSet or
 * StatefulSet) and its pods from the cache and their CPU from metrics.k8s.io, compute the
 * replicas (replicas.ts), scale the target when they differ, and write the status. Events and
 * their wording are kube's: SuccessfulRescale, FailedGetScale, FailedGetResourceMetric.
 */
import type { Pod } from 'kubernetes-types/core/v1.js';
import { parseQuantity } from '../../../apimachinery/quantity.js';
import { labelSelectorFromObject } from '../../../apimachinery/label-selector.js';
import { kinds, writeStatus, type KObject, type Request, type Result, type ResourceType } from '../../../runtime/index.js';
import { asK, cached, cachedList, type ControllerContext } from '../shared/context.js';
import { rfc3339 } from '../shared/pod-util.js';
import { cpuRecommendation, DEFAULT_TARGET_CPU, normalize, type PodCpu, type Recommendation } from './replicas.js';

export const HPA_CONTROLLER = 'horizontal-pod-autoscaler';
export const HPA_SYNC_PERIOD_MS = 15_000;

const horizontalPodAutoscalers: ResourceType = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', plural: 'horizontalpodautoscalers' };
const podMetrics: ResourceType = { apiVersion: 'metrics.k8s.io/v1beta1', kind: 'PodMetrics', plural: 'pods' };
const TARGETS: Readonly<Record<string, ResourceType>> = { Deployment: kinds.deployments, ReplicaSet: kinds.replicaSets, StatefulSet: kinds.statefulSets };

interface Hpa {
  metadata: { namespace: string; name: string; generation?: number; uid?: string };
  spec: { scaleTargetRef: { kind: string; name: string; apiVersion?: string }; minReplicas?: number; maxReplicas: number; targetCPUUtilizationPercentage?: number };
  status?: { currentReplicas?: number; desiredReplicas?: number; currentCPUUtilizationPercentage?: number; lastScaleTime?: string; observedGeneration?: number };
}

interface Scalable {
  metadata?: { name?: string; namespace?: string };
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } };
}

const milli = (q: string | number | undefined): number | undefined => (q === undefined ? undefined : parseQuantity(q) * 1000);

function podCpu(pod: Pod, usageMilli: number | undefined): PodCpu {
  let request = 0;
  let missingIn: string | undefined;
  for (const c of pod.spec?.containers ?? []) {
    const r = milli(c.resources?.requests?.cpu as string | undefined);
    if (r === undefined) missingIn ??= c.name;
    else request += r;
  }
  return {
    name: pod.metadata?.name ?? '',
    ready: (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    ignored: Boolean(pod.metadata?.deletionTimestamp) || pod.status?.phase === 'Failed',
    requestMilli: missingIn === undefined ? request : { missingIn },
    usageMilli,
  };
}

export function registerHorizontalPodAutoscalerController(ctx: ControllerContext): void {
  const { manager } = ctx;
  const events = manager.eventRecorder(HPA_CONTROLLER);
  /** Recent recommendations per HPA (`namespace/name`), for scale-down stabilization. */
  const histories = new Map<string, Recommendation[]>();

  async function reconcile(req: Request): Promise<Result> {
    const hpa = cached<Hpa>(ctx, horizontalPodAutoscalers, req.namespace, req.name);
    if (!hpa) {
      histories.delete(`${req.namespace}/${req.name}`);
      return {};
    }
    const ns = hpa.metadata.namespace;
    const ref = hpa.spec.scaleTargetRef;
    // Cached items carry no kind; events need it.
    const me = asK({ ...hpa, apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler' });
    const targetType = TARGETS[ref.kind];
    const target = targetType && cached<Scalable>(ctx, targetType, ns, ref.name);
    if (!targetType || !target) {
      const what = targetType ? `${targetType.plural}.${targetType.apiVersion.split('/')[0]} "${ref.name}" not found` : `no matches for kind "${ref.kind}"`;
      await events.event(me, 'Warning', 'FailedGetScale', what);
      return { requeueAfterMs: HPA_SYNC_PERIOD_MS };
    }
    const currentReplicas = target.spec?.replicas ?? 1;
    const status: NonNullable<Hpa['status']> = { ...hpa.status, observedGeneration: hpa.metadata.generation, currentReplicas, desiredReplicas: currentReplicas };
    // kube leaves an autoscaler alone while its target is scaled to zero by hand.
    if (currentReplicas > 0) {
      const selector = labelSelectorFromObject(target.spec?.selector);
      const pods = cachedList<Pod>(ctx, kinds.pods, ns).filter((p) => selector.matches(p.metadata?.labels ?? {}));
      const usage = new Map<string, number>();
      try {
        const metrics = await manager.client.list<KObject & { containers?: Array<{ usage?: { cpu?: string } }> }>(podMetrics, { namespace: ns, labelSelector: selector.toString() });
        for (const m of metrics.items) usage.set(m.metadata?.name ?? '', (m.containers ?? []).reduce((s, c) => s + (milli(c.usage?.cpu) ?? 0), 0));
      } catch {
        // No metrics API answer: every pod is without metrics, which the calculator reports.
      }
      const targetCpu = hpa.spec.targetCPUUtilizationPercentage ?? DEFAULT_TARGET_CPU;
      const rec = cpuRecommendation(currentReplicas, pods.map((p) => podCpu(p, usage.get(p.metadata?.name ?? ''))), targetCpu);
      if (rec.kind === 'error') {
        await events.event(me, 'Warning', 'FailedGetResourceMetric', rec.message);
        delete status.currentCPUUtilizationPercentage;
      } else {
        const key = `${ns}/${hpa.metadata.name}`;
        const { replicas, history } = normalize(currentReplicas, rec.replicas, hpa.spec.minReplicas ?? 1, hpa.spec.maxReplicas, histories.get(key) ?? [], ctx.now());
        histories.set(key, history);
        status.currentCPUUtilizationPercentage = rec.utilization;
        status.desiredReplicas = replicas;
        if (replicas !== currentReplicas) {
          await manager.client.patch(targetType, ns, ref.name, { spec: { replicas } });
          const reason = replicas > currentReplicas ? 'cpu resource utilization (percentage of request) above target' : 'All metrics below target';
          await events.event(me, 'Normal', 'SuccessfulRescale', `New size: ${replicas}; reason: ${reason}`);
          status.lastScaleTime = rfc3339(ctx.now());
        }
      }
    }
    await writeStatus(manager.client, horizontalPodAutoscalers, asK(hpa) as KObject & { status?: unknown }, (o) => {
      (o as { status?: unknown }).status = status;
    });
    return { requeueAfterMs: HPA_SYNC_PERIOD_MS };
  }

  manager.addController({
    name: HPA_CONTROLLER,
    for: horizontalPodAutoscalers,
    workers: ctx.workers,
    reconciler: reconcile,
  });
}
