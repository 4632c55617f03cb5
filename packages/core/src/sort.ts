/**
 * SORT and SORT_RO (sort.c): sort a list, set or sorted set — by its elements or by the values of
 * other keys (BY pattern, `*` standing for the element, `key->field` reading a hash field),
 * numerically or byte-wise (ALPHA) — and reply with the elements, or with values fetched for them
 * (GET pattern, GET #), or store the result as a list (STORE).
 *
 * Everything follows sort.c, including what a reader of its code alone would find:
 *
 * - Numeric sorting reads each score with glibc's strtod (strtodScore below: leading spaces,
 *   hex floats, `inf`; NaN, trailing bytes, overflow and inexact underflow are "One or more
 *   scores can't be converted into double"; a string is read up to its first NUL byte, so the
 *   empty string scores 0). A missing BY key scores 0. Equal scores are ordered by the elements'
 *   bytes, so a numeric sort is fully determined.
 * - ALPHA compares with strcoll in the locale redis-server runs in; Lodis does what the C and
 *   C.UTF-8 locales do: byte order of the strings up to their first NUL byte. With STORE, Redis
 *   compares whole strings by their bytes instead (compareStringObjects). Elements that compare
 *   equal keep their input order: glibc's qsort is a stable merge sort. When BY is given and
 *   LIMIT narrows the range, Redis sorts with its own partial quicksort (pqsort.c), which is not
 *   stable: it is ported as is (pqsort below), so ties come out in the same order as in Redis.
 * - BY with no `*` (BY nosort) skips sorting: a list or sorted set keeps its order (DESC walks it
 *   backwards, LIMIT is served as a range), a set comes in its own order — except with STORE,
 *   where Redis sorts the set ALPHA so that the stored list does not depend on hash order.
 * - A sorted set that is sorted (not BY nosort) is loaded in its dict's order, like a set.
 *
 * SORT … STORE is logged as its effect (DEL destination, RPUSH destination …the result), not as
 * the command: what a replayed SORT stores would depend on the order of tied elements, which for
 * a set or sorted set is its hash order. Converting a sorted set (any SORT does, as in Redis) is
 * logged as `SORT key BY nosort LIMIT 0 0`, which does nothing else.
 *
 * One thing of Redis' is not reproduced: sort.c tests `errno == ERANGE` after its strtod without
 * clearing errno first, so in Redis a numeric SORT of strings fails whenever an earlier command
 * of any client left errno at ERANGE (a SORT that met 1e400, a ZADD of a subnormal score …) until
 * something resets it (a SCAN's cursor parsing, INCRBYFLOAT, a new connection, a socket write
 * that would block). Lodis judges each score by its own strtod only. The conformance transcript
 * and the differential run reset Redis' errno (SCAN 0 COUNT 0) before the SORTs that would see it.
 */
import type { Client } from './client.js';
import type { CommandHandlers } from './commands.js';
import { sortScoreErr, syntaxErr, wrongTypeErr } from './errors.js';
import type { RedisDb } from './keyspace.js';
import { NOTIFY_GENERIC, NOTIFY_LIST } from './notify.js';
import { isString, type RedisObject } from './object.js';
import type { Reply } from './reply.js';
import {
  argLatin1,
  keyLatin1,
  keyReply,
  latin1ToBytes,
  shareBytes,
  toKey,
  valueLatin1,
  type Arg,
  type KeyString,
  type StringValue,
} from './sds.js';
import type { HashObject } from './types/hash.js';
import { ListObject, type ListElement } from './types/list.js';
import type { SetObject } from './types/set.js';
import { zsetConvertToSkiplist, zsetLength, zsetRangeByRank, type ZSetObject } from './types/zset.js';
import { parseInt64, string2l } from './util.js';

// ---- strtod --------------------------------------------------------------------------------

/** DBL_MIN, the smallest normal double: below it a result is tiny (glibc's underflow rule). */
const DBL_MIN = 2.2250738585072014e-308;
const TWO_1074 = 1n << 1074n;

// strtod's grammar after the leading spaces (C locale): a sign, then a decimal or hexadecimal
// floating constant, INF/INFINITY or NAN[(chars)] — matched whole, as SORT wants no trailing byte.
const DEC_RE = /^[+-]?(?:(\d+)(?:\.(\d*))?|\.(\d+))(?:[eE]([+-]?\d+))?$/;
const HEX_RE = /^([+-]?)0[xX](?:([0-9a-fA-F]+)(?:\.([0-9a-fA-F]*))?|\.([0-9a-fA-F]+))(?:[pP]([+-]?\d+))?$/;
const INF_RE = /^([+-]?)(?:inf|infinity)$/i;

