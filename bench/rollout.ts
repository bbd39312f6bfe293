/**
 * Rollout benchmark: a real `flotilla up --nodes 100` (controllers, scheduler, simulated nodes), then
 * the real kubectl applies a Deployment of 1,000 replicas (10m / 16Mi each; the nodes are 4 cpu /
 * 16Gi / 110 pods, so there is room); it measures, from the moment `kubectl apply` starts, the time
 * until every pod exists, is bound, is Running, and is Running and Ready, by watching the pods
 * through the API, plus the time until `kubectl rollout status` (started as soon as the apply
 * returns) reports success. It prints the RSS and CPU of the flotilla process at the end.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/rollout.js [--replicas 1000] [--nodes 100]
 *   [--timeout 150] (seconds to wait for the rollout before giving up)
 * kubectl's discovery cache (a private --cache-dir in the cluster's temp dir) is warmed before the
 * clock starts, so the apply is not timed doing discovery.
 */
import { request as httpsRequest, Agent } from 'node:https';
import { cpus, loadavg } from 'node:os';
import type { IncomingMessage } from 'node:http';
import { apiRequest, kubectl, makeTempDir, readCredentials, removeDir, spawnKubectl, startCluster, waitFor, type ClusterCredentials, type KubectlProcess, type RunningCluster } from '../test/support/cluster.js';
import { cpuSeconds, fmtInt, machineBusySeconds, memoryMiB, renderTable } from './stats.js';

interface Options {
  replicas: number;
  nodes: number;
  timeoutS: number;
}

function options(argv: string[]): Options {
  const o: Options = { replicas: 1000, nodes: 100, timeoutS: 150 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => Number(argv[++i]);
    if (a === '--replicas') o.replicas = next();
    else if (a === '--nodes') o.nodes = next();
    else if (a === '--timeout') o.timeoutS = next();
    else throw new Error(`unknown option ${a} (known: --replicas N, --nodes N, --timeout SECONDS)`);
  }
  if (!(o.replicas > 0) || !(o.nodes > 0) || !(o.timeoutS > 0)) throw new Error('--replicas, --nodes and --timeout must be positive numbers');
  if (o.nodes > 256) throw new Error('--nodes above 256 needs a wider cluster CIDR than 10.42.0.0/16');
  return o;
}

const NS = 'rollout-bench';
const NAME = 'web';

function manifest(replicas: number): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: NAME, namespace: NS, labels: { app: NAME } },
    spec: {
      replicas,
      selector: { matchLabels: { app: NAME } },
      template: {
        metadata: { labels: { app: NAME } },
        spec: {
          containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
        },
      },
    },
  });
}

// ---- the pod watch ----------------------------------------------------------------------------

interface PodState {
  bound: boolean;
  running: boolean;
  ready: boolean;
  node?: string;
}

