/**
 * The kubelet's side of `kubectl exec` over WebSocket (`v5.channel.k8s.io`, and `v4` for older
 * clients): every message is binary, its first byte the stream — 0 stdin, 1 stdout, 2 stderr,
 * 3 error (one `Status` when the command ends), 4 terminal resize — and, in v5, `[255, id]` says
 * the peer closed that stream (kubectl's end of stdin). Pure: frames and statuses in and out.
 */

export const STREAM = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4 } as const;
const CLOSE = 255;

/** Subprotocols in the order the kubelet prefers them. */
export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

export interface ExecRequest {
  readonly command: readonly string[];
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

/**
 * The kubelet's reading of an exec request's query (`command`, `input`, `output`, `error`, `tty`
 * as `1`): a terminal has no separate stderr; a request must ask for some stream and a command.
 */
export function parseExecRequest(query: URLSearchParams): ExecRequest | { error: string } {
  const on = (k: string) => query.get(k) === '1';
  const tty = on('tty');
  const r = { command: query.getAll('command'), stdin: on('input'), stdout: on('output'), stderr: on('error') && !tty, tty };
  if (!r.stdin && !r.stdout && !r.stderr) return { error: 'you must specify at least 1 of stdin, stdout, stderr' };
  if (r.command.length === 0) return { error: 'you must specify at least 1 command' };
  return r;
}

/** The subprotocol to answer with, of those the client offers; undefined when none is spoken here. */
export function chooseProtocol(offered: string | undefined): string | undefined {
  const wanted = (offered ?? '').split(',').map((p) => p.trim());
  return EXEC_PROTOCOLS.find((p) => wanted.includes(p));
}

export function frame(stream: number, data: Uint8Array | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = stream;
  out.set(body, 1);
  return out;
}

export type Incoming = { kind: 'data'; stream: number; data: Buffer } | { kind: 'close'; stream: number } | { kind: 'invalid' };

export function readFrame(message: Buffer, protocol: string): Incoming {
  if (message.length === 0) return { kind: 'invalid' };
  if (message[0] === CLOSE && protocol === EXEC_PROTOCOLS[0]) return message.length === 2 ? { kind: 'close', stream: message[1] } : { kind: 'invalid' };
  return { kind: 'data', stream: message[0], data: message.subarray(1) };
}

/** A resize message's size (`{"Width":80,"Height":24}`), or undefined when it does not read. */
export function readResize(data: Buffer): { width: number; height: number } | undefined {
  try {
    const v = JSON.parse(data.toString('utf8')) as { Width?: unknown; Height?: unknown };
    return typeof v.Width === 'number' && typeof v.Height === 'number' ? { width: v.Width, height: v.Height } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The Status the kubelet sends on the error stream when the command ends: Success, or
 * NonZeroExitCode with the code as an `ExitCode` cause (kubectl exits with it and prints
 * `command terminated with exit code N`). A command ended by a signal exits 128 + its number,
 * as container runtimes report it.
 */
export function exitStatus(command: readonly string[], code: number | null, signal: NodeJS.Signals | null): string {
  const rc = code ?? 128 + (signal ? SIGNAL_NUMBERS[signal] ?? 0 : 0);
  if (rc === 0) return JSON.stringify({ metadata: {}, status: 'Success' });
  return JSON.stringify({
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${rc}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(rc) }] },
  });
}

/** A command that could not be started at all: kube's InternalError on the error stream. */
export function startFailureStatus(why: string): string {
  const message = `Internal error occurred: error executing command in container: ${why}`;
  return JSON.stringify({ metadata: {}, status: 'Failure', message, reason: 'InternalError', details: { causes: [{ message: `error executing command in container: ${why}` }] }, code: 500 });
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGSEGV: 11, SIGPIPE: 13, SIGTERM: 15 };
