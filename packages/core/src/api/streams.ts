/**
 * Typed methods for streams and consumer groups, shaped like @upstash/redis (pkg/commands/xadd.ts,
 * xrange.ts, xreadgroup.ts, xgroup.ts …).
 *
 *   await redis.xadd('events', '*', { type: 'click', x: 10 });                 // '1718000000000-0'
 *   await redis.xadd('events', '*', { type: 'scroll' }, { trim: { type: 'MAXLEN', comparison: '~', threshold: 1000 } });
 *   await redis.xrange('events', '-', '+', 10);          // { '1718000000000-0': { type: 'click', x: '10' }, … }
 *   await redis.xgroup('events', { type: 'CREATE', group: 'mailers', id: '0', options: { MKSTREAM: true } });
 *   const batch = await worker.xreadgroup('mailers', 'tab-1', 'events', '>', { count: 10, blockMS: 0 }); // waits
 *   for (const [key, entries] of batch ?? []) for (const [id, fields] of entries) { … await redis.xack(key, 'mailers', id); }
 *   const [next, claimed] = await redis.xautoclaim('events', 'mailers', 'tab-2', 60_000, '0-0', { count: 100 });
 *
 * Shapes. Values come back as stored (no JSON). `xrange`/`xrevrange` give a `Record<id,
 * Record<field, value>>` as @upstash/redis does (ids keep their order: they are not array-index
 * keys; a field given twice in one entry keeps its last value). @upstash/redis returns the other
 * replies undecoded; here they keep Redis' nesting with the types made exact, as api/zsets.ts does
 * for ZMPOP: an entry is `[id, [field, value, field, value …]]` (order and repeated fields kept),
 * XREAD/XREADGROUP give `[key, entries][]` or null, XAUTOCLAIM `[nextStart, entries, deletedIds]`,
 * XPENDING's summary `[count, smallestId, greatestId, [consumer, count][]]` with the counts as
 * numbers, and XINFO's field/value lists objects keyed by Redis' own names (`'last-delivered-id'`,
 * `'entries-read'` …). Integer replies are numbers, bigint past 2^53.
 *
 * Blocking. `blockMS` is XREAD/XREADGROUP's BLOCK (milliseconds, 0 = forever; @upstash/redis
 * cannot block, it speaks HTTP). A blocking call waits on its own session: open one with
 * `store.connect()` (a worker client: `client.connect()`) so other commands are not held behind it.
 *
 * Not in @upstash/redis, shaped here after the rest: XSETID (`xsetid(key, lastId, { entriesAdded,
 * maxDeletedId })`), XPENDING's summary form (`xpending(key, group)`) and XINFO STREAM (`{ type:
 * 'STREAM', full?, count? }`).
 */
import type { Decoded } from '../reply.js';
import { CommandsBase } from './base.js';
import type { Integer } from './strings.js';
import type { CommandArg } from './transport.js';

/**
 * A stream id as an argument: `'1526919030474-55'`, `'1526919030474'` (sequence implied), or a
 * command's special ids where it takes them — `'*'` (XADD), `'-'` and `'+'` (ranges), `'(id'`
 * (exclusive range bound), `'$'` (XREAD, XGROUP), `'>'` (XREADGROUP).
 */
export type StreamId = string;

/** An entry's fields and values for XADD: an object (own enumerable keys, in order) or a Map. */
export type StreamFields = Record<string, CommandArg> | Map<CommandArg, CommandArg>;

/** An entry as Redis replies with it: its id and its fields and values, flat, in the order added. */
export type StreamEntry = [id: string, fieldsAndValues: string[]];

/**
 * An entry of XREADGROUP's reply. Reading a consumer's history (an id instead of `>`), an entry
 * still pending but deleted from the stream since (XDEL, XTRIM) comes with null fields.
 */
export type StreamGroupEntry = [id: string, fieldsAndValues: string[] | null];

/** XRANGE/XREVRANGE's reply: entries by id, in the order read, each a Record of its fields. */
export type StreamRange = Record<string, Record<string, string>>;

