/**
 * Hashes (t_hash.c): HDEL HEXISTS HGET HGETALL HINCRBY HINCRBYFLOAT HKEYS HLEN HMGET HMSET
 * HRANDFIELD HSCAN HSET HSETNX HSTRLEN HVALS.
 *
 * A hash is a JS Map from field (a canonical KeyString, sds.ts) to an entry holding the value
 * (a StringValue: text or bytes as sent, an integer HINCRBY produced) and the field's slot in a
 * dense array of fields. The Map gives O(1) lookups and insertion-order iteration; the array gives
 * O(1) uniform random picks (HRANDFIELD), kept dense by moving the last field into a deleted
 * field's slot.
 *
 * Redis keeps a small hash as a listpack (at most hash-max-listpack-entries = 128 fields, no field
 * or value longer than hash-max-listpack-value = 64 bytes) and converts it to a hash table for
 * good once a limit is passed. The encoding shows in two replies, and Lodis tracks it (a flag) to
 * give the same ones: a listpack is iterated in insertion order — an updated field keeps its place,
 * a new one goes last, exactly as in the Map, so HGETALL, HKEYS and HVALS of a small hash reply in
 * Redis' order — and HSCAN of a listpack returns the whole hash in one call with cursor 0. A hash
 * table's order is Redis' hash order, which nothing can reproduce; Lodis keeps insertion order.
 *
 * Values are never modified in place, so they are shared freely with replies and copies.
 */
import type { Client } from '../client.js';
import type { CommandHandlers } from '../commands.js';
import {
  hashValueNotFloatErr,
  hashValueNotIntegerErr,
  nanOrInfinityErr,
  overflowErr,
  randomReplyTooLargeErr,
  rangeLongErr,
  syntaxErr,
  valueIsNanOrInfinityErr,
  valueOutOfRangeErr,
  wrongArityErr,
} from '../errors.js';
import { parseScanOptions, scanReply } from '../keyspace.js';
import { ld2stringHuman, ldAdd, ldIsNanOrInf } from '../longdouble.js';
import { NOTIFY_GENERIC, NOTIFY_HASH } from '../notify.js';
import { asType, type TypedObject } from '../object.js';
import { MapReply, OK, type Reply } from '../reply.js';
import type { ByteReader, ByteWriter } from '../rio.js';
import { parseScanCursor, ScanCursors } from '../scan.js';
import {
  argLatin1,
  BINARY_MARK,
  keyLatin1,
  keyReply,
  latin1ToBytes,
  toKey,
  utf8Length,
  valueLatin1,
  valueLength,
  type Arg,
  type KeyString,
  type StringValue,
} from '../sds.js';
import { LLONG_MAX, LLONG_MIN, normInt64, parseInt64, string2ll, stringmatchlen, type Int64 } from '../util.js';
import { parseLongDouble, valueLongDouble } from './string.js';

/** hash-max-listpack-entries: Redis 7.0's default (CONFIG SET stores the setting; this module reads the default). */
export const HASH_MAX_LISTPACK_ENTRIES = 512;
/** hash-max-listpack-value: the longest field or value (bytes) a listpack hash holds. */
export const HASH_MAX_LISTPACK_VALUE = 64;

/**
 * The most elements one HRANDFIELD reply may hold. Redis streams a reply of any size (a negative
 * count of -2^62 runs until the client is dropped); Lodis builds a reply in memory and refuses
 * one larger than this.
 */
export const HRANDFIELD_MAX_REPLY = 1 << 24;

interface HashEntry {
  value: StringValue;
  /** Index of the field in HashObject.fields. */
  slot: number;
}

/** The hash: see the top of this file. */
export class HashObject implements TypedObject {
  readonly type = 'hash';
  /** field → entry, in insertion order (Redis' listpack order). */
  private readonly dict = new Map<KeyString, HashEntry>();
  /** Every field once, densely, for random picks. */
  private readonly fields: KeyString[] = [];
  /** Redis would keep this hash as a listpack (OBJ_ENCODING_LISTPACK); false once converted. */
  listpack = true;
  /** HSCAN's live cursors (made on first use; only a hash-table hash is scanned in steps). */
  private cursors: ScanCursors<KeyString> | null = null;

