/**
 * The generic REST store (apiserver's registry/generic/registry.Store): create, get, list, update,
 * delete and watch for any resource, over a storage Backend, with per-kind strategies. It knows
 * nothing of HTTP; the handler maps requests onto it and renders its StatusErrors.
 */
import { randomUUID } from 'node:crypto';
import {
  alreadyExists,
  badRequest,
  conflict,
  expired,
  forbidden,
  invalid,
  notFound,
  OBJECT_MODIFIED,
  qualifiedName,
  StatusError,
  tooOldResourceVersion,
  fieldError,
  type FieldError,
} from '../apimachinery/errors.js';
import { parseFieldSelector, validateFieldSelector, type FieldSelector } from '../apimachinery/field-selector.js';
import { parseLabelSelector, type LabelSelector } from '../apimachinery/label-selector.js';
import { isPlainObject, nowTimestamp, type KubeObject } from '../apimachinery/object.js';
import { apiVersionOf, groupResource, type ResourceType } from '../apimachinery/resource-type.js';
import { validateObjectMeta, type NameRule } from '../apimachinery/validation.js';
import {
  CompactedError,
  ConflictError,
  KeyExistsError,
  KeyNotFoundError,
  type Backend,
  type KeyValue,
  type WatchEvent,
} from '../storage/index.js';
import { copySpliced, decodeFromStorage, encodeForStorage, metadataOpenEnd, splicedByteLength, storedTextWithResourceVersion } from './codec.js';
import { apply as applyConfiguration, builtinEmptyObject, builtinListMeta, recordUpdate } from './field-manager/index.js';
import { conversionKey, CONVERSIONS, type Conversion } from './conversion.js';
import { strategyKey, type Strategy, type StrategyTable } from './strategy.js';

/**
 * JSON text rendered from storage, by KeyValue: one storage event reaches every watcher, and the
 * storage's list cache hands the same KeyValue to every get and list until the key changes, so the
 * text is rendered once for all of them. Bounded to the recently rendered (two generations of
 * RENDERED_GENERATION entries): long-lived KeyValues must not each pin a copy of their text, and
 * texts kept longer than a few young-generation GCs would be copied and promoted (with 2,048,
 * gets looked 15-25% dearer in CPU, on a noisy machine). A watch event's watchers all ask for its text within that window.
 */
class RenderedTexts {
  private current = new Map<KeyValue, string>();
  private previous = new Map<KeyValue, string>();

  get(kv: KeyValue): string | undefined {
    return this.current.get(kv) ?? this.previous.get(kv);
  }

  set(kv: KeyValue, text: string): void {
    if (this.current.size >= RENDERED_GENERATION) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(kv, text);
  }
}
const RENDERED_GENERATION = 256;
const renderedText = new RenderedTexts();
/** The JSON text of objects this store just wrote, so responses need not serialise them again. */
const writtenText = new WeakMap<KubeObject, string>();

/** The JSON of an object as the store wrote it, if it came from a create or update just now. */
export function writtenJson(obj: KubeObject): string | undefined {
  return writtenText.get(obj);
}

/** An object read from storage: its JSON text (with resourceVersion), parsed on demand. */
export class StoredObject {
  private parsed?: KubeObject;
  private textCache?: string;
  /** Where the resourceVersion goes in the stored bytes. */
  private spliceAt?: number;
  constructor(
    private readonly kv: KeyValue,
    private readonly conversion?: Conversion,
  ) {}
  get text(): string {
    if (this.textCache === undefined) {
      if (this.conversion) this.textCache = JSON.stringify(this.object);
      else {
        // One storage event reaches every watcher: render its text once for all of them.
        let text = renderedText.get(this.kv);
        if (text === undefined) {
          text = storedTextWithResourceVersion(this.kv.value, this.kv.modRevision);
          renderedText.set(this.kv, text);
        }
        this.textCache = text;
      }
    }
    return this.textCache;
  }
  /** A parsed copy owned by the caller's read; treat it as read-only. */
  get object(): KubeObject {
    if (this.parsed === undefined) {
      const stored = decodeFromStorage(this.kv.value, this.kv.modRevision);
      this.parsed = this.conversion ? this.conversion.fromStorage(stored) : stored;
    }
    return this.parsed;
  }
  get resourceVersion(): number {
    return this.kv.modRevision;
  }

  /** Length of the object's JSON in bytes, for `writeTo`. */
  get byteLength(): number {
    if (this.conversion || this.textCache !== undefined) return Buffer.byteLength(this.text);
    this.spliceAt ??= metadataOpenEnd(this.kv.value);
    return splicedByteLength(this.kv.value, this.spliceAt, this.kv.modRevision);
  }

