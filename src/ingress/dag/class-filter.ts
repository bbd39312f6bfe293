/**
 * The ingress class filter (spec §3.2) for Ingress and IngressRoute: the Contour annotation, else
 * the Kubernetes one, else (Ingress v1) `spec.ingressClassName`; nothing at all → ours.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1.js';

export const DEFAULT_INGRESS_CLASS = 'contour';

export function matchesIngressClass(obj: { metadata?: ObjectMeta; spec?: unknown }, className: string = DEFAULT_INGRESS_CLASS): boolean {
  const a = obj.metadata?.annotations ?? {};
  const annotated = a['contour.heptio.com/ingress.class'] ?? a['kubernetes.io/ingress.class'];
  if (annotated !== undefined) return annotated === className;
  // Annotations take precedence over the spec field, as in Contour v1.x's MatchesIngress.
  const specClass = (obj.spec as { ingressClassName?: string } | undefined)?.ingressClassName;
  if (specClass !== undefined && specClass !== '') return specClass === className;
  return true;
}
