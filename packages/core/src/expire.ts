/**
 * Expiry (expire.c): the EXPIRE family, TTL/PTTL/EXPIRETIME/PEXPIRETIME, PERSIST, TOUCH, and the
 * active expire cycle that reclaims expired keys nobody reads.
 *
 * Expire times are absolute unix ms, int64 exact (number while safe, bigint beyond). A relative
 * TTL is logged as the absolute PEXPIREAT it became, and an expire time already in the past is
 * logged as the DEL it caused, so replaying the log reproduces the same state at any later time.
 */
import type { Client } from './client.js';
import type { CommandHandlers } from './commands.js';
import {
  expireGtLtCompatErr,
  expireNxCompatErr,
  invalidExpireErr,
  unsupportedOptionErr,
} from './errors.js';
import { handleClientsBlockedOnKeys } from './blocked.js';
import { LOOKUP_NOTOUCH } from './keyspace.js';
import { NOTIFY_GENERIC } from './notify.js';
import type { Reply } from './reply.js';
import { argIs, argLatin1, toKey, type Arg } from './sds.js';
import type { Engine } from './server.js';
import { LLONG_MAX, LLONG_MIN, normInt64, parseInt64, type Int64 } from './util.js';

// ---- the active expire cycle ----------------------------------------------------------------

/** Keys sampled per loop (ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP). */
const KEYS_PER_LOOP = 20;
/** Keep going on a db while more than this % of a sample was expired (…_ACCEPTABLE_STALE). */
const ACCEPTABLE_STALE = 10;
/** Databases visited per call (CRON_DBS_PER_CALL). */
const DBS_PER_CALL = 16;
/**
 * A hard cap on loops per call, for runtimes whose clock stands still while code runs (Cloudflare
 * Workers freeze Date.now and performance.now during a request), where the time limit never hits.
 */
const MAX_LOOPS_PER_CALL = 1000;

interface CycleState {
  /** The next db to look at (Redis' static current_db). */
  currentDb: number;
  /** The previous call ran out of time: visit every db this time. */
  timelimitExit: boolean;
}
const cycleStates = new WeakMap<Engine, CycleState>();

const elapsedClock: () => number =
  typeof globalThis.performance?.now === 'function' ? () => globalThis.performance.now() : Date.now;

export interface ActiveExpireOptions {
  /** Wall-clock time budget for one call, in ms (default 1). */
  timeLimitMs?: number;
}

/**
 * activeExpireCycle (the slow cycle, which serverCron runs 10 times a second): walk each db's
 * expires with a persistent cursor, 20 keys at a time, deleting the expired ones, and keep going
 * on a db while more than 10% of a sample was expired; stop when the time budget is spent (the
 * next call resumes at the next db, and visits them all). Deletions go through deleteExpiredKey:
 * logged as DEL, `expired` fired. Expiry is judged by the engine's clock (injectable); the time
 * budget by the real one.
 */
export function activeExpireCycle(engine: Engine, options: ActiveExpireOptions = {}): void {
  if (engine.loading) return; // the log being replayed says which keys expired, and when
  if (!engine.activeExpireEnabled) return;
  let state = cycleStates.get(engine);
  if (state === undefined) cycleStates.set(engine, (state = { currentDb: 0, timelimitExit: false }));
  const timeLimit = options.timeLimitMs ?? 1;
  const start = elapsedClock();
  const dbs = engine.dbs;
  const dbsPerCall = state.timelimitExit ? dbs.length : Math.min(DBS_PER_CALL, dbs.length);
  state.timelimitExit = false;
  engine.resetNow();
  const now = engine.now;
  let loops = 0;
  for (let j = 0; j < dbsPerCall && !state.timelimitExit; j++) {
    const db = dbs[state.currentDb % dbs.length]!;
    state.currentDb = (state.currentDb + 1) % dbs.length;
    db.scanCursors.prune(now); // abandoned SCAN iterations, while we are here
    let sampled: number;
    let expired: number;
    do {
      loops++;
      if (db.expires.size === 0) break;
      const num = Math.min(db.expires.size, KEYS_PER_LOOP);
      sampled = 0;
      expired = 0;
      while (sampled < num && db.expires.size !== 0) {
        db.expiresCursor ??= db.expires.entries();
        const r = db.expiresCursor.next();
        if (r.done) {
          db.expiresCursor = null; // wrap around
          continue;
        }
        const [key, when] = r.value;
        if (now > when) {
          db.deleteExpiredKey(key);
          expired++;
        }
        sampled++;
      }
      // Redis looks at the clock every 16 loops; deleting costs more here, so every 4.
      if ((loops & 3) === 0 || loops >= MAX_LOOPS_PER_CALL) {
        if (elapsedClock() - start > timeLimit || loops >= MAX_LOOPS_PER_CALL) {
          state.timelimitExit = true;
          break;
        }
      }
    } while (sampled !== 0 && Math.floor((expired * 100) / sampled) > ACCEPTABLE_STALE);
  }
  // beforeSleep: a stream that expired ends the XREADGROUP sessions blocked on it.
  if (engine.blocking.ready.length !== 0) handleClientsBlockedOnKeys(engine);
}

