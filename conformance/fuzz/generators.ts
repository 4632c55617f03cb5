/**
 * What the differential run sends: one entry per command, saying how to build its arguments.
 * Entries are data; the driver (differential.ts) picks them by weight, names them in random case,
 * sometimes mutates their arguments (wrong arity, junk in place of a number …) and compares the
 * replies. `kind` marks the few commands whose replies cannot be compared one call at a time:
 * SCAN (a full iteration is compared), RANDOMKEY (the key must exist on both sides), the
 * commands of subscriber sessions (their whole output stream is compared), and blocking commands
 * (run inside MULTI on Redis, so they never wait; see runBlocking), and transactions (one entry is
 * a script over two sessions: gen-txn.ts).
 */
import { CONFIG_COMMANDS } from './gen-config.js';
import { HASH_COMMANDS } from './gen-hashes.js';
import { LIST_COMMANDS } from './gen-lists.js';
import { NOTIFY_COMMANDS } from './gen-notify.js';
import { OBJECT_COMMANDS } from './gen-object.js';
import { SET_COMMANDS } from './gen-sets.js';
import { SORT_COMMANDS } from './gen-sort.js';
import { STREAM_COMMANDS } from './gen-streams.js';
import { TXN_COMMANDS } from './gen-txn.js';
import { ZSET_COMMANDS } from './gen-zsets.js';
import type { RedisObject } from '../../packages/core/src/object.js';
import type { Policy } from './compare.js';
import { CHANNEL_PATTERNS, CHANNELS, Gen, KEY_POOLS, UNKNOWN_COMMANDS, type Arg } from './values.js';

export const FAMILIES = ['strings', 'bitmaps', 'hll', 'lists', 'hashes', 'sets', 'zsets', 'sort', 'streams', 'keys', 'server', 'pubsub', 'transactions', 'misc'] as const;
export type Family = (typeof FAMILIES)[number];

export type Kind = 'cmd' | 'scan' | 'randomkey' | 'subscriber' | 'blocking' | 'transaction';

export interface CommandSpec {
  /** The command as Redis spells it; for `misc` a label. */
  readonly name: string;
  readonly family: Family;
  readonly weight: number;
  readonly kind?: Kind;
  /** The whole argv (name first) is built by `argv` when given, else `[name, ...args(g)]`. */
  readonly args?: (g: Gen) => Arg[];
  readonly argv?: (g: Gen) => Arg[];
  /** Keys (argv indexes) whose values are multiplied together by the command (LCS): the driver keeps them small. */
  readonly quadraticKeys?: readonly number[];
  /**
   * The index of an argument that would make the command allocate a large value that Redis
   * accepts (e.g. SETBIT k 4294967295 1: 512 MB), or -1. The driver replaces it with 0, so
   * mutations and edge values never make either side allocate hundreds of megabytes.
   */
  readonly largeAllocation?: (argv: readonly Arg[]) => number;
  /**
   * A command to run right after this one on both sides, or null. SET … EXAT/PXAT with a past
   * time stores a key that is already expired; it then lingers until lazy or active expiry
   * removes it, and DBSIZE counts it until then: that timing differs between two servers, so
   * the driver touches the key at once (EXISTS deletes it lazily on both sides).
   */
  readonly settle?: (argv: readonly Arg[]) => Arg[] | null;
  /**
   * The reply is drawn at random (SPOP, SRANDMEMBER): instead of comparing the two replies, the
   * driver checks each against the key's value before the command (differential.ts runRandom).
   */
  readonly random?: RandomReply;
  /**
   * For a reply or an effect that is not fully determined by the command (SORT of a set's tied
   * elements comes in hash order): decided from the keys' values just before the command (Lodis'
   * values, which are Redis' while the run agrees; `value` reads them), how to compare the reply,
   * a command to run on both sides before it, and one to run after it (as `settle`) so both sides
   * hold the same data again. Null: compare as usual.
   */
  readonly plan?: (argv: readonly Arg[], value: (key: Arg) => RedisObject | undefined) => CommandPlan | null;
}

/** What CommandSpec.plan decides. */
export interface CommandPlan {
  readonly policy?: Policy;
  readonly before?: Arg[];
  readonly settle?: Arg[];
}

