/**
 * `flotilla admission certs`, the I/O shell: keep a webhook's CA and serving certificate in a
 * Secret (keys `ca.crt`, `ca.key`, `cert.pem`, `key.pem`; the last two are the seed's mount
 * names), issue or rotate them when `rotationNeeded` says so, and put the CA bundle into the
 * webhook configuration's `clientConfig.caBundle`. It talks to the cluster only as a client.
 */
import { X509Certificate } from 'node:crypto';
import type { Client, KObject, ResourceType } from '../runtime/index.js';
import { caRotationNeeded, createCa, issueServingCert, rotationNeeded, serviceNames, type KeyAndCert } from './certs.js';

const SECRETS: ResourceType = { apiVersion: 'v1', kind: 'Secret', plural: 'secrets' };
const CONFIGURATIONS: ResourceType[] = [
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', plural: 'mutatingwebhookconfigurations', namespaced: false },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', plural: 'validatingwebhookconfigurations', namespaced: false },
];

export interface CertsOptions {
  namespace: string;
  service: string;
  /** Name of the Mutating- and/or ValidatingWebhookConfiguration to patch. */
  webhookConfig: string;
  /** Secret name; defaults to the service name (as the seed's `mwc-example`). */
  secret?: string;
  /** Extra SANs. */
  extraNames?: string[];
  now?: number;
}

export interface CertsOutcome {
  secret: 'created' | 'updated' | 'unchanged';
  why?: string;
  /** The configurations whose caBundle changed. */
  patched: string[];
  caBundle: string;
}

type SecretObject = KObject & { data?: Record<string, string>; type?: string };

const decode = (data: Record<string, string> | undefined, key: string) => (data?.[key] ? Buffer.from(data[key], 'base64').toString('utf8') : undefined);
const encode = (s: string) => Buffer.from(s).toString('base64');

/** The PEM bundle: the current CA, plus the previous one while it is still valid (so rotation never breaks calls). */
function bundle(ca: string, previous: string | undefined, now: number): string {
  if (!previous || previous === ca) return ca;
  try {
    if (new Date(new X509Certificate(previous).validTo).getTime() > now) return `${ca.trimEnd()}\n${previous.trimEnd()}\n`;
  } catch {
    /* an unreadable old CA is dropped */
  }
  return ca;
}

export async function ensureWebhookCertificates(client: Client, opts: CertsOptions): Promise<CertsOutcome> {
  const now = opts.now ?? Date.now();
  const secretName = opts.secret ?? opts.service;
  const names = [...serviceNames(opts.service, opts.namespace), ...(opts.extraNames ?? [])];
  const existing = await client.get<SecretObject>(SECRETS, opts.namespace, secretName);
  let ca: KeyAndCert | undefined = existing ? { certPem: decode(existing.data, 'ca.crt') ?? '', keyPem: decode(existing.data, 'ca.key') ?? '' } : undefined;
  let serving: KeyAndCert | undefined = existing ? { certPem: decode(existing.data, 'cert.pem') ?? '', keyPem: decode(existing.data, 'key.pem') ?? '' } : undefined;
  let previousCa: string | undefined;
  let why: string | undefined;
  const caDecision = caRotationNeeded(ca, now);
  if (caDecision.rotate) {
    previousCa = ca?.certPem || undefined;
    ca = await createCa(`${opts.service}.${opts.namespace}.svc-ca`, 3650, now);
    why = caDecision.why;
  }
  const servingDecision = rotationNeeded(serving, ca!.certPem, names, now);
  if (servingDecision.rotate) {
    serving = await issueServingCert(ca!, names, 365, now);
    why ??= servingDecision.why;
  }
  let secretOutcome: CertsOutcome['secret'] = 'unchanged';
  if (why) {
    const data = { 'ca.crt': encode(ca!.certPem), 'ca.key': encode(ca!.keyPem), 'cert.pem': encode(serving!.certPem), 'key.pem': encode(serving!.keyPem) };
    if (existing) {
      await client.update<SecretObject>(SECRETS, { ...existing, data: { ...existing.data, ...data } });
      secretOutcome = 'updated';
    } else {
      await client.create<SecretObject>(SECRETS, { apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName, namespace: opts.namespace }, type: 'Opaque', data });
      secretOutcome = 'created';
    }
  }
  const caBundle = encode(bundle(ca!.certPem, previousCa, now));
  const patched: string[] = [];
  let found = false;
  for (const type of CONFIGURATIONS) {
    const config = await client.get<KObject & { webhooks?: Array<{ clientConfig?: { caBundle?: string } }> }>(type, '', opts.webhookConfig);
    if (!config) continue;
    found = true;
    const webhooks = config.webhooks ?? [];
    const current = bundleOf(webhooks);
    // Keep an old CA that the configuration still trusts when only the serving certificate changed.
    const wanted = !caDecision.rotate && current && Buffer.from(current, 'base64').toString('utf8').includes(ca!.certPem.trim()) ? current : caBundle;
    if (webhooks.every((w) => w.clientConfig?.caBundle === wanted)) continue;
    for (const w of webhooks) w.clientConfig = { ...(w.clientConfig ?? {}), caBundle: wanted };
    await client.update(type, config);
    patched.push(`${type.kind}/${opts.webhookConfig}`);
  }
  if (!found) throw new Error(`no MutatingWebhookConfiguration or ValidatingWebhookConfiguration named "${opts.webhookConfig}"`);
  return { secret: secretOutcome, why, patched, caBundle };
}

function bundleOf(webhooks: Array<{ clientConfig?: { caBundle?: string } }>): string | undefined {
  return webhooks[0]?.clientConfig?.caBundle;
}
