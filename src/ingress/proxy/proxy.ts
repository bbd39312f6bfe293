/**
 * The embedded data plane: Contour's two Envoy listeners in Node. `ingress_http` serves the plain
 * virtual hosts (and 301s routes whose root enforces TLS); `ingress_https` reads the ClientHello's
 * server name first (Envoy's TLS inspector) and then either terminates TLS with that virtual
 * host's certificate, or, for a TCP proxy, forwards the connection (TLS passthrough, or
 * terminated then forwarded). `update(dag)` applies the new DAG to the live route table in one
 * synchronous step, so no request sees half a change; a request already routed keeps its route,
 * pooled connections and health state carry over, and a cluster no route names is closed only
 * once its requests in flight are done.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect as netConnect, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { connect as tlsConnect, TLSSocket } from 'node:tls';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Cluster, Dag } from '../dag/index.js';
import { silentLogger, type Logger } from '../../runtime/index.js';
import { ClusterRuntime, splitEndpoint } from './cluster-pool.js';
import { accessLogLine, type AccessLogFormat, type ResponseFlag } from './access-log.js';
import { forward, type RequestRecord } from './forward.js';
import { upstreamRequestHeaders } from './headers.js';
import { LOCAL_REPLIES, rawReply, sendHttpsRedirect, sendLocalReply } from './local-reply.js';
import { normalizeHost, selectRoute, selectVirtualHost, splitTarget } from './route-match.js';
import { RouteTableCompiler, type ProxyRoute, type ProxySecureVirtualHost, type RouteTable } from './route-table.js';
import { readSni } from './sni.js';
import { replaySocket } from './replay-socket.js';
import { applyPrefixRewrite } from '../dag/index.js';

export interface ProxyOptions {
  /** Port of `ingress_http` (0 = any free port; default 8080). */
  readonly httpPort?: number;
  /** Port of `ingress_https` (0 = any free port; default 8443). */
  readonly httpsPort?: number;
  /** Address to listen on (default all interfaces, as Envoy's 0.0.0.0). */
  readonly host?: string;
  readonly logger?: Logger;
  /** Where the proxy's metrics go (default a new registry). */
  readonly registry?: Registry;
  /** An access log line per request (Envoy's default format or Contour's JSON); none by default. */
  readonly accessLog?: { readonly format: AccessLogFormat; write(line: string): void };
}

export interface IngressProxy {
  readonly httpPort: number;
  readonly httpsPort: number;
  /** Serve what `dag` says from now on. */
  update(dag: Dag): void;
  /** The table being served. */
  table(): RouteTable;
  /** Stop accepting, let requests in flight finish (up to `graceMs`), then close everything. */
  close(graceMs?: number): Promise<void>;
}

const MAX_HELLO = 16 * 1024;