  /**
   * Writes the object's JSON into `target` at `offset` (room for `byteLength` bytes) and returns
   * the offset after it: straight from the stored bytes when nothing converts them, no string built.
   */
  writeTo(target: Buffer, offset: number): number {
    if (this.conversion || this.textCache !== undefined) return offset + target.write(this.text, offset);
    this.spliceAt ??= metadataOpenEnd(this.kv.value);
    return copySpliced(this.kv.value, this.spliceAt, this.kv.modRevision, target, offset);
  }
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface ListPage {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
  items: StoredObject[];
}

/**
 * Admission for one request (webhooks): `mutate` runs before the strategy's defaults and
 * validation and may return a changed object; `validate` runs after them, before storage.
 */
export interface AdmissionHook {
  mutate(operation: 'CREATE' | 'UPDATE' | 'DELETE', object: KubeObject | undefined, old: KubeObject | undefined): Promise<KubeObject | undefined>;
  validate(operation: 'CREATE' | 'UPDATE' | 'DELETE', object: KubeObject | undefined, old: KubeObject | undefined): Promise<void>;
}

export interface WriteOptions {
  /** Admission of a client's request; the server's own writes have none. */
  admission?: AdmissionHook;
  dryRun?: boolean;
  /** Who writes, for managedFields (the request's fieldManager or its User-Agent prefix). */
  manager?: string;
  /** The object already carries the managedFields of a server-side apply. */
  applied?: boolean;
}

/** The manager of writes the server makes itself (namespace and CRD lifecycles, garbage collector). */
export const SERVER_MANAGER = 'flotilla-apiserver';

export interface DeleteOptions extends WriteOptions {
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
  gracePeriodSeconds?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchOutput {
  type: WatchEventType;
  /** The event's object as JSON text. */
  text: string;
  /** Parsed object, when parsing was needed anyway (selectors, tables). */
  object?: KubeObject;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowBookmarks?: boolean;
  bookmarkIntervalMs?: number;
}

const CONTINUE_TOO_OLD =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

const GENERATE_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_UPDATE_RETRIES = 16;

export interface StoreObserver {
  written(rt: ResourceType, obj: KubeObject): void;
  deleted(rt: ResourceType, obj: KubeObject): void;
}

export class Store {
  /** Namespace name → terminating, for the check every namespaced create makes (filled on first use). */
  private readonly namespaces = new Map<string, boolean>();

  constructor(
    private readonly backend: Backend,
    private readonly strategies: StrategyTable,
    /** Kinds stored in another form, keyed `group/version/kind`; CRDs add theirs at run time. */
    private readonly conversions: ReadonlyMap<string, Conversion> = CONVERSIONS,
    private readonly now: () => Date = () => new Date(),
  ) {}

  // ---- observers --------------------------------------------------------------------------

  private readonly observers: StoreObserver[] = [];

  /**
   * Be told of every object this store writes or deletes, with the object in hand (this process
   * owns the storage, so nothing is missed). The observer must not change the object.
   */
  observe(observer: StoreObserver): void {
    this.observers.push(observer);
  }

  private notifyWritten(rt: ResourceType, obj: KubeObject): void {
    if (obj.kind === 'Namespace' && rt.group === '') this.namespaces.set(obj.metadata.name!, Boolean(obj.metadata.deletionTimestamp) || obj.status?.phase === 'Terminating');
    for (const o of this.observers) o.written(rt, obj);
  }

  private notifyDeleted(rt: ResourceType, obj: KubeObject): void {
    if (obj.kind === 'Namespace' && rt.group === '') this.namespaces.delete(obj.metadata.name!);
    for (const o of this.observers) o.deleted(rt, obj);
  }

  // ---- keys -------------------------------------------------------------------------------

  keyPrefix(rt: ResourceType, namespace?: string): string {
    const stored = this.conversionFor(rt)?.storage ?? rt;
    const base = `/registry/${stored.group || 'core'}/${stored.plural}/`;
    return rt.namespaced && namespace ? `${base}${namespace}/` : base;
  }

  key(rt: ResourceType, namespace: string | undefined, name: string): string {
    return `${this.keyPrefix(rt, rt.namespaced ? namespace : undefined)}${name}`;
  }

  private conversionFor(rt: ResourceType): Conversion | undefined {
    return this.conversions.get(conversionKey(rt));
  }

  private wrap(rt: ResourceType, kv: KeyValue): StoredObject {
    return new StoredObject(kv, this.conversionFor(rt));
  }

  private decode(rt: ResourceType, kv: KeyValue): KubeObject {
    const stored = decodeFromStorage(kv.value, kv.modRevision);
    const conversion = this.conversionFor(rt);
    return conversion ? conversion.fromStorage(stored) : stored;
  }

