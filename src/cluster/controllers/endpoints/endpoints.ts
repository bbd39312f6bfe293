/**
 * The endpoints and endpointslice controllers' rules (pkg/controller/endpoint and
 * pkg/controller/endpointslice), pure: from a Service with a selector and the pods in its
 * namespace, the Endpoints subsets (ready `addresses`, `notReadyAddresses`, ports resolved per pod,
 * repacked so addresses with the same ports share a subset) and the EndpointSlices (grouped by
 * port set, at most 100 endpoints each, with ready/serving/terminating conditions).
 */
import type { EndpointAddress, EndpointPort, EndpointSubset, Endpoints, Pod, Service } from 'kubernetes-types/core/v1.js';
import type { Endpoint, EndpointPort as SlicePort, EndpointSlice } from 'kubernetes-types/discovery/v1.js';
import { canonicalJson } from '../shared/hash.js';
import { findPort, isPodReady, labelsMatchSet } from '../shared/pod-util.js';

export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
/** The endpointslice controller's default --max-endpoints-per-slice. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

/** Whether the controllers manage endpoints for this Service (it has a selector). */
export function hasSelector(svc: Service): boolean {
  return Object.keys(svc.spec?.selector ?? {}).length > 0;
}

/** The pods a Service selects (its selector as a label set). */
export function selectedPods(svc: Service, pods: readonly Pod[]): Pod[] {
  return pods.filter((p) => p.metadata?.namespace === svc.metadata?.namespace && labelsMatchSet(svc.spec?.selector, p.metadata?.labels));
}

/** endpointutil.ShouldPodBeInEndpoints: not terminal, has an IP, not terminating unless included. */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs ?? []).length) return false;
  if (!includeTerminating && pod.metadata?.deletionTimestamp) return false;
  return true;
}

const isHeadless = (svc: Service): boolean => svc.spec?.clusterIP === 'None';
const podIP = (pod: Pod): string => pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip ?? '';

function hostnameFor(pod: Pod, svc: Service): string | undefined {
  const h = pod.spec?.hostname;
  return h && pod.spec?.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace ? h : undefined;
}

function addressOf(pod: Pod, svc: Service): EndpointAddress {
  const a: EndpointAddress = { ip: podIP(pod) };
  const hostname = hostnameFor(pod, svc);
  if (hostname) a.hostname = hostname;
  if (pod.spec?.nodeName) a.nodeName = pod.spec.nodeName;
  a.targetRef = { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid };
  return a;
}

/** The ports a pod serves for the Service, in service-port order (unresolvable names are skipped). */
export function resolvedPorts(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, { name: sp.name, port: sp.port, targetPort: sp.targetPort, protocol: sp.protocol });
    if (port === undefined) continue;
    const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
    if (sp.name) ep.name = sp.name;
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

const portKey = (p: EndpointPort): string => `${p.name ?? ''}/${p.port}/${p.protocol ?? 'TCP'}/${p.appProtocol ?? ''}`;
const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const ipKey = (ip: string) => (ip.includes(':') ? ip : ip.split('.').map((o) => o.padStart(3, '0')).join('.'));
const cmpAddr = (a: EndpointAddress, b: EndpointAddress) => cmpStr(ipKey(a.ip), ipKey(b.ip)) || cmpStr(a.targetRef?.uid ?? '', b.targetRef?.uid ?? '');

/**
 * The Endpoints subsets for `svc` (syncService + RepackSubsets): every address (pod) offering the
 * same set of ports shares one subset; ready pods (or all, with publishNotReadyAddresses) are
 * `addresses`, the rest `notReadyAddresses`. A headless Service without ports lists addresses with
 * no ports.
 */
