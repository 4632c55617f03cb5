/**
 * HyperLogLog (hyperloglog.c): PFADD PFCOUNT PFMERGE, with Redis' own hash, registers, encodings
 * and estimator, so an HLL built here has the very bytes Redis would build (GET returns them, SET
 * of Redis' bytes works) and PFCOUNT gives Redis' number.
 *
 * An HLL is a string value: a 16-byte header
 *
 *   "HYLL" | encoding (0 dense, 1 sparse) | 3 unused bytes | cached cardinality (8 bytes LE)
 *
 * followed by the registers (16384 registers of 6 bits): dense, 12288 bytes packed LSB first; or
 * sparse, a run-length code of ZERO (00xxxxxx: 1-64 zero registers), XZERO (01xxxxxx xxxxxxxx:
 * 1-16384 zero registers) and VAL (1vvvvvxx: 1-4 registers of value 1-32) opcodes. The top bit of
 * the cardinality's last byte marks the cached value stale.
 *
 * A new HLL is sparse; it turns dense when a register needs a value over 32 or the sparse form
 * would pass hll-sparse-max-bytes (3000). PFMERGE's result is dense when one of its inputs is.
 *
 * Values are Uint8Arrays. Owned arrays (sds.ts ownBytes) are modified in place, as Redis modifies
 * its sds; any other stored bytes (from SET, or shared with a reply) are copied first, as
 * dbUnshareStringValue does. While a command edits a sparse HLL, its bytes live in a working
 * buffer with room to grow, emulating an sds, down to the byte just past the end: Redis' decoders
 * read it for a truncated XZERO opcode (it is the terminator, 0, unless an edit of such an opcode
 * left a byte there: SDS_TAIL).
 */
import type { Client } from '../client.js';
import type { CommandHandlers } from '../commands.js';
import { invalidHllErr, notHllErr } from '../errors.js';
import { NOTIFY_STRING } from '../notify.js';
import { asString, type RedisObject } from '../object.js';
import { OK, type Reply } from '../reply.js';
import { isOwnedBytes, ownBytes, toKey, utf8Encode, type Arg, type KeyString } from '../sds.js';

const HLL_P = 14;
const HLL_Q = 64 - HLL_P;
const HLL_REGISTERS = 1 << HLL_P;
const HLL_P_MASK = HLL_REGISTERS - 1;
const HLL_HDR_SIZE = 16;
const HLL_DENSE_SIZE = HLL_HDR_SIZE + (HLL_REGISTERS * 6) / 8;
const HLL_DENSE = 0;
const HLL_SPARSE = 1;
const HLL_MAX_ENCODING = 1;
/** Offset of the cardinality byte whose top bit marks the cache stale. */
const HLL_CARD_MSB = 15;

const HLL_SPARSE_VAL_MAX_VALUE = 32;
const HLL_SPARSE_VAL_MAX_LEN = 4;
const HLL_SPARSE_ZERO_MAX_LEN = 64;
const HLL_SPARSE_XZERO_MAX_LEN = 16384;
/** hll-sparse-max-bytes (Redis' default; Lodis has no CONFIG SET for it). */
const HLL_SPARSE_MAX_BYTES = 3000;

const HLL_ALPHA_INF = 0.721347520444481703680; // 0.5 / ln(2)

/**
 * The byte after the end of a sparse HLL's sds when it is not the terminator: splitting an XZERO
 * opcode cut short by the end of the string writes one byte past the new end (hllSparseSet's
 * memcpy), and Redis reads it back as that opcode's second byte in later commands.
 */
const SDS_TAIL = new WeakMap<Uint8Array, number>();

// ---- MurmurHash64A --------------------------------------------------------------------------
//
// Redis hashes elements with MurmurHash2's 64-bit variant (endian neutral), seed 0xadc83b19.
// The 64-bit arithmetic is done on 32-bit halves: BigInt is several times slower. The result is
// left in hashHi/hashLo to avoid allocating a pair per element.

const M_HI = 0xc6a4a793;
const M_LO = 0x5bd1e995;
const M_LO_0 = M_LO & 0xffff;
const M_LO_1 = M_LO >>> 16;
const HLL_SEED = 0xadc83b19;

let hashHi = 0;
let hashLo = 0;

