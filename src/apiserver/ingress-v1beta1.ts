/**
 * Ingress in the versions the seed articles' manifests use — `extensions/v1beta1` and
 * `networking.k8s.io/v1beta1`, removed from Kubernetes in 1.22 — served from the v1 storage, so
 * those manifests apply unchanged and read back in the version asked for. The field mapping is
 * kube's: `serviceName`/`servicePort` ↔ `service.name`/`service.port.{number|name}`,
 * `spec.backend` ↔ `spec.defaultBackend`, and `pathType` defaulting to `ImplementationSpecific`.
 */
import type { KubeObject } from '../apimachinery/object.js';
import { ALL_VERBS, type ResourceType } from '../apimachinery/resource-type.js';
import type { Conversion } from './conversion.js';

interface V1Backend {
  service?: { name?: string; port?: { number?: number; name?: string } };
  resource?: unknown;
}

interface V1beta1Backend {
  serviceName?: string;
  servicePort?: number | string;
  resource?: unknown;
}

type Rules = Array<{ host?: string; http?: { paths?: Array<Record<string, unknown>> } }>;

export function backendToV1(b: V1beta1Backend | undefined): V1Backend | undefined {
  if (!b) return undefined;
  if (b.resource !== undefined) return { resource: b.resource };
  const port = typeof b.servicePort === 'number' ? { number: b.servicePort } : b.servicePort !== undefined ? { name: b.servicePort } : undefined;
  return { service: { name: b.serviceName, ...(port ? { port } : {}) } };
}

export function backendFromV1(b: V1Backend | undefined): V1beta1Backend | undefined {
  if (!b) return undefined;
  if (b.resource !== undefined) return { resource: b.resource };
  const port = b.service?.port;
  return { serviceName: b.service?.name, ...(port?.number !== undefined ? { servicePort: port.number } : port?.name !== undefined ? { servicePort: port.name } : {}) };
}

function mapRules(rules: Rules | undefined, backend: (b: never) => unknown, defaultPathType: boolean): Rules | undefined {
  return rules?.map((rule) => ({
    ...rule,
    ...(rule.http
      ? {
          http: {
            ...rule.http,
            paths: rule.http.paths?.map((p) => ({
              ...p,
              ...(defaultPathType && p.pathType === undefined ? { pathType: 'ImplementationSpecific' } : {}),
              backend: backend(p.backend as never),
            })),
          },
        }
      : {}),
  }));
}

/** A v1beta1 Ingress as v1. */
export function ingressToV1(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  const { backend, rules, ...rest } = spec as { backend?: V1beta1Backend; rules?: Rules };
  const out: Record<string, unknown> = { ...rest };
  if (backend) out.defaultBackend = backendToV1(backend);
  if (rules) out.rules = mapRules(rules, backendToV1 as never, true);
  return { ...obj, apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', spec: out };
}

/** A v1 Ingress as `apiVersion` (a v1beta1). */
export function ingressFromV1(obj: KubeObject, apiVersion: string): KubeObject {
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  const { defaultBackend, rules, ...rest } = spec as { defaultBackend?: V1Backend; rules?: Rules };
  const out: Record<string, unknown> = { ...rest };
  if (defaultBackend) out.backend = backendFromV1(defaultBackend);
  if (rules) out.rules = mapRules(rules, backendFromV1 as never, false);
  return { ...obj, apiVersion, kind: 'Ingress', spec: out };
}

function v1beta1Ingress(group: string): ResourceType {
  return {
    group,
    version: 'v1beta1',
    kind: 'Ingress',
    listKind: 'IngressList',
    plural: 'ingresses',
    singular: 'ingress',
    namespaced: true,
    // `ing` stays with networking.k8s.io/v1 alone, so kubectl never has two to choose from.
    shortNames: [],
    categories: [],
    verbs: ALL_VERBS,
    subresources: [{ name: 'status', group, version: 'v1beta1', kind: 'Ingress', verbs: ['get', 'patch', 'update'] }],
    generation: true,
  };
}

export const INGRESS_V1BETA1_RESOURCES: readonly ResourceType[] = [v1beta1Ingress('extensions'), v1beta1Ingress('networking.k8s.io')];

export const INGRESS_V1BETA1_CONVERSIONS: ReadonlyArray<[string, Conversion]> = INGRESS_V1BETA1_RESOURCES.map((rt) => [
  `${rt.group}/${rt.version}/${rt.kind}`,
  {
    storage: { group: 'networking.k8s.io', plural: 'ingresses', apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
    toStorage: ingressToV1,
    fromStorage: (obj) => ingressFromV1(obj, `${rt.group}/v1beta1`),
  },
]);
