/**
 * The node agent's shell: kubelet's API traffic for many nodes from one process. Nodes come and
 * go at run time ({@link NodeAgent.add} / {@link NodeAgent.remove}); each runs its pods with one
 * of two runtimes: `simulated` (no containers, KWOK's approach; {@link syncPod}) or `process`
 * (every container a local process; process/runtime.ts).
 *
 * - **Register** each Node (labels, capacity, addresses, nodeInfo, Ready) and its Lease in
 *   `kube-node-lease`, reusing an existing Node's pod CIDR and address.
 * - **Heartbeat**: the `node-heartbeat` controller renews every Lease each `renewIntervalMs`
 *   (spread evenly over the period) and posts node status when something other than the
 *   heartbeat changed (the node lifecycle controller marked it Unknown) or every
 *   `nodeStatusReportFrequencyMs`.
 * - **Pods**: ONE pod informer (indexed by node) and ONE node informer for the whole agent,
 *   however many nodes are added; pods are dispatched by `spec.nodeName` to the `pod-agent`
 *   controller: admit (OutOfcpu, …), give the pod an IP from its node's CIDR, run it, write the
 *   status subresource (a merge patch with a resourceVersion precondition) when it changed, and
 *   confirm graceful deletions with a delete of grace period 0 once nothing of the pod runs.
 * - **Process nodes** carve their pod CIDRs from `loopbackCIDR` (127.42.0.0/16: pods bind real
 *   loopback addresses) and their InternalIPs from `processNodeNetwork`, and serve kubelet's
 *   `/containerLogs` on InternalIP:ephemeral port (process/kubelet-server.ts).
 * - Every API write passes one limiter (`maxInFlight`, default 32); Lease and node status writes
 *   go to the front of its queue and are stamped when sent.
 */
