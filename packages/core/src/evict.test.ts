import { describe, expect, it, vi } from 'vitest';
import { CASES, MEMORY_FACTOR, measureAll } from '../../../scripts/memory-accounting.js';
import {
  EXPIRES_ENTRY,
  KEY_OVERHEAD,
  LFU_INIT_VAL,
  memoryUsageOfKey,
  OBJ_COMPUTE_SIZE_DEF_SAMPLES,
  USED_MEMORY_STARTUP,
} from './evict.js';
import { createStore, MapReply, MemoryPersistence, openStore, ReplyError, type Engine, type Store } from './index.js';
import { commandStream, errorText, setupStore, T0 } from './test-helpers.js';
import { NOTIFY_ALL, NOTIFY_KEYEVENT } from './notify.js';

/** The used memory recomputed from scratch: what the running total must equal. */
function recomputedUsedMemory(e: Engine): number {
  let used = USED_MEMORY_STARTUP;
  for (const db of e.dbs) {
    for (const [key, val] of db.dict) used += memoryUsageOfKey(key, val, OBJ_COMPUTE_SIZE_DEF_SAMPLES);
    used += db.expires.size * EXPIRES_ENTRY;
  }
  return used;
}

/** Every key of every database has its slot, and nothing else does. */
function expectIndexed(e: Engine): void {
  for (const db of e.dbs) {
    expect(db.meta.size).toBe(db.dict.size);
    for (const key of db.dict.keys()) expect(db.meta.accessOf(key)).toBeDefined();
  }
}

