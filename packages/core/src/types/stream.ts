/**
 * Streams (t_stream.c, stream.h): the data structure, stream IDs, and the core commands XADD
 * XRANGE XREVRANGE XLEN XDEL XTRIM XSETID XREAD XREADGROUP. The consumer-group commands (XGROUP
 * XACK XPENDING XCLAIM XAUTOCLAIM XINFO) live in stream-cgroups.ts and build on the exports here.
 *
 * Entries are kept as Redis keeps them: a radix tree of listpack nodes, each starting with a
 * master entry (the first entry's fields, which later entries with the same fields refer to). Here
 * a node is a few parallel arrays (ids, flags, values) in a sorted array of nodes, found by binary
 * search on the master ID; the node boundaries are Redis' to the entry, because a new node starts
 * exactly where streamAppendItem starts one — at stream-node-max-entries (default 100, deleted
 * entries included) or when the emulated listpack size (listpack.c's encodings: integers vs
 * strings, backlen bytes, the master entry, the "same fields" flag) plus the new entry's bytes
 * reaches stream-node-max-bytes (default 4096); both are read from engine.config (CONFIG SET).
 * `MAXLEN ~` / `MINID ~` remove whole nodes only, so they leave exactly the length Redis leaves,
 * and XINFO's radix-tree-keys is the node count.
 *
 * XDEL flags an entry deleted (a tombstone: it stays in its node, as in the listpack, and still
 * counts towards the node's size and entry limit); a node whose entries are all deleted by XDEL is
 * dropped. Trimming drops nodes from the front by moving an index (`head`), never copying the rest;
 * a node dropped in the middle leaves a hole that a later compaction (amortised O(1)) removes.
 * Within a node entries are scanned in append order, as Redis scans a listpack (an XSETID that
 * moved the last ID back can leave a node out of order; Redis' iteration rules are kept for that).
 *
 * IDs are uint64 pairs: a part is a JS number while ≤ Number.MAX_SAFE_INTEGER, else a bigint,
 * always normalised so, hence `===` on two parts is exact; compare IDs with streamCompareID.
 *
 * Replication-like logging (call() logs argv): XADD logs the ID it generated and `~` trims as `=`
 * with the resulting length / first ID (streamRewriteApproxSpecifier, streamRewriteTrimArgument).
 * XREADGROUP logs nothing itself; its effects are logged as Redis propagates them (XCLAIM … TIME
 * RETRYCOUNT FORCE JUSTID LASTID per delivered entry, XGROUP SETID … ENTRIESREAD, XGROUP
 * CREATECONSUMER). Lodis logs three effects Redis 7.0 leaves out, so that a replayed log rebuilds
 * the very same groups: the group's last ID and entries_read after every delivery (Redis only
 * after NOACK ones: its XCLAIM carries the last ID but not entries_read), the delivery time and
 * count of entries re-delivered from a consumer's history (as XCLAIM), and every consumer that
 * XREADGROUP creates (Redis only with NOACK). A consumer's seen time is not logged (nor is it by
 * Redis): a replayed log gives it the time of the replay.
 */
// CHANGED (for G, as asked): StreamCG.entriesRead is an Int64 (long long) and StreamNACK.deliveryCount
// a U64 (uint64), both normalised number | bigint; streamCreateCG takes an Int64 and
// streamEstimateDistanceFromFirstEverEntry returns one.
import { blockForKeys, getTimeoutFromArg, signalKeyAsReady } from '../blocked.js';
import type { Client } from '../client.js';
import type { CommandHandlers } from '../commands.js';
import {
  notIntegerErr,
  streamElementsTooLargeErr,
  streamExhaustedErr,
  streamInvalidEndErr,
  streamInvalidIdErr,
  streamInvalidStartErr,
  streamLimitNegativeErr,
  streamLimitWithoutApproxErr,
  streamLimitWithoutStrategyErr,
  streamMaxlenMinidErr,
  streamMaxlenNegativeErr,
  streamXaddIdSmallErr,
  streamXaddIdZeroErr,
  streamXtrimStrategyErr,
  syntaxErr,
  noSuchKeyErr,
  wrongArityErr,
  xreadgroupDollarErr,
  xreadgroupGroupDestroyedErr,
  xreadgroupKeyDeletedErr,
  xreadgroupMissingGroupErr,
  xreadgroupNoGroupErr,
  xreadGreaterIdErr,
  xreadGroupOptionErr,
  xreadNoackOptionErr,
  xreadUnbalancedErr,
  xsetidEntriesAddedNegativeErr,
  xsetidEntriesAddedSmallErr,
  xsetidMaxDeletedErr,
  xsetidSmallErr,
} from '../errors.js';
import { LOOKUP_NONOTIFY, LOOKUP_NOSTATS, type RedisDb } from '../keyspace.js';
import { NOTIFY_STREAM } from '../notify.js';
import { asType, type TypedObject } from '../object.js';
import { MapReply, NULL_ARRAY, OK, type Reply } from '../reply.js';
import type { ByteReader, ByteWriter } from '../rio.js';
import {
  argLatin1,
  argLength,
  keyLatin1,
  keyReply,
  latin1ToBytes,
  toKey,
  utf8Length,
  valueBytes,
  type Arg,
  type KeyString,
  type StringValue,
} from '../sds.js';
import { string2ll, type Int64 } from '../util.js';

// ---- stream IDs -------------------------------------------------------------------------------

/** A uint64: a JS number while ≤ Number.MAX_SAFE_INTEGER, else a bigint (always normalised so). */
export type U64 = number | bigint;

/** streamID: <ms>-<seq>, both uint64. Compare with streamCompareID. */
export interface StreamID {
  readonly ms: U64;
  readonly seq: U64;
}

const UINT64_MAX = 18446744073709551615n;
const TWO_64 = 18446744073709551616n;
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MAX_SAFE_BIG = BigInt(MAX_SAFE);

/** 0-0 */
export const STREAM_ID_MIN: StreamID = Object.freeze({ ms: 0, seq: 0 });
/** 18446744073709551615-18446744073709551615 */
export const STREAM_ID_MAX: StreamID = Object.freeze({ ms: UINT64_MAX, seq: UINT64_MAX });

/** A uint64 bigint in its canonical form. */
function toU64(b: bigint): U64 {
  return b <= MAX_SAFE_BIG ? Number(b) : b;
}

function u64Incr(x: U64): U64 {
  return typeof x === 'number' && x < MAX_SAFE ? x + 1 : toU64(BigInt(x) + 1n);
}

function u64Decr(x: U64): U64 {
  return typeof x === 'number' ? x - 1 : toU64(x - 1n);
}

/** streamCompareID: -1, 0 or 1. */
export function streamCompareID(a: StreamID, b: StreamID): -1 | 0 | 1 {
  if (a.ms > b.ms) return 1;
  if (a.ms < b.ms) return -1;
  if (a.seq > b.seq) return 1;
  if (a.seq < b.seq) return -1;
  return 0;
}

/** An entry's raw ID against an ID. */
function cmpRaw(ms: U64, seq: U64, b: StreamID): number {
  if (ms > b.ms) return 1;
  if (ms < b.ms) return -1;
  if (seq > b.seq) return 1;
  if (seq < b.seq) return -1;
  return 0;
}

function streamIDEqZero(id: StreamID): boolean {
  return id.ms === 0 && id.seq === 0;
}

function isMaxID(id: StreamID): boolean {
  return id.ms === UINT64_MAX && id.seq === UINT64_MAX;
}

/** streamIncrID: the next ID, or null when `id` is the maximum (Redis' C_ERR). */
export function streamIncrID(id: StreamID): StreamID | null {
  if (id.seq === UINT64_MAX) {
    if (id.ms === UINT64_MAX) return null;
    return { ms: u64Incr(id.ms), seq: 0 };
  }
  return { ms: id.ms, seq: u64Incr(id.seq) };
}

/** streamDecrID: the previous ID, or null when `id` is 0-0. */
export function streamDecrID(id: StreamID): StreamID | null {
  if (id.seq === 0) {
    if (id.ms === 0) return null;
    return { ms: u64Decr(id.ms), seq: UINT64_MAX };
  }
  return { ms: id.ms, seq: u64Decr(id.seq) };
}

/** createStreamIDString / addReplyStreamID: "ms-seq". */
export function streamIDReply(id: StreamID): string {
  return `${id.ms}-${id.seq}`;
}

/** Out-parameter of streamParseStrictID: whether the seq part was given (false for "ms-*"). */
export interface SeqGiven {
  value: boolean;
}

