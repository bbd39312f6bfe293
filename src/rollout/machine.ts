/**
 * The blue/green state machine: which step follows which, and the lines a user sees on the way,
 * as a pure function. The I/O shell (runner.ts) performs a step, reports its outcome, and asks
 * for the next one; every command (`bluegreen`, `promote`, `abort`, `rollback`) drives this one
 * machine from a different first step.
 *
 * The seed's path and lines are the Codefresh step's, verbatim (including "Heathcheck"): users
 * grep for them. The Argo Rollouts options add steps (preview, analysis, pause, scale-down delay)
 * without changing the seed's lines when they are off.
 */

export type Step =
  | 'SelectCluster'
  | 'Locate'
  | 'CreateNewColor'
  | 'Preview'
  | 'WaitRollout'
  | 'Coexist'
  | 'HealthCheck'
  | 'PrePromotionAnalysis'
  | 'ShiftTraffic'
  | 'Switch'
  | 'SettleTraffic'
  | 'PostPromotionAnalysis'
  | 'ScaleDownDelay'
  | 'ScaleDown'
  | 'Cleanup'
  | 'RestorePrevious'
  | 'SwitchBack'
  | 'ResetTraffic'
  | 'RemoveNewColor';

export type Terminal = 'NoOp' | 'Paused' | 'Succeeded' | 'Failed' | 'Aborted' | 'RolledBack';

export type Command = 'run' | 'promote' | 'abort' | 'rollback';

/**
 * What a step reports: `ok`; `fail` (unhealthy, timed out, analysis failed, an API error);
 * `same` (Locate: the Service already selects NEW_VERSION); `rolledBack` (ScaleDownDelay:
 * someone ran `flotilla bluegreen rollback` meanwhile).
 */
export type Outcome = 'ok' | 'fail' | 'same' | 'rolledBack';

export interface MachineOptions {
  readonly previewService?: string;
  readonly autoPromote: boolean;
  readonly analysis: boolean;
  /** `--traffic ingressroute/<name>`: shift the IngressRoute's weights to the preview Service before the switch. */
  readonly traffic?: string;
  /** Keep the old colour this long after the switch, then scale it to zero (undefined: delete it at once, as the step did). */
  readonly scaleDownDelay?: string;
}

/** What the lines name. */
export interface LineContext {
  readonly service: string;
  readonly namespace: string;
  readonly currentVersion?: string;
  readonly newVersion?: string;
  readonly healthSeconds: number;
}

export interface State {
  readonly at: Step | Terminal;
  readonly command: Command;
  /** Whether the Service selects the new colour now (what a failure must undo). */
  readonly switched: boolean;
}

export interface Transition {
  readonly state: State;
  readonly lines: readonly string[];
}

const TERMINALS: ReadonlySet<string> = new Set<Terminal>(['NoOp', 'Paused', 'Succeeded', 'Failed', 'Aborted', 'RolledBack']);

export function isTerminal(at: Step | Terminal): at is Terminal {
  return TERMINALS.has(at);
}

