/**
 * The webhook admission plugins of kube-apiserver (MutatingAdmissionWebhook and
 * ValidatingAdmissionWebhook) for one server: per request, `forRequest()` gives the store the two
 * admission steps. Mutating webhooks run in series (configurations by name, webhooks in order,
 * `reinvocationPolicy: IfNeeded` honoured once); validating webhooks run in parallel and the first
 * error wins. Call failures follow each webhook's failurePolicy.
 */
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { StatusError } from '../../apimachinery/errors.js';
import type { KubeObject } from '../../apimachinery/object.js';
import type { ResourceType } from '../../apimachinery/resource-type.js';
import type { ResourceRegistry } from '../registry.js';
import type { AdmissionHook, Store } from '../store.js';
import { ConfigurationCache } from './config-cache.js';
import { ADMISSION_GROUP, MUTATING_KIND, VALIDATING_KIND } from './configuration.js';
import { CallingWebhookError, deniedError, dryRunUnsupported, internalAdmissionError } from './errors.js';
import { needsNamespaceLabels, shouldCall, type Equivalent, type Invocation } from './matching.js';
import { applyWebhookPatch, buildReview, reviewVersionFor, verifyResponse } from './review.js';
import type { AdmissionAttributes, Operation, UserInfo, Webhook } from './types.js';
import { postReview, type CallTarget } from './webhook-client.js';
import { createWebhookMetrics, type WebhookMetrics } from './metrics.js';
import type { Registry } from 'prom-client';

/** What the HTTP layer knows of a write request. */
export interface AdmissionRequestInfo {
  rt: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The kind of the subresource's object when it is not the resource's (autoscaling/v1 Scale). */
  kind?: { group: string; version: string; kind: string };
  dryRun: boolean;
  /** CreateOptions, UpdateOptions, PatchOptions or DeleteOptions, as sent to webhooks. */
  options?: Record<string, unknown>;
  userInfo?: UserInfo;
  /** Pass a webhook's warning on to the client (a `Warning` header). */
  warn(message: string): void;
}

type Warn = (message: string) => void;

/** The one identity the embedded server authenticates (as k3s's admin). */
export const ADMIN_USER: UserInfo = { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] };

export class WebhookAdmission {
  private readonly cache: ConfigurationCache;
  private readonly metrics: WebhookMetrics;

  constructor(
    private readonly store: Store,
    private readonly registry: ResourceRegistry,
    private readonly log: Logger,
    metrics?: Registry,
  ) {
    this.metrics = createWebhookMetrics(metrics);
    this.cache = new ConfigurationCache(
      store,
      {
        mutating: registry.lookup(ADMISSION_GROUP, 'v1', 'mutatingwebhookconfigurations')!,
        validating: registry.lookup(ADMISSION_GROUP, 'v1', 'validatingwebhookconfigurations')!,
      },
      log,
    );
  }

  start(): Promise<void> {
    return this.cache.start();
  }

  stop(): void {
    this.cache.stop();
  }

  /** The admission steps for one request, or undefined when no webhook is configured at all. */
  forRequest(info: AdmissionRequestInfo): AdmissionHook | undefined {
    // As kube: webhooks never see webhook configurations, so a broken webhook cannot lock itself in.
    if (info.rt.group === ADMISSION_GROUP) return undefined;
    const mutating = this.cache.configurations(MUTATING_KIND);
    const validating = this.cache.configurations(VALIDATING_KIND);
    if (mutating.length === 0 && validating.length === 0) return undefined;
    return {
      mutate: async (operation, object, old) => {
        const hooks = mutating.flatMap((c) => c.webhooks ?? []);
        if (hooks.length === 0) return object;
        return this.runMutating(hooks, this.attributes(info, operation, object, old), info.warn);
      },
      validate: async (operation, object, old) => {
        const hooks = validating.flatMap((c) => c.webhooks ?? []);
        if (hooks.length === 0) return;
        await this.runValidating(hooks, this.attributes(info, operation, object, old), info.warn);
      },
    };
  }

