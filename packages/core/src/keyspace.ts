/**
 * The keyspace (db.c): numbered databases, each a Map from key to value plus a Map from key to
 * its absolute expiry time in ms. Keys are canonical strings (sds.ts). Every read goes through
 * lookupKeyRead/lookupKeyWrite, which expire a key lazily when its time has passed, so a store
 * with no timers (edge runtimes) still never returns an expired key.
 */
import type { Engine } from './server.js';
import type { RedisObject } from './object.js';
import type { KeyString } from './sds.js';
import { NOTIFY_EXPIRED } from './notify.js';

export class RedisDb {
  readonly dict = new Map<KeyString, RedisObject>();
  readonly expires = new Map<KeyString, number>();
  /** activeExpireCycle's place in `expires` (Redis' db->expires_cursor). */
  expiresCursor: Iterator<[KeyString, number]> | null = null;

  constructor(
    readonly id: number,
    readonly engine: Engine,
  ) {}

  get size(): number {
    return this.dict.size;
  }

  /** lookupKeyRead: the value, after expiring the key if its time has passed. */
  lookupKeyRead(key: KeyString): RedisObject | undefined {
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return undefined;
    return this.dict.get(key);
  }

  /** lookupKeyWrite: as lookupKeyRead (Lodis has no replicas, so the two only differ in intent). */
  lookupKeyWrite(key: KeyString): RedisObject | undefined {
    if (this.expires.size !== 0 && this.expireIfNeeded(key)) return undefined;
    return this.dict.get(key);
  }

  /** True when the key exists (after lazy expiry). */
  exists(key: KeyString): boolean {
    return this.lookupKeyRead(key) !== undefined;
  }

  /** dbAdd: add a key that does not exist. */
  dbAdd(key: KeyString, val: RedisObject): void {
    this.dict.set(key, val);
  }

  /**
   * setKey: create or overwrite a key, dropping its TTL unless `keepTtl`, and signal the change
   * to WATCH. Notifications are the caller's, as in Redis.
   */
  setKey(key: KeyString, val: RedisObject, keepTtl = false): void {
    this.dict.set(key, val);
    if (!keepTtl && this.expires.size !== 0) this.expires.delete(key);
    this.engine.signalModifiedKey(this, key);
  }

  /** Replace a key's value in place (same key, TTL kept), e.g. after APPEND turned text into bytes. */
  dbOverwrite(key: KeyString, val: RedisObject): void {
    this.dict.set(key, val);
  }

  /** dbDelete: remove a key and its TTL; true if it existed. */
  dbDelete(key: KeyString): boolean {
    if (!this.dict.delete(key)) return false;
    if (this.expires.size !== 0) this.expires.delete(key);
    return true;
  }

  /** setExpire: `when` is absolute unix time in ms. */
  setExpire(key: KeyString, when: number): void {
    this.expires.set(key, when);
  }

  /** getExpire: absolute ms, or -1 when the key has no TTL. */
  getExpire(key: KeyString): number {
    return this.expires.get(key) ?? -1;
  }

  /** removeExpire (PERSIST): true if there was a TTL. */
  removeExpire(key: KeyString): boolean {
    return this.expires.delete(key);
  }

  /** keyIsExpired: Redis compares `now > when`. */
  keyIsExpired(key: KeyString): boolean {
    const when = this.expires.get(key);
    return when !== undefined && this.engine.now > when;
  }

  /**
   * expireIfNeeded: delete the key if its time has passed, propagate the deletion to the log as a
   * DEL and fire the `expired` event. True when the key is (now) gone.
   */
  expireIfNeeded(key: KeyString): boolean {
    if (!this.keyIsExpired(key)) return false;
    this.deleteExpiredKey(key);
    return true;
  }

  /** deleteExpiredKeyAndPropagate */
  deleteExpiredKey(key: KeyString): void {
    this.dbDelete(key);
    this.engine.stat.expiredKeys++;
    this.engine.propagateDeletion(this, key);
    this.engine.notifyKeyspaceEvent(NOTIFY_EXPIRED, 'expired', key, this.id);
    this.engine.signalModifiedKey(this, key);
  }

  /** emptyDb for one database (FLUSHDB). */
  clear(): void {
    this.dict.clear();
    this.expires.clear();
    this.expiresCursor = null;
  }
}


// ---- keyspace commands (db.c) ------------------------------------------------------------
// SKELETON: DEL EXISTS KEYS SCAN … are added by the keys work.
import type { CommandHandlers } from './commands.js';

export const keyspaceCommands: CommandHandlers = {};
