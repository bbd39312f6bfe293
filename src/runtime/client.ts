/**
 * A generic client over the Kubernetes wire protocol, by API path (see {@link ResourceType}):
 * requests carry the credentials and TLS settings of a `KubeConfig` from @kubernetes/client-node
 * (`applyToHTTPSOptions`), watches use its `Watch` class. Small interfaces: `Reader`, `Writer`,
 * `StatusWriter`, `Watcher`; `Client` is all four.
 */
import { request as httpRequest, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest, type AgentOptions } from 'node:https';
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { resourcePath, type KObject, type ResourceType } from './resource.js';

/** A failed API call, carrying the HTTP code and the Status body's reason. */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly status?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const isNotFound = (e: unknown): boolean => e instanceof ApiError && e.code === 404;
export const isConflict = (e: unknown): boolean => e instanceof ApiError && e.code === 409 && e.reason === 'Conflict';
export const isAlreadyExists = (e: unknown): boolean => e instanceof ApiError && e.code === 409 && e.reason === 'AlreadyExists';
/** The resourceVersion asked for is gone (HTTP 410, or an ERROR watch event with code 410). */
export const isGone = (e: unknown): boolean => e instanceof ApiError && e.code === 410;

export interface ListOptions {
  /** '' or undefined: all namespaces (or a cluster-scoped kind). */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly resourceVersion?: string;
}

export interface ListResult<T> {
  readonly items: T[];
  readonly resourceVersion: string;
}

export interface WatchOptions extends ListOptions {
  /** Ask the server to end the watch after this long (it then resolves normally). */
  readonly timeoutSeconds?: number;
  readonly allowWatchBookmarks?: boolean;
}

export interface WatchEvent<T> {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';
  readonly object: T;
}

export type PatchType = 'merge' | 'json' | 'strategic';

export interface DeleteOptions {
  readonly propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  readonly preconditions?: { uid?: string; resourceVersion?: string };
  readonly gracePeriodSeconds?: number;
}

export interface Reader {
  /** The object, or undefined when it does not exist. */
  get<T extends KObject>(type: ResourceType, namespace: string, name: string): Promise<T | undefined>;
  list<T extends KObject>(type: ResourceType, opts?: ListOptions): Promise<ListResult<T>>;
}

export interface Writer {
  create<T extends KObject>(type: ResourceType, obj: T): Promise<T>;
  /** PUT; a stale `metadata.resourceVersion` fails with a 409 Conflict. */
  update<T extends KObject>(type: ResourceType, obj: T): Promise<T>;
  patch<T extends KObject>(type: ResourceType, namespace: string, name: string, patch: unknown, patchType?: PatchType): Promise<T>;
  /** True when deleted (or deletion started), false when it was already gone. */
  delete(type: ResourceType, namespace: string, name: string, opts?: DeleteOptions): Promise<boolean>;
}

export interface StatusWriter {
  /** PUT the `status` subresource. */
  updateStatus<T extends KObject>(type: ResourceType, obj: T): Promise<T>;
  patchStatus<T extends KObject>(type: ResourceType, namespace: string, name: string, patch: unknown, patchType?: PatchType): Promise<T>;
}

export interface Watcher {
  /**
   * Watch until the stream ends (resolves; the caller re-watches from its last resourceVersion),
   * `signal` aborts (resolves), or the server refuses (rejects with an ApiError; 410 = relist).
   */
  watch<T extends KObject>(type: ResourceType, opts: WatchOptions, onEvent: (e: WatchEvent<T>) => void, signal: AbortSignal): Promise<void>;
}

export type Client = Reader & Writer & StatusWriter & Watcher;

/** What an informer needs. */
export type ListerWatcher = Pick<Client, 'list' | 'watch'>;

export interface ClientOptions {
  /** `?fieldManager=` on writes (managedFields attribution). */
  readonly fieldManager?: string;
  /** Per-request timeout (default 30 s). */
  readonly timeoutMs?: number;
}

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