/** A deterministic random source for a test. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('access time (robj.lru) and OBJECT IDLETIME', () => {
  it('is set by creation and by every lookup but those Redis makes with LOOKUP_NOTOUCH', () => {
    const { run, advance } = setupStore();
    run('SET', 'k', 'v');
    run('RPUSH', 'l', 'a');
    advance(5000);
    expect(run('OBJECT', 'IDLETIME', 'k')).toBe(5);
    // EXISTS, TYPE, TTL, PTTL, SCAN's TYPE filter and OBJECT itself leave it alone.
    run('EXISTS', 'k');
    run('TYPE', 'k');
    run('TTL', 'k');
    run('PTTL', 'k');
    run('SCAN', '0', 'TYPE', 'string');
    expect(run('OBJECT', 'IDLETIME', 'k')).toBe(5);
    run('GET', 'k');
    expect(run('OBJECT', 'IDLETIME', 'k')).toBe(0);
    advance(3000);
    run('LPUSH', 'l', 'b'); // lookupKeyWrite touches too
    expect(run('OBJECT', 'IDLETIME', 'l')).toBe(0);
    expect(run('OBJECT', 'IDLETIME', 'k')).toBe(3);
    run('TOUCH', 'k');
    expect(run('OBJECT', 'IDLETIME', 'k')).toBe(0);
    expect(run('OBJECT', 'IDLETIME', 'nokey')).toBe(null);
  });

  it('has one-second resolution and wraps at 2^24 seconds', () => {
    const { run, setNow } = setupStore();
    const base = Math.ceil(T0 / 1000) * 1000;
    setNow(base + 999);
    run('SET', 'k', 'v');
    setNow(base + 1001);
    expect(run('OBJECT', 'IDLETIME', 'k')).toBe(1); // another second of the clock, 2 ms later
    // Across the wrap of the 24-bit clock, the idle time is still the elapsed time.
    const wrap = (Math.floor(base / 1000 / 2 ** 24) + 1) * 2 ** 24 * 1000;
    setNow(wrap - 10_000);
    run('GET', 'k');
    setNow(wrap + 20_000);
    expect(run('OBJECT', 'IDLETIME', 'k')).toBe(30 - 1); // LRU_CLOCK_MAX is 2^24 − 1: one second lost, as Redis
  });

  it('with the default clock, reads it once per 100 ms or 1024 uses, as Redis refreshes its LRU clock in serverCron', () => {
    let t = T0;
    const now = vi.spyOn(Date, 'now').mockImplementation(() => t);
    try {
      const pending: (() => void)[] = [];
      const store = createStore({ activeExpire: false, timers: { setTimeout: (fn) => pending.push(fn), clearTimeout: () => {} } });
      const idle = (k: string) => store.execute('OBJECT', 'IDLETIME', k);
      store.execute('SET', 'k', 'v');
      store.execute('SET', 'other', 'v');
      t += 5000;
      expect(idle('k')).toBe(0); // the reading still serves: no 100 ms have passed
      pending.splice(0).forEach((fn) => fn());
      expect(idle('k')).toBe(5);
      t += 3000;
      for (let i = 0; i < 1100; i++) store.execute('GET', 'other');
      expect(idle('other')).toBe(0);
      expect(idle('k')).toBe(8);
    } finally {
      now.mockRestore();
    }
  });

  it('is not updated while a snapshot is being written (Redis: while a child saves)', () => {
    const { store, run, advance } = setupStore();
    run('SET', 'k', 'v');
    advance(4000);
    store.engine.snapshotInProgress = { beforeChange: () => {} } as never;
    run('GET', 'k');
    expect(run('OBJECT', 'IDLETIME', 'k')).toBe(4);
    store.engine.snapshotInProgress = null;
    run('GET', 'k');
    expect(run('OBJECT', 'IDLETIME', 'k')).toBe(0);
  });

  it('moves with the value on RENAME and MOVE; COPY makes a new value', () => {
    const { store, run, advance } = setupStore();
    store.engine.config.maxmemoryPolicy = 'allkeys-lfu';
    store.engine.config.lfuLogFactor = 0; // every access counts
    run('SET', 'k', 'v');
    for (let i = 0; i < 10; i++) run('GET', 'k');
    expect(run('OBJECT', 'FREQ', 'k')).toBe(LFU_INIT_VAL + 10);
    run('RENAME', 'k', 'r'); // its lookup counts one more access
    expect(run('OBJECT', 'FREQ', 'r')).toBe(LFU_INIT_VAL + 11);
    run('MOVE', 'r', '1'); // and MOVE's
    run('SELECT', '1');
    expect(run('OBJECT', 'FREQ', 'r')).toBe(LFU_INIT_VAL + 12);
    run('COPY', 'r', 'c');
    expect(run('OBJECT', 'FREQ', 'c')).toBe(LFU_INIT_VAL);
    expect(run('OBJECT', 'FREQ', 'r')).toBe(LFU_INIT_VAL + 13);
    advance(1);
  });
});

describe('LFU: OBJECT FREQ', () => {
  it("errors under a non-LFU policy, and IDLETIME under an LFU one (Redis' texts)", () => {
    const { store, run } = setupStore();
    run('SET', 'k', 'v');
    expect(errorText(run('OBJECT', 'FREQ', 'k'))).toBe(
      'ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
    store.engine.config.maxmemoryPolicy = 'volatile-lfu';
    expect(errorText(run('OBJECT', 'IDLETIME', 'k'))).toBe(
      'ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.',
    );
    expect(run('OBJECT', 'FREQ', 'nokey')).toBe(null);
  });

  it('starts at LFU_INIT_VAL, grows logarithmically (lfu-log-factor) and decays per lfu-decay-time minutes', () => {
    let now = T0;
    const store = createStore({ clock: () => now, activeExpire: false, random: seeded(7) });
    const e = store.engine;
    e.config.maxmemoryPolicy = 'allkeys-lfu';
    store.execute('SET', 'k', 'v');
    expect(store.execute('OBJECT', 'FREQ', 'k')).toBe(LFU_INIT_VAL);
    // Below LFU_INIT_VAL + 1 every access increments; past it, p = 1 / ((counter − 5) · factor + 1).
    for (let i = 0; i < 1000; i++) store.execute('GET', 'k');
    const after1000 = store.execute('OBJECT', 'FREQ', 'k') as number;
    // With factor 10, 1000 hits reach about 5 + sqrt(2·1000/10) ≈ 19.
    expect(after1000).toBeGreaterThanOrEqual(15);
    expect(after1000).toBeLessThanOrEqual(24);
    for (let i = 0; i < 100_000; i++) store.execute('GET', 'k');
    const after100k = store.execute('OBJECT', 'FREQ', 'k') as number;
    expect(after100k).toBeGreaterThan(100);
    expect(after100k).toBeLessThan(255);
    // Decay: one per minute (lfu-decay-time 1), read without an access.
    now += 10 * 60_000;
    expect(store.execute('OBJECT', 'FREQ', 'k')).toBe(after100k - 10);
    e.config.lfuDecayTime = 5;
    expect(store.execute('OBJECT', 'FREQ', 'k')).toBe(after100k - 2);
    e.config.lfuDecayTime = 0; // no decay
    expect(store.execute('OBJECT', 'FREQ', 'k')).toBe(after100k);
    e.config.lfuDecayTime = 1;
    now += 1000 * 60_000;
    expect(store.execute('OBJECT', 'FREQ', 'k')).toBe(0);
  });

  it('keeps the counter when a value is overwritten (dbOverwrite), not when the key is new', () => {
    const { store, run } = setupStore();
    store.engine.config.maxmemoryPolicy = 'allkeys-lfu';
    store.engine.config.lfuLogFactor = 0;
    run('SET', 'k', 'v');
    run('GET', 'k');
    run('GET', 'k');
    run('SET', 'k', 'w'); // SET's lookup is an access too
    expect(run('OBJECT', 'FREQ', 'k')).toBe(LFU_INIT_VAL + 3);
    run('SET', 'k', 'w', 'GET'); // one access, though it reads and writes
    expect(run('OBJECT', 'FREQ', 'k')).toBe(LFU_INIT_VAL + 5);
    run('APPEND', 'k', 'x'); // dbOverwrite after the command's own lookup
    expect(run('OBJECT', 'FREQ', 'k')).toBe(LFU_INIT_VAL + 6);
    run('DEL', 'k');
    run('SET', 'k', 'x');
    expect(run('OBJECT', 'FREQ', 'k')).toBe(LFU_INIT_VAL);
  });
});

describe('OBJECT ENCODING and REFCOUNT', () => {
  it("names Redis' encodings", () => {
    const { run } = setupStore();
    run('SET', 'int', '12345');
    run('SET', 'neg', '-7');
    run('SET', 'zero', '-0'); // not an integer for string2ll
    run('SET', 'emb', 'x'.repeat(44));
    run('SET', 'raw', 'x'.repeat(45));
    run('SET', 'bin', new Uint8Array([1, 2, 255]));
    run('INCR', 'counter');
    run('INCRBY', 'big', '9007199254740993'); // past 2^53, still a C long
    run('APPEND', 'app', 'abc'); // a new key: tryObjectEncoding
    run('SET', 'app2', 'abc');
    run('APPEND', 'app2', 'def'); // Redis unshares into a raw sds
    run('SETRANGE', 'sr', '0', 'ab');
    run('SETBIT', 'bits', '3', '1');
    run('PFADD', 'hll', 'a');
    run('RPUSH', 'list', 'a');
    run('HSET', 'hash', 'f', 'v');
    run('HSET', 'bighash', 'f', 'v'.repeat(65));
    run('SADD', 'iset', '1', '2');
    run('SADD', 'hset', '1', 'x');
    run('ZADD', 'zset', '1', 'a');
    run('ZADD', 'bigzset', '1', 'a'.repeat(65));
    run('XADD', 'stream', '*', 'f', 'v');
    const enc = (k: string) => run('OBJECT', 'ENCODING', k);
    expect(
      ['int', 'neg', 'zero', 'emb', 'raw', 'bin', 'counter', 'big', 'app', 'app2', 'sr', 'bits', 'hll'].map(enc),
    ).toEqual(['int', 'int', 'embstr', 'embstr', 'raw', 'embstr', 'int', 'int', 'embstr', 'raw', 'raw', 'raw', 'raw']);
    expect(['list', 'hash', 'bighash', 'iset', 'hset', 'zset', 'bigzset', 'stream'].map(enc)).toEqual([
      'quicklist',
      'listpack',
      'hashtable',
      'intset',
      'hashtable',
      'listpack',
      'skiplist',
      'stream',
    ]);
    run('RENAME', 'app2', 'moved');
    expect(enc('moved')).toBe('raw'); // the robj moves
    run('SET', 'moved', 'abc');
    expect(enc('moved')).toBe('embstr');
    expect(enc('nokey')).toBe(null);
  });

  it('answers 2147483647 for shared integers 0..9999 unless maxmemory is set with an LRU or LFU policy', () => {
    const { store, run } = setupStore();
    run('SET', 'a', '9999');
    run('SET', 'b', '10000');
    run('SET', 'c', 'text');
    run('RPUSH', 'l', 'x');
    const rc = () => ['a', 'b', 'c', 'l'].map((k) => run('OBJECT', 'REFCOUNT', k));
    expect(rc()).toEqual([2147483647, 1, 1, 1]);
    store.engine.config.maxmemoryPolicy = 'allkeys-lru';
    expect(rc()).toEqual([2147483647, 1, 1, 1]); // maxmemory 0: sharing allowed
    store.engine.config.maxmemory = 1 << 30;
    expect(rc()).toEqual([1, 1, 1, 1]);
    store.engine.config.maxmemoryPolicy = 'volatile-ttl';
    expect(rc()).toEqual([2147483647, 1, 1, 1]);
    expect(run('OBJECT', 'REFCOUNT', 'nokey')).toBe(null);
  });

  it('looks the key up without touching it or firing keymiss, but counts hits and misses', () => {
    const { store, run, events } = setupStore();
    store.engine.notifyKeyspaceEventsFlags = NOTIFY_ALL | NOTIFY_KEYEVENT | (1 << 11);
    run('SET', 'k', 'v');
    events.length = 0;
    const { keyspaceHits, keyspaceMisses } = store.engine.stat;
    run('OBJECT', 'ENCODING', 'k');
    run('OBJECT', 'ENCODING', 'nokey');
    expect(events).toEqual([]);
    expect(store.engine.stat.keyspaceHits).toBe(keyspaceHits + 1);
    expect(store.engine.stat.keyspaceMisses).toBe(keyspaceMisses + 1);
  });
});

describe('memory accounting', () => {
  it('keeps a running total equal to the per-key estimates, through every command family', () => {
    // Seed 110 once caught FLUSHALL losing count of the keys waiting to be measured again.
    for (const seed of [1, 2, 3, 110]) {
      let now = T0;
      const store = createStore({ clock: () => now, activeExpire: false, random: seeded(seed) });
      const { next, rng } = commandStream(seed, T0);
      for (let i = 0; i < 4000; i++) {
        now += rng.int(0, 300);
        const argv = next();
        store.execute(...argv);
        if (i % 50 === 0) {
          expect(store.engine.usedMemory(), `seed ${seed}, command ${i}: ${argv.map(String).join(' ')}`).toBe(
            recomputedUsedMemory(store.engine),
          );
          expectIndexed(store.engine);
        }
        if (i % 1000 === 999) store.activeExpireCycle();
      }
    }
  });

  it('follows adds, in-place growth, overwrites, deletes, TTLs, FLUSHDB and SWAPDB', () => {
    const { store, run } = setupStore();
    const e = store.engine;
    expect(e.usedMemory()).toBe(USED_MEMORY_STARTUP);
    run('SET', 'k', 'v'.repeat(100));
    const one = e.usedMemory() - USED_MEMORY_STARTUP;
    expect(one).toBe(KEY_OVERHEAD + 24 + 120); // key "k", 100 one-byte chars
    expect(run('MEMORY', 'USAGE', 'k')).toBe(one);
    run('EXPIRE', 'k', '100');
    expect(e.usedMemory() - USED_MEMORY_STARTUP).toBe(one + EXPIRES_ENTRY);
    run('SET', 'k', 'v'); // the TTL goes with the old value
    expect(e.usedMemory() - USED_MEMORY_STARTUP).toBe(KEY_OVERHEAD + 24 + 24);
    run('RPUSH', 'l', ...Array.from({ length: 1000 }, (_, i) => `element:${i}`));
    const withList = e.usedMemory();
    run('RPUSH', 'l', ...Array.from({ length: 1000 }, (_, i) => `element:${i}`));
    expect(e.usedMemory()).toBeGreaterThan(withList + 1000 * 30);
    run('LTRIM', 'l', '0', '9');
    expect(e.usedMemory()).toBeLessThan(withList);
    run('SELECT', '3');
    run('SET', 'other', 'x');
    run('SWAPDB', '0', '3');
    expect(e.usedMemory()).toBe(recomputedUsedMemory(e));
    run('FLUSHDB'); // db 3 now holds what db 0 held
    expect(e.usedMemory()).toBe(recomputedUsedMemory(e));
    run('FLUSHALL');
    expect(e.usedMemory()).toBe(USED_MEMORY_STARTUP);
    expectIndexed(e);
  });

  it('is kept for the keys a restart loads from a snapshot and the log', async () => {
    let now = T0;
    const p = new MemoryPersistence();
    const store = await openStore({ persistence: p, clock: () => now, activeExpire: false, random: seeded(11), compaction: { auto: false } });
    const { next } = commandStream(11, T0);
    for (let i = 0; i < 1500; i++) {
      now += 7;
      store.execute(...next());
      if (i === 700) await store.call('BGSAVE');
    }
    await store.flush();
    const used = store.engine.usedMemory();
    await store.close();
    const reopened = await openStore({ persistence: p, clock: () => now, activeExpire: false });
    const e = reopened.engine;
    expect(e.usedMemory()).toBe(recomputedUsedMemory(e));
    expectIndexed(e);
    // The same data, but byte strings grown by APPEND or SETRANGE are loaded without their spare capacity.
    expect(e.usedMemory()).toBeLessThanOrEqual(used);
    expect(e.usedMemory()).toBeGreaterThan(used * 0.95);
    await reopened.close();
  });

  // The estimates are calibrated on V8's heap as Node lays it out, measured in child Node processes
  // (scripts/memory-accounting.ts spawns process.execPath with tsx): Node only.
  const onNode = !('Bun' in globalThis) && !('Deno' in globalThis);
  it.skipIf(!onNode)(`tracks the heap (heapUsed + arrayBuffers) within a factor ${MEMORY_FACTOR} for 100k keys of each type`, async () => {
    const results = await measureAll();
    const off = results.filter((r) => r.ratio > MEMORY_FACTOR || r.ratio < 1 / MEMORY_FACTOR);
    expect(off, JSON.stringify(results, null, 1)).toEqual([]);
    expect(results.map((r) => r.case)).toEqual(Object.keys(CASES));
  }, 300_000);
});

describe('MEMORY', () => {
  it("USAGE: Redis' argument errors, null for a missing key, SAMPLES 0 reads every element", () => {
    const { run } = setupStore();
    run('HSET', 'h', ...Array.from({ length: 100 }, (_, i) => [`f${i}`, i < 5 ? 'short' : 'a much longer value'.repeat(3)]).flat());
    expect(errorText(run('MEMORY', 'USAGE', 'h', 'SAMPLES', '-1'))).toBe('ERR syntax error');
    expect(errorText(run('MEMORY', 'USAGE', 'h', 'SAMPLES', 'x'))).toBe('ERR value is not an integer or out of range');
    expect(errorText(run('MEMORY', 'USAGE', 'h', 'SAMPLES'))).toBe('ERR syntax error');
    expect(errorText(run('MEMORY', 'USAGE', 'h', 'FOO', '1'))).toBe('ERR syntax error');
    expect(errorText(run('MEMORY', 'USAGE', 'nokey', 'SAMPLES', 'x'))).toBe('ERR value is not an integer or out of range');
    expect(run('MEMORY', 'USAGE', 'nokey')).toBe(null);
    const sampled = run('MEMORY', 'USAGE', 'h') as number;
    const all = run('MEMORY', 'USAGE', 'h', 'SAMPLES', '0') as number;
    expect(all).toBeGreaterThan(sampled); // the first five values are the short ones
    expect(run('MEMORY', 'USAGE', 'h', 'SAMPLES', '1000', 'samples', '5')).toBe(sampled);
  });

  it("STATS has Redis' fields; DOCTOR, MALLOC-STATS and PURGE answer", () => {
    const { store, run } = setupStore();
    run('SET', 'a', '1');
    run('SET', 'b', '2', 'EX', '100');
    const stats = store.execute('MEMORY', 'STATS');
    expect(stats).toBeInstanceOf(MapReply);
    const flat = (stats as MapReply).flat;
    const fields = flat.filter((_, i) => i % 2 === 0);
    expect(fields).toEqual([
      'peak.allocated', 'total.allocated', 'startup.allocated', 'replication.backlog', 'clients.slaves', 'clients.normal',
      'cluster.links', 'aof.buffer', 'lua.caches', 'functions.caches', 'db.0', 'overhead.total', 'keys.count',
      'keys.bytes-per-key', 'dataset.bytes', 'dataset.percentage', 'peak.percentage', 'allocator.allocated',
      'allocator.active', 'allocator.resident', 'allocator-fragmentation.ratio', 'allocator-fragmentation.bytes',
      'allocator-rss.ratio', 'allocator-rss.bytes', 'rss-overhead.ratio', 'rss-overhead.bytes', 'fragmentation',
      'fragmentation.bytes',
    ]);
    const get = (f: string) => flat[flat.indexOf(f) + 1];
    expect(get('total.allocated')).toBe(store.engine.usedMemory());
    expect(get('keys.count')).toBe(2);
    expect((get('db.0') as MapReply).flat).toEqual([
      'overhead.hashtable.main', 2 * KEY_OVERHEAD,
      'overhead.hashtable.expires', EXPIRES_ENTRY,
      'overhead.hashtable.slot-to-keys', 0,
    ]);
    expect(run('MEMORY', 'DOCTOR')).toMatch(/^Hi Sam, this instance is empty or is using very little memory/);
    expect(run('MEMORY', 'MALLOC-STATS')).toBe('Stats not supported for the current allocator');
    expect(run('MEMORY', 'PURGE')).toBe('OK');
    for (let i = 0; i < 30_000; i++) store.execute('SET', `key:${i}`, 'v'.repeat(100));
    expect(run('MEMORY', 'DOCTOR')).toBe(
      "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\n",
    );
    for (let i = 30_000; i < 60_000; i++) store.execute('SET', `key:${i}`, 'v'.repeat(100));
    run('FLUSHALL');
    for (let i = 0; i < 25_000; i++) store.execute('SET', `key:${i}`, 'v'.repeat(100));
    expect(run('MEMORY', 'DOCTOR')).toMatch(/^Sam, I detected a few issues in this Redis instance memory implants:\n\n \* Peak memory:/);
  });
});

describe('eviction', () => {
  /** A store whose maxmemory is its used memory with `keys` 100-byte strings in it. */
  function bounded(policy: Engine['config']['maxmemoryPolicy'], keys: number, samples = 5) {
    const t = setupStore((event, key) => (event === 'evicted' ? key : undefined));
    const e = t.store.engine;
    for (let i = 0; i < keys; i++) t.run('SET', `fill:${i}`, 'v'.repeat(100));
    const limit = e.usedMemory();
    t.run('FLUSHALL');
    e.config.maxmemory = limit;
    e.config.maxmemoryPolicy = policy;
    e.config.maxmemorySamples = samples;
    e.config.maxmemoryEvictionTenacity = 100;
    t.log.length = 0;
    return { ...t, e };
  }
  const key = (i: number) => `key:${String(i).padStart(4, '0')}`; // the same size as fill:NNN… keys give or take

  it('allkeys-lru evicts the least recently used keys (samples ≥ keys: exact), logging DEL and firing evicted', () => {
    const { run, e, log, events, advance } = bounded('allkeys-lru', 50, 64);
    for (let i = 0; i < 40; i++) {
      run('SET', key(i), 'v'.repeat(100));
      advance(1000);
    }
    for (let i = 0; i < 20; i++) {
      run('GET', key(i)); // 0..19 are now the most recent
      advance(1000);
    }
    for (let i = 40; i < 70; i++) {
      run('SET', key(i), 'v'.repeat(100));
      advance(1000);
    }
    expect(e.stat.evictedKeys).toBeGreaterThan(10);
    expect(events.length).toBe(e.stat.evictedKeys);
    // The evicted keys are the ones not read again, oldest first.
    expect(events.slice(0, 10)).toEqual(Array.from({ length: 10 }, (_, i) => key(20 + i)));
    expect(log.filter((l) => l[1] === 'DEL').map((l) => l[2])).toEqual(events);
    for (let i = 0; i < 20; i++) expect(run('EXISTS', key(i))).toBe(1);
    run('PING');
    expect(e.usedMemory()).toBeLessThanOrEqual(e.config.maxmemory);
  });

  it('allkeys-lfu evicts the least frequently used keys', () => {
    const { run, e, events } = bounded('allkeys-lfu', 30, 64);
    e.config.lfuLogFactor = 0;
    for (let i = 0; i < 25; i++) run('SET', key(i), 'v'.repeat(100));
    for (let i = 0; i < 25; i++) for (let j = 0; j < (i % 2 === 0 ? 10 : 0); j++) run('GET', key(i));
    for (let i = 25; i < 35; i++) {
      run('SET', key(i), 'v'.repeat(100));
      for (let j = 0; j < 20; j++) run('GET', key(i));
    }
    expect(events.length).toBeGreaterThan(0);
    for (const k of events) expect(Number(k.slice(4)) % 2).toBe(1); // never read: the odd ones
  });

  it('volatile-* evict only keys with a TTL; volatile-ttl the soonest to expire', () => {
    for (const policy of ['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl'] as const) {
      const { run, events } = bounded(policy, 40, 64);
      for (let i = 0; i < 20; i++) run('SET', key(i), 'v'.repeat(100));
      for (let i = 20; i < 30; i++) run('SET', key(i), 'v'.repeat(100), 'EX', String(1000 - i));
      expect(events, policy).toEqual([]);
      for (let i = 30; i < 45; i++) run('SET', key(i), 'v'.repeat(100)); // no TTL: to make room, keys with one go
      expect(events.length, policy).toBeGreaterThan(0);
      for (const k of events) expect(Number(k.slice(4)), policy).toBeGreaterThanOrEqual(20);
      if (policy === 'volatile-ttl') expect(events[0]).toBe(key(29)); // 1000 − 29 s: the soonest
      // With every key with a TTL gone, nothing is left to evict: -OOM for commands that may grow memory.
      for (let i = 35; i < 60; i++) run('SET', key(i), 'v'.repeat(100));
      expect(errorText(run('SET', 'one-more', 'v'.repeat(100)))).toBe("OOM command not allowed when used memory > 'maxmemory'.");
      expect(run('GET', key(0))).toBe('v'.repeat(100)); // reads are not refused
    }
  });

  it('allkeys-random evicts keys from every database in turn', () => {
    const { run, e, events } = bounded('allkeys-random', 40);
    for (let i = 0; i < 30; i++) run('SET', key(i), 'v'.repeat(100));
    run('SELECT', '5');
    for (let i = 30; i < 60; i++) run('SET', key(i), 'v'.repeat(100));
    expect(events.length).toBeGreaterThan(10);
    expect(e.dbs[0]!.dict.size).toBeLessThan(30);
    run('PING'); // memory may be over the limit after a write, until the next command
    expect(e.usedMemory()).toBeLessThanOrEqual(e.config.maxmemory);
  });

  it('noeviction refuses denyoom commands with -OOM, and every command queued in MULTI; EXEC and DISCARD run', () => {
    const { store, run, e } = bounded('noeviction', 5);
    for (let i = 0; i < 6; i++) expect(run('SET', key(i), 'v'.repeat(100))).toBe('OK'); // memory was within the limit before each
    expect(errorText(run('SET', 'x', 'y'))).toBe("OOM command not allowed when used memory > 'maxmemory'.");
    expect(errorText(run('RPUSH', 'l', 'y'))).toBe("OOM command not allowed when used memory > 'maxmemory'.");
    expect(run('GET', key(0))).toBe('v'.repeat(100));
    expect(run('DEL', key(5))).toBe(1); // not denyoom: frees memory
    expect(run('SET', 'x', 'y')).toBe('OK');
    expect(errorText(run('SET', 'x3', 'y'))).toMatch(/^OOM/);
    // Inside MULTI: GET is refused too (queueing takes memory), which dooms the transaction.
    const s = store.connect();
    expect(s.execute('MULTI')).toEqual(expect.objectContaining({ text: 'OK' }));
    expect(errorText(s.execute('GET', key(0)))).toMatch(/^OOM/);
    expect(errorText(s.execute('EXEC'))).toBe('EXECABORT Transaction discarded because of previous errors.');
    s.execute('MULTI');
    expect(s.execute('DISCARD')).toEqual(expect.objectContaining({ text: 'OK' }));
    // A transaction queued before memory ran out: EXEC is refused when it holds a denyoom command.
    e.config.maxmemory = 0;
    s.execute('MULTI');
    s.execute('SET', 'y', '1');
    e.config.maxmemory = 1;
    expect(errorText(s.execute('EXEC'))).toBe(
      "EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.",
    );
    e.config.maxmemory = 0;
    s.execute('MULTI');
    s.execute('GET', 'y');
    e.config.maxmemory = 1;
    expect(s.execute('EXEC')).toEqual([null]);
  });

  it('touches WATCHed keys it evicts', () => {
    const { store, run } = bounded('allkeys-lru', 10, 64);
    run('SET', key(0), 'v'.repeat(100));
    const s = store.connect();
    s.execute('WATCH', key(0));
    for (let i = 1; i < 15; i++) run('SET', key(i), 'v'.repeat(100));
    expect(run('EXISTS', key(0))).toBe(0);
    s.execute('MULTI');
    s.execute('SET', 'z', '1');
    expect(s.execute('EXEC')).toEqual(expect.objectContaining({ kind: 'null-array' }));
  });

  it('spreads a large eviction over timer turns past its time budget (maxmemory-eviction-tenacity)', () => {
    let now = T0;
    const pending: (() => void)[] = [];
    const store = createStore({
      clock: () => now,
      activeExpire: false,
      timers: { setTimeout: (fn) => pending.push(fn), clearTimeout: () => {} },
    });
    const e = store.engine;
    for (let i = 0; i < 60_000; i++) store.execute('SET', `key:${i}`, 'v'.repeat(100));
    e.config.maxmemoryPolicy = 'allkeys-random';
    e.config.maxmemoryEvictionTenacity = 0; // no time at all: 16 keys per call
    e.config.maxmemory = USED_MEMORY_STARTUP + 1000;
    expect(store.execute('GET', 'key:1')).not.toBeInstanceOf(ReplyError); // EVICT_RUNNING: not refused
    expect(e.stat.evictedKeys).toBe(16);
    expect(pending.length).toBe(1);
    while (pending.length) pending.shift()!();
    expect(e.dbs[0]!.dict.size).toBeLessThanOrEqual(6);
    expect(e.usedMemory()).toBeLessThanOrEqual(e.config.maxmemory);
    now += 1;
  });

  it('does not evict while loading', () => {
    const { store, run, e } = bounded('allkeys-lru', 5);
    e.loading = true;
    for (let i = 0; i < 10; i++) run('SET', key(i), 'v');
    e.loading = false;
    expect(e.stat.evictedKeys).toBe(0);
    void store;
  });
});

