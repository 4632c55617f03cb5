/**
 * What the harness reads from inside a Lodis store without going through its commands (so the
 * state check works whichever command families have landed): the keyspace of every database,
 * a session's selected database, and a raw view of a session's pushed messages.
 */
import { unblockClient } from '../../packages/core/src/blocked.js';
import type { Client } from '../../packages/core/src/client.js';
import type { Reply } from '../../packages/core/src/reply.js';
import { keyLatin1, toKey, valueBytes, type StringValue } from '../../packages/core/src/sds.js';
import { isString, objectType, type RedisObject } from '../../packages/core/src/object.js';
import type { Store } from '../../packages/core/src/store.js';
import { TYPE_VALUE_READERS } from './type-values.js';
import type { Arg } from './values.js';

/** A session's engine-side client (the store's transport keeps it privately). */
export function clientOf(s: Store): Client {
  return (s as unknown as { transport: { client: Client } }).transport.client;
}

/** Deliver the session's pushed replies raw (the public onPush decodes them). */
export function onRawPush(s: Store, fn: (m: Reply) => void): void {
  clientOf(s).onPush = fn;
}

export interface KeyState {
  type: string;
  /** The value's bytes as a byte string, for string values. */
  value: string | null;
  /** Absolute expiry in ms, or -1n. */
  expireAt: bigint;
}

/** Every live key of database `db`, keyed by its bytes (one char per byte). */
export function snapshotDb(store: Store, db: number, now: number): { keys: Map<string, KeyState>; problems: string[] } {
  const d = store.engine.dbs[db]!;
  const keys = new Map<string, KeyState>();
  const problems: string[] = [];
  for (const [k, v] of d.dict) {
    const when = BigInt(d.expires.get(k) ?? -1);
    if (when !== -1n && BigInt(now) > when) continue; // logically expired, not yet collected
    keys.set(keyLatin1(k), {
      type: objectType(v),
      value: isString(v)
        ? Buffer.from(valueBytes(v as StringValue)).toString('latin1')
        : (TYPE_VALUE_READERS[objectType(v)]?.fromLodis(v) ?? null),
      expireAt: when,
    });
  }
  for (const k of d.expires.keys()) {
    if (!d.dict.has(k)) problems.push(`expires map holds ${JSON.stringify(keyLatin1(k))}, which is not in the keyspace`);
  }
  return { keys, problems };
}

/** Whether `key` is live in database `db`. */
export function keyExists(store: Store, db: number, key: Arg): boolean {
  const d = store.engine.dbs[db]!;
  const k = toKey(key);
  if (!d.dict.has(k)) return false;
  const when = d.expires.get(k);
  return when === undefined || Date.now() <= when;
}

/** The canonical form (type-values.ts) of the collection `key` holds in database `db`, or null. */
export function collectionValue(store: Store, db: number, key: Arg): string | null {
  const d = store.engine.dbs[db]!;
  const k = toKey(key);
  const v = d.dict.get(k);
  const when = d.expires.get(k);
  if (v === undefined || isString(v) || (when !== undefined && Date.now() > when)) return null;
  return TYPE_VALUE_READERS[objectType(v)]?.fromLodis(v) ?? null;
}

/** The value `key` holds in database `db` (undefined when missing or expired), as the engine keeps it. */
export function liveValue(store: Store, db: number, key: Arg): RedisObject | undefined {
  const d = store.engine.dbs[db]!;
  const k = toKey(key);
  const when = d.expires.get(k);
  return when !== undefined && Date.now() > when ? undefined : d.dict.get(k);
}

/** The longest value `key` holds in any database (0 when absent or not a string). */
export function maxValueLength(store: Store, key: Arg): number {
  const k = toKey(key);
  let max = 0;
  for (const d of store.engine.dbs) {
    const v = d.dict.get(k);
    if (v !== undefined && isString(v)) max = Math.max(max, valueBytes(v as StringValue).length);
  }
  return max;
}

/**
 * If the session's last command blocked (BLPOP on empty keys …), time it out now, as if its
 * deadline had passed: true when it had blocked.
 */
export function timeOutBlocked(s: Store): boolean {
  const c = clientOf(s);
  if (c.blocked === null) return false;
  unblockClient(c, c.blocked.timeoutReply);
  c.deferredReply = null;
  return true;
}

/** Empty every database and put the session back on db 0 (after a divergent round). */
export function resetStore(store: Store, sessions: Store[]): void {
  for (const d of store.engine.dbs) d.clear();
  for (const s of sessions) clientOf(s).db = store.engine.dbs[0]!;
}