import { randomUUID, createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { readdirSync, readlinkSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
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
  semanticEqual,
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
import { formatCidr, formatIp, parseCidr, parseIp, PodIPAllocator, subnet, subnetCount, subnetIndex, usablePodIPs, type Cidr } from './ipam.js';
import {
  missingLabels,
  nodeObject,
  nodeStatus,
  nodeStatusNeedsWrite,
  readyStatus,
  validateNodeSpec,
  type NodeIdentity,
  type NodeNetwork,
  type NodeSpec,
  type SimulatedNodeSpec,
} from './node-status.js';
import { isStarted, isTerminal, rejectedStatus, statusMergePatch, syncPod } from './pod-status.js';
import { startKubeletServer, type KubeletServer } from './process/kubelet-server.js';
import { readProcTable } from './process/proc-stats.js';
import { statsSummary } from './process/stats-summary.js';
import { podLogDir } from './process/log-file.js';
import { ProcessRuntime } from './process/runtime.js';

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
  /** Record kubelet's node Events (`Starting`, `NodeReady`) and pod Events; default true. */
  readonly recordEvents?: boolean;
  /** Milliseconds since the epoch (default Date.now). */
  readonly now?: () => number;
}

export interface NodeAgentOptions extends Omit<SimulatedNodesOptions, 'nodes'> {
  /** Nodes to register before `startNodeAgent` resolves (default none). */
  readonly nodes?: readonly NodeSpec[];
  /** Required when any node is `process`: container logs (`var/log/…`) and pod working directories live here. */
  readonly dataDir?: string;
  /** Process nodes' pod CIDRs are carved from this (default `127.42.0.0/16`: node n gets 127.42.n.0/24). */
  readonly loopbackCIDR?: string;
  /** Process nodes' InternalIPs (default `127.240.0.0/16`: node n gets .4+n). */
  readonly processNodeNetwork?: string;
  /** Containers of a removed node (or a stopping agent) get this long after SIGTERM before SIGKILL (default 2000 ms). */
  readonly shutdownGraceMs?: number;
  /** How often process pods' Secret, ConfigMap and downward API volumes are refreshed (default 10 s). */
  readonly volumeSyncMs?: number;
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

export interface NodeAgentStats extends SimulatedNodesStats {
  /** Pods the process runtime runs (or is stopping). */
  readonly processPods: number;
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

export interface NodeAgent {
  /**
   * Register the node (Node, status, Lease), start heartbeating and running its pods. Idempotent
   * for a name the agent already runs. Throws on a bad spec or when its CIDR pool is full.
   */
  add(spec: NodeSpec): Promise<void>;
  /**
   * Stop speaking for the node: its containers are stopped (SIGTERM, a short grace, SIGKILL) and
   * waited for, its heartbeats stop. The Node object stays (the cloud controller deletes it).
   */
  remove(name: string): Promise<void>;
  /** The nodes the agent runs, in the order added. */
  names(): string[];
  /** A node's InternalIP, pod CIDR and (process nodes) kubelet port. */
  network(name: string): NodeNetwork | undefined;
  stats(): NodeAgentStats;
  /** Resolves once everything has stopped (after `signal` aborts), containers included. */
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
  readonly spec: NodeSpec;
  readonly index: number;
  net: NodeNetwork;
  readonly id: NodeIdentity;
  readonly ipam: PodIPAllocator;
  readonly allocatable: Resources;
  used: Resources;
  uid?: string;
  lease?: Lease;
  nextRenewAt: number;
  /** Registered (Node and Lease written): heartbeats may run. */
  registered: boolean;
  /** The Node was deleted from the API, or the node was removed: this agent stops speaking for it. */
  gone: boolean;
  seen: boolean;
  events?: EventRecorder;
  kubelet?: KubeletServer;
}

interface Tracked {
  readonly uid: string;
  readonly node: NodeState;
  requests?: Resources;
}

/** One pool of node addresses: pod CIDR slots from a cluster CIDR, InternalIPs from a network. */
interface AddressPool {
  readonly cluster: Cidr;
  readonly nodeNet: Cidr;
  readonly usedSlots: Set<number>;
  readonly usedIPs: Set<number>;
  nextSlot: number;
  readonly what: string;
}

const MICRO = (ms: number): string => new Date(ms).toISOString().replace(/Z$/, '000Z');
const hex = (s: string, n: number): string => createHash('sha256').update(s).digest('hex').slice(0, n);
const asK = <T>(o: T): KObject => o as unknown as KObject;
const keyOf = (ns: string | undefined, name: string | undefined): string => `${ns ?? ''}/${name ?? ''}`;
const NODE_INDEX = 'nodeName';
/** Spreads heartbeats of nodes added one by one evenly over the renew period (the golden-ratio sequence). */
const spread = (i: number): number => ((i + 1) * 0.6180339887498949) % 1;

function identity(name: string): NodeIdentity {
  const h = hex(`flotilla-node/${name}`, 32);
  return { machineID: h, systemUUID: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`, bootID: randomUUID() };
}

/** The API server's host and port as pods see it. */
function apiServerOf(kc: KubeConfig): { host: string; port: number } | undefined {
  const server = kc.getCurrentCluster()?.server;
  if (!server) return undefined;
  try {
    const u = new URL(server);
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
  } catch {
    return undefined;
  }
}

/**
 * Register `opts.nodes` and act as their kubelets until `opts.signal` aborts. Resolves once every
 * node is registered (Node, status, Lease) and the pod informer has synced; throws (before
 * writing anything) on a bad node spec or when the cluster CIDR has no room.
 */
export async function startSimulatedNodes(opts: SimulatedNodesOptions): Promise<SimulatedNodes> {
  const agent = await startNodeAgent(opts);
  return { names: opts.nodes.map((n) => n.name), network: agent.network, stats: agent.stats, stopped: agent.stopped };
}

/**
 * Start the node agent: informers, heartbeats and the pod loop, then register `opts.nodes`.
 * Throws (after stopping) when an initial node cannot be registered.
 */
export async function startNodeAgent(opts: NodeAgentOptions): Promise<NodeAgent> {
  const log = (opts.logger ?? silentLogger()).child({ component: 'node-agent' });
  const now = opts.now ?? Date.now;
  const client = opts.client ?? createClient(opts.kubeConfig, { fieldManager: 'kubelet' });
  const leaseNamespace = opts.leaseNamespace ?? 'kube-node-lease';
  const leaseSeconds = opts.leaseDurationSeconds ?? 40;
  const renewMs = opts.renewIntervalMs ?? (leaseSeconds * 1000) / 4;
  const reportMs = opts.nodeStatusReportFrequencyMs ?? 5 * 60_000;
  const recordEvents = opts.recordEvents ?? true;
  const maskBits = opts.nodeCIDRMaskSize ?? 24;
  const pools: Record<'simulated' | 'process', AddressPool> = {
    simulated: { cluster: parseCidr(opts.clusterCIDR ?? '10.42.0.0/16'), nodeNet: parseCidr(opts.nodeNetwork ?? '10.240.0.0/16'), usedSlots: new Set(), usedIPs: new Set(), nextSlot: 0, what: 'clusterCIDR' },
    process: { cluster: parseCidr(opts.loopbackCIDR ?? '127.42.0.0/16'), nodeNet: parseCidr(opts.processNodeNetwork ?? '127.240.0.0/16'), usedSlots: new Set(), usedIPs: new Set(), nextSlot: 0, what: 'loopbackCIDR' },
  };
  for (const p of Object.values(pools)) {
    if (subnetCount(p.cluster, maskBits) === 0) throw new Error(`nodeCIDRMaskSize ${maskBits} must not be smaller than the ${p.what}'s /${p.cluster.bits}`);
  }
  const initial = opts.nodes ?? [];
  const names = new Set<string>();
  for (const spec of initial) {
    validateNodeSpec(spec);
    if (names.has(spec.name)) throw new Error(`node ${JSON.stringify(spec.name)} is given twice`);
    names.add(spec.name);
    if (spec.runtime === 'process' && !opts.dataDir) throw new Error(`node ${JSON.stringify(spec.name)}: a process node needs the agent's dataDir`);
  }
  const limiter = new Limiter(Math.max(1, opts.maxInFlight ?? 32));
  const writes = { nodes: 0, nodeStatus: 0, leases: 0, podStatus: 0, podDeletes: 0, events: 0 };
  let conflicts = 0;

  // One informer for all pods (a field selector per node would mean one watch per node) and one for nodes.
  const stop = new AbortController();
  // Informers, watches, controllers and the agent itself all listen on it.
  setMaxListeners(0, stop.signal);
  const onAbort = (): void => stop.abort();
  if (opts.signal.aborted) stop.abort();
  else opts.signal.addEventListener('abort', onAbort, { once: true });
  const podInformer: Informer<KObject> = createInformer(client, kinds.pods, { logger: log, backoff: { initialMs: 100, maxMs: 5000 } });
  const nodeInformer: Informer<KObject> = createInformer(client, kinds.nodes, { logger: log, backoff: { initialMs: 100, maxMs: 5000 } });
  podInformer.addIndexer(NODE_INDEX, (p) => {
    const n = (p as unknown as Pod).spec?.nodeName;
    return n ? [n] : [];
  });
  const nodes = new Map<string, NodeState>();
  const tracked = new Map<string, Tracked>();
  let nodeCount = 0;

  // The controllers exist before any node: `add` enqueues into them.
  const heartbeats: Controller = createController({ name: 'node-heartbeat', reconciler: (r) => heartbeat(r), workers: Math.max(1, opts.maxInFlight ?? 32), logger: log });
  const podAgent: Controller = createController({ name: 'pod-agent', for: kinds.pods, reconciler: (r) => syncOne(r), workers: Math.max(1, opts.maxInFlight ?? 32), logger: log });

  const eventsFor = (st: NodeState): EventRecorder =>
    (st.events ??= createEventRecorder(client, { component: 'kubelet', instance: st.spec.name, logger: log }));
  let runtime: ProcessRuntime | undefined;
  const processRuntime = (): ProcessRuntime =>
    (runtime ??= new ProcessRuntime({
      client,
      dataDir: opts.dataDir!,
      logger: log,
      apiServer: apiServerOf(opts.kubeConfig),
      shutdownGraceMs: opts.shutdownGraceMs,
      volumeSyncMs: opts.volumeSyncMs,
      now,
      resync: (namespace, name) => podAgent.enqueue({ namespace, name }),
      event: (pod, type, reason, message) => {
        const st = mine(pod);
        if (!st || !recordEvents) return;
        writes.events++;
        void limiter.run(() => eventsFor(st).event(asK({ ...pod, apiVersion: 'v1', kind: 'Pod' }), type, reason, message));
      },
    }));

  const tasks: Promise<unknown>[] = [podInformer.run(stop.signal), nodeInformer.run(stop.signal)];
  const stopped = (async () => {
    await new Promise<void>((r) => (stop.signal.aborted ? r() : stop.signal.addEventListener('abort', () => r(), { once: true })));
    await Promise.allSettled(tasks);
    // Like a kubelet going down with its node: nothing we started keeps running.
    await runtime?.stopAll();
    await Promise.allSettled([...nodes.values()].map((st) => st.kubelet?.close()));
    opts.signal.removeEventListener('abort', onAbort);
    log.info({ nodes: nodes.size }, 'node agent stopped');
  })();
  const getNode = (name: string): Node | undefined => nodeInformer.get('', name) as unknown as Node | undefined;
  const mine = (pod: Pod | undefined): NodeState | undefined => {
    const st = pod?.spec?.nodeName ? nodes.get(pod.spec.nodeName) : undefined;
    return st && !st.gone ? st : undefined;
  };

  const agent: NodeAgent = {
    add: (spec) => add(spec),
    remove: (name) => remove(name),
    names: () => [...nodes.keys()],
    network: (name) => nodes.get(name)?.net,
    stats: () => ({
      nodes: nodes.size,
      podsActive: tracked.size,
      processPods: runtime?.runningPods() ?? 0,
      writes: { ...writes },
      conflicts,
      inFlight: limiter.inFlight,
      queued: limiter.queued,
    }),
    stopped,
  };
  const synced = await Promise.all([podInformer.waitForSync(stop.signal), nodeInformer.waitForSync(stop.signal)]);
  if (synced.includes(false)) return agent;

  // ---- addresses: reuse what existing Nodes carry, give new ones the lowest free slot --------
  function seedPools(): void {
    for (const p of Object.values(pools)) {
      p.usedSlots.clear();
      p.usedIPs.clear();
      p.nextSlot = 0;
    }
    for (const n of nodeInformer.list() as unknown as Node[]) {
      const cidr = n.spec?.podCIDR;
      for (const p of Object.values(pools)) {
        if (cidr) {
          try {
            const i = subnetIndex(p.cluster, maskBits, parseCidr(cidr));
            if (i !== undefined) p.usedSlots.add(i);
          } catch {
            /* a foreign pod CIDR: not ours to track */
          }
        }
        for (const a of n.status?.addresses ?? []) if (a.type === 'InternalIP' && parseIp(a.address) !== undefined) p.usedIPs.add(parseIp(a.address)!);
      }
    }
  }
  seedPools();
  const pickIP = (pool: AddressPool, hint: number): string => {
    const first = pool.nodeNet.base + 4;
    const last = pool.nodeNet.base + 2 ** (32 - pool.nodeNet.bits) - 2;
    for (let ip = first + (hint % (last - first + 1)), tries = 0; tries <= last - first; tries++, ip = ip + 1 > last ? first : ip + 1) {
      if (!pool.usedIPs.has(ip)) {
        pool.usedIPs.add(ip);
        return formatIp(ip);
      }
    }
    throw new Error(`no free node address in ${formatCidr(pool.nodeNet)}`);
  };

  /** The node's state with its addresses (synchronous, so concurrent adds never pick the same slot). */
  function place(spec: NodeSpec): NodeState {
    const pool = pools[spec.runtime === 'process' ? 'process' : 'simulated'];
    const existing = getNode(spec.name);
    let podCIDR: Cidr;
    let slot: number | undefined;
    const existingCIDR = existing?.spec?.podCIDR;
    let reuse = false;
    if (existingCIDR) {
      try {
        podCIDR = parseCidr(existingCIDR);
        slot = subnetIndex(pool.cluster, maskBits, podCIDR);
        // A process node's pod IPs must come from the loopback pool; a node that was simulated before gets a new CIDR.
        reuse = spec.runtime !== 'process' || slot !== undefined;
      } catch {
        reuse = false;
      }
    }
    if (!reuse) {
      while (pool.usedSlots.has(pool.nextSlot)) pool.nextSlot++;
      if (pool.nextSlot >= subnetCount(pool.cluster, maskBits)) {
        throw new Error(
          `no pod CIDR left for node ${JSON.stringify(spec.name)}: ${pool.what} ${formatCidr(pool.cluster)} holds ${subnetCount(pool.cluster, maskBits)} /${maskBits} node CIDRs ` +
            `(pass a wider ${pool.what}, e.g. 10.32.0.0/12, or a larger nodeCIDRMaskSize)`,
        );
      }
      slot = pool.nextSlot;
      pool.usedSlots.add(slot);
      podCIDR = subnet(pool.cluster, maskBits, slot);
    }
    if (spec.pods > usablePodIPs(podCIDR!)) {
      throw new Error(`node ${JSON.stringify(spec.name)}: pods ${spec.pods} exceeds the ${usablePodIPs(podCIDR!)} pod IPs of its pod CIDR ${formatCidr(podCIDR!)} (use a smaller nodeCIDRMaskSize)`);
    }
    const index = nodeCount++;
    const had = existing?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    const hadIP = had === undefined ? undefined : parseIp(had);
    const keep = hadIP !== undefined && (spec.runtime !== 'process' || (hadIP >= pool.nodeNet.base && hadIP < pool.nodeNet.base + 2 ** (32 - pool.nodeNet.bits)));
    const internalIP = keep ? had! : pickIP(pool, slot ?? index);
    const net: NodeNetwork = { internalIP, podCIDR: formatCidr(podCIDR!) };
    const probe = nodeStatus(spec, net, identity(spec.name), undefined, 0);
    return {
      spec,
      index,
      net,
      id: identity(spec.name),
      ipam: new PodIPAllocator(podCIDR!),
      allocatable: allocatableOf(probe.allocatable ?? {}),
      used: ZERO,
      nextRenewAt: 0,
      registered: false,
      gone: false,
      seen: Boolean(existing),
    };
  }

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

  async function register(st: NodeState, batch: number): Promise<void> {
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
      const spec = node.spec?.podCIDR === st.net.podCIDR ? {} : { podCIDR: st.net.podCIDR, podCIDRs: [st.net.podCIDR] };
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
    st.registered = true;
    // Spread the renewals evenly over one period from here on.
    st.nextRenewAt = t + (batch > 0 ? (renewMs * ((st.index % batch) + 1)) / batch : renewMs * spread(st.index));
  }

  /** Track the pods already on a node (a restart): running ones keep their IPs and count against allocatable. */
  function adoptPods(st: NodeState): void {
    for (const obj of podInformer.byIndex(NODE_INDEX, st.spec.name)) {
      const pod = obj as unknown as Pod;
      if (isStarted(pod) && !isTerminal(pod) && !pod.metadata?.deletionTimestamp) adoptRunning(keyOf(pod.metadata?.namespace, pod.metadata?.name), pod, st);
    }
  }

  const adding = new Map<string, Promise<void>>();
  async function addNode(spec: NodeSpec, batch: number): Promise<NodeState> {
    const st = place(spec);
    nodes.set(spec.name, st);
    adoptPods(st);
    try {
      if (spec.runtime === 'process') {
        const rt = processRuntime();
        rt.reopen(spec.name);
        const kubeletStartedAt = Date.now();
        st.kubelet = await startKubeletServer(st.net.internalIP, {
          dataDir: opts.dataDir!,
          pod: (ns, name) => {
            const p = podInformer.get(ns, name) as unknown as Pod | undefined;
            return p?.spec?.nodeName === spec.name ? p : undefined;
          },
          isRunning: (uid, id) => rt.isRunning(uid, id),
          containerRunning: (uid, container) => rt.containerRunning(uid, container),
          summary: async () => statsSummary(spec.name, kubeletStartedAt, rt.runningContainers(spec.name), await readProcTable(), Date.now()),
          exec: (uid, container, request) => rt.exec(uid, container, request),
        });
        st.net = { ...st.net, kubeletPort: st.kubelet.port };
      }
      await register(st, batch);
    } catch (e) {
      if (nodes.get(spec.name) === st) nodes.delete(spec.name);
      for (const [key, t] of tracked) if (t.node === st) tracked.delete(key);
      await st.kubelet?.close();
      throw e;
    }
    heartbeats.enqueue({ namespace: '', name: spec.name }, Math.max(0, st.nextRenewAt - now()));
    for (const obj of podInformer.byIndex(NODE_INDEX, spec.name)) podAgent.enqueue({ namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' });
    return st;
  }

  async function add(spec: NodeSpec, batch = 0): Promise<void> {
    if (stop.signal.aborted) throw new Error(`node agent stopped: cannot add node ${JSON.stringify(spec.name)}`);
    validateNodeSpec(spec);
    if (spec.runtime === 'process' && !opts.dataDir) throw new Error(`node ${JSON.stringify(spec.name)}: a process node needs the agent's dataDir`);
    const pending = adding.get(spec.name);
    if (pending) return pending;
    if (nodes.has(spec.name)) return;
    const p = addNode(spec, batch).then(
      (st) => log.info({ node: spec.name, runtime: spec.runtime ?? 'simulated', internalIP: st.net.internalIP, podCIDR: st.net.podCIDR }, 'node added'),
    );
    adding.set(spec.name, p);
    try {
      await p;
    } finally {
      adding.delete(spec.name);
    }
  }

  async function remove(name: string): Promise<void> {
    await adding.get(name)?.catch(() => undefined);
    const st = nodes.get(name);
    if (!st) return;
    st.gone = true;
    nodes.delete(name);
    for (const [key, t] of tracked) if (t.node === st) tracked.delete(key);
    if (st.spec.runtime === 'process') await runtime?.stopNode(name);
    await st.kubelet?.close();
    log.info({ node: name }, 'node removed');
  }

  async function heartbeat(req: Request): Promise<Result> {
    const st = nodes.get(req.name);
    if (!st || st.gone || !st.registered) return {};
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
    if (t.node.spec.runtime === 'process') runtime?.forget(t.uid);
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

  async function confirmDeletion(pod: Pod): Promise<void> {
    try {
      await limiter.run(() => client.delete(kinds.pods, pod.metadata!.namespace!, pod.metadata!.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata!.uid } }));
      writes.podDeletes++;
    } catch (e) {
      if (!isConflict(e) && !isNotFound(e)) throw e;
    }
  }

  /** kubelet's container GC for a deleted pod: its log directory and legacy symlinks. */
  function removePodLogs(pod: Pod): void {
    if (!opts.dataDir) return;
    const dir = podLogDir(opts.dataDir, pod.metadata!.namespace!, pod.metadata!.name!, pod.metadata!.uid!);
    const links = join(opts.dataDir, 'var', 'log', 'containers');
    try {
      for (const f of readdirSync(links)) {
        if (!f.startsWith(`${pod.metadata!.name}_${pod.metadata!.namespace}_`)) continue;
        try {
          if (readlinkSync(join(links, f)).startsWith(dir)) unlinkSync(join(links, f));
        } catch {
          /* gone already */
        }
      }
    } catch {
      /* no links yet */
    }
    rmSync(dir, { recursive: true, force: true });
  }

  async function syncOne(req: Request): Promise<Result> {
    const key = keyOf(req.namespace, req.name);
    const pod = podInformer.get(req.namespace, req.name) as unknown as Pod | undefined;
    const had = tracked.get(key);
    const st = mine(pod);
    if (!pod || !st || (had && had.uid !== pod.metadata?.uid)) release(key);
    if (!pod || !st) return {};
    const processNode = st.spec.runtime === 'process';
    if (pod.metadata?.deletionTimestamp) {
      if (processNode) {
        // SIGTERM now, SIGKILL when the grace period is over; confirm once nothing runs.
        const r = await processRuntime().terminate(pod);
        if (!r.done) return { requeueAfterMs: r.requeueAfterMs ?? 1000 };
      }
      await confirmDeletion(pod);
      release(key);
      if (processNode) removePodLogs(pod);
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
    const placement = { hostIP: st.net.internalIP, podIP };
    if (processNode) {
      const r = await processRuntime().sync(pod, st.spec.name, placement);
      const changed = r.status !== undefined && !semanticEqual(pod.status ?? {}, r.status);
      const written = changed ? await writePodStatus(pod, r.status!) : true;
      if (r.terminal && written) release(key);
      return r.requeueAfterMs !== undefined ? { requeueAfterMs: r.requeueAfterMs } : {};
    }
    const step = syncPod(pod, placement, t);
    if (step.status) await writePodStatus(pod, step.status);
    if (step.terminal) release(key);
    return step.requeueAfterMs !== undefined ? { requeueAfterMs: step.requeueAfterMs } : {};
  }

  // ---- start --------------------------------------------------------------------------------
  heartbeats.watch(nodeInformer, {
    map: (n) => {
      const st = nodes.get(n.metadata?.name ?? '');
      return st ? [{ namespace: '', name: st.spec.name }] : [];
    },
  });
  nodeInformer.addEventHandler({
    onDelete: (n) => {
      const st = nodes.get(n.metadata?.name ?? '');
      if (!st || !st.seen || !st.registered) return;
      log.info({ node: st.spec.name }, 'node deleted: no longer running it');
      void remove(st.spec.name);
    },
  });
  podAgent.watch(podInformer, {
    map: (p) => {
      const key = keyOf(p.metadata?.namespace, p.metadata?.name);
      return mine(p as unknown as Pod) || tracked.has(key) ? [{ namespace: p.metadata?.namespace ?? '', name: p.metadata?.name ?? '' }] : [];
    },
  });
  tasks.push(heartbeats.start(stop.signal), podAgent.start(stop.signal));

  // Place every initial node first (throws before writing anything when a pool is full), then register them together.
  const placed: NodeSpec[] = [];
  try {
    for (const spec of initial) {
      const st = place(spec);
      nodes.set(spec.name, st);
      placed.push(spec);
    }
  } catch (e) {
    stop.abort();
    await stopped;
    throw e;
  }
  // That was a trial: forget its reservations, then add the nodes for real.
  for (const spec of placed) nodes.delete(spec.name);
  nodeCount = 0;
  seedPools();
  const failures = await Promise.allSettled(initial.map((spec) => add(spec, initial.length)));
  const failed = failures.findIndex((f) => f.status === 'rejected');
  if (failed >= 0) {
    stop.abort();
    await stopped;
    const err = (failures[failed] as PromiseRejectedResult).reason;
    throw new Error(`registering node ${JSON.stringify(initial[failed].name)} failed: ${(err as Error)?.message ?? err}`, { cause: err });
  }
  if (initial.length) log.info({ nodes: nodes.size, leaseNamespace }, 'nodes registered');
  return agent;
}
