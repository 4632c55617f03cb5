/**
 * Bitmaps (bitops.c): BITCOUNT BITFIELD BITFIELD_RO BITOP BITPOS GETBIT SETBIT.
 *
 * A bitmap is a string value read as bits, bit 0 being the most significant bit of byte 0.
 * Commands that write turn the value into a byte array this module owns, once
 * (`unshareBytes`, Redis' dbUnshareStringValue + sdsgrowzero), then modify it in place; growth
 * keeps spare room, so a run of SETBITs at rising offsets is amortised O(1) each.
 */
import type { Client } from '../client.js';
import type { CommandHandlers } from '../commands.js';
import {
  bitArgumentErr,
  bitfieldOverflowErr,
  bitfieldRoErr,
  bitfieldTypeErr,
  bitOffsetErr,
  bitopNotErr,
  bitValueErr,
  syntaxErr,
} from '../errors.js';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../notify.js';
import { asString } from '../object.js';
import type { Reply } from '../reply.js';
import {
  argLatin1,
  ownBytes,
  PROTO_MAX_BULK_LEN,
  toKey,
  unshareBytes,
  utf8Encode,
  valueBytes,
  valueLength,
  type Arg,
  type KeyString,
  type StringValue,
} from '../sds.js';
import { LLONG_MAX, normInt64, parseInt64, parseInt64Or, string2ll, type Int64 } from '../util.js';

// ---- argument parsing ------------------------------------------------------------------------

/** strcasecmp(arg, name) == 0: Redis compares C strings, so an argument ends at its first NUL. */
function cstrIs(a: Arg, lowerName: string): boolean {
  const s = typeof a === 'string' ? a : argLatin1(a);
  const n = lowerName.length;
  if (s.length < n || (s.length > n && s.charCodeAt(n) !== 0)) return false;
  for (let i = 0; i < n; i++) {
    let ch = s.charCodeAt(i);
    if (ch >= 65 && ch <= 90) ch += 32;
    if (ch !== lowerName.charCodeAt(i)) return false;
  }
  return true;
}

/** One past the largest bit offset a command may address (proto-max-bulk-len bytes). */
const MAX_BIT_OFFSET = PROTO_MAX_BULK_LEN * 8;

/**
 * getBitOffsetFromArgument: a bit offset in [0, proto-max-bulk-len * 8). With `bits` (BITFIELD),
 * `#n` means the n-th field of that width, n * bits computed in int64 as Redis does (it wraps).
 */
function getBitOffset(a: Arg, bits = 0): number {
  const s = typeof a === 'string' ? a : argLatin1(a);
  const useHash = bits > 0 && s.charCodeAt(0) === 35; /* '#' */
  let off: Int64 | null = string2ll(useHash ? s.slice(1) : s);
  if (off === null) throw bitOffsetErr();
  if (useHash) {
    off =
      typeof off === 'number' && Math.abs(off) <= 2 ** 46
        ? off * bits
        : normInt64(BigInt.asIntN(64, BigInt(off) * BigInt(bits)));
  }
  if (typeof off !== 'number' || off < 0 || off >= MAX_BIT_OFFSET) throw bitOffsetErr();
  return off;
}

/** A start or end index after Redis' negative-index rule, before clamping (±Infinity past 2^53). */
function rangeIndex(i: Int64, totlen: number): number {
  const n = typeof i === 'number' ? i : i < 0n ? -Infinity : Infinity;
  return n < 0 ? Math.max(totlen + n, 0) : n;
}

// ---- bit primitives --------------------------------------------------------------------------

/** Number of set bits in each byte value (redisPopcount's table). */
const BITS_IN_BYTE = new Uint8Array(256);
for (let i = 1; i < 256; i++) BITS_IN_BYTE[i] = (i & 1) + BITS_IN_BYTE[i >> 1]!;

