/**
 * Records packages/core/src/types/hll.fixture.json from a real redis-server: PFADD replies,
 * PFCOUNT results and the exact bytes of HLLs (GET, as hex) for seeded element sets — ASCII,
 * binary, unicode, and elements crafted to hit chosen registers — sparse and dense, merges and
 * multi-key counts. hll.test.ts replays the same steps on Lodis and compares.
 *
 *   npx tsx scripts/record-hll-fixture.ts                          # a throwaway redis-server
 *   REDIS_PORT=6399 REDIS_DB=3 npx tsx scripts/record-hll-fixture.ts   # a running one (keys hllfx:*)
 *
 * The elements are not stored: each PFADD step names its generator (kind, seed, count), which
 * hll.test.ts imports from here.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mulberry32 } from '../conformance/fuzz/rng.js';
import { RedisConnection, startRedis } from '../conformance/redis-client.js';
import { bulkPayload, parseRaw } from '../conformance/resp.js';

export type ElementSpec =
  | { kind: 'ascii' | 'binary' | 'unicode'; seed: number; count: number }
  /** One 8-byte element per [register, count] pair, hashing to exactly that (see craftElement). */
  | { kind: 'crafted'; registers: [number, number][] };

export type FixtureStep =
  /** `lengths`: the value's length (STRLEN) after each batch, which shows when it turned dense. */
  | { op: 'pfadd'; key: string; elements: ElementSpec; batch: number; replies: number[]; lengths?: number[] }
  | { op: 'pfcount'; keys: string[]; reply: number }
  | { op: 'pfmerge'; keys: string[]; reply: string }
  | { op: 'get'; key: string; hex: string };

export interface Fixture {
  redis: string;
  steps: FixtureStep[];
}

// ---- element generators ---------------------------------------------------------------------

// Code point ranges for unicode elements: ASCII, Latin-1, Greek, CJK, emoji (astral), combining marks.
const RANGES: [number, number][] = [
  [0x20, 0x7e],
  [0xa0, 0xff],
  [0x391, 0x3c9],
  [0x4e00, 0x9fff],
  [0x1f300, 0x1f64f],
  [0x300, 0x36f],
];

export function generateElements(spec: ElementSpec): (string | Uint8Array)[] {
  if (spec.kind === 'crafted') return spec.registers.map(([reg, count]) => craftElement(reg, count, reg * 64 + count));
  const rand = mulberry32(spec.seed);
  const out: (string | Uint8Array)[] = [];
  for (let i = 0; i < spec.count; i++) {
    if (spec.kind === 'ascii') out.push(`u:${rand().toString(36)}:${i}`);
    else if (spec.kind === 'binary') {
      const b = new Uint8Array(rand() % 24);
      for (let j = 0; j < b.length; j++) b[j] = rand() & 0xff;
      out.push(b);
    } else {
      let s = '';
      for (let n = 1 + (rand() % 8); n > 0; n--) {
        const [lo, hi] = RANGES[rand() % RANGES.length]!;
        s += String.fromCodePoint(lo + (rand() % (hi - lo + 1)));
      }
      out.push(s + i);
    }
  }
  return out;
}

// MurmurHash64A of an 8-byte input is a bijection, so an input can be built for any hash:
// run the steps backwards (x ^= x >> 47 is its own inverse; multiplying by m is undone by its
// inverse mod 2^64). This gives elements for a chosen register and run length, such as the
// long runs (> 32) that promote a sparse HLL and that random elements almost never produce.
const MASK = (1n << 64n) - 1n;
const M = 0xc6a4a7935bd1e995n;
const M_INV = (() => {
  let x = M; // Newton's iteration for the inverse of an odd number mod 2^64
  for (let i = 0; i < 6; i++) x = (x * (2n - M * x)) & MASK;
  return x;
})();
const unshift47 = (x: bigint) => x ^ (x >> 47n);
const unmul = (x: bigint) => (x * M_INV) & MASK;

/** An 8-byte element whose hash puts `count` (1..51) in register `reg`; `salt` picks among many. */
export function craftElement(reg: number, count: number, salt: number): Uint8Array {
  const top = count > 50 ? 0n : (BigInt(salt) << 1n) | 1n; // the 1 ending the run, then free bits
  const hash = (BigInt(reg) | (top << BigInt(14 + count - 1))) & MASK;
  const h0 = (0xadc83b19n ^ (8n * M)) & MASK;
  const k = unmul(unshift47(unmul(unshift47(hash)))) ^ h0; // undo the final mix, then h = (h0 ^ k) * m
  const data = unmul(unshift47(unmul(k)));
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) out[i] = Number((data >> BigInt(8 * i)) & 0xffn);
  return out;
}

