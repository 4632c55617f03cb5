/**
 * Strings (t_string.c): APPEND DECR DECRBY GET GETDEL GETEX GETRANGE GETSET INCR INCRBY
 * INCRBYFLOAT LCS MGET MSET MSETNX PSETEX SET SETEX SETNX SETRANGE STRLEN SUBSTR.
 *
 * Values are StringValue (sds.ts): text, a safe integer (Redis' INT encoding) or bytes. INCR and
 * friends keep results in the safe range as numbers and larger int64 results as their decimal
 * text. APPEND and SETRANGE work on bytes this module owns (sds.ts unshareBytes: written in
 * place, grown with spare room), so repeated appends cost O(appended bytes), not O(value); every
 * read that hands stored bytes out marks them shared first (shareBytes).
 */
import type { Client } from '../client.js';
import type { CommandHandlers } from '../commands.js';
import {
  decrementOverflowErr,
  invalidExpireErr,
  lcsLenAndIdxErr,
  lcsNotStringErr,
  lcsTooLongErr,
  nanOrInfinityErr,
  notFloatErr,
  notIntegerErr,
  offsetOutOfRangeErr,
  overflowErr,
  stringTooLongErr,
  syntaxErr,
  wrongArityErr,
  wrongTypeErr,
} from '../errors.js';
import { ld2stringHuman, ldAdd, ldFromInt, ldIsNanOrInf, LD_ZERO, string2ld, type LongDouble } from '../longdouble.js';
import { NOTIFY_GENERIC, NOTIFY_STRING } from '../notify.js';
import { asString, isString } from '../object.js';
import { MapReply, OK, type Reply } from '../reply.js';
import {
  argLatin1,
  argLength,
  bytesToLatin1,
  isAscii,
  ownBytes,
  PROTO_MAX_BULK_LEN,
  shareBytes,
  toKey,
  unshareBytes,
  utf8Encode,
  utf8Length,
  valueBytes,
  valueLength,
  type Arg,
  type KeyString,
  type StringValue,
} from '../sds.js';
import { LLONG_MAX, LLONG_MIN, normInt64, parseInt64, string2ll, type Int64 } from '../util.js';

/** checkStringLength: a value of `size + append` bytes would exceed proto-max-bulk-len. */
export function checkStringLength(size: number, append: number): void {
  if (size + append > PROTO_MAX_BULK_LEN) throw stringTooLongErr();
}

/**
 * A stored string value as a bulk reply. Bytes handed out are shared from then on: the caller
 * may keep the reply, so nothing may modify them in place any more (sds.ts shareBytes).
 */
function stringReply(v: StringValue): Reply {
  if (typeof v === 'string') return v;
  return typeof v === 'number' ? String(v) : shareBytes(v);
}

/**
 * An option as Redis compares it: its bytes as a C string (cut at the first NUL), in lower case
 * (ASCII only: one char per byte, so no non-ASCII letter folds into an option name).
 */
function optionName(a: Arg): string {
  let s = argLatin1(a);
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  return s.toLowerCase();
}

// ---- SET and its family ----------------------------------------------------------------

const OBJ_SET_NX = 1 << 0;
const OBJ_SET_XX = 1 << 1;
const OBJ_EX = 1 << 2;
const OBJ_PX = 1 << 3;
const OBJ_KEEPTTL = 1 << 4;
const OBJ_SET_GET = 1 << 5;
const OBJ_EXAT = 1 << 6;
const OBJ_PXAT = 1 << 7;
const OBJ_PERSIST = 1 << 8;
const OBJ_EXPIRE = OBJ_EX | OBJ_PX | OBJ_EXAT | OBJ_PXAT;
/** Flags live in the low bits of parseExtendedStringArguments' result; the expire index above. */
const EXPIRE_INDEX_SHIFT = 16;

const COMMAND_GET = 0;
const COMMAND_SET = 1;