/** redisPopcount: set bits in bytes [from, to), 32 bits at a time where the data is aligned. */
export function popcount(p: Uint8Array, from: number, to: number): number {
  let n = 0;
  let i = from;
  if (to - i >= 64) {
    while ((p.byteOffset + i) & 3) n += BITS_IN_BYTE[p[i++]!]!;
    const words = (to - i) >>> 2;
    const w = new Uint32Array(p.buffer, p.byteOffset + i, words);
    for (let k = 0; k < words; k++) {
      let x = w[k]!;
      x -= (x >>> 1) & 0x55555555;
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      n += Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
    }
    i += words * 4;
  }
  while (i < to) n += BITS_IN_BYTE[p[i++]!]!;
  return n;
}

/** Set bits in the bit range [first, last] (inclusive, within the array). */
function popcountBits(p: Uint8Array, first: number, last: number): number {
  const from = Math.floor(first / 8);
  const to = Math.floor(last / 8);
  let n = popcount(p, from, to + 1);
  n -= BITS_IN_BYTE[p[from]! & (0xff00 >> (first & 7)) & 0xff]!; // bits before `first`
  n -= BITS_IN_BYTE[p[to]! & ((1 << (7 - (last & 7))) - 1)]!; // bits after `last`
  return n;
}

/** First index in [from, to) whose byte is not `skip`, or `to`; whole words at a time. */
function skipBytes(p: Uint8Array, from: number, to: number, skip: number): number {
  let i = from;
  if (to - i >= 64) {
    while ((p.byteOffset + i) & 3) {
      if (p[i] !== skip) return i;
      i++;
    }
    const words = (to - i) >>> 2;
    const w = new Uint32Array(p.buffer, p.byteOffset + i, words);
    const skipWord = skip === 0 ? 0 : 0xffffffff;
    let k = 0;
    while (k < words && w[k] === skipWord) k++;
    i += k * 4;
  }
  while (i < to && p[i] === skip) i++;
  return i;
}

/** redisBitpos over the bit range [first, last]: the first bit equal to `bit`, or -1. */
function bitposBits(p: Uint8Array, first: number, last: number, bit: 0 | 1): number {
  const from = Math.floor(first / 8);
  const to = Math.floor(last / 8);
  const flip = bit === 1 ? 0 : 0xff; // search for a 1 in (byte ^ flip)
  for (let i = from; i <= to; ) {
    let b = p[i]! ^ flip;
    if (i === from) b &= 0xff >> (first & 7);
    if (i === to) b &= (0xff << (7 - (last & 7))) & 0xff;
    if (b !== 0) return i * 8 + Math.clz32(b) - 24;
    i = i === from ? skipBytes(p, i + 1, to, flip) : i + 1;
  }
  return -1;
}

/** Up to 32 bits at a bit offset, unsigned (getUnsignedBitfield); bytes past the end read as 0. */
function getBits32(p: Uint8Array, offset: number, bits: number): number {
  let v = 0;
  let pos = offset;
  let left = bits;
  while (left > 0) {
    const byte = Math.floor(pos / 8);
    const shift = pos & 7;
    const n = Math.min(8 - shift, left);
    const b = byte < p.length ? p[byte]! : 0;
    v = v * (1 << n) + ((b >>> (8 - shift - n)) & ((1 << n) - 1));
    pos += n;
    left -= n;
  }
  return v;
}

/** Write the low `bits` (≤ 32) bits of `value` (an unsigned number) at a bit offset. */
function setBits32(p: Uint8Array, offset: number, bits: number, value: number): void {
  let pos = offset;
  let left = bits;
  while (left > 0) {
    const byte = Math.floor(pos / 8);
    const shift = pos & 7;
    const n = Math.min(8 - shift, left);
    const chunk = (value >>> (left - n)) & ((1 << n) - 1);
    const at = 8 - shift - n;
    p[byte] = (p[byte]! & ~(((1 << n) - 1) << at)) | (chunk << at);
    pos += n;
    left -= n;
  }
}

