/**
 * SelectorSpread: default spreading of the replicas of one owner (a ReplicaSet's pods, a
 * StatefulSet's, …) across nodes and zones, as kube-scheduler's SelectorSpread scored it. A node's
 * raw score is how many non-terminating pods of the same controller owner (same namespace) it has;
 * normalizing turns fewer into higher: 100 × (max − count) / max per node, blended with the same
 * ratio per zone (zone weighting 2/3) when nodes carry zone labels.
 *
 * Flotilla counts "same owner" by the controller ownerReference, where kube matched the selectors of
 * the Services, ReplicaSets and StatefulSets that select the pod.
 */
import {
  MAX_NODE_SCORE,
  SKIP,
  SUCCESS,
  type CycleState,
  type NodeInfo,
  type NodeScore,
  type PodInfo,
  type PreScorePlugin,
  type ScorePlugin,
  type Status,
} from '../framework.js';

export const NAME = 'SelectorSpread';
/** How much the zone spread counts against the node spread. */
export const ZONE_WEIGHTING = 2 / 3;

export const selectorSpread = {
  name: NAME,
  preScore(_state: CycleState, pod: PodInfo): Status {
    return pod.ownerId ? SUCCESS : SKIP;
  },
  score(_state: CycleState, pod: PodInfo, node: NodeInfo): number {
    return pod.ownerId ? (node.ownerCounts.get(pod.ownerId) ?? 0) : 0;
  },
  normalizeScore(_state: CycleState, _pod: PodInfo, scores: NodeScore[], nodes: readonly NodeInfo[]): void {
    const zones: string[] = new Array<string>(scores.length);
    const countsByZone = new Map<string, number>();
    let maxByNode = 0;
    for (let i = 0; i < scores.length; i++) {
      if (scores[i].score > maxByNode) maxByNode = scores[i].score;
      zones[i] = nodes[i].zone;
      if (zones[i] !== '') countsByZone.set(zones[i], (countsByZone.get(zones[i]) ?? 0) + scores[i].score);
    }
    let maxByZone = 0;
    for (const c of countsByZone.values()) if (c > maxByZone) maxByZone = c;
    const haveZones = countsByZone.size > 0;
    for (let i = 0; i < scores.length; i++) {
      let f = MAX_NODE_SCORE;
      if (maxByNode > 0) f = MAX_NODE_SCORE * ((maxByNode - scores[i].score) / maxByNode);
      if (haveZones && zones[i] !== '') {
        let zoneScore = MAX_NODE_SCORE;
        if (maxByZone > 0) zoneScore = MAX_NODE_SCORE * ((maxByZone - countsByZone.get(zones[i])!) / maxByZone);
        f = f * (1.0 - ZONE_WEIGHTING) + ZONE_WEIGHTING * zoneScore;
      }
      scores[i].score = Math.trunc(f);
    }
  },
} satisfies PreScorePlugin & ScorePlugin;