/**
 * parseExtendedStringArgumentsOrReply: SET's NX XX GET EX PX EXAT PXAT KEEPTTL, GETEX's EX PX
 * EXAT PXAT PERSIST. Returns the flags, with the index of the expire argument (0 for none)
 * shifted above them. The checks, and what may repeat (EX 1 EX 2 is accepted), are Redis'.
 */
function parseExtendedStringArguments(argv: Arg[], commandType: number): number {
  let flags = 0;
  let expireIndex = 0;
  const isSet = commandType === COMMAND_SET;
  for (let j = isSet ? 3 : 2; j < argv.length; j++) {
    const opt = optionName(argv[j]!);
    const hasNext = j < argv.length - 1;
    if (opt === 'nx' && !(flags & OBJ_SET_XX) && isSet) {
      flags |= OBJ_SET_NX;
    } else if (opt === 'xx' && !(flags & OBJ_SET_NX) && isSet) {
      flags |= OBJ_SET_XX;
    } else if (opt === 'get' && isSet) {
      flags |= OBJ_SET_GET;
    } else if (opt === 'keepttl' && !(flags & (OBJ_PERSIST | OBJ_EXPIRE)) && isSet) {
      flags |= OBJ_KEEPTTL;
    } else if (opt === 'persist' && !isSet && !(flags & (OBJ_EXPIRE | OBJ_KEEPTTL))) {
      flags |= OBJ_PERSIST;
    } else if (opt === 'ex' && !(flags & (OBJ_KEEPTTL | OBJ_PERSIST | OBJ_EXAT | OBJ_PX | OBJ_PXAT)) && hasNext) {
      flags |= OBJ_EX;
      expireIndex = ++j;
    } else if (opt === 'px' && !(flags & (OBJ_KEEPTTL | OBJ_PERSIST | OBJ_EX | OBJ_EXAT | OBJ_PXAT)) && hasNext) {
      flags |= OBJ_PX;
      expireIndex = ++j;
    } else if (opt === 'exat' && !(flags & (OBJ_KEEPTTL | OBJ_PERSIST | OBJ_EX | OBJ_PX | OBJ_PXAT)) && hasNext) {
      flags |= OBJ_EXAT;
      expireIndex = ++j;
    } else if (opt === 'pxat' && !(flags & (OBJ_KEEPTTL | OBJ_PERSIST | OBJ_EX | OBJ_EXAT | OBJ_PX)) && hasNext) {
      flags |= OBJ_PXAT;
      expireIndex = ++j;
    } else {
      throw syntaxErr();
    }
  }
  return flags | (expireIndex << EXPIRE_INDEX_SHIFT);
}

/**
 * getExpireMillisecondsOrReply: the expire argument as an absolute unix time in ms. EX and PX
 * are relative to the command's time; seconds are scaled. Exact over int64, with Redis' errors
 * for non-positive values and for overflow. Returns a bigint only past 2^53.
 */
function getExpireMilliseconds(c: Client, arg: Arg, flags: number, cmdName: string): number | bigint {
  const v = parseInt64(arg);
  const seconds = (flags & (OBJ_EX | OBJ_EXAT)) !== 0;
  const relative = (flags & (OBJ_EX | OBJ_PX)) !== 0;
  if (typeof v === 'number') {
    if (v <= 0) throw invalidExpireErr(cmdName);
    const ms = (seconds ? v * 1000 : v) + (relative ? c.engine.now : 0);
    if (ms <= Number.MAX_SAFE_INTEGER) return ms;
  }
  let ms = BigInt(v);
  if (ms <= 0n || (seconds && ms > LLONG_MAX / 1000n)) throw invalidExpireErr(cmdName);
  if (seconds) ms *= 1000n;
  if (relative) ms += BigInt(c.engine.now);
  if (ms > LLONG_MAX) throw invalidExpireErr(cmdName); // Redis' signed overflow goes negative
  return ms;
}