/** The line printed on entering `at` (none for most terminals: the summary follows). */
export function entryLines(at: Step | Terminal, command: Command, o: MachineOptions, c: LineContext): string[] {
  const ns = c.namespace === 'default' ? '' : ` --namespace ${c.namespace}`;
  switch (at) {
    case 'SelectCluster':
      return ['[DEPLOY INFO] Selecting Kubernetes cluster'];
    case 'Locate':
      return ['[DEPLOY INFO] Locating current version'];
    case 'NoOp':
      return [`[DEPLOY NOP] NEW_VERSION is same as CURRENT_VERSION. Both are at ${c.currentVersion ?? ''}`];
    case 'CreateNewColor':
      return ['[DEPLOY NEW COLOR] Creating next version'];
    case 'Preview':
      return [`[DEPLOY PREVIEW] Routing preview service ${o.previewService ?? ''} to new color`];
    case 'WaitRollout':
      return ['[DEPLOY INFO] Waiting for new color to come up'];
    case 'Coexist':
      return [`[DEPLOY INFO] Waiting for ${c.healthSeconds} seconds before healthcheck`];
    case 'HealthCheck':
      return ['[DEPLOY INFO] Starting Heathcheck'];
    case 'PrePromotionAnalysis':
      return ['[DEPLOY ANALYSIS] Running pre-promotion analysis'];
    case 'Paused':
      return [
        `[DEPLOY PAUSED] New color is healthy; waiting for promotion: "flotilla bluegreen promote ${c.service}${ns}" switches traffic, "flotilla bluegreen abort ${c.service}${ns}" removes it`,
      ];
    case 'ShiftTraffic':
      return [`[DEPLOY TRAFFIC] Shifting traffic to new color through ingressroute/${o.traffic ?? ''}`];
    case 'Switch':
      return ['[DEPLOY SWITCH] Routing traffic to new color'];
    case 'SettleTraffic':
      return [`[DEPLOY TRAFFIC] Routing ingress traffic through service ${c.service} only`];
    case 'ResetTraffic':
      return ['[DEPLOY ROLLBACK] Routing ingress traffic back to previous color'];
    case 'PostPromotionAnalysis':
      return ['[DEPLOY ANALYSIS] Running post-promotion analysis'];
    case 'ScaleDownDelay':
      return [`[DEPLOY INFO] Keeping previous color for ${o.scaleDownDelay ?? ''} before scaling it down: "flotilla bluegreen rollback ${c.service}${ns}" switches back`];
    case 'ScaleDown':
      return ['[DEPLOY CLEANUP] Scaling previous color to zero'];
    case 'Cleanup':
      return ['[DEPLOY CLEANUP] Removing previous color'];
    case 'RestorePrevious':
      return ['[DEPLOY ROLLBACK] Bringing previous color back'];
    case 'SwitchBack':
      return ['[DEPLOY ROLLBACK] Routing traffic back to previous color'];
    case 'RemoveNewColor':
      return [command === 'abort' ? '[DEPLOY ABORT] Removing new color' : command === 'rollback' ? '[DEPLOY ROLLBACK] Removing new color' : '[DEPLOY FAILED] Removing new color'];
    default:
      return [];
  }
}

/** The first step of each command. */
export function begin(command: Command, o: MachineOptions, c: LineContext): Transition {
  const first: Record<Command, Step> = {
    run: 'SelectCluster',
    // Promotion re-checks the colour it is about to send traffic to: it may have broken while paused.
    promote: 'HealthCheck',
    abort: 'RemoveNewColor',
    rollback: 'RestorePrevious',
  };
  const state: State = { at: first[command], command, switched: command === 'rollback' };
  const opening: Record<Command, string[]> = {
    run: [],
    promote: [`[DEPLOY PROMOTE] Promoting version ${c.newVersion ?? ''} (previous: ${c.currentVersion ?? ''})`],
    abort: [`[DEPLOY ABORT] Aborting the rollout to version ${c.newVersion ?? ''} (keeping ${c.currentVersion ?? ''})`],
    rollback: [`[DEPLOY ROLLBACK] Rolling back from version ${c.newVersion ?? ''} to ${c.currentVersion ?? ''}`],
  };
  return { state, lines: [...opening[command], ...entryLines(state.at, command, o, c)] };
}

