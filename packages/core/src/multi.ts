/**
 * Transactions (multi.c): MULTI EXEC DISCARD WATCH UNWATCH.
 *
 * MULTI puts the session in a state where processCommand (server.ts) checks each command as
 * usual and queues it instead of running it, replying QUEUED. A command refused while queueing
 * (unknown, wrong arity, not allowed in a transaction, refused by the engine's gate) flags the
 * transaction, and EXEC then fails with EXECABORT. EXEC runs the queued commands back to back
 * through call(), so nothing interleaves with them — other sessions, other tabs (the leader runs
 * them in one turn), timers and active expiry all wait. Their effects are logged one after the
 * other in the same synchronous turn, so they land in one log batch, which is written and
 * replayed whole or not at all (aof.ts).
 *
 * WATCH keeps, per database, the sessions watching each key. signalModifiedKey (every change
 * of a key: writes, expiry, eviction) marks them dirty (CLIENT_DIRTY_CAS); FLUSHDB, FLUSHALL and
 * SWAPDB touch every watched key that exists (touchAllWatchedKeysInDb); EXEC of a dirty session
 * replies with a null array. As in Redis 7.0, a key that had already expired when it was watched
 * does not count as changed when it is deleted, and EXEC fails if a watched key expired since.
 */
import type { Client } from './client.js';
import { CMD_LOADING, type CommandHandlers, type RedisCommand } from './commands.js';
import {
  discardWithoutMultiErr,
  execAbortErr,
  execWithoutMultiErr,
  multiNestedErr,
  watchInsideMultiErr,
} from './errors.js';
import type { RedisDb } from './keyspace.js';
import { NULL_ARRAY, OK, type Reply } from './reply.js';
import { toKey, type Arg, type KeyString } from './sds.js';
import type { Engine } from './server.js';

/** A queued command (multiCmd). */
interface MultiCmd {
  readonly cmd: RedisCommand;
  readonly argv: Arg[];
}

/** A session's transaction (client->mstate, with CLIENT_DIRTY_EXEC). */
export class MultiState {
  readonly commands: MultiCmd[] = [];
  /** The union of the queued commands' flags (mstate.cmd_flags). */
  cmdFlags = 0;
  /** The union of the flags some queued command lacks (mstate.cmd_inv_flags). */
  cmdInvFlags = 0;
  /** A command was refused while queueing: EXEC fails with EXECABORT (CLIENT_DIRTY_EXEC). */
  dirtyExec = false;
}

/** watchedKey: one session watching one key of one database. */
export interface WatchedKey {
  readonly key: KeyString;
  readonly db: RedisDb;
  readonly client: Client;
  /** The key had already expired when WATCH was called. */
  expired: boolean;
}

/** Every session's watched keys, per database and key (db->watched_keys). */
export class Watches {
  private readonly byDb = new Map<RedisDb, Map<KeyString, WatchedKey[]>>();
  /** Watched (session, key) pairs in all databases: the fast path when nobody watches. */
  count = 0;

  keysOf(db: RedisDb): Map<KeyString, WatchedKey[]> | undefined {
    return this.byDb.get(db);
  }

  add(wk: WatchedKey): void {
    let m = this.byDb.get(wk.db);
    if (m === undefined) this.byDb.set(wk.db, (m = new Map()));
    let list = m.get(wk.key);
    if (list === undefined) m.set(wk.key, (list = []));
    list.push(wk);
    this.count++;
  }

  remove(wk: WatchedKey): void {
    const m = this.byDb.get(wk.db);
    const list = m?.get(wk.key);
    if (list === undefined) return;
    const i = list.indexOf(wk);
    if (i < 0) return;
    list.splice(i, 1);
    this.count--;
    if (list.length === 0) {
      m!.delete(wk.key);
      if (m!.size === 0) this.byDb.delete(wk.db);
    }
  }
}

/** queueMultiCommand: keep the command for EXEC (nothing, once the transaction is doomed). */
export function queueMultiCommand(c: Client, cmd: RedisCommand, argv: Arg[]): void {
  const m = c.mstate!;
  if (c.dirtyCas || m.dirtyExec) return;
  m.commands.push({ cmd, argv });
  m.cmdFlags |= cmd.flags;
  m.cmdInvFlags |= ~cmd.flags;
}

/** flagTransaction: a command refused inside MULTI dooms the transaction. */
export function flagTransaction(c: Client): void {
  if (c.mstate !== null) c.mstate.dirtyExec = true;
}

/** discardTransaction: leave MULTI, forget the queue and every watched key. */
export function discardTransaction(c: Client): void {
  c.mstate = null;
  c.dirtyCas = false;
  unwatchAllKeys(c);
}

/**
 * A session's transaction state lost with the engine it lived on (a front moved it to another
 * engine: @lodis/web-worker's leader change). What was WATCHed cannot be known to be unchanged,
 * and what was queued is gone, so the transaction is doomed, as on a dropped connection: a session
 * that was watching gets CLIENT_DIRTY_CAS (its EXEC replies null), one that was in MULTI gets a
 * MULTI flagged CLIENT_DIRTY_EXEC (what it queues is dropped, its EXEC fails with EXECABORT and
 * DISCARD ends it). A transaction never runs unwatched or half-queued.
 */
export function restoreLostTransaction(c: Client, watching: boolean, inMulti: boolean): void {
  if (watching) c.dirtyCas = true;
  if (inMulti) {
    const m = new MultiState();
    m.dirtyExec = true;
    c.mstate = m;
  }
}