/** getGenericCommand: the value of a key as GET replies it (WRONGTYPE for other types). */
function getGeneric(c: Client, key: KeyString): Reply {
  const o = c.db.lookupKeyRead(key);
  if (o === undefined) return null;
  if (typeof o === 'string') return o;
  if (o instanceof Uint8Array) return shareBytes(o);
  if (typeof o === 'number') return String(o);
  throw wrongTypeErr();
}

/**
 * setGenericCommand: SET, SETEX, PSETEX, SETNX (GETSET has its own). `expireIndex` is the argv
 * position of the expire argument (0 for none); `okReply`/`abortReply` are what is replied when
 * the key is set / not set because of NX or XX (with GET, the old value is replied either way).
 */
function setGeneric(
  c: Client,
  argv: Arg[],
  flags: number,
  keyArg: Arg,
  val: Arg,
  expireIndex: number,
  okReply: Reply,
  abortReply: Reply,
  cmdName: string,
): Reply {
  const key = toKey(keyArg);
  const db = c.db;
  const ms = expireIndex !== 0 ? getExpireMilliseconds(c, argv[expireIndex]!, flags, cmdName) : 0;
  const old = flags & OBJ_SET_GET ? getGeneric(c, key) : null;
  const found = db.lookupKeyWrite(key) !== undefined;
  if ((flags & OBJ_SET_NX && found) || (flags & OBJ_SET_XX && !found)) {
    return flags & OBJ_SET_GET ? old : abortReply;
  }
  db.setKey(key, val, (flags & OBJ_KEEPTTL) !== 0);
  c.engine.dirty++;
  c.engine.notifyKeyspaceEvent(NOTIFY_STRING, 'set', key, db.id);
  if (expireIndex !== 0) {
    db.setExpire(key, ms);
    // Logged as SET key value PXAT <absolute ms>, whatever form the expire was given in.
    c.rewriteArgv(['SET', keyArg, val, 'PXAT', String(ms)]);
    c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'expire', key, db.id);
  } else if (flags & OBJ_SET_GET) {
    // Logged without GET (which may be repeated), the rest as sent.
    const out: Arg[] = [];
    for (let j = 0; j < argv.length; j++) if (j < 3 || optionName(argv[j]!) !== 'get') out.push(argv[j]!);
    c.rewriteArgv(out);
  }
  return flags & OBJ_SET_GET ? old : okReply;
}

/** SET key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL] */
function setCommand(c: Client, argv: Arg[]): Reply {
  if (argv.length === 3) {
    // The plain SET: no options to parse.
    const key = toKey(argv[1]!);
    c.db.setKey(key, argv[2]!);
    c.engine.dirty++;
    c.engine.notifyKeyspaceEvent(NOTIFY_STRING, 'set', key, c.db.id);
    return OK;
  }
  const parsed = parseExtendedStringArguments(argv, COMMAND_SET);
  return setGeneric(c, argv, parsed & 0xffff, argv[1]!, argv[2]!, parsed >>> EXPIRE_INDEX_SHIFT, OK, null, 'set');
}

/** SETNX key value */
function setnxCommand(c: Client, argv: Arg[]): Reply {
  return setGeneric(c, argv, OBJ_SET_NX, argv[1]!, argv[2]!, 0, 1, 0, 'setnx');
}

/** SETEX key seconds value */
function setexCommand(c: Client, argv: Arg[]): Reply {
  return setGeneric(c, argv, OBJ_EX, argv[1]!, argv[3]!, 2, OK, null, 'setex');
}

/** PSETEX key milliseconds value */
function psetexCommand(c: Client, argv: Arg[]): Reply {
  return setGeneric(c, argv, OBJ_PX, argv[1]!, argv[3]!, 2, OK, null, 'psetex');
}

/** GET key */
function getCommand(c: Client, argv: Arg[]): Reply {
  return getGeneric(c, toKey(argv[1]!));
}

