/**
 * Kinds served in one version but stored in another. events.k8s.io/v1 Events share storage with
 * core/v1 Events (as in kube-apiserver), so an event recorded through either API shows in both
 * `kubectl get events` and `kubectl describe`.
 */
import type { KubeObject } from '../apimachinery/object.js';

export interface Conversion {
  /** Where objects of this kind are stored. */
  readonly storage: { group: string; plural: string; apiVersion: string; kind: string };
  toStorage(obj: KubeObject): KubeObject;
  fromStorage(obj: KubeObject): KubeObject;
}

/** events.k8s.io/v1 field name → core/v1 field name; the rest keep their names. */
const EVENT_FIELD_RENAMES: ReadonlyArray<[string, string]> = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function rename(obj: KubeObject, pairs: ReadonlyArray<[string, string]>, apiVersion: string): KubeObject {
  const out: KubeObject = { ...obj, apiVersion, kind: 'Event' };
  for (const [from, to] of pairs) {
    delete out[from];
    if (obj[from] !== undefined) out[to] = obj[from];
  }
  return out;
}

export const eventsV1Conversion: Conversion = {
  storage: { group: '', plural: 'events', apiVersion: 'v1', kind: 'Event' },
  toStorage: (obj) => rename(obj, EVENT_FIELD_RENAMES, 'v1'),
  fromStorage: (obj) => rename(obj, EVENT_FIELD_RENAMES.map(([a, b]) => [b, a]), 'events.k8s.io/v1'),
};

export function conversionKey(rt: { group: string; version: string; kind: string }): string {
  return `${rt.group}/${rt.version}/${rt.kind}`;
}

/** The built-in conversions; the server copies this map and adds one per non-storage CRD version. */
export const CONVERSIONS: ReadonlyMap<string, Conversion> = new Map([['events.k8s.io/v1/Event', eventsV1Conversion]]);

/** A custom resource version served from another version's storage (conversion strategy None). */
export function apiVersionRewrite(storage: Conversion['storage'], servedApiVersion: string): Conversion {
  return {
    storage,
    toStorage: (obj) => ({ ...obj, apiVersion: storage.apiVersion }),
    fromStorage: (obj) => ({ ...obj, apiVersion: servedApiVersion }),
  };
}
