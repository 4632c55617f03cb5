/**
 * How the state check reads a collection's whole value on both sides, as one canonical string
 * per key (state.ts compares them). Strings are read with GET; every other type adds an entry
 * here when it lands: the command that reads it from redis-server, how to turn that reply into
 * the canonical form, and the same form from Lodis' object. Unordered types (sets, hash fields)
 * sort in the canonical form; ordered ones (lists, sorted sets, streams) keep their order.
 */
import type { TypedObject } from '../../packages/core/src/object.js';
import type { HashObject } from '../../packages/core/src/types/hash.js';
import type { ListObject } from '../../packages/core/src/types/list.js';
import type { SetObject } from '../../packages/core/src/types/set.js';
import type { ZSetObject } from '../../packages/core/src/types/zset.js';
import { doubleReplyText } from '../../packages/core/src/double.js';
import { keyLatin1, valueLatin1 } from '../../packages/core/src/sds.js';
import { bulkPayload, splitArrayElements } from '../resp.js';
import type { Arg } from './values.js';

export interface TypeValueReader {
  /** The command reading the whole value from redis-server (e.g. LRANGE key 0 -1). */
  redisRead(key: Buffer): Arg[];
  /** The canonical form from that command's raw RESP2 reply. */
  fromRedis(raw: string): string;
  /** The canonical form from Lodis' value. */
  fromLodis(value: TypedObject): string;
}

/** By Redis type name (TYPE's reply). */
export const TYPE_VALUE_READERS: Partial<Record<string, TypeValueReader>> = {
  list: {
    redisRead: (key) => ['LRANGE', key, '0', '-1'],
    fromRedis: (raw) => JSON.stringify((splitArrayElements(raw) ?? []).map((e) => bulkPayload(e))),
    fromLodis: (v) => JSON.stringify((v as ListObject).toArray().map((e) => Buffer.from(e).toString('latin1'))),
  },
  hash: {
    redisRead: (key) => ['HGETALL', key],
    fromRedis: (raw) => {
      const els = (splitArrayElements(raw) ?? []).map((e) => bulkPayload(e) ?? '');
      const pairs: [string, string][] = [];
      for (let i = 0; i + 1 < els.length; i += 2) pairs.push([els[i]!, els[i + 1]!]);
      return canonicalPairs(pairs);
    },
    fromLodis: (v) => canonicalPairs([...(v as HashObject).entries()].map(([f, x]) => [keyLatin1(f), valueLatin1(x)])),
  },
  set: {
    redisRead: (key) => ['SMEMBERS', key],
    fromRedis: (raw) => canonicalMembers((splitArrayElements(raw) ?? []).map((e) => bulkPayload(e) ?? '')),
    fromLodis: (v) => canonicalMembers([...(v as SetObject)].map(keyLatin1)),
  },
  // Pairs in order, each score as ZSCORE prints it (17 significant digits, -0 apart from 0).
  zset: {
    redisRead: (key) => ['ZRANGE', key, '0', '-1', 'WITHSCORES'],
    fromRedis: (raw) => {
      const els = (splitArrayElements(raw) ?? []).map((e) => bulkPayload(e) ?? '');
      const pairs: [string, string][] = [];
      for (let i = 0; i + 1 < els.length; i += 2) pairs.push([els[i]!, els[i + 1]!]);
      return JSON.stringify(pairs);
    },
    fromLodis: (v) => {
      const pairs: [string, string][] = [];
      (v as ZSetObject).forEach((m, s) => pairs.push([m, doubleReplyText(s)]));
      return JSON.stringify(pairs);
    },
  },
};

/** Set members (byte strings), sorted: a set has no order. */
export function canonicalMembers(members: string[]): string {
  return JSON.stringify(members.sort());
}

/** Field/value pairs (byte strings) sorted by field: a hash table's order is Redis' hash order. */
function canonicalPairs(pairs: [string, string][]): string {
  return JSON.stringify(pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}