describe('eviction quality (unit-sized)', () => {
  /** The hit rate of allkeys-lru on a Zipf trace, next to an exact LRU cache of the same size. */
  function hitRates(samples: number): { lodis: number; exact: number } {
    const rnd = seeded(3);
    const keys = 4000;
    const cdf: number[] = [];
    let sum = 0;
    for (let r = 0; r < keys; r++) cdf.push((sum += 1 / Math.pow(r + 1, 0.9)));
    const draw = () => {
      const u = rnd() * sum;
      let lo = 0;
      let hi = keys - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cdf[mid]! < u) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const trace = Array.from({ length: 40_000 }, draw);
    const capacity = 1000;
    const exactCache = new Map<number, true>();
    let exactHits = 0;
    for (const id of trace) {
      if (exactCache.delete(id)) exactHits++;
      exactCache.set(id, true);
      if (exactCache.size > capacity) exactCache.delete(exactCache.keys().next().value!);
    }
    let now = T0;
    const store: Store = createStore({ clock: () => now, activeExpire: false, random: seeded(4) });
    const e = store.engine;
    const name = (id: number) => `key:${String(id).padStart(5, '0')}`;
    for (let i = 0; i < capacity; i++) store.execute('SET', name(i), 'v'.repeat(50));
    const limit = e.usedMemory();
    store.execute('FLUSHALL');
    Object.assign(e.config, { maxmemory: limit, maxmemoryPolicy: 'allkeys-lru', maxmemorySamples: samples });
    e.stat.keyspaceHits = e.stat.keyspaceMisses = 0;
    for (const id of trace) {
      if (store.execute('GET', name(id)) === null) store.execute('SET', name(id), 'v'.repeat(50));
      now += 250; // 4 requests per tick of the 1-second LRU clock
    }
    return { lodis: e.stat.keyspaceHits / trace.length, exact: exactHits / trace.length };
  }

  it('comes within a few points of an exact LRU (samples 5 and 10)', () => {
    for (const samples of [5, 10]) {
      const { lodis, exact } = hitRates(samples);
      expect(Math.abs(lodis - exact), `samples ${samples}: ${lodis} vs exact ${exact}`).toBeLessThan(0.04);
    }
  });
});