function listen(server: NetServer, port: number, host: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

export async function startProxy(opts: ProxyOptions = {}): Promise<IngressProxy> {
  const log = (opts.logger ?? silentLogger()).child({ component: 'ingress-proxy' });
  const accessLog = opts.accessLog;
  const registry = opts.registry ?? new Registry();
  const registers = [registry];
  const requests = new Counter({ name: 'flotilla_ingress_requests_total', help: 'Requests answered by the ingress proxy, by listener and status class', labelNames: ['listener', 'code'], registers });
  const duration = new Histogram({ name: 'flotilla_ingress_request_duration_seconds', help: 'Time from request to the end of the response', labelNames: ['listener'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers });
  const ejections = new Counter({ name: 'flotilla_ingress_endpoint_health_changes_total', help: 'Endpoints taken out of or put back into rotation', labelNames: ['reason', 'healthy'], registers });
  const clustersGauge = new Gauge({ name: 'flotilla_ingress_clusters', help: 'Clusters the proxy holds a connection pool for', registers });
  const swaps = new Counter({ name: 'flotilla_ingress_config_swaps_total', help: 'Route tables swapped in', registers });

  const compiler = new RouteTableCompiler();
  const table: RouteTable = compiler.table;
  const runtimes = new Map<string, ClusterRuntime>();
  const retired = new Map<string, ClusterRuntime>();
  const upgraded = new Set<Socket>();
  const onHealthChange = (cluster: string, endpoint: string, healthy: boolean, why: string) => {
    ejections.inc({ reason: why, healthy: String(healthy) });
    log.info({ cluster, endpoint, healthy, reason: why }, 'endpoint health changed');
  };

  function update(dag: Dag): void {
    // The compiler applies the DAG to the live table in one synchronous step (the swap); then
    // the cluster runtimes follow: new ones start, changed ones get their endpoints, and the
    // ones no route names retire once their requests in flight are done.
    const changes = compiler.compile(dag);
    for (const name of changes.added) {
      if (runtimes.has(name)) continue;
      const old = retired.get(name);
      retired.delete(name);
      runtimes.set(name, old?.revive() ? old : new ClusterRuntime(table.clusters.get(name)!.cluster, { onHealthChange }));
    }
    for (const name of changes.touched) {
      const e = table.clusters.get(name);
      const rt = runtimes.get(name);
      if (!e || !rt) continue;
      rt.cluster = e.cluster;
      rt.setEndpoints(e.endpoints);
    }
    for (const name of changes.removed) {
      const rt = runtimes.get(name);
      if (!rt) continue;
      runtimes.delete(name);
      retired.set(name, rt);
      rt.retire();
    }
    for (const [name, rt] of retired) if (!rt.revive()) retired.delete(name); else rt.retire();
    peekSni = compiler.hasTcpProxies();
    clustersGauge.set(runtimes.size);
    swaps.inc();
    for (const [host, err] of compiler.tlsErrors) log.info({ host, err }, 'TLS secret not usable');
  }

  const runtime = (c: Cluster) => runtimes.get(c.name);

  /** Routing shared by requests and upgrades; undefined when a local reply was sent. */
  function route(listener: 'http' | 'https', req: IncomingMessage): { pr: ProxyRoute; path: string; query: string; host: string } | { reply: 'noRoute' } | { redirect: string } {
    const t = table;
    const host = normalizeHost(req.headers.host);
    const { path, query } = splitTarget(req.url);
    const vh = listener === 'http' ? selectVirtualHost(t.http, host) : t.https.get(host);
    const pr = vh ? selectRoute(vh.routes, path, (x) => x.route) : undefined;
    if (!pr) return { reply: 'noRoute' };
    if (listener === 'http' && pr.route.httpsUpgrade) return { redirect: host };
    return { pr, path, query, host };
  }

  function handler(listener: 'http' | 'https') {
    const name = listener === 'http' ? 'ingress_http' : 'ingress_https';
    return (req: IncomingMessage, res: ServerResponse) => {
      const start = Date.now();
      const done = (record: RequestRecord) => {
        const code = record.status;
        requests.inc({ listener: name, code: code === 0 ? 'aborted' : `${Math.floor(code / 100)}xx` });
        const ms = Date.now() - start;
        duration.observe({ listener: name }, ms / 1000);
        if (accessLog) {
          accessLog.write(accessLogLine({
            ...record,
            startMs: start,
            method: req.method ?? 'GET',
            path: req.url ?? '/',
            protocol: `HTTP/${req.httpVersion}`,
            durationMs: ms,
            userAgent: req.headers['user-agent'],
            authority: req.headers.host,
            forwardedFor: record.forwardedFor ?? (req.headers['x-forwarded-for'] as string | undefined),
            requestId: record.requestId ?? (req.headers['x-request-id'] as string | undefined),
            downstreamRemoteAddress: req.socket.remoteAddress,
          }, accessLog.format));
        }
      };
      const local = (status: number, flag?: ResponseFlag, bytesSent = 0) => done({ status, flags: flag ? [flag] : [], bytesReceived: 0, bytesSent });
      const r = route(listener, req);
      if ('reply' in r) {
        sendLocalReply(res, LOCAL_REPLIES.noRoute);
        return local(404, 'NR');
      }
      if ('redirect' in r) {
        sendHttpsRedirect(res, r.redirect, req.url ?? '/');
        return local(301);
      }
      forward(r.pr, r.path, r.query, req, res, { runtime, proto: listener, done }).catch((err) => {
        log.info({ err }, 'forwarding failed');
        sendLocalReply(res, LOCAL_REPLIES.reset);
        local(503, 'UC', LOCAL_REPLIES.reset.body.length);
      });
    };
  }

  /** Websockets: Envoy's `upgrade_configs: [websocket]` on routes that enable them; others get 403. */
  function upgradeHandler(listener: 'http' | 'https') {
    return (req: IncomingMessage, socket: Socket, head: Buffer) => {
      const fail = (status: number, reason: string, body: string, headers?: Record<string, string>) => socket.end(rawReply(status, reason, body, headers));
      socket.on('error', () => socket.destroy());
      const r = route(listener, req);
      if ('reply' in r) return fail(404, 'Not Found', '');
      if ('redirect' in r) return fail(301, 'Moved Permanently', '', { location: `https://${r.redirect}${req.url ?? '/'}` });
      const { pr, path, query } = r;
      if (!pr.route.websocket || String(req.headers.upgrade).toLowerCase() !== 'websocket') return fail(403, 'Forbidden', LOCAL_REPLIES.upgradeRefused.body);
      const cluster = pr.picker.next()!;
      const rt = runtime(cluster);
      const endpoint = rt?.pick();
      if (!rt || !endpoint) return fail(503, 'Service Unavailable', LOCAL_REPLIES.noHealthyUpstream.body);
      const { host, port } = splitEndpoint(endpoint);
      const upstream: Socket = rt.tls ? tlsConnect({ host, port, rejectUnauthorized: false }) : netConnect({ host, port });
      rt.begin(endpoint);
      let ended = false;
      const end = (kind: 'connect-failure' | 'reset' | 'ok') => {
        if (ended) return;
        ended = true;
        rt.end(endpoint, kind === 'ok' ? { kind: 'response', status: 101 } : { kind });
      };
      upgraded.add(socket);
      upgraded.add(upstream);
      const upPath = (pr.route.prefixRewrite !== undefined ? applyPrefixRewrite(path, pr.route.match, pr.route.prefixRewrite) : path) + query;
      upstream.once(rt.tls ? 'secureConnect' : 'connect', () => {
        const headers = upstreamRequestHeaders(req.headers, { remoteAddress: req.socket.remoteAddress, proto: listener, startMs: Date.now(), keepUpgrade: true });
        let head0 = `${req.method} ${upPath} HTTP/1.1\r\n`;
        for (const [k, v] of Object.entries(headers)) for (const x of Array.isArray(v) ? v : [v]) head0 += `${k}: ${x}\r\n`;
        upstream.write(`${head0}\r\n`);
        if (head.length) upstream.write(head);
        socket.pipe(upstream).pipe(socket);
      });
      upstream.on('error', () => {
        end(upstream.connecting ? 'connect-failure' : 'reset');
        if (!socket.destroyed) socket.end(rawReply(503, 'Service Unavailable', LOCAL_REPLIES.connectFailure.body));
      });
      const cleanup = () => {
        end('ok');
        upgraded.delete(socket);
        upgraded.delete(upstream);
        socket.destroy();
        upstream.destroy();
      };
      socket.once('close', cleanup);
      upstream.once('close', cleanup);
    };
  }

  const tune = <S extends HttpServer | HttpsServer>(s: S): S => {
    // Keep-alive to clients: idle connections stay open a minute (Envoy's default is longer; a
    // minute is enough for load balancers and benchmarks and frees idle sockets sooner).
    s.keepAliveTimeout = 60_000;
    s.headersTimeout = 65_000;
    s.requestTimeout = 0; // the route timeout governs, as in Envoy
    return s;
  };

  const httpServer = tune(createHttpServer(handler('http')));
  httpServer.on('upgrade', upgradeHandler('http'));
  httpServer.on('clientError', (_e, socket) => socket.destroy());

  // Terminating server for HTTP virtual hosts; it never listens, the SNI listener hands it sockets.
  const httpsServer = tune(createHttpsServer({
    SNICallback: (servername, cb) => {
      const ctx = table.https.get(servername.toLowerCase())?.secureContext;
      if (ctx) cb(null, ctx);
      else cb(new Error(`no certificate for ${servername}`));
    },
  }, handler('https')));
  httpsServer.on('upgrade', upgradeHandler('https'));
  httpsServer.on('tlsClientError', (_e, socket) => socket.destroy());

  function tcpProxy(vh: ProxySecureVirtualHost, client: Socket): void {
    const cluster = vh.tcpProxy!.picker.next();
    const rt = cluster ? runtime(cluster) : undefined;
    const endpoint = rt?.pick();
    if (!rt || !endpoint) {
      client.destroy();
      return;
    }
    const upstream = netConnect(splitEndpoint(endpoint));
    rt.begin(endpoint);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      rt.end(endpoint, { kind: 'response', status: 200 });
      client.destroy();
      upstream.destroy();
      upgraded.delete(client);
      upgraded.delete(upstream);
    };
    upgraded.add(client);
    upgraded.add(upstream);
    upstream.on('error', end);
    client.on('error', end);
    upstream.once('close', end);
    client.once('close', end);
    client.pipe(upstream).pipe(client);
  }

  let peekSni = false; // set on update: only a table with TCP proxies needs the ClientHello read first

  const sniServer = createNetServer((socket) => {
    socket.on('error', () => socket.destroy());
    if (!peekSni) {
      // Fast path: TLS straight on the native handle; SNICallback picks the certificate.
      httpsServer.emit('connection', socket);
      return;
    }
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const sni = readSni(buf);
      if (sni.kind === 'incomplete' && buf.length < MAX_HELLO) return;
      socket.off('data', onData);
      socket.pause();
      const vh = sni.kind === 'name' ? table.https.get(sni.name) : undefined;
      if (vh?.tcpProxy && !vh.secureContext) {
        // TLS passthrough: the bytes go to the upstream as they came.
        socket.unshift(buf);
        tcpProxy(vh, socket);
        socket.resume();
        return;
      }
      const replay = replaySocket(socket, buf);
      if (vh?.tcpProxy && vh.secureContext) {
        const tlsSocket = new TLSSocket(replay as unknown as Socket, { isServer: true, secureContext: vh.secureContext });
        tlsSocket.on('error', () => socket.destroy());
        tcpProxy(vh, tlsSocket);
        return;
      }
      httpsServer.emit('connection', replay);
    };
    socket.on('data', onData);
  });

  const httpPort = await listen(httpServer, opts.httpPort ?? 8080, opts.host);
  let httpsPort: number;
  try {
    httpsPort = await listen(sniServer, opts.httpsPort ?? 8443, opts.host);
  } catch (e) {
    httpServer.close();
    throw e;
  }
  log.info({ httpPort, httpsPort }, 'ingress proxy listening');

  return {
    httpPort,
    httpsPort,
    update,
    table: () => table,
    async close(graceMs = 5_000) {
      const closed = Promise.all([
        new Promise<void>((r) => httpServer.close(() => r())),
        new Promise<void>((r) => sniServer.close(() => r())),
        new Promise<void>((r) => httpsServer.close(() => r())),
      ]);
      httpServer.closeIdleConnections();
      httpsServer.closeIdleConnections();
      const deadline = setTimeout(() => {
        httpServer.closeAllConnections();
        httpsServer.closeAllConnections();
        for (const s of upgraded) s.destroy();
      }, graceMs);
      for (const s of upgraded) s.destroy();
      await closed;
      clearTimeout(deadline);
      for (const rt of [...runtimes.values(), ...retired.values()]) rt.close();
      runtimes.clear();
      retired.clear();
    },
  };
}