/** GETEX key [EX seconds|PX milliseconds|EXAT unix-time-seconds|PXAT unix-time-milliseconds|PERSIST] */
function getexCommand(c: Client, argv: Arg[]): Reply {
  const parsed = parseExtendedStringArguments(argv, COMMAND_GET);
  const flags = parsed & 0xffff;
  const expireIndex = parsed >>> EXPIRE_INDEX_SHIFT;
  const keyArg = argv[1]!;
  const key = toKey(keyArg);
  const db = c.db;
  const o = asString(db.lookupKeyRead(key));
  if (o === undefined) return null;
  // The expire is validated only for an existing string key, as in Redis.
  const ms = expireIndex !== 0 ? getExpireMilliseconds(c, argv[expireIndex]!, flags, 'getex') : 0;
  const reply = stringReply(o);
  if (flags & (OBJ_EXAT | OBJ_PXAT) && ms <= c.engine.now && !c.engine.loading) {
    // An absolute time already past deletes the key (checkAlreadyExpired; not while loading).
    db.dbDelete(key);
    c.rewriteArgv(['DEL', keyArg]);
    c.engine.signalModifiedKey(db, key);
    c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
    c.engine.dirty++;
  } else if (expireIndex !== 0) {
    db.setExpire(key, ms);
    c.rewriteArgv(['PEXPIREAT', keyArg, String(ms)]);
    c.engine.signalModifiedKey(db, key);
    c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'expire', key, db.id);
    c.engine.dirty++;
  } else if (flags & OBJ_PERSIST) {
    if (db.removeExpire(key)) {
      c.engine.signalModifiedKey(db, key);
      c.rewriteArgv(['PERSIST', keyArg]);
      c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'persist', key, db.id);
      c.engine.dirty++;
    }
  }
  return reply;
}

/** GETDEL key */
function getdelCommand(c: Client, argv: Arg[]): Reply {
  const key = toKey(argv[1]!);
  const reply = getGeneric(c, key);
  if (reply !== null && c.db.dbDelete(key)) {
    c.rewriteArgv(['DEL', argv[1]!]);
    c.engine.signalModifiedKey(c.db, key);
    c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, c.db.id);
    c.engine.dirty++;
  }
  return reply;
}

/** GETSET key value */
function getsetCommand(c: Client, argv: Arg[]): Reply {
  const key = toKey(argv[1]!);
  const reply = getGeneric(c, key);
  c.db.setKey(key, argv[2]!);
  c.engine.notifyKeyspaceEvent(NOTIFY_STRING, 'set', key, c.db.id);
  c.engine.dirty++;
  c.rewriteArgv(['SET', argv[1]!, argv[2]!]);
  return reply;
}

// ---- byte ranges -----------------------------------------------------------------------

/** UTF-8 length of the char at s[i] (a surrogate pair counts as one 4-byte char). */
function charUtf8Length(s: string, i: number): number {
  const ch = s.charCodeAt(i);
  if (ch < 0x80) return 1;
  if (ch < 0x800) return 2;
  if (ch >= 0xd800 && ch <= 0xdbff && i + 1 < s.length) {
    const lo = s.charCodeAt(i + 1);
    if (lo >= 0xdc00 && lo <= 0xdfff) return 4;
  }
  return 3;
}

/**
 * Bytes [from, to) of a text value without encoding all of it: a substring when the range
 * falls on character boundaries, else the bytes of the characters it touches, cut to size.
 */
function textByteRange(s: string, from: number, to: number): string | Uint8Array {
  let i = 0;
  let pos = 0;
  const n = s.length;
  for (; i < n; ) {
    const len = charUtf8Length(s, i);
    if (pos + len > from) break;
    pos += len;
    i += len === 4 ? 2 : 1;
  }
  const startChar = i;
  const startByte = pos;
  for (; i < n && pos < to; ) {
    const len = charUtf8Length(s, i);
    pos += len;
    i += len === 4 ? 2 : 1;
  }
  if (startByte === from && pos === to) return s.slice(startChar, i);
  return utf8Encode(s.slice(startChar, i)).subarray(from - startByte, to - startByte);
}

