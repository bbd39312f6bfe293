/**
 * @module runtime
 *
 * Flotilla's controller runtime (controller-runtime and client-go, in TypeScript). Every piece
 * talks to Kubernetes only through the API, so a controller runs unchanged on `flotilla up` and on
 * any real cluster.
 *
 * A short tour:
 *
 * - **Kinds by path.** A {@link ResourceType} (`{ apiVersion, kind, plural }`) names a built-in or
 *   custom kind; {@link kinds} lists the common built-ins. {@link createClient} gives a
 *   {@link Client} (`Reader & Writer & StatusWriter & Watcher`) over a `KubeConfig`.
 * - **Informers.** {@link createInformer} lists and watches one kind into an indexed cache
 *   (namespace, label, owner and custom indexes), re-watches with backoff, relists on 410, and has
 *   a sync gate. A manager's {@link Cache} shares one informer per kind.
 * - **The contract.** A {@link Reconciler} gets a {@link Request} (`{ namespace, name }`, never the
 *   event) and an AbortSignal, and returns a {@link Result} (`{ requeueAfterMs? }`). Throw to
 *   retry with backoff; throw a {@link TerminalError} to record and stop.
 * - **Controllers.** {@link createController} runs N workers over a de-duplicating, rate-limited
 *   {@link WorkQueue}; `watch(informer, { map, predicates })` turns events into requests
 *   ({@link enqueueObject}, {@link enqueueOwner}).
 * - **The manager.** {@link createManager} owns the client, the cache, the controllers
 *   (`addController({ name, for, owns, reconciler })`), optional Lease-based leader election,
 *   {@link EventRecorder}s, and `/healthz`, `/readyz`, `/metrics`.
 * - **Writing.** {@link createOrUpdate} returns `'unchanged' | 'created' | 'updated'` and writes only
 *   a difference; {@link writeStatus} writes status only when it changed, retrying conflicts;
 *   {@link setControllerReference} links a dependent to its owner for the garbage collector.
 *
 * ```ts
 * const mgr = createManager({ kubeConfig, name: 'secret-sync', port: 0, leaderElection: { name: 'secret-sync' } });
 * const events = mgr.eventRecorder();
 * mgr.addController({
 *   name: 'secret-sync', for: kinds.configMaps, owns: [kinds.secrets],
 *   reconciler: async (req) => {
 *     const cm = mgr.cache.get<V1ConfigMap>(kinds.configMaps, req.namespace, req.name);
 *     if (!cm) return {};                      // deleted: the garbage collector removes the Secret
 *     const secret = { metadata: { namespace: req.namespace, name: req.name } } as V1Secret;
 *     const r = await createOrUpdate(mgr.client, kinds.secrets, secret, (s) => {
 *       s.stringData = cm.data; setControllerReference(cm, s);
 *     });
 *     if (r !== 'unchanged') await events.event(cm, 'Normal', 'Synced', `Secret ${r}`);
 *     return {};
 *   },
 * });
 * await mgr.start();   // … await mgr.stop();
 * ```
 *
 * Tips:
 * - Reconcile from the cache, level-triggered: the Request says *which* object, never *what happened*.
 * - Never mutate what a cache returns; `structuredClone` it (createOrUpdate and writeStatus copy for you).
 * - Put the rules in a pure function of plain objects and table-test it; keep `reconcile` a thin shell.
 * - Let the loop log failures (one line each, with `controller`, `object`, `reconcileID`); just throw.
 * - Use `requeueAfterMs` for polling, not errors; use TerminalError for input that retrying cannot fix.
 * - In unit tests, use {@link createFakeClient} (an in-memory Client) and {@link FakeClock}; in
 *   integration tests, a real `flotilla up` (test/support/cluster.ts) and `port: 0` for managers.
 */
export { ensureCRD } from './crd.js';
export type { CrdDefinition } from './crd.js';
export { createClient, ApiError, isNotFound, isConflict, isAlreadyExists, isGone } from './client.js';
export type {
  Client,
  ClientOptions,
  Reader,
  Writer,
  StatusWriter,
  Watcher,
  ListerWatcher,
  ListOptions,
  ListResult,
  WatchOptions as ClientWatchOptions,
  WatchEvent,
  PatchType,
  DeleteOptions,
} from './client.js';
export { createFakeClient } from './fake-client.js';
export type { FakeClient } from './fake-client.js';
export { realClock, FakeClock } from './clock.js';
export type { Clock, Timer } from './clock.js';
export { TerminalError, requestKey, parseRequestKey } from './reconcile.js';
export type { Request, Result, Reconciler } from './reconcile.js';
export { kinds, resourcePath, groupVersionPath, selfLink, requestOf, objectKey } from './resource.js';
export type { ResourceType, KObject } from './resource.js';
export { createInformer, NAMESPACE_INDEX, LABEL_INDEX, OWNER_INDEX } from './informer.js';
export type { Informer, InformerOptions, Store, StoreListOptions, EventHandler, IndexFunc } from './informer.js';
export { createCache } from './cache.js';
export type { Cache, CacheReader, Informers, CacheOptions } from './cache.js';
export {
  createWorkQueue,
  exponentialFailureRateLimiter,
  bucketRateLimiter,
  maxOfRateLimiter,
  defaultControllerRateLimiter,
} from './queue.js';
export type { WorkQueue, WorkQueueOptions, RateLimiter, QueueMetrics } from './queue.js';
export { enqueueObject, enqueueOwner, generationChanged, resourceVersionChanged, hasLabels } from './handler.js';
export type { MapFunc, Predicate, HandlerEvent } from './handler.js';
export { createController } from './controller.js';
export type { Controller, ControllerOptions, WatchOptions } from './controller.js';
export { createLeaderElector } from './leader-election.js';
export type { LeaderElector, LeaderElectionOptions } from './leader-election.js';
export { createEventRecorder } from './events.js';
export type { EventRecorder, EventRecorderOptions, EventType } from './events.js';
export { createRuntimeMetrics } from './metrics.js';
export type { RuntimeMetrics, ControllerMetrics, ReconcileResult } from './metrics.js';
export { createLogger, silentLogger, LOG_LEVELS, formatLogLine, prettyStream } from './logger.js';
export type { Logger, LogLevel, LoggerOptions } from './logger.js';
export {
  createOrUpdate,
  writeStatus,
  retryOnConflict,
  semanticEqual,
  setControllerReference,
  setOwnerReference,
  getControllerOf,
} from './apply.js';
export type { OperationResult, OwnerReference } from './apply.js';
export { createManager } from './manager.js';
export type { Manager, ManagerOptions, ControllerSpec, Runnable, LeaderElectionConfig, StopReason } from './manager.js';
