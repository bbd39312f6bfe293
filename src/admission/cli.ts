/**
 * `flotilla admission …`: `serve` runs the built-in webhooks, `certs` issues (or rotates) their
 * certificate and patches the CA bundle into their configuration, `patch` tries RFC 6902 patches
 * on an object the way the json-patch CLI does (the seed's advice: test a patch before writing a
 * webhook). Wired into the `flotilla` program by `registerAdmissionCommands`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { KubeConfig } from '@kubernetes/client-node';
import { createClient, createLogger, type KObject } from '../runtime/index.js';
import { ensureWebhookCertificates } from './cert-secret.js';
import { DEPLOYABLE, deployWebhook, manifestFor, planDeploy, type Deployable } from './deploy.js';
import { applyPatchFiles } from './patch-cli.js';
import { explainResponse, postJson, reviewFor } from './review-cli.js';
import { parseAllDocuments, stringify as toYaml } from 'yaml';
import { WebhookServer, type Route } from './webhook-server.js';
import { imageAllowlist } from './webhooks/image-allowlist.js';
import { labelInjector } from './webhooks/label-injector.js';
import { sidecarInjector } from './webhooks/sidecar-injector.js';

const BUILT_IN = ['label-injector', 'image-allowlist', 'sidecar-injector'] as const;
const DEFAULT_REGISTRIES = 'docker.io,registry.k8s.io,gcr.io,ghcr.io,quay.io';
const CERT_POLL_MS = 60_000;

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('must be a port number (1-65535).');
  return n;
}

function list(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

function fail(message: string): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

function loadKubeConfig(path: string | undefined): KubeConfig {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  return kc;
}

interface ServeFlags {
  kubeconfig?: string;
  port: number;
  host: string;
  webhooks: string[];
  allowedRegistries: string[];
  sidecarPolicy: string;
  secret?: string;
  certDir?: string;
  logLevel: string;
}

/** Where the serving certificate comes from: files (the seed's mount) or a Secret read as a client. */
function certificateSource(flags: ServeFlags): () => Promise<{ certPem: string; keyPem: string }> {
  if (flags.secret) {
    const [namespace, name] = flags.secret.includes('/') ? flags.secret.split('/', 2) : ['default', flags.secret];
    const client = createClient(loadKubeConfig(flags.kubeconfig));
    return async () => {
      const secret = await client.get<KObject & { data?: Record<string, string> }>({ apiVersion: 'v1', kind: 'Secret', plural: 'secrets' }, namespace, name);
      if (!secret) throw new Error(`secret "${name}" not found in namespace "${namespace}"`);
      const field = (k: string) => {
        const v = secret.data?.[k];
        if (!v) throw new Error(`secret "${namespace}/${name}" has no ${k} (run flotilla admission certs)`);
        return Buffer.from(v, 'base64').toString('utf8');
      };
      return { certPem: field('cert.pem'), keyPem: field('key.pem') };
    };
  }
  const dir = flags.certDir ?? '/etc/webhook/certs';
  return async () => ({ certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'key.pem'), 'utf8') });
}