// ---- the plan ------------------------------------------------------------------------------

type PlanStep =
  | { op: 'pfadd'; key: string; elements: ElementSpec; batch: number; lengths?: true }
  | { op: 'pfcount'; keys: string[] }
  | { op: 'pfmerge'; keys: string[] }
  | { op: 'get'; key: string };

const K = (s: string) => `hllfx:${s}`;

function plan(): PlanStep[] {
  const p: PlanStep[] = [];
  const grow = (key: string, elements: ElementSpec, batch: number, checkEvery = 0) => {
    if (elements.kind === 'crafted' || !checkEvery) {
      p.push({ op: 'pfadd', key: K(key), elements, batch });
    } else {
      // Several PFADD steps over slices of one seeded set, with counts and bytes in between.
      const { seed, count, kind } = elements;
      for (let done = 0; done < count; done += checkEvery) {
        p.push({ op: 'pfadd', key: K(key), elements: { kind, seed: seed + done, count: Math.min(checkEvery, count - done) }, batch });
        p.push({ op: 'pfcount', keys: [K(key)] });
      }
    }
    p.push({ op: 'pfcount', keys: [K(key)] }, { op: 'get', key: K(key) });
  };
  // One element at a time with the length after each: the sparse form's growth and the exact
  // moment it passes hll-sparse-max-bytes.
  p.push({ op: 'pfadd', key: K('p1'), elements: { kind: 'ascii', seed: 12, count: 2500 }, batch: 1, lengths: true });
  p.push({ op: 'pfadd', key: K('p2'), elements: { kind: 'binary', seed: 13, count: 2500 }, batch: 1, lengths: true });
  p.push({ op: 'pfadd', key: K('p3'), elements: { kind: 'unicode', seed: 14, count: 2500 }, batch: 3, lengths: true });
  grow('a100', { kind: 'ascii', seed: 1, count: 100 }, 1);
  grow('a1000', { kind: 'ascii', seed: 2, count: 1000 }, 10, 250);
  grow('a5000', { kind: 'ascii', seed: 3, count: 5000 }, 50, 1000);
  grow('a100k', { kind: 'ascii', seed: 4, count: 100000 }, 1000, 10000);
  grow('bin300', { kind: 'binary', seed: 5, count: 300 }, 7);
  grow('bin3000', { kind: 'binary', seed: 6, count: 3000 }, 100);
  grow('uni500', { kind: 'unicode', seed: 7, count: 500 }, 20);
  grow('uni2000', { kind: 'unicode', seed: 8, count: 2000 }, 100);
  // Crafted registers: runs that split and merge VAL opcodes (neighbouring registers with equal
  // values), XZERO/ZERO splits at both ends, then a run over 32 that promotes to dense.
  const crafted: [number, number][] = [
    [0, 1], [16383, 2], [100, 3], [101, 3], [102, 3], [103, 3], [104, 3], [99, 3], [64, 1], [65, 2],
    [8000, 32], [8001, 31], [8002, 32], [200, 5], [200, 4], [201, 6], [199, 6], [202, 6],
  ];
  grow('c1', { kind: 'crafted', registers: crafted }, 3);
  p.push({ op: 'pfmerge', keys: [K('c2'), K('c1')] }, { op: 'get', key: K('c2') });
  grow('c1', { kind: 'crafted', registers: [[5, 40], [6, 51], [7, 33]] }, 1);
  grow('c3', { kind: 'crafted', registers: [[9, 51]] }, 1);
  // Promotion keeps the header: a cached cardinality written by PFCOUNT is carried into the dense
  // form (then only marked stale).
  grow('q1', { kind: 'ascii', seed: 15, count: 1200 }, 100);
  p.push({ op: 'pfadd', key: K('q1'), elements: { kind: 'crafted', registers: [[4000, 45]] }, batch: 1 });
  p.push({ op: 'get', key: K('q1') });
  grow('q2', { kind: 'ascii', seed: 16, count: 1300 }, 100);
  p.push({ op: 'pfadd', key: K('q2'), elements: { kind: 'ascii', seed: 17, count: 1000 }, batch: 100 });
  p.push({ op: 'get', key: K('q2') });
  grow('c3', { kind: 'ascii', seed: 9, count: 50 }, 50);
  // Merges: sparse + sparse stays sparse; a union too big for sparse is promoted while merging;
  // a dense source makes the result dense; missing sources are empty HLLs.
  p.push({ op: 'pfmerge', keys: [K('m1'), K('a100'), K('bin300'), K('uni500')] }, { op: 'get', key: K('m1') });
  p.push({ op: 'pfcount', keys: [K('m1')] }, { op: 'get', key: K('m1') });
  grow('s1', { kind: 'ascii', seed: 10, count: 900 }, 100);
  grow('s2', { kind: 'ascii', seed: 11, count: 900 }, 100);
  p.push({ op: 'pfmerge', keys: [K('m2'), K('s1'), K('s2')] }, { op: 'pfcount', keys: [K('m2')] }, { op: 'get', key: K('m2') });
  p.push({ op: 'pfmerge', keys: [K('m3'), K('a1000'), K('a5000')] }, { op: 'pfcount', keys: [K('m3')] }, { op: 'get', key: K('m3') });
  p.push({ op: 'pfmerge', keys: [K('m4'), K('nosuch1'), K('nosuch2')] }, { op: 'get', key: K('m4') });
  p.push({ op: 'pfmerge', keys: [K('m5')] }, { op: 'get', key: K('m5') });
  p.push({ op: 'pfmerge', keys: [K('a100'), K('a1000')] }, { op: 'pfcount', keys: [K('a100')] }, { op: 'get', key: K('a100') });
  p.push({ op: 'pfmerge', keys: [K('bin300'), K('a100k')] }, { op: 'pfcount', keys: [K('bin300')] }, { op: 'get', key: K('bin300') });
  // PFCOUNT of several keys (a temporary union; nothing cached).
  p.push({ op: 'pfcount', keys: [K('a1000'), K('bin300'), K('uni500')] });
  p.push({ op: 'pfcount', keys: [K('a5000'), K('a100k'), K('nosuch1')] });
  p.push({ op: 'pfcount', keys: [K('s1'), K('s2')] });
  p.push({ op: 'pfcount', keys: [K('nosuch1'), K('nosuch2')] });
  p.push({ op: 'pfcount', keys: [K('c1'), K('c3')] });
  return p;
}

