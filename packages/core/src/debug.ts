/**
 * DEBUG (debug.c): the subcommands clients' and Redis' own test suites use, with Redis' replies.
 * Refused unless `enable-debug-command` allows it (yes, or local for an in-process session or a
 * loopback peer), as in Redis, whose default is no (server.ts processCommand).
 *
 * - DIGEST / DIGEST-VALUE: Redis' algorithm (xorDigest, mixDigest over SHA-1: order-insensitive
 *   for sets, hashes, sorted sets and keys, ordered for lists and streams), so a digest equals
 *   redis-server's for the same data.
 * - RELOAD: the keyspace is written as a snapshot (rdb.ts), emptied and loaded back, in one step —
 *   what DEBUG RELOAD verifies in Redis (NOSAVE reloads what was just written; MERGE and NOFLUSH are
 *   accepted and reload the same).
 * - SLEEP: Redis stops the whole server; Lodis holds only the session that sent it (as a blocked
 *   one: its later commands wait), other sessions are served meanwhile. The time is the engine's
 *   clock, as for blocked commands' timeouts.
 * - SET-ACTIVE-EXPIRE 0|1 stops and restarts the active expire cycle (engine.activeExpireEnabled).
 * - OBJECT: Redis' line. `encoding`, `refcount`, `lru` and `lru_seconds_idle` are OBJECT's;
 *   `Value at` is a stable per-key token, not an address; `serializedlength` estimates Redis' RDB
 *   encoding (exact for integers and short strings, without LZF compression); a list's `ql_*`
 *   fields describe Lodis' quicklist nodes (at most 128 elements each, where Redis bounds them at
 *   8 KB), `ql_uncompressed_size` estimates their listpack bytes.
 * - LOG (writes nothing: no server log), CHANGE-REPL-ID, QUICKLIST-PACKED-THRESHOLD (checked),
 *   SET-SKIP-CHECKSUM-VALIDATION, PAUSE-CRON, REPLYBUFFER, AOF-FLUSH-SLEEP, SET-DISABLE-DENY-SCRIPTS,
 *   LEAK reply OK and change nothing; LISTPACK and QUICKLIST reply Redis' status (nothing is printed);
 *   POPULATE, ERROR, STRINGMATCH-TEST and HELP are Redis'.
 * - Not implemented (an unknown subcommand): the crash and restart subcommands, LOADAOF, PROTOCOL,
 *   HTSTATS, SDSLEN, STRUCTSIZE, MALLCTL, CLIENT-EVICTION, CLUSTERLINK, CONFIG-REWRITE-FORCE-ALL.
 */
import { blockForKeys } from './blocked.js';
import type { Client } from './client.js';
import type { CommandHandlers } from './commands.js';
import { memtoull } from './config.js';
import { doubleReplyText } from './double.js';
import {
  debugErrorReply,
  debugReloadOptionErr,
  mustBePositiveErr,
  noSuchKeyErr,
  notIntegerErr,
  notListpackErr,
  notQuicklistErr,
  packedThresholdErr,
  subcommandSyntaxErr,
} from './errors.js';
import { estimateObjectIdleTime } from './evict.js';
import { LOOKUP_NONOTIFY, LOOKUP_NOTOUCH, type RedisDb } from './keyspace.js';
import { touchAllWatchedKeysInDb } from './multi.js';
import { isString, type RedisObject } from './object.js';
import { objectEncoding, objectRefcount } from './object-commands.js';
import { rdbLoadSync, SnapshotWriter } from './rdb.js';
import { helpReply, OK, Status, type Reply } from './reply.js';
import { argIs, argLatin1, keyBytes, latin1ToBytes, toKey, valueBytes, type Arg, type KeyString } from './sds.js';
import { sha1 } from './sha1.js';
import type { HashObject } from './types/hash.js';
import type { ListObject } from './types/list.js';
import type { SetObject } from './types/set.js';
import { streamIterate, streamIDReply, type StreamObject } from './types/stream.js';
import type { ZSetObject } from './types/zset.js';
import { string2ll } from './util.js';