function stateOf(pod: any): PodState {
  const running = pod?.status?.phase === 'Running';
  const readyCond = (pod?.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  return {
    bound: Boolean(pod?.spec?.nodeName),
    running,
    ready: running && readyCond?.status === 'True',
    node: pod?.spec?.nodeName,
  };
}

/** Milestones, in ms after t0 (the start of `kubectl apply`), when the counts first reached the target. */
interface Milestones {
  created?: number;
  bound?: number;
  running?: number;
  ready?: number;
}

/**
 * Pods of the namespace, kept current by a list and a watch (re-listed if the watch ends); counts
 * are recomputed on every event and the first time each reaches `target` is recorded.
 */
class PodTracker {
  readonly pods = new Map<string, PodState>();
  readonly milestones: Milestones = {};
  counts = { created: 0, bound: 0, running: 0, ready: 0 };
  events = 0;
  watchRestarts = 0;
  t0 = Number.NaN;
  private req?: ReturnType<typeof httpsRequest>;
  private stopped = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly creds: ClusterCredentials,
    private readonly agent: Agent,
    private readonly target: number,
  ) {}

  async start(): Promise<void> {
    const rv = await this.relist();
    this.watch(rv);
  }

  stop(): void {
    this.stopped = true;
    this.req?.destroy();
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private async relist(): Promise<string> {
    const r = await apiRequest(this.creds, 'GET', `/api/v1/namespaces/${NS}/pods`, { agent: this.agent, timeoutMs: 120_000 });
    if (r.status !== 200) throw new Error(`list pods: ${r.status} ${r.body.slice(0, 300)}`);
    this.pods.clear();
    for (const p of r.json.items ?? []) this.pods.set(p.metadata.name, stateOf(p));
    this.recount();
    return r.json.metadata.resourceVersion;
  }

  private watch(rv: string): void {
    if (this.stopped) return;
    const url = new URL(`/api/v1/namespaces/${NS}/pods?watch=true&allowWatchBookmarks=true&timeoutSeconds=1800&resourceVersion=${rv}`, this.creds.server);
    let lastRv = rv;
    let buf = '';
    const restart = (why: string) => {
      if (this.stopped) return;
      this.watchRestarts++;
      process.stdout.write(`  (pod watch ended: ${why}; re-listing)\n`);
      this.relist().then(
        (nrv) => this.watch(nrv),
        (e) => {
          process.stdout.write(`  (re-list failed: ${(e as Error).message}; retrying in 1 s)\n`);
          setTimeout(() => restart('re-list failed'), 1000);
        },
      );
    };
    const req = httpsRequest(url, { method: 'GET', headers: { Accept: 'application/json', Authorization: `Bearer ${this.creds.token}` }, ca: this.creds.caPem }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) {
        res.resume();
        restart(`HTTP ${res.statusCode}`);
        return;
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          const ev = JSON.parse(line);
          this.events++;
          if (ev.type === 'ERROR') {
            req.destroy();
            restart(`ERROR ${ev.object?.code ?? ''} ${ev.object?.message ?? ''}`);
            return;
          }
          const obj = ev.object;
          if (obj?.metadata?.resourceVersion) lastRv = obj.metadata.resourceVersion;
          if (ev.type === 'BOOKMARK') continue;
          if (ev.type === 'DELETED') this.pods.delete(obj.metadata.name);
          else this.pods.set(obj.metadata.name, stateOf(obj));
          this.recount();
        }
      });
      res.on('end', () => {
        if (!this.stopped) {
          // A clean end (timeoutSeconds): resume from the last resourceVersion seen.
          this.watchRestarts++;
          this.watch(lastRv);
        }
      });
      res.on('error', (e) => restart(e.message));
    });
    req.on('error', (e) => restart(e.message));
    req.end();
    this.req = req;
  }

  private recount(): void {
    const c = { created: 0, bound: 0, running: 0, ready: 0 };
    for (const s of this.pods.values()) {
      c.created++;
      if (s.bound) c.bound++;
      if (s.running) c.running++;
      if (s.ready) c.ready++;
    }
    this.counts = c;
    if (!Number.isNaN(this.t0)) {
      const now = performance.now() - this.t0;
      for (const k of ['created', 'bound', 'running', 'ready'] as const) {
        if (this.milestones[k] === undefined && c[k] >= this.target) this.milestones[k] = now;
      }
    }
    for (const fn of this.listeners) fn();
  }
}

// ---- the driver --------------------------------------------------------------------------------

