/**
 * The sorted-set rows of `npm run bench` (bench.ts times them and prints them in a third table),
 * the naive baseline (a sorted JS array + binary search, with a Map member → score), the probes
 * that check every contender's replies before it is timed, and the lines under the table (time to
 * ZADD 1M members, heap bytes per member).
 *
 *   ZRANK, ZSCORE      shuffled hits on one set of 1M members with random scores
 *   ZRANGE 0 9 WS      the 10 lowest, WITHSCORES, of the 1M set
 *   ZREVRANGE 0 9      the 10 highest (top 10) of the 1M set
 *   ZRANGEBYSCORE      a score range holding exactly 100 members of the 1M set (a fixed cycle of ranges)
 *   ZADD               a new random score for an existing member of the 1M set per op (an update: reply 0)
 *   ZINCRBY            +1 on an existing member of the 1M set per op
 *   ZUNIONSTORE        two sets of 100k sharing 50k members into a third (a 150k-member result)
 *
 * Lodis: one store holds the 1M set and the two 100k sets, built once (ZADD through execute, which
 * is the "ZADD 1M" timing and the heap measurement) and shared by the rows and columns; the read
 * rows run before the writing rows. ioredis-mock: its ZADD inserts with a sort of the whole set
 * (quadratic to build), so its set is ZSET_MOCK_N members and its ZUNIONSTORE is not run.
 */

import { awaitEach, failure, lcg, mockCall, plain, syncEachChecked, wrongReply, type Argv, type Loop, type Via, type Workload } from './bench-common.js';

export const ZN = 1_000_000;
export const ZSET_MOCK_N = 20_000;
export const ZUNION_N = 100_000;
export const ZRANGE_BY_SCORE = 100;
export const NAIVE_BUDGET_MS = 5000;

export const ZSET_COMMANDS = ['ZADD', 'ZINCRBY', 'ZRANK', 'ZSCORE', 'ZRANGE', 'ZREVRANGE', 'ZRANGEBYSCORE', 'ZUNIONSTORE'] as const;
export type ZsetCommand = (typeof ZSET_COMMANDS)[number];
/** The order the rows run in: reads of the 1M set before the rows that change it. */
export const ZSET_RUN_ORDER: ZsetCommand[] = ['ZRANK', 'ZSCORE', 'ZRANGE', 'ZREVRANGE', 'ZRANGEBYSCORE', 'ZUNIONSTORE', 'ZADD', 'ZINCRBY'];
export const ZSET_LABEL: Record<ZsetCommand, string> = {
  ZADD: 'ZADD (update, 1M)',
  ZINCRBY: 'ZINCRBY (1M)',
  ZRANK: 'ZRANK (1M)',
  ZSCORE: 'ZSCORE (1M)',
  ZRANGE: 'ZRANGE 0 9 WITHSCORES',
  ZREVRANGE: 'ZREVRANGE 0 9',
  ZRANGEBYSCORE: `ZRANGEBYSCORE (${ZRANGE_BY_SCORE})`,
  ZUNIONSTORE: `ZUNIONSTORE ${ZUNION_N / 1000}k+${ZUNION_N / 1000}k`,
};

export type ZWorkload = Workload;

// ---- inputs ------------------------------------------------------------------------------------

const BIG = 'zbig';
const UA = 'zu:a';
const UB = 'zu:b';
const UDST = 'zu:dst';
let members: string[] | undefined;
let scores: number[] | undefined;
/** m:0000000 … and their random scores in [0, 1e6) (the same for every contender). */
function inputs(): { members: string[]; scores: number[] } {
  if (!members) {
    const r = lcg(7);
    members = Array.from({ length: ZN }, (_, i) => `m:${String(i).padStart(7, '0')}`);
    // 2^-20 steps: exact in decimal, so every contender's string round-trips
    scores = Array.from({ length: ZN }, () => (r() * 0x100000 + (r() >>> 12)) / 0x100000 / 4294.967296);
  }
  return { members, scores: scores! };
}
/** The ranges' visit order: member indices, shuffled (a cycle of 64k). */
const VISITS = 1 << 16;
const visits = new Map<number, number[]>();
const visitOrder = (n: number): number[] => {
  let v = visits.get(n);
  if (!v) {
    const r = lcg(11);
    visits.set(n, (v = Array.from({ length: VISITS }, () => r() % n)));
  }
  return v;
};

// ---- the naive baseline: a sorted array of pairs + binary search -------------------------------

