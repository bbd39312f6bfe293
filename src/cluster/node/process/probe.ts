/**
 * Kubelet's probes as pure data: {@link parseProbe} turns a container's probe into a spec with
 * kubelet's defaults (periodSeconds 10, timeoutSeconds 1, successThreshold 1, failureThreshold 3,
 * named ports resolved against the container's ports, the host the pod IP), and
 * {@link nextProbeResult} is the prober worker's threshold rule: a result flips only after
 * `successThreshold` successes or `failureThreshold` failures in a row. Initial results are
 * kubelet's: readiness Failure, liveness Success, startup Unknown (not started).
 */
import type { Container, Probe } from 'kubernetes-types/core/v1.js';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

export type ProbeAction =
  | { readonly kind: 'http'; readonly scheme: 'HTTP' | 'HTTPS'; readonly host: string; readonly port: number; readonly path: string; readonly headers: readonly { name: string; value: string }[] }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'exec'; readonly command: readonly string[] };

export interface ProbeSpec {
  readonly action: ProbeAction;
  readonly initialDelayMs: number;
  readonly periodMs: number;
  readonly timeoutMs: number;
  readonly successThreshold: number;
  readonly failureThreshold: number;
}

/** A probe kubelet cannot run (e.g. a named port the container does not declare). */
export interface ProbeError {
  readonly error: string;
}

/** A probe's or hook's port: a number, or a named port of the container (a string is kubelet's error). */
export function resolvePort(port: number | string | undefined, c: Container): number | string {
  if (typeof port === 'number') return port;
  if (port === undefined) return 'missing port';
  if (/^\d+$/.test(port)) return Number(port);
  const named = (c.ports ?? []).find((p) => p.name === port);
  return named ? named.containerPort : `couldn't find port: ${port} in ${JSON.stringify(c.name)}`;
}

export function parseProbe(p: Probe, c: Container, podIP: string): ProbeSpec | ProbeError {
  let action: ProbeAction;
  if (p.httpGet) {
    const port = resolvePort(p.httpGet.port, c);
    if (typeof port === 'string') return { error: port };
    let path = p.httpGet.path ?? '/';
    if (!path.startsWith('/')) path = `/${path}`;
    action = {
      kind: 'http',
      scheme: p.httpGet.scheme === 'HTTPS' ? 'HTTPS' : 'HTTP',
      host: p.httpGet.host || podIP,
      port,
      path,
      headers: (p.httpGet.httpHeaders ?? []).map((h) => ({ name: h.name, value: h.value })),
    };
  } else if (p.tcpSocket) {
    const port = resolvePort(p.tcpSocket.port, c);
    if (typeof port === 'string') return { error: port };
    action = { kind: 'tcp', host: p.tcpSocket.host || podIP, port };
  } else if (p.exec?.command?.length) {
    action = { kind: 'exec', command: p.exec.command };
  } else if (p.grpc) {
    return { error: 'grpc probes are not supported by the process runtime' };
  } else {
    return { error: 'missing probe handler' };
  }
  const pos = (v: number | undefined, d: number): number => (v !== undefined && v > 0 ? v : d);
  return {
    action,
    initialDelayMs: Math.max(0, p.initialDelaySeconds ?? 0) * 1000,
    periodMs: pos(p.periodSeconds, 10) * 1000,
    timeoutMs: pos(p.timeoutSeconds, 1) * 1000,
    successThreshold: pos(p.successThreshold, 1),
    failureThreshold: pos(p.failureThreshold, 3),
  };
}

export type ProbeResult = 'Success' | 'Failure' | 'Unknown';

export interface ProbeState {
  readonly result: ProbeResult;
  /** Consecutive outcomes equal to the last one. */
  readonly run: number;
  readonly last?: 'Success' | 'Failure';
}

export function initialProbeState(kind: ProbeKind): ProbeState {
  return { result: kind === 'readiness' ? 'Failure' : kind === 'liveness' ? 'Success' : 'Unknown', run: 0 };
}

/** The state after one probe outcome (prober/worker.go doProbe's thresholds). */
export function nextProbeResult(state: ProbeState, outcome: 'Success' | 'Failure', spec: Pick<ProbeSpec, 'successThreshold' | 'failureThreshold'>): ProbeState {
  const run = state.last === outcome ? state.run + 1 : 1;
  const threshold = outcome === 'Success' ? spec.successThreshold : spec.failureThreshold;
  const result = run >= threshold ? outcome : state.result;
  return { result, run, last: outcome };
}

/** The wording of the `Unhealthy` event: `Liveness probe failed: HTTP probe failed with statuscode: 500`. */
export function unhealthyMessage(kind: ProbeKind, output: string): string {
  const name = kind === 'liveness' ? 'Liveness' : kind === 'readiness' ? 'Readiness' : 'Startup';
  return `${name} probe failed: ${output}`;
}
