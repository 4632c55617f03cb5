/**
 * What a command handler returns, independent of the protocol (Redis' addReply* family).
 *
 * | Reply            | RESP2                  | RESP3            |
 * |------------------|------------------------|------------------|
 * | `string`         | bulk string (UTF-8)    | bulk string      |
 * | `Uint8Array`     | bulk string (bytes)    | bulk string      |
 * | `number`/`bigint`| integer                | integer          |
 * | `null`           | null bulk `$-1`        | null `_`         |
 * | `NULL_ARRAY`     | null array `*-1`       | null `_`         |
 * | `Reply[]`        | array                  | array            |
 * | `Status`         | simple string `+OK`    | simple string    |
 * | `ReplyError`     | error (inside arrays)  | error            |
 * | `DoubleReply`    | bulk string            | double `,`       |
 * | `MapReply`       | flat array             | map `%`          |
 * | `SetReply`       | array                  | set `~`          |
 * | `PushReply`      | array                  | push `>`         |
 * | `VerbatimReply`  | bulk string            | verbatim `=` (txt:)  |
 * | `MultiReply`     | several replies in a row (SUBSCRIBE a b: one per channel)   |
 */
import { BinaryReplyError, ReplyError } from './errors.js';
import { utf8DecodeLossy, utf8Encode } from './sds.js';

export class Status {
  constructor(readonly text: string) {}
}
export const OK = new Status('OK');
export const QUEUED = new Status('QUEUED');
export const PONG = new Status('PONG');

class NullArray {
  readonly kind = 'null-array';
}
export const NULL_ARRAY = new NullArray();

export class DoubleReply {
  /** `text` is what RESP2 sends (Redis' own formatting of the value). */
  constructor(
    readonly value: number,
    readonly text: string,
  ) {}
}
export class MapReply {
  /** Alternating keys and values. */
  constructor(readonly flat: Reply[]) {}
}
export class SetReply {
  constructor(readonly items: Reply[]) {}
}
export class PushReply {
  constructor(readonly items: Reply[]) {}
}
/** addReplyVerbatim: text a RESP3 client shows as it is (INFO, CLIENT INFO, CLIENT LIST). */
export class VerbatimReply {
  constructor(
    readonly text: string,
    readonly format = 'txt',
  ) {}
}
export class MultiReply {
  constructor(readonly replies: Reply[]) {}
}

export type Reply =
  | null
  | number
  | bigint
  | string
  | Uint8Array
  | Reply[]
  | Status
  | ReplyError
  | NullArray
  | DoubleReply
  | MapReply
  | SetReply
  | PushReply
  | VerbatimReply
  | MultiReply;

/** What a RESP2 client decodes a reply to: strings, numbers (bigint past 2^53), null, arrays. */
export type Decoded = string | number | bigint | null | ReplyError | Decoded[];
export type DecodedBuffer = Uint8Array | string | number | bigint | null | ReplyError | DecodedBuffer[];

/** A reply as `store.call` returns it: bulk replies as strings. */
export function decodeReply(r: Reply): Decoded {
  if (typeof r === 'string' || typeof r === 'number' || r === null) return r;
  if (typeof r === 'bigint') return r;
  if (r instanceof Uint8Array) return utf8DecodeLossy(r);
  if (Array.isArray(r)) return r.map(decodeReply);
  if (r instanceof Status) return r.text;
  if (r instanceof ReplyError) return r;
  if (r === NULL_ARRAY) return null;
  if (r instanceof DoubleReply || r instanceof VerbatimReply) return r.text;
  if (r instanceof MapReply) return r.flat.map(decodeReply);
  if (r instanceof SetReply || r instanceof PushReply) return r.items.map(decodeReply);
  if (r instanceof MultiReply) return r.replies.map(decodeReply);
  throw new Error(`unknown reply ${String(r)}`);
}

/** A reply as `store.callBuffer` returns it: bulk replies as bytes, status replies as strings. */
export function decodeReplyBuffer(r: Reply): DecodedBuffer {
  if (typeof r === 'string') return utf8Encode(r);
  if (typeof r === 'number' || r === null || typeof r === 'bigint') return r;
  // A copy: the engine may keep (and later modify in place) the array a reply points into.
  if (r instanceof Uint8Array) return r.slice();
  if (Array.isArray(r)) return r.map(decodeReplyBuffer);
  if (r instanceof Status) return r.text;
  if (r instanceof ReplyError) return r;
  if (r === NULL_ARRAY) return null;
  if (r instanceof DoubleReply || r instanceof VerbatimReply) return utf8Encode(r.text);
  if (r instanceof MapReply) return r.flat.map(decodeReplyBuffer);
  if (r instanceof SetReply || r instanceof PushReply) return r.items.map(decodeReplyBuffer);
  if (r instanceof MultiReply) return r.replies.map(decodeReplyBuffer);
  throw new Error(`unknown reply ${String(r)}`);
}

/**
 * A reply in RESP2 as a byte string (one char per byte). Used by the conformance harness to
 * compare with what redis-server sent, byte for byte, and by the server front.
 */
export function encodeResp2(r: Reply): string {
  if (typeof r === 'string') {
    const b = latin1OfText(r);
    return `$${b.length}\r\n${b}\r\n`;
  }
  if (typeof r === 'number' || typeof r === 'bigint') return `:${r}\r\n`;
  if (r === null) return '$-1\r\n';
  if (r instanceof Uint8Array) {
    let s = `$${r.length}\r\n`;
    for (let i = 0; i < r.length; i++) s += String.fromCharCode(r[i]!);
    return s + '\r\n';
  }
  if (Array.isArray(r)) return `*${r.length}\r\n${r.map(encodeResp2).join('')}`;
  if (r instanceof Status) return `+${latin1OfText(r.text)}\r\n`;
  if (r instanceof ReplyError) return `-${r instanceof BinaryReplyError ? r.latin1 : latin1OfText(r.message)}\r\n`;
  if (r === NULL_ARRAY) return '*-1\r\n';
  if (r instanceof DoubleReply || r instanceof VerbatimReply) return encodeResp2(r.text);
  if (r instanceof MapReply) return encodeResp2(r.flat);
  if (r instanceof SetReply || r instanceof PushReply) return encodeResp2(r.items);
  if (r instanceof MultiReply) return r.replies.map(encodeResp2).join('');
  throw new Error(`unknown reply ${String(r)}`);
}

function latin1OfText(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(s)) return s;
  const b = utf8Encode(s);
  let out = '';
  for (let i = 0; i < b.length; i++) out += String.fromCharCode(b[i]!);
  return out;
}

/** addReplyHelp: `<COMMAND> <subcommand> …` header, the lines, then the HELP footer, as status replies. */
export function helpReply(command: string, lines: readonly string[]): Reply {
  const out: Reply[] = [new Status(`${command.toUpperCase()} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`)];
  for (const line of lines) out.push(new Status(line));
  out.push(new Status('HELP'), new Status('    Prints this help.'));
  return out;
}
