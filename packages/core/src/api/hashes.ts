/**
 * Typed methods for hashes, shaped like @upstash/redis (pkg/commands/hset.ts, hgetall.ts, …).
 *
 *   await redis.hset('user:1', { name: 'Ada', visits: 0 });      // 2 fields added
 *   await redis.hincrby('user:1', 'visits', 1);                  // 1
 *   await redis.hgetall('user:1');                               // { name: 'Ada', visits: '1' }
 *   await redis.hmget('user:1', 'name', 'email');                // { name: 'Ada', email: null }
 *
 * Values come back as stored strings (no JSON parsing); integer replies are numbers, bigint past
 * 2^53.
 */
import type { Decoded } from '../reply.js';
import { utf8DecodeLossy } from '../sds.js';
import { CommandsBase } from './base.js';
import { flatToObject } from './decode.js';
import type { Integer } from './strings.js';
import type { CommandArg } from './transport.js';

/** Field/value pairs for HSET and HMSET: an object (own enumerable keys) or a Map. */
export type HashFields = Record<string, CommandArg> | Map<CommandArg, CommandArg>;

export type HScanOptions = {
  /** Glob-style pattern (`*`, `?`, `[a-z]`, `\x`) the fields must match. */
  match?: string;
  /** Fields to look at per call (a hint of the work done, not of the number returned; default 10). */
  count?: number;
};

function pushFields(argv: CommandArg[], fields: HashFields): CommandArg[] {
  if (fields instanceof Map) for (const [f, v] of fields) argv.push(f, v);
  else for (const f of Object.keys(fields)) argv.push(f, fields[f]!);
  return argv;
}

const toNumber = (r: Decoded): number => Number(r);

/** HMGET's values by field; null when every field is missing (as @upstash/redis). */
function fieldsToObject(fields: CommandArg[]): (r: Decoded) => Record<string, string | null> | null {
  return (r) => {
    const values = r as (string | null)[];
    if (values.every((v) => v === null)) return null;
    const o: Record<string, string | null> = Object.create(null);
    fields.forEach((f, i) => (o[typeof f === 'string' ? f : f instanceof Uint8Array ? utf8DecodeLossy(f) : String(f)] = values[i]!));
    return o;
  };
}

export abstract class HashCommands extends CommandsBase {
  /** HSET key field value [field value ...] — `hset(key, { field: value, … })`; the number of fields added. */
  hset(key: CommandArg, fields: HashFields): Promise<number> {
    return this.send(pushFields(['HSET', key], fields), toNumber);
  }

  /** HMSET key field value [field value ...] — as hset, replying 'OK' (deprecated in Redis). */
  hmset(key: CommandArg, fields: HashFields): Promise<'OK'> {
    return this.send(pushFields(['HMSET', key], fields)) as Promise<'OK'>;
  }

  /** HSETNX key field value — 1 when set, 0 when the field existed. */
  hsetnx(key: CommandArg, field: CommandArg, value: CommandArg): Promise<0 | 1> {
    return this.send(['HSETNX', key, field, value]) as Promise<0 | 1>;
  }

  /** HGET key field — the value, or null. */
  hget(key: CommandArg, field: CommandArg): Promise<string | null> {
    return this.send(['HGET', key, field]) as Promise<string | null>;
  }

  /**
   * HMGET key field [field ...] — `{ field: value | null, … }`, or null when none of the fields
   * exists (as @upstash/redis; `call('HMGET', …)` gives the array).
   */
  hmget(key: CommandArg, ...fields: CommandArg[]): Promise<Record<string, string | null> | null> {
    return this.send(['HMGET', key, ...fields], fieldsToObject(fields));
  }

  /** HGETALL key — every field and value as an object, or null when the key does not exist. */
  hgetall(key: CommandArg): Promise<Record<string, string> | null> {
    return this.send(['HGETALL', key], flatToObject);
  }

  /** HDEL key field [field ...] — the number of fields removed (the key goes with its last field). */
  hdel(key: CommandArg, ...fields: CommandArg[]): Promise<number> {
    return this.send(['HDEL', key, ...fields], toNumber);
  }

  /** HEXISTS key field — 1 when the field exists, else 0. */
  hexists(key: CommandArg, field: CommandArg): Promise<0 | 1> {
    return this.send(['HEXISTS', key, field]) as Promise<0 | 1>;
  }

  /** HINCRBY key field increment — the new value (a missing field counts as 0). */
  hincrby(key: CommandArg, field: CommandArg, increment: number | bigint): Promise<Integer> {
    return this.send(['HINCRBY', key, field, increment]) as Promise<Integer>;
  }

  /**
   * HINCRBYFLOAT key field increment — the new value as a number. Redis computes in 80-bit long
   * double and stores its text (`hget` returns it exactly).
   */
  hincrbyfloat(key: CommandArg, field: CommandArg, increment: number | string): Promise<number> {
    return this.send(['HINCRBYFLOAT', key, field, increment], toNumber);
  }

  /** HKEYS key — the fields ([] for a missing key). */
  hkeys(key: CommandArg): Promise<string[]> {
    return this.send(['HKEYS', key]) as Promise<string[]>;
  }

  /** HVALS key — the values ([] for a missing key). */
  hvals(key: CommandArg): Promise<string[]> {
    return this.send(['HVALS', key]) as Promise<string[]>;
  }

  /** HLEN key — the number of fields (0 for a missing key). */
  hlen(key: CommandArg): Promise<number> {
    return this.send(['HLEN', key], toNumber);
  }

  /** HSTRLEN key field — the value's length in bytes (0 when missing). */
  hstrlen(key: CommandArg, field: CommandArg): Promise<number> {
    return this.send(['HSTRLEN', key, field], toNumber);
  }

  /** HRANDFIELD key — a random field, or null when the key does not exist. */
  hrandfield(key: CommandArg): Promise<string | null>;
  /** HRANDFIELD key count — `count` distinct fields (a negative count: -count picks, repeats allowed). */
  hrandfield(key: CommandArg, count: number): Promise<string[]>;
  /** HRANDFIELD key count WITHVALUES — the picked fields with their values, as an object (null when none). */
  hrandfield(key: CommandArg, count: number, withValues: true): Promise<Record<string, string> | null>;
  hrandfield(key: CommandArg, count?: number, withValues?: boolean): Promise<string | string[] | Record<string, string> | null>;
  hrandfield(key: CommandArg, count?: number, withValues?: boolean): Promise<string | string[] | Record<string, string> | null> {
    const argv: CommandArg[] = ['HRANDFIELD', key];
    if (count !== undefined) argv.push(count);
    if (withValues) {
      argv.push('WITHVALUES');
      return this.send(argv, flatToObject);
    }
    return this.send(argv) as Promise<string | string[] | null>;
  }

  /**
   * HSCAN key cursor [MATCH pattern] [COUNT count] — `[nextCursor, [field, value, field, value …]]`;
   * start with 0 and call again with the cursor returned until it is '0'.
   */
  hscan(key: CommandArg, cursor: string | number | bigint, opts?: HScanOptions): Promise<[string, string[]]> {
    const argv: CommandArg[] = ['HSCAN', key, cursor];
    if (opts?.match !== undefined) argv.push('MATCH', opts.match);
    if (opts?.count !== undefined) argv.push('COUNT', opts.count);
    return this.send(argv) as Promise<[string, string[]]>;
  }
}