/**
 * Trimming, for XADD's `trim` option: MAXLEN keeps the newest `threshold` entries, MINID drops the
 * entries with an id below `threshold`. `comparison: '~'` trims whole radix-tree nodes only (cheap;
 * up to `limit` entries evicted, 0 = no limit); `'='` (or none) trims exactly.
 */
export type StreamTrim = (
  | { type: 'MAXLEN' | 'maxlen'; threshold: number }
  | { type: 'MINID' | 'minid'; threshold: StreamId }
) &
  ({ comparison: '~'; limit?: number } | { comparison?: '='; limit?: never });

/** XADD's options. */
export type XAddOptions = {
  /** Do not create the stream when the key is missing (NOMKSTREAM): the reply is then null. */
  nomkStream?: boolean;
  trim?: StreamTrim;
};

/**
 * XTRIM's options, as @upstash/redis has them: `exactness` defaults to `'~'` there and here
 * (Redis' own default is exact: pass `exactness: '='`). `limit` only with `'~'`.
 */
export type XTrimOptions = {
  strategy: 'MAXLEN' | 'MINID' | 'maxlen' | 'minid';
  exactness?: '~' | '=';
  threshold: number | StreamId;
  limit?: number;
};

/** XSETID's options (Redis 7.0). */
export type XSetIdOptions = {
  /** The stream's entries-added counter (ENTRIESADDED). */
  entriesAdded?: Integer;
  /** The greatest id ever deleted (MAXDELETEDID). */
  maxDeletedId?: StreamId;
};

/** XREAD's options. */
export type XReadOptions = {
  /** At most this many entries per stream (COUNT). */
  count?: number;
  /** Wait up to this many milliseconds for an entry (BLOCK; 0 = forever) on this session. */
  blockMS?: number;
};

/** XREADGROUP's options. */
export type XReadGroupOptions = XReadOptions & {
  /** Deliver without adding to the pending entries list: no XACK needed (NOACK). */
  NOACK?: boolean;
};

/** XREAD's reply: for each stream with entries after its id, `[key, entries]`; null when none had any (or on timeout). */
export type XReadReply = [key: string, entries: StreamEntry[]][] | null;

/** XREADGROUP's reply: as XREAD's, with deleted entries of a history read as `[id, null]`. */
export type XReadGroupReply = [key: string, entries: StreamGroupEntry[]][] | null;

/** XGROUP's subcommands, as @upstash/redis has them (`xgroup(key, { type: 'CREATE', … })`). */
export type XGroupCreate = {
  type: 'CREATE';
  group: CommandArg;
  /** The last delivered id: `'$'` the stream's last entry (only new ones delivered), `'0'` from the start. */
  id: StreamId;
  options?: { MKSTREAM?: boolean; ENTRIESREAD?: Integer };
};
export type XGroupSetId = { type: 'SETID'; group: CommandArg; id: StreamId; options?: { ENTRIESREAD?: Integer } };
export type XGroupCreateConsumer = { type: 'CREATECONSUMER'; group: CommandArg; consumer: CommandArg };
export type XGroupDelConsumer = { type: 'DELCONSUMER'; group: CommandArg; consumer: CommandArg };
export type XGroupDestroy = { type: 'DESTROY'; group: CommandArg };
export type XGroupCommand = XGroupCreate | XGroupSetId | XGroupCreateConsumer | XGroupDelConsumer | XGroupDestroy;

/**
 * XPENDING's summary: the group's pending count, its smallest and greatest pending ids (null
 * when none), and each consumer with pending entries and its count ([] when none).
 */
export type XPendingSummary = [count: number, smallest: string | null, greatest: string | null, consumers: [consumer: string, count: number][]];

/** XPENDING's extended form: per pending entry, its consumer, ms since last delivered, times delivered. */
export type XPendingEntry = [id: string, consumer: string, idleMs: number, deliveries: number];

export type XPendingOptions = {
  /** Only entries idle at least this many ms (IDLE). */
  idleTime?: number;
  /** Only this consumer's entries. */
  consumer?: CommandArg;
};

