/**
 * Blue/green benchmark: a real `flotilla up` (controllers, scheduler, process nodes, the ingress
 * controller and its proxy), a 10-replica `flotilla/echo` app (`shop-1`, Service `shop`) behind an
 * IngressRoute, and `flotilla bluegreen` to version 2 with HEALTH_SECONDS=0, while a steady load
 * (keep-alive clients, each sending its next request when the last returns) goes through the
 * proxy for the whole run. Measured from the start of the command: the first v2 answer through the
 * proxy, the moment every answer is v2 (the last v1 answer), and the command's exit; counted: the
 * requests, the answers by version and the failures (non-200 or connection errors) — the goal is
 * zero failed requests during the switch.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/bluegreen.js [--replicas 10] [--clients 8]
 *   [--traffic] (switch through the IngressRoute's weights, --steps 100, instead of the selector)
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { FLOTILLA_BIN, kubectl, removeDir, startCluster, waitFor, type RunningCluster } from '../test/support/cluster.js';
import { onCleanup, progress, runCleanups } from './support.js';
import { cpuSeconds, fmtInt, fmtMs, machineBusySeconds, renderTable, Samples } from './stats.js';

interface Options {
  replicas: number;
  clients: number;
  traffic: boolean;
}

function options(argv: string[]): Options {
  const o: Options = { replicas: 10, clients: 8, traffic: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => Number(argv[++i]);
    if (a === '--replicas') o.replicas = next();
    else if (a === '--clients') o.clients = next();
    else if (a === '--traffic') o.traffic = true;
    else throw new Error(`unknown option ${a} (known: --replicas N, --clients N, --traffic)`);
  }
  if (![o.replicas, o.clients].every((n) => Number.isInteger(n) && n > 0)) throw new Error('--replicas and --clients take a positive whole number');
  return o;
}

const NS = 'bluegreen-bench';
const FQDN = 'shop.bench.test';

function manifests(replicas: number): string[] {
  const items = [
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shop-1', namespace: NS, labels: { app: 'shop', version: '1' } },
      spec: {
        replicas,
        selector: { matchLabels: { app: 'shop', version: '1' } },
        template: {
          metadata: { labels: { app: 'shop', version: '1' } },
          spec: { containers: [{ name: 'shop', image: 'flotilla/echo:1', ports: [{ containerPort: 8080 }], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'shop', namespace: NS }, spec: { selector: { app: 'shop', version: '1' }, ports: [{ port: 80, targetPort: 8080 }] } },
    {
      apiVersion: 'contour.heptio.com/v1beta1',
      kind: 'IngressRoute',
      metadata: { name: 'shop', namespace: NS },
      spec: { virtualhost: { fqdn: FQDN }, routes: [{ match: '/', services: [{ name: 'shop', port: 80 }] }] },
    },
  ];
  return items.map((i) => JSON.stringify(i));
}

// ---- the load ----------------------------------------------------------------------------------

interface Answer {
  status: number;
  version?: string;
  error?: string;
}

function get(host: string, port: number, agent: Agent): Promise<Answer> {
  return new Promise((done) => {
    const req = request({ host, port, path: '/', headers: { Host: FQDN }, agent, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('error', (e) => done({ status: 0, error: e.message }));
      res.on('end', () => {
        if (res.statusCode !== 200) return done({ status: res.statusCode ?? 0, error: body.slice(0, 120) });
        try {
          done({ status: 200, version: (JSON.parse(body) as { version?: string }).version });
        } catch {
          done({ status: 200, error: `not JSON: ${body.slice(0, 120)}` });
        }
      });
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', (e) => done({ status: 0, error: e.message }));
    req.end();
  });
}

interface Load {
  requests: number;
  byVersion: Map<string, number>;
  failures: number;
  reasons: Map<string, number>;
  /** performance.now() of the first v2 answer and of the last v1 answer (NaN: none). */
  firstV2: number;
  lastV1: number;
  latency: Samples;
  stop(): Promise<void>;
}

