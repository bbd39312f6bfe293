/**
 * The `flotilla/flotilla` image of the process runtime, run as
 * `node cli-image.js <dist/src/cli/main.js> <args…>`: it runs the CLI with the container's
 * arguments and environment, and exists only to give the CLI what the built-in images have
 * without changing the CLI — it goes when the agent dies.
 *
 * - The agent holds the other end of this process's stdin; when it closes (the agent exited,
 *   even by SIGKILL) the CLI is SIGKILLed and this exits, as the built-ins do.
 * - The CLI's own stdin is /dev/null, as a container's is without `stdin: true`.
 * - The runtime signals the whole process group (SIGTERM, then SIGKILL after the grace period),
 *   so the CLI gets SIGTERM directly; forwarding it from here would deliver it twice. This
 *   process ignores SIGTERM/SIGINT and exits as the CLI did (its code, or its signal).
 *
 * Standalone on purpose (no imports from Flotilla): it starts in tens of milliseconds.
 */
import { spawn } from 'node:child_process';

const [main, ...args] = process.argv.slice(2);
if (!main) {
  process.stderr.write('usage: cli-image.js <main.js> [args…]\n');
  process.exit(2);
}

const cli = spawn(process.execPath, [main, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });

const ignore = (): void => {};
process.on('SIGTERM', ignore);
process.on('SIGINT', ignore);

const agentGone = (): void => {
  try {
    cli.kill('SIGKILL');
  } finally {
    process.exit(0);
  }
};
process.stdin.on('end', agentGone);
process.stdin.on('close', agentGone);
process.stdin.on('error', agentGone);
process.stdin.resume();

cli.once('error', (err) => {
  process.stderr.write(`flotilla: ${err.message}\n`);
  process.exit(127);
});
cli.once('exit', (code, signal) => {
  if (signal) {
    // Die of the same signal, so the runtime reports 128 + n as for any container.
    process.removeListener('SIGTERM', ignore);
    process.removeListener('SIGINT', ignore);
    process.kill(process.pid, signal);
    setTimeout(() => process.exit(128), 1000).unref();
    return;
  }
  process.exit(code ?? 0);
});
