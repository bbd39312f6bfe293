/**
 * A validating webhook that admits only images from allowed registries: every container, init
 * container and ephemeral container of a pod, or of the pod template of a workload (Deployment,
 * ReplicaSet, StatefulSet, DaemonSet, Job, CronJob). Image names are read as Docker reads them
 * (`nginx` is `docker.io/library/nginx`).
 */
import { allowed, denied } from '../response.js';
import type { AdmissionRequest, AdmissionResult, KubeObjectLike } from '../review.js';
import type { Route } from '../webhook-server.js';

/** `nginx:1.27` → `docker.io/library/nginx:1.27`; `gcr.io/x/y` stays; `localhost:5000/a` stays. */
export function normalizeImage(image: string): string {
  const slash = image.indexOf('/');
  const first = slash < 0 ? '' : image.slice(0, slash);
  const hasRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return image;
  return slash < 0 ? `docker.io/library/${image}` : `docker.io/${image}`;
}

/** Whether an image comes from one of `registries` (a host such as `gcr.io`, or a prefix such as `ghcr.io/acme`). */
export function imageAllowed(image: string, registries: readonly string[]): boolean {
  const ref = normalizeImage(image);
  return registries.some((entry) => {
    const prefix = entry.replace(/\/+$/, '');
    return ref === prefix || ref.startsWith(`${prefix}/`);
  });
}

interface ContainerLike {
  name?: string;
  image?: string;
}

/** The pod spec of a pod or of a workload's template. */
function podSpecOf(obj: KubeObjectLike): Record<string, unknown> | undefined {
  const spec = obj.spec as Record<string, any> | undefined;
  if (!spec) return undefined;
  if (obj.kind === 'Pod') return spec;
  if (obj.kind === 'CronJob') return spec.jobTemplate?.spec?.template?.spec;
  return spec.template?.spec;
}

/** One line per container whose image is not allowed, in spec order. */
export function disallowedImages(obj: KubeObjectLike, registries: readonly string[]): string[] {
  const spec = podSpecOf(obj);
  if (!spec) return [];
  const problems: string[] = [];
  for (const [field, what] of [['initContainers', 'init container'], ['containers', 'container'], ['ephemeralContainers', 'ephemeral container']] as const) {
    for (const c of (spec[field] as ContainerLike[] | undefined) ?? []) {
      if (typeof c.image === 'string' && !imageAllowed(c.image, registries)) problems.push(`image "${c.image}" of ${what} "${c.name ?? ''}" is not from an allowed registry`);
    }
  }
  return problems;
}

export function validateImages(request: AdmissionRequest, registries: readonly string[]): AdmissionResult {
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return allowed();
  const problems = disallowedImages(request.object ?? {}, registries);
  if (problems.length === 0) return allowed();
  return denied(`${problems.join('; ')} (allowed: ${registries.join(', ')})`);
}

export function imageAllowlist(registries: readonly string[]): Route {
  if (registries.length === 0) throw new Error('the image allowlist needs at least one registry');
  return { name: 'image-allowlist', path: '/validate-images', handler: (req) => validateImages(req, registries) };
}
