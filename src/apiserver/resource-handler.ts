/**
 * The REST verbs on one resource: maps an HTTP request onto the Store (get, list, watch, create,
 * update, patch, delete, deletecollection and the status, scale, binding and finalize
 * subresources) and renders the result in the representation the client asked for.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  badRequest,
  conflict,
  fieldError,
  invalid,
  OBJECT_MODIFIED,
  methodNotAllowed,
  notFound,
  routeNotFound,
  StatusError,
  unsupportedMediaType,
} from '../apimachinery/errors.js';
import { isPlainObject, nowTimestamp, type KubeObject } from '../apimachinery/object.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, builtinPatchMeta } from '../apimachinery/patch.js';
import { apiVersionOf, DEFAULT_SCALE_PATHS, groupResource, type ResourceType } from '../apimachinery/resource-type.js';
import { getAtPath, setAtPath } from '../apimachinery/field-path.js';
import { decodeBody, mediaType, PATCH_MEDIA_TYPES, type ResponseFormat } from './negotiation.js';
import { readBody, sendJsonText, sendObject } from './http-util.js';
import { viewedAs } from './admission/index.js';
import { writtenJson, type AdmissionHook, type DeleteOptions, type Store, type StoredObject, type WriteOptions } from './store.js';
import type { AdmissionRequestInfo } from './admission/dispatcher.js';
import { managerFromUserAgent, validateApplyRequest, validateFieldManager } from './field-manager/index.js';
import { WatchOverflowError } from '../storage/index.js';
import { convertToTable, parseIncludeObject, type Convertor } from './table/index.js';
import { dropUnknownFields, findUnknownFields, strictDecodingErrorsFast, strictDecodingMessage, unknownMessage, warningHeaderValue, type KindSchema } from './openapi/index.js';

/** The kinds webhooks see for `pods/binding` and `pods/eviction`. */
const BINDING_KIND = { group: '', version: 'v1', kind: 'Binding' };
const EVICTION_KIND = { group: 'policy', version: 'v1', kind: 'Eviction' };

export interface ResourceRequest {
  rt: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  query: URLSearchParams;
  format: ResponseFormat;
}

export interface ResourceHandlerHooks {
  /** Called after a namespace was marked for deletion, so its contents get removed. */
  onNamespaceTerminating?(name: string): void;
  /** Aborted when the server shuts down: open watches end. */
  shutdown?: AbortSignal;
  /** The OpenAPI schema of a kind, for unknown-field checks (fieldValidation). */
  schemaFor?(rt: ResourceType): KindSchema | undefined;
  /** `pods/eviction`: a delete that respects PodDisruptionBudgets. */
  evict?(req: IncomingMessage, res: ServerResponse, r: ResourceRequest, eviction: KubeObject): Promise<void>;
  /** `pods/log`: streams the container's log from its node's kubelet. */
  podLogs?(req: IncomingMessage, res: ServerResponse, r: ResourceRequest): Promise<void>;
  /** Table columns for kinds without a built-in printer (custom resources). */
  convertorFor?(rt: ResourceType): Convertor | undefined;
  /** Admission webhooks for one write (undefined: none configured). */
  admission?(info: AdmissionRequestInfo): AdmissionHook | undefined;
}


/** kube-apiserver's --min-request-timeout: watches end after 30–60 minutes unless asked otherwise. */
const MIN_REQUEST_TIMEOUT_S = 1800;
const BOOKMARK_INTERVAL_MS = 60_000;
/**
 * A JSON list is written in pieces of about this size, each after the previous one has drained:
 * handing TLS one 40 MiB write makes it copy and buffer all of it, which costs about twice the CPU
 * (measured with 10,000 pods) and as much memory again as the body.
 */
const LIST_CHUNK_BYTES = 256 * 1024;
const CHUNK_CAPACITY = 2 * LIST_CHUNK_BYTES;
/**
 * Chunk buffers whose write has completed (the socket, and TLS, hold no reference to them any
 * more), reused by later chunks of any list: otherwise every 10,000-pod list leaves 40 MiB of
 * buffers for the GC (one measurement on a busy machine: 60 -> 50 ms of server CPU per list). A chunk bigger than the
 * capacity (one huge object) gets a buffer of its own. A write that fails does not give its
 * buffer back.
 */
