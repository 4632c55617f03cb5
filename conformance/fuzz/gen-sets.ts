/**
 * The differential run's set commands (t_set.c). Members come mostly from a small vocabulary —
 * integers (Redis keeps all-integer sets as intsets), words, bytes — so sets overlap and SINTER,
 * SDIFF and SMOVE find common members; SADD now and then adds hundreds (past Redis' 512-entry
 * intset, so both of its encodings are exercised). SPOP and SRANDMEMBER reply at random: their
 * replies are checked against the set as it was (RANDOM_MEMBERS below) rather than compared, and
 * SPOP's removals are made the same on both sides afterwards. A few generic commands (COPY,
 * RENAME, MOVE, DEL, TYPE, EXPIRE) act on set keys here too.
 */
import type { CommandSpec, RandomReply } from './generators.js';
import { bulkPayload, bulkStrings } from '../resp.js';
import { Gen, INT64_EDGES, KEY_POOLS, type Arg } from './values.js';

const { set } = KEY_POOLS;

const VOCABULARY: Arg[] = [
  '1', '2', '3', '10', '-1', '0', '01', '-0', '9223372036854775807', '-9223372036854775808', '9223372036854775808',
  'a', 'b', 'c', 'd', 'x', '', 'é', 'a b', '1.5', Uint8Array.of(0xff), Uint8Array.of(0x61), Uint8Array.of(0xc3, 0xa9),
];

/** A member: mostly from the vocabulary (so sets overlap), else any value. */
const member = (g: Gen): Arg => (g.chance(0.8) ? g.pick(VOCABULARY) : g.value());

/** Members for SADD: a few, or now and then hundreds (integers, so an intset grows past 512). */
const members = (g: Gen): Arg[] => {
  const x = g.rng.next();
  if (x < 0.015) return Array.from({ length: g.int(400, 700) }, () => String(g.int(0, 2000)));
  const n = x < 0.08 ? g.int(6, 40) : g.int(1, 5);
  return Array.from({ length: n }, () => member(g));
};

/** SPOP's count: small, 0, large, negative, or not an integer. */
const popCount = (g: Gen): string =>
  g.rng.weighted<() => string>([
    [60, () => String(g.int(1, 6))],
    [10, () => '0'],
    [10, () => String(g.int(7, 800))],
    [10, () => g.pick(['-1', '-5', ...INT64_EDGES])],
    [5, () => g.pick(['x', '', '1.5', ' 1', '1e3'])],
  ])();

/** SRANDMEMBER's count: as SPOP's, and negative ones (repeats allowed). */
const randCount = (g: Gen): string => (g.chance(0.3) ? String(-g.int(1, 40)) : popCount(g));

/** SRANDMEMBER's negative counts past this would make both sides build a huge reply (Redis: no limit at all). */
const RANDOM_REPLY_GUARD = 10_000n;

const srandmemberAllocation = (argv: readonly Arg[]): number => {
  const a = argv[2];
  if (argv.length !== 3 || typeof a !== 'string' || !/^-[1-9][0-9]{0,18}$/.test(a)) return -1;
  const n = BigInt(a);
  return n < -RANDOM_REPLY_GUARD && n >= -9223372036854775807n ? 2 : -1;
};

const sintercardArgs = (g: Gen): Arg[] => {
  const keys = g.keys(set, 1, 4);
  const numkeys = g.chance(0.93) ? String(keys.length) : g.pick(['0', '-1', 'x', String(keys.length + 1), '9223372036854775807', '']);
  const tail: Arg[] = [];
  if (g.chance(0.5)) {
    tail.push(g.chance(0.95) ? g.opt('LIMIT') : g.pick(['LIMITS', 'limit\u0000', '']));
    tail.push(g.chance(0.8) ? String(g.int(0, 5)) : g.pick(['-1', 'x', '', ...INT64_EDGES]));
  }
  if (g.chance(0.03)) tail.push(g.pick(['LIMIT', 'FOO']));
  return [numkeys, ...keys, ...tail];
};

const sscanOptions = (g: Gen): Arg[] =>
  g.options(
    [
      () => [g.opt('MATCH'), g.chance(0.7) ? g.pick(['*', '1*', '?', '[a-c]', '*a*', '-*', '[0-9]*', '\\*', '']) : g.pattern()],
      () => [g.opt('COUNT'), g.chance(0.85) ? String(g.int(1, 30)) : g.pick(['0', '-1', 'x', '1000', '9223372036854775807'])],
    ],
    0,
    2,
  );

// ---- random replies ----------------------------------------------------------------------------

/** The members of a canonical set value (type-values.ts canonicalMembers), or none. */
function membersOf(before: string | null): Set<string> {
  return new Set(before === null ? [] : (JSON.parse(before) as string[]));
}

/** The count argument as a bigint, when there is one (the command did not fail: it is an integer). */
const countArg = (argv: readonly Arg[]): bigint | null =>
  argv.length === 3 ? BigInt(typeof argv[2] === 'string' ? argv[2] : Buffer.from(argv[2]!).toString('latin1')) : null;

/**
 * SPOP and SRANDMEMBER: what a reply may be, given the set before the command. Without a count:
 * a member, or null for a missing key. With one: min(count, size) distinct members; SRANDMEMBER's
 * negative count: exactly -count members (none for a missing key), repeats allowed.
 */
