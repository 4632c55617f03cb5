/**
 * Typed methods for sorted sets, shaped like @upstash/redis (pkg/commands/zadd.ts, zrange.ts,
 * zunionstore.ts …).
 *
 *   await redis.zadd('board', { score: 10, member: 'ada' }, { score: 7, member: 'bob' }); // 2
 *   await redis.zadd('board', { gt: true, ch: true }, { score: 12, member: 'ada' });    // 1
 *   await redis.zincrby('board', 5, 'bob');                                              // 12
 *   await redis.zrange('board', 0, 2, { rev: true, withScores: true });                  // ['ada', 12, 'bob', 12]
 *   await redis.zrange('board', '(10', '+inf', { byScore: true, offset: 0, count: 10 });
 *   await redis.zunionstore('all', 2, ['board', 'old'], { weights: [1, 0.5], aggregate: 'max' });
 *   const [key, member, score] = (await worker.bzpopmin('jobs', 0)) ?? [];              // waits
 *
 * Scores come back as numbers (`inf` and `-inf` as ±Infinity); WITHSCORES replies are flat
 * `[member, score, member, score …]` arrays, as @upstash/redis returns them. Members come back as
 * stored (no JSON). `call('ZSCORE', …)` gives Redis' own text for a score ('0.10000000000000001').
 * The methods @upstash/redis lacks (zinter, zdiff, zintercard, zrandmember, zrangestore, zmpop and
 * the blocking pops) follow the same shapes; the blocking pops take their arguments in Redis'
 * order (`bzpopmin('jobs', 0)`) and wait on their own session (`store.connect()`).
 */
import { doubleFromReplyText } from '../double.js';
import type { Decoded } from '../reply.js';
import { CommandsBase } from './base.js';
import type { CommandArg } from './transport.js';

/** A member and its score (ZADD's pairs). */
export type ScoreMember = { score: number; member: CommandArg };

/** ZADD's options: NX or XX, GT or LT, CH, INCR (a single pair; the new score is returned). */
export type ZAddOptions = { nx?: boolean; xx?: boolean; gt?: boolean; lt?: boolean; ch?: boolean; incr?: boolean };

/** ZRANGE's options (rank, score or lex ranges; LIMIT with BYSCORE/BYLEX only). */
export type ZRangeOptions = {
  byScore?: boolean;
  byLex?: boolean;
  rev?: boolean;
  withScores?: boolean;
  /** LIMIT offset count (both needed). */
  offset?: number;
  count?: number;
};

/** ZRANGESTORE's options: as ZRANGE's, without WITHSCORES. */
export type ZRangeStoreOptions = Omit<ZRangeOptions, 'withScores'>;

/** ZUNION/ZINTER(STORE)'s options. */
export type ZAggregateOptions = {
  /** One weight per key (`weight` for a single key). */
  weights?: number[];
  weight?: number;
  aggregate?: 'sum' | 'min' | 'max' | 'SUM' | 'MIN' | 'MAX';
};

/** ZSCAN's options. */
export type ZScanOptions = {
  /** Glob-style pattern (`*`, `?`, `[a-z]`, `\x`) the members must match. */
  match?: string;
  /** Members to look at per call (a hint of the work done, not of the number returned; default 10). */
  count?: number;
};

/** Which end ZMPOP and BZMPOP pop from. */
export type ZPopWhere = 'min' | 'max' | 'MIN' | 'MAX';

/** A range bound: a rank or score as a number, or Redis' text (`(1.5`, `-inf`, `[a`, `-`, `+`). */
export type ZRangeBound = number | string;

const toNumber = (r: Decoded): number => Number(r);

/** A score reply ('1.5', 'inf', '-inf' …) as a number; null stays null. */
const toFloat = (r: Decoded): number | null => (r === null ? null : doubleFromReplyText(r as string));

/** A reply of members and scores, flat, with the scores as numbers (the decoded array is the caller's own: changed in place). */
function withScores(r: Decoded): (string | number)[] {
  const a = r as (string | number)[];
  for (let i = 1; i < a.length; i += 2) a[i] = doubleFromReplyText(a[i] as string);
  return a;
}

