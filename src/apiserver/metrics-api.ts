/**
 * `metrics.k8s.io/v1beta1` — what metrics-server serves and `kubectl top` reads — built into the
 * API server: PodMetrics and NodeMetrics from the nodes' kubelets' Summary API
 * (`/stats/summary`). As metrics-server does, CPU is a rate between two samples of a
 * container's cumulative CPU time (in nanocores, over the `window` between them) and memory the
 * latest working set (in Ki). Samples are taken when asked for: a node sampled more than
 * {@link FRESH_MS} ago is sampled again, and one without a recent earlier sample is sampled twice,
 * {@link FIRST_GAP_MS} apart, so the first `kubectl top` has figures without a background loop.
 * Simulated nodes run no processes and have no metrics.
 *
 * The rules (rates, windows, objects) are pure functions; {@link MetricsApi} is the shell.
 */
import { request as httpRequest } from 'node:http';
import { methodNotAllowed, notFound, StatusError } from '../apimachinery/errors.js';
import { parseLabelSelector, type LabelSelector } from '../apimachinery/label-selector.js';
import type { KubeObject } from '../apimachinery/object.js';
import { kubeletUrl } from './pod-logs.js';

export const METRICS_GROUP = 'metrics.k8s.io';
const API_VERSION = 'metrics.k8s.io/v1beta1';
/** A node's newest sample is used for this long. */
export const FRESH_MS = 5_000;
/** An earlier sample older than this is too old to rate against: sample twice. */
const STALE_MS = 5 * 60_000;
export const FIRST_GAP_MS = 1_000;
const KUBELET_TIMEOUT_MS = 5_000;

// ---- the Summary API, as far as it is read ----------------------------------------------------

interface CpuStats { time: string; usageCoreNanoSeconds?: number }
interface MemoryStats { time: string; workingSetBytes?: number }
interface ContainerStats { name: string; startTime: string; cpu?: CpuStats; memory?: MemoryStats }
interface PodStats { podRef: { name: string; namespace: string; uid: string }; containers?: ContainerStats[] }
export interface Summary { node: { nodeName: string; startTime?: string; cpu?: CpuStats; memory?: MemoryStats }; pods?: PodStats[] }

export interface Usage {
  /** Nanocores. */
  readonly cpu: number;
  readonly memoryBytes: number;
  /** Of the newer sample. */
  readonly timestamp: string;
  readonly windowMs: number;
}

/** CPU as a rate between two cumulative readings; undefined when they do not make one (a restart between them, or no time apart). */
function rate(older: CpuStats | undefined, newer: CpuStats | undefined): { nanocores: number; windowMs: number } | undefined {
  if (older?.usageCoreNanoSeconds === undefined || newer?.usageCoreNanoSeconds === undefined) return undefined;
  const windowMs = Date.parse(newer.time) - Date.parse(older.time);
  const used = newer.usageCoreNanoSeconds - older.usageCoreNanoSeconds;
  if (!(windowMs > 0) || used < 0) return undefined;
  return { nanocores: (used * 1000) / windowMs, windowMs };
}

/** The node's usage between two of its summaries. */
export function nodeUsage(older: Summary, newer: Summary): Usage | undefined {
  const r = rate(older.node.cpu, newer.node.cpu);
  if (!r || newer.node.memory?.workingSetBytes === undefined) return undefined;
  return { cpu: r.nanocores, memoryBytes: newer.node.memory.workingSetBytes, timestamp: newer.node.cpu!.time, windowMs: r.windowMs };
}

