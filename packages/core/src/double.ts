/**
 * Doubles as Redis reads and writes them (util.c string2d, d2string, double2ll; networking.c
 * addReplyDouble; t_zset.c zslParseRange), on byte strings (one char per byte, sds.ts argLatin1).
 *
 * Reading follows glibc's strtod: optional leading white space (where Redis allows it), a sign,
 * then a decimal number, a hexadecimal one (`0x1.8p3`), `inf`/`infinity` or `nan(...)`, correctly
 * rounded (ties to even), with ERANGE on overflow and on underflow. Writing is `%.17g`: the exact
 * value rounded half-even to 17 significant digits, trailing zeros dropped, an exponent of at least
 * two digits (`1e+17`, `2.9802322387695312e-08`).
 */

/** C's isspace in the C locale: space, \t \n \v \f \r. */
function isCSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/** A decimal number strtod reads whole: digits with an optional point (at least one digit), an optional exponent. */
const DECIMAL = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
const HEX = /^([+-]?)0[xX](?:([0-9a-fA-F]+)\.?([0-9a-fA-F]*)|\.([0-9a-fA-F]+))(?:[pP]([+-]?[0-9]+))?$/;
const INFINITY = /^([+-]?)(?:inf|infinity)$/i;
/** What strtod reads as NaN: `nan` or `nan(chars)`, any case. Rejected by every caller, so its exact extent does not matter. */
const NAN = /^[+-]?nan(?:\([0-9A-Za-z_]*\))?$/i;

/** The outcome of reading a whole string as strtod would: the value, or null when strtod would stop early. */
interface Strtod {
  value: number;
  /** errno == ERANGE: the exact value overflowed (±HUGE_VAL) or underflowed (0 or a subnormal). */
  erange: boolean;
}

const RESULT: Strtod = { value: 0, erange: false };

/**
 * strtod over the whole of `s` (no leading space: callers skip or refuse it): null when strtod
 * would not consume every byte, else the value and whether ERANGE was set. The object returned is
 * reused by the next call.
 */
function strtodWhole(s: string): Strtod | null {
  if (DECIMAL.test(s)) {
    const v = Number(s);
    RESULT.value = v;
    // Overflow: ±Infinity from digits. Underflow to zero: a zero from a mantissa with a nonzero
    // digit. (A subnormal result sets ERANGE too, but no caller rejects it, so it is not flagged.)
    RESULT.erange = !Number.isFinite(v) || (v === 0 && /[1-9]/.test(mantissaOf(s)));
    return RESULT;
  }
  let m = HEX.exec(s);
  if (m !== null) {
    const neg = m[1] === '-';
    const int = m[2] ?? '';
    const frac = m[3] ?? m[4] ?? '';
    const digits = (int + frac).replace(/^0+/, '');
    const exp = m[5] === undefined ? 0 : clampExponent(m[5]);
    RESULT.erange = false;
    if (digits === '') {
      RESULT.value = neg ? -0 : 0;
      return RESULT;
    }
    const r = roundBinary(BigInt('0x' + digits), exp - 4 * frac.length);
    RESULT.value = neg ? -r.value : r.value;
    RESULT.erange = r.overflow || r.underflow;
    return RESULT;
  }
  m = INFINITY.exec(s);
  if (m !== null) {
    RESULT.value = m[1] === '-' ? -Infinity : Infinity;
    RESULT.erange = false;
    return RESULT;
  }
  if (NAN.test(s)) {
    RESULT.value = NaN;
    RESULT.erange = false;
    return RESULT;
  }
  return null;
}

function mantissaOf(s: string): string {
  const e = s.search(/[eE]/);
  return e < 0 ? s : s.slice(0, e);
}

/** A binary exponent's digits as a number, clamped far beyond any double's range. */
function clampExponent(text: string): number {
  const v = Number(text);
  return Math.max(-1e6, Math.min(1e6, v));
}

function bitLength(x: bigint): number {
  return x.toString(2).length;
}

/**
 * M·2^E (M > 0) rounded to the nearest double, ties to even, as glibc rounds a hexadecimal
 * float; with overflow (to infinity) and underflow (inexact below the normal range) flags.
 */