/** An exponent's digits as a number, saturated far beyond any double's range. */
function exponentOf(s: string | undefined): number {
  if (s === undefined) return 0;
  const v = Number(s);
  return Number.isFinite(v) ? Math.max(-1e7, Math.min(1e7, v)) : s.startsWith('-') ? -1e7 : 1e7;
}

/**
 * The score SORT reads from a byte string (one char per byte), or null when Redis refuses it:
 * `score = strtod(s, &eptr)` with `eptr[0] != '\0' || errno == ERANGE || isnan(score)` an error.
 * strtod stops at a NUL byte; it skips leading whitespace; it reads nothing from a string of
 * spaces (then eptr is the string itself: refused unless the string is empty, which scores 0).
 * glibc sets ERANGE on overflow, and on underflow when the result is both tiny (below DBL_MIN
 * once rounded to 53 bits with no exponent limit) and inexact.
 */
export function strtodScore(s: string): number | null {
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul);
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 32 && (c < 9 || c > 13)) break;
    i++;
  }
  if (i === s.length) return i === 0 ? 0 : null;
  const t = i === 0 ? s : s.slice(i);
  let m = DEC_RE.exec(t);
  if (m !== null) {
    const r = Number(t);
    if (!Number.isFinite(r)) return null; // overflow: ERANGE
    if (Math.abs(r) > DBL_MIN) return r;
    return decimalUnderflows(r, m) ? null : r;
  }
  if ((m = HEX_RE.exec(t)) !== null) return hexToDouble(m);
  if ((m = INF_RE.exec(t)) !== null) return m[1] === '-' ? -Infinity : Infinity;
  return null; // NaN, or not read whole
}

/**
 * For a decimal constant whose correctly rounded value `r` is at most DBL_MIN: whether glibc
 * sets ERANGE (the exact value is not zero, is tiny, and `r` is not exactly it).
 */
function decimalUnderflows(r: number, m: RegExpExecArray): boolean {
  const frac = m[2] ?? m[3] ?? '';
  const digits = ((m[1] ?? '') + frac).replace(/^0+/, '');
  if (digits === '') return false; // zero is exact
  if (r === 0) return true; // a nonzero value rounded to zero
  // value = D · 10^-k (k > 0 here: the value is below 1)
  const D = BigInt(digits);
  const k = frac.length - exponentOf(m[4]);
  if (k <= 0) return false;
  const P = 10n ** BigInt(k);
  const a = Math.abs(r);
  if (a < DBL_MIN) {
    // Tiny; inexact unless D·2^1074 = n·10^k, with r = n·2^-1074.
    const n = BigInt(a * 2 ** 1000 * 2 ** 74);
    return D * TWO_1074 !== n * P;
  }
  // r = DBL_MIN: tiny only when the value is below DBL_MIN - 2^-1076 (then 53-bit rounding
  // leaves it under DBL_MIN), and then it is inexact.
  return D << 1076n < ((1n << 54n) - 1n) * P;
}

/** A hexadecimal constant as strtod rounds it (to nearest, ties to even), or null on ERANGE. */
function hexToDouble(m: RegExpExecArray): number | null {
  const neg = m[1] === '-';
  const intDigits = m[2] ?? '';
  const fracDigits = m[3] ?? m[4] ?? '';
  const digits = (intDigits + fracDigits).replace(/^0+/, '');
  if (digits === '') return neg ? -0 : 0;
  const M = BigInt('0x' + digits);
  const E = exponentOf(m[5]) - 4 * fracDigits.length; // value = M · 2^E
  const bits = M.toString(2).length;
  const e = bits - 1 + E; // 2^e <= value < 2^(e+1)
  if (e > 1024) return null;
  if (e < -1100) return null; // rounds to zero: tiny and inexact
  // Round to the double grid (ulp 2^max(e-52, -1074)), and to 53 bits without the subnormal
  // floor (tininess is judged after rounding).
  const [n, inexact] = roundShift(M, Math.max(e - 52, -1074) - E);
  const q = Math.max(e - 52, -1074);
  const value = Number(n) * 2 ** q;
  if (!Number.isFinite(value)) return null; // overflow
  if (inexact && e < -1022) {
    const [n53] = roundShift(M, e - 52 - E);
    const tiny = !(e === -1023 && n53 === 1n << 53n);
    if (tiny) return null;
  }
  return neg ? -value : value;
}