/** A bitfield of 33..64 bits, unsigned. */
function getBitsBig(p: Uint8Array, offset: number, bits: number): bigint {
  const hi = getBits32(p, offset, bits - 32);
  const lo = getBits32(p, offset + bits - 32, 32);
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function setBitsBig(p: Uint8Array, offset: number, bits: number, value: bigint): void {
  const u = BigInt.asUintN(bits, value);
  setBits32(p, offset, bits - 32, Number(u >> 32n));
  setBits32(p, offset + bits - 32, 32, Number(u & 0xffffffffn));
}

/**
 * Fill `dst` with a value's bytes from `start`, zero padded: what Redis reads at an offset, without
 * encoding a whole text value.
 */
function valueBytesAt(v: StringValue, start: number, dst: Uint8Array): void {
  dst.fill(0);
  if (v instanceof Uint8Array) {
    for (let i = 0; i < dst.length && start + i < v.length; i++) dst[i] = v[start + i]!;
    return;
  }
  const s = typeof v === 'number' ? String(v) : v;
  let pos = 0; // byte offset of the char at k
  for (let k = 0; k < s.length && pos < start + dst.length; k++) {
    const cp = s.codePointAt(k)!;
    const n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (cp > 0xffff) k++;
    if (pos + n > start) {
      const enc = n === 1 ? [cp] : utf8Encode(String.fromCodePoint(cp));
      for (let j = 0; j < n; j++) {
        const at = pos + j - start;
        if (at >= 0 && at < dst.length) dst[at] = enc[j]!;
      }
    }
    pos += n;
  }
}

// ---- the value written by bit commands -------------------------------------------------------

/**
 * lookupStringForBitCommand: the key's value as owned bytes long enough to address `maxbit`,
 * created (zeros) when missing. `grown` is true when the key was created or padded, which counts
 * as a change even if no bit flips.
 */
function lookupStringForBitCommand(
  c: Client,
  key: KeyString,
  maxbit: number,
): { bytes: Uint8Array; grown: boolean } {
  const need = Math.floor(maxbit / 8) + 1;
  const o = asString(c.db.lookupKeyWrite(key));
  if (o === undefined) {
    const bytes = ownBytes(new Uint8Array(need));
    c.db.dbAdd(key, bytes);
    return { bytes, grown: true };
  }
  const oldLength = o instanceof Uint8Array ? o.length : valueLength(o);
  const bytes = unshareBytes(o, need);
  if (bytes !== o) c.db.dbOverwrite(key, bytes);
  return { bytes, grown: bytes.length !== oldLength };
}

// ---- GETBIT / SETBIT -------------------------------------------------------------------------

/** SETBIT key offset value */
function setbitCommand(c: Client, argv: Arg[]): Reply {
  const offset = getBitOffset(argv[2]!);
  const on = parseInt64Or(argv[3]!, bitValueErr);
  if (on !== 0 && on !== 1) throw bitValueErr();
  const key = toKey(argv[1]!);
  const byte = Math.floor(offset / 8);
  const mask = 0x80 >> (offset & 7);
  // A bit already set as asked changes nothing: the value keeps its representation (a text or
  // integer value would otherwise become bytes without the change being logged).
  const cur = asString(c.db.lookupKeyWrite(key));
  if (cur !== undefined && !(cur instanceof Uint8Array) && byte < valueLength(cur)) {
    valueBytesAt(cur, byte, oneByte);
    const bit = oneByte[0]! & mask ? 1 : 0;
    if (bit === on) return bit;
  }
  const { bytes, grown } = lookupStringForBitCommand(c, key, offset);
  const old = bytes[byte]! & mask ? 1 : 0;
  if (grown || old !== on) {
    bytes[byte] = on ? bytes[byte]! | mask : bytes[byte]! & ~mask;
    c.engine.signalModifiedKey(c.db, key);
    c.engine.notifyKeyspaceEvent(NOTIFY_STRING, 'setbit', key, c.db.id);
    c.engine.dirty++;
  }
  return old;
}

const oneByte = new Uint8Array(1);

/** GETBIT key offset */
function getbitCommand(c: Client, argv: Arg[]): Reply {
  const offset = getBitOffset(argv[2]!);
  const v = asString(c.db.lookupKeyRead(toKey(argv[1]!)));
  if (v === undefined) return 0;
  const byte = Math.floor(offset / 8);
  let b: number;
  if (v instanceof Uint8Array) b = byte < v.length ? v[byte]! : 0;
  else {
    valueBytesAt(v, byte, oneByte);
    b = oneByte[0]!;
  }
  return b & (0x80 >> (offset & 7)) ? 1 : 0;
}

// ---- BITCOUNT / BITPOS -----------------------------------------------------------------------

/** BITCOUNT key [start end [BYTE|BIT]] */
function bitcountCommand(c: Client, argv: Arg[]): Reply {
  const v = asString(c.db.lookupKeyRead(toKey(argv[1]!)));
  if (v === undefined) return 0;
  const p = valueBytes(v);
  if (argv.length === 2) return popcount(p, 0, p.length);
  if (argv.length !== 4 && argv.length !== 5) throw syntaxErr();
  const start64 = parseInt64(argv[2]!);
  const end64 = parseInt64(argv[3]!);
  if (start64 < 0 && end64 < 0 && start64 > end64) return 0;
  let isbit = false;
  if (argv.length === 5) {
    if (cstrIs(argv[4]!, 'bit')) isbit = true;
    else if (!cstrIs(argv[4]!, 'byte')) throw syntaxErr();
  }
  const totlen = isbit ? p.length * 8 : p.length;
  const start = rangeIndex(start64, totlen);
  const end = Math.min(rangeIndex(end64, totlen), totlen - 1);
  if (start > end) return 0;
  return isbit ? popcountBits(p, start, end) : popcount(p, start, end + 1);
}

/** BITPOS key bit [start [end [BYTE|BIT]]] */
function bitposCommand(c: Client, argv: Arg[]): Reply {
  const bit = parseInt64(argv[2]!);
  if (bit !== 0 && bit !== 1) throw bitArgumentErr();
  const v = asString(c.db.lookupKeyRead(toKey(argv[1]!)));
  // A missing key is an infinite run of zeros.
  if (v === undefined) return bit ? -1 : 0;
  const p = valueBytes(v);
  let start: number;
  let end: number;
  let isbit = false;
  let endGiven = false;
  if (argv.length === 3) {
    start = 0;
    end = p.length - 1;
  } else if (argv.length <= 6) {
    const start64 = parseInt64(argv[3]!);
    if (argv.length === 6) {
      if (cstrIs(argv[5]!, 'bit')) isbit = true;
      else if (!cstrIs(argv[5]!, 'byte')) throw syntaxErr();
    }
    let end64: Int64 = p.length - 1;
    if (argv.length >= 5) {
      end64 = parseInt64(argv[4]!);
      endGiven = true;
    }
    const totlen = isbit ? p.length * 8 : p.length;
    start = rangeIndex(start64, totlen);
    end = Math.min(rangeIndex(end64, totlen), totlen - 1);
  } else {
    throw syntaxErr();
  }
  // An empty range holds neither a 0 nor a 1.
  if (start > end) return -1;
  const first = isbit ? start : start * 8;
  const last = isbit ? end : end * 8 + 7;
  const pos = bitposBits(p, first, last, bit);
  if (pos >= 0 || bit === 1) return pos;
  // No clear bit in range: without an explicit end the string counts as zero padded on the right.
  return endGiven ? -1 : last + 1;
}

// ---- BITOP -----------------------------------------------------------------------------------

const enum BitOp {
  And,
  Or,
  Xor,
  Not,
}

const EMPTY = new Uint8Array(0);

/** res[i] op= src[i] for i < src.length, 32 bits at a time when both are aligned. */
function bitopCombine(op: BitOp, res: Uint8Array, src: Uint8Array): void {
  const n = src.length;
  let i = 0;
  if (n >= 64 && (src.byteOffset & 3) === 0 && (res.byteOffset & 3) === 0) {
    const words = n >>> 2;
    const r = new Uint32Array(res.buffer, res.byteOffset, words);
    const s = new Uint32Array(src.buffer, src.byteOffset, words);
    if (op === BitOp.And) for (let k = 0; k < words; k++) r[k]! &= s[k]!;
    else if (op === BitOp.Or) for (let k = 0; k < words; k++) r[k]! |= s[k]!;
    else for (let k = 0; k < words; k++) r[k]! ^= s[k]!;
    i = words * 4;
  }
  if (op === BitOp.And) for (; i < n; i++) res[i]! &= src[i]!;
  else if (op === BitOp.Or) for (; i < n; i++) res[i]! |= src[i]!;
  else for (; i < n; i++) res[i]! ^= src[i]!;
}

/** BITOP AND|OR|XOR|NOT destkey key [key ...] */
function bitopCommand(c: Client, argv: Arg[]): Reply {
  let op: BitOp;
  if (cstrIs(argv[1]!, 'and')) op = BitOp.And;
  else if (cstrIs(argv[1]!, 'or')) op = BitOp.Or;
  else if (cstrIs(argv[1]!, 'xor')) op = BitOp.Xor;
  else if (cstrIs(argv[1]!, 'not')) op = BitOp.Not;
  else throw syntaxErr();
  if (op === BitOp.Not && argv.length !== 4) throw bitopNotErr();

  // Missing keys are empty strings; any other type fails the whole command.
  const srcs: Uint8Array[] = [];
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const v = asString(c.db.lookupKeyRead(toKey(argv[j]!)));
    const b = v === undefined ? EMPTY : valueBytes(v);
    srcs.push(b);
    if (b.length > maxlen) maxlen = b.length;
  }

  const dest = toKey(argv[2]!);
  if (maxlen === 0) {
    if (c.db.dbDelete(dest)) {
      c.engine.signalModifiedKey(c.db, dest);
      c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', dest, c.db.id);
      c.engine.dirty++;
    }
    return 0;
  }
  const res = new Uint8Array(maxlen);
  const first = srcs[0]!;
  if (op === BitOp.Not) {
    for (let i = 0; i < maxlen; i++) res[i] = ~first[i]!;
  } else {
    res.set(first);
    for (let j = 1; j < srcs.length; j++) {
      const s = srcs[j]!;
      bitopCombine(op, res, s);
      if (op === BitOp.And) res.fill(0, s.length); // a shorter string is zero padded
    }
  }
  c.db.setKey(dest, ownBytes(res));
  c.engine.notifyKeyspaceEvent(NOTIFY_STRING, 'set', dest, c.db.id);
  c.engine.dirty++;
  return maxlen;
}

