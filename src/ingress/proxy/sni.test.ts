import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { connect } from 'node:tls';
import { readSni } from './sni.js';

/** The first bytes a real Node TLS client sends for `servername`. */
function clientHello(servername: string | undefined): Promise<Buffer> {
  return new Promise((resolve) => {
    const srv = createServer((s) => {
      s.once('data', (d: Buffer) => {
        resolve(d);
        s.destroy();
        srv.close();
      });
    });
    srv.listen(0, '127.0.0.1', () => {
      const c = connect({ host: '127.0.0.1', port: (srv.address() as { port: number }).port, ...(servername ? { servername } : {}), rejectUnauthorized: false });
      c.on('error', () => undefined);
    });
  });
}

test('readSni finds the server name in a real ClientHello', async () => {
  const hello = await clientHello('Secure.Example.com');
  assert.deepEqual(readSni(hello), { kind: 'name', name: 'secure.example.com' });
});

test('readSni: no SNI, not TLS, and too few bytes', async () => {
  // Node sends no SNI for an IP address.
  assert.deepEqual(readSni(await clientHello(undefined)), { kind: 'none' });
  assert.deepEqual(readSni(Buffer.from('GET / HTTP/1.1\r\n\r\n')), { kind: 'none' });
  const hello = await clientHello('a.com');
  assert.deepEqual(readSni(hello.subarray(0, 3)), { kind: 'incomplete' });
  assert.deepEqual(readSni(hello.subarray(0, 40)), { kind: 'incomplete' });
});
