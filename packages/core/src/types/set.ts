/**
 * Sets (t_set.c): SADD SCARD SDIFF SDIFFSTORE SINTER SINTERCARD SINTERSTORE SISMEMBER SMEMBERS
 * SMISMEMBER SMOVE SPOP SRANDMEMBER SREM SSCAN SUNION SUNIONSTORE.
 *
 * A set is a Map from member (a canonical KeyString, sds.ts: binary-safe) to its slot in an
 * array of the members. The Map answers membership in O(1) and its live iterator serves SSCAN
 * (scan.ts); the array gives a uniformly random member in O(1), as Redis' dictGetFairRandomKey
 * does, so SPOP and SRANDMEMBER cost O(count) whatever the size of the set. A removal moves the
 * array's last member into the hole (the Map's order, which SSCAN walks, does not change).
 *
 * Redis 7.0 keeps a set of at most 512 (set-max-intset-entries) integers as an intset: a sorted
 * array, which its replies and SSCAN walk in numeric order, SSCAN returning it whole in one call.
 * A set here carries the same encoding flag, following Redis' rules (an intset turns into a hash
 * table for good when a non-integer or a 513th member is added; SPOP rebuilds a set it takes most
 * of), so those replies are Redis' own. A hash table's order is Redis' hash order, which nothing
 * promises (the command tips say nondeterministic_output_order): members come in the Map's order.
 *
 * SINTER walks the smallest set and probes the others; SINTERCARD's LIMIT stops the walk early;
 * SDIFF picks between Redis' two algorithms by the same estimate of their work.
 */
import type { Client } from '../client.js';
import type { CommandHandlers } from '../commands.js';
import {
  limitNegativeErr,
  mustBePositiveErr,
  notIntegerErr,
  numkeysErr,
  numkeysOverArgsErr,
  randomReplyTooLargeErr,
  rangeLongErr,
  syntaxErr,
} from '../errors.js';
import type { RedisDb } from '../keyspace.js';
import { parseScanOptions, scanReply } from '../keyspace.js';
import { NOTIFY_GENERIC, NOTIFY_SET } from '../notify.js';
import { asType, type RedisObject, type TypedObject } from '../object.js';
import { SetReply, type Reply } from '../reply.js';
import type { ByteReader, ByteWriter } from '../rio.js';
import { parseScanCursor, ScanCursors } from '../scan.js';
import { argLatin1, BINARY_MARK, keyLatin1, keyReply, latin1ToBytes, toKey, type Arg, type KeyString } from '../sds.js';
import { LLONG_MAX, LLONG_MIN, string2ll, stringmatchlen } from '../util.js';

/** set-max-intset-entries (Redis' default; Lodis has no CONFIG SET for it). */
export const SET_MAX_INTSET_ENTRIES = 512;

/** isSdsRepresentableAsLongLong: the member is an int64 as string2ll reads it (the intset rule). */
function isIntegerMember(m: KeyString): boolean {
  const c = m.charCodeAt(0);
  return (c === 45 /* '-' */ || (c >= 48 && c <= 57)) && string2ll(m) !== null;
}

/** Numeric order of two canonical int64 strings (no leading zeros, no "-0"), without parsing them. */
function compareIntegers(a: KeyString, b: KeyString): number {
  const an = a.charCodeAt(0) === 45;
  const bn = b.charCodeAt(0) === 45;
  if (an !== bn) return an ? -1 : 1;
  const c = a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
  return an ? -c : c;
}

/** The set (Redis' OBJ_SET): see the top of this file. */
export class SetObject implements TypedObject {
  readonly type = 'set';
  /** member → its index in `items` */
  private readonly slots: Map<KeyString, number>;
  private readonly items: KeyString[];
  /** Redis' encoding: OBJ_ENCODING_INTSET (true) or OBJ_ENCODING_HT. A new set is an intset. */
  intset: boolean;
  /** SSCAN's live cursors (created on first use). */
  private cursors: ScanCursors<KeyString> | null = null;

