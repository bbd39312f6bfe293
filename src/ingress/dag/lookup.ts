/**
 * What a processor may read. Every read goes through here so the incremental builder can record
 * which objects a root's subtree depends on — including objects that do not exist yet.
 */
import type { Secret, Service } from 'kubernetes-types/core/v1.js';
import type { IngressRoute, TLSCertificateDelegation } from './ingressroute-types.js';
import type { TlsVersion } from './types.js';

export interface Lookup {
  ingressRoute(namespace: string, name: string): IngressRoute | undefined;
  service(namespace: string, name: string): Service | undefined;
  secret(namespace: string, name: string): Secret | undefined;
  delegations(namespace: string): Iterable<TLSCertificateDelegation>;
}

/** Operator settings that change what the DAG is (Contour's flags and config keys). */
export interface DagOptions {
  /** `--ingressroute-root-namespaces`; empty → roots anywhere. */
  readonly rootNamespaces?: readonly string[];
  /** `--ingress-class-name`, default `contour`. */
  readonly ingressClass?: string;
  /** Config `disablePermitInsecure`: `permitInsecure` routes are redirected like the rest. */
  readonly disablePermitInsecure?: boolean;
  /** Config `tls.minimum-protocol-version`; default 1.1. */
  readonly minimumTlsVersion?: TlsVersion;
}

export function key(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? 'default'}/${name ?? ''}`;
}
