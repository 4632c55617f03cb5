/**
 * The differential run's SORT and SORT_RO (sort.c). The family builds its own sources (lists,
 * sets and sorted sets of a small vocabulary) and the keys BY and GET read: string weights
 * `w_<element>`, hashes `wh_<element>` with fields f and g, and the other families' keys through
 * `k*`, `n*`, `hash*->…`. Elements and weights include numbers strtod refuses (or reads with
 * ERANGE), NUL bytes (strcoll stops there) and equal values, so every rule of sort.c is reached.
 *
 * Two things are not fully determined by the command, and each SORT gets a plan for them
 * (CommandSpec.plan, decided from the keys' values just before it):
 *
 * - The order of a set's members (a hash table's; an intset's is numeric and is compared) and
 *   of a sorted set's when it is sorted: it shows in the reply when nothing sorts them (BY nosort)
 *   or when elements tie (ALPHA BY, ALPHA over strings equal up to a NUL byte). Such a reply is
 *   compared as a multiset of its rows, or by shape when LIMIT takes part of it; a stored result
 *   is put in byte order on both sides (or deleted, when LIMIT took part of it) after the command.
 * - Redis' SORT tests `errno == ERANGE` after its strtod without clearing errno first, so it fails
 *   whenever an earlier command (of any family) left errno at ERANGE. Lodis does not keep a stale
 *   errno (sort.ts): before each SORT both sides run `SCAN 0 COUNT 0`, which clears errno in Redis
 *   (the cursor is parsed with errno = 0) and does nothing else (COUNT 0 is a syntax error).
 */
import type { RedisObject } from '../../packages/core/src/object.js';
import type { SetObject } from '../../packages/core/src/types/set.js';
import type { ZSetObject } from '../../packages/core/src/types/zset.js';
import type { Policy } from './compare.js';
import type { CommandPlan, CommandSpec } from './generators.js';
import { FLOATS, Gen, INT64_EDGES, KEY_POOLS, type Arg } from './values.js';

const { list, set, sort } = KEY_POOLS;
/** The sorted sets' pool (zsets family), or the same names. */
const zset: readonly Arg[] = (KEY_POOLS as { zset?: readonly Arg[] }).zset ?? ['zset0', 'zset1', 'zset2', 'zset3'];
const WEIGHTS = sort.filter((k) => k.startsWith('w_'));
const WEIGHT_HASHES = sort.filter((k) => k.startsWith('wh_'));
const DESTINATIONS = [...sort.filter((k) => k.startsWith('sorted')), ...list];

/** Elements: most name a weight key (w_a, wh_1 …) or another family's key (k0, n1, hash2 …). */
const VOCABULARY: Arg[] = [
  'a', 'b', 'c', 'x', '1', '2', '10', '-1', '0', '', '3', '1.5', '01', '-0', 'é', 'a b', ' 1', 'inf',
  'a\u0000b', 'a\u0000c', Uint8Array.of(0xff), Uint8Array.of(0x61),
];
/** Now and then a number strtod refuses, or reads with ERANGE (Redis' errno then stays ERANGE). */
const RARE: Arg[] = ['1e309', '4.9e-324', '1e-320', 'nan', '0x10', '0x1p-1074', '1e', '9223372036854775808'];

const NUMBERS: Arg[] = ['1', '2', '3', '10', '-1', '0', '1.5', '01', '-0', ' 1', 'inf', '2.5', '-3', '0.5'];

const element = (g: Gen): Arg =>
  g.rng.weighted<() => Arg>([
    [80, () => g.pick(VOCABULARY)],
    [3, () => g.pick(RARE)],
    [17, () => g.value()],
  ])();

