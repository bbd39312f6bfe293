/**
 * Runs a container's probes (the shell of probe.ts): one timer per probe, the first run after
 * `initialDelaySeconds`, then every `periodSeconds`; startup first, then liveness and readiness.
 * Results go through kubelet's thresholds and are reported when they flip; every failed run is
 * reported too (kubelet records an `Unhealthy` event each time).
 */
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { Container } from 'kubernetes-types/core/v1.js';
import { initialProbeState, nextProbeResult, parseProbe, type ProbeAction, type ProbeKind, type ProbeResult, type ProbeSpec, type ProbeState } from './probe.js';

export interface ProbeOutcome {
  readonly ok: boolean;
  readonly output: string;
}

export interface ProbeTarget {
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

/** Run one probe action once. */
export function runProbe(action: ProbeAction, timeoutMs: number, target: ProbeTarget): Promise<ProbeOutcome> {
  switch (action.kind) {
    case 'http':
      return httpProbe(action, timeoutMs);
    case 'tcp':
      return tcpProbe(action.host, action.port, timeoutMs);
    case 'exec':
      return execProbe(action.command, timeoutMs, target);
  }
}

function httpProbe(a: Extract<ProbeAction, { kind: 'http' }>, timeoutMs: number): Promise<ProbeOutcome> {
  const url = `${a.scheme.toLowerCase()}://${a.host}:${a.port}${a.path}`;
  return new Promise((resolve) => {
    const send = a.scheme === 'HTTPS' ? httpsRequest : httpRequest;
    const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
    for (const h of a.headers) headers[h.name] = h.value;
    const req = send(url, { method: 'GET', headers, rejectUnauthorized: false, agent: false }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? { ok: true, output: '' } : { ok: false, output: `HTTP probe failed with statuscode: ${code}` });
    });
    req.setTimeout(timeoutMs, () => {
      req.destroy();
      resolve({ ok: false, output: `Get ${JSON.stringify(url)}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, output: `Get ${JSON.stringify(url)}: ${dialError(a.host, a.port, err)}` }));
    req.end();
  });
}

/** Go's net dial error, as it ends kubelet's probe and hook messages. */
export function dialError(host: string, port: number, err: NodeJS.ErrnoException): string {
  if (err.code === 'ECONNREFUSED') return `dial tcp ${host}:${port}: connect: connection refused`;
  return `dial tcp ${host}:${port}: ${err.message}`;
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ ok: false, output: `dial tcp ${host}:${port}: i/o timeout` });
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve({ ok: true, output: '' });
    });
    s.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, output: dialError(host, port, err) });
    });
  });
}

function execProbe(command: readonly string[], timeoutMs: number, target: ProbeTarget): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const child = spawn(command[0], command.slice(1), { cwd: target.cwd, env: { ...target.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ ok: false, output: `command ${JSON.stringify(command.join(' '))} timed out` });
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, output: err.message });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code === 0 ? { ok: true, output: out } : { ok: false, output: out.trim() || `command ${JSON.stringify(command.join(' '))} exited with ${code}` });
    });
  });
}

export interface ProberCallbacks {
  /** A probe's result flipped (after its thresholds). */
  onResult(kind: ProbeKind, result: ProbeResult): void;
  /** One run failed (for the Unhealthy event). */
  onFailure(kind: ProbeKind, output: string): void;
  /** A probe cannot run (bad spec). */
  onInvalid(kind: ProbeKind, error: string): void;
}

/** Start probing a container; returns a stop function. */
export function startProber(c: Container, podIP: string, target: ProbeTarget, cb: ProberCallbacks): () => void {
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;
  const specs: Partial<Record<ProbeKind, ProbeSpec>> = {};
  for (const [kind, p] of [['startup', c.startupProbe], ['liveness', c.livenessProbe], ['readiness', c.readinessProbe]] as const) {
    if (!p) continue;
    const s = parseProbe(p, c, podIP);
    if ('error' in s) cb.onInvalid(kind, s.error);
    else specs[kind] = s;
  }
  let startupDone = !specs.startup;
  const loop = (kind: ProbeKind, spec: ProbeSpec): void => {
    let state: ProbeState = initialProbeState(kind);
    const tick = async (): Promise<void> => {
      if (stopped) return;
      if (kind !== 'startup' && !startupDone) return schedule(spec.periodMs);
      if (kind === 'startup' && startupDone) return;
      const r = await runProbe(spec.action, spec.timeoutMs, target);
      if (stopped) return;
      if (!r.ok) cb.onFailure(kind, r.output);
      const next = nextProbeResult(state, r.ok ? 'Success' : 'Failure', spec);
      const flipped = next.result !== state.result;
      state = next;
      if (flipped) {
        if (kind === 'startup' && next.result === 'Success') startupDone = true;
        cb.onResult(kind, next.result);
      }
      schedule(spec.periodMs);
    };
    const schedule = (ms: number): void => {
      if (stopped) return;
      const t = setTimeout(() => {
        timers.delete(t);
        void tick();
      }, ms);
      timers.add(t);
    };
    schedule(spec.initialDelayMs);
  };
  for (const kind of ['startup', 'liveness', 'readiness'] as const) {
    const s = specs[kind];
    if (s) loop(kind, s);
  }
  return () => {
    stopped = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
  };
}
