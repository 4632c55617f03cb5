/**
 * Writing replies (networking.c addReply*): a Lodis `Reply` (core's reply.ts, independent of the
 * protocol) encoded as RESP2 or, after `HELLO 3`, RESP3, into one growing buffer per connection
 * that is handed to the socket once per batch of requests (Redis' client output buffer, written
 * in beforeSleep): a pipeline of 1,000 commands costs one write, not 1,000.
 *
 * | Reply        | RESP2                 | RESP3                 |
 * |--------------|-----------------------|-----------------------|
 * | null         | `$-1`                 | `_`                   |
 * | NULL_ARRAY   | `*-1`                 | `_`                   |
 * | DoubleReply  | bulk of its text      | `,<text>` (%.17g, inf)|
 * | MapReply     | flat array            | `%<pairs>`            |
 * | SetReply     | array                 | `~<n>`                |
 * | PushReply    | array                 | `><n>`                |
 * | MultiReply   | its replies in a row  | its replies in a row  |
 *
 * Text (a JS string reply, a status, an error message) goes out as its UTF-8 bytes; byte replies
 * as they are. An error's text had its newlines replaced where Redis replaces them (errors.ts).
 */
import { BinaryReplyError, DoubleReply, MapReply, MultiReply, NULL_ARRAY, OK, PushReply, ReplyError, SetReply, Status, VerbatimReply, type Reply } from '@lodis/core';

const INITIAL = 16 * 1024;
/** A buffer grown past this is dropped after it is flushed, not kept for the next batch. */
const KEEP_AT_MOST = 1024 * 1024;

export class ReplyWriter {
  private buf: Buffer = Buffer.allocUnsafe(INITIAL);
  private pos = 0;

  get length(): number {
    return this.pos;
  }

  /** What was written since the last take, as a Buffer of its own (the socket keeps it). */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.pos));
    this.pos = 0;
    if (this.buf.length > KEEP_AT_MOST) this.buf = Buffer.allocUnsafe(INITIAL);
    return out;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** ASCII protocol text (headers, integers, CRLF). */
  private ascii(s: string): void {
    const n = s.length;
    this.room(n);
    if (n > 32) {
      this.pos += this.buf.write(s, this.pos, 'latin1');
      return;
    }
    // A few bytes (`+OK\r\n`, `:12\r\n`): a loop costs less than Buffer#write's dispatch.
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  private text(prefix: string, s: string): void {
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    this.room(prefix.length + s.length * 3 + 2);
    this.pos += this.buf.write(prefix, this.pos, 'latin1');
    this.pos += this.buf.write(s, this.pos, 'utf8');
    this.buf[this.pos++] = 13;
    this.buf[this.pos++] = 10;
  }

  /** `<type><n>\r\n` for a non-negative n, written digit by digit (no string made). */
  private header(type: number, n: number): void {
    const buf = this.buf;
    buf[this.pos++] = type;
    if (n < 10) buf[this.pos++] = 0x30 + n;
    else {
      const digits = n < 100 ? 2 : n < 1000 ? 3 : n < 10000 ? 4 : Math.floor(Math.log10(n)) + 1;
      let at = this.pos + digits;
      this.pos = at;
      for (let v = n; at > this.pos - digits; v = Math.floor(v / 10)) buf[--at] = 0x30 + (v % 10);
    }
    buf[this.pos++] = 13;
    buf[this.pos++] = 10;
  }

  private bulkText(s: string): void {
    const len = s.length;
    if (len <= 64) {
      // Short text: if ASCII, its length is its byte length and it is copied char by char.
      this.room(len * 3 + 24);
      let ascii = true;
      for (let i = 0; i < len; i++) {
        if (s.charCodeAt(i) > 0x7f) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        this.header(0x24, len);
        const buf = this.buf;
        let p = this.pos;
        for (let i = 0; i < len; i++) buf[p++] = s.charCodeAt(i);
        buf[p++] = 13;
        buf[p++] = 10;
        this.pos = p;
        return;
      }
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.room(n + 24);
    this.header(0x24, n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
    this.buf[this.pos++] = 13;
    this.buf[this.pos++] = 10;
  }

  private bulkBytes(b: Uint8Array): void {
    this.room(b.length + 24);
    this.header(0x24, b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    this.buf[this.pos++] = 13;
    this.buf[this.pos++] = 10;
  }

  /**
   * One reply, or — should a reply have no encoding (a bug) — an error reply in its place, so a
   * connection's stream stays well formed and the server keeps running.
   */
  reply(r: Reply, resp: 2 | 3): void {
    const start = this.pos;
    try {
      this.write(r, resp);
    } catch (e) {
      this.pos = start;
      this.text('-', `ERR Lodis internal error: ${(e as Error)?.message ?? String(e)}`.replace(/[\r\n]+/g, ' '));
    }
  }

  /** One reply in the session's protocol. */
  write(r: Reply, resp: 2 | 3): void {
    if (typeof r === 'string') return this.bulkText(r);
    if (typeof r === 'number') {
      if (r >= 0 && r <= 0x7fffffff && Number.isInteger(r)) {
        this.room(16);
        return this.header(0x3a, r);
      }
      return this.ascii(`:${r}\r\n`);
    }
    if (typeof r === 'bigint') return this.ascii(`:${r}\r\n`);
    if (r === null) return this.ascii(resp === 2 ? '$-1\r\n' : '_\r\n');
    if (r instanceof Uint8Array) return this.bulkBytes(r);
    if (Array.isArray(r)) return this.aggregate('*', r, resp);
    if (r === OK) return this.ascii('+OK\r\n');
    if (r instanceof Status) return this.text('+', r.text);
    if (r instanceof ReplyError) {
      if (r instanceof BinaryReplyError) {
        this.ascii('-');
        return this.ascii(`${r.latin1}\r\n`);
      }
      return this.text('-', r.message);
    }
    if (r === NULL_ARRAY) return this.ascii(resp === 2 ? '*-1\r\n' : '_\r\n');
    if (r instanceof DoubleReply) return resp === 2 ? this.bulkText(r.text) : this.ascii(`,${r.text}\r\n`);
    if (r instanceof MapReply) {
      if (resp === 2) return this.aggregate('*', r.flat, resp);
      this.room(16);
      this.header(0x25, r.flat.length / 2);
      for (const x of r.flat) this.write(x, resp);
      return;
    }
    if (r instanceof VerbatimReply) {
      if (resp === 2) return this.bulkText(r.text);
      const n = Buffer.byteLength(r.text, 'utf8') + 4;
      this.room(n + 24);
      this.header(0x3d, n);
      this.pos += this.buf.write(`${r.format}:`, this.pos, 'latin1');
      this.pos += this.buf.write(r.text, this.pos, 'utf8');
      this.buf[this.pos++] = 13;
      this.buf[this.pos++] = 10;
      return;
    }
    if (r instanceof SetReply) return this.aggregate(resp === 2 ? '*' : '~', r.items, resp);
    if (r instanceof PushReply) return this.aggregate(resp === 2 ? '*' : '>', r.items, resp);
    if (r instanceof MultiReply) {
      for (const x of r.replies) this.write(x, resp);
      return;
    }
    throw new Error(`Lodis: no RESP encoding for reply ${String(r)}`);
  }

  private aggregate(type: string, items: readonly Reply[], resp: 2 | 3): void {
    this.room(16);
    this.header(type.charCodeAt(0), items.length);
    for (let i = 0; i < items.length; i++) this.write(items[i]!, resp);
  }

  /** Raw protocol bytes (a -DENIED line before closing, say). */
  raw(s: string): void {
    this.ascii(s);
  }
}
