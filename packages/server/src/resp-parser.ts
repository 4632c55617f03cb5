/**
 * Reading requests from a connection's query buffer (networking.c processInputBuffer,
 * processMultibulkBuffer, processInlineBuffer), with Redis 7.0's limits and `Protocol error`s.
 *
 * A request is RESP's array of bulk strings (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) or, when the
 * first byte is not `*`, an inline command: one line split as sdssplitargs splits it
 * (`SET k "a b"\r\n`, what telnet and `redis-cli` piped input send).
 *
 * An argument becomes what the engine takes (sds.ts `Arg`): text when its bytes are valid UTF-8
 * (ASCII is read with no decoding at all), else the bytes. A bulk of 32 KB or more is read into a
 * buffer of its own size as it arrives (Redis' PROTO_MBULK_BIG_ARG), so a 500 MB value costs one
 * copy, not one per packet.
 *
 * Limits, as Redis checks them: a line (inline request, `*<count>`, `$<len>`) longer than 64 KB
 * without its terminator; a count over INT_MAX or a length over `proto-max-bulk-len`; before
 * AUTH (when a password is set) more than 10 arguments or a bulk over 16 KB. Past a limit the
 * parser returns a ProtocolError: the connection replies with it and closes, as Redis does. The
 * query buffer's own bound (`client-query-buffer-limit`) is the connection's to check.
 *
 * Redis finds a line's end with strchr on its NUL-terminated query buffer, so a NUL byte before
 * the `\n` of an inline request or the `\r` of a `*`/`$` line hides the end: the request never
 * completes, and the line runs into the 64 KB limit. lineEnd reads lines the same way.
 */
import { commandArg, splitArgBytes } from '@lodis/core/redis-cli';
import type { CommandArg } from '@lodis/core';

/** PROTO_INLINE_MAX_SIZE: the longest line looked at without finding its end. */
export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
/** PROTO_MBULK_BIG_ARG: bulks this long get a buffer of their own. */
const PROTO_MBULK_BIG_ARG = 32 * 1024;
const INT_MAX = 2147483647;
const CR = 13;
const LF = 10;

/** A malformed request: Redis replies `-ERR <message>` and closes the connection. */
export class ProtocolError {
  constructor(readonly message: string) {}
}

/** What the parser needs to know about the connection for each request. */
export interface ParseLimits {
  /** proto-max-bulk-len */
  maxBulkLen: number;
  /** Authentication is required (a password is set and this connection has not given it). */
  authRequired: boolean;
}

const EMPTY = Buffer.alloc(0);
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

// Buffer#toString checks its arguments and dispatches on the encoding: the slice it calls is the
// cost that matters for an argument of a few bytes (Node, Deno and Bun all have latin1Slice).
const latin1Slice: (this: Buffer, start: number, end: number) => string =
  (Buffer.prototype as unknown as { latin1Slice?: (start: number, end: number) => string }).latin1Slice ??
  function (this: Buffer, start: number, end: number) {
    return this.toString('latin1', start, end);
  };

/** An argument's bytes as the engine takes them: text if valid UTF-8 (no copy for ASCII), else bytes. */
export function argOf(buf: Buffer, start: number, end: number): string | Uint8Array {
  let ascii = true;
  if (end - start <= 64) {
    // Short arguments (names, keys, small values): a byte loop beats a regex over a new string.
    for (let i = start; i < end; i++) {
      if (buf[i]! > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) return latin1Slice.call(buf, start, end);
  } else {
    const s = latin1Slice.call(buf, start, end);
    if (!NON_ASCII.test(s)) return s;
  }
  const bytes = buf.subarray(start, end);
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return Uint8Array.prototype.slice.call(bytes);
  }
}

/**
 * A request's first argument, the command name: the same few names come again and again, so the
 * string made for a name is kept (64 slots by a hash of its bytes) and given again when the bytes
 * match. One string per name also means its hash is computed once by the command table's lookup.
 */