  private encode(rt: ResourceType, obj: KubeObject): Uint8Array {
    const conversion = this.conversionFor(rt);
    return encodeForStorage(conversion ? conversion.toStorage(obj) : obj);
  }

  private strategy(rt: ResourceType): Strategy {
    return this.strategies.get(strategyKey(rt.group, rt.kind)) ?? {};
  }

  // ---- reads ------------------------------------------------------------------------------

  async get(rt: ResourceType, namespace: string | undefined, name: string): Promise<StoredObject> {
    const kv = await this.backend.get(this.key(rt, namespace, name));
    if (!kv) throw notFound(groupResource(rt), name);
    return this.wrap(rt, kv);
  }

  async tryGet(rt: ResourceType, namespace: string | undefined, name: string): Promise<StoredObject | undefined> {
    const kv = await this.backend.get(this.key(rt, namespace, name));
    return kv ? this.wrap(rt, kv) : undefined;
  }

  async list(rt: ResourceType, namespace: string | undefined, opts: ListOptions = {}): Promise<ListPage> {
    const prefix = this.keyPrefix(rt, namespace);
    const filter = this.filterFor(rt, opts.labelSelector, opts.fieldSelector);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : undefined;
    let revision: number | undefined;
    let startKey: string | undefined;
    if (opts.continue) {
      const token = decodeContinue(opts.continue);
      revision = token.rv;
      startKey = prefix + token.start;
    }
    const items: StoredObject[] = [];
    let listRevision = 0;
    let more = false;
    let remaining: number | undefined;
    let lastKey = '';
    try {
      for (;;) {
        const want = limit ? Math.max(limit - items.length, 1) : undefined;
        const page = await this.backend.list(prefix, { startKey, limit: want, revision });
        listRevision = page.revision;
        revision = page.revision;
        let cutShort = false;
        for (let i = 0; i < page.items.length; i++) {
          const kv = page.items[i];
          lastKey = kv.key;
          const item = this.wrap(rt, kv);
          if (!filter || filter(item.object)) items.push(item);
          if (limit && items.length >= limit) {
            cutShort = i < page.items.length - 1;
            break;
          }
        }
        more = page.more || cutShort;
        remaining = page.remaining;
        if (!limit || items.length >= limit || !page.more) break;
        startKey = `${lastKey}\u0000`;
      }
    } catch (e) {
      if (e instanceof CompactedError) {
        // kube offers a fresh token that continues from the same key at the current revision.
        const err = expired(CONTINUE_TOO_OLD);
        if (startKey !== undefined) err.listMeta = { continue: encodeContinue(await this.backend.currentRevision(), startKey.slice(prefix.length)) };
        throw err;
      }
      throw e;
    }
    const result: ListPage = { resourceVersion: String(listRevision), items };
    if (limit && more) {
      result.continue = encodeContinue(listRevision, `${lastKey.slice(prefix.length)}\u0000`);
      if (!filter && remaining != null) result.remainingItemCount = remaining;
    }
    return result;
  }

  private filterFor(
    rt: ResourceType,
    labelSelector: string | undefined,
    fieldSelector: string | undefined,
  ): ((obj: KubeObject) => boolean) | undefined {
    const labels: LabelSelector | undefined = labelSelector ? parseLabelSelector(labelSelector) : undefined;
    let fields: FieldSelector | undefined;
    if (fieldSelector) {
      fields = parseFieldSelector(fieldSelector);
      validateFieldSelector(fields, this.selectableFieldNames(rt), this.strategy(rt).selectableFields ? 'field-label' : 'default');
    }
    const useLabels = labels && !labels.empty;
    const useFields = fields && fields.requirements.length > 0;
    if (!useLabels && !useFields) return undefined;
    const strategy = this.strategy(rt);
    return (obj) => {
      if (useLabels && !labels!.matches(obj.metadata.labels)) return false;
      if (useFields) {
        const values: Record<string, string> = {
          'metadata.name': obj.metadata.name ?? '',
          'metadata.namespace': obj.metadata.namespace ?? '',
          ...strategy.selectableFields?.(obj),
        };
        if (!fields!.matches(values)) return false;
      }
      return true;
    };
  }

  private selectableFieldNames(rt: ResourceType): Set<string> {
    const names = new Set(['metadata.name', 'metadata.namespace']);
    const sample = this.strategy(rt).selectableFields?.({ metadata: {} });
    for (const k of Object.keys(sample ?? {})) names.add(k);
    return names;
  }

  // ---- writes -----------------------------------------------------------------------------

