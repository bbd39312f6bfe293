/**
 * The embedded API server: HTTPS, bearer-token authentication, health and version endpoints,
 * discovery, OpenAPI, and the REST resources over a storage Backend. One `ApiServer` per process;
 * `close()` stops accepting, ends watches, lets in-flight requests finish.
 */
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import { Counter, Histogram, Registry as MetricsRegistry, collectDefaultMetrics } from 'prom-client';
import { badRequest, internalError, routeNotFound, StatusError, unauthorized } from '../apimachinery/errors.js';
import type { Backend } from '../storage/index.js';
import { BUILTIN_RESOURCES } from './builtin-resources.js';
import {
  AGGREGATED_DISCOVERY_V2,
  AGGREGATED_DISCOVERY_V2BETA1,
  aggregatedDiscovery,
  apiGroupDocument,
  apiGroupList,
  apiResourceList,
  apiVersions,
} from './discovery.js';
import { sendObject, sendStatusError, sendText } from './http-util.js';
import { acceptsAggregatedDiscovery, chooseFormat, parseAccept } from './negotiation.js';
import { NamespaceLifecycle } from './namespace-lifecycle.js';
import { groupVersionDocument, openApiFor, openApiRoot, openApiV2 } from './openapi/index.js';
import type { ServingMaterial } from './pki.js';
import { ResourceRegistry } from './registry.js';
import { parseRequestPath, type RequestTarget } from './request-info.js';
import { ResourceHandler, type ResourceRequest } from './resource-handler.js';
import { evictPod } from './eviction.js';
import { INGRESS_V1BETA1_CONVERSIONS, INGRESS_V1BETA1_RESOURCES } from './ingress-v1beta1.js';
import { containerForLogs, kubeletLogLocation, parsePodLogOptions, proxyPodLogs } from './pod-logs.js';
import { kubeletExecLocation, proxyUpgrade, statusResponse } from './pod-exec.js';
import { METRICS_GROUP, MetricsApi } from './metrics-api.js';
import { Store } from './store.js';
import { conversionKey, CONVERSIONS } from './conversion.js';
import { CrdLifecycle } from './crd/lifecycle.js';
import { GarbageCollector } from './garbage-collector.js';
import { crdStrategy } from './crd/crd-strategy.js';
import { strategyKey } from './strategy.js';
import type { Convertor } from './table/index.js';
import { builtinStrategies, reserveExisting, ServiceAllocators, type ServiceNetwork } from './strategies/index.js';
import { KUBERNETES_VERSION } from './version.js';
import { ADMISSION_GROUP, ADMISSION_V1BETA1_CONVERSIONS, ADMISSION_V1BETA1_RESOURCES, MUTATING_KIND, VALIDATING_KIND, WebhookAdmission, webhookConfigurationStrategy } from './admission/index.js';

export interface ApiServerOptions {
  backend: Backend;
  tls: ServingMaterial;
  /** Bearer token that authenticates as the cluster admin. */
  adminToken: string;
  host?: string;
  /** 0 picks a free port. */
  port: number;
  logger?: Logger;
  serviceNetwork?: ServiceNetwork;
}

/** Paths anyone may read, as kube's system:public-info-viewer role allows. */
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);