/** XCLAIM's options (after the ids, in Redis' order). */
export type XClaimOptions = {
  /** Set the entries' idle time (IDLE ms) … */
  idleMS?: number;
  /** … or their last delivery time (TIME unix-ms). */
  timeMS?: number;
  /** Set the delivery count (RETRYCOUNT). */
  retryCount?: number;
  /** Create a pending entry for an id no consumer holds (FORCE; the entry must exist). */
  force?: boolean;
  /** Reply with the ids only, and leave the delivery count alone (JUSTID). */
  justId?: boolean;
  /** Move the group's last delivered id up to this (LASTID). */
  lastId?: StreamId;
};

export type XAutoClaimOptions = {
  /** Claim at most this many (COUNT; default 100). */
  count?: number;
  /** Reply with the ids only (JUSTID). */
  justId?: boolean;
};

/** XAUTOCLAIM's reply: where to start the next call ('0-0' when the scan is complete), the claimed entries, the ids found deleted (removed from the pending list). */
export type XAutoClaimReply = [next: string, entries: StreamEntry[], deleted: string[]];
export type XAutoClaimJustIdReply = [next: string, ids: string[], deleted: string[]];

/** XINFO STREAM key. */
export interface XInfoStream {
  length: number;
  'radix-tree-keys': number;
  'radix-tree-nodes': number;
  'last-generated-id': string;
  'max-deleted-entry-id': string;
  'entries-added': Integer;
  'recorded-first-entry-id': string;
  groups: number;
  'first-entry': StreamEntry | null;
  'last-entry': StreamEntry | null;
}

/** XINFO STREAM key FULL [COUNT count]. */
export interface XInfoStreamFull {
  length: number;
  'radix-tree-keys': number;
  'radix-tree-nodes': number;
  'last-generated-id': string;
  'max-deleted-entry-id': string;
  'entries-added': Integer;
  'recorded-first-entry-id': string;
  entries: StreamEntry[];
  groups: XInfoGroupFull[];
}

/** A group in XINFO STREAM … FULL: its pending list as `[id, consumer, deliveryTime, deliveryCount]`. */
export interface XInfoGroupFull {
  name: string;
  'last-delivered-id': string;
  /** null: not known (the group's position can no longer be counted). */
  'entries-read': Integer | null;
  lag: Integer | null;
  'pel-count': number;
  pending: [id: string, consumer: string, deliveryTime: number, deliveryCount: number][];
  consumers: XInfoConsumerFull[];
}

/** A consumer in XINFO STREAM … FULL. */
export interface XInfoConsumerFull {
  name: string;
  'seen-time': number;
  'pel-count': number;
  pending: [id: string, deliveryTime: number, deliveryCount: number][];
}

/** XINFO GROUPS key: one per group, in the byte order of the names. */
export interface XInfoGroup {
  name: string;
  consumers: number;
  pending: number;
  'last-delivered-id': string;
  'entries-read': Integer | null;
  lag: Integer | null;
}

/** XINFO CONSUMERS key group: one per consumer, in the byte order of the names. */
export interface XInfoConsumer {
  name: string;
  pending: number;
  /** ms since the consumer was last seen (read, claimed). */
  idle: number;
}

export type XInfoCommand =
  | { type: 'STREAM'; full?: false }
  | { type: 'STREAM'; full: true; /** Entries and pending entries given per group/consumer (COUNT; default 10, 0 = all). */ count?: number }
  | { type: 'GROUPS' }
  | { type: 'CONSUMERS'; group: CommandArg };

// ---- decoding ----------------------------------------------------------------------------------

/** [id, [f, v, …]][] as Record<id, Record<f, v>> (@upstash/redis' XRANGE shape). */
function rangeToRecord(r: Decoded): StreamRange {
  const out: StreamRange = {};
  for (const [id, fv] of r as StreamEntry[]) {
    const fields: Record<string, string> = Object.create(null);
    for (let i = 0; i < fv.length; i += 2) fields[fv[i]!] = fv[i + 1]!;
    out[id] = fields;
  }
  return out;
}