/** How a random reply is judged (CommandSpec.random). */
export interface RandomReply {
  /**
   * Null when `raw` (a RESP2 reply that is not an error) is one `argv` could give on a key that
   * held `before` (its canonical form, type-values.ts; null for no key), else why not.
   */
  check(argv: readonly Arg[], before: string | null, raw: string): string | null;
  /**
   * When the command also changed the value at random (SPOP), commands that make Lodis' value
   * what Redis' became, given both replies.
   */
  reconcile?(argv: readonly Arg[], redis: string, lodis: string): Arg[][];
}

const settleAbsoluteExpiry = (argv: readonly Arg[]): Arg[] | null =>
  argv.length > 1 && argv.some((a) => typeof a === 'string' && /^p?xat$/i.test(a.slice(1)) && /^[ep]/i.test(a)) ? ['EXISTS', argv[1]!] : null;

/** Values up to this size are fine to create; offsets beyond it (and below Redis' own limits) are not. */
export const ALLOCATION_LIMIT = 1 << 20;
const PROTO_MAX_BULK_LEN = 512n * 1024n * 1024n;

function intOf(a: Arg | undefined): bigint | null {
  return typeof a === 'string' && /^-?[0-9]{1,25}$/.test(a) ? BigInt(a) : null;
}
const byteLength = (a: Arg): number => (typeof a === 'string' ? Buffer.byteLength(a) : a.length);

/** A size Redis accepts (SETRANGE: up to 512 MB) that is more than ALLOCATION_LIMIT bytes. */
function largeByteOffset(bytes: bigint): boolean {
  return bytes > BigInt(ALLOCATION_LIMIT) && bytes <= PROTO_MAX_BULK_LEN;
}
/** A bit offset Redis accepts (SETBIT, BITFIELD: its byte must lie below 512 MB) beyond ALLOCATION_LIMIT bytes. */
function largeBitOffset(bits: bigint): boolean {
  return bits / 8n > BigInt(ALLOCATION_LIMIT) && bits / 8n < PROTO_MAX_BULK_LEN;
}
const setbitAllocation = (argv: readonly Arg[]): number => {
  const off = intOf(argv[2]);
  return off !== null && largeBitOffset(off) ? 2 : -1;
};
const setrangeAllocation = (argv: readonly Arg[]): number => {
  const off = intOf(argv[2]);
  return off !== null && argv[3] !== undefined && byteLength(argv[3]) > 0 && largeByteOffset(off + BigInt(byteLength(argv[3]))) ? 2 : -1;
};
/**
 * Any integer or `#n` among BITFIELD's arguments that could be a large write offset. `#n` counts
 * in fields of the preceding type's width (64 bits when that is not a type).
 */
const bitfieldAllocation = (argv: readonly Arg[]): number => {
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    const hash = typeof a === 'string' && a.startsWith('#');
    const n = intOf(hash ? a.slice(1) : a);
    if (n === null) continue;
    const width = hash && typeof argv[i - 1] === 'string' ? /^[iu]([0-9]{1,2})$/.exec(argv[i - 1] as string)?.[1] : undefined;
    if (largeBitOffset(hash ? n * BigInt(width ?? 64) : n)) return i;
  }
  return -1;
};

const { str, num, bit, hll } = KEY_POOLS;
const strOrNum = [...str, ...num];
/** INCRBYFLOAT leaves non-integers behind: give it keys of its own, shared with one integer counter. */
const floats = ['f0', 'f1', 'f2', 'n0'];

/** A key and a value for it: counters (n*) mostly get numbers, so INCR & co. mostly succeed. */
const keyValue = (g: Gen): Arg[] => {
  const key = g.key(strOrNum);
  const counter = typeof key === 'string' && key[0] === 'n';
  return [key, counter && g.chance(0.8) ? (g.chance(0.9) ? String(g.int(-1000, 1000)) : g.float()) : g.value()];
};

// SET/GETEX expiry options.
const expiryOpts = (g: Gen): (() => Arg[])[] => [
  () => [g.opt('EX'), g.ttlSeconds()],
  () => [g.opt('PX'), g.ttlMillis()],
  () => [g.opt('EXAT'), g.unixSeconds()],
  () => [g.opt('PXAT'), g.unixMillis()],
];

