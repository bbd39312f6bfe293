/**
 * Autoscaler benchmark: the time of one `RunOnce` decision of the pure core, on clusters shaped
 * like the simulated runtime's (nodes of scale sets in 50 node groups, 30 scheduled pods per node
 * from 100 ReplicaSets, providerIDs matching the groups' instances):
 *
 * - **scale-up**: 10,000 pending pods (PodScheduled=False/Unschedulable, 40 ReplicaSets of mixed
 *   sizes) that fit on no existing node, across 50 node groups (estimator, expander, balancing);
 * - **scale-down**: no pending pods, every node lightly used (utilization, drainability and the
 *   rescheduling simulation for the candidate pool).
 *
 * at 1,000 nodes × 30 pods (cluster-autoscaler's documented limit, where it targets < 10 s per
 * loop) and 5,000 × 30, with the process RSS. Goal: ≤ 1 s per loop at 1,000 nodes, ≤ 5 s at 5,000.
 *
 * Then the same scale-down cluster through the whole loop (`createAutoscalerLoop().runOnce()`):
 * informers over an in-memory API (the runtime's fake client) holding the ScaleSets, Nodes and
 * Pods, the `scaleset` provider's refresh and templates, the core, the status ConfigMap write — the
 * shell's cost on top of the decision (Events are counted, not written).
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/autoscaler.js [--sizes 1000,5000] [--pending 10000] [--groups 50] [--runs 3]
 */
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import { EMPTY_REGISTRY_STATE, initialScaleDownState, parseOptions, runOnce, type ClusterSnapshot, type NodeGroup } from '../src/autoscaler/index.js';
import { Registry } from 'prom-client';
import { scaleSetKind } from '../src/cluster/cloud/index.js';
import { createScaleSetProvider } from '../src/autoscaler/cloudprovider/index.js';
import { createAutoscalerLoop, createAutoscalerMetrics, WATCHED_KINDS } from '../src/autoscaler/loop/index.js';
import { createCache, createFakeClient, kinds, silentLogger, type KObject } from '../src/runtime/index.js';
import type { ScaleSet } from '../src/cluster/cloud/index.js';
import { fmtInt, fmtMs, memoryMiB, renderTable } from './stats.js';

interface Options {
  sizes: number[];
  pending: number;
  groups: number;
  runs: number;
}

function options(argv: string[]): Options {
  const o: Options = { sizes: [1000, 5000], pending: 10_000, groups: 50, runs: 3 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--sizes') o.sizes = argv[++i].split(',').map(Number);
    else if (a === '--pending') o.pending = Number(argv[++i]);
    else if (a === '--groups') o.groups = Number(argv[++i]);
    else if (a === '--runs') o.runs = Number(argv[++i]);
  }
  return o;
}

const NOW = Date.UTC(2026, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString();
const groupName = (g: number) => `k8s-pool${g}-12345678-vmss`;
const providerID = (g: number, i: number) =>
  `azure:///subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/flotilla/providers/Microsoft.Compute/virtualMachineScaleSets/${groupName(g)}/virtualMachines/${i}`;

function node(g: number, i: number): Node {
  const name = `${groupName(g)}${i.toString(36).padStart(6, '0')}`;
  const res = { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      creationTimestamp: iso(NOW - 3_600_000),
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', agentpool: `pool${g}`, 'node.kubernetes.io/instance-type': 'Standard_D8s_v3', 'topology.kubernetes.io/zone': `local-${(i % 3) + 1}` },
    },
    spec: { providerID: providerID(g, i) },
    status: { capacity: res, allocatable: res, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(NOW - 3_500_000) }] },
  };
}

function pod(name: string, rs: string, cpu: string, memory: string, nodeName?: string): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      uid: name,
      creationTimestamp: iso(NOW - 600_000),
      labels: { app: rs },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs, uid: `uid-${rs}`, controller: true }],
    },
    spec: { containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu, memory } } }], ...(nodeName ? { nodeName } : {}) },
    status: nodeName
      ? { phase: 'Running' }
      : { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
  };
}