const ALL_KEYS = (steps: PlanStep[]) => [
  ...new Set(steps.flatMap((s) => (s.op === 'pfadd' || s.op === 'get' ? [s.key] : s.keys))),
];

// ---- recording ----------------------------------------------------------------------------

function integer(raw: string): number {
  const r = parseRaw(raw);
  if (typeof r !== 'number') throw new Error(`expected an integer, got ${raw}`);
  return r;
}

async function record(): Promise<void> {
  const external = process.env.REDIS_PORT;
  const server = external ? null : await startRedis();
  const conn = await RedisConnection.connect(external ? Number(external) : server!.port);
  try {
    if (external) await conn.send(['SELECT', process.env.REDIS_DB ?? '3']);
    const steps = plan();
    await conn.send(['DEL', ...ALL_KEYS(steps)]);
    const out: FixtureStep[] = [];
    for (const s of steps) {
      if (s.op === 'pfadd') {
        const els = generateElements(s.elements);
        const replies: number[] = [];
        const lengths: number[] = [];
        for (let i = 0; i < els.length; i += s.batch) {
          replies.push(integer(await conn.send(['PFADD', s.key, ...els.slice(i, i + s.batch)])));
          if (s.lengths) lengths.push(integer(await conn.send(['STRLEN', s.key])));
        }
        const { lengths: _, ...rest } = s;
        out.push(s.lengths ? { ...rest, replies, lengths } : { ...rest, replies });
      } else if (s.op === 'pfcount') {
        out.push({ ...s, reply: integer(await conn.send(['PFCOUNT', ...s.keys])) });
      } else if (s.op === 'pfmerge') {
        const r = parseRaw(await conn.send(['PFMERGE', ...s.keys]));
        out.push({ ...s, reply: (r as { status: string }).status });
      } else {
        const value = bulkPayload(await conn.send(['GET', s.key])) ?? '';
        out.push({ ...s, hex: Buffer.from(value, 'latin1').toString('hex') });
      }
    }
    await conn.send(['DEL', ...ALL_KEYS(steps)]);
    const info = parseRaw(await conn.send(['INFO', 'server'])) as string;
    const fixture: Fixture = { redis: /redis_version:(\S+)/.exec(info)![1]!, steps: out };
    const path = fileURLToPath(new URL('../packages/core/src/types/hll.fixture.json', import.meta.url));
    writeFileSync(path, JSON.stringify(fixture, null, 0).replace(/\},\{"op"/g, '},\n{"op"') + '\n');
    console.log(`recorded ${out.length} steps from redis ${fixture.redis} into ${path}`);
  } finally {
    conn.close();
    server?.stop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await record();
