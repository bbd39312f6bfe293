import { test } from 'node:test';
import assert from 'node:assert/strict';
import { begin, exitCode, isTerminal, transition, type Command, type MachineOptions, type Outcome, type Terminal } from './machine.js';

const ctx = { service: 'shop', namespace: 'default', currentVersion: '1', newVersion: '2', healthSeconds: 5 };
const seed: MachineOptions = { autoPromote: true, analysis: false };

/** Run the machine over `outcomes` (one per step, `ok` when they run out): every line, the steps, the end. */
function drive(command: Command, o: MachineOptions, outcomes: Partial<Record<string, Outcome>> = {}) {
  let t = begin(command, o, ctx);
  const lines = [...t.lines];
  const steps: string[] = [];
  for (let i = 0; i < 50 && !isTerminal(t.state.at); i++) {
    steps.push(t.state.at);
    t = transition(t.state, outcomes[t.state.at] ?? 'ok', o, ctx);
    lines.push(...t.lines);
  }
  const end = t.state.at as Terminal;
  return { lines, steps, end, exit: exitCode(end, command), switched: t.state.switched };
}

test('the seed: the Codefresh step\'s lines, verbatim, in order', () => {
  const r = drive('run', seed);
  assert.deepEqual(r.lines, [
    '[DEPLOY INFO] Selecting Kubernetes cluster',
    '[DEPLOY INFO] Locating current version',
    '[DEPLOY NEW COLOR] Creating next version',
    '[DEPLOY INFO] Waiting for new color to come up',
    '[DEPLOY INFO] Waiting for 5 seconds before healthcheck',
    '[DEPLOY INFO] Starting Heathcheck',
    '[DEPLOY HEALTH] New color is healthy.',
    '[DEPLOY SWITCH] Routing traffic to new color',
    '[DEPLOY CLEANUP] Removing previous color',
  ]);
  assert.equal(r.end, 'Succeeded');
  assert.equal(r.exit, 0);
  assert.equal(r.switched, true);
});