// ---- commands -------------------------------------------------------------------------------

const EXPIRE_NX = 1 << 0;
const EXPIRE_XX = 1 << 1;
const EXPIRE_GT = 1 << 2;
const EXPIRE_LT = 1 << 3;

/** parseExtendedExpireArgumentsOrReply: NX | XX | GT | LT from argv[3] on. */
function parseExpireFlags(argv: Arg[]): number {
  let flags = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = argv[j]!;
    if (argIs(opt, 'nx')) flags |= EXPIRE_NX;
    else if (argIs(opt, 'xx')) flags |= EXPIRE_XX;
    else if (argIs(opt, 'gt')) flags |= EXPIRE_GT;
    else if (argIs(opt, 'lt')) flags |= EXPIRE_LT;
    else throw unsupportedOptionErr(argLatin1(opt).split('\0')[0]!); // %s stops at a NUL
  }
  if (flags & EXPIRE_NX && flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT)) throw expireNxCompatErr();
  if (flags & EXPIRE_GT && flags & EXPIRE_LT) throw expireGtLtCompatErr();
  return flags;
}

const SECONDS_MAX = LLONG_MAX / 1000n;
const SECONDS_MIN = LLONG_MIN / 1000n; // C division truncates toward zero, as bigint's does

/**
 * The absolute expire time in ms for `param` in `unit` added to `basetime` (0 for the *AT forms),
 * or Redis' "invalid expire time" error when the unit conversion or the addition overflows int64.
 */
function expireTimeOrReply(param: Arg, seconds: boolean, basetime: number, fullname: string): Int64 {
  const v = parseInt64(param);
  if (typeof v === 'number') {
    // The common case, exact in doubles: |v| * 1000 + basetime stays below 2^53.
    const ms = seconds ? v * 1000 : v;
    const when = ms + basetime;
    if (Number.isSafeInteger(ms) && Number.isSafeInteger(when)) return when;
  }
  let when = BigInt(v);
  if (seconds) {
    if (when > SECONDS_MAX || when < SECONDS_MIN) throw invalidExpireErr(fullname);
    when *= 1000n;
  }
  if (when > LLONG_MAX - BigInt(basetime)) throw invalidExpireErr(fullname);
  return normInt64(when + BigInt(basetime));
}

/**
 * expireGenericCommand: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT. `basetime` is now for the relative
 * forms and 0 for the absolute ones.
 */
function expireGenericCommand(c: Client, argv: Arg[], basetime: number, seconds: boolean, fullname: string): Reply {
  const flags = parseExpireFlags(argv);
  const when = expireTimeOrReply(argv[2]!, seconds, basetime, fullname);
  const db = c.db;
  const key = toKey(argv[1]!);
  if (db.lookupKeyWrite(key) === undefined) return 0;
  if (flags) {
    const current = db.getExpire(key);
    if (flags & EXPIRE_NX && current !== -1) return 0;
    if (flags & EXPIRE_XX && current === -1) return 0;
    // No TTL counts as an infinite one: GT never beats it, LT always does.
    if (flags & EXPIRE_GT && (current === -1 || when <= current)) return 0;
    if (flags & EXPIRE_LT && current !== -1 && when >= current) return 0;
  }
  if (when <= c.engine.now && !c.engine.loading) {
    // checkAlreadyExpired: delete now, and log it as the DEL it is (not while loading: a
    // replayed PEXPIREAT sets the time it set originally, and the key expires after the load).
    db.dbDelete(key);
    c.engine.dirty++;
    c.rewriteArgv(['DEL', argv[1]!]);
    c.engine.signalModifiedKey(db, key);
    c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'del', key, db.id);
    return 1;
  }
  db.setExpire(key, when);
  if (fullname !== 'pexpireat') c.rewriteArgv(['PEXPIREAT', argv[1]!, String(when), ...argv.slice(3)]);
  c.engine.signalModifiedKey(db, key);
  c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'expire', key, db.id);
  c.engine.dirty++;
  return 1;
}

