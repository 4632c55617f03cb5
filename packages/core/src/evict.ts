/**
 * Memory accounting and eviction (evict.c, with the access fields object.c and db.c keep).
 *
 * ## Per-key metadata (KeyMeta, one per database)
 *
 * Redis keeps 24 bits per value in robj.lru: the LRU clock (seconds, wrapping at 2^24) or, under
 * an LFU policy, the last decrement time in minutes (16 bits) and a logarithmic access counter
 * (8 bits). Lodis keeps the same 24 bits per key, plus the key's accounted bytes, in a slot index
 * parallel to db.dict: a Map key → slot, a dense array of keys (O(1) uniform random sampling for
 * eviction, which a Map cannot give) and typed arrays by slot. A deleted key's slot is filled by
 * the last one (swap-remove). Updated where Redis updates robj.lru: lookupKey (unless
 * LOOKUP_NOTOUCH or while a snapshot is being written, as Redis skips it while a child saves),
 * createObject (a new value: now, or LFU_INIT_VAL) and dbOverwrite (a new value keeps the old
 * counter under LFU). Redis' setKey looks its key up (an access) unless its caller just did;
 * Lodis' plain SET does not look up, so setKey counts that access itself (KeyMeta.set). RENAME
 * and MOVE carry the field with the value, as Redis moves the robj.
 *
 * ## used memory (engine.usedMemory())
 *
 * An estimate of the bytes the engine's structures take on a 64-bit V8 heap (Node's default
 * build: 8-byte tagged slots), maintained incrementally:
 *
 *   used = USED_MEMORY_STARTUP + Σ keys (KEY_OVERHEAD + key string + value) + EXPIRES_ENTRY × keys with a TTL
 *
 * - KEY_OVERHEAD: the key's entries in db.dict and in this module's slot index.
 * - A string is 16 bytes of header + one byte per UTF-16 unit, rounded to 8 (V8's one-byte
 *   strings; text outside Latin-1 takes twice that and is undercounted); an integer is free
 *   (a Smi) or a 16-byte heap number; bytes are a typed array and its buffer's capacity.
 * - A collection is its fixed part plus, per element, the entry overhead of its structure (Map
 *   entries, array slots, B+tree leaf slots) and the element's strings, averaged over the first
 *   `samples` elements (5, like MEMORY USAGE's default) and multiplied by the count — Redis'
 *   objectComputeSize method, with V8's sizes instead of the allocator's.
 * - A stream is a per-entry constant plus its consumer groups' pending entries and consumers
 *   (streamBytes: isolated, to be refined against types/stream.ts's structure).
 *
 * A string value is measured when it is stored (setKey, dbAdd, dbOverwrite). A value that may
 * change in place (a collection, bytes) is marked dirty when it is stored and when it is looked
 * up for writing (lookupKeyWrite, beforeInPlaceWrite), and dirty keys are measured again —
 * O(samples) each — when the used memory is read (before every command while maxmemory is set,
 * INFO, MEMORY) or once DIRTY_FLUSH keys are waiting, so no command pays O(n). The running total is exact with respect to these per-key estimates;
 * evict.test.ts checks that it tracks the real heap (heapUsed + arrayBuffers after a full GC)
 * within a factor of 1.25 for 100k keys of every type in Node (scripts/memory-accounting.ts
 * prints the figures: within a few percent). Chromium compresses pointers to 4 bytes: there the
 * heap is smaller and the estimate errs high.
 *
 * ## Eviction (performEvictions)
 *
 * Before every command while maxmemory is set (server.ts processCommand, where Redis calls it):
 * while used memory is over the limit, evict with the configured policy — the LRU/LFU/TTL
 * policies through the eviction pool (EVPOOL_SIZE best candidates kept across calls, fed with
 * maxmemory-samples keys sampled from every database), the random ones by a random key, cycling
 * over the databases. Each eviction deletes the key, counts evicted_keys, touches WATCH, fires
 * `evicted` and logs a DEL. The time spent per call is bounded by maxmemory-eviction-tenacity;
 * the rest continues from a timer (evictionTimeProc). When memory is still over the limit and
 * nothing can be evicted (noeviction, or no keys), commands flagged denyoom — and every command
 * queued inside MULTI — are refused with -OOM.
 *
 * volatile-* policies sample db.expires: a key of the slot index is taken when it has a TTL
 * (rejection sampling, up to 10 tries per sample as dictGetSomeKeys' step bound); when keys
 * with a TTL are too rare for that, a rolling iterator over db.expires moves on by a random few
 * keys per sample (RANDOMKEY's method).
 */
import type { Client } from './client.js';
import { CMD_DENYOOM, type RedisCommand } from './commands.js';
import type { MaxmemoryPolicy } from './config.js';
import { oomErr, type ReplyError } from './errors.js';
import type { RedisDb } from './keyspace.js';
import { execEffectiveFlags } from './multi.js';
import { NOTIFY_EVICTED } from './notify.js';
import type { RedisObject } from './object.js';
import type { KeyString, StringValue } from './sds.js';
import type { Engine } from './server.js';
import type { HashObject } from './types/hash.js';
import { LIST_NODE_MAX, type ListElement, type ListObject } from './types/list.js';
import type { SetObject } from './types/set.js';
import type { StreamObject } from './types/stream.js';
import type { ZSetObject } from './types/zset.js';

// ---- constants (server.h, evict.c, object.c) ---------------------------------------------------

