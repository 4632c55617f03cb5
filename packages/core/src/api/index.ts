/**
 * The typed API: one class whose methods are defined once per command family (api/<family>.ts)
 * and reused by every front. Families are mixed in here.
 */
import { CommandsBase } from './base.js';
import { BitmapCommands } from './bitmaps.js';
import { HashCommands } from './hashes.js';
import { HyperLogLogCommands } from './hll.js';
import { KeyCommands } from './keys.js';
import { KeyWatchCommands } from './keywatch.js';
import { ListCommands } from './lists.js';
import { createPipeline, type Pipeline, type Transaction } from './pipeline.js';
import { PubSubCommands } from './pubsub.js';
import { ServerCommands } from './server.js';
import { SetCommands } from './sets.js';
import { SortCommands } from './sort.js';
import { StreamCommands } from './streams.js';
import { StringCommands } from './strings.js';
import { SortedSetCommands } from './zsets.js';

export class RedisCommands extends CommandsBase {
  /**
   * A transaction (MULTI … EXEC) of chained typed calls, like @upstash/redis' `multi()`:
   * `await redis.multi().incr('a').expire('a', 60).exec()` → `[1, 1]` (api/pipeline.ts).
   */
  multi(): Transaction {
    return createPipeline(RedisCommands, this.transport, true);
  }

  /** Chained typed calls sent together, not atomic: `await redis.pipeline().get('a').get('b').exec()`. */
  pipeline(): Pipeline {
    return createPipeline(RedisCommands, this.transport, false);
  }
}
/* eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging */
export interface RedisCommands
  extends StringCommands,
    KeyCommands,
    BitmapCommands,
    HyperLogLogCommands,
    ListCommands,
    HashCommands,
    SetCommands,
    SortedSetCommands,
    SortCommands,
    StreamCommands,
    PubSubCommands,
    ServerCommands,
    KeyWatchCommands {}

for (const family of [StringCommands, KeyCommands, BitmapCommands, HyperLogLogCommands, ListCommands, HashCommands, SetCommands, SortedSetCommands, SortCommands, StreamCommands, PubSubCommands, ServerCommands, KeyWatchCommands]) {
  for (const name of Object.getOwnPropertyNames(family.prototype)) {
    if (name !== 'constructor') {
      Object.defineProperty(RedisCommands.prototype, name, Object.getOwnPropertyDescriptor(family.prototype, name)!);
    }
  }
}
