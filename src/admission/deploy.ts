/**
 * `flotilla admission deploy <webhook>`: one command from nothing to a working webhook — apply its
 * manifest from `deploy/admission/`, issue its certificate (Secret + caBundle, as `certs` does)
 * and wait until the webhook's pods are available. The plan (what to write, which Service and
 * configuration the certificate is for) is a pure function of the manifest.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { isAlreadyExists, kinds, type Client, type KObject, type ResourceType } from '../runtime/index.js';
import { ensureWebhookCertificates, type CertsOutcome } from './cert-secret.js';

export const DEPLOYABLE = ['label-injector', 'image-allowlist', 'sidecar-injector'] as const;
export type Deployable = (typeof DEPLOYABLE)[number];

const TYPES: Readonly<Record<string, ResourceType>> = {
  'v1/Namespace': kinds.namespaces,
  'v1/Service': kinds.services,
  'v1/ConfigMap': kinds.configMaps,
  'apps/v1/Deployment': kinds.deployments,
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', plural: 'mutatingwebhookconfigurations', namespaced: false },
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', plural: 'validatingwebhookconfigurations', namespaced: false },
};

export interface DeployPlan {
  /** The manifest's objects, in order, with their kinds. */
  readonly objects: ReadonlyArray<{ type: ResourceType; object: KObject }>;
  /** Whom the certificate is for. */
  readonly service: { namespace: string; name: string };
  readonly webhookConfig: string;
  /** The Deployment serving the webhook, to wait for. */
  readonly deployment: { namespace: string; name: string };
}

/** The plan for a webhook manifest; throws naming what the manifest lacks. */
export function planDeploy(manifest: string): DeployPlan {
  const objects: Array<{ type: ResourceType; object: KObject }> = [];
  for (const doc of parseAllDocuments(manifest)) {
    const object = doc.toJS() as KObject | null;
    if (!object) continue;
    const type = TYPES[`${object.apiVersion}/${object.kind}`];
    if (!type) throw new Error(`the manifest has a ${object.apiVersion} ${object.kind}, which deploy does not write`);
    objects.push({ type, object });
  }
  const find = (kind: string) => objects.find((o) => o.object.kind === kind)?.object;
  const service = find('Service');
  const deployment = find('Deployment');
  const config = find('MutatingWebhookConfiguration') ?? find('ValidatingWebhookConfiguration');
  if (!service || !deployment || !config) throw new Error('the manifest needs a Service, a Deployment and a webhook configuration');
  return {
    objects,
    service: { namespace: service.metadata?.namespace ?? 'default', name: service.metadata!.name! },
    webhookConfig: config.metadata!.name!,
    deployment: { namespace: deployment.metadata?.namespace ?? 'default', name: deployment.metadata!.name! },
  };
}

/** `deploy/admission/<webhook>.yaml`, from the installed package. */
export function manifestFor(webhook: Deployable): string {
  return readFileSync(fileURLToPath(new URL(`../../../deploy/admission/${webhook}.yaml`, import.meta.url)), 'utf8');
}

export interface DeployOutcome {
  readonly lines: string[];
  readonly certs: CertsOutcome;
}

/**
 * Carry out a plan: create each object, or merge its manifest into the existing one (keeping the
 * caBundle the certificate step writes), then the certificate, then wait for the Deployment.
 */
export async function deployWebhook(client: Client, plan: DeployPlan, opts: { timeoutMs?: number; progress?: (line: string) => void } = {}): Promise<DeployOutcome> {
  const say = opts.progress ?? (() => undefined);
  const lines: string[] = [];
  const report = (line: string): void => {
    lines.push(line);
    say(line);
  };
  for (const { type, object } of plan.objects) {
    const ns = type.namespaced === false ? '' : (object.metadata?.namespace ?? 'default');
    const ref = `${type.kind.toLowerCase()}/${object.metadata!.name}`;
    try {
      await client.create(type, object);
      report(`${ref} created`);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      const current = await client.get<KObject & { webhooks?: Array<{ name?: string; clientConfig?: { caBundle?: string } }> }>(type, ns, object.metadata!.name!);
      const desired = structuredClone(object) as KObject & { webhooks?: Array<{ name?: string; clientConfig?: { caBundle?: string } }> };
      // The manifest leaves caBundle empty; the certificate step owns it.
      for (const w of desired.webhooks ?? []) {
        const had = current?.webhooks?.find((c) => c.name === w.name)?.clientConfig?.caBundle;
        if (had && w.clientConfig && !w.clientConfig.caBundle) w.clientConfig.caBundle = had;
      }
      await client.patch(type, ns, object.metadata!.name!, desired, 'merge');
      report(`${ref} configured`);
    }
  }
  const certs = await ensureWebhookCertificates(client, { namespace: plan.service.namespace, service: plan.service.name, webhookConfig: plan.webhookConfig });
  report(`secret/${plan.service.name} ${certs.secret}${certs.why ? ` (${certs.why})` : ''}`);
  for (const p of certs.patched) report(`${p.toLowerCase()} caBundle patched`);
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  for (;;) {
    const d = await client.get<KObject & { spec?: { replicas?: number }; status?: { availableReplicas?: number } }>(kinds.deployments, plan.deployment.namespace, plan.deployment.name);
    const want = d?.spec?.replicas ?? 1;
    const available = d?.status?.availableReplicas ?? 0;
    if (available >= want) break;
    if (Date.now() > deadline) throw new Error(`deployment/${plan.deployment.name} in ${plan.deployment.namespace} has ${available} of ${want} pods available after ${Math.round((opts.timeoutMs ?? 120_000) / 1000)}s (see kubectl describe pods -n ${plan.deployment.namespace})`);
    await new Promise((r) => setTimeout(r, 250));
  }
  report(`deployment/${plan.deployment.name} available: the webhook is serving`);
  return { lines, certs };
}
