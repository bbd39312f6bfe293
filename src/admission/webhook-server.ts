/**
 * A webhook server: HTTPS, one handler per path, AdmissionReview v1/v1beta1 in and out, a JSON
 * log line per review (pino), Prometheus metrics under controller-runtime's names, `/healthz`
 * and `/metrics`. The certificate can be swapped while serving (rotation) with `setCertificate`.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { errored } from './response.js';
import { decodeReview, encodeResponse, type AdmissionRequest, type AdmissionResult } from './review.js';

/** Decides one review. Report refusals and failures with `denied()` / `errored()`; a throw becomes `errored()`. */
export type AdmissionHandler = (request: AdmissionRequest) => AdmissionResult | Promise<AdmissionResult>;

export interface Route {
  /** Used in logs and metrics (`webhook` label). */
  readonly name: string;
  readonly path: string;
  readonly handler: AdmissionHandler;
}

export interface WebhookServerOptions {
  certPem: string;
  keyPem: string;
  routes: readonly Route[];
  logger?: Logger;
  metrics?: Registry;
}

const MAX_BODY = 3 * 1024 * 1024;

export class WebhookServer {
  private readonly server: Server;
  private readonly routes: Map<string, Route>;
  private readonly log: Logger;
  readonly metrics: Registry;
  private readonly requests: Counter<'webhook' | 'code'>;
  private readonly latency: Histogram<'webhook'>;
  private readonly inFlight: Gauge<'webhook'>;

  constructor(opts: WebhookServerOptions) {
    this.routes = new Map();
    for (const r of opts.routes) {
      if (this.routes.has(r.path)) throw new Error(`two webhooks serve the path ${r.path}`);
      this.routes.set(r.path, r);
    }
    this.log = opts.logger ?? pino({ level: 'info', base: undefined });
    this.metrics = opts.metrics ?? new Registry();
    this.requests = new Counter({ name: 'controller_runtime_webhook_requests_total', help: 'Total number of admission requests by HTTP status code.', labelNames: ['webhook', 'code'], registers: [this.metrics] });
    this.latency = new Histogram({
      name: 'controller_runtime_webhook_latency_seconds',
      help: 'Histogram of the latency of processing admission requests',
      labelNames: ['webhook'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [this.metrics],
    });
    this.inFlight = new Gauge({ name: 'controller_runtime_webhook_requests_in_flight', help: 'Current number of admission requests being served.', labelNames: ['webhook'], registers: [this.metrics] });
    this.server = createServer({ cert: opts.certPem, key: opts.keyPem }, (req, res) => void this.serve(req, res));
  }

  /** Listen (port 0: any free port); resolves with the port. */
  listen(port: number, host = '0.0.0.0'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Serve new connections with a new certificate (rotation); open connections keep theirs. */
  setCertificate(certPem: string, keyPem: string): void {
    this.server.setSecureContext({ cert: certPem, key: keyPem });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'https://localhost').pathname;
    if (req.method === 'GET' && (path === '/healthz' || path === '/readyz')) return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
    if (req.method === 'GET' && path === '/metrics') {
      const text = await this.metrics.metrics();
      return void res.writeHead(200, { 'Content-Type': this.metrics.contentType }).end(text);
    }
    const route = this.routes.get(path);
    if (!route) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found\n');
    if (req.method !== 'POST') return void res.writeHead(405, { 'Content-Type': 'text/plain' }).end('method not allowed\n');
    const started = process.hrtime.bigint();
    this.inFlight.inc({ webhook: route.name });
    try {
      // As the seed: anything but application/json is logged and answered with an empty body.
      const contentType = req.headers['content-type'];
      if (contentType !== 'application/json') {
        this.log.info({ webhook: route.name, contentType: contentType ?? '' }, 'unexpected content type, expect application/json');
        res.writeHead(200).end();
        this.requests.inc({ webhook: route.name, code: '200' });
        return;
      }
      const body = await readBody(req);
      const decoded = decodeReview(body);
      let result: AdmissionResult;
      let uid: string;
      let request: AdmissionRequest | undefined;
      if (!decoded.ok) {
        uid = decoded.uid;
        result = errored(decoded.message, 400);
      } else {
        request = decoded.request;
        uid = request.uid;
        try {
          result = await route.handler(request);
        } catch (e) {
          result = errored(e);
        }
      }
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(encodeResponse(decoded.version, uid, result));
      this.requests.inc({ webhook: route.name, code: '200' });
      this.log.info(
        {
          webhook: route.name,
          uid,
          operation: request?.operation,
          resource: request ? `${request.resource.group || 'core'}/${request.resource.version}/${request.resource.resource}` : undefined,
          object: request ? `${request.namespace ?? ''}/${request.name ?? request.object?.metadata?.generateName ?? ''}` : undefined,
          allowed: result.allowed,
          patched: result.allowed && Boolean(result.patch?.length),
          ...(result.allowed ? {} : { code: result.code, reason: result.message }),
        },
        'admission review',
      );
    } catch (e) {
      this.log.info({ webhook: route.name, err: (e as Error).message }, 'admission request failed');
      if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'text/plain' }).end(`${(e as Error).message}\n`);
      this.requests.inc({ webhook: route.name, code: '400' });
    } finally {
      this.inFlight.dec({ webhook: route.name });
      this.latency.observe({ webhook: route.name }, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