// ---- BITFIELD --------------------------------------------------------------------------------

const enum Overflow {
  Wrap,
  Sat,
  Fail,
}

const enum FieldOp {
  Get,
  Set,
  Incrby,
}

interface BitfieldOp {
  offset: number;
  /** SET value or INCRBY increment. */
  value: Int64;
  opcode: FieldOp;
  overflow: Overflow;
  bits: number;
  signed: boolean;
}

/** getBitfieldTypeFromArgument: i1..i64 or u1..u63 (the type ends at a NUL, as a C string). */
function getBitfieldType(a: Arg): { signed: boolean; bits: number } {
  let s = typeof a === 'string' ? a : argLatin1(a);
  const sign = s.charCodeAt(0);
  if (sign !== 105 /* i */ && sign !== 117 /* u */) throw bitfieldTypeErr();
  const nul = s.indexOf('\0', 1);
  s = nul < 0 ? s.slice(1) : s.slice(1, nul);
  const bits = string2ll(s);
  const signed = sign === 105;
  if (bits === null || bits < 1 || bits > (signed ? 64 : 63)) throw bitfieldTypeErr();
  return { signed, bits: Number(bits) };
}

/**
 * SET or INCRBY on one field: [reply, new value] where the reply is null when OVERFLOW FAIL
 * refused the write. Exact over the whole int64 range: numbers while they stay below 2^53,
 * BigInt otherwise.
 */