  private attributes(info: AdmissionRequestInfo, operation: Operation, object: KubeObject | undefined, old: KubeObject | undefined): AdmissionAttributes {
    const { rt } = info;
    const name = info.name || object?.metadata?.name || old?.metadata?.name || '';
    const isNamespace = rt.group === '' && rt.plural === 'namespaces';
    return {
      operation,
      kind: info.kind ?? { group: rt.group, version: rt.version, kind: rt.kind },
      resource: { group: rt.group, version: rt.version, resource: rt.plural },
      subresource: info.subresource ?? '',
      // kube sets a Namespace's own name as the namespace of requests about it.
      namespace: isNamespace ? name : rt.namespaced ? (info.namespace ?? '') : '',
      name,
      object,
      oldObject: old,
      dryRun: info.dryRun,
      options: info.options,
      userInfo: info.userInfo ?? ADMIN_USER,
    };
  }

  private equivalents(attrs: AdmissionAttributes): Equivalent[] {
    const out: Equivalent[] = [];
    for (const rt of this.registry.all()) {
      if (rt.group !== attrs.resource.group || rt.plural !== attrs.resource.resource || rt.version === attrs.resource.version) continue;
      out.push({ resource: { group: rt.group, version: rt.version, resource: rt.plural }, kind: { group: rt.group, version: rt.version, kind: rt.kind } });
    }
    return out;
  }

  /** Labels of the request's namespace, read once per request and only when a selector needs them. */
  private namespaceLabelsReader(attrs: AdmissionAttributes): () => Promise<Record<string, string>> {
    let labels: Promise<Record<string, string>> | undefined;
    return () => {
      labels ??= (async () => {
        const rt = this.registry.lookup('', 'v1', 'namespaces')!;
        const ns = await this.store.tryGet(rt, undefined, attrs.namespace);
        // As kube: a missing namespace is a 404 for the request.
        if (!ns) throw new StatusError(404, 'NotFound', `namespaces "${attrs.namespace}" not found`, { name: attrs.namespace, kind: 'namespaces' });
        return ns.object.metadata.labels ?? {};
      })();
      return labels;
    };
  }

  private async matching(hook: Webhook, attrs: AdmissionAttributes, nsLabels: () => Promise<Record<string, string>>): Promise<Invocation | undefined> {
    const labels = needsNamespaceLabels(hook, attrs) ? await nsLabels() : undefined;
    return shouldCall(hook, attrs, labels, () => this.equivalents(attrs));
  }

  private async runMutating(hooks: Webhook[], attrs: AdmissionAttributes, warn: Warn): Promise<KubeObject | undefined> {
    const nsLabels = this.namespaceLabelsReader(attrs);
    let object = attrs.object;
    /** IfNeeded webhooks and the object as they left it, for the one reinvocation round. */
    const outputs = new Map<Webhook, string>();
    let changed = false;
    for (const hook of hooks) {
      const current = { ...attrs, object };
      const invocation = await this.matching(hook, current, nsLabels);
      if (!invocation) continue;
      const before = JSON.stringify(object);
      object = await this.callWithPolicy(hook, current, invocation, true, warn);
      const after = JSON.stringify(object);
      if (after !== before) changed = true;
      if (hook.reinvocationPolicy === 'IfNeeded') outputs.set(hook, after);
    }
    if (!changed || outputs.size === 0) return object;
    // Reinvocation: once, for IfNeeded webhooks whose output a later webhook changed.
    for (const [hook, output] of outputs) {
      if (JSON.stringify(object) === output) continue;
      const current = { ...attrs, object };
      const invocation = await this.matching(hook, current, nsLabels);
      if (!invocation) continue;
      object = await this.callWithPolicy(hook, current, invocation, true, warn);
    }
    return object;
  }

  private async runValidating(hooks: Webhook[], attrs: AdmissionAttributes, warn: Warn): Promise<void> {
    const nsLabels = this.namespaceLabelsReader(attrs);
    const errors: unknown[] = [];
    await Promise.all(
      hooks.map(async (hook) => {
        try {
          const invocation = await this.matching(hook, attrs, nsLabels);
          if (invocation) await this.callWithPolicy(hook, attrs, invocation, false, warn);
        } catch (e) {
          errors.push(e);
        }
      }),
    );
    // The first to fail, in the order they finished, as kube's parallel dispatcher reports.
    if (errors.length > 0) throw errors[0];
  }

