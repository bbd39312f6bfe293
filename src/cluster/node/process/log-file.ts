/**
 * One container run's log file, written as containerd's CRI logger does: each line of stdout and
 * stderr becomes `<RFC3339 nanoseconds> <stream> <F|P> <text>`, in the order the chunks arrive.
 * Lives at `<dataDir>/var/log/pods/<ns>_<pod>_<uid>/<container>/<restartCount>.log`, with
 * kubelet's legacy symlink `<dataDir>/var/log/containers/<pod>_<ns>_<container>-<id>.log`.
 */
import { createWriteStream, mkdirSync, symlinkSync, unlinkSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { criTimestamp, formatCriLine, splitLines, type LogStream } from './cri-log.js';

/** Nanoseconds since the epoch, from the high-resolution clock (strictly increasing per process). */
let lastNs = 0n;
export function nowNs(): bigint {
  let ns = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
  if (ns <= lastNs) ns = lastNs + 1n;
  lastNs = ns;
  return ns;
}

export function podLogDir(dataDir: string, namespace: string, pod: string, uid: string): string {
  return join(dataDir, 'var', 'log', 'pods', `${namespace}_${pod}_${uid}`);
}

export function containerLogPath(dataDir: string, namespace: string, pod: string, uid: string, container: string, attempt: number): string {
  return join(podLogDir(dataDir, namespace, pod, uid), container, `${attempt}.log`);
}

/** kubelet's legacyLogSymlink: the container ID without its `flotilla://` scheme. */
export function legacySymlinkPath(dataDir: string, namespace: string, pod: string, container: string, containerID: string): string {
  const id = containerID.slice(containerID.indexOf('://') + 3);
  return join(dataDir, 'var', 'log', 'containers', `${pod}_${namespace}_${container}-${id}.log`);
}

export class ContainerLogFile {
  private readonly out: WriteStream;
  private readonly pending: Record<LogStream, string> = { stdout: '', stderr: '' };
  private open = 0;
  private readonly closed: Promise<void>;
  private finish!: () => void;

  constructor(readonly path: string, symlink?: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.out = createWriteStream(path, { flags: 'a' });
    this.out.on('error', () => {});
    this.closed = new Promise((r) => (this.finish = r));
    this.out.on('close', () => this.finish());
    if (symlink) {
      mkdirSync(dirname(symlink), { recursive: true });
      try {
        unlinkSync(symlink);
      } catch {
        /* none yet */
      }
      try {
        symlinkSync(path, symlink);
      } catch {
        /* kubelet logs and carries on */
      }
    }
  }

  /** Copy a stream into the file until it ends; the file closes when every attached stream has ended. */
  attach(stream: Readable, which: LogStream): void {
    this.open++;
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.write(which, chunk, false));
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      this.write(which, '', true);
      if (--this.open === 0) this.out.end();
    };
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', end);
  }

  /** Resolves once everything is on disk. */
  done(): Promise<void> {
    if (this.open === 0 && !this.out.closed) this.out.end();
    return this.closed;
  }

  private write(which: LogStream, chunk: string, end: boolean): void {
    const { lines, pending } = splitLines(this.pending[which], chunk, end);
    this.pending[which] = pending;
    if (!lines.length) return;
    const time = criTimestamp(nowNs());
    this.out.write(lines.map((l) => formatCriLine(time, which, l.partial, l.content)).join(''));
  }
}
