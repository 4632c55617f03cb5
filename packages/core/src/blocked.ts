/**
 * Sessions blocked on keys (blocked.c): BLPOP, BRPOP, BLMOVE, BLMPOP, BRPOPLPUSH, and later
 * BZPOPMIN/BZPOPMAX/BZMPOP and XREAD/XREADGROUP with BLOCK.
 *
 * A blocking command's handler first tries to serve itself as its non-blocking twin would; when
 * every key is empty it returns `blockForKeys(c, keys, deadline, timeoutReply, kind)`. The session
 * then waits: its reply is deferred (Client.deferReply), and the front holds later commands of the
 * same session back until it is unblocked, as Redis holds a blocked connection.
 *
 * When a key of the right kind is added (RedisDb.dbAdd/setKey call `signalKeyAsReady`; XADD too,
 * as streams can exist empty), the key is queued as ready; after the command that made it ready
 * (and, later, after EXEC), `handleClientsBlockedOnKeys` runs the blocked commands again, oldest
 * waiter first per key (Redis' FIFO), until the key is empty again. A command that still finds
 * nothing stays blocked in its place; one that is served is unblocked with its reply, and its
 * effects are logged like any command's — BLPOP served logs the LPOP its handler rewrote itself to
 * (Redis 7.2's reprocessing of blocked commands, which replies exactly as 7.0's serve functions).
 *
 * Timeouts: the deadline is absolute (engine clock, ms; 0 = forever). A timer per blocked session
 * (the engine's `timers`) checks it against the clock and re-arms while the clock is behind, so an
 * injected clock controls when a timeout fires; `checkBlockedTimeouts` runs the check at once.
 */
import type { Client } from './client.js';
import { err, ReplyError } from './errors.js';
import type { RedisDb } from './keyspace.js';
import { objectType, type ObjectType, type RedisObject } from './object.js';
import type { Reply } from './reply.js';
import { argLatin1, type Arg, type KeyString } from './sds.js';
import type { Engine } from './server.js';
import { string2ll } from './util.js';

/** What a session waits for on its keys (Redis' BLOCKED_LIST, BLOCKED_ZSET, BLOCKED_STREAM). */
export type BlockedKind = Extract<ObjectType, 'list' | 'zset' | 'stream'>;

/** A blocked session's state (Client.blocked). */
export interface BlockedState {
  readonly kind: BlockedKind;
  readonly db: RedisDb;
  readonly keys: readonly KeyString[];
  /** Absolute ms on the engine clock; 0 = no timeout. */
  readonly deadline: number;
  readonly timeoutReply: Reply;
  /** The command to run again when a key is ready. */
  readonly argv: Arg[];
  /** Settles the deferred reply. */
  readonly resolve: (r: Reply) => void;
  /** The operation id it was sent with: its reply is logged with the pop's effects (opreplies.ts). */
  readonly op: { readonly origin: string; readonly n: number } | null;
  timer: unknown;
}

export interface EngineTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /**
   * Let this timer keep the runtime alive (Node's timer.ref()): the engine's own timers do not,
   * but a blocked command's timeout is awaited by someone, as a socket keeps a client alive.
   */
  ref?(handle: unknown): void;
}

const UNIT_SECONDS = 'seconds';

/**
 * getTimeoutFromObjectOrReply: a timeout argument as an absolute deadline (0 = block forever).
 * Seconds may have decimals (parsed as Redis' strtold, truncated to ms); milliseconds are integers.
 */
export function getTimeoutFromArg(c: Client, a: Arg, unit: 'seconds' | 'milliseconds'): number {
  let ms: number;
  const s = typeof a === 'string' ? a : argLatin1(a);
  if (unit === UNIT_SECONDS) {
    const v = parseTimeoutSeconds(s);
    if (v === null) throw err('timeout is not a float or out of range');
    // (long long)(ftval * 1000.0): truncation; inf and values past int64 land on LLONG_MIN (x86).
    const t = v * 1000;
    ms = Number.isFinite(t) && Math.abs(t) < 9.223372036854776e18 ? Math.trunc(t) : -Infinity;
    if (Object.is(ms, -0)) ms = 0;
  } else {
    const v = string2ll(s); // getLongLongFromObjectOrReply: "-0" and leading zeros are refused
    if (v === null) throw err('timeout is not an integer or out of range');
    ms = typeof v === 'number' ? v : v < 0n ? -Infinity : Number.MAX_SAFE_INTEGER;
  }
  if (ms < 0) throw err('timeout is negative');
  return ms > 0 ? c.engine.now + ms : 0;
}

