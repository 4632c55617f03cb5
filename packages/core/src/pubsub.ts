/**
 * Pub/sub (pubsub.c): channel, pattern and shard-channel subscriptions, message delivery, and
 * the SUBSCRIBE … PUBSUB commands.
 *
 * The server side keeps, per channel (and per pattern), the set of subscribed clients in
 * subscription order; each client keeps its own channels and patterns (client.ts). A message is
 * pushed to each receiver with `client.push`: an array in RESP2, a PushReply in RESP3.
 *
 * Shard channels (SSUBSCRIBE, SPUBLISH) are, outside cluster mode, a second channel namespace that
 * patterns never match; their confirmations count shard channels only.
 *
 * Where Redis' order comes from a hash table (UNSUBSCRIBE with no arguments, several patterns
 * matching one message, PUBSUB CHANNELS) Lodis uses subscription order: Redis' order there
 * depends on its per-process hash seed and is not part of its contract.
 */
import type { Client } from './client.js';
import type { CommandHandlers } from './commands.js';
import { subcommandSyntaxErr } from './errors.js';
import { helpReply, MultiReply, PushReply, type Reply } from './reply.js';
import { argLatin1, keyLatin1, keyReply, toKey, utf8DecodeLossy, type Arg, type KeyString, type StringValue } from './sds.js';
import { stringmatchlen } from './util.js';

/** A pattern's subscribers, with the pattern as a byte string for stringmatchlen. */
class PatternSubscribers extends Set<Client> {
  constructor(readonly bytes: string) {
    super();
  }
}

/** Redis' pubsubtype: what differs between global channels and shard channels. */
export interface PubSubType {
  /** The client's own channel set. */
  clientChannels(c: Client): Set<KeyString>;
  /** The count a confirmation carries (clientSubscriptionsCount or its shard form). */
  subscriptionCount(c: Client): number;
  /** The server's channel → subscribers map. */
  serverChannels(ps: PubSub): Map<KeyString, Set<Client>>;
  readonly subscribeMsg: string;
  readonly unsubscribeMsg: string;
  readonly messageKind: string;
}

const pubSubType: PubSubType = {
  clientChannels: (c) => c.channels,
  subscriptionCount: (c) => c.channels.size + c.patterns.size,
  serverChannels: (ps) => ps.channels,
  subscribeMsg: 'subscribe',
  unsubscribeMsg: 'unsubscribe',
  messageKind: 'message',
};

const pubSubShardType: PubSubType = {
  clientChannels: (c) => c.shardChannels,
  subscriptionCount: (c) => c.shardChannels.size,
  serverChannels: (ps) => ps.shardChannels,
  subscribeMsg: 'ssubscribe',
  unsubscribeMsg: 'sunsubscribe',
  messageKind: 'smessage',
};

/** A pub/sub notification (confirmation or message): an array in RESP2, a push in RESP3. */
function pubsubReply(c: Client, items: Reply[]): Reply {
  return c.resp === 2 ? items : new PushReply(items);
}

export class PubSub {
  /** channel → subscribed clients, in subscription order. */
  readonly channels = new Map<KeyString, Set<Client>>();
  /** pattern → subscribed clients, in subscription order. */
  readonly patterns = new Map<KeyString, PatternSubscribers>();
  /** shard channel → subscribed clients (SSUBSCRIBE). */
  readonly shardChannels = new Map<KeyString, Set<Client>>();

  /** pubsubPublishMessage: deliver to channel and pattern subscribers; returns the receiver count. */
  publish(channel: KeyString, message: Arg | StringValue): number {
    // The common case, nobody listening at all, costs two size checks.
    if (this.channels.size === 0 && this.patterns.size === 0) return 0;
    return this.publishMessage(channel, message, pubSubType);
  }

  /** SPUBLISH's delivery: shard-channel subscribers only (patterns never see shard messages). */
  publishShard(channel: KeyString, message: Arg | StringValue): number {
    if (this.shardChannels.size === 0) return 0;
    return this.publishMessage(channel, message, pubSubShardType);
  }

  /** pubsubPublishMessageInternal */
  private publishMessage(channel: KeyString, message: Arg | StringValue, type: PubSubType): number {
    let receivers = 0;
    const payload: Reply = typeof message === 'number' ? String(message) : message;
    const channelReply = keyReply(channel);
    const subscribers = type.serverChannels(this).get(channel);
    if (subscribers !== undefined) {
      for (const c of subscribers) {
        c.push(pubsubReply(c, [type.messageKind, channelReply, payload]));
        receivers++;
      }
    }
    if (type === pubSubShardType || this.patterns.size === 0) return receivers;
    const channelBytes = keyLatin1(channel);
    for (const [pattern, clients] of this.patterns) {
      if (!stringmatchlen(clients.bytes, channelBytes)) continue;
      const patternReply = keyReply(pattern);
      for (const c of clients) {
        c.push(pubsubReply(c, ['pmessage', patternReply, channelReply, payload]));
        receivers++;
      }
    }
    return receivers;
  }

