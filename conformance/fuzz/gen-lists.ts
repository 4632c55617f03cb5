/**
 * The differential run's list commands (t_list.c). Elements come mostly from a small vocabulary,
 * so LPOS, LREM and LINSERT find their pivots and matches; pushes now and then add a few hundred
 * elements, so lists span several quicklist nodes. The blocking commands are of kind 'blocking':
 * the driver runs them inside MULTI on Redis, where they never block (differential.ts runBlocking).
 * A few generic commands (COPY, RENAME, MOVE, DEL, TYPE, EXPIRE) act on list keys here too.
 */
import type { CommandSpec } from './generators.js';
import { Gen, INT64_EDGES, KEY_POOLS, type Arg } from './values.js';

const { list } = KEY_POOLS;

const VOCABULARY: Arg[] = ['a', 'b', 'c', 'd', 'x', '1', '2', '10', '-1', '0', '', 'é', 'a b', Uint8Array.of(0xff), Uint8Array.of(0x61)];

/** An element: mostly from the vocabulary (so matches happen), else any value. */
const element = (g: Gen): Arg => (g.chance(0.75) ? g.pick(VOCABULARY) : g.value());

/** Elements for a push: a few, or now and then hundreds (several quicklist nodes). */
const elements = (g: Gen): Arg[] => {
  const x = g.rng.next();
  const n = x < 0.02 ? g.int(100, 400) : x < 0.1 ? g.int(6, 40) : g.int(1, 5);
  return Array.from({ length: n }, () => element(g));
};

/** An index or range bound: small, sometimes far, edges and junk (Gen.index). */
const index = (g: Gen): string => (g.chance(0.1) ? String(g.int(-450, 450)) : g.index());

/** A count: small, 0, large, negative, or not an integer. */
const count = (g: Gen): string =>
  g.rng.weighted<() => string>([
    [60, () => String(g.int(1, 6))],
    [10, () => '0'],
    [10, () => String(g.int(7, 500))],
    [8, () => g.pick(['-1', '-5', ...INT64_EDGES])],
    [7, () => g.pick(['x', '', '1.5', ' 1', '1e3'])],
  ])();

/** LEFT or RIGHT, in any case; now and then something else. */
const where = (g: Gen): string => (g.chance(0.96) ? g.opt(g.pick(['LEFT', 'RIGHT'])) : g.pick(['UP', 'LEF', '', 'left\u0000']));

/** A blocking timeout in seconds: Redis runs the command inside MULTI, so any value is safe. */
const timeout = (g: Gen): string =>
  g.chance(0.85)
    ? g.pick(['0', '0.01', '1', '0.5', '10'])
    : g.pick(['-1', '-0.01', 'x', '', 'inf', '-inf', 'nan', '1e400', '9223372036854775807', '0x10', '1e-3', ' 1', '1,5']);

/** LMPOP/BLMPOP's tail: numkeys keys… direction [COUNT n]. */
const mpopArgs = (g: Gen): Arg[] => {
  const keys = g.keys(list, 1, 3);
  const numkeys = g.chance(0.93) ? String(keys.length) : g.pick(['0', '-1', 'x', String(keys.length + 1), '9223372036854775807']);
  const tail: Arg[] = [where(g)];
  if (g.chance(0.5)) tail.push(g.opt('COUNT'), count(g));
  if (g.chance(0.03)) tail.push(g.pick(['COUNT', 'FOO']));
  return [numkeys, ...keys, ...tail];
};

const lposOptions = (g: Gen): Arg[] =>
  g.options(
    [
      () => [g.opt('RANK'), g.chance(0.85) ? String(g.pick([1, 2, 3, -1, -2, -3, 5, -5])) : g.pick(['0', 'x', ...INT64_EDGES])],
      () => [g.opt('COUNT'), g.chance(0.85) ? String(g.int(0, 4)) : g.pick(['-1', 'x', '9223372036854775807'])],
      () => [g.opt('MAXLEN'), g.chance(0.85) ? String(g.int(0, 10)) : g.pick(['-1', 'x', '1000'])],
    ],
    0,
    3,
  );