/** The high 32 bits of the 64-bit product of two uint32, multiplier M_LO. */
function mulHiMLo(a: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const lo = a0 * M_LO_0;
  const mid1 = a1 * M_LO_0;
  const mid2 = a0 * M_LO_1;
  const carry = (lo >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff);
  return a1 * M_LO_1 + (mid1 >>> 16) + (mid2 >>> 16) + (carry >>> 16);
}

/** MurmurHash64A(data, seed 0xadc83b19) as a bigint (for tests and tools; PFADD uses murmurInto). */
export function murmurHash64A(data: Uint8Array): bigint {
  murmurInto(data, data.length);
  return (BigInt(hashHi) << 32n) | BigInt(hashLo);
}

/** MurmurHash64A(data[0..len), seed 0xadc83b19) into hashHi:hashLo. */
function murmurInto(data: Uint8Array, len: number): void {
  // h = seed ^ (len * m), len < 2^32
  let hl = Math.imul(len, M_LO) >>> 0;
  let hh = (mulHiMLo(len) + Math.imul(len, M_HI)) >>> 0;
  hl = (hl ^ HLL_SEED) >>> 0;
  const blocks = len - (len & 7);
  let i = 0;
  for (; i < blocks; i += 8) {
    let kl = (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24)) >>> 0;
    let kh = (data[i + 4]! | (data[i + 5]! << 8) | (data[i + 6]! << 16) | (data[i + 7]! << 24)) >>> 0;
    // k *= m
    let t = (mulHiMLo(kl) + Math.imul(kh, M_LO) + Math.imul(kl, M_HI)) >>> 0;
    kl = Math.imul(kl, M_LO) >>> 0;
    kh = t;
    // k ^= k >> 47
    kl = (kl ^ (kh >>> 15)) >>> 0;
    // k *= m
    t = (mulHiMLo(kl) + Math.imul(kh, M_LO) + Math.imul(kl, M_HI)) >>> 0;
    kl = Math.imul(kl, M_LO) >>> 0;
    kh = t;
    // h ^= k; h *= m
    hl = (hl ^ kl) >>> 0;
    hh = (hh ^ kh) >>> 0;
    t = (mulHiMLo(hl) + Math.imul(hh, M_LO) + Math.imul(hl, M_HI)) >>> 0;
    hl = Math.imul(hl, M_LO) >>> 0;
    hh = t;
  }
  const rest = len & 7;
  if (rest !== 0) {
    switch (rest) {
      case 7:
        hh ^= data[i + 6]! << 16;
      // falls through
      case 6:
        hh ^= data[i + 5]! << 8;
      // falls through
      case 5:
        hh ^= data[i + 4]!;
      // falls through
      case 4:
        hl ^= data[i + 3]! << 24;
      // falls through
      case 3:
        hl ^= data[i + 2]! << 16;
      // falls through
      case 2:
        hl ^= data[i + 1]! << 8;
      // falls through
      case 1:
        hl ^= data[i]!;
    }
    hl >>>= 0;
    hh >>>= 0;
    const t = (mulHiMLo(hl) + Math.imul(hh, M_LO) + Math.imul(hl, M_HI)) >>> 0;
    hl = Math.imul(hl, M_LO) >>> 0;
    hh = t;
  }
  // h ^= h >> 47; h *= m; h ^= h >> 47
  hl = (hl ^ (hh >>> 15)) >>> 0;
  const t = (mulHiMLo(hl) + Math.imul(hh, M_LO) + Math.imul(hl, M_HI)) >>> 0;
  hl = Math.imul(hl, M_LO) >>> 0;
  hh = t;
  hl = (hl ^ (hh >>> 15)) >>> 0;
  hashHi = hh;
  hashLo = hl;
}

// An element's bytes: a byte argument as is, a text argument encoded into a reusable buffer.
let eleBuf = new Uint8Array(256);
const encoder = new TextEncoder();

function elementBytes(a: Arg): number {
  if (typeof a !== 'string') return -1;
  const n = a.length;
  if (n * 3 > eleBuf.length) eleBuf = new Uint8Array(Math.max(n * 3, eleBuf.length * 2));
  const b = eleBuf;
  for (let i = 0; i < n; i++) {
    const ch = a.charCodeAt(i);
    if (ch >= 0x80) return encoder.encodeInto(a, b).written;
    b[i] = ch;
  }
  return n;
}