test('outcomes by case: where each road ends and with which exit code', () => {
  const cases: Record<string, { command?: Command; o?: Partial<MachineOptions>; outcomes?: Partial<Record<string, Outcome>>; end: Terminal; exit: number; steps?: string[]; last?: string[] }> = {
    'NOP: the Service already selects NEW_VERSION': {
      outcomes: { Locate: 'same' },
      end: 'NoOp',
      exit: 0,
      last: ['[DEPLOY NOP] NEW_VERSION is same as CURRENT_VERSION. Both are at 1'],
    },
    'no Service (or API error) while locating: fail, nothing created to remove': {
      outcomes: { Locate: 'fail' },
      end: 'Failed',
      exit: 1,
      steps: ['SelectCluster', 'Locate'],
    },
    'unhealthy: the new colour is removed, the Service never switched': {
      outcomes: { HealthCheck: 'fail' },
      end: 'Failed',
      exit: 1,
      last: ['[DEPLOY INFO] Starting Heathcheck', '[DEPLOY HEALTH] New color is unhealthy', '[DEPLOY FAILED] Removing new color'],
    },
    'rollout timeout: failed like an unhealthy colour': {
      outcomes: { WaitRollout: 'fail' },
      end: 'Failed',
      exit: 1,
      steps: ['SelectCluster', 'Locate', 'CreateNewColor', 'WaitRollout', 'RemoveNewColor'],
      last: ['[DEPLOY HEALTH] New color is unhealthy', '[DEPLOY FAILED] Removing new color'],
    },
    'API error creating the colour: remove what may exist': {
      outcomes: { CreateNewColor: 'fail' },
      end: 'Failed',
      exit: 1,
      steps: ['SelectCluster', 'Locate', 'CreateNewColor', 'RemoveNewColor'],
    },
    'preview Service: routed before the rollout wait': {
      o: { previewService: 'shop-preview' },
      end: 'Succeeded',
      exit: 0,
      steps: ['SelectCluster', 'Locate', 'CreateNewColor', 'Preview', 'WaitRollout', 'Coexist', 'HealthCheck', 'Switch', 'Cleanup'],
    },
    'manual promotion: pause after the health check, exit 0': {
      o: { autoPromote: false },
      end: 'Paused',
      exit: 0,
      steps: ['SelectCluster', 'Locate', 'CreateNewColor', 'WaitRollout', 'Coexist', 'HealthCheck'],
    },
    'analysis and manual promotion: pre-promotion analysis before the pause': {
      o: { autoPromote: false, analysis: true },
      end: 'Paused',
      exit: 0,
      steps: ['SelectCluster', 'Locate', 'CreateNewColor', 'WaitRollout', 'Coexist', 'HealthCheck', 'PrePromotionAnalysis'],
    },
    'pre-promotion analysis fails: no switch': {
      o: { analysis: true },
      outcomes: { PrePromotionAnalysis: 'fail' },
      end: 'Failed',
      exit: 1,
      last: ['[DEPLOY ANALYSIS] Pre-promotion analysis failed', '[DEPLOY FAILED] Removing new color'],
    },
    'post-promotion analysis fails: traffic switched back, then the colour removed': {
      o: { analysis: true },
      outcomes: { PostPromotionAnalysis: 'fail' },
      end: 'Failed',
      exit: 1,
      steps: ['SelectCluster', 'Locate', 'CreateNewColor', 'WaitRollout', 'Coexist', 'HealthCheck', 'PrePromotionAnalysis', 'Switch', 'PostPromotionAnalysis', 'SwitchBack', 'RemoveNewColor'],
      last: ['[DEPLOY ANALYSIS] Post-promotion analysis failed', '[DEPLOY ROLLBACK] Routing traffic back to previous color', '[DEPLOY FAILED] Removing new color'],
    },
    'scale-down delay: kept, then scaled to zero (not deleted)': {
      o: { scaleDownDelay: '30s' },
      end: 'Succeeded',
      exit: 0,
      steps: ['SelectCluster', 'Locate', 'CreateNewColor', 'WaitRollout', 'Coexist', 'HealthCheck', 'Switch', 'ScaleDownDelay', 'ScaleDown'],
      last: [
        '[DEPLOY INFO] Keeping previous color for 30s before scaling it down: "flotilla bluegreen rollback shop" switches back',
        '[DEPLOY CLEANUP] Scaling previous color to zero',
      ],
    },
    'scale-down delay interrupted by rollback: the run exits 1': {
      o: { scaleDownDelay: '30s' },
      outcomes: { ScaleDownDelay: 'rolledBack' },
      end: 'RolledBack',
      exit: 1,
    },
    'promote: re-check, switch, remove the old colour': {
      command: 'promote',
      o: { autoPromote: false },
      end: 'Succeeded',
      exit: 0,
      steps: ['HealthCheck', 'Switch', 'Cleanup'],
    },
    'promote of a colour that broke while paused: nothing switched, colour kept for abort': {
      command: 'promote',
      o: { autoPromote: false },
      outcomes: { HealthCheck: 'fail' },
      end: 'Failed',
      exit: 1,
      steps: ['HealthCheck'],
    },
    'abort: remove the new colour, exit 0': {
      command: 'abort',
      end: 'Aborted',
      exit: 0,
      steps: ['RemoveNewColor'],
      last: ['[DEPLOY ABORT] Removing new color'],
    },
    'rollback: bring the old colour back, switch, remove the new': {
      command: 'rollback',
      end: 'RolledBack',
      exit: 0,
      steps: ['RestorePrevious', 'SwitchBack', 'RemoveNewColor'],
      last: ['[DEPLOY ROLLBACK] Routing traffic back to previous color', '[DEPLOY ROLLBACK] Removing new color'],
    },
    'traffic through an IngressRoute: shift, switch, settle the weights': {
      o: { traffic: 'shop', previewService: 'shop-preview' },
      end: 'Succeeded',
      exit: 0,
      steps: ['SelectCluster', 'Locate', 'CreateNewColor', 'Preview', 'WaitRollout', 'Coexist', 'HealthCheck', 'ShiftTraffic', 'Switch', 'SettleTraffic', 'Cleanup'],
      last: [
        '[DEPLOY TRAFFIC] Shifting traffic to new color through ingressroute/shop',
        '[DEPLOY SWITCH] Routing traffic to new color',
        '[DEPLOY TRAFFIC] Routing ingress traffic through service shop only',
        '[DEPLOY CLEANUP] Removing previous color',
      ],
    },
    'analysis fails at a traffic step: weights back, colour removed': {
      o: { traffic: 'shop', previewService: 'shop-preview', analysis: true },
      outcomes: { ShiftTraffic: 'fail' },
      end: 'Failed',
      exit: 1,
      last: ['[DEPLOY ROLLBACK] Routing ingress traffic back to previous color', '[DEPLOY FAILED] Removing new color'],
    },
    'the switch fails after a full shift: weights back first': {
      o: { traffic: 'shop', previewService: 'shop-preview' },
      outcomes: { Switch: 'fail' },
      end: 'Failed',
      exit: 1,
      steps: ['SelectCluster', 'Locate', 'CreateNewColor', 'Preview', 'WaitRollout', 'Coexist', 'HealthCheck', 'ShiftTraffic', 'Switch', 'ResetTraffic', 'RemoveNewColor'],
    },
    'the weights cannot be reset: stop, keep the colour': {
      o: { traffic: 'shop', previewService: 'shop-preview' },
      outcomes: { ShiftTraffic: 'fail', ResetTraffic: 'fail' },
      end: 'Failed',
      exit: 1,
      steps: ['SelectCluster', 'Locate', 'CreateNewColor', 'Preview', 'WaitRollout', 'Coexist', 'HealthCheck', 'ShiftTraffic', 'ResetTraffic'],
    },
    'each command opens with what it does': {
      command: 'abort',
      end: 'Aborted',
      exit: 0,
      last: ['[DEPLOY ABORT] Aborting the rollout to version 2 (keeping 1)', '[DEPLOY ABORT] Removing new color'],
    },
    'rollback whose old colour cannot come back: nothing switched': {
      command: 'rollback',
      outcomes: { RestorePrevious: 'fail' },
      end: 'Failed',
      exit: 1,
      steps: ['RestorePrevious'],
    },
  };
  for (const [name, c] of Object.entries(cases)) {
    const r = drive(c.command ?? 'run', { ...seed, ...c.o }, c.outcomes);
    assert.equal(r.end, c.end, name);
    assert.equal(r.exit, c.exit, name);
    if (c.steps) assert.deepEqual(r.steps, c.steps, name);
    if (c.last) assert.deepEqual(r.lines.slice(-c.last.length), c.last, name);
  }
});

test('the pause line names the commands, with the namespace when not default', () => {
  const o = { ...seed, autoPromote: false };
  let t = begin('run', o, { ...ctx, namespace: 'prod' });
  const lines: string[] = [];
  while (!isTerminal(t.state.at)) {
    t = transition(t.state, 'ok', o, { ...ctx, namespace: 'prod' });
    lines.push(...t.lines);
  }
  assert.equal(
    lines.at(-1),
    '[DEPLOY PAUSED] New color is healthy; waiting for promotion: "flotilla bluegreen promote shop --namespace prod" switches traffic, "flotilla bluegreen abort shop --namespace prod" removes it',
  );
});

test('a terminal state does not move', () => {
  const t = transition({ at: 'Succeeded', command: 'run', switched: true }, 'fail', seed, ctx);
  assert.equal(t.state.at, 'Succeeded');
  assert.deepEqual(t.lines, []);
});