export function registerAdmissionCommands(program: Command): void {
  const admission = program.command('admission').description('Admission webhooks: serve the built-in ones, manage their certificates, try JSON patches');

  admission
    .command('serve')
    .description('Serve the built-in webhooks over HTTPS (/mutating-pods, /validate-images, /inject; /healthz, /metrics)')
    .option('--kubeconfig <file>', 'kubeconfig for reading the certificate Secret (default: $KUBECONFIG or ~/.kube/config)')
    .option('--port <port>', 'HTTPS port', port, 8443)
    // In a pod, the pod's own IP: two webhook pods on one machine (the process runtime's pods share its loopback) must not collide on 0.0.0.0.
    .option('--host <address>', 'address to listen on (default: $POD_IP when set, else 0.0.0.0)', process.env.POD_IP || '0.0.0.0')
    .option('--webhooks <names>', `webhooks to serve, comma-separated: ${BUILT_IN.join(', ')}`, list, [...BUILT_IN])
    .option('--allowed-registries <list>', 'registries (or registry/path prefixes) the image allowlist admits', list, list(DEFAULT_REGISTRIES))
    .option('--sidecar-policy <policy>', 'sidecar injection when a pod has no sidecar.istio.io/inject annotation: enabled or disabled', 'enabled')
    .option('--secret <namespace/name>', 'read cert.pem and key.pem from this Secret (as written by `flotilla admission certs`)')
    .option('--cert-dir <dir>', 'read cert.pem and key.pem from this directory (the seed mounts /etc/webhook/certs)')
    .option('--log-level <level>', 'info or debug', 'info')
    .action(async (flags: ServeFlags) => {
      const unknown = flags.webhooks.filter((w) => !(BUILT_IN as readonly string[]).includes(w));
      if (unknown.length > 0) fail(`unknown webhook "${unknown[0]}": choose from ${BUILT_IN.join(', ')}`);
      if (flags.sidecarPolicy !== 'enabled' && flags.sidecarPolicy !== 'disabled') fail(`--sidecar-policy must be enabled or disabled, not "${flags.sidecarPolicy}"`);
      if (flags.logLevel !== 'info' && flags.logLevel !== 'debug') fail(`--log-level must be info or debug, not "${flags.logLevel}"`);
      if (flags.secret && flags.certDir) fail('give --secret or --cert-dir, not both');
      const log = createLogger({ level: flags.logLevel as 'info' | 'debug', name: 'admission' });
      const routes: Route[] = [];
      if (flags.webhooks.includes('label-injector')) routes.push(labelInjector(log));
      if (flags.webhooks.includes('image-allowlist')) routes.push(imageAllowlist(flags.allowedRegistries));
      if (flags.webhooks.includes('sidecar-injector')) routes.push(sidecarInjector({ policy: flags.sidecarPolicy as 'enabled' | 'disabled' }));
      const load = certificateSource(flags);
      let cert: { certPem: string; keyPem: string };
      try {
        cert = await load();
      } catch (e) {
        fail(`cannot read the serving certificate: ${(e as Error).message}`);
      }
      const server = new WebhookServer({ ...cert, routes, logger: log });
      let listening: number;
      try {
        listening = await server.listen(flags.port, flags.host);
      } catch (e) {
        fail(`cannot listen on ${flags.host}:${flags.port}: ${(e as Error).message}`);
      }
      log.info({ host: flags.host, port: listening, webhooks: routes.map((r) => `${r.name} ${r.path}`) }, 'webhook server listening');
      // Rotation: a renewed certificate (Secret or files) is picked up without a restart.
      const poll = setInterval(() => {
        load()
          .then((next) => {
            if (next.certPem === cert.certPem && next.keyPem === cert.keyPem) return;
            server.setCertificate(next.certPem, next.keyPem);
            cert = next;
            log.info({}, 'serving certificate reloaded');
          })
          .catch((e: Error) => log.info({ err: e.message }, 'serving certificate reload failed'));
      }, CERT_POLL_MS);
      poll.unref();
      const stop = () => {
        clearInterval(poll);
        void server.close().then(() => process.exit(0));
      };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
    });

  admission
    .command('certs')
    .description("Create (or rotate before expiry) a webhook's CA and serving certificate, store them in a Secret, and patch caBundle into its configuration")
    .requiredOption('--namespace <namespace>', "the webhook Service's namespace")
    .requiredOption('--service <name>', "the webhook Service's name (the certificate names <service>.<namespace>.svc)")
    .requiredOption('--webhook-config <name>', 'the Mutating- or ValidatingWebhookConfiguration to patch')
    .option('--secret <name>', 'Secret to keep the keys in (default: the service name)')
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG or ~/.kube/config)')
    .action(async (flags: { namespace: string; service: string; webhookConfig: string; secret?: string; kubeconfig?: string }) => {
      try {
        const client = createClient(loadKubeConfig(flags.kubeconfig), { fieldManager: 'flotilla-admission-certs' });
        const out = await ensureWebhookCertificates(client, { namespace: flags.namespace, service: flags.service, webhookConfig: flags.webhookConfig, secret: flags.secret });
        const secretName = flags.secret ?? flags.service;
        process.stdout.write(`secret/${secretName} ${out.secret}${out.why ? ` (${out.why})` : ''}\n`);
        for (const p of out.patched) process.stdout.write(`${p.toLowerCase().replace(/^(\w+)webhookconfiguration/, '$1webhookconfiguration.admissionregistration.k8s.io')} caBundle patched\n`);
      } catch (e) {
        fail((e as Error).message);
      }
    });

  admission
    .command('deploy')
    .description(`Deploy a built-in webhook in one step: apply deploy/admission/<webhook>.yaml, issue its certificate, wait until it serves (${DEPLOYABLE.join(', ')})`)
    .argument('<webhook>', `one of ${DEPLOYABLE.join(', ')}`)
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG or ~/.kube/config)')
    .option('--timeout <seconds>', 'how long to wait for the webhook to serve', (v: string) => Number(v), 120)
    .action(async (webhook: string, flags: { kubeconfig?: string; timeout: number }) => {
      if (!(DEPLOYABLE as readonly string[]).includes(webhook)) fail(`unknown webhook "${webhook}": expected one of ${DEPLOYABLE.join(', ')}`);
      if (!Number.isFinite(flags.timeout) || flags.timeout <= 0) fail('--timeout must be a positive number of seconds');
      try {
        const client = createClient(loadKubeConfig(flags.kubeconfig), { fieldManager: 'flotilla-admission-deploy' });
        await deployWebhook(client, planDeploy(manifestFor(webhook as Deployable)), { timeoutMs: flags.timeout * 1000, progress: (line) => process.stdout.write(`${line}\n`) });
      } catch (e) {
        fail((e as Error).message);
      }
    });

  admission
    .command('review')
    .description('Send one AdmissionReview for the object in a manifest to a webhook; show the decoded response and the patched object')
    .requiredOption('-f, --filename <file>', 'the manifest (YAML or JSON; the first document)')
    .requiredOption('--webhook <url>', 'the webhook URL, e.g. https://localhost:8443/mutating-pods')
    .option('--ca-file <file>', 'CA certificate (PEM) to verify the webhook with')
    .option('--insecure-skip-tls-verify', 'do not verify the webhook certificate')
    .option('--operation <op>', 'CREATE, UPDATE or DELETE', 'CREATE')
    .option('--namespace <ns>', "the request's namespace (default: the object's, or default)")
    .action(async (flags: { filename: string; webhook: string; caFile?: string; insecureSkipTlsVerify?: boolean; operation: string; namespace?: string }) => {
      if (!['CREATE', 'UPDATE', 'DELETE'].includes(flags.operation)) fail(`--operation must be CREATE, UPDATE or DELETE, not "${flags.operation}"`);
      let obj: Record<string, unknown>;
      try {
        const text = flags.filename === '-' ? readFileSync(0, 'utf8') : readFileSync(flags.filename, 'utf8');
        obj = parseAllDocuments(text)[0]?.toJSON() as Record<string, unknown>;
        if (!obj || typeof obj !== 'object') throw new Error('no object in the manifest');
      } catch (e) {
        fail(`cannot read ${flags.filename}: ${(e as Error).message}`);
      }
      const review = reviewFor(obj, { operation: flags.operation as 'CREATE', namespace: flags.namespace });
      const uid = (review.request as { uid: string }).uid;
      try {
        const body = await postJson(flags.webhook, JSON.stringify(review), flags.caFile ? readFileSync(flags.caFile, 'utf8') : undefined, Boolean(flags.insecureSkipTlsVerify));
        const report = explainResponse(obj, body, uid);
        process.stdout.write(toYaml({ response: report.response }));
        if (report.patched !== undefined) process.stdout.write(`---\n${toYaml(report.patched)}`);
        if (report.problem) fail(report.problem);
      } catch (e) {
        fail((e as Error).message);
      }
    });

  admission
    .command('patch')
    .description('Apply RFC 6902 patch files in order to the JSON document on stdin, as the json-patch CLI does')
    .requiredOption('-p, --patch-file <file>', 'a JSON patch file (repeatable; applied in order)', (v: string, prev: string[] = []) => [...prev, v])
    .action(async (flags: { patchFile: string[] }) => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      const result = applyPatchFiles(Buffer.concat(chunks).toString('utf8'), flags.patchFile.map((f) => ({ name: f, read: () => readFileSync(f, 'utf8') })));
      if (!result.ok) fail(result.message);
      process.stdout.write(`${result.document}\n`);
    });
}