export const LRU_BITS = 24;
/** Max value of robj.lru */
export const LRU_CLOCK_MAX = (1 << LRU_BITS) - 1;
/** LRU clock resolution in ms */
export const LRU_CLOCK_RESOLUTION = 1000;
/** A new value's LFU counter: a few accesses before it is a candidate. */
export const LFU_INIT_VAL = 5;
export const EVPOOL_SIZE = 16;
/** MEMORY USAGE's default SAMPLES, and what the running total uses. */
export const OBJ_COMPUTE_SIZE_DEF_SAMPLES = 5;
/** Integers 0..9999 are shared objects (shared.integers) when the policy allows sharing. */
export const OBJ_SHARED_INTEGERS = 10000;
/** OBJECT REFCOUNT of a shared object (OBJ_SHARED_REFCOUNT = INT_MAX). */
export const OBJ_SHARED_REFCOUNT = 2147483647;

export const MAXMEMORY_FLAG_LRU = 1 << 0;
export const MAXMEMORY_FLAG_LFU = 1 << 1;
export const MAXMEMORY_FLAG_ALLKEYS = 1 << 2;
/** Under these policies every key needs its own access field: integers are not shared. */
export const MAXMEMORY_FLAG_NO_SHARED_INTEGERS = MAXMEMORY_FLAG_LRU | MAXMEMORY_FLAG_LFU;

const POLICY_FLAGS: Record<MaxmemoryPolicy, number> = {
  'volatile-lru': MAXMEMORY_FLAG_LRU,
  'volatile-lfu': MAXMEMORY_FLAG_LFU,
  'volatile-ttl': 0,
  'volatile-random': 0,
  'allkeys-lru': MAXMEMORY_FLAG_LRU | MAXMEMORY_FLAG_ALLKEYS,
  'allkeys-lfu': MAXMEMORY_FLAG_LFU | MAXMEMORY_FLAG_ALLKEYS,
  'allkeys-random': MAXMEMORY_FLAG_ALLKEYS,
  noeviction: 0,
};

/** performEvictions' results. */
export const EVICT_OK = 0;
export const EVICT_RUNNING = 1;
export const EVICT_FAIL = 2;

// ---- sizes on the V8 heap (64-bit, 8-byte tagged slots) ---------------------------------------

/**
 * What an empty engine takes (Redis' used_memory_startup): its databases, client and tables —
 * about 60–75 KB measured per store once the modules are loaded (the code itself is shared).
 */
export const USED_MEMORY_STARTUP = 64 * 1024;
/** A Map entry: three slots plus half a bucket, at the average load of a table that doubles. */
const MAP_ENTRY = 40;
/** An array element (pointer) with the slack of push's growth (1.5× + 16). */
const ARRAY_SLOT = 10;
/** A JS object's header: map, properties, elements. */
const OBJECT_HEADER = 24;
/** A boxed number (one that is not a small integer, a Smi: 32 bits here), stored in a tagged slot. */
const HEAP_NUMBER = 16;
/** A string's header: map, hash, length. */
const STRING_HEADER = 16;
/** A Uint8Array and its ArrayBuffer objects, without the bytes. */
const TYPED_ARRAY = 160;
/** An empty Map with its initial table. */
const EMPTY_MAP = 160;
/** An empty array: JSArray + its empty backing store. */
const EMPTY_ARRAY = 48;
/**
 * A key's entries in db.dict and in the slot index: two Map entries, its slot in the keys array,
 * and its 13 bytes of typed arrays (access field, bytes, flags) with their doubling slack.
 */
export const KEY_OVERHEAD = 2 * MAP_ENTRY + ARRAY_SLOT + 20;
/** A key's entry in db.expires: a Map entry and the time, a heap number (ms since 1970 are past 2^31). */
export const EXPIRES_ENTRY = MAP_ENTRY + HEAP_NUMBER;

/** A list node (ListNode + its items array) and the per-element slot. */
const LIST_OBJECT = OBJECT_HEADER + 4 * 8;
const LIST_NODE = OBJECT_HEADER + 3 * 8 + EMPTY_ARRAY;
const HASH_OBJECT = OBJECT_HEADER + 5 * 8 + EMPTY_MAP + EMPTY_ARRAY;
/** A hash field: its Map entry, its {value, slot} entry object, its slot in the fields array. */
const HASH_FIELD = MAP_ENTRY + OBJECT_HEADER + 2 * 8 + ARRAY_SLOT;
const SET_OBJECT = OBJECT_HEADER + 4 * 8 + EMPTY_MAP + EMPTY_ARRAY;
const SET_MEMBER = MAP_ENTRY + ARRAY_SLOT;
const ZSET_OBJECT = OBJECT_HEADER + 6 * 8 + EMPTY_MAP + (OBJECT_HEADER + 6 * 8) + (OBJECT_HEADER + 4 * 8 + 2 * EMPTY_ARRAY);
/** A sorted-set member: its dict entry and its member and score slots in a B+tree leaf (~75% full). */
const ZSET_MEMBER = MAP_ENTRY + 22;
/** An empty stream with its first node (measured: scripts/memory-accounting.ts). */
const STREAM_OBJECT = 1750;
/**
 * A stream entry of one small field-value pair: its ID, flags and value slots in a node, the
 * value string, and its share of the node (measured). Larger entries are undercounted.
 */
const STREAM_ENTRY = 70;
const STREAM_CG = 200;
const STREAM_NACK = 100;
const STREAM_CONSUMER = 150;

/** The bytes of a string of `length` UTF-16 units (one-byte representation), rounded to 8. */
function stringBytes(length: number): number {
  return (STRING_HEADER + length + 7) & ~7;
}

/** A key: text keys are one-byte strings; a binary key (BINARY_MARK + one char per byte) is two-byte. */
function keyBytes(key: KeyString): number {
  return key.charCodeAt(0) === 0xdc00 ? (STRING_HEADER + 2 * key.length + 7) & ~7 : stringBytes(key.length);
}