function bitfieldWrite(p: Uint8Array, op: BitfieldOp): { reply: Int64 | null; changed: boolean } {
  const { offset, bits, signed } = op;
  if (bits <= 32 && typeof op.value === 'number' && Math.abs(op.value) <= 2 ** 52) {
    const range = 2 ** bits;
    const old = signed ? toSigned(getBits32(p, offset, bits), bits) : getBits32(p, offset, bits);
    const min = signed ? -(range / 2) : 0;
    const max = signed ? range / 2 - 1 : range - 1;
    const x = op.opcode === FieldOp.Incrby ? old + op.value : op.value;
    let next = x;
    // An unsigned SET of a negative value is a huge uint64: it overflows upward, as in Redis.
    if (x > max || (!signed && x < 0 && op.opcode === FieldOp.Set)) {
      if (op.overflow === Overflow.Fail) return { reply: null, changed: false };
      next = op.overflow === Overflow.Sat ? max : wrapNumber(x, bits, signed);
    } else if (x < min) {
      if (op.overflow === Overflow.Fail) return { reply: null, changed: false };
      next = op.overflow === Overflow.Sat ? min : wrapNumber(x, bits, signed);
    }
    setBits32(p, offset, bits, next < 0 ? next + range : next);
    return { reply: op.opcode === FieldOp.Incrby ? next : old, changed: next !== old };
  }
  const b = BigInt(bits);
  const read = (): bigint =>
    bits <= 32 ? BigInt(getBits32(p, offset, bits)) : getBitsBig(p, offset, bits);
  const old = signed ? BigInt.asIntN(bits, read()) : read();
  const min = signed ? -(1n << (b - 1n)) : 0n;
  const max = signed ? (1n << (b - 1n)) - 1n : (1n << b) - 1n;
  const x = op.opcode === FieldOp.Incrby ? old + BigInt(op.value) : BigInt(op.value);
  let next = x;
  // checkSignedBitfieldOverflow computes max - value in int64 before it looks at the sign; for a
  // SET value so negative that this wraps (below max - INT64_MAX), Redis takes the upper branch:
  // SAT stores max, not min.
  const wrapsUp = signed && bits < 64 && op.opcode === FieldOp.Set && x < max - LLONG_MAX;
  if (x > max || wrapsUp || (!signed && x < 0n && op.opcode === FieldOp.Set)) {
    if (op.overflow === Overflow.Fail) return { reply: null, changed: false };
    next = op.overflow === Overflow.Sat ? max : signed ? BigInt.asIntN(bits, x) : BigInt.asUintN(bits, x);
  } else if (x < min) {
    if (op.overflow === Overflow.Fail) return { reply: null, changed: false };
    next = op.overflow === Overflow.Sat ? min : signed ? BigInt.asIntN(bits, x) : BigInt.asUintN(bits, x);
  }
  if (bits <= 32) setBits32(p, offset, bits, Number(BigInt.asUintN(bits, next)));
  else setBitsBig(p, offset, bits, next);
  return { reply: normInt64(op.opcode === FieldOp.Incrby ? next : old), changed: next !== old };
}

