/**
 * Pub/sub (pubsub.c): channel and pattern subscriptions and message delivery.
 * SKELETON: the commands (SUBSCRIBE … PUBSUB) are added by the pub/sub work.
 */
import type { Client } from './client.js';
import type { Arg, KeyString, StringValue } from './sds.js';

export class PubSub {
  /** channel → subscribed clients, in subscription order. */
  readonly channels = new Map<KeyString, Set<Client>>();
  /** pattern → subscribed clients. */
  readonly patterns = new Map<KeyString, Set<Client>>();

  /** pubsubPublishMessage: deliver to channel and pattern subscribers; returns the receiver count. */
  publish(channel: KeyString, message: Arg | StringValue): number {
    void channel;
    void message;
    return 0;
  }

  /** pubsubUnsubscribeAllChannels + Patterns, without replies (a closing client). */
  unsubscribeAll(c: Client): void {
    void c;
  }
}

import type { CommandHandlers } from './commands.js';

export const pubsubCommands: CommandHandlers = {};