/** Per pod (by uid), per container, the usage between two summaries; a container that restarted in between has none yet. */
export function podUsages(older: Summary, newer: Summary): Map<string, { namespace: string; name: string; containers: Map<string, Usage> }> {
  const before = new Map<string, ContainerStats>();
  for (const p of older.pods ?? []) for (const c of p.containers ?? []) before.set(`${p.podRef.uid}/${c.name}`, c);
  const out = new Map<string, { namespace: string; name: string; containers: Map<string, Usage> }>();
  for (const p of newer.pods ?? []) {
    const containers = new Map<string, Usage>();
    for (const c of p.containers ?? []) {
      const prev = before.get(`${p.podRef.uid}/${c.name}`);
      if (!prev || prev.startTime !== c.startTime) continue;
      const r = rate(prev.cpu, c.cpu);
      if (!r || c.memory?.workingSetBytes === undefined) continue;
      containers.set(c.name, { cpu: r.nanocores, memoryBytes: c.memory.workingSetBytes, timestamp: c.cpu!.time, windowMs: r.windowMs });
    }
    if (containers.size) out.set(p.podRef.uid, { namespace: p.podRef.namespace, name: p.podRef.name, containers });
  }
  return out;
}

/** Go's time.Duration text for a window under an hour (`1.002s`, `15s`, `1m5.5s`). */
export function goWindow(ms: number): string {
  const seconds = (x: number) => `${Number((x / 1000).toFixed(3))}s`;
  if (ms < 60_000) return seconds(ms);
  return `${Math.floor(ms / 60_000)}m${seconds(ms % 60_000)}`;
}

/** metav1.Time's form: RFC 3339 to the second. */
const toSeconds = (iso: string) => iso.replace(/\.\d+Z$/, 'Z');

const cpuQuantity = (nanocores: number) => `${Math.round(nanocores)}n`;
const memoryQuantity = (bytes: number) => `${Math.round(bytes / 1024)}Ki`;

function meta(obj: KubeObject, namespaced: boolean, now: string): Record<string, unknown> {
  return {
    name: obj.metadata.name,
    ...(namespaced ? { namespace: obj.metadata.namespace } : {}),
    creationTimestamp: now,
    ...(obj.metadata.labels ? { labels: obj.metadata.labels } : {}),
  };
}

export function podMetrics(pod: KubeObject, containers: ReadonlyMap<string, Usage>, now: string): KubeObject {
  const first = [...containers.values()][0];
  return {
    kind: 'PodMetrics',
    apiVersion: API_VERSION,
    metadata: meta(pod, true, now),
    timestamp: toSeconds(first.timestamp),
    window: goWindow(first.windowMs),
    containers: [...containers].map(([name, u]) => ({ name, usage: { cpu: cpuQuantity(u.cpu), memory: memoryQuantity(u.memoryBytes) } })),
  } as unknown as KubeObject;
}

export function nodeMetrics(node: KubeObject, u: Usage, now: string): KubeObject {
  return {
    kind: 'NodeMetrics',
    apiVersion: API_VERSION,
    metadata: meta(node, false, now),
    timestamp: toSeconds(u.timestamp),
    window: goWindow(u.windowMs),
    usage: { cpu: cpuQuantity(u.cpu), memory: memoryQuantity(u.memoryBytes) },
  } as unknown as KubeObject;
}

// ---- the shell ---------------------------------------------------------------------------------

/** What the API needs of the server: its objects. */
export interface MetricsSource {
  nodes(): Promise<KubeObject[]>;
  pods(namespace: string | undefined): Promise<KubeObject[]>;
}

export type FetchSummary = (url: string) => Promise<Summary>;

interface Sampled {
  older?: { at: number; summary: Summary };
  newer?: { at: number; summary: Summary };
  pending?: Promise<void>;
}

export class MetricsApi {
  private readonly samples = new Map<string, Sampled>();