export function endpointSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  const tolerateUnready = svc.spec?.publishNotReadyAddresses === true;
  // address key → { address, ready, ports }
  const byAddress = new Map<string, { addr: EndpointAddress; ready: boolean; ports: Map<string, EndpointPort> }>();
  for (const pod of selectedPods(svc, pods)) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const addr = addressOf(pod, svc);
    const ready = tolerateUnready || isPodReady(pod);
    let ports: EndpointPort[];
    if ((svc.spec?.ports ?? []).length === 0) {
      if (!isHeadless(svc)) continue;
      ports = [];
    } else {
      ports = resolvedPorts(svc, pod);
      if (ports.length === 0) continue;
    }
    const key = `${addr.ip}/${addr.targetRef?.uid ?? ''}`;
    const entry = byAddress.get(key) ?? { addr, ready, ports: new Map() };
    for (const p of ports) entry.ports.set(portKey(p), p);
    byAddress.set(key, entry);
  }
  // Repack: group addresses by their port set.
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  for (const { addr, ready, ports } of byAddress.values()) {
    const list = [...ports.values()].sort((a, b) => cmpStr(portKey(a), portKey(b)));
    const key = list.map(portKey).join(',');
    const g = groups.get(key) ?? { ports: list, ready: [], notReady: [] };
    (ready ? g.ready : g.notReady).push(addr);
    groups.set(key, g);
  }
  const subsets: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const s: EndpointSubset = {};
    if (g.ready.length) s.addresses = g.ready.sort(cmpAddr);
    if (g.notReady.length) s.notReadyAddresses = g.notReady.sort(cmpAddr);
    if (g.ports.length) s.ports = g.ports;
    subsets.push(s);
  }
  const first = (s: EndpointSubset) => ipKey((s.addresses ?? s.notReadyAddresses ?? [])[0]?.ip ?? '');
  return subsets.sort((a, b) => cmpStr(first(a), first(b)) || cmpStr(canonicalJson(a.ports), canonicalJson(b.ports)));
}

/** The labels of a controller-managed Endpoints: the Service's, plus the headless label. */
export function endpointsLabels(svc: Service): Record<string, string> {
  const labels = { ...svc.metadata?.labels };
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return labels;
}

/** The whole Endpoints object the controller wants for `svc`. */
export function desiredEndpoints(svc: Service, pods: readonly Pod[]): Endpoints {
  const subsets = endpointSubsets(svc, pods);
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: svc.metadata!.name, namespace: svc.metadata!.namespace, labels: endpointsLabels(svc) },
    ...(subsets.length ? { subsets } : {}),
  };
}

/** Whether `current` already says what `desired` does (subsets and labels). */
export function endpointsUpToDate(current: Endpoints, desired: Endpoints): boolean {
  return canonicalJson(current.subsets ?? []) === canonicalJson(desired.subsets ?? []) && canonicalJson(current.metadata?.labels ?? {}) === canonicalJson(desired.metadata?.labels ?? {});
}

// ---- EndpointSlices -----------------------------------------------------------------------------

/** podToEndpoint: ready = (ready and not terminating) or publishNotReadyAddresses; serving ignores terminating. */
function endpointOf(pod: Pod, svc: Service): Endpoint {
  const terminating = !!pod.metadata?.deletionTimestamp;
  const ready = svc.spec?.publishNotReadyAddresses === true || (isPodReady(pod) && !terminating);
  const serving = svc.spec?.publishNotReadyAddresses === true || isPodReady(pod);
  const ep: Endpoint = { addresses: [podIP(pod)], conditions: { ready, serving, terminating } };
  const hostname = hostnameFor(pod, svc);
  if (hostname) ep.hostname = hostname;
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  ep.targetRef = { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid };
  return ep;
}

/** The labels of the Service's slices: its own (but reserved ones), service name, managed-by, headless. */
export function sliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata?.labels ?? {})) if (k !== SERVICE_NAME_LABEL && k !== MANAGED_BY_LABEL) labels[k] = v;
  labels[SERVICE_NAME_LABEL] = svc.metadata!.name!;
  labels[MANAGED_BY_LABEL] = MANAGED_BY;
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return labels;
}

export interface SlicePlan {
  /** New slices (generateName `<service>-`). */
  readonly create: EndpointSlice[];
  /** Existing slices with new contents (same name and resourceVersion). */
  readonly update: EndpointSlice[];
  readonly delete: EndpointSlice[];
}

const slicePortsKey = (ports: readonly SlicePort[] | undefined): string =>
  (ports ?? []).map((p) => `${p.name ?? ''}/${p.port}/${p.protocol ?? 'TCP'}/${p.appProtocol ?? ''}`).sort().join(',');

/** Whether a slice belongs to `svc` and to this controller. */
export function isManagedSlice(slice: EndpointSlice, svc: Service): boolean {
  return slice.metadata?.labels?.[SERVICE_NAME_LABEL] === svc.metadata?.name && slice.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY;
}