/** hllPatLen's register index (the second result). */
let patIndex = 0;

/**
 * hllPatLen: hash an element; its register is the hash's low 14 bits (left in patIndex) and its
 * value 1 + the number of zero bits above them before the first 1 (at most Q + 1 = 51).
 */
export function hllPatLen(a: Arg): number {
  const n = elementBytes(a);
  if (n < 0) murmurInto(a as Uint8Array, (a as Uint8Array).length);
  else murmurInto(eleBuf, n);
  patIndex = hashLo & HLL_P_MASK;
  const low = hashLo >>> HLL_P; // the 18 bits of the low half above the index
  if (low !== 0) return 32 - Math.clz32(low & -low);
  if (hashHi !== 0) return 32 - HLL_P + 32 - Math.clz32(hashHi & -hashHi);
  return HLL_Q + 1;
}

// ---- registers ------------------------------------------------------------------------------

/** HLL_DENSE_GET_REGISTER on the registers at `off` (four 6-bit registers per three bytes). */
function denseGet(b: Uint8Array, off: number, reg: number): number {
  const base = off + (reg >>> 2) * 3;
  switch (reg & 3) {
    case 0:
      return b[base]! & 63;
    case 1:
      return ((b[base]! >>> 6) | (b[base + 1]! << 2)) & 63;
    case 2:
      return ((b[base + 1]! >>> 4) | (b[base + 2]! << 4)) & 63;
    default:
      return b[base + 2]! >>> 2;
  }
}

/** HLL_DENSE_SET_REGISTER (val ≤ 63). */
function denseSet(b: Uint8Array, off: number, reg: number, val: number): void {
  const base = off + (reg >>> 2) * 3;
  switch (reg & 3) {
    case 0:
      b[base] = (b[base]! & 0xc0) | val;
      break;
    case 1:
      b[base] = (b[base]! & 0x3f) | (val << 6);
      b[base + 1] = (b[base + 1]! & 0xf0) | (val >>> 2);
      break;
    case 2:
      b[base + 1] = (b[base + 1]! & 0x0f) | (val << 4);
      b[base + 2] = (b[base + 2]! & 0xfc) | (val >>> 4);
      break;
    default:
      b[base + 2] = (b[base + 2]! & 0x03) | (val << 2);
  }
}

/** hllDenseSet: raise a register to `count`; 1 when it changed. */
function hllDenseSet(b: Uint8Array, reg: number, count: number): number {
  if (count > denseGet(b, HLL_HDR_SIZE, reg)) {
    denseSet(b, HLL_HDR_SIZE, reg, count);
    return 1;
  }
  return 0;
}

/** hllDenseRegHisto */
function denseRegHisto(b: Uint8Array, histo: Int32Array): void {
  for (let p = HLL_HDR_SIZE; p < HLL_DENSE_SIZE; p += 3) {
    const b0 = b[p]!;
    const b1 = b[p + 1]!;
    const b2 = b[p + 2]!;
    histo[b0 & 63]!++;
    histo[((b0 >>> 6) | (b1 << 2)) & 63]!++;
    histo[((b1 >>> 4) | (b2 << 4)) & 63]!++;
    histo[b2 >>> 2]!++;
  }
}

// Sparse opcodes.
const isZero = (op: number) => (op & 0xc0) === 0;
const isXzero = (op: number) => (op & 0xc0) === 0x40;
const isVal = (op: number) => (op & 0x80) !== 0;
const zeroLen = (op: number) => (op & 0x3f) + 1;
const xzeroLen = (op: number, next: number) => (((op & 0x3f) << 8) | next) + 1;
const valValue = (op: number) => ((op >>> 2) & 0x1f) + 1;
const valLen = (op: number) => (op & 3) + 1;
const valOp = (val: number, len: number) => (((val - 1) << 2) | (len - 1) | 0x80) & 0xff;
const zeroOp = (len: number) => len - 1;

// The sparse decoders stop at the first opcode that runs past the last register and report the
// HLL corrupted: the fix for CVE-2025-32023, which the system packages' 7.0.15 carries (upstream
// 7.0.15 skipped only a VAL run past the end, and counted ZERO and XZERO runs unchecked).

