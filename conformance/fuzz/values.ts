/**
 * The differential run's vocabulary: key pools, edge values and the argument makers the command
 * generators (generators.ts) draw from. Everything is drawn from the seeded Rng, so a seed always
 * gives the same command stream.
 */
import type { Rng } from './rng.js';

export type Arg = string | Uint8Array;

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

/** Keys are few, so commands collide, overwrite each other and hit wrong types. */
export const KEY_POOLS = {
  str: ['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7'],
  num: ['n0', 'n1', 'n2', 'n3'],
  bit: ['b0', 'b1', 'b2', 'b3'],
  hll: ['h0', 'h1', 'h2', 'h3'],
  list: ['list0', 'list1', 'list2', 'list3'],
  hash: ['hash0', 'hash1', 'hash2', 'hash3'],
  set: ['set0', 'set1', 'set2', 'set3'],
  zset: ['zset0', 'zset1', 'zset2', 'zset3'],
  stream: ['s0', 's1', 's2', 's3'],
  sort: ['w_a', 'w_b', 'w_c', 'w_x', 'w_1', 'w_2', 'w_10', 'w_-1', 'w_0', 'w_', 'wh_a', 'wh_b', 'wh_1', 'wh_2', 'wh_10', 'sorted0', 'sorted1'],
  special: ['', 'ké', '__proto__', 'constructor', 'a b', 'k\u0000z', '*', '日本', 'K0'] as Arg[],
} as const;
const BINARY_KEYS: Arg[] = [bytes(0xff, 0xfe, 0x00), bytes(0xc3)];
const ALL_KEYS: Arg[] = [...KEY_POOLS.str, ...KEY_POOLS.num, 'f0', 'f1', 'f2', ...KEY_POOLS.bit, ...KEY_POOLS.hll, ...KEY_POOLS.special, ...BINARY_KEYS];

/** The databases the stream touches (SELECT, MOVE, COPY … DB, SWAPDB); the rest stay empty. */
export const DBS = ['0', '1', '2', '15'];
const BAD_DBS = ['16', '-1', 'x', '', '99999999999', '9223372036854775808', '1.0', ' 1'];

