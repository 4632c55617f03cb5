/**
 * The keyspace (db.c): numbered databases, each a Map from key to value plus a Map from key to
 * its absolute expiry time in ms. Keys are canonical strings (sds.ts). Every read goes through
 * lookupKeyRead/lookupKeyWrite, which expire a key lazily when its time has passed, so a store
 * with no timers (edge runtimes) still never returns an expired key.
 *
 * The commands of db.c live here too: DEL UNLINK EXISTS TYPE KEYS SCAN RANDOMKEY RENAME RENAMENX
 * COPY MOVE DBSIZE SELECT SWAPDB FLUSHDB FLUSHALL. The EXPIRE family, TTL and TOUCH are in
 * expire.ts.
 */
import { signalDeletedStream, signalKeyAsReady } from './blocked.js';
import type { Client } from './client.js';
import type { CommandHandlers } from './commands.js';
import { KeyMeta } from './evict.js';
import {
  dbIndexOutOfRangeErr,
  err,
  intRangeErr,
  noSuchKeyErr,
  notIntegerErr,
  sameObjectErr,
  syntaxErr,
} from './errors.js';
import { NOTIFY_EXPIRED, NOTIFY_GENERIC, NOTIFY_KEY_MISS, NOTIFY_NEW } from './notify.js';
import { dupObject, objectType, type RedisObject } from './object.js';
import { OK, Status, type Reply } from './reply.js';
import { parseScanCursor, ScanCursors } from './scan.js';
import { argIs, argLatin1, keyLatin1, keyReply, toKey, type Arg, type KeyString } from './sds.js';
import type { Engine } from './server.js';
import { normInt64, string2ll, stringmatchlen, type Int64 } from './util.js';

// lookupKey flags (db.c).
export const LOOKUP_NONE = 0;
export const LOOKUP_NOTOUCH = 1 << 0; /* don't update the key's access time (evict.ts) */
export const LOOKUP_NONOTIFY = 1 << 1; /* no "keymiss" event */
export const LOOKUP_NOSTATS = 1 << 2; /* no keyspace hits/misses */

/** RANDOMKEY moves its rolling iterator on by a random 0..RANDOMKEY_MAX_SKIP-1 keys per call. */
const RANDOMKEY_MAX_SKIP = 16;

export class RedisDb {
  // Not readonly: SWAPDB exchanges the contents of two databases (dbSwapDatabases).
  dict = new Map<KeyString, RedisObject>();
  /** Absolute unix time in ms; a number, or a bigint past 2^53 (EXPIREAT can set any int64). */
  expires = new Map<KeyString, Int64>();
  /** activeExpireCycle's place in `expires` (Redis' db->expires_cursor). */
  expiresCursor: Iterator<[KeyString, Int64]> | null = null;
  /** SCAN's live cursors over `dict`. */
  scanCursors = new ScanCursors<KeyString>();
  /** RANDOMKEY's place in `dict`. */
  randomCursor: Iterator<KeyString> | null = null;
  /** Each key's access time (robj.lru) and accounted bytes, for eviction and MEMORY (evict.ts). */
  meta: KeyMeta;

  constructor(
    readonly id: number,
    readonly engine: Engine,
  ) {
    this.meta = new KeyMeta(this, engine);
  }

  get size(): number {
    return this.dict.size;
  }

  /**
   * lookupKeyRead: the value, after expiring the key if its time has passed. Counts keyspace
   * hits and misses and fires "keymiss" as Redis does, unless `flags` say otherwise.
   */
  lookupKeyRead(key: KeyString, flags = LOOKUP_NONE): RedisObject | undefined {
    const val = this.expires.size !== 0 && this.expireIfNeeded(key) ? undefined : this.dict.get(key);
    if (val !== undefined) {
      if (!(flags & LOOKUP_NOTOUCH)) this.meta.touch(key);
      if (!(flags & LOOKUP_NOSTATS)) this.engine.stat.keyspaceHits++;
    } else {
      if (!(flags & LOOKUP_NONOTIFY) && this.engine.notifyKeyspaceEventsFlags & NOTIFY_KEY_MISS) {
        this.engine.notifyKeyspaceEvent(NOTIFY_KEY_MISS, 'keymiss', key, this.id);
      }
      if (!(flags & LOOKUP_NOSTATS)) this.engine.stat.keyspaceMisses++;
    }
    return val;
  }

