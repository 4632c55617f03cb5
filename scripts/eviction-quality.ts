/**
 * Eviction quality: the same cache workload against redis-server and against Lodis, with the same
 * maxmemory policy and samples, comparing hit rates (keyspace_hits / (hits + misses)); an exact
 * LRU cache of the same size is the reference.
 *
 *   npx tsx scripts/eviction-quality.ts                 # redis-server on port 6422 (started if none answers)
 *   REDIS_PORT=6379 npx tsx scripts/eviction-quality.ts --ops=300000 --keys=100000
 *
 * Workload: redis-cli --lru-test's — requests alternate SET and GET, each on a key drawn
 * independently (so the trace is fixed and can be pipelined): keys from a Zipf distribution
 * (exponent --zipf, 0.9 by default) over --keys keys whose popularity ranks are shuffled, with
 * a fixed seed. The hit rate is that of the GETs.
 *
 * Memory units differ — Redis counts its allocator's bytes, Lodis its JS-heap estimate — so each
 * side's maxmemory is its own used memory when it holds exactly half of the keys the trace sets
 * (CAPACITY, the size of the exact LRU cache it is compared with): measured as
 * used memory empty + (used memory with half the keys loaded − used memory before loading them),
 * read with INFO used_memory / engine.usedMemory(), the keys then flushed. Both sides start
 * evicting at the same number of keys.
 *
 * Time: the LRU clock has one-second resolution on both sides, so the requests to redis-server
 * are paced to last --seconds (30 by default: 30 ticks; unpaced, the trace takes a few seconds
 * and LRU degrades towards random). Lodis' clock is injected and advanced by Redis' measured
 * time per request: both see the same number of clock ticks over the trace.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { createStore } from '../packages/core/src/index.js';

const arg = (name: string, def: number): number => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? def : Number(a.slice(name.length + 3));
};
const PORT = Number(process.env.REDIS_PORT ?? 6422);
const KEYS = arg('keys', 100_000);
const OPS = arg('ops', 400_000);
const ZIPF = arg('zipf', 0.9);
const VALUE = 'v'.repeat(arg('value', 100));
const SEED = arg('seed', 42);
/** How long the trace takes on redis-server (paced): the LRU clock ticks once a second, so this many ticks. */
const SECONDS = arg('seconds', 30);

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The trace: key ids drawn from a Zipf distribution over shuffled ranks. */
export function zipfTrace(keys: number, ops: number, s: number, seed: number): Int32Array {
  const rnd = prng(seed);
  const cdf = new Float64Array(keys);
  let sum = 0;
  for (let r = 0; r < keys; r++) cdf[r] = sum += 1 / Math.pow(r + 1, s);
  const ids = Int32Array.from({ length: keys }, (_, i) => i);
  for (let i = keys - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  const trace = new Int32Array(ops);
  for (let i = 0; i < ops; i++) {
    const u = rnd() * sum;
    let lo = 0;
    let hi = keys - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    trace[i] = ids[lo]!;
  }
  return trace;
}

const keyName = (id: number) => `key:${String(id).padStart(7, '0')}`;

/** Request i is a SET when i is even, a GET when odd (redis-cli --lru-test). */
const isSet = (i: number) => (i & 1) === 0;

/** Hit rate of an exact LRU cache of `capacity` keys on the same trace (SETs insert, GETs hit or miss). */
export function exactLruHitRate(trace: Int32Array, capacity: number): number {
  const lru = new Map<number, true>();
  let hits = 0;
  let gets = 0;
  for (let i = 0; i < trace.length; i++) {
    const id = trace[i]!;
    const present = lru.delete(id);
    if (isSet(i)) {
      lru.set(id, true);
      if (lru.size > capacity) lru.delete(lru.keys().next().value!);
    } else {
      gets++;
      if (present) {
        hits++;
        lru.set(id, true);
      }
    }
  }
  return hits / gets;
}

interface Config {
  policy: string;
  samples: number;
}

function infoField(info: string, field: string): number {
  const m = new RegExp(`^${field}:(\\d+)`, 'm').exec(info);
  if (m === null) throw new Error(`INFO has no ${field}`);
  return Number(m[1]);
}

/** Requests per pipeline sent to redis-server. */
const BATCH = 500;

async function redisRun(redis: Redis, trace: Int32Array, cfg: Config): Promise<{ hitRate: number; ms: number; maxmemory: number; evicted: number }> {
  await redis.config('SET', 'maxmemory', '0');
  await redis.flushall();
  const usedMemory = async () => infoField(await redis.info('memory'), 'used_memory');
  const half = CAPACITY;
  const emptyBefore = await usedMemory();
  for (let i = 0; i < half; i += BATCH) {
    const p = redis.pipeline();
    for (let j = i; j < Math.min(half, i + BATCH); j++) p.set(keyName(j), VALUE);
    await p.exec();
  }
  const loaded = await usedMemory();
  await redis.flushall();
  const maxmemory = (await usedMemory()) + loaded - emptyBefore;
  await redis.config('SET', 'maxmemory-policy', cfg.policy);
  await redis.config('SET', 'maxmemory-samples', String(cfg.samples));
  await redis.config('SET', 'maxmemory', String(maxmemory));
  await redis.config('RESETSTAT');
  const t0 = performance.now();
  for (let i = 0; i < trace.length; i += BATCH) {
    const due = t0 + (i / trace.length) * SECONDS * 1000;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const p = redis.pipeline();
    for (let j = i; j < Math.min(trace.length, i + BATCH); j++) {
      if (isSet(j)) p.set(keyName(trace[j]!), VALUE);
      else p.get(keyName(trace[j]!));
    }
    await p.exec();
  }
  const ms = performance.now() - t0;
  const stats = await redis.info('stats');
  const hits = infoField(stats, 'keyspace_hits');
  const misses = infoField(stats, 'keyspace_misses');
  await redis.config('SET', 'maxmemory', '0');
  await redis.config('SET', 'maxmemory-policy', 'noeviction');
  await redis.flushall();
  return { hitRate: hits / (hits + misses), ms, maxmemory, evicted: infoField(stats, 'evicted_keys') };
}

function lodisRun(trace: Int32Array, cfg: Config, msPerOp: number): { hitRate: number; maxmemory: number; evicted: number } {
  let now = Date.UTC(2024, 0, 1);
  const store = createStore({ clock: () => Math.floor(now), activeExpire: false, timers: false, random: prng(SEED + 1) });
  const e = store.engine;
  const half = CAPACITY;
  const emptyBefore = e.usedMemory();
  for (let i = 0; i < half; i++) store.execute('SET', keyName(i), VALUE);
  const loaded = e.usedMemory();
  store.execute('FLUSHALL');
  const maxmemory = e.usedMemory() + loaded - emptyBefore;
  e.config.maxmemoryPolicy = cfg.policy as typeof e.config.maxmemoryPolicy;
  e.config.maxmemorySamples = cfg.samples;
  e.config.maxmemory = maxmemory;
  e.stat.keyspaceHits = 0;
  e.stat.keyspaceMisses = 0;
  for (let i = 0; i < trace.length; i++) {
    if (isSet(i)) store.execute('SET', keyName(trace[i]!), VALUE);
    else store.execute('GET', keyName(trace[i]!));
    now += msPerOp;
  }
  const { keyspaceHits: hits, keyspaceMisses: misses, evictedKeys } = e.stat;
  return { hitRate: hits / (hits + misses), maxmemory, evicted: evictedKeys };
}

async function connectOrStart(): Promise<{ redis: Redis; proc: ChildProcess | null }> {
  const tryConnect = async (): Promise<Redis | null> => {
    const r = new Redis({ port: PORT, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => {});
    try {
      await r.connect();
      await r.ping();
      return r;
    } catch {
      r.disconnect();
      return null;
    }
  };
  let redis = await tryConnect();
  if (redis !== null) return { redis, proc: null };
  const proc = spawn(process.env.REDIS_SERVER ?? 'redis-server', ['--port', String(PORT), '--bind', '127.0.0.1', '--save', ''], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 50 && redis === null; i++) {
    await new Promise((r) => setTimeout(r, 100));
    redis = await tryConnect();
  }
  if (redis === null) throw new Error(`no redis-server on port ${PORT}`);
  return { redis, proc };
}

const trace = zipfTrace(KEYS, OPS, ZIPF, SEED);
/** Distinct keys the trace SETs: the cache holds half of them. */
const DISTINCT = new Set(trace.filter((_, i) => isSet(i))).size;
const CAPACITY = Math.floor(DISTINCT / 2);

const configs: Config[] = [
  { policy: 'allkeys-lru', samples: 5 },
  { policy: 'allkeys-lru', samples: 10 },
  { policy: 'allkeys-lfu', samples: 5 },
  { policy: 'allkeys-random', samples: 5 },
];

const { redis, proc } = await connectOrStart();
try {
  const version = /redis_version:(\S+)/.exec(await redis.info('server'))![1];
  const exact = exactLruHitRate(trace, CAPACITY);
  console.log(`Eviction quality — redis-cli --lru-test's workload (SET and GET alternating), ${OPS} requests, Zipf ${ZIPF} over ${KEYS} keys, ${VALUE.length}-byte values;`);
  console.log(`The trace SETs ${DISTINCT} distinct keys; maxmemory on each side = its used memory holding ${CAPACITY} keys (half of them); redis-server ${version} on port ${PORT}.`);
  console.log(`Exact LRU of ${CAPACITY} keys: hit rate ${(exact * 100).toFixed(2)}%. The trace lasts ${SECONDS} s (LRU clock ticks) on each side.\n`);
  const header = ['policy', 'samples', 'redis hit %', 'lodis hit %', 'diff (points)', 'redis evicted', 'lodis evicted', 'maxmemory redis / lodis'];
  const rows: string[][] = [];
  for (const cfg of configs) {
    const r = await redisRun(redis, trace, cfg);
    const l = lodisRun(trace, cfg, r.ms / OPS);
    rows.push([
      cfg.policy,
      String(cfg.samples),
      (r.hitRate * 100).toFixed(2),
      (l.hitRate * 100).toFixed(2),
      ((l.hitRate - r.hitRate) * 100).toFixed(2),
      String(r.evicted),
      String(l.evicted),
      `${r.maxmemory} / ${l.maxmemory}`,
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
} finally {
  redis.disconnect();
  proc?.kill();
}