// ---- digests ------------------------------------------------------------------------------------

const encoder = new TextEncoder();

/** xorDigest: digest ^= SHA1(data). Order-insensitive: the digest of unordered elements. */
function xorDigest(digest: Uint8Array, data: Uint8Array): void {
  const h = sha1(data);
  for (let j = 0; j < 20; j++) digest[j]! ^= h[j]!;
}

/** mixDigest: digest = SHA1(digest ^ SHA1(data)). Order-sensitive. */
function mixDigest(digest: Uint8Array, data: Uint8Array): void {
  xorDigest(digest, data);
  digest.set(sha1(digest));
}

const text = (s: string): Uint8Array => encoder.encode(s);

/** OBJ_STRING … OBJ_STREAM as xorObjectDigest mixes them (htonl). */
const OBJ_TYPE_CODES: Record<string, number> = { string: 0, list: 1, set: 2, zset: 3, hash: 4, stream: 6 };

/** A set member or hash field (a KeyString) as its bytes. */
const memberBytes = (k: KeyString): Uint8Array => keyBytes(k);

/** xorObjectDigest: mix a value (its type, its elements) and whether it has a TTL into `digest`. */
function xorObjectDigest(db: RedisDb, key: KeyString, digest: Uint8Array, o: RedisObject): void {
  const type = isString(o) ? 'string' : o.type;
  const aux = new Uint8Array(4);
  new DataView(aux.buffer).setUint32(0, OBJ_TYPE_CODES[type]!);
  mixDigest(digest, aux);
  if (isString(o)) mixDigest(digest, valueBytes(o));
  else if (o.type === 'list') (o as ListObject).forEach((e) => mixDigest(digest, typeof e === 'string' ? text(e) : e));
  else if (o.type === 'set') for (const m of (o as SetObject).keys()) xorDigest(digest, memberBytes(m));
  else if (o.type === 'zset') {
    (o as ZSetObject).forEach((m, score) => {
      const ele = new Uint8Array(20);
      mixDigest(ele, latin1ToBytes(m));
      mixDigest(ele, text(doubleReplyText(score))); // "%.17g"
      xorDigest(digest, ele);
    });
  } else if (o.type === 'hash') {
    (o as HashObject).forEach((v, f) => {
      const ele = new Uint8Array(20);
      mixDigest(ele, memberBytes(f));
      mixDigest(ele, valueBytes(v));
      xorDigest(digest, ele);
    });
  } else if (o.type === 'stream') {
    for (const [id, fv] of streamIterate(o as StreamObject, null, null, false)) {
      mixDigest(digest, text(streamIDReply(id).replace('-', '.')));
      for (const x of fv) mixDigest(digest, valueBytes(x));
    }
  }
  if (db.expires.has(key)) xorDigest(digest, text('!!expire!!'));
}

const hex = (d: Uint8Array): string => Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');

/** computeDatasetDigest: every database's keys, each key with its value, xored; the db id mixed in. */
function computeDatasetDigest(c: Client): string {
  const final = new Uint8Array(20);
  for (const db of c.engine.dbs) {
    if (db.dict.size === 0) continue;
    const aux = new Uint8Array(4);
    new DataView(aux.buffer).setUint32(0, db.id);
    mixDigest(final, aux);
    for (const [key, o] of db.dict) {
      const digest = new Uint8Array(20);
      mixDigest(digest, keyBytes(key));
      xorObjectDigest(db, key, digest, o);
      xorDigest(final, digest);
    }
  }
  return hex(final);
}

// ---- DEBUG OBJECT -------------------------------------------------------------------------------

/** rdbSaveLen: the bytes of an RDB length prefix. */
const rdbLenBytes = (n: number): number => (n < 1 << 6 ? 1 : n < 1 << 14 ? 2 : n <= 0xffffffff ? 5 : 9);

