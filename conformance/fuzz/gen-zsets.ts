/**
 * The differential run's sorted set commands (t_zset.c). Members come mostly from a small
 * vocabulary (so commands find each other's members and the set operations overlap), scores from
 * small integers, halves, ties and the edges Redis prints specially (inf, -0, 1e17, 0.1 …). ZADD
 * now and then adds a hundred or more members, or one longer than 64 bytes, so sorted sets turn
 * from listpacks into skiplists; half of those big ZADDs give every member the same score, so lex
 * ranges over skiplists are exercised where Redis defines them.
 *
 * What the command does not determine:
 * - ZRANDMEMBER replies at random: its replies are checked against the set as it was
 *   (RANDOM_ZMEMBERS below) rather than compared.
 * - Lex ranges over members of different scores: Redis leaves them unspecified, and a skiplist
 *   answers by its random levels. A listpack's walk is reproduced exactly (and compared); a
 *   skiplist with mixed scores first gets the score 0 for every member on both sides (lexPlan).
 * - ZSCAN of a skiplist walks Redis' hash table: a full iteration is compared as a set of pairs.
 *
 * Sets (the sets family's keys) are valid inputs of ZUNION, ZINTER and ZDIFF; a few generic
 * commands (COPY, RENAME, MOVE, DEL, TYPE, EXPIRE) act on sorted set keys too.
 */
import type { RedisObject } from '../../packages/core/src/object.js';
import type { ZSetObject } from '../../packages/core/src/types/zset.js';
import { bulkPayload, bulkStrings } from '../resp.js';
import type { CommandPlan, CommandSpec, RandomReply } from './generators.js';
import { Gen, INT64_EDGES, KEY_POOLS, type Arg } from './values.js';

const { zset, set } = KEY_POOLS;

const LONG65 = 'y'.repeat(65);

const VOCABULARY: Arg[] = [
  'a', 'b', 'c', 'd', 'x', 'aa', 'ab', '', 'é', 'a b', '1', '2', '10', '-1', '0', 'a\u0000',
  Uint8Array.of(0xff), Uint8Array.of(0x61), Uint8Array.of(0xc3, 0xa9), Uint8Array.of(0xef, 0xbd, 0xa1), '😀',
];

/** A member: mostly from the vocabulary, sometimes numbered (sets grow), rarely any value or a long one. */
const member = (g: Gen): Arg =>
  g.rng.weighted<() => Arg>([
    [70, () => g.pick(VOCABULARY)],
    [20, () => `m${g.int(0, 60)}`],
    [8, () => g.value()],
    [1, () => LONG65],
  ])();

const SCORE_EDGES = [
  'inf', '-inf', '+inf', '-0', '0', '0.1', '1e17', '1e16', '1e300', '-1e300', '5e-324', '0.3333333333333333', '2.5',
  '-2.5', '1.5', '123456789.123456789', '9007199254740993', '4611686018427387904', '2.98023223876953125e-8', '0x10', '1e-5',
];
const BAD_SCORES = ['nan', 'x', '', ' 1', '1e400', '1e-400', '1 ', '1e', '-nan', '0x', '1\u0000'];

/** A score for ZADD: small integers (ties), halves, edges, now and then one Redis refuses. */
const score = (g: Gen): string =>
  g.rng.weighted<() => string>([
    [55, () => String(g.int(-5, 5))],
    [15, () => `${g.int(-10, 10)}.5`],
    [20, () => g.pick(SCORE_EDGES)],
    [7, () => g.float()],
    [2, () => g.pick(BAD_SCORES)],
  ])();

/** score member pairs: a few, sometimes dozens, now and then enough to pass 128 members. */
const pairs = (g: Gen): Arg[] => {
  const x = g.rng.next();
  if (x < 0.015) {
    const base = g.int(0, 100);
    const same = g.chance(0.5) ? String(g.int(-1, 1)) : null; // one score for all: lex ranges defined
    return Array.from({ length: g.int(100, 220) }, (_, i) => [same ?? String(g.int(-50, 50)), `n${base + i}`]).flat();
  }
  return Array.from({ length: x < 0.1 ? g.int(5, 30) : g.int(1, 4) }, () => [score(g), member(g)]).flat();
};