/** Elements for a source: the first two keys of a pool get mostly numbers (numeric sorts succeed). */
const elements = (g: Gen, key: Arg): Arg[] => {
  const x = g.rng.next();
  const n = x < 0.02 ? g.int(40, 120) : x < 0.1 ? g.int(6, 20) : g.int(1, 5);
  const numeric = typeof key === 'string' && /[01]$/.test(key);
  return Array.from({ length: n }, () => (numeric && g.chance(0.995) ? g.pick(NUMBERS) : element(g)));
};
const push = (pool: readonly Arg[]) => (g: Gen): Arg[] => {
  const key = g.key(pool);
  return [key, ...elements(g, key)];
};

/** A weight: mostly a number (ties likely), sometimes a word, a float edge or anything. */
const weight = (g: Gen): Arg =>
  g.rng.weighted<() => Arg>([
    [55, () => String(g.int(-10, 10))],
    [17, () => g.float()],
    [12, () => g.pick(['a', 'b', 'c', 'x', '', 'A', 'a\u0000b', 'a\u0000c', 'é'])],
    [3, () => g.pick(FLOATS)],
    [5, () => g.pick(INT64_EDGES)],
    [8, () => g.value()],
  ])();

const BY_PATTERNS: Arg[] = [
  'nosort', 'w_*', 'w_*', 'w_*', 'wh_*->f', 'wh_*->g', 'wh_*->f', 'k*', 'n*', 'hash*->a', 'hash*->1', '*', '#',
  'w_*->', 'w_\u0000*', 'w_*\u0000x', 'wh_*->\u0000', 'nosort*', 'w_**', 'x', '',
];
const GET_PATTERNS: Arg[] = [
  '#', '#', 'w_*', 'w_*', 'wh_*->f', 'wh_*->g', 'k*', 'n*', 'hash*->a', 'nostar', '#\u0000', 'wh_*', 'w_*->f', '*',
];

const offset = (g: Gen): string =>
  g.rng.weighted<() => string>([
    [70, () => String(g.int(0, 8))],
    [10, () => String(g.int(-3, -1))],
    [10, () => g.pick(['100', '9223372036854775807', '-9223372036854775808'])],
    [10, () => g.pick(['x', '', '1.5', '9223372036854775808', ' 1'])],
  ])();
const count = (g: Gen): string =>
  g.rng.weighted<() => string>([
    [70, () => String(g.int(0, 8))],
    [15, () => String(g.int(-3, -1))],
    [10, () => g.pick(['100', '9223372036854775807', '-9223372036854775808'])],
    [5, () => g.pick(['x', '', '1.5', '-9223372036854775809'])],
  ])();

/** SORT's options, in any order and repeated (the last ASC/DESC, LIMIT, BY wins). */
function sortOptions(g: Gen, readonly: boolean): Arg[] {
  const makers: (() => Arg[])[] = [
    () => [g.opt('BY'), g.pick(BY_PATTERNS)],
    () => [g.opt('LIMIT'), offset(g), count(g)],
    () => [g.opt('GET'), g.pick(GET_PATTERNS)],
    () => [g.opt('GET'), g.pick(GET_PATTERNS)],
    () => [g.opt(g.pick(['ASC', 'DESC', 'DESC']))],
    () => [g.opt('ALPHA')],
    () => [g.opt('ALPHA')],
    () => [g.opt('STORE'), g.pick(DESTINATIONS)],
  ];
  if (readonly && g.chance(0.9)) makers.pop(); // SORT_RO refuses STORE (a syntax error)
  const out = g.options(makers, 0, 4);
  if (g.chance(0.02)) out.splice(g.int(0, out.length), 0, g.pick(['LIMIT', 'BY', 'GET', 'STORE', 'FOO', 'asc\u0000x']));
  return out;
}

const source = (g: Gen): Arg =>
  g.rng.weighted<() => Arg>([
    [40, () => g.key(list)],
    [30, () => g.key(set)],
    [22, () => g.key(zset)],
    [8, () => g.key()],
  ])();

