/**
 * Typed pub/sub methods. `publish` and the PUBSUB helpers run on the caller's session;
 * `subscribe`, `psubscribe` and `ssubscribe` each open a session of their own (a subscribed RESP2
 * session may run nothing but (un)subscribe commands and PING) and return a `Subscription`:
 *
 *   const sub = await redis.subscribe(['news', 'alerts']);
 *   for await (const { channel, message } of sub) console.log(channel, message);
 *   // elsewhere: await redis.publish('news', 'hello'); … await sub.unsubscribe();
 */
import { utf8DecodeLossy } from '../sds.js';
import type { Decoded, DecodedBuffer } from '../reply.js';
import { CommandsBase } from './base.js';
import type { CommandArg, Transport } from './transport.js';

/** A message as a Subscription yields it. */
export interface PubSubMessage<T extends string | Uint8Array = string> {
  /** The channel it was published to (decoded as UTF-8). */
  channel: string;
  /** The payload: a string, or the bytes with `{ buffers: true }`. */
  message: T;
  /** For pattern subscriptions, the pattern that matched. */
  pattern?: string;
}

export interface SubscribeOptions<T extends string | Uint8Array = string> {
  /** Payloads as `Uint8Array` instead of strings. */
  buffers?: boolean;
  /**
   * Receive messages with a callback instead of the async iterator (the subscription then keeps
   * no queue). Called in a microtask after the publishing command completes, never inside it.
   */
  onMessage?: (msg: PubSubMessage<T>) => void;
  /**
   * Most messages the iterator queue holds while nobody consumes them (default 100 000; `Infinity`
   * for no cap). Like Redis disconnecting a pub/sub client over its output-buffer limit, a
   * subscription that falls this far behind is closed: the iterator yields what it had queued,
   * then throws.
   */
  maxQueue?: number;
}

type SubscriptionKind = 'message' | 'pmessage' | 'smessage';

const DEFAULT_MAX_QUEUE = 100_000;

/**
 * An active subscription on its own session: an async iterator of messages (one consumer), or a
 * callback (`onMessage`). `unsubscribe()` closes the session; breaking out of `for await` does too.
 */
export class Subscription<T extends string | Uint8Array = string> implements AsyncIterableIterator<PubSubMessage<T>> {
  private readonly queue: PubSubMessage<T>[] = [];
  private head = 0;
  private readonly waiters: { resolve: (r: IteratorResult<PubSubMessage<T>>) => void; reject: (e: unknown) => void }[] = [];
  /** Messages waiting for the onMessage callback's microtask. */
  private pending: PubSubMessage<T>[] = [];
  private closed = false;
  private failure: Error | null = null;
  private readonly onMessage: ((msg: PubSubMessage<T>) => void) | null;
  private readonly maxQueue: number;
  private readonly buffers: boolean;

  /** @internal Opened by `subscribe`/`psubscribe`/`ssubscribe`; takes over `transport`'s pushes. */
  constructor(
    private readonly transport: Transport,
    /** What was subscribed to: channels, patterns or shard channels. */
    readonly names: readonly CommandArg[],
    private readonly kind: SubscriptionKind,
    options: SubscribeOptions<T>,
  ) {
    this.onMessage = options.onMessage ?? null;
    this.maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
    this.buffers = options.buffers ?? false;
    transport.onPush((m) => this.receive(m), this.buffers);
  }