  /** An empty set (the arguments are dup's). */
  constructor(slots = new Map<KeyString, number>(), items: KeyString[] = [], intset = true) {
    this.slots = slots;
    this.items = items;
    this.intset = intset;
  }

  /** A set of these members, encoded as Redis would build it by adding them (tests). */
  static from(members: Iterable<KeyString>): SetObject {
    const s = new SetObject();
    for (const m of members) s.add(m);
    return s;
  }

  get size(): number {
    return this.items.length;
  }

  has(member: KeyString): boolean {
    return this.slots.has(member);
  }

  /** setTypeAdd: true when the member was not there. An intset turns into a hash table as in Redis. */
  add(member: KeyString): boolean {
    if (this.slots.has(member)) return false;
    this.slots.set(member, this.items.length);
    this.items.push(member);
    if (this.intset && (this.items.length > SET_MAX_INTSET_ENTRIES || !isIntegerMember(member))) this.intset = false;
    return true;
  }

  /** setTypeRemove: true when the member was there. */
  remove(member: KeyString): boolean {
    const i = this.slots.get(member);
    if (i === undefined) return false;
    const last = this.items.pop()!;
    if (last !== member) {
      this.items[i] = last;
      this.slots.set(last, i); // an existing Map key keeps its place in the iteration order
    }
    this.slots.delete(member);
    return true;
  }

  /** The member in slot `i` (0 <= i < size): with a random `i`, a uniformly random member. */
  at(i: number): KeyString {
    return this.items[i]!;
  }

  /** setTypeRandomElement: a uniformly random member of a non-empty set. */
  random(rnd: () => number): KeyString {
    return this.items[Math.floor(rnd() * this.items.length)]!;
  }

  /**
   * The members in the order Redis walks them (setTypeNext): numeric for an intset, else the Map's
   * order. Replies list members in this order.
   */
  members(): Iterable<KeyString> {
    return this.intset ? this.items.slice().sort(compareIntegers) : this.slots.keys();
  }

  /** The members in the Map's order, as a live iterator (SSCAN keeps one between calls). */
  keys(): IterableIterator<KeyString> {
    return this.slots.keys();
  }

  [Symbol.iterator](): IterableIterator<KeyString> {
    return this.slots.keys();
  }

  /** The encoding of a set built anew from its members (SPOP's CASE 3 does so). */
  reencode(): void {
    this.intset = this.items.length <= SET_MAX_INTSET_ENTRIES && this.items.every(isIntegerMember);
  }

  get scanCursors(): ScanCursors<KeyString> {
    return (this.cursors ??= new ScanCursors<KeyString>());
  }

  /** setTypeDup (COPY): the same members and encoding. */
  dup(): SetObject {
    return new SetObject(new Map(this.slots), this.items.slice(), this.intset);
  }
}

// ---- snapshot codec (rdb.ts) -------------------------------------------------------------------

/**
 * A set in a snapshot: varint(count * 2 + intset), then each member, in the Map's order, as tagged
 * text (flag 0) or bytes (flag 1). The encoding is kept as it was: Redis derives it again when it
 * loads an RDB file, but a loaded Lodis store is the one that was saved.
 */
export function writeSetObject(w: ByteWriter, o: SetObject): void {
  w.varint(o.size * 2 + (o.intset ? 1 : 0));
  for (const m of o.keys()) {
    if (m.charCodeAt(0) === 0xdc00) w.taggedBytes(latin1ToBytes(m.slice(1)), 1);
    else w.taggedText(m, 0);
  }
}

export function readSetObject(r: ByteReader): SetObject {
  const { length: count, flag: intset } = r.tag();
  const s = new SetObject();
  for (let n = count; n > 0; n--) {
    const { length, flag } = r.tag();
    s.add(flag ? BINARY_MARK + r.latin1(length) : r.text(length));
  }
  s.intset = intset === 1;
  return s;
}

// ---- helpers -----------------------------------------------------------------------------------

