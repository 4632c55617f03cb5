/**
 * The OBJECT and MEMORY commands (object.c): a value's encoding, reference count, idle time and
 * access frequency; a key's memory usage and the engine's memory report.
 *
 * OBJECT ENCODING gives Redis' name for the structure Redis would use, as the type modules track
 * it: strings by Redis' rules (an integer-looking string of at most 20 bytes is `int`, one of at
 * most 44 bytes `embstr`, else `raw`; a value modified in place — APPEND to an existing key,
 * SETRANGE, SETBIT, BITOP, the HyperLogLog commands — is `raw`, as Redis unshares it into a raw
 * sds), lists `quicklist` (7.0 has no listpack lists), hashes and sorted sets `listpack` until
 * converted (`hashtable`, `skiplist`), sets `intset` or `hashtable`, streams `stream`.
 *
 * Known differences: INCRBYFLOAT on a new key stores text Lodis cannot tell from SET's, so an
 * integral result reads as `int` (Redis: `embstr`), and APPEND whose result is a decimal number
 * reads as INCRBYFLOAT's would; a COPY of a raw value reads by the rules above (Redis keeps
 * `raw`). OBJECT REFCOUNT answers for the policy in force now, where Redis' answer depends on the
 * policy when the value was created (and a COPY of a shared integer has refcount 1 in Redis).
 *
 * MEMORY USAGE is this engine's estimate of the key's bytes on the JS heap (evict.ts), not
 * Redis' allocator bytes. MEMORY STATS has Redis' shape: the allocator and RSS fields report
 * the estimate itself (ratios 1, no fragmentation: a JS heap has no allocator to ask);
 * MEMORY DOCTOR runs Redis' checks that mean something here (empty instance, memory peak);
 * MEMORY MALLOC-STATS answers as Redis built without jemalloc; MEMORY PURGE replies OK.
 */
import type { Client } from './client.js';
import type { CommandHandlers } from './commands.js';
import { doubleReplyText } from './double.js';
import { lfuNotSelectedErr, lfuSelectedErr, notIntegerErr, syntaxErr } from './errors.js';
import {
  estimateObjectIdleTime,
  EXPIRES_ENTRY,
  KEY_OVERHEAD,
  lfuDecrAndReturn,
  MAXMEMORY_FLAG_LFU,
  maxmemoryPolicyFlags,
  memoryUsageOfKey,
  OBJ_COMPUTE_SIZE_DEF_SAMPLES,
  OBJ_SHARED_INTEGERS,
  OBJ_SHARED_REFCOUNT,
  sharedIntegersAllowed,
  USED_MEMORY_STARTUP,
} from './evict.js';
import { LOOKUP_NONOTIFY, LOOKUP_NOTOUCH } from './keyspace.js';
import { isString, type RedisObject } from './object.js';
import { DoubleReply, helpReply, MapReply, OK, type Reply } from './reply.js';
import { argIs, argLatin1, bytesToLatin1, isOwnedBytes, toKey, utf8Length, type Arg, type KeyString, type StringValue } from './sds.js';
import type { HashObject } from './types/hash.js';
import type { SetObject } from './types/set.js';
import type { ZSetObject } from './types/zset.js';
import { string2ll } from './util.js';
import type { Engine } from './server.js';

/** OBJ_ENCODING_EMBSTR_SIZE_LIMIT: the longest string Redis allocates with its object. */
const OBJ_ENCODING_EMBSTR_SIZE_LIMIT = 44;

// ---- OBJECT --------------------------------------------------------------------------------------

/** The value as a C long when tryObjectEncoding would make it int-encoded, else null. */
function intEncodedValue(v: StringValue): number | bigint | null {
  if (typeof v === 'number') return v;
  if (isOwnedBytes(v)) return null; // a raw sds modified in place is never re-encoded
  if (v.length > 20) return null;
  return string2ll(typeof v === 'string' ? v : bytesToLatin1(v));
}

/** A decimal number as INCRBYFLOAT writes one (ld2string's human mode). */
const DECIMAL = /^-?[0-9]+(\.[0-9]+)?$/;