interface Pair {
  score: number;
  member: string;
}
const less = (as: number, am: string, b: Pair) => as < b.score || (as === b.score && am < b.member);

export class SortedArray {
  arr: Pair[] = [];
  byMember = new Map<string, number>();
  /** First index whose pair is not less than (score, member). */
  lowerBound(score: number, member: string): number {
    let lo = 0;
    let hi = this.arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (less(this.arr[mid]!.score, this.arr[mid]!.member, { score, member })) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  firstScoreAtLeast(score: number): number {
    let lo = 0;
    let hi = this.arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.arr[mid]!.score < score) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  /** ZADD one pair: binary search + splice (out, then in). Returns 1 if added. */
  add(score: number, member: string): number {
    const old = this.byMember.get(member);
    if (old !== undefined) {
      if (old === score) return 0;
      this.arr.splice(this.lowerBound(old, member), 1);
    }
    this.arr.splice(this.lowerBound(score, member), 0, { score, member });
    this.byMember.set(member, score);
    return old === undefined ? 1 : 0;
  }
  rank(member: string): number | null {
    const s = this.byMember.get(member);
    return s === undefined ? null : this.lowerBound(s, member);
  }
  /** Bulk load: sort once. */
  static from(ms: readonly string[], ss: readonly number[], count = ms.length): SortedArray {
    const z = new SortedArray();
    for (let i = 0; i < count; i++) {
      z.arr.push({ score: ss[i]!, member: ms[i]! });
      z.byMember.set(ms[i]!, ss[i]!);
    }
    z.arr.sort((a, b) => a.score - b.score || (a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
    return z;
  }
}

let rawBig: SortedArray | undefined;
const raw = (): SortedArray => {
  const { members: ms, scores: ss } = inputs();
  return (rawBig ??= SortedArray.from(ms, ss));
};
/** The expected reply of each read row at visit index i (the raw baseline's own answer). */
function rangeByScoreBounds(z: SortedArray, start: number): [number, number] {
  const s = Math.min(start, z.arr.length - ZRANGE_BY_SCORE);
  return [z.arr[s]!.score, z.arr[s + ZRANGE_BY_SCORE - 1]!.score];
}

export function rawZWorkload(cmd: ZsetCommand, withAwait: boolean): ZWorkload {
  const { members: ms } = inputs();
  const z = raw();
  const order = visitOrder(ZN);
  let j = 0;
  let sink = 0;
  const r = lcg(99);
  let one: () => void;
  switch (cmd) {
    case 'ZRANK':
      one = () => {
        sink += z.rank(ms[order[j++ & (VISITS - 1)]!]!)!;
      };
      break;
    case 'ZSCORE':
      one = () => {
        sink += z.byMember.get(ms[order[j++ & (VISITS - 1)]!]!)!;
      };
      break;
    case 'ZRANGE':
      one = () => {
        const out: (string | number)[] = [];
        for (let i = 0; i < 10 && i < z.arr.length; i++) out.push(z.arr[i]!.member, z.arr[i]!.score);
        sink += out.length;
      };
      break;
    case 'ZREVRANGE':
      one = () => {
        const out: string[] = [];
        for (let i = z.arr.length - 1; i >= 0 && out.length < 10; i--) out.push(z.arr[i]!.member);
        sink += out.length;
      };
      break;
    case 'ZRANGEBYSCORE':
      one = () => {
        const [min, max] = rangeByScoreBounds(z, order[j++ & (VISITS - 1)]!);
        const out: string[] = [];
        for (let i = z.firstScoreAtLeast(min); i < z.arr.length && z.arr[i]!.score <= max; i++) out.push(z.arr[i]!.member);
        sink += out.length;
      };
      break;
    case 'ZUNIONSTORE': {
      const { a, b } = unionInputs();
      let dst: SortedArray | undefined;
      one = () => {
        const m = new Map<string, number>();
        for (const p of a.arr) m.set(p.member, p.score);
        for (const p of b.arr) m.set(p.member, (m.get(p.member) ?? 0) + p.score);
        dst = SortedArray.from([...m.keys()], [...m.values()]);
        sink += dst.arr.length;
      };
      break;
    }
    case 'ZADD':
      one = () => {
        sink += z.add(r() / 4294.967296, ms[order[j++ & (VISITS - 1)]!]!);
      };
      break;
    case 'ZINCRBY':
      one = () => {
        const m = ms[order[j++ & (VISITS - 1)]!]!;
        const s = z.byMember.get(m)! + 1;
        z.add(s, m);
        sink += s;
      };
      break;
  }
  const close = () => {
    if (sink < 0) console.log(sink);
  };
  if (!withAwait)
    return {
      loop: (n) => {
        for (let i = 0; i < n; i++) one();
      },
      quantum: 1,
      close,
    };
  return {
    loop: async (n) => {
      for (let i = 0; i < n; i++) {
        one();
        await undefined;
      }
    },
    quantum: 1,
    close,
  };
}

let unionSets: { a: SortedArray; b: SortedArray; am: string[]; as: number[]; bm: string[]; bs: number[] } | undefined;
function unionInputs() {
  if (!unionSets) {
    const { members: ms, scores: ss } = inputs();
    const am = ms.slice(0, ZUNION_N);
    const as = ss.slice(0, ZUNION_N);
    const bm = ms.slice(ZUNION_N / 2, ZUNION_N / 2 + ZUNION_N);
    const bs = ss.slice(ZUNION_N / 2, ZUNION_N / 2 + ZUNION_N);
    unionSets = { a: SortedArray.from(am, as), b: SortedArray.from(bm, bs), am, as, bm, bs };
  }
  return unionSets;
}

// ---- Lodis and ioredis-mock ---------------------------------------------------------------------

/** The Lodis typed API as these rows use it (packages/core/src/api/zsets.ts). */
export interface LodisZsets {
  zadd?(k: string, sm: { score: number; member: string }, ...more: { score: number; member: string }[]): Promise<number>;
  zincrby?(k: string, by: number, member: string): Promise<number>;
  zrank?(k: string, member: string): Promise<number | null>;
  zscore?(k: string, member: string): Promise<number | null>;
  zrange?(k: string, min: number | string, max: number | string, opts?: { byScore?: boolean; rev?: boolean; withScores?: boolean }): Promise<unknown[]>;
  zunionstore?(dst: string, numkeys: number, keys: string[]): Promise<number>;
  call(...argv: Argv): Promise<unknown>;
  execute(...argv: Argv): unknown;
  close(): void;
}

/** Replies compared as strings of numbers-or-strings (a score may come back as '1.5' or 1.5). */
const num = (v: unknown): string => (typeof v === 'number' || (typeof v === 'string' && /^-?[0-9.]+(e[-+]?[0-9]+)?$/i.test(v)) ? String(Number(v)) : String(v));
const canon = (x: unknown): string => JSON.stringify(Array.isArray(x) ? x.map(num) : x === null || x === undefined ? null : num(x));

type Shared = { s: LodisZsets; zaddMs: number; bytesPerMember: number | null; externalPerMember: number | null };
let shared: Shared | undefined;

/** Builds the shared 1M set (execute, one ZADD of one member per op: timed) and the two 100k sets. */
export function lodisShared(fresh: () => LodisZsets): Shared {
  if (shared) return shared;
  const { members: ms, scores: ss } = inputs();
  const { am, as, bm, bs } = unionInputs();
  const gc = (globalThis as { gc?: () => void }).gc;
  const s = fresh();
  const heap = () => {
    if (gc) for (let i = 0; i < 4; i++) gc();
    return process.memoryUsage();
  };
  const h0 = heap();
  const t0 = performance.now();
  for (let i = 0; i < ZN; i++) s.execute('ZADD', BIG, ss[i]!, ms[i]!);
  const zaddMs = performance.now() - t0;
  const h1 = heap();
  for (let i = 0; i < ZUNION_N; i += 1000) {
    const a: Argv = ['ZADD', UA];
    const b: Argv = ['ZADD', UB];
    for (let x = i; x < i + 1000; x++) a.push(as[x]!, am[x]!), b.push(bs[x]!, bm[x]!);
    s.execute(...a);
    s.execute(...b);
  }
  shared = {
    s,
    zaddMs,
    bytesPerMember: gc ? (h1.heapUsed - h0.heapUsed) / ZN : null,
    externalPerMember: gc ? (h1.arrayBuffers - h0.arrayBuffers) / ZN : null,
  };
  return shared;
}

export function closeShared(): void {
  shared?.s.close();
  shared = undefined;
}

/** ZADD 1M members one per op through the typed API, awaited (a fresh store): ms. */
export async function typedZadd1M(fresh: () => LodisZsets): Promise<number | string> {
  const { members: ms, scores: ss } = inputs();
  const s = fresh();
  if (typeof s.zadd !== 'function') return 'no method';
  try {
    const t0 = performance.now();
    for (let i = 0; i < ZN; i++) await s.zadd(BIG, { score: ss[i]!, member: ms[i]! });
    return performance.now() - t0;
  } finally {
    s.close();
  }
}

/** The naive baseline's ZADD of random scores, one at a time, until NAIVE_BUDGET_MS: [count, ms]. */
export function naiveZadd(): [number, number] {
  const { members: ms, scores: ss } = inputs();
  const z = new SortedArray();
  const t0 = performance.now();
  let i = 0;
  for (; i < ZN; i++) {
    z.add(ss[i]!, ms[i]!);
    if ((i & 1023) === 0 && performance.now() - t0 > NAIVE_BUDGET_MS) {
      i++;
      break;
    }
  }
  return [i, performance.now() - t0];
}

/** One op of a row through a contender, with the key of the set it reads. */
function opFor(cmd: ZsetCommand, via: Via, client: unknown, n: number): () => unknown {
  const { members: ms } = inputs();
  const order = visitOrder(n);
  let j = 0;
  const r = lcg(99);
  const next = () => ms[order[j++ & (VISITS - 1)]!]!;
  const z = via === 'mock' ? mockRaw() : raw();
  const bounds = () => rangeByScoreBounds(z, order[j++ & (VISITS - 1)]!);
  if (via === 'typed') {
    const s = client as Required<LodisZsets>;
    switch (cmd) {
      case 'ZRANK':
        return () => s.zrank(BIG, next());
      case 'ZSCORE':
        return () => s.zscore(BIG, next());
      case 'ZRANGE':
        return () => s.zrange(BIG, 0, 9, { withScores: true });
      case 'ZREVRANGE':
        return () => s.zrange(BIG, 0, 9, { rev: true });
      case 'ZRANGEBYSCORE':
        return () => {
          const [min, max] = bounds();
          return s.zrange(BIG, min, max, { byScore: true });
        };
      case 'ZUNIONSTORE':
        return () => s.zunionstore(UDST, 2, [UA, UB]);
      case 'ZADD':
        return () => s.zadd(BIG, { score: r() / 4294.967296, member: next() });
      case 'ZINCRBY':
        return () => s.zincrby(BIG, 1, next());
    }
  }
  const c =
    via === 'mock'
      ? mockCall(client)
      : via === 'call'
        ? (...argv: Argv) => (client as LodisZsets).call(...argv)
        : (...argv: Argv) => (client as LodisZsets).execute(...argv);
  const key = via === 'mock' ? MOCK_KEY : BIG;
  switch (cmd) {
    case 'ZRANK':
      return () => c('ZRANK', key, next());
    case 'ZSCORE':
      return () => c('ZSCORE', key, next());
    case 'ZRANGE':
      return () => c('ZRANGE', key, 0, 9, 'WITHSCORES');
    case 'ZREVRANGE':
      return () => c('ZREVRANGE', key, 0, 9);
    case 'ZRANGEBYSCORE':
      return () => {
        const [min, max] = bounds();
        return c('ZRANGEBYSCORE', key, min, max);
      };
    case 'ZUNIONSTORE':
      return () => c('ZUNIONSTORE', UDST, 2, UA, UB);
    case 'ZADD':
      return () => c('ZADD', key, r() / 4294.967296, next());
    case 'ZINCRBY':
      return () => c('ZINCRBY', key, 1, next());
  }
}

/** The first op's expected reply, from the naive baseline (before any writing row ran on it). */
function expected(cmd: ZsetCommand, z: SortedArray, n: number): unknown {
  const { members: ms } = inputs();
  const first = ms[visitOrder(n)[0]!]!;
  switch (cmd) {
    case 'ZRANK':
      return z.rank(first);
    case 'ZSCORE':
      return z.byMember.get(first);
    case 'ZRANGE':
      return z.arr.slice(0, 10).flatMap((p) => [p.member, p.score]);
    case 'ZREVRANGE':
      return z.arr.slice(-10).reverse().map((p) => p.member);
    case 'ZRANGEBYSCORE': {
      const s = Math.min(visitOrder(n)[0]!, z.arr.length - ZRANGE_BY_SCORE);
      return z.arr.slice(s, s + ZRANGE_BY_SCORE).map((p) => p.member);
    }
    case 'ZUNIONSTORE':
      return ZUNION_N + ZUNION_N / 2;
    case 'ZADD':
      return 0;
    case 'ZINCRBY':
      return z.byMember.get(first)! + 1;
  }
}

async function probe(cmd: ZsetCommand, op: () => unknown, decode: (r: unknown) => unknown, z: SortedArray, n: number): Promise<string | null> {
  // ZADD and ZINCRBY read their expectation before the op (the baseline may have been changed by its own rows)
  const want = expected(cmd, z, n);
  try {
    const got = decode(await op());
    if (cmd === 'ZINCRBY' ? Math.abs(Number(got) - Number(want)) > 1e-6 : canon(got) !== canon(want)) return wrongReply(got);
    return null;
  } catch (e) {
    return failure(e);
  }
}

const TYPED: Record<ZsetCommand, keyof LodisZsets> = {
  ZADD: 'zadd',
  ZINCRBY: 'zincrby',
  ZRANK: 'zrank',
  ZSCORE: 'zscore',
  ZRANGE: 'zrange',
  ZREVRANGE: 'zrange',
  ZRANGEBYSCORE: 'zrange',
  ZUNIONSTORE: 'zunionstore',
};

/** A Lodis cell on the shared store: probed in its own style against the naive baseline, then timed. */
export async function lodisZWorkload(fresh: () => LodisZsets, cmd: ZsetCommand, style: 'await' | 'call' | 'execute'): Promise<ZWorkload | string> {
  const { s } = lodisShared(fresh);
  const via: Via = style === 'await' ? 'typed' : style;
  if (via === 'typed' && typeof s[TYPED[cmd]] !== 'function') return 'no method';
  // the naive baseline mirrors the writes: compute ZINCRBY's expectation from Lodis' own score
  const z = cmd === 'ZINCRBY' || cmd === 'ZADD' ? await lodisView(s) : raw();
  const why = await probe(cmd, opFor(cmd, via, s, ZN), via === 'execute' ? plain : (r) => r, z, ZN);
  if (why) return why;
  const one = opFor(cmd, via, s, ZN);
  const loop: Loop = style === 'execute' ? syncEachChecked(one) : awaitEach(one);
  return { loop, quantum: 1, close: () => undefined };
}

/** A stand-in SortedArray whose byMember answers from Lodis (for the writing rows' probes). */
async function lodisView(s: LodisZsets): Promise<SortedArray> {
  const { members: ms } = inputs();
  const first = ms[visitOrder(ZN)[0]!]!;
  const z = new SortedArray();
  z.byMember.set(first, Number(plain(s.execute('ZSCORE', BIG, first))));
  return z;
}

// ---- ioredis-mock -----------------------------------------------------------------------------

const MOCK_KEY = 'zmock';
type MockZ = { disconnect(): void; flushall(): Promise<unknown>; zadd(k: string, ...a: Argv): Promise<unknown>; zscore(k: string, m: string): Promise<unknown> };
let mockState: { r: MockZ; ok: string | null } | undefined;
let mockZ: SortedArray | undefined;
const mockRaw = (): SortedArray => {
  const { members: ms, scores: ss } = inputs();
  return (mockZ ??= SortedArray.from(ms, ss, ZSET_MOCK_N));
};

export async function mockZWorkload(RedisMock: new () => unknown, cmd: ZsetCommand): Promise<ZWorkload | string> {
  if (cmd === 'ZUNIONSTORE') return `not run (building 2×${ZUNION_N / 1000}k in ioredis-mock is quadratic)`;
  const { members: ms, scores: ss } = inputs();
  if (!mockState) {
    const r = new RedisMock() as MockZ;
    await r.flushall();
    let ok: string | null = null;
    try {
      for (let i = 0; i < ZSET_MOCK_N; i += 1000) {
        const argv: Argv = [MOCK_KEY];
        for (let x = i; x < i + 1000; x++) argv.push(ss[x]!, ms[x]!);
        await r.zadd(MOCK_KEY, ...argv.slice(1));
      }
    } catch (e) {
      ok = `error: ${(e as Error).message.slice(0, 60)}`;
    }
    mockState = { r, ok };
  }
  if (mockState.ok) return mockState.ok;
  const r = mockState.r;
  const z = mockRaw();
  if (cmd === 'ZINCRBY' || cmd === 'ZADD') {
    const first = ms[visitOrder(ZSET_MOCK_N)[0]!]!;
    z.byMember.set(first, Number(await r.zscore(MOCK_KEY, first)));
  }
  const why = await probe(cmd, opFor(cmd, 'mock', r, ZSET_MOCK_N), (x) => x, z, ZSET_MOCK_N);
  if (why) return why;
  return { loop: awaitEach(opFor(cmd, 'mock', r, ZSET_MOCK_N)), quantum: 1, close: () => undefined };
}

export function closeMock(): void {
  mockState?.r.disconnect();
  mockState = undefined;
}
