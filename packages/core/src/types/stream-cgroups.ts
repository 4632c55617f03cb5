/**
 * Stream consumer groups (t_stream.c): XGROUP (CREATE, SETID, CREATECONSUMER, DELCONSUMER, DESTROY,
 * HELP), XACK, XPENDING, XCLAIM, XAUTOCLAIM and XINFO (STREAM [FULL [COUNT n]], GROUPS, CONSUMERS,
 * HELP). The groups, consumers and pending entries lists (PELs) are stream.ts' structures, and so
 * is XREADGROUP, which delivers entries to a group (one function with XREAD in Redis, xreadCommand).
 *
 * Groups and consumers are kept in Maps; Redis keeps them in a rax, so every listing here is in
 * byte order of the names.
 *
 * Logging is Redis' propagation. XGROUP and XACK are logged as sent. XCLAIM and XAUTOCLAIM log
 * nothing themselves (preventCommandPropagation) but, for each pending entry they changed or
 * dropped, the idempotent `XCLAIM <key> <group> <consumer> 0 <id> TIME <ms> RETRYCOUNT <n> FORCE
 * JUSTID LASTID <id>` of streamPropagateXCLAIM — delivery time and count explicit, so a replay
 * rebuilds the same PEL whatever its clock — and `XGROUP SETID … ENTRIESREAD n` when only XCLAIM's
 * LASTID moved the group. Consumers' seen times are not logged (Redis does not log them either): a
 * replay sets them to its own time.
 *
 * Keyspace events are Redis': xgroup-create, xgroup-setid, xgroup-destroy, xgroup-createconsumer
 * (also when XCLAIM/XAUTOCLAIM create their consumer), xgroup-delconsumer; XACK, XCLAIM and
 * XAUTOCLAIM fire none. As in Redis only XGROUP CREATE … MKSTREAM signals the key as modified
 * (WATCH); XGROUP DESTROY signals it as ready, so an XREADGROUP blocked on the group is run again and
 * gets its NOGROUP error.
 */
import { signalKeyAsReady } from '../blocked.js';
import type { Client } from '../client.js';
import type { CommandHandlers } from '../commands.js';
import {
  noGroupForKeyErr,
  noKeyOrGroupErr,
  noSuchKeyErr,
  notIntegerErr,
  streamInvalidEndErr,
  streamInvalidStartErr,
  subcommandSyntaxErr,
  syntaxErr,
  xautoclaimCountErr,
  xautoclaimCountTooHighErr,
  xclaimMinIdleErr,
  xclaimOptionArgErr,
  xclaimUnrecognizedOptionErr,
  xgroupBusyGroupErr,
  xgroupEntriesReadErr,
  xgroupNoKeyErr,
} from '../errors.js';
import { NOTIFY_STREAM } from '../notify.js';
import { asType } from '../object.js';
import { helpReply, MapReply, NULL_ARRAY, OK, type Reply } from '../reply.js';
import { argIs, argLatin1, keyLatin1, keyReply, toKey, type Arg, type KeyString } from '../sds.js';
import { LLONG_MAX, normInt64, string2ll, type Int64 } from '../util.js';
import {
  SCC_DEFAULT,
  SCG_INVALID_ENTRIES_READ,
  SLC_DEFAULT,
  SLC_NO_REFRESH,
  STREAM_ID_MIN,
  StreamObject,
  lookupStreamRead,
  streamCompareID,
  streamCreateCG,
  streamCreateConsumer,
  streamCreateNACK,
  streamDecrID,
  streamDelConsumer,
  streamEntryExists,
  streamEntryReply,
  streamEstimateDistanceFromFirstEverEntry,
  streamIDReply,
  streamIncrID,
  streamIterate,
  streamLookupCG,
  streamLookupConsumer,
  streamParseID,
  streamParseIntervalID,
  streamParseStrictID,
  streamPropagateGroupID,
  streamPropagateXCLAIM,
  streamRangeHasTombstones,
  type StreamCG,
  type StreamConsumer,
  type StreamID,
  type StreamNACK,
  type U64,
} from './stream.js';

// ---- helpers ------------------------------------------------------------------------------------

/** getLongLongFromObjectOrReply: string2ll, or `makeErr`'s error (Redis' "not an integer" by default). */
function getLongLong(a: Arg, makeErr: () => Error = notIntegerErr): Int64 {
  const v = string2ll(argLatin1(a));
  if (v === null) throw makeErr();
  return v;
}