/** `clients` keep-alive loops through the proxy until stopped. */
function steadyLoad(host: string, port: number, clients: number): Load {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  let stopped = false;
  const load: Load = {
    requests: 0,
    byVersion: new Map(),
    failures: 0,
    reasons: new Map(),
    firstV2: NaN,
    lastV1: NaN,
    latency: new Samples(),
    async stop() {
      stopped = true;
      await Promise.all(loops);
      agent.destroy();
    },
  };
  const loops = Array.from({ length: clients }, async () => {
    while (!stopped) {
      const t0 = performance.now();
      const a = await get(host, port, agent);
      const t = performance.now();
      load.requests++;
      load.latency.push(t - t0);
      if (a.status === 200 && a.version !== undefined) {
        load.byVersion.set(a.version, (load.byVersion.get(a.version) ?? 0) + 1);
        if (a.version === '2' && Number.isNaN(load.firstV2)) load.firstV2 = t;
        if (a.version === '1') load.lastV1 = t;
      } else {
        load.failures++;
        const why = `${a.status} ${a.error ?? ''}`.trim();
        load.reasons.set(why, (load.reasons.get(why) ?? 0) + 1);
      }
    }
  });
  onCleanup('load', () => load.stop());
  return load;
}

// ---- the run -------------------------------------------------------------------------------------