/** M / 2^s rounded to nearest, ties to even (s may be negative: a left shift), and whether inexact. */
function roundShift(M: bigint, s: number): [bigint, boolean] {
  if (s <= 0) return [M << BigInt(-s), false];
  const S = BigInt(s);
  let n = M >> S;
  const rem = M - (n << S);
  const half = 1n << (S - 1n);
  if (rem > half || (rem === half && (n & 1n) === 1n)) n++;
  return [n, rem !== 0n];
}

// ---- pqsort.c --------------------------------------------------------------------------------

/**
 * Redis' pqsort (Bentley & McIlroy's quicksort, from NetBSD), which sorts only the partitions
 * that overlap the range [lrange, rrange] of indexes. Ported operation for operation (the
 * recursion on the left partition becomes a work list: partitions are disjoint, so the order in
 * which they are sorted changes nothing), because it is not stable: elements that compare equal
 * end up where Redis puts them only if the same swaps are made.
 */
export function pqsort<T>(a: T[], n: number, cmp: (x: T, y: T) => number, lrange: number, rrange: number): void {
  const swap = (i: number, j: number): void => {
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  };
  const vecswap = (i: number, j: number, k: number): void => {
    for (; k > 0; k--) swap(i++, j++);
  };
  const med3 = (x: number, y: number, z: number): number =>
    cmp(a[x]!, a[y]!) < 0
      ? cmp(a[y]!, a[z]!) < 0
        ? y
        : cmp(a[x]!, a[z]!) < 0
          ? z
          : x
      : cmp(a[y]!, a[z]!) > 0
        ? y
        : cmp(a[x]!, a[z]!) < 0
          ? x
          : z;
  const outside = (lo: number, hi: number): boolean => (lrange < lo && rrange < lo) || (lrange > hi && rrange > hi);
  const work: number[] = [0, n];
  while (work.length !== 0) {
    let len = work.pop()!;
    let lo = work.pop()!;
    for (;;) {
      if (len < 7) {
        for (let pm = lo + 1; pm < lo + len; pm++) {
          for (let pl = pm; pl > lo && cmp(a[pl - 1]!, a[pl]!) > 0; pl--) swap(pl, pl - 1);
        }
        break;
      }
      let pm = lo + Math.floor(len / 2);
      if (len > 7) {
        let pl = lo;
        let pn = lo + len - 1;
        if (len > 40) {
          const d = Math.floor(len / 8);
          pl = med3(pl, pl + d, pl + 2 * d);
          pm = med3(pm - d, pm, pm + d);
          pn = med3(pn - 2 * d, pn - d, pn);
        }
        pm = med3(pl, pm, pn);
      }
      swap(lo, pm);
      let pa = lo + 1;
      let pb = pa;
      let pc = lo + len - 1;
      let pd = pc;
      for (;;) {
        let r: number;
        while (pb <= pc && (r = cmp(a[pb]!, a[lo]!)) <= 0) {
          if (r === 0) swap(pa++, pb);
          pb++;
        }
        while (pb <= pc && (r = cmp(a[pc]!, a[lo]!)) >= 0) {
          if (r === 0) swap(pc, pd--);
          pc--;
        }
        if (pb > pc) break;
        swap(pb++, pc--);
      }
      const pn = lo + len;
      let r = Math.min(pa - lo, pb - pa);
      vecswap(lo, pb - r, r);
      r = Math.min(pd - pc, pn - pd - 1);
      vecswap(pb, pn - r, r);
      if ((r = pb - pa) > 1 && !outside(lo, lo + r - 1)) work.push(lo, r);
      if ((r = pd - pc) > 1) {
        lo = pn - r;
        len = r;
        if (!outside(lo, lo + r - 1)) continue;
      }
      break;
    }
  }
}

// ---- lookupKeyByPattern ----------------------------------------------------------------------

/** A BY or GET pattern, parsed once (lookupKeyByPattern parses it for every element). */
interface SortPattern {
  /** `#`: the element itself. */
  readonly self: boolean;
  /** No `*`: nothing is ever found. */
  readonly none: boolean;
  /** Bytes before the `*` and after it (up to `->` when there is a field). */
  readonly prefix: string;
  readonly postfix: string;
  /** The hash field after `->` (canonical), or null to read a string key. */
  readonly field: KeyString | null;
}

