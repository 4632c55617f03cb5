/**
 * A client session (Redis' `client` struct): its selected database, protocol, pub/sub state and,
 * in later layers, its MULTI queue, WATCHed keys and blocked state. `store.connect()` opens one.
 */
import type { BlockedState } from './blocked.js';
import type { RedisCommand } from './commands.js';
import type { RedisDb } from './keyspace.js';
import type { MultiState, WatchedKey } from './multi.js';
import type { Reply } from './reply.js';
import type { Arg, KeyString } from './sds.js';
import type { Engine } from './server.js';

/** rewrittenArgv when the command itself is not logged. */
export const PREVENTED: Arg[] = [];

export class Client {
  db: RedisDb;
  resp: 2 | 3 = 2;
  name: string | null = null;
  /** SUBSCRIBE'd channels and PSUBSCRIBE'd patterns, in subscription order. */
  readonly channels = new Set<KeyString>();
  readonly patterns = new Set<KeyString>();
  /** SSUBSCRIBE'd shard channels: a namespace of their own, in a non-cluster server too. */
  readonly shardChannels = new Set<KeyString>();
  /** Where pushed replies (pub/sub messages) go; set by the front that owns the session. */
  onPush: ((msg: Reply) => void) | null = null;
  /** Set by a handler whose effects differ from its argv (rewriteClientCommandVector). */
  rewrittenArgv: Arg[] | null = null;
  /**
   * Set by a handler whose reply comes later (SAVE waits for its checkpoint): the front that
   * runs the command takes it and replies with what it resolves to.
   */
  deferredReply: Promise<Reply> | null = null;
  /** The argv of the command being executed (a blocked command is run again from it). */
  argv: Arg[] | null = null;
  /** Blocked on keys (blocked.ts), or null. */
  blocked: BlockedState | null = null;
  /** Called when the session is unblocked (its front runs what it held back meanwhile). */
  onUnblocked: (() => void) | null = null;
  /** The operation id of the command being executed, when a front forwards one (opreplies.ts). */
  op: { readonly origin: string; readonly n: number } | null = null;
  closed = false;
  /** Inside MULTI: the queued transaction (multi.ts), else null. */
  mstate: MultiState | null = null;
  /** WATCHed keys (multi.ts) and CLIENT_DIRTY_CAS: one of them changed, EXEC will fail. */
  watchedKeys: WatchedKey[] = [];
  dirtyCas = false;
  /** CLIENT_DENY_BLOCKING: a blocking command replies at once (inside EXEC). */
  denyBlocking = false;
  /** When the session was created and last sent a command (ms, engine clock): CLIENT LIST age and idle. */
  readonly createdAt: number;
  lastInteraction: number;
  /** A command was sent and lastInteraction waits for the engine's next clock reading (server.ts). */
  interactionPending = false;
  /** The last command it sent (null when unknown): CLIENT LIST cmd. */
  lastCommand: RedisCommand | null = null;
  /** CLIENT NO-EVICT ON: exempt from client eviction (which Lodis does not do; reported in flags). */
  noEvict = false;
  /**
   * The peer and local address CLIENT LIST shows and CLIENT KILL ADDR/LADDR match. A front with
   * real connections sets them; an in-process session has `lodis:<id>` and `lodis:0`.
   */
  addr: string;
  laddr = 'lodis:0';
  /** Called when the session is closed by the engine (CLIENT KILL), so its front can let go of it. */
  onClose: (() => void) | null = null;
  /**
   * Logged in (c->authenticated): true from the start while `requirepass` is empty (Redis' default
   * user with nopass), else once AUTH or HELLO … AUTH succeeds. Setting requirepass later does not
   * log out the sessions already in.
   */
  authenticated: boolean;
  /**
   * CLIENT_CLOSE_AFTER_REPLY: QUIT was sent. The front that owns the connection writes this
   * command's reply, then closes it (an in-process session is closed at once).
   */
  closeAfterReply = false;

  constructor(
    readonly engine: Engine,
    readonly id: number,
  ) {
    this.db = engine.dbs[0]!;
    this.createdAt = this.lastInteraction = engine.clock();
    this.addr = `lodis:${id}`;
    this.authenticated = engine.config.requirepass === null;
  }

  /**
   * Channels, patterns and shard channels (clientTotalPubSubSubscriptionCount). Nonzero is Redis'
   * CLIENT_PUBSUB flag: the RESP2 subscribed context that dispatch and PING check.
   */
  get subscriptionCount(): number {
    return this.channels.size + this.patterns.size + this.shardChannels.size;
  }

  /** rewriteClientCommandVector: log this argv instead of the one the client sent. */
  rewriteArgv(argv: Arg[]): void {
    this.rewrittenArgv = argv;
  }

  /**
   * preventCommandPropagation: log nothing for this command itself; what it changed is logged
   * through engine.propagate (XREADGROUP's XCLAIMs, XAUTOCLAIM's …).
   */
  preventCommandPropagation(): void {
    this.rewrittenArgv = PREVENTED;
  }

  /** Reply with what `reply` resolves to instead of the handler's return value (for a front that can wait). */
  deferReply(reply: Promise<Reply>): void {
    this.deferredReply = reply;
  }

  /** Deliver a pushed reply (message, pmessage …) to whoever reads this session. */
  push(msg: Reply): void {
    this.onPush?.(msg);
  }
}