/** Bytes [from, to) of a value (0 ≤ from < to ≤ length), sharing storage where it can. */
function valueByteRange(v: StringValue, from: number, to: number): Reply {
  if (typeof v === 'number') return String(v).slice(from, to);
  if (typeof v !== 'string') return shareBytes(v).subarray(from, to);
  if (isAscii(v)) return v.slice(from, to);
  return textByteRange(v, from, to);
}

/** An int64 index clamped into the number range; indexes past ±2^53 act the same as any huge one. */
function clampIndex(v: Int64): number {
  return typeof v === 'number' ? v : v > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
}

/** GETRANGE key start end (SUBSTR is the same command under its old name) */
function getrangeCommand(c: Client, argv: Arg[]): Reply {
  const start64 = parseInt64(argv[2]!);
  const end64 = parseInt64(argv[3]!);
  const o = asString(c.db.lookupKeyRead(toKey(argv[1]!)));
  if (o === undefined) return '';
  const strlen = valueLength(o);
  if (start64 < 0 && end64 < 0 && start64 > end64) return '';
  let start = clampIndex(start64);
  let end = clampIndex(end64);
  if (start < 0) start = strlen + start;
  if (end < 0) end = strlen + end;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= strlen) end = strlen - 1;
  if (start > end || strlen === 0) return '';
  return valueByteRange(o, start, end + 1);
}

const encoder = new TextEncoder();

/** Write an argument's bytes into `bytes` at `offset` (there is room). */
function writeArg(bytes: Uint8Array, offset: number, a: Arg): void {
  if (typeof a === 'string') encoder.encodeInto(a, bytes.subarray(offset));
  else bytes.set(a, offset);
}

/** APPEND key value */
function appendCommand(c: Client, argv: Arg[]): Reply {
  const key = toKey(argv[1]!);
  const db = c.db;
  const arg = argv[2]!;
  const o = asString(db.lookupKeyWrite(key));
  let totlen: number;
  if (o === undefined) {
    db.dbAdd(key, arg);
    totlen = argLength(arg);
  } else {
    let grown: StringValue;
    const text = typeof o === 'object' || typeof arg !== 'string' ? null : typeof o === 'number' ? String(o) : o;
    if (text !== null && text.length + arg.length <= 256) {
      // Short text stays text.
      grown = text + (arg as string);
      totlen = utf8Length(grown);
    } else {
      // sdscatlen: bytes grown in place when this module's, else copied once with room to grow.
      const olen = valueLength(o);
      const addLen = argLength(arg);
      checkStringLength(olen, addLen);
      const bytes = unshareBytes(o, olen + addLen);
      writeArg(bytes, olen, arg);
      grown = bytes;
      totlen = bytes.length;
    }
    if (grown !== o) db.dbOverwrite(key, grown);
  }
  c.engine.signalModifiedKey(db, key);
  c.engine.notifyKeyspaceEvent(NOTIFY_STRING, 'append', key, db.id);
  c.engine.dirty++;
  return totlen;
}

/** SETRANGE key offset value */
function setrangeCommand(c: Client, argv: Arg[]): Reply {
  const offset = clampIndex(parseInt64(argv[2]!));
  if (offset < 0) throw offsetOutOfRangeErr();
  const key = toKey(argv[1]!);
  const db = c.db;
  const value = argv[3]!;
  const vlen = argLength(value);
  const o = asString(db.lookupKeyWrite(key));
  let olen = 0;
  if (o === undefined) {
    if (vlen === 0) return 0;
    checkStringLength(offset, vlen);
  } else {
    olen = valueLength(o);
    if (vlen === 0) return olen;
    checkStringLength(offset, vlen);
  }
  let bytes: Uint8Array;
  if (o === undefined) {
    bytes = ownBytes(new Uint8Array(offset + vlen));
    db.dbAdd(key, bytes);
  } else {
    // dbUnshareStringValue + sdsgrowzero: written in place when this module's, else copied.
    bytes = unshareBytes(o, Math.max(olen, offset + vlen));
    if (bytes !== o) db.dbOverwrite(key, bytes);
  }
  writeArg(bytes, offset, value);
  c.engine.signalModifiedKey(db, key);
  c.engine.notifyKeyspaceEvent(NOTIFY_STRING, 'setrange', key, db.id);
  c.engine.dirty++;
  return bytes.length;
}

