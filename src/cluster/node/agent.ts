/**
 * The simulated node agent's shell: kubelet's API traffic for many nodes from one process, with
 * no containers (KWOK's approach).
 *
 * - **Register** each Node (labels, capacity, addresses, nodeInfo, Ready) and its Lease in
 *   `kube-node-lease`, reusing an existing Node's pod CIDR and address.
 * - **Heartbeat**: the `node-heartbeat` controller renews every Lease each `renewIntervalMs`
 *   (spread evenly over the period) and posts node status when something other than the
 *   heartbeat changed (the node lifecycle controller marked it Unknown) or every
 *   `nodeStatusReportFrequencyMs`.
 * - **Pods**: ONE pod informer for the whole cluster, dispatched by `spec.nodeName` to the
 *   `pod-agent` controller: admit (OutOfcpu, …), give the pod an IP from its node's CIDR, move it
 *   with {@link syncPod}, write the status subresource (a merge patch with a resourceVersion
 *   precondition), and confirm graceful deletions with a delete of grace period 0.
 * - Every API write passes one limiter (`maxInFlight`, default 32); Lease and node status writes
 *   go to the front of its queue and are stamped when sent.
 */
import { randomUUID, createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Lease } from 'kubernetes-types/coordination/v1.js';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import {
  createClient,
  createController,
  createEventRecorder,
  createInformer,
  isAlreadyExists,
  isConflict,
  isNotFound,
  kinds,
  silentLogger,
  type Client,
  type Controller,
  type EventRecorder,
  type Informer,
  type KObject,
  type Logger,
  type Request,
  type Result,
} from '../../runtime/index.js';
import { addResources, admit, allocatableOf, podRequests, ZERO, type Resources } from './admission.js';
import { contains, formatCidr, formatIp, parseCidr, parseIp, PodIPAllocator, subnet, subnetCount, subnetIndex, usablePodIPs, type Cidr } from './ipam.js';
import {
  missingLabels,
  nodeObject,
  nodeStatus,
  nodeStatusNeedsWrite,
  readyStatus,
  validateNodeSpec,
  type NodeIdentity,
  type NodeNetwork,
  type SimulatedNodeSpec,
} from './node-status.js';
import { isStarted, isTerminal, rejectedStatus, statusMergePatch, syncPod } from './pod-status.js';

export interface SimulatedNodesOptions {
  readonly kubeConfig: KubeConfig;
  readonly nodes: readonly SimulatedNodeSpec[];
  /** Aborting stops the agent: heartbeats stop, the Nodes and Leases stay (as when a kubelet dies). */
  readonly signal: AbortSignal;
  readonly logger?: Logger;
  /** Default: a client for `kubeConfig` with field manager `kubelet`. */
  readonly client?: Client;
  /** Node pod CIDRs are carved from this (kube-controller-manager's `--cluster-cidr`; default `10.42.0.0/16`). */
  readonly clusterCIDR?: string;
  /** Size of each node's pod CIDR (`--node-cidr-mask-size`; default 24). */
  readonly nodeCIDRMaskSize?: number;
  /** Node InternalIPs: the n-th node gets the network's address + 4 + n (default `10.240.0.0/16`, so `10.240.0.4`, …, as on an Azure VNet). */
  readonly nodeNetwork?: string;
  /** API writes in flight at once, over all nodes and pods (default 32). */
  readonly maxInFlight?: number;
  /** Lease `leaseDurationSeconds` (kubelet's nodeLeaseDurationSeconds; default 40). */
  readonly leaseDurationSeconds?: number;
  /** Default a quarter of the lease duration (10 s), as kubelet renews. */
  readonly renewIntervalMs?: number;
  /** Post an unchanged node status this often (kubelet's nodeStatusReportFrequency; default 5 min). */
  readonly nodeStatusReportFrequencyMs?: number;
  /** Default `kube-node-lease`. */
  readonly leaseNamespace?: string;
  /** Record kubelet's node Events (`Starting`, `NodeReady`); default true. */
  readonly recordEvents?: boolean;
  /** Milliseconds since the epoch (default Date.now). */
  readonly now?: () => number;
}