/** A flat [name, value, …] list as an object (XINFO's replies). */
function flatMap<T>(r: Decoded): T {
  const a = r as unknown[];
  const o: Record<string, unknown> = {};
  for (let i = 0; i < a.length; i += 2) o[a[i] as string] = a[i + 1];
  return o as T;
}

function xinfoStreamFull(r: Decoded): XInfoStreamFull {
  const s = flatMap<XInfoStreamFull>(r);
  s.groups = (s.groups as unknown as Decoded[]).map((g) => {
    const group = flatMap<XInfoGroupFull>(g);
    group.consumers = (group.consumers as unknown as Decoded[]).map((c) => flatMap<XInfoConsumerFull>(c));
    return group;
  });
  return s;
}

function pendingSummary(r: Decoded): XPendingSummary {
  const [count, smallest, greatest, consumers] = r as [number, string | null, string | null, [string, string][] | null];
  return [count, smallest, greatest, (consumers ?? []).map(([name, n]) => [name, Number(n)])];
}

const toNumber = (r: Decoded): number => Number(r);

function pushKeysAndIds(argv: CommandArg[], keys: CommandArg | CommandArg[], ids: StreamId | StreamId[]): void {
  argv.push('STREAMS');
  if (Array.isArray(keys)) argv.push(...keys);
  else argv.push(keys);
  if (Array.isArray(ids)) argv.push(...ids);
  else argv.push(ids);
}

function pushReadOptions(argv: CommandArg[], opts: XReadGroupOptions | undefined): void {
  if (opts === undefined) return;
  if (opts.count !== undefined) argv.push('COUNT', opts.count);
  if (opts.blockMS !== undefined) argv.push('BLOCK', opts.blockMS);
  if (opts.NOACK) argv.push('NOACK');
}

export abstract class StreamCommands extends CommandsBase {
  /**
   * XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field
   * value ...] — the new entry's id (`'*'`: the current ms, never below the last id), or null
   * with `nomkStream` when the key is missing.
   */
  xadd(key: CommandArg, id: StreamId, entries: StreamFields, opts?: XAddOptions & { nomkStream?: false }): Promise<string>;
  xadd(key: CommandArg, id: StreamId, entries: StreamFields, opts?: XAddOptions): Promise<string | null>;
  xadd(key: CommandArg, id: StreamId, entries: StreamFields, opts?: XAddOptions): Promise<string | null> {
    const argv: CommandArg[] = ['XADD', key];
    if (opts?.nomkStream) argv.push('NOMKSTREAM');
    if (opts?.trim) pushTrim(argv, opts.trim.type, opts.trim.comparison, opts.trim.threshold, opts.trim.limit);
    argv.push(id);
    if (entries instanceof Map) for (const [f, v] of entries) argv.push(f, v);
    else for (const f of Object.keys(entries)) argv.push(f, entries[f]!);
    return this.send(argv) as Promise<string | null>;
  }

  /** XLEN key — the number of entries (0 for a missing key). */
  xlen(key: CommandArg): Promise<number> {
    return this.send(['XLEN', key], toNumber);
  }

  /**
   * XRANGE key start end [COUNT count] — entries with ids in [start, end] (`'-'`, `'+'`, `'(id'`
   * exclusive), oldest first, as `{ id: { field: value } }`.
   */
  xrange(key: CommandArg, start: StreamId, end: StreamId, count?: number): Promise<StreamRange> {
    const argv: CommandArg[] = ['XRANGE', key, start, end];
    if (count !== undefined) argv.push('COUNT', count);
    return this.send(argv, rangeToRecord);
  }

  /** XREVRANGE key end start [COUNT count] — as xrange, newest first (the end bound comes first). */
  xrevrange(key: CommandArg, end: StreamId, start: StreamId, count?: number): Promise<StreamRange> {
    const argv: CommandArg[] = ['XREVRANGE', key, end, start];
    if (count !== undefined) argv.push('COUNT', count);
    return this.send(argv, rangeToRecord);
  }

  /** XDEL key id [id ...] — how many entries were deleted. */
  xdel(key: CommandArg, ids: StreamId | StreamId[]): Promise<number> {
    return this.send(['XDEL', key, ...(Array.isArray(ids) ? ids : [ids])], toNumber);
  }

