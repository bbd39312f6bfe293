/**
 * Controller references (metav1.NewControllerRef) and the adopt/release rules of kube's
 * `ControllerRefManager.ClaimObject`: an object already controlled by the owner stays while the
 * selector matches and is released otherwise; an orphan that matches is adopted unless the owner
 * or the orphan is being deleted; an object controlled by someone else is never touched.
 */
import type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1.js';

export interface Owned {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
}

export function controllerRefOf(obj: Owned): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

/** The reference a controller puts on what it creates: controller and blockOwnerDeletion true. */
export function newControllerRef(owner: Owned, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata?.name ?? '', uid: owner.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true };
}

export function isControlledBy(obj: Owned, owner: Owned): boolean {
  const ref = controllerRefOf(obj);
  return !!ref && ref.uid === owner.metadata?.uid;
}

export interface Claim<T> {
  /** Controlled by the owner and selected (including those to adopt). */
  readonly owned: T[];
  readonly adopt: T[];
  readonly release: T[];
}

/** ClaimObject for a list of candidates in the owner's namespace. */
export function claimObjects<T extends Owned>(owner: Owned, candidates: readonly T[], selected: (obj: T) => boolean): Claim<T> {
  const owned: T[] = [];
  const adopt: T[] = [];
  const release: T[] = [];
  const ownerDeleting = !!owner.metadata?.deletionTimestamp;
  for (const obj of candidates) {
    if (owner.metadata?.namespace && obj.metadata?.namespace !== owner.metadata.namespace) continue;
    const ref = controllerRefOf(obj);
    if (ref) {
      if (ref.uid !== owner.metadata?.uid) continue;
      if (selected(obj)) owned.push(obj);
      else if (!ownerDeleting) release.push(obj);
      continue;
    }
    if (ownerDeleting || !selected(obj) || obj.metadata?.deletionTimestamp) continue;
    adopt.push(obj);
    owned.push(obj);
  }
  return { owned, adopt, release };
}

/** The ownerReferences of `obj` with `ref` as its controller (adoption). */
export function withControllerRef(obj: Owned, ref: OwnerReference): OwnerReference[] {
  return [...(obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== ref.uid), ref];
}

/** The ownerReferences of `obj` without the owner `uid` (release). */
export function withoutOwner(obj: Owned, uid: string): OwnerReference[] {
  return (obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== uid);
}