/** rdbSaveRawString without LZF: an integer of up to 32 bits as 2–5 bytes, else length + bytes. */
function rdbStringBytes(b: Uint8Array): number {
  if (b.length <= 11) {
    let s = '';
    for (const x of b) s += String.fromCharCode(x);
    const v = string2ll(s);
    if (v !== null && String(v) === s) {
      if (v >= -128 && v <= 127) return 2;
      if (v >= -32768 && v <= 32767) return 3;
      if (v >= -2147483648 && v <= 2147483647) return 5;
    }
  }
  return rdbLenBytes(b.length) + b.length;
}

/** A listpack's bytes for these elements (lpEncodeBacklen and the string/int encodings, roughly). */
function listpackBytes(elements: Uint8Array[]): number {
  let n = 7; // header and end byte
  for (const e of elements) {
    const enc = e.length < 64 ? 1 : e.length < 4096 ? 2 : 5;
    const len = enc + e.length;
    n += len + (len < 128 ? 1 : len < 16384 ? 2 : 3);
  }
  return n;
}

/** rdbSavedObjectLen, estimated (see the top of this file). */
function serializedLength(o: RedisObject): number {
  if (isString(o)) return rdbStringBytes(valueBytes(o));
  const parts: Uint8Array[] = [];
  if (o.type === 'list') (o as ListObject).forEach((e) => parts.push(typeof e === 'string' ? text(e) : e));
  else if (o.type === 'set') for (const m of (o as SetObject).keys()) parts.push(memberBytes(m));
  else if (o.type === 'zset') (o as ZSetObject).forEach((m, s) => parts.push(latin1ToBytes(m), text(doubleReplyText(s))));
  else if (o.type === 'hash') (o as HashObject).forEach((v, f) => parts.push(memberBytes(f), valueBytes(v)));
  else for (const [, fv] of streamIterate(o as StreamObject, null, null, false)) for (const x of fv) parts.push(valueBytes(x));
  const payload = listpackBytes(parts);
  return rdbLenBytes(payload) + payload;
}

/** A stable token standing for the value's address (`Value at:`): the same for a key until it is replaced. */
const addresses = new WeakMap<object, number>();
let nextAddress = 0x7f0000001000;
function valueAddress(db: RedisDb, key: KeyString, o: RedisObject): string {
  let a: number;
  if (typeof o === 'object' && !(o instanceof Uint8Array)) {
    a = addresses.get(o) ?? nextAddress;
    if (a === nextAddress) {
      addresses.set(o, a);
      nextAddress += 0x40;
    }
  } else {
    let h = 0x811c9dc5 ^ db.id;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    a = 0x7f0000000000 + (h >>> 0) * 16;
  }
  return '0x' + a.toString(16);
}

/** DEBUG OBJECT key — Redis' line about the value (no expiry check, no access-time update). */
function debugObject(c: Client, arg: Arg): Reply {
  const key = toKey(arg);
  const o = c.db.dict.get(key);
  if (o === undefined) throw noSuchKeyErr();
  const overwritten = c.db.meta.isOverwrittenText(key);
  const lru = c.db.meta.accessOf(key) ?? 0;
  let extra = '';
  if (!isString(o) && o.type === 'list') {
    const l = o as ListObject;
    const nodes = l.nodeCount;
    const elements: Uint8Array[] = [];
    l.forEach((e) => elements.push(typeof e === 'string' ? text(e) : e));
    const size = nodes === 0 ? 0 : listpackBytes(elements) + (nodes - 1) * 7;
    extra =
      ` ql_nodes:${nodes} ql_avg_node:${(nodes === 0 ? NaN : l.length / nodes).toFixed(2).replace('NaN', '-nan')}` +
      ` ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:${size}`;
  }
  return new Status(
    `Value at:${valueAddress(c.db, key, o)} refcount:${objectRefcount(c.engine, o, overwritten)} ` +
      `encoding:${objectEncoding(o, overwritten)} serializedlength:${serializedLength(o)} ` +
      `lru:${lru} lru_seconds_idle:${Math.floor(estimateObjectIdleTime(c.engine, lru) / 1000)}${extra}`,
  );
}