  /** XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] — how many entries were evicted. */
  xtrim(key: CommandArg, opts: XTrimOptions): Promise<number> {
    const argv: CommandArg[] = ['XTRIM', key];
    pushTrim(argv, opts.strategy, opts.exactness ?? '~', opts.threshold, opts.limit);
    return this.send(argv, toNumber);
  }

  /** XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id] — 'OK'. */
  xsetid(key: CommandArg, lastId: StreamId, opts?: XSetIdOptions): Promise<'OK'> {
    const argv: CommandArg[] = ['XSETID', key, lastId];
    if (opts?.entriesAdded !== undefined) argv.push('ENTRIESADDED', opts.entriesAdded);
    if (opts?.maxDeletedId !== undefined) argv.push('MAXDELETEDID', opts.maxDeletedId);
    return this.send(argv) as Promise<'OK'>;
  }

  /**
   * XREAD [COUNT count] [BLOCK ms] STREAMS key [key ...] id [id ...] — entries after each id
   * (`'$'`: after the stream's last entry, for BLOCK), `[key, entries][]` for the streams that
   * have any; null when none has (or BLOCK timed out). One key and id, or arrays of each.
   */
  xread(key: CommandArg, id: StreamId, opts?: XReadOptions): Promise<XReadReply>;
  xread(keys: CommandArg[], ids: StreamId[], opts?: XReadOptions): Promise<XReadReply>;
  xread(keys: CommandArg | CommandArg[], ids: StreamId | StreamId[], opts?: XReadOptions): Promise<XReadReply> {
    const argv: CommandArg[] = ['XREAD'];
    pushReadOptions(argv, opts);
    pushKeysAndIds(argv, keys, ids);
    return this.send(argv) as Promise<XReadReply>;
  }

  /**
   * XREADGROUP GROUP group consumer [COUNT count] [BLOCK ms] [NOACK] STREAMS key [key ...] id
   * [id ...] — with `'>'`, entries never delivered to the group, now pending for `consumer` until
   * XACKed (not with NOACK); with an id, the consumer's own pending entries after it (its
   * history). Null when there is nothing new (or BLOCK timed out).
   */
  xreadgroup(group: CommandArg, consumer: CommandArg, key: CommandArg, id: StreamId, opts?: XReadGroupOptions): Promise<XReadGroupReply>;
  xreadgroup(group: CommandArg, consumer: CommandArg, keys: CommandArg[], ids: StreamId[], opts?: XReadGroupOptions): Promise<XReadGroupReply>;
  xreadgroup(
    group: CommandArg,
    consumer: CommandArg,
    keys: CommandArg | CommandArg[],
    ids: StreamId | StreamId[],
    opts?: XReadGroupOptions,
  ): Promise<XReadGroupReply> {
    const argv: CommandArg[] = ['XREADGROUP', 'GROUP', group, consumer];
    pushReadOptions(argv, opts);
    pushKeysAndIds(argv, keys, ids);
    return this.send(argv) as Promise<XReadGroupReply>;
  }