/** STRLEN key */
function strlenCommand(c: Client, argv: Arg[]): Reply {
  const o = asString(c.db.lookupKeyRead(toKey(argv[1]!)));
  return o === undefined ? 0 : valueLength(o);
}

// ---- MGET, MSET ------------------------------------------------------------------------

/** MGET key [key ...] — keys of other types read as nil. */
function mgetCommand(c: Client, argv: Arg[]): Reply {
  const out = new Array<Reply>(argv.length - 1);
  for (let j = 1; j < argv.length; j++) {
    const o = c.db.lookupKeyRead(toKey(argv[j]!));
    out[j - 1] = o !== undefined && isString(o) ? stringReply(o) : null;
  }
  return out;
}

/** msetGenericCommand: MSET, and MSETNX (`nx`), which sets nothing when any key exists. */
function msetGeneric(c: Client, argv: Arg[], nx: boolean): Reply {
  if (argv.length % 2 === 0) throw wrongArityErr(nx ? 'msetnx' : 'mset');
  const db = c.db;
  if (nx) {
    for (let j = 1; j < argv.length; j += 2) if (db.lookupKeyWrite(toKey(argv[j]!)) !== undefined) return 0;
  }
  for (let j = 1; j < argv.length; j += 2) {
    const key = toKey(argv[j]!);
    db.setKey(key, argv[j + 1]!);
    c.engine.notifyKeyspaceEvent(NOTIFY_STRING, 'set', key, db.id);
  }
  c.engine.dirty += (argv.length - 1) / 2;
  return nx ? 1 : OK;
}

/** MSET key value [key value ...] */
function msetCommand(c: Client, argv: Arg[]): Reply {
  return msetGeneric(c, argv, false);
}

/** MSETNX key value [key value ...] */
function msetnxCommand(c: Client, argv: Arg[]): Reply {
  return msetGeneric(c, argv, true);
}

// ---- counters --------------------------------------------------------------------------

/** getLongLongFromObject on a stored value: its int64, or Redis' "not an integer" error. */
function valueInt64(o: StringValue): Int64 {
  if (typeof o === 'number') return o;
  // string2ll rejects anything longer than 20 bytes, so long values are never converted.
  const v = o.length > 20 ? null : string2ll(typeof o === 'string' ? o : bytesToLatin1(o));
  if (v === null) throw notIntegerErr();
  return v;
}

/** incrDecrCommand: add `incr` to the key's int64 (0 when missing), keeping its TTL. */
function incrDecr(c: Client, keyArg: Arg, incr: Int64): Reply {
  const key = toKey(keyArg);
  const db = c.db;
  const o = db.lookupKeyWrite(key);
  let result: Int64;
  if (o === undefined) {
    result = incr;
  } else if (typeof o === 'number' && typeof incr === 'number' && Number.isSafeInteger(o + incr)) {
    result = o + incr; // the common case: both safe, the sum too
  } else {
    const value = valueInt64(asString(o)!);
    const sum = typeof value === 'number' && typeof incr === 'number' ? value + incr : NaN;
    if (Number.isSafeInteger(sum)) {
      result = sum;
    } else {
      const big = BigInt(value) + BigInt(incr);
      if (big > LLONG_MAX || big < LLONG_MIN) throw overflowErr();
      result = normInt64(big);
    }
  }
  const stored: StringValue = typeof result === 'number' ? result : String(result);
  if (o === undefined) db.dbAdd(key, stored);
  else db.dbOverwrite(key, stored);
  c.engine.signalModifiedKey(db, key);
  c.engine.notifyKeyspaceEvent(NOTIFY_STRING, 'incrby', key, db.id);
  c.engine.dirty++;
  return result;
}