// ---- RELOAD, POPULATE, SLEEP --------------------------------------------------------------------

/** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE] — save, empty, load back (see the top of this file). */
function debugReload(c: Client, argv: Arg[]): Reply {
  for (let j = 2; j < argv.length; j++) {
    if (!argIs(argv[j]!, 'merge') && !argIs(argv[j]!, 'noflush') && !argIs(argv[j]!, 'nosave')) {
      throw debugReloadOptionErr();
    }
  }
  const e = c.engine;
  const seq = e.commandLog?.seq ?? 0;
  const chunks = new SnapshotWriter(e, seq).finish();
  // emptyData: sessions watching a key see it touched, as after FLUSHALL.
  if (e.watches.count !== 0) for (const db of e.dbs) touchAllWatchedKeysInDb(e, db, null);
  for (const db of e.dbs) db.clear();
  rdbLoadSync(e, seq, chunks);
  if (e.commandLog === null) e.dirty = 0; // rdbSave: nothing changed since this save
  return OK;
}

/** getPositiveLongFromObjectOrReply: one error for what is not a number and for a negative one. */
function positiveLong(a: Arg): number {
  const v = string2ll(argLatin1(a));
  if (v === null || v < 0) throw mustBePositiveErr();
  return Number(v);
}

/** DEBUG POPULATE count [prefix] [size] — string keys `prefix:<n>` = `value:<n>` (padded or cut to size); existing keys are kept. */
function debugPopulate(c: Client, argv: Arg[]): Reply {
  const count = positiveLong(argv[2]!);
  const size = argv.length === 5 ? positiveLong(argv[4]!) : 0;
  const prefix = argv.length >= 4 ? argLatin1(argv[3]!).split('\0')[0]! : 'key';
  const db = c.db;
  for (let j = 0; j < count; j++) {
    const key = toKey(latin1ToBytes(`${prefix}:${j}`.slice(0, 127)));
    if (db.lookupKeyWrite(key) !== undefined) continue;
    const v = `value:${j}`;
    let val: string | Uint8Array = v;
    if (size !== 0) {
      const b = new Uint8Array(size);
      b.set(text(v).subarray(0, size));
      val = b;
    }
    db.dbAdd(key, val);
    c.engine.signalModifiedKey(db, key);
  }
  return OK;
}

/** DEBUG SLEEP seconds — strtod's reading of the argument (decimals allowed, junk is 0). */
function debugSleep(c: Client, arg: Arg): Reply {
  const m = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(argLatin1(arg));
  const seconds = m === null ? 0 : Number(m[0]);
  const ms = Math.trunc(Math.trunc(seconds * 1e6) / 1000);
  if (!(ms > 0)) return OK;
  return blockForKeys(c, [], c.engine.now + ms, OK, 'list');
}

// ---- the command --------------------------------------------------------------------------------