/** checkType for sets: the set, undefined for no key, or WRONGTYPE. */
function setOf(o: RedisObject | undefined): SetObject | undefined {
  return asType<SetObject>(o, 'set');
}

/** Members as a reply's elements. */
function membersReply(members: Iterable<KeyString>): Reply[] {
  const out: Reply[] = [];
  for (const m of members) out.push(keyReply(m));
  return out;
}

/** An option as strcasecmp compares it: the argument up to its first NUL, ASCII case folded. */
function optionIs(a: Arg, lowerName: string): boolean {
  let s = argLatin1(a);
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  return s.length === lowerName.length && s.toLowerCase() === lowerName;
}

/**
 * getRangeLongFromObjectOrReply(min, LONG_MAX) with a message for every failure (`makeErr`):
 * the argument as a count, values past 2^53 clamped (every count that large means "all").
 */
function parseCount(a: Arg, min: number, makeErr: () => Error): number {
  const v = string2ll(argLatin1(a));
  if (v === null) throw makeErr();
  if (typeof v === 'bigint') {
    if (v < 0n) throw makeErr();
    return Number.MAX_SAFE_INTEGER;
  }
  if (v < min) throw makeErr();
  return v;
}

/** Delete a set emptied by a removal, with its "del" event (as every set command does). */
function deleteIfEmpty(c: Client, key: KeyString, set: SetObject): boolean {
  if (set.size !== 0) return false;
  c.db.dbDelete(key);
  c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, c.db.id);
  return true;
}

/**
 * The end of every *STORE command: `result` becomes the value of `dstKey` (whatever it held, its
 * TTL dropped), or `dstKey` is deleted when the result is empty. Replies with the result's size.
 */
function storeResult(c: Client, dstKey: KeyString, result: SetObject, event: string): Reply {
  const db = c.db;
  if (result.size > 0) {
    db.lookupKeyWrite(dstKey); // setKey's lookup: an expired destination is deleted first
    db.setKey(dstKey, result);
    c.engine.notifyKeyspaceEvent(NOTIFY_SET, event, dstKey, db.id);
    c.engine.dirty++;
    return result.size;
  }
  if (db.dbDelete(dstKey)) {
    c.engine.dirty++;
    c.engine.signalModifiedKey(db, dstKey);
    c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', dstKey, db.id);
  }
  return 0;
}

/**
 * The sets named by argv[first..last): a set, or null for a missing key (an empty set). Every key
 * is looked up (and type-checked, WRONGTYPE on the first that is not a set) before any work.
 */
function lookupSets(db: RedisDb, argv: Arg[], first: number, last: number): (SetObject | null)[] {
  const sets: (SetObject | null)[] = [];
  for (let j = first; j < last; j++) sets.push(setOf(db.lookupKeyRead(toKey(argv[j]!))) ?? null);
  return sets;
}

// ---- SADD SREM SMOVE ---------------------------------------------------------------------------

/** SADD key member [member ...] */
function saddCommand(c: Client, argv: Arg[]): Reply {
  const db = c.db;
  const key = toKey(argv[1]!);
  let set = setOf(db.lookupKeyWrite(key));
  if (set === undefined) {
    set = new SetObject();
    db.dbAdd(key, set);
  }
  let added = 0;
  for (let j = 2; j < argv.length; j++) if (set.add(toKey(argv[j]!))) added++;
  if (added) {
    c.engine.signalModifiedKey(db, key);
    c.engine.notifyKeyspaceEvent(NOTIFY_SET, 'sadd', key, db.id);
  }
  c.engine.dirty += added;
  return added;
}

/** SREM key member [member ...] */
function sremCommand(c: Client, argv: Arg[]): Reply {
  const db = c.db;
  const key = toKey(argv[1]!);
  const set = setOf(db.lookupKeyWrite(key));
  if (set === undefined) return 0;
  let deleted = 0;
  let keyRemoved = false;
  for (let j = 2; j < argv.length; j++) {
    if (set.remove(toKey(argv[j]!))) {
      deleted++;
      if (set.size === 0) {
        db.dbDelete(key);
        keyRemoved = true;
        break;
      }
    }
  }
  if (deleted) {
    c.engine.signalModifiedKey(db, key);
    c.engine.notifyKeyspaceEvent(NOTIFY_SET, 'srem', key, db.id);
    if (keyRemoved) c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
    c.engine.dirty += deleted;
  }
  return deleted;
}

