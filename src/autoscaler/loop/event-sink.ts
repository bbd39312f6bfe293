/**
 * The loop's one way to record Events: planned events (`{ kind, namespace, name }` references)
 * resolved to the objects the informers hold (so the Event carries their uid), the status
 * ConfigMap as written last, and an identical Event on the same object at most once per
 * `repeatMs` — client-go's spam filter in its steady state, so a pod that stays pending does not
 * write an Event every scan interval.
 */
import type { ConfigMap, Pod } from 'kubernetes-types/core/v1.js';
import { kinds, type CacheReader, type EventRecorder, type KObject } from '../../runtime/index.js';
import type { PlannedEvent, StatusConfigMapRef } from '../types.js';

type EventType = PlannedEvent['type'];

export interface EventSink {
  record(events: readonly PlannedEvent[]): void;
  onNode(name: string, type: EventType, reason: string, message: string): void;
  onPod(pod: Pod, type: EventType, reason: string, message: string): void;
  onConfigMap(type: EventType, reason: string, message: string): void;
  /** The status ConfigMap as last written: events about it carry its uid. */
  setStatusConfigMap(cm: ConfigMap | undefined): void;
}

export interface EventSinkOptions {
  readonly recorder: EventRecorder;
  readonly cache: CacheReader;
  readonly statusConfigMap: StatusConfigMapRef;
  readonly now: () => number;
  readonly repeatMs: number;
}

export function createEventSink(o: EventSinkOptions): EventSink {
  const recent = new Map<string, number>();
  let statusCm: ConfigMap | undefined;
  const cmRef = o.statusConfigMap;

  function involved(ref: PlannedEvent['object']): KObject {
    if (ref.kind === 'ConfigMap' && statusCm && ref.name === cmRef.name && ref.namespace === cmRef.namespace) return statusCm as KObject;
    const type = ref.kind === 'Pod' ? kinds.pods : kinds.nodes;
    const cached = ref.kind === 'ConfigMap' ? undefined : o.cache.get<KObject>(type, ref.namespace ?? '', ref.name);
    return cached ?? { apiVersion: 'v1', kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
  }

  const sink: EventSink = {
    record(events) {
      const t = o.now();
      for (const e of events) {
        const key = JSON.stringify([e.object.kind, e.object.namespace, e.object.name, e.type, e.reason, e.message]);
        const last = recent.get(key);
        if (last !== undefined && t - last < o.repeatMs) continue;
        recent.set(key, t);
        void o.recorder.event(involved(e.object), e.type, e.reason, e.message);
      }
      if (recent.size > 20_000) for (const [k, at] of recent) if (t - at >= o.repeatMs) recent.delete(k);
    },
    onNode: (name, type, reason, message) => sink.record([{ object: { kind: 'Node', name }, type, reason, message }]),
    onPod: (p, type, reason, message) => sink.record([{ object: { kind: 'Pod', namespace: p.metadata?.namespace, name: p.metadata?.name ?? '' }, type, reason, message }]),
    onConfigMap: (type, reason, message) => sink.record([{ object: { kind: 'ConfigMap', ...cmRef }, type, reason, message }]),
    setStatusConfigMap(cm) {
      statusCm = cm;
    },
  };
  return sink;
}