const names: (string | undefined)[] = new Array(64);
function commandName(buf: Buffer, start: number, end: number): string | Uint8Array {
  const len = end - start;
  if (len > 24) return argOf(buf, start, end);
  let h = len;
  for (let i = start; i < end; i++) h = (h * 31 + (buf[i]! | 0x20)) & 63;
  const known = names[h];
  if (known !== undefined && known.length === len) {
    let i = 0;
    while (i < len && known.charCodeAt(i) === buf[start + i]) i++;
    if (i === len) return known;
  }
  const arg = argOf(buf, start, end);
  if (typeof arg === 'string') names[h] = arg;
  return arg;
}

/**
 * string2ll over bytes: an optional '-', then digits with no leading zero (or a lone "0"),
 * within int64; anything else (spaces, '+', empty) is not a number. NaN when not.
 */
function parseLength(buf: Buffer, start: number, end: number): number {
  const len = end - start;
  if (len === 0 || len > 20) return NaN;
  let i = start;
  let negative = false;
  if (buf[i] === 0x2d) {
    negative = true;
    i++;
    if (i === end) return NaN;
  }
  if (buf[i] === 0x30) return i + 1 === end && !negative ? 0 : NaN;
  let v = 0;
  for (; i < end; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return NaN;
    v = v * 10 + d;
  }
  // Past 2^53 the value is not exact, but every limit it is compared with is far below that.
  if (v > 9223372036854775807) return NaN;
  return negative ? -v : v;
}

/** strchr(buf + from, byte): where `byte` is, or -1 when it is not there or a NUL comes first. */
function lineEnd(buf: Buffer, from: number, byte: number): number {
  // A loop, not Buffer#indexOf: the lines are a few bytes long and the call costs more than them.
  for (let i = from, n = buf.length; i < n; i++) {
    const c = buf[i]!;
    if (c === byte) return i;
    if (c === 0) return -1;
  }
  return -1;
}

export class RequestParser {
  private buf: Buffer = EMPTY;
  private pos = 0;
  /** Arguments still to read of the request being read (0: none started). */
  private multibulklen = 0;
  /** Length of the bulk being read, -1 when its `$` line is still to come. */
  private bulklen = -1;
  private argv: CommandArg[] = [];
  /** A big bulk being filled as it arrives, and how much of it has. */
  private big: Buffer | null = null;
  private bigFill = 0;

  /** Bytes received and not yet parsed (Redis' querybuf length, for client-query-buffer-limit). */
  get pending(): number {
    return this.buf.length - this.pos + (this.big === null ? 0 : this.bigFill);
  }

