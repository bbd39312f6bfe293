/**
 * Container lifecycle hooks (`lifecycle.postStart`, `lifecycle.preStop`) as kubelet runs them
 * (pkg/kubelet/lifecycle/handlers.go, kuberuntime_container.go startContainer / killContainer /
 * executePreStopHook), as pure functions; hook-runner.ts runs them.
 *
 * - {@link parseHook}: the handler as an action. `exec` runs its command as-is (no `$(VAR)`
 *   expansion, as kubelet); `httpGet` is a GET to `host` (default the pod IP) on a numeric or named
 *   container port, kubelet's User-Agent `kube-lifecycle/<version>`, `httpHeaders` overriding;
 *   `sleep` waits `seconds`.
 * - Outcomes: an exec hook fails when its command exits non-zero; an HTTP hook fails only when no
 *   response comes (kubelet never looks at the status code); a sleep hook does not fail.
 * - {@link hookFailureMessage}: kubelet's wording for a failed hook, which becomes the message of
 *   the `PostStartHookError` waiting state. The events carry only the fixed {@link
 *   POST_START_FAILED_EVENT} / {@link PRE_STOP_FAILED_EVENT} (kubelet keeps hook output out of
 *   events so that secrets do not leak).
 * - {@link stopGraceAfterPreStop}: the preStop hook counts against the grace period (whole seconds
 *   taken, as kubelet truncates), and the container still gets at least 2 s after SIGTERM.
 */
import type { Container, LifecycleHandler, Pod } from 'kubernetes-types/core/v1.js';
import { podRef } from './lifecycle.js';
import { resolvePort } from './probe.js';

export type HookKind = 'postStart' | 'preStop';

export type HookAction =
  | { readonly kind: 'exec'; readonly command: readonly string[] }
  | { readonly kind: 'http'; readonly url: string; readonly host: string; readonly port: number; readonly headers: Readonly<Record<string, string>> }
  | { readonly kind: 'sleep'; readonly ms: number };

/** A hook kubelet cannot run (an unknown named port, no handler): it fails with this error. */
export interface HookError {
  readonly error: string;
}

/** What kubelet sends as its version in the lifecycle User-Agent (the probes' kube-probe/1.32 too). */
export const KUBE_VERSION = '1.32';
/** kubelet's minimumGracePeriodInSeconds: SIGTERM always gets this long before SIGKILL. */
export const MIN_GRACE_S = 2;
export const POST_START_FAILED_EVENT = 'PostStartHook failed';
export const PRE_STOP_FAILED_EVENT = 'PreStopHook failed';
/** The Killing event's message when a failed postStart hook kills the container. */
export const POST_START_KILL_MESSAGE = 'FailedPostStartHook';

/** Go's net.JoinHostPort + url.URL.String for kubelet's formatURL: `path` may carry a query. */
export function hookURL(scheme: string, host: string, port: number, path: string): string {
  const h = host.includes(':') ? `[${host}]` : host;
  const p = path === '' || path.startsWith('/') ? path : `/${path}`;
  return `${scheme}://${h}:${port}${p}`;
}

/** kubelet's request headers: its User-Agent and Accept unless the hook sets them; an empty Accept is dropped. */
export function hookHeaders(headers: readonly { name: string; value: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const has = (n: string): boolean => (headers ?? []).some((h) => h.name.toLowerCase() === n);
  if (!has('user-agent')) out['User-Agent'] = `kube-lifecycle/${KUBE_VERSION}`;
  if (!has('accept')) out.Accept = '*/*';
  for (const h of headers ?? []) {
    if (h.name.toLowerCase() === 'accept' && h.value === '') continue;
    out[h.name] = h.value;
  }
  return out;
}

export function parseHook(h: LifecycleHandler, c: Container, podIP: string): HookAction | HookError {
  if (h.exec) {
    if (!h.exec.command?.length) return { error: 'invalid handler: exec without a command' };
    return { kind: 'exec', command: h.exec.command };
  }
  if (h.httpGet) {
    const g = h.httpGet;
    // An empty port name is kubelet's port 80.
    const port = g.port === '' ? 80 : resolvePort(g.port, c);
    if (typeof port === 'string') return { error: port };
    if (port <= 0 || port >= 65536) return { error: `invalid port number: ${port}` };
    const host = g.host || podIP;
    return { kind: 'http', url: hookURL((g.scheme ?? 'HTTP').toLowerCase(), host, port, g.path ?? ''), host, port, headers: hookHeaders(g.httpHeaders) };
  }
  if (h.sleep) return { kind: 'sleep', ms: Math.max(0, h.sleep.seconds) * 1000 };
  if (h.tcpSocket) return { error: 'invalid handler: tcpSocket is deprecated as a lifecycle handler and not supported' };
  return { error: 'invalid handler: no exec, httpGet or sleep' };
}

/** Go's %q for the strings kubelet quotes: JSON's escapes, with Go's `\x..` for control bytes. */
export function goQuote(s: string): string {
  return JSON.stringify(s).replace(/\\u00([0-9a-f]{2})/g, '\\x$1');
}

/** The error of an exec hook whose command exited non-zero (the CRI client's ExecSync error). */
export function execExitError(command: readonly string[], code: number, stderr: string): string {
  return `command '${command.join(' ')}' exited with ${code}: ${stderr}`;
}

/** A failed hook run: its error and (exec) the command's output, stdout then stderr. */
export interface HookFailure {
  readonly error: string;
  readonly output?: string;
}

/** kubelet's message for a failed hook (handlerRunner.Run), shown as the PostStartHookError message. */
export function hookFailureMessage(h: LifecycleHandler, c: Pick<Container, 'name'>, pod: Pod, f: HookFailure): string {
  const who = `for Container ${goQuote(c.name)} in Pod ${goQuote(podRef(pod))} failed - error: ${f.error}`;
  if (h.exec) return `Exec lifecycle hook ([${(h.exec.command ?? []).join(' ')}]) ${who}, message: ${goQuote(f.output ?? '')}`;
  if (h.httpGet) return `HTTP lifecycle hook (${h.httpGet.path ?? ''}) ${who}`;
  if (h.sleep) return `Sleep lifecycle hook (${h.sleep.seconds}) ${who}`;
  return `Cannot run handler: ${f.error}`;
}

/**
 * Seconds between SIGTERM and SIGKILL after a preStop hook that took `hookMs` of a `graceS`
 * grace period (killContainer): the whole seconds taken are subtracted, never below 2.
 */
export function stopGraceAfterPreStop(graceS: number, hookMs: number | undefined): number {
  const left = hookMs === undefined ? graceS : graceS - Math.floor(hookMs / 1000);
  return Math.max(MIN_GRACE_S, left);
}

/** Whether kubelet runs the preStop hook at all: there is one and the grace period is not zero. */
export const runsPreStop = (c: Pick<Container, 'lifecycle'>, graceS: number): boolean => Boolean(c.lifecycle?.preStop) && graceS > 0;