/**
 * SMOVE source destination member — 0 when the source is missing (whatever the destination
 * holds) or lacks the member; source and destination the same set: whether it is a member.
 */
function smoveCommand(c: Client, argv: Arg[]): Reply {
  const db = c.db;
  const srcKey = toKey(argv[1]!);
  const dstKey = toKey(argv[2]!);
  const src = db.lookupKeyWrite(srcKey);
  const dst = db.lookupKeyWrite(dstKey);
  const member = toKey(argv[3]!);
  if (src === undefined) return 0;
  const srcset = setOf(src)!;
  let dstset = setOf(dst);
  if (srcset === dstset) return srcset.has(member) ? 1 : 0;
  if (!srcset.remove(member)) return 0;
  c.engine.notifyKeyspaceEvent(NOTIFY_SET, 'srem', srcKey, db.id);
  deleteIfEmpty(c, srcKey, srcset);
  if (dstset === undefined) {
    dstset = new SetObject();
    db.dbAdd(dstKey, dstset);
  }
  c.engine.signalModifiedKey(db, srcKey);
  c.engine.dirty++;
  if (dstset.add(member)) {
    c.engine.dirty++;
    c.engine.signalModifiedKey(db, dstKey);
    c.engine.notifyKeyspaceEvent(NOTIFY_SET, 'sadd', dstKey, db.id);
  }
  return 1;
}

// ---- SISMEMBER SMISMEMBER SCARD ----------------------------------------------------------------

/** SISMEMBER key member */
function sismemberCommand(c: Client, argv: Arg[]): Reply {
  const set = setOf(c.db.lookupKeyRead(toKey(argv[1]!)));
  return set !== undefined && set.has(toKey(argv[2]!)) ? 1 : 0;
}

/** SMISMEMBER key member [member ...] — a missing key is an empty set: all zeros. */
function smismemberCommand(c: Client, argv: Arg[]): Reply {
  const set = setOf(c.db.lookupKeyRead(toKey(argv[1]!)));
  const out: Reply[] = [];
  for (let j = 2; j < argv.length; j++) out.push(set !== undefined && set.has(toKey(argv[j]!)) ? 1 : 0);
  return out;
}

/** SCARD key */
function scardCommand(c: Client, argv: Arg[]): Reply {
  return setOf(c.db.lookupKeyRead(toKey(argv[1]!)))?.size ?? 0;
}

// ---- SPOP SRANDMEMBER --------------------------------------------------------------------------

/**
 * `count` distinct slots of a set of `size` (count < size), uniformly at random (Floyd's
 * algorithm): O(count) time and memory however large the set.
 */