function toSigned(u: number, bits: number): number {
  return u >= 2 ** (bits - 1) ? u - 2 ** bits : u;
}

/** x modulo 2^bits, as unsigned or as two's complement signed. */
function wrapNumber(x: number, bits: number, signed: boolean): number {
  const range = 2 ** bits;
  const u = ((x % range) + range) % range;
  return signed ? toSigned(u, bits) : u;
}

const nineBytes = new Uint8Array(9);

/** GET on one field of a value (or of no value: all zeros). */
function bitfieldRead(v: StringValue | undefined, op: BitfieldOp): Int64 {
  const { bits, signed } = op;
  let p: Uint8Array;
  let offset = op.offset;
  if (v instanceof Uint8Array) p = v;
  else {
    // Copy the (at most 9) bytes holding the field, as Redis does, zero padded.
    const byte = Math.floor(offset / 8);
    if (v === undefined) nineBytes.fill(0);
    else valueBytesAt(v, byte, nineBytes);
    p = nineBytes;
    offset -= byte * 8;
  }
  if (bits <= 32) {
    const u = getBits32(p, offset, bits);
    return signed ? toSigned(u, bits) : u;
  }
  const u = getBitsBig(p, offset, bits);
  return normInt64(signed ? BigInt.asIntN(bits, u) : u);
}