  /**
   * lookupKeyWrite: the value, after lazy expiry (Lodis has no replicas, so this differs from
   * lookupKeyRead only in keeping no stats and firing no "keymiss", as in Redis).
   */
  lookupKeyWrite(key: KeyString): RedisObject | undefined {
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return undefined;
    // The caller may modify the value in place: a running snapshot copies it first.
    if (this.engine.snapshotInProgress !== null) this.engine.snapshotInProgress.beforeChange(this, key);
    const val = this.dict.get(key);
    if (val !== undefined) this.meta.touchForWrite(key, val);
    return val;
  }

  /**
   * A value found by lookupKeyRead is about to be modified in place (PFCOUNT caching its
   * cardinality): what lookupKeyWrite does for a running snapshot. Every in-place change after a
   * read lookup must call this.
   */
  beforeInPlaceWrite(key: KeyString): void {
    if (this.engine.snapshotInProgress !== null) this.engine.snapshotInProgress.beforeChange(this, key);
    this.meta.changedInPlace(key);
  }

  /** True when the key exists (after lazy expiry). */
  exists(key: KeyString): boolean {
    return this.lookupKeyWrite(key) !== undefined;
  }

  /** dbAdd: add a key that does not exist. */
  dbAdd(key: KeyString, val: RedisObject): void {
    if (this.engine.snapshotInProgress !== null) this.engine.snapshotInProgress.beforeChange(this, key);
    this.dict.set(key, val);
    this.meta.add(key, val);
    if (typeof val === 'object' && !(val instanceof Uint8Array)) signalKeyAsReady(this, key, val);
    this.engine.notifyKeyspaceEvent(NOTIFY_NEW, 'new', key, this.id);
  }

  /** dbAddRDBLoad: a key read from a snapshot (no events, nobody is blocked yet). */
  dbAddRDBLoad(key: KeyString, val: RedisObject): void {
    const old = this.dict.get(key);
    this.dict.set(key, val);
    this.meta.set(key, val, old);
  }

  /**
   * setKey: create or overwrite a key, dropping its TTL unless `keepTtl`, and signal the change
   * to WATCH. Notifications are the caller's, as in Redis (but "new" is dbAdd's).
   */
  setKey(key: KeyString, val: RedisObject, keepTtl = false): void {
    const isNew = this.engine.notifyKeyspaceEventsFlags & NOTIFY_NEW ? !this.dict.has(key) : false;
    if (this.engine.snapshotInProgress !== null) this.engine.snapshotInProgress.beforeChange(this, key);
    if (this.engine.blocking.count !== 0) signalDeletedStream(this, key, this.dict.get(key));
    const old = this.dict.get(key);
    this.dict.set(key, val);
    this.meta.set(key, val, old);
    if (!keepTtl && this.expires.size !== 0) this.expires.delete(key);
    if (typeof val === 'object' && !(val instanceof Uint8Array)) signalKeyAsReady(this, key, val);
    if (isNew) this.engine.notifyKeyspaceEvent(NOTIFY_NEW, 'new', key, this.id);
    this.engine.signalModifiedKey(this, key);
  }

  /** Replace a key's value in place (same key, TTL kept), e.g. after APPEND turned text into bytes. */
  dbOverwrite(key: KeyString, val: RedisObject): void {
    if (this.engine.snapshotInProgress !== null) this.engine.snapshotInProgress.beforeChange(this, key);
    if (this.engine.blocking.count !== 0) signalDeletedStream(this, key, this.dict.get(key));
    const old = this.dict.get(key);
    this.dict.set(key, val);
    this.meta.set(key, val, old, true);
  }

  /** dbDelete: remove a key and its TTL; true if it existed. */
  dbDelete(key: KeyString): boolean {
    if (this.engine.snapshotInProgress !== null) this.engine.snapshotInProgress.beforeChange(this, key);
    if (this.engine.blocking.count !== 0) signalDeletedStream(this, key, this.dict.get(key));
    if (!this.dict.delete(key)) return false;
    this.meta.delete(key);
    if (this.expires.size !== 0) this.expires.delete(key);
    return true;
  }