const bitfieldType = (g: Gen): string => {
  if (g.chance(0.04)) return g.pick(['u64', 'i65', 'i0', 'u0', 'x8', 'i', '8', 'i-1', 'u 8', '']);
  const signed = g.chance(0.5);
  const bits = g.chance(0.7) ? g.pick([1, 2, 3, 4, 5, 7, 8, 8, 16, 16, 31, 32, 63, 64]) : g.int(1, 64);
  // Redis reads the sign letter case-sensitively: 'I8' is an invalid type.
  const sign = g.chance(0.98) ? (signed ? 'i' : 'u') : signed ? 'I' : 'U';
  return `${sign}${signed ? bits : Math.min(bits, 63)}`;
};
const bitfieldOffset = (g: Gen, write: boolean): string => {
  if (g.chance(0.2)) return `#${g.chance(0.95) ? g.int(0, 40) : g.pick(['-1', 'x', '536870912', '9223372036854775807'])}`;
  if (g.chance(0.95)) return String(g.int(0, g.chance(0.7) ? 200 : 4800));
  return write ? g.bitOffset() : g.readBitOffset();
};
const bitfieldValue = (g: Gen): string => (g.chance(0.8) ? String(g.int(-300, 300)) : g.integer());
const bitfieldGet = (g: Gen): Arg[] => [g.opt('GET'), bitfieldType(g), bitfieldOffset(g, false)];
const bitfieldWrite = (g: Gen): Arg[] =>
  g.chance(0.5)
    ? [g.opt('SET'), bitfieldType(g), bitfieldOffset(g, true), bitfieldValue(g)]
    : [g.opt('INCRBY'), bitfieldType(g), bitfieldOffset(g, true), bitfieldValue(g)];
const bitfieldOverflow = (g: Gen): Arg[] => [g.opt('OVERFLOW'), g.chance(0.95) ? g.opt(g.pick(['WRAP', 'SAT', 'FAIL'])) : g.pick(['NONE', ''])];

const expireFlag = (g: Gen): Arg => g.opt(g.pick(['NX', 'XX', 'GT', 'LT']));
const expireOpts = (g: Gen): Arg[] =>
  g.rng.weighted<() => Arg[]>([
    [60, () => []],
    [30, () => [expireFlag(g)]],
    [5, () => [expireFlag(g), expireFlag(g)]],
    [5, () => [g.chance(0.5) ? expireFlag(g) : g.junk(), g.junk()].slice(g.int(0, 1))],
  ])();
const rangeUnit = (g: Gen): Arg[] => (g.chance(0.5) ? [] : [g.chance(0.93) ? g.opt(g.pick(['BYTE', 'BIT'])) : g.pick(['BITS', 'WORD', ''])]);