/** A string value (or a list element, hash value): text, integer or bytes. */
function stringValueBytes(v: StringValue): number {
  if (typeof v === 'string') return stringBytes(v.length);
  if (typeof v === 'number') return (v | 0) === v ? 0 : HEAP_NUMBER;
  // A small typed array keeps its bytes on the heap; asking for its buffer would move them off it.
  return TYPED_ARRAY + (v.byteLength <= 64 ? v.byteLength : v.buffer.byteLength);
}

/**
 * objectComputeSize: the bytes of a value, averaging its elements over the first `samples`
 * (Infinity: all of them).
 */
export function objectComputeSize(o: RedisObject, samples: number): number {
  if (typeof o !== 'object' || o instanceof Uint8Array) return stringValueBytes(o);
  // Each type is measured through its module's interface; anything else (a test's stand-in) as an object.
  const v = o as unknown as Record<string, unknown>;
  switch (o.type) {
    case 'list':
      if (typeof v['scan'] === 'function') return listBytes(o as ListObject, samples);
      break;
    case 'hash':
      if (typeof v['entries'] === 'function') return hashBytes(o as HashObject, samples);
      break;
    case 'set':
      if (typeof v['keys'] === 'function') return setBytes(o as SetObject, samples);
      break;
    case 'zset':
      if (v['dict'] instanceof Map) return zsetBytes(o as ZSetObject, samples);
      break;
    case 'stream':
      if (v['cgroups'] instanceof Map) return streamBytes(o as StreamObject);
      break;
  }
  return OBJECT_HEADER;
}

/** count × the average of the sampled element sizes (rounded, as Redis' size_t arithmetic). */
function scaled(sum: number, n: number, count: number): number {
  return n === 0 ? 0 : Math.round((sum / n) * count);
}

function listBytes(l: ListObject, samples: number): number {
  let n = 0;
  let sum = 0;
  l.scan(false, samples, (e: ListElement) => {
    sum += stringValueBytes(e);
    n++;
    return false;
  });
  const nodes = Math.ceil(l.length / LIST_NODE_MAX);
  return LIST_OBJECT + nodes * LIST_NODE + l.length * ARRAY_SLOT + scaled(sum, n, l.length);
}

function hashBytes(h: HashObject, samples: number): number {
  let sum = 0;
  let n = 0;
  if (samples > 0) {
    for (const [f, v] of h.entries()) {
      sum += keyBytes(f) + stringValueBytes(v);
      if (++n >= samples) break;
    }
  }
  return HASH_OBJECT + h.size * HASH_FIELD + scaled(sum, n, h.size);
}

function setBytes(s: SetObject, samples: number): number {
  let sum = 0;
  let n = 0;
  if (samples > 0) {
    for (const m of s.keys()) {
      sum += keyBytes(m);
      if (++n >= samples) break;
    }
  }
  return SET_OBJECT + s.size * SET_MEMBER + scaled(sum, n, s.size);
}

function zsetBytes(z: ZSetObject, samples: number): number {
  let sum = 0;
  let n = 0;
  if (samples > 0) {
    for (const [m, score] of z.dict) {
      sum += keyBytes(m) + ((score | 0) === score ? 0 : HEAP_NUMBER);
      if (++n >= samples) break;
    }
  }
  return ZSET_OBJECT + z.length * ZSET_MEMBER + scaled(sum, n, z.length);
}

/**
 * A stream, from its exported fields: a constant per entry (the structure is types/stream.ts's
 * own), plus each consumer group's pending entries and consumers.
 */
function streamBytes(s: StreamObject): number {
  let size = STREAM_OBJECT + s.length * STREAM_ENTRY;
  for (const [name, cg] of s.cgroups) {
    size += STREAM_CG + keyBytes(name) + cg.pel.size * STREAM_NACK;
    for (const [cname] of cg.consumers) size += STREAM_CONSUMER + keyBytes(cname);
  }
  return size;
}

/** What a key costs in the running total: its entries, its name, its value (default samples). */
function keyUsage(key: KeyString, val: RedisObject): number {
  // Text is what most writes store: measured here, without objectComputeSize's dispatch.
  if (typeof val === 'string') return KEY_OVERHEAD + keyBytes(key) + stringBytes(val.length);
  return KEY_OVERHEAD + keyBytes(key) + objectComputeSize(val, OBJ_COMPUTE_SIZE_DEF_SAMPLES);
}

/** MEMORY USAGE key [SAMPLES count]: the key's bytes with its value sampled `samples` times. */
export function memoryUsageOfKey(key: KeyString, val: RedisObject, samples: number): number {
  return KEY_OVERHEAD + keyBytes(key) + objectComputeSize(val, samples);
}

// ---- the engine's memory state -----------------------------------------------------------------

/** Engine-wide accounting and eviction state (engine.memory). */
export class MemoryState {
  /** Σ of every key's accounted bytes in every database. */
  keyspaceBytes = 0;
  /** stat_peak_memory, as of the last read of the used memory */
  peak = 0;
  /** The highest keyspaceBytes seen by a write (Redis samples its peak in serverCron; Lodis has no cron). */
  peakKeyspaceBytes = 0;
  /** Keys waiting to be measured again, in all databases. */
  dirtyKeys = 0;
  /** The policy the flags below were computed for. */
  policySeen: string | null = null;
  policyFlags = 0;
  /** EvictionPoolLRU, as three parallel arrays; an empty entry has a null key. */
  readonly poolIdle = new Float64Array(EVPOOL_SIZE);
  readonly poolKey: (KeyString | null)[] = new Array<KeyString | null>(EVPOOL_SIZE).fill(null);
  readonly poolDb = new Int32Array(EVPOOL_SIZE);
  /** performEvictions' static next_db: random policies visit the databases in turn. */
  nextDb = 0;
  /** isEvictionProcRunning */
  evictionProcRunning = false;
  /** Scratch space for sampled keys. */
  readonly samples: KeyString[] = [];
  /** The clock reading access fields use, and how many times it has served (0: read it again). */
  clockSeconds = 0;
  clockUses = 0;
}