const chunkPool: Buffer[] = [];
const CHUNK_POOL_MAX = 8;
function release(chunk: Buffer): void {
  if (chunk.buffer.byteLength === CHUNK_CAPACITY && chunk.byteOffset === 0 && chunkPool.length < CHUNK_POOL_MAX) {
    chunkPool.push(Buffer.from(chunk.buffer, 0, CHUNK_CAPACITY));
  }
}

export class ResourceHandler {
  constructor(
    private readonly store: Store,
    private readonly hooks: ResourceHandlerHooks = {},
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, r: ResourceRequest): Promise<void> {
    const method = req.method ?? 'GET';
    if (r.subresource) return this.handleSubresource(req, res, r, method);
    if (r.name === undefined) {
      switch (method) {
        case 'GET':
          return isTrue(r.query.get('watch')) ? this.watch(req, res, r) : this.list(res, r);
        case 'POST':
          return this.create(req, res, r);
        case 'DELETE':
          return this.deleteCollection(req, res, r);
        default:
          throw methodNotAllowed();
      }
    }
    switch (method) {
      case 'GET':
        if (isTrue(r.query.get('watch'))) {
          r.query.set('fieldSelector', joinSelector(r.query.get('fieldSelector'), `metadata.name=${r.name}`));
          return this.watch(req, res, { ...r, name: undefined });
        }
        return this.get(res, r);
      case 'PUT':
        return this.replace(req, res, r);
      case 'PATCH':
        return this.patch(req, res, r);
      case 'DELETE':
        return this.delete(req, res, r);
      default:
        throw methodNotAllowed();
    }
  }

  // ---- reads ------------------------------------------------------------------------------

  private async get(res: ServerResponse, r: ResourceRequest): Promise<void> {
    const item = await this.store.get(r.rt, r.namespace, r.name!);
    if (r.format.kind === 'table') {
      sendObject(res, 200, this.table(r, [item.object], item.object.metadata.resourceVersion ?? ''));
      return;
    }
    sendJsonText(res, 200, item.text, r.format);
  }

  private async list(res: ServerResponse, r: ResourceRequest): Promise<void> {
    const limit = parseNonNegativeInt(r.query.get('limit'), 'limit');
    const page = await this.store.list(r.rt, r.namespace, {
      labelSelector: r.query.get('labelSelector') ?? undefined,
      fieldSelector: r.query.get('fieldSelector') ?? undefined,
      limit,
      continue: r.query.get('continue') ?? undefined,
      resourceVersion: r.query.get('resourceVersion') ?? undefined,
    });
    if (r.format.kind === 'table') {
      const table = this.table(r, page.items.map((i) => i.object), page.resourceVersion, page.continue, page.remainingItemCount);
      sendObject(res, 200, table);
      return;
    }
    const meta: Record<string, unknown> = { resourceVersion: page.resourceVersion };
    if (page.continue) meta.continue = page.continue;
    if (page.remainingItemCount !== undefined) meta.remainingItemCount = page.remainingItemCount;
    const head = `{"kind":${JSON.stringify(r.rt.listKind)},"apiVersion":${JSON.stringify(apiVersionOf(r.rt))},"metadata":${JSON.stringify(meta)},"items":[`;
    if (r.format.kind !== 'json') {
      sendJsonText(res, 200, `${head}${page.items.map((i: StoredObject) => i.text).join(',')}]}`, r.format);
      return;
    }
    // Stream the stored bytes in chunks instead of building one string of every item. The items
    // are a snapshot (immutable KeyValues), so the turns spent waiting for drain change nothing.
    res.writeHead(200, { 'Content-Type': 'application/json' });
    const items = page.items;
    const tail = ']}';
    let chunk = head;
    for (let i = 0; i < items.length; ) {
      // One buffer per chunk, sized exactly, with the items' JSON copied straight into it.
      let size = Buffer.byteLength(chunk);
      let end = i;
      while (end < items.length && size < LIST_CHUNK_BYTES) {
        size += items[end]!.byteLength + (end > 0 ? 1 : 0);
        end++;
      }
      if (end === items.length) size += tail.length;
      const buf = size > CHUNK_CAPACITY ? Buffer.allocUnsafe(size) : (chunkPool.pop() ?? Buffer.allocUnsafe(CHUNK_CAPACITY)).subarray(0, size);
      let at = buf.write(chunk, 0);
      for (let j = i; j < end; j++) {
        if (j > 0) buf[at++] = 0x2c; // ','
        at = items[j]!.writeTo(buf, at);
      }
      if (end === items.length) at += buf.write(tail, at);
      if (at !== size) throw new Error(`list chunk assembled ${at} of ${size} bytes`);
      i = end;
      chunk = '';
      if (end === items.length) {
        res.end(buf, () => release(buf));
        return;
      }
      if (!res.write(buf, (err) => err || release(buf)) && !(await drained(res))) return;
    }
    res.end(`${chunk}${tail}`);
  }