/** `nodes` nodes over `groups` groups (max 2× their size), 30 pods each; `pending` pods that fit nowhere now. */
function cluster(nodes: number, groups: number, pending: number, podCpu: string): ClusterSnapshot {
  const ns: Node[] = [];
  const pods: Pod[] = [];
  const nodeGroups: NodeGroup[] = [];
  for (let g = 0; g < groups; g++) {
    const size = Math.floor(nodes / groups) + (g < nodes % groups ? 1 : 0);
    const instances = [];
    for (let i = 0; i < size; i++) {
      const n = node(g, i);
      ns.push(n);
      instances.push({ id: providerID(g, i), state: 'Running' as const, createdAt: NOW - 3_600_000 });
      for (let k = 0; k < 30; k++) {
        const rs = `rs-${(g * 7 + k) % 100}`;
        pods.push(pod(`${n.metadata!.name}-p${k}`, rs, podCpu, '256Mi', n.metadata!.name));
      }
    }
    nodeGroups.push({ id: groupName(g), minSize: 0, maxSize: size * 2 + 50, targetSize: size, instances });
  }
  // 40 ReplicaSets of pending pods, 1–4 CPUs each: too big for what is left on any node.
  for (let i = 0; i < pending; i++) {
    const r = i % 40;
    pods.push(pod(`pending-${i}`, `pending-${r}`, `${1 + (r % 4)}`, `${1 + (r % 3)}Gi`));
  }
  return { nodes: ns, pods, pdbs: [], nodeGroups, now: NOW };
}

function decide(snapshot: ClusterSnapshot): { ms: number; kind: string; detail: string } {
  const opts = parseOptions(['--scale-down-delay-after-add=0s', '--scale-down-unneeded-time=0s', '--expander=least-waste', '--balance-similar-node-groups']);
  const t0 = performance.now();
  const r = runOnce({ snapshot, registry: EMPTY_REGISTRY_STATE, scaleDown: initialScaleDownState(NOW - 3_600_000), options: opts, random: () => 0, azure: true });
  const ms = performance.now() - t0;
  const d = r.decision;
  const detail =
    d.kind === 'scaleUp'
      ? `+${d.plan.increases.reduce((s, i) => s + i.newSize - i.current, 0)} nodes in ${d.plan.increases.length} groups`
      : 'plan' in d && d.plan && 'unneeded' in d.plan
        ? `${d.plan.unneeded.length} unneeded, ${d.plan.empty.length} empty, ${d.plan.drain ? 1 : 0} to drain`
        : '';
  return { ms, kind: d.kind, detail };
}