/** The MAXMEMORY_FLAG_* bits of the configured policy. */
export function maxmemoryPolicyFlags(e: Engine): number {
  const m = e.memory;
  const p = e.config.maxmemoryPolicy;
  if (p !== m.policySeen) {
    m.policySeen = p;
    m.policyFlags = POLICY_FLAGS[p] ?? 0;
  }
  return m.policyFlags;
}

/** zmalloc_used_memory, as estimated here (see the top of this file). */
export function usedMemory(e: Engine): number {
  const m = e.memory;
  if (m.dirtyKeys !== 0) for (const db of e.dbs) db.meta.measureDirty();
  let expires = 0;
  for (const db of e.dbs) expires += db.expires.size;
  const used = USED_MEMORY_STARTUP + m.keyspaceBytes + expires * EXPIRES_ENTRY;
  m.peak = Math.max(m.peak, used, USED_MEMORY_STARTUP + m.peakKeyspaceBytes);
  return used;
}

// ---- LRU and LFU (evict.c) ---------------------------------------------------------------------

/** Uses of one clock reading for access fields, at most (see unixSeconds). */
const CLOCK_REUSE = 1024;
/** How long one clock reading serves access fields, at most: Redis refreshes server.lruclock at hz 10. */
const CLOCK_REFRESH_MS = 100;

/**
 * The time in unix seconds for access fields (Redis' server.lruclock and server.unixtime). With
 * an injected clock (tests, replays), the command's time. With the default clock, a reading
 * serves for up to CLOCK_REFRESH_MS or CLOCK_REUSE uses — as Redis' serverCron refreshes the
 * LRU clock ten times a second — so a key access does not pay for reading the clock.
 */
function unixSeconds(e: Engine): number {
  const m = e.memory;
  if (m.clockUses !== 0 && m.clockUses < CLOCK_REUSE) {
    m.clockUses++;
    return m.clockSeconds;
  }
  if (e.clock !== Date.now || e.timers === null) return Math.floor(e.now / LRU_CLOCK_RESOLUTION);
  if (m.clockUses === 0) e.timers.setTimeout(() => (m.clockUses = 0), CLOCK_REFRESH_MS);
  m.clockSeconds = Math.floor(e.now / LRU_CLOCK_RESOLUTION);
  m.clockUses = 1;
  return m.clockSeconds;
}

/** getLRUClock / LRU_CLOCK: unix seconds on 24 bits. */
export function lruClock(e: Engine): number {
  return unixSeconds(e) & LRU_CLOCK_MAX;
}

/** estimateObjectIdleTime: ms since the access field's clock, handling one wrap of the 24-bit clock. */
export function estimateObjectIdleTime(e: Engine, lru: number): number {
  const clock = lruClock(e);
  if (clock >= lru) return (clock - lru) * LRU_CLOCK_RESOLUTION;
  return (clock + (LRU_CLOCK_MAX - lru)) * LRU_CLOCK_RESOLUTION;
}

/** LFUGetTimeInMinutes: the low 16 bits of unix time in minutes. */
function lfuTimeInMinutes(e: Engine): number {
  return Math.floor(unixSeconds(e) / 60) & 65535;
}

/** LFUTimeElapsed: minutes since `ldt`, the time wrapping at most once. */
function lfuTimeElapsed(e: Engine, ldt: number): number {
  const now = lfuTimeInMinutes(e);
  return now >= ldt ? now - ldt : 65535 - ldt + now;
}

/** LFULogIncr: the greater the counter, the less likely an access increments it; saturates at 255. */
function lfuLogIncr(e: Engine, counter: number): number {
  if (counter === 255) return 255;
  const r = e.random();
  let baseval = counter - LFU_INIT_VAL;
  if (baseval < 0) baseval = 0;
  const p = 1.0 / (baseval * e.config.lfuLogFactor + 1);
  return r < p ? counter + 1 : counter;
}

/** LFUDecrAndReturn: the counter decayed by one per lfu-decay-time minutes since its last decrement. */
export function lfuDecrAndReturn(e: Engine, lru: number): number {
  const ldt = lru >>> 8;
  const counter = lru & 255;
  const decay = e.config.lfuDecayTime;
  const periods = decay > 0 ? Math.floor(lfuTimeElapsed(e, ldt) / decay) : 0;
  if (periods === 0) return counter;
  return periods > counter ? 0 : counter - periods;
}

/** updateLFU: decay, then a logarithmic increment, stamped with the current minute. */
function updateLFU(e: Engine, lru: number): number {
  const counter = lfuLogIncr(e, lfuDecrAndReturn(e, lru));
  return (lfuTimeInMinutes(e) << 8) | counter;
}

/** The access field of a value created now (createObject). */
function newObjectAccess(e: Engine): number {
  return maxmemoryPolicyFlags(e) & MAXMEMORY_FLAG_LFU ? (lfuTimeInMinutes(e) << 8) | LFU_INIT_VAL : lruClock(e);
}

// ---- per-key metadata ----------------------------------------------------------------------------

const INITIAL_SLOTS = 16;
/** Dirty keys measured at once when this many are waiting (bounds the work of one flush). */
const DIRTY_FLUSH = 4096;
/** RANDOMKEY's skip: the volatile cursor moves on by 0..VOLATILE_SKIP-1 keys per sample. */
const VOLATILE_SKIP = 16;
/** KeyMeta flag: the key waits to be measured again. */
const SLOT_DIRTY = 1;