  private table(r: ResourceRequest, objects: KubeObject[], resourceVersion: string, cont?: string, remaining?: number) {
    return convertToTable(r.rt.group, r.rt.kind, objects, {
      now: new Date(),
      includeObject: parseIncludeObject(r.query.get('includeObject') ?? undefined),
      resourceVersion,
      continue: cont,
      remainingItemCount: remaining,
      convertor: this.hooks.convertorFor?.(r.rt),
    });
  }

  private async watch(req: IncomingMessage, res: ServerResponse, r: ResourceRequest): Promise<void> {
    const timeoutParam = parseNonNegativeInt(r.query.get('timeoutSeconds'), 'timeoutSeconds');
    const timeoutS = timeoutParam ?? MIN_REQUEST_TIMEOUT_S * (1 + Math.random());
    const allowBookmarks = isTrue(r.query.get('allowWatchBookmarks'));
    const includeObject = r.format.kind === 'table' ? parseIncludeObject(r.query.get('includeObject') ?? undefined) : 'None';
    const abort = new AbortController();
    const { signal } = abort;
    const stop = () => abort.abort();
    req.on('close', stop);
    res.on('close', stop);
    this.hooks.shutdown?.addEventListener('abort', stop, { once: true });
    const timer = setTimeout(stop, timeoutS * 1000);
    // Selectors and the starting point are checked here, so a mistake is an HTTP error, not a stream.
    let events: AsyncGenerator<import('./store.js').WatchOutput>;
    try {
      events = this.store.watch(
      r.rt,
      r.namespace,
      {
        labelSelector: r.query.get('labelSelector') ?? undefined,
        fieldSelector: r.query.get('fieldSelector') ?? undefined,
        resourceVersion: r.query.get('resourceVersion') ?? undefined,
      },
      signal,
    );
    } catch (e) {
      clearTimeout(timer);
      req.off('close', stop);
      throw e;
    }
    const iterator = events[Symbol.asyncIterator]();
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    let headersSent = false;
    let lastRv = r.query.get('resourceVersion') ?? '';
    const write = async (line: string) => {
      if (!res.write(line)) await new Promise<void>((resolve) => {
        const done = () => { res.off('drain', done); signal.removeEventListener('abort', done); resolve(); };
        res.once('drain', done);
        signal.addEventListener('abort', done, { once: true });
      });
    };
    const bookmarks = allowBookmarks
      ? setInterval(() => {
          if (!lastRv || signal.aborted) return;
          const object = { kind: r.rt.kind, apiVersion: apiVersionOf(r.rt), metadata: { resourceVersion: lastRv } };
          res.write(`{"type":"BOOKMARK","object":${JSON.stringify(object)}}\n`);
        }, BOOKMARK_INTERVAL_MS)
      : undefined;
    try {
      // The storage watch ends when `signal` aborts, so a pending next() settles then too.
      let next = await iterator.next();
      while (!next.done && !signal.aborted) {
        const ev = next.value;
        if (ev.type === 'ERROR') {
          await write(`{"type":"ERROR","object":${ev.text}}\n`);
          break;
        }
        if (r.format.kind === 'table') {
          const object = ev.object ?? (JSON.parse(ev.text) as KubeObject);
          lastRv = object.metadata.resourceVersion ?? lastRv;
          const table = convertToTable(r.rt.group, r.rt.kind, [object], {
            now: new Date(),
            includeObject,
            resourceVersion: lastRv,
            withHeaders: !headersSent,
            convertor: this.hooks.convertorFor?.(r.rt),
          });
          headersSent = true;
          await write(`{"type":"${ev.type}","object":${JSON.stringify(table)}}\n`);
        } else {
          lastRv = resourceVersionOfText(ev.text) ?? lastRv;
          await write(`{"type":"${ev.type}","object":${ev.text}}\n`);
        }
        next = await iterator.next();
      }
    } catch (e) {
      // A watcher too slow to keep up is closed; its client re-watches from the last version it saw.
      if (!signal.aborted && !(e instanceof WatchOverflowError)) {
        const err = e instanceof StatusError ? e : new StatusError(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
        res.write(`{"type":"ERROR","object":${JSON.stringify(err.toStatus())}}\n`);
      }
    } finally {
      clearTimeout(timer);
      if (bookmarks) clearInterval(bookmarks);
      abort.abort();
      void iterator.return?.(undefined);
      req.off('close', stop);
      this.hooks.shutdown?.removeEventListener('abort', stop);
      res.end();
    }
  }

  // ---- writes -----------------------------------------------------------------------------

  private async create(req: IncomingMessage, res: ServerResponse, r: ResourceRequest): Promise<void> {
    const body = await this.readObject(req, r, res);
    const created = await this.store.create(r.rt, r.namespace, body, this.admitted(res, r, writeOptions(req, r.query, 'CreateOptions'), 'CreateOptions'));
    sendObject(res, 201, created, r.format, writtenJson(created));
  }

  private async replace(req: IncomingMessage, res: ServerResponse, r: ResourceRequest): Promise<void> {
    const body = await this.readObject(req, r, res);
    const { object, created } = await this.store.update(r.rt, r.namespace, r.name!, () => body, this.admitted(res, r, writeOptions(req, r.query, 'UpdateOptions'), 'UpdateOptions'));
    sendObject(res, created ? 201 : 200, object, r.format, writtenJson(object));
  }

  private async patch(req: IncomingMessage, res: ServerResponse, r: ResourceRequest, subresource?: 'status'): Promise<void> {
    const { type, patch } = await this.readPatch(req);
    if (type === 'application/strategic-merge-patch+json' && !isBuiltin(r.rt)) {
      throw unsupportedMediaType(PATCH_MEDIA_TYPES.filter((t) => t !== 'application/strategic-merge-patch+json'));
    }
    const options = this.admitted(res, { ...r, subresource }, writeOptions(req, r.query, 'PatchOptions'), 'PatchOptions');
    const schema = this.hooks.schemaFor?.(r.rt);
    if (type === 'application/apply-patch+yaml') {
      validateApplyRequest(r.query.get('fieldManager') ?? undefined);
      if (!isPlainObject(patch)) throw badRequest('the apply body must be an object');
      if (schema) this.reportFieldProblems(r, res, () => findUnknownFields(schema, patch).map(unknownMessage));
      const config = structuredClone(patch) as KubeObject;
      if (schema) dropUnknownFields(schema, config);
      const { object, created } = await this.store.apply(r.rt, r.namespace, r.name!, config, {
        ...options,
        manager: r.query.get('fieldManager')!,
        force: isTrue(r.query.get('force')),
        subresource,
      });
      sendObject(res, created ? 201 : 200, object, r.format, writtenJson(object));
      return;
    }
    const { object } = await this.store.update(
      r.rt,
      r.namespace,
      r.name!,
      (current) => {
        if (!current) throw notFound(groupResource(r.rt), r.name!);
        const patched = applyPatch(r.rt, type, current, patch) as KubeObject;
        if (schema) {
          this.reportFieldProblems(r, res, () => findUnknownFields(schema, patched).map(unknownMessage));
          dropUnknownFields(schema, patched);
        }
        return patched;
      },
      { ...options, subresource },
    );
    sendObject(res, 200, object, r.format, writtenJson(object));
  }

  private async delete(req: IncomingMessage, res: ServerResponse, r: ResourceRequest): Promise<void> {
    const options = this.admitted(res, r, await this.readDeleteOptions(req, r.query), 'DeleteOptions');
    const { object, deleted } = await this.store.delete(r.rt, r.namespace, r.name!, options);
    if (!deleted && r.rt.group === '' && r.rt.plural === 'namespaces') this.hooks.onNamespaceTerminating?.(r.name!);
    sendObject(res, 200, object, r.format, writtenJson(object));
  }

  private async deleteCollection(req: IncomingMessage, res: ServerResponse, r: ResourceRequest): Promise<void> {
    if (!r.rt.verbs.includes('deletecollection')) throw methodNotAllowed();
    const options = this.admitted(res, r, await this.readDeleteOptions(req, r.query), 'DeleteOptions');
    const page = await this.store.list(r.rt, r.namespace, {
      labelSelector: r.query.get('labelSelector') ?? undefined,
      fieldSelector: r.query.get('fieldSelector') ?? undefined,
    });
    const items: KubeObject[] = [];
    for (const item of page.items) {
      try {
        const { object } = await this.store.delete(r.rt, item.object.metadata.namespace, item.object.metadata.name!, options);
        items.push(object);
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) throw e;
      }
    }
    sendObject(res, 200, { kind: r.rt.listKind, apiVersion: apiVersionOf(r.rt), metadata: { resourceVersion: String(await this.store.currentRevision()) }, items }, r.format);
  }

