/**
 * From informer events to Requests: map an object to itself or to its owner, and filter events
 * with predicates.
 */
import type { Request } from './reconcile.js';
import { requestOf, type KObject, type ResourceType } from './resource.js';

/** Which objects to reconcile when `obj` changes. */
export type MapFunc<T> = (obj: T) => Request[];

export type HandlerEvent<T> =
  | { readonly type: 'add'; readonly object: T }
  | { readonly type: 'update'; readonly object: T; readonly oldObject: T }
  | { readonly type: 'delete'; readonly object: T };

/** Whether an event should enqueue anything. */
export type Predicate<T> = (e: HandlerEvent<T>) => boolean;

/** Enqueue the object itself (the default). */
export function enqueueObject<T extends KObject>(): MapFunc<T> {
  return (obj) => [requestOf(obj)];
}

const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '');

/**
 * Enqueue the owner of kind `owner` named in the object's ownerReferences (only the controller
 * owner unless `onlyController: false`). The owner is looked up in the object's namespace, or
 * cluster-wide when `owner.namespaced === false`.
 */
export function enqueueOwner<T extends KObject>(owner: Pick<ResourceType, 'apiVersion' | 'kind' | 'namespaced'>, opts: { onlyController?: boolean } = {}): MapFunc<T> {
  const onlyController = opts.onlyController ?? true;
  const group = groupOf(owner.apiVersion);
  return (obj) =>
    (obj.metadata?.ownerReferences ?? [])
      .filter((r) => r.kind === owner.kind && groupOf(r.apiVersion) === group && (!onlyController || r.controller === true))
      .map((r) => ({ namespace: owner.namespaced === false ? '' : obj.metadata?.namespace ?? '', name: r.name }));
}

/** Only updates that change `metadata.generation` (spec changes), plus adds and deletes; skips resyncs. */
export const generationChanged: Predicate<KObject> = (e) =>
  e.type !== 'update' || e.oldObject.metadata?.generation !== e.object.metadata?.generation;

/** Skips resyncs (updates with the same resourceVersion). */
export const resourceVersionChanged: Predicate<KObject> = (e) =>
  e.type !== 'update' || e.oldObject.metadata?.resourceVersion !== e.object.metadata?.resourceVersion;

/** Only objects whose labels match. */
export function hasLabels(labels: Readonly<Record<string, string>>): Predicate<KObject> {
  return (e) => Object.entries(labels).every(([k, v]) => e.object.metadata?.labels?.[k] === v);
}
