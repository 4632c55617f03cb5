/**
 * Typed methods for lists, shaped like @upstash/redis (pkg/commands/lpush.ts, lpos.ts, lmpop.ts …).
 *
 *   await redis.rpush('jobs', 'a', 'b', 'c');              // 3
 *   await redis.lpop('jobs');                              // 'a'
 *   await redis.lpop('jobs', 5);                           // ['b', 'c']
 *   await redis.lpos('jobs', 'x', { rank: -1 });           // index of the last 'x', or null
 *   await redis.lmove('jobs', 'done', 'left', 'right');    // the element moved, or null
 *   const [key, job] = (await worker.blpop('jobs', 'urgent', 5)) ?? [];  // waits up to 5 s
 *
 * @upstash/redis has no blocking commands (it speaks HTTP). Here they take their arguments in
 * Redis' order, as ioredis does (the timeout in seconds, decimals allowed, 0 = forever; BLMPOP's
 * timeout first, as in Redis). A blocking call waits on its own session: open one with
 * `store.connect()` so other commands are not held behind it.
 */
import { CommandsBase } from './base.js';
import type { CommandArg } from './transport.js';

/** Which end of a list: LEFT is the head, RIGHT the tail. */
export type ListDirection = 'left' | 'right' | 'LEFT' | 'RIGHT';

/** LINSERT's place relative to the pivot. */
export type ListInsertPosition = 'before' | 'after' | 'BEFORE' | 'AFTER';

export type LposOptions = {
  /** The n-th match (1 the first); negative counts from the tail (-1 the last). Not 0. */
  rank?: number;
  /** Return up to this many matches' indexes as an array (0: all of them). */
  count?: number;
  /** Compare at most this many elements (0: the whole list). */
  maxLen?: number;
  /** Alias of `maxLen` (Redis' spelling, MAXLEN). */
  maxlen?: number;
};

function pushLposOptions(argv: CommandArg[], o: LposOptions | undefined): void {
  if (o === undefined) return;
  if (o.rank !== undefined) argv.push('RANK', o.rank);
  if (o.count !== undefined) argv.push('COUNT', o.count);
  const maxlen = o.maxLen ?? o.maxlen;
  if (maxlen !== undefined) argv.push('MAXLEN', maxlen);
}

function pushMpopArgs(argv: CommandArg[], numkeys: number, keys: CommandArg[], direction: ListDirection, count?: number): CommandArg[] {
  argv.push(numkeys, ...keys, direction);
  if (count !== undefined) argv.push('COUNT', count);
  return argv;
}

export abstract class ListCommands extends CommandsBase {
  /** LPUSH key element [element ...] — the length after the push (elements go in one by one at the head). */
  lpush(key: CommandArg, ...elements: CommandArg[]): Promise<number> {
    return this.send(['LPUSH', key, ...elements]) as Promise<number>;
  }

  /** RPUSH key element [element ...] — the length after the push. */
  rpush(key: CommandArg, ...elements: CommandArg[]): Promise<number> {
    return this.send(['RPUSH', key, ...elements]) as Promise<number>;
  }

  /** LPUSHX key element [element ...] — as LPUSH, only onto an existing list (0 otherwise). */
  lpushx(key: CommandArg, ...elements: CommandArg[]): Promise<number> {
    return this.send(['LPUSHX', key, ...elements]) as Promise<number>;
  }

  /** RPUSHX key element [element ...] — as RPUSH, only onto an existing list (0 otherwise). */
  rpushx(key: CommandArg, ...elements: CommandArg[]): Promise<number> {
    return this.send(['RPUSHX', key, ...elements]) as Promise<number>;
  }

  /** LPOP key — the first element, or null. With a count, up to that many (null when the key is missing). */
  lpop(key: CommandArg): Promise<string | null>;
  lpop(key: CommandArg, count: number): Promise<string[] | null>;
  lpop(key: CommandArg, count?: number): Promise<string | string[] | null> {
    return this.send(count === undefined ? ['LPOP', key] : ['LPOP', key, count]) as Promise<string | string[] | null>;
  }

  /** RPOP key — the last element, or null. With a count, up to that many, last first. */
  rpop(key: CommandArg): Promise<string | null>;
  rpop(key: CommandArg, count: number): Promise<string[] | null>;
  rpop(key: CommandArg, count?: number): Promise<string | string[] | null> {
    return this.send(count === undefined ? ['RPOP', key] : ['RPOP', key, count]) as Promise<string | string[] | null>;
  }

  /** LRANGE key start stop — elements start..stop, inclusive; negative indexes count from the tail. */
  lrange(key: CommandArg, start: number, stop: number): Promise<string[]> {
    return this.send(['LRANGE', key, start, stop]) as Promise<string[]>;
  }

  /** LLEN key — 0 for a missing key. */
  llen(key: CommandArg): Promise<number> {
    return this.send(['LLEN', key]) as Promise<number>;
  }