/** Where a step's outcome leads (and the verdict line it prints, if any). */
function target(s: State, outcome: Outcome, o: MachineOptions): { at: Step | Terminal; switched?: boolean; lines?: string[] } {
  const promoteOrPause: Step | Terminal = o.autoPromote || s.command === 'promote' ? (o.traffic !== undefined ? 'ShiftTraffic' : 'Switch') : 'Paused';
  const afterSwitch: Step = o.scaleDownDelay !== undefined ? 'ScaleDownDelay' : 'Cleanup';
  const verifyAfterSwitch: Step = o.analysis ? 'PostPromotionAnalysis' : afterSwitch;
  /** A failure before the switch: promote keeps the colour (for abort), a run removes it. */
  const beforeSwitchFailed: Step | Terminal = s.command === 'promote' ? 'Failed' : 'RemoveNewColor';
  const fail = outcome !== 'ok' && outcome !== 'same';
  switch (s.at) {
    case 'SelectCluster':
      return { at: fail ? 'Failed' : 'Locate' };
    case 'Locate':
      return { at: outcome === 'same' ? 'NoOp' : fail ? 'Failed' : 'CreateNewColor' };
    case 'CreateNewColor':
      return { at: fail ? 'RemoveNewColor' : o.previewService !== undefined ? 'Preview' : 'WaitRollout' };
    case 'Preview':
      return { at: fail ? 'RemoveNewColor' : 'WaitRollout' };
    case 'WaitRollout':
      // Running out of --timeout fails the colour exactly like an unhealthy one.
      return fail ? { at: 'RemoveNewColor', lines: ['[DEPLOY HEALTH] New color is unhealthy'] } : { at: 'Coexist' };
    case 'Coexist':
      return { at: fail ? 'RemoveNewColor' : 'HealthCheck' };
    case 'HealthCheck':
      if (fail) return { at: beforeSwitchFailed, lines: ['[DEPLOY HEALTH] New color is unhealthy'] };
      return { at: o.analysis ? 'PrePromotionAnalysis' : promoteOrPause, lines: ['[DEPLOY HEALTH] New color is healthy.'] };
    case 'PrePromotionAnalysis':
      if (fail) return { at: beforeSwitchFailed, lines: ['[DEPLOY ANALYSIS] Pre-promotion analysis failed'] };
      return { at: promoteOrPause, lines: ['[DEPLOY ANALYSIS] Pre-promotion analysis passed'] };
    case 'ShiftTraffic':
      return { at: fail ? 'ResetTraffic' : 'Switch' };
    case 'Switch':
      // A failed switch left the Service as it was (but the ingress may send the new colour a share).
      if (fail) return { at: o.traffic !== undefined ? 'ResetTraffic' : beforeSwitchFailed };
      return { at: o.traffic !== undefined ? 'SettleTraffic' : verifyAfterSwitch, switched: true };
    case 'SettleTraffic':
      return { at: fail ? 'Failed' : verifyAfterSwitch };
    case 'ResetTraffic':
      return { at: fail ? 'Failed' : beforeSwitchFailed };
    case 'PostPromotionAnalysis':
      if (fail) return { at: 'SwitchBack', lines: ['[DEPLOY ANALYSIS] Post-promotion analysis failed'] };
      return { at: afterSwitch, lines: ['[DEPLOY ANALYSIS] Post-promotion analysis passed'] };
    case 'ScaleDownDelay':
      if (outcome === 'rolledBack') return { at: 'RolledBack', switched: false, lines: ['[DEPLOY ROLLBACK] Traffic was switched back to previous color by "flotilla bluegreen rollback"'] };
      return { at: fail ? 'Failed' : 'ScaleDown' };
    case 'ScaleDown':
    case 'Cleanup':
      return { at: fail ? 'Failed' : 'Succeeded' };
    case 'RestorePrevious':
      return { at: fail ? 'Failed' : 'SwitchBack' };
    case 'SwitchBack':
      return fail ? { at: 'Failed' } : { at: 'RemoveNewColor', switched: false };
    case 'RemoveNewColor':
      if (fail) return { at: 'Failed' };
      return { at: s.command === 'abort' ? 'Aborted' : s.command === 'rollback' ? 'RolledBack' : 'Failed' };
    default:
      return { at: s.at };
  }
}

/** The state after `outcome` of the current step, and the lines to print. */
export function transition(s: State, outcome: Outcome, o: MachineOptions, c: LineContext): Transition {
  if (isTerminal(s.at)) return { state: s, lines: [] };
  const t = target(s, outcome, o);
  const state: State = { at: t.at, command: s.command, switched: t.switched ?? s.switched };
  return { state, lines: [...(t.lines ?? []), ...entryLines(t.at, s.command, o, c)] };
}

/** The process's exit code at a terminal: 0 for success, NOP, a pause, a requested abort or rollback. */
export function exitCode(at: Terminal, command: Command): number {
  switch (at) {
    case 'NoOp':
    case 'Paused':
    case 'Succeeded':
    case 'Aborted':
      return 0;
    case 'RolledBack':
      // For `rollback` it is the goal; for the run that was waiting out its delay, its version lost.
      return command === 'rollback' ? 0 : 1;
    case 'Failed':
      return 1;
  }
}