/**
 * The sparse decoder that hllSparseRegHisto, hllMerge and hllSparseToDense share: a walk over the
 * opcodes of b[HLL_HDR_SIZE..len), one run of registers per `next()` (`value` 0 for ZERO and
 * XZERO). `tail` is the byte just past the end, which a truncated XZERO reads as Redis does.
 */
class SparseRuns {
  /** The run: registers first..first+count-1 hold value. */
  first = 0;
  count = 0;
  value = 0;
  private p = HLL_HDR_SIZE;
  private overrun = false;

  constructor(
    private readonly b: Uint8Array,
    private readonly len: number,
    private readonly tail: number,
  ) {}

  /** Move to the next run; false at the end, or at a run past the last register. */
  next(): boolean {
    this.first += this.count;
    this.count = 0;
    if (this.p >= this.len) return false;
    const op = this.b[this.p]!;
    let count: number;
    let value = 0;
    if (isZero(op)) {
      count = zeroLen(op);
      this.p++;
    } else if (isXzero(op)) {
      count = xzeroLen(op, this.p + 1 < this.len ? this.b[this.p + 1]! : this.tail);
      this.p += 2;
    } else {
      count = valLen(op);
      value = valValue(op);
      this.p++;
    }
    if (this.first + count > HLL_REGISTERS) {
      this.overrun = true;
      return false;
    }
    this.count = count;
    this.value = value;
    return true;
  }

  /** Once next() is false: whether the opcodes covered exactly the 16384 registers. */
  get valid(): boolean {
    return !this.overrun && this.first === HLL_REGISTERS;
  }
}

/** The byte just past the end of a stored sparse HLL, as Redis reads it. */
const storedTail = (b: Uint8Array) => SDS_TAIL.get(b) ?? 0;

/** hllSparseRegHisto: false when the opcodes do not cover exactly 16384 registers. */
function sparseRegHisto(b: Uint8Array, histo: Int32Array): boolean {
  const r = new SparseRuns(b, b.length, storedTail(b));
  while (r.next()) histo[r.value]! += r.count;
  return r.valid;
}

/**
 * hllMerge: max[i] = max(max[i], register i) over an HLL's registers (8-bit, one per byte).
 * False when a sparse HLL is corrupted.
 */
function hllMerge(max: Uint8Array, b: Uint8Array): boolean {
  if (b[4] === HLL_DENSE) {
    let i = 0;
    for (let p = HLL_HDR_SIZE; p < HLL_DENSE_SIZE; p += 3, i += 4) {
      const b0 = b[p]!;
      const b1 = b[p + 1]!;
      const b2 = b[p + 2]!;
      let v = b0 & 63;
      if (v > max[i]!) max[i] = v;
      v = ((b0 >>> 6) | (b1 << 2)) & 63;
      if (v > max[i + 1]!) max[i + 1] = v;
      v = ((b1 >>> 4) | (b2 << 4)) & 63;
      if (v > max[i + 2]!) max[i + 2] = v;
      v = b2 >>> 2;
      if (v > max[i + 3]!) max[i + 3] = v;
    }
    return true;
  }
  const r = new SparseRuns(b, b.length, storedTail(b));
  while (r.next()) {
    const { first, count, value } = r;
    if (value === 0) continue;
    for (let i = first; i < first + count; i++) if (value > max[i]!) max[i] = value;
  }
  return r.valid;
}

// ---- the estimator (Otmar Ertl, "New cardinality estimation algorithms for HyperLogLog
// sketches", arXiv:1702.01284), computed in the same double operations as Redis ------------

function hllSigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  let zPrev: number;
  do {
    x *= x;
    zPrev = z;
    z += x * y;
    y += y;
  } while (zPrev !== z);
  return z;
}

function hllTau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  let zPrev: number;
  do {
    x = Math.sqrt(x);
    zPrev = z;
    y *= 0.5;
    const d = 1 - x;
    z -= d * d * y;
  } while (zPrev !== z);
  return z / 3;
}

const TWO_63 = 2 ** 63;