/**
 * A database's per-key access fields and accounted bytes: see the top of this file. The common
 * writes (an access, a string stored over a string) only store into the slot's arrays, reading
 * nothing there: a key's slot is rarely in the CPU cache, and a store does not wait for it.
 */
export class KeyMeta {
  /** key → slot */
  private readonly slots = new Map<KeyString, number>();
  /** slot → key */
  private keys: KeyString[] = [];
  /** slot → robj.lru (24 bits: LRU clock, or LFU minutes << 8 | counter) */
  private access = new Int32Array(INITIAL_SLOTS);
  /** slot → bytes accounted for the key */
  private bytes = new Float64Array(INITIAL_SLOTS);
  /** slot → SLOT_DIRTY (waiting in `dirty`) */
  private flags = new Uint8Array(INITIAL_SLOTS);
  /** Keys holding text stored by dbOverwrite (OBJECT ENCODING): few, so a set, not a flag to read on every write. */
  private readonly overwrittenText = new Set<KeyString>();
  private dirty: KeyString[] = [];
  /** Keys flagged SLOT_DIRTY (`dirty` may also hold keys deleted, or listed twice, since). */
  private dirtyCount = 0;
  /** The last key looked up and its slot (a write looks its key up twice: lookupKeyWrite, setKey). */
  private lastKey: KeyString | undefined = undefined;
  private lastSlot = 0;
  /** The key the running command last accessed, and that command (engine.stat.numCommands then). */
  private accessedKey: KeyString | undefined = undefined;
  private accessedIn = -1;
  /** Σ bytes of this database's keys. */
  total = 0;
  /** Where sampling of db.expires goes on from (volatile policies). */
  volatileCursor: Iterator<KeyString> | null = null;

  /**
   * @param db the database whose dict this index is parallel to (SWAPDB exchanges two databases'
   *   indexes with their dicts and points each at its new database)
   */
  constructor(
    public db: RedisDb,
    private readonly engine: Engine,
  ) {}

  get size(): number {
    return this.keys.length;
  }

  private slotOf(key: KeyString): number | undefined {
    if (key === this.lastKey) return this.lastSlot;
    const slot = this.slots.get(key);
    if (slot !== undefined) {
      this.lastKey = key;
      this.lastSlot = slot;
    }
    return slot;
  }

  private grow(): void {
    const cap = this.access.length * 2;
    const access = new Int32Array(cap);
    access.set(this.access);
    this.access = access;
    const bytes = new Float64Array(cap);
    bytes.set(this.bytes);
    this.bytes = bytes;
    const flags = new Uint8Array(cap);
    flags.set(this.flags);
    this.flags = flags;
  }

  /** Account `b` bytes for the key in `slot` instead of `was`. */
  private account(slot: number, b: number, was: number): void {
    this.bytes[slot] = b;
    const delta = b - was;
    if (delta === 0) return;
    this.total += delta;
    const m = this.engine.memory;
    if ((m.keyspaceBytes += delta) > m.peakKeyspaceBytes) m.peakKeyspaceBytes = m.keyspaceBytes;
  }

  /** dbAdd: a new key with a value created now. */
  add(key: KeyString, val: RedisObject): void {
    const slot = this.keys.length;
    if (slot === this.access.length) this.grow();
    this.keys.push(key);
    this.slots.set(key, slot);
    this.lastKey = key;
    this.lastSlot = slot;
    this.access[slot] = newObjectAccess(this.engine);
    this.flags[slot] = 0;
    this.account(slot, keyUsage(key, val), 0);
    // A new collection is filled after it is added (HSET, RPUSH …): measure it again later.
    if (typeof val === 'object') this.markDirty(key, slot);
  }

  /**
   * setKey / dbOverwrite: the key holds a new value (created now; under LFU it keeps the
   * counter). `old` is the value it held. `overwrite`: dbOverwrite (APPEND, INCR, INCRBYFLOAT …
   * on an existing key).
   */
  set(key: KeyString, val: RedisObject, old: RedisObject | undefined, overwrite = false): void {
    const slot = this.slotOf(key);
    if (slot === undefined) {
      this.add(key, val);
    } else {
      const e = this.engine;
      if (!(maxmemoryPolicyFlags(e) & MAXMEMORY_FLAG_LFU)) {
        this.access[slot] = lruClock(e);
      } else if (!overwrite && e.snapshotInProgress === null && !(key === this.accessedKey && this.accessedIn === e.stat.numCommands)) {
        // Redis' setKey looks the key up (an access) unless its caller just did: a plain SET here does not.
        this.access[slot] = updateLFU(e, this.access[slot]!);
      }
      if (typeof val !== 'object' && old !== undefined && typeof old !== 'object') {
        // Text or an integer over text or an integer: both sizes known from the values (such a
        // value never waits to be measured again). Nothing of the slot is read.
        const delta = stringValueBytes(val) - stringValueBytes(old);
        if (delta !== 0) {
          const was = keyUsage(key, old);
          this.account(slot, was + delta, was);
        }
      } else {
        this.account(slot, keyUsage(key, val), this.bytes[slot]!);
        if (typeof val === 'object') {
          this.markDirty(key, slot);
        } else if (this.flags[slot]! & SLOT_DIRTY) {
          // Measured just now, and text never changes in place: no longer waiting (the path above relies on it).
          this.flags[slot] = this.flags[slot]! & ~SLOT_DIRTY;
          this.dirtyCount--;
          e.memory.dirtyKeys--;
        }
      }
    }
    if (overwrite && typeof val === 'string') this.overwrittenText.add(key);
    else if (this.overwrittenText.size !== 0) this.overwrittenText.delete(key);
  }