  /** setExpire: `when` is absolute unix time in ms (an int64; kept as a number while safe). */
  setExpire(key: KeyString, when: Int64): void {
    if (this.engine.snapshotInProgress !== null) this.engine.snapshotInProgress.beforeChange(this, key);
    this.expires.set(key, typeof when === 'bigint' ? normInt64(when) : when);
  }

  /** getExpire: absolute ms, or -1 when the key has no TTL. */
  getExpire(key: KeyString): Int64 {
    return this.expires.get(key) ?? -1;
  }

  /** removeExpire (PERSIST): true if there was a TTL. */
  removeExpire(key: KeyString): boolean {
    if (this.engine.snapshotInProgress !== null) this.engine.snapshotInProgress.beforeChange(this, key);
    return this.expires.delete(key);
  }

  /** keyIsExpired: Redis compares `now > when`. Nothing expires while loading (the log says what did). */
  keyIsExpired(key: KeyString): boolean {
    const when = this.expires.get(key);
    return when !== undefined && this.engine.now > when && !this.engine.loading;
  }

  /**
   * expireIfNeeded: delete the key if its time has passed, propagate the deletion to the log as a
   * DEL and fire the `expired` event. True when the key is (now) gone.
   */
  expireIfNeeded(key: KeyString): boolean {
    if (!this.keyIsExpired(key)) return false;
    this.deleteExpiredKey(key);
    return true;
  }

  /** deleteExpiredKeyAndPropagate */
  deleteExpiredKey(key: KeyString): void {
    this.dbDelete(key);
    this.engine.stat.expiredKeys++;
    this.engine.propagateDeletion(this, key);
    this.engine.notifyKeyspaceEvent(NOTIFY_EXPIRED, 'expired', key, this.id);
    this.engine.signalModifiedKey(this, key);
  }

  /**
   * dbRandomKey: a key that is not expired (expired ones met on the way are deleted), or
   * undefined when the db is empty. Amortised O(1): a rolling iterator over the keys moves on by
   * a random few keys per call, starting over at the end, instead of picking uniformly (a JS Map
   * has no random access). Every key is reachable; consecutive calls follow insertion order with
   * random gaps.
   */
  randomKey(): KeyString | undefined {
    for (;;) {
      if (this.dict.size === 0) return undefined;
      let skip = Math.floor(this.engine.random() * RANDOMKEY_MAX_SKIP);
      let key: KeyString;
      for (;;) {
        this.randomCursor ??= this.dict.keys();
        const r = this.randomCursor.next();
        if (r.done) {
          this.randomCursor = null;
          continue;
        }
        if (skip-- === 0) {
          key = r.value;
          break;
        }
      }
      if (this.expires.size !== 0 && this.expireIfNeeded(key)) continue;
      return key;
    }
  }

  /** emptyDbStructure for this database: the number of keys removed. */
  clear(): number {
    const removed = this.dict.size;
    if (this.engine.blocking.count !== 0) {
      // scanDatabaseForDeletedStreams
      for (const key of this.engine.blocking.keysOf(this).keys()) signalDeletedStream(this, key, this.dict.get(key));
    }
    if (this.engine.snapshotInProgress !== null) {
      // The snapshot keeps reading the maps as they were (no stall to write the rest first).
      this.dict = new Map();
      this.expires = new Map();
    } else {
      this.dict.clear();
      this.expires.clear();
    }
    this.meta.clear();
    this.expiresCursor = null;
    this.scanCursors.clear();
    this.randomCursor = null;
    return removed;
  }

  /**
   * dbSwapDatabases: exchange contents (and iteration state) with another db; ids stay. A running
   * snapshot follows its maps (it tracks databases by their Map), so it needs no hook here.
   */
  swapWith(other: RedisDb): void {
    [this.dict, other.dict] = [other.dict, this.dict];
    [this.expires, other.expires] = [other.expires, this.expires];
    [this.expiresCursor, other.expiresCursor] = [other.expiresCursor, this.expiresCursor];
    [this.scanCursors, other.scanCursors] = [other.scanCursors, this.scanCursors];
    [this.randomCursor, other.randomCursor] = [other.randomCursor, this.randomCursor];
    [this.meta, other.meta] = [other.meta, this.meta];
    this.meta.db = this;
    other.meta.db = other;
  }
}

// ---- helpers shared with other command families -------------------------------------------

