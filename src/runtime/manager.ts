/**
 * The manager: one client, one shared informer cache, the controllers and other runnables, leader
 * election (optional), and an HTTP server with `/healthz`, `/readyz` (ready once the informers
 * synced) and Prometheus `/metrics`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';
import { createCache, type Cache } from './cache.js';
import { createClient, type Client } from './client.js';
import type { Clock } from './clock.js';
import { createController, type Controller, type ControllerOptions, type WatchOptions } from './controller.js';
import { createEventRecorder, type EventRecorder } from './events.js';
import { enqueueOwner } from './handler.js';
import { createLeaderElector, type LeaderElector } from './leader-election.js';
import { createLogger, type Logger } from './logger.js';
import { createRuntimeMetrics, type RuntimeMetrics } from './metrics.js';
import type { KObject, ResourceType } from './resource.js';

/** Something the manager starts and stops. */
export interface Runnable {
  /** Run until `signal` aborts; resolve once stopped. */
  start(signal: AbortSignal): Promise<void>;
  /** Only run on the leader (default true for controllers, false for other runnables). */
  readonly needsLeaderElection?: boolean;
}

export interface LeaderElectionConfig {
  /** Lease name, e.g. `flotilla-controller-manager`. */
  readonly name: string;
  /** Default `kube-system`. */
  readonly namespace?: string;
  /** Default `<hostname>_<uuid>`. */
  readonly identity?: string;
  readonly leaseDurationMs?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
}

export interface ManagerOptions {
  readonly kubeConfig: KubeConfig;
  /** Component name: field manager, logger name, default event source (default `flotilla`). */
  readonly name?: string;
  /** Default: a client from `kubeConfig`. */
  readonly client?: Client;
  /** Default: `createLogger()` (info). */
  readonly logger?: Logger;
  /** Cache only this namespace (default all). */
  readonly namespace?: string;
  /** Informer resync period (default 10 h, like controller-runtime; 0 = never). */
  readonly resyncPeriodMs?: number;
  /** Run controllers only while holding this Lease. */
  readonly leaderElection?: LeaderElectionConfig;
  /** Port of `/healthz`, `/readyz`, `/metrics` (0 = a free port; undefined = no server). */
  readonly port?: number;
  /** Default all interfaces. */
  readonly host?: string;
  readonly clock?: Clock;
}

/** A controller with its watches, controller-runtime's builder as data. */
export interface ControllerSpec extends Omit<ControllerOptions, 'logger' | 'clock' | 'metrics'> {
  /** Watch `for` (the reconciled kind) itself; default true when `for` is given. */
  readonly watchFor?: boolean;
  /** Kinds whose controller owner is a `for` object (enqueue the owner). */
  readonly owns?: readonly ResourceType[];
  /** Any other watch. */
  readonly watches?: readonly ({ readonly type: ResourceType } & WatchOptions<KObject>)[];
}

export type StopReason = 'stopped' | 'leadership lost';

export interface Manager {
  readonly client: Client;
  readonly cache: Cache;
  readonly logger: Logger;
  readonly metrics: RuntimeMetrics;
  /** Create, wire and register a controller; names are unique per manager (a duplicate throws). */
  addController(spec: ControllerSpec): Controller;
  add(runnable: Runnable): void;
  /** An Event recorder whose source is `component` (default the manager's name). */
  eventRecorder(component?: string): EventRecorder;
  /** Extra `/healthz` and `/readyz` checks (true = healthy). */
  addHealthCheck(name: string, check: () => boolean | Promise<boolean>): void;
  addReadyCheck(name: string, check: () => boolean | Promise<boolean>): void;
  /** Start the server, the cache, and the runnables (the leader's once elected); resolves once launched. */
  start(signal?: AbortSignal): Promise<void>;
  /** Stop everything, draining reconciles in flight; resolves once stopped. */
  stop(): Promise<void>;
  /** Resolves when the manager has stopped: by `stop()`/signal, or by losing the lease. */
  done(): Promise<StopReason>;
  /** The HTTP server's port, once started. */
  port(): number | undefined;
  /** True without leader election; else whether this manager holds the lease. */
  isLeader(): boolean;
}