  // ---- subresources -----------------------------------------------------------------------

  private async handleSubresource(req: IncomingMessage, res: ServerResponse, r: ResourceRequest, method: string): Promise<void> {
    const sub = r.rt.subresources.find((s) => s.name === r.subresource);
    if (!sub || r.name === undefined) throw routeNotFound();
    switch (sub.name) {
      case 'status':
        if (method === 'GET') return this.get(res, { ...r, subresource: undefined });
        if (method === 'PUT') {
          const body = await this.readObject(req);
          const { object } = await this.store.update(r.rt, r.namespace, r.name, () => body, { ...this.admitted(res, r, writeOptions(req, r.query, 'UpdateOptions'), 'UpdateOptions'), subresource: 'status' });
          return sendObject(res, 200, object, r.format, writtenJson(object));
        }
        if (method === 'PATCH') return this.patch(req, res, r, 'status');
        throw methodNotAllowed();
      case 'scale':
        return this.scale(req, res, r, method);
      case 'binding':
        if (method !== 'POST') throw methodNotAllowed();
        return this.bind(req, res, r);
      case 'finalize':
        if (method !== 'PUT') throw methodNotAllowed();
        return this.finalizeNamespace(req, res, r);
      case 'eviction':
        if (method !== 'POST') throw methodNotAllowed();
        if (!this.hooks.evict) throw routeNotFound();
        return this.hooks.evict(req, res, r, await this.admitSubresourceCreate(req, res, r, await this.readObject(req), EVICTION_KIND));
      case 'log':
        if (method !== 'GET') throw methodNotAllowed();
        if (!this.hooks.podLogs) throw routeNotFound();
        return this.hooks.podLogs(req, res, r);
      default:
        throw routeNotFound();
    }
  }