/**
 * getIntFromObjectOrReply: an argument as a C int. Not an integer: `msg` or Redis' "not an
 * integer" error; outside the int range: `msg` or "value is out of range, …".
 */
export function parseIntOrReply(a: Arg, msg?: string): number {
  const v = string2ll(argLatin1(a));
  if (v === null) throw msg !== undefined ? err(msg) : notIntegerErr();
  if (typeof v !== 'number' || v < -2147483648 || v > 2147483647) throw msg !== undefined ? err(msg) : intRangeErr();
  return v;
}

/** selectDb: the database with this index, or undefined when it is out of range. */
export function dbByIndex(c: Client, id: number): RedisDb | undefined {
  return id >= 0 && id < c.engine.dbs.length ? c.engine.dbs[id] : undefined;
}

export interface ScanOptions {
  /** Elements to visit per call (Redis' COUNT, default 10). */
  count: number;
  /** MATCH pattern as a byte string, or null when absent or `*` (which matches everything). */
  pattern: string | null;
  /** TYPE filter as given (SCAN only), or null. */
  type: string | null;
}

/**
 * scanGenericCommand's option parsing: `[MATCH pattern] [COUNT count] [TYPE type]` from
 * argv[first] on, in any order and repeated (the last wins). TYPE only when `allowType` (SCAN;
 * HSCAN/SSCAN/ZSCAN reject it as a syntax error, as Redis does).
 */
export function parseScanOptions(argv: Arg[], first: number, allowType: boolean): ScanOptions {
  const opts: ScanOptions = { count: 10, pattern: null, type: null };
  for (let i = first; i < argv.length; i += 2) {
    const more = argv.length - i >= 2;
    const opt = argv[i]!;
    if (more && argIs(opt, 'count')) {
      const v = string2ll(argLatin1(argv[i + 1]!));
      if (v === null) throw notIntegerErr();
      if (v < 1) throw syntaxErr();
      opts.count = typeof v === 'number' ? v : Number.MAX_SAFE_INTEGER;
    } else if (more && argIs(opt, 'match')) {
      const pat = argLatin1(argv[i + 1]!);
      opts.pattern = pat === '*' ? null : pat;
    } else if (more && allowType && argIs(opt, 'type')) {
      opts.type = argLatin1(argv[i + 1]!);
    } else {
      throw syntaxErr();
    }
  }
  return opts;
}

/** The reply of every SCAN-family command: [cursor as a bulk string, elements]. */
export function scanReply(cursor: number, elements: Reply[]): Reply {
  return [String(cursor), elements];
}

// ---- keyspace commands (db.c) ------------------------------------------------------------

/** delGenericCommand: DEL and UNLINK (Lodis frees memory lazily either way: the GC does). */
function delGenericCommand(c: Client, argv: Arg[]): Reply {
  const db = c.db;
  let deleted = 0;
  for (let j = 1; j < argv.length; j++) {
    const key = toKey(argv[j]!);
    if (db.expires.size !== 0) db.expireIfNeeded(key);
    if (db.dbDelete(key)) {
      c.engine.signalModifiedKey(db, key);
      c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
      c.engine.dirty++;
      deleted++;
    }
  }
  return deleted;
}

/** DEL key [key ...] */
const delCommand = delGenericCommand;

/** UNLINK key [key ...] */
const unlinkCommand = delGenericCommand;

/** EXISTS key [key ...] — a key given twice counts twice. */
function existsCommand(c: Client, argv: Arg[]): Reply {
  let count = 0;
  for (let j = 1; j < argv.length; j++) if (c.db.lookupKeyRead(toKey(argv[j]!), LOOKUP_NOTOUCH) !== undefined) count++;
  return count;
}

/** TYPE key */
function typeCommand(c: Client, argv: Arg[]): Reply {
  const o = c.db.lookupKeyRead(toKey(argv[1]!), LOOKUP_NOTOUCH);
  return new Status(o === undefined ? 'none' : objectType(o));
}

/** KEYS pattern — keys already expired are left out (not deleted: KEYS only reads). */
function keysCommand(c: Client, argv: Arg[]): Reply {
  const db = c.db;
  const pattern = argLatin1(argv[1]!);
  const allKeys = pattern === '*';
  const out: Reply[] = [];
  for (const key of db.dict.keys()) {
    if ((allKeys || stringmatchlen(pattern, keyLatin1(key))) && !(db.expires.size !== 0 && db.keyIsExpired(key))) {
      out.push(keyReply(key));
    }
  }
  return out;
}

/** SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] */
function scanCommand(c: Client, argv: Arg[]): Reply {
  const cursor = parseScanCursor(argv[1]!);
  const { count, pattern, type } = parseScanOptions(argv, 2, true);
  const db = c.db;
  const dict = db.dict;
  const out: Reply[] = [];
  const next = db.scanCursors.step(
    cursor,
    count,
    () => dict.keys(),
    (key) => {
      if (pattern !== null && !stringmatchlen(pattern, keyLatin1(key))) return;
      if (type !== null) {
        // As Redis: the type lookup expires the key, and an expired key then reads as "none".
        const o = db.lookupKeyRead(key, LOOKUP_NOTOUCH);
        if (type.toLowerCase() !== (o === undefined ? 'none' : objectType(o))) return;
      }
      if (db.expires.size !== 0 && db.expireIfNeeded(key)) return;
      out.push(keyReply(key));
    },
    (key) => dict.has(key),
    c.engine.now,
  );
  return scanReply(next, out);
}

/** RANDOMKEY */
function randomkeyCommand(c: Client): Reply {
  const key = c.db.randomKey();
  return key === undefined ? null : keyReply(key);
}

/**
 * What RENAME and MOVE do once they may: the value `o` and its TTL go from `srcKey` in `src` to
 * `dstKey` (free) in `dst`, both keys are signalled, and `<event>_from` / `<event>_to` fire.
 */
function moveKey(
  c: Client,
  o: RedisObject,
  src: RedisDb,
  srcKey: KeyString,
  dst: RedisDb,
  dstKey: KeyString,
  event: 'rename' | 'move',
): void {
  const expire = src.getExpire(srcKey);
  const fields = src.meta.objectFields(srcKey);
  dst.dbAdd(dstKey, o);
  dst.meta.setObjectFields(dstKey, fields); // the robj moves, with its robj.lru and encoding
  if (expire !== -1) dst.setExpire(dstKey, expire);
  src.dbDelete(srcKey);
  c.engine.signalModifiedKey(src, srcKey);
  c.engine.signalModifiedKey(dst, dstKey);
  c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, `${event}_from`, srcKey, src.id);
  c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, `${event}_to`, dstKey, dst.id);
  c.engine.dirty++;
}

/** renameGenericCommand: RENAME and RENAMENX. */
function renameGenericCommand(c: Client, argv: Arg[], nx: boolean): Reply {
  const db = c.db;
  const src = toKey(argv[1]!);
  const dst = toKey(argv[2]!);
  const o = db.lookupKeyWrite(src);
  if (o === undefined) throw noSuchKeyErr();
  if (src === dst) return nx ? 0 : OK;
  if (db.lookupKeyWrite(dst) !== undefined) {
    if (nx) return 0;
    db.dbDelete(dst);
  }
  moveKey(c, o, db, src, db, dst, 'rename');
  return nx ? 1 : OK;
}

/** RENAME key newkey */
function renameCommand(c: Client, argv: Arg[]): Reply {
  return renameGenericCommand(c, argv, false);
}

/** RENAMENX key newkey */
function renamenxCommand(c: Client, argv: Arg[]): Reply {
  return renameGenericCommand(c, argv, true);
}

/** MOVE key db */
function moveCommand(c: Client, argv: Arg[]): Reply {
  const src = c.db;
  const dst = dbByIndex(c, parseIntOrReply(argv[2]!));
  if (dst === undefined) throw dbIndexOutOfRangeErr();
  if (dst === src) throw sameObjectErr();
  const key = toKey(argv[1]!);
  const o = src.lookupKeyWrite(key);
  if (o === undefined) return 0;
  if (dst.lookupKeyWrite(key) !== undefined) return 0;
  moveKey(c, o, src, key, dst, key, 'move');
  return 1;
}