/**
 * The flags EXEC is judged by in processCommand's checks: its own plus what its commands need
 * (a transaction with a write is refused as a write; one with a command that is refused while
 * loading is refused while loading).
 */
export function execEffectiveFlags(c: Client, cmd: RedisCommand): number {
  const m = c.mstate;
  if (m === null) return cmd.flags;
  let flags = cmd.flags | m.cmdFlags;
  if (m.cmdInvFlags & CMD_LOADING) flags &= ~CMD_LOADING;
  return flags;
}

/** MULTI */
function multiCommand(c: Client): Reply {
  if (c.mstate !== null) throw multiNestedErr();
  c.mstate = new MultiState();
  return OK;
}

/** DISCARD */
function discardCommand(c: Client): Reply {
  if (c.mstate === null) throw discardWithoutMultiErr();
  discardTransaction(c);
  return OK;
}

/** EXEC */
function execCommand(c: Client): Reply {
  const m = c.mstate;
  if (m === null) throw execWithoutMultiErr();
  if (isWatchedKeyExpired(c)) c.dirtyCas = true;
  if (c.dirtyCas || m.dirtyExec) {
    discardTransaction(c);
    if (m.dirtyExec) throw execAbortErr();
    return NULL_ARRAY;
  }
  unwatchAllKeys(c); // as soon as possible: its own writes must not flag it
  const engine = c.engine;
  const wasDenyingBlocking = c.denyBlocking;
  c.denyBlocking = true; // a blocking command inside EXEC replies at once, as at its timeout
  const out: Reply[] = [];
  try {
    for (const q of m.commands) out.push(engine.call(c, q.cmd, q.argv));
  } finally {
    c.denyBlocking = wasDenyingBlocking;
    discardTransaction(c);
  }
  return out;
}

/** WATCH key [key ...] */
function watchCommand(c: Client, argv: Arg[]): Reply {
  if (c.mstate !== null) throw watchInsideMultiErr();
  if (c.dirtyCas) return OK; // no point: EXEC will fail anyway
  for (let j = 1; j < argv.length; j++) watchForKey(c, toKey(argv[j]!));
  return OK;
}

/** UNWATCH */
function unwatchCommand(c: Client): Reply {
  unwatchAllKeys(c);
  c.dirtyCas = false;
  return OK;
}

function watchForKey(c: Client, key: KeyString): void {
  const db = c.db;
  for (const wk of c.watchedKeys) if (wk.db === db && wk.key === key) return;
  const wk: WatchedKey = { key, db, client: c, expired: db.keyIsExpired(key) };
  c.watchedKeys.push(wk);
  c.engine.watches.add(wk);
}

/** unwatchAllKeys (the caller clears CLIENT_DIRTY_CAS when it should). */
export function unwatchAllKeys(c: Client): void {
  if (c.watchedKeys.length === 0) return;
  const watches = c.engine.watches;
  for (const wk of c.watchedKeys) watches.remove(wk);
  c.watchedKeys = [];
}

/** isWatchedKeyExpired: a watched key (alive when watched) has expired since. */
function isWatchedKeyExpired(c: Client): boolean {
  for (const wk of c.watchedKeys) if (!wk.expired && wk.db.keyIsExpired(wk.key)) return true;
  return false;
}

/** touchWatchedKey: `key` of `db` changed; EXEC of every session watching it will fail. */
export function touchWatchedKey(engine: Engine, db: RedisDb, key: KeyString): void {
  const list = engine.watches.keysOf(db)?.get(key);
  if (list === undefined) return;
  for (const wk of [...list]) {
    if (wk.expired) {
      // Watched when already expired: its deletion is no logical change.
      if (!db.dict.has(key)) {
        wk.expired = false;
        continue;
      }
      break; // Redis 7.0 stops here (its loop `break`s): later watchers of the key stay clean
    }
    wk.client.dirtyCas = true;
    unwatchAllKeys(wk.client); // nothing more to learn for this session
  }
}

/**
 * touchAllWatchedKeysInDb: `emptied` loses its keys (FLUSHDB, FLUSHALL) or gets `replacedWith`'s
 * (SWAPDB, called for each side before the swap): every watched key that exists in either
 * changes, except an expired one that stays expired or is just gone.
 */
export function touchAllWatchedKeysInDb(engine: Engine, emptied: RedisDb, replacedWith: RedisDb | null): void {
  const m = engine.watches.keysOf(emptied);
  if (m === undefined) return;
  for (const [key, list] of [...m]) {
    const existsInEmptied = emptied.dict.has(key);
    if (!existsInEmptied && !(replacedWith !== null && replacedWith.dict.has(key))) continue;
    for (const wk of list) {
      if (wk.expired) {
        if (replacedWith === null || !replacedWith.dict.has(key)) {
          wk.expired = false; // an expired key now deleted: no logical change
          continue;
        } else if (replacedWith.keyIsExpired(key)) {
          continue; // an expired key stays expired
        }
      } else if (!existsInEmptied && replacedWith!.keyIsExpired(key)) {
        wk.expired = true; // a missing key replaced by an expired one
        continue;
      }
      wk.client.dirtyCas = true;
    }
  }
}

export const multiCommands: CommandHandlers = {
  multi: multiCommand,
  exec: execCommand,
  discard: discardCommand,
  watch: watchCommand,
  unwatch: unwatchCommand,
};