/** `strcmp(arg, "$") == 0`: exactly the byte `$` (case and length matter). */
function isDollar(a: Arg): boolean {
  return typeof a === 'string' ? a === '$' : a.length === 1 && a[0] === 0x24;
}

/** Names as a rax lists them: by their bytes (memcmp; a prefix first). */
function byNameBytes<T>(m: Map<KeyString, T>): [KeyString, T][] {
  const entries = [...m];
  if (entries.length < 2) return entries;
  const bytes = new Map(entries.map(([k]) => [k, keyLatin1(k)]));
  return entries.sort((a, b) => {
    const x = bytes.get(a[0])!;
    const y = bytes.get(b[0])!;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** A uint64 counter as addReplyLongLong prints it (C's cast: past LLONG_MAX it wraps negative). */
function longLong(v: U64 | Int64): number | bigint {
  if (typeof v === 'number') return v;
  return v > LLONG_MAX ? v - 2n ** 64n : v;
}

/** delivery_count++ of a uint64 (wrapping past 2^64-1). */
function u64Incr(v: U64): U64 {
  if (typeof v === 'number' && v < Number.MAX_SAFE_INTEGER) return v + 1;
  const r = BigInt.asUintN(64, BigInt(v) + 1n);
  return r <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(r) : r;
}

/** `now - time` in ms, never negative (XPENDING's and XINFO CONSUMERS' idle). */
function elapsed(now: number, time: number): number {
  return now > time ? now - time : 0;
}

function notify(c: Client, event: string, key: KeyString): void {
  c.engine.notifyKeyspaceEvent(NOTIFY_STREAM, event, key, c.db.id);
}

// ---- XGROUP -------------------------------------------------------------------------------------

const XGROUP_HELP = [
  'CREATE <key> <groupname> <id|$> [option]',
  '    Create a new consumer group. Options are:',
  '    * MKSTREAM',
  '      Create the empty stream if it does not exist.',
  '    * ENTRIESREAD entries_read',
  "      Set the group's entries_read counter (internal use).",
  'CREATECONSUMER <key> <groupname> <consumer>',
  '    Create a new consumer in the specified group.',
  'DELCONSUMER <key> <groupname> <consumer>',
  '    Remove the specified consumer.',
  'DESTROY <key> <groupname>',
  '    Remove the specified group.',
  'SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]',
  '    Set the current group ID and entries_read counter.',
];

/**
 * XGROUP CREATE <key> <groupname> <id or $> [MKSTREAM] [ENTRIESREAD entries_read]
 * XGROUP SETID <key> <groupname> <id or $> [ENTRIESREAD entries_read]
 * XGROUP DESTROY <key> <groupname>
 * XGROUP CREATECONSUMER <key> <groupname> <consumer>
 * XGROUP DELCONSUMER <key> <groupname> <consumername>
 * XGROUP HELP
 *
 * One function for every subcommand, as in Redis, so the checks come in its order: the options,
 * the key's type, the key's existence, the group's, then the subcommand's own arguments.
 */
function xgroupCommand(c: Client, argv: Arg[]): Reply {
  const argc = argv.length;
  const opt = argLatin1(argv[1]!).toLowerCase();
  const syntax = () => subcommandSyntaxErr(argLatin1(argv[1]!), 'xgroup');
  let s: StreamObject | undefined;
  let cg: StreamCG | undefined;
  let mkstream = false;
  let entriesRead: Int64 = SCG_INVALID_ENTRIES_READ;
  let key = '';
  let grpname = '';

  if (argc >= 4) {
    const create = opt === 'create';
    const setid = opt === 'setid';
    for (let i = 5; i < argc; ) {
      if (create && argIs(argv[i]!, 'mkstream')) {
        mkstream = true;
        i++;
      } else if ((create || setid) && argIs(argv[i]!, 'entriesread') && i + 1 < argc) {
        const v = getLongLong(argv[i + 1]!);
        if (v < 0 && v !== SCG_INVALID_ENTRIES_READ) throw xgroupEntriesReadErr();
        entriesRead = v;
        i += 2;
      } else throw syntax();
    }
    key = toKey(argv[2]!);
    s = asType<StreamObject>(c.db.lookupKeyWrite(key), 'stream');
    grpname = toKey(argv[3]!);
  }

  if (argc >= 4 && !mkstream) {
    if (s === undefined) throw xgroupNoKeyErr();
    cg = streamLookupCG(s, grpname);
    if (cg === undefined && (opt === 'setid' || opt === 'createconsumer' || opt === 'delconsumer')) {
      throw noGroupForKeyErr(argLatin1(argv[3]!), argLatin1(argv[2]!));
    }
  }

  if (argc === 2 && opt === 'help') return helpReply('xgroup', XGROUP_HELP);

  if (opt === 'create' && argc >= 5 && argc <= 8) {
    const id = isDollar(argv[4]!) ? (s?.lastId ?? STREAM_ID_MIN) : streamParseStrictID(argv[4]!, 0);
    // MKSTREAM now that the command can no longer fail.
    if (s === undefined) {
      s = new StreamObject();
      c.db.dbAdd(key, s);
      c.engine.signalModifiedKey(c.db, key);
    }
    if (streamCreateCG(s, grpname, id, entriesRead) === null) throw xgroupBusyGroupErr();
    c.engine.dirty++;
    notify(c, 'xgroup-create', key);
    return OK;
  }
  if (opt === 'setid' && (argc === 5 || argc === 7)) {
    const id = isDollar(argv[4]!) ? s!.lastId : streamParseID(argv[4]!, 0);
    cg!.lastId = id;
    cg!.entriesRead = entriesRead;
    c.engine.dirty++;
    notify(c, 'xgroup-setid', key);
    return OK;
  }
  if (opt === 'destroy' && argc === 4) {
    if (cg === undefined) return 0;
    s!.cgroups.delete(grpname);
    c.engine.dirty++;
    notify(c, 'xgroup-destroy', key);
    // XREADGROUP sessions blocked on the group are run again: they get -NOGROUP.
    signalKeyAsReady(c.db, key, s!);
    return 1;
  }
  if (opt === 'createconsumer' && argc === 5) {
    return streamCreateConsumer(cg!, toKey(argv[4]!), key, c.db, SCC_DEFAULT) !== null ? 1 : 0;
  }
  if (opt === 'delconsumer' && argc === 5) {
    const consumer = streamLookupConsumer(cg!, toKey(argv[4]!), SLC_NO_REFRESH, c.engine.now);
    if (consumer === undefined) return 0;
    // The consumer's pending entries leave the group PEL with it.
    const pending = consumer.pel.size;
    streamDelConsumer(cg!, consumer);
    c.engine.dirty++;
    notify(c, 'xgroup-delconsumer', key);
    return pending;
  }
  throw syntax();
}

// ---- XACK ---------------------------------------------------------------------------------------

/**
 * XACK <key> <group> <id> [<id> ...]: drop the IDs from the group's PEL (and their consumers').
 * No key or no group acknowledges nothing; the IDs are all parsed before any is acknowledged.
 */
function xackCommand(c: Client, argv: Arg[]): Reply {
  const key = toKey(argv[1]!);
  const s = lookupStreamRead(c.db, key);
  const group = s === undefined ? undefined : streamLookupCG(s, toKey(argv[2]!));
  if (group === undefined) return 0;
  const ids: StreamID[] = [];
  for (let j = 3; j < argv.length; j++) ids.push(streamParseStrictID(argv[j]!, 0));
  let acknowledged = 0;
  for (const id of ids) {
    const nack = group.pel.get(id);
    if (nack === undefined) continue;
    if (acknowledged === 0) c.db.beforeInPlaceWrite(key);
    group.pel.delete(id);
    nack.consumer.pel.delete(id);
    acknowledged++;
    c.engine.dirty++;
  }
  return acknowledged;
}

// ---- XPENDING -----------------------------------------------------------------------------------

/**
 * XPENDING <key> <group> [[IDLE <min-idle-time>] <start> <end> <count> [<consumer>]]
 *
 * Without a range: [count, smallest id, greatest id, [[consumer, count] …]]. With one: the pending
 * entries in [start, end] (`(` excludes), at most count, idle for at least min-idle-time, of one
 * consumer or all: [[id, consumer, idle ms, deliveries] …]. The range is parsed before the key is
 * looked up; arguments after the consumer are ignored, as Redis ignores them.
 */
function xpendingCommand(c: Client, argv: Arg[]): Reply {
  const argc = argv.length;
  const justinfo = argc === 3;
  let start: StreamID = STREAM_ID_MIN;
  let end: StreamID = STREAM_ID_MIN;
  let count = 0;
  let minidle: Int64 = 0;
  let consumername: Arg | undefined;

  if (argc !== 3 && (argc < 6 || argc > 9)) throw syntaxErr();
  if (argc >= 6) {
    let startidx = 3;
    if (argIs(argv[3]!, 'idle')) {
      minidle = getLongLong(argv[4]!);
      if (argc < 8) throw syntaxErr();
      startidx += 2;
    }
    const n = getLongLong(argv[startidx + 2]!);
    count = n < 0 ? 0 : Number(n); // past 2^53: no limit in practice
    const s = streamParseIntervalID(argv[startidx]!, 0);
    start = s.id;
    if (s.exclusive) {
      const next = streamIncrID(start);
      if (next === null) throw streamInvalidStartErr();
      start = next;
    }
    const e = streamParseIntervalID(argv[startidx + 1]!, 2n ** 64n - 1n);
    end = e.id;
    if (e.exclusive) {
      const prev = streamDecrID(end);
      if (prev === null) throw streamInvalidEndErr();
      end = prev;
    }
    if (startidx + 3 < argc) consumername = argv[startidx + 3];
  }

  const s = lookupStreamRead(c.db, toKey(argv[1]!));
  const group = s === undefined ? undefined : streamLookupCG(s, toKey(argv[2]!));
  if (group === undefined) throw noKeyOrGroupErr(argLatin1(argv[1]!), argLatin1(argv[2]!));

  if (justinfo) {
    const first = group.pel.first();
    if (first === undefined) return [0, null, null, NULL_ARRAY];
    const consumers: Reply[] = [];
    for (const [name, consumer] of byNameBytes(group.consumers)) {
      if (consumer.pel.size !== 0) consumers.push([keyReply(name), String(consumer.pel.size)]);
    }
    return [group.pel.size, streamIDReply(first[0]), streamIDReply(group.pel.last()![0]), consumers];
  }

  let pel = group.pel;
  if (consumername !== undefined) {
    const consumer = streamLookupConsumer(group, toKey(consumername), SLC_NO_REFRESH, c.engine.now);
    if (consumer === undefined) return [];
    pel = consumer.pel;
  }
  const now = c.engine.now;
  const out: Reply[] = [];
  if (count === 0) return out;
  for (const [id, nack] of pel.iterate(start)) {
    if (streamCompareID(id, end) > 0) break;
    if (minidle !== 0 && now - nack.deliveryTime < minidle) continue;
    out.push([streamIDReply(id), keyReply(nack.consumer.name), elapsed(now, nack.deliveryTime), longLong(nack.deliveryCount)]);
    if (--count === 0) break;
  }
  return out;
}

// ---- XCLAIM -------------------------------------------------------------------------------------

/**
 * XCLAIM <key> <group> <consumer> <min-idle-time> <id> [<id> ...] [IDLE <ms>] [TIME <ms-unix-time>]
 *        [RETRYCOUNT <count>] [FORCE] [JUSTID] [LASTID <id>]
 *
 * Give the pending entries idle for at least min-idle-time to <consumer> (created if needed): the
 * delivery time becomes now (or IDLE/TIME's), the delivery count goes up by one (not with JUSTID;
 * RETRYCOUNT sets it). FORCE creates the pending entry of an ID that has none (its entry must
 * exist). An ID whose entry was deleted from the stream leaves the PEL and is not returned. LASTID
 * moves the group's last delivered ID forward. The IDs end at the first argument that is not one;
 * the options follow.
 */
function xclaimCommand(c: Client, argv: Arg[]): Reply {
  const argc = argv.length;
  const key = toKey(argv[1]!);
  const s = lookupStreamRead(c.db, key);
  const group = s === undefined ? undefined : streamLookupCG(s, toKey(argv[2]!));
  if (group === undefined) throw noKeyOrGroupErr(argLatin1(argv[1]!), argLatin1(argv[2]!));

  let minidle = getLongLong(argv[4]!, () => xclaimMinIdleErr('XCLAIM'));
  if (minidle < 0) minidle = 0;

  // The IDs, parsed first so the command is all or nothing: they end at the first non-ID.
  const ids: StreamID[] = [];
  let j = 5;
  for (; j < argc; j++) {
    let id: StreamID;
    try {
      id = streamParseStrictID(argv[j]!, 0);
    } catch {
      break;
    }
    ids.push(id);
  }

  const now = c.engine.now;
  let force = false;
  let justid = false;
  let retrycount: Int64 = -1; // -1: RETRYCOUNT not given
  // The delivery time: now unless IDLE or TIME say otherwise; a bogus one (negative, in the future)
  // is now too, as clients compute it from their own clocks.
  let time = now;
  let lastId: StreamID = STREAM_ID_MIN;
  for (; j < argc; j++) {
    const moreargs = argc - 1 - j;
    const a = argv[j]!;
    if (argIs(a, 'force')) force = true;
    else if (argIs(a, 'justid')) justid = true;
    else if (argIs(a, 'idle') && moreargs) {
      const idle = getLongLong(argv[++j]!, () => xclaimOptionArgErr('IDLE'));
      time = idle >= 0 && idle <= now ? now - Number(idle) : now;
    } else if (argIs(a, 'time') && moreargs) {
      const t = getLongLong(argv[++j]!, () => xclaimOptionArgErr('TIME'));
      time = t >= 0 && t <= now ? Number(t) : now;
    } else if (argIs(a, 'retrycount') && moreargs) {
      retrycount = getLongLong(argv[++j]!, () => xclaimOptionArgErr('RETRYCOUNT'));
    } else if (argIs(a, 'lastid') && moreargs) {
      lastId = streamParseStrictID(argv[++j]!, 0);
    } else throw xclaimUnrecognizedOptionErr(argLatin1(a));
  }

  c.db.beforeInPlaceWrite(key);
  let propagateLastId = false;
  if (streamCompareID(lastId, group.lastId) > 0) {
    group.lastId = lastId;
    propagateLastId = true;
  }

  let consumer: StreamConsumer | undefined;
  const name = toKey(argv[3]!);
  const out: Reply[] = [];
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k]!;
    const idArg = argv[5 + k]!;
    let nack: StreamNACK | undefined = group.pel.get(id);

    // The entry must exist to be claimed: a pending entry of a deleted one is dropped.
    if (!streamEntryExists(s!, id)) {
      if (nack !== undefined) {
        streamPropagateXCLAIM(c, argv[1]!, group, argv[2]!, idArg, nack);
        propagateLastId = false;
        c.engine.dirty++;
        group.pel.delete(id);
        nack.consumer.pel.delete(id);
      }
      continue;
    }

    // FORCE creates the missing pending entry (it skips the idle check).
    const forced = force && nack === undefined;
    if (!forced && (nack === undefined || (minidle !== 0 && now - nack.deliveryTime < minidle))) continue;

    if (consumer === undefined) {
      consumer =
        streamLookupConsumer(group, name, SLC_DEFAULT, now) ?? streamCreateConsumer(group, name, key, c.db, SCC_DEFAULT)!;
    }
    if (forced) {
      nack = streamCreateNACK(consumer, now);
      group.pel.set(id, nack);
      consumer.pel.set(id, nack);
    } else if (nack!.consumer !== consumer) {
      nack!.consumer.pel.delete(id);
      consumer.pel.set(id, nack!);
      nack!.consumer = consumer;
    }
    nack = nack!;
    nack.deliveryTime = time;
    if (retrycount >= 0) nack.deliveryCount = retrycount;
    else if (!justid) nack.deliveryCount = u64Incr(nack.deliveryCount);
    out.push(justid ? streamIDReply(id) : entryReply(s!, id));
    streamPropagateXCLAIM(c, argv[1]!, group, argv[2]!, idArg, nack);
    propagateLastId = false;
    c.engine.dirty++;
  }
  if (propagateLastId) {
    streamPropagateGroupID(c, argv[1]!, group, argv[2]!);
    c.engine.dirty++;
  }
  c.preventCommandPropagation();
  return out;
}

/** The entry `id` (which exists) as XRANGE replies it. */
function entryReply(s: StreamObject, id: StreamID): Reply {
  const [, fieldsAndValues] = streamIterate(s, id, id, false).next().value!;
  return streamEntryReply(id, fieldsAndValues);
}

// ---- XAUTOCLAIM ---------------------------------------------------------------------------------

/** LONG_MAX / max(sizeof(streamID), attempts_factor): XAUTOCLAIM's largest COUNT. */
const XAUTOCLAIM_MAX_COUNT = LLONG_MAX / 16n;
/**
 * Redis allocates COUNT stream IDs (16 bytes each) up front and refuses a COUNT it cannot
 * allocate. Where that fails depends on the machine; this is where it does for Redis 7.0's
 * jemalloc on x86-64 Linux (48 TiB).
 */
const XAUTOCLAIM_ALLOC_MAX_COUNT = 3 * 2 ** 40;
const XAUTOCLAIM_ATTEMPTS_FACTOR = 10;

/**
 * XAUTOCLAIM <key> <group> <consumer> <min-idle-time> <start> [COUNT <count>] [JUSTID]
 *
 * XCLAIM of the group's pending entries from <start> on, idle for at least min-idle-time, at most
 * COUNT (100) of them, looking at no more than COUNT*10 entries. Replies [next cursor (0-0 at the
 * end), claimed entries (or IDs with JUSTID), IDs whose entries were deleted (dropped from the
 * PEL; they count against COUNT)].
 */
function xautoclaimCommand(c: Client, argv: Arg[]): Reply {
  const key = toKey(argv[1]!);
  // Redis looks the key up first (lookupKeyRead's stats and keymiss event), checks its type after parsing.
  const o = c.db.lookupKeyRead(key);

  let minidle = getLongLong(argv[4]!, () => xclaimMinIdleErr('XAUTOCLAIM'));
  if (minidle < 0) minidle = 0;
  const start = streamParseIntervalID(argv[5]!, 0);
  let startid = start.id;
  if (start.exclusive) {
    const next = streamIncrID(startid);
    if (next === null) throw streamInvalidStartErr();
    startid = next;
  }
  let count = 100;
  let justid = false;
  for (let j = 6; j < argv.length; j++) {
    const moreargs = argv.length - 1 - j;
    if (argIs(argv[j]!, 'count') && moreargs) {
      const v = getLongLong(argv[j + 1]!, xautoclaimCountErr);
      if (v < 1 || v > XAUTOCLAIM_MAX_COUNT) throw xautoclaimCountErr();
      count = Number(v);
      j++;
    } else if (argIs(argv[j]!, 'justid')) justid = true;
    else throw syntaxErr();
  }

  const s = asType<StreamObject>(o, 'stream');
  const group = s === undefined ? undefined : streamLookupCG(s, toKey(argv[2]!));
  if (group === undefined) throw noKeyOrGroupErr(argLatin1(argv[1]!), argLatin1(argv[2]!));
  if (count > XAUTOCLAIM_ALLOC_MAX_COUNT) throw xautoclaimCountTooHighErr();

  c.db.beforeInPlaceWrite(key);
  const now = c.engine.now;
  const name = toKey(argv[3]!);
  let consumer: StreamConsumer | undefined;
  let attempts = count * XAUTOCLAIM_ATTEMPTS_FACTOR;
  const claimed: Reply[] = [];
  const deleted: Reply[] = [];
  let cursor: StreamID = STREAM_ID_MIN;
  const it = group.pel.iterate(startid);
  for (;;) {
    // while (attempts-- && count && raxNext(&ri)); then one more raxNext for the cursor.
    if (attempts-- === 0 || count === 0) {
      const next = it.next();
      if (!next.done) cursor = next.value[0];
      break;
    }
    const next = it.next();
    if (next.done) break;
    const [id, nack] = next.value;
    if (!streamEntryExists(s!, id)) {
      streamPropagateXCLAIM(c, argv[1]!, group, argv[2]!, streamIDReply(id), nack);
      c.engine.dirty++;
      group.pel.delete(id);
      nack.consumer.pel.delete(id);
      deleted.push(streamIDReply(id));
      count--;
      continue;
    }
    if (minidle !== 0 && now - nack.deliveryTime < minidle) continue;
    if (consumer === undefined) {
      consumer =
        streamLookupConsumer(group, name, SLC_DEFAULT, now) ?? streamCreateConsumer(group, name, key, c.db, SCC_DEFAULT)!;
    }
    if (nack.consumer !== consumer) {
      nack.consumer.pel.delete(id);
      consumer.pel.set(id, nack);
      nack.consumer = consumer;
    }
    nack.deliveryTime = now;
    if (!justid) nack.deliveryCount = u64Incr(nack.deliveryCount);
    claimed.push(justid ? streamIDReply(id) : entryReply(s!, id));
    count--;
    streamPropagateXCLAIM(c, argv[1]!, group, argv[2]!, streamIDReply(id), nack);
    c.engine.dirty++;
  }
  c.preventCommandPropagation();
  return [streamIDReply(cursor), claimed, deleted];
}

// ---- XINFO --------------------------------------------------------------------------------------

const XINFO_HELP = [
  'CONSUMERS <key> <groupname>',
  '    Show consumers of <groupname>.',
  'GROUPS <key>',
  '    Show the stream consumer groups.',
  'STREAM <key> [FULL [COUNT <count>]',
  '    Show information about the stream.',
];

/**
 * XINFO CONSUMERS <key> <group>
 * XINFO GROUPS <key>
 * XINFO STREAM <key> [FULL [COUNT <count>]]
 * XINFO HELP
 */
function xinfoCommand(c: Client, argv: Arg[]): Reply {
  const opt = argLatin1(argv[1]!).toLowerCase();
  if (opt === 'help') {
    if (argv.length !== 2) throw subcommandSyntaxErr(argLatin1(argv[1]!), 'xinfo');
    return helpReply('xinfo', XINFO_HELP);
  }
  if (argv.length < 3) throw subcommandSyntaxErr(argLatin1(argv[1]!), 'xinfo');
  const s = lookupStreamRead(c.db, toKey(argv[2]!));
  if (s === undefined) throw noSuchKeyErr();

  if (opt === 'consumers' && argv.length === 4) {
    const cg = streamLookupCG(s, toKey(argv[3]!));
    if (cg === undefined) throw noGroupForKeyErr(argLatin1(argv[3]!), argLatin1(argv[2]!));
    const now = c.engine.now;
    return byNameBytes(cg.consumers).map(
      ([name, consumer]) =>
        new MapReply(['name', keyReply(name), 'pending', consumer.pel.size, 'idle', elapsed(now, consumer.seenTime)]),
    );
  }
  if (opt === 'groups' && argv.length === 3) {
    return byNameBytes(s.cgroups).map(
      ([name, cg]) =>
        new MapReply([
          'name',
          keyReply(name),
          'consumers',
          cg.consumers.size,
          'pending',
          cg.pel.size,
          'last-delivered-id',
          streamIDReply(cg.lastId),
          'entries-read',
          entriesReadReply(cg),
          'lag',
          streamCGLag(s, cg),
        ]),
    );
  }
  if (opt === 'stream') return xinfoStream(c, argv, s);
  throw subcommandSyntaxErr(argLatin1(argv[1]!), 'xinfo');
}

function entriesReadReply(cg: StreamCG): Reply {
  return cg.entriesRead !== SCG_INVALID_ENTRIES_READ ? cg.entriesRead : null;
}

/**
 * streamReplyWithCGLag: the entries not yet delivered to the group, or null when tombstones after
 * its last delivered ID make that unknowable.
 */
function streamCGLag(s: StreamObject, cg: StreamCG): Reply {
  // A stream never written has no lag.
  if (s.entriesAdded === 0) return 0;
  let entriesRead: Int64;
  if (cg.entriesRead !== SCG_INVALID_ENTRIES_READ && !streamRangeHasTombstones(s, cg.lastId, null)) {
    // No fragmentation ahead: the group's read counter is valid.
    entriesRead = cg.entriesRead;
  } else {
    entriesRead = streamEstimateDistanceFromFirstEverEntry(s, cg.lastId);
    if (entriesRead === SCG_INVALID_ENTRIES_READ) return null;
  }
  // (long long)entries_added - entries_read, wrapping as the C does.
  const added = s.entriesAdded;
  if (typeof added === 'number' && typeof entriesRead === 'number') return added - entriesRead;
  return normInt64(BigInt.asIntN(64, BigInt(added) - BigInt(entriesRead)));
}

/** XINFO STREAM <key> [FULL [COUNT <count>]] (xinfoReplyWithStreamInfo). */
function xinfoStream(c: Client, argv: Arg[], s: StreamObject): Reply {
  const optc = argv.length - 3;
  let full = true;
  let count: Int64 = 10; // so FULL does not block the server
  if (optc === 0) full = false;
  else {
    const syntax = () => subcommandSyntaxErr(argLatin1(argv[1]!), 'xinfo');
    if (optc !== 1 && optc !== 3) throw syntax();
    if (!argIs(argv[3]!, 'full')) throw syntax();
    if (optc === 3) {
      if (!argIs(argv[4]!, 'count')) throw syntax();
      count = getLongLong(argv[5]!);
      if (count < 0) count = 10;
    }
  }
  const head: Reply[] = [
    'length',
    s.length,
    'radix-tree-keys',
    s.radixTreeKeys,
    'radix-tree-nodes',
    streamRadixTreeNodes(s),
    'last-generated-id',
    streamIDReply(s.lastId),
    'max-deleted-entry-id',
    streamIDReply(s.maxDeletedEntryId),
    'entries-added',
    longLong(s.entriesAdded),
    'recorded-first-entry-id',
    streamIDReply(s.firstId),
  ];
  if (!full) {
    const first = streamIterate(s, null, null, false).next();
    const last = streamIterate(s, null, null, true).next();
    return new MapReply([
      ...head,
      'groups',
      s.cgroups.size,
      'first-entry',
      first.done ? null : streamEntryReply(first.value[0], first.value[1]),
      'last-entry',
      last.done ? null : streamEntryReply(last.value[0], last.value[1]),
    ]);
  }

  // 0 is no limit; past 2^53 it is no limit in practice.
  const limit = count === 0 ? Infinity : Number(count);
  const entries: Reply[] = [];
  for (const [id, fv] of streamIterate(s, null, null, false)) {
    entries.push(streamEntryReply(id, fv));
    if (entries.length >= limit) break;
  }
  const groups: Reply[] = byNameBytes(s.cgroups).map(([name, cg]) => {
    const pending: Reply[] = [];
    for (const [id, nack] of cg.pel.iterate()) {
      if (pending.length >= limit) break;
      pending.push([streamIDReply(id), keyReply(nack.consumer.name), nack.deliveryTime, longLong(nack.deliveryCount)]);
    }
    const consumers = byNameBytes(cg.consumers).map(([cname, consumer]) => {
      const cpending: Reply[] = [];
      for (const [id, nack] of consumer.pel.iterate()) {
        if (cpending.length >= limit) break;
        cpending.push([streamIDReply(id), nack.deliveryTime, longLong(nack.deliveryCount)]);
      }
      return new MapReply(['name', keyReply(cname), 'seen-time', consumer.seenTime, 'pel-count', consumer.pel.size, 'pending', cpending]);
    });
    return new MapReply([
      'name',
      keyReply(name),
      'last-delivered-id',
      streamIDReply(cg.lastId),
      'entries-read',
      entriesReadReply(cg),
      'lag',
      streamCGLag(s, cg),
      'pel-count',
      cg.pel.size,
      'pending',
      pending,
      'consumers',
      consumers,
    ]);
  });
  return new MapReply([...head, 'entries', entries, 'groups', groups]);
}

// ---- radix-tree-nodes ---------------------------------------------------------------------------

/**
 * XINFO STREAM's radix-tree-nodes: the nodes of the rax holding the stream's listpacks, keyed by
 * their master IDs as 16 big-endian bytes. Redis' rax keeps a node per branching point, one
 * (compressed) node per run of bytes without a branch, and a node per key; for keys of one length
 * that shape depends only on the set of keys, so it is computed from the master IDs.
 */
export function streamRadixTreeNodes(s: StreamObject): number {
  const keys = streamNodeKeys(s);
  return keys.length === 0 ? 1 : raxNodes(keys, 0, keys.length, 0);
}

/** The live nodes' master IDs (their first entry's ID) as 16-char byte strings (one char per byte), in order. */
function streamNodeKeys(s: StreamObject): string[] {
  const keys: string[] = [];
  for (let i = s.head; i < s.nodes.length; i++) {
    const node = s.nodes[i]!;
    if (!node.removed) keys.push(u64Bytes(node.ms[0]!) + u64Bytes(node.seq[0]!));
  }
  return keys;
}

/** A uint64 as 8 big-endian bytes (streamEncodeID). */
function u64Bytes(v: U64): string {
  const hi = typeof v === 'number' ? Math.floor(v / 2 ** 32) : Number(v >> 32n);
  const lo = typeof v === 'number' ? v % 2 ** 32 : Number(v & 0xffffffffn);
  return String.fromCharCode(hi >>> 24, (hi >>> 16) & 255, (hi >>> 8) & 255, hi & 255, lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255);
}

const RAX_KEY_LEN = 16;

/** Nodes below (and including) the node reached after `depth` bytes by the sorted keys [lo, hi). */
function raxNodes(keys: string[], lo: number, hi: number, depth: number): number {
  if (hi - lo === 1) return depth === RAX_KEY_LEN ? 1 : 2; // the rest in one node, then the key's
  let p = depth;
  const a = keys[lo]!;
  const b = keys[hi - 1]!;
  while (p < RAX_KEY_LEN && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  if (p > depth) return 1 + raxNodes(keys, lo, hi, p); // a compressed node, then the branch
  let n = 1;
  for (let i = lo; i < hi; ) {
    const ch = keys[i]!.charCodeAt(depth);
    let k = i + 1;
    while (k < hi && keys[k]!.charCodeAt(depth) === ch) k++;
    n += raxNodes(keys, i, k, depth + 1);
    i = k;
  }
  return n;
}

export const streamGroupCommands: CommandHandlers = {
  'xgroup|create': xgroupCommand,
  'xgroup|setid': xgroupCommand,
  'xgroup|destroy': xgroupCommand,
  'xgroup|createconsumer': xgroupCommand,
  'xgroup|delconsumer': xgroupCommand,
  'xgroup|help': xgroupCommand,
  xack: xackCommand,
  xpending: xpendingCommand,
  xclaim: xclaimCommand,
  xautoclaim: xautoclaimCommand,
  'xinfo|consumers': xinfoCommand,
  'xinfo|groups': xinfoCommand,
  'xinfo|stream': xinfoCommand,
  'xinfo|help': xinfoCommand,
};
