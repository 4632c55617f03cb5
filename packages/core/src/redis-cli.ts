/**
 * What redis-cli prints, for every Lodis prompt — the Node one (scripts/cli.ts, `npm run cli`) and
 * the demo's CLI panel (`@lodis/core/redis-cli`): its reply formatting (redis-cli.c
 * cliFormatReplyTTY / cliFormatReplyRaw, sds.c sdscatrepr) and its line splitting (sds.c
 * sdssplitargs), ported from Redis 7.0. No Node API: it runs in a page as well.
 *
 * Output is a byte string (one char per byte, as `Buffer.from(out, 'latin1')` writes it), because
 * redis-cli writes bytes: raw mode prints a bulk reply's bytes as they are, and status and error
 * text is the UTF-8 that Redis would have sent. A page shows it with `textOfBytes` (what a UTF-8
 * terminal shows).
 *
 *   import { formatReply, fromDecodedBuffer, splitArgs, commandArg } from '@lodis/core/redis-cli';
 *   const argv = splitArgs('SET k "h\\xc3\\xa9llo"')!.map(commandArg);
 *   formatReply(fromDecodedBuffer(await redis.callBuffer(...argv)), 'tty'); // 'OK\n'
 */
import type { CommandArg } from './api/transport.js';
import { ReplyError } from './errors.js';
import {
  DoubleReply,
  MapReply,
  MultiReply,
  NULL_ARRAY,
  PushReply,
  SetReply,
  Status,
  VerbatimReply,
  type DecodedBuffer,
  type Reply,
} from './reply.js';

/** A reply as hiredis hands it to redis-cli (its `redisReply`). Strings are byte strings. */
export type CliReply =
  | { type: 'status' | 'error' | 'string' | 'double' | 'verbatim'; str: string }
  | { type: 'integer'; integer: number | bigint }
  | { type: 'nil' }
  | { type: 'array' | 'map' | 'set' | 'push'; elements: CliReply[] };

/** redis-cli's two output modes: `tty` when stdout is a terminal (or --no-raw), `raw` otherwise. */
export type OutputMode = 'tty' | 'raw';

const utf8 = new TextEncoder();

/** UTF-8 bytes of a JS string, as a byte string. */
export function byteString(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(s)) return s;
  return byteStringOf(utf8.encode(s));
}

/** Bytes as a byte string (one char per byte), what `repr` and the formatters take. */
export function byteStringOf(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i += 8192) out += String.fromCharCode(...b.subarray(i, i + 8192));
  return out;
}

/** The bytes of a byte string. */
export function bytesOf(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

const utf8Lossy = new TextDecoder('utf-8');
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** A byte string as a UTF-8 terminal shows it (invalid sequences as U+FFFD). */
export function textOfBytes(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(s)) return s;
  return utf8Lossy.decode(bytesOf(s));
}

/** A typed argument (bytes) as a command takes it: text when it is UTF-8, bytes otherwise. */
export function commandArg(bytes: string): CommandArg {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(bytes)) return bytes;
  const b = bytesOf(bytes);
  try {
    return utf8Strict.decode(b);
  } catch {
    return b;
  }
}

/**
 * A Lodis reply as the replies hiredis would decode from the wire: one, or several for a
 * MultiReply (SUBSCRIBE a b answers once per channel). `resp` is the session's protocol (HELLO).
 */
export function toCliReplies(r: Reply, resp: 2 | 3 = 2): CliReply[] {
  if (r instanceof MultiReply) return r.replies.flatMap((x) => toCliReplies(x, resp));
  return [toCliReply(r, resp)];
}

function toCliReply(r: Reply, resp: 2 | 3): CliReply {
  if (typeof r === 'string') return { type: 'string', str: byteString(r) };
  if (r instanceof Uint8Array) return { type: 'string', str: byteStringOf(r) };
  if (typeof r === 'number' || typeof r === 'bigint') return { type: 'integer', integer: r };
  if (r === null || r === NULL_ARRAY) return { type: 'nil' };
  if (Array.isArray(r)) return { type: 'array', elements: r.map((x) => toCliReply(x, resp)) };
  if (r instanceof Status) return { type: 'status', str: byteString(r.text) };
  if (r instanceof ReplyError) return { type: 'error', str: byteString(r.message) };
  if (r instanceof DoubleReply) return { type: resp === 3 ? 'double' : 'string', str: r.text };
  if (r instanceof VerbatimReply) return { type: resp === 3 ? 'verbatim' : 'string', str: byteString(r.text) };
  const aggregate = (type: 'map' | 'set' | 'push', items: Reply[]): CliReply => ({
    type: resp === 3 ? type : 'array',
    elements: items.map((x) => toCliReply(x, resp)),
  });
  if (r instanceof MapReply) return aggregate('map', r.flat);
  if (r instanceof SetReply) return aggregate('set', r.items);
  if (r instanceof PushReply) return aggregate('push', r.items);
  if (r instanceof MultiReply) throw new Error('a MultiReply cannot be nested');
  throw new Error(`unknown reply ${String(r)}`);
}