/**
 * Parse a pattern (a byte string) as lookupKeyByPattern reads it: `#` (up to a NUL) is the
 * element; the first `*` before a NUL is replaced by it; `->` after that `*`, before a NUL and
 * followed by a byte that is not NUL, starts a hash field, which runs to the end of the argument.
 */
function parsePattern(pat: string): SortPattern {
  const nul = pat.indexOf('\0');
  const cpat = nul >= 0 ? pat.slice(0, nul) : pat;
  const none = { self: false, none: true, prefix: '', postfix: '', field: null };
  if (cpat === '#') return { ...none, self: true, none: false };
  const p = cpat.indexOf('*');
  if (p < 0) return none;
  const f = cpat.indexOf('->', p + 1);
  const hasField = f >= 0 && f + 2 < cpat.length;
  return {
    self: false,
    none: false,
    prefix: pat.slice(0, p),
    postfix: pat.slice(p + 1, hasField ? f : pat.length),
    field: hasField ? latin1ToKey(pat.slice(f + 2)) : null,
  };
}

const NON_ASCII = /[^\x00-\x7f]/;

/** A byte string (one char per byte) as a canonical key. */
function latin1ToKey(s: string): KeyString {
  return NON_ASCII.test(s) ? toKey(latin1ToBytes(s)) : s;
}

/**
 * lookupKeyByPattern for a pattern other than `#` and with a `*`: the string value of the key
 * the element names (or of the hash field), undefined when it is missing or of another type.
 */
function lookupByPattern(db: RedisDb, pat: SortPattern, elem: string): StringValue | undefined {
  const o = db.lookupKeyRead(latin1ToKey(pat.prefix + elem + pat.postfix));
  if (o === undefined) return undefined;
  if (pat.field !== null) return isString(o) || o.type !== 'hash' ? undefined : (o as HashObject).get(pat.field);
  return isString(o) ? o : undefined;
}

// ---- SORT ------------------------------------------------------------------------------------

/** One element of the vector to sort (redisSortObject). */
interface SortItem {
  /** The element as a reply (and as a list element for STORE). */
  readonly obj: ListElement;
  /** Its bytes, one char per byte (made when first needed). */
  bytes: string | null;
  score: number;
  /** ALPHA: the string compared, or null for a missing BY key. */
  cmp: string | null;
}

function itemOf(obj: ListElement, bytes: string | null = null): SortItem {
  return { obj, bytes, score: 0, cmp: null };
}

function bytesOf(it: SortItem): string {
  return (it.bytes ??= valueLatin1(it.obj));
}

/** A byte string (a sorted set's member) as a reply: text when ASCII, else bytes. */
function latin1Reply(m: string): ListElement {
  return NON_ASCII.test(m) ? latin1ToBytes(m) : m;
}

/** A C string: the bytes up to the first NUL (what strcoll sees). */
function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul >= 0 ? s.slice(0, nul) : s;
}

function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An option as strcasecmp compares it: the argument up to its first NUL, ASCII case folded. */
function optionIs(a: Arg, lowerName: string): boolean {
  const s = cString(argLatin1(a));
  return s.length === lowerName.length && s.toLowerCase() === lowerName;
}

/** A stored string value as a list element or reply (integers as their text; bytes now shared). */
function valueElement(v: StringValue): ListElement {
  return typeof v === 'number' ? String(v) : shareBytes(v);
}

/**
 * sortCommandGeneric:
 * SORT key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC|DESC] [ALPHA] [STORE destination]
 */
