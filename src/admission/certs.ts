/**
 * Certificates for webhooks on modern clusters (the CSR flow the seed used was removed in 1.22):
 * a CA of our own, a serving certificate it signs for the service's DNS names, and the rule for
 * when to issue a new one. Pure apart from key generation.
 */
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { createCa, issueServingCert, type KeyAndCert } from '../apimachinery/certs.js';

export { createCa, issueServingCert, type KeyAndCert };

const DAY_MS = 24 * 60 * 60 * 1000;

/** The names the seed's gen-cert.sh put in the certificate, plus the cluster-domain form. */
export function serviceNames(service: string, namespace: string): string[] {
  return [`${service}.${namespace}.svc`, service, `${service}.${namespace}`, `${service}.${namespace}.svc.cluster.local`];
}

export type RotationDecision = { rotate: false } | { rotate: true; why: string };

/**
 * Whether the serving certificate must be (re)issued: missing, not signed by the CA, missing a
 * name, or within `renewBeforeDays` of expiry (rotation before expiry, as cert-manager renews).
 */
export function rotationNeeded(serving: KeyAndCert | undefined, caCertPem: string, names: string[], now = Date.now(), renewBeforeDays = 30): RotationDecision {
  if (!serving?.certPem || !serving.keyPem) return { rotate: true, why: 'no serving certificate' };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(serving.certPem);
  } catch {
    return { rotate: true, why: 'serving certificate does not parse' };
  }
  try {
    if (!cert.checkIssued(new X509Certificate(caCertPem)) || !cert.verify(new X509Certificate(caCertPem).publicKey)) return { rotate: true, why: 'serving certificate is not signed by the CA' };
  } catch {
    return { rotate: true, why: 'CA certificate does not parse' };
  }
  const san = cert.subjectAltName ?? '';
  const missing = names.find((n) => !san.split(', ').includes(isIP(n) ? `IP Address:${n}` : `DNS:${n}`));
  if (missing) return { rotate: true, why: `serving certificate lacks ${missing}` };
  const left = new Date(cert.validTo).getTime() - now;
  if (left < renewBeforeDays * DAY_MS) return { rotate: true, why: `serving certificate expires in ${Math.max(0, Math.floor(left / DAY_MS))} days` };
  return { rotate: false };
}

/** Whether the CA itself must be replaced (missing, unparsable or near its end). */
export function caRotationNeeded(ca: KeyAndCert | undefined, now = Date.now(), renewBeforeDays = 90): RotationDecision {
  if (!ca?.certPem || !ca.keyPem) return { rotate: true, why: 'no CA' };
  try {
    const left = new Date(new X509Certificate(ca.certPem).validTo).getTime() - now;
    if (left < renewBeforeDays * DAY_MS) return { rotate: true, why: 'CA near expiry' };
  } catch {
    return { rotate: true, why: 'CA does not parse' };
  }
  return { rotate: false };
}