/** ZADD's options, in any order; now and then a combination Redis refuses. */
const zaddOptions = (g: Gen): Arg[] =>
  g.options([
    () => [g.opt('NX')], () => [g.opt('XX')], () => [g.opt('GT')], () => [g.opt('LT')], () => [g.opt('CH')], () => [g.opt('CH')],
    () => [g.opt('INCR')],
  ], 0, g.chance(0.7) ? 1 : 3);

/** A score range bound: numbers, exclusive ones, infinities, what strtod reads oddly, junk. */
const scoreBound = (g: Gen): string =>
  g.rng.weighted<() => string>([
    [45, () => (g.chance(0.3) ? '(' : '') + String(g.int(-6, 6))],
    [15, () => g.pick(['-inf', '+inf', 'inf', '(-inf', '(+inf', '-inf', '+inf'])],
    [15, () => (g.chance(0.3) ? '(' : '') + g.pick(SCORE_EDGES)],
    [10, () => `${g.chance(0.3) ? '(' : ''}${g.int(-5, 5)}.5`],
    [10, () => g.pick(['', '(', ' 1', '( 2', '1 ', 'x', 'nan', '(nan', '1e400', '(1e400', '0x2', '2\u00001', '[1'])],
    [5, () => g.float()],
  ])();

/** A lex range bound. */
const lexBound = (g: Gen): Arg =>
  g.rng.weighted<() => Arg>([
    [30, () => g.pick(['-', '+'])],
    [45, () => `${g.pick(['[', '('])}${g.pick(['a', 'b', 'c', 'd', 'aa', 'ab', '', 'x', 'é', 'a\u0000', 'n1', 'n5', 'm1', 'z', '1'])}`],
    [5, () => Uint8Array.of(0x5b, 0xff)],
    [10, () => g.pick(['a', '', '+a', '-a', '+\u0000', '[', '(', 'b'])],
    [10, () => `[${String.fromCharCode(g.int(0x61, 0x66))}`],
  ])();

/** A rank: small, sometimes far, edges, now and then junk. */
const rank = (g: Gen): string =>
  g.rng.weighted<() => string>([
    [75, () => String(g.int(-12, 12))],
    [10, () => String(g.int(-250, 250))],
    [10, () => g.pick(INT64_EDGES)],
    [5, () => g.index()],
  ])();

/** LIMIT offset count. */
const limit = (g: Gen): Arg[] => [
  g.opt('LIMIT'),
  g.chance(0.85) ? String(g.int(0, 6)) : g.pick(['-1', '100', 'x', '9223372036854775807', '-9223372036854775808']),
  g.chance(0.8) ? String(g.int(-1, 8)) : g.pick(['0', '-5', 'x', '9223372036854775807']),
];

/** A count (ZPOPMIN/ZMPOP): small, 0, large, negative, junk. */
const count = (g: Gen): string =>
  g.rng.weighted<() => string>([
    [60, () => String(g.int(1, 6))],
    [10, () => '0'],
    [10, () => String(g.int(7, 300))],
    [10, () => g.pick(['-1', '-5', ...INT64_EDGES])],
    [5, () => g.pick(['x', '', '1.5', ' 1'])],
  ])();

/** A blocking timeout: Redis runs the command inside MULTI, so any value is safe. */
const timeout = (g: Gen): string =>
  g.chance(0.85) ? g.pick(['0', '0.01', '1', '0.5']) : g.pick(['-1', 'x', '', 'inf', 'nan', '1e400', '-0.01']);

/** ZRANGE's optional arguments for a range of the given type (rank when neither BYSCORE nor BYLEX). */
function rangeOptions(g: Gen, type: 'rank' | 'score' | 'lex', store: boolean): Arg[] {
  const groups: Arg[][] = [];
  if (type === 'score') groups.push([g.opt('BYSCORE')]);
  if (type === 'lex') groups.push([g.opt('BYLEX')]);
  if (g.chance(0.4)) groups.push([g.opt('REV')]);
  if (!store && g.chance(type === 'lex' ? 0.05 : 0.4)) groups.push([g.opt('WITHSCORES')]);
  if (g.chance(type === 'rank' ? 0.05 : 0.4)) groups.push(limit(g));
  if (g.chance(0.03)) groups.push([g.pick(['BYSCORE', 'BYLEX', 'REV', 'FOO', 'LIMIT'])]);
  // Redis takes the options in any order.
  for (let i = groups.length - 1; i > 0; i--) {
    const j = g.int(0, i);
    [groups[i], groups[j]] = [groups[j]!, groups[i]!];
  }
  return groups.flat();
}