/** The whole loop over informers of an in-memory API holding `snap`; median of `runs` iterations. */
async function loopIterations(snap: ClusterSnapshot, runs: number): Promise<{ ms: number[]; kind: string; events: number }> {
  const client = createFakeClient();
  for (const g of snap.nodeGroups) {
    const created = await client.create(scaleSetKind, {
      apiVersion: scaleSetKind.apiVersion,
      kind: scaleSetKind.kind,
      metadata: { name: g.id },
      spec: { capacity: g.targetSize, sku: { name: 'Standard_D8s_v3', cpu: '8', memory: '32Gi', pods: 110 }, tags: { autoscale: 'true', min: '0', max: String(g.maxSize) } },
    } as KObject);
    const instances = g.instances.map((inst, i) => ({
      instanceId: String(i),
      name: `${g.id}_${i}`,
      computerName: `${g.id}${i.toString(36).padStart(6, '0')}`,
      nodeName: `${g.id}${i.toString(36).padStart(6, '0')}`,
      providerID: inst.id,
      provisioningState: 'Succeeded',
      faultDomain: i % 5,
      vmId: '',
      timeCreated: iso(NOW - 3_600_000),
    }));
    await client.updateStatus(scaleSetKind, { ...created, status: { capacity: g.targetSize, readyInstances: g.targetSize, nextInstanceId: g.targetSize, instances } } as KObject);
  }
  for (const n of snap.nodes) await client.create(kinds.nodes, n as KObject);
  for (const p of snap.pods) await client.create(kinds.pods, p as KObject);
  const cache = createCache(client, { resyncPeriodMs: 0 });
  for (const k of WATCHED_KINDS) cache.informerFor(k);
  const stop = new AbortController();
  const running = cache.start(stop.signal);
  await cache.waitForCacheSync();
  const options = parseOptions(['--node-group-auto-discovery=label:autoscale=true', '--scale-down-delay-after-add=0s', '--scale-down-unneeded-time=1h', '--expander=least-waste']);
  const provider = createScaleSetProvider({ client, autoDiscovery: options.nodeGroupAutoDiscovery, scaleSets: () => cache.list(scaleSetKind) as unknown as ScaleSet[] });
  let events = 0;
  // The fake client stamps creation times with the wall clock: run the loop's clock an hour ahead.
  const loop = createAutoscalerLoop({
    options,
    client,
    cache,
    provider,
    evictor: { evict: async () => 'gone' },
    events: { event: async () => void events++ },
    logger: silentLogger(),
    metrics: createAutoscalerMetrics(new Registry()),
    now: () => Date.now() + 3_600_000,
  });
  const ms: number[] = [];
  let kind = '';
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    kind = (await loop.runOnce()).decision.kind;
    ms.push(performance.now() - t0);
  }
  stop.abort();
  await running;
  return { ms, kind, events };
}

const o = options(process.argv.slice(2));
const rows: string[][] = [['nodes', 'pods', 'scenario', 'decision', 'median', 'max', 'RSS MiB', 'goal']];
for (const size of o.sizes) {
  const goal = size <= 1000 ? 1000 : 5000;
  // Scale-up: nodes ~94 % full (30 × 250m of 8 CPUs) so the pending pods need new nodes.
  const up = cluster(size, o.groups, o.pending, '250m');
  // Scale-down: 30 × 50m = 1.5 of 8 CPUs, every node a candidate.
  const down = cluster(size, o.groups, 0, '50m');
  for (const [name, snap] of [['scale-up', up], ['scale-down', down]] as const) {
    const times: number[] = [];
    let last = { kind: '', detail: '' };
    for (let i = 0; i < o.runs; i++) {
      const r = decide(snap);
      times.push(r.ms);
      last = r;
    }
    times.sort((a, b) => a - b);
    const med = times[Math.floor(times.length / 2)];
    rows.push([fmtInt(size), fmtInt(snap.pods.length), name, `${last.kind} (${last.detail})`, fmtMs(med), fmtMs(times[times.length - 1]), fmtInt(memoryMiB(process.pid).rss), `${med <= goal ? 'met' : 'MISSED'} (≤ ${fmtMs(goal)})`]);
    process.stderr.write(`${size} nodes ${name}: ${fmtMs(med)}\n`);
  }
  if (size <= 1000) {
    const l = await loopIterations(down, o.runs);
    l.ms.sort((a, b) => a - b);
    const med = l.ms[Math.floor(l.ms.length / 2)];
    rows.push([fmtInt(size), fmtInt(down.pods.length), 'whole loop', `${l.kind} (informers, provider, core, status)`, fmtMs(med), fmtMs(l.ms[l.ms.length - 1]), fmtInt(memoryMiB(process.pid).rss), `${med <= goal ? 'met' : 'MISSED'} (≤ ${fmtMs(goal)})`]);
    process.stderr.write(`${size} nodes whole loop: ${fmtMs(med)}\n`);
  }
}
process.stdout.write(`One RunOnce decision of the autoscaler's pure core (${o.groups} node groups, ${fmtInt(o.pending)} pending pods for scale-up, median of ${o.runs})\n\n`);
process.stdout.write(renderTable(rows, new Set([0, 1, 4, 5, 6])) + '\n');