function roundBinary(M: bigint, E: number): { value: number; overflow: boolean; underflow: boolean } {
  const bl = bitLength(M);
  const top = bl - 1 + E; // exponent of the leading bit
  if (top > 1023) return { value: Infinity, overflow: true, underflow: false };
  // Bits kept: 53 for a normal result, fewer for a subnormal one (the last kept bit is 2^-1074).
  const keep = top >= -1022 ? 53 : 53 - (-1022 - top);
  if (keep <= 0) {
    // Below half the smallest subnormal (zero), exactly half (a tie, to even: zero), or above half.
    const aboveHalf = keep === 0 && M > 1n << BigInt(bl - 1);
    return aboveHalf ? { value: 2 ** -1074, overflow: false, underflow: true } : { value: 0, overflow: false, underflow: true };
  }
  let m = M;
  let e = E;
  let inexact = false;
  if (bl > keep) {
    const shift = BigInt(bl - keep);
    m = M >> shift;
    const rem = M - (m << shift);
    const halfway = 1n << (shift - 1n);
    inexact = rem !== 0n;
    if (rem > halfway || (rem === halfway && (m & 1n) === 1n)) m += 1n;
    e += bl - keep;
  }
  // m has at most 54 bits (53 plus a carry): exact in a double, and so is m·2^e when in range.
  const value = Number(m) * 2 ** Math.max(e, -1022) * 2 ** Math.min(0, e + 1022);
  if (value === Infinity) return { value, overflow: true, underflow: false };
  return { value, overflow: false, underflow: inexact && top < -1022 };
}

/**
 * string2d (getDoubleFromObject): the whole argument as a double — no leading space, no trailing
 * bytes, no NaN, no overflow, no underflow to zero (a subnormal result is accepted). `inf` is
 * accepted. Null when Redis would reply "value is not a valid float".
 */
export function string2d(s: string): number | null {
  if (s.length === 0 || isCSpace(s.charCodeAt(0))) return null;
  // The common case without a regex: [-]digits[.digits]; 20 chars can neither overflow nor underflow.
  if (s.length <= 20) {
    let i = s.charCodeAt(0) === 45 /* '-' */ ? 1 : 0;
    let digits = 0;
    let dot = false;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c >= 48 && c <= 57) digits++;
      else if (c === 46 /* '.' */ && !dot) dot = true;
      else break;
    }
    if (i === s.length && digits > 0) return Number(s);
  }
  const r = strtodWhole(s);
  if (r === null || Number.isNaN(r.value)) return null;
  if (r.erange && (!Number.isFinite(r.value) || r.value === 0)) return null;
  return r.value;
}

/**
 * A score range bound as zslParseRange reads it (after its `(`): C's strtod on the argument as a
 * C string — leading white space skipped, the value may overflow to infinity or underflow to zero,
 * an empty string is 0 — and nothing may follow. Null when Redis would reply "min or max is not a
 * float" (NaN included).
 */
export function strtodRangeBound(s: string): number | null {
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  if (s.length === 0) return 0; // strtod converts nothing; its end pointer is at the NUL
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  const r = strtodWhole(i === 0 ? s : s.slice(i));
  if (r === null || Number.isNaN(r.value)) return null;
  return r.value;
}

// ---- formatting --------------------------------------------------------------------------------

/**
 * double2ll: the double as an int64 when it is integral and within ±2^62 (Redis' safe range);
 * null otherwise. -0 reads as 0.
 */
export function double2ll(d: number): number | null {
  if (!(d >= -4611686018427387904 && d <= 4611686018427387904)) return null;
  return Number.isInteger(d) ? d + 0 : null;
}

const TWO_POW_25 = 33554432;

/** `%.17g` of a finite, nonzero double. */
function formatG17(d: number): string {
  // Integers below 2^53 print as themselves (String is exact for them).
  if (Number.isSafeInteger(d)) return String(d);
  // Most scores: not an integer, not tiny, not a possible tie (below). printf writes them in
  // fixed notation with trailing zeros dropped; toPrecision rounds them the same way.
  const a = d < 0 ? -d : d;
  if (a >= 1e-4 && a < 1e15 && !Number.isInteger(d * TWO_POW_25)) {
    const s = d.toPrecision(17);
    let end = s.length;
    while (s.charCodeAt(end - 1) === 48 /* '0' */) end--;
    return s.slice(0, end);
  }
  return formatG17Exact(d);
}

/** `%.17g` of a finite, nonzero double, any magnitude, ties included. */
function formatG17Exact(d: number): string {
  let s = d.toExponential(16);
  // toExponential rounds ties away from zero, printf to even. A tie at 17 digits needs an exact
  // expansion of exactly 18 significant digits ending in 5: no integer has one, and of the other
  // doubles only those whose lowest set bit is 2^-25 or above (m·5^k, m < 2^53, is longer for k > 25).
  if (!Number.isInteger(d) && Number.isInteger(d * TWO_POW_25)) s = fixTie(d, s);
  const e = s.indexOf('e');
  const neg = s.charCodeAt(0) === 45;
  const exp = Number(s.slice(e + 1));
  // The 17 significant digits, without the point, trailing zeros dropped.
  let digits = s.slice(neg ? 1 : 0, neg ? 2 : 1) + s.slice(neg ? 3 : 2, e);
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  digits = digits.slice(0, end);
  const sign = neg ? '-' : '';
  if (exp < -4 || exp >= 17) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const a = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${a < 10 ? '0' : ''}${a}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length);
  return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
}

