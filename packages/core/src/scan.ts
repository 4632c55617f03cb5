/**
 * Incremental iteration with cursors (Redis' dictScan, as SCAN, HSCAN, SSCAN and ZSCAN use it).
 *
 * Redis' cursor is a position in a hash table, reversed-bits so that rehashing never makes it
 * miss an element. Lodis' collections are JS Maps and Sets, whose live iterators already give the
 * guarantee SCAN promises: an iterator visits, in insertion order, every entry that is present
 * from the moment it is created to the moment it finishes, survives inserts and deletes, and
 * visits each entry at most once (an entry deleted and added again may be seen twice; SCAN allows
 * that). So a cursor is an opaque id for a live iterator kept between calls:
 *
 * - A full iteration costs O(N) in total; each call does O(COUNT) work (Redis' bound).
 * - Every call retires the cursor it was given and hands out a new nonzero id; the iteration ends
 *   with cursor 0, as in Redis.
 * - The table of live cursors is bounded: the least recently used are dropped past
 *   SCAN_MAX_CURSORS, and any left idle for SCAN_CURSOR_IDLE_MS (an abandoned iterator can keep
 *   a rehashed Map's old table, and what it held, alive). A cursor that is unknown — dropped,
 *   already used, from another database, or never issued — starts the iteration again from the
 *   beginning. It still returns every element present for the whole
 *   iteration (possibly some twice), which is all SCAN guarantees; it never errors, as Redis
 *   accepts any number as a cursor.
 */
import { invalidCursorErr } from './errors.js';
import { argLatin1, type Arg } from './sds.js';

/** Live cursors kept per collection; older ones are dropped (and restart if used). */
export const SCAN_MAX_CURSORS = 128;
/** A cursor unused for this long (by the engine's clock) is dropped. */
export const SCAN_CURSOR_IDLE_MS = 5 * 60_000;

// Cursor ids are unique in this JS realm, so a cursor from one collection is unknown to another.
let nextCursorId = 1;

interface ScanState<T> {
  readonly it: Iterator<T>;
  /** An element taken from the iterator to learn whether the iteration is over, not yet visited. */
  pending: T | undefined;
  hasPending: boolean;
  /** When it was handed out (engine time), for dropping idle cursors. */
  issuedAt: number;
}

/** The cursors of one collection (a database's keys, a hash's fields, a set's members …). */
export class ScanCursors<T> {
  private readonly live = new Map<number, ScanState<T>>();

  constructor(private readonly maxCursors = SCAN_MAX_CURSORS) {}

  /**
   * One SCAN call: continue the iteration `cursor` (0, or an unknown cursor: start a new one with
   * `start()`), passing up to `count` elements to `visit`, and return the cursor to reply with
   * (0 when the iteration is complete). `present` tells whether an element taken from the
   * iterator in a previous call still exists (it may have been deleted since).
   */
  step(
    cursor: bigint,
    count: number,
    start: () => Iterator<T>,
    visit: (element: T) => void,
    present: (element: T) => boolean,
    now = 0,
  ): number {
    this.prune(now);
    let state = cursor === 0n ? undefined : this.live.get(Number(cursor));
    if (state !== undefined) this.live.delete(Number(cursor));
    else state = { it: start(), pending: undefined, hasPending: false, issuedAt: now };
    let visited = 0;
    if (state.hasPending) {
      const element = state.pending as T;
      state.pending = undefined;
      state.hasPending = false;
      visited++;
      if (present(element)) visit(element);
    }
    for (; visited < count; visited++) {
      const r = state.it.next();
      if (r.done) return 0;
      visit(r.value);
    }
    // Look one element ahead, so an iteration that ends exactly here replies 0 as Redis would.
    const r = state.it.next();
    if (r.done) return 0;
    state.pending = r.value;
    state.hasPending = true;
    state.issuedAt = now;
    const id = nextCursorId++;
    this.live.set(id, state);
    if (this.live.size > this.maxCursors) this.live.delete(this.live.keys().next().value!);
    return id;
  }

  /** Drop cursors idle for SCAN_CURSOR_IDLE_MS (oldest first: the table is in order of use). */
  prune(now: number): void {
    for (const [id, state] of this.live) {
      if (now - state.issuedAt <= SCAN_CURSOR_IDLE_MS) break;
      this.live.delete(id);
    }
  }

  /** Forget every cursor (the collection was emptied or replaced); they restart if used. */
  clear(): void {
    this.live.clear();
  }

  get size(): number {
    return this.live.size;
  }
}

/**
 * parseScanCursorOrReply: the cursor as C's strtoul reads it — decimal, optional sign (a negative
 * number wraps around), no leading space, nothing after the digits, at most 2^64-1; an empty
 * string is 0. Otherwise "invalid cursor".
 */
export function parseScanCursor(a: Arg): bigint {
  let s = argLatin1(a);
  const nul = s.indexOf('\0');
  if (nul >= 0) s = s.slice(0, nul); // C stops at the first NUL
  if (s.length === 0) return 0n;
  const m = /^([+-]?)([0-9]+)$/.exec(s);
  if (m === null) throw invalidCursorErr();
  const v = BigInt(m[2]!);
  if (v > 0xffffffffffffffffn) throw invalidCursorErr();
  return m[1] === '-' ? (0x10000000000000000n - v) & 0xffffffffffffffffn : v;
}