/**
 * strEncoding(o->encoding) of a value, as Redis would hold it (see the top of this file).
 * `overwritten`: text stored by dbOverwrite — APPEND's (a raw sds), INCR's past 2^53 (int), or
 * INCRBYFLOAT's (createStringObject: embstr or raw by length), told apart by their text.
 */
export function objectEncoding(o: RedisObject, overwritten = false): string {
  if (isString(o)) {
    const len = typeof o === 'string' ? utf8Length(o) : (o as Uint8Array).length;
    if (overwritten && typeof o === 'string') {
      if (!DECIMAL.test(o)) return 'raw';
      if (typeof intEncodedValue(o) === 'bigint') return 'int';
      return len <= OBJ_ENCODING_EMBSTR_SIZE_LIMIT ? 'embstr' : 'raw';
    }
    if (intEncodedValue(o) !== null) return 'int';
    if (isOwnedBytes(o)) return 'raw';
    return len <= OBJ_ENCODING_EMBSTR_SIZE_LIMIT ? 'embstr' : 'raw';
  }
  switch (o.type) {
    case 'list':
      return 'quicklist';
    case 'hash':
      return (o as HashObject).listpack ? 'listpack' : 'hashtable';
    case 'set':
      return (o as SetObject).intset ? 'intset' : 'hashtable';
    case 'zset':
      return (o as ZSetObject).listpack ? 'listpack' : 'skiplist';
    case 'stream':
      return 'stream';
  }
}

/** o->refcount: shared integers (0..9999, when the policy allows sharing) are never freed. */
export function objectRefcount(e: Engine, o: RedisObject, overwritten: boolean): number {
  if (isString(o) && !(overwritten && typeof o === 'string') && sharedIntegersAllowed(e)) {
    const v = intEncodedValue(o);
    if (v !== null && v >= 0 && v < OBJ_SHARED_INTEGERS) return OBJ_SHARED_REFCOUNT;
  }
  return 1;
}

/** objectCommandLookup: no access-time update, no keymiss event (hits and misses still count). */
function objectCommandLookup(c: Client, key: Arg): { key: KeyString; o: RedisObject } | null {
  const k = toKey(key);
  const o = c.db.lookupKeyRead(k, LOOKUP_NOTOUCH | LOOKUP_NONOTIFY);
  return o === undefined ? null : { key: k, o };
}

const OBJECT_HELP = [
  'ENCODING <key>',
  '    Return the kind of internal representation used in order to store the value',
  '    associated with a <key>.',
  'FREQ <key>',
  '    Return the access frequency index of the <key>. The returned integer is',
  '    proportional to the logarithm of the recent access frequency of the key.',
  'IDLETIME <key>',
  '    Return the idle time of the <key>, that is the approximated number of',
  '    seconds elapsed since the last access to the key.',
  'REFCOUNT <key>',
  '    Return the number of references of the value associated with the specified',
  '    <key>.',
];

/** OBJECT HELP */
function objectHelpCommand(): Reply {
  return helpReply('object', OBJECT_HELP);
}

/** OBJECT REFCOUNT key */
function objectRefcountCommand(c: Client, argv: Arg[]): Reply {
  const found = objectCommandLookup(c, argv[2]!);
  return found === null ? null : objectRefcount(c.engine, found.o, c.db.meta.isOverwrittenText(found.key));
}

/** OBJECT ENCODING key */
function objectEncodingCommand(c: Client, argv: Arg[]): Reply {
  const found = objectCommandLookup(c, argv[2]!);
  return found === null ? null : objectEncoding(found.o, c.db.meta.isOverwrittenText(found.key));
}

/** OBJECT IDLETIME key — seconds since the key was last accessed (not under an LFU policy). */
function objectIdletimeCommand(c: Client, argv: Arg[]): Reply {
  const found = objectCommandLookup(c, argv[2]!);
  if (found === null) return null;
  if (maxmemoryPolicyFlags(c.engine) & MAXMEMORY_FLAG_LFU) throw lfuSelectedErr();
  return Math.floor(estimateObjectIdleTime(c.engine, c.db.meta.accessOf(found.key) ?? 0) / 1000);
}

