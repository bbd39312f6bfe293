/**
 * Whether a Deployment has finished rolling out, with kubectl `rollout status`'s messages (the
 * Codefresh step ran that command, so its users know these lines).
 */
import type { V1Deployment } from '@kubernetes/client-node';

export type RolloutProgress =
  | { readonly state: 'progressing'; readonly message: string }
  | { readonly state: 'complete'; readonly message: string }
  /** The Deployment controller gave up (progressDeadlineSeconds): no point waiting longer. */
  | { readonly state: 'failed'; readonly message: string };

export function rolloutProgress(d: V1Deployment): RolloutProgress {
  const name = d.metadata?.name ?? '';
  const s = d.status ?? {};
  if ((d.metadata?.generation ?? 0) > (s.observedGeneration ?? 0)) {
    return { state: 'progressing', message: 'Waiting for deployment spec update to be observed...' };
  }
  const progressing = s.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { state: 'failed', message: `deployment "${name}" exceeded its progress deadline` };
  }
  const want = d.spec?.replicas ?? 1;
  const updated = s.updatedReplicas ?? 0;
  const replicas = s.replicas ?? 0;
  const available = s.availableReplicas ?? 0;
  if (updated < want) {
    return { state: 'progressing', message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${want} new replicas have been updated...` };
  }
  if (replicas > updated) {
    return { state: 'progressing', message: `Waiting for deployment "${name}" rollout to finish: ${replicas - updated} old replicas are pending termination...` };
  }
  if (available < updated) {
    return { state: 'progressing', message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...` };
  }
  return { state: 'complete', message: `deployment "${name}" successfully rolled out` };
}