/** strtold's accepted syntax as string2ld checks it: no spaces, the whole string, no NaN. */
function parseTimeoutSeconds(s: string): number | null {
  if (s.length === 0 || s.length > 5120 || /^\s/.test(s)) return null;
  let v: number;
  if (/^[+-]?0[xX]/.test(s)) {
    // strtold reads hex floats too ("0x10" is 16 seconds).
    const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?$/.exec(s);
    if (m === null || (m[2] === '' && (m[3] ?? '') === '')) return null;
    const int = m[2] ? parseInt(m[2], 16) : 0;
    const frac = m[3] ? parseInt(m[3], 16) / 16 ** m[3].length : 0;
    v = (int + frac) * 2 ** Number(m[4] ?? 0) * (m[1] === '-' ? -1 : 1);
  } else if (/^[+-]?(inf|infinity)$/i.test(s)) {
    v = s.startsWith('-') ? -Infinity : Infinity;
  } else if (/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(s)) {
    v = Number(s);
  } else return null;
  return Number.isNaN(v) ? null : v;
}

/**
 * Block `c` on `keys` (a handler found them all empty): returns the placeholder reply the handler
 * returns; the real one comes later. Called again while reprocessing a blocked command that still
 * finds nothing, it leaves the session blocked where it was (its place in each key's queue, its
 * deadline).
 */
export function blockForKeys(c: Client, keys: readonly KeyString[], deadline: number, timeoutReply: Reply, kind: BlockedKind): Reply {
  const engine = c.engine;
  if (c.denyBlocking) return timeoutReply; // CLIENT_DENY_BLOCKING (inside EXEC): as if timed out at once
  if (c.blocked !== null) return timeoutReply; // reprocessing: stays blocked as it was
  let resolve!: (r: Reply) => void;
  const reply = new Promise<Reply>((r) => (resolve = r));
  const state: BlockedState = { kind, db: c.db, keys: [...new Set(keys)], deadline, timeoutReply, argv: c.argv!, resolve, op: c.op, timer: null };
  c.blocked = state;
  const waiting = engine.blocking.keysOf(c.db);
  for (const key of state.keys) {
    let q = waiting.get(key);
    if (q === undefined) waiting.set(key, (q = new Set()));
    q.add(c);
  }
  engine.blocking.count++;
  armTimeout(c, state);
  c.deferReply(reply);
  return timeoutReply;
}

function armTimeout(c: Client, state: BlockedState): void {
  if (state.deadline === 0) return;
  const timers = c.engine.timers;
  if (timers === null) return; // checked by checkBlockedTimeouts (active expire cycle)
  const wait = Math.max(0, state.deadline - c.engine.clock());
  state.timer = timers.setTimeout(() => {
    state.timer = null;
    if (c.blocked !== state) return;
    if (c.engine.clock() >= state.deadline) unblockClient(c, state.timeoutReply);
    else armTimeout(c, state);
  }, Math.min(wait, 2 ** 31 - 1));
  timers.ref?.(state.timer);
}

/** Unblock `c` with `reply`. */
export function unblockClient(c: Client, reply: Reply): void {
  const state = c.blocked;
  if (state === null) return;
  c.blocked = null;
  const engine = c.engine;
  engine.blocking.count--;
  if (state.timer !== null) engine.timers?.clearTimeout(state.timer);
  const waiting = engine.blocking.keysOf(state.db);
  for (const key of state.keys) {
    const q = waiting.get(key);
    if (q === undefined) continue;
    q.delete(c);
    if (q.size === 0) waiting.delete(key);
  }
  state.resolve(reply);
  c.onUnblocked?.();
}

/** Sessions whose deadline has passed get their timeout reply (also run by the active expire cycle). */
export function checkBlockedTimeouts(engine: Engine): void {
  if (engine.blocking.count === 0) return;
  const now = engine.clock();
  for (const clients of [engine.clients.values(), engine.detachedClients]) {
    for (const c of clients) {
      const s = c.blocked;
      if (s !== null && s.deadline !== 0 && now >= s.deadline) unblockClient(c, s.timeoutReply);
    }
  }
}