  /** Whether the subscription has been closed (unsubscribed, or over its queue limit). */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Unsubscribe and close the session. Messages already queued can still be read. */
  async unsubscribe(): Promise<void> {
    this.close(null);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<PubSubMessage<T>>> {
    if (this.head < this.queue.length) return Promise.resolve({ value: this.shift(), done: false });
    if (this.closed) {
      const e = this.failure;
      this.failure = null; // thrown once; later calls just end
      return e ? Promise.reject(e) : Promise.resolve({ value: undefined, done: true });
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Called when a `for await` loop ends early: the subscription ends with it. */
  async return(): Promise<IteratorResult<PubSubMessage<T>>> {
    this.close(null);
    this.queue.length = this.head = 0;
    return { value: undefined, done: true };
  }

  private shift(): PubSubMessage<T> {
    const m = this.queue[this.head]!;
    this.queue[this.head++] = undefined as never;
    if (this.head === this.queue.length) this.queue.length = this.head = 0;
    else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return m;
  }

  /** A pushed reply from the session: keep messages of our kind, ignore confirmations. */
  private receive(raw: Decoded | DecodedBuffer): void {
    if (this.closed || !Array.isArray(raw)) return;
    const text = (x: unknown) => (x instanceof Uint8Array ? utf8DecodeLossy(x) : String(x));
    if (text(raw[0]) !== this.kind) return;
    const pattern = this.kind === 'pmessage' ? text(raw[1]) : undefined;
    const rest = this.kind === 'pmessage' ? 2 : 1;
    let message = raw[rest + 1] as T;
    // Every receiver of a message sees the same bytes; give this one its own copy.
    if (message instanceof Uint8Array) message = message.slice() as T;
    const msg: PubSubMessage<T> = { channel: text(raw[rest]), message };
    if (pattern !== undefined) msg.pattern = pattern;

    if (this.onMessage) {
      if (this.pending.push(msg) === 1) queueMicrotask(() => this.deliverPending());
    } else if (this.waiters.length) {
      this.waiters.shift()!.resolve({ value: msg, done: false });
    } else if (this.queue.length - this.head >= this.maxQueue) {
      this.close(new Error(`Lodis: subscription closed, more than ${this.maxQueue} messages were queued unread (maxQueue)`));
    } else {
      this.queue.push(msg);
    }
  }

  private deliverPending(): void {
    const batch = this.pending;
    this.pending = [];
    for (const msg of batch) {
      if (this.closed) return;
      try {
        this.onMessage!(msg);
      } catch (e) {
        // A throwing callback does not stop later messages; its error surfaces on its own.
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  private close(failure: Error | null): void {
    if (this.closed) return;
    this.closed = true;
    this.pending = [];
    this.transport.onPush(null);
    // Never close the session from inside the engine's delivery loop.
    queueMicrotask(() => this.transport.close());
    if (failure && this.head === this.queue.length && this.waiters.length) {
      for (const w of this.waiters.splice(0)) w.reject(failure);
      return;
    }
    this.failure = failure;
    for (const w of this.waiters.splice(0)) w.resolve({ value: undefined, done: true });
  }
}

type Names = CommandArg | CommandArg[];
type AnySubscribeOptions = SubscribeOptions<string> | SubscribeOptions<Uint8Array>;
type AnySubscription = Subscription<string> | Subscription<Uint8Array>;

export abstract class PubSubCommands extends CommandsBase {
  /** PUBLISH channel message — the number of subscribers (channel and pattern) that received it. */
  publish(channel: CommandArg, message: CommandArg): Promise<number> {
    return this.send(['PUBLISH', channel, message]) as Promise<number>;
  }

  /** SPUBLISH shardchannel message */
  spublish(channel: CommandArg, message: CommandArg): Promise<number> {
    return this.send(['SPUBLISH', channel, message]) as Promise<number>;
  }

  /** SUBSCRIBE channel [channel …] on a new session; resolves once the subscription is active. */
  subscribe(channels: Names, options?: SubscribeOptions<string> & { buffers?: false }): Promise<Subscription<string>>;
  subscribe(channels: Names, options: SubscribeOptions<Uint8Array> & { buffers: true }): Promise<Subscription<Uint8Array>>;
  subscribe(channels: Names, options: AnySubscribeOptions = {}): Promise<AnySubscription> {
    return this.openSubscription('SUBSCRIBE', channels, 'message', options);
  }

  /** PSUBSCRIBE pattern [pattern …] on a new session; messages carry the matching `pattern`. */
  psubscribe(patterns: Names, options?: SubscribeOptions<string> & { buffers?: false }): Promise<Subscription<string>>;
  psubscribe(patterns: Names, options: SubscribeOptions<Uint8Array> & { buffers: true }): Promise<Subscription<Uint8Array>>;
  psubscribe(patterns: Names, options: AnySubscribeOptions = {}): Promise<AnySubscription> {
    return this.openSubscription('PSUBSCRIBE', patterns, 'pmessage', options);
  }

  /** SSUBSCRIBE shardchannel [shardchannel …] on a new session (receives SPUBLISH messages). */
  ssubscribe(channels: Names, options?: SubscribeOptions<string> & { buffers?: false }): Promise<Subscription<string>>;
  ssubscribe(channels: Names, options: SubscribeOptions<Uint8Array> & { buffers: true }): Promise<Subscription<Uint8Array>>;
  ssubscribe(channels: Names, options: AnySubscribeOptions = {}): Promise<AnySubscription> {
    return this.openSubscription('SSUBSCRIBE', channels, 'smessage', options);
  }

  /** PUBSUB CHANNELS [pattern] — channels with at least one subscriber. */
  pubsubChannels(pattern?: CommandArg): Promise<string[]> {
    return this.send(pattern === undefined ? ['PUBSUB', 'CHANNELS'] : ['PUBSUB', 'CHANNELS', pattern]) as Promise<string[]>;
  }

  /** PUBSUB NUMSUB channel … — subscribers per channel (pattern subscribers not counted). */
  pubsubNumsub(...channels: CommandArg[]): Promise<Record<string, number>> {
    return this.send(['PUBSUB', 'NUMSUB', ...channels], numsubToRecord);
  }

  /** PUBSUB NUMPAT — the number of patterns with at least one subscriber. */
  pubsubNumpat(): Promise<number> {
    return this.send(['PUBSUB', 'NUMPAT']) as Promise<number>;
  }

  /** PUBSUB SHARDCHANNELS [pattern] */
  pubsubShardchannels(pattern?: CommandArg): Promise<string[]> {
    return this.send(
      pattern === undefined ? ['PUBSUB', 'SHARDCHANNELS'] : ['PUBSUB', 'SHARDCHANNELS', pattern],
    ) as Promise<string[]>;
  }

  /** PUBSUB SHARDNUMSUB shardchannel … */
  pubsubShardnumsub(...channels: CommandArg[]): Promise<Record<string, number>> {
    return this.send(['PUBSUB', 'SHARDNUMSUB', ...channels], numsubToRecord);
  }

  private async openSubscription(
    command: 'SUBSCRIBE' | 'PSUBSCRIBE' | 'SSUBSCRIBE',
    names: Names,
    kind: SubscriptionKind,
    options: AnySubscribeOptions,
  ): Promise<AnySubscription> {
    const list = Array.isArray(names) ? names : [names];
    const transport = this.transport.connect();
    // Listen before subscribing so that nothing published after the confirmation is missed.
    const sub = new Subscription<string>(transport, list, kind, options as SubscribeOptions<string>) as AnySubscription;
    try {
      await transport.send([command, ...list]);
    } catch (e) {
      transport.close();
      throw e;
    }
    return sub;
  }
}

/** [channel, count, …] as { channel: count } (a null-prototype object: any channel name is safe). */
function numsubToRecord(r: Decoded): Record<string, number> {
  const a = r as (string | number)[];
  const out: Record<string, number> = Object.create(null);
  for (let i = 0; i < a.length; i += 2) out[a[i] as string] = a[i + 1] as number;
  return out;
}
