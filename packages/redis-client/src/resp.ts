/**
 * RESP on the client side (the protocol, kept apart from the connection that uses it):
 *
 * - `CommandWriter` encodes commands as a client sends them — `*N\r\n$len\r\narg\r\n…` — into one
 *   growing buffer, so every command of a tick leaves in one socket write (auto-pipelining).
 * - `ReplyParser` decodes the reply stream incrementally: a reply may be split across chunks at
 *   any byte; arrays being filled are kept on a stack, so only the element cut by a chunk boundary
 *   is read again, and the bytes of a long bulk string are gathered once, not re-joined per chunk.
 *
 * Replies decode as the in-process store's `call` / `callBuffer` return them (core's reply.ts
 * decodeReply / decodeReplyBuffer): bulk strings as UTF-8 text (lossy) or as bytes, status
 * replies as text, integers as numbers (bigint past 2^53), null bulk and null array as null,
 * errors as ReplyError (values inside arrays: EXEC). RESP3 types (after a caller's `HELLO 3`)
 * decode as the server sends the same reply in RESP2: maps as flat arrays, sets as arrays, doubles
 * and big numbers as their text, booleans as 1/0, attributes dropped; pushes (`>`) are reported as
 * pushes.
 */
import { Buffer } from 'node:buffer';
import { ReplyError, type CommandArg, type DecodedBuffer } from '@lodis/core';

const CR = 13;
const EMPTY = Buffer.alloc(0);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** An argument as it goes on the wire: text or bytes. */
function argText(a: CommandArg): string | Uint8Array {
  if (typeof a === 'string' || a instanceof Uint8Array) return a;
  // As the in-process store sends numbers (store.ts toEngineArg).
  if (typeof a === 'number') {
    if (Number.isFinite(a)) return String(a);
    if (Number.isNaN(a)) return 'nan';
    return a > 0 ? '+inf' : '-inf';
  }
  if (typeof a === 'bigint') return String(a);
  throw new TypeError(`Lodis: a command argument must be a string, number, bigint or Uint8Array, got ${typeof a}`);
}

/**
 * Commands encoded back to back into one buffer until `take()` hands the bytes over (one socket
 * write). Strings are sent as UTF-8 (a lone surrogate as U+FFFD, as the in-process store does).
 */
export class CommandWriter {
  private buf: Buffer = Buffer.allocUnsafe(1024);
  private len = 0;

  /** Bytes written and not taken yet. */
  get length(): number {
    return this.len;
  }

  /** Append `*N\r\n` then `$len\r\narg\r\n` per argument. Throws TypeError (writing nothing) on a bad argument. */
  write(argv: readonly CommandArg[]): void {
    const n = argv.length;
    const args = new Array<string | Uint8Array>(n);
    const sizes = new Array<number>(n);
    let total = 16;
    for (let i = 0; i < n; i++) {
      const a = argText(argv[i]!);
      const size = typeof a === 'string' ? (a.length < 64 && isAscii(a) ? a.length : Buffer.byteLength(a, 'utf8')) : a.byteLength;
      args[i] = a;
      sizes[i] = size;
      total += size + 16;
    }
    this.reserve(total);
    const buf = this.buf;
    let p = this.len;
    buf[p++] = 42; // '*'
    p = writeDecimal(buf, p, n);
    for (let i = 0; i < n; i++) {
      const a = args[i]!;
      const size = sizes[i]!;
      buf[p++] = 36; // '$'
      p = writeDecimal(buf, p, size);
      if (typeof a === 'string') {
        if (size === a.length && size < 64) for (let j = 0; j < size; j++) buf[p + j] = a.charCodeAt(j);
        else buf.write(a, p, size, 'utf8');
      } else buf.set(a, p);
      p += size;
      buf[p++] = CR;
      buf[p++] = 10;
    }
    this.len = p;
  }