/** [key, [[member, score], …]] with the scores as numbers, or null. */
function mpopReply(r: Decoded): [key: string, pairs: [member: string, score: number][]] | null {
  if (r === null) return null;
  const [key, pairs] = r as [string, [string, string][]];
  return [key, pairs.map(([m, s]) => [m, toFloat(s)!])];
}

function pushKeys(argv: CommandArg[], keys: CommandArg | CommandArg[]): void {
  if (Array.isArray(keys)) argv.push(...keys);
  else argv.push(keys);
}

function pushAggregate(argv: CommandArg[], opts: ZAggregateOptions | undefined): void {
  if (opts === undefined) return;
  if (opts.weights !== undefined) argv.push('WEIGHTS', ...opts.weights);
  else if (opts.weight !== undefined) argv.push('WEIGHTS', opts.weight);
  if (opts.aggregate !== undefined) argv.push('AGGREGATE', opts.aggregate);
}

function pushRangeOptions(argv: CommandArg[], opts: ZRangeOptions | undefined): void {
  if (opts === undefined) return;
  if (opts.byScore) argv.push('BYSCORE');
  if (opts.byLex) argv.push('BYLEX');
  if (opts.rev) argv.push('REV');
  if (opts.offset !== undefined && opts.count !== undefined) argv.push('LIMIT', opts.offset, opts.count);
}

export abstract class SortedSetCommands extends CommandsBase {
  /**
   * ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...] — `zadd(key, { score,
   * member }, …)`, or with options first: `zadd(key, { nx: true }, { score, member })`. The number
   * of members added (with `ch`, added or changed); with `incr`, the new score, or null when NX,
   * XX, GT or LT kept it from changing.
   */
  zadd(key: CommandArg, scoreMember: ScoreMember, ...scoreMembers: ScoreMember[]): Promise<number>;
  zadd(key: CommandArg, opts: ZAddOptions, scoreMember: ScoreMember, ...scoreMembers: ScoreMember[]): Promise<number | null>;
  zadd(key: CommandArg, first: ScoreMember | ZAddOptions, ...rest: ScoreMember[]): Promise<number | null> {
    const argv: CommandArg[] = ['ZADD', key];
    let incr = false;
    if ('score' in first && 'member' in first) {
      argv.push(first.score, first.member);
    } else {
      const o = first as ZAddOptions;
      if (o.nx) argv.push('NX');
      else if (o.xx) argv.push('XX');
      if (o.gt) argv.push('GT');
      else if (o.lt) argv.push('LT');
      if (o.ch) argv.push('CH');
      if (o.incr) {
        argv.push('INCR');
        incr = true;
      }
    }
    for (const { score, member } of rest) argv.push(score, member);
    return this.send(argv, incr ? toFloat : toNumber);
  }

  /** ZINCRBY key increment member — the new score. */
  zincrby(key: CommandArg, increment: number, member: CommandArg): Promise<number> {
    return this.send(['ZINCRBY', key, increment, member], (r) => toFloat(r)!);
  }

  /** ZCARD key — the number of members (0 for a missing key). */
  zcard(key: CommandArg): Promise<number> {
    return this.send(['ZCARD', key], toNumber);
  }

  /** ZCOUNT key min max — members with a score in the range (`(1`, `-inf`, `+inf` …). */
  zcount(key: CommandArg, min: ZRangeBound, max: ZRangeBound): Promise<number> {
    return this.send(['ZCOUNT', key, min, max], toNumber);
  }

  /** ZLEXCOUNT key min max — members in the lex range (`[a`, `(b`, `-`, `+`). */
  zlexcount(key: CommandArg, min: string, max: string): Promise<number> {
    return this.send(['ZLEXCOUNT', key, min, max], toNumber);
  }

  /** ZSCORE key member — the score, or null. */
  zscore(key: CommandArg, member: CommandArg): Promise<number | null> {
    return this.send(['ZSCORE', key, member], toFloat);
  }

