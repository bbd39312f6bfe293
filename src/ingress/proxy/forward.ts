/**
 * Forwarding one request along a chosen route, as Envoy's router filter does: pick the cluster
 * (weighted) and an endpoint (by the cluster's policy, healthy ones only), rewrite the prefix,
 * apply the route timeout and the per-try timeout, retry what the policy says, and stream the
 * answer back. Requests with a retry policy have their body buffered so it can be sent again.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { applyPrefixRewrite, type Cluster } from '../dag/index.js';
import type { ClusterRuntime } from './cluster-pool.js';
import { AFFINITY_COOKIE, affinityCookie, downstreamResponseHeaders, upstreamRequestHeaders } from './headers.js';
import type { ResponseFlag } from './access-log.js';
import { LOCAL_REPLIES, sendLocalReply, type LocalReply } from './local-reply.js';
import { perTryTimeoutMs, retryBackoffMs, routeTimeoutMs, shouldRetry, type AttemptOutcome } from './retry.js';
import type { ProxyRoute } from './route-table.js';

/** Bodies larger than this are streamed and not retried. */
const MAX_RETRY_BODY = 1 << 20;
/** Answers with a Content-Length up to this are sent on in one write once complete. */
const MAX_COALESCED_BODY = 64 * 1024;

export interface ForwardContext {
  readonly runtime: (cluster: Cluster) => ClusterRuntime | undefined;
  readonly proto: 'http' | 'https';
  /** Called once per request, when it is answered or abandoned. */
  readonly done?: (record: RequestRecord) => void;
}

/** What one request came to, for metrics and the access log. */
export interface RequestRecord {
  /** The code sent, or 0 when the client went away before an answer began. */
  status: number;
  flags: ResponseFlag[];
  bytesReceived: number;
  bytesSent: number;
  requestId?: string;
  forwardedFor?: string;
  upstreamCluster?: string;
  upstreamHost?: string;
  upstreamServiceTimeMs?: number;
}

/** The flag Envoy logs beside each of its local answers. */
const FLAG_OF = new Map<LocalReply, ResponseFlag>([
  [LOCAL_REPLIES.noHealthyUpstream, 'UH'],
  [LOCAL_REPLIES.connectFailure, 'UF'],
  [LOCAL_REPLIES.reset, 'UC'],
  [LOCAL_REPLIES.timeout, 'UT'],
]);

/** How one try ended: an answer delivered to the client (possibly cut off), or an outcome to retry on. */
type Attempt = AttemptOutcome | { kind: 'delivered'; status: number; reset?: boolean };