/** ZADD's score member pairs: scores that tie often (members then order them), members as elements. */
const zaddArgs = (g: Gen): Arg[] => {
  const key = g.key(zset);
  const n = g.chance(0.05) ? g.int(60, 150) : g.int(1, 5);
  const out: Arg[] = [key];
  for (let i = 0; i < n; i++) {
    out.push(g.chance(0.8) ? String(g.int(-3, 3)) : g.pick(['1.5', '-0', '0', 'inf', '-inf', '1e-5', '2.5']));
    out.push(g.pick(VOCABULARY.concat(NUMBERS)));
  }
  return out;
};

// ---- what a SORT reply depends on beyond the command ------------------------------------------

/** A byte string up to its first NUL, ASCII lower case (strcasecmp on an option). */
function option(a: Arg): string {
  const s = typeof a === 'string' ? a : Buffer.from(a).toString('latin1');
  const nul = s.indexOf('\u0000');
  return (nul >= 0 ? s.slice(0, nul) : s).toLowerCase();
}

function cStringHasStar(a: Arg): boolean {
  const s = typeof a === 'string' ? a : Buffer.from(a).toString('latin1');
  const nul = s.indexOf('\u0000');
  return (nul >= 0 ? s.slice(0, nul) : s).includes('*');
}

const INT = /^(0|-?[1-9][0-9]{0,18})$/;

/** An int64 argument as Redis reads it (string2ll), as a number; null when Redis refuses it. */
function long(a: Arg): number | null {
  if (typeof a !== 'string' || !INT.test(a)) return null;
  const v = BigInt(a);
  return v > 9223372036854775807n || v < -9223372036854775808n ? null : Number(v);
}

interface ParsedSort {
  alpha: boolean;
  dontsort: boolean;
  sortby: boolean;
  store: Arg | null;
  gets: number;
  limitStart: number;
  limitCount: number;
}

/** sortCommandGeneric's option parsing; null when Redis replies an error to it. */
function parseSort(argv: readonly Arg[]): ParsedSort | null {
  const readonly = option(argv[0]!) === 'sort_ro';
  const p: ParsedSort = { alpha: false, dontsort: false, sortby: false, store: null, gets: 0, limitStart: 0, limitCount: -1 };
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const o = option(argv[j]!);
    if (o === 'asc' || o === 'desc') continue;
    if (o === 'alpha') p.alpha = true;
    else if (o === 'limit' && left >= 2) {
      const s = long(argv[j + 1]!);
      const c = long(argv[j + 2]!);
      if (s === null || c === null) return null;
      p.limitStart = s;
      p.limitCount = c;
      j += 2;
    } else if (!readonly && o === 'store' && left >= 1) p.store = argv[++j]!;
    else if (o === 'by' && left >= 1) {
      p.sortby = true;
      if (!cStringHasStar(argv[++j]!)) p.dontsort = true;
    } else if (o === 'get' && left >= 1) {
      p.gets++;
      j++;
    } else return null;
  }
  return p;
}

/**
 * The plan of a SORT (see the top of this file): reset errno first; compare a reply whose order
 * is a set's or a sorted set's hash order as rows in any order (by shape when LIMIT took part of
 * it); make a stored result of undetermined order the same on both sides.
 */
export function sortPlan(argv: readonly Arg[], value: (key: Arg) => RedisObject | undefined): CommandPlan {
  const before: Arg[] = ['SCAN', '0', 'COUNT', '0'];
  const p = argv.length >= 2 ? parseSort(argv) : null;
  if (p === null) return { before };
  const src = value(argv[1]!);
  if (src === undefined || typeof src !== 'object' || src instanceof Uint8Array) return { before };
  if (src.type !== 'set' && src.type !== 'zset') return { before }; // a list's order is its own
  if (src.type === 'set' && (src as SetObject).intset) return { before }; // numeric order
  const size = src.type === 'set' ? (src as SetObject).size : (src as ZSetObject).length;
  let { alpha, dontsort, sortby } = p;
  if (dontsort && src.type === 'set' && p.store !== null) {
    dontsort = false; // sorted ALPHA instead (sort.c), by the elements' bytes
    alpha = true;
    sortby = false;
  }
  let determined: boolean;
  if (dontsort) determined = src.type === 'zset';
  else if (!alpha) determined = true; // equal scores are ordered by the elements
  else if (sortby) determined = false; // equal BY values keep the input order
  else determined = p.store !== null || !membersWithNul(src);
  if (determined) return { before };
  const start = Math.min(Math.max(p.limitStart, 0), size);
  const limitCount = Math.min(Math.max(p.limitCount, -1), size);
  const end = Math.min(limitCount < 0 ? size - 1 : start + limitCount - 1, size - 1);
  const whole = start === 0 && end === size - 1;
  if (p.store !== null) return { before, settle: whole ? ['SORT', p.store, 'ALPHA', 'STORE', p.store] : ['DEL', p.store] };
  const policy: Policy = whole ? { kind: 'unordered', rows: Math.max(1, p.gets) } : { kind: 'shape' };
  return { before, policy };
}