  /** ZMSCORE key member [member ...] — each member's score, or null where it is missing. */
  zmscore(key: CommandArg, members: CommandArg[]): Promise<(number | null)[]> {
    return this.send(['ZMSCORE', key, ...members], (r) => (r as (string | null)[]).map((s) => toFloat(s)));
  }

  /** ZRANK key member — the 0-based rank from the lowest score, or null. */
  zrank(key: CommandArg, member: CommandArg): Promise<number | null> {
    return this.send(['ZRANK', key, member]) as Promise<number | null>;
  }

  /** ZREVRANK key member — the 0-based rank from the highest score, or null. */
  zrevrank(key: CommandArg, member: CommandArg): Promise<number | null> {
    return this.send(['ZREVRANK', key, member]) as Promise<number | null>;
  }

  /** ZREM key member [member ...] — how many were removed (an emptied sorted set is deleted). */
  zrem(key: CommandArg, ...members: CommandArg[]): Promise<number> {
    return this.send(['ZREM', key, ...members], toNumber);
  }

  /**
   * ZRANGE key min max [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES] — ranks by
   * default (negative from the end), scores with `byScore`, members with `byLex`; `withScores`
   * gives `[member, score, …]`.
   */
  zrange(key: CommandArg, min: ZRangeBound, max: ZRangeBound, opts?: ZRangeOptions & { withScores?: false }): Promise<string[]>;
  zrange(key: CommandArg, min: ZRangeBound, max: ZRangeBound, opts: ZRangeOptions & { withScores: true }): Promise<(string | number)[]>;
  zrange(key: CommandArg, min: ZRangeBound, max: ZRangeBound, opts?: ZRangeOptions): Promise<string[] | (string | number)[]>;
  zrange(key: CommandArg, min: ZRangeBound, max: ZRangeBound, opts?: ZRangeOptions): Promise<string[] | (string | number)[]> {
    const argv: CommandArg[] = ['ZRANGE', key, min, max];
    pushRangeOptions(argv, opts);
    if (opts?.withScores) {
      argv.push('WITHSCORES');
      return this.send(argv, withScores);
    }
    return this.send(argv) as Promise<string[]>;
  }

  /** ZRANGESTORE destination source min max [BYSCORE|BYLEX] [REV] [LIMIT offset count] — the size stored. */
  zrangestore(destination: CommandArg, source: CommandArg, min: ZRangeBound, max: ZRangeBound, opts?: ZRangeStoreOptions): Promise<number> {
    const argv: CommandArg[] = ['ZRANGESTORE', destination, source, min, max];
    pushRangeOptions(argv, opts);
    return this.send(argv, toNumber);
  }

  /** ZREMRANGEBYRANK key start stop — how many were removed. */
  zremrangebyrank(key: CommandArg, start: number, stop: number): Promise<number> {
    return this.send(['ZREMRANGEBYRANK', key, start, stop], toNumber);
  }

  /** ZREMRANGEBYSCORE key min max — how many were removed. */
  zremrangebyscore(key: CommandArg, min: ZRangeBound, max: ZRangeBound): Promise<number> {
    return this.send(['ZREMRANGEBYSCORE', key, min, max], toNumber);
  }

  /** ZREMRANGEBYLEX key min max — how many were removed. */
  zremrangebylex(key: CommandArg, min: string, max: string): Promise<number> {
    return this.send(['ZREMRANGEBYLEX', key, min, max], toNumber);
  }

  /** ZPOPMIN key [count] — `[member, score, …]` of the lowest scores, removed. */
  zpopmin(key: CommandArg, count?: number): Promise<(string | number)[]> {
    return this.send(count === undefined ? ['ZPOPMIN', key] : ['ZPOPMIN', key, count], withScores);
  }

  /** ZPOPMAX key [count] — `[member, score, …]` of the highest scores, removed. */
  zpopmax(key: CommandArg, count?: number): Promise<(string | number)[]> {
    return this.send(count === undefined ? ['ZPOPMAX', key] : ['ZPOPMAX', key, count], withScores);
  }