/**
 * The slices `svc` should have, reusing `existing` ones by port set: endpoints with the same
 * ports share slices of at most `maxPerSlice`; with no endpoints at all one empty placeholder slice
 * remains, as kube keeps.
 */
export function planEndpointSlices(svc: Service, pods: readonly Pod[], existing: readonly EndpointSlice[], maxPerSlice = MAX_ENDPOINTS_PER_SLICE): SlicePlan {
  const owned = existing.filter((s) => isManagedSlice(s, svc));
  const groups = new Map<string, { addressType: string; ports: SlicePort[]; endpoints: Endpoint[] }>();
  for (const pod of selectedPods(svc, pods)) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const noPorts = (svc.spec?.ports ?? []).length === 0;
    if (noPorts && !isHeadless(svc)) continue;
    // A slice port's name is a pointer kube always sets ("" when unnamed); kubectl describe dereferences it.
    const ports = noPorts ? [] : resolvedPorts(svc, pod).map((p) => ({ ...p, name: p.name ?? '' }));
    if (!noPorts && ports.length === 0) continue;
    const addressType = podIP(pod).includes(':') ? 'IPv6' : 'IPv4';
    const key = `${addressType}|${slicePortsKey(ports)}`;
    const g = groups.get(key) ?? { addressType, ports, endpoints: [] };
    g.endpoints.push(endpointOf(pod, svc));
    groups.set(key, g);
  }
  const desired: { addressType: string; ports: SlicePort[]; endpoints: Endpoint[] }[] = [];
  for (const g of [...groups.values()].sort((a, b) => cmpStr(slicePortsKey(a.ports), slicePortsKey(b.ports)))) {
    g.endpoints.sort((a, b) => cmpStr(ipKey(a.addresses[0]), ipKey(b.addresses[0])));
    for (let i = 0; i < g.endpoints.length; i += maxPerSlice) desired.push({ addressType: g.addressType, ports: g.ports, endpoints: g.endpoints.slice(i, i + maxPerSlice) });
  }
  const labels = sliceLabels(svc);
  const ownerRef = { apiVersion: 'v1', kind: 'Service', name: svc.metadata!.name!, uid: svc.metadata!.uid!, controller: true, blockOwnerDeletion: true };
  const placeholder = desired.length === 0;
  if (placeholder) desired.push({ addressType: 'IPv4', ports: [], endpoints: [] });

  const unused = [...owned].sort((a, b) => cmpStr(a.metadata?.name ?? '', b.metadata?.name ?? ''));
  const create: EndpointSlice[] = [];
  const update: EndpointSlice[] = [];
  for (const want of desired) {
    const key = `${want.addressType}|${slicePortsKey(want.ports)}`;
    let i = unused.findIndex((s) => `${s.addressType}|${slicePortsKey(s.ports)}` === key);
    if (i < 0 && placeholder) i = unused.findIndex((s) => s.addressType === want.addressType);
    const body = {
      addressType: want.addressType,
      endpoints: want.endpoints,
      ports: want.ports,
    };
    if (i >= 0) {
      const cur = unused.splice(i, 1)[0];
      const next: EndpointSlice = { ...cur, metadata: { ...cur.metadata, labels: { ...cur.metadata?.labels, ...labels }, ownerReferences: withOwner(cur, ownerRef) }, ...body };
      const same =
        canonicalJson(cur.endpoints ?? []) === canonicalJson(next.endpoints ?? []) &&
        canonicalJson(cur.ports ?? []) === canonicalJson(next.ports ?? []) &&
        canonicalJson(cur.metadata?.labels ?? {}) === canonicalJson(next.metadata?.labels ?? {}) &&
        canonicalJson(cur.metadata?.ownerReferences ?? []) === canonicalJson(next.metadata?.ownerReferences ?? []);
      if (!same) update.push(next);
    } else {
      create.push({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { generateName: `${svc.metadata!.name}-`, namespace: svc.metadata!.namespace, labels, ownerReferences: [ownerRef] },
        ...body,
      });
    }
  }
  return { create, update, delete: unused };
}

function withOwner(slice: EndpointSlice, ref: { uid: string }) {
  const refs = slice.metadata?.ownerReferences ?? [];
  return refs.some((r) => r.uid === ref.uid) ? refs : [...refs, ref as never];
}
