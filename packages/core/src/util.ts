/**
 * Number parsing and formatting with Redis' exact rules (util.c: string2ll, string2l, ll2string).
 *
 * int64 values are `number` while they are safe integers and `bigint` beyond (`Int64`), so the
 * common case stays fast and the whole int64 range stays exact.
 */
import { notIntegerErr } from './errors.js';
import { argLatin1, type Arg, type StringValue, valueLatin1 } from './sds.js';

export type Int64 = number | bigint;

export const LLONG_MAX = 9223372036854775807n;
export const LLONG_MIN = -9223372036854775808n;

/** A bigint in int64 range as the canonical Int64 (number when safe). */
export function normInt64(x: bigint): Int64 {
  return x >= -9007199254740991n && x <= 9007199254740991n ? Number(x) : x;
}

export function isInt64(x: bigint): boolean {
  return x >= LLONG_MIN && x <= LLONG_MAX;
}

/**
 * util.c string2ll: the whole string must be a base-10 int64 with no spaces, no '+', and no
 * leading zeros ("0" itself excepted; "-0" is rejected). `s` is a byte string.
 */
export function string2ll(s: string): Int64 | null {
  const len = s.length;
  if (len === 0 || len > 20) return null;
  let i = 0;
  const neg = s.charCodeAt(0) === 45; /* '-' */
  if (neg) {
    i = 1;
    if (len === 1) return null;
  }
  const first = s.charCodeAt(i);
  if (first === 48 /* '0' */) return len === 1 ? 0 : null;
  if (first < 49 || first > 57) return null;
  for (let j = i + 1; j < len; j++) {
    const c = s.charCodeAt(j);
    if (c < 48 || c > 57) return null;
  }
  if (len - i <= 15) return Number(s);
  const big = BigInt(s);
  return isInt64(big) ? normInt64(big) : null;
}

/** util.c string2l: as string2ll, within a C long (64-bit here, as on the servers we compare with). */
export const string2l = string2ll;

/** getLongLongFromObjectOrReply: an argument as int64, or Redis' "not an integer" error. */
export function parseInt64(a: Arg): Int64 {
  const v = string2ll(typeof a === 'string' ? a : argLatin1(a));
  if (v === null) throw notIntegerErr();
  return v;
}

/** A stored string value as int64, or null when it is not one. */
export function valueToInt64(v: StringValue): Int64 | null {
  if (typeof v === 'number') return v;
  return string2ll(typeof v === 'string' ? v : valueLatin1(v));
}

/**
 * An int64 argument narrowed to a JS number, for counts and indexes. Values past 2^53 are clamped
 * (they behave as "very large" everywhere Redis uses them as counts or offsets).
 */
export function parseIntArg(a: Arg): number {
  const v = parseInt64(a);
  return typeof v === 'number' ? v : v > 0n ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
}

/** getLongFromObjectOrReply with a custom message (e.g. "timeout is not an integer or out of range"). */
export function parseInt64Or(a: Arg, makeErr: () => Error): Int64 {
  const v = string2ll(typeof a === 'string' ? a : argLatin1(a));
  if (v === null) throw makeErr();
  return v;
}

/** Add two int64 values; null on overflow. */
export function addInt64(a: Int64, b: Int64): Int64 | null {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = a + b;
    if (Number.isSafeInteger(r)) return r;
  }
  const r = BigInt(a) + BigInt(b);
  return isInt64(r) ? normInt64(r) : null;
}

/**
 * util.c stringmatchlen: glob-style matching of byte strings (one char per byte), supporting
 * `*`, `?`, `[abc]`, `[^a]`, `[a-z]` and `\x`.
 * PLACEHOLDER: replaced by the full implementation (no exponential blow-up) in the keys work.
 */
export function stringmatchlen(pattern: string, s: string, nocase = false): boolean {
  if (nocase) {
    pattern = pattern.toLowerCase();
    s = s.toLowerCase();
  }
  return pattern === '*' || pattern === s;
}