  /** Create an object. The store takes ownership of `body` (and fills it in): pass a fresh object. */
  async create(rt: ResourceType, namespace: string | undefined, body: KubeObject, opts: WriteOptions = {}): Promise<KubeObject> {
    let obj = body;
    this.checkTypeAndNamespace(rt, namespace, obj);
    if (rt.namespaced) await this.checkNamespaceAcceptsCreates(rt, namespace!, obj.metadata.name ?? obj.metadata.generateName ?? '');
    const strategy = this.strategy(rt);
    if (opts.admission) {
      // Mutating admission sees the decoded, defaulted object, before name generation and system fields.
      strategy.defaults?.(obj);
      obj = (await opts.admission.mutate('CREATE', obj, undefined)) ?? obj;
      this.checkTypeAndNamespace(rt, namespace, obj);
    }
    const meta = obj.metadata;
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    meta.uid = randomUUID();
    meta.creationTimestamp = nowTimestamp(this.now());
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.selfLink;
    if (rt.generation) meta.generation = 1;
    else delete meta.generation;
    strategy.prepareForCreate?.(obj);
    strategy.defaults?.(obj);
    this.validate(rt, obj, [...this.metaErrors(rt, obj), ...(strategy.validate?.(obj) ?? [])]);
    if (!opts.applied) this.trackFields(rt, undefined, obj, opts.manager, undefined);
    await opts.admission?.validate('CREATE', obj, undefined);
    strategy.allocate?.(obj, undefined);
    if (opts.dryRun) {
      strategy.release?.(obj, undefined);
      return obj;
    }
    let revision: number;
    const encoded = this.encode(rt, obj);
    try {
      revision = await this.backend.create(this.key(rt, namespace, meta.name!), encoded);
    } catch (e) {
      strategy.release?.(obj, undefined);
      if (e instanceof KeyExistsError) throw alreadyExists(groupResource(rt), meta.name!);
      throw e;
    }
    meta.resourceVersion = String(revision);
    if (!this.conversionFor(rt)) writtenText.set(obj, storedTextWithResourceVersion(encoded, revision));
    strategy.afterWrite?.(obj, undefined);
    this.notifyWritten(rt, obj);
    return obj;
  }

  /**
   * Read-modify-write with optimistic concurrency (GuaranteedUpdate). `mutate` returns the new
   * object from the current one; when the new object names a resourceVersion it must match, or
   * the update fails with 409 Conflict. Without one it retries on storage conflicts.
   */
  async update(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    mutate: (current: KubeObject | undefined) => KubeObject | Promise<KubeObject>,
    opts: WriteOptions & { subresource?: 'status' | 'finalize' | 'scale' | 'binding'; createIfMissing?: boolean } = {},
  ): Promise<{ object: KubeObject; created: boolean }> {
    const strategy = this.strategy(rt);
    const key = this.key(rt, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.backend.get(key);
      const current = kv ? this.decode(rt, kv) : undefined;
      if (!current && !(opts.createIfMissing || strategy.allowCreateOnUpdate)) throw notFound(groupResource(rt), name);
      let next = structuredClone(await mutate(current ? structuredClone(current) : undefined));
      if (!isPlainObject(next) || !isPlainObject(next.metadata)) throw badRequest('the object provided is missing metadata');
      this.checkTypeAndNamespace(rt, namespace, next);
      if (next.metadata.name !== undefined && next.metadata.name !== name) {
        throw badRequest(`the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`);
      }
      next.metadata.name = name;
      if (!current) {
        if (opts.subresource) throw notFound(groupResource(rt), name);
        return { object: await this.create(rt, namespace, next, opts), created: true };
      }
      if (opts.admission) {
        const mutated = await opts.admission.mutate('UPDATE', next, current);
        if (mutated && mutated !== next) {
          this.checkTypeAndNamespace(rt, namespace, mutated);
          if (mutated.metadata.name !== name) throw badRequest(`the name of the object (${mutated.metadata.name}) does not match the name on the URL (${name})`);
          next = mutated;
        }
      }
      const requested = next.metadata.resourceVersion;
      if (requested && requested !== current.metadata.resourceVersion) {
        throw conflict(groupResource(rt), name, OBJECT_MODIFIED);
      }
      this.carryOverSystemFields(rt, next, current, opts.subresource);
      if (opts.subresource !== 'status' && opts.subresource !== 'finalize') {
        strategy.prepareForUpdate?.(next, current);
        strategy.defaults?.(next);
        if (rt.generation && specChanged(next, current)) next.metadata.generation = (current.metadata.generation ?? 0) + 1;
      }
      this.validate(rt, next, [
        ...this.metaErrors(rt, next),
        ...finalizersWhileDeleting(next, current),
        ...(strategy.validate?.(next) ?? []),
        ...(strategy.validateUpdate?.(next, current) ?? []),
      ]);
      if (!opts.applied) this.trackFields(rt, current, next, opts.manager, opts.subresource);
      await opts.admission?.validate('UPDATE', next, current);
      if (isUnchanged(next, current)) return { object: current, created: false };
      // An object being deleted goes once its last finalizer is removed, unless it is still in
      // its grace period (a pod waiting for its node agent), as kube's shouldDeleteDuringUpdate.
      if (next.metadata.deletionTimestamp && !hasPendingFinalizers(next) && (next.metadata.deletionGracePeriodSeconds ?? 0) === 0) {
        if (opts.dryRun) return { object: next, created: false };
        try {
          await this.backend.delete(key, kv!.modRevision);
        } catch (e) {
          if (e instanceof ConflictError && !requested && attempt < MAX_UPDATE_RETRIES) continue;
          if (e instanceof ConflictError) throw conflict(groupResource(rt), name, OBJECT_MODIFIED);
          throw e;
        }
        strategy.afterDelete?.(next);
        this.notifyDeleted(rt, next);
        return { object: next, created: false };
      }
      strategy.allocate?.(next, current);
      if (opts.dryRun) {
        strategy.release?.(next, current);
        return { object: next, created: false };
      }
      try {
        const encoded = this.encode(rt, next);
        const revision = await this.backend.update(key, encoded, kv!.modRevision);
        next.metadata.resourceVersion = String(revision);
        if (!this.conversionFor(rt)) writtenText.set(next, storedTextWithResourceVersion(encoded, revision));
      } catch (e) {
        strategy.release?.(next, current);
        if (e instanceof ConflictError && !requested && attempt < MAX_UPDATE_RETRIES) continue;
        if (e instanceof ConflictError) throw conflict(groupResource(rt), name, OBJECT_MODIFIED);
        if (e instanceof KeyNotFoundError) throw notFound(groupResource(rt), name);
        throw e;
      }
      strategy.afterWrite?.(next, current);
      this.notifyWritten(rt, next);
      return { object: next, created: false };
    }
  }

