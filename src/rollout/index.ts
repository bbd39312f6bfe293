/**
 * @module rollout
 *
 * Blue/green deployments: the Codefresh `k8s-blue-green` step's interface (SERVICE_NAME,
 * DEPLOYMENT_NAME, NEW_VERSION, HEALTH_SECONDS, NAMESPACE, KUBE_CONTEXT; `<DEPLOYMENT_NAME>-<version>`
 * colours; a Service selecting on `version`; the same `[DEPLOY …]` lines and exit codes), done
 * safely, with Argo Rollouts' blueGreen options (preview Service, manual promotion, scale-down
 * delay with rollback, pre- and post-promotion analysis), and traffic shifted step by step through
 * a contour.heptio.com/v1beta1 IngressRoute's weights.
 *
 * A short tour:
 * - {@link registerBluegreenCommands} adds `bluegreen` and `bluegreen promote|abort|rollback` to a
 *   commander program (cli.ts); inputs are checked once by {@link resolveRunInputs}.
 * - The pure cores, table-tested: the state machine ({@link begin}, {@link transition},
 *   {@link exitCode}), the structural copy of the Deployment ({@link nextColor}), the health verdict
 *   ({@link assessHealth}), kubectl's rollout status ({@link rolloutProgress}), the rollout record
 *   kept on the Service between invocations ({@link decodeRecord}, {@link refusal}), the summary.
 * - {@link execute} (runner.ts) is the shell: it performs the step the machine names, through the
 *   Kubernetes API only.
 *
 * Tips:
 * - State between invocations lives in the `bluegreen.flotilla.dev/rollout` annotation of the
 *   active Service, never in local files; writes are guarded by its resourceVersion.
 * - Lines of the original step are part of the interface: change them only with the machine's tests.
 */
export { registerBluegreenCommands, loadKubeConfig } from './cli.js';
export type { BluegreenDeps } from './cli.js';
export { execute, describeError } from './runner.js';
export type { Rollout, RunnerDeps } from './runner.js';
export { begin, transition, exitCode, isTerminal, entryLines } from './machine.js';
export type { Step, Terminal, Command as BluegreenCommand, Outcome, MachineOptions, State, Transition } from './machine.js';
export { nextColor, colorName, replaceImageTag, VERSION_LABEL } from './next-color.js';
export type { NextColorOptions } from './next-color.js';
export { assessHealth, summarizePod, podTable, DEFAULT_MAX_RESTARTS } from './health.js';
export type { HealthVerdict, PodSummary } from './health.js';
export { rolloutProgress } from './rollout-status.js';
export type { RolloutProgress } from './rollout-status.js';
export { resolveRunInputs, resolveTargetInputs, usageText, INPUTS, DEFAULT_TIMEOUT, DEFAULT_STEP_INTERVAL } from './inputs.js';
export type { RunInputs, RunFlags, TargetInputs, TargetFlags, Resolved } from './inputs.js';
export { RECORD_ANNOTATION, decodeRecord, encodeRecord, refusal, RecordError } from './record.js';
export type { RolloutRecord, RecordPhase } from './record.js';
export { analysisChecks, httpCheck } from './analysis.js';
export type { AnalysisCheck, AnalysisResult, AnalysisPod } from './analysis.js';
export { formatSummary } from './summary.js';
export type { Report, ColorReport } from './summary.js';
export { parseDuration, formatDuration } from './duration.js';
export { selectorString } from './pod-selector.js';
export { ingressRoutes, withWeights, parseSteps, parseTrafficTarget } from './traffic.js';
export type { Route, RouteService } from './traffic.js';
