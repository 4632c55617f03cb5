/**
 * Binary I/O shared by the command log (aof.ts) and snapshots (rdb.ts), as Redis' rio.c serves
 * aof.c and rdb.c: a growable byte writer, a bounds-checked reader, unsigned LEB128 varints,
 * little-endian int64, and a table-driven CRC-32 (IEEE 802.3, the zlib/PNG polynomial) for the
 * checksums that make a torn or corrupted record detectable.
 */
import type { Int64 } from './util.js';

// ---- CRC-32 ----------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 of bytes[from, to) (crc32("123456789") is 0xcbf43926). */
export function crc32(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let c = 0xffffffff;
  for (let i = from; i < to; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---- writing ---------------------------------------------------------------------------------

const encoder = new TextEncoder();
const TWO_32 = 4294967296;

/** A byte buffer that grows as it is written (doubling), with the encodings both formats use. */
export class ByteWriter {
  buf: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  /** Room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.pos));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** A signed 64-bit integer, little-endian (a number while safe, else a bigint). */
  i64(v: Int64): void {
    this.ensure(8);
    if (typeof v === 'bigint') this.view.setBigInt64(this.pos, v, true);
    else {
      const hi = Math.floor(v / TWO_32);
      this.view.setUint32(this.pos, v - hi * TWO_32, true);
      this.view.setInt32(this.pos + 4, hi, true);
    }
    this.pos += 8;
  }

  /** Unsigned LEB128, for any safe non-negative integer. */
  varint(v: number): void {
    this.ensure(8);
    const b = this.buf;
    while (v >= 0x80) {
      b[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    b[this.pos++] = v;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /**
   * A length-prefixed string: varint(byteLength * 2 + `flag`) then the bytes. `flag` is one bit
   * the caller gives meaning to (text vs bytes in the log, binary keys in snapshots).
   */
  taggedBytes(b: Uint8Array, flag: 0 | 1): void {
    this.varint(b.length * 2 + flag);
    this.bytes(b);
  }

  /** taggedBytes of a string's UTF-8 encoding, without encoding ASCII through TextEncoder. */
  taggedText(s: string, flag: 0 | 1): void {
    const n = s.length;
    this.ensure(9 + n);
    const b = this.buf;
    const start = this.pos + varintSize(n * 2 + flag);
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      b[start + i] = c;
    }
    if (i === n) {
      this.varint(n * 2 + flag);
      this.pos += n;
      return;
    }
    this.taggedBytes(encoder.encode(s), flag);
  }

  /** The bytes written so far (a view: copy it before writing more). */
  result(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 0x80);
    n++;
  }
  return n;
}

// ---- reading ---------------------------------------------------------------------------------

/** Thrown by ByteReader when a read would pass the end: the caller turns it into its own error. */
export class ShortReadError extends Error {
  constructor() {
    super('unexpected end of data');
    this.name = 'ShortReadError';
  }
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Reads what ByteWriter wrote; every read checks the bounds (ShortReadError). */
export class ByteReader {
  private readonly view: DataView;
  pos: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    readonly end = buf.length,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw new ShortReadError();
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  i64(): Int64 {
    this.need(8);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getInt32(this.pos + 4, true);
    const v = hi * TWO_32 + lo;
    const out = Number.isSafeInteger(v) ? v : this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return out;
  }

  varint(): number {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.u8();
      v += (b & 0x7f) * mul;
      if (b < 0x80) return v;
      mul *= 0x80;
    }
    throw new ShortReadError(); // longer than any length we write
  }

  /** A taggedBytes header: the length and the flag bit. */
  tag(): { length: number; flag: 0 | 1 } {
    const v = this.varint();
    return { length: Math.floor(v / 2), flag: (v % 2) as 0 | 1 };
  }

  /** `n` bytes as a fresh copy (never a view into the buffer: values are modified in place). */
  bytes(n: number): Uint8Array {
    this.need(n);
    const b = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** `n` bytes of UTF-8 as a string (a fast path for short ASCII). */
  text(n: number): string {
    this.need(n);
    const b = this.buf;
    const start = this.pos;
    const end = start + n;
    this.pos = end;
    if (n <= 32) {
      let s = '';
      for (let i = start; i < end; i++) {
        const c = b[i]!;
        if (c >= 0x80) return utf8.decode(b.subarray(start, end));
        s += String.fromCharCode(c);
      }
      return s;
    }
    return utf8.decode(b.subarray(start, end));
  }

  /** `n` bytes as a byte string (one char per byte). */
  latin1(n: number): string {
    this.need(n);
    let s = '';
    const end = this.pos + n;
    for (let i = this.pos; i < end; i += 8192) {
      s += String.fromCharCode.apply(null, this.buf.subarray(i, Math.min(end, i + 8192)) as unknown as number[]);
    }
    this.pos = end;
    return s;
  }
}
