/**
 * Runs one lifecycle hook action (hooks.ts) once: exec spawns the command in the container's
 * environment and working directory, as exec probes do; httpGet sends one GET; sleep waits.
 * There is no timeout, as in kubelet: the caller aborts `signal` when the container exits or the
 * preStop hook runs out of grace period, which kills an exec hook's process group.
 */
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HookAction, HookFailure } from './hooks.js';
import { execExitError } from './hooks.js';
import { killGroup } from './orphans.js';
import { dialError } from './prober.js';
import type { ProbeTarget } from './prober.js';

/** The hook's failure, or undefined when it succeeded (or was aborted). */
export function runHook(action: HookAction, target: ProbeTarget, signal: AbortSignal): Promise<HookFailure | undefined> {
  switch (action.kind) {
    case 'exec':
      return execHook(action.command, target, signal);
    case 'http':
      return httpHook(action, signal);
    case 'sleep':
      return new Promise((resolve) => {
        const t = setTimeout(() => resolve(undefined), action.ms);
        signal.addEventListener('abort', () => (clearTimeout(t), resolve(undefined)), { once: true });
      });
  }
}

function execHook(command: readonly string[], target: ProbeTarget, signal: AbortSignal): Promise<HookFailure | undefined> {
  return new Promise((resolve) => {
    // Its own process group, so that `sh -c` children go too when the hook is abandoned.
    const child = spawn(command[0], command.slice(1), { cwd: target.cwd, env: { ...target.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const kill = (): void => void killGroup(child.pid);
    signal.addEventListener('abort', kill, { once: true });
    child.on('error', (err: NodeJS.ErrnoException) => {
      signal.removeEventListener('abort', kill);
      // What runc says when the command is not there.
      const error = err.code === 'ENOENT' ? `exec: ${JSON.stringify(command[0])}: executable file not found in $PATH` : err.message;
      resolve({ error, output: '' });
    });
    child.on('close', (code, sig) => {
      signal.removeEventListener('abort', kill);
      if (signal.aborted) return resolve(undefined);
      const exit = code ?? 128 + (sig === 'SIGKILL' ? 9 : 15);
      resolve(exit === 0 ? undefined : { error: execExitError(command, exit, stderr), output: stdout + stderr });
    });
  });
}

function httpHook(a: Extract<HookAction, { kind: 'http' }>, signal: AbortSignal): Promise<HookFailure | undefined> {
  return new Promise((resolve) => {
    const send = a.url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(a.url, { method: 'GET', headers: a.headers, rejectUnauthorized: false, agent: false, signal }, (res) => {
      // kubelet reads (at most 10 KB of) the body and never the status code.
      res.resume();
      res.on('end', () => resolve(undefined));
      res.on('error', () => resolve(undefined));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (signal.aborted) return resolve(undefined);
      resolve({ error: `Get ${JSON.stringify(a.url)}: ${dialError(a.host, a.port, err)}` });
    });
    req.end();
  });
}