function sortCommandGeneric(c: Client, argv: Arg[], readonly: boolean): Reply {
  let desc = false;
  let alpha = false;
  let limitStart = 0;
  let limitCount = -1;
  let dontsort = false;
  let sortby: SortPattern | null = null;
  let storeArg: Arg | null = null;
  const gets: SortPattern[] = [];
  for (let j = 2; j < argv.length; j++) {
    const leftargs = argv.length - j - 1;
    const a = argv[j]!;
    if (optionIs(a, 'asc')) {
      desc = false;
    } else if (optionIs(a, 'desc')) {
      desc = true;
    } else if (optionIs(a, 'alpha')) {
      alpha = true;
    } else if (optionIs(a, 'limit') && leftargs >= 2) {
      limitStart = Number(parseInt64(argv[j + 1]!));
      limitCount = Number(parseInt64(argv[j + 2]!));
      j += 2;
    } else if (!readonly && optionIs(a, 'store') && leftargs >= 1) {
      storeArg = argv[++j]!;
    } else if (optionIs(a, 'by') && leftargs >= 1) {
      const pat = argLatin1(argv[++j]!);
      sortby = parsePattern(pat);
      // A constant BY skips sorting; a later BY with a pattern does not undo that (as in Redis).
      if (cString(pat).indexOf('*') < 0) dontsort = true;
    } else if (optionIs(a, 'get') && leftargs >= 1) {
      gets.push(parsePattern(argLatin1(argv[++j]!)));
    } else {
      throw syntaxErr();
    }
  }

  const db = c.db;
  const key = toKey(argv[1]!);
  const sortval = db.lookupKeyRead(key) as RedisObject | undefined;
  let type: 'list' | 'set' | 'zset' = 'list';
  if (sortval !== undefined) {
    if (isString(sortval) || (sortval.type !== 'list' && sortval.type !== 'set' && sortval.type !== 'zset')) {
      throw wrongTypeErr();
    }
    type = sortval.type;
  }

  // Redis converts a listpack sorted set to a skiplist, for good. The encoding shows in later
  // replies (ZSCAN, a -0 score), so the conversion is logged, as a SORT that does nothing else.
  // The conversion parses the stored scores with strtod; a subnormal one leaves errno at ERANGE,
  // which the numeric sort below then reads as its own failure (Redis never clears errno there).
  let staleErange = false;
  if (type === 'zset' && (sortval as ZSetObject).listpack) {
    db.beforeInPlaceWrite(key);
    staleErange = zsetConvertToSkiplist(sortval as ZSetObject);
    c.engine.propagate(db.id, ['SORT', argv[1]!, 'BY', 'nosort', 'LIMIT', '0', '0']);
  }

  // A set that is not sorted comes in hash order: STORE sorts it ALPHA instead, so the stored
  // list is the same on every replica (Redis does the same inside scripts; Lodis runs none).
  if (dontsort && type === 'set' && storeArg !== null) {
    dontsort = false;
    alpha = true;
    sortby = null;
  }

  const len =
    sortval === undefined
      ? 0
      : type === 'list'
        ? (sortval as ListObject).length
        : type === 'set'
          ? (sortval as SetObject).size
          : zsetLength(sortval as ZSetObject);

  // LIMIT, made sane and kept within the object's size.
  let start = Math.min(Math.max(limitStart, 0), len);
  limitCount = Math.min(Math.max(limitCount, -1), len);
  let end = limitCount < 0 ? len - 1 : start + limitCount - 1;
  if (start >= len) {
    start = len - 1;
    end = len - 2;
  }
  if (end >= len) end = len - 1;

  // Load the vector. An ordered type that is not sorted is read as the range LIMIT asks for.
  let vector: SortItem[];
  if (dontsort && type !== 'set') {
    const count = start !== 0 || end !== len - 1 ? end - start + 1 : len;
    if (type === 'list') {
      const list = sortval as ListObject | undefined;
      const elems =
        list === undefined || end < start
          ? []
          : desc
            ? list.rangeReverse(len - start - 1, count)
            : list.range(start, count);
      vector = elems.map((e) => itemOf(e));
      if (end >= start) {
        end -= start;
        start = 0;
      }
    } else {
      vector = [];
      zsetRangeByRank(sortval as ZSetObject, start, start + count - 1, desc, (m) => {
        const bytes = keyLatin1(m);
        vector.push(itemOf(latin1Reply(bytes), bytes));
      });
      end -= start;
      start = 0;
    }
  } else if (sortval === undefined) {
    vector = [];
  } else if (type === 'list') {
    vector = [];
    (sortval as ListObject).forEach((e) => vector.push(itemOf(e)));
  } else if (type === 'set') {
    vector = [];
    for (const m of (sortval as SetObject).members()) vector.push(itemOf(keyReply(m), keyLatin1(m)));
  } else {
    // The dict's order (Redis' hash order; Lodis' insertion order): only ties show it.
    vector = [];
    for (const m of (sortval as ZSetObject).dict.keys()) vector.push(itemOf(latin1Reply(m), m));
  }
  const vectorlen = vector.length;

  // Load the scores (or the strings to compare), then sort.
  let conversionError = false;
  if (!dontsort) {
    for (const it of vector) {
      let byval: StringValue | undefined;
      if (sortby !== null) {
        byval = lookupByPattern(db, sortby, bytesOf(it));
        if (byval === undefined) continue;
      }
      if (alpha) {
        if (sortby !== null) it.cmp = storeArg !== null ? valueLatin1(byval!) : cString(valueLatin1(byval!));
        else it.cmp = storeArg !== null ? bytesOf(it) : cString(bytesOf(it));
      } else if (byval !== undefined && isIntEncoded(byval)) {
        it.score = Number(byval); // sort.c reads an int-encoded value without looking at errno
      } else {
        const score = strtodScore(byval !== undefined ? valueLatin1(byval) : bytesOf(it));
        if (score === null || staleErange) conversionError = true;
        else it.score = score;
      }
    }
    if (!conversionError) {
      const cmp = alpha ? compareAlpha : compareNumeric;
      const order = desc ? (x: SortItem, y: SortItem) => -cmp(x, y) : cmp;
      if (sortby !== null && (start !== 0 || end !== vectorlen - 1)) pqsort(vector, vectorlen, order, start, end);
      else vector.sort(order); // glibc's qsort: a stable merge sort
    }
  }

  const rows = end - start + 1;
  const outputlen = gets.length !== 0 ? gets.length * rows : rows;
  if (conversionError) throw sortScoreErr();

  if (storeArg === null) {
    const out: Reply[] = [];
    for (let j = start; j <= end; j++) {
      const it = vector[j]!;
      if (gets.length === 0) out.push(it.obj);
      for (const g of gets) {
        if (g.self) out.push(it.obj);
        else {
          const v = g.none ? undefined : lookupByPattern(db, g, bytesOf(it));
          out.push(v === undefined ? null : valueElement(v));
        }
      }
    }
    return out;
  }

  const stored: ListElement[] = [];
  for (let j = start; j <= end; j++) {
    const it = vector[j]!;
    if (gets.length === 0) stored.push(it.obj);
    for (const g of gets) {
      if (g.self) stored.push(it.obj);
      else {
        const v = g.none ? undefined : lookupByPattern(db, g, bytesOf(it));
        stored.push(v === undefined ? '' : valueElement(v));
      }
    }
  }
  const dst = toKey(storeArg);
  if (outputlen !== 0) {
    const existed = db.lookupKeyWrite(dst) !== undefined; // setKey's lookup
    db.setKey(dst, ListObject.from(stored));
    c.engine.notifyKeyspaceEvent(NOTIFY_LIST, 'sortstore', dst, db.id);
    c.engine.dirty += outputlen;
    if (existed) c.engine.propagate(db.id, ['DEL', storeArg]);
    c.rewriteArgv(['RPUSH', storeArg, ...stored]);
  } else if (db.dbDelete(dst)) {
    c.engine.signalModifiedKey(db, dst);
    c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', dst, db.id);
    c.engine.dirty++;
    c.rewriteArgv(['DEL', storeArg]);
  }
  return outputlen;
}

