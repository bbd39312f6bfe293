/**
 * @module cluster/node/process
 *
 * The process runtime: pods bound to a `process` node run for real, as a kubelet with a tiny
 * container runtime would run them. Pure cores (table-tested) and thin shells:
 *
 * - `image.ts` — which program a container runs: a built-in image (`flotilla/echo`,
 *   `flotilla/crashloop`, `pause`, matched on the repository whatever the registry or tag),
 *   Flotilla itself (`flotilla/flotilla[:tag]`: `flotilla <args…>`, the CLI this runtime was built
 *   with, with `POD_IP` set), the container's `command`, or nothing (`ErrImagePull` /
 *   `ImagePullBackOff`).
 * - `volumes.ts` — `secret`, `configMap`, `downwardAPI`, `emptyDir` (and `hostPath`) volumes:
 *   their files, where kubelet puts them (`<pod dir>/volumes/kubernetes.io~secret/<name>/…`),
 *   kubelet's FailedMount errors, and the process runtime's way of mounting: `FLOTILLA_MOUNT_<VOLUME>`
 *   and mount paths rewritten in command, args, env and exec probes. `volume-files.ts` writes
 *   them as kubelet's atomic writer does (`..data` swapped by one rename); the runtime refreshes
 *   them every 10 s while the pod runs.
 * - `env.ts` — the environment as kubelet builds it (`envFrom`, `env` with `$(VAR)` expansion,
 *   configMapKeyRef / secretKeyRef / fieldRef / resourceFieldRef, service variables, HOSTNAME).
 * - `lifecycle.ts` — what to do next (init containers in order, restart policy, crash back-off
 *   10 s doubling to 5 min) and the PodStatus to report (phase, conditions, container states).
 * - `probe.ts` — probe specs with kubelet's defaults and the threshold rule; `prober.ts` runs them.
 * - `hooks.ts` — lifecycle hooks (`postStart`, `preStop`: exec, httpGet, sleep) with kubelet's
 *   messages and grace-period arithmetic; `hook-runner.ts` runs them. A failed postStart is
 *   `FailedPostStartHook` and a kill; preStop runs before SIGTERM within the grace period.
 * - `working-dir.ts` — where a container's process starts: `workingDir` inside a volume's directory,
 *   on the host, or in a scratch directory of its own under the pod's.
 * - `cri-log.ts` — the CRI log format and kubelet's tail/since/limit selection; `log-file.ts`
 *   writes `<dataDir>/var/log/pods/<ns>_<pod>_<uid>/<container>/<restartCount>.log` and the
 *   `var/log/containers` symlinks; `log-target.ts` and `kubelet-server.ts` serve
 *   `GET /containerLogs/{ns}/{pod}/{container}`.
 * - `runtime.ts` — the shell: spawns, signals and watches the processes.
 * - `builtin-image.ts` — the built-in images' script (standalone; exits when the agent dies).
 * - `cli-image.ts` — the `flotilla/flotilla` wrapper: runs the CLI, kills it when the agent dies.
 */
export { programOf, imageRepository, UNKNOWN_IMAGE_MESSAGE } from './image.js';
export type { Program, BuiltinImage } from './image.js';
export { resolveEnv, expand, envReferences, expandCommand } from './env.js';
export type { EnvContext, EnvResult } from './env.js';
export { planPod, podStatusOf, factsFromStatus, nextBackoff, restartAt, shouldRestart, goDuration, podRef, DEADLINE_MESSAGE, POST_START_HOOK_ERROR } from './lifecycle.js';
export type { ContainerFacts, RunFacts, Backoff, PodPlan, FactsOf } from './lifecycle.js';
export { parseProbe, nextProbeResult, initialProbeState, unhealthyMessage } from './probe.js';
export { parseHook, hookFailureMessage, hookURL, hookHeaders, stopGraceAfterPreStop, runsPreStop, POST_START_FAILED_EVENT, PRE_STOP_FAILED_EVENT } from './hooks.js';
export type { HookAction, HookKind, HookFailure } from './hooks.js';
export { workingDirOf } from './working-dir.js';
export type { WorkingDir } from './working-dir.js';
export type { ProbeSpec, ProbeAction, ProbeKind, ProbeResult, ProbeState } from './probe.js';
export { criTimestamp, rfc3339Nano, formatCriLine, parseCriLine, splitLines, selectLog, renderEntry } from './cri-log.js';
export type { CriEntry, LogQuery, LogStream } from './cri-log.js';
export { logTarget, parseLogQuery } from './log-target.js';
export { containerLogPath, legacySymlinkPath, podLogDir } from './log-file.js';
export { startKubeletServer } from './kubelet-server.js';
export type { KubeletServer, LogSource } from './kubelet-server.js';
export { ProcessRuntime, VOLUME_SYNC_MS } from './runtime.js';
export { volumeDir, volumeKind, volumePayload, volumeReferences, containerMounts, mountEnv, mountEnvName, pathRewriter, rewritePaths, rewriteContainer, rewriteEnv, failedMountMessage, DEFAULT_MODE } from './volumes.js';
export type { Mount, MountsResult, VolumeFile, VolumeKind, VolumePayload, VolumeContext } from './volumes.js';
export { writePayload, payloadDirPrefix, topLevelNames } from './volume-files.js';
export type { ProcessRuntimeOptions, RuntimeSync } from './runtime.js';
