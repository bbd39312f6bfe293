/**
 * Traffic through the ingress (`--traffic ingressroute/<name>`): instead of flipping the
 * Service's selector in one go, the weights of the IngressRoute's routes to the active Service
 * are shared with the preview Service (which selects the new colour), step by step — a canary the
 * users see before the full switch. Only the weights of the routes that send traffic to the active
 * Service change; the ingress controller, reading the same object, does the rest.
 */
import type { ResourceType } from '../runtime/index.js';

/** contour.heptio.com/v1beta1 IngressRoute, by path (the ingress controller's kind). */
export const ingressRoutes: ResourceType = { apiVersion: 'contour.heptio.com/v1beta1', kind: 'IngressRoute', plural: 'ingressroutes' };

export interface RouteService {
  name?: string;
  port?: number;
  weight?: number;
  [field: string]: unknown;
}

export interface Route {
  match?: string;
  services?: RouteService[];
  [field: string]: unknown;
}

/** The IngressRoute's name in `ingressroute/<name>` (the only kind supported), or undefined. */
export function parseTrafficTarget(text: string): string | undefined {
  const m = /^(?:ingressroutes?(?:\.contour\.heptio\.com)?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(text.trim());
  return m?.[1];
}

/** `10,50,100` → [10, 50, 100]: increasing whole percentages, ending at 100 (added when missing). */
export function parseSteps(text: string): number[] | undefined {
  const parts = text.split(',').map((s) => s.trim());
  if (!parts.every((p) => /^\d+$/.test(p))) return undefined;
  const steps = parts.map(Number);
  if (steps.some((s, i) => s < 1 || s > 100 || (i > 0 && s <= steps[i - 1]))) return undefined;
  return steps.at(-1) === 100 ? steps : [...steps, 100];
}

/**
 * `routes` with every route that reaches `active` sending `previewWeight`% to `preview` and the
 * rest to `active`; the preview entry is added (as a copy of the active one) where missing.
 * Returns how many routes changed hands, so a route-less IngressRoute can be refused.
 */
export function withWeights(routes: readonly Route[], active: string, preview: string, previewWeight: number): { routes: Route[]; matched: number } {
  let matched = 0;
  const next = routes.map((r) => {
    const services = r.services ?? [];
    const a = services.find((s) => s.name === active);
    if (!a) return r;
    matched++;
    const hasPreview = services.some((s) => s.name === preview);
    const list = hasPreview ? services : [...services, { ...a, name: preview }];
    return {
      ...r,
      services: list.map((s) => (s.name === active ? { ...s, weight: 100 - previewWeight } : s.name === preview ? { ...s, weight: previewWeight } : s)),
    };
  });
  return { routes: next, matched };
}