  /** ZMPOP numkeys key [key ...] MIN|MAX [COUNT count] — [key, [[member, score], …]] from the first sorted set, or null. */
  zmpop(numkeys: number, keys: CommandArg[], where: ZPopWhere, count?: number): Promise<[key: string, pairs: [member: string, score: number][]] | null> {
    const argv: CommandArg[] = ['ZMPOP', numkeys, ...keys, where];
    if (count !== undefined) argv.push('COUNT', count);
    return this.send(argv, mpopReply);
  }

  /** ZRANDMEMBER key — a random member, or null for a missing key. */
  zrandmember(key: CommandArg): Promise<string | null>;
  /** ZRANDMEMBER key count — `count` distinct members (a negative count: -count picks, repeats allowed). */
  zrandmember(key: CommandArg, count: number): Promise<string[]>;
  /** ZRANDMEMBER key count WITHSCORES — the picks with their scores, `[member, score, …]`. */
  zrandmember(key: CommandArg, count: number, withScores: true): Promise<(string | number)[]>;
  zrandmember(key: CommandArg, count?: number, withScoresFlag?: boolean): Promise<string | null | string[] | (string | number)[]> {
    if (count === undefined) return this.send(['ZRANDMEMBER', key]) as Promise<string | null>;
    if (withScoresFlag) return this.send(['ZRANDMEMBER', key, count, 'WITHSCORES'], withScores);
    return this.send(['ZRANDMEMBER', key, count]) as Promise<string[]>;
  }

  /** ZUNION numkeys key [key ...] [WEIGHTS …] [AGGREGATE SUM|MIN|MAX] [WITHSCORES] */
  zunion(numkeys: number, keys: CommandArg | CommandArg[], opts?: ZAggregateOptions & { withScores?: false }): Promise<string[]>;
  zunion(numkeys: number, keys: CommandArg | CommandArg[], opts: ZAggregateOptions & { withScores: true }): Promise<(string | number)[]>;
  zunion(numkeys: number, keys: CommandArg | CommandArg[], opts?: ZAggregateOptions & { withScores?: boolean }): Promise<string[] | (string | number)[]> {
    return this.setOp('ZUNION', numkeys, keys, opts);
  }

  /** ZINTER numkeys key [key ...] [WEIGHTS …] [AGGREGATE SUM|MIN|MAX] [WITHSCORES] */
  zinter(numkeys: number, keys: CommandArg | CommandArg[], opts?: ZAggregateOptions & { withScores?: false }): Promise<string[]>;
  zinter(numkeys: number, keys: CommandArg | CommandArg[], opts: ZAggregateOptions & { withScores: true }): Promise<(string | number)[]>;
  zinter(numkeys: number, keys: CommandArg | CommandArg[], opts?: ZAggregateOptions & { withScores?: boolean }): Promise<string[] | (string | number)[]> {
    return this.setOp('ZINTER', numkeys, keys, opts);
  }

  /** ZDIFF numkeys key [key ...] [WITHSCORES] — the first key's members in none of the others. */
  zdiff(numkeys: number, keys: CommandArg | CommandArg[], opts?: { withScores?: false }): Promise<string[]>;
  zdiff(numkeys: number, keys: CommandArg | CommandArg[], opts: { withScores: true }): Promise<(string | number)[]>;
  zdiff(numkeys: number, keys: CommandArg | CommandArg[], opts?: { withScores?: boolean }): Promise<string[] | (string | number)[]> {
    return this.setOp('ZDIFF', numkeys, keys, opts);
  }

  private setOp(cmd: string, numkeys: number, keys: CommandArg | CommandArg[], opts: (ZAggregateOptions & { withScores?: boolean }) | undefined): Promise<string[] | (string | number)[]> {
    const argv: CommandArg[] = [cmd, numkeys];
    pushKeys(argv, keys);
    pushAggregate(argv, opts);
    if (opts?.withScores) {
      argv.push('WITHSCORES');
      return this.send(argv, withScores);
    }
    return this.send(argv) as Promise<string[]>;
  }

