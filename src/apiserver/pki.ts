/**
 * The cluster's certificate authority and the API server's serving certificate, generated on first
 * start and kept in the data directory (as k3s keeps `server/tls`). The serving certificate is
 * reissued when it nears expiry or lacks a requested name; the CA is kept, so kubeconfigs stay valid.
 */
import { webcrypto, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
// @peculiar/x509 resolves its ASN.1 schemas through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

// @peculiar/x509 is typed against the DOM's Crypto; Node's webcrypto is the same API.
x509.cryptoProvider.set(webcrypto as never);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface ServingMaterial {
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKeyPem(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  return webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, true, ['sign']);
}

function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

async function createCa(): Promise<{ certPem: string; keyPem: string }> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=flotilla-server-ca@${Math.floor(now / 1000)}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 3650 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    keys: keys as never,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
}

async function issueServingCert(caCertPem: string, caKeyPem: string, names: string[]): Promise<{ certPem: string; keyPem: string }> {
  const caCert = new x509.X509Certificate(caCertPem);
  const caKey = await importKeyPem(caKeyPem);
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=kube-apiserver',
    issuer: caCert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 365 * DAY_MS),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey as never,
    signingKey: caKey as never,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((n) => (isIP(n) ? { type: 'ip' as const, value: n } : { type: 'dns' as const, value: n }))),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await exportKeyPem(keys.privateKey) };
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
    const ca = await createCa();
    writePrivate(caKeyPath, ca.keyPem);
    writeFileSync(caCertPath, ca.certPem);
  }
  const caCertPem = readFileSync(caCertPath, 'utf8');
  const caKeyPem = readFileSync(caKeyPath, 'utf8');
  if (!existsSync(certPath) || !existsSync(keyPath) || !servingCertStillGood(readFileSync(certPath, 'utf8'), caCertPem, names)) {
    const serving = await issueServingCert(caCertPem, caKeyPem, names);
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