function query(params: Record<string, string | number | boolean | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

function toApiError(code: number, body: string, what: string): ApiError {
  let status: { reason?: string; message?: string; code?: number } | undefined;
  try {
    status = JSON.parse(body);
  } catch {
    status = undefined;
  }
  return new ApiError(code, status?.reason ?? '', status?.message ?? `${what}: HTTP ${code}`, status);
}

/** A {@link Client} for the cluster of `kubeConfig`'s current context. */
export function createClient(kubeConfig: KubeConfig, opts: ClientOptions = {}): Client {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const writeQuery = query({ fieldManager: opts.fieldManager });
  // client-node builds a new agent per call (a TLS handshake per request); reuse one keep-alive
  // agent per set of TLS settings instead. Idle keep-alive sockets do not hold the process open.
  const agents = new Map<string, HttpsAgent>();
  const agentFor = (o: AgentOptions): HttpsAgent => {
    const tls = { ca: o.ca, cert: o.cert, key: o.key, pfx: o.pfx, passphrase: o.passphrase, rejectUnauthorized: o.rejectUnauthorized, servername: o.servername };
    const k = JSON.stringify(tls, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('base64') : v));
    let a = agents.get(k);
    if (!a) agents.set(k, (a = new HttpsAgent({ ...tls, keepAlive: true })));
    return a;
  };

  let agent: HttpsAgent | undefined;

  async function call<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ code: number; json: T }> {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('the kubeconfig has no current cluster');
    const url = new URL(cluster.server.replace(/\/$/, '') + path);
    const reqOpts: RequestOptions & { headers: Record<string, string | number> } = { method, headers: { Accept: 'application/json' } };
    await kubeConfig.applyToHTTPSOptions(reqOpts as never);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    if (payload !== undefined) {
      reqOpts.headers['Content-Type'] = contentType;
      reqOpts.headers['Content-Length'] = Buffer.byteLength(payload);
    }
    const tls = url.protocol === 'https:';
    // The kubeconfig's TLS settings do not change: build the keep-alive agent once per client.
    if (tls) reqOpts.agent = agent ??= agentFor(reqOpts as AgentOptions);
    else delete reqOpts.agent;
    const send = tls ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send(url, { ...reqOpts, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const code = res.statusCode ?? 0;
          if (code < 200 || code >= 300) return reject(toApiError(code, text, `${method} ${path}`));
          try {
            resolve({ code, json: (text ? JSON.parse(text) : undefined) as T });
          } catch (e) {
            reject(e);
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  const objectPath = (type: ResourceType, obj: KObject, sub?: string): string =>
    resourcePath(type, obj.metadata?.namespace, obj.metadata?.name ?? '', sub);
  const stamp = <T extends KObject>(type: ResourceType, obj: T): T => ({ ...obj, apiVersion: type.apiVersion, kind: type.kind });

  return {
    async get<T extends KObject>(type: ResourceType, namespace: string, name: string) {
      try {
        return stamp(type, (await call<T>('GET', resourcePath(type, namespace, name))).json);
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    },
    async list<T extends KObject>(type: ResourceType, o: ListOptions = {}) {
      const path = resourcePath(type, o.namespace) + query({ labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, resourceVersion: o.resourceVersion });
      const { json } = await call<{ items?: T[]; metadata?: { resourceVersion?: string } }>('GET', path);
      return { items: (json.items ?? []).map((i) => stamp(type, i)), resourceVersion: json.metadata?.resourceVersion ?? '' };
    },
    async create<T extends KObject>(type: ResourceType, obj: T) {
      const path = resourcePath(type, obj.metadata?.namespace) + writeQuery;
      return stamp(type, (await call<T>('POST', path, stamp(type, obj))).json);
    },
    async update<T extends KObject>(type: ResourceType, obj: T) {
      return stamp(type, (await call<T>('PUT', objectPath(type, obj) + writeQuery, stamp(type, obj))).json);
    },
    async patch<T extends KObject>(type: ResourceType, namespace: string, name: string, patch: unknown, patchType: PatchType = 'merge') {
      return stamp(type, (await call<T>('PATCH', resourcePath(type, namespace, name) + writeQuery, patch, PATCH_CONTENT_TYPES[patchType])).json);
    },
    async delete(type: ResourceType, namespace: string, name: string, o: DeleteOptions = {}) {
      const body = { apiVersion: 'v1', kind: 'DeleteOptions', ...o };
      try {
        await call('DELETE', resourcePath(type, namespace, name), body);
        return true;
      } catch (e) {
        if (isNotFound(e)) return false;
        throw e;
      }
    },
    async updateStatus<T extends KObject>(type: ResourceType, obj: T) {
      return stamp(type, (await call<T>('PUT', objectPath(type, obj, 'status') + writeQuery, stamp(type, obj))).json);
    },
    async patchStatus<T extends KObject>(type: ResourceType, namespace: string, name: string, patch: unknown, patchType: PatchType = 'merge') {
      return stamp(type, (await call<T>('PATCH', resourcePath(type, namespace, name, 'status') + writeQuery, patch, PATCH_CONTENT_TYPES[patchType])).json);
    },
    watch<T extends KObject>(type: ResourceType, o: WatchOptions, onEvent: (e: WatchEvent<T>) => void, signal: AbortSignal): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        if (signal.aborted) return resolve();
        let settled = false;
        let controller: AbortController | undefined;
        const finish = (err?: unknown): void => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          controller?.abort();
          if (err === undefined || signal.aborted) resolve();
          else reject(err);
        };
        const onAbort = (): void => finish();
        signal.addEventListener('abort', onAbort);
        const params = {
          resourceVersion: o.resourceVersion || undefined,
          labelSelector: o.labelSelector || undefined,
          fieldSelector: o.fieldSelector || undefined,
          timeoutSeconds: o.timeoutSeconds,
          allowWatchBookmarks: o.allowWatchBookmarks,
        };
        new Watch(kubeConfig)
          .watch(
            resourcePath(type, o.namespace),
            params,
            (phase, obj) => {
              if (settled) return;
              if (phase === 'ERROR') {
                const st = obj as { code?: number; reason?: string; message?: string };
                return finish(new ApiError(st?.code ?? 500, st?.reason ?? '', st?.message ?? 'watch error', st));
              }
              if (phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED' || phase === 'BOOKMARK') {
                try {
                  onEvent({ type: phase, object: phase === 'BOOKMARK' ? (obj as T) : stamp(type, obj as T) });
                } catch (e) {
                  finish(e);
                }
              }
            },
            (err) => {
              if (err && typeof err === 'object' && 'statusCode' in err) {
                finish(new ApiError(Number((err as { statusCode: number }).statusCode), '', `watch ${resourcePath(type, o.namespace)}: ${(err as Error).message}`));
              } else finish(err ?? undefined);
            },
          )
          .then((c) => {
            controller = c;
            if (settled) c.abort();
          }, finish);
      });
    },
  };
}