/** EXPIRE key seconds [NX | XX | GT | LT] */
function expireCommand(c: Client, argv: Arg[]): Reply {
  return expireGenericCommand(c, argv, c.engine.now, true, 'expire');
}

/** EXPIREAT key unix-time-seconds [NX | XX | GT | LT] */
function expireatCommand(c: Client, argv: Arg[]): Reply {
  return expireGenericCommand(c, argv, 0, true, 'expireat');
}

/** PEXPIRE key milliseconds [NX | XX | GT | LT] */
function pexpireCommand(c: Client, argv: Arg[]): Reply {
  return expireGenericCommand(c, argv, c.engine.now, false, 'pexpire');
}

/** PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT] */
function pexpireatCommand(c: Client, argv: Arg[]): Reply {
  return expireGenericCommand(c, argv, 0, false, 'pexpireat');
}

/**
 * ttlGenericCommand: TTL, PTTL, EXPIRETIME, PEXPIRETIME. -2 when the key does not exist, -1 when
 * it has no TTL; seconds are rounded to the nearest ((ms + 500) / 1000).
 */
function ttlGenericCommand(c: Client, argv: Arg[], ms: boolean, absolute: boolean): Reply {
  const key = toKey(argv[1]!);
  if (c.db.lookupKeyRead(key, LOOKUP_NOTOUCH) === undefined) return -2;
  const expire = c.db.getExpire(key);
  if (expire === -1) return -1;
  if (typeof expire === 'number') {
    const ttl = Math.max(absolute ? expire : expire - c.engine.now, 0);
    return ms ? ttl : Math.floor((ttl + 500) / 1000);
  }
  let ttl = absolute ? expire : expire - BigInt(c.engine.now);
  if (ttl < 0n) ttl = 0n;
  // (ttl+500)/1000 does not wrap in Redis either: EXPIRETIME after PEXPIREAT k 9223372036854775807
  // replies 9223372036854776 (the compiler knows ttl >= 0 and divides unsigned).
  return normInt64(ms ? ttl : (ttl + 500n) / 1000n);
}

/** TTL key */
function ttlCommand(c: Client, argv: Arg[]): Reply {
  return ttlGenericCommand(c, argv, false, false);
}

/** PTTL key */
function pttlCommand(c: Client, argv: Arg[]): Reply {
  return ttlGenericCommand(c, argv, true, false);
}

/** EXPIRETIME key */
function expiretimeCommand(c: Client, argv: Arg[]): Reply {
  return ttlGenericCommand(c, argv, false, true);
}

/** PEXPIRETIME key */
function pexpiretimeCommand(c: Client, argv: Arg[]): Reply {
  return ttlGenericCommand(c, argv, true, true);
}

/** PERSIST key */
function persistCommand(c: Client, argv: Arg[]): Reply {
  const db = c.db;
  const key = toKey(argv[1]!);
  if (db.lookupKeyWrite(key) === undefined || !db.removeExpire(key)) return 0;
  c.engine.signalModifiedKey(db, key);
  c.engine.notifyKeyspaceEvent(NOTIFY_GENERIC, 'persist', key, db.id);
  c.engine.dirty++;
  return 1;
}

/** TOUCH key [key ...] — Lodis keeps no access times; this counts the keys that exist. */
function touchCommand(c: Client, argv: Arg[]): Reply {
  let touched = 0;
  for (let j = 1; j < argv.length; j++) if (c.db.lookupKeyRead(toKey(argv[j]!)) !== undefined) touched++;
  return touched;
}

export const expireCommands: CommandHandlers = {
  expire: expireCommand,
  expireat: expireatCommand,
  pexpire: pexpireCommand,
  pexpireat: pexpireatCommand,
  ttl: ttlCommand,
  pttl: pttlCommand,
  expiretime: expiretimeCommand,
  pexpiretime: pexpiretimeCommand,
  persist: persistCommand,
  touch: touchCommand,
};
