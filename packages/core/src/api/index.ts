/**
 * The typed API: one class whose methods are defined once per command family (api/<family>.ts)
 * and reused by every front. Families are mixed in here.
 */
import { CommandsBase } from './base.js';
import { BitmapCommands } from './bitmaps.js';
import { HashCommands } from './hashes.js';
import { HyperLogLogCommands } from './hll.js';
import { KeyCommands } from './keys.js';
import { ListCommands } from './lists.js';
import { PubSubCommands } from './pubsub.js';
import { ServerCommands } from './server.js';
import { SetCommands } from './sets.js';
import { SortCommands } from './sort.js';
import { StringCommands } from './strings.js';
import { SortedSetCommands } from './zsets.js';

export class RedisCommands extends CommandsBase {}
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
    PubSubCommands,
    ServerCommands {}

for (const family of [StringCommands, KeyCommands, BitmapCommands, HyperLogLogCommands, ListCommands, HashCommands, SetCommands, SortedSetCommands, SortCommands, PubSubCommands, ServerCommands]) {
  for (const name of Object.getOwnPropertyNames(family.prototype)) {
    if (name !== 'constructor') {
      Object.defineProperty(RedisCommands.prototype, name, Object.getOwnPropertyDescriptor(family.prototype, name)!);
    }
  }
}