  /** Append bytes read from the connection. */
  feed(chunk: Buffer): void {
    if (this.big !== null) {
      const take = Math.min(chunk.length, this.big.length - this.bigFill);
      chunk.copy(this.big, this.bigFill, 0, take);
      this.bigFill += take;
      if (take === chunk.length) return;
      chunk = chunk.subarray(take);
    }
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
      this.pos = 0;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
      this.pos = 0;
    }
  }

  /**
   * The next complete request's arguments; null when more bytes are needed; a ProtocolError when
   * the input is malformed (the parser is then unusable: the connection closes). An empty
   * request (`*0`, `*-1`, a blank inline line) is skipped, as Redis skips it.
   */
  next(limits: ParseLimits): CommandArg[] | ProtocolError | null {
    for (;;) {
      if (this.big !== null) {
        const done = this.finishBigBulk();
        if (done === undefined) return null;
        if (done !== null) return done;
        continue;
      }
      if (this.pos >= this.buf.length) return null;
      const r = this.multibulklen === 0 && this.buf[this.pos] !== 0x2a ? this.inline() : this.multibulk(limits);
      if (r === null) return null;
      if (r instanceof ProtocolError) return r;
      if (r.length !== 0) return r;
    }
  }

  /** processInlineBuffer */
  private inline(): CommandArg[] | ProtocolError | null {
    const buf = this.buf;
    const nl = lineEnd(buf, this.pos, LF);
    if (nl === -1) {
      return buf.length - this.pos > PROTO_INLINE_MAX_SIZE ? new ProtocolError('Protocol error: too big inline request') : null;
    }
    const end = nl !== this.pos && buf[nl - 1] === CR ? nl - 1 : nl;
    const words = splitArgBytes(buf.toString('latin1', this.pos, end));
    if (words === null) return new ProtocolError('Protocol error: unbalanced quotes in request');
    this.pos = nl + 1;
    return words.map(commandArg);
  }

  /** processMultibulkBuffer */
  private multibulk(limits: ParseLimits): CommandArg[] | ProtocolError | null {
    const buf = this.buf;
    if (this.multibulklen === 0) {
      const cr = lineEnd(buf, this.pos, CR);
      if (cr === -1) {
        return buf.length - this.pos > PROTO_INLINE_MAX_SIZE ? new ProtocolError('Protocol error: too big mbulk count string') : null;
      }
      if (cr + 1 >= buf.length) return null; // the \n is still to come
      const n = parseLength(buf, this.pos + 1, cr);
      if (Number.isNaN(n) || n > INT_MAX) return new ProtocolError('Protocol error: invalid multibulk length');
      if (n > 10 && limits.authRequired) return new ProtocolError('Protocol error: unauthenticated multibulk length');
      this.pos = cr + 2;
      if (n <= 0) return [];
      this.multibulklen = n;
      this.argv = [];
    }
    while (this.multibulklen > 0) {
      if (this.bulklen === -1) {
        const cr = lineEnd(buf, this.pos, CR);
        if (cr === -1) {
          return buf.length - this.pos > PROTO_INLINE_MAX_SIZE ? new ProtocolError('Protocol error: too big bulk count string') : null;
        }
        if (cr + 1 >= buf.length) return null;
        if (buf[this.pos] !== 0x24) {
          return new ProtocolError(`Protocol error: expected '$', got '${String.fromCharCode(buf[this.pos]!)}'`);
        }
        const n = parseLength(buf, this.pos + 1, cr);
        if (Number.isNaN(n) || n < 0 || n > limits.maxBulkLen) return new ProtocolError('Protocol error: invalid bulk length');
        if (n > 16384 && limits.authRequired) return new ProtocolError('Protocol error: unauthenticated bulk length');
        this.pos = cr + 2;
        this.bulklen = n;
        if (n >= PROTO_MBULK_BIG_ARG && buf.length - this.pos < n + 2) {
          // Read the rest of this bulk into its own buffer as it arrives.
          this.big = Buffer.allocUnsafe(n + 2);
          this.bigFill = buf.copy(this.big, 0, this.pos);
          this.buf = EMPTY;
          this.pos = 0;
          const done = this.finishBigBulk();
          return done === undefined ? null : done;
        }
      }
      if (buf.length - this.pos < this.bulklen + 2) return null;
      const end = this.pos + this.bulklen;
      this.argv.push(this.argv.length === 0 ? commandName(buf, this.pos, end) : argOf(buf, this.pos, end));
      this.pos += this.bulklen + 2;
      this.bulklen = -1;
      this.multibulklen--;
    }
    return this.argv;
  }

  /**
   * A big bulk complete: it becomes an argument and parsing goes on with what followed it.
   * undefined while it is still filling; the request if it was the last argument; else null
   * after setting up to continue (the caller loops).
   */
  private finishBigBulk(): CommandArg[] | null | undefined {
    const big = this.big!;
    if (this.bigFill < big.length) return undefined;
    this.big = null;
    this.argv.push(argOf(big, 0, big.length - 2));
    this.bulklen = -1;
    this.multibulklen--;
    return this.multibulklen === 0 ? this.argv : null;
  }
}
