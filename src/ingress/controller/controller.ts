/**
 * The ingress controller's shell (Contour's `internal/contour/handler.go` and `serve`): informers
 * for IngressRoutes, TLSCertificateDelegations, Ingresses, IngressClasses, Services, Endpoints and
 * Secrets feed a {@link DagBuilder}; events that change the DAG are coalesced behind a short
 * hold-off (with a maximum, as Contour's 100 ms / 500 ms, but shorter since a rebuild costs only
 * what changed); each DAG is swapped into the embedded proxy and its changed statuses are handed
 * to the status writer. `/healthz`, `/readyz`, `/metrics` and `/debug/dag` are served on the
 * metrics port.
 */
import { createServer, type Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { KubeConfig } from '@kubernetes/client-node';
import { Gauge, Registry, Summary } from 'prom-client';
import { createClient, createManager, createLogger, selfLink, type KObject, type Logger, type ResourceType } from '../../runtime/index.js';
import { DagBuilder, statusCounts, statusUpdates, toDot, type Dag, type DagOptions, type IngressObject, type IngressRoute } from '../dag/index.js';
import { startProxy, type IngressProxy, type ProxyOptions } from '../proxy/index.js';
import { ensureIngressCRDs } from './crds.js';
import { ingressRoutes, WATCHED } from './kinds.js';
import { createStatusWriter } from './status-writer.js';

export interface IngressControllerOptions {
  readonly kubeConfig: KubeConfig;
  readonly logger?: Logger;
  /** Aborting stops the controller and the proxy (requests in flight finish first). */
  readonly signal: AbortSignal;
  /** `ingress_http` port (0 = any free port; default 8080). */
  readonly httpPort?: number;
  /** `ingress_https` port (0 = any free port; default 8443). */
  readonly httpsPort?: number;
  /** Address the proxy listens on (default all interfaces). */
  readonly host?: string;
  /** `--ingressroute-root-namespaces`; empty = roots anywhere. */
  readonly rootNamespaces?: readonly string[];
  /** `--ingress-class-name` (default `contour`). */
  readonly ingressClass?: string;
  readonly disablePermitInsecure?: boolean;
  readonly minimumTlsVersion?: DagOptions['minimumTlsVersion'];
  /** Port of `/healthz`, `/readyz`, `/metrics`, `/debug/dag` (0 = any free port; undefined = none). */
  readonly metricsPort?: number;
  /** Address of the metrics server (default 127.0.0.1). */
  readonly metricsHost?: string;
  /** Write status only while holding this Lease (every replica still serves traffic). */
  readonly leaderElection?: boolean | { readonly name?: string; readonly namespace?: string };
  /** Install the CRDs (default true; off on clusters where an operator installs them). */
  readonly installCRDs?: boolean;
  /** The proxy's access log (none by default). */
  readonly accessLog?: ProxyOptions['accessLog'];
  /** Coalescing: rebuild this long after the last event (default 5 ms), at most this long after the first (default 50 ms). */
  readonly holdoffMs?: number;
  readonly maxHoldoffMs?: number;
}

export interface RunningIngressController {
  readonly httpPort: number;
  readonly httpsPort: number;
  /** The metrics port, when a metrics server was asked for. */
  readonly metricsPort: number | undefined;
  /** The DAG the proxy serves now. */
  dag(): Dag;
  /** Resolves once the first DAG (from fully synced informers) is served. */
  readonly ready: Promise<void>;
  /** Resolves when everything has stopped, after `signal` aborts. */
  readonly stopped: Promise<void>;
  /** Resolves when no status write is pending. */
  statusIdle(): Promise<void>;
  /** Rebuild statistics, for benchmarks. */
  stats(): { rebuilds: number; lastRebuildMs: number; statusWrites: number };
}

const CONTROLLER = 'contour';

function withKind(type: ResourceType, o: KObject): IngressObject {
  return (o.kind ? o : { ...o, kind: type.kind }) as IngressObject;
}

/** Starts the controller and its proxy; resolves once both listen (before the first sync). */
export async function startIngressController(opts: IngressControllerOptions): Promise<RunningIngressController> {
  const logger = (opts.logger ?? createLogger()).child({ controller: CONTROLLER });
  const client = createClient(opts.kubeConfig, { fieldManager: CONTROLLER });
  if (opts.installCRDs !== false) await ensureIngressCRDs(client);

  const registry = new Registry();
  const onUpdate = new Summary({ name: 'contour_cachehandler_onupdate_duration_seconds', help: 'Histogram for the runtime of the DAG rebuild and proxy update', percentiles: [0.5, 0.9, 0.99], registers: [registry] });
  const rebuildTs = new Gauge({ name: 'contour_ingressroute_dagrebuild_timestamp', help: 'Timestamp of the last DAG rebuild', registers: [registry] });
  const counts = {
    total: new Gauge({ name: 'contour_ingressroute_total', help: 'Total number of IngressRoutes', registers: [registry] }),
    roots: new Gauge({ name: 'contour_ingressroute_root_total', help: 'Total number of root IngressRoutes', registers: [registry] }),
    valid: new Gauge({ name: 'contour_ingressroute_valid_total', help: 'Total number of valid IngressRoutes', registers: [registry] }),
    invalid: new Gauge({ name: 'contour_ingressroute_invalid_total', help: 'Total number of invalid IngressRoutes', registers: [registry] }),
    orphaned: new Gauge({ name: 'contour_ingressroute_orphaned_total', help: 'Total number of orphaned IngressRoutes', registers: [registry] }),
  };

  const proxy: IngressProxy = await startProxy({ httpPort: opts.httpPort, httpsPort: opts.httpsPort, host: opts.host, logger, registry, accessLog: opts.accessLog });
  const le = opts.leaderElection;
  const manager = createManager({
    kubeConfig: opts.kubeConfig,
    client,
    name: CONTROLLER,
    logger,
    resyncPeriodMs: 0,
    leaderElection: le ? { name: (typeof le === 'object' && le.name) || 'contour', namespace: (typeof le === 'object' && le.namespace) || 'kube-system' } : undefined,
  });

  const builder = new DagBuilder({
    rootNamespaces: opts.rootNamespaces,
    ingressClass: opts.ingressClass,
    disablePermitInsecure: opts.disablePermitInsecure,
    minimumTlsVersion: opts.minimumTlsVersion,
  });
  let current: Dag = builder.dag();
  let synced = false;
  let rebuilds = 0;
  let lastRebuildMs = 0;
  const irInformer = manager.cache.informerFor<IngressRoute & KObject>(ingressRoutes);
  const events = manager.eventRecorder(CONTROLLER);
  const writer = createStatusWriter({
    client, logger,
    current: (ns, name) => irInformer.get(ns, name),
    desired: (ns, name) => current.statuses.get(`${ns}/${name}`),
    onInvalid: (ir, status) => void events.event({ ...ir, apiVersion: ingressRoutes.apiVersion, kind: ingressRoutes.kind } as KObject, 'Warning', 'Invalid', status.description),
  });

  function rebuild(): void {
    const t0 = performance.now();
    const prev = current;
    current = builder.dag();
    if (current !== prev) proxy.update(current);
    for (const u of statusUpdates(current, prev)) writer.want(u.namespace, u.name);
    lastRebuildMs = performance.now() - t0;
    rebuilds++;
    onUpdate.observe(lastRebuildMs / 1000);
    rebuildTs.set(Date.now() / 1000);
    const c = statusCounts(current);
    for (const k of Object.keys(counts) as (keyof typeof counts)[]) counts[k].set(c[k]);
    logger.debug({ ms: Number(lastRebuildMs.toFixed(3)), listeners: current.listeners.length }, 'dag rebuilt');
  }

  // Coalescing: a burst of events is one rebuild.
  const holdoff = opts.holdoffMs ?? 5;
  const maxHoldoff = opts.maxHoldoffMs ?? 50;
  let timer: NodeJS.Timeout | undefined;
  let firstEvent = 0;
  function schedule(): void {
    if (!synced) return; // the first build waits for every informer's list
    const now = Date.now();
    if (timer === undefined) firstEvent = now;
    else clearTimeout(timer);
    const wait = Math.max(0, Math.min(holdoff, firstEvent + maxHoldoff - now));
    timer = setTimeout(() => {
      timer = undefined;
      try {
        rebuild();
      } catch (err) {
        logger.info({ err }, 'dag rebuild failed');
      }
    }, wait);
  }

  for (const type of WATCHED) {
    const informer = manager.cache.informerFor<KObject>(type);
    const put = (o: KObject) => {
      try {
        if (builder.upsert(withKind(type, o))) schedule();
        else if (type === ingressRoutes && synced) {
          // A status-only change (ours coming back, or someone else's edit): nothing to rebuild,
          // but a status that is not what the DAG says gets written again.
          const ir = o as IngressRoute;
          const want = current.statuses.get(`${ir.metadata.namespace}/${ir.metadata.name}`);
          if (want && (ir.status?.currentStatus !== want.currentStatus || ir.status?.description !== want.description)) {
            writer.want(ir.metadata.namespace ?? 'default', ir.metadata.name ?? '');
          }
        }
      } catch (err) {
        logger.info({ err, object: selfLink(type, o) }, 'object not understood');
      }
    };
    informer.addEventHandler({
      onAdd: put,
      onUpdate: (_old, o) => put(o),
      onDelete: (o) => {
        if (builder.remove(withKind(type, o))) schedule();
      },
    });
  }

  manager.add({ start: (s) => writer.run(s), needsLeaderElection: true });

  let server: Server | undefined;
  let metricsPort: number | undefined;
  if (opts.metricsPort !== undefined) {
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const reply = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
        res.writeHead(code, { 'content-type': type });
        res.end(body);
      };
      if (path === '/healthz') reply(200, 'ok');
      else if (path === '/readyz') reply(synced ? 200 : 500, synced ? 'ok' : '[-]informers not synced\nreadyz check failed\n');
      else if (path === '/debug/dag') reply(200, toDot(current), 'text/vnd.graphviz; charset=utf-8');
      else if (path === '/metrics') {
        Promise.all([registry.metrics(), manager.metrics.registry.metrics()])
          .then(([a, b]) => reply(200, `${a}\n${b}`, registry.contentType), (err) => reply(500, String(err)));
      } else reply(404, 'not found\n');
    });
    metricsPort = await new Promise<number>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(opts.metricsPort, opts.metricsHost ?? '127.0.0.1', () => resolve((server!.address() as { port: number }).port));
    });
  }

  await manager.start(opts.signal);
  const ready = manager.cache.waitForCacheSync(opts.signal).then((ok) => {
    if (!ok) return;
    synced = true;
    rebuild();
    const c = statusCounts(current);
    logger.info({ ingressroutes: c.total, roots: c.roots, httpPort: proxy.httpPort, httpsPort: proxy.httpsPort }, 'ingress controller synced');
  });

  const stopped = (async () => {
    await manager.done();
    clearTimeout(timer);
    await proxy.close();
    if (server) {
      const closed = new Promise<void>((r) => server!.close(() => r()));
      server.closeAllConnections();
      await closed;
    }
    logger.info({}, 'ingress controller stopped');
  })();
  // An abort before start() returned is seen by the manager; make sure stop follows the signal.
  if (opts.signal.aborted) void manager.stop();

  return {
    httpPort: proxy.httpPort,
    httpsPort: proxy.httpsPort,
    metricsPort,
    dag: () => current,
    ready,
    stopped,
    statusIdle: () => writer.idle(),
    stats: () => ({ rebuilds, lastRebuildMs, statusWrites: writer.writes }),
  };
}