/** min max [options] for ZRANGE/ZRANGESTORE: bounds matching the range type. */
function zrangeTail(g: Gen, store: boolean): Arg[] {
  const type = g.rng.weighted<'rank' | 'score' | 'lex'>([
    [45, 'rank'],
    [35, 'score'],
    [20, 'lex'],
  ]);
  const bound = type === 'rank' ? rank : type === 'score' ? scoreBound : lexBound;
  return [bound(g), bound(g), ...rangeOptions(g, type, store)];
}

/** A key of a set operation: mostly sorted sets, sometimes sets (score 1 each). */
const opKey = (g: Gen): Arg => (g.chance(0.8) ? g.key(zset) : g.key(set));

/** numkeys key… [WEIGHTS …] [AGGREGATE …] [WITHSCORES] (`withscores` and `weights` as the command allows). */
function setOpArgs(g: Gen, opts: { weights: boolean; withscores: boolean; limit?: boolean }): Arg[] {
  const keys = Array.from({ length: g.int(1, 3) }, () => opKey(g));
  const numkeys = g.chance(0.93) ? String(keys.length) : g.pick(['0', '-1', 'x', String(keys.length + 1), '9223372036854775807', '']);
  const tail: Arg[] = [];
  if (opts.weights && g.chance(0.35)) {
    tail.push(g.opt('WEIGHTS'));
    const n = g.chance(0.93) ? keys.length : g.int(0, keys.length + 1);
    for (let i = 0; i < n; i++) {
      tail.push(g.chance(0.85) ? g.pick(['1', '2', '0', '-1', '0.5', '3', '1.5']) : g.pick(['inf', '-inf', 'nan', 'x', '1e308', '-0']));
    }
  }
  if (opts.weights && g.chance(0.3)) tail.push(g.opt('AGGREGATE'), g.chance(0.95) ? g.opt(g.pick(['SUM', 'MIN', 'MAX'])) : g.pick(['AVG', '']));
  if (opts.withscores && g.chance(0.5)) tail.push(g.opt('WITHSCORES'));
  if (opts.limit && g.chance(0.5)) tail.push(g.opt('LIMIT'), g.chance(0.85) ? String(g.int(0, 5)) : g.pick(['-1', 'x']));
  if (g.chance(0.03)) tail.push(g.pick(['WEIGHTS', 'AGGREGATE', 'WITHSCORES', 'LIMIT', 'FOO']));
  return [numkeys, ...keys, ...tail];
}

/** MIN or MAX, in any case; now and then something else. */
const where = (g: Gen): string => (g.chance(0.96) ? g.opt(g.pick(['MIN', 'MAX'])) : g.pick(['LEFT', '', 'min\u0000']));

/** ZMPOP/BZMPOP's tail: numkeys keys… MIN|MAX [COUNT n]. */
const mpopArgs = (g: Gen): Arg[] => {
  const keys = g.keys(zset, 1, 3);
  const numkeys = g.chance(0.93) ? String(keys.length) : g.pick(['0', '-1', 'x', String(keys.length + 1)]);
  const tail: Arg[] = [where(g)];
  if (g.chance(0.5)) tail.push(g.opt('COUNT'), count(g));
  if (g.chance(0.03)) tail.push(g.pick(['COUNT', 'FOO']));
  return [numkeys, ...keys, ...tail];
};

const zscanOptions = (g: Gen): Arg[] =>
  g.options([
    () => [g.opt('MATCH'), g.chance(0.7) ? g.pick(['*', 'a*', '?', '[a-c]', 'n1*', '*\u0000*', 'm?', '']) : g.pattern()],
    () => [g.opt('COUNT'), g.chance(0.85) ? String(g.int(1, 30)) : g.pick(['0', '-1', 'x', '1000', '9223372036854775807'])],
  ], 0, 2);

// ---- replies the command does not determine ----------------------------------------------------

/** ZRANDMEMBER's negative counts past this would make both sides build a huge reply. */
const RANDOM_REPLY_GUARD = 100_000n;
const LONG_MAX = 9223372036854775807n;

function intOf(a: Arg | undefined): bigint | null {
  return typeof a === 'string' && /^-?[0-9]{1,25}$/.test(a) ? BigInt(a) : null;
}

