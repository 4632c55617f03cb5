/**
 * Typed methods for HyperLogLog (shaped like @upstash/redis).
 *
 *   await redis.pfadd('visitors', 'alice', 'bob');     // 1
 *   await redis.pfcount('visitors', 'visitors:old');   // 2 (cardinality of the union)
 *   await redis.pfmerge('visitors:all', 'visitors', 'visitors:old');
 */
import type { Decoded } from '../reply.js';
import { CommandsBase } from './base.js';
import type { CommandArg } from './transport.js';

export abstract class HyperLogLogCommands extends CommandsBase {
  /** PFADD key [element ...] — 1 when the HLL changed (a register rose, or the key was created). */
  pfadd(key: CommandArg, ...elements: CommandArg[]): Promise<0 | 1> {
    return this.send(['PFADD', key, ...elements]) as Promise<0 | 1>;
  }

  /**
   * PFCOUNT key [key ...] — the estimated cardinality of the union of the HLLs (0 for missing
   * keys). Only an HLL crafted from raw bytes can estimate past 2^53; that is rounded to a number.
   */
  pfcount(...keys: CommandArg[]): Promise<number> {
    return this.send(['PFCOUNT', ...keys], toNumber);
  }

  /** PFMERGE destkey [sourcekey ...] — destkey becomes the union of itself and the sources. */
  pfmerge(destination: CommandArg, ...sources: CommandArg[]): Promise<'OK'> {
    return this.send(['PFMERGE', destination, ...sources]) as Promise<'OK'>;
  }
}

function toNumber(r: Decoded): number {
  return Number(r);
}
