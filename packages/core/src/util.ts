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
 * util.c stringmatchlen: glob-style matching of byte strings (one char per byte), with Redis'
 * exact rules — `*`, `?`, `[abc]`, `[^a]`, `[a-z]` (ends in either order, compared as C's signed
 * chars), `\\x` — and its quirks: an unterminated `[` class runs to the end of the pattern, `*`
 * never matches an empty string on its own (`*` vs "" is false), `nocase` folds ASCII only.
 *
 * Redis backtracks recursively with a `skipLongerMatches` cut. This is the same search done
 * iteratively: every token but `*` consumes exactly one byte, so when the text after the latest
 * `*` matches at no later position, no longer match of an earlier `*` can help, and only the
 * latest `*` is ever retried. O(pattern × string) time, O(1) space, no recursion.
 */
export function stringmatchlen(pattern: string, s: string, nocase = false): boolean {
  const plen = pattern.length;
  const slen = s.length;
  if (slen === 0) return plen === 0;
  let p = 0;
  let i = 0;
  let starP = -1; // the token after the latest '*'
  let starS = 0; // where its match is being tried
  for (;;) {
    // Here i < slen.
    if (p < plen) {
      if (pattern.charCodeAt(p) === 42 /* '*' */) {
        while (p + 1 < plen && pattern.charCodeAt(p + 1) === 42) p++;
        if (p === plen - 1) return true;
        starP = ++p;
        starS = i;
        continue;
      }
      const next = matchToken(pattern, p, s.charCodeAt(i), nocase);
      if (next >= 0) {
        p = next;
        if (++i < slen) continue;
        while (p < plen && pattern.charCodeAt(p) === 42) p++;
        if (p === plen) return true;
      }
    }
    // This attempt failed: let the latest '*' take one more byte (never the whole rest).
    if (starP < 0 || ++starS >= slen) return false;
    i = starS;
    p = starP;
  }
}

/** A byte of the pattern as C reads it: NUL past the end (patterns are NUL-terminated sds). */
function patternByte(pattern: string, j: number): number {
  return j < pattern.length ? pattern.charCodeAt(j) : 0;
}

/** C's tolower on a (possibly negative, signed char) value in the C locale: ASCII only. */
function cLower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** A byte as a C `char` on the platforms Redis runs on (signed). */
function signedChar(c: number): number {
  return c > 127 ? c - 256 : c;
}

/**
 * Match one non-`*` token of the pattern at `p` against byte `c`: the position after the token,
 * or -1 on mismatch. Mirrors stringmatchlen's `?`, `[...]`, `\\` and literal cases.
 */
function matchToken(pattern: string, p: number, c: number, nocase: boolean): number {
  const plen = pattern.length;
  const ch = pattern.charCodeAt(p);
  if (ch === 63 /* '?' */) return p + 1;
  if (ch === 91 /* '[' */) {
    let j = p + 1;
    const not = patternByte(pattern, j) === 94; /* '^' */
    if (not) j++;
    let match = false;
    for (;;) {
      const pc = patternByte(pattern, j);
      if (pc === 92 /* '\\' */ && plen - j >= 2) {
        j++;
        if (pattern.charCodeAt(j) === c) match = true;
      } else if (pc === 93 /* ']' */) {
        break;
      } else if (j >= plen) {
        j--; // unterminated class: stop on the last byte of the pattern
        break;
      } else if (plen - j >= 3 && pattern.charCodeAt(j + 1) === 45 /* '-' */) {
        let start = signedChar(pc);
        let end = signedChar(pattern.charCodeAt(j + 2));
        let x = signedChar(c);
        if (start > end) [start, end] = [end, start];
        if (nocase) {
          start = cLower(start);
          end = cLower(end);
          x = cLower(x);
        }
        j += 2;
        if (x >= start && x <= end) match = true;
      } else if (nocase ? cLower(pc) === cLower(c) : pc === c) {
        match = true;
      }
      j++;
    }
    return match !== not ? j + 1 : -1;
  }
  let lit = ch;
  let q = p;
  if (ch === 92 /* '\\' */ && plen - p >= 2) lit = pattern.charCodeAt(++q);
  return (nocase ? cLower(lit) === cLower(c) : lit === c) ? q + 1 : -1;
}
