/**
 * TLS secrets: how a `secretName` is read, when a Secret can serve TLS, and when a namespace may
 * use a Secret of another namespace (TLSCertificateDelegation, spec §4.6).
 */
import type { Secret } from 'kubernetes-types/core/v1.js';
import type { TLSCertificateDelegation } from './ingressroute-types.js';
import type { TlsVersion } from './types.js';

/** `name` → own namespace; `ns/name` → that namespace; `/name` → own namespace. */
export function splitSecretName(secretName: string, ownNamespace: string): { namespace: string; name: string } {
  const i = secretName.indexOf('/');
  if (i < 0) return { namespace: ownNamespace, name: secretName };
  return { namespace: secretName.slice(0, i) || ownNamespace, name: secretName.slice(i + 1) };
}

/** A Secret serves TLS when it is `kubernetes.io/tls` with non-empty `tls.crt` and `tls.key`. */
export function isValidTlsSecret(s: Secret | undefined): s is Secret {
  if (!s || s.type !== 'kubernetes.io/tls') return false;
  return !!(s.data?.['tls.crt'] || s.stringData?.['tls.crt']) && !!(s.data?.['tls.key'] || s.stringData?.['tls.key']);
}

/** The CA of an upstream validation: any type, non-empty `ca.crt`. */
export function caCertificate(s: Secret | undefined): string | undefined {
  return s?.data?.['ca.crt'] || s?.stringData?.['ca.crt'] || undefined;
}

/**
 * May namespace `target` use Secret `secret` of namespace `secretNamespace`? Yes in its own
 * namespace, or when a delegation in the Secret's namespace names the target — or is exactly
 * `["*"]` (a `*` among other names is not a wildcard).
 */
export function delegationPermitted(
  secretNamespace: string,
  secret: string,
  target: string,
  delegations: Iterable<TLSCertificateDelegation>,
): boolean {
  if (secretNamespace === target) return true;
  for (const d of delegations) {
    for (const entry of d.spec?.delegations ?? []) {
      if (entry.secretName !== secret) continue;
      const ns = entry.targetNamespaces ?? [];
      if (ns.length === 1 && ns[0] === '*') return true;
      if (ns.includes(target)) return true;
    }
  }
  return false;
}

/** `"1.3"` → 1.3, `"1.2"` → 1.2, anything else → 1.1 (spec §1.1). */
export function tlsVersion(s: string | undefined): TlsVersion {
  return s === '1.3' ? '1.3' : s === '1.2' ? '1.2' : '1.1';
}

/** The higher of two versions (§2.7). */
export function maxTlsVersion(a: TlsVersion, b: TlsVersion): TlsVersion {
  return a > b ? a : b;
}