export const COMMANDS: readonly CommandSpec[] = [
  // ---- strings ---------------------------------------------------------------------------
  { name: 'APPEND', family: 'strings', weight: 3, args: (g) => [g.key(strOrNum), g.value()] },
  { name: 'DECR', family: 'strings', weight: 2, args: (g) => [g.key(num)] },
  { name: 'DECRBY', family: 'strings', weight: 2, args: (g) => [g.key(num), g.increment()] },
  { name: 'INCR', family: 'strings', weight: 3, args: (g) => [g.key(num)] },
  { name: 'INCRBY', family: 'strings', weight: 3, args: (g) => [g.key(num), g.increment()] },
  { name: 'INCRBYFLOAT', family: 'strings', weight: 4, args: (g) => [g.key(floats), g.float()] },
  { name: 'GET', family: 'strings', weight: 4, args: (g) => [g.key(strOrNum)] },
  { name: 'GETDEL', family: 'strings', weight: 1, args: (g) => [g.key(strOrNum)] },
  {
    name: 'GETEX', family: 'strings', weight: 2,
    args: (g) => [g.key(strOrNum), ...g.options([...expiryOpts(g), () => [g.opt('PERSIST')]], 0, g.chance(0.85) ? 1 : 2)],
  },
  { name: 'GETRANGE', family: 'strings', weight: 2, args: (g) => [g.key(strOrNum), g.index(), g.index()] },
  { name: 'SUBSTR', family: 'strings', weight: 1, args: (g) => [g.key(strOrNum), g.index(), g.index()] },
  { name: 'GETSET', family: 'strings', weight: 2, args: (g) => keyValue(g) },
  {
    name: 'LCS', family: 'strings', weight: 2, quadraticKeys: [1, 2],
    args: (g) => [
      g.key(str), g.key(str),
      ...g.options([
        () => [g.opt('LEN')], () => [g.opt('IDX')], () => [g.opt('IDX')], () => [g.opt('WITHMATCHLEN')],
        () => [g.opt('MINMATCHLEN'), g.chance(0.8) ? String(g.int(0, 4)) : g.integer()],
      ], 0, 3),
    ],
  },
  { name: 'MGET', family: 'strings', weight: 2, args: (g) => g.keys(strOrNum, 1, 5) },
  { name: 'MSET', family: 'strings', weight: 2, args: (g) => Array.from({ length: g.int(1, 4) }, () => keyValue(g)).flat() },
  { name: 'MSETNX', family: 'strings', weight: 1, args: (g) => Array.from({ length: g.int(1, 4) }, () => keyValue(g)).flat() },
  { name: 'PSETEX', family: 'strings', weight: 1, args: (g) => [g.key(strOrNum), g.ttlMillis(), g.value()] },
  { name: 'SETEX', family: 'strings', weight: 1, args: (g) => [g.key(strOrNum), g.ttlSeconds(), g.value()] },
  { name: 'SETNX', family: 'strings', weight: 1, args: (g) => keyValue(g) },
  {
    name: 'SET', family: 'strings', weight: 8, settle: settleAbsoluteExpiry,
    args: (g) => [
      ...keyValue(g),
      ...g.options([
        ...expiryOpts(g), () => [g.opt('KEEPTTL')], () => [g.opt('NX')], () => [g.opt('XX')], () => [g.opt('GET')], () => [g.opt('GET')],
      ], 0, g.chance(0.9) ? 2 : 4),
    ],
  },
  { name: 'SETRANGE', family: 'strings', weight: 3, largeAllocation: setrangeAllocation, args: (g) => [g.key(strOrNum), g.byteOffset(), g.value()] },
  { name: 'STRLEN', family: 'strings', weight: 2, args: (g) => [g.key(strOrNum)] },

  // ---- bitmaps ---------------------------------------------------------------------------
  {
    name: 'BITCOUNT', family: 'bitmaps', weight: 3,
    args: (g) => [g.key(bit), ...(g.chance(0.3) ? [] : g.chance(0.1) ? [g.index()] : [g.index(), g.index(), ...rangeUnit(g)])],
  },
  {
    name: 'BITFIELD', family: 'bitmaps', weight: 4, largeAllocation: bitfieldAllocation,
    args: (g) => [g.key(bit), ...g.options([() => bitfieldGet(g), () => bitfieldWrite(g), () => bitfieldWrite(g), () => bitfieldOverflow(g)], 0, 4)],
  },
  {
    name: 'BITFIELD_RO', family: 'bitmaps', weight: 2,
    args: (g) => [g.key(bit), ...g.options([() => bitfieldGet(g), () => bitfieldGet(g), () => bitfieldGet(g), () => bitfieldWrite(g), () => bitfieldOverflow(g)], 0, 3)],
  },
  {
    name: 'BITOP', family: 'bitmaps', weight: 3,
    args: (g) => [
      g.chance(0.95) ? g.opt(g.pick(['AND', 'OR', 'XOR', 'NOT'])) : g.pick(['NAND', 'ADD', '']),
      g.key(bit),
      ...g.keys(bit, 1, g.chance(0.5) ? 1 : 4),
    ],
  },
  {
    name: 'BITPOS', family: 'bitmaps', weight: 3,
    args: (g) => {
      const a: Arg[] = [g.key(bit), g.chance(0.93) ? g.pick(['0', '1']) : g.pick(['2', '-1', 'x', ''])];
      if (g.chance(0.6)) {
        a.push(g.index());
        if (g.chance(0.6)) a.push(g.index(), ...rangeUnit(g));
      }
      return a;
    },
  },
  { name: 'GETBIT', family: 'bitmaps', weight: 3, args: (g) => [g.key(bit), g.readBitOffset()] },
  {
    name: 'SETBIT', family: 'bitmaps', weight: 5, largeAllocation: setbitAllocation,
    args: (g) => [g.key(bit), g.bitOffset(), g.chance(0.93) ? g.pick(['0', '1', '1']) : g.pick(['2', '-1', 'x', '', '01'])],
  },

  // ---- HyperLogLog -----------------------------------------------------------------------
  { name: 'PFADD', family: 'hll', weight: 6, args: (g) => [g.key(hll), ...g.elements()] },
  { name: 'PFCOUNT', family: 'hll', weight: 4, args: (g) => g.keys(hll, 1, g.chance(0.7) ? 1 : 3) },
  { name: 'PFMERGE', family: 'hll', weight: 2, args: (g) => [g.key(hll), ...g.keys(hll, 0, 3)] },

  // ---- keys ------------------------------------------------------------------------------
  {
    name: 'COPY', family: 'keys', weight: 2,
    args: (g) => [g.key(), g.key(), ...g.options([() => [g.opt('DB'), g.db()], () => [g.opt('REPLACE')]], 0, 2)],
  },
  { name: 'DEL', family: 'keys', weight: 3, args: (g) => g.keys(g.pool(), 1, 3) },
  { name: 'UNLINK', family: 'keys', weight: 1, args: (g) => g.keys(g.pool(), 1, 3) },
  { name: 'EXISTS', family: 'keys', weight: 2, args: (g) => g.keys(strOrNum, 1, 4) },
  { name: 'TOUCH', family: 'keys', weight: 1, args: (g) => g.keys(strOrNum, 1, 3) },
  { name: 'EXPIRE', family: 'keys', weight: 3, args: (g) => [g.key(strOrNum), g.ttlSeconds(), ...expireOpts(g)] },
  { name: 'PEXPIRE', family: 'keys', weight: 2, args: (g) => [g.key(strOrNum), g.ttlMillis(), ...expireOpts(g)] },
  { name: 'EXPIREAT', family: 'keys', weight: 2, args: (g) => [g.key(strOrNum), g.unixSeconds(), ...expireOpts(g)] },
  { name: 'PEXPIREAT', family: 'keys', weight: 2, args: (g) => [g.key(strOrNum), g.unixMillis(), ...expireOpts(g)] },
  { name: 'EXPIRETIME', family: 'keys', weight: 1, args: (g) => [g.key(strOrNum)] },
  { name: 'PEXPIRETIME', family: 'keys', weight: 1, args: (g) => [g.key(strOrNum)] },
  { name: 'TTL', family: 'keys', weight: 2, args: (g) => [g.key(strOrNum)] },
  { name: 'PTTL', family: 'keys', weight: 2, args: (g) => [g.key(strOrNum)] },
  { name: 'PERSIST', family: 'keys', weight: 1, args: (g) => [g.key(strOrNum)] },
  { name: 'KEYS', family: 'keys', weight: 1, args: (g) => [g.pattern()] },
  { name: 'RANDOMKEY', family: 'keys', weight: 0.5, kind: 'randomkey', args: () => [] },
  { name: 'RENAME', family: 'keys', weight: 2, args: (g) => [g.key(), g.key()] },
  { name: 'RENAMENX', family: 'keys', weight: 1, args: (g) => [g.key(), g.key()] },
  {
    // A full iteration from cursor 0 with these options.
    name: 'SCAN', family: 'keys', weight: 0.7, kind: 'scan',
    args: (g) => g.options([
      () => [g.opt('MATCH'), g.pattern()],
      () => [g.opt('COUNT'), g.chance(0.85) ? String(g.int(1, 30)) : g.pick(['0', '-1', 'x', '1000', '9223372036854775807'])],
      () => [g.opt('TYPE'), g.chance(0.85) ? g.pick(['string', 'STRING', 'hash', 'none']) : g.pick(['bogus', ''])],
    ], 0, 3),
  },
  {
    // Single SCAN calls with cursors Redis must refuse (or accept: then only the shape is compared).
    name: 'SCAN', family: 'keys', weight: 0.2,
    args: (g) => [g.pick(['abc', '-1', '18446744073709551616', '', '1.5', ' 0', '18446744073709551615', '00', '+0'])],
  },
  { name: 'TYPE', family: 'keys', weight: 2, args: (g) => [g.key()] },

  // ---- server / connection ---------------------------------------------------------------
  {
    name: 'DBSIZE',
    family: 'server',
    weight: 1,
    args: () => [],
    // DBSIZE counts keys whose time has passed until expiry removes them, which two servers do at
    // different moments: a full SCAN first (it deletes the expired keys it meets, on both sides).
    plan: () => ({ before: ['SCAN', '0', 'COUNT', '1000000'] }),
  },
  { name: 'FLUSHDB', family: 'server', weight: 0.15, args: (g) => (g.chance(0.6) ? [] : [g.chance(0.9) ? g.opt(g.pick(['ASYNC', 'SYNC'])) : 'LAZY']) },
  { name: 'FLUSHALL', family: 'server', weight: 0.03, args: (g) => (g.chance(0.6) ? [] : [g.chance(0.9) ? g.opt(g.pick(['ASYNC', 'SYNC'])) : 'LAZY']) },
  { name: 'SELECT', family: 'server', weight: 1.5, args: (g) => [g.db()] },
  { name: 'SWAPDB', family: 'server', weight: 0.4, args: (g) => [g.db(), g.db()] },
  { name: 'MOVE', family: 'server', weight: 1.5, args: (g) => [g.key(), g.db()] },
  { name: 'PING', family: 'server', weight: 0.5, args: (g) => (g.chance(0.5) ? [] : [g.value()]) },
  { name: 'ECHO', family: 'server', weight: 0.5, args: (g) => [g.value()] },
  { name: 'TIME', family: 'server', weight: 0.2, args: () => [] },

  // ---- pub/sub ---------------------------------------------------------------------------
  { name: 'PUBLISH', family: 'pubsub', weight: 2, args: (g) => [g.pick(CHANNELS), g.value()] },
  {
    name: 'PUBSUB', family: 'pubsub', weight: 1.5,
    args: (g) =>
      g.rng.weighted<() => Arg[]>([
        [4, () => [g.opt('CHANNELS'), ...(g.chance(0.5) ? [] : [g.chance(0.5) ? g.pick(CHANNEL_PATTERNS) : g.pattern()])]],
        [4, () => [g.opt('NUMSUB'), ...Array.from({ length: g.int(0, 4) }, () => g.pick(CHANNELS))]],
        [3, () => [g.opt('NUMPAT')]],
        [1, () => [g.pick(['NOPE', 'NUMSUBX', ''])]],
        [0.5, () => []],
      ])(),
  },
  {
    // Commands of the subscriber sessions (the driver picks the session).
    name: 'SUBSCRIBER', family: 'pubsub', weight: 1.2, kind: 'subscriber',
    argv: (g) =>
      g.rng.weighted<() => Arg[]>([
        [4, () => [g.opt('SUBSCRIBE'), ...Array.from({ length: g.int(1, 3) }, () => g.pick(CHANNELS))]],
        [3, () => [g.opt('UNSUBSCRIBE'), ...Array.from({ length: g.int(0, 2) }, () => g.pick(CHANNELS))]],
        [3, () => [g.opt('PSUBSCRIBE'), ...Array.from({ length: g.int(1, 2) }, () => g.pick(CHANNEL_PATTERNS))]],
        [2, () => [g.opt('PUNSUBSCRIBE'), ...Array.from({ length: g.int(0, 2) }, () => g.pick(CHANNEL_PATTERNS))]],
        [1, () => [g.opt('PING'), ...(g.chance(0.5) ? [] : [g.value()])]],
        [0.7, () => [g.opt('GET'), g.key()]], // refused in subscribed mode (RESP2)
        [0.3, () => [g.opt('PUBSUB'), g.opt('NUMPAT')]],
      ])(),
  },

  // ---- unknown commands ------------------------------------------------------------------
  {
    name: '(unknown)', family: 'misc', weight: 0.5,
    argv: (g) => [g.pick(UNKNOWN_COMMANDS), ...Array.from({ length: g.int(0, 4) }, () => (g.chance(0.2) ? 'y'.repeat(g.int(50, 150)) : g.value()))],
  },
  ...LIST_COMMANDS,
  ...HASH_COMMANDS,
  ...SET_COMMANDS,
  ...ZSET_COMMANDS,
  ...SORT_COMMANDS,
  ...STREAM_COMMANDS,
  ...CONFIG_COMMANDS,
  ...NOTIFY_COMMANDS,
  ...TXN_COMMANDS,
  ...OBJECT_COMMANDS,
];
