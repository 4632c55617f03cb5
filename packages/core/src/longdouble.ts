/**
 * The x87 80-bit `long double` that Redis' INCRBYFLOAT and HINCRBYFLOAT compute with
 * (util.c string2ld / ld2string), emulated exactly with BigInt.
 *
 * A finite value is `(-1)^neg · m · 2^e` with a 64-bit significand: normal values have
 * 2^63 ≤ m < 2^64 and e ≥ EMIN; subnormals have e = EMIN and m < 2^63. Every operation rounds
 * once, to nearest with ties to even, as the FPU and glibc do:
 *
 * - `string2ld` parses like glibc strtold (decimal, hex floats, inf/infinity) with Redis' checks:
 *   no leading space, the whole string consumed, no NaN, no overflow, no underflow to zero.
 * - `ldAdd` is the FPU's `fadd` at extended precision.
 * - `ld2stringHuman` is `%.17Lf` (exact decimal expansion, half-even) with Redis' trimming of
 *   trailing zeros and of `-0` (LD_STR_HUMAN).
 */

export interface LongDouble {
  /** 0 finite, 1 infinity, 2 NaN. */
  readonly kind: 0 | 1 | 2;
  readonly neg: boolean;
  /** Significand (finite values). */
  readonly m: bigint;
  /** Binary exponent of the significand's last bit (finite values). */
  readonly e: number;
}

const MANT_BITS = 64;
/** Exponent of the last significand bit of the smallest subnormal (2^-16445). */
const EMIN = -16445;
/** Largest exponent of a finite value's last significand bit (max = (2^64-1)·2^16320). */
const EMAX = 16320;
/** strtold input longer than Redis' buffer (MAX_LONG_DOUBLE_CHARS) is rejected. */
const MAX_LONG_DOUBLE_CHARS = 5 * 1024;

const TWO64 = 1n << 64n;

export const LD_ZERO: LongDouble = { kind: 0, neg: false, m: 0n, e: 0 };
const LD_INF: LongDouble = { kind: 1, neg: false, m: 0n, e: 0 };
const LD_NEG_INF: LongDouble = { kind: 1, neg: true, m: 0n, e: 0 };
const LD_NAN: LongDouble = { kind: 2, neg: false, m: 0n, e: 0 };

function bitLength(x: bigint): number {
  // x > 0. toString(16) is exact and fast for the sizes seen here.
  const hex = x.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0]!, 16)));
}

/** A rounding's outcome, with strtold's ERANGE conditions. */
interface Rounded {
  value: LongDouble;
  /** The exact value was nonzero and rounded to zero. */
  underflow: boolean;
  /** The exact value was beyond the largest finite value. */
  overflow: boolean;
}

/**
 * Round the exact value `(-1)^neg · M · 2^E` (plus a nonzero tail below M's last bit when
 * `sticky`) to the nearest long double, ties to even.
 */
function roundExtended(neg: boolean, M: bigint, E: number, sticky: boolean): Rounded {
  if (M === 0n) return { value: neg ? { kind: 0, neg, m: 0n, e: 0 } : LD_ZERO, underflow: sticky, overflow: false };
  const bl = bitLength(M);
  const shift = Math.max(bl - MANT_BITS, EMIN - E);
  let m: bigint;
  let e: number;
  if (shift > 0) {
    if (shift > bl) {
      m = 0n; // below half the smallest subnormal
    } else {
      const s = BigInt(shift);
      m = M >> s;
      const rem = M - (m << s);
      const half = 1n << (s - 1n);
      if (rem > half || (rem === half && (sticky || (m & 1n) === 1n))) m += 1n;
    }
    e = E + shift;
    if (m === TWO64) {
      m >>= 1n;
      e += 1;
    }
  } else {
    m = M << BigInt(-shift);
    e = E + shift;
  }
  if (m === 0n) return { value: { kind: 0, neg, m: 0n, e: 0 }, underflow: true, overflow: false };
  if (e > EMAX) return { value: neg ? LD_NEG_INF : LD_INF, underflow: false, overflow: true };
  return { value: { kind: 0, neg, m, e }, underflow: false, overflow: false };
}

/** An int64 (or any integer below 2^64 in magnitude: exact) as a long double. */
export function ldFromInt(n: number | bigint): LongDouble {
  const b = BigInt(n);
  return roundExtended(b < 0n, b < 0n ? -b : b, 0, false).value;
}

/** x + y at extended precision, round to nearest even (the FPU's fadd). */
export function ldAdd(x: LongDouble, y: LongDouble): LongDouble {
  if (x.kind === 2 || y.kind === 2) return LD_NAN;
  if (x.kind === 1 || y.kind === 1) {
    if (x.kind === 1 && y.kind === 1 && x.neg !== y.neg) return LD_NAN;
    return x.kind === 1 ? x : y;
  }
  if (y.m === 0n) return x.m === 0n ? (x.neg && y.neg ? x : LD_ZERO) : x;
  if (x.m === 0n) return y;
  const e = Math.min(x.e, y.e);
  const a = x.m << BigInt(x.e - e);
  const b = y.m << BigInt(y.e - e);
  const sum = (x.neg ? -a : a) + (y.neg ? -b : b);
  if (sum === 0n) return LD_ZERO; // x + (-x) is +0 when rounding to nearest
  return roundExtended(sum < 0n, sum < 0n ? -sum : sum, e, false).value;
}