  /** A hash of these pairs, in order (snapshot loading, tests). */
  static from(pairs: Iterable<[KeyString, StringValue]>, listpack = true): HashObject {
    const h = new HashObject();
    h.listpack = listpack;
    for (const [f, v] of pairs) h.set(f, v);
    return h;
  }

  get size(): number {
    return this.dict.size;
  }

  get(field: KeyString): StringValue | undefined {
    return this.dict.get(field)?.value;
  }

  has(field: KeyString): boolean {
    return this.dict.has(field);
  }

  /** Set a field; true when it was added (an existing field keeps its place in the order). */
  set(field: KeyString, value: StringValue): boolean {
    const e = this.dict.get(field);
    if (e !== undefined) {
      e.value = value;
      return false;
    }
    this.dict.set(field, { value, slot: this.fields.length });
    this.fields.push(field);
    if (this.listpack && this.dict.size > HASH_MAX_LISTPACK_ENTRIES) this.listpack = false;
    return true;
  }

  /** Remove a field; true when it was there. */
  delete(field: KeyString): boolean {
    const e = this.dict.get(field);
    if (e === undefined) return false;
    this.dict.delete(field);
    const last = this.fields.pop()!;
    if (last !== field) {
      this.fields[e.slot] = last;
      this.dict.get(last)!.slot = e.slot;
    }
    return true;
  }

  /** The field in slot `i` (0 ≤ i < size): the slots are in no particular order. */
  fieldAt(i: number): KeyString {
    return this.fields[i]!;
  }

  /** A uniformly random field (the hash is not empty). */
  randomField(random: () => number): KeyString {
    return this.fields[Math.floor(random() * this.fields.length)]!;
  }

  keys(): IterableIterator<KeyString> {
    return this.dict.keys();
  }

  /** [field, value] pairs in order. */
  *entries(): IterableIterator<[KeyString, StringValue]> {
    for (const [f, e] of this.dict) yield [f, e.value];
  }

  forEach(fn: (value: StringValue, field: KeyString) => void): void {
    for (const [f, e] of this.dict) fn(e.value, f);
  }

  scanCursors(): ScanCursors<KeyString> {
    return (this.cursors ??= new ScanCursors<KeyString>());
  }

  /** hashTypeDup: same pairs, same order, same encoding; values are immutable and shared. */
  dup(): HashObject {
    return HashObject.from(this.entries(), this.listpack);
  }
}

// ---- snapshots -----------------------------------------------------------------------------
//
// varint(size · 2 + listpack), then per field: its value's kind byte (0 text, 1 bytes, 2 integer
// ≥ 0, 3 integer < 0), the field (taggedText, or taggedBytes with flag 1 for a field that is not
// UTF-8), the value (taggedText, taggedBytes, or the integer's magnitude as a varint).

const VALUE_TEXT = 0;
const VALUE_BYTES = 1;
const VALUE_INT = 2;
const VALUE_NEG_INT = 3;

export function writeHashObject(w: ByteWriter, h: HashObject): void {
  w.varint(h.size * 2 + (h.listpack ? 1 : 0));
  h.forEach((v, f) => {
    if (typeof v === 'number') {
      w.u8(v < 0 ? VALUE_NEG_INT : VALUE_INT);
      writeField(w, f);
      w.varint(Math.abs(v));
    } else if (typeof v === 'string') {
      w.u8(VALUE_TEXT);
      writeField(w, f);
      w.taggedText(v, 0);
    } else {
      w.u8(VALUE_BYTES);
      writeField(w, f);
      w.taggedBytes(v, 1);
    }
  });
}

function writeField(w: ByteWriter, f: KeyString): void {
  if (f.charCodeAt(0) === 0xdc00) w.taggedBytes(latin1ToBytes(f.slice(1)), 1);
  else w.taggedText(f, 0);
}

