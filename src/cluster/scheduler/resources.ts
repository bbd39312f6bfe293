/**
 * Resource arithmetic as the scheduler does it (k8s.io/component-helpers/resource PodRequests and
 * the framework's `Resource`): quantities become integers (cpu in millicores, everything else in
 * base units, both rounded up as `MilliValue()` and `Value()` do), a pod's request is the sum of its
 * containers, raised to what any init container needs (sidecars included), plus the pod overhead.
 */
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { parseQuantity } from '../../apimachinery/quantity.js';

/** Requested or allocatable amounts of one pod or node. */
export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
  /** Node allocatable `pods`; unused for pod requests. */
  allowedPodNumber: number;
  /** Extended resources (`example.com/gpu`), `hugepages-*`, `attachable-volumes-*`. */
  scalar: Record<string, number>;
}

/** The container defaults the scorers use when a request is missing (schedutil.DefaultMilliCPURequest, DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export function emptyResource(): Resource {
  return { milliCPU: 0, memory: 0, ephemeralStorage: 0, allowedPodNumber: 0, scalar: {} };
}

/** Round up to an integer, ignoring float noise (`0.1` cores is 100m, not 101m). */
function ceilInt(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - r) < 1e-6 ? r : Math.ceil(x);
}

function quantity(value: string | number | undefined): number {
  if (value === undefined || value === null) return 0;
  try {
    return parseQuantity(value as string | number);
  } catch {
    return 0; // the API server validates quantities; a bad one requests nothing
  }
}

/** `Quantity.MilliValue()`: `500m` → 500, `1.5` → 1500. */
export function milliValue(value: string | number | undefined): number {
  return ceilInt(quantity(value) * 1000);
}

/** `Quantity.Value()`: `1Ki` → 1024, `1.5` → 2. */
export function intValue(value: string | number | undefined): number {
  return ceilInt(quantity(value));
}

/** `schedutil.IsScalarResourceName`: extended resources, hugepages and attachable volumes. */
export function isScalarResourceName(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true;
  // v1helper.IsExtendedResourceName: a qualified name outside kubernetes.io/, not `requests.*`.
  if (!name.includes('/')) return false;
  if (name.startsWith('requests.')) return false;
  const domain = name.slice(0, name.indexOf('/'));
  return domain !== 'kubernetes.io' && !domain.endsWith('.kubernetes.io');
}

type ResourceList = Readonly<Record<string, string | number>> | undefined;

/** Add a ResourceList (as `Resource.Add` does; `pods` counts toward allowedPodNumber). */
export function addResourceList(r: Resource, list: ResourceList): void {
  if (!list) return;
  for (const name in list) {
    const q = list[name];
    switch (name) {
      case 'cpu':
        r.milliCPU += milliValue(q);
        break;
      case 'memory':
        r.memory += intValue(q);
        break;
      case 'ephemeral-storage':
        r.ephemeralStorage += intValue(q);
        break;
      case 'pods':
        r.allowedPodNumber += intValue(q);
        break;
      default:
        if (isScalarResourceName(name)) r.scalar[name] = (r.scalar[name] ?? 0) + intValue(q);
    }
  }
}

/** Node allocatable as a Resource. */
export function allocatableOf(allocatable: ResourceList): Resource {
  const r = emptyResource();
  addResourceList(r, allocatable);
  return r;
}

function add(into: Resource, r: Resource): void {
  into.milliCPU += r.milliCPU;
  into.memory += r.memory;
  into.ephemeralStorage += r.ephemeralStorage;
  for (const k in r.scalar) into.scalar[k] = (into.scalar[k] ?? 0) + r.scalar[k];
}

function maxInto(into: Resource, r: Resource): void {
  into.milliCPU = Math.max(into.milliCPU, r.milliCPU);
  into.memory = Math.max(into.memory, r.memory);
  into.ephemeralStorage = Math.max(into.ephemeralStorage, r.ephemeralStorage);
  for (const k in r.scalar) into.scalar[k] = Math.max(into.scalar[k] ?? 0, r.scalar[k]);
}

function containerRequest(c: V1Container, nonMissing: boolean): Resource {
  const r = emptyResource();
  const requests = c.resources?.requests as ResourceList;
  addResourceList(r, requests);
  if (nonMissing) {
    if (requests?.cpu === undefined) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (requests?.memory === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * `resourcehelper.PodRequests`: the sum over containers, then the max with each init container's
 * need (an init container runs beside the sidecars — restartable init containers — started before
 * it; sidecars also add to the sum), then the overhead. With `nonMissing`, a container without a cpu
 * or memory request counts as 100m / 200Mi, as the scorers assume (`NonZeroRequested`).
 */
export function podRequests(pod: V1Pod, opts: { nonMissing?: boolean } = {}): Resource {
  const nonMissing = opts.nonMissing ?? false;
  const reqs = emptyResource();
  for (const c of pod.spec?.containers ?? []) add(reqs, containerRequest(c, nonMissing));
  const sidecars = emptyResource();
  const initMax = emptyResource();
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequest(c, nonMissing);
    if (c.restartPolicy === 'Always') {
      add(reqs, r);
      add(sidecars, r);
      maxInto(initMax, sidecars);
    } else {
      const use = emptyResource();
      add(use, r);
      add(use, sidecars);
      maxInto(initMax, use);
    }
  }
  maxInto(reqs, initMax);
  if (pod.spec?.overhead) {
    const o = emptyResource();
    addResourceList(o, pod.spec.overhead as ResourceList);
    add(reqs, o);
  }
  return reqs;
}
