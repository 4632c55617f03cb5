/**
 * Typed methods for the server and the connection (shaped like @upstash/redis).
 *
 *   await redis.dbsize();                    // keys in the selected database
 *   await redis.flushdb({ async: true });
 *   const [seconds, micros] = await redis.time();
 */
import type { Decoded } from '../reply.js';
import { CommandsBase } from './base.js';
import type { CommandArg } from './transport.js';

export type FlushOptions = {
  /** FLUSH… ASYNC. Lodis frees memory through the GC either way; accepted for compatibility. */
  async?: boolean;
};

export abstract class ServerCommands extends CommandsBase {
  /** PING [message] — 'PONG', or the message. */
  ping(message?: CommandArg): Promise<string> {
    return this.send(message === undefined ? ['PING'] : ['PING', message]) as Promise<string>;
  }

  /** ECHO message */
  echo(message: CommandArg): Promise<string> {
    return this.send(['ECHO', message]) as Promise<string>;
  }

  /** TIME — [unix seconds, microseconds]. */
  time(): Promise<[number, number]> {
    return this.send(['TIME'], (r) => (r as string[]).map(Number) as [number, number]);
  }

  /** DBSIZE — keys in the selected database. */
  dbsize(): Promise<number> {
    return this.send(['DBSIZE'], toNumber);
  }

  /** FLUSHDB [ASYNC] — remove every key of the selected database. */
  flushdb(opts?: FlushOptions): Promise<'OK'> {
    return this.send(opts?.async ? ['FLUSHDB', 'ASYNC'] : ['FLUSHDB']) as Promise<'OK'>;
  }

  /** FLUSHALL [ASYNC] — remove every key of every database. */
  flushall(opts?: FlushOptions): Promise<'OK'> {
    return this.send(opts?.async ? ['FLUSHALL', 'ASYNC'] : ['FLUSHALL']) as Promise<'OK'>;
  }

  /**
   * SELECT index — this session's database from now on (0–15 by default). Not in
   * @upstash/redis, whose HTTP API has no sessions; here a store or `connect()` session is one.
   */
  select(db: number): Promise<'OK'> {
    return this.send(['SELECT', db]) as Promise<'OK'>;
  }

  /** SWAPDB index1 index2 — exchange two databases' contents for every session. */
  swapdb(db1: number, db2: number): Promise<'OK'> {
    return this.send(['SWAPDB', db1, db2]) as Promise<'OK'>;
  }
}

function toNumber(r: Decoded): number {
  return Number(r);
}