async function ok(cluster: RunningCluster, args: string[], input?: string): Promise<string> {
  const r = await kubectl(cluster, args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: exit ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** The run, with the time each line of its output appeared (performance.now()). */
function bluegreen(cluster: RunningCluster, o: Options): Promise<{ code: number | null; output: string; lines: Array<{ t: number; line: string }> }> {
  const args = [FLOTILLA_BIN, 'bluegreen', '--kubeconfig', cluster.kubeconfig, '--timeout', '2m'];
  if (o.traffic) args.push('--traffic', 'ingressroute/shop', '--steps', '100');
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, SERVICE_NAME: 'shop', DEPLOYMENT_NAME: 'shop', NEW_VERSION: '2', HEALTH_SECONDS: '0', NAMESPACE: NS };
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  onCleanup('flotilla bluegreen', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });
  const lines: Array<{ t: number; line: string }> = [];
  let output = '';
  let partial = '';
  const take = (d: Buffer) => {
    const t = performance.now();
    output += d;
    partial += d;
    let nl: number;
    while ((nl = partial.indexOf('\n')) >= 0) {
      lines.push({ t, line: partial.slice(0, nl) });
      partial = partial.slice(nl + 1);
    }
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  return new Promise((done) => child.once('exit', (code) => done({ code, output, lines })));
}

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const busy0 = machineBusySeconds();
  const tStart = performance.now();
  progress('starting flotilla up (controllers, scheduler, process nodes, ingress)');
  const cluster = await startCluster({ controlPlane: true, extraArgs: ['--no-demo', '--no-autoscaler'] });
  onCleanup('flotilla up', async () => {
    await cluster.stop();
    removeDir(cluster.dir);
  });
  const m = /ingress \(IngressRoute, Ingress\): http:\/\/([\d.]+):(\d+),/.exec(cluster.output());
  if (!m) throw new Error(`flotilla up printed no ingress address:\n${cluster.output()}`);
  const [host, port] = [m[1], Number(m[2])];

  progress(`applying shop-1 (${o.replicas} replicas of flotilla/echo:1), Service shop and IngressRoute shop`);
  await ok(cluster, ['create', 'namespace', NS]);
  await waitFor('the IngressRoute kind served', async () => (await kubectl(cluster, ['get', 'ingressroutes', '-n', NS])).code === 0, 60_000);
  for (const m of manifests(o.replicas)) await ok(cluster, ['apply', '-f', '-'], m);
  await ok(cluster, ['rollout', 'status', 'deployment/shop-1', '-n', NS, '--timeout=120s']);
  await waitFor('the IngressRoute valid', async () => (await ok(cluster, ['get', 'ingressroute', 'shop', '-n', NS, '-o', 'jsonpath={.status.currentStatus}'])) === 'valid', 30_000);
  await waitFor(`${o.replicas} endpoints behind shop`, async () => (await ok(cluster, ['get', 'endpoints', 'shop', '-n', NS, '-o', 'jsonpath={.subsets[*].addresses[*].ip}'])).split(' ').filter(Boolean).length === o.replicas, 60_000);
  const probe = new Agent({ keepAlive: false });
  await waitFor('v1 answering through the proxy', async () => (await get(host, port, probe)).version === '1', 30_000, 20);

  progress(`steady load: ${o.clients} keep-alive clients through the proxy`);
  const tLoad = performance.now();
  const load = steadyLoad(host, port, o.clients);
  await waitFor('the load running', () => load.requests >= 200, 30_000);
  const before = { requests: load.requests, failures: load.failures };

  progress(`flotilla bluegreen to version 2, HEALTH_SECONDS=0${o.traffic ? ', --traffic ingressroute/shop --steps 100' : ''}`);
  const cpu0 = cpuSeconds(cluster.process.pid!);
  const t0 = performance.now();
  const r = await bluegreen(cluster, o);
  const tExit = performance.now();
  if (r.code !== 0) throw new Error(`flotilla bluegreen exited ${r.code}:\n${r.output}`);
  const at = (pattern: RegExp) => r.lines.find((l) => pattern.test(l.line))?.t ?? NaN;
  const tRolledOut = at(/^deployment "shop-2" successfully rolled out$/);
  const tSwitch = at(/^\[DEPLOY SWITCH\]/);
  const tSwitched = at(/^service\/shop configured$/);
  // Until the proxy answers v2 only: the old pods may still be draining out of the endpoints.
  await waitFor('every answer v2', () => load.firstV2 > 0 && load.lastV1 < performance.now() - 1000, 60_000, 100);
  const extra = load.requests;
  await waitFor('1,000 more requests after the switch', () => load.requests >= extra + 1000, 60_000, 20);
  await load.stop();
  const tEnd = performance.now();
  const cpu = cpuSeconds(cluster.process.pid!) - cpu0;
  const ms = (t: number) => t - t0;
  const lat = load.latency.summary();
  const byVersion = [...load.byVersion].sort(([a], [b]) => (a < b ? -1 : 1)).map(([v, n]) => `v${v}: ${fmtInt(n)}`).join(', ');
  const reasons = [...load.reasons].map(([why, n]) => `${fmtInt(n)}× ${why}`).join('; ');
  const busy = (machineBusySeconds() - busy0) / ((performance.now() - tStart) / 1000);

  const rows = [
    ['figure', 'measured', 'note'],
    ['start → new colour rolled out', fmtMs(ms(tRolledOut)), `${o.replicas} new process pods Ready`],
    ['start → [DEPLOY SWITCH]', fmtMs(ms(tSwitch)), 'health check passed'],
    ['start → Service switched (patch returned)', fmtMs(ms(tSwitched)), o.traffic ? 'after the 100% step' : 'selector on version 2'],
    ['start → first v2 answer through the proxy', fmtMs(ms(load.firstV2)), `${o.replicas} replicas, HEALTH_SECONDS=0`],
    ['start → last v1 answer (all v2 after)', fmtMs(ms(load.lastV1)), 'the old colour out of the proxy'],
    ['start → flotilla bluegreen exited', fmtMs(ms(tExit)), 'after its Endpoints left the old colour, which is then deleted'],
    ['requests through the proxy', fmtInt(load.requests), `${o.clients} keep-alive clients; ${byVersion}; ${fmtInt(load.requests / ((tEnd - tLoad) / 1000))}/s`],
    ['failed requests (non-200, connection errors)', fmtInt(load.failures), load.failures === 0 ? 'goal: 0' : `GOAL 0: ${reasons}`],
    ['  of which before the run', fmtInt(before.failures), `in the first ${fmtInt(before.requests)} requests`],
    ['request latency p50 / p99 / max', `${fmtMs(lat.p50)} / ${fmtMs(lat.p99)}`, `max ${fmtMs(lat.max)}`],
    ['flotilla up CPU during the run', `${cpu.toFixed(1)} s`, 'API server, controllers, agents, ingress, in one process'],
  ];
  process.stdout.write(`\nBlue/green benchmark (${o.replicas} replicas, ${o.traffic ? 'through IngressRoute weights' : 'Service selector switch'}; machine busy ${busy.toFixed(2)} of ${cpus().length} cores on average, the load clients included)\n\n`);
  process.stdout.write(`${renderTable(rows)}\n`);
  await runCleanups();
}

main().catch(async (e: Error) => {
  process.stderr.write(`bench failed: ${e.stack ?? e.message}\n`);
  await runCleanups();
  process.exit(1);
});
