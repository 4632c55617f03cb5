/**
 * Typed methods for sets, shaped like @upstash/redis (pkg/commands/sadd.ts, spop.ts, sintercard.ts …).
 *
 *   await redis.sadd('tags', 'a', 'b', 'c');               // 3
 *   await redis.sismember('tags', 'a');                    // 1
 *   await redis.sinter('tags', 'other');                   // members of both, in no order
 *   await redis.spop('tags', 2);                           // two random members, removed
 *   await redis.sintercard(['tags', 'other'], { limit: 10 }); // stops counting at 10
 *   const [cursor, members] = await redis.sscan('tags', 0, { match: 'a*', count: 100 });
 *
 * Members come back as stored (no JSON). Replies listing members (smembers, sinter, sunion,
 * sdiff, spop with a count) are in no defined order.
 */
import type { Decoded } from '../reply.js';
import { CommandsBase } from './base.js';
import type { CommandArg } from './transport.js';

/** SSCAN's options. */
export type SScanOptions = {
  /** Glob-style pattern (`*`, `?`, `[a-z]`, `\x`) the members must match. */
  match?: string;
  /** Members to look at per call (a hint of the work done, not of the number returned; default 10). */
  count?: number;
};

/** SINTERCARD's options. */
export type SInterCardOptions = {
  /** Stop counting once the intersection has this many members (0: no limit). */
  limit?: number;
};

const toNumber = (r: Decoded): number => Number(r);

export abstract class SetCommands extends CommandsBase {
  /** SADD key member [member ...] — how many members were added (not already there). */
  sadd(key: CommandArg, member: CommandArg, ...members: CommandArg[]): Promise<number> {
    return this.send(['SADD', key, member, ...members], toNumber);
  }

  /** SREM key member [member ...] — how many members were removed (an emptied set is deleted). */
  srem(key: CommandArg, ...members: CommandArg[]): Promise<number> {
    return this.send(['SREM', key, ...members], toNumber);
  }

  /** SMEMBERS key — every member (an empty array for a missing key). */
  smembers(key: CommandArg): Promise<string[]> {
    return this.send(['SMEMBERS', key]) as Promise<string[]>;
  }

  /** SISMEMBER key member — 1 when it is a member. */
  sismember(key: CommandArg, member: CommandArg): Promise<0 | 1> {
    return this.send(['SISMEMBER', key, member]) as Promise<0 | 1>;
  }

  /** SMISMEMBER key member [member ...] — 1 or 0 for each member, in the order given. */
  smismember(key: CommandArg, members: CommandArg[]): Promise<(0 | 1)[]> {
    return this.send(['SMISMEMBER', key, ...members]) as Promise<(0 | 1)[]>;
  }

  /** SCARD key — the number of members (0 for a missing key). */
  scard(key: CommandArg): Promise<number> {
    return this.send(['SCARD', key], toNumber);
  }

  /** SPOP key — a random member, removed; null for a missing key. */
  spop(key: CommandArg): Promise<string | null>;
  /** SPOP key count — up to `count` distinct random members, removed (an empty array for a missing key). */
  spop(key: CommandArg, count: number): Promise<string[]>;
  spop(key: CommandArg, count?: number): Promise<string | string[] | null> {
    return this.send(count === undefined ? ['SPOP', key] : ['SPOP', key, count]) as Promise<string | string[] | null>;
  }

  /** SRANDMEMBER key — a random member; null for a missing key. */
  srandmember(key: CommandArg): Promise<string | null>;
  /**
   * SRANDMEMBER key count — up to `count` distinct random members; a negative count gives
   * exactly -count members, repeats allowed.
   */
  srandmember(key: CommandArg, count: number): Promise<string[]>;
  srandmember(key: CommandArg, count?: number): Promise<string | string[] | null> {
    return this.send(count === undefined ? ['SRANDMEMBER', key] : ['SRANDMEMBER', key, count]) as Promise<
      string | string[] | null
    >;
  }

  /** SINTER key [key ...] — the members of every set (a missing key is an empty set). */
  sinter(key: CommandArg, ...keys: CommandArg[]): Promise<string[]> {
    return this.send(['SINTER', key, ...keys]) as Promise<string[]>;
  }

  /** SINTERSTORE destination key [key ...] — stores the intersection (replacing any value); its size. */
  sinterstore(destination: CommandArg, key: CommandArg, ...keys: CommandArg[]): Promise<number> {
    return this.send(['SINTERSTORE', destination, key, ...keys], toNumber);
  }

  /** SINTERCARD numkeys key [key ...] [LIMIT limit] — the size of the intersection of `keys`. */
  sintercard(keys: CommandArg[], opts?: SInterCardOptions): Promise<number> {
    const argv: CommandArg[] = ['SINTERCARD', keys.length, ...keys];
    if (opts?.limit !== undefined) argv.push('LIMIT', opts.limit);
    return this.send(argv, toNumber);
  }

  /** SUNION key [key ...] — the members of any of the sets. */
  sunion(key: CommandArg, ...keys: CommandArg[]): Promise<string[]> {
    return this.send(['SUNION', key, ...keys]) as Promise<string[]>;
  }

  /** SUNIONSTORE destination key [key ...] — stores the union (replacing any value); its size. */
  sunionstore(destination: CommandArg, key: CommandArg, ...keys: CommandArg[]): Promise<number> {
    return this.send(['SUNIONSTORE', destination, key, ...keys], toNumber);
  }

  /** SDIFF key [key ...] — the members of the first set that are in none of the others. */
  sdiff(key: CommandArg, ...keys: CommandArg[]): Promise<string[]> {
    return this.send(['SDIFF', key, ...keys]) as Promise<string[]>;
  }

  /** SDIFFSTORE destination key [key ...] — stores the difference (replacing any value); its size. */
  sdiffstore(destination: CommandArg, ...keys: CommandArg[]): Promise<number> {
    return this.send(['SDIFFSTORE', destination, ...keys], toNumber);
  }

  /** SMOVE source destination member — 1 when the member was moved (0 when not in source). */
  smove(source: CommandArg, destination: CommandArg, member: CommandArg): Promise<0 | 1> {
    return this.send(['SMOVE', source, destination, member]) as Promise<0 | 1>;
  }

  /**
   * SSCAN key cursor [MATCH pattern] [COUNT count] — `[nextCursor, members]`; start with 0 and
   * call again with the cursor returned until it is '0'.
   */
  sscan(key: CommandArg, cursor: string | number | bigint, opts?: SScanOptions): Promise<[string, string[]]> {
    const argv: CommandArg[] = ['SSCAN', key, cursor];
    if (opts?.match !== undefined) argv.push('MATCH', opts.match);
    if (opts?.count !== undefined) argv.push('COUNT', opts.count);
    return this.send(argv) as Promise<[string, string[]]>;
  }
}