export interface SimulatedNodesStats {
  readonly nodes: number;
  /** Pods this agent has admitted and not yet seen end. */
  readonly podsActive: number;
  readonly writes: {
    readonly nodes: number;
    readonly nodeStatus: number;
    readonly leases: number;
    readonly podStatus: number;
    readonly podDeletes: number;
    readonly events: number;
  };
  readonly conflicts: number;
  readonly inFlight: number;
  readonly queued: number;
}

export interface SimulatedNodes {
  /** The nodes' names, in the order given. */
  readonly names: readonly string[];
  /** Each node's InternalIP and pod CIDR. */
  network(name: string): NodeNetwork | undefined;
  stats(): SimulatedNodesStats;
  /** Resolves once everything has stopped (after `signal` aborts). */
  readonly stopped: Promise<void>;
}

/** At most `n` tasks run at once; the rest wait in order, urgent ones (heartbeats) first. */
class Limiter {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private urgent = 0;
  constructor(private readonly n: number) {}
  async run<T>(fn: () => Promise<T>, urgent = false): Promise<T> {
    if (this.running >= this.n) {
      await new Promise<void>((r) => {
        if (urgent) this.waiting.splice(this.urgent++, 0, () => (this.urgent--, r()));
        else this.waiting.push(r);
      });
    } else this.running++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
  get inFlight(): number {
    return this.running;
  }
  get queued(): number {
    return this.waiting.length;
  }
}

interface NodeState {
  readonly spec: SimulatedNodeSpec;
  readonly index: number;
  readonly net: NodeNetwork;
  readonly id: NodeIdentity;
  readonly ipam: PodIPAllocator;
  readonly allocatable: Resources;
  used: Resources;
  uid?: string;
  lease?: Lease;
  nextRenewAt: number;
  /** The Node was deleted from the API: this agent stops speaking for it. */
  gone: boolean;
  seen: boolean;
  events?: EventRecorder;
}

interface Tracked {
  readonly uid: string;
  readonly node: NodeState;
  requests?: Resources;
}

const MICRO = (ms: number): string => new Date(ms).toISOString().replace(/Z$/, '000Z');
const hex = (s: string, n: number): string => createHash('sha256').update(s).digest('hex').slice(0, n);
const asK = <T>(o: T): KObject => o as unknown as KObject;
const keyOf = (ns: string | undefined, name: string | undefined): string => `${ns ?? ''}/${name ?? ''}`;

function identity(name: string): NodeIdentity {
  const h = hex(`flotilla-node/${name}`, 32);
  return { machineID: h, systemUUID: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`, bootID: randomUUID() };
}

/**
 * Register `opts.nodes` and act as their kubelets until `opts.signal` aborts. Resolves once every
 * node is registered (Node, status, Lease) and the pod informer has synced; throws (before
 * writing anything) on a bad node spec or when the cluster CIDR has no room.
 */
export async function startSimulatedNodes(opts: SimulatedNodesOptions): Promise<SimulatedNodes> {
  const log = (opts.logger ?? silentLogger()).child({ component: 'simulated-kubelet' });
  const now = opts.now ?? Date.now;
  const client = opts.client ?? createClient(opts.kubeConfig, { fieldManager: 'kubelet' });
  const leaseNamespace = opts.leaseNamespace ?? 'kube-node-lease';
  const leaseSeconds = opts.leaseDurationSeconds ?? 40;
  const renewMs = opts.renewIntervalMs ?? (leaseSeconds * 1000) / 4;
  const reportMs = opts.nodeStatusReportFrequencyMs ?? 5 * 60_000;
  const recordEvents = opts.recordEvents ?? true;
  const cluster = parseCidr(opts.clusterCIDR ?? '10.42.0.0/16');
  const maskBits = opts.nodeCIDRMaskSize ?? 24;
  const nodeNet = parseCidr(opts.nodeNetwork ?? '10.240.0.0/16');
  if (subnetCount(cluster, maskBits) === 0) throw new Error(`nodeCIDRMaskSize ${maskBits} must not be smaller than the cluster CIDR's /${cluster.bits}`);
  const names = new Set<string>();
  for (const spec of opts.nodes) {
    validateNodeSpec(spec);
    if (names.has(spec.name)) throw new Error(`node ${JSON.stringify(spec.name)} is given twice`);
    names.add(spec.name);
  }
  const limiter = new Limiter(Math.max(1, opts.maxInFlight ?? 32));
  const writes = { nodes: 0, nodeStatus: 0, leases: 0, podStatus: 0, podDeletes: 0, events: 0 };
  let conflicts = 0;

  // One informer for all pods (a field selector per node would mean one watch per node) and one for nodes.
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  if (opts.signal.aborted) stop.abort();
  else opts.signal.addEventListener('abort', onAbort, { once: true });
  const podInformer: Informer<KObject> = createInformer(client, kinds.pods, { logger: log, backoff: { initialMs: 100, maxMs: 5000 } });
  const nodeInformer: Informer<KObject> = createInformer(client, kinds.nodes, { logger: log, backoff: { initialMs: 100, maxMs: 5000 } });
  const tasks: Promise<unknown>[] = [podInformer.run(stop.signal), nodeInformer.run(stop.signal)];
  const stopped = (async () => {
    await new Promise<void>((r) => (stop.signal.aborted ? r() : stop.signal.addEventListener('abort', () => r(), { once: true })));
    await Promise.allSettled(tasks);
    opts.signal.removeEventListener('abort', onAbort);
    log.info({ nodes: opts.nodes.length }, 'simulated nodes stopped');
  })();
  const synced = await Promise.all([podInformer.waitForSync(stop.signal), nodeInformer.waitForSync(stop.signal)]);
  const nodes = new Map<string, NodeState>();
  const getNode = (name: string): Node | undefined => nodeInformer.get('', name) as unknown as Node | undefined;
  const handle: SimulatedNodes = {
    names: opts.nodes.map((n) => n.name),
    network: (name) => nodes.get(name)?.net,
    stats: () => ({
      nodes: nodes.size,
      podsActive: tracked.size,
      writes: { ...writes },
      conflicts,
      inFlight: limiter.inFlight,
      queued: limiter.queued,
    }),
    stopped,
  };
  const tracked = new Map<string, Tracked>();
  if (synced.includes(false)) return handle;

  // ---- addresses: reuse what existing Nodes carry, give new ones the lowest free slot --------
  const usedSlots = new Set<number>();
  const usedIPs = new Set<number>();
  for (const n of nodeInformer.list() as unknown as Node[]) {
    const cidr = n.spec?.podCIDR;
    if (cidr) {
      try {
        const i = subnetIndex(cluster, maskBits, parseCidr(cidr));
        if (i !== undefined) usedSlots.add(i);
      } catch {
        /* a foreign pod CIDR: not ours to track */
      }
    }
    for (const a of n.status?.addresses ?? []) if (a.type === 'InternalIP' && parseIp(a.address) !== undefined) usedIPs.add(parseIp(a.address)!);
  }
  let nextSlot = 0;
  const pickIP = (hint: number): string => {
    const first = nodeNet.base + 4;
    const last = nodeNet.base + 2 ** (32 - nodeNet.bits) - 2;
    for (let ip = first + hint, tries = 0; tries <= last - first; tries++, ip = ip + 1 > last ? first : ip + 1) {
      if (!usedIPs.has(ip)) {
        usedIPs.add(ip);
        return formatIp(ip);
      }
    }
    throw new Error(`no free node address in ${formatCidr(nodeNet)} (nodeNetwork)`);
  };
  opts.nodes.forEach((spec, index) => {
    const existing = getNode(spec.name);
    let podCIDR: Cidr;
    let slot: number | undefined;
    if (existing?.spec?.podCIDR) {
      podCIDR = parseCidr(existing.spec.podCIDR);
      slot = subnetIndex(cluster, maskBits, podCIDR);
    } else {
      while (usedSlots.has(nextSlot)) nextSlot++;
      if (nextSlot >= subnetCount(cluster, maskBits)) {
        throw new Error(
          `no pod CIDR left for node ${JSON.stringify(spec.name)}: clusterCIDR ${formatCidr(cluster)} holds ${subnetCount(cluster, maskBits)} /${maskBits} node CIDRs ` +
            `(pass a wider clusterCIDR, e.g. 10.32.0.0/12, or a larger nodeCIDRMaskSize)`,
        );
      }
      slot = nextSlot;
      usedSlots.add(slot);
      podCIDR = subnet(cluster, maskBits, slot);
    }
    if (spec.pods > usablePodIPs(podCIDR)) {
      throw new Error(`node ${JSON.stringify(spec.name)}: pods ${spec.pods} exceeds the ${usablePodIPs(podCIDR)} pod IPs of its pod CIDR ${formatCidr(podCIDR)} (use a smaller nodeCIDRMaskSize)`);
    }
    const had = existing?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    const internalIP = had && parseIp(had) !== undefined ? had : pickIP(slot ?? index);
    const net: NodeNetwork = { internalIP, podCIDR: formatCidr(podCIDR) };
    const probe = nodeStatus(spec, net, identity(spec.name), undefined, 0);
    nodes.set(spec.name, {
      spec,
      index,
      net,
      id: identity(spec.name),
      ipam: new PodIPAllocator(podCIDR),
      allocatable: allocatableOf(probe.allocatable ?? {}),
      used: ZERO,
      nextRenewAt: 0,
      gone: false,
      seen: Boolean(existing),
    });
  });

  const eventsFor = (st: NodeState): EventRecorder =>
    (st.events ??= createEventRecorder(client, { component: 'kubelet', instance: st.spec.name, logger: log }));
  const nodeEvent = (st: NodeState, node: Node, reason: string, message: string): void => {
    if (!recordEvents) return;
    writes.events++;
    void limiter.run(() => eventsFor(st).event(asK({ ...node, apiVersion: 'v1', kind: 'Node' }), 'Normal', reason, message));
  };

  // ---- node registration, status and lease ---------------------------------------------------
  async function postStatus(st: NodeState, node: Node): Promise<Node> {
    const wasReady = readyStatus(node) === 'True';
    // The heartbeat is stamped when the write goes out, not when it was queued.
    const patched = await limiter.run(
      () => client.patchStatus(kinds.nodes, '', st.spec.name, { status: statusMergePatch(node.status, nodeStatus(st.spec, st.net, st.id, node.status, now())) }),
      true,
    );
    writes.nodeStatus++;
    if (!wasReady) nodeEvent(st, node, 'NodeReady', `Node ${st.spec.name} status is now: NodeReady`);
    return patched as unknown as Node;
  }

  async function renewLease(st: NodeState): Promise<void> {
    const name = st.spec.name;
    const body = (rv?: string): Lease => ({
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name,
        namespace: leaseNamespace,
        ...(rv ? { resourceVersion: rv } : {}),
        ...(st.uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: st.uid }] } : {}),
      },
      spec: { holderIdentity: name, leaseDurationSeconds: leaseSeconds, renewTime: MICRO(now()) },
    });
    const write = async (): Promise<Lease> => {
      if (st.lease?.metadata?.resourceVersion) {
        try {
          return (await client.update(kinds.leases, asK(body(st.lease.metadata.resourceVersion)))) as unknown as Lease;
        } catch (e) {
          if (!isConflict(e) && !isNotFound(e)) throw e;
          conflicts++;
        }
      }
      const current = (await client.get(kinds.leases, leaseNamespace, name)) as unknown as Lease | undefined;
      if (current) return (await client.update(kinds.leases, asK({ ...body(current.metadata?.resourceVersion), spec: { ...current.spec, ...body().spec } }))) as unknown as Lease;
      return (await client.create(kinds.leases, asK(body()))) as unknown as Lease;
    };
    st.lease = await limiter.run(write, true);
    writes.leases++;
  }

  async function register(st: NodeState): Promise<void> {
    const t = now();
    let node = getNode(st.spec.name);
    if (!node) {
      try {
        node = (await limiter.run(() => client.create(kinds.nodes, asK(nodeObject(st.spec, st.net, st.id, t))))) as unknown as Node;
        writes.nodes++;
        nodeEvent(st, node, 'Starting', 'Starting kubelet.');
        nodeEvent(st, node, 'NodeReady', `Node ${st.spec.name} status is now: NodeReady`);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
        node = (await client.get(kinds.nodes, '', st.spec.name)) as unknown as Node;
      }
    } else {
      // Re-registration (kubelet's reconcileExtendedResource/updateDefaultLabels): add our labels and the pod CIDR if missing.
      const labels = missingLabels(node, st.spec);
      const spec = node.spec?.podCIDR ? {} : { podCIDR: st.net.podCIDR, podCIDRs: [st.net.podCIDR] };
      if (Object.keys(labels).length || Object.keys(spec).length) {
        node = (await limiter.run(() => client.patch(kinds.nodes, '', st.spec.name, { metadata: { labels }, spec }))) as unknown as Node;
        writes.nodes++;
      }
      nodeEvent(st, node, 'Starting', 'Starting kubelet.');
      node = await postStatus(st, node);
    }
    st.uid = node.metadata?.uid;
    st.seen = true;
    await renewLease(st);
    // Spread the renewals evenly over one period from here on.
    st.nextRenewAt = t + (renewMs * (st.index + 1)) / opts.nodes.length;
  }

  async function heartbeat(req: Request): Promise<Result> {
    const st = nodes.get(req.name);
    if (!st || st.gone) return {};
    const t = now();
    if (t >= st.nextRenewAt) {
      await renewLease(st);
      st.nextRenewAt = t + renewMs;
    }
    const node = getNode(st.spec.name);
    if (node && nodeStatusNeedsWrite(node.status, nodeStatus(st.spec, st.net, st.id, node.status, t), t, reportMs)) await postStatus(st, node);
    return { requeueAfterMs: Math.max(1, st.nextRenewAt - now()) };
  }

  // ---- pods ------------------------------------------------------------------------------
  const release = (key: string): void => {
    const t = tracked.get(key);
    if (!t) return;
    tracked.delete(key);
    t.node.ipam.release(t.uid);
    if (t.requests) t.node.used = addResources(t.node.used, t.requests, -1);
  };
  const mine = (pod: Pod | undefined): NodeState | undefined => {
    const st = pod?.spec?.nodeName ? nodes.get(pod.spec.nodeName) : undefined;
    return st && !st.gone ? st : undefined;
  };
  /** Track a pod already running here (found after a restart): keep its IP, count its requests without admission. */
  const adoptRunning = (key: string, pod: Pod, st: NodeState): Tracked => {
    let t = tracked.get(key);
    if (!t) tracked.set(key, (t = { uid: pod.metadata!.uid!, node: st }));
    if (pod.status?.podIP) st.ipam.reserve(t.uid, pod.status.podIP);
    if (!t.requests) {
      t.requests = podRequests(pod);
      st.used = addResources(st.used, t.requests);
    }
    return t;
  };

  async function writePodStatus(pod: Pod, status: object): Promise<boolean> {
    try {
      await limiter.run(() =>
        client.patchStatus(kinds.pods, pod.metadata!.namespace!, pod.metadata!.name!, {
          metadata: { resourceVersion: pod.metadata!.resourceVersion },
          status: statusMergePatch(pod.status, status),
        }),
      );
      writes.podStatus++;
      return true;
    } catch (e) {
      // A newer version (or the pod's end) is on its way through the informer, which enqueues it again.
      if (isConflict(e) || isNotFound(e)) {
        conflicts++;
        return false;
      }
      throw e;
    }
  }

  async function syncOne(req: Request): Promise<Result> {
    const key = keyOf(req.namespace, req.name);
    const pod = podInformer.get(req.namespace, req.name) as unknown as Pod | undefined;
    const had = tracked.get(key);
    const st = mine(pod);
    if (!pod || !st || (had && had.uid !== pod.metadata?.uid)) release(key);
    if (!pod || !st) return {};
    if (pod.metadata?.deletionTimestamp) {
      // The containers are "stopped" at once; confirm the graceful deletion as kubelet does.
      try {
        await limiter.run(() => client.delete(kinds.pods, req.namespace, req.name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata!.uid } }));
        writes.podDeletes++;
      } catch (e) {
        if (!isConflict(e) && !isNotFound(e)) throw e;
      }
      release(key);
      return {};
    }
    if (isTerminal(pod)) {
      release(key);
      return {};
    }
    const t = now();
    const uid = pod.metadata!.uid!;
    let podIP = pod.status?.podIP;
    if (!isStarted(pod)) {
      let tr = tracked.get(key);
      if (!tr?.requests) {
        const requests = podRequests(pod);
        const rejection = admit(requests, st.used, st.allocatable);
        if (rejection) {
          log.info({ pod: key, node: st.spec.name, reason: rejection.reason }, 'pod rejected by admission');
          await writePodStatus(pod, rejectedStatus(pod, rejection, t));
          return {};
        }
        if (!tr) tracked.set(key, (tr = { uid, node: st }));
        tr.requests = requests;
        st.used = addResources(st.used, requests);
      }
      podIP ??= st.ipam.allocate(uid);
      if (!podIP) {
        log.info({ pod: key, node: st.spec.name, podCIDR: st.net.podCIDR }, 'no pod IP left on node');
        return { requeueAfterMs: 5000 };
      }
    } else {
      adoptRunning(key, pod, st);
      podIP ??= st.ipam.allocate(uid) ?? '';
    }
    const step = syncPod(pod, { hostIP: st.net.internalIP, podIP }, t);
    if (step.status) await writePodStatus(pod, step.status);
    if (step.terminal) release(key);
    return step.requeueAfterMs !== undefined ? { requeueAfterMs: step.requeueAfterMs } : {};
  }

  // ---- start --------------------------------------------------------------------------------
  // Pods found running on our nodes keep their IPs and count against allocatable before any new one is admitted.
  for (const obj of podInformer.list()) {
    const pod = obj as unknown as Pod;
    const st = mine(pod);
    if (st && isStarted(pod) && !isTerminal(pod) && !pod.metadata?.deletionTimestamp) adoptRunning(keyOf(pod.metadata?.namespace, pod.metadata?.name), pod, st);
  }

  const failures = await Promise.allSettled([...nodes.values()].map((st) => register(st)));
  const failed = failures.findIndex((f) => f.status === 'rejected');
  if (failed >= 0) {
    stop.abort();
    await stopped;
    const err = (failures[failed] as PromiseRejectedResult).reason;
    throw new Error(`registering node ${JSON.stringify(opts.nodes[failed].name)} failed: ${(err as Error)?.message ?? err}`, { cause: err });
  }
  log.info({ nodes: nodes.size, leaseNamespace }, 'simulated nodes registered');

  const heartbeats: Controller = createController({ name: 'node-heartbeat', reconciler: heartbeat, workers: Math.max(1, opts.maxInFlight ?? 32), logger: log });
  const podAgent: Controller = createController({ name: 'pod-agent', for: kinds.pods, reconciler: syncOne, workers: Math.max(1, opts.maxInFlight ?? 32), logger: log });
  heartbeats.watch(nodeInformer, {
    map: (n) => {
      const st = nodes.get(n.metadata?.name ?? '');
      return st ? [{ namespace: '', name: st.spec.name }] : [];
    },
  });
  nodeInformer.addEventHandler({
    onDelete: (n) => {
      const st = nodes.get(n.metadata?.name ?? '');
      if (!st || !st.seen) return;
      st.gone = true;
      log.info({ node: st.spec.name }, 'node deleted: no longer simulating it');
    },
  });
  podAgent.watch(podInformer, {
    map: (p) => {
      const key = keyOf(p.metadata?.namespace, p.metadata?.name);
      return mine(p as unknown as Pod) || tracked.has(key) ? [{ namespace: p.metadata?.namespace ?? '', name: p.metadata?.name ?? '' }] : [];
    },
  });
  for (const st of nodes.values()) heartbeats.enqueue({ namespace: '', name: st.spec.name }, Math.max(0, st.nextRenewAt - now()));
  tasks.push(heartbeats.start(stop.signal), podAgent.start(stop.signal));
  return handle;
}