/** A body not buffered: the part already read (if any), then the rest as it comes, counted. */
function streamedBody(req: IncomingMessage, head: Buffer[] | undefined, record: RequestRecord): Readable {
  return Readable.from((async function* () {
    for (const chunk of head ?? []) {
      record.bytesReceived += chunk.length;
      yield chunk;
    }
    for await (const chunk of req as AsyncIterable<Buffer>) {
      record.bytesReceived += chunk.length;
      yield chunk;
    }
  })());
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
  const record: RequestRecord = { status: 0, flags: [], bytesReceived: 0, bytesSent: 0, upstreamCluster: cluster.name };
  let finished = false;
  const finish = (code: number, flag?: ResponseFlag) => {
    if (finished) return;
    finished = true;
    record.status = code;
    if (flag) record.flags.push(flag);
    ctx.done?.(record);
  };
  const local = (r: LocalReply, extra?: Record<string, string>) => {
    sendLocalReply(res, r, extra);
    record.bytesSent = Buffer.byteLength(r.body);
    finish(r.status, FLAG_OF.get(r));
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
  // Envoy gives every request an id (kept when the client sent one), for tracing across hops.
  if (typeof headers['x-request-id'] !== 'string' || headers['x-request-id'] === '') headers['x-request-id'] = randomUUID();
  record.requestId = headers['x-request-id'] as string;
  record.forwardedFor = headers['x-forwarded-for'] as string | undefined;
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
        record.bytesReceived = body.length;
        headers['content-length'] = String(body.length);
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
  /** Abandons the try under way (the route timed out, or the client went away). */
  let abortTry: ((why: string) => void) | undefined;
  let routeTimer: NodeJS.Timeout | undefined;
  let timedOut = false;
  if (timeout !== undefined) {
    routeTimer = setTimeout(() => {
      timedOut = true;
      abortTry?.('route timeout');
      if (!res.headersSent) return local(LOCAL_REPLIES.timeout);
      record.flags.push('UT');
      res.destroy();
    }, timeout);
  }
  res.on('close', () => {
    clearTimeout(routeTimer);
    if (!res.writableFinished) {
      abortTry?.('client went away'); // stop the upstream request too
      finish(0, 'DC');
    }
  });

  /**
   * One try on `endpoint`. The answer is taken (head written to the client, body streamed with
   * back-pressure) unless `n`'s policy says to retry it, decided when its head arrives; a retried
   * answer is read to its end and dropped, so its connection goes back to the pool.
   */
  const attempt = (endpoint: string, n: number, again = false): Promise<Attempt> =>
    new Promise((resolve) => {
      let settled = false;
      let connected = false;
      let delivering = false;
      let controller: Dispatcher.DispatchController | undefined;
      let status = 0;
      let held: { status: number; headers: OutgoingHttpHeaders; chunks: Buffer[] } | undefined;
      const settle = (a: Attempt) => {
        if (settled) return;
        settled = true;
        clearTimeout(tryTimer);
        resolve(a);
      };
      const abort = (why: string) => {
        // Mid-answer (the client went away, or the route timed out) is no fault of the upstream's.
        settle(delivering ? { kind: 'delivered', status } : { kind: 'per-try-timeout' });
        controller?.abort(new Error(why));
      };
      abortTry = abort;
      const tryTimer = perTry === undefined ? undefined : setTimeout(() => abort('per-try timeout'), perTry);
      const upstreamBody = body ?? (hasBody && !retryable ? streamedBody(req, head, record) : null);
      const sentAt = Date.now();
      rt.pool(endpoint).dispatch({ method: req.method as Dispatcher.HttpMethod, path: upstreamPath, headers: headers as Record<string, string | string[]>, body: upstreamBody }, {
        onRequestStart(c) {
          controller = c;
          connected = true;
          if (settled) c.abort(new Error('attempt abandoned'));
        },
        onResponseStart(_c, code, h) {
          if (code < 200 || settled) return; // 1xx: informational, the answer follows
          status = code;
          if (shouldRetry(retryable ? route.retry : undefined, { kind: 'response', status }, n, Date.now() >= deadline)) return;
          delivering = true;
          clearTimeout(tryTimer);
          const out = downstreamResponseHeaders(h);
          record.upstreamServiceTimeMs = Date.now() - sentAt;
          out['x-envoy-upstream-service-time'] = String(record.upstreamServiceTimeMs);
          if (setCookie) {
            const prev = out['set-cookie'];
            out['set-cookie'] = [...(Array.isArray(prev) ? prev : prev ? [String(prev)] : []), setCookie];
          }
          // A small answer of known length goes to the client in one write, head and body
          // together: on loopback each write is a system call costing about as much as the rest
          // of the request's handling. Anything else streams as it comes.
          const length = Number(h['content-length']);
          if (length <= MAX_COALESCED_BODY) held = { status, headers: out, chunks: [] };
          else res.writeHead(status, out);
        },
        onResponseData(c, chunk) {
          if (!delivering) return;
          record.bytesSent += chunk.length;
          if (held) return void held.chunks.push(chunk);
          if (res.write(chunk)) return;
          c.pause();
          res.once('drain', () => c.resume());
        },
        onResponseEnd() {
          if (held) res.writeHead(held.status, held.headers).end(held.chunks.length === 1 ? held.chunks[0] : Buffer.concat(held.chunks));
          else if (delivering) res.end();
          settle({ kind: delivering ? 'delivered' : 'response', status });
        },
        onResponseError(_c, err) {
          if (settled) return; // our own abort
          if (delivering) {
            // Cut off mid-answer: the client's response cannot be mended, only ended.
            res.destroy();
            return settle({ kind: 'delivered', status, reset: true });
          }
          // A kept-alive connection the upstream had just closed: once more, on a fresh one, for
          // requests that are safe to send twice (undici mostly avoids this by the Keep-Alive hint).
          const code = (err as NodeJS.ErrnoException).code;
          if (!again && connected && upstreamBody === null && (req.method === 'GET' || req.method === 'HEAD') && code === 'UND_ERR_SOCKET') {
            settled = true;
            clearTimeout(tryTimer);
            attempt(endpoint, n, true).then(resolve);
            return;
          }
          settle({ kind: connected ? 'reset' : 'connect-failure' });
        },
      });
    });

  let lastEndpoint: string | undefined;
  for (let n = 1; ; n++) {
    const endpoint = rt.pick(hashKey, lastEndpoint);
    if (endpoint === undefined) {
      clearTimeout(routeTimer);
      return local(LOCAL_REPLIES.noHealthyUpstream);
    }
    lastEndpoint = endpoint;
    record.upstreamHost = endpoint;
    rt.begin(endpoint);
    const a = await attempt(endpoint, n);
    if (a.kind === 'delivered') {
      rt.end(endpoint, a.reset ? { kind: 'reset' } : { kind: 'response', status: a.status });
      clearTimeout(routeTimer);
      return finish(a.status, a.reset ? 'UC' : undefined);
    }
    const outcome: AttemptOutcome = a;
    rt.end(endpoint, outcome);
    if (timedOut || res.destroyed) return;
    // A body streamed to the first attempt cannot be sent again: no retries then.
    if (shouldRetry(retryable ? route.retry : undefined, outcome, n, Date.now() >= deadline)) {
      await new Promise((r) => setTimeout(r, retryBackoffMs(n)));
      continue;
    }
    clearTimeout(routeTimer);
    if (n > 1) record.flags.push('URX');
    // Only outcomes without an answer reach here: an answer is delivered unless retried.
    return local(a.kind === 'connect-failure' ? LOCAL_REPLIES.connectFailure : a.kind === 'reset' ? LOCAL_REPLIES.reset : LOCAL_REPLIES.timeout);
  }
}
