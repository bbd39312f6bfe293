/**
 * The cluster's certificate authority and the API server's serving certificate, generated on first
 * start and kept in the data directory (as k3s keeps `server/tls`). The serving certificate is
 * reissued when it nears expiry or lacks a requested name; the CA is kept, so kubeconfigs stay valid.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createCa, issueServingCert } from '../apimachinery/certs.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ServingMaterial {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

function servingCertStillGood(certPem: string, caCertPem: string, names: string[]): boolean {
  try {
    const cert = new X509Certificate(certPem);
    if (!cert.checkIssued(new X509Certificate(caCertPem))) return false;
    if (new Date(cert.validTo).getTime() - Date.now() < 30 * DAY_MS) return false;
    const san = cert.subjectAltName ?? '';
    return names.every((n) => san.includes(isIP(n) ? `IP Address:${n}` : `DNS:${n}`));
  } catch {
    return false;
  }
}

/** Names the serving certificate covers by default. */
export function defaultServingNames(extra: string[] = []): string[] {
  return [...new Set(['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', hostname(), '127.0.0.1', '::1', ...extra])];
}

function writePrivate(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
}

export async function ensureServingMaterial(dataDir: string, names: string[]): Promise<ServingMaterial> {
  const dir = join(dataDir, 'tls');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caCertPath = join(dir, 'server-ca.crt');
  const caKeyPath = join(dir, 'server-ca.key');
  const certPath = join(dir, 'serving-kube-apiserver.crt');
  const keyPath = join(dir, 'serving-kube-apiserver.key');
  if (!existsSync(caCertPath) || !existsSync(caKeyPath)) {
    const ca = await createCa(`flotilla-server-ca@${Math.floor(Date.now() / 1000)}`);
    writePrivate(caKeyPath, ca.keyPem);
    writeFileSync(caCertPath, ca.certPem);
  }
  const caCertPem = readFileSync(caCertPath, 'utf8');
  const caKeyPem = readFileSync(caKeyPath, 'utf8');
  if (!existsSync(certPath) || !existsSync(keyPath) || !servingCertStillGood(readFileSync(certPath, 'utf8'), caCertPem, names)) {
    const serving = await issueServingCert({ certPem: caCertPem, keyPem: caKeyPem }, names, 365, Date.now(), 'kube-apiserver');
    writePrivate(keyPath, serving.keyPem);
    writeFileSync(certPath, serving.certPem);
  }
  return { caCertPem, certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
}

/** The admin bearer token, made once and kept in the data directory. */
export function ensureAdminToken(dataDir: string): string {
  const path = join(dataDir, 'admin-token');
  if (!existsSync(path)) writePrivate(path, `${randomBytes(32).toString('hex')}\n`);
  return readFileSync(path, 'utf8').trim();
}
