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
import { streamIDReply, streamIterate, type StreamObject } from '../../packages/core/src/types/stream.js';
import { streamRadixTreeNodes } from '../../packages/core/src/types/stream-cgroups.js';
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
  stream: {
    redisRead: (key) => ['XINFO', 'STREAM', key, 'FULL', 'COUNT', '0'],
    fromRedis: streamFromRedis,
    fromLodis: streamFromLodis,
  },
};

/**
 * A stream as XINFO STREAM … FULL COUNT 0 shows it, but the clock readings (delivery and seen
 * times) and what follows from the rest (the lag): the counters, node count and radix tree size,
 * every entry, and each group (in name order) with its last id, entries-read, PEL (id, consumer,
 * delivery count) and consumers (in name order) with the ids they hold.
 */
export interface StreamState {
  length: number;
  radixTreeKeys: number;
  radixTreeNodes: number;
  lastId: string;
  maxDeletedEntryId: string;
  entriesAdded: string;
  firstId: string;
  entries: [string, string[]][];
  groups: { name: string; lastId: string; entriesRead: string | null; pel: [string, string, string][]; consumers: [string, string[]][] }[];
}

/** A RESP2 reply as nested arrays of byte strings (integers as their digits, nulls as null). */
type Tree = string | null | Tree[];
function tree(raw: string): Tree {
  if (raw[0] === '*') {
    const els = splitArrayElements(raw);
    return els === null ? null : els.map(tree);
  }
  if (raw[0] === '$') return bulkPayload(raw);
  return raw.slice(1, -2);
}
/** A RESP2 map (flat key/value array) as a Map. */
function fields(t: Tree): Map<string, Tree> {
  const m = new Map<string, Tree>();
  const a = Array.isArray(t) ? t : [];
  for (let i = 0; i + 1 < a.length; i += 2) m.set(String(a[i]), a[i + 1]!);
  return m;
}
const arr = (t: Tree | undefined): Tree[] => (Array.isArray(t) ? t : []);

function streamFromRedis(raw: string): string {
  const f = fields(tree(raw));
  const state: StreamState = {
    length: Number(f.get('length')),
    radixTreeKeys: Number(f.get('radix-tree-keys')),
    radixTreeNodes: Number(f.get('radix-tree-nodes')),
    lastId: String(f.get('last-generated-id')),
    maxDeletedEntryId: String(f.get('max-deleted-entry-id')),
    entriesAdded: String(f.get('entries-added')),
    firstId: String(f.get('recorded-first-entry-id')),
    entries: arr(f.get('entries')).map((e) => [String(arr(e)[0]), arr(arr(e)[1]).map(String)]),
    groups: arr(f.get('groups')).map((gt) => {
      const g = fields(gt);
      const er = g.get('entries-read');
      return {
        name: String(g.get('name')),
        lastId: String(g.get('last-delivered-id')),
        entriesRead: er === null || er === undefined ? null : String(er),
        pel: arr(g.get('pending')).map((p) => [String(arr(p)[0]), String(arr(p)[1]), String(arr(p)[3])] as [string, string, string]),
        consumers: arr(g.get('consumers')).map((ct) => {
          const c = fields(ct);
          return [String(c.get('name')), arr(c.get('pending')).map((p) => String(arr(p)[0]))] as [string, string[]];
        }),
      };
    }),
  };
  return JSON.stringify(state);
}

const byteOrder = (a: [string, unknown], b: [string, unknown]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
/** A uint64 delivery count as addReplyLongLong prints it (past 2^63 it reads as negative). */
const asLongLong = (n: number | bigint): string => {
  const b = BigInt(n);
  return String(b >= 1n << 63n ? b - (1n << 64n) : b);
};

function streamFromLodis(v: TypedObject): string {
  const s = v as StreamObject;
  const state: StreamState = {
    length: s.length,
    radixTreeKeys: s.radixTreeKeys,
    radixTreeNodes: streamRadixTreeNodes(s),
    lastId: streamIDReply(s.lastId),
    maxDeletedEntryId: streamIDReply(s.maxDeletedEntryId),
    entriesAdded: String(s.entriesAdded),
    firstId: streamIDReply(s.firstId),
    entries: [...streamIterate(s, null, null, false)].map(([id, fv]) => [streamIDReply(id), fv.map(valueLatin1)]),
    groups: [...s.cgroups]
      .map(([name, cg]) => [keyLatin1(name), cg] as [string, typeof cg])
      .sort(byteOrder)
      .map(([name, cg]) => ({
        name,
        lastId: streamIDReply(cg.lastId),
        entriesRead: String(cg.entriesRead) === '-1' ? null : String(cg.entriesRead),
        pel: [...cg.pel.iterate()].map(([id, n]) => [streamIDReply(id), keyLatin1(n.consumer.name), asLongLong(n.deliveryCount)] as [string, string, string]),
        consumers: [...cg.consumers]
          .map(([cname, c]) => [keyLatin1(cname), c] as [string, typeof c])
          .sort(byteOrder)
          .map(([cname, c]) => [cname, [...c.pel.iterate()].map(([id]) => streamIDReply(id))] as [string, string[]]),
      })),
  };
  return JSON.stringify(state);
}

/** Set members (byte strings), sorted: a set has no order. */
export function canonicalMembers(members: string[]): string {
  return JSON.stringify(members.sort());
}

/** Field/value pairs (byte strings) sorted by field: a hash table's order is Redis' hash order. */
function canonicalPairs(pairs: [string, string][]): string {
  return JSON.stringify(pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}