/** OBJECT FREQ key — the key's logarithmic access counter, decayed (only under an LFU policy). */
function objectFreqCommand(c: Client, argv: Arg[]): Reply {
  const found = objectCommandLookup(c, argv[2]!);
  if (found === null) return null;
  if (!(maxmemoryPolicyFlags(c.engine) & MAXMEMORY_FLAG_LFU)) throw lfuNotSelectedErr();
  // Decayed here too: the field is only updated when the key is accessed.
  return lfuDecrAndReturn(c.engine, c.db.meta.accessOf(found.key) ?? 0);
}

// ---- MEMORY --------------------------------------------------------------------------------------

const MEMORY_HELP = [
  'DOCTOR',
  '    Return memory problems reports.',
  'MALLOC-STATS',
  '    Return internal statistics report from the memory allocator.',
  'PURGE',
  '    Attempt to purge dirty pages for reclamation by the allocator.',
  'STATS',
  '    Return information about the memory usage of the server.',
  'USAGE <key> [SAMPLES <count>]',
  '    Return memory in bytes used by <key> and its value. Nested values are',
  '    sampled up to <count> times (default: 5, 0 means sample all).',
];

/** MEMORY HELP */
function memoryHelpCommand(): Reply {
  return helpReply('memory', MEMORY_HELP);
}

/** MEMORY USAGE key [SAMPLES count] — null for a missing key (not expired first, as Redis reads the dict). */
function memoryUsageCommand(c: Client, argv: Arg[]): Reply {
  let samples = OBJ_COMPUTE_SIZE_DEF_SAMPLES;
  for (let j = 3; j < argv.length; j++) {
    if (argIs(argv[j]!, 'samples') && j + 1 < argv.length) {
      const v = string2ll(argLatin1(argv[j + 1]!));
      if (v === null) throw notIntegerErr();
      if (v < 0) throw syntaxErr();
      samples = v === 0 ? Infinity : Number(v);
      j++;
    } else {
      throw syntaxErr();
    }
  }
  const key = toKey(argv[2]!);
  const o = c.db.dict.get(key);
  if (o === undefined) return null;
  return memoryUsageOfKey(key, o, samples);
}

/** getMemoryOverheadData, with what this engine can tell (MEMORY STATS; INFO memory's overhead and dataset fields). */
export interface MemOverhead {
  total: number;
  peak: number;
  dbs: { id: number; main: number; expires: number }[];
  overheadTotal: number;
  totalKeys: number;
  dataset: number;
  bytesPerKey: number;
  datasetPerc: number;
  peakPerc: number;
}

export function getMemoryOverheadData(e: Engine): MemOverhead {
  const total = e.usedMemory();
  const peak = e.memory.peak;
  let overheadTotal = USED_MEMORY_STARTUP;
  let totalKeys = 0;
  const dbs: MemOverhead['dbs'] = [];
  for (const db of e.dbs) {
    const keys = db.dict.size;
    if (keys === 0) continue;
    totalKeys += keys;
    const main = keys * KEY_OVERHEAD;
    const expires = db.expires.size * EXPIRES_ENTRY;
    dbs.push({ id: db.id, main, expires });
    overheadTotal += main + expires;
  }
  const netUsage = total > USED_MEMORY_STARTUP ? total - USED_MEMORY_STARTUP : 1;
  const dataset = total - overheadTotal;
  return {
    total,
    peak,
    dbs,
    overheadTotal,
    totalKeys,
    dataset,
    bytesPerKey: totalKeys ? Math.floor(netUsage / totalKeys) : 0,
    // C floats, printed as doubles.
    datasetPerc: Math.fround((dataset * 100) / netUsage),
    peakPerc: Math.fround((total * 100) / peak),
  };
}

function doubleReply(d: number): DoubleReply {
  return new DoubleReply(d, doubleReplyText(d));
}

/**
 * MEMORY STATS — Redis' fields; replication, clients, scripts and the AOF buffer are 0 (not
 * accounted), the allocator figures are the estimate, and there is no fragmentation to report.
 */