  private async scale(req: IncomingMessage, res: ServerResponse, r: ResourceRequest, method: string): Promise<void> {
    const paths = r.rt.scalePaths ?? DEFAULT_SCALE_PATHS;
    const toScale = (obj: KubeObject) => {
      const selector = paths.labelSelectorPath ? getAtPath(obj, paths.labelSelectorPath) : undefined;
      return {
        kind: 'Scale',
        apiVersion: 'autoscaling/v1',
        metadata: {
          name: obj.metadata.name,
          namespace: obj.metadata.namespace,
          uid: obj.metadata.uid,
          resourceVersion: obj.metadata.resourceVersion,
          creationTimestamp: obj.metadata.creationTimestamp,
        },
        spec: { replicas: (getAtPath(obj, paths.specReplicasPath) as number | undefined) ?? 0 },
        status: {
          replicas: (getAtPath(obj, paths.statusReplicasPath) as number | undefined) ?? 0,
          selector: typeof selector === 'string' ? selector : selectorString(selector as Parameters<typeof selectorString>[0]),
        },
      };
    };
    if (method === 'GET') {
      const item = await this.store.get(r.rt, r.namespace, r.name!);
      return sendObject(res, 200, toScale(item.object), r.format);
    }
    if (method !== 'PUT' && method !== 'PATCH') throw methodNotAllowed();
    const body = method === 'PUT' ? await this.readObject(req) : undefined;
    const patchInput = method === 'PATCH' ? await this.readPatch(req) : undefined;
    const { object } = await this.store.update(
      r.rt,
      r.namespace,
      r.name!,
      (current) => {
        if (!current) throw notFound(groupResource(r.rt), r.name!);
        const scale = toScale(current);
        const wanted = (body ?? applyPatch(r.rt, patchInput!.type, scale as KubeObject, patchInput!.patch, true)) as KubeObject;
        const replicas = wanted.spec?.replicas;
        if (!Number.isInteger(replicas) || replicas < 0) {
          throw invalid('Scale', 'autoscaling', r.name!, [fieldError.invalid('spec.replicas', replicas, 'must be greater than or equal to 0')]);
        }
        const rv = wanted.metadata?.resourceVersion;
        if (rv && rv !== current.metadata.resourceVersion) throw conflict(groupResource(r.rt), r.name!, OBJECT_MODIFIED);
        const next = structuredClone(current);
        delete next.metadata.resourceVersion;
        setAtPath(next, paths.specReplicasPath, replicas);
        return next;
      },
      {
        ...this.admitted(res, r, writeOptions(req, r.query, method === 'PUT' ? 'UpdateOptions' : 'PatchOptions'), method === 'PUT' ? 'UpdateOptions' : 'PatchOptions', {
          kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
          to: (obj) => toScale(obj) as KubeObject,
          from: (obj, scale) => {
            const next = structuredClone(obj);
            setAtPath(next, paths.specReplicasPath, scale.spec?.replicas);
            return next;
          },
        }),
        subresource: 'scale',
      },
    );
    sendObject(res, 200, toScale(object), r.format);
  }