/** INCR key */
function incrCommand(c: Client, argv: Arg[]): Reply {
  return incrDecr(c, argv[1]!, 1);
}

/** DECR key */
function decrCommand(c: Client, argv: Arg[]): Reply {
  return incrDecr(c, argv[1]!, -1);
}

/** INCRBY key increment */
function incrbyCommand(c: Client, argv: Arg[]): Reply {
  return incrDecr(c, argv[1]!, parseInt64(argv[2]!));
}

/** DECRBY key decrement */
function decrbyCommand(c: Client, argv: Arg[]): Reply {
  const decr = parseInt64(argv[2]!);
  if (decr === LLONG_MIN) throw decrementOverflowErr();
  return incrDecr(c, argv[1]!, typeof decr === 'number' ? (decr === 0 ? 0 : -decr) : normInt64(-decr));
}

/** getLongDoubleFromObject on a stored value (null when it is not a valid float). */
export function valueLongDouble(o: StringValue): LongDouble | null {
  if (typeof o === 'number') return ldFromInt(o);
  if (typeof o === 'string') return o.length >= 5120 || !isAscii(o) ? null : string2ld(o);
  return o.length >= 5120 ? null : string2ld(bytesToLatin1(o));
}

/** An argument as a long double (getLongDoubleFromObjectOrReply). */
export function parseLongDouble(a: Arg): LongDouble {
  // Redis refuses 5120 bytes or more; a string of that many chars has at least as many bytes.
  const v = a.length >= 5120 ? null : string2ld(argLatin1(a));
  if (v === null) throw notFloatErr();
  return v;
}

/** INCRBYFLOAT key increment */
function incrbyfloatCommand(c: Client, argv: Arg[]): Reply {
  const keyArg = argv[1]!;
  const key = toKey(keyArg);
  const db = c.db;
  const o = asString(db.lookupKeyWrite(key));
  const value = o === undefined ? LD_ZERO : valueLongDouble(o);
  if (value === null) throw notFloatErr();
  const incr = parseLongDouble(argv[2]!);
  const sum = ldAdd(value, incr);
  if (ldIsNanOrInf(sum)) throw nanOrInfinityErr();
  const text = ld2stringHuman(sum);
  if (o === undefined) db.dbAdd(key, text);
  else db.dbOverwrite(key, text);
  c.engine.signalModifiedKey(db, key);
  c.engine.notifyKeyspaceEvent(NOTIFY_STRING, 'incrbyfloat', key, db.id);
  c.engine.dirty++;
  // Logged as the value it produced, so precision and formatting never differ on replay.
  c.rewriteArgv(['SET', keyArg, text, 'KEEPTTL']);
  return text;
}

// ---- LCS -------------------------------------------------------------------------------

const EMPTY = new Uint8Array(0);

/** LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN] */
function lcsCommand(c: Client, argv: Arg[]): Reply {
  const oa = c.db.lookupKeyRead(toKey(argv[1]!));
  const ob = c.db.lookupKeyRead(toKey(argv[2]!));
  if ((oa !== undefined && !isString(oa)) || (ob !== undefined && !isString(ob))) {
    throw lcsNotStringErr();
  }
  const a = oa === undefined ? EMPTY : valueBytes(oa as StringValue);
  const b = ob === undefined ? EMPTY : valueBytes(ob as StringValue);
  let getlen = false;
  let getidx = false;
  let withmatchlen = false;
  let minmatchlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = optionName(argv[j]!);
    const moreargs = argv.length - 1 - j;
    if (opt === 'idx') getidx = true;
    else if (opt === 'len') getlen = true;
    else if (opt === 'withmatchlen') withmatchlen = true;
    else if (opt === 'minmatchlen' && moreargs) {
      const v = parseInt64(argv[++j]!);
      minmatchlen = v < 0 ? 0 : clampIndex(v);
    } else throw syntaxErr();
  }
  if (getlen && getidx) throw lcsLenAndIdxErr();

  const alen = a.length;
  const blen = b.length;
  // The table Redis allocates: (alen+1)·(blen+1) uint32 cells, refused past proto-max-bulk-len.
  if ((alen + 1) * (blen + 1) * 4 > PROTO_MAX_BULK_LEN) {
    throw lcsTooLongErr();
  }
  if (getlen) return lcsLength(a, b);

  // Cells hold LCS lengths ≤ min(alen, blen), which the limit above keeps below 2^16.
  const w = blen + 1;
  const lcs = Math.min(alen, blen) < 0x10000 ? new Uint16Array((alen + 1) * w) : new Uint32Array((alen + 1) * w);
  for (let i = 1; i <= alen; i++) {
    const ai = a[i - 1];
    const row = i * w;
    const prev = row - w;
    for (let j = 1; j <= blen; j++) {
      if (ai === b[j - 1]) lcs[row + j] = lcs[prev + j - 1]! + 1;
      else {
        const up = lcs[prev + j]!;
        const left = lcs[row + j - 1]!;
        lcs[row + j] = up > left ? up : left;
      }
    }
  }
  const total = lcs[alen * w + blen]!;

  // Walk back from the end, as Redis does, collecting the string and the matching ranges.
  const result = new Uint8Array(total);
  const matches: Reply[] = [];
  let idx = total;
  let arangeStart = alen; // alen: no range open
  let arangeEnd = 0;
  let brangeStart = 0;
  let brangeEnd = 0;
  let i = alen;
  let j = blen;
  while (i > 0 && j > 0) {
    let emitRange = false;
    if (a[i - 1] === b[j - 1]) {
      result[idx - 1] = a[i - 1]!;
      if (arangeStart === alen) {
        arangeStart = arangeEnd = i - 1;
        brangeStart = brangeEnd = j - 1;
      } else if (arangeStart === i && brangeStart === j) {
        arangeStart--;
        brangeStart--;
      } else {
        emitRange = true;
      }
      if (arangeStart === 0 || brangeStart === 0) emitRange = true;
      idx--;
      i--;
      j--;
    } else {
      if (lcs[(i - 1) * w + j]! > lcs[i * w + j - 1]!) i--;
      else j--;
      if (arangeStart !== alen) emitRange = true;
    }
    if (emitRange) {
      const matchLen = arangeEnd - arangeStart + 1;
      if (getidx && (minmatchlen === 0 || matchLen >= minmatchlen)) {
        const m: Reply[] = [
          [arangeStart, arangeEnd],
          [brangeStart, brangeEnd],
        ];
        if (withmatchlen) m.push(matchLen);
        matches.push(m);
      }
      arangeStart = alen;
    }
  }
  if (getidx) return new MapReply(['matches', matches, 'len', total]);
  return result;
}

/** The LCS length alone, in two rows of the table. */
function lcsLength(a: Uint8Array, b: Uint8Array): number {
  const w = b.length + 1;
  let prev = new Uint32Array(w);
  let cur = new Uint32Array(w);
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1];
    for (let j = 1; j < w; j++) {
      if (ai === b[j - 1]) cur[j] = prev[j - 1]! + 1;
      else {
        const up = prev[j]!;
        const left = cur[j - 1]!;
        cur[j] = up > left ? up : left;
      }
    }
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[w - 1]!;
}

export const stringCommands: CommandHandlers = {
  append: appendCommand,
  decr: decrCommand,
  decrby: decrbyCommand,
  get: getCommand,
  getdel: getdelCommand,
  getex: getexCommand,
  getrange: getrangeCommand,
  getset: getsetCommand,
  incr: incrCommand,
  incrby: incrbyCommand,
  incrbyfloat: incrbyfloatCommand,
  lcs: lcsCommand,
  mget: mgetCommand,
  mset: msetCommand,
  msetnx: msetnxCommand,
  psetex: psetexCommand,
  set: setCommand,
  setex: setexCommand,
  setnx: setnxCommand,
  setrange: setrangeCommand,
  strlen: strlenCommand,
  substr: getrangeCommand,
};
