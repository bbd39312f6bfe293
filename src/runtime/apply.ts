/**
 * Write only what changed: `createOrUpdate` (controllerutil.CreateOrUpdate), `writeStatus`
 * (status only when it changed, retried on conflict), and owner references.
 */
import { isConflict, type Client } from './client.js';
import type { KObject, ResourceType } from './resource.js';

export type OperationResult = 'unchanged' | 'created' | 'updated';

/** Deep equality with JSON semantics (a property set to undefined equals an absent one). */
export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => semanticEqual(v, bb[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => semanticEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function replaceContents<T extends object>(target: T, source: T): void {
  for (const k of Object.keys(target)) delete (target as Record<string, unknown>)[k];
  Object.assign(target, source);
}

/**
 * Get the object named by `obj` (namespace and name); if absent, `mutate` it and create it;
 * otherwise load the current state into `obj`, `mutate` it and update only when it differs.
 * `obj` holds the server's copy afterwards. A conflict throws (the loop retries).
 */
export async function createOrUpdate<T extends KObject>(
  client: Pick<Client, 'get' | 'create' | 'update'>,
  type: ResourceType,
  obj: T,
  mutate: (obj: T) => void | Promise<void>,
): Promise<OperationResult> {
  const namespace = obj.metadata?.namespace ?? '';
  const name = obj.metadata?.name ?? '';
  const current = await client.get<T>(type, namespace, name);
  const checkKey = (): void => {
    if ((obj.metadata?.namespace ?? '') !== namespace || obj.metadata?.name !== name) throw new Error('createOrUpdate: mutate must not change the namespace or name');
  };
  if (!current) {
    await mutate(obj);
    checkKey();
    replaceContents(obj, await client.create(type, obj));
    return 'created';
  }
  replaceContents(obj, structuredClone(current));
  await mutate(obj);
  checkKey();
  if (semanticEqual(current, obj)) return 'unchanged';
  replaceContents(obj, await client.update(type, obj));
  return 'updated';
}

/** Run `fn` again on a 409 Conflict, up to `attempts` times (client-go's retry.RetryOnConflict). */
export async function retryOnConflict<R>(fn: () => Promise<R>, attempts = 5, delayMs = 10): Promise<R> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (!isConflict(e) || i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, delayMs * (1 + Math.random() * 0.1)));
    }
  }
}

/**
 * Set status with `mutate` on a copy of `obj` and write the status subresource only when it
 * changed. On a conflict the latest object is read and `mutate` applied again.
 */
export async function writeStatus<T extends KObject & { status?: unknown }>(
  client: Pick<Client, 'get' | 'updateStatus'>,
  type: ResourceType,
  obj: T,
  mutate: (obj: T) => void,
): Promise<'unchanged' | 'updated'> {
  let base: T = obj;
  return retryOnConflict(async () => {
    const next = structuredClone(base);
    mutate(next);
    if (semanticEqual(base.status, next.status)) return 'unchanged';
    try {
      await client.updateStatus(type, next);
      return 'updated';
    } catch (e) {
      if (isConflict(e)) {
        const latest = await client.get<T>(type, obj.metadata?.namespace ?? '', obj.metadata?.name ?? '');
        if (latest) base = latest;
      }
      throw e;
    }
  });
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

function referenceTo(owner: KObject): OwnerReference {
  const { apiVersion, kind } = owner;
  const name = owner.metadata?.name;
  const uid = owner.metadata?.uid;
  if (!apiVersion || !kind || !name || !uid) throw new Error('an owner needs apiVersion, kind, metadata.name and metadata.uid');
  return { apiVersion, kind, name, uid };
}

/** The controller owner reference of `obj`, if any. */
export function getControllerOf(obj: KObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/**
 * Make `owner` the controller of `obj` (controller and blockOwnerDeletion true), replacing a
 * reference to the same owner; throws when another object already controls `obj`.
 */
export function setControllerReference(owner: KObject, obj: KObject): void {
  const ref: OwnerReference = { ...referenceTo(owner), controller: true, blockOwnerDeletion: true };
  const existing = getControllerOf(obj);
  if (existing && existing.uid !== ref.uid) {
    throw new Error(`${obj.kind ?? 'object'} ${JSON.stringify(obj.metadata?.name)} is already controlled by ${existing.kind} ${JSON.stringify(existing.name)}`);
  }
  upsert(obj, ref);
}

/** Add (or refresh) a non-controller owner reference to `owner`. */
export function setOwnerReference(owner: KObject, obj: KObject): void {
  upsert(obj, referenceTo(owner));
}

function upsert(obj: KObject, ref: OwnerReference): void {
  obj.metadata ??= {};
  const refs = [...(obj.metadata.ownerReferences ?? [])];
  const i = refs.findIndex((r) => r.uid === ref.uid);
  if (i >= 0) refs[i] = ref;
  else refs.push(ref);
  obj.metadata.ownerReferences = refs;
}
