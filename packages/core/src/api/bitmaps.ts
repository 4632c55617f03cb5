/**
 * Typed methods for bitmaps (shaped like @upstash/redis).
 *
 *   await redis.setbit('online', userId, 1);
 *   await redis.bitcount('online');
 *   await redis.bitfield('stats').incrby('u32', '#0', 1).get('u32', '#1').exec();
 */
import type { Decoded } from '../reply.js';
import { CommandsBase } from './base.js';
import type { CommandArg } from './transport.js';

/** A BITFIELD type: `i1`…`i64` (signed) or `u1`…`u63` (unsigned). */
export type BitFieldType = `${'i' | 'u'}${number}`;
/** A bit offset, or `#n` for the n-th field of the type's width. */
export type BitFieldOffset = number | `#${number}`;
export type BitUnit = 'BYTE' | 'BIT';

/**
 * BITFIELD as a chain: `redis.bitfield(key).set('u8', 0, 255).incrby('u8', 0, 1).exec()`.
 * `exec()` resolves with one entry per GET/SET/INCRBY: a number (bigint past 2^53), or null where
 * OVERFLOW FAIL refused the write.
 */
export class BitFieldCommand {
  private readonly argv: CommandArg[];

  constructor(
    key: CommandArg,
    private readonly run: (argv: CommandArg[]) => Promise<Decoded>,
  ) {
    this.argv = ['BITFIELD', key];
  }

  /** GET type offset */
  get(type: BitFieldType, offset: BitFieldOffset): this {
    this.argv.push('GET', type, offset);
    return this;
  }

  /** SET type offset value: the reply is the old value. */
  set(type: BitFieldType, offset: BitFieldOffset, value: number | bigint): this {
    this.argv.push('SET', type, offset, value);
    return this;
  }

  /** INCRBY type offset increment: the reply is the new value. */
  incrby(type: BitFieldType, offset: BitFieldOffset, increment: number | bigint): this {
    this.argv.push('INCRBY', type, offset, increment);
    return this;
  }

  /** OVERFLOW WRAP|SAT|FAIL for the SET and INCRBY that follow. */
  overflow(mode: 'WRAP' | 'SAT' | 'FAIL'): this {
    this.argv.push('OVERFLOW', mode);
    return this;
  }

  exec(): Promise<(number | bigint | null)[]> {
    return this.run(this.argv) as Promise<(number | bigint | null)[]>;
  }
}

export abstract class BitmapCommands extends CommandsBase {
  /** SETBIT key offset value → the bit's previous value. */
  setbit(key: CommandArg, offset: number, value: 0 | 1): Promise<0 | 1> {
    return this.send(['SETBIT', key, offset, value]) as Promise<0 | 1>;
  }

  /** GETBIT key offset */
  getbit(key: CommandArg, offset: number): Promise<0 | 1> {
    return this.send(['GETBIT', key, offset]) as Promise<0 | 1>;
  }

  /** BITCOUNT key [start end [BYTE|BIT]]: set bits, in the whole value or a range (bytes by default). */
  bitcount(key: CommandArg): Promise<number>;
  bitcount(key: CommandArg, start: number, end: number, unit?: BitUnit): Promise<number>;
  bitcount(key: CommandArg, start?: number, end?: number, unit?: BitUnit): Promise<number> {
    const argv: CommandArg[] = ['BITCOUNT', key];
    if (start !== undefined && end !== undefined) {
      argv.push(start, end);
      if (unit) argv.push(unit);
    }
    return this.send(argv) as Promise<number>;
  }

  /** BITPOS key bit [start [end [BYTE|BIT]]]: the first bit set to `bit`, or -1. */
  bitpos(key: CommandArg, bit: 0 | 1, start?: number, end?: number, unit?: BitUnit): Promise<number> {
    const argv: CommandArg[] = ['BITPOS', key, bit];
    if (start !== undefined) {
      argv.push(start);
      if (end !== undefined) {
        argv.push(end);
        if (unit) argv.push(unit);
      }
    }
    return this.send(argv) as Promise<number>;
  }

  /** BITOP AND|OR|XOR|NOT destkey key [key ...] → the length of the result, in bytes. */
  bitop(op: 'and' | 'or' | 'xor', destinationKey: CommandArg, sourceKey: CommandArg, ...sourceKeys: CommandArg[]): Promise<number>;
  bitop(op: 'not', destinationKey: CommandArg, sourceKey: CommandArg): Promise<number>;
  bitop(op: 'and' | 'or' | 'xor' | 'not', destinationKey: CommandArg, ...sourceKeys: CommandArg[]): Promise<number> {
    return this.send(['BITOP', op, destinationKey, ...sourceKeys]) as Promise<number>;
  }

  /** BITFIELD key …, as a chain ending in `exec()`. */
  bitfield(key: CommandArg): BitFieldCommand {
    return new BitFieldCommand(key, (argv) => this.send(argv));
  }
}