/**
 * hllCount from a register histogram: the estimate as Redis' uint64_t — a number, or a bigint
 * past 2^53. An estimate that overflows llroundl (all registers very high, only reachable with
 * crafted bytes) is LLONG_MIN on x86-64, which Redis turns into 2^63.
 */
function hllCountHisto(histo: Int32Array): number | bigint {
  const m = HLL_REGISTERS;
  let z = m * hllTau((m - histo[HLL_Q + 1]!) / m);
  for (let j = HLL_Q; j >= 1; j--) {
    z += histo[j]!;
    z *= 0.5;
  }
  z += m * hllSigma(histo[0]! / m);
  const e = Math.round((HLL_ALPHA_INF * m * m) / z); // llroundl: ties away from zero (e ≥ 0)
  if (!(e < TWO_63)) return 1n << 63n;
  return Number.isSafeInteger(e) ? e : BigInt(e);
}

const histo = new Int32Array(64);

/** The cardinality of a dense or sparse HLL; null when a sparse one is corrupted. */
function hllCount(b: Uint8Array): number | bigint | null {
  histo.fill(0);
  if (b[4] === HLL_DENSE) denseRegHisto(b, histo);
  else if (!sparseRegHisto(b, histo)) return null;
  return hllCountHisto(histo);
}

/** hllCount for HLL_RAW: registers one per byte (PFCOUNT of several keys). */
function hllCountRaw(max: Uint8Array): number | bigint {
  histo.fill(0);
  for (let i = 0; i < HLL_REGISTERS; i++) histo[max[i]!]!++;
  return hllCountHisto(histo);
}

/** A uint64 cardinality as PFCOUNT replies it (addReplyLongLong: signed). */
function cardReply(card: number | bigint): number | bigint {
  if (typeof card === 'number') return card;
  return card >= 1n << 63n ? card - (1n << 64n) : card;
}