/** The value is NaN or ±infinity. */
export function ldIsNanOrInf(x: LongDouble): boolean {
  return x.kind !== 0;
}

// ---- string2ld -------------------------------------------------------------------------

const DEC_RE = /^([+-]?)(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const HEX_RE = /^([+-]?)0[xX](?:([0-9a-fA-F]+)(?:\.([0-9a-fA-F]*))?|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/;
const INF_RE = /^([+-]?)(?:inf|infinity)$/i;

/** An exponent's digits as a number, saturated far beyond any meaningful range. */
function parseExponent(s: string | undefined): number {
  if (s === undefined) return 0;
  const v = Number(s);
  return Number.isFinite(v) ? Math.max(-1e9, Math.min(1e9, v)) : s.startsWith('-') ? -1e9 : 1e9;
}

/**
 * util.c string2ld: `s` (a byte string, one char per byte) as a long double, or null when Redis
 * rejects it ("value is not a valid float"). ±inf is accepted, as strtold does.
 */
export function string2ld(s: string): LongDouble | null {
  const len = s.length;
  if (len === 0 || len >= MAX_LONG_DOUBLE_CHARS) return null;
  const c0 = s.charCodeAt(0);
  // Fast rejection of what cannot start a number (including isspace: strtold would skip it).
  if (!((c0 >= 48 && c0 <= 57) || c0 === 43 || c0 === 45 || c0 === 46 || c0 === 105 || c0 === 73)) {
    return null;
  }
  let r: Rounded;
  let match = DEC_RE.exec(s);
  if (match !== null) {
    const neg = match[1] === '-';
    const intDigits = match[2] ?? '';
    const fracDigits = match[3] ?? match[4] ?? '';
    const digits = (intDigits + fracDigits).replace(/^0+/, '');
    if (digits === '') return { kind: 0, neg, m: 0n, e: 0 };
    const k = parseExponent(match[5]) - fracDigits.length;
    r = decimalToExtended(neg, digits, k);
  } else if ((match = HEX_RE.exec(s)) !== null) {
    const neg = match[1] === '-';
    const intDigits = match[2] ?? '';
    const fracDigits = match[3] ?? match[4] ?? '';
    const digits = (intDigits + fracDigits).replace(/^0+/, '');
    if (digits === '') return { kind: 0, neg, m: 0n, e: 0 };
    const E = parseExponent(match[5]) - 4 * fracDigits.length;
    const M = BigInt('0x' + digits);
    // Way out of range either side: decide without building huge numbers.
    if (E + digits.length * 4 > EMAX + 2 * MANT_BITS) return null;
    r = E + digits.length * 4 < EMIN - 2 ? { value: LD_ZERO, underflow: true, overflow: false } : roundExtended(neg, M, E, false);
  } else if ((match = INF_RE.exec(s)) !== null) {
    return match[1] === '-' ? LD_NEG_INF : LD_INF;
  } else {
    return null;
  }
  if (r.overflow || r.underflow) return null;
  return r.value;
}

/** digits · 10^k (digits without leading zeros, nonzero), correctly rounded. */
function decimalToExtended(neg: boolean, digits: string, k: number): Rounded {
  const magnitude = digits.length + k; // the value is in [10^(magnitude-1), 10^magnitude)
  if (magnitude - 1 > 4933) return { value: neg ? LD_NEG_INF : LD_INF, underflow: false, overflow: true };
  if (magnitude < -4952) return { value: LD_ZERO, underflow: true, overflow: false };
  const D = BigInt(digits);
  if (k >= 0) return roundExtended(neg, D * 10n ** BigInt(k), 0, false);
  const den = 10n ** BigInt(-k);
  // Scale so the quotient has at least 66 significant bits; the remainder is the sticky bit.
  const s = Math.max(0, MANT_BITS + 3 + bitLength(den) - bitLength(D));
  const num = D << BigInt(s);
  const q = num / den;
  return roundExtended(neg, q, -s, num - q * den !== 0n);
}

// ---- ld2string -------------------------------------------------------------------------

const TEN17 = 10n ** 17n;

/** `%.17Lf`: the exact value rounded half-even to 17 decimals. Finite values only. */
export function ldFormatFixed17(x: LongDouble): string {
  let q: bigint;
  if (x.e >= 0) {
    q = (x.m << BigInt(x.e)) * TEN17;
  } else {
    const s = BigInt(-x.e);
    const n = x.m * TEN17;
    q = n >> s;
    const rem = n - (q << s);
    const half = 1n << (s - 1n);
    if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  }
  const digits = q.toString().padStart(18, '0');
  const sign = x.neg ? '-' : '';
  return `${sign}${digits.slice(0, -17)}.${digits.slice(-17)}`;
}

/**
 * ld2string(…, LD_STR_HUMAN): `%.17Lf` with trailing zeros (and a trailing '.') removed, and
 * `-0` written `0`. Infinities are `inf`/`-inf`.
 */
export function ld2stringHuman(x: LongDouble): string {
  if (x.kind === 1) return x.neg ? '-inf' : 'inf';
  if (x.kind === 2) return x.neg ? '-nan' : 'nan';
  let s = ldFormatFixed17(x);
  let end = s.length;
  while (s.charCodeAt(end - 1) === 48 /* '0' */) end--;
  if (s.charCodeAt(end - 1) === 46 /* '.' */) end--;
  s = s.slice(0, end);
  return s === '-0' ? '0' : s;
}