export const INT64_EDGES = [
  '9223372036854775807', '-9223372036854775808', '9223372036854775808', '-9223372036854775809',
  '9223372036854775806', '-9223372036854775807',
  '9007199254740991', '9007199254740992', '9007199254740993', '-9007199254740991', '-9007199254740993',
  '18446744073709551615', '18446744073709551616', '4294967295', '4294967296', '2147483647', '-2147483648',
  '99999999999999999999999', '0', '-0', '00', '01', '+1', '-01',
];
const NOT_INTEGERS = ['', ' 1', '1 ', '1.0', '1e3', '0x10', 'abc', '1a', '--1', '+', '-', '١', ' ', '\u00001', 'inf', 'nan'];
export const FLOATS = [
  '0', '0.1', '-0.1', '1.5', '-2.25', '10.5', '3.0e3', '1e-5', '1E+2', '-1.5e-10', '5.0e+2', '3.14159',
  '0.30000000000000004', '123456789.123456789', '1e17', '1e16', '9007199254740993', '-0.0', '.5', '5.',
  '+.5', '-.5e1', '1e308', '-1e308', '1.7976931348623157e308', '1e309', '-1e309', '4.9e-324', '2.5e-324', '5e-325',
  '1e-320', 'inf', '-inf', '+inf', 'Inf', 'INF', 'infinity', '-Infinity', 'nan', 'NaN', '-nan', '0x1p3', '0x10',
  '1_000', '1,5', '1e', 'e5', '', ' 1.5', '1.5 ', 'abc', '1.5\u0000', '00.5', '17', '-17',
  '9223372036854775807', '-9223372036854775808', '1e19', '0.000001', '100.000000000000001',
];
const WORDS = ['', 'v', 'hello', 'foo bar', 'HELLO', 'x', 'abc', 'abcabc', 'ohmytext', 'mynewtext', 'aaaa', 'bbbb', ' ', '\r\n', '"', '\\'];
const UNICODE = ['héllo', 'é', '日本語', '😀', 'a😀b', 'Ω≈ç√', '\u00ad', '\ufeffbom', 'ß', 'İ', '\u0000', 'a\u0000b', '\u0000\u0000'];
const BINARY: Arg[] = [
  bytes(0xff), bytes(0xc3), bytes(0xed, 0xa0, 0x80), bytes(0x00, 0xff, 0x7f, 0x80), bytes(0xf0, 0x9f, 0x98),
  bytes(0xc0, 0x80), bytes(0xfe, 0xff, 0x00, 0x41), bytes(0x80, 0x80, 0x80),
];
export const PATTERNS: Arg[] = [
  bytes(0xff, 0x2a), bytes(0x5b, 0xc3, 0xff, 0x5d, 0x2a), bytes(0x2a, 0x00, 0x2a), // "\xff*", "[\xc3\xff]*", "*\x00*"

  '*', '*', 'k*', '*0', 'k?', '[kn]*', '[^k]*', '[a-z]?', 'h[0-3]', '\\*', '*\\', '[', '[]', '[^]', '[a-', 'a*a*a*a*a*a*a*b',
  '**', '?', '', '*é*', '\u0000*', '[\\]]*', 'K*', '[k-n]?', '[n-k]?', '?[0-9]', '*[', 'k[!0]', '日*', '*__*', '[^a-z]*',
];
export const CHANNELS: Arg[] = ['ch0', 'ch1', 'ch2', 'news.a', 'news.b', 'ché', '', 'a b', bytes(0xff, 0x01)];
export const CHANNEL_PATTERNS: Arg[] = ['ch*', 'news.*', '*', 'ch?', '[cn]*', 'news.[ab]', '\\*', '', 'ch[0-1]', '[^n]*'];
export const UNKNOWN_COMMANDS: Arg[] = ['FOO', 'GETT', 'SETT', 'NOTACOMMAND', 'get2', '', ' ', 'GET ', 'é', bytes(0xff), 'x'.repeat(200), 'a\r\nb', 'PFSELFTESTX'];

export class Gen {
  constructor(
    readonly rng: Rng,
    /** Unix time (s) at the start of the run: absolute expiry times are drawn around it. */
    readonly t0: number,
  ) {}

  int(lo: number, hi: number): number {
    return this.rng.int(lo, hi);
  }
  chance(p: number): boolean {
    return this.rng.chance(p);
  }
  pick<T>(items: readonly T[]): T {
    return this.rng.pick(items);
  }

  /** A key: mostly from the command's own pool, sometimes any key (so families collide). */
  key(pool: readonly Arg[] = KEY_POOLS.str): Arg {
    const x = this.rng.next();
    if (x < 0.72) return this.pick(pool);
    if (x < 0.94) return this.pick(ALL_KEYS);
    return this.pick(x < 0.97 ? KEY_POOLS.special : BINARY_KEYS);
  }
  keys(pool: readonly Arg[], min: number, max: number): Arg[] {
    const n = this.int(min, max);
    return Array.from({ length: n }, () => this.key(pool));
  }