  /**
   * Server-side apply: merge `config` into the object (or create it), with field ownership,
   * conflicts and removal of fields the manager no longer applies.
   */
  async apply(
    rt: ResourceType,
    namespace: string | undefined,
    name: string,
    config: KubeObject,
    opts: WriteOptions & { manager: string; force: boolean; subresource?: 'status' },
  ): Promise<{ object: KubeObject; created: boolean }> {
    return this.update(
      rt,
      namespace,
      name,
      (current) =>
        applyConfiguration({
          live: current,
          config,
          manager: opts.manager,
          apiVersion: apiVersionOf(rt),
          kind: rt.kind,
          subresource: opts.subresource,
          force: opts.force,
          now: this.now(),
          ...this.tracking(rt, current ?? config, opts.subresource),
        }).object as KubeObject,
      { ...opts, createIfMissing: true, applied: true },
    );
  }

  /** How managedFields are computed for a kind: its list types, empty object and reset fields. */
  private tracking(rt: ResourceType, obj: KubeObject, subresource: string | undefined) {
    const strategy = this.strategy(rt);
    const hasStatus = rt.subresources.some((s) => s.name === 'status');
    return {
      listMeta: strategy.listMeta?.(obj) ?? builtinListMeta(rt.group, rt.kind),
      empty: strategy.listMeta ? {} : builtinEmptyObject(rt.group, rt.kind),
      ignoredFields: subresource === 'status' ? [['spec'], ['metadata']] : hasStatus && !subresource ? [['status']] : undefined,
    };
  }

  /** Record the write in metadata.managedFields (kube's field manager, operation Update). */
  private trackFields(rt: ResourceType, live: KubeObject | undefined, next: KubeObject, manager: string | undefined, subresource: string | undefined): void {
    const entries = recordUpdate({
      live,
      updated: next,
      manager: manager ?? SERVER_MANAGER,
      apiVersion: apiVersionOf(rt),
      subresource,
      now: this.now(),
      ...this.tracking(rt, next, subresource),
    });
    if (entries.length > 0) next.metadata.managedFields = entries;
    else delete next.metadata.managedFields;
  }