  /** The bytes written so far, for one socket write; the writer starts a new buffer. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.len);
    // The socket may hold on to `out` until it is sent: never write into it again. The next
    // buffer is sized on this write: small ones come from Node's pool (no allocation per write).
    this.buf = Buffer.allocUnsafe(this.len < 2048 ? 1024 : Math.min(this.len, 1 << 20));
    this.len = 0;
    return out;
  }

  private reserve(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.len + extra, this.buf.length * 2));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

/** Write `n` (a non-negative integer) in decimal then CRLF at `p`; the position after it. */
function writeDecimal(buf: Buffer, p: number, n: number): number {
  if (n < 10) buf[p++] = 48 + n;
  else {
    const s = String(n);
    for (let i = 0; i < s.length; i++) buf[p++] = s.charCodeAt(i);
  }
  buf[p++] = CR;
  buf[p++] = 10;
  return p;
}

/** Encode one command on its own (tests, one-off writes). */
export function encodeCommand(argv: readonly CommandArg[]): Buffer {
  const w = new CommandWriter();
  w.write(argv);
  return w.take();
}

/** The reply stream is not RESP: the connection cannot go on (Redis' own wording for the server side). */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(`Protocol error: ${message}`);
    this.name = 'ProtocolError';
  }
}

/** An array (or map, set, push, attribute) being filled. */
interface Frame {
  readonly items: DecodedBuffer[];
  filled: number;
  /** RESP3 `>`: reported as a push. */
  readonly push: boolean;
  /** RESP3 `|`: attributes, dropped (they annotate the reply that follows). */
  readonly attribute: boolean;
}

/** Returned by readValue: the value is not complete in the buffer yet. */
const INCOMPLETE = Symbol('incomplete');
/** Returned by readValue: an aggregate was opened (its elements follow). */
const OPENED = Symbol('opened');

/** A complete reply: whether it is a RESP3 push, and whether its bulk strings were read as bytes. */
export type ReplyListener = (reply: DecodedBuffer, push: boolean, bytes: boolean) => void;

/**
 * Incremental RESP decoder. `feed` each chunk as it arrives; every complete reply goes to the
 * listener, in order. `buffers` is read when a reply starts: its bulk strings come as bytes
 * (fresh Uint8Array copies) instead of text.
 */
export class ReplyParser {
  /** Bulk strings of the replies that start from now on as bytes (set by the connection per command). */
  buffers = false;
  private current = false;
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** Chunks held while a value needs more bytes than have come: joined once there are enough. */
  private held: Buffer[] = [];
  private heldBytes = 0;
  private need = 0;
  private readonly stack: Frame[] = [];

  constructor(private readonly listener: ReplyListener) {}

  /** Forget everything received (a new connection). */
  reset(): void {
    this.buf = EMPTY;
    this.pos = 0;
    this.held = [];
    this.heldBytes = 0;
    this.need = 0;
    this.stack.length = 0;
  }

  /** Take in a chunk from the socket; throws ProtocolError when the stream is not RESP. */
  feed(chunk: Buffer): void {
    if (this.held.length !== 0) {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      if (this.heldBytes < this.need) return;
      chunk = Buffer.concat(this.held, this.heldBytes);
      this.held = [];
      this.heldBytes = 0;
    }
    this.buf = chunk;
    this.pos = 0;
    this.parse();
  }

  private parse(): void {
    const stack = this.stack;
    const buf = this.buf;
    while (this.pos < buf.length) {
      if (stack.length === 0) this.current = this.buffers;
      const start = this.pos;
      let v = this.readValue();
      if (v === INCOMPLETE) {
        // Keep what is left from the start of the cut value: it is read again with more bytes.
        this.pos = start;
        const rest = buf.subarray(start);
        this.held = [rest];
        this.heldBytes = rest.length;
        this.need = Math.max(this.need, rest.length + 1);
        return;
      }
      if (v === OPENED) continue;
      let push = false;
      // Place the value in the innermost open array; a filled array is a value for the one around it.
      for (;;) {
        const f = stack[stack.length - 1];
        if (f === undefined) {
          this.listener(v, push, this.current);
          break;
        }
        f.items[f.filled++] = v;
        if (f.filled < f.items.length) break;
        stack.pop();
        if (f.attribute) break;
        v = f.items;
        push = f.push;
      }
    }
    this.buf = EMPTY;
    this.pos = 0;
  }