/** COPY source destination [DB destination-db] [REPLACE] */
function copyCommand(c: Client, argv: Arg[]): Reply {
  const src = c.db;
  let dst = c.db;
  let replace = false;
  for (let j = 3; j < argv.length; j++) {
    if (argIs(argv[j]!, 'replace')) {
      replace = true;
    } else if (argIs(argv[j]!, 'db') && argv.length - j - 1 >= 1) {
      const db = dbByIndex(c, parseIntOrReply(argv[j + 1]!));
      if (db === undefined) throw dbIndexOutOfRangeErr();
      dst = db;
      j++;
    } else {
      throw syntaxErr();
    }
  }
  const key = toKey(argv[1]!);
  const newkey = toKey(argv[2]!);
  if (src === dst && key === newkey) throw sameObjectErr();
  const o = src.lookupKeyRead(key);
  if (o === undefined) return 0;
  const expire = src.getExpire(key);
  let del = false;
  if (dst.lookupKeyWrite(newkey) !== undefined) {
    if (!replace) return 0;
    del = true;
  }
  const copy = dupObject(o);
  if (del) dst.dbDelete(newkey);
  dst.dbAdd(newkey, copy);
  if (expire !== -1) dst.setExpire(newkey, expire);
  c.engine.signalModifiedKey(dst, newkey);
  c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'copy_to', newkey, dst.id);
  c.engine.dirty++;
  return 1;
}

/** DBSIZE — keys expired but not yet deleted still count, as in Redis. */
function dbsizeCommand(c: Client): Reply {
  return c.db.size;
}

/** SELECT index */
function selectCommand(c: Client, argv: Arg[]): Reply {
  const db = dbByIndex(c, parseIntOrReply(argv[1]!));
  if (db === undefined) throw dbIndexOutOfRangeErr();
  c.db = db;
  return OK;
}

/** SWAPDB index1 index2 — clients stay on their db index and see the other's contents. */
function swapdbCommand(c: Client, argv: Arg[]): Reply {
  const id1 = parseIntOrReply(argv[1]!, 'invalid first DB index');
  const id2 = parseIntOrReply(argv[2]!, 'invalid second DB index');
  const db1 = dbByIndex(c, id1);
  const db2 = dbByIndex(c, id2);
  if (db1 === undefined || db2 === undefined) throw dbIndexOutOfRangeErr();
  if (db1 !== db2) {
    // touchAllWatchedKeysInDb for both sides: every key of either db may now read differently.
    c.engine.signalSwappedDbs(db1, db2);
    db1.swapWith(db2);
    // scanDatabaseForReadyKeys: sessions blocked in either db may find their key there now.
    c.engine.blocking.swapped(db1, db2);
  }
  c.engine.dirty++;
  return OK;
}

/** getFlushCommandFlags: `[ASYNC|SYNC]`. Both are the same here: the GC frees memory. */
function checkFlushArgs(argv: Arg[]): void {
  if (argv.length === 1) return;
  if (argv.length === 2 && (argIs(argv[1]!, 'sync') || argIs(argv[1]!, 'async'))) return;
  throw syntaxErr();
}

/**
 * emptyData: empty one database (or all, for -1), signalling WATCH first. The change count is
 * at least 1, so the flush is logged even when there was nothing to remove, as Redis forces
 * FLUSHDB and FLUSHALL into the AOF (forceCommandPropagation).
 */
function emptyData(c: Client, dbid: number): void {
  c.engine.signalFlushedDb(dbid);
  let removed = 0;
  if (dbid === -1) for (const db of c.engine.dbs) removed += db.clear();
  else removed = c.engine.dbs[dbid]!.clear();
  c.engine.dirty += removed || 1;
}

/** FLUSHDB [ASYNC|SYNC] */
function flushdbCommand(c: Client, argv: Arg[]): Reply {
  checkFlushArgs(argv);
  emptyData(c, c.db.id);
  return OK;
}

/** FLUSHALL [ASYNC|SYNC] */
function flushallCommand(c: Client, argv: Arg[]): Reply {
  checkFlushArgs(argv);
  emptyData(c, -1);
  return OK;
}

export const keyspaceCommands: CommandHandlers = {
  del: delCommand,
  unlink: unlinkCommand,
  exists: existsCommand,
  type: typeCommand,
  keys: keysCommand,
  scan: scanCommand,
  randomkey: randomkeyCommand,
  rename: renameCommand,
  renamenx: renamenxCommand,
  move: moveCommand,
  copy: copyCommand,
  dbsize: dbsizeCommand,
  select: selectCommand,
  swapdb: swapdbCommand,
  flushdb: flushdbCommand,
  flushall: flushallCommand,
};