/** An argument as C sees it through `char *`: a byte string cut at its first NUL. */
function cstr(a: Arg): string {
  const s = typeof a === 'string' ? (isPlainAscii(a) ? a : argLatin1(a)) : argLatin1(a);
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

// eslint-disable-next-line no-control-regex
const PLAIN_ASCII = /^[\x01-\x7f]*$/;
function isPlainAscii(s: string): boolean {
  return s.length < 32 ? PLAIN_ASCII.test(s) : false;
}

/** strcasecmp(arg, name) === 0 (the argument cut at its first NUL). */
function optionIs(a: Arg, lowerName: string): boolean {
  const s = cstr(a);
  return s.length === lowerName.length && s.toLowerCase() === lowerName;
}

// eslint-disable-next-line no-control-regex
const STRTOULL = /^[ \t\n\v\f\r]*([+-]?)([0-9]+)$/;
const SHORT_UINT = /^(?:0|[1-9][0-9]{0,14})$/;

/**
 * util.c string2ull: string2ll when it reads the string (refusing negatives), else strtoull's
 * rules — leading spaces, a sign ("-5" wraps around when string2ll cannot read it: "-05"), no
 * overflow past 2^64-1.
 */
function string2ull(s: string): U64 | null {
  if (SHORT_UINT.test(s)) return Number(s);
  const m = STRTOULL.exec(s);
  if (m === null) return null;
  const v = BigInt(m[2]!);
  if (v > UINT64_MAX) return null; // ERANGE
  if (m[1] !== '-') return toU64(v);
  if (string2ll(s) !== null) return v === 0n ? 0 : null; // string2ll read a negative number
  return toU64((TWO_64 - v) % TWO_64);
}

/** streamGenericParseIDOrReply */
function streamGenericParseID(arg: Arg, missingSeq: U64, strict: boolean, seqGiven: SeqGiven | undefined): StreamID {
  if (argLength(arg) > 127) throw streamInvalidIdErr();
  const buf = cstr(arg);
  if (strict && (buf === '-' || buf === '+')) throw streamInvalidIdErr();
  if (seqGiven !== undefined) seqGiven.value = true;
  if (buf === '-') return STREAM_ID_MIN;
  if (buf === '+') return STREAM_ID_MAX;
  const dot = buf.indexOf('-');
  const ms = string2ull(dot < 0 ? buf : buf.slice(0, dot));
  if (ms === null) throw streamInvalidIdErr();
  let seq: U64 | null;
  if (dot >= 0) {
    const seqPart = buf.slice(dot + 1);
    if (seqGiven !== undefined && seqPart === '*') {
      seq = 0;
      seqGiven.value = false;
    } else {
      seq = string2ull(seqPart);
      if (seq === null) throw streamInvalidIdErr();
    }
  } else seq = missingSeq;
  return { ms, seq };
}

/**
 * streamParseIDOrReply: "-" (0-0), "+" (max), "ms" (seq = missingSeq) or "ms-seq". Throws
 * "Invalid stream ID specified as stream command argument".
 */
export function streamParseID(arg: Arg, missingSeq: U64): StreamID {
  return streamGenericParseID(arg, missingSeq, false, undefined);
}

/**
 * streamParseStrictIDOrReply: like streamParseID but rejects "-" and "+". When `seqGiven` is
 * passed, "ms-*" is accepted too and `seqGiven.value` tells whether the seq part was given.
 */
export function streamParseStrictID(arg: Arg, missingSeq: U64, seqGiven?: SeqGiven): StreamID {
  return streamGenericParseID(arg, missingSeq, true, seqGiven);
}

/**
 * streamParseIntervalIDOrReply: an XRANGE/XPENDING/XAUTOCLAIM bound: "(id" is exclusive (strict
 * parse, so "(-" is invalid), else streamParseID.
 */
export function streamParseIntervalID(arg: Arg, missingSeq: U64): { id: StreamID; exclusive: boolean } {
  const len = argLength(arg);
  const exclusive = len > 1 && (typeof arg === 'string' ? arg.charCodeAt(0) : arg[0]) === 0x28; /* ( */
  if (exclusive) {
    const rest = typeof arg === 'string' ? arg.slice(1) : arg.subarray(1);
    return { id: streamParseStrictID(rest, missingSeq), exclusive };
  }
  return { id: streamParseID(arg, missingSeq), exclusive };
}

// ---- consumer groups ---------------------------------------------------------------------------

/** streamNACK: an entry delivered to a consumer and not yet acknowledged. Shared by the group PEL and the consumer PEL. */
export interface StreamNACK {
  deliveryTime: number;
  /** A uint64 (RETRYCOUNT can set any value; Redis replies it as a long long). */
  deliveryCount: U64;
  consumer: StreamConsumer;
}

/** streamConsumer */
export interface StreamConsumer {
  name: KeyString;
  seenTime: number;
  pel: StreamPEL;
}

/** streamCG. `entriesRead` -1 is SCG_INVALID_ENTRIES_READ. */
export interface StreamCG {
  lastId: StreamID;
  /** A long long (ENTRIESREAD can set any value). */
  entriesRead: Int64;
  pel: StreamPEL;
  consumers: Map<KeyString, StreamConsumer>;
}

/** SCG_INVALID_ENTRIES_READ */
export const SCG_INVALID_ENTRIES_READ = -1;
/** streamLookupConsumer flags */
export const SLC_DEFAULT = 0;
export const SLC_NO_REFRESH = 1 << 0;
/** streamCreateConsumer flags */
export const SCC_DEFAULT = 0;
export const SCC_NO_NOTIFY = 1 << 0;
export const SCC_NO_DIRTIFY = 1 << 1;

/** PEL chunks split past this many entries. */
const PEL_CHUNK_MAX = 256;

interface PelChunk {
  ids: StreamID[];
  nacks: StreamNACK[];
}

/**
 * A pending entries list: an ordered map StreamID → StreamNACK (Redis' rax keyed by the 128-bit
 * big-endian ID), as sorted chunks of at most 256 entries found by binary search: O(log n) get,
 * set and delete (acking in order or out of order), in-order iteration from any ID.
 */
export class StreamPEL {
  private chunks: PelChunk[] = [];
  private n = 0;

  /** Number of entries. */
  get size(): number {
    return this.n;
  }

  /** The chunk that holds `id` or would: the last whose first ID ≤ id (0 when none). */
  private chunkFor(id: StreamID): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (streamCompareID(chunks[mid]!.ids[0]!, id) <= 0) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The position of the first ID ≥ id in a chunk. */
  private static lowerBound(ids: StreamID[], id: StreamID): number {
    let lo = 0;
    let hi = ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (streamCompareID(ids[mid]!, id) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(id: StreamID): StreamNACK | undefined {
    if (this.n === 0) return undefined;
    const ch = this.chunks[this.chunkFor(id)]!;
    const i = StreamPEL.lowerBound(ch.ids, id);
    return i < ch.ids.length && streamCompareID(ch.ids[i]!, id) === 0 ? ch.nacks[i] : undefined;
  }

  /** Insert or replace (raxInsert). Returns true when the ID was not there (raxTryInsert's success). */
  set(id: StreamID, nack: StreamNACK): boolean {
    if (this.n === 0) {
      this.chunks.push({ ids: [id], nacks: [nack] });
      this.n = 1;
      return true;
    }
    const ci = this.chunkFor(id);
    const ch = this.chunks[ci]!;
    const ids = ch.ids;
    // The common case: an ID past the last one (entries are delivered in ID order).
    if (streamCompareID(ids[ids.length - 1]!, id) < 0) {
      if (ids.length >= PEL_CHUNK_MAX && ci === this.chunks.length - 1) {
        this.chunks.push({ ids: [id], nacks: [nack] });
      } else {
        ids.push(id);
        ch.nacks.push(nack);
        if (ids.length > PEL_CHUNK_MAX) this.split(ci);
      }
      this.n++;
      return true;
    }
    const i = StreamPEL.lowerBound(ids, id);
    if (i < ids.length && streamCompareID(ids[i]!, id) === 0) {
      ch.nacks[i] = nack;
      return false;
    }
    ids.splice(i, 0, id);
    ch.nacks.splice(i, 0, nack);
    if (ids.length > PEL_CHUNK_MAX) this.split(ci);
    this.n++;
    return true;
  }

  private split(ci: number): void {
    const ch = this.chunks[ci]!;
    const half = ch.ids.length >> 1;
    this.chunks.splice(ci + 1, 0, { ids: ch.ids.splice(half), nacks: ch.nacks.splice(half) });
  }

  /** Returns whether it was there. */
  delete(id: StreamID): boolean {
    if (this.n === 0) return false;
    const ci = this.chunkFor(id);
    const ch = this.chunks[ci]!;
    const i = StreamPEL.lowerBound(ch.ids, id);
    if (i >= ch.ids.length || streamCompareID(ch.ids[i]!, id) !== 0) return false;
    if (i === 0 && ch.ids.length === 1) this.chunks.splice(ci, 1);
    else if (i === ch.ids.length - 1) {
      ch.ids.pop();
      ch.nacks.pop();
    } else {
      ch.ids.splice(i, 1);
      ch.nacks.splice(i, 1);
    }
    this.n--;
    return true;
  }

  /** The smallest ID and its NACK, or undefined when empty. */
  first(): [StreamID, StreamNACK] | undefined {
    const ch = this.chunks[0];
    return ch === undefined ? undefined : [ch.ids[0]!, ch.nacks[0]!];
  }

  /** The largest ID and its NACK, or undefined when empty. */
  last(): [StreamID, StreamNACK] | undefined {
    const ch = this.chunks[this.chunks.length - 1];
    return ch === undefined ? undefined : [ch.ids[ch.ids.length - 1]!, ch.nacks[ch.nacks.length - 1]!];
  }

  /**
   * Entries with ID ≥ `from` (all when omitted), in ID order. The PEL may change between steps
   * (the entry just returned deleted, others added): the walk goes on after the last ID returned.
   */
  *iterate(from?: StreamID): IterableIterator<[StreamID, StreamNACK]> {
    let ci = 0;
    let ii = 0;
    if (from !== undefined && this.n !== 0) {
      ci = this.chunkFor(from);
      ii = StreamPEL.lowerBound(this.chunks[ci]!.ids, from);
    }
    for (;;) {
      const ch = this.chunks[ci];
      if (ch === undefined) return;
      if (ii >= ch.ids.length) {
        ci++;
        ii = 0;
        continue;
      }
      const id = ch.ids[ii]!;
      yield [id, ch.nacks[ii]!];
      if (this.chunks[ci] === ch && ch.ids[ii] === id) ii++;
      else {
        // Changed under us: seek the first ID after the one returned.
        if (this.n === 0) return;
        ci = this.chunkFor(id);
        const ids = this.chunks[ci]!.ids;
        ii = StreamPEL.lowerBound(ids, id);
        if (ii < ids.length && streamCompareID(ids[ii]!, id) === 0) ii++;
      }
    }
  }
}

// ---- the stream: listpack nodes ------------------------------------------------------------------

const STREAM_ITEM_FLAG_DELETED = 1;
const STREAM_ITEM_FLAG_SAMEFIELDS = 2;
/** STREAM_LISTPACK_MAX_SIZE: the largest entry (all fields and values) XADD accepts, and the largest node. */
const STREAM_LISTPACK_MAX_SIZE = 1 << 30;
/** lpNew: header (total bytes, element count) and the end byte. */
const LP_EMPTY_BYTES = 7;

/**
 * One radix-tree node: a listpack's entries. Entry i has its absolute ID (ms[i], seq[i]) and
 * meta[i] = offset of its data in `vals` × 4 + flags; its data runs to the next entry's offset.
 * A SAMEFIELDS entry's data are its values (its fields are the master's), any other's are
 * field, value, field, value …. Entry 0 is the master entry's: its ID is the node's key.
 */
class StreamNode {
  ms: U64[] = [];
  seq: U64[] = [];
  meta: number[] = [];
  vals: StringValue[] = [];
  /** Live entries and entries flagged deleted (the master entry's count and deleted fields). */
  count = 0;
  deleted = 0;
  /** The listpack's size in bytes but for the count and deleted fields (see lpBytes). */
  bytes = 0;
  /** Dropped from the tree, still in the array until the next compaction (a hole). */
  removed = false;
  /** IDs in append order are increasing (always, unless an XSETID moved the last ID back). */
  sorted = true;

  constructor(readonly masterFields: StringValue[]) {}

  get length(): number {
    return this.ms.length;
  }

  /** lpBytes, as streamAppendItem's node-size check reads it (count and deleted grow past 127 with a large stream-node-max-entries). */
  lpBytes(): number {
    return this.bytes + lpIntSize(this.count) + lpIntSize(this.deleted);
  }

  /** The data of entry i: [start, end) in vals. */
  start(i: number): number {
    return this.meta[i]! >>> 2;
  }
  end(i: number): number {
    return i + 1 < this.meta.length ? this.meta[i + 1]! >>> 2 : this.vals.length;
  }
  flags(i: number): number {
    return this.meta[i]! & 3;
  }

  /** Entry i's fields and values, interleaved. */
  fieldsAndValues(i: number): StringValue[] {
    const start = this.start(i);
    const end = this.end(i);
    if (!(this.meta[i]! & STREAM_ITEM_FLAG_SAMEFIELDS)) return this.vals.slice(start, end);
    const mf = this.masterFields;
    const out: StringValue[] = new Array(mf.length * 2);
    for (let k = 0; k < mf.length; k++) {
      out[2 * k] = mf[k]!;
      out[2 * k + 1] = this.vals[start + k]!;
    }
    return out;
  }

  /** The first entry whose ID is ≥ id (with `gt`: > id). Only for a sorted node. */
  bound(id: StreamID, gt: boolean): number {
    const ms = this.ms;
    const seq = this.seq;
    let lo = 0;
    let hi = ms.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = cmpRaw(ms[mid]!, seq[mid]!, id);
      if (c < 0 || (gt && c === 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A node no longer appended to (a new tail started): its arrays at their exact size. */
  shrink(): void {
    this.ms = this.ms.slice();
    this.seq = this.seq.slice();
    this.meta = this.meta.slice();
    this.vals = this.vals.slice();
  }

  clone(): StreamNode {
    const n = new StreamNode(this.masterFields);
    n.ms.push(...this.ms);
    n.seq.push(...this.seq);
    n.meta.push(...this.meta);
    for (let i = 0; i < this.vals.length; i++) n.vals.push(this.vals[i]!);
    n.count = this.count;
    n.deleted = this.deleted;
    n.bytes = this.bytes;
    n.sorted = this.sorted;
    return n;
  }
}

// listpack.c sizes: an element is its encoding, its data and its backlen (1-5 bytes).

function lpBacklenSize(l: number): number {
  return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

/** An integer element (lpEncodeIntegerGetType + backlen). */
function lpIntSize(v: Int64): number {
  if (typeof v === 'bigint') return 10;
  if (v >= 0 && v <= 127) return 2;
  if (v >= -4096 && v <= 4095) return 3;
  if (v >= -32768 && v <= 32767) return 4;
  if (v >= -8388608 && v <= 8388607) return 5;
  if (v >= -2147483648 && v <= 2147483647) return 6;
  return 10;
}

/** A string element of `len` bytes. */
function lpStrSize(len: number): number {
  const enc = len < 64 ? 1 + len : len < 4096 ? 2 + len : 5 + len;
  return enc + lpBacklenSize(enc);
}

/** The UTF-8 length of a string; a loop for short ones (most field names and values), cheaper than a regex. */
function byteLength(a: string): number {
  const n = a.length;
  if (n > 64) return utf8Length(a);
  for (let i = 0; i < n; i++) if (a.charCodeAt(i) >= 0x80) return utf8Length(a);
  return n;
}

/** lpAppend of a string: integer-encoded when lpStringToInt64 (string2ll's rules) reads it. */
function lpArgSize(a: StringValue): number {
  if (typeof a === 'string') {
    const len = a.length;
    if (len !== 0 && len <= 20) {
      const c0 = a.charCodeAt(0);
      if ((c0 >= 48 && c0 <= 57) || c0 === 45) {
        const v = string2ll(a);
        if (v !== null) return lpIntSize(v);
      }
    }
    return lpStrSize(byteLength(a));
  }
  if (typeof a === 'number') return lpIntSize(a);
  if (a.length !== 0 && a.length <= 20 && ((a[0]! >= 48 && a[0]! <= 57) || a[0] === 45)) {
    const v = string2ll(argLatin1(a));
    if (v !== null) return lpIntSize(v);
  }
  return lpStrSize(a.length);
}

/** The int64 delta `a - b` of two uint64s, as lpAppendInteger stores it. */
function u64Delta(a: U64, b: U64): Int64 {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const d = BigInt.asIntN(64, BigInt(a) - BigInt(b));
  return d >= -MAX_SAFE_BIG && d <= MAX_SAFE_BIG ? Number(d) : d;
}

function argsEqual(a: StringValue, b: StringValue): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  const x = typeof a === 'string' || typeof a === 'number' ? valueBytes(a) : a;
  const y = typeof b === 'string' || typeof b === 'number' ? valueBytes(b) : b;
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

// ---- the stream ---------------------------------------------------------------------------------

/** createStreamObject / streamNew: an empty stream. */
export class StreamObject implements TypedObject {
  readonly type = 'stream' as const;
  /** Number of entries (not deleted). */
  length = 0;
  /** The largest ID ever added (or set by XSETID); 0-0 for a stream never written. */
  lastId: StreamID = STREAM_ID_MIN;
  /** The first non-deleted entry; 0-0 when empty. */
  firstId: StreamID = STREAM_ID_MIN;
  /** The largest ID deleted by XDEL (or set by XSETID); 0-0 if none. */
  maxDeletedEntryId: StreamID = STREAM_ID_MIN;
  /** Entries added over the stream's life. */
  entriesAdded: U64 = 0;
  /** Consumer groups by name (a rax in Redis: sort names by bytes when listing). */
  cgroups: Map<KeyString, StreamCG> = new Map();

  /**
   * @internal The nodes by master ID, from `head` on; `nodes[head]` and the last node are live,
   * `holes` nodes in between are removed ones awaiting compaction.
   */
  nodes: StreamNode[] = [];
  /** @internal The nodes' master IDs, index for index (the binary search reads these, not the nodes). */
  keyMs: U64[] = [];
  /** @internal */
  keySeq: U64[] = [];
  /** @internal */
  head = 0;
  /** @internal */
  holes = 0;

  /** XINFO STREAM's radix-tree-keys: the number of listpack nodes. */
  get radixTreeKeys(): number {
    return this.nodes.length - this.head - this.holes;
  }

  /** streamDup: a deep copy; a NACK shared by the group PEL and a consumer PEL stays shared. */
  dup(): StreamObject {
    const d = new StreamObject();
    d.length = this.length;
    d.lastId = this.lastId;
    d.firstId = this.firstId;
    d.maxDeletedEntryId = this.maxDeletedEntryId;
    d.entriesAdded = this.entriesAdded;
    for (let i = this.head; i < this.nodes.length; i++) {
      const n = this.nodes[i]!;
      if (!n.removed) pushNode(d, n.clone());
    }
    for (const [name, cg] of this.cgroups) {
      const ncg = streamCreateCG(d, name, cg.lastId, cg.entriesRead)!;
      const copies = new Map<StreamNACK, StreamNACK>();
      for (const [id, nack] of cg.pel.iterate()) {
        const copy: StreamNACK = { deliveryTime: nack.deliveryTime, deliveryCount: nack.deliveryCount, consumer: nack.consumer };
        copies.set(nack, copy);
        ncg.pel.set(id, copy);
      }
      for (const [cname, consumer] of cg.consumers) {
        const nc: StreamConsumer = { name: cname, seenTime: consumer.seenTime, pel: new StreamPEL() };
        ncg.consumers.set(cname, nc);
        for (const [id, nack] of consumer.pel.iterate()) {
          const copy = copies.get(nack)!;
          copy.consumer = nc;
          nc.pel.set(id, copy);
        }
      }
    }
    return d;
  }
}

/** The index of the first live node, or -1. */
function firstNode(s: StreamObject): number {
  return s.head < s.nodes.length ? s.head : -1;
}

function lastNode(s: StreamObject): number {
  return s.nodes.length > s.head ? s.nodes.length - 1 : -1;
}

function nextNode(s: StreamObject, i: number): number {
  const nodes = s.nodes;
  for (i++; i < nodes.length; i++) if (!nodes[i]!.removed) return i;
  return -1;
}

function prevNode(s: StreamObject, i: number): number {
  const nodes = s.nodes;
  for (i--; i >= s.head; i--) if (!nodes[i]!.removed) return i;
  return -1;
}

/** raxSeek "<=": the live node with the greatest master ID ≤ id, or -1. */
function seekNodeLE(s: StreamObject, id: StreamID): number {
  const keyMs = s.keyMs;
  const keySeq = s.keySeq;
  let lo = s.head;
  let hi = keyMs.length - 1;
  if (hi < lo) return -1;
  if (cmpRaw(keyMs[lo]!, keySeq[lo]!, id) > 0) return -1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (cmpRaw(keyMs[mid]!, keySeq[mid]!, id) <= 0) lo = mid;
    else hi = mid - 1;
  }
  return s.nodes[lo]!.removed ? prevNode(s, lo) : lo;
}

/** raxInsert of a node past the last one. */
function pushNode(s: StreamObject, node: StreamNode): void {
  s.nodes.push(node);
  s.keyMs.push(node.ms[0]!);
  s.keySeq.push(node.seq[0]!);
}

/** raxRemove of node i: the head moves on, the tail pops, a node in between becomes a hole. */
function removeNode(s: StreamObject, i: number): void {
  const nodes = s.nodes;
  nodes[i]!.removed = true;
  if (i === s.head) {
    nodes[s.head++] = undefined as unknown as StreamNode; // let it be collected
    while (s.head < nodes.length && nodes[s.head]!.removed) {
      nodes[s.head++] = undefined as unknown as StreamNode;
      s.holes--;
    }
  } else if (i === nodes.length - 1) {
    nodes.pop();
    s.keyMs.pop();
    s.keySeq.pop();
    while (nodes.length > s.head && nodes[nodes.length - 1]!.removed) {
      nodes.pop();
      s.keyMs.pop();
      s.keySeq.pop();
      s.holes--;
    }
  } else s.holes++;
  if (s.head === nodes.length) {
    s.nodes = [];
    s.keyMs = [];
    s.keySeq = [];
    s.head = 0;
    s.holes = 0;
  } else if ((s.head > 64 && s.head * 2 > nodes.length) || (s.holes > 64 && s.holes * 2 > nodes.length - s.head)) {
    s.nodes = [];
    s.keyMs = [];
    s.keySeq = [];
    for (let k = s.head; k < nodes.length; k++) if (!nodes[k]!.removed) pushNode(s, nodes[k]!);
    s.head = 0;
    s.holes = 0;
  }
}

/** raxInsert of a new node (master ID `id`) not past the last node's (an XSETID moved the last ID back). */
function insertNode(s: StreamObject, node: StreamNode, id: StreamID): void {
  const nodes = s.nodes;
  let lo = s.head;
  let hi = nodes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cmpRaw(s.keyMs[mid]!, s.keySeq[mid]!, id) < 0) lo = mid + 1;
    else hi = mid;
  }
  if (lo === s.head && s.head > 0) {
    nodes[--s.head] = node;
    s.keyMs[s.head] = id.ms;
    s.keySeq[s.head] = id.seq;
  } else {
    nodes.splice(lo, 0, node);
    s.keyMs.splice(lo, 0, id.ms);
    s.keySeq.splice(lo, 0, id.seq);
  }
}

// ---- iteration -----------------------------------------------------------------------------------

/**
 * streamIterator: the entries between start and end (inclusive; null = unbounded) in either
 * direction, with Redis' rules: seek the node with the greatest master ID ≤ the first bound (the
 * first or last node when there is none), then scan nodes in order and entries in listpack order;
 * a live entry past the far bound ends the iteration.
 */
class StreamIterator {
  private ni: number;
  private ei: number;
  private readonly start: StreamID;
  private readonly end: StreamID;
  skipTombstones = true;
  /** The current entry (after next() returned true) and its node's index. */
  node!: StreamNode;
  nodeIndex = -1;
  entry = 0;
  id!: StreamID;

  constructor(
    private readonly s: StreamObject,
    start: StreamID | null,
    end: StreamID | null,
    private readonly rev: boolean,
  ) {
    this.start = start ?? STREAM_ID_MIN;
    this.end = end ?? STREAM_ID_MAX;
    // In a sorted node the entries Redis' scan would skip (before start / after end) are found by
    // binary search instead.
    if (!rev) {
      let ni = -1;
      if (start !== null && !streamIDEqZero(start)) ni = seekNodeLE(s, start);
      this.ni = ni < 0 ? firstNode(s) : ni;
      const node = this.ni < 0 ? null : s.nodes[this.ni]!;
      this.ei = node !== null && node.sorted && start !== null ? node.bound(start, false) : 0;
    } else {
      let ni = -1;
      if (end !== null && !streamIDEqZero(end)) ni = seekNodeLE(s, end);
      this.ni = ni < 0 ? lastNode(s) : ni;
      const node = this.ni < 0 ? null : s.nodes[this.ni]!;
      this.ei = node === null ? -1 : node.sorted && end !== null ? node.bound(end, true) - 1 : node.length - 1;
    }
  }

  /** streamIteratorGetID: move to the next entry in range; false when there is none. */
  next(): boolean {
    const s = this.s;
    while (this.ni >= 0) {
      const node = s.nodes[this.ni]!;
      const ms = node.ms;
      const seq = node.seq;
      const meta = node.meta;
      if (!this.rev) {
        for (let i = this.ei; i < ms.length; i++) {
          if (cmpRaw(ms[i]!, seq[i]!, this.start) >= 0 && (!this.skipTombstones || !(meta[i]! & STREAM_ITEM_FLAG_DELETED))) {
            if (cmpRaw(ms[i]!, seq[i]!, this.end) > 0) {
              this.ni = -1;
              return false;
            }
            this.node = node;
            this.nodeIndex = this.ni;
            this.entry = i;
            this.id = { ms: ms[i]!, seq: seq[i]! };
            this.ei = i + 1;
            return true;
          }
        }
        this.ni = nextNode(s, this.ni);
        this.ei = 0;
      } else {
        for (let i = this.ei; i >= 0; i--) {
          if (cmpRaw(ms[i]!, seq[i]!, this.end) <= 0 && (!this.skipTombstones || !(meta[i]! & STREAM_ITEM_FLAG_DELETED))) {
            if (cmpRaw(ms[i]!, seq[i]!, this.start) < 0) {
              this.ni = -1;
              return false;
            }
            this.node = node;
            this.nodeIndex = this.ni;
            this.entry = i;
            this.id = { ms: ms[i]!, seq: seq[i]! };
            this.ei = i - 1;
            return true;
          }
        }
        this.ni = prevNode(s, this.ni);
        this.ei = this.ni < 0 ? -1 : s.nodes[this.ni]!.length - 1;
      }
    }
    return false;
  }

  /** streamIteratorRemoveEntry: flag the current entry deleted (the node goes when it was its last live one). */
  removeEntry(): void {
    const node = this.node;
    const s = this.s;
    node.meta[this.entry] = node.meta[this.entry]! | STREAM_ITEM_FLAG_DELETED;
    if (node.count === 1) {
      removeNode(s, this.nodeIndex);
      // Re-seek, as Redis does after changing the tree.
      const it = new StreamIterator(s, this.rev ? this.start : this.id, this.rev ? this.id : this.end, this.rev);
      this.ni = it.ni;
      this.ei = it.ei;
    } else {
      node.count--;
      node.deleted++;
    }
    s.length--;
  }
}

/** streamIterate (streamIteratorStart + GetID/GetField): [id, [f1, v1, f2, v2 …]] of the entries in [start, end] (null = unbounded), skipping deleted ones. */
export function* streamIterate(
  s: StreamObject,
  start: StreamID | null,
  end: StreamID | null,
  rev: boolean,
): IterableIterator<[StreamID, StringValue[]]> {
  const it = new StreamIterator(s, start, end, rev);
  while (it.next()) yield [it.id, it.node.fieldsAndValues(it.entry)];
}

/** streamEntryExists */
export function streamEntryExists(s: StreamObject, id: StreamID): boolean {
  return new StreamIterator(s, id, id, false).next();
}

/** streamDeleteItem: mark the entry deleted (XDEL). Returns whether it existed. */
export function streamDeleteEntry(s: StreamObject, id: StreamID): boolean {
  const it = new StreamIterator(s, id, id, false);
  if (!it.next()) return false;
  it.removeEntry();
  return true;
}

/** streamGetEdgeID: the first (or last) entry's ID; when there is none, STREAM_ID_MAX for first and STREAM_ID_MIN for last. */
export function streamGetEdgeID(s: StreamObject, first: boolean, skipTombstones: boolean): StreamID {
  const it = new StreamIterator(s, null, null, !first);
  it.skipTombstones = skipTombstones;
  if (it.next()) return it.id;
  return first ? STREAM_ID_MAX : STREAM_ID_MIN;
}

/** streamLastValidID: the last live entry's ID (0-0 when there is none). */
function streamLastValidID(s: StreamObject): StreamID {
  const it = new StreamIterator(s, null, null, true);
  return it.next() ? it.id : STREAM_ID_MIN;
}

/** streamRangeHasTombstones (null = unbounded). */
export function streamRangeHasTombstones(s: StreamObject, start: StreamID | null, end: StreamID | null): boolean {
  if (s.length === 0 || streamIDEqZero(s.maxDeletedEntryId)) return false;
  if (streamCompareID(s.firstId, s.maxDeletedEntryId) > 0) return false;
  const startId = start ?? STREAM_ID_MIN;
  const endId = end ?? STREAM_ID_MAX;
  return streamCompareID(startId, s.maxDeletedEntryId) <= 0 && streamCompareID(s.maxDeletedEntryId, endId) <= 0;
}

/** A uint64 (or any integer) as the long long C casts it to: two's complement, normalised. */
function toInt64(x: U64 | bigint): Int64 {
  if (typeof x === 'number') return x;
  const v = BigInt.asIntN(64, x);
  return v >= -MAX_SAFE_BIG && v <= MAX_SAFE_BIG ? Number(v) : v;
}

/** x + 1 for a long long (wrapping past LLONG_MAX, as the C does in practice). */
function int64Incr(x: Int64): Int64 {
  return typeof x === 'number' && x < MAX_SAFE ? x + 1 : toInt64(BigInt(x) + 1n);
}

/** x + 1 for a uint64 (wrapping past 2^64-1). */
function u64IncrWrap(x: U64): U64 {
  return typeof x === 'number' && x < MAX_SAFE ? x + 1 : toU64(BigInt.asUintN(64, BigInt(x) + 1n));
}

/** streamEstimateDistanceFromFirstEverEntry: an entries_read counter for `id`, or SCG_INVALID_ENTRIES_READ. */
export function streamEstimateDistanceFromFirstEverEntry(s: StreamObject, id: StreamID): Int64 {
  const added = s.entriesAdded;
  if (added === 0) return 0;
  if (s.length === 0 && streamCompareID(id, s.lastId) < 1) return toInt64(added);
  const cmpLast = streamCompareID(id, s.lastId);
  if (cmpLast === 0) return toInt64(added);
  if (cmpLast > 0) return SCG_INVALID_ENTRIES_READ;
  const cmpIdFirst = streamCompareID(id, s.firstId);
  const cmpXdelFirst = streamCompareID(s.maxDeletedEntryId, s.firstId);
  if (streamIDEqZero(s.maxDeletedEntryId) || cmpXdelFirst < 0) {
    // entries_added - length (+ 1) in uint64, returned as a long long.
    const base = typeof added === 'number' ? added - s.length : toInt64(added - BigInt(s.length));
    if (cmpIdFirst < 0) return base;
    if (cmpIdFirst === 0) return int64Incr(base);
  }
  return SCG_INVALID_ENTRIES_READ;
}

// ---- appending ---------------------------------------------------------------------------------

const APPEND_OK = 0;
const APPEND_EDOM = 1;
const APPEND_ERANGE = 2;
const APPEND_SEQ_EXHAUSTED = 3;
/** The ID streamAppendItem added (valid after APPEND_OK). */
let addedId: StreamID = STREAM_ID_MIN;

/**
 * streamAppendItem: add the entry argv[first …] (`numfields` field-value pairs) with ID `useId`
 * (its seq generated unless `seqGiven`) or a new one from `now`. APPEND_OK sets `addedId`.
 */
function streamAppendItem(
  s: StreamObject,
  argv: readonly StringValue[],
  first: number,
  numfields: number,
  useId: StreamID | null,
  seqGiven: boolean,
  now: number,
  config: { streamNodeMaxBytes: number; streamNodeMaxEntries: number },
): number {
  let id: StreamID;
  const last = s.lastId;
  if (useId !== null) {
    if (seqGiven) id = useId;
    else if (last.ms === useId.ms) {
      if (last.seq === UINT64_MAX) return APPEND_SEQ_EXHAUSTED;
      id = { ms: last.ms, seq: u64Incr(last.seq) };
    } else id = useId;
  } else if (now > last.ms) id = { ms: now, seq: 0 };
  else id = streamIncrID(last)!; // not the maximum: XADD checked
  if (streamCompareID(id, last) <= 0) return APPEND_EDOM;

  const end = first + numfields * 2;
  let totelelen = 0;
  for (let i = first; i < end; i++) {
    const a = argv[i]!;
    totelelen += typeof a === 'string' ? byteLength(a) : typeof a === 'number' ? String(a).length : a.length;
  }
  if (totelelen > STREAM_LISTPACK_MAX_SIZE) return APPEND_ERANGE;

  const nodes = s.nodes;
  let node = nodes.length > s.head ? nodes[nodes.length - 1]! : null;
  if (node !== null) {
    let maxBytes = config.streamNodeMaxBytes;
    if (maxBytes === 0 || maxBytes > STREAM_LISTPACK_MAX_SIZE) maxBytes = STREAM_LISTPACK_MAX_SIZE;
    const maxEntries = config.streamNodeMaxEntries;
    if (node.lpBytes() + totelelen >= maxBytes || (maxEntries !== 0 && node.count + node.deleted >= maxEntries)) {
      node.shrink(); // lpShrinkToFit
      node = null;
    }
  }
  let flags = 0;
  if (node === null) {
    const fields: StringValue[] = new Array(numfields);
    let bytes = LP_EMPTY_BYTES + lpIntSize(numfields) + 2; // [count, deleted,] num-fields, fields, 0
    for (let k = 0; k < numfields; k++) {
      const f = argv[first + 2 * k]!;
      fields[k] = f;
      bytes += lpArgSize(f);
    }
    node = new StreamNode(fields);
    node.bytes = bytes;
    const tail = nodes.length > s.head ? nodes[nodes.length - 1]! : null;
    if (tail === null || cmpRaw(tail.ms[0]!, tail.seq[0]!, id) < 0) {
      nodes.push(node);
      s.keyMs.push(id.ms);
      s.keySeq.push(id.seq);
    } else insertNode(s, node, id);
    flags = STREAM_ITEM_FLAG_SAMEFIELDS;
  } else {
    const mf = node.masterFields;
    if (mf.length === numfields) {
      let k = 0;
      for (; k < numfields; k++) {
        const f = argv[first + 2 * k]!;
        const m = mf[k]!;
        if (f !== m && !argsEqual(f, m)) break;
      }
      if (k === numfields) flags = STREAM_ITEM_FLAG_SAMEFIELDS;
    }
  }

  // flags, ms-diff, seq-diff, [num-fields, fields], values, lp-count
  const same = flags === STREAM_ITEM_FLAG_SAMEFIELDS;
  const masterMs = node.ms.length === 0 ? id.ms : node.ms[0]!;
  const masterSeq = node.seq.length === 0 ? id.seq : node.seq[0]!;
  let bytes = 2 + lpIntSize(u64Delta(id.ms, masterMs)) + lpIntSize(u64Delta(id.seq, masterSeq));
  const vals = node.vals;
  node.meta.push(vals.length * 4 + flags);
  if (same) {
    for (let i = first + 1; i < end; i += 2) {
      const v = argv[i]!;
      vals.push(v);
      bytes += lpArgSize(v);
    }
    bytes += lpIntSize(numfields + 3);
  } else {
    bytes += lpIntSize(numfields);
    for (let i = first; i < end; i++) {
      const v = argv[i]!;
      vals.push(v);
      bytes += lpArgSize(v);
    }
    bytes += lpIntSize(numfields * 2 + 4);
  }
  const n = node.ms.length;
  if (n !== 0 && cmpRaw(node.ms[n - 1]!, node.seq[n - 1]!, id) >= 0) node.sorted = false;
  node.ms.push(id.ms);
  node.seq.push(id.seq);
  node.count++;
  node.bytes += bytes;
  s.length++;
  s.entriesAdded = u64IncrWrap(s.entriesAdded);
  s.lastId = id;
  if (s.length === 1) s.firstId = id;
  addedId = id;
  return APPEND_OK;
}

// ---- trimming ------------------------------------------------------------------------------------

export const TRIM_STRATEGY_NONE = 0;
export const TRIM_STRATEGY_MAXLEN = 1;
export const TRIM_STRATEGY_MINID = 2;

/** streamAddTrimArgs (trim part). */
export interface StreamTrimArgs {
  strategy: typeof TRIM_STRATEGY_NONE | typeof TRIM_STRATEGY_MAXLEN | typeof TRIM_STRATEGY_MINID;
  approx: boolean;
  /** 0: no limit. */
  limit: number;
  maxlen: number;
  minid: StreamID;
}

/** streamTrim: remove entries from the head; returns how many. */
export function streamTrim(s: StreamObject, args: StreamTrimArgs): number {
  const { strategy, approx, limit, maxlen, minid } = args;
  if (strategy === TRIM_STRATEGY_NONE) return 0;
  let deleted = 0;
  let ni = firstNode(s);
  while (ni >= 0) {
    if (strategy === TRIM_STRATEGY_MAXLEN && s.length <= maxlen) break;
    const node = s.nodes[ni]!;
    const entries = node.count;
    if (limit && deleted + entries > limit) break;
    let removeIt: boolean;
    if (strategy === TRIM_STRATEGY_MAXLEN) removeIt = s.length - entries >= maxlen;
    else {
      const last = node.length - 1; // lpGetEdgeStreamID: the last entry, deleted or not
      removeIt = cmpRaw(node.ms[last]!, node.seq[last]!, minid) < 0;
    }
    if (removeIt) {
      removeNode(s, ni);
      s.length -= entries;
      deleted += entries;
      ni = firstNode(s);
      continue;
    }
    if (approx) break;
    // Flag entries within the node.
    let deletedFromLp = 0;
    const meta = node.meta;
    for (let i = 0; i < node.length; i++) {
      const stop = strategy === TRIM_STRATEGY_MAXLEN ? s.length <= maxlen : cmpRaw(node.ms[i]!, node.seq[i]!, minid) >= 0;
      if (stop) break;
      if (!(meta[i]! & STREAM_ITEM_FLAG_DELETED)) {
        meta[i] = meta[i]! | STREAM_ITEM_FLAG_DELETED;
        deletedFromLp++;
        s.length--;
      }
    }
    deleted += deletedFromLp;
    node.count -= deletedFromLp;
    node.deleted += deletedFromLp;
    break;
  }
  if (s.length === 0) s.firstId = STREAM_ID_MIN;
  else if (deleted) s.firstId = streamGetEdgeID(s, true, true);
  return deleted;
}

// ---- consumer groups: constructors ----------------------------------------------------------------

/** streamCreateCG: null if the group exists. */
export function streamCreateCG(s: StreamObject, name: KeyString, id: StreamID, entriesRead: Int64): StreamCG | null {
  if (s.cgroups.has(name)) return null;
  const cg: StreamCG = { lastId: id, entriesRead, pel: new StreamPEL(), consumers: new Map() };
  s.cgroups.set(name, cg);
  return cg;
}

/** streamLookupCG */
export function streamLookupCG(s: StreamObject, name: KeyString): StreamCG | undefined {
  return s.cgroups.get(name);
}

/**
 * streamCreateConsumer: null if it exists. Seen time is db.engine.now. Unless flags say
 * otherwise (SCC_NO_NOTIFY, SCC_NO_DIRTIFY), fires "xgroup-createconsumer" on `key` and dirty++.
 */
export function streamCreateConsumer(cg: StreamCG, name: KeyString, key: KeyString, db: RedisDb, flags: number): StreamConsumer | null {
  if (cg.consumers.has(name)) return null;
  const consumer: StreamConsumer = { name, seenTime: db.engine.now, pel: new StreamPEL() };
  cg.consumers.set(name, consumer);
  if (!(flags & SCC_NO_DIRTIFY)) db.engine.dirty++;
  if (!(flags & SCC_NO_NOTIFY)) db.engine.notifyKeyspaceEvent(NOTIFY_STREAM, 'xgroup-createconsumer', key, db.id);
  return consumer;
}

/** streamLookupConsumer: refreshes seen time to `now` unless SLC_NO_REFRESH. */
export function streamLookupConsumer(cg: StreamCG, name: KeyString, flags: number, now: number): StreamConsumer | undefined {
  const consumer = cg.consumers.get(name);
  if (consumer !== undefined && !(flags & SLC_NO_REFRESH)) consumer.seenTime = now;
  return consumer;
}

/** streamDelConsumer: removes its pending entries from the group PEL too. */
export function streamDelConsumer(cg: StreamCG, consumer: StreamConsumer): void {
  for (const [id] of consumer.pel.iterate()) cg.pel.delete(id);
  cg.consumers.delete(consumer.name);
}

/** streamCreateNACK: delivery count 1, delivered at `now`. */
export function streamCreateNACK(consumer: StreamConsumer, now: number): StreamNACK {
  return { deliveryTime: now, deliveryCount: 1, consumer };
}

// ---- replies and propagation -----------------------------------------------------------------------

export const STREAM_RWR_NOACK = 1 << 0;
export const STREAM_RWR_RAWENTRIES = 1 << 1;
export const STREAM_RWR_HISTORY = 1 << 2;

/** streamPropInfo: key and group name as the client sent them (for the XCLAIM / XGROUP SETID effects). */
export interface StreamPropInfo {
  keyname: Arg;
  groupname: Arg;
}

function valueReply(v: StringValue): string | Uint8Array {
  return typeof v === 'number' ? String(v) : v;
}

/** One entry as replied: [id, [f1, v1 …]]. */
export function streamEntryReply(id: StreamID, fieldsAndValues: StringValue[]): Reply {
  const fv: Reply[] = new Array(fieldsAndValues.length);
  for (let i = 0; i < fieldsAndValues.length; i++) fv[i] = valueReply(fieldsAndValues[i]!);
  return [streamIDReply(id), fv];
}

/** The current entry of an iterator as replied (no intermediate array). */
function iteratorEntryReply(it: StreamIterator): Reply {
  const node = it.node;
  const i = it.entry;
  const start = node.start(i);
  const end = node.end(i);
  const vals = node.vals;
  let fv: Reply[];
  if (node.flags(i) & STREAM_ITEM_FLAG_SAMEFIELDS) {
    const mf = node.masterFields;
    fv = new Array(mf.length * 2);
    for (let k = 0; k < mf.length; k++) {
      fv[2 * k] = valueReply(mf[k]!);
      fv[2 * k + 1] = valueReply(vals[start + k]!);
    }
  } else {
    fv = new Array(end - start);
    for (let k = start; k < end; k++) fv[k - start] = valueReply(vals[k]!);
  }
  return [streamIDReply(it.id), fv];
}

/**
 * streamReplyWithRange: the entries of [start, end] (null = unbounded), at most `count` (0 = no
 * limit), as an array of entry replies (with STREAM_RWR_RAWENTRIES the caller splices them in its
 * own array — the returned array is the same). With a group and a consumer: the group part of
 * t_stream.c (last_id, entries_read, PEL entries / NACK updates, seen time), propagating the
 * effects through `spi` (XCLAIM … / XGROUP SETID) when it is not null.
 */
export function streamReplyWithRange(
  c: Client,
  s: StreamObject,
  start: StreamID | null,
  end: StreamID | null,
  count: number,
  rev: boolean,
  group: StreamCG | null,
  consumer: StreamConsumer | null,
  flags: number,
  spi: StreamPropInfo | null,
): Reply[] {
  if (group !== null && flags & STREAM_RWR_HISTORY) {
    return streamReplyWithRangeFromConsumerPEL(c, s, start ?? STREAM_ID_MIN, end, count, group, consumer!, spi);
  }
  const noack = (flags & STREAM_RWR_NOACK) !== 0;
  const out: Reply[] = [];
  const it = new StreamIterator(s, start, end, rev);
  let groupChanged = false;
  while (it.next()) {
    const id = it.id;
    if (group !== null && streamCompareID(id, group.lastId) > 0) {
      if (group.entriesRead !== SCG_INVALID_ENTRIES_READ && !streamRangeHasTombstones(s, id, null)) {
        group.entriesRead = int64Incr(group.entriesRead);
      } else if (s.entriesAdded !== 0) {
        group.entriesRead = streamEstimateDistanceFromFirstEverEntry(s, id);
      }
      group.lastId = id;
      groupChanged = true;
    }
    out.push(iteratorEntryReply(it));
    if (group !== null && !noack) {
      const now = c.engine.now;
      let nack = group.pel.get(id);
      if (nack === undefined) {
        nack = streamCreateNACK(consumer!, now);
        group.pel.set(id, nack);
        consumer!.pel.set(id, nack);
      } else {
        // Delivered before (XGROUP SETID moved the group back): the entry changes hands.
        nack.consumer.pel.delete(id);
        nack.consumer = consumer!;
        nack.deliveryTime = now;
        nack.deliveryCount = 1;
        consumer!.pel.set(id, nack);
      }
      if (spi !== null) streamPropagateXCLAIM(c, spi.keyname, group, spi.groupname, streamIDReply(id), nack);
    }
    if (count && count === out.length) break;
  }
  // Redis propagates the group's last ID only after NOACK deliveries (XCLAIM's LASTID carries it
  // otherwise); Lodis always does, so that entries_read is logged too.
  if (spi !== null && groupChanged) streamPropagateGroupID(c, spi.keyname, group!, spi.groupname);
  return out;
}

/**
 * streamReplyWithRangeFromConsumerPEL: a consumer's history (XREADGROUP with an ID other than
 * ">"): the entries of its PEL from `start`, each delivered again (time and count updated); an
 * entry deleted meanwhile is replied as [id, null].
 */
function streamReplyWithRangeFromConsumerPEL(
  c: Client,
  s: StreamObject,
  start: StreamID,
  end: StreamID | null,
  count: number,
  group: StreamCG,
  consumer: StreamConsumer,
  spi: StreamPropInfo | null,
): Reply[] {
  const out: Reply[] = [];
  for (const [id, nack] of consumer.pel.iterate(start)) {
    if (count && out.length >= count) break;
    if (end !== null && streamCompareID(id, end) > 0) break;
    const it = new StreamIterator(s, id, id, false);
    if (!it.next()) {
      out.push([streamIDReply(id), NULL_ARRAY]);
    } else {
      out.push(iteratorEntryReply(it));
      nack.deliveryTime = c.engine.now;
      nack.deliveryCount = u64IncrWrap(nack.deliveryCount);
      // Not propagated by Redis 7.0: Lodis logs the new delivery time and count.
      if (spi !== null) streamPropagateXCLAIM(c, spi.keyname, group, spi.groupname, streamIDReply(id), nack);
    }
  }
  return out;
}

/** streamPropagateXCLAIM: XCLAIM <key> <group> <consumer> 0 <id> TIME <ms> RETRYCOUNT <n> FORCE JUSTID LASTID <group last id>. */
export function streamPropagateXCLAIM(c: Client, key: Arg, group: StreamCG, groupname: Arg, id: Arg, nack: StreamNACK): void {
  c.engine.propagate(c.db.id, [
    'XCLAIM',
    key,
    groupname,
    keyReply(nack.consumer.name),
    '0',
    id,
    'TIME',
    String(nack.deliveryTime),
    'RETRYCOUNT',
    String(toInt64(nack.deliveryCount)), // createStringObjectFromLongLong
    'FORCE',
    'JUSTID',
    'LASTID',
    streamIDReply(group.lastId),
  ]);
}

/** streamPropagateGroupID: XGROUP SETID <key> <group> <last id> ENTRIESREAD <n>. */
export function streamPropagateGroupID(c: Client, key: Arg, group: StreamCG, groupname: Arg): void {
  c.engine.propagate(c.db.id, ['XGROUP', 'SETID', key, groupname, streamIDReply(group.lastId), 'ENTRIESREAD', String(group.entriesRead)]);
}

/** streamPropagateConsumerCreation: XGROUP CREATECONSUMER <key> <group> <consumer>. */
export function streamPropagateConsumerCreation(c: Client, key: Arg, groupname: Arg, consumername: KeyString): void {
  c.engine.propagate(c.db.id, ['XGROUP', 'CREATECONSUMER', key, groupname, keyReply(consumername)]);
}

/** The stream at `key` for reading: undefined if none, WRONGTYPE if another type. */
export function lookupStreamRead(db: RedisDb, key: KeyString): StreamObject | undefined {
  return asType<StreamObject>(db.lookupKeyRead(key), 'stream');
}

/** streamTypeLookupWriteOrCreate: the stream at `key` for writing (lookupKeyWrite); created (dbAdd) unless `noCreate`. */
export function streamTypeLookupWriteOrCreate(c: Client, key: KeyString, noCreate: boolean): StreamObject | undefined {
  let s = asType<StreamObject>(c.db.lookupKeyWrite(key), 'stream');
  if (s === undefined && !noCreate) {
    s = new StreamObject();
    c.db.dbAdd(key, s);
  }
  return s;
}

// ---- XADD / XTRIM argument parsing ----------------------------------------------------------------------

interface AddTrimArgs extends StreamTrimArgs {
  /** XADD: the ID given (null for "*"), whether its seq part was given, NOMKSTREAM. */
  id: StreamID | null;
  seqGiven: boolean;
  noMkstream: boolean;
  /** The argument index of the MAXLEN count / MINID id (for the rewrite). */
  trimArgIdx: number;
  /** XADD: the index of the ID argument. */
  idPos: number;
}

/** getLongLongFromObjectOrReply as a JS number (int64 values past 2^53 clamped: they only compare with lengths). */
function parseLongLong(a: Arg): number {
  const v = string2ll(typeof a === 'string' ? a : argLatin1(a));
  if (v === null) throw notIntegerErr();
  return typeof v === 'number' ? v : v > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
}

/** streamParseAddOrTrimArgsOrReply */
function streamParseAddOrTrimArgs(c: Client, argv: Arg[], xadd: boolean): AddTrimArgs {
  const args: AddTrimArgs = {
    strategy: TRIM_STRATEGY_NONE,
    approx: false,
    limit: 0,
    maxlen: 0,
    minid: STREAM_ID_MIN,
    id: null,
    seqGiven: true,
    noMkstream: false,
    trimArgIdx: 0,
    idPos: 0,
  };
  let limitGiven = false;
  let i = 2;
  for (; i < argv.length; i++) {
    const moreargs = argv.length - 1 - i;
    const opt = cstr(argv[i]!);
    const lower = opt.length <= 10 ? opt.toLowerCase() : '';
    if (xadd && opt === '*') break;
    else if (lower === 'maxlen' && moreargs) {
      if (args.strategy !== TRIM_STRATEGY_NONE) throw streamMaxlenMinidErr();
      args.approx = false;
      const next = cstr(argv[i + 1]!);
      if (moreargs >= 2 && next === '~') {
        args.approx = true;
        i++;
      } else if (moreargs >= 2 && next === '=') i++;
      args.maxlen = parseLongLong(argv[i + 1]!);
      if (args.maxlen < 0) throw streamMaxlenNegativeErr();
      i++;
      args.strategy = TRIM_STRATEGY_MAXLEN;
      args.trimArgIdx = i;
    } else if (lower === 'minid' && moreargs) {
      if (args.strategy !== TRIM_STRATEGY_NONE) throw streamMaxlenMinidErr();
      args.approx = false;
      const next = cstr(argv[i + 1]!);
      if (moreargs >= 2 && next === '~') {
        args.approx = true;
        i++;
      } else if (moreargs >= 2 && next === '=') i++;
      args.minid = streamParseStrictID(argv[i + 1]!, 0);
      i++;
      args.strategy = TRIM_STRATEGY_MINID;
      args.trimArgIdx = i;
    } else if (lower === 'limit' && moreargs) {
      args.limit = parseLongLong(argv[i + 1]!);
      if (args.limit < 0) throw streamLimitNegativeErr();
      limitGiven = true;
      i++;
    } else if (xadd && lower === 'nomkstream') {
      args.noMkstream = true;
    } else if (xadd) {
      const seqGiven: SeqGiven = { value: true };
      args.id = streamParseStrictID(argv[i]!, 0, seqGiven);
      args.seqGiven = seqGiven.value;
      break;
    } else throw syntaxErr();
  }
  args.idPos = i;
  if (args.limit && args.strategy === TRIM_STRATEGY_NONE) throw streamLimitWithoutStrategyErr();
  if (!xadd && args.strategy === TRIM_STRATEGY_NONE) throw streamXtrimStrategyErr();
  if (c.engine.loading) {
    // mustObeyClient: the log holds `=` trims (rewritten from `~`), exact and unlimited.
    args.limit = 0;
  } else if (limitGiven) {
    if (!args.approx) throw streamLimitWithoutApproxErr();
  } else if (args.approx) {
    // 100 nodes' worth (a long long product in Redis: it may wrap), 10000 when that is ≤ 0, at most 1000000.
    const maxEntries = c.engine.config.streamNodeMaxEntries;
    const limit = maxEntries <= 10000 ? 100 * maxEntries : Number(BigInt.asIntN(64, 100n * BigInt(c.engine.config.values.get('stream-node-max-entries') ?? maxEntries)));
    args.limit = limit <= 0 ? 10000 : Math.min(limit, 1000000);
  } else args.limit = 0;
  return args;
}

/** streamRewriteApproxSpecifier + streamRewriteTrimArgument: `~ n` is logged as `= <resulting length or first ID>`. */
function rewriteTrim(s: StreamObject, args: AddTrimArgs, argv: Arg[]): void {
  argv[args.trimArgIdx - 1] = '=';
  argv[args.trimArgIdx] =
    args.strategy === TRIM_STRATEGY_MAXLEN ? String(s.length) : streamIDReply(streamGetEdgeID(s, true, false));
}

// ---- commands --------------------------------------------------------------------------------------------

/** XADD key [NOMKSTREAM] [(MAXLEN | MINID) [= | ~] threshold [LIMIT count]] (* | id) field value [field value ...] */
function xaddCommand(c: Client, argv: Arg[]): Reply {
  let args: AddTrimArgs | null = null;
  let idPos = 2;
  let useId: StreamID | null = null;
  let seqGiven = true;
  if (argv[2] !== '*') {
    args = streamParseAddOrTrimArgs(c, argv, true);
    idPos = args.idPos;
    useId = args.id;
    seqGiven = args.seqGiven;
  }
  const fieldPos = idPos + 1;
  const nargs = argv.length - fieldPos;
  if (nargs < 2 || nargs % 2 === 1) throw wrongArityErr('xadd');
  if (useId !== null && seqGiven && streamIDEqZero(useId)) throw streamXaddIdZeroErr();

  const db = c.db;
  const key = toKey(argv[1]!);
  const s = streamTypeLookupWriteOrCreate(c, key, args !== null && args.noMkstream);
  if (s === undefined) return null;
  if (isMaxID(s.lastId)) throw streamExhaustedErr();

  const r = streamAppendItem(s, argv, fieldPos, nargs / 2, useId, seqGiven, useId === null ? c.engine.now : 0, c.engine.config);
  if (r !== APPEND_OK) {
    // streamAppendItem's seq overflow ("ms-*" after ms-18446744073709551615) sets no errno: Redis
    // reads a stale one, never EDOM by then (the socket reads set EAGAIN), so "too large".
    if (r === APPEND_EDOM) throw streamXaddIdSmallErr();
    throw streamElementsTooLargeErr();
  }
  const id = addedId;
  const idStr = streamIDReply(id);
  const engine = c.engine;
  engine.signalModifiedKey(db, key);
  engine.notifyKeyspaceEvent(NOTIFY_STREAM, 'xadd', key, db.id);
  engine.dirty++;

  let logged: Arg[] | null = null;
  if (args !== null && args.strategy !== TRIM_STRATEGY_NONE) {
    if (streamTrim(s, args)) engine.notifyKeyspaceEvent(NOTIFY_STREAM, 'xtrim', key, db.id);
    if (args.approx) {
      logged = argv.slice();
      rewriteTrim(s, args, logged);
    }
  }
  if ((useId === null || !seqGiven) && engine.onPropagate !== null) {
    // The generated ID is logged (only built when something logs: the fast path of XADD *).
    logged ??= argv.slice();
    logged[idPos] = idStr;
  }
  if (logged !== null) c.rewriteArgv(logged);
  signalKeyAsReady(db, key, s);
  return idStr;
}

/** XTRIM key (MAXLEN | MINID) [= | ~] threshold [LIMIT count] */
function xtrimCommand(c: Client, argv: Arg[]): Reply {
  const args = streamParseAddOrTrimArgs(c, argv, false);
  const key = toKey(argv[1]!);
  const s = asType<StreamObject>(c.db.lookupKeyWrite(key), 'stream');
  if (s === undefined) return 0;
  const deleted = streamTrim(s, args);
  if (deleted) {
    c.engine.notifyKeyspaceEvent(NOTIFY_STREAM, 'xtrim', key, c.db.id);
    if (args.approx) {
      const logged = argv.slice();
      rewriteTrim(s, args, logged);
      c.rewriteArgv(logged);
    }
    c.engine.signalModifiedKey(c.db, key);
    c.engine.dirty += deleted;
  }
  return deleted;
}

/** XRANGE key start end [COUNT count] / XREVRANGE key end start [COUNT count] */
function xrangeGenericCommand(c: Client, argv: Arg[], rev: boolean): Reply {
  const startArg = rev ? argv[3]! : argv[2]!;
  const endArg = rev ? argv[2]! : argv[3]!;
  const start = streamParseIntervalID(startArg, 0);
  let startId: StreamID = start.id;
  if (start.exclusive) {
    const next = streamIncrID(startId);
    if (next === null) throw streamInvalidStartErr();
    startId = next;
  }
  const end = streamParseIntervalID(endArg, UINT64_MAX);
  let endId: StreamID = end.id;
  if (end.exclusive) {
    const prev = streamDecrID(endId);
    if (prev === null) throw streamInvalidEndErr();
    endId = prev;
  }
  let count = -1;
  for (let j = 4; j < argv.length; j++) {
    const additional = argv.length - j - 1;
    if (optionIs(argv[j]!, 'count') && additional >= 1) {
      count = parseLongLong(argv[j + 1]!);
      if (count < 0) count = 0;
      j++;
    } else throw syntaxErr();
  }
  const s = asType<StreamObject>(c.db.lookupKeyRead(toKey(argv[1]!)), 'stream');
  if (s === undefined) return [];
  if (count === 0) return NULL_ARRAY;
  return streamReplyWithRange(c, s, startId, endId, count === -1 ? 0 : count, rev, null, null, 0, null);
}

function xrangeCommand(c: Client, argv: Arg[]): Reply {
  return xrangeGenericCommand(c, argv, false);
}

function xrevrangeCommand(c: Client, argv: Arg[]): Reply {
  return xrangeGenericCommand(c, argv, true);
}

/** XLEN key */
function xlenCommand(c: Client, argv: Arg[]): Reply {
  const s = asType<StreamObject>(c.db.lookupKeyRead(toKey(argv[1]!)), 'stream');
  return s === undefined ? 0 : s.length;
}

/** XDEL key id [id ...] */
function xdelCommand(c: Client, argv: Arg[]): Reply {
  const key = toKey(argv[1]!);
  const s = asType<StreamObject>(c.db.lookupKeyWrite(key), 'stream');
  if (s === undefined) return 0;
  const ids: StreamID[] = [];
  for (let j = 2; j < argv.length; j++) ids.push(streamParseStrictID(argv[j]!, 0));
  let deleted = 0;
  let firstEntry = false;
  for (const id of ids) {
    if (streamDeleteEntry(s, id)) {
      if (streamCompareID(id, s.firstId) === 0) firstEntry = true;
      if (streamCompareID(id, s.maxDeletedEntryId) > 0) s.maxDeletedEntryId = id;
      deleted++;
    }
  }
  if (deleted) {
    if (s.length === 0) s.firstId = STREAM_ID_MIN;
    else if (firstEntry) s.firstId = streamGetEdgeID(s, true, true);
    c.engine.signalModifiedKey(c.db, key);
    c.engine.notifyKeyspaceEvent(NOTIFY_STREAM, 'xdel', key, c.db.id);
    c.engine.dirty += deleted;
  }
  return deleted;
}

/** XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id] */
function xsetidCommand(c: Client, argv: Arg[]): Reply {
  const id = streamParseStrictID(argv[2]!, 0);
  let entriesAdded: Int64 = -1;
  let maxXdelId: StreamID = STREAM_ID_MIN;
  for (let i = 3; i < argv.length; ) {
    const moreargs = argv.length - 1 - i;
    const opt = argv[i]!;
    if (optionIs(opt, 'entriesadded') && moreargs) {
      const v = string2ll(typeof argv[i + 1] === 'string' ? (argv[i + 1] as string) : argLatin1(argv[i + 1]!));
      if (v === null) throw notIntegerErr();
      if (v < 0) throw xsetidEntriesAddedNegativeErr();
      entriesAdded = v;
      i += 2;
    } else if (optionIs(opt, 'maxdeletedid') && moreargs) {
      maxXdelId = streamParseStrictID(argv[i + 1]!, 0);
      if (streamCompareID(id, maxXdelId) < 0) throw xsetidMaxDeletedErr();
      i += 2;
    } else throw syntaxErr();
  }
  const key = toKey(argv[1]!);
  const s = asType<StreamObject>(c.db.lookupKeyWrite(key), 'stream');
  if (s === undefined) throw noSuchKeyErr();
  if (s.length > 0) {
    if (streamCompareID(id, streamLastValidID(s)) < 0) throw xsetidSmallErr();
    if (entriesAdded !== -1 && s.length > entriesAdded) throw xsetidEntriesAddedSmallErr();
  }
  s.lastId = id;
  if (entriesAdded !== -1) s.entriesAdded = typeof entriesAdded === 'number' ? entriesAdded : toU64(entriesAdded);
  if (!streamIDEqZero(maxXdelId)) s.maxDeletedEntryId = maxXdelId;
  c.engine.dirty++;
  c.engine.notifyKeyspaceEvent(NOTIFY_STREAM, 'xsetid', key, c.db.id);
  // No signalModifiedKey: Redis 7.0's XSETID leaves WATCH alone (as XREADGROUP does).
  return OK;
}

/** XREAD and XREADGROUP block with this count when they were given none. */
const XREAD_BLOCKED_DEFAULT_COUNT = 1000;
const XREAD_TIMEOUT_REPLY = NULL_ARRAY;

/**
 * XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
 * XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key [key ...] id [id ...]
 *
 * One function, as in Redis (xreadCommand). A blocked one runs again when a key it waits on is
 * ready (blocked.ts); it then does what serveClientsBlockedOnStreamKey does for that key only.
 */
function xreadCommand(c: Client, argv: Arg[]): Reply {
  const xreadgroup = argLength(argv[0]!) === 10;
  c.preventCommandPropagation(); // XREADGROUP is logged through its effects
  let blockGiven = false;
  let deadline = 0;
  let count = 0;
  let streamsArg = 0;
  let streamsCount = 0;
  let noack = false;
  let groupname: Arg | null = null;
  let consumername: Arg | null = null;
  for (let i = 1; i < argv.length; i++) {
    const moreargs = argv.length - i - 1;
    const o = argv[i]!;
    if (optionIs(o, 'block') && moreargs) {
      i++;
      deadline = getTimeoutFromArg(c, argv[i]!, 'milliseconds');
      blockGiven = true;
    } else if (optionIs(o, 'count') && moreargs) {
      i++;
      count = parseLongLong(argv[i]!);
      if (count < 0) count = 0;
    } else if (optionIs(o, 'streams') && moreargs) {
      streamsArg = i + 1;
      streamsCount = argv.length - streamsArg;
      if (streamsCount % 2 !== 0) throw xreadUnbalancedErr();
      streamsCount /= 2;
      break;
    } else if (optionIs(o, 'group') && moreargs >= 2) {
      if (!xreadgroup) throw xreadGroupOptionErr();
      groupname = argv[i + 1]!;
      consumername = argv[i + 2]!;
      i += 2;
    } else if (optionIs(o, 'noack')) {
      if (!xreadgroup) throw xreadNoackOptionErr();
      noack = true;
    } else throw syntaxErr();
  }
  if (streamsArg === 0) throw syntaxErr();
  if (xreadgroup && groupname === null) throw xreadgroupMissingGroupErr();

  const db = c.db;
  const reprocessing = c.blocked !== null;
  const ids: StreamID[] = new Array(streamsCount);
  const groups: (StreamCG | undefined)[] | null = groupname !== null ? new Array(streamsCount) : null;
  const groupKey = groupname !== null ? toKey(groupname) : '';
  let dollars: number[] | null = null;
  for (let i = streamsArg + streamsCount; i < argv.length; i++) {
    const idx = i - streamsArg - streamsCount;
    const keyArg = argv[i - streamsCount]!;
    let s: StreamObject | undefined;
    if (!reprocessing) {
      s = asType<StreamObject>(db.lookupKeyRead(toKey(keyArg)), 'stream');
      if (groups !== null) {
        const cg = s === undefined ? undefined : streamLookupCG(s, groupKey);
        if (cg === undefined) throw xreadgroupNoGroupErr(argLatin1(keyArg), argLatin1(groupname!));
        groups[idx] = cg;
      }
    }
    const idArg = cstr(argv[i]!);
    if (idArg === '$') {
      if (xreadgroup) throw xreadgroupDollarErr();
      ids[idx] = s !== undefined ? s.lastId : STREAM_ID_MIN;
      (dollars ??= []).push(i);
      continue;
    } else if (idArg === '>') {
      if (!xreadgroup) throw xreadGreaterIdErr();
      ids[idx] = STREAM_ID_MAX;
      continue;
    }
    ids[idx] = streamParseStrictID(argv[i]!, 0);
  }

  if (reprocessing) return serveBlockedStreamKey(c, argv, streamsArg, streamsCount, ids, groupname, consumername, count, noack);

  // Try to serve the client synchronously.
  const served: Reply[] = [];
  for (let i = 0; i < streamsCount; i++) {
    const keyArg = argv[streamsArg + i]!;
    const key = toKey(keyArg);
    const s = asType<StreamObject>(db.lookupKeyRead(key), 'stream');
    if (s === undefined) continue;
    let gt = ids[i]!;
    let serveSynchronously = false;
    let serveHistory = false;
    if (groups !== null) {
      if (!isMaxID(gt)) {
        serveSynchronously = true;
        serveHistory = true;
      } else if (s.length) {
        const last = groups[i]!.lastId;
        if (streamCompareID(streamLastValidID(s), last) > 0) {
          serveSynchronously = true;
          gt = last;
        }
      }
    } else if (s.length) {
      if (streamCompareID(streamLastValidID(s), gt) > 0) serveSynchronously = true;
    }
    if (!serveSynchronously) continue;
    const start = streamIncrID(gt) ?? gt;
    const spi: StreamPropInfo | null = groupname !== null ? { keyname: keyArg, groupname } : null;
    let consumer: StreamConsumer | null = null;
    const cg = groups !== null ? groups[i]! : null;
    if (cg !== null) {
      db.beforeInPlaceWrite(key); // the group changes (a read lookup: copy-on-write for a running snapshot)
      consumer = lookupOrCreateConsumer(c, cg, key, keyArg, groupname!, consumername!);
    }
    let flags = 0;
    if (noack) flags |= STREAM_RWR_NOACK;
    if (serveHistory) flags |= STREAM_RWR_HISTORY;
    const entries = streamReplyWithRange(c, s, start, null, count, false, cg, consumer, flags, spi);
    if (cg !== null) c.engine.dirty++;
    if (c.resp === 2) served.push([keyArg, entries]);
    else served.push(keyArg, entries);
  }
  if (served.length) return c.resp === 2 ? served : new MapReply(served);

  if (blockGiven) {
    if (c.denyBlocking) return XREAD_TIMEOUT_REPLY;
    if (dollars !== null) {
      // A blocked XREAD waits for entries after the last ID as of now: run again, "$" would move.
      const blockedArgv = argv.slice();
      for (const i of dollars) blockedArgv[i] = streamIDReply(ids[i - streamsArg - streamsCount]!);
      c.argv = blockedArgv;
    }
    const keys: KeyString[] = [];
    for (let i = 0; i < streamsCount; i++) keys.push(toKey(argv[streamsArg + i]!));
    return blockForKeys(c, keys, deadline, XREAD_TIMEOUT_REPLY, 'stream');
  }
  return XREAD_TIMEOUT_REPLY;
}

/** The consumer XREADGROUP reads as, created (and its creation logged) when new. */
function lookupOrCreateConsumer(c: Client, cg: StreamCG, key: KeyString, keyArg: Arg, groupname: Arg, consumername: Arg): StreamConsumer {
  const name = toKey(consumername);
  let consumer = streamLookupConsumer(cg, name, SLC_DEFAULT, c.engine.now);
  if (consumer === undefined) {
    consumer = streamCreateConsumer(cg, name, key, c.db, SCC_DEFAULT)!;
    // Redis logs the creation with NOACK only (else the XCLAIMs create the consumer); Lodis
    // always does, so that a consumer created by reading an empty history is logged too.
    streamPropagateConsumerCreation(c, keyArg, groupname, name);
  }
  return consumer;
}

/**
 * serveClientsBlockedOnStreamKey for one blocked XREAD/XREADGROUP and the key being served: the
 * entries after the ID it waits for (the group's last ID for XREADGROUP), or the timeout reply to
 * stay blocked. XREADGROUP ends with an error when its key or group is gone.
 */
function serveBlockedStreamKey(
  c: Client,
  argv: Arg[],
  streamsArg: number,
  streamsCount: number,
  ids: StreamID[],
  groupname: Arg | null,
  consumername: Arg | null,
  count: number,
  noack: boolean,
): Reply {
  const key = c.engine.blocking.servingKey;
  let idx = -1;
  for (let i = 0; i < streamsCount; i++) {
    if (toKey(argv[streamsArg + i]!) === key) {
      idx = i;
      break;
    }
  }
  if (key === null || idx < 0) return XREAD_TIMEOUT_REPLY;
  const o = c.db.lookupKeyRead(key, LOOKUP_NONOTIFY | LOOKUP_NOSTATS);
  if (o === undefined || typeof o !== 'object' || o instanceof Uint8Array || o.type !== 'stream') {
    return groupname !== null ? xreadgroupKeyDeletedErr() : XREAD_TIMEOUT_REPLY;
  }
  const s = o as StreamObject;
  let gt = ids[idx]!;
  let group: StreamCG | null = null;
  if (groupname !== null) {
    group = streamLookupCG(s, toKey(groupname)) ?? null;
    if (group === null) return xreadgroupGroupDestroyedErr();
    gt = group.lastId;
  }
  if (streamCompareID(s.lastId, gt) <= 0) return XREAD_TIMEOUT_REPLY;
  const start = streamIncrID(gt) ?? gt;
  const keyArg = argv[streamsArg + idx]!;
  let consumer: StreamConsumer | null = null;
  if (group !== null) {
    c.db.beforeInPlaceWrite(key);
    consumer = lookupOrCreateConsumer(c, group, key, keyArg, groupname!, consumername!);
  }
  const spi: StreamPropInfo | null = groupname !== null ? { keyname: keyArg, groupname } : null;
  const entries = streamReplyWithRange(
    c,
    s,
    start,
    null,
    count || XREAD_BLOCKED_DEFAULT_COUNT,
    false,
    group,
    consumer,
    noack ? STREAM_RWR_NOACK : 0,
    spi,
  );
  return c.resp === 2 ? [[keyArg, entries]] : new MapReply([keyArg, entries]);
}

export const streamCommands: CommandHandlers = {
  xadd: xaddCommand,
  xrange: xrangeCommand,
  xrevrange: xrevrangeCommand,
  xlen: xlenCommand,
  xdel: xdelCommand,
  xtrim: xtrimCommand,
  xsetid: xsetidCommand,
  xread: xreadCommand,
  xreadgroup: xreadCommand,
};

// ---- snapshots -----------------------------------------------------------------------------------------

/** A uint64 as an int64 (two's complement past 2^63). */
function writeU64(w: ByteWriter, v: U64): void {
  w.i64(typeof v === 'number' ? v : BigInt.asIntN(64, v));
}

function readU64(r: ByteReader): U64 {
  const v = r.i64();
  if (typeof v === 'number') return v >= 0 ? v : toU64(BigInt(v) + TWO_64);
  return v >= 0n ? toU64(v) : toU64(v + TWO_64);
}

function writeID(w: ByteWriter, id: StreamID): void {
  writeU64(w, id.ms);
  writeU64(w, id.seq);
}

function readID(r: ByteReader): StreamID {
  const ms = readU64(r);
  return { ms, seq: readU64(r) };
}

/** A uint64 after `prev`: varint(delta × 2) when small and forward, else 1 and the value. */
function writeU64After(w: ByteWriter, prev: U64, v: U64): void {
  if (typeof v === 'number' && typeof prev === 'number' && v >= prev) w.varint((v - prev) * 2);
  else {
    w.u8(1);
    writeU64(w, v);
  }
}

function readU64After(r: ByteReader, prev: U64): U64 {
  const x = r.varint();
  if (x === 1) return readU64(r);
  return (prev as number) + x / 2;
}

function writeValue(w: ByteWriter, v: StringValue): void {
  if (typeof v === 'string') w.taggedText(v, 0);
  else if (typeof v === 'number') w.taggedText(String(v), 0);
  else w.taggedBytes(v, 1);
}

function readValue(r: ByteReader): StringValue {
  const t = r.tag();
  return t.flag === 0 ? r.text(t.length) : r.bytes(t.length);
}

function writeName(w: ByteWriter, k: KeyString): void {
  if (k.charCodeAt(0) === 0xdc00) w.taggedBytes(latin1ToBytes(k.slice(1)), 1);
  else w.taggedText(k, 0);
}

function readName(r: ByteReader): KeyString {
  const t = r.tag();
  return t.flag === 0 ? r.text(t.length) : toKey(r.bytes(t.length));
}

/**
 * The snapshot of a stream (rdb code 7): the stream's counters, every node (entries with their
 * flags, deleted ones included: they hold the node boundaries and sizes), and the groups with
 * their PELs (delivery time and count), consumers (seen time) and consumer PELs (IDs sharing the
 * group's NACKs).
 */
export function writeStreamObject(w: ByteWriter, s: StreamObject): void {
  w.varint(s.length);
  writeID(w, s.lastId);
  writeID(w, s.firstId);
  writeID(w, s.maxDeletedEntryId);
  writeU64(w, s.entriesAdded);
  w.varint(s.radixTreeKeys);
  for (let ni = firstNode(s); ni >= 0; ni = nextNode(s, ni)) {
    const node = s.nodes[ni]!;
    const n = node.length;
    w.varint(n);
    w.varint(node.masterFields.length);
    for (const f of node.masterFields) writeValue(w, f);
    let prevMs: U64 = 0;
    let prevSeq: U64 = 0;
    for (let i = 0; i < n; i++) {
      const flags = node.flags(i);
      w.u8(flags);
      writeU64After(w, prevMs, node.ms[i]!);
      writeU64After(w, prevMs === node.ms[i] ? prevSeq : 0, node.seq[i]!);
      prevMs = node.ms[i]!;
      prevSeq = node.seq[i]!;
      const start = node.start(i);
      const end = node.end(i);
      if (!(flags & STREAM_ITEM_FLAG_SAMEFIELDS)) w.varint((end - start) / 2);
      for (let k = start; k < end; k++) writeValue(w, node.vals[k]!);
    }
  }
  w.varint(s.cgroups.size);
  for (const [name, cg] of s.cgroups) {
    writeName(w, name);
    writeID(w, cg.lastId);
    w.i64(cg.entriesRead);
    w.varint(cg.pel.size);
    for (const [id, nack] of cg.pel.iterate()) {
      writeID(w, id);
      w.i64(nack.deliveryTime);
      writeU64(w, nack.deliveryCount);
    }
    w.varint(cg.consumers.size);
    for (const [cname, consumer] of cg.consumers) {
      writeName(w, cname);
      w.i64(consumer.seenTime);
      w.varint(consumer.pel.size);
      for (const [id] of consumer.pel.iterate()) writeID(w, id);
    }
  }
}

export function readStreamObject(r: ByteReader): StreamObject {
  const s = new StreamObject();
  s.length = r.varint();
  s.lastId = readID(r);
  s.firstId = readID(r);
  s.maxDeletedEntryId = readID(r);
  s.entriesAdded = readU64(r);
  const nodeCount = r.varint();
  for (let j = 0; j < nodeCount; j++) {
    const n = r.varint();
    const nfields = r.varint();
    const masterFields: StringValue[] = [];
    for (let k = 0; k < nfields; k++) masterFields.push(readValue(r));
    const node = new StreamNode(masterFields);
    let bytes = LP_EMPTY_BYTES + lpIntSize(nfields) + 2;
    for (const f of masterFields) bytes += lpArgSize(f);
    let prevMs: U64 = 0;
    let prevSeq: U64 = 0;
    for (let i = 0; i < n; i++) {
      const flags = r.u8();
      const ms = readU64After(r, prevMs);
      const seq = readU64After(r, prevMs === ms ? prevSeq : 0);
      prevMs = ms;
      prevSeq = seq;
      const same = (flags & STREAM_ITEM_FLAG_SAMEFIELDS) !== 0;
      const numfields = same ? nfields : r.varint();
      const width = same ? numfields : numfields * 2;
      node.meta.push(node.vals.length * 4 + flags);
      let eb = 2 + lpIntSize(u64Delta(ms, i === 0 ? ms : node.ms[0]!)) + lpIntSize(u64Delta(seq, i === 0 ? seq : node.seq[0]!));
      if (!same) eb += lpIntSize(numfields);
      for (let k = 0; k < width; k++) {
        const v = readValue(r);
        node.vals.push(v);
        eb += lpArgSize(v);
      }
      eb += lpIntSize(same ? numfields + 3 : numfields * 2 + 4);
      bytes += eb;
      if (i !== 0 && cmpRaw(node.ms[i - 1]!, node.seq[i - 1]!, { ms, seq }) >= 0) node.sorted = false;
      node.ms.push(ms);
      node.seq.push(seq);
      if (flags & STREAM_ITEM_FLAG_DELETED) node.deleted++;
      else node.count++;
    }
    node.bytes = bytes;
    pushNode(s, node);
  }
  const ngroups = r.varint();
  for (let g = 0; g < ngroups; g++) {
    const name = readName(r);
    const lastId = readID(r);
    const entriesRead = r.i64();
    const cg = streamCreateCG(s, name, lastId, entriesRead)!;
    const npel = r.varint();
    for (let k = 0; k < npel; k++) {
      const id = readID(r);
      const deliveryTime = Number(r.i64());
      const deliveryCount = readU64(r);
      cg.pel.set(id, { deliveryTime, deliveryCount, consumer: null as unknown as StreamConsumer });
    }
    const nconsumers = r.varint();
    for (let k = 0; k < nconsumers; k++) {
      const cname = readName(r);
      const seenTime = Number(r.i64());
      const consumer: StreamConsumer = { name: cname, seenTime, pel: new StreamPEL() };
      cg.consumers.set(cname, consumer);
      const n = r.varint();
      for (let m = 0; m < n; m++) {
        const id = readID(r);
        const nack = cg.pel.get(id);
        if (nack === undefined) throw new Error('stream snapshot: a consumer PEL entry is not in its group PEL');
        nack.consumer = consumer;
        consumer.pel.set(id, nack);
      }
    }
  }
  return s;
}

/**
 * Everything a stream holds, as text (test-helpers' TYPE_DUMPERS): counters, node boundaries,
 * entries (deleted ones flagged), groups and consumers in name order, PELs with delivery times and
 * counts. Not the consumers' seen times: they are not logged (Redis does not log them either).
 */
export function dumpStream(s: StreamObject): string {
  const id = streamIDReply;
  const v = (x: StringValue) => (typeof x === 'string' ? `t:${x}` : typeof x === 'number' ? `i:${x}` : `b:${Array.from(x, (b) => b.toString(16).padStart(2, '0')).join('')}`);
  const nodes: unknown[] = [];
  for (let ni = firstNode(s); ni >= 0; ni = nextNode(s, ni)) {
    const node = s.nodes[ni]!;
    const entries: unknown[] = [];
    for (let i = 0; i < node.length; i++) {
      entries.push([node.flags(i), `${node.ms[i]}-${node.seq[i]}`, node.fieldsAndValues(i).map(v)]);
    }
    nodes.push({ count: node.count, deleted: node.deleted, bytes: node.lpBytes(), entries });
  }
  const byName = (a: [KeyString, unknown], b: [KeyString, unknown]) => {
    const x = keyLatin1(a[0]);
    const y = keyLatin1(b[0]);
    return x < y ? -1 : x > y ? 1 : 0;
  };
  const groups = [...s.cgroups].sort(byName).map(([name, cg]) => ({
    name,
    lastId: id(cg.lastId),
    entriesRead: String(cg.entriesRead),
    pel: [...cg.pel.iterate()].map(([pid, n]) => [id(pid), n.deliveryTime, String(n.deliveryCount), n.consumer.name]),
    consumers: [...cg.consumers].sort(byName).map(([cname, consumer]) => [cname, [...consumer.pel.iterate()].map(([pid]) => id(pid))]),
  }));
  return JSON.stringify({
    length: s.length,
    lastId: id(s.lastId),
    firstId: id(s.firstId),
    maxDeletedEntryId: id(s.maxDeletedEntryId),
    entriesAdded: String(s.entriesAdded),
    nodes,
    groups,
  });
}