export function readHashObject(r: ByteReader): HashObject {
  const header = r.varint();
  const h = new HashObject();
  h.listpack = header % 2 === 1;
  for (let n = Math.floor(header / 2); n > 0; n--) {
    const kind = r.u8();
    const { length, flag } = r.tag();
    const field = flag ? BINARY_MARK + r.latin1(length) : r.text(length);
    let value: StringValue;
    if (kind === VALUE_INT) {
      value = r.varint();
    } else if (kind === VALUE_NEG_INT) {
      value = -r.varint();
    } else {
      const t = r.tag();
      value = kind === VALUE_BYTES ? r.bytes(t.length) : r.text(t.length);
    }
    h.set(field, value);
  }
  return h;
}

// ---- helpers -------------------------------------------------------------------------------

/** A stored value as a bulk reply. */
function valueReply(v: StringValue): string | Uint8Array {
  return typeof v === 'number' ? String(v) : v;
}

/** The argument is longer than hash-max-listpack-value bytes. */
function tooLongForListpack(a: Arg | StringValue): boolean {
  if (typeof a === 'number') return false;
  if (a.length > HASH_MAX_LISTPACK_VALUE) return true; // bytes ≥ UTF-16 units
  return typeof a === 'string' && a.length * 3 > HASH_MAX_LISTPACK_VALUE && utf8Length(a) > HASH_MAX_LISTPACK_VALUE;
}

/** hashTypeTryConversion: a listpack hash turns into a hash table if one of argv[start..end] is too long for it. */
function hashTypeTryConversion(h: HashObject, argv: Arg[], start: number, end: number): void {
  if (!h.listpack) return;
  for (let i = start; i <= end; i++) {
    if (tooLongForListpack(argv[i]!)) {
      h.listpack = false;
      return;
    }
  }
}

/** The hash at `key` for reading: undefined when missing, WRONGTYPE for another type. */
function lookupHashRead(c: Client, key: KeyString): HashObject | undefined {
  return asType<HashObject>(c.db.lookupKeyRead(key), 'hash');
}

/**
 * hashTypeLookupWriteOrCreate, in two steps: the lookup (WRONGTYPE for another type) here, the
 * creation by createHash once the command knows it will write, so no failing command can leave
 * an empty hash behind.
 */
function lookupHashWrite(c: Client, key: KeyString): HashObject | undefined {
  return asType<HashObject>(c.db.lookupKeyWrite(key), 'hash');
}

function createHash(c: Client, key: KeyString): HashObject {
  const h = new HashObject();
  c.db.dbAdd(key, h);
  return h;
}

/** A stored value as an int64 (HINCRBY), or null: string2ll's rules, as Redis reads a listpack or sds value. */
function valueInt64(v: StringValue): Int64 | null {
  if (typeof v === 'number') return v;
  if (v.length > 20) return null; // string2ll's limit (bytes ≥ UTF-16 units)
  return string2ll(valueLatin1(v));
}

// ---- commands ------------------------------------------------------------------------------

/** HSETNX key field value */
function hsetnxCommand(c: Client, argv: Arg[]): Reply {
  const key = toKey(argv[1]!);
  const field = toKey(argv[2]!);
  let h = lookupHashWrite(c, key);
  if (h !== undefined && h.has(field)) return 0;
  h ??= createHash(c, key);
  hashTypeTryConversion(h, argv, 2, 3);
  h.set(field, argv[3]!);
  c.engine.signalModifiedKey(c.db, key);
  c.engine.notifyKeyspaceEvent(NOTIFY_HASH, 'hset', key, c.db.id);
  c.engine.dirty++;
  return 1;
}

/** hsetCommand: HSET key field value [field value ...], and HMSET (the same, replying OK). */
function hsetGeneric(c: Client, argv: Arg[], hmset: boolean): Reply {
  if (argv.length % 2 === 1) throw wrongArityErr(hmset ? 'hmset' : 'hset');
  const key = toKey(argv[1]!);
  const h = lookupHashWrite(c, key) ?? createHash(c, key);
  hashTypeTryConversion(h, argv, 2, argv.length - 1);
  let created = 0;
  for (let i = 2; i < argv.length; i += 2) if (h.set(toKey(argv[i]!), argv[i + 1]!)) created++;
  c.engine.signalModifiedKey(c.db, key);
  c.engine.notifyKeyspaceEvent(NOTIFY_HASH, 'hset', key, c.db.id);
  c.engine.dirty += (argv.length - 2) / 2;
  return hmset ? OK : created;
}