  /** Call one webhook; a failed call fails the request (Fail) or is logged and skipped (Ignore). */
  private async callWithPolicy(hook: Webhook, attrs: AdmissionAttributes, invocation: Invocation, mutating: boolean, warn: Warn): Promise<KubeObject | undefined> {
    const type = mutating ? 'admit' : 'validating';
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const out = await this.call(hook, attrs, invocation, mutating, warn);
      this.metrics.observe(hook.name, type, attrs.operation, false, seconds());
      return out;
    } catch (e) {
      this.metrics.observe(hook.name, type, attrs.operation, true, seconds());
      if (!(e instanceof CallingWebhookError)) {
        if (e instanceof StatusError) this.metrics.rejection(hook.name, type, attrs.operation, e.code === 500 ? 'apiserver_internal_error' : 'no_error', e.code);
        throw e;
      }
      if (hook.failurePolicy === 'Ignore') {
        this.metrics.failOpen(hook.name, type);
        this.log.info({ webhook: hook.name, err: e.message }, 'failed calling webhook, failing open');
        return attrs.object;
      }
      this.metrics.rejection(hook.name, type, attrs.operation, 'calling_webhook_error', 500);
      this.log.info({ webhook: hook.name, err: e.message }, 'failed calling webhook, failing closed');
      throw internalAdmissionError(e.message);
    }
  }

  private async call(hook: Webhook, attrs: AdmissionAttributes, invocation: Invocation, mutating: boolean, warn: Warn): Promise<KubeObject | undefined> {
    if (attrs.dryRun) {
      if (hook.sideEffects === undefined) throw new CallingWebhookError(hook.name, 'Webhook SideEffects is nil');
      if (hook.sideEffects !== 'None' && hook.sideEffects !== 'NoneOnDryRun') throw dryRunUnsupported(hook.name);
    }
    const version = reviewVersionFor(hook);
    if (!version) throw new CallingWebhookError(hook.name, 'webhook does not accept known AdmissionReview versions (v1, v1beta1)');
    const uid = randomUUID();
    const review = buildReview(uid, version, attrs, invocation);
    const timeoutSeconds = hook.timeoutSeconds ?? 10;
    let body: unknown;
    let target: CallTarget | undefined;
    try {
      target = await this.target(hook, timeoutSeconds);
      body = await postReview(target, JSON.stringify(review), timeoutSeconds * 1000);
    } catch (e) {
      throw new CallingWebhookError(hook.name, `failed to call webhook: ${(e as Error).message}`);
    }
    let response;
    try {
      response = verifyResponse(body, uid, version, mutating);
    } catch (e) {
      throw new CallingWebhookError(hook.name, `received invalid webhook response: ${(e as Error).message}`);
    }
    for (const w of response.warnings ?? []) warn(w);
    if (!response.allowed) throw deniedError(hook.name, response.status);
    if (!mutating || response.patch === undefined) return attrs.object;
    if (attrs.operation === 'DELETE' || attrs.object === undefined) {
      throw internalAdmissionError(`admission webhook "${hook.name}" attempted to modify the object, which is not supported for this operation`);
    }
    return applyWebhookPatch(hook.name, attrs.object, response.patch, response.patchType);
  }

  /**
   * Where to send the review. A service is resolved to one of its ready endpoints (ClusterIPs do
   * not route on this machine), but the URL in messages and the name the certificate must carry
   * are the service's DNS name, as kube-apiserver dials `<name>.<namespace>.svc:<port>`.
   */
  private async target(hook: Webhook, timeoutSeconds: number): Promise<CallTarget> {
    const cc = hook.clientConfig;
    const ca = cc.caBundle ? Buffer.from(cc.caBundle, 'base64').toString('utf8') : undefined;
    const timeout = `timeout=${timeoutSeconds}s`;
    if (cc.url) {
      const u = new URL(cc.url);
      u.search = timeout;
      const host = u.hostname.replace(/^\[|\]$/g, '');
      return { url: u.toString(), host, port: Number(u.port || 443), servername: isIP(host) ? '' : host, ca };
    }
    const svc = cc.service!;
    const port = svc.port ?? 443;
    const servername = `${svc.name}.${svc.namespace}.svc`;
    const url = `https://${servername}:${port}${svc.path ?? '/'}?${timeout}`;
    let endpoint: { host: string; port: number };
    try {
      endpoint = await this.resolveService(svc.namespace, svc.name, port);
    } catch (e) {
      throw new Error(`Post "${url}": ${(e as Error).message}`);
    }
    return { url, host: endpoint.host, port: endpoint.port, servername, ca };
  }

  /** A ready endpoint of the service's port (EndpointSlices when there are any, else Endpoints). */
  private async resolveService(namespace: string, name: string, port: number): Promise<{ host: string; port: number }> {
    const services = this.registry.lookup('', 'v1', 'services')!;
    const svc = (await this.store.tryGet(services, namespace, name))?.object;
    if (!svc) throw new Error(`service "${name}" not found`);
    const type = svc.spec?.type ?? 'ClusterIP';
    if (!['ClusterIP', 'NodePort', 'LoadBalancer'].includes(type)) throw new Error(`unsupported service type "${type}"`);
    const svcPort = (svc.spec?.ports ?? []).find((p: { port: number }) => p.port === port);
    if (!svcPort) throw new Error(`no service port ${port} found for service "${name}"`);
    const candidates: Array<{ host: string; port: number }> = [];
    const slicesRt = this.registry.lookup('discovery.k8s.io', 'v1', 'endpointslices');
    if (slicesRt) {
      const slices = await this.store.list(slicesRt, namespace, { labelSelector: `kubernetes.io/service-name=${name}` });
      for (const item of slices.items) {
        const slice = item.object as { ports?: Array<{ name?: string; port?: number }>; endpoints?: Array<{ addresses?: string[]; conditions?: { ready?: boolean } }> };
        const p = (slice.ports ?? []).find((sp: { name?: string }) => (sp.name ?? '') === (svcPort.name ?? ''));
        if (!p?.port) continue;
        for (const ep of slice.endpoints ?? []) {
          if (ep.conditions?.ready === false) continue;
          for (const address of ep.addresses ?? []) candidates.push({ host: address, port: p.port });
        }
      }
    }
    if (candidates.length === 0) {
      const endpointsRt = this.registry.lookup('', 'v1', 'endpoints')!;
      const eps = (await this.store.tryGet(endpointsRt, namespace, name))?.object as
        | { subsets?: Array<{ addresses?: Array<{ ip: string }>; ports?: Array<{ name?: string; port?: number }> }> }
        | undefined;
      for (const subset of eps?.subsets ?? []) {
        const p = (subset.ports ?? []).find((sp: { name?: string }) => (sp.name ?? '') === (svcPort.name ?? '')) ?? (subset.ports?.length === 1 ? subset.ports[0] : undefined);
        if (!p?.port) continue;
        for (const address of subset.addresses ?? []) candidates.push({ host: address.ip, port: p.port });
      }
    }
    if (candidates.length === 0) throw new Error(`no endpoints available for service "${name}"`);
    return candidates[Math.floor(Math.random() * candidates.length)];
  }
}

/**
 * Admission of a subresource whose object is another kind (`…/scale` is an autoscaling/v1
 * Scale): webhooks see the view, and a mutated view is carried back into the stored object.
 */
export function viewedAs(hook: AdmissionHook, toView: (obj: KubeObject) => KubeObject, fromView: (obj: KubeObject, view: KubeObject) => KubeObject): AdmissionHook {
  return {
    async mutate(operation, object, old) {
      const view = object && toView(object);
      const out = await hook.mutate(operation, view, old && toView(old));
      return object && out && view && JSON.stringify(out) !== JSON.stringify(view) ? fromView(object, out) : object;
    },
    validate: (operation, object, old) => hook.validate(operation, object && toView(object), old && toView(old)),
  };
}