  /**
   * pubsubSubscribeChannel: subscribe `c` (a repeated subscription changes nothing) and return
   * the confirmation, which carries the client's count after it.
   */
  subscribeChannel(c: Client, channel: Arg, type: PubSubType): Reply {
    const key = toKey(channel);
    const own = type.clientChannels(c);
    if (!own.has(key)) {
      own.add(key);
      const server = type.serverChannels(this);
      let clients = server.get(key);
      if (clients === undefined) server.set(key, (clients = new Set()));
      clients.add(c);
    }
    return pubsubReply(c, [type.subscribeMsg, channel, type.subscriptionCount(c)]);
  }

  /** pubsubUnsubscribeChannel: true when `c` was subscribed. */
  unsubscribeChannel(c: Client, key: KeyString, type: PubSubType): boolean {
    if (!type.clientChannels(c).delete(key)) return false;
    const server = type.serverChannels(this);
    const clients = server.get(key)!;
    clients.delete(c);
    // Drop emptied channels so that PUBSUB CHANNELS and memory only reflect live ones.
    if (clients.size === 0) server.delete(key);
    return true;
  }

  /** pubsubSubscribePattern */
  subscribePattern(c: Client, pattern: Arg): Reply {
    const key = toKey(pattern);
    if (!c.patterns.has(key)) {
      c.patterns.add(key);
      let clients = this.patterns.get(key);
      if (clients === undefined) this.patterns.set(key, (clients = new PatternSubscribers(keyLatin1(key))));
      clients.add(c);
    }
    return pubsubReply(c, ['psubscribe', pattern, pubSubType.subscriptionCount(c)]);
  }

  /** pubsubUnsubscribePattern: true when `c` was subscribed. */
  unsubscribePattern(c: Client, key: KeyString): boolean {
    if (!c.patterns.delete(key)) return false;
    const clients = this.patterns.get(key)!;
    clients.delete(c);
    if (clients.size === 0) this.patterns.delete(key);
    return true;
  }

  /** pubsubUnsubscribeAllChannels + Patterns + shard channels, without replies (a closing client). */
  unsubscribeAll(c: Client): void {
    for (const key of [...c.channels]) this.unsubscribeChannel(c, key, pubSubType);
    for (const key of [...c.shardChannels]) this.unsubscribeChannel(c, key, pubSubShardType);
    for (const key of [...c.patterns]) this.unsubscribePattern(c, key);
  }
}

// ---- commands ------------------------------------------------------------------------------

/** SUBSCRIBE / SSUBSCRIBE: one confirmation per argument, repeated ones included. */
function subscribeGenericCommand(c: Client, argv: Arg[], type: PubSubType): Reply {
  const ps = c.engine.pubsub;
  const replies: Reply[] = [];
  for (let j = 1; j < argv.length; j++) replies.push(ps.subscribeChannel(c, argv[j]!, type));
  return new MultiReply(replies);
}

/**
 * UNSUBSCRIBE / SUNSUBSCRIBE: one confirmation per argument (subscribed or not); with no
 * arguments, one per channel the client had, or a single `[kind, nil, count]` when it had none.
 */
function unsubscribeGenericCommand(c: Client, argv: Arg[], type: PubSubType): Reply {
  const ps = c.engine.pubsub;
  const replies: Reply[] = [];
  if (argv.length === 1) {
    for (const key of [...type.clientChannels(c)]) {
      ps.unsubscribeChannel(c, key, type);
      replies.push(pubsubReply(c, [type.unsubscribeMsg, keyReply(key), type.subscriptionCount(c)]));
    }
    if (replies.length === 0) replies.push(pubsubReply(c, [type.unsubscribeMsg, null, type.subscriptionCount(c)]));
  } else {
    for (let j = 1; j < argv.length; j++) {
      ps.unsubscribeChannel(c, toKey(argv[j]!), type);
      replies.push(pubsubReply(c, [type.unsubscribeMsg, argv[j]!, type.subscriptionCount(c)]));
    }
  }
  return new MultiReply(replies);
}

/** SUBSCRIBE channel [channel ...] */
function subscribeCommand(c: Client, argv: Arg[]): Reply {
  return subscribeGenericCommand(c, argv, pubSubType);
}

/** UNSUBSCRIBE [channel [channel ...]] */
function unsubscribeCommand(c: Client, argv: Arg[]): Reply {
  return unsubscribeGenericCommand(c, argv, pubSubType);
}

/** SSUBSCRIBE shardchannel [shardchannel ...] */
function ssubscribeCommand(c: Client, argv: Arg[]): Reply {
  return subscribeGenericCommand(c, argv, pubSubShardType);
}

/** SUNSUBSCRIBE [shardchannel [shardchannel ...]] */
function sunsubscribeCommand(c: Client, argv: Arg[]): Reply {
  return unsubscribeGenericCommand(c, argv, pubSubShardType);
}

