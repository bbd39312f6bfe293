/**
 * Forwarding one request along a chosen route, as Envoy's router filter does: pick the cluster
 * (weighted) and an endpoint (by the cluster's policy, healthy ones only), rewrite the prefix,
 * apply the route timeout and the per-try timeout, retry what the policy says, and stream the
 * answer back. Requests with a retry policy have their body buffered so it can be sent again.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { applyPrefixRewrite, type Cluster } from '../dag/index.js';
import type { ClusterRuntime } from './cluster-pool.js';
import { AFFINITY_COOKIE, affinityCookie, downstreamResponseHeaders, upstreamRequestHeaders } from './headers.js';
import { LOCAL_REPLIES, sendLocalReply, type LocalReply } from './local-reply.js';
import { perTryTimeoutMs, retryBackoffMs, routeTimeoutMs, shouldRetry, type AttemptOutcome } from './retry.js';
import type { ProxyRoute } from './route-table.js';

/** Bodies larger than this are streamed and not retried. */
const MAX_RETRY_BODY = 1 << 20;

export interface ForwardContext {
  readonly runtime: (cluster: Cluster) => ClusterRuntime | undefined;
  readonly proto: 'http' | 'https';
  /** Called once per request with the code sent (or 0 when the client went away). */
  readonly done?: (code: number, cluster: string | undefined, ms: number) => void;
}

type Attempt =
  | { kind: 'response'; status: number; res: IncomingMessage; req: ClientRequest }
  | { kind: 'connect-failure' | 'reset' | 'per-try-timeout' };

function splitEndpoint(e: string): { host: string; port: number } {
  const i = e.lastIndexOf(':');
  return { host: e.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(e.slice(i + 1)) };
}

/**
 * Buffers a request body up to `limit` bytes. Past the limit it stops, leaving the request paused
 * with the rest unread, and hands back what it read so far, so the body can still be streamed.
 */
function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer } | { head: Buffer[] }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    const onData = (c: Buffer) => {
      chunks.push(c);
      n += c.length;
      if (n > limit) {
        req.off('data', onData);
        req.off('end', onEnd);
        req.pause();
        resolve({ head: chunks });
      }
    };
    const onEnd = () => resolve({ body: Buffer.concat(chunks) });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