  private ascii(min: number, max: number): string {
    const n = this.int(min, max);
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.chance(0.8) ? this.int(0x61, 0x66) : this.int(0x20, 0x7e));
    return s;
  }
  private randomBytes(min: number, max: number): Uint8Array {
    const n = this.int(min, max);
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
    return b;
  }

  /** Something HyperLogLog-shaped: Redis' "HYLL" header with a valid or broken body. */
  hllLike(): Arg {
    const hdr = [0x48, 0x59, 0x4c, 0x4c, this.pick([0, 1, 1, 2, 0x41]), 0, 0, 0];
    const card = this.chance(0.5) ? [0, 0, 0, 0, 0, 0, 0, 0x80] : Array.from({ length: 8 }, () => this.int(0, 255) & 0x7f);
    const body = this.chance(0.3) ? [0x7f, 0xff] : Array.from(this.randomBytes(0, 12));
    return bytes(...hdr.slice(0, this.chance(0.1) ? this.int(0, 7) : 8), ...card, ...body);
  }

  /** A string value: numbers and non-numbers, text, unicode, binary. */
  value(): Arg {
    return this.rng.weighted<() => Arg>([
      [15, () => String(this.int(-100, 100))],
      [8, () => this.pick(INT64_EDGES)],
      [8, () => this.pick(FLOATS)],
      [20, () => this.ascii(0, 12)],
      [10, () => this.pick(WORDS)],
      [6, () => this.pick(UNICODE)],
      [6, () => (this.chance(0.5) ? this.pick(BINARY) : this.randomBytes(0, 10))],
      [2, () => this.hllLike()],
      [3, () => this.ascii(20, 200)],
    ])();
  }

  /** An integer argument (INCRBY, BITFIELD values …): mostly valid, sometimes not. */
  integer(): string {
    return this.rng.weighted<() => string>([
      [60, () => String(this.int(-1000, 1000))],
      [25, () => this.pick(INT64_EDGES)],
      [15, () => this.pick(NOT_INTEGERS)],
    ])();
  }

  /** An INCRBY/DECRBY amount: mostly small, so counters live long enough to reach the limits. */
  increment(): string {
    return this.rng.weighted<() => string>([
      [80, () => String(this.int(-1000, 1000))],
      [12, () => this.pick(INT64_EDGES)],
      [8, () => this.pick(NOT_INTEGERS)],
    ])();
  }

  /** One of the key pools, at random (DEL and UNLINK clear every kind of key). */
  pool(): readonly Arg[] {
    return this.pick([KEY_POOLS.str, KEY_POOLS.num, KEY_POOLS.bit, KEY_POOLS.hll]);
  }

  float(): string {
    return this.rng.weighted<() => string>([
      [40, () => this.pick(FLOATS)],
      [30, () => String(this.int(-1000, 1000))],
      [20, () => `${this.int(-999, 999)}.${this.int(0, 99999)}`],
      [10, () => `${this.int(1, 9)}e${this.int(-30, 30)}`],
    ])();
  }

  /** A range bound (GETRANGE, BITCOUNT, BITPOS …). */
  index(): string {
    return this.rng.weighted<() => string>([
      [70, () => String(this.int(-20, 20))],
      [10, () => String(this.int(-300, 300))],
      [12, () => this.pick(INT64_EDGES)],
      [8, () => this.pick(NOT_INTEGERS)],
    ])();
  }

  /** A byte offset for SETRANGE: small, or far enough that Redis must refuse it. */
  byteOffset(): string {
    return this.rng.weighted<() => string>([
      [70, () => String(this.int(0, 64))],
      [15, () => String(this.int(65, 600))],
      [5, () => String(this.int(-5, -1))],
      [5, () => this.pick(['536870912', '600000000', '4294967296', '9223372036854775807', '536870911999'])],
      [5, () => this.pick(NOT_INTEGERS)],
    ])();
  }

  /** A bit offset for a write: small, or too large (Redis refuses 2^32 and up). */
  bitOffset(): string {
    return this.rng.weighted<() => string>([
      [55, () => String(this.int(0, 200))],
      [30, () => String(this.int(201, 4800))],
      [5, () => this.pick(['4294967296', '-1', '9223372036854775807', '18446744073709551616'])],
      [5, () => this.pick(NOT_INTEGERS)],
      [5, () => this.pick(['0', '7', '8', '63', '64'])],
    ])();
  }

  /** A bit offset for a read: may be far beyond the value (nothing is allocated). */
  readBitOffset(): string {
    return this.chance(0.1) ? this.pick(['4294967295', '4294967296', '536870911', '99999999']) : this.bitOffset();
  }

  db(): string {
    return this.chance(0.85) ? this.pick(DBS) : this.pick(BAD_DBS);
  }

  /** A relative TTL in seconds: long (never expires during a run), already past, or invalid. */
  ttlSeconds(): string {
    return this.rng.weighted<() => string>([
      [70, () => String(this.int(100_000, 100_000_000))],
      [10, () => this.pick(['0', '-1', '-100', '-9223372036854775808'])],
      [10, () => this.pick(['9223372036854775807', '9223372036854775', '9223372036854776', '9223372036854775808', '4611686018427387'])],
      [10, () => this.pick(['abc', '1.5', '', ' 100000', '1e6'])],
    ])();
  }

  ttlMillis(): string {
    return this.rng.weighted<() => string>([
      [70, () => String(this.int(100_000_000, 1_000_000_000_000))],
      [10, () => this.pick(['0', '-1', '-100000', '-9223372036854775808'])],
      [10, () => this.pick(['9223372036854775807', '9223372036854775806', '9223372036854775808'])],
      [10, () => this.pick(['abc', '1.5', '', '1e9'])],
    ])();
  }

  /** An absolute unix time in seconds: far future, past, or invalid. */
  unixSeconds(): string {
    return this.rng.weighted<() => string>([
      [55, () => String(this.t0 + this.int(100_000, 100_000_000))],
      [25, () => String(this.pick([1, 0, -1, this.t0 - 100_000, this.t0 - this.int(1000, 10_000_000)]))],
      [10, () => this.pick(['9223372036854775807', '9223372036854775', '-9223372036854775808', '9223372036854775808'])],
      [10, () => this.pick(['abc', '1.5', ''])],
    ])();
  }

  unixMillis(): string {
    return this.rng.weighted<() => string>([
      [55, () => String((this.t0 + this.int(100_000, 100_000_000)) * 1000 + this.int(0, 999))],
      [25, () => String(this.pick([1, 0, -1, (this.t0 - 100_000) * 1000, (this.t0 - this.int(1000, 10_000_000)) * 1000]))],
      [10, () => this.pick(['9223372036854775807', '-9223372036854775808', '9223372036854775808'])],
      [10, () => this.pick(['abc', '1.5', ''])],
    ])();
  }

  pattern(): Arg {
    return this.chance(0.9) ? this.pick(PATTERNS) : this.ascii(0, 4);
  }

  /** An option name in random case (Redis compares options case-insensitively). */
  opt(name: string): string {
    const x = this.rng.next();
    if (x < 0.85) return name;
    if (x < 0.95) return name.toLowerCase();
    return [...name].map((ch) => (this.chance(0.5) ? ch.toLowerCase() : ch)).join('');
  }

  /** Pick `min..max` of the option makers, in random order, repeats possible. */
  options(makers: readonly (() => Arg[])[], min = 0, max = 2): Arg[] {
    const n = this.int(min, max);
    const out: Arg[] = [];
    for (let i = 0; i < n; i++) out.push(...this.pick(makers)());
    return out;
  }

  /** HLL elements: a few, or (rarely) hundreds or thousands, so sparse encodings get promoted to dense. */
  elements(): Arg[] {
    const x = this.rng.next();
    const n = x < 0.01 ? this.int(1500, 4000) : x < 0.08 ? this.int(100, 600) : this.int(0, 5);
    return Array.from({ length: n }, () =>
      this.chance(0.7) ? String(this.int(0, this.chance(0.5) ? 100 : 1_000_000)) : this.value(),
    );
  }

  /** A value for the garbage-argument mutation. */
  junk(): Arg {
    return this.rng.weighted<() => Arg>([
      [3, () => this.value()],
      [2, () => this.pick(NOT_INTEGERS)],
      [2, () => this.pick(INT64_EDGES)],
      [1, () => this.pick(['NX', 'XX', 'GET', 'EX', 'PX', 'KEEPTTL', 'LEN', 'IDX', 'BYTE', 'BIT', 'MATCH', 'COUNT', 'TYPE', 'REPLACE', 'DB'])],
    ])();
  }
}