export function createManager(opts: ManagerOptions): Manager {
  const name = opts.name ?? 'flotilla';
  const logger = opts.logger ?? createLogger();
  const client = opts.client ?? createClient(opts.kubeConfig, { fieldManager: name });
  const cache = createCache(client, { namespace: opts.namespace, resyncPeriodMs: opts.resyncPeriodMs ?? 10 * 3600_000, clock: opts.clock, logger });
  const metrics = createRuntimeMetrics();
  const controllers = new Set<string>();
  const runnables: Runnable[] = [];
  const healthChecks = new Map<string, () => boolean | Promise<boolean>>();
  const readyChecks = new Map<string, () => boolean | Promise<boolean>>([['informers', () => cache.hasSynced()]]);
  const stopper = new AbortController();
  let elector: LeaderElector | undefined;
  let server: Server | undefined;
  let started = false;
  let stopping: Promise<void> | undefined;
  let reason: StopReason = 'stopped';
  let resolveDone!: (r: StopReason) => void;
  const donePromise = new Promise<StopReason>((r) => (resolveDone = r));
  const tasks: Promise<unknown>[] = [];

  const runAll = (list: Runnable[], signal: AbortSignal): Promise<unknown> =>
    Promise.all(list.map((r) => r.start(signal).catch((err) => logger.info({ err }, 'runnable failed'))));

  async function check(checks: Map<string, () => boolean | Promise<boolean>>): Promise<string[]> {
    const failed: string[] = [];
    for (const [n, c] of checks) {
      try {
        if (!(await c())) failed.push(n);
      } catch {
        failed.push(n);
      }
    }
    return failed;
  }

  function serve(port: number): Promise<void> {
    server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      const reply = (code: number, body: string, type = 'text/plain; charset=utf-8'): void => {
        res.writeHead(code, { 'Content-Type': type });
        res.end(body);
      };
      if (path === '/healthz' || path === '/readyz') {
        void check(path === '/healthz' ? healthChecks : readyChecks).then((failed) =>
          failed.length ? reply(500, failed.map((f) => `[-]${f} failed\n`).join('') + `${path.slice(1)} check failed\n`) : reply(200, 'ok'),
        );
      } else if (path === '/metrics') {
        metrics.registry.metrics().then((m) => reply(200, m, metrics.registry.contentType), (err) => reply(500, String(err)));
      } else reply(404, 'not found\n');
    });
    return new Promise((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, opts.host, () => resolve());
    });
  }

  const manager: Manager = {
    client,
    cache,
    logger,
    metrics,
    addController(spec) {
      if (controllers.has(spec.name)) throw new Error(`controller with name ${JSON.stringify(spec.name)} already exists: controller names must be unique`);
      if (!spec.name) throw new Error('a controller needs a name');
      controllers.add(spec.name);
      const c = createController({
        ...spec,
        logger,
        clock: opts.clock,
        metrics: { controller: metrics.controller(spec.name), queue: metrics.queue(spec.name) },
      });
      if (spec.for && spec.watchFor !== false) c.watch(cache.informerFor(spec.for));
      for (const t of spec.owns ?? []) {
        if (!spec.for) throw new Error(`controller ${spec.name}: owns needs for`);
        c.watch(cache.informerFor(t), { map: enqueueOwner(spec.for) });
      }
      for (const w of spec.watches ?? []) c.watch(cache.informerFor(w.type), w);
      runnables.push({ start: (s) => c.start(s), needsLeaderElection: true });
      return c;
    },
    add(r) {
      if (started) throw new Error('add() after start()');
      runnables.push(r);
    },
    eventRecorder: (component = name) => createEventRecorder(client, { component, logger, clock: opts.clock }),
    addHealthCheck: (n, c) => void healthChecks.set(n, c),
    addReadyCheck: (n, c) => void readyChecks.set(n, c),
    async start(signal) {
      if (started) throw new Error('the manager was already started');
      started = true;
      signal?.addEventListener('abort', () => void manager.stop(), { once: true });
      if (opts.port !== undefined) await serve(opts.port);
      const s = stopper.signal;
      tasks.push(cache.start(s));
      tasks.push(runAll(runnables.filter((r) => !r.needsLeaderElection), s));
      const leaders = runnables.filter((r) => r.needsLeaderElection);
      const le = opts.leaderElection;
      if (!le) {
        tasks.push(runAll(leaders, s));
      } else {
        elector = createLeaderElector({
          client,
          namespace: le.namespace ?? 'kube-system',
          name: le.name,
          identity: le.identity ?? `${hostname()}_${randomUUID()}`,
          leaseDurationMs: le.leaseDurationMs,
          renewDeadlineMs: le.renewDeadlineMs,
          retryPeriodMs: le.retryPeriodMs,
          clock: opts.clock,
          logger,
          onStartedLeading: (leadSignal) => {
            metrics.leader(le.name, true);
            return runAll(leaders, leadSignal).then(() => undefined);
          },
          onStoppedLeading: () => metrics.leader(le.name, false),
        });
        metrics.leader(le.name, false);
        tasks.push(
          elector.run(s).then(() => {
            if (!s.aborted) {
              reason = 'leadership lost';
              logger.info({ lease: le.name }, 'leader election lost: stopping');
              void manager.stop();
            }
          }),
        );
      }
      logger.info({ port: manager.port() }, 'manager started');
    },
    stop() {
      stopping ??= (async () => {
        stopper.abort();
        await Promise.all(tasks);
        if (server) {
          const closed = new Promise<void>((r) => server!.close(() => r()));
          server.closeAllConnections();
          await closed;
        }
        logger.info({ reason }, 'manager stopped');
        resolveDone(reason);
      })();
      return stopping;
    },
    done: () => donePromise,
    port() {
      const a = server?.address();
      return a && typeof a === 'object' ? a.port : undefined;
    },
    isLeader: () => (opts.leaderElection ? (elector?.isLeader() ?? false) : true),
  };
  return manager;
}