/** A pushed message as `transport.onPush(listener, true)` delivers it (bulk replies as bytes). */
export function fromDecodedBuffer(d: DecodedBuffer): CliReply {
  if (d instanceof Uint8Array) return { type: 'string', str: byteStringOf(d) };
  if (typeof d === 'string') return { type: 'status', str: byteString(d) };
  if (typeof d === 'number' || typeof d === 'bigint') return { type: 'integer', integer: d };
  if (d === null) return { type: 'nil' };
  if (d instanceof ReplyError) return { type: 'error', str: byteString(d.message) };
  return { type: 'array', elements: d.map(fromDecodedBuffer) };
}

/** sdscatrepr: a quoted string with C escapes; bytes outside isprint() (C locale) become \xHH. */
export function repr(bytes: string): string {
  let out = '"';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes.charCodeAt(i);
    switch (c) {
      case 0x5c: out += '\\\\'; break;
      case 0x22: out += '\\"'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      case 0x07: out += '\\a'; break;
      case 0x08: out += '\\b'; break;
      default:
        out += c >= 0x20 && c <= 0x7e ? bytes[i] : '\\x' + c.toString(16).padStart(2, '0');
    }
  }
  return out + '"';
}

/** `%s` of a C string stops at the first NUL. */
function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul < 0 ? s : s.slice(0, nul);
}

/** cliIsMultilineValueTTY: whether a map value prints on several lines. */
function isMultilineValueTTY(r: CliReply): boolean {
  switch (r.type) {
    case 'array':
    case 'set':
    case 'push':
      if (r.elements.length === 0) return false;
      if (r.elements.length > 1) return true;
      return isMultilineValueTTY(r.elements[0]!);
    case 'map':
      if (r.elements.length === 0) return false;
      if (r.elements.length > 2) return true;
      return isMultilineValueTTY(r.elements[1]!);
    default:
      return false;
  }
}

const EMPTY = { array: '(empty array)\n', map: '(empty hash)\n', set: '(empty set)\n', push: '(empty push)\n' };

/** cliFormatReplyTTY: what redis-cli prints to a terminal. */
export function formatReplyTTY(r: CliReply, prefix = ''): string {
  switch (r.type) {
    case 'error':
      return `(error) ${cString(r.str)}\n`;
    case 'status':
      return `${cString(r.str)}\n`;
    case 'integer':
      return `(integer) ${r.integer}\n`;
    case 'double':
      return `(double) ${cString(r.str)}\n`;
    case 'string':
      return `${repr(r.str)}\n`;
    case 'verbatim':
      // hiredis drops the "txt:" prefix; the text is printed as it is.
      return `${r.str}\n`;
    case 'nil':
      return '(nil)\n';
  }
  const n = r.elements.length;
  if (n === 0) return EMPTY[r.type];
  const isMap = r.type === 'map';
  // The index column is as wide as the largest index; nested replies indent by that plus 2.
  const idxlen = String(isMap ? Math.floor(n / 2) : n).length;
  const childPrefix = prefix + ' '.repeat(idxlen + 2);
  const numsep = r.type === 'set' ? '~' : isMap ? '#' : ')';
  let out = '';
  for (let i = 0; i < n; i++) {
    const humanIdx = (isMap ? Math.floor(i / 2) : i) + 1;
    // The first element goes on the line where the parent already printed this reply's index.
    out += `${i === 0 ? '' : prefix}${String(humanIdx).padStart(idxlen)}${numsep} `;
    out += formatReplyTTY(r.elements[i]!, childPrefix);
    if (isMap) {
      const value = r.elements[++i]!;
      out = out.slice(0, -1) + ' => ';
      if (isMultilineValueTTY(value)) out += '\n' + childPrefix;
      out += formatReplyTTY(value, childPrefix);
    }
  }
  return out;
}