/** Whether some member has a NUL byte (ALPHA without STORE compares strings up to it: ties). */
function membersWithNul(o: RedisObject): boolean {
  const members = o instanceof Object && (o as ZSetObject).type === 'zset' ? (o as ZSetObject).dict.keys() : (o as SetObject).keys();
  for (const m of members) if (m.includes('\u0000')) return true;
  return false;
}

// ---- the commands ------------------------------------------------------------------------------

export const SORT_COMMANDS: readonly CommandSpec[] = [
  { name: 'SORT', family: 'sort', weight: 5, plan: sortPlan, args: (g) => [source(g), ...sortOptions(g, false)] },
  { name: 'SORT_RO', family: 'sort', weight: 2, plan: sortPlan, args: (g) => [source(g), ...sortOptions(g, true)] },

  // The sources and what BY and GET read.
  { name: 'RPUSH', family: 'sort', weight: 1.5, args: push(list) },
  { name: 'LPUSH', family: 'sort', weight: 0.5, args: push(list) },
  { name: 'SADD', family: 'sort', weight: 1.5, args: push(set) },
  { name: 'ZADD', family: 'sort', weight: 1.5, args: zaddArgs },
  {
    // An all-integer set now and then (an intset: its members come in numeric order).
    name: 'SADD', family: 'sort', weight: 0.25,
    args: (g) => [g.key(set), ...Array.from({ length: g.int(1, 12) }, () => String(g.int(-20, 20)))],
  },
  { name: 'SET', family: 'sort', weight: 2, args: (g) => [g.pick(WEIGHTS), weight(g)] },
  {
    name: 'MSET', family: 'sort', weight: 0.5,
    args: (g) => Array.from({ length: g.int(1, 5) }, () => [g.pick(WEIGHTS), weight(g)]).flat(),
  },
  { name: 'INCR', family: 'sort', weight: 0.25, args: (g) => [g.pick(WEIGHTS)] },
  { name: 'APPEND', family: 'sort', weight: 0.15, args: (g) => [g.pick(WEIGHTS), String(g.int(0, 9))] },
  {
    name: 'HSET', family: 'sort', weight: 1,
    args: (g) => [g.pick(WEIGHT_HASHES), ...(g.chance(0.7) ? ['f', weight(g)] : []), ...(g.chance(0.6) ? ['g', weight(g)] : ['h', weight(g)])],
  },
  { name: 'HINCRBY', family: 'sort', weight: 0.15, args: (g) => [g.pick(WEIGHT_HASHES), 'f', String(g.int(-5, 5))] },
  { name: 'DEL', family: 'sort', weight: 1, args: (g) => [g.pick([...list, ...set, ...zset, ...sort])] },
  // A sorted set that SORT turned into a skiplist keeps -0 apart from 0 (a listpack does not).
  { name: 'ZADD', family: 'sort', weight: 0.15, args: (g) => [g.key(zset), '-0', g.pick(VOCABULARY)] },
  { name: 'LRANGE', family: 'sort', weight: 0.25, args: (g) => [g.pick(DESTINATIONS), '0', '-1'] },
];