/** HSET key field value [field value ...] */
function hsetCommand(c: Client, argv: Arg[]): Reply {
  return hsetGeneric(c, argv, false);
}

/** HMSET key field value [field value ...] */
function hmsetCommand(c: Client, argv: Arg[]): Reply {
  return hsetGeneric(c, argv, true);
}

/**
 * hashTypeSet for HINCRBY and HINCRBYFLOAT: their field and result are checked against the
 * listpack limits here (HSET's arguments were checked by hashTypeTryConversion).
 */
function hashTypeSetChecked(h: HashObject, fieldArg: Arg, field: KeyString, value: StringValue): void {
  if (h.listpack && (tooLongForListpack(fieldArg) || tooLongForListpack(value))) h.listpack = false;
  h.set(field, value);
}

/** HINCRBY key field increment */
function hincrbyCommand(c: Client, argv: Arg[]): Reply {
  const incr = parseInt64(argv[3]!);
  const key = toKey(argv[1]!);
  const field = toKey(argv[2]!);
  const h = lookupHashWrite(c, key);
  const old = h?.get(field);
  let value: Int64 = 0;
  if (old !== undefined) {
    const v = valueInt64(old);
    if (v === null) throw hashValueNotIntegerErr();
    value = v;
  }
  let result: Int64;
  const sum = typeof value === 'number' && typeof incr === 'number' ? value + incr : NaN;
  if (Number.isSafeInteger(sum)) {
    result = sum;
  } else {
    const big = BigInt(value) + BigInt(incr);
    if (big > LLONG_MAX || big < LLONG_MIN) throw overflowErr();
    result = normInt64(big);
  }
  hashTypeSetChecked(h ?? createHash(c, key), argv[2]!, field, typeof result === 'number' ? result : String(result));
  c.engine.signalModifiedKey(c.db, key);
  c.engine.notifyKeyspaceEvent(NOTIFY_HASH, 'hincrby', key, c.db.id);
  c.engine.dirty++;
  return result;
}

/** HINCRBYFLOAT key field increment */
function hincrbyfloatCommand(c: Client, argv: Arg[]): Reply {
  const incr = parseLongDouble(argv[3]!);
  if (ldIsNanOrInf(incr)) throw valueIsNanOrInfinityErr();
  const key = toKey(argv[1]!);
  const field = toKey(argv[2]!);
  const h = lookupHashWrite(c, key);
  const old = h?.get(field);
  let sum = incr;
  if (old !== undefined) {
    const v = valueLongDouble(old);
    if (v === null) throw hashValueNotFloatErr();
    sum = ldAdd(v, incr);
  }
  if (ldIsNanOrInf(sum)) throw nanOrInfinityErr();
  const text = ld2stringHuman(sum);
  hashTypeSetChecked(h ?? createHash(c, key), argv[2]!, field, text);
  c.engine.signalModifiedKey(c.db, key);
  c.engine.notifyKeyspaceEvent(NOTIFY_HASH, 'hincrbyfloat', key, c.db.id);
  c.engine.dirty++;
  // Logged as HSET of the value it produced, so precision and formatting never differ on replay.
  c.rewriteArgv(['HSET', argv[1]!, argv[2]!, text]);
  return text;
}

/** HGET key field */
function hgetCommand(c: Client, argv: Arg[]): Reply {
  const h = lookupHashRead(c, toKey(argv[1]!));
  const v = h?.get(toKey(argv[2]!));
  return v === undefined ? null : valueReply(v);
}

/** HMGET key field [field ...] — a missing key is an empty hash: every field nil. */
function hmgetCommand(c: Client, argv: Arg[]): Reply {
  const h = lookupHashRead(c, toKey(argv[1]!));
  const out = new Array<Reply>(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const v = h?.get(toKey(argv[i]!));
    out[i - 2] = v === undefined ? null : valueReply(v);
  }
  return out;
}

