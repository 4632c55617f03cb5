/**
 * The differential run's hash commands (t_hash.c). Fields come mostly from a small vocabulary, so
 * commands find, overwrite and delete each other's fields; now and then an HSET adds a hundred or
 * more fields, or a field or value longer than 64 bytes, so hashes turn from listpacks (whose
 * order and HSCAN Lodis reproduces exactly) into hash tables (compared as multisets, by shape, or
 * by a full HSCAN iteration). HRANDFIELD's replies are checked against the hash as it was
 * (RANDOM_FIELDS below) rather than compared. A few generic commands act on hash keys too.
 */
import { bulkPayload, bulkStrings } from '../resp.js';
import type { CommandSpec, RandomReply } from './generators.js';
import { FLOATS, Gen, INT64_EDGES, KEY_POOLS, PATTERNS, type Arg } from './values.js';

const { hash } = KEY_POOLS;

/** 64 bytes: the longest field or value a listpack holds; one more byte makes a hash table. */
const LONG64 = 'x'.repeat(64);
const LONG65 = 'y'.repeat(65);

const VOCABULARY: Arg[] = [
  'a', 'b', 'c', 'd', 'n', 'f1', 'f2', '1', '10', '-1', '0', '', 'é', 'a b', 'A',
  Uint8Array.of(0xff), Uint8Array.of(0x61), Uint8Array.of(0x00, 0x01),
];

/** A field: mostly from the vocabulary, sometimes numbered (hashes grow), rarely long. */
const field = (g: Gen): Arg =>
  g.rng.weighted<() => Arg>([
    [70, () => g.pick(VOCABULARY)],
    [20, () => `f${g.int(0, 40)}`],
    [6, () => g.value()],
    [2, () => LONG64],
    [1, () => LONG65],
  ])();

/** A value: any string value (numbers, floats, text, binary), now and then at the listpack limit. */
const value = (g: Gen): Arg =>
  g.rng.weighted<() => Arg>([
    [80, () => g.value()],
    [8, () => String(g.int(-100, 100))],
    [2, () => LONG64],
    [1, () => LONG65],
  ])();

/** field value pairs for HSET/HMSET: a few, or now and then enough to pass 512 fields (hash-max-listpack-entries). */
const pairs = (g: Gen): Arg[] => {
  const x = g.rng.next();
  if (x < 0.02) {
    const base = g.int(0, 100);
    return Array.from({ length: g.int(150, 560) }, (_, i) => [`g${base + i}`, String(i)]).flat();
  }
  return Array.from({ length: x < 0.1 ? g.int(5, 20) : g.int(1, 4) }, () => [field(g), value(g)]).flat();
};

/** Fields HINCRBY and HINCRBYFLOAT mostly use, so counters live long enough to reach limits. */
const COUNTERS = ['n', 'i', 'j', 'a'];
const counter = (g: Gen): Arg => (g.chance(0.8) ? g.pick(COUNTERS) : field(g));

/** HRANDFIELD's count: small of either sign, 0, huge, the range edges, junk. */
const randCount = (g: Gen): string =>
  g.rng.weighted<() => string>([
    [55, () => String(g.int(-8, 8))],
    [10, () => '0'],
    [10, () => String(g.int(9, 300))],
    [6, () => String(-g.int(9, 300))],
    [10, () => g.pick(['9223372036854775807', '9223372036854775806', '-9223372036854775808', '-9223372036854775807',
      '4611686018427387903', '4611686018427387904', '-4611686018427387903', '-4611686018427387904', '9223372036854775808'])],
    [9, () => g.pick(['x', '', '1.5', ' 1', '01', '-0', '+1'])],
  ])();

const withvalues = (g: Gen): Arg => (g.chance(0.95) ? g.opt('WITHVALUES') : g.pick(['WITHVALUE', 'VALUES', '', 'withvalues\u0000']));

