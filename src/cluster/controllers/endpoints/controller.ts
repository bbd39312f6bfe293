/**
 * The endpoints and endpointslice controllers' shells, keyed by Service: read the Service and the
 * pods of its namespace from the cache, compute the Endpoints / EndpointSlices, write the
 * difference. Pod changes enqueue the Services that select the pod now and those whose endpoints
 * list it (so a relabelled pod leaves its old Service).
 */
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { isAlreadyExists, type Request, type ResourceType, type Result } from '../../../runtime/index.js';
import { kinds } from '../../../runtime/index.js';
import { asK, cached, cachedList, keyOf, type ControllerContext, retryStaleWrites } from '../shared/context.js';
import { Expectations } from '../shared/expectations.js';
import { labelsMatchSet } from '../shared/pod-util.js';
import { desiredEndpoints, endpointsUpToDate, hasSelector, isManagedSlice, planEndpointSlices, SERVICE_NAME_LABEL } from './endpoints.js';

export const ENDPOINTS_CONTROLLER = 'endpoints-controller';
export const ENDPOINTSLICE_CONTROLLER = 'endpointslice-controller';
export const endpointSlicesKind: ResourceType = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', plural: 'endpointslices' };

/** Services that select the pod (by their selector as a label set). */
function servicesSelecting(ctx: ControllerContext, pod: Pod): Request[] {
  return cachedList<Service>(ctx, kinds.services, pod.metadata?.namespace)
    .filter((s) => hasSelector(s) && labelsMatchSet(s.spec?.selector, pod.metadata?.labels))
    .map((s) => ({ namespace: s.metadata!.namespace!, name: s.metadata!.name! }));
}

const dedupe = (reqs: Request[]): Request[] => [...new Map(reqs.map((r) => [`${r.namespace}/${r.name}`, r])).values()];

export function registerEndpointsController(ctx: ControllerContext): void {
  const { manager } = ctx;
  const { client } = manager;

  /** Services whose Endpoints list the pod (by targetRef uid). */
  const servicesListing = (pod: Pod): Request[] =>
    cachedList<Endpoints>(ctx, kinds.endpoints, pod.metadata?.namespace)
      .filter((ep) => (ep.subsets ?? []).some((s) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])].some((a) => a.targetRef?.uid === pod.metadata?.uid)))
      .map((ep) => ({ namespace: ep.metadata!.namespace!, name: ep.metadata!.name! }));

  async function reconcile(req: Request): Promise<Result> {
    const svc = cached<Service>(ctx, kinds.services, req.namespace, req.name);
    const current = cached<Endpoints>(ctx, kinds.endpoints, req.namespace, req.name);
    if (!svc) {
      // The Service is gone: so are its Endpoints (syncService deletes them).
      if (current) await client.delete(kinds.endpoints, req.namespace, req.name);
      return {};
    }
    if (!hasSelector(svc)) return {};
    const desired = desiredEndpoints(svc, cachedList<Pod>(ctx, kinds.pods, req.namespace));
    if (!current) {
      try {
        await client.create(kinds.endpoints, asK(desired));
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        return { requeueAfterMs: 100 };
      }
      return {};
    }
    if (endpointsUpToDate(current, desired)) return {};
    await client.update(kinds.endpoints, asK({ ...current, metadata: { ...current.metadata, labels: desired.metadata?.labels }, subsets: desired.subsets }));
    return {};
  }

  manager.addController({
    name: ENDPOINTS_CONTROLLER,
    for: kinds.services,
    workers: ctx.workers,
    reconciler: retryStaleWrites(reconcile, true),
    watches: [
      { type: kinds.pods, map: (o) => dedupe([...servicesSelecting(ctx, o as unknown as Pod), ...servicesListing(o as unknown as Pod)]) },
      // Recreate Endpoints someone deleted.
      { type: kinds.endpoints, predicates: [(e) => e.type === 'delete'] },
    ],
  });
}

export function registerEndpointSliceController(ctx: ControllerContext): void {
  const { manager } = ctx;
  const { client } = manager;
  const expectations = new Expectations(ctx.now);
  const sliceState = {
    exists: (k: string) => !!cached(ctx, endpointSlicesKind, k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1)),
    live: (k: string) => {
      const s = cached<EndpointSlice>(ctx, endpointSlicesKind, k.slice(0, k.indexOf('/')), k.slice(k.indexOf('/') + 1));
      return !!s && !s.metadata?.deletionTimestamp;
    },
  };

  const servicesListing = (pod: Pod): Request[] =>
    cachedList<EndpointSlice>(ctx, endpointSlicesKind, pod.metadata?.namespace)
      .filter((s) => (s.endpoints ?? []).some((e) => e.targetRef?.uid === pod.metadata?.uid))
      .map((s) => ({ namespace: s.metadata!.namespace!, name: s.metadata!.labels?.[SERVICE_NAME_LABEL] ?? '' }))
      .filter((r) => r.name);

  async function reconcile(req: Request): Promise<Result> {
    const key = `${req.namespace}/${req.name}`;
    const svc = cached<Service>(ctx, kinds.services, req.namespace, req.name);
    // Slices are owned by their Service: the garbage collector removes them with it.
    if (!svc || !hasSelector(svc) || svc.metadata?.deletionTimestamp) {
      expectations.forget(key);
      return {};
    }
    if (!expectations.satisfied(key, sliceState)) return { requeueAfterMs: 200 };
    const existing = cachedList<EndpointSlice>(ctx, endpointSlicesKind, req.namespace).filter((s) => isManagedSlice(s, svc));
    const plan = planEndpointSlices(svc, cachedList<Pod>(ctx, kinds.pods, req.namespace), existing);
    for (const s of plan.update) await client.update(endpointSlicesKind, asK(s));
    for (const s of plan.create) {
      const created = await client.create(endpointSlicesKind, asK(s));
      expectations.expectCreate(key, keyOf(created));
    }
    for (const s of plan.delete) {
      expectations.expectDelete(key, keyOf(s));
      await client.delete(endpointSlicesKind, s.metadata!.namespace!, s.metadata!.name!);
    }
    return {};
  }

  manager.addController({
    name: ENDPOINTSLICE_CONTROLLER,
    for: kinds.services,
    owns: [endpointSlicesKind],
    workers: ctx.workers,
    reconciler: retryStaleWrites(reconcile, true),
    watches: [{ type: kinds.pods, map: (o) => dedupe([...servicesSelecting(ctx, o as unknown as Pod), ...servicesListing(o as unknown as Pod)]) }],
  });
}
