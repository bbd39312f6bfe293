/**
 * The server name (SNI) of a TLS ClientHello, read before any TLS is spoken — Envoy's TLS
 * inspector — so a connection can be passed through untouched (TLS passthrough) or handed to the
 * terminating server. Pure: bytes in, a name (or "need more bytes") out.
 */

export type SniResult = { readonly kind: 'name'; readonly name: string } | { readonly kind: 'none' } | { readonly kind: 'incomplete' };

/** Reads the SNI host name from the first bytes a client sent. `none`: not TLS, or no SNI. */
export function readSni(buf: Buffer): SniResult {
  if (buf.length < 5) return { kind: 'incomplete' };
  if (buf[0] !== 0x16) return { kind: 'none' }; // not a handshake record
  const recordLen = buf.readUInt16BE(3);
  if (buf.length < 5 + recordLen) return { kind: 'incomplete' };
  let p = 5;
  if (buf[p] !== 0x01) return { kind: 'none' }; // not a ClientHello
  const end = 5 + recordLen;
  p += 4; // type + 3-byte length
  p += 2 + 32; // version + random
  if (p >= end) return { kind: 'none' };
  p += 1 + buf[p]; // session id
  if (p + 2 > end) return { kind: 'none' };
  p += 2 + buf.readUInt16BE(p); // cipher suites
  if (p + 1 > end) return { kind: 'none' };
  p += 1 + buf[p]; // compression methods
  if (p + 2 > end) return { kind: 'none' };
  const extEnd = Math.min(end, p + 2 + buf.readUInt16BE(p));
  p += 2;
  while (p + 4 <= extEnd) {
    const type = buf.readUInt16BE(p);
    const len = buf.readUInt16BE(p + 2);
    p += 4;
    if (type === 0 && p + len <= extEnd) {
      // server_name_list: 2-byte length, then entries of type(1) len(2) name
      let q = p + 2;
      while (q + 3 <= p + len) {
        const nameType = buf[q];
        const nameLen = buf.readUInt16BE(q + 1);
        q += 3;
        if (nameType === 0) return { kind: 'name', name: buf.subarray(q, q + nameLen).toString('ascii').toLowerCase() };
        q += nameLen;
      }
      return { kind: 'none' };
    }
    p += len;
  }
  return { kind: 'none' };
}
