/**
 * The built-in images of the process runtime, run as `node builtin-image.js <image> <tag> <podIP> <port>`
 * in the container's environment. Standalone on purpose (no imports from Flotilla): it starts
 * in tens of milliseconds.
 *
 * - `echo`: an HTTP server on podIP:port answering `GET` on any path (`/`, `/ping`, …) with
 *   `{"instance": <pod name>, "version": <VERSION, else the tag>}` (as rancher-demo does),
 *   one stdout line per request; SIGTERM closes it and exits 0.
 * - `crashloop`: prints a line, exits with EXIT_CODE (default 1) after CRASH_AFTER_SECONDS (default 2).
 * - `pause`: sleeps until SIGTERM (exit 0).
 *
 * Every image exits when its stdin closes: the agent holds the other end, so when the agent
 * dies (even by SIGKILL) its containers go with it.
 */
import { createServer } from 'node:http';

const [image, tag = 'latest', podIP = '127.0.0.1', portArg = ''] = process.argv.slice(2);
const name = process.env.HOSTNAME ?? '';
const say = (line: string): void => void process.stdout.write(`${line}\n`);

process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();

if (image === 'echo') {
  const port = Number(portArg || process.env.PORT || 8080);
  const version = process.env.VERSION || tag || 'latest';
  const server = createServer((req, res) => {
    // Every path answers (`/`, `/ping`, and whatever an ingress route forwards), so a request through
    // any route says which pod served it.
    const code = req.method === 'GET' || req.method === 'HEAD' ? 200 : 405;
    const body = code === 200 ? JSON.stringify({ instance: name, version }) : JSON.stringify({ error: 'method not allowed' });
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
    say(`${new Date().toISOString()} ${req.socket.remoteAddress ?? '-'} "${req.method} ${req.url} HTTP/${req.httpVersion}" ${code} ${Buffer.byteLength(body)}`);
  });
  server.keepAliveTimeout = 1000;
  server.on('error', (err) => {
    process.stderr.write(`echo: ${err.message}\n`);
    process.exit(1);
  });
  server.listen(port, podIP, () => say(`echo ${version} (instance ${name}) listening on ${podIP}:${port}`));
  process.on('SIGTERM', () => {
    say('echo: SIGTERM, shutting down');
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  });
} else if (image === 'crashloop') {
  const after = Number(process.env.CRASH_AFTER_SECONDS ?? 2);
  const code = Number(process.env.EXIT_CODE ?? 1);
  say(`crashloop (instance ${name}): exiting with code ${code} in ${after}s`);
  setTimeout(() => {
    process.stderr.write(`crashloop: exit ${code}\n`);
    process.exit(code);
  }, Math.max(0, after * 1000));
} else if (image === 'pause') {
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
  setInterval(() => {}, 1 << 30);
} else {
  process.stderr.write(`unknown built-in image ${JSON.stringify(image)}\n`);
  process.exit(2);
}