  private async bind(req: IncomingMessage, res: ServerResponse, r: ResourceRequest): Promise<void> {
    const binding = await this.admitSubresourceCreate(req, res, r, await this.readObject(req), BINDING_KIND);
    const target = (binding as { target?: { name?: string; kind?: string } }).target;
    if (!target?.name) throw badRequest('target.name: Required value');
    await this.store.update(
      r.rt,
      r.namespace,
      r.name!,
      (current) => {
        if (!current) throw notFound(groupResource(r.rt), r.name!);
        if (current.metadata.deletionTimestamp) throw conflict(groupResource(r.rt), r.name!, 'pod is being deleted, cannot be assigned to a host');
        if (current.spec?.nodeName) throw conflict(groupResource(r.rt), r.name!, `pod ${r.name} is already assigned to node "${current.spec.nodeName}"`);
        const next = structuredClone(current);
        next.spec.nodeName = target.name;
        const conditions: Array<Record<string, unknown>> = (next.status.conditions ??= []);
        const scheduled = { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowTimestamp() };
        const at = conditions.findIndex((c) => c.type === 'PodScheduled');
        if (at >= 0) conditions[at] = scheduled;
        else conditions.push(scheduled);
        return next;
      },
      { ...writeOptions(req, r.query, 'CreateOptions'), subresource: 'binding' },
    );
    sendObject(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }

  private async finalizeNamespace(req: IncomingMessage, res: ServerResponse, r: ResourceRequest): Promise<void> {
    const body = await this.readObject(req);
    const finalizers = (body.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
    const { object } = await this.store.update(r.rt, undefined, r.name!, (current) => {
      if (!current) throw notFound(groupResource(r.rt), r.name!);
      return { ...current, spec: { ...current.spec, finalizers } };
    }, { subresource: 'finalize' });
    sendObject(res, 200, object, r.format);
  }

  // ---- bodies -----------------------------------------------------------------------------

  /**
   * Read an object body. With `r` and `res`, unknown and duplicate fields are checked as the
   * request's fieldValidation asks (Strict: 400; Warn, the default: Warning headers).
   */
  private async readObject(req: IncomingMessage, r?: ResourceRequest, res?: ServerResponse): Promise<KubeObject> {
    const raw = await readBody(req);
    const contentType = req.headers['content-type'];
    const body = decodeBody(contentType, raw);
    if (!isPlainObject(body)) throw badRequest('the object provided is unrecognized (must be a JSON object)');
    if (body.metadata !== undefined && !isPlainObject(body.metadata)) throw badRequest('metadata must be an object');
    if (r && res) {
      const schema = this.hooks.schemaFor?.(r.rt);
      const type = mediaType(contentType) || 'application/json';
      if (schema && type === 'application/json') this.reportFieldProblems(r, res, () => strictDecodingErrorsFast(schema, raw.toString('utf8'), body));
      else if (schema && type === 'application/yaml') this.reportFieldProblems(r, res, () => findUnknownFields(schema, body).map(unknownMessage));
      if (schema) dropUnknownFields(schema, body);
    }
    body.metadata ??= {};
    return body as KubeObject;
  }

  /**
   * Admission of a subresource whose body is an object of its own (a Binding, an Eviction): a
   * CREATE of that object, mutated then validated before the subresource acts, as kube admits
   * them. The pod write that follows is the server's own and is not admitted again.
   */
  private async admitSubresourceCreate(req: IncomingMessage, res: ServerResponse, r: ResourceRequest, body: KubeObject, kind: NonNullable<AdmissionRequestInfo['kind']>): Promise<KubeObject> {
    const { admission } = this.admitted(res, r, writeOptions(req, r.query, 'CreateOptions'), 'CreateOptions', { kind, to: (o) => o, from: (_o, view) => view });
    if (!admission) return body;
    const admitted = (await admission.mutate('CREATE', body, undefined)) ?? body;
    await admission.validate('CREATE', admitted, undefined);
    return admitted;
  }

  /** The write options with the request's admission (webhooks); their warnings become `Warning` headers. */
  private admitted<T extends WriteOptions>(
    res: ServerResponse,
    r: ResourceRequest,
    opts: T,
    kind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions',
    view?: { kind: AdmissionRequestInfo['kind']; to(obj: KubeObject): KubeObject; from(obj: KubeObject, view: KubeObject): KubeObject },
  ): T {
    if (!this.hooks.admission) return opts;
    const options: Record<string, unknown> = { kind, apiVersion: 'meta.k8s.io/v1' };
    if (opts.dryRun) options.dryRun = ['All'];
    const fieldManager = r.query.get('fieldManager');
    if (fieldManager && kind !== 'DeleteOptions') options.fieldManager = fieldManager;
    const del = opts as DeleteOptions;
    if (kind === 'DeleteOptions' && del.propagationPolicy) options.propagationPolicy = del.propagationPolicy;
    if (kind === 'DeleteOptions' && del.gracePeriodSeconds !== undefined) options.gracePeriodSeconds = del.gracePeriodSeconds;
    const admission = this.hooks.admission({
      rt: r.rt,
      namespace: r.namespace,
      name: r.name,
      subresource: r.subresource,
      kind: view?.kind,
      dryRun: Boolean(opts.dryRun),
      options,
      warn: (message) => {
        const existing = res.getHeader('Warning');
        const previous = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
        res.setHeader('Warning', [...previous, warningHeaderValue(message)]);
      },
    });
    if (!admission) return opts;
    return { ...opts, admission: view ? viewedAs(admission, view.to, view.from) : admission };
  }

  private reportFieldProblems(r: ResourceRequest, res: ServerResponse, find: () => string[]): void {
    const mode = fieldValidationOf(r.query);
    if (mode === 'Ignore') return;
    const problems = find();
    if (problems.length === 0) return;
    if (mode === 'Strict') {
      throw badRequest(`${r.rt.kind} in version "${r.rt.version}" cannot be handled as a ${r.rt.kind}: ${strictDecodingMessage(problems)}`);
    }
    const existing = res.getHeader('Warning');
    const previous = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
    res.setHeader('Warning', [...previous, ...problems.map(warningHeaderValue)]);
  }

  private async readPatch(req: IncomingMessage): Promise<{ type: string; patch: unknown }> {
    const type = mediaType(req.headers['content-type']);
    if (!PATCH_MEDIA_TYPES.includes(type)) throw unsupportedMediaType(PATCH_MEDIA_TYPES);
    const raw = await readBody(req);
    return { type, patch: decodeBody(type, raw) };
  }

  private async readDeleteOptions(req: IncomingMessage, query: URLSearchParams): Promise<DeleteOptions> {
    const raw = await readBody(req);
    let body: Record<string, unknown> = {};
    if (raw.length > 0) {
      const decoded = decodeBody(req.headers['content-type'], raw);
      if (!isPlainObject(decoded)) throw badRequest('the DeleteOptions body must be an object');
      body = decoded;
    }
    const dryRun = isDryRun(query) || (Array.isArray(body.dryRun) && body.dryRun.includes('All'));
    const propagationPolicy = (query.get('propagationPolicy') ?? body.propagationPolicy) as string | undefined;
    if (propagationPolicy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(propagationPolicy)) {
      throw new StatusError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${propagationPolicy}": supported values: "Foreground", "Background", "Orphan", "nil"`);
    }
    return {
      dryRun,
      propagationPolicy,
      gracePeriodSeconds: parseNonNegativeInt(query.get('gracePeriodSeconds'), 'gracePeriodSeconds') ?? (body.gracePeriodSeconds as number | undefined),
      preconditions: body.preconditions as DeleteOptions['preconditions'],
    };
  }
}

function applyPatch(rt: ResourceType, type: string, current: KubeObject, patch: unknown, forScale = false): unknown {
  switch (type) {
    case 'application/json-patch+json':
      return applyJsonPatch(current, patch);
    case 'application/merge-patch+json':
      return applyMergePatch(current, patch);
    case 'application/strategic-merge-patch+json':
      return applyStrategicMergePatch(current, patch, forScale ? () => ({}) : builtinPatchMeta(rt.group, rt.kind));
    default:
      throw unsupportedMediaType(PATCH_MEDIA_TYPES);
  }
}

function isBuiltin(rt: ResourceType): boolean {
  return rt.group === '' || !rt.group.includes('.') || rt.group.endsWith('.k8s.io');
}

type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

function fieldValidationOf(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw badRequest(`fieldValidation parameter unsupported: ${v}. Supported values are: Ignore, Warn, Strict`);
}

/** dryRun and the field manager (the fieldManager parameter, else the User-Agent's prefix). */
function writeOptions(req: IncomingMessage, query: URLSearchParams, optionsKind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions'): WriteOptions {
  const fieldManager = query.get('fieldManager') ?? undefined;
  validateFieldManager(fieldManager, optionsKind);
  return { dryRun: isDryRun(query), manager: fieldManager ?? managerFromUserAgent(req.headers['user-agent'] ?? '') };
}

function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1';
}

function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values) if (v !== 'All') throw badRequest(`Invalid dry run value: ${v}; valid values are: All`);
  return values.length > 0;
}

function parseNonNegativeInt(v: string | null, name: string): number | undefined {
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw badRequest(`invalid value for ${name}: "${v}"`);
  return n;
}

/** Resolves true when `res` can take more data, false when it closed first (the client went away). */
function drained(res: ServerResponse): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

function joinSelector(existing: string | null, extra: string): string {
  return existing ? `${existing},${extra}` : extra;
}

function resourceVersionOfText(text: string): string | undefined {
  const m = /"resourceVersion":"(\d+)"/.exec(text);
  return m?.[1];
}

/** The label selector of a scale target as a string (`app=web,tier in (fe)`). */
function selectorString(selector: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | undefined): string {
  if (!selector) return '';
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