/** The sessions blocked on keys, per database, and the keys made ready by the current command. */
export class BlockingState {
  /** Blocked sessions (server.blocked_clients). */
  count = 0;
  private readonly byDb = new Map<RedisDb, Map<KeyString, Set<Client>>>();
  /** Keys that may serve waiters, in the order they became ready (server.ready_keys). */
  ready: { db: RedisDb; key: KeyString }[] = [];
  private readySet = new Set<string>();
  /** The ready key whose waiters are being run again (a blocked XREAD serves that key only). */
  servingKey: KeyString | null = null;

  keysOf(db: RedisDb): Map<KeyString, Set<Client>> {
    let m = this.byDb.get(db);
    if (m === undefined) this.byDb.set(db, (m = new Map()));
    return m;
  }

  /** Whether anyone waits on `key` of `db`. */
  hasWaiters(db: RedisDb, key: KeyString): boolean {
    return this.count !== 0 && (this.byDb.get(db)?.has(key) ?? false);
  }

  /** SWAPDB exchanges what two databases hold: the waiters stay with their db index (scanDatabaseForReadyKeys follows). */
  swapped(a: RedisDb, b: RedisDb): void {
    for (const db of [a, b]) {
      const waiting = this.byDb.get(db);
      if (waiting === undefined) continue;
      const other = db === a ? b : a; // holds what db held before the swap
      for (const key of waiting.keys()) {
        const v = db.dict.get(key);
        if (v !== undefined) signalKeyAsReady(db, key, v);
        // scanDatabaseForDeletedStreams: a stream gone from under XREADGROUP waiters.
        const old = other.dict.get(key);
        if (old !== undefined && objectType(old) === 'stream' && (v === undefined || objectType(v) !== 'stream')) {
          signalKeyAsReady(db, key, old);
        }
      }
    }
  }

  markReady(db: RedisDb, key: KeyString): void {
    const id = db.id + ':' + key;
    if (this.readySet.has(id)) return;
    this.readySet.add(id);
    this.ready.push({ db, key });
  }

  takeReady(): { db: RedisDb; key: KeyString }[] {
    const r = this.ready;
    this.ready = [];
    this.readySet = new Set();
    return r;
  }
}

/**
 * A stream was deleted or overwritten (dbGenericDelete, dbOverwrite, FLUSHDB): XREADGROUP
 * sessions blocked on it end with an error, so the key is signalled with the old value.
 */
export function signalDeletedStream(db: RedisDb, key: KeyString, old: RedisObject | undefined): void {
  if (old !== undefined && typeof old === 'object' && !(old instanceof Uint8Array) && old.type === 'stream') {
    signalKeyAsReady(db, key, old);
  }
}

/** signalKeyAsReady: `key` of `db` now holds `val`; sessions blocked on it for that type may be served. */
export function signalKeyAsReady(db: RedisDb, key: KeyString, val: RedisObject): void {
  const blocking = db.engine.blocking;
  if (!blocking.hasWaiters(db, key)) return;
  const type = objectType(val);
  if (type === 'list' || type === 'zset' || type === 'stream') blocking.markReady(db, key);
}

/**
 * handleClientsBlockedOnKeys: for each ready key, run the commands blocked on it again, oldest
 * first, while the key still has what they wait for. Serving one may make other keys ready
 * (BLMOVE pushes to its destination): the loop goes on until none is left.
 */
export function handleClientsBlockedOnKeys(engine: Engine): void {
  const blocking = engine.blocking;
  while (blocking.ready.length !== 0) {
    for (const { db, key } of blocking.takeReady()) {
      const q = blocking.keysOf(db).get(key);
      if (q === undefined) continue;
      for (const c of [...q]) {
        const state = c.blocked;
        if (state === null || state.db !== db) continue;
        const val = db.dict.get(key);
        // A stream waiter runs again whatever the key holds: XREADGROUP fails when its stream is
        // gone (unblockDeletedStreamReadgroupClients), XREAD keeps waiting.
        if (state.kind !== 'stream' && (val === undefined || objectType(val) !== state.kind)) break;
        // The command runs again as the session that sent it, on the db it blocked in.
        const saved = c.db;
        c.db = state.db;
        blocking.servingKey = key;
        const reply = engine.reprocessBlocked(c, state.argv);
        blocking.servingKey = null;
        c.db = saved;
        if (c.blocked === state && reply === state.timeoutReply && !(reply instanceof ReplyError)) continue; // still nothing for it
        unblockClient(c, reply);
      }
    }
  }
}
