/**
 * Typed methods for strings, shaped like @upstash/redis (pkg/commands/set.ts, get.ts, …).
 * Values come back as stored (no JSON); integer replies are numbers, bigint past 2^53.
 */
import type { Decoded } from '../reply.js';
import { CommandsBase } from './base.js';
import type { CommandArg } from './transport.js';

/** An int64 reply: a number, or a bigint outside ±(2^53-1). */
export type Integer = number | bigint;

/**
 * SET's options. At most one of ex / px / exat / pxat / keepTtl and one of nx / xx: every option
 * given is sent, so a contradictory set gets Redis' own syntax error.
 */
export type SetOptions = {
  /** Expire after this many seconds (EX). */
  ex?: number;
  /** Expire after this many milliseconds (PX). */
  px?: number;
  /** Expire at this unix time in seconds (EXAT). */
  exat?: number;
  /** Expire at this unix time in milliseconds (PXAT). */
  pxat?: number;
  /** Keep the key's current TTL (KEEPTTL). */
  keepTtl?: boolean;
  /** Only set when the key does not exist (NX). */
  nx?: boolean;
  /** Only set when the key exists (XX). */
  xx?: boolean;
  /** Reply with the old value instead of OK (GET). */
  get?: boolean;
};

/** GETEX's options: one of them at most. */
export type GetExOptions = {
  ex?: number;
  px?: number;
  exat?: number;
  pxat?: number;
  /** Remove the key's TTL (PERSIST). */
  persist?: boolean;
};

/** One LCS match: the byte ranges in the first and second key, and (WITHMATCHLEN) its length. */
export type LcsMatch = [a: [start: number, end: number], b: [start: number, end: number], len?: number];

export type LcsOptions = {
  /** Only the length of the longest common subsequence (LEN). */
  len?: boolean;
  /** The matching ranges (IDX). */
  idx?: boolean;
  /** With `idx`: only matches at least this long (MINMATCHLEN). */
  minMatchLen?: number;
  /** With `idx`: give each match's length (WITHMATCHLEN). */
  withMatchLen?: boolean;
};

/** Key/value pairs for MSET and MSETNX: an object (own enumerable keys) or a Map. */
export type KeyValues = Record<string, CommandArg> | Map<CommandArg, CommandArg>;

function pushExpiry(argv: CommandArg[], o: { ex?: number; px?: number; exat?: number; pxat?: number }): void {
  if (o.ex !== undefined) argv.push('EX', o.ex);
  if (o.px !== undefined) argv.push('PX', o.px);
  if (o.exat !== undefined) argv.push('EXAT', o.exat);
  if (o.pxat !== undefined) argv.push('PXAT', o.pxat);
}

function pushPairs(argv: CommandArg[], pairs: KeyValues): CommandArg[] {
  if (pairs instanceof Map) for (const [k, v] of pairs) argv.push(k, v);
  else for (const k of Object.keys(pairs)) argv.push(k, pairs[k]!);
  return argv;
}

const toNumber = (r: Decoded): number => Number(r);

function toLcsIdx(r: Decoded): { matches: LcsMatch[]; len: number } {
  const flat = r as [string, LcsMatch[], string, number];
  return { matches: flat[1], len: flat[3] };
}

export abstract class StringCommands extends CommandsBase {
  /** GET key — the value, or null when the key does not exist. */
  get(key: CommandArg): Promise<string | null> {
    return this.send(['GET', key]) as Promise<string | null>;
  }

  /**
   * SET key value [NX|XX] [GET] [EX s|PX ms|EXAT s|PXAT ms|KEEPTTL] — 'OK', or null when NX/XX
   * prevented it; with `get`, the old value (or null).
   */
  set(key: CommandArg, value: CommandArg, opts?: SetOptions): Promise<string | null> {
    const argv: CommandArg[] = ['SET', key, value];
    if (opts) {
      if (opts.nx) argv.push('NX');
      if (opts.xx) argv.push('XX');
      if (opts.get) argv.push('GET');
      pushExpiry(argv, opts);
      if (opts.keepTtl) argv.push('KEEPTTL');
    }
    return this.send(argv) as Promise<string | null>;
  }

  /** SETNX key value — 1 when set, 0 when the key existed. */
  setnx(key: CommandArg, value: CommandArg): Promise<0 | 1> {
    return this.send(['SETNX', key, value]) as Promise<0 | 1>;
  }

  /** SETEX key seconds value */
  setex(key: CommandArg, seconds: number, value: CommandArg): Promise<'OK'> {
    return this.send(['SETEX', key, seconds, value]) as Promise<'OK'>;
  }

  /** PSETEX key milliseconds value */
  psetex(key: CommandArg, milliseconds: number, value: CommandArg): Promise<'OK'> {
    return this.send(['PSETEX', key, milliseconds, value]) as Promise<'OK'>;
  }

  /** GETDEL key — the value, deleting the key. */
  getdel(key: CommandArg): Promise<string | null> {
    return this.send(['GETDEL', key]) as Promise<string | null>;
  }