  /**
   * XGROUP CREATE key group id|$ [MKSTREAM] [ENTRIESREAD n] → 'OK'; SETID key group id|$
   * [ENTRIESREAD n] → 'OK'; CREATECONSUMER key group consumer → 1 if created, 0 if it existed;
   * DELCONSUMER key group consumer → how many pending entries the consumer had (now dropped);
   * DESTROY key group → 1 if it existed, 0 if not.
   */
  xgroup(key: CommandArg, opts: XGroupCreate | XGroupSetId): Promise<'OK'>;
  xgroup(key: CommandArg, opts: XGroupCreateConsumer | XGroupDestroy): Promise<0 | 1>;
  xgroup(key: CommandArg, opts: XGroupDelConsumer): Promise<number>;
  xgroup(key: CommandArg, opts: XGroupCommand): Promise<'OK' | number>;
  xgroup(key: CommandArg, opts: XGroupCommand): Promise<'OK' | number> {
    let argv: CommandArg[];
    switch (opts.type) {
      case 'CREATE':
        argv = ['XGROUP', 'CREATE', key, opts.group, opts.id];
        if (opts.options?.MKSTREAM) argv.push('MKSTREAM');
        if (opts.options?.ENTRIESREAD !== undefined) argv.push('ENTRIESREAD', opts.options.ENTRIESREAD);
        break;
      case 'SETID':
        argv = ['XGROUP', 'SETID', key, opts.group, opts.id];
        if (opts.options?.ENTRIESREAD !== undefined) argv.push('ENTRIESREAD', opts.options.ENTRIESREAD);
        break;
      case 'CREATECONSUMER':
      case 'DELCONSUMER':
        argv = ['XGROUP', opts.type, key, opts.group, opts.consumer];
        break;
      case 'DESTROY':
        argv = ['XGROUP', 'DESTROY', key, opts.group];
        break;
      default:
        throw new Error(`xgroup: unknown type ${String((opts as { type: unknown }).type)}`);
    }
    return this.send(argv) as Promise<'OK' | number>;
  }

  /** XACK key group id [id ...] — how many of the ids were pending (and are no longer). */
  xack(key: CommandArg, group: CommandArg, ids: StreamId | StreamId[]): Promise<number> {
    return this.send(['XACK', key, group, ...(Array.isArray(ids) ? ids : [ids])], toNumber);
  }

  /**
   * XPENDING key group — the summary: `[count, smallestId, greatestId, [consumer, count][]]`.
   * XPENDING key group [IDLE ms] start end count [consumer] — up to `count` pending entries with
   * ids in [start, end] (`'-'`, `'+'`, `'(id'`): `[id, consumer, idleMs, deliveries][]`.
   */
  xpending(key: CommandArg, group: CommandArg): Promise<XPendingSummary>;
  xpending(key: CommandArg, group: CommandArg, start: StreamId, end: StreamId, count: number, opts?: XPendingOptions): Promise<XPendingEntry[]>;
  xpending(
    key: CommandArg,
    group: CommandArg,
    start?: StreamId,
    end?: StreamId,
    count?: number,
    opts?: XPendingOptions,
  ): Promise<XPendingSummary | XPendingEntry[]> {
    if (start === undefined) return this.send(['XPENDING', key, group], pendingSummary);
    const argv: CommandArg[] = ['XPENDING', key, group];
    if (opts?.idleTime !== undefined) argv.push('IDLE', opts.idleTime);
    argv.push(start, end!, count!);
    if (opts?.consumer !== undefined) argv.push(opts.consumer);
    return this.send(argv) as Promise<XPendingEntry[]>;
  }

  /**
   * XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-ms] [RETRYCOUNT n]
   * [FORCE] [JUSTID] [LASTID id] — the entries (pending, idle at least `minIdleTime` ms) now
   * `consumer`'s, their delivery counts raised; with `justId`, their ids. Pending entries deleted
   * from the stream are dropped from the pending list and not returned.
   */
  xclaim(
    key: CommandArg,
    group: CommandArg,
    consumer: CommandArg,
    minIdleTime: number,
    ids: StreamId | StreamId[],
    opts: XClaimOptions & { justId: true },
  ): Promise<string[]>;
  xclaim(key: CommandArg, group: CommandArg, consumer: CommandArg, minIdleTime: number, ids: StreamId | StreamId[], opts?: XClaimOptions): Promise<StreamEntry[]>;
  xclaim(
    key: CommandArg,
    group: CommandArg,
    consumer: CommandArg,
    minIdleTime: number,
    ids: StreamId | StreamId[],
    opts?: XClaimOptions,
  ): Promise<StreamEntry[] | string[]> {
    const argv: CommandArg[] = ['XCLAIM', key, group, consumer, minIdleTime, ...(Array.isArray(ids) ? ids : [ids])];
    if (opts?.idleMS !== undefined) argv.push('IDLE', opts.idleMS);
    if (opts?.timeMS !== undefined) argv.push('TIME', opts.timeMS);
    if (opts?.retryCount !== undefined) argv.push('RETRYCOUNT', opts.retryCount);
    if (opts?.force) argv.push('FORCE');
    if (opts?.justId) argv.push('JUSTID');
    if (opts?.lastId !== undefined) argv.push('LASTID', opts.lastId);
    return this.send(argv) as Promise<StreamEntry[] | string[]>;
  }