  /** LINDEX key index — the element, or null out of range. */
  lindex(key: CommandArg, index: number): Promise<string | null> {
    return this.send(['LINDEX', key, index]) as Promise<string | null>;
  }

  /** LSET key index element — rejects with "ERR no such key" or "ERR index out of range". */
  lset(key: CommandArg, index: number, element: CommandArg): Promise<'OK'> {
    return this.send(['LSET', key, index, element]) as Promise<'OK'>;
  }

  /** LINSERT key BEFORE|AFTER pivot element — the new length, -1 without the pivot, 0 without the key. */
  linsert(key: CommandArg, position: ListInsertPosition, pivot: CommandArg, element: CommandArg): Promise<number> {
    return this.send(['LINSERT', key, position, pivot, element]) as Promise<number>;
  }

  /** LREM key count element — removes up to count matches from the head (negative: from the tail; 0: all). */
  lrem(key: CommandArg, count: number, element: CommandArg): Promise<number> {
    return this.send(['LREM', key, count, element]) as Promise<number>;
  }

  /** LTRIM key start stop — keep only elements start..stop. */
  ltrim(key: CommandArg, start: number, stop: number): Promise<'OK'> {
    return this.send(['LTRIM', key, start, stop]) as Promise<'OK'>;
  }

  /** LPOS key element [RANK r] [COUNT n] [MAXLEN m] — an index or null; with `count`, an array of indexes. */
  lpos(key: CommandArg, element: CommandArg, opts?: LposOptions & { count?: undefined }): Promise<number | null>;
  lpos(key: CommandArg, element: CommandArg, opts: LposOptions & { count: number }): Promise<number[]>;
  lpos(key: CommandArg, element: CommandArg, opts?: LposOptions): Promise<number | number[] | null> {
    const argv: CommandArg[] = ['LPOS', key, element];
    pushLposOptions(argv, opts);
    return this.send(argv) as Promise<number | number[] | null>;
  }

  /** LMOVE source destination LEFT|RIGHT LEFT|RIGHT — the element moved, or null when the source is empty. */
  lmove(source: CommandArg, destination: CommandArg, from: ListDirection, to: ListDirection): Promise<string | null> {
    return this.send(['LMOVE', source, destination, from, to]) as Promise<string | null>;
  }

  /** RPOPLPUSH source destination — LMOVE source destination RIGHT LEFT. */
  rpoplpush(source: CommandArg, destination: CommandArg): Promise<string | null> {
    return this.send(['RPOPLPUSH', source, destination]) as Promise<string | null>;
  }

  /**
   * LMPOP numkeys key [key ...] LEFT|RIGHT [COUNT count] — [key, elements] from the first key
   * holding a list (up to `count`, default 1), or null.
   */
  lmpop(numkeys: number, keys: CommandArg[], direction: ListDirection, count?: number): Promise<[key: string, elements: string[]] | null> {
    return this.send(pushMpopArgs(['LMPOP'], numkeys, keys, direction, count)) as Promise<[string, string[]] | null>;
  }

  /**
   * BLPOP key [key ...] timeout — [key, element] from the first key holding a list, waiting up to
   * `timeout` seconds (0: forever) on this session; null on timeout. Arguments in Redis' order:
   * `await worker.blpop('email_queue', 0)`.
   */
  blpop(...keysAndTimeout: [...keys: CommandArg[], timeout: number]): Promise<[key: string, element: string] | null> {
    return this.send(['BLPOP', ...keysAndTimeout]) as Promise<[string, string] | null>;
  }

  /** BRPOP key [key ...] timeout — as blpop, from the tail: `await worker.brpop('email_queue', 0)`. */
  brpop(...keysAndTimeout: [...keys: CommandArg[], timeout: number]): Promise<[key: string, element: string] | null> {
    return this.send(['BRPOP', ...keysAndTimeout]) as Promise<[string, string] | null>;
  }

  /** BLMOVE source destination LEFT|RIGHT LEFT|RIGHT timeout — as lmove, waiting for the source; null on timeout. */
  blmove(source: CommandArg, destination: CommandArg, from: ListDirection, to: ListDirection, timeout: number): Promise<string | null> {
    return this.send(['BLMOVE', source, destination, from, to, timeout]) as Promise<string | null>;
  }

  /** BRPOPLPUSH source destination timeout — BLMOVE source destination RIGHT LEFT timeout. */
  brpoplpush(source: CommandArg, destination: CommandArg, timeout: number): Promise<string | null> {
    return this.send(['BRPOPLPUSH', source, destination, timeout]) as Promise<string | null>;
  }

  /** BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count] — as lmpop, waiting up to `timeout` s. */
  blmpop(
    timeout: number,
    numkeys: number,
    keys: CommandArg[],
    direction: ListDirection,
    count?: number,
  ): Promise<[key: string, elements: string[]] | null> {
    return this.send(pushMpopArgs(['BLMPOP', timeout], numkeys, keys, direction, count)) as Promise<[string, string[]] | null>;
  }
}