export const LIST_COMMANDS: readonly CommandSpec[] = [
  { name: 'LPUSH', family: 'lists', weight: 5, args: (g) => [g.key(list), ...elements(g)] },
  { name: 'RPUSH', family: 'lists', weight: 5, args: (g) => [g.key(list), ...elements(g)] },
  { name: 'LPUSHX', family: 'lists', weight: 1.5, args: (g) => [g.key(list), ...elements(g)] },
  { name: 'RPUSHX', family: 'lists', weight: 1.5, args: (g) => [g.key(list), ...elements(g)] },
  { name: 'LLEN', family: 'lists', weight: 2, args: (g) => [g.key(list)] },
  { name: 'LINDEX', family: 'lists', weight: 3, args: (g) => [g.key(list), index(g)] },
  { name: 'LSET', family: 'lists', weight: 2, args: (g) => [g.key(list), index(g), element(g)] },
  {
    name: 'LINSERT', family: 'lists', weight: 2.5,
    args: (g) => [g.key(list), g.chance(0.96) ? g.opt(g.pick(['BEFORE', 'AFTER'])) : g.pick(['MIDDLE', '']), element(g), element(g)],
  },
  { name: 'LRANGE', family: 'lists', weight: 4, args: (g) => [g.key(list), index(g), index(g)] },
  { name: 'LTRIM', family: 'lists', weight: 1.5, args: (g) => [g.key(list), index(g), index(g)] },
  {
    name: 'LREM', family: 'lists', weight: 2.5,
    args: (g) => [g.key(list), g.chance(0.85) ? String(g.int(-3, 3)) : g.pick(['x', ...INT64_EDGES]), element(g)],
  },
  { name: 'LPOS', family: 'lists', weight: 3, args: (g) => [g.key(list), element(g), ...lposOptions(g)] },
  { name: 'LPOP', family: 'lists', weight: 3, args: (g) => [g.key(list), ...(g.chance(0.5) ? [] : [count(g)])] },
  { name: 'RPOP', family: 'lists', weight: 3, args: (g) => [g.key(list), ...(g.chance(0.5) ? [] : [count(g)])] },
  { name: 'LMPOP', family: 'lists', weight: 2, args: (g) => mpopArgs(g) },
  { name: 'LMOVE', family: 'lists', weight: 2, args: (g) => [g.key(list), g.key(list), where(g), where(g)] },
  { name: 'RPOPLPUSH', family: 'lists', weight: 1, args: (g) => [g.key(list), g.key(list)] },

  { name: 'BLPOP', family: 'lists', weight: 1, kind: 'blocking', args: (g) => [...g.keys(list, 1, 3), timeout(g)] },
  { name: 'BRPOP', family: 'lists', weight: 1, kind: 'blocking', args: (g) => [...g.keys(list, 1, 3), timeout(g)] },
  { name: 'BLMPOP', family: 'lists', weight: 1, kind: 'blocking', args: (g) => [timeout(g), ...mpopArgs(g)] },
  { name: 'BLMOVE', family: 'lists', weight: 1, kind: 'blocking', args: (g) => [g.key(list), g.key(list), where(g), where(g), timeout(g)] },
  { name: 'BRPOPLPUSH', family: 'lists', weight: 0.5, kind: 'blocking', args: (g) => [g.key(list), g.key(list), timeout(g)] },

  // Generic commands on list keys (COPY duplicates a list; MOVE and RENAME carry it).
  { name: 'COPY', family: 'lists', weight: 0.6, args: (g) => [g.key(list), g.key(list), ...(g.chance(0.3) ? [g.opt('DB'), g.db()] : []), ...(g.chance(0.5) ? [g.opt('REPLACE')] : [])] },
  { name: 'RENAME', family: 'lists', weight: 0.4, args: (g) => [g.key(list), g.key(list)] },
  { name: 'MOVE', family: 'lists', weight: 0.3, args: (g) => [g.key(list), g.db()] },
  { name: 'DEL', family: 'lists', weight: 0.6, args: (g) => g.keys(list, 1, 2) },
  { name: 'TYPE', family: 'lists', weight: 0.3, args: (g) => [g.key(list)] },
  { name: 'EXPIRE', family: 'lists', weight: 0.2, args: (g) => [g.key(list), g.ttlSeconds()] },
];