function checkRandomMembers(argv: readonly Arg[], before: string | null, raw: string): string | null {
  const pool = membersOf(before);
  const count = countArg(argv);
  if (count === null) {
    if (raw === '$-1\r\n') return pool.size === 0 ? null : 'null reply from a non-empty set';
    const m = bulkPayload(raw);
    if (m === null || raw[0] !== '$') return `not a bulk reply`;
    return pool.has(m) ? null : `${JSON.stringify(m)} is not a member`;
  }
  const got = bulkStrings(raw);
  if (got === null) return 'not an array of bulk strings';
  const repeats = count < 0n;
  const want = pool.size === 0 ? 0n : repeats ? -count : count < BigInt(pool.size) ? count : BigInt(pool.size);
  if (BigInt(got.length) !== want) return `${got.length} members, expected ${want}`;
  const stray = got.find((m) => !pool.has(m));
  if (stray !== undefined) return `${JSON.stringify(stray)} is not a member`;
  if (!repeats && new Set(got).size !== got.length) return 'a member given twice';
  return null;
}

/** What a SPOP reply removed: its members (one or many), none for a null. */
function popped(raw: string): string[] {
  if (raw[0] === '$') {
    const m = bulkPayload(raw);
    return m === null ? [] : [m];
  }
  return bulkStrings(raw) ?? [];
}

export const RANDOM_MEMBERS: RandomReply = { check: checkRandomMembers };

/** SPOP: as SRANDMEMBER, then Lodis puts back what it popped and removes what Redis popped. */
export const RANDOM_POP: RandomReply = {
  check: checkRandomMembers,
  reconcile: (argv, redis, lodis) => {
    const r = popped(redis);
    const l = popped(lodis);
    if ([...r].sort().join('\0') === [...l].sort().join('\0')) return [];
    const bytes = (m: string): Uint8Array => Uint8Array.from(Buffer.from(m, 'latin1'));
    return [
      ['SADD', argv[1]!, ...l.map(bytes)],
      ['SREM', argv[1]!, ...r.map(bytes)],
    ];
  },
};

// ---- the commands ------------------------------------------------------------------------------

export const SET_COMMANDS: readonly CommandSpec[] = [
  { name: 'SADD', family: 'sets', weight: 6, args: (g) => [g.key(set), ...members(g)] },
  { name: 'SREM', family: 'sets', weight: 3, args: (g) => [g.key(set), ...Array.from({ length: g.int(1, 4) }, () => member(g))] },
  { name: 'SMOVE', family: 'sets', weight: 2, args: (g) => [g.key(set), g.key(set), member(g)] },
  { name: 'SISMEMBER', family: 'sets', weight: 2, args: (g) => [g.key(set), member(g)] },
  { name: 'SMISMEMBER', family: 'sets', weight: 2, args: (g) => [g.key(set), ...Array.from({ length: g.int(1, 4) }, () => member(g))] },
  { name: 'SCARD', family: 'sets', weight: 2, args: (g) => [g.key(set)] },
  { name: 'SMEMBERS', family: 'sets', weight: 2, args: (g) => [g.key(set)] },
  {
    name: 'SPOP', family: 'sets', weight: 3, random: RANDOM_POP,
    args: (g) => [g.key(set), ...(g.chance(0.5) ? [] : [popCount(g)])],
  },
  {
    name: 'SRANDMEMBER', family: 'sets', weight: 3, random: RANDOM_MEMBERS, largeAllocation: srandmemberAllocation,
    args: (g) => [g.key(set), ...(g.chance(0.3) ? [] : [randCount(g)])],
  },
  { name: 'SINTER', family: 'sets', weight: 2, args: (g) => g.keys(set, 1, 4) },
  { name: 'SUNION', family: 'sets', weight: 2, args: (g) => g.keys(set, 1, 4) },
  { name: 'SDIFF', family: 'sets', weight: 2, args: (g) => g.keys(set, 1, 4) },
  { name: 'SINTERSTORE', family: 'sets', weight: 1.5, args: (g) => [g.key(set), ...g.keys(set, 1, 3)] },
  { name: 'SUNIONSTORE', family: 'sets', weight: 1.5, args: (g) => [g.key(set), ...g.keys(set, 1, 3)] },
  { name: 'SDIFFSTORE', family: 'sets', weight: 1.5, args: (g) => [g.key(set), ...g.keys(set, 1, 3)] },
  { name: 'SINTERCARD', family: 'sets', weight: 2, args: (g) => sintercardArgs(g) },
  // A full iteration from cursor 0 with these options (the driver puts the cursor after the key).
  { name: 'SSCAN', family: 'sets', weight: 0.8, kind: 'scan', args: (g) => [g.key(set), ...sscanOptions(g)] },
  {
    // Single SSCAN calls with cursors Redis must refuse (or accept: then only the shape is compared).
    name: 'SSCAN', family: 'sets', weight: 0.2,
    args: (g) => [g.key(set), g.pick(['abc', '-1', '18446744073709551616', '', '1.5', ' 0', '18446744073709551615', '00', '+0']), ...sscanOptions(g)],
  },

  // Generic commands on set keys (COPY duplicates a set; MOVE and RENAME carry it).
  { name: 'COPY', family: 'sets', weight: 0.6, args: (g) => [g.key(set), g.key(set), ...(g.chance(0.3) ? [g.opt('DB'), g.db()] : []), ...(g.chance(0.5) ? [g.opt('REPLACE')] : [])] },
  { name: 'RENAME', family: 'sets', weight: 0.4, args: (g) => [g.key(set), g.key(set)] },
  { name: 'MOVE', family: 'sets', weight: 0.3, args: (g) => [g.key(set), g.db()] },
  { name: 'DEL', family: 'sets', weight: 0.6, args: (g) => g.keys(set, 1, 2) },
  { name: 'TYPE', family: 'sets', weight: 0.3, args: (g) => [g.key(set)] },
  { name: 'EXPIRE', family: 'sets', weight: 0.2, args: (g) => [g.key(set), g.ttlSeconds()] },
];