/** sortCompare, numeric: by score, then by the elements' bytes (so the order is determined). */
/**
 * Whether Redis would hold this value int-encoded: SET and friends store a canonical integer of
 * at most 20 bytes as OBJ_ENCODING_INT (tryObjectEncoding). Values Lodis keeps as bytes come from
 * APPEND, SETRANGE and the bit commands, which leave Redis' value raw.
 */
function isIntEncoded(v: StringValue): boolean {
  return typeof v === 'number' || (typeof v === 'string' && string2l(v) !== null);
}

function compareNumeric(a: SortItem, b: SortItem): number {
  if (a.score > b.score) return 1;
  if (a.score < b.score) return -1;
  return compareBytes(bytesOf(a), bytesOf(b));
}

/** sortCompare, ALPHA: a missing BY value sorts first. */
function compareAlpha(a: SortItem, b: SortItem): number {
  const x = a.cmp;
  const y = b.cmp;
  if (x === null || y === null) return x === y ? 0 : x === null ? -1 : 1;
  return compareBytes(x, y);
}

/** SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] [STORE destination] */
function sortCommand(c: Client, argv: Arg[]): Reply {
  return sortCommandGeneric(c, argv, false);
}

/** SORT_RO key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC] [ALPHA] */
function sortroCommand(c: Client, argv: Arg[]): Reply {
  return sortCommandGeneric(c, argv, true);
}

export const sortCommands: CommandHandlers = {
  sort: sortCommand,
  sort_ro: sortroCommand,
};
