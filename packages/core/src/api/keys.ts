/**
 * Typed methods for keys and expiry (shaped like @upstash/redis).
 *
 *   await redis.expire('session:1', 60, 'NX');                 // 1 if a TTL was set
 *   await redis.ttl('session:1');                              // 60
 *   const [cursor, keys] = await redis.scan(0, { match: 'session:*', count: 100 });
 *
 * Integer replies are numbers; a TTL or expire time past 2^53 ms (EXPIREAT can set any int64)
 * is rounded to a number here — `call` returns it exactly, as a bigint.
 */
import type { Decoded } from '../reply.js';
import { CommandsBase } from './base.js';
import type { CommandArg } from './transport.js';

/** The EXPIRE family's condition: only without a TTL, only with one, only to a later / earlier time. */
export type ExpireOption = 'NX' | 'XX' | 'GT' | 'LT' | 'nx' | 'xx' | 'gt' | 'lt';

/** What TYPE replies. */
export type KeyType = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream' | 'none';

export type ScanCommandOptions = {
  /** Glob-style pattern (`*`, `?`, `[a-z]`, `\x`) the keys must match. */
  match?: string;
  /** Keys to look at per call (a hint of the work done, not of the number returned; default 10). */
  count?: number;
  /** Only keys of this type. */
  type?: Exclude<KeyType, 'none'> | (string & {});
};

export type CopyOptions = {
  /** Copy into this database instead of the current one. */
  db?: number;
  /** Replace the destination if it exists (otherwise nothing is copied). */
  replace?: boolean;
};

export abstract class KeyCommands extends CommandsBase {
  /** DEL key [key ...] — the number of keys removed. */
  del(...keys: CommandArg[]): Promise<number> {
    return this.send(['DEL', ...keys]) as Promise<number>;
  }

  /** UNLINK key [key ...] — as DEL. */
  unlink(...keys: CommandArg[]): Promise<number> {
    return this.send(['UNLINK', ...keys]) as Promise<number>;
  }

  /** EXISTS key [key ...] — how many of the keys exist (a key given twice counts twice). */
  exists(...keys: CommandArg[]): Promise<number> {
    return this.send(['EXISTS', ...keys]) as Promise<number>;
  }

  /** TOUCH key [key ...] — how many of the keys exist. */
  touch(...keys: CommandArg[]): Promise<number> {
    return this.send(['TOUCH', ...keys]) as Promise<number>;
  }

  /** TYPE key */
  type(key: CommandArg): Promise<KeyType> {
    return this.send(['TYPE', key]) as Promise<KeyType>;
  }

  /** EXPIRE key seconds [NX|XX|GT|LT] — 1 if the TTL was set (or the key deleted, for seconds ≤ 0). */
  expire(key: CommandArg, seconds: number, option?: ExpireOption): Promise<0 | 1> {
    return this.send(withOption(['EXPIRE', key, seconds], option)) as Promise<0 | 1>;
  }

  /** EXPIREAT key unix-time-seconds [NX|XX|GT|LT] */
  expireat(key: CommandArg, unixTime: number, option?: ExpireOption): Promise<0 | 1> {
    return this.send(withOption(['EXPIREAT', key, unixTime], option)) as Promise<0 | 1>;
  }

  /** PEXPIRE key milliseconds [NX|XX|GT|LT] */
  pexpire(key: CommandArg, milliseconds: number, option?: ExpireOption): Promise<0 | 1> {
    return this.send(withOption(['PEXPIRE', key, milliseconds], option)) as Promise<0 | 1>;
  }

  /** PEXPIREAT key unix-time-milliseconds [NX|XX|GT|LT] */
  pexpireat(key: CommandArg, unixTimeMs: number, option?: ExpireOption): Promise<0 | 1> {
    return this.send(withOption(['PEXPIREAT', key, unixTimeMs], option)) as Promise<0 | 1>;
  }

  /** TTL key — seconds left, -1 without a TTL, -2 when the key does not exist. */
  ttl(key: CommandArg): Promise<number> {
    return this.send(['TTL', key], toNumber);
  }

  /** PTTL key — as TTL, in milliseconds. */
  pttl(key: CommandArg): Promise<number> {
    return this.send(['PTTL', key], toNumber);
  }

  /** EXPIRETIME key — the unix time (seconds) the key expires at, -1 without a TTL, -2 when missing. */
  expiretime(key: CommandArg): Promise<number> {
    return this.send(['EXPIRETIME', key], toNumber);
  }

  /** PEXPIRETIME key — as EXPIRETIME, in milliseconds. */
  pexpiretime(key: CommandArg): Promise<number> {
    return this.send(['PEXPIRETIME', key], toNumber);
  }

  /** PERSIST key — 1 if a TTL was removed. */
  persist(key: CommandArg): Promise<0 | 1> {
    return this.send(['PERSIST', key]) as Promise<0 | 1>;
  }

  /** KEYS pattern — every key matching (O(N): prefer scan on large databases). */
  keys(pattern: CommandArg): Promise<string[]> {
    return this.send(['KEYS', pattern]) as Promise<string[]>;
  }

  /**
   * SCAN cursor [MATCH pattern] [COUNT count] [TYPE type] — `[nextCursor, keys]`; start with 0
   * and call again with the cursor returned until it is '0'.
   */
  scan(cursor: string | number | bigint, opts?: ScanCommandOptions): Promise<[string, string[]]> {
    const argv: CommandArg[] = ['SCAN', cursor];
    if (opts?.match !== undefined) argv.push('MATCH', opts.match);
    if (opts?.count !== undefined) argv.push('COUNT', opts.count);
    if (opts?.type !== undefined) argv.push('TYPE', opts.type);
    return this.send(argv) as Promise<[string, string[]]>;
  }

  /** RANDOMKEY — a key, or null when the database is empty. */
  randomkey(): Promise<string | null> {
    return this.send(['RANDOMKEY']) as Promise<string | null>;
  }

  /** RENAME key newkey — an error if key does not exist. */
  rename(source: CommandArg, destination: CommandArg): Promise<'OK'> {
    return this.send(['RENAME', source, destination]) as Promise<'OK'>;
  }

  /** RENAMENX key newkey — 0 when newkey exists. */
  renamenx(source: CommandArg, destination: CommandArg): Promise<0 | 1> {
    return this.send(['RENAMENX', source, destination]) as Promise<0 | 1>;
  }

  /**
   * COPY source destination [DB db] [REPLACE] — 1 if copied. (Upstash's `copy` replies
   * 'COPIED' / 'NOT_COPIED'; Lodis keeps Redis' integer.)
   */
  copy(source: CommandArg, destination: CommandArg, opts?: CopyOptions): Promise<0 | 1> {
    const argv: CommandArg[] = ['COPY', source, destination];
    if (opts?.db !== undefined) argv.push('DB', opts.db);
    if (opts?.replace) argv.push('REPLACE');
    return this.send(argv) as Promise<0 | 1>;
  }

  /** MOVE key db — 1 if moved (0 when missing here or present there). */
  move(key: CommandArg, db: number): Promise<0 | 1> {
    return this.send(['MOVE', key, db]) as Promise<0 | 1>;
  }
}

function withOption(argv: CommandArg[], option: ExpireOption | undefined): CommandArg[] {
  if (option !== undefined) argv.push(option);
  return argv;
}

function toNumber(r: Decoded): number {
  return Number(r);
}