export async function forward(pr: ProxyRoute, path: string, query: string, req: IncomingMessage, res: ServerResponse, ctx: ForwardContext): Promise<void> {
  const start = Date.now();
  const route = pr.route;
  const cluster = pr.picker.next()!;
  const rt = ctx.runtime(cluster);
  let finished = false;
  const finish = (code: number) => {
    if (finished) return;
    finished = true;
    ctx.done?.(code, cluster.name, Date.now() - start);
  };
  const local = (r: LocalReply, extra?: Record<string, string>) => {
    sendLocalReply(res, r, extra);
    finish(r.status);
  };
  if (!rt) return local(LOCAL_REPLIES.noHealthyUpstream);

  // Cookie affinity (§2.1): a client without the cookie gets one, as Envoy does for a TTL of 0.
  let hashKey: string | undefined;
  let setCookie: string | undefined;
  let cookieHeader: string | undefined;
  if (route.hashPolicy) {
    hashKey = affinityCookie(req.headers);
    if (hashKey === undefined) {
      hashKey = randomBytes(8).toString('hex');
      setCookie = `${AFFINITY_COOKIE}="${hashKey}"; Path=/; HttpOnly`;
      cookieHeader = `${AFFINITY_COOKIE}="${hashKey}"`;
    }
  }

  const upstreamPath = (route.prefixRewrite !== undefined ? applyPrefixRewrite(path, route.match, route.prefixRewrite) : path) + query;
  const headers = upstreamRequestHeaders(req.headers, { remoteAddress: req.socket.remoteAddress, proto: ctx.proto, startMs: start, cookie: cookieHeader });
  const hasBody = req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined;
  let body: Buffer | undefined;
  let head: Buffer[] | undefined;
  let retryable = route.retry !== undefined;
  if (retryable && hasBody) {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > MAX_RETRY_BODY) retryable = false;
    else {
      const read = await readBody(req, MAX_RETRY_BODY);
      if ('body' in read) {
        body = read.body;
        headers['content-length'] = body.length;
        delete headers['transfer-encoding'];
      } else {
        // Grew past the limit mid-stream: send what was read, stream the rest, no retries.
        head = read.head;
        retryable = false;
      }
    }
  }

  const timeout = routeTimeoutMs(route.timeout);
  const perTry = retryable ? perTryTimeoutMs(route.retry) : undefined;
  const deadline = timeout === undefined ? Infinity : start + timeout;
  let current: ClientRequest | undefined;
  let routeTimer: NodeJS.Timeout | undefined;
  let timedOut = false;
  if (timeout !== undefined) {
    routeTimer = setTimeout(() => {
      timedOut = true;
      current?.destroy();
      if (!res.headersSent) local(LOCAL_REPLIES.timeout);
      else res.destroy();
    }, timeout);
  }
  res.on('close', () => {
    clearTimeout(routeTimer);
    if (!res.writableFinished) {
      current?.destroy(); // the client went away: stop the upstream request too
      finish(0);
    }
  });

  const attempt = (endpoint: string, reusedRetry: boolean): Promise<Attempt> =>
    new Promise((resolve) => {
      const { host, port } = splitEndpoint(endpoint);
      const send = rt.tls ? httpsRequest : httpRequest;
      let settled = false;
      let connected = false;
      const settle = (a: Attempt) => {
        if (settled) return;
        settled = true;
        clearTimeout(tryTimer);
        resolve(a);
      };
      const up = send({ host, port, method: req.method, path: upstreamPath, headers: headers as OutgoingHttpHeaders, agent: rt.agent, setHost: false });
      current = up;
      let tryTimer: NodeJS.Timeout | undefined;
      if (perTry !== undefined) tryTimer = setTimeout(() => {
        settle({ kind: 'per-try-timeout' });
        up.destroy();
      }, perTry);
      up.on('socket', (s) => {
        if (!s.connecting) connected = true;
        else s.once('connect', () => (connected = true));
      });
      up.on('response', (r) => settle({ kind: 'response', status: r.statusCode ?? 502, res: r, req: up }));
      up.on('error', () => {
        // A pooled socket the upstream had closed: Node's advice is to retry once, on a new one.
        if (up.reusedSocket && !reusedRetry && !settled) {
          settled = true;
          clearTimeout(tryTimer);
          attempt(endpoint, true).then(resolve);
          return;
        }
        settle({ kind: connected ? 'reset' : 'connect-failure' });
      });
      if (body !== undefined) up.end(body);
      else if (hasBody && !retryable) {
        for (const c of head ?? []) up.write(c);
        req.pipe(up);
        req.resume();
      } else up.end();
    });

  let lastEndpoint: string | undefined;
  for (let n = 1; ; n++) {
    const endpoint = rt.pick(hashKey, lastEndpoint);
    if (endpoint === undefined) {
      clearTimeout(routeTimer);
      return local(LOCAL_REPLIES.noHealthyUpstream);
    }
    lastEndpoint = endpoint;
    rt.begin(endpoint);
    const a = await attempt(endpoint, false);
    const outcome: AttemptOutcome = a.kind === 'response' ? { kind: 'response', status: a.status } : { kind: a.kind };
    if (timedOut || res.destroyed) {
      rt.end(endpoint, outcome);
      if (a.kind === 'response') a.res.destroy();
      return;
    }
    // A body streamed to the first attempt cannot be sent again: no retries then.
    if (shouldRetry(retryable ? route.retry : undefined, outcome, n, Date.now() >= deadline)) {
      rt.end(endpoint, outcome);
      if (a.kind === 'response') a.res.resume();
      await new Promise((r) => setTimeout(r, retryBackoffMs(n)));
      continue;
    }
    if (a.kind !== 'response') {
      rt.end(endpoint, outcome);
      clearTimeout(routeTimer);
      return local(a.kind === 'connect-failure' ? LOCAL_REPLIES.connectFailure : a.kind === 'reset' ? LOCAL_REPLIES.reset : LOCAL_REPLIES.timeout);
    }
    const out = downstreamResponseHeaders(a.res.headers);
    if (setCookie) {
      const prev = out['set-cookie'];
      out['set-cookie'] = [...(Array.isArray(prev) ? prev : prev ? [String(prev)] : []), setCookie];
    }
    res.writeHead(a.status, out);
    a.res.pipe(res);
    let released = false;
    const release = (o: AttemptOutcome) => {
      if (released) return;
      released = true;
      rt.end(endpoint, o);
      clearTimeout(routeTimer);
    };
    a.res.once('end', () => {
      release(outcome);
      finish(a.status);
    });
    a.res.once('error', () => {
      release({ kind: 'reset' });
      res.destroy();
    });
    a.res.once('close', () => release(outcome));
    return;
  }
}