/** PSUBSCRIBE pattern [pattern ...] */
function psubscribeCommand(c: Client, argv: Arg[]): Reply {
  const ps = c.engine.pubsub;
  const replies: Reply[] = [];
  for (let j = 1; j < argv.length; j++) replies.push(ps.subscribePattern(c, argv[j]!));
  return new MultiReply(replies);
}

/** PUNSUBSCRIBE [pattern [pattern ...]] */
function punsubscribeCommand(c: Client, argv: Arg[]): Reply {
  const ps = c.engine.pubsub;
  const replies: Reply[] = [];
  const count = () => pubSubType.subscriptionCount(c);
  if (argv.length === 1) {
    for (const key of [...c.patterns]) {
      ps.unsubscribePattern(c, key);
      replies.push(pubsubReply(c, ['punsubscribe', keyReply(key), count()]));
    }
    if (replies.length === 0) replies.push(pubsubReply(c, ['punsubscribe', null, count()]));
  } else {
    for (let j = 1; j < argv.length; j++) {
      ps.unsubscribePattern(c, toKey(argv[j]!));
      replies.push(pubsubReply(c, ['punsubscribe', argv[j]!, count()]));
    }
  }
  return new MultiReply(replies);
}

/** PUBLISH channel message — the number of clients that received it. */
function publishCommand(c: Client, argv: Arg[]): Reply {
  return c.engine.pubsub.publish(toKey(argv[1]!), argv[2]!);
}

/** SPUBLISH shardchannel message */
function spublishCommand(c: Client, argv: Arg[]): Reply {
  return c.engine.pubsub.publishShard(toKey(argv[1]!), argv[2]!);
}

const PUBSUB_HELP = [
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
];

/** PUBSUB HELP */
function pubsubHelpCommand(): Reply {
  return helpReply('pubsub', PUBSUB_HELP);
}

/** channelList: the channels with at least one subscriber, matching `pattern` when given. */
function channelList(channels: Map<KeyString, Set<Client>>, argv: Arg[]): Reply {
  if (argv.length > 3) {
    const sub = argv[1]!;
    throw subcommandSyntaxErr(typeof sub === 'string' ? sub : utf8DecodeLossy(sub), 'pubsub');
  }
  const out: Reply[] = [];
  if (argv.length === 2) {
    for (const key of channels.keys()) out.push(keyReply(key));
  } else {
    const pattern = argLatin1(argv[2]!);
    for (const key of channels.keys()) if (stringmatchlen(pattern, keyLatin1(key))) out.push(keyReply(key));
  }
  return out;
}

/** PUBSUB CHANNELS [pattern] */
function pubsubChannelsCommand(c: Client, argv: Arg[]): Reply {
  return channelList(c.engine.pubsub.channels, argv);
}

/** PUBSUB SHARDCHANNELS [pattern] */
function pubsubShardchannelsCommand(c: Client, argv: Arg[]): Reply {
  return channelList(c.engine.pubsub.shardChannels, argv);
}

/** NUMSUB / SHARDNUMSUB: [channel, subscribers, …], pattern subscribers not counted. */
function numsubGeneric(channels: Map<KeyString, Set<Client>>, argv: Arg[]): Reply {
  const out: Reply[] = [];
  for (let j = 2; j < argv.length; j++) out.push(argv[j]!, channels.get(toKey(argv[j]!))?.size ?? 0);
  return out;
}

/** PUBSUB NUMSUB [channel ...] */
function pubsubNumsubCommand(c: Client, argv: Arg[]): Reply {
  return numsubGeneric(c.engine.pubsub.channels, argv);
}

/** PUBSUB SHARDNUMSUB [shardchannel ...] */
function pubsubShardnumsubCommand(c: Client, argv: Arg[]): Reply {
  return numsubGeneric(c.engine.pubsub.shardChannels, argv);
}

/** PUBSUB NUMPAT — the number of distinct patterns with a subscriber. */
function pubsubNumpatCommand(c: Client): Reply {
  return c.engine.pubsub.patterns.size;
}

export const pubsubCommands: CommandHandlers = {
  subscribe: subscribeCommand,
  unsubscribe: unsubscribeCommand,
  psubscribe: psubscribeCommand,
  punsubscribe: punsubscribeCommand,
  ssubscribe: ssubscribeCommand,
  sunsubscribe: sunsubscribeCommand,
  publish: publishCommand,
  spublish: spublishCommand,
  'pubsub|help': pubsubHelpCommand,
  'pubsub|channels': pubsubChannelsCommand,
  'pubsub|numsub': pubsubNumsubCommand,
  'pubsub|numpat': pubsubNumpatCommand,
  'pubsub|shardchannels': pubsubShardchannelsCommand,
  'pubsub|shardnumsub': pubsubShardnumsubCommand,
};
