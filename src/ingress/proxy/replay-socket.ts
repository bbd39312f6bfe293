/**
 * A socket whose first bytes were already read (to find the SNI) must be handed on with them.
 * `unshift` is not enough for TLS: a TLSSocket over a net.Socket reads its native handle and
 * never sees bytes put back into the JS buffer. This Duplex replays the bytes, then relays the
 * socket, so TLS reads everything through JS streams.
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

export function replaySocket(socket: Socket, first: Buffer): Duplex {
  const d = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      socket.write(chunk, cb);
    },
    final(cb) {
      socket.end();
      cb();
    },
    destroy(err, cb) {
      socket.destroy(err ?? undefined);
      cb(err);
    },
  });
  d.push(first);
  socket.on('data', (c: Buffer) => {
    if (!d.push(c)) socket.pause();
  });
  socket.on('end', () => d.push(null));
  socket.on('close', () => d.destroy());
  socket.on('error', (e) => d.destroy(e));
  // What a server reads off a connection.
  Object.defineProperties(d, {
    remoteAddress: { get: () => socket.remoteAddress },
    remotePort: { get: () => socket.remotePort },
    localAddress: { get: () => socket.localAddress },
    localPort: { get: () => socket.localPort },
  });
  (d as unknown as { setTimeout: Socket['setTimeout'] }).setTimeout = socket.setTimeout.bind(socket);
  (d as unknown as { setNoDelay: Socket['setNoDelay'] }).setNoDelay = socket.setNoDelay.bind(socket);
  (d as unknown as { setKeepAlive: Socket['setKeepAlive'] }).setKeepAlive = socket.setKeepAlive.bind(socket);
  return d;
}