  constructor(
    private readonly source: MetricsSource,
    private readonly fetchSummary: FetchSummary = getSummary,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  /** `GET` on `nodes` or `pods` (a list, or one by name). */
  async serve(method: string, plural: string, namespace: string | undefined, name: string | undefined, query: URLSearchParams): Promise<KubeObject> {
    if (method !== 'GET' || query.get('watch') === 'true' || query.get('watch') === '1') throw methodNotAllowed();
    const selector = parseLabelSelector(query.get('labelSelector') ?? '');
    const stamp = toSeconds(new Date(this.now()).toISOString());
    if (plural === 'nodes') {
      const nodes = (await this.source.nodes()).filter((n) => (name ? n.metadata.name === name : matches(selector, n)));
      const items: KubeObject[] = [];
      await Promise.all(nodes.map(async (n) => {
        const s = await this.sampled(n);
        const u = s?.older && s.newer && nodeUsage(s.older.summary, s.newer.summary);
        if (u) items.push(nodeMetrics(n, u, stamp));
      }));
      items.sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
      if (name) return items[0] ?? throwNotFound('nodemetrics', name);
      return { kind: 'NodeMetricsList', apiVersion: API_VERSION, metadata: {}, items } as unknown as KubeObject;
    }
    const pods = (await this.source.pods(namespace)).filter((p) => (name ? p.metadata.name === name : matches(selector, p)) && p.spec?.nodeName);
    const nodes = new Map((await this.source.nodes()).map((n) => [n.metadata.name ?? '', n]));
    const byNode = new Map<string, Map<string, { namespace: string; name: string; containers: Map<string, Usage> }>>();
    await Promise.all([...new Set(pods.map((p) => p.spec!.nodeName as string))].map(async (nodeName) => {
      const node = nodes.get(nodeName);
      const s = node && (await this.sampled(node));
      if (s?.older && s.newer) byNode.set(nodeName, podUsages(s.older.summary, s.newer.summary));
    }));
    const items = pods.flatMap((p) => {
      const usage = byNode.get(p.spec!.nodeName as string)?.get(p.metadata.uid ?? '');
      return usage ? [podMetrics(p, usage.containers, stamp)] : [];
    });
    items.sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
    if (name) return items[0] ?? throwNotFound('podmetrics', `${namespace}/${name}`);
    return { kind: 'PodMetricsList', apiVersion: API_VERSION, metadata: {}, items } as unknown as KubeObject;
  }

  /** The node's last two samples, taking new ones as the freshness rules say. */
  private async sampled(node: KubeObject): Promise<Sampled | undefined> {
    const kubelet = kubeletUrl(node);
    const name = node.metadata.name ?? '';
    if (!kubelet) return undefined;
    let s = this.samples.get(name);
    if (!s) this.samples.set(name, (s = {}));
    const state = s;
    const take = async () => {
      const summary = await this.fetchSummary(`${kubelet}/stats/summary`);
      state.older = state.newer;
      state.newer = { at: this.now(), summary };
    };
    if (!state.newer || this.now() - state.newer.at > FRESH_MS) {
      state.pending ??= (async () => {
        try {
          await take();
          // Rates need two samples: again after a second when the earlier one is missing, too
          // old, or lacks containers started since (a new pod gets figures on first ask).
          if (!state.older || state.newer!.at - state.older.at > STALE_MS || hasNewContainers(state.older.summary, state.newer!.summary)) {
            await this.sleep(FIRST_GAP_MS);
            await take();
          }
        } catch {
          // An unreachable kubelet has no metrics now; the next request tries again.
        } finally {
          state.pending = undefined;
        }
      })();
      await state.pending;
    }
    return state;
  }
}

/** Whether `newer` has a container (or a restart of one) that `older` has not. */
export function hasNewContainers(older: Summary, newer: Summary): boolean {
  const seen = new Set<string>();
  for (const p of older.pods ?? []) for (const c of p.containers ?? []) seen.add(`${p.podRef.uid}/${c.name}/${c.startTime}`);
  return (newer.pods ?? []).some((p) => (p.containers ?? []).some((c) => !seen.has(`${p.podRef.uid}/${c.name}/${c.startTime}`)));
}

function matches(selector: LabelSelector, obj: KubeObject): boolean {
  return selector.matches(obj.metadata.labels ?? {});
}

function throwNotFound(resource: string, name: string): never {
  throw notFound({ group: METRICS_GROUP, resource }, name);
}

function getSummary(url: string): Promise<Summary> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { timeout: KUBELET_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new StatusError(500, 'InternalError', `kubelet ${url}: ${res.statusCode}`));
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Summary);
        } catch (e) {
          reject(e as Error);
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}
