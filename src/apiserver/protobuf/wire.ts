/**
 * @module apiserver/protobuf/wire
 *
 * A reader for the protobuf wire format, only as much of it as Kubernetes' proto2 messages use:
 * varints (int32, int64, bool, packed or not) and length-delimited fields (string, bytes, messages,
 * map entries). The messages Flotilla reads have no fixed32/fixed64/float/double fields, so those
 * wire types (and the long-deprecated groups) only ever appear as a mismatch the decoder reports.
 */

export const WIRE_VARINT = 0;
export const WIRE_LEN = 2;

/** Thrown for bytes that are not a well-formed protobuf message; the caller adds the context. */
export class WireError extends Error {
  override name = 'WireError';
}

export class WireReader {
  private pos: number;

  constructor(
    private readonly buf: Uint8Array,
    start = 0,
    private readonly end = buf.length,
  ) {
    this.pos = start;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as an unsigned 64-bit value. */
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new WireError('truncated varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new WireError('varint longer than 10 bytes');
  }

  /** A varint that must fit a non-negative JS number below 2^32 (tags, lengths). */
  smallVarint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) throw new WireError('truncated varint');
      const b = this.buf[this.pos++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (result > 0xffffffff) break;
        return result;
      }
      mul *= 128;
    }
    throw new WireError('tag or length out of range');
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wireType: number } {
    const tag = this.smallVarint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 0) throw new WireError('field number 0');
    return { field, wireType };
  }

  /** The bytes of a length-delimited field (a view, not a copy). */
  bytes(): Uint8Array {
    const len = this.smallVarint();
    if (len > this.end - this.pos) throw new WireError('truncated length-delimited field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
}