  /** ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS …] [AGGREGATE SUM|MIN|MAX] — the size stored. */
  zunionstore(destination: CommandArg, numkeys: number, keys: CommandArg | CommandArg[], opts?: ZAggregateOptions): Promise<number> {
    const argv: CommandArg[] = ['ZUNIONSTORE', destination, numkeys];
    pushKeys(argv, keys);
    pushAggregate(argv, opts);
    return this.send(argv, toNumber);
  }

  /** ZINTERSTORE destination numkeys key [key ...] [WEIGHTS …] [AGGREGATE SUM|MIN|MAX] — the size stored. */
  zinterstore(destination: CommandArg, numkeys: number, keys: CommandArg | CommandArg[], opts?: ZAggregateOptions): Promise<number> {
    const argv: CommandArg[] = ['ZINTERSTORE', destination, numkeys];
    pushKeys(argv, keys);
    pushAggregate(argv, opts);
    return this.send(argv, toNumber);
  }

  /** ZDIFFSTORE destination numkeys key [key ...] — the size stored. */
  zdiffstore(destination: CommandArg, numkeys: number, ...keys: CommandArg[]): Promise<number> {
    return this.send(['ZDIFFSTORE', destination, numkeys, ...keys], toNumber);
  }

  /** ZINTERCARD numkeys key [key ...] [LIMIT limit] — the size of the intersection of `keys`. */
  zintercard(keys: CommandArg[], opts?: { limit?: number }): Promise<number> {
    const argv: CommandArg[] = ['ZINTERCARD', keys.length, ...keys];
    if (opts?.limit !== undefined) argv.push('LIMIT', opts.limit);
    return this.send(argv, toNumber);
  }

  /**
   * ZSCAN key cursor [MATCH pattern] [COUNT count] — `[nextCursor, [member, score, …]]`; start with
   * 0 and call again with the cursor returned until it is '0'.
   */
  zscan(key: CommandArg, cursor: string | number | bigint, opts?: ZScanOptions): Promise<[string, (string | number)[]]> {
    const argv: CommandArg[] = ['ZSCAN', key, cursor];
    if (opts?.match !== undefined) argv.push('MATCH', opts.match);
    if (opts?.count !== undefined) argv.push('COUNT', opts.count);
    return this.send(argv, (r) => {
      const [next, page] = r as [string, string[]];
      return [next, withScores(page)];
    });
  }

  /**
   * BZPOPMIN key [key ...] timeout — [key, member, score] from the first sorted set, waiting up
   * to `timeout` seconds (0: forever) on this session; null on timeout: `bzpopmin('jobs', 0)`.
   */
  bzpopmin(...keysAndTimeout: [...keys: CommandArg[], timeout: number]): Promise<[key: string, member: string, score: number] | null> {
    return this.send(['BZPOPMIN', ...keysAndTimeout], bzpopReply);
  }

  /** BZPOPMAX key [key ...] timeout — as bzpopmin, from the highest score. */
  bzpopmax(...keysAndTimeout: [...keys: CommandArg[], timeout: number]): Promise<[key: string, member: string, score: number] | null> {
    return this.send(['BZPOPMAX', ...keysAndTimeout], bzpopReply);
  }

  /** BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count] — as zmpop, waiting up to `timeout` s. */
  bzmpop(
    timeout: number,
    numkeys: number,
    keys: CommandArg[],
    where: ZPopWhere,
    count?: number,
  ): Promise<[key: string, pairs: [member: string, score: number][]] | null> {
    const argv: CommandArg[] = ['BZMPOP', timeout, numkeys, ...keys, where];
    if (count !== undefined) argv.push('COUNT', count);
    return this.send(argv, mpopReply);
  }
}

function bzpopReply(r: Decoded): [key: string, member: string, score: number] | null {
  if (r === null) return null;
  const [key, member, score] = r as [string, string, string];
  return [key, member, toFloat(score)!];
}