const hscanOptions = (g: Gen): Arg[] =>
  g.options([
    () => [g.opt('MATCH'), g.chance(0.6) ? g.pick(['f*', 'a*', '?', '*', 'g1*', '[abc]', 'f[0-9]', '*\u0000*']) : g.pick(PATTERNS)],
    () => [g.opt('COUNT'), g.chance(0.85) ? String(g.int(1, 30)) : g.pick(['0', '-1', 'x', '1000', '9223372036854775807'])],
  ], 0, 2);

function intOf(a: Arg | undefined): bigint | null {
  return typeof a === 'string' && /^-?[0-9]{1,25}$/.test(a) ? BigInt(a) : null;
}

const LONG_MAX = 9223372036854775807n;

/** The most picks a negative HRANDFIELD count may ask for here. */
const NEGATIVE_COUNT_LIMIT = 100_000n;

/**
 * A negative HRANDFIELD count Redis accepts makes it stream that many picks (it would run for
 * hours at -2^62, and Lodis refuses replies past 2^24 elements): the driver replaces it with 0.
 */
const hrandfieldAllocation = (argv: readonly Arg[]): number => {
  const n = intOf(argv[2]);
  if (n === null || n >= -NEGATIVE_COUNT_LIMIT || n < -LONG_MAX) return -1;
  if (argv.length === 3) return 2;
  const wv = argv[3];
  const isWithvalues = argv.length === 4 && typeof wv === 'string' && /^withvalues(\0.*)?$/is.test(wv);
  return isWithvalues && n >= -LONG_MAX / 2n ? 2 : -1;
};

// ---- random replies ----------------------------------------------------------------------------

/** field → value of a canonical hash value (type-values.ts: sorted [field, value] pairs), or empty. */
function hashOf(before: string | null): Map<string, string> {
  return new Map(before === null ? [] : (JSON.parse(before) as [string, string][]));
}

/** An argument's bytes, one char per byte. */
const latin1 = (a: Arg): string => Buffer.from(a).toString('latin1');

/**
 * HRANDFIELD: what a reply may be, given the hash before the command. Without a count: a field,
 * or null for a missing key. With one: min(count, size) distinct fields, or for a negative count
 * exactly -count fields, repeats allowed (none for a missing key); WITHVALUES pairs each field
 * with its value.
 */
function checkRandomFields(argv: readonly Arg[], before: string | null, raw: string): string | null {
  const hash = hashOf(before);
  if (argv.length === 2) {
    if (raw === '$-1\r\n') return hash.size === 0 ? null : 'null reply from a non-empty hash';
    const f = bulkPayload(raw);
    if (f === null || raw[0] !== '$') return 'not a bulk reply';
    return hash.has(f) ? null : `${JSON.stringify(f)} is not a field`;
  }
  const count = BigInt(latin1(argv[2]!));
  const withvalues = argv.length === 4;
  const got = bulkStrings(raw);
  if (got === null) return 'not an array of bulk strings';
  const repeats = count < 0n;
  const want = hash.size === 0 ? 0n : repeats ? -count : count < BigInt(hash.size) ? count : BigInt(hash.size);
  const step = withvalues ? 2 : 1;
  if (BigInt(got.length) !== want * BigInt(step)) return `${got.length} elements, expected ${want * BigInt(step)}`;
  const fields: string[] = [];
  for (let i = 0; i < got.length; i += step) {
    const f = got[i]!;
    if (!hash.has(f)) return `${JSON.stringify(f)} is not a field`;
    if (withvalues && hash.get(f) !== got[i + 1]) return `${JSON.stringify(f)} paired with ${JSON.stringify(got[i + 1])}, not its value`;
    fields.push(f);
  }
  if (!repeats && new Set(fields).size !== fields.length) return 'a field given twice';
  return null;
}

export const RANDOM_FIELDS: RandomReply = { check: checkRandomFields };

// ---- the commands ------------------------------------------------------------------------------