/** HDEL key field [field ...] */
function hdelCommand(c: Client, argv: Arg[]): Reply {
  const key = toKey(argv[1]!);
  const db = c.db;
  const h = lookupHashWrite(c, key);
  if (h === undefined) return 0;
  let deleted = 0;
  let keyremoved = false;
  for (let j = 2; j < argv.length; j++) {
    if (h.delete(toKey(argv[j]!))) {
      deleted++;
      if (h.size === 0) {
        db.dbDelete(key);
        keyremoved = true;
        break;
      }
    }
  }
  if (deleted) {
    c.engine.signalModifiedKey(db, key);
    c.engine.notifyKeyspaceEvent(NOTIFY_HASH, 'hdel', key, db.id);
    if (keyremoved) c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
    c.engine.dirty += deleted;
  }
  return deleted;
}

/** HLEN key */
function hlenCommand(c: Client, argv: Arg[]): Reply {
  return lookupHashRead(c, toKey(argv[1]!))?.size ?? 0;
}

/** HSTRLEN key field */
function hstrlenCommand(c: Client, argv: Arg[]): Reply {
  const v = lookupHashRead(c, toKey(argv[1]!))?.get(toKey(argv[2]!));
  return v === undefined ? 0 : valueLength(v);
}

/** HEXISTS key field */
function hexistsCommand(c: Client, argv: Arg[]): Reply {
  return lookupHashRead(c, toKey(argv[1]!))?.has(toKey(argv[2]!)) ? 1 : 0;
}

const HASH_KEY = 1;
const HASH_VALUE = 2;

/** genericHgetallCommand: HGETALL (a map), HKEYS, HVALS, in the hash's order. */
function hgetallGeneric(c: Client, argv: Arg[], what: number): Reply {
  const h = lookupHashRead(c, toKey(argv[1]!));
  const out: Reply[] = [];
  h?.forEach((v, f) => {
    if (what & HASH_KEY) out.push(keyReply(f));
    if (what & HASH_VALUE) out.push(valueReply(v));
  });
  return what === (HASH_KEY | HASH_VALUE) ? new MapReply(out) : out;
}

/** HKEYS key */
function hkeysCommand(c: Client, argv: Arg[]): Reply {
  return hgetallGeneric(c, argv, HASH_KEY);
}

/** HVALS key */
function hvalsCommand(c: Client, argv: Arg[]): Reply {
  return hgetallGeneric(c, argv, HASH_VALUE);
}

/** HGETALL key */
function hgetallCommand(c: Client, argv: Arg[]): Reply {
  return hgetallGeneric(c, argv, HASH_KEY | HASH_VALUE);
}

/**
 * HSCAN key cursor [MATCH pattern] [COUNT count] — the cursor is checked first, then the key (a
 * missing one replies an empty page before any option is read), then the options. A listpack
 * hash is returned whole with cursor 0, as Redis does; a hash table is walked COUNT fields a call.
 */
function hscanCommand(c: Client, argv: Arg[]): Reply {
  const cursor = parseScanCursor(argv[2]!);
  const h = lookupHashRead(c, toKey(argv[1]!));
  if (h === undefined) return scanReply(0, []);
  const { count, pattern } = parseScanOptions(argv, 3, false);
  const out: Reply[] = [];
  const visit = (f: KeyString): void => {
    if (pattern !== null && !stringmatchlen(pattern, keyLatin1(f))) return;
    out.push(keyReply(f), valueReply(h.get(f)!));
  };
  if (h.listpack) {
    for (const f of h.keys()) visit(f);
    return scanReply(0, out);
  }
  const next = h.scanCursors().step(cursor, count, () => h.keys(), visit, (f) => h.has(f), c.engine.now);
  return scanReply(next, out);
}

/** One field (and its value) of an HRANDFIELD reply: flat in RESP2, a pair in RESP3. */
function pushRandomPair(c: Client, out: Reply[], h: HashObject, f: KeyString, withvalues: boolean): void {
  if (!withvalues) out.push(keyReply(f));
  else if (c.resp === 2) out.push(keyReply(f), valueReply(h.get(f)!));
  else out.push([keyReply(f), valueReply(h.get(f)!)]);
}