function readCachedCard(b: Uint8Array): number | bigint {
  const lo = (b[8]! | (b[9]! << 8) | (b[10]! << 16) | (b[11]! << 24)) >>> 0;
  const hi = (b[12]! | (b[13]! << 8) | (b[14]! << 16) | (b[15]! << 24)) >>> 0;
  if (hi < 0x200000) return hi * 0x100000000 + lo;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

function writeCachedCard(b: Uint8Array, card: number | bigint): void {
  let lo: number;
  let hi: number;
  if (typeof card === 'number') {
    lo = card % 0x100000000;
    hi = Math.floor(card / 0x100000000);
  } else {
    lo = Number(card & 0xffffffffn);
    hi = Number(card >> 32n);
  }
  for (let i = 0; i < 4; i++) {
    b[8 + i] = lo >>> (8 * i);
    b[12 + i] = hi >>> (8 * i);
  }
}

const invalidateCache = (b: Uint8Array) => {
  b[HLL_CARD_MSB] = b[HLL_CARD_MSB]! | 0x80;
};

// ---- an HLL being modified ------------------------------------------------------------------

/**
 * An HLL value under modification. Dense: `b` is the value itself (12304 bytes). Sparse: `b` is a
 * working buffer whose first `len` bytes are the value, with room to grow; b[len] is the byte
 * past the end (the sds terminator, or the SDS_TAIL byte).
 */
interface HllWork {
  b: Uint8Array;
  len: number;
  /** True when the result must be stored (false: the stored array was modified in place). */
  changed: boolean;
}

/** createHLLObject: a sparse HLL with every register zero (one XZERO of 16384). */
function createHll(): HllWork {
  const b = new Uint8Array(64);
  b.set([0x48, 0x59, 0x4c, 0x4c, HLL_SPARSE]); // "HYLL", sparse
  let p = HLL_HDR_SIZE;
  for (let left = HLL_REGISTERS; left > 0; ) {
    const run = Math.min(left, HLL_SPARSE_XZERO_MAX_LEN);
    p = putXzero(b, p, run);
    left -= run;
  }
  return { b, len: p, changed: true };
}

function putXzero(b: Uint8Array, p: number, len: number): number {
  b[p] = ((len - 1) >>> 8) | 0x40;
  b[p + 1] = (len - 1) & 0xff;
  return p + 2;
}

/**
 * dbUnshareStringValue for an HLL about to change: a dense value is modified in place when this
 * module owns it (else copied); a sparse one is copied into a working buffer.
 */
function openHll(b: Uint8Array): HllWork {
  if (b[4] === HLL_DENSE) {
    if (isOwnedBytes(b)) return { b, len: b.length, changed: false };
    return { b: b.slice(), len: b.length, changed: true };
  }
  const w = new Uint8Array(b.length + 64);
  w.set(b);
  w[b.length] = SDS_TAIL.get(b) ?? 0;
  return { b: w, len: b.length, changed: false };
}

/** sdsMakeRoomFor(3): the working buffer can take 3 more bytes and the terminator. */
function makeRoom(h: HllWork): void {
  if (h.b.length >= h.len + 4) return;
  const w = new Uint8Array(Math.max(h.len * 2, h.len + 64));
  w.set(h.b.subarray(0, h.len + 1));
  h.b = w;
}

/** sdsIncrLen */
function incrLen(h: HllWork, delta: number): void {
  h.len += delta;
  h.b[h.len] = 0;
}

/** The value to store once the command is done, owned by this module. */
function closeHll(h: HllWork): Uint8Array {
  if (h.b[4] === HLL_DENSE && h.b.length === h.len) return ownBytes(h.b);
  const v = ownBytes(h.b.slice(0, h.len));
  if (h.b[h.len] !== 0) SDS_TAIL.set(v, h.b[h.len]!);
  return v;
}

/** hllSparseToDense: false when the sparse form is corrupted (the HLL is then unchanged). */
function hllSparseToDense(h: HllWork): boolean {
  const s = h.b;
  if (s[4] === HLL_DENSE) return true;
  const d = new Uint8Array(HLL_DENSE_SIZE);
  d.set(s.subarray(0, HLL_HDR_SIZE)); // magic, unused bytes and cached cardinality as they are
  d[4] = HLL_DENSE;
  const r = new SparseRuns(s, h.len, s[h.len] ?? 0); // a working buffer holds the byte past the end
  while (r.next()) {
    const { first, count, value } = r;
    if (value === 0) continue;
    for (let i = first; i < first + count; i++) denseSet(d, HLL_HDR_SIZE, i, value);
  }
  if (!r.valid) return false;
  h.b = d;
  h.len = HLL_DENSE_SIZE;
  h.changed = true;
  return true;
}

const seq = new Uint8Array(5);

/**
 * hllSparseSet: raise register `index` to `count` in a sparse HLL, editing the opcodes in place
 * (or promoting to dense). 1 when the register changed, 0 when not, -1 when corrupted.
 */
function hllSparseSet(h: HllWork, index: number, count: number): number {
  if (count > HLL_SPARSE_VAL_MAX_VALUE) return promote(h, index, count);
  makeRoom(h);
  const b = h.b;
  let end = h.len;

  // Step 1: find the opcode covering the register.
  let p = HLL_HDR_SIZE;
  let first = 0;
  let prev = -1;
  let span = 0;
  while (p < end) {
    const op = b[p]!;
    let oplen = 1;
    if (isZero(op)) span = zeroLen(op);
    else if (isVal(op)) span = valLen(op);
    else {
      span = xzeroLen(op, b[p + 1]!);
      oplen = 2;
    }
    if (index <= first + span - 1) break;
    prev = p;
    p += oplen;
    first += span;
  }
  if (span === 0 || p >= end) return -1;

  const op = b[p]!;
  let next = isXzero(op) ? p + 2 : p + 1;
  if (next >= end) next = -1;

  // Step 2: the trivial cases, then the general split into up to ZERO|XZERO VAL ZERO|XZERO.
  let updated = false;
  if (isVal(op)) {
    if (valValue(op) >= count) return 0;
    if (valLen(op) === 1) {
      b[p] = valOp(count, 1);
      updated = true;
    }
  } else if (isZero(op) && zeroLen(op) === 1) {
    b[p] = valOp(count, 1);
    updated = true;
  }

  if (!updated) {
    const last = first + span - 1;
    let n = 0;
    if (!isVal(op)) {
      if (index !== first) n = putZeros(seq, n, index - first);
      seq[n++] = valOp(count, 1);
      if (index !== last) n = putZeros(seq, n, last - index);
    } else {
      const cur = valValue(op);
      if (index !== first) seq[n++] = valOp(cur, index - first);
      seq[n++] = valOp(count, 1);
      if (index !== last) seq[n++] = valOp(cur, last - index);
    }

    // Step 3: put the new sequence in place of the opcode.
    const delta = n - (isXzero(op) ? 2 : 1);
    if (delta > 0 && h.len + delta > HLL_SPARSE_MAX_BYTES) return promote(h, index, count);
    if (delta !== 0 && next !== -1) b.copyWithin(next + delta, next, end);
    incrLen(h, delta);
    b.set(seq.subarray(0, n), p); // may write past the new end: as Redis' memcpy does
    end += delta;
  }

  // Step 4: merge runs of equal VAL opcodes around the change (up to 5 opcodes from prev).
  p = prev >= 0 ? prev : HLL_HDR_SIZE;
  let scan = 5;
  while (p < end && scan-- !== 0) {
    const o = b[p]!;
    if (isXzero(o)) {
      p += 2;
      continue;
    }
    if (isZero(o)) {
      p++;
      continue;
    }
    if (p + 1 < end && isVal(b[p + 1]!)) {
      const v1 = valValue(o);
      if (v1 === valValue(b[p + 1]!)) {
        const len = valLen(o) + valLen(b[p + 1]!);
        if (len <= HLL_SPARSE_VAL_MAX_LEN) {
          b[p + 1] = valOp(v1, len);
          b.copyWithin(p, p + 1, end);
          incrLen(h, -1);
          end--;
          continue;
        }
      }
    }
    p++;
  }
  invalidateCache(b);
  h.changed = true;
  return 1;
}

/** A run of zero registers as one ZERO or XZERO opcode. */
function putZeros(b: Uint8Array, n: number, len: number): number {
  if (len > HLL_SPARSE_ZERO_MAX_LEN) return putXzero(b, n, len);
  b[n] = zeroOp(len);
  return n + 1;
}

/** hllSparseSet's promotion: convert to dense, then set the register there. */
function promote(h: HllWork, index: number, count: number): number {
  if (!hllSparseToDense(h)) return -1;
  hllDenseSet(h.b, index, count);
  return 1;
}

/** hllAdd: 1 when the element raised a register, 0 when not, -1 for a corrupted HLL. */
function hllAdd(h: HllWork, ele: Arg): number {
  const count = hllPatLen(ele);
  if (h.b[4] === HLL_DENSE) {
    return hllDenseSet(h.b, patIndex, count);
  }
  return hllSparseSet(h, patIndex, count);
}

// ---- commands -------------------------------------------------------------------------------

/**
 * isHLLObjectOrReply: the bytes of a string holding an HLL (a valid header, and the exact dense
 * length), else Redis' errors (WRONGTYPE for other types, its HLL text for other strings).
 */
function hllBytes(o: RedisObject): Uint8Array {
  const v = asString(o)!;
  if (typeof v === 'number') throw notHllErr(); // an int-encoded string is never an HLL
  if (typeof v === 'string' && !v.startsWith('HYLL')) throw notHllErr();
  const b = typeof v === 'string' ? utf8Encode(v) : v;
  if (b.length < HLL_HDR_SIZE) throw notHllErr();
  if (b[0] !== 0x48 || b[1] !== 0x59 || b[2] !== 0x4c || b[3] !== 0x4c) throw notHllErr();
  if (b[4]! > HLL_MAX_ENCODING) throw notHllErr();
  if (b[4] === HLL_DENSE && b.length !== HLL_DENSE_SIZE) throw notHllErr();
  return b;
}

/** Store the result of a modification (a new array, or nothing when edited in place). */
function storeHll(c: Client, key: KeyString, h: HllWork, exists: boolean): void {
  if (!h.changed) return;
  const v = closeHll(h);
  if (exists) c.db.dbOverwrite(key, v);
  else c.db.dbAdd(key, v);
}

/** PFADD key [element [element ...]] — 1 when a register changed or the key was created. */
function pfaddCommand(c: Client, argv: Arg[]): Reply {
  const key = toKey(argv[1]!);
  const o = c.db.lookupKeyWrite(key);
  let updated = 0;
  let h: HllWork;
  if (o === undefined) {
    h = createHll();
    updated++;
  } else {
    h = openHll(hllBytes(o));
  }
  for (let j = 2; j < argv.length; j++) {
    const r = hllAdd(h, argv[j]!);
    if (r === 1) updated++;
    else if (r === -1) {
      storeHll(c, key, h, o !== undefined); // what was edited before the corruption stays, as in Redis
      throw invalidHllErr();
    }
  }
  if (updated === 0) return 0;
  invalidateCache(h.b);
  storeHll(c, key, h, o !== undefined);
  c.engine.signalModifiedKey(c.db, key);
  c.engine.notifyKeyspaceEvent(NOTIFY_STRING, 'pfadd', key, c.db.id);
  c.engine.dirty += updated;
  return 1;
}

const maxRegisters = new Uint8Array(HLL_REGISTERS);

/** Merge the HLLs at argv[from..] into maxRegisters; true when one of them is dense. */
function mergeKeys(c: Client, argv: Arg[], from: number): boolean {
  maxRegisters.fill(0);
  let dense = false;
  for (let j = from; j < argv.length; j++) {
    const o = c.db.lookupKeyRead(toKey(argv[j]!));
    if (o === undefined) continue; // a missing key is an empty HLL
    const b = hllBytes(o);
    if (b[4] === HLL_DENSE) dense = true;
    if (!hllMerge(maxRegisters, b)) throw invalidHllErr();
  }
  return dense;
}

/**
 * PFCOUNT key [key ...] — the estimated cardinality of the union. With one key the estimate is
 * cached in the HLL's header; writing it changes the value, so (as Redis does) the command is
 * then propagated, and replaying the log rebuilds the same bytes.
 */
function pfcountCommand(c: Client, argv: Arg[]): Reply {
  if (argv.length > 2) {
    mergeKeys(c, argv, 1);
    return cardReply(hllCountRaw(maxRegisters));
  }
  const key = toKey(argv[1]!);
  const o = c.db.lookupKeyRead(key);
  if (o === undefined) return 0;
  let b = hllBytes(o);
  if ((b[HLL_CARD_MSB]! & 0x80) === 0) return cardReply(readCachedCard(b));
  const card = hllCount(b);
  if (card === null) throw invalidHllErr();
  c.db.beforeInPlaceWrite(key); // the header is written in place after a read lookup
  if (!isOwnedBytes(b)) {
    const tail = SDS_TAIL.get(b);
    b = ownBytes(b.slice());
    if (tail !== undefined) SDS_TAIL.set(b, tail);
    c.db.dbOverwrite(key, b);
  }
  writeCachedCard(b, card);
  c.engine.signalModifiedKey(c.db, key);
  c.engine.dirty++;
  // PFCOUNT is not a write command, so call() does not log it: log it here, as Redis does.
  c.engine.propagate(c.db.id, argv);
  return cardReply(card);
}

/**
 * PFMERGE destkey [sourcekey [sourcekey ...]] — destkey becomes the union of itself and the
 * sources: dense when one of them is dense, else sparse (promoted as it grows).
 */
function pfmergeCommand(c: Client, argv: Arg[]): Reply {
  const dense = mergeKeys(c, argv, 1);
  const key = toKey(argv[1]!);
  const o = c.db.lookupKeyWrite(key);
  // The destination was checked as one of the merged HLLs.
  const h = o === undefined ? createHll() : openHll(hllBytes(o));
  if (dense && !hllSparseToDense(h)) throw invalidHllErr();
  for (let j = 0; j < HLL_REGISTERS; j++) {
    const v = maxRegisters[j]!;
    if (v === 0) continue;
    if (h.b[4] === HLL_DENSE) hllDenseSet(h.b, j, v);
    else hllSparseSet(h, j, v);
  }
  invalidateCache(h.b);
  if (h.b[4] !== HLL_DENSE) h.changed = true; // the sparse result is in the working buffer
  storeHll(c, key, h, o !== undefined);
  c.engine.signalModifiedKey(c.db, key);
  c.engine.notifyKeyspaceEvent(NOTIFY_STRING, 'pfadd', key, c.db.id);
  c.engine.dirty++;
  return OK;
}

export const hllCommands: CommandHandlers = {
  pfadd: pfaddCommand,
  pfcount: pfcountCommand,
  pfmerge: pfmergeCommand,
};