  /** dbDelete */
  delete(key: KeyString): void {
    const slot = this.slotOf(key);
    if (slot === undefined) return;
    const m = this.engine.memory;
    const b = this.bytes[slot]!;
    this.total -= b;
    m.keyspaceBytes -= b;
    if (this.flags[slot]! & SLOT_DIRTY) {
      this.dirtyCount--; // its entry in `dirty` is skipped: the key is gone
      m.dirtyKeys--;
    }
    const last = this.keys.length - 1;
    if (slot !== last) {
      const moved = this.keys[last]!;
      this.keys[slot] = moved;
      this.access[slot] = this.access[last]!;
      this.bytes[slot] = this.bytes[last]!;
      this.flags[slot] = this.flags[last]!;
      this.slots.set(moved, slot);
    }
    this.keys.pop();
    this.slots.delete(key);
    if (this.overwrittenText.size !== 0) this.overwrittenText.delete(key);
    this.lastKey = undefined;
  }

  /** lookupKey's access update (not called for LOOKUP_NOTOUCH). */
  touch(key: KeyString): void {
    const e = this.engine;
    if (e.snapshotInProgress !== null) return; // hasActiveChildProcess: Redis leaves the pages alone
    const slot = this.slotOf(key);
    if (slot === undefined) return this.adopt(key);
    if (maxmemoryPolicyFlags(e) & MAXMEMORY_FLAG_LFU) {
      this.access[slot] = updateLFU(e, this.access[slot]!);
      this.accessedKey = key;
      this.accessedIn = e.stat.numCommands;
    } else {
      this.access[slot] = lruClock(e);
    }
  }

  /** lookupKeyWrite's: the access update, and a value that may change in place is measured again later. */
  touchForWrite(key: KeyString, val: RedisObject): void {
    const e = this.engine;
    const slot = this.slotOf(key);
    if (slot === undefined) return this.adopt(key);
    if (e.snapshotInProgress === null) {
      if (maxmemoryPolicyFlags(e) & MAXMEMORY_FLAG_LFU) {
        this.access[slot] = updateLFU(e, this.access[slot]!);
        this.accessedKey = key;
        this.accessedIn = e.stat.numCommands;
      } else {
        this.access[slot] = lruClock(e);
      }
    }
    if (typeof val === 'object') this.markDirty(key, slot);
  }

  /** A value modified in place after a read lookup (beforeInPlaceWrite): measure it again later. */
  changedInPlace(key: KeyString): void {
    const slot = this.slotOf(key);
    if (slot !== undefined && typeof this.db.dict.get(key) === 'object') this.markDirty(key, slot);
  }

  /** A key put in the dict behind the keyspace's back (a test's setup): indexed when first met. */
  private adopt(key: KeyString): void {
    const val = this.db.dict.get(key);
    if (val !== undefined) this.add(key, val);
  }

  /** The key's value may change in place: measure it again before the used memory is next read. */
  private markDirty(key: KeyString, slot: number): void {
    if (this.flags[slot]! & SLOT_DIRTY) return;
    if (this.dirty.length >= DIRTY_FLUSH) {
      this.measureDirty();
      slot = this.slots.get(key)!;
    }
    this.flags[slot] = this.flags[slot]! | SLOT_DIRTY;
    this.dirty.push(key);
    this.dirtyCount++;
    this.engine.memory.dirtyKeys++;
  }

  /** Measure the values that may have changed in place since they were last measured. */
  measureDirty(): void {
    if (this.dirty.length === 0) return;
    const m = this.engine.memory;
    const dict = this.db.dict;
    for (const key of this.dirty) {
      const slot = this.slots.get(key);
      if (slot === undefined || !(this.flags[slot]! & SLOT_DIRTY)) continue;
      this.flags[slot] = this.flags[slot]! & ~SLOT_DIRTY;
      this.dirtyCount--;
      m.dirtyKeys--;
      const val = dict.get(key);
      if (val !== undefined) this.account(slot, keyUsage(key, val), this.bytes[slot]!);
    }
    this.dirty = [];
  }

  /** FLUSHDB: every key is gone. */
  clear(): void {
    const m = this.engine.memory;
    m.keyspaceBytes -= this.total;
    m.dirtyKeys -= this.dirtyCount;
    this.dirtyCount = 0;
    this.total = 0;
    this.slots.clear();
    this.keys = [];
    this.access = new Int32Array(INITIAL_SLOTS);
    this.bytes = new Float64Array(INITIAL_SLOTS);
    this.flags = new Uint8Array(INITIAL_SLOTS);
    this.dirty = [];
    this.overwrittenText.clear();
    this.lastKey = undefined;
    this.volatileCursor = null;
  }

  /** The key's access field (robj.lru), or undefined when it is not in the database. */
  accessOf(key: KeyString): number | undefined {
    const slot = this.slotOf(key);
    return slot === undefined ? undefined : this.access[slot];
  }

  /** The key holds text stored by dbOverwrite (APPEND, INCR past 2^53, INCRBYFLOAT): see objectEncoding. */
  isOverwrittenText(key: KeyString): boolean {
    return this.overwrittenText.has(key);
  }

  /** What moves with a value (its robj.lru and encoding), for RENAME and MOVE; undefined when there is no key. */
  objectFields(key: KeyString): number | undefined {
    const slot = this.slotOf(key);
    if (slot === undefined) return undefined;
    return this.access[slot]! + (this.overwrittenText.has(key) ? 2 ** LRU_BITS : 0);
  }

  /** Give a key the fields its value had under another key (objectFields). */
  setObjectFields(key: KeyString, fields: number | undefined): void {
    const slot = this.slotOf(key);
    if (slot === undefined || fields === undefined) return;
    this.access[slot] = fields & LRU_CLOCK_MAX;
    if (fields > LRU_CLOCK_MAX) this.overwrittenText.add(key);
  }