const zrandmemberAllocation = (argv: readonly Arg[]): number => {
  const n = intOf(argv[2]);
  if (n === null || n >= -RANDOM_REPLY_GUARD || n < -LONG_MAX) return -1;
  if (argv.length === 3) return 2;
  const ws = argv[3];
  const isWithscores = argv.length === 4 && typeof ws === 'string' && /^withscores(\0.*)?$/is.test(ws);
  return isWithscores && n >= -LONG_MAX / 2n ? 2 : -1;
};

/** member → score text of a canonical sorted set value (type-values.ts: [[member, score], …] in order). */
function zsetOf(before: string | null): Map<string, string> {
  return new Map(before === null ? [] : (JSON.parse(before) as [string, string][]));
}

const latin1 = (a: Arg): string => Buffer.from(a).toString('latin1');

/**
 * ZRANDMEMBER: what a reply may be, given the sorted set before the command. Without a count: a
 * member, or null for a missing key. With one: min(count, size) distinct members, or for a
 * negative count exactly -count, repeats allowed; WITHSCORES pairs each with its score.
 */
function checkRandomMembers(argv: readonly Arg[], before: string | null, raw: string): string | null {
  const z = zsetOf(before);
  if (argv.length === 2) {
    if (raw === '$-1\r\n') return z.size === 0 ? null : 'null reply from a non-empty sorted set';
    const m = bulkPayload(raw);
    if (m === null || raw[0] !== '$') return 'not a bulk reply';
    return z.has(m) ? null : `${JSON.stringify(m)} is not a member`;
  }
  const n = BigInt(latin1(argv[2]!));
  const withscores = argv.length === 4;
  const got = bulkStrings(raw);
  if (got === null) return 'not an array of bulk strings';
  const repeats = n < 0n;
  const want = z.size === 0 ? 0n : repeats ? -n : n < BigInt(z.size) ? n : BigInt(z.size);
  const step = withscores ? 2 : 1;
  if (BigInt(got.length) !== want * BigInt(step)) return `${got.length} elements, expected ${want * BigInt(step)}`;
  const members: string[] = [];
  for (let i = 0; i < got.length; i += step) {
    const m = got[i]!;
    if (!z.has(m)) return `${JSON.stringify(m)} is not a member`;
    if (withscores && z.get(m) !== got[i + 1]) return `${JSON.stringify(m)} paired with ${JSON.stringify(got[i + 1])}, not its score`;
    members.push(m);
  }
  if (!repeats && new Set(members).size !== members.length) return 'a member given twice';
  return null;
}

export const RANDOM_ZMEMBERS: RandomReply = { check: checkRandomMembers };

/** A skiplist whose members have different scores: lex ranges over it are not defined by Redis. */
function lexUndefined(v: RedisObject | undefined): boolean {
  if (v === undefined || typeof v !== 'object' || v instanceof Uint8Array || v.type !== 'zset') return false;
  const z = v as ZSetObject;
  if (z.listpack || z.length === 0) return false;
  const tail = z.zsl.tail;
  return z.zsl.head.scores[0] !== tail.scores[tail.scores.length - 1];
}

const isBylex = (argv: readonly Arg[], from: number): boolean =>
  argv.slice(from).some((a) => typeof a === 'string' && /^bylex(\0.*)?$/is.test(a));

/**
 * Lex commands on a skiplist of mixed scores: first give every member the score 0 on both sides
 * (ZUNIONSTORE key 1 key WEIGHTS 0), so the command's reply and effect are defined, and compared.
 */
function lexPlan(srcIdx: number, lexAlways: boolean) {
  return (argv: readonly Arg[], value: (key: Arg) => RedisObject | undefined): CommandPlan | null => {
    if (argv.length <= srcIdx || (!lexAlways && !isBylex(argv, srcIdx + 3))) return null;
    const key = argv[srcIdx]!;
    if (!lexUndefined(value(key))) return null;
    return { before: ['ZUNIONSTORE', key, '1', key, 'WEIGHTS', '0'] };
  };
}

/** ZSCAN's single calls: with a cursor from nowhere a listpack is returned whole; a skiplist by shape (the tips say so). */
const scanCursor = (g: Gen): string => (g.chance(0.7) ? '0' : g.pick(['1', '7', 'x', '-1', '', '18446744073709551616', '00', ' 0']));

// ---- the commands ------------------------------------------------------------------------------

