/**
 * Typed methods for strings (shaped like @upstash/redis).
 * SKELETON: completed by the strings work.
 */
import { CommandsBase } from './base.js';
import type { CommandArg } from './transport.js';

export type SetOptions = {
  ex?: number;
  px?: number;
  exat?: number;
  pxat?: number;
  keepTtl?: boolean;
  nx?: boolean;
  xx?: boolean;
  get?: boolean;
};

export abstract class StringCommands extends CommandsBase {
  /** GET key */
  get(key: CommandArg): Promise<string | null> {
    return this.send(['GET', key]) as Promise<string | null>;
  }

  /** SET key value [NX|XX] [GET] [EX s|PX ms|EXAT ts|PXAT ts|KEEPTTL] */
  set(key: CommandArg, value: CommandArg, opts?: SetOptions): Promise<string | null> {
    const argv: CommandArg[] = ['SET', key, value];
    if (opts) {
      if (opts.nx) argv.push('NX');
      else if (opts.xx) argv.push('XX');
      if (opts.get) argv.push('GET');
      if (opts.ex !== undefined) argv.push('EX', opts.ex);
      else if (opts.px !== undefined) argv.push('PX', opts.px);
      else if (opts.exat !== undefined) argv.push('EXAT', opts.exat);
      else if (opts.pxat !== undefined) argv.push('PXAT', opts.pxat);
      else if (opts.keepTtl) argv.push('KEEPTTL');
    }
    return this.send(argv) as Promise<string | null>;
  }
}