  /** The bytes accounted for a key (measured again first if it waits to be), or 0. */
  bytesOf(key: KeyString): number {
    const slot = this.slotOf(key);
    if (slot === undefined) return 0;
    if (this.flags[slot]! & SLOT_DIRTY) this.measureDirty();
    return this.bytes[this.slots.get(key)!]!;
  }

  /** A uniformly random key (the database is not empty). */
  randomKey(random: () => number): KeyString {
    return this.keys[Math.floor(random() * this.keys.length)]!;
  }

  /**
   * dictGetSomeKeys over db.dict: `count` distinct random keys into `out` (all of them when
   * there are no more). Returns how many.
   */
  sampleKeys(out: KeyString[], count: number, random: () => number): number {
    const n = this.keys.length;
    if (n <= count) {
      for (let i = 0; i < n; i++) out[i] = this.keys[i]!;
      return n;
    }
    let got = 0;
    pick: while (got < count) {
      const k = this.keys[Math.floor(random() * n)]!;
      for (let i = 0; i < got; i++) if (out[i] === k) continue pick;
      out[got++] = k;
    }
    return got;
  }
}

/**
 * dictGetSomeKeys over db.expires: up to `count` keys with a TTL. Random keys of the slot index
 * that have one (at most 10 tries per key wanted, dictGetSomeKeys' maxsteps); the rest from the
 * rolling cursor over db.expires.
 */
function sampleVolatileKeys(db: RedisDb, out: KeyString[], count: number, random: () => number): number {
  const expires = db.expires;
  if (expires.size <= count) {
    let i = 0;
    for (const k of expires.keys()) out[i++] = k;
    return i;
  }
  let got = 0;
  const meta = db.meta;
  const taken = (k: KeyString): boolean => {
    for (let i = 0; i < got; i++) if (out[i] === k) return true;
    return false;
  };
  for (let tries = count * 10; tries > 0 && got < count; tries--) {
    const k = meta.randomKey(random);
    if (expires.has(k) && !taken(k)) out[got++] = k;
  }
  while (got < count) {
    let skip = Math.floor(random() * VOLATILE_SKIP);
    let k: KeyString;
    for (;;) {
      meta.volatileCursor ??= expires.keys();
      const r = meta.volatileCursor.next();
      if (r.done) {
        meta.volatileCursor = null;
        continue;
      }
      if (skip-- === 0) {
        k = r.value;
        break;
      }
    }
    if (!taken(k)) out[got++] = k;
  }
  return got;
}

/** A random key with a TTL (dictGetRandomKey on db.expires); the database has one. */
function randomVolatileKey(db: RedisDb, random: () => number): KeyString {
  const out: KeyString[] = [];
  sampleVolatileKeys(db, out, 1, random);
  return out[0]!;
}

// ---- eviction (evict.c) --------------------------------------------------------------------------

/**
 * evictionPoolPopulate: sample keys of one database and insert the good candidates into the
 * pool, kept in ascending order of "idle" (idle ms, 255 − LFU counter, or sooner expiry).
 */
function evictionPoolPopulate(e: Engine, dbid: number, db: RedisDb, flags: number): void {
  const m = e.memory;
  const out = m.samples;
  const want = Math.max(1, e.config.maxmemorySamples);
  const count =
    flags & MAXMEMORY_FLAG_ALLKEYS ? db.meta.sampleKeys(out, want, e.random) : sampleVolatileKeys(db, out, want, e.random);
  const { poolIdle, poolKey, poolDb } = m;
  for (let j = 0; j < count; j++) {
    const key = out[j]!;
    let idle: number;
    if (flags & MAXMEMORY_FLAG_LRU) {
      idle = estimateObjectIdleTime(e, db.meta.accessOf(key) ?? 0);
    } else if (flags & MAXMEMORY_FLAG_LFU) {
      idle = 255 - lfuDecrAndReturn(e, db.meta.accessOf(key) ?? 0);
    } else {
      // volatile-ttl: the sooner the expire the better.
      idle = -Number(db.expires.get(key) ?? 0);
    }
    let k = 0;
    while (k < EVPOOL_SIZE && poolKey[k] !== null && poolIdle[k]! < idle) k++;
    if (k === 0 && poolKey[EVPOOL_SIZE - 1] !== null) {
      continue; // worse than every candidate in a full pool
    } else if (k < EVPOOL_SIZE && poolKey[k] === null) {
      // an empty entry: insert there
    } else if (poolKey[EVPOOL_SIZE - 1] === null) {
      // free space on the right: shift k.. right
      for (let i = EVPOOL_SIZE - 1; i > k; i--) {
        poolKey[i] = poolKey[i - 1]!;
        poolIdle[i] = poolIdle[i - 1]!;
        poolDb[i] = poolDb[i - 1]!;
      }
    } else {
      // no free space: insert at k-1, dropping the worst candidate on the left
      k--;
      for (let i = 0; i < k; i++) {
        poolKey[i] = poolKey[i + 1]!;
        poolIdle[i] = poolIdle[i + 1]!;
        poolDb[i] = poolDb[i + 1]!;
      }
    }
    poolKey[k] = key;
    poolIdle[k] = idle;
    poolDb[k] = dbid;
  }
}

/** evictionTimeLimitUs: maxmemory-eviction-tenacity (0..100) as a time budget per call. */
function evictionTimeLimitUs(tenacity: number): number {
  if (tenacity <= 10) return 50 * tenacity;
  if (tenacity < 100) return Math.floor(500 * Math.pow(1.15, tenacity - 10));
  return Infinity;
}

const monotonicMs: () => number = (() => {
  const perf = (globalThis as { performance?: { now(): number } }).performance;
  return perf !== undefined && typeof perf.now === 'function' ? () => perf.now() : Date.now;
})();