export const ZSET_COMMANDS: readonly CommandSpec[] = [
  {
    name: 'ZADD', family: 'zsets', weight: 8,
    args: (g) => {
      const opts = zaddOptions(g);
      // INCR takes a single pair (more is an error Redis checks, now and then).
      const incr = opts.some((o) => typeof o === 'string' && o.toUpperCase() === 'INCR');
      return [g.key(zset), ...opts, ...(incr && g.chance(0.9) ? [score(g), member(g)] : pairs(g))];
    },
  },
  { name: 'ZINCRBY', family: 'zsets', weight: 3, args: (g) => [g.key(zset), score(g), member(g)] },
  { name: 'ZREM', family: 'zsets', weight: 3, args: (g) => [g.key(zset), ...Array.from({ length: g.int(1, 4) }, () => member(g))] },
  { name: 'ZCARD', family: 'zsets', weight: 1.5, args: (g) => [g.key(zset)] },
  { name: 'ZSCORE', family: 'zsets', weight: 2.5, args: (g) => [g.key(zset), member(g)] },
  { name: 'ZMSCORE', family: 'zsets', weight: 1.5, args: (g) => [g.key(zset), ...Array.from({ length: g.int(1, 4) }, () => member(g))] },
  { name: 'ZRANK', family: 'zsets', weight: 2, args: (g) => [g.key(zset), member(g)] },
  { name: 'ZREVRANK', family: 'zsets', weight: 1.5, args: (g) => [g.key(zset), member(g)] },
  { name: 'ZCOUNT', family: 'zsets', weight: 2, args: (g) => [g.key(zset), scoreBound(g), scoreBound(g)] },
  { name: 'ZLEXCOUNT', family: 'zsets', weight: 1.5, plan: lexPlan(1, true), args: (g) => [g.key(zset), lexBound(g), lexBound(g)] },
  { name: 'ZRANGE', family: 'zsets', weight: 5, plan: lexPlan(1, false), args: (g) => [g.key(zset), ...zrangeTail(g, false)] },
  {
    name: 'ZRANGESTORE', family: 'zsets', weight: 2, plan: lexPlan(2, false),
    args: (g) => [g.key(zset), g.key(zset), ...zrangeTail(g, true)],
  },
  { name: 'ZREVRANGE', family: 'zsets', weight: 2, args: (g) => [g.key(zset), rank(g), rank(g), ...(g.chance(0.4) ? [g.opt('WITHSCORES')] : [])] },
  {
    name: 'ZRANGEBYSCORE', family: 'zsets', weight: 3,
    args: (g) => [g.key(zset), scoreBound(g), scoreBound(g), ...g.options([() => [g.opt('WITHSCORES')], () => limit(g)], 0, 2)],
  },
  {
    name: 'ZREVRANGEBYSCORE', family: 'zsets', weight: 2,
    args: (g) => [g.key(zset), scoreBound(g), scoreBound(g), ...g.options([() => [g.opt('WITHSCORES')], () => limit(g)], 0, 2)],
  },
  {
    name: 'ZRANGEBYLEX', family: 'zsets', weight: 2, plan: lexPlan(1, true),
    args: (g) => [g.key(zset), lexBound(g), lexBound(g), ...(g.chance(0.3) ? limit(g) : [])],
  },
  {
    name: 'ZREVRANGEBYLEX', family: 'zsets', weight: 1.5, plan: lexPlan(1, true),
    args: (g) => [g.key(zset), lexBound(g), lexBound(g), ...(g.chance(0.3) ? limit(g) : [])],
  },
  { name: 'ZREMRANGEBYRANK', family: 'zsets', weight: 1.5, args: (g) => [g.key(zset), rank(g), rank(g)] },
  { name: 'ZREMRANGEBYSCORE', family: 'zsets', weight: 1.5, args: (g) => [g.key(zset), scoreBound(g), scoreBound(g)] },
  {
    name: 'ZREMRANGEBYLEX', family: 'zsets', weight: 1.5, plan: lexPlan(1, true),
    args: (g) => [g.key(zset), lexBound(g), lexBound(g)],
  },
  { name: 'ZPOPMIN', family: 'zsets', weight: 2, args: (g) => [g.key(zset), ...(g.chance(0.5) ? [] : [count(g)])] },
  { name: 'ZPOPMAX', family: 'zsets', weight: 2, args: (g) => [g.key(zset), ...(g.chance(0.5) ? [] : [count(g)])] },
  { name: 'ZMPOP', family: 'zsets', weight: 2, args: (g) => mpopArgs(g) },
  { name: 'BZPOPMIN', family: 'zsets', weight: 0.8, kind: 'blocking', args: (g) => [...g.keys(zset, 1, 3), timeout(g)] },
  { name: 'BZPOPMAX', family: 'zsets', weight: 0.8, kind: 'blocking', args: (g) => [...g.keys(zset, 1, 3), timeout(g)] },
  { name: 'BZMPOP', family: 'zsets', weight: 0.8, kind: 'blocking', args: (g) => [timeout(g), ...mpopArgs(g)] },
  {
    name: 'ZRANDMEMBER', family: 'zsets', weight: 2.5, random: RANDOM_ZMEMBERS, largeAllocation: zrandmemberAllocation,
    args: (g) => {
      const a: Arg[] = [g.key(zset)];
      if (g.chance(0.8)) {
        a.push(
          g.rng.weighted<() => string>([
            [60, () => String(g.int(-8, 8))],
            [15, () => String(g.int(9, 300) * (g.chance(0.5) ? 1 : -1))],
            [15, () => g.pick(['9223372036854775807', '-9223372036854775808', '-9223372036854775807', '4611686018427387903', '4611686018427387904', '-4611686018427387904'])],
            [10, () => g.pick(['x', '', '1.5', ' 1', '01'])],
          ])(),
        );
        if (g.chance(0.4)) a.push(g.chance(0.95) ? g.opt('WITHSCORES') : g.pick(['WITHSCORE', '', 'withscores\u0000']));
      }
      return a;
    },
  },
  { name: 'ZUNION', family: 'zsets', weight: 2, args: (g) => setOpArgs(g, { weights: true, withscores: true }) },
  { name: 'ZINTER', family: 'zsets', weight: 2, args: (g) => setOpArgs(g, { weights: true, withscores: true }) },
  { name: 'ZDIFF', family: 'zsets', weight: 1.5, args: (g) => setOpArgs(g, { weights: g.chance(0.05), withscores: true }) },
  { name: 'ZINTERCARD', family: 'zsets', weight: 1.5, args: (g) => setOpArgs(g, { weights: g.chance(0.05), withscores: g.chance(0.05), limit: true }) },
  { name: 'ZUNIONSTORE', family: 'zsets', weight: 1.5, args: (g) => [g.key(zset), ...setOpArgs(g, { weights: true, withscores: g.chance(0.05) })] },
  { name: 'ZINTERSTORE', family: 'zsets', weight: 1.5, args: (g) => [g.key(zset), ...setOpArgs(g, { weights: true, withscores: g.chance(0.05) })] },
  { name: 'ZDIFFSTORE', family: 'zsets', weight: 1, args: (g) => [g.key(zset), ...setOpArgs(g, { weights: g.chance(0.05), withscores: false })] },
  // A full iteration from cursor 0 with these options (the driver puts the cursor after the key).
  { name: 'ZSCAN', family: 'zsets', weight: 0.8, kind: 'scan', args: (g) => [g.key(zset), ...zscanOptions(g)] },
  { name: 'ZSCAN', family: 'zsets', weight: 0.4, args: (g) => [g.key(zset), scanCursor(g), ...zscanOptions(g)] },

  // Generic commands on sorted set keys (COPY duplicates one; MOVE and RENAME carry it).
  { name: 'COPY', family: 'zsets', weight: 0.6, args: (g) => [g.key(zset), g.key(zset), ...(g.chance(0.3) ? [g.opt('DB'), g.db()] : []), ...(g.chance(0.5) ? [g.opt('REPLACE')] : [])] },
  { name: 'RENAME', family: 'zsets', weight: 0.4, args: (g) => [g.key(zset), g.key(zset)] },
  { name: 'MOVE', family: 'zsets', weight: 0.3, args: (g) => [g.key(zset), g.db()] },
  { name: 'DEL', family: 'zsets', weight: 0.5, args: (g) => g.keys(zset, 1, 2) },
  { name: 'TYPE', family: 'zsets', weight: 0.3, args: (g) => [g.key(zset)] },
  { name: 'EXPIRE', family: 'zsets', weight: 0.2, args: (g) => [g.key(zset), g.ttlSeconds()] },
];