const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export class ApiServer {
  readonly registry = new ResourceRegistry(BUILTIN_RESOURCES);
  readonly store: Store;
  private readonly server: Server;
  private readonly log: Logger;
  private readonly handler: ResourceHandler;
  private readonly namespaces: NamespaceLifecycle;
  private readonly crds: CrdLifecycle;
  private readonly gc: GarbageCollector;
  private readonly admission: WebhookAdmission;
  private readonly allocators: ServiceAllocators;
  private readonly shutdown = new AbortController();
  /** Sockets handed over to a stream (exec sessions). */
  private readonly streams = new Set<Socket>();
  private readonly metricsApi = new MetricsApi({
    nodes: async () => (await this.store.list(this.registry.lookup('', 'v1', 'nodes')!, undefined)).items.map((i) => i.object),
    pods: async (namespace) => (await this.store.list(this.registry.lookup('', 'v1', 'pods')!, namespace)).items.map((i) => i.object),
  });
  private readonly token: Buffer;
  private readonly metrics = new MetricsRegistry();
  private readonly requests: Counter<'verb' | 'resource' | 'code'>;
  private readonly latency: Histogram<'verb' | 'resource'>;
  private ready = false;

  constructor(private readonly opts: ApiServerOptions) {
    this.log = opts.logger ?? pino({ level: 'info' });
    // Every open watch listens for shutdown: thousands of them are normal, not a leak.
    setMaxListeners(0, this.shutdown.signal);
    this.token = Buffer.from(opts.adminToken);
    this.allocators = new ServiceAllocators(opts.serviceNetwork);
    const strategies = new Map(builtinStrategies(this.allocators));
    const conversions = new Map(CONVERSIONS);
    // Webhook configurations: their defaults and validation, and the seed era's v1beta1 API.
    for (const kind of [MUTATING_KIND, VALIDATING_KIND]) strategies.set(strategyKey(ADMISSION_GROUP, kind), webhookConfigurationStrategy);
    for (const rt of ADMISSION_V1BETA1_RESOURCES) this.registry.add(rt);
    // The seed articles' Ingress manifests (extensions/v1beta1, networking.k8s.io/v1beta1), kept in v1.
    for (const rt of INGRESS_V1BETA1_RESOURCES) this.registry.add(rt);
    for (const [key, conversion] of INGRESS_V1BETA1_CONVERSIONS) conversions.set(key, conversion);
    for (const [key, conversion] of ADMISSION_V1BETA1_CONVERSIONS) conversions.set(key, conversion);
    const convertors = new Map<string, Convertor>();
    this.store = new Store(opts.backend, strategies, conversions);
    this.crds = new CrdLifecycle(
      this.store,
      {
        registry: this.registry,
        strategies,
        conversions,
        convertors,
        onChange: (spec, served) => {
          const docs = openApiFor(this.registry);
          for (const v of spec.versions) {
            if (served && v.served) docs.setCustomSchema(spec.group, v.name, spec.names.kind, v.schema?.openAPIV3Schema as never, spec.names.listKind);
            else docs.removeCustomSchema(spec.group, v.name, spec.names.kind);
          }
        },
      },
      this.log,
    );
    this.gc = new GarbageCollector(opts.backend, this.store, this.registry, this.log);
    strategies.set(strategyKey('apiextensions.k8s.io', 'CustomResourceDefinition'), {
      ...crdStrategy,
      afterWrite: (crd) => this.crds.onWrite(crd),
      afterDelete: (crd) => this.crds.onDelete(crd),
    });
    this.namespaces = new NamespaceLifecycle(this.store, this.registry, this.log);
    this.admission = new WebhookAdmission(this.store, this.registry, this.log, this.metrics);
    this.handler = new ResourceHandler(this.store, {
      onNamespaceTerminating: (name) => this.namespaces.terminate(name),
      convertorFor: (rt) => convertors.get(conversionKey(rt)),
      schemaFor: (rt) => openApiFor(this.registry).kindSchema(rt.group, rt.version, rt.kind),
      shutdown: this.shutdown.signal,
      podLogs: (req, res, r) => this.podLogs(req, res, r),
      evict: async (req, res, r, eviction) => {
        const types = { pods: r.rt, budgets: this.registry.lookup('policy', 'v1', 'poddisruptionbudgets')! };
        await evictPod(this.store, types, r.namespace!, r.name!, eviction, { dryRun: r.query.getAll('dryRun').includes('All') });
        sendObject(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
      },
      admission: (info) => this.admission.forRequest(info),
    });
    collectDefaultMetrics({ register: this.metrics });
    this.requests = new Counter({
      name: 'apiserver_request_total',
      help: 'Counter of apiserver requests broken out by verb, resource and HTTP response code.',
      labelNames: ['verb', 'resource', 'code'],
      registers: [this.metrics],
    });
    this.latency = new Histogram({
      name: 'apiserver_request_duration_seconds',
      help: 'Response latency distribution in seconds for each verb and resource (watches excluded).',
      labelNames: ['verb', 'resource'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [this.metrics],
    });
    this.server = createHttpsServer({ cert: opts.tls.certPem, key: opts.tls.keyPem, keepAliveTimeout: 65_000 }, (req, res) => {
      void this.serve(req, res);
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => void this.upgrade(req, socket, head));
    // Watches are long; the server's own request timeout must not cut them.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 60_000;
  }

  /** Prepare state (allocations, default namespaces) and start listening. Returns the port. */
  async start(): Promise<number> {
    const services = this.registry.lookup('', 'v1', 'services')!;
    reserveExisting(this.allocators, (await this.store.list(services, undefined)).items.map((i) => i.object));
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port, this.opts.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    await this.crds.resume();
    await this.admission.start();
    await this.gc.start();
    await this.bootstrap();
    await this.namespaces.resume();
    this.ready = true;
    return this.port;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.ready = false;
    this.namespaces.stop();
    this.crds.stop();
    this.gc.stop();
    this.admission.stop();
    this.shutdown.abort();
    // Exec sessions are upgraded sockets the server no longer tracks: they end with the server.
    for (const s of this.streams) s.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  /** Objects every cluster has: the system namespaces and the `kubernetes` service. */
  /** `GET …/pods/<name>/log`: checked here, served by the pod's kubelet (an empty answer while the pod has no node, as kube's). */
  private async podLogs(req: IncomingMessage, res: ServerResponse, r: ResourceRequest): Promise<void> {
    const pod = (await this.store.get(r.rt, r.namespace, r.name!)).object;
    const container = containerForLogs(pod, r.query.get('container'));
    const options = parsePodLogOptions(r.name!, r.query);
    const nodeName = pod.spec?.nodeName as string | undefined;
    if (!nodeName) {
      sendText(res, 200, 'text/plain', '');
      return;
    }
    const node = (await this.store.get(this.registry.lookup('', 'v1', 'nodes')!, undefined, nodeName)).object;
    await proxyPodLogs(req, res, kubeletLogLocation(pod, node, container, options), r.name!);
  }

  /**
   * Requests that ask to switch protocols: `pods/exec` (kubectl exec, WebSocket first, then SPDY)
   * goes to the pod's kubelet; anything else is answered with a Status and the socket closed.
   */
  private async upgrade(req: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    this.streams.add(socket);
    socket.once('close', () => this.streams.delete(socket));
    try {
      if (!this.authenticated(req)) throw unauthorized();
      const url = new URL(req.url ?? '/', 'https://localhost');
      const target = parseRequestPath(url.pathname);
      if (target?.type !== 'resource' || target.group !== '' || target.plural !== 'pods' || !target.name || !target.namespace) throw routeNotFound();
      if (target.subresource !== 'exec') throw badRequest(`${target.subresource ? `pods/${target.subresource}` : 'pods'} cannot be upgraded to a stream here: only pods/exec is served by flotilla's nodes`);
      const pods = this.registry.lookup('', 'v1', 'pods')!;
      const pod = (await this.store.get(pods, target.namespace, target.name)).object;
      const nodeName = pod.spec?.nodeName as string | undefined;
      const node = nodeName ? (await this.store.get(this.registry.lookup('', 'v1', 'nodes')!, undefined, nodeName)).object : undefined;
      proxyUpgrade(req, socket, head, kubeletExecLocation(pod, node, url.searchParams));
    } catch (e) {
      const err = e instanceof StatusError ? e : new StatusError(500, 'InternalError', (e as Error).message);
      if (socket.writable) socket.end(statusResponse(err));
    }
  }

  private async bootstrap(): Promise<void> {
    const namespaces = this.registry.lookup('', 'v1', 'namespaces')!;
    for (const name of DEFAULT_NAMESPACES) {
      if (!(await this.store.tryGet(namespaces, undefined, name))) {
        await this.store.create(namespaces, undefined, { metadata: { name } });
      }
    }
    const services = this.registry.lookup('', 'v1', 'services')!;
    if (!(await this.store.tryGet(services, 'default', 'kubernetes'))) {
      await this.store.create(services, 'default', {
        metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
        spec: { clusterIP: this.allocators.apiServerIp, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: this.port }] },
      });
    }
    const endpoints = this.registry.lookup('', 'v1', 'endpoints')!;
    await this.store.update(endpoints, 'default', 'kubernetes', () => ({
      metadata: { name: 'kubernetes', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: this.port, protocol: 'TCP' }] }],
    }));
  }

  private authenticated(req: IncomingMessage): boolean {
    const header = req.headers.authorization;
    if (!header?.startsWith('Bearer ')) return false;
    const given = Buffer.from(header.slice('Bearer '.length).trim());
    return given.length === this.token.length && timingSafeEqual(given, this.token);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'https://localhost');
    let verb = (req.method ?? 'GET').toLowerCase();
    let resource = '';
    try {
      if (!PUBLIC_PATHS.has(url.pathname) && !this.authenticated(req)) throw unauthorized();
      const target = parseRequestPath(url.pathname);
      if (target?.type === 'resource') {
        const rt = this.registry.lookup(target.group, target.version, target.plural);
        if (!rt || (target.namespace !== undefined && !rt.namespaced)) throw routeNotFound();
        resource = rt.plural;
        verb = verbOf(req.method ?? 'GET', target, url.searchParams);
        if (rt.group === METRICS_GROUP) {
          // Not stored: figures from the kubelets, as metrics-server serves them.
          return sendObject(res, 200, await this.metricsApi.serve(req.method ?? 'GET', rt.plural, target.namespace, target.name, url.searchParams), chooseFormat(parseAccept(req.headers.accept)));
        }
        await this.handler.handle(req, res, {
          rt,
          namespace: rt.namespaced ? target.namespace : undefined,
          name: target.name,
          subresource: target.subresource,
          query: url.searchParams,
          format: chooseFormat(parseAccept(req.headers.accept)),
        });
      } else {
        await this.serveNonResource(req, res, url, target);
      }
    } catch (e) {
      const err = e instanceof StatusError ? e : internalError(e);
      if (!(e instanceof StatusError)) this.log.error({ err: e, method: req.method, path: url.pathname }, 'request failed');
      sendStatusError(res, err);
    } finally {
      if (verb !== 'watch') {
        this.latency.observe({ verb, resource }, Number(process.hrtime.bigint() - started) / 1e9);
      }
      this.requests.inc({ verb, resource, code: String(res.statusCode) });
    }
  }

  private async serveNonResource(req: IncomingMessage, res: ServerResponse, url: URL, target: RequestTarget | undefined): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw routeNotFound();
    const accept = parseAccept(req.headers.accept);
    switch (url.pathname) {
      case '/healthz':
      case '/livez':
        return sendText(res, 200, 'text/plain; charset=utf-8', 'ok');
      case '/readyz':
        if (!this.ready) return sendText(res, 503, 'text/plain; charset=utf-8', 'readyz check failed');
        return sendText(res, 200, 'text/plain; charset=utf-8', 'ok');
      case '/version':
        return sendObject(res, 200, KUBERNETES_VERSION);
      case '/metrics':
        return sendText(res, 200, this.metrics.contentType, await this.metrics.metrics());
      case '/openapi/v3':
        return sendObject(res, 200, openApiRoot(this.registry));
      case '/openapi/v2': {
        // Swagger 2.0 as JSON, or as gnostic's protobuf (kubectl's client-side validation).
        const v2 = openApiV2(this.registry, accept);
        if ('json' in v2) return sendObject(res, 200, v2.json);
        res.writeHead(200, { 'Content-Type': v2.contentType, 'Content-Length': v2.protobuf.length });
        return void res.end(v2.protobuf);
      }
    }
    if (url.pathname.startsWith('/openapi/v3/')) {
      const gv = url.pathname.slice('/openapi/v3/'.length).split('/');
      const doc = gv[0] === 'api' && gv.length === 2 ? groupVersionDocument(this.registry, '', gv[1]) : gv[0] === 'apis' && gv.length === 3 ? groupVersionDocument(this.registry, gv[1], gv[2]) : undefined;
      if (!doc) throw routeNotFound();
      return sendObject(res, 200, doc);
    }
    if (!target) throw routeNotFound();
    const aggregated = acceptsAggregatedDiscovery(accept);
    switch (target.type) {
      case 'core-versions':
        if (aggregated) return this.sendAggregated(res, 'core', aggregated);
        return sendObject(res, 200, apiVersions(`127.0.0.1:${this.port}`));
      case 'groups':
        if (aggregated) return this.sendAggregated(res, 'groups', aggregated);
        return sendObject(res, 200, apiGroupList(this.registry));
      case 'group': {
        const doc = apiGroupDocument(this.registry, target.group);
        if (!doc) throw routeNotFound();
        return sendObject(res, 200, doc);
      }
      case 'resource-list': {
        const doc = apiResourceList(this.registry, target.group, target.version);
        if (!doc) throw routeNotFound();
        return sendObject(res, 200, doc);
      }
      default:
        throw routeNotFound();
    }
  }

  private sendAggregated(res: ServerResponse, scope: 'core' | 'groups', version: 'v2' | 'v2beta1'): void {
    const contentType = version === 'v2' ? AGGREGATED_DISCOVERY_V2 : AGGREGATED_DISCOVERY_V2BETA1;
    sendText(res, 200, contentType, JSON.stringify(aggregatedDiscovery(this.registry, scope, `apidiscovery.k8s.io/${version}`)));
  }
}

function verbOf(method: string, target: Extract<RequestTarget, { type: 'resource' }>, query: URLSearchParams): string {
  switch (method) {
    case 'GET':
      if (query.get('watch') === 'true' || query.get('watch') === '1') return 'watch';
      return target.name === undefined ? 'list' : 'get';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return target.name === undefined ? 'deletecollection' : 'delete';
    default:
      return method.toLowerCase();
  }
}
