/**
 * Fixture builders for the DAG's tests (Contour's `internal/fixture` idea): short calls that make
 * the input objects, so each table case shows only what matters to its rule.
 */
import type { Secret, Service } from 'kubernetes-types/core/v1.js';
import type { Ingress } from 'kubernetes-types/networking/v1.js';
import type { IngressRoute, IngressRouteRoute, TLSCertificateDelegation } from './ingressroute-types.js';

/** `ns/name` → metadata. */
function meta(k: string, extra: { annotations?: Record<string, string> } = {}) {
  const [namespace, name] = k.includes('/') ? k.split('/') : ['default', k];
  return { namespace, name, ...extra };
}

export function ir(k: string, spec: IngressRoute['spec'], extra: { annotations?: Record<string, string>; status?: IngressRoute['status'] } = {}): IngressRoute {
  const o: IngressRoute = { apiVersion: 'contour.heptio.com/v1beta1', kind: 'IngressRoute', metadata: meta(k, extra), spec };
  if (extra.status) o.status = extra.status;
  return o;
}

/** A root for `fqdn` with the given routes. */
export function root(k: string, fqdn: string, routes: IngressRouteRoute[], tls?: NonNullable<NonNullable<IngressRoute['spec']>['virtualhost']>['tls']): IngressRoute {
  return ir(k, { virtualhost: tls ? { fqdn, tls } : { fqdn }, routes });
}

/** A delegate (no virtualhost). */
export function child(k: string, routes: IngressRouteRoute[]): IngressRoute {
  return ir(k, { routes });
}

/** A route to services `name:port` (port 80 when omitted). */
export function to(match: string, ...services: string[]): IngressRouteRoute {
  return {
    match,
    services: services.map((s) => {
      const [name, port] = s.split(':');
      return { name, port: port ? Number(port) : 80 };
    }),
  };
}

/** A route delegating to `ns/name` (or `name` in the same namespace). */
export function delegate(match: string, target: string): IngressRouteRoute {
  const [namespace, name] = target.includes('/') ? target.split('/') : [undefined, target];
  return { match, delegate: namespace ? { name, namespace } : { name } };
}

export function svc(k: string, ports: Array<number | { port: number; name?: string }> = [80], annotations?: Record<string, string>): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(k, annotations ? { annotations } : {}),
    spec: { ports: ports.map((p) => (typeof p === 'number' ? { port: p } : p)) },
  };
}

export function tlsSecret(k: string, data: Record<string, string> = { 'tls.crt': 'Y2VydA==', 'tls.key': 'a2V5' }, type = 'kubernetes.io/tls'): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: meta(k), type, data };
}

export function certDelegation(k: string, secretName: string, targetNamespaces: string[]): TLSCertificateDelegation {
  return { apiVersion: 'contour.heptio.com/v1beta1', kind: 'TLSCertificateDelegation', metadata: meta(k), spec: { delegations: [{ secretName, targetNamespaces }] } };
}

export function ingress(k: string, spec: Ingress['spec'], annotations?: Record<string, string>): Ingress {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta(k, annotations ? { annotations } : {}), spec };
}

/** An Ingress rule path to `service:port`. */
export function path(p: string, service: string, port: number | string = 80) {
  return {
    path: p,
    pathType: 'Prefix',
    backend: { service: { name: service, port: typeof port === 'number' ? { number: port } : { name: port } } },
  };
}
