/**
 * Reactive keys: every change of the keys matching a glob, whatever `notify-keyspace-events` says
 * and without changing what it publishes — `store.watchKeys(pattern, handler)` and
 * `for await (const change of store.keyChanges(pattern))` (api/keywatch.ts), in-process and, through
 * @lodis/web-worker, from every tab.
 *
 * The source is the engine's keyspace events (notify.c's notifyKeyspaceEvent, fired exactly where
 * Redis fires them): an Engine with keyspace observers calls each of them for every event, before
 * and independently of the notify-keyspace-events flags; with none, it pays one size check. A
 * watcher sees the event classes of `A` (generic, string, list, set, hash, zset, stream, expired,
 * evicted, module) — not `keymiss` (no change) nor `new` (always followed by the command's own
 * event). FLUSHDB, FLUSHALL and SWAPDB fire no keyspace event in Redis; watchers get them key by
 * key, as `flushdb`, `flushall` and `swapdb`, so a view of the data never goes stale. Nothing is
 * observed while the store loads what its persistence holds (that is not a change).
 *
 * Observers run inside the command; what a watcher is handed is delivered later (a microtask), so
 * a handler may run commands, and a transaction's changes arrive together after its EXEC.
 */
import type { CommandArg } from './api/transport.js';
import { NOTIFY_ALL, NOTIFY_GENERIC } from './notify.js';
import type { RedisDb } from './keyspace.js';
import { argLatin1, bytesToLatin1, keyLatin1, keyReply, utf8DecodeLossy, type KeyString } from './sds.js';
import type { Engine } from './server.js';
import { stringmatchlen } from './util.js';

/** Called for every keyspace event of the engine: the event's class (NOTIFY_*), name, key and db. */
export type KeyspaceObserver = (type: number, event: string, key: KeyString, dbid: number) => void;

/** One change of a watched key. */
export interface KeyChange {
  /** The key (text; bytes that are not UTF-8 are decoded as U+FFFD, as `call` decodes replies). */
  readonly key: string;
  /** The keyspace event: `set`, `del`, `expired`, `lpush`, `hset`, `rename_to`, `flushdb` … */
  readonly event: string;
  /** The database the key is in. */
  readonly db: number;
}

export interface WatchKeysOptions {
  /** Only changes in this database (default: every database). */
  db?: number;
}

/** The event classes a watcher sees: those of `A`. */
export const KEY_CHANGE_CLASSES = NOTIFY_ALL;

/** A watched glob (Redis' stringmatchlen rules, over the key's bytes) and database. */
export class KeyPattern {
  /** The pattern as a byte string (one char per byte). */
  private readonly glob: string;
  readonly db: number | null;

  constructor(pattern: CommandArg, db: number | null = null) {
    this.glob =
      typeof pattern === 'string' ? argLatin1(pattern.toWellFormed()) : pattern instanceof Uint8Array ? bytesToLatin1(pattern) : String(pattern);
    if (db !== null && !Number.isInteger(db)) throw new TypeError(`Lodis: watchKeys db must be an integer, got ${db}`);
    this.db = db;
  }

  matches(key: KeyString, dbid: number): boolean {
    return (this.db === null || this.db === dbid) && stringmatchlen(this.glob, keyLatin1(key));
  }
}

/** A key as a watcher gets it. */
export function keyChangeKey(key: KeyString): string {
  const k = keyReply(key);
  return typeof k === 'string' ? k : utf8DecodeLossy(k);
}

/**
 * Observe the engine's key changes (the classes of `A`, not while loading) until the returned
 * function is called.
 */
export function observeKeyChanges(engine: Engine, observer: KeyspaceObserver): () => void {
  const filtered: KeyspaceObserver = (type, event, key, dbid) => {
    if (type & KEY_CHANGE_CLASSES && !engine.loading) observer(type, event, key, dbid);
  };
  engine.keyspaceObservers.add(filtered);
  return () => void engine.keyspaceObservers.delete(filtered);
}

/**
 * FLUSHDB / FLUSHALL are about to empty `dbid` (-1: every database): tell the observers of each
 * key that goes. Called by the engine only when there are observers.
 */
export function observeFlush(engine: Engine, dbid: number): void {
  const event = dbid === -1 ? 'flushall' : 'flushdb';
  for (const db of dbid === -1 ? engine.dbs : [engine.dbs[dbid]!]) {
    for (const key of db.dict.keys()) notifyObservers(engine, event, key, db.id);
  }
}

/** SWAPDB is about to exchange `a` and `b`: every key of either changes in both. */
export function observeSwap(engine: Engine, a: RedisDb, b: RedisDb): void {
  for (const key of a.dict.keys()) {
    notifyObservers(engine, 'swapdb', key, a.id);
    notifyObservers(engine, 'swapdb', key, b.id);
  }
  for (const key of b.dict.keys()) {
    if (a.dict.has(key)) continue;
    notifyObservers(engine, 'swapdb', key, a.id);
    notifyObservers(engine, 'swapdb', key, b.id);
  }
}

function notifyObservers(engine: Engine, event: string, key: KeyString, dbid: number): void {
  for (const o of engine.keyspaceObservers) o(NOTIFY_GENERIC, event, key, dbid);
}

/**
 * One watcher of an in-process engine: the changes matching its pattern, handed to `deliver` in
 * batches, one per microtask. `stop()` ends it at once: nothing is delivered after, not even a
 * batch already gathered.
 */
export class KeyWatcher {
  private batch: KeyChange[] = [];
  private scheduled = false;
  private readonly unobserve: () => void;
  private stopped = false;

  constructor(
    engine: Engine,
    private readonly pattern: KeyPattern,
    private readonly deliver: (changes: KeyChange[]) => void,
  ) {
    this.unobserve = observeKeyChanges(engine, this.observe);
  }

  private readonly observe: KeyspaceObserver = (_type, event, key, dbid) => {
    if (!this.pattern.matches(key, dbid)) return;
    this.batch.push({ key: keyChangeKey(key), event, db: dbid });
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(this.flush);
  };

  private readonly flush = (): void => {
    this.scheduled = false;
    const batch = this.batch;
    this.batch = [];
    if (!this.stopped) this.deliver(batch);
  };

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.batch = [];
    this.unobserve();
  }
}
