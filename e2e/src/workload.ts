/**
 * The write workload of the e2e tests, as a pure function of the op index: the test page (in
 * Chromium) and the model (a plain in-memory store in Node) generate the same command for op `i`,
 * so Node can compute what the browser's store must hold after any prefix of the ops without
 * shipping the ops across.
 *
 * The mix covers what the log must turn into effects: relative TTLs (SET PX, GETEX PX), reads
 * that write (GETEX, GETDEL, SET … GET), INCR counters, bitmaps, HyperLogLogs, binary values,
 * another database, and keys that expire on their own (150 ms TTLs: gone by the time anything is
 * checked). TTLs are either ≤ 150 ms or ≥ 1 hour, so no key is at the edge when it is checked.
 */

export type WorkloadArg = string | number | Uint8Array;

export interface WorkloadOp {
  /** The database the op runs in (the page keeps one session per database). */
  readonly db: number;
  readonly argv: WorkloadArg[];
}

/** Short TTL: expired by the time anything is checked (checks wait ≥ SHORT_TTL_SETTLE_MS). */
export const SHORT_TTL_MS = 150;
export const SHORT_TTL_SETTLE_MS = 400;
/** The second database the workload writes. */
export const OTHER_DB = 3;
const HOUR = 3_600_000;

const isShortLived = (i: number) => i % 40 === 0;

/** Bytes that are not text: exercise binary-safe values in the log and snapshot encodings. */
function binaryValue(i: number): Uint8Array {
  const b = new Uint8Array(8 + (i % 24));
  for (let j = 0; j < b.length; j++) b[j] = (i * 31 + j * 131) & 0xff;
  b[0] = 0xff; // never valid UTF-8
  return b;
}

/** The string key written by op `j` (kind 0), if it lives for hours; else an earlier one. */
function longLivedStringKey(i: number): string | null {
  for (let j = i - (i % 5); j >= 0; j -= 5) if (!isShortLived(j)) return `s:${j}`;
  return null;
}

/** Op `i` of the workload. */
export function workloadOp(i: number): WorkloadOp {
  switch (i % 5) {
    case 0:
      // SET key value PX ttl: logged with an absolute PEXPIREAT / PXAT.
      return { db: 0, argv: ['SET', `s:${i}`, `v:${i}`, 'PX', isShortLived(i) ? SHORT_TTL_MS : HOUR + i] };
    case 1:
      return { db: 0, argv: ['INCR', `c:${Math.floor(i / 5) % 10}`] };
    case 2:
      return { db: 0, argv: ['SETBIT', 'bits', i, 1] };
    case 3:
      return { db: 0, argv: ['PFADD', 'hll', `el:${i}`] };
    default: {
      const k = longLivedStringKey(i - 4);
      switch (Math.floor(i / 5) % 5) {
        case 0:
          return { db: OTHER_DB, argv: ['SET', `b:${i}`, binaryValue(i), 'EX', 86_400] };
        case 1:
          // A read that writes: a new relative TTL on an earlier key.
          return k ? { db: 0, argv: ['GETEX', k, 'PX', 2 * HOUR + i] } : { db: 0, argv: ['INCR', 'c:x'] };
        case 2:
          return { db: OTHER_DB, argv: ['INCRBY', `n:${i % 7}`, i] };
        case 3:
          // SET … GET keeping the TTL.
          return k ? { db: 0, argv: ['SET', k, `w:${i}`, 'KEEPTTL', 'GET'] } : { db: 0, argv: ['INCR', 'c:y'] };
        default:
          // Every other time, delete an earlier key as a side effect of a read.
          return i % 2 === 0 && k ? { db: 0, argv: ['GETDEL', k] } : { db: OTHER_DB, argv: ['APPEND', 'log', `${i},`] };
      }
    }
  }
}

/** One key as the dump reports it: enough to compare two stores exactly. */
export interface DumpEntry {
  readonly db: number;
  readonly key: string;
  readonly type: string;
  /** PEXPIRETIME: absolute ms, or -1. */
  readonly pexpiretime: number;
  /** Strings (bitmaps and HLLs are strings): the value's bytes as hex; other types: null. */
  readonly value: string | null;
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return s;
}

/** Sort a dump (SCAN order differs between stores). */
export function sortDump(entries: DumpEntry[]): DumpEntry[] {
  return entries.slice().sort((a, b) => a.db - b.db || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