function memoryStatsCommand(c: Client): Reply {
  const mh = getMemoryOverheadData(c.engine);
  const out: Reply[] = [
    'peak.allocated', mh.peak,
    'total.allocated', mh.total,
    'startup.allocated', USED_MEMORY_STARTUP,
    'replication.backlog', 0,
    'clients.slaves', 0,
    'clients.normal', 0,
    'cluster.links', 0,
    'aof.buffer', 0,
    'lua.caches', 0,
    'functions.caches', 0,
  ];
  for (const db of mh.dbs) {
    out.push(
      `db.${db.id}`,
      new MapReply([
        'overhead.hashtable.main', db.main,
        'overhead.hashtable.expires', db.expires,
        'overhead.hashtable.slot-to-keys', 0,
      ]),
    );
  }
  out.push(
    'overhead.total', mh.overheadTotal,
    'keys.count', mh.totalKeys,
    'keys.bytes-per-key', mh.bytesPerKey,
    'dataset.bytes', mh.dataset,
    'dataset.percentage', doubleReply(mh.datasetPerc),
    'peak.percentage', doubleReply(mh.peakPerc),
    'allocator.allocated', mh.total,
    'allocator.active', mh.total,
    'allocator.resident', mh.total,
    'allocator-fragmentation.ratio', doubleReply(1),
    'allocator-fragmentation.bytes', 0,
    'allocator-rss.ratio', doubleReply(1),
    'allocator-rss.bytes', 0,
    'rss-overhead.ratio', doubleReply(1),
    'rss-overhead.bytes', 0,
    'fragmentation', doubleReply(1),
    'fragmentation.bytes', 0,
  );
  return new MapReply(out);
}

/** getMemoryDoctorReport: the checks that apply here (an almost empty instance; a past peak). */
function memoryDoctorReport(e: Engine): string {
  const mh = getMemoryOverheadData(e);
  if (mh.total < 1024 * 1024 * 5) {
    return (
      'Hi Sam, this instance is empty or is using very little memory, ' +
      "my issues detector can't be used in these conditions. " +
      'Please, leave for your mission on Earth and fill it with some data. ' +
      'The new Sam and I will be back to our programming as soon as I ' +
      'finished rebooting.\n'
    );
  }
  if (mh.peak / mh.total > 1.5) {
    return (
      'Sam, I detected a few issues in this Redis instance memory implants:\n\n' +
      ' * Peak memory: In the past this instance used more than 150% the memory that is currently using. The allocator is normally not able to release memory after a peak, so you can expect to see a big fragmentation ratio, however this is actually harmless and is only due to the memory peak, and if the Redis instance Resident Set Size (RSS) is currently bigger than expected, the memory will be used as soon as you fill the Redis instance with more data. If the memory peak was only occasional and you want to try to reclaim memory, please try the MEMORY PURGE command, otherwise the only other option is to shutdown and restart the instance.\n\n' +
      "I'm here to keep you safe, Sam. I want to help you.\n"
    );
  }
  return "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n";
}

/** MEMORY DOCTOR */
function memoryDoctorCommand(c: Client): Reply {
  return memoryDoctorReport(c.engine);
}

/** MEMORY MALLOC-STATS — as Redis answers when it is not built with jemalloc. */
function memoryMallocStatsCommand(): Reply {
  return 'Stats not supported for the current allocator';
}

/** MEMORY PURGE — nothing to purge: the JS engine's GC owns the heap. */
function memoryPurgeCommand(): Reply {
  return OK;
}

export const objectCommands: CommandHandlers = {
  'object|help': objectHelpCommand,
  'object|refcount': objectRefcountCommand,
  'object|encoding': objectEncodingCommand,
  'object|idletime': objectIdletimeCommand,
  'object|freq': objectFreqCommand,
  'memory|help': memoryHelpCommand,
  'memory|usage': memoryUsageCommand,
  'memory|stats': memoryStatsCommand,
  'memory|doctor': memoryDoctorCommand,
  'memory|malloc-stats': memoryMallocStatsCommand,
  'memory|purge': memoryPurgeCommand,
};