/** cliFormatReplyRaw: what redis-cli prints to a pipe (before the command delimiter). */
export function formatReplyRaw(r: CliReply): string {
  switch (r.type) {
    case 'nil':
      return '';
    case 'error':
      return r.str + '\n';
    case 'status':
    case 'string':
    case 'double':
    case 'verbatim':
      return r.str;
    case 'integer':
      return String(r.integer);
    case 'map': {
      const parts: string[] = [];
      for (let i = 0; i < r.elements.length; i += 2) {
        parts.push(formatReplyRaw(r.elements[i]!) + ' ' + formatReplyRaw(r.elements[i + 1]!));
      }
      return parts.join('\n');
    }
    default:
      return r.elements.map(formatReplyRaw).join('\n');
  }
}

/** What redis-cli prints before the replies of SUBSCRIBE, PSUBSCRIBE and SSUBSCRIBE in a terminal. */
export const READING_MESSAGES = 'Reading messages... (press Ctrl-C to quit)\n';

/** cliFormatReply: one reply as redis-cli writes it in the given mode. */
export function formatReply(r: CliReply, mode: OutputMode): string {
  return mode === 'tty' ? formatReplyTTY(r) : formatReplyRaw(r) + '\n';
}

/** Every reply of a Lodis reply (several for SUBSCRIBE a b), formatted in a row. */
export function formatLodisReply(r: Reply, mode: OutputMode, resp: 2 | 3 = 2): string {
  return toCliReplies(r, resp)
    .map((x) => formatReply(x, mode))
    .join('');
}

// isspace() in the C locale.
const isspace = (c: number) => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const hexval = (c: number) =>
  c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;

/**
 * sdssplitargs: split a typed line into arguments (byte strings) as redis-cli does —
 * `"double quotes"` with \n \r \t \b \a \xHH and \<char> escapes, `'single quotes'` literal but
 * for \'. Returns null for unbalanced quotes or a closing quote followed by a non-space
 * (`"foo"bar`): redis-cli then prints `Invalid argument(s)`.
 */
export function splitArgs(line: string): string[] | null {
  return splitArgBytes(byteString(line));
}

/** splitArgs of a line given as bytes (a byte string), as redis-cli reads a pipe. */
export function splitArgBytes(p: string): string[] | null {
  const at = (i: number) => (i < p.length ? p.charCodeAt(i) : 0);
  const args: string[] = [];
  let i = 0;
  for (;;) {
    while (at(i) && isspace(at(i))) i++;
    if (!at(i)) return args;
    let inq = false; // "double quotes"
    let insq = false; // 'single quotes'
    let done = false;
    let current = '';
    while (!done) {
      const c = at(i);
      if (inq) {
        if (c === 0x5c && at(i + 1) === 0x78 && hexval(at(i + 2)) >= 0 && hexval(at(i + 3)) >= 0) {
          current += String.fromCharCode(hexval(at(i + 2)) * 16 + hexval(at(i + 3)));
          i += 3;
        } else if (c === 0x5c && at(i + 1)) {
          i++;
          const e = p[i]!;
          current += e === 'n' ? '\n' : e === 'r' ? '\r' : e === 't' ? '\t' : e === 'b' ? '\b' : e === 'a' ? '\x07' : e;
        } else if (c === 0x22) {
          // A closing quote must be followed by a space or nothing at all.
          if (at(i + 1) && !isspace(at(i + 1))) return null;
          done = true;
        } else if (!c) {
          return null; // unterminated quotes
        } else {
          current += p[i];
        }
      } else if (insq) {
        if (c === 0x5c && at(i + 1) === 0x27) {
          i++;
          current += "'";
        } else if (c === 0x27) {
          if (at(i + 1) && !isspace(at(i + 1))) return null;
          done = true;
        } else if (!c) {
          return null;
        } else {
          current += p[i];
        }
      } else if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0) {
        done = true;
      } else if (c === 0x22) {
        inq = true;
      } else if (c === 0x27) {
        insq = true;
      } else {
        current += p[i];
      }
      if (at(i)) i++;
    }
    args.push(current);
  }
}