const DEBUG_HELP = [
  'AOF-FLUSH-SLEEP <microsec>',
  '    Server will sleep before flushing the AOF, this is used for testing.',
  'ASSERT',
  '    Crash by assertion failed.',
  'CHANGE-REPL-ID',
  '    Change the replication IDs of the instance.',
  '    Dangerous: should be used only for testing the replication subsystem.',
  'CONFIG-REWRITE-FORCE-ALL',
  '    Like CONFIG REWRITE but writes all configuration options, including',
  '    keywords not listed in original configuration file or default values.',
  'CRASH-AND-RECOVER [<milliseconds>]',
  '    Hard crash and restart after a <milliseconds> delay (default 0).',
  'DIGEST',
  '    Output a hex signature representing the current DB content.',
  'DIGEST-VALUE <key> [<key> ...]',
  '    Output a hex signature of the values of all the specified keys.',
  'ERROR <string>',
  '    Return a Redis protocol error with <string> as message. Useful for clients',
  '    unit tests to simulate Redis errors.',
  'LEAK <string>',
  '    Create a memory leak of the input string.',
  'LOG <message>',
  '    Write <message> to the server log.',
  'HTSTATS <dbid>',
  '    Return hash table statistics of the specified Redis database.',
  'HTSTATS-KEY <key>',
  '    Like HTSTATS but for the hash table stored at <key>\'s value.',
  'LOADAOF',
  '    Flush the AOF buffers on disk and reload the AOF in memory.',
  'REPLICATE <string>',
  '    Replicates the provided string to replicas, allowing data divergence.',
  // The help of a Redis built with jemalloc, as redis-server's (MALLCTL itself is not implemented).
  'MALLCTL <key> [<val>]',
  '    Get or set a malloc tuning integer.',
  'MALLCTL-STR <key> [<val>]',
  '    Get or set a malloc tuning string.',
  'OBJECT <key>',
  '    Show low level info about `key` and associated value.',
  'DROP-CLUSTER-PACKET-FILTER <packet-type>',
  '    Drop all packets that match the filtered type. Set to -1 allow all packets.',
  'OOM',
  '    Crash the server simulating an out-of-memory error.',
  'PANIC',
  '    Crash the server simulating a panic.',
  'POPULATE <count> [<prefix>] [<size>]',
  '    Create <count> string keys named key:<num>. If <prefix> is specified then',
  '    it is used instead of the \'key\' prefix. These are not propagated to',
  '    replicas. Cluster slots are not respected so keys not belonging to the',
  '    current node can be created in cluster mode.',
  'PROTOCOL <type>',
  '    Reply with a test value of the specified type. <type> can be: string,',
  '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
  '    true, false.',
  'RELOAD [option ...]',
  '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
  '    * MERGE: conflicting keys will be loaded from RDB.',
  '    * NOFLUSH: the existing database will not be removed before load, but',
  '      conflicting keys will generate an exception and kill the server.',
  '    * NOSAVE: the database will be loaded from an existing RDB file.',
  '    Examples:',
  '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
  '      the database.',
  '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
  '      existing RDB file.',
  '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
  '      file to the database.',
  'RESTART [<milliseconds>]',
  '    Graceful restart: save config, db, restart after a <milliseconds> delay (default 0).',
  'SDSLEN <key>',
  '    Show low level SDS string info representing `key` and value.',
  'SEGFAULT',
  '    Crash the server with sigsegv.',
  'SET-ACTIVE-EXPIRE <0|1>',
  '    Setting it to 0 disables expiring keys in background when they are not',
  '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
  '    default.',
  'QUICKLIST-PACKED-THRESHOLD <size>',
  '    Sets the threshold for elements to be inserted as plain vs packed nodes',
  '    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.',
  'SET-SKIP-CHECKSUM-VALIDATION <0|1>',
  '    Enables or disables checksum checks for RDB files and RESTORE\'s payload.',
  'SLEEP <seconds>',
  '    Stop the server for <seconds>. Decimals allowed.',
  'STRINGMATCH-TEST',
  '    Run a fuzz tester against the stringmatchlen() function.',
  'STRUCTSIZE',
  '    Return the size of different Redis core C structures.',
  'LISTPACK <key>',
  '    Show low level info about the listpack encoding of <key>.',
  'QUICKLIST <key> [<0|1>]',
  '    Show low level info about the quicklist encoding of <key>.',
  '    The optional argument (0 by default) sets the level of detail',
  'CLIENT-EVICTION',
  '    Show low level client eviction pools info (maxmemory-clients).',
  'PAUSE-CRON <0|1>',
  '    Stop periodic cron job processing.',
  'REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>',
  '    Sets the time (in milliseconds) to wait between client reply buffer peak resets.',
  '    In case NEVER is provided the last observed peak will never be reset',
  '    In case RESET is provided the peak reset time will be restored to the default value',
  'REPLYBUFFER RESIZING <0|1>',
  '    Enable or disable the reply buffer resize cron job',
  'CLUSTERLINK KILL <to|from|all> <node-id>',
  '    Kills the link based on the direction to/from (both) with the provided node.',
];