/** hrandfieldWithCountCommand */
function hrandfieldWithCount(c: Client, keyArg: Arg, l: number, withvalues: boolean): Reply {
  const h = lookupHashRead(c, toKey(keyArg));
  if (h === undefined) return [];
  const size = h.size;
  const uniq = l >= 0;
  const count = Math.abs(l);
  if (count === 0) return [];
  const random = c.engine.random;
  const out: Reply[] = [];

  // CASE 1: a negative count: that many independent picks, repeats allowed.
  if (!uniq || count === 1) {
    if (count * (withvalues && c.resp === 2 ? 2 : 1) > HRANDFIELD_MAX_REPLY) throw randomReplyTooLargeErr(HRANDFIELD_MAX_REPLY);
    for (let i = 0; i < count; i++) pushRandomPair(c, out, h, h.randomField(random), withvalues);
    return out;
  }

  // CASE 2: as many fields as the hash has, or more: the whole hash.
  if (count >= size) {
    for (const f of h.keys()) pushRandomPair(c, out, h, f, withvalues);
    return out;
  }

  // CASE 3 and 4: `count` distinct fields, uniformly. Floyd's sampling draws them in O(count)
  // whether count is close to the size (where Redis copies the hash and removes fields) or far
  // below it (where Redis picks until it has enough distinct ones).
  const picked = new Set<number>();
  for (let j = size - count; j < size; j++) {
    const t = Math.floor(random() * (j + 1));
    picked.add(picked.has(t) ? j : t);
  }
  for (const i of picked) pushRandomPair(c, out, h, h.fieldAt(i), withvalues);
  return out;
}

/** LONG_MAX / 2: WITHVALUES counts beyond ± this are refused ("value is out of range"). */
const LONG_MAX_HALF = LLONG_MAX / 2n;

/** strcasecmp(arg, name) === 0: the argument as a C string (cut at its first NUL), ASCII case folded. */
function cStringIs(a: Arg, lowerName: string): boolean {
  let s = argLatin1(a);
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  return s.length === lowerName.length && s.toLowerCase() === lowerName;
}

/** HRANDFIELD key [count [WITHVALUES]] */
function hrandfieldCommand(c: Client, argv: Arg[]): Reply {
  if (argv.length >= 3) {
    // getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX), then the syntax, then WITHVALUES' range.
    const v = parseInt64(argv[2]!);
    if (v === LLONG_MIN) throw rangeLongErr(String(-LLONG_MAX), String(LLONG_MAX));
    if (argv.length > 4 || (argv.length === 4 && !cStringIs(argv[3]!, 'withvalues'))) throw syntaxErr();
    const withvalues = argv.length === 4;
    if (withvalues && typeof v === 'bigint' && (v < -LONG_MAX_HALF || v > LONG_MAX_HALF)) throw valueOutOfRangeErr();
    // Counts past 2^53 behave as any huge count: the whole hash, or a reply too large to build.
    const l = typeof v === 'number' ? v : v > 0n ? Number.MAX_SAFE_INTEGER : -Number.MAX_SAFE_INTEGER;
    return hrandfieldWithCount(c, argv[1]!, l, withvalues);
  }
  const h = lookupHashRead(c, toKey(argv[1]!));
  return h === undefined ? null : keyReply(h.randomField(c.engine.random));
}

export const hashCommands: CommandHandlers = {
  hdel: hdelCommand,
  hexists: hexistsCommand,
  hget: hgetCommand,
  hgetall: hgetallCommand,
  hincrby: hincrbyCommand,
  hincrbyfloat: hincrbyfloatCommand,
  hkeys: hkeysCommand,
  hlen: hlenCommand,
  hmget: hmgetCommand,
  hmset: hmsetCommand,
  hrandfield: hrandfieldCommand,
  hscan: hscanCommand,
  hset: hsetCommand,
  hsetnx: hsetnxCommand,
  hstrlen: hstrlenCommand,
  hvals: hvalsCommand,
};
