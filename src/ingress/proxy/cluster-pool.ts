/**
 * The live side of a DAG cluster: its endpoints, a keep-alive connection pool to each (undici, the
 * HTTP/1.1 client of the Node.js project: it costs about half of what `http.request` does per
 * request, which is most of a proxy's own work), active health checks, passive ejection,
 * round-robin position and in-flight counts. A cluster's runtime lives as
 * long as some route names the cluster, across config swaps, so a swap keeps pooled connections,
 * health and balancing state; endpoints are updated in place.
 */
import { request as httpRequest } from 'node:http';
import { checkServerIdentity, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import { Pool } from 'undici';
import type { Cluster } from '../dag/index.js';
import { pickEndpoint, type BalancerState } from './balancer.js';
import {
  afterCheck, afterOutcome, ejectionAllowed, isEjected, isGatewayFailure, NEW_ACTIVE_HEALTH, NEW_OUTLIER,
  type ActiveHealth, type Outlier,
} from './endpoint-health.js';
import type { AttemptOutcome } from './retry.js';

export interface ClusterRuntimeOptions {
  /** Called when an endpoint's health changes (for logs and metrics). */
  readonly onHealthChange?: (cluster: string, endpoint: string, healthy: boolean, why: 'active' | 'ejected' | 'restored') => void;
  readonly now?: () => number;
}

/** An endpoint (`ip:port`, or `[ip6]:port`) as the host and port to connect to. */
export function splitEndpoint(endpoint: string): { host: string; port: number } {
  const i = endpoint.lastIndexOf(':');
  return { host: endpoint.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(endpoint.slice(i + 1)) };
}

function decodePem(s: string): string {
  return s.includes('-----BEGIN') ? s : Buffer.from(s, 'base64').toString('utf8');
}

export class ClusterRuntime {
  cluster: Cluster;
  readonly tls: boolean;
  private readonly pools = new Map<string, Pool>();
  private readonly poolOptions: Pool.Options;
  private endpoints: readonly string[] = [];
  private readonly health = new Map<string, ActiveHealth>();
  private readonly outliers = new Map<string, Outlier>();
  private readonly active = new Map<string, number>();
  private readonly checkers = new Map<string, NodeJS.Timeout>();
  private readonly balancer: BalancerState = { rr: 0 };
  private readonly now: () => number;
  private closed = false;
  private retireTimer: NodeJS.Timeout | undefined;
  inFlight = 0;

  constructor(cluster: Cluster, private readonly opts: ClusterRuntimeOptions = {}) {
    this.cluster = cluster;
    this.now = opts.now ?? Date.now;
    this.tls = cluster.service.protocol === 'tls' || cluster.service.protocol === 'h2';
    let connect: ConnectionOptions = {};
    if (this.tls) {
      const v = cluster.upstreamValidation;
      // With validation (§1.2): the chain must lead to the CA, and the certificate must name
      // `subjectName` (not the endpoint's IP, which is what we connect to).
      connect = v
        ? { ca: decodePem(v.caCertificate), rejectUnauthorized: true, servername: v.subjectName, checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(v.subjectName, cert) }
        : { rejectUnauthorized: false };
    }
    // Envoy's max_connections circuit breaker counts per host, as the pool's limit does.
    this.poolOptions = { connections: cluster.service.maxConnections ?? null, pipelining: 1, connect };
  }

  /** The keep-alive pool to one endpoint (`ip:port` or `[ip6]:port`), made on first use. */
  pool(endpoint: string): Pool {
    let pool = this.pools.get(endpoint);
    if (!pool) {
      const { host, port } = splitEndpoint(endpoint);
      const origin = `${this.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
      pool = new Pool(origin, this.poolOptions);
      this.pools.set(endpoint, pool);
    }
    return pool;
  }

  /** The endpoints (`ip:port`) now ready; health state of the ones that stay is kept. */
  setEndpoints(endpoints: readonly string[]): void {
    if (endpoints === this.endpoints) return;
    const next = new Set(endpoints);
    for (const e of this.endpoints) {
      if (next.has(e)) continue;
      this.health.delete(e);
      this.outliers.delete(e);
      const t = this.checkers.get(e);
      if (t) clearTimeout(t);
      this.checkers.delete(e);
      // A gone endpoint's pool closes once its requests in flight are answered.
      const pool = this.pools.get(e);
      this.pools.delete(e);
      pool?.close().catch(() => undefined);
    }
    this.endpoints = endpoints;
    if (this.cluster.healthCheck) for (const e of endpoints) if (!this.checkers.has(e)) this.startChecking(e);
  }

  /** Endpoints that may take traffic now. */
  healthy(): string[] {
    const now = this.now();
    const hc = this.cluster.healthCheck !== undefined;
    return this.endpoints.filter((e) => (!hc || this.health.get(e)?.healthy === true) && !isEjected(this.outliers.get(e) ?? NEW_OUTLIER, now));
  }

  /** An endpoint for one request, or undefined when none is healthy (the caller answers 503). */
  pick(hashKey?: string, exclude?: string): string | undefined {
    let healthy = this.healthy();
    if (exclude !== undefined && healthy.length > 1) healthy = healthy.filter((e) => e !== exclude);
    if (healthy.length === 0) return undefined;
    return pickEndpoint(this.cluster.lbPolicy, healthy, this.balancer, { active: (e) => this.active.get(e) ?? 0, hashKey });
  }

  begin(endpoint: string): void {
    this.inFlight++;
    this.active.set(endpoint, (this.active.get(endpoint) ?? 0) + 1);
  }

  /** Ends a request to `endpoint` and feeds passive ejection. */
  end(endpoint: string, outcome: AttemptOutcome): void {
    this.inFlight--;
    if (this.retireTimer && this.inFlight === 0) this.close();
    const n = (this.active.get(endpoint) ?? 1) - 1;
    if (n <= 0) this.active.delete(endpoint);
    else this.active.set(endpoint, n);
    if (!this.endpoints.includes(endpoint)) return;
    const now = this.now();
    const before = this.outliers.get(endpoint) ?? NEW_OUTLIER;
    const ejected = this.endpoints.filter((e) => isEjected(this.outliers.get(e) ?? NEW_OUTLIER, now)).length;
    const after = afterOutcome(before, isGatewayFailure(outcome as { kind: string; status?: number }), now, ejectionAllowed(ejected, this.endpoints.length));
    if (after !== before) this.outliers.set(endpoint, after);
    if (!isEjected(before, now) && isEjected(after, now)) this.opts.onHealthChange?.(this.cluster.name, endpoint, false, 'ejected');
  }

  private startChecking(endpoint: string): void {
    const hc = this.cluster.healthCheck!;
    this.health.set(endpoint, NEW_ACTIVE_HEALTH);
    const run = () => {
      if (this.closed || !this.checkers.has(endpoint)) return;
      this.check(endpoint).then((passed) => {
        if (this.closed || !this.checkers.has(endpoint)) return;
        const before = this.health.get(endpoint) ?? NEW_ACTIVE_HEALTH;
        const after = afterCheck(before, passed, { healthy: hc.healthyThresholdCount, unhealthy: hc.unhealthyThresholdCount });
        this.health.set(endpoint, after);
        if (before.healthy !== after.healthy || before.pending) this.opts.onHealthChange?.(this.cluster.name, endpoint, after.healthy, 'active');
        // Envoy jitters intervals so that checks do not march in step.
        const t = setTimeout(run, hc.intervalSeconds * 1000 * (0.9 + Math.random() * 0.2));
        t.unref();
        this.checkers.set(endpoint, t);
      }, () => undefined);
    };
    const t = setTimeout(run, 0);
    t.unref();
    this.checkers.set(endpoint, t);
  }

  private check(endpoint: string): Promise<boolean> {
    const hc = this.cluster.healthCheck!;
    const { host, port } = splitEndpoint(endpoint);
    return new Promise((resolve) => {
      const req = httpRequest(
        { host, port, path: hc.path, headers: { host: hc.host, 'user-agent': 'Envoy/HC' }, agent: false, timeout: hc.timeoutSeconds * 1000 },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === 200));
          res.on('error', () => resolve(false));
        },
      );
      req.on('timeout', () => req.destroy(new Error('health check timed out')));
      req.on('error', () => resolve(false));
      req.end();
    });
  }

  /**
   * No route names the cluster any more: close it once its requests in flight are done (or after
   * a grace period), so a config swap never cuts a request off. `revive` undoes it.
   */
  retire(graceMs = 300_000): void {
    if (this.closed || this.retireTimer) return;
    if (this.inFlight === 0) return this.close();
    this.retireTimer = setTimeout(() => this.close(), graceMs);
    this.retireTimer.unref();
  }

  /** Whether the runtime can serve again (retired but not yet closed); cancels the retirement. */
  revive(): boolean {
    if (this.closed) return false;
    if (this.retireTimer) clearTimeout(this.retireTimer);
    this.retireTimer = undefined;
    return true;
  }

  /** Stops health checks and closes pooled connections. */
  close(): void {
    if (this.retireTimer) clearTimeout(this.retireTimer);
    this.closed = true;
    for (const t of this.checkers.values()) clearTimeout(t);
    this.checkers.clear();
    for (const pool of this.pools.values()) pool.destroy().catch(() => undefined);
    this.pools.clear();
  }
}