  /** The value at `pos` (advancing past it), OPENED for a non-empty aggregate, or INCOMPLETE. */
  private readValue(): DecodedBuffer | typeof INCOMPLETE | typeof OPENED {
    const buf = this.buf;
    const p = this.pos;
    const eol = buf.indexOf(CR, p + 1);
    if (eol < 0 || eol + 1 >= buf.length) {
      this.need = 0;
      return INCOMPLETE;
    }
    const type = buf[p]!;
    const next = eol + 2;
    switch (type) {
      case 43: // '+' simple string
        this.pos = next;
        return buf.toString('utf8', p + 1, eol);
      case 45: // '-' error
        this.pos = next;
        return new ReplyError(buf.toString('utf8', p + 1, eol));
      case 58: // ':' integer
        this.pos = next;
        return parseInteger(buf, p + 1, eol);
      case 36: // '$' bulk string
      case 61: // '=' verbatim string (RESP3): "txt:" then the text
      case 33: {
        // '!' blob error (RESP3)
        const n = parseLength(buf, p + 1, eol);
        if (n < 0) {
          this.pos = next;
          return null;
        }
        const end = next + n;
        if (end + 2 > buf.length) {
          this.need = end + 2 - p;
          return INCOMPLETE;
        }
        this.pos = end + 2;
        if (type === 33) return new ReplyError(buf.toString('utf8', next, end));
        const from = type === 61 ? next + 4 : next;
        return this.current ? new Uint8Array(buf.subarray(from, end)) : buf.toString('utf8', from, end);
      }
      case 42: // '*' array
      case 37: // '%' map (RESP3): a flat array of keys and values
      case 126: // '~' set (RESP3)
      case 62: // '>' push (RESP3)
      case 124: {
        // '|' attribute (RESP3)
        let n = parseLength(buf, p + 1, eol);
        this.pos = next;
        if (n < 0) return null;
        if (type === 37 || type === 124) n *= 2;
        if (n === 0) return type === 124 ? OPENED : []; // an empty attribute annotates nothing
        this.stack.push({ items: new Array<DecodedBuffer>(n), filled: 0, push: type === 62, attribute: type === 124 });
        return OPENED;
      }
      case 95: // '_' null (RESP3)
        this.pos = next;
        return null;
      case 35: // '#' boolean (RESP3): as RESP2 sends it, 1 or 0
        this.pos = next;
        return buf[p + 1] === 116 ? 1 : 0;
      case 44: // ',' double (RESP3): its text, as RESP2 sends it
        this.pos = next;
        return this.current ? new Uint8Array(buf.subarray(p + 1, eol)) : buf.toString('latin1', p + 1, eol);
      case 40: // '(' big number (RESP3): its digits, as RESP2 sends it (a bulk string)
        this.pos = next;
        return this.current ? new Uint8Array(buf.subarray(p + 1, eol)) : buf.toString('latin1', p + 1, eol);
    }
    throw new ProtocolError(`unexpected reply type byte ${type} ('${String.fromCharCode(type)}')`);
  }
}

/** A RESP length (`$n`, `*n`): -1 for null. */
function parseLength(buf: Buffer, from: number, to: number): number {
  if (buf[from] === 45) return -1;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) throw new ProtocolError(`bad length '${buf.toString('latin1', from, to)}'`);
    n = n * 10 + d;
  }
  return n;
}

/** An integer reply: a number, or a bigint outside ±(2^53 - 1) as the in-process store gives. */
function parseInteger(buf: Buffer, from: number, to: number): number | bigint {
  const neg = buf[from] === 45;
  const digits = neg ? from + 1 : from;
  if (to - digits <= 15) {
    let n = 0;
    for (let i = digits; i < to; i++) n = n * 10 + (buf[i]! - 48);
    return neg ? -n : n;
  }
  const b = BigInt(buf.toString('latin1', from, to));
  return b >= MIN_SAFE && b <= MAX_SAFE ? Number(b) : b;
}