/**
 * BITFIELD key [GET type offset | [OVERFLOW WRAP|SAT|FAIL] SET type offset value |
 *   [OVERFLOW WRAP|SAT|FAIL] INCRBY type offset increment ...]
 * BITFIELD_RO key [GET type offset ...]
 */
function bitfieldGeneric(c: Client, argv: Arg[], readonlyCommand: boolean): Reply {
  const ops: BitfieldOp[] = [];
  let overflow = Overflow.Wrap;
  let readonly = true;
  let highestWriteOffset = 0;
  for (let j = 2; j < argv.length; j++) {
    const remargs = argv.length - j - 1;
    const sub = argv[j]!;
    let opcode: FieldOp;
    if (cstrIs(sub, 'get') && remargs >= 2) opcode = FieldOp.Get;
    else if (cstrIs(sub, 'set') && remargs >= 3) opcode = FieldOp.Set;
    else if (cstrIs(sub, 'incrby') && remargs >= 3) opcode = FieldOp.Incrby;
    else if (cstrIs(sub, 'overflow') && remargs >= 1) {
      const type = argv[++j]!;
      if (cstrIs(type, 'wrap')) overflow = Overflow.Wrap;
      else if (cstrIs(type, 'sat')) overflow = Overflow.Sat;
      else if (cstrIs(type, 'fail')) overflow = Overflow.Fail;
      else throw bitfieldOverflowErr();
      continue;
    } else throw syntaxErr();

    const { signed, bits } = getBitfieldType(argv[j + 1]!);
    const offset = getBitOffset(argv[j + 2]!, bits);
    let value: Int64 = 0;
    if (opcode !== FieldOp.Get) {
      readonly = false;
      highestWriteOffset = Math.max(highestWriteOffset, offset + bits - 1);
      value = parseInt64(argv[j + 3]!);
    }
    ops.push({ offset, value, opcode, overflow, bits, signed });
    j += opcode === FieldOp.Get ? 2 : 3;
  }

  const key = toKey(argv[1]!);
  let value: StringValue | undefined;
  let grown = false;
  let original: StringValue | undefined;
  if (readonly) {
    value = asString(c.db.lookupKeyRead(key));
  } else {
    if (readonlyCommand) throw bitfieldRoErr();
    original = asString(c.db.lookupKeyWrite(key));
    const target = lookupStringForBitCommand(c, key, highestWriteOffset);
    value = target.bytes;
    grown = target.grown;
  }

  const replies: Reply[] = new Array(ops.length);
  let changes = 0;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.opcode === FieldOp.Get) {
      replies[i] = bitfieldRead(value, op);
    } else {
      const r = bitfieldWrite(value as Uint8Array, op);
      replies[i] = r.reply;
      if (r.reply !== null && (grown || r.changed)) changes++;
    }
  }
  if (changes) {
    c.engine.signalModifiedKey(c.db, key);
    c.engine.notifyKeyspaceEvent(NOTIFY_STRING, 'setbit', key, c.db.id);
    c.engine.dirty += changes;
  } else if (grown) {
    // Every write failed (OVERFLOW FAIL) yet the key was created or padded. Redis does not count
    // that as a change, so its AOF loses the key; Lodis logs the command so a replay matches.
    c.engine.dirty++;
  } else if (original !== undefined && !(original instanceof Uint8Array)) {
    // Nothing changed: the value keeps its representation (text or integer), as nothing is logged.
    c.db.dbOverwrite(key, original);
  }
  return replies;
}

function bitfieldCommand(c: Client, argv: Arg[]): Reply {
  return bitfieldGeneric(c, argv, false);
}

function bitfieldRoCommand(c: Client, argv: Arg[]): Reply {
  return bitfieldGeneric(c, argv, true);
}

export const bitopsCommands: CommandHandlers = {
  bitcount: bitcountCommand,
  bitfield: bitfieldCommand,
  bitfield_ro: bitfieldRoCommand,
  bitop: bitopCommand,
  bitpos: bitposCommand,
  getbit: getbitCommand,
  setbit: setbitCommand,
};
