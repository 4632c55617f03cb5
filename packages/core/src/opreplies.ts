/**
 * Exactly-once retries: the replies of recent writes, by operation id.
 *
 * A front that forwards commands from another context (a follower tab to the leader) gives each
 * an operation id — its origin (the sending context) and a number. A write that logged effects
 * has its reply recorded here and in the log batch holding those effects (aof.ts), and snapshots
 * carry the table (rdb.ts), so after a leader change the new leader, having loaded both, answers
 * a resent command from the table instead of applying it a second time. A command that logged
 * nothing is not recorded: running it again is the same as running it late.
 *
 * The table keeps the most recent `capacity` to 2 × `capacity` replies: two generations of
 * `capacity`, the older dropped whole when the newer fills (evicting one entry at a time from the front of a
 * Map makes V8 scan its deleted slots on every insert). A resend follows a leader change within
 * moments, so only the tail of the log matters.
 */
import { BinaryReplyError, ReplyError } from './errors.js';
import { DoubleReply, MapReply, MultiReply, NULL_ARRAY, PushReply, SetReply, Status, type Reply } from './reply.js';
import { ByteReader, ByteWriter } from './rio.js';

export const DEFAULT_OP_REPLIES = 32_768;

export class OpReplies {
  /** `origin + ' ' + n` → the reply, encoded (encodeStoredReply): the newer and the older generation. */
  private young = new Map<string, Uint8Array>();
  private old = new Map<string, Uint8Array>();
  private readonly generation: number;

  constructor(readonly capacity = DEFAULT_OP_REPLIES) {
    this.generation = Math.max(1, capacity);
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  /** The recorded reply of op `n` from `origin`, or undefined. */
  get(origin: string, n: number): Reply | undefined {
    const k = opKey(origin, n);
    const b = this.young.get(k) ?? this.old.get(k);
    return b === undefined ? undefined : decodeStoredReply(b);
  }

  /** Record the (encoded) reply of op `n` from `origin`. */
  set(origin: string, n: number, reply: Uint8Array): void {
    if (this.young.size >= this.generation) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(opKey(origin, n), reply);
  }

  /** Every entry, oldest first, as [origin, n, encoded reply]. */
  *entries(): IterableIterator<[string, number, Uint8Array]> {
    for (const map of [this.old, this.young]) {
      for (const [k, v] of map) {
        const sp = k.lastIndexOf(' ');
        yield [k.slice(0, sp), Number(k.slice(sp + 1)), v];
      }
    }
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
  }
}

function opKey(origin: string, n: number): string {
  return origin + ' ' + n;
}

// ---- the stored form of a reply ----------------------------------------------------------------

const R_NULL = 0;
const R_NULL_ARRAY = 1;
const R_INT = 2;
const R_BIGINT = 3;
const R_TEXT = 4;
const R_BYTES = 5;
const R_STATUS = 6;
const R_ERROR = 7;
const R_ARRAY = 8;
const R_DOUBLE = 9;
const R_MAP = 10;
const R_SET = 11;
const R_PUSH = 12;
const R_MULTI = 13;
const R_BINARY_ERROR = 14;

/** A reply as bytes (for the log and snapshots): every Reply kind, text and bytes kept apart. */
export function encodeStoredReply(r: Reply, w: ByteWriter = new ByteWriter(16)): Uint8Array {
  writeReply(w, r);
  return w.result().slice();
}

function writeReply(w: ByteWriter, r: Reply): void {
  if (r === null) w.u8(R_NULL);
  else if (typeof r === 'number') {
    w.u8(R_INT);
    w.f64(r);
  } else if (typeof r === 'bigint') {
    w.u8(R_BIGINT);
    w.taggedText(String(r), 0);
  } else if (typeof r === 'string') {
    w.u8(R_TEXT);
    w.taggedText(r, 0);
  } else if (r instanceof Uint8Array) {
    w.u8(R_BYTES);
    w.taggedBytes(r, 0);
  } else if (Array.isArray(r)) {
    writeList(w, R_ARRAY, r);
  } else if (r instanceof Status) {
    w.u8(R_STATUS);
    w.taggedText(r.text, 0);
  } else if (r instanceof BinaryReplyError) {
    w.u8(R_BINARY_ERROR);
    w.taggedText(r.latin1, 0);
  } else if (r instanceof ReplyError) {
    w.u8(R_ERROR);
    w.taggedText(r.message, 0);
  } else if (r === NULL_ARRAY) w.u8(R_NULL_ARRAY);
  else if (r instanceof DoubleReply) {
    w.u8(R_DOUBLE);
    w.f64(r.value);
    w.taggedText(r.text, 0);
  } else if (r instanceof MapReply) writeList(w, R_MAP, r.flat);
  else if (r instanceof SetReply) writeList(w, R_SET, r.items);
  else if (r instanceof PushReply) writeList(w, R_PUSH, r.items);
  else if (r instanceof MultiReply) writeList(w, R_MULTI, r.replies);
  else throw new Error(`unknown reply ${String(r)}`);
}

function writeList(w: ByteWriter, tag: number, items: readonly Reply[]): void {
  w.u8(tag);
  w.varint(items.length);
  for (const x of items) writeReply(w, x);
}

/** encodeStoredReply's inverse. Throws on bytes it did not write (ShortReadError or Error). */
export function decodeStoredReply(b: Uint8Array): Reply {
  const r = new ByteReader(b, 0);
  const reply = readReply(r);
  if (r.remaining !== 0) throw new Error('bytes after a stored reply');
  return reply;
}

/** Reads one stored reply from `r` (for records that embed them). */
export function readReply(r: ByteReader): Reply {
  const tag = r.u8();
  switch (tag) {
    case R_NULL:
      return null;
    case R_NULL_ARRAY:
      return NULL_ARRAY;
    case R_INT:
      return r.f64();
    case R_BIGINT:
      return BigInt(r.text(r.tag().length));
    case R_TEXT:
      return r.text(r.tag().length);
    case R_BYTES:
      return r.bytes(r.tag().length);
    case R_STATUS:
      return new Status(r.text(r.tag().length));
    case R_ERROR:
      return new ReplyError(r.text(r.tag().length));
    case R_BINARY_ERROR:
      return new BinaryReplyError(r.text(r.tag().length));
    case R_DOUBLE: {
      const value = r.f64();
      return new DoubleReply(value, r.text(r.tag().length));
    }
    case R_ARRAY:
      return readList(r);
    case R_MAP:
      return new MapReply(readList(r));
    case R_SET:
      return new SetReply(readList(r));
    case R_PUSH:
      return new PushReply(readList(r));
    case R_MULTI:
      return new MultiReply(readList(r));
    default:
      throw new Error(`unknown stored reply tag ${tag}`);
  }
}

function readList(r: ByteReader): Reply[] {
  const n = r.varint();
  const out: Reply[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = readReply(r);
  return out;
}