export const HASH_COMMANDS: readonly CommandSpec[] = [
  { name: 'HSET', family: 'hashes', weight: 7, args: (g) => [g.key(hash), ...pairs(g)] },
  { name: 'HMSET', family: 'hashes', weight: 1.5, args: (g) => [g.key(hash), ...pairs(g)] },
  { name: 'HSETNX', family: 'hashes', weight: 2, args: (g) => [g.key(hash), field(g), value(g)] },
  { name: 'HGET', family: 'hashes', weight: 4, args: (g) => [g.key(hash), field(g)] },
  { name: 'HMGET', family: 'hashes', weight: 2, args: (g) => [g.key(hash), ...Array.from({ length: g.int(1, 5) }, () => field(g))] },
  { name: 'HDEL', family: 'hashes', weight: 3, args: (g) => [g.key(hash), ...Array.from({ length: g.int(1, 4) }, () => field(g))] },
  { name: 'HLEN', family: 'hashes', weight: 2, args: (g) => [g.key(hash)] },
  { name: 'HSTRLEN', family: 'hashes', weight: 2, args: (g) => [g.key(hash), field(g)] },
  { name: 'HEXISTS', family: 'hashes', weight: 2, args: (g) => [g.key(hash), field(g)] },
  { name: 'HGETALL', family: 'hashes', weight: 2.5, args: (g) => [g.key(hash)] },
  { name: 'HKEYS', family: 'hashes', weight: 1.5, args: (g) => [g.key(hash)] },
  { name: 'HVALS', family: 'hashes', weight: 1.5, args: (g) => [g.key(hash)] },
  {
    name: 'HINCRBY', family: 'hashes', weight: 3.5,
    args: (g) => [g.key(hash), counter(g), g.chance(0.9) ? g.increment() : g.pick(INT64_EDGES)],
  },
  {
    name: 'HINCRBYFLOAT', family: 'hashes', weight: 3.5,
    args: (g) => [g.key(hash), counter(g), g.chance(0.9) ? g.float() : g.pick(FLOATS)],
  },
  {
    name: 'HRANDFIELD', family: 'hashes', weight: 3, random: RANDOM_FIELDS, largeAllocation: hrandfieldAllocation,
    args: (g) => {
      const a: Arg[] = [g.key(hash)];
      if (g.chance(0.8)) {
        a.push(randCount(g));
        if (g.chance(0.4)) a.push(withvalues(g));
      }
      return a;
    },
  },
  {
    // Single calls: with a cursor from nowhere, a listpack is returned whole; a hash table by shape.
    name: 'HSCAN', family: 'hashes', weight: 1,
    args: (g) => [g.key(hash), g.chance(0.8) ? '0' : g.pick(['1', '7', 'x', '-1', '', '18446744073709551616']), ...hscanOptions(g)],
  },
  // A full iteration from cursor 0 (the driver adds the cursor after the key).
  { name: 'HSCAN', family: 'hashes', weight: 1, kind: 'scan', args: (g) => [g.key(hash), ...hscanOptions(g)] },

  // Generic commands on hash keys (COPY duplicates a hash; MOVE and RENAME carry it).
  { name: 'COPY', family: 'hashes', weight: 0.6, args: (g) => [g.key(hash), g.key(hash), ...(g.chance(0.3) ? [g.opt('DB'), g.db()] : []), ...(g.chance(0.5) ? [g.opt('REPLACE')] : [])] },
  { name: 'RENAME', family: 'hashes', weight: 0.4, args: (g) => [g.key(hash), g.key(hash)] },
  { name: 'MOVE', family: 'hashes', weight: 0.3, args: (g) => [g.key(hash), g.db()] },
  { name: 'DEL', family: 'hashes', weight: 0.6, args: (g) => g.keys(hash, 1, 2) },
  { name: 'TYPE', family: 'hashes', weight: 0.3, args: (g) => [g.key(hash)] },
  { name: 'EXPIRE', family: 'hashes', weight: 0.2, args: (g) => [g.key(hash), g.ttlSeconds()] },
];