/** C's atoi: leading space, a sign, digits; 0 when there are none. */
function atoi(a: Arg): number {
  const m = /^\s*[+-]?\d+/.exec(argLatin1(a));
  return m === null ? 0 : Number(m[0]) | 0;
}

/** objectCommandLookupOrReply with shared.nokeyerr. */
function lookupOrNoKey(c: Client, a: Arg): RedisObject {
  const o = c.db.lookupKeyRead(toKey(a), LOOKUP_NOTOUCH | LOOKUP_NONOTIFY);
  if (o === undefined) throw noSuchKeyErr();
  return o;
}

/** DEBUG <subcommand> [<arg> ...] */
function debugCommand(c: Client, argv: Arg[]): Reply {
  const argc = argv.length;
  const sub = argv[1]!;
  const is = (name: string) => argIs(sub, name);
  if (argc === 2 && is('help')) return helpReply('debug', DEBUG_HELP);
  if (is('log') && argc === 3) return OK;
  if (is('leak') && argc === 3) return OK;
  if (is('reload')) return debugReload(c, argv);
  if (is('object') && argc === 3) return debugObject(c, argv[2]!);
  if (is('listpack') && argc === 3) {
    const o = lookupOrNoKey(c, argv[2]!);
    const enc = objectEncoding(o, false);
    if (enc !== 'listpack') throw notListpackErr();
    return new Status('Listpack structure printed on stdout');
  }
  if (is('quicklist') && (argc === 3 || argc === 4)) {
    const o = lookupOrNoKey(c, argv[2]!);
    if (isString(o) || o.type !== 'list') throw notQuicklistErr();
    return new Status('Quicklist structure printed on stdout');
  }
  if (is('populate') && argc >= 3 && argc <= 5) return debugPopulate(c, argv);
  if (is('digest') && argc === 2) return new Status(computeDatasetDigest(c));
  if (is('digest-value') && argc >= 2) {
    return argv.slice(2).map((a) => {
      const digest = new Uint8Array(20);
      const key = toKey(a);
      const o = c.db.dict.get(key); // logically expired keys too
      if (o !== undefined) xorObjectDigest(c.db, key, digest, o);
      return new Status(hex(digest));
    });
  }
  if (is('sleep') && argc === 3) return debugSleep(c, argv[2]!);
  if (is('set-active-expire') && argc === 3) {
    c.engine.activeExpireEnabled = atoi(argv[2]!) !== 0;
    return OK;
  }
  if (is('quicklist-packed-threshold') && argc === 3) {
    const sz = memtoull(argLatin1(argv[2]!).split('\0')[0]!);
    // quicklistisSetPackedThreshold: 0 restores the default; at most 4 GB.
    if (sz === null || sz >= 1n << 32n) throw packedThresholdErr();
    return OK;
  }
  if ((is('set-skip-checksum-validation') || is('aof-flush-sleep') || is('pause-cron') || is('set-disable-deny-scripts')) && argc === 3) {
    return OK;
  }
  if (is('error') && argc === 3) return debugErrorReply(argLatin1(argv[2]!));
  if (is('change-repl-id') && argc === 2) return OK;
  if (is('stringmatch-test') && argc === 2) return new Status('Apparently Redis did not crash: test passed');
  if (is('replybuffer') && argc === 4) {
    if (argIs(argv[2]!, 'peak-reset-time')) {
      if (!argIs(argv[3]!, 'never') && !argIs(argv[3]!, 'reset') && string2ll(argLatin1(argv[3]!)) === null) throw notIntegerErr();
    } else if (!argIs(argv[2]!, 'resizing')) throw subcommandSyntaxErr(argLatin1(sub), 'debug');
    return OK;
  }
  throw subcommandSyntaxErr(argLatin1(sub), 'debug');
}

export const debugCommands: CommandHandlers = {
  debug: debugCommand,
};