  /** GETEX key [EX s|PX ms|EXAT s|PXAT ms|PERSIST] — the value, changing the key's TTL. */
  getex(key: CommandArg, opts?: GetExOptions): Promise<string | null> {
    const argv: CommandArg[] = ['GETEX', key];
    if (opts) {
      pushExpiry(argv, opts);
      if (opts.persist) argv.push('PERSIST');
    }
    return this.send(argv) as Promise<string | null>;
  }

  /** GETSET key value — the old value, setting the new one (and dropping the TTL). */
  getset(key: CommandArg, value: CommandArg): Promise<string | null> {
    return this.send(['GETSET', key, value]) as Promise<string | null>;
  }

  /** GETRANGE key start end — bytes start..end inclusive; negative offsets count from the end. */
  getrange(key: CommandArg, start: number, end: number): Promise<string> {
    return this.send(['GETRANGE', key, start, end]) as Promise<string>;
  }

  /** SETRANGE key offset value — the new length. */
  setrange(key: CommandArg, offset: number, value: CommandArg): Promise<number> {
    return this.send(['SETRANGE', key, offset, value], toNumber);
  }

  /** APPEND key value — the new length. */
  append(key: CommandArg, value: CommandArg): Promise<number> {
    return this.send(['APPEND', key, value], toNumber);
  }

  /** STRLEN key — the length in bytes (0 for a missing key). */
  strlen(key: CommandArg): Promise<number> {
    return this.send(['STRLEN', key], toNumber);
  }

  /** INCR key */
  incr(key: CommandArg): Promise<Integer> {
    return this.send(['INCR', key]) as Promise<Integer>;
  }

  /** INCRBY key increment */
  incrby(key: CommandArg, increment: number | bigint): Promise<Integer> {
    return this.send(['INCRBY', key, increment]) as Promise<Integer>;
  }

  /** DECR key */
  decr(key: CommandArg): Promise<Integer> {
    return this.send(['DECR', key]) as Promise<Integer>;
  }

  /** DECRBY key decrement */
  decrby(key: CommandArg, decrement: number | bigint): Promise<Integer> {
    return this.send(['DECRBY', key, decrement]) as Promise<Integer>;
  }

  /**
   * INCRBYFLOAT key increment — the new value as a number. Redis computes in 80-bit long double
   * and stores its text (`get` returns it exactly).
   */
  incrbyfloat(key: CommandArg, increment: number | string): Promise<number> {
    return this.send(['INCRBYFLOAT', key, increment], toNumber);
  }

  /** MGET key [key ...] — `mget('a', 'b')` or `mget(['a', 'b'])`; null for missing keys. */
  mget(...keys: CommandArg[] | [CommandArg[]]): Promise<(string | null)[]> {
    const list = (keys.length === 1 && Array.isArray(keys[0]) ? keys[0] : keys) as CommandArg[];
    return this.send(['MGET', ...list]) as Promise<(string | null)[]>;
  }

  /** MSET key value [key value ...] — `mset({ a: '1', b: '2' })` (or a Map). */
  mset(pairs: KeyValues): Promise<'OK'> {
    return this.send(pushPairs(['MSET'], pairs)) as Promise<'OK'>;
  }

  /** MSETNX key value [key value ...] — 1 when all were set, 0 (and nothing set) when any existed. */
  msetnx(pairs: KeyValues): Promise<0 | 1> {
    return this.send(pushPairs(['MSETNX'], pairs)) as Promise<0 | 1>;
  }

  /** LCS key1 key2 — the longest common subsequence of two string values. */
  lcs(key1: CommandArg, key2: CommandArg): Promise<string>;
  /** LCS key1 key2 LEN — its length. */
  lcs(key1: CommandArg, key2: CommandArg, opts: LcsOptions & { len: true; idx?: false }): Promise<number>;
  /** LCS key1 key2 IDX [MINMATCHLEN n] [WITHMATCHLEN] — the matching ranges, last match first. */
  lcs(key1: CommandArg, key2: CommandArg, opts: LcsOptions & { idx: true }): Promise<{ matches: LcsMatch[]; len: number }>;
  lcs(key1: CommandArg, key2: CommandArg, opts?: LcsOptions): Promise<string | number | { matches: LcsMatch[]; len: number }>;
  lcs(key1: CommandArg, key2: CommandArg, opts?: LcsOptions): Promise<string | number | { matches: LcsMatch[]; len: number }> {
    const argv: CommandArg[] = ['LCS', key1, key2];
    if (opts?.len) argv.push('LEN');
    if (opts?.idx) argv.push('IDX');
    if (opts?.minMatchLen !== undefined) argv.push('MINMATCHLEN', opts.minMatchLen);
    if (opts?.withMatchLen) argv.push('WITHMATCHLEN');
    if (opts?.idx) return this.send(argv, toLcsIdx);
    return this.send(argv) as Promise<string | number>;
  }
}