function fmtS(ms: number | undefined): string {
  return ms === undefined || !Number.isFinite(ms) ? '-' : `${(ms / 1000).toFixed(2)} s`;
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  // A closed stdout (e.g. `| head`) must not crash the run before it cleans up.
  process.stdout.on('error', () => undefined);
  const machine = `${cpus().length} × ${cpus()[0]?.model?.trim() ?? 'unknown CPU'}`;
  const loadBefore = loadavg();
  const tStart = performance.now();
  let cluster: RunningCluster | undefined;
  // Our own temp dir, so it is removed even if the server never comes up.
  const dir = makeTempDir('flotilla-bench-rollout-');
  let tracker: PodTracker | undefined;
  let rollout: KubectlProcess | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const onSignal = () => {
    // Ctrl-C: let the finally block below clean up (the server gets SIGTERM, the temp dir goes).
    process.exitCode = 130;
    tracker?.stop();
    void rollout?.stop();
    void (cluster?.stop() ?? Promise.resolve()).then(() => {
      removeDir(dir);
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    process.stdout.write(`starting flotilla up --runtime simulated --agents ${o.nodes} (controllers, scheduler, a control-plane node and ${o.nodes} simulated agents)…\n`);
    cluster = await startCluster({ controlPlane: true, extraArgs: ['--runtime', 'simulated', '--agents', String(o.nodes), '--no-demo', '--no-autoscaler'], dir });
    const c = cluster;
    const pid = c.process.pid!;
    const creds = readCredentials(c);
    const upS = (performance.now() - tStart) / 1000;

    // Every simulated node registered and Ready.
    await waitFor(
      `${o.nodes} Ready nodes`,
      async () => {
        const r = await apiRequest(creds, 'GET', '/api/v1/nodes', { agent, timeoutMs: 30_000 });
        if (r.status !== 200) return false;
        const ready = (r.json.items ?? []).filter((n: any) => (n.status?.conditions ?? []).some((x: any) => x.type === 'Ready' && x.status === 'True')).length;
        return ready >= o.nodes + 1;
      },
      60_000,
      250,
    );
    const nodesS = (performance.now() - tStart) / 1000;

    // The namespace, and a warm discovery cache for kubectl (so the timed apply does no discovery).
    const ns = await apiRequest(creds, 'POST', '/api/v1/namespaces', { agent, body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }) });
    if (ns.status !== 201) throw new Error(`create namespace: ${ns.status} ${ns.body.slice(0, 300)}`);
    const warm = await kubectl(c, ['get', 'deployments,replicasets,pods', '-n', NS]);
    if (warm.code !== 0) throw new Error(`kubectl get (warm-up) failed: ${warm.stderr}`);

    tracker = new PodTracker(creds, agent, o.replicas);
    await tracker.start();
    const t = tracker;

    const serverCpuBefore = cpuSeconds(pid);
    const machineBefore = machineBusySeconds();
    const selfBefore = cpuSeconds(process.pid);
    let peakRss = 0;

    process.stdout.write(
      `cluster up in ${upS.toFixed(1)} s, ${o.nodes} nodes Ready after ${nodesS.toFixed(1)} s; applying a Deployment of ${fmtInt(o.replicas)} replicas…\n`,
    );
    const t0 = performance.now();
    t.t0 = t0;
    const apply = await kubectl(c, ['apply', '-f', '-'], manifest(o.replicas));
    const applyMs = performance.now() - t0;
    if (apply.code !== 0) throw new Error(`kubectl apply failed (${apply.code}): ${apply.stderr}`);

    // `kubectl rollout status` from the moment the apply returned until it reports success.
    rollout = spawnKubectl(c, ['rollout', 'status', `deployment/${NAME}`, '-n', NS, `--timeout=${o.timeoutS}s`]);
    const rolloutProc = rollout;
    let rolloutMs: number | undefined;
    let rolloutCode: number | null | undefined;
    const rolloutDone = rolloutProc.exited.then((code) => {
      rolloutCode = code;
      rolloutMs = performance.now() - t0;
    });

    const progress = setInterval(() => {
      peakRss = Math.max(peakRss, memoryMiB(pid).rss || 0);
      const s = t.counts;
      process.stdout.write(
        `  ${((performance.now() - t0) / 1000).toFixed(0).padStart(3)} s: ${fmtInt(s.created)} created, ${fmtInt(s.bound)} bound, ${fmtInt(s.running)} Running, ${fmtInt(s.ready)} Ready; server RSS ${memoryMiB(pid).rss.toFixed(0)} MiB\n`,
      );
    }, 2000);
    try {
      await new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`not every pod Ready after ${o.timeoutS} s: ${JSON.stringify(t.counts)}`)), o.timeoutS * 1000);
        const check = () => {
          if (t.milestones.ready !== undefined) {
            clearTimeout(deadline);
            off();
            resolve();
          }
        };
        const off = t.onChange(check);
        check();
        c.process.once('exit', (code) => reject(new Error(`flotilla exited with ${code} during the rollout:\n${c.output().slice(-3000)}`)));
      });
      // rollout status normally returns within its watch's latency of the last pod going Ready.
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([rolloutDone, new Promise((r) => (grace = setTimeout(r, 30_000)))]);
      clearTimeout(grace);
    } finally {
      clearInterval(progress);
    }

    const serverCpu = cpuSeconds(pid) - serverCpuBefore;
    const mem = memoryMiB(pid);
    const elapsedS = (performance.now() - t0) / 1000;
    const others = machineBusySeconds() - machineBefore - serverCpu - (cpuSeconds(process.pid) - selfBefore);

    // Read everything back once: every pod Running and Ready, and how they spread over the nodes.
    const list = await apiRequest(creds, 'GET', `/api/v1/namespaces/${NS}/pods`, { agent, timeoutMs: 120_000 });
    const items: any[] = list.json?.items ?? [];
    const perNode = new Map<string, number>();
    let readyListed = 0;
    for (const p of items) {
      const s = stateOf(p);
      if (s.ready) readyListed++;
      if (s.node) perNode.set(s.node, (perNode.get(s.node) ?? 0) + 1);
    }
    const dep = await apiRequest(creds, 'GET', `/apis/apps/v1/namespaces/${NS}/deployments/${NAME}`, { agent });
    const ds = dep.json?.status ?? {};
    const spread = [...perNode.values()];

    const m = t.milestones;
    process.stdout.write(
      `\n${renderTable(
        [
          ['figure (from the start of kubectl apply)', 'value'],
          ['kubectl apply returned', fmtS(applyMs)],
          [`all ${fmtInt(o.replicas)} pods created (seen in the watch)`, fmtS(m.created)],
          [`all ${fmtInt(o.replicas)} pods bound`, fmtS(m.bound)],
          [`all ${fmtInt(o.replicas)} pods Running`, fmtS(m.running)],
          [`all ${fmtInt(o.replicas)} pods Running and Ready (end to end)`, fmtS(m.ready)],
          ['kubectl rollout status reported success', rolloutCode === 0 ? fmtS(rolloutMs) : rolloutCode === undefined ? 'still running after 30 s' : `exit ${rolloutCode}`],
          ['pods Ready/s, apply → all Ready', m.ready ? fmtInt(o.replicas / (m.ready / 1000)) : '-'],
          ['pods Running+Ready, read back (API list)', `${fmtInt(readyListed)} / ${fmtInt(items.length)}`],
          ['Deployment status ready / available / updated', `${ds.readyReplicas ?? 0} / ${ds.availableReplicas ?? 0} / ${ds.updatedReplicas ?? 0}`],
          ['nodes used; pods per node min / max', `${perNode.size}; ${spread.length ? Math.min(...spread) : 0} / ${spread.length ? Math.max(...spread) : 0}`],
          ['pod watch events (restarts)', `${fmtInt(t.events)} (${t.watchRestarts})`],
          ['flotilla RSS at the end (VmRSS) / peak (VmHWM)', `${mem.rss.toFixed(0)} / ${Math.max(peakRss, mem.hwm).toFixed(0)} MiB`],
          ['flotilla CPU during the rollout', `${serverCpu.toFixed(1)} s (${((serverCpu / elapsedS) * 100).toFixed(0)}% of one core)`],
          ['other processes CPU during the rollout (kubectl incl.)', `${others.toFixed(1)} s`],
        ],
        new Set([1]),
      )}\n`,
    );
    const la = loadavg();
    process.stdout.write(
      `${fmtInt(o.replicas)} replicas (10m / 16Mi) on ${o.nodes} simulated nodes (4 cpu / 16Gi / 110 pods); kubectl ${rolloutCode === 0 ? 'rollout status ok' : 'rollout status NOT ok'}\n` +
        `machine: ${machine}; load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${la.map((x) => x.toFixed(2)).join(' ')}; ` +
        `node ${process.version}; the server, controllers, scheduler and all simulated nodes share one process\n`,
    );
    if (readyListed !== o.replicas || rolloutCode !== 0) process.exitCode = 1;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    tracker?.stop();
    if (rollout) await rollout.stop();
    agent.destroy();
    try {
      if (cluster) {
        const ts = performance.now();
        const code = await cluster.stop();
        process.stdout.write(`flotilla stopped (exit ${code}) in ${((performance.now() - ts) / 1000).toFixed(1)} s\n`);
      }
    } finally {
      removeDir(dir);
    }
  }
}

await main();