/** startEvictionTimeProc: go on evicting from a timer until memory is under the limit or nothing is left. */
export function startEvictionTimeProc(e: Engine): void {
  const m = e.memory;
  if (m.evictionProcRunning || e.timers === null) return;
  m.evictionProcRunning = true;
  const proc = (): void => {
    e.resetNow();
    if (performEvictions(e) === EVICT_RUNNING) e.timers!.setTimeout(proc, 0);
    else m.evictionProcRunning = false;
  };
  e.timers.setTimeout(proc, 0);
}

/**
 * performEvictions: free memory until used memory is within maxmemory, within the time budget.
 * EVICT_OK: within the limit (or evicting is not possible now: loading); EVICT_RUNNING: over it,
 * a timer goes on evicting; EVICT_FAIL: over it with nothing left to evict.
 */
export function performEvictions(e: Engine): number {
  if (e.loading) return EVICT_OK; // isSafeToPerformEvictions
  const maxmemory = e.config.maxmemory;
  if (maxmemory === 0) return EVICT_OK;
  const used = usedMemory(e);
  if (used <= maxmemory) return EVICT_OK;
  const policy = e.config.maxmemoryPolicy;
  if (policy === 'noeviction') return EVICT_FAIL;
  const flags = maxmemoryPolicyFlags(e);
  const allkeys = (flags & MAXMEMORY_FLAG_ALLKEYS) !== 0;
  const m = e.memory;
  const tofree = used - maxmemory;
  const timeLimitMs = e.timers === null ? Infinity : evictionTimeLimitUs(e.config.maxmemoryEvictionTenacity) / 1000;
  const start = monotonicMs();
  const dbs = e.dbs;
  let freed = 0;
  let keysFreed = 0;
  while (freed < tofree) {
    let bestKey: KeyString | null = null;
    let bestDbid = 0;
    if (flags & (MAXMEMORY_FLAG_LRU | MAXMEMORY_FLAG_LFU) || policy === 'volatile-ttl') {
      while (bestKey === null) {
        let totalKeys = 0;
        // Sample every database: no local choices.
        for (let i = 0; i < dbs.length; i++) {
          const db = dbs[i]!;
          const keys = allkeys ? db.dict.size : db.expires.size;
          if (keys !== 0) {
            evictionPoolPopulate(e, i, db, flags);
            totalKeys += keys;
          }
        }
        if (totalKeys === 0) break; // no keys to evict
        // From the best candidate to the worst; a candidate deleted since it was sampled is a ghost.
        for (let k = EVPOOL_SIZE - 1; k >= 0; k--) {
          const key = m.poolKey[k]!;
          if (key === null) continue;
          const dbid = m.poolDb[k]!;
          m.poolKey[k] = null;
          m.poolIdle[k] = 0;
          const db = dbs[dbid]!;
          if (allkeys ? db.dict.has(key) : db.expires.has(key)) {
            bestKey = key;
            bestDbid = dbid;
            break;
          }
        }
      }
    } else {
      // allkeys-random, volatile-random: one database after the other.
      for (let i = 0; i < dbs.length; i++) {
        const j = ++m.nextDb % dbs.length;
        const db = dbs[j]!;
        if ((allkeys ? db.dict.size : db.expires.size) !== 0) {
          bestKey = allkeys ? db.meta.randomKey(e.random) : randomVolatileKey(db, e.random);
          bestDbid = j;
          break;
        }
      }
    }
    if (bestKey === null) return EVICT_FAIL; // nothing to free
    const db = dbs[bestDbid]!;
    const before = m.keyspaceBytes + (db.expires.has(bestKey) ? EXPIRES_ENTRY : 0);
    db.dbDelete(bestKey);
    freed += before - m.keyspaceBytes;
    e.stat.evictedKeys++;
    e.signalModifiedKey(db, bestKey);
    e.notifyKeyspaceEvent(NOTIFY_EVICTED, 'evicted', bestKey, db.id);
    e.propagateDeletion(db, bestKey);
    keysFreed++;
    // Past the time budget, go on from a timer rather than hold up this command. `>=`, not Redis'
    // `>`: a clock that ticks in whole ms or stands still (workerd) must still stop a budget of 0.
    if (keysFreed % 16 === 0 && monotonicMs() - start >= timeLimitMs) {
      startEvictionTimeProc(e);
      break;
    }
  }
  return m.evictionProcRunning ? EVICT_RUNNING : EVICT_OK;
}

/**
 * processCommand's maxmemory check (called while maxmemory is set): evict, then refuse with
 * -OOM a command that may grow memory — denyoom, an EXEC queuing one, or any command queued
 * inside MULTI — when memory is still over the limit with nothing left to evict.
 */
export function maxmemoryRefusal(c: Client, cmd: RedisCommand): ReplyError | null {
  const outOfMemory = performEvictions(c.engine) === EVICT_FAIL;
  if (!outOfMemory) return null;
  const name = cmd.fullname;
  const flags = name === 'exec' ? execEffectiveFlags(c, cmd) : cmd.flags;
  let reject = (flags & CMD_DENYOOM) !== 0;
  // Queueing inside MULTI takes memory too; EXEC, DISCARD, QUIT and RESET are never refused for it.
  if (c.mstate !== null && name !== 'exec' && name !== 'discard' && name !== 'quit' && name !== 'reset') reject = true;
  return reject ? oomErr() : null;
}

/** Integers of 0..9999 are shared objects unless maxmemory is set with an LRU or LFU policy. */
export function sharedIntegersAllowed(e: Engine): boolean {
  return e.config.maxmemory === 0 || !(maxmemoryPolicyFlags(e) & MAXMEMORY_FLAG_NO_SHARED_INTEGERS);
}