  /**
   * DELETE: with finalizers the object only gets a deletionTimestamp (200 with the object);
   * otherwise it is removed at once and the last state is returned.
   */
  async delete(rt: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<{ object: KubeObject; deleted: boolean }> {
    const strategy = this.strategy(rt);
    const key = this.key(rt, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const kv = await this.backend.get(key);
      if (!kv) throw notFound(groupResource(rt), name);
      const current = this.decode(rt, kv);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== current.metadata.uid) {
        throw conflict(groupResource(rt), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw conflict(
          groupResource(rt),
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
        );
      }
      if (opts.admission) {
        await opts.admission.mutate('DELETE', undefined, current);
        await opts.admission.validate('DELETE', undefined, current);
      }
      const plan = deletionPlan(rt, current, opts, this.now());
      if (plan) {
        const next = structuredClone(current);
        const meta = next.metadata;
        const alreadyDeleting = Boolean(meta.deletionTimestamp);
        meta.finalizers = [...(meta.finalizers ?? []), ...plan.addFinalizers.filter((f) => !meta.finalizers?.includes(f))];
        if (meta.finalizers.length === 0) delete meta.finalizers;
        if (!alreadyDeleting || (plan.gracePeriodSeconds !== undefined && plan.gracePeriodSeconds < (meta.deletionGracePeriodSeconds ?? Infinity))) {
          meta.deletionTimestamp = plan.deletionTimestamp;
          meta.deletionGracePeriodSeconds = plan.gracePeriodSeconds ?? 0;
        }
        plan.mark?.(next);
        if (deepEqual(next, current)) return { object: current, deleted: false };
        if (opts.dryRun) return { object: next, deleted: false };
        try {
          const revision = await this.backend.update(key, this.encode(rt, next), kv.modRevision);
          next.metadata.resourceVersion = String(revision);
        } catch (e) {
          if (e instanceof ConflictError && attempt < MAX_UPDATE_RETRIES) continue;
          throw e;
        }
        strategy.afterWrite?.(next, current);
        this.notifyWritten(rt, next);
        return { object: next, deleted: false };
      }
      if (opts.dryRun) return { object: current, deleted: true };
      try {
        await this.backend.delete(key, kv.modRevision);
      } catch (e) {
        if (e instanceof ConflictError && attempt < MAX_UPDATE_RETRIES) continue;
        if (e instanceof KeyNotFoundError) throw notFound(groupResource(rt), name);
        throw e;
      }
      strategy.afterDelete?.(current);
      this.notifyDeleted(rt, current);
      return { object: current, deleted: true };
    }
  }

  // ---- watch ------------------------------------------------------------------------------

  /**
   * Start a watch. Bad selectors or resource versions throw here, before any event, so the
   * caller can answer with an HTTP error; an expired starting point becomes an ERROR event.
   */
  watch(rt: ResourceType, namespace: string | undefined, opts: WatchOptions, signal: AbortSignal): AsyncGenerator<WatchOutput> {
    const filter = this.filterFor(rt, opts.labelSelector, opts.fieldSelector);
    const rvText = opts.resourceVersion ?? '';
    if (rvText !== '' && !/^\d+$/.test(rvText)) throw badRequest(`invalid resource version: "${rvText}"`);
    return this.watchEvents(rt, namespace, opts, filter, signal);
  }

  private async *watchEvents(
    rt: ResourceType,
    namespace: string | undefined,
    opts: WatchOptions,
    filter: ((obj: KubeObject) => boolean) | undefined,
    signal: AbortSignal,
  ): AsyncGenerator<WatchOutput> {
    const prefix = this.keyPrefix(rt, namespace);
    let after: number;
    const rvText = opts.resourceVersion ?? '';
    if (rvText === '' || rvText === '0') {
      // No starting point: the current state as synthetic ADDED events, then changes after it.
      const initial = await this.list(rt, namespace, { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector });
      for (const item of initial.items) yield { type: 'ADDED', text: item.text, object: filter ? item.object : undefined };
      after = Number(initial.resourceVersion);
    } else {
      after = Number(rvText);
    }
    let events: AsyncIterable<WatchEvent>;
    try {
      events = this.backend.watch(prefix, after, signal);
      // Surface CompactedError before the first event, so it becomes an ERROR event.
      const iterator = events[Symbol.asyncIterator]();
      let first: IteratorResult<WatchEvent>;
      try {
        first = await iterator.next();
      } catch (e) {
        if (e instanceof CompactedError) {
          yield errorEvent(tooOldResourceVersion(after, e.compactedRevision));
          return;
        }
        throw e;
      }
      const rest: AsyncIterable<WatchEvent> = { [Symbol.asyncIterator]: () => iterator };
      if (!first.done) {
        for (const out of this.translate(rt, first.value, filter)) yield out;
        for await (const ev of rest) for (const out of this.translate(rt, ev, filter)) yield out;
      }
    } catch (e) {
      if (signal.aborted) return;
      throw e;
    }
  }

  private *translate(
    rt: ResourceType,
    ev: WatchEvent,
    filter: ((obj: KubeObject) => boolean) | undefined,
  ): Generator<WatchOutput> {
    const current = this.wrap(rt, ev.kv);
    if (!filter) {
      yield { type: ev.type === 'create' ? 'ADDED' : ev.type === 'update' ? 'MODIFIED' : 'DELETED', text: current.text };
      return;
    }
    const nowMatches = filter(current.object);
    const before = ev.prevKv ? this.wrap(rt, ev.prevKv) : undefined;
    const wasMatching = ev.type !== 'create' && before !== undefined && filter(before.object);
    if (ev.type === 'delete') {
      if (wasMatching || nowMatches) yield { type: 'DELETED', text: current.text, object: current.object };
      return;
    }
    if (nowMatches && wasMatching) yield { type: 'MODIFIED', text: current.text, object: current.object };
    else if (nowMatches) yield { type: 'ADDED', text: current.text, object: current.object };
    else if (wasMatching) {
      // As kube's watch cache: the object as it last matched, at the revision it stopped matching.
      const last = this.wrap(rt, { ...ev.prevKv!, modRevision: ev.kv.modRevision });
      yield { type: 'DELETED', text: last.text, object: last.object };
    }
  }

  async currentRevision(): Promise<number> {
    return this.backend.currentRevision();
  }

  // ---- shared checks ----------------------------------------------------------------------

  private checkTypeAndNamespace(rt: ResourceType, namespace: string | undefined, obj: KubeObject): void {
    const expected = apiVersionOf(rt);
    if (obj.apiVersion !== undefined && obj.apiVersion !== expected) {
      throw badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${expected})`);
    }
    if (obj.kind !== undefined && obj.kind !== rt.kind) {
      throw badRequest(
        `${obj.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: the kind in the data (${obj.kind}) does not match the expected kind (${rt.kind})`,
      );
    }
    obj.apiVersion = expected;
    obj.kind = rt.kind;
    if (!isPlainObject(obj.metadata)) obj.metadata = {};
    if (rt.namespaced) {
      if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      obj.metadata.namespace = namespace ?? obj.metadata.namespace;
    } else {
      delete obj.metadata.namespace;
    }
  }

  private async checkNamespaceAcceptsCreates(rt: ResourceType, namespace: string, name: string): Promise<void> {
    let terminating = this.namespaces.get(namespace);
    if (terminating === undefined) {
      const kv = await this.backend.get(`/registry/core/namespaces/${namespace}`);
      if (!kv) throw notFound({ group: '', resource: 'namespaces' }, namespace);
      const ns = decodeFromStorage(kv.value, kv.modRevision);
      terminating = Boolean(ns.metadata.deletionTimestamp) || ns.status?.phase === 'Terminating';
      this.namespaces.set(namespace, terminating);
    }
    if (terminating) {
      const why = `unable to create new content in namespace ${namespace} because it is being terminated`;
      throw forbidden(`${qualifiedName(groupResource(rt))} "${name}" is forbidden: ${why}`, {
        name,
        group: rt.group,
        kind: rt.plural,
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }

  private metaErrors(rt: ResourceType, obj: KubeObject): FieldError[] {
    return validateObjectMeta(obj.metadata, { namespaced: rt.namespaced, nameRule: nameRuleFor(rt) });
  }

  private validate(rt: ResourceType, obj: KubeObject, errors: FieldError[]): void {
    if (errors.length > 0) throw invalid(rt.kind, rt.group, obj.metadata.name ?? obj.metadata.generateName ?? '', errors);
  }

  /** What an update may not change: identity, creation, deletion state; status or spec per endpoint. */
  private carryOverSystemFields(rt: ResourceType, next: KubeObject, current: KubeObject, subresource: string | undefined): void {
    const meta = next.metadata;
    const old = current.metadata;
    meta.uid = old.uid;
    meta.creationTimestamp = old.creationTimestamp;
    meta.namespace = old.namespace;
    if (old.deletionTimestamp) {
      meta.deletionTimestamp = old.deletionTimestamp;
      meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    if (rt.generation) meta.generation = old.generation;
    else delete meta.generation;
    const hasStatus = rt.subresources.some((s) => s.name === 'status');
    if (subresource === 'finalize') {
      // /finalize changes the namespace's spec.finalizers and nothing else.
      const finalizers = next.spec?.finalizers;
      for (const k of Object.keys(next)) delete next[k];
      Object.assign(next, structuredClone(current), { spec: { ...current.spec, finalizers } });
      next.metadata.resourceVersion = meta.resourceVersion;
    } else if (subresource === 'status') {
      // The status endpoint changes status only (and nothing in metadata but what kube allows).
      const status = next.status;
      for (const k of Object.keys(next)) if (k !== 'metadata' && k !== 'status') delete next[k];
      Object.assign(next, Object.fromEntries(Object.entries(current).filter(([k]) => k !== 'metadata' && k !== 'status')));
      next.metadata = { ...current.metadata, resourceVersion: meta.resourceVersion };
      if (status === undefined) delete next.status;
      else next.status = status;
    } else if (hasStatus && subresource !== 'binding') {
      if (current.status === undefined) delete next.status;
      else next.status = current.status;
    }
  }
}

function nameRuleFor(rt: ResourceType): NameRule {
  if (rt.group === '' && (rt.plural === 'namespaces' || rt.plural === 'services')) {
    return rt.plural === 'services' ? 'dns1035-label' : 'dns1123-label';
  }
  return 'dns1123-subdomain';
}

/** generateName: the prefix plus five random characters, as names.SimpleNameGenerator does. */
export function generateName(prefix: string): string {
  const base = prefix.length > 58 ? prefix.slice(0, 58) : prefix;
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += GENERATE_NAME_ALPHABET[Math.floor(Math.random() * GENERATE_NAME_ALPHABET.length)];
  return base + suffix;
}

interface DeletionPlan {
  addFinalizers: string[];
  deletionTimestamp: string;
  gracePeriodSeconds?: number;
  mark?(next: KubeObject): void;
}

/**
 * How a DELETE proceeds (undefined: remove at once). Objects wait while they carry finalizers
 * (the propagation policies add `orphan` or `foregroundDeletion` for the garbage collector);
 * namespaces go Terminating for the namespace lifecycle; a pod bound to a node gets its grace
 * period for the node agent to stop it, as kube-apiserver's pod strategy decides.
 */
function deletionPlan(rt: ResourceType, obj: KubeObject, opts: DeleteOptions, now: Date): DeletionPlan | undefined {
  const addFinalizers: string[] = [];
  if (opts.propagationPolicy === 'Orphan') addFinalizers.push('orphan');
  if (opts.propagationPolicy === 'Foreground') addFinalizers.push('foregroundDeletion');
  const timestamp = nowTimestamp(now);
  if (rt.group === '' && rt.plural === 'namespaces') {
    return { addFinalizers, deletionTimestamp: timestamp, mark: (next) => { next.status = { ...(next.status ?? {}), phase: 'Terminating' }; } };
  }
  if (rt.group === '' && rt.plural === 'pods') {
    const phase = obj.status?.phase;
    const grace = opts.gracePeriodSeconds ?? obj.spec?.terminationGracePeriodSeconds ?? 30;
    const running = obj.spec?.nodeName && phase !== 'Succeeded' && phase !== 'Failed';
    if (running && grace > 0) {
      return { addFinalizers, deletionTimestamp: nowTimestamp(new Date(now.getTime() + grace * 1000)), gracePeriodSeconds: grace };
    }
  }
  if (addFinalizers.length > 0 || hasPendingFinalizers(obj)) return { addFinalizers, deletionTimestamp: timestamp };
  return undefined;
}

/** kube refuses new finalizers once an object is being deleted (ValidateObjectMetaUpdate). */
function finalizersWhileDeleting(next: KubeObject, current: KubeObject): FieldError[] {
  if (!current.metadata.deletionTimestamp) return [];
  const added = (next.metadata.finalizers ?? []).filter((f) => !(current.metadata.finalizers ?? []).includes(f));
  if (added.length === 0) return [];
  return [
    fieldError.forbidden(
      'metadata.finalizers',
      `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
    ),
  ];
}

/** metadata.finalizers, and for namespaces spec.finalizers (cleared through /finalize). */
function hasPendingFinalizers(obj: KubeObject): boolean {
  if (obj.metadata.finalizers?.length) return true;
  return obj.kind === 'Namespace' && Array.isArray(obj.spec?.finalizers) && obj.spec.finalizers.length > 0;
}

function specChanged(next: KubeObject, current: KubeObject): boolean {
  for (const k of new Set([...Object.keys(next), ...Object.keys(current)])) {
    if (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind') continue;
    if (!deepEqual(next[k], current[k])) return true;
  }
  return false;
}

function isUnchanged(next: KubeObject, current: KubeObject): boolean {
  const { resourceVersion: _a, ...nextMeta } = next.metadata;
  const { resourceVersion: _b, ...currentMeta } = current.metadata;
  return deepEqual({ ...next, metadata: nextMeta }, { ...current, metadata: currentMeta });
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => deepEqual(ao[k], bo[k]));
}

function errorEvent(err: StatusError): WatchOutput {
  return { type: 'ERROR', text: JSON.stringify(err.toStatus()) };
}

export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

export function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { v?: string; rv?: number; start?: string };
    if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string') throw new Error('bad token');
    return { rv: parsed.rv, start: parsed.start };
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

