/**
 * The rollout's record between invocations: one JSON annotation on the active Service, so
 * `promote`, `abort` and `rollback` work from any machine, with nothing kept in local files (as
 * Argo Rollouts keeps its state in the Rollout object). Writes go through the Service's
 * resourceVersion, so two invocations racing (a rollback against the end of a scale-down delay)
 * cannot both win.
 */

export const RECORD_ANNOTATION = 'bluegreen.flotilla.dev/rollout';

export type RecordPhase =
  /** Healthy and waiting for `promote` or `abort`; the Service still selects the previous version. */
  | 'Paused'
  /** Switched; the previous colour is kept up until `scaleDownAt` so `rollback` is instant. */
  | 'ScaleDownDelay'
  /** Switched; the previous colour is (being) scaled to zero, kept for a slower `rollback`. */
  | 'ScaledDown'
  /** `rollback` claimed the rollout (so a scale-down racing it stops) and is bringing the previous colour back. */
  | 'RollingBack'
  | 'RolledBack'
  | 'Aborted';

export interface RolloutRecord {
  readonly phase: RecordPhase;
  readonly deployment: string;
  readonly previousVersion: string;
  readonly newVersion: string;
  /** The previous colour's replicas before any scale-down (what `rollback` restores). */
  readonly previousReplicas: number;
  readonly previewService?: string;
  readonly scaleDownDelaySeconds?: number;
  readonly scaleDownAt?: string;
  readonly analysis: readonly string[];
  readonly traffic?: string;
  readonly steps?: readonly number[];
  readonly stepIntervalSeconds?: number;
  readonly maxRestarts: number;
  readonly healthSeconds: number;
  readonly timeoutSeconds: number;
  readonly updatedAt: string;
}

const PHASES: ReadonlySet<string> = new Set<RecordPhase>(['Paused', 'ScaleDownDelay', 'ScaledDown', 'RollingBack', 'RolledBack', 'Aborted']);

export class RecordError extends Error {
  override readonly name = 'RecordError';
}

export function encodeRecord(r: RolloutRecord): string {
  return JSON.stringify(r);
}

/** The record in `annotations`, undefined when there is none; a RecordError when it is not one of ours. */
export function decodeRecord(annotations: Readonly<Record<string, string>> | undefined): RolloutRecord | undefined {
  const text = annotations?.[RECORD_ANNOTATION];
  if (text === undefined) return undefined;
  let v: Partial<RolloutRecord>;
  try {
    v = JSON.parse(text) as Partial<RolloutRecord>;
  } catch (e) {
    throw new RecordError(`annotation ${RECORD_ANNOTATION} is not JSON: ${(e as Error).message}`);
  }
  const str = (k: keyof RolloutRecord) => typeof v[k] === 'string' && (v[k] as string) !== '';
  const num = (k: keyof RolloutRecord) => typeof v[k] === 'number' && (v[k] as number) >= 0;
  if (!v || typeof v !== 'object' || !PHASES.has(v.phase as string) || !str('deployment') || !str('previousVersion') || !str('newVersion') || !num('previousReplicas') || !num('maxRestarts') || !num('healthSeconds') || !num('timeoutSeconds') || !Array.isArray(v.analysis)) {
    throw new RecordError(`annotation ${RECORD_ANNOTATION} is not a blue/green rollout record: ${text.slice(0, 200)}`);
  }
  return v as RolloutRecord;
}

/**
 * Why `command` may not act on the Service now (undefined when it may): `selectorVersion` is the
 * Service's `spec.selector.version` as read, `record` its rollout record.
 */
export function refusal(command: 'run' | 'promote' | 'abort' | 'rollback', service: string, selectorVersion: string | undefined, record: RolloutRecord | undefined): string | undefined {
  switch (command) {
    case 'run':
      if (record?.phase === 'Paused') return `a rollout of service ${service} to version ${record.newVersion} is paused: "flotilla bluegreen promote ${service}" or "flotilla bluegreen abort ${service}" it first`;
      return undefined;
    case 'promote':
    case 'abort':
      if (record?.phase !== 'Paused') return `no rollout of service ${service} is paused${record ? ` (the last one, to version ${record.newVersion}, is ${record.phase})` : ''}`;
      if (selectorVersion !== record.previousVersion) return `service ${service} selects version ${selectorVersion ?? '(none)'}, not ${record.previousVersion} as when the rollout to ${record.newVersion} paused: it was changed by hand`;
      return undefined;
    case 'rollback':
      // RollingBack: an earlier rollback stopped half-way (its previous colour did not come back); try again.
      if (record?.phase !== 'ScaleDownDelay' && record?.phase !== 'ScaledDown' && record?.phase !== 'RollingBack') {
        return `nothing to roll back on service ${service}: ${record ? `the last rollout, to version ${record.newVersion}, is ${record.phase}` : 'no rollout kept its previous color (run with --scale-down-delay)'}`;
      }
      if (selectorVersion !== record.newVersion) return `service ${service} selects version ${selectorVersion ?? '(none)'}, not ${record.newVersion} as the last rollout left it: it was changed by hand`;
      return undefined;
  }
}
