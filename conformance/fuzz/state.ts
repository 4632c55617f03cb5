/**
 * The state check after each round: every database's keys, types, string values and TTLs, read
 * from redis-server with KEYS/TYPE/GET/PTTL over an inspector connection, and from Lodis' own
 * keyspace (lodis-probe.ts), then compared.
 */
import type { Store } from '../../packages/core/src/store.js';
import type { RedisConnection } from '../redis-client.js';
import { bulkPayload, splitArrayElements } from '../resp.js';
import { commandLine, showRaw } from './format.js';
import { snapshotDb } from './lodis-probe.js';
import { TYPE_VALUE_READERS } from './type-values.js';
import type { Arg } from './values.js';

export interface RedisKeyState {
  type: string;
  value: string | null;
  pttl: bigint;
}

/** TTLs of the two sides may differ by how far apart they ran the command that set them. */
const PTTL_TOLERANCE = 1000n;

/** Every key of every database, as redis-server sees it; and how many commands that took. */
export async function redisSnapshot(conn: RedisConnection, dbs: number): Promise<{ dbs: Map<string, RedisKeyState>[]; commands: number }> {
  const p1: Arg[][] = [];
  for (let db = 0; db < dbs; db++) p1.push(['SELECT', String(db)], ['KEYS', '*']);
  const r1 = await conn.pipeline(p1);
  const keys = Array.from({ length: dbs }, (_, db) => (splitArrayElements(r1[db * 2 + 1]!) ?? []).map((e) => bulkPayload(e) ?? ''));
  const p2: Arg[][] = [];
  for (let db = 0; db < dbs; db++) {
    if (!keys[db]!.length) continue;
    p2.push(['SELECT', String(db)]);
    for (const k of keys[db]!) p2.push(['TYPE', Buffer.from(k, 'latin1')], ['PTTL', Buffer.from(k, 'latin1')]);
  }
  const r2 = await conn.pipeline(p2);
  // Then each value, read as its type is read (GET for strings, type-values.ts for the others).
  const p3: Arg[][] = [];
  const types: string[][] = [];
  const pttls: bigint[][] = [];
  let pos = 0;
  for (let db = 0; db < dbs; db++) {
    types.push([]);
    pttls.push([]);
    if (!keys[db]!.length) continue;
    pos++; // SELECT
    p3.push(['SELECT', String(db)]);
    for (const k of keys[db]!) {
      const type = r2[pos++]!.slice(1, -2);
      pttls[db]!.push(BigInt(r2[pos++]!.slice(1, -2)));
      types[db]!.push(type);
      const key = Buffer.from(k, 'latin1');
      p3.push(TYPE_VALUE_READERS[type]?.redisRead(key) ?? ['GET', key]);
    }
  }
  const r3 = await conn.pipeline(p3);
  const out: Map<string, RedisKeyState>[] = [];
  pos = 0;
  for (let db = 0; db < dbs; db++) {
    const m = new Map<string, RedisKeyState>();
    if (keys[db]!.length) pos++; // SELECT
    keys[db]!.forEach((k, i) => {
      const type = types[db]![i]!;
      const raw = r3[pos++]!;
      const reader = TYPE_VALUE_READERS[type];
      const value = reader ? reader.fromRedis(raw) : raw[0] === '$' ? bulkPayload(raw) : null;
      m.set(k, { type, value, pttl: pttls[db]![i]! });
    });
    out.push(m);
  }
  return { dbs: out, commands: p1.length + p2.length + p3.length };
}

/** What differs between Redis' view of database `db` and Lodis' (empty when they agree). */
export function diffDb(redis: Map<string, RedisKeyState>, store: Store, db: number, now: number): string[] {
  const { keys: lodis, problems } = snapshotDb(store, db, now);
  const lines = [...problems];
  const key = (k: string): string => commandLine([Buffer.from(k, 'latin1')], 60);
  const list = (ks: string[]): string => `${ks.slice(0, 12).map(key).join(' ')}${ks.length > 12 ? ' …' : ''}`;
  const onlyRedis = [...redis.keys()].filter((k) => !lodis.has(k));
  const onlyLodis = [...lodis.keys()].filter((k) => !redis.has(k));
  if (onlyRedis.length) lines.push(`keys only in redis: ${list(onlyRedis)}`);
  if (onlyLodis.length) lines.push(`keys only in lodis: ${list(onlyLodis)}`);
  for (const [k, r] of redis) {
    const l = lodis.get(k);
    if (!l || lines.length > 14) continue;
    if (r.type !== l.type) lines.push(`${key(k)}: type ${r.type} vs ${l.type}`);
    else if (r.value !== null && r.value !== l.value) {
      lines.push(`${key(k)}: value ${showRaw(r.value, 150)}  vs  ${showRaw(l.value ?? '(none)', 150)}`);
    }
    const lttl = l.expireAt === -1n ? -1n : l.expireAt - BigInt(now);
    const diff = r.pttl > lttl ? r.pttl - lttl : lttl - r.pttl;
    if ((r.pttl === -1n) !== (lttl === -1n) || (r.pttl !== -1n && diff > PTTL_TOLERANCE)) {
      lines.push(`${key(k)}: pttl ${r.pttl} vs ${lttl}`);
    }
  }
  return lines;
}