function randomSlots(size: number, count: number, rnd: () => number): Set<number> {
  const chosen = new Set<number>();
  for (let j = size - count; j < size; j++) {
    const t = Math.floor(rnd() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return chosen;
}

/**
 * SPOP key [count] — a random member removed, or `count` distinct ones (a set reply). Logged as
 * SREM of what was popped, or DEL when the whole set was (spopWithCountCommand).
 */
function spopCommand(c: Client, argv: Arg[]): Reply {
  if (argv.length === 3) return spopWithCountCommand(c, argv);
  if (argv.length > 3) throw syntaxErr();
  const db = c.db;
  const key = toKey(argv[1]!);
  const set = setOf(db.lookupKeyWrite(key));
  if (set === undefined) return null;
  const member = set.random(c.engine.random);
  set.remove(member);
  c.engine.notifyKeyspaceEvent(NOTIFY_SET, 'spop', key, db.id);
  const reply = keyReply(member);
  c.rewriteArgv(['SREM', argv[1]!, reply]);
  deleteIfEmpty(c, key, set);
  c.engine.signalModifiedKey(db, key);
  c.engine.dirty++;
  return reply;
}

/** SPOP count takes CASE 3 when what remains, times this, is at most what is popped. */
const SPOP_MOVE_STRATEGY_MUL = 5;

function spopWithCountCommand(c: Client, argv: Arg[]): Reply {
  const count = parseCount(argv[2]!, 0, mustBePositiveErr);
  const db = c.db;
  const key = toKey(argv[1]!);
  const set = setOf(db.lookupKeyWrite(key));
  if (set === undefined || count === 0) return new SetReply([]);
  const size = set.size;
  c.engine.notifyKeyspaceEvent(NOTIFY_SET, 'spop', key, db.id);
  c.engine.dirty += Math.min(count, size);
  if (count >= size) {
    // The whole set: Redis replies with SUNION of the key (its lookup counts a keyspace hit). The
    // union is a new set, whose encoding gives the order: an intset when it can be one.
    db.lookupKeyRead(key);
    const union = size <= SET_MAX_INTSET_ENTRIES ? SetObject.from(set.keys()) : set;
    const reply = new SetReply(membersReply(union.members()));
    db.dbDelete(key);
    c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
    c.rewriteArgv(['DEL', argv[1]!]);
    c.engine.signalModifiedKey(db, key);
    return reply;
  }
  const popped: Reply[] = [];
  for (let i = 0; i < count; i++) {
    const member = set.random(c.engine.random);
    set.remove(member);
    popped.push(keyReply(member));
  }
  // CASE 3 (most of the set popped): Redis builds a new set of what remains, encoded afresh.
  if ((size - count) * SPOP_MOVE_STRATEGY_MUL <= count) set.reencode();
  c.rewriteArgv(['SREM', argv[1]!, ...(popped as Arg[])]);
  c.engine.signalModifiedKey(db, key);
  return new SetReply(popped);
}

/**
 * The most members SRANDMEMBER's negative count may ask for (as HRANDFIELD's). Redis streams the
 * reply for any count up to 2^63-1, bounded only by the client's output buffer limit (none by
 * default); Lodis builds a reply in memory before sending it, so it refuses a larger one.
 */
export const SRANDMEMBER_MAX_REPLY = 1 << 24;

/**
 * SRANDMEMBER key [count] — a random member; with a count, up to `count` distinct members, or
 * with a negative count exactly -count members, repeats allowed (srandmemberWithCountCommand).
 */
function srandmemberCommand(c: Client, argv: Arg[]): Reply {
  if (argv.length === 3) return srandmemberWithCountCommand(c, argv);
  if (argv.length > 3) throw syntaxErr();
  const set = setOf(c.db.lookupKeyRead(toKey(argv[1]!)));
  return set === undefined ? null : keyReply(set.random(c.engine.random));
}

function srandmemberWithCountCommand(c: Client, argv: Arg[]): Reply {
  const v = string2ll(argLatin1(argv[2]!));
  if (v === null) throw notIntegerErr();
  if (v === LLONG_MIN) throw rangeLongErr(String(-LLONG_MAX), String(LLONG_MAX));
  const uniq = v >= 0;
  const count = typeof v === 'bigint' ? Number.MAX_SAFE_INTEGER : Math.abs(v);
  const set = setOf(c.db.lookupKeyRead(toKey(argv[1]!)));
  if (set === undefined || count === 0) return [];
  const size = set.size;
  const rnd = c.engine.random;
  // CASE 1: a negative count samples with replacement (so does a count of 1).
  if (!uniq || count === 1) {
    if (count > SRANDMEMBER_MAX_REPLY) throw randomReplyTooLargeErr(SRANDMEMBER_MAX_REPLY);
    const out = new Array<Reply>(count);
    for (let i = 0; i < count; i++) out[i] = keyReply(set.random(rnd));
    return out;
  }
  // CASE 2: the whole set.
  if (count >= size) return membersReply(set.members());
  // CASES 3 and 4: `count` distinct members.
  const out: Reply[] = [];
  for (const slot of randomSlots(size, count, rnd)) out.push(keyReply(set.at(slot)));
  return out;
}

// ---- SINTER SINTERCARD SINTERSTORE SMEMBERS ----------------------------------------------------

/**
 * sinterGenericCommand: the intersection of argv[first..last). Walks the smallest set and
 * probes the others. `dstKey` stores the result (SINTERSTORE); `cardinalityOnly` replies with
 * its size, stopping at `limit` members when that is not 0 (SINTERCARD).
 */
function sinterGeneric(
  c: Client,
  argv: Arg[],
  first: number,
  last: number,
  dstKey: KeyString | null,
  cardinalityOnly: boolean,
  limit: number,
): Reply {
  const all = lookupSets(c.db, argv, first, last);
  if (all.includes(null)) {
    // An intersection with an empty set is empty.
    if (dstKey !== null) return storeResult(c, dstKey, new SetObject(), 'sinterstore');
    return cardinalityOnly ? 0 : new SetReply([]);
  }
  const sets = (all as SetObject[]).sort((a, b) => a.size - b.size);
  const smallest = sets[0]!;
  const others = sets.filter((s) => s !== smallest);
  const result = dstKey !== null ? new SetObject() : null;
  const reply: Reply[] = [];
  let cardinality = 0;
  outer: for (const m of smallest.members()) {
    for (const s of others) if (!s.has(m)) continue outer;
    if (cardinalityOnly) {
      cardinality++;
      if (limit && cardinality >= limit) break;
    } else if (result !== null) {
      result.add(m);
    } else {
      reply.push(keyReply(m));
    }
  }
  if (cardinalityOnly) return cardinality;
  if (result !== null) return storeResult(c, dstKey!, result, 'sinterstore');
  return new SetReply(reply);
}

/** SINTER key [key ...] */
function sinterCommand(c: Client, argv: Arg[]): Reply {
  return sinterGeneric(c, argv, 1, argv.length, null, false, 0);
}

/** SMEMBERS key — Redis serves it with SINTER of the one key. */
const smembersCommand = sinterCommand;

/** SINTERCARD numkeys key [key ...] [LIMIT limit] */
function sintercardCommand(c: Client, argv: Arg[]): Reply {
  const numkeys = parseCount(argv[1]!, 1, numkeysErr);
  if (numkeys > argv.length - 2) throw numkeysOverArgsErr();
  let limit = 0;
  for (let j = 2 + numkeys; j < argv.length; j++) {
    if (optionIs(argv[j]!, 'limit') && j < argv.length - 1) {
      limit = parseCount(argv[++j]!, 0, limitNegativeErr);
    } else {
      throw syntaxErr();
    }
  }
  return sinterGeneric(c, argv, 2, 2 + numkeys, null, true, limit);
}

/** SINTERSTORE destination key [key ...] */
function sinterstoreCommand(c: Client, argv: Arg[]): Reply {
  return sinterGeneric(c, argv, 2, argv.length, toKey(argv[1]!), false, 0);
}

// ---- SUNION SDIFF and their STOREs -------------------------------------------------------------

const SET_OP_UNION = 0;
const SET_OP_DIFF = 1;

/**
 * SDIFF's two algorithms (sunionDiffGenericCommand): 1 walks the first set and probes the others,
 * O(N·M); 2 copies the first set and removes the others' members, O(total size). Redis' estimate
 * of their work, with algorithm 1's better constants given a factor of two.
 */
function diffAlgorithm(sets: (SetObject | null)[]): 1 | 2 {
  const first = sets[0]!;
  let algoOneWork = 0;
  let algoTwoWork = 0;
  for (const s of sets) {
    if (s === null) continue;
    algoOneWork += first.size;
    algoTwoWork += s.size;
  }
  return Math.floor(algoOneWork / 2) <= algoTwoWork ? 1 : 2;
}

/** sunionDiffGenericCommand: SUNION SUNIONSTORE SDIFF SDIFFSTORE. */
function sunionDiffGeneric(c: Client, argv: Arg[], first: number, dstKey: KeyString | null, op: number): Reply {
  const sets = lookupSets(c.db, argv, first, argv.length);
  const result = new SetObject();
  if (op === SET_OP_UNION) {
    for (const s of sets) if (s !== null) for (const m of s.keys()) result.add(m);
  } else if (sets[0] !== null && !sets.slice(1).includes(sets[0]!)) {
    // (A key also given later as a subtrahend leaves nothing: the result stays empty.)
    const head = sets[0]!;
    if (diffAlgorithm(sets) === 1) {
      // Subtract the largest sets first: an element found in one is dropped sooner.
      const rest = (sets.slice(1).filter((s) => s !== null) as SetObject[]).sort((a, b) => b.size - a.size);
      outer: for (const m of head.keys()) {
        for (const s of rest) if (s.has(m)) continue outer;
        result.add(m);
      }
    } else {
      for (const m of head.keys()) result.add(m);
      for (let j = 1; j < sets.length && result.size !== 0; j++) {
        const s = sets[j];
        if (s) for (const m of s.keys()) result.remove(m);
      }
    }
  }
  if (dstKey === null) return new SetReply(membersReply(result.members()));
  return storeResult(c, dstKey, result, op === SET_OP_UNION ? 'sunionstore' : 'sdiffstore');
}

/** SUNION key [key ...] */
function sunionCommand(c: Client, argv: Arg[]): Reply {
  return sunionDiffGeneric(c, argv, 1, null, SET_OP_UNION);
}

/** SUNIONSTORE destination key [key ...] */
function sunionstoreCommand(c: Client, argv: Arg[]): Reply {
  return sunionDiffGeneric(c, argv, 2, toKey(argv[1]!), SET_OP_UNION);
}

/** SDIFF key [key ...] */
function sdiffCommand(c: Client, argv: Arg[]): Reply {
  return sunionDiffGeneric(c, argv, 1, null, SET_OP_DIFF);
}

/** SDIFFSTORE destination key [key ...] */
function sdiffstoreCommand(c: Client, argv: Arg[]): Reply {
  return sunionDiffGeneric(c, argv, 2, toKey(argv[1]!), SET_OP_DIFF);
}

// ---- SSCAN -------------------------------------------------------------------------------------

/**
 * SSCAN key cursor [MATCH pattern] [COUNT count] — the cursor is checked first, then the key
 * (missing: an empty page, whatever the options), then the options (scanGenericCommand). An
 * intset is returned whole, in order, with cursor 0, whatever the cursor and COUNT.
 */
function sscanCommand(c: Client, argv: Arg[]): Reply {
  const cursor = parseScanCursor(argv[2]!);
  const set = setOf(c.db.lookupKeyRead(toKey(argv[1]!)));
  if (set === undefined) return scanReply(0, []);
  const { count, pattern } = parseScanOptions(argv, 3, false);
  const out: Reply[] = [];
  const visit = (m: KeyString): void => {
    if (pattern === null || stringmatchlen(pattern, keyLatin1(m))) out.push(keyReply(m));
  };
  if (set.intset) {
    for (const m of set.members()) visit(m);
    return scanReply(0, out);
  }
  const next = set.scanCursors.step(cursor, count, () => set.keys(), visit, (m) => set.has(m), c.engine.now);
  return scanReply(next, out);
}

export const setCommands: CommandHandlers = {
  sadd: saddCommand,
  srem: sremCommand,
  smove: smoveCommand,
  sismember: sismemberCommand,
  smismember: smismemberCommand,
  scard: scardCommand,
  spop: spopCommand,
  srandmember: srandmemberCommand,
  sinter: sinterCommand,
  smembers: smembersCommand,
  sintercard: sintercardCommand,
  sinterstore: sinterstoreCommand,
  sunion: sunionCommand,
  sunionstore: sunionstoreCommand,
  sdiff: sdiffCommand,
  sdiffstore: sdiffstoreCommand,
  sscan: sscanCommand,
};