/**
 * `s` is toExponential(16) of `d`; when the exact value of `d` lies halfway between two 17-digit
 * decimals, return the one printf picks (the even one) in the same format.
 */
function fixTie(d: number, s: string): string {
  const s18 = d.toExponential(17);
  const e = s18.indexOf('e');
  if (s18.charCodeAt(e - 1) !== 53 /* '5' */) return s;
  // Is d exactly the 18-digit decimal? Compare d·2^k with it as integers (d·2^25 is an integer).
  const neg = d < 0;
  const digits = s18.slice(neg ? 1 : 0, neg ? 2 : 1) + s18.slice(neg ? 3 : 2, e); // 18 digits
  const exp10 = Number(s18.slice(e + 1)) - 17; // value = digits · 10^exp10
  const scaled = BigInt(Math.abs(d) * TWO_POW_25); // exact: |d| < 2^53, so |d|·2^25 is a small integer
  let lhs = scaled; // |d|·2^25
  let rhs = BigInt(digits) * 2n ** 25n; // digits·2^25 · 10^exp10
  if (exp10 >= 0) rhs *= 10n ** BigInt(exp10);
  else lhs *= 10n ** BigInt(-exp10);
  if (lhs !== rhs) return s;
  // A tie: keep the first 17 digits when the 17th is even, else round up (what toExponential did).
  if ((digits.charCodeAt(16) - 48) % 2 === 1) return s;
  const kept = digits.slice(0, 17);
  return `${neg ? '-' : ''}${kept[0]}.${kept.slice(1)}e${s18.slice(e + 1)}`;
}

/** Recently formatted doubles (direct-mapped by their bits): replies often repeat the same scores. */
const CACHE_BITS = 12;
const CACHE_SIZE = 1 << CACHE_BITS;
const cacheKeys = new Float64Array(CACHE_SIZE);
const cacheTexts: string[] = new Array<string>(CACHE_SIZE).fill('');
const bits = new Float64Array(1);
const bitsHi = new Int32Array(bits.buffer);

/**
 * What addReplyDouble sends in RESP2 (and d2string's `%.17g` branch): `inf`, `-inf`, `-0`, or
 * the value to 17 significant digits, as printf's `%.17g` writes it.
 */
export function doubleReplyText(d: number): string {
  if (d === 0) return Object.is(d, -0) ? '-0' : '0';
  if (d === Infinity) return 'inf';
  if (d === -Infinity) return '-inf';
  bits[0] = d;
  const slot = Math.imul(bitsHi[0]! ^ bitsHi[1]!, 0x9e3779b1) >>> (32 - CACHE_BITS);
  if (cacheKeys[slot] === d && cacheTexts[slot] !== '') return cacheTexts[slot]!;
  const text = formatG17(d);
  cacheKeys[slot] = d;
  cacheTexts[slot] = text;
  rememberText(text, d);
  return text;
}

/** Texts of doubles recently formatted or read (direct-mapped by a few of their chars), the other way round. */
const textKeys: string[] = new Array<string>(CACHE_SIZE).fill('');
const textValues = new Float64Array(CACHE_SIZE);

function textSlot(s: string): number {
  const n = s.length;
  let h = Math.imul(n ^ s.charCodeAt(n - 1), 0x9e3779b1);
  h = Math.imul(h ^ s.charCodeAt(n - 2), 0x85ebca6b);
  h = Math.imul(h ^ s.charCodeAt(n >> 1), 0xc2b2ae35);
  h = Math.imul(h ^ s.charCodeAt(n >> 2), 0x27d4eb2f);
  return h >>> (32 - CACHE_BITS);
}

function rememberText(text: string, d: number): void {
  if (text.length < 8) return; // short texts parse fast anyway
  const slot = textSlot(text);
  textKeys[slot] = text;
  textValues[slot] = d;
}

/**
 * A score as addReplyDouble wrote it (`0.10000000000000001`, `inf`, `-0` …) back as a number, for
 * the typed API. Texts of 17 significant digits take Number() ~15 times longer than short ones;
 * the text of a score the engine formatted lately is found without parsing it.
 */
export function doubleFromReplyText(s: string): number {
  if (s.length < 8) return s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s);
  const slot = textSlot(s);
  if (textKeys[slot] === s) return textValues[slot]!;
  const v = Number(s);
  textKeys[slot] = s;
  textValues[slot] = v;
  return v;
}

/**
 * The text of a score stored in a listpack (zzlInsertAt): an integer within ±2^62 as its digits
 * (-0 as 0), anything else as d2string writes it (`%.17g`, `inf`, `-inf`). ZSCAN of a listpack
 * sorted set replies this, not addReplyDouble's text (1e17 is 100000000000000000 there).
 */
export function listpackScoreText(d: number): string {
  const ll = double2ll(d);
  if (ll === null) return doubleReplyText(d);
  return Number.isSafeInteger(ll) ? String(ll) : BigInt(ll).toString();
}