  /**
   * XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID] — XCLAIM of the
   * group's pending entries idle at least `minIdleTime` ms, scanning from `start`:
   * `[next, entries, deletedIds]`; call again from `next` until it is '0-0'.
   */
  xautoclaim(
    key: CommandArg,
    group: CommandArg,
    consumer: CommandArg,
    minIdleTime: number,
    start: StreamId,
    opts: XAutoClaimOptions & { justId: true },
  ): Promise<XAutoClaimJustIdReply>;
  xautoclaim(key: CommandArg, group: CommandArg, consumer: CommandArg, minIdleTime: number, start: StreamId, opts?: XAutoClaimOptions): Promise<XAutoClaimReply>;
  xautoclaim(
    key: CommandArg,
    group: CommandArg,
    consumer: CommandArg,
    minIdleTime: number,
    start: StreamId,
    opts?: XAutoClaimOptions,
  ): Promise<XAutoClaimReply | XAutoClaimJustIdReply> {
    const argv: CommandArg[] = ['XAUTOCLAIM', key, group, consumer, minIdleTime, start];
    if (opts?.count !== undefined) argv.push('COUNT', opts.count);
    if (opts?.justId) argv.push('JUSTID');
    return this.send(argv) as Promise<XAutoClaimReply | XAutoClaimJustIdReply>;
  }

  /**
   * XINFO STREAM key [FULL [COUNT count]] | GROUPS key | CONSUMERS key group — `{ type: 'STREAM' }`
   * (with `full: true`, every entry up to `count`, and the groups with their pending lists and
   * consumers), `{ type: 'GROUPS' }`, `{ type: 'CONSUMERS', group }`; field names as Redis' own.
   */
  xinfo(key: CommandArg, opts: { type: 'STREAM'; full?: false }): Promise<XInfoStream>;
  xinfo(key: CommandArg, opts: { type: 'STREAM'; full: true; count?: number }): Promise<XInfoStreamFull>;
  xinfo(key: CommandArg, opts: { type: 'GROUPS' }): Promise<XInfoGroup[]>;
  xinfo(key: CommandArg, opts: { type: 'CONSUMERS'; group: CommandArg }): Promise<XInfoConsumer[]>;
  xinfo(key: CommandArg, opts: XInfoCommand): Promise<XInfoStream | XInfoStreamFull | XInfoGroup[] | XInfoConsumer[]>;
  xinfo(key: CommandArg, opts: XInfoCommand): Promise<XInfoStream | XInfoStreamFull | XInfoGroup[] | XInfoConsumer[]> {
    switch (opts.type) {
      case 'STREAM': {
        if (!opts.full) return this.send(['XINFO', 'STREAM', key], (r) => flatMap<XInfoStream>(r));
        const argv: CommandArg[] = ['XINFO', 'STREAM', key, 'FULL'];
        if (opts.count !== undefined) argv.push('COUNT', opts.count);
        return this.send(argv, xinfoStreamFull);
      }
      case 'GROUPS':
        return this.send(['XINFO', 'GROUPS', key], (r) => (r as Decoded[]).map((g) => flatMap<XInfoGroup>(g)));
      case 'CONSUMERS':
        return this.send(['XINFO', 'CONSUMERS', key, opts.group], (r) => (r as Decoded[]).map((c) => flatMap<XInfoConsumer>(c)));
      default:
        throw new Error(`xinfo: unknown type ${String((opts as { type: unknown }).type)}`);
    }
  }
}

function pushTrim(argv: CommandArg[], strategy: string, comparison: '~' | '=' | undefined, threshold: number | StreamId, limit: number | undefined): void {
  argv.push(strategy);
  if (comparison !== undefined) argv.push(comparison);
  argv.push(threshold);
  if (limit !== undefined) argv.push('LIMIT', limit);
}
